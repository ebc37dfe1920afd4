//! What the risk module keeps in the project: the project's own risk points, the links of
//! points to rules and checks, the levels per point, unit and month with their changes,
//! measures with their units and append-only trail.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;

use super::Project;

const RULE_SIGNALS: &str = include_str!("sql/risk_rule_signals.sql");
const DQ_SIGNALS: &str = include_str!("sql/risk_dq_signals.sql");

/// Records the changes of level against the stored levels, then replaces them, all from
/// `risk_levels_incoming`.
const KEEP_CHANGES: &str = "INSERT INTO risk_level_changes
SELECT n.risk_id, n.unit_id, n.period, o.level, n.level, o.likelihood, n.likelihood, o.impact, n.impact, n.computed_at
FROM risk_levels_incoming n
JOIN risk_levels o USING (risk_id, unit_id, period)
WHERE o.level <> n.level";

pub type SignalKey = (String, String, NaiveDate);

/// What was found for a risk point in one unit and month.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Signal {
    pub suspects: i64,
    pub confirmed: i64,
    pub amount: f64,
    pub affected: i64,
    pub dq_tested: i64,
    pub dq_failing: i64,
}

/// Rewrites the links of every risk point (`(risk, kind, ref)`, kind 'rule' or 'dq').
pub fn replace_links(project: &Project, links: &[(String, &str, String)]) -> duckdb::Result<()> {
    let c = project.conn();
    c.execute("DELETE FROM risk_links", [])?;
    let mut app = c.appender("risk_links")?;
    for (risk, kind, r) in links {
        app.append_row(params![risk, kind, r])?;
    }
    app.flush()
}

/// The (risk, unit, month) the first three columns of a signal query hold.
fn signal_key(r: &duckdb::Row<'_>) -> duckdb::Result<SignalKey> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

/// What the rules and the checks found, per risk point, unit and month from `from` to `to`.
pub fn signals(
    project: &Project,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<HashMap<SignalKey, Signal>> {
    let mut out: HashMap<SignalKey, Signal> = HashMap::new();
    let c = project.conn();
    let mut stmt = c.prepare(RULE_SIGNALS)?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok((
            signal_key(r)?,
            (
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, f64>(5)?,
                r.get::<_, i64>(6)?,
            ),
        ))
    })?;
    for row in rows {
        let (key, (suspects, confirmed, amount, affected)) = row?;
        let s = out.entry(key).or_default();
        s.suspects = suspects;
        s.confirmed = confirmed;
        s.amount = amount;
        s.affected = affected;
    }
    let mut stmt = c.prepare(DQ_SIGNALS)?;
    let rows = stmt.query_map(params![from, to], |r| {
        Ok((signal_key(r)?, (r.get::<_, i64>(3)?, r.get::<_, i64>(4)?)))
    })?;
    for row in rows {
        let (key, (tested, failing)) = row?;
        let s = out.entry(key).or_default();
        s.dq_tested = tested;
        s.dq_failing = failing;
        // Failing records count as affected where no rule found anything.
        if s.suspects == 0 {
            s.affected = failing;
        }
    }
    Ok(out)
}

/// One stored level.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LevelRow {
    pub risk_id: String,
    pub unit_id: String,
    pub period: NaiveDate,
    pub customers: f64,
    pub suspects: i64,
    pub confirmed: i64,
    pub amount: f64,
    pub affected: i64,
    pub dq_tested: i64,
    pub dq_failing: i64,
    pub rate: Option<f64>,
    pub trend: Option<f64>,
    pub likelihood: u8,
    pub impact: u8,
    pub level: u8,
    /// A rule of the point cannot see this month yet (`Rule::settles_with`): its figures are
    /// the last month it can see, carried forward.
    pub provisional: bool,
}

const LEVEL_COLUMNS: &str = "risk_id, unit_id, period, customers, suspects, confirmed, amount, affected, \
    dq_tested, dq_failing, rate, trend, likelihood, impact, level, provisional";

fn level_row(r: &duckdb::Row<'_>) -> duckdb::Result<LevelRow> {
    Ok(LevelRow {
        risk_id: r.get(0)?,
        unit_id: r.get(1)?,
        period: r.get(2)?,
        customers: r.get(3)?,
        suspects: r.get(4)?,
        confirmed: r.get(5)?,
        amount: r.get(6)?,
        affected: r.get(7)?,
        dq_tested: r.get(8)?,
        dq_failing: r.get(9)?,
        rate: r.get(10)?,
        trend: r.get(11)?,
        likelihood: r.get::<_, i32>(12)? as u8,
        impact: r.get::<_, i32>(13)? as u8,
        level: r.get::<_, i32>(14)? as u8,
        provisional: r.get(15)?,
    })
}

