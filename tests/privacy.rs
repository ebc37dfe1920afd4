//! Personal data on its way out of MAMS: masked on every path by default, in full only after a
//! choice the project's access log records; logs and crash reports that hold none of it.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use mams::privacy::Disclosure;
use mams::store::Project;

fn all_customers_query() -> mams::store::rows::RowsQuery {
    mams::store::rows::RowsQuery {
        failing: None,
        table: "customers",
        unit: "P".into(),
        month: None,
        only: None,
        search: String::new(),
        sort: None,
        offset: 0,
        limit: 100,
    }
}

#[test]
fn exported_rows_are_masked_by_default_and_full_exports_are_logged() {
    let path = small_project("privacy-export");
    let people = customers_of(&path);
    assert!(people.len() > 100);
    let dir = tmp("privacy-export-out");
    let p = Project::open(&path).unwrap();
    for file in ["masked.csv", "masked.xlsx"] {
        let out = dir.join(file);
        let n = mams::store::rows::export(&p, &all_customers_query(), &out, Disclosure::Masked).unwrap();
        assert_eq!(n as usize, 900, "{file}");
    }
    let csv = std::fs::read_to_string(dir.join("masked.csv")).unwrap();
    for (name, id, phone) in &people {
        assert!(
            !csv.contains(id.as_str()),
            "a full ID number in the masked export: {id}"
        );
        assert!(
            !csv.contains(phone.as_str()),
            "a full phone in the masked export: {phone}"
        );
        // A name of three characters or fewer keeps its first one only (written by hand: 张** ).
        if name.chars().count() <= 3 {
            let first: String = name.chars().take(1).collect();
            let masked = format!("{first}{}", "*".repeat(name.chars().count() - 1));
            assert!(csv.contains(&masked), "{masked} missing");
        }
    }
    // The ID number keeps its first three and last four characters.
    let (_, id, _) = &people[0];
    let masked_id = format!("{}{}{}", &id[..3], "*".repeat(id.len() - 7), &id[id.len() - 4..]);
    assert!(csv.contains(&masked_id), "{masked_id}");
    assert!(
        mams::store::access_log::list(&p, 10).unwrap().is_empty(),
        "masked exports are not logged"
    );

    // In full: the values as stored, and one entry in the access log.
    let full = dir.join("full.csv");
    mams::store::rows::export(&p, &all_customers_query(), &full, Disclosure::Full).unwrap();
    let text = std::fs::read_to_string(&full).unwrap();
    assert!(text.contains(id.as_str()));
    let log = mams::store::access_log::list(&p, 10).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].rows, 900);
    assert_eq!(log[0].channel, "csv");
    assert!(log[0].what.contains("customers") && log[0].what.contains("full.csv"));
    assert!(log[0].columns.contains("id_number") && log[0].columns.contains("name"));
    assert!(!log[0].actor.is_empty());
}

