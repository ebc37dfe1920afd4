//! Projects encrypted at rest: made, converted and opened only with their passphrase; the file
//! and DuckDB's spill files hold nothing readable; the command line asks without echo or reads
//! a passphrase file.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use mams::progress::Progress;
use mams::store::{Project, ProjectError, encryption, keys};

const PASS: &str = "correct horse battery staple";

fn holds(bytes: &[u8], s: &str) -> bool {
    !s.is_empty() && memchr::memmem::find(bytes, s.as_bytes()).is_some()
}

/// Whether any of the customers' ID numbers, phones or longer names is in `bytes`.
fn readable(bytes: &[u8], people: &[(String, String, String)]) -> Option<String> {
    people
        .iter()
        .flat_map(|(n, i, p)| [n, i, p])
        .filter(|s| s.chars().count() >= 3)
        .find(|s| holds(bytes, s))
        .cloned()
}

fn count(p: &Project, sql: &str) -> i64 {
    p.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn is_error<T>(r: Result<T, ProjectError>, what: fn(&ProjectError) -> bool) -> String {
    match r {
        Ok(_) => panic!("opened"),
        Err(e) => {
            assert!(what(&e), "{e}");
            e.to_string()
        }
    }
}

#[test]
fn a_project_encrypted_in_place_opens_only_with_its_passphrase() {
    let path = small_project("encrypt-in-place");
    let people = customers_of(&path);
    let plain = std::fs::read(&path).unwrap();
    assert!(
        readable(&plain, &people).is_some(),
        "the check finds the customers in a plain file"
    );
    let (bills, trail) = {
        let p = Project::open(&path).unwrap();
        // The control of the log check below: a plain project's log holds what was written.
        assert!(wal_holds_what_is_written(&p, "plain-note-4711"));
        (
            count(&p, "SELECT count(*) FROM bills"),
            mams::audit::chain::verify(&p).unwrap(),
        )
    };

    Project::reseal(&path, Some(keys::derive(PASS))).unwrap();
    assert!(encryption::is_encrypted(&path).unwrap());
    let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("reseal") || n.ends_with(".wal"))
        .collect();
    assert!(left.is_empty(), "left beside the project: {left:?}");
    let sealed = std::fs::read(&path).unwrap();
    assert_eq!(readable(&sealed, &people), None);

    // Without a passphrase, and with a wrong one: refused, and said so.
    keys::forget(&path);
    let said = is_error(Project::open(&path), |e| matches!(e, ProjectError::Encrypted(_)));
    assert!(
        said.contains("is encrypted") && said.contains("passphrase"),
        "{said}"
    );
    keys::remember(&path, keys::derive("Tr0ub4dor&3 Tr0ub4dor&3"));
    let said = is_error(Project::open_read_only(&path), |e| {
        matches!(e, ProjectError::WrongPassphrase(_))
    });
    assert!(said.contains("passphrase is wrong"), "{said}");
    // The wrong key is forgotten: the next open asks again instead of failing the same way.
    is_error(Project::open(&path), |e| matches!(e, ProjectError::Encrypted(_)));

    // With it: the same rows and trail, writable, and reopened after a write.
    keys::remember(&path, keys::derive(PASS));
    {
        let p = Project::open(&path).unwrap();
        assert!(p.is_encrypted());
        assert_eq!(count(&p, "SELECT count(*) FROM bills"), bills);
        let after = mams::audit::chain::verify(&p).unwrap();
        assert!(after.is_intact());
        assert_eq!(after.entries, trail.entries);
        p.conn()
            .execute_batch("CREATE TABLE scratch_note AS SELECT 42 AS x")
            .unwrap();
        assert!(!wal_holds_what_is_written(&p, "sealed-note-4711"));
    }
    {
        let p = Project::open_read_only(&path).unwrap();
        assert_eq!(count(&p, "SELECT x FROM scratch_note"), 42);
        // Read-only means read-only here too: no write, no file written elsewhere.
        assert!(p.conn().execute_batch("CREATE TABLE t (x INT)").is_err());
        let out = path.with_extension("leak.csv");
        let copy = format!("COPY customers TO '{}'", out.display());
        assert!(p.conn().execute_batch(&copy).is_err());
        assert!(!out.exists());
    }

    // A new passphrase replaces the old one.
    Project::reseal(&path, Some(keys::derive("a second passphrase, longer"))).unwrap();
    keys::remember(&path, keys::derive(PASS));
    is_error(Project::open(&path), |e| {
        matches!(e, ProjectError::WrongPassphrase(_))
    });
    keys::remember(&path, keys::derive("a second passphrase, longer"));

    // Plain again: readable without a key, and the access log says the file left its
    // protection.
    Project::reseal(&path, None).unwrap();
    keys::forget(&path);
    assert!(!encryption::is_encrypted(&path).unwrap());
    let p = Project::open(&path).unwrap();
    assert_eq!(count(&p, "SELECT count(*) FROM bills"), bills);
    let log = mams::store::access_log::list(&p, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].channel, "decrypt");
    assert_eq!(log[0].rows, 900);
    drop(p);
    let e = Project::reseal(&path, None).unwrap_err().to_string();
    assert!(e.contains("is not encrypted"), "{e}");
}

