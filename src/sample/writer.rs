//! The generator's sink into the scratch DuckDB database, through appenders (the fast
//! bulk path). Dates go in as DuckDB dates, not strings.

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::types::{TimeUnit, Value};
use duckdb::{Appender, Connection, ToSql};

use super::anomalies::Planted;
use super::archive::Customer;
use super::geography::Unit;
use super::rows::*;

fn date(d: NaiveDate) -> Value {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    Value::Date32((d - epoch).num_days() as i32)
}

fn ts(t: NaiveDateTime) -> Value {
    Value::Timestamp(TimeUnit::Microsecond, t.and_utc().timestamp_micros())
}

fn opt_ts(t: Option<NaiveDateTime>) -> Value {
    t.map(ts).unwrap_or(Value::Null)
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn opt_text(s: Option<&str>) -> Value {
    s.map(text).unwrap_or(Value::Null)
}

fn append(a: &mut Appender<'_>, values: &[Value]) -> anyhow::Result<()> {
    let refs: Vec<&dyn ToSql> = values.iter().map(|v| v as &dyn ToSql).collect();
    a.append_row(refs.as_slice())?;
    Ok(())
}

pub struct DuckSink<'c> {
    units: Appender<'c>,
    customers: Appender<'c>,
    reads: Appender<'c>,
    bills: Appender<'c>,
    payments: Appender<'c>,
    applications: Appender<'c>,
    tickets: Appender<'c>,
    outages: Appender<'c>,
    points: Appender<'c>,
    vehicles: Appender<'c>,
    plans: Appender<'c>,
    truth: Appender<'c>,
}

impl<'c> DuckSink<'c> {
    pub fn new(conn: &'c Connection) -> anyhow::Result<Self> {
        Ok(DuckSink {
            units: conn.appender("org_units")?,
            customers: conn.appender("customers")?,
            reads: conn.appender("meter_reads")?,
            bills: conn.appender("bills")?,
            payments: conn.appender("payments")?,
            applications: conn.appender("applications")?,
            tickets: conn.appender("tickets")?,
            outages: conn.appender("outages")?,
            points: conn.appender("service_points")?,
            vehicles: conn.appender("vehicle_positions")?,
            plans: conn.appender("orderly_plans")?,
            truth: conn.appender("planted_anomalies")?,
        })
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        for a in [
            &mut self.units,
            &mut self.customers,
            &mut self.reads,
            &mut self.bills,
            &mut self.payments,
            &mut self.applications,
            &mut self.tickets,
            &mut self.outages,
            &mut self.points,
            &mut self.vehicles,
            &mut self.plans,
            &mut self.truth,
        ] {
            a.flush()?;
        }
        Ok(())
    }
}

fn truth_values(t: Planted) -> Vec<Value> {
    vec![
        text(t.rule_id),
        text(t.entity_type),
        Value::Text(t.entity_id),
        t.period.map(date).unwrap_or(Value::Null),
        Value::Text(t.detail),
    ]
}

