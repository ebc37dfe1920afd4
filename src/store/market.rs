//! What the key-market page reads: top customers, the connection funnel, handling times,
//! overdue applications, and the month's customers and sales by class, voltage, industry.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;
use duckdb::types::Value;

use super::Project;

const KEY_CUSTOMERS: &str = include_str!("sql/market_key_customers.sql");
const KEY_CUSTOMERS_SUMS: &str = include_str!("sql/market_key_customers_sums.sql");
const FUNNEL: &str = include_str!("sql/market_funnel.sql");
const HANDLING: &str = include_str!("sql/market_handling.sql");
const HANDLING_SUMS: &str = include_str!("sql/market_handling_sums.sql");
const OVERDUE: &str = include_str!("sql/market_overdue.sql");
const COMPOSITION: &str = include_str!("sql/market_composition.sql");
const COMPOSITION_SUMS: &str = include_str!("sql/market_composition_sums.sql");

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
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

/// The `n` largest customers by kWh over the 12 months up to the month, from the prebuilt
/// candidates when they are current (they hold 20 per unit).
pub fn key_customers(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    n: i64,
) -> duckdb::Result<Vec<KeyCustomer>> {
    let prebuilt = n <= 20 && sums_ready(project, "key_candidates_unit_month", month);
    key_customers_with(
        project,
        if prebuilt {
            KEY_CUSTOMERS_SUMS
        } else {
            KEY_CUSTOMERS
        },
        unit,
        month,
        n,
    )
}

/// The same, read from the data tables (what the candidates must agree with).
pub fn key_customers_from_data(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    n: i64,
) -> duckdb::Result<Vec<KeyCustomer>> {
    key_customers_with(project, KEY_CUSTOMERS, unit, month, n)
}

