//! The analytic hierarchy process (Saaty 1980): weights from a pairwise comparison matrix on
//! the 1-9 scale, with its consistency. Formulas and sources: docs/evaluation.md.

use serde::Serialize;

/// Saaty's random index RI by matrix order (1-based; orders 1 and 2 are always consistent).
const RANDOM_INDEX: [f64; 15] = [
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59,
];

/// A consistency ratio at or above this is not acceptable (Saaty).
pub const CR_LIMIT: f64 = 0.10;

/// The weights of a comparison matrix and how consistent it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ahp {
    /// The principal eigenvector, summing to 1.
    pub weights: Vec<f64>,
    pub lambda_max: f64,
    /// (lambda_max - n) / (n - 1).
    pub ci: f64,
    pub ri: f64,
    /// CI / RI; 0 for orders 1 and 2.
    pub cr: f64,
    pub acceptable: bool,
    /// When not acceptable: the judgement that departs most from the weights found, and the
    /// value on the 1-9 scale closest to what the other judgements imply for it.
    pub most_inconsistent: Option<Judgement>,
}

/// One entry a[row][col] of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub row: usize,
    pub col: usize,
    pub given: f64,
    pub suggested: f64,
}

/// Why a matrix cannot be used; rows and columns count from 1.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    #[error("the matrix is empty")]
    Empty,
    #[error("the matrix has {rows} rows but row {row} has {cols} values: it must be square")]
    NotSquare { rows: usize, row: usize, cols: usize },
    #[error("row {row}, column {col}: {value} is not a positive number")]
    NotPositive { row: usize, col: usize, value: f64 },
    #[error("row {row}, column {row}: the diagonal must be 1, not {value}")]
    Diagonal { row: usize, value: f64 },
    #[error(
        "row {row}, column {col} is {value} but row {col}, column {row} is {other}: a judgement and its mirror must be reciprocal (their product 1)"
    )]
    NotReciprocal {
        row: usize,
        col: usize,
        value: f64,
        other: f64,
    },
    #[error("the matrix has order {0}; Saaty's random index is known up to order 15")]
    TooLarge(usize),
}

/// Checks a matrix: square, positive, 1 on the diagonal, reciprocal (to 1 %, so that a
/// judgement typed as 0.33 for 1/3 is accepted).
#[allow(clippy::needless_range_loop)] // a_ij against a_ji: indexes read as the formula
pub fn check(a: &[Vec<f64>]) -> Result<(), MatrixError> {
    let n = a.len();
    if n == 0 {
        return Err(MatrixError::Empty);
    }
    if n > RANDOM_INDEX.len() {
        return Err(MatrixError::TooLarge(n));
    }
    for (i, row) in a.iter().enumerate() {
        if row.len() != n {
            return Err(MatrixError::NotSquare {
                rows: n,
                row: i + 1,
                cols: row.len(),
            });
        }
        for (j, v) in row.iter().enumerate() {
            if !(v.is_finite() && *v > 0.0) {
                return Err(MatrixError::NotPositive {
                    row: i + 1,
                    col: j + 1,
                    value: *v,
                });
            }
        }
    }
    for i in 0..n {
        if (a[i][i] - 1.0).abs() > 1e-9 {
            return Err(MatrixError::Diagonal {
                row: i + 1,
                value: a[i][i],
            });
        }
        for j in i + 1..n {
            if (a[i][j] * a[j][i] - 1.0).abs() > 0.01 {
                return Err(MatrixError::NotReciprocal {
                    row: i + 1,
                    col: j + 1,
                    value: a[i][j],
                    other: a[j][i],
                });
            }
        }
    }
    Ok(())
}

/// The weights of `a` (checked first) by the principal eigenvector, found by power
/// iteration (the matrix is positive, so it converges: Perron-Frobenius).
pub fn weigh(a: &[Vec<f64>]) -> Result<Ahp, MatrixError> {
    check(a)?;
    let n = a.len();
    let mut w = vec![1.0 / n as f64; n];
    for _ in 0..10_000 {
        let mut next: Vec<f64> = (0..n).map(|i| (0..n).map(|j| a[i][j] * w[j]).sum()).collect();
        let sum: f64 = next.iter().sum();
        next.iter_mut().for_each(|v| *v /= sum);
        let moved = next
            .iter()
            .zip(&w)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        w = next;
        if moved < 1e-15 {
            break;
        }
    }
    // lambda_max: the mean of (A w)_i / w_i (all equal at the eigenvector).
    let lambda_max = (0..n)
        .map(|i| (0..n).map(|j| a[i][j] * w[j]).sum::<f64>() / w[i])
        .sum::<f64>()
        / n as f64;
    let ci = if n > 2 {
        ((lambda_max - n as f64) / (n as f64 - 1.0)).max(0.0)
    } else {
        0.0
    };
    let ri = RANDOM_INDEX[n - 1];
    let cr = if ri > 0.0 { ci / ri } else { 0.0 };
    let acceptable = cr < CR_LIMIT;
    let most_inconsistent = (!acceptable).then(|| {
        // The judgement whose ratio to what the weights imply (w_i / w_j) is furthest off.
        let mut worst = (0, 1, 0.0f64);
        for i in 0..n {
            for j in i + 1..n {
                let off = (a[i][j] * w[j] / w[i]).ln().abs();
                if off > worst.2 {
                    worst = (i, j, off);
                }
            }
        }
        let (i, j, _) = worst;
        // What the other judgements say of this pair: the geometric mean of a_ik * a_kj over
        // every third item k (the weights themselves are pulled by the judgement at fault).
        let paths: Vec<f64> = (0..n)
            .filter(|k| *k != i && *k != j)
            .map(|k| (a[i][k] * a[k][j]).ln())
            .collect();
        let implied = (paths.iter().sum::<f64>() / paths.len().max(1) as f64).exp();
        Judgement {
            row: i + 1,
            col: j + 1,
            given: a[i][j],
            suggested: on_scale(implied),
        }
    });
    Ok(Ahp {
        weights: w,
        lambda_max,
        ci,
        ri,
        cr,
        acceptable,
        most_inconsistent,
    })
}

