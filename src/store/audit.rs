//! What the audit keeps in the project: runs, suspects with their triage state, the
//! append-only trail, rule parameters and project rules. The rule queries themselves run
//! here too, each as one SELECT inside a transaction that is always rolled back.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;

use super::Project;
use super::queries::{QueryResult, run_sql_with};

const WRAPPER: &str = include_str!("sql/audit_rule_wrapper.sql");
const UPDATE_KNOWN: &str = include_str!("sql/audit_update_known.sql");
const INSERT_NEW: &str = include_str!("sql/audit_insert_new.sql");
const MARK_GONE: &str = include_str!("sql/audit_mark_gone.sql");

/// Why a rule's query gave no suspects.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleQueryError {
    #[error("{0}")]
    Sql(String),
    #[error("it ran longer than {0} s and was stopped")]
    Timeout(u64),
    #[error("cancelled")]
    Cancelled,
}

/// DuckDB reports positions as "LINE n:" of the statement it saw; the rule's query starts
/// on the wrapper's second line, so its line n is the wrapper's n + 1.
fn rule_lines(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find("LINE ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 5..];
        let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        match digits.parse::<i64>() {
            Ok(n) if n > 1 => out.push_str(&format!("line {} of the query", n - 1)),
            _ => out.push_str("LINE "),
        }
        rest = &after[digits.len()..];
    }
    out.push_str(rest);
    out
}

/// Whether a table of the data model has any row (`table` comes from `crate::model`).
pub fn has_rows(project: &Project, table: &str) -> duckdb::Result<bool> {
    project
        .conn()
        .query_row(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), [], |r| {
            r.get(0)
        })
}

/// Who wrote a rule query: MAMS (compiled in, its parameters bound as numbers) or a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Mams,
    User,
}

/// Runs one bound rule query for the months `from`..=`to` and the org unit `unit` (its
/// subtree), stopping it after `timeout`. The query is put inside a subquery, so anything
/// but a SELECT is a syntax error; a user's query must be one statement by DuckDB's parser
/// (see `parser`; about 15 ms, spared for MAMS's own rules); and it runs in a read-only
/// transaction, rolled back, with no file outside the project's own folder in reach.
#[allow(clippy::too_many_arguments)]
pub fn rule_rows(
    project: &Project,
    bound_sql: &str,
    author: Author,
    from: NaiveDate,
    to: NaiveDate,
    unit: &str,
    timeout: Option<Duration>,
    cancelled: &dyn Fn() -> bool,
) -> Result<QueryResult, RuleQueryError> {
    let sql = WRAPPER.replacen("{rule}", bound_sql.trim().trim_end_matches(';'), 1);
    // One statement by DuckDB's parser first: preparing several would run all but the last.
    if author == Author::User {
        super::parser::one_statement(&sql).map_err(|e| RuleQueryError::Sql(rule_lines(&e)))?;
    }
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = timeout.map(|t| {
        let handle = project.interrupt_handle();
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(t) {
                handle.interrupt();
                true
            } else {
                false
            }
        })
    });
    let result = project
        .read_only_run(|p| run_sql_with(p, &sql, &[&from, &to, &unit], None).map_err(anyhow::Error::from));
    drop(done_tx);
    let timed_out = watchdog.map(|w| w.join().unwrap_or(false)).unwrap_or(false);
    match result {
        Ok(r) => Ok(r),
        Err(_) if timed_out => Err(RuleQueryError::Timeout(timeout.map(|t| t.as_secs()).unwrap_or(0))),
        Err(_) if cancelled() => Err(RuleQueryError::Cancelled),
        Err(e) => Err(RuleQueryError::Sql(rule_lines(&e.to_string()))),
    }
}

/// The columns a bound rule query returns, found without running it (LIMIT 0), or why it
/// cannot run: a syntax error (with its line in the rule), an unknown table or column, or
/// anything but a single SELECT.
pub fn rule_columns(project: &Project, bound_sql: &str) -> Result<Vec<String>, RuleQueryError> {
    let sql = format!(
        "SELECT * FROM (\n{}\n) AS q LIMIT 0",
        bound_sql.trim().trim_end_matches(';')
    );
    super::parser::one_statement(&sql).map_err(|e| RuleQueryError::Sql(rule_lines(&e)))?;
    project
        .read_only_run(|p| run_sql_with(p, &sql, &[], Some(0)).map_err(anyhow::Error::from))
        .map(|r| r.columns)
        .map_err(|e| RuleQueryError::Sql(rule_lines(&e.to_string())))
}

