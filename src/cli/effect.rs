//! `mams analyze did|its`: the improvement-effect models on any CSV, and the printing of
//! their results (shared with `mams risk evaluate`).

use std::io::Write;
use std::path::Path;

use anyhow::bail;
use chrono::NaiveDate;

use super::InfoFormat;
use crate::analysis::did::Did;
use crate::analysis::effect::{Direction, Estimate};
use crate::analysis::its::{Its, Segment};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Did,
    Its,
}

pub fn from_csv(
    input: &Path,
    start: NaiveDate,
    higher_is_better: bool,
    model: Model,
    format: InfoFormat,
) -> anyhow::Result<()> {
    use crate::analysis::table_input::{TextTable, panel_rows, treated_series};
    if !input.exists() {
        bail!("input file {} does not exist", input.display());
    }
    let (columns, rows) = crate::store::read_csv_text(input)?;
    let rows =
        panel_rows(&TextTable { columns, rows }).map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
    let better = if higher_is_better {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    };
    let not_enough = |e: crate::text::Text| anyhow::anyhow!("{}: {}", input.display(), e.en);
    let mut out = std::io::stdout().lock();
    match model {
        Model::Did => {
            let r = crate::analysis::did::did(&rows, start, better).map_err(not_enough)?;
            if format == InfoFormat::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
            } else {
                print_did(&mut out, &r)?;
            }
        }
        Model::Its => {
            let series = treated_series(&rows);
            if series.is_empty() {
                bail!("{}: no row has treated = 1", input.display());
            }
            let r = crate::analysis::its::its(&series, start, better).map_err(not_enough)?;
            if format == InfoFormat::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
            } else {
                print_its(&mut out, &r)?;
            }
        }
    }
    Ok(())
}

fn num(v: f64) -> String {
    format!("{v:.4}")
}

fn estimate(e: &Estimate) -> String {
    format!(
        "{}  95 % CI [{}, {}]  se {}  ({})",
        num(e.value),
        num(e.low),
        num(e.high),
        num(e.se),
        e.method
    )
}

fn segment(s: &Segment) -> String {
    format!(
        "{} months, mean {}, trend {} a month",
        s.months,
        s.mean.map(num).unwrap_or_else(|| "-".into()),
        s.trend.map(num).unwrap_or_else(|| "-".into())
    )
}

pub fn print_did(out: &mut impl Write, r: &Did) -> anyhow::Result<()> {
    writeln!(out, "difference in differences")?;
    writeln!(
        out,
        "treated units  {} ({})",
        r.treated_units.len(),
        r.treated_units.join(", ")
    )?;
    writeln!(
        out,
        "control units  {} ({})",
        r.control_units.len(),
        r.control_units.join(", ")
    )?;
    if !r.dropped_units.is_empty() {
        writeln!(
            out,
            "left out       {} (no data before or after the start)",
            r.dropped_units.join(", ")
        )?;
    }
    writeln!(
        out,
        "treated        before {}  after {}",
        num(r.treated_before),
        num(r.treated_after)
    )?;
    writeln!(
        out,
        "control        before {}  after {}",
        num(r.control_before),
        num(r.control_after)
    )?;
    writeln!(out, "effect         {}", estimate(&r.effect))?;
    writeln!(out, "verdict        {}", r.verdict.name(false))?;
    Ok(())
}

pub fn print_its(out: &mut impl Write, r: &Its) -> anyhow::Result<()> {
    writeln!(
        out,
        "interrupted time series{}",
        if r.seasonal {
            " (with the month of the year)"
        } else {
            ""
        }
    )?;
    writeln!(out, "before         {}", segment(&r.before))?;
    writeln!(out, "after          {}", segment(&r.after))?;
    writeln!(out, "level change   {}", estimate(&r.level_change))?;
    writeln!(out, "slope change   {}", estimate(&r.slope_change))?;
    writeln!(out, "effect         {}", estimate(&r.effect))?;
    writeln!(out, "verdict        {}", r.verdict.name(false))?;
    Ok(())
}
