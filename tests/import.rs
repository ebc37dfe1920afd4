//! Importing single files (`mams import PROJECT --table TABLE FILE...`): encodings,
//! Chinese headers, units, profiles, period replacement, and every kind of bad input,
//! each leaving the project exactly as it was.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use mams::import::file::{FileOptions, FileReport, import_files};
use mams::progress::Progress;
use mams::store::{Project, queries};

/// Row counts of every table: what "the project exactly as before" is checked against.
fn counts(project: &Path) -> Vec<(String, u64)> {
    let p = Project::open_read_only(project).unwrap();
    queries::project_info(&p)
        .unwrap()
        .tables
        .into_iter()
        .map(|t| (t.table, t.rows))
        .collect()
}

fn sql(project: &Path, q: &str) -> String {
    let out = mams(&["sql", project.to_str().unwrap(), q, "--format", "csv"]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().nth(1).unwrap_or("").to_string()
}

fn import(project: &Path, table: &str, file: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "import",
        project.to_str().unwrap(),
        "--table",
        table,
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    mams(&args)
}

/// Three customers of the small sample, with a bill month that is not in it (2026-06).
fn bills_csv(rows: &[&str]) -> String {
    let mut s = String::from("应收流水号,户号,电费年月,电量（万kWh）,应收电费\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_gbk_csv_with_chinese_headers_units_and_local_formats_imports() {
    let project = small_project("gbk");
    let dir = tmp("gbk-files");
    let text = bills_csv(&[
        "B1,3100000001,202606,\"0.0120\",\"1,234.50\"",
        "B2,3100000002,2026年6月,０．０３,８８",
        "B3,3100000003,2026/06/30,0.001,12.5",
    ]);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let file = write(&dir, "电费明细.csv", &gbk);
    let before = sql(&project, "SELECT count(*) FROM bills");
    let out = import(&project, "bills", &file, &["--save-profile", "monthly-bills"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stored 3 of 3 rows"), "{}", stderr(&out));
    assert_eq!(
        sql(&project, "SELECT count(*) FROM bills")
            .parse::<u64>()
            .unwrap(),
        before.parse::<u64>().unwrap() + 3
    );
    // 万kWh scaled to kWh, thousands separators and full-width digits read, months truncated.
    assert_eq!(
        sql(
            &project,
            "SELECT string_agg(kwh || '/' || amount || '/' || billing_month, ' ' ORDER BY bill_id) FROM bills WHERE bill_id LIKE 'B_'"
        ),
        "120.0/1234.5/2026-06-01 300.0/88.0/2026-06-01 10.0/12.5/2026-06-01"
    );
    // The import is recorded with its profile, and the profile imports the next file.
    assert_eq!(
        sql(&project, "SELECT profile FROM imports WHERE kind = 'file'"),
        ""
    );
    let next = write(
        &dir,
        "next.csv",
        bills_csv(&["B4,3100000004,202607,0.01,10"]).as_bytes(),
    );
    let out = import(&project, "bills", &next, &["--profile", "monthly-bills"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sql(
            &project,
            "SELECT profile FROM imports WHERE file_name = 'next.csv'"
        ),
        "monthly-bills"
    );
    let out = import(&project, "bills", &next, &["--profile", "nope"]);
    assert!(stderr(&out).contains("monthly-bills (bills)"), "{}", stderr(&out));
}

#[test]
fn the_same_month_twice_is_refused_or_replaced_never_doubled() {
    let project = small_project("replace");
    let export = tmp("replace-files").join("bills-2025-02.csv");
    // A file exported from the project itself uses the canonical names.
    let out = mams(&[
        "sql",
        project.to_str().unwrap(),
        "SELECT * FROM bills WHERE billing_month = DATE '2025-02-01'",
        "--format",
        "csv",
    ]);
    std::fs::write(&export, out.stdout).unwrap();
    let before = counts(&project);
    let out = import(&project, "bills", &export, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already holds 2025-02"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--replace-period"));
    assert_eq!(counts(&project), before);
    for _ in 0..2 {
        let out = import(&project, "bills", &export, &["--replace-period"]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            counts(&project),
            before,
            "re-importing a month must not double it"
        );
    }
    // Tables without months: the file is a newer snapshot, rows with the same key replaced.
    let archive = tmp("replace-files").join("customers.csv");
    let out = mams(&[
        "sql",
        project.to_str().unwrap(),
        "SELECT * FROM customers LIMIT 50",
        "--format",
        "csv",
    ]);
    std::fs::write(&archive, out.stdout).unwrap();
    for _ in 0..2 {
        let out = import(&project, "customers", &archive, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(counts(&project), before);
}

#[test]
fn rejected_rows_are_listed_with_row_column_value_and_reason() {
    let project = small_project("rejects");
    let dir = tmp("rejects-files");
    let file = write(
        &dir,
        "bad-rows.csv",
        bills_csv(&[
            "C1,3100000001,202606,0.01,10",
            "C2,9999999999,202606,0.01,10",
            "C3,3100000002,202606,abc,10",
            "C4,3100000003,2026-13,0.01,10",
            "C1,3100000004,202606,0.01,10",
            "C5,3100000005,202606,-0.01,10",
            "C6,,202606,0.01,10",
            "C7,3100000006,209901,0.01,10",
        ])
        .as_bytes(),
    );
    let before = counts(&project);
    let rejects = dir.join("rejects.csv");
    // All or nothing: nothing stored, exit code non-zero, the rejects still written.
    let out = import(
        &project,
        "bills",
        &file,
        &["--all-or-nothing", "--rejects", rejects.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nothing was stored"), "{}", stderr(&out));
    assert_eq!(counts(&project), before);
    let listed = std::fs::read_to_string(&rejects).unwrap();
    for reason in [
        "unknown_reference",
        "bad_number",
        "bad_date",
        "duplicate_key",
        "negative",
        "missing_required",
        "future_date",
    ] {
        assert!(listed.contains(reason), "{reason} missing from\n{listed}");
    }
    assert!(
        listed.contains("bad-rows.csv,3,电量（万kWh）,abc,bad_number"),
        "{listed}"
    );
    // As a workbook, read back with the Excel reader MAMS uses.
    let xlsx = dir.join("rejects.xlsx");
    import(
        &project,
        "bills",
        &file,
        &["--all-or-nothing", "--rejects", xlsx.to_str().unwrap()],
    );
    {
        use calamine::Reader;
        let mut wb = calamine::open_workbook_auto(&xlsx).unwrap();
        let range = wb.worksheet_range("rejects").unwrap();
        assert_eq!(range.height(), 8, "a header and 7 rejects");
    }
    // The default stores the good row and keeps the rejects with the import record.
    let out = import(
        &project,
        "bills",
        &file,
        &["--rejects", rejects.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stored 1 of 8 rows"), "{}", stderr(&out));
    assert_eq!(
        sql(&project, "SELECT rows_rejected FROM imports WHERE kind = 'file'"),
        "7"
    );
    assert_eq!(
        sql(&project, "SELECT count(DISTINCT row_number) FROM import_rejects"),
        "7"
    );
    // Rejects into a folder that does not exist: refused before anything is stored (it
    // used to store the good row and then fail on the rejects, exit 1).
    let before = counts(&project);
    let nowhere = dir.join("no-such-folder").join("rejects.csv");
    let out = import(
        &project,
        "bills",
        &file,
        &["--rejects", nowhere.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
    assert_eq!(counts(&project), before, "nothing stored");
}

#[test]
fn bad_files_get_clear_messages_and_change_nothing() {
    let project = small_project("bad-files");
    let dir = tmp("bad-files-src");
    let before = counts(&project);
    let good_header = "应收流水号,户号,电费年月,电量,应收电费\n";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", vec![], "empty"),
        ("header-only.csv", good_header.as_bytes().to_vec(), "no data rows"),
        (
            "garbage.csv",
            vec![0, 159, 146, 150, 0, 1, 2, 3, 255, 0],
            "binary",
        ),
        (
            "unknown-headers.csv",
            b"a,b,c\n1,2,3\n".to_vec(),
            "required field(s)",
        ),
        (
            "all-bad.csv",
            format!("{good_header}X,9999999999,202606,1,1\n").into_bytes(),
            "every row was rejected",
        ),
        ("empty.parquet", vec![], "empty"),
        ("not.parquet", b"PAR1 but not really".to_vec(), "Parquet"),
        ("notes.docx", b"PK\x03\x04".to_vec(), "cannot import .docx"),
    ];
    for (name, bytes, expect) in cases {
        let file = write(&dir, name, &bytes);
        let out = import(&project, "bills", &file, &[]);
        assert!(!out.status.success(), "{name} was accepted");
        let err = stderr(&out);
        assert!(err.contains(expect), "{name}: expected '{expect}' in: {err}");
        assert!(err.contains(name), "{name}: the message names the file: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert_eq!(counts(&project), before, "{name} changed the project");
    }
    let out = import(&project, "clients", &dir.join("empty.csv"), &[]);
    assert!(stderr(&out).contains("not a MAMS table"));
}

#[test]
fn malformed_lines_are_reported_not_fatal() {
    let project = small_project("malformed");
    let dir = tmp("malformed-files");
    // A ragged row (too many fields) and a truncated last line among good rows.
    let text = "应收流水号,户号,电费年月,电量,应收电费\n\
                D1,3100000001,202606,10,5\n\
                D2,3100000002,202606,10,5,extra,fields\n\
                D4,3100000004,202606,10,5\n\
                D5,3100000005,2026";
    let file = write(&dir, "ragged.csv", text.as_bytes());
    let rejects = dir.join("r.csv");
    let out = import(
        &project,
        "bills",
        &file,
        &["--rejects", rejects.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sql(
            &project,
            "SELECT count(*) FROM bills WHERE bill_id IN ('D1', 'D4')"
        ),
        "2"
    );
    assert_eq!(
        sql(
            &project,
            "SELECT count(*) FROM bills WHERE bill_id IN ('D2', 'D5')"
        ),
        "0"
    );
    let listed = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        listed.contains("malformed_line,line 3: Expected Number of Columns"),
        "{listed}"
    );
    assert!(listed.contains("missing_required"), "{listed}");
    assert!(listed.contains("bad_date"), "{listed}");

    // An unbalanced quote runs to the end of the file: that line is reported, the rows
    // before it are kept.
    let text = "应收流水号,户号,电费年月,电量,应收电费\nE1,3100000001,202607,10,5\nE2,3100000002,202607,\"10,5\nE3,3100000003,202607,10,5\n";
    let file = write(&dir, "quote.csv", text.as_bytes());
    let out = import(
        &project,
        "bills",
        &file,
        &["--rejects", rejects.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sql(&project, "SELECT count(*) FROM bills WHERE bill_id = 'E1'"),
        "1"
    );
    assert!(
        std::fs::read_to_string(&rejects)
            .unwrap()
            .contains("unterminated quote")
    );
}

#[test]
fn random_bytes_never_panic_the_csv_path() {
    // A small property test: random bytes, random lengths, with a valid header in front
    // half of the time. Every outcome is a stored import or a clear refusal.
    let project = small_project("fuzz");
    let dir = tmp("fuzz-files");
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..12 {
        let len = (next() % 600) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| (next() % 256) as u8).collect();
        if i % 2 == 0 {
            let mut with_header = "应收流水号,户号,电费年月,电量,应收电费\n".as_bytes().to_vec();
            with_header.append(&mut bytes);
            bytes = with_header;
        }
        let file = write(&dir, &format!("fuzz{i}.csv"), &bytes);
        let out = import(&project, "bills", &file, &[]);
        let err = stderr(&out);
        assert!(!err.contains("panicked"), "case {i}: {err}");
        if !out.status.success() {
            assert!(
                err.starts_with("error: ") || err.contains("\nerror: "),
                "case {i}: {err}"
            );
        }
    }
}

#[test]
fn an_excel_sheet_with_a_title_row_imports_and_bad_workbooks_are_refused() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let project = small_project("excel");
    let dir = tmp("excel-files");
    let path = dir.join("营销系统导出.xlsx");
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "本表由营销系统导出").unwrap();
    let sheet = wb.add_worksheet();
    sheet.set_name("电费").unwrap();
    sheet.write_string(0, 0, "2026年6月电费明细").unwrap();
    for (c, h) in ["应收流水号", "户号", "电费年月", "电量", "应收电费", "发行日期"]
        .iter()
        .enumerate()
    {
        sheet.write_string(1, c as u16, *h).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (r, (id, cust)) in [("X1", "3100000001"), ("X2", "3100000002")].iter().enumerate() {
        let row = r as u32 + 2;
        sheet.write_string(row, 0, *id).unwrap();
        sheet.write_string(row, 1, *cust).unwrap();
        sheet.write_string(row, 2, "2026-06").unwrap();
        sheet.write_number(row, 3, 321.0).unwrap();
        sheet.write_number(row, 4, 181.46).unwrap();
        sheet
            .write_datetime_with_format(row, 5, ExcelDateTime::from_ymd(2026, 7, 3).unwrap(), &date)
            .unwrap();
    }
    wb.save(&path).unwrap();

    // Without --sheet the first sheet with data is read: here the notes, which map nothing.
    let out = import(&project, "bills", &path, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("required field(s)"), "{}", stderr(&out));
    let out = import(
        &project,
        "bills",
        &path,
        &["--sheet", "电费", "--skip-lines", "1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sql(
            &project,
            "SELECT string_agg(bill_id || ' ' || kwh || ' ' || issued_on, ';' ORDER BY bill_id) FROM bills WHERE bill_id LIKE 'X_'"
        ),
        "X1 321.0 2026-07-03;X2 321.0 2026-07-03"
    );
    let out = import(&project, "bills", &path, &["--sheet", "Sheet9"]);
    assert!(
        stderr(&out).contains("no sheet called 'Sheet9' (sheets: 说明, 电费)"),
        "{}",
        stderr(&out)
    );

    let before = counts(&project);
    let broken = write(&dir, "broken.xlsx", b"PK\x03\x04 not a workbook");
    let out = import(&project, "bills", &broken, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("password"), "{}", stderr(&out));
    assert_eq!(counts(&project), before);
}

#[test]
fn code_labels_are_translated_and_a_folder_of_monthly_files_loads_as_one_table() {
    let project = small_project("codes");
    let dir = tmp("codes-files");
    // An archive extract that writes classes and statuses as their Chinese labels.
    let text = "户号,户名,供电单位,用电类别,电价码,用户状态\n\
                3199000001,新户甲,C01K01S01,居民生活,R-TIER,正常用电\n\
                3199000002,新户乙,C01K01S01,Large industry,I-LARGE,normal\n\
                3199000003,新户丙,C01K01S01,外星用电,R-TIER,正常用电\n";
    let file = write(&dir, "archive.csv", text.as_bytes());
    let rejects = dir.join("r.csv");
    let out = import(
        &project,
        "customers",
        &file,
        &["--rejects", rejects.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        sql(
            &project,
            "SELECT string_agg(customer_class || '/' || status, ' ' ORDER BY customer_id) FROM customers WHERE customer_id LIKE '3199%'"
        ),
        "residential/normal industrial_large/normal"
    );
    assert!(
        std::fs::read_to_string(&rejects)
            .unwrap()
            .contains("外星用电,unknown_code")
    );

    // Two monthly files in a folder, named with --table and the folder.
    let months = tmp("codes-months");
    for (m, id) in [("202607", "M1"), ("202608", "M2")] {
        write(
            &months,
            &format!("bills-{m}.csv"),
            bills_csv(&[&format!("{id},3100000001,{m},0.01,10")]).as_bytes(),
        );
    }
    let out = import(&project, "bills", &months, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stored 2 of 2 rows"), "{}", stderr(&out));
    assert_eq!(
        sql(
            &project,
            "SELECT count(*) FROM imports WHERE kind = 'file' AND table_name = 'bills'"
        ),
        "2"
    );
}

/// Imports `file` into bills through the library, the fast (direct) way or staged only.
fn import_bills(project: &Path, file: &Path, staged_only: bool, replace_period: bool) -> FileReport {
    let p = Project::open(project).unwrap();
    let opts = FileOptions {
        staged_only,
        replace_period,
        ..FileOptions::default()
    };
    import_files(&p, "bills", &[file.to_path_buf()], &opts, &Progress::new()).unwrap()
}

/// The stored bills of June 2026, one line each.
fn june_bills(project: &Path) -> Vec<String> {
    let p = Project::open_read_only(project).unwrap();
    let r = queries::run_sql(
        &p,
        "SELECT bill_id, customer_id, billing_month, tariff_code, kwh, amount, issued_on FROM bills \
         WHERE billing_month = DATE '2026-06-01' ORDER BY bill_id",
        Some(1000),
    )
    .unwrap();
    r.rows
        .iter()
        .map(|row| {
            row.iter()
                .map(queries::value_to_string)
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

fn listed(report: &FileReport) -> Vec<String> {
    report
        .rejects
        .iter()
        .map(|r| {
            let j = &r.reject;
            format!("{:?} {:?} {:?} {}", j.row_number, j.column, j.value, j.reason)
        })
        .collect()
}

#[test]
fn a_file_read_straight_into_its_table_stores_and_rejects_exactly_as_the_staged_way() {
    let dir = tmp("direct-files");
    // ISO dates and plain numbers: DuckDB's parser reads it, so it goes the direct way.
    let file = write(
        &dir,
        "june.csv",
        b"bill_id,customer_id,billing_month,tariff_code,kwh,amount,issued_on\n\
          B1,3100000001,2026-06-01,R-TIER,100,56.5,2026-07-03\n\
          B2,9999999999,2026-06-01,R-TIER,100,56.5,2026-07-03\n\
          B3, 3100000002 ,2026-06-01,\xe5\xb1\x85\xe6\xb0\x91\xe7\x94\x9f\xe6\xb4\xbb\xe7\x94\xa8\xe7\x94\xb5\xef\xbc\x88\xe9\x98\xb6\xe6\xa2\xaf\xef\xbc\x89,100,56.5,2026-07-03\n\
          B4,3100000003,2026-06-01,NOPE,100,56.5,2026-07-03\n\
          B1,3100000004,2026-06-01,R-TIER,100,56.5,2026-07-03\n\
          B6,3100000005,2026-06-01,R-TIER,-5,56.5,2026-07-03\n\
          B7,,2026-06-01,R-TIER,100,56.5,2026-07-03\n\
          B8,3100000006,2026-06-01,R-TIER,,56.5,2026-07-03\n\
          B9,3100000007,2099-01-01,R-TIER,100,56.5,2026-07-03\n\
          \"\",3100000008,2026-06-01,R-TIER,100,56.5,2026-07-03\n\
          B11,3100000009,2026-06-15,R-TIER,100,56.5,\n",
    );
    let direct = small_project("direct-way");
    let staged = small_project("staged-way");
    let fast = import_bills(&direct, &file, false, false);
    let slow = import_bills(&staged, &file, true, false);
    assert_eq!(fast.files_read_directly, 1);
    assert_eq!(slow.files_read_directly, 0);
    // B1, B3 (trimmed, its tariff label translated) and B11 (month truncated) are stored.
    assert_eq!(fast.rows_stored, 3);
    assert_eq!(fast.rows_rejected, 8);
    assert_eq!(
        june_bills(&direct),
        [
            "B1|3100000001|2026-06-01|R-TIER|100|56.5|2026-07-03",
            "B11|3100000009|2026-06-01|R-TIER|100|56.5|",
            "B3|3100000002|2026-06-01|R-TIER|100|56.5|2026-07-03",
        ]
    );
    assert_eq!(june_bills(&direct), june_bills(&staged));
    assert_eq!(listed(&fast), listed(&slow));
    let reasons: Vec<&str> = fast.rejects.iter().map(|r| r.reject.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "unknown_reference",
            "unknown_code",
            "duplicate_key",
            "negative",
            "missing_required",
            "missing_required",
            "future_date",
            "missing_required"
        ]
    );
    assert_eq!(fast.rejects[0].reject.row_number, Some(2));
    // The month again: refused, then replaced without doubling, the direct way.
    let p = Project::open(&direct).unwrap();
    let again = import_files(
        &p,
        "bills",
        std::slice::from_ref(&file),
        &FileOptions::default(),
        &Progress::new(),
    );
    assert!(format!("{:#}", again.unwrap_err()).contains("already holds 2026-06 (3 rows)"));
    drop(p);
    let replaced = import_bills(&direct, &file, false, true);
    assert_eq!(replaced.files_read_directly, 1);
    assert_eq!(replaced.replaced_months.len(), 1);
    assert_eq!(june_bills(&direct), june_bills(&staged));
}

#[test]
fn a_value_the_parser_cannot_read_past_the_first_rows_falls_back_to_the_staged_way() {
    let dir = tmp("fallback-files");
    let mut text = String::from("bill_id,customer_id,billing_month,kwh,amount\n");
    for i in 0..6000 {
        let kwh = if i == 5500 {
            "\"1,234\"".to_string()
        } else {
            (i % 300).to_string()
        };
        text.push_str(&format!("F{i},31{:08},2026-06-01,{kwh},10\n", i % 900 + 1));
    }
    let file = write(&dir, "late-surprise.csv", text.as_bytes());
    let project = small_project("fallback");
    let report = import_bills(&project, &file, false, false);
    assert_eq!(report.files_read_directly, 0, "the direct read gave up");
    assert_eq!(report.rows_stored, 6000);
    assert_eq!(
        sql(&project, "SELECT kwh FROM bills WHERE bill_id = 'F5500'"),
        "1234"
    );
}

/// Imports `file` into a new project with a title line above the header; the report and
/// the June bills stored.
fn import_titled(name: &str, file: &Path) -> (FileReport, Vec<String>) {
    let project = small_project(name);
    let p = Project::open(&project).unwrap();
    let opts = FileOptions {
        skip_lines: 1,
        ..FileOptions::default()
    };
    let report = import_files(&p, "bills", &[file.to_path_buf()], &opts, &Progress::new()).unwrap();
    drop(p);
    (report, june_bills(&project))
}

#[test]
fn a_gbk_file_whose_rows_are_ascii_reads_exactly_as_its_utf8_twin() {
    // Only the title and the header are Chinese: DuckDB reads the GBK file itself, past
    // the header MAMS decoded. Rows, rejects and line numbers must be those of the same
    // file in UTF-8, and of the same file with Chinese further down (decoded to a copy).
    let dir = tmp("gbk-ascii-files");
    let rows = "G1,3100000001,2026-06-01,10,5\n\
                G2,3100000002,2026-06-01,10,5,extra\n\
                G3,9999999999,2026-06-01,10,5\n\
                G4,3100000004,2026-06-01,-1,5\n\
                G5,3100000005,2026-06-01,12,6\n";
    let text = format!("说明：六月电费\n应收流水号,户号,电费年月,电量,应收电费\n{rows}");
    let utf8 = write(&dir, "june-utf8.csv", text.as_bytes());
    let gbk = write(&dir, "june-gbk.csv", &encoding_rs::GBK.encode(&text).0);
    let chinese_below = format!("{text}G6,3100000006,2026-06-01,十,1\n");
    let copied = write(
        &dir,
        "june-gbk-copied.csv",
        &encoding_rs::GBK.encode(&chinese_below).0,
    );
    assert!(mams::import::source::ascii_after_header(&gbk, 1).unwrap());
    assert!(!mams::import::source::ascii_after_header(&copied, 1).unwrap());

    let (from_utf8, utf8_bills) = import_titled("gbk-ascii-utf8", &utf8);
    let (from_gbk, gbk_bills) = import_titled("gbk-ascii-gbk", &gbk);
    let (from_copy, copy_bills) = import_titled("gbk-ascii-copy", &copied);
    let details = |r: &FileReport| {
        r.rejects
            .iter()
            .map(|r| r.reject.detail.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        from_gbk.rows_stored,
        2,
        "{:?} {:?}",
        details(&from_gbk),
        details(&from_utf8)
    );
    assert_eq!(gbk_bills, utf8_bills);
    assert_eq!(listed(&from_gbk), listed(&from_utf8));
    assert_eq!(
        from_gbk
            .rejects
            .iter()
            .map(|r| &r.reject.detail)
            .collect::<Vec<_>>(),
        from_utf8
            .rejects
            .iter()
            .map(|r| &r.reject.detail)
            .collect::<Vec<_>>()
    );
    // The copy's extra row 6 is rejected too; everything else is the same.
    assert_eq!(copy_bills, utf8_bills);
    let mut expected = listed(&from_gbk);
    // (Row 6 of the file: it was listed as 5, one malformed line back.)
    expected.push(r#"Some(6) Some("电量") Some("十") bad_number"#.to_string());
    assert_eq!(listed(&from_copy), expected);
}

#[test]
fn a_file_whose_name_looks_like_a_pattern_is_read_and_nothing_else() {
    // `bills[1].csv` read as a pattern matches `bills1.csv`: the other file was imported.
    let project = small_project("glob-names");
    let dir = tmp("glob-names-src");
    let wanted = write(
        &dir,
        "bills[1].csv",
        bills_csv(&["G1,3100000001,202606,0.01,10"]).as_bytes(),
    );
    write(
        &dir,
        "bills1.csv",
        bills_csv(&["D1,3100000002,202606,0.01,10"]).as_bytes(),
    );
    let star = write(
        &dir,
        "bills*.csv",
        bills_csv(&["G2,3100000003,202607,0.01,10"]).as_bytes(),
    );
    for file in [&wanted, &star] {
        let out = import(&project, "bills", file, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(
        sql(
            &project,
            "SELECT string_agg(bill_id, '+' ORDER BY bill_id) FROM bills WHERE bill_id IN ('G1', 'G2', 'D1')"
        ),
        "G1+G2"
    );
    // No alias is left behind.
    let left: Vec<_> = std::fs::read_dir(project.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".mams-import"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn decoded_copies_live_in_a_private_folder_and_a_killed_imports_are_removed() {
    let project = small_project("scratch-private");
    let dir = tmp("scratch-private-src");
    let scratch = project.parent().unwrap().join(mams::import::file::SCRATCH_FOLDER);
    std::fs::create_dir_all(&scratch).unwrap();
    // What a killed import left: a decoded copy of a process that is gone.
    let left = scratch.join(".mams-import-4000000000-0.csv");
    std::fs::write(&left, "户号,户名\n3100000001,张三\n").unwrap();
    // A GBK file is decoded to a UTF-8 copy while it is imported.
    let text = bills_csv(&["应收001,3100000001,202606,0.01,10"]);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let file = write(&dir, "gbk.csv", &gbk);
    let out = import(&project, "bills", &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!left.exists(), "the killed import's copy is removed");
    let beside: Vec<_> = std::fs::read_dir(project.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mams-import"))
        .collect();
    assert!(beside.is_empty(), "copies beside the project: {beside:?}");
    assert_eq!(
        std::fs::read_dir(&scratch).unwrap().count(),
        0,
        "its own copy is removed too"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&scratch).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the user can read the copies: {mode:o}");
    }
}

#[test]
fn rejected_rows_keep_their_file_row_numbers_after_a_malformed_line() {
    // Row 2 has seven fields; row 3 a bad number; row 5 an unknown customer. They were
    // reported as rows 2 and 4: the rows after a malformed line were counted as read.
    let project = small_project("row-numbers");
    let dir = tmp("row-numbers-src");
    let file = write(
        &dir,
        "bills.csv",
        bills_csv(&[
            "N1,3100000001,202606,0.01,10",
            "N2,3100000001,202606,0.01,10,EXTRA,MORE",
            "N3,3100000002,202606,abc,10",
            "N4,3100000003,202606,0.01,10",
            "N5,9999999999,202606,0.01,10",
        ])
        .as_bytes(),
    );
    let rejects = dir.join("rejects.csv");
    let out = import(
        &project,
        "bills",
        &file,
        &["--rejects", rejects.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        listed.contains("bills.csv,3,电量（万kWh）,abc,bad_number"),
        "{listed}"
    );
    assert!(listed.contains("bills.csv,5,"), "{listed}");
    assert!(listed.contains("malformed_line,line 3"), "{listed}");
    assert_eq!(
        sql(
            &project,
            "SELECT string_agg(row_number::VARCHAR, '+' ORDER BY row_number) FROM import_rejects WHERE row_number IS NOT NULL"
        ),
        "3+5"
    );
}

#[test]
fn numbers_that_are_not_finite_and_placeholder_dates_are_rejected_and_a_future_due_date_is_not() {
    let project = small_project("finite-dates");
    let dir = tmp("finite-dates-src");
    let next_month = (chrono::Local::now().date_naive() + chrono::Duration::days(40)).format("%Y-%m-%d");
    let file = write(
        &dir,
        "bills.csv",
        format!(
            "bill_id,customer_id,billing_month,kwh,amount,due_on\n\
             F1,3100000001,2026-06-01,1e400,10,2026-07-20\n\
             F2,3100000001,2026-06-01,nan,10,2026-07-20\n\
             F3,3100000002,0001-01-01,10,10,2026-07-20\n\
             F4,3100000003,2026-06-01,10,10,{next_month}\n"
        )
        .as_bytes(),
    );
    let rejects = dir.join("rejects.csv");
    let out = import(
        &project,
        "bills",
        &file,
        &["--rejects", rejects.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = std::fs::read_to_string(&rejects).unwrap();
    // (Read straight into the table, the value is shown as DuckDB read it: inf; a `nan`
    // reads as no value there.)
    assert!(listed.contains("bills.csv,1,kwh,inf,bad_number"), "{listed}");
    assert!(listed.contains("bills.csv,2,kwh,"), "{listed}");
    assert!(
        listed.contains("bills.csv,3,billing_month,0001-01-01,bad_date"),
        "{listed}"
    );
    assert!(
        !listed.contains("bills.csv,4,"),
        "a due date next month is normal: {listed}"
    );
    assert_eq!(
        sql(&project, "SELECT count(*) FROM bills WHERE bill_id LIKE 'F_'"),
        "1"
    );
}

#[test]
fn quoted_line_breaks_crlf_and_a_bom_import_as_rfc_4180_says() {
    // Issue 15: a multi-line address in quotes (valid CSV, RFC 4180 section 2.6) was refused
    // with "CSV Error on Line"; the file here has Windows line ends and a UTF-8 BOM too, as
    // Excel writes it ("CSV UTF-8"), and a quote doubled inside a quoted field.
    let project = small_project("quoted-breaks");
    let dir = tmp("quoted-breaks-files");
    let text = "\u{feff}户号,户名,用电地址,供电单位,用电类别,电价码,用户状态\r\n\
                3199000011,\"王 \"\"小\"\" 明\",\"城关镇 幸福路 8 号\r\n3 单元 502\",C01K01S01,居民生活,R-TIER,正常用电\r\n\
                3199000012,李四,\"one line, with a comma\",C01K01S01,居民生活,R-TIER,正常用电\r\n\
                3199000013,赵五,\"two\nbreaks\nhere\",C01K01S01,居民生活,R-TIER,正常用电\r\n";
    let file = write(&dir, "archive-multiline.csv", text.as_bytes());
    let out = import(&project, "customers", &file, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("stored 3 of 3 rows"), "{}", stderr(&out));
    assert_eq!(
        sql(
            &project,
            "SELECT string_agg(replace(name, chr(34), '<Q>') || '|' || replace(replace(address, chr(13), '<CR>'), chr(10), '<LF>'), ' ; ' ORDER BY customer_id) FROM customers WHERE customer_id LIKE '319900001%'"
        )
        .trim_matches('"'), // the CSV quotes of `mams sql` around a value with a comma
        "王 <Q>小<Q> 明|城关镇 幸福路 8 号<CR><LF>3 单元 502 ; 李四|one line, with a comma ; 赵五|two<LF>breaks<LF>here"
    );
}

/// Names of the customers whose number starts with `prefix`, in order.
fn names(project: &Path, prefix: &str) -> String {
    sql(
        project,
        &format!(
            "SELECT string_agg(name, '/' ORDER BY customer_id) FROM customers WHERE customer_id LIKE '{prefix}%'"
        ),
    )
}

/// Imports a customers file; returns the rejects file written.
fn import_customers(project: &Path, file: &Path) -> String {
    let rejects = file.with_extension("rejects.csv");
    let out = import(
        project,
        "customers",
        file,
        &["--rejects", rejects.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read_to_string(&rejects).unwrap()
}

#[test]
fn mixed_or_wrong_encodings_are_never_stored_as_garbled_text() {
    // Issue 15: a UTF-8 file with a few GBK rows, and a Latin-1 file, were read as GB18030
    // and stored as nonsense without a word.
    let project = small_project("mixed-encodings");
    let dir = tmp("mixed-encodings-files");
    let head = "户号,户名,供电单位,用电类别,电价码,用户状态\n";
    let row = |id: &str, name: &str| format!("{id},{name},C01K01S01,居民生活,R-TIER,正常用电\n");
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();

    // 1. UTF-8 with one row pasted from a GBK file: that row (line 3) is rejected, by number.
    let mut bytes = [head, &row("3198000001", "张三")].concat().into_bytes();
    bytes.extend(gbk(&row("3198000002", "李四")));
    bytes.extend(row("3198000003", "王五").into_bytes());
    let listed = import_customers(&project, &write(&dir, "utf8-with-gbk-row.csv", &bytes));
    assert_eq!(names(&project, "3198"), "张三/王五");
    assert!(listed.contains("line 3: not in the file's encoding"), "{listed}");

    // 2. GBK with one line that another program wrote in UTF-8, and one line that is
    // neither (a stray 0xFF): the UTF-8 line reads right, the broken one is rejected.
    let mut bytes = gbk(&[head, &row("3197000001", "赵六")].concat());
    bytes.extend(row("3197000002", "孙七").into_bytes());
    bytes.extend(gbk(&row("3197000003", "周八")));
    let mut broken = gbk(&row("3197000004", "吴九"));
    broken.insert(12, 0xFF);
    bytes.extend(broken);
    for i in 5..9 {
        bytes.extend(gbk(&row(&format!("319700000{i}"), "郑十")));
    }
    let listed = import_customers(&project, &write(&dir, "gbk-with-utf8-row.csv", &bytes));
    assert_eq!(names(&project, "3197"), "赵六/孙七/周八/郑十/郑十/郑十/郑十");
    assert!(listed.contains("line 5: not in the file's encoding"), "{listed}");
    assert!(
        !sql(
            &project,
            "SELECT count(*) FROM customers WHERE contains(name, chr(65533))"
        )
        .starts_with('1')
    );

    // 3. Latin-1 (Windows-1252): refused with the encoding to try, then read with it.
    let latin = "customer_id,name,unit_id,customer_class,tariff_code,status\n\
                 3196000001,Müller,C01K01S01,residential,R-TIER,normal\n\
                 3196000002,Gérard Façade,C01K01S01,residential,R-TIER,normal\n";
    let file = write(&dir, "latin1.csv", &encoding_rs::WINDOWS_1252.encode(latin).0);
    let before = counts(&project);
    let out = import(&project, "customers", &file, &[]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--encoding latin1"), "{}", stderr(&out));
    assert!(stderr(&out).contains("line(s) 2, 3"), "{}", stderr(&out));
    assert_eq!(counts(&project), before);
    let out = import(&project, "customers", &file, &["--encoding", "latin1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names(&project, "3196"), "Müller/Gérard Façade");
}

#[test]
fn a_number_that_cannot_be_read_one_way_only_is_rejected_not_reinterpreted() {
    // Issue 15: "1.234,5" (a European decimal) was stored as 1.2345, because every comma
    // was dropped as a thousands separator. Written by hand: what each value must become.
    let project = small_project("ambiguous-numbers");
    let dir = tmp("ambiguous-numbers-files");
    let cases = [
        ("N1", "\"1,234.5\"", Some(1234.5)),
        ("N2", "\"1.234,5\"", None),
        ("N3", "\"12,5\"", None),
        ("N4", "１，２３４", Some(1234.0)),
        ("N5", "1 234", Some(1234.0)),
        ("N6", "\"1,234,567\"", Some(1_234_567.0)),
        ("N7", "\"12,34\"", None),
        ("N8", "-7.25", Some(-7.25)),
        ("N9", "\"1,23,456\"", None),
    ];
    let mut text = String::from("应收流水号,户号,电费年月,电量,应收电费\n");
    for (id, amount, _) in &cases {
        text.push_str(&format!("{id},3100000001,202606,10,{amount}\n"));
    }
    let file = write(&dir, "amounts.csv", text.as_bytes());
    let rejects = dir.join("r.csv");
    let out = import(
        &project,
        "bills",
        &file,
        &["--rejects", rejects.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = std::fs::read_to_string(&rejects).unwrap();
    for (row, (id, raw, want)) in cases.iter().enumerate() {
        let stored = sql(
            &project,
            &format!("SELECT amount FROM bills WHERE bill_id = '{id}'"),
        );
        match want {
            Some(v) => assert_eq!(stored.parse::<f64>().ok(), Some(*v), "{id} {raw}"),
            None => {
                assert_eq!(stored, "", "{id} {raw} was stored as {stored}");
                let line = format!("amounts.csv,{},应收电费,{raw},bad_number", row + 1);
                assert!(listed.contains(&line), "{line} not in\n{listed}");
            }
        }
    }
}

/// Runs `mams` with DuckDB's memory limited as a small container would.
fn mams_in_little_memory(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mams"))
        .args(args)
        .env("MAMS_HOME", tmp("little-memory-home"))
        .env(mams::store::memory::OVERRIDE_ENV, "4MB")
        .output()
        .unwrap()
}

#[test]
fn running_out_of_memory_says_what_to_do_and_loses_nothing() {
    // Issue 15: under a 1 GiB limit the sums rebuild (fixed at 2 GB) was killed after the
    // data was committed, and every later `mams kpi` was killed without a word.
    let project = small_project("little-memory");
    let p = project.to_str().unwrap();
    let dir = tmp("little-memory-files");
    let file = write(
        &dir,
        "bills.csv",
        bills_csv(&["LM1,3100000001,202606,0.01,10"]).as_bytes(),
    );
    let before = counts(&project);
    let out = mams_in_little_memory(&["import", p, "--table", "bills", file.to_str().unwrap()]);
    let after = counts(&project);
    if out.status.success() {
        assert_ne!(after, before, "a successful import stored its row");
    } else {
        assert_eq!(after, before, "a failed import stored nothing");
    }
    let out = mams_in_little_memory(&["kpi", p, "--period", "2025-02"]);
    assert!(
        !out.status.success(),
        "4 MB should not be enough to rebuild the sums"
    );
    let err = stderr(&out);
    assert!(err.contains("MAMS_MEMORY_LIMIT"), "{err}");
    assert!(err.contains("Out of Memory Error"), "{err}");
    assert!(
        !err.contains("SET memory_limit"),
        "DuckDB's advice a user cannot follow: {err}"
    );
    // With the memory the machine has, everything is there and answers.
    assert_eq!(counts(&project), after);
    let out = mams(&["kpi", p, "--period", "2025-02"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The rows of a query, as text.
fn texts(p: &Project, sql: &str) -> Vec<Vec<String>> {
    queries::run_sql(p, sql, None)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.iter().map(queries::value_to_string).collect())
        .collect()
}

/// Every prebuilt sum, rounded, in a fixed order: what a full rebuild is compared with.
fn all_sums(p: &Project) -> Vec<String> {
    let mut out = Vec::new();
    for table in [
        "kpi_unit_month",
        "kpi_class_month",
        "arrears_age_unit_month",
        "due_unit_month",
        "collection_unit_day",
        "mix_unit_month",
        "key_candidates_unit_month",
        "handling_apps",
        "month_top_unit_month",
    ] {
        let columns = texts(p, &format!("DESCRIBE {table}"));
        let select: Vec<String> = columns
            .iter()
            .map(|c| match c[1].as_str() {
                "DOUBLE" => format!("round({}, 6)", c[0]),
                _ => c[0].clone(),
            })
            .collect();
        let rows = texts(
            p,
            &format!("SELECT {} FROM {table} ORDER BY ALL", select.join(", ")),
        );
        out.extend(rows.iter().map(|r| format!("{table}: {}", r.join("|"))));
    }
    out
}

#[test]
fn an_import_rebuilds_only_the_sums_it_touched_and_they_equal_a_full_rebuild() {
    // Issue 15: a 17-row file cost a rebuild of every sum. Each import here is rebuilt
    // in part, and the result must be what a full rebuild of the same data gives.
    use mams::store::sums_scope::{self, Scope};
    let project = small_project("incremental-sums");
    let dir = tmp("incremental-sums-files");
    let p = Project::open(&project).unwrap();
    mams::store::kpi::ensure_sums(&p).unwrap();
    let one = |sql: &str| texts(&p, sql);
    let station =
        one("SELECT unit_id FROM org_units WHERE level = 'station' ORDER BY unit_id LIMIT 1")[0][0].clone();
    let unpaid = one(
        "SELECT b.bill_id, b.customer_id, b.amount FROM bills b JOIN customers c USING (customer_id) \
         WHERE b.billing_month = DATE '2024-05-01' AND b.bill_id NOT IN (SELECT bill_id FROM payments) \
         ORDER BY b.bill_id LIMIT 3",
    );
    assert!(!unpaid.is_empty(), "the sample has unpaid bills in 2024-05");
    let payments: String = unpaid
        .iter()
        .enumerate()
        .map(|(i, b)| format!("PX{i},{},{},{},2026-01-05 10:00:00,counter\n", b[0], b[1], b[2]))
        .collect();
    let files: Vec<(&str, String, bool)> = vec![
        // A new month for three customers: the months grow, so every unit from it.
        (
            "bills",
            "bill_id,customer_id,billing_month,tariff_code,kwh,amount,due_on\n\
             NX1,3100000001,2025-03-01,R-TIER,120,66.5,2025-03-25\n\
             NX2,3100000002,2025-03-01,R-TIER,80,44.1,2025-03-25\n\
             NX3,3100000003,2025-03-01,R-TIER,95,52.0,2025-03-25\n"
                .to_string(),
            false,
        ),
        // Late payments of old bills: their units, from the bills' month.
        (
            "payments",
            format!("payment_id,bill_id,customer_id,amount,paid_at,channel\n{payments}"),
            false,
        ),
        // Two tickets of one station, replacing the months they fall in.
        (
            "tickets",
            format!(
                "ticket_id,customer_id,unit_id,ticket_type,received_at,deadline_at,closed_at\n\
                 TX1,3100000001,{station},complaint,2024-07-03 09:00:00,2024-07-10 09:00:00,2024-07-08 09:00:00\n\
                 TX2,,{station},consultation,2024-09-03 09:00:00,2024-09-04 09:00:00,\n"
            ),
            true,
        ),
        // A month replaced by a smaller extract: the units that lose their bills too.
        (
            "bills",
            "bill_id,customer_id,billing_month,tariff_code,kwh,amount,due_on\n\
             RX1,3100000001,2025-01-01,R-TIER,10,5.5,2025-01-25\n"
                .to_string(),
            true,
        ),
    ];
    for (i, (table, text, replace)) in files.iter().enumerate() {
        let file = write(&dir, &format!("{i}-{table}.csv"), text.as_bytes());
        let opts = FileOptions {
            replace_period: *replace,
            ..FileOptions::default()
        };
        let report = import_files(&p, table, &[file], &opts, &Progress::new()).unwrap();
        assert!(report.rows_stored > 0, "{table}: {report:?}");
        let scope = sums_scope::pending(&p).unwrap().expect("the sums are stale");
        assert!(matches!(scope, Scope::Part { .. }), "{table}: {scope:?}");
        mams::store::kpi::ensure_sums(&p).unwrap();
        let incremental = all_sums(&p);
        sums_scope::rebuild_everything_next(&p).unwrap();
        assert_eq!(sums_scope::pending(&p).unwrap(), Some(Scope::Everything));
        mams::store::kpi::ensure_sums(&p).unwrap();
        let full = all_sums(&p);
        let count = |v: &[String], t: &str| v.iter().filter(|l| l.starts_with(&format!("{t}:"))).count();
        let tables: Vec<String> = full
            .iter()
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for t in &tables {
            if count(&incremental, t) != count(&full, t) {
                let missing: Vec<_> = full
                    .iter()
                    .filter(|l| l.starts_with(&format!("{t}:")) && !incremental.contains(l))
                    .take(3)
                    .collect();
                let extra: Vec<_> = incremental
                    .iter()
                    .filter(|l| l.starts_with(&format!("{t}:")) && !full.contains(l))
                    .take(3)
                    .collect();
                eprintln!(
                    "{t}: incremental {} full {} missing {missing:?} extra {extra:?}",
                    count(&incremental, t),
                    count(&full, t)
                );
            }
        }
        assert_eq!(incremental.len(), full.len(), "{table}");
        let differ: Vec<_> = incremental
            .iter()
            .zip(&full)
            .filter(|(a, b)| a != b)
            .take(5)
            .collect();
        assert!(differ.is_empty(), "after the {table} import {i}: {differ:#?}");
    }
    // A file of a table no sum reads leaves nothing to rebuild.
    let reads = write(
        &dir,
        "reads.csv",
        b"customer_id,billing_month,meter_id,read_on,reading\n3100000001,2025-03-01,M1,2025-03-20,100\n",
    );
    if import_files(
        &p,
        "meter_reads",
        &[reads],
        &FileOptions::default(),
        &Progress::new(),
    )
    .is_ok()
    {
        let scope = sums_scope::pending(&p).unwrap();
        assert!(
            scope.is_none() || matches!(&scope, Some(Scope::Part { units: Some(u), .. }) if u.is_empty()),
            "{scope:?}"
        );
    }
}

#[test]
fn a_rejects_file_keeps_formulas_as_text_and_negative_numbers_as_numbers() {
    let project = small_project("rejects-formulas");
    let dir = tmp("rejects-formulas-files");
    let file = write(
        &dir,
        "formulas.csv",
        bills_csv(&[
            "C1,3100000001,202606,=1+1,10",
            "C2,3100000002,202606,+1+1,10",
            "C3,3100000003,202606,@SUM(A1),10",
        ])
        .as_bytes(),
    );
    let rejects = dir.join("rejects.csv");
    import(
        &project,
        "bills",
        &file,
        &["--all-or-nothing", "--rejects", rejects.to_str().unwrap()],
    );
    let listed = std::fs::read_to_string(&rejects).unwrap();
    // Written as text (a leading apostrophe, quoted), as OWASP recommends, so that a
    // spreadsheet never runs them (a negative number stays a number: src/table_file.rs).
    for formula in ["=1+1", "+1+1", "@SUM(A1)"] {
        assert!(
            listed.contains(&format!(",\"'{formula}\",")),
            "{formula} in\n{listed}"
        );
        assert!(
            !listed.contains(&format!(",{formula},")),
            "{formula} in\n{listed}"
        );
    }
}
