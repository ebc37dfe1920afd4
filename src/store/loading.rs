//! Writing extracts into a project: the SQL of loading a Parquet file into a canonical
//! table, the checks that follow, the org closure and the import record. Callers wrap these
//! in one transaction (`Project::transaction`).

use std::path::Path;

use super::{Project, quote_literal};
use crate::model::{ColType, Table};

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
    let ty = ty.to_uppercase();
    let numeric = ty.contains("INT") || ty.starts_with("DECIMAL") || ty == "DOUBLE" || ty == "FLOAT";
    match want {
        ColType::Text => true,
        ColType::Int | ColType::Real => numeric || ty == "VARCHAR",
        ColType::Bool => ty == "BOOLEAN" || ty == "VARCHAR" || numeric,
        ColType::Date => ty == "DATE" || ty.starts_with("TIMESTAMP") || ty == "VARCHAR",
        ColType::Timestamp => ty.starts_with("TIMESTAMP") || ty == "DATE" || ty == "VARCHAR",
    }
}

/// Replaces the whole content of `table` with the rows of a Parquet file whose columns are
/// canonical names (checked by the caller). Missing optional columns become NULL.
pub fn replace_table_from_parquet(
    project: &Project,
    table: &Table,
    file: &Path,
    present: &[String],
) -> duckdb::Result<u64> {
    project
        .conn()
        .execute_batch(&format!("DELETE FROM {}", table.name))?;
    let select: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            if present.iter().any(|p| p == c.name) {
                format!("CAST({} AS {})", super::quote_ident(c.name), c.ty.sql())
            } else {
                format!("CAST(NULL AS {})", c.ty.sql())
            }
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} SELECT {} FROM read_parquet({})",
        table.name,
        select.join(", "),
        quote_literal(&file.to_string_lossy())
    );
    let n = project.conn().execute(&sql, [])?;
    Ok(n as u64)
}

/// The first key that occurs more than once in `table`, if any.
pub fn duplicate_key(project: &Project, table: &Table) -> duckdb::Result<Option<(String, u64)>> {
    let key = table.key.join(", ");
    let shown = table
        .key
        .iter()
        .map(|k| format!("CAST({k} AS VARCHAR)"))
        .collect::<Vec<_>>()
        .join(" || ' / ' || ");
    let sql = format!(
        "SELECT {shown}, count(*) FROM {} GROUP BY {key} HAVING count(*) > 1 ORDER BY 2 DESC, 1 LIMIT 1",
        table.name
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let mut rows = stmt.query([])?;
    match rows.next()? {
        Some(r) => Ok(Some((r.get(0)?, r.get::<_, i64>(1)? as u64))),
        None => Ok(None),
    }
}

/// A value of `table.column` with no match in `parent.parent_column`, and how many such rows.
pub fn dangling_reference(
    project: &Project,
    table: &str,
    column: &str,
    parent: &str,
    parent_column: &str,
) -> duckdb::Result<Option<(String, u64)>> {
    let sql = format!(
        "SELECT min({column}), count(*) FROM {table} t WHERE {column} IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{parent_column} = t.{column})"
    );
    let (first, n): (Option<String>, i64) = project
        .conn()
        .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(first.map(|f| (f, n as u64)))
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