fn key_customers_with(
    project: &Project,
    sql: &str,
    unit: &str,
    month: NaiveDate,
    n: i64,
) -> duckdb::Result<Vec<KeyCustomer>> {
    let mut stmt = project.conn().prepare(sql)?;
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
/// Handling times of the applications energised in the 12 months up to the month, from the
/// prebuilt table when it is current.
pub fn handling(project: &Project, unit: &str, month: NaiveDate) -> duckdb::Result<Vec<(String, f64, f64)>> {
    // Every energised application is in the table, whatever the month.
    let prebuilt = sums_current(project);
    handling_with(
        project,
        if prebuilt { HANDLING_SUMS } else { HANDLING },
        unit,
        month,
    )
}

/// The same, read from the data tables (what the prebuilt table must agree with).
pub fn handling_from_data(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<Vec<(String, f64, f64)>> {
    handling_with(project, HANDLING, unit, month)
}

fn handling_with(
    project: &Project,
    sql: &str,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<Vec<(String, f64, f64)>> {
    let mut stmt = project.conn().prepare(sql)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok((r.get(0)?, r.get::<_, f64>(1)?, r.get::<_, i64>(2)? as f64))
    })?;
    rows.collect()
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
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
/// The month's customers and sales by class, voltage and industry, from the prebuilt sums
/// when they are current.
pub fn composition(project: &Project, unit: &str, month: NaiveDate) -> duckdb::Result<[Vec<Share>; 3]> {
    let prebuilt = sums_ready(project, "mix_unit_month", month);
    composition_with(
        project,
        if prebuilt { COMPOSITION_SUMS } else { COMPOSITION },
        unit,
        month,
    )
}

/// The same, read from the data tables (what the sums must agree with).
pub fn composition_from_data(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<[Vec<Share>; 3]> {
    composition_with(project, COMPOSITION, unit, month)
}

fn composition_with(
    project: &Project,
    sql: &str,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<[Vec<Share>; 3]> {
    let mut stmt = project.conn().prepare(sql)?;
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

const COLLECTION_CURVE: &str = include_str!("sql/market_collection_curve.sql");
const COLLECTION_CURVE_SUMS: &str = include_str!("sql/market_collection_curve_sums.sql");
const COLLECTION_CURVES_SUMS: &str = include_str!("sql/market_collection_curves_sums.sql");
const ARREARS_AGE: &str = include_str!("sql/market_arrears_age.sql");
const ARREARS_AGE_SUMS: &str = include_str!("sql/market_arrears_age_sums.sql");

/// Whether the prebuilt sums are current (built now if they can be).
fn sums_current(project: &Project) -> bool {
    super::kpi::ensure_sums(project).unwrap_or_else(|e| {
        tracing::warn!("sums not rebuilt ({e:#}); reading the data tables");
        false
    })
}

/// Whether the prebuilt sums in `table` are current (built now if they can be) and cover
/// `month`; otherwise the data tables are read directly (a read-only project with stale
/// sums, or a month outside the data).
pub(crate) fn sums_ready(project: &Project, table: &str, month: NaiveDate) -> bool {
    sums_current(project)
        && project
            .conn()
            .query_row(
                &format!("SELECT count(*) > 0 FROM (SELECT 1 FROM {table} WHERE month = $1 LIMIT 1)"),
                params![month],
                |r| r.get::<_, bool>(0),
            )
            .unwrap_or(false)
}

/// The bills falling due in a month and how they were paid, day by day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CollectionCurve {
    pub month: NaiveDate,
    pub receivable: f64,
    /// (day of the month, paid that day); day 0 sums what was paid before the month.
    pub paid: Vec<(u32, f64)>,
}

impl CollectionCurve {
    /// The share of the receivable collected by the end of each day 0..=days, in %.
    pub fn cumulative_percent(&self, days: u32) -> Vec<(u32, f64)> {
        let mut sum = 0.0;
        (0..=days)
            .map(|d| {
                sum += self
                    .paid
                    .iter()
                    .filter(|(x, _)| *x == d)
                    .map(|(_, a)| a)
                    .sum::<f64>();
                (
                    d,
                    if self.receivable > 0.0 {
                        sum / self.receivable * 100.0
                    } else {
                        0.0
                    },
                )
            })
            .collect()
    }
}

/// The collection curve of a month, from the prebuilt sums when they are current.
pub fn collection_curve(project: &Project, unit: &str, month: NaiveDate) -> duckdb::Result<CollectionCurve> {
    let prebuilt = sums_ready(project, "due_unit_month", month);
    curve_with(
        project,
        if prebuilt {
            COLLECTION_CURVE_SUMS
        } else {
            COLLECTION_CURVE
        },
        unit,
        month,
    )
}

/// The collection curves of a month and of another (the month before, to compare), in one
/// look at the prebuilt sums when they cover both.
pub fn collection_curves(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    other: NaiveDate,
) -> duckdb::Result<(CollectionCurve, CollectionCurve)> {
    if !(sums_ready(project, "due_unit_month", month) && sums_ready(project, "due_unit_month", other)) {
        return Ok((
            collection_curve(project, unit, month)?,
            collection_curve(project, unit, other)?,
        ));
    }
    let mut curves = [month, other].map(|m| CollectionCurve {
        month: m,
        receivable: 0.0,
        paid: Vec::new(),
    });
    let mut stmt = project.conn().prepare(COLLECTION_CURVES_SUMS)?;
    let mut rows = stmt.query(params![unit, month, other])?;
    while let Some(r) = rows.next()? {
        let m: NaiveDate = r.get(0)?;
        let Some(curve) = curves.iter_mut().find(|c| c.month == m) else {
            continue;
        };
        if let Some(receivable) = r.get::<_, Option<f64>>(1)? {
            curve.receivable = receivable;
        }
        if let (Some(day), Some(amount)) = (r.get::<_, Option<i64>>(2)?, r.get::<_, Option<f64>>(3)?) {
            curve.paid.push((day.max(0) as u32, amount));
        }
    }
    let [a, b] = curves;
    Ok((a, b))
}

/// The same, read from the data tables (what the sums must agree with).
pub fn collection_curve_from_data(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<CollectionCurve> {
    curve_with(project, COLLECTION_CURVE, unit, month)
}

fn curve_with(project: &Project, sql: &str, unit: &str, month: NaiveDate) -> duckdb::Result<CollectionCurve> {
    let mut stmt = project.conn().prepare(sql)?;
    let mut rows = stmt.query(params![unit, month])?;
    let mut curve = CollectionCurve {
        month,
        receivable: 0.0,
        paid: Vec::new(),
    };
    while let Some(r) = rows.next()? {
        curve.receivable = r.get::<_, Option<f64>>(0)?.unwrap_or(0.0);
        if let (Some(day), Some(amount)) = (r.get::<_, Option<i64>>(1)?, r.get::<_, Option<f64>>(2)?) {
            curve.paid.push((day.max(0) as u32, amount));
        }
    }
    Ok(curve)
}

/// Days past due of the arrears buckets (DOMAIN section 3).
pub const AGE_BUCKETS: [&str; 5] = ["0-30", "31-90", "91-180", "181-365", ">365"];

/// A unit's arrears in one age bucket.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArrearsAge {
    pub unit_id: String,
    /// Index into `AGE_BUCKETS`.
    pub bucket: usize,
    pub arrears: f64,
    pub bills: u64,
    /// The part billed in the cut-off's year (the rest is prior years').
    pub this_year: f64,
}

/// Arrears at the end of `month` by days past due and by the units one level down, from
/// the prebuilt sums when they are current.
pub fn arrears_by_age(project: &Project, unit: &str, month: NaiveDate) -> duckdb::Result<Vec<ArrearsAge>> {
    if sums_ready(project, "arrears_age_unit_month", month) {
        // The sums are kept per month.
        ages_with(project, ARREARS_AGE_SUMS, unit, month)
    } else {
        arrears_by_age_from_data(project, unit, month)
    }
}

/// The same, read from the data tables (what the sums must agree with).
pub fn arrears_by_age_from_data(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> duckdb::Result<Vec<ArrearsAge>> {
    // The direct query takes the cut-off day.
    let cutoff = month.checked_add_months(chrono::Months::new(1)).unwrap_or(month);
    ages_with(project, ARREARS_AGE, unit, cutoff)
}

fn ages_with(project: &Project, sql: &str, unit: &str, day: NaiveDate) -> duckdb::Result<Vec<ArrearsAge>> {
    let mut stmt = project.conn().prepare(sql)?;
    let rows = stmt.query_map(params![unit, day], |r| {
        Ok(ArrearsAge {
            unit_id: r.get(0)?,
            bucket: r.get::<_, i32>(1)?.clamp(0, 4) as usize,
            arrears: r.get(2)?,
            bills: r.get::<_, i64>(3)?.max(0) as u64,
            this_year: r.get(4)?,
        })
    })?;
    rows.collect()
}
