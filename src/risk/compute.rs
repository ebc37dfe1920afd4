//! Computing the levels of every risk point in every org unit and month, after an audit run
//! or an import (or a triage step: confirmed problems count), and keeping their changes.

use std::collections::HashMap;
use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;

use super::levels::{Signal, assess_series, thresholds};
use super::register::{self, RiskPoint};
use crate::progress::Progress;
use crate::store::Project;
use crate::store::risks::{self as stored, LevelRow};

/// The register in effect: the built-in points and the project's own (a project point that
/// no longer parses or refers to a rule or check that is gone is reported, not used).
pub fn library(project: &Project) -> anyhow::Result<(Vec<RiskPoint>, Vec<String>)> {
    let (rules, _) = crate::audit::run::library(project)?;
    let rule_ids: Vec<String> = rules.into_iter().map(|r| r.id).collect();
    let (checks, _) = crate::dq::run::library(project)?;
    let check_ids: Vec<String> = checks.into_iter().map(|c| c.check.id).collect();
    let mut points = register::builtin().to_vec();
    let mut problems = Vec::new();
    for (id, meta) in stored::project_points(project)? {
        match register::parse_point(&meta).and_then(|p| p.validate(&rule_ids, &check_ids).map(|()| p)) {
            Ok(p) if points.iter().any(|b| b.id == p.id) => {
                problems.push(format!("project risk point {id} has the id of a built-in point"))
            }
            Ok(p) => points.push(p),
            Err(e) => problems.push(e),
        }
    }
    Ok((points, problems))
}

/// Checks a risk point a user wrote and keeps it in the project.
pub fn save_project_point(project: &Project, json: &str) -> anyhow::Result<RiskPoint> {
    let p = register::parse_point(json).map_err(|e| anyhow::anyhow!(e))?;
    if register::builtin().iter().any(|b| b.id == p.id) {
        crate::bail_say!(
            "risk point {}: a built-in point has this id; choose another",
            "风险点 {}：已有内置风险点使用这个编号；请换一个",
            p.id
        );
    }
    let (rules, _) = crate::audit::run::library(project)?;
    let rule_ids: Vec<String> = rules.into_iter().map(|r| r.id).collect();
    let (checks, _) = crate::dq::run::library(project)?;
    let check_ids: Vec<String> = checks.into_iter().map(|c| c.check.id).collect();
    p.validate(&rule_ids, &check_ids)
        .map_err(|e| anyhow::anyhow!(e))?;
    stored::save_project_point(project, &p.id, json.trim())?;
    Ok(p)
}

/// What a computation did.
#[derive(Debug, Clone, Serialize)]
pub struct Computed {
    pub points: usize,
    pub units: usize,
    pub months: usize,
    pub rows: usize,
    /// Levels that differ from the ones stored before.
    pub changed: usize,
    pub seconds: f64,
}