/// Writes `note` (not checkpointed yet: it is in the write-ahead log only) and says whether
/// the log file holds it readable.
fn wal_holds_what_is_written(p: &Project, note: &str) -> bool {
    p.conn()
        .execute("CREATE TABLE wal_probe AS SELECT ? AS note", [note])
        .unwrap();
    let wal = std::fs::read(format!("{}.wal", p.path().display())).expect("a write-ahead log");
    p.conn().execute_batch("DROP TABLE wal_probe").unwrap();
    holds(&wal, note)
}

#[test]
fn a_new_encrypted_project_takes_an_import_and_its_spill_files_are_unreadable() {
    let dir = tmp("encrypt-new");
    let path = dir.join("sealed.duckdb");
    let p = Project::create_encrypted(&path, keys::derive(PASS)).unwrap();
    mams::import::import_folder(&p, small_sample(), &Progress::new()).unwrap();
    assert_eq!(count(&p, "SELECT count(*) FROM customers"), 900);
    let people: Vec<(String, String, String)> = p
        .conn()
        .prepare("SELECT name, id_number, phone FROM customers WHERE id_number <> ''")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let spilled = spill_files_while_sorting(&p);
    drop(p);
    assert_eq!(readable(&std::fs::read(&path).unwrap(), &people), None);
    assert!(
        !spilled.is_empty(),
        "the sort spilled nothing: the check saw no file"
    );
    for bytes in &spilled {
        assert_eq!(readable(bytes, &people), None, "a spill file is readable");
        assert!(!zstd_blocks(bytes), "a spill file holds plain compressed blocks");
    }
    // Nothing the import decoded is left in the private folder.
    let left: Vec<_> = std::fs::read_dir(dir.join(".mams-tmp"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // The control: the same sort on a plain project spills names in the clear or in zstd
    // blocks anyone can decompress, so the checks above can fail.
    let plain = small_project("encrypt-new-plain");
    let p = Project::open(&plain).unwrap();
    let spilled = spill_files_while_sorting(&p);
    assert!(
        spilled
            .iter()
            .any(|b| readable(b, &people).is_some() || zstd_blocks(b)),
        "a plain project's spill files were expected to be readable ({} seen)",
        spilled.len()
    );
}

/// Whether a spill file holds blocks compressed but not encrypted. DuckDB compresses most
/// spilled blocks with zstd (DuckDB's temporary_file_manager.cpp): each starts with its
/// 8-byte length, then the zstd frame's magic number 0xFD2FB528 (RFC 8878, 3.1.1); blocks
/// sit at multiples of 32 KiB. Random bytes match there about once in 4 billion blocks.
fn zstd_blocks(bytes: &[u8]) -> bool {
    (0..bytes.len())
        .step_by(32 << 10)
        .any(|i| bytes.get(i + 8..i + 12) == Some(&[0x28, 0xB5, 0x2F, 0xFD]))
}

/// Runs a sort far larger than the memory allowed and returns what the spill files DuckDB
/// wrote held: read whenever one grows while the sort runs, and once more after the last row
/// but before the query ends (DuckDB removes them then).
fn spill_files_while_sorting(p: &Project) -> Vec<Vec<u8>> {
    let spill: PathBuf = format!("{}.tmp", p.path().display()).into();
    p.conn()
        .execute_batch("SET memory_limit = '64MB'; SET threads = 1; SET preserve_insertion_order = false;")
        .unwrap();
    type Seen = std::collections::BTreeMap<PathBuf, Vec<u8>>;
    fn look(spill: &Path, seen: &mut Seen) {
        for e in std::fs::read_dir(spill).into_iter().flatten().flatten() {
            let grown = e
                .metadata()
                .is_ok_and(|m| m.len() as usize > seen.get(&e.path()).map_or(0, Vec::len));
            if grown && let Ok(bytes) = std::fs::read(e.path()) {
                seen.insert(e.path(), bytes);
            }
        }
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (done, spill) = (done.clone(), spill.clone());
        std::thread::spawn(move || {
            let mut seen = Seen::new();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                look(&spill, &mut seen);
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            seen
        })
    };
    let mut stmt = p
        .conn()
        .prepare(
            "SELECT name || ' ' || id_number || ' ' || phone || ' ' || i AS s \
             FROM customers, range(4000) r(i) ORDER BY s",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    let (mut n, mut last) = (0usize, String::new());
    while let Some(r) = rows.next().unwrap() {
        let s: String = r.get(0).unwrap();
        assert!(s >= last, "sorted");
        (n, last) = (n + 1, s);
    }
    assert_eq!(n, 900 * 4000);
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen = watcher.join().unwrap();
    let mut end = Seen::new();
    look(&spill, &mut end);
    drop(rows);
    seen.into_values().chain(end.into_values()).collect()
}

#[test]
fn the_command_line_encrypts_and_opens_with_a_passphrase_file() {
    let path = small_project("encrypt-cli");
    let p = path.to_string_lossy().into_owned();
    let dir = path.parent().unwrap();
    let write = |name: &str, text: &str| {
        let f = dir.join(name);
        std::fs::write(&f, text).unwrap();
        f.to_string_lossy().into_owned()
    };
    let short = write("short.txt", "tooshort\n");
    let good = write("good.txt", &format!("{PASS}\n"));
    let wrong = write("wrong.txt", "not the passphrase at all\n");

    let out = mams(&["encrypt", &p, "--new-passphrase-file", &short]);
    assert!(
        !out.status.success() && stderr(&out).contains("at least 10"),
        "{}",
        stderr(&out)
    );
    assert!(!encryption::is_encrypted(&path).unwrap());
    // Without a terminal and without a file there is no way to type one: said so.
    let out = mams(&["encrypt", &p]);
    assert!(
        !out.status.success() && stderr(&out).contains("--new-passphrase-file"),
        "{}",
        stderr(&out)
    );

    let out = mams(&["encrypt", &p, "--new-passphrase-file", &good]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(encryption::is_encrypted(&path).unwrap());

    let out = mams(&["info", &p]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is encrypted"), "{}", stderr(&out));
    let out = mams(&["info", &p, "--passphrase-file", &wrong]);
    assert!(stderr(&out).contains("passphrase is wrong"), "{}", stderr(&out));
    let out = mams(&["info", &p, "--passphrase-file", &good]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("encrypted"), "{}", stdout(&out));

    // The closed loop works on it: audit, triage, an intact trail.
    let out = mams(&[
        "audit",
        &p,
        "--period",
        "2024-01",
        "--to",
        "2024-12",
        "--rules",
        "late_fee",
        "--format",
        "json",
        "--passphrase-file",
        &good,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let items: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let key = items[0]["key"].as_str().unwrap().to_string();
    let out = mams(&[
        "--passphrase-file",
        &good,
        "triage",
        &p,
        &key,
        "--to",
        "verifying",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = mams(&["info", &p, "--format", "json", "--passphrase-file", &good]);
    let info: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(info["encrypted"], true);
    assert_eq!(info["audit_trail"]["broken_at"], serde_json::Value::Null);
    assert!(info["audit_trail"]["entries"].as_u64().unwrap() >= 1);

    let out = mams(&["decrypt", &p, "--passphrase-file", &good]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = mams(&["access-log", &p]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("decrypt"), "{}", stdout(&out));
}
