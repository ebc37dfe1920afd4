//! Jobs of the Risk page: a unit's overview in a month (levels recomputed first when the
//! audit, the data quality or the triage changed), a risk point's detail, measures added and
//! moved along, and a measure's evaluation (with controls a user chose, or automatic).

use chrono::NaiveDate;

use super::{Msg, finish, open_project_in};
use crate::progress::Progress;
use crate::risk::evaluate::{self, Evaluation};
use crate::risk::measures::{self, Change, Metric, NewMeasure};
use crate::risk::report;
use crate::worker::WorkerState;

/// The key of the page's overview: unit and month.
pub type RiskKey = (String, NaiveDate);

pub fn risk_overview(
    unit: String,
    period: NaiveDate,
    below: Vec<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            report::overview(p, &unit, period, &below, progress)
        })();
        finish(r, |r| Msg::Risk((unit, period), Box::new(r)))
    }
}

pub fn risk_point(risk: String, unit: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| report::point_detail(open_project_in(state)?, &risk, &unit))();
        finish(r, |r| Msg::RiskPoint((risk, unit), Box::new(r)))
    }
}

pub fn risk_add_measure(m: NewMeasure) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| measures::add(open_project_in(state)?, &m, &crate::account::name()))();
        finish(r, Msg::RiskMeasureSaved)
    }
}

pub fn risk_change_measure(
    id: i64,
    change: Change,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            measures::change(open_project_in(state)?, id, &change, &crate::account::name())
                .map(|m| m.measure_id)
        })();
        finish(r, Msg::RiskMeasureSaved)
    }
}

/// Checks a risk point of the project's own (JSON) and keeps it: its id, or why not.
pub fn risk_save_point(json: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| crate::risk::compute::save_project_point(open_project_in(state)?, &json).map(|p| p.id))();
        finish(r, Msg::RiskPointSaved)
    }
}

/// A measure's evaluation and trail; `controls`: the page's own choice (None: the stored
/// or automatic ones).
pub fn risk_evaluate(
    id: i64,
    controls: Option<Vec<String>>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let e = match &controls {
                None => evaluate::evaluate(p, id)?,
                Some(c) => {
                    let m = crate::store::risks::measure(p, id)?
                        .ok_or_else(|| crate::said!("there is no measure {}", "没有措施 {}", id))?;
                    let metric = Metric::parse(&m.metric)
                        .ok_or_else(|| anyhow::anyhow!("measure {id} has no valid metric"))?;
                    evaluate::evaluate_with(p, &m, metric, c.clone(), false)?
                }
            };
            Ok((e, crate::store::risks::measure_trail(p, id)?))
        })();
        finish(r, |r| Msg::RiskEvaluated(id, Box::new(r)))
    }
}

/// What the page shows of an evaluated measure.
pub type EvaluatedMeasure = (Evaluation, Vec<crate::store::risks::MeasureTrail>);
