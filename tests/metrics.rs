//! The indicators of DOMAIN section 3 on a tiny hand-built province whose answers are
//! worked out by hand in the comments, and `mams kpi` printing the same numbers.

mod common;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use common::*;
use mams::metrics::indicators::INDICATORS;
use mams::metrics::kpi::{self, Card, Status};
use mams::store::{Project, kpi as store_kpi};

const JUNE: NaiveDate = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();

/// Province P with cities C1, C2 and C3 (C3 has nobody).
fn tiny_province(name: &str) -> PathBuf {
    project_from_sql(name, "
        INSERT INTO org_units (unit_id, parent_id, level, name_zh, area_type) VALUES
          ('P', NULL, 'province', '省', 'urban'), ('C1', 'P', 'city', '一市', 'urban'),
          ('C2', 'P', 'city', '二市', 'rural'), ('C3', 'P', 'city', '三市', 'rural');
        -- Served at the end of June: A1, A2 (C1) and B1 (C2); B2 closed in May.
        INSERT INTO customers (customer_id, name, unit_id, customer_class, tariff_code, status, status_date, opened_on) VALUES
          ('A1', 'a1', 'C1', 'residential', 'R-TIER', 'normal', NULL, DATE '2020-01-01'),
          ('A2', 'a2', 'C1', 'commercial', 'C-SINGLE', 'normal', NULL, DATE '2020-01-01'),
          ('B1', 'b1', 'C2', 'commercial', 'C-SINGLE', 'normal', NULL, DATE '2020-01-01'),
          ('B2', 'b2', 'C2', 'residential', 'R-TIER', 'closed', DATE '2025-05-15', DATE '2020-01-01');
        INSERT INTO bills (bill_id, customer_id, billing_month, kwh, amount, due_on) VALUES
          ('A1-05', 'A1', DATE '2025-05-01', 100, 50, DATE '2025-06-25'),
          ('A1-06', 'A1', DATE '2025-06-01', 100, 60, DATE '2025-07-25'),
          ('A2-06', 'A2', DATE '2025-06-01', 300, 240, DATE '2025-07-25'),
          ('B1-06', 'B1', DATE '2025-06-01', 600, 300, DATE '2025-07-25');
        INSERT INTO payments (payment_id, bill_id, customer_id, paid_at, amount) VALUES
          ('p1', 'A1-05', 'A1', TIMESTAMP '2025-06-30 09:00:00', 20),
          ('p2', 'A1-06', 'A1', TIMESTAMP '2025-07-20 09:00:00', 60),
          ('p3', 'A2-06', 'A2', TIMESTAMP '2025-08-10 09:00:00', 200),
          -- After the cut-off (end of August) for June's bills: not collected for June.
          ('p4', 'A2-06', 'A2', TIMESTAMP '2025-09-05 09:00:00', 40);
        INSERT INTO line_loss (area_id, unit_id, month, supplied_kwh, sold_kwh) VALUES
          ('T1', 'C1', DATE '2025-06-01', 1000, 950),
          ('T2', 'C2', DATE '2025-06-01', 500, 400);
        INSERT INTO applications (application_id, unit_id, app_type, customer_class, voltage, dual_supply,
                                  accepted_at, energised_at, pause_days) VALUES
          ('X1', 'C1', 'new', 'residential', '220V', false,
           TIMESTAMP '2025-06-02 09:00:00', TIMESTAMP '2025-06-10 15:00:00', 1),
          ('X2', 'C2', 'new', 'commercial', '380V', false,
           TIMESTAMP '2025-06-06 09:00:00', TIMESTAMP '2025-06-20 15:00:00', 0);
        INSERT INTO tickets (ticket_id, unit_id, ticket_type, received_at, dispatched_at, arrived_at,
                             closed_at, deadline_at, satisfaction) VALUES
          ('t1', 'C1', 'complaint', TIMESTAMP '2025-06-03 09:00:00', NULL, NULL,
           TIMESTAMP '2025-06-09 09:00:00', TIMESTAMP '2025-06-10 09:00:00', 'satisfied'),
          ('t2', 'C2', 'fault_repair', TIMESTAMP '2025-06-04 10:00:00', TIMESTAMP '2025-06-04 10:10:00',
           TIMESTAMP '2025-06-04 10:50:00', TIMESTAMP '2025-06-04 20:00:00', TIMESTAMP '2025-06-04 18:00:00', 'dissatisfied'),
          ('t3', 'C2', 'fault_repair', TIMESTAMP '2025-06-05 07:50:00', TIMESTAMP '2025-06-05 08:00:00',
           TIMESTAMP '2025-06-05 09:00:00', NULL, NULL, 'unreached'),
          ('t4', 'C1', 'inquiry', TIMESTAMP '2025-05-30 09:00:00', NULL, NULL,
           TIMESTAMP '2025-06-01 09:00:00', TIMESTAMP '2025-06-02 09:00:00', 'neutral');
        INSERT INTO outages (outage_id, unit_id, start_at, end_at, planned, cause, customers_affected) VALUES
          ('o1', 'C1', TIMESTAMP '2025-06-10 08:00:00', TIMESTAMP '2025-06-10 10:00:00', false, 'equipment', 2),
          ('o2', 'C2', TIMESTAMP '2025-06-11 00:00:00', TIMESTAMP '2025-06-11 00:30:00', false, 'supply_shortage', 1),
          -- Three minutes: momentary, not a sustained interruption.
          ('o3', 'C2', TIMESTAMP '2025-06-12 00:00:00', TIMESTAMP '2025-06-12 00:03:00', false, 'equipment', 1);
        ")
}

/// Every indicator's card for June, as the app shows it (from the sums per unit and month
/// a writable project builds); each month of each card is checked against the same
/// indicator computed straight from the data tables.
fn cards_of(path: &Path, unit: &str) -> Vec<Card> {
    let ids: Vec<&str> = INDICATORS.iter().map(|i| i.id).collect();
    let p = Project::open(path).unwrap();
    assert!(store_kpi::ensure_sums(&p).unwrap());
    let cards = kpi::cards(&p, JUNE, unit, Some(&ids)).unwrap();
    let from = cards[0].history[0].0;
    let direct = store_kpi::month_totals_direct(&p, &[unit], from, JUNE)
        .unwrap()
        .remove(0);
    for card in &cards {
        let ind = card.indicator();
        for ((m, summed), totals) in card.history.iter().zip(&direct) {
            let straight = (ind.value)(totals);
            let same = match (summed, straight) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                (x, y) => *x == y,
            };
            assert!(
                same,
                "{} of {unit} in {m}: from the sums {summed:?}, from the tables {straight:?}",
                ind.id
            );
        }
    }
    cards
}

