//! Where MAMS writes what it did and how it failed: a log file in the data folder
//! (`logs/mams.log`, rotated at start when it passed 1 MiB, three old files kept), and a crash
//! report (`logs/crash-<time>.txt`) when it panics, offered by the next start. Neither holds
//! personal data: MAMS logs counts, timings and names of rules and tables, never a row's
//! values, and a crash report masks every long run of digits (an ID or phone number that a
//! panic message might quote).

use std::io::Write;
use std::path::{Path, PathBuf};

/// A log grows to this before it is rotated.
const ROTATE_AT: u64 = 1 << 20;
/// Rotated logs kept beside the current one.
const KEEP: usize = 3;
/// Crash reports kept.
const KEEP_CRASHES: usize = 10;
/// Log lines a crash report ends with.
const TAIL_LINES: usize = 60;

/// The folder of the logs and crash reports.
pub fn dir() -> PathBuf {
    crate::paths::data_dir().join("logs")
}

fn log_file(dir: &Path) -> PathBuf {
    dir.join("mams.log")
}

/// Moves `mams.log` to `mams.log.1` (and on) when it passed the limit.
pub fn rotate(dir: &Path, limit: u64) -> std::io::Result<()> {
    let current = log_file(dir);
    if std::fs::metadata(&current).map(|m| m.len()).unwrap_or(0) < limit {
        return Ok(());
    }
    for i in (1..KEEP).rev() {
        let from = dir.join(format!("mams.log.{i}"));
        if from.exists() {
            std::fs::rename(&from, dir.join(format!("mams.log.{}", i + 1)))?;
        }
    }
    std::fs::rename(&current, dir.join("mams.log.1"))
}

/// Sets up logging to stderr (level from `MAMS_LOG`, warnings by default) and to the log
/// file (information and up, or `MAMS_LOG`), and the crash report of a panic. A log folder
/// that cannot be written leaves stderr alone.
pub fn init() {
    use tracing_subscriber::prelude::*;
    use tracing_subscriber::{EnvFilter, fmt};
    let dir = dir();
    let file = std::fs::create_dir_all(&dir)
        .and_then(|()| rotate(&dir, ROTATE_AT))
        .and_then(|()| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log_file(&dir))
        })
        .ok();
    let stderr_filter = EnvFilter::try_from_env("MAMS_LOG").unwrap_or_else(|_| "warn".into());
    let file_layer = file.map(|f| {
        let filter = EnvFilter::try_from_env("MAMS_LOG").unwrap_or_else(|_| "info".into());
        fmt::layer()
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(f))
            .with_filter(filter)
    });
    let _ = tracing_subscriber::registry()
        .with(
            fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(stderr_filter),
        )
        .with(file_layer)
        .try_init();
    install_panic_hook(dir);
}

/// A panic writes a crash report, then runs the default hook (the message on stderr).
fn install_panic_hook(dir: PathBuf) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".into());
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let report = crash_report(
            &message,
            &place,
            &std::backtrace::Backtrace::force_capture().to_string(),
            &dir,
        );
        let _ = write_crash(&dir, &report);
        default(info);
    }));
}

/// The text of a crash report.
pub fn crash_report(message: &str, place: &str, backtrace: &str, dir: &Path) -> String {
    let tail = std::fs::read_to_string(log_file(dir))
        .map(|t| {
            let lines: Vec<&str> = t.lines().collect();
            lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
        })
        .unwrap_or_default();
    let thread = std::thread::current().name().unwrap_or("unnamed").to_string();
    scrub(&format!(
        "MAMS crash report\n\nversion: {}\nos: {} {} ({})\ntime: {}\nthread: {thread}\npanic: {message}\nat: {place}\n\n\
         backtrace:\n{backtrace}\n\nlast log lines:\n{tail}\n",
        crate::version::line(),
        std::env::consts::OS,
        std::env::consts::ARCH,
        os_release(),
        chrono::Local::now().format("%Y-%m-%d %H:%M:%S"),
    ))
}

fn os_release() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_string())
            })
        })
        .unwrap_or_else(|| "unknown release".into())
}

/// Masks every run of 7 or more digits (an ID number, a phone, an account) but its last four.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.chars().count() >= 7 {
            let n = run.chars().count();
            out.push_str(&"*".repeat(n - 4));
            out.extend(run.chars().skip(n - 4));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        // An ID number may end in X.
        if c.is_ascii_digit() || (c == 'X' && !run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn write_crash(dir: &Path, report: &str) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!(
        "crash-{}-{}.txt",
        chrono::Local::now().format("%Y%m%d-%H%M%S"),
        std::process::id()
    ));
    std::fs::File::create(&path)?.write_all(report.as_bytes())?;
    // Only the newest reports are kept.
    let mut all = crash_reports(dir);
    while all.len() > KEEP_CRASHES {
        let _ = std::fs::remove_file(all.remove(0));
    }
    Ok(path)
}

/// The crash reports in the folder, oldest first.
pub fn crash_reports(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("crash-") && n.ends_with(".txt"))
                })
                .collect()
        })
        .unwrap_or_default();
    all.sort();
    all
}

/// The newest crash report not offered yet, marked as offered (a start shows it once).
pub fn take_unseen_crash(dir: &Path) -> Option<(PathBuf, String)> {
    let newest = crash_reports(dir).pop()?;
    let seen = dir.join("crash-seen");
    let name = newest.file_name()?.to_string_lossy().into_owned();
    if std::fs::read_to_string(&seen).is_ok_and(|s| s.trim() == name) {
        return None;
    }
    let _ = std::fs::write(&seen, &name);
    let text = std::fs::read_to_string(&newest).ok()?;
    Some((newest, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_that_could_be_personal_are_masked() {
        assert_eq!(scrub("id 11010119900307123X here"), "id **************123X here");
        assert_eq!(scrub("phone 13812348000."), "phone *******8000.");
        assert_eq!(scrub("line 412, 2026-11-29"), "line 412, 2026-11-29");
    }

    #[test]
    fn logs_rotate_past_the_limit_and_keep_three() {
        let dir = std::env::temp_dir().join(format!("mams-logs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for round in 0..5 {
            std::fs::write(log_file(&dir), format!("round {round}\n").repeat(10)).unwrap();
            rotate(&dir, 50).unwrap();
        }
        assert!(!log_file(&dir).exists());
        assert_eq!(
            std::fs::read_to_string(dir.join("mams.log.1"))
                .unwrap()
                .lines()
                .next(),
            Some("round 4")
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("mams.log.3"))
                .unwrap()
                .lines()
                .next(),
            Some("round 2")
        );
        assert!(!dir.join("mams.log.4").exists());
        // Under the limit nothing moves.
        std::fs::write(log_file(&dir), "small\n").unwrap();
        rotate(&dir, 50).unwrap();
        assert!(log_file(&dir).exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_crash_is_offered_once() {
        let dir = std::env::temp_dir().join(format!("mams-crash-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let report = crash_report("boom 110101199003071234", "src/x.rs:1", "frames", &dir);
        assert!(
            report.contains("version: ") && report.contains("boom **************1234"),
            "{report}"
        );
        assert!(!report.contains("110101199003071234"), "{report}");
        write_crash(&dir, &report).unwrap();
        let (_, text) = take_unseen_crash(&dir).expect("offered");
        assert!(text.contains("panic: boom"));
        assert!(take_unseen_crash(&dir).is_none(), "offered once");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
