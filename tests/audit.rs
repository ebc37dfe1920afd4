//! The audit rules against the sample's planted anomalies, re-runs and triage state, the
//! closed loop, and rules that are broken, slow or try to write.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use chrono::NaiveDate;
use common::*;
use mams::audit::docs::{Quality, rules_markdown};
use mams::audit::rules::builtin;
use mams::audit::run::{self, RunSpec};
use mams::audit::triage::{self, Change, Status};
use mams::progress::Progress;
use mams::store::Project;
use mams::store::audit::{self as stored, SuspectFilter};

fn month(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

/// The committed sample project, built once per test binary and copied for each test.
fn sample_project(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let path = tmp("audit-sample").join("sample.duckdb");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
        mams::import::build_project(&path, &dir, &Progress::new()).expect("build the sample project");
        path
    });
    let path = tmp(name).join("p.duckdb");
    std::fs::copy(built, &path).unwrap();
    path
}

fn run_all(p: &Project, rules: Vec<String>) -> run::RunReport {
    let (library, problems) = run::library(p).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let spec = RunSpec::new(month(2024, 1), month(2025, 12), "P", rules);
    run::run(p, &library, &spec, true, &Progress::new()).unwrap()
}

/// Each rule's figures on a project audited over its 24 months, against the truth the
/// generator wrote (`truth_file`).
fn measure(p: &Project, truth_file: &Path) -> Vec<Quality> {
    let report = run_all(p, vec![]);
    for o in &report.outcomes {
        assert!(o.error.is_none(), "{}: {:?}", o.rule_id, o.error);
    }
    // DuckDB reads files only in the project's private folder.
    let truth = mams::store::scratch::link_in(p.scratch_dir(), truth_file).unwrap();
    p.conn()
        .execute_batch(&format!(
            "CREATE OR REPLACE TEMP TABLE truth AS SELECT * FROM read_parquet({})",
            mams::store::quote_literal(&truth.to_string_lossy())
        ))
        .unwrap();
    let _ = std::fs::remove_file(truth);
    builtin()
        .iter()
        .map(|rule| {
            let count = |sql: &str| -> usize {
                let n: i64 = p.conn().query_row(sql, [&rule.id], |r| r.get(0)).unwrap();
                n as usize
            };
            let q = Quality {
                rule_id: rule.id.clone(),
                planted: count("SELECT count(DISTINCT entity_id) FROM truth WHERE rule_id = ?"),
                suspects: count("SELECT count(*) FROM audit_suspects WHERE rule_id = ?"),
                found: count(
                    "SELECT count(DISTINCT t.entity_id) FROM truth t JOIN audit_suspects s \
                     ON s.rule_id = t.rule_id AND s.entity_type = t.entity_type AND s.entity_id = t.entity_id \
                     WHERE t.rule_id = ?",
                ),
                correct: count(
                    "SELECT count(*) FROM audit_suspects s WHERE s.rule_id = ? AND EXISTS \
                     (SELECT 1 FROM truth t WHERE t.rule_id = s.rule_id AND t.entity_type = s.entity_type \
                      AND t.entity_id = s.entity_id)",
                ),
            };
            assert!(q.planted > 0, "{}: the sample plants this theme", rule.id);
            q
        })
        .collect()
}

