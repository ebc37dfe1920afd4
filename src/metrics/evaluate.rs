//! An evaluation of org units in a project: the index system to use, the units (those one
//! level below a unit), each indicator's value for the period from the period's sums (and
//! the compliance indicators from the audit), the scores and grades (evaluation::evaluate),
//! a fingerprint of every input, and publishing: a published result is kept as it was, and
//! a later run says whether, and by how much, the data have moved away from it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::indicators::{INDICATORS, indicator};
use super::period::{Period, period_totals};
use crate::evaluation::evaluate::{Evaluation, UnitInput, Value, evaluate};
use crate::evaluation::system::{DEFAULT_JSON, IndexSystem};
use crate::store::Project;
use crate::store::evaluations::{self as stored, Compliance, Published};
use crate::store::kpi::{self, MonthTotals};
use crate::store::queries::{self, OrgUnit};
use crate::text::Text;

/// The ids the index systems may read besides the compliance ones.
pub fn known_indicators() -> Vec<&'static str> {
    INDICATORS.iter().map(|i| i.id).collect()
}

/// Name and unit of an indicator of an index system, leaders' or compliance.
pub fn indicator_label(id: &str, zh: bool) -> (String, String) {
    if let Some(i) = indicator(id) {
        let (name, unit) = if zh { (i.zh, i.unit_zh) } else { (i.en, i.unit_en) };
        return (name.to_string(), unit.to_string());
    }
    let (en, zh_name, unit_en, unit_zh) = match id {
        "confirmed_per_10k" => (
            "Confirmed audit problems per 10,000 customers",
            "万户确认审计问题数",
            "per 10k customers",
            "件/万户",
        ),
        "rectification_on_time" => ("Rectification on time", "问题按期整改率", "%", "%"),
        _ => (id, id, "", ""),
    };
    if zh {
        (zh_name.to_string(), unit_zh.to_string())
    } else {
        (en.to_string(), unit_en.to_string())
    }
}

/// Decimals to print an indicator's value with.
pub fn indicator_decimals(id: &str) -> usize {
    indicator(id).map_or(2, |i| i.decimals)
}

/// The default system (unless the project keeps its own copy of the same name and year)
/// and the project's own, checked; the first is the one used when none is named.
pub fn systems(project: &Project) -> anyhow::Result<Vec<IndexSystem>> {
    let known = known_indicators();
    let default = IndexSystem::parse(DEFAULT_JSON, &known).map_err(anyhow::Error::msg)?;
    let mut own = Vec::new();
    for (name, year, json) in stored::systems(project)? {
        match IndexSystem::parse(&json, &known) {
            Ok(s) => own.push(s),
            Err(e) => tracing::warn!("index system {name} {year} of the project is not usable: {e}"),
        }
    }
    // A project's own copy under the default's name and year replaces it.
    let mut out: Vec<IndexSystem> = Vec::new();
    if !own.iter().any(|s| s.version() == default.version()) {
        out.push(default);
    }
    out.extend(own);
    Ok(out)
}

/// The system called `name` ("service_quality", or "service_quality 2026" for one year;
/// the latest year when no year is given); the default one when None.
pub fn system(project: &Project, name: Option<&str>) -> anyhow::Result<IndexSystem> {
    let all = systems(project)?;
    let Some(name) = name.map(str::trim) else {
        return Ok(all.into_iter().next().expect("there is always a system"));
    };
    let (wanted, year) = match name.rsplit_once(' ') {
        Some((n, y)) if y.parse::<i32>().is_ok() => (n, y.parse::<i32>().ok()),
        _ => (name, None),
    };
    all.iter()
        .filter(|s| s.name == wanted && year.is_none_or(|y| s.year == y))
        .max_by_key(|s| s.year)
        .cloned()
        .ok_or_else(|| {
            let names: Vec<String> = all.iter().map(|s| s.version()).collect();
            crate::said!(
                "no index system '{name}' (there are: {})",
                "没有指标体系“{name}”（现有：{}）",
                names.join(", ")
            )
        })
}

