//! Importing files into one canonical table (`mams import PROJECT --table TABLE FILE...`).
//!
//! Each file is read into a staging table (DuckDB does the parsing), converted and
//! validated there; its rejected rows are listed with file, row, column, value and reason.
//! Then, in one transaction for all the files: months already stored are replaced only when
//! asked, rows of tables without months replace stored rows with the same key, the good rows
//! are inserted, and the import is recorded with its rejects. Any error, or a cancel, leaves
//! the project as it was.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;

use super::mapping::{self, Mapping};
use super::source::{self, Encoding, Kind};
use crate::model::{self, Table};
use crate::progress::{Cancelled, Progress};
use crate::store::Project;
use crate::store::loading::{self, ImportEntry};
use crate::store::memory::Work;
use crate::store::staging::{self, Batch, Reader, Reject};
use crate::store::sums_scope;

/// Rejects listed per file (to the screen and `--rejects`); all are kept in the project.
pub const MAX_LISTED_REJECTS: usize = 100_000;

/// What the user chose for this import.
#[derive(Debug, Clone, Default)]
pub struct FileOptions {
    /// Force the encoding instead of detecting it.
    pub encoding: Option<Encoding>,
    /// Lines (or sheet rows) before the header row (title lines of a report).
    pub skip_lines: u32,
    /// The sheet of a workbook to read; None: the first sheet with data.
    pub sheet: Option<String>,
    /// The mapping to use; None: the suggested one, if every required field is matched.
    pub mapping: Option<Mapping>,
    /// Name of the saved profile the mapping came from, for the record.
    pub profile: Option<String>,
    /// Replace the months of the table that the files bring.
    pub replace_period: bool,
    /// Store nothing when any row is rejected.
    pub all_or_nothing: bool,
    /// Read every file through the staging table, never straight into its table (slower;
    /// tests use it to check that both ways store and reject the same rows).
    pub staged_only: bool,
}

/// One rejected row, with the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReject {
    pub file: String,
    pub reject: Reject,
}

#[derive(Debug, Clone, Default)]
pub struct FileReport {
    pub import_id: i64,
    pub rows_in: u64,
    pub rows_stored: u64,
    pub rows_rejected: u64,
    pub replaced_months: Vec<NaiveDate>,
    pub rejects: Vec<FileReject>,
    pub seconds: f64,
    /// The mapping the (first) file was read with, to save as a profile.
    pub mapping: Option<Mapping>,
    /// Files read straight into the table (the fast way; see `store::staging`).
    pub files_read_directly: usize,
}

/// Why nothing was stored, with the rejects found so far (for `--rejects`).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct NothingStored {
    /// Why, in both languages (`message.en` is what it displays).
    pub message: crate::text::Text,
    pub rejects: Vec<FileReject>,
}

/// The folder name of the decoded copies (see `store::scratch`).
pub const SCRATCH_FOLDER: &str = crate::store::scratch::FOLDER;

/// The path DuckDB is given for `file`: a link to it (a copy where links cannot be made) in
/// the project's private folder, the only place DuckDB may read from; under a plain name, so
/// that a file name with `*` or `[` is not read as a pattern of other files' names.
fn exact_path(project: &Project, file: &Path, cleanup: &mut Vec<PathBuf>) -> anyhow::Result<PathBuf> {
    let alias = crate::store::scratch::link_in(project.scratch_dir(), file)?;
    cleanup.push(alias.clone());
    Ok(alias)
}

/// Reference checks by table: (field, parent table, parent column).
fn references(table: &str) -> &'static [(&'static str, &'static str, &'static str)] {
    match table {
        "org_units" => &[("parent_id", "org_units", "unit_id")],
        "customers" => &[("unit_id", "org_units", "unit_id")],
        "meter_reads" | "bills" | "orderly_plans" => &[("customer_id", "customers", "customer_id")],
        "payments" => &[
            ("customer_id", "customers", "customer_id"),
            ("bill_id", "bills", "bill_id"),
        ],
        "applications" | "tickets" => &[
            ("unit_id", "org_units", "unit_id"),
            ("customer_id", "customers", "customer_id"),
        ],
        _ => &[("unit_id", "org_units", "unit_id")],
    }
}

