//! Data quality: the checks on a small extract written by hand (the failing rows of each
//! check listed by hand), against the defects the generator planted in the sample (precision
//! and recall), counts against plain SQL of the test's own, the worklist verifying itself
//! after a correction, a month of reads arriving half empty, incremental runs.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use mams::dq::run::{self, Trigger};
use mams::dq::worklist::{self, Change, Status};
use mams::progress::Progress;
use mams::store::Project;
use mams::store::dq as stored;

/// The committed sample project, built once per test binary and copied for each test.
fn sample_project(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let path = tmp("dq-sample").join("sample.duckdb");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
        mams::import::build_project(&path, &dir, &Progress::new()).expect("build the sample project");
        path
    });
    let path = tmp(name).join("p.duckdb");
    std::fs::copy(built, &path).unwrap();
    path
}

fn full_run(p: &Project) -> run::RunReport {
    let r = run::run(p, Trigger::Hand, false, &Progress::new()).unwrap();
    for o in &r.outcomes {
        assert!(o.error.is_none(), "{}: {:?}", o.check_id, o.error);
    }
    r
}

/// Every failing row of every check in the last run (all rows, not the kept first ones),
/// as check -> keys.
fn failing_keys(p: &Project) -> BTreeMap<String, BTreeSet<String>> {
    let (lib, _) = run::library(p).unwrap();
    let period = stored::data_period(p).unwrap().unwrap_or_default();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for b in &lib {
        let keys: Vec<String> = if b.check.kind.table_level() {
            let last = stored::last_run(p).unwrap().unwrap().run_id;
            stored::failing_rows(p, last, Some(&b.check.id), None)
                .unwrap()
                .into_iter()
                .map(|f| f.key)
                .collect()
        } else {
            let sql = mams::dq::compile::all_failing_sql(b.check.model_table(), b, period, None);
            stored::all_failing(p, &sql, &b.check.shown_columns(), 1_000_000)
                .unwrap()
                .into_iter()
                .map(|(_, k, _)| k)
                .collect()
        };
        if !keys.is_empty() {
            out.insert(b.check.id.clone(), keys.into_iter().collect());
        }
    }
    out
}

/// The check character of an 18-digit resident ID, computed here on its own (GB 11643:
/// weights 2^(17-i) mod 11, "10X98765432").
fn with_check(body17: &str) -> String {
    let sum: u32 = body17
        .chars()
        .enumerate()
        .map(|(i, c)| c.to_digit(10).unwrap() * (2u32.pow(17 - i as u32) % 11))
        .sum();
    format!(
        "{body17}{}",
        "10X98765432".as_bytes()[(sum % 11) as usize] as char
    )
}

