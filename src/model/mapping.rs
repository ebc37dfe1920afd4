//! A column mapping: which column of a source file fills which field of a table, with what
//! unit scale. Part of the data model because the store keeps mappings (import profiles)
//! and applies them while staging; how one is suggested from headers is the import's.

use serde::{Deserialize, Serialize};

use super::Table;

/// How one source column is used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMap {
    /// The header as it appears in the file.
    pub source: String,
    /// The canonical field it fills; None: ignored.
    pub field: Option<String>,
    /// Multiplier to the canonical unit (10,000 for 万元 -> yuan).
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

/// A whole mapping for one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub table: String,
    pub columns: Vec<ColumnMap>,
}

impl Mapping {
    /// The source column that fills `field`, if any.
    pub fn source_of(&self, field: &str) -> Option<&ColumnMap> {
        self.columns.iter().find(|c| c.field.as_deref() == Some(field))
    }

    /// Required fields of the table no column fills.
    pub fn missing_required(&self, table: &Table) -> Vec<&'static str> {
        table
            .columns
            .iter()
            .filter(|c| c.required && self.source_of(c.name).is_none())
            .map(|c| c.name)
            .collect()
    }
}
