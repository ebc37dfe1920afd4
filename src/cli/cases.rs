//! `mams cases`: search the case library, promote a suspect, export and import.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;

use super::InfoFormat;
use super::print::print_table;
use crate::store::{Project, queries};

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// Search the library (Chinese or English); an empty query lists every case.
    Search {
        project: PathBuf,
        #[arg(default_value = "")]
        query: String,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Make a case of a confirmed suspect, pre-filled from its evidence.
    Promote { project: PathBuf, suspect: String },
    /// Write the library to a .json or .xlsx file (personal values in the evidence masked).
    Export {
        project: PathBuf,
        file: PathBuf,
        /// Personal values in full; recorded in the project's access log.
        #[arg(long)]
        unmasked: bool,
    },
    /// Merge a .json or .xlsx library into the project by case id (no duplicates).
    Import { project: PathBuf, file: PathBuf },
}

pub fn cases(what: CasesCommand) -> anyhow::Result<()> {
    use crate::audit::cases;
    use duckdb::types::Value;
    match what {
        CasesCommand::Search {
            project,
            query,
            format,
        } => {
            let p = Project::open_read_only(&project)?;
            let all = crate::store::cases::all(&p)?;
            let hits = cases::search(&all, &query);
            let mut out = std::io::stdout().lock();
            if format == InfoFormat::Json {
                let found: Vec<&crate::store::cases::Case> = hits.iter().map(|(i, _)| &all[*i]).collect();
                writeln!(out, "{}", serde_json::to_string_pretty(&found)?)?;
                return Ok(());
            }
            let rows = hits
                .iter()
                .map(|(i, _)| {
                    let c = &all[*i];
                    vec![
                        Value::Text(c.case_id.clone()),
                        Value::Text(c.case_date.map(|d| d.to_string()).unwrap_or_default()),
                        Value::Text(c.rule_id.clone().unwrap_or_default()),
                        Value::Text(
                            c.amount
                                .map(|a| crate::metrics::format::number(a, 0))
                                .unwrap_or_default(),
                        ),
                        Value::Text(c.title.clone()),
                    ]
                })
                .collect();
            let table = queries::QueryResult {
                columns: ["case", "date", "rule", "amount", "title"]
                    .map(String::from)
                    .to_vec(),
                rows,
            };
            print_table(&mut out, &table, 0)
        }
        CasesCommand::Promote { project, suspect } => {
            let p = Project::open(&project)?;
            let s = crate::store::audit::suspect(&p, &suspect)?
                .ok_or_else(|| anyhow::anyhow!("no suspect {suspect} in the project"))?;
            let confirmed =
                crate::audit::triage::Status::parse(&s.status).is_some_and(|st| st.is_confirmed());
            if !confirmed {
                bail!(
                    "suspect {suspect} is {}: only a confirmed problem becomes a case",
                    s.status
                );
            }
            let (rules, _) = crate::audit::run::library(&p)?;
            let case = cases::promote(
                &s,
                rules.iter().find(|r| r.id == s.rule_id),
                chrono::Local::now().date_naive(),
            );
            cases::save(&p, &case, &[])?;
            println!("{}  {}", case.case_id, case.title);
            Ok(())
        }
        CasesCommand::Export {
            project,
            file,
            unmasked,
        } => {
            let p = if unmasked {
                Project::open(&project)?
            } else {
                Project::open_read_only(&project)?
            };
            let n = cases::export(&p, &file, crate::privacy::Disclosure::unmasked(unmasked))?;
            eprintln!("{n} cases written to {}", file.display());
            Ok(())
        }
        CasesCommand::Import { project, file } => {
            let list = cases::read_file(&file)?;
            let p = Project::open(&project)?;
            let n = cases::merge(&p, &list, &file.display().to_string())?;
            eprintln!("{} cases added, {} updated", n.added, n.updated);
            Ok(())
        }
    }
}
