//! Audit benchmark (release mode, generated data):
//!
//!   cargo bench --bench audit                  # 1M customers x 24 months
//!   cargo bench --bench audit -- 100000        # another size
//!   cargo bench --bench audit -- --project P   # an existing project
//!
//! Builds the project once from a generated sample (kept under the temp folder, reused by
//! later runs of the same size), then runs every rule over the whole 24 months and over
//! the last month, and prints the time of each rule and of the run with its storing.

#[path = "support/mod.rs"]
mod support;
use std::path::PathBuf;
use std::time::Instant;
use support::{peak_rss_mb, project_of_size};

use mams::audit::run::{self, RunSpec};
use mams::progress::Progress;
use mams::store::Project;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let path = match args.iter().position(|a| a == "--project") {
        Some(i) => PathBuf::from(&args[i + 1]),
        None => project_of_size(args.first().and_then(|n| n.parse().ok()).unwrap_or(1_000_000)),
    };
    let p = Project::open(&path).unwrap();
    let months = mams::store::queries::months(&p).unwrap();
    let (first, last) = (*months.first().unwrap(), *months.last().unwrap());
    let top: String = p
        .conn()
        .query_row("SELECT unit_id FROM org_units WHERE parent_id IS NULL", [], |r| {
            r.get(0)
        })
        .unwrap();
    let bills: i64 = p
        .conn()
        .query_row("SELECT count(*) FROM bills", [], |r| r.get(0))
        .unwrap();
    println!("{} : {bills} bills, {} months", path.display(), months.len());
    let (rules, _) = run::library(&p).unwrap();
    for (label, from) in [("all months", first), ("last month", last)] {
        let spec = RunSpec::new(from, last, &top, vec![]);
        let t = Instant::now();
        let report = run::run(&p, &rules, &spec, true, &Progress::new()).unwrap();
        let total = t.elapsed().as_secs_f64();
        println!(
            "\n{label} ({} to {}):",
            from.format("%Y-%m"),
            last.format("%Y-%m")
        );
        for o in &report.outcomes {
            println!(
                "  {:<24} {:>8} suspects {:>7.2} s{}",
                o.rule_id,
                o.suspects,
                o.seconds,
                o.error
                    .as_deref()
                    .map(|e| format!("  FAILED: {e}"))
                    .unwrap_or_default()
            );
        }
        let rules_s: f64 = report.outcomes.iter().map(|o| o.seconds).sum();
        let saved = report.saved.unwrap();
        println!(
            "  all rules {rules_s:.1} s; with storing {} suspects: {total:.1} s; peak RSS {:.0} MB",
            saved.found,
            peak_rss_mb()
        );
    }
}
