//! The lake (`mams lake export`): the data tables as Parquet partitioned by month and city,
//! read back by DuckDB with the same rows; personal data pseudonymised (equal stays equal);
//! bad folders refused with the path and the reason.

mod common;

use common::*;
use mams::lake::{self, Personal};
use mams::progress::Progress;
use mams::store::Project;

/// Rows of `table` in the lake, read back through DuckDB's Hive partitioning.
fn lake_rows(dir: &std::path::Path, table: &str, by: usize) -> i64 {
    let glob = dir.join(table).join("*/".repeat(by)).join("*.parquet");
    duckdb::Connection::open_in_memory()
        .unwrap()
        .query_row(
            &format!(
                "SELECT count(*) FROM read_parquet('{}', hive_partitioning = true)",
                glob.display()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_lake_holds_every_row_partitioned_by_month_and_city_and_refuses_bad_folders() {
    let path = small_project("lake-export");
    let p = Project::open(&path).unwrap();
    let dir = tmp("lake-export").join("lake");
    let m = lake::export::export(&p, &dir, Personal::Pseudonymised, &Progress::new()).unwrap();
    assert_eq!(lake::read_manifest(&dir).unwrap(), m);
    for t in &m.tables {
        let stored: i64 = p
            .conn()
            .query_row(&format!("SELECT count(*) FROM {}", t.name), [], |r| r.get(0))
            .unwrap();
        assert_eq!(t.rows as i64, stored, "{}", t.name);
        assert_eq!(
            lake_rows(&dir, &t.name, t.partitioned_by.len()),
            stored,
            "{}",
            t.name
        );
    }
    let bills = m.tables.iter().find(|t| t.name == "bills").unwrap();
    assert_eq!(bills.partitioned_by, ["lake_month", "lake_city"]);

    // Each bill sits in its month's and its customer's city's folder. Written by hand: the
    // city is the customer's unit's ancestor at the city level, read from org_units here
    // (not from org_closure, which the export uses).
    let (month, customer): (String, String) = p
        .conn()
        .query_row(
            "SELECT strftime(billing_month, '%Y-%m'), customer_id FROM bills ORDER BY bill_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let mut unit: String = p
        .conn()
        .query_row(
            "SELECT unit_id FROM customers WHERE customer_id = ?",
            [&customer],
            |r| r.get(0),
        )
        .unwrap();
    loop {
        let (level, parent): (String, Option<String>) = p
            .conn()
            .query_row(
                "SELECT level, parent_id FROM org_units WHERE unit_id = ?",
                [&unit],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        if level == "city" {
            break;
        }
        unit = parent.expect("a customer's unit is under a city");
    }
    let folder = dir
        .join("bills")
        .join(format!("lake_month={month}"))
        .join(format!("lake_city={unit}"));
    let in_folder: i64 = duckdb::Connection::open_in_memory()
        .unwrap()
        .query_row(
            &format!(
                "SELECT count(*) FROM read_parquet('{}/*.parquet') WHERE customer_id = ?",
                folder.display()
            ),
            [&customer],
            |r| r.get(0),
        )
        .unwrap();
    assert!(in_folder >= 1, "the bill is not under {}", folder.display());

    // Pseudonymised: no ID number as stored, and two customers sharing one still share it.
    let lake = duckdb::Connection::open_in_memory().unwrap();
    let customers = format!("read_parquet('{}/*/*.parquet')", dir.join("customers").display());
    let ids: Vec<String> = p
        .conn()
        .prepare("SELECT id_number FROM customers WHERE id_number <> '' LIMIT 50")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let leaked: i64 = lake
        .query_row(
            &format!("SELECT count(*) FROM {customers} WHERE list_contains(?::VARCHAR[], id_number)"),
            [format!("[{}]", ids.join(","))],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leaked, 0);
    let groups = |conn: &duckdb::Connection, from: &str| -> Vec<i64> {
        conn.prepare(&format!(
            "SELECT count(*) AS n FROM {from} WHERE id_number <> '' GROUP BY id_number HAVING n > 1 ORDER BY n"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    assert_eq!(groups(p.conn(), "customers"), groups(&lake, &customers));

    // A folder that is not empty is refused, and what is in it is left alone.
    let busy = tmp("lake-busy").join("busy");
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), "mine").unwrap();
    let e = lake::export::export(&p, &busy, Personal::Pseudonymised, &Progress::new()).unwrap_err();
    assert!(e.to_string().contains("not an empty folder"), "{e}");
    assert_eq!(std::fs::read_to_string(busy.join("keep.txt")).unwrap(), "mine");

    // A lake missing a table, or from a newer MAMS, is refused with the path and the reason.
    std::fs::remove_dir_all(dir.join("tickets")).unwrap();
    let e = lake::read_manifest(&dir).unwrap_err().to_string();
    assert!(e.contains("tickets") && e.contains("missing"), "{e}");
    let newer = tmp("lake-newer").join("newer");
    std::fs::create_dir_all(&newer).unwrap();
    let mut text: serde_json::Value = serde_json::to_value(&m).unwrap();
    text["version"] = 99.into();
    std::fs::write(newer.join("lake.json"), text.to_string()).unwrap();
    let e = lake::read_manifest(&newer).unwrap_err().to_string();
    assert!(e.contains("version 99") && e.contains("lake.json"), "{e}");
    let e = lake::read_manifest(&tmp("lake-none")).unwrap_err().to_string();
    assert!(e.contains("not a MAMS lake"), "{e}");
}

#[test]
fn personal_data_in_full_goes_to_the_lake_only_with_an_access_log_entry() {
    let path = small_project("lake-full");
    let p = Project::open(&path).unwrap();
    let dir = tmp("lake-full").join("lake");
    lake::export::export(&p, &dir, Personal::Full, &Progress::new()).unwrap();
    let log = mams::store::access_log::list(&p, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].channel, "lake");
    assert!(
        log[0].columns.contains("customers.id_number"),
        "{}",
        log[0].columns
    );
    // In full: the same ID numbers as stored.
    let ids = |conn: &duckdb::Connection, from: &str| -> Vec<String> {
        conn.prepare(&format!(
            "SELECT DISTINCT id_number FROM {from} WHERE id_number IS NOT NULL ORDER BY 1"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let stored = ids(p.conn(), "customers");
    assert!(!stored.is_empty());
    let lake = duckdb::Connection::open_in_memory().unwrap();
    let in_lake = ids(
        &lake,
        &format!("read_parquet('{}/*/*.parquet')", dir.join("customers").display()),
    );
    assert_eq!(stored, in_lake);
}
