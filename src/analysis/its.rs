//! Interrupted time series: a segmented regression of a metric on time with a change of
//! level and a change of slope at the month a measure started (Wagner et al., "Segmented
//! regression analysis of interrupted time series studies in medication use research",
//! J Clin Pharm Ther 27 (2002) 299-309):
//!
//!   y_t = b0 + b1 t + b2 D_t + b3 (t - t0) D_t [+ month-of-year terms] + e_t
//!
//! with D_t = 1 from t0 on. The month of the year enters as a seasonal term when the series
//! spans two years. The effect reported is the average over the months after t0 of
//! b2 + b3 (t - t0): how far the metric lay from where its own past would have taken it.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::effect::{Direction, Estimate, MIN_MONTHS_EACH_SIDE, Verdict, mean_and_trend, month_index};
use super::ols;
use crate::text::Text;

/// A segment's mean and trend (per month).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub months: usize,
    pub mean: Option<f64>,
    pub trend: Option<f64>,
}

impl Segment {
    pub fn of(points: &[(i64, f64)]) -> Segment {
        let (mean, trend) = mean_and_trend(points);
        Segment {
            months: points.len(),
            mean,
            trend,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Its {
    pub before: Segment,
    pub after: Segment,
    pub level_change: Estimate,
    pub slope_change: Estimate,
    /// The average distance from the counterfactual over the months after t0.
    pub effect: Estimate,
    pub seasonal: bool,
    /// Why the month of the year was left out though the series spans two years.
    pub seasonal_note: Option<Text>,
    pub verdict: Verdict,
    pub months: Vec<NaiveDate>,
    pub observed: Vec<f64>,
    pub fitted: Vec<f64>,
    /// The model without the change at t0: where the metric would have gone.
    pub counterfactual: Vec<f64>,
}

/// Splits a series at t0 and refuses one with fewer than three months on either side.
pub fn split_check(months: &[NaiveDate], t0: NaiveDate) -> Result<(usize, usize), Text> {
    let before = months.iter().filter(|m| **m < t0).count();
    let after = months.len() - before;
    if months.is_empty() {
        return Err(crate::say!("the metric has no data", "该指标没有数据"));
    }
    if before < MIN_MONTHS_EACH_SIDE || after < MIN_MONTHS_EACH_SIDE {
        return Err(crate::say!(
            "not enough data: {} months before {} and {} from it; each side needs {}",
            "数据不足：{1} 之前 {0} 个月，之后 {2} 个月；两侧各需至少 {3} 个月",
            before,
            t0.format("%Y-%m"),
            after,
            MIN_MONTHS_EACH_SIDE
        ));
    }
    Ok((before, after))
}

/// Fits the segmented regression to `series` (one value per month, any order).
pub fn its(series: &[(NaiveDate, f64)], t0: NaiveDate, better: Direction) -> Result<Its, Text> {
    let mut s: Vec<(NaiveDate, f64)> = series.iter().copied().filter(|p| p.1.is_finite()).collect();
    s.sort_by_key(|p| p.0);
    if s.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(crate::say!(
            "the series has two values for one month",
            "序列同一月份有两个值"
        ));
    }
    let months: Vec<NaiveDate> = s.iter().map(|p| p.0).collect();
    split_check(&months, t0)?;
    let start = month_index(t0);
    let first = month_index(months[0]);
    let span = month_index(*months.last().expect("not empty")) - first + 1;
    let candidates: Vec<u32> = if span >= 24 {
        let reference = months[0].month0();
        (0..12)
            .filter(|m| *m != reference && months.iter().any(|d| d.month0() == *m))
            .collect()
    } else {
        Vec::new()
    };
    let y: Vec<f64> = s.iter().map(|p| p.1).collect();
    let design = |seasonal: &[u32], d: NaiveDate, with_change: bool| -> Vec<f64> {
        let t = (month_index(d) - first) as f64;
        let after = month_index(d) >= start;
        let since = (month_index(d) - start) as f64;
        let mut r = vec![
            1.0,
            t,
            if after && with_change { 1.0 } else { 0.0 },
            if after && with_change { since } else { 0.0 },
        ];
        r.extend(seasonal.iter().map(|m| f64::from(d.month0() == *m)));
        r
    };
    let fit_with = |seasonal: &[u32]| {
        let x: Vec<Vec<f64>> = months.iter().map(|d| design(seasonal, *d, true)).collect();
        ols::fit(&x, &y)
    };
    // The month of the year needs two years, and is left out when it cannot be told apart
    // from the change at t0 (two years split at the turn of the year: every month once on
    // each side) or would leave fewer than 5 degrees of freedom.
    let (seasonal_months, fit, seasonal_note) = match (!candidates.is_empty()).then(|| fit_with(&candidates))
    {
        Some(Ok(f)) if f.df >= 5 => (candidates, f, None),
        Some(_) => (
            Vec::new(),
            fit_with(&[])
                .map_err(|e| crate::say!("the regression cannot be fitted: {}", "无法拟合回归：{}", e))?,
            Some(crate::say!(
                "the month of the year was left out: with these months it cannot be told apart from the change at the start",
                "未计入季节项：在这些月份上它与措施开始时的变化无法区分"
            )),
        ),
        None => (
            Vec::new(),
            fit_with(&[])
                .map_err(|e| crate::say!("the regression cannot be fitted: {}", "无法拟合回归：{}", e))?,
            None,
        ),
    };
    let row = |d: NaiveDate, with_change: bool| design(&seasonal_months, d, with_change);
    let df = fit.df as f64;
    let method = format!("OLS t interval, {} df", fit.df);
    let level_change = Estimate::t_interval(fit.coef[2], fit.se(2), df, method.clone());
    let slope_change = Estimate::t_interval(fit.coef[3], fit.se(3), df, method.clone());
    let post: Vec<f64> = months
        .iter()
        .filter(|d| month_index(**d) >= start)
        .map(|d| (month_index(*d) - start) as f64)
        .collect();
    let mean_since = post.iter().sum::<f64>() / post.len() as f64;
    let mut c = vec![0.0; fit.coef.len()];
    c[2] = 1.0;
    c[3] = mean_since;
    let (value, se) = fit.combination(&c);
    let effect = Estimate::t_interval(value, se, df, method);
    let counterfactual: Vec<f64> = months
        .iter()
        .map(|d| row(*d, false).iter().zip(&fit.coef).map(|(a, b)| a * b).sum())
        .collect();
    let idx: Vec<(i64, f64)> = s.iter().map(|p| (month_index(p.0), p.1)).collect();
    let pre: Vec<(i64, f64)> = idx.iter().copied().filter(|p| p.0 < start).collect();
    let postp: Vec<(i64, f64)> = idx.iter().copied().filter(|p| p.0 >= start).collect();
    Ok(Its {
        before: Segment::of(&pre),
        after: Segment::of(&postp),
        verdict: Verdict::of(&effect, better),
        level_change,
        slope_change,
        effect,
        seasonal: !seasonal_months.is_empty(),
        seasonal_note,
        months,
        observed: y,
        fitted: fit.fitted,
        counterfactual,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(i: i64) -> NaiveDate {
        super::super::effect::month_of_index(month_index(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()) + i)
    }

    #[test]
    fn a_noiseless_series_gives_back_its_level_and_slope_change() {
        // By hand: y = 10 + 0.5 t before month 8, and 10 + 0.5 t - 3 - 0.2 (t - 8) from it.
        let series: Vec<(NaiveDate, f64)> = (0..16)
            .map(|t| {
                let after = t >= 8;
                let y = 10.0 + 0.5 * t as f64 + if after { -3.0 - 0.2 * (t - 8) as f64 } else { 0.0 };
                (m(t), y)
            })
            .collect();
        let r = its(&series, m(8), Direction::LowerIsBetter).unwrap();
        assert!((r.level_change.value + 3.0).abs() < 1e-9);
        assert!((r.slope_change.value + 0.2).abs() < 1e-9);
        // Average effect over t - 8 = 0..7: -3 - 0.2 x 3.5 = -3.7.
        assert!((r.effect.value + 3.7).abs() < 1e-9);
        // The counterfactual continues the first line: 10 + 0.5 x 15 at the last month.
        assert!((r.counterfactual[15] - 17.5).abs() < 1e-9);
        assert!(!r.seasonal);
    }

    #[test]
    fn too_few_months_on_a_side_is_not_a_number() {
        let series: Vec<(NaiveDate, f64)> = (0..10).map(|t| (m(t), t as f64)).collect();
        let e = its(&series, m(8), Direction::LowerIsBetter).unwrap_err();
        assert!(e.en.contains("2 from it"), "{}", e.en);
        assert!(
            its(&[], m(8), Direction::LowerIsBetter)
                .unwrap_err()
                .en
                .contains("no data")
        );
    }
}
