//! What data quality keeps in the project: runs and their counts, the first failing rows of
//! each check, the project's checks and values, the worklist and its append-only trail,
//! warnings and their acknowledgements. The scans themselves run here too, in a read-only
//! transaction (a project check's SQL cannot write).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::types::Value;
use duckdb::{OptionalExt, params};

use serde::Serialize;

use super::Project;
use super::queries::value_to_string;

/// One row of a table's counting scan: per check, (tested, failing).
#[derive(Debug, Clone)]
pub struct CountRow {
    pub unit: Option<String>,
    pub month: Option<NaiveDate>,
    pub counts: Vec<(u64, u64)>,
}

/// One row of a table's picking scan: per check, its first failing rows (key, values shown).
#[derive(Debug, Clone)]
pub struct KeptRow {
    pub unit: Option<String>,
    pub month: Option<NaiveDate>,
    pub kept: Vec<Vec<(String, Vec<Option<String>>)>>,
}

/// A table-level check's row: its unit's counts and shown values.
#[derive(Debug, Clone)]
pub struct LevelRow {
    pub unit: Option<String>,
    pub month: Option<NaiveDate>,
    pub tested: u64,
    pub failing: u64,
    pub key: String,
    pub vals: Vec<Option<String>>,
}

fn list(v: Value) -> Vec<Option<String>> {
    match v {
        Value::List(items) | Value::Array(items) => items
            .into_iter()
            .map(|x| match x {
                Value::Null => None,
                other => Some(value_to_string(&other)),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The kept rows of a scan: a list of {k, v} structs.
fn kept(v: Value) -> Vec<(String, Vec<Option<String>>)> {
    let items = match v {
        Value::List(items) | Value::Array(items) => items,
        _ => return Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|item| match item {
            Value::Struct(fields) => {
                let mut key = None;
                let mut vals = Vec::new();
                for (name, f) in fields.iter() {
                    match name.as_str() {
                        "k" => key = Some(value_to_string(f)),
                        "v" => vals = list(f.clone()),
                        _ => {}
                    }
                }
                Some((key?, vals))
            }
            _ => None,
        })
        .collect()
}

fn count(v: i64) -> u64 {
    v.max(0) as u64
}

/// Runs a counting scan (`dq::compile::counts_sql`) of `checks` checks.
pub fn scan_counts(project: &Project, sql: &str, checks: usize) -> anyhow::Result<Vec<CountRow>> {
    project.read_only_run(|p| {
        let mut stmt = p.conn().prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            let mut counts = Vec::with_capacity(checks);
            for i in 0..checks {
                counts.push((count(r.get(2 + 2 * i)?), count(r.get(3 + 2 * i)?)));
            }
            Ok(CountRow {
                unit: r.get(0)?,
                month: r.get(1)?,
                counts,
            })
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    })
}

/// Runs a picking scan (`dq::compile::kept_sql`) of `checks` checks.
pub fn scan_kept(project: &Project, sql: &str, checks: usize) -> anyhow::Result<Vec<KeptRow>> {
    project.read_only_run(|p| {
        let mut stmt = p.conn().prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            let mut rows = Vec::with_capacity(checks);
            for i in 0..checks {
                rows.push(kept(r.get(2 + i)?));
            }
            Ok(KeptRow {
                unit: r.get(0)?,
                month: r.get(1)?,
                kept: rows,
            })
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    })
}

/// Runs a table-level check (`dq::compile::table_level_sql`).
pub fn scan_level(project: &Project, sql: &str) -> anyhow::Result<Vec<LevelRow>> {
    project.read_only_run(|p| {
        let mut stmt = p.conn().prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(LevelRow {
                unit: r.get(0)?,
                month: r.get(1)?,
                tested: count(r.get(2)?),
                failing: count(r.get(3)?),
                key: r.get(4)?,
                vals: list(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    })
}

/// Runs a query to see that it runs (a check being saved), reading nothing back.
pub fn probe(project: &Project, sql: &str) -> anyhow::Result<()> {
    project.read_only_run(|p| {
        p.conn().prepare(sql)?.query([])?.next()?;
        Ok(())
    })
}

/// The last month of the data: the latest month of the reads, bills and line loss.
pub fn data_period(project: &Project) -> duckdb::Result<Option<NaiveDate>> {
    project.conn().query_row(
        "SELECT max(m) FROM (SELECT max(billing_month) AS m FROM bills UNION ALL \
         SELECT max(billing_month) FROM meter_reads UNION ALL SELECT max(month) FROM line_loss)",
        [],
        |r| r.get(0),
    )
}

/// The project's values: parameter values, weights, thresholds, `enabled` = 0 for a check
/// turned off.
pub fn settings(project: &Project) -> duckdb::Result<BTreeMap<(String, String), f64>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT check_id, name, value FROM dq_settings")?;
    let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    rows.collect()
}

pub fn set_setting(project: &Project, check_id: &str, name: &str, value: f64) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT OR REPLACE INTO dq_settings VALUES (?, ?, ?, current_timestamp::TIMESTAMP)",
        params![check_id, name, value],
    )?;
    Ok(())
}

pub fn reset_settings(project: &Project, check_id: &str) -> duckdb::Result<()> {
    project
        .conn()
        .execute("DELETE FROM dq_settings WHERE check_id = ?", [check_id])?;
    Ok(())
}

/// The project's own checks, as the JSON they were saved with.
pub fn project_checks(project: &Project) -> duckdb::Result<Vec<(String, String)>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT check_id, meta FROM dq_project_checks ORDER BY check_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn save_project_check(project: &Project, id: &str, meta: &str) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT OR REPLACE INTO dq_project_checks VALUES (?, ?, current_timestamp::TIMESTAMP)",
        params![id, meta],
    )?;
    Ok(())
}

pub fn delete_project_check(project: &Project, id: &str) -> duckdb::Result<()> {
    project
        .conn()
        .execute("DELETE FROM dq_project_checks WHERE check_id = ?", [id])?;
    Ok(())
}

/// One stored count.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub check_id: String,
    pub unit: Option<String>,
    pub month: Option<NaiveDate>,
    pub tested: u64,
    pub failing: u64,
}

/// One stored failing row.
#[derive(Debug, Clone)]
pub struct FailingRow {
    pub check_id: String,
    pub unit: Option<String>,
    pub month: Option<NaiveDate>,
    pub key: String,
    /// JSON array of the shown values.
    pub vals: String,
}

/// A run as stored.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub run_id: i64,
    pub started_at: NaiveDateTime,
    pub finished_at: NaiveDateTime,
    pub trigger: String,
    pub scope: String,
    pub checks: u64,
    pub settings: String,
    pub errors: Option<String>,
}

