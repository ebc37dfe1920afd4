//! `mams audit`: run the rules over months and a unit, keep and print the suspects.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use chrono::NaiveDate;

use super::print::{month, print_csv, print_json, print_table};
use super::{SqlFormat, parse_month, terminal_progress};
use crate::metrics::format::group_digits;
use crate::store::{Project, queries};

/// Arguments of `mams audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Project file (.duckdb).
    pub project: PathBuf,
    /// First month audited, YYYY-MM.
    #[arg(long, value_parser = parse_month, required_unless_present_any = ["list", "import"])]
    pub period: Option<NaiveDate>,
    /// Last month audited, YYYY-MM (default: the first).
    #[arg(long, value_parser = parse_month)]
    pub to: Option<NaiveDate>,
    /// Rules to run, comma-separated ids (default: all).
    #[arg(long, value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Run the rules of one category: archive, metering, billing, collection, expansion, service.
    #[arg(long)]
    pub category: Option<String>,
    /// Org unit whose subtree is audited (default: the top unit).
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long, value_enum, default_value_t = SqlFormat::Table)]
    pub format: SqlFormat,
    /// Print at most this many suspects in the table format (0: all).
    #[arg(long, default_value_t = 100)]
    pub max_rows: usize,
    /// List the rules (id, category, severity, name, parameters in effect) and stop.
    #[arg(long)]
    pub list: bool,
    /// Personal data in the evidence in full (masked by default); recorded in the project's
    /// access log.
    #[arg(long)]
    pub unmasked: bool,
    /// Import the suspects the Spark runner wrote into DIR (installer/spark/run_rules.py)
    /// into the project's closed loop, as one audit run (docs/province-scale.md).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["period", "list"])]
    pub import: Option<PathBuf>,
}

