//! Read queries over a project: what it holds (tables, coverage, org tree, import history)
//! and free SQL for `mams sql`.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::types::{TimeUnit, Value};
use serde::Serialize;

use super::{Project, SCHEMA_VERSION};
use crate::model::{self, Table, UnitLink};

/// Row count and time coverage of one data table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TableStats {
    pub table: String,
    pub rows: u64,
    /// First and last month with rows (first day of the month), for tables placed in time.
    pub first_month: Option<NaiveDate>,
    pub last_month: Option<NaiveDate>,
    /// Distinct months with at least one row.
    pub months: u32,
}

/// What `mams info` prints and the overview page shows at its top.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectInfo {
    pub path: String,
    pub schema_version: i64,
    pub created_at: Option<String>,
    pub file_bytes: u64,
    /// Encrypted at rest (opened with its passphrase).
    pub encrypted: bool,
    /// The lake an attached project reads in place, and its slice ("C03, 2025-01 to 2025-12").
    pub lake: Option<(String, String)>,
    pub tables: Vec<TableStats>,
}

/// One org unit with the size of its customer base (its whole subtree).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OrgUnit {
    pub unit_id: String,
    pub parent_id: Option<String>,
    pub level: String,
    pub name_zh: String,
    pub name_en: String,
    pub customers: u64,
}

/// The ids of the units one level below `unit` in `org`, in the tree's order.
pub fn units_below(org: &[OrgUnit], unit: &str) -> Vec<String> {
    org.iter()
        .filter(|u| u.parent_id.as_deref() == Some(unit))
        .map(|u| u.unit_id.clone())
        .collect()
}

/// The unit and every unit below it, in `org`.
pub fn subtree(org: &[OrgUnit], unit_id: &str) -> std::collections::HashSet<String> {
    let mut kids: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    for u in org {
        if let Some(p) = &u.parent_id {
            kids.entry(p.as_str()).or_default().push(u.unit_id.as_str());
        }
    }
    let mut out = std::collections::HashSet::new();
    let mut stack = vec![unit_id];
    while let Some(id) = stack.pop() {
        if out.insert(id.to_string()) {
            stack.extend(kids.get(id).into_iter().flatten());
        }
    }
    out
}

/// One file loaded into the project.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRecord {
    pub import_id: i64,
    pub finished_at: String,
    pub kind: String,
    pub source: String,
    pub table_name: String,
    pub file_name: String,
    pub file_size: u64,
    pub sha256: String,
    pub rows_in: u64,
    pub rows_stored: u64,
    pub rows_rejected: u64,
}

/// Rows of a table inside a scope: an org unit's subtree and, optionally, one month.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScopedCount {
    pub table: String,
    pub in_unit: u64,
    /// None when the table is not placed in time.
    pub in_unit_and_month: Option<u64>,
}

/// The result of a free query, values kept typed.
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

fn count(project: &Project, sql: &str, params: &[&dyn duckdb::ToSql]) -> duckdb::Result<u64> {
    let n: i64 = project.conn().query_row(sql, params, |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

fn date_from_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::Duration::days(days as i64))
}