/// Replaces every stored level by `rows`, keeping the changes; returns how many changed.
/// Call inside a transaction.
pub fn save_levels(project: &Project, rows: &[LevelRow], at: NaiveDateTime) -> duckdb::Result<usize> {
    let c = project.conn();
    c.execute("DELETE FROM risk_levels_incoming", [])?;
    {
        let mut app = c.appender("risk_levels_incoming")?;
        for r in rows {
            app.append_row(params![
                r.risk_id,
                r.unit_id,
                r.period,
                r.customers,
                r.suspects,
                r.confirmed,
                r.amount,
                r.affected,
                r.dq_tested,
                r.dq_failing,
                r.rate,
                r.trend,
                r.likelihood as i32,
                r.impact as i32,
                r.level as i32,
                r.provisional,
                at
            ])?;
        }
        app.flush()?;
    }
    let changed = c.execute(KEEP_CHANGES, [])?;
    c.execute("DELETE FROM risk_levels", [])?;
    c.execute("INSERT INTO risk_levels SELECT * FROM risk_levels_incoming", [])?;
    c.execute("DELETE FROM risk_levels_incoming", [])?;
    Ok(changed)
}

/// The levels of one month, of `units` (all units when empty).
pub fn levels_of(project: &Project, period: NaiveDate, units: &[&str]) -> duckdb::Result<Vec<LevelRow>> {
    let ids = units.join("\u{1f}");
    let sql = format!(
        "SELECT {LEVEL_COLUMNS} FROM risk_levels WHERE period = ? \
         AND (? = '' OR list_contains(string_split(?, chr(31)), unit_id)) ORDER BY unit_id, risk_id"
    );
    let mut stmt = project.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map(params![period, ids, ids], level_row)?;
    rows.collect()
}

/// A risk point's levels in a unit, month by month.
pub fn history(project: &Project, risk: &str, unit: &str) -> duckdb::Result<Vec<LevelRow>> {
    let sql =
        format!("SELECT {LEVEL_COLUMNS} FROM risk_levels WHERE risk_id = ? AND unit_id = ? ORDER BY period");
    let mut stmt = project.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map(params![risk, unit], level_row)?;
    rows.collect()
}

/// The months that have levels, newest last.
pub fn months(project: &Project) -> duckdb::Result<Vec<NaiveDate>> {
    let mut stmt = project
        .conn()
        .prepare_cached("SELECT DISTINCT period FROM risk_levels ORDER BY period")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    rows.collect()
}

