//! The audit rules on accounts written by hand (`tests/fixtures/account_events.sql`,
//! `archive_and_service.sql`, `connections_and_money.sql`), every rule at least once: the ordinary events of a real extract that must
//! not raise a suspect (new connections, suspensions, closings, seasonal customers, meter
//! exchanges and rollovers, capacity increases, partial payments, notices already sent,
//! tickets closed on their deadline) beside real problems. The expected suspects and figures below are labelled and
//! worked out by hand from the fixture, not taken from a run.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use common::*;
use mams::audit::run::{self, RunSpec};
use mams::progress::Progress;
use mams::store::Project;
use mams::store::audit::Found;

fn month(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

/// Runs one rule over January 2024 to December 2025 of the hand-written accounts.
fn suspects(rule: &str) -> Vec<Found> {
    suspects_in("account_events.sql", rule)
}

/// The same over the accounts of one fixture file.
fn suspects_in(fixture: &str, rule: &str) -> Vec<Found> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    let path = project_from_sql(
        &format!("by-hand-{rule}"),
        &std::fs::read_to_string(fixture).unwrap(),
    );
    let p = Project::open(&path).unwrap();
    let (library, problems) = run::library(&p).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let spec = RunSpec::new(month(2024, 1), month(2025, 12), "P", vec![rule.to_string()]);
    let report = run::run(&p, &library, &spec, false, &Progress::new()).unwrap();
    assert!(
        report.outcomes[0].error.is_none(),
        "{:?}",
        report.outcomes[0].error
    );
    let mut found = report.found;
    found.sort_by(|a, b| (&a.entity_id, a.period).cmp(&(&b.entity_id, b.period)));
    found
}

fn ids_and_months(found: &[Found]) -> Vec<(String, NaiveDate)> {
    found
        .iter()
        .map(|f| (f.entity_id.clone(), f.period.unwrap()))
        .collect()
}

fn evidence(f: &Found, key: &str) -> serde_json::Value {
    let all: serde_json::Value = serde_json::from_str(&f.evidence).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .find(|e| e[0] == key)
        .map(|e| e[1].clone())
        .unwrap_or_else(|| panic!("no {key} in {}", f.evidence))
}

#[test]
fn kwh_jump_leaves_account_events_and_seasons_alone_and_finds_real_drops() {
    let found = suspects("kwh_jump");
    // By hand: J01 falls 2,000 -> 500 in 2025-03; J07, an irrigation pump, falls 5,000 ->
    // 1,500 in July 2025 although July was as busy as June the year before; J08 falls 3,000 ->
    // 1,000 in 2025-03, six months before a routine meter exchange; J12 triples in 2024-09,
    // when no other shop moved. Not suspects: J02's first full month after energising on
    // 2024-06-18, J03's suspension month, J04's final bill, the seasonal pumps J05 and J06
    // (and J07's own season changes), J09's exchange month billed on part reads, J10's
    // doubling after its capacity increase.
    assert_eq!(
        ids_and_months(&found),
        vec![
            ("J01".to_string(), month(2025, 3)),
            ("J07".to_string(), month(2025, 7)),
            ("J08".to_string(), month(2025, 3)),
            ("J12".to_string(), month(2024, 9)),
        ]
    );
    // J01: -75 %, and the money at stake is the lost 1,500 kWh at 0.6 yuan = 900 yuan.
    assert_eq!(evidence(&found[0], "change_pct"), serde_json::json!(-75.0));
    assert!((found[0].amount - 900.0).abs() < 0.01, "{}", found[0].amount);
}

#[test]
fn zero_kwh_leaves_seasonal_rests_and_exchanges_alone_and_looks_before_a_later_exchange() {
    let found = suspects("zero_kwh");
    // By hand: Z01 has nothing 2025-02 to 2025-06; Z03 nothing 2025-06 to 2025-09 where it
    // used 1,500 kWh a month a year before; Z04 nothing 2025-03 to 2025-06, months before its
    // meter was routinely exchanged in 2025-10. Not suspects: Z02's winter rest (the same
    // months were empty a year before), Z05's run with its meter exchanged in it, Z06
    // (suspended), Z07 (a new connection's empty start is new_customer's).
    assert_eq!(
        ids_and_months(&found),
        vec![
            ("Z01".to_string(), month(2025, 2)),
            ("Z03".to_string(), month(2025, 6)),
            ("Z04".to_string(), month(2025, 3)),
        ]
    );
    assert_eq!(evidence(&found[0], "months"), serde_json::json!(5));
}