/// Statistics of one canonical table. Table and column names come from the model,
/// never from the user.
pub fn table_stats(project: &Project, t: &Table) -> duckdb::Result<TableStats> {
    let (rows, first, last, months) = match t.period_column {
        Some(p) => {
            let sql = format!(
                "SELECT count(*), min(date_trunc('month', {p}))::DATE, max(date_trunc('month', {p}))::DATE, \
                 count(DISTINCT date_trunc('month', {p})) FROM {}",
                t.name
            );
            project.conn().query_row(&sql, [], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<NaiveDate>>(1)?,
                    r.get::<_, Option<NaiveDate>>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?
        }
        None => {
            let n = count(project, &format!("SELECT count(*) FROM {}", t.name), &[])?;
            (n as i64, None, None, 0)
        }
    };
    Ok(TableStats {
        table: t.name.to_string(),
        rows: rows.max(0) as u64,
        first_month: first,
        last_month: last,
        months: months.max(0) as u32,
    })
}

pub fn project_info(project: &Project) -> duckdb::Result<ProjectInfo> {
    let meta = |key: &str| -> Option<String> {
        project
            .conn()
            .query_row("SELECT value FROM mams_meta WHERE key = ?", [key], |r| r.get(0))
            .ok()
    };
    let tables = model::TABLES
        .iter()
        .map(|t| table_stats(project, t))
        .collect::<duckdb::Result<Vec<_>>>()?;
    Ok(ProjectInfo {
        path: project.path().display().to_string(),
        schema_version: meta("schema_version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(SCHEMA_VERSION),
        created_at: meta("created_at"),
        file_bytes: std::fs::metadata(project.path()).map(|m| m.len()).unwrap_or(0),
        encrypted: project.is_encrypted(),
        lake: meta(super::LAKE_FOLDER_KEY).map(|folder| {
            let slice: serde_json::Value = meta(crate::lake::attach::SLICE_KEY)
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or_default();
            let text = |k: &str| slice[k].as_str().unwrap_or("?").to_string();
            (
                folder,
                format!("{}, {} – {}", text("unit"), text("from"), text("to")),
            )
        }),
        tables,
    })
}

const ORG_TREE_SQL: &str = include_str!("sql/org_tree.sql");

/// Every org unit, parents before children, siblings by id.
pub fn org_tree(project: &Project) -> duckdb::Result<Vec<OrgUnit>> {
    let mut stmt = project.conn().prepare(ORG_TREE_SQL)?;
    let rows = stmt.query_map([], |r| {
        Ok(OrgUnit {
            unit_id: r.get(0)?,
            parent_id: r.get(1)?,
            level: r.get(2)?,
            name_zh: r.get(3)?,
            name_en: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            customers: r.get::<_, i64>(5)?.max(0) as u64,
        })
    })?;
    rows.collect()
}

const IMPORT_HISTORY_SQL: &str = "SELECT import_id, strftime(finished_at, '%Y-%m-%d %H:%M:%S'), kind, source, \
     table_name, file_name, file_size, sha256, rows_in, rows_stored, rows_rejected \
     FROM imports";

pub fn import_history(project: &Project) -> duckdb::Result<Vec<ImportRecord>> {
    let mut stmt = project.conn().prepare(IMPORT_HISTORY_SQL)?;
    let rows = stmt.query_map([], |r| {
        Ok(ImportRecord {
            import_id: r.get(0)?,
            finished_at: r.get(1)?,
            kind: r.get(2)?,
            source: r.get(3)?,
            table_name: r.get(4)?,
            file_name: r.get(5)?,
            file_size: r.get::<_, i64>(6)?.max(0) as u64,
            sha256: r.get(7)?,
            rows_in: r.get::<_, i64>(8)?.max(0) as u64,
            rows_stored: r.get::<_, i64>(9)?.max(0) as u64,
            rows_rejected: r.get::<_, i64>(10)?.max(0) as u64,
        })
    })?;
    let mut records = rows.collect::<duckdb::Result<Vec<_>>>()?;
    // Newest import first; within one, tables in load order (org units, customers, ...).
    let order = |t: &str| {
        model::TABLES
            .iter()
            .position(|m| m.name == t)
            .unwrap_or(usize::MAX)
    };
    records.sort_by_key(|r| (std::cmp::Reverse(r.import_id), order(&r.table_name)));
    Ok(records)
}

/// Tables whose months are the project's reporting periods. Payments, applications and
/// plans reach outside them (a bill of the last month is paid in the next; an application
/// is accepted months before it is energised), so they do not add periods.
const PERIOD_TABLES: &[&str] = &["bills", "meter_reads", "line_loss", "tickets", "outages"];

/// The reporting periods the project has data for, oldest first; read again only when the
/// data changed (their fingerprint, as the prebuilt sums keep it).
pub fn months(project: &Project) -> duckdb::Result<Vec<NaiveDate>> {
    let now = super::kpi::fingerprint(project)?;
    let mut cache = project.months_cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((fp, months)) = cache.as_ref()
        && *fp == now
    {
        return Ok(months.clone());
    }
    let months = months_read(project)?;
    *cache = Some((now, months.clone()));
    Ok(months)
}

fn months_read(project: &Project) -> duckdb::Result<Vec<NaiveDate>> {
    let parts: Vec<String> = model::TABLES
        .iter()
        .filter(|t| PERIOD_TABLES.contains(&t.name))
        .filter_map(|t| {
            t.period_column.map(|p| {
                format!(
                    "SELECT DISTINCT date_trunc('month', {p})::DATE AS m FROM {}",
                    t.name
                )
            })
        })
        .collect();
    let sql = format!(
        "SELECT DISTINCT m FROM ({}) WHERE m IS NOT NULL ORDER BY m",
        parts.join(" UNION ALL ")
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([], |r| r.get::<_, NaiveDate>(0))?;
    rows.collect()
}

/// The predicate that keeps rows of `t` inside the subtree of the unit bound as `?`.
pub(crate) fn unit_scope_predicate(t: &Table) -> &'static str {
    match t.unit_link {
        UnitLink::Direct | UnitLink::Itself => {
            "unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?)"
        }
        // Every unit sees the whole catalogue (the `?` still takes the unit's parameter).
        UnitLink::Global => "? IS NOT NULL",
        UnitLink::ViaCustomer => {
            "customer_id IN (SELECT customer_id FROM customers WHERE unit_id IN \
             (SELECT unit_id FROM org_closure WHERE ancestor_id = ?))"
        }
    }
}

/// Row counts of every table inside a unit's subtree, and inside one month of it.
pub fn scoped_counts(
    project: &Project,
    unit_id: &str,
    month: Option<NaiveDate>,
) -> duckdb::Result<Vec<ScopedCount>> {
    model::TABLES
        .iter()
        .map(|t| {
            let pred = unit_scope_predicate(t);
            let in_unit = count(
                project,
                &format!("SELECT count(*) FROM {} WHERE {pred}", t.name),
                &[&unit_id],
            )?;
            let in_unit_and_month = match (t.period_column, month) {
                (Some(p), Some(m)) => Some(count(
                    project,
                    &format!(
                        "SELECT count(*) FROM {} WHERE {pred} AND date_trunc('month', {p})::DATE = ?",
                        t.name
                    ),
                    &[&unit_id, &m],
                )?),
                _ => None,
            };
            Ok(ScopedCount {
                table: t.name.to_string(),
                in_unit,
                in_unit_and_month,
            })
        })
        .collect()
}

/// A query a user typed in the app's console: one SELECT (it is wrapped in a subquery, and
/// DuckDB's parser must find one statement in all), run in a read-only transaction that is
/// rolled back, so that nothing it does can change the project. At most `max_rows` rows.
pub fn run_console(project: &Project, sql: &str, max_rows: usize) -> anyhow::Result<QueryResult> {
    let query = sql.trim().trim_end_matches(';').trim();
    if query.is_empty() {
        crate::bail_say!("type a SELECT to run", "请输入一条 SELECT 查询");
    }
    let wrapped = format!("SELECT * FROM (\n{query}\n) AS console");
    super::parser::one_statement(&wrapped).map_err(|e| {
        crate::said!(
            "only one SELECT runs here ({})",
            "这里只能运行一条 SELECT 查询（{}）",
            e.lines().next().unwrap_or_default()
        )
    })?;
    project.read_only_run(|p| run_sql_with(p, &wrapped, &[], Some(max_rows)).map_err(anyhow::Error::from))
}

/// Runs one SQL statement and returns its rows. On a read-only project a statement
/// that would write fails; the caller words the refusal.
pub fn run_sql(project: &Project, sql: &str, max_rows: Option<usize>) -> duckdb::Result<QueryResult> {
    run_sql_with(project, sql, &[], max_rows)
}

/// `run_sql` with parameters bound to the statement's `?` or `$n`.
pub fn run_sql_with(
    project: &Project,
    sql: &str,
    params: &[&dyn duckdb::ToSql],
    max_rows: Option<usize>,
) -> duckdb::Result<QueryResult> {
    let mut stmt = project.conn().prepare(sql)?;
    let mut rows = stmt.query(params)?;
    let columns = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
    let n = columns.len();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        if max_rows.is_some_and(|m| out.len() >= m) {
            break;
        }
        let mut values = Vec::with_capacity(n);
        for i in 0..n {
            values.push(row.get::<_, Value>(i)?);
        }
        out.push(values);
    }
    Ok(QueryResult { columns, rows: out })
}

fn timestamp(unit: TimeUnit, v: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp_micros(unit.to_micros(v)).map(|d| d.naive_utc())
}

/// A value as a user reads it: dates as YYYY-MM-DD, NULL as empty.
pub fn value_to_string(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Boolean(b) => b.to_string(),
        Value::TinyInt(x) => x.to_string(),
        Value::SmallInt(x) => x.to_string(),
        Value::Int(x) => x.to_string(),
        Value::BigInt(x) => x.to_string(),
        Value::HugeInt(x) => x.to_string(),
        Value::UHugeInt(x) => x.to_string(),
        Value::UTinyInt(x) => x.to_string(),
        Value::USmallInt(x) => x.to_string(),
        Value::UInt(x) => x.to_string(),
        Value::UBigInt(x) => x.to_string(),
        Value::Float(x) => x.to_string(),
        Value::Double(x) => x.to_string(),
        Value::Decimal(d) => d.to_string(),
        Value::Timestamp(u, x) => timestamp(*u, *x)
            .map(|t| {
                if t.and_utc().timestamp_subsec_micros() == 0 {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                } else {
                    t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
                }
            })
            .unwrap_or_else(|| x.to_string()),
        Value::Text(s) | Value::Enum(s) => s.clone(),
        Value::Date32(d) => date_from_days(*d)
            .map(|d| d.to_string())
            .unwrap_or_else(|| d.to_string()),
        Value::Blob(b) | Value::Geometry(b) => format!("<{} bytes>", b.len()),
        Value::List(items) | Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(value_to_string).collect::<Vec<_>>().join(", ")
            )
        }
        other => format!("{other:?}"),
    }
}

