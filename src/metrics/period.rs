//! Periods of evaluation: a month, a quarter (the quarterly evaluation) or a year (the
//! annual examination), and the sums of a period formed from its months' sums, so that a
//! quarter's indicator is the indicator of the quarter's sums (collected over receivable of
//! the quarter), never the mean of three monthly ratios.

use chrono::{Datelike, Months, NaiveDate};

use crate::store::kpi::MonthTotals;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// First day of the month.
    Month(NaiveDate),
    Quarter {
        year: i32,
        quarter: u32,
    },
    Year(i32),
}

impl Period {
    /// `YYYY-MM`, `YYYYQn` (or `YYYY-Qn`) or `YYYY`.
    pub fn parse(s: &str) -> Result<Period, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "'{s}' is not a period: use YYYY-MM for a month, YYYYQn for a quarter or YYYY for a year, for example 2025-06, 2025Q2 or 2025"
            )
        };
        let year = |y: &str| -> Result<i32, String> {
            match y.parse::<i32>() {
                Ok(y) if y.to_string().len() == 4 && y > 1900 => Ok(y),
                _ => Err(bad()),
            }
        };
        if let Some((y, q)) = s.split_once(['Q', 'q']) {
            let y = year(y.trim_end_matches('-'))?;
            return match q.parse::<u32>() {
                Ok(quarter @ 1..=4) => Ok(Period::Quarter { year: y, quarter }),
                _ => Err(bad()),
            };
        }
        if s.len() == 4 {
            return year(s).map(Period::Year);
        }
        NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
            .map(Period::Month)
            .map_err(|_| bad())
    }

    /// The month, quarter or year that holds `month`, as `kind` says.
    pub fn holding(kind: PeriodKind, month: NaiveDate) -> Period {
        let m = month.with_day(1).expect("day 1 exists");
        match kind {
            PeriodKind::Month => Period::Month(m),
            PeriodKind::Quarter => Period::Quarter {
                year: m.year(),
                quarter: (m.month() - 1) / 3 + 1,
            },
            PeriodKind::Year => Period::Year(m.year()),
        }
    }

    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::Month(_) => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
            Period::Year(_) => PeriodKind::Year,
        }
    }

    pub fn first_month(&self) -> NaiveDate {
        let ymd = |y, m| NaiveDate::from_ymd_opt(y, m, 1).expect("a valid month");
        match *self {
            Period::Month(m) => m,
            Period::Quarter { year, quarter } => ymd(year, (quarter - 1) * 3 + 1),
            Period::Year(y) => ymd(y, 1),
        }
    }

    pub fn len_months(&self) -> u32 {
        match self {
            Period::Month(_) => 1,
            Period::Quarter { .. } => 3,
            Period::Year(_) => 12,
        }
    }

    pub fn last_month(&self) -> NaiveDate {
        self.first_month() + Months::new(self.len_months() - 1)
    }

    /// Its months, first days, in order.
    pub fn months(&self) -> Vec<NaiveDate> {
        (0..self.len_months())
            .map(|i| self.first_month() + Months::new(i))
            .collect()
    }

    /// The latest period of `kind` at or before `month` whose every month is in `months`
    /// (the project's months); None when there is none.
    pub fn last_complete(kind: PeriodKind, month: NaiveDate, months: &[NaiveDate]) -> Option<Period> {
        let first = *months.iter().min()?;
        let mut p = Period::holding(kind, month);
        while p.last_month() >= first {
            if p.months().iter().all(|m| months.contains(m)) {
                return Some(p);
            }
            p = p.previous();
        }
        None
    }

    /// The period of the same kind before this one.
    pub fn previous(&self) -> Period {
        Period::holding(self.kind(), self.first_month() - Months::new(self.len_months()))
    }

    /// The same period a year earlier.
    pub fn year_before(&self) -> Period {
        Period::holding(self.kind(), self.first_month() - Months::new(12))
    }

    /// As it is typed: 2025-06, 2025Q2, 2025.
    pub fn label(&self) -> String {
        match self {
            Period::Month(m) => m.format("%Y-%m").to_string(),
            Period::Quarter { year, quarter } => format!("{year}Q{quarter}"),
            Period::Year(y) => y.to_string(),
        }
    }

    /// As a heading reads: "June 2025" / "2025年6月", "Q2 2025" / "2025年第2季度".
    pub fn title(&self, zh: bool) -> String {
        match (self, zh) {
            (Period::Month(m), false) => m.format("%B %Y").to_string(),
            (Period::Month(m), true) => format!("{}年{}月", m.year(), m.month()),
            (Period::Quarter { year, quarter }, false) => format!("Q{quarter} {year}"),
            (Period::Quarter { year, quarter }, true) => format!("{year}年第{quarter}季度"),
            (Period::Year(y), false) => y.to_string(),
            (Period::Year(y), true) => format!("{y}年"),
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Month,
    Quarter,
    Year,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (PeriodKind::Month, false) => "Month",
            (PeriodKind::Month, true) => "月度",
            (PeriodKind::Quarter, false) => "Quarterly evaluation",
            (PeriodKind::Quarter, true) => "季度评价",
            (PeriodKind::Year, false) => "Annual examination",
            (PeriodKind::Year, true) => "年度考核",
        }
    }
}

