//! Jobs of the Evaluation and Benchmarking pages: an evaluation of the units below a unit
//! for a period (with how a published one stands), its history over earlier periods, the
//! benchmark of the same units, publishing, and the improvement items.

use super::{Msg, finish, open_project_in};
use crate::metrics::benchmark::{self, GroupBenchmark};
use crate::metrics::evaluate::{self, ProjectEvaluation, Standing};
use crate::metrics::period::Period;
use crate::progress::Progress;
use crate::store::evaluations::{self as stored, Item, PeerFigure};
use crate::worker::WorkerState;

/// What is evaluated: the units below `unit`, for `period`, under the system `system`
/// (name and year; None: the default).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EvalKey {
    pub unit_id: String,
    pub period: Period,
    pub system: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EvaluationData {
    pub ev: ProjectEvaluation,
    pub standing: Option<Standing>,
    /// The versions of the systems there are (name year), the one used by default first.
    pub systems: Vec<String>,
    /// Those the project keeps (editable, removable).
    pub own_systems: Vec<String>,
    pub items: Vec<Item>,
}

/// A unit's totals and grades over earlier periods: (period, published, per unit id
/// (total, grade)).
pub type History = Vec<(Period, bool, Vec<(String, Option<f64>, Option<String>)>)>;

#[derive(Debug, Clone)]
pub struct BenchmarkData {
    pub ev: ProjectEvaluation,
    /// The group shown (`None` key: the default bands) and its benchmark.
    pub groups: Vec<GroupBenchmark>,
    /// The project's own peer groups by name.
    pub own_groups: Vec<(String, Vec<String>)>,
    pub external: Vec<PeerFigure>,
}

fn system_of(
    p: &crate::store::Project,
    key: &EvalKey,
) -> anyhow::Result<crate::evaluation::system::IndexSystem> {
    evaluate::system(p, key.system.as_deref())
}

pub fn evaluation(key: EvalKey) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            let system = system_of(p, &key)?;
            let ev = evaluate::run_published_or(p, &system, key.period, Some(&key.unit_id))?;
            let standing = evaluate::standing(p, &ev)?;
            let systems = evaluate::systems(p)?.iter().map(|s| s.version()).collect();
            let own_systems = stored::systems(p)?
                .into_iter()
                .map(|(n, y, _)| format!("{n} {y}"))
                .collect();
            let items = stored::items(p, Some(&ev.scope))?;
            Ok(EvaluationData {
                ev,
                standing,
                systems,
                own_systems,
                items,
            })
        })();
        finish(r, |r| Msg::Evaluation(key, Box::new(r)))
    }
}

/// The evaluation of the same units for the `count` periods before `key`'s (oldest first);
/// a period the project does not hold is left out.
pub fn evaluation_history(
    key: EvalKey,
    count: usize,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            let system = system_of(p, &key)?;
            let mut out: History = Vec::new();
            let mut period = key.period;
            for _ in 0..=count {
                progress.check()?;
                if let Ok(ev) = evaluate::run_published_or(p, &system, period, Some(&key.unit_id)) {
                    let published = evaluate::standing(p, &ev)?.is_some();
                    let units = ev
                        .evaluation
                        .units
                        .iter()
                        .map(|u| (u.unit.clone(), u.total, u.grade.clone()))
                        .collect();
                    out.push((period, published, units));
                }
                period = period.previous();
            }
            out.reverse();
            Ok(out)
        })();
        finish(r, |r| Msg::EvaluationHistory(key, r))
    }
}

/// Publishes the evaluation of `key` (as it is now); answers with the id.
pub fn publish_evaluation(key: EvalKey) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let system = system_of(p, &key)?;
            let ev = evaluate::run(p, &system, key.period, Some(&key.unit_id))?;
            evaluate::publish(p, &ev, &crate::account::name())
        })();
        finish(r, Msg::EvaluationPublished)
    }
}

