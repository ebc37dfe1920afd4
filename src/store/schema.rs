//! The project schema and its migrations.
//!
//! Each version's DDL is frozen as written: version 1 is the canonical data model as it
//! shipped (`sql/model_v1.sql`, with its code lists) plus the tables MAMS keeps for itself.
//! A later version adds a migration here; `Project::open` runs the missing ones inside one
//! transaction. A test checks that the schema after every migration is today's model, so a
//! change of `crate::model` without a migration fails instead of silently changing version
//! 1 for new projects only.

use crate::model::Table;

/// The schema version this build of MAMS writes and understands.
pub const SCHEMA_VERSION: i64 = 23;

/// The value of `mams_meta.app` that marks a DuckDB file as a MAMS project.
pub const APP_MARKER: &str = "MAMS";

/// Tables MAMS records for itself, in every version-1 project.
const APP_TABLES_V1: &str = include_str!("sql/app_tables_v1.sql");

/// The canonical tables and code lists of version 1, as they shipped.
const MODEL_V1: &str = include_str!("sql/model_v1.sql");

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

/// Version 10 adds the tariff catalogue, a canonical table imported like any extract.
const TARIFFS_V10: &str = include_str!("sql/tariffs_v10.sql");
/// Version 11 adds what an import left for the sums to rebuild, and late bills.
const SUMS_PENDING_V11: &str = include_str!("sql/sums_pending_v11.sql");
/// Version 12 adds published evaluations, index systems, improvement items, peer groups, external peers.
const EVALUATIONS_V12: &str = include_str!("sql/evaluations_v12.sql");
/// Version 13 adds the resources of units per year, a canonical table (DEA's inputs).
const UNIT_RESOURCES_V13: &str = include_str!("sql/unit_resources_v13.sql");
/// Version 14 adds published bulletins.
const BULLETINS_V14: &str = include_str!("sql/bulletins_v14.sql");
/// Version 15 adds decks for presenting.
const DECKS_V15: &str = include_str!("sql/decks_v15.sql");
/// Version 16 adds data quality: runs, results, the worklist, warnings.
const DQ_V16: &str = include_str!("sql/dq_v16.sql");
/// Version 17 keeps the monthly figures the data quality warnings watch.
const DQ_FIGURES_V17: &str = include_str!("sql/dq_figures_v17.sql");
/// Version 18 adds marketing risk points: levels, their changes, measures and their trail.
const RISKS_V18: &str = include_str!("sql/risks_v18.sql");
/// Version 19 chains the audit trail: a sequence number and a hash per entry.
const TRAIL_CHAIN_V19: &str = include_str!("sql/trail_chain_v19.sql");
/// Version 20 adds the customers' bank account and contact person, and the access log.
const PRIVACY_V20: &str = include_str!("sql/privacy_v20.sql");
/// Version 21 adds the phone access's paired devices and their requests.
const HANDHELD_V21: &str = include_str!("sql/handheld_v21.sql");
/// Version 22 keeps the on-site records sent from phones, with their photos.
const HANDHELD_RECORDS_V22: &str = include_str!("sql/handheld_records_v22.sql");
/// Version 23 adds the working-day calendar, a canonical table filled with Monday to Friday.
const WORK_CALENDAR_V23: &str = include_str!("sql/work_calendar_v23.sql");

/// DDL of one canonical table as the model has it today (for scratch databases; a new
/// table's migration is written from it once, then frozen). Keys are enforced by the importers, not by an index:
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
        0 => format!("{APP_TABLES_V1}{MODEL_V1}"),
        1 => IMPORT_TABLES_V2.to_string(),
        2 => TARGETS_V3.to_string(),
        3 => KPI_SUMS_V4.to_string(),
        4 => AUDIT_V5.to_string(),
        5 => CASES_V6.to_string(),
        6 => MAP_V7.to_string(),
        7 => COLLECTION_SUMS_V8.to_string(),
        8 => KPI_CLASS_SUMS_V9.to_string(),
        9 => TARIFFS_V10.to_string(),
        10 => SUMS_PENDING_V11.to_string(),
        11 => EVALUATIONS_V12.to_string(),
        12 => UNIT_RESOURCES_V13.to_string(),
        13 => BULLETINS_V14.to_string(),
        14 => DECKS_V15.to_string(),
        15 => DQ_V16.to_string(),
        16 => DQ_FIGURES_V17.to_string(),
        17 => RISKS_V18.to_string(),
        18 => TRAIL_CHAIN_V19.to_string(),
        19 => PRIVACY_V20.to_string(),
        20 => HANDHELD_V21.to_string(),
        21 => HANDHELD_RECORDS_V22.to_string(),
        22 => WORK_CALENDAR_V23.to_string(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{codes, model};

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

    #[test]
    fn the_schema_after_every_migration_is_the_model() {
        // Version 1 is frozen as it shipped (sql/model_v1.sql); a change of the model needs
        // a migration, or this fails.
        let conn = duckdb::Connection::open_in_memory().unwrap();
        conn.execute_batch(&migrations_from(0)).unwrap();
        for t in model::TABLES {
            let mut stmt = conn
                .prepare(
                    "SELECT column_name, data_type, is_nullable FROM information_schema.columns \
                     WHERE table_name = ? ORDER BY ordinal_position",
                )
                .unwrap();
            let have: Vec<(String, String, String)> = stmt
                .query_map([t.name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let want: Vec<(String, String, String)> = t
                .columns
                .iter()
                .map(|c| {
                    let nullable = if c.required { "NO" } else { "YES" };
                    (c.name.to_string(), c.ty.sql().to_string(), nullable.to_string())
                })
                .collect();
            assert_eq!(
                have, want,
                "table {}: the model changed without a migration",
                t.name
            );
        }
        // The code lists too.
        let mut stmt = conn
            .prepare("SELECT list, code, label_en, label_zh FROM code_lists ORDER BY list, sort")
            .unwrap();
        let have: Vec<(String, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut want = Vec::new();
        let mut lists: Vec<_> = codes::LISTS.iter().collect();
        lists.sort_by_key(|(name, _)| *name);
        for (list, entries) in lists {
            for c in entries.iter() {
                want.push((
                    list.to_string(),
                    c.code.to_string(),
                    c.en.to_string(),
                    c.zh.to_string(),
                ));
            }
        }
        assert_eq!(have, want, "the code lists changed without a migration");
    }
}
