//! What evaluation and benchmarking read from and keep in the project: the compliance
//! counts of the audit, published evaluations (inserted, never changed), the project's own
//! index systems, improvement items, peer groups and external peer figures (schema v12).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::OptionalExt;

use super::Project;

const COMPLIANCE_SQL: &str = include_str!("sql/evaluation_compliance.sql");
const AUDIT_COVERAGE_SQL: &str = include_str!("sql/evaluation_audit_coverage.sql");
const RESOURCES_SQL: &str = include_str!("sql/unit_resources_of_year.sql");
const QUERY_INDICATOR_SQL: &str = include_str!("sql/evaluation_query_indicator.sql");

/// The columns a query's indicator must return.
pub const QUERY_COLUMNS: [&str; 4] = ["unit_id", "month", "numerator", "denominator"];

/// Checks a query's indicator as a project rule is checked (one SELECT, read-only, over
/// the project's tables) and that it returns the columns it must; the problem when not.
pub fn check_query_indicator(project: &Project, query: &str) -> Result<(), String> {
    let columns = super::audit::rule_columns(project, query).map_err(|e| e.to_string())?;
    let missing: Vec<&str> = QUERY_COLUMNS
        .iter()
        .copied()
        .filter(|c| !columns.iter().any(|x| x == c))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the query must return {} (it returns {}; missing {})",
            QUERY_COLUMNS.join(", "),
            columns.join(", "),
            missing.join(", ")
        ))
    }
}

/// Every org unit's (numerator, denominator) of a query's indicator over the months
/// `first` to `last`, the query checked first; run read-only.
pub fn query_indicator(
    project: &Project,
    query: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<HashMap<String, (f64, f64)>, String> {
    check_query_indicator(project, query)?;
    let sql = QUERY_INDICATOR_SQL.replacen("{query}", query.trim().trim_end_matches(';'), 1);
    super::parser::one_statement(&sql)?;
    project
        .read_only_run(|p| {
            let mut stmt = p.conn().prepare(&sql)?;
            let rows = stmt.query_map(duckdb::params![first, last], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    (
                        r.get::<_, Option<f64>>(1)?.unwrap_or(0.0),
                        r.get::<_, Option<f64>>(2)?.unwrap_or(0.0),
                    ),
                ))
            })?;
            Ok(rows.collect::<duckdb::Result<HashMap<_, _>>>()?)
        })
        .map_err(|e| format!("{e:#}"))
}

/// The resources DEA can take as inputs, in the order `resources` gives them.
pub const RESOURCES: [&str; 6] = [
    "staff",
    "service_halls",
    "repair_vehicles",
    "operating_cost",
    "network_km",
    "transformers",
];

/// Every unit's resources in `year` (its own and those below it), in the order of
/// `RESOURCES`; None where no row gives the column.
pub fn resources(project: &Project, year: i32) -> duckdb::Result<HashMap<String, [Option<f64>; 6]>> {
    let mut stmt = project.conn().prepare_cached(RESOURCES_SQL)?;
    let rows = stmt.query_map([i64::from(year)], |r| {
        let mut v = [None; 6];
        for (i, slot) in v.iter_mut().enumerate() {
            *slot = r.get(i + 1)?;
        }
        Ok((r.get::<_, String>(0)?, v))
    })?;
    rows.collect()
}

/// A unit's audit figures for a period (with the units below it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compliance {
    /// Confirmed problems of the period by severity 1, 2, 3.
    pub confirmed: [u64; 3],
    /// Rectifications due in the period (whose date has passed, or done).
    pub due: u64,
    /// Of which rectified by their due date.
    pub on_time: u64,
}

/// Compliance of every org unit for the months `first` to `last`; `today` decides which
/// rectifications are due.
pub fn compliance(
    project: &Project,
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
) -> duckdb::Result<HashMap<String, Compliance>> {
    let mut stmt = project.conn().prepare_cached(COMPLIANCE_SQL)?;
    let rows = stmt.query_map(duckdb::params![first, last, today], |r| {
        let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
        Ok((
            r.get::<_, String>(0)?,
            Compliance {
                confirmed: [n(1)?, n(2)?, n(3)?],
                due: n(4)?,
                on_time: n(5)?,
            },
        ))
    })?;
    rows.collect()
}

/// For every org unit, how many of the months `first` to `last` an audit run covered.
pub fn audit_coverage(
    project: &Project,
    first: NaiveDate,
    last: NaiveDate,
) -> duckdb::Result<HashMap<String, u32>> {
    let mut stmt = project.conn().prepare_cached(AUDIT_COVERAGE_SQL)?;
    let rows = stmt.query_map(duckdb::params![first, last], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u32))
    })?;
    rows.collect()
}

/// SHA-256 of `text`, in hex (DuckDB's own, so no hashing crate is needed).
pub fn sha256(project: &Project, text: &str) -> duckdb::Result<String> {
    project.conn().query_row("SELECT sha256(?)", [text], |r| r.get(0))
}

