//! `mams triage`: move suspects along the closed loop, or assign them.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::store::Project;

/// Arguments of `mams triage`.
#[derive(Debug, clap::Args)]
pub struct TriageArgs {
    pub project: PathBuf,
    /// Suspect keys (as `mams audit --format json` prints them).
    #[arg(required = true)]
    pub keys: Vec<String>,
    /// New state; without it the suspects are only assigned.
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
    /// Unit responsible for the rectification.
    #[arg(long)]
    pub assignee: Option<String>,
    /// Due date of the rectification, YYYY-MM-DD.
    #[arg(long)]
    pub due: Option<NaiveDate>,
    /// Money recovered, yuan (to close).
    #[arg(long)]
    pub recovered: Option<f64>,
    /// Why it is a false positive.
    #[arg(long)]
    pub reason: Option<String>,
}

pub fn triage(a: TriageArgs) -> anyhow::Result<()> {
    use crate::audit::triage::{self, Change, Status};
    let to = match a.to.as_deref() {
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            anyhow::anyhow!(
                "no state '{s}': use one of {}",
                Status::ALL.map(|s| s.id()).join(", ")
            )
        })?),
        None => None,
    };
    let p = Project::open(&a.project)?;
    let change = Change {
        to,
        note: a.note,
        assignee_unit: a.assignee,
        due_on: a.due,
        recovered: a.recovered,
        fp_reason: a.reason,
    };
    let n = triage::apply(&p, &a.keys, &change, &crate::account::name())?;
    for key in &a.keys {
        if let Some(s) = crate::store::audit::suspect(&p, key)? {
            println!("{key}  {}", s.status);
        }
    }
    eprintln!("{n} suspects changed");
    Ok(())
}
