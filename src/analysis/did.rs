//! Difference in differences: the change of a metric in the units that took a measure,
//! minus its change in comparable units that did not (Angrist and Pischke, "Mostly Harmless
//! Econometrics", 2009, section 5.2; Card and Krueger's minimum-wage study is the classic
//! worked example):
//!
//!   DiD = (mean after - mean before) of the treated units
//!       - (mean after - mean before) of the control units
//!
//! each unit's before and after being the mean of its own months. On a balanced panel this
//! is the coefficient of treated x after in the regression y = a + b treated + c after +
//! d treated x after (a test checks the two against each other).
//!
//! The interval: with five or more units on each side, a bootstrap over units (units are
//! drawn with replacement within each group, 2,000 times, the 2.5 and 97.5 percentiles),
//! which keeps each unit's months together. With fewer units a bootstrap has nothing to
//! draw from (one treated county gives the same mean every time), so the interval comes
//! from the months instead: a Welch t interval of the treated-minus-control gap after t0
//! against before, which carries the treated unit's own month-to-month noise.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::effect::{Direction, Estimate, MIN_MONTHS_EACH_SIDE, Verdict};
use super::its::split_check;
use crate::text::Text;

/// One value of one unit in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelRow {
    pub unit: String,
    pub month: NaiveDate,
    pub treated: bool,
    pub value: f64,
}

/// Units needed on each side for the bootstrap over units.
pub const BOOTSTRAP_MIN_UNITS: usize = 5;
pub const BOOTSTRAP_DRAWS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Did {
    pub treated_units: Vec<String>,
    pub control_units: Vec<String>,
    /// Units left out for want of data before or after t0.
    pub dropped_units: Vec<String>,
    pub treated_before: f64,
    pub treated_after: f64,
    pub control_before: f64,
    pub control_after: f64,
    pub effect: Estimate,
    pub verdict: Verdict,
    pub months: Vec<NaiveDate>,
    /// Per month, the mean of the treated units and of the control units.
    pub treated: Vec<Option<f64>>,
    pub control: Vec<Option<f64>>,
    /// The treated units had they moved as the controls did.
    pub counterfactual: Vec<Option<f64>>,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn variance(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
}

struct UnitSides {
    treated: bool,
    before: Vec<f64>,
    after: Vec<f64>,
}

pub fn did(rows: &[PanelRow], t0: NaiveDate, better: Direction) -> Result<Did, Text> {
    let mut units: BTreeMap<&str, UnitSides> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.value.is_finite()) {
        let u = units.entry(r.unit.as_str()).or_insert(UnitSides {
            treated: r.treated,
            before: Vec::new(),
            after: Vec::new(),
        });
        if u.treated != r.treated {
            return Err(crate::say!(
                "unit {} is marked both treated and not treated",
                "单位 {} 既标为实施也标为未实施",
                r.unit
            ));
        }
        if r.month < t0 {
            u.before.push(r.value);
        } else {
            u.after.push(r.value);
        }
    }
    let mut all_months: Vec<NaiveDate> = rows
        .iter()
        .filter(|r| r.value.is_finite())
        .map(|r| r.month)
        .collect();
    all_months.sort();
    all_months.dedup();
    split_check(&all_months, t0)?;
    let mut dropped = Vec::new();
    let (mut dt, mut dc) = (Vec::new(), Vec::new());
    let (mut tu, mut cu) = (Vec::new(), Vec::new());
    let (mut sides_t, mut sides_c) = (Vec::new(), Vec::new());
    for (name, u) in &units {
        if u.before.is_empty() || u.after.is_empty() {
            dropped.push(name.to_string());
            continue;
        }
        let (b, a) = (mean(&u.before), mean(&u.after));
        if u.treated {
            dt.push(a - b);
            tu.push(name.to_string());
            sides_t.push((b, a));
        } else {
            dc.push(a - b);
            cu.push(name.to_string());
            sides_c.push((b, a));
        }
    }
    if tu.is_empty() {
        return Err(crate::say!(
            "no unit that took the measure has data both before and after {}",
            "实施措施的单位在 {} 前后没有完整数据",
            t0.format("%Y-%m")
        ));
    }
    if cu.is_empty() {
        return Err(crate::say!(
            "no control units: no comparable unit without the measure has data before and after {}",
            "没有对照单位：没有未实施措施的可比单位在 {} 前后都有数据",
            t0.format("%Y-%m")
        ));
    }
    let value = mean(&dt) - mean(&dc);
    let kept: Vec<&str> = tu.iter().chain(&cu).map(String::as_str).collect();
    let group_mean = |treated: bool, month: NaiveDate| -> Option<f64> {
        let v: Vec<f64> = rows
            .iter()
            .filter(|r| {
                r.month == month
                    && r.treated == treated
                    && r.value.is_finite()
                    && kept.contains(&r.unit.as_str())
            })
            .map(|r| r.value)
            .collect();
        (!v.is_empty()).then(|| mean(&v))
    };
    let treated: Vec<Option<f64>> = all_months.iter().map(|m| group_mean(true, *m)).collect();
    let control: Vec<Option<f64>> = all_months.iter().map(|m| group_mean(false, *m)).collect();
    let side_mean = |s: &[(f64, f64)], after: bool| {
        mean(
            &s.iter()
                .map(|p| if after { p.1 } else { p.0 })
                .collect::<Vec<_>>(),
        )
    };
    let (tb, ta, cb, ca) = (
        side_mean(&sides_t, false),
        side_mean(&sides_t, true),
        side_mean(&sides_c, false),
        side_mean(&sides_c, true),
    );
    let counterfactual = control.iter().map(|c| c.map(|c| c + (tb - cb))).collect();
    let effect = if tu.len() >= BOOTSTRAP_MIN_UNITS && cu.len() >= BOOTSTRAP_MIN_UNITS {
        bootstrap(&dt, &dc, value)
    } else {
        months_interval(&all_months, &treated, &control, t0, value)?
    };
    Ok(Did {
        verdict: Verdict::of(&effect, better),
        effect,
        treated_units: tu,
        control_units: cu,
        dropped_units: dropped,
        treated_before: tb,
        treated_after: ta,
        control_before: cb,
        control_after: ca,
        months: all_months,
        treated,
        control,
        counterfactual,
    })
}

