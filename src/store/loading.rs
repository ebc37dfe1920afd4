//! What a folder import needs around the rows themselves (which are read and checked as a
//! single file is, see `staging`): the columns of a Parquet file, the org closure and the
//! import record. Callers wrap these in one transaction (`Project::transaction`).

use std::path::Path;

use super::{Project, quote_literal};
use crate::model::ColType;

/// A column found in a file, with DuckDB's name for its type.
#[derive(Debug, Clone, PartialEq)]
pub struct FileColumn {
    pub name: String,
    pub ty: String,
}

/// The columns of a Parquet file, read from its footer.
pub fn parquet_columns(project: &Project, file: &Path) -> duckdb::Result<Vec<FileColumn>> {
    let sql = format!(
        "DESCRIBE SELECT * FROM read_parquet({})",
        quote_literal(&file.to_string_lossy())
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        Ok(FileColumn {
            name: r.get(0)?,
            ty: r.get(1)?,
        })
    })?;
    rows.collect()
}

/// Whether a file column of DuckDB type `ty` can be stored in a canonical column.
pub fn type_compatible(want: ColType, ty: &str) -> bool {
    let text = ty.eq_ignore_ascii_case("VARCHAR");
    holds_type(want, ty) || text || (matches!(want, ColType::Bool) && holds_type(ColType::Real, ty))
}

/// Whether a file column of DuckDB type `ty` holds values of a field of type `want` already
/// (numbers for numbers, dates or timestamps for dates, booleans for yes/no; anything for
/// text), with no text to convert.
pub fn holds_type(want: ColType, ty: &str) -> bool {
    let ty = ty.to_uppercase();
    match want {
        ColType::Text => true,
        ColType::Int | ColType::Real => {
            ty.contains("INT") || ty.starts_with("DECIMAL") || ty == "DOUBLE" || ty == "FLOAT"
        }
        ColType::Date | ColType::Timestamp => ty == "DATE" || ty.starts_with("TIMESTAMP"),
        ColType::Bool => ty == "BOOLEAN",
    }
}

const REBUILD_ORG_CLOSURE: &str = include_str!("sql/rebuild_org_closure.sql");

/// Recomputes `org_closure` from `org_units`.
pub fn rebuild_org_closure(project: &Project) -> duckdb::Result<()> {
    project.conn().execute_batch(REBUILD_ORG_CLOSURE)
}

/// One row of the import history.
#[derive(Debug, Clone)]
pub struct ImportEntry<'a> {
    pub kind: &'a str,
    pub source: &'a str,
    pub table: &'a str,
    pub file_name: &'a str,
    pub file_size: u64,
    pub sha256: &'a str,
    pub profile: Option<&'a str>,
    pub rows_in: u64,
    pub rows_stored: u64,
    pub rows_rejected: u64,
    pub started_at: chrono::NaiveDateTime,
}

/// The id the next import batch gets.
pub fn next_import_id(project: &Project) -> duckdb::Result<i64> {
    project
        .conn()
        .query_row("SELECT coalesce(max(import_id), 0) + 1 FROM imports", [], |r| {
            r.get(0)
        })
}

pub fn record_import(project: &Project, import_id: i64, e: &ImportEntry) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        duckdb::params![
            import_id,
            e.started_at,
            chrono::Local::now().naive_local(),
            e.kind,
            e.source,
            e.table,
            e.file_name,
            e.file_size as i64,
            e.sha256,
            e.profile,
            e.rows_in as i64,
            e.rows_stored as i64,
            e.rows_rejected as i64,
            env!("CARGO_PKG_VERSION"),
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_compatibility() {
        assert!(type_compatible(ColType::Real, "BIGINT"));
        assert!(type_compatible(ColType::Date, "TIMESTAMP"));
        assert!(!type_compatible(ColType::Date, "DOUBLE"));
        assert!(!type_compatible(ColType::Int, "DATE"));
        assert!(type_compatible(ColType::Text, "DOUBLE"));
    }
}
