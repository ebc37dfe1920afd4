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
    let mut out = std::io::stdout().lock();
    match format {
        InfoFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&info)?)?,
        InfoFormat::Table => print_info(&mut out, &info)?,
    }
    Ok(())
}
