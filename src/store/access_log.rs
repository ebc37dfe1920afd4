//! The project's access log: each time personal data left MAMS in full, after the user's
//! explicit choice (`privacy::Disclosure::Full`). Masked exports are not logged: they carry
//! nothing personal. Written before the data is handed over, so an export whose entry cannot
//! be written does not happen.

use chrono::NaiveDateTime;

use super::Project;

/// One disclosure.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub at: NaiveDateTime,
    /// The operating-system account (`account::name`).
    pub actor: String,
    /// The path it left by: "csv", "xlsx", "clipboard", "cli sql", ...
    pub channel: String,
    /// What was exported: a table, a query, a file's name.
    pub what: String,
    /// The personal columns it held, comma-separated.
    pub columns: String,
    pub rows: u64,
}

impl Entry {
    /// An entry for now, by this machine's account.
    pub fn now(channel: &str, what: &str, columns: &[String], rows: u64) -> Entry {
        Entry {
            at: chrono::Local::now().naive_local(),
            actor: crate::account::name(),
            channel: channel.to_string(),
            what: what.to_string(),
            columns: columns.join(", "),
            rows,
        }
    }
}

/// Records an export to a file when it carries personal data in full (nothing otherwise): the
/// path is the file's extension (csv, xlsx, json), what is `what → file name`.
pub fn record_export(
    project: &Project,
    disclosure: crate::privacy::Disclosure,
    what: &str,
    path: &std::path::Path,
    personal: &[String],
    rows: u64,
) -> anyhow::Result<()> {
    if disclosure != crate::privacy::Disclosure::Full || personal.is_empty() {
        return Ok(());
    }
    let name = |s: Option<&std::ffi::OsStr>| s.map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let channel = name(path.extension()).to_lowercase();
    let what = format!("{what} → {}", name(path.file_name()));
    record(project, &Entry::now(&channel, &what, personal, rows))
}

pub fn record(project: &Project, e: &Entry) -> anyhow::Result<()> {
    if project.is_read_only() {
        crate::bail_say!(
            "personal data in full must be recorded in the access log, and the project is open read-only",
            "完整导出个人信息须记入访问日志，而项目以只读方式打开"
        );
    }
    project.conn().execute(
        "INSERT INTO access_log (logged_at, actor, channel, what, personal_columns, row_count) VALUES (?, ?, ?, ?, ?, ?)",
        duckdb::params![e.at, e.actor, e.channel, e.what, e.columns, e.rows as i64],
    )?;
    Ok(())
}

/// The log, newest first.
pub fn list(project: &Project, limit: usize) -> anyhow::Result<Vec<Entry>> {
    let mut stmt = project.conn().prepare(
        "SELECT logged_at, actor, channel, what, personal_columns, row_count FROM access_log ORDER BY entry_id DESC LIMIT ?",
    )?;
    let rows = stmt.query_map([limit as i64], |r| {
        Ok(Entry {
            at: r.get(0)?,
            actor: r.get(1)?,
            channel: r.get(2)?,
            what: r.get(3)?,
            columns: r.get(4)?,
            rows: r.get::<_, i64>(5)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
