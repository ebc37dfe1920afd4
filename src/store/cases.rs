//! The case library as stored in the project: cases and their attached files.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;
use serde::{Deserialize, Serialize};

use super::Project;

/// One case of the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Case {
    pub case_id: String,
    pub title: String,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default)]
    pub rule_id: Option<String>,
    #[serde(default)]
    pub symptoms: Option<String>,
    #[serde(default)]
    pub found_how: Option<String>,
    #[serde(default)]
    pub root_cause: Option<String>,
    #[serde(default)]
    pub handling: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub unit_id: Option<String>,
    #[serde(default)]
    pub case_date: Option<NaiveDate>,
    /// Evidence as [[name, value], ...], compared with a suspect's to find similar cases.
    #[serde(default)]
    pub features: Vec<(String, serde_json::Value)>,
    #[serde(default)]
    pub suspect_key: Option<String>,
    /// Names of the attached files (their content stays in the project).
    #[serde(default, skip_deserializing)]
    pub files: Vec<String>,
}

const COLUMNS: &str = "case_id, title, title_en, rule_id, symptoms, found_how, root_cause, handling, outcome, \
     amount, tags, unit_id, case_date, features, suspect_key";

fn case_row(r: &duckdb::Row) -> duckdb::Result<Case> {
    let tags: Option<String> = r.get(10)?;
    let features: Option<String> = r.get(13)?;
    Ok(Case {
        case_id: r.get(0)?,
        title: r.get(1)?,
        title_en: r.get(2)?,
        rule_id: r.get(3)?,
        symptoms: r.get(4)?,
        found_how: r.get(5)?,
        root_cause: r.get(6)?,
        handling: r.get(7)?,
        outcome: r.get(8)?,
        amount: r.get(9)?,
        tags: tags
            .unwrap_or_default()
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        unit_id: r.get(11)?,
        case_date: r.get(12)?,
        features: features
            .and_then(|f| serde_json::from_str(&f).ok())
            .unwrap_or_default(),
        suspect_key: r.get(14)?,
        files: Vec::new(),
    })
}

/// Every case, with the names of its files.
pub fn all(project: &Project) -> duckdb::Result<Vec<Case>> {
    let mut stmt = project.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM audit_cases ORDER BY case_date DESC NULLS LAST, case_id"
    ))?;
    let mut cases = stmt
        .query_map([], case_row)?
        .collect::<duckdb::Result<Vec<_>>>()?;
    let mut stmt = project
        .conn()
        .prepare("SELECT case_id, file_name FROM audit_case_files ORDER BY case_id, file_name")?;
    let files = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<duckdb::Result<Vec<_>>>()?;
    for (id, name) in files {
        if let Some(c) = cases.iter_mut().find(|c| c.case_id == id) {
            c.files.push(name);
        }
    }
    Ok(cases)
}

/// Adds a case or replaces the one with its id. Call inside a transaction when saving many.
pub fn upsert(project: &Project, c: &Case, at: NaiveDateTime) -> duckdb::Result<()> {
    let features = serde_json::to_string(&c.features).unwrap_or_else(|_| "[]".into());
    project.conn().execute(
        "INSERT OR REPLACE INTO audit_cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            c.case_id,
            c.title,
            c.title_en,
            c.rule_id,
            c.symptoms,
            c.found_how,
            c.root_cause,
            c.handling,
            c.outcome,
            c.amount,
            c.tags.join(","),
            c.unit_id,
            c.case_date,
            features,
            c.suspect_key,
            at
        ],
    )?;
    Ok(())
}

/// Whether a case with this id exists.
pub fn exists(project: &Project, case_id: &str) -> duckdb::Result<bool> {
    let n: i64 = project.conn().query_row(
        "SELECT count(*) FROM audit_cases WHERE case_id = ?",
        [case_id],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Attaches a file to a case (replacing one of the same name).
pub fn attach(
    project: &Project,
    case_id: &str,
    file_name: &str,
    content: &[u8],
    at: NaiveDateTime,
) -> duckdb::Result<()> {
    project.conn().execute(
        "INSERT OR REPLACE INTO audit_case_files VALUES (?, ?, ?, ?)",
        params![case_id, file_name, content, at],
    )?;
    Ok(())
}

/// The content of an attached file.
pub fn file(project: &Project, case_id: &str, file_name: &str) -> duckdb::Result<Option<Vec<u8>>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT content FROM audit_case_files WHERE case_id = ? AND file_name = ?")?;
    let mut rows = stmt.query_map([case_id, file_name], |r| r.get::<_, Vec<u8>>(0))?;
    rows.next().transpose()
}
