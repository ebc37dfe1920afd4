//! What happened in an org unit's subtree over a span of days (a day, a week): the numbers of
//! the daily brief and the weekly notification, read from the data tables (the prebuilt sums
//! are monthly). Every query takes the unit and the half-open span [from, to).

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;

use super::Project;

/// The subtree of `$1`.
const SUBTREE: &str = "(SELECT unit_id FROM org_closure WHERE ancestor_id = $1)";

/// 95598 tickets received in the span by type, with those resolved in it and those whose
/// deadline fell in it and was missed (resolved late or not at all).
const TICKETS: &str = "SELECT ticket_type,
       count(*) FILTER (WHERE received_at >= $2 AND received_at < $3) AS received,
       count(*) FILTER (WHERE resolved_at >= $2 AND resolved_at < $3) AS resolved,
       count(*) FILTER (WHERE deadline_at >= $2 AND deadline_at < $3
                          AND (resolved_at IS NULL OR resolved_at > deadline_at)) AS late
FROM tickets
WHERE unit_id IN SUBTREE
  AND (received_at >= $2 AND received_at < $3 OR resolved_at >= $2 AND resolved_at < $3
       OR deadline_at >= $2 AND deadline_at < $3)
GROUP BY 1 ORDER BY 2 DESC, 1";

/// Tickets still open at the span's end past their deadline, oldest deadline first.
const OPEN_LATE_TICKETS: &str = "SELECT ticket_id, unit_id, ticket_type, received_at, deadline_at
FROM tickets
WHERE unit_id IN SUBTREE AND received_at < $2
  AND deadline_at < $2 AND (resolved_at IS NULL OR resolved_at >= $2)
ORDER BY deadline_at, ticket_id";

/// Applications not energised by the span's end whose working days so far (less the
/// customer's pauses) exceed their time limit, as `market_overdue.sql` counts them at a
/// month's end.
const OPEN_LATE_APPLICATIONS: &str = "WITH open AS (
    SELECT a.*, connection_limit(a.customer_class, a.voltage, a.dual_supply) AS limit_days
    FROM applications a
    WHERE a.accepted_at < $2 AND (a.energised_at IS NULL OR a.energised_at >= $2)
      AND a.unit_id IN SUBTREE)
SELECT o.application_id, o.unit_id, o.customer_class, o.accepted_at,
       greatest(greatest(wb.before - wa.before, 0) - coalesce(o.pause_days, 0), 0)::DOUBLE AS days_so_far, o.limit_days::DOUBLE
FROM open o
     JOIN working_days_before wa ON wa.day = o.accepted_at::DATE
     JOIN working_days_before wb ON wb.day = $2::DATE
WHERE greatest(greatest(wb.before - wa.before, 0) - coalesce(o.pause_days, 0), 0) > o.limit_days
ORDER BY days_so_far - limit_days DESC, application_id";

/// Power cuts in progress at the span's end (started before it, not ended by it).
const OUTAGES_IN_PROGRESS: &str =
    "SELECT outage_id, unit_id, feeder_id, start_at, planned, customers_affected
FROM outages
WHERE unit_id IN SUBTREE AND start_at < $2 AND (end_at IS NULL OR end_at >= $2)
ORDER BY customers_affected DESC, outage_id";

/// Power cuts that ended in the span: how many, planned or not, customers affected and
/// customer-minutes.
const OUTAGES_ENDED: &str = "SELECT planned, count(*), coalesce(sum(customers_affected), 0)::BIGINT,
       coalesce(sum(customers_affected * date_diff('second', start_at, end_at) / 60.0), 0)::DOUBLE
FROM outages
WHERE unit_id IN SUBTREE AND end_at >= $2 AND end_at < $3
GROUP BY 1 ORDER BY 1";

/// Applications accepted and energised in the span by type, with their capacity.
const APPLICATIONS: &str = "SELECT app_type,
       count(*) FILTER (WHERE accepted_at >= $2 AND accepted_at < $3),
       coalesce(sum(capacity_kva) FILTER (WHERE accepted_at >= $2 AND accepted_at < $3), 0)::DOUBLE,
       count(*) FILTER (WHERE energised_at >= $2 AND energised_at < $3),
       coalesce(sum(capacity_kva) FILTER (WHERE energised_at >= $2 AND energised_at < $3), 0)::DOUBLE