/// The mapping for a file: the given one (its columns must be in the file) or the
/// suggested one when it matches every required field.
pub fn mapping_for(
    table: &Table,
    file: &Path,
    headers: &[String],
    given: Option<&Mapping>,
) -> anyhow::Result<Mapping> {
    let m = match given {
        Some(m) => {
            let absent: Vec<&str> = m
                .columns
                .iter()
                .filter(|c| c.field.is_some() && !headers.contains(&c.source))
                .map(|c| c.source.as_str())
                .collect();
            if !absent.is_empty() {
                crate::bail_say!(
                    "{}: the mapping expects column(s) {} that the file does not have (its columns: {})",
                    "{}：映射需要的列 {} 文件中没有（文件的列：{}）",
                    file.display(),
                    absent.join(", "),
                    headers.join(", ")
                );
            }
            m.clone()
        }
        None => mapping::suggest(headers, table),
    };
    let missing = m.missing_required(table);
    if !missing.is_empty() {
        let unmatched: Vec<&str> = m
            .columns
            .iter()
            .filter(|c| c.field.is_none())
            .map(|c| c.source.as_str())
            .collect();
        crate::bail_say!(
            "{}: no column could be matched with confidence to the required field(s) {} of {}; unmatched columns: {}. \
             Rename the headers (see docs/data-model.md for the names MAMS knows) or save a profile that maps them",
            "{}：没有列能可靠地对应到 {2} 的必填字段 {1}；未对应的列：{3}。请修改表头（MAMS 认识的名称见 docs/data-model.md），或保存一个映射方案",
            file.display(),
            missing.join(", "),
            table.name,
            if unmatched.is_empty() {
                "none".to_string()
            } else {
                unmatched.join(", ")
            }
        );
    }
    Ok(m)
}

/// A file made readable by DuckDB: the path it reads (a UTF-8 copy for other encodings
/// and for workbooks), how, and the column names.
struct Source {
    path: PathBuf,
    reader: Reader,
    headers: Vec<String>,
}

/// Opens a file for reading. Temporary copies are removed by the caller via `cleanup`.
fn open_source(
    project: &Project,
    file: &Path,
    opts: &FileOptions,
    scratch_dir: &Path,
    cleanup: &mut Vec<PathBuf>,
    progress: &Progress,
) -> anyhow::Result<Source> {
    let meta = std::fs::metadata(file)
        .map_err(|e| crate::said!("cannot read {}: {:#}", "无法读取 {}：{:#}", file.display(), e))?;
    if meta.len() == 0 {
        crate::bail_say!(
            "{}: the file is empty (0 bytes)",
            "{}：文件是空的（0 字节）",
            file.display()
        );
    }
    let kind = source::kind_of(file)?;
    let (read_path, reader) = match kind {
        Kind::Parquet => (exact_path(project, file, cleanup)?, Reader::Parquet),
        Kind::Excel => {
            let (csv, _) = super::excel::sheet_to_csv(file, opts.sheet.as_deref(), scratch_dir, progress)?;
            cleanup.push(csv.clone());
            let (delimiter, columns) = source::header(&csv, opts.skip_lines, Encoding::Utf8)?;
            (
                csv,
                Reader::Csv {
                    skip: opts.skip_lines,
                    header: true,
                    delimiter,
                    columns,
                    quoted_breaks: false,
                },
            )
        }
        Kind::Csv => {
            let started = Instant::now();
            let enc = match opts.encoding {
                Some(e) => e,
                None => source::detect_encoding(file)?,
            };
            tracing::debug!(
                "import step: encoding {} found in {:?}",
                enc.name(),
                started.elapsed()
            );
            if enc == Encoding::Gb18030 && source::ascii_after_header(file, opts.skip_lines)? {
                // Only the header is in GBK (codes, numbers and dates below it): DuckDB
                // reads the file as it is, skipping the header MAMS decoded; no copy.
                let (delimiter, columns) = source::header(file, opts.skip_lines, enc)?;
                (
                    exact_path(project, file, cleanup)?,
                    Reader::Csv {
                        skip: opts.skip_lines + 1,
                        header: false,
                        delimiter,
                        columns,
                        quoted_breaks: false,
                    },
                )
            } else {
                let path = match source::utf8_copy(file, enc, scratch_dir, progress)? {
                    Some(copy) => {
                        cleanup.push(copy.clone());
                        copy
                    }
                    None => exact_path(project, file, cleanup)?,
                };
                let (delimiter, columns) = source::header(&path, opts.skip_lines, Encoding::Utf8)?;
                (
                    path,
                    Reader::Csv {
                        skip: opts.skip_lines,
                        header: true,
                        delimiter,
                        columns,
                        quoted_breaks: false,
                    },
                )
            }
        }
    };
    let mut reader = reader;
    if let Reader::Csv { quoted_breaks, .. } = &mut reader {
        let started = Instant::now();
        *quoted_breaks = source::has_quoted_line_breaks(&read_path)?;
        tracing::debug!(
            "import step: quoted line breaks looked for in {:?}",
            started.elapsed()
        );
    }
    let headers = staging::source_columns(project, &read_path, &reader).map_err(|e| {
        crate::said!(
            "{}: cannot read it as {} ({})",
            "{}：无法按{}读取（{}）",
            file.display(),
            if kind == Kind::Parquet {
                "Parquet"
            } else {
                "delimited text"
            },
            first_line(&e.to_string())
        )
    })?;
    Ok(Source {
        path: read_path,
        reader,
        headers,
    })
}

