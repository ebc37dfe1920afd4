//! A run of the checks: every enabled check evaluated, table by table in shared scans, its
//! counts per unit and month and its first failing rows stored in one transaction with the
//! worklist brought up to date and the warnings of the run. After an import, a run redoes
//! only what the import changed (`Scope`), and copies the rest from the run before.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::checks::{self, Check, Kind};
use super::compile::{self, Bound};
use crate::model;
use crate::progress::Progress;
use crate::store::Project;
use crate::store::dq::{self as stored, FailingRow, ResultRow, RunRecord};

/// Failing rows kept per check and run; "all rows" re-runs the check's query.
pub const KEPT_ROWS: usize = 1000;

/// Who started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Import,
    Hand,
    Cli,
}

impl Trigger {
    pub fn id(self) -> &'static str {
        match self {
            Trigger::Import => "import",
            Trigger::Hand => "hand",
            Trigger::Cli => "cli",
        }
    }
}

/// The checks in effect: the built-in ones and the project's, with the project's weights,
/// thresholds and parameter values, without the ones turned off. A project check that no
/// longer parses is reported, not run.
pub fn library(project: &Project) -> anyhow::Result<(Vec<Bound>, Vec<String>)> {
    let settings = stored::settings(project)?;
    let mut all: Vec<Check> = checks::builtin().to_vec();
    let mut problems = Vec::new();
    for (id, meta) in stored::project_checks(project)? {
        match Check::parse(&meta) {
            Ok(c) if all.iter().any(|b| b.id == c.id) => {
                problems.push(format!("project check {id} has the id of a built-in check"))
            }
            Ok(c) => all.push(c),
            Err(e) => problems.push(format!("project check {id}: {e}")),
        }
    }
    // `${sums_current}`: whether the prebuilt sums are built for the data as it is (a check
    // of the sums against the data would otherwise call a lazy rebuild a defect).
    let current = if crate::store::kpi::sums_current(project)? {
        "TRUE"
    } else {
        "FALSE"
    };
    let mut out = Vec::new();
    for mut c in all {
        if let Some(a) = c.applies.as_mut() {
            *a = a.replace("${sums_current}", current);
        }
        let get = |name: &str| settings.get(&(c.id.clone(), name.to_string())).copied();
        if get("enabled") == Some(0.0) {
            continue;
        }
        if let Some(w) = get("weight").filter(|w| *w > 0.0) {
            c.weight = w;
        }
        if let Some(t) = get("threshold").filter(|t| (0.0..=100.0).contains(t)) {
            c.threshold = t;
        }
        let values = c.values_in(&settings);
        out.push(Bound { check: c, values });
    }
    Ok((out, problems))
}

/// Saves a check an auditor wrote, after trying it on the project (it must run).
pub fn save_project_check(project: &Project, json: &str) -> anyhow::Result<Check> {
    let check = Check::parse(json)?;
    if checks::builtin().iter().any(|b| b.id == check.id) {
        crate::bail_say!(
            "check {}: a built-in check has this id; choose another",
            "检查项 {}：已有内置检查项使用这个编号；请换一个",
            check.id
        );
    }
    let bound = Bound {
        values: check.values_in(&BTreeMap::new()),
        check: check.clone(),
    };
    let period = stored::data_period(project)?.unwrap_or_else(this_month);
    let table = check.model_table();
    let sql = if check.kind == Kind::RowCount {
        compile::row_count_sql(table, &bound)
    } else {
        compile::counts_sql(table, std::slice::from_ref(&bound), period, None)
    };
    let probe = format!("SELECT * FROM ({sql}) LIMIT 0");
    stored::probe(project, &probe).map_err(|e| crate::said!("check {}: {e}", "检查项 {}：{e}", check.id))?;
    stored::save_project_check(project, &check.id, json)?;
    Ok(check)
}

fn this_month() -> NaiveDate {
    let today = chrono::Local::now().date_naive();
    today.with_day(1).unwrap_or(today)
}

/// A fingerprint of the checks and values in effect: a run with other values is not
/// continued incrementally.
pub fn settings_fingerprint(checks: &[Bound]) -> String {
    let mut h = Sha256::new();
    for b in checks {
        h.update(serde_json::to_string(&b.check).unwrap_or_default());
        h.update(format!("{:?}", b.values));
    }
    format!("{:x}", h.finalize())[..16].to_string()
}

