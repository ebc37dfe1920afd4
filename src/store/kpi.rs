//! The monthly sums behind the indicators (see `metrics::kpi` for the ratios).
//!
//! They come from `kpi_unit_month`, sums per org unit and month built from the data tables
//! when the indicators are first asked for after the data changed, so that switching the
//! unit or the period sums a few hundred rows instead of scanning millions of bills. A
//! project opened read-only with stale sums is answered from the data tables directly
//! (the same definitions, slower; what is computed is kept for the session: `kpi_direct`).

use chrono::NaiveDate;

use super::{Project, sums_scope};

/// The sums of several units at once, from the prebuilt sums.
const MONTH_TOTALS_SQL: &str = include_str!("sql/kpi_month_totals.sql");
const MONTHS_SQL: &str = include_str!("sql/sums_months.sql");
const COLLECTION_REBUILD_SQL: &str = include_str!("sql/collection_rebuild.sql");
const CLASS_REBUILD_SQL: &str = include_str!("sql/kpi_class_rebuild.sql");
const REBUILD_SQL: &str = include_str!("sql/kpi_rebuild.sql");

/// What the data tables hold, in short, and the connection time limits the sums count
/// with: the sums are current while this is unchanged. (Every change of data is an import,
/// which adds a record and changes row counts.) In this order: the last import, the row
/// counts, the limits.
const FINGERPRINT_LAST_IMPORT: &str = "SELECT max(import_id)::VARCHAR FROM imports";
const FINGERPRINT_ROW_COUNTS: [&str; 8] = [
    "SELECT count(*)::VARCHAR FROM customers",
    "SELECT count(*)::VARCHAR FROM bills",
    "SELECT count(*)::VARCHAR FROM payments",
    "SELECT count(*)::VARCHAR FROM line_loss",
    "SELECT count(*)::VARCHAR FROM applications",
    "SELECT count(*)::VARCHAR FROM tickets",
    "SELECT count(*)::VARCHAR FROM outages",
    "SELECT count(*)::VARCHAR FROM org_units",
];
const FINGERPRINT_LIMITS: [&str; 4] = [
    "SELECT connection_limit('residential', NULL, false)::VARCHAR",
    "SELECT connection_limit(NULL, '220V', false)::VARCHAR",
    "SELECT connection_limit(NULL, '10kV', true)::VARCHAR",
    "SELECT connection_limit(NULL, '10kV', false)::VARCHAR",
];

/// The last day the payments reach (the data's horizon for windows such as collection's).
const PAYMENTS_REACH_SQL: &str = "SELECT max(paid_at)::DATE FROM payments";
const PAYMENTS_REACH_KEY: &str = "payments_reach";

/// The parts joined by '/', an empty one left out (as `concat_ws` did when this was one
/// statement: the fingerprints kept in projects stay valid). One statement of thirteen
/// scalar subqueries took DuckDB about 100 ms to plan and run on the sample; thirteen small
/// statements take about 15 ms, and every page and phone request checks it.
pub(super) fn fingerprint(project: &Project) -> duckdb::Result<String> {
    let mut parts = Vec::new();
    // An attached project's data tables are a lake's files (imports refused): what those
    // files are stands for the row counts (`lake::stamp`).
    let lake = super::lake::stamp(project)?;
    let counts: &[&str] = if lake.is_some() {
        &[]
    } else {
        &FINGERPRINT_ROW_COUNTS
    };
    parts.extend(lake);
    for sql in [FINGERPRINT_LAST_IMPORT]
        .iter()
        .chain(counts)
        .chain(&FINGERPRINT_LIMITS)
    {
        // Not a cached statement: `connection_limit` is a macro a project's parameters
        // redefine, and a statement prepared before keeps the old definition.
        let part: Option<String> = project.conn().query_row(sql, [], |r| r.get(0))?;
        parts.extend(part);
    }
    Ok(parts.join("/"))
}

/// Where the fingerprint of the data the sums were built for is kept.
pub(super) const BUILT_KEY: &str = "kpi_fingerprint";