/// The sums of a period from the sums of its months, oldest first. Flows (kWh, money,
/// events, minutes, hours) add up; stocks take the period's last month: customers served
/// (the denominator of SAIDI, SAIFI and complaints per 10,000 customers, as for a month)
/// and arrears. Bills and line loss are None when any month of the period has none (a
/// quarter with two months of bills has no collection rate). Events (connections, tickets,
/// interruptions) count in the months that have them: the data mark a month without any
/// event in the whole project as having none, which in a quarter is a month of zero.
pub fn period_totals(months: &[MonthTotals]) -> MonthTotals {
    let Some(last) = months.last() else {
        return MonthTotals::default();
    };
    let sum = |part: fn(&MonthTotals) -> Option<f64>| -> Option<f64> {
        months.iter().map(part).sum::<Option<f64>>()
    };
    let events = |part: fn(&MonthTotals) -> Option<f64>| -> Option<f64> {
        let some: Vec<f64> = months.iter().filter_map(part).collect();
        (!some.is_empty()).then(|| some.iter().sum())
    };
    MonthTotals {
        month: months.first().and_then(|m| m.month),
        hours: months.iter().map(|m| m.hours).sum(),
        customers: last.customers,
        kwh: sum(|t| t.kwh),
        receivable: sum(|t| t.receivable),
        collected: sum(|t| t.collected),
        arrears: if months.iter().all(|m| m.arrears.is_some()) {
            last.arrears
        } else {
            None
        },
        supplied_kwh: sum(|t| t.supplied_kwh),
        sold_kwh: sum(|t| t.sold_kwh),
        connections: events(|t| t.connections),
        connection_days: events(|t| t.connection_days),
        connections_over_limit: events(|t| t.connections_over_limit),
        complaints: events(|t| t.complaints),
        repairs_arrived: events(|t| t.repairs_arrived),
        repair_arrival_minutes: events(|t| t.repair_arrival_minutes),
        satisfied: events(|t| t.satisfied),
        callbacks: events(|t| t.callbacks),
        tickets_due: events(|t| t.tickets_due),
        tickets_on_time: events(|t| t.tickets_on_time),
        interruptions: events(|t| t.interruptions),
        customer_minutes: events(|t| t.customer_minutes),
        customer_minutes_rs3: events(|t| t.customer_minutes_rs3),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap()
    }

    #[test]
    fn periods_parse_and_span_their_months() {
        let q = Period::parse("2025Q2").unwrap();
        assert_eq!(q, Period::parse("2025-Q2").unwrap());
        assert_eq!(q.months(), vec![d(2025, 4), d(2025, 5), d(2025, 6)]);
        assert_eq!(q.previous().label(), "2025Q1");
        assert_eq!(Period::parse("2025Q1").unwrap().previous().label(), "2024Q4");
        assert_eq!(q.year_before().label(), "2024Q2");
        assert_eq!(Period::parse("2025").unwrap().last_month(), d(2025, 12));
        assert_eq!(Period::parse("2025-06").unwrap(), Period::Month(d(2025, 6)));
        assert_eq!(
            Period::holding(PeriodKind::Quarter, d(2025, 12)).label(),
            "2025Q4"
        );
        assert_eq!(q.title(true), "2025年第2季度");
        // Data from 2024-02 to 2025-05: the last complete quarter at May 2025 is 2025Q1,
        // the last complete year none before 2024's January is in.
        let held: Vec<NaiveDate> = (0..16).map(|i| d(2024, 2) + Months::new(i)).collect();
        let at = d(2025, 5);
        assert_eq!(
            Period::last_complete(PeriodKind::Quarter, at, &held)
                .unwrap()
                .label(),
            "2025Q1"
        );
        assert_eq!(
            Period::last_complete(PeriodKind::Month, at, &held)
                .unwrap()
                .label(),
            "2025-05"
        );
        assert_eq!(Period::last_complete(PeriodKind::Year, at, &held), None);
        for bad in ["2025Q5", "2025Q0", "25Q1", "2025-13", "June", "", "20250"] {
            let e = Period::parse(bad).unwrap_err();
            assert!(e.contains("is not a period"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_quarters_sums_add_flows_and_keep_the_last_stock() {
        // Written by hand: three months of a unit.
        let month = |m: u32, customers: f64, receivable: f64, collected: f64, arrears: f64| MonthTotals {
            month: Some(d(2025, m)),
            hours: 720.0,
            customers,
            receivable: Some(receivable),
            collected: Some(collected),
            arrears: Some(arrears),
            complaints: Some(1.0),
            ..Default::default()
        };
        let q = period_totals(&[
            month(4, 100.0, 1000.0, 900.0, 50.0),
            month(5, 110.0, 3000.0, 3000.0, 70.0),
            month(6, 120.0, 1000.0, 1000.0, 60.0),
        ]);
        assert_eq!(q.receivable, Some(5000.0));
        assert_eq!(q.collected, Some(4900.0));
        assert_eq!(q.customers, 120.0);
        assert_eq!(q.arrears, Some(60.0));
        assert_eq!(q.hours, 2160.0);
        assert_eq!(q.complaints, Some(3.0));
        // The quarter's collection rate is 98 %, not the mean of 90, 100 and 100.
        let rate = crate::metrics::indicators::indicator("collection_rate").unwrap();
        assert_eq!((rate.value)(&q), Some(98.0));
        // A month without line loss data leaves the quarter without it.
        assert_eq!(q.supplied_kwh, None);
        // A month without any ticket in the project is a month of none.
        let mut quiet = month(7, 120.0, 1000.0, 1000.0, 60.0);
        quiet.complaints = None;
        let q = period_totals(&[quiet.clone(), month(8, 120.0, 1.0, 1.0, 1.0), quiet.clone()]);
        assert_eq!(q.complaints, Some(1.0));
        assert_eq!(period_totals(&[quiet.clone(), quiet]).complaints, None);
    }
}
