//! A bulletin as a document, before any format: a title, its number and as-of date, and
//! sections of sentences and tables, every text in English and Chinese. The renderers
//! (`html.rs`) write it out; the builders (`monthly.rs`) fill it from the project.

use serde::Serialize;

use crate::text::Text;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Document {
    pub title: Text,
    /// "No. 2025-06".
    pub number: String,
    /// The org unit's name in both languages.
    pub unit: Text,
    pub period: Text,
    /// The last day the data reach.
    pub as_of: Option<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub paragraphs: Vec<Text>,
    pub table: Option<Table>,
}

/// A table as it is printed: a header and rows, every cell in both languages (numbers
/// already formatted, the same in both).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Table {
    pub header: Vec<Text>,
    pub rows: Vec<Vec<Text>>,
}

/// A cell that reads the same in both languages (a number, a code).
pub fn same(s: String) -> Text {
    Text { en: s.clone(), zh: s }
}
