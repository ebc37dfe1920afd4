//! `mams benchmark`: every unit against the best of its peer group and the group's top
//! quartile, per indicator and in total, the gap as a sentence, the scope against external
//! peers; `mams benchmark import` loads external peer figures (docs/evaluation.md).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::InfoFormat;
use super::print::print_table;
use crate::metrics::benchmark::{self, GroupBenchmark};
use crate::metrics::evaluate::{self, ProjectEvaluation, indicator_label};
use crate::metrics::period::Period;
use crate::store::Project;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BenchmarkArgs {
    #[command(subcommand)]
    pub what: Option<BenchmarkCommand>,
    #[arg(required = true)]
    pub project: Option<PathBuf>,
    /// YYYY-MM, YYYYQn or YYYY.
    #[arg(long, required = true)]
    pub period: Option<String>,
    /// The units below this one are compared; default: the top unit.
    #[arg(long)]
    pub unit: Option<String>,
    /// A peer group of the project (default: bands of customer count).
    #[arg(long)]
    pub group: Option<String>,
    /// Index system by name (and year): default the one shipped with MAMS.
    #[arg(long)]
    pub system: Option<String>,
    #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
    pub format: InfoFormat,
}

#[derive(Debug, Subcommand)]
pub enum BenchmarkCommand {
    /// Load external peer figures from a CSV or Excel file with the columns peer, period
    /// (YYYY-MM, YYYYQn or YYYY), indicator (an id of MAMS) and value; all or nothing.
    Import { project: PathBuf, file: PathBuf },
}

pub fn run(a: BenchmarkArgs) -> anyhow::Result<()> {
    if let Some(BenchmarkCommand::Import { project, file }) = a.what {
        let p = Project::open(&project)?;
        let n = crate::import::peer_figures::import(&p, &file)?;
        println!("{n} peer figures imported from {}", file.display());
        return Ok(());
    }
    let (Some(project), Some(period)) = (a.project, a.period) else {
        anyhow::bail!("mams benchmark needs a project and --period");
    };
    let period = Period::parse(&period).map_err(anyhow::Error::msg)?;
    let p = Project::open(&project).or_else(|_| Project::open_read_only(&project))?;
    let system = evaluate::system(&p, a.system.as_deref())?;
    let ev = evaluate::run(&p, &system, period, a.unit.as_deref())?;
    let groups = groups(&p, &ev, a.group.as_deref())?;
    let results: Vec<GroupBenchmark> = groups.iter().map(|g| benchmark::benchmark(&ev, g)).collect();
    let external = crate::store::evaluations::peer_figures(&p, &period.label())?;
    let mut out = std::io::stdout().lock();
    match a.format {
        InfoFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "period": period.label(),
                "scope": ev.scope,
                "units": ev.units,
                "indicators": system.indicators().iter().map(|(_, i)| &i.indicator).collect::<Vec<_>>(),
                "groups": results,
                "scope_values": ev.scope_values,
                "external": external,
            }))?
        )?,
        InfoFormat::Table => {
            for g in &results {
                print_group(&mut out, &ev, g)?;
            }
            print_external(&mut out, &ev, &external)?;
        }
    }
    Ok(())
}

/// The named group of the project, or the default bands.
fn groups(
    p: &Project,
    ev: &ProjectEvaluation,
    name: Option<&str>,
) -> anyhow::Result<Vec<benchmark::PeerGroup>> {
    let Some(name) = name else {
        return Ok(benchmark::default_groups(ev));
    };
    let own = crate::store::evaluations::peer_groups(p)?;
    let Some((_, units)) = own.iter().find(|(n, _)| n == name) else {
        let names: Vec<&str> = own.iter().map(|(n, _)| n.as_str()).collect();
        crate::bail_say!(
            "no peer group '{name}' (the project has: {})",
            "没有对标组“{name}”（项目中有：{}）",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        );
    };
    let g = benchmark::own_group(ev, name, units);
    if g.members.is_empty() {
        crate::bail_say!(
            "peer group '{name}' has none of the units below {}",
            "对标组“{name}”中没有 {} 下的单位",
            ev.scope
        );
    }
    Ok(vec![g])
}