/// A small extract written by hand, straight into the tables (a code outside its list or a
/// missing reference cannot come in through the importer, which rejects them).
fn hand_project() -> Project {
    let path = tmp("dq-hand").join("hand.duckdb");
    let p = Project::create(&path).unwrap();
    let (id1, id4, id5, id6) = (
        with_check("11010119900307123"),
        with_check("11010519491231002"),
        with_check("36010219800101456"),
        with_check("36010219851111789"),
    );
    assert_eq!(id4, "11010519491231002X", "the standard's own example");
    let sql = format!(
        "INSERT INTO org_units VALUES
           ('P', NULL, 'province', '省', 'Province', 'urban', 116.0, 39.0, NULL),
           ('S1', 'P', 'station', '一所', 'Station 1', 'urban', 116.1, 39.1,
            '{{\"type\":\"Polygon\",\"coordinates\":[[[116,39],[117,39],[117,40],[116,40],[116,39]]]}}'),
           ('S2', 'P', 'station', '二所', 'Station 2', 'rural', 116.2, 39.2,
            '{{\"type\":\"Polygon\",\"coordinates\":[[[117,40],[118,40],[118,41],[117,41],[117,40]]]}}'),
           ('S3', 'X9', 'depot', '三所', 'Station 3', 'rural', 116.3, 39.3, NULL);
         INSERT INTO customers (customer_id, name, address, phone, id_number, unit_id, area_id, customer_class,
             industry_code, tariff_code, voltage, capacity_kva, meter_asset_no, wiring, ct_ratio, pt_ratio, multiplier,
             pf_standard, status, status_date, opened_on, lon, lat) VALUES
           ('C1', '张三', '一路1号', '13812348000', '{id1}', 'S1', 'A1', 'residential', 'T01', 'R-TIER', '220V', 8, 'M1', 'direct', NULL, NULL, 1, 'none', 'normal', NULL, DATE '2020-01-01', 116.1, 39.1),
           ('C2', '', '一路2号', '1381234800', '110101199003071234', 'S1', 'A1', 'residential', 'T01', 'R-TIER', '220V', 8, 'M1', 'direct', NULL, NULL, 1, 'none', 'normal', NULL, DATE '2020-01-01', 116.1, 39.1),
           ('C3', '某公司', '一路3号', '0571-87654321', '91350100M000100Y43', 'S9', 'A1', 'commercial', 'Z99', 'C-TWO', '10kV', 200, 'M3', 'direct', NULL, NULL, 30, '0.90', 'normal', NULL, DATE '2020-01-01', 116.1, 39.1),
           ('C4', '李四', '一路4号', '13912348000', '{id4}', 'S1', 'A1', 'residential', 'T01', 'R-TIER', '220V', NULL, 'M4', 'direct', NULL, NULL, 1, 'none', 'closed', NULL, DATE '2020-01-01', 116.1, 39.1),
           ('C5', '王五', '一路5号', '13712348000', '{id5}', 'S1', 'A1', 'residential', 'T01', 'R-TIER', '220V', 0, 'M5', 'direct', NULL, NULL, 1, 'none', 'normal', NULL, DATE '2020-01-01', 0, 0),
           ('C6', '赵六', '二路1号', '13612348000', '{id6}', 'S2', 'A2', 'residential', 'T02', 'R-TIER', '220V', 6, 'M6', 'direct', NULL, NULL, 1, 'none', 'normal', NULL, DATE '2020-01-01', 116.2, 39.2);
         INSERT INTO meter_reads VALUES
           ('C1', DATE '2025-01-01', DATE '2025-02-10', 'actual', 'M1', 0, 100, 30, 40, 30),
           ('C1', DATE '2025-02-01', DATE '2025-02-25', 'actual', 'M1', 100, 250, 80, 90, 50),
           ('C1', DATE '2025-03-01', NULL, 'manual', 'M1', 260, 300, 100, 120, 80),
           ('C6', DATE '2025-01-01', DATE '2025-01-25', 'collected', 'M6', 0, 50, 20, 20, 10);
         INSERT INTO bills (bill_id, customer_id, billing_month, tariff_code, kwh, kwh_peak, kwh_flat, kwh_valley,
             energy_charge, basic_charge, pf_adjustment, adjustment, amount, issued_on, due_on) VALUES
           ('B1', 'C1', DATE '2025-01-01', 'R-TIER', 100, NULL, NULL, NULL, 50, 0, 0, 0, 50, DATE '2025-02-02', DATE '2025-02-22'),
           ('B2', 'C1', DATE '2025-02-01', 'R-TIER', 150, NULL, NULL, NULL, 75, 0, 0, 0, 80, DATE '2025-03-20', DATE '2025-03-10'),
           ('B3', 'C1', DATE '2025-03-01', 'R-TIER', 60, 10, 10, 10, 30, 0, 0, 0, 30, DATE '2025-04-02', DATE '2025-04-22'),
           ('B4', 'C99', DATE '2025-03-01', 'R-TIER', 10, NULL, NULL, NULL, 5, 0, 0, 0, 5, DATE '2025-04-02', DATE '2025-04-22'),
           ('B6', 'C6', DATE '2025-01-01', 'R-TIER', 50, NULL, NULL, NULL, 25, 0, 0, 0, 25, DATE '2025-02-02', DATE '2025-02-22');
         INSERT INTO payments VALUES
           ('P1', 'B1', 'C1', TIMESTAMP '2025-02-10 10:00:00', 50, 'app', 0, 0, NULL),
           ('P2', 'B9', 'C1', TIMESTAMP '2025-02-10 10:00:00', 50, 'app', 0, 0, NULL),
           ('P3', 'B1', 'C2', TIMESTAMP '2025-02-11 10:00:00', 1, 'bank', 0, 0, NULL),
           ('P4', 'B2', 'C1', TIMESTAMP '2025-03-25 10:00:00', 80, 'counter', 0, 10, NULL);
         INSERT INTO tickets VALUES
           ('T1', 'C1', 'S1', 'inquiry', 'billing', TIMESTAMP '2025-03-01 09:00:00', NULL, NULL, TIMESTAMP '2025-03-01 10:00:00', TIMESTAMP '2025-03-01 11:00:00', TIMESTAMP '2025-03-02 09:00:00', 'satisfied'),
           ('T1', 'C1', 'S1', 'inquiry', 'billing', TIMESTAMP '2025-03-01 09:00:00', NULL, NULL, TIMESTAMP '2025-03-01 10:00:00', TIMESTAMP '2025-03-01 11:00:00', TIMESTAMP '2025-03-02 09:00:00', 'satisfied'),
           ('T2', 'C1', 'S1', 'complaint', 'billing', TIMESTAMP '2025-03-03 09:00:00', NULL, NULL, TIMESTAMP '2025-03-02 10:00:00', TIMESTAMP '2025-03-03 11:00:00', NULL, 'satisfied');
         INSERT INTO line_loss VALUES
           ('A1', 'A1', 'S1', 'transformer_area', DATE '2025-01-01', 104, 100),
           ('A1', 'A1', 'S1', 'transformer_area', DATE '2025-02-01', 1040, 999);"
    );
    p.conn().execute_batch(&sql).unwrap();
    mams::store::loading::rebuild_org_closure(&p).unwrap();
    p
}

