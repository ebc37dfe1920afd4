//! The improvement effect of a measure: the metric's series in the units that took it and in
//! comparable units that did not, before and after its start, read by an interrupted time
//! series and by difference in differences (`crate::analysis`), with a verdict and, for a
//! rule's rate, the effect in yuan at stake.
//!
//! Controls, unless a user chose them: the members of the project's peer groups that hold a
//! treated unit, or else the treated units' siblings (same parent: the counties of the same
//! city), leaving out every unit with a measure of its own on the same risk point.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::measures::{Metric, State};
use crate::analysis::did::{Did, PanelRow, did};
use crate::analysis::effect::{Direction, Verdict};
use crate::analysis::its::{Its, its};
use crate::metrics::indicators::{Better, indicator};
use crate::store::Project;
use crate::store::risks::{self as stored, MeasureRow};
use crate::text::Text;

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub measure_id: i64,
    pub metric: Metric,
    /// What the metric's numbers are ("suspects per 10,000 customers a month").
    pub unit_label: Text,
    pub better: Direction,
    pub start: NaiveDate,
    pub treated: Vec<String>,
    pub controls: Vec<String>,
    /// True when the controls were chosen automatically.
    pub controls_automatic: bool,
    pub its: Result<Its, Text>,
    pub did: Result<Did, Text>,
    /// The verdict of the difference in differences, else of the time series; None when
    /// neither could be computed.
    pub verdict: Option<Verdict>,
    /// The effect in yuan at stake over the months after the start (a rule's rate only).
    pub money: Option<f64>,
    /// Why an effect has no money figure, or how it was made.
    pub money_note: Text,
}

fn direction(metric: &Metric) -> Direction {
    match metric {
        Metric::Rule(_) => Direction::LowerIsBetter,
        Metric::Dq(_) => Direction::HigherIsBetter,
        Metric::Indicator(id) => match indicator(id).map(|i| i.better) {
            Some(Better::Lower) => Direction::LowerIsBetter,
            _ => Direction::HigherIsBetter,
        },
    }
}

fn unit_label(metric: &Metric) -> Text {
    match metric {
        Metric::Rule(_) => crate::say!("suspects per 10,000 customers a month", "每万户每月疑点数"),
        Metric::Dq(_) => crate::say!("% of rows passing", "通过率 %"),
        Metric::Indicator(id) => indicator(id)
            .map(|i| Text {
                en: i.unit_en.to_string(),
                zh: i.unit_zh.to_string(),
            })
            .unwrap_or_default(),
    }
}

/// The controls of a measure: the user's, or chosen as the module's comment says.
pub fn controls(project: &Project, m: &MeasureRow) -> anyhow::Result<(Vec<String>, bool)> {
    if !m.controls.is_empty() {
        return Ok((m.controls.clone(), false));
    }
    let mut excluded: BTreeSet<String> = m.treated.iter().cloned().collect();
    for other in stored::measures(project, Some(&m.risk_id))? {
        if other.measure_id != m.measure_id && other.state != State::Cancelled.id() {
            excluded.extend(other.treated);
        }
    }
    let groups = crate::store::evaluations::peer_groups(project)?;
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    for (_, members) in groups
        .iter()
        .filter(|(_, members)| members.iter().any(|u| m.treated.contains(u)))
    {
        chosen.extend(members.iter().cloned());
    }
    if chosen.is_empty() {
        let tree = crate::store::queries::org_tree(project)?;
        let parents: BTreeSet<Option<String>> = tree
            .iter()
            .filter(|u| m.treated.contains(&u.unit_id))
            .map(|u| u.parent_id.clone())
            .collect();
        let levels: BTreeSet<&str> = tree
            .iter()
            .filter(|u| m.treated.contains(&u.unit_id))
            .map(|u| u.level.as_str())
            .collect();
        chosen.extend(
            tree.iter()
                .filter(|u| parents.contains(&u.parent_id) && levels.contains(u.level.as_str()))
                .map(|u| u.unit_id.clone()),
        );
    }
    Ok((
        chosen.into_iter().filter(|u| !excluded.contains(u)).collect(),
        true,
    ))
}