#[test]
fn the_command_line_masks_sql_output_and_records_unmasked_output() {
    let path = small_project("privacy-cli");
    let people = customers_of(&path);
    let project = path.to_str().unwrap();
    let query =
        "SELECT customer_id, name, id_number, phone AS customer_phone FROM customers ORDER BY customer_id";
    let o = mams(&["sql", project, query, "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for (_, id, phone) in &people {
        assert!(!out.contains(id.as_str()) && !out.contains(phone.as_str()));
    }
    assert!(out.contains("***"));
    let o = mams(&["access-log", project]);
    assert!(stdout(&o).contains("No personal data"), "{}", stdout(&o));

    let o = mams(&["sql", project, query, "--format", "csv", "--unmasked"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(people[0].1.as_str()));
    let o = mams(&["access-log", project]);
    let log = stdout(&o);
    assert!(log.contains("cli sql") && log.contains("900"), "{log}");
    assert!(
        log.contains("id_number") && log.contains("customer_phone"),
        "{log}"
    );
}

#[test]
fn rejected_values_of_personal_columns_are_masked() {
    // Written by hand: rejects as an import of a Chinese extract lists them.
    use mams::import::file::{FileReject, mask_rejects};
    use mams::store::staging::Reject;
    let reject = |column: &str, value: &str| FileReject {
        file: "客户档案.csv".into(),
        reject: Reject {
            row_number: Some(7),
            column: Some(column.into()),
            value: Some(value.into()),
            reason: "bad value".into(),
            detail: String::new(),
        },
    };
    let mut rejects = vec![
        reject("身份证号", "110101199003071234"),
        reject("phone", "=HYPERLINK(\"x\")13812348000"),
        reject("合同容量", "12kVA"),
    ];
    let personal = mask_rejects(&mut rejects, Disclosure::Masked);
    assert_eq!(personal, ["phone", "身份证号"]);
    assert_eq!(rejects[0].reject.value.as_deref(), Some("110***********1234"));
    assert!(
        !rejects[1]
            .reject
            .value
            .as_deref()
            .unwrap()
            .contains("13812348000")
    );
    assert_eq!(rejects[2].reject.value.as_deref(), Some("12kVA"));
    let mut full = vec![reject("身份证号", "110101199003071234")];
    mask_rejects(&mut full, Disclosure::Full);
    assert_eq!(full[0].reject.value.as_deref(), Some("110101199003071234"));
}

#[test]
fn the_case_library_export_masks_personal_evidence() {
    let path = small_project("privacy-cases");
    let p = Project::open(&path).unwrap();
    let case = mams::store::cases::Case {
        case_id: "C-PRIV-1".into(),
        title: "转供电加价".into(),
        features: vec![
            ("户名".into(), serde_json::json!("张三丰")),
            ("kwh".into(), serde_json::json!(1200.0)),
        ],
        ..Default::default()
    };
    mams::audit::cases::save(&p, &case, &[]).unwrap();
    let dir = tmp("privacy-cases-out");
    let masked = dir.join("cases.json");
    mams::audit::cases::export(&p, &masked, Disclosure::Masked).unwrap();
    let text = std::fs::read_to_string(&masked).unwrap();
    assert!(text.contains("张**") && !text.contains("张三丰"), "{text}");
    assert!(mams::store::access_log::list(&p, 5).unwrap().is_empty());
    let full = dir.join("cases-full.json");
    mams::audit::cases::export(&p, &full, Disclosure::Full).unwrap();
    assert!(std::fs::read_to_string(&full).unwrap().contains("张三丰"));
    let log = mams::store::access_log::list(&p, 5).unwrap();
    assert_eq!((log.len(), log[0].columns.as_str()), (1, "户名"));
}

/// Runs `mams` with its own home folder (so its logs are this test's alone), logging at the
/// most detailed level.
fn mams_logged(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mams"))
        .args(args)
        .env("MAMS_HOME", home)
        .env("MAMS_LOG", "trace")
        .output()
        .expect("run mams")
}

#[test]
fn logs_of_a_full_command_line_run_hold_no_personal_data() {
    let home = tmp("privacy-logs-home");
    let path = tmp("privacy-logs").join("project.duckdb");
    let project = path.to_str().unwrap();
    let sample = small_sample().to_str().unwrap().to_string();
    for args in [
        vec!["import", project, &sample],
        vec!["audit", project, "--period", "2024-06", "--to", "2025-02"],
        vec!["dq", "run", project],
        vec!["risk", "levels", project, "--period", "2025-02"],
        vec!["sql", project, "SELECT * FROM customers"],
        vec!["board", project, "--period", "2025-02"],
    ] {
        let o = mams_logged(&home, &args);
        // `dq run` exits 1 when a check is below its threshold, as the sample's are.
        assert!(o.status.success() || args[0] == "dq", "{args:?}: {}", stderr(&o));
        // What went to stderr is a log too.
        let err = stderr(&o);
        for (name, id, _) in customers_of(&path).iter().take(200) {
            assert!(
                !err.contains(id.as_str()),
                "{args:?} printed an ID number to stderr"
            );
            assert!(
                name.chars().count() < 2 || !err.contains(name.as_str()),
                "{args:?} printed {name}"
            );
        }
    }
    let log = std::fs::read_to_string(home.join("logs").join("mams.log")).unwrap();
    assert!(log.lines().count() > 20, "trace logging wrote little: {log}");
    for (name, id, phone) in customers_of(&path) {
        assert!(!log.contains(&id), "ID number {id} in the log");
        assert!(!log.contains(&phone), "phone {phone} in the log");
        // Names of one character could match anything; the sample's have two or more.
        assert!(!log.contains(&name), "name {name} in the log");
    }
}

#[test]
fn a_crash_leaves_a_report_without_personal_data() {
    let home = tmp("privacy-crash-home");
    let o = mams_logged(&home, &["crash-test"]);
    assert!(!o.status.success());
    let reports: Vec<_> = std::fs::read_dir(home.join("logs"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("crash-"))
        .collect();
    assert_eq!(reports.len(), 1);
    let text = std::fs::read_to_string(reports[0].path()).unwrap();
    assert!(text.contains("version: 0.1.0 (commit"), "{text}");
    assert!(text.contains("panic: deliberate crash"), "{text}");
    assert!(
        text.contains("backtrace:") && text.contains("crash test requested"),
        "{text}"
    );
    assert!(!text.contains("110101199003071234"), "{text}");
}
