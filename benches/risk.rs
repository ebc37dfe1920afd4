//! Risk benchmark (release mode), on the 1M-customer project of the audit bench.
//!
//!   cargo bench --bench risk                  # the 1M project
//!   cargo bench --bench risk -- --project P   # another project
//!
//! Issue 19: the levels of every unit and risk point (every month; the issue asks for one)
//! under 5 s after an audit run; the Risk page refreshes within 300 ms (p95). An audit run
//! is stood in for by what it leaves behind: a new run id, so the levels are stale.

use std::path::PathBuf;
use std::time::Instant;

use mams::progress::Progress;
use mams::risk::{compute, report};
use mams::store::{Project, queries};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn p95(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * 0.95).ceil() as usize).min(v.len()) - 1]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let path = match args.iter().position(|a| a == "--project") {
        Some(i) => PathBuf::from(&args[i + 1]),
        None => std::env::temp_dir().join("mams-bench/audit-1000000/project.duckdb"),
    };
    let Ok(p) = Project::open(&path) else {
        println!(
            "{}: no project (run the audit bench first to build one)",
            path.display()
        );
        return;
    };
    let suspects: i64 = p
        .conn()
        .query_row("SELECT count(*) FROM audit_suspects", [], |r| r.get(0))
        .unwrap();
    let customers: i64 = p
        .conn()
        .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    println!("{}: {customers} customers, {suspects} suspects", path.display());

    let mut runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let c = compute::refresh(&p, &Progress::new())
            .unwrap()
            .expect("the project has data");
        runs.push(t.elapsed().as_secs_f64());
        println!(
            "levels: {} rows ({} points x {} units x {} months), {} changed, {:.2} s",
            c.rows,
            c.points,
            c.units,
            c.months,
            c.changed,
            t.elapsed().as_secs_f64()
        );
    }
    runs.sort_by(f64::total_cmp);
    println!("levels after an audit run: median {:.2} s", runs[1]);

    let tree = queries::org_tree(&p).unwrap();
    let months = queries::months(&p).unwrap();
    let top = tree
        .iter()
        .find(|u| u.parent_id.is_none())
        .unwrap()
        .unit_id
        .clone();
    let mut units = vec![top];
    units.extend(
        tree.iter()
            .filter(|u| u.level == "city")
            .map(|u| u.unit_id.clone()),
    );
    let mut times = Vec::new();
    let mut details = Vec::new();
    for round in 0..3 {
        for (i, u) in units.iter().enumerate() {
            let period = months[months.len() - 1 - (i + round) % 6];
            let below = queries::units_below(&tree, u);
            let t = Instant::now();
            let o = report::overview(&p, u, period, &below, &Progress::new()).unwrap();
            times.push(ms(t));
            assert!(o.computed.is_none(), "the levels were current");
            let t = Instant::now();
            report::point_detail(&p, "metering.multiplier_error", u).unwrap();
            details.push(ms(t));
        }
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "page refresh: overview p95 {:.0} ms (median {:.0} ms, {} reads); a risk point's detail p95 {:.0} ms",
        p95(times),
        sorted[sorted.len() / 2],
        sorted.len(),
        p95(details)
    );
}