/// The metric's value per unit and month.
type Values = BTreeMap<(String, NaiveDate), f64>;
/// For a rule's rate: suspects, yuan at stake and customers per unit and month.
type Counts = HashMap<(String, NaiveDate), (i64, f64, f64)>;

/// The metric's value per unit and month over the project's months, and for a rule the
/// counts behind it (for the money figure).
fn panel(project: &Project, metric: &Metric, units: &[&str]) -> anyhow::Result<(Values, Counts)> {
    let months = crate::store::queries::months(project)?;
    let (Some(from), Some(to)) = (months.first().copied(), months.last().copied()) else {
        return Ok(Default::default());
    };
    let mut values = BTreeMap::new();
    let mut counts = HashMap::new();
    match metric {
        Metric::Rule(rule) => {
            // The last months the rule cannot see yet (a run of estimated reads needs its
            // second cycle) are left out: they would read as a drop to nothing.
            let (rules, _) = crate::audit::run::library(project)?;
            let overrides = crate::store::audit::param_values(project)?;
            let lag = rules
                .iter()
                .find(|r| &r.id == rule)
                .map(|r| r.settle_months(&overrides))
                .unwrap_or(0);
            let to = months
                .len()
                .checked_sub(lag + 1)
                .map(|i| months[i])
                .unwrap_or(from);
            let totals = crate::store::kpi::month_totals_of_units(project, units, from, to)?;
            let found: HashMap<(String, NaiveDate), (i64, f64)> = stored::rule_counts(project, rule, units)?
                .into_iter()
                .map(|(u, m, n, a)| ((u, m), (n, a)))
                .collect();
            for (u, series) in units.iter().zip(totals) {
                for t in series {
                    let Some(m) = t.month else { continue };
                    if t.customers <= 0.0 {
                        continue;
                    }
                    let (n, amount) = found.get(&(u.to_string(), m)).copied().unwrap_or((0, 0.0));
                    values.insert((u.to_string(), m), n as f64 / t.customers * 10_000.0);
                    counts.insert((u.to_string(), m), (n, amount, t.customers));
                }
            }
        }
        Metric::Indicator(id) => {
            let ind = indicator(id).ok_or_else(|| anyhow::anyhow!("there is no indicator {id}"))?;
            let totals = crate::store::kpi::month_totals_of_units(project, units, from, to)?;
            for (u, series) in units.iter().zip(totals) {
                for t in series {
                    if let (Some(m), Some(v)) = (t.month, (ind.value)(&t)) {
                        values.insert((u.to_string(), m), v);
                    }
                }
            }
        }
        Metric::Dq(check) => {
            for (u, m, v) in stored::dq_pass_rates(project, check, units)? {
                values.insert((u, m), v);
            }
        }
    }
    Ok((values, counts))
}

/// Evaluates measure `id`.
pub fn evaluate(project: &Project, id: i64) -> anyhow::Result<Evaluation> {
    let m = stored::measure(project, id)?
        .ok_or_else(|| crate::said!("there is no measure {}", "没有措施 {}", id))?;
    let metric = Metric::parse(&m.metric)
        .ok_or_else(|| anyhow::anyhow!("measure {id} has no valid metric ({})", m.metric))?;
    let (controls, automatic) = controls(project, &m)?;
    evaluate_with(project, &m, metric, controls, automatic)
}

