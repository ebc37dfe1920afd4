//! Helpers shared by the benchmarks (each bench is its own crate; included with #[path]).
#![allow(dead_code)] // each bench uses some of them

use std::path::PathBuf;
use std::time::Instant;

use mams::progress::Progress;
use mams::sample::{self, SampleSpec};

/// Peak resident memory of this process so far, MB (Linux: VmHWM).
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// A project of `customers` generated customers x 24 months, built once and kept under the
/// temp folder (`mams-bench/audit-N`), reused by later runs of the same size.
pub fn project_of_size(customers: u64) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("mams-bench")
        .join(format!("audit-{customers}"));
    let path = dir.join("project.duckdb");
    if path.exists() {
        return path;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let extracts = dir.join("extracts");
    let spec = SampleSpec {
        customers,
        ..sample::COMMITTED
    };
    let t = Instant::now();
    sample::generate(&spec, &extracts, &Progress::new()).unwrap();
    println!(
        "generated {customers} customers x {} months in {:.1} s",
        spec.months,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let building = dir.join("building.duckdb");
    mams::import::build_project(&building, &extracts, &Progress::new()).unwrap();
    std::fs::rename(&building, &path).unwrap();
    let _ = std::fs::remove_dir_all(&extracts);
    println!("built the project in {:.1} s", t.elapsed().as_secs_f64());
    path
}
