//! Rows the generator emits, one struct per extract table, and the sink that takes them.
//! Field order matches the canonical column order in `crate::model`.

use chrono::{NaiveDate, NaiveDateTime};

use super::anomalies::Planted;
use super::archive::Customer;
use super::geography::Unit;

#[derive(Debug, Clone)]
pub struct ReadRow {
    pub customer_id: String,
    pub billing_month: NaiveDate,
    pub read_date: NaiveDate,
    pub read_type: &'static str,
    pub meter_asset_no: String,
    pub prev_total: f64,
    pub total: f64,
    pub peak: f64,
    pub flat: f64,
    pub valley: f64,
}

#[derive(Debug, Clone)]
pub struct BillRow {
    pub bill_id: String,
    pub customer_id: String,
    pub billing_month: NaiveDate,
    pub tariff_code: &'static str,
    pub kwh: f64,
    pub kwh_peak: f64,
    pub kwh_flat: f64,
    pub kwh_valley: f64,
    pub energy_charge: f64,
    pub basic_charge: f64,
    pub pf_adjustment: f64,
    pub adjustment: f64,
    pub adjustment_order: Option<String>,
    pub operator_id: String,
    pub amount: f64,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub dunning_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub payment_id: String,
    pub bill_id: String,
    pub customer_id: String,
    pub paid_at: NaiveDateTime,
    pub amount: f64,
    pub channel: &'static str,
    pub late_fee: f64,
    pub late_fee_waived: f64,
    pub waiver_approval: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub application_id: String,
    pub customer_id: Option<String>,
    pub unit_id: String,
    pub app_type: &'static str,
    pub customer_class: &'static str,
    pub voltage: &'static str,
    pub capacity_kva: f64,
    pub dual_supply: bool,
    pub accepted_at: NaiveDateTime,
    pub surveyed_at: Option<NaiveDateTime>,
    pub plan_at: Option<NaiveDateTime>,
    pub design_reviewed_at: Option<NaiveDateTime>,
    pub mid_checked_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    pub meter_installed_at: Option<NaiveDateTime>,
    pub energised_at: Option<NaiveDateTime>,
    pub pause_days: f64,
}

#[derive(Debug, Clone)]
pub struct TicketRow {
    pub ticket_id: String,
    pub customer_id: Option<String>,
    pub unit_id: String,
    pub ticket_type: &'static str,
    pub topic: &'static str,
    pub received_at: NaiveDateTime,
    pub dispatched_at: Option<NaiveDateTime>,
    pub arrived_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub deadline_at: NaiveDateTime,
    pub satisfaction: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct OutageRow {
    pub outage_id: String,
    pub unit_id: String,
    pub feeder_id: String,
    pub start_at: NaiveDateTime,
    pub end_at: NaiveDateTime,
    pub planned: bool,
    pub cause: &'static str,
    pub customers_affected: i64,
}

#[derive(Debug, Clone)]
pub struct PointRow {
    pub point_id: String,
    pub unit_id: String,
    pub point_type: &'static str,
    pub name_zh: String,
    pub name_en: String,
    pub opening_hours: &'static str,
    pub staff: i64,
    pub lon: f64,
    pub lat: f64,
}

#[derive(Debug, Clone)]
pub struct VehicleRow {
    pub vehicle_id: String,
    pub plate: String,
    pub unit_id: String,
    pub ts: NaiveDateTime,
    pub lon: f64,
    pub lat: f64,
    pub status: &'static str,
}

#[derive(Debug, Clone)]
pub struct PlanRow {
    pub plan_id: String,
    pub customer_id: String,
    pub plan_level: &'static str,
    pub shed_kw: f64,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct LineLossRow {
    pub area_id: String,
    pub area_name: String,
    pub unit_id: String,
    pub area_kind: &'static str,
    pub month: NaiveDate,
    pub supplied_kwh: f64,
    pub sold_kwh: f64,
}

/// Where generated rows go. The DuckDB writer is the real one; tests may collect rows.
pub trait Sink {
    fn unit(&mut self, u: &Unit) -> anyhow::Result<()>;
    fn customer(&mut self, c: &Customer) -> anyhow::Result<()>;
    fn read(&mut self, r: ReadRow) -> anyhow::Result<()>;
    fn bill(&mut self, b: BillRow) -> anyhow::Result<()>;
    fn payment(&mut self, p: PaymentRow) -> anyhow::Result<()>;
    fn application(&mut self, a: ApplicationRow) -> anyhow::Result<()>;
    fn ticket(&mut self, t: TicketRow) -> anyhow::Result<()>;
    fn outage(&mut self, o: OutageRow) -> anyhow::Result<()>;
    fn point(&mut self, p: PointRow) -> anyhow::Result<()>;
    fn vehicle(&mut self, v: VehicleRow) -> anyhow::Result<()>;
    fn plan(&mut self, p: PlanRow) -> anyhow::Result<()>;
    fn truth(&mut self, t: Planted) -> anyhow::Result<()>;
}
