//! Running rules: each rule's query for a range of months and an org unit, its rows checked
//! and turned into suspects, all of them stored in one transaction at the end.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use duckdb::types::Value;
use serde::Serialize;

use super::rules::{Origin, REQUIRED_COLUMNS, Rule};
use crate::progress::Progress;
use crate::store::Project;
use crate::store::audit::{self, Found, RuleQueryError, RunRecord, SaveCounts};
use crate::store::queries::{QueryResult, value_to_json, value_to_string};

/// A project rule is stopped after this long; the built-in ones are trusted to finish.
pub const PROJECT_RULE_TIMEOUT: Duration = Duration::from_secs(120);

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Org unit whose subtree is audited.
    pub unit: String,
    /// Rule ids; empty means every rule.
    pub rules: Vec<String>,
    /// A project rule running longer is stopped (and reported); built-in rules are not.
    pub project_rule_timeout: Duration,
}

impl RunSpec {
    pub fn new(from: NaiveDate, to: NaiveDate, unit: &str, rules: Vec<String>) -> Self {
        RunSpec {
            from,
            to,
            unit: unit.to_string(),
            rules,
            project_rule_timeout: PROJECT_RULE_TIMEOUT,
        }
    }
}

/// How one rule went.
#[derive(Debug, Clone, Serialize)]
pub struct RuleOutcome {
    pub rule_id: String,
    pub suspects: usize,
    pub seconds: f64,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RunReport {
    pub outcomes: Vec<RuleOutcome>,
    pub found: Vec<Found>,
    pub saved: Option<SaveCounts>,
}

/// The built-in rules and the project's own. A project rule that no longer parses is
/// reported, not run; one with a built-in rule's id is refused.
pub fn library(project: &Project) -> anyhow::Result<(Vec<Rule>, Vec<String>)> {
    let mut rules = super::rules::builtin().to_vec();
    let mut problems = Vec::new();
    for (id, meta, query) in audit::project_rules(project)? {
        match Rule::parse(&format!("project rule {id}"), &meta, &query) {
            Ok(mut r) if !rules.iter().any(|b| b.id == r.id) => {
                r.origin = Origin::Project;
                rules.push(r);
            }
            Ok(r) => problems.push(format!("project rule {} has the id of a built-in rule", r.id)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    Ok((rules, problems))
}

/// Checks a rule an auditor wrote and keeps it in the project: the metadata must be valid,
/// the id not a built-in one, and the query a single SELECT that returns the required
/// columns (tried on the project without running it in full).
pub fn save_project_rule(project: &Project, meta_json: &str, query: &str) -> anyhow::Result<Rule> {
    let mut rule = Rule::parse("the new rule", meta_json, query)?;
    if super::rules::builtin().iter().any(|b| b.id == rule.id) {
        crate::bail_say!(
            "rule {}: a built-in rule has this id; choose another",
            "规则 {}：已有内置规则使用这个编号；请换一个",
            rule.id
        );
    }
    let month = chrono::Local::now().date_naive().with_day(1).unwrap_or_default();
    let (others, _) = library(project)?;
    let sql = rule.bind(&rule.values_in(&others, &BTreeMap::new()), month, month)?;
    let columns = audit::rule_columns(project, &sql)
        .map_err(|e| crate::said!("rule {}: {e}", "规则 {}：{e}", rule.id))?;
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .filter(|c| !columns.iter().any(|have| have == c))
        .collect();
    if !missing.is_empty() {
        crate::bail_say!(
            "rule {}: the query must return the columns {}; it lacks {}",
            "规则 {}：查询必须返回列 {}；缺少 {}",
            rule.id,
            REQUIRED_COLUMNS.join(", "),
            missing.join(", ")
        );
    }
    audit::save_project_rule(project, &rule.id, meta_json, query)?;
    rule.origin = Origin::Project;
    Ok(rule)
}

/// Score used to sort suspects: severity x confidence x log10(10 + amount at stake), so
/// that money counts but a large sum does not bury everything else.
pub fn score(severity: u8, confidence: f64, amount: f64) -> f64 {
    severity as f64 * confidence * (10.0 + amount.max(0.0)).log10()
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        other => Some(value_to_string(other)).filter(|s| !s.is_empty()),
    }
}

fn number(v: &Value) -> Option<f64> {
    match value_to_json(v) {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .filter(|x| x.is_finite())
}

fn month(v: &Value) -> Result<Option<NaiveDate>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Date32(_) | Value::Timestamp(..) => {
            let s = value_to_string(v);
            NaiveDate::parse_from_str(&s[..10.min(s.len())], "%Y-%m-%d")
                .map(|d| Some(d.with_day0(0).unwrap_or(d)))
                .map_err(|_| format!("period {s} is not a date"))
        }
        other => Err(format!(
            "column period must be a DATE (or NULL), not {}",
            value_to_string(other)
        )),
    }
}

/// Turns the rows of a rule's query into suspects. A row without an entity id is an error
/// of the rule, reported with the row number.
pub fn suspects_from(rule: &Rule, result: &QueryResult) -> Result<Vec<Found>, String> {
    let missing: Vec<&str> = REQUIRED_COLUMNS
        .iter()
        .copied()
        .filter(|c| !result.columns.iter().any(|have| have == c))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the query must return the columns {}; it lacks {}",
            REQUIRED_COLUMNS.join(", "),
            missing.join(", ")
        ));
    }
    let col = |name: &str| {
        result
            .columns
            .iter()
            .position(|c| c == name)
            .expect("checked above")
    };
    let (et, ei, un, pe, am, co) = (
        col("entity_type"),
        col("entity_id"),
        col("unit_id"),
        col("period"),
        col("amount"),
        col("confidence"),
    );
    let mut out = Vec::with_capacity(result.rows.len());
    for (n, row) in result.rows.iter().enumerate() {
        let at = |what: String| format!("row {}: {what}", n + 1);
        let entity_id = text(&row[ei]).ok_or_else(|| at("entity_id is empty".into()))?;
        let entity_type = text(&row[et]).unwrap_or_else(|| rule.entity.clone());
        let period = month(&row[pe]).map_err(at)?;
        let amount = number(&row[am]).unwrap_or(0.0).max(0.0);
        let confidence = number(&row[co]).unwrap_or(0.5).clamp(0.0, 1.0);
        let evidence: Vec<serde_json::Value> = result
            .columns
            .iter()
            .enumerate()
            .filter(|(i, _)| ![et, ei, un, pe, co].contains(i))
            .map(|(i, name)| serde_json::json!([name, value_to_json(&row[i])]))
            .collect();
        out.push(Found {
            rule_id: rule.id.clone(),
            entity_type,
            entity_id,
            period,
            unit_id: text(&row[un]).unwrap_or_default(),
            amount,
            confidence,
            severity: rule.severity as i32,
            score: score(rule.severity, confidence, amount),
            evidence: serde_json::Value::Array(evidence).to_string(),
        });
    }
    Ok(out)
}