#[test]
fn every_rule_finds_the_planted_anomalies_of_the_sample() {
    let path = sample_project("quality");
    let p = Project::open(&path).unwrap();
    let truth_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db/planted_anomalies.parquet");
    let quality = measure(&p, &truth_file);
    for q in &quality {
        assert!(
            q.recall() >= 0.95,
            "{}: recall {:.3} ({q:?})",
            q.rule_id,
            q.recall()
        );
        assert!(
            q.precision() >= 0.90,
            "{}: precision {:.3} ({q:?})",
            q.rule_id,
            q.precision()
        );
    }
    // Periods agree with the truth where both have one: the suspect names the month the
    // anomaly starts (a run of estimated reads may really start a month before the planted
    // one, when a natural estimate precedes it).
    let off: i64 = p
        .conn()
        .query_row(
            "SELECT count(*) FROM truth t JOIN audit_suspects s ON s.rule_id = t.rule_id \
             AND s.entity_id = t.entity_id WHERE t.period IS NOT NULL AND s.period IS NOT NULL \
             AND t.rule_id IN ('zero_kwh', 'kwh_jump', 'reading', 'estimated', 'arrears_age', 'late_fee', \
             'adjustment', 'closed_consuming', 'line_loss', 'repeat_complaint', 'new_customer') \
             AND NOT EXISTS (SELECT 1 FROM audit_suspects s2 WHERE s2.rule_id = t.rule_id \
             AND s2.entity_id = t.entity_id \
             AND s2.period BETWEEN t.period - INTERVAL 1 MONTH AND t.period)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(off, 0, "suspects whose month differs from the planted month");

    // The same province with the second noise model: the figures are reported whatever
    // they are; a rule still finds most of what was planted.
    let noisy_dir = tmp("quality-noisy");
    let spec = mams::sample::SampleSpec {
        noisy: true,
        ..mams::sample::COMMITTED
    };
    mams::sample::generate(&spec, &noisy_dir.join("extracts"), &Progress::new()).unwrap();
    let noisy_path = noisy_dir.join("noisy.duckdb");
    let _ = std::fs::remove_file(&noisy_path);
    mams::import::build_project(&noisy_path, &noisy_dir.join("extracts"), &Progress::new()).unwrap();
    let noisy_project = Project::open(&noisy_path).unwrap();
    let noisy = measure(
        &noisy_project,
        &noisy_dir.join("extracts").join(mams::sample::TRUTH_FILE),
    );
    for q in &noisy {
        assert!(
            q.recall() >= 0.6,
            "{} on noisy data: recall {:.3} ({q:?})",
            q.rule_id,
            q.recall()
        );
    }
    // The truth has accounts with two problems, and the noise makes suspects the truth
    // does not have (the clean sample has none).
    let two: i64 = noisy_project
        .conn()
        .query_row(
            "SELECT count(*) FROM (SELECT entity_id FROM truth GROUP BY entity_id HAVING count(DISTINCT rule_id) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(two > 50, "{two} accounts with two planted problems");
    assert!(noisy.iter().map(|q| q.suspects - q.correct).sum::<usize>() > 100);

    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let want = rules_markdown(builtin(), &quality, &noisy);
    if std::env::var_os("MAMS_BLESS").is_some() {
        std::fs::write(&doc, &want).unwrap();
    }
    assert!(
        std::fs::read_to_string(&doc).unwrap_or_default() == want,
        "docs/rules.md is stale: run MAMS_BLESS=1 cargo test --release"
    );
}

#[test]
fn rerunning_keeps_the_triage_state_and_never_duplicates_suspects() {
    let path = sample_project("rerun");
    let p = Project::open(&path).unwrap();
    let rules = vec!["zero_kwh".to_string(), "arrears_age".to_string()];
    let first = run_all(&p, rules.clone()).saved.unwrap();
    assert!(first.found > 50 && first.new == first.found, "{first:?}");
    let (rows, total) = stored::suspects(&p, &SuspectFilter::default()).unwrap();
    assert_eq!(total as usize, rows.len());
    let key = rows[0].key.clone();
    let note = Change {
        to: Some(Status::Verifying),
        note: "site visit booked".into(),
        ..Default::default()
    };
    triage::apply(&p, std::slice::from_ref(&key), &note, "tester").unwrap();

    let second = run_all(&p, rules.clone()).saved.unwrap();
    assert_eq!(second.found, first.found);
    assert_eq!(second.new, 0, "nothing new on the same data");
    let (again, total_again) = stored::suspects(&p, &SuspectFilter::default()).unwrap();
    assert_eq!(total_again, total, "no duplicates");
    let kept = again.iter().find(|s| s.key == key).unwrap();
    assert_eq!(kept.status, "verifying");
    assert_eq!(kept.last_run_id, second.run_id);

    // A stricter threshold: suspects no longer found are marked, not deleted, and keep
    // their state.
    stored::set_param(&p, "zero_kwh", "min_months", Some(24.0)).unwrap();
    let third = run_all(&p, rules).saved.unwrap();
    assert!(third.gone > 0, "{third:?}");
    let (visible, _) = stored::suspects(&p, &SuspectFilter::default()).unwrap();
    assert!(visible.iter().all(|s| s.rule_id != "zero_kwh"));
    let all = SuspectFilter {
        include_gone: true,
        ..Default::default()
    };
    assert_eq!(stored::suspects(&p, &all).unwrap().1, total);
    assert_eq!(stored::suspect(&p, &key).unwrap().unwrap().status, "verifying");
}

#[test]
fn a_suspect_is_worked_from_new_to_closed_with_an_append_only_trail() {
    let path = sample_project("loop");
    let p = Project::open(&path).unwrap();
    run_all(&p, vec!["late_fee".into()]);
    let (rows, _) = stored::suspects(&p, &SuspectFilter::default()).unwrap();
    let (a, b) = (rows[0].key.clone(), rows[1].key.clone());
    let step = |to, f: &dyn Fn(&mut Change)| {
        let mut c = Change {
            to: Some(to),
            note: format!("to {}", to.id()),
            ..Default::default()
        };
        f(&mut c);
        triage::apply(&p, std::slice::from_ref(&a), &c, "auditor")
    };
    step(Status::Verifying, &|_| {}).unwrap();
    step(Status::Confirmed, &|_| {}).unwrap();
    // A rectification needs a unit and a due date; refused without, nothing written.
    assert!(step(Status::Rectifying, &|_| {}).is_err());
    let due = month(2026, 2);
    step(Status::Rectifying, &|c| {
        c.assignee_unit = Some("C01".into());
        c.due_on = Some(due);
    })
    .unwrap();
    step(Status::Rectified, &|_| {}).unwrap();
    assert!(
        step(Status::Closed, &|_| {}).is_err(),
        "closing needs the money recovered"
    );
    step(Status::Closed, &|c| c.recovered = Some(1234.5)).unwrap();
    let s = stored::suspect(&p, &a).unwrap().unwrap();
    assert_eq!(
        (
            s.status.as_str(),
            s.assignee_unit.as_deref(),
            s.due_on,
            s.recovered
        ),
        ("closed", Some("C01"), Some(due), Some(1234.5))
    );
    let trail = stored::trail(&p, &a).unwrap();
    let path_taken: Vec<&str> = trail.iter().map(|t| t.to_status.as_str()).collect();
    assert_eq!(
        path_taken,
        ["verifying", "confirmed", "rectifying", "rectified", "closed"]
    );
    assert!(trail.iter().all(|t| t.actor == "auditor"));
    assert_eq!(trail[0].from_status.as_deref(), Some("new"));

    // Bulk: one suspect that cannot take the change stops the whole batch.
    let fp = Change {
        to: Some(Status::FalsePositive),
        fp_reason: Some("meter replaced, archive late".into()),
        ..Default::default()
    };
    let err = triage::apply(&p, &[b.clone(), a.clone()], &fp, "auditor").unwrap_err();
    assert!(err.to_string().contains(&a), "{err}");
    assert_eq!(stored::suspect(&p, &b).unwrap().unwrap().status, "new");
    triage::apply(&p, std::slice::from_ref(&b), &fp, "auditor").unwrap();
    let precision = stored::precision(&p).unwrap();
    let late: Vec<_> = precision.iter().filter(|r| r.rule_id == "late_fee").collect();
    assert_eq!(late.iter().map(|r| r.confirmed).sum::<u64>(), 1);
    assert_eq!(late.iter().map(|r| r.false_positives).sum::<u64>(), 1);
    assert!(
        late.iter().all(|r| r.unit_id.starts_with('C')),
        "precision per city: {late:?}"
    );
}

fn meta(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","name_en":"Test {id}","name_zh":"测试","category":"billing","severity":2,
            "entity":"customer","description_en":"","description_zh":"","params":[],
            "explanation_en":"{{entity_id}}","explanation_zh":"{{entity_id}}"}}"#
    )
}