/// Changes an improvement item's state, measures and note.
pub fn update_item(
    item_id: i64,
    state_to: String,
    measures: String,
    note: String,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            stored::update_item(
                p,
                item_id,
                &state_to,
                text(&measures).as_deref(),
                text(&note).as_deref(),
            )
        })();
        finish(r, Msg::ItemSaved)
    }
}

/// The benchmark of the units below `key.unit_id`: in the project's group `group`, or in
/// the default bands of customer count.
pub fn benchmark(
    key: EvalKey,
    group: Option<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            let system = system_of(p, &key)?;
            let ev = evaluate::run(p, &system, key.period, Some(&key.unit_id))?;
            let own_groups = stored::peer_groups(p)?;
            let groups = match own_groups.iter().find(|(n, _)| Some(n) == group.as_ref()) {
                Some((name, units)) => vec![benchmark::own_group(&ev, name, units)],
                None => benchmark::default_groups(&ev),
            };
            let groups = groups.iter().map(|g| benchmark::benchmark(&ev, g)).collect();
            let external = stored::peer_figures(p, &key.period.label())?;
            Ok(BenchmarkData {
                ev,
                groups,
                own_groups,
                external,
            })
        })();
        finish(r, |r| Msg::Benchmark((key, group), Box::new(r)))
    }
}

/// Saves a peer group of the project (an empty list removes it).
pub fn save_peer_group(
    name: String,
    units: Vec<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            if name.trim().is_empty() {
                crate::bail_say!("a peer group needs a name", "对标组需要名称");
            }
            stored::set_peer_group(p, name.trim(), &units)?;
            Ok(name.trim().to_string())
        })();
        finish(r, Msg::PeerGroupSaved)
    }
}

/// Imports external peer figures from a CSV or Excel file.
pub fn import_peers(path: std::path::PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            crate::import::peer_figures::import(p, &path)
        })();
        finish(r, Msg::PeersImported)
    }
}

/// DEA efficiency of the units of one level within the scope (`metrics::efficiency`).
pub fn dea(
    key: EvalKey,
    spec: crate::metrics::efficiency::DeaSpec,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            crate::metrics::efficiency::analyse(p, key.period, &key.unit_id, &spec)
        })();
        finish(r, |r| Msg::Dea((key, spec), Box::new(r)))
    }
}

/// Keeps an index system in the project (checked again here); answers with its version.
pub fn save_system(
    system: crate::evaluation::system::IndexSystem,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let json = serde_json::to_string_pretty(&system)?;
            let checked = crate::evaluation::system::IndexSystem::parse(&json, &evaluate::known_indicators())
                .map_err(|e| crate::said!("the index system is not saved: {e}", "指标体系未保存：{e}"))?;
            if checked.name.trim().is_empty() {
                crate::bail_say!("an index system needs a name", "指标体系需要名称");
            }
            // A query's indicator is checked against the project as a project rule is.
            for (d, ind) in checked.indicators() {
                if let Some(q) = &ind.sql {
                    stored::check_query_indicator(p, q).map_err(|e| {
                        crate::said!(
                            "dimension {}, indicator {}: {e}",
                            "维度 {}，指标 {}：{e}",
                            checked.dimensions[d].id,
                            ind.indicator
                        )
                    })?;
                }
            }
            stored::save_system(p, &checked.name, checked.year, &json)?;
            Ok(checked.version())
        })();
        finish(r, Msg::SystemSaved)
    }
}

/// Removes one of the project's own index systems (published evaluations keep theirs).
pub fn delete_system(name: String, year: i32) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            stored::delete_system(p, &name, year)?;
            Ok(String::new())
        })();
        finish(r, Msg::SystemSaved)
    }
}

/// The Malmquist index of the same units from the same period a year earlier.
pub fn malmquist(
    key: EvalKey,
    spec: crate::metrics::efficiency::DeaSpec,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            crate::metrics::efficiency::malmquist(
                p,
                key.period.year_before(),
                key.period,
                &key.unit_id,
                &spec,
            )
        })();
        finish(r, |r| Msg::Malmquist((key, spec), Box::new(r)))
    }
}