#[test]
fn late_fee_is_owed_on_the_part_paid_late_for_the_days_it_was_late() {
    let found = suspects("late_fee");
    // By hand: L02 owes 1,000 x 0.1 % x 20 days = 20.00 and was charged nothing; L04 owes
    // 1,000 x 0.2 % x 10 = 20.00 on its first part (charged) and 1,000 x 0.2 % x 30 = 60.00
    // on its second (not charged): 80.00 due, 60.00 short; L06 had 20.00 waived without an
    // approval. Not suspects: L01, whose 800 paid on time owes nothing and whose 200 paid 20
    // days late owes 4.00, charged; L03, 11 days of 2025 at 0.2 % and 9 of 2026 at 0.3 % on
    // 2,000 = 98.00, charged; L05, waived with an approval.
    assert_eq!(
        found.iter().map(|f| f.entity_id.as_str()).collect::<Vec<_>>(),
        ["L02", "L04", "L06"]
    );
    let amounts: Vec<f64> = found.iter().map(|f| f.amount).collect();
    for (got, want) in amounts.iter().zip([20.0, 60.0, 20.0]) {
        assert!((got - want).abs() < 0.005, "{amounts:?}");
    }
    assert_eq!(evidence(&found[1], "fee_due"), serde_json::json!(80.0));
    assert_eq!(
        evidence(&found[2], "finding"),
        serde_json::json!("waived without approval")
    );
}

/// A project of hand-written accounts with a tariff catalogue whose prices are not the
/// sample's, so a rule pricing with anything but the catalogue gives other amounts.
fn tariff_project(catalogue: &str) -> Project {
    let path = project_from_sql(
        &format!("by-hand-tariffs-{}", catalogue.len()),
        &format!(
            "
        INSERT INTO org_units (unit_id, parent_id, level, name_zh, area_type) VALUES
          ('P', NULL, 'province', '省', 'urban'), ('S1', 'P', 'station', '一所', 'urban');
        INSERT INTO customers (customer_id, name, unit_id, customer_class, industry_code, tariff_code,
                               status, capacity_kva, wiring, multiplier) VALUES
          -- A shop on the residential tariff: a mismatch.
          ('T01', 'shop', 'S1', 'commercial', 'F52', 'R-TIER', 'normal', 50, 'direct', 1),
          -- A farm on the agricultural tariff: allowed (industry A).
          ('T02', 'farm', 'S1', 'agricultural', 'A01', 'A-PROD', 'normal', 30, 'direct', 1),
          -- A workshop at 400 kVA on a single-part tariff: two_part_tariff's, not a mismatch.
          ('T03', 'workshop', 'S1', 'commercial', 'C13', 'C-SINGLE', 'normal', 400, 'direct', 1),
          -- A household using 3,000 kWh a month on the residential tariff.
          ('T04', 'home', 'S1', 'residential', 'T01', 'R-TIER', 'normal', 8, 'direct', 1),
          -- A large industry at 400 kVA on the commercial single-part tariff: both a mismatch
          -- and a missing two-part tariff; the latter is two_part_tariff's finding.
          ('T05', 'mill', 'S1', 'industrial_large', 'C13', 'C-SINGLE', 'normal', 400, 'direct', 1);
        INSERT INTO bills (bill_id, customer_id, billing_month, kwh, amount)
        SELECT customer_id || m, customer_id, (DATE '2025-01-01' + to_months(m))::DATE, kwh, kwh * 0.5
        FROM (VALUES ('T01', 100.0), ('T02', 100.0), ('T03', 100.0), ('T04', 3000.0), ('T05', 100.0)) k(customer_id, kwh),
             range(0, 10) t(m);
        {catalogue}
        "
        ),
    );
    Project::open(&path).unwrap()
}

fn run_on(p: &Project, rule: &str) -> Result<Vec<Found>, String> {
    let (library, _) = run::library(p).unwrap();
    let spec = RunSpec::new(month(2025, 1), month(2025, 10), "P", vec![rule.to_string()]);
    let report = run::run(p, &library, &spec, false, &Progress::new()).unwrap();
    match report.outcomes[0].error.clone() {
        Some(e) => Err(e),
        None => Ok(report.found),
    }
}

