//! A column's profile: how many rows, nulls and distinct values, its smallest and largest,
//! its commonest values, a histogram of a number or date column and the shapes of a text
//! column's values ("13800000000" and "0571-8765 4321" are 99999999999 and 9999-9999 9999),
//! all by DuckDB in a few scans.

use serde::Serialize;

use crate::model::{self, ColType};
use crate::store::Project;

/// Bars of a histogram.
pub const BINS: usize = 20;
/// Values and shapes listed.
pub const TOP: usize = 10;

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub table: String,
    pub column: String,
    pub kind: String,
    pub rows: u64,
    pub nulls: u64,
    /// Empty or blank text.
    pub blanks: u64,
    pub distinct: u64,
    pub min: Option<String>,
    pub max: Option<String>,
    pub mean: Option<f64>,
    pub top: Vec<(String, u64)>,
    /// (lower bound, upper bound, rows) for numbers and dates.
    pub histogram: Vec<(String, String, u64)>,
    /// Shapes of text values: digits as 9, Latin letters as A, other letters as 汉.
    pub patterns: Vec<(String, u64)>,
}

/// Profiles one column of a table of the model (refused otherwise, with the names there are).
/// The values of a column of personal data are masked.
pub fn profile(project: &Project, table: &str, column: &str) -> anyhow::Result<Profile> {
    let Some(t) = model::table(table) else {
        let names: Vec<&str> = model::TABLES.iter().map(|t| t.name).collect();
        crate::bail_say!(
            "there is no table {table:?}; the tables are {}",
            "没有表 {table:?}；可用的表为 {}",
            names.join(", ")
        );
    };
    let Some(c) = t.column(column) else {
        let names: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        crate::bail_say!(
            "table {table} has no column {column:?}; its columns are {}",
            "表 {table} 没有列 {column:?}；它的列为 {}",
            names.join(", ")
        );
    };
    let kind = match c.ty {
        ColType::Text => "text",
        ColType::Int | ColType::Real => "number",
        ColType::Date | ColType::Timestamp => "date",
        ColType::Bool => "boolean",
    };
    let stats = crate::store::dq::column_stats(project, t.name, c.name, kind == "text")?;
    let histogram = match kind {
        "number" | "date" => crate::store::dq::histogram(project, t.name, c.name, kind == "date", BINS)?,
        _ => Vec::new(),
    };
    let patterns = if kind == "text" {
        crate::store::dq::patterns(project, t.name, c.name, TOP)?
    } else {
        Vec::new()
    };
    // Personal data (names, phones, ID numbers, addresses) leaves masked, as everywhere.
    let personal = crate::privacy::model_column(t.name, c.name);
    let shown = |v: String| match personal {
        Some(kind) => crate::privacy::mask(&v, kind),
        None => v,
    };
    let top = crate::store::dq::top_values(project, t.name, c.name, TOP)?
        .into_iter()
        .map(|(v, n)| (shown(v), n))
        .collect();
    Ok(Profile {
        table: t.name.to_string(),
        column: c.name.to_string(),
        kind: kind.to_string(),
        rows: stats.rows,
        nulls: stats.nulls,
        blanks: stats.blanks,
        distinct: stats.distinct,
        min: stats.min.map(shown),
        max: stats.max.map(shown),
        mean: stats.mean,
        top,
        histogram,
        patterns,
    })
}

/// Every column of a table, profiled.
pub fn profile_table(project: &Project, table: &str) -> anyhow::Result<Vec<Profile>> {
    let Some(t) = model::table(table) else {
        return profile(project, table, "").map(|p| vec![p]);
    };
    t.columns
        .iter()
        .map(|c| profile(project, table, c.name))
        .collect()
}
