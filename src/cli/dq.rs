//! `mams dq`: data quality from the command line: run the checks (exit status 1 when a
//! check is below its threshold, for scheduled scripts), scores by dimension, table, column
//! or check, a column's profile, the worklist (printed, moved along, or written as XLSX for
//! the source system), the warnings, and the checks with the values in effect.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

use super::InfoFormat;
use crate::dq::{profile, run, scores, worklist};
use crate::store::Project;
use crate::store::dq as stored;

#[derive(Debug, Subcommand)]
pub enum DqCommand {
    /// Run every check and store the run; exit status 1 when a check is below its threshold
    /// or could not run.
    Run {
        project: PathBuf,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
        /// Redo only what imports changed since the last run.
        #[arg(long)]
        incremental: bool,
    },
    /// Scores of the last run, 0-100, with their grades.
    Scores {
        project: PathBuf,
        /// Org unit (its subtree); default: the whole project.
        #[arg(long)]
        unit: Option<String>,
        /// dimension, table, column, check or stage.
        #[arg(long, default_value = "dimension")]
        by: String,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Profile a column (or every column of a table): nulls, distinct values, least and
    /// greatest, commonest values, a histogram, the shapes of text values.
    Profile {
        project: PathBuf,
        table: String,
        column: Option<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// The worklist: printed, or with --out written as XLSX, one row per failing record.
    Worklist {
        project: PathBuf,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = super::bulletin::BulletinLang::En)]
        lang: super::bulletin::BulletinLang,
        /// Personal data in full in the export (masked by default); recorded in the
        /// project's access log.
        #[arg(long)]
        unmasked: bool,
    },
    /// Move a worklist item: a new state, an owner, a due date, a note.
    Item {
        project: PathBuf,
        /// The item's key (check|unit), as `mams dq worklist` prints it.
        key: String,
        /// open, assigned, fixed, waived or false_positive (verified is MAMS's to give).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        owner: Option<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        due: Option<NaiveDate>,
        #[arg(long)]
        note: Option<String>,
    },
    /// The warnings of the last run nobody acknowledged; --ack KEY acknowledges one.
    Warnings {
        project: PathBuf,
        #[arg(long)]
        ack: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// The checks in effect with their weights, thresholds and parameter values.
    Checks {
        project: PathBuf,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Add a check of the project's own from a JSON file (as in assets/dq/, with its
    /// "table"): tried on the project before it is kept.
    Add { project: PathBuf, file: PathBuf },
    /// Remove a check of the project's own.
    Remove { project: PathBuf, id: String },
    /// Set a check's parameter, weight, threshold or enabled (1 or 0) for this project.
    Set {
        project: PathBuf,
        check: String,
        name: String,
        value: f64,
    },
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into())
}

pub fn run(what: &DqCommand) -> anyhow::Result<()> {
    let zh = crate::text::prefers_zh();
    match what {
        DqCommand::Run {
            project,
            format,
            incremental,
        } => {
            let p = Project::open(project)?;
            let report = run::run(
                &p,
                run::Trigger::Cli,
                *incremental,
                &crate::progress::Progress::new(),
            )?;
            let (lib, _) = run::library(&p)?;
            let sums: BTreeMap<String, (u64, u64)> = report
                .outcomes
                .iter()
                .map(|o| (o.check_id.clone(), (o.tested, o.failing)))
                .collect();
            let overall = scores::overall(&lib, &sums);
            if *format == InfoFormat::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "run_id": report.run_id,
                        "scope": report.scope,
                        "seconds": report.seconds,
                        "score": overall.score,
                        "grade": overall.score.map(|s| scores::grade(s).id.clone()),
                        "checks": report.outcomes,
                        "problems": report.problems,
                    }))?
                );
            } else {
                println!(
                    "{:<44} {:<18} {:>10} {:>9} {:>8} {:>6}  ",
                    "check", "table", "tested", "failing", "pass %", "min %"
                );
                for o in &report.outcomes {
                    let mark = match (&o.error, o.below_threshold) {
                        (Some(e), _) => format!("ERROR {e}"),
                        (None, true) => "BELOW".into(),
                        _ => String::new(),
                    };
                    println!(
                        "{:<44} {:<18} {:>10} {:>9} {:>8} {:>6}  {mark}",
                        o.check_id,
                        o.table,
                        o.tested,
                        o.failing,
                        pct(o.pass_rate),
                        o.threshold
                    );
                }
                for pr in &report.problems {
                    println!("not run: {pr}");
                }
                if let Some(s) = overall.score {
                    println!(
                        "\nrun {} ({}, {:.1} s): score {}, {}",
                        report.run_id,
                        report.scope,
                        report.seconds,
                        scores::text(s),
                        scores::grade(s).name_en
                    );
                }
            }
            let failing = report.failing_checks();
            if failing > 0 {
                crate::bail_say!(
                    "{failing} checks are below their threshold or could not run",
                    "{failing} 项检查低于阈值或未能运行"
                );
            }
            Ok(())
        }
        DqCommand::Scores {
            project,
            unit,
            by,
            format,
        } => {
            let by = scores::By::parse(by).ok_or_else(|| {
                crate::said!(
                    "--by is dimension, table, column, check or stage, not {by:?}",
                    "--by 应为 dimension、table、column、check 或 stage，而不是 {by:?}"
                )
            })?;
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let Some(last) = stored::last_run(&p)? else {
                crate::bail_say!(
                    "the project has no data quality run yet: `mams dq run` makes one",
                    "项目尚无数据质量评估：请先运行 `mams dq run`"
                );
            };
            let (lib, _) = run::library(&p)?;
            let sums: BTreeMap<String, (u64, u64)> = stored::sums_in(&p, unit.as_deref(), &[last.run_id])?
                .into_iter()
                .map(|(_, id, t, f)| (id, (t, f)))
                .collect();
            let groups = scores::group(&lib, &sums, by);
            let overall = scores::overall(&lib, &sums);
            if *format == InfoFormat::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "run_id": last.run_id,
                        "unit": unit,
                        "score": overall.score,
                        "groups": groups,
                    }))?
                );
                return Ok(());
            }
            println!(
                "{:<44} {:>7} {:<10} {:>6} {:>6} {:>10} {:>9}",
                "", "score", "grade", "checks", "below", "tested", "failing"
            );
            let line = |name: &str, s: &scores::Score| {
                let grade = s
                    .score
                    .map(scores::grade)
                    .map(|g| if zh { g.name_zh.clone() } else { g.name_en.clone() });
                println!(
                    "{:<44} {:>7} {:<10} {:>6} {:>6} {:>10} {:>9}",
                    name,
                    pct(s.score),
                    grade.unwrap_or_default(),
                    s.checks,
                    s.below,
                    s.tested,
                    s.failing
                );
            };
            for (k, s) in &groups {
                let name = match by {
                    scores::By::Dimension => crate::dq::checks::Dimension::parse(k)
                        .map(|d| format!("{} {}", d.name(false), d.name(true)))
                        .unwrap_or_else(|| k.clone()),
                    _ => k.clone(),
                };
                line(&name, s);
            }
            line(if zh { "合计" } else { "overall" }, &overall);
            Ok(())
        }
        DqCommand::Profile {
            project,
            table,
            column,
            format,
        } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let profiles = match column {
                Some(c) => vec![profile::profile(&p, table, c)?],
                None => profile::profile_table(&p, table)?,
            };
            if *format == InfoFormat::Json {
                println!("{}", serde_json::to_string_pretty(&profiles)?);
                return Ok(());
            }
            for pr in profiles {
                println!("{}.{} ({})", pr.table, pr.column, pr.kind);
                println!(
                    "  rows {}  nulls {}  blanks {}  distinct {}  min {}  max {}{}",
                    pr.rows,
                    pr.nulls,
                    pr.blanks,
                    pr.distinct,
                    pr.min.as_deref().unwrap_or("-"),
                    pr.max.as_deref().unwrap_or("-"),
                    pr.mean.map(|m| format!("  mean {m:.3}")).unwrap_or_default()
                );
                if !pr.top.is_empty() {
                    let top: Vec<String> = pr.top.iter().map(|(v, n)| format!("{v} ({n})")).collect();
                    println!("  top: {}", top.join(", "));
                }
                if !pr.patterns.is_empty() {
                    let shapes: Vec<String> = pr.patterns.iter().map(|(v, n)| format!("{v} ({n})")).collect();
                    println!("  shapes: {}", shapes.join(", "));
                }
                let most = pr.histogram.iter().map(|h| h.2).max().unwrap_or(0).max(1);
                for (lo, hi, n) in &pr.histogram {
                    println!(
                        "  {lo:>12} - {hi:<12} {:<40} {n}",
                        "#".repeat((40 * n / most) as usize)
                    );
                }
            }
            Ok(())
        }
        DqCommand::Worklist {
            project,
            unit,
            out,
            lang,
            unmasked,
        } => {
            let p = Project::open(project)?;
            let zh = *lang == super::bulletin::BulletinLang::Zh;
            if let Some(out) = out {
                let n = worklist::write_xlsx(
                    &p,
                    unit.as_deref(),
                    out,
                    zh,
                    crate::privacy::Disclosure::unmasked(*unmasked),
                )?;
                eprintln!("{n} failing records written to {}", out.display());
                return Ok(());
            }
            let items = stored::items(&p, unit.as_deref())?;
            if items.is_empty() {
                println!("the worklist is empty");
            }
            for i in items {
                println!(
                    "{:<60} {:<16} {:>8}  {}{}",
                    i.item_key,
                    i.status,
                    i.failing,
                    i.owner.as_deref().unwrap_or(""),
                    i.due_on.map(|d| format!("  due {d}")).unwrap_or_default()
                );
            }
            Ok(())
        }
        DqCommand::Item {
            project,
            key,
            to,
            owner,
            due,
            note,
        } => {
            let to = match to.as_deref() {
                Some(s) => Some(worklist::Status::parse(s).ok_or_else(|| {
                    crate::said!(
                        "no state {s:?}: use one of {}",
                        "没有状态 {s:?}：可用 {}",
                        worklist::Status::ALL.map(|s| s.id()).join(", ")
                    )
                })?),
                None => None,
            };
            let p = Project::open(project)?;
            let change = worklist::Change {
                to,
                owner: owner.clone(),
                due_on: *due,
                note: note.clone(),
            };
            let item = worklist::change(&p, key, &change, &crate::account::name())?;
            println!("{}  {}", item.item_key, item.status);
            Ok(())
        }
        DqCommand::Warnings { project, ack, note } => {
            let p = Project::open(project)?;
            if let Some(key) = ack {
                stored::acknowledge(&p, key, &crate::account::name(), note.as_deref())?;
                println!("acknowledged {key}");
                return Ok(());
            }
            let warnings = stored::open_warnings(&p)?;
            if warnings.is_empty() {
                println!("no warning");
            }
            for w in warnings {
                println!(
                    "{:<14} {}\n               key {}",
                    w.kind,
                    w.message(zh),
                    w.warning_key
                );
            }
            Ok(())
        }
        DqCommand::Checks { project, format } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let (lib, problems) = run::library(&p)?;
            if *format == InfoFormat::Json {
                let out: Vec<serde_json::Value> = lib
                    .iter()
                    .map(|b| serde_json::json!({ "check": b.check, "values": b.values }))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&out)?);
                return Ok(());
            }
            for b in &lib {
                let values: Vec<String> = b.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
                println!(
                    "{:<44} {:<14} {:<13} {:<12} w {:<4} min {:>5} %  {}  {}",
                    b.check.id,
                    b.check.kind.id(),
                    b.check.dimension.id(),
                    b.check.stage.id(),
                    b.check.weight,
                    b.check.threshold,
                    b.check.name(zh),
                    values.join(" ")
                );
            }
            for pr in problems {
                println!("not run: {pr}");
            }
            Ok(())
        }
        DqCommand::Add { project, file } => {
            let json = std::fs::read_to_string(file)
                .map_err(|e| crate::said!("cannot read {}: {e}", "无法读取 {}：{e}", file.display()))?;
            let p = Project::open(project)?;
            let c = run::save_project_check(&p, &json)?;
            println!(
                "{} ({}) kept; it runs with the next `mams dq run`",
                c.id,
                c.name(zh)
            );
            Ok(())
        }
        DqCommand::Remove { project, id } => {
            let p = Project::open(project)?;
            if !stored::project_checks(&p)?.iter().any(|(i, _)| i == id) {
                crate::bail_say!(
                    "the project has no check {id} of its own",
                    "项目没有自定义检查项 {id}"
                );
            }
            stored::delete_project_check(&p, id)?;
            println!("{id} removed");
            Ok(())
        }
        DqCommand::Set {
            project,
            check,
            name,
            value,
        } => {
            let p = Project::open(project)?;
            let (lib, _) = run::library(&p)?;
            let all = crate::dq::checks::builtin();
            let known = lib
                .iter()
                .map(|b| &b.check)
                .chain(all.iter())
                .find(|c| &c.id == check)
                .ok_or_else(|| {
                    crate::said!(
                        "there is no check {check}; `mams dq checks` lists them",
                        "没有检查项 {check}；`mams dq checks` 可列出全部"
                    )
                })?;
            let ok = matches!(name.as_str(), "weight" | "threshold" | "enabled")
                || known.params.iter().any(|pa| &pa.name == name);
            if !ok {
                let names: Vec<&str> = known.params.iter().map(|pa| pa.name.as_str()).collect();
                crate::bail_say!(
                    "check {check} has no setting {name:?}: weight, threshold, enabled{}{}",
                    "检查项 {check} 没有设置 {name:?}：可用 weight、threshold、enabled{}{}",
                    if names.is_empty() { "" } else { ", " },
                    names.join(", ")
                );
            }
            stored::set_setting(&p, check, name, *value)?;
            println!("{check} {name} = {value}");
            Ok(())
        }
    }
}