#[test]
fn tariff_rules_price_with_the_projects_catalogue_and_say_when_there_is_none() {
    let p = tariff_project(
        "INSERT INTO tariffs (tariff_code, customer_class, industry_prefix, price, basic_price, usual) VALUES
           ('R-TIER', 'residential', NULL, 0.50, NULL, true),
           ('C-SINGLE', 'commercial', NULL, 0.80, NULL, true),
           ('C-TWO', 'commercial', NULL, 0.70, 30.0, false),
           ('A-PROD', 'agricultural', 'A', 0.40, NULL, true),
           ('I-LARGE', 'industrial_large', NULL, 0.60, 30.0, true);",
    );
    // By hand: T01's 1,000 kWh of the last 12 months at 0.80 - 0.50 = 300.00 yuan.
    let found = run_on(&p, "tariff_industry").unwrap();
    assert_eq!(
        found.iter().map(|f| f.entity_id.as_str()).collect::<Vec<_>>(),
        ["T01"]
    );
    assert!((found[0].amount - 300.0).abs() < 0.005, "{}", found[0].amount);
    // T03 and T05: 400 kVA x 30 yuan x 12 months = 144,000 yuan of basic charge each.
    let found = run_on(&p, "two_part_tariff").unwrap();
    let mut ids: Vec<&str> = found.iter().map(|f| f.entity_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["T03", "T05"]);
    assert!(found.iter().all(|f| (f.amount - 144_000.0).abs() < 0.005));
    // T04: 30,000 kWh over ten months at 0.80 - 0.50 = 9,000.00 yuan.
    let found = run_on(&p, "residential_commercial").unwrap();
    assert_eq!(
        found.iter().map(|f| f.entity_id.as_str()).collect::<Vec<_>>(),
        ["T04"]
    );
    assert!((found[0].amount - 9000.0).abs() < 0.005, "{}", found[0].amount);

    // tariff_industry leaves T05 to two_part_tariff by that rule's own threshold: raised
    // above 400 kVA, T05 is tariff_industry's (1,000 kWh at 0.80 - 0.60 = 200.00 yuan).
    mams::store::audit::set_param(&p, "two_part_tariff", "min_kva", Some(500.0)).unwrap();
    assert!(run_on(&p, "two_part_tariff").unwrap().is_empty());
    let mut found = run_on(&p, "tariff_industry").unwrap();
    found.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
    assert_eq!(
        found.iter().map(|f| f.entity_id.as_str()).collect::<Vec<_>>(),
        ["T01", "T05"]
    );
    assert!((found[1].amount - 200.0).abs() < 0.005, "{}", found[1].amount);

    // Without a catalogue the rules stop with a message instead of flagging every account.
    let empty = tariff_project("");
    for rule in ["tariff_industry", "two_part_tariff", "residential_commercial"] {
        let e = run_on(&empty, rule).unwrap_err();
        assert!(
            e.contains("tariff catalogue (table tariffs) is empty"),
            "{rule}: {e}"
        );
    }
}

/// (entity, month) of each suspect of a rule on `archive_and_service.sql`.
fn found(rule: &str) -> Vec<(String, Option<NaiveDate>)> {
    suspects_in("archive_and_service.sql", rule)
        .into_iter()
        .map(|f| (f.entity_id, f.period))
        .collect()
}

fn one(id: &str, m: Option<NaiveDate>) -> Vec<(String, Option<NaiveDate>)> {
    vec![(id.to_string(), m)]
}

#[test]
fn closed_consuming_leaves_the_final_read_before_closing_alone() {
    // By hand: C02's register moves 120 kWh after its closing on 2025-03-10 (read 2025-04-22).
    // Not: C01's final read two days before closing, C03's register standing still.
    assert_eq!(found("closed_consuming"), one("C02", Some(month(2025, 4))));
}

#[test]
fn reading_leaves_a_rollover_and_a_meter_exchange_alone() {
    // By hand: R03 reads 5,000 after 5,300 on the same meter; R05's registers add up to
    // 6,040 against 6,000. Not: R01 rolling over from 999,950, R02's new meter starting
    // from 12, R04's 0.03 of rounding.
    assert_eq!(
        found("reading"),
        vec![
            ("R03".to_string(), Some(month(2025, 2))),
            ("R05".to_string(), Some(month(2025, 2))),
        ]
    );
}

