//! Printing a page's report from the command line: as tables (every section), as JSON (the
//! whole report) or one section as CSV. `mams service`, `mams market` and `mams board`.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use duckdb::types::Value;

use crate::store::Project;
use crate::store::queries::{self, QueryResult};

/// What every page command takes.
#[derive(Debug, Args)]
pub struct PageArgs {
    pub project: PathBuf,
    /// The month, YYYY-MM.
    #[arg(long, value_parser = super::parse_month)]
    pub period: NaiveDate,
    /// Org unit id (its subtree is counted); default: the top unit.
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// The part printed as CSV (default: the first).
    #[arg(long)]
    pub section: Option<String>,
}

/// The project (writable when it can be, to build the indicator sums once), the unit
/// checked (or the top unit) and the units one level below it.
pub fn open_scope(args: &PageArgs) -> anyhow::Result<(Project, String, Vec<String>)> {
    let p = Project::open(&args.project).or_else(|_| Project::open_read_only(&args.project))?;
    let unit = crate::metrics::kpi::check_scope(&p, args.period, args.unit.as_deref())?;
    let below = queries::units_below(&queries::org_tree(&p)?, &unit);
    Ok((p, unit, below))
}

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

/// Prints `title` and the sections in the format `args` asks for (JSON: the whole `json`;
/// CSV: the section named, the first when none is).
pub fn print(
    args: &PageArgs,
    title: &str,
    json: &impl serde::Serialize,
    sections: &[Section],
) -> anyhow::Result<()> {
    let chosen = args.section.as_deref();
    let mut out = std::io::stdout().lock();
    match args.format {
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
            super::print::print_csv(&mut out, &s.rows)?;
        }
        ReportFormat::Table => {
            writeln!(out, "{title}")?;
            for s in sections {
                writeln!(out)?;
                writeln!(out, "{} [{}]", s.heading, s.name)?;
                super::print::print_table(&mut out, &s.rows, usize::MAX)?;
            }
        }
    }
    Ok(())
}
