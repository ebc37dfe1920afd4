//! Evaluation and benchmarking benchmark (release mode).
//!
//!   cargo bench --bench evaluation                  # DEA of 150 stations, and the 1M project
//!   cargo bench --bench evaluation -- --project P   # another project
//!
//! 1. DEA of 150 stations with 4 inputs and 4 outputs: CCR and BCC, input and output
//!    oriented, with slacks and super-efficiency (issue 16: under 1 s in all).
//! 2. The quarterly evaluation of every unit of the project (each unit's children, from the
//!    top down, so every unit is evaluated once) from the prebuilt sums (under 2 s), and the
//!    page's work per scope (evaluation and benchmark) over 20 scopes: median and p95.

use std::path::PathBuf;
use std::time::Instant;

use mams::evaluation::dea::{self, DeaData, Model, Orientation};
use mams::metrics::{benchmark, evaluate, period::Period};
use mams::store::{Project, queries};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// 150 stations with inputs and outputs of realistic spread (a fixed pseudo-random walk).
fn stations() -> DeaData {
    let mut seed: u64 = 16;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for _ in 0..150 {
        let size = 0.5 + 2.0 * next();
        let i: Vec<f64> = (0..4).map(|_| size * (10.0 + 20.0 * next())).collect();
        let o: Vec<f64> = (0..4)
            .map(|_| size * (5.0 + 15.0 * next()) * (0.6 + 0.4 * next()))
            .collect();
        inputs.push(i);
        outputs.push(o);
    }
    DeaData { inputs, outputs }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let data = stations();
    let t = Instant::now();
    let mut solved = 0;
    for model in [Model::Ccr, Model::Bcc] {
        for orientation in [Orientation::Input, Orientation::Output] {
            let r = dea::analyse(&data, model, orientation, true).expect("DEA");
            solved += r.units.len();
        }
    }
    println!(
        "DEA, 150 stations x 4 inputs x 4 outputs, CCR and BCC, input and output, slacks and super-efficiency: {} units in {:.0} ms",
        solved,
        t.elapsed().as_secs_f64() * 1000.0
    );

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
    mams::store::kpi::ensure_sums(&p).unwrap();
    let tree = queries::org_tree(&p).unwrap();
    let months = queries::months(&p).unwrap();
    let last = *months.last().unwrap();
    let quarter = evaluate::last_complete(&p, mams::metrics::period::PeriodKind::Quarter, last)
        .unwrap()
        .expect("a complete quarter");
    let system = evaluate::system(&p, None).unwrap();
    // Every unit with units below it is a scope; together they evaluate every unit but the top.
    let scopes: Vec<String> = tree
        .iter()
        .filter(|u| {
            tree.iter()
                .any(|c| c.parent_id.as_deref() == Some(u.unit_id.as_str()))
        })
        .map(|u| u.unit_id.clone())
        .collect();
    let t = Instant::now();
    let wanted: Vec<Option<&str>> = scopes.iter().map(|s| Some(s.as_str())).collect();
    let evaluated: usize = evaluate::run_scopes(&p, &system, quarter, &wanted)
        .unwrap()
        .iter()
        .map(|e| e.units.len())
        .sum();
    println!(
        "{}: quarterly evaluation {} of every unit ({evaluated} units in {} scopes): {:.2} s",
        path.display(),
        quarter.label(),
        scopes.len(),
        t.elapsed().as_secs_f64()
    );
    // The efficiency section: DEA of every station with the default inputs and outputs.
    let t = Instant::now();
    let top = tree
        .iter()
        .find(|u| u.parent_id.is_none())
        .unwrap()
        .unit_id
        .clone();
    match mams::metrics::efficiency::analyse(&p, quarter, &top, &Default::default()) {
        Ok(dea) => println!(
            "DEA of the {} stations of the project (BCC, input, super-efficiency, and CCR for scale): {:.0} ms",
            dea.units.len(),
            t.elapsed().as_secs_f64() * 1000.0
        ),
        // A project built before schema 13: `mams import P --table unit_resources FILE`.
        Err(e) => println!("DEA of the stations: not measured ({e:#})"),
    }
    let mut times = Vec::new();
    for i in 0..20 {
        let scope = &scopes[i % scopes.len()];
        let period = if i % 2 == 0 {
            quarter
        } else {
            Period::Month(months[months.len() - 1 - i % 6])
        };
        let t = Instant::now();
        let ev = evaluate::run(&p, &system, period, Some(scope)).unwrap();
        for g in benchmark::default_groups(&ev) {
            benchmark::benchmark(&ev, &g);
        }
        evaluate::standing(&p, &ev).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "Evaluation and Benchmarking pages, 20 scope changes: median {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times.last().unwrap()
    );
}
