//! `mams audit import`: suspects found outside the workstation (the Spark runner over the
//! province's lake) brought into the project's closed loop exactly as its own audit stores
//! them: the same keys (rule, entity, month), never duplicated, triage states kept, those
//! of the same rules and months not found again marked no longer found.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::audit::run::score;
use crate::store::Project;
use crate::store::audit::{Found, RunRecord, SaveCounts};

pub const FORMAT: &str = "mams-suspects";
pub const VERSION: u32 = 1;

/// `suspects.json` as the runner writes it (what MAMS reads of it).
#[derive(Debug, Deserialize)]
pub struct Ran {
    pub format: String,
    pub version: u32,
    pub engine: String,
    pub from: String,
    pub to: String,
    pub rules: Vec<RuleRan>,
}

#[derive(Debug, Deserialize)]
pub struct RuleRan {
    pub rule_id: String,
    pub version: String,
    #[serde(default)]
    pub suspects: Option<u64>,
    #[serde(default)]
    pub error: Option<String>,
}

/// What an import stored.
#[derive(Debug)]
pub struct Imported {
    pub ran: Ran,
    pub counts: SaveCounts,
    /// Suspects of units that are not in the project (another city of the province).
    pub outside: u64,
}

fn month(s: &str, file: &Path) -> anyhow::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| {
        crate::said!(
            "{}: the month {s:?} is not YYYY-MM",
            "{}：月份 {s:?} 不是 YYYY-MM 格式",
            file.display()
        )
    })
}

/// Reads and checks a suspects folder: its format and version, and that every rule it ran is
/// one of the project's, of the same version.
pub fn read(dir: &Path, rules: &[crate::audit::rules::Rule]) -> anyhow::Result<(Ran, Vec<PathBuf>)> {
    let file = dir.join("suspects.json");
    let text = std::fs::read_to_string(&file).map_err(|e| {
        crate::said!(
            "{} is not a suspects folder: {} cannot be read ({e})",
            "{} 不是疑点文件夹：无法读取 {}（{e}）",
            dir.display(),
            file.display()
        )
    })?;
    let ran: Ran = serde_json::from_str(&text).map_err(|e| {
        crate::said!(
            "{}: not a suspects record ({e})",
            "{}：不是疑点记录（{e}）",
            file.display()
        )
    })?;
    if ran.format != FORMAT {
        crate::bail_say!(
            "{}: the format is {:?}, not {FORMAT}",
            "{}：格式为 {:?}，不是 {FORMAT}",
            file.display(),
            ran.format
        );
    }
    if ran.version > VERSION {
        crate::bail_say!(
            "{}: version {} is newer than this MAMS reads ({VERSION}); update MAMS",
            "{}：版本 {} 高于本程序可读的版本（{VERSION}）；请升级 MAMS",
            file.display(),
            ran.version
        );
    }
    for r in &ran.rules {
        let Some(here) = rules.iter().find(|h| h.id == r.rule_id) else {
            crate::bail_say!(
                "{}: rule {} is not a rule of this project",
                "{}：规则 {} 不是本项目的规则",
                file.display(),
                r.rule_id
            );
        };
        if here.version != r.version {
            crate::bail_say!(
                "{}: rule {} ran in version {}, but this project's is version {}: run the rules again with this MAMS's rule files",
                "{}：规则 {} 运行时的版本为 {}，而本项目的版本为 {}：请用本程序的规则文件重新运行",
                file.display(),
                r.rule_id,
                r.version,
                here.version
            );
        }
    }
    let folder = dir.join("suspects");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(|e| {
            crate::said!(
                "{}: cannot be read ({e})",
                "{}：无法读取（{e}）",
                folder.display()
            )
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
        .collect();
    files.sort();
    if files.is_empty() {
        crate::bail_say!(
            "{}: no Parquet file of suspects",
            "{}：没有疑点 Parquet 文件",
            folder.display()
        );
    }
    Ok((ran, files))
}

/// Imports a suspects folder into the project's audit, as one run over the whole project.
pub fn import(p: &Project, dir: &Path) -> anyhow::Result<Imported> {
    let (rules, _) = crate::audit::run::library(p)?;
    let (ran, files) = read(dir, &rules)?;
    let file = dir.join("suspects.json");
    let (from, to) = (month(&ran.from, &file)?, month(&ran.to, &file)?);
    let (rows, outside) = crate::store::lake::read_suspects(p, &files)?;
    let ok: Vec<String> = ran
        .rules
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| r.rule_id.clone())
        .collect();
    let mut found = Vec::with_capacity(rows.len());
    for s in rows {
        let Some(rule) = rules.iter().find(|r| r.id == s.rule_id && ok.contains(&r.id)) else {
            crate::bail_say!(
                "{}: a suspect of rule {}, which suspects.json does not list as run",
                "{}：有规则 {} 的疑点，但 suspects.json 未列出该规则已运行",
                dir.display(),
                s.rule_id
            );
        };
        // As MAMS's own audit keeps a row (audit::run::suspects_from).
        let amount = if s.amount.is_finite() {
            s.amount.max(0.0)
        } else {
            0.0
        };
        let confidence = if s.confidence.is_finite() {
            s.confidence.clamp(0.0, 1.0)
        } else {
            0.5
        };
        found.push(Found {
            rule_id: s.rule_id,
            entity_type: s.entity_type,
            entity_id: s.entity_id,
            period: s.period.map(|d| chrono::Datelike::with_day(&d, 1).unwrap_or(d)),
            unit_id: s.unit_id,
            amount,
            confidence,
            severity: rule.severity as i32,
            score: score(rule.severity, confidence, amount),
            evidence: s.evidence,
        });
    }
    let top = crate::store::dq::top_unit(p)?
        .ok_or_else(|| crate::said!("the project has no org units", "项目中没有组织单位"))?;
    let record = RunRecord {
        started_at: chrono::Local::now().naive_local(),
        from,
        to,
        unit_id: top,
        rules_ok: ok,
        errors: ran
            .rules
            .iter()
            .filter_map(|r| {
                r.error
                    .as_ref()
                    .map(|e| format!("{} (on {}): {e}", r.rule_id, ran.engine))
            })
            .collect(),
    };
    let counts = crate::store::audit::save_run(p, &record, &found)?;
    Ok(Imported { ran, counts, outside })
}
