//! Evaluation of units on a generated project: a quarter's indicators recomputed from the
//! rows by SQL written here, publishing that keeps a result and says when the data moved
//! away from it, and `mams evaluate` printing the same numbers.

mod common;

use common::*;
use mams::metrics::evaluate;
use mams::metrics::period::Period;
use mams::store::Project;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(1.0)
}

/// A project of the small sample with every rule run over every month and a few suspects
/// worked (as the app's sample project): compliance needs an audit.
fn audited_project(name: &str) -> std::path::PathBuf {
    let path = small_project(name);
    let p = Project::open(&path).unwrap();
    mams::sample::project::prepare(&p, &mams::progress::Progress::new()).unwrap();
    path
}

/// The value of indicator `id` for each evaluated unit, by unit id.
fn values(ev: &evaluate::ProjectEvaluation, id: &str) -> Vec<(String, Option<f64>)> {
    let k = ev
        .system
        .indicators()
        .iter()
        .position(|(_, i)| i.indicator == id)
        .unwrap();
    ev.units
        .iter()
        .zip(&ev.evaluation.units)
        .map(|(u, r)| (u.unit_id.clone(), r.indicators[k].value))
        .collect()
}

#[test]
fn a_quarters_indicators_are_those_of_the_quarters_rows() {
    let path = audited_project("evaluation-quarter");
    let p = Project::open(&path).unwrap();
    let system = evaluate::system(&p, None).unwrap();
    let q = Period::parse("2024Q3").unwrap();
    let ev = evaluate::run(&p, &system, q, None).unwrap();
    assert_eq!(ev.units.len(), 8, "the eight cities below the province");
    // Independent: line loss of the quarter from the line_loss rows of each city's subtree,
    // (supplied - sold) / supplied over the three months together.
    let by_sql = |sql: &str| -> Vec<(String, Option<f64>)> {
        let mut stmt = p.conn().prepare(sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let loss = by_sql(
        "SELECT oc.ancestor_id, (sum(supplied_kwh) - sum(sold_kwh)) / sum(supplied_kwh) * 100
         FROM line_loss l JOIN org_closure oc ON oc.unit_id = l.unit_id
         JOIN org_units u ON u.unit_id = oc.ancestor_id AND u.level = 'city'
         WHERE month BETWEEN DATE '2024-07-01' AND DATE '2024-09-01'
         GROUP BY 1 ORDER BY 1",
    );
    let ours = values(&ev, "line_loss_rate");
    assert_eq!(loss.len(), 8);
    for (unit, want) in &loss {
        let got = ours.iter().find(|(u, _)| u == unit).unwrap().1;
        assert!(
            close(got.unwrap(), want.unwrap()),
            "{unit}: {got:?} against {want:?}"
        );
    }
    // The quarter's repair arrival time is the mean over the quarter's repairs, not the mean
    // of three monthly means.
    let arrival = by_sql(
        "SELECT oc.ancestor_id, avg(epoch(arrived_at - dispatched_at) / 60.0)
         FROM tickets t JOIN org_closure oc ON oc.unit_id = t.unit_id
         JOIN org_units u ON u.unit_id = oc.ancestor_id AND u.level = 'city'
         WHERE ticket_type = 'fault_repair' AND arrived_at IS NOT NULL AND dispatched_at IS NOT NULL
           AND received_at >= DATE '2024-07-01' AND received_at < DATE '2024-10-01'
         GROUP BY 1 ORDER BY 1",
    );
    let ours = values(&ev, "repair_arrival");
    assert!(!arrival.is_empty());
    for (unit, want) in &arrival {
        let got = ours.iter().find(|(u, _)| u == unit).unwrap().1;
        assert!(
            close(got.unwrap(), want.unwrap()),
            "{unit}: {got:?} against {want:?}"
        );
    }
    // Every scored unit's total lies in 0..100 with its grade; ranks start at 1.
    let scored: Vec<_> = ev.evaluation.units.iter().filter(|u| u.total.is_some()).collect();
    assert!(!scored.is_empty());
    assert!(scored.iter().any(|u| u.rank == Some(1)));
    for u in &scored {
        let t = u.total.unwrap();
        assert!((0.0..=100.0).contains(&t) && u.grade.is_some(), "{u:?}");
    }
    // A quarter the project does not hold is refused, naming the months.
    let err = evaluate::run(&p, &system, Period::parse("2025Q2").unwrap(), None).unwrap_err();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("no data for 2025-04, 2025-05, 2025-06 (it holds 2024-01 to 2025-02)"),
        "{msg}"
    );
}

#[test]
fn a_published_evaluation_stays_and_says_when_the_data_moved() {
    let path = audited_project("evaluation-publish");
    let p = Project::open(&path).unwrap();
    let system = evaluate::system(&p, None).unwrap();
    let q = Period::parse("2024Q3").unwrap();
    let ev = evaluate::run(&p, &system, q, None).unwrap();
    let again = evaluate::run(&p, &system, q, None).unwrap();
    assert_eq!(ev.fingerprint, again.fingerprint, "same data, same fingerprint");
    assert_eq!(ev.fingerprint.len(), 64);
    let id = evaluate::publish(&p, &ev, "tester").unwrap();
    let err = evaluate::publish(&p, &ev, "tester").unwrap_err();
    assert!(format!("{err:#}").contains("is not replaced"), "{err:#}");
    let s = evaluate::standing(&p, &ev).unwrap().unwrap();
    assert_eq!((s.evaluation_id, s.matches), (id, true));
    assert_eq!(s.largest_change, 0.0);
    // Improvement items: one per reason of every unit.
    let reasons: usize = ev.evaluation.units.iter().map(|u| u.improvement.len()).sum();
    let items = mams::store::evaluations::items(&p, None).unwrap();
    assert_eq!(items.len(), reasons);
    assert!(
        items
            .iter()
            .all(|i| i.due_on.to_string() == "2024-12-31" && i.state == "open")
    );

    // Half the line loss rows of one city's September go: its line loss changes.
    p.conn()
        .execute_batch(
            "DELETE FROM line_loss WHERE month = DATE '2024-09-01' AND unit_id LIKE 'C02%' AND hash(area_id) % 2 = 0",
        )
        .unwrap();
    let later = evaluate::run_published_or(&p, &system, q, None).unwrap();
    assert_ne!(later.fingerprint, ev.fingerprint);
    let s = evaluate::standing(&p, &later).unwrap().unwrap();
    assert!(!s.matches);
    // The published result itself is unchanged.
    let stored =
        mams::store::evaluations::published(&p, ("service_quality", system.year), "2024Q3", &ev.scope)
            .unwrap()
            .unwrap();
    let units: Vec<evaluate::StoredUnit> = serde_json::from_str(&stored.result_json).unwrap();
    for (a, b) in units.iter().zip(evaluate::stored_units(&ev)) {
        assert_eq!((&a.unit_id, &a.grade, a.rank), (&b.unit_id, &b.grade, b.rank));
        assert!(close(a.total.unwrap(), b.total.unwrap()));
    }
    // The drift is the largest change of a total, measured here independently.
    let largest = units
        .iter()
        .zip(evaluate::stored_units(&later))
        .filter_map(|(a, b)| Some((a.total? - b.total?).abs()))
        .fold(0.0, f64::max);
    assert!(
        close(s.largest_change, largest),
        "{} against {largest}",
        s.largest_change
    );
}

#[test]
fn mams_evaluate_prints_ranks_and_publishes() {
    let path = audited_project("evaluation-cli");
    let p = path.to_str().unwrap();
    let out = mams(&["evaluate", p, "--period", "2024Q3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("service_quality 2026), 2024Q3, the units below"),
        "{text}"
    );
    for column in ["rank", "total", "grade", "reliability", "compliance", "topsis"] {
        assert!(text.contains(column), "{column} in {text}");
    }
    // The JSON holds the same totals as the library computes.
    let json = mams(&["evaluate", p, "--period", "2024Q3", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let project = Project::open(&path).unwrap();
    let system = evaluate::system(&project, None).unwrap();
    let ev = evaluate::run(&project, &system, Period::parse("2024Q3").unwrap(), None).unwrap();
    drop(project);
    for (i, u) in ev.evaluation.units.iter().enumerate() {
        let printed = v["evaluation"]["evaluation"]["units"][i]["total"].as_f64();
        assert_eq!(printed.is_some(), u.total.is_some());
        if let (Some(a), Some(b)) = (printed, u.total) {
            assert!(close(a, b), "{a} against {b}");
        }
    }
    let out = mams(&["evaluate", p, "--period", "2024Q3", "--publish"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("published as evaluation 1"),
        "{}",
        stdout(&out)
    );
    let out = mams(&["evaluate", p, "--period", "2024Q3"]);
    assert!(
        stdout(&out).contains("the data still match it"),
        "{}",
        stdout(&out)
    );
    for (args, says) in [
        (vec!["--period", "2024Q5"], "is not a period"),
        (vec!["--period", "2024Q3", "--unit", "NOPE"], "no org unit 'NOPE'"),
        (
            vec!["--period", "2024Q3", "--system", "other"],
            "no index system 'other'",
        ),
    ] {
        let mut all = vec!["evaluate", p];
        all.extend(args);
        let out = mams(&all);
        assert!(!out.status.success());
        assert!(stderr(&out).contains(says), "{says} in {}", stderr(&out));
    }
}

#[test]
fn mams_benchmark_compares_peers_and_imports_external_figures() {
    let path = audited_project("benchmark-cli");
    let p = path.to_str().unwrap();
    let out = mams(&["benchmark", p, "--period", "2024Q3", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Eight cities in three bands of customer count, every city in one band.
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    let members: usize = groups.iter().map(|g| g["units"].as_array().unwrap().len()).sum();
    assert_eq!(members, 8);
    // In every group the leader has the best total, and each other unit's gap to it is the
    // difference of totals (checked here from the printed numbers).
    for g in groups {
        let units = g["units"].as_array().unwrap();
        let best = units
            .iter()
            .filter_map(|u| u["total"].as_f64())
            .fold(f64::NEG_INFINITY, f64::max);
        for u in units {
            if u["total"].is_null() {
                continue;
            }
            assert_eq!(u["leader_total"].as_f64(), Some(best));
        }
    }
    // External figures: a bad file is refused whole with its rows; a good one compared.
    let dir = tmp("benchmark-peers");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "peer,period,indicator,value\nX,2024Q3,collection_rate,99.1\n,2024Q9,sales,abc\n",
    )
    .unwrap();
    let out = mams(&["benchmark", "import", p, bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let e = stderr(&out);
    for says in [
        "4 problems, nothing imported",
        "row 3: the peer is empty",
        "row 3, period",
        "'sales' is not an indicator",
        "row 3, value: 'abc'",
    ] {
        assert!(e.contains(says), "{says} in {e}");
    }
    let good = dir.join("peers.csv");
    std::fs::write(&good, "对标单位,期间,指标,数值\nNeighbour,2024Q3,collection_rate,99.1 %\nNeighbour,2024Q3,saidi,\"1,200\"\n").unwrap();
    let out = mams(&["benchmark", "import", p, good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("2 peer figures imported"));
    let out = mams(&["benchmark", p, "--period", "2024Q3"]);
    let text = stdout(&out);
    assert!(text.contains("against external peers"), "{text}");
    assert!(text.contains("1200.00"), "{text}");
    let out = mams(&["benchmark", p, "--period", "2024Q3", "--group", "nope"]);
    assert!(stderr(&out).contains("no peer group 'nope'"), "{}", stderr(&out));
}

#[test]
fn dea_of_stations_with_one_input_and_one_output_is_the_ratio_to_the_best() {
    // With one input and one output, CCR scores are each unit's output per input over the
    // best unit's (Charnes, Cooper and Rhodes 1978): computed here by SQL from the rows.
    let path = small_project("dea-stations");
    let p = Project::open(&path).unwrap();
    let q = Period::parse("2024Q3").unwrap();
    let spec = mams::metrics::efficiency::DeaSpec {
        level: "station".into(),
        inputs: vec!["staff".into()],
        outputs: vec!["sales_kwh".into()],
        model: mams::evaluation::dea::Model::Ccr,
        orientation: mams::evaluation::dea::Orientation::Input,
    };
    let r = mams::metrics::efficiency::analyse(&p, q, "P", &spec).unwrap();
    assert_eq!(r.units.len() + r.left_out.len(), 150);
    let mut stmt = p
        .conn()
        .prepare(
            "WITH sales AS (SELECT c.unit_id, sum(b.kwh) AS kwh FROM bills b JOIN customers c USING (customer_id)
                            WHERE b.billing_month BETWEEN DATE '2024-07-01' AND DATE '2024-09-01' GROUP BY 1),
                  staff AS (SELECT unit_id, staff FROM unit_resources WHERE year = 2024)
             SELECT unit_id, kwh / staff FROM sales JOIN staff USING (unit_id) WHERE kwh > 0 AND staff > 0",
        )
        .unwrap();
    let ratios: std::collections::HashMap<String, f64> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let best = ratios.values().cloned().fold(0.0, f64::max);
    assert_eq!(ratios.len(), r.units.len());
    for (i, (unit, ..)) in r.units.iter().enumerate() {
        let want = ratios[unit] / best;
        let got = r.result.units[i].score;
        assert!((got - want).abs() < 1e-6, "{unit}: {got} against {want}");
    }
    // Scale efficiency is CCR over BCC, so never above 1.
    assert!(r.scale_efficiency.iter().all(|s| *s > 0.0 && *s <= 1.0 + 1e-9));
    // Without unit resources the analysis says what to import.
    p.conn().execute_batch("DELETE FROM unit_resources").unwrap();
    let err = mams::metrics::efficiency::analyse(&p, q, "P", &spec).unwrap_err();
    assert!(
        format!("{err:#}").contains("import the unit_resources table"),
        "{err:#}"
    );
    let bad = mams::metrics::efficiency::DeaSpec {
        inputs: vec!["horses".into()],
        ..spec
    };
    let err = mams::metrics::efficiency::analyse(&p, q, "P", &bad).unwrap_err();
    assert!(
        format!("{err:#}").contains("'horses' is not a resource"),
        "{err:#}"
    );
}

#[test]
fn a_query_indicator_is_checked_like_a_project_rule_and_summed_up_the_tree() {
    let path = audited_project("evaluation-query");
    let p = Project::open(&path).unwrap();
    let mut system: mams::evaluation::system::IndexSystem =
        serde_json::from_str(mams::evaluation::system::DEFAULT_JSON).unwrap();
    system.name = "with_query".into();
    // Line loss replaced by a query of the project's own: the share of bills with kWh.
    let mut own = mams::evaluation::system::SystemIndicator::new(
        "billed_with_kwh",
        mams::evaluation::system::Direction::Higher,
        90.0,
        100.0,
        1.0,
    );
    own.name_en = Some("Bills with consumption".into());
    own.unit = Some("%".into());
    own.scale = Some(100.0);
    own.sql = Some(
        "SELECT c.unit_id, b.billing_month AS month, count(*) FILTER (WHERE b.kwh > 0) AS numerator,
                count(*) AS denominator
         FROM bills b JOIN customers c USING (customer_id) GROUP BY ALL"
            .into(),
    );
    system.dimensions[4].indicators = vec![own.clone()];
    let json = serde_json::to_string(&system).unwrap();
    mams::store::evaluations::save_system(&p, "with_query", system.year, &json).unwrap();
    let s = evaluate::system(&p, Some("with_query")).unwrap();
    let ev = evaluate::run(&p, &s, Period::parse("2024Q3").unwrap(), None).unwrap();
    // Independent: the same share per city, by SQL written here.
    let mut stmt = p
        .conn()
        .prepare(
            "SELECT u.parent_id, 100.0 * count(*) FILTER (WHERE b.kwh > 0) / count(*)
             FROM bills b JOIN customers c USING (customer_id)
             JOIN org_units s ON s.unit_id = c.unit_id JOIN org_units k ON k.unit_id = s.parent_id
             JOIN org_units u ON u.unit_id = k.unit_id
             WHERE b.billing_month BETWEEN DATE '2024-07-01' AND DATE '2024-09-01'
             GROUP BY 1",
        )
        .unwrap();
    let want: std::collections::HashMap<String, f64> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let got = values(&ev, "billed_with_kwh");
    assert_eq!(got.len(), 8);
    for (unit, v) in &got {
        assert!(
            close(v.unwrap(), want[unit]),
            "{unit}: {v:?} against {}",
            want[unit]
        );
    }
    assert_eq!(ev.label("billed_with_kwh", false).0, "Bills with consumption");
    // A query without the columns, or that would write, stops the evaluation with why.
    for (query, says) in [
        (
            "SELECT unit_id, 1 AS numerator FROM org_units",
            "missing month, denominator",
        ),
        ("DELETE FROM bills", "billed_with_kwh"),
    ] {
        own.sql = Some(query.into());
        system.dimensions[4].indicators = vec![own.clone()];
        let err = evaluate::run(&p, &system, Period::parse("2024Q3").unwrap(), None).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("dimension line_loss, indicator billed_with_kwh"),
            "{msg}"
        );
        assert!(msg.contains(says), "{says} in {msg}");
    }
    let bills: i64 = p
        .conn()
        .query_row("SELECT count(*) FROM bills", [], |r| r.get(0))
        .unwrap();
    assert!(bills > 0, "nothing was deleted");
}

#[test]
fn malmquist_of_stations_with_one_input_and_one_output_is_the_change_of_their_ratio() {
    // With one input and one output under constant returns, D^p(q) of a unit is its ratio
    // in q over the best ratio in p, so M = r1 / r0 and EC = (r1 / best1) / (r0 / best0)
    // (Färe et al. 1994): computed here by SQL from the rows.
    let path = small_project("malmquist-stations");
    let p = Project::open(&path).unwrap();
    let spec = mams::metrics::efficiency::DeaSpec {
        level: "station".into(),
        inputs: vec!["staff".into()],
        outputs: vec!["sales_kwh".into()],
        model: mams::evaluation::dea::Model::Ccr,
        orientation: mams::evaluation::dea::Orientation::Input,
    };
    let (base, target) = (
        Period::parse("2024-02").unwrap(),
        Period::parse("2025-02").unwrap(),
    );
    let m = mams::metrics::efficiency::malmquist(&p, base, target, "P", &spec).unwrap();
    let ratios = |month: &str, year: i32| -> std::collections::HashMap<String, f64> {
        let sql = format!(
            "WITH sales AS (SELECT c.unit_id, sum(b.kwh) AS kwh FROM bills b JOIN customers c USING (customer_id)
                            WHERE b.billing_month = DATE '{month}-01' GROUP BY 1),
                  staff AS (SELECT unit_id, staff FROM unit_resources WHERE year = {year})
             SELECT unit_id, kwh / staff FROM sales JOIN staff USING (unit_id) WHERE kwh > 0 AND staff > 0"
        );
        let mut stmt = p.conn().prepare(&sql).unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let (r0, r1) = (ratios("2024-02", 2024), ratios("2025-02", 2025));
    let best =
        |r: &std::collections::HashMap<String, f64>| m.units.iter().map(|u| r[&u.0]).fold(0.0, f64::max);
    let (b0, b1) = (best(&r0), best(&r1));
    assert!(m.units.len() > 100, "{} stations in both months", m.units.len());
    for (i, (unit, ..)) in m.units.iter().enumerate() {
        let want = r1[unit] / r0[unit];
        let ec = (r1[unit] / b1) / (r0[unit] / b0);
        let got = &m.rows[i];
        assert!(
            (got.index - want).abs() < 1e-6 * want,
            "{unit}: {} against {want}",
            got.index
        );
        assert!((got.efficiency_change - ec).abs() < 1e-6 * ec, "{unit}");
    }
}
