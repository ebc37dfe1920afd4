//! Printing a page's report from the command line: as tables (every section), as JSON (the
//! whole report) or one section as CSV. `mams service`, `mams market` and `mams board`.

use std::io::Write;

use clap::ValueEnum;
use duckdb::types::Value;

use crate::store::queries::QueryResult;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    Table,
    Json,
    /// One section as CSV (see --section).
    Csv,
}

/// One part of a page: its name (for --section), a heading and its rows.
pub struct Section {
    pub name: &'static str,
    pub heading: String,
    pub rows: QueryResult,
}

pub fn section(
    name: &'static str,
    heading: impl Into<String>,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Section {
    Section {
        name,
        heading: heading.into(),
        rows: QueryResult {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
        },
    }
}

pub fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

pub fn number(v: Option<f64>) -> Value {
    v.map(Value::Double).unwrap_or(Value::Null)
}

pub fn count(n: u64) -> Value {
    Value::BigInt(n.min(i64::MAX as u64) as i64)
}

/// Prints `title` and the sections in `format`; `chosen` names the CSV section (the first
/// when None).
pub fn print(
    title: &str,
    json: &impl serde::Serialize,
    sections: &[Section],
    format: ReportFormat,
    chosen: Option<&str>,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        ReportFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(json)?)?,
        ReportFormat::Csv => {
            let s = match chosen {
                None => sections.first(),
                Some(name) => sections.iter().find(|s| s.name == name),
            }
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "there is no section {}; the sections are {}",
                    chosen.unwrap_or_default(),
                    sections.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
                )
            })?;
            super::print_csv(&mut out, &s.rows)?;
        }
        ReportFormat::Table => {
            writeln!(out, "{title}")?;
            for s in sections {
                writeln!(out)?;
                writeln!(out, "{} [{}]", s.heading, s.name)?;
                super::print_table(&mut out, &s.rows, usize::MAX)?;
            }
        }
    }
    Ok(())
}
