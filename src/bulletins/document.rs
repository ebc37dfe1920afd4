//! A bulletin as a document, before any format: a title, its number and as-of date, and
//! sections of sentences, a table and a chart, every text in English and Chinese, and the
//! analyst's commentary. The renderers (`html.rs`, `pdf.rs`, `docx.rs`) write it out; the
//! builders (`activity.rs`, `monthly.rs`, `evaluation.rs`) fill it from the project.

use serde::{Deserialize, Serialize};

use crate::text::Text;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Document {
    /// daily, weekly, monthly, quarterly or annual.
    pub kind: String,
    /// The company the bulletin comes from (the top org unit), heading every page.
    pub company: Text,
    pub title: Text,
    /// "No. 2025-06".
    pub number: String,
    /// The org unit's name in both languages, and its id.
    pub unit: Text,
    pub unit_id: String,
    pub period: Text,
    /// The period as it is written on the command line: 2025-12-31, 2025-W52, 2025-06,
    /// 2025Q2, 2025.
    pub period_label: String,
    /// The last day the data reach.
    pub as_of: Option<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Section {
    pub id: String,
    pub title: Text,
    pub paragraphs: Vec<Text>,
    pub table: Option<Table>,
    #[serde(default)]
    pub chart: Option<Chart>,
    /// The analyst's paragraph, kept as written (in whichever language).
    #[serde(default)]
    pub commentary: Option<String>,
    /// The personal data the section prints (customers' names, account numbers), to mask
    /// wherever they stand when presenting.
    #[serde(default)]
    pub personal: Vec<PersonalValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PersonalValue {
    pub value: String,
    pub kind: crate::privacy::Personal,
}

/// A table as it is printed: a header and rows, every cell in both languages (numbers
/// already formatted, the same in both).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Table {
    pub header: Vec<Text>,
    pub rows: Vec<Vec<Text>>,
}

impl Table {
    /// For each column, whether it holds numbers (every filled cell below the header reads
    /// as one, "—" standing for none): such columns are aligned right. The first column
    /// names the rows and never is.
    pub fn numeric_columns(&self, zh: bool) -> Vec<bool> {
        (0..self.header.len())
            .map(|k| {
                let cells = || {
                    self.rows
                        .iter()
                        .filter_map(|r| r.get(k))
                        .map(|c| c.pick(zh).trim())
                };
                k > 0
                    && cells().any(|s| !s.is_empty() && s != "—")
                    && cells().all(|s| s.is_empty() || s == "—" || starts_with_number(s))
            })
            .collect()
    }
}

/// "82,412,214 kWh", "+4.8 %", "-0.43 pp", "3.4 working days": a number, perhaps signed,
/// then whatever unit.
fn starts_with_number(s: &str) -> bool {
    let head = s.split_whitespace().next().unwrap_or("");
    let head = head
        .trim_start_matches(['+', '-', '−'])
        .trim_end_matches('%')
        .replace(',', "");
    !head.is_empty() && head.parse::<f64>().is_ok_and(f64::is_finite)
}

/// A chart of a section: bars (one per label) or lines (over the labels, one per series).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Chart {
    pub title: Text,
    pub kind: ChartKind,
    pub labels: Vec<Text>,
    pub series: Vec<Series>,
    /// The values' unit, printed on the axis ("kWh", "%").
    pub unit: Text,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ChartKind {
    Bars,
    Lines,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Series {
    pub name: Text,
    pub values: Vec<Option<f64>>,
}

impl Section {
    /// A section's body; the builder sets its id and title from the template.
    pub fn body(paragraphs: Vec<Text>, table: Option<Table>) -> Section {
        Section {
            id: String::new(),
            title: Text::default(),
            paragraphs,
            table,
            chart: None,
            commentary: None,
            personal: Vec::new(),
        }
    }

    /// The section with its personal data masked in every sentence, cell and chart label.
    pub fn masked(&self) -> Section {
        let mut values: Vec<(&str, String)> = self
            .personal
            .iter()
            .filter(|p| !p.value.trim().is_empty())
            .map(|p| (p.value.as_str(), crate::privacy::mask(&p.value, p.kind)))
            .collect();
        // The longest first, so a name inside a longer one is not masked half.
        values.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        let hide = |s: &str| -> String {
            let mut out = s.to_string();
            for (v, m) in &values {
                out = out.replace(v, m);
            }
            out
        };
        let hide_text = |t: &Text| Text {
            en: hide(&t.en),
            zh: hide(&t.zh),
        };
        let mut s = self.clone();
        s.paragraphs = s.paragraphs.iter().map(hide_text).collect();
        if let Some(t) = &mut s.table {
            t.rows = t.rows.iter().map(|r| r.iter().map(hide_text).collect()).collect();
        }
        if let Some(c) = &mut s.chart {
            c.labels = c.labels.iter().map(hide_text).collect();
        }
        s.commentary = s.commentary.as_deref().map(hide);
        s
    }

    /// Records a value of personal data the section prints.
    pub fn personal(&mut self, value: &str, kind: crate::privacy::Personal) {
        if !self.personal.iter().any(|p| p.value == value) {
            self.personal.push(PersonalValue {
                value: value.to_string(),
                kind,
            });
        }
    }
}

impl Document {
    /// The document with the personal data of every section masked.
    pub fn masked(&self) -> Document {
        Document {
            sections: self.sections.iter().map(Section::masked).collect(),
            ..self.clone()
        }
    }

    /// Sets the commentary of the section `id`; says which sections there are otherwise.
    pub fn comment(&mut self, id: &str, commentary: &str) -> anyhow::Result<()> {
        let ids: Vec<String> = self.sections.iter().map(|s| s.id.clone()).collect();
        let Some(s) = self.sections.iter_mut().find(|s| s.id == id) else {
            crate::bail_say!(
                "the bulletin has no section '{}' (it has: {})",
                "简报中没有栏目“{}”（现有：{}）",
                id,
                ids.join(", ")
            );
        };
        let c = commentary.trim();
        s.commentary = (!c.is_empty()).then(|| c.to_string());
        Ok(())
    }
}

/// The line at the head of every page: the company, the unit (when it is not the company
/// itself), the period and the number.
pub fn running_head(doc: &Document, zh: bool) -> String {
    let mut parts = vec![doc.company.pick(zh)];
    if doc.unit.pick(zh) != doc.company.pick(zh) {
        parts.push(doc.unit.pick(zh));
    }
    parts.push(doc.period.pick(zh));
    parts.push(&doc.number);
    parts.join("  ·  ")
}

/// A cell that reads the same in both languages (a number, a code).
pub fn same(s: String) -> Text {
    Text { en: s.clone(), zh: s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_of_numbers_with_units_and_signs_are_numeric_and_names_are_not() {
        let row = |cells: [&str; 4]| cells.map(|c| same(c.into())).to_vec();
        let t = Table {
            header: row(["Indicator", "Value", "Change", "Note"]),
            rows: vec![
                row(["Sales", "82,412,214 kWh", "+4.8 %", "Jinba"]),
                row(["Connection time", "3.4 working days", "-0.43 pp", "—"]),
                row(["Arrears", "—", "—", "12 units"]),
            ],
        };
        // The first column names the rows; "Jinba" makes the last one text.
        assert_eq!(t.numeric_columns(false), [false, true, true, false]);
    }

    #[test]
    fn masking_hides_a_name_in_the_sentences_the_cells_and_the_chart() {
        let mut s = Section::body(
            vec![same(
                "嘉城水泥有限公司 fell 47.8 %; 嘉城水泥有限公司二厂 did not.".into(),
            )],
            Some(Table {
                header: vec![same("Customer".into())],
                rows: vec![vec![same("嘉城水泥有限公司".into())], vec![same("张三".into())]],
            }),
        );
        s.personal("嘉城水泥有限公司", crate::privacy::Personal::Name);
        s.personal("嘉城水泥有限公司二厂", crate::privacy::Personal::Name);
        s.personal("张三", crate::privacy::Personal::Name);
        let m = s.masked();
        // The longer name is masked whole, not through the shorter one inside it.
        assert_eq!(
            m.paragraphs[0].en,
            "嘉******司 fell 47.8 %; 嘉********厂 did not."
        );
        let rows = &m.table.as_ref().unwrap().rows;
        assert_eq!(
            (rows[0][0].zh.as_str(), rows[1][0].zh.as_str()),
            ("嘉******司", "张*")
        );
        // The document itself is left as it was.
        assert_eq!(s.table.as_ref().unwrap().rows[1][0].zh, "张三");
    }
}
