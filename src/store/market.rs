//! What the key-market page reads: top customers, the connection funnel, handling times,
//! overdue applications, and the month's customers and sales by class, voltage, industry.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;
use duckdb::types::Value;

use super::Project;

const KEY_CUSTOMERS: &str = include_str!("sql/market_key_customers.sql");
const FUNNEL: &str = include_str!("sql/market_funnel.sql");
const HANDLING: &str = include_str!("sql/market_handling.sql");
const OVERDUE: &str = include_str!("sql/market_overdue.sql");
const COMPOSITION: &str = include_str!("sql/market_composition.sql");

#[derive(Debug, Clone, PartialEq)]
pub struct KeyCustomer {
    pub customer_id: String,
    pub name: String,
    pub class: String,
    pub industry: Option<String>,
    pub capacity_kva: Option<f64>,
    pub is_key: bool,
    pub kwh_year: f64,
    pub kwh_month: Option<f64>,
    pub kwh_year_ago: Option<f64>,
    pub share: Option<f64>,
    /// kWh of the 13 months up to the month (months without a bill left out).
    pub series: Vec<f64>,
}

fn floats(v: Value) -> Vec<f64> {
    match v {
        Value::List(items) | Value::Array(items) => items
            .into_iter()
            .filter_map(|x| match x {
                Value::Double(d) => Some(d),
                Value::Float(f) => Some(f as f64),
                Value::BigInt(i) => Some(i as f64),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub fn key_customers(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    n: i64,
) -> duckdb::Result<Vec<KeyCustomer>> {
    let mut stmt = project.conn().prepare(KEY_CUSTOMERS)?;
    let rows = stmt.query_map(params![unit, month, n], |r| {
        Ok(KeyCustomer {
            customer_id: r.get(0)?,
            name: r.get(1)?,
            class: r.get(2)?,
            industry: r.get(3)?,
            capacity_kva: r.get(4)?,
            is_key: r.get(5)?,
            kwh_year: r.get::<_, Option<f64>>(6)?.unwrap_or(0.0),
            kwh_month: r.get(7)?,
            kwh_year_ago: r.get(8)?,
            share: r.get(9)?,
            series: floats(r.get(10)?),
        })
    })?;
    rows.collect()
}

/// Applications accepted in the 12 months up to the month reaching each step, in order:
/// accepted, surveyed, plan, design review, mid check, completion, meter, energised.
pub fn funnel(project: &Project, unit: &str, month: NaiveDate) -> duckdb::Result<Vec<u64>> {
    project.conn().query_row(FUNNEL, params![unit, month], |r| {
        (0..8).map(|i| Ok(r.get::<_, i64>(i)?.max(0) as u64)).collect()
    })
}

/// (class, handling working days, limit) of the applications energised in the 12 months.
pub fn handling(project: &Project, unit: &str, month: NaiveDate) -> duckdb::Result<Vec<(String, f64, f64)>> {
    let mut stmt = project.conn().prepare(HANDLING)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok((r.get(0)?, r.get::<_, f64>(1)?, r.get::<_, i64>(2)? as f64))
    })?;
    rows.collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    pub application_id: String,
    pub customer_id: Option<String>,
    pub unit_id: String,
    pub class: String,
    pub accepted_at: NaiveDateTime,
    pub days_so_far: f64,
    pub limit_days: f64,
}

pub fn overdue(project: &Project, unit: &str, month: NaiveDate) -> duckdb::Result<Vec<Overdue>> {
    let mut stmt = project.conn().prepare(OVERDUE)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok(Overdue {
            application_id: r.get(0)?,
            customer_id: r.get(1)?,
            unit_id: r.get(2)?,
            class: r.get(3)?,
            accepted_at: r.get(4)?,
            days_so_far: r.get(5)?,
            limit_days: r.get::<_, i64>(6)? as f64,
        })
    })?;
    rows.collect()
}

/// One row of the month's composition: (value, customers billed, kWh).
pub type Share = (String, u64, f64);

/// The month's customers and sales by class, by voltage and by industry (largest first).
pub fn composition(project: &Project, unit: &str, month: NaiveDate) -> duckdb::Result<[Vec<Share>; 3]> {
    let mut stmt = project.conn().prepare(COMPOSITION)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            r.get::<_, i64>(2)?.max(0) as u64,
            r.get::<_, Option<f64>>(3)?.unwrap_or(0.0),
        ))
    })?;
    let mut out: [Vec<Share>; 3] = Default::default();
    for row in rows {
        let (field, value, customers, kwh) = row?;
        let i = match field.as_str() {
            "customer_class" => 0,
            "voltage" => 1,
            _ => 2,
        };
        out[i].push((value, customers, kwh));
    }
    Ok(out)
}