fn value(cards: &[Card], id: &str) -> Option<f64> {
    cards.iter().find(|c| c.indicator == id).unwrap().value
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn every_indicator_of_the_province_matches_the_hand_worked_answer() {
    let path = tiny_province("kpi-province");
    let c = cards_of(&path, "P");
    let v = |id| value(&c, id);
    // Sales 100 + 300 + 600; revenue 60 + 240 + 300; price 600 / 1000.
    assert!(close(v("sales_kwh"), 1000.0));
    assert!(close(v("revenue"), 600.0));
    assert!(close(v("average_price"), 0.6));
    // Collected by the end of August on June's bills: 60 + 200 of 600.
    assert!(close(v("collection_rate"), 260.0 / 600.0 * 100.0));
    // At the end of June only May's bill (50, due 25 June) is due; 20 of it was paid.
    assert!(close(v("arrears"), 30.0));
    // (1500 - 1350) / 1500.
    assert!(close(v("line_loss_rate"), 10.0));
    // X1: Mon 2 June to Tue 10 June = 6 working days, less 1 paused = 5 (limit 5: in
    // time). X2: Fri 6 June to Fri 20 June = 10 working days (limit 6: over).
    assert!(close(v("new_connections"), 2.0));
    assert!(close(v("connection_days"), 7.5));
    assert!(close(v("connections_over_limit"), 50.0));
    // One complaint, 3 customers served.
    assert!(close(v("complaints_per_10k"), 10_000.0 / 3.0));
    // Due in June: t1 (on time), t2 (late), t4 (on time).
    assert!(close(v("ticket_timeliness"), 200.0 / 3.0));
    // Arrival 40 and 60 minutes after dispatch.
    assert!(close(v("repair_arrival"), 50.0));
    // Callbacks reached for June's tickets: t1 satisfied, t2 dissatisfied (t3 unreached).
    assert!(close(v("satisfaction"), 50.0));
    // Sustained: o1 (2 customers x 120 min) and o2 (1 x 30 min); 3 customers served.
    assert!(close(v("saifi"), 1.0));
    assert!(close(v("saidi"), 90.0));
    assert!(close(v("caidi"), 90.0));
    // T = 720 h; AIHC = 270 min / 60 / 3 = 1.5 h; RS-3 leaves out o2 (supply shortage).
    assert!(close(v("rs1"), (1.0 - 1.5 / 720.0) * 100.0));
    assert!(close(v("asai"), (1.0 - 1.5 / 720.0) * 100.0));
    assert!(close(v("rs3"), (1.0 - (240.0 / 60.0 / 3.0) / 720.0) * 100.0));
}

#[test]
fn a_unit_counts_its_subtree_and_nothing_to_divide_by_is_no_data() {
    let path = tiny_province("kpi-units");
    let c1 = cards_of(&path, "C1");
    assert!(close(value(&c1, "sales_kwh"), 400.0));
    assert!(close(value(&c1, "average_price"), 300.0 / 400.0));
    assert!(close(value(&c1, "line_loss_rate"), 5.0));
    // C2 had tickets in a month tickets cover: no complaint is zero, not "no data".
    let c2 = cards_of(&path, "C2");
    assert!(close(value(&c2, "complaints_per_10k"), 0.0));
    // C3 has no customers, bills or tickets: every ratio is no data, never NaN.
    let c3 = cards_of(&path, "C3");
    for id in [
        "average_price",
        "collection_rate",
        "complaints_per_10k",
        "saifi",
        "saidi",
        "rs3",
        "connection_days",
        "satisfaction",
    ] {
        assert_eq!(value(&c3, id), None, "{id}");
    }
    // May has no line loss rows anywhere: no data, while June has a value.
    let p = cards_of(&path, "P");
    let loss = p.iter().find(|c| c.indicator == "line_loss_rate").unwrap();
    assert_eq!(loss.history.len(), 13);
    assert_eq!(loss.previous_month, None);
    let sales = p.iter().find(|c| c.indicator == "sales_kwh").unwrap();
    assert_eq!(sales.previous_month, Some(100.0));
    assert_eq!(sales.previous_year, None);
}

#[test]
fn targets_are_inherited_down_the_tree_and_give_the_status() {
    let path = tiny_province("kpi-targets");
    {
        let p = Project::open(&path).unwrap();
        store_kpi::set_target(&p, "collection_rate", "P", Some(50.0)).unwrap();
        store_kpi::set_target(&p, "collection_rate", "C1", Some(40.0)).unwrap();
    }
    let card = |unit| {
        cards_of(&path, unit)
            .into_iter()
            .find(|c| c.indicator == "collection_rate")
            .unwrap()
    };
    // P: 43.3 % misses 50, but May was 20 / 50 = 40 %: better than last month, amber.
    let p = card("P");
    assert_eq!(p.target, Some(50.0));
    assert!(close(p.previous_month, 40.0));
    assert_eq!(p.status, Some(Status::Amber));
    // C1 has its own 40: 260 / 300 = 86.7 % meets it.
    let c1 = card("C1");
    assert_eq!(c1.target, Some(40.0));
    assert_eq!(c1.status, Some(Status::Green));
    // C2 inherits P's 50: 0 of 300 collected, and no May bill to compare: red.
    let c2 = card("C2");
    assert_eq!(c2.target, Some(50.0));
    assert_eq!(c2.status, Some(Status::Red));
    // Removing C1's own target falls back to P's.
    {
        let p = Project::open(&path).unwrap();
        store_kpi::set_target(&p, "collection_rate", "C1", None).unwrap();
    }
    assert_eq!(card("C1").target, Some(50.0));
}

#[test]
fn mams_kpi_prints_the_numbers_the_cards_show() {
    let path = tiny_province("kpi-cli");
    let project = path.to_str().unwrap();
    let out = mams(&["kpi", project, "--period", "2025-06", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["unit"], "P");
    let p = Project::open_read_only(&path).unwrap();
    let cards = kpi::cards(&p, JUNE, "P", None).unwrap();
    let printed = json["indicators"].as_array().unwrap();
    assert_eq!(printed.len(), cards.len());
    for (j, c) in printed.iter().zip(&cards) {
        assert_eq!(j["indicator"], c.indicator);
        // (serde_json reads floats back to within an ulp.)
        match c.value {
            Some(v) => assert!(close(j["value"].as_f64(), v), "{}", c.indicator),
            None => assert!(j["value"].is_null(), "{}", c.indicator),
        }
    }
    drop(p);
    let table = mams(&["kpi", project, "--period", "2025-06", "--unit", "C3"]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(text.contains("Sales"), "{text}");
    assert!(text.contains("no data"), "{text}");
    assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
    let table = mams(&["kpi", project, "--period", "2025-06"]);
    assert!(stdout(&table).contains("1,000"), "{}", stdout(&table));
    // Bad input: an unknown unit, a month without data, a malformed month.
    let out = mams(&["kpi", project, "--period", "2025-06", "--unit", "NOPE"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no org unit 'NOPE'"), "{}", stderr(&out));
    let out = mams(&["kpi", project, "--period", "2030-01"]);
    assert!(
        stderr(&out).contains("no data for 2030-01; it holds 2025-05 to 2025-06"),
        "{}",
        stderr(&out)
    );
    let out = mams(&["kpi", project, "--period", "June"]);
    assert!(stderr(&out).contains("not a month"), "{}", stderr(&out));
}

/// Two sums equal up to the order their doubles were added in (or both missing).
fn same_sum(x: Option<f64>, y: Option<f64>) -> bool {
    match (x, y) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        (x, y) => x == y,
    }
}

#[test]
fn without_current_sums_what_is_computed_is_kept_for_the_session_and_follows_the_data() {
    let path = tiny_province("kpi-kept");
    let may = NaiveDate::from_ymd_opt(2025, 5, 1).unwrap();
    let april = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap();
    let units = ["P", "C1", "C2", "C3"];
    // The reference: the prebuilt sums (kpi_rebuild.sql, written apart from the direct query).
    let p = Project::open(&path).unwrap();
    assert!(store_kpi::ensure_sums(&p).unwrap());
    let reference: Vec<_> = units
        .iter()
        .map(|u| store_kpi::month_totals(&p, u, may, JUNE).unwrap())
        .collect();
    p.conn()
        .execute_batch("UPDATE mams_meta SET value = 'other data' WHERE key = 'kpi_fingerprint'")
        .unwrap();
    drop(p);
    let agree = |got: &[store_kpi::MonthTotals], want: &[store_kpi::MonthTotals], what: &str| {
        assert_eq!(got.len(), want.len(), "{what}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.month, g.customers), (w.month, w.customers), "{what}");
            for ind in INDICATORS {
                let (x, y) = ((ind.value)(g), (ind.value)(w));
                assert!(
                    same_sum(x, y),
                    "{} of {what} in {:?}: {x:?} vs {y:?}",
                    ind.id,
                    g.month
                );
            }
        }
    };
    // Read-only with stale sums: the asks of a user moving about, each overlapping what was
    // computed before, in an order that leaves parts of the store filled.
    let ro = Project::open_read_only(&path).unwrap();
    let done = || -> i64 {
        ro.conn()
            .query_row(
                "SELECT count(*) FROM (SELECT DISTINCT unit_id, month FROM kpi_direct_done)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let june_c1 = store_kpi::month_totals_of_units(&ro, &["C1"], JUNE, JUNE).unwrap();
    agree(&june_c1[0], &reference[1][1..], "C1 in June");
    // C1's own rows, for June and the 12 months before it (computed with it).
    assert_eq!(done(), 13);
    let all = store_kpi::month_totals_of_units(&ro, &["P"], may, JUNE).unwrap();
    agree(&all[0], &reference[0], "P");
    // Only what was lacking: P, C2 and C3 from May (and the 12 months before) to June.
    assert_eq!(done(), 13 + 3 * 14);
    let cities = store_kpi::month_totals_of_units(&ro, &["C2", "C3", "C1"], may, JUNE).unwrap();
    agree(&cities[0], &reference[2], "C2");
    agree(&cities[1], &reference[3], "C3");
    agree(&cities[2], &reference[1], "C1");
    // One month earlier, already computed: April has no bills anywhere (no data, not zero).
    let longer = store_kpi::month_totals_of_units(&ro, &["P"], april, JUNE).unwrap();
    assert_eq!(longer[0][0].month, Some(april));
    assert_eq!(longer[0][0].kwh, None);
    agree(&longer[0][1..], &reference[0], "P from April");
    assert_eq!(done(), 13 + 3 * 14);
    drop(ro);
    // A change of the data empties the store: June's bills of C1 are A1's 60 and A2's 240
    // (receivable 300, 400 kWh), and a bill added for A1 counts at once.
    let p = Project::open(&path).unwrap();
    let c1 = |p: &Project| {
        store_kpi::month_totals_direct(p, &["C1"], JUNE, JUNE)
            .unwrap()
            .remove(0)
            .remove(0)
    };
    assert_eq!((c1(&p).receivable, c1(&p).kwh), (Some(300.0), Some(400.0)));
    p.conn()
        .execute_batch(
            "INSERT INTO bills (bill_id, customer_id, billing_month, kwh, amount, due_on) \
             VALUES ('A1-06b', 'A1', DATE '2025-06-01', 50, 25, DATE '2025-07-25')",
        )
        .unwrap();
    assert_eq!((c1(&p).receivable, c1(&p).kwh), (Some(325.0), Some(450.0)));
}

#[test]
fn on_the_generated_sample_the_sums_agree_with_the_data_tables_for_every_month() {
    let path = small_project("kpi-sample");
    let p = Project::open(&path).unwrap();
    let months = mams::store::queries::months(&p).unwrap();
    let (first, last) = (months[0], *months.last().unwrap());
    let tree = mams::store::queries::org_tree(&p).unwrap();
    let top = tree.iter().find(|u| u.parent_id.is_none()).unwrap();
    let city = tree.iter().find(|u| u.level == "city").unwrap();
    assert!(store_kpi::ensure_sums(&p).unwrap());
    for unit in [&top.unit_id, &city.unit_id] {
        let summed = store_kpi::month_totals(&p, unit, first, last).unwrap();
        let direct = store_kpi::month_totals_direct(&p, &[unit], first, last)
            .unwrap()
            .remove(0);
        assert_eq!(summed.len(), months.len());
        for (s, d) in summed.iter().zip(&direct) {
            for ind in INDICATORS {
                let (x, y) = ((ind.value)(s), (ind.value)(d));
                let same = same_sum(x, y);
                assert!(same, "{} of {unit} in {:?}: {x:?} vs {y:?}", ind.id, s.month);
            }
        }
        // The sample has arrears, complaints and outages: the check is not vacuous.
        let last_month = summed.last().unwrap();
        assert!(last_month.arrears.unwrap() > 0.0 && last_month.interruptions.unwrap() > 0.0);
    }
    // The leaders' page asks the unit and the units below it in one query: the same cards and
    // slices as asked apart, from the sums and from the data tables (a project open read-only
    // without current sums).
    let children: Vec<String> = tree
        .iter()
        .filter(|u| u.parent_id.as_deref() == Some(top.unit_id.as_str()))
        .map(|u| u.unit_id.clone())
        .collect();
    let page = |p: &Project| {
        let (cards, slices) = mams::metrics::kpi::cards_and_slices(p, last, &top.unit_id, &children).unwrap();
        let apart = mams::metrics::kpi::cards(p, last, &top.unit_id, None).unwrap();
        let apart_slices = mams::metrics::kpi::slices(p, last, &top.unit_id, &children).unwrap();
        // The same up to the order in which doubles were added.
        assert_eq!(cards.len(), apart.len());
        for (a, b) in cards.iter().zip(&apart) {
            for (x, y) in [
                (a.value, b.value),
                (a.previous_month, b.previous_month),
                (a.previous_year, b.previous_year),
            ] {
                assert!(same_sum(x, y), "{}: {x:?} vs {y:?}", a.indicator);
            }
        }
        assert_eq!(slices.below.len(), children.len());
        for ((u, a), (v, b)) in slices.below.iter().zip(&apart_slices.below) {
            assert_eq!((u, a.len()), (v, b.len()));
            for (a, b) in a.iter().zip(b) {
                for ind in INDICATORS {
                    let (x, y) = ((ind.value)(a), (ind.value)(b));
                    assert!(same_sum(x, y), "{} of {u}: {x:?} vs {y:?}", ind.id);
                }
            }
        }
        cards
    };
    let from_sums = page(&p);
    // The sums made stale by hand: they were built for other data.
    p.conn()
        .execute_batch("UPDATE mams_meta SET value = 'other data' WHERE key = 'kpi_fingerprint'")
        .unwrap();
    drop(p);
    let ro = Project::open_read_only(&path).unwrap();
    assert!(
        !store_kpi::sums_current(&ro).unwrap(),
        "the sums must be stale here"
    );
    let from_data = page(&ro);
    for (a, b) in from_sums.iter().zip(&from_data) {
        assert!(
            same_sum(a.value, b.value),
            "{}: sums {:?} vs data {:?}",
            a.indicator,
            a.value,
            b.value
        );
    }
    drop(ro);
    let p = Project::open(&path).unwrap();
    // Every unit at once (one query) gives what each unit alone gives, in the order asked.
    let mut ids: Vec<&str> = tree.iter().map(|u| u.unit_id.as_str()).collect();
    ids.reverse();
    let together = store_kpi::month_totals_of_units(&p, &ids, first, last).unwrap();
    // And from the data tables, every unit at once too (each unit's rows counted for every
    // unit above it that is asked).
    let direct_together = store_kpi::month_totals_direct(&p, &ids, first, last).unwrap();
    assert_eq!(together.len(), ids.len());
    assert_eq!(direct_together.len(), ids.len());
    for ((unit, got), direct) in ids.iter().zip(&together).zip(&direct_together) {
        let alone = store_kpi::month_totals(&p, unit, first, last).unwrap();
        assert_eq!(direct.len(), alone.len(), "{unit}");
        for (d, b) in direct.iter().zip(&alone) {
            for ind in INDICATORS {
                let (x, y) = ((ind.value)(d), (ind.value)(b));
                let same = same_sum(x, y);
                assert!(
                    same,
                    "{} of {unit} in {:?}, direct: {x:?} vs {y:?}",
                    ind.id, d.month
                );
            }
        }
        assert_eq!(got.len(), alone.len(), "{unit}");
        for (a, b) in got.iter().zip(&alone) {
            assert_eq!(
                (a.month, a.customers, a.kwh.is_some()),
                (b.month, b.customers, b.kwh.is_some()),
                "{unit}"
            );
            for ind in INDICATORS {
                let (x, y) = ((ind.value)(a), (ind.value)(b));
                let same = same_sum(x, y);
                assert!(same, "{} of {unit} in {:?}: {x:?} vs {y:?}", ind.id, a.month);
            }
        }
    }
}

#[test]
fn why_did_it_change_splits_every_sum_and_ratio_indicator_exactly_over_the_units_below() {
    use mams::metrics::change;
    let path = small_project("why-change");
    let p = Project::open(&path).unwrap();
    let months = mams::store::queries::months(&p).unwrap();
    let tree = mams::store::queries::org_tree(&p).unwrap();
    let top = tree
        .iter()
        .find(|u| u.parent_id.is_none())
        .unwrap()
        .unit_id
        .clone();
    let cities = mams::store::queries::units_below(&tree, &top);
    let (base, month) = (months[months.len() - 13], *months.last().unwrap());
    let mut split = 0;
    for ind in INDICATORS {
        let Some(_) = change::form(ind.id) else {
            let e = change::explain(&p, ind.id, &top, &cities, base, month).unwrap_err();
            assert!(e.to_string().contains("cannot be split"), "{e}");
            continue;
        };
        let Ok(x) = change::explain(&p, ind.id, &top, &cities, base, month) else {
            continue; // no value in one of the months (e.g. no connections)
        };
        split += 1;
        let cards = mams::metrics::kpi::cards(&p, month, &top, None).unwrap();
        let card = cards.iter().find(|c| c.indicator == ind.id);
        if let Some(v) = card.and_then(|c| c.value) {
            assert!(
                (x.value - v).abs() <= 1e-9 * v.abs().max(1.0),
                "{}: {} vs card {v}",
                ind.id,
                x.value
            );
        }
        let sum: f64 = x.parts.iter().map(|p| p.effect).sum();
        assert!(
            (sum - x.change).abs() <= 1e-9 * x.change.abs().max(x.value.abs()).max(1.0),
            "{}: parts {sum} vs change {}",
            ind.id,
            x.change
        );
        assert!(
            x.parts
                .iter()
                .all(|p| cities.contains(&p.unit_id) || p.unit_id == top)
        );
        for part in &x.parts {
            if let (Some(r), Some(m)) = (part.rate_effect, part.mix_effect) {
                assert!((r + m - part.effect).abs() < 1e-9 * part.effect.abs().max(1.0));
            }
        }
    }
    assert!(split >= 12, "most indicators split ({split})");
    // By customer class: sales by each class, revenue by LMDI (kWh x price), average price
    // by rate and mix; each adds up to the same change as the split by unit.
    for id in ["sales_kwh", "revenue", "average_price"] {
        let by_unit = change::explain(&p, id, &top, &cities, base, month).unwrap();
        let by_class = change::explain_by_class(&p, id, &top, base, month)
            .unwrap()
            .unwrap();
        let sum: f64 = by_class.iter().map(|c| c.effect).sum();
        assert!(
            (sum - by_unit.change).abs() <= 1e-6 * by_unit.value.abs().max(1.0),
            "{id}: classes {sum} vs {}",
            by_unit.change
        );
        assert!(by_class.iter().any(|c| c.class == "residential"));
        for c in &by_class {
            if let (Some(a), Some(b)) = (c.first, c.second) {
                assert!((a + b - c.effect).abs() < 1e-9 * c.effect.abs().max(1.0));
            }
        }
    }
    assert!(
        change::explain_by_class(&p, "saifi", &top, base, month)
            .unwrap()
            .is_none()
    );
}

#[test]
fn mams_analyze_change_prints_the_split_and_refuses_what_cannot_be_split() {
    let path = small_project("why-cli");
    let p = path.to_string_lossy().into_owned();
    let out = mams(&[
        "analyze",
        "change",
        &p,
        "--indicator",
        "collection_rate",
        "--period",
        "2025-02",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let x: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(x["base_month"], "2025-01-01");
    assert_eq!(x["method"], "rate/mix");
    // With where to look: the related rules of the units that moved it most.
    let looked_at = x["rules"].as_array().unwrap();
    assert!(!looked_at.is_empty() && looked_at.len() <= 3, "{looked_at:?}");
    let sum: f64 = x["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["effect"].as_f64().unwrap())
        .sum();
    assert!((sum - x["change"].as_f64().unwrap()).abs() < 1e-9);
    let out = mams(&[
        "analyze",
        "change",
        &p,
        "--indicator",
        "rs3",
        "--period",
        "2025-02",
    ]);
    assert!(
        !out.status.success() && stderr(&out).contains("cannot be split"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reliability_from_daily_interruptions_adds_up_to_the_cards_saidi_and_saifi() {
    let path = small_project("med");
    let p = Project::open(&path).unwrap();
    let months = mams::store::queries::months(&p).unwrap();
    let last = *months.last().unwrap();
    let top = mams::store::queries::org_tree(&p)
        .unwrap()
        .into_iter()
        .find(|u| u.parent_id.is_none())
        .unwrap()
        .unit_id;
    let (system, thresholds, rel) = mams::metrics::service::reliability(&p, &top, last).unwrap();
    assert_eq!(system, top);
    assert_eq!(rel.len(), 13);
    let totals = store_kpi::month_totals(&p, &top, rel[0].month, last).unwrap();
    let value = |id: &str, t: &store_kpi::MonthTotals| {
        INDICATORS.iter().find(|i| i.id == id).and_then(|i| (i.value)(t))
    };
    // The daily SAIDI of the system, recomputed here from the outages and customers.
    let all = store_kpi::month_totals(&p, &top, months[0], last).unwrap();
    let daily: Vec<(NaiveDate, f64)> =
        mams::store::service::daily_outages(&p, &top, months[0], last + chrono::Months::new(1))
            .unwrap()
            .into_iter()
            .map(|(day, minutes, _)| {
                let m =
                    NaiveDate::from_ymd_opt(chrono::Datelike::year(&day), chrono::Datelike::month(&day), 1)
                        .unwrap();
                let n = all.iter().find(|t| t.month == Some(m)).unwrap().customers;
                (day, minutes / n)
            })
            .collect();
    for (m, t) in rel.iter().zip(&totals) {
        assert_eq!(Some(m.month), t.month);
        // With major events, the months are the cards' SAIDI and SAIFI.
        for (a, b) in [(m.saidi, value("saidi", t)), (m.saifi, value("saifi", t))] {
            match (a, b) {
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "{}: {a} vs {b}",
                    m.month
                ),
                (a, b) => assert_eq!(a.unwrap_or(0.0), b.unwrap_or(0.0), "{}", m.month),
            }
        }
        // A major event day is a day of the month whose system SAIDI is over its year's
        // T_MED, and every such day is one.
        let t_med = thresholds
            .iter()
            .find(|th| th.year == chrono::Datelike::year(&m.month))
            .unwrap()
            .t_med;
        let expected: Vec<NaiveDate> = daily
            .iter()
            .filter(|(d, s)| {
                d.format("%Y-%m").to_string() == m.month.format("%Y-%m").to_string()
                    && t_med.is_some_and(|t| *s > t)
            })
            .map(|(d, _)| *d)
            .collect();
        let listed: Vec<NaiveDate> = m.major_event_days.iter().map(|(d, _)| *d).collect();
        assert_eq!(listed, expected, "{}", m.month);
        if !listed.is_empty() {
            assert!(m.saidi_without_med.unwrap() < m.saidi.unwrap());
        } else {
            assert_eq!(m.saidi_without_med, m.saidi);
        }
    }
    // The small sample's 2024 sets a threshold for 2025.
    assert!(thresholds.iter().any(|t| t.t_med.is_some()), "{thresholds:?}");
}

#[test]
fn the_rows_behind_a_number_page_search_sort_and_export() {
    use mams::store::rows::{self, RowsQuery};
    let path = small_project("rows");
    let p = Project::open(&path).unwrap();
    let months = mams::store::queries::months(&p).unwrap();
    let month = *months.last().unwrap();
    let tree = mams::store::queries::org_tree(&p).unwrap();
    let city = tree.iter().find(|u| u.level == "city").unwrap().unit_id.clone();
    let counts = mams::store::queries::scoped_counts(&p, &city, Some(month)).unwrap();
    let bills_in_month = counts
        .iter()
        .find(|c| c.table == "bills")
        .unwrap()
        .in_unit_and_month
        .unwrap();
    let mut q = RowsQuery {
        failing: None,
        table: "bills",
        unit: city.clone(),
        month: Some(month),
        only: None,
        search: String::new(),
        sort: Some(("kwh".into(), true)),
        offset: 0,
        limit: 50,
    };
    let page = rows::page(&p, &q).unwrap();
    assert_eq!(page.total, bills_in_month);
    assert_eq!(page.result.rows.len(), 50.min(bills_in_month as usize));
    let kwh = page.result.columns.iter().position(|c| c == "kwh").unwrap();
    let values: Vec<f64> = page
        .result
        .rows
        .iter()
        .map(|r| match r[kwh] {
            duckdb::types::Value::Double(x) => x,
            _ => f64::NAN,
        })
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] >= w[1]),
        "sorted by kWh, largest first"
    );
    // Search narrows to one customer's bill.
    let customer = {
        let c = page
            .result
            .columns
            .iter()
            .position(|c| c == "customer_id")
            .unwrap();
        mams::store::queries::value_to_string(&page.result.rows[0][c])
    };
    q.search = customer.clone();
    assert_eq!(rows::page(&p, &q).unwrap().total, 1);
    q.search.clear();
    // Tickets narrowed to complaints.
    let complaints = rows::page(
        &p,
        &RowsQuery {
            failing: None,
            table: "tickets",
            only: Some(("ticket_type", "complaint".into())),
            ..q.clone()
        },
    )
    .unwrap();
    let all_tickets = rows::page(
        &p,
        &RowsQuery {
            failing: None,
            table: "tickets",
            ..q.clone()
        },
    )
    .unwrap();
    assert!(complaints.total < all_tickets.total);
    // Exports: every matching row, CSV and XLSX.
    let dir = tmp("rows-export");
    let csv = dir.join("bills.csv");
    assert_eq!(
        rows::export(&p, &q, &csv, mams::privacy::Disclosure::Masked).unwrap(),
        bills_in_month
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count() as u64, bills_in_month + 1);
    assert!(text.starts_with("bill_id,customer_id,billing_month"));
    let xlsx = dir.join("bills.xlsx");
    assert_eq!(
        rows::export(&p, &q, &xlsx, mams::privacy::Disclosure::Masked).unwrap(),
        bills_in_month
    );
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 1000);
}

#[test]
fn arrears_by_age_and_the_collection_curve_match_the_hand_worked_answer() {
    use mams::store::market::{arrears_by_age, collection_curve};
    let path = tiny_province("kpi-arrears-age");
    let p = Project::open(&path).unwrap();
    let june = arrears_by_age(&p, "P", JUNE).unwrap();
    // End of June: May's bill of A1 (50, due 25 June, 20 paid) is 5 days past due.
    assert_eq!(june.len(), 1);
    assert_eq!(
        (june[0].unit_id.as_str(), june[0].bucket, june[0].bills),
        ("C1", 0, 1)
    );
    assert!((june[0].arrears - 30.0).abs() < 1e-9);
    // End of August: A1's May bill (30 owed, 25 June: 67 days), A2's June bill (240 - 200,
    // due 25 July: 37 days) in C1; B1's June bill (300 unpaid, 37 days) in C2; A1's June
    // bill is paid. All in the 31-90 bucket, all billed this year.
    let aug = NaiveDate::from_ymd_opt(2025, 8, 1).unwrap();
    let a = arrears_by_age(&p, "P", aug).unwrap();
    let got: Vec<(&str, usize, u64, f64, f64)> = a
        .iter()
        .map(|x| (x.unit_id.as_str(), x.bucket, x.bills, x.arrears, x.this_year))
        .collect();
    assert_eq!(got, vec![("C1", 1, 2, 70.0, 70.0), ("C2", 1, 1, 300.0, 300.0)]);
    // The buckets add up to the arrears card of the month (June: the last month with bills).
    let card = kpi::cards(&p, JUNE, "P", None).unwrap();
    assert!(close(
        value(&card, "arrears"),
        june.iter().map(|x| x.arrears).sum()
    ));
    // A station (no units below) lists itself.
    let c1 = arrears_by_age(&p, "C1", aug).unwrap();
    assert!(c1.iter().all(|x| x.unit_id == "C1"));

    // July: the three June bills (60 + 240 + 300) fall due; 60 is paid on 20 July.
    let july = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    let curve = collection_curve(&p, "P", july).unwrap();
    assert!((curve.receivable - 600.0).abs() < 1e-9);
    assert_eq!(curve.paid, vec![(20, 60.0)]);
    let cum = curve.cumulative_percent(31);
    assert_eq!(cum[19].1, 0.0);
    assert!((cum[20].1 - 10.0).abs() < 1e-9 && (cum[31].1 - 10.0).abs() < 1e-9);
    // A month with nothing due: no receivable, a flat curve, no division by zero.
    let empty = collection_curve(&p, "P", NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).unwrap();
    assert_eq!(empty.receivable, 0.0);
    assert!(empty.cumulative_percent(31).iter().all(|(_, v)| *v == 0.0));
}

#[test]
fn prebuilt_collection_sums_agree_with_the_data_tables() {
    use mams::store::market::*;
    let path = small_project("collection-sums");
    let p = Project::open(&path).unwrap();
    let months = mams::store::queries::months(&p).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6 * a.abs().max(1.0);
    let mut seen = 0;
    for unit in ["P", "C01", "C01K01", "C01K01S01"] {
        for m in months.iter().rev().take(8) {
            let (a, b) = (
                arrears_by_age(&p, unit, *m).unwrap(),
                arrears_by_age_from_data(&p, unit, *m).unwrap(),
            );
            assert_eq!(a.len(), b.len(), "{unit} {m}");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(
                    (&x.unit_id, x.bucket, x.bills),
                    (&y.unit_id, y.bucket, y.bills),
                    "{unit} {m}"
                );
                assert!(
                    close(x.arrears, y.arrears) && close(x.this_year, y.this_year),
                    "{unit} {m}"
                );
            }
            let (c, d) = (
                collection_curve(&p, unit, *m).unwrap(),
                collection_curve_from_data(&p, unit, *m).unwrap(),
            );
            assert!(close(c.receivable, d.receivable), "{unit} {m}");
            assert_eq!(c.paid.len(), d.paid.len(), "{unit} {m}");
            for (x, y) in c.paid.iter().zip(&d.paid) {
                assert!(x.0 == y.0 && close(x.1, y.1), "{unit} {m}");
            }
            let (e, f) = (
                composition(&p, unit, *m).unwrap(),
                composition_from_data(&p, unit, *m).unwrap(),
            );
            for (x, y) in e.iter().zip(&f) {
                let mut x = x.clone();
                let mut y = y.clone();
                // Equal kWh may come in either order.
                x.sort_by(|a, b| a.0.cmp(&b.0));
                y.sort_by(|a, b| a.0.cmp(&b.0));
                assert_eq!(x.len(), y.len(), "{unit} {m}");
                for (a, b) in x.iter().zip(&y) {
                    assert!(
                        a.0 == b.0 && a.1 == b.1 && close(a.2, b.2),
                        "{unit} {m}: {a:?} {b:?}"
                    );
                }
            }
            let (g, k) = (
                key_customers(&p, unit, *m, 20).unwrap(),
                key_customers_from_data(&p, unit, *m, 20).unwrap(),
            );
            type Row = (String, f64, Option<f64>, Option<f64>, usize);
            let order = |v: &[KeyCustomer]| {
                let mut v: Vec<Row> = v
                    .iter()
                    .map(|c| {
                        (
                            c.customer_id.clone(),
                            c.kwh_year,
                            c.kwh_month,
                            c.share,
                            c.series.len(),
                        )
                    })
                    .collect();
                v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                v
            };
            let (g, k) = (order(&g), order(&k));
            assert_eq!(g.len(), k.len(), "{unit} {m}");
            for (x, y) in g.iter().zip(&k) {
                assert!(close(x.1, y.1), "{unit} {m}: {x:?} {y:?}");
                assert!(
                    x.2.zip(y.2).is_none_or(|(a, b)| close(a, b)) && x.2.is_some() == y.2.is_some(),
                    "{unit} {m}"
                );
                assert!(
                    x.3.zip(y.3).is_none_or(|(a, b)| close(a, b)),
                    "{unit} {m}: share {x:?} {y:?}"
                );
                assert_eq!(x.4, y.4, "{unit} {m}");
            }
            // With distinct kWh the customers are the same.
            if k.windows(2).all(|w| w[0].1 != w[1].1) {
                assert_eq!(
                    g.iter().map(|x| &x.0).collect::<Vec<_>>(),
                    k.iter().map(|x| &x.0).collect::<Vec<_>>()
                );
            }
            let sorted = |mut v: Vec<(String, f64, f64)>| {
                v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.total_cmp(&b.2)));
                v
            };
            let h = sorted(handling(&p, unit, *m).unwrap());
            assert_eq!(h, sorted(handling_from_data(&p, unit, *m).unwrap()), "{unit} {m}");
            seen += a.len() + c.paid.len() + e[0].len() + g.len() + h.len();
        }
    }
    assert!(seen > 100, "the comparison is not vacuous ({seen})");
}

#[test]
fn a_page_checks_the_sums_once_and_the_next_one_sees_new_data() {
    let path = tiny_province("kpi-checked-once");
    let p = Project::open(&path).unwrap();
    let sales = |p: &Project| value(&kpi::cards(p, JUNE, "P", None).unwrap(), "sales_kwh");
    let before = store_kpi::with_sums_checked_once(&p, || sales(&p));
    assert!(close(before, 1000.0));
    // New data after the page: the check is not remembered, the sums are rebuilt.
    p.conn()
        .execute_batch(
            "INSERT INTO bills (bill_id, customer_id, billing_month, kwh, amount, due_on) VALUES
               ('B1-06b', 'B1', DATE '2025-06-01', 50, 25, DATE '2025-07-25')",
        )
        .unwrap();
    assert!(close(sales(&p), 1050.0));
    assert!(close(store_kpi::with_sums_checked_once(&p, || sales(&p)), 1050.0));
}

#[test]
fn the_class_breakdown_matches_the_hand_worked_answer_and_slices_by_unit_below() {
    use mams::metrics::indicators::{BY_CLASS, indicator};
    let path = tiny_province("kpi-classes");
    {
        let p = Project::open(&path).unwrap();
        // t1 is A1's complaint (residential); the other tickets have no known customer.
        p.conn()
            .execute_batch("UPDATE tickets SET customer_id = 'A1' WHERE ticket_id = 't1'")
            .unwrap();
    }
    let p = Project::open(&path).unwrap();
    let below: Vec<String> = ["C1", "C2", "C3"].map(String::from).to_vec();
    let slices = kpi::slices(&p, JUNE, "P", &below).unwrap();
    let ind = |id| indicator(id).unwrap();
    let of = |id, unit: Option<&str>, class: Option<&str>| {
        slices
            .class_values(ind(id), unit)
            .into_iter()
            .find(|(c, _)| c.as_deref() == class)
            .map(|(_, v)| v)
    };
    let (res, com) = (Some("residential"), Some("commercial"));
    // Sales: A1 100 (residential); A2 300 + B1 600 (commercial). Revenue 60; 240 + 300.
    assert!(close(of("sales_kwh", None, res), 100.0) && close(of("sales_kwh", None, com), 900.0));
    assert!(close(of("revenue", None, res), 60.0) && close(of("revenue", None, com), 540.0));
    assert!(close(of("average_price", None, com), 0.6));
    // Collected by the end of August: A1-06's 60 of 60; A2-06's 200 of 540.
    assert!(close(of("collection_rate", None, res), 100.0));
    assert!(close(of("collection_rate", None, com), 200.0 / 540.0 * 100.0));
    // Arrears at the end of June: May's residential bill still owes 30; commercial nothing.
    assert!(close(of("arrears", None, res), 30.0) && close(of("arrears", None, com), 0.0));
    // X1 (residential) took 5 working days, in time; X2 (commercial) 10, over its limit.
    assert!(close(of("connection_days", None, res), 5.0) && close(of("connection_days", None, com), 10.0));
    assert!(close(of("connections_over_limit", None, com), 100.0));
    // One complaint from the one residential customer served; none from the 2 commercial.
    assert!(close(of("complaints_per_10k", None, res), 10_000.0));
    assert!(close(of("complaints_per_10k", None, com), 0.0));
    // Tickets without a customer: t2 late and t4 on time of those due; t2's callback
    // dissatisfied; repairs t2 and t3 arrived after 40 and 60 minutes. t1: on time, satisfied.
    assert!(
        close(of("ticket_timeliness", None, None), 50.0) && close(of("ticket_timeliness", None, res), 100.0)
    );
    assert!(close(of("satisfaction", None, None), 0.0) && close(of("satisfaction", None, res), 100.0));
    assert!(close(of("repair_arrival", None, None), 50.0));
    // Nobody is served without a class: no complaint rate there, never infinity; and that
    // row has tickets only, so no sales or connections (not zero).
    assert_eq!(of("complaints_per_10k", None, None), None);
    assert_eq!(of("sales_kwh", None, None), None);
    assert_eq!(of("new_connections", None, None), None);
    // Line loss and reliability do not split by class.
    assert!(!BY_CLASS.contains(&"line_loss_rate") && of("saidi", None, res).is_none());

    // The sums' classes add up to the card.
    let cards = cards_of(&path, "P");
    for id in ["sales_kwh", "revenue", "arrears", "new_connections"] {
        let total: f64 = slices.class_values(ind(id), None).iter().map(|(_, v)| v).sum();
        assert!(close(value(&cards, id), total), "{id}: classes add to {total}");
    }

    // Sliced by a unit below: C2 has only B1 (commercial).
    assert!(close(of("sales_kwh", Some("C2"), com), 600.0) && of("sales_kwh", Some("C2"), res).is_none());
    // The ranking on one class: commercial sales of C1 300, C2 600; C3 has no customers.
    let commercial = Some("commercial".to_string());
    let ranked = slices.below_values(ind("sales_kwh"), Some(&commercial));
    assert_eq!(
        ranked,
        vec![
            ("C1".into(), Some(300.0)),
            ("C2".into(), Some(600.0)),
            ("C3".into(), None)
        ]
    );
    // The trends: the commercial class of the province, and C2 alone, end with June.
    let class_trend = slices.history(ind("sales_kwh"), None, Some(&commercial)).unwrap();
    assert_eq!(class_trend.len(), 13);
    assert_eq!(class_trend.last().unwrap(), &(JUNE, Some(900.0)));
    let c2 = slices.history(ind("sales_kwh"), Some("C2"), None).unwrap();
    assert_eq!(c2.last().unwrap(), &(JUNE, Some(600.0)));
    // May: C2's B2 was billed nothing, but bills exist in May (A1's): zero, not no data.
    assert_eq!(c2[c2.len() - 2].1, Some(0.0));
}

/// Province P with cities C1 and C2 of ten customers each, for major event days: in 2024
/// twelve ordinary days of the system, in July 2025 a storm in C2.
fn stormy_province(name: &str) -> PathBuf {
    project_from_sql(name, "
        INSERT INTO org_units (unit_id, parent_id, level, name_zh, area_type) VALUES
          ('P', NULL, 'province', '省', 'urban'), ('C1', 'P', 'city', '一市', 'urban'),
          ('C2', 'P', 'city', '二市', 'rural');
        INSERT INTO customers (customer_id, name, unit_id, customer_class, tariff_code, status, opened_on)
        SELECT 'K' || i, 'k', CASE WHEN i <= 10 THEN 'C1' ELSE 'C2' END, 'residential', 'R-TIER',
               'normal', DATE '2015-01-01'
        FROM range(1, 21) t(i);
        -- 2024: on 1 to 12 March, system SAIDI 1 (2 customers x 10 min over 20) on odd days
        -- and 4 (8 x 10 min) on even days, all in C2.
        INSERT INTO outages (outage_id, unit_id, start_at, end_at, planned, cause, customers_affected)
        SELECT 'h' || d, 'C2', TIMESTAMP '2024-03-01 08:00:00' + to_days(d - 1),
               TIMESTAMP '2024-03-01 08:10:00' + to_days(d - 1), false, 'equipment',
               CASE WHEN d % 2 = 1 THEN 2 ELSE 8 END
        FROM range(1, 13) t(d);
        INSERT INTO outages (outage_id, unit_id, start_at, end_at, planned, cause, customers_affected) VALUES
          -- 2 July 2025: the storm, C2's ten customers for an hour (600) and two of C1's for
          -- ten minutes (20): system SAIDI 31.
          ('s1', 'C2', TIMESTAMP '2025-07-02 14:00:00', TIMESTAMP '2025-07-02 15:00:00', false, 'weather', 10),
          ('s2', 'C1', TIMESTAMP '2025-07-02 14:30:00', TIMESTAMP '2025-07-02 14:40:00', false, 'weather', 2),
          -- 3 July: all of C1 for 20 minutes (200): C1's own SAIDI 20, the system's 10.
          ('o1', 'C1', TIMESTAMP '2025-07-03 09:00:00', TIMESTAMP '2025-07-03 09:20:00', false, 'equipment', 10);
        ")
}

#[test]
fn major_event_days_are_the_systems_and_judged_by_the_five_years_before() {
    let path = stormy_province("stormy");
    let p = Project::open(&path).unwrap();
    let july = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    // By hand: ln(daily SAIDI) of 2024 is 0 on six days and ln 4 on six: α = ln 2,
    // β = ln 2 x sqrt(12 / 11) = 0.72396, T_MED(2025) = exp(ln 2 + 2.5 x 0.72396) = 12.22 min.
    // 2 July (31) is a major event day of the system; 3 July (10) is not, although C1 alone
    // lost 20 minutes per customer that day. 2025's own days do not enter its threshold.
    let want_t_med = (2f64.ln() + 2.5 * 2f64.ln() * (12f64 / 11.0).sqrt()).exp();
    assert!((want_t_med - 12.219).abs() < 1e-3);
    let report = |unit: &str| {
        mams::metrics::service::report(&p, unit, july, &[], &mams::progress::Progress::new()).unwrap()
    };
    let c1 = report("C1");
    assert_eq!(c1.system_unit, "P");
    let t2025 = c1.threshold_of(july).unwrap();
    assert!((t2025.t_med.unwrap() - want_t_med).abs() < 1e-9, "{t2025:?}");
    assert_eq!(t2025.days_counted, 12);
    // 2024's months have no threshold: nothing before 2024 in the data.
    let aug_2024 = NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
    assert_eq!(c1.threshold_of(aug_2024).unwrap().t_med, None);
    let jul = c1.reliability.last().unwrap();
    assert_eq!(jul.month, july);
    // C1 in July: (20 + 200) / 10 = 22 minutes; without the system's storm day 20.
    assert!((jul.saidi.unwrap() - 22.0).abs() < 1e-9, "{jul:?}");
    assert!((jul.saidi_without_med.unwrap() - 20.0).abs() < 1e-9, "{jul:?}");
    assert_eq!(jul.major_event_days.len(), 1);
    // The system: (600 + 20 + 200) / 20 = 41 with, 10 without.
    let sys = report("P");
    let jul = sys.reliability.last().unwrap();
    assert!((jul.saidi.unwrap() - 41.0).abs() < 1e-9, "{jul:?}");
    assert!((jul.saidi_without_med.unwrap() - 10.0).abs() < 1e-9, "{jul:?}");
    // SAIFI: (10 + 2 + 10) / 20 = 1.1 with, 0.5 without.
    assert!((jul.saifi.unwrap() - 1.1).abs() < 1e-9 && (jul.saifi_without_med.unwrap() - 0.5).abs() < 1e-9);

    // `mams service` prints the same report.
    drop(p);
    let o = mams(&[
        "service",
        path.to_str().unwrap(),
        "--period",
        "2025-07",
        "--unit",
        "C1",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let last = json["reliability"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["saidi"], serde_json::json!(22.0));
    assert_eq!(last["saidi_without_med"], serde_json::json!(20.0));
    assert_eq!(json["system_unit"], "P");
    let o = mams(&[
        "service",
        path.to_str().unwrap(),
        "--period",
        "2025-07",
        "--unit",
        "C1",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("T_MED 2025: 12.22 min (12 days with interruptions in 2020-2024)"),
        "{text}"
    );
    assert!(text.contains("T_MED 2024: none"), "{text}");
}

#[test]
fn why_did_it_change_keeps_what_a_county_books_itself_and_a_class_without_kwh() {
    use mams::metrics::change;
    // County C with stations S1 and S2 of five customers each. The county books complaints
    // on itself (its customers sit at the stations); in June a commercial account has only
    // its basic charge (no kWh).
    let path = project_from_sql(
        "why-levels",
        "
        INSERT INTO org_units (unit_id, parent_id, level, name_zh, area_type) VALUES
          ('C', NULL, 'county', '县', 'rural'), ('S1', 'C', 'station', '一所', 'rural'),
          ('S2', 'C', 'station', '二所', 'rural');
        INSERT INTO customers (customer_id, name, unit_id, customer_class, tariff_code, status, opened_on)
        SELECT 'K' || i, 'k', CASE WHEN i <= 5 THEN 'S1' ELSE 'S2' END,
               CASE WHEN i = 1 THEN 'commercial' ELSE 'residential' END, 'R-TIER', 'normal', DATE '2015-01-01'
        FROM range(1, 11) t(i);
        INSERT INTO bills (bill_id, customer_id, billing_month, kwh, amount) VALUES
          ('b1', 'K2', DATE '2025-05-01', 100, 60), ('b2', 'K2', DATE '2025-06-01', 120, 72),
          ('b3', 'K1', DATE '2025-05-01', 200, 160), ('b4', 'K1', DATE '2025-06-01', 0, 30);
        INSERT INTO tickets (ticket_id, unit_id, ticket_type, received_at) VALUES
          ('m1', 'S1', 'complaint', TIMESTAMP '2025-05-03 09:00:00'),
          ('m2', 'C', 'complaint', TIMESTAMP '2025-05-04 09:00:00'),
          ('j1', 'S1', 'complaint', TIMESTAMP '2025-06-03 09:00:00'),
          ('j2', 'S2', 'complaint', TIMESTAMP '2025-06-03 09:00:00'),
          ('j3', 'C', 'complaint', TIMESTAMP '2025-06-04 09:00:00'),
          ('j4', 'C', 'complaint', TIMESTAMP '2025-06-05 09:00:00'),
          ('j5', 'C', 'complaint', TIMESTAMP '2025-06-06 09:00:00');
        ",
    );
    let p = Project::open(&path).unwrap();
    let (may, june) = (
        NaiveDate::from_ymd_opt(2025, 5, 1).unwrap(),
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
    );
    let stations = vec!["S1".to_string(), "S2".to_string()];
    // By hand: 2 complaints over 10 customers in May (2,000 per 10k), 5 in June (5,000).
    // S1's rate stays at 1 in 5 (no part), S2 goes from 0 to 1 in 5 with half the customers
    // (+1,000), and the county's own bookings go from 1 to 3 over the county's 10 customers
    // (+2,000).
    let x = change::explain(&p, "complaints_per_10k", "C", &stations, may, june).unwrap();
    assert!(
        (x.base_value - 2000.0).abs() < 1e-6 && (x.value - 5000.0).abs() < 1e-6,
        "{x:?}"
    );
    let part = |u: &str| {
        x.parts
            .iter()
            .find(|p| p.unit_id == u)
            .map(|p| p.effect)
            .unwrap_or(0.0)
    };
    assert!(part("S1").abs() < 1e-6, "{x:?}");
    assert!((part("S2") - 1000.0).abs() < 1e-6, "{x:?}");
    assert!((part("C") - 2000.0).abs() < 1e-6, "{x:?}");

    // Revenue by class, by hand: residential 60 -> 72; commercial 160 -> 30 with its kWh
    // gone (200 -> 0): the 200 kWh lost at its May price of 0.80 are -160, and the basic
    // charge left is +30 of price. The parts add up to the change of -118.
    let by_class = change::explain_by_class(&p, "revenue", "C", may, june)
        .unwrap()
        .unwrap();
    let total: f64 = by_class.iter().map(|c| c.effect).sum();
    assert!((total - -118.0).abs() < 1e-6, "{by_class:?}");
    let commercial = by_class.iter().find(|c| c.class == "commercial").unwrap();
    assert!(
        (commercial.first.unwrap() - -160.0).abs() < 1e-9,
        "{commercial:?}"
    );
    assert!((commercial.second.unwrap() - 30.0).abs() < 1e-9, "{commercial:?}");
    let residential = by_class.iter().find(|c| c.class == "residential").unwrap();
    assert!((residential.effect - 12.0).abs() < 1e-6, "{residential:?}");
}

#[test]
fn connection_time_limits_have_one_home_the_rules_parameters() {
    use mams::audit::run::{self, RunSpec};
    use mams::store::{audit, market};
    let path = tiny_province("limits");
    let p = Project::open(&path).unwrap();
    let share = |p: &Project| kpi::cards(p, JUNE, "P", Some(&["connections_over_limit"])).unwrap()[0].value;
    let overdue = |p: &Project| -> Vec<String> {
        let (library, _) = run::library(p).unwrap();
        let spec = RunSpec::new(JUNE, JUNE, "P", vec!["expansion_overdue".into()]);
        let mut ids: Vec<String> = run::run(p, &library, &spec, false, &mams::progress::Progress::new())
            .unwrap()
            .found
            .into_iter()
            .map(|f| f.entity_id)
            .collect();
        ids.sort();
        ids
    };
    // By hand: X1 (residential) took Mon 2 to Mon 9 June, 6 working days, less 1 paused:
    // 5, at its limit of 5. X2 (380 V business) took Fri 6 to Thu 19 June, 10 working days,
    // against 6: one of the two is over.
    assert_eq!(share(&p), Some(50.0));
    assert_eq!(overdue(&p), ["X2"]);
    // A project's own limits change the indicator (the sums are rebuilt), the key market's
    // handling times and the rule alike, and stay with the project.
    audit::set_param(&p, "expansion_overdue", "limit_low_voltage", Some(10.0)).unwrap();
    audit::set_param(&p, "expansion_overdue", "limit_residential", Some(4.0)).unwrap();
    assert_eq!(share(&p), Some(50.0));
    assert_eq!(overdue(&p), ["X1"]);
    let limits: Vec<(String, f64)> = market::handling(&p, "P", JUNE)
        .unwrap()
        .into_iter()
        .map(|(class, _, limit)| (class, limit))
        .collect();
    assert!(limits.contains(&("residential".to_string(), 4.0)), "{limits:?}");
    assert!(limits.contains(&("commercial".to_string(), 10.0)), "{limits:?}");
    audit::set_param(&p, "expansion_overdue", "limit_residential", None).unwrap();
    assert_eq!(share(&p), Some(0.0));
    drop(p);
    let p = Project::open(&path).unwrap();
    assert_eq!(
        overdue(&p),
        Vec::<String>::new(),
        "10 working days allowed to X2 after reopening"
    );
}
