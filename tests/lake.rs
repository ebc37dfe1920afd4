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

    // What the app's window offers to attach: the lake's months and every unit, each after
    // the unit above it and one level deeper (checked against the project's own tree).
    let outline = lake::attach::outline(&dir).unwrap();
    let tree = mams::store::queries::org_tree(&p).unwrap();
    assert_eq!(outline.units.len(), tree.len());
    let listed = mams::ui::org::depth_first(&outline.units);
    assert_eq!(listed.len(), tree.len());
    for (i, (u, depth)) in listed.iter().enumerate() {
        let parent = tree
            .iter()
            .find(|t| t.unit_id == u.unit_id)
            .unwrap()
            .parent_id
            .clone();
        match parent {
            None => assert_eq!(*depth, 0, "{}", u.unit_id),
            Some(parent) => {
                let at = listed.iter().position(|(o, _)| o.unit_id == parent).unwrap();
                assert!(at < i, "{} listed before {parent}", u.unit_id);
                assert_eq!(*depth, listed[at].1 + 1, "{}", u.unit_id);
            }
        }
    }
    let customers: u64 = p
        .conn()
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(outline.customers, customers);

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
    let e = lake::attach::outline(&dir).unwrap_err().to_string();
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

/// The suspects of a run over `unit`'s subtree, by key, with their amount in cents.
fn suspects_of(p: &Project, unit: &str) -> std::collections::BTreeMap<String, i64> {
    use mams::audit::run::{self, RunSpec};
    let months = mams::store::queries::months(p).unwrap();
    let (rules, _) = run::library(p).unwrap();
    let spec = RunSpec::new(months[0], *months.last().unwrap(), unit, vec![]);
    let report = run::run(p, &rules, &spec, false, &Progress::new()).unwrap();
    for o in &report.outcomes {
        assert!(o.error.is_none(), "{}: {:?}", o.rule_id, o.error);
    }
    report
        .found
        .iter()
        .map(|f| {
            (
                format!(
                    "{}|{}|{}|{:?}|{}",
                    f.rule_id, f.entity_type, f.entity_id, f.period, f.unit_id
                ),
                (f.amount * 100.0).round() as i64,
            )
        })
        .collect()
}

/// The units of `top`'s subtree, found by walking `parent_id` by hand (not `org_closure`,
/// which the attach rebuilds).
fn subtree(p: &Project, top: &str) -> Vec<String> {
    let pairs: Vec<(String, Option<String>)> = p
        .conn()
        .prepare("SELECT unit_id, parent_id FROM org_units")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = vec![top.to_string()];
    let mut i = 0;
    while i < out.len() {
        let here = out[i].clone();
        out.extend(
            pairs
                .iter()
                .filter(|(_, p)| p.as_deref() == Some(&here))
                .map(|(u, _)| u.clone()),
        );
        i += 1;
    }
    out
}

