//! `mams kpi`: the indicators of the Views for Leaders page for a month and a unit.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;

use super::InfoFormat;
use super::print::print_cards;
use crate::store::Project;

pub fn run(project: &Path, period: NaiveDate, unit: Option<&str>, format: InfoFormat) -> anyhow::Result<()> {
    // Writable when it can be, to build the indicator sums once for later calls;
    // read-only (the sums then computed on the fly) when the app has it open.
    let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
    let unit = crate::metrics::kpi::check_scope(&p, period, unit)?;
    let cards = crate::metrics::kpi::cards(&p, period, &unit, None)?;
    let mut out = std::io::stdout().lock();
    match format {
        InfoFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "period": period.format("%Y-%m").to_string(),
                "unit": unit,
                "indicators": cards,
            }))?
        )?,
        InfoFormat::Table => print_cards(&mut out, period, &unit, &cards)?,
    }
    Ok(())
}