/// Reads, converts and validates one file; returns its mapping and where its rows are.
fn load_file(
    project: &Project,
    table: &Table,
    file: &Path,
    opts: &FileOptions,
    scratch_dir: &Path,
    cleanup: &mut Vec<PathBuf>,
    progress: &Progress,
) -> anyhow::Result<(Mapping, Batch)> {
    let src = open_source(project, file, opts, scratch_dir, cleanup, progress)?;
    let mapping = mapping_for(table, file, &src.headers, opts.mapping.as_ref())?;
    let batch = load_and_validate(project, table, &mapping, &src, file, opts.staged_only, progress)?;
    Ok((mapping, batch))
}

/// Reads the file with `mapping` (straight into the table when DuckDB parses it, else
/// through the staging table) and lists its rejects.
fn load_and_validate(
    project: &Project,
    table: &Table,
    mapping: &Mapping,
    src: &Source,
    file: &Path,
    staged_only: bool,
    progress: &Progress,
) -> anyhow::Result<Batch> {
    let (read_path, reader) = (&src.path, &src.reader);
    let t0 = Instant::now();
    staging::reset_rejects(project)?;
    progress.set(
        None,
        crate::say!("reading {}", "正在读取 {}", source::file_name(file)),
    );
    // Reading is the long part: rows per second and time left from DuckDB's progress.
    let started = Instant::now();
    let (watch, name) = (progress.clone(), source::file_name(file));
    let estimated_rows = source::estimate_lines(read_path);
    let report = move |fraction: f64, _: u64, _: u64| {
        let secs = started.elapsed().as_secs_f64().max(0.001);
        let left = if fraction > 0.0 {
            secs * (1.0 - fraction) / fraction
        } else {
            0.0
        };
        let rate =
            estimated_rows.map(|n| crate::metrics::format::group_digits((n as f64 * fraction / secs) as u64));
        let message = match rate {
            Some(r) => crate::say!(
                "reading {}: {} rows/s, about {:.0} s left",
                "正在读取 {}：每秒 {} 行，约剩 {:.0} 秒",
                name,
                r,
                left.ceil()
            ),
            None => crate::say!(
                "reading {}: about {:.0} s left",
                "正在读取 {}：约剩 {:.0} 秒",
                name,
                left.ceil()
            ),
        };
        watch.set(Some(fraction as f32 * 0.8), message);
    };
    let batch = project
        .watch_progress(report, || {
            let types = match staged_only {
                true => None,
                false => staging::direct_types(project, table, mapping, read_path, reader)?,
            };
            let direct = match types {
                Some(types) => staging::insert_direct(project, table, mapping, read_path, reader, &types)?,
                None => None,
            };
            match direct {
                Some(batch) => Ok(batch),
                None => {
                    // Staged from the start again: the direct read left its errors behind.
                    staging::reset_rejects(project)?;
                    staging::stage(project, table, mapping, read_path, reader)
                }
            }
        })
        .map_err(|e| crate::said!("{}: {}", "{}：{}", file.display(), first_line(&e.to_string())))?;
    let rows = batch.rows;
    tracing::debug!(
        "import step: read (direct: {}) after {:?}",
        batch.is_direct(),
        t0.elapsed()
    );
    if rows == 0 {
        crate::bail_say!(
            "{}: the file has a header but no data rows",
            "{}：文件只有表头，没有数据行",
            file.display()
        );
    }
    let malformed = staging::csv_errors(project)?;
    // The file's own row numbers for the rejects: a malformed line is not read.
    if let Reader::Csv { skip, header, .. } = reader {
        let first_data_line = i64::from(*skip) + i64::from(*header) + 1;
        staging::note_malformed(
            project,
            malformed
                .iter()
                .map(|(line, _)| line - first_data_line + 1)
                .collect(),
        )?;
    }
    for (line, message) in malformed {
        // DuckDB's words for a line in another encoding than the rest of the file.
        let detail = if message.contains("Invalid unicode") {
            format!(
                "line {line}: not in the file's encoding (a line saved in another one, such as GBK in a UTF-8 file)"
            )
        } else {
            format!("line {line}: {}", first_line(&message))
        };
        staging::add_reject(project, None, None, None, "malformed_line", &detail)?;
    }
    progress.set(
        None,
        crate::say!(
            "checking {} rows of {}",
            "正在检查 {1} 的 {0} 行",
            rows,
            source::file_name(file)
        ),
    );
    staging::validate(project, table, mapping, &batch)?;
    tracing::debug!("import step: validated after {:?}", t0.elapsed());
    for reference in references(table.name) {
        staging::check_reference(project, table, mapping, &batch, *reference)?;
    }
    tracing::debug!("import step: references checked after {:?}", t0.elapsed());
    Ok(batch)
}

