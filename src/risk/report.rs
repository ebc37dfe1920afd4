//! What the Risk page, the bulletin board and `mams risk` read: a unit's levels in a month
//! with the units below it, the risks that rose, the measures and reminders; a risk point's
//! history in a unit with its register entry, measures and related cases.

use chrono::NaiveDate;
use serde::Serialize;

use super::compute::{self, Computed};
use super::measures::is_past_due;
use super::register::RiskPoint;
use crate::progress::Progress;
use crate::store::Project;
use crate::store::risks::{self as stored, LevelRow, MeasureRow};

#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub unit: String,
    pub period: NaiveDate,
    /// Every risk point of the register.
    pub points: Vec<RiskPoint>,
    /// The unit's level of each point this month.
    pub levels: Vec<LevelRow>,
    /// The levels of the units one level down (the heat map).
    pub below: Vec<LevelRow>,
    /// Points whose level rose against the month before, in the unit and below it, with the
    /// level of the month before.
    pub risen: Vec<(LevelRow, u8)>,
    pub measures: Vec<MeasureRow>,
    /// Measures open past their due date.
    pub past_due: Vec<i64>,
    /// Set when the levels were recomputed for this answer.
    pub computed: Option<Computed>,
    pub problems: Vec<String>,
}

/// Reads the overview, recomputing the levels first when what they come from changed.
pub fn overview(
    project: &Project,
    unit: &str,
    period: NaiveDate,
    below: &[String],
    progress: &Progress,
) -> anyhow::Result<Overview> {
    let computed = compute::refresh_if_stale(project, progress)?;
    let (points, problems) = compute::library(project)?;
    let levels = stored::levels_of(project, period, &[unit])?;
    let below_ids: Vec<&str> = below.iter().map(String::as_str).collect();
    let below = if below_ids.is_empty() {
        Vec::new()
    } else {
        stored::levels_of(project, period, &below_ids)?
    };
    let mut risen = stored::risen(project, period, unit)?;
    risen.truncate(200);
    let measures = stored::measures(project, None)?;
    let today = chrono::Local::now().date_naive();
    let past_due = measures
        .iter()
        .filter(|m| is_past_due(m, today))
        .map(|m| m.measure_id)
        .collect();
    Ok(Overview {
        unit: unit.to_string(),
        period,
        points,
        levels,
        below,
        risen,
        measures,
        past_due,
        computed,
        problems,
    })
}

/// A case of the library related to a risk point.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedCase {
    pub case_id: String,
    pub title: String,
    pub title_en: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PointDetail {
    pub point: RiskPoint,
    pub unit: String,
    pub history: Vec<LevelRow>,
    pub cases: Vec<RelatedCase>,
}

/// A risk point in a unit: its levels month by month and the cases related to it (by one of
/// its rules, or one of its tags).
pub fn point_detail(project: &Project, risk: &str, unit: &str) -> anyhow::Result<PointDetail> {
    let (points, _) = compute::library(project)?;
    let point = points
        .into_iter()
        .find(|p| p.id == risk)
        .ok_or_else(|| crate::said!("there is no risk point {}", "没有风险点 {}", risk))?;
    let history = stored::history(project, risk, unit)?;
    let cases = crate::store::cases::all(project)?
        .into_iter()
        .filter(|c| {
            c.rule_id.as_ref().is_some_and(|r| point.rules.contains(r))
                || c.tags.iter().any(|t| point.case_tags.contains(t))
        })
        .map(|c| RelatedCase {
            case_id: c.case_id,
            title: c.title,
            title_en: c.title_en,
        })
        .collect();
    Ok(PointDetail {
        point,
        unit: unit.to_string(),
        history,
        cases,
    })
}

/// The top risks of a unit in a month for the bulletin board: the points at the highest
/// levels (high and extreme), highest first, at most `n`.
pub fn top_risks(
    project: &Project,
    unit: &str,
    period: NaiveDate,
    n: usize,
) -> anyhow::Result<Vec<(RiskPoint, LevelRow)>> {
    let (points, _) = compute::library(project)?;
    let mut levels = stored::levels_of(project, period, &[unit])?;
    levels.retain(|l| l.level >= 3);
    levels.sort_by(|a, b| {
        (b.level, b.likelihood, b.impact)
            .cmp(&(a.level, a.likelihood, a.impact))
            .then(b.amount.total_cmp(&a.amount))
    });
    Ok(levels
        .into_iter()
        .filter_map(|l| Some((points.iter().find(|p| p.id == l.risk_id)?.clone(), l)))
        .take(n)
        .collect())
}
