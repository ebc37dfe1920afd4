//! The key-market report of a unit and month (what the Key market page and `mams market`
//! show) and its small statistics.

use chrono::NaiveDate;
use serde::Serialize;

use crate::progress::Progress;
use crate::store::Project;
use crate::store::market::{self as m, ArrearsAge, CollectionCurve, KeyCustomer, Overdue};

/// The key market of a unit's subtree in a month.
#[derive(Debug, Clone, Serialize)]
pub struct MarketReport {
    pub unit_id: String,
    pub month: NaiveDate,
    /// The 20 largest customers over the 12 months up to the month.
    pub key_customers: Vec<KeyCustomer>,
    /// Applications of the year reaching each step (accepted ... energised).
    pub funnel: Vec<u64>,
    /// Handling time per (class, time limit): five numbers.
    pub handling: Vec<(String, f64, FiveNumbers)>,
    /// Open applications over their time limit at the month's end.
    pub overdue: Vec<Overdue>,
    /// Customers and kWh of the month by class, voltage and industry.
    pub by_class: Vec<(String, u64, f64)>,
    pub by_voltage: Vec<(String, u64, f64)>,
    pub by_industry: Vec<(String, u64, f64)>,
    /// The collection curve of the bills falling due in the month and the month before.
    pub curve: CollectionCurve,
    pub curve_before: CollectionCurve,
    /// Arrears at the month's end by days past due and unit one level down.
    pub arrears_age: Vec<ArrearsAge>,
    /// A key customer whose kWh fell more than this (%, year on year) is declining: the
    /// project's key_drop threshold.
    pub drop_pct: f64,
}

/// The steps of a connection application, in the order of `MarketReport::funnel`.
pub const FUNNEL_STEPS: [&str; 8] = [
    "accepted",
    "surveyed",
    "supply plan",
    "design review",
    "mid check",
    "completion acceptance",
    "meter installed",
    "energised",
];

/// How many of the largest customers the report lists.
pub const KEY_CUSTOMERS: i64 = 20;

impl MarketReport {
    /// The report narrowed to one customer class (the funnel, the composition and the
    /// collection stay whole).
    pub fn for_class(mut self, class: &str) -> MarketReport {
        self.key_customers.retain(|c| c.class == class);
        self.handling.retain(|(c, _, _)| c == class);
        self.overdue.retain(|o| o.class == class);
        self
    }
}

/// Handling times grouped by (class, time limit), in class order.
pub fn handling_by_class(apps: Vec<(String, f64, f64)>) -> Vec<(String, f64, FiveNumbers)> {
    let mut groups: Vec<((String, f64), Vec<f64>)> = Vec::new();
    for (class, days, limit) in apps {
        match groups.iter_mut().find(|(k, _)| k.0 == class && k.1 == limit) {
            Some((_, v)) => v.push(days),
            None => groups.push(((class, limit), vec![days])),
        }
    }
    groups.sort_by(|a, b| a.0.0.cmp(&b.0.0).then(a.0.1.total_cmp(&b.0.1)));
    groups
        .into_iter()
        .filter_map(|((class, limit), v)| Some((class, limit, five_numbers(&v)?)))
        .collect()
}

pub fn report(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    progress: &Progress,
) -> anyhow::Result<MarketReport> {
    let handling = handling_by_class(m::handling(project, unit, month)?);
    progress.check()?;
    let [by_class, by_voltage, by_industry] = m::composition(project, unit, month)?;
    progress.check()?;
    let before = month - chrono::Months::new(1);
    let (curve, curve_before) = m::collection_curves(project, unit, month, before)?;
    Ok(MarketReport {
        unit_id: unit.to_string(),
        month,
        curve,
        curve_before,
        arrears_age: m::arrears_by_age(project, unit, month)?,
        key_customers: m::key_customers(project, unit, month, KEY_CUSTOMERS)?,
        funnel: m::funnel(project, unit, month)?,
        handling,
        overdue: m::overdue(project, unit, month)?,
        by_class,
        by_voltage,
        by_industry,
        drop_pct: crate::store::commitments::key_drop_pct(project)?,
    })
}

/// Five-number summary of a sample, for a box plot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FiveNumbers {
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    pub n: usize,
}

/// The quantile `q` of sorted values, linearly interpolated (as DuckDB's quantile_cont).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

pub fn five_numbers(values: &[f64]) -> Option<FiveNumbers> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(FiveNumbers {
        min: v[0],
        q1: quantile(&v, 0.25),
        median: quantile(&v, 0.5),
        q3: quantile(&v, 0.75),
        max: v[v.len() - 1],
        n: v.len(),
    })
}

/// Year-on-year change in %, None without a positive base.
pub fn yoy_pct(now: Option<f64>, year_ago: Option<f64>) -> Option<f64> {
    let (a, b) = (now?, year_ago?);
    (b > 0.0).then(|| (a / b - 1.0) * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_numbers_and_changes() {
        // 1..=9: quartiles at 3 and 7, median 5.
        let f = five_numbers(&[9.0, 1.0, 5.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0]).unwrap();
        assert_eq!(
            (f.min, f.q1, f.median, f.q3, f.max, f.n),
            (1.0, 3.0, 5.0, 7.0, 9.0, 9)
        );
        // Two values: quartiles interpolate.
        let f = five_numbers(&[2.0, 4.0]).unwrap();
        assert_eq!((f.q1, f.median, f.q3), (2.5, 3.0, 3.5));
        assert!(five_numbers(&[]).is_none());
        assert!((yoy_pct(Some(70.0), Some(100.0)).unwrap() + 30.0).abs() < 1e-9);
        assert_eq!(yoy_pct(Some(1.0), Some(0.0)), None);
    }
}
