//! `mams evaluate`: scores, grades and ranks of the units below a unit for a month, quarter
//! or year under an index system; `--publish` keeps the result (docs/evaluation.md).

use std::io::Write;
use std::path::Path;

use super::InfoFormat;
use super::print::print_table;
use crate::metrics::evaluate::{self, ProjectEvaluation, Standing};
use crate::metrics::period::Period;
use crate::store::Project;

pub struct EvaluateArgs<'a> {
    pub project: &'a Path,
    pub period: &'a str,
    pub system: Option<&'a str>,
    pub unit: Option<&'a str>,
    pub publish: bool,
    pub format: InfoFormat,
}

pub fn run(a: &EvaluateArgs) -> anyhow::Result<()> {
    let period = Period::parse(a.period).map_err(anyhow::Error::msg)?;
    let p = if a.publish {
        Project::open(a.project)?
    } else {
        Project::open(a.project).or_else(|_| Project::open_read_only(a.project))?
    };
    let system = evaluate::system(&p, a.system)?;
    let ev = evaluate::run_published_or(&p, &system, period, a.unit)?;
    let mut published = None;
    if a.publish {
        let id = evaluate::publish(&p, &ev, &crate::account::name())?;
        let items = crate::store::evaluations::items(&p, Some(&ev.scope))?
            .into_iter()
            .filter(|i| i.evaluation_id == id)
            .count();
        published = Some((id, items));
    }
    let standing = evaluate::standing(&p, &ev)?;
    let mut out = std::io::stdout().lock();
    match a.format {
        InfoFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "evaluation": ev,
                "published": standing,
            }))?
        )?,
        InfoFormat::Table => {
            print_evaluation(&mut out, &ev)?;
            if let Some(s) = &standing {
                print_standing(&mut out, s)?;
            }
            if let Some((id, items)) = published {
                writeln!(
                    out,
                    "published as evaluation {id}; {items} improvement items raised"
                )?;
            }
        }
    }
    Ok(())
}

fn print_evaluation(out: &mut impl Write, ev: &ProjectEvaluation) -> anyhow::Result<()> {
    writeln!(
        out,
        "{} ({}), {}, the units below {}",
        ev.system.name_en,
        ev.system.version(),
        ev.period.label(),
        ev.scope
    )?;
    let text = |s: String| duckdb::types::Value::Text(s);
    let num = |v: Option<f64>, d: usize| v.map_or(String::new(), |v| format!("{v:.d$}"));
    let mut columns: Vec<String> = ["rank", "unit", "name", "total", "grade"]
        .map(String::from)
        .to_vec();
    columns.extend(ev.system.dimensions.iter().map(|d| d.id.clone()));
    columns.extend(["deduction", "topsis"].map(String::from));
    let mut order: Vec<usize> = (0..ev.units.len()).collect();
    order.sort_by_key(|i| (ev.evaluation.units[*i].rank.unwrap_or(usize::MAX), *i));
    let rows = order
        .iter()
        .map(|&i| {
            let (info, r) = (&ev.units[i], &ev.evaluation.units[i]);
            let mut row = vec![
                text(r.rank.map_or("-".into(), |k| k.to_string())),
                text(info.unit_id.clone()),
                text(info.name_en.clone()),
                text(num(r.total, 2)),
                text(r.grade.clone().unwrap_or_default()),
            ];
            row.extend(r.dimensions.iter().map(|d| text(num(*d, 1))));
            row.push(text(num(Some(r.deduction), 1)));
            row.push(text(num(r.topsis, 3)));
            row
        })
        .collect();
    print_table(out, &crate::store::queries::QueryResult { columns, rows }, 0)?;
    for (info, r) in ev.units.iter().zip(&ev.evaluation.units) {
        if !r.unscored.is_empty() {
            let why: Vec<&str> = r.unscored.iter().map(|t| t.en.as_str()).collect();
            writeln!(out, "unscored {}: {}", info.unit_id, why.join("; "))?;
        }
    }
    for w in ev.evaluation.warnings.iter().chain(&ev.notes) {
        writeln!(out, "note: {}", w.en)?;
    }
    Ok(())
}

fn print_standing(out: &mut impl Write, s: &Standing) -> anyhow::Result<()> {
    if s.matches {
        writeln!(
            out,
            "published on {} by {} (evaluation {}); the data still match it",
            s.published_at, s.published_by, s.evaluation_id
        )?;
    } else {
        writeln!(
            out,
            "published on {} by {} (evaluation {}); the data have changed since: totals moved by up to {:.2} points, {} grades differ",
            s.published_at,
            s.published_by,
            s.evaluation_id,
            s.largest_change,
            s.grades_changed.len()
        )?;
    }
    Ok(())
}
