//! Measures against a risk point in org units: an action, the unit that owns it, the month it
//! starts (t0 of its evaluation), a due date and a state, moved along planned -> in progress
//! -> done (or cancelled) with every change appended to its trail, as triage does for
//! suspects. The metric its effect is evaluated on is chosen when it is recorded.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::register::RiskPoint;
use crate::store::Project;
use crate::store::risks::{self as stored, MeasureRow, MeasureTrail};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Planned,
    InProgress,
    Done,
    Cancelled,
}

impl State {
    pub const ALL: [State; 4] = [State::Planned, State::InProgress, State::Done, State::Cancelled];

    pub fn id(self) -> &'static str {
        match self {
            State::Planned => "planned",
            State::InProgress => "in_progress",
            State::Done => "done",
            State::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.id() == s)
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (State::Planned, false) => "Planned",
            (State::Planned, true) => "计划中",
            (State::InProgress, false) => "In progress",
            (State::InProgress, true) => "实施中",
            (State::Done, false) => "Done",
            (State::Done, true) => "已完成",
            (State::Cancelled, false) => "Cancelled",
            (State::Cancelled, true) => "已取消",
        }
    }

    /// Where a measure may go from this state. A done measure can be reopened; a cancelled
    /// one is final.
    pub fn next(self) -> &'static [State] {
        match self {
            State::Planned => &[State::InProgress, State::Cancelled],
            State::InProgress => &[State::Done, State::Cancelled],
            State::Done => &[State::InProgress],
            State::Cancelled => &[],
        }
    }
}

/// The metric a measure's effect is evaluated on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Metric {
    /// Suspects of a rule per 10,000 customers a month.
    Rule(String),
    /// An indicator of the catalogue.
    Indicator(String),
    /// The pass rate of a data quality check.
    Dq(String),
}

impl Metric {
    pub fn parse(s: &str) -> Option<Metric> {
        let (kind, id) = s.split_once(':')?;
        let id = id.trim().to_string();
        if id.is_empty() {
            return None;
        }
        match kind.trim() {
            "rule" => Some(Metric::Rule(id)),
            "indicator" => Some(Metric::Indicator(id)),
            "dq" => Some(Metric::Dq(id)),
            _ => None,
        }
    }

    pub fn id(&self) -> String {
        match self {
            Metric::Rule(id) => format!("rule:{id}"),
            Metric::Indicator(id) => format!("indicator:{id}"),
            Metric::Dq(id) => format!("dq:{id}"),
        }
    }

    /// The metrics a risk point offers: its rules' rates, its checks' pass rates, its
    /// indicators.
    pub fn of_point(p: &RiskPoint) -> Vec<Metric> {
        p.rules
            .iter()
            .map(|r| Metric::Rule(r.clone()))
            .chain(p.dq_checks.iter().map(|c| Metric::Dq(c.clone())))
            .chain(p.indicators.iter().map(|i| Metric::Indicator(i.clone())))
            .collect()
    }
}

/// A new measure as a user describes it.
#[derive(Debug, Clone)]
pub struct NewMeasure {
    pub risk_id: String,
    pub action: String,
    pub owner_unit: String,
    /// Units that take the measure (default: the owner unit).
    pub units: Vec<String>,
    pub start_month: NaiveDate,
    pub due_on: NaiveDate,
    pub metric: Option<Metric>,
    /// Control units chosen by hand; empty: chosen automatically.
    pub controls: Vec<String>,
    pub notes: String,
}

fn unit_exists(project: &Project, unit: &str) -> anyhow::Result<bool> {
    Ok(crate::store::queries::org_tree(project)?
        .iter()
        .any(|u| u.unit_id == unit))
}

