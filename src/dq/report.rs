//! What the Data quality page shows of a unit (its subtree), read from the stored runs:
//! the score and grade of the last run, tables by dimension, the units below, the trend over
//! runs, the checks that cost the most points, the open warnings and the worklist's states.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::checks::Dimension;
use super::compile::Bound;
use super::scores::{self, By, Score};
use crate::store::Project;
use crate::store::dq::{self as stored, Item, RunRecord, Warning};

/// Runs the trend shows.
pub const TREND_RUNS: usize = 12;

#[derive(Debug, Clone)]
pub struct Overview {
    pub unit: Option<String>,
    pub last_run: Option<RunRecord>,
    /// The data's last month (what `${period}` of a check stands for).
    pub period: Option<chrono::NaiveDate>,
    pub lib: Vec<Bound>,
    /// Each check's (tested, failing) in the last run, within the unit.
    pub sums: BTreeMap<String, (u64, u64)>,
    pub overall: Score,
    /// Scores by (table, dimension).
    pub heat: BTreeMap<(String, Dimension), Score>,
    pub tables: BTreeMap<String, Score>,
    pub dimensions: BTreeMap<String, Score>,
    /// The units one level down, worst first.
    pub units: Vec<(String, Score)>,
    /// The unit's score after each of the last `TREND_RUNS` runs.
    pub trend: Vec<(i64, NaiveDateTime, Option<f64>)>,
    /// Points each check costs the score, most first.
    pub pareto: Vec<(String, f64)>,
    pub warnings: Vec<Warning>,
    pub items: Vec<Item>,
}

fn sums_map(rows: Vec<(i64, String, u64, u64)>) -> BTreeMap<i64, BTreeMap<String, (u64, u64)>> {
    let mut out: BTreeMap<i64, BTreeMap<String, (u64, u64)>> = BTreeMap::new();
    for (run, check, t, f) in rows {
        out.entry(run).or_default().insert(check, (t, f));
    }
    out
}

/// The overview of `unit` (None: the whole project) and the units below it.
pub fn overview(project: &Project, unit: Option<&str>, units_below: &[String]) -> anyhow::Result<Overview> {
    let (lib, _) = super::run::library(project)?;
    let runs = stored::runs(project)?;
    let last_run = runs.last().cloned();
    // The trend covers the last runs shown; reading every run ever kept would slow the page
    // down run after run.
    let recent: Vec<i64> = runs.iter().rev().take(TREND_RUNS).map(|r| r.run_id).collect();
    let per_run = sums_map(stored::sums_in(project, unit, &recent)?);
    let sums = last_run
        .as_ref()
        .and_then(|r| per_run.get(&r.run_id).cloned())
        .unwrap_or_default();
    let mut heat = BTreeMap::new();
    for d in Dimension::ALL {
        let of_dim: Vec<Bound> = lib.iter().filter(|b| b.check.dimension == d).cloned().collect();
        for (table, s) in scores::group(&of_dim, &sums, By::Table) {
            if s.score.is_some() {
                heat.insert((table, d), s);
            }
        }
    }
    let mut units = Vec::new();
    if let (Some(run), Some(parent)) = (&last_run, unit) {
        let mut by_child: BTreeMap<String, BTreeMap<String, (u64, u64)>> = BTreeMap::new();
        for (child, check, t, f) in stored::sums_by_child(project, parent, run.run_id)? {
            by_child.entry(child).or_default().insert(check, (t, f));
        }
        for u in units_below {
            let s = by_child
                .get(u)
                .map(|m| scores::overall(&lib, m))
                .unwrap_or_default();
            units.push((u.clone(), s));
        }
        units.sort_by(|a, b| {
            a.1.score
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.1.score.unwrap_or(f64::INFINITY))
                .then(a.0.cmp(&b.0))
        });
    }
    let trend = runs
        .iter()
        .filter(|r| per_run.contains_key(&r.run_id) || recent.contains(&r.run_id))
        .map(|r| {
            let s = per_run
                .get(&r.run_id)
                .map(|m| scores::overall(&lib, m).score)
                .unwrap_or(None);
            (r.run_id, r.finished_at, s)
        })
        .collect();
    Ok(Overview {
        unit: unit.map(str::to_string),
        overall: scores::overall(&lib, &sums),
        tables: scores::group(&lib, &sums, By::Table),
        dimensions: scores::group(&lib, &sums, By::Dimension),
        pareto: scores::points_lost(&lib, &sums),
        warnings: stored::open_warnings(project)?,
        items: stored::items(project, unit)?,
        heat,
        units,
        trend,
        sums,
        last_run,
        period: stored::data_period(project)?,
        lib,
    })
}

/// A kept failing row: unit, month, key, the problem in words (English, Chinese).
pub type KeptRow = (Option<String>, Option<chrono::NaiveDate>, String, String, String);

/// One check in a unit: its counts by unit and month, and the rows it keeps.
#[derive(Debug, Clone)]
pub struct CheckDetail {
    pub check_id: String,
    pub by_unit: Vec<(Option<String>, u64, u64)>,
    pub rows: Vec<KeptRow>,
}

pub fn check_detail(project: &Project, check_id: &str, unit: Option<&str>) -> anyhow::Result<CheckDetail> {
    let (lib, _) = super::run::library(project)?;
    let Some(b) = lib.iter().find(|b| b.check.id == check_id) else {
        crate::bail_say!("there is no check {check_id}", "没有检查项 {check_id}");
    };
    let Some(run) = stored::last_run(project)? else {
        crate::bail_say!("no run yet", "尚未评估");
    };
    let by_unit = stored::check_by_unit(project, run.run_id, check_id, unit)?;
    let rows = stored::failing_rows(project, run.run_id, Some(check_id), unit)?
        .into_iter()
        .map(|f| {
            let mut vals: serde_json::Value = serde_json::from_str(&f.vals).unwrap_or_default();
            if let Some(obj) = vals.as_object_mut() {
                for (k, v) in obj.iter_mut() {
                    if let (Some(kind), Some(s)) =
                        (crate::privacy::model_column(&b.check.table, k), v.as_str())
                    {
                        *v = serde_json::Value::String(crate::privacy::mask(s, kind));
                    }
                }
            }
            let en = super::worklist::problem(&b.check, &b.values, &vals, false);
            let zh = super::worklist::problem(&b.check, &b.values, &vals, true);
            (f.unit, f.month, f.key, en, zh)
        })
        .collect();
    Ok(CheckDetail {
        check_id: check_id.to_string(),
        by_unit,
        rows,
    })
}
