//! `mams lake export`: a project's data tables written as a lake (see the module above).
//! DuckDB may write only into the project's private folder (`store::scratch`), so the lake is
//! written there and moved into place at the end: a failed or cancelled export leaves no
//! half-written lake behind.

use std::path::{Path, PathBuf};

use super::{FORMAT, LakeTable, Manifest, Personal, VERSION};
use crate::model::TABLES;
use crate::progress::Progress;
use crate::store::Project;

/// Writes `p`'s data tables into `dir` (new, or an empty folder) and returns the manifest.
pub fn export(p: &Project, dir: &Path, personal: Personal, progress: &Progress) -> anyhow::Result<Manifest> {
    if dir.exists() {
        let empty = dir.is_dir() && std::fs::read_dir(dir)?.next().is_none();
        if !empty {
            crate::bail_say!(
                "{} already exists and is not an empty folder: a lake is written into a new one",
                "{} 已存在且不是空文件夹：数据湖须写入新的文件夹",
                dir.display()
            );
        }
    }
    let partial = crate::store::scratch::new_file(p.scratch_dir(), "lake", "partial");
    std::fs::create_dir_all(&partial)?;
    let result = write(p, &partial, personal, progress).and_then(|m| {
        move_folder(&partial, dir)?;
        Ok(m)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    result
}

/// Moves a folder: renamed on the same disk, otherwise copied and then removed.
fn move_folder(from: &Path, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        std::fs::remove_dir(to)?;
    }
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let copied = copy_tree(from, to);
    if copied.is_err() {
        let _ = std::fs::remove_dir_all(to);
    }
    copied.map_err(|e| {
        crate::said!(
            "cannot write the lake into {}: {e}",
            "无法将数据湖写入 {}：{e}",
            to.display()
        )
    })?;
    std::fs::remove_dir_all(from)?;
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target: PathBuf = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_tree(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), target)?;
        }
    }
    Ok(())
}

fn write(p: &Project, dir: &Path, personal: Personal, progress: &Progress) -> anyhow::Result<Manifest> {
    // A key for this export only, kept nowhere: the pseudonyms cannot be reversed by trying
    // every ID number against a known key.
    let key = match personal {
        Personal::Pseudonymised => Some(crate::handheld::token::new_token()?.0.to_string()),
        Personal::Full => None,
    };
    let mut tables = Vec::new();
    for (i, t) in TABLES.iter().enumerate() {
        progress.check()?;
        progress.set(
            Some(i as f32 / TABLES.len() as f32),
            crate::say!("Writing {} to the lake", "正在写入数据湖：{}", t.name),
        );
        let by = super::partitions(t);
        let rows = crate::store::lake::export_table(p, t, &by, &dir.join(t.name), key.as_deref())?;
        tables.push(LakeTable {
            name: t.name.to_string(),
            columns: t.columns.iter().map(|c| c.name.to_string()).collect(),
            partitioned_by: by.iter().map(|s| s.to_string()).collect(),
            rows,
        });
    }
    let months = crate::store::queries::months(p)?;
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        schema_version: crate::store::SCHEMA_VERSION,
        project: p
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        exported_at: chrono::Local::now().naive_local(),
        personal,
        months: months
            .first()
            .zip(months.last())
            .map(|(a, b)| (a.format("%Y-%m").to_string(), b.format("%Y-%m").to_string())),
        tables,
    };
    std::fs::write(dir.join(super::MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;
    if personal == Personal::Full {
        // Recorded before the lake is in place: no record, no lake.
        let columns: Vec<String> = TABLES
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.personal.is_some())
                    .map(move |c| format!("{}.{}", t.name, c.name))
            })
            .collect();
        let rows = manifest
            .tables
            .iter()
            .find(|t| t.name == "customers")
            .map_or(0, |t| t.rows);
        let entry = crate::store::access_log::Entry::now("lake", "lake export", &columns, rows);
        crate::store::access_log::record(p, &entry)?;
    }
    progress.set(Some(1.0), crate::say!("Lake written", "数据湖已写入"));
    Ok(manifest)
}