/// Whether the prebuilt sums were built for the data as it is now (they are rebuilt lazily:
/// after an import they may lag until the indicators are next asked for).
pub fn sums_current(project: &Project) -> duckdb::Result<bool> {
    Ok(built_for(project)?.as_deref() == Some(fingerprint(project)?.as_str()))
}

pub(super) fn built_for(project: &Project) -> duckdb::Result<Option<String>> {
    project.meta(BUILT_KEY)
}

thread_local! {
    /// Whether the prebuilt sums are current, while `with_sums_checked_once` runs.
    static CHECKED: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Runs `read` (the reads of one page, which write nothing) with the currency of the
/// prebuilt sums checked once instead of at every query (the check counts the rows of the
/// data tables: about 17 ms on a 1M-customer project).
pub fn with_sums_checked_once<T>(project: &Project, read: impl FnOnce() -> T) -> T {
    /// Forgets the check however `read` ends (a panic included).
    struct Forget;
    impl Drop for Forget {
        fn drop(&mut self) {
            CHECKED.with(|c| c.set(None));
        }
    }
    let current = ensure_sums(project).unwrap_or_else(|e| {
        tracing::warn!("sums not rebuilt ({e:#}); reading the data tables");
        false
    });
    CHECKED.with(|c| c.set(Some(current)));
    let _forget = Forget;
    read()
}

/// Makes `kpi_unit_month` current; returns whether it is (false: the project is open
/// read-only and the sums are stale).
pub fn ensure_sums(project: &Project) -> anyhow::Result<bool> {
    ensure_sums_reporting(project, |_, _| {})
}

/// The same, telling `step(done, of)` as each part of a rebuild finishes.
fn ensure_sums_reporting(project: &Project, step: impl Fn(usize, usize)) -> anyhow::Result<bool> {
    if let Some(current) = CHECKED.with(|c| c.get()) {
        return Ok(current);
    }
    let now = fingerprint(project)?;
    if built_for(project)?.as_deref() == Some(now.as_str()) {
        return Ok(true);
    }
    if project.is_read_only() {
        return Ok(false);
    }
    let started = std::time::Instant::now();
    let scope = sums_scope::to_rebuild(project, &now)?;
    // In this order: each step reads what the one before left (see the files).
    let parts = [COLLECTION_REBUILD_SQL, CLASS_REBUILD_SQL, REBUILD_SQL];
    // Past this DuckDB spills to disk (see `memory`).
    let _memory = project.memory_for(super::memory::Work::Rebuild)?;
    let scope = project.transaction(|p| {
        step(0, parts.len() + 1);
        p.conn().execute_batch(MONTHS_SQL)?;
        let scope = sums_scope::widen_for_new_months(p, scope)?;
        // Imports of tables no sum reads leave nothing to redo.
        let nothing = matches!(&scope, sums_scope::Scope::Part { units: Some(u), .. } if u.is_empty());
        if !nothing {
            sums_scope::install(p, &scope)?;
            for (i, sql) in parts.iter().enumerate() {
                step(i + 1, parts.len() + 1);
                let part = std::time::Instant::now();
                // Statement by statement, for the time of each in the debug log.
                for statement in sql.split_inclusive(";\n").filter(|s| !s.trim().is_empty()) {
                    let started = std::time::Instant::now();
                    p.conn().execute_batch(statement)?;
                    let what = statement
                        .lines()
                        .find(|l| !l.trim().is_empty() && !l.starts_with("--"))
                        .unwrap_or_default();
                    tracing::debug!("sums rebuild: {what} in {:?}", started.elapsed());
                }
                tracing::debug!(
                    "sums rebuild: part {} of {} in {:?}",
                    i + 1,
                    parts.len(),
                    part.elapsed()
                );
            }
            p.conn().execute_batch("DROP TABLE arrears_open;")?;
        }
        p.conn().execute_batch("DROP TABLE rebuild_months;")?;
        sums_scope::clear(p)?;
        p.set_meta(BUILT_KEY, &now)?;
        let reach: Option<NaiveDate> = p.conn().query_row(PAYMENTS_REACH_SQL, [], |r| r.get(0))?;
        p.set_meta(
            PAYMENTS_REACH_KEY,
            &reach.map(|d| d.to_string()).unwrap_or_default(),
        )?;
        Ok(scope)
    })?;
    tracing::info!(
        "indicator sums rebuilt in {} ms ({scope:?})",
        started.elapsed().as_millis()
    );
    Ok(true)
}

/// The last day the payments reach (None: no payments): kept with the prebuilt sums, so a
/// page asks for it without scanning the payments; read from the table when the sums are
/// stale or were built before it was kept.
pub fn payments_reach(project: &Project) -> anyhow::Result<Option<NaiveDate>> {
    if ensure_sums(project)? {
        let kept = project.meta(PAYMENTS_REACH_KEY)?;
        if let Some(day) = kept {
            return Ok(day.parse().ok());
        }
    }
    Ok(payments_reach_direct(project)?)
}

/// The same, read from the payments (one scan; for opening a project).
pub fn payments_reach_direct(project: &Project) -> duckdb::Result<Option<NaiveDate>> {
    project.conn().query_row(PAYMENTS_REACH_SQL, [], |r| r.get(0))
}

/// Brings the prebuilt sums up to date right after an import, so that the pages open at
/// once afterwards instead of at the first look. The import is already committed: a
/// failure or a Cancel here only leaves the sums stale, to be rebuilt at the next look.
/// Nothing is rebuilt when the data did not change (the fingerprint decides, as at every
/// look). Returns the seconds it took, or None on failure.
pub fn refresh_after_import(project: &Project, progress: &crate::progress::Progress) -> Option<f64> {
    if project.is_read_only() {
        return None;
    }
    let started = std::time::Instant::now();
    progress.attach_interrupt(project.interrupt_handle());
    let report = |done: usize, of: usize| {
        progress.set(
            Some(done as f32 / of as f32),
            crate::say!(
                "updating the indicator sums ({}/{})",
                "正在更新指标汇总（{}/{}）",
                done + 1,
                of
            ),
        )
    };
    match ensure_sums_reporting(project, report) {
        Ok(_) => Some(started.elapsed().as_secs_f64()),
        Err(e) => {
            tracing::warn!("indicator sums not updated after the import ({e:#}); rebuilt at the next look");
            None
        }
    }
}

/// One month of one org unit (with the units below it): the sums the indicators are
/// formed from. None: the source table has no data for the month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthTotals {
    pub month: Option<NaiveDate>,
    /// Hours in the month (the period T of reliability indices).
    pub hours: f64,
    /// Customers served at the month's end.
    pub customers: f64,
    pub kwh: Option<f64>,
    pub receivable: Option<f64>,
    pub collected: Option<f64>,
    pub arrears: Option<f64>,
    pub supplied_kwh: Option<f64>,
    pub sold_kwh: Option<f64>,
    pub connections: Option<f64>,
    pub connection_days: Option<f64>,
    pub connections_over_limit: Option<f64>,
    pub complaints: Option<f64>,
    pub repairs_arrived: Option<f64>,
    pub repair_arrival_minutes: Option<f64>,
    pub satisfied: Option<f64>,
    pub callbacks: Option<f64>,
    pub tickets_due: Option<f64>,
    pub tickets_on_time: Option<f64>,
    pub interruptions: Option<f64>,
    pub customer_minutes: Option<f64>,
    pub customer_minutes_rs3: Option<f64>,
}