/// One evaluated unit as shown.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnitInfo {
    pub unit_id: String,
    pub name_en: String,
    pub name_zh: String,
    pub level: String,
    /// Customers served at the period's end.
    pub customers: f64,
}

/// An evaluation of the units below `scope` for `period`.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectEvaluation {
    pub system: IndexSystem,
    #[serde(serialize_with = "period_label")]
    pub period: Period,
    pub scope: String,
    /// The scope unit's own value of each indicator (all units below it together).
    pub scope_values: Vec<Option<f64>>,
    /// In the order of `evaluation.units`.
    pub units: Vec<UnitInfo>,
    pub evaluation: Evaluation,
    /// SHA-256 of the system and every input value.
    pub fingerprint: String,
    /// Said of the whole evaluation: values still provisional.
    pub notes: Vec<Text>,
}

impl ProjectEvaluation {
    /// Name and unit of one of the system's indicators: its own for a query's indicator,
    /// else the catalogue's.
    pub fn label(&self, id: &str, zh: bool) -> (String, String) {
        let own = self
            .system
            .indicators()
            .into_iter()
            .find(|(_, i)| i.indicator == id && i.sql.is_some());
        match own {
            Some((_, i)) => {
                let en = i.name_en.clone().unwrap_or_else(|| id.to_string());
                let name = if zh {
                    i.name_zh.clone().filter(|n| !n.is_empty()).unwrap_or(en)
                } else {
                    en
                };
                (name, i.unit.clone().unwrap_or_default())
            }
            None => indicator_label(id, zh),
        }
    }
}

fn period_label<S: serde::Serializer>(p: &Period, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.label())
}

/// The scope to evaluate and its units: the units one level below `unit` (the top unit when
/// None); a unit with none below it is evaluated among its siblings.
pub fn units_to_evaluate(org: &[OrgUnit], unit: Option<&str>) -> anyhow::Result<(String, Vec<OrgUnit>)> {
    let scope = match unit {
        Some(u) => {
            let Some(found) = org.iter().find(|o| o.unit_id == u) else {
                crate::bail_say!("no org unit '{u}' in the project", "项目中没有组织单位“{u}”");
            };
            if org.iter().any(|o| o.parent_id.as_deref() == Some(u)) {
                u.to_string()
            } else {
                found.parent_id.clone().unwrap_or_else(|| u.to_string())
            }
        }
        None => org
            .iter()
            .find(|o| o.parent_id.is_none())
            .map(|o| o.unit_id.clone())
            .ok_or_else(|| crate::said!("the project has no org units", "项目中没有组织单位"))?,
    };
    let units: Vec<OrgUnit> = org
        .iter()
        .filter(|o| o.parent_id.as_deref() == Some(scope.as_str()))
        .cloned()
        .collect();
    if units.is_empty() {
        crate::bail_say!(
            "{scope} has no units below it to evaluate",
            "{scope} 下没有可评价的单位"
        );
    }
    Ok((scope, units))
}

/// Refuses a period the project does not hold every month of, saying what it holds; read
/// from the scope's sums of the period's months (cheaper than listing the project's months): a month none of bills, line loss, tickets and outages covers is
/// missing.
fn check_period_in(project: &Project, period: Period, scope_months: &[MonthTotals]) -> anyhow::Result<()> {
    let missing: Vec<NaiveDate> = period
        .months()
        .into_iter()
        .filter(|m| {
            !scope_months.iter().any(|t| {
                t.month == Some(*m)
                    && (t.kwh.is_some()
                        || t.supplied_kwh.is_some()
                        || t.complaints.is_some()
                        || t.interruptions.is_some())
            })
        })
        .collect();
    refuse_missing(project, period, &missing)
}

