//! Published bulletins (schema v14): kept with their document, the file as exported and a
//! fingerprint of their numbers, listed, opened and exported again.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::{OptionalExt, params};

use super::Project;

/// A published bulletin without its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub bulletin_id: i64,
    pub kind: String,
    pub unit_id: String,
    pub period: String,
    pub number: String,
    pub lang: String,
    pub title: String,
    pub document: String,
    pub fingerprint: String,
    pub as_of: Option<NaiveDate>,
    pub format: String,
    pub published_at: NaiveDateTime,
    pub published_by: String,
}

const COLUMNS: &str = "bulletin_id, kind, unit_id, period, number, lang, title, document, fingerprint, as_of, format, published_at, published_by";

fn of_row(r: &duckdb::Row) -> duckdb::Result<Published> {
    Ok(Published {
        bulletin_id: r.get(0)?,
        kind: r.get(1)?,
        unit_id: r.get(2)?,
        period: r.get(3)?,
        number: r.get(4)?,
        lang: r.get(5)?,
        title: r.get(6)?,
        document: r.get(7)?,
        fingerprint: r.get(8)?,
        as_of: r.get(9)?,
        format: r.get(10)?,
        published_at: r.get(11)?,
        published_by: r.get(12)?,
    })
}

/// Stores a bulletin and its file; returns its id.
pub fn publish(project: &Project, p: &Published, file: &[u8]) -> anyhow::Result<i64> {
    project.transaction(|tx| {
        let id: i64 = tx.conn().query_row(
            "INSERT INTO bulletins VALUES (nextval('bulletin_seq'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING bulletin_id",
            params![
                p.kind,
                p.unit_id,
                p.period,
                p.number,
                p.lang,
                p.title,
                p.document,
                p.fingerprint,
                p.as_of,
                p.format,
                file,
                p.published_at,
                p.published_by
            ],
            |r| r.get(0),
        )?;
        // Published, it is no longer a draft.
        drop_draft(tx, &p.kind, &p.unit_id, &p.period)?;
        Ok(id)
    })
}

/// Every published bulletin, the latest first.
pub fn list(project: &Project) -> duckdb::Result<Vec<Published>> {
    let mut st = project.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM bulletins ORDER BY published_at DESC, bulletin_id DESC"
    ))?;
    let rows = st.query_map([], of_row)?;
    rows.collect()
}

pub fn get(project: &Project, id: i64) -> duckdb::Result<Option<Published>> {
    project
        .conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM bulletins WHERE bulletin_id = ?"),
            [id],
            of_row,
        )
        .optional()
}

/// The file as it was exported when published.
pub fn file(project: &Project, id: i64) -> duckdb::Result<Option<Vec<u8>>> {
    project
        .conn()
        .query_row("SELECT file FROM bulletins WHERE bulletin_id = ?", [id], |r| {
            r.get(0)
        })
        .optional()
}

/// The latest publication of a kind, unit and period, if any.
pub fn latest(project: &Project, kind: &str, unit: &str, period: &str) -> duckdb::Result<Option<Published>> {
    project
        .conn()
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM bulletins WHERE kind = ? AND unit_id = ? AND period = ? ORDER BY published_at DESC, bulletin_id DESC LIMIT 1"
            ),
            params![kind, unit, period],
            of_row,
        )
        .optional()
}

/// A bulletin prepared for review.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub kind: String,
    pub unit_id: String,
    pub period: String,
    pub document: String,
    pub prepared_at: NaiveDateTime,
    pub prepared_by: String,
}

/// Keeps a prepared bulletin (replacing the one of the same kind, unit and period).
pub fn save_draft(project: &Project, d: &Draft) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT OR REPLACE INTO bulletin_drafts VALUES (?, ?, ?, ?, ?, ?)",
        params![
            d.kind,
            d.unit_id,
            d.period,
            d.document,
            d.prepared_at,
            d.prepared_by
        ],
    )?;
    Ok(())
}

pub fn draft(project: &Project, kind: &str, unit: &str, period: &str) -> duckdb::Result<Option<Draft>> {
    project
        .conn()
        .query_row(
            "SELECT kind, unit_id, period, document, prepared_at, prepared_by FROM bulletin_drafts WHERE kind = ? AND unit_id = ? AND period = ?",
            params![kind, unit, period],
            |r| {
                Ok(Draft {
                    kind: r.get(0)?,
                    unit_id: r.get(1)?,
                    period: r.get(2)?,
                    document: r.get(3)?,
                    prepared_at: r.get(4)?,
                    prepared_by: r.get(5)?,
                })
            },
        )
        .optional()
}

pub fn drop_draft(project: &Project, kind: &str, unit: &str, period: &str) -> duckdb::Result<()> {
    project.conn().execute(
        "DELETE FROM bulletin_drafts WHERE kind = ? AND unit_id = ? AND period = ?",
        params![kind, unit, period],
    )?;
    Ok(())
}

/// The project's own cadence, if it has one.
pub fn cadence(project: &Project) -> duckdb::Result<Option<String>> {
    project
        .conn()
        .query_row("SELECT cadence FROM project_cadence LIMIT 1", [], |r| r.get(0))
        .optional()
}

/// Replaces the project's cadence (None: back to the one MAMS ships).
pub fn set_cadence(project: &Project, json: Option<&str>, at: NaiveDateTime) -> anyhow::Result<()> {
    project.transaction(|tx| {
        tx.conn().execute("DELETE FROM project_cadence", [])?;
        if let Some(j) = json {
            tx.conn()
                .execute("INSERT INTO project_cadence VALUES (?, ?)", params![j, at])?;
        }
        Ok(())
    })
}
