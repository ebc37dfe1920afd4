//! `mams lake`: a project's data tables as a province's Parquet lake, partitioned by month
//! and city (docs/province-scale.md).

use std::path::PathBuf;

use clap::Subcommand;

use crate::lake::Personal;
use crate::store::Project;

#[derive(Debug, Subcommand)]
pub enum LakeCommand {
    /// Write the project's data tables into DIR (new or empty) as Parquet partitioned
    /// Hive-style by month and city, with a manifest (lake.json). Personal columns are
    /// pseudonymised (a keyed SHA-256: equal values stay equal) unless --personal-in-full,
    /// which the project's access log records.
    Export {
        project: PathBuf,
        dir: PathBuf,
        #[arg(long)]
        personal_in_full: bool,
    },
}

pub fn run(what: &LakeCommand) -> anyhow::Result<()> {
    match what {
        LakeCommand::Export {
            project,
            dir,
            personal_in_full,
        } => {
            let p = Project::open(project)?;
            let personal = if *personal_in_full {
                Personal::Full
            } else {
                Personal::Pseudonymised
            };
            let started = std::time::Instant::now();
            let m = crate::lake::export::export(&p, dir, personal, &crate::progress::Progress::new())?;
            for t in &m.tables {
                println!(
                    "{:<20} {:>12} rows  {}",
                    t.name,
                    t.rows,
                    if t.partitioned_by.is_empty() {
                        "one file".to_string()
                    } else {
                        format!("by {}", t.partitioned_by.join(", "))
                    }
                );
            }
            println!(
                "Lake written to {} in {:.1} s (personal data {}).",
                dir.display(),
                started.elapsed().as_secs_f64(),
                match personal {
                    Personal::Full => "in full, recorded in the access log",
                    Personal::Pseudonymised => "pseudonymised",
                }
            );
            Ok(())
        }
    }
}