/// The value of Saaty's scale (1/9 .. 9) nearest to `ratio`, on a log scale.
fn on_scale(ratio: f64) -> f64 {
    let scale: Vec<f64> = (1..=9)
        .map(|k| 1.0 / k as f64)
        .chain((2..=9).map(|k| k as f64))
        .collect();
    scale
        .into_iter()
        .min_by(|a, b| {
            (a.ln() - ratio.ln())
                .abs()
                .total_cmp(&(b.ln() - ratio.ln()).abs())
        })
        .unwrap_or(1.0)
}

/// A judgement as it is written: 3, or 1/3 for a value below 1.
pub fn format_judgement(v: f64) -> String {
    if v >= 1.0 {
        format!("{}", (v * 100.0).round() / 100.0)
    } else {
        format!("1/{}", ((1.0 / v) * 100.0).round() / 100.0)
    }
}

/// A judgement as typed: a number or a fraction such as `1/3`.
pub fn parse_judgement(text: &str) -> Option<f64> {
    let t = text.trim();
    let v = match t.split_once('/') {
        Some((a, b)) => a.trim().parse::<f64>().ok()? / b.trim().parse::<f64>().ok()?,
        None => t.parse::<f64>().ok()?,
    };
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn saatys_three_by_three_example() {
        // The 3 x 3 matrix [1 3 5; 1/3 1 3; 1/5 1/3 1], worked in the AHP literature
        // (e.g. Saaty 1980; docs/evaluation.md): w = (0.637, 0.258, 0.105),
        // lambda_max = 3.039, CI = 0.019, CR = 0.033.
        let a = vec![
            vec![1.0, 3.0, 5.0],
            vec![1.0 / 3.0, 1.0, 3.0],
            vec![0.2, 1.0 / 3.0, 1.0],
        ];
        let r = weigh(&a).unwrap();
        assert!(close(r.weights[0], 0.637, 0.001), "{:?}", r.weights);
        assert!(close(r.weights[1], 0.258, 0.001), "{:?}", r.weights);
        assert!(close(r.weights[2], 0.105, 0.001), "{:?}", r.weights);
        assert!(close(r.lambda_max, 3.039, 0.001), "{}", r.lambda_max);
        assert!(close(r.ci, 0.019, 0.001), "{}", r.ci);
        assert!(close(r.cr, 0.033, 0.001), "{}", r.cr);
        assert!(r.acceptable && r.most_inconsistent.is_none());
    }

    #[test]
    fn a_consistent_matrix_gives_back_its_weights_exactly() {
        // Independent: a_ij = w_i / w_j is perfectly consistent; its eigenvector is w and
        // lambda_max = n.
        let w = [0.4, 0.3, 0.2, 0.1];
        let a: Vec<Vec<f64>> = w.iter().map(|wi| w.iter().map(|wj| wi / wj).collect()).collect();
        let r = weigh(&a).unwrap();
        for (got, want) in r.weights.iter().zip(w) {
            assert!(close(*got, want, 1e-12), "{:?}", r.weights);
        }
        assert!(close(r.lambda_max, 4.0, 1e-9));
        assert!(close(r.cr, 0.0, 1e-9));
    }

    #[test]
    fn an_inconsistent_matrix_is_flagged_with_the_judgement_at_fault() {
        // Consistent judgements of w = (8, 4, 2, 1) (a_ij = w_i / w_j) but for one typed the
        // wrong way round: A against D as 1/8 instead of 8.
        let w = [8.0, 4.0, 2.0, 1.0];
        let mut a: Vec<Vec<f64>> = w.iter().map(|wi| w.iter().map(|wj| wi / wj).collect()).collect();
        a[0][3] = 1.0 / 8.0;
        a[3][0] = 8.0;
        let r = weigh(&a).unwrap();
        assert!(!r.acceptable && r.cr >= CR_LIMIT, "CR {}", r.cr);
        let j = r.most_inconsistent.unwrap();
        assert_eq!((j.row, j.col), (1, 4), "{j:?}");
        assert_eq!(
            j.suggested, 8.0,
            "A against B then D (2 x 4), or C then D (4 x 2): {j:?}"
        );
    }

    #[test]
    fn bad_matrices_are_refused_with_the_cell_at_fault() {
        let not_square = vec![vec![1.0, 2.0], vec![0.5]];
        assert_eq!(
            check(&not_square),
            Err(MatrixError::NotSquare {
                rows: 2,
                row: 2,
                cols: 1
            })
        );
        let negative = vec![vec![1.0, -2.0], vec![0.5, 1.0]];
        assert!(matches!(
            check(&negative),
            Err(MatrixError::NotPositive { row: 1, col: 2, .. })
        ));
        let not_reciprocal = vec![vec![1.0, 3.0, 1.0], vec![0.5, 1.0, 1.0], vec![1.0, 1.0, 1.0]];
        assert!(matches!(
            check(&not_reciprocal),
            Err(MatrixError::NotReciprocal { row: 1, col: 2, .. })
        ));
        assert_eq!(parse_judgement("1/3"), Some(1.0 / 3.0));
        assert_eq!(parse_judgement("x"), None);
        assert_eq!(parse_judgement("1/0"), None);
    }
}
