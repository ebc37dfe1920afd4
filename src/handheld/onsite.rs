//! An on-site record from a phone: what the inspector found at the customer's premises. It
//! is checked like everything a phone sends (nothing is trusted: ids, lengths, photos by
//! their bytes), then goes through the same closed loop as `mams triage` in one transaction
//! with its photos: the suspect moves on (a confirmation from "new" passes through
//! "verifying", as on the workstation), and the trail says who, what and where.
//!
//! A record is known by the id the phone gave it: sent twice (the phone lost the answer and
//! retried), it is kept once. A record made against a state the workstation has changed
//! meanwhile is not applied: the phone shows the change and its user decides.

use base64::Engine;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::audit::triage::{self, Change, Status};
use crate::store::Project;
use crate::store::devices::Device;
use crate::store::onsite::{self as stored, Photo, Record};
use crate::text::Text;

/// Photos on a record, at most.
pub const MAX_PHOTOS: usize = 4;
/// Bytes of one photo, at most (the client scales photos to about 300 KB).
pub const MAX_PHOTO_BYTES: usize = 6 * 1024 * 1024;
/// Characters of a note or a reason, at most.
pub const MAX_NOTE_CHARS: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The problem is real.
    Confirmed,
    /// Not a problem: the reason is required.
    FalsePositive,
    /// Could not verify (nobody there, no access): a remark, the suspect stays open.
    NotVerified,
}

impl Finding {
    pub fn id(self) -> &'static str {
        match self {
            Finding::Confirmed => "confirmed",
            Finding::FalsePositive => "false_positive",
            Finding::NotVerified => "not_verified",
        }
    }

    fn said(self) -> &'static str {
        match self {
            Finding::Confirmed => "confirmed on site",
            Finding::FalsePositive => "false positive on site",
            Finding::NotVerified => "could not verify on site",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: Option<f64>,
}

/// A record as the phone sends it (JSON).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sent {
    pub record_id: String,
    pub suspect_key: String,
    pub finding: Finding,
    #[serde(default)]
    pub fp_reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// When it was made on site (the phone's clock, local time).
    pub made_at: NaiveDateTime,
    /// The suspect's state when the phone fetched it.
    pub seen_status: String,
    #[serde(default)]
    pub position: Option<Position>,
    /// Photos as base64 (a `data:` URL prefix is allowed).
    #[serde(default)]
    pub photos: Vec<String>,
}

/// A record that passed the checks.
#[derive(Debug, Clone)]
pub struct Checked {
    pub sent: Sent,
    pub photos: Vec<Photo>,
}

/// What became of a record.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Kept now; the suspect is in `status`.
    Recorded { status: String },
    /// Kept before (the same record sent again); nothing changed now.
    AlreadyRecorded { status: String },
    /// The workstation changed the suspect since the phone saw it: not applied.
    Conflict {
        seen_status: String,
        status: String,
        /// The trail entries after the phone's view, oldest first.
        changes: Vec<crate::store::audit::TrailEntry>,
    },
}

/// Why a record was refused (the server answers 4xx with the text).
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// Malformed: 400.
    Malformed(Text),
    /// Too big: 413.
    TooLarge(Text),
    /// No such suspect: 404.
    NoSuspect,
    /// Not this device's unit: 403.
    NotYours,
    /// The closed loop does not allow it: 422.
    NotAllowed(Text),
}