/// Percentile interval of the DiD over units drawn with replacement within each group
/// (a fixed seed: the same data give the same interval).
fn bootstrap(dt: &[f64], dc: &[f64], value: f64) -> Estimate {
    // SplitMix64 with a fixed seed (Steele, Lea and Flood 2014): enough for resampling.
    let mut state: u64 = 20_260_101;
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut draw = |v: &[f64]| {
        let s: f64 = (0..v.len())
            .map(|_| v[((uniform() * v.len() as f64) as usize).min(v.len() - 1)])
            .sum();
        s / v.len() as f64
    };
    let mut d: Vec<f64> = (0..BOOTSTRAP_DRAWS).map(|_| draw(dt) - draw(dc)).collect();
    d.sort_by(f64::total_cmp);
    let at = |q: f64| d[((q * (d.len() - 1) as f64).round() as usize).min(d.len() - 1)];
    Estimate {
        value,
        low: at(0.025),
        high: at(0.975),
        se: variance(&d).sqrt(),
        method: format!(
            "bootstrap over units ({} treated, {} control, {BOOTSTRAP_DRAWS} draws)",
            dt.len(),
            dc.len()
        ),
    }
}

/// Welch t interval of the mean gap (treated minus control) after t0 against before.
fn months_interval(
    months: &[NaiveDate],
    treated: &[Option<f64>],
    control: &[Option<f64>],
    t0: NaiveDate,
    value: f64,
) -> Result<Estimate, Text> {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for ((m, t), c) in months.iter().zip(treated).zip(control) {
        if let (Some(t), Some(c)) = (t, c) {
            if *m < t0 {
                before.push(t - c)
            } else {
                after.push(t - c)
            }
        }
    }
    if before.len() < MIN_MONTHS_EACH_SIDE || after.len() < MIN_MONTHS_EACH_SIDE {
        return Err(crate::say!(
            "not enough data: the treated and control units share {} months before {} and {} from it; each side needs {}",
            "数据不足：实施单位与对照单位在 {1} 之前共有 {0} 个月、之后 {2} 个月；两侧各需至少 {3} 个月",
            before.len(),
            t0.format("%Y-%m"),
            after.len(),
            MIN_MONTHS_EACH_SIDE
        ));
    }
    let (a, b) = (
        variance(&before) / before.len() as f64,
        variance(&after) / after.len() as f64,
    );
    let se = (a + b).sqrt();
    let df = if a + b > 0.0 {
        (a + b).powi(2) / (a * a / (before.len() as f64 - 1.0) + b * b / (after.len() as f64 - 1.0))
    } else {
        (before.len() + after.len() - 2) as f64
    };
    Ok(Estimate::t_interval(
        value,
        se,
        df,
        format!(
            "Welch t interval over {} months of the treated-minus-control gap, {df:.1} df",
            before.len() + after.len()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::effect::month_of_index;

    fn m(i: i64) -> NaiveDate {
        month_of_index(2024 * 12 + i)
    }

    fn row(unit: &str, i: i64, treated: bool, value: f64) -> PanelRow {
        PanelRow {
            unit: unit.into(),
            month: m(i),
            treated,
            value,
        }
    }

    #[test]
    fn a_two_by_two_by_hand() {
        // Treated T: 10, 12, 11 before, 6, 7, 5 after: 11 -> 6, change -5.
        // Controls A: 8, 8, 8 -> 7, 7, 7 (change -1); B: 4, 5, 6 -> 5, 5, 5 (change 0).
        // DiD = -5 - (-1 + 0) / 2 = -4.5.
        let mut rows = Vec::new();
        for (i, v) in [10.0, 12.0, 11.0, 6.0, 7.0, 5.0].into_iter().enumerate() {
            rows.push(row("T", i as i64, true, v));
        }
        for (i, v) in [8.0, 8.0, 8.0, 7.0, 7.0, 7.0].into_iter().enumerate() {
            rows.push(row("A", i as i64, false, v));
        }
        for (i, v) in [4.0, 5.0, 6.0, 5.0, 5.0, 5.0].into_iter().enumerate() {
            rows.push(row("B", i as i64, false, v));
        }
        let r = did(&rows, m(3), Direction::LowerIsBetter).unwrap();
        assert!((r.effect.value + 4.5).abs() < 1e-12);
        // Gaps (treated minus control mean): before 4, 5.5, 4; after -0, 1, -1.
        // Means 4.5 and 0; variances 0.75 and 1; se = sqrt(0.75/3 + 1/3) = sqrt(7/12).
        assert!((r.effect.se - (7.0f64 / 12.0).sqrt()).abs() < 1e-12);
        assert!(r.effect.method.contains("Welch"));
        assert_eq!(r.verdict, Verdict::Improved, "{:?}", r.effect);
        // Counterfactual after t0: control mean 6 + (11 - 6.5) = 10.5.
        assert!((r.counterfactual[3].unwrap() - 10.5).abs() < 1e-12);
    }

    #[test]
    fn no_control_units_is_said_not_computed() {
        let rows: Vec<PanelRow> = (0..8).map(|i| row("T", i, true, i as f64)).collect();
        let e = did(&rows, m(4), Direction::LowerIsBetter).unwrap_err();
        assert!(e.en.contains("no control units"), "{}", e.en);
        let mut mixed = rows.clone();
        mixed.push(row("T", 9, false, 1.0));
        assert!(
            did(&mixed, m(4), Direction::LowerIsBetter)
                .unwrap_err()
                .en
                .contains("both")
        );
    }
}