#[test]
fn each_check_type_finds_the_rows_listed_by_hand_in_an_extract_it_did_not_make() {
    let p = hand_project();
    let report = run::run(&p, Trigger::Hand, false, &Progress::new()).unwrap();
    for o in &report.outcomes {
        assert!(o.error.is_none(), "{}: {:?}", o.check_id, o.error);
    }
    let found = failing_keys(&p);
    let expected: BTreeMap<&str, &[&str]> = [
        // not null / not blank
        ("customers.name.not_blank", &["C2"][..]),
        ("customers.capacity_kva.not_null", &["C4"]),
        ("meter_reads.read_date.not_null", &["C1|2025-03-01"]),
        ("tickets.deadline_at.not_null", &["T2"]),
        // unique: one column and a key of several rows
        ("customers.meter_asset_no.unique", &["C1", "C2"]),
        ("tickets.ticket_id.unique", &["T1"]),
        // codes
        ("customers.industry_code.codes", &["C3"]),
        ("meter_reads.read_type.codes", &["C1|2025-03-01"]),
        ("org_units.level.codes", &["S3"]),
        // range
        ("customers.capacity_kva.range", &["C5"]),
        // pattern, with the validators
        ("customers.phone.valid", &["C2"]),
        ("customers.id_number.resident", &["C2"]),
        // reference
        ("customers.unit_id.reference", &["C3"]),
        ("org_units.parent_id.reference", &["S3"]),
        ("bills.customer.reference", &["B4"]),
        ("payments.bill.reference", &["P2"]),
        ("payments.customer_of_bill", &["P3"]),
        // cross-field
        ("customers.two_part_capacity", &["C3"]),
        ("customers.direct_multiplier", &["C3"]),
        ("customers.closed_date", &["C4"]),
        ("customers.location", &["C5"]),
        // C5 at (0, 0) and C6, whose station's boundary lies to the north-east of it.
        ("customers.inside_unit", &["C5", "C6"]),
        ("meter_reads.tou_registers", &["C1|2025-02-01"]),
        ("bills.due_after_issue", &["B2"]),
        ("bills.tou_parts", &["B3"]),
        ("payments.waiver_approval", &["P4"]),
        ("tickets.times_in_order", &["T2"]),
        // reconciliation
        ("bills.amount_parts", &["B2"]),
        ("bills.kwh_from_reads", &["B3"]),
        ("meter_reads.continuity", &["C1|2025-03-01"]),
        ("line_loss.sold_matches_bills", &["A1|2025-02-01"]),
        // timeliness: late bill, read after billing, a stale unit
        ("bills.issued_in_time", &["B2"]),
        ("bills.read_before_bill", &["B1"]),
        ("meter_reads.freshness", &["S2"]),
        ("bills.freshness", &["S2"]),
    ]
    .into();
    for (check, keys) in &expected {
        let want: BTreeSet<String> = keys.iter().map(|k| k.to_string()).collect();
        assert_eq!(found.get(*check), Some(&want), "{check}");
    }
    // And nothing else fails: every other check passes on the hand-written rows.
    let others: Vec<&String> = found
        .keys()
        .filter(|k| !expected.contains_key(k.as_str()))
        .collect();
    assert!(others.is_empty(), "unexpected failures: {others:?} {found:?}");
}

