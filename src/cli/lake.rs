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
    /// Make PROJECT (new) read a slice of the lake in DIR in place, without importing it:
    /// its data tables become views over the slice's Parquet files only (the other months'
    /// and cities' partitions are never read). The pages and rules work as on imported data;
    /// the prebuilt sums are built for the slice. Imports into it are refused.
    Attach {
        project: PathBuf,
        dir: PathBuf,
        /// The unit whose subtree is read (default: the whole org tree); a city reads one
        /// city partition.
        #[arg(long)]
        unit: Option<String>,
        /// First month read, YYYY-MM (default: the lake's first).
        #[arg(long, value_parser = super::parse_month)]
        from: Option<chrono::NaiveDate>,
        /// Last month read, YYYY-MM (default: the lake's last).
        #[arg(long, value_parser = super::parse_month)]
        to: Option<chrono::NaiveDate>,
    },
}

pub fn run(what: &LakeCommand) -> anyhow::Result<()> {
    match what {
        LakeCommand::Attach {
            project,
            dir,
            unit,
            from,
            to,
        } => {
            let started = std::time::Instant::now();
            let slice = crate::lake::attach::Slice {
                unit: unit.clone(),
                from: *from,
                to: *to,
            };
            let progress = super::terminal_progress();
            let a = crate::lake::attach::attach(project, dir, &slice, &progress)?;
            for (table, files, rows) in &a.tables {
                println!("{table:<20} {rows:>12} rows  {files:>6} files");
            }
            println!(
                "{} reads {} ({} units from {}), {} to {}, in place; attached in {:.1} s.",
                project.display(),
                dir.display(),
                a.units,
                a.root,
                a.from,
                a.to,
                started.elapsed().as_secs_f64()
            );
            let p = Project::open(project)?;
            if let Some(s) = crate::store::kpi::refresh_after_import(&p, &progress) {
                println!("Indicator sums built for the slice in {s:.1} s.");
            }
            Ok(())
        }
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
