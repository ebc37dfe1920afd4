//! The command line on a small generated project, the committed sample, and bad input.

mod common;

use std::path::Path;

use common::*;
use mams::manifest::Manifest;
use mams::progress::Progress;
use mams::sample::{self, SampleSpec};
use mams::store::{Project, queries};

fn file_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn same_arguments_give_the_same_bytes_and_another_seed_does_not() {
    let a = tmp("det-a");
    let b = tmp("det-b");
    let c = tmp("det-c");
    let spec = SampleSpec {
        customers: 300,
        months: 6,
        ..SMALL
    };
    sample::generate(&spec, &a, &Progress::new()).unwrap();
    let out = mams(&[
        "sample",
        "--out",
        b.to_str().unwrap(),
        "--customers",
        "300",
        "--months",
        "6",
        "--seed",
        "11",
        "--first-month",
        "2024-01",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(file_bytes(&a), file_bytes(&b), "CLI and library runs differ");
    sample::generate(&SampleSpec { seed: 12, ..spec }, &c, &Progress::new()).unwrap();
    let customers = |d: &Path| std::fs::read(d.join("customers.parquet")).unwrap();
    assert_ne!(customers(&a), customers(&c));
    // No scratch files are left behind.
    assert!(!a.join(".mams-sample-scratch.duckdb").exists());
}

#[test]
fn the_committed_sample_db_is_what_the_documented_command_produces() {
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
    let m = Manifest::read(&committed).expect("sample-db/ has a valid manifest");
    let g = m.generator.as_ref().expect("generator arguments are recorded");
    assert_eq!(
        (g.customers, g.months, g.seed, g.first_month.as_str()),
        (
            sample::COMMITTED.customers,
            sample::COMMITTED.months,
            sample::COMMITTED.seed,
            "2024-01"
        )
    );
    let total: u64 = file_bytes(&committed).iter().map(|(_, b)| b.len() as u64).sum();
    assert!(total < 25_000_000, "sample-db is {total} bytes");

    let fresh = tmp("regenerated");
    let again = sample::generate(&sample::COMMITTED, &fresh, &Progress::new()).unwrap();
    // The content must match: every file's rows, compared through DuckDB, and the hashes.
    let conn = duckdb::Connection::open_in_memory().unwrap();
    for (old, new) in m
        .tables
        .iter()
        .chain(&m.extras)
        .zip(again.tables.iter().chain(&again.extras))
    {
        assert_eq!(old.table, new.table);
        assert_eq!(old.rows, new.rows, "{}", old.table);
        let sql = format!(
            "SELECT count(*) FROM ((SELECT * FROM read_parquet('{0}') EXCEPT ALL SELECT * FROM read_parquet('{1}')) \
             UNION ALL (SELECT * FROM read_parquet('{1}') EXCEPT ALL SELECT * FROM read_parquet('{0}')))",
            committed.join(&old.file).display(),
            fresh.join(&new.file).display()
        );
        let diff: i64 = conn.query_row(&sql, [], |r| r.get(0)).unwrap();
        assert_eq!(diff, 0, "{} differs from the committed file", old.file);
        assert_eq!(old.sha256, new.sha256, "{} has other bytes", old.file);
    }
    let basemap = mams::store::map::BASEMAP_FILE;
    assert_eq!(
        std::fs::read(committed.join(basemap)).unwrap(),
        std::fs::read(fresh.join(basemap)).unwrap(),
        "the basemap is what the generator draws"
    );
}

#[test]
fn every_audit_theme_is_planted_and_the_data_looks_real() {
    let dir = small_sample();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let q = |sql: &str| -> f64 {
        let sql = sql.replace("DIR", &dir.display().to_string());
        conn.query_row(&sql, [], |r| r.get::<_, f64>(0)).unwrap()
    };
    // Themes planted even in a small sample (the 24 are all in the committed one, below).
    let themes = q("SELECT count(DISTINCT rule_id)::DOUBLE FROM 'DIR/planted_anomalies.parquet'");
    assert!(themes >= 18.0, "only {themes} themes planted");
    // Residential consumption peaks in summer: August above April.
    let ratio = q(
        "SELECT (sum(kwh) FILTER (WHERE month(b.billing_month) = 8)) / (sum(kwh) FILTER (WHERE month(b.billing_month) = 4)) \
                   FROM 'DIR/bills.parquet' b JOIN 'DIR/customers.parquet' c USING (customer_id) WHERE c.customer_class = 'residential'",
    );
    assert!(ratio > 1.3, "summer/spring residential ratio {ratio}");
    // Most of what is billed is collected, but not all: there are arrears.
    let collected = q(
        "SELECT (SELECT sum(amount) FROM 'DIR/payments.parquet') / (SELECT sum(amount) FROM 'DIR/bills.parquet')",
    );
    assert!((0.9..0.9995).contains(&collected), "collection rate {collected}");
    // Large industry is billed two-part, residential on the tiered tariff.
    let wrong = q(
        "SELECT count(*)::DOUBLE FROM 'DIR/customers.parquet' c WHERE c.customer_class = 'industrial_large' AND c.tariff_code <> 'I-LARGE' \
                   AND customer_id NOT IN (SELECT entity_id FROM 'DIR/planted_anomalies.parquet')",
    );
    assert_eq!(wrong, 0.0);
    // Outages interrupt customers, tickets have timings, vehicles move.
    assert!(q("SELECT sum(customers_affected)::DOUBLE FROM 'DIR/outages.parquet'") > 0.0);
    assert!(
        q(
            "SELECT avg(date_diff('minute', dispatched_at, arrived_at))::DOUBLE FROM 'DIR/tickets.parquet' WHERE ticket_type = 'fault_repair'"
        ) > 10.0
    );
    assert!(q("SELECT count(DISTINCT (lon, lat))::DOUBLE FROM 'DIR/vehicle_positions.parquet'") > 100.0);

    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db/planted_anomalies.parquet");
    let n: i64 = conn
        .query_row(
            &format!("SELECT count(DISTINCT rule_id) FROM '{}'", committed.display()),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        n as usize,
        sample::anomalies::THEMES.len(),
        "every theme is planted in sample-db"
    );
}

#[test]
fn import_info_and_sql_work_on_a_generated_project() {
    let dir = tmp("import-cli");
    let project = dir.join("p.duckdb");
    let out = mams(&[
        "import",
        project.to_str().unwrap(),
        small_sample().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stored"), "{}", stderr(&out));
    // The indicator sums were built with the import: a read-only open (which cannot
    // rebuild them) finds them current, so the first page opens at once.
    assert!(
        stderr(&out).contains("indicator sums updated"),
        "{}",
        stderr(&out)
    );
    {
        let p = mams::store::Project::open_read_only(&project).unwrap();
        assert!(mams::store::kpi::ensure_sums(&p).unwrap());
    }

    let out = mams(&["info", project.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(info["schema_version"], mams::store::SCHEMA_VERSION);
    let m = Manifest::read(small_sample()).unwrap();
    for f in &m.tables {
        let t = info["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == f.table.as_str())
            .unwrap();
        let want = if f.table == "work_calendar" {
            // The sample's days, and every other day from 2000 to 2040 filled in as Monday to
            // Friday: 41 years of 365 days and 11 leap days (2000, 2004, ..., 2040).
            41 * 365 + 11
        } else {
            f.rows
        };
        assert_eq!(t["rows"].as_u64().unwrap(), want, "{}", f.table);
    }
    let bills = info["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "bills")
        .unwrap();
    assert_eq!(bills["months"], 14);
    assert_eq!(bills["first_month"], "2024-01-01");

    let out = mams(&["info", project.to_str().unwrap()]);
    assert!(stdout(&out).contains("meter_reads"));

    let out = mams(&[
        "sql",
        project.to_str().unwrap(),
        "SELECT customer_class, count(*) AS n FROM customers GROUP BY 1 ORDER BY 1",
        "--format",
        "csv",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("customer_class,n\n"), "{text}");
    let total: u64 = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, SMALL.customers);

    let out = mams(&[
        "sql",
        project.to_str().unwrap(),
        "SELECT 1 AS one",
        "--format",
        "json",
    ]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap(),
        serde_json::json!([{"one": 1}])
    );

    let before = std::fs::read(&project).unwrap();
    for write in [
        "DELETE FROM customers",
        "CREATE TABLE x (a INT)",
        "COPY customers TO '/tmp/mams-leak.csv'",
    ] {
        let out = mams(&["sql", project.to_str().unwrap(), write]);
        assert!(!out.status.success(), "{write} was not refused");
        assert!(stderr(&out).contains("read-only"), "{write}: {}", stderr(&out));
    }
    assert_eq!(std::fs::read(&project).unwrap(), before);

    // A second statement is refused before anything runs (preparing would run the first).
    let out = mams(&[
        "sql",
        project.to_str().unwrap(),
        "SELECT 1; COPY customers TO '/tmp/mams-leak-2.csv'",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("one statement"), "{}", stderr(&out));
    assert!(!Path::new("/tmp/mams-leak-2.csv").exists());
    assert_eq!(std::fs::read(&project).unwrap(), before);

    let out = mams(&["sql", project.to_str().unwrap(), "SELEC nonsense"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("query failed"), "{}", stderr(&out));
}

#[test]
fn bad_folders_and_files_are_refused_and_the_project_is_unchanged() {
    let project = small_project("bad-input");
    let counts = |p: &Path| {
        let p = Project::open_read_only(p).unwrap();
        queries::project_info(&p).unwrap().tables
    };
    let before = counts(&project);
    let proj = project.to_str().unwrap();

    // A folder without a manifest.
    let empty = tmp("no-manifest");
    let out = mams(&["import", proj, empty.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("has no manifest.json"), "{}", stderr(&out));

    // A manifest naming a file that is not there.
    let broken = tmp("missing-file");
    let mut m = Manifest::read(small_sample()).unwrap();
    for f in &m.tables {
        std::fs::copy(small_sample().join(&f.file), broken.join(&f.file)).unwrap();
    }
    m.extras.clear();
    m.write(&broken).unwrap();
    std::fs::remove_file(broken.join("bills.parquet")).unwrap();
    let out = mams(&["import", proj, broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bills.parquet"), "{}", stderr(&out));

    // A Parquet file with a column the table does not have, and one missing a required column.
    let conn = duckdb::Connection::open_in_memory().unwrap();
    conn.execute_batch(&format!(
        "COPY (SELECT *, 1 AS surprise FROM read_parquet('{}')) TO '{}' (FORMAT parquet)",
        small_sample().join("bills.parquet").display(),
        broken.join("bills.parquet").display()
    ))
    .unwrap();
    let out = mams(&["import", proj, broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("bills.parquet") && stderr(&out).contains("surprise"),
        "{}",
        stderr(&out)
    );
    conn.execute_batch(&format!(
        "COPY (SELECT * EXCLUDE (kwh) FROM read_parquet('{}')) TO '{}' (FORMAT parquet)",
        small_sample().join("bills.parquet").display(),
        broken.join("bills.parquet").display()
    ))
    .unwrap();
    let out = mams(&["import", proj, broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("kwh"), "{}", stderr(&out));

    // A file that is not Parquet at all.
    std::fs::write(broken.join("bills.parquet"), "bill_id,kwh\n1,2\n").unwrap();
    let out = mams(&["import", proj, broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Parquet"), "{}", stderr(&out));

    // Duplicate keys fail inside the transaction: the tables loaded before it roll back.
    conn.execute_batch(&format!(
        "COPY (SELECT * FROM read_parquet('{0}') UNION ALL (SELECT * FROM read_parquet('{0}') LIMIT 1)) TO '{1}' (FORMAT parquet)",
        small_sample().join("bills.parquet").display(),
        broken.join("bills.parquet").display()
    ))
    .unwrap();
    let mut m2 = Manifest::read(&broken).unwrap();
    m2.tables.iter_mut().find(|f| f.table == "bills").unwrap().rows += 1;
    m2.write(&broken).unwrap();
    let out = mams(&["import", proj, broken.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("bills.parquet row 12075: duplicate_key"), "{err}");

    assert_eq!(counts(&project), before, "a failed import changed the project");

    // A missing project, and a file that is not a project.
    let out = mams(&["info", "/nonexistent/p.duckdb"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("does not exist"));
    let text = tmp("not-a-project").join("notes.duckdb");
    std::fs::write(&text, "hello").unwrap();
    let out = mams(&["info", text.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not a DuckDB database"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "hello");
}

#[test]
fn a_failed_first_import_leaves_no_project_file_behind() {
    let dir = tmp("no-leftover");
    let project = dir.join("new.duckdb");
    let broken = tmp("no-leftover-src");
    let m = Manifest::read(small_sample()).unwrap();
    for f in &m.tables {
        std::fs::copy(small_sample().join(&f.file), broken.join(&f.file)).unwrap();
    }
    let mut m = m;
    m.extras.clear();
    m.tables.iter_mut().find(|f| f.table == "customers").unwrap().rows += 5;
    m.write(&broken).unwrap();
    let out = mams(&["import", project.to_str().unwrap(), broken.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("manifest says"), "{}", stderr(&out));
    assert!(!project.exists());
}

#[test]
fn newer_and_locked_projects_get_clear_messages() {
    let project = small_project("newer");
    {
        let c = duckdb::Connection::open(&project).unwrap();
        c.execute_batch("UPDATE mams_meta SET value = '99' WHERE key = 'schema_version'")
            .unwrap();
    }
    let out = mams(&["info", project.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("newer MAMS"), "{}", stderr(&out));

    let locked = small_project("locked");
    let holder = Project::open(&locked).unwrap();
    let out = mams(&["info", locked.to_str().unwrap()]);
    assert!(!out.status.success());
    // Who holds it (this test's own process) and what to do.
    let said = stderr(&out);
    assert!(
        said.contains(&format!("(process {}", std::process::id())),
        "{said}"
    );
    assert!(said.contains("one program at a time"), "{said}");
    drop(holder);
    let out = mams(&["info", locked.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn help_is_there_for_every_command() {
    use clap::CommandFactory;
    // Every command and subcommand clap knows, found by walking the parser (so a new
    // command is covered without editing this list).
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            out.push((p.clone(), about));
            walk(sub, p, out);
        }
    }
    let mut all = Vec::new();
    walk(&mams::cli::Cli::command(), Vec::new(), &mut all);
    let names: Vec<String> = all.iter().map(|(p, _)| p.join(" ")).collect();
    for must in [
        "sample", "import", "info", "kpi", "service", "market", "board", "audit", "triage", "cases", "map",
        "analyze", "sql",
    ] {
        assert!(names.iter().any(|n| n == must), "no command {must}: {names:?}");
    }
    for (path, about) in &all {
        assert!(!about.is_empty(), "{path:?} has no description");
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = mams(&args);
        assert!(out.status.success(), "{path:?}: {}", stderr(&out));
        let text = stdout(&out);
        // The help names the command's own usage line and says what it does.
        let usage = format!("Usage: mams {}", path.join(" "));
        assert!(text.contains(&usage), "{path:?}: {text}");
        let first_line = about.lines().next().unwrap();
        assert!(text.contains(first_line), "{path:?}: {text}");
    }
    let out = mams(&["sample", "--out", "/tmp/x", "--first-month", "2024-13"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("YYYY-MM"));
}

#[test]
fn mams_analyze_decompose_splits_a_change_into_parts_that_add_up() {
    let dir = tmp("decompose");
    let lmdi = dir.join("revenue.csv");
    std::fs::write(
        &lmdi,
        "group,period,kwh,price\nresidential,base,100,0.5\nresidential,target,120,0.55\n\
         industrial,base,400,0.6\nindustrial,target,380,0.62\n",
    )
    .unwrap();
    let out = mams(&[
        "analyze",
        "decompose",
        "--input",
        lmdi.to_str().unwrap(),
        "--method",
        "lmdi",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let effects = r["effects"].as_array().unwrap();
    let sum: f64 = effects.iter().map(|e| e["additive"].as_f64().unwrap()).sum();
    assert!((sum - 11.6).abs() < 1e-9, "{sum}");
    // Residential kWh: L(66, 50) x ln(1.2) = 57.6301 x 0.182322 = 10.5072 (docs/analysis.md).
    assert!((effects[0]["by_group"][0].as_f64().unwrap() - 10.5072).abs() < 1e-3);

    let ratio = dir.join("collection.csv");
    std::fs::write(&ratio, "group,period,numerator,denominator\nA,base,90,100\nA,target,190,200\nB,base,160,200\nB,target,80,100\n").unwrap();
    let out = mams(&[
        "analyze",
        "decompose",
        "--input",
        ratio.to_str().unwrap(),
        "--method",
        "ratemix",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let (rate, mix, change) = (
        r["rate_effect"].as_f64().unwrap(),
        r["mix_effect"].as_f64().unwrap(),
        r["change"].as_f64().unwrap(),
    );
    assert!((rate - 0.025).abs() < 1e-12 && (rate + mix - change).abs() < 1e-12);

    // A malformed file: a clear one-line reason and a failing exit code.
    std::fs::write(
        &ratio,
        "group,period,numerator,denominator\nA,base,90,100\nA,later,1,2\n",
    )
    .unwrap();
    let out = mams(&[
        "analyze",
        "decompose",
        "--input",
        ratio.to_str().unwrap(),
        "--method",
        "ratemix",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("row 3: period must be 'base' or 'target'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn mams_map_imports_boundaries_and_layers_and_refuses_bad_files() {
    let project = small_project("map-cli");
    let dir = project.parent().unwrap().to_path_buf();
    let p = project.to_str().unwrap();
    let good = dir.join("cities.geojson");
    std::fs::write(
        &good,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"CODE":"C01"},"geometry":{"type":"Polygon","coordinates":[[[114,29],[115,29],[115,30],[114,29]]]}},
          {"type":"Feature","properties":{"CODE":"Z9"},"geometry":{"type":"Polygon","coordinates":[[[114,29],[115,29],[115,30],[114,29]]]}}]}"#,
    )
    .unwrap();
    let out = mams(&["map", "boundaries", p, good.to_str().unwrap(), "--match", "CODE"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 features, 1 matched"), "{}", stdout(&out));
    assert!(stdout(&out).contains("feature 2: \"Z9\" matches nothing"));

    let points = dir.join("piles.geojson");
    std::fs::write(
        &points,
        r#"{"type":"Feature","properties":{"unit":"C02","name":"pile"},"geometry":{"type":"Point","coordinates":[116,29]}}"#,
    )
    .unwrap();
    let out = mams(&[
        "map",
        "layer",
        p,
        points.to_str().unwrap(),
        "--name",
        "Piles",
        "--to",
        "units",
        "--match",
        "unit",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = mams(&["map", "layers", p]);
    let listed = stdout(&out);
    assert!(
        listed.contains("basemap\t") && listed.contains("Piles\t1 features\tpiles.geojson"),
        "{listed}"
    );

    // A bad file: a non-zero exit, one line saying what and where, nothing changed.
    let bad = dir.join("bad.geojson");
    std::fs::write(
        &bad,
        r#"{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}"#,
    )
    .unwrap();
    let before = mams(&["map", "layers", p]);
    let out = mams(&["map", "layer", p, bad.to_str().unwrap(), "--name", "Piles"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("bad.geojson: feature 1: polygon 1, ring 1 crosses itself"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&mams(&["map", "layers", p])), stdout(&before));
    let out = mams(&[
        "map",
        "layer",
        p,
        points.to_str().unwrap(),
        "--name",
        "X",
        "--to",
        "customers",
    ]);
    assert!(!out.status.success(), "matching needs --match");
    let out = mams(&["map", "remove", p, "Nope"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no layer named \"Nope\""));
    assert!(mams(&["map", "remove", p, "Piles"]).status.success());
}

#[test]
fn market_board_and_service_print_what_the_pages_show() {
    let path = small_project("page-commands");
    let p = mams::store::Project::open(&path).unwrap();
    let months = mams::store::queries::months(&p).unwrap();
    let month = *months.last().unwrap();
    let tree = mams::store::queries::org_tree(&p).unwrap();
    let top = tree
        .iter()
        .find(|u| u.parent_id.is_none())
        .unwrap()
        .unit_id
        .clone();
    let below = mams::store::queries::units_below(&tree, &top);
    let progress = mams::progress::Progress::new();
    let board = mams::metrics::bulletin::report(&p, &top, month, &below).unwrap();
    let market = mams::metrics::market::report(&p, &top, month, &progress).unwrap();
    let service = mams::metrics::service::report(&p, &top, month, &below, &progress).unwrap();
    drop(p);
    let period = month.format("%Y-%m").to_string();
    let json = |cmd: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            cmd,
            path.to_str().unwrap(),
            "--period",
            &period,
            "--format",
            "json",
        ];
        args.extend(extra);
        let o = mams(&args);
        assert!(o.status.success(), "{cmd}: {}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    // The board: the same ranking, composites and misses as the page's job.
    let b = json("board", &[]);
    let ranked: Vec<(String, Option<f64>)> = b["ranked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit_id"].as_str().unwrap().to_string(),
                u["composite"].as_f64(),
            )
        })
        .collect();
    let want: Vec<(String, Option<f64>)> = board
        .ranked
        .iter()
        .map(|u| (u.unit_id.clone(), u.composite))
        .collect();
    assert_eq!(ranked, want);
    assert_eq!(ranked.len(), below.len());
    assert_eq!(b["breaches"].as_array().unwrap().len(), board.breaches.len());
    // The key market: the same largest customers, funnel and handling times.
    let m = json("market", &[]);
    let ids: Vec<&str> = m["key_customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["customer_id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = market
        .key_customers
        .iter()
        .map(|c| c.customer_id.as_str())
        .collect();
    assert_eq!(ids, want);
    assert_eq!(ids.len(), 20);
    assert_eq!(m["funnel"], serde_json::json!(market.funnel));
    // Narrowed to a class, only that class's customers are left.
    let class = market.key_customers[0].class.clone();
    let narrowed = json("market", &["--class", &class]);
    let classes: Vec<&str> = narrowed["key_customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert!(
        !classes.is_empty() && classes.iter().all(|c| *c == class),
        "{classes:?}"
    );
    let o = mams(&[
        "market",
        path.to_str().unwrap(),
        "--period",
        &period,
        "--class",
        "nobody",
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("not a customer class"),
        "{}",
        stderr(&o)
    );
    // Service quality: the same reliability.
    let s = json("service", &[]);
    let saidi: Vec<Option<f64>> = s["reliability"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["saidi"].as_f64())
        .collect();
    assert_eq!(
        saidi,
        service.reliability.iter().map(|m| m.saidi).collect::<Vec<_>>()
    );
    // One section as CSV; an unknown section is refused with the list of sections.
    let o = mams(&[
        "board",
        path.to_str().unwrap(),
        "--period",
        &period,
        "--format",
        "csv",
        "--section",
        "misses",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = stdout(&o);
    assert!(
        csv.starts_with("unit,indicator,value,target,gap,gap_pct,status"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 1 + board.breaches.len());
    let o = mams(&[
        "market",
        path.to_str().unwrap(),
        "--period",
        &period,
        "--format",
        "csv",
        "--section",
        "nope",
    ]);
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("key_customers, funnel, handling"),
        "{}",
        stderr(&o)
    );
    // The tables print every section with its name.
    let o = mams(&["market", path.to_str().unwrap(), "--period", &period]);
    let text = stdout(&o);
    for name in [
        "[key_customers]",
        "[funnel]",
        "[handling]",
        "[overdue]",
        "[by_class]",
        "[collection]",
        "[arrears]",
    ] {
        assert!(text.contains(name), "{name} in {text}");
    }
}

#[test]
fn a_folder_is_checked_as_single_files_are_and_every_problem_is_listed() {
    // Issue 15: the folder import stored an unknown customer class, a negative kWh and a
    // payment dated years ahead without a word, which the single-file import rejects, and
    // refused thousands separators the single-file import reads.
    let project = tmp("folder-checks").join("project.duckdb");
    let proj = project.to_str().unwrap();
    let broken = tmp("folder-checks-files");
    let mut m = Manifest::read(small_sample()).unwrap();
    for f in &m.tables {
        std::fs::copy(small_sample().join(&f.file), broken.join(&f.file)).unwrap();
    }
    m.extras.clear();
    m.write(&broken).unwrap();
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let rewrite = |table: &str, select: &str| {
        let from = small_sample().join(format!("{table}.parquet"));
        conn.execute_batch(&format!(
            "COPY ({}) TO '{}' (FORMAT parquet)",
            select.replace("FILE", &format!("read_parquet('{}')", from.display())),
            broken.join(format!("{table}.parquet")).display()
        ))
        .unwrap();
    };
    // Row 3 of the archive of another class, rows 5 and 7 of the bills with a negative and
    // a NaN kWh, the first payment in 2031.
    rewrite(
        "customers",
        "SELECT * REPLACE (CASE WHEN row_number() OVER () = 3 THEN 'martian' ELSE customer_class END AS customer_class) FROM FILE",
    );
    rewrite(
        "bills",
        "SELECT * REPLACE (CASE row_number() OVER () WHEN 5 THEN -5.0 WHEN 7 THEN 'NaN'::DOUBLE ELSE kwh END AS kwh) FROM FILE",
    );
    rewrite(
        "payments",
        "SELECT * REPLACE (CASE WHEN row_number() OVER () = 1 THEN TIMESTAMP '2031-01-01 10:00:00' ELSE paid_at END AS paid_at) FROM FILE",
    );
    let out = mams(&["import", proj, broken.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    for problem in [
        "customers.parquet row 3, customer_class = martian: unknown_code",
        "bills.parquet row 5, kwh = -5.0: negative",
        // NaN in a Parquet file was stored as NULL (issue 15).
        "bills.parquet row 7, kwh = nan: bad_number",
        "payments.parquet row 1, paid_at = 2031-01-01 10:00:00: future_date",
    ] {
        assert!(err.contains(problem), "{problem} not in\n{err}");
    }
    assert!(err.contains("nothing was stored"), "{err}");
    assert!(!project.exists(), "a failed first import leaves no project");

    // Numbers written as text with thousands separators read as the single-file import
    // reads them.
    rewrite("customers", "SELECT * FROM FILE");
    rewrite("payments", "SELECT * FROM FILE");
    rewrite(
        "bills",
        "SELECT * REPLACE (CASE WHEN row_number() OVER () = 5 THEN '1,234.5' ELSE CAST(kwh AS VARCHAR) END AS kwh) FROM FILE",
    );
    let out = mams(&["import", proj, broken.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = mams(&[
        "sql",
        proj,
        "SELECT count(*) FROM bills WHERE kwh = 1234.5",
        "--format",
        "csv",
    ]);
    assert_eq!(stdout(&out).lines().nth(1), Some("1"), "{}", stdout(&out));
}

/// The JSON a successful command printed.
fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).unwrap()
}

/// A JSON array of numbers.
fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn mams_analyze_weighs_a_comparison_matrix_and_indicator_data() {
    let dir = tmp("analyze-weights");
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    // Saaty's 3 x 3 example (docs/evaluation.md): w = (0.637, 0.258, 0.105), CR = 0.033.
    let ahp = write(
        "ahp.csv",
        "criterion,reliability,timeliness,satisfaction\nreliability,1,3,5\ntimeliness,1/3,1,3\nsatisfaction,1/5,1/3,1\n",
    );
    let out = mams(&[
        "analyze",
        "ahp",
        "--input",
        ahp.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let json = json_of(&out);
    let w = floats(&json["ahp"]["weights"]);
    assert!(
        (w[0] - 0.637).abs() < 0.001 && (w[2] - 0.105).abs() < 0.001,
        "{w:?}"
    );
    assert!((json["ahp"]["cr"].as_f64().unwrap() - 0.033).abs() < 0.001);
    // One judgement typed the wrong way round: flagged, named, and the fix suggested.
    let wrong = write(
        "wrong.csv",
        "item,A,B,C,D\nA,1,2,4,1/8\nB,1/2,1,2,4\nC,1/4,1/2,1,2\nD,8,1/4,1/2,1\n",
    );
    let out = mams(&["analyze", "ahp", "--input", wrong.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("NOT consistent"), "{text}");
    assert!(
        text.contains("A against D is 1/8; the other judgements imply about 8"),
        "{text}"
    );
    // A cell that is not a judgement, and a matrix that is not reciprocal: the cell named.
    let bad = write("bad.csv", "item,A,B\nA,1,x\nB,1,1\n");
    let out = mams(&["analyze", "ahp", "--input", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("row 2 (A), column B: 'x'"),
        "{}",
        stderr(&out)
    );
    let bad = write("bad2.csv", "item,A,B\nA,1,3\nB,1/2,1\n");
    let out = mams(&["analyze", "ahp", "--input", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("row 1, column 2 is 3 but row 2, column 1 is 0.5"),
        "{}",
        stderr(&out)
    );

    // Entropy weights of data: a column that is the same everywhere gets nothing.
    let data = write(
        "data.csv",
        "unit,collection_rate,repair_minutes,same\nA,99.2,48,5\nB,98.1,62,5\nC,99.8,41,5\n",
    );
    let out = mams(&[
        "analyze",
        "weights",
        "--input",
        data.to_str().unwrap(),
        "--method",
        "entropy",
        "--lower-better",
        "repair_minutes",
        "--format",
        "json",
    ]);
    let w = floats(&json_of(&out)["weights"]["weights"]);
    assert_eq!(w[2], 0.0, "{w:?}");
    assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let out = mams(&[
        "analyze",
        "weights",
        "--input",
        data.to_str().unwrap(),
        "--method",
        "critic",
        "--lower-better",
        "nope",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("'nope'"), "{}", stderr(&out));
}

#[test]
fn mams_analyze_dea_scores_units_and_refuses_what_it_cannot_use() {
    let dir = tmp("analyze-dea");
    // One input, one output, worked by hand (docs/evaluation.md): CCR scores are output per
    // input over the best: A 1, B 0.75, C 1/3, D 1; BCC input-oriented C is 2/3.
    let file = dir.join("units.csv");
    std::fs::write(&file, "unit,staff,sales\nA,2,2\nB,4,3\nC,3,1\nD,5,5\n").unwrap();
    let run = |model: &str| {
        let out = mams(&[
            "analyze",
            "dea",
            "--input",
            file.to_str().unwrap(),
            "--inputs",
            "staff",
            "--outputs",
            "sales",
            "--model",
            model,
            "--super",
            "--format",
            "json",
        ]);
        assert!(stderr(&out).contains("warning: 4 units"), "{}", stderr(&out));
        json_of(&out)["result"]["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["score"].as_f64().unwrap())
            .collect::<Vec<f64>>()
    };
    let ccr = run("ccr");
    for (got, want) in ccr.iter().zip([1.0, 0.75, 1.0 / 3.0, 1.0]) {
        assert!((got - want).abs() < 1e-6, "{ccr:?}");
    }
    let bcc = run("bcc");
    assert!((bcc[2] - 2.0 / 3.0).abs() < 1e-6, "{bcc:?}");
    // A zero input, and a column that is not there.
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "unit,staff,sales\nA,2,2\nB,0,3\nC,3,1\n").unwrap();
    let out = mams(&[
        "analyze",
        "dea",
        "--input",
        bad.to_str().unwrap(),
        "--inputs",
        "staff",
        "--outputs",
        "sales",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unit 2, input 1: 0 is not a positive number"),
        "{}",
        stderr(&out)
    );
    let out = mams(&[
        "analyze",
        "dea",
        "--input",
        bad.to_str().unwrap(),
        "--inputs",
        "halls",
        "--outputs",
        "sales",
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no column 'halls'"), "{}", stderr(&out));

    // Malmquist, worked by hand (docs/evaluation.md): the frontier doubles; A keeps up
    // (2 = 1 x 2), B stands still (1 = 0.5 x 2).
    let periods = dir.join("periods.csv");
    std::fs::write(
        &periods,
        "unit,period,staff,sales\nA,2024,1,1\nB,2024,2,1\nA,2025,1,2\nB,2025,2,1\n",
    )
    .unwrap();
    let args = |file: &std::path::Path| {
        mams(&[
            "analyze",
            "malmquist",
            "--input",
            file.to_str().unwrap(),
            "--base",
            "2024",
            "--target",
            "2025",
            "--inputs",
            "staff",
            "--outputs",
            "sales",
            "--format",
            "json",
        ])
    };
    let json = json_of(&args(&periods));
    let m = &json["malmquist"];
    for (u, (index, ec, tc)) in [(2.0, 1.0, 2.0), (1.0, 0.5, 2.0)].into_iter().enumerate() {
        assert!((m[u]["index"].as_f64().unwrap() - index).abs() < 1e-6, "{m}");
        assert!(
            (m[u]["efficiency_change"].as_f64().unwrap() - ec).abs() < 1e-6,
            "{m}"
        );
        assert!(
            (m[u]["technical_change"].as_f64().unwrap() - tc).abs() < 1e-6,
            "{m}"
        );
    }
    std::fs::write(
        &periods,
        "unit,period,staff,sales\nA,2024,1,1\nB,2024,2,1\nA,2025,1,2\n",
    )
    .unwrap();
    let out = args(&periods);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("unit 'B' has a row for 2024 but none for 2025"),
        "{}",
        stderr(&out)
    );
}
