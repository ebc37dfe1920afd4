//! `mams import`: an extract folder into a new project, or files into one table.

use std::path::{Path, PathBuf};

use anyhow::bail;

use super::{parse_encoding, terminal_progress};
use crate::metrics::format::group_digits;
use crate::store::Project;

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

/// An extract folder (with a manifest.json) into a new project, or files into one table.
pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    if args.table.is_some() {
        return import_files(args);
    }
    let [dir] = args.paths.as_slice() else {
        bail!("to load files name their table with --table; without it, name one extract folder");
    };
    let (project, report) = crate::import::build_project(&args.project, dir, &terminal_progress())?;
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

/// Updates the prebuilt sums after an import, so that the app's pages and `mams kpi` answer
/// at once (a failure leaves them to be rebuilt at the next look; the import stands).
pub fn refresh_sums(project: &Project) {
    if let Some(s) = crate::store::kpi::refresh_after_import(project, &terminal_progress()) {
        eprintln!("indicator sums updated in {s:.1} s");
    }
    check_quality(project);
}

/// Runs the data quality checks over what the import changed (a failure is reported; the
/// import stands).
fn check_quality(project: &Project) {
    use crate::dq::run::{self, Trigger};
    match run::run(project, Trigger::Import, true, &terminal_progress()) {
        Ok(r) => eprintln!(
            "data quality run {} ({}): {} of {} checks below their threshold, {:.1} s; `mams dq scores` shows the scores",
            r.run_id,
            r.scope,
            r.failing_checks(),
            r.outcomes.len(),
            r.seconds
        ),
        Err(e) => eprintln!("data quality checks not run: {e:#}"),
    }
    match crate::risk::compute::after_change(project, &terminal_progress()) {
        Ok(Some(c)) => eprintln!(
            "risk levels recomputed: {} changed, {:.1} s",
            c.changed, c.seconds
        ),
        Ok(None) => {}
        Err(e) => eprintln!("{e}"),
    }
}

pub fn import_files(a: ImportArgs) -> anyhow::Result<()> {
    use crate::import::file::{self, FileOptions, NothingStored};
    let files = crate::import::file::expand(&a.paths)?;
    // Where the rejects go is checked before anything is stored (a failure later would
    // report an error for an import that did store its rows).
    if let Some(out) = &a.rejects {
        let folder = out
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !folder.is_dir() {
            bail!(
                "--rejects {}: folder {} does not exist; nothing was imported",
                out.display(),
                folder.display()
            );
        }
        if out.is_dir() {
            bail!(
                "--rejects {} is a folder; name a .csv or .xlsx file",
                out.display()
            );
        }
    }
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