#[test]
fn estimated_needs_consecutive_cycles() {
    // By hand: E02 estimated June, July and August 2025; E01's two estimates are apart.
    assert_eq!(found("estimated"), one("E02", Some(month(2025, 6))));
}

#[test]
fn arrears_age_leaves_notices_pennies_and_young_bills_alone() {
    // By hand: A03 owes 90 yuan of its June 2025 bill 173 days after its due date, with no
    // notice. Not: A01 (a notice was sent), A02 (0.50 yuan left), A04 (20 days overdue).
    let all = suspects_in("archive_and_service.sql", "arrears_age");
    assert_eq!(
        all.iter()
            .map(|f| (f.entity_id.clone(), f.period))
            .collect::<Vec<_>>(),
        one("A03", Some(month(2025, 6)))
    );
    assert!((all[0].amount - 90.0).abs() < 0.005);
}

#[test]
fn multiplier_takes_a_missing_pt_as_one_and_leaves_closed_accounts_alone() {
    // By hand: M03's CT 20 x PT 100 = 2,000 is billed with 20. Not: M01 (direct, 1), M02
    // (CT 8 with no PT, 8), M04 (wrong, but closed).
    assert_eq!(found("multiplier"), one("M03", None));
}

#[test]
fn meter_overdue_is_judged_at_the_end_of_the_period_on_open_accounts() {
    // By hand: V02 was due on 2025-06-30. Not: V01 (due 2026-03-01, after the period), V03
    // (closed).
    assert_eq!(found("meter_overdue"), one("V02", None));
}

#[test]
fn duplicate_archive_reads_addresses_as_written_by_hand_and_skips_closed_accounts() {
    // By hand: D01 and D02, both 王五, at 七路 8 号（东） and 七路8号(东): the same address
    // written two ways. Not: D05 (another name at that address), D03 and D04 sharing a phone
    // (D04 is closed).
    assert_eq!(
        found("duplicate_archive"),
        vec![("D01".to_string(), None), ("D02".to_string(), None)]
    );
}

#[test]
fn repeat_complaint_counts_complaints_only_and_within_the_days() {
    // By hand: D02 complains on 2025-04-25 and again on 2025-05-05 (an inquiry between
    // them does not count). Not: D01, whose complaints are 31 days apart.
    assert_eq!(found("repeat_complaint"), one("D02", Some(month(2025, 5))));
}

#[test]
fn ticket_overdue_allows_a_ticket_closed_on_its_deadline() {
    // By hand: T07 closed a minute after its deadline; T08 still open at the end of the data
    // (2025-12-21 10:00), ten days past its deadline. Not: T06 (closed on it), T09 (its
    // deadline after the end of the data), T10 (no deadline).
    assert_eq!(
        found("ticket_overdue"),
        vec![
            ("T07".to_string(), Some(month(2025, 6))),
            ("T08".to_string(), Some(month(2025, 11))),
        ]
    );
}

/// (entity, month) of each suspect of a rule on `connections_and_money.sql`.
fn found_money(rule: &str) -> Vec<(String, Option<NaiveDate>)> {
    suspects_in("connections_and_money.sql", rule)
        .into_iter()
        .map(|f| (f.entity_id, f.period))
        .collect()
}

fn months_of(items: &[(&str, Option<(i32, u32)>)]) -> Vec<(String, Option<NaiveDate>)> {
    items
        .iter()
        .map(|(id, m)| (id.to_string(), m.map(|(y, m)| month(y, m))))
        .collect()
}

#[test]
fn pf_standard_applies_from_the_threshold_with_the_standard_of_the_class() {
    // By hand: F03, a shop on industry's 0.90 where commerce has 0.85; F04, a farm of 200 kVA
    // with none. Not: F01 (99 kVA), F02 (right), F05 (a household: no standard).
    assert_eq!(
        found_money("pf_standard"),
        months_of(&[("F03", None), ("F04", None)])
    );
}