/// An evaluation as published.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub evaluation_id: i64,
    pub system_name: String,
    pub system_year: i32,
    pub system_json: String,
    pub period: String,
    pub scope_unit: String,
    pub fingerprint: String,
    pub result_json: String,
    pub published_at: NaiveDateTime,
    pub published_by: String,
}

/// An improvement item to raise with a publication: unit, reason, owner unit, due date.
pub type NewItem = (String, String, String, NaiveDate);

/// Stores a published evaluation and the improvement items it raises, all or nothing;
/// refused when the same system, period and scope were published already (a published
/// result is never replaced).
pub fn publish(project: &Project, p: &Published, items: &[NewItem]) -> anyhow::Result<i64> {
    project.transaction(|tx| {
        let before: Option<NaiveDateTime> = tx
            .conn()
            .query_row(
                "SELECT published_at FROM evaluations WHERE system_name = ? AND system_year = ? AND period = ? AND scope_unit = ?",
                duckdb::params![p.system_name, p.system_year, p.period, p.scope_unit],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(at) = before {
            crate::bail_say!(
                "{} {} of {} under {} was published on {}; a published evaluation is not replaced",
                "{} {} 的 {}（{} 以下）已于 {} 发布；已发布的评价不可替换",
                p.system_name,
                p.system_year,
                p.period,
                p.scope_unit,
                at.format("%Y-%m-%d %H:%M")
            );
        }
        let id: i64 = tx.conn().query_row(
            "INSERT INTO evaluations VALUES (nextval('evaluation_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING evaluation_id",
            duckdb::params![
                p.system_name,
                p.system_year,
                p.system_json,
                p.period,
                p.scope_unit,
                p.fingerprint,
                p.result_json,
                p.published_at,
                p.published_by
            ],
            |r| r.get(0),
        )?;
        for (unit, reason, owner, due) in items {
            add_item(tx, id, unit, reason, owner, *due, None)?;
        }
        Ok(id)
    })
}

const PUBLISHED_COLUMNS: &str = "evaluation_id, system_name, system_year, system_json, period, scope_unit, fingerprint, result_json, published_at, published_by";

fn published_of_row(r: &duckdb::Row) -> duckdb::Result<Published> {
    Ok(Published {
        evaluation_id: r.get(0)?,
        system_name: r.get(1)?,
        system_year: r.get(2)?,
        system_json: r.get(3)?,
        period: r.get(4)?,
        scope_unit: r.get(5)?,
        fingerprint: r.get(6)?,
        result_json: r.get(7)?,
        published_at: r.get(8)?,
        published_by: r.get(9)?,
    })
}

/// The published evaluation of a system, period and scope, if any.
pub fn published(
    project: &Project,
    system: (&str, i32),
    period: &str,
    scope_unit: &str,
) -> duckdb::Result<Option<Published>> {
    project
        .conn()
        .query_row(
            &format!(
                "SELECT {PUBLISHED_COLUMNS} FROM evaluations WHERE system_name = ? AND system_year = ? AND period = ? AND scope_unit = ?"
            ),
            duckdb::params![system.0, system.1, period, scope_unit],
            published_of_row,
        )
        .optional()
}

/// Every published evaluation of a scope, oldest period first (a unit's grades over time).
pub fn published_of_scope(project: &Project, scope_unit: &str) -> duckdb::Result<Vec<Published>> {
    let mut stmt = project.conn().prepare(&format!(
        "SELECT {PUBLISHED_COLUMNS} FROM evaluations WHERE scope_unit = ? ORDER BY period, published_at"
    ))?;
    let rows = stmt.query_map([scope_unit], published_of_row)?;
    rows.collect()
}

/// The project's own index systems, as JSON, by name and year.
pub fn systems(project: &Project) -> duckdb::Result<Vec<(String, i32, String)>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT system_name, system_year, system_json FROM evaluation_systems ORDER BY 1, 2")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

/// Saves (or replaces) a project's own index system; the caller has checked it.
pub fn save_system(project: &Project, name: &str, year: i32, json: &str) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT OR REPLACE INTO evaluation_systems VALUES (?, ?, ?, now()::TIMESTAMP)",
        duckdb::params![name, year, json],
    )?;
    Ok(())
}

pub fn delete_system(project: &Project, name: &str, year: i32) -> duckdb::Result<()> {
    project.conn().execute(
        "DELETE FROM evaluation_systems WHERE system_name = ? AND system_year = ?",
        duckdb::params![name, year],
    )?;
    Ok(())
}

/// An improvement item raised by a published evaluation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Item {
    pub item_id: i64,
    pub evaluation_id: i64,
    pub unit_id: String,
    pub reason: String,
    pub owner_unit: String,
    pub due_on: NaiveDate,
    pub measures: Option<String>,
    pub note: Option<String>,
    pub state: String,
    /// The period of the evaluation that raised it.
    pub period: String,
}