/// What a whole table read from one file came to (the folder import).
pub(crate) struct TableLoad {
    pub rows: u64,
    pub stored: u64,
    pub rejected: u64,
    /// The first rejects, with the file's name.
    pub rejects: Vec<FileReject>,
}

/// Replaces the whole content of `table` with the rows of `file`, read and checked exactly
/// as a single-file import reads and checks them (the same conversions, field checks,
/// references and messages); the rows that fail are listed and not stored. For the folder
/// import, which runs it inside its own transaction.
pub(crate) fn load_whole_table(
    project: &Project,
    table: &Table,
    file: &Path,
    progress: &Progress,
) -> anyhow::Result<TableLoad> {
    project
        .conn()
        .execute_batch(&format!("DELETE FROM {}", table.name))?;
    let mut cleanup = Vec::new();
    let scratch_dir = project.scratch_dir().to_path_buf();
    let loaded = load_file(
        project,
        table,
        file,
        &FileOptions::default(),
        &scratch_dir,
        &mut cleanup,
        progress,
    );
    for f in cleanup {
        let _ = std::fs::remove_file(f);
    }
    let (_, batch) = loaded?;
    let rejected = staging::rejected_rows(project)? + staging::malformed_lines(project)?;
    let rejects = staging::rejects(project, MAX_LISTED_REJECTS)?
        .into_iter()
        .map(|reject| FileReject {
            file: source::file_name(file),
            reject,
        })
        .collect();
    let stored = staging::store_good_rows(project, table, &batch)?;
    Ok(TableLoad {
        rows: batch.rows,
        stored,
        rejected,
        rejects,
    })
}

/// Makes room for the staged rows as the import does: the stored `months` they bring are
/// replaced; for a table without months, stored rows with their keys are (the file is the
/// newer snapshot); rows whose key is still stored are then rejected.
fn settle_with_stored(p: &Project, table: &Table, batch: &Batch, months: &[NaiveDate]) -> anyhow::Result<()> {
    staging::delete_periods(p, table, batch, months)?;
    if table.period_column.is_none() {
        staging::delete_matching_keys(p, table, batch)?;
    }
    staging::reject_stored_keys(p, table, batch)?;
    Ok(())
}

