//! Early warning. After each run: a check below its threshold, a score that dropped more
//! than a set number of points since the run before, a stale table, and a monthly figure of
//! a monthly extract (its rows, its sums, the share of nulls or zeros of a column) outside
//! its usual band.
//!
//! The band is the robust (modified) z-score of Iglewicz and Hoaglin (1993),
//! z = 0.6745 (x - median) / MAD, over the 12 months before; when last year's same months
//! are there, over the year-on-year ratios (differences for shares) instead, so a seasonal
//! swing that comes every year is not an alarm. Months whose warning was acknowledged are
//! kept out of later baselines.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::checks::Kind;
use super::compile::Bound;
use super::scores::{self, By};
use crate::model::{self, ColType};
use crate::store::Project;
use crate::store::dq::{self as stored, Warning};

/// A kind of warning in words.
pub fn kind_name(kind: &str, zh: bool) -> &'static str {
    match (kind, zh) {
        ("below_threshold", false) => "Below threshold",
        ("below_threshold", true) => "低于阈值",
        ("score_drop", false) => "Score dropped",
        ("score_drop", true) => "得分下降",
        ("stale", false) => "Stale table",
        ("stale", true) => "数据滞后",
        ("out_of_band", false) => "Out of its usual band",
        ("out_of_band", true) => "超出常态",
        (_, false) => "Warning",
        (_, true) => "预警",
    }
}

/// The consistency constant of the modified z-score (the 0.75 quantile of the normal).
const Z_CONSTANT: f64 = 0.6745;

/// The median of some numbers (None when there are none).
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The modified z-score of `x` against `baseline`, with the MAD floored at `floor` (a
/// baseline of identical values would otherwise call any change infinite).
pub fn robust_z(x: f64, baseline: &[f64], floor: f64) -> Option<f64> {
    let med = median(baseline)?;
    let deviations: Vec<f64> = baseline.iter().map(|v| (v - med).abs()).collect();
    let mad = median(&deviations)?.max(floor);
    (mad > 0.0).then(|| Z_CONSTANT * (x - med) / mad)
}

/// How a monthly figure compares across years: a level as a ratio, a share as a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Measure {
    Level,
    Share,
}

/// The verdict on one month of a figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    pub value: f64,
    /// What the baseline expects (the median, turned back into the figure's own terms).
    pub expected: f64,
    pub z: f64,
    /// The year-on-year form was used.
    pub seasonal: bool,
}

/// Judges `month` of `series` (month -> value) against the months before it, leaving out
/// `excluded` months. None when the baseline is too short.
pub fn judge(
    series: &BTreeMap<NaiveDate, f64>,
    month: NaiveDate,
    measure: Measure,
    excluded: &BTreeSet<NaiveDate>,
    window: usize,
    min_months: usize,
) -> Option<Band> {
    let x = *series.get(&month)?;
    let year_before = |m: NaiveDate| {
        m.checked_sub_months(Months::new(12))
            .and_then(|p| series.get(&p).copied())
    };
    let transform = |m: NaiveDate, v: f64| -> Option<f64> {
        let last_year = year_before(m)?;
        match measure {
            Measure::Level => (last_year.abs() > 0.0).then(|| v / last_year),
            Measure::Share => Some(v - last_year),
        }
    };
    let before: Vec<(NaiveDate, f64)> = series
        .range(..month)
        .rev()
        .filter(|(m, _)| !excluded.contains(m))
        .take(window)
        .map(|(m, v)| (*m, *v))
        .collect();
    let seasonal: Vec<f64> = before.iter().filter_map(|(m, v)| transform(*m, *v)).collect();
    let floor = |base: &[f64]| match measure {
        // A share moving half a point is never an alarm; a level moving 1 % neither.
        Measure::Share => 0.005,
        Measure::Level => 0.01 * median(base).unwrap_or(0.0).abs(),
    };
    if let Some(tx) = transform(month, x).filter(|_| seasonal.len() >= min_months) {
        let z = robust_z(tx, &seasonal, floor(&seasonal))?;
        let med = median(&seasonal)?;
        let last_year = year_before(month)?;
        let expected = match measure {
            Measure::Level => med * last_year,
            Measure::Share => med + last_year,
        };
        return Some(Band {
            value: x,
            expected,
            z,
            seasonal: true,
        });
    }
    let levels: Vec<f64> = before.iter().map(|(_, v)| *v).collect();
    if levels.len() < min_months {
        return None;
    }
    Some(Band {
        value: x,
        expected: median(&levels)?,
        z: robust_z(x, &levels, floor(&levels))?,
        seasonal: false,
    })
}

