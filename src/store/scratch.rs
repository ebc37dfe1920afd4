//! The project's private folder for temporary files (`.mams-tmp` beside the project). Once a
//! project is open, it is the only folder DuckDB may read or write: a query a user wrote (a
//! project rule, the SQL console) cannot read `/etc/passwd` or write a file anywhere. MAMS's
//! own imports and exports reach other files through it: a file to import is linked (or
//! copied) in, an export is written there and moved to where the user asked.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use duckdb::Connection;

/// The folder's name beside the project. It holds decoded copies of imported files, full of
/// customers' names and ID numbers, so only the user may read it.
pub const FOLDER: &str = ".mams-tmp";

/// Temporary files of this process are told apart by a counter.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// DuckDB reads a file name with `*`, `?`, `[` or `{` as a pattern of names.
pub fn has_glob_characters(path: &Path) -> bool {
    path.to_string_lossy().contains(['*', '?', '[', ']', '{', '}'])
}

/// Where the temporary files of the project at `project` go: beside it, on the disk the user
/// chose for big data (the system temp folder may be small), unless that folder's name
/// would be read as a pattern.
pub fn folder_for(project: &Path) -> PathBuf {
    match project.parent() {
        Some(dir) if !has_glob_characters(dir) => {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            std::path::absolute(dir)
                .unwrap_or_else(|_| dir.to_path_buf())
                .join(FOLDER)
        }
        _ => {
            let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME"));
            std::env::temp_dir().join(format!("{FOLDER}-{}", user.unwrap_or_default()))
        }
    }
}

/// Creates the folder (readable by the user only, on Unix) and removes what processes that
/// are gone left in it (a copy survives a kill).
pub fn prepare(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    remove_left_files(dir);
    Ok(())
}

/// Limits the database of `conn` to files under `dirs` (a project's private folder, and the
/// lake an attached project reads). DuckDB keeps its own spill folder
/// allowed; the limit cannot be lifted again while the database is open.
pub fn confine(conn: &Connection, dirs: &[&Path]) -> duckdb::Result<()> {
    let allowed: Vec<String> = dirs
        .iter()
        .map(|dir| {
            let mut allowed = dir.to_string_lossy().into_owned();
            if !allowed.ends_with(std::path::MAIN_SEPARATOR) {
                allowed.push(std::path::MAIN_SEPARATOR);
            }
            super::quote_literal(&allowed)
        })
        .collect();
    conn.execute_batch(&format!(
        "SET allowed_directories = [{}]; SET enable_external_access = false;",
        allowed.join(", ")
    ))
}

/// A new name in `dir` for a temporary file of `purpose` ("import", "export"), carrying the
/// process id so that a later process can tell a left file from a live one.
pub fn new_file(dir: &Path, purpose: &str, ext: &str) -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".mams-{purpose}-{}-{n}.{ext}", std::process::id()))
}

/// A name in `dir` through which DuckDB reads `file`: a hard link, or a copy where links
/// cannot be made (another disk). The caller removes it.
pub fn link_in(dir: &Path, file: &Path) -> anyhow::Result<PathBuf> {
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let alias = new_file(dir, "import", &ext);
    if has_glob_characters(&alias) {
        crate::bail_say!(
            "{}: the folder for temporary copies ({}) has * ? [ or {{ in its name",
            "{}：临时副本所在的文件夹（{}）名称中含有 * ? [ 或 {{",
            file.display(),
            dir.display()
        );
    }
    let _ = std::fs::remove_file(&alias);
    if std::fs::hard_link(file, &alias).is_err() {
        std::fs::copy(file, &alias)
            .map_err(|e| crate::said!("cannot copy {}: {}", "无法复制 {}：{}", file.display(), e))?;
    }
    Ok(alias)
}

/// Moves a file written in the folder to where the user asked for it (a copy where the
/// destination is on another disk).
pub fn deliver(written: &Path, to: &Path) -> anyhow::Result<()> {
    if std::fs::rename(written, to).is_err() {
        let copied = std::fs::copy(written, to);
        let _ = std::fs::remove_file(written);
        copied.map_err(|e| crate::said!("cannot write {}: {}", "无法写入 {}：{}", to.display(), e))?;
    }
    Ok(())
}

/// Removes the files of processes that are gone (on systems without /proc, files older than
/// a day). Names are `.mams-PURPOSE-PID-...`.
pub fn remove_left_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(".mams-")
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(_, rest)| rest.split(['-', '.']).next())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let gone = if Path::new("/proc").is_dir() {
            pid != me && !Path::new("/proc").join(pid.to_string()).exists()
        } else {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(86_400))
        };
        if gone {
            // A lake being written is a folder.
            let _ = std::fs::remove_file(e.path()).or_else(|_| std::fs::remove_dir_all(e.path()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_files_of_gone_processes_are_removed_and_live_ones_kept() {
        let dir = std::env::temp_dir().join(format!("mams-scratch-{}", std::process::id()));
        prepare(&dir).unwrap();
        let gone = dir.join(".mams-import-4000000000-0.csv");
        let mine = new_file(&dir, "export", "csv");
        let other = dir.join("notes.txt");
        for f in [&gone, &mine, &other] {
            std::fs::write(f, "x").unwrap();
        }
        remove_left_files(&dir);
        assert!(!gone.exists());
        assert!(mine.exists());
        assert!(other.exists(), "files MAMS did not name are left alone");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_folder_whose_name_is_a_pattern_is_not_used() {
        let dir = folder_for(Path::new("/data/[2025]/p.mams"));
        assert!(!has_glob_characters(&dir), "{}", dir.display());
        assert_eq!(
            folder_for(Path::new("/data/p.mams")),
            Path::new("/data").join(FOLDER)
        );
    }
}
