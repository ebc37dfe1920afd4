//! The province's lake: a project's data tables as Parquet, partitioned Hive-style by month
//! and city (`bills/lake_month=2025-03/lake_city=C01/data_0.parquet`), as a province's central
//! platform holds them. A manifest (`lake.json`) says what it is, which tables and columns it
//! holds and how each is partitioned, so that a reader (DuckDB, the Spark runner under
//! `installer/spark/`) can refuse what it does not understand instead of reading it wrongly.

pub mod attach;
pub mod export;
pub mod suspects;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::{Table, UnitLink};

/// What the manifest calls the format, and its version (a newer lake is refused).
pub const FORMAT: &str = "mams-lake";
pub const VERSION: u32 = 1;
/// The manifest's file name in a lake's folder.
pub const MANIFEST: &str = "lake.json";
/// The partition columns (named so that no data column can be one).
pub const MONTH: &str = "lake_month";
pub const CITY: &str = "lake_city";
/// The city of a unit above every city (the province itself).
pub const ABOVE_CITIES: &str = "province";

/// How personal columns were written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Personal {
    /// Each value replaced by a keyed SHA-256 (the key made for this export and kept nowhere):
    /// equal values stay equal, so the rules that match ID numbers or phones still match,
    /// but no value can be read back.
    Pseudonymised,
    /// As stored (chosen on the command line; recorded in the project's access log).
    Full,
}

/// One table of a lake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LakeTable {
    pub name: String,
    /// The data columns, in the data model's order (the partition columns are not among them).
    pub columns: Vec<String>,
    pub partitioned_by: Vec<String>,
    pub rows: u64,
}

/// `lake.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// The project's schema version the tables follow.
    pub schema_version: i64,
    pub project: String,
    pub exported_at: chrono::NaiveDateTime,
    pub personal: Personal,
    /// The first and last months with data (YYYY-MM).
    pub months: Option<(String, String)>,
    pub tables: Vec<LakeTable>,
}

/// The partition columns of a table: its month if it is placed in time, its city if it
/// belongs to a unit. The org tree and reference data are one file each.
pub fn partitions(t: &Table) -> Vec<&'static str> {
    let mut by = Vec::new();
    if t.name == "org_units" {
        return by;
    }
    if t.period_column.is_some() {
        by.push(MONTH);
    }
    if t.unit_link != UnitLink::Global {
        by.push(CITY);
    }
    by
}

/// Reads and checks a lake's manifest: its format and version, and that every table it
/// lists is there.
pub fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
    let file = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&file).map_err(|e| {
        crate::said!(
            "{} is not a MAMS lake: {} cannot be read ({e})",
            "{} 不是 MAMS 数据湖：无法读取 {}（{e}）",
            dir.display(),
            file.display()
        )
    })?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| {
        crate::said!(
            "{}: not a lake manifest ({e})",
            "{}：不是数据湖清单（{e}）",
            file.display()
        )
    })?;
    if m.format != FORMAT {
        crate::bail_say!(
            "{}: the format is {:?}, not {FORMAT}",
            "{}：格式为 {:?}，不是 {FORMAT}",
            file.display(),
            m.format
        );
    }
    if m.version > VERSION {
        crate::bail_say!(
            "{}: the lake is of version {}, newer than this MAMS reads ({VERSION}); update MAMS",
            "{}：数据湖版本 {} 高于本程序可读的版本（{VERSION}）；请升级 MAMS",
            file.display(),
            m.version
        );
    }
    for t in &m.tables {
        let path = dir.join(&t.name);
        if !path.is_dir() {
            crate::bail_say!(
                "{}: the table {} is listed in the manifest but missing",
                "{}：清单列出了表 {}，但该表不存在",
                path.display(),
                t.name
            );
        }
    }
    Ok(m)
}