/// A suspect as a run found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub rule_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub period: Option<NaiveDate>,
    pub unit_id: String,
    pub amount: f64,
    pub confidence: f64,
    pub severity: i32,
    pub score: f64,
    /// JSON array of [name, value] pairs.
    pub evidence: String,
}

impl Found {
    /// One suspect per rule, entity and month.
    pub fn key(&self) -> String {
        suspect_key(&self.rule_id, &self.entity_type, &self.entity_id, self.period)
    }
}

pub fn suspect_key(rule: &str, entity_type: &str, entity_id: &str, period: Option<NaiveDate>) -> String {
    let month = period
        .map(|p| p.format("%Y-%m").to_string())
        .unwrap_or_else(|| "*".into());
    format!("{rule}|{entity_type}|{entity_id}|{month}")
}

/// What a run was asked to do and when, for its record.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub started_at: NaiveDateTime,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub unit_id: String,
    /// Rules that ran without error: only their old suspects can be marked as gone.
    pub rules_ok: Vec<String>,
    pub errors: Vec<String>,
}

/// What storing a run changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SaveCounts {
    pub run_id: i64,
    pub found: u64,
    pub new: u64,
    pub gone: u64,
}

fn now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// Stores a run's suspects in one transaction: known ones are updated (their state kept),
/// new ones added, and those of the same rules and scope not found again marked as gone.
pub fn save_run(project: &Project, run: &RunRecord, found: &[Found]) -> anyhow::Result<SaveCounts> {
    project.transaction(|p| {
        let c = p.conn();
        let run_id: i64 = c.query_row("SELECT nextval('audit_run_seq')", [], |r| r.get(0))?;
        c.execute_batch("DELETE FROM audit_incoming")?;
        {
            let mut app = c.appender("audit_incoming")?;
            let mut seen = std::collections::HashSet::new();
            for f in found {
                let key = f.key();
                // A rule returning the same suspect twice keeps the first row.
                if !seen.insert(key.clone()) {
                    continue;
                }
                app.append_row(params![
                    key,
                    f.rule_id,
                    f.entity_type,
                    f.entity_id,
                    f.period,
                    f.unit_id,
                    f.amount,
                    f.confidence,
                    f.severity,
                    f.score,
                    f.evidence
                ])?;
            }
            app.flush()?;
        }
        let incoming: i64 = c.query_row("SELECT count(*) FROM audit_incoming", [], |r| r.get(0))?;
        let known: i64 = c.query_row(
            "SELECT count(*) FROM audit_incoming WHERE suspect_key IN (SELECT suspect_key FROM audit_suspects)",
            [],
            |r| r.get(0),
        )?;
        let at = now();
        c.execute(UPDATE_KNOWN, params![run_id])?;
        c.execute(INSERT_NEW, params![run_id, at])?;
        let gone = c.execute(
            MARK_GONE,
            params![run_id, run.rules_ok.join(","), run.from, run.to, run.unit_id],
        )?;
        c.execute_batch("DELETE FROM audit_incoming")?;
        c.execute(
            "INSERT INTO audit_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                run_id,
                run.started_at,
                at,
                run.from,
                run.to,
                run.unit_id,
                run.rules_ok.join(","),
                incoming,
                incoming - known,
                (!run.errors.is_empty()).then(|| run.errors.join("\n")),
            ],
        )?;
        Ok(SaveCounts {
            run_id,
            found: incoming as u64,
            new: (incoming - known) as u64,
            gone: gone as u64,
        })
    })
}

/// Which suspects to list. Empty fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct SuspectFilter {
    pub rules: Vec<String>,
    /// Org unit whose subtree is shown.
    pub unit: Option<String>,
    pub statuses: Vec<String>,
    pub min_severity: Option<i32>,
    pub min_amount: Option<f64>,
    pub run_id: Option<i64>,
    /// Also those a later run no longer found.
    pub include_gone: bool,
    /// Matched against the entity id and the evidence text.
    pub search: Option<String>,
    pub limit: Option<u64>,
    pub offset: u64,
}