fn refuse_missing(project: &Project, period: Period, missing: &[NaiveDate]) -> anyhow::Result<()> {
    if missing.is_empty() {
        return Ok(());
    }
    let months = queries::months(project)?;
    let missing: Vec<String> = missing.iter().map(|m| m.format("%Y-%m").to_string()).collect();
    let span = match (months.first(), months.last()) {
        (Some(a), Some(b)) => format!("{} to {}", a.format("%Y-%m"), b.format("%Y-%m")),
        _ => "no monthly data".to_string(),
    };
    crate::bail_say!(
        "{} cannot be evaluated: the project has no data for {} (it holds {span})",
        "无法评价 {}：项目中没有 {} 的数据（现有 {span}）",
        period.label(),
        missing.join(", ")
    )
}

/// The latest period of `kind` whose every month the project holds, at or before `month`.
pub fn last_complete(
    project: &Project,
    kind: super::period::PeriodKind,
    month: NaiveDate,
) -> anyhow::Result<Option<Period>> {
    Ok(Period::last_complete(kind, month, &queries::months(project)?))
}

/// Runs the evaluation of `system` for `period` over the units below `unit`.
pub fn run(
    project: &Project,
    system: &IndexSystem,
    period: Period,
    unit: Option<&str>,
) -> anyhow::Result<ProjectEvaluation> {
    let mut all = run_scopes(project, system, period, &[unit])?;
    Ok(all.pop().expect("one evaluation per scope"))
}

/// Runs the evaluation of the units below each of `units` (as `run` does for one), reading
/// the org tree, the audit and the sums of every unit once.
pub fn run_scopes(
    project: &Project,
    system: &IndexSystem,
    period: Period,
    units: &[Option<&str>],
) -> anyhow::Result<Vec<ProjectEvaluation>> {
    kpi::with_sums_checked_once(project, || {
        let org = queries::org_tree(project)?;
        let scopes = units
            .iter()
            .map(|u| units_to_evaluate(&org, *u))
            .collect::<anyhow::Result<Vec<_>>>()?;
        // Every unit evaluated and every scope (its own values, beside external peers).
        let mut ids: Vec<&str> = Vec::new();
        for (scope, below) in &scopes {
            ids.push(scope.as_str());
            ids.extend(below.iter().map(|u| u.unit_id.as_str()));
        }
        ids.sort_unstable();
        ids.dedup();
        let totals: HashMap<&str, Vec<MonthTotals>> = ids
            .iter()
            .copied()
            .zip(kpi::month_totals_of_units(
                project,
                &ids,
                period.first_month(),
                period.last_month(),
            )?)
            .collect();
        let today = chrono::Local::now().date_naive();
        // The project's own indicators: each query run once for every unit; a query that
        // does not hold stops the evaluation with what is wrong and where.
        let mut queries = HashMap::new();
        for (d, ind) in system.indicators() {
            if let Some(q) = &ind.sql {
                let sums = stored::query_indicator(project, q, period.first_month(), period.last_month())
                    .map_err(|e| {
                        crate::said!(
                            "dimension {}, indicator {}: {e}",
                            "维度 {}，指标 {}：{e}",
                            system.dimensions[d].id,
                            ind.indicator
                        )
                    })?;
                queries.insert(ind.indicator.clone(), sums);
            }
        }
        let shared = Shared {
            queries,
            compliance: stored::compliance(project, period.first_month(), period.last_month(), today)?,
            coverage: stored::audit_coverage(project, period.first_month(), period.last_month())?,
            reach: kpi::payments_reach(project)?,
            totals,
        };
        scopes
            .iter()
            .map(|(scope, below)| evaluate_scope(project, system, period, &shared, scope.clone(), below))
            .collect()
    })
}

/// What the evaluations of several scopes of one period read once.
struct Shared<'a> {
    /// Per query indicator: every unit's (numerator, denominator).
    queries: HashMap<String, HashMap<String, (f64, f64)>>,
    compliance: HashMap<String, Compliance>,
    coverage: HashMap<String, u32>,
    reach: Option<NaiveDate>,
    totals: HashMap<&'a str, Vec<MonthTotals>>,
}