/// Runs the rules of `spec` (all when it names none) and, when `save`, stores what they
/// found. A rule that fails is reported in its outcome and does not stop the others;
/// cancelling stops the run and stores nothing.
pub fn run(
    project: &Project,
    rules: &[Rule],
    spec: &RunSpec,
    save: bool,
    progress: &Progress,
) -> anyhow::Result<RunReport> {
    let started_at = chrono::Local::now().naive_local();
    let chosen: Vec<&Rule> = if spec.rules.is_empty() {
        rules.iter().collect()
    } else {
        let mut chosen = Vec::new();
        for id in &spec.rules {
            let r = rules.iter().find(|r| &r.id == id).ok_or_else(|| {
                crate::said!(
                    "there is no rule {id}; `mams audit --list` shows them",
                    "没有规则 {id}；`mams audit --list` 可列出全部规则"
                )
            })?;
            chosen.push(r);
        }
        chosen
    };
    if spec.from > spec.to {
        crate::bail_say!(
            "the first month {} is after the last {}",
            "起始月份 {} 晚于结束月份 {}",
            spec.from.format("%Y-%m"),
            spec.to.format("%Y-%m")
        );
    }
    progress.attach_interrupt(project.interrupt_handle());
    let overrides = audit::param_values(project)?;
    let mut outcomes = Vec::new();
    let mut found = Vec::new();
    let mut record = RunRecord {
        started_at,
        from: spec.from,
        to: spec.to,
        unit_id: spec.unit.clone(),
        rules_ok: Vec::new(),
        errors: Vec::new(),
    };
    for (i, rule) in chosen.iter().enumerate() {
        progress.check()?;
        progress.set(
            Some(i as f32 / chosen.len() as f32),
            crate::text::Text {
                en: format!("rule {} of {}: {}", i + 1, chosen.len(), rule.name_en),
                zh: format!("规则 {} / {}：{}", i + 1, chosen.len(), rule.name_zh),
            },
        );
        let t = Instant::now();
        let timeout = (rule.origin == Origin::Project).then_some(spec.project_rule_timeout);
        let result = missing_tables(project, rule)
            .and_then(|()| {
                rule.bind(&rule.values_in(rules, &overrides), spec.from, spec.to)
                    .map_err(|e| e.to_string())
            })
            .and_then(|sql| {
                let author = match rule.origin {
                    Origin::Builtin => audit::Author::Mams,
                    Origin::Project => audit::Author::User,
                };
                audit::rule_rows(
                    project,
                    &sql,
                    author,
                    spec.from,
                    spec.to,
                    &spec.unit,
                    timeout,
                    &|| progress.is_cancelled(),
                )
                .map_err(|e| match e {
                    RuleQueryError::Cancelled => "cancelled".to_string(),
                    other => other.to_string(),
                })
            })
            .and_then(|rows| suspects_from(rule, &rows));
        progress.check()?;
        let seconds = t.elapsed().as_secs_f64();
        match result {
            Ok(s) => {
                tracing::debug!(rule = %rule.id, suspects = s.len(), seconds, "rule ran");
                outcomes.push(RuleOutcome {
                    rule_id: rule.id.clone(),
                    suspects: s.len(),
                    seconds,
                    error: None,
                });
                record.rules_ok.push(rule.id.clone());
                found.extend(s);
            }
            Err(e) => {
                record.errors.push(format!("{}: {e}", rule.id));
                outcomes.push(RuleOutcome {
                    rule_id: rule.id.clone(),
                    suspects: 0,
                    seconds,
                    error: Some(e),
                });
            }
        }
    }
    progress.check()?;
    let saved = if save {
        progress.set(Some(1.0), crate::say!("storing the suspects", "正在保存疑点"));
        Some(audit::save_run(project, &record, &found)?)
    } else {
        None
    };
    Ok(RunReport {
        outcomes,
        found,
        saved,
    })
}

/// Why a rule cannot run: a table it requires is empty (checked against the data model, so
/// only its own table names reach the SQL).
fn missing_tables(project: &Project, rule: &Rule) -> Result<(), String> {
    for name in &rule.requires {
        let table =
            crate::model::table(name).ok_or_else(|| format!("{name} is not a table of the data model"))?;
        if !audit::has_rows(project, table.name).map_err(|e| e.to_string())? {
            return Err(format!(
                "the {} (table {}) is empty: import it first (docs/data-model.md)",
                table.label_en.to_lowercase(),
                table.name
            ));
        }
    }
    Ok(())
}

/// Parameters in effect for a rule, for display: (param, value, is the project's own).
pub fn params_in_effect(
    rule: &Rule,
    overrides: &BTreeMap<(String, String), f64>,
) -> Vec<(String, f64, bool)> {
    let values = rule.values(overrides);
    rule.params
        .iter()
        .map(|p| {
            let own = overrides.contains_key(&(rule.id.clone(), p.name.clone()));
            (p.name.clone(), values[&p.name], own)
        })
        .collect()
}
