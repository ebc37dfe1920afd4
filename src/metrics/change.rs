//! "Why did this change?": the change of an indicator of a unit between two months, split
//! over the units one level down so that the parts add up exactly to the change.
//!
//! A volume indicator (sales, revenue, arrears, connections) is a sum: each unit's part is
//! its own change. An indicator that is a ratio of sums (collection rate, line loss,
//! timeliness, SAIFI ...) is split into rate and mix effects per unit
//! (`analysis::decompose::rate_mix`). Indicators that are not linear in sums (ASAI, RS-1,
//! RS-3) are not split.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::indicators::{INDICATORS, Indicator};
use crate::analysis::decompose::{RatioGroup, rate_mix};
use crate::store::Project;
use crate::store::kpi::{MonthTotals, month_totals_of_units};

/// How an indicator is formed from the monthly sums.
#[derive(Clone, Copy)]
pub enum Form {
    Sum(fn(&MonthTotals) -> Option<f64>),
    /// (numerator, denominator), scaled so that the indicator is numerator / denominator.
    Ratio(fn(&MonthTotals) -> (Option<f64>, Option<f64>)),
}

fn scaled(v: Option<f64>, k: f64) -> Option<f64> {
    v.map(|x| x * k)
}

/// The form of an indicator, or None when it cannot be split exactly.
pub fn form(indicator: &str) -> Option<Form> {
    Some(match indicator {
        "sales_kwh" => Form::Sum(|t| t.kwh),
        "revenue" => Form::Sum(|t| t.receivable),
        "arrears" => Form::Sum(|t| t.arrears),
        "new_connections" => Form::Sum(|t| t.connections),
        "average_price" => Form::Ratio(|t| (t.receivable, t.kwh)),
        "collection_rate" => Form::Ratio(|t| (scaled(t.collected, 100.0), t.receivable)),
        "line_loss_rate" => Form::Ratio(|t| match (t.supplied_kwh, t.sold_kwh) {
            (Some(s), Some(sold)) => (Some((s - sold) * 100.0), Some(s)),
            _ => (None, None),
        }),
        "connection_days" => Form::Ratio(|t| (t.connection_days, t.connections)),
        "connections_over_limit" => Form::Ratio(|t| (scaled(t.connections_over_limit, 100.0), t.connections)),
        "complaints_per_10k" => Form::Ratio(|t| (scaled(t.complaints, 10_000.0), Some(t.customers))),
        "ticket_timeliness" => Form::Ratio(|t| (scaled(t.tickets_on_time, 100.0), t.tickets_due)),
        "repair_arrival" => Form::Ratio(|t| (t.repair_arrival_minutes, t.repairs_arrived)),
        "satisfaction" => Form::Ratio(|t| (scaled(t.satisfied, 100.0), t.callbacks)),
        "saidi" => Form::Ratio(|t| (t.customer_minutes, Some(t.customers))),
        "saifi" => Form::Ratio(|t| (t.interruptions, Some(t.customers))),
        "caidi" => Form::Ratio(|t| (t.customer_minutes, t.interruptions)),
        _ => return None,
    })
}

/// One unit's part of the change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// A unit one level down, or the unit itself for what is booked on it directly.
    pub unit_id: String,
    pub effect: f64,
    /// For ratios: the part from the unit's own rate, and from its weight in the total.
    pub rate_effect: Option<f64>,
    pub mix_effect: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub indicator: &'static str,
    pub unit_id: String,
    pub base_month: NaiveDate,
    pub month: NaiveDate,
    pub base_value: f64,
    pub value: f64,
    pub change: f64,
    /// "sum" or "rate/mix".
    pub method: &'static str,
    /// Largest parts (by size) first; they add up to `change`.
    pub parts: Vec<Part>,
}

fn month_of(m: NaiveDate) -> NaiveDate {
    m.with_day(1).unwrap_or(m)
}

