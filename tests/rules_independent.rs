//! Rules checked against an independent implementation of their definition, written here
//! in plain Rust over the rows of a noisy sample (`mams sample --noisy`: natural swings,
//! seasonal customers, production changes, accounts with two problems), and compared
//! suspect for suspect with what the rule's SQL finds. A difference is a bug of one of the
//! two, or an exclusion the rule documents (named where it is applied below).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use chrono::NaiveDate;
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
    differences(
        "multiplier",
        &ours.keys().cloned().collect(),
        &theirs.keys().cloned().collect(),
    );
    for (id, amount) in &ours {
        assert!(
            (theirs[id] - amount).abs() < 0.02,
            "{id}: {amount} here, {} by the rule",
            theirs[id]
        );
    }
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
    differences(
        "meter_overdue",
        &ours,
        &suspects(&p, "meter_overdue").keys().cloned().collect(),
    );
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
    differences(
        "duplicate_archive",
        &ours,
        &suspects(&p, "duplicate_archive").keys().cloned().collect(),
    );
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
    differences(
        "tou_share",
        &ours,
        &suspects(&p, "tou_share").keys().cloned().collect(),
    );
}
