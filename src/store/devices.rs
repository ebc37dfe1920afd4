//! The devices paired for phone access (`handheld_devices`) and the requests they made
//! (`handheld_requests`). A device is known by the SHA-256 of its token (`handheld::token`);
//! the token itself is handed to the device once and kept nowhere here.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDateTime;

use super::Project;
use crate::handheld::token;

/// A paired device.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub device_id: i64,
    pub name: String,
    /// The unit whose work it is shown (None: the top unit).
    pub unit_id: Option<String>,
    /// Whether it may see personal data in full (recorded in the access log when it does).
    pub sees_personal: bool,
    pub paired_at: NaiveDateTime,
    /// The operating-system account that paired it.
    pub paired_by: String,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// One request a device (or an unpaired caller) made.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub at: NaiveDateTime,
    /// None: not paired (a wrong code, a wrong or revoked token).
    pub device_id: Option<i64>,
    /// The caller's address.
    pub remote: String,
    /// What was asked: method and path, never a query string or a body.
    pub request: String,
    /// The HTTP status answered.
    pub status: u16,
    /// Rows handed over.
    pub rows: u64,
}

const COLUMNS: &str =
    "device_id, name, unit_id, sees_personal, paired_at, paired_by, last_used_at, revoked_at";

fn device(r: &duckdb::Row) -> duckdb::Result<Device> {
    Ok(Device {
        device_id: r.get(0)?,
        name: r.get(1)?,
        unit_id: r.get(2)?,
        sees_personal: r.get(3)?,
        paired_at: r.get(4)?,
        paired_by: r.get(5)?,
        last_used_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

fn now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

/// Pairs a device: keeps its name, unit and permission with the hash of a new token, and
/// returns the device and the token to hand to it (once).
pub fn pair(
    p: &Project,
    name: &str,
    unit_id: Option<&str>,
    sees_personal: bool,
) -> anyhow::Result<(Device, zeroize::Zeroizing<String>)> {
    let name = name.trim();
    if name.is_empty() {
        crate::bail_say!("a device needs a name", "设备需要一个名称");
    }
    let (token, hash) = token::new_token()?;
    let id: i64 = p.conn().query_row(
        "INSERT INTO handheld_devices (name, token_sha256, unit_id, sees_personal, paired_at, paired_by) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING device_id",
        duckdb::params![name, hash, unit_id, sees_personal, now(), crate::account::name()],
        |r| r.get(0),
    )?;
    let device = get(p, id)?.expect("the device just paired");
    Ok((device, token))
}

fn get(p: &Project, id: i64) -> duckdb::Result<Option<Device>> {
    let mut stmt = p.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM handheld_devices WHERE device_id = ?"
    ))?;
    let mut rows = stmt.query([id])?;
    rows.next()?.map(device).transpose()
}

/// The device a token belongs to, unless it was revoked.
pub fn authenticate(p: &Project, token: &str) -> duckdb::Result<Option<Device>> {
    let mut stmt = p.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM handheld_devices WHERE token_sha256 = ? AND revoked_at IS NULL"
    ))?;
    let mut rows = stmt.query([token::hash(token)])?;
    rows.next()?.map(device).transpose()
}

/// The device a token was given to, revoked or not (to log who tries a revoked token).
pub fn holder(p: &Project, token: &str) -> duckdb::Result<Option<i64>> {
    let mut stmt = p
        .conn()
        .prepare("SELECT device_id FROM handheld_devices WHERE token_sha256 = ?")?;
    let mut rows = stmt.query([token::hash(token)])?;
    rows.next()?.map(|r| r.get(0)).transpose()
}

/// Every device paired, the newest first, revoked ones included.
pub fn list(p: &Project) -> duckdb::Result<Vec<Device>> {
    let mut stmt = p.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM handheld_devices ORDER BY device_id DESC"
    ))?;
    stmt.query_map([], device)?.collect()
}

/// Revokes a device: its token is refused from now on. False if there is no such device
/// or it was revoked already.
pub fn revoke(p: &Project, id: i64) -> duckdb::Result<bool> {
    let n = p.conn().execute(
        "UPDATE handheld_devices SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL",
        duckdb::params![now(), id],
    )?;
    // After the commit: a copy of the devices let in that was made before it is stale now.
    REVOCATIONS.fetch_add(1, Ordering::SeqCst);
    Ok(n == 1)
}

/// Revocations made in this process. Only this process can write the project (DuckDB locks
/// the file for its writer), so a server that keeps the devices it has let in (instead of a
/// read per request) keeps them only while this count is unchanged: a revoked token is still
/// refused at its next request.
static REVOCATIONS: AtomicU64 = AtomicU64::new(0);

/// The count of revocations made in this process so far (see [`REVOCATIONS`]).
pub fn revocations() -> u64 {
    REVOCATIONS.load(Ordering::SeqCst)
}

/// Keeps requests, and the last use of the devices that made them, in one transaction.
pub fn record(p: &Project, requests: &[Request]) -> anyhow::Result<()> {
    p.transaction(|p| {
        // Appended, not inserted one statement a row: a busy minute is tens of thousands.
        let mut rows = p.conn().appender_with_columns(
            "handheld_requests",
            &[
                "requested_at",
                "device_id",
                "remote",
                "request",
                "status",
                "row_count",
            ],
        )?;
        let mut last_use = std::collections::BTreeMap::new();
        for r in requests {
            rows.append_row(duckdb::params![
                r.at,
                r.device_id,
                r.remote,
                r.request,
                r.status,
                r.rows as i64
            ])?;
            if let Some(id) = r.device_id {
                let at = last_use.entry(id).or_insert(r.at);
                *at = (*at).max(r.at);
            }
        }
        rows.flush()?;
        drop(rows);
        // One update a device (DuckDB's updates cost far more than its appends).
        let mut touch = p.conn().prepare(
            "UPDATE handheld_devices SET last_used_at = greatest(coalesce(last_used_at, ?), ?) \
             WHERE device_id = ?",
        )?;
        for (id, at) in last_use {
            touch.execute(duckdb::params![at, at, id])?;
        }
        Ok(())
    })
}

/// The newest requests, newest first.
pub fn requests(p: &Project, limit: usize) -> duckdb::Result<Vec<Request>> {
    let mut stmt = p.conn().prepare(
        "SELECT requested_at, device_id, remote, request, status, row_count FROM handheld_requests \
         ORDER BY request_id DESC LIMIT ?",
    )?;
    stmt.query_map([limit as i64], |r| {
        Ok(Request {
            at: r.get(0)?,
            device_id: r.get(1)?,
            remote: r.get(2)?,
            request: r.get(3)?,
            status: r.get::<_, i64>(4)? as u16,
            rows: r.get::<_, i64>(5)? as u64,
        })
    })?
    .collect()
}