/// A value as JSON: numbers stay numbers, dates become strings.
pub fn value_to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Boolean(b) => J::Bool(*b),
        Value::TinyInt(x) => J::from(*x),
        Value::SmallInt(x) => J::from(*x),
        Value::Int(x) => J::from(*x),
        Value::BigInt(x) => J::from(*x),
        Value::UTinyInt(x) => J::from(*x),
        Value::USmallInt(x) => J::from(*x),
        Value::UInt(x) => J::from(*x),
        Value::UBigInt(x) => J::from(*x),
        Value::Float(x) => serde_json::Number::from_f64(*x as f64).map_or(J::Null, J::Number),
        Value::Double(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
        Value::List(items) | Value::Array(items) => J::Array(items.iter().map(value_to_json).collect()),
        other => J::String(value_to_string(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_users_read_them() {
        assert_eq!(value_to_string(&Value::Date32(19723)), "2024-01-01");
        assert_eq!(
            value_to_string(&Value::Timestamp(TimeUnit::Microsecond, 1_704_110_400_000_000)),
            "2024-01-01 12:00:00"
        );
        assert_eq!(value_to_string(&Value::Null), "");
        assert_eq!(value_to_json(&Value::Double(f64::NAN)), serde_json::Value::Null);
        assert_eq!(value_to_json(&Value::BigInt(7)), serde_json::json!(7));
    }
}
