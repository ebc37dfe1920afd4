//! `mams risk`: the register of risk points, their levels per unit and month, measures moved
//! along with their trail, and the evaluation of a measure's effect (docs/risks.md).

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

use super::{InfoFormat, parse_month};
use crate::risk::measures::{self, Change, Metric, NewMeasure, State};
use crate::risk::{compute, evaluate, levels};
use crate::store::Project;
use crate::store::risks as stored;

#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// The register: every risk point with what measures it.
    List {
        project: PathBuf,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// The level of every risk point in a unit and month (recomputed first when the audit,
    /// the data quality or the triage changed), and the risks that rose that month.
    Levels {
        project: PathBuf,
        #[arg(long, value_parser = parse_month)]
        period: NaiveDate,
        /// Org unit (default: the top unit).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Recompute every level now.
    Refresh { project: PathBuf },
    /// Keep a project's own risk point (a JSON file shaped as the points of assets/risks/).
    Add { project: PathBuf, file: PathBuf },
    /// Remove a project's own risk point.
    Remove { project: PathBuf, id: String },
    /// Measures: add one, move one along, list them.
    Measure {
        #[command(subcommand)]
        what: MeasureCommand,
    },
    /// The improvement effect of a measure: before and after, interrupted time series,
    /// difference in differences against comparable units, a verdict and the money.
    Evaluate {
        project: PathBuf,
        #[arg(long)]
        measure: i64,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
}

#[derive(Debug, Subcommand)]
pub enum MeasureCommand {
    /// Record a measure against a risk point.
    Add {
        project: PathBuf,
        #[arg(long)]
        risk: String,
        #[arg(long)]
        action: String,
        /// The unit that owns the measure.
        #[arg(long)]
        owner: String,
        /// Units that take it, comma-separated (default: the owner).
        #[arg(long, value_delimiter = ',')]
        units: Vec<String>,
        /// The month it starts, YYYY-MM.
        #[arg(long, value_parser = parse_month)]
        start: NaiveDate,
        /// YYYY-MM-DD.
        #[arg(long)]
        due: NaiveDate,
        /// rule:ID, indicator:ID or dq:CHECK_ID (default: the point's first rule).
        #[arg(long)]
        metric: Option<String>,
        /// Control units, comma-separated (default: chosen automatically).
        #[arg(long, value_delimiter = ',')]
        controls: Vec<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Move a measure along: a new state, due date, note or controls.
    Move {
        project: PathBuf,
        id: i64,
        /// in_progress, done or cancelled.
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        due: Option<NaiveDate>,
        #[arg(long, default_value = "")]
        note: String,
        /// Control units, comma-separated; "auto" goes back to the automatic choice.
        #[arg(long, value_delimiter = ',')]
        controls: Option<Vec<String>>,
    },
    /// Every measure with its state; past-due ones are marked.
    List {
        project: PathBuf,
        #[arg(long)]
        risk: Option<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// A measure's trail.
    Trail { project: PathBuf, id: i64 },
}

fn open_write(path: &std::path::Path) -> anyhow::Result<Project> {
    Ok(Project::open(path)?)
}

fn top_unit(p: &Project) -> anyhow::Result<String> {
    crate::store::queries::org_tree(p)?
        .into_iter()
        .find(|u| u.parent_id.is_none())
        .map(|u| u.unit_id)
        .ok_or_else(|| anyhow::anyhow!("the project has no org units"))
}

pub fn run(cmd: &RiskCommand) -> anyhow::Result<()> {
    let actor = crate::account::name();
    match cmd {
        RiskCommand::List { project, format } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let (points, problems) = compute::library(&p)?;
            if *format == InfoFormat::Json {
                println!("{}", serde_json::to_string_pretty(&points)?);
                return Ok(());
            }
            println!("{:<36} {:<3} {:<44} measured by", "risk point", "sev", "name");
            for r in &points {
                let by: Vec<String> = r
                    .rules
                    .iter()
                    .map(|x| format!("rule {x}"))
                    .chain(r.dq_checks.iter().map(|x| format!("check {x}")))
                    .collect();
                println!(
                    "{:<36} {:<3} {:<44} {}{}",
                    r.id,
                    r.severity,
                    r.name_en,
                    by.join(", "),
                    if r.own { "  (project)" } else { "" }
                );
            }
            println!("{} risk points", points.len());
            for pr in problems {
                println!("left out: {pr}");
            }
            Ok(())
        }
        RiskCommand::Refresh { project } => {
            let p = open_write(project)?;
            match compute::refresh(&p, &crate::progress::Progress::new())? {
                Some(c) => println!(
                    "{} levels of {} risk points in {} units over {} months, {} changed, {:.2} s",
                    c.rows, c.points, c.units, c.months, c.changed, c.seconds
                ),
                None => println!("the project has no data yet"),
            }
            Ok(())
        }
        RiskCommand::Levels {
            project,
            period,
            unit,
            format,
        } => {
            let p = match Project::open(project) {
                Ok(p) => {
                    compute::refresh_if_stale(&p, &crate::progress::Progress::new())?;
                    p
                }
                Err(_) => Project::open_read_only(project)?,
            };
            let unit = match unit {
                Some(u) => u.clone(),
                None => top_unit(&p)?,
            };
            let mut rows = stored::levels_of(&p, *period, &[unit.as_str()])?;
            if rows.is_empty() {
                let months = stored::months(&p)?;
                crate::bail_say!(
                    "no risk levels for unit {} in {}; levels exist for {}",
                    "单位 {} 在 {} 没有风险等级；有等级的月份为 {}",
                    unit,
                    period.format("%Y-%m"),
                    match (months.first(), months.last()) {
                        (Some(a), Some(b)) => format!("{} to {}", a.format("%Y-%m"), b.format("%Y-%m")),
                        _ => "no month (the project has no data or no audit yet)".into(),
                    }
                );
            }
            rows.sort_by(|a, b| {
                (b.level, b.likelihood, b.impact)
                    .cmp(&(a.level, a.likelihood, a.impact))
                    .then(a.risk_id.cmp(&b.risk_id))
            });
            let risen = stored::risen(&p, *period, &unit)?;
            if *format == InfoFormat::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "unit": unit,
                        "period": period.format("%Y-%m").to_string(),
                        "levels": rows,
                        "risen": risen.iter().map(|(r, before)| serde_json::json!({
                            "risk_id": r.risk_id, "unit_id": r.unit_id, "level": r.level, "before": before
                        })).collect::<Vec<_>>(),
                    }))?
                );
                return Ok(());
            }
            let t = levels::thresholds();
            let (points, _) = compute::library(&p)?;
            let name = |id: &str| {
                points
                    .iter()
                    .find(|x| x.id == id)
                    .map(|x| x.name_en.clone())
                    .unwrap_or_else(|| id.to_string())
            };
            println!(
                "{:<36} {:<9} {:>2} {:>2} {:>9} {:>7} {:>12} {:>8}  name",
                "risk point", "level", "L", "I", "suspects", "/10k", "yuan", "trend"
            );
            for r in &rows {
                println!(
                    "{:<36} {:<9} {:>2} {:>2} {:>9} {:>7} {:>12} {:>8}  {}",
                    r.risk_id,
                    t.name(r.level).en,
                    r.likelihood,
                    r.impact,
                    r.suspects,
                    r.rate.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into()),
                    format!("{:.0}", r.amount),
                    r.trend.map(|v| format!("x{v:.2}")).unwrap_or_else(|| "-".into()),
                    name(&r.risk_id) + if r.provisional { " (provisional*)" } else { "" }
                );
            }
            if rows.iter().any(|r| r.provisional) {
                println!(
                    "* provisional: a rule of the point finds its suspects only months later; the last month it can see is carried forward"
                );
            }
            if !risen.is_empty() {
                println!(
                    "\nrose in {} (in {unit} and the units below):",
                    period.format("%Y-%m")
                );
                for (r, before) in risen.iter().take(20) {
                    println!(
                        "  {:<36} {:<12} {} -> {}",
                        r.risk_id,
                        r.unit_id,
                        t.name(*before).en,
                        t.name(r.level).en
                    );
                }
                if risen.len() > 20 {
                    println!("  ... and {} more", risen.len() - 20);
                }
            }
            Ok(())
        }
        RiskCommand::Add { project, file } => {
            let p = open_write(project)?;
            let json = std::fs::read_to_string(file)
                .map_err(|e| crate::said!("cannot read {}: {}", "无法读取 {}：{}", file.display(), e))?;
            let point = compute::save_project_point(&p, &json)?;
            println!("kept risk point {}", point.id);
            Ok(())
        }
        RiskCommand::Remove { project, id } => {
            let p = open_write(project)?;
            if stored::remove_project_point(&p, id)? == 0 {
                crate::bail_say!(
                    "the project has no risk point {} of its own",
                    "项目没有自定义风险点 {}",
                    id
                );
            }
            println!("removed risk point {id}");
            Ok(())
        }
        RiskCommand::Measure { what } => measure(what, &actor),
        RiskCommand::Evaluate {
            project,
            measure,
            format,
        } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let e = evaluate::evaluate(&p, *measure)?;
            if *format == InfoFormat::Json {
                println!("{}", serde_json::to_string_pretty(&e)?);
                return Ok(());
            }
            let m = stored::measure(&p, *measure)?.expect("evaluated");
            println!("measure {}: {} ({})", m.measure_id, m.action, m.risk_id);
            println!(
                "metric         {} ({}), start {}",
                e.metric.id(),
                e.unit_label.en,
                e.start.format("%Y-%m")
            );
            println!("treated        {}", e.treated.join(", "));
            println!(
                "controls       {} ({})",
                if e.controls.is_empty() {
                    "none".to_string()
                } else {
                    e.controls.join(", ")
                },
                if e.controls_automatic {
                    "chosen automatically"
                } else {
                    "chosen by hand"
                }
            );
            let mut out = std::io::stdout().lock();
            println!();
            match &e.its {
                Ok(r) => super::effect::print_its(&mut out, r)?,
                Err(why) => println!("interrupted time series: {}", why.en),
            }
            println!();
            match &e.did {
                Ok(r) => super::effect::print_did(&mut out, r)?,
                Err(why) => println!("difference in differences: {}", why.en),
            }
            println!();
            match e.verdict {
                Some(v) => println!("verdict        {}", v.name(false)),
                None => println!("verdict        not enough data"),
            }
            match e.money {
                Some(y) => println!(
                    "money          {} yuan {} at stake since the start ({})",
                    crate::metrics::format::group_digits(y.abs().round() as u64),
                    if y <= 0.0 { "less" } else { "more" },
                    e.money_note.en
                ),
                None if !e.money_note.is_empty() => println!("money          {}", e.money_note.en),
                None => {}
            }
            Ok(())
        }
    }
}

