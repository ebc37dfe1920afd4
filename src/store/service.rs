//! What the service-quality page reads: interruptions per day (for major event days),
//! tickets by type, repeat complainers.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;

use super::Project;

const DAILY_OUTAGES: &str = include_str!("sql/service_daily_outages.sql");
const TICKETS_BY_TYPE: &str = include_str!("sql/service_tickets_by_type.sql");
const REPEAT_COMPLAINERS: &str = include_str!("sql/service_repeat_complainers.sql");
/// The top of the org tree above a unit (the unit itself when it is the top).
const SYSTEM_UNIT: &str = "SELECT oc.ancestor_id FROM org_closure oc \
     JOIN org_units o ON o.unit_id = oc.ancestor_id \
     WHERE oc.unit_id = $1 AND o.parent_id IS NULL ORDER BY oc.ancestor_id LIMIT 1";

/// The system (top unit) whose days decide the major event days of `unit`; None for a unit
/// that is not in the org tree.
pub fn system_unit(project: &Project, unit: &str) -> duckdb::Result<Option<String>> {
    use duckdb::OptionalExt;
    project
        .conn()
        .query_row(SYSTEM_UNIT, params![unit], |r| r.get(0))
        .optional()
}

/// (day, customer-minutes, customers interrupted) of the days with interruptions.
pub fn daily_outages(
    project: &Project,
    unit: &str,
    from: NaiveDate,
    to_excl: NaiveDate,
) -> duckdb::Result<Vec<(NaiveDate, f64, f64)>> {
    let mut stmt = project.conn().prepare(DAILY_OUTAGES)?;
    let rows = stmt.query_map(params![unit, from, to_excl], |r| {
        Ok((
            r.get(0)?,
            r.get::<_, Option<f64>>(1)?.unwrap_or(0.0),
            r.get::<_, Option<f64>>(2)?.unwrap_or(0.0),
        ))
    })?;
    rows.collect()
}

pub fn tickets_by_type(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<Vec<(String, u64)>> {
    let mut stmt = project.conn().prepare(TICKETS_BY_TYPE)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64))
    })?;
    rows.collect()
}

/// A customer who complained again within 30 days.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RepeatComplainer {
    pub customer_id: String,
    pub unit_id: String,
    pub complaints: u64,
    pub first_at: NaiveDateTime,
    pub last_at: NaiveDateTime,
}

pub fn repeat_complainers(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<Vec<RepeatComplainer>> {
    let mut stmt = project.conn().prepare(REPEAT_COMPLAINERS)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok(RepeatComplainer {
            customer_id: r.get(0)?,
            unit_id: r.get(1)?,
            complaints: r.get::<_, i64>(2)?.max(0) as u64,
            first_at: r.get(3)?,
            last_at: r.get(4)?,
        })
    })?;
    rows.collect()
}
