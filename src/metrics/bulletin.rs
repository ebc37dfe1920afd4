//! The Comprehensive Bulletin Board's numbers: units ranked on a composite of the
//! indicators, and the indicators missing their targets this period with the size of the
//! miss. Built from the same cards as Views for Leaders (docs/metrics.md).

use chrono::NaiveDate;
use serde::Serialize;

use super::indicators::Better;
use super::kpi::{Card, Status};
use crate::store::Project;

/// The indicators the board's ranking shows as columns (the composite counts every
/// indicator with a better direction).
pub const BOARD_COLUMNS: [&str; 8] = [
    "collection_rate",
    "line_loss_rate",
    "connection_days",
    "complaints_per_10k",
    "ticket_timeliness",
    "repair_arrival",
    "saidi",
    "satisfaction",
];

/// What the board shows for a unit and month: the units one level down ranked, and their
/// misses.
#[derive(Debug, Clone, Serialize)]
pub struct BoardReport {
    pub unit_id: String,
    pub month: NaiveDate,
    /// The units one level down, best composite first (the unit itself when it has none).
    pub ranked: Vec<UnitScore>,
    pub breaches: Vec<Breach>,
    /// The data quality warnings of the last run nobody acknowledged (`dq::warnings`).
    pub quality_warnings: Vec<crate::store::dq::Warning>,
}

pub fn report(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    units_below: &[String],
) -> anyhow::Result<BoardReport> {
    let units = if units_below.is_empty() {
        vec![unit.to_string()]
    } else {
        units_below.to_vec()
    };
    let ranked = rank(super::kpi::cards_of_units(project, month, &units, None)?);
    let breaches = breaches(&ranked);
    Ok(BoardReport {
        unit_id: unit.to_string(),
        month,
        ranked,
        breaches,
        quality_warnings: crate::store::dq::open_warnings(project)?,
    })
}

/// One unit's row of the ranking.
#[derive(Debug, Clone, Serialize)]
pub struct UnitScore {
    pub unit_id: String,
    /// Mean over the indicators with a better direction of the unit's percentile among the
    /// units compared (100 = best of them, 0 = worst); None without any such value.
    pub composite: Option<f64>,
    /// Indicators counted in the composite.
    pub counted: usize,
    pub cards: Vec<Card>,
}

/// An indicator of a unit off its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    pub unit_id: String,
    pub indicator: &'static str,
    pub value: f64,
    pub target: f64,
    /// How far on the wrong side of the target, in the indicator's unit (always > 0).
    pub gap: f64,
    /// The gap relative to the target (0.05 = 5 % worse than the target).
    pub relative: f64,
    /// Amber: missed but better than last month; Red: missed and not improving.
    pub status: Status,
}

/// Percentile of `v` among `values` for an indicator's direction: 100 for the best.
fn percentile(v: f64, values: &[f64], better: Better) -> f64 {
    if values.len() < 2 {
        return 100.0;
    }
    let worse = values
        .iter()
        .filter(|x| match better {
            Better::Higher => **x < v,
            Better::Lower => **x > v,
            Better::Neither => false,
        })
        .count();
    let ties = values.iter().filter(|x| **x == v).count() - 1;
    100.0 * (worse as f64 + ties as f64 / 2.0) / (values.len() - 1) as f64
}

/// Ranks units on the composite, best first (units without a composite last).
pub fn rank(units: Vec<(String, Vec<Card>)>) -> Vec<UnitScore> {
    let indicators: Vec<&'static str> = units
        .first()
        .map(|(_, cards)| cards.iter().map(|c| c.indicator).collect())
        .unwrap_or_default();
    let mut sums: Vec<(f64, usize)> = vec![(0.0, 0); units.len()];
    for id in indicators {
        let values: Vec<(usize, f64)> = units
            .iter()
            .enumerate()
            .filter_map(|(i, (_, cards))| {
                let c = cards.iter().find(|c| c.indicator == id)?;
                // A provisional value is not judged yet, so it does not rank a unit either.
                (c.indicator().better != Better::Neither && c.provisional.is_none()).then_some(())?;
                Some((i, c.value?))
            })
            .collect();
        let all: Vec<f64> = values.iter().map(|(_, v)| *v).collect();
        for (i, v) in &values {
            let better = super::indicators::indicator(id)
                .map(|d| d.better)
                .unwrap_or(Better::Neither);
            sums[*i].0 += percentile(*v, &all, better);
            sums[*i].1 += 1;
        }
    }
    let mut out: Vec<UnitScore> = units
        .into_iter()
        .zip(sums)
        .map(|((unit_id, cards), (sum, n))| UnitScore {
            unit_id,
            composite: (n > 0).then(|| sum / n as f64),
            counted: n,
            cards,
        })
        .collect();
    out.sort_by(|a, b| match (a.composite, b.composite) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.unit_id.cmp(&b.unit_id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.unit_id.cmp(&b.unit_id),
    });
    out
}