#[test]
fn the_planted_defects_are_found_and_the_clean_rows_pass() {
    let path = sample_project("planted");
    let p = Project::open(&path).unwrap();
    full_run(&p);
    let found = failing_keys(&p);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
    let truth = mams::store::scratch::link_in(p.scratch_dir(), &dir.join("planted_defects.parquet")).unwrap();
    let anomalies =
        mams::store::scratch::link_in(p.scratch_dir(), &dir.join("planted_anomalies.parquet")).unwrap();
    let read = |file: &Path, sql: &str| -> Vec<(String, String)> {
        let q = sql.replace("{f}", &mams::store::quote_literal(&file.to_string_lossy()));
        let mut stmt = p.conn().prepare(&q).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let planted = read(&truth, "SELECT check_id, row_key FROM read_parquet({f})");
    // Rows of accounts the audit anomalies were planted on: a check may rightly find them
    // too (a multiplier on a direct meter, a shared meter), so they count neither way.
    let audited: BTreeSet<String> = read(&anomalies, "SELECT entity_id, rule_id FROM read_parquet({f})")
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let mut by_check: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (check, key) in planted {
        by_check.entry(check).or_default().insert(key);
    }
    assert!(by_check.len() >= 9, "{by_check:?}");
    for (check, keys) in &by_check {
        let got = found.get(check).cloned().unwrap_or_default();
        let missed: Vec<&String> = keys.difference(&got).collect();
        assert!(missed.is_empty(), "{check} missed planted rows {missed:?}");
    }
    // Precision: every row a check fails is a planted defect or on an audited account.
    let first = |k: &str| k.split('|').next().unwrap_or(k).to_string();
    // Bills and payments are named by their own keys; the anomalies by the account.
    let bills_of_audited: BTreeSet<String> = {
        let mut stmt = p
            .conn()
            .prepare("SELECT bill_id, customer_id FROM bills UNION ALL SELECT payment_id, customer_id FROM payments")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|(_, c)| audited.contains(c))
            .map(|(b, _)| b)
            .collect()
    };
    // The figures of docs/data-quality.md (run with --nocapture to see them).
    println!("| check | planted | found of them | other failing rows | of which on audited accounts |");
    for (check, keys) in &found {
        let planted = by_check.get(check).cloned().unwrap_or_default();
        let others: Vec<&String> = keys.iter().filter(|k| !planted.contains(*k)).collect();
        let on_audited = others
            .iter()
            .filter(|k| audited.contains(&first(k)) || bills_of_audited.contains(**k))
            .count();
        println!(
            "| `{check}` | {} | {} | {} | {on_audited} |",
            planted.len(),
            planted.intersection(keys).count(),
            others.len()
        );
    }
    for (check, keys) in &found {
        let planted = by_check.get(check).cloned().unwrap_or_default();
        let stray: Vec<&String> = keys
            .iter()
            .filter(|k| {
                !planted.contains(*k) && !audited.contains(&first(k)) && !bills_of_audited.contains(*k)
            })
            .collect();
        assert!(
            stray.is_empty(),
            "{check}: {} rows neither planted nor audited: {:?}",
            stray.len(),
            stray.iter().take(5).collect::<Vec<_>>()
        );
    }
}