#[test]
fn a_project_rule_cannot_run_a_second_statement_or_write() {
    // Found by a review (issue 15): the query is wrapped in a subquery, but closing it and
    // adding statements ran them (duckdb-rs runs every statement but the last when it
    // prepares), so a "rule" wrote a file and dropped a table.
    let path = sample_project("user-rules-escapes");
    let p = Project::open(&path).unwrap();
    let dir = tmp("user-rules-escapes-out");
    let written = dir.join("escape.csv");
    let attached = dir.join("other.duckdb");
    let payments = |p: &Project| -> i64 {
        p.conn()
            .query_row("SELECT count(*) FROM payments", [], |r| r.get(0))
            .unwrap()
    };
    let before = payments(&p);
    let escapes = [
        "SELECT 1 AS x) q; DROP TABLE payments; SELECT * FROM (SELECT 1".to_string(),
        format!(
            "SELECT 1 AS x) q; COPY (SELECT * FROM customers) TO '{}'; SELECT * FROM (SELECT 1",
            written.display()
        ),
        format!(
            "SELECT 1 AS x) q; ATTACH '{}' AS other; SELECT * FROM (SELECT 1",
            attached.display()
        ),
        "SELECT 1 AS x) q; -- a comment\nUPDATE payments SET amount = 0; SELECT * FROM (SELECT 1".to_string(),
        "WITH gone AS (DELETE FROM payments RETURNING *) SELECT 'customer' AS entity_type, \
         customer_id AS entity_id, 'P' AS unit_id, NULL::DATE AS period, 0.0 AS amount, 0.5 AS confidence FROM gone"
            .to_string(),
    ];
    for (i, query) in escapes.iter().enumerate() {
        let id = format!("escape{i}");
        let err = run::save_project_rule(&p, &meta(&id), query);
        assert!(err.is_err(), "{query} was kept");
        assert_eq!(payments(&p), before, "{query} changed the payments");
    }
    assert!(!written.exists(), "a rule wrote a file");
    assert!(!attached.exists(), "a rule attached a database");
    let kept: i64 = p
        .conn()
        .query_row("SELECT count(*) FROM project_rules", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 0);
}