/// Stores a run: its record, counts and failing rows (inside the caller's transaction).
/// Returns the run's id.
pub fn insert_run(
    project: &Project,
    record: &RunRecord,
    results: &[ResultRow],
    failing: &[FailingRow],
) -> anyhow::Result<i64> {
    let c = project.conn();
    let run_id: i64 = c.query_row("SELECT nextval('dq_run_seq')", [], |r| r.get(0))?;
    c.execute(
        "INSERT INTO dq_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            run_id,
            record.started_at,
            record.finished_at,
            record.trigger,
            record.scope,
            record.checks as i64,
            record.settings,
            record.errors
        ],
    )?;
    add_results(project, run_id, results, failing)?;
    Ok(run_id)
}

/// Each unit's last month with rows of a table, read from a stored run's counts (`checks`:
/// the table's row checks, whose counts cover every month of its rows); None for the whole
/// table when `per_unit` is false.
pub fn last_months(
    project: &Project,
    run_id: i64,
    checks: &[String],
    per_unit: bool,
) -> duckdb::Result<Vec<(Option<String>, NaiveDate)>> {
    if checks.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = checks.iter().map(|c| super::quote_literal(c)).collect();
    let unit = if per_unit { "unit_id" } else { "NULL::VARCHAR" };
    let mut stmt = project.conn().prepare(&format!(
        "SELECT {unit}, max(month) FROM dq_results WHERE run_id = ? AND tested > 0 AND month IS NOT NULL \
         AND check_id IN ({}) GROUP BY 1 ORDER BY 1",
        ids.join(", ")
    ))?;
    let rows = stmt.query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Adds counts and failing rows to a stored run.
pub fn add_results(
    project: &Project,
    run_id: i64,
    results: &[ResultRow],
    failing: &[FailingRow],
) -> duckdb::Result<()> {
    let c = project.conn();
    {
        let mut app = c.appender("dq_results")?;
        for r in results {
            app.append_row(params![
                run_id,
                r.check_id,
                r.unit,
                r.month,
                r.tested as i64,
                r.failing as i64
            ])?;
        }
        app.flush()?;
    }
    let mut app = c.appender("dq_failing")?;
    for f in failing {
        app.append_row(params![run_id, f.check_id, f.unit, f.month, f.key, f.vals])?;
    }
    app.flush()
}

fn run_record(r: &duckdb::Row<'_>) -> duckdb::Result<RunRecord> {
    Ok(RunRecord {
        run_id: r.get(0)?,
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        trigger: r.get(3)?,
        scope: r.get(4)?,
        checks: count(r.get(5)?),
        settings: r.get(6)?,
        errors: r.get(7)?,
    })
}

/// Every run, oldest first.
pub fn runs(project: &Project) -> duckdb::Result<Vec<RunRecord>> {
    let mut stmt = project.conn().prepare(
        "SELECT run_id, started_at, finished_at, trigger, scope, checks, settings, errors FROM dq_runs ORDER BY run_id",
    )?;
    let rows = stmt.query_map([], run_record)?;
    rows.collect()
}

pub fn last_run(project: &Project) -> duckdb::Result<Option<RunRecord>> {
    project
        .conn()
        .query_row(
            "SELECT run_id, started_at, finished_at, trigger, scope, checks, settings, errors FROM dq_runs ORDER BY run_id DESC LIMIT 1",
            [],
            run_record,
        )
        .optional()
}

/// A run's counts (all of them: a few per check, unit and month).
pub fn results(project: &Project, run_id: i64) -> duckdb::Result<Vec<ResultRow>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT check_id, unit_id, month, tested, failing FROM dq_results WHERE run_id = ?")?;
    let rows = stmt.query_map([run_id], |r| {
        Ok(ResultRow {
            check_id: r.get(0)?,
            unit: r.get(1)?,
            month: r.get(2)?,
            tested: count(r.get(3)?),
            failing: count(r.get(4)?),
        })
    })?;
    rows.collect()
}

