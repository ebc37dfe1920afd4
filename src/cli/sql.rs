//! `mams sql`: one read-only query on a project.

use std::path::Path;

use super::print::{print_csv, print_json, print_table};
use super::{SqlFormat, refusal};
use crate::store::{Project, queries};

pub fn run(
    project: &Path,
    query: &str,
    format: SqlFormat,
    max_rows: usize,
    unmasked: bool,
) -> anyhow::Result<()> {
    // One statement, by DuckDB's parser: preparing several would run all but the last.
    match crate::store::parser::statement_count(query) {
        Ok(1) => {}
        Ok(n) => anyhow::bail!("refused: `mams sql` runs one statement, and this text holds {n}"),
        Err(e) => anyhow::bail!("query failed: {e}"),
    }
    let p = Project::open_read_only(project)?;
    let limit = (format == SqlFormat::Table && max_rows > 0).then_some(max_rows);
    let mut result = queries::run_sql(&p, query, limit.map(|m| m + 1)).map_err(|e| refusal(&e))?;
    let personal = super::print::mask_result(&mut result, crate::privacy::Disclosure::unmasked(unmasked));
    if unmasked && !personal.is_empty() {
        // Recorded before anything is printed; the query ran read-only, the log needs the
        // project writable (refused while the app holds it).
        drop(p);
        let w = Project::open(project)?;
        let shown = result.rows.len().min(limit.unwrap_or(usize::MAX));
        crate::store::access_log::record(
            &w,
            &crate::store::access_log::Entry::now("cli sql", query.trim(), &personal, shown as u64),
        )?;
    }
    let mut out = std::io::stdout().lock();
    match format {
        SqlFormat::Table => print_table(&mut out, &result, max_rows)?,
        SqlFormat::Csv => print_csv(&mut out, &result)?,
        SqlFormat::Json => print_json(&mut out, &result)?,
    }
    Ok(())
}