/// Risk points whose level in `period` is above their level the month before, in `unit` and
/// the units below it: (this month, the month before).
pub fn risen(project: &Project, period: NaiveDate, unit: &str) -> duckdb::Result<Vec<(LevelRow, u8)>> {
    let cols: Vec<String> = LEVEL_COLUMNS
        .split(", ")
        .map(|c| format!("n.{}", c.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, o.level FROM risk_levels n \
         JOIN risk_levels o ON o.risk_id = n.risk_id AND o.unit_id = n.unit_id \
              AND o.period = n.period - INTERVAL 1 MONTH \
         JOIN org_closure c ON c.unit_id = n.unit_id AND c.ancestor_id = ? \
         WHERE n.period = ? AND n.level > o.level \
         ORDER BY n.level DESC, c.depth, n.level - o.level DESC, n.risk_id, n.unit_id",
        cols.join(", ")
    );
    let mut stmt = project.conn().prepare_cached(&sql)?;
    let rows = stmt.query_map(params![unit, period], |r| {
        Ok((level_row(r)?, r.get::<_, i32>(16)? as u8))
    })?;
    rows.collect()
}

/// How many level changes the computations have kept.
pub fn change_count(project: &Project) -> duckdb::Result<i64> {
    project
        .conn()
        .query_row("SELECT count(*) FROM risk_level_changes", [], |r| r.get(0))
}

/// What the levels were computed from: the last audit run, the last data quality run, the
/// triage trail's length, the measures and the customers (a change of any means recompute).
pub fn inputs_fingerprint(project: &Project) -> duckdb::Result<String> {
    project.conn().query_row(
        "SELECT concat_ws('|', (SELECT max(run_id) FROM audit_runs), (SELECT max(run_id) FROM dq_runs), \
         (SELECT count(*) FROM audit_trail), (SELECT count(*) FROM customers), \
         (SELECT count(*) FROM risk_project_points), (SELECT max(updated_at) FROM risk_project_points))",
        [],
        |r| r.get(0),
    )
}

pub fn stored_fingerprint(project: &Project) -> duckdb::Result<Option<String>> {
    use duckdb::OptionalExt;
    project
        .conn()
        .query_row("SELECT value FROM mams_meta WHERE key = 'risk_inputs'", [], |r| {
            r.get(0)
        })
        .optional()
}

pub fn set_fingerprint(project: &Project, value: &str) -> duckdb::Result<()> {
    project
        .conn()
        .execute(
            "INSERT OR REPLACE INTO mams_meta VALUES ('risk_inputs', ?)",
            [value],
        )
        .map(|_| ())
}

// ---- the project's own risk points

pub fn project_points(project: &Project) -> duckdb::Result<Vec<(String, String)>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT risk_id, meta FROM risk_project_points ORDER BY risk_id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

pub fn save_project_point(project: &Project, id: &str, meta: &str) -> duckdb::Result<()> {
    project
        .conn()
        .execute(
            "INSERT OR REPLACE INTO risk_project_points VALUES (?, ?, current_timestamp::TIMESTAMP)",
            params![id, meta],
        )
        .map(|_| ())
}

pub fn remove_project_point(project: &Project, id: &str) -> duckdb::Result<usize> {
    project
        .conn()
        .execute("DELETE FROM risk_project_points WHERE risk_id = ?", [id])
}

// ---- measures

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MeasureRow {
    pub measure_id: i64,
    pub risk_id: String,
    pub action: String,
    pub owner_unit: String,
    pub start_month: NaiveDate,
    pub due_on: NaiveDate,
    pub state: String,
    pub notes: Option<String>,
    pub metric: String,
    pub treated: Vec<String>,
    /// Controls a user chose; empty: chosen automatically.
    pub controls: Vec<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MeasureTrail {
    pub changed_at: NaiveDateTime,
    pub actor: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: Option<String>,
    pub due_on: Option<NaiveDate>,
}

fn measure_units(project: &Project, id: i64, role: &str) -> duckdb::Result<Vec<String>> {
    let mut stmt = project.conn().prepare_cached(
        "SELECT unit_id FROM risk_measure_units WHERE measure_id = ? AND role = ? ORDER BY unit_id",
    )?;
    let rows = stmt.query_map(params![id, role], |r| r.get(0))?;
    rows.collect()
}

/// Measures, newest first; of one risk point when `risk` is given.
pub fn measures(project: &Project, risk: Option<&str>) -> duckdb::Result<Vec<MeasureRow>> {
    let mut stmt = project.conn().prepare_cached(
        "SELECT measure_id, risk_id, action, owner_unit, start_month, due_on, state, notes, metric, created_at, updated_at \
         FROM risk_measures WHERE ? IS NULL OR risk_id = ? ORDER BY measure_id DESC",
    )?;
    let rows: Vec<MeasureRow> = stmt
        .query_map(params![risk, risk], |r| {
            Ok(MeasureRow {
                measure_id: r.get(0)?,
                risk_id: r.get(1)?,
                action: r.get(2)?,
                owner_unit: r.get(3)?,
                start_month: r.get(4)?,
                due_on: r.get(5)?,
                state: r.get(6)?,
                notes: r.get(7)?,
                metric: r.get(8)?,
                treated: Vec::new(),
                controls: Vec::new(),
                created_at: r.get(9)?,
                updated_at: r.get(10)?,
            })
        })?
        .collect::<duckdb::Result<_>>()?;
    rows.into_iter()
        .map(|mut m| {
            m.treated = measure_units(project, m.measure_id, "treated")?;
            m.controls = measure_units(project, m.measure_id, "control")?;
            Ok(m)
        })
        .collect()
}

pub fn measure(project: &Project, id: i64) -> duckdb::Result<Option<MeasureRow>> {
    Ok(measures(project, None)?.into_iter().find(|m| m.measure_id == id))
}

/// A new measure; returns its id. Call inside a transaction (with its first trail entry).
pub fn insert_measure(project: &Project, m: &MeasureRow) -> duckdb::Result<i64> {
    let c = project.conn();
    let id: i64 = c.query_row("SELECT nextval('risk_measure_seq')", [], |r| r.get(0))?;
    c.execute(
        "INSERT INTO risk_measures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            m.risk_id,
            m.action,
            m.owner_unit,
            m.start_month,
            m.due_on,
            m.state,
            m.notes,
            m.metric,
            m.created_at,
            m.updated_at
        ],
    )?;
    set_measure_units(project, id, "treated", &m.treated)?;
    set_measure_units(project, id, "control", &m.controls)?;
    Ok(id)
}

pub fn set_measure_units(project: &Project, id: i64, role: &str, units: &[String]) -> duckdb::Result<()> {
    let c = project.conn();
    c.execute(
        "DELETE FROM risk_measure_units WHERE measure_id = ? AND role = ?",
        params![id, role],
    )?;
    for u in units {
        c.execute(
            "INSERT INTO risk_measure_units VALUES (?, ?, ?)",
            params![id, u, role],
        )?;
    }
    Ok(())
}

/// Sets a measure's state, due date and notes, and appends the change to its trail.
pub fn record_measure_change(
    project: &Project,
    id: i64,
    t: &MeasureTrail,
    notes: Option<&str>,
) -> duckdb::Result<()> {
    let c = project.conn();
    c.execute(
        "UPDATE risk_measures SET state = ?, due_on = coalesce(?, due_on), notes = coalesce(?, notes), updated_at = ? \
         WHERE measure_id = ?",
        params![t.to_state, t.due_on, notes, t.changed_at, id],
    )?;
    c.execute(
        "INSERT INTO risk_measure_trail VALUES (?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            t.changed_at,
            t.actor,
            t.from_state,
            t.to_state,
            t.note,
            t.due_on
        ],
    )?;
    Ok(())
}