/// Imports `files` into `table`, all or nothing across the files.
pub fn import_files(
    project: &Project,
    table_name: &str,
    files: &[PathBuf],
    opts: &FileOptions,
    progress: &Progress,
) -> anyhow::Result<FileReport> {
    project.refuse_import_if_attached()?;
    let started = Instant::now();
    let started_at = chrono::Local::now().naive_local();
    let Some(table) = model::table(table_name) else {
        crate::bail_say!(
            "'{table_name}' is not a MAMS table (known: {})",
            "“{table_name}”不是 MAMS 的数据表（已知的表：{}）",
            model::TABLES
                .iter()
                .map(|t| t.name)
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    if files.is_empty() {
        crate::bail_say!(
            "name at least one file to import into {table_name}",
            "请至少指定一个要导入 {table_name} 的文件"
        );
    }
    progress.attach_interrupt(project.interrupt_handle());
    let scratch_dir = project.scratch_dir().to_path_buf();
    let mut cleanup = Vec::new();
    let mut all_rejects: Vec<FileReject> = Vec::new();
    // Bounded memory for big files: DuckDB spills the staging data to disk beyond this.
    let memory = project.memory_for(Work::Import)?;
    let result = project.transaction(|p| {
        sums_scope::chain(p, false)?;
        let import_id = loading::next_import_id(p)?;
        let mut report = FileReport {
            import_id,
            ..FileReport::default()
        };
        for (i, file) in files.iter().enumerate() {
            progress.check()?;
            progress.set(
                Some(i as f32 / files.len() as f32),
                crate::say!(
                    "{} ({} of {})",
                    "{}（{} / {}）",
                    source::file_name(file),
                    i + 1,
                    files.len()
                ),
            );
            // The file's fingerprint for the record, worked out while DuckDB reads it.
            let hashing = {
                let file = file.clone();
                std::thread::spawn(move || crate::manifest::sha256_file(&file))
            };
            let (mapping, batch) = load_file(p, table, file, opts, &scratch_dir, &mut cleanup, progress)?;
            let rows = batch.rows;
            report.files_read_directly += usize::from(batch.is_direct());
            let step = Instant::now();
            report.mapping.get_or_insert(mapping);
            // Months already stored: replaced only when asked.
            let overlap = staging::overlapping_periods(p, table, &batch)?;
            tracing::debug!("import step: overlap checked after {:?}", step.elapsed());
            if !overlap.is_empty() && !opts.replace_period {
                let list: Vec<String> =
                    overlap.iter().map(|(m, n)| format!("{} ({n} rows)", m.format("%Y-%m"))).collect();
                crate::bail_say!(
                    "{}: {} already holds {}; import again with --replace-period to replace exactly those months", "{}：{} 中已有 {}；请勾选“替换这些月份”（命令行：--replace-period）后重新导入，只替换这些月份",
                    file.display(),
                    table.name,
                    list.join(", ")
                );
            }
            let months: Vec<NaiveDate> = overlap.iter().map(|(m, _)| *m).collect();
            settle_with_stored(p, table, &batch, &months)?;
            report.replaced_months.extend(months);
            tracing::debug!("import step: stored keys checked after {:?}", step.elapsed());
            let file_rejects: Vec<FileReject> = staging::rejects(p, MAX_LISTED_REJECTS)?
                .into_iter()
                .map(|reject| FileReject {
                    file: source::file_name(file),
                    reject,
                })
                .collect();
            let rejected_rows = staging::rejected_rows(p)?;
            let malformed = staging::malformed_lines(p)?;
            all_rejects.extend(file_rejects);
            if opts.all_or_nothing && (rejected_rows > 0 || malformed > 0) {
                crate::bail_say!(
                    "{}: {} row(s) rejected and all-or-nothing was asked: nothing was stored", "{}：有 {} 行被拒收，且要求“全部或全不”：没有存入任何数据",
                    file.display(),
                    rejected_rows + malformed
                );
            }
            sums_scope::note_rows(p, table.name, &batch.good_rows())?;
            crate::store::dq::note_rows(p, table, &batch.good_rows())?;
            let stored = staging::store_good_rows(p, table, &batch)?;
            tracing::debug!("import step: rows stored after {:?}", step.elapsed());
            let sha = hashing
                .join()
                .map_err(|_| crate::said!("{}: hashing the file failed", "{}：计算文件指纹失败", file.display()))??;
            tracing::debug!("import step: hashed after {:?}", step.elapsed());
            let size = std::fs::metadata(file)?.len();
            loading::record_import(
                p,
                import_id,
                &ImportEntry {
                    kind: "file",
                    source: &file.display().to_string(),
                    table: table.name,
                    file_name: &source::file_name(file),
                    file_size: size,
                    sha256: &sha,
                    profile: opts.profile.as_deref(),
                    rows_in: rows + malformed,
                    rows_stored: stored,
                    rows_rejected: rejected_rows + malformed,
                    started_at,
                },
            )?;
            staging::keep_rejects(p, import_id, &source::file_name(file))?;
            report.rows_in += rows + malformed;
            report.rows_stored += stored;
            report.rows_rejected += rejected_rows + malformed;
        }
        if report.rows_stored == 0 {
            crate::bail_say!("no row of the file(s) could be stored: every row was rejected", "文件中没有任何一行能够存入：所有行都被拒收");
        }
        if table.name == "org_units" {
            loading::rebuild_org_closure(p)?;
        }
        if matches!(table.name, "work_calendar" | "applications") {
            crate::store::calendar::fill(p)?;
        }
        sums_scope::chain(p, true)?;
        Ok(report)
    });
    for f in cleanup {
        let _ = std::fs::remove_file(f);
    }
    let _ = project
        .conn()
        .execute_batch("DROP TABLE IF EXISTS mams_stage; DROP TABLE IF EXISTS mams_rejects;");
    drop(memory);
    match result {
        Ok(mut report) => {
            report.rejects = all_rejects;
            report.seconds = started.elapsed().as_secs_f64();
            progress.set(
                Some(1.0),
                crate::say!(
                    "stored {} of {} rows in {} ({} rejected) in {:.1} s",
                    "已存入 {2}：{0} / {1} 行（拒收 {3} 行），用时 {4:.1} 秒",
                    report.rows_stored,
                    report.rows_in,
                    table.name,
                    report.rows_rejected,
                    report.seconds
                ),
            );
            Ok(report)
        }
        Err(e) if progress.is_cancelled() => Err(anyhow::Error::new(Cancelled).context(e.to_string())),
        Err(e) => Err(anyhow::Error::new(NothingStored {
            message: crate::errors::text(&e),
            rejects: all_rejects,
        })),
    }
}

/// The files to import: files as given, folders as the importable files in them (by name,
/// so monthly files come in month order). Hidden files (MAMS's own copies among them) are
/// left out.
pub fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| {
                    crate::said!(
                        "cannot read folder {}: {:#}",
                        "无法读取文件夹 {}：{:#}",
                        p.display(),
                        e
                    )
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file())
                .filter(|f| !source::file_name(f).starts_with('.'))
                .filter(|f| source::kind_of(f).is_ok())
                .collect();
            found.sort();
            if found.is_empty() {
                crate::bail_say!(
                    "folder {} holds no CSV, Excel or Parquet files",
                    "文件夹 {} 中没有 CSV、Excel 或 Parquet 文件",
                    p.display()
                );
            }
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            crate::bail_say!("{} does not exist", "{} 不存在", p.display());
        }
    }
    Ok(out)
}