/// A stored suspect with its triage state.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SuspectRow {
    pub key: String,
    pub rule_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub period: Option<NaiveDate>,
    pub unit_id: Option<String>,
    pub amount: f64,
    pub confidence: f64,
    pub severity: i32,
    pub score: f64,
    #[serde(skip)]
    pub evidence_json: String,
    pub status: String,
    pub assignee_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub recovered: Option<f64>,
    pub fp_reason: Option<String>,
    pub still_found: bool,
    pub last_run_id: i64,
}

pub(super) const SUSPECT_COLUMNS: &str = "suspect_key, rule_id, entity_type, entity_id, period, unit_id, amount, confidence, \
     severity, score, evidence, status, assignee_unit, due_on, recovered, fp_reason, still_found, last_run_id";

pub(super) fn suspect_row(r: &duckdb::Row) -> duckdb::Result<SuspectRow> {
    Ok(SuspectRow {
        key: r.get(0)?,
        rule_id: r.get(1)?,
        entity_type: r.get(2)?,
        entity_id: r.get(3)?,
        period: r.get(4)?,
        unit_id: r.get(5)?,
        amount: r.get(6)?,
        confidence: r.get(7)?,
        severity: r.get(8)?,
        score: r.get(9)?,
        evidence_json: r.get(10)?,
        status: r.get(11)?,
        assignee_unit: r.get(12)?,
        due_on: r.get(13)?,
        recovered: r.get(14)?,
        fp_reason: r.get(15)?,
        still_found: r.get(16)?,
        last_run_id: r.get(17)?,
    })
}

/// The WHERE clause of a filter (fixed text with placeholders) and its values.
fn filter_sql(f: &SuspectFilter) -> (String, Vec<Box<dyn duckdb::ToSql>>) {
    let mut clauses: Vec<String> = vec!["true".into()];
    let mut values: Vec<Box<dyn duckdb::ToSql>> = Vec::new();
    if !f.rules.is_empty() {
        clauses.push("list_contains(string_split(?, ','), rule_id)".into());
        values.push(Box::new(f.rules.join(",")));
    }
    if let Some(u) = &f.unit {
        clauses.push("unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?)".into());
        values.push(Box::new(u.clone()));
    }
    if !f.statuses.is_empty() {
        clauses.push("list_contains(string_split(?, ','), status)".into());
        values.push(Box::new(f.statuses.join(",")));
    }
    if let Some(s) = f.min_severity {
        clauses.push("severity >= ?".into());
        values.push(Box::new(s));
    }
    if let Some(a) = f.min_amount {
        clauses.push("amount >= ?".into());
        values.push(Box::new(a));
    }
    if let Some(r) = f.run_id {
        clauses.push("last_run_id = ?".into());
        values.push(Box::new(r));
    }
    if !f.include_gone {
        clauses.push("still_found".into());
    }
    if let Some(s) = f.search.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        clauses.push("(contains(entity_id, ?) OR contains(evidence, ?))".into());
        values.push(Box::new(s.to_string()));
        values.push(Box::new(s.to_string()));
    }
    (clauses.join(" AND "), values)
}

