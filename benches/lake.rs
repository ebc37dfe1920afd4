//! Lake benchmark (release mode): the leaders' page on a city-year of a province's lake,
//! attached in place (`mams lake attach`), without the prebuilt sums and with them.
//!
//!   cargo bench --bench lake                   # the lake of the 1M-customer audit project
//!   cargo bench --bench lake -- --lake DIR     # an existing lake
//!
//! The lake of the 1M-customer project is written once (under the temp folder) and reused.
//! The slice is the first city and the lake's last twelve months. Each case times what the
//! page's job computes (cards and the slices by unit below) over 20 scope changes (the city
//! and its counties, month after month) and prints the median, p95 and max. Without the
//! prebuilt sums it is timed twice: each scope on a project opened anew (a first view), and
//! the 20 in one session (which keeps what it computed).

#[path = "support/mod.rs"]
mod support;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use mams::lake::{self, Personal, attach};
use mams::metrics::kpi;
use mams::progress::Progress;
use mams::store::{Project, queries};
use support::{peak_rss_mb, project_of_size};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The lake of the 1M-customer project, written once.
fn default_lake() -> PathBuf {
    let dir = std::env::temp_dir().join("mams-bench/lake-1000000/lake");
    if dir.join(lake::MANIFEST).exists() {
        return dir;
    }
    let project = project_of_size(1_000_000);
    let p = Project::open(&project).unwrap();
    let t = Instant::now();
    let _ = std::fs::remove_dir_all(&dir);
    lake::export::export(&p, &dir, Personal::Pseudonymised, &Progress::new()).unwrap();
    println!("lake written in {:.1} s", t.elapsed().as_secs_f64());
    dir
}

/// Times the leaders' page's job over `scopes`: (median, p95, max) in ms. `open`: each scope
/// on a project opened anew (nothing kept from the scopes before), else all in one session.
fn time_page(p: &Project, scopes: &[(String, NaiveDate)], open: Option<&Path>) -> (f64, f64, f64) {
    let tree = queries::org_tree(p).unwrap();
    let mut ms = Vec::new();
    for (unit, month) in scopes {
        let fresh = open.map(|path| Project::open_read_only(path).unwrap());
        let p = fresh.as_ref().unwrap_or(p);
        let t = Instant::now();
        let below = queries::units_below(&tree, unit);
        kpi::cards_and_slices(p, *month, unit, &below).unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        if std::env::var_os("MAMS_BENCH_VERBOSE").is_some() {
            println!("  {unit} {month}: {:.0} ms", ms.last().unwrap());
        }
    }
    ms.sort_by(f64::total_cmp);
    (percentile(&ms, 0.5), percentile(&ms, 0.95), *ms.last().unwrap())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let dir = match args.iter().position(|a| a == "--lake") {
        Some(i) => PathBuf::from(&args[i + 1]),
        None => default_lake(),
    };
    let manifest = lake::read_manifest(&dir).unwrap();
    let (_, last) = manifest.months.clone().expect("a lake with data");
    let last = NaiveDate::parse_from_str(&format!("{last}-01"), "%Y-%m-%d").unwrap();
    let first = last - chrono::Months::new(11);
    let customers = manifest
        .tables
        .iter()
        .find(|t| t.name == "customers")
        .unwrap()
        .rows;
    let bills = manifest.tables.iter().find(|t| t.name == "bills").unwrap().rows;
    println!("{}: {customers} customers, {bills} bills", dir.display());

    let work = std::env::temp_dir().join("mams-bench/lake-attached");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    // The first city of the lake's org tree.
    let org = dir.join("org_units/data_0.parquet");
    let city: String = duckdb::Connection::open_in_memory()
        .unwrap()
        .query_row(
            &format!(
                "SELECT min(unit_id) FROM read_parquet('{}') WHERE level = 'city'",
                org.display()
            ),
            [],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("read the org tree {}: {e}", org.display()));

    let path = work.join("city-year.duckdb");
    let slice = attach::Slice {
        unit: Some(city.clone()),
        from: Some(first),
        to: Some(last),
    };
    let t = Instant::now();
    let a = attach::attach(&path, &dir, &slice, &Progress::new()).unwrap();
    let files: usize = a.tables.iter().map(|t| t.1).sum();
    let rows: u64 = a.tables.iter().map(|t| t.2).sum();
    println!(
        "attached {city} {} to {}: {} units, {files} files, {rows} rows, in {:.1} s",
        a.from,
        a.to,
        a.units,
        t.elapsed().as_secs_f64()
    );

    // 20 scope changes: the city and its units one level down, over the year's months.
    let p = Project::open_read_only(&path).unwrap();
    let tree = queries::org_tree(&p).unwrap();
    let below: Vec<String> = tree
        .iter()
        .filter(|u| u.parent_id.as_deref() == Some(city.as_str()))
        .map(|u| u.unit_id.clone())
        .collect();
    let scopes: Vec<(String, NaiveDate)> = (0..20)
        .map(|i| {
            let unit = if i % 2 == 0 {
                city.clone()
            } else {
                below[i % below.len()].clone()
            };
            (unit, last - chrono::Months::new((i % 12) as u32))
        })
        .collect();

    // Without the prebuilt sums: a project opened read-only with none answers from the
    // data tables, here the lake's files. Each scope alone first (opened anew: what a first
    // view of the page costs), then the scope changes of one session, which keeps what it
    // computed (store::kpi_direct).
    assert!(!mams::store::kpi::sums_current(&p).unwrap());
    let (median, p95, max) = time_page(&p, &scopes, Some(&path));
    println!(
        "Views for Leaders, no prebuilt sums, each scope opened anew: median {median:.0} ms, p95 {p95:.0} ms, max {max:.0} ms"
    );
    let (median, p95, max) = time_page(&p, &scopes, None);
    println!(
        "Views for Leaders, no prebuilt sums, one session:            median {median:.0} ms, p95 {p95:.0} ms, max {max:.0} ms"
    );
    drop(p);

    let p = Project::open(&path).unwrap();
    let t = Instant::now();
    mams::store::kpi::ensure_sums(&p).unwrap();
    println!(
        "prebuilt sums for the slice built in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let (median, p95, max) = time_page(&p, &scopes, None);
    println!(
        "Views for Leaders, prebuilt sums:                             median {median:.0} ms, p95 {p95:.0} ms, max {max:.0} ms"
    );
    println!("peak RSS {:.0} MB", peak_rss_mb());
}