#[test]
fn counts_agree_with_plain_sql_written_here() {
    let path = sample_project("independent");
    let p = Project::open(&path).unwrap();
    let report = full_run(&p);
    let count = |sql: &str| -> u64 { p.conn().query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as u64 };
    let failing = |id: &str| report.outcomes.iter().find(|o| o.check_id == id).unwrap().failing;
    let tested = |id: &str| report.outcomes.iter().find(|o| o.check_id == id).unwrap().tested;
    assert_eq!(
        failing("customers.address.not_blank"),
        count("SELECT count(*) FROM customers WHERE coalesce(trim(address), '') = ''")
    );
    // Continuity by LAG over each meter's reads, not by the check's EXISTS.
    assert_eq!(
        failing("meter_reads.continuity"),
        count(
            "SELECT count(*) FROM (SELECT prev_total, lag(total) OVER w AS last, lag(billing_month) OVER w AS last_month, billing_month \
             FROM meter_reads WINDOW w AS (PARTITION BY customer_id, meter_asset_no ORDER BY billing_month)) \
             WHERE last_month = billing_month - INTERVAL 1 MONTH AND abs(last - prev_total) > 0.02"
        )
    );
    // Billed energy against the reads by a join.
    assert_eq!(
        failing("bills.kwh_from_reads"),
        count(
            "SELECT count(DISTINCT b.bill_id) FROM bills b JOIN meter_reads r USING (customer_id, billing_month) \
             JOIN customers c USING (customer_id) WHERE r.total >= r.prev_total \
             AND abs((r.total - r.prev_total) * coalesce(c.multiplier, 1) - b.kwh) > greatest(1, 0.005 * b.kwh)"
        )
    );
    // Shared meters: accounts whose meter another open account has too.
    assert_eq!(
        failing("customers.meter_asset_no.unique"),
        count(
            "SELECT count(*) FROM customers c WHERE status <> 'closed' AND meter_asset_no IN \
             (SELECT meter_asset_no FROM customers WHERE status <> 'closed' GROUP BY 1 HAVING count(*) > 1)"
        )
    );
    assert_eq!(
        tested("customers.id_number.resident"),
        count(
            "SELECT count(*) FROM customers WHERE customer_class = 'residential' AND trim(coalesce(id_number, '')) <> ''"
        )
    );
    // The stored counts per unit add up to the totals.
    let run_id = report.run_id;
    let per_unit: u64 = stored::check_by_unit(&p, run_id, "bills.issued_in_time", None)
        .unwrap()
        .iter()
        .map(|(_, _, f)| f)
        .sum();
    assert_eq!(per_unit, failing("bills.issued_in_time"));
    assert_eq!(
        failing("bills.issued_in_time"),
        count(
            "SELECT count(*) FROM bills WHERE issued_on > billing_month + INTERVAL 1 MONTH + INTERVAL 10 DAY"
        )
    );
}

