//! Risk points: the improvement-effect models against other software and a hand
//! computation, the register, the dynamic levels, measures and their evaluation.

mod common;

use chrono::NaiveDate;
use common::*;
use mams::analysis::did::{PanelRow, did};
use mams::analysis::effect::{Direction, Verdict};
use mams::analysis::its::its;
use mams::analysis::ols;
use mams::analysis::table_input::{TextTable, panel_rows, treated_series};

fn month(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

/// tests/fixtures/effect/panel.csv: 2 treated and 4 control units over 30 months, a drop of
/// 6 + 0.2 a month from 2025-07 in the treated units, a summer bump, Gaussian noise (made by
/// a Python script with random.seed(42); the file is the input, not its recipe).
fn fixture() -> Vec<PanelRow> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/effect/panel.csv");
    let (columns, rows) = mams::store::read_csv_text(&path).unwrap();
    panel_rows(&TextTable { columns, rows }).unwrap()
}

#[test]
fn its_matches_statsmodels_on_the_fixture() {
    // statsmodels 0.15 OLS of the treated units' monthly mean on const, t, D, (t - t0) D and
    // eleven month-of-year dummies (January the reference); t_test of D + mean(t - t0) S.
    let r = its(
        &treated_series(&fixture()),
        month(2025, 7),
        Direction::LowerIsBetter,
    )
    .unwrap();
    assert!(r.seasonal);
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    assert!(close(r.level_change.value, -7.8252528929), "{:?}", r.level_change);
    assert!(close(r.level_change.se, 0.9668051407), "{:?}", r.level_change);
    assert!(close(r.level_change.low, -9.885949270577823));
    assert!(close(r.slope_change.value, -0.1472284434));
    assert!(close(r.slope_change.se, 0.1222820622));
    assert!(close(r.effect.value, -8.63500933));
    assert!(close(r.effect.low, -10.45500986) && close(r.effect.high, -6.8150088));
    assert_eq!(r.verdict, Verdict::Improved);
}

#[test]
fn did_matches_the_regression_and_a_welch_interval_from_statsmodels() {
    let rows = fixture();
    let r = did(&rows, month(2025, 7), Direction::LowerIsBetter).unwrap();
    // statsmodels: OLS value ~ treated + post + treated:post gives -5.9802777778 for the
    // interaction; CompareMeans(after gaps, before gaps).tconfint_diff(usevar="unequal")
    // gives (-6.918586582584735, -5.041968972970818), standard error 0.4516262583.
    assert!((r.effect.value + 5.9802777778).abs() < 1e-8, "{:?}", r.effect);
    assert!((r.effect.se - 0.4516262583).abs() < 1e-8);
    assert!((r.effect.low + 6.918586582584735).abs() < 1e-6);
    assert!((r.effect.high + 5.041968972970818).abs() < 1e-6);
    assert_eq!(r.treated_units, ["T1", "T2"]);
    assert_eq!(r.verdict, Verdict::Improved);

    // An independent computation: the interaction of the same regression by the normal
    // equations, against the difference of means the model reports.
    let x: Vec<Vec<f64>> = rows
        .iter()
        .map(|p| {
            let t = f64::from(p.treated);
            let a = f64::from(p.month >= month(2025, 7));
            vec![1.0, t, a, t * a]
        })
        .collect();
    let y: Vec<f64> = rows.iter().map(|p| p.value).collect();
    let f = ols::fit(&x, &y).unwrap();
    assert!((f.coef[3] - r.effect.value).abs() < 1e-9);
}

