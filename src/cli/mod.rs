//! The command line: argument parsing and the printing of results. Each command is a thin
//! layer over the headless core.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::metrics::format::group_digits;
use crate::progress::Progress;
use crate::sample::{self, SampleSpec};
use crate::store::{Project, queries};
use crate::table_file::csv_field;

mod board;
mod market;
mod report;
mod service;

#[derive(Debug, Parser)]
#[command(
    name = "mams",
    version,
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
        #[arg(long, default_value_t = sample::COMMITTED.customers)]
        customers: u64,
        /// Number of billing months.
        #[arg(long, default_value_t = sample::COMMITTED.months)]
        months: u32,
        /// Random seed: the same arguments always give the same files.
        #[arg(long, default_value_t = sample::COMMITTED.seed)]
        seed: u64,
        /// First billing month, YYYY-MM.
        #[arg(long, default_value = "2024-01", value_parser = parse_month)]
        first_month: NaiveDate,
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
            let _ = write!(err, "\r\x1b[2K[{pct}] {}", s.message);
            if s.fraction == Some(1.0) {
                let _ = writeln!(err);
            }
        } else {
            let mut last = last.lock().expect("progress line");
            if *last != s.message {
                let _ = writeln!(err, "[{pct}] {}", s.message);
                *last = s.message.clone();
            }
        }
    })
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
        } => {
            let spec = SampleSpec {
                customers,
                months,
                seed,
                first_month,
            };
            let t = std::time::Instant::now();
            let m = sample::generate(&spec, &out, &terminal_progress())?;
            let rows: u64 = m.tables.iter().map(|f| f.rows).sum();
            eprintln!(
                "wrote {} tables ({} rows) and {} to {} in {:.1} s",
                m.tables.len(),
                group_digits(rows),
                sample::TRUTH_FILE,
                out.display(),
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Import(args) => match &args.table {
            None => {
                let [dir] = args.paths.as_slice() else {
                    bail!("to load files name their table with --table; without it, name one extract folder");
                };
                let (project, report) =
                    crate::import::build_project(&args.project, dir, &terminal_progress())?;
                eprintln!(
                    "{}: import {} stored {} rows in {} tables ({:.1} s)",
                    args.project.display(),
                    report.import_id,
                    group_digits(report.tables.iter().map(|(_, n)| n).sum()),
                    report.tables.len(),
                    report.seconds
                );
                refresh_sums(&project);
                Ok(())
            }
            Some(_) => import_files(args),
        },
        Command::Info { project, format } => {
            let p = Project::open_read_only(&project)?;
            let info = queries::project_info(&p).context("cannot read the project")?;
            let mut out = std::io::stdout().lock();
            match format {
                InfoFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&info)?)?,
                InfoFormat::Table => print_info(&mut out, &info)?,
            }
            Ok(())
        }
        Command::Kpi {
            project,
            period,
            unit,
            format,
        } => {
            // Writable when it can be, to build the indicator sums once for later calls;
            // read-only (the sums then computed on the fly) when the app has it open.
            let p = Project::open(&project).or_else(|_| Project::open_read_only(&project))?;
            let unit = crate::metrics::kpi::check_scope(&p, period, unit.as_deref())?;
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
        Command::Service(page) => service::run(&page),
        Command::Market { page, class } => market::run(&page, class.as_deref()),
        Command::Board(page) => board::run(&page),
        Command::Audit(a) => audit(a),
        Command::Triage(a) => triage(a),
        Command::Cases { what } => cases(what),
        Command::Map { what } => map(what),
        Command::Analyze {
            what:
                AnalyzeCommand::Decompose {
                    input,
                    method,
                    format,
                },
        } => decompose(&input, method, format),
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
        } => why_changed(&project, &indicator, period, base, unit, format),
        Command::Sql {
            project,
            query,
            format,
            max_rows,
        } => {
            let p = Project::open_read_only(&project)?;
            let limit = (format == SqlFormat::Table && max_rows > 0).then_some(max_rows);
            let result = queries::run_sql(&p, &query, limit.map(|m| m + 1)).map_err(|e| refusal(&e))?;
            let mut out = std::io::stdout().lock();
            match format {
                SqlFormat::Table => print_table(&mut out, &result, max_rows)?,
                SqlFormat::Csv => print_csv(&mut out, &result)?,
                SqlFormat::Json => print_json(&mut out, &result)?,
            }
            Ok(())
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DecomposeMethod {
    /// LMDI-I of a sum of products: columns group,period,<factor>...
    Lmdi,
    /// Rate/mix split of a ratio: columns group,period,numerator,denominator
    Ratemix,
}

#[derive(Debug, Subcommand)]
pub enum AnalyzeCommand {
    /// Decompose the change between a base and a target period (see docs/analysis.md).
    Decompose {
        /// CSV file; period is `base` or `target`.
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum)]
        method: DecomposeMethod,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Why an indicator of a unit changed: its change split over the units one level down.
    Change {
        project: PathBuf,
        /// Indicator id (as `mams kpi` prints them), e.g. collection_rate.
        #[arg(long)]
        indicator: String,
        /// The month explained, YYYY-MM.
        #[arg(long, value_parser = parse_month)]
        period: NaiveDate,
        /// The month compared with (default: the month before).
        #[arg(long, value_parser = parse_month)]
        base: Option<NaiveDate>,
        /// Org unit (default: the top unit).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
}

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
    /// Write the library to a .json or .xlsx file.
    Export { project: PathBuf, file: PathBuf },
    /// Merge a .json or .xlsx library into the project by case id (no duplicates).
    Import { project: PathBuf, file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum MapCommand {
    /// Replace the boundaries of the org units that a GeoJSON file's features name (by
    /// unit code or name, in the property given). The whole file is checked first; a bad
    /// file changes nothing.
    Boundaries {
        project: PathBuf,
        file: PathBuf,
        /// The feature property holding the unit code or name.
        #[arg(long = "match")]
        property: String,
    },
    /// Store a GeoJSON file as a named layer (replacing a layer of that name), its features
    /// matched to org units or customers by a property.
    Layer {
        project: PathBuf,
        file: PathBuf,
        /// The layer's name.
        #[arg(long)]
        name: String,
        /// What features are matched to.
        #[arg(long, value_enum, default_value_t = MatchArg::Nothing)]
        to: MatchArg,
        /// The feature property holding the id or name matched.
        #[arg(long = "match", required_if_eq_any = [("to", "units"), ("to", "customers")])]
        property: Option<String>,
    },
    /// List the basemap and the imported layers.
    Layers { project: PathBuf },
    /// Remove an imported layer.
    Remove { project: PathBuf, name: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchArg {
    Nothing,
    Units,
    Customers,
}

/// Arguments of `mams audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Project file (.duckdb).
    pub project: PathBuf,
    /// First month audited, YYYY-MM.
    #[arg(long, value_parser = parse_month, required_unless_present = "list")]
    pub period: Option<NaiveDate>,
    /// Last month audited, YYYY-MM (default: the first).
    #[arg(long, value_parser = parse_month)]
    pub to: Option<NaiveDate>,
    /// Rules to run, comma-separated ids (default: all).
    #[arg(long, value_delimiter = ',')]
    pub rules: Vec<String>,
    /// Run the rules of one category: archive, metering, billing, collection, expansion, service.
    #[arg(long)]
    pub category: Option<String>,
    /// Org unit whose subtree is audited (default: the top unit).
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long, value_enum, default_value_t = SqlFormat::Table)]
    pub format: SqlFormat,
    /// Print at most this many suspects in the table format (0: all).
    #[arg(long, default_value_t = 100)]
    pub max_rows: usize,
    /// List the rules (id, category, severity, name, parameters in effect) and stop.
    #[arg(long)]
    pub list: bool,
}

/// Arguments of `mams import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Project file (.duckdb).
    pub project: PathBuf,
    /// An extract folder, or with --table the files to load.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Load the files into this table (see docs/data-model.md).
    #[arg(long)]
    pub table: Option<String>,
    /// Use this saved column mapping instead of the suggested one.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Save the mapping used under this name, to reuse with --profile.
    #[arg(long, value_name = "NAME")]
    pub save_profile: Option<String>,
    /// Text encoding of CSV files: utf-8, gbk, gb18030, utf-16le, utf-16be (default: detected).
    #[arg(long, value_parser = parse_encoding)]
    pub encoding: Option<crate::import::source::Encoding>,
    /// Lines (or sheet rows) to skip before the header row (report titles).
    #[arg(long, default_value_t = 0)]
    pub skip_lines: u32,
    /// The sheet of a workbook to read (default: the first sheet with data).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Replace the months of the table that the files bring (otherwise refused).
    #[arg(long)]
    pub replace_period: bool,
    /// Store nothing if any row is rejected (default: store the good rows).
    #[arg(long)]
    pub all_or_nothing: bool,
    /// Write the rejected rows (file, row, column, value, reason) to this file: CSV, or
    /// an Excel workbook when it ends in .xlsx.
    #[arg(long, value_name = "OUT.csv|OUT.xlsx")]
    pub rejects: Option<PathBuf>,
}

