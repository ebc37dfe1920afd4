//! Small statistics of the key-market page.

use serde::Serialize;

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