/// Checks a new measure and records it with its first trail entry; returns its id.
pub fn add(project: &Project, m: &NewMeasure, actor: &str) -> anyhow::Result<i64> {
    let (points, _) = super::compute::library(project)?;
    let point = points.iter().find(|p| p.id == m.risk_id).ok_or_else(|| {
        crate::said!(
            "there is no risk point {}; `mams risk list` shows them",
            "没有风险点 {}；`mams risk list` 可列出全部风险点",
            m.risk_id
        )
    })?;
    if m.action.trim().is_empty() {
        crate::bail_say!("a measure needs its action", "措施需要填写具体内容");
    }
    let units: Vec<String> = if m.units.is_empty() {
        vec![m.owner_unit.clone()]
    } else {
        m.units.clone()
    };
    for u in std::iter::once(&m.owner_unit).chain(&units).chain(&m.controls) {
        if !unit_exists(project, u)? {
            crate::bail_say!("there is no org unit {}", "没有单位 {}", u);
        }
    }
    if let Some(u) = m.controls.iter().find(|c| units.contains(c)) {
        crate::bail_say!(
            "unit {} cannot both take the measure and be its control",
            "单位 {} 不能既实施措施又作为对照",
            u
        );
    }
    if m.due_on < m.start_month {
        crate::bail_say!(
            "the due date {} is before the start {}",
            "完成期限 {} 早于开始月份 {}",
            m.due_on,
            m.start_month.format("%Y-%m")
        );
    }
    let metric = match &m.metric {
        Some(metric) => metric.clone(),
        None => Metric::of_point(point)
            .into_iter()
            .next()
            .ok_or_else(|| anyhow::anyhow!("risk point {} has no metric", point.id))?,
    };
    check_metric(project, &metric)?;
    let now = chrono::Local::now().naive_local();
    let row = MeasureRow {
        measure_id: 0,
        risk_id: m.risk_id.clone(),
        action: m.action.trim().to_string(),
        owner_unit: m.owner_unit.clone(),
        start_month: m.start_month.with_day(1).unwrap_or(m.start_month),
        due_on: m.due_on,
        state: State::Planned.id().into(),
        notes: Some(m.notes.trim().to_string()).filter(|n| !n.is_empty()),
        metric: metric.id(),
        treated: units,
        controls: m.controls.clone(),
        created_at: now,
        updated_at: now,
    };
    project.transaction(|p| {
        let id = stored::insert_measure(p, &row)?;
        stored::record_measure_change(
            p,
            id,
            &MeasureTrail {
                changed_at: now,
                actor: actor.to_string(),
                from_state: None,
                to_state: State::Planned.id().into(),
                note: row.notes.clone(),
                due_on: Some(row.due_on),
            },
            None,
        )?;
        Ok(id)
    })
}

/// A metric must name a rule, an indicator or a check MAMS has.
pub fn check_metric(project: &Project, metric: &Metric) -> anyhow::Result<()> {
    let ok = match metric {
        Metric::Rule(id) => crate::audit::run::library(project)?.0.iter().any(|r| &r.id == id),
        Metric::Indicator(id) => crate::metrics::indicators::indicator(id).is_some(),
        Metric::Dq(id) => crate::dq::run::library(project)?
            .0
            .iter()
            .any(|c| &c.check.id == id),
    };
    if !ok {
        crate::bail_say!(
            "there is no metric {} (rule:ID, indicator:ID or dq:CHECK_ID)",
            "没有指标 {}（rule:编号、indicator:编号 或 dq:检查编号）",
            metric.id()
        );
    }
    Ok(())
}

/// A change asked for by a user: a new state, a new due date, a note, other controls.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub to: Option<State>,
    pub due_on: Option<NaiveDate>,
    pub note: String,
    pub controls: Option<Vec<String>>,
}

