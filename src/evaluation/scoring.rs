//! Scores of units on indicators: the efficacy coefficient, min-max, and TOPSIS closeness.
//! Formulas and sources: docs/evaluation.md.

use super::weights::{DataError, DataMatrix};

/// The efficacy coefficient score of `x`: 60 at the floor, 100 at the target, in proportion
/// between and beyond, clipped to 0..100. A smaller-is-better indicator has its floor above
/// its target. None when floor and target are the same (no scale to measure on).
pub fn efficacy(x: f64, floor: f64, target: f64) -> Option<f64> {
    if !(x.is_finite() && floor.is_finite() && target.is_finite()) || floor == target {
        return None;
    }
    Some((60.0 + 40.0 * (x - floor) / (target - floor)).clamp(0.0, 100.0))
}

/// 0..100 by where `x` lies between the worst and the best unit (`lower_better` turns it).
pub fn min_max(x: f64, lo: f64, hi: f64, lower_better: bool) -> Option<f64> {
    if !(x.is_finite() && lo.is_finite() && hi.is_finite()) || hi <= lo {
        return None;
    }
    let share = if lower_better {
        (hi - x) / (hi - lo)
    } else {
        (x - lo) / (hi - lo)
    };
    Some(100.0 * share.clamp(0.0, 1.0))
}

/// TOPSIS (Hwang and Yoon 1981): each column divided by its Euclidean norm and weighted;
/// the ideal takes each column's best value, the anti-ideal its worst; a unit's closeness
/// is d- / (d+ + d-), its distance to the anti-ideal over the sum of both (1: the ideal).
pub fn topsis(data: &DataMatrix, weights: &[f64]) -> Result<Vec<f64>, DataError> {
    let (_, n) = data.check()?;
    if weights.len() != n {
        return Err(DataError::Weights {
            got: weights.len(),
            want: n,
        });
    }
    let norm: Vec<f64> = (0..n)
        .map(|j| data.values.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt())
        .collect();
    let v: Vec<Vec<f64>> = data
        .values
        .iter()
        .map(|r| {
            (0..n)
                .map(|j| {
                    if norm[j] > 0.0 {
                        weights[j] * r[j] / norm[j]
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let best_worst: Vec<(f64, f64)> = (0..n)
        .map(|j| {
            let (lo, hi) = v.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), r| {
                (a.min(r[j]), b.max(r[j]))
            });
            if data.lower_better[j] { (lo, hi) } else { (hi, lo) }
        })
        .collect();
    Ok(v.iter()
        .map(|r| {
            let dist = |pick: fn(&(f64, f64)) -> f64| {
                r.iter()
                    .zip(&best_worst)
                    .map(|(x, bw)| (x - pick(bw)).powi(2))
                    .sum::<f64>()
                    .sqrt()
            };
            let (to_best, to_worst) = (dist(|bw| bw.0), dist(|bw| bw.1));
            if to_best + to_worst > 0.0 {
                to_worst / (to_best + to_worst)
            } else {
                1.0
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn efficacy_worked_by_hand() {
        // Collection rate, floor 98 %, target 100 %: 99 % is halfway, 80 points.
        assert_eq!(efficacy(99.0, 98.0, 100.0), Some(80.0));
        assert_eq!(efficacy(100.0, 98.0, 100.0), Some(100.0));
        assert_eq!(efficacy(101.0, 98.0, 100.0), Some(100.0), "clipped above");
        assert_eq!(efficacy(80.0, 98.0, 100.0), Some(0.0), "clipped below");
        // Repair arrival (smaller is better), floor 60 min, target 45 min: 50 min scores
        // 60 + 40 * (50 - 60) / (45 - 60) = 86.67.
        assert!((efficacy(50.0, 60.0, 45.0).unwrap() - 86.666_666).abs() < 1e-5);
        assert_eq!(efficacy(50.0, 45.0, 45.0), None);
        assert_eq!(min_max(5.0, 0.0, 10.0, true), Some(50.0));
        assert_eq!(min_max(2.0, 0.0, 10.0, false), Some(20.0));
    }

    #[test]
    fn topsis_worked_by_hand() {
        // Two units, two equally weighted indicators: each is best on one. Norms are
        // sqrt(1 + 9) for both columns, so the units mirror each other: closeness 0.5 each.
        let d = DataMatrix {
            values: vec![vec![1.0, 3.0], vec![3.0, 1.0]],
            lower_better: vec![false, false],
        };
        let c = topsis(&d, &[0.5, 0.5]).unwrap();
        assert!((c[0] - 0.5).abs() < 1e-12 && (c[1] - 0.5).abs() < 1e-12, "{c:?}");
        // A unit best on every indicator is the ideal (1); worst on every one, 0. The one
        // between (2, 2): v = 0.5 * 2 / sqrt(14) = 0.267261 on both; the ideal 0.400892,
        // the anti-ideal 0.133631; both distances sqrt(2) * 0.133631, closeness 0.5.
        let d = DataMatrix {
            values: vec![vec![3.0, 3.0], vec![2.0, 2.0], vec![1.0, 1.0]],
            lower_better: vec![false, false],
        };
        let c = topsis(&d, &[0.5, 0.5]).unwrap();
        assert!(
            (c[0] - 1.0).abs() < 1e-12 && c[2].abs() < 1e-12 && (c[1] - 0.5).abs() < 1e-12,
            "{c:?}"
        );
        // Lower is better on the second indicator: the order turns.
        let d = DataMatrix {
            values: vec![vec![3.0, 3.0], vec![3.0, 1.0]],
            lower_better: vec![false, true],
        };
        let c = topsis(&d, &[0.5, 0.5]).unwrap();
        assert!(c[1] > c[0], "{c:?}");
        assert_eq!(topsis(&d, &[1.0]), Err(DataError::Weights { got: 1, want: 2 }));
    }
}
