//! Rules checked against an independent implementation of their definition, written here
//! in plain Rust over the rows of a noisy sample (`mams sample --noisy`: natural swings,
//! seasonal customers, production changes, accounts with two problems), and compared
//! suspect for suspect with what the rule's SQL finds. A difference is a bug of one of the
//! two, or an exclusion the rule documents (named where it is applied below).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use common::*;
use mams::audit::rules::builtin;
use mams::audit::run::{self, RunSpec};
use mams::progress::Progress;
use mams::store::Project;

const FROM: (i32, u32) = (2024, 1);
const TO: (i32, u32) = (2025, 12);

fn month((y, m): (i32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

/// A noisy sample of 4,000 accounts over 24 months, audited once with every rule.
fn audited() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tmp("independent-noisy");
        let spec = mams::sample::SampleSpec {
            customers: 4_000,
            months: 24,
            seed: 21,
            first_month: month(FROM),
            noisy: true,
        };
        mams::sample::generate(&spec, &dir.join("x"), &Progress::new()).unwrap();
        let path = dir.join("p.duckdb");
        let p = mams::import::build_project(&path, &dir.join("x"), &Progress::new())
            .unwrap()
            .0;
        let (library, problems) = run::library(&p).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let report = run::run(
            &p,
            &library,
            &RunSpec::new(month(FROM), month(TO), "P", vec![]),
            true,
            &Progress::new(),
        )
        .unwrap();
        assert!(report.outcomes.iter().all(|o| o.error.is_none()));
        path
    })
}