/// How one check went.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub check_id: String,
    pub table: String,
    pub tested: u64,
    pub failing: u64,
    /// Percent of the tested rows that pass; None when no row was tested.
    pub pass_rate: Option<f64>,
    pub threshold: f64,
    pub below_threshold: bool,
    /// Redone in this run (false: carried over from the run before).
    pub evaluated: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: i64,
    pub scope: String,
    pub seconds: f64,
    pub outcomes: Vec<Outcome>,
    pub problems: Vec<String>,
}

impl RunReport {
    /// Checks below their threshold, and checks that could not run.
    pub fn failing_checks(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.below_threshold || o.error.is_some())
            .count()
    }
}

/// The tables a check reads: its own and those its SQL names.
fn tables_read(check: &Check) -> Vec<&'static str> {
    let own = check.model_table();
    let mut out = vec![own.name];
    if own.unit_link == model::UnitLink::ViaCustomer {
        out.push("customers");
    }
    let texts = [&check.applies, &check.fails, &check.query, &check.join];
    for t in model::TABLES {
        let named = texts.iter().any(|text| {
            text.as_deref().is_some_and(|s| {
                s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|w| w == t.name)
            })
        });
        if named && !out.contains(&t.name) {
            out.push(t.name);
        }
    }
    out
}

/// What a check must redo after imports changed `pending`: None: nothing (carried over);
/// Some(None): everything; Some(Some(m)): its months from m on. A check of a table with
/// months redoes the months the import brought in any table it reads that has months
/// (references are within a month); anything else is redone in full.
fn redo(check: &Check, pending: &BTreeMap<String, Option<NaiveDate>>) -> Option<Option<NaiveDate>> {
    let own = check.model_table();
    let mut out: Option<Option<NaiveDate>> = None;
    for name in tables_read(check) {
        let Some(changed) = pending.get(name) else {
            continue;
        };
        let has_months = model::table(name).is_some_and(|t| t.period_column.is_some());
        let from = match (own.period_column.is_some() && has_months, changed) {
            (true, Some(m)) => Some(*m),
            _ => None,
        };
        out = Some(match (out, from) {
            (None, f) => f,
            (Some(Some(a)), Some(b)) => Some(a.min(b)),
            _ => None,
        });
    }
    out
}