impl Sink for DuckSink<'_> {
    fn unit(&mut self, u: &Unit) -> anyhow::Result<()> {
        append(
            &mut self.units,
            &[
                text(&u.unit_id),
                opt_text(u.parent_id.as_deref()),
                text(u.level),
                text(&u.name_zh),
                text(&u.name_en),
                text(u.area_type),
                Value::Double((u.seat.0 * 1e5).round() / 1e5),
                Value::Double((u.seat.1 * 1e5).round() / 1e5),
                Value::Text(u.boundary_geojson()),
            ],
        )
    }

    fn customer(&mut self, c: &Customer) -> anyhow::Result<()> {
        append(
            &mut self.customers,
            &[
                text(&c.customer_id),
                text(&c.name),
                text(&c.address),
                text(&c.phone),
                text(&c.id_number),
                text(&c.unit_id),
                text(&c.area_id),
                text(c.class),
                text(c.industry),
                text(c.tariff),
                text(c.voltage),
                Value::Double(c.capacity_kva),
                text(&c.meter_asset_no),
                text(c.wiring),
                Value::Double(c.ct_ratio),
                Value::Double(c.pt_ratio),
                Value::Double(c.multiplier),
                text(c.pf_standard),
                date(c.meter_due_on),
                text(c.status),
                c.status_date.map(date).unwrap_or(Value::Null),
                date(c.opened_on),
                Value::Boolean(c.is_key),
                Value::Double((c.lon * 1e5).round() / 1e5),
                Value::Double((c.lat * 1e5).round() / 1e5),
                // The sample's extracts carry no bank account or contact person.
                Value::Null,
                Value::Null,
            ],
        )
    }

    fn read(&mut self, r: ReadRow) -> anyhow::Result<()> {
        append(
            &mut self.reads,
            &[
                Value::Text(r.customer_id),
                date(r.billing_month),
                date(r.read_date),
                text(r.read_type),
                Value::Text(r.meter_asset_no),
                Value::Double(r.prev_total),
                Value::Double(r.total),
                Value::Double(r.peak),
                Value::Double(r.flat),
                Value::Double(r.valley),
            ],
        )
    }

    fn bill(&mut self, b: BillRow) -> anyhow::Result<()> {
        append(
            &mut self.bills,
            &[
                Value::Text(b.bill_id),
                Value::Text(b.customer_id),
                date(b.billing_month),
                text(b.tariff_code),
                Value::Double(b.kwh),
                Value::Double(b.kwh_peak),
                Value::Double(b.kwh_flat),
                Value::Double(b.kwh_valley),
                Value::Double(b.energy_charge),
                Value::Double(b.basic_charge),
                Value::Double(b.pf_adjustment),
                Value::Double(b.adjustment),
                opt_text(b.adjustment_order.as_deref()),
                Value::Text(b.operator_id),
                Value::Double(b.amount),
                date(b.issued_on),
                date(b.due_on),
                b.dunning_on.map(date).unwrap_or(Value::Null),
            ],
        )
    }

    fn payment(&mut self, p: PaymentRow) -> anyhow::Result<()> {
        append(
            &mut self.payments,
            &[
                Value::Text(p.payment_id),
                Value::Text(p.bill_id),
                Value::Text(p.customer_id),
                ts(p.paid_at),
                Value::Double(p.amount),
                text(p.channel),
                Value::Double(p.late_fee),
                Value::Double(p.late_fee_waived),
                opt_text(p.waiver_approval.as_deref()),
            ],
        )
    }

    fn application(&mut self, a: ApplicationRow) -> anyhow::Result<()> {
        append(
            &mut self.applications,
            &[
                Value::Text(a.application_id),
                opt_text(a.customer_id.as_deref()),
                Value::Text(a.unit_id),
                text(a.app_type),
                text(a.customer_class),
                text(a.voltage),
                Value::Double(a.capacity_kva),
                Value::Boolean(a.dual_supply),
                ts(a.accepted_at),
                opt_ts(a.surveyed_at),
                opt_ts(a.plan_at),
                opt_ts(a.design_reviewed_at),
                opt_ts(a.mid_checked_at),
                opt_ts(a.completed_at),
                opt_ts(a.meter_installed_at),
                opt_ts(a.energised_at),
                Value::Double(a.pause_days),
            ],
        )
    }

    fn ticket(&mut self, t: TicketRow) -> anyhow::Result<()> {
        append(
            &mut self.tickets,
            &[
                Value::Text(t.ticket_id),
                opt_text(t.customer_id.as_deref()),
                Value::Text(t.unit_id),
                text(t.ticket_type),
                text(t.topic),
                ts(t.received_at),
                opt_ts(t.dispatched_at),
                opt_ts(t.arrived_at),
                opt_ts(t.resolved_at),
                opt_ts(t.closed_at),
                ts(t.deadline_at),
                opt_text(t.satisfaction),
            ],
        )
    }

    fn outage(&mut self, o: OutageRow) -> anyhow::Result<()> {
        append(
            &mut self.outages,
            &[
                Value::Text(o.outage_id),
                Value::Text(o.unit_id),
                Value::Text(o.feeder_id),
                ts(o.start_at),
                ts(o.end_at),
                Value::Boolean(o.planned),
                text(o.cause),
                Value::BigInt(o.customers_affected),
            ],
        )
    }

    fn point(&mut self, p: PointRow) -> anyhow::Result<()> {
        append(
            &mut self.points,
            &[
                Value::Text(p.point_id),
                Value::Text(p.unit_id),
                text(p.point_type),
                Value::Text(p.name_zh),
                Value::Text(p.name_en),
                text(p.opening_hours),
                Value::BigInt(p.staff),
                Value::Double((p.lon * 1e5).round() / 1e5),
                Value::Double((p.lat * 1e5).round() / 1e5),
            ],
        )
    }

    fn vehicle(&mut self, v: VehicleRow) -> anyhow::Result<()> {
        append(
            &mut self.vehicles,
            &[
                Value::Text(v.vehicle_id),
                Value::Text(v.plate),
                Value::Text(v.unit_id),
                ts(v.ts),
                Value::Double(v.lon),
                Value::Double(v.lat),
                text(v.status),
            ],
        )
    }

    fn plan(&mut self, p: PlanRow) -> anyhow::Result<()> {
        append(
            &mut self.plans,
            &[
                Value::Text(p.plan_id),
                Value::Text(p.customer_id),
                text(p.plan_level),
                Value::Double(p.shed_kw),
                date(p.valid_from),
                date(p.valid_to),
            ],
        )
    }

    fn truth(&mut self, t: Planted) -> anyhow::Result<()> {
        append(&mut self.truth, &truth_values(t))
    }
}

/// Line loss is derived from the bills after they are written, so it has its own sink.
pub struct LineLossSink<'c> {
    rows: Appender<'c>,
    truth: Appender<'c>,
}

impl<'c> LineLossSink<'c> {
    pub fn new(conn: &'c Connection) -> anyhow::Result<Self> {
        Ok(LineLossSink {
            rows: conn.appender("line_loss")?,
            truth: conn.appender("planted_anomalies")?,
        })
    }

    pub fn add(&mut self, r: LineLossRow, truth: Option<Planted>) -> anyhow::Result<()> {
        append(
            &mut self.rows,
            &[
                Value::Text(r.area_id),
                Value::Text(r.area_name),
                Value::Text(r.unit_id),
                text(r.area_kind),
                date(r.month),
                Value::Double(r.supplied_kwh),
                Value::Double(r.sold_kwh),
            ],
        )?;
        if let Some(t) = truth {
            append(&mut self.truth, &truth_values(t))?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.rows.flush()?;
        self.truth.flush()?;
        Ok(())
    }
}