/// The entities a rule found, with their amount at stake.
fn suspects(p: &Project, rule: &str) -> BTreeMap<String, f64> {
    let mut stmt = p
        .conn()
        .prepare("SELECT entity_id, amount FROM audit_suspects WHERE rule_id = ?")
        .unwrap();
    stmt.query_map([rule], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A parameter's default, from the rule's metadata (the project sets none here).
fn param(rule: &str, name: &str) -> f64 {
    let r = builtin().iter().find(|r| r.id == rule).unwrap();
    r.params.iter().find(|p| p.name == name).unwrap().default
}

struct Account {
    status: String,
    wiring: String,
    ct: Option<f64>,
    pt: Option<f64>,
    multiplier: Option<f64>,
    meter_due_on: Option<NaiveDate>,
    name: String,
    id_number: String,
    phone: String,
    meter_asset_no: String,
    address: String,
}

fn accounts(p: &Project) -> BTreeMap<String, Account> {
    let mut stmt = p
        .conn()
        .prepare(
            "SELECT customer_id, status, wiring, ct_ratio, pt_ratio, multiplier, meter_due_on, \
             name, coalesce(id_number, ''), coalesce(phone, ''), coalesce(meter_asset_no, ''), \
             coalesce(address, '') FROM customers",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Account {
                status: r.get(1)?,
                wiring: r.get(2)?,
                ct: r.get(3)?,
                pt: r.get(4)?,
                multiplier: r.get(5)?,
                meter_due_on: r.get(6)?,
                name: r.get(7)?,
                id_number: r.get(8)?,
                phone: r.get(9)?,
                meter_asset_no: r.get(10)?,
                address: r.get(11)?,
            },
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Billed amounts per account and month.
fn billed(p: &Project) -> HashMap<String, Vec<(NaiveDate, f64)>> {
    let mut stmt = p
        .conn()
        .prepare("SELECT customer_id, billing_month, amount FROM bills")
        .unwrap();
    let mut out: HashMap<String, Vec<(NaiveDate, f64)>> = HashMap::new();
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
    {
        let (c, m, a) = row.unwrap();
        out.entry(c).or_default().push((m, a));
    }
    out
}

/// The rule found exactly the entities of `ours`, each with the amount at stake worked out
/// here (to `tolerance` yuan).
fn same_amounts(rule: &str, ours: &BTreeMap<String, f64>, theirs: &BTreeMap<String, f64>, tolerance: f64) {
    differences(
        rule,
        &ours.keys().cloned().collect(),
        &theirs.keys().cloned().collect(),
    );
    for (id, amount) in ours {
        assert!(
            (theirs[id] - amount).abs() < tolerance,
            "{rule} {id}: {amount} here, {} by the rule",
            theirs[id]
        );
    }
}

/// The rule found exactly the entities `ours` (a standing state: no month).
fn same_entities(rule: &str, ours: &BTreeSet<String>, p: &Project) {
    differences(rule, ours, &suspects(p, rule).keys().cloned().collect());
}

fn differences(rule: &str, ours: &BTreeSet<String>, theirs: &BTreeSet<String>) {
    let only_ours: Vec<_> = ours.difference(theirs).take(10).collect();
    let only_rule: Vec<_> = theirs.difference(ours).take(10).collect();
    assert!(
        only_ours.is_empty() && only_rule.is_empty(),
        "{rule}: found here only {only_ours:?}; by the rule only {only_rule:?}"
    );
}

#[test]
fn multiplier_equals_ct_times_pt_and_the_amount_is_a_years_bills_times_the_error() {
    let p = Project::open_read_only(audited()).unwrap();
    let bills = billed(&p);
    let last = month(TO);
    let year_start = last - chrono::Months::new(11);
    let mut ours = BTreeMap::new();
    for (id, a) in accounts(&p) {
        let Some(mult) = a.multiplier else { continue };
        if a.status != "normal" {
            continue;
        }
        // DOMAIN.md: multiplier = CT ratio x PT ratio; a direct-connected meter has 1.
        let expected = if a.wiring == "direct" {
            1.0
        } else {
            a.ct.unwrap_or(1.0) * a.pt.unwrap_or(1.0)
        };
        if (mult - expected).abs() > 0.001 * expected {
            let year: f64 = bills
                .get(&id)
                .map(|b| {
                    b.iter()
                        .filter(|(m, _)| *m >= year_start && *m <= last)
                        .map(|(_, a)| a)
                        .sum()
                })
                .unwrap_or(0.0);
            ours.insert(id, year * (1.0 - expected / mult).abs());
        }
    }
    let theirs = suspects(&p, "multiplier");
    assert!(
        ours.len() > 20,
        "{} wrong multipliers in the noisy sample",
        ours.len()
    );
    same_amounts("multiplier", &ours, &theirs, 0.02);
}

#[test]
fn meter_overdue_is_a_normal_account_past_its_verification_date_at_the_periods_end() {
    let p = Project::open_read_only(audited()).unwrap();
    let grace = param("meter_overdue", "grace_days") as i64;
    let end = NaiveDate::from_ymd_opt(TO.0, TO.1, 31).unwrap();
    let ours: BTreeSet<String> = accounts(&p)
        .into_iter()
        .filter(|(_, a)| {
            a.status == "normal"
                && a.meter_due_on
                    .is_some_and(|d| d < end - chrono::Duration::days(grace))
        })
        .map(|(id, _)| id)
        .collect();
    assert!(ours.len() > 20);
    same_entities("meter_overdue", &ours, &p);
}

#[test]
fn duplicate_archive_is_every_active_account_sharing_an_identity_with_another() {
    let p = Project::open_read_only(audited()).unwrap();
    let all = accounts(&p);
    // An address as written by hand: case, spaces and punctuation do not count.
    let tidy = |s: &str| -> String {
        s.to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && !",，.。#-－号()（）".contains(*c))
            .collect()
    };
    let mut holders: HashMap<(u8, String), Vec<&str>> = HashMap::new();
    for (id, a) in all.iter().filter(|(_, a)| a.status == "normal") {
        let addr = tidy(&a.address);
        for (kind, value) in [
            (0, a.id_number.clone()),
            (1, a.phone.clone()),
            (2, a.meter_asset_no.clone()),
            (
                3,
                if addr.is_empty() {
                    String::new()
                } else {
                    format!("{}|{addr}", a.name)
                },
            ),
        ] {
            if !value.is_empty() {
                holders.entry((kind, value)).or_default().push(id);
            }
        }
    }
    let ours: BTreeSet<String> = holders
        .values()
        .filter(|ids| ids.len() > 1)
        .flatten()
        .map(|s| s.to_string())
        .collect();
    assert!(ours.len() > 20);
    same_entities("duplicate_archive", &ours, &p);
}

#[test]
fn closed_consuming_is_a_register_advancing_after_closing_or_suspension() {
    let p = Project::open_read_only(audited()).unwrap();
    let min_advance = param("closed_consuming", "min_advance");
    let closed: HashMap<String, NaiveDate> = p
        .conn()
        .prepare(
            "SELECT customer_id, status_date FROM customers \
             WHERE status IN ('closed', 'suspended') AND status_date IS NOT NULL",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    type Read = (NaiveDate, Option<NaiveDate>, Option<f64>, f64);
    let mut reads: HashMap<String, Vec<Read>> = HashMap::new();
    let mut stmt = p
        .conn()
        .prepare("SELECT customer_id, billing_month, read_date, prev_total, total FROM meter_reads")
        .unwrap();
    for row in stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
            ))
        })
        .unwrap()
    {
        let (c, read) = row.unwrap();
        if closed.contains_key(&c) {
            reads.entry(c).or_default().push(read);
        }
    }
    let mut ours = BTreeMap::new();
    for (c, mut rs) in reads {
        rs.sort_by_key(|r| r.0);
        let since = closed[&c];
        let mut first = None;
        let mut last_total: Option<f64> = None;
        for (month, read_date, prev, total) in rs {
            // How far the register moved since the reading before (the read's own
            // previous total when it has one).
            let advance = prev.or(last_total).map(|p| total - p);
            last_total = Some(total);
            if read_date.unwrap_or(month) > since && advance.is_some_and(|a| a > min_advance) {
                first = first.or(Some(month));
            }
        }
        if let Some(m) = first {
            ours.insert(c, m);
        }
    }
    let theirs: BTreeMap<String, NaiveDate> = p
        .conn()
        .prepare("SELECT entity_id, period FROM audit_suspects WHERE rule_id = 'closed_consuming'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(ours.len() > 5, "{} closed accounts still consuming", ours.len());
    differences(
        "closed_consuming",
        &ours.keys().cloned().collect(),
        &theirs.keys().cloned().collect(),
    );
    assert_eq!(ours, theirs, "the month the advancing starts");
}

#[test]
fn tou_share_is_a_valley_share_far_from_the_class_in_robust_deviations() {
    let p = Project::open_read_only(audited()).unwrap();
    let (k, min_kwh) = (param("tou_share", "k"), param("tou_share", "min_kwh"));
    // Energy and valley energy per account over the audited months, with its class.
    let mut stmt = p
        .conn()
        .prepare(
            "SELECT b.customer_id, c.customer_class, b.kwh, b.kwh_valley FROM bills b \
             JOIN customers c USING (customer_id) WHERE b.kwh_valley IS NOT NULL \
             AND b.billing_month BETWEEN ? AND ?",
        )
        .unwrap();
    let mut sums: BTreeMap<String, (String, f64, f64)> = BTreeMap::new();
    for row in stmt
        .query_map([month(FROM), month(TO)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
            ))
        })
        .unwrap()
    {
        let (c, class, kwh, valley) = row.unwrap();
        let e = sums.entry(c).or_insert((class, 0.0, 0.0));
        e.1 += kwh;
        e.2 += valley;
    }
    let shares: Vec<(String, String, f64)> = sums
        .into_iter()
        .filter(|(_, (_, kwh, _))| *kwh >= min_kwh && *kwh != 0.0)
        .map(|(c, (class, kwh, valley))| (c, class, valley / kwh))
        .collect();
    // The median as statisticians take it: the middle value, or the mean of the two middle ones.
    let median = |mut v: Vec<f64>| -> f64 {
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    };
    let mut by_class: HashMap<&str, Vec<f64>> = HashMap::new();
    for (_, class, s) in &shares {
        by_class.entry(class).or_default().push(*s);
    }
    let stats: HashMap<&str, (f64, f64)> = by_class
        .into_iter()
        .map(|(class, v)| {
            let med = median(v.clone());
            let mad = median(v.iter().map(|s| (s - med).abs()).collect());
            (class, (med, mad))
        })
        .collect();
    let ours: BTreeSet<String> = shares
        .iter()
        .filter(|(_, class, s)| {
            let (med, mad) = stats[class.as_str()];
            mad > 0.0 && (s - med).abs() > k * mad
        })
        .map(|(c, _, _)| c.clone())
        .collect();
    assert!(ours.len() > 5);
    same_entities("tou_share", &ours, &p);
}