/// Suspects matching `f`, highest score first, and how many match in all.
pub fn suspects(project: &Project, f: &SuspectFilter) -> duckdb::Result<(Vec<SuspectRow>, u64)> {
    let (wh, values) = filter_sql(f);
    let refs: Vec<&dyn duckdb::ToSql> = values.iter().map(|b| b.as_ref()).collect();
    let total: i64 = project.conn().query_row(
        &format!("SELECT count(*) FROM audit_suspects WHERE {wh}"),
        refs.as_slice(),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT {SUSPECT_COLUMNS} FROM audit_suspects WHERE {wh} \
         ORDER BY score DESC, suspect_key LIMIT {} OFFSET {}",
        f.limit.unwrap_or(u64::MAX / 2),
        f.offset
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map(refs.as_slice(), suspect_row)?;
    Ok((rows.collect::<duckdb::Result<Vec<_>>>()?, total.max(0) as u64))
}

/// One suspect by its key.
pub fn suspect(project: &Project, key: &str) -> duckdb::Result<Option<SuspectRow>> {
    let sql = format!("SELECT {SUSPECT_COLUMNS} FROM audit_suspects WHERE suspect_key = ?");
    let mut stmt = project.conn().prepare(&sql)?;
    let mut rows = stmt.query_map([key], suspect_row)?;
    rows.next().transpose()
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrailEntry {
    pub suspect_key: String,
    pub changed_at: NaiveDateTime,
    pub actor: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: Option<String>,
    pub assignee_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub recovered: Option<f64>,
    pub fp_reason: Option<String>,
}

/// Appends `e` to the trail and sets the suspect's state from it (fields it leaves empty
/// keep their value). Call inside a transaction.
/// Appends `e` to the trail at its place in the chain (`audit::chain::next_link`) and moves
/// the suspect.
pub fn record_change(project: &Project, e: &TrailEntry, (seq, hash): (i64, &str)) -> duckdb::Result<()> {
    let c = project.conn();
    c.execute(
        "INSERT INTO audit_trail VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            e.suspect_key,
            e.changed_at,
            e.actor,
            e.from_status,
            e.to_status,
            e.note,
            e.assignee_unit,
            e.due_on,
            e.recovered,
            e.fp_reason,
            seq,
            hash
        ],
    )?;
    c.execute(
        "UPDATE audit_suspects SET status = ?, assignee_unit = coalesce(?, assignee_unit), \
         due_on = coalesce(?, due_on), recovered = coalesce(?, recovered), \
         fp_reason = coalesce(?, fp_reason), updated_at = ? WHERE suspect_key = ?",
        params![
            e.to_status,
            e.assignee_unit,
            e.due_on,
            e.recovered,
            e.fp_reason,
            e.changed_at,
            e.suspect_key
        ],
    )?;
    Ok(())
}

const TRAIL_COLUMNS: &str = "suspect_key, changed_at, actor, from_status, to_status, note, assignee_unit, due_on, \
     recovered, fp_reason";

fn trail_entry(r: &duckdb::Row<'_>, at: usize) -> duckdb::Result<TrailEntry> {
    Ok(TrailEntry {
        suspect_key: r.get(at)?,
        changed_at: r.get(at + 1)?,
        actor: r.get(at + 2)?,
        from_status: r.get(at + 3)?,
        to_status: r.get(at + 4)?,
        note: r.get(at + 5)?,
        assignee_unit: r.get(at + 6)?,
        due_on: r.get(at + 7)?,
        recovered: r.get(at + 8)?,
        fp_reason: r.get(at + 9)?,
    })
}

/// Trail entries not yet in the chain (written before it began), in the order written.
pub fn unchained_trail(project: &Project) -> duckdb::Result<Vec<(i64, TrailEntry)>> {
    let sql = format!("SELECT rowid, {TRAIL_COLUMNS} FROM audit_trail WHERE seq IS NULL ORDER BY rowid");
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, trail_entry(r, 1)?)))?;
    rows.collect()
}

/// The chained entries in chain order: (place, hash, entry).
pub fn chained_trail(project: &Project) -> duckdb::Result<Vec<(i64, String, TrailEntry)>> {
    let sql =
        format!("SELECT seq, hash, {TRAIL_COLUMNS} FROM audit_trail WHERE seq IS NOT NULL ORDER BY seq");
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            trail_entry(r, 2)?,
        ))
    })?;
    rows.collect()
}

/// The last place of the chain and its hash.
pub fn trail_head(project: &Project) -> duckdb::Result<Option<(i64, String)>> {
    use duckdb::OptionalExt;
    project
        .conn()
        .query_row(
            "SELECT seq, hash FROM audit_trail WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
}

pub fn set_trail_link(project: &Project, rowid: i64, seq: i64, hash: &str) -> duckdb::Result<()> {
    project
        .conn()
        .execute(
            "UPDATE audit_trail SET seq = ?, hash = ? WHERE rowid = ?",
            params![seq, hash, rowid],
        )
        .map(|_| ())
}

/// The trail of one suspect, oldest first.
pub fn trail(project: &Project, key: &str) -> duckdb::Result<Vec<TrailEntry>> {
    let sql =
        format!("SELECT {TRAIL_COLUMNS} FROM audit_trail WHERE suspect_key = ? ORDER BY changed_at, rowid");
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([key], |r| trail_entry(r, 0))?;
    rows.collect()
}

/// Verified suspects of a rule per city: confirmed (or further) against false positives.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RulePrecision {
    pub rule_id: String,
    pub unit_id: String,
    pub confirmed: u64,
    pub false_positives: u64,
}