/// The figures watched in a table: its rows, the sums and zero shares of its energy and
/// money columns, the null share of every column that may be empty.
pub fn figures(table: &model::Table) -> Vec<(String, String, Measure)> {
    let mut out = vec![("rows".to_string(), "count(*)".to_string(), Measure::Level)];
    for c in table.columns {
        let money_or_energy = matches!(c.unit, "kWh" | "yuan") && c.ty == ColType::Real;
        if money_or_energy {
            out.push((
                format!("sum:{}", c.name),
                format!("sum({})", c.name),
                Measure::Level,
            ));
            out.push((
                format!("zero:{}", c.name),
                format!("avg(({} = 0)::INTEGER)", c.name),
                Measure::Share,
            ));
        }
        if !c.required {
            out.push((
                format!("null:{}", c.name),
                format!("avg(({} IS NULL)::INTEGER)", c.name),
                Measure::Share,
            ));
        }
    }
    out
}

fn figure_words(metric: &str, zh: bool) -> String {
    match metric.split_once(':') {
        None => {
            if zh {
                "行数".into()
            } else {
                "rows".into()
            }
        }
        Some(("sum", c)) => {
            if zh {
                format!("{c} 合计")
            } else {
                format!("the sum of {c}")
            }
        }
        Some(("zero", c)) => {
            if zh {
                format!("{c} 为零的比例")
            } else {
                format!("the share of {c} at zero")
            }
        }
        Some(("null", c)) => {
            if zh {
                format!("{c} 为空的比例")
            } else {
                format!("the share of {c} empty")
            }
        }
        _ => metric.to_string(),
    }
}

fn shown(v: f64, measure: Measure) -> String {
    match measure {
        Measure::Share => format!("{:.1} %", 100.0 * v),
        Measure::Level => crate::metrics::format::number(v, 0),
    }
}