fn print_group(out: &mut impl Write, ev: &ProjectEvaluation, g: &GroupBenchmark) -> anyhow::Result<()> {
    let text = |s: String| duckdb::types::Value::Text(s);
    let num = |v: Option<f64>, d: usize| v.map_or(String::new(), |v| format!("{v:.d$}"));
    let leader = g.units.first().and_then(|u| u.leader);
    writeln!(
        out,
        "\n{} {}: {}; leader {}",
        ev.period.label(),
        ev.scope,
        g.group.name.en,
        leader.map_or("none".to_string(), |l| format!(
            "{} {}",
            ev.units[l].unit_id, ev.units[l].name_en
        ))
    )?;
    let mut order: Vec<&benchmark::UnitBenchmark> = g.units.iter().collect();
    order.sort_by(|a, b| {
        b.total
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.total.unwrap_or(f64::NEG_INFINITY))
    });
    let rows = order
        .iter()
        .map(|u| {
            vec![
                text(ev.units[u.unit].unit_id.clone()),
                text(ev.units[u.unit].name_en.clone()),
                text(num(u.total, 2)),
                text(num(u.leader_total.zip(u.total).map(|(l, t)| l - t), 2)),
                text(num(
                    u.top_quartile_total.zip(u.total).map(|(q, t)| (q - t).max(0.0)),
                    2,
                )),
            ]
        })
        .collect();
    let columns = ["unit", "name", "total", "to leader", "to top quartile"]
        .map(String::from)
        .to_vec();
    print_table(out, &crate::store::queries::QueryResult { columns, rows }, 0)?;
    for u in &order {
        if let Some(s) = &u.sentence {
            writeln!(out, "{}: {}.", ev.units[u.unit].unit_id, s.en)?;
        }
    }
    // The best of the group on each indicator.
    let list = ev.system.indicators();
    let rows = list
        .iter()
        .enumerate()
        .map(|(k, (_, ind))| {
            let d = evaluate::indicator_decimals(&ind.indicator);
            let gap = g.units.first().map(|u| &u.gaps[k]);
            vec![
                text(ind.indicator.clone()),
                text(indicator_label(&ind.indicator, false).0),
                text(
                    gap.and_then(|x| x.best_unit)
                        .map_or(String::new(), |b| ev.units[b].unit_id.clone()),
                ),
                text(num(gap.and_then(|x| x.best), d)),
                text(num(gap.and_then(|x| x.top_quartile), d)),
            ]
        })
        .collect();
    let columns = ["indicator", "name", "best unit", "best", "top quartile"]
        .map(String::from)
        .to_vec();
    print_table(out, &crate::store::queries::QueryResult { columns, rows }, 0)
}

fn print_external(
    out: &mut impl Write,
    ev: &ProjectEvaluation,
    external: &[crate::store::evaluations::PeerFigure],
) -> anyhow::Result<()> {
    if external.is_empty() {
        return Ok(());
    }
    let text = |s: String| duckdb::types::Value::Text(s);
    writeln!(out, "\n{} {} against external peers", ev.period.label(), ev.scope)?;
    let list = ev.system.indicators();
    let rows = external
        .iter()
        .map(|f| {
            let d = evaluate::indicator_decimals(&f.indicator);
            let ours = list
                .iter()
                .position(|(_, i)| i.indicator == f.indicator)
                .and_then(|k| ev.scope_values[k]);
            vec![
                text(f.peer.clone()),
                text(f.indicator.clone()),
                text(format!("{:.d$}", f.value)),
                text(ours.map_or("-".to_string(), |v| format!("{v:.d$}"))),
                text(ours.map_or(String::new(), |v| format!("{:+.d$}", v - f.value))),
            ]
        })
        .collect();
    let columns = ["peer", "indicator", "peer value", &ev.scope, "difference"]
        .map(String::from)
        .to_vec();
    print_table(out, &crate::store::queries::QueryResult { columns, rows }, 0)
}