const PRECISION: &str = "SELECT s.rule_id, coalesce(c.ancestor_id, s.unit_id) AS unit, \
     count(*) FILTER (WHERE s.status IN ('confirmed', 'rectifying', 'rectified', 'closed')), \
     count(*) FILTER (WHERE s.status = 'false_positive') \
     FROM audit_suspects s \
     LEFT JOIN org_closure c ON c.unit_id = s.unit_id \
       AND c.ancestor_id IN (SELECT unit_id FROM org_units WHERE level = 'city') \
     WHERE s.status IN ('confirmed', 'rectifying', 'rectified', 'closed', 'false_positive') \
     GROUP BY ALL ORDER BY 1, 2";

pub fn precision(project: &Project) -> duckdb::Result<Vec<RulePrecision>> {
    let mut stmt = project.conn().prepare(PRECISION)?;
    let rows = stmt.query_map([], |r| {
        Ok(RulePrecision {
            rule_id: r.get(0)?,
            unit_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            confirmed: r.get::<_, i64>(2)?.max(0) as u64,
            false_positives: r.get::<_, i64>(3)?.max(0) as u64,
        })
    })?;
    rows.collect()
}

/// The archive row of a suspect's entity (customer, application, ticket or area), as
/// (column, value) pairs. Table and key column come from this fixed list, never from data.
pub fn entity_row(project: &Project, entity_type: &str, id: &str) -> duckdb::Result<Vec<(String, String)>> {
    let sql = match entity_type {
        "customer" => "SELECT * FROM customers WHERE customer_id = ?",
        "application" => "SELECT * FROM applications WHERE application_id = ?",
        "ticket" => "SELECT * FROM tickets WHERE ticket_id = ?",
        "area" => {
            "SELECT area_id, any_value(area_name) AS area_name, any_value(unit_id) AS unit_id, \
                   any_value(area_kind) AS area_kind, count(*) AS months FROM line_loss WHERE area_id = ? GROUP BY 1"
        }
        _ => return Ok(Vec::new()),
    };
    let r = run_sql_with(project, sql, &[&id], Some(1))?;
    Ok(match r.rows.first() {
        Some(row) => r
            .columns
            .iter()
            .zip(row)
            .map(|(c, v)| (c.clone(), super::queries::value_to_string(v)))
            .collect(),
        None => Vec::new(),
    })
}

/// The monthly series behind a suspect: billed kWh of a customer, loss rate (%) of an area.
pub fn entity_series(
    project: &Project,
    entity_type: &str,
    id: &str,
) -> duckdb::Result<Vec<(NaiveDate, f64)>> {
    let sql = match entity_type {
        "customer" => "SELECT billing_month, sum(kwh) FROM bills WHERE customer_id = ? GROUP BY 1 ORDER BY 1",
        "area" => {
            "SELECT month, 100 * (sum(supplied_kwh) - sum(sold_kwh)) / nullif(sum(supplied_kwh), 0) \
                   FROM line_loss WHERE area_id = ? GROUP BY 1 ORDER BY 1"
        }
        _ => return Ok(Vec::new()),
    };
    let mut stmt = project.conn().prepare(sql)?;
    let rows = stmt.query_map([id], |r| {
        Ok((r.get::<_, NaiveDate>(0)?, r.get::<_, Option<f64>>(1)?))
    })?;
    Ok(rows
        .collect::<duckdb::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(m, v)| Some((m, v?)))
        .collect())
}

