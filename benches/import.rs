//! File import benchmark (release mode, generated data):
//!
//!   cargo bench --bench import                 # 10M-row bills CSV: UTF-8, GBK, Excel
//!   cargo bench --bench import -- 1000000      # another size
//!
//! The file is written once into the temp folder; each case runs in its own process so its
//! peak memory is its own. The baseline is DuckDB alone:
//! `CREATE TABLE t AS SELECT * FROM read_csv(file)` on the same file; a second baseline
//! reads it with the column types of MAMS's table (ids as text, not sniffed as BIGINT).
//! `MAMS_LOG=mams=debug` prints the time of each import step.

#[path = "support/mod.rs"]
mod support;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use support::peak_rss_mb;

use mams::import::file::{FileOptions, import_files};
use mams::progress::Progress;
use mams::store::Project;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join("mams-bench-import");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Customers per bill file: 24 monthly bills each.
fn customers(rows: u64) -> u64 {
    rows.div_ceil(24)
}

/// The bills files: UTF-8; GBK with Chinese headers (codes, numbers and dates below
/// them, as billing extracts mostly are); GBK with Chinese in the rows too (the operators'
/// names), which is decoded to a copy before DuckDB reads it.
struct Files {
    utf8: PathBuf,
    gbk: PathBuf,
    gbk_rows: PathBuf,
}

fn prepare(rows: u64) -> Files {
    let files = Files {
        utf8: dir().join(format!("bills-{rows}.csv")),
        gbk: dir().join(format!("bills-{rows}-gbk.csv")),
        gbk_rows: dir().join(format!("bills-{rows}-gbk-rows.csv")),
    };
    let Files { utf8, gbk, gbk_rows } = &files;
    if utf8.exists() && gbk.exists() && gbk_rows.exists() {
        return files;
    }
    let conn = duckdb::Connection::open_in_memory().unwrap();
    let n = customers(rows);
    let select = format!(
        "SELECT '31' || lpad(((i % {n}) + 1)::VARCHAR, 8, '0') || strftime(m, '%Y%m') AS bill_id, \
         '31' || lpad(((i % {n}) + 1)::VARCHAR, 8, '0') AS customer_id, m::DATE AS billing_month, 'R-TIER' AS tariff_code, \
         round(50 + (hash(i) % 500), 0) AS kwh, round(15 + (hash(i) % 150), 0) AS kwh_peak, round(20 + (hash(i) % 200), 0) AS kwh_flat, \
         round(15 + (hash(i) % 150), 0) AS kwh_valley, round((50 + (hash(i) % 500)) * 0.5653, 2) AS energy_charge, 0.0 AS basic_charge, \
         0.0 AS pf_adjustment, 0.0 AS adjustment, NULL AS adjustment_order, 'OP1' AS operator_id, \
         round((50 + (hash(i) % 500)) * 0.5653, 2) AS amount, (m + INTERVAL 33 DAY)::DATE AS issued_on, \
         (m + INTERVAL 53 DAY)::DATE AS due_on, NULL AS dunning_on \
         FROM (SELECT i, DATE '2023-01-01' + to_months((i // {n})::INTEGER) AS m FROM range({rows}) t(i))"
    );
    conn.execute_batch(&format!(
        "COPY ({select}) TO '{}' (HEADER, DELIMITER ',')",
        utf8.display()
    ))
    .unwrap();
    // The GBK copy: the same rows under Chinese headers, encoded as GBK.
    let text = std::fs::read(utf8).unwrap();
    let header_end = text.iter().position(|b| *b == b'\n').unwrap();
    let zh = "应收流水号,户号,电费年月,执行电价,电量,峰电量,平电量,谷电量,电度电费,基本电费,力调电费,退补电费,退补工单号,操作员,应收电费,发行日期,缴费截止日期,催费日期";
    let (head, _, _) = encoding_rs::GBK.encode(zh);
    let head_len = head.len();
    let mut out = head.into_owned();
    out.extend_from_slice(&text[header_end..]);
    std::fs::write(gbk, &out).unwrap();
    let named = String::from_utf8(text).unwrap().replace(",OP1,", ",收费员甲,");
    let (body, _, _) = encoding_rs::GBK.encode(&named[header_end..]);
    out.truncate(head_len);
    out.extend_from_slice(&body);
    std::fs::write(gbk_rows, out).unwrap();
    files
}

fn project_with_customers(rows: u64, name: &str) -> Project {
    let path = dir().join(format!("{name}.duckdb"));
    mams::store::remove_project_files(&path);
    let p = Project::create(&path).unwrap();
    p.conn()
        .execute_batch(&format!(
            "INSERT INTO org_units (unit_id, level, name_zh) VALUES ('S1', 'station', '一所');
             INSERT INTO customers (customer_id, name, unit_id, customer_class, tariff_code, status)
             SELECT '31' || lpad((i + 1)::VARCHAR, 8, '0'), '用户', 'S1', 'residential', 'R-TIER', 'normal' FROM range({}) t(i);",
            customers(rows)
        ))
        .unwrap();
    p
}

