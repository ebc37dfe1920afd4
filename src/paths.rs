//! Where MAMS keeps things on this machine: settings, the sample project, the bundled
//! sample extracts. `MAMS_HOME` overrides the platform folders (tests and portable use).

use std::path::{Path, PathBuf};

/// Folder for settings (`settings.json`).
pub fn config_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("MAMS_HOME") {
        return PathBuf::from(home);
    }
    directories::ProjectDirs::from("", "", "MAMS")
        .map(|d| d.config_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".mams"))
}

/// Folder for data MAMS creates itself (the sample project).
pub fn data_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("MAMS_HOME") {
        return PathBuf::from(home);
    }
    directories::ProjectDirs::from("", "", "MAMS")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".mams"))
}

/// Folder for caches that can be thrown away (map tiles fetched online).
pub fn cache_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("MAMS_HOME") {
        return PathBuf::from(home).join("cache");
    }
    directories::ProjectDirs::from("", "", "MAMS")
        .map(|d| d.cache_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".mams/cache"))
}

/// Where the app builds the sample project on first start.
pub fn sample_project() -> PathBuf {
    data_dir().join("sample-province.duckdb")
}

fn has_manifest(dir: &Path) -> bool {
    dir.join(crate::manifest::FILE_NAME).is_file()
}

/// The bundled sample extracts: `MAMS_SAMPLE_DB`, then `sample-db/` beside the executable
/// (or in `../share/mams/` for an installed copy, `../Resources/` in a macOS app bundle), then
/// the source tree it was built from.
pub fn bundled_sample_db() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("MAMS_SAMPLE_DB") {
        candidates.push(PathBuf::from(p));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        candidates.push(dir.join("sample-db"));
        candidates.push(dir.join("../share/mams/sample-db"));
        // A macOS app bundle: Contents/MacOS/mams and Contents/Resources/sample-db.
        candidates.push(dir.join("../Resources/sample-db"));
    }
    candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-db"));
    candidates.into_iter().find(|d| has_manifest(d))
}

/// Validates a project path the app was asked to open: one that does not exist is refused
/// (opening never creates it).
pub fn check_project_arg(p: &Path) -> anyhow::Result<()> {
    if !p.exists() {
        anyhow::bail!("project file {} does not exist", p.display());
    }
    Ok(())
}
