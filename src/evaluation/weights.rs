//! Objective weights of indicators from the data of a period: the entropy method and CRITIC,
//! and their blend with a subjective set (AHP or typed in). Formulas and sources:
//! docs/evaluation.md.

use serde::Serialize;

/// Units (rows) by indicators (columns), and whether lower values are better per column.
#[derive(Debug, Clone, PartialEq)]
pub struct DataMatrix {
    pub values: Vec<Vec<f64>>,
    pub lower_better: Vec<bool>,
}

/// Why weights cannot be worked out; rows count from 1 (the first unit), columns too.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("at least two units and one indicator are needed")]
    TooSmall,
    #[error("unit {row} has {got} values but there are {want} indicators")]
    Ragged { row: usize, got: usize, want: usize },
    #[error("unit {row}, indicator {col}: {value} is not a finite number")]
    NotFinite { row: usize, col: usize, value: f64 },
    #[error("{got} weights for {want} indicators")]
    Weights { got: usize, want: usize },
}

impl DataMatrix {
    /// (units, indicators) of a matrix fit to weigh or score.
    pub(super) fn check(&self) -> Result<(usize, usize), DataError> {
        let m = self.values.len();
        let n = self.lower_better.len();
        if m < 2 || n == 0 {
            return Err(DataError::TooSmall);
        }
        for (i, row) in self.values.iter().enumerate() {
            if row.len() != n {
                return Err(DataError::Ragged {
                    row: i + 1,
                    got: row.len(),
                    want: n,
                });
            }
            if let Some((j, v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(DataError::NotFinite {
                    row: i + 1,
                    col: j + 1,
                    value: *v,
                });
            }
        }
        Ok((m, n))
    }

    /// Column `j` scaled to 0..1 with its direction (1 = the best unit); a column where every
    /// unit has the same value is 1 throughout (it tells the units apart in nothing).
    fn scaled(&self, j: usize) -> Vec<f64> {
        let col: Vec<f64> = self.values.iter().map(|r| r[j]).collect();
        let (lo, hi) = col.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            return vec![1.0; col.len()];
        }
        col.iter()
            .map(|v| {
                if self.lower_better[j] {
                    (hi - v) / (hi - lo)
                } else {
                    (v - lo) / (hi - lo)
                }
            })
            .collect()
    }
}

/// Weights and what they came from, per indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights {
    pub weights: Vec<f64>,
    /// Entropy e_j, or CRITIC's information C_j, per indicator.
    pub measure: Vec<f64>,
}

/// Entropy weights. Each column is scaled to 0..1 with its direction (min-max), then
/// p_ij = z_ij / sum_i z_ij, e_j = -sum_i p_ij ln p_ij / ln m (0 ln 0 = 0),
/// w_j = (1 - e_j) / sum_k (1 - e_k). When every column is equally uninformative the
/// weights are equal.
pub fn entropy(data: &DataMatrix) -> Result<Weights, DataError> {
    let (m, n) = data.check()?;
    let k = 1.0 / (m as f64).ln();
    let e: Vec<f64> = (0..n)
        .map(|j| {
            let z = data.scaled(j);
            let sum: f64 = z.iter().sum();
            // Every unit alike (or nothing to share): the most entropy there is, exactly.
            if sum <= 0.0 || z.iter().all(|v| *v == z[0]) {
                return 1.0;
            }
            -k * z
                .iter()
                .map(|v| v / sum)
                .filter(|p| *p > 0.0)
                .map(|p| p * p.ln())
                .sum::<f64>()
        })
        .collect();
    let d: Vec<f64> = e.iter().map(|e| (1.0 - e).max(0.0)).collect();
    Ok(Weights {
        weights: normalise(&d),
        measure: e,
    })
}

/// CRITIC weights (Diakoulaki et al. 1995): columns scaled to 0..1 with their direction;
/// C_j = s_j * sum_k (1 - r_jk) with s_j the standard deviation and r_jk the correlation;
/// w_j = C_j / sum_k C_k. A constant column has s_j = 0 and so weight 0.
pub fn critic(data: &DataMatrix) -> Result<Weights, DataError> {
    let (m, n) = data.check()?;
    let z: Vec<Vec<f64>> = (0..n).map(|j| data.scaled(j)).collect();
    let mean: Vec<f64> = z.iter().map(|c| c.iter().sum::<f64>() / m as f64).collect();
    let sd: Vec<f64> = z
        .iter()
        .zip(&mean)
        .map(|(c, mu)| (c.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (m as f64 - 1.0)).sqrt())
        .collect();
    let corr = |a: usize, b: usize| -> f64 {
        if sd[a] == 0.0 || sd[b] == 0.0 {
            return 0.0;
        }
        let cov = (0..m)
            .map(|i| (z[a][i] - mean[a]) * (z[b][i] - mean[b]))
            .sum::<f64>()
            / (m as f64 - 1.0);
        cov / (sd[a] * sd[b])
    };
    let c: Vec<f64> = (0..n)
        .map(|j| sd[j] * (0..n).map(|k| 1.0 - corr(j, k)).sum::<f64>())
        .collect();
    Ok(Weights {
        weights: normalise(&c),
        measure: c,
    })
}

