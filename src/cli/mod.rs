//! The command line: argument parsing and the printing of results. Each command is a thin
//! layer over the headless core.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::progress::Progress;
use crate::sample::SampleSpec;

mod analyze;
mod audit;
mod benchmark;
mod board;
mod bulletin;
mod cadence;
mod cases;
mod deck;
mod dq;
mod effect;
mod encrypt;
mod evaluate;
mod import;
mod info;
mod kpi;
mod lake;
mod map;
mod market;
mod print;
mod report;
mod risk;
mod sample;
mod serve;
mod service;
mod sql;
mod triage;

pub use analyze::{AnalyzeCommand, DecomposeMethod, WeightMethod};
pub use audit::AuditArgs;
pub use benchmark::BenchmarkArgs;
pub use cases::CasesCommand;
pub use import::ImportArgs;
pub use map::{MapCommand, MatchArg};
pub use triage::TriageArgs;

#[derive(Debug, Parser)]
#[command(
    name = "mams",
    version = crate::version::line(),
    about = "MAMS, the Marketing Audit & Monitoring Studio: audit and monitoring of electric power marketing",
    long_about = "MAMS, the Marketing Audit & Monitoring Studio.\n\nWithout a command, starts the desktop app \
                  (on PROJECT if given, else on the last project, else on the bundled sample project)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Project file to open in the app.
    #[arg(long, value_name = "PROJECT")]
    pub project: Option<PathBuf>,
    /// The passphrase of an encrypted project, on the first line of this file (else it is
    /// asked at the terminal).
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum InfoFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SqlFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the extracts of a fictional sample province (Parquet files and a manifest).
    Sample {
        /// Folder to write into (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// Number of customer accounts.
        #[arg(long, default_value_t = crate::sample::COMMITTED.customers)]
        customers: u64,
        /// Number of billing months.
        #[arg(long, default_value_t = crate::sample::COMMITTED.months)]
        months: u32,
        /// Random seed: the same arguments always give the same files.
        #[arg(long, default_value_t = crate::sample::COMMITTED.seed)]
        seed: u64,
        /// First billing month, YYYY-MM.
        #[arg(long, default_value = "2024-01", value_parser = parse_month)]
        first_month: NaiveDate,
        /// Natural noise that crosses the rules' thresholds (seasonal customers, production
        /// changes, wider swings) and customers with two planted problems: for measuring
        /// the rules honestly (docs/rules.md).
        #[arg(long)]
        noisy: bool,
    },
    /// Load extracts into a project (created if needed), in one transaction.
    ///
    /// `mams import PROJECT DIR` loads an extract folder with a manifest.json (such as
    /// sample-db/). `mams import PROJECT --table TABLE FILE...` loads CSV/TSV/TXT, Excel or
    /// Parquet files (or folders of them) into one table: encoding detected (UTF-8,
    /// GBK/GB18030, UTF-16), Chinese headers matched to fields, values converted and checked;
    /// rejected rows are listed. See docs/importing.md.
    Import(ImportArgs),
    /// Show what a project holds: schema version, each table's rows and months.
    Info {
        project: PathBuf,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Print the indicators of the Views for Leaders page for a month and an org unit:
    /// value, target, last month, last year, status (the same numbers the cards show).
    Kpi {
        project: PathBuf,
        /// The month, YYYY-MM.
        #[arg(long, value_parser = parse_month)]
        period: NaiveDate,
        /// Org unit id (its subtree is counted); default: the top unit.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Print the Service quality page for a month and an org unit: the service indicators of
    /// the units one level down, tickets by type, reliability over 13 months with and
    /// without major event days (IEEE 1366, judged for the whole system), repeat
    /// complainers. The same numbers the page shows. CSV sections: units, tickets,
    /// reliability, repeat.
    Service(report::PageArgs),
    /// Print the Key market page for a month and an org unit: the largest customers,
    /// applications by step, handling times against the time limits, open applications over
    /// their limit, customers and kWh by class, voltage and industry, the collection curve
    /// and arrears by days past due. The same numbers the page shows. CSV sections:
    /// key_customers, funnel, handling, overdue, by_class, by_voltage, by_industry,
    /// collection, arrears.
    Market {
        #[command(flatten)]
        page: report::PageArgs,
        /// Narrow the customers, handling times and open applications to one class.
        #[arg(long)]
        class: Option<String>,
    },
    /// Print the Comprehensive Bulletin Board for a month and an org unit: the units one
    /// level down ranked on the composite of their indicators, and every indicator off its
    /// target. The same numbers the page shows. CSV sections: ranking, misses.
    Board(report::PageArgs),
    /// Run the audit rules over a month (or a range of months) and an org unit, store the
    /// suspects they find (their triage state is kept across runs), and print them.
    Audit(AuditArgs),
    /// Move suspects along the closed loop (new, verifying, confirmed, false_positive,
    /// rectifying, rectified, closed), or assign them; every change goes to the audit trail.
    Triage(TriageArgs),
    /// The case library: search it, promote a suspect to a case, export and import it.
    Cases {
        #[command(subcommand)]
        what: CasesCommand,
    },
    /// The map's own geography: import org-unit boundaries or a point layer from GeoJSON,
    /// list or remove the imported layers.
    Map {
        #[command(subcommand)]
        what: MapCommand,
    },
    /// Evaluate the units one level below a unit for a month, a quarter (quarterly
    /// evaluation) or a year (annual examination) under an index system: indicator values
    /// and scores, dimension scores, total, grade, rank (docs/evaluation.md).
    Evaluate {
        project: PathBuf,
        /// YYYY-MM, YYYYQn or YYYY.
        #[arg(long)]
        period: String,
        /// Index system by name (and year): default the one shipped with MAMS.
        #[arg(long)]
        system: Option<String>,
        /// The units below this one are evaluated; default: the top unit.
        #[arg(long)]
        unit: Option<String>,
        /// Keep the result as published (immutable) and raise the improvement items.
        #[arg(long)]
        publish: bool,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Write a bulletin of an org unit for a period as PDF, DOCX or HTML, in English or
    /// Chinese: the daily brief, the weekly notification, the monthly analysis, the
    /// quarterly evaluation or the annual examination; --publish keeps it in the project.
    /// See docs/bulletins.md.
    Bulletin(bulletin::BulletinArgs),
    /// The working cadence on a day (default today): the items due (daily brief, weekly
    /// meeting, monthly meeting, quarterly evaluation, annual examination), the overdue
    /// ones, each with its state; --prepare builds their bulletins as drafts.
    Cadence(cadence::CadenceArgs),
    /// Data quality: run the checks (exit status 1 when one is below its threshold), scores,
    /// column profiles, the worklist for the source systems, warnings (docs/data-quality.md).
    Dq {
        #[command(subcommand)]
        what: dq::DqCommand,
    },
    /// Marketing risk points: the register, levels per unit and month, measures and their
    /// improvement effect (docs/risks.md).
    Risk {
        #[command(subcommand)]
        what: risk::RiskCommand,
    },
    /// The province's lake: export the data tables as Parquet partitioned by month and city
    /// (docs/province-scale.md).
    Lake {
        #[command(subcommand)]
        what: lake::LakeCommand,
    },
    /// Decks for the monthly meeting: list them, make a month's default deck, write one as
    /// a PDF of 1920 x 1080 pages (personal data masked unless --unmasked).
    Deck {
        #[command(subcommand)]
        what: deck::DeckCommand,
    },
    /// The published bulletins: list them (with whether their data changed since), export
    /// one again.
    Bulletins {
        #[command(subcommand)]
        what: bulletin::BulletinsCommand,
    },
    /// Benchmark the units one level below a unit against the best of their peer group and
    /// its top quartile (per indicator and in total, the gap as a sentence), and the unit
    /// against external peers; `mams benchmark import PROJECT FILE` loads peer figures.
    Benchmark(BenchmarkArgs),
    /// Index-related factor analysis: explain a change by its factors and groups.
    Analyze {
        #[command(subcommand)]
        what: AnalyzeCommand,
    },
    /// Run one read-only SQL query on a project. Statements that would write are refused.
    Sql {
        project: PathBuf,
        query: String,
        #[arg(long, value_enum, default_value_t = SqlFormat::Table)]
        format: SqlFormat,
        /// Print at most this many rows in the table format (0: all).
        #[arg(long, default_value_t = 1000)]
        max_rows: usize,
        /// Personal columns in full (masked by default); recorded in the project's access
        /// log, so the project must not be open in the app.
        #[arg(long)]
        unmasked: bool,
    },
    /// Panics on purpose, to check that a crash leaves a report (tests, support).
    #[command(hide = true)]
    CrashTest,
    /// The project's access log: each time personal data left MAMS in full, by whom, when,
    /// by which path, which columns and how many rows.
    AccessLog {
        project: PathBuf,
        /// The newest entries shown.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Encrypt a project at rest with a passphrase (AES-GCM, DuckDB's own encryption), or
    /// change the passphrase of an encrypted one. The passphrase is asked twice at the
    /// terminal, never stored; without it the project cannot be opened. See
    /// docs/security.md.
    Encrypt {
        project: PathBuf,
        /// The new passphrase, on the first line of this file (else asked at the terminal).
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
    /// Make an encrypted project plain again (recorded in its access log).
    Decrypt { project: PathBuf },
    /// Serve the project to phones on the local network (HTTPS): leaders' cards, the board's
    /// misses, the latest bulletin, and inspectors' suspects with on-site records. Shows a
    /// one-time pairing code and its QR code; q and Enter stop. See docs/phone-access.md.
    Serve {
        project: PathBuf,
        /// Address and port to listen on (default: every address, port 7443).
        #[arg(long, value_name = "ADDR:PORT")]
        bind: Option<std::net::SocketAddr>,
        /// The unit whose work the devices paired now are shown (default: the top unit).
        #[arg(long)]
        unit: Option<String>,
        /// Let the devices paired now see personal data in full (each time recorded in the
        /// access log); masked otherwise.
        #[arg(long)]
        allow_personal: bool,
        /// Plain HTTP instead of HTTPS: only with a loopback --bind (tests, load tests).
        #[arg(long)]
        plain_http: bool,
    },
    /// The devices paired for phone access: name, unit, permission, last use; or revoke one.
    Devices {
        project: PathBuf,
        /// Revoke this device (its id in the list): its token is refused at once.
        #[arg(long, value_name = "ID")]
        revoke: Option<i64>,
    },
}

fn parse_encoding(s: &str) -> Result<crate::import::source::Encoding, String> {
    crate::import::source::Encoding::parse(s).map_err(|e| e.to_string())
}

fn parse_month(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a month: use YYYY-MM, for example 2024-01"))
}

/// Prints progress on stderr: one updating line on a terminal, a line per step otherwise.
pub fn terminal_progress() -> Progress {
    let tty = std::io::stderr().is_terminal();
    let last = std::sync::Mutex::new(String::new());
    Progress::new().with_listener(move |s| {
        let pct = s
            .fraction
            .map(|f| format!("{:3.0}%", f * 100.0))
            .unwrap_or_else(|| "  … ".into());
        let mut err = std::io::stderr();
        if tty {
            let _ = write!(err, "\r\x1b[2K[{pct}] {}", s.message.en);
            if s.fraction == Some(1.0) {
                let _ = writeln!(err);
            }
        } else {
            let mut last = last.lock().expect("progress line");
            if *last != s.message.en {
                let _ = writeln!(err, "[{pct}] {}", s.message.en);
                *last = s.message.en.clone();
            }
        }
    })
}

/// Sets how the command line answers an encrypted project's need for a passphrase (once, at
/// start): from the file, else at the terminal.
pub fn set_passphrase_source(file: Option<&std::path::Path>) -> anyhow::Result<()> {
    let pass = file.map(encrypt::read_passphrase_file).transpose()?;
    crate::store::keys::set_prompt(encrypt::prompt(pass));
    Ok(())
}

/// Runs a command; the caller prints the error and sets the exit code.
pub fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Sample {
            out,
            customers,
            months,
            seed,
            first_month,
            noisy,
        } => sample::run(
            &out,
            SampleSpec {
                customers,
                months,
                seed,
                first_month,
                noisy,
            },
        ),
        Command::Import(args) => import::run(args),
        Command::Info { project, format } => info::run(&project, format),
        Command::Kpi {
            project,
            period,
            unit,
            format,
        } => kpi::run(&project, period, unit.as_deref(), format),
        Command::Service(page) => service::run(&page),
        Command::Market { page, class } => market::run(&page, class.as_deref()),
        Command::Board(page) => board::run(&page),
        Command::Audit(a) => audit::audit(a),
        Command::Triage(a) => triage::triage(a),
        Command::Cases { what } => cases::cases(what),
        Command::Map { what } => map::map(what),
        Command::Benchmark(a) => benchmark::run(a),
        Command::Bulletin(args) => bulletin::run(&args),
        Command::Bulletins { what } => bulletin::run_published(&what),
        Command::Cadence(args) => cadence::run(&args),
        Command::Deck { what } => deck::run(&what),
        Command::Lake { what } => lake::run(&what),
        Command::Dq { what } => dq::run(&what),
        Command::Risk { what } => risk::run(&what),
        Command::Evaluate {
            project,
            period,
            system,
            unit,
            publish,
            format,
        } => evaluate::run(&evaluate::EvaluateArgs {
            project: &project,
            period: &period,
            system: system.as_deref(),
            unit: unit.as_deref(),
            publish,
            format,
        }),
        Command::Analyze {
            what:
                AnalyzeCommand::Decompose {
                    input,
                    method,
                    format,
                },
        } => analyze::decompose(&input, method, format),
        Command::Analyze {
            what:
                AnalyzeCommand::Did {
                    input,
                    start,
                    higher_is_better,
                    format,
                },
        } => effect::from_csv(&input, start, higher_is_better, effect::Model::Did, format),
        Command::Analyze {
            what:
                AnalyzeCommand::Its {
                    input,
                    start,
                    higher_is_better,
                    format,
                },
        } => effect::from_csv(&input, start, higher_is_better, effect::Model::Its, format),
        Command::Analyze {
            what: AnalyzeCommand::Ahp { input, format },
        } => analyze::ahp(&input, format),
        Command::Analyze {
            what:
                AnalyzeCommand::Malmquist {
                    input,
                    base,
                    target,
                    inputs,
                    outputs,
                    format,
                },
        } => analyze::malmquist(analyze::MalmquistArgs {
            input: &input,
            base: &base,
            target: &target,
            inputs: &inputs,
            outputs: &outputs,
            format,
        }),
        Command::Analyze {
            what:
                AnalyzeCommand::Dea {
                    input,
                    inputs,
                    outputs,
                    model,
                    orientation,
                    super_efficiency,
                    format,
                },
        } => analyze::dea(analyze::DeaArgs {
            input: &input,
            inputs: &inputs,
            outputs: &outputs,
            model,
            orientation,
            super_efficiency,
            format,
        }),
        Command::Analyze {
            what:
                AnalyzeCommand::Weights {
                    input,
                    method,
                    lower_better,
                    format,
                },
        } => analyze::weights(&input, method, &lower_better, format),
        Command::Analyze {
            what:
                AnalyzeCommand::Change {
                    project,
                    indicator,
                    period,
                    base,
                    unit,
                    format,
                },
        } => analyze::why_changed(&project, &indicator, period, base, unit, format),
        Command::Sql {
            project,
            query,
            format,
            max_rows,
            unmasked,
        } => sql::run(&project, &query, format, max_rows, unmasked),
        Command::CrashTest => {
            tracing::info!("crash test requested");
            panic!("deliberate crash (mams crash-test), id 110101199003071234");
        }
        Command::Encrypt {
            project,
            new_passphrase_file,
        } => encrypt::encrypt(&project, new_passphrase_file.as_deref()),
        Command::Decrypt { project } => encrypt::decrypt(&project),
        Command::Serve {
            project,
            bind,
            unit,
            allow_personal,
            plain_http,
        } => serve::serve(serve::ServeArgs {
            project: &project,
            bind,
            unit,
            allow_personal,
            plain_http,
        }),
        Command::Devices { project, revoke } => serve::devices(&project, revoke),
        Command::AccessLog { project, limit } => {
            let p = crate::store::Project::open_read_only(&project)?;
            let entries = crate::store::access_log::list(&p, limit)?;
            let mut out = std::io::stdout().lock();
            if entries.is_empty() {
                writeln!(out, "No personal data has left this project in full.")?;
                return Ok(());
            }
            let result = crate::store::queries::QueryResult {
                columns: ["at", "actor", "channel", "what", "columns", "rows"]
                    .map(String::from)
                    .to_vec(),
                rows: entries
                    .into_iter()
                    .map(|e| {
                        use duckdb::types::Value::{BigInt, Text};
                        vec![
                            Text(e.at.format("%Y-%m-%d %H:%M:%S").to_string()),
                            Text(e.actor),
                            Text(e.channel),
                            Text(e.what),
                            Text(e.columns),
                            BigInt(e.rows as i64),
                        ]
                    })
                    .collect(),
            };
            print::print_table(&mut out, &result, 0)
        }
    }
}

/// Words a DuckDB error of `mams sql` for a user; writes get a plain refusal.
fn refusal(e: &duckdb::Error) -> anyhow::Error {
    let msg = e.to_string();
    let lower = msg.to_lowercase();
    // Writes fail on the read-only connection; COPY TO and ATTACH fail because file access
    // is switched off.
    let refused = [
        "read-only",
        "read only",
        "external access",
        "disabled by configuration",
    ];
    if refused.iter().any(|r| lower.contains(r)) {
        anyhow::anyhow!(
            "refused: `mams sql` is read-only and this statement would write ({})",
            msg.lines().next().unwrap_or("")
        )
    } else {
        anyhow::anyhow!("query failed: {msg}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table_file::csv_field;

    #[test]
    fn digits_group_and_csv_quotes() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert!(parse_month("2024-13").is_err());
        assert_eq!(
            parse_month("2024-02").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()
        );
    }
}