#[test]
fn expansion_overdue_counts_working_days_less_the_customers_pauses() {
    // By hand: X02 (6 working days for a household), X04 (26 on a single 10 kV supply), X06
    // (still open, 9 days when the data ends), X09 (6 over the National Day calendar, with a
    // Saturday worked). Not: X01 (5, the limit), X03 (9 less 3 days paused: 6), X05 (26 on a
    // dual supply, limit 32), X07 (accepted the last day), X08 (10 days Monday to Friday but 5
    // working days across the National Day holidays).
    assert_eq!(
        found_money("expansion_overdue"),
        months_of(&[
            ("X02", Some((2025, 3))),
            ("X04", Some((2025, 6))),
            ("X06", Some((2025, 12))),
            ("X09", Some((2025, 10))),
        ])
    );
}

#[test]
fn process_inversion_needs_a_step_strictly_after_energising() {
    // By hand: Y02, energised an hour before its meter. Not: Y01 (at the very minute of the
    // acceptance), Y03 (no acceptance on record), the X applications (no steps on record).
    assert_eq!(
        found_money("process_inversion"),
        months_of(&[("Y02", Some((2025, 3)))])
    );
}

#[test]
fn new_customer_judges_the_first_bills_or_what_there_is_at_the_end_of_the_data() {
    // By hand: N01 (three empty bills), N03 (its one bill, empty, when the data ends), N04
    // (8,000 kWh on 10 kVA: above 10 x 24 x 31 = 7,440). Not: N02 (uses from its third bill),
    // N05 (an old account).
    assert_eq!(
        found_money("new_customer"),
        months_of(&[
            ("N01", Some((2025, 3))),
            ("N03", Some((2025, 12))),
            ("N04", Some((2025, 6))),
        ])
    );
}

#[test]
fn adjustment_needs_a_work_order_and_looks_at_an_operator_who_makes_most_of_a_stations() {
    // By hand: B02's refund has no work order; B05's five adjustments of 6,000 yuan are all
    // by S2-OP9, who makes 5 of station S2's 6 (83 %). Not: B01 (with its order), B06 (the
    // other operator's one), B07 (S1-OP2 makes 5 of S1's 8: 62 %).
    assert_eq!(
        found_money("adjustment"),
        months_of(&[
            ("B02", Some((2025, 3))),
            ("B05", Some((2025, 1))),
            ("B05", Some((2025, 2))),
            ("B05", Some((2025, 3))),
            ("B05", Some((2025, 4))),
            ("B05", Some((2025, 5))),
        ])
    );
}

#[test]
fn line_loss_steps_only_from_a_normal_month_just_before() {
    // By hand: A1 at 15 % in June, A3 negative in August, A5 stepping 8.5 points in May. Not:
    // A1 and A3 back to normal after them, A2's 7.5-point step, A4's 9.9 % after a missing
    // month.
    assert_eq!(
        found_money("line_loss"),
        months_of(&[
            ("A1", Some((2025, 6))),
            ("A3", Some((2025, 8))),
            ("A5", Some((2025, 5))),
        ])
    );
}

#[test]
fn utilisation_leaves_households_small_idle_capacities_and_wrong_multipliers_alone() {
    // By hand: U01 (10,000 kWh a month on 10 kVA: 1.34 to 1.44 of its capacity every month),
    // U04 (10 kWh a month on 2,000 kVA: idle), and N04 (7,000 to 8,000 kWh on 10 kVA: 0.94 to
    // 1.11, near its capacity all the time). Not: U03 (a household), U05 (idle but under
    // 1,000 kVA), U06 (its kWh come from a wrong multiplier: multiplier's finding).
    assert_eq!(
        found_money("utilisation"),
        months_of(&[("N04", None), ("U01", None), ("U04", None)])
    );
}

#[test]
fn key_drop_is_a_slow_decline_not_a_step_or_an_empty_month() {
    // By hand: K01's last three months first fall under 70 % of a year before in August 2025.
    // Not: K02 (a step of 60 %: kwh_jump's), K03 (an empty month in the window: zero_kwh's).
    assert_eq!(found_money("key_drop"), months_of(&[("K01", Some((2025, 8)))]));
}

#[test]
fn tou_share_is_far_from_the_class_in_robust_deviations_on_enough_energy() {
    // By hand: T07's valley share 0.80 against the shops' median 0.33 and median deviation
    // 0.02. Not: T01 to T06 (0.30 to 0.35), T08 (0.90 on 60 kWh, under 100).
    assert_eq!(found_money("tou_share"), months_of(&[("T07", None)]));
}
