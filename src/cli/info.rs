//! `mams info`: what a project holds.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use super::InfoFormat;
use super::print::print_info;
use crate::store::{Project, queries};

pub fn run(project: &Path, format: InfoFormat) -> anyhow::Result<()> {
    let p = Project::open_read_only(project)?;
    let info = queries::project_info(&p).context("cannot read the project")?;
    let trail = crate::audit::chain::verify(&p).context("cannot read the audit trail")?;
    let mut out = std::io::stdout().lock();
    match format {
        InfoFormat::Json => {
            let mut v = serde_json::to_value(&info)?;
            v["audit_trail"] = serde_json::to_value(&trail)?;
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?
        }
        InfoFormat::Table => {
            print_info(&mut out, &info)?;
            writeln!(out, "{}", trail.text().en)?;
        }
    }
    // A broken chain is a failure a scheduled check should see.
    if !trail.is_intact() {
        return Err(anyhow::Error::new(crate::text::Said(trail.text())));
    }
    Ok(())
}
