//! Bulletins benchmark (release mode), on the 1M-customer project of the audit bench.
//!
//!   cargo bench --bench bulletins                  # the 1M project
//!   cargo bench --bench bulletins -- --project P   # another project
//!
//! Issue 17: the monthly analysis of the province as PDF and as DOCX under 10 s (most of it
//! reading the prebuilt sums); the daily brief under 2 s. Each is timed from an open
//! project: building the document (the queries) and writing each format, three runs, the
//! median; and a city's monthly analysis beside the province's.

use std::path::PathBuf;
use std::time::Instant;

use mams::bulletins::publish::{self, Format};
use mams::bulletins::{self, Kind};
use mams::progress::Progress;
use mams::store::{Project, queries};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let path = match args.iter().position(|a| a == "--project") {
        Some(i) => PathBuf::from(&args[i + 1]),
        None => std::env::temp_dir().join("mams-bench/audit-1000000/project.duckdb"),
    };
    let t = Instant::now();
    let Ok(p) = Project::open(&path) else {
        println!(
            "{}: no project (run the audit bench first to build one)",
            path.display()
        );
        return;
    };
    mams::store::kpi::ensure_sums(&p).unwrap();
    println!("{}: opened in {:.0} ms", path.display(), ms(t));
    let months = queries::months(&p).unwrap();
    let last = months.last().unwrap().format("%Y-%m").to_string();
    let tree = queries::org_tree(&p).unwrap();
    let city = tree.iter().find(|u| u.level == "city").map(|u| u.unit_id.clone());
    let end = mams::store::activity::table_reach(&p)
        .unwrap()
        .into_iter()
        .filter(|(t, _)| *t == "tickets")
        .find_map(|(_, d)| d)
        .unwrap();
    let day = end.to_string();
    println!("the city: {city:?}");
    let cases: Vec<(&str, Kind, String, Option<String>)> = vec![
        ("monthly, province", Kind::Monthly, last.clone(), None),
        ("monthly, a city", Kind::Monthly, last, city.clone()),
        ("daily brief, province", Kind::Daily, day, None),
    ];
    for (name, kind, period, unit) in cases {
        let (mut build, mut pdf, mut docx, mut html) = (vec![], vec![], vec![], vec![]);
        let mut first = String::new();
        for run in 0..3 {
            // The time each section starts, from the progress the builder reports.
            let marks = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, Instant)>::new()));
            let m2 = marks.clone();
            let progress = Progress::new()
                .with_listener(move |s| m2.lock().unwrap().push((s.message.en.clone(), Instant::now())));
            let t = Instant::now();
            let doc = bulletins::make(&p, kind, &period, unit.as_deref(), &progress).unwrap();
            build.push(ms(t));
            if run == 0 {
                let marks = marks.lock().unwrap();
                let mut parts = Vec::new();
                for (i, (what, at)) in marks.iter().enumerate() {
                    let next = marks.get(i + 1).map(|m| m.1).unwrap_or_else(Instant::now);
                    parts.push(format!(
                        "{} {:.0}",
                        what.trim_start_matches("writing "),
                        (next - *at).as_secs_f64() * 1000.0
                    ));
                }
                first = format!("first build {:.0} ms: {}", build[0], parts.join(", "));
            }
            for (format, times) in [
                (Format::Pdf, &mut pdf),
                (Format::Docx, &mut docx),
                (Format::Html, &mut html),
            ] {
                let t = Instant::now();
                let bytes = publish::export(&doc, format, true).unwrap();
                assert!(!bytes.is_empty());
                times.push(ms(t));
            }
        }
        let cold_pdf = pdf[0];
        let (b, p1, d1, h1) = (median(build), median(pdf), median(docx), median(html));
        println!("{name}: {first}; first PDF {cold_pdf:.0} ms");
        println!(
            "{name} ({period}): build {b:.0} ms; PDF {p1:.0} ms (total {:.0} ms); DOCX {d1:.0} ms (total {:.0} ms); HTML {h1:.0} ms",
            b + p1,
            b + d1
        );
    }
}
