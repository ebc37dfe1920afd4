//! `mams sql`: one read-only query on a project.

use std::path::Path;

use super::print::{print_csv, print_json, print_table};
use super::{SqlFormat, refusal};
use crate::store::{Project, queries};

pub fn run(project: &Path, query: &str, format: SqlFormat, max_rows: usize) -> anyhow::Result<()> {
    let p = Project::open_read_only(project)?;
    let limit = (format == SqlFormat::Table && max_rows > 0).then_some(max_rows);
    let result = queries::run_sql(&p, query, limit.map(|m| m + 1)).map_err(|e| refusal(&e))?;
    let mut out = std::io::stdout().lock();
    match format {
        SqlFormat::Table => print_table(&mut out, &result, max_rows)?,
        SqlFormat::Csv => print_csv(&mut out, &result)?,
        SqlFormat::Json => print_json(&mut out, &result)?,
    }
    Ok(())
}