/// Explains the change of `indicator` for `unit` from `base` to `month` over `children`
/// (the units one level down). Errors say why there is nothing to split.
pub fn explain(
    project: &Project,
    indicator: &str,
    unit: &str,
    children: &[String],
    base: NaiveDate,
    month: NaiveDate,
) -> anyhow::Result<Explanation> {
    let ind: &Indicator = INDICATORS
        .iter()
        .find(|i| i.id == indicator)
        .ok_or_else(|| crate::said!("no indicator {indicator}", "没有指标 {indicator}"))?;
    let form = form(indicator).ok_or_else(|| {
        anyhow::Error::new(crate::text::Said(crate::text::Text {
            en: format!(
                "{} is not a sum or a ratio of sums, so its change cannot be split exactly",
                ind.en
            ),
            zh: format!("{} 不是求和或求和之比，其变化无法精确分解", ind.zh),
        }))
    })?;
    let (base, month) = (month_of(base), month_of(month));
    let mut ids: Vec<&str> = vec![unit];
    ids.extend(children.iter().map(String::as_str));
    let totals = |m: NaiveDate| -> anyhow::Result<Vec<MonthTotals>> {
        Ok(month_totals_of_units(project, &ids, m, m)?
            .into_iter()
            .map(|mut v| v.pop().unwrap_or_default())
            .collect())
    };
    let (t0, t1) = (totals(base)?, totals(month)?);
    let no_data = |m: NaiveDate| {
        anyhow::Error::new(crate::text::Said(crate::text::Text {
            en: format!("{} has no value for {}", ind.en, m.format("%Y-%m")),
            zh: format!("{} 在 {} 没有数值", ind.zh, m.format("%Y-%m")),
        }))
    };
    let base_value = (ind.value)(&t0[0]).ok_or_else(|| no_data(base))?;
    let value = (ind.value)(&t1[0]).ok_or_else(|| no_data(month))?;
    // Each child, then what the unit has beyond its children (booked on it directly).
    let mut names: Vec<String> = children.to_vec();
    names.push(unit.to_string());
    let (method, mut parts) = match form {
        Form::Sum(f) => {
            let get = |t: &[MonthTotals], i: usize| f(&t[i]).unwrap_or(0.0);
            let mut parts: Vec<Part> = (1..ids.len())
                .map(|i| Part {
                    unit_id: names[i - 1].clone(),
                    effect: get(&t1, i) - get(&t0, i),
                    rate_effect: None,
                    mix_effect: None,
                })
                .collect();
            let rest = (value - base_value) - parts.iter().map(|p| p.effect).sum::<f64>();
            parts.push(Part {
                unit_id: unit.to_string(),
                effect: rest,
                rate_effect: None,
                mix_effect: None,
            });
            ("sum", parts)
        }
        Form::Ratio(f) => {
            let get = |t: &[MonthTotals], i: usize| {
                let (n, d) = f(&t[i]);
                (n.unwrap_or(0.0), d.unwrap_or(0.0))
            };
            let mut groups: Vec<RatioGroup> = (1..ids.len())
                .map(|i| RatioGroup {
                    name: names[i - 1].clone(),
                    base: get(&t0, i),
                    target: get(&t1, i),
                })
                .collect();
            let sum = |g: &[RatioGroup], pick: fn(&RatioGroup) -> (f64, f64)| {
                g.iter()
                    .fold((0.0, 0.0), |a, x| (a.0 + pick(x).0, a.1 + pick(x).1))
            };
            let (b, t) = (sum(&groups, |g| g.base), sum(&groups, |g| g.target));
            let (pb, pt) = (get(&t0, 0), get(&t1, 0));
            groups.push(RatioGroup {
                name: unit.to_string(),
                base: (pb.0 - b.0, (pb.1 - b.1).max(0.0)),
                target: (pt.0 - t.0, (pt.1 - t.1).max(0.0)),
            });
            let r = rate_mix(&groups).map_err(|e| anyhow::anyhow!(e))?;
            let parts = r
                .groups
                .into_iter()
                .map(|g| Part {
                    unit_id: g.group,
                    effect: g.rate_effect + g.mix_effect,
                    rate_effect: Some(g.rate_effect),
                    mix_effect: Some(g.mix_effect),
                })
                .collect();
            ("rate/mix", parts)
        }
    };
    // The unit's own remainder is shown only when it is not nothing.
    parts.retain(|p| p.unit_id != unit || p.effect.abs() > 1e-9 * (1.0 + value.abs()));
    parts.sort_by(|a, b| b.effect.abs().total_cmp(&a.effect.abs()));
    Ok(Explanation {
        indicator: ind.id,
        unit_id: unit.to_string(),
        base_month: base,
        month,
        base_value,
        value,
        change: value - base_value,
        method,
        parts,
    })
}

/// One customer class's part of a change, with the factor effects where there are two.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassPart {
    pub class: String,
    pub effect: f64,
    /// Revenue (LMDI-I, kWh x price): volume and price effects. Average price (rate/mix):
    /// price (rate) and mix effects.
    pub first: Option<f64>,
    pub second: Option<f64>,
}

