//! The indicator sums computed from the data tables, for a project whose prebuilt sums are
//! not current and cannot be rebuilt (opened read-only, or a rebuild that failed).
//!
//! What is computed is kept for the session in temporary tables of the project's connection
//! (`kpi_direct_store.sql`): the sums of each unit's own rows per month, as `kpi_unit_month`
//! holds them. A query computes only the units and months the store lacks, then adds up the
//! stored rows for the units asked. On a city-year of a 1M-customer lake the page's first
//! view took about 2 s to compute; a scope change after that 55 to 145 ms, a sum of a few
//! hundred rows (docs/province-scale.md). The store is emptied when the data changes (the fingerprint the prebuilt
//! sums are kept against), so it never answers for data it was not computed from.

use chrono::{Months, NaiveDate};

use super::Project;
use super::kpi::{MonthTotals, fingerprint, query_totals};

const STORE_SQL: &str = include_str!("sql/kpi_direct_store.sql");
const MISSING_SQL: &str = include_str!("sql/kpi_direct_missing.sql");
const COVERAGE_SQL: &str = include_str!("sql/kpi_direct_coverage.sql");
const FILL_SQL: &str = concat!(
    "INSERT INTO kpi_direct_unit_month\n",
    include_str!("sql/kpi_unit_month_direct.sql")
);
const TOTALS_SQL: &str = include_str!("sql/kpi_month_totals_direct.sql");
/// The months before those asked that a computation adds.
const EARLIER_MONTHS: u32 = 12;
const FORGET_SQL: &str = "DELETE FROM kpi_direct_data; DELETE FROM kpi_direct_unit_month; \
     DELETE FROM kpi_direct_done; DELETE FROM kpi_direct_coverage;";

/// The totals of each of `units` (each with every unit below it), in order, for the months
/// `from` to `to`, computing what the session's store lacks first.
pub(super) fn month_totals(
    project: &Project,
    units: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<Vec<MonthTotals>>> {
    let conn = project.conn();
    conn.execute_batch(STORE_SQL)?;
    let now = fingerprint(project)?;
    let kept: Option<String> =
        conn.query_row("SELECT max(fingerprint) FROM kpi_direct_data", [], |r| r.get(0))?;
    if kept.as_deref() != Some(now.as_str()) {
        conn.execute_batch(FORGET_SQL)?;
        conn.execute("INSERT INTO kpi_direct_data VALUES (?)", [&now])?;
    }
    let ids = units.join("\u{1f}");
    type Missing = (Option<String>, Option<NaiveDate>, Option<NaiveDate>, bool);
    let (lacking, first, last, uncovered): Missing = conn
        .prepare_cached(MISSING_SQL)?
        .query_row(duckdb::params![ids, from, to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    if let (Some(lacking), Some(first), Some(last)) = (lacking, first, last) {
        // The year before is computed with them: a month's arrears read every bill due by its
        // end, so the months before cost next to nothing (on a city of the 1M-customer lake,
        // 25 months took as long as 13), and a user stepping back month by month finds them.
        let first = first - Months::new(EARLIER_MONTHS);
        // Rows of these units and months are dropped first: a computation cancelled half-way
        // leaves rows without their mark in kpi_direct_done, which is written last.
        let args = duckdb::params![lacking, first, last];
        conn.execute(
            "DELETE FROM kpi_direct_unit_month WHERE list_contains(string_split(?, chr(31)), unit_id) \
             AND month BETWEEN ? AND ?",
            args,
        )?;
        conn.execute(FILL_SQL, args)?;
        conn.execute(
            "INSERT INTO kpi_direct_done \
             SELECT u, m::DATE FROM unnest(string_split(?, chr(31))) t(u), \
             range(?::DATE, ?::DATE + INTERVAL 1 MONTH, INTERVAL 1 MONTH) r(m) \
             EXCEPT SELECT unit_id, month FROM kpi_direct_done",
            args,
        )?;
    }
    if uncovered {
        let earlier = from - Months::new(EARLIER_MONTHS);
        conn.execute(COVERAGE_SQL, duckdb::params![earlier, to])?;
    }
    query_totals(project, TOTALS_SQL, units, from, to)
}