#[test]
fn did_with_many_units_resamples_units_and_agrees_with_a_t_interval_of_their_changes() {
    // 8 treated and 10 control units, each with its own level and a change drawn by hand:
    // treated units change by -3 +/- a little, controls by 0 +/- a little.
    let mut rows = Vec::new();
    let treated_changes = [-3.2, -2.5, -3.9, -2.8, -3.1, -2.2, -3.6, -2.9];
    let control_changes = [0.3, -0.4, 0.1, 0.6, -0.2, 0.0, -0.5, 0.4, 0.2, -0.1];
    for (k, (changes, treated)) in [(&treated_changes[..], true), (&control_changes[..], false)]
        .into_iter()
        .enumerate()
    {
        for (i, c) in changes.iter().enumerate() {
            for m in 0..12 {
                let level = 10.0 + i as f64 + k as f64;
                rows.push(PanelRow {
                    unit: format!("{}{i}", if treated { "T" } else { "C" }),
                    month: month(2024 + m / 12, (m % 12 + 1) as u32),
                    treated,
                    value: level + if m >= 6 { *c } else { 0.0 },
                });
            }
        }
    }
    let r = did(&rows, month(2024, 7), Direction::LowerIsBetter).unwrap();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let want = mean(&treated_changes) - mean(&control_changes);
    assert!((r.effect.value - want).abs() < 1e-9);
    assert!(r.effect.method.contains("bootstrap"), "{}", r.effect.method);
    // Welch's interval of the units' changes, by hand: a bootstrap percentile interval of
    // the same statistic should be close to it (within a third of its half-width).
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    let se = (var(&treated_changes) / 8.0 + var(&control_changes) / 10.0).sqrt();
    let half = 1.96 * se;
    assert!(
        ((r.effect.high - r.effect.low) / 2.0 - half).abs() < half / 3.0,
        "{:?} vs ±{half}",
        r.effect
    );
    assert!(r.effect.low < want && want < r.effect.high);
    assert_eq!(r.verdict, Verdict::Improved);
}

