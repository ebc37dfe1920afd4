//! `mams import PROJECT DIR`: loads a manifest folder (such as `sample-db/`) into a project.
//!
//! Every file is checked before anything is written (it exists, it is Parquet, its columns
//! are canonical and of compatible types). Then all tables are replaced in one transaction,
//! with key and reference checks at the end: the project gets all of the folder or, on any
//! error or a cancel, none of it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::source;
use crate::manifest::{self, Manifest, ManifestFile};
use crate::model::{self, Table};
use crate::progress::{Cancelled, Progress};
use crate::store::loading::{self, ImportEntry};
use crate::store::{Project, scratch};

/// What a folder import stored.
#[derive(Debug, Clone)]
pub struct FolderReport {
    pub import_id: i64,
    pub tables: Vec<(String, u64)>,
    pub seconds: f64,
}

/// The file's columns, checked against the table: returns the canonical columns present.
fn check_columns(
    project: &Project,
    table: &Table,
    file: &Path,
    read_from: &Path,
) -> anyhow::Result<Vec<String>> {
    let cols = loading::parquet_columns(project, read_from).map_err(|e| {
        crate::said!(
            "{}: cannot read it as Parquet ({})",
            "{}：无法按 Parquet 读取（{}）",
            file.display(),
            e.to_string().lines().next().unwrap_or("")
        )
    })?;
    let mut present = Vec::new();
    for fc in &cols {
        let Some(c) = table.column(&fc.name) else {
            crate::bail_say!(
                "{}: column '{}' is not a column of table {} (its columns: {})",
                "{}：列“{}”不是表 {} 的列（它的列：{}）",
                file.display(),
                fc.name,
                table.name,
                table
                    .columns
                    .iter()
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        if !loading::type_compatible(c.ty, &fc.ty) {
            crate::bail_say!(
                "{}: column '{}' holds {} values, but {}.{} needs {}",
                "{}：列“{}”的值是 {} 类型，但 {}.{} 需要 {}",
                file.display(),
                fc.name,
                fc.ty,
                table.name,
                c.name,
                c.ty.sql()
            );
        }
        present.push(fc.name.clone());
    }
    let missing: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.required && !present.iter().any(|p| p == c.name))
        .map(|c| c.name)
        .collect();
    if !missing.is_empty() {
        crate::bail_say!(
            "{}: required column(s) missing for table {}: {}",
            "{}：表 {} 缺少必填列：{}",
            file.display(),
            table.name,
            missing.join(", ")
        );
    }
    Ok(present)
}

/// Rejected rows a failed folder import shows per file (all are counted).
const SHOWN_PER_FILE: usize = 5;

/// One problem, as the message lists it.
fn describe(r: &super::file::FileReject) -> String {
    let j = &r.reject;
    let mut at = format!("    {}", r.file);
    if let Some(n) = j.row_number {
        at.push_str(&format!(" row {n}"));
    }
    if let (Some(c), Some(v)) = (&j.column, &j.value) {
        at.push_str(&format!(", {c} = {v}"));
    }
    format!("{at}: {} ({})", j.reason, j.detail)
}

/// Temporary links, removed when dropped.
struct Links(Vec<PathBuf>);

impl Drop for Links {
    fn drop(&mut self) {
        for l in &self.0 {
            let _ = std::fs::remove_file(l);
        }
    }
}

pub fn import_folder(project: &Project, dir: &Path, progress: &Progress) -> anyhow::Result<FolderReport> {
    let started = Instant::now();
    let started_at = chrono::Local::now().naive_local();
    project.refuse_import_if_attached()?;
    let m = Manifest::read(dir)?;
    progress.attach_interrupt(project.interrupt_handle());
    progress.set(Some(0.0), crate::say!("checking files", "正在检查文件"));

    // DuckDB reads the files through links in the project's private folder (the only one
    // it may read); they are removed however the import ends.
    let mut links = Links(Vec::new());
    // Everything that can be checked without writing is checked first.
    let mut plan: Vec<(&Table, &ManifestFile, Vec<String>, PathBuf)> = Vec::new();
    for t in model::TABLES {
        if let Some(f) = m.tables.iter().find(|f| f.table == t.name) {
            let file = dir.join(&f.file);
            let link = scratch::link_in(project.scratch_dir(), &file)?;
            links.0.push(link.clone());
            let present = check_columns(project, t, &file, &link)?;
            plan.push((t, f, present, link));
        }
    }
    if plan.is_empty() {
        crate::bail_say!(
            "{}: the manifest lists no tables",
            "{}：清单中没有列出任何表",
            dir.join(manifest::FILE_NAME).display()
        );
    }
    let total_rows: u64 = plan.iter().map(|(_, f, _, _)| f.rows.max(1)).sum();
    let source = dir.display().to_string();

    let _memory = project.memory_for(crate::store::memory::Work::Import)?;
    let result = project.transaction(|p| {
        let import_id = loading::next_import_id(p)?;
        let mut done = 0u64;
        let mut stored = Vec::new();
        let (mut rejected, mut problems) = (0u64, Vec::new());
        for (t, f, _, _) in &plan {
            progress.check()?;
            progress.set(
                Some(done as f32 / total_rows as f32),
                crate::say!("loading {} ({} rows)", "正在载入 {}（{} 行）", t.name, f.rows),
            );
            let path = dir.join(&f.file);
            // Read and checked as a single file is, with the same messages.
            let load = super::file::load_whole_table(p, t, &path, progress)?;
            if load.rows != f.rows {
                crate::bail_say!(
                    "{}: the manifest says {} rows but the file has {}",
                    "{}：清单写明 {} 行，但文件有 {} 行",
                    path.display(),
                    f.rows,
                    load.rows
                );
            }
            if load.rejected > 0 {
                rejected += load.rejected;
                // Per file: how many, and the first few (a rejected customer takes its
                // bills and reads with it; each file's own problems stay in view).
                problems.push(format!(
                    "  {}: {} row(s) rejected",
                    source::file_name(&path),
                    load.rejected
                ));
                problems.extend(load.rejects.iter().take(SHOWN_PER_FILE).map(describe));
                if load.rejected > SHOWN_PER_FILE as u64 {
                    problems.push(format!(
                        "    ... and {} more",
                        load.rejected - SHOWN_PER_FILE as u64
                    ));
                }
            }
            crate::store::dq::note_pending(p, t.name, None)?;
            let sha = manifest::sha256_file(&path)?;
            let size = std::fs::metadata(&path)?.len();
            loading::record_import(
                p,
                import_id,
                &ImportEntry {
                    kind: "folder",
                    source: &source,
                    table: t.name,
                    file_name: &f.file,
                    file_size: size,
                    sha256: &sha,
                    profile: None,
                    rows_in: load.rows,
                    rows_stored: load.stored,
                    rows_rejected: load.rejected,
                    started_at,
                },
            )?;
            stored.push((t.name.to_string(), load.stored));
            done += f.rows.max(1);
        }
        if rejected > 0 {
            // All or nothing: the problems of every file are listed, nothing is stored.
            crate::bail_say!(
                "{}: {} row(s) failed the checks of a single-file import, so nothing was stored:\n{}",
                "{}：有 {} 行未通过单文件导入的检查，因此没有存入任何数据：\n{}",
                source,
                rejected,
                problems.join("\n")
            );
        }
        loading::rebuild_org_closure(p)?;
        crate::store::calendar::fill(p)?;
        // A folder may carry its own basemap (the sample does).
        let basemap = dir.join(crate::store::map::BASEMAP_FILE);
        if basemap.exists() {
            let layer = crate::store::map::prepare_layer(
                p,
                &basemap,
                crate::store::map::BASEMAP,
                None,
                crate::store::map::MatchTo::Nothing,
            )?;
            crate::store::map::store_layer(p, &layer)?;
        }
        Ok(FolderReport {
            import_id,
            tables: stored,
            seconds: 0.0,
        })
    });
    let mut report = result.map_err(|e| {
        if progress.is_cancelled() {
            anyhow::Error::new(Cancelled)
        } else {
            e
        }
    })?;
    report.seconds = started.elapsed().as_secs_f64();
    progress.set(
        Some(1.0),
        crate::say!(
            "imported {} tables, {} rows in {:.1} s",
            "已导入 {} 张表，{} 行，用时 {:.1} 秒",
            report.tables.len(),
            report.tables.iter().map(|(_, n)| n).sum::<u64>(),
            report.seconds
        ),
    );
    Ok(report)
}

/// Builds (or refreshes) a project from a folder in one call: creates the file when it
/// does not exist, and removes it again if that first import fails.
pub fn build_project(
    project_path: &Path,
    dir: &Path,
    progress: &Progress,
) -> anyhow::Result<(Project, FolderReport)> {
    // Check the folder before creating anything.
    Manifest::read(dir)?;
    let existed = project_path.exists();
    let project = Project::open_or_create(project_path)?;
    match import_folder(&project, dir, progress) {
        Ok(report) => Ok((project, report)),
        Err(e) => {
            drop(project);
            if !existed {
                crate::store::remove_project_files(project_path);
            }
            Err(e).with_context(|| {
                crate::text::Said(crate::say!(
                    "nothing was imported into {}",
                    "没有导入任何数据到 {}",
                    project_path.display()
                ))
            })
        }
    }
}
