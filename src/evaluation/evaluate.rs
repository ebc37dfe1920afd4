//! Scores, grades and ranks of units under an index system, from the values of its
//! indicators: efficacy coefficient per indicator, weighted sums per dimension and in
//! total, points off for confirmed audit problems, the grade, and TOPSIS closeness beside
//! it. Pure arithmetic: the values come from the project (metrics::evaluate).

use serde::Serialize;

use super::scoring::{efficacy, topsis};
use super::system::{Direction, IndexSystem, NoneRule, Objective, SystemIndicator, Weighting, WhenNone};
use super::weights::{DataMatrix, combine, critic, entropy};
use crate::text::Text;

/// The value of one indicator in one unit for the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Number(f64),
    /// Nothing to count (no connection completed, no rectification due): scored by the
    /// system's `none_scores` if it gives one.
    NothingToCount,
    /// No value, and why.
    Missing(Text),
}

/// A unit's values, in the order of `IndexSystem::indicators`, and its confirmed audit
/// problems of the period by severity (1, 2, 3).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitInput {
    pub unit: String,
    pub values: Vec<Value>,
    pub confirmed: [u64; 3],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorScore {
    pub value: Option<f64>,
    pub score: Option<f64>,
    /// The value is worse than the floor (an improvement item is due).
    pub below_floor: bool,
    /// Why there is no score.
    pub missing: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitResult {
    pub unit: String,
    pub indicators: Vec<IndicatorScore>,
    /// Per dimension, 0..100.
    pub dimensions: Vec<Option<f64>>,
    /// Points taken off for confirmed audit problems.
    pub deduction: f64,
    pub total: Option<f64>,
    pub grade: Option<String>,
    /// 1 = best; units with the same total share a rank.
    pub rank: Option<usize>,
    /// TOPSIS closeness (0..1) over the scored units with the same weights.
    pub topsis: Option<f64>,
    /// Why the unit has no total ("indicator: why"); empty when it has one.
    pub unscored: Vec<Text>,
    /// What raises an improvement item: the grade, and each indicator below its floor.
    pub improvement: Vec<Text>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Every indicator's share of the total, in the order of `IndexSystem::indicators`.
    pub weights: Vec<f64>,
    /// The weight sets to compare (expert, entropy, CRITIC), each over the same indicators;
    /// the objective ones need at least two fully scored units.
    pub weight_sets: Vec<(String, Vec<f64>)>,
    pub units: Vec<UnitResult>,
    /// Said once for the whole evaluation (weights that fell back, inconsistent AHP).
    pub warnings: Vec<Text>,
}

/// Evaluates `units` under `system` (its weights already checked).
pub fn evaluate(system: &IndexSystem, units: &[UnitInput]) -> Evaluation {
    let list = system.indicators();
    let mut warnings = system.inconsistencies();
    let expert: Vec<f64> = list
        .iter()
        .map(|(d, i)| system.dimensions[*d].weight * i.weight)
        .collect();
    // Units with a number for every indicator: the data of the objective weights.
    let complete: Vec<Vec<f64>> = units.iter().filter_map(|u| numbers(&list, u)).collect();
    let data = DataMatrix {
        values: complete,
        lower_better: list
            .iter()
            .map(|(_, i)| i.direction == Direction::Lower)
            .collect(),
    };
    let from_data = |method: Objective| match method {
        Objective::Entropy => entropy(&data).ok().map(|w| w.weights),
        Objective::Critic => critic(&data).ok().map(|w| w.weights),
    };
    let (entropy_w, critic_w) = (from_data(Objective::Entropy), from_data(Objective::Critic));
    let mut weight_sets = vec![("expert".to_string(), expert.clone())];
    if let Some(w) = &entropy_w {
        weight_sets.push(("entropy".into(), w.clone()));
    }
    if let Some(w) = &critic_w {
        weight_sets.push(("critic".into(), w.clone()));
    }
    let objective = |o: Objective| match o {
        Objective::Entropy => entropy_w.clone(),
        Objective::Critic => critic_w.clone(),
    };
    let chosen = match system.weighting {
        Weighting::Expert => Some(expert.clone()),
        Weighting::Entropy => objective(Objective::Entropy),
        Weighting::Critic => objective(Objective::Critic),
        Weighting::Blend { alpha, with } => objective(with).map(|o| combine(&expert, &o, alpha)),
    };
    let weights = chosen.unwrap_or_else(|| {
        warnings.push(crate::say!(
            "weights from the data need at least two units with every indicator ({} here): the system's own weights are used",
            "由数据求权重至少需要两个各项指标齐全的单位（此处 {} 个）：改用指标体系自带的权重",
            data.values.len()
        ));
        expert.clone()
    });
    if !matches!(system.weighting, Weighting::Expert) {
        weight_sets.push(("used".into(), weights.clone()));
    }

    let mut results: Vec<UnitResult> = units
        .iter()
        .map(|u| score_unit(system, &list, &weights, u))
        .collect();
    rank(&mut results);
    closeness(&list, &weights, units, &mut results);
    Evaluation {
        weights,
        weight_sets,
        units: results,
        warnings,
    }
}

/// A unit's values as numbers, when every indicator has one; nothing to count with a
/// score for it stands for the value that scores that much.
fn numbers(list: &[(usize, &SystemIndicator)], u: &UnitInput) -> Option<Vec<f64>> {
    list.iter()
        .zip(&u.values)
        .map(|((_, ind), v)| match (v, ind.none_scores) {
            (Value::Number(x), _) => Some(*x),
            (Value::NothingToCount, Some(WhenNone::Score(s))) => {
                Some(ind.floor + (s - 60.0) / 40.0 * (ind.target - ind.floor))
            }
            _ => None,
        })
        .collect()
}

fn score_unit(
    system: &IndexSystem,
    list: &[(usize, &SystemIndicator)],
    weights: &[f64],
    u: &UnitInput,
) -> UnitResult {
    let mut unscored = Vec::new();
    let mut improvement = Vec::new();
    let indicators: Vec<IndicatorScore> = list
        .iter()
        .zip(&u.values)
        .map(|((_, ind), v)| {
            let (value, score, missing) = match v {
                Value::Number(x) => match efficacy(*x, ind.floor, ind.target) {
                    Some(s) => (Some(*x), Some(s), None),
                    None => (
                        Some(*x),
                        None,
                        Some(crate::say!("floor equals target", "底线值等于目标值")),
                    ),
                },
                Value::NothingToCount => match ind.none_scores {
                    Some(WhenNone::Score(s)) => (None, Some(s), None),
                    Some(WhenNone::Rule(NoneRule::Reweight)) => (None, None, None),
                    None => (
                        None,
                        None,
                        Some(crate::say!(
                            "nothing to count in the period",
                            "本期无可统计的事项"
                        )),
                    ),
                },
                Value::Missing(why) => (None, None, Some(why.clone())),
            };
            if let Some(why) = &missing {
                unscored.push(Text {
                    en: format!("{}: {}", ind.indicator, why.en),
                    zh: format!("{}：{}", ind.indicator, why.zh),
                });
            }
            let below_floor = value.is_some_and(|x| match ind.direction {
                Direction::Higher => x < ind.floor,
                Direction::Lower => x > ind.floor,
            });
            if below_floor {
                improvement.push(crate::say!("{} below its floor", "{} 低于底线值", ind.indicator));
            }
            IndicatorScore {
                value,
                score,
                below_floor,
                missing,
            }
        })
        .collect();
    let dimensions: Vec<Option<f64>> = (0..system.dimensions.len())
        .map(|d| {
            let mut sum = 0.0;
            let mut weight = 0.0;
            for (k, (dim, _)) in list.iter().enumerate() {
                if *dim != d {
                    continue;
                }
                match (indicators[k].score, &indicators[k].missing) {
                    (Some(s), _) => {
                        sum += weights[k] * s;
                        weight += weights[k];
                    }
                    (None, Some(_)) => return None,
                    (None, None) => {} // left out: its weight goes to the others
                }
            }
            (weight > 0.0).then(|| sum / weight)
        })
        .collect();
    let deduction = system.deductions.as_ref().map_or(0.0, |d| {
        let points: f64 = d
            .per_severity
            .iter()
            .zip(u.confirmed)
            .map(|(p, n)| p * n as f64)
            .sum();
        points.min(d.cap)
    });
    // An indicator left out (nothing to count, reweighted) shares its weight with the
    // others of its dimension in proportion (the dimension score above), and a dimension
    // left out altogether with the other dimensions.
    let (sum, weight) = dimensions
        .iter()
        .enumerate()
        .filter_map(|(d, score)| {
            let w: f64 = list
                .iter()
                .zip(weights)
                .filter(|((dim, _), _)| *dim == d)
                .map(|(_, w)| w)
                .sum();
            Some((w * (*score)?, w))
        })
        .fold((0.0, 0.0), |(a, b), (x, w)| (a + x, b + w));
    let total = (unscored.is_empty() && weight > 0.0).then(|| (sum / weight - deduction).max(0.0));
    let grade = total.and_then(|t| system.grade(t)).map(|g| g.grade.clone());
    if let Some(g) = &grade
        && system.improve_at.contains(g)
    {
        improvement.insert(0, crate::say!("grade {g}", "评级 {g}"));
    }
    UnitResult {
        unit: u.unit.clone(),
        indicators,
        dimensions,
        deduction,
        total,
        grade,
        rank: None,
        topsis: None,
        unscored,
        improvement,
    }
}

/// Ranks by total, best first; totals within 1e-9 share a rank (1, 2, 2, 4).
fn rank(results: &mut [UnitResult]) {
    let mut order: Vec<(usize, f64)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.total?)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut last: Option<(f64, usize)> = None;
    for (place, (i, total)) in order.into_iter().enumerate() {
        let r = match last {
            Some((t, r)) if (t - total).abs() < 1e-9 => r,
            _ => place + 1,
        };
        results[i].rank = Some(r);
        last = Some((total, r));
    }
}

