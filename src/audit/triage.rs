//! The closed loop of a suspect: new -> verifying -> confirmed or false positive ->
//! rectifying -> rectified -> closed (verified). Every change, and every assignment, is
//! appended to the audit trail; nothing in MAMS edits or deletes the trail.

use chrono::NaiveDate;
use serde::Serialize;

use crate::store::Project;
use crate::store::audit::{self as stored, TrailEntry};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Verifying,
    Confirmed,
    FalsePositive,
    Rectifying,
    Rectified,
    Closed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::New,
        Status::Verifying,
        Status::Confirmed,
        Status::FalsePositive,
        Status::Rectifying,
        Status::Rectified,
        Status::Closed,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Verifying => "verifying",
            Status::Confirmed => "confirmed",
            Status::FalsePositive => "false_positive",
            Status::Rectifying => "rectifying",
            Status::Rectified => "rectified",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.id() == s)
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Status::New, false) => "New",
            (Status::New, true) => "新发现",
            (Status::Verifying, false) => "Verifying",
            (Status::Verifying, true) => "核实中",
            (Status::Confirmed, false) => "Confirmed",
            (Status::Confirmed, true) => "已确认",
            (Status::FalsePositive, false) => "False positive",
            (Status::FalsePositive, true) => "误报",
            (Status::Rectifying, false) => "Rectifying",
            (Status::Rectifying, true) => "整改中",
            (Status::Rectified, false) => "Rectified",
            (Status::Rectified, true) => "已整改",
            (Status::Closed, false) => "Closed",
            (Status::Closed, true) => "已销号",
        }
    }

    /// The states a suspect may move to from this one. A false positive can be reopened for
    /// verification; a rectification that fails its check goes back to rectifying.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::New => &[Status::Verifying, Status::FalsePositive],
            Status::Verifying => &[Status::Confirmed, Status::FalsePositive],
            Status::Confirmed => &[Status::Rectifying],
            Status::FalsePositive => &[Status::Verifying],
            Status::Rectifying => &[Status::Rectified],
            Status::Rectified => &[Status::Closed, Status::Rectifying],
            Status::Closed => &[],
        }
    }

    /// Counted as a real problem for a rule's precision.
    pub fn is_confirmed(self) -> bool {
        matches!(
            self,
            Status::Confirmed | Status::Rectifying | Status::Rectified | Status::Closed
        )
    }
}

/// A change asked for by a user: a new state (or, with `to: None`, a new assignment only).
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub to: Option<Status>,
    pub note: String,
    pub assignee_unit: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub recovered: Option<f64>,
    pub fp_reason: Option<String>,
}

/// What a change needs, checked before anything is written.
fn check(change: &Change, from: Status) -> Result<(), String> {
    let Some(to) = change.to else {
        // A note alone is a remark in the trail (an on-site visit that could not verify).
        if change
            .assignee_unit
            .as_deref()
            .is_none_or(|u| u.trim().is_empty())
            && change.due_on.is_none()
            && change.note.trim().is_empty()
        {
            return Err("an assignment needs a unit or a due date".into());
        }
        return Ok(());
    };
    if !from.next().contains(&to) {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.id()).collect();
        return Err(if allowed.is_empty() {
            format!("a {} suspect cannot change any more", from.id())
        } else {
            format!("a {} suspect can only become {}", from.id(), allowed.join(" or "))
        });
    }
    match to {
        Status::FalsePositive if change.fp_reason.as_deref().is_none_or(|r| r.trim().is_empty()) => {
            Err("marking a false positive needs the reason".into())
        }
        Status::Rectifying
            if change
                .assignee_unit
                .as_deref()
                .is_none_or(|u| u.trim().is_empty())
                || change.due_on.is_none() =>
        {
            Err("a rectification needs the unit responsible and a due date".into())
        }
        Status::Closed if change.recovered.is_none_or(|r| !r.is_finite() || r < 0.0) => {
            Err("closing needs the money recovered (0 or more yuan)".into())
        }
        _ => Ok(()),
    }
}

/// Applies `change` to every suspect of `keys`, all or none: if one of them cannot take
/// it, nothing is written and the error names that suspect.
pub fn apply(project: &Project, keys: &[String], change: &Change, actor: &str) -> anyhow::Result<usize> {
    if keys.is_empty() {
        crate::bail_say!("no suspect selected", "没有选中疑点");
    }
    let at = chrono::Local::now().naive_local();
    project.transaction(|p| apply_in(p, keys, change, actor, at))
}

/// [`apply`] inside a transaction the caller holds (the phone's on-site record writes its
/// record, its photos and its trail entries all or none).
pub fn apply_in(
    p: &Project,
    keys: &[String],
    change: &Change,
    actor: &str,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<usize> {
    {
        for key in keys {
            let s =
                stored::suspect(p, key)?.ok_or_else(|| crate::said!("no suspect {key}", "没有疑点 {key}"))?;
            let from = Status::parse(&s.status).unwrap_or(Status::New);
            check(change, from).map_err(|e| crate::said!("{key}: {e}", "{key}：{e}"))?;
            let to = change.to.unwrap_or(from);
            let entry = TrailEntry {
                suspect_key: key.clone(),
                changed_at: at,
                actor: actor.to_string(),
                from_status: Some(from.id().to_string()),
                to_status: to.id().to_string(),
                note: Some(change.note.trim().to_string()).filter(|n| !n.is_empty()),
                assignee_unit: change.assignee_unit.clone().filter(|u| !u.trim().is_empty()),
                due_on: change.due_on,
                recovered: change.recovered,
                fp_reason: change.fp_reason.clone().filter(|r| !r.trim().is_empty()),
            };
            let (seq, hash) = super::chain::next_link(p, &entry)?;
            stored::record_change(p, &entry, (seq, &hash))?;
        }
        Ok(keys.len())
    }
}

/// A rectification past its due date.
pub fn is_overdue(status: &str, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    matches!(
        Status::parse(status),
        Some(Status::Rectifying | Status::Confirmed)
    ) && due_on.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loop_only_moves_forward_with_what_each_step_needs() {
        let plain = |to| Change {
            to: Some(to),
            ..Default::default()
        };
        assert!(check(&plain(Status::Verifying), Status::New).is_ok());
        assert!(
            check(&plain(Status::Closed), Status::New)
                .unwrap_err()
                .contains("only become")
        );
        assert!(
            check(&plain(Status::FalsePositive), Status::Verifying)
                .unwrap_err()
                .contains("reason")
        );
        assert!(
            check(&plain(Status::Rectifying), Status::Confirmed)
                .unwrap_err()
                .contains("due date")
        );
        let closing = Change {
            to: Some(Status::Closed),
            recovered: Some(-1.0),
            ..Default::default()
        };
        assert!(check(&closing, Status::Rectified).is_err());
        assert!(
            check(&plain(Status::Verifying), Status::Closed)
                .unwrap_err()
                .contains("cannot change")
        );
        assert!(
            check(&Change::default(), Status::New).is_err(),
            "an empty assignment"
        );
        let remark = Change {
            note: "nobody at home".into(),
            ..Default::default()
        };
        assert!(check(&remark, Status::Verifying).is_ok(), "a remark alone");
        assert!(
            check(&remark, Status::Closed).is_ok(),
            "a remark on a closed suspect"
        );
        let d = NaiveDate::from_ymd_opt(2025, 1, 10).unwrap();
        assert!(is_overdue("rectifying", Some(d), d.succ_opt().unwrap()));
        assert!(!is_overdue("closed", Some(d), d.succ_opt().unwrap()));
    }
}