/// The top of the org tree.
pub fn top_unit(project: &Project) -> duckdb::Result<Option<String>> {
    project
        .conn()
        .query_row(
            "SELECT unit_id FROM org_units WHERE parent_id IS NULL ORDER BY unit_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()
}

/// Counts per check summed over a unit's subtree (None: the whole project; rows of no unit,
/// the project's reference data, count for every unit), for `runs` (empty: every run):
/// (run, check, tested, failing).
pub fn sums_in(
    project: &Project,
    unit: Option<&str>,
    runs: &[i64],
) -> duckdb::Result<Vec<(i64, String, u64, u64)>> {
    let filter = if runs.is_empty() {
        String::new()
    } else {
        format!(
            "AND r.run_id IN ({})",
            runs.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", ")
        )
    };
    let sql = format!(
        "SELECT r.run_id, r.check_id, sum(r.tested)::BIGINT, sum(r.failing)::BIGINT FROM dq_results r \
         WHERE (?::VARCHAR IS NULL OR r.unit_id IS NULL OR r.unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?)) {filter} \
         GROUP BY ALL ORDER BY 1, 2"
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map(params![unit, unit], |r| {
        Ok((r.get(0)?, r.get(1)?, count(r.get(2)?), count(r.get(3)?)))
    })?;
    rows.collect()
}

/// Counts per check for each unit directly below `unit` (its subtree), in one run:
/// (child unit, check, tested, failing). Rows of no unit are left out: they are no child's.
pub fn sums_by_child(
    project: &Project,
    unit: &str,
    run_id: i64,
) -> duckdb::Result<Vec<(String, String, u64, u64)>> {
    let mut stmt = project.conn().prepare(
        "SELECT cl.ancestor_id, r.check_id, sum(r.tested)::BIGINT, sum(r.failing)::BIGINT \
         FROM dq_results r JOIN org_closure cl ON cl.unit_id = r.unit_id \
         WHERE r.run_id = ? AND cl.ancestor_id IN (SELECT unit_id FROM org_units WHERE parent_id = ?) \
         GROUP BY ALL ORDER BY 1, 2",
    )?;
    let rows = stmt.query_map(params![run_id, unit], |r| {
        Ok((r.get(0)?, r.get(1)?, count(r.get(2)?), count(r.get(3)?)))
    })?;
    rows.collect()
}

/// Counts per unit (each row's own unit) of one check in a run, within `unit`'s subtree.
pub fn check_by_unit(
    project: &Project,
    run_id: i64,
    check_id: &str,
    unit: Option<&str>,
) -> duckdb::Result<Vec<(Option<String>, u64, u64)>> {
    let mut stmt = project.conn().prepare(
        "SELECT r.unit_id, sum(r.tested)::BIGINT, sum(r.failing)::BIGINT FROM dq_results r \
         WHERE r.run_id = ? AND r.check_id = ? AND (?::VARCHAR IS NULL OR r.unit_id IS NULL OR r.unit_id IN \
         (SELECT unit_id FROM org_closure WHERE ancestor_id = ?)) GROUP BY 1 ORDER BY 3 DESC, 1",
    )?;
    let rows = stmt.query_map(params![run_id, check_id, unit, unit], |r| {
        Ok((r.get(0)?, count(r.get(1)?), count(r.get(2)?)))
    })?;
    rows.collect()
}

/// The stored failing rows of one check in a run, within `unit`'s subtree (all checks when
/// `check_id` is None).
pub fn failing_rows(
    project: &Project,
    run_id: i64,
    check_id: Option<&str>,
    unit: Option<&str>,
) -> duckdb::Result<Vec<FailingRow>> {
    let mut stmt = project.conn().prepare(
        "SELECT check_id, unit_id, month, row_key, vals FROM dq_failing \
         WHERE run_id = ? AND (?::VARCHAR IS NULL OR check_id = ?) AND (?::VARCHAR IS NULL OR unit_id IS NULL OR unit_id IN \
         (SELECT unit_id FROM org_closure WHERE ancestor_id = ?)) ORDER BY check_id, unit_id, month, row_key",
    )?;
    let rows = stmt.query_map(params![run_id, check_id, check_id, unit, unit], |r| {
        Ok(FailingRow {
            check_id: r.get(0)?,
            unit: r.get(1)?,
            month: r.get(2)?,
            key: r.get(3)?,
            vals: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// The counts and failing rows of a run for the checks not in `redone`, or for months
/// before `from` of the checks in `redone` (what an incremental run keeps): copied into
/// `into`.
pub fn carry_over(
    project: &Project,
    from_run: i64,
    into: i64,
    redone: &[(String, Option<NaiveDate>)],
) -> duckdb::Result<()> {
    let c = project.conn();
    c.execute_batch("CREATE OR REPLACE TEMP TABLE dq_redone (check_id VARCHAR, from_month DATE)")?;
    {
        let mut app = c.appender("dq_redone")?;
        for (id, from) in redone {
            app.append_row(params![id, from])?;
        }
        app.flush()?;
    }
    let kept = "NOT EXISTS (SELECT 1 FROM dq_redone d WHERE d.check_id = x.check_id \
                AND (d.from_month IS NULL OR x.month IS NULL OR x.month >= d.from_month))";
    c.execute(
        &format!(
            "INSERT INTO dq_results SELECT ?, check_id, unit_id, month, tested, failing FROM dq_results x WHERE run_id = ? AND {kept}"
        ),
        params![into, from_run],
    )?;
    c.execute(
        &format!(
            "INSERT INTO dq_failing SELECT ?, check_id, unit_id, month, row_key, vals FROM dq_failing x WHERE run_id = ? AND {kept}"
        ),
        params![into, from_run],
    )?;
    c.execute_batch("DROP TABLE dq_redone")?;
    Ok(())
}

/// What imports changed since the last run: per table, the first month (None: all).
pub fn pending(project: &Project) -> duckdb::Result<BTreeMap<String, Option<NaiveDate>>> {
    let mut stmt = project.conn().prepare(
        "SELECT table_name, CASE WHEN count(*) FILTER (WHERE from_month IS NULL) > 0 THEN NULL ELSE min(from_month) END \
         FROM dq_pending GROUP BY 1",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn clear_pending(project: &Project) -> duckdb::Result<()> {
    project.conn().execute_batch("DELETE FROM dq_pending")
}

/// Notes that an import changes `table` from `from` on (None: all of it).
pub fn note_pending(project: &Project, table: &str, from: Option<NaiveDate>) -> duckdb::Result<()> {
    project
        .conn()
        .execute("INSERT INTO dq_pending VALUES (?, ?)", params![table, from])?;
    Ok(())
}

/// A worklist item.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub item_key: String,
    pub check_id: String,
    pub unit: Option<String>,
    pub status: String,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub failing: u64,
    pub first_run_id: i64,
    pub last_run_id: i64,
    pub updated_at: NaiveDateTime,
}

/// One change of an item, as the trail keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct TrailEntry {
    pub item_key: String,
    pub changed_at: NaiveDateTime,
    pub actor: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: Option<String>,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
}

/// A run's failing rows per check and unit.
pub fn failing_by_unit(project: &Project, run_id: i64) -> duckdb::Result<Vec<(String, Option<String>, u64)>> {
    let mut stmt = project.conn().prepare(
        "SELECT check_id, unit_id, sum(failing)::BIGINT FROM dq_results WHERE run_id = ? GROUP BY ALL",
    )?;
    let rows = stmt.query_map([run_id], |r| Ok((r.get(0)?, r.get(1)?, count(r.get(2)?))))?;
    rows.collect()
}

const ITEM_COLUMNS: &str =
    "item_key, check_id, unit_id, status, owner, due_on, failing, first_run_id, last_run_id, updated_at";

fn item_row(r: &duckdb::Row<'_>) -> duckdb::Result<Item> {
    Ok(Item {
        item_key: r.get(0)?,
        check_id: r.get(1)?,
        unit: r.get(2)?,
        status: r.get(3)?,
        owner: r.get(4)?,
        due_on: r.get(5)?,
        failing: count(r.get(6)?),
        first_run_id: r.get(7)?,
        last_run_id: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

/// The items of a unit's subtree (None: all), the most failing rows first.
pub fn items(project: &Project, unit: Option<&str>) -> duckdb::Result<Vec<Item>> {
    let mut stmt = project.conn().prepare(&format!(
        "SELECT {ITEM_COLUMNS} FROM dq_items WHERE ?::VARCHAR IS NULL OR unit_id IS NULL OR unit_id IN \
         (SELECT unit_id FROM org_closure WHERE ancestor_id = ?) ORDER BY failing DESC, item_key"
    ))?;
    let rows = stmt.query_map(params![unit, unit], item_row)?;
    rows.collect()
}

pub fn item(project: &Project, key: &str) -> duckdb::Result<Option<Item>> {
    project
        .conn()
        .query_row(
            &format!("SELECT {ITEM_COLUMNS} FROM dq_items WHERE item_key = ?"),
            [key],
            item_row,
        )
        .optional()
}

pub fn insert_item(
    project: &Project,
    key: &str,
    check_id: &str,
    unit: Option<&str>,
    failing: u64,
    run_id: i64,
    now: NaiveDateTime,
) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT INTO dq_items VALUES (?, ?, ?, 'open', NULL, NULL, ?, ?, ?, ?)",
        params![key, check_id, unit, failing as i64, run_id, run_id, now],
    )?;
    Ok(())
}

/// A run's news for items, all in one statement: (key, state, failing rows).
pub fn update_items(
    project: &Project,
    updates: &[(String, &str, u64)],
    run_id: i64,
    now: NaiveDateTime,
) -> duckdb::Result<()> {
    let c = project.conn();
    c.execute_batch(
        "CREATE OR REPLACE TEMP TABLE dq_item_news (item_key VARCHAR, status VARCHAR, failing BIGINT)",
    )?;
    {
        let mut app = c.appender("dq_item_news")?;
        for (key, status, failing) in updates {
            app.append_row(params![key, status, *failing as i64])?;
        }
        app.flush()?;
    }
    c.execute(
        "UPDATE dq_items SET updated_at = CASE WHEN dq_items.status <> n.status THEN ?::TIMESTAMP ELSE updated_at END, \
         status = n.status, failing = n.failing, last_run_id = ? FROM dq_item_news n WHERE dq_items.item_key = n.item_key",
        params![now, run_id],
    )?;
    c.execute_batch("DROP TABLE dq_item_news")
}

/// A person's change of an item's state, owner or due date.
pub fn set_item_state(
    project: &Project,
    key: &str,
    status: &str,
    owner: Option<&str>,
    due_on: Option<NaiveDate>,
    now: NaiveDateTime,
) -> duckdb::Result<()> {
    project.conn().execute(
        "UPDATE dq_items SET status = ?, owner = ?, due_on = ?, updated_at = ? WHERE item_key = ?",
        params![status, owner, due_on, now, key],
    )?;
    Ok(())
}

pub fn append_trail(project: &Project, e: &TrailEntry) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT INTO dq_trail VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            e.item_key,
            e.changed_at,
            e.actor,
            e.from_status,
            e.to_status,
            e.note,
            e.owner,
            e.due_on
        ],
    )?;
    Ok(())
}

/// An item's trail, oldest first.
pub fn trail(project: &Project, key: &str) -> duckdb::Result<Vec<TrailEntry>> {
    let mut stmt = project.conn().prepare(
        "SELECT item_key, changed_at, actor, from_status, to_status, note, owner, due_on FROM dq_trail \
         WHERE item_key = ? ORDER BY changed_at, rowid",
    )?;
    let rows = stmt.query_map([key], |r| {
        Ok(TrailEntry {
            item_key: r.get(0)?,
            changed_at: r.get(1)?,
            actor: r.get(2)?,
            from_status: r.get(3)?,
            to_status: r.get(4)?,
            note: r.get(5)?,
            owner: r.get(6)?,
            due_on: r.get(7)?,
        })
    })?;
    rows.collect()
}

/// The first `limit` rows of `dq::compile::all_failing_sql`: (unit, key, the values shown as
/// a JSON object by `names`).
pub fn all_failing(
    project: &Project,
    sql: &str,
    names: &[String],
    limit: usize,
) -> anyhow::Result<Vec<(Option<String>, String, serde_json::Value)>> {
    project.read_only_run(|p| {
        let mut stmt = p.conn().prepare(&format!(
            "SELECT dq_unit, dq_key, dq_vals FROM ({sql}) LIMIT {limit}"
        ))?;
        let rows = stmt.query_map([], |r| {
            let vals = list(r.get(2)?);
            let mut m = serde_json::Map::new();
            for (i, v) in vals.into_iter().enumerate() {
                let name = names.get(i).cloned().unwrap_or_else(|| "reason".to_string());
                m.insert(
                    name,
                    v.map(serde_json::Value::String)
                        .unwrap_or(serde_json::Value::Null),
                );
            }
            Ok((r.get(0)?, r.get(1)?, serde_json::Value::Object(m)))
        })?;
        Ok(rows.collect::<duckdb::Result<Vec<_>>>()?)
    })
}

/// A warning of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub run_id: i64,
    pub warning_key: String,
    pub kind: String,
    pub check_id: Option<String>,
    pub table_name: Option<String>,
    pub unit: Option<String>,
    pub month: Option<NaiveDate>,
    pub metric: Option<String>,
    pub value: Option<f64>,
    pub expected: Option<f64>,
    pub message_en: String,
    pub message_zh: String,
}

impl Warning {
    pub fn message(&self, zh: bool) -> &str {
        if zh { &self.message_zh } else { &self.message_en }
    }
}

pub fn insert_warnings(project: &Project, warnings: &[Warning]) -> duckdb::Result<()> {
    let mut app = project.conn().appender("dq_warnings")?;
    for w in warnings {
        app.append_row(params![
            w.run_id,
            w.warning_key,
            w.kind,
            w.check_id,
            w.table_name,
            w.unit,
            w.month,
            w.metric,
            w.value,
            w.expected,
            w.message_en,
            w.message_zh
        ])?;
    }
    app.flush()
}

/// The warnings of the last run that nobody acknowledged, the monthly figures first.
pub fn open_warnings(project: &Project) -> duckdb::Result<Vec<Warning>> {
    let mut stmt = project.conn().prepare(
        "SELECT run_id, warning_key, kind, check_id, table_name, unit_id, month, metric, value, expected, message_en, message_zh \
         FROM dq_warnings w WHERE run_id = (SELECT max(run_id) FROM dq_runs) \
         AND NOT EXISTS (SELECT 1 FROM dq_acknowledged a WHERE a.warning_key = w.warning_key) \
         ORDER BY CASE kind WHEN 'out_of_band' THEN 0 WHEN 'stale' THEN 1 WHEN 'score_drop' THEN 2 ELSE 3 END, warning_key",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Warning {
            run_id: r.get(0)?,
            warning_key: r.get(1)?,
            kind: r.get(2)?,
            check_id: r.get(3)?,
            table_name: r.get(4)?,
            unit: r.get(5)?,
            month: r.get(6)?,
            metric: r.get(7)?,
            value: r.get(8)?,
            expected: r.get(9)?,
            message_en: r.get(10)?,
            message_zh: r.get(11)?,
        })
    })?;
    rows.collect()
}

/// Copies a run's warnings of a kind about `tables` into a later run (what did not change).
pub fn copy_warnings(
    project: &Project,
    from_run: i64,
    into: i64,
    kind: &str,
    tables: &[String],
) -> duckdb::Result<()> {
    for t in tables {
        project.conn().execute(
            "INSERT INTO dq_warnings SELECT ?, warning_key, kind, check_id, table_name, unit_id, month, metric, value, \
             expected, message_en, message_zh FROM dq_warnings WHERE run_id = ? AND kind = ? AND table_name = ?",
            params![into, from_run, kind, t],
        )?;
    }
    Ok(())
}

pub fn acknowledge(project: &Project, key: &str, actor: &str, note: Option<&str>) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT OR REPLACE INTO dq_acknowledged VALUES (?, current_timestamp::TIMESTAMP, ?, ?)",
        params![key, actor, note],
    )?;
    Ok(())
}