#[test]
fn a_corrected_source_verifies_its_items_and_a_failure_that_comes_back_reopens_them() {
    let path = sample_project("worklist");
    let p = Project::open(&path).unwrap();
    full_run(&p);
    let items = stored::items(&p, None).unwrap();
    let address: Vec<_> = items
        .iter()
        .filter(|i| i.check_id == "customers.address.not_blank")
        .collect();
    assert!(!address.is_empty());
    assert!(address.iter().all(|i| i.status == "open"));
    let key = address[0].item_key.clone();
    // The county assigns it and says it is fixed.
    let assigned = worklist::change(
        &p,
        &key,
        &Change {
            to: Some(Status::Assigned),
            owner: Some("archive desk".into()),
            due_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 15),
            note: Some("please fill the addresses".into()),
        },
        "tester",
    )
    .unwrap();
    assert_eq!(assigned.status, "assigned");
    // Verified is MAMS's to give.
    assert!(
        worklist::change(
            &p,
            &key,
            &Change {
                to: Some(Status::Verified),
                ..Default::default()
            },
            "tester"
        )
        .is_err()
    );
    worklist::change(
        &p,
        &key,
        &Change {
            to: Some(Status::Fixed),
            ..Default::default()
        },
        "tester",
    )
    .unwrap();
    // A corrected archive arrives: the unit's addresses are filled.
    let unit = address[0].unit.clone().unwrap();
    p.conn()
        .execute(
            "UPDATE customers SET address = 'corrected' WHERE coalesce(trim(address), '') = '' AND unit_id = ?",
            [&unit],
        )
        .unwrap();
    stored::note_pending(&p, "customers", None).unwrap();
    run::run(&p, Trigger::Import, true, &Progress::new()).unwrap();
    let item = stored::item(&p, &key).unwrap().unwrap();
    assert_eq!((item.status.as_str(), item.failing), ("verified", 0));
    // The failure comes back with the next extract.
    p.conn()
        .execute(
            "UPDATE customers SET address = '' WHERE address = 'corrected'",
            [],
        )
        .unwrap();
    stored::note_pending(&p, "customers", None).unwrap();
    run::run(&p, Trigger::Import, true, &Progress::new()).unwrap();
    let item = stored::item(&p, &key).unwrap().unwrap();
    assert_eq!(item.status, "open");
    let trail: Vec<(String, String)> = stored::trail(&p, &key)
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.to_status))
        .collect();
    let want: Vec<(String, String)> = [
        ("MAMS", "open"),
        ("tester", "assigned"),
        ("tester", "fixed"),
        ("MAMS", "verified"),
        ("MAMS", "open"),
    ]
    .iter()
    .map(|(a, s)| (a.to_string(), s.to_string()))
    .collect();
    assert_eq!(trail, want);
}

#[test]
fn the_worklist_of_a_unit_exports_one_row_per_failing_record() {
    let path = sample_project("export");
    let p = Project::open(&path).unwrap();
    full_run(&p);
    let out = tmp("export").join("worklist.xlsx");
    let n = worklist::write_xlsx(&p, None, &out, true, mams::privacy::Disclosure::Masked).unwrap();
    let expected: u64 = stored::items(&p, None).unwrap().iter().map(|i| i.failing).sum();
    assert_eq!(n as u64, expected);
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(&out).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(sheet.get((0, 0)).unwrap().to_string(), "单位");
    assert_eq!(sheet.height() as u64, expected + 1);
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    // Keys stay text, and personal values are masked: a phone cut short shows its stars.
    let phone = rows
        .iter()
        .find(|r| r[1] == "联系电话格式正确")
        .expect("a phone row");
    assert!(phone[3].starts_with("31"), "{phone:?}");
    assert!(
        phone[4].contains('*') && phone[5].contains("不是有效的手机或固定电话号码"),
        "{phone:?}"
    );
}

