//! Ordinary least squares by the normal equations, with the classical standard errors
//! (sigma^2 (X'X)^-1) and Student's t intervals. Small models only (a few dozen terms): the
//! segmented regressions and difference in differences of the risk module.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// A fitted linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub coef: Vec<f64>,
    /// (X'X)^-1 sigma^2: the covariance of the coefficients.
    pub cov: Vec<Vec<f64>>,
    /// Residual degrees of freedom, n - k.
    pub df: usize,
    /// Residual variance, RSS / (n - k).
    pub sigma2: f64,
    pub fitted: Vec<f64>,
}

impl Fit {
    pub fn se(&self, j: usize) -> f64 {
        self.cov[j][j].max(0.0).sqrt()
    }

    /// c'b and its standard error sqrt(c' V c), for a combination of the coefficients.
    pub fn combination(&self, c: &[f64]) -> (f64, f64) {
        let est = c.iter().zip(&self.coef).map(|(a, b)| a * b).sum();
        let mut var = 0.0;
        for (i, ci) in c.iter().enumerate() {
            for (j, cj) in c.iter().enumerate() {
                var += ci * cj * self.cov[i][j];
            }
        }
        (est, var.max(0.0).sqrt())
    }
}

/// Fits y = X b. `x` holds one row per observation, all of the same length. Refused (with
/// the reason) when there are no more observations than terms or the terms are collinear.
pub fn fit(x: &[Vec<f64>], y: &[f64]) -> Result<Fit, String> {
    let n = y.len();
    let k = x.first().map(Vec::len).unwrap_or(0);
    if x.len() != n || x.iter().any(|r| r.len() != k) || k == 0 {
        return Err("the design matrix does not match the observations".into());
    }
    if n <= k {
        return Err(format!(
            "{n} observations for {k} terms: too few to estimate them"
        ));
    }
    let mut xtx = vec![vec![0.0; k]; k];
    let mut xty = vec![0.0; k];
    for (row, yi) in x.iter().zip(y) {
        for i in 0..k {
            xty[i] += row[i] * yi;
            for j in 0..k {
                xtx[i][j] += row[i] * row[j];
            }
        }
    }
    let inv = invert(&xtx).ok_or("the terms of the model are collinear")?;
    let coef: Vec<f64> = (0..k).map(|i| (0..k).map(|j| inv[i][j] * xty[j]).sum()).collect();
    let fitted: Vec<f64> = x
        .iter()
        .map(|r| r.iter().zip(&coef).map(|(a, b)| a * b).sum())
        .collect();
    let rss: f64 = y.iter().zip(&fitted).map(|(a, b)| (a - b).powi(2)).sum();
    let df = n - k;
    let sigma2 = rss / df as f64;
    let cov = inv
        .iter()
        .map(|r| r.iter().map(|v| v * sigma2).collect())
        .collect();
    Ok(Fit {
        coef,
        cov,
        df,
        sigma2,
        fitted,
    })
}

/// Gauss-Jordan elimination with partial pivoting; None for a singular matrix (a pivot
/// below 1e-10 of the matrix's scale).
fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let k = a.len();
    let scale = a.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = r.clone();
            row.extend((0..k).map(|j| if i == j { 1.0 } else { 0.0 }));
            row
        })
        .collect();
    for col in 0..k {
        let pivot = (col..k).max_by(|x, y| m[*x][col].abs().total_cmp(&m[*y][col].abs()))?;
        if m[pivot][col].abs() < 1e-10 * scale {
            return None;
        }
        m.swap(col, pivot);
        let p = m[col][col];
        for v in m[col].iter_mut() {
            *v /= p;
        }
        let pivot_row = m[col].clone();
        for (r, row) in m.iter_mut().enumerate() {
            let f = row[col];
            if r != col && f != 0.0 {
                for (v, pv) in row.iter_mut().zip(&pivot_row) {
                    *v -= f * pv;
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[k..].to_vec()).collect())
}

/// The two-sided critical value of Student's t with `df` degrees of freedom (1.96 for an
/// infinite df); `level` is the coverage, 0.95 for a 95 % interval.
pub fn t_critical(df: f64, level: f64) -> f64 {
    let q = 1.0 - (1.0 - level) / 2.0;
    match StudentsT::new(0.0, 1.0, df.max(1.0)) {
        Ok(t) => t.inverse_cdf(q),
        Err(_) => f64::NAN,
    }
}

/// The two-sided p value of a t statistic.
pub fn p_value(t_stat: f64, df: f64) -> f64 {
    if !t_stat.is_finite() {
        return if t_stat.is_nan() { 1.0 } else { 0.0 };
    }
    match StudentsT::new(0.0, 1.0, df.max(1.0)) {
        Ok(t) => (2.0 * t.sf(t_stat.abs())).min(1.0),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_through_three_points_by_hand() {
        // y = 1, 3, 2 at x = 0, 1, 2: slope = sum((x-1)(y-2)) / sum((x-1)^2) = (1 + 0 + 0) / 2
        // = 0.5, intercept = 2 - 0.5 = 1.5; residuals -0.5, 1, -1.5 + ... worked out below.
        let x = vec![vec![1.0, 0.0], vec![1.0, 1.0], vec![1.0, 2.0]];
        let f = fit(&x, &[1.0, 3.0, 2.0]).unwrap();
        assert!((f.coef[0] - 1.5).abs() < 1e-12 && (f.coef[1] - 0.5).abs() < 1e-12);
        // fitted 1.5, 2, 2.5; residuals -0.5, 1, -0.5; RSS 1.5; sigma2 = 1.5 / 1.
        assert!((f.sigma2 - 1.5).abs() < 1e-12);
        // se(slope) = sqrt(sigma2 / sum((x-1)^2)) = sqrt(0.75).
        assert!((f.se(1) - 0.75f64.sqrt()).abs() < 1e-12);
        assert!(
            fit(
                &[vec![1.0, 2.0], vec![2.0, 4.0], vec![3.0, 6.0]],
                &[1.0, 2.0, 3.0]
            )
            .is_err()
        );
        assert!(fit(&[vec![1.0]], &[1.0]).is_err());
    }

    #[test]
    fn t_critical_values_from_a_printed_table() {
        // Two-sided 95 % points of Student's t (any statistics table): df 1: 12.706,
        // df 10: 2.228, df 30: 2.042.
        assert!((t_critical(1.0, 0.95) - 12.706).abs() < 1e-3);
        assert!((t_critical(10.0, 0.95) - 2.228).abs() < 1e-3);
        assert!((t_critical(30.0, 0.95) - 2.042).abs() < 1e-3);
        assert!((p_value(2.228, 10.0) - 0.05).abs() < 1e-3);
    }
}