pub fn measure_trail(project: &Project, id: i64) -> duckdb::Result<Vec<MeasureTrail>> {
    let mut stmt = project.conn().prepare_cached(
        "SELECT changed_at, actor, from_state, to_state, note, due_on FROM risk_measure_trail \
         WHERE measure_id = ? ORDER BY changed_at, rowid",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(MeasureTrail {
            changed_at: r.get(0)?,
            actor: r.get(1)?,
            from_state: r.get(2)?,
            to_state: r.get(3)?,
            note: r.get(4)?,
            due_on: r.get(5)?,
        })
    })?;
    rows.collect()
}

// ---- metrics for the evaluation of a measure

/// Suspects of `rule` per unit and month in the subtrees of `units`, false positives left
/// out: (unit, month, suspects, yuan at stake).
pub fn rule_counts(
    project: &Project,
    rule: &str,
    units: &[&str],
) -> duckdb::Result<Vec<(String, NaiveDate, i64, f64)>> {
    let mut stmt = project.conn().prepare_cached(
        "SELECT c.ancestor_id, a.period, count(*)::BIGINT, sum(a.amount)::DOUBLE FROM audit_suspects a \
         JOIN org_closure c ON c.unit_id = a.unit_id \
         WHERE a.rule_id = ? AND a.period IS NOT NULL AND a.status <> 'false_positive' \
           AND list_contains(string_split(?, chr(31)), c.ancestor_id) \
         GROUP BY ALL",
    )?;
    let rows = stmt.query_map(params![rule, units.join("\u{1f}")], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    rows.collect()
}

/// Whether a rule's suspects are all standing states (no month): it has no monthly rate.
pub fn rule_is_standing(project: &Project, rule: &str) -> duckdb::Result<bool> {
    project.conn().query_row(
        "SELECT count(*) > 0 AND count(period) = 0 FROM audit_suspects WHERE rule_id = ?",
        [rule],
        |r| r.get(0),
    )
}

/// Pass rate (%) of a data quality check per unit and month in the last run.
pub fn dq_pass_rates(
    project: &Project,
    check: &str,
    units: &[&str],
) -> duckdb::Result<Vec<(String, NaiveDate, f64)>> {
    let mut stmt = project.conn().prepare_cached(
        "SELECT c.ancestor_id, r.month, 100.0 * (1 - sum(r.failing) / sum(r.tested)) FROM dq_results r \
         JOIN org_closure c ON c.unit_id = r.unit_id \
         WHERE r.run_id = (SELECT max(run_id) FROM dq_runs) AND r.check_id = ? AND r.month IS NOT NULL \
           AND list_contains(string_split(?, chr(31)), c.ancestor_id) \
         GROUP BY ALL HAVING sum(r.tested) > 0",
    )?;
    let rows = stmt.query_map(params![check, units.join("\u{1f}")], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}
