//! `mams sample`: write the extracts of a fictional sample province.

use std::path::Path;

use super::terminal_progress;
use crate::metrics::format::group_digits;
use crate::sample::{self, SampleSpec};

pub fn run(out: &Path, spec: SampleSpec) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    let m = sample::generate(&spec, out, &terminal_progress())?;
    let rows: u64 = m.tables.iter().map(|f| f.rows).sum();
    eprintln!(
        "wrote {} tables ({} rows) and the ground truth ({}) to {} in {:.1} s",
        m.tables.len(),
        group_digits(rows),
        m.extras
            .iter()
            .map(|f| f.file.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        out.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
