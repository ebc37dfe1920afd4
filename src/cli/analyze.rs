//! `mams analyze`: index-related factor analysis of a change.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};

use super::print::print_table;
use super::{InfoFormat, parse_month};
use crate::metrics::format::group_digits;
use crate::store::{Project, queries};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DecomposeMethod {
    /// LMDI-I of a sum of products: columns group,period,<factor>...
    Lmdi,
    /// Rate/mix split of a ratio: columns group,period,numerator,denominator
    Ratemix,
}

#[derive(Debug, Subcommand)]
pub enum AnalyzeCommand {
    /// Decompose the change between a base and a target period (see docs/analysis.md).
    Decompose {
        /// CSV file; period is `base` or `target`.
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum)]
        method: DecomposeMethod,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Why an indicator of a unit changed: its change split over the units one level down.
    Change {
        project: PathBuf,
        /// Indicator id (as `mams kpi` prints them), e.g. collection_rate.
        #[arg(long)]
        indicator: String,
        /// The month explained, YYYY-MM.
        #[arg(long, value_parser = parse_month)]
        period: NaiveDate,
        /// The month compared with (default: the month before).
        #[arg(long, value_parser = parse_month)]
        base: Option<NaiveDate>,
        /// Org unit (default: the top unit).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
}

pub fn why_changed(
    project: &std::path::Path,
    indicator: &str,
    period: NaiveDate,
    base: Option<NaiveDate>,
    unit: Option<String>,
    format: InfoFormat,
) -> anyhow::Result<()> {
    let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
    let unit = crate::metrics::kpi::check_scope(&p, period, unit.as_deref())?;
    let base = match base {
        Some(b) => b,
        None => period
            .checked_sub_months(chrono::Months::new(1))
            .ok_or_else(|| anyhow::anyhow!("no month before {}", period.format("%Y-%m")))?,
    };
    let children = queries::units_below(&queries::org_tree(&p)?, &unit);
    let why = crate::audit::why::report(&p, indicator, &unit, &children, base, period)?;
    let x = &why.explanation;
    let mut out = std::io::stdout().lock();
    if format == InfoFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&why)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} of {unit}: {} {} -> {} {} (change {:+.6}, {})",
        x.indicator,
        x.base_month.format("%Y-%m"),
        x.base_value,
        x.month.format("%Y-%m"),
        x.value,
        x.change,
        x.method
    )?;
    let t = |s: String| duckdb::types::Value::Text(s);
    let opt = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    let rows = x
        .parts
        .iter()
        .map(|p| {
            vec![
                t(p.unit_id.clone()),
                t(format!("{:.6}", p.effect)),
                t(opt(p.rate_effect)),
                t(opt(p.mix_effect)),
            ]
        })
        .collect();
    let table = queries::QueryResult {
        columns: ["unit", "effect", "rate effect", "mix effect"]
            .map(String::from)
            .to_vec(),
        rows,
    };
    print_table(&mut out, &table, 0)?;
    // Where to look: the related rules' open suspects in the units that moved it most.
    writeln!(
        out,
        "\nrelated audit rules with open suspects in the months compared:"
    )?;
    for (unit, rules) in &why.rules {
        let list: Vec<String> = rules
            .iter()
            .map(|(rule, n, amount)| format!("{rule} {n} ({} yuan)", group_digits(amount.round() as u64)))
            .collect();
        let list = if list.is_empty() {
            "none".to_string()
        } else {
            list.join(", ")
        };
        writeln!(out, "  {unit}: {list}")?;
    }
    Ok(())
}

pub fn decompose(input: &std::path::Path, method: DecomposeMethod, format: InfoFormat) -> anyhow::Result<()> {
    use crate::analysis::decompose::{lmdi, rate_mix};
    use crate::analysis::table_input::{TextTable, lmdi_groups, ratio_groups};
    if !input.exists() {
        bail!("input file {} does not exist", input.display());
    }
    let (columns, rows) = crate::store::read_csv_text(input)?;
    let table = TextTable { columns, rows };
    let fail = |e: String| anyhow::anyhow!("{}: {e}", input.display());
    let mut out = std::io::stdout().lock();
    let n = |v: f64| format!("{v:.6}");
    match method {
        DecomposeMethod::Lmdi => {
            let (factors, groups) = lmdi_groups(&table).map_err(fail)?;
            let r = lmdi(&factors, &groups).map_err(fail)?;
            if format == InfoFormat::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "V base {}   V target {}   change {}   ratio {}",
                n(r.base_total),
                n(r.target_total),
                n(r.change),
                n(r.ratio)
            )?;
            let mut columns = vec!["factor".to_string(), "additive".into(), "multiplicative".into()];
            columns.extend(r.groups.iter().cloned());
            let mut rows: Vec<Vec<duckdb::types::Value>> = r
                .effects
                .iter()
                .map(|e| {
                    let mut row = vec![
                        duckdb::types::Value::Text(e.factor.clone()),
                        duckdb::types::Value::Text(n(e.additive)),
                        duckdb::types::Value::Text(n(e.multiplicative)),
                    ];
                    row.extend(e.by_group.iter().map(|g| duckdb::types::Value::Text(n(*g))));
                    row
                })
                .collect();
            let mut total = vec![
                duckdb::types::Value::Text("total".into()),
                duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.additive).sum())),
                duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.multiplicative).product())),
            ];
            total.extend(
                (0..r.groups.len())
                    .map(|i| duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.by_group[i]).sum()))),
            );
            rows.push(total);
            print_table(&mut out, &queries::QueryResult { columns, rows }, 0)
        }
        DecomposeMethod::Ratemix => {
            let groups = ratio_groups(&table).map_err(fail)?;
            let r = rate_mix(&groups).map_err(fail)?;
            if format == InfoFormat::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "R base {}   R target {}   change {}",
                n(r.base),
                n(r.target),
                n(r.change)
            )?;
            let t = |s: String| duckdb::types::Value::Text(s);
            let opt = |v: Option<f64>| v.map(n).unwrap_or_else(|| "-".into());
            let mut rows: Vec<Vec<duckdb::types::Value>> = r
                .groups
                .iter()
                .map(|g| {
                    vec![
                        t(g.group.clone()),
                        t(n(g.base_share)),
                        t(n(g.target_share)),
                        t(opt(g.base_rate)),
                        t(opt(g.target_rate)),
                        t(n(g.rate_effect)),
                        t(n(g.mix_effect)),
                        t(n(g.rate_effect + g.mix_effect)),
                    ]
                })
                .collect();
            rows.push(vec![
                t("total".into()),
                t(n(1.0)),
                t(n(1.0)),
                t(n(r.base)),
                t(n(r.target)),
                t(n(r.rate_effect)),
                t(n(r.mix_effect)),
                t(n(r.change)),
            ]);
            let columns = [
                "group",
                "base share",
                "target share",
                "base rate",
                "target rate",
                "rate effect",
                "mix effect",
                "effect",
            ]
            .map(String::from)
            .to_vec();
            print_table(&mut out, &queries::QueryResult { columns, rows }, 0)
        }
    }
}
