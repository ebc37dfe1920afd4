//! Phone access's paired devices: a token lets its device in until it is revoked, the
//! project keeps only the token's hash, and requests are recorded with the device's last use.

mod common;

use chrono::NaiveDate;
use common::*;
use mams::store::Project;
use mams::store::devices::{self, Request};

#[test]
fn a_paired_device_is_let_in_until_it_is_revoked() {
    let path = tmp("handheld-devices").join("project.duckdb");
    let p = Project::create(&path).unwrap();
    assert!(devices::pair(&p, "  ", None, false).is_err(), "a name is needed");
    let (phone, token) = devices::pair(&p, "Inspector Li's phone", Some("C01"), false).unwrap();
    let (tablet, other) = devices::pair(&p, "Leaders' tablet", None, true).unwrap();
    assert_ne!(*token, *other);
    assert_eq!(phone.unit_id.as_deref(), Some("C01"));
    assert!(!phone.sees_personal && tablet.sees_personal);
    assert_eq!(phone.paired_by, mams::account::name());

    assert_eq!(devices::authenticate(&p, &token).unwrap(), Some(phone.clone()));
    assert_eq!(
        devices::authenticate(&p, &other).unwrap().unwrap().name,
        "Leaders' tablet"
    );
    // A token one character off is nobody's.
    let mut off = token.to_string();
    off.replace_range(0..1, if off.starts_with('0') { "1" } else { "0" });
    assert_eq!(devices::authenticate(&p, &off).unwrap(), None);

    // Revoked: refused at once; the other device is not affected; revoking twice says so.
    assert!(devices::revoke(&p, phone.device_id).unwrap());
    assert_eq!(devices::authenticate(&p, &token).unwrap(), None);
    assert!(devices::authenticate(&p, &other).unwrap().is_some());
    assert!(!devices::revoke(&p, phone.device_id).unwrap());
    let listed = devices::list(&p).unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .find(|d| d.device_id == phone.device_id)
            .unwrap()
            .revoked_at
            .is_some()
    );

    // Requests are kept, and the device's last use is the latest of them.
    let at = |h: u32| {
        NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    };
    let asked = |h, device_id, request: &str, status, rows| Request {
        at: at(h),
        device_id,
        remote: "192.168.1.23".into(),
        request: request.into(),
        status,
        rows,
    };
    devices::record(
        &p,
        &[
            asked(10, Some(tablet.device_id), "GET /api/cards", 200, 12),
            asked(9, Some(tablet.device_id), "GET /api/board", 200, 8),
            asked(11, None, "POST /api/pair", 403, 0),
        ],
    )
    .unwrap();
    let tablet_now = devices::list(&p)
        .unwrap()
        .into_iter()
        .find(|d| d.device_id == tablet.device_id)
        .unwrap();
    assert_eq!(tablet_now.last_used_at, Some(at(10)));
    let log = devices::requests(&p, 10).unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!((log[0].device_id, log[0].status), (None, 403));
    drop(p);

    // The project file holds the tokens' hashes, not the tokens.
    let bytes = std::fs::read(&path).unwrap();
    let holds = |s: &str| memchr::memmem::find(&bytes, s.as_bytes()).is_some();
    assert!(
        holds(&mams::handheld::token::hash(&token)),
        "the control: hashes are there"
    );
    assert!(!holds(&token) && !holds(&other));
}