/// The (entity, month) pairs a rule found.
fn suspect_months(p: &Project, rule: &str) -> BTreeSet<(String, Option<NaiveDate>)> {
    let mut stmt = p
        .conn()
        .prepare("SELECT entity_id, period FROM audit_suspects WHERE rule_id = ?")
        .unwrap();
    stmt.query_map([rule], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn same_months(rule: &str, ours: &BTreeSet<(String, Option<NaiveDate>)>, p: &Project) {
    let theirs = suspect_months(p, rule);
    let only_ours: Vec<_> = ours.difference(&theirs).take(10).collect();
    let only_rule: Vec<_> = theirs.difference(ours).take(10).collect();
    assert!(
        only_ours.is_empty() && only_rule.is_empty(),
        "{rule}: found here only {only_ours:?}; by the rule only {only_rule:?}"
    );
}

/// Rows of a query, each as strings or numbers read by the caller.
fn rows<T>(p: &Project, sql: &str, f: impl Fn(&duckdb::Row) -> duckdb::Result<T>) -> Vec<T> {
    let mut stmt = p.conn().prepare(sql).unwrap();
    stmt.query_map([], |r| f(r))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn pf_standard_is_the_standard_of_the_class_from_the_capacity_threshold() {
    let p = Project::open_read_only(audited()).unwrap();
    let min_kva = param("pf_standard", "min_kva");
    // DOMAIN.md: 0.90 for industry, 0.85 for commerce, 0.80 for agriculture.
    let required = |class: &str| match class {
        "industrial_large" | "industrial_ordinary" => Some("0.90"),
        "commercial" => Some("0.85"),
        "agricultural" => Some("0.80"),
        _ => None,
    };
    let ours: BTreeSet<String> = rows(
        &p,
        "SELECT customer_id, customer_class, status, capacity_kva, coalesce(pf_standard, 'none') FROM customers",
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<f64>>(3)?, r.get::<_, String>(4)?)),
    )
    .into_iter()
    .filter(|(_, class, status, kva, pf)| {
        status == "normal" && kva.is_some_and(|k| k >= min_kva) && required(class).is_some_and(|r| r != pf)
    })
    .map(|(c, ..)| c)
    .collect();
    assert!(ours.len() > 3);
    same_entities("pf_standard", &ours, &p);
}

#[test]
fn two_part_tariff_is_a_large_account_on_a_single_part_tariff_of_a_class_that_has_two() {
    let p = Project::open_read_only(audited()).unwrap();
    let min_kva = param("two_part_tariff", "min_kva");
    let catalogue = rows(
        &p,
        "SELECT tariff_code, customer_class, coalesce(basic_price, 0) FROM tariffs",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, f64>(2)?,
            ))
        },
    );
    // The lowest basic price of the two-part tariffs of the classes a single-part tariff serves.
    let mut basic: HashMap<String, f64> = HashMap::new();
    for (code, class, price) in &catalogue {
        if *price != 0.0 {
            continue;
        }
        for (_, other_class, other_price) in &catalogue {
            if other_class == class && *other_price > 0.0 {
                let e = basic.entry(code.clone()).or_insert(f64::MAX);
                *e = e.min(*other_price);
            }
        }
    }
    let mut ours = BTreeMap::new();
    for (c, status, kva, tariff) in rows(
        &p,
        "SELECT customer_id, status, capacity_kva, tariff_code FROM customers",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        },
    ) {
        if let (Some(kva), Some(price)) = (kva, tariff.and_then(|t| basic.get(&t).copied()))
            && status == "normal"
            && kva >= min_kva
        {
            ours.insert(c, kva * price * 12.0);
        }
    }
    let theirs = suspects(&p, "two_part_tariff");
    assert!(!ours.is_empty());
    same_amounts("two_part_tariff", &ours, &theirs, 0.01);
}

#[test]
fn reading_is_a_register_going_back_on_the_same_meter_or_registers_that_do_not_add_up() {
    let p = Project::open_read_only(audited()).unwrap();
    let (rollover, tolerance) = (
        param("reading", "rollover_from"),
        param("reading", "tou_tolerance"),
    );
    type Read = (
        String,
        NaiveDate,
        Option<String>,
        Option<f64>,
        f64,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    );
    let mut reads: Vec<Read> = rows(
        &p,
        "SELECT customer_id, billing_month, meter_asset_no, prev_total, total, peak, flat, valley FROM meter_reads",
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        },
    );
    reads.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut ours = BTreeSet::new();
    let mut last: Option<(&str, f64, Option<&str>)> = None;
    for (c, m, meter, prev, total, peak, flat, valley) in &reads {
        let before_read = last.filter(|(lc, ..)| lc == c);
        let before = prev.or(before_read.map(|(_, t, _)| t));
        let same_meter = before_read.is_none_or(|(_, _, lm)| lm == meter.as_deref());
        let went_back = before.is_some_and(|b| *total < b && !(b >= rollover && *total < rollover / 10.0));
        let tou_off = match (peak, flat, valley) {
            (Some(a), Some(b), Some(v)) => (a + b + v - total).abs() > tolerance,
            _ => false,
        };
        if (went_back && same_meter) || tou_off {
            ours.insert((c.clone(), Some(*m)));
        }
        last = Some((c.as_str(), *total, meter.as_deref()));
    }
    assert!(ours.len() > 3);
    same_months("reading", &ours, &p);
}

#[test]
fn estimated_is_a_run_of_estimated_reads_in_consecutive_cycles() {
    let p = Project::open_read_only(audited()).unwrap();
    let min_cycles = param("estimated", "min_cycles") as usize;
    let mut months: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for (c, m) in rows(
        &p,
        "SELECT customer_id, billing_month FROM meter_reads WHERE read_type = 'estimated'",
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, NaiveDate>(1)?)),
    ) {
        months.entry(c).or_default().push(m);
    }
    let mut ours = BTreeSet::new();
    for (c, mut ms) in months {
        ms.sort();
        let mut run_start = 0;
        for i in 1..=ms.len() {
            let consecutive = i < ms.len() && ms[i] == ms[i - 1] + chrono::Months::new(1);
            if !consecutive {
                if i - run_start >= min_cycles {
                    ours.insert((c.clone(), Some(ms[run_start])));
                }
                run_start = i;
            }
        }
    }
    assert!(ours.len() > 3);
    same_months("estimated", &ours, &p);
}

#[test]
fn adjustment_is_one_without_a_work_order_or_a_large_one_of_an_operator_who_does_most() {
    let p = Project::open_read_only(audited()).unwrap();
    let (large, min_count, share_pct) = (
        param("adjustment", "large_amount"),
        param("adjustment", "min_count") as usize,
        param("adjustment", "operator_share_pct"),
    );
    let adj = rows(
        &p,
        "SELECT b.customer_id, b.billing_month, b.adjustment, coalesce(b.adjustment_order, ''), \
         b.operator_id, c.unit_id FROM bills b JOIN customers c USING (customer_id) \
         WHERE coalesce(b.adjustment, 0) <> 0",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, NaiveDate>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        },
    );
    let mut per_operator: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    let mut per_unit: HashMap<&str, usize> = HashMap::new();
    for (_, _, _, _, op, unit) in &adj {
        *per_operator.entry((unit, op.as_deref())).or_default() += 1;
        *per_unit.entry(unit).or_default() += 1;
    }
    let ours: BTreeSet<(String, Option<NaiveDate>)> = adj
        .iter()
        .filter(|(_, _, a, order, op, unit)| {
            let n = per_operator[&(unit.as_str(), op.as_deref())];
            let share = n as f64 / per_unit[unit.as_str()] as f64;
            order.trim().is_empty() || (a.abs() >= large && n >= min_count && share > share_pct / 100.0)
        })
        .map(|(c, m, ..)| (c.clone(), Some(*m)))
        .collect();
    assert!(ours.len() > 3);
    same_months("adjustment", &ours, &p);
}

