//! The project schema and its migrations.
//!
//! Version 1 is generated from the canonical data model (`crate::model`) plus the tables
//! MAMS keeps for itself. A later version adds a migration here; `Project::open` runs the
//! missing ones inside one transaction.

use crate::codes;
use crate::model::{self, Table};

/// The schema version this build of MAMS writes and understands.
pub const SCHEMA_VERSION: i64 = 9;

/// The value of `mams_meta.app` that marks a DuckDB file as a MAMS project.
pub const APP_MARKER: &str = "MAMS";

/// Tables MAMS records for itself, in every version-1 project.
const APP_TABLES_V1: &str = include_str!("sql/app_tables_v1.sql");

/// Version 2 adds what file imports keep: rejected rows and saved mappings.
const IMPORT_TABLES_V2: &str = include_str!("sql/import_tables_v2.sql");

/// Version 3 adds the targets of indicators.
const TARGETS_V3: &str = include_str!("sql/targets_v3.sql");

/// Version 4 adds the prebuilt sums of the indicators per org unit and month.
const KPI_SUMS_V4: &str = include_str!("sql/kpi_sums_v4.sql");

/// Version 5 adds the audit: runs, suspects, the trail, rule parameters, project rules.
const AUDIT_V5: &str = include_str!("sql/audit_v5.sql");

/// Version 6 adds the case library.
const CASES_V6: &str = include_str!("sql/cases_v6.sql");

/// Version 7 adds the map's own layers: the basemap and imported point layers.
const MAP_V7: &str = include_str!("sql/map_v7.sql");

/// Version 8 adds the prebuilt sums of charges and collection (arrears by age, the
/// collection curve).
const COLLECTION_SUMS_V8: &str = include_str!("sql/collection_sums_v8.sql");

/// Version 9 adds the indicator sums by customer class (the cards' class breakdown).
const KPI_CLASS_SUMS_V9: &str = include_str!("sql/kpi_class_sums_v9.sql");

/// DDL of one canonical table. Keys are enforced by the importers, not by an index:
/// an index on a 10M-row fact table would make every bulk load several times slower.
pub fn create_table_sql(t: &Table) -> String {
    let cols: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let not_null = if c.required { " NOT NULL" } else { "" };
            format!("  {} {}{}", c.name, c.ty.sql(), not_null)
        })
        .collect();
    format!("CREATE TABLE {} (\n{}\n);\n", t.name, cols.join(",\n"))
}

/// The SQL that takes a project from `from` to `from + 1`.
pub fn migration(from: i64) -> String {
    match from {
        0 => {
            let mut sql = String::from(APP_TABLES_V1);
            for t in model::TABLES {
                sql.push_str(&create_table_sql(t));
            }
            sql.push_str(&code_list_inserts());
            sql
        }
        1 => IMPORT_TABLES_V2.to_string(),
        2 => TARGETS_V3.to_string(),
        3 => KPI_SUMS_V4.to_string(),
        4 => AUDIT_V5.to_string(),
        5 => CASES_V6.to_string(),
        6 => MAP_V7.to_string(),
        7 => COLLECTION_SUMS_V8.to_string(),
        8 => KPI_CLASS_SUMS_V9.to_string(),
        _ => unreachable!("no migration from schema version {from}"),
    }
}

/// All migrations from `from` up to `SCHEMA_VERSION`, as one batch.
pub fn migrations_from(from: i64) -> String {
    let mut sql = String::new();
    for v in from..SCHEMA_VERSION {
        sql.push_str(&migration(v));
    }
    sql.push_str(&format!(
        "INSERT OR REPLACE INTO mams_meta VALUES ('schema_version', '{SCHEMA_VERSION}');\n"
    ));
    sql
}

fn code_list_inserts() -> String {
    let mut rows = Vec::new();
    for (list, entries) in codes::LISTS {
        for (i, c) in entries.iter().enumerate() {
            rows.push(format!(
                "('{}', '{}', '{}', '{}', {})",
                list,
                c.code,
                c.en.replace('\'', "''"),
                c.zh.replace('\'', "''"),
                i
            ));
        }
    }
    format!("INSERT INTO code_lists VALUES\n{};\n", rows.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_one_creates_every_model_table() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        conn.execute_batch(&migrations_from(0)).unwrap();
        for t in model::TABLES {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = ?",
                    [t.name],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n as usize, t.columns.len(), "{}", t.name);
        }
        let v: String = conn
            .query_row(
                "SELECT value FROM mams_meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION.to_string());
        for t in ["import_rejects", "import_profiles"] {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                    [t],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "{t}");
        }
        let labels: i64 = conn
            .query_row(
                "SELECT count(*) FROM code_lists WHERE list = 'customer_class'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(labels, 5);
    }
}