/// alpha * subjective + (1 - alpha) * objective, normalised; alpha is clamped to 0..1.
pub fn combine(subjective: &[f64], objective: &[f64], alpha: f64) -> Vec<f64> {
    let a = alpha.clamp(0.0, 1.0);
    let mixed: Vec<f64> = subjective
        .iter()
        .zip(objective)
        .map(|(s, o)| a * s + (1.0 - a) * o)
        .collect();
    normalise(&mixed)
}

/// `v` scaled to sum 1; equal shares when it sums to 0.
fn normalise(v: &[f64]) -> Vec<f64> {
    let sum: f64 = v.iter().sum();
    if sum > 0.0 {
        v.iter().map(|x| x / sum).collect()
    } else {
        vec![1.0 / v.len() as f64; v.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(values: &[&[f64]], lower: &[bool]) -> DataMatrix {
        DataMatrix {
            values: values.iter().map(|r| r.to_vec()).collect(),
            lower_better: lower.to_vec(),
        }
    }

    #[test]
    fn entropy_worked_by_hand() {
        // Column 1 is the same for every unit: it says nothing (e = 1, weight 0). Column 2
        // scaled is (1, 0, 0): p = (1, 0, 0), e = 0, all the weight.
        let d = data(&[&[5.0, 9.0], &[5.0, 2.0], &[5.0, 2.0]], &[false, false]);
        let w = entropy(&d).unwrap();
        assert!(
            (w.measure[0] - 1.0).abs() < 1e-12 && w.measure[1].abs() < 1e-12,
            "{w:?}"
        );
        assert!((w.weights[0]).abs() < 1e-12 && (w.weights[1] - 1.0).abs() < 1e-12);
        // Scaled (0, 0.5, 1): p = (0, 1/3, 2/3), e = -(1/3 ln 1/3 + 2/3 ln 2/3) / ln 3
        // = 0.579380 (by hand: 0.366204 + 0.270310 = 0.636514; / 1.098612).
        let d = data(&[&[1.0, 1.0], &[2.0, 3.0], &[3.0, 2.0]], &[false, false]);
        let w = entropy(&d).unwrap();
        assert!((w.measure[0] - 0.579380).abs() < 1e-5, "{w:?}");
        // Both columns have the same spread of scaled values: equal weights.
        assert!((w.weights[0] - 0.5).abs() < 1e-12, "{w:?}");
    }

    #[test]
    fn a_lower_better_column_counts_the_other_way_round_and_weights_do_not_depend_on_units() {
        let d = data(&[&[10.0, 1.0], &[20.0, 3.0], &[40.0, 2.0]], &[false, true]);
        let flipped = data(&[&[10.0, 3.0], &[20.0, 1.0], &[40.0, 2.0]], &[false, false]);
        let scaled = data(
            &[&[1000.0, 100.0], &[2000.0, 300.0], &[4000.0, 200.0]],
            &[false, true],
        );
        for f in [entropy, critic] {
            let a = f(&d).unwrap().weights;
            let b = f(&flipped).unwrap().weights;
            let c = f(&scaled).unwrap().weights;
            for k in 0..2 {
                assert!(
                    (a[k] - b[k]).abs() < 1e-12 && (a[k] - c[k]).abs() < 1e-12,
                    "{a:?} {b:?} {c:?}"
                );
            }
            assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn critic_worked_by_hand() {
        // Two columns scaled to (0, 0.5, 1) and (1, 0.5, 0): the same spread (s = 0.5) and
        // correlation -1; a third, constant column has s = 0 (correlation taken as 0). So
        // C = 0.5 * ((1 - 1) + (1 - (-1)) + (1 - 0)) = 1.5 for each of the first two (equal
        // weights) and 0 for the constant one.
        let d = data(
            &[&[1.0, 3.0, 7.0], &[2.0, 2.0, 7.0], &[3.0, 1.0, 7.0]],
            &[false, false, false],
        );
        let w = critic(&d).unwrap();
        assert!(
            (w.measure[0] - 1.5).abs() < 1e-12 && (w.measure[1] - 1.5).abs() < 1e-12,
            "{w:?}"
        );
        assert_eq!(w.measure[2], 0.0);
        assert!((w.weights[0] - 0.5).abs() < 1e-12 && w.weights[2] == 0.0);
    }

    #[test]
    fn blends_and_bad_input() {
        let w = combine(&[0.6, 0.4], &[0.2, 0.8], 0.5);
        assert!((w[0] - 0.4).abs() < 1e-12 && (w[1] - 0.6).abs() < 1e-12);
        assert_eq!(combine(&[0.6, 0.4], &[0.2, 0.8], 2.0), vec![0.6, 0.4]);
        assert_eq!(entropy(&data(&[&[1.0]], &[false])), Err(DataError::TooSmall));
        assert_eq!(
            entropy(&data(&[&[1.0, 2.0], &[1.0]], &[false, false])),
            Err(DataError::Ragged {
                row: 2,
                got: 1,
                want: 2
            })
        );
        assert!(matches!(
            critic(&data(&[&[1.0], &[f64::NAN]], &[false])),
            Err(DataError::NotFinite { row: 2, col: 1, .. })
        ));
    }
}
