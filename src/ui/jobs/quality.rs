//! Jobs of the Data quality page: its overview of a unit, a check's detail, a column's
//! profile, a run of the checks (by hand, or after an import or on opening a project whose
//! data changed since the last run), a worklist item moved, the worklist written as XLSX, a
//! warning acknowledged.

use std::path::PathBuf;

use super::{Msg, finish, open_project_in};
use crate::dq::report;
use crate::dq::run::{self, Trigger};
use crate::dq::worklist::{self, Change};
use crate::progress::Progress;
use crate::worker::WorkerState;

/// What a run did, for the status bar.
#[derive(Debug, Clone)]
pub struct QualityRun {
    pub run_id: i64,
    pub scope: String,
    pub below: usize,
    pub checks: usize,
    pub seconds: f64,
}

pub fn quality_overview(
    unit: Option<String>,
    below: Vec<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            report::overview(p, unit.as_deref(), &below)
        })();
        finish(r, |r| Msg::Quality(unit, Box::new(r)))
    }
}

pub fn quality_check(
    check: String,
    unit: Option<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| report::check_detail(open_project_in(state)?, &check, unit.as_deref()))();
        finish(r, |r| Msg::QualityCheck(check, r))
    }
}

pub fn quality_profile(
    table: String,
    column: String,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            crate::dq::profile::profile(p, &table, &column)
        })();
        finish(r, |r| Msg::QualityProfile((table, column), Box::new(r)))
    }
}

/// Runs the checks. `only_if_changed`: only when imports changed data since the last run,
/// or when there is none yet (what follows an import or opening a project); then the run
/// redoes what changed.
pub fn quality_run(only_if_changed: bool) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            if only_if_changed {
                let never = crate::store::dq::last_run(p)?.is_none();
                let has_data = crate::store::dq::data_period(p)?.is_some();
                let pending = !crate::store::dq::pending(p)?.is_empty();
                if p.is_read_only() || !has_data || !(never || pending) {
                    return Ok(None);
                }
            }
            let trigger = if only_if_changed {
                Trigger::Import
            } else {
                Trigger::Hand
            };
            let r = run::run(p, trigger, only_if_changed, progress)?;
            let _ = crate::risk::compute::after_change(p, progress);
            Ok(Some(QualityRun {
                run_id: r.run_id,
                scope: r.scope.clone(),
                below: r.failing_checks(),
                checks: r.outcomes.len(),
                seconds: r.seconds,
            }))
        })();
        finish(r, Msg::QualityRan)
    }
}

pub fn quality_item(key: String, change: Change) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            worklist::change(p, &key, &change, &crate::account::name()).map(|i| i.item_key)
        })();
        finish(r, Msg::QualityChanged)
    }
}

/// Tries a check an auditor wrote on the project and keeps it (its id), or says why not.
pub fn quality_add_check(json: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| Ok(run::save_project_check(open_project_in(state)?, &json)?.id))();
        finish(r, Msg::QualityCheckSaved)
    }
}

pub fn quality_trail(key: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| Ok(crate::store::dq::trail(open_project_in(state)?, &key)?))();
        finish(r, |r| Msg::QualityTrail(key, r))
    }
}

pub fn quality_acknowledge(key: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            crate::store::dq::acknowledge(p, &key, &crate::account::name(), None)?;
            Ok(key)
        })();
        finish(r, Msg::QualityChanged)
    }
}

pub fn quality_worklist(
    unit: Option<String>,
    path: PathBuf,
    zh: bool,
    disclosure: crate::privacy::Disclosure,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let n = worklist::write_xlsx(p, unit.as_deref(), &path, zh, disclosure)?;
            Ok(format!("{n} → {}", path.display()))
        })();
        finish(r, Msg::Written)
    }
}