#[test]
fn arrears_age_is_a_bill_still_owed_past_the_age_with_no_notice() {
    let p = Project::open_read_only(audited()).unwrap();
    let (days, min_amount) = (
        param("arrears_age", "days") as i64,
        param("arrears_age", "min_amount"),
    );
    let payments = rows(&p, "SELECT bill_id, paid_at, amount FROM payments", |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, chrono::NaiveDateTime>(1)?,
            r.get::<_, f64>(2)?,
        ))
    });
    // As of the last payment in the data.
    let as_of = payments.iter().map(|(_, t, _)| t.date()).max().unwrap();
    let from = month(FROM).and_hms_opt(0, 0, 0).unwrap();
    let mut paid: HashMap<&str, f64> = HashMap::new();
    for (bill, at, amount) in &payments {
        if *at >= from && at.date() <= as_of {
            *paid.entry(bill).or_default() += amount;
        }
    }
    let ours: BTreeSet<(String, Option<NaiveDate>)> = rows(
        &p,
        "SELECT bill_id, customer_id, billing_month, amount, due_on, dunning_on FROM bills",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, NaiveDate>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, NaiveDate>(4)?,
                r.get::<_, Option<NaiveDate>>(5)?,
            ))
        },
    )
    .into_iter()
    .filter(|(bill, _, m, amount, due, dunning)| {
        *m >= month(FROM)
            && *m <= month(TO)
            && dunning.is_none()
            && (as_of - *due).num_days() > days
            && amount - paid.get(bill.as_str()).copied().unwrap_or(0.0) > min_amount
    })
    .map(|(_, c, m, ..)| (c, Some(m)))
    .collect();
    assert!(ours.len() > 3);
    same_months("arrears_age", &ours, &p);
}

#[test]
fn late_fee_is_owed_on_each_part_paid_late_for_its_days() {
    let p = Project::open_read_only(audited()).unwrap();
    let (min_fee, tolerance) = (param("late_fee", "min_fee"), param("late_fee", "tolerance_pct"));
    struct Bill {
        customer: String,
        month: NaiveDate,
        amount: f64,
        due: NaiveDate,
        residential: bool,
        fee: f64,
        charged: f64,
        waived: f64,
        unapproved: bool,
    }
    let mut bills: HashMap<String, Bill> = rows(
        &p,
        "SELECT b.bill_id, b.customer_id, b.billing_month, b.amount, b.due_on, c.customer_class \
         FROM bills b JOIN customers c USING (customer_id) WHERE b.amount > 0",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                Bill {
                    customer: r.get(1)?,
                    month: r.get(2)?,
                    amount: r.get(3)?,
                    due: r.get(4)?,
                    residential: r.get::<_, String>(5)? == "residential",
                    fee: 0.0,
                    charged: 0.0,
                    waived: 0.0,
                    unapproved: false,
                },
            ))
        },
    )
    .into_iter()
    .filter(|(_, b)| b.month >= month(FROM) && b.month <= month(TO))
    .collect();
    let mut late_bills = BTreeSet::new();
    for (bill, at, amount, fee, waived, approval) in rows(
        &p,
        "SELECT bill_id, paid_at, amount, coalesce(late_fee, 0), coalesce(late_fee_waived, 0), \
         coalesce(waiver_approval, '') FROM payments",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, chrono::NaiveDateTime>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
                r.get::<_, f64>(4)?,
                r.get::<_, String>(5)?,
            ))
        },
    ) {
        let Some(b) = bills.get_mut(&bill) else { continue };
        let paid_on = at.date();
        if paid_on <= b.due {
            continue;
        }
        late_bills.insert(bill.clone());
        // DOMAIN.md: residential 0.1 %/day; others 0.2 %/day in the year the bill fell due
        // and 0.3 %/day for the days in later years; on the part paid late only.
        let part = amount.min(b.amount).max(0.0);
        let days = (paid_on - b.due).num_days() as f64;
        let year_end = NaiveDate::from_ymd_opt(chrono::Datelike::year(&b.due), 12, 31).unwrap();
        b.fee += if b.residential {
            part * 0.001 * days
        } else {
            let this_year = ((paid_on.min(year_end) - b.due).num_days() as f64).max(0.0);
            let later = ((paid_on - year_end).num_days() as f64).max(0.0);
            part * (0.002 * this_year + 0.003 * later)
        };
        b.charged += fee;
        b.waived += waived;
        b.unapproved |= waived > 0.0 && approval.is_empty();
    }
    let ours: BTreeSet<(String, Option<NaiveDate>)> = late_bills
        .iter()
        .map(|id| &bills[id])
        .filter(|b| {
            b.fee >= min_fee && (b.unapproved || b.charged + b.waived < b.fee * (1.0 - tolerance / 100.0))
        })
        .map(|b| (b.customer.clone(), Some(b.month)))
        .collect();
    assert!(ours.len() > 3);
    same_months("late_fee", &ours, &p);
}

#[test]
fn ticket_overdue_is_closed_after_its_deadline_or_open_past_it_when_the_data_ends() {
    let p = Project::open_read_only(audited()).unwrap();
    let grace = chrono::Duration::minutes(param("ticket_overdue", "grace_minutes") as i64);
    type T = (
        String,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
    );
    let tickets: Vec<T> = rows(
        &p,
        "SELECT ticket_id, received_at, deadline_at, closed_at FROM tickets",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    );
    let data_end = tickets.iter().map(|t| t.1).max().unwrap();
    let before = (month(TO) + chrono::Months::new(1)).and_hms_opt(0, 0, 0).unwrap();
    let ours: BTreeSet<(String, Option<NaiveDate>)> = tickets
        .iter()
        .filter(|(_, received, deadline, closed)| {
            deadline.is_some_and(|d| closed.unwrap_or(data_end) > d + grace) && *received < before
        })
        .map(|(id, received, ..)| (id.clone(), Some(received.date().with_day0(0).unwrap())))
        .collect();
    assert!(ours.len() > 3);
    same_months("ticket_overdue", &ours, &p);
}

#[test]
fn repeat_complaint_is_a_complaint_within_days_of_the_same_customers_last() {
    let p = Project::open_read_only(audited()).unwrap();
    let days = chrono::Duration::days(param("repeat_complaint", "days") as i64);
    let before = (month(TO) + chrono::Months::new(1)).and_hms_opt(0, 0, 0).unwrap();
    let mut by_customer: BTreeMap<String, Vec<chrono::NaiveDateTime>> = BTreeMap::new();
    for (c, at) in rows(
        &p,
        "SELECT customer_id, received_at FROM tickets WHERE ticket_type = 'complaint' AND customer_id IS NOT NULL",
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, chrono::NaiveDateTime>(1)?)),
    ) {
        if at < before {
            by_customer.entry(c).or_default().push(at);
        }
    }
    let mut ours = BTreeSet::new();
    for (c, mut times) in by_customer {
        times.sort();
        for pair in times.windows(2) {
            if pair[1] - pair[0] <= days {
                ours.insert((c.clone(), Some(pair[1].date().with_day0(0).unwrap())));
            }
        }
    }
    assert!(ours.len() > 3);
    same_months("repeat_complaint", &ours, &p);
}