#[test]
fn a_project_rule_or_the_console_cannot_read_or_write_files_outside_the_project() {
    // Issue 15: a SELECT could read any file the user can (read_csv('/etc/passwd')) on the
    // project's own connection, and MAMS's own exports wrote with COPY from there.
    let path = sample_project("user-rules-files");
    let p = Project::open(&path).unwrap();
    let dir = tmp("user-rules-files-out");
    let secret = dir.join("secret.csv");
    std::fs::write(&secret, "token\nhunter2\n").unwrap();
    let secret_sql = secret.to_string_lossy().replace('\'', "''");
    let reads = [
        format!("SELECT * FROM read_csv('{secret_sql}')"),
        format!("SELECT * FROM '{secret_sql}'"),
        format!("SELECT content FROM read_text('{secret_sql}')"),
        format!(
            "SELECT * FROM glob('{}/*')",
            dir.to_string_lossy().replace('\'', "''")
        ),
        "SELECT * FROM read_blob('/etc/hostname')".to_string(),
    ];
    for read in &reads {
        let rule = format!(
            "SELECT 'customer' AS entity_type, CAST(t AS VARCHAR) AS entity_id, 'P' AS unit_id, \
             NULL::DATE AS period, 0.0 AS amount, 0.5 AS confidence FROM ({read}) AS f(t)"
        );
        let err = run::save_project_rule(&p, &meta("reads"), &rule).expect_err(read);
        let err = format!("{err:#}");
        assert!(!err.contains("hunter2"), "the file's content leaked: {err}");
        let console = mams::store::queries::run_console(&p, read, 10).expect_err(read);
        assert!(
            format!("{console:#}").contains("disabled by configuration"),
            "{read}: {console:#}"
        );
    }
    let copied = dir.join("copied.csv");
    let copy = format!(
        "COPY (SELECT 1) TO '{}'",
        copied.to_string_lossy().replace('\'', "''")
    );
    assert!(
        p.conn().execute_batch(&copy).is_err(),
        "the writing connection wrote a file"
    );
    assert!(!copied.exists());
    // MAMS's own exports still reach the folder the user chose, through the private folder.
    let exported = dir.join("customers.csv");
    let q = mams::store::rows::RowsQuery {
        failing: None,
        table: "customers",
        unit: "P".into(),
        month: None,
        only: None,
        search: String::new(),
        sort: None,
        offset: 0,
        limit: 100,
    };
    let n = mams::store::rows::export(&p, &q, &exported, mams::privacy::Disclosure::Masked).unwrap();
    assert!(n > 100 && exported.exists());
    let scratch = path.parent().unwrap().join(mams::store::scratch::FOLDER);
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        0,
        "nothing left behind"
    );
}