/// Every indicator of every unit that misses its target, the largest relative miss first.
pub fn breaches(units: &[UnitScore]) -> Vec<Breach> {
    let mut out: Vec<Breach> = units
        .iter()
        .flat_map(|u| {
            u.cards.iter().filter_map(|c| {
                let status = c.status?;
                if status == Status::Green {
                    return None;
                }
                let (value, target) = (c.value?, c.target?);
                let gap = match c.indicator().better {
                    Better::Higher => target - value,
                    Better::Lower => value - target,
                    Better::Neither => return None,
                };
                Some(Breach {
                    unit_id: u.unit_id.clone(),
                    indicator: c.indicator,
                    value,
                    target,
                    gap,
                    relative: if target != 0.0 { gap / target.abs() } else { gap },
                    status,
                })
            })
        })
        .collect();
    out.sort_by(|a, b| b.relative.total_cmp(&a.relative).then(a.unit_id.cmp(&b.unit_id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(id: &'static str, value: f64, target: Option<f64>, status: Option<Status>) -> Card {
        Card {
            indicator: id,
            name_en: "",
            name_zh: "",
            unit: "",
            value: Some(value),
            previous_month: None,
            previous_year: None,
            target,
            status,
            provisional: None,
            history: Vec::new(),
        }
    }

    #[test]
    fn units_rank_on_their_percentiles_and_misses_are_sized() {
        // Collection rate (higher is better) and line loss (lower is better) for three units:
        // A: 99.5 % / 3 %  -> percentiles 100, 100 -> composite 100
        // B: 98.0 % / 5 %  -> 50, 50 -> 50
        // C: 96.0 % / 8 %  -> 0, 0 -> 0
        // Sales (no better direction) does not count.
        let units = vec![
            (
                "B".to_string(),
                vec![
                    card("collection_rate", 98.0, Some(99.5), Some(Status::Red)),
                    card("line_loss_rate", 5.0, Some(7.0), Some(Status::Green)),
                    card("sales_kwh", 1e9, None, None),
                ],
            ),
            (
                "A".to_string(),
                vec![
                    card("collection_rate", 99.5, Some(99.5), Some(Status::Green)),
                    card("line_loss_rate", 3.0, Some(7.0), Some(Status::Green)),
                    card("sales_kwh", 1.0, None, None),
                ],
            ),
            (
                "C".to_string(),
                vec![
                    card("collection_rate", 96.0, Some(99.5), Some(Status::Amber)),
                    card("line_loss_rate", 8.0, Some(7.0), Some(Status::Red)),
                    card("sales_kwh", 5.0, None, None),
                ],
            ),
        ];
        let ranked = rank(units);
        let order: Vec<(&str, f64)> = ranked
            .iter()
            .map(|u| (u.unit_id.as_str(), u.composite.unwrap()))
            .collect();
        assert_eq!(order, [("A", 100.0), ("B", 50.0), ("C", 0.0)]);
        assert!(ranked.iter().all(|u| u.counted == 2));
        let b = breaches(&ranked);
        // C's collection rate misses by 3.5 pp (3.5 / 99.5 = 3.5 %), C's line loss by 1 pp
        // (1 / 7 = 14.3 %), B's collection rate by 1.5 pp (1.5 %): line loss first.
        let got: Vec<(&str, &str)> = b.iter().map(|x| (x.unit_id.as_str(), x.indicator)).collect();
        assert_eq!(
            got,
            [
                ("C", "line_loss_rate"),
                ("C", "collection_rate"),
                ("B", "collection_rate")
            ]
        );
        assert!((b[0].gap - 1.0).abs() < 1e-12 && (b[1].gap - 3.5).abs() < 1e-12);
        assert_eq!(b[1].status, Status::Amber);
    }

    #[test]
    fn a_provisional_value_neither_ranks_nor_misses() {
        // A's collection rate of 90 % is provisional (its payments are still coming in):
        // it has no status and takes no part in the composite; B's 99.9 % is final.
        let mut a = card("collection_rate", 90.0, Some(99.5), None);
        a.provisional = Some(crate::metrics::kpi::Provisional {
            closes_on: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            data_until: None,
        });
        let b = card("collection_rate", 99.9, Some(99.5), Some(Status::Green));
        let r = rank(vec![("A".into(), vec![a]), ("B".into(), vec![b])]);
        assert_eq!((r[0].unit_id.as_str(), r[0].composite), ("B", Some(100.0)));
        assert_eq!((r[1].unit_id.as_str(), r[1].composite), ("A", None));
        assert!(breaches(&r).is_empty());
    }
}
