//! Major event days (IEEE 1366-2012, the 2.5 beta method) and reliability with and without
//! them.
//!
//! Daily SAIDI is the customer-minutes of sustained interruptions starting that day over the
//! customers served that month. As the standard asks, major event days are found for the
//! *system* (the top unit of the org tree) and T_MED for a reporting year comes from the
//! five years before it: with α and β the mean and standard deviation of ln(daily SAIDI)
//! over the days with interruptions of those five years (or as many of them as the data
//! holds), T_MED = exp(α + 2.5 β); a day of the year whose system SAIDI exceeds T_MED is a
//! major event day. A unit below the system leaves out its own interruptions of those same
//! days for its indices "without major events"; it has no threshold of its own.

use std::collections::BTreeSet;

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

/// The columns a month's reliability is copied and printed with (the page and the CLI).
pub const MONTH_COLUMNS: [&str; 6] = [
    "month",
    "saidi",
    "saidi_without_med",
    "saifi",
    "saifi_without_med",
    "major_event_days",
];

impl Month {
    /// The month's major event days as one text ("2025-07-13 2025-07-20").
    pub fn major_event_days_text(&self) -> String {
        self.major_event_days
            .iter()
            .map(|(d, _)| d.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
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

/// T_MED of one reporting year, from the system's days of the five years before it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearThreshold {
    pub year: i32,
    /// The days counted: from 1 January five years before, to 1 January of the year (excluded).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// None with fewer than 10 days with interruptions in that window.
    pub t_med: Option<f64>,
    pub days_counted: usize,
}

/// The window of days whose SAIDI sets T_MED for `year`: the five years before it.
pub fn threshold_window(year: i32) -> (NaiveDate, NaiveDate) {
    let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).expect("1 January");
    (jan1(year - 5), jan1(year))
}

/// T_MED of each of `years` from the system's daily SAIDI.
pub fn year_thresholds(years: &[i32], system_daily: &[(NaiveDate, f64)]) -> Vec<YearThreshold> {
    years
        .iter()
        .map(|&year| {
            let (from, to) = threshold_window(year);
            let window: Vec<f64> = system_daily
                .iter()
                .filter(|(d, _)| *d >= from && *d < to)
                .map(|(_, s)| *s)
                .collect();
            YearThreshold {
                year,
                from,
                to,
                t_med: threshold(&window),
                days_counted: window.iter().filter(|s| **s > 0.0).count(),
            }
        })
        .collect()
}

/// The system's major event days: days whose system SAIDI exceeds the T_MED of their year.
pub fn major_event_days(
    system_daily: &[(NaiveDate, f64)],
    thresholds: &[YearThreshold],
) -> BTreeSet<NaiveDate> {
    system_daily
        .iter()
        .filter(|(d, s)| {
            thresholds
                .iter()
                .find(|t| t.year == d.year())
                .and_then(|t| t.t_med)
                .is_some_and(|t| *s > t)
        })
        .map(|(d, _)| *d)
        .collect()
}

/// The months of `months` of one unit with and without the system's major event days.
pub fn months(
    months: &[NaiveDate],
    days: &[Day],
    customers: &dyn Fn(NaiveDate) -> Option<f64>,
    major_event_days: &BTreeSet<NaiveDate>,
) -> Vec<Month> {
    months
        .iter()
        .map(|m| {
            let n = customers(*m).filter(|n| *n > 0.0);
            let in_month: Vec<&Day> = days.iter().filter(|d| month_of(d.day) == *m).collect();
            let is_med = |d: &Day| major_event_days.contains(&d.day);
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
        let storm = BTreeSet::from([m.succ_opt().unwrap()]);
        let out = months(&[m], &days, &|_| Some(100.0), &storm);
        assert_eq!(out[0].saidi, Some(52.0));
        assert_eq!(out[0].saidi_without_med, Some(2.0));
        assert_eq!(out[0].saifi, Some(1.2));
        assert_eq!(out[0].saifi_without_med, Some(0.2));
        assert_eq!(out[0].major_event_days, vec![(m.succ_opt().unwrap(), 50.0)]);
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn major_event_days_are_the_systems_judged_by_the_five_years_before() {
        // Worked by hand. The system's history: twelve days of 2024 at SAIDI 1 or e, so
        // T_MED for 2025 is exp(0.5 + 2.5 x 0.5222) = 6.08 (as above). In 2025 a storm day
        // at 50 and an ordinary day at 5: the storm is a major event day; neither enters
        // 2025's own threshold. 2024 has no five years before it in the data: no threshold,
        // so none of its days is a major event day.
        let mut system: Vec<(NaiveDate, f64)> = (0..12)
            .map(|i| {
                (
                    day(2024, 3, 1 + i),
                    if i % 2 == 0 { 1.0 } else { std::f64::consts::E },
                )
            })
            .collect();
        system.push((day(2025, 7, 2), 50.0));
        system.push((day(2025, 7, 3), 5.0));
        let t = year_thresholds(&[2024, 2025], &system);
        assert_eq!(t[0].t_med, None);
        assert_eq!((t[0].from, t[0].to), (day(2019, 1, 1), day(2024, 1, 1)));
        assert_eq!((t[1].from, t[1].to), (day(2020, 1, 1), day(2025, 1, 1)));
        assert!((t[1].t_med.unwrap() - 6.0842).abs() < 1e-3, "{:?}", t[1]);
        assert_eq!(t[1].days_counted, 12);
        let meds = major_event_days(&system, &t);
        assert_eq!(meds, BTreeSet::from([day(2025, 7, 2)]));

        // A unit below with 20 customers. On the system's storm day it lost 100
        // customer-minutes (its own SAIDI 5, under T_MED): left out without major events.
        // On 3 July it lost 400 (its own SAIDI 20, over T_MED): kept, as the system had no
        // major event that day. July: SAIDI 25 with, 20 without.
        let unit_days = [
            Day {
                day: day(2025, 7, 2),
                customer_minutes: 100.0,
                interruptions: 10.0,
            },
            Day {
                day: day(2025, 7, 3),
                customer_minutes: 400.0,
                interruptions: 8.0,
            },
        ];
        let out = months(&[day(2025, 7, 1)], &unit_days, &|_| Some(20.0), &meds);
        assert_eq!(out[0].saidi, Some(25.0));
        assert_eq!(out[0].saidi_without_med, Some(20.0));
        assert_eq!(out[0].saifi, Some(0.9));
        assert_eq!(out[0].saifi_without_med, Some(0.4));
        assert_eq!(out[0].major_event_days, vec![(day(2025, 7, 2), 5.0)]);
    }
}