/// Runs every check in effect and stores the run. `incremental`: redo only what imports
/// changed since the last run, when that run used the same checks and values. Cancelling
/// stores nothing.
pub fn run(
    project: &Project,
    trigger: Trigger,
    incremental: bool,
    progress: &Progress,
) -> anyhow::Result<RunReport> {
    let t0 = Instant::now();
    let started_at = chrono::Local::now().naive_local();
    progress.attach_interrupt(project.interrupt_handle());
    let (lib, problems) = library(project)?;
    let period = stored::data_period(project)?.unwrap_or_else(this_month);
    let fingerprint = settings_fingerprint(&lib);
    let last = stored::last_run(project)?;
    let pending = stored::pending(project)?;
    let continued = last
        .as_ref()
        .filter(|l| incremental && l.settings == fingerprint && l.errors.is_none())
        .map(|l| l.run_id);
    // What each check redoes: everything, unless this run continues the last one.
    let plan: Vec<Option<Option<NaiveDate>>> = lib
        .iter()
        .map(|b| match continued {
            // Freshness is against the data's last month, which any import may move; a row
            // count changes with its own table only.
            Some(_) if b.check.kind == Kind::Freshness => Some(None),
            Some(_) if b.check.kind == Kind::RowCount => redo(&b.check, &pending).map(|_| None),
            Some(_) => redo(&b.check, &pending),
            None => Some(None),
        })
        .collect();
    let scope = match continued {
        None => "full".to_string(),
        Some(_) => {
            let mut parts: Vec<String> = pending
                .iter()
                .map(|(t, m)| match m {
                    Some(m) => format!("{t} from {}", m.format("%Y-%m")),
                    None => t.clone(),
                })
                .collect();
            if parts.is_empty() {
                parts.push("nothing changed".into());
            }
            format!("incremental: {}", parts.join(", "))
        }
    };

    // Groups of row checks sharing a scan: same table, same months.
    let mut groups: BTreeMap<(&str, Option<NaiveDate>), Vec<usize>> = BTreeMap::new();
    let mut levels = Vec::new();
    for (i, b) in lib.iter().enumerate() {
        let Some(from) = plan[i] else { continue };
        if b.check.kind == Kind::Freshness {
            // Judged from the stored counts once the run is stored (`freshness`).
        } else if b.check.kind.table_level() {
            levels.push(i);
        } else {
            groups.entry((b.check.table.as_str(), from)).or_default().push(i);
        }
    }
    let steps = (groups.len() + levels.len()).max(1) as f32;
    let mut step = 0.0;
    let mut results: Vec<ResultRow> = Vec::new();
    let mut failing: Vec<FailingRow> = Vec::new();
    let mut errors: BTreeMap<usize, String> = BTreeMap::new();
    for ((table_name, from), members) in &groups {
        progress.check()?;
        progress.set(
            Some(step / steps),
            crate::text::Text {
                en: format!("checking {table_name} ({} checks)", members.len()),
                zh: format!("正在检查 {table_name}（{} 项）", members.len()),
            },
        );
        step += 1.0;
        let table = model::table(table_name).expect("a check's table is in the model");
        let bound: Vec<Bound> = members.iter().map(|i| lib[*i].clone()).collect();
        let t = Instant::now();
        let scanned = scan_group(project, table, &bound, period, *from);
        tracing::debug!(
            table = table_name,
            checks = bound.len(),
            seconds = t.elapsed().as_secs_f64(),
            "checks scanned"
        );
        match scanned {
            Ok((r, f)) => {
                results.extend(r);
                failing.extend(f);
            }
            // One check spoils the shared scan: run them one by one to find it.
            Err(_) => {
                for (i, b) in members.iter().zip(&bound) {
                    progress.check()?;
                    match scan_group(project, table, std::slice::from_ref(b), period, *from) {
                        Ok((r, f)) => {
                            results.extend(r);
                            failing.extend(f);
                        }
                        Err(e) => {
                            errors.insert(*i, format!("{e:#}"));
                        }
                    }
                }
            }
        }
    }
    for i in &levels {
        progress.check()?;
        let b = &lib[*i];
        progress.set(
            Some(step / steps),
            crate::text::Text {
                en: format!("checking {}", b.check.name_en),
                zh: format!("正在检查 {}", b.check.name_zh),
            },
        );
        step += 1.0;
        let sql = compile::row_count_sql(b.check.model_table(), b);
        let t = Instant::now();
        let scanned = stored::scan_level(project, &sql);
        tracing::debug!(check = %b.check.id, seconds = t.elapsed().as_secs_f64(), "table-level check");
        match scanned {
            Ok(rows) => {
                let mut kept = 0;
                for r in rows {
                    if r.failing > 0 && kept < KEPT_ROWS {
                        kept += 1;
                        failing.push(FailingRow {
                            check_id: b.check.id.clone(),
                            unit: r.unit.clone(),
                            month: r.month,
                            key: r.key.clone(),
                            vals: vals_json(compile::table_level_names(b.check.kind), &r.vals),
                        });
                    }
                    results.push(ResultRow {
                        check_id: b.check.id.clone(),
                        unit: r.unit,
                        month: r.month,
                        tested: r.tested,
                        failing: r.failing,
                    });
                }
            }
            Err(e) => {
                errors.insert(*i, format!("{e:#}"));
            }
        }
    }
    progress.check()?;
    progress.set(Some(1.0), crate::say!("storing the results", "正在保存结果"));
    let redone: Vec<(String, Option<NaiveDate>)> = lib
        .iter()
        .zip(&plan)
        .filter_map(|(b, p)| p.map(|from| (b.check.id.clone(), from)))
        .collect();
    let error_text = (!errors.is_empty()).then(|| {
        errors
            .iter()
            .map(|(i, e)| format!("{}: {e}", lib[*i].check.id))
            .collect::<Vec<_>>()
            .join("\n")
    });
    let record = RunRecord {
        run_id: 0,
        started_at,
        finished_at: chrono::Local::now().naive_local(),
        trigger: trigger.id().to_string(),
        scope: scope.clone(),
        checks: lib.len() as u64,
        settings: fingerprint,
        errors: error_text,
    };
    let t = Instant::now();
    let run_id = project.transaction(|p| {
        let run_id = stored::insert_run(p, &record, &results, &failing)?;
        if let Some(prev) = continued {
            stored::carry_over(p, prev, run_id, &redone)?;
        }
        for b in lib.iter().filter(|b| b.check.kind == Kind::Freshness) {
            let (r, f) = freshness(p, run_id, b, &lib, period)?;
            stored::add_results(p, run_id, &r, &f)?;
        }
        stored::clear_pending(p)?;
        super::worklist::follow_run(p, run_id, &lib)?;
        let changed = continued.map(|prev| (prev, pending.clone()));
        super::warnings::raise(p, run_id, &lib, changed.as_ref())?;
        Ok(run_id)
    })?;
    tracing::debug!(
        seconds = t.elapsed().as_secs_f64(),
        "run stored, worklist and warnings"
    );
    let outcomes = outcomes(project, run_id, &lib, &plan, &errors)?;
    Ok(RunReport {
        run_id,
        scope,
        seconds: t0.elapsed().as_secs_f64(),
        outcomes,
        problems,
    })
}