#[test]
fn a_month_of_reads_arriving_half_empty_raises_a_warning_and_fails_its_check() {
    let path = sample_project("half");
    let p = Project::open(&path).unwrap();
    full_run(&p);
    assert!(
        stored::open_warnings(&p)
            .unwrap()
            .iter()
            .all(|w| w.kind != "out_of_band" || w.table_name.as_deref() != Some("meter_reads")),
        "no alarm on the sample's reads as they are"
    );
    // Every other read of the last month is lost on the way.
    p.conn()
        .execute_batch(
            "DELETE FROM meter_reads WHERE billing_month = (SELECT max(billing_month) FROM meter_reads) \
             AND hash(customer_id) % 2 = 0",
        )
        .unwrap();
    stored::note_pending(&p, "meter_reads", chrono::NaiveDate::from_ymd_opt(2025, 12, 1)).unwrap();
    let report = run::run(&p, Trigger::Import, true, &Progress::new()).unwrap();
    assert!(report.scope.starts_with("incremental"), "{}", report.scope);
    let rows = report
        .outcomes
        .iter()
        .find(|o| o.check_id == "meter_reads.row_count")
        .unwrap();
    assert!(rows.below_threshold && rows.failing > 100, "{rows:?}");
    let warnings = stored::open_warnings(&p).unwrap();
    let band = warnings
        .iter()
        .find(|w| {
            w.kind == "out_of_band"
                && w.metric.as_deref() == Some("rows")
                && w.table_name.as_deref() == Some("meter_reads")
        })
        .expect("a warning on the reads' rows");
    assert!(band.value.unwrap() < 0.6 * band.expected.unwrap(), "{band:?}");
    assert!(band.message_en.contains("2025-12"), "{}", band.message_en);
    // Acknowledged, it is no longer shown.
    stored::acknowledge(&p, &band.warning_key, "tester", Some("known extraction fault")).unwrap();
    assert!(
        stored::open_warnings(&p)
            .unwrap()
            .iter()
            .all(|w| w.warning_key != band.warning_key)
    );
}

#[test]
fn an_incremental_run_after_a_months_import_gives_what_a_full_run_gives() {
    let path = sample_project("incremental");
    let p = Project::open(&path).unwrap();
    full_run(&p);
    // A month of bills corrected: amounts off their parts in one county's month.
    p.conn()
        .execute_batch(
            "UPDATE bills SET amount = amount + 1 WHERE billing_month = DATE '2025-11-01' AND customer_id IN \
             (SELECT customer_id FROM customers ORDER BY customer_id LIMIT 300)",
        )
        .unwrap();
    stored::note_pending(&p, "bills", chrono::NaiveDate::from_ymd_opt(2025, 11, 1)).unwrap();
    let inc = run::run(&p, Trigger::Import, true, &Progress::new()).unwrap();
    assert!(inc.scope.contains("bills from 2025-11"), "{}", inc.scope);
    let full = run::run(&p, Trigger::Hand, false, &Progress::new()).unwrap();
    let pick = |r: &run::RunReport| -> Vec<(String, u64, u64)> {
        r.outcomes
            .iter()
            .map(|o| (o.check_id.clone(), o.tested, o.failing))
            .collect()
    };
    assert_eq!(pick(&inc), pick(&full));
    let parts = full
        .outcomes
        .iter()
        .find(|o| o.check_id == "bills.amount_parts")
        .unwrap();
    assert!(parts.failing >= 290, "{parts:?}");
    let mut a = stored::results(&p, inc.run_id).unwrap();
    let mut b = stored::results(&p, full.run_id).unwrap();
    let key = |r: &stored::ResultRow| (r.check_id.clone(), r.unit.clone(), r.month);
    a.sort_by_key(key);
    b.sort_by_key(key);
    assert_eq!(a, b);
}