FROM applications
WHERE unit_id IN SUBTREE
  AND (accepted_at >= $2 AND accepted_at < $3 OR energised_at >= $2 AND energised_at < $3)
GROUP BY 1 ORDER BY 2 DESC, 1";

/// Payments collected in the span by channel (the customer's unit decides the scope).
const PAYMENTS: &str = "SELECT coalesce(p.channel, ''), count(*), coalesce(sum(p.amount), 0)::DOUBLE
FROM payments p JOIN customers c USING (customer_id)
WHERE c.unit_id IN SUBTREE AND p.paid_at >= $2 AND p.paid_at < $3
GROUP BY 1 ORDER BY 3 DESC, 1";

/// Suspects first found by a run started in the span, of at least a severity.
const NEW_SUSPECTS: &str = "SELECT s.rule_id, s.entity_type, s.entity_id, s.unit_id, s.period, s.amount, s.severity, s.score, s.status
FROM audit_suspects s JOIN audit_runs r ON r.run_id = s.first_run_id
WHERE s.unit_id IN SUBTREE AND r.started_at >= $2 AND r.started_at < $3 AND s.severity >= $4
ORDER BY s.score DESC, s.suspect_key";

/// Suspects opened (first found) and closed (moved to closed, false positive or rectified)
/// in the span, by rule.
const SUSPECT_FLOW: &str = "WITH opened AS (
    SELECT s.rule_id, count(*) AS n FROM audit_suspects s JOIN audit_runs r ON r.run_id = s.first_run_id
    WHERE s.unit_id IN SUBTREE AND r.started_at >= $2 AND r.started_at < $3 GROUP BY 1),
closed AS (
    SELECT s.rule_id, count(DISTINCT t.suspect_key) AS n
    FROM audit_trail t JOIN audit_suspects s USING (suspect_key)
    WHERE s.unit_id IN SUBTREE AND t.changed_at >= $2 AND t.changed_at < $3
      AND t.to_status IN ('closed', 'false_positive', 'rectified') GROUP BY 1)
SELECT rule_id, coalesce(o.n, 0), coalesce(c.n, 0)
FROM opened o FULL JOIN closed c USING (rule_id)
ORDER BY 2 DESC, 3 DESC, 1";

/// Confirmed or rectifying suspects due by `$2` (overdue ones first).
const RECTIFICATION_DUE: &str =
    "SELECT rule_id, entity_type, entity_id, unit_id, assignee_unit, due_on, status, amount
FROM audit_suspects
WHERE unit_id IN SUBTREE AND status IN ('confirmed', 'rectifying') AND due_on IS NOT NULL AND due_on <= $2
ORDER BY due_on, suspect_key";

/// Per unit one level below `$1`: tickets received and late, suspects opened, in the span.
const BY_UNIT: &str = "WITH children AS (
    SELECT unit_id AS child FROM org_closure WHERE ancestor_id = $1 AND depth = 1),
under AS (
    SELECT c.child, oc.unit_id FROM children c JOIN org_closure oc ON oc.ancestor_id = c.child),
t AS (
    SELECT u.child,
           count(*) FILTER (WHERE received_at >= $2 AND received_at < $3) AS received,
           count(*) FILTER (WHERE deadline_at >= $2 AND deadline_at < $3
                              AND (resolved_at IS NULL OR resolved_at > deadline_at)) AS late
    FROM tickets JOIN under u USING (unit_id) GROUP BY 1),
s AS (
    SELECT u.child, count(*) AS opened, coalesce(sum(s.amount), 0) AS amount
    FROM audit_suspects s JOIN under u USING (unit_id) JOIN audit_runs r ON r.run_id = s.first_run_id
    WHERE r.started_at >= $2 AND r.started_at < $3 GROUP BY 1)
SELECT c.child, coalesce(t.received, 0), coalesce(t.late, 0), coalesce(s.opened, 0), coalesce(s.amount, 0)::DOUBLE
FROM children c LEFT JOIN t ON t.child = c.child LEFT JOIN s ON s.child = c.child
ORDER BY 3 DESC, 4 DESC, 2 DESC, 1";

fn sql(template: &str) -> String {
    template.replace("SUBTREE", SUBTREE)
}