/// A freshness check, from the counts the run stored: each unit's last month with rows of
/// the table (every row check of the table counts its rows month by month), against the
/// data's last month less the lag allowed. Reading the table again per unit cost more than
/// all the rest of a run after an import.
fn freshness(
    project: &Project,
    run_id: i64,
    check: &Bound,
    lib: &[Bound],
    period: NaiveDate,
) -> anyhow::Result<(Vec<ResultRow>, Vec<FailingRow>)> {
    let row_checks: Vec<String> = lib
        .iter()
        .filter(|b| b.check.table == check.check.table && !b.check.kind.table_level())
        .map(|b| b.check.id.clone())
        .collect();
    let lag = check
        .values
        .get("max_lag_months")
        .copied()
        .unwrap_or(0.0)
        .max(0.0) as u32;
    let per_unit = check.values.get("per_unit") != Some(&0.0);
    let due = period
        .checked_sub_months(chrono::Months::new(lag))
        .unwrap_or(period);
    let mut results = Vec::new();
    let mut failing = Vec::new();
    for (unit, last) in stored::last_months(project, run_id, &row_checks, per_unit)? {
        let stale = last < due;
        if stale && failing.len() < KEPT_ROWS {
            failing.push(FailingRow {
                check_id: check.check.id.clone(),
                unit: unit.clone(),
                month: None,
                key: unit.clone().unwrap_or_default(),
                vals: vals_json(&["last_month"], &[Some(last.to_string())]),
            });
        }
        results.push(ResultRow {
            check_id: check.check.id.clone(),
            unit,
            month: None,
            tested: 1,
            failing: stale as u64,
        });
    }
    Ok((results, failing))
}

/// The values shown beside a failing row as a JSON object, by column name.
fn vals_json(names: &[impl AsRef<str>], vals: &[Option<String>]) -> String {
    let mut m = serde_json::Map::new();
    for (n, v) in names.iter().zip(vals) {
        m.insert(
            n.as_ref().to_string(),
            v.clone()
                .map(serde_json::Value::String)
                .unwrap_or(serde_json::Value::Null),
        );
    }
    serde_json::Value::Object(m).to_string()
}

/// The names of the values a row check shows (`Bound::shown_values`).
pub fn shown_names(check: &Check) -> Vec<String> {
    if check.kind.table_level() {
        return compile::table_level_names(check.kind)
            .iter()
            .map(|s| s.to_string())
            .collect();
    }
    let mut names: Vec<String> = check
        .shown_columns()
        .into_iter()
        .map(|c| c.rsplit('.').next().unwrap_or(&c).to_string())
        .collect();
    if check.kind == Kind::Pattern && check.validator.is_some() {
        names.push("reason".to_string());
    }
    names
}

