//! What survives a restart: the last project, language, theme, page and selections.
//! Stored as `settings.json` in the config folder; everything else in the app is rebuilt.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::i18n::Lang;
use super::page::PageId;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppState {
    pub last_project: Option<PathBuf>,
    pub lang: Lang,
    pub dark: bool,
    pub page: PageId,
    /// Selected period, "YYYY-MM".
    pub period: Option<String>,
    pub unit_id: Option<String>,
    /// What each page keeps (by page name; the map its basemap).
    pub pages: std::collections::BTreeMap<String, serde_json::Value>,
}

impl Default for AppState {
    fn default() -> Self {
        AppState {
            last_project: None,
            lang: Lang::En,
            dark: false,
            page: PageId::Overview,
            period: None,
            unit_id: None,
            pages: Default::default(),
        }
    }
}

impl AppState {
    /// Loads settings; a missing or unreadable file gives the defaults (and a log line).
    pub fn load(path: &Path) -> AppState {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!("ignoring unreadable settings {}: {e}", path.display());
                AppState::default()
            }),
            Err(_) => AppState::default(),
        }
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_string_pretty(self).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_bad_files_give_defaults() {
        let dir = std::env::temp_dir().join(format!("mams-settings-{}", std::process::id()));
        let path = dir.join("settings.json");
        let s = AppState {
            lang: Lang::Zh,
            dark: true,
            period: Some("2025-03".into()),
            ..AppState::default()
        };
        s.save(&path).unwrap();
        assert_eq!(AppState::load(&path), s);
        std::fs::write(&path, "{ nope").unwrap();
        assert_eq!(AppState::load(&path), AppState::default());
    }
}