/// Applies a change and appends it to the trail.
pub fn change(project: &Project, id: i64, c: &Change, actor: &str) -> anyhow::Result<MeasureRow> {
    let m = stored::measure(project, id)?
        .ok_or_else(|| crate::said!("there is no measure {}", "没有措施 {}", id))?;
    let from = State::parse(&m.state).unwrap_or(State::Planned);
    let to = c.to.unwrap_or(from);
    if c.to.is_some() && !from.next().contains(&to) {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.id()).collect();
        if allowed.is_empty() {
            crate::bail_say!(
                "measure {}: a {} measure cannot change",
                "措施 {}：{} 的措施不能再变更",
                id,
                from.id()
            );
        }
        crate::bail_say!(
            "measure {}: a {} measure can only become {}",
            "措施 {}：{} 的措施只能变为 {}",
            id,
            from.id(),
            allowed.join(" or ")
        );
    }
    if c.to.is_none() && c.due_on.is_none() && c.note.trim().is_empty() && c.controls.is_none() {
        crate::bail_say!("measure {}: nothing to change", "措施 {}：没有要修改的内容", id);
    }
    if let Some(d) = c.due_on
        && d < m.start_month
    {
        crate::bail_say!(
            "the due date {} is before the start {}",
            "完成期限 {} 早于开始月份 {}",
            d,
            m.start_month.format("%Y-%m")
        );
    }
    if let Some(controls) = &c.controls {
        for u in controls {
            if !unit_exists(project, u)? {
                crate::bail_say!("there is no org unit {}", "没有单位 {}", u);
            }
            if m.treated.contains(u) {
                crate::bail_say!(
                    "unit {} cannot both take the measure and be its control",
                    "单位 {} 不能既实施措施又作为对照",
                    u
                );
            }
        }
    }
    let note = Some(c.note.trim().to_string()).filter(|n| !n.is_empty());
    project.transaction(|p| {
        stored::record_measure_change(
            p,
            id,
            &MeasureTrail {
                changed_at: chrono::Local::now().naive_local(),
                actor: actor.to_string(),
                from_state: Some(from.id().into()),
                to_state: to.id().into(),
                note: note.clone(),
                due_on: c.due_on,
            },
            None,
        )?;
        if let Some(controls) = &c.controls {
            stored::set_measure_units(p, id, "control", controls)?;
        }
        Ok(())
    })?;
    Ok(stored::measure(project, id)?.expect("just changed"))
}

/// A measure still open after its due date.
pub fn is_past_due(m: &MeasureRow, today: NaiveDate) -> bool {
    matches!(State::parse(&m.state), Some(State::Planned | State::InProgress)) && m.due_on < today
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_move_forward_and_metrics_parse() {
        assert_eq!(State::Planned.next(), &[State::InProgress, State::Cancelled]);
        assert!(State::Cancelled.next().is_empty());
        assert!(State::Done.next().contains(&State::InProgress));
        assert_eq!(
            Metric::parse("rule:estimated"),
            Some(Metric::Rule("estimated".into()))
        );
        assert_eq!(
            Metric::parse("dq:bills.kwh_from_reads").unwrap().id(),
            "dq:bills.kwh_from_reads"
        );
        assert_eq!(Metric::parse("rule:"), None);
        assert_eq!(Metric::parse("weather:rain"), None);
        let d = |day| NaiveDate::from_ymd_opt(2025, 3, day).unwrap();
        let m = MeasureRow {
            measure_id: 1,
            risk_id: "metering.estimated_reads".into(),
            action: "x".into(),
            owner_unit: "U".into(),
            start_month: d(1),
            due_on: d(10),
            state: "in_progress".into(),
            notes: None,
            metric: "rule:estimated".into(),
            treated: vec![],
            controls: vec![],
            created_at: d(1).and_hms_opt(0, 0, 0).unwrap(),
            updated_at: d(1).and_hms_opt(0, 0, 0).unwrap(),
        };
        assert!(is_past_due(&m, d(11)));
        assert!(!is_past_due(&m, d(10)));
        assert!(!is_past_due(
            &MeasureRow {
                state: "done".into(),
                ..m
            },
            d(11)
        ));
    }
}
