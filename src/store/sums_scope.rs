//! Which part of the prebuilt sums (`kpi`) the data changed since they were built, so that
//! an import rebuilds only the org units and months it touched instead of everything (a
//! 17-row correction cost a 31 s rebuild of a 100k-customer project).
//!
//! Every import notes, inside its own transaction, the units and the first month of the
//! rows it adds or deletes (`note_rows`) and the fingerprint the data has after it
//! (`chain`). A rebuild is scoped only when that chain is unbroken: the fingerprint of the
//! data now is the one the last import left, and each import started from the fingerprint
//! the one before left (or the sums were built for). Anything else (a folder import, a
//! change of the connection time limits, data written by other means) rebuilds everything.
//!
//! The rebuild SQL filters with three macros: `in_scope(unit_id)`,
//! `in_scope_customer(customer_id)` and `rebuild_from()`.

use chrono::NaiveDate;

use super::Project;

/// Where the fingerprint the last import left is kept.
const CHAINED_KEY: &str = "sums_chained_fingerprint";

/// The month before any data (dates before 1900 are refused at import).
const BEFORE_ALL: &str = "1000-01-01";

/// What a rebuild redoes.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    Everything,
    /// These units (None: all) from this month on (None: every month).
    Part {
        units: Option<Vec<String>>,
        from: Option<NaiveDate>,
    },
}

/// The units and first month whose sums the rows of `table` in `relation` (a SELECT or a
/// table name) count in. Tables no sum reads change nothing.
fn scope_sql(table: &str, relation: &str) -> Option<String> {
    let month = |col: &str| format!("date_trunc('month', {col})::DATE");
    Some(match table {
        "bills" => format!(
            "SELECT c.unit_id, min(least(r.billing_month, {})) FROM ({relation}) r \
             JOIN customers c ON c.customer_id = r.customer_id GROUP BY 1",
            month("r.due_on")
        ),
        "payments" => format!(
            "SELECT c.unit_id, min(least(b.billing_month, {}, {})) FROM ({relation}) r \
             JOIN bills b ON b.bill_id = r.bill_id JOIN customers c ON c.customer_id = b.customer_id GROUP BY 1",
            month("b.due_on"),
            month("r.paid_at")
        ),
        "applications" => format!(
            "SELECT unit_id, min({}) FROM ({relation}) r \
             WHERE energised_at IS NOT NULL AND accepted_at IS NOT NULL GROUP BY 1",
            month("energised_at")
        ),
        "tickets" => format!(
            "SELECT unit_id, min(least({}, {})) FROM ({relation}) r GROUP BY 1",
            month("received_at"),
            month("deadline_at")
        ),
        "outages" => format!(
            "SELECT unit_id, min({}) FROM ({relation}) r GROUP BY 1",
            month("start_at")
        ),
        "line_loss" => format!("SELECT unit_id, min(month) FROM ({relation}) r GROUP BY 1"),
        // A changed day counts in the handling time of every connection energised after it.
        "work_calendar" => format!("SELECT NULL, min({}) FROM ({relation}) r", month("day")),
        // Who is served where, and the tree itself: every sum.
        "customers" | "org_units" => "SELECT NULL, NULL".to_string(),
        _ => return None,
    })
}

/// Notes the rows of `table` in `relation`, about to be added or deleted by an import.
pub fn note_rows(project: &Project, table: &str, relation: &str) -> duckdb::Result<()> {
    if let Some(select) = scope_sql(table, relation) {
        project
            .conn()
            .execute_batch(&format!("INSERT INTO sums_pending {select}"))?;
    }
    Ok(())
}

/// Keeps the chain of an import: call at its start and, with `after` set, at its end (both
/// inside its transaction).
pub fn chain(project: &Project, after: bool) -> anyhow::Result<()> {
    let now = super::kpi::fingerprint(project)?;
    if after {
        project.set_meta(CHAINED_KEY, &now)?;
        return Ok(());
    }
    let expected = match project.meta(CHAINED_KEY)? {
        Some(chained) => Some(chained),
        None => super::kpi::built_for(project)?,
    };
    if expected.as_deref() != Some(now.as_str()) {
        // The data changed by other means since: this import cannot say what changed.
        project
            .conn()
            .execute_batch("INSERT INTO sums_pending VALUES (NULL, NULL)")?;
    }
    Ok(())
}