/// Updates the prebuilt sums after an import, so that the app's pages and `mams kpi` answer
/// at once (a failure leaves them to be rebuilt at the next look; the import stands).
fn refresh_sums(project: &Project) {
    if let Some(s) = crate::store::kpi::refresh_after_import(project, &terminal_progress()) {
        eprintln!("indicator sums updated in {s:.1} s");
    }
}

fn import_files(a: ImportArgs) -> anyhow::Result<()> {
    use crate::import::file::{self, FileOptions, NothingStored};
    let files = crate::import::file::expand(&a.paths)?;
    let table = a.table.clone().unwrap_or_default();
    let existed = a.project.exists();
    let project = Project::open_or_create(&a.project)?;
    let mapping = match &a.profile {
        Some(name) => Some(crate::store::profiles::load(&project, name)?),
        None => None,
    };
    if let Some(m) = &mapping
        && m.table != table
    {
        bail!(
            "profile '{}' maps to table {}, not {}",
            a.profile.as_deref().unwrap_or(""),
            m.table,
            table
        );
    }
    let opts = FileOptions {
        encoding: a.encoding,
        skip_lines: a.skip_lines,
        sheet: a.sheet.clone(),
        mapping,
        profile: a.profile.clone(),
        replace_period: a.replace_period,
        all_or_nothing: a.all_or_nothing,
        ..FileOptions::default()
    };
    let result = file::import_files(&project, &table, &files, &opts, &terminal_progress());
    let rejects = match &result {
        Ok(r) => r.rejects.clone(),
        Err(e) => e
            .downcast_ref::<NothingStored>()
            .map(|n| n.rejects.clone())
            .unwrap_or_default(),
    };
    if let Some(out) = &a.rejects {
        file::write_rejects(out, &rejects)?;
    }
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            drop(project);
            if !existed {
                crate::store::remove_project_files(&a.project);
            }
            return Err(e);
        }
    };
    if let (Some(name), Some(m)) = (&a.save_profile, &report.mapping) {
        crate::store::profiles::save(&project, name, m)?;
        eprintln!("saved the mapping as profile '{name}'");
    }
    eprintln!(
        "{}: import {} stored {} of {} rows in {} ({} rejected{}){} in {:.1} s",
        a.project.display(),
        report.import_id,
        group_digits(report.rows_stored),
        group_digits(report.rows_in),
        table,
        group_digits(report.rows_rejected),
        if a.rejects.is_some() && report.rows_rejected > 0 {
            ", listed in the rejects file"
        } else {
            ""
        },
        if report.replaced_months.is_empty() {
            String::new()
        } else {
            format!(
                ", replacing {}",
                report
                    .replaced_months
                    .iter()
                    .map(|m| m.format("%Y-%m").to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        report.seconds
    );
    refresh_sums(&project);
    // The first few rejects, so the user sees why without opening a file.
    for r in report.rejects.iter().take(5) {
        eprintln!(
            "  rejected {} row {}: {}",
            r.file,
            r.reject
                .row_number
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            r.reject.detail
        );
    }
    Ok(())
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

fn month(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m").to_string())
        .unwrap_or_else(|| "-".into())
}

fn print_info(out: &mut impl Write, info: &queries::ProjectInfo) -> anyhow::Result<()> {
    writeln!(out, "Project  {}", info.path)?;
    writeln!(out, "Schema   version {}", info.schema_version)?;
    if let Some(c) = &info.created_at {
        writeln!(out, "Created  {c}")?;
    }
    writeln!(out, "Size     {:.1} MB", info.file_bytes as f64 / 1e6)?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<18} {:>12}  {:<7}  {:<7}  {:>6}",
        "table", "rows", "first", "last", "months"
    )?;
    for t in &info.tables {
        let months = if t.first_month.is_some() {
            t.months.to_string()
        } else {
            "-".into()
        };
        writeln!(
            out,
            "{:<18} {:>12}  {:<7}  {:<7}  {:>6}",
            t.table,
            group_digits(t.rows),
            month(t.first_month),
            month(t.last_month),
            months
        )?;
    }
    Ok(())
}

fn print_table(out: &mut impl Write, r: &queries::QueryResult, max_rows: usize) -> anyhow::Result<()> {
    let shown = if max_rows > 0 {
        r.rows.len().min(max_rows)
    } else {
        r.rows.len()
    };
    let cells: Vec<Vec<String>> = r.rows[..shown]
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| {
                    let s = queries::value_to_string(v);
                    if s.chars().count() > 48 {
                        format!("{}…", s.chars().take(47).collect::<String>())
                    } else {
                        s
                    }
                })
                .collect()
        })
        .collect();
    let width = |s: &str| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
    let widths: Vec<usize> = (0..r.columns.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| width(&row[i]))
                .chain([width(&r.columns[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |out: &mut dyn Write, vals: &[String]| -> std::io::Result<()> {
        let parts: Vec<String> = vals
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v}{}", " ".repeat(w.saturating_sub(width(v)))))
            .collect();
        writeln!(out, "{}", parts.join("  ").trim_end())
    };
    line(out, &r.columns)?;
    line(out, &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>())?;
    for row in &cells {
        line(out, row)?;
    }
    if r.rows.len() > shown {
        writeln!(
            out,
            "(first {shown} rows shown; use --max-rows 0 or --format csv for all)"
        )?;
    } else {
        writeln!(out, "({} row{})", shown, if shown == 1 { "" } else { "s" })?;
    }
    Ok(())
}

fn print_cards(
    out: &mut impl Write,
    period: NaiveDate,
    unit: &str,
    cards: &[crate::metrics::kpi::Card],
) -> anyhow::Result<()> {
    use crate::metrics::format;
    writeln!(out, "{} {}", unit, period.format("%Y-%m"))?;
    let text = |s: String| duckdb::types::Value::Text(s);
    let rows = cards
        .iter()
        .map(|c| {
            let ind = c.indicator();
            vec![
                text(c.indicator.to_string()),
                text(c.name_en.to_string()),
                text(format::value(ind, c.value, "no data")),
                text(c.unit.to_string()),
                text(format::value(ind, c.target, "")),
                text(format::change(ind, c.value, c.previous_month).unwrap_or_default()),
                text(format::change(ind, c.value, c.previous_year).unwrap_or_default()),
                text(match c.provisional {
                    Some(p) => format!("provisional until {}", p.closes_on),
                    None => c
                        .status
                        .map(|s| format!("{s:?}").to_lowercase())
                        .unwrap_or_default(),
                }),
            ]
        })
        .collect();
    let result = queries::QueryResult {
        columns: [
            "indicator",
            "name",
            "value",
            "unit",
            "target",
            "vs last month",
            "vs last year",
            "status",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    print_table(out, &result, 0)
}

fn audit(a: AuditArgs) -> anyhow::Result<()> {
    use crate::audit::{explain, rules::Category, run};
    use crate::store::audit as stored;
    use duckdb::types::Value;
    // Writable to keep the suspects; read-only (nothing kept) when the app has it open.
    let (p, writable) = match Project::open(&a.project) {
        Ok(p) => (p, true),
        Err(e @ crate::store::ProjectError::Locked { .. }) => {
            eprintln!("note: {e}; the audit runs but its suspects are not kept");
            (Project::open_read_only(&a.project)?, false)
        }
        Err(e) => return Err(e.into()),
    };
    let (rules, problems) = run::library(&p)?;
    for problem in &problems {
        eprintln!("warning: {problem}");
    }
    let overrides = stored::param_values(&p)?;
    let mut out = std::io::stdout().lock();
    if a.list {
        let rows = rules
            .iter()
            .map(|r| {
                let params = run::params_in_effect(r, &overrides)
                    .into_iter()
                    .map(|(n, v, own)| format!("{n}={v}{}", if own { "*" } else { "" }))
                    .collect::<Vec<_>>()
                    .join(" ");
                vec![
                    Value::Text(r.id.clone()),
                    Value::Text(r.category.id().into()),
                    Value::Int(r.severity as i32),
                    Value::Text(r.name_en.clone()),
                    Value::Text(r.name_zh.clone()),
                    Value::Text(params),
                ]
            })
            .collect();
        let result = queries::QueryResult {
            columns: [
                "rule",
                "category",
                "severity",
                "name",
                "名称",
                "parameters (* set in this project)",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        };
        return match a.format {
            SqlFormat::Table => print_table(&mut out, &result, 0),
            SqlFormat::Csv => print_csv(&mut out, &result),
            SqlFormat::Json => print_json(&mut out, &result),
        };
    }
    let from = a.period.expect("clap requires --period without --list");
    let to = a.to.unwrap_or(from);
    let unit = crate::metrics::kpi::check_scope(&p, from, a.unit.as_deref())?;
    let mut ids = a.rules.clone();
    if let Some(c) = &a.category {
        let cat = Category::parse(c).ok_or_else(|| {
            anyhow::anyhow!(
                "no category '{c}': use one of {}",
                Category::ALL.map(|c| c.id()).join(", ")
            )
        })?;
        ids.extend(rules.iter().filter(|r| r.category == cat).map(|r| r.id.clone()));
    }
    let spec = run::RunSpec::new(from, to, &unit, ids);
    let report = run::run(&p, &rules, &spec, writable, &terminal_progress())?;
    let mut failed = 0;
    for o in &report.outcomes {
        match &o.error {
            None => eprintln!(
                "{:<24} {:>7} suspects  {:>7.2} s",
                o.rule_id,
                group_digits(o.suspects as u64),
                o.seconds
            ),
            Some(e) => {
                failed += 1;
                eprintln!("{:<24} failed: {e}", o.rule_id);
            }
        }
    }
    if let Some(s) = report.saved {
        eprintln!(
            "run {}: {} suspects, {} new, {} no longer found",
            s.run_id,
            group_digits(s.found),
            group_digits(s.new),
            group_digits(s.gone)
        );
    }
    // What this run found, with the triage state when the suspects were kept.
    let rows: Vec<stored::SuspectRow> = match report.saved {
        Some(s) => {
            let filter = stored::SuspectFilter {
                run_id: Some(s.run_id),
                ..Default::default()
            };
            stored::suspects(&p, &filter)?.0
        }
        None => {
            let mut found: Vec<stored::SuspectRow> = report
                .found
                .iter()
                .map(|f| stored::SuspectRow {
                    key: f.key(),
                    rule_id: f.rule_id.clone(),
                    entity_type: f.entity_type.clone(),
                    entity_id: f.entity_id.clone(),
                    period: f.period,
                    unit_id: Some(f.unit_id.clone()),
                    amount: f.amount,
                    confidence: f.confidence,
                    severity: f.severity,
                    score: f.score,
                    evidence_json: f.evidence.clone(),
                    status: "new".into(),
                    assignee_unit: None,
                    due_on: None,
                    recovered: None,
                    fp_reason: None,
                    still_found: true,
                    last_run_id: 0,
                })
                .collect();
            found.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
            found
        }
    };
    let sentence = |s: &stored::SuspectRow| {
        rules
            .iter()
            .find(|r| r.id == s.rule_id)
            .map(|r| explain::sentence(r, s, false))
            .unwrap_or_default()
    };
    if a.format == SqlFormat::Json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|s| {
                let evidence: serde_json::Map<String, serde_json::Value> =
                    explain::evidence_from_json(&s.evidence_json)
                        .into_iter()
                        .collect();
                let mut v = serde_json::to_value(s).unwrap_or_default();
                v["evidence"] = serde_json::Value::Object(evidence);
                v["explanation"] = serde_json::Value::String(sentence(s));
                v
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&items)?)?;
    } else {
        let table = queries::QueryResult {
            columns: [
                "score",
                "rule",
                "entity",
                "period",
                "unit",
                "amount",
                "status",
                "explanation",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .map(|s| {
                    vec![
                        Value::Text(format!("{:.2}", s.score)),
                        Value::Text(s.rule_id.clone()),
                        Value::Text(format!("{} {}", s.entity_type, s.entity_id)),
                        Value::Text(month(s.period)),
                        Value::Text(s.unit_id.clone().unwrap_or_default()),
                        Value::Text(crate::metrics::format::number(s.amount, 2)),
                        Value::Text(s.status.clone()),
                        Value::Text(sentence(s)),
                    ]
                })
                .collect(),
        };
        match a.format {
            SqlFormat::Csv => print_csv(&mut out, &table)?,
            _ => print_table(&mut out, &table, a.max_rows)?,
        }
    }
    if failed > 0 {
        bail!("{failed} of {} rules failed (see above)", report.outcomes.len());
    }
    Ok(())
}

fn triage(a: TriageArgs) -> anyhow::Result<()> {
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
    let n = triage::apply(&p, &a.keys, &change, &triage::actor())?;
    for key in &a.keys {
        if let Some(s) = crate::store::audit::suspect(&p, key)? {
            println!("{key}  {}", s.status);
        }
    }
    eprintln!("{n} suspects changed");
    Ok(())
}

fn map(what: MapCommand) -> anyhow::Result<()> {
    use crate::store::map::{self, MatchTo};
    let mut out = std::io::stdout().lock();
    let report = |out: &mut std::io::StdoutLock, r: map::GeoImport| -> anyhow::Result<()> {
        writeln!(out, "{} features, {} matched", r.features, r.matched)?;
        for (n, v) in &r.unmatched {
            writeln!(out, "  feature {n}: \"{v}\" matches nothing")?;
        }
        Ok(())
    };
    match what {
        MapCommand::Boundaries {
            project,
            file,
            property,
        } => {
            let p = Project::open(&project)?;
            report(&mut out, map::import_boundaries(&p, &file, &property)?)
        }
        MapCommand::Layer {
            project,
            file,
            name,
            to,
            property,
        } => {
            let p = Project::open(&project)?;
            let to = match to {
                MatchArg::Nothing => MatchTo::Nothing,
                MatchArg::Units => MatchTo::Units,
                MatchArg::Customers => MatchTo::Customers,
            };
            report(
                &mut out,
                map::import_layer(&p, &file, &name, property.as_deref(), to)?,
            )
        }
        MapCommand::Layers { project } => {
            let p = Project::open_read_only(&project)?;
            for l in map::layers(&p)? {
                writeln!(
                    out,
                    "{}\t{} features\t{}\t{}",
                    l.layer,
                    l.features,
                    l.source_file.unwrap_or_default(),
                    l.imported_at.format("%Y-%m-%d %H:%M")
                )?;
            }
            Ok(())
        }
        MapCommand::Remove { project, name } => {
            let p = Project::open(&project)?;
            if !map::layers(&p)?.iter().any(|l| l.layer == name) {
                anyhow::bail!("the project has no layer named \"{name}\"");
            }
            map::remove_layer(&p, &name)?;
            writeln!(out, "removed {name}")?;
            Ok(())
        }
    }
}

fn cases(what: CasesCommand) -> anyhow::Result<()> {
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
        CasesCommand::Export { project, file } => {
            let p = Project::open_read_only(&project)?;
            let all = crate::store::cases::all(&p)?;
            cases::write_file(&all, &file)?;
            eprintln!("{} cases written to {}", all.len(), file.display());
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

fn why_changed(
    project: &std::path::Path,
    indicator: &str,
    period: NaiveDate,
    base: Option<NaiveDate>,
    unit: Option<String>,
    format: InfoFormat,
) -> anyhow::Result<()> {
    let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
    let unit = crate::metrics::kpi::check_scope(&p, period, unit.as_deref())?;
    let base = match base {
        Some(b) => b,
        None => period
            .checked_sub_months(chrono::Months::new(1))
            .ok_or_else(|| anyhow::anyhow!("no month before {}", period.format("%Y-%m")))?,
    };
    let children = queries::units_below(&queries::org_tree(&p)?, &unit);
    let why = crate::audit::why::report(&p, indicator, &unit, &children, base, period)?;
    let x = &why.explanation;
    let mut out = std::io::stdout().lock();
    if format == InfoFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&why)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} of {unit}: {} {} -> {} {} (change {:+.6}, {})",
        x.indicator,
        x.base_month.format("%Y-%m"),
        x.base_value,
        x.month.format("%Y-%m"),
        x.value,
        x.change,
        x.method
    )?;
    let t = |s: String| duckdb::types::Value::Text(s);
    let opt = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    let rows = x
        .parts
        .iter()
        .map(|p| {
            vec![
                t(p.unit_id.clone()),
                t(format!("{:.6}", p.effect)),
                t(opt(p.rate_effect)),
                t(opt(p.mix_effect)),
            ]
        })
        .collect();
    let table = queries::QueryResult {
        columns: ["unit", "effect", "rate effect", "mix effect"]
            .map(String::from)
            .to_vec(),
        rows,
    };
    print_table(&mut out, &table, 0)?;
    // Where to look: the related rules' open suspects in the units that moved it most.
    writeln!(
        out,
        "\nrelated audit rules with open suspects in the months compared:"
    )?;
    for (unit, rules) in &why.rules {
        let list: Vec<String> = rules
            .iter()
            .map(|(rule, n, amount)| format!("{rule} {n} ({} yuan)", group_digits(amount.round() as u64)))
            .collect();
        let list = if list.is_empty() {
            "none".to_string()
        } else {
            list.join(", ")
        };
        writeln!(out, "  {unit}: {list}")?;
    }
    Ok(())
}

fn decompose(input: &std::path::Path, method: DecomposeMethod, format: InfoFormat) -> anyhow::Result<()> {
    use crate::analysis::decompose::{lmdi, rate_mix};
    use crate::analysis::table_input::{TextTable, lmdi_groups, ratio_groups};
    if !input.exists() {
        bail!("input file {} does not exist", input.display());
    }
    let (columns, rows) = crate::store::read_csv_text(input)?;
    let table = TextTable { columns, rows };
    let fail = |e: String| anyhow::anyhow!("{}: {e}", input.display());
    let mut out = std::io::stdout().lock();
    let n = |v: f64| format!("{v:.6}");
    match method {
        DecomposeMethod::Lmdi => {
            let (factors, groups) = lmdi_groups(&table).map_err(fail)?;
            let r = lmdi(&factors, &groups).map_err(fail)?;
            if format == InfoFormat::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "V base {}   V target {}   change {}   ratio {}",
                n(r.base_total),
                n(r.target_total),
                n(r.change),
                n(r.ratio)
            )?;
            let mut columns = vec!["factor".to_string(), "additive".into(), "multiplicative".into()];
            columns.extend(r.groups.iter().cloned());
            let mut rows: Vec<Vec<duckdb::types::Value>> = r
                .effects
                .iter()
                .map(|e| {
                    let mut row = vec![
                        duckdb::types::Value::Text(e.factor.clone()),
                        duckdb::types::Value::Text(n(e.additive)),
                        duckdb::types::Value::Text(n(e.multiplicative)),
                    ];
                    row.extend(e.by_group.iter().map(|g| duckdb::types::Value::Text(n(*g))));
                    row
                })
                .collect();
            let mut total = vec![
                duckdb::types::Value::Text("total".into()),
                duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.additive).sum())),
                duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.multiplicative).product())),
            ];
            total.extend(
                (0..r.groups.len())
                    .map(|i| duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.by_group[i]).sum()))),
            );
            rows.push(total);
            print_table(&mut out, &queries::QueryResult { columns, rows }, 0)
        }
        DecomposeMethod::Ratemix => {
            let groups = ratio_groups(&table).map_err(fail)?;
            let r = rate_mix(&groups).map_err(fail)?;
            if format == InfoFormat::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "R base {}   R target {}   change {}",
                n(r.base),
                n(r.target),
                n(r.change)
            )?;
            let t = |s: String| duckdb::types::Value::Text(s);
            let opt = |v: Option<f64>| v.map(n).unwrap_or_else(|| "-".into());
            let mut rows: Vec<Vec<duckdb::types::Value>> = r
                .groups
                .iter()
                .map(|g| {
                    vec![
                        t(g.group.clone()),
                        t(n(g.base_share)),
                        t(n(g.target_share)),
                        t(opt(g.base_rate)),
                        t(opt(g.target_rate)),
                        t(n(g.rate_effect)),
                        t(n(g.mix_effect)),
                        t(n(g.rate_effect + g.mix_effect)),
                    ]
                })
                .collect();
            rows.push(vec![
                t("total".into()),
                t(n(1.0)),
                t(n(1.0)),
                t(n(r.base)),
                t(n(r.target)),
                t(n(r.rate_effect)),
                t(n(r.mix_effect)),
                t(n(r.change)),
            ]);
            let columns = [
                "group",
                "base share",
                "target share",
                "base rate",
                "target rate",
                "rate effect",
                "mix effect",
                "effect",
            ]
            .map(String::from)
            .to_vec();
            print_table(&mut out, &queries::QueryResult { columns, rows }, 0)
        }
    }
}

fn print_csv(out: &mut impl Write, r: &queries::QueryResult) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}",
        r.columns
            .iter()
            .map(|c| csv_field(c))
            .collect::<Vec<_>>()
            .join(",")
    )?;
    for row in &r.rows {
        let vals: Vec<String> = row
            .iter()
            .map(|v| csv_field(&queries::value_to_string(v)))
            .collect();
        writeln!(out, "{}", vals.join(","))?;
    }
    Ok(())
}

fn print_json(out: &mut impl Write, r: &queries::QueryResult) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = r
        .rows
        .iter()
        .map(|row| {
            let obj: serde_json::Map<String, serde_json::Value> = r
                .columns
                .iter()
                .cloned()
                .zip(row.iter().map(queries::value_to_json))
                .collect();
            serde_json::Value::Object(obj)
        })
        .collect();
    writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