/// Works out the warnings of a stored run and stores them (inside its transaction).
/// `changed`: for a run that continues an earlier one, that run and the tables imports
/// changed since; the monthly figures of the other tables are as they were, and so are
/// their warnings, copied.
pub fn raise(
    project: &Project,
    run_id: i64,
    lib: &[Bound],
    changed: Option<&(i64, BTreeMap<String, Option<NaiveDate>>)>,
) -> anyhow::Result<()> {
    let settings = &scores::settings().warnings;
    let mut out: Vec<Warning> = Vec::new();
    let sums_of = |run: i64| -> anyhow::Result<BTreeMap<String, (u64, u64)>> {
        Ok(stored::sums_in(project, None, &[run])?
            .into_iter()
            .map(|(_, id, t, f)| (id, (t, f)))
            .collect())
    };
    let now = sums_of(run_id)?;
    for b in lib {
        let (t, f) = now.get(&b.check.id).copied().unwrap_or((0, 0));
        let Some(rate) = scores::pass_rate(t, f) else {
            continue;
        };
        if rate < b.check.threshold && b.check.kind != Kind::Freshness {
            out.push(Warning {
                run_id,
                warning_key: format!("below_threshold|{}", b.check.id),
                kind: "below_threshold".into(),
                check_id: Some(b.check.id.clone()),
                table_name: Some(b.check.table.clone()),
                unit: None,
                month: None,
                metric: None,
                value: Some(rate),
                expected: Some(b.check.threshold),
                message_en: format!(
                    "{}: {:.2} % of {} rows pass, below the threshold of {} % ({} failing)",
                    b.check.name_en, rate, t, b.check.threshold, f
                ),
                message_zh: format!(
                    "{}：{} 行中通过 {:.2}%，低于阈值 {}%（{} 行不通过）",
                    b.check.name_zh, t, rate, b.check.threshold, f
                ),
            });
        }
    }
    // Scores that dropped since the run before.
    let runs = stored::runs(project)?;
    if let Some(prev) = runs.iter().rev().find(|r| r.run_id < run_id) {
        let before = sums_of(prev.run_id)?;
        let mut pairs = vec![(
            "project".to_string(),
            scores::overall(lib, &before).score,
            scores::overall(lib, &now).score,
        )];
        let (b_tables, n_tables) = (
            scores::group(lib, &before, By::Table),
            scores::group(lib, &now, By::Table),
        );
        for (table, s) in &n_tables {
            pairs.push((table.clone(), b_tables.get(table).and_then(|x| x.score), s.score));
        }
        for (subject, was, is) in pairs {
            let (Some(was), Some(is)) = (was, is) else {
                continue;
            };
            if was - is > settings.score_drop_points {
                let table = (subject != "project").then(|| subject.clone());
                let (en, zh) = match &table {
                    Some(t) => (format!("the score of {t}"), format!("{t} 的得分")),
                    None => ("the project's score".to_string(), "项目总分".to_string()),
                };
                out.push(Warning {
                    run_id,
                    warning_key: format!("score_drop|{subject}|{}", prev.run_id),
                    kind: "score_drop".into(),
                    check_id: None,
                    table_name: table,
                    unit: None,
                    month: None,
                    metric: Some("score".into()),
                    value: Some(is),
                    expected: Some(was),
                    message_en: format!(
                        "{en} fell {:.1} points since run {}: {was:.1} to {is:.1}",
                        was - is,
                        prev.run_id
                    ),
                    message_zh: format!(
                        "{zh}较第 {} 次评估下降 {:.1} 分：{was:.1} → {is:.1}",
                        prev.run_id,
                        was - is
                    ),
                });
            }
        }
    }
    // Stale tables: the failing units of the freshness checks.
    for b in lib.iter().filter(|b| b.check.kind == Kind::Freshness) {
        for f in stored::failing_rows(project, run_id, Some(&b.check.id), None)? {
            let last: serde_json::Value = serde_json::from_str(&f.vals).unwrap_or_default();
            let last = last["last_month"]
                .as_str()
                .unwrap_or("")
                .get(..7)
                .unwrap_or("")
                .to_string();
            let unit = f.unit.clone().unwrap_or_default();
            out.push(Warning {
                run_id,
                warning_key: format!("stale|{}|{unit}|{last}", b.check.table),
                kind: "stale".into(),
                check_id: Some(b.check.id.clone()),
                table_name: Some(b.check.table.clone()),
                unit: f.unit.clone(),
                month: None,
                metric: None,
                value: None,
                expected: None,
                message_en: format!("{} of {unit} stop at {last}", b.check.table),
                message_zh: format!("{unit} 的 {} 数据只到 {last}", b.check.table),
            });
        }
    }
    let monthly: Vec<String> = scores::settings().warnings.monthly_tables.clone();
    // The figures of the tables imports changed, from the month they changed; the others'
    // warnings are as they were.
    let (redo, keep): (Vec<String>, Vec<String>) = match changed {
        None => (monthly, Vec::new()),
        Some((_, tables)) => monthly.into_iter().partition(|t| tables.contains_key(t)),
    };
    let redo_from: BTreeMap<String, Option<NaiveDate>> = redo
        .into_iter()
        .map(|t| {
            let from = changed.and_then(|(_, tables)| tables.get(&t).copied().flatten());
            (t, from)
        })
        .collect();
    out.extend(out_of_band(project, run_id, &redo_from)?);
    if let Some((prev, _)) = changed {
        stored::copy_warnings(project, *prev, run_id, "out_of_band", &keep)?;
    }
    stored::insert_warnings(project, &out)?;
    Ok(())
}