/// The change of sales, revenue or average price split by customer class: sales by each
/// class's change, revenue by LMDI-I over kWh x price, average price by rate and mix. None
/// for other indicators.
pub fn explain_by_class(
    project: &Project,
    indicator: &str,
    unit: &str,
    base: NaiveDate,
    month: NaiveDate,
) -> anyhow::Result<Option<Vec<ClassPart>>> {
    use crate::analysis::decompose::{LmdiGroup, lmdi};
    if !matches!(indicator, "sales_kwh" | "revenue" | "average_price") {
        return Ok(None);
    }
    let s0 = crate::store::kpi::class_sums(project, unit, month_of(base))?;
    let s1 = crate::store::kpi::class_sums(project, unit, month_of(month))?;
    let mut classes: Vec<String> = s0.iter().chain(&s1).map(|(c, _, _)| c.clone()).collect();
    classes.sort();
    classes.dedup();
    let get = |s: &[(String, f64, f64)], c: &str| {
        s.iter()
            .find(|(k, _, _)| k == c)
            .map(|(_, kwh, amount)| (*kwh, *amount))
            .unwrap_or((0.0, 0.0))
    };
    let parts = match indicator {
        "sales_kwh" => classes
            .iter()
            .map(|c| ClassPart {
                class: c.clone(),
                effect: get(&s1, c).0 - get(&s0, c).0,
                first: None,
                second: None,
            })
            .collect(),
        "revenue" => {
            // revenue = kWh x price, by LMDI-I over the classes with kWh and an amount in
            // both months. A class without kWh in a month (basic charges only, a new or a
            // gone class) or with a net refund has no price to take a logarithm of: its
            // kWh change is valued at the price it has, the rest of its amount's change is
            // price, so nothing of its amount is lost.
            let positive = |(kwh, amount): (f64, f64)| kwh > 0.0 && amount > 0.0;
            let lmdi_classes: Vec<&String> = classes
                .iter()
                .filter(|c| positive(get(&s0, c)) && positive(get(&s1, c)))
                .collect();
            let by_lmdi = if lmdi_classes.is_empty() {
                None
            } else {
                let groups: Vec<LmdiGroup> = lmdi_classes
                    .iter()
                    .map(|c| {
                        let ((k0, a0), (k1, a1)) = (get(&s0, c), get(&s1, c));
                        LmdiGroup {
                            name: c.to_string(),
                            base: vec![k0, a0 / k0],
                            target: vec![k1, a1 / k1],
                        }
                    })
                    .collect();
                Some(lmdi(&["kwh".into(), "price".into()], &groups).map_err(|e| anyhow::anyhow!(e))?)
            };
            classes
                .iter()
                .map(|c| {
                    let ((k0, a0), (k1, a1)) = (get(&s0, c), get(&s1, c));
                    let (v, p) = match (lmdi_classes.iter().position(|x| *x == c), &by_lmdi) {
                        (Some(i), Some(r)) => (r.effects[0].by_group[i], r.effects[1].by_group[i]),
                        _ => {
                            let price = if k1 > 0.0 {
                                a1 / k1
                            } else if k0 > 0.0 {
                                a0 / k0
                            } else {
                                0.0
                            };
                            let volume = (k1 - k0) * price;
                            (volume, (a1 - a0) - volume)
                        }
                    };
                    ClassPart {
                        class: c.clone(),
                        effect: v + p,
                        first: Some(v),
                        second: Some(p),
                    }
                })
                .collect()
        }
        _ => {
            let groups: Vec<RatioGroup> = classes
                .iter()
                .map(|c| {
                    let ((k0, a0), (k1, a1)) = (get(&s0, c), get(&s1, c));
                    RatioGroup {
                        name: c.clone(),
                        base: (a0, k0),
                        target: (a1, k1),
                    }
                })
                .collect();
            rate_mix(&groups)
                .map_err(|e| anyhow::anyhow!(e))?
                .groups
                .into_iter()
                .map(|g| ClassPart {
                    class: g.group,
                    effect: g.rate_effect + g.mix_effect,
                    first: Some(g.rate_effect),
                    second: Some(g.mix_effect),
                })
                .collect()
        }
    };
    let mut parts: Vec<ClassPart> = parts;
    parts.sort_by(|a, b| b.effect.abs().total_cmp(&a.effect.abs()));
    Ok(Some(parts))
}