pub fn acknowledged_keys(project: &Project) -> duckdb::Result<std::collections::BTreeSet<String>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT warning_key FROM dq_acknowledged")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// A table's monthly figures (`dq::warnings::figures`: name, SQL aggregate), month by month,
/// from the month `from` on (None: all), computed from the data and kept in `dq_figures` in
/// place of those months; then every month kept, metric by metric.
pub fn refresh_figures(
    project: &Project,
    table: &str,
    period_column: &str,
    figures: &[(String, String, crate::dq::warnings::Measure)],
    from: Option<NaiveDate>,
) -> duckdb::Result<BTreeMap<String, BTreeMap<NaiveDate, f64>>> {
    let c = project.conn();
    let kept: i64 = c.query_row(
        "SELECT count(*) FROM dq_figures WHERE table_name = ?",
        [table],
        |r| r.get(0),
    )?;
    // Without figures kept (a first run), every month is computed.
    let from = from.filter(|_| kept > 0);
    let since = from
        .map(|m| format!("WHERE {period_column} >= DATE '{m}'"))
        .unwrap_or_default();
    c.execute(
        "DELETE FROM dq_figures WHERE table_name = ? AND (?::DATE IS NULL OR month >= ?::DATE)",
        params![table, from, from],
    )?;
    let computed = monthly_figures(project, table, period_column, &since, figures)?;
    {
        let mut app = c.appender("dq_figures")?;
        for (m, vals) in &computed {
            for ((name, _, _), v) in figures.iter().zip(vals) {
                app.append_row(params![table, m, name, v])?;
            }
        }
        app.flush()?;
    }
    let mut stmt =
        c.prepare("SELECT metric, month, value FROM dq_figures WHERE table_name = ? AND value IS NOT NULL")?;
    let rows = stmt.query_map([table], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, NaiveDate>(1)?,
            r.get::<_, f64>(2)?,
        ))
    })?;
    let mut out: BTreeMap<String, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for row in rows {
        let (metric, month, value) = row?;
        out.entry(metric).or_default().insert(month, value);
    }
    Ok(out)
}