/// The monthly figures of the watched tables that left their usual band in the table's last
/// month.
fn out_of_band(
    project: &Project,
    run_id: i64,
    tables_from: &BTreeMap<String, Option<NaiveDate>>,
) -> anyhow::Result<Vec<Warning>> {
    let settings = &scores::settings().warnings;
    let acknowledged = stored::acknowledged_keys(project)?;
    let mut out = Vec::new();
    for name in tables_from.keys() {
        let Some(table) = model::table(name) else { continue };
        let Some(period) = table.period_column else {
            continue;
        };
        let figs = figures(table);
        let from = tables_from.get(name).copied().flatten();
        let series = stored::refresh_figures(project, table.name, period, &figs, from)?;
        for (metric, _, measure) in figs.iter() {
            let Some(s) = series.get(metric) else { continue };
            let Some((&last, _)) = s.iter().next_back() else {
                continue;
            };
            let key_of = |m: NaiveDate| format!("out_of_band|{}|{metric}|{}", table.name, m.format("%Y-%m"));
            let excluded: BTreeSet<NaiveDate> = s
                .keys()
                .copied()
                .filter(|m| acknowledged.contains(&key_of(*m)))
                .collect();
            let Some(band) = judge(
                s,
                last,
                *measure,
                &excluded,
                settings.baseline_months,
                settings.min_baseline_months,
            ) else {
                continue;
            };
            if band.z.abs() <= settings.robust_z {
                continue;
            }
            let month = last.format("%Y-%m");
            let (fig_en, fig_zh) = (figure_words(metric, false), figure_words(metric, true));
            let (season_en, season_zh) = if band.seasonal {
                (", last year's same month considered", "，已考虑去年同月")
            } else {
                ("", "")
            };
            out.push(Warning {
                run_id,
                warning_key: key_of(last),
                kind: "out_of_band".into(),
                check_id: None,
                table_name: Some(table.name.to_string()),
                unit: None,
                month: Some(last),
                metric: Some(metric.clone()),
                value: Some(band.value),
                expected: Some(band.expected),
                message_en: format!(
                    "{month} {}: {fig_en} is {}, usually about {} (robust z {:.1}{season_en})",
                    table.name,
                    shown(band.value, *measure),
                    shown(band.expected, *measure),
                    band.z
                ),
                message_zh: format!(
                    "{month} {}：{fig_zh}为 {}，通常约 {}（稳健 z 值 {:.1}{season_zh}）",
                    table.name,
                    shown(band.value, *measure),
                    shown(band.expected, *measure),
                    band.z
                ),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap()
    }

    #[test]
    fn the_modified_z_score_of_iglewicz_and_hoaglin_by_hand() {
        // Baseline 10, 12, 11, 13, 9: median 11, deviations 1, 1, 0, 2, 2, MAD 1.
        // x = 20: z = 0.6745 x 9 / 1 = 6.0705.
        let z = robust_z(20.0, &[10.0, 12.0, 11.0, 13.0, 9.0], 0.0).unwrap();
        assert!((z - 6.0705).abs() < 1e-9, "{z}");
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(robust_z(1.0, &[], 0.0), None);
    }

    #[test]
    fn a_seasonal_swing_seen_last_year_is_not_an_alarm_and_a_half_empty_month_is() {
        // Two years of monthly reads with a summer peak (July and August twice the rest);
        // written by hand, not by the generator.
        let mut s = BTreeMap::new();
        for y in [2024, 2025] {
            for m in 1..=12 {
                let base = 10_000.0 + if y == 2025 { 200.0 } else { 0.0 } + (m as f64) * 10.0;
                let v = if m == 7 || m == 8 { 2.0 * base } else { base };
                s.insert(month(y, m), v);
            }
        }
        let none = BTreeSet::new();
        // August 2025 is twice July-less months, as August 2024 was: within the band.
        let aug = judge(&s, month(2025, 8), Measure::Level, &none, 12, 6).unwrap();
        assert!(aug.seasonal && aug.z.abs() < 3.5, "{aug:?}");
        // Without last year the same August would be an alarm against the months before.
        let mut short: BTreeMap<NaiveDate, f64> = s.range(month(2025, 1)..).map(|(k, v)| (*k, *v)).collect();
        short.remove(&month(2025, 7));
        let alone = judge(&short, month(2025, 8), Measure::Level, &none, 12, 6).unwrap();
        assert!(!alone.seasonal && alone.z > 3.5, "{alone:?}");
        // December's reads arrive half empty: far below the band.
        s.insert(month(2025, 12), 0.5 * s[&month(2025, 12)]);
        let dec = judge(&s, month(2025, 12), Measure::Level, &none, 12, 6).unwrap();
        assert!(dec.z < -3.5, "{dec:?}");
        assert!(
            (dec.expected - s[&month(2025, 12)] * 2.0).abs() / dec.expected < 0.05,
            "{dec:?}"
        );
    }

    #[test]
    fn an_acknowledged_month_is_kept_out_of_the_baseline() {
        let mut s = BTreeMap::new();
        for m in 1..=12 {
            s.insert(month(2025, m), 100.0 + m as f64);
        }
        // Two bad months, then a third like them.
        s.insert(month(2025, 10), 50.0);
        s.insert(month(2025, 11), 50.0);
        s.insert(month(2025, 12), 50.0);
        let none = BTreeSet::new();
        let with = judge(&s, month(2025, 12), Measure::Level, &none, 12, 6).unwrap();
        let acknowledged: BTreeSet<NaiveDate> = [month(2025, 10), month(2025, 11)].into();
        let without = judge(&s, month(2025, 12), Measure::Level, &acknowledged, 12, 6).unwrap();
        assert!(without.z < with.z && without.z < -3.5, "{with:?} {without:?}");
    }
}
