//! The service-quality report of a unit and month: the service indicators of the units one
//! level down, the month's 95598 tickets by type, repeat complainers, and reliability over 13
//! months with and without the system's major event days. The Service quality page and
//! `mams service` show this.

use std::collections::BTreeSet;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::kpi::{self, Card};
use super::reliability::{self, Day, YearThreshold};
use crate::progress::Progress;
use crate::store::Project;
use crate::store::service::{self as stored, RepeatComplainer};

/// The indicators shown per unit.
pub const UNIT_INDICATORS: [&str; 6] = [
    "complaints_per_10k",
    "ticket_timeliness",
    "repair_arrival",
    "satisfaction",
    "saidi",
    "saifi",
];

#[derive(Debug, Clone, Serialize)]
pub struct ServiceReport {
    pub unit_id: String,
    pub month: NaiveDate,
    /// The top unit whose days decide the major event days.
    pub system_unit: String,
    /// T_MED of each reporting year the 13 months touch.
    pub thresholds: Vec<YearThreshold>,
    /// The 13 months up to the period, with and without major event days.
    pub reliability: Vec<reliability::Month>,
    pub tickets_by_type: Vec<(String, u64)>,
    pub repeat: Vec<RepeatComplainer>,
    /// Service indicators of the units one level down (or the unit itself).
    pub units: Vec<(String, Vec<Card>)>,
}

impl ServiceReport {
    /// The threshold that judged `month`'s days.
    pub fn threshold_of(&self, month: NaiveDate) -> Option<&YearThreshold> {
        self.thresholds.iter().find(|t| t.year == month.year())
    }
}

/// Daily interruptions and customers served of a unit's subtree over [from, to_excl).
fn unit_days(
    project: &Project,
    unit: &str,
    from: NaiveDate,
    to_excl: NaiveDate,
) -> anyhow::Result<(Vec<Day>, Vec<crate::store::kpi::MonthTotals>)> {
    let days = stored::daily_outages(project, unit, from, to_excl)?
        .into_iter()
        .map(|(day, customer_minutes, interruptions)| Day {
            day,
            customer_minutes,
            interruptions,
        })
        .collect();
    let last_month = to_excl - Months::new(1);
    let totals = crate::store::kpi::month_totals(project, unit, from, last_month)?;
    Ok((days, totals))
}

fn customers_of(totals: &[crate::store::kpi::MonthTotals]) -> impl Fn(NaiveDate) -> Option<f64> + '_ {
    move |m| totals.iter().find(|t| t.month == Some(m)).map(|t| t.customers)
}

/// Reliability of `unit` over the 13 months up to `month`, with the system's thresholds.
pub fn reliability(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> anyhow::Result<(String, Vec<YearThreshold>, Vec<reliability::Month>)> {
    let window_from = month - Months::new(12);
    let months: Vec<NaiveDate> = (0..13).map(|i| window_from + Months::new(i)).collect();
    let years: Vec<i32> = months
        .iter()
        .map(|m| m.year())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let system = stored::system_unit(project, unit)?.unwrap_or_else(|| unit.to_string());
    let (history_from, _) = reliability::threshold_window(years[0]);
    let end = month + Months::new(1);
    let (system_days, system_totals) = unit_days(project, &system, history_from, end)?;
    let system_daily = reliability::daily_saidi(&system_days, &customers_of(&system_totals));
    let thresholds = reliability::year_thresholds(&years, &system_daily);
    let meds = reliability::major_event_days(&system_daily, &thresholds);
    let out = if system == unit {
        reliability::months(&months, &system_days, &customers_of(&system_totals), &meds)
    } else {
        let (days, totals) = unit_days(project, unit, window_from, end)?;
        reliability::months(&months, &days, &customers_of(&totals), &meds)
    };
    Ok((system, thresholds, out))
}

/// The whole report; `units_below` are the units one level down (none: the unit itself).
pub fn report(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    units_below: &[String],
    progress: &Progress,
) -> anyhow::Result<ServiceReport> {
    let (system_unit, thresholds, reliability) = reliability(project, unit, month)?;
    progress.check()?;
    let list = if units_below.is_empty() {
        vec![unit.to_string()]
    } else {
        units_below.to_vec()
    };
    let units = kpi::cards_of_units(project, month, &list, Some(&UNIT_INDICATORS))?;
    progress.check()?;
    Ok(ServiceReport {
        unit_id: unit.to_string(),
        month,
        system_unit,
        thresholds,
        reliability,
        tickets_by_type: stored::tickets_by_type(project, unit, month)?,
        repeat: stored::repeat_complainers(project, unit, month)?,
        units,
    })
}