fn count(p: &Project, sql: &str) -> i64 {
    p.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn an_attached_city_reads_its_partitions_in_place_with_the_project_s_figures_and_suspects() {
    use mams::lake::attach::{self, Slice};
    let path = small_project("lake-attach");
    let original = Project::open(&path).unwrap();
    let folder = tmp("lake-attach-out");
    let dir = folder.join("lake");
    lake::export::export(&original, &dir, Personal::Pseudonymised, &Progress::new()).unwrap();
    let city: String = original
        .conn()
        .query_row(
            "SELECT min(unit_id) FROM org_units WHERE level = 'city'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let units = subtree(&original, &city);
    let in_units = units
        .iter()
        .map(|u| format!("'{u}'"))
        .collect::<Vec<_>>()
        .join(", ");

    // The whole span of one city: the same rows, cards and suspects as the project's own
    // for that city.
    let whole = folder.join("city.duckdb");
    let slice = Slice {
        unit: Some(city.clone()),
        ..Slice::default()
    };
    let a = attach::attach(&whole, &dir, &slice, &Progress::new()).unwrap();
    assert_eq!(a.root, city);
    assert_eq!(a.units, units.len());
    let p = Project::open(&whole).unwrap();
    assert_eq!(p.lake_folder(), Some(std::fs::canonicalize(&dir).unwrap()));
    let kind: String = p
        .conn()
        .query_row(
            "SELECT table_type FROM information_schema.tables WHERE table_name = 'bills'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kind, "VIEW", "the bills are read in place, not copied");
    assert_eq!(
        count(&p, "SELECT count(*) FROM bills"),
        count(
            &original,
            &format!(
                "SELECT count(*) FROM bills JOIN customers USING (customer_id) WHERE unit_id IN ({in_units})"
            )
        )
    );
    assert_eq!(
        count(&p, "SELECT count(*) FROM tickets"),
        count(
            &original,
            &format!("SELECT count(*) FROM tickets WHERE unit_id IN ({in_units})")
        )
    );
    assert_eq!(
        count(&p, "SELECT count(*) FROM org_units WHERE parent_id IS NULL"),
        1
    );
    mams::store::kpi::ensure_sums(&p).unwrap();
    let months = mams::store::queries::months(&original).unwrap();
    for m in [months[months.len() / 2], *months.last().unwrap()] {
        let here = mams::metrics::kpi::cards(&p, m, &city, None).unwrap();
        let there = mams::metrics::kpi::cards(&original, m, &city, None).unwrap();
        assert_eq!(here.len(), there.len());
        for (h, t) in here.iter().zip(&there) {
            assert_eq!(h.indicator, t.indicator);
            let mut pairs = vec![
                (h.value, t.value),
                (h.previous_month, t.previous_month),
                (h.previous_year, t.previous_year),
            ];
            pairs.extend(h.history.iter().zip(&t.history).map(|(a, b)| (a.1, b.1)));
            for (a, b) in pairs {
                match (a, b) {
                    // Sums of doubles added in another order.
                    (Some(a), Some(b)) => assert!(
                        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                        "{m} {}: {a} {b}",
                        h.indicator
                    ),
                    (None, None) => {}
                    // Documented (docs/province-scale.md): whether a source covers a month
                    // is known from the slice, so a month in which no unit of the city has
                    // a complaint reads "no data" instead of zero.
                    (None, Some(0.0)) => {}
                    _ => panic!("{m} {}: attached {a:?}, project {b:?}", h.indicator),
                }
            }
        }
        assert!(
            here.iter().filter(|c| c.value.is_some()).count() >= 10,
            "{here:?}"
        );
    }
    let found = suspects_of(&p, &city);
    assert!(!found.is_empty());
    assert_eq!(found, suspects_of(&original, &city));

    // A year of it: the bills of those months only; applications accepted before it are
    // kept (they run into it).
    let year = folder.join("city-year.duckdb");
    let last = *months.last().unwrap();
    let first = last - chrono::Months::new(11);
    attach::attach(
        &year,
        &dir,
        &Slice {
            unit: Some(city.clone()),
            from: Some(first),
            to: Some(last),
        },
        &Progress::new(),
    )
    .unwrap();
    let y = Project::open(&year).unwrap();
    let (lo, hi): (chrono::NaiveDate, chrono::NaiveDate) = y
        .conn()
        .query_row(
            "SELECT min(billing_month), max(billing_month) FROM bills",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((lo, hi), (first, last));
    assert_eq!(
        count(&y, "SELECT count(*) FROM applications"),
        count(
            &original,
            &format!(
                "SELECT count(*) FROM applications WHERE unit_id IN ({in_units}) \
                 AND (accepted_at IS NULL OR accepted_at < DATE '{}' + INTERVAL 1 MONTH)",
                last
            )
        )
    );

    // Below a city: the city's partition, kept to the unit's rows.
    let county: String = original
        .conn()
        .query_row(
            &format!("SELECT min(unit_id) FROM org_units WHERE parent_id = '{city}'"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let below = subtree(&original, &county);
    let in_below = below
        .iter()
        .map(|u| format!("'{u}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let part = folder.join("county.duckdb");
    attach::attach(
        &part,
        &dir,
        &Slice {
            unit: Some(county.clone()),
            ..Slice::default()
        },
        &Progress::new(),
    )
    .unwrap();
    let c = Project::open(&part).unwrap();
    assert_eq!(
        count(&c, "SELECT count(*) FROM payments"),
        count(
            &original,
            &format!(
                "SELECT count(*) FROM payments JOIN customers USING (customer_id) WHERE unit_id IN ({in_below})"
            )
        )
    );
    assert_eq!(count(&c, "SELECT count(*) FROM org_units"), below.len() as i64);

    // Nothing can be imported into an attached project, and nothing in it changes.
    let bills_before = count(&p, "SELECT count(*) FROM bills");
    let e = mams::import::folder::import_folder(&p, small_sample(), &Progress::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("lake") && e.contains("nothing can be imported"), "{e}");
    assert_eq!(count(&p, "SELECT count(*) FROM bills"), bills_before);
    drop((p, y, c));

    // Through the command line, with the sums built for the slice.
    let cli = folder.join("cli.duckdb");
    let o = mams(&[
        "lake",
        "attach",
        cli.to_str().unwrap(),
        dir.to_str().unwrap(),
        "--unit",
        &city,
        "--from",
        &first.format("%Y-%m").to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("in place"), "{}", stdout(&o));
    assert!(mams::store::kpi::sums_current(&Project::open_read_only(&cli).unwrap()).unwrap());

    // A file of the slice rewritten under the project (a province's refresh): the prebuilt
    // sums are stale and rebuilt at the next look.
    let p = Project::open(&whole).unwrap();
    mams::store::kpi::ensure_sums(&p).unwrap();
    assert!(mams::store::kpi::sums_current(&p).unwrap());
    let file = dir
        .join("bills")
        .join(format!("lake_month={}", months[0].format("%Y-%m")))
        .join(format!("lake_city={city}"))
        .join("data_0.parquet");
    let copy = folder.join("copy.parquet");
    std::fs::copy(&file, &copy).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::copy(&copy, &file).unwrap();
    assert!(!mams::store::kpi::sums_current(&p).unwrap());
    drop(p);

    // A lake moved away: the project says which folder it misses.
    let moved = folder.join("moved");
    std::fs::rename(&dir, &moved).unwrap();
    let e = Project::open(&whole).unwrap_err().to_string();
    assert!(
        e.contains(&dir.display().to_string()) && e.contains("not there"),
        "{e}"
    );
    std::fs::rename(&moved, &dir).unwrap();
    assert!(Project::open_read_only(&whole).is_ok());
}

#[test]
fn an_attach_refuses_months_units_and_partitions_it_cannot_read_and_leaves_no_project() {
    use mams::lake::attach::{self, Slice};
    let path = small_project("lake-attach-bad");
    let original = Project::open(&path).unwrap();
    let folder = tmp("lake-attach-bad-out");
    let dir = folder.join("lake");
    lake::export::export(&original, &dir, Personal::Pseudonymised, &Progress::new()).unwrap();
    let target = folder.join("slice.duckdb");
    let refused = |slice: &Slice| -> String {
        let e = attach::attach(&target, &dir, slice, &Progress::new())
            .unwrap_err()
            .to_string();
        assert!(!target.exists(), "a refused attach leaves no project: {e}");
        e
    };
    let month = |s: &str| chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok();
    let e = refused(&Slice {
        from: month("2031-01"),
        ..Slice::default()
    });
    assert!(e.contains("2031-01") && e.contains("outside"), "{e}");
    let e = refused(&Slice {
        unit: Some("NOWHERE".into()),
        ..Slice::default()
    });
    assert!(e.contains("NOWHERE") && e.contains("org_units"), "{e}");

    // A partition written with another schema: a column renamed, then a column of another
    // type. Each is refused with the file's path.
    let partition = std::fs::read_dir(dir.join("bills"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !p.ends_with("lake_month=none"))
        .unwrap();
    let partition = std::fs::read_dir(&partition)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let odd = partition.join("data_9.parquet");
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let good = partition.join("data_0.parquet");
    for (change, says) in [
        ("* RENAME (kwh AS energy)", "no column kwh "),
        ("* REPLACE (kwh::VARCHAR AS kwh)", "column kwh is VARCHAR"),
    ] {
        conn.execute_batch(&format!(
            "COPY (SELECT {change} FROM read_parquet('{}')) TO '{}' (FORMAT parquet)",
            good.display(),
            odd.display()
        ))
        .unwrap();
        let e = refused(&Slice::default());
        assert!(e.contains(&odd.display().to_string()) && e.contains(says), "{e}");
    }
    std::fs::remove_file(&odd).unwrap();

    // A lake exported by an older MAMS, before the working-day calendar was a table: refused,
    // with the version it was exported from and what to do.
    let manifest_file = dir.join(lake::MANIFEST);
    let kept = std::fs::read_to_string(&manifest_file).unwrap();
    let mut older: serde_json::Value = serde_json::from_str(&kept).unwrap();
    older["schema_version"] = 22.into();
    older["tables"]
        .as_array_mut()
        .unwrap()
        .retain(|t| t["name"] != "work_calendar");
    std::fs::write(&manifest_file, older.to_string()).unwrap();
    let e = refused(&Slice::default());
    assert!(
        e.contains("work_calendar") && e.contains("schema version 22") && e.contains("export it again"),
        "{e}"
    );
    std::fs::write(&manifest_file, kept).unwrap();

    // A calendar without the days of 2024 (as a platform's calendar might start later): the
    // applications' days would find nothing, so the attach is refused, naming the first.
    let calendar = dir.join("work_calendar/data_0.parquet");
    let whole = calendar.with_extension("whole");
    std::fs::rename(&calendar, &whole).unwrap();
    conn.execute_batch(&format!(
        "COPY (SELECT * FROM read_parquet('{}') WHERE year(day) <> 2024) TO '{}' (FORMAT parquet)",
        whole.display(),
        calendar.display()
    ))
    .unwrap();
    let e = refused(&Slice::default());
    assert!(
        e.contains("work_calendar") && e.contains("lacks") && e.contains("2024-"),
        "{e}"
    );
    std::fs::rename(&whole, &calendar).unwrap();

    // A table missing from the lake.
    std::fs::remove_dir_all(dir.join("tickets")).unwrap();
    let e = refused(&Slice::default());
    assert!(e.contains("tickets") && e.contains("missing"), "{e}");
    // An existing project is never overwritten.
    let e = attach::attach(&path, &dir, &Slice::default(), &Progress::new())
        .unwrap_err()
        .to_string();
    assert!(e.contains("already exists"), "{e}");
    assert!(Project::open(&path).is_ok());
}
