//! Benchmarking of units against the best of their peers: per indicator of an index system
//! and in total, the best unit of each peer group and the group's top quartile, the gap of
//! every unit to both, the contribution of each indicator to the gap in total score, and
//! the gap read as a sentence. Peer groups are the project's own (`peer_groups`) or, by
//! default, the evaluated units split into bands of customer count.

use serde::Serialize;

use super::evaluate::ProjectEvaluation;
use crate::evaluation::system::Direction;
use crate::text::Text;

/// A set of comparable units.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PeerGroup {
    pub name: Text,
    /// Indexes into the evaluation's units.
    pub members: Vec<usize>,
}

/// The default peer groups of an evaluation's units (all of one level): three bands of
/// customer count by tertile, or one group when there are fewer than six units.
pub fn default_groups(ev: &ProjectEvaluation) -> Vec<PeerGroup> {
    let n = ev.units.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| ev.units[*a].customers.total_cmp(&ev.units[*b].customers));
    if n < 6 {
        return vec![PeerGroup {
            name: crate::say!("all {n} units", "全部 {n} 个单位"),
            members: order,
        }];
    }
    let (small, rest) = order.split_at(n / 3);
    let (middle, large) = rest.split_at(n / 3 + usize::from(n % 3 == 2));
    [small, middle, large]
        .into_iter()
        .map(|band| {
            let lo = ev.units[band[0]].customers;
            let hi = ev.units[*band.last().expect("a band is not empty")].customers;
            let (lo, hi) = (thousands(lo), thousands(hi));
            PeerGroup {
                name: crate::say!("{lo} to {hi} customers", "{lo} 至 {hi} 户"),
                members: band.to_vec(),
            }
        })
        .collect()
}

/// A project's own group, by unit ids; the ids not in the evaluation are left out.
pub fn own_group(ev: &ProjectEvaluation, name: &str, units: &[String]) -> PeerGroup {
    PeerGroup {
        name: Text {
            en: name.to_string(),
            zh: name.to_string(),
        },
        members: (0..ev.units.len())
            .filter(|i| units.contains(&ev.units[*i].unit_id))
            .collect(),
    }
}

fn thousands(x: f64) -> String {
    crate::metrics::format::group_digits(x.max(0.0).round() as u64)
}

/// One unit on one indicator against its group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gap {
    pub value: Option<f64>,
    pub best: Option<f64>,
    /// Index of the best unit in the evaluation.
    pub best_unit: Option<usize>,
    /// The value a unit needs to be in the group's best quarter.
    pub top_quartile: Option<f64>,
    /// best - value (signed: what the value must change by to equal the best).
    pub to_best: Option<f64>,
    pub to_top_quartile: Option<f64>,
    /// Points of total score the indicator's shortfall costs against the best unit in total:
    /// weight x (the best-in-total unit's score - this unit's score).
    pub points_to_leader: Option<f64>,
}

/// A unit against its group.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitBenchmark {
    pub unit: usize,
    /// Per indicator of the system, in its order.
    pub gaps: Vec<Gap>,
    pub total: Option<f64>,
    /// The best total of the group and whose it is.
    pub leader: Option<usize>,
    pub leader_total: Option<f64>,
    pub top_quartile_total: Option<f64>,
    /// The gap to the leader's total read as a sentence.
    pub sentence: Option<Text>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupBenchmark {
    pub group: PeerGroup,
    pub units: Vec<UnitBenchmark>,
}