/// Checks a sent record: its id is a UUID, the key is a key (not a path), text has no
/// control characters and a bounded length, the position is on Earth, the photos are at most
/// four JPEG, PNG or WebP files of at most 6 MB each (known by their bytes, not by a name).
pub fn check(sent: Sent) -> Result<Checked, Refused> {
    let bad = |en: String, zh: String| Err(Refused::Malformed(Text { en, zh }));
    if !is_uuid(&sent.record_id) {
        return bad("record_id must be a UUID".into(), "record_id 必须是 UUID".into());
    }
    if !is_suspect_key(&sent.suspect_key) {
        return bad(
            "suspect_key is not a suspect's key".into(),
            "suspect_key 不是疑点编号".into(),
        );
    }
    if Status::parse(&sent.seen_status).is_none() {
        return bad(
            format!("seen_status '{}' is not a state", clip(&sent.seen_status)),
            format!("seen_status “{}”不是状态", clip(&sent.seen_status)),
        );
    }
    for (name, text) in [("note", &sent.note), ("fp_reason", &sent.fp_reason)] {
        if let Some(t) = text {
            if t.chars().count() > MAX_NOTE_CHARS {
                return bad(
                    format!("{name} is longer than {MAX_NOTE_CHARS} characters"),
                    format!("{name} 超过 {MAX_NOTE_CHARS} 个字符"),
                );
            }
            if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                return bad(
                    format!("{name} holds control characters"),
                    format!("{name} 含有控制字符"),
                );
            }
        }
    }
    if sent.finding == Finding::FalsePositive && sent.fp_reason.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        return Err(Refused::NotAllowed(crate::say!(
            "a false positive needs the reason",
            "误报需要填写原因"
        )));
    }
    if let Some(p) = sent.position
        && !(p.latitude.is_finite()
            && p.longitude.is_finite()
            && p.latitude.abs() <= 90.0
            && p.longitude.abs() <= 180.0
            && p.accuracy_m.is_none_or(|a| a.is_finite() && a >= 0.0))
    {
        return bad(
            "the position is not a place on Earth".into(),
            "位置不是有效的经纬度".into(),
        );
    }
    if sent.photos.len() > MAX_PHOTOS {
        return Err(Refused::TooLarge(crate::say!(
            "at most {MAX_PHOTOS} photos on a record",
            "每条记录最多 {MAX_PHOTOS} 张照片"
        )));
    }
    let mut photos = Vec::with_capacity(sent.photos.len());
    for (i, text) in sent.photos.iter().enumerate() {
        let n = i + 1;
        let b64 = match text.split_once(";base64,") {
            Some((head, rest)) if head.starts_with("data:") => rest,
            _ => text.as_str(),
        };
        // Base64 is 4 characters for 3 bytes: refuse before decoding what is too big.
        if b64.len() / 4 * 3 > MAX_PHOTO_BYTES + 3 {
            return Err(Refused::TooLarge(crate::say!(
                "photo {n} is larger than {} MB",
                "第 {n} 张照片超过 {} MB",
                MAX_PHOTO_BYTES / 1024 / 1024
            )));
        }
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
            return bad(
                format!("photo {n} is not base64"),
                format!("第 {n} 张照片不是 base64 编码"),
            );
        };
        let Some(media_type) = media_type(&bytes) else {
            return bad(
                format!("photo {n} is not a JPEG, PNG or WebP picture"),
                format!("第 {n} 张照片不是 JPEG、PNG 或 WebP 图片"),
            );
        };
        let sha256 = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        photos.push(Photo {
            media_type: media_type.into(),
            sha256,
            bytes,
        });
    }
    Ok(Checked { sent, photos })
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// 8-4-4-4-12 hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A suspect's key is rule|type|id|period (`store::audit::suspect_key`): printable, without
/// path separators or dots in a row, and bounded.
fn is_suspect_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.contains('|')
        && !s.contains("..")
        && !s.contains('/')
        && !s.contains('\\')
        && !s.chars().any(char::is_control)
}