#[test]
fn mams_analyze_did_and_its_read_a_csv_and_refuse_what_they_cannot_use() {
    let input = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/effect/panel.csv");
    let input = input.to_str().unwrap();
    let o = mams(&["analyze", "did", "--input", input, "--start", "2025-07"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("-5.9803") && out.contains("improved"), "{out}");
    let o = mams(&[
        "analyze", "its", "--input", input, "--start", "2025-07", "--format", "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!((v["level_change"]["value"].as_f64().unwrap() + 7.8252528929).abs() < 1e-6);

    // The start leaves two months after it.
    let o = mams(&["analyze", "did", "--input", input, "--start", "2026-05"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not enough data"), "{}", stderr(&o));
    // No control units.
    let dir = tmp("effect-bad");
    let only = dir.join("treated-only.csv");
    let mut text = String::from("unit,month,treated,value\n");
    for m in 1..=8 {
        text.push_str(&format!("A,2025-{m:02},1,{m}\n"));
    }
    std::fs::write(&only, &text).unwrap();
    let o = mams(&[
        "analyze",
        "did",
        "--input",
        only.to_str().unwrap(),
        "--start",
        "2025-05",
    ]);
    assert!(stderr(&o).contains("no control units"), "{}", stderr(&o));
    // A value that is not a number names its row.
    std::fs::write(&only, "unit,month,treated,value\nA,2025-01,1,many\n").unwrap();
    let o = mams(&[
        "analyze",
        "its",
        "--input",
        only.to_str().unwrap(),
        "--start",
        "2025-05",
    ]);
    assert!(stderr(&o).contains("row 2, column value"), "{}", stderr(&o));
}

/// The committed sample made into a project as the app makes it (imported, audited, the
/// planted measure recorded, levels computed), built once per test binary and copied.
fn sample_project(name: &str) -> std::path::PathBuf {
    use std::sync::OnceLock;
    static BUILT: OnceLock<std::path::PathBuf> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let path = tmp("risk-sample").join("sample.duckdb");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
        let (p, _) = mams::import::build_project(&path, &dir, &mams::progress::Progress::new()).unwrap();
        mams::sample::project::prepare(&p, &mams::progress::Progress::new()).unwrap();
        drop(p);
        path
    });
    let path = tmp(name).join("p.duckdb");
    std::fs::copy(built, &path).unwrap();
    path
}

/// The planted effect as the generator wrote it: (county, rule, first month, fraction,
/// monthly start probability, peers).
fn planted_effect() -> (String, String, NaiveDate, f64, f64, Vec<String>) {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db/planted_effects.parquet");
    let c = duckdb::Connection::open_in_memory().unwrap();
    c.query_row(
        &format!("SELECT * FROM read_parquet('{}')", file.display()),
        [],
        |r| {
            let peers: String = r.get(5)?;
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                peers.split(',').map(String::from).collect(),
            ))
        },
    )
    .unwrap()
}

#[test]
fn the_planted_effect_is_found_within_its_interval_and_no_effect_where_none_was_planted() {
    use mams::risk::evaluate::evaluate;
    use mams::risk::measures::{self, Metric, NewMeasure};
    use mams::store::Project;
    let (county, rule, t0, fraction, p_start, peers) = planted_effect();
    let path = sample_project("risk-effect");
    let p = Project::open(&path).unwrap();
    // The sample project holds the measure as a manager recorded it.
    let m = mams::store::risks::measures(&p, None).unwrap();
    let planted = m
        .iter()
        .find(|m| m.treated == [county.clone()])
        .expect("the planted measure");
    assert_eq!(planted.start_month, t0);
    assert_eq!(planted.state, "done");
    let e = evaluate(&p, planted.measure_id).unwrap();
    // The controls chosen automatically are the county's siblings: the peers the generator
    // kept unchanged.
    let mut controls = e.controls.clone();
    controls.sort();
    assert_eq!(controls, peers);
    let d = e.did.as_ref().expect("difference in differences");
    // The true effect in suspects per 10,000 customers a month: the drop of the start
    // probability times the share of the county's customers it applies to (ordinary
    // accounts: the ground truth lists every planted problem, and the stream skips them).
    let county_customers: Vec<String> = {
        let mut stmt = p
            .conn()
            .prepare("SELECT customer_id FROM customers WHERE unit_id LIKE ? || '%'")
            .unwrap();
        stmt.query_map([&county], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let planted_elsewhere: std::collections::HashSet<String> = {
        let file =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db/planted_anomalies.parquet");
        let c = duckdb::Connection::open_in_memory().unwrap();
        let mut stmt = c
            .prepare(&format!(
                "SELECT DISTINCT entity_id FROM read_parquet('{}') WHERE detail NOT LIKE '%remote reading%'",
                file.display()
            ))
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let ordinary = county_customers
        .iter()
        .filter(|c| !planted_elsewhere.contains(*c))
        .count();
    let ordinary_share = ordinary as f64 / county_customers.len() as f64;
    let truth = -fraction * p_start * 10_000.0 * ordinary_share;
    assert!(
        d.effect.low <= truth && truth <= d.effect.high,
        "planted {truth:.1}, found {:.1} [{:.1}, {:.1}] ({})",
        d.effect.value,
        d.effect.low,
        d.effect.high,
        d.effect.method
    );
    assert_eq!(e.verdict, Some(Verdict::Improved));
    assert!(
        e.money.is_some_and(|y| y < 0.0),
        "{:?} {}",
        e.money,
        e.money_note.en
    );
    let i = e.its.as_ref().expect("interrupted time series");
    assert!(i.effect.value < 0.0);

    // No effect where none was planted: the same measure in a sibling county.
    let placebo = measures::add(
        &p,
        &NewMeasure {
            risk_id: "metering.estimated_reads".into(),
            action: "placebo".into(),
            owner_unit: peers[0].clone(),
            units: vec![peers[0].clone()],
            start_month: t0,
            due_on: t0,
            metric: Some(Metric::Rule(rule.clone())),
            controls: Vec::new(),
            notes: String::new(),
        },
        "test",
    )
    .unwrap();
    let e = evaluate(&p, placebo).unwrap();
    assert!(
        !e.controls.contains(&county),
        "a unit with its own measure is no control"
    );
    assert_eq!(
        e.verdict,
        Some(Verdict::NoSignificantChange),
        "{:?}",
        e.did.as_ref().map(|d| &d.effect)
    );
    // Nor in a county of another city, where the rule hardly fires at all.
    let other = measures::add(
        &p,
        &NewMeasure {
            risk_id: "metering.estimated_reads".into(),
            action: "placebo elsewhere".into(),
            owner_unit: "C01K01".into(),
            units: vec![],
            start_month: t0,
            due_on: t0,
            metric: None,
            controls: Vec::new(),
            notes: String::new(),
        },
        "test",
    )
    .unwrap();
    let e = evaluate(&p, other).unwrap();
    assert_ne!(e.verdict, Some(Verdict::Improved));
}

#[test]
fn levels_of_the_sample_follow_its_planted_city_and_keep_their_changes() {
    use mams::store::Project;
    use mams::store::risks as stored;
    let (county, _, t0, _, _, peers) = planted_effect();
    let path = sample_project("risk-levels");
    let p = Project::open(&path).unwrap();
    let months = mams::store::queries::months(&p).unwrap();
    let last = *months.last().unwrap();
    let before_last = months[months.len() - 2];
    // The city's counties estimate reads far more than the others: before the measure, its
    // counties rank the risk high or extreme in at least half the months (a month with one
    // or two suspects in a small county says less), a county of another city in few.
    let high_share = |unit: &str| {
        let h = stored::history(&p, "metering.estimated_reads", unit).unwrap();
        let before: Vec<_> = h
            .iter()
            .filter(|l| l.period < t0 && l.period >= months[5])
            .collect();
        before.iter().filter(|l| l.level >= 3).count() as f64 / before.len() as f64
    };
    let level = |unit: &str, month: NaiveDate| {
        stored::levels_of(&p, month, &[unit])
            .unwrap()
            .into_iter()
            .find(|l| l.risk_id == "metering.estimated_reads")
            .unwrap()
    };
    for unit in peers.iter().chain([&county]) {
        assert!(high_share(unit) >= 0.5, "{unit}: {}", high_share(unit));
    }
    for other in ["C01K01", "C05K02", "C07K03"] {
        assert!(high_share(other) <= 0.2, "{other}: {}", high_share(other));
    }
    // The treated county falls after the measure: its mean likelihood after t0 is below
    // its mean before.
    let h = stored::history(&p, "metering.estimated_reads", &county).unwrap();
    let mean = |after: bool| {
        let v: Vec<f64> = h
            .iter()
            .filter(|l| (l.period >= t0) == after && !l.provisional && l.period >= months[5])
            .map(|l| l.likelihood as f64)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(
        mean(true) < mean(false) - 0.5,
        "{} after, {} before",
        mean(true),
        mean(false)
    );
    // A run of two estimated cycles that starts in the last month cannot be seen yet: the
    // month before is carried forward, marked provisional.
    let l = level(&peers[0], last);
    assert!(l.provisional);
    assert_eq!(l.suspects, level(&peers[0], before_last).suspects);
    assert!(!level(&peers[0], before_last).provisional);
    // Reads and bills are not provisional where no rule of the point waits for later months.
    assert!(
        !stored::levels_of(&p, last, &[peers[0].as_str()])
            .unwrap()
            .iter()
            .find(|l| l.risk_id == "metering.multiplier_error")
            .unwrap()
            .provisional
    );

    // Confirming suspects changes what the levels come from: recomputed, the changes kept.
    let before = stored::change_count(&p).unwrap();
    let (rows, _) = mams::store::audit::suspects(
        &p,
        &mams::store::audit::SuspectFilter {
            rules: vec!["expansion_overdue".into()],
            statuses: vec!["new".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let keys: Vec<String> = rows.iter().map(|s| s.key.clone()).collect();
    for to in [
        mams::audit::triage::Status::Verifying,
        mams::audit::triage::Status::Confirmed,
    ] {
        mams::audit::triage::apply(
            &p,
            &keys,
            &mams::audit::triage::Change {
                to: Some(to),
                ..Default::default()
            },
            "test",
        )
        .unwrap();
    }
    let c = mams::risk::compute::refresh_if_stale(&p, &mams::progress::Progress::new())
        .unwrap()
        .expect("the triage made the levels stale");
    assert!(c.changed > 0);
    assert_eq!(stored::change_count(&p).unwrap(), before + c.changed as i64);
    assert!(
        mams::risk::compute::refresh_if_stale(&p, &mams::progress::Progress::new())
            .unwrap()
            .is_none()
    );
}

#[test]
fn mams_risk_lists_levels_records_moves_and_evaluates() {
    let path = sample_project("risk-cli");
    let project = path.to_str().unwrap();
    let o = mams(&["risk", "list", project]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("metering.multiplier_error") && stdout(&o).contains("42 risk points"));
    let o = mams(&[
        "risk", "levels", project, "--period", "2025-11", "--unit", "C03", "--format", "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["levels"].as_array().unwrap().len(), 42);
    let o = mams(&["risk", "levels", project, "--period", "2030-01"]);
    assert!(
        !o.status.success() && stderr(&o).contains("no risk levels"),
        "{}",
        stderr(&o)
    );

    // A measure: recorded, refused what it cannot take, moved along, evaluated.
    let add = |extra: &[&str]| {
        let mut args = vec![
            "risk",
            "measure",
            "add",
            project,
            "--risk",
            "metering.multiplier_error",
            "--action",
            "Check every CT ratio on site",
            "--owner",
            "C05",
            "--start",
            "2025-03",
            "--due",
            "2025-06-30",
        ];
        args.extend_from_slice(extra);
        mams(&args)
    };
    let o = add(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = add(&["--controls", "C05"]);
    assert!(
        stderr(&o).contains("cannot both take the measure and be its control"),
        "{}",
        stderr(&o)
    );
    let o = add(&["--metric", "weather:rain"]);
    assert!(stderr(&o).contains("--metric"), "{}", stderr(&o));
    let o = mams(&["risk", "measure", "move", project, "2", "--to", "done"]);
    assert!(
        stderr(&o).contains("can only become in_progress or cancelled"),
        "{}",
        stderr(&o)
    );
    let o = mams(&[
        "risk",
        "measure",
        "move",
        project,
        "2",
        "--to",
        "in_progress",
        "--note",
        "started",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mams(&["risk", "measure", "list", project]);
    assert!(stdout(&o).contains("PAST DUE"), "{}", stdout(&o));
    let o = mams(&["risk", "measure", "trail", project, "2"]);
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stdout(&o));
    // The multiplier rule reports standing states (no month): a rate per month has no data.
    let o = mams(&["risk", "evaluate", project, "--measure", "2", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["verdict"].is_null(), "{v}");
    assert!(v["did"]["Err"]["en"].as_str().unwrap().contains("no data"), "{v}");
    let o = mams(&["risk", "evaluate", project, "--measure", "1"]);
    assert!(stdout(&o).contains("verdict        improved"), "{}", stdout(&o));

    // A point of the project's own: refused with the reason, then kept, then levelled.
    let dir = tmp("risk-own-point");
    let file = dir.join("point.json");
    let point = |rules: &str| {
        format!(
            r#"{{"id": "metering.seal_checks", "severity": 4, "name_en": "Seals not checked", "name_zh": "封印未检查",
               "description_en": "Meter seals are not checked at reading.", "description_zh": "抄表时未检查封印。",
               "step_en": "Reading", "step_zh": "抄表", "rules": [{rules}]}}"#
        )
    };
    std::fs::write(&file, point(r#""no_such_rule""#)).unwrap();
    let o = mams(&["risk", "add", project, file.to_str().unwrap()]);
    assert!(
        !o.status.success() && stderr(&o).contains("no rule no_such_rule"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&file, point(r#""zero_kwh", "kwh_jump""#)).unwrap();
    let o = mams(&["risk", "add", project, file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = mams(&[
        "risk", "levels", project, "--period", "2025-06", "--format", "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        v["levels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["risk_id"] == "metering.seal_checks")
    );
    assert!(stdout(&mams(&["risk", "list", project])).contains("(project)"));
}
