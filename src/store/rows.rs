//! The rows behind a number: one data table's rows in an org unit's subtree and a month,
//! optionally narrowed to one value of one column, searched, sorted and paged; and the same
//! rows written out whole to CSV or XLSX. Table and column names come from the data model,
//! never from the user; values are bound as parameters.

use std::path::Path;

use chrono::NaiveDate;
use duckdb::types::Value;

use super::Project;
use super::queries::{QueryResult, run_sql_with, unit_scope_predicate, value_to_string};
use crate::model::{self, ColType, Table};
use crate::privacy::Disclosure;

/// Which rows.
#[derive(Debug, Clone, PartialEq)]
pub struct RowsQuery {
    pub table: &'static str,
    pub unit: String,
    /// Rows whose period column falls in this month (for tables placed in time).
    pub month: Option<NaiveDate>,
    /// Only rows whose column has this value.
    pub only: Option<(&'static str, String)>,
    /// Only the rows a data quality check fails: a SELECT of their keys (`dq_key`, the key
    /// columns joined by '|'), from `dq::compile::all_failing_sql`. It may hold a project
    /// check's SQL, so such a query runs in a read-only transaction.
    pub failing: Option<String>,
    /// Text searched in every text column (case-insensitive).
    pub search: String,
    /// Column to sort by, descending when true.
    pub sort: Option<(String, bool)>,
    pub offset: u64,
    pub limit: u64,
}

/// A page of rows and how many match in all.
#[derive(Debug, Clone)]
pub struct RowsPage {
    pub result: QueryResult,
    pub total: u64,
}

fn table_of(name: &str) -> anyhow::Result<&'static Table> {
    model::table(name)
        .ok_or_else(|| crate::said!("no table {name} in the data model", "数据模型中没有表 {name}"))
}

/// The WHERE clause and its values. Only model names go into the text.
fn filter(t: &Table, q: &RowsQuery) -> anyhow::Result<(String, Vec<Box<dyn duckdb::ToSql>>)> {
    let mut clauses = vec![unit_scope_predicate(t).to_string()];
    let mut values: Vec<Box<dyn duckdb::ToSql>> = vec![Box::new(q.unit.clone())];
    if let (Some(m), Some(col)) = (q.month, t.period_column) {
        clauses.push(format!("date_trunc('month', {col})::DATE = ?::DATE"));
        values.push(Box::new(m));
    }
    if let Some((col, v)) = &q.only {
        if t.column(col).is_none() {
            crate::bail_say!("{} has no column {col}", "{} 没有列 {col}", t.name);
        }
        clauses.push(format!("{col} = ?"));
        values.push(Box::new(v.clone()));
    }
    if let Some(keys) = &q.failing {
        let key: Vec<String> = t.key.iter().map(|k| format!("{k}::VARCHAR")).collect();
        clauses.push(format!(
            "concat_ws('|', {}) IN (SELECT dq_key FROM ({keys}))",
            key.join(", ")
        ));
    }
    let search = q.search.trim();
    if !search.is_empty() {
        let texts: Vec<&str> = t
            .columns
            .iter()
            .filter(|c| matches!(c.ty, ColType::Text))
            .map(|c| c.name)
            .collect();
        if !texts.is_empty() {
            clauses.push(format!(
                "contains(lower(concat_ws(' ', {})), lower(?))",
                texts.join(", ")
            ));
            values.push(Box::new(search.to_string()));
        }
    }
    Ok((clauses.join(" AND "), values))
}

fn order(t: &Table, q: &RowsQuery) -> String {
    match &q.sort {
        Some((col, desc)) if t.column(col).is_some() => {
            format!(
                " ORDER BY {col} {} NULLS LAST",
                if *desc { "DESC" } else { "ASC" }
            )
        }
        _ => format!(" ORDER BY {}", t.key.join(", ")),
    }
}

/// One page of the rows.
pub fn page(project: &Project, q: &RowsQuery) -> anyhow::Result<RowsPage> {
    if q.failing.is_some() {
        return project.read_only_run(|p| page_of(p, q));
    }
    page_of(project, q)
}

fn page_of(project: &Project, q: &RowsQuery) -> anyhow::Result<RowsPage> {
    let t = table_of(q.table)?;
    let (wh, values) = filter(t, q)?;
    let refs: Vec<&dyn duckdb::ToSql> = values.iter().map(|b| b.as_ref()).collect();
    let total: i64 = project.conn().query_row(
        &format!("SELECT count(*) FROM {} WHERE {wh}", t.name),
        refs.as_slice(),
        |r| r.get(0),
    )?;
    let sql = format!(
        "SELECT * FROM {} WHERE {wh}{} LIMIT {} OFFSET {}",
        t.name,
        order(t, q),
        q.limit.min(10_000),
        q.offset
    );
    let result = run_sql_with(project, &sql, refs.as_slice(), None)?;
    Ok(RowsPage {
        result,
        total: total.max(0) as u64,
    })
}