/// The picture's type from its first bytes.
pub fn media_type(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The steps of the closed loop a finding takes from the suspect's state: `Some(state)` a
/// move, `None` a remark. Err when the loop does not allow the finding from there.
pub fn steps(finding: Finding, from: Status) -> Result<Vec<Option<Status>>, Text> {
    use Status::*;
    Ok(match (finding, from) {
        (Finding::Confirmed, New) => vec![Some(Verifying), Some(Confirmed)],
        (Finding::Confirmed, Verifying) => vec![Some(Confirmed)],
        // Already confirmed (or further on): the visit is a remark on it.
        (Finding::Confirmed, Confirmed | Rectifying) => vec![None],
        (Finding::FalsePositive, New | Verifying) => vec![Some(FalsePositive)],
        (Finding::NotVerified, New) => vec![Some(Verifying)],
        (Finding::NotVerified, Verifying | Confirmed | Rectifying) => vec![None],
        (f, from) => {
            return Err(crate::say!(
                "a {} suspect cannot be recorded as {}",
                "{}的疑点不能记录为{}",
                from.id(),
                f.id()
            ));
        }
    })
}

/// The actor the trail names for a device.
pub fn actor(device: &Device) -> String {
    format!("phone #{} {}", device.device_id, device.name)
}

/// Applies a checked record for `device`, all or nothing: the record, its photos and its
/// trail entries.
pub fn apply(p: &Project, device: &Device, record: &Checked) -> anyhow::Result<Result<Outcome, Refused>> {
    let sent = &record.sent;
    let applied = p.transaction(|p| {
        if let Some(before) = stored::record(p, &sent.record_id)? {
            if before.device_id != device.device_id || before.suspect_key != sent.suspect_key {
                return Ok(Err(Refused::Malformed(crate::say!(
                    "record_id is already used by another record",
                    "record_id 已被另一条记录使用"
                ))));
            }
            let status = crate::store::audit::suspect(p, &sent.suspect_key)?
                .map(|s| s.status)
                .unwrap_or(before.to_status);
            return Ok(Ok(Outcome::AlreadyRecorded { status }));
        }
        let Some(suspect) = crate::store::audit::suspect(p, &sent.suspect_key)? else {
            return Ok(Err(Refused::NoSuspect));
        };
        if !stored::in_scope(p, &suspect, device.unit_id.as_deref())? {
            return Ok(Err(Refused::NotYours));
        }
        if suspect.status != sent.seen_status {
            let trail = crate::store::audit::trail(p, &sent.suspect_key)?;
            // The entries since the phone's view: those after the last one that left the
            // state the phone saw.
            let since = trail
                .iter()
                .rposition(|e| e.to_status == sent.seen_status)
                .map_or(0, |i| i + 1);
            return Ok(Ok(Outcome::Conflict {
                seen_status: sent.seen_status.clone(),
                status: suspect.status.clone(),
                changes: trail[since..].to_vec(),
            }));
        }
        let from = Status::parse(&suspect.status).unwrap_or(Status::New);
        let steps = match steps(sent.finding, from) {
            Ok(s) => s,
            Err(e) => return Ok(Err(Refused::NotAllowed(e))),
        };
        let received_at = chrono::Local::now().naive_local();
        let note = trail_note(record);
        let actor = actor(device);
        let mut status = from;
        for (i, to) in steps.iter().enumerate() {
            let last = i + 1 == steps.len();
            let change = Change {
                to: *to,
                // The whole note on the last step; the step before says where it came from.
                note: if last {
                    note.clone()
                } else {
                    format!("on site, record {}", sent.record_id)
                },
                fp_reason: (*to == Some(Status::FalsePositive))
                    .then(|| sent.fp_reason.clone())
                    .flatten(),
                ..Default::default()
            };
            // A step the loop refuses undoes the steps before it (the transaction rolls back).
            triage::apply_in(
                p,
                std::slice::from_ref(&sent.suspect_key),
                &change,
                &actor,
                received_at,
            )?;
            status = to.unwrap_or(status);
        }
        let kept = Record {
            record_id: sent.record_id.clone(),
            device_id: device.device_id,
            suspect_key: sent.suspect_key.clone(),
            finding: sent.finding.id().into(),
            fp_reason: sent.fp_reason.clone().filter(|r| !r.trim().is_empty()),
            note: sent.note.clone().filter(|n| !n.trim().is_empty()),
            made_at: sent.made_at,
            received_at,
            latitude: sent.position.map(|p| p.latitude),
            longitude: sent.position.map(|p| p.longitude),
            accuracy_m: sent.position.and_then(|p| p.accuracy_m),
            photo_count: record.photos.len() as i32,
            to_status: status.id().into(),
        };
        stored::insert(p, &kept, &record.photos)?;
        Ok(Ok(Outcome::Recorded {
            status: status.id().into(),
        }))
    });
    match applied {
        Err(e) if e.downcast_ref::<crate::text::Said>().is_some() => {
            let said = e.downcast_ref::<crate::text::Said>().expect("checked");
            Ok(Err(Refused::NotAllowed(said.0.clone())))
        }
        other => other,
    }
}

/// The trail's note of a record: the finding, the inspector's note, and what else it holds.
fn trail_note(r: &Checked) -> String {
    let s = &r.sent;
    let mut parts = vec![s.finding.said().to_string()];
    if let Some(n) = s.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        parts.push(n.to_string());
    }
    let mut facts = vec![format!("made {}", s.made_at.format("%Y-%m-%d %H:%M"))];
    if !r.photos.is_empty() {
        facts.push(format!("{} photo(s)", r.photos.len()));
    }
    if let Some(p) = s.position {
        let acc = p.accuracy_m.map(|a| format!(" ±{a:.0} m")).unwrap_or_default();
        facts.push(format!("at {:.5}, {:.5}{acc}", p.latitude, p.longitude));
    }
    facts.push(format!("record {}", s.record_id));
    parts.push(format!("[{}]", facts.join("; ")));
    parts.join(" — ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(json: serde_json::Value) -> Result<Sent, serde_json::Error> {
        serde_json::from_value(json)
    }

    fn base() -> serde_json::Value {
        serde_json::json!({
            "record_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "suspect_key": "zero_usage|customer|C001|2025-03-01",
            "finding": "confirmed",
            "made_at": "2025-04-02T10:15:00",
            "seen_status": "new",
        })
    }

    #[test]
    fn the_closed_loop_decides_what_a_finding_does() {
        // Written by hand from the loop in docs/rules.md.
        use Status::*;
        assert_eq!(
            steps(Finding::Confirmed, New).unwrap(),
            vec![Some(Verifying), Some(Confirmed)]
        );
        assert_eq!(
            steps(Finding::FalsePositive, Verifying).unwrap(),
            vec![Some(FalsePositive)]
        );
        assert_eq!(steps(Finding::NotVerified, Rectifying).unwrap(), vec![None]);
        assert!(steps(Finding::FalsePositive, Confirmed).is_err());
        assert!(steps(Finding::Confirmed, Closed).is_err());
    }

    #[test]
    fn what_a_phone_sends_is_checked_before_anything_is_read() {
        assert!(check(sent(base()).unwrap()).is_ok());
        let mut j = base();
        j["record_id"] = "../../etc/passwd".into();
        assert!(matches!(check(sent(j).unwrap()), Err(Refused::Malformed(_))));
        let mut j = base();
        j["suspect_key"] = "../../../home/user/.ssh/id_rsa".into();
        assert!(matches!(check(sent(j).unwrap()), Err(Refused::Malformed(_))));
        let mut j = base();
        j["finding"] = "false_positive".into();
        assert!(
            matches!(check(sent(j).unwrap()), Err(Refused::NotAllowed(_))),
            "no reason"
        );
        let mut j = base();
        j["position"] = serde_json::json!({"latitude": 91.0, "longitude": 120.0});
        assert!(matches!(check(sent(j).unwrap()), Err(Refused::Malformed(_))));
        let mut j = base();
        j["sql"] = "DROP TABLE bills".into();
        assert!(sent(j).is_err(), "an unknown field");
        // A text file named like a photo is not a photo.
        let mut j = base();
        j["photos"] = serde_json::json!([base64::engine::general_purpose::STANDARD.encode(b"hello")]);
        assert!(matches!(check(sent(j).unwrap()), Err(Refused::Malformed(_))));
        // The smallest JPEG start, as a data URL.
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
        let mut j = base();
        j["photos"] = serde_json::json!([format!(
            "data:image/jpeg;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(jpeg)
        )]);
        let c = check(sent(j).unwrap()).unwrap();
        assert_eq!(c.photos[0].media_type, "image/jpeg");
        let mut j = base();
        j["photos"] = serde_json::json!(["A".repeat(MAX_PHOTO_BYTES / 3 * 4 + 400)]);
        assert!(matches!(check(sent(j).unwrap()), Err(Refused::TooLarge(_))));
    }
}