/// The rows related to a suspect: a customer's last 12 bills, reads and payments in one
/// table; an area's months. At most 24 rows.
pub fn related_rows(project: &Project, entity_type: &str, id: &str) -> duckdb::Result<QueryResult> {
    let sql = match entity_type {
        "customer" => {
            "SELECT b.billing_month, r.read_type, r.prev_total, r.total, b.kwh, b.amount, \
                       b.adjustment, b.due_on, b.dunning_on, \
                       (SELECT sum(p.amount) FROM payments p WHERE p.bill_id = b.bill_id) AS paid \
                       FROM bills b LEFT JOIN meter_reads r ON r.customer_id = b.customer_id \
                       AND r.billing_month = b.billing_month \
                       WHERE b.customer_id = ? ORDER BY b.billing_month DESC LIMIT 24"
        }
        "area" => {
            "SELECT month, supplied_kwh, sold_kwh, \
                   round(100 * (supplied_kwh - sold_kwh) / nullif(supplied_kwh, 0), 2) AS loss_pct \
                   FROM line_loss WHERE area_id = ? ORDER BY month DESC LIMIT 24"
        }
        _ => {
            return Ok(QueryResult {
                columns: Vec::new(),
                rows: Vec::new(),
            });
        }
    };
    run_sql_with(project, sql, &[&id], Some(24))
}

/// Open suspects of the rules `rules` in a unit's subtree in the months `from` to `to`:
/// (rule, suspects, amount at stake), most suspects first.
pub fn rules_in_unit(
    project: &Project,
    unit: &str,
    rules: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<(String, u64, f64)>> {
    let mut stmt = project.conn().prepare(
        "SELECT rule_id, count(*), sum(amount) FROM audit_suspects \
         WHERE still_found AND status NOT IN ('false_positive', 'closed') \
           AND list_contains(string_split(?, ','), rule_id) \
           AND period BETWEEN ? AND ? \
           AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?) \
         GROUP BY 1 ORDER BY 2 DESC, 3 DESC",
    )?;
    let rows = stmt.query_map(params![rules.join(","), from, to, unit], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?.max(0) as u64,
            r.get::<_, Option<f64>>(2)?.unwrap_or(0.0),
        ))
    })?;
    rows.collect()
}

/// The project's own parameter values, by (rule, parameter).
pub fn param_values(project: &Project) -> duckdb::Result<BTreeMap<(String, String), f64>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT rule_id, param, value FROM rule_params")?;
    let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    rows.collect()
}

/// Sets (or with None, resets to the default) a parameter of a rule for this project.
pub fn set_param(project: &Project, rule: &str, param: &str, value: Option<f64>) -> duckdb::Result<()> {
    match value {
        Some(v) => project.conn().execute(
            "INSERT OR REPLACE INTO rule_params VALUES (?, ?, ?, ?)",
            params![rule, param, v, now()],
        )?,
        None => project.conn().execute(
            "DELETE FROM rule_params WHERE rule_id = ? AND param = ?",
            params![rule, param],
        )?,
    };
    if super::commitments::is_limit(rule, param) {
        super::commitments::install(project)?;
    }
    Ok(())
}

/// The project's own rules: (metadata JSON, query).
pub fn project_rules(project: &Project) -> duckdb::Result<Vec<(String, String, String)>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT rule_id, meta, query FROM project_rules ORDER BY rule_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}

pub fn save_project_rule(project: &Project, id: &str, meta: &str, query: &str) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT OR REPLACE INTO project_rules VALUES (?, ?, ?, ?)",
        params![id, meta, query, now()],
    )?;
    Ok(())
}

pub fn delete_project_rule(project: &Project, id: &str) -> duckdb::Result<()> {
    project
        .conn()
        .execute("DELETE FROM project_rules WHERE rule_id = ?", params![id])?;
    Ok(())
}

/// The suspects of `month` in `unit`'s subtree by triage state: (state, suspects, yuan at
/// stake), most first.
pub fn status_counts(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<Vec<(String, u64, f64)>> {
    let mut stmt = project.conn().prepare(
        "SELECT status, count(*), coalesce(sum(amount), 0)::DOUBLE FROM audit_suspects
         WHERE period = ? AND unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?)
         GROUP BY 1 ORDER BY 2 DESC, 1",
    )?;
    let rows = stmt.query_map(duckdb::params![month, unit], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?.max(0) as u64,
            r.get(2)?,
        ))
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_point_into_the_rule_not_the_wrapper() {
        assert_eq!(
            rule_lines("Parser Error: syntax error at or near \"FORM\"\n\nLINE 3: SELECT x FORM y"),
            "Parser Error: syntax error at or near \"FORM\"\n\nline 2 of the query: SELECT x FORM y"
        );
        assert_eq!(rule_lines("no position"), "no position");
    }
}