fn evaluate_scope(
    project: &Project,
    system: &IndexSystem,
    period: Period,
    shared: &Shared,
    scope: String,
    units: &[OrgUnit],
) -> anyhow::Result<ProjectEvaluation> {
    let months_of = |u: &str| shared.totals.get(u).cloned().unwrap_or_default();
    let scope_months = months_of(&scope);
    check_period_in(project, period, &scope_months)?;
    let list = system.indicators();
    let values_of = |unit: &str, t: &MonthTotals| -> (Vec<Value>, Compliance) {
        let c = shared.compliance.get(unit).copied().unwrap_or_default();
        let audited = shared.coverage.get(unit).copied().unwrap_or(0) >= period.len_months();
        let values = list
            .iter()
            .map(|(_, ind)| match shared.queries.get(&ind.indicator) {
                Some(sums) => query_value(sums.get(unit).copied(), ind.scale.unwrap_or(1.0), period),
                None => value_of(&ind.indicator, t, &c, audited, period),
            })
            .collect();
        (values, c)
    };
    let mut inputs = Vec::with_capacity(units.len());
    let mut infos = Vec::with_capacity(units.len());
    for u in units {
        let t = period_totals(&months_of(&u.unit_id));
        let (values, c) = values_of(&u.unit_id, &t);
        inputs.push(UnitInput {
            unit: u.unit_id.clone(),
            values,
            confirmed: c.confirmed,
        });
        infos.push(UnitInfo {
            unit_id: u.unit_id.clone(),
            name_en: u.name_en.clone(),
            name_zh: u.name_zh.clone(),
            level: u.level.clone(),
            customers: t.customers,
        });
    }
    let scope_values = values_of(&scope, &period_totals(&scope_months))
        .0
        .into_iter()
        .map(|v| match v {
            Value::Number(x) => Some(x),
            _ => None,
        })
        .collect();
    let evaluation = evaluate(&system.for_months(period.len_months()), &inputs);
    let fingerprint = fingerprint(project, system, period, &scope, &inputs)?;
    let mut notes = Vec::new();
    if list.iter().any(|(_, i)| i.indicator == "collection_rate")
        && let Some(p) = super::kpi::provisional("collection_rate", period.last_month(), shared.reach)
    {
        notes.push(crate::say!(
            "the collection rate of {} is provisional: it counts payments up to {}, and the payments reach {}",
            "{} 的电费回收率为临时值：它统计截至 {} 的缴费，而缴费数据只到 {}",
            period.label(),
            p.closes_on.pred_opt().unwrap_or(p.closes_on),
            p.data_until.map_or("-".to_string(), |d| d.to_string())
        ));
    }
    Ok(ProjectEvaluation {
        system: system.clone(),
        period,
        scope,
        scope_values,
        units: infos,
        evaluation,
        fingerprint,
        notes,
    })
}

/// The value of a query's indicator from a unit's (numerator, denominator).
fn query_value(sums: Option<(f64, f64)>, scale: f64, period: Period) -> Value {
    match sums {
        None => Value::Missing(crate::say!(
            "the query gives no row of this unit in {}",
            "查询在 {} 没有该单位的数据",
            period.label()
        )),
        Some((_, 0.0)) => Value::NothingToCount,
        Some((n, d)) => Value::Number(n / d * scale),
    }
}

/// The value of indicator `id` from a period's sums and a unit's audit figures.
fn value_of(id: &str, t: &MonthTotals, c: &Compliance, audited: bool, period: Period) -> Value {
    let p = period.label();
    let not_audited = || {
        Value::Missing(crate::say!(
            "no audit run covers every month of {p} (run mams audit over it first)",
            "没有覆盖 {p} 每个月的审计运行（请先对其运行审计）"
        ))
    };
    match id {
        "confirmed_per_10k" => {
            if !audited {
                return not_audited();
            }
            if t.customers <= 0.0 {
                return Value::Missing(crate::say!("no customers", "没有客户"));
            }
            let n: u64 = c.confirmed.iter().sum();
            Value::Number(n as f64 / t.customers * 10_000.0)
        }
        "rectification_on_time" => {
            if !audited {
                return not_audited();
            }
            if c.due == 0 {
                return Value::NothingToCount;
            }
            Value::Number(c.on_time as f64 / c.due as f64 * 100.0)
        }
        _ => {
            let Some(ind) = indicator(id) else {
                return Value::Missing(crate::say!("not an indicator", "不是指标"));
            };
            match (ind.value)(t) {
                Some(v) if v.is_finite() => Value::Number(v),
                _ => why_none(id, t, &p),
            }
        }
    }
}