#[test]
fn process_inversion_is_energising_before_acceptance_or_before_the_meter() {
    let p = Project::open_read_only(audited()).unwrap();
    let tolerance = chrono::Duration::hours(param("process_inversion", "tolerance_hours") as i64);
    type A = (
        String,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
    );
    let apps: Vec<A> = rows(
        &p,
        "SELECT application_id, energised_at, completed_at, meter_installed_at FROM applications",
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    );
    let ours: BTreeSet<(String, Option<NaiveDate>)> = apps
        .into_iter()
        .filter_map(|(id, energised, completed, meter)| {
            let e = energised?;
            let early = |step: Option<chrono::NaiveDateTime>| step.is_some_and(|s| e < s - tolerance);
            (early(completed) || early(meter)).then(|| (id, Some(e.date().with_day0(0).unwrap())))
        })
        .collect();
    assert!(!ours.is_empty());
    same_months("process_inversion", &ours, &p);
}

#[test]
fn line_loss_is_a_rate_out_of_bounds_or_a_step_away_from_a_normal_month_before() {
    let p = Project::open_read_only(audited()).unwrap();
    let (max_rate, step) = (
        param("line_loss", "max_rate_pct") / 100.0,
        param("line_loss", "step_pp") / 100.0,
    );
    let mut areas: BTreeMap<String, Vec<(NaiveDate, Option<f64>)>> = BTreeMap::new();
    for (area, m, supplied, sold) in rows(
        &p,
        "SELECT area_id, month, supplied_kwh, sold_kwh FROM line_loss",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, NaiveDate>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, f64>(3)?,
            ))
        },
    ) {
        if m <= month(TO) {
            let rate = (supplied != 0.0).then(|| (supplied - sold) / supplied);
            areas.entry(area).or_default().push((m, rate));
        }
    }
    let mut ours = BTreeSet::new();
    for (area, mut months) in areas {
        months.sort_by_key(|(m, _)| *m);
        for (i, (m, rate)) in months.iter().enumerate() {
            let Some(rate) = rate else { continue };
            let out_of_bounds = *rate < 0.0 || *rate > max_rate;
            let stepped = i > 0
                && months[i - 1].0 + chrono::Months::new(1) == *m
                && months[i - 1]
                    .1
                    .is_some_and(|prev| (0.0..=max_rate).contains(&prev) && (rate - prev).abs() > step);
            if out_of_bounds || stepped {
                ours.insert((area.clone(), Some(*m)));
            }
        }
    }
    assert!(!ours.is_empty());
    same_months("line_loss", &ours, &p);
}

#[test]
fn residential_commercial_is_a_household_using_far_more_than_households_do() {
    let p = Project::open_read_only(audited()).unwrap();
    let (ceiling, min_months) = (
        param("residential_commercial", "ceiling_kwh"),
        param("residential_commercial", "min_months") as usize,
    );
    let all = accounts(&p);
    let mut kwh: HashMap<String, Vec<f64>> = HashMap::new();
    for (c, m, k) in rows(&p, "SELECT customer_id, billing_month, kwh FROM bills", |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, NaiveDate>(1)?,
            r.get::<_, f64>(2)?,
        ))
    }) {
        if m >= month(FROM) && m <= month(TO) {
            kwh.entry(c).or_default().push(k);
        }
    }
    let classes: HashMap<String, String> =
        rows(&p, "SELECT customer_id, customer_class FROM customers", |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .into_iter()
        .collect();
    let ours: BTreeSet<String> = kwh
        .into_iter()
        .filter(|(c, ks)| {
            let a = &all[c];
            // Documented exclusion: a wrong multiplier inflates the kWh (multiplier's finding).
            let expected = if a.wiring == "direct" {
                1.0
            } else {
                a.ct.unwrap_or(1.0) * a.pt.unwrap_or(1.0)
            };
            let multiplier_right = a.multiplier.is_none_or(|m| (m - expected).abs() <= 0.001 * m);
            classes[c] == "residential"
                && a.status == "normal"
                && multiplier_right
                && ks.len() >= min_months
                && ks.iter().sum::<f64>() / ks.len() as f64 > ceiling
        })
        .map(|(c, _)| c)
        .collect();
    assert!(!ours.is_empty());
    same_entities("residential_commercial", &ours, &p);
}

#[test]
fn tariff_industry_is_a_tariff_the_catalogue_does_not_give_the_class_and_industry() {
    let p = Project::open_read_only(audited()).unwrap();
    let min_kva = param("two_part_tariff", "min_kva");
    let catalogue = rows(
        &p,
        "SELECT tariff_code, customer_class, coalesce(industry_prefix, ''), coalesce(basic_price, 0) FROM tariffs",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, f64>(3)?,
            ))
        },
    );
    // Single-part tariffs of classes that also have a two-part one: a large account on one
    // is two_part_tariff's finding (documented exclusion).
    let single_part: BTreeSet<&str> = catalogue
        .iter()
        .filter(|(_, class, _, basic)| {
            *basic == 0.0 && catalogue.iter().any(|(_, c, _, b)| c == class && *b > 0.0)
        })
        .map(|(code, ..)| code.as_str())
        .collect();
    let ours: BTreeSet<String> = rows(
        &p,
        "SELECT customer_id, status, customer_class, industry_code, tariff_code, capacity_kva FROM customers",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<f64>>(5)?,
            ))
        },
    )
    .into_iter()
    .filter(|(_, status, class, industry, tariff, kva)| {
        let tariff = tariff.as_deref().unwrap_or("");
        let allowed = catalogue.iter().any(|(code, c, prefix, _)| {
            c == class
                && code == tariff
                && (prefix.is_empty() || industry.as_deref().is_none_or(|i| i.starts_with(prefix.as_str())))
        });
        let two_parts_finding = single_part.contains(tariff) && kva.is_some_and(|k| k >= min_kva);
        status == "normal" && !allowed && !two_parts_finding
    })
    .map(|(c, ..)| c)
    .collect();
    assert!(ours.len() > 3);
    same_entities("tariff_industry", &ours, &p);
}

