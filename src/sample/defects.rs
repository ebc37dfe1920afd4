//! Data defects the generator plants for the data quality checks, apart from the audit
//! anomalies (never on an account, application or ticket an anomaly was planted on), with
//! their ground truth in `planted_defects.parquet`: the check that must find each one and
//! the key of its row.
//!
//! A code outside its list or a reference to a missing row is not planted: the importer
//! rejects such rows, so they never reach a project by an import (the tests write them with
//! SQL instead). They are planted in columns no audit rule and no indicator reads in a way that would
//! change its findings (an address left empty, a phone number cut short, a wrong check
//! character, a code in the wrong case, a bill issued late, ...), so the audit's ground truth
//! stays what it was. Rows are picked by an MD5 of the seed and the key: the same arguments
//! give the same defects.

use duckdb::Connection;

pub const TRUTH_FILE: &str = "planted_defects.parquet";

pub const TRUTH_TABLE_SQL: &str = "CREATE TABLE planted_defects (
  check_id VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  row_key VARCHAR NOT NULL,
  detail VARCHAR NOT NULL
);";

/// One kind of defect: the check that finds it, its table and key, how many rows, which
/// rows may be picked, and the change.
struct Defect {
    check: &'static str,
    table: &'static str,
    key: &'static str,
    rows: u32,
    eligible: &'static str,
    set: &'static str,
    detail: &'static str,
}

/// Accounts with an audit anomaly are left alone.
const CLEAN: &str =
    "customer_id NOT IN (SELECT entity_id FROM planted_anomalies WHERE entity_type = 'customer')";

const DEFECTS: &[Defect] = &[
    Defect {
        check: "customers.address.not_blank",
        table: "customers",
        key: "customer_id",
        rows: 12,
        eligible: "status = 'normal'",
        set: "address = ''",
        detail: "address left empty",
    },
    Defect {
        check: "customers.phone.valid",
        table: "customers",
        key: "customer_id",
        rows: 12,
        eligible: "length(phone) = 11",
        set: "phone = left(phone, 10)",
        detail: "phone number cut to 10 digits",
    },
    Defect {
        check: "customers.id_number.resident",
        table: "customers",
        key: "customer_id",
        rows: 12,
        eligible: "customer_class = 'residential' AND length(id_number) = 18",
        // Another check character: 0 becomes 1, anything else 0.
        set: "id_number = left(id_number, 17) || CASE WHEN right(id_number, 1) = '0' THEN '1' ELSE '0' END",
        detail: "wrong check character of the resident ID number",
    },
    Defect {
        check: "meter_reads.read_date.not_null",
        table: "meter_reads",
        key: "customer_id::VARCHAR || '|' || billing_month::VARCHAR",
        rows: 10,
        eligible: "customer_id IN (SELECT customer_id FROM customers WHERE status = 'normal')",
        set: "read_date = NULL",
        detail: "read date missing",
    },
    Defect {
        check: "bills.issued_in_time",
        table: "bills",
        key: "bill_id",
        rows: 10,
        eligible: "customer_id IN (SELECT customer_id FROM customers WHERE customer_class = 'residential')",
        set: "issued_on = issued_on + INTERVAL 12 DAY",
        detail: "bill issued 12 days late",
    },
    Defect {
        check: "applications.pause_days.range",
        table: "applications",
        key: "application_id",
        rows: 3,
        eligible: "energised_at IS NOT NULL AND application_id NOT IN (SELECT entity_id FROM planted_anomalies)",
        set: "pause_days = 400",
        detail: "400 days of pause recorded",
    },
    Defect {
        check: "service_points.opening_hours",
        table: "service_points",
        key: "point_id",
        rows: 3,
        eligible: "point_type = 'service_hall'",
        set: "opening_hours = NULL",
        detail: "service hall without opening hours",
    },
    Defect {
        check: "orderly_plans.valid_to_after_from",
        table: "orderly_plans",
        key: "plan_id",
        rows: 3,
        eligible: "valid_to IS NOT NULL",
        set: "valid_to = valid_from - INTERVAL 30 DAY",
        detail: "valid to before valid from",
    },
    Defect {
        check: "line_loss.sold_matches_bills",
        table: "line_loss",
        key: "area_id || '|' || month::VARCHAR",
        rows: 5,
        // Supplied scaled with sold: the loss rate, which the line loss rule reads, is kept.
        eligible: "area_id NOT IN (SELECT entity_id FROM planted_anomalies WHERE entity_type = 'area')",
        set: "sold_kwh = round(sold_kwh * 1.05, 2), supplied_kwh = round(supplied_kwh * 1.05, 2)",
        detail: "sold energy 5 % above the area's bills",
    },
];

/// Plants the defects in the scratch database and records them in `planted_defects`.
pub fn plant(conn: &Connection, seed: u64) -> duckdb::Result<()> {
    conn.execute_batch(TRUTH_TABLE_SQL)?;
    for d in DEFECTS {
        let clean = if d.table == "customers" || d.table == "meter_reads" || d.table == "bills" {
            format!(" AND {CLEAN}")
        } else {
            String::new()
        };
        let pick = format!(
            "SELECT {key} AS k FROM {table} WHERE {eligible}{clean} ORDER BY md5({key} || '-{seed}') LIMIT {rows}",
            key = d.key,
            table = d.table,
            eligible = d.eligible,
            rows = d.rows
        );
        conn.execute_batch(&format!(
            "INSERT INTO planted_defects SELECT '{check}', '{table}', k, {detail} FROM ({pick}); \
             UPDATE {table} SET {set} WHERE {key} IN (SELECT row_key FROM planted_defects WHERE check_id = '{check}');",
            check = d.check,
            table = d.table,
            detail = crate::store::quote_literal(d.detail),
            set = d.set,
            key = d.key
        ))?;
    }
    Ok(())
}

/// The checks the generator plants defects for.
pub fn checks() -> Vec<&'static str> {
    DEFECTS.iter().map(|d| d.check).collect()
}