/// The value at fraction `q` (0..1) of `sorted` (ascending), linearly between ranks (the
/// "type 7" quantile of R and NumPy's default).
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Benchmarks every unit of `group` in `ev`.
pub fn benchmark(ev: &ProjectEvaluation, group: &PeerGroup) -> GroupBenchmark {
    let list = ev.system.indicators();
    let weights = &ev.evaluation.weights;
    let results = &ev.evaluation.units;
    // The leader: the best total of the group.
    let leader = group
        .members
        .iter()
        .filter_map(|i| Some((*i, results[*i].total?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let mut totals: Vec<f64> = group.members.iter().filter_map(|i| results[*i].total).collect();
    totals.sort_by(f64::total_cmp);
    let top_quartile_total = quantile(&totals, 0.75);
    // Per indicator: the best (unit, value) and the top quartile's value.
    type Best = (Option<(usize, f64)>, Option<f64>);
    let per_indicator: Vec<Best> = list
        .iter()
        .enumerate()
        .map(|(k, (_, ind))| {
            let lower = ind.direction == Direction::Lower;
            let have: Vec<(usize, f64)> = group
                .members
                .iter()
                .filter_map(|i| Some((*i, results[*i].indicators[k].value?)))
                .collect();
            let best = have.iter().copied().reduce(|a, b| {
                let better = if lower { b.1 < a.1 } else { b.1 > a.1 };
                if better { b } else { a }
            });
            let mut sorted: Vec<f64> = have.iter().map(|(_, v)| *v).collect();
            sorted.sort_by(f64::total_cmp);
            // The best quarter: above the 75th percentile, or below the 25th when lower is better.
            let q = quantile(&sorted, if lower { 0.25 } else { 0.75 });
            (best, q)
        })
        .collect();
    let units = group
        .members
        .iter()
        .map(|&u| {
            let gaps: Vec<Gap> = per_indicator
                .iter()
                .enumerate()
                .map(|(k, (best, q))| {
                    let value = results[u].indicators[k].value;
                    let points = leader.and_then(|(l, _)| {
                        Some(weights[k] * (results[l].indicators[k].score? - results[u].indicators[k].score?))
                    });
                    Gap {
                        value,
                        best: best.map(|b| b.1),
                        best_unit: best.map(|b| b.0),
                        top_quartile: *q,
                        to_best: value.zip(best.map(|b| b.1)).map(|(v, b)| b - v),
                        to_top_quartile: value.zip(*q).map(|(v, q)| q - v),
                        points_to_leader: points,
                    }
                })
                .collect();
            let sentence = leader
                .filter(|(l, _)| *l != u && results[u].total.is_some())
                .map(|(l, _)| sentence(ev, u, l, &gaps));
            UnitBenchmark {
                unit: u,
                gaps,
                total: results[u].total,
                leader: leader.map(|l| l.0),
                leader_total: leader.map(|l| l.1),
                top_quartile_total,
                sentence,
            }
        })
        .collect();
    GroupBenchmark {
        group: group.clone(),
        units,
    }
}

/// "To reach Qingxi (97.70), Huasha needs +0.21 pp collection rate, -6.0 min repair arrival
/// time and -0.5 complaints per 10k customers": the indicators where the unit is behind the
/// leader, those costing most points first (at most four).
fn sentence(ev: &ProjectEvaluation, unit: usize, leader: usize, gaps: &[Gap]) -> Text {
    let list = ev.system.indicators();
    let results = &ev.evaluation.units;
    let mut behind: Vec<(usize, f64, f64)> = list
        .iter()
        .enumerate()
        .filter_map(|(k, (_, ind))| {
            let (v, l) = (
                results[unit].indicators[k].value?,
                results[leader].indicators[k].value?,
            );
            let worse = match ind.direction {
                Direction::Higher => v < l,
                Direction::Lower => v > l,
            };
            worse.then_some((k, l - v, gaps[k].points_to_leader.unwrap_or(0.0)))
        })
        .collect();
    behind.sort_by(|a, b| b.2.total_cmp(&a.2));
    behind.truncate(4);
    let part = |zh: bool| -> Vec<String> {
        behind
            .iter()
            .map(|(k, change, _)| {
                let id = &list[*k].1.indicator;
                let (name, unit) = ev.label(id, zh);
                let decimals = super::evaluate::indicator_decimals(id);
                if zh {
                    let unit = if unit == "%" {
                        "个百分点".to_string()
                    } else {
                        unit
                    };
                    let way = if *change >= 0.0 { "提高" } else { "降低" };
                    return format!("{name}{way}{:.decimals$}{unit}", change.abs());
                }
                // Lower case inside a sentence, but not an acronym (SAIDI).
                let name = match name.chars().nth(1) {
                    Some(c) if c.is_lowercase() => name[..1].to_lowercase() + &name[1..],
                    _ => name,
                };
                // "-11.05 complaints per 10,000 customers": a unit "per ..." is in the name.
                match unit.as_str() {
                    "%" => format!("{change:+.decimals$} pp {name}"),
                    u if u.starts_with("per ") || u.is_empty() => format!("{change:+.decimals$} {name}"),
                    u => format!("{change:+.decimals$} {u} {name}"),
                }
            })
            .collect()
    };
    let (u, l) = (&ev.units[unit], &ev.units[leader]);
    let lead_total = results[leader].total.unwrap_or(0.0);
    if behind.is_empty() {
        return crate::say!(
            "{} is behind {} ({lead_total:.2}) only by points taken off for audit problems",
            "{} 落后于 {}（{lead_total:.2}）仅因审计问题扣分",
            u.name_en,
            l.name_en
        );
    }
    Text {
        en: format!(
            "To reach {} ({lead_total:.2}), {} needs {}",
            l.name_en,
            u.name_en,
            join_en(&part(false))
        ),
        zh: format!(
            "{}要达到{}（{lead_total:.2}分）的水平，需要{}",
            u.name_zh,
            l.name_zh,
            part(true).join("、")
        ),
    }
}

fn join_en(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The contribution of each indicator to the gap between a unit's total and the leader's:
/// weight x score difference per indicator (the waterfall), and the difference of their
/// deductions; with no indicator left out, the parts add up to the gap.
pub fn waterfall(ev: &ProjectEvaluation, unit: usize, leader: usize) -> Vec<(String, f64)> {
    let list = ev.system.indicators();
    let r = &ev.evaluation.units;
    let mut out: Vec<(String, f64)> = list
        .iter()
        .enumerate()
        .filter_map(|(k, (_, ind))| {
            let d =
                ev.evaluation.weights[k] * (r[leader].indicators[k].score? - r[unit].indicators[k].score?);
            Some((ind.indicator.clone(), d))
        })
        .collect();
    out.push(("deduction".into(), r[unit].deduction - r[leader].deduction));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::evaluate::{UnitInput, Value, evaluate};
    use crate::evaluation::system::{DEFAULT_JSON, IndexSystem};
    use crate::metrics::evaluate::UnitInfo;
    use crate::metrics::period::Period;

    /// Four cities written by hand, under a system of two indicators.
    fn evaluation() -> ProjectEvaluation {
        let mut system: IndexSystem = serde_json::from_str(DEFAULT_JSON).unwrap();
        system.dimensions.truncate(2);
        system.dimensions[0].weight = 0.5;
        system.dimensions[1].weight = 0.5;
        system.dimensions[0].indicators = vec![system.dimensions[1].indicators[0].clone()];
        system.dimensions[0].indicators[0].weight = 1.0; // repair_arrival, 60 -> 45 min
        let mut collection: IndexSystem = serde_json::from_str(DEFAULT_JSON).unwrap();
        system.dimensions[1].indicators = collection.dimensions.remove(3).indicators; // collection_rate 98 -> 100
        system.deductions = None;
        let rows = [
            ("A", 50.0, 99.0),
            ("B", 45.0, 99.5),
            ("C", 58.0, 98.5),
            ("D", 55.0, 100.0),
        ];
        let inputs: Vec<UnitInput> = rows
            .iter()
            .map(|(u, a, c)| UnitInput {
                unit: u.to_string(),
                values: vec![Value::Number(*a), Value::Number(*c)],
                confirmed: [0; 3],
            })
            .collect();
        let evaluation = evaluate(&system, &inputs);
        ProjectEvaluation {
            system,
            period: Period::parse("2025Q2").unwrap(),
            scope: "P".into(),
            scope_values: vec![None, None],
            units: rows
                .iter()
                .map(|(u, ..)| UnitInfo {
                    unit_id: u.to_string(),
                    name_en: format!("City {u}"),
                    name_zh: format!("{u}市"),
                    level: "city".into(),
                    customers: 1000.0,
                })
                .collect(),
            evaluation,
            fingerprint: String::new(),
            notes: vec![],
        }
    }

    #[test]
    fn gaps_to_the_best_and_the_top_quartile_worked_by_hand() {
        let ev = evaluation();
        // Scores: A 86.67, 80 -> 83.33; B 100, 90 -> 95; C 65.33, 70 -> 67.67; D 73.33, 100 -> 86.67.
        let groups = default_groups(&ev);
        assert_eq!(groups.len(), 1, "four units make one group");
        let b = benchmark(&ev, &groups[0]);
        let a = b.units.iter().find(|u| u.unit == 0).unwrap();
        assert_eq!(a.leader, Some(1));
        assert!((a.leader_total.unwrap() - 95.0).abs() < 1e-9);
        // Repair arrival, lower better: best B 45; top quartile = 25th percentile of
        // (45, 50, 55, 58) = 45 + 0.75 x 5 = 48.75. A needs -5 min to the best.
        assert_eq!(a.gaps[0].best, Some(45.0));
        assert_eq!(a.gaps[0].best_unit, Some(1));
        assert!((a.gaps[0].top_quartile.unwrap() - 48.75).abs() < 1e-9);
        assert_eq!(a.gaps[0].to_best, Some(-5.0));
        // Collection, higher better: best D 100; top quartile = 75th percentile of
        // (98.5, 99, 99.5, 100) = 99.5 + 0.25 x 0.5 = 99.625.
        assert_eq!(a.gaps[1].best_unit, Some(3));
        assert!((a.gaps[1].top_quartile.unwrap() - 99.625).abs() < 1e-9);
        // Against the leader B in total: 0.5 x (100 - 86.67) on repair, 0.5 x (90 - 80) on
        // collection; the parts add up to the gap of 11.67 points.
        let parts = waterfall(&ev, 0, 1);
        let sum: f64 = parts.iter().map(|(_, d)| d).sum();
        assert!((sum - (95.0 - 83.333_333_333)).abs() < 1e-6, "{parts:?}");
        assert!((parts[0].1 - 6.666_666_667).abs() < 1e-6 && (parts[1].1 - 5.0).abs() < 1e-9);
        let s = a.sentence.as_ref().unwrap();
        assert_eq!(
            s.en,
            "To reach City B (95.00), City A needs -5.0 min repair arrival time and +0.50 pp collection rate"
        );
        assert_eq!(
            s.zh,
            "A市要达到B市（95.00分）的水平，需要故障抢修平均到达时长降低5.0分钟、电费回收率提高0.50个百分点"
        );
        // The leader has no sentence; D, best on collection, is told only about repairs.
        assert!(b.units.iter().find(|u| u.unit == 1).unwrap().sentence.is_none());
        let d = b.units.iter().find(|u| u.unit == 3).unwrap();
        assert!(
            d.sentence
                .as_ref()
                .unwrap()
                .en
                .ends_with("needs -10.0 min repair arrival time")
        );
    }

    #[test]
    fn quantiles_as_r_type_7() {
        // R: quantile(c(1, 2, 3, 4), 0.75) = 3.25; quantile(c(10), 0.25) = 10.
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.75), Some(3.25));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.25), Some(1.75));
        assert_eq!(quantile(&[10.0], 0.25), Some(10.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(join_en(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }
}