/// The first `n` rows of the CSV as a workbook sheet (numbers as numbers).
fn write_workbook(csv: &Path, xlsx: &Path, n: u64) {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, line) in text.lines().take(n as usize + 1).enumerate() {
        for (c, v) in line.split(',').enumerate() {
            match v.parse::<f64>() {
                Ok(x) if r > 0 => sheet.write_number(r as u32, c as u16, x).map(|_| ()),
                _ => sheet.write_string(r as u32, c as u16, v).map(|_| ()),
            }
            .unwrap();
        }
    }
    wb.save(xlsx).unwrap();
}

fn report(case: &str, seconds: f64, extra: &str) {
    println!(
        "{case:<34} {seconds:>8.2} s   peak RSS {:>7.1} MB   {extra}",
        peak_rss_mb()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let rows: u64 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000_000);
    let files = prepare(rows);
    let utf8 = &files.utf8;
    // MAMS_LOG=mams=debug prints the time of each import step.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MAMS_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    match args.first().map(String::as_str) {
        Some("duckdb") => {
            let conn = duckdb::Connection::open(dir().join("baseline.duckdb")).unwrap();
            conn.execute_batch("DROP TABLE IF EXISTS t").unwrap();
            let t = Instant::now();
            conn.execute_batch(&format!(
                "CREATE TABLE t AS SELECT * FROM read_csv('{}')",
                utf8.display()
            ))
            .unwrap();
            report(
                "duckdb CREATE TABLE AS read_csv",
                t.elapsed().as_secs_f64(),
                &format!("{rows} rows"),
            );
        }
        Some("duckdb-typed") => {
            // The same, with the column types of MAMS's bills table (text ids, as the
            // model keeps them) instead of the sniffed ones (ids as BIGINT).
            let conn = duckdb::Connection::open(dir().join("baseline.duckdb")).unwrap();
            conn.execute_batch("DROP TABLE IF EXISTS t").unwrap();
            let columns: Vec<String> = mams::model::table("bills")
                .unwrap()
                .columns
                .iter()
                .map(|c| format!("'{}': '{}'", c.name, c.ty.sql()))
                .collect();
            let t = Instant::now();
            conn.execute_batch(&format!(
                "CREATE TABLE t AS SELECT * FROM read_csv('{}', auto_detect = false, header = true, columns = {{{}}})",
                utf8.display(),
                columns.join(", ")
            ))
            .unwrap();
            report(
                "duckdb ... read_csv, MAMS types",
                t.elapsed().as_secs_f64(),
                &format!("{rows} rows"),
            );
        }
        Some("excel") => {
            let n = rows.min(200_000);
            let path = dir().join(format!("bills-{n}.xlsx"));
            if !path.exists() {
                write_workbook(utf8, &path, n);
            }
            let p = project_with_customers(rows, "excel");
            let t = Instant::now();
            let r = import_files(&p, "bills", &[path], &FileOptions::default(), &Progress::new()).unwrap();
            report(
                &format!("mams import (xlsx, {n} rows)"),
                t.elapsed().as_secs_f64(),
                &format!("{} stored, {} rejected", r.rows_stored, r.rows_rejected),
            );
        }
        Some(kind @ ("utf8" | "gbk" | "gbk-rows")) => {
            let file: &Path = match kind {
                "utf8" => utf8,
                "gbk" => &files.gbk,
                _ => &files.gbk_rows,
            };
            let p = project_with_customers(rows, kind);
            let t = Instant::now();
            let r = import_files(
                &p,
                "bills",
                &[file.to_path_buf()],
                &FileOptions::default(),
                &Progress::new(),
            )
            .unwrap();
            report(
                &format!("mams import ({kind})"),
                t.elapsed().as_secs_f64(),
                &format!("{} stored, {} rejected", r.rows_stored, r.rows_rejected),
            );
        }
        _ => {
            let bytes = std::fs::metadata(utf8).unwrap().len();
            println!("bills CSV: {rows} rows, {:.0} MB", bytes as f64 / 1e6);
            let me = std::env::current_exe().unwrap();
            for case in ["duckdb", "duckdb-typed", "utf8", "gbk", "gbk-rows", "excel"] {
                let status = Command::new(&me)
                    .args([case, &rows.to_string()])
                    .status()
                    .unwrap();
                assert!(status.success(), "case {case} failed");
            }
        }
    }
}
