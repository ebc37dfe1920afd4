//! Major event days (IEEE 1366, the 2.5 beta method) and reliability with and without them.
//!
//! Daily SAIDI is the customer-minutes of sustained interruptions starting that day over the
//! customers served that month. With α and β the mean and standard deviation of ln(daily
//! SAIDI) over the days with interruptions of the five years up to the period (or as many as
//! the data holds), T_MED = exp(α + 2.5 β); a day whose SAIDI exceeds T_MED is a major event
//! day, and the indices "without major events" leave its interruptions out.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// One day's interruptions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    pub day: NaiveDate,
    pub customer_minutes: f64,
    pub interruptions: f64,
}

/// T_MED from daily SAIDI values; None with fewer than 10 days with interruptions (β would
/// mean little).
pub fn threshold(daily_saidi: &[f64]) -> Option<f64> {
    let logs: Vec<f64> = daily_saidi.iter().filter(|s| **s > 0.0).map(|s| s.ln()).collect();
    if logs.len() < 10 {
        return None;
    }
    let n = logs.len() as f64;
    let alpha = logs.iter().sum::<f64>() / n;
    let beta = (logs.iter().map(|l| (l - alpha).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    Some((alpha + 2.5 * beta).exp())
}

/// Reliability of one month, with and without its major event days.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    pub month: NaiveDate,
    pub saidi: Option<f64>,
    pub saifi: Option<f64>,
    pub saidi_without_med: Option<f64>,
    pub saifi_without_med: Option<f64>,
    pub major_event_days: Vec<(NaiveDate, f64)>,
}

fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Daily SAIDI of `days`, with the customers served in each month.
pub fn daily_saidi(days: &[Day], customers: &dyn Fn(NaiveDate) -> Option<f64>) -> Vec<(NaiveDate, f64)> {
    days.iter()
        .filter_map(|d| {
            let n = customers(month_of(d.day)).filter(|n| *n > 0.0)?;
            Some((d.day, d.customer_minutes / n))
        })
        .collect()
}

/// The months of `months` with and without their major event days, given T_MED.
pub fn months(
    months: &[NaiveDate],
    days: &[Day],
    customers: &dyn Fn(NaiveDate) -> Option<f64>,
    t_med: Option<f64>,
) -> Vec<Month> {
    months
        .iter()
        .map(|m| {
            let n = customers(*m).filter(|n| *n > 0.0);
            let in_month: Vec<&Day> = days.iter().filter(|d| month_of(d.day) == *m).collect();
            let is_med = |d: &Day| match (t_med, n) {
                (Some(t), Some(n)) => d.customer_minutes / n > t,
                _ => false,
            };
            let sum = |pick: fn(&Day) -> f64, skip_med: bool| {
                in_month
                    .iter()
                    .filter(|d| !(skip_med && is_med(d)))
                    .map(|d| pick(d))
                    .sum::<f64>()
            };
            Month {
                month: *m,
                saidi: n.map(|n| sum(|d| d.customer_minutes, false) / n),
                saifi: n.map(|n| sum(|d| d.interruptions, false) / n),
                saidi_without_med: n.map(|n| sum(|d| d.customer_minutes, true) / n),
                saifi_without_med: n.map(|n| sum(|d| d.interruptions, true) / n),
                major_event_days: in_month
                    .iter()
                    .filter(|d| is_med(d))
                    .map(|d| (d.day, d.customer_minutes / n.unwrap_or(1.0)))
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_and_a_half_beta_threshold_picks_out_the_storm() {
        // Twelve ordinary days at SAIDI 1 or e (ln 0 or 1, alternating): α = 0.5,
        // β = sqrt(12 x 0.25 / 11) = 0.5222; T_MED = exp(0.5 + 2.5 x 0.5222) = exp(1.8056) = 6.08.
        let mut saidi: Vec<f64> = (0..12)
            .map(|i| if i % 2 == 0 { 1.0 } else { std::f64::consts::E })
            .collect();
        let t = threshold(&saidi).unwrap();
        assert!((t - 6.0842).abs() < 1e-3, "{t}");
        // Days without interruptions do not count; fewer than 10 days give no threshold.
        saidi.push(0.0);
        assert!((threshold(&saidi).unwrap() - t).abs() < 1e-12);
        assert!(threshold(&[1.0, 2.0, 3.0]).is_none());

        // A month of 100 customers: an ordinary day (200 customer-minutes, SAIDI 2) and a
        // storm day (5,000, SAIDI 50 > T_MED): with MED SAIDI 52, without it 2.
        let m = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let days = [
            Day {
                day: m,
                customer_minutes: 200.0,
                interruptions: 20.0,
            },
            Day {
                day: m.succ_opt().unwrap(),
                customer_minutes: 5000.0,
                interruptions: 100.0,
            },
        ];
        let out = months(&[m], &days, &|_| Some(100.0), Some(t));
        assert_eq!(out[0].saidi, Some(52.0));
        assert_eq!(out[0].saidi_without_med, Some(2.0));
        assert_eq!(out[0].saifi, Some(1.2));
        assert_eq!(out[0].saifi_without_med, Some(0.2));
        assert_eq!(out[0].major_event_days, vec![(m.succ_opt().unwrap(), 50.0)]);
    }
}