#[test]
fn broken_slow_or_writing_project_rules_get_a_clear_message_and_change_nothing() {
    let path = sample_project("user-rules");
    let p = Project::open(&path).unwrap();
    let customers = |p: &Project| -> i64 {
        p.conn()
            .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
            .unwrap()
    };
    let before = customers(&p);

    let err = run::save_project_rule(&p, &meta("typo"), "SELECT customer_id\nFORM customers")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2 of the query"), "{err}");
    let err = run::save_project_rule(
        &p,
        &meta("cols"),
        "SELECT customer_id AS entity_id FROM customers",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("lacks entity_type, unit_id, period, amount, confidence"),
        "{err}"
    );
    let err = run::save_project_rule(&p, &meta("writer"), "DELETE FROM customers")
        .unwrap_err()
        .to_string();
    assert!(err.contains("rule writer"), "{err}");
    let err = run::save_project_rule(&p, &meta("sneaky"), "SELECT 1; DROP TABLE customers")
        .unwrap_err()
        .to_string();
    assert!(err.contains("rule sneaky"), "{err}");
    let err = run::save_project_rule(&p, &meta("zero_kwh"), "SELECT 1")
        .unwrap_err()
        .to_string();
    assert!(err.contains("built-in"), "{err}");
    assert_eq!(customers(&p), before);

    // A good rule is kept and runs with the others.
    let good = "SELECT 'customer' AS entity_type, customer_id AS entity_id, unit_id, NULL::DATE AS period, \
                0.0 AS amount, 0.5 AS confidence, capacity_kva FROM customers WHERE capacity_kva > 10000";
    run::save_project_rule(&p, &meta("huge"), good).unwrap();
    // A slow one is stopped by its timeout; the other rules of the run are unaffected.
    let slow = "SELECT 'customer' AS entity_type, 'x' AS entity_id, 'P' AS unit_id, NULL::DATE AS period, \
                0.0 AS amount, 0.5 AS confidence, sum(hash(a.range // 7)) AS n \
                FROM range(20000000000) a";
    run::save_project_rule(&p, &meta("slow"), slow).unwrap();
    let (library, _) = run::library(&p).unwrap();
    let mut spec = RunSpec::new(
        month(2025, 1),
        month(2025, 1),
        "P",
        vec!["huge".into(), "slow".into(), "zero_kwh".into()],
    );
    spec.project_rule_timeout = Duration::from_millis(300);
    let report = run::run(&p, &library, &spec, true, &Progress::new()).unwrap();
    let outcome = |id: &str| report.outcomes.iter().find(|o| o.rule_id == id).unwrap().clone();
    assert!(
        outcome("huge").error.is_none() && outcome("huge").suspects > 0,
        "{:?}",
        outcome("huge")
    );
    assert!(
        outcome("slow")
            .error
            .as_deref()
            .unwrap_or("")
            .contains("longer than"),
        "{:?}",
        outcome("slow")
    );
    assert!(outcome("slow").seconds < 5.0);
    assert!(outcome("zero_kwh").error.is_none());
    assert_eq!(customers(&p), before);

    // Cancelling a run stops it and stores nothing.
    spec.project_rule_timeout = Duration::from_secs(60);
    let progress = Progress::new();
    let canceller = {
        let progress = progress.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            progress.cancel();
        })
    };
    let runs_before: i64 = p
        .conn()
        .query_row("SELECT count(*) FROM audit_runs", [], |r| r.get(0))
        .unwrap();
    spec.rules = vec!["slow".into()];
    assert!(run::run(&p, &library, &spec, true, &progress).is_err());
    canceller.join().unwrap();
    let runs_after: i64 = p
        .conn()
        .query_row("SELECT count(*) FROM audit_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs_after, runs_before);
}

