//! On-site records sent from phones (`handheld_records`) and their photos
//! (`handheld_photos`), and the reads the phone's inspection list needs: the suspects a
//! unit has to verify or rectify, and the customer to visit.

use chrono::{NaiveDate, NaiveDateTime};

use super::Project;
use super::audit::SuspectRow;

/// A record as kept.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Record {
    pub record_id: String,
    pub device_id: i64,
    pub suspect_key: String,
    pub finding: String,
    pub fp_reason: Option<String>,
    pub note: Option<String>,
    pub made_at: NaiveDateTime,
    pub received_at: NaiveDateTime,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub photo_count: i32,
    /// The state the record moved the suspect to (or left it in).
    pub to_status: String,
}

/// A photo of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    pub media_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

const COLUMNS: &str = "record_id, device_id, suspect_key, finding, fp_reason, note, made_at, received_at, \
     latitude, longitude, accuracy_m, photo_count, to_status";

fn record_row(r: &duckdb::Row) -> duckdb::Result<Record> {
    Ok(Record {
        record_id: r.get(0)?,
        device_id: r.get(1)?,
        suspect_key: r.get(2)?,
        finding: r.get(3)?,
        fp_reason: r.get(4)?,
        note: r.get(5)?,
        made_at: r.get(6)?,
        received_at: r.get(7)?,
        latitude: r.get(8)?,
        longitude: r.get(9)?,
        accuracy_m: r.get(10)?,
        photo_count: r.get(11)?,
        to_status: r.get(12)?,
    })
}

/// A record by the id its phone gave it.
pub fn record(p: &Project, record_id: &str) -> duckdb::Result<Option<Record>> {
    let mut stmt = p.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM handheld_records WHERE record_id = ?"
    ))?;
    let mut rows = stmt.query([record_id])?;
    rows.next()?.map(record_row).transpose()
}

/// The records made on a suspect, oldest first.
pub fn records_of(p: &Project, suspect_key: &str) -> duckdb::Result<Vec<Record>> {
    let mut stmt = p.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM handheld_records WHERE suspect_key = ? ORDER BY received_at, record_id"
    ))?;
    stmt.query_map([suspect_key], record_row)?.collect()
}

/// Keeps a record and its photos (the caller holds the transaction).
pub fn insert(p: &Project, r: &Record, photos: &[Photo]) -> duckdb::Result<()> {
    p.conn().execute(
        &format!("INSERT INTO handheld_records ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        duckdb::params![
            r.record_id,
            r.device_id,
            r.suspect_key,
            r.finding,
            r.fp_reason,
            r.note,
            r.made_at,
            r.received_at,
            r.latitude,
            r.longitude,
            r.accuracy_m,
            r.photo_count,
            r.to_status
        ],
    )?;
    let mut stmt = p.conn().prepare(
        "INSERT INTO handheld_photos (record_id, photo_no, media_type, sha256, bytes) VALUES (?, ?, ?, ?, ?)",
    )?;
    for (n, photo) in photos.iter().enumerate() {
        stmt.execute(duckdb::params![
            r.record_id,
            n as i32 + 1,
            photo.media_type,
            photo.sha256,
            photo.bytes
        ])?;
    }
    Ok(())
}

/// The photos of a record, in the order taken.
pub fn photos(p: &Project, record_id: &str) -> duckdb::Result<Vec<Photo>> {
    let mut stmt = p.conn().prepare(
        "SELECT media_type, sha256, bytes FROM handheld_photos WHERE record_id = ? ORDER BY photo_no",
    )?;
    stmt.query_map([record_id], |r| {
        Ok(Photo {
            media_type: r.get(0)?,
            sha256: r.get(1)?,
            bytes: r.get(2)?,
        })
    })?
    .collect()
}

/// States in which a suspect waits for someone on site: to verify it, or to rectify it.
pub const OPEN_ON_SITE: [&str; 4] = ["new", "verifying", "confirmed", "rectifying"];

/// The suspects `unit` (its subtree; every unit when None) has to work on: those found in
/// it or assigned to it, in a state that waits for someone on site, highest score first.
pub fn assigned(p: &Project, unit: Option<&str>, limit: usize) -> duckdb::Result<Vec<SuspectRow>> {
    // One statement for the whole list (a phone asks for it often).
    let sql = format!(
        "SELECT {} FROM audit_suspects \
         WHERE still_found AND list_contains(string_split(?, ','), status) \
           AND (?::VARCHAR IS NULL \
                OR unit_id IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?) \
                OR assignee_unit IN (SELECT unit_id FROM org_closure WHERE ancestor_id = ?)) \
         ORDER BY score DESC, suspect_key LIMIT ?",
        super::audit::SUSPECT_COLUMNS
    );
    let mut stmt = p.conn().prepare(&sql)?;
    stmt.query_map(
        duckdb::params![OPEN_ON_SITE.join(","), unit, unit, unit, limit as i64],
        super::audit::suspect_row,
    )?
    .collect()
}