/// TOPSIS closeness of the scored units with a number for every indicator, on the raw
/// values, with the same weights.
fn closeness(
    list: &[(usize, &SystemIndicator)],
    weights: &[f64],
    units: &[UnitInput],
    results: &mut [UnitResult],
) {
    let rows: Vec<(usize, Vec<f64>)> = units
        .iter()
        .enumerate()
        .filter(|(i, _)| results[*i].total.is_some())
        .filter_map(|(i, u)| Some((i, numbers(list, u)?)))
        .collect();
    let data = DataMatrix {
        values: rows.iter().map(|(_, v)| v.clone()).collect(),
        lower_better: list
            .iter()
            .map(|(_, i)| i.direction == Direction::Lower)
            .collect(),
    };
    if let Ok(c) = topsis(&data, weights) {
        for ((i, _), c) in rows.iter().zip(c) {
            results[*i].topsis = Some(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::system::{Deductions, Dimension, Grade, SystemIndicator};

    /// Written by hand: two dimensions, three indicators.
    fn system() -> IndexSystem {
        let ind = |id: &str, direction, floor, target, weight| {
            SystemIndicator::new(id, direction, floor, target, weight)
        };
        let grade = |g: &str, min| Grade {
            grade: g.into(),
            min,
            en: String::new(),
            zh: String::new(),
        };
        IndexSystem {
            name: "t".into(),
            year: 2025,
            name_en: String::new(),
            name_zh: String::new(),
            grades: vec![
                grade("A", 90.0),
                grade("B", 80.0),
                grade("C", 60.0),
                grade("D", 0.0),
            ],
            improve_at: vec!["C".into(), "D".into()],
            weighting: Weighting::Expert,
            ahp: None,
            deductions: Some(Deductions {
                per_severity: [0.0, 1.0, 2.0],
                cap: 3.0,
            }),
            dimensions: vec![
                Dimension {
                    id: "money".into(),
                    name_en: String::new(),
                    name_zh: String::new(),
                    weight: 0.6,
                    ahp: None,
                    indicators: vec![ind("collection_rate", Direction::Higher, 98.0, 100.0, 1.0)],
                },
                Dimension {
                    id: "service".into(),
                    name_en: String::new(),
                    name_zh: String::new(),
                    weight: 0.4,
                    ahp: None,
                    indicators: vec![
                        ind("repair_arrival", Direction::Lower, 60.0, 45.0, 0.5),
                        ind("satisfaction", Direction::Higher, 90.0, 98.0, 0.5),
                    ],
                },
            ],
        }
    }

    fn unit(id: &str, values: [f64; 3], confirmed: [u64; 3]) -> UnitInput {
        UnitInput {
            unit: id.into(),
            values: values.iter().map(|v| Value::Number(*v)).collect(),
            confirmed,
        }
    }

    #[test]
    fn totals_grades_and_ranks_worked_by_hand() {
        let s = system();
        let e = evaluate(
            &s,
            &[
                // 99 % -> 80; 50 min -> 86.667; 98 % -> 100. Service 93.333.
                // Total 0.6 x 80 + 0.4 x 93.333 = 85.333; one severity-3 problem: -2.
                unit("A", [99.0, 50.0, 98.0], [0, 0, 1]),
                // 100 % -> 100; 45 min -> 100; 94 % -> 80. Service 90. Total 96; five
                // severity-2 problems: 5 points, capped at 3 -> 93.
                unit("B", [100.0, 45.0, 94.0], [0, 5, 0]),
                // 97 % -> 40 (below the floor); 60 -> 60; 90 -> 60. Total 0.6 x 40 + 0.4 x 60 = 48.
                unit("C", [97.0, 60.0, 90.0], [3, 0, 0]),
            ],
        );
        let a = &e.units[0];
        assert!((a.dimensions[1].unwrap() - 93.333_333).abs() < 1e-5);
        assert!((a.total.unwrap() - 83.333_333).abs() < 1e-5, "{:?}", a.total);
        assert_eq!((a.grade.as_deref(), a.rank), (Some("B"), Some(2)));
        let b = &e.units[1];
        assert!((b.total.unwrap() - 93.0).abs() < 1e-9);
        assert_eq!(
            (b.grade.as_deref(), b.rank, b.deduction),
            (Some("A"), Some(1), 3.0)
        );
        let c = &e.units[2];
        assert!((c.total.unwrap() - 48.0).abs() < 1e-9);
        assert_eq!((c.grade.as_deref(), c.rank), (Some("D"), Some(3)));
        let why: Vec<&str> = c.improvement.iter().map(|t| t.en.as_str()).collect();
        assert_eq!(why, ["grade D", "collection_rate below its floor"]);
        assert!(c.indicators[0].below_floor && !c.indicators[1].below_floor);
        // B is best on two of the three raw values, C worst on all: TOPSIS agrees on the order.
        assert!(b.topsis.unwrap() > a.topsis.unwrap() && a.topsis.unwrap() > c.topsis.unwrap());
        assert!(e.warnings.is_empty());
    }

    #[test]
    fn a_unit_without_a_value_is_unscored_with_the_reason_never_nan() {
        let s = system();
        let mut u = unit("X", [99.0, 50.0, 98.0], [0, 0, 0]);
        u.values[1] = Value::Missing(crate::say!("no repairs in 2025Q2", "2025Q2 无抢修"));
        let e = evaluate(&s, &[u, unit("Y", [99.0, 50.0, 98.0], [0, 0, 0])]);
        let x = &e.units[0];
        assert_eq!((x.total, x.grade.as_deref(), x.rank), (None, None, None));
        assert_eq!(x.unscored[0].en, "repair_arrival: no repairs in 2025Q2");
        assert_eq!(x.unscored[0].zh, "repair_arrival：2025Q2 无抢修");
        assert_eq!(x.dimensions[1], None);
        assert_eq!(x.dimensions[0], Some(80.0));
        assert_eq!(e.units[1].rank, Some(1));
        // Objective weights need two complete units: with one, the expert ones are used.
        let mut s = system();
        s.weighting = Weighting::Entropy;
        let mut u = unit("X", [99.0, 50.0, 98.0], [0, 0, 0]);
        u.values[0] = Value::NothingToCount;
        let e = evaluate(&s, &[u, unit("Y", [99.0, 50.0, 98.0], [0, 0, 0])]);
        assert_eq!(e.weights, vec![0.6, 0.2, 0.2]);
        assert!(
            e.warnings[0].en.contains("at least two units"),
            "{:?}",
            e.warnings
        );
        assert_eq!(
            e.units[0].unscored[0].en,
            "collection_rate: nothing to count in the period"
        );
    }

    #[test]
    fn nothing_to_count_takes_the_systems_score_for_it() {
        let mut s = system();
        s.dimensions[0].indicators[0].none_scores = Some(WhenNone::Score(100.0));
        let mut u = unit("X", [0.0, 45.0, 98.0], [0, 0, 0]);
        u.values[0] = Value::NothingToCount;
        let e = evaluate(&s, &[u]);
        assert_eq!(e.units[0].total, Some(100.0));
        assert_eq!(e.units[0].indicators[0].value, None);
    }

    #[test]
    fn reweight_leaves_the_indicator_out_and_shares_its_weight() {
        // Worked by hand: no repairs in the unit; satisfaction 98 % scores 100 and carries
        // the whole service dimension; total 0.6 x 80 + 0.4 x 100 = 88.
        let mut s = system();
        s.dimensions[1].indicators[0].none_scores = Some(WhenNone::Rule(NoneRule::Reweight));
        let mut u = unit("X", [99.0, 0.0, 98.0], [0, 0, 0]);
        u.values[1] = Value::NothingToCount;
        let e = evaluate(&s, &[u]);
        let x = &e.units[0];
        assert!(x.unscored.is_empty(), "{:?}", x.unscored);
        assert_eq!(x.dimensions[1], Some(100.0));
        assert!((x.total.unwrap() - 88.0).abs() < 1e-9, "{:?}", x.total);
        // Missing data is never reweighted.
        let mut u = unit("X", [99.0, 0.0, 98.0], [0, 0, 0]);
        u.values[1] = Value::Missing(crate::say!("no data", "无数据"));
        assert_eq!(evaluate(&s, &[u]).units[0].total, None);
    }

    #[test]
    fn entropy_weighting_matches_an_independent_computation() {
        // Independent entropy weights (DOMAIN section 5) of the three units' values after
        // min-max scaling with direction, computed here without the library.
        let mut s = system();
        s.weighting = Weighting::Entropy;
        let rows = [[99.0, 50.0, 98.0], [100.0, 45.0, 94.0], [97.0, 60.0, 90.0]];
        let inputs: Vec<UnitInput> = rows.iter().map(|r| unit("u", *r, [0; 3])).collect();
        let e = evaluate(&s, &inputs);
        let lower = [false, true, false];
        let mut d = Vec::new();
        for j in 0..3 {
            let col: Vec<f64> = rows.iter().map(|r| r[j]).collect();
            let lo = col.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = col.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let z: Vec<f64> = col
                .iter()
                .map(|v| {
                    if lower[j] {
                        (hi - v) / (hi - lo)
                    } else {
                        (v - lo) / (hi - lo)
                    }
                })
                .collect();
            let sum: f64 = z.iter().sum();
            let ent: f64 = -z
                .iter()
                .map(|v| v / sum)
                .filter(|p| *p > 0.0)
                .map(|p| p * p.ln())
                .sum::<f64>()
                / 3f64.ln();
            d.push(1.0 - ent);
        }
        let total: f64 = d.iter().sum();
        for j in 0..3 {
            assert!(
                (e.weights[j] - d[j] / total).abs() < 1e-12,
                "{:?} {d:?}",
                e.weights
            );
        }
        assert_eq!(
            e.weight_sets.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["expert", "entropy", "critic", "used"]
        );
    }
}