#[test]
fn mams_audit_prints_explained_suspects_and_refuses_unknown_rules() {
    let path = sample_project("cli");
    let p = path.to_string_lossy().into_owned();
    let out = mams(&[
        "audit",
        &p,
        "--period",
        "2024-01",
        "--to",
        "2025-12",
        "--rules",
        "two_part_tariff",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let items: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 19);
    let first = &items[0];
    assert_eq!(first["rule_id"], "two_part_tariff");
    assert_eq!(first["status"], "new");
    let sentence = first["explanation"].as_str().unwrap();
    assert!(
        sentence.contains("kVA billed on single-part tariff"),
        "{sentence}"
    );
    assert!(first["evidence"]["capacity_kva"].as_f64().unwrap() >= 315.0);
    assert!(stderr(&out).contains("19 suspects, 19 new"), "{}", stderr(&out));

    let out = mams(&["audit", &p, "--period", "2024-01", "--rules", "nonsense"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no rule nonsense"), "{}", stderr(&out));
    let out = mams(&["audit", &p, "--list"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out).lines().filter(|l| l.contains("zero_kwh")).count(), 1);
}

#[test]
fn the_loop_and_the_case_library_work_from_the_command_line() {
    let path = sample_project("cli-loop");
    let p = path.to_string_lossy().into_owned();
    let out = mams(&[
        "audit", &p, "--period", "2024-01", "--to", "2025-12", "--rules", "late_fee", "--format", "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let items: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let key = items[0]["key"].as_str().unwrap().to_string();
    // Promoting needs a confirmed problem.
    let out = mams(&["cases", "promote", &p, &key]);
    assert!(
        !out.status.success() && stderr(&out).contains("only a confirmed problem"),
        "{}",
        stderr(&out)
    );
    for to in ["verifying", "confirmed"] {
        let out = mams(&["triage", &p, &key, "--to", to, "--note", "checked the bill"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = mams(&["triage", &p, &key, "--to", "closed"]);
    assert!(
        !out.status.success() && stderr(&out).contains("can only become rectifying"),
        "{}",
        stderr(&out)
    );
    let out = mams(&["cases", "promote", &p, &key]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&mams::audit::cases::case_id_for(&key)));

    // The starter library merges in once; searching it in Chinese finds the multiplier cases.
    let starter = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/cases/starter.json");
    let starter = starter.to_string_lossy().into_owned();
    let out = mams(&["cases", "import", &p, &starter]);
    assert!(
        stderr(&out).contains("36 cases added, 0 updated"),
        "{}",
        stderr(&out)
    );
    let out = mams(&["cases", "import", &p, &starter]);
    assert!(
        stderr(&out).contains("0 cases added, 36 updated"),
        "{}",
        stderr(&out)
    );
    let out = mams(&["cases", "search", &p, "倍率", "--format", "json"]);
    let found: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ids: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"KB-2023-011") && ids.contains(&"KB-2024-012"),
        "{ids:?}"
    );
    assert!(!ids.contains(&"KB-2024-024"));

    // Export as JSON and XLSX; another project takes either without duplicates.
    let dir = tmp("cli-loop-export");
    for file in ["cases.json", "cases.xlsx"] {
        let f = dir.join(file).to_string_lossy().into_owned();
        let out = mams(&["cases", "export", &p, &f]);
        assert!(stderr(&out).contains("37 cases written"), "{}", stderr(&out));
    }
    let other = sample_project("cli-loop-other");
    let o = other.to_string_lossy().into_owned();
    let json = dir.join("cases.json").to_string_lossy().into_owned();
    let xlsx = dir.join("cases.xlsx").to_string_lossy().into_owned();
    assert!(stderr(&mams(&["cases", "import", &o, &json])).contains("37 cases added, 0 updated"));
    assert!(stderr(&mams(&["cases", "import", &o, &xlsx])).contains("0 cases added, 37 updated"));
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"cases\": [{\"case_id\": \"\", \"title\": \"x\"}]}").unwrap();
    let out = mams(&["cases", "import", &o, &broken.to_string_lossy()]);
    assert!(
        !out.status.success() && stderr(&out).contains("has no case_id"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_case_keeps_its_attached_files_in_the_project() {
    let path = sample_project("attach");
    let p = Project::open(&path).unwrap();
    let dir = tmp("attach-files");
    let photo = dir.join("site-photo.jpg");
    std::fs::write(&photo, [0xFFu8, 0xD8, 0xFF, 0x00, 0x42]).unwrap();
    let case = mams::store::cases::Case {
        case_id: "KB-TEST-1".into(),
        title: "现场照片".into(),
        ..Default::default()
    };
    mams::audit::cases::save(&p, &case, &[photo.as_path()]).unwrap();
    let all = mams::store::cases::all(&p).unwrap();
    assert_eq!(all[0].files, ["site-photo.jpg"]);
    assert_eq!(
        mams::store::cases::file(&p, "KB-TEST-1", "site-photo.jpg")
            .unwrap()
            .unwrap(),
        vec![0xFFu8, 0xD8, 0xFF, 0x00, 0x42]
    );
    // A missing file stops the save and nothing is written.
    let mut other = case.clone();
    other.case_id = "KB-TEST-2".into();
    let err = mams::audit::cases::save(&p, &other, &[dir.join("missing.pdf").as_path()]).unwrap_err();
    assert!(err.to_string().contains("missing.pdf"), "{err}");
    assert!(!mams::store::cases::exists(&p, "KB-TEST-2").unwrap());
}

#[test]
fn the_audit_trail_is_a_hash_chain_that_shows_an_edit_made_outside_mams() {
    use mams::audit::chain;
    let path = sample_project("trail-chain");
    {
        let p = Project::open(&path).unwrap();
        run_all(&p, vec!["zero_kwh".into()]);
        let (rows, _) = stored::suspects(
            &p,
            &SuspectFilter {
                statuses: vec!["new".into()],
                limit: Some(3),
                ..Default::default()
            },
        )
        .unwrap();
        let keys: Vec<String> = rows.iter().map(|s| s.key.clone()).collect();
        triage::apply(
            &p,
            &keys,
            &Change {
                to: Some(Status::Verifying),
                note: "site visit".into(),
                ..Default::default()
            },
            &mams::account::name(),
        )
        .unwrap();
        let state = chain::verify(&p).unwrap();
        assert!(state.is_intact(), "{state:?}");
        assert_eq!(state.entries, 3);
        // An independent recomputation of the first link: SHA-256 of the genesis text and
        // the entry's fields, each after a 0x1f byte.
        let chained = stored::chained_trail(&p).unwrap();
        let (seq, hash, e) = &chained[0];
        let mut text = chain::GENESIS.as_bytes().to_vec();
        for f in [
            seq.to_string(),
            e.suspect_key.clone(),
            e.changed_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            e.actor.clone(),
            "new".into(),
            "verifying".into(),
            "site visit".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ] {
            text.push(0x1f);
            text.extend(f.as_bytes());
        }
        let c = duckdb::Connection::open_in_memory().unwrap();
        let want: String = c
            .query_row(
                "SELECT sha256(?::BLOB)",
                [duckdb::types::Value::Blob(text)],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(hash, &want);
        // The actor is the operating-system account, whatever USER says.
        assert_eq!(e.actor, mams::account::name());
    }
    // Another DuckDB client changes a note: the chain is broken at that entry, and MAMS says so.
    {
        let c = duckdb::Connection::open(&path).unwrap();
        c.execute("UPDATE audit_trail SET note = 'nothing found' WHERE seq = 2", [])
            .unwrap();
    }
    let p = Project::open(&path).unwrap();
    let state = chain::verify(&p).unwrap();
    assert_eq!(state.broken_at.as_ref().map(|b| b.0), Some(2), "{state:?}");
    assert!(state.text().en.contains("BROKEN at entry 2"));
    drop(p);
    let o = mams(&["info", path.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stdout(&o).contains("the chain is BROKEN at entry 2"),
        "{}",
        stdout(&o)
    );
    // A removed entry breaks it too.
    {
        let c = duckdb::Connection::open(&path).unwrap();
        c.execute("UPDATE audit_trail SET note = 'site visit' WHERE seq = 2", [])
            .unwrap();
        let p2 = c
            .query_row("SELECT count(*) FROM audit_trail", [], |r| r.get::<_, i64>(0))
            .unwrap();
        assert_eq!(p2, 3);
        c.execute("DELETE FROM audit_trail WHERE seq = 1", []).unwrap();
    }
    let p = Project::open(&path).unwrap();
    assert!(!chain::verify(&p).unwrap().is_intact());
}

#[test]
fn entries_written_before_the_chain_are_chained_by_the_next_change() {
    use mams::audit::chain;
    let path = sample_project("trail-legacy");
    let p = Project::open(&path).unwrap();
    run_all(&p, vec!["zero_kwh".into()]);
    let (rows, _) = stored::suspects(
        &p,
        &SuspectFilter {
            statuses: vec!["new".into()],
            limit: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    let keys: Vec<String> = rows.iter().map(|s| s.key.clone()).collect();
    let to = |s| Change {
        to: Some(s),
        ..Default::default()
    };
    triage::apply(&p, &keys[..1], &to(Status::Verifying), "a").unwrap();
    // As a project written before schema version 19 holds them: no place, no hash.
    p.conn()
        .execute_batch("UPDATE audit_trail SET seq = NULL, hash = NULL")
        .unwrap();
    let state = chain::verify(&p).unwrap();
    assert_eq!((state.entries, state.unchained), (0, 1));
    assert!(state.is_intact());
    triage::apply(&p, &keys[1..2], &to(Status::Verifying), "a").unwrap();
    let state = chain::verify(&p).unwrap();
    assert_eq!((state.entries, state.unchained), (2, 0));
    assert!(state.is_intact());
    // The older entry comes first in the chain.
    assert_eq!(stored::chained_trail(&p).unwrap()[0].2.suspect_key, keys[0]);
}
