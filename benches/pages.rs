//! Page refresh benchmark (release mode): what the app's jobs compute when the period or the
//! org unit changes, on a big project.
//!
//!   cargo bench --bench pages -- --project P     # an existing project (e.g. 1M customers)
//!   cargo bench --bench pages                    # the 1M-customer project of the audit bench
//!
//! For each page it times the job's work (the indicator sums are built first, once) over 20
//! scope changes (month x unit) and prints the median, p95 and max.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Months, NaiveDate};
use mams::metrics::{bulletin, change, kpi};
use mams::store::{Project, market, queries, service};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let path = match args.iter().position(|a| a == "--project") {
        Some(i) => PathBuf::from(&args[i + 1]),
        None => std::env::temp_dir().join("mams-bench/audit-1000000/project.duckdb"),
    };
    let p = Project::open(&path).expect("open the project (run the audit bench first to build one)");
    let t = Instant::now();
    mams::store::kpi::ensure_sums(&p).unwrap();
    println!(
        "{}: indicator sums ready in {:.1} s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    let tree = queries::org_tree(&p).unwrap();
    let months = queries::months(&p).unwrap();
    let top = tree
        .iter()
        .find(|u| u.parent_id.is_none())
        .unwrap()
        .unit_id
        .clone();
    let cities: Vec<String> = tree
        .iter()
        .filter(|u| u.level == "city")
        .map(|u| u.unit_id.clone())
        .collect();
    let below = |u: &str| queries::units_below(&tree, u);
    let mut scopes: Vec<(String, NaiveDate)> = Vec::new();
    for i in 0..20 {
        let unit = if i % 2 == 0 {
            top.clone()
        } else {
            cities[i % cities.len()].clone()
        };
        scopes.push((unit, months[months.len() - 1 - (i % 12)]));
    }
    type Case<'a> = (&'a str, Box<dyn Fn(&str, NaiveDate) + 'a>);
    let cases: Vec<Case> = vec![
        (
            "Views for Leaders",
            Box::new(|u: &str, m| {
                kpi::cards_and_slices(&p, m, u, &below(u)).unwrap();
            }),
        ),
        (
            "Bulletin Board",
            Box::new(|u: &str, m| {
                let per = kpi::cards_of_units(&p, m, &below(u), None).unwrap();
                let r = bulletin::rank(per);
                bulletin::breaches(&r);
            }),
        ),
        (
            "Service quality",
            Box::new(|u: &str, m| {
                mams::metrics::service::report(&p, u, m, &below(u), &mams::progress::Progress::new())
                    .unwrap();
            }),
        ),
        (
            "  of which the units' cards",
            Box::new(|u: &str, m| {
                kpi::cards_of_units(&p, m, &below(u), Some(&mams::metrics::service::UNIT_INDICATORS))
                    .unwrap();
            }),
        ),
        (
            "  of which reliability (the system's days of 5 years and more)",
            Box::new(|u: &str, m| {
                mams::metrics::service::reliability(&p, u, m).unwrap();
            }),
        ),
        (
            "  of which tickets and repeat complainers",
            Box::new(|u: &str, m| {
                service::tickets_by_type(&p, u, m).unwrap();
                service::repeat_complainers(&p, u, m).unwrap();
            }),
        ),
        (
            "Key market",
            Box::new(|u: &str, m| {
                market::key_customers(&p, u, m, 20).unwrap();
                market::funnel(&p, u, m).unwrap();
                market::handling(&p, u, m).unwrap();
                market::overdue(&p, u, m).unwrap();
                market::composition(&p, u, m).unwrap();
                market::collection_curves(&p, u, m, m - Months::new(1)).unwrap();
                market::arrears_by_age(&p, u, m).unwrap();
            }),
        ),
        (
            "  of which the largest customers",
            Box::new(|u: &str, m| {
                market::key_customers(&p, u, m, 20).unwrap();
            }),
        ),
        (
            "  of which the funnel and handling times",
            Box::new(|u: &str, m| {
                market::funnel(&p, u, m).unwrap();
                market::handling(&p, u, m).unwrap();
            }),
        ),
        (
            "  of which overdue and composition",
            Box::new(|u: &str, m| {
                market::overdue(&p, u, m).unwrap();
                market::composition(&p, u, m).unwrap();
            }),
        ),
        (
            "  of which the collection curves",
            Box::new(|u: &str, m| {
                market::collection_curves(&p, u, m, m - Months::new(1)).unwrap();
            }),
        ),
        (
            "  of which arrears by age",
            Box::new(|u: &str, m| {
                market::arrears_by_age(&p, u, m).unwrap();
            }),
        ),
        (
            "Map (the scene)",
            Box::new(|u: &str, m| {
                mams::geo::scene::load(&p, u, m, &mams::progress::Progress::new()).unwrap();
            }),
        ),
        (
            "Why did this change? (collection rate)",
            Box::new(|u: &str, m| {
                change::explain(&p, "collection_rate", u, &below(u), m - Months::new(1), m).unwrap();
            }),
        ),
    ];
    for (name, f) in &cases {
        let mut times = Vec::new();
        for (u, m) in &scopes {
            let t = Instant::now();
            // As the app's jobs: whether the prebuilt sums are current is checked once a page.
            mams::store::kpi::with_sums_checked_once(&p, || f(u, *m));
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let first = times[0];
        times.sort_by(f64::total_cmp);
        println!(
            "{name:<40} first {first:>7.0} ms   median {:>7.0} ms   p95 {:>7.0} ms   max {:>7.0} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times[times.len() - 1]
        );
    }
}