#[test]
fn a_project_check_runs_beside_the_builtin_ones_and_a_broken_one_is_refused() {
    let path = sample_project("project-check");
    let p = Project::open(&path).unwrap();
    let check = r#"{"id": "local.big_residential", "table": "customers", "kind": "query",
        "dimension": "accuracy", "stage": "acquisition", "name_en": "Large residential capacity",
        "name_zh": "居民容量过大", "problem_en": "capacity too large", "problem_zh": "容量过大",
        "query": "SELECT customer_id FROM customers WHERE customer_class = 'residential' AND capacity_kva > ${max_kva}",
        "params": [{"name": "max_kva", "default": 10}]}"#;
    run::save_project_check(&p, check).unwrap();
    let broken = check
        .replace("capacity_kva >", "capacity_kav >")
        .replace("local.big_residential", "local.broken");
    let e = run::save_project_check(&p, &broken).unwrap_err().to_string();
    assert!(e.contains("local.broken") && e.contains("capacity_kav"), "{e}");
    let report = full_run(&p);
    let o = report
        .outcomes
        .iter()
        .find(|o| o.check_id == "local.big_residential")
        .unwrap();
    let by_hand: i64 = p
        .conn()
        .query_row(
            "SELECT count(*) FROM customers WHERE customer_class = 'residential' AND capacity_kva > 10",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(o.failing as i64, by_hand);
    assert!(by_hand > 0);
}

#[test]
fn the_command_line_runs_scores_profiles_and_exits_non_zero_on_a_failing_check() {
    let path = sample_project("cli");
    let out = mams(&["dq", "run", path.to_str().unwrap(), "--format", "json"]);
    assert!(
        !out.status.success(),
        "the sample has checks below their threshold"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["score"].as_f64().unwrap() > 90.0);
    assert!(json["checks"].as_array().unwrap().len() >= 60);
    let scores = mams(&["dq", "scores", path.to_str().unwrap(), "--by", "table"]);
    assert!(scores.status.success());
    let text = String::from_utf8_lossy(&scores.stdout);
    assert!(text.contains("customers") && text.contains("overall"), "{text}");
    let profile = mams(&["dq", "profile", path.to_str().unwrap(), "customers", "phone"]);
    let text = String::from_utf8_lossy(&profile.stdout);
    // Mobile numbers are 11 digits; the planted defects cut some to 10.
    assert!(
        text.contains("99999999999") && text.contains("9999999999 ("),
        "{text}"
    );
    let bad = mams(&["dq", "profile", path.to_str().unwrap(), "customers", "phon"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no column \"phon\""));
    let checks = mams(&["dq", "checks", path.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&checks.stdout).contains("min_kva=315"));
}

#[test]
fn prebuilt_sums_that_drifted_from_the_bills_fail_and_stale_ones_are_not_judged() {
    let path = sample_project("sums");
    let p = Project::open(&path).unwrap();
    mams::store::kpi::ensure_sums(&p).unwrap();
    let run = full_run(&p);
    let o = run
        .outcomes
        .iter()
        .find(|o| o.check_id == "bills.sums_match")
        .unwrap();
    assert!(o.tested > 0 && o.failing == 0, "{o:?}");
    // One unit-month's sums drift (as if written by another tool): its bills fail.
    let (unit, month): (String, chrono::NaiveDate) = p
        .conn()
        .query_row(
            "SELECT unit_id, month FROM kpi_unit_month WHERE n_bills > 0 ORDER BY unit_id, month LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    p.conn()
        .execute(
            "UPDATE kpi_unit_month SET kwh = kwh + 100 WHERE unit_id = ? AND month = ?",
            duckdb::params![unit, month],
        )
        .unwrap();
    let bills: i64 = p
        .conn()
        .query_row(
            "SELECT count(*) FROM bills b JOIN customers c USING (customer_id) WHERE c.unit_id = ? AND b.billing_month = ?",
            duckdb::params![unit, month],
            |r| r.get(0),
        )
        .unwrap();
    let run = full_run(&p);
    let o = run
        .outcomes
        .iter()
        .find(|o| o.check_id == "bills.sums_match")
        .unwrap();
    assert_eq!(o.failing as i64, bills);
    // Sums not built for the data as it is (a rebuild pending) are not judged.
    p.conn()
        .execute("DELETE FROM mams_meta WHERE key = 'kpi_fingerprint'", [])
        .unwrap();
    let run = full_run(&p);
    let o = run
        .outcomes
        .iter()
        .find(|o| o.check_id == "bills.sums_match")
        .unwrap();
    assert_eq!((o.tested, o.failing), (0, 0));
}
