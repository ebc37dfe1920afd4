//! Saved column mappings (import profiles), by name.

use super::Project;
use crate::model::mapping::Mapping;

pub fn save(project: &Project, name: &str, mapping: &Mapping) -> anyhow::Result<()> {
    let json = serde_json::to_string(mapping)?;
    project.conn().execute(
        "INSERT OR REPLACE INTO import_profiles VALUES (?, ?, ?, ?)",
        duckdb::params![name, mapping.table, json, chrono::Local::now().naive_local()],
    )?;
    Ok(())
}

/// The profile called `name`; an error names the profiles there are.
pub fn load(project: &Project, name: &str) -> anyhow::Result<Mapping> {
    let json: Option<String> = project
        .conn()
        .query_row(
            "SELECT mapping_json FROM import_profiles WHERE name = ?",
            [name],
            |r| r.get(0),
        )
        .ok();
    match json {
        Some(j) => serde_json::from_str(&j).map_err(|e| {
            crate::said!(
                "profile '{name}' is damaged ({e}); save it again",
                "映射方案“{name}”已损坏（{e}）；请重新保存"
            )
        }),
        None => {
            let names = list(project)?
                .into_iter()
                .map(|(n, t)| format!("{n} ({t})"))
                .collect::<Vec<_>>();
            crate::bail_say!(
                "no import profile called '{name}' in {} (profiles: {})",
                "{} 中没有名为“{name}”的导入映射方案（已有方案：{}）",
                project.path().display(),
                if names.is_empty() {
                    "none yet".to_string()
                } else {
                    names.join(", ")
                }
            )
        }
    }
}

/// (name, table) of every profile.
pub fn list(project: &Project) -> anyhow::Result<Vec<(String, String)>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT name, table_name FROM import_profiles ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<duckdb::Result<_>>()?)
}

/// Every profile with its mapping, in one query; a damaged one is left out (and logged).
pub fn all(project: &Project) -> anyhow::Result<Vec<(String, Mapping)>> {
    let mut stmt = project
        .conn()
        .prepare("SELECT name, mapping_json FROM import_profiles ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, json) = row?;
        match serde_json::from_str(&json) {
            Ok(m) => out.push((name, m)),
            Err(e) => tracing::warn!("import profile '{name}' is damaged: {e}"),
        }
    }
    Ok(out)
}