/// Adds an improvement item; returns its id.
pub fn add_item(
    project: &Project,
    evaluation_id: i64,
    unit_id: &str,
    reason: &str,
    owner_unit: &str,
    due_on: NaiveDate,
    measures: Option<&str>,
) -> duckdb::Result<i64> {
    project.conn().query_row(
        "INSERT INTO improvement_items VALUES (nextval('improvement_seq'), ?, ?, ?, ?, ?, ?, NULL, 'open', now()::TIMESTAMP, now()::TIMESTAMP) RETURNING item_id",
        duckdb::params![evaluation_id, unit_id, reason, owner_unit, due_on, measures],
        |r| r.get(0),
    )
}

/// Changes an item's state, measures and note.
pub fn update_item(
    project: &Project,
    item_id: i64,
    state: &str,
    measures: Option<&str>,
    note: Option<&str>,
) -> anyhow::Result<()> {
    if !["open", "done"].contains(&state) {
        crate::bail_say!(
            "an improvement item is open or done, not '{state}'",
            "整改事项的状态为 open 或 done，不是“{state}”"
        );
    }
    let n = project.conn().execute(
        "UPDATE improvement_items SET state = ?, measures = ?, note = ?, updated_at = now()::TIMESTAMP WHERE item_id = ?",
        duckdb::params![state, measures, note, item_id],
    )?;
    if n == 0 {
        crate::bail_say!("no improvement item {item_id}", "没有整改事项 {item_id}");
    }
    Ok(())
}

/// The improvement items of the units under `scope_unit` (every item when None), oldest first.
pub fn items(project: &Project, scope_unit: Option<&str>) -> duckdb::Result<Vec<Item>> {
    let mut stmt = project.conn().prepare(
        "SELECT i.item_id, i.evaluation_id, i.unit_id, i.reason, i.owner_unit, i.due_on, i.measures, i.note, i.state, e.period
         FROM improvement_items i JOIN evaluations e USING (evaluation_id)
         WHERE ?1 IS NULL OR i.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?1)
         ORDER BY e.period, i.unit_id, i.item_id",
    )?;
    let rows = stmt.query_map([scope_unit], |r| {
        Ok(Item {
            item_id: r.get(0)?,
            evaluation_id: r.get(1)?,
            unit_id: r.get(2)?,
            reason: r.get(3)?,
            owner_unit: r.get(4)?,
            due_on: r.get(5)?,
            measures: r.get(6)?,
            note: r.get(7)?,
            state: r.get(8)?,
            period: r.get(9)?,
        })
    })?;
    rows.collect()
}

/// The project's peer groups: name -> units.
pub fn peer_groups(project: &Project) -> duckdb::Result<Vec<(String, Vec<String>)>> {
    let mut stmt = project.conn().prepare(
        "SELECT group_name, list(unit_id ORDER BY unit_id) FROM peer_groups GROUP BY 1 ORDER BY 1",
    )?;
    let rows = stmt.query_map([], |r| {
        let units: duckdb::types::Value = r.get(1)?;
        let units = match units {
            duckdb::types::Value::List(v) => v
                .into_iter()
                .filter_map(|u| match u {
                    duckdb::types::Value::Text(t) => Some(t),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ok((r.get::<_, String>(0)?, units))
    })?;
    rows.collect()
}

/// Replaces a peer group's units (an empty list removes the group).
pub fn set_peer_group(project: &Project, name: &str, units: &[String]) -> anyhow::Result<()> {
    project.transaction(|tx| {
        tx.conn()
            .execute("DELETE FROM peer_groups WHERE group_name = ?", [name])?;
        let mut insert = tx.conn().prepare("INSERT INTO peer_groups VALUES (?, ?)")?;
        for u in units {
            insert.execute([name, u.as_str()])?;
        }
        Ok(())
    })
}

/// One external peer figure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PeerFigure {
    pub peer: String,
    pub period: String,
    pub indicator: String,
    pub value: f64,
    pub source: Option<String>,
}

/// Adds (or replaces, by peer, period and indicator) external figures, all or none.
pub fn import_peer_figures(project: &Project, figures: &[PeerFigure]) -> anyhow::Result<usize> {
    project.transaction(|tx| {
        let mut insert = tx
            .conn()
            .prepare("INSERT OR REPLACE INTO benchmark_peers VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)")?;
        for f in figures {
            insert.execute(duckdb::params![f.peer, f.period, f.indicator, f.value, f.source])?;
        }
        Ok(figures.len())
    })
}

/// The external figures of a period.
pub fn peer_figures(project: &Project, period: &str) -> duckdb::Result<Vec<PeerFigure>> {
    let mut stmt = project.conn().prepare(
        "SELECT peer, period, indicator, value, source FROM benchmark_peers WHERE period = ? ORDER BY peer, indicator",
    )?;
    let rows = stmt.query_map([period], |r| {
        Ok(PeerFigure {
            peer: r.get(0)?,
            period: r.get(1)?,
            indicator: r.get(2)?,
            value: r.get(3)?,
            source: r.get(4)?,
        })
    })?;
    rows.collect()
}
