//! What the improvement-effect models share: an estimate with its interval, the verdict read
//! from the interval, and the refusal when the data cannot carry a model.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Which way the metric should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    LowerIsBetter,
    HigherIsBetter,
}

/// An effect with its 95 % confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub se: f64,
    /// How the interval was made, in words ("t interval, 22 df").
    pub method: String,
}

impl Estimate {
    pub fn t_interval(value: f64, se: f64, df: f64, method: String) -> Self {
        let t = super::ols::t_critical(df, 0.95);
        Estimate {
            value,
            low: value - t * se,
            high: value + t * se,
            se,
            method,
        }
    }
}

/// What the interval says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Improved,
    NoSignificantChange,
    Worse,
}

impl Verdict {
    /// Improved or worse only when the whole interval lies on one side of zero.
    pub fn of(e: &Estimate, better: Direction) -> Verdict {
        let down = e.high < 0.0;
        let up = e.low > 0.0;
        match (down, up, better) {
            (true, _, Direction::LowerIsBetter) | (_, true, Direction::HigherIsBetter) => Verdict::Improved,
            (true, _, Direction::HigherIsBetter) | (_, true, Direction::LowerIsBetter) => Verdict::Worse,
            _ => Verdict::NoSignificantChange,
        }
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Verdict::Improved, false) => "improved",
            (Verdict::Improved, true) => "有改善",
            (Verdict::NoSignificantChange, false) => "no significant change",
            (Verdict::NoSignificantChange, true) => "无显著变化",
            (Verdict::Worse, false) => "worse",
            (Verdict::Worse, true) => "变差",
        }
    }
}

/// Months counted from year 0, so that differences are numbers of months.
pub fn month_index(d: NaiveDate) -> i64 {
    d.year() as i64 * 12 + d.month0() as i64
}

pub fn month_of_index(i: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(i.div_euclid(12) as i32, i.rem_euclid(12) as u32 + 1, 1).unwrap_or_default()
}

/// A model needs at least this many months on each side of the start of a measure.
pub const MIN_MONTHS_EACH_SIDE: usize = 3;

/// Mean and least-squares slope (per month) of a segment; the slope needs two months.
pub fn mean_and_trend(points: &[(i64, f64)]) -> (Option<f64>, Option<f64>) {
    if points.is_empty() {
        return (None, None);
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0 as f64).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 as f64 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 as f64 - mx) * (p.1 - my)).sum();
    (Some(my), (sxx > 0.0).then(|| sxy / sxx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verdict_needs_the_whole_interval_on_one_side() {
        let e = |low, high| Estimate {
            value: (low + high) / 2.0,
            low,
            high,
            se: 1.0,
            method: String::new(),
        };
        assert_eq!(
            Verdict::of(&e(-3.0, -1.0), Direction::LowerIsBetter),
            Verdict::Improved
        );
        assert_eq!(
            Verdict::of(&e(-3.0, -1.0), Direction::HigherIsBetter),
            Verdict::Worse
        );
        assert_eq!(
            Verdict::of(&e(-3.0, 0.5), Direction::LowerIsBetter),
            Verdict::NoSignificantChange
        );
        assert_eq!(
            Verdict::of(&e(0.0, 0.0), Direction::LowerIsBetter),
            Verdict::NoSignificantChange
        );
        let d = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        assert_eq!(month_of_index(month_index(d)), d);
        assert_eq!(
            month_index(d) - month_index(NaiveDate::from_ymd_opt(2024, 12, 1).unwrap()),
            3
        );
        // y = 2, 4, 6 at months 0, 1, 2: mean 4, slope 2.
        assert_eq!(
            mean_and_trend(&[(0, 2.0), (1, 4.0), (2, 6.0)]),
            (Some(4.0), Some(2.0))
        );
    }
}