/// Why a leaders' indicator has no value in a period: no data for some month (missing), or
/// nothing to divide by (nothing to count).
fn why_none(id: &str, t: &MonthTotals, p: &str) -> Value {
    let (part, nothing_en, nothing_zh): (Option<f64>, &str, &str) = match id {
        "collection_rate" | "average_price" => (t.receivable, "nothing billed", "没有应收电费"),
        "line_loss_rate" => (t.supplied_kwh, "no energy supplied", "没有供电量"),
        "connection_days" | "connections_over_limit" => {
            (t.connections, "no connection completed", "没有完成的业扩接电")
        }
        "ticket_timeliness" => (t.tickets_due, "no ticket due", "没有到期工单"),
        "repair_arrival" => (t.repairs_arrived, "no repair arrival", "没有抢修到达记录"),
        "satisfaction" => (t.callbacks, "no callback", "没有回访"),
        "caidi" => (t.interruptions, "no interruption", "没有停电"),
        _ => (Some(t.customers), "no customers", "没有客户"),
    };
    match part {
        None => Value::Missing(crate::say!(
            "no data for every month of {p}",
            "{p} 并非每个月都有数据"
        )),
        Some(0.0) => Value::NothingToCount,
        Some(_) => Value::Missing(crate::say!("{nothing_en} in {p}", "{p} {nothing_zh}")),
    }
}

/// SHA-256 of the system and every input value: equal fingerprints, equal results.
fn fingerprint(
    project: &Project,
    system: &IndexSystem,
    period: Period,
    scope: &str,
    inputs: &[UnitInput],
) -> anyhow::Result<String> {
    // Ten significant digits: sums of doubles come back from DuckDB's parallel aggregation
    // with their last bits in any order, which is not a change of the data.
    let digits = |v: &Value| match v {
        Value::Number(x) => format!("{x:.9e}"),
        Value::NothingToCount => "none".to_string(),
        Value::Missing(why) => format!("missing: {}", why.en),
    };
    let values: Vec<serde_json::Value> = inputs
        .iter()
        .map(|u| {
            serde_json::json!([
                u.unit,
                u.values.iter().map(digits).collect::<Vec<_>>(),
                u.confirmed
            ])
        })
        .collect();
    let text = serde_json::json!({
        "system": system,
        "period": period.label(),
        "scope": scope,
        "inputs": values,
    })
    .to_string();
    Ok(stored::sha256(project, &text)?)
}

/// What a stored result holds of each unit (for the drift check and the history).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct StoredUnit {
    pub unit_id: String,
    pub total: Option<f64>,
    pub grade: Option<String>,
    pub rank: Option<usize>,
    pub dimensions: Vec<Option<f64>>,
    pub values: Vec<Option<f64>>,
    pub scores: Vec<Option<f64>>,
}

/// The units of an evaluation as they are stored when it is published.
pub fn stored_units(ev: &ProjectEvaluation) -> Vec<StoredUnit> {
    ev.evaluation
        .units
        .iter()
        .map(|u| StoredUnit {
            unit_id: u.unit.clone(),
            total: u.total,
            grade: u.grade.clone(),
            rank: u.rank,
            dimensions: u.dimensions.clone(),
            values: u.indicators.iter().map(|i| i.value).collect(),
            scores: u.indicators.iter().map(|i| i.score).collect(),
        })
        .collect()
}