fn measure(cmd: &MeasureCommand, actor: &str) -> anyhow::Result<()> {
    match cmd {
        MeasureCommand::Add {
            project,
            risk,
            action,
            owner,
            units,
            start,
            due,
            metric,
            controls,
            note,
        } => {
            let p = open_write(project)?;
            let metric = match metric {
                Some(m) => Some(Metric::parse(m).ok_or_else(|| {
                    crate::said!(
                        "--metric is rule:ID, indicator:ID or dq:CHECK_ID, not {m:?}",
                        "--metric 应为 rule:编号、indicator:编号 或 dq:检查编号，而不是 {m:?}"
                    )
                })?),
                None => None,
            };
            let id = measures::add(
                &p,
                &NewMeasure {
                    risk_id: risk.clone(),
                    action: action.clone(),
                    owner_unit: owner.clone(),
                    units: units.clone(),
                    start_month: *start,
                    due_on: *due,
                    metric,
                    controls: controls.clone(),
                    notes: note.clone(),
                },
                actor,
            )?;
            println!("measure {id} recorded (planned)");
            Ok(())
        }
        MeasureCommand::Move {
            project,
            id,
            to,
            due,
            note,
            controls,
        } => {
            let p = open_write(project)?;
            let to = match to {
                Some(s) => Some(State::parse(s).ok_or_else(|| {
                    crate::said!(
                        "--to is in_progress, done or cancelled, not {s:?}",
                        "--to 应为 in_progress、done 或 cancelled，而不是 {s:?}"
                    )
                })?),
                None => None,
            };
            let controls = controls.as_ref().map(|c| {
                if c.len() == 1 && c[0] == "auto" {
                    Vec::new()
                } else {
                    c.clone()
                }
            });
            let m = measures::change(
                &p,
                *id,
                &Change {
                    to,
                    due_on: *due,
                    note: note.clone(),
                    controls,
                },
                actor,
            )?;
            println!("measure {} is {} (due {})", m.measure_id, m.state, m.due_on);
            Ok(())
        }
        MeasureCommand::List {
            project,
            risk,
            format,
        } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let all = stored::measures(&p, risk.as_deref())?;
            if *format == InfoFormat::Json {
                println!("{}", serde_json::to_string_pretty(&all)?);
                return Ok(());
            }
            let today = chrono::Local::now().date_naive();
            println!(
                "{:>4} {:<32} {:<12} {:<8} {:<11} {:<12} action",
                "id", "risk point", "state", "start", "due", "owner"
            );
            for m in &all {
                println!(
                    "{:>4} {:<32} {:<12} {:<8} {:<11} {:<12} {}{}",
                    m.measure_id,
                    m.risk_id,
                    m.state,
                    m.start_month.format("%Y-%m"),
                    m.due_on,
                    m.owner_unit,
                    m.action,
                    if measures::is_past_due(m, today) {
                        "  PAST DUE"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
        MeasureCommand::Trail { project, id } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            for t in stored::measure_trail(&p, *id)? {
                println!(
                    "{}  {:<16} {:>12} -> {:<12} {}{}",
                    t.changed_at.format("%Y-%m-%d %H:%M"),
                    t.actor,
                    t.from_state.as_deref().unwrap_or("-"),
                    t.to_state,
                    t.note.as_deref().unwrap_or(""),
                    t.due_on.map(|d| format!(" (due {d})")).unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}
