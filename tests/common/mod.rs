//! Helpers shared by the integration tests: a small generated sample and projects built
//! from it, in a temporary folder of this test process.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use chrono::NaiveDate;
use mams::progress::Progress;
use mams::sample::{self, SampleSpec};

/// The folder of this test process's files. The folders that test processes which are gone
/// left behind (about 0.5 GB a run) are removed the first time, so that repeated runs do
/// not fill the disk.
fn run_folder() -> PathBuf {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER
        .get_or_init(|| {
            let base = std::env::temp_dir();
            if Path::new("/proc").is_dir()
                && let Ok(entries) = std::fs::read_dir(&base)
            {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let gone = name
                        .strip_prefix("mams-it-")
                        .and_then(|pid| pid.parse::<u32>().ok())
                        .is_some_and(|pid| !Path::new("/proc").join(pid.to_string()).exists());
                    if gone {
                        let _ = std::fs::remove_dir_all(e.path());
                    }
                }
            }
            base.join(format!("mams-it-{}", std::process::id()))
        })
        .clone()
}

/// A fresh, empty folder for one test.
pub fn tmp(name: &str) -> PathBuf {
    let d = run_folder().join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub const SMALL: SampleSpec = SampleSpec {
    customers: 900,
    months: 14,
    seed: 11,
    first_month: match NaiveDate::from_ymd_opt(2024, 1, 1) {
        Some(d) => d,
        None => panic!(),
    },
    noisy: false,
};

/// A small sample, generated once per test binary.
pub fn small_sample() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tmp("small-sample");
        sample::generate(&SMALL, &d, &Progress::new()).expect("generate the small sample");
        d
    })
}

/// A new project built from the small sample.
pub fn small_project(name: &str) -> PathBuf {
    let path = tmp(name).join("project.duckdb");
    mams::import::build_project(&path, small_sample(), &Progress::new()).expect("build the project");
    path
}

/// Runs the `mams` binary.
pub fn mams(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mams"))
        .args(args)
        .env("MAMS_HOME", run_folder().join("home"))
        .output()
        .expect("run mams")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A new project holding the rows `sql` inserts (hand-written test data), its org tree
/// indexed.
pub fn project_from_sql(name: &str, sql: &str) -> PathBuf {
    let path = tmp(name).join("project.duckdb");
    let p = mams::store::Project::create(&path).unwrap();
    p.conn().execute_batch(sql).unwrap();
    mams::store::loading::rebuild_org_closure(&p).unwrap();
    path
}

/// The customers of a project with an ID number and a phone: (name, id_number, phone), read
/// with plain SQL (for the checks that personal data does not leak).
pub fn customers_of(path: &Path) -> Vec<(String, String, String)> {
    let p = mams::store::Project::open_read_only(path).unwrap();
    let mut stmt = p
        .conn()
        .prepare("SELECT name, id_number, phone FROM customers WHERE id_number <> '' AND phone <> ''")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}
