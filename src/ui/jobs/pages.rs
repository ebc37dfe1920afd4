//! Jobs that read the numbers of a page about the top bar's scope.

use chrono::NaiveDate;

use super::{LeaderData, Msg, Scope, WhyKey, finish, open_project_in};
use crate::progress::Progress;
use crate::store::Project;
use crate::worker::WorkerState;

/// The common start of a page's job: the open project, Cancel wired to its queries (building
/// the sums after an import takes a while on a big project; one transaction, so nothing is
/// half-written), the scope's month, and the prebuilt sums checked once for the whole page.
pub(super) fn page_read<T>(
    state: &WorkerState,
    progress: &Progress,
    scope: &Scope,
    read: impl FnOnce(&Project, NaiveDate) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let p = open_project_in(state)?;
    progress.attach_interrupt(p.interrupt_handle());
    let month = scope
        .month
        .ok_or_else(|| crate::said!("the project has no months yet", "项目中还没有任何月份的数据"))?;
    crate::store::kpi::with_sums_checked_once(p, || read(p, month))
}

pub fn leader_data(
    scope: Scope,
    units_below: Vec<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    use crate::metrics::kpi;
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, period| {
            let (cards, slices) = kpi::cards_and_slices(p, period, &scope.unit_id, &units_below)?;
            Ok(LeaderData { cards, slices })
        });
        finish(r, |r| Msg::Leaders(scope, r))
    }
}

/// Explains the change of an indicator over the units one level down, with the audit rules
/// whose open suspects sit in the three units contributing most.
pub fn why(key: WhyKey, children: Vec<String>) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            let (indicator, unit, base, month) = (key.0, key.1.clone(), key.2, key.3);
            crate::store::kpi::with_sums_checked_once(p, || {
                crate::audit::why::report(p, indicator, &unit, &children, base, month)
            })
        })();
        finish(r, |r| Msg::Why(key, r))
    }
}

/// Ranks the units below a scope on the composite of their indicators and lists the targets
/// they miss this month.
pub fn bulletin(scope: Scope, units: Vec<String>) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, month| {
            let board = crate::metrics::bulletin::report(p, &scope.unit_id, month, &units)?;
            // Levels follow imports and triage: recomputed first when they are stale.
            let _ = crate::risk::compute::after_change(p, progress);
            let risks = crate::risk::report::top_risks(p, &scope.unit_id, month, 6)?;
            let today = chrono::Local::now().date_naive();
            let measures_past_due = crate::store::risks::measures(p, None)?
                .iter()
                .filter(|m| crate::risk::measures::is_past_due(m, today))
                .count();
            Ok(super::BulletinData {
                board,
                risks,
                measures_past_due,
            })
        });
        finish(r, |r| Msg::Bulletin(scope, r))
    }
}

/// The service-quality report of the scope (`metrics::service::report`).
pub fn service(scope: Scope, units: Vec<String>) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, month| {
            crate::metrics::service::report(p, &scope.unit_id, month, &units, progress)
        });
        finish(r, |r| Msg::Service(scope, r))
    }
}

/// Sets a unit's own target of an indicator, or with None removes it (the unit then takes
/// the target of the nearest unit above it, or the indicator's default).
pub fn set_target(
    indicator: &'static str,
    unit: String,
    target: Option<f64>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            if let Some(t) = target
                && !t.is_finite()
            {
                crate::bail_say!("a target must be a number", "目标值必须是数字");
            }
            crate::store::kpi::set_target(p, indicator, &unit, target)?;
            Ok(())
        })();
        finish(r, Msg::TargetSaved)
    }
}

/// Key customers, the connection funnel and handling times, overdue applications, and the
/// month's customers and sales by class, voltage and industry.
pub fn market(scope: Scope) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, month| {
            crate::metrics::market::report(p, &scope.unit_id, month, progress)
        });
        finish(r, |r| Msg::Market(scope, r))
    }
}

/// A query typed in the SQL console (`store::queries::run_console`).
pub fn console(query: String, max_rows: usize) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state).and_then(|p| crate::store::queries::run_console(p, &query, max_rows));
        finish(r, |r| Msg::Console(query, r))
    }
}

pub fn rows_page(q: crate::store::rows::RowsQuery) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            crate::store::rows::page(p, &q)
        })();
        finish(r, |r| Msg::Rows(q, r))
    }
}