/// The totals of `unit` for every month from `from` to `to` (first days of months).
pub fn month_totals(
    project: &Project,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<MonthTotals>> {
    let mut all = month_totals_of_units(project, &[unit], from, to)?;
    Ok(all.pop().unwrap_or_default())
}

/// The totals of each of `units`, in order, in one query: from the prebuilt sums when they
/// are current (checked once), else from the data tables, where the units' rows are read once
/// for all of them (a unit and the units below it share their rows).
pub fn month_totals_of_units(
    project: &Project,
    units: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<Vec<MonthTotals>>> {
    let current = match ensure_sums(project) {
        Ok(current) => current,
        Err(e) => {
            tracing::warn!("indicator sums not rebuilt ({e:#}); reading the data tables");
            false
        }
    };
    if current {
        query_totals(project, MONTH_TOTALS_SQL, units, from, to)
    } else {
        super::kpi_direct::month_totals(project, units, from, to)
    }
}

/// The same, always computed from the data tables (to check the sums against): what the
/// session computed for the data as it is now is kept (`kpi_direct`).
pub fn month_totals_direct(
    project: &Project,
    units: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<Vec<MonthTotals>>> {
    super::kpi_direct::month_totals(project, units, from, to)
}

/// Runs `sql` (kpi_month_totals.sql or kpi_month_totals_direct.sql: the units' ids joined by
/// 0x1F, the first and last month; a row per unit and month, the unit first) and returns the
/// totals of each of `units`, in order.
pub(super) fn query_totals(
    project: &Project,
    sql: &str,
    units: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<Vec<MonthTotals>>> {
    let ids = units.join("\u{1f}");
    let mut stmt = project.conn().prepare_cached(sql)?;
    let rows = stmt.query_map(duckdb::params![ids, from, to], |r| {
        Ok((r.get::<_, String>(0)?, totals_of_row(r, 1)?))
    })?;
    let mut by_unit: std::collections::HashMap<String, Vec<MonthTotals>> = std::collections::HashMap::new();
    for row in rows {
        let (unit, totals) = row?;
        by_unit.entry(unit).or_default().push(totals);
    }
    Ok(units
        .iter()
        .map(|u| by_unit.get(*u).cloned().unwrap_or_default())
        .collect())
}

/// The totals in the columns of kpi_month_totals_direct.sql, starting at column `at`.
fn totals_of_row(r: &duckdb::Row, at: usize) -> duckdb::Result<MonthTotals> {
    let covered = |i: usize| r.get::<_, bool>(at + i);
    let (bills, loss, conns, tickets, outages) =
        (covered(2)?, covered(3)?, covered(4)?, covered(5)?, covered(6)?);
    // A covered month without rows in the unit is zero; an uncovered one has no data.
    let sum = |i: usize, has: bool| -> duckdb::Result<Option<f64>> {
        let v: Option<f64> = r.get(at + i)?;
        Ok(if has { Some(v.unwrap_or(0.0)) } else { None })
    };
    Ok(MonthTotals {
        month: r.get(at)?,
        hours: r.get::<_, i64>(at + 1)? as f64,
        customers: r.get::<_, i64>(at + 7)? as f64,
        kwh: sum(8, bills)?,
        receivable: sum(9, bills)?,
        collected: sum(10, bills)?,
        arrears: sum(11, bills)?,
        supplied_kwh: sum(12, loss)?,
        sold_kwh: sum(13, loss)?,
        connections: sum(14, conns)?,
        connection_days: sum(15, conns)?,
        connections_over_limit: sum(16, conns)?,
        complaints: sum(17, tickets)?,
        repairs_arrived: sum(18, tickets)?,
        repair_arrival_minutes: sum(19, tickets)?,
        satisfied: sum(20, tickets)?,
        callbacks: sum(21, tickets)?,
        tickets_due: sum(22, tickets)?,
        tickets_on_time: sum(23, tickets)?,
        interruptions: sum(24, outages)?,
        customer_minutes: sum(25, outages)?,
        customer_minutes_rs3: sum(26, outages)?,
    })
}

const CLASS_MONTH_TOTALS_SQL: &str = include_str!("sql/kpi_class_month_totals.sql");

/// One customer class's totals over a span of months (see `class_month_totals`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassTotals {
    /// None: tickets without a known customer.
    pub class: Option<String>,
    pub months: Vec<MonthTotals>,
}

/// The totals by customer class for every month from `from` to `to`, of `unit` (first) and
/// of each unit one level below it, from the prebuilt sums; only the parts that split by
/// class (bills, collection, arrears, new connections, tickets), the others are None.
/// Empty when the sums are not current (a project open read-only): the class split is not
/// computed from the data tables.
pub fn class_month_totals(
    project: &Project,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<Vec<(String, Vec<ClassTotals>)>> {
    if !ensure_sums(project)? {
        return Ok(Vec::new());
    }
    let mut stmt = project.conn().prepare_cached(CLASS_MONTH_TOTALS_SQL)?;
    let rows = stmt.query_map(duckdb::params![unit, from, to], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            totals_of_row(r, 2)?,
        ))
    })?;
    let mut out: Vec<(String, Vec<ClassTotals>)> = Vec::new();
    for row in rows {
        let (owner, class, totals) = row?;
        if out.last().is_none_or(|(o, _)| *o != owner) {
            out.push((owner, Vec::new()));
        }
        let classes = &mut out.last_mut().expect("pushed above").1;
        match classes.last_mut() {
            Some(last) if last.class == class => last.months.push(totals),
            _ => classes.push(ClassTotals {
                class,
                months: vec![totals],
            }),
        }
    }
    Ok(out)
}

/// The targets that apply to `unit`: for each indicator with one, the target of the unit
/// itself or of the nearest unit above it. (indicator, target).
pub fn targets_for(project: &Project, unit: &str) -> duckdb::Result<Vec<(String, f64)>> {
    let mut stmt = project.conn().prepare_cached(
        "SELECT indicator, arg_min(t.target, oc.depth) FROM indicator_targets t \
         JOIN org_closure oc ON oc.ancestor_id = t.unit_id AND oc.unit_id = ? GROUP BY indicator",
    )?;
    let rows = stmt.query_map([unit], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Sets (or with None, removes) a unit's own target for an indicator.
pub fn set_target(project: &Project, indicator: &str, unit: &str, target: Option<f64>) -> duckdb::Result<()> {
    match target {
        Some(t) => project.conn().execute(
            "INSERT OR REPLACE INTO indicator_targets VALUES (?, ?, ?, now()::TIMESTAMP)",
            duckdb::params![indicator, unit, t],
        )?,
        None => project.conn().execute(
            "DELETE FROM indicator_targets WHERE indicator = ? AND unit_id = ?",
            duckdb::params![indicator, unit],
        )?,
    };
    Ok(())
}

const CLASS_SUMS_SQL: &str = include_str!("sql/kpi_class_sums.sql");

/// Billed kWh and amount receivable of `month` by customer class in `unit`'s subtree.
pub fn class_sums(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<Vec<(String, f64, f64)>> {
    let mut stmt = project.conn().prepare(CLASS_SUMS_SQL)?;
    let rows = stmt.query_map(duckdb::params![unit, month], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<f64>>(1)?.unwrap_or(0.0),
            r.get::<_, Option<f64>>(2)?.unwrap_or(0.0),
        ))
    })?;
    rows.collect()
}

#[cfg(test)]
mod fingerprint_tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_the_one_the_single_statement_gave() {
        // The statement as it was (kept fingerprints must stay valid), on an empty project
        // (no import: the first part is NULL and left out) and after rows are added.
        const BEFORE: &str = "SELECT concat_ws('/', (SELECT max(import_id) FROM imports), \
            (SELECT count(*) FROM customers), (SELECT count(*) FROM bills), (SELECT count(*) FROM payments), \
            (SELECT count(*) FROM line_loss), (SELECT count(*) FROM applications), (SELECT count(*) FROM tickets), \
            (SELECT count(*) FROM outages), (SELECT count(*) FROM org_units), \
            connection_limit('residential', NULL, false), connection_limit(NULL, '220V', false), \
            connection_limit(NULL, '10kV', true), connection_limit(NULL, '10kV', false))";
        let dir = std::env::temp_dir().join(format!("mams-fingerprint-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let p = Project::create(&dir.join("p.duckdb")).unwrap();
        let before = |p: &Project| -> String { p.conn().query_row(BEFORE, [], |r| r.get(0)).unwrap() };
        assert_eq!(fingerprint(&p).unwrap(), before(&p));
        p.conn()
            .execute_batch("INSERT INTO org_units (unit_id, level, name_zh, name_en) VALUES ('P', 'province', '省', 'Province')")
            .unwrap();
        assert_eq!(fingerprint(&p).unwrap(), before(&p));
        assert!(
            fingerprint(&p).unwrap().contains("/1/"),
            "{}",
            fingerprint(&p).unwrap()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
