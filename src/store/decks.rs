//! Decks for presenting (schema v15): saved whole, slides as JSON (presenter/deck.rs).

use chrono::NaiveDateTime;
use duckdb::{OptionalExt, params};

use super::Project;

/// A deck as kept: its slides as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDeck {
    pub deck_id: i64,
    pub name: String,
    pub made_at: NaiveDateTime,
    pub made_by: String,
    pub slides: String,
}

fn of_row(r: &duckdb::Row) -> duckdb::Result<StoredDeck> {
    Ok(StoredDeck {
        deck_id: r.get(0)?,
        name: r.get(1)?,
        made_at: r.get(2)?,
        made_by: r.get(3)?,
        slides: r.get(4)?,
    })
}

/// Keeps a new deck; returns its id.
pub fn insert(
    project: &Project,
    name: &str,
    made_at: NaiveDateTime,
    made_by: &str,
    slides: &str,
) -> duckdb::Result<i64> {
    project.conn().query_row(
        "INSERT INTO decks VALUES (nextval('deck_seq'), ?, ?, ?, ?) RETURNING deck_id",
        params![name, made_at, made_by, slides],
        |r| r.get(0),
    )
}

/// Replaces a deck's name and slides.
pub fn update(project: &Project, id: i64, name: &str, slides: &str) -> duckdb::Result<usize> {
    project.conn().execute(
        "UPDATE decks SET name = ?, slides = ? WHERE deck_id = ?",
        params![name, slides, id],
    )
}

pub fn delete(project: &Project, id: i64) -> duckdb::Result<usize> {
    project
        .conn()
        .execute("DELETE FROM decks WHERE deck_id = ?", [id])
}

/// Every deck, the latest first.
pub fn list(project: &Project) -> duckdb::Result<Vec<StoredDeck>> {
    let mut st = project.conn().prepare(
        "SELECT deck_id, name, made_at, made_by, slides FROM decks ORDER BY made_at DESC, deck_id DESC",
    )?;
    let rows = st.query_map([], of_row)?;
    rows.collect()
}

pub fn get(project: &Project, id: i64) -> duckdb::Result<Option<StoredDeck>> {
    project
        .conn()
        .query_row(
            "SELECT deck_id, name, made_at, made_by, slides FROM decks WHERE deck_id = ?",
            [id],
            of_row,
        )
        .optional()
}