/// Rows an Excel sheet can hold (with its header row).
pub const XLSX_MAX_ROWS: u64 = 1_048_575;

/// The select list of an export: every column, personal ones masked unless disclosed in full.
fn export_columns(t: &Table, disclosure: Disclosure) -> String {
    t.columns
        .iter()
        .map(|c| match c.personal {
            Some(kind) if disclosure == Disclosure::Masked => {
                super::mask_function::masked_column(c.name, kind)
            }
            _ => c.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes every matching row to `path`: CSV (by DuckDB, any size) or XLSX (up to the sheet
/// limit; more is refused with the count, to export as CSV instead). Personal columns are
/// masked unless `disclosure` is full, which is first recorded in the access log. Returns
/// the rows written.
pub fn export(project: &Project, q: &RowsQuery, path: &Path, disclosure: Disclosure) -> anyhow::Result<u64> {
    let t = table_of(q.table)?;
    let (wh, values) = filter(t, q)?;
    let refs: Vec<&dyn duckdb::ToSql> = values.iter().map(|b| b.as_ref()).collect();
    let select = format!(
        "SELECT {} FROM {} WHERE {wh}{}",
        export_columns(t, disclosure),
        t.name,
        order(t, q)
    );
    let xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let personal: Vec<String> = t
        .columns
        .iter()
        .filter(|c| c.personal.is_some())
        .map(|c| c.name.to_string())
        .collect();
    if disclosure == Disclosure::Full && !personal.is_empty() {
        let total: i64 = project.conn().query_row(
            &format!("SELECT count(*) FROM {} WHERE {wh}", t.name),
            refs.as_slice(),
            |r| r.get(0),
        )?;
        super::access_log::record_export(project, disclosure, t.name, path, &personal, total.max(0) as u64)?;
    }
    if !xlsx {
        // DuckDB writes only in the project's private folder; the file is moved from there.
        let written = super::scratch::new_file(project.scratch_dir(), "export", "csv");
        let copy = format!(
            "COPY ({select}) TO {} (HEADER, DELIMITER ',')",
            super::quote_literal(&written.to_string_lossy())
        );
        let n = project.conn().execute(&copy, refs.as_slice()).map_err(|e| {
            let _ = std::fs::remove_file(&written);
            crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e)
        })?;
        super::scratch::deliver(&written, path)?;
        return Ok(n as u64);
    }
    let total: i64 = project.conn().query_row(
        &format!("SELECT count(*) FROM {} WHERE {wh}", t.name),
        refs.as_slice(),
        |r| r.get(0),
    )?;
    if total as u64 > XLSX_MAX_ROWS {
        crate::bail_say!(
            "{total} rows do not fit in an Excel sheet ({XLSX_MAX_ROWS} at most); export them as CSV, or narrow the rows first",
            "{total} 行放不进一个 Excel 工作表（最多 {XLSX_MAX_ROWS} 行）；请导出为 CSV，或先缩小范围"
        );
    }
    let mut stmt = project.conn().prepare(&select)?;
    let mut rows = stmt.query(refs.as_slice())?;
    let columns = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(t.name)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, h, &bold)?;
    }
    let mut n = 0u32;
    while let Some(row) = rows.next()? {
        n += 1;
        for c in 0..columns.len() {
            let v: Value = row.get(c)?;
            match v {
                Value::Null => {}
                Value::Double(x) => {
                    sheet.write_number(n, c as u16, x)?;
                }
                Value::BigInt(x) => {
                    sheet.write_number(n, c as u16, x as f64)?;
                }
                Value::Int(x) => {
                    sheet.write_number(n, c as u16, x as f64)?;
                }
                other => {
                    sheet.write_string(n, c as u16, value_to_string(&other))?;
                }
            }
        }
    }
    wb.save(path)
        .map_err(|e| crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e))?;
    Ok(n as u64)
}

/// The table and filter behind an indicator: what "show the rows" opens for it.
pub fn rows_of_indicator(indicator: &str) -> (&'static str, Option<(&'static str, String)>) {
    match indicator {
        "line_loss_rate" => ("line_loss", None),
        "new_connections" | "connection_days" | "connections_over_limit" => ("applications", None),
        "complaints_per_10k" => ("tickets", Some(("ticket_type", "complaint".to_string()))),
        "repair_arrival" => ("tickets", Some(("ticket_type", "fault_repair".to_string()))),
        "ticket_timeliness" | "satisfaction" => ("tickets", None),
        "saidi" | "saifi" | "caidi" | "asai" | "rs1" | "rs3" => ("outages", None),
        "collection_rate" | "arrears" => ("bills", None),
        _ => ("bills", None),
    }
}