pub fn audit(a: AuditArgs) -> anyhow::Result<()> {
    use crate::audit::{explain, rules::Category, run};
    use crate::store::audit as stored;
    use duckdb::types::Value;
    if let Some(dir) = &a.import {
        let p = Project::open(&a.project)?;
        let done = crate::lake::suspects::import(&p, dir)?;
        let c = done.counts;
        println!(
            "Run {}: {} suspects found on {} over {}..{}, {} new, {} no longer found{}.",
            c.run_id,
            c.found,
            done.ran.engine,
            done.ran.from,
            done.ran.to,
            c.new,
            c.gone,
            if done.outside > 0 {
                format!("; {} of units outside this project left out", done.outside)
            } else {
                String::new()
            }
        );
        for r in done.ran.rules.iter().filter(|r| r.error.is_some()) {
            println!(
                "  {} did not run on {}: {}",
                r.rule_id,
                done.ran.engine,
                r.error.as_deref().unwrap_or("")
            );
        }
        return Ok(());
    }
    // Writable to keep the suspects; read-only (nothing kept) when the app has it open.
    let (p, writable) = match Project::open(&a.project) {
        Ok(p) => (p, true),
        Err(e @ crate::store::ProjectError::Locked { .. }) => {
            eprintln!("note: {e}; the audit runs but its suspects are not kept");
            (Project::open_read_only(&a.project)?, false)
        }
        Err(e) => return Err(e.into()),
    };
    let (rules, problems) = run::library(&p)?;
    for problem in &problems {
        eprintln!("warning: {problem}");
    }
    let overrides = stored::param_values(&p)?;
    let mut out = std::io::stdout().lock();
    if a.list {
        let rows = rules
            .iter()
            .map(|r| {
                let params = run::params_in_effect(r, &overrides)
                    .into_iter()
                    .map(|(n, v, own)| format!("{n}={v}{}", if own { "*" } else { "" }))
                    .collect::<Vec<_>>()
                    .join(" ");
                vec![
                    Value::Text(r.id.clone()),
                    Value::Text(r.category.id().into()),
                    Value::Int(r.severity as i32),
                    Value::Text(r.name_en.clone()),
                    Value::Text(r.name_zh.clone()),
                    Value::Text(params),
                    Value::Text(engines(r)),
                ]
            })
            .collect();
        let result = queries::QueryResult {
            columns: [
                "rule",
                "category",
                "severity",
                "name",
                "名称",
                "parameters (* set in this project)",
                "engines",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        };
        return match a.format {
            SqlFormat::Table => print_table(&mut out, &result, 0),
            SqlFormat::Csv => print_csv(&mut out, &result),
            SqlFormat::Json => print_json(&mut out, &result),
        };
    }
    let from = a.period.expect("clap requires --period without --list");
    let to = a.to.unwrap_or(from);
    let unit = crate::metrics::kpi::check_scope(&p, from, a.unit.as_deref())?;
    let mut ids = a.rules.clone();
    if let Some(c) = &a.category {
        let cat = Category::parse(c).ok_or_else(|| {
            anyhow::anyhow!(
                "no category '{c}': use one of {}",
                Category::ALL.map(|c| c.id()).join(", ")
            )
        })?;
        ids.extend(rules.iter().filter(|r| r.category == cat).map(|r| r.id.clone()));
    }
    let spec = run::RunSpec::new(from, to, &unit, ids);
    let report = run::run(&p, &rules, &spec, writable, &terminal_progress())?;
    if writable && report.saved.is_some() {
        match crate::risk::compute::after_change(&p, &terminal_progress()) {
            Ok(Some(c)) => eprintln!(
                "risk levels recomputed: {} changed, {:.1} s",
                c.changed, c.seconds
            ),
            Ok(None) => {}
            Err(e) => eprintln!("{e}"),
        }
    }
    let mut failed = 0;
    for o in &report.outcomes {
        match &o.error {
            None => eprintln!(
                "{:<24} {:>7} suspects  {:>7.2} s",
                o.rule_id,
                group_digits(o.suspects as u64),
                o.seconds
            ),
            Some(e) => {
                failed += 1;
                eprintln!("{:<24} failed: {e}", o.rule_id);
            }
        }
    }
    if let Some(s) = report.saved {
        eprintln!(
            "run {}: {} suspects, {} new, {} no longer found",
            s.run_id,
            group_digits(s.found),
            group_digits(s.new),
            group_digits(s.gone)
        );
    }
    // What this run found, with the triage state when the suspects were kept.
    let rows: Vec<stored::SuspectRow> = match report.saved {
        Some(s) => {
            let filter = stored::SuspectFilter {
                run_id: Some(s.run_id),
                ..Default::default()
            };
            stored::suspects(&p, &filter)?.0
        }
        None => {
            let mut found: Vec<stored::SuspectRow> = report
                .found
                .iter()
                .map(|f| stored::SuspectRow {
                    key: f.key(),
                    rule_id: f.rule_id.clone(),
                    entity_type: f.entity_type.clone(),
                    entity_id: f.entity_id.clone(),
                    period: f.period,
                    unit_id: Some(f.unit_id.clone()),
                    amount: f.amount,
                    confidence: f.confidence,
                    severity: f.severity,
                    score: f.score,
                    evidence_json: f.evidence.clone(),
                    status: "new".into(),
                    assignee_unit: None,
                    due_on: None,
                    recovered: None,
                    fp_reason: None,
                    still_found: true,
                    last_run_id: 0,
                })
                .collect();
            found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
            found
        }
    };
    // Personal values in the evidence leave masked, or in full after a recorded choice.
    let disclosure = crate::privacy::Disclosure::unmasked(a.unmasked);
    let mut rows = rows;
    let mut personal = std::collections::BTreeSet::new();
    for s in &mut rows {
        let (text, found) = explain::masked_evidence_json(&s.evidence_json, disclosure);
        s.evidence_json = text;
        personal.extend(found);
    }
    if a.unmasked && !personal.is_empty() {
        if !writable {
            bail!(
                "--unmasked must be recorded in the project's access log, and the app holds the project: close it there first"
            );
        }
        crate::store::access_log::record(
            &p,
            &crate::store::access_log::Entry::now(
                "cli audit",
                "suspects",
                &personal.into_iter().collect::<Vec<_>>(),
                rows.len() as u64,
            ),
        )?;
    }
    let sentence = |s: &stored::SuspectRow| {
        rules
            .iter()
            .find(|r| r.id == s.rule_id)
            .map(|r| explain::sentence(r, s, false))
            .unwrap_or_default()
    };
    if a.format == SqlFormat::Json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|s| {
                let evidence: serde_json::Map<String, serde_json::Value> =
                    explain::evidence_from_json(&s.evidence_json)
                        .into_iter()
                        .collect();
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["evidence"] = serde_json::Value::Object(evidence);
                v["explanation"] = serde_json::Value::String(sentence(s));
                v
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&items)?)?;
    } else {
        let table = queries::QueryResult {
            columns: [
                "score",
                "rule",
                "entity",
                "period",
                "unit",
                "amount",
                "status",
                "explanation",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .map(|s| {
                    vec![
                        Value::Text(format!("{:.2}", s.score)),
                        Value::Text(s.rule_id.clone()),
                        Value::Text(format!("{} {}", s.entity_type, s.entity_id)),
                        Value::Text(month(s.period)),
                        Value::Text(s.unit_id.clone().unwrap_or_default()),
                        Value::Text(crate::metrics::format::number(s.amount, 2)),
                        Value::Text(s.status.clone()),
                        Value::Text(sentence(s)),
                    ]
                })
                .collect(),
        };
        match a.format {
            SqlFormat::Csv => print_csv(&mut out, &table)?,
            _ => print_table(&mut out, &table, a.max_rows)?,
        }
    }
    if failed > 0 {
        bail!("{failed} of {} rules failed (see above)", report.outcomes.len());
    }
    Ok(())
}

/// Where a rule runs: on DuckDB and Spark, or on DuckDB only and why
/// (docs/province-scale.md).
fn engines(r: &crate::audit::rules::Rule) -> String {
    match r.not_portable.first() {
        None => "DuckDB, Spark".into(),
        Some(f) => format!("DuckDB only: {} (line {})", f.construct, f.line),
    }
}
