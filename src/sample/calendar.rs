//! Date arithmetic the generator needs: months and working days.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// First day of the month `n` months after the month of `d`.
pub fn add_months(d: NaiveDate, n: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + n;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).expect("valid month")
}

pub fn days_in_month(month_start: NaiveDate) -> i64 {
    (add_months(month_start, 1) - month_start).num_days()
}

pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The date `n` working days (Monday to Friday) after `d`; a weekend start rolls forward.
pub fn add_working_days(mut d: NaiveDate, n: i64) -> NaiveDate {
    while !is_working_day(d) {
        d += Duration::days(1);
    }
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if is_working_day(d) {
            left -= 1;
        }
    }
    d
}

/// Working days from `a` to `b` (0 when b is not after a): the count of working days in
/// (a, b]. This is how MAMS counts handling time, see docs/metrics.md.
pub fn working_days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    let mut n = 0;
    let mut d = a;
    while d < b {
        d += Duration::days(1);
        if is_working_day(d) {
            n += 1;
        }
    }
    n
}

pub fn at(d: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(hour.min(23), minute.min(59), 0).expect("valid time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months_and_working_days() {
        assert_eq!(add_months(d(2024, 11, 15), 3), d(2025, 2, 1));
        assert_eq!(add_months(d(2024, 1, 1), -1), d(2023, 12, 1));
        assert_eq!(days_in_month(d(2024, 2, 1)), 29);
        // Friday 2024-01-05 + 1 working day = Monday 2024-01-08.
        assert_eq!(add_working_days(d(2024, 1, 5), 1), d(2024, 1, 8));
        // Saturday start rolls to Monday first.
        assert_eq!(add_working_days(d(2024, 1, 6), 0), d(2024, 1, 8));
        assert_eq!(working_days_between(d(2024, 1, 5), d(2024, 1, 8)), 1);
        assert_eq!(working_days_between(d(2024, 1, 1), d(2024, 1, 15)), 10);
        assert_eq!(working_days_between(d(2024, 1, 8), d(2024, 1, 1)), 0);
    }
}