/// Masks the rejected values of personal columns (known by the column's name: canonical or
/// the source's Chinese header) unless disclosed in full; returns the personal columns met.
pub fn mask_rejects(rejects: &mut [FileReject], disclosure: crate::privacy::Disclosure) -> Vec<String> {
    let mut personal = std::collections::BTreeSet::new();
    for r in rejects.iter_mut() {
        let j = &mut r.reject;
        let Some(kind) = j.column.as_deref().and_then(crate::privacy::column_kind) else {
            continue;
        };
        personal.insert(j.column.clone().unwrap_or_default());
        if disclosure == crate::privacy::Disclosure::Masked
            && let Some(v) = &j.value
        {
            j.value = Some(crate::privacy::mask(v, kind));
        }
    }
    personal.into_iter().collect()
}

/// Writes rejects to `path`: an Excel workbook for .xlsx, else CSV.
pub fn write_rejects(path: &Path, rejects: &[FileReject]) -> anyhow::Result<()> {
    let xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !xlsx {
        return write_rejects_csv(path, rejects)
            .map_err(|e| crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e));
    }
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("rejects")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in ["file", "row", "column", "value", "reason", "detail"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in rejects.iter().enumerate() {
        let row = i as u32 + 1;
        let j = &r.reject;
        sheet.write_string(row, 0, &r.file)?;
        if let Some(n) = j.row_number {
            sheet.write_number(row, 1, n as f64)?;
        }
        sheet.write_string(row, 2, j.column.as_deref().unwrap_or(""))?;
        sheet.write_string(row, 3, j.value.as_deref().unwrap_or(""))?;
        sheet.write_string(row, 4, &j.reason)?;
        sheet.write_string(row, 5, &j.detail)?;
    }
    sheet.autofit();
    wb.save(path)
        .map_err(|e| crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e))?;
    Ok(())
}