/// Publishes `ev`: stored with its system and fingerprint, never replaced, and raises an
/// improvement item for every reason of every unit (a grade the system names, an indicator
/// below its floor), owned by the unit and due at the end of the next period.
pub fn publish(project: &Project, ev: &ProjectEvaluation, actor: &str) -> anyhow::Result<i64> {
    let units = stored_units(ev);
    // The last day of the next period.
    let due = (ev.period.last_month() + chrono::Months::new(ev.period.len_months() + 1))
        .pred_opt()
        .expect("a day before a month's first");
    let items: Vec<stored::NewItem> = ev
        .evaluation
        .units
        .iter()
        .flat_map(|u| {
            u.improvement
                .iter()
                .map(|why| (u.unit.clone(), why.en.clone(), u.unit.clone(), due))
        })
        .collect();
    stored::publish(
        project,
        &Published {
            evaluation_id: 0,
            system_name: ev.system.name.clone(),
            system_year: ev.system.year,
            system_json: serde_json::to_string(&ev.system)?,
            period: ev.period.label(),
            scope_unit: ev.scope.clone(),
            fingerprint: ev.fingerprint.clone(),
            result_json: serde_json::to_string(&units)?,
            published_at: chrono::Local::now().naive_local(),
            published_by: actor.to_string(),
        },
        &items,
    )
}

/// How a published evaluation stands against the data today.
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    pub evaluation_id: i64,
    pub published_at: String,
    pub published_by: String,
    /// The data and the system are as they were.
    pub matches: bool,
    /// The largest change of a unit's total, in points.
    pub largest_change: f64,
    /// (unit, published grade, grade today) where they differ.
    pub grades_changed: Vec<(String, Option<String>, Option<String>)>,
}

/// The published evaluation of `ev`'s system, period and scope compared with `ev`, if one
/// was published. `ev` must have been run with the published system (see `run_published`).
pub fn standing(project: &Project, ev: &ProjectEvaluation) -> anyhow::Result<Option<Standing>> {
    let Some(p) = stored::published(
        project,
        (&ev.system.name, ev.system.year),
        &ev.period.label(),
        &ev.scope,
    )?
    else {
        return Ok(None);
    };
    let was: Vec<StoredUnit> = serde_json::from_str(&p.result_json)?;
    let now: HashMap<String, StoredUnit> = stored_units(ev)
        .into_iter()
        .map(|u| (u.unit_id.clone(), u))
        .collect();
    let mut largest: f64 = 0.0;
    let mut grades_changed = Vec::new();
    for w in &was {
        let n = now.get(&w.unit_id);
        match (w.total, n.and_then(|n| n.total)) {
            (Some(a), Some(b)) => largest = largest.max((a - b).abs()),
            (None, None) => {}
            _ => largest = f64::INFINITY,
        }
        let grade_now = n.and_then(|n| n.grade.clone());
        if grade_now != w.grade {
            grades_changed.push((w.unit_id.clone(), w.grade.clone(), grade_now));
        }
    }
    let matches = p.fingerprint == ev.fingerprint;
    Ok(Some(Standing {
        evaluation_id: p.evaluation_id,
        published_at: p.published_at.format("%Y-%m-%d %H:%M").to_string(),
        published_by: p.published_by,
        matches,
        // The same inputs give the same totals but for the last bits of a double.
        largest_change: if matches { 0.0 } else { largest },
        grades_changed,
    }))
}

/// Runs the evaluation with the system as it was published for that period and scope
/// (when one was), so that a later edit of the system does not read as a data change.
pub fn run_published_or(
    project: &Project,
    system: &IndexSystem,
    period: Period,
    unit: Option<&str>,
) -> anyhow::Result<ProjectEvaluation> {
    let org = queries::org_tree(project)?;
    let (scope, _) = units_to_evaluate(&org, unit)?;
    if let Some(p) = stored::published(project, (&system.name, system.year), &period.label(), &scope)? {
        let published: IndexSystem = serde_json::from_str(&p.system_json)?;
        return run(project, &published, period, unit);
    }
    run(project, system, period, unit)
}