#[test]
fn new_customer_is_no_consumption_in_the_first_months_or_far_above_capacity() {
    let p = Project::open_read_only(audited()).unwrap();
    let (n, ratio) = (
        param("new_customer", "months") as usize,
        param("new_customer", "max_ratio"),
    );
    let bills = rows(&p, "SELECT customer_id, billing_month, kwh FROM bills", |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, NaiveDate>(1)?,
            r.get::<_, f64>(2)?,
        ))
    });
    let first_data = bills.iter().map(|b| b.1).min().unwrap();
    let last_data = bills
        .iter()
        .map(|b| b.1)
        .filter(|m| *m <= month(TO))
        .max()
        .unwrap();
    let mut by_customer: HashMap<&str, Vec<(NaiveDate, f64)>> = HashMap::new();
    for (c, m, k) in &bills {
        by_customer.entry(c).or_default().push((*m, *k));
    }
    let mut ours = BTreeSet::new();
    for (c, status, opened, kva) in rows(
        &p,
        "SELECT customer_id, status, opened_on, capacity_kva FROM customers",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, NaiveDate>(2)?,
                r.get::<_, f64>(3)?,
            ))
        },
    ) {
        let Some(mut bs) = by_customer.get(c.as_str()).cloned() else {
            continue;
        };
        if opened < first_data || status != "normal" {
            continue;
        }
        bs.sort_by_key(|b| b.0);
        bs.truncate(n);
        // Judged once the first months are all there, or on what there is when the data
        // ends before them.
        if bs.len() != n && bs.last().map(|b| b.0) != Some(last_data) {
            continue;
        }
        let all_zero = bs.iter().all(|b| b.1 == 0.0);
        let far_above = bs.iter().any(|b| b.1 > ratio * kva * 24.0 * 31.0);
        if all_zero || far_above {
            ours.insert((c, Some(bs[0].0)));
        }
    }
    assert!(ours.len() > 3);
    same_months("new_customer", &ours, &p);
}

#[test]
fn expansion_overdue_is_handling_in_working_days_less_pauses_over_the_class_limit() {
    let p = Project::open_read_only(audited()).unwrap();
    let limit = |class: &str, voltage: &str, dual: bool| -> i64 {
        // DOMAIN.md commitments (the rule's parameters, not changed in this project).
        let name = if class == "residential" {
            "limit_residential"
        } else if matches!(voltage, "220V" | "380V") {
            "limit_low_voltage"
        } else if dual {
            "limit_dual_supply"
        } else {
            "limit_high_voltage"
        };
        param("expansion_overdue", name) as i64
    };
    type App = (
        String,
        String,
        String,
        Option<bool>,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
        Option<f64>,
    );
    let apps: Vec<App> = rows(
        &p,
        "SELECT application_id, customer_class, voltage, dual_supply, accepted_at, energised_at, pause_days \
         FROM applications WHERE accepted_at IS NOT NULL",
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    );
    let data_end = apps.iter().map(|a| a.4.date()).max().unwrap();
    let ours: BTreeSet<(String, Option<NaiveDate>)> = apps
        .iter()
        .filter_map(|(id, class, voltage, dual, accepted, energised, pause)| {
            let end = energised.map(|e| e.date()).unwrap_or(data_end);
            // Monday to Friday from acceptance up to (not including) the end day.
            let working = accepted
                .date()
                .iter_days()
                .take_while(|d| *d < end)
                .filter(|d| d.weekday().number_from_monday() <= 5)
                .count() as i64;
            let handling = (working - pause.unwrap_or(0.0) as i64).max(0);
            let period = end.with_day0(0).unwrap();
            // The run keeps suspects of the audited months (docs/rules.md).
            (handling > limit(class, voltage, dual.unwrap_or(false)) && period <= month(TO))
                .then(|| (id.clone(), Some(period)))
        })
        .collect();
    assert!(ours.len() > 3);
    same_months("expansion_overdue", &ours, &p);
}

#[test]
fn utilisation_is_kwh_over_capacity_hours_above_one_most_months_or_idle_on_a_large_capacity() {
    let p = Project::open_read_only(audited()).unwrap();
    let v = |n: &str| param("utilisation", n);
    let (max_ratio, idle_min_kva, idle_ratio, min_share, high_avg) = (
        v("max_ratio"),
        v("idle_min_kva"),
        v("idle_ratio"),
        v("min_share_pct") / 100.0,
        v("high_avg_ratio"),
    );
    let all = accounts(&p);
    let info: HashMap<String, (String, f64)> = rows(
        &p,
        "SELECT customer_id, customer_class, coalesce(capacity_kva, 0) FROM customers",
        |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))),
    )
    .into_iter()
    .collect();
    let mut series: BTreeMap<String, Vec<(NaiveDate, f64)>> = BTreeMap::new();
    for (c, m, kwh) in rows(&p, "SELECT customer_id, billing_month, kwh FROM bills", |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, NaiveDate>(1)?,
            r.get::<_, f64>(2)?,
        ))
    }) {
        if m >= month(FROM) && m <= month(TO) {
            series.entry(c).or_default().push((m, kwh));
        }
    }
    let mut ours = BTreeSet::new();
    for (c, mut bills) in series {
        let a = &all[&c];
        let (class, kva) = &info[&c];
        let expected = if a.wiring == "direct" {
            1.0
        } else {
            a.ct.unwrap_or(1.0) * a.pt.unwrap_or(1.0)
        };
        // Documented exclusions: residential capacity is nominal, and a wrong multiplier's
        // kWh is the multiplier rule's.
        if a.status != "normal"
            || class == "residential"
            || *kva <= 0.0
            || a.multiplier.is_some_and(|m| (m - expected).abs() > 0.001 * m)
        {
            continue;
        }
        bills.sort_by_key(|b| b.0);
        let ratios: Vec<f64> = bills
            .iter()
            .map(|(m, kwh)| {
                let hours =
                    24.0 * (m.checked_add_months(chrono::Months::new(1)).unwrap() - *m).num_days() as f64;
                kwh / (kva * hours)
            })
            .collect();
        let n = ratios.len() as f64;
        let avg = ratios.iter().sum::<f64>() / n;
        let share_above = ratios.iter().filter(|r| **r > max_ratio).count() as f64 / n;
        // A sudden step between two months is kwh_jump's (documented exclusion).
        let max_step = bills
            .windows(2)
            .filter(|w| w[0].1 != 0.0)
            .map(|w| (w[1].1 / w[0].1 - 1.0).abs())
            .fold(0.0, f64::max);
        let above = (share_above >= min_share || avg > high_avg) && max_step <= v("max_step_pct") / 100.0;
        let idle = *kva >= idle_min_kva && ratios.len() >= 6 && avg < idle_ratio;
        if above || idle {
            ours.insert(c);
        }
    }
    assert!(ours.len() > 3);
    same_entities("utilisation", &ours, &p);
}