/// Whether a suspect is `unit`'s to work on: found in its subtree or assigned to it.
pub fn in_scope(p: &Project, s: &SuspectRow, unit: Option<&str>) -> duckdb::Result<bool> {
    let Some(unit) = unit else { return Ok(true) };
    let n: i64 = p.conn().query_row(
        "SELECT count(*) FROM org_closure WHERE ancestor_id = ? AND unit_id IN (?, ?)",
        duckdb::params![unit, s.unit_id, s.assignee_unit],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Where to go for a suspect: the customer's name, address and phone as stored (personal:
/// the caller masks them). For a customer it is the customer; for an application or a
/// ticket, the customer it names.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Visit {
    pub customer_id: Option<String>,
    pub name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// Where to go for each of `keys` (one statement for a whole list), by suspect key.
pub fn visits(p: &Project, keys: &[String]) -> duckdb::Result<std::collections::HashMap<String, Visit>> {
    let mut stmt = p.conn().prepare(
        "SELECT s.suspect_key, s.cid, c.name, c.address, c.phone FROM ( \
           SELECT suspect_key, CASE entity_type \
             WHEN 'customer' THEN entity_id \
             WHEN 'application' THEN (SELECT any_value(a.customer_id) FROM applications a WHERE a.application_id = entity_id) \
             WHEN 'ticket' THEN (SELECT any_value(t.customer_id) FROM tickets t WHERE t.ticket_id = entity_id) END AS cid \
           FROM audit_suspects WHERE list_contains(string_split(?, chr(31)), suspect_key)) s \
         LEFT JOIN customers c ON c.customer_id = s.cid",
    )?;
    let joined = keys.join("\u{1f}");
    stmt.query_map([joined], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Visit {
                customer_id: r.get::<_, Option<String>>(1)?.filter(|c| !c.is_empty()),
                name: r.get(2)?,
                address: r.get(3)?,
                phone: r.get(4)?,
            },
        ))
    })?
    .collect()
}

/// When the workstation last imported data and last ran the audit (the phone shows that its
/// figures are older than that).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Freshness {
    pub imported_at: Option<NaiveDateTime>,
    pub audited_at: Option<NaiveDateTime>,
    /// The last month with data.
    pub last_month: Option<NaiveDate>,
}

pub fn freshness(p: &Project) -> duckdb::Result<Freshness> {
    let (imported_at, audited_at) = p.conn().query_row(
        "SELECT (SELECT max(finished_at) FROM imports), (SELECT max(finished_at) FROM audit_runs)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(Freshness {
        imported_at,
        audited_at,
        last_month: super::queries::months(p)?.last().copied(),
    })
}

/// What the phone's answers are made from, in short: the answers kept for one version are
/// current while it is unchanged. Imports, the audit, the trail, targets, bulletins,
/// improvement items and data quality warnings each move it. Small statements (a few ms in
/// all; one statement of subqueries takes DuckDB far longer to plan).
const VERSION_PARTS: [&str; 9] = [
    "SELECT max(import_id)::VARCHAR FROM imports",
    "SELECT max(run_id)::VARCHAR FROM audit_runs",
    "SELECT count(*)::VARCHAR FROM audit_trail",
    "SELECT count(*)::VARCHAR FROM org_units",
    "SELECT (count(*) || ':' || coalesce(sum(hash(indicator_targets)), 0))::VARCHAR FROM indicator_targets",
    "SELECT max(bulletin_id)::VARCHAR FROM bulletins",
    "SELECT max(updated_at)::VARCHAR FROM improvement_items",
    "SELECT max(run_id)::VARCHAR FROM dq_runs",
    "SELECT count(*)::VARCHAR FROM dq_acknowledged",
];

pub fn data_version(p: &Project) -> duckdb::Result<String> {
    let mut parts = Vec::with_capacity(VERSION_PARTS.len());
    for sql in VERSION_PARTS {
        let part: Option<String> = p.conn().prepare_cached(sql)?.query_row([], |r| r.get(0))?;
        parts.push(part.unwrap_or_default());
    }
    Ok(parts.join("/"))
}