#[derive(Debug, Clone, PartialEq)]
pub struct TicketCount {
    pub ticket_type: String,
    pub received: u64,
    pub resolved: u64,
    pub late: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpenTicket {
    pub ticket_id: String,
    pub unit_id: String,
    pub ticket_type: String,
    pub received_at: NaiveDateTime,
    pub deadline_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpenApplication {
    pub application_id: String,
    pub unit_id: String,
    pub customer_class: String,
    pub accepted_at: NaiveDateTime,
    pub days_so_far: f64,
    pub limit_days: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outage {
    pub outage_id: String,
    pub unit_id: String,
    pub feeder_id: Option<String>,
    pub start_at: NaiveDateTime,
    pub planned: bool,
    pub customers: u64,
}

/// Power cuts ended in a span, planned or not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ended {
    pub count: u64,
    pub customers: u64,
    pub customer_minutes: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppCount {
    pub app_type: String,
    pub accepted: u64,
    pub accepted_kva: f64,
    pub energised: u64,
    pub energised_kva: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SuspectLine {
    pub rule_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub unit_id: Option<String>,
    pub period: Option<NaiveDate>,
    pub amount: f64,
    pub severity: i32,
    pub score: f64,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DueLine {
    pub rule_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub unit_id: Option<String>,
    pub assignee: Option<String>,
    pub due_on: NaiveDate,
    pub status: String,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitActivity {
    pub unit_id: String,
    pub tickets: u64,
    pub late_tickets: u64,
    pub suspects: u64,
    pub amount: f64,
}

fn at(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).expect("midnight exists")
}

fn count(v: i64) -> u64 {
    v.max(0) as u64
}

pub fn tickets(p: &Project, unit: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<TicketCount>> {
    let mut st = p.conn().prepare(&sql(TICKETS))?;
    let rows = st.query_map(params![unit, at(from), at(to)], |r| {
        Ok(TicketCount {
            ticket_type: r.get(0)?,
            received: count(r.get(1)?),
            resolved: count(r.get(2)?),
            late: count(r.get(3)?),
        })
    })?;
    rows.collect()
}

pub fn open_late_tickets(p: &Project, unit: &str, end: NaiveDate) -> duckdb::Result<Vec<OpenTicket>> {
    let mut st = p.conn().prepare(&sql(OPEN_LATE_TICKETS))?;
    let rows = st.query_map(params![unit, at(end)], |r| {
        Ok(OpenTicket {
            ticket_id: r.get(0)?,
            unit_id: r.get(1)?,
            ticket_type: r.get(2)?,
            received_at: r.get(3)?,
            deadline_at: r.get(4)?,
        })
    })?;
    rows.collect()
}

pub fn open_late_applications(
    p: &Project,
    unit: &str,
    end: NaiveDate,
) -> duckdb::Result<Vec<OpenApplication>> {
    let mut st = p.conn().prepare(&sql(OPEN_LATE_APPLICATIONS))?;
    let rows = st.query_map(params![unit, at(end)], |r| {
        Ok(OpenApplication {
            application_id: r.get(0)?,
            unit_id: r.get(1)?,
            customer_class: r.get(2)?,
            accepted_at: r.get(3)?,
            days_so_far: r.get(4)?,
            limit_days: r.get(5)?,
        })
    })?;
    rows.collect()
}

pub fn outages_in_progress(p: &Project, unit: &str, end: NaiveDate) -> duckdb::Result<Vec<Outage>> {
    let mut st = p.conn().prepare(&sql(OUTAGES_IN_PROGRESS))?;
    let rows = st.query_map(params![unit, at(end)], |r| {
        Ok(Outage {
            outage_id: r.get(0)?,
            unit_id: r.get(1)?,
            feeder_id: r.get(2)?,
            start_at: r.get(3)?,
            planned: r.get(4)?,
            customers: count(r.get(5)?),
        })
    })?;
    rows.collect()
}

/// (planned, unplanned) power cuts ended in the span.
pub fn outages_ended(
    p: &Project,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<(Ended, Ended)> {
    let mut st = p.conn().prepare(&sql(OUTAGES_ENDED))?;
    let mut out = (Ended::default(), Ended::default());
    let rows = st.query_map(params![unit, at(from), at(to)], |r| {
        Ok((
            r.get::<_, bool>(0)?,
            Ended {
                count: count(r.get(1)?),
                customers: count(r.get(2)?),
                customer_minutes: r.get(3)?,
            },
        ))
    })?;
    for row in rows {
        let (planned, e) = row?;
        if planned {
            out.0 = e;
        } else {
            out.1 = e;
        }
    }
    Ok(out)
}

pub fn applications(
    p: &Project,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<AppCount>> {
    let mut st = p.conn().prepare(&sql(APPLICATIONS))?;
    let rows = st.query_map(params![unit, at(from), at(to)], |r| {
        Ok(AppCount {
            app_type: r.get(0)?,
            accepted: count(r.get(1)?),
            accepted_kva: r.get(2)?,
            energised: count(r.get(3)?),
            energised_kva: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// (channel, payments, yuan) collected in the span.
pub fn payments(
    p: &Project,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<(String, u64, f64)>> {
    let mut st = p.conn().prepare(&sql(PAYMENTS))?;
    let rows = st.query_map(params![unit, at(from), at(to)], |r| {
        Ok((r.get(0)?, count(r.get(1)?), r.get(2)?))
    })?;
    rows.collect()
}

pub fn new_suspects(
    p: &Project,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
    min_severity: i32,
) -> duckdb::Result<Vec<SuspectLine>> {
    let mut st = p.conn().prepare(&sql(NEW_SUSPECTS))?;
    let rows = st.query_map(params![unit, at(from), at(to), min_severity], |r| {
        Ok(SuspectLine {
            rule_id: r.get(0)?,
            entity_type: r.get(1)?,
            entity_id: r.get(2)?,
            unit_id: r.get(3)?,
            period: r.get(4)?,
            amount: r.get(5)?,
            severity: r.get(6)?,
            score: r.get(7)?,
            status: r.get(8)?,
        })
    })?;
    rows.collect()
}

/// (rule, opened, closed) in the span.
pub fn suspect_flow(
    p: &Project,
    unit: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> duckdb::Result<Vec<(String, u64, u64)>> {
    let mut st = p.conn().prepare(&sql(SUSPECT_FLOW))?;
    let rows = st.query_map(params![unit, at(from), at(to)], |r| {
        Ok((r.get(0)?, count(r.get(1)?), count(r.get(2)?)))
    })?;
    rows.collect()
}

pub fn rectification_due(p: &Project, unit: &str, until: NaiveDate) -> duckdb::Result<Vec<DueLine>> {
    let mut st = p.conn().prepare(&sql(RECTIFICATION_DUE))?;
    let rows = st.query_map(params![unit, until], |r| {
        Ok(DueLine {
            rule_id: r.get(0)?,
            entity_type: r.get(1)?,
            entity_id: r.get(2)?,
            unit_id: r.get(3)?,
            assignee: r.get(4)?,
            due_on: r.get(5)?,
            status: r.get(6)?,
            amount: r.get(7)?,
        })
    })?;
    rows.collect()
}

pub fn by_unit(p: &Project, unit: &str, from: NaiveDate, to: NaiveDate) -> duckdb::Result<Vec<UnitActivity>> {
    let mut st = p.conn().prepare(BY_UNIT)?;
    let rows = st.query_map(params![unit, at(from), at(to)], |r| {
        Ok(UnitActivity {
            unit_id: r.get(0)?,
            tickets: count(r.get(1)?),
            late_tickets: count(r.get(2)?),
            suspects: count(r.get(3)?),
            amount: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// The data tables a brief watches, each with the column that dates its rows and whether
/// that column holds a month (whose rows reach the month's last day).
pub const DATED_TABLES: [(&str, &str, bool); 7] = [
    ("tickets", "received_at", false),
    ("outages", "start_at", false),
    ("payments", "paid_at", false),
    ("applications", "accepted_at", false),
    ("meter_reads", "read_date", false),
    ("bills", "billing_month", true),
    ("line_loss", "month", true),
];

/// The last day each dated table reaches (None: the table is empty).
pub fn table_reach(p: &Project) -> duckdb::Result<Vec<(&'static str, Option<NaiveDate>)>> {
    let mut out = Vec::new();
    for (table, column, monthly) in DATED_TABLES {
        // Table and column names are constants of this file, never user text.
        let q = if monthly {
            format!("SELECT last_day(max({column}))::DATE FROM {table}")
        } else {
            format!("SELECT max({column})::DATE FROM {table}")
        };
        let d: Option<NaiveDate> = p.conn().query_row(&q, [], |r| r.get(0))?;
        out.push((table, d));
    }
    Ok(out)
}