/// Counts and picks the failing rows of a group of checks of one table.
fn scan_group(
    project: &Project,
    table: &model::Table,
    bound: &[Bound],
    period: NaiveDate,
    from: Option<NaiveDate>,
) -> anyhow::Result<(Vec<ResultRow>, Vec<FailingRow>)> {
    let t = Instant::now();
    let sql = compile::counts_sql(table, bound, period, from);
    tracing::trace!(%sql, "counting scan");
    let counts = stored::scan_counts(project, &sql, bound.len())?;
    tracing::debug!(table = table.name, seconds = t.elapsed().as_secs_f64(), "counted");
    let mut results = Vec::new();
    let mut fails = vec![false; bound.len()];
    for row in counts {
        for (i, (tested, failing)) in row.counts.iter().enumerate() {
            if *tested == 0 {
                continue;
            }
            fails[i] |= *failing > 0;
            results.push(ResultRow {
                check_id: bound[i].check.id.clone(),
                unit: row.unit.clone(),
                month: row.month,
                tested: *tested,
                failing: *failing,
            });
        }
    }
    // The first failing rows of the checks that fail, by unit, month and key, capped.
    let failing_checks: Vec<Bound> = bound
        .iter()
        .zip(&fails)
        .filter(|(_, f)| **f)
        .map(|(b, _)| b.clone())
        .collect();
    let mut failing = Vec::new();
    if !failing_checks.is_empty() {
        let t = Instant::now();
        let sql = compile::kept_sql(table, &failing_checks, period, from);
        let picked = stored::scan_kept(project, &sql, failing_checks.len())?;
        tracing::debug!(table = table.name, seconds = t.elapsed().as_secs_f64(), "picked");
        let mut kept: Vec<Vec<FailingRow>> = vec![Vec::new(); failing_checks.len()];
        for row in picked {
            for (i, rows) in row.kept.iter().enumerate() {
                let names = shown_names(&failing_checks[i].check);
                for (key, vals) in rows {
                    kept[i].push(FailingRow {
                        check_id: failing_checks[i].check.id.clone(),
                        unit: row.unit.clone(),
                        month: row.month,
                        key: key.clone(),
                        vals: vals_json(&names, vals),
                    });
                }
            }
        }
        for mut rows in kept {
            rows.sort_by(|a, b| (&a.unit, a.month, &a.key).cmp(&(&b.unit, b.month, &b.key)));
            rows.truncate(KEPT_ROWS);
            failing.extend(rows);
        }
    }
    Ok((results, failing))
}

/// Each check's totals in the stored run.
fn outcomes(
    project: &Project,
    run_id: i64,
    lib: &[Bound],
    plan: &[Option<Option<NaiveDate>>],
    errors: &BTreeMap<usize, String>,
) -> anyhow::Result<Vec<Outcome>> {
    let sums: BTreeMap<String, (u64, u64)> = stored::sums_in(project, None, &[run_id])?
        .into_iter()
        .map(|(_, id, t, f)| (id, (t, f)))
        .collect();
    Ok(lib
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let (tested, failing) = sums.get(&b.check.id).copied().unwrap_or((0, 0));
            let pass_rate = super::scores::pass_rate(tested, failing);
            Outcome {
                check_id: b.check.id.clone(),
                table: b.check.table.clone(),
                tested,
                failing,
                pass_rate,
                threshold: b.check.threshold,
                below_threshold: pass_rate.is_some_and(|r| r < b.check.threshold),
                evaluated: plan[i].is_some(),
                error: errors.get(&i).cloned(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str) -> Check {
        checks::builtin().iter().find(|c| c.id == id).unwrap().clone()
    }

    #[test]
    fn an_import_of_one_month_redoes_only_what_reads_it() {
        let m = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        let pending: BTreeMap<String, Option<NaiveDate>> = [("meter_reads".to_string(), Some(m))].into();
        // A check of the reads: from the month the import brought.
        assert_eq!(
            redo(&check("meter_reads.read_type.codes"), &pending),
            Some(Some(m))
        );
        // The bills read the reads (kWh from the reads): their months from m too.
        assert_eq!(redo(&check("bills.kwh_from_reads"), &pending), Some(Some(m)));
        // A bills check that reads no reads is carried over.
        assert_eq!(redo(&check("bills.amount_parts"), &pending), None);
        // A change of the archive redoes every check reading it in full.
        let archive: BTreeMap<String, Option<NaiveDate>> = [("customers".to_string(), None)].into();
        assert_eq!(redo(&check("bills.customer.reference"), &archive), Some(None));
        assert_eq!(redo(&check("tickets.customer.reference"), &archive), Some(None));
        assert_eq!(redo(&check("outages.cause.codes"), &archive), None);
    }
}