#[test]
fn key_drop_is_a_key_customers_quarter_down_on_the_same_quarter_a_year_before() {
    let p = Project::open_read_only(audited()).unwrap();
    let (drop, top_n, step_max) = (
        param("key_drop", "drop_pct") / 100.0,
        param("key_drop", "top_n") as usize,
        param("key_drop", "step_pct") / 100.0,
    );
    let bills = rows(&p, "SELECT customer_id, billing_month, kwh FROM bills", |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, NaiveDate>(1)?,
            r.get::<_, f64>(2)?,
        ))
    });
    let customers = rows(
        &p,
        "SELECT customer_id, coalesce(is_key, false), capacity_kva FROM customers WHERE status = 'normal'",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, Option<f64>>(2)?,
            ))
        },
    );
    // Key customers: flagged, or among the top N by kWh (the audited months and the two
    // years before their end) or by capacity; ties share a rank.
    let volume_from = month(FROM) - chrono::Months::new(24);
    let mut volume: HashMap<&str, f64> = HashMap::new();
    for (c, m, kwh) in &bills {
        if *m > volume_from && *m <= month(TO) {
            *volume.entry(c).or_default() += kwh;
        }
    }
    let rank = |values: Vec<Option<f64>>| -> Vec<usize> {
        values
            .iter()
            .map(|v| match v {
                Some(x) => 1 + values.iter().filter(|o| o.is_some_and(|y| y > *x)).count(),
                None => 1 + values.iter().filter(|o| o.is_some()).count(),
            })
            .collect()
    };
    let by_volume = rank(
        customers
            .iter()
            .map(|(c, ..)| volume.get(c.as_str()).copied())
            .collect(),
    );
    let by_capacity = rank(customers.iter().map(|(_, _, k)| *k).collect());
    let key: BTreeSet<&str> = customers
        .iter()
        .enumerate()
        .filter(|(i, (_, is_key, _))| *is_key || by_volume[*i].min(by_capacity[*i]) <= top_n)
        .map(|(_, (c, ..))| c.as_str())
        .collect();
    let mut series: BTreeMap<&str, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for (c, m, kwh) in &bills {
        if key.contains(c.as_str()) && *m <= month(TO) {
            *series.entry(c).or_default().entry(*m).or_default() += kwh;
        }
    }
    let mut ours = BTreeSet::new();
    for (c, months) in series {
        let list: Vec<(NaiveDate, f64)> = months.iter().map(|(m, k)| (*m, *k)).collect();
        let back = |m: NaiveDate, n: u32| m - chrono::Months::new(n);
        let in_range =
            |from: NaiveDate, to: NaiveDate| list.iter().filter(move |(m, _)| *m >= from && *m <= to);
        let mut was_hit = false;
        for (i, (m, _)) in list.iter().enumerate() {
            let quarter: Vec<f64> = in_range(back(*m, 2), *m).map(|(_, k)| *k).collect();
            let year_ago: Vec<f64> = in_range(back(*m, 14), back(*m, 12)).map(|(_, k)| *k).collect();
            let lowest = in_range(back(*m, 14), *m)
                .map(|(_, k)| *k)
                .fold(f64::MAX, f64::min);
            // The largest month-to-month change over the last 16 months of data.
            let max_step = (i.saturating_sub(15)..=i)
                .filter(|j| *j > 0 && list[j - 1].1 != 0.0)
                .map(|j| (list[j].1 / list[j - 1].1 - 1.0).abs())
                .fold(0.0, f64::max);
            let (q, q_ago) = (quarter.iter().sum::<f64>(), year_ago.iter().sum::<f64>());
            let hit = quarter.len() == 3
                && year_ago.len() == 3
                && q_ago > 0.0
                && lowest > 0.0
                && q < q_ago * (1.0 - drop)
                && max_step <= step_max;
            if hit && !was_hit && *m >= month(FROM) {
                ours.insert((c.to_string(), Some(*m)));
            }
            was_hit = hit;
        }
    }
    assert!(!ours.is_empty());
    same_months("key_drop", &ours, &p);
}

#[test]
fn zero_kwh_is_a_run_of_zero_months_not_new_not_at_a_meter_exchange_not_a_seasonal_rest() {
    let p = Project::open_read_only(audited()).unwrap();
    let min_months = param("zero_kwh", "min_months") as usize;
    let normal: BTreeSet<String> = rows(
        &p,
        "SELECT customer_id FROM customers WHERE status = 'normal'",
        |r| r.get(0),
    )
    .into_iter()
    .collect();
    let mut bills: BTreeMap<String, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for (c, m, kwh) in rows(&p, "SELECT customer_id, billing_month, kwh FROM bills", |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, NaiveDate>(1)?,
            r.get::<_, f64>(2)?,
        ))
    }) {
        bills.entry(c).or_default().insert(m, kwh);
    }
    // Months whose read names another meter than the read of the month before.
    let mut exchanges: HashMap<String, BTreeSet<NaiveDate>> = HashMap::new();
    let mut reads = rows(
        &p,
        "SELECT customer_id, billing_month, meter_asset_no FROM meter_reads",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, NaiveDate>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        },
    );
    reads.sort();
    for w in reads.windows(2) {
        if w[0].0 == w[1].0 && w[1].1 <= month(TO) && w[0].2.is_some() && w[0].2 != w[1].2 {
            exchanges.entry(w[1].0.clone()).or_default().insert(w[1].1);
        }
    }
    let year = |m: NaiveDate| m - chrono::Months::new(12);
    let mut ours = BTreeSet::new();
    for (c, months) in &bills {
        if !normal.contains(c) {
            continue;
        }
        let first_bill = *months.keys().next().unwrap();
        // Runs of consecutive calendar months billed with no kWh.
        let zeros: Vec<NaiveDate> = months
            .iter()
            .filter(|(m, k)| **k == 0.0 && **m <= month(TO))
            .map(|(m, _)| *m)
            .collect();
        let mut runs: Vec<Vec<NaiveDate>> = Vec::new();
        for m in zeros {
            match runs.last_mut() {
                Some(run) if *run.last().unwrap() + chrono::Months::new(1) == m => run.push(m),
                _ => runs.push(vec![m]),
            }
        }
        for run in runs.into_iter().filter(|r| r.len() >= min_months) {
            let (first, last) = (run[0], *run.last().unwrap());
            if first == first_bill {
                continue; // new_customer's
            }
            let exchanged = exchanges.get(c).is_some_and(|x| {
                x.iter()
                    .any(|m| *m >= first - chrono::Months::new(1) && *m <= last)
            });
            if exchanged {
                continue;
            }
            // Seasonal rest: the same months a year before were (nearly) without consumption,
            // against the average of the year before the run.
            let before: Vec<f64> = months.range(year(first)..first).map(|(_, k)| *k).collect();
            let explained = if before.is_empty() {
                0
            } else {
                let avg = before.iter().sum::<f64>() / before.len() as f64;
                months
                    .range(year(first)..=year(last))
                    .filter(|(_, k)| **k <= 0.05 * avg)
                    .count()
            };
            if run.len() - explained.min(run.len()) >= min_months {
                ours.insert((c.clone(), Some(first)));
            }
        }
    }
    assert!(ours.len() > 3);
    same_months("zero_kwh", &ours, &p);
}