fn monthly_figures(
    project: &Project,
    table: &str,
    period_column: &str,
    filter: &str,
    figures: &[(String, String, crate::dq::warnings::Measure)],
) -> duckdb::Result<Vec<(NaiveDate, Vec<Option<f64>>)>> {
    let aggs: Vec<String> = figures
        .iter()
        .map(|(_, sql, _)| format!("({sql})::DOUBLE"))
        .collect();
    let sql = format!(
        "SELECT date_trunc('month', {period_column})::DATE AS m, {} FROM {table} {filter} GROUP BY 1 ORDER BY 1",
        aggs.join(", ")
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        let mut vals = Vec::with_capacity(figures.len());
        for i in 0..figures.len() {
            vals.push(r.get::<_, Option<f64>>(i + 1)?);
        }
        Ok((r.get(0)?, vals))
    })?;
    rows.collect()
}

/// The plain statistics of a column (table and column come from the model).
pub struct ColumnStats {
    pub rows: u64,
    pub nulls: u64,
    pub blanks: u64,
    pub distinct: u64,
    pub min: Option<String>,
    pub max: Option<String>,
    pub mean: Option<f64>,
}

pub fn column_stats(project: &Project, table: &str, column: &str, text: bool) -> duckdb::Result<ColumnStats> {
    let blanks = if text {
        format!("count(*) FILTER (WHERE trim({column}) = '')")
    } else {
        "0".to_string()
    };
    let mean = if text {
        "NULL::DOUBLE".to_string()
    } else {
        format!("try_cast(avg(try_cast({column} AS DOUBLE)) AS DOUBLE)")
    };
    let sql = format!(
        "SELECT count(*), count(*) FILTER (WHERE {column} IS NULL), {blanks}, count(DISTINCT {column}), \
         min({column})::VARCHAR, max({column})::VARCHAR, {mean} FROM {table}"
    );
    project.conn().query_row(&sql, [], |r| {
        Ok(ColumnStats {
            rows: count(r.get(0)?),
            nulls: count(r.get(1)?),
            blanks: count(r.get(2)?),
            distinct: count(r.get(3)?),
            min: r.get(4)?,
            max: r.get(5)?,
            mean: r.get(6)?,
        })
    })
}