/// Evaluates a measure with the controls given (the page's editable choice).
pub fn evaluate_with(
    project: &Project,
    m: &MeasureRow,
    metric: Metric,
    controls: Vec<String>,
    controls_automatic: bool,
) -> anyhow::Result<Evaluation> {
    let better = direction(&metric);
    let all: Vec<&str> = m.treated.iter().chain(&controls).map(String::as_str).collect();
    let (values, counts) = panel(project, &metric, &all)?;
    let rows: Vec<PanelRow> = values
        .iter()
        .map(|((u, month), v)| PanelRow {
            unit: u.clone(),
            month: *month,
            treated: m.treated.contains(u),
            value: *v,
        })
        .collect();
    let standing = match &metric {
        Metric::Rule(rule) => stored::rule_is_standing(project, rule)?,
        _ => false,
    };
    let no_data = || {
        if standing {
            crate::say!(
                "the metric has no data by month: the rule reports standing states of the archive (no month), so it has no monthly rate; choose another metric",
                "该指标没有逐月数据：该规则报告的是档案的存量状态（无月份），没有月度疑点率；请选择其他评估指标"
            )
        } else {
            crate::say!(
                "the metric has no data in these units",
                "该指标在这些单位没有数据"
            )
        }
    };
    let rows = if standing { Vec::new() } else { rows };
    let its_result = {
        let series = crate::analysis::table_input::treated_series(&rows);
        if series.is_empty() {
            Err(no_data())
        } else {
            its(&series, m.start_month, better)
        }
    };
    let did_result = if rows.is_empty() {
        Err(no_data())
    } else if controls.is_empty() {
        Err(crate::say!(
            "no control units: every comparable unit has a measure on this risk point, or there is none",
            "没有对照单位：可比单位都有针对该风险点的措施，或不存在可比单位"
        ))
    } else {
        did(&rows, m.start_month, better)
    };
    let verdict = match (&did_result, &its_result) {
        (Ok(d), _) => Some(d.verdict),
        (_, Ok(i)) => Some(i.verdict),
        _ => None,
    };
    let (money, money_note) = money(&metric, m, &counts, &did_result, &its_result);
    Ok(Evaluation {
        measure_id: m.measure_id,
        unit_label: unit_label(&metric),
        metric,
        better,
        start: m.start_month,
        treated: m.treated.clone(),
        controls,
        controls_automatic,
        its: its_result,
        did: did_result,
        verdict,
        money,
        money_note,
    })
}

/// Effect in yuan at stake: the effect per 10,000 customers a month, times the treated
/// units' customers at the start / 10,000, times the yuan per suspect before the start,
/// times the months after it.
fn money(
    metric: &Metric,
    m: &MeasureRow,
    counts: &Counts,
    did: &Result<Did, Text>,
    its: &Result<Its, Text>,
) -> (Option<f64>, Text) {
    if !matches!(metric, Metric::Rule(_)) {
        return (
            None,
            crate::say!(
                "no money figure: the metric is not a rule's rate",
                "无金额：该指标不是规则疑点率"
            ),
        );
    }
    let effect = match (did, its) {
        (Ok(d), _) => d.effect.value,
        (_, Ok(i)) => i.effect.value,
        _ => return (None, Text::default()),
    };
    let (mut suspects, mut yuan, mut customers) = (0i64, 0.0, 0.0);
    let mut months_after = BTreeSet::new();
    for ((u, month), (n, amount, c)) in counts {
        if !m.treated.contains(u) {
            continue;
        }
        if *month < m.start_month {
            suspects += n;
            yuan += amount;
        } else {
            months_after.insert(*month);
        }
        if *month == m.start_month {
            customers += c;
        }
    }
    if suspects == 0 {
        return (
            None,
            crate::say!(
                "no money figure: no suspects before the start to price one by",
                "无金额：措施开始前没有疑点可用于估价"
            ),
        );
    }
    let per_suspect = yuan / suspects as f64;
    let months = months_after.len() as f64;
    let value = effect * customers / 10_000.0 * per_suspect * months;
    (
        Some(value),
        crate::say!(
            "{:.2} a month per 10,000 customers x {:.0} customers x ¥{:.0} per suspect x {} months",
            "每万户每月 {:.2} × {:.0} 户 × 每个疑点 ¥{:.0} × {} 个月",
            effect,
            customers,
            per_suspect,
            months
        ),
    )
}