#[test]
fn kwh_jump_is_a_change_beyond_the_threshold_and_beyond_the_expected_seasonal_change() {
    let p = Project::open_read_only(audited()).unwrap();
    let (t, floor) = (
        param("kwh_jump", "threshold_pct") / 100.0,
        param("kwh_jump", "floor_kwh"),
    );
    let (from, to) = (month(FROM), month(TO));
    let back = |m: NaiveDate, n: u32| m - chrono::Months::new(n);
    // kWh per account and month, from 14 months before the audited ones.
    let mut kwh: BTreeMap<String, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for (c, m, k) in rows(&p, "SELECT customer_id, billing_month, kwh FROM bills", |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, NaiveDate>(1)?,
            r.get::<_, f64>(2)?,
        ))
    }) {
        if m >= back(from, 14) && m <= to {
            *kwh.entry(c).or_default().entry(m).or_default() += k;
        }
    }
    // Part months: opening, change of status, meter exchange.
    let mut part: HashMap<String, BTreeSet<NaiveDate>> = HashMap::new();
    for (c, opened, status_date) in rows(
        &p,
        "SELECT customer_id, opened_on, status_date FROM customers",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<NaiveDate>>(1)?,
                r.get::<_, Option<NaiveDate>>(2)?,
            ))
        },
    ) {
        for d in [opened, status_date].into_iter().flatten() {
            part.entry(c.clone()).or_default().insert(d.with_day0(0).unwrap());
        }
    }
    let mut reads = rows(
        &p,
        "SELECT customer_id, billing_month, meter_asset_no FROM meter_reads",
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, NaiveDate>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        },
    );
    reads.retain(|r| r.1 >= back(from, 15) && r.1 <= to);
    reads.sort();
    for w in reads.windows(2) {
        if w[0].0 == w[1].0 && w[0].2.is_some() && w[0].2 != w[1].2 {
            part.entry(w[1].0.clone()).or_default().insert(w[1].1);
        }
    }
    let class: HashMap<String, String> = rows(&p, "SELECT customer_id, customer_class FROM customers", |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .into_iter()
    .collect();
    let increases: HashMap<String, Vec<NaiveDate>> = {
        let mut m: HashMap<String, Vec<NaiveDate>> = HashMap::new();
        for (c, at) in rows(
            &p,
            "SELECT customer_id, energised_at FROM applications WHERE app_type = 'increase' AND energised_at IS NOT NULL",
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, chrono::NaiveDateTime>(1)?)),
        ) {
            m.entry(c).or_default().push(at.date());
        }
        m
    };
    struct Month {
        m: NaiveDate,
        kwh: f64,
        prev: Option<f64>,
        yago: Option<f64>,
        mom: Option<f64>,
        own_last_year: Option<f64>,
        yoy: Option<f64>,
    }
    let mut all: BTreeMap<&str, Vec<Month>> = BTreeMap::new();
    for (c, months) in &kwh {
        let odd = |m: NaiveDate| part.get(c).is_some_and(|s| s.contains(&m));
        let list: Vec<(NaiveDate, f64)> = months.iter().map(|(m, k)| (*m, *k)).collect();
        let mut out = Vec::new();
        for (i, (m, k)) in list.iter().enumerate() {
            // The row n rows back, when it is exactly n months back and a full month.
            let at = |n: usize| {
                i.checked_sub(n)
                    .map(|j| list[j])
                    .filter(|(pm, _)| *pm == back(*m, n as u32) && !odd(*pm))
                    .map(|(_, pk)| pk)
            };
            let prev = i.checked_sub(1).map(|j| list[j]);
            let mom = prev.and_then(|(pm, pk)| {
                (!odd(*m) && !odd(pm) && pm == back(*m, 1) && *k > 0.0 && pk > 0.0).then(|| k / pk)
            });
            let (yago, yago_prev) = (at(12), at(13));
            out.push(Month {
                m: *m,
                kwh: *k,
                prev: prev.map(|(_, pk)| pk),
                yago,
                mom,
                own_last_year: match (yago, yago_prev) {
                    (Some(a), Some(b)) if a > 0.0 && b > 0.0 => Some(a / b),
                    _ => None,
                },
                yoy: yago.filter(|y| !odd(*m) && *k > 0.0 && *y > 0.0).map(|y| k / y),
            });
        }
        all.insert(c, out);
    }
    // The class's median month-on-month change, exact (the rule takes it from a histogram
    // of log ratios in steps of 0.01).
    let mut changes: HashMap<(&str, NaiveDate), Vec<f64>> = HashMap::new();
    for (c, months) in &all {
        for mo in months {
            if let Some(r) = mo.mom.filter(|r| *r > 0.0) {
                changes.entry((class[*c].as_str(), mo.m)).or_default().push(r);
            }
        }
    }
    let class_ratio: HashMap<(&str, NaiveDate), f64> = changes
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(f64::total_cmp);
            (k, v[(v.len() - 1) / 2])
        })
        .collect();
    let mut ours = BTreeSet::new();
    for (c, months) in &all {
        let mut was_hit = false;
        let mut prev_yoy: Option<f64> = None;
        for mo in months {
            let expected = mo
                .own_last_year
                .or(class_ratio.get(&(class[*c].as_str(), mo.m)).copied())
                .unwrap_or(1.0);
            let mom_hit = mo.mom.is_some_and(|r| {
                mo.kwh.max(mo.prev.unwrap_or(f64::MIN)) >= floor
                    && (r - 1.0).abs() > t
                    && (r / expected - 1.0).abs() > t
            });
            let yoy_hit = mo.yoy.is_some_and(|r| {
                mo.kwh.max(mo.yago.unwrap_or(f64::MIN)) >= floor
                    && (r - 1.0).abs() > t
                    && prev_yoy.is_some_and(|p| p > 0.0 && (r / p - 1.0).abs() > t / 2.0)
            });
            let hit = mom_hit || yoy_hit;
            let increased = increases.get(*c).is_some_and(|ds| {
                ds.iter()
                    .any(|d| *d >= back(mo.m, 13) && *d < mo.m + chrono::Months::new(1))
            });
            if hit && !was_hit && mo.m >= from && mo.m <= to && !increased {
                ours.insert((c.to_string(), Some(mo.m)));
            }
            was_hit = hit;
            prev_yoy = mo.yoy;
        }
    }
    assert!(ours.len() > 10);
    same_months("kwh_jump", &ours, &p);
}
