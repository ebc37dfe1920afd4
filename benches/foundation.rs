//! Foundation benchmarks (release mode, generated data):
//!
//!   cargo bench --bench foundation                       # all cases, default sizes
//!   cargo bench --bench foundation -- generate 1000000   # one case
//!
//! Each case runs in its own child process so that its peak memory (VmHWM) is its own.
//! Cases:
//! - `generate N`: `mams sample` with N customers x 24 months (time, peak memory);
//! - `build-sample`: building a project from the committed `sample-db/` (target < 10 s);
//! - `open-app`: the app on an existing sample project, headless: time to the first frame
//!   and to the overview filled with the project's numbers (target < 1 s), peak memory.

#[path = "support/mod.rs"]
mod support;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use support::peak_rss_mb;

use mams::progress::Progress;
use mams::sample::{self, SampleSpec};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join("mams-bench").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn sample_db() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db")
}

fn report(case: &str, seconds: f64, extra: &str) {
    println!(
        "{case:<28} {seconds:>8.2} s   peak RSS {:>7.1} MB   {extra}",
        peak_rss_mb()
    );
}

fn case_generate(customers: u64) {
    let out = scratch(&format!("generate-{customers}"));
    let spec = SampleSpec {
        customers,
        ..sample::COMMITTED
    };
    let t = Instant::now();
    let m = sample::generate(&spec, &out, &Progress::new()).unwrap();
    let rows: u64 = m.tables.iter().map(|f| f.rows).sum();
    let bytes: u64 = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    report(
        &format!("generate {customers} x 24"),
        t.elapsed().as_secs_f64(),
        &format!("{rows} rows, {:.0} MB of Parquet", bytes as f64 / 1e6),
    );
    let _ = std::fs::remove_dir_all(&out);
}

fn case_build_sample() {
    let dir = scratch("build-sample");
    let path = dir.join("sample.duckdb");
    let t = Instant::now();
    let (_, r) = mams::import::build_project(&path, &sample_db(), &Progress::new()).unwrap();
    let rows: u64 = r.tables.iter().map(|(_, n)| n).sum();
    report(
        "build sample project",
        t.elapsed().as_secs_f64(),
        &format!("{rows} rows"),
    );
}

fn case_open_app() {
    use egui_kittest::Harness;
    use mams::ui::{AppOptions, MamsApp};
    let dir = scratch("open-app");
    let path = dir.join("sample.duckdb");
    drop(mams::import::build_project(&path, &sample_db(), &Progress::new()).unwrap());
    let options = AppOptions {
        project: Some(path),
        settings_file: None,
        sample_project: dir.join("unused.duckdb"),
        sample_db: None,
        lang: None,
        launched: None,
    };
    let t = Instant::now();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_ui_state(|ui, app: &mut MamsApp| app.ui(ui), MamsApp::new(options));
    h.step();
    let first = t.elapsed().as_secs_f64();
    while h.state().project.is_none() || h.state().scoped.is_none() || h.state().is_busy() {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert!(t.elapsed().as_secs() < 60, "the project never showed");
    }
    h.step();
    report(
        "open app on sample project",
        t.elapsed().as_secs_f64(),
        &format!("first frame after {:.0} ms", first * 1000.0),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.first().map(String::as_str) {
        Some("generate") => case_generate(args.get(1).and_then(|n| n.parse().ok()).unwrap_or(100_000)),
        Some("build-sample") => case_build_sample(),
        Some("open-app") => case_open_app(),
        _ => {
            let me = std::env::current_exe().unwrap();
            for case in [
                vec!["build-sample"],
                vec!["open-app"],
                vec!["generate", "100000"],
                vec!["generate", "1000000"],
            ] {
                let status = Command::new(&me).args(&case).status().unwrap();
                assert!(status.success(), "case {case:?} failed");
            }
        }
    }
}