/// What to rebuild when the data's fingerprint is `now` and the sums were built for another.
pub fn to_rebuild(project: &Project, now: &str) -> anyhow::Result<Scope> {
    if project.meta(CHAINED_KEY)?.as_deref() != Some(now) {
        return Ok(Scope::Everything);
    }
    let mut stmt = project
        .conn()
        .prepare("SELECT DISTINCT unit_id, from_month FROM sums_pending")?;
    let rows: Vec<(Option<String>, Option<NaiveDate>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<duckdb::Result<_>>()?;
    let all_units = rows.iter().any(|(u, _)| u.is_none());
    let all_months = rows.iter().any(|(_, m)| m.is_none());
    if all_units && all_months {
        return Ok(Scope::Everything);
    }
    let mut units: Vec<String> = rows.iter().filter_map(|(u, _)| u.clone()).collect();
    units.sort();
    units.dedup();
    Ok(Scope::Part {
        units: (!all_units).then_some(units),
        from: if all_months {
            None
        } else {
            rows.iter().filter_map(|(_, m)| *m).min()
        },
    })
}

/// The months the sums span, as the rebuild SQL works them out: the months of any data
/// (`rebuild_months`), the months of the bills (12-month kWh of key customers) and the last
/// month arrears are followed to (`arrears_open`). Kept with the sums (`SPANS_KEY`).
const SPANS_SQL: &str = "SELECT concat_ws('/', (SELECT min(m) FROM rebuild_months), (SELECT min(billing_month) FROM bills), \
     (SELECT max(m) FROM rebuild_months), (SELECT max(billing_month) FROM bills), \
     greatest((SELECT date_trunc('month', max(due_on))::DATE FROM bills), \
              (SELECT max(billing_month) FROM bills), (SELECT max(m) FROM rebuild_months)))";
const SPANS_KEY: &str = "sums_spans";

/// Widens `scope` when the months the sums span changed: a month added at the end needs its
/// rows for every unit, one removed must go for every unit; a change at the start redoes
/// everything. Call after `rebuild_months` is made; keeps the spans for the next time.
pub fn widen_for_new_months(project: &Project, scope: Scope) -> anyhow::Result<Scope> {
    let now: String = project.conn().query_row(SPANS_SQL, [], |r| r.get(0))?;
    let before = project.meta(SPANS_KEY)?;
    project.set_meta(SPANS_KEY, &now)?;
    let Scope::Part { units, from } = scope else {
        return Ok(scope);
    };
    let Some(before) = before else {
        return Ok(Scope::Everything);
    };
    if before == now {
        return Ok(Scope::Part { units, from });
    }
    let parse = |s: &str| -> Vec<Option<NaiveDate>> { s.split('/').map(|d| d.parse().ok()).collect() };
    let (old, new) = (parse(&before), parse(&now));
    if old.len() != 5 || new.len() != 5 || old[..2] != new[..2] {
        return Ok(Scope::Everything);
    }
    // Every unit from the month after the earlier of each changed end.
    let mut first = from;
    for (o, n) in old[2..].iter().zip(&new[2..]) {
        if o != n {
            let changed = match (o, n) {
                (Some(o), Some(n)) => (*o).min(*n).checked_add_months(chrono::Months::new(1)),
                _ => return Ok(Scope::Everything),
            };
            first = match (first, changed) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            };
        }
    }
    Ok(Scope::Part {
        units: None,
        from: first,
    })
}

/// Defines the macros the rebuild SQL filters with.
pub fn install(project: &Project, scope: &Scope) -> duckdb::Result<()> {
    let (units, from) = match scope {
        Scope::Everything => (None, None),
        Scope::Part { units, from } => (units.as_ref(), *from),
    };
    let from = from.map_or(BEFORE_ALL.to_string(), |d| d.to_string());
    let conn = project.conn();
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP MACRO rebuild_from() AS DATE '{from}';"
    ))?;
    match units {
        None => conn.execute_batch(
            "CREATE OR REPLACE TEMP MACRO in_scope(u) AS true; \
             CREATE OR REPLACE TEMP MACRO in_scope_customer(id) AS true;",
        ),
        Some(units) => {
            conn.execute_batch("CREATE OR REPLACE TEMP TABLE rebuild_units (unit_id VARCHAR);")?;
            let mut app = conn.appender("rebuild_units")?;
            for u in units {
                app.append_row([u])?;
            }
            app.flush()?;
            // The customers of those units, for the scans of bills keyed by customer.
            conn.execute_batch(
                "CREATE OR REPLACE TEMP MACRO in_scope(u) AS (u IN (SELECT unit_id FROM rebuild_units)); \
                 CREATE OR REPLACE TEMP TABLE rebuild_customers AS \
                     SELECT customer_id FROM customers WHERE unit_id IN (SELECT unit_id FROM rebuild_units); \
                 CREATE OR REPLACE TEMP MACRO in_scope_customer(id) AS (id IN (SELECT customer_id FROM rebuild_customers));",
            )
        }
    }
}

/// What the next look at the indicators rebuilds; None when the sums are current.
pub fn pending(project: &Project) -> anyhow::Result<Option<Scope>> {
    let now = super::kpi::fingerprint(project)?;
    if super::kpi::built_for(project)?.as_deref() == Some(now.as_str()) {
        return Ok(None);
    }
    Ok(Some(to_rebuild(project, &now)?))
}

/// Makes the next look rebuild every sum.
pub fn rebuild_everything_next(project: &Project) -> duckdb::Result<()> {
    clear(project)?;
    project
        .conn()
        .execute("DELETE FROM mams_meta WHERE key = ?", [super::kpi::BUILT_KEY])
        .map(|_| ())
}

/// Forgets what was noted: the sums are built for the data as it is now.
pub fn clear(project: &Project) -> duckdb::Result<()> {
    project.conn().execute_batch(&format!(
        "DELETE FROM sums_pending; DELETE FROM mams_meta WHERE key = '{CHAINED_KEY}'; \
         DROP TABLE IF EXISTS rebuild_customers; DROP TABLE IF EXISTS rebuild_units;"
    ))
}