/// Writes rejects as CSV (UTF-8 with BOM, so Excel opens the Chinese right).
pub fn write_rejects_csv(path: &Path, rejects: &[FileReject]) -> std::io::Result<()> {
    // A person opens this file: what came in as a formula stays text.
    let field = crate::table_file::export_field;
    let mut out = String::from("\u{feff}file,row,column,value,reason,detail\n");
    for r in rejects {
        let j = &r.reject;
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            field(&r.file),
            j.row_number.map(|n| n.to_string()).unwrap_or_default(),
            field(j.column.as_deref().unwrap_or("")),
            field(j.value.as_deref().unwrap_or("")),
            field(&j.reason),
            field(&j.detail)
        ));
    }
    std::fs::write(path, out)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// What an import would do, worked out without storing anything.
#[derive(Debug, Clone)]
pub struct Preview {
    pub file: PathBuf,
    /// Sheets of a workbook (empty for other files).
    pub sheets: Vec<String>,
    pub headers: Vec<String>,
    pub table: String,
    pub mapping: Mapping,
    /// Required fields no column fills: the import cannot run until they are mapped.
    pub missing_required: Vec<&'static str>,
    /// The first rows as they would be stored, one string per canonical column.
    pub sample: Vec<Vec<String>>,
    /// The first rows of the file as they are, one string per source column.
    pub raw_sample: Vec<Vec<String>>,
    pub rows: u64,
    pub rejected_rows: u64,
    pub rejects: Vec<Reject>,
    /// Months the table already holds that the file brings: (month, stored rows).
    pub overlapping: Vec<(NaiveDate, u64)>,
}

/// Reads and checks `file` for `table` (guessed from the headers when None) inside a
/// transaction that is rolled back.
pub fn preview(
    project: &Project,
    table: Option<&str>,
    file: &Path,
    opts: &FileOptions,
    progress: &Progress,
) -> anyhow::Result<Preview> {
    progress.attach_interrupt(project.interrupt_handle());
    let scratch_dir = project.scratch_dir().to_path_buf();
    let sheets = match source::kind_of(file)? {
        Kind::Excel => super::excel::sheet_names(file)?,
        _ => Vec::new(),
    };
    let mut cleanup = Vec::new();
    let memory = project.memory_for(Work::Import)?;
    let result = project.dry_run(|p| {
        let src = open_source(p, file, opts, &scratch_dir, &mut cleanup, progress)?;
        let table = match table {
            Some(t) => model::table(t)
                .ok_or_else(|| crate::said!("'{t}' is not a MAMS table", "“{t}”不是 MAMS 的数据表"))?,
            None => mapping::best_table(&src.headers).unwrap_or(&model::TABLES[0]),
        };
        let raw_sample = staging::raw_sample(p, &src.path, &src.reader, 200)?;
        let mapping = match &opts.mapping {
            Some(m) if m.table == table.name => m.clone(),
            _ => {
                let mut m = mapping::suggest(&src.headers, table);
                mapping::suggest_from_values(&mut m, table, &raw_sample);
                m
            }
        };
        let missing_required = mapping.missing_required(table);
        let mut preview = Preview {
            file: file.to_path_buf(),
            sheets: sheets.clone(),
            headers: src.headers.clone(),
            table: table.name.to_string(),
            mapping: mapping.clone(),
            missing_required: missing_required.clone(),
            sample: Vec::new(),
            raw_sample: raw_sample.into_iter().take(3).collect(),
            rows: 0,
            rejected_rows: 0,
            rejects: Vec::new(),
            overlapping: Vec::new(),
        };
        if missing_required.is_empty() {
            let batch = load_and_validate(p, table, &mapping, &src, file, opts.staged_only, progress)?;
            preview.rows = batch.rows;
            preview.overlapping = staging::overlapping_periods(p, table, &batch)?;
            // Counted as the import will run once the months are confirmed for replacing.
            let months: Vec<NaiveDate> = preview.overlapping.iter().map(|(m, _)| *m).collect();
            settle_with_stored(p, table, &batch, &months)?;
            preview.sample = staging::sample_rows(p, table, &batch, 20)?;
            preview.rejected_rows = staging::rejected_rows(p)?;
            preview.rejects = staging::rejects(p, 2000)?;
        }
        Ok(preview)
    });
    for f in cleanup {
        let _ = std::fs::remove_file(f);
    }
    let _ = project
        .conn()
        .execute_batch("DROP TABLE IF EXISTS mams_stage; DROP TABLE IF EXISTS mams_rejects;");
    drop(memory);
    result
}
