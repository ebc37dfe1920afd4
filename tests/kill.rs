//! `kill -9` at moments spread over an import, an audit run and a triage change: the project
//! must open afterwards and hold the state before or the state after, never a mix. CI runs 3
//! kills of each; `MAMS_KILL_ROUNDS=20 cargo test --release --test kill -- --nocapture` runs
//! the full 20 (installer/README.md, docs/security.md).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use mams::store::Project;

fn rounds() -> usize {
    std::env::var("MAMS_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

/// What a project holds, in numbers a partial write would change: counts and sums read with
/// plain SQL, and whether the audit trail's chain holds.
fn state(path: &Path) -> Vec<String> {
    let p = Project::open(path)
        .unwrap_or_else(|e| panic!("{} does not open after the kill: {e}", path.display()));
    let one = |sql: &str| -> String {
        p.conn()
            .query_row(sql, [], |r| r.get::<_, Option<String>>(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .unwrap_or_default()
    };
    let chain = mams::audit::chain::verify(&p).unwrap();
    vec![
        one("SELECT count(*)::VARCHAR FROM customers"),
        one("SELECT count(*)::VARCHAR || '/' || round(sum(amount), 2)::VARCHAR FROM bills"),
        one("SELECT count(*)::VARCHAR FROM imports"),
        one("SELECT count(*)::VARCHAR FROM audit_runs"),
        one(
            "SELECT count(*)::VARCHAR || '/' || count(*) FILTER (WHERE status <> 'new')::VARCHAR FROM audit_suspects",
        ),
        one("SELECT count(*)::VARCHAR FROM audit_trail"),
        format!("chain intact: {}", chain.is_intact()),
    ]
}

fn copy_of(base: &Path, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(format!("{name}.duckdb"));
    std::fs::copy(base, &to).unwrap();
    to
}

fn spawn(args: &[String]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_mams"))
        .args(args)
        .env("MAMS_HOME", tmp("kill-home"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mams")
}

/// Runs `args` (with the project's path for "{p}") on copies of `base`: once to the end, then
/// killed at moments spread over that run's duration. Returns how many kills left the old
/// state and how many the new.
fn kill_during(name: &str, base: &Path, args: &[&str]) -> (usize, usize) {
    let dir = tmp(&format!("kill-{name}"));
    let with = |p: &Path| -> Vec<String> {
        args.iter()
            .map(|a| a.replace("{p}", p.to_str().unwrap()))
            .collect()
    };
    let old = state(&copy_of(base, &dir, "old"));
    let done = copy_of(base, &dir, "done");
    let started = Instant::now();
    let status = spawn(&with(&done)).wait().unwrap();
    let took = started.elapsed();
    assert!(status.success(), "{name} does not run to the end");
    let new = state(&done);
    assert_ne!(old, new, "{name} changes nothing to kill");
    let (mut olds, mut news) = (0, 0);
    let n = rounds();
    for i in 0..n {
        let p = copy_of(base, &dir, &format!("killed-{i}"));
        let mut child = spawn(&with(&p));
        // Moments spread evenly over the run, from its start to a little past its end.
        let at = took.mul_f64((i as f64 + 0.5) / n as f64 * 1.1);
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        // Give the lock of the killed process time to go.
        std::thread::sleep(Duration::from_millis(20));
        let s = state(&p);
        if s == old {
            olds += 1;
        } else if s == new {
            news += 1;
        } else {
            panic!(
                "{name}: killed at {at:?} of {took:?} left a mix:\n old {old:?}\n new {new:?}\n got {s:?}"
            );
        }
        let _ = std::fs::remove_file(&p);
        let _ = std::fs::remove_file(p.with_extension("duckdb.wal"));
    }
    eprintln!("{name}: run of {took:?}; {n} kills: {olds} left the old state, {news} the new");
    (olds, news)
}

#[test]
fn a_killed_import_audit_or_triage_leaves_the_old_or_the_new_state() {
    let base = small_project("kill-base");
    // Another extract of the same months (another seed): an import that replaces them.
    let other = tmp("kill-other-sample");
    mams::sample::generate(
        &mams::sample::SampleSpec { seed: 12, ..SMALL },
        &other,
        &mams::progress::Progress::new(),
    )
    .unwrap();
    let other = other.to_str().unwrap().to_string();
    kill_during("import", &base, &["import", "{p}", &other]);

    kill_during(
        "audit",
        &base,
        &["audit", "{p}", "--period", "2024-06", "--to", "2025-02"],
    );

    // Triage: every suspect of an audited project moved at once, in one change.
    let audited = tmp("kill-audited").join("project.duckdb");
    std::fs::copy(&base, &audited).unwrap();
    let o = mams(&[
        "audit",
        audited.to_str().unwrap(),
        "--period",
        "2024-06",
        "--to",
        "2025-02",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let keys: Vec<String> = {
        let p = Project::open_read_only(&audited).unwrap();
        let mut stmt = p
            .conn()
            .prepare("SELECT suspect_key FROM audit_suspects WHERE status = 'new'")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(keys.len() > 50, "{} suspects", keys.len());
    let mut args = vec!["triage", "{p}", "--to", "verifying", "--note", "kill test"];
    args.extend(keys.iter().map(String::as_str));
    kill_during("triage", &audited, &args);
}
