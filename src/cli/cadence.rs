//! `mams cadence`: what the working cadence asks for on a day (today by default): the items
//! due, the ones overdue, each with its state; `--prepare` builds their bulletins as drafts;
//! `--use FILE` gives the project its own cadence, `--reset` goes back to MAMS's.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Args;

use crate::bulletins::agenda::{self, Line};
use crate::bulletins::cadence::{Cadence, State};
use crate::store::Project;

#[derive(Debug, Args)]
pub struct CadenceArgs {
    pub project: PathBuf,
    /// The day to look at (YYYY-MM-DD); default today.
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// Prepare every item due or overdue that is not prepared yet (its bulletin is built
    /// and kept as a draft to review and publish).
    #[arg(long)]
    pub prepare: bool,
    /// Give the project its own cadence from a JSON file (the form of assets/cadence.json).
    #[arg(long = "use", value_name = "FILE", conflicts_with_all = ["reset", "prepare"])]
    pub use_file: Option<PathBuf>,
    /// Go back to the cadence MAMS ships.
    #[arg(long, conflicts_with = "prepare")]
    pub reset: bool,
    #[arg(long)]
    pub json: bool,
}

fn print_line(l: &Line, overdue: bool) {
    println!(
        "  {}  {:<32} {:<10} {:<10} {:<12} {}{}",
        l.occurrence.due,
        l.name.en,
        l.occurrence.kind.id(),
        l.occurrence.period,
        l.state.name(false),
        l.role.en,
        if overdue { "  (overdue)" } else { "" }
    );
}

pub fn run(a: &CadenceArgs) -> anyhow::Result<()> {
    if let Some(file) = &a.use_file {
        let json = std::fs::read_to_string(file)
            .map_err(|e| crate::said!("cannot read {}: {e}", "无法读取 {}：{e}", file.display()))?;
        Cadence::parse(&json)?;
        let p = Project::open(&a.project)?;
        crate::store::bulletins::set_cadence(&p, Some(&json), chrono::Local::now().naive_local())?;
        println!("the project now keeps the cadence of {}", file.display());
        return Ok(());
    }
    if a.reset {
        let p = Project::open(&a.project)?;
        crate::store::bulletins::set_cadence(&p, None, chrono::Local::now().naive_local())?;
        println!("the project now keeps the cadence MAMS ships");
        return Ok(());
    }
    let p = if a.prepare {
        Project::open(&a.project)?
    } else {
        Project::open(&a.project).or_else(|_| Project::open_read_only(&a.project))?
    };
    let cadence = agenda::in_force(&p, agenda::cadence(&p)?)?;
    let date = a.date.unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut ag = agenda::agenda(&p, &cadence, date)?;
    if a.prepare {
        for l in ag.today.iter_mut().chain(ag.overdue.iter_mut()) {
            if l.state != State::NotPrepared {
                continue;
            }
            match agenda::prepare(&p, l, &crate::progress::Progress::new()) {
                Ok(_) => l.state = State::Prepared,
                Err(e) => eprintln!(
                    "{} of {} could not be prepared: {}",
                    l.name.en,
                    l.occurrence.period,
                    crate::errors::describe(&e, false)
                ),
            }
        }
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&ag)?);
        return Ok(());
    }
    println!("Due on {} ({}):", date, date.format("%A"));
    if ag.today.is_empty() {
        println!("  nothing");
    }
    for l in &ag.today {
        print_line(l, false);
    }
    println!(
        "Overdue (the last {} days, not published):",
        agenda::LOOKBACK_DAYS
    );
    if ag.overdue.is_empty() {
        println!("  nothing");
    }
    for l in &ag.overdue {
        print_line(l, true);
    }
    Ok(())
}