pub fn top_values(
    project: &Project,
    table: &str,
    column: &str,
    n: usize,
) -> duckdb::Result<Vec<(String, u64)>> {
    let sql = format!(
        "SELECT {column}::VARCHAR, count(*) AS n FROM {table} WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT {n}"
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, count(r.get(1)?))))?;
    rows.collect()
}

/// Equal-width bins between the 1st and 99th percentiles of the column (a date as its day
/// number), so that a few extreme values do not squeeze the rest into one bar; the values
/// beyond them counted in a first and a last bin. (lower, upper, rows).
pub fn histogram(
    project: &Project,
    table: &str,
    column: &str,
    date: bool,
    bins: usize,
) -> duckdb::Result<Vec<(String, String, u64)>> {
    let x = if date {
        format!("epoch({column}::TIMESTAMP) / 86400.0")
    } else {
        format!("{column}::DOUBLE")
    };
    let sql = format!(
        "WITH v AS (SELECT {x} AS x FROM {table} WHERE {column} IS NOT NULL), \
         r AS (SELECT quantile_cont(x, 0.01) AS lo, quantile_cont(x, 0.99) AS hi, min(x) AS mn, max(x) AS mx FROM v) \
         SELECT CASE WHEN x < lo THEN -1 WHEN x > hi THEN {bins} \
                ELSE least(floor((x - lo) / nullif(hi - lo, 0) * {bins}), {bins} - 1) END::INTEGER AS b, \
                count(*), any_value(lo), any_value(hi), any_value(mn), any_value(mx) \
         FROM v, r GROUP BY 1 ORDER BY 1"
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows: Vec<(Option<i64>, i64, f64, f64, f64, f64)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?
        .collect::<duckdb::Result<_>>()?;
    let show = |v: f64| -> String {
        if date {
            chrono::DateTime::from_timestamp((v * 86400.0) as i64, 0)
                .map(|d| d.date_naive().to_string())
                .unwrap_or_default()
        } else {
            let r = (v * 100.0).round() / 100.0;
            format!("{r}")
        }
    };
    Ok(rows
        .into_iter()
        .map(|(b, n, lo, hi, mn, mx)| {
            let b = b.unwrap_or(0);
            let width = (hi - lo) / bins as f64;
            let (from, to) = if b < 0 {
                (mn, lo)
            } else if b >= bins as i64 {
                (hi, mx)
            } else {
                (lo + b as f64 * width, lo + (b as f64 + 1.0) * width)
            };
            (show(from), show(to), count(n))
        })
        .collect())
}

/// The commonest shapes of a text column's values.
pub fn patterns(
    project: &Project,
    table: &str,
    column: &str,
    n: usize,
) -> duckdb::Result<Vec<(String, u64)>> {
    let sql = format!(
        "SELECT regexp_replace(regexp_replace(regexp_replace({column}, '[0-9]', '9', 'g'), '[A-Za-z]', 'A', 'g'), \
         '[^\\x00-\\x7F]', '汉', 'g') AS shape, count(*) AS n FROM {table} WHERE {column} IS NOT NULL \
         GROUP BY 1 ORDER BY n DESC, 1 LIMIT {n}"
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, count(r.get(1)?))))?;
    rows.collect()
}

/// Notes the rows of `table` in `relation` (a SELECT or a table name), about to be added or
/// deleted by an import: the next run redoes that table from their first month.
pub fn note_rows(project: &Project, table: &crate::model::Table, relation: &str) -> duckdb::Result<()> {
    let first = match table.period_column {
        Some(c) => format!("min(date_trunc('month', {c}))::DATE"),
        None => "NULL::DATE".to_string(),
    };
    project.conn().execute_batch(&format!(
        "INSERT INTO dq_pending SELECT '{}', {first} FROM ({relation}) HAVING count(*) > 0",
        table.name
    ))
}
