//! `mams benchmark`: every unit against the best of its peer group and the group's top
//! quartile, per indicator and in total, the gap as a sentence, the scope against external
//! peers; `mams benchmark import` loads external peer figures (docs/evaluation.md).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::InfoFormat;
use super::print::print_table;
use crate::metrics::benchmark::{self, GroupBenchmark};
use crate::metrics::evaluate::{self, ProjectEvaluation};
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
    /// DEA efficiency of the units of one level within the unit instead of the gaps.
    #[arg(long)]
    pub dea: bool,
    /// With --dea: the level of the units compared (province, city, county, station).
    #[arg(long, default_value = "station")]
    pub level: String,
    /// With --dea: inputs from the unit resources (staff, service_halls, repair_vehicles,
    /// operating_cost, network_km, transformers).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "staff,operating_cost,network_km"
    )]
    pub inputs: Vec<String>,
    /// With --dea: outputs from the period's sums (customers, sales_kwh, collected,
    /// connections, repairs).
    #[arg(long, value_delimiter = ',', default_value = "customers,sales_kwh")]
    pub outputs: Vec<String>,
    #[arg(long, value_enum, default_value_t = super::analyze::DeaModelArg::Bcc)]
    pub model: super::analyze::DeaModelArg,
    #[arg(long, value_enum, default_value_t = super::analyze::DeaOrientationArg::Input)]
    pub orientation: super::analyze::DeaOrientationArg,
    /// With --dea: the Malmquist index of every unit from this period to --period (CCR),
    /// split into efficiency change and technical change.
    #[arg(long, value_name = "PERIOD")]
    pub malmquist_from: Option<String>,
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
    if a.dea {
        let org = crate::store::queries::org_tree(&p)?;
        let scope = match a.unit.clone() {
            Some(u) => u,
            None => org
                .iter()
                .find(|u| u.parent_id.is_none())
                .map(|u| u.unit_id.clone())
                .ok_or_else(|| crate::said!("the project has no org units", "项目中没有组织单位"))?,
        };
        let spec = crate::metrics::efficiency::DeaSpec {
            level: a.level.clone(),
            inputs: a.inputs.clone(),
            outputs: a.outputs.clone(),
            model: a.model.model(),
            orientation: a.orientation.orientation(),
        };
        if let Some(from) = &a.malmquist_from {
            let base = Period::parse(from).map_err(anyhow::Error::msg)?;
            let m = crate::metrics::efficiency::malmquist(&p, base, period, &scope, &spec)?;
            let mut out = std::io::stdout().lock();
            match a.format {
                InfoFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&m)?)?,
                InfoFormat::Table => print_malmquist(&mut out, &m)?,
            }
            return Ok(());
        }
        let r = crate::metrics::efficiency::analyse(&p, period, &scope, &spec)?;
        let mut out = std::io::stdout().lock();
        match a.format {
            InfoFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?,
            InfoFormat::Table => print_dea(&mut out, &r)?,
        }
        return Ok(());
    }
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
                text(ev.label(&ind.indicator, false).0),
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

fn print_dea(out: &mut impl Write, r: &crate::metrics::efficiency::UnitsDea) -> anyhow::Result<()> {
    use crate::evaluation::dea::Super;
    let text = |s: String| duckdb::types::Value::Text(s);
    writeln!(
        out,
        "DEA {:?} {:?}-oriented, {} {} units within {}, {}: inputs {}; outputs {}",
        r.spec.model,
        r.spec.orientation,
        r.units.len(),
        r.spec.level,
        r.scope,
        r.period.label(),
        r.spec.inputs.join(", "),
        r.spec.outputs.join(", ")
    )?;
    let mut order: Vec<usize> = (0..r.units.len()).collect();
    let rank_key = |i: &usize| {
        let u = &r.result.units[*i];
        match &u.super_efficiency {
            Some(Super::Score(s)) => *s,
            Some(Super::Infeasible) => f64::INFINITY,
            None => u.score,
        }
    };
    order.sort_by(|a, b| rank_key(b).total_cmp(&rank_key(a)));
    let rows = order
        .iter()
        .map(|&i| {
            let u = &r.result.units[i];
            let peers: Vec<String> = u
                .peers
                .iter()
                .filter(|(_, l)| *l >= 0.0005)
                .map(|(j, l)| format!("{} {:.3}", r.units[*j].0, l))
                .collect();
            vec![
                text(r.units[i].0.clone()),
                text(format!("{:.4}", u.score)),
                text(match &u.super_efficiency {
                    Some(Super::Score(s)) => format!("{s:.4}"),
                    Some(Super::Infeasible) => "infeasible".into(),
                    None => String::new(),
                }),
                text(format!("{:.4}", r.scale_efficiency[i])),
                text(r.returns_to_scale[i].to_string()),
                text(if u.efficient { "yes".into() } else { String::new() }),
                text(peers.join(", ")),
            ]
        })
        .collect();
    let columns = [
        "unit",
        "score",
        "super",
        "scale",
        "returns to scale",
        "efficient",
        "peers (lambda)",
    ]
    .map(String::from)
    .to_vec();
    print_table(out, &crate::store::queries::QueryResult { columns, rows }, 0)?;
    for w in &r.result.warnings {
        writeln!(out, "note: {w}")?;
    }
    for l in &r.left_out {
        writeln!(out, "left out {}: {}", l.unit_id, l.why.en)?;
    }
    Ok(())
}

fn print_malmquist(
    out: &mut impl Write,
    m: &crate::metrics::efficiency::UnitsMalmquist,
) -> anyhow::Result<()> {
    let text = |s: String| duckdb::types::Value::Text(s);
    writeln!(
        out,
        "Malmquist index (CCR) of {} {} units from {} to {}: inputs {}; outputs {}",
        m.units.len(),
        m.spec.level,
        m.base.label(),
        m.target.label(),
        m.spec.inputs.join(", "),
        m.spec.outputs.join(", ")
    )?;
    let mut order: Vec<usize> = (0..m.units.len()).collect();
    order.sort_by(|a, b| m.rows[*b].index.total_cmp(&m.rows[*a].index));
    let rows = order
        .iter()
        .map(|&i| {
            let r = &m.rows[i];
            vec![
                text(m.units[i].0.clone()),
                text(format!("{:.4}", r.index)),
                text(format!("{:.4}", r.efficiency_change)),
                text(format!("{:.4}", r.technical_change)),
            ]
        })
        .collect();
    let columns = ["unit", "malmquist", "efficiency change", "technical change"]
        .map(String::from)
        .to_vec();
    print_table(out, &crate::store::queries::QueryResult { columns, rows }, 0)?;
    for l in &m.left_out {
        writeln!(out, "left out {}: {}", l.unit_id, l.why.en)?;
    }
    Ok(())
}