/// Recomputes every level. Nothing is written when the project has no data.
pub fn refresh(project: &Project, progress: &Progress) -> anyhow::Result<Option<Computed>> {
    let started = Instant::now();
    let months: Vec<NaiveDate> = crate::store::queries::months(project)?;
    let (Some(&from), Some(&to)) = (months.first(), months.last()) else {
        return Ok(None);
    };
    progress.set(None, crate::say!("assessing the risk points", "正在评估风险点"));
    let fingerprint = stored::inputs_fingerprint(project)?;
    let (points, problems) = library(project)?;
    let (rules, _) = crate::audit::run::library(project)?;
    let overrides = crate::store::audit::param_values(project)?;
    // Months at the end a point's rules cannot see yet.
    let settle: HashMap<&str, usize> = points
        .iter()
        .map(|p| {
            let lag = rules
                .iter()
                .filter(|r| p.rules.contains(&r.id))
                .map(|r| r.settle_months(&overrides))
                .max()
                .unwrap_or(0);
            (p.id.as_str(), lag)
        })
        .collect();
    for p in &problems {
        tracing::warn!("risk register: {p}");
    }
    let links: Vec<(String, &str, String)> = points
        .iter()
        .flat_map(|p| {
            p.rules
                .iter()
                .map(|r| (p.id.clone(), "rule", r.clone()))
                .chain(p.dq_checks.iter().map(|c| (p.id.clone(), "dq", c.clone())))
        })
        .collect();
    let units = crate::store::queries::org_tree(project)?;
    let unit_ids: Vec<&str> = units.iter().map(|u| u.unit_id.as_str()).collect();
    progress.check()?;
    let customers = crate::store::kpi::month_totals_of_units(project, &unit_ids, from, to)?;
    let customers: Vec<Vec<f64>> = customers
        .iter()
        .map(|series| {
            let by_month: HashMap<NaiveDate, f64> = series
                .iter()
                .filter_map(|t| Some((t.month?, t.customers)))
                .collect();
            months
                .iter()
                .map(|m| by_month.get(m).copied().unwrap_or(0.0))
                .collect()
        })
        .collect();
    let signals = project.transaction(|p| {
        stored::replace_links(p, &links)?;
        Ok(stored::signals(p, from, to)?)
    })?;
    progress.check()?;
    let t = thresholds();
    let mut rows = Vec::with_capacity(points.len() * units.len() * months.len());
    let none = Signal::default();
    for p in &points {
        for (u, unit) in unit_ids.iter().enumerate() {
            let mut series: Vec<Signal> = months
                .iter()
                .map(|m| {
                    *signals
                        .get(&(p.id.clone(), unit.to_string(), *m))
                        .unwrap_or(&none)
                })
                .collect();
            let lag = settle
                .get(p.id.as_str())
                .copied()
                .unwrap_or(0)
                .min(months.len().saturating_sub(1));
            let settled = months.len() - lag;
            for i in settled..months.len() {
                let last = series[settled - 1];
                series[i] = Signal {
                    dq_tested: series[i].dq_tested,
                    dq_failing: series[i].dq_failing,
                    ..last
                };
            }
            let assessed = assess_series(&series, &customers[u], p.severity, t);
            for (i, ((m, s), a)) in months.iter().zip(&series).zip(assessed).enumerate() {
                rows.push(LevelRow {
                    risk_id: p.id.clone(),
                    unit_id: unit.to_string(),
                    period: *m,
                    customers: customers[u][i],
                    suspects: s.suspects,
                    confirmed: s.confirmed,
                    amount: s.amount,
                    affected: s.affected,
                    dq_tested: s.dq_tested,
                    dq_failing: s.dq_failing,
                    rate: a.rate,
                    trend: a.trend,
                    likelihood: a.likelihood,
                    impact: a.impact,
                    level: a.level,
                    provisional: i >= settled,
                });
            }
        }
    }
    progress.check()?;
    let at = chrono::Local::now().naive_local();
    let changed = project.transaction(|p| {
        let changed = stored::save_levels(p, &rows, at)?;
        stored::set_fingerprint(p, &fingerprint)?;
        Ok(changed)
    })?;
    Ok(Some(Computed {
        points: points.len(),
        units: units.len(),
        months: months.len(),
        rows: rows.len(),
        changed,
        seconds: started.elapsed().as_secs_f64(),
    }))
}

/// Recomputes only when the audit, the data quality, the triage or the customers changed
/// since the levels were computed (or there are none yet).
pub fn refresh_if_stale(project: &Project, progress: &Progress) -> anyhow::Result<Option<Computed>> {
    if project.is_read_only() {
        return Ok(None);
    }
    let now = stored::inputs_fingerprint(project)?;
    if stored::stored_fingerprint(project)?.as_deref() == Some(now.as_str()) {
        return Ok(None);
    }
    refresh(project, progress)
}

/// Recomputes the levels after an audit run, an import or a data quality run, as the levels
/// follow them; a failure is logged and returned as a sentence (what triggered it stands).
pub fn after_change(project: &Project, progress: &Progress) -> Result<Option<Computed>, String> {
    refresh_if_stale(project, progress).map_err(|e| {
        tracing::warn!("risk levels not recomputed: {e:#}");
        format!("risk levels not recomputed: {e:#}")
    })
}
