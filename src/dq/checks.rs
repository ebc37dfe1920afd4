//! A data quality check as data: what it tests (a table, a column), under which dimension of
//! GB/T 36344 and at which stage of the data's life, how much it weighs, and how it is
//! evaluated. The built-in checks are `assets/dq/<table>.json`; a project adds its own.
//!
//! Every check but the two table-level kinds is a test of one row of its table: a SQL
//! condition for the rows it applies to and one for the rows that fail, so the checks of a
//! table share one scan (`compile.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{self, ColType, Table};

/// The six dimensions of GB/T 36344-2018 (信息技术 数据质量评价指标).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Completeness,
    Validity,
    Uniqueness,
    Consistency,
    Timeliness,
    Accuracy,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Completeness,
        Dimension::Validity,
        Dimension::Uniqueness,
        Dimension::Consistency,
        Dimension::Timeliness,
        Dimension::Accuracy,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Dimension::Completeness => "completeness",
            Dimension::Validity => "validity",
            Dimension::Uniqueness => "uniqueness",
            Dimension::Consistency => "consistency",
            Dimension::Timeliness => "timeliness",
            Dimension::Accuracy => "accuracy",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.id() == s)
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Dimension::Completeness, false) => "Completeness",
            (Dimension::Completeness, true) => "完整性",
            (Dimension::Validity, false) => "Validity",
            (Dimension::Validity, true) => "规范性",
            (Dimension::Uniqueness, false) => "Uniqueness",
            (Dimension::Uniqueness, true) => "唯一性",
            (Dimension::Consistency, false) => "Consistency",
            (Dimension::Consistency, true) => "一致性",
            (Dimension::Timeliness, false) => "Timeliness",
            (Dimension::Timeliness, true) => "时效性",
            (Dimension::Accuracy, false) => "Accuracy",
            (Dimension::Accuracy, true) => "准确性",
        }
    }
}

/// The stage of the data's life cycle a check watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Acquisition,
    Storage,
    Sharing,
    Maintenance,
    Application,
    Disposal,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Acquisition,
        Stage::Storage,
        Stage::Sharing,
        Stage::Maintenance,
        Stage::Application,
        Stage::Disposal,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Stage::Acquisition => "acquisition",
            Stage::Storage => "storage",
            Stage::Sharing => "sharing",
            Stage::Maintenance => "maintenance",
            Stage::Application => "application",
            Stage::Disposal => "disposal",
        }
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Stage::Acquisition, false) => "Acquisition",
            (Stage::Acquisition, true) => "采集",
            (Stage::Storage, false) => "Storage",
            (Stage::Storage, true) => "存储",
            (Stage::Sharing, false) => "Sharing",
            (Stage::Sharing, true) => "共享",
            (Stage::Maintenance, false) => "Maintenance",
            (Stage::Maintenance, true) => "维护",
            (Stage::Application, false) => "Application",
            (Stage::Application, true) => "应用",
            (Stage::Disposal, false) => "Disposal",
            (Stage::Disposal, true) => "销毁",
        }
    }
}

/// How a check is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    NotNull,
    NotBlank,
    Unique,
    Codes,
    Range,
    Pattern,
    Reference,
    CrossField,
    Reconciliation,
    /// A SELECT returning the key columns of the failing rows (project checks).
    Query,
    /// Table level: each unit's last month of the table against the data's last month.
    Freshness,
    /// Table level: each unit's rows in the last month against the month before.
    RowCount,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::NotNull,
        Kind::NotBlank,
        Kind::Unique,
        Kind::Codes,
        Kind::Range,
        Kind::Pattern,
        Kind::Reference,
        Kind::CrossField,
        Kind::Reconciliation,
        Kind::Query,
        Kind::Freshness,
        Kind::RowCount,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::NotNull => "not_null",
            Kind::NotBlank => "not_blank",
            Kind::Unique => "unique",
            Kind::Codes => "codes",
            Kind::Range => "range",
            Kind::Pattern => "pattern",
            Kind::Reference => "reference",
            Kind::CrossField => "cross_field",
            Kind::Reconciliation => "reconciliation",
            Kind::Query => "query",
            Kind::Freshness => "freshness",
            Kind::RowCount => "row_count",
        }
    }

    /// Evaluated over a table's units rather than over its rows.
    pub fn table_level(self) -> bool {
        matches!(self, Kind::Freshness | Kind::RowCount)
    }
}

/// The validators a pattern check may name (see `validators.rs` and the SQL function
/// `dq_invalid` the store defines with them).
pub const VALIDATORS: [&str; 6] = [
    "resident_id",
    "social_credit_code",
    "id_number",
    "mobile_phone",
    "phone",
    "postal_code",
];

/// A numeric parameter, substituted for `${name}` in the check's SQL.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Param {
    pub name: String,
    pub default: f64,
    #[serde(default)]
    pub label_en: String,
    #[serde(default)]
    pub label_zh: String,
}

/// Where a check comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    #[default]
    Builtin,
    Project,
}

fn one() -> f64 {
    1.0
}

fn default_threshold() -> f64 {
    99.0
}

fn default_severity() -> u8 {
    2
}

/// One check, as written in `assets/dq/<table>.json` (the table comes from the file).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Check {
    pub id: String,
    #[serde(default)]
    pub table: String,
    pub kind: Kind,
    /// The column judged (the first of `columns` for a check of several).
    #[serde(default)]
    pub column: Option<String>,
    /// The columns of a uniqueness check, or the values shown beside a failing row (a column
    /// of a join named with its alias: "r.read_date").
    #[serde(default)]
    pub columns: Vec<String>,
    pub dimension: Dimension,
    pub stage: Stage,
    pub name_en: String,
    pub name_zh: String,
    /// What is wrong with a failing row, in words, for the worklist.
    pub problem_en: String,
    pub problem_zh: String,
    #[serde(default = "default_severity")]
    pub severity: u8,
    #[serde(default = "one")]
    pub weight: f64,
    /// The pass rate (percent) below which the check is failing.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    #[serde(default)]
    pub params: Vec<Param>,
    /// Codes: the code list the values must come from, or the values themselves.
    #[serde(default)]
    pub list: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    /// Range: bounds (numbers, `${param}`s or SQL literals such as DATE '1900-01-01').
    #[serde(default)]
    pub min: Option<String>,
    #[serde(default)]
    pub max: Option<String>,
    /// Pattern: one of `VALIDATORS`, or a regular expression the whole value must match.
    #[serde(default)]
    pub validator: Option<String>,
    #[serde(default)]
    pub regex: Option<String>,
    /// Reference, cross-field, reconciliation: SQL conditions over the row (`t`) and, for a
    /// table reached through its customer, the customer (`c`).
    #[serde(default)]
    pub applies: Option<String>,
    #[serde(default)]
    pub fails: Option<String>,
    /// Query: a SELECT returning the key columns of the failing rows.
    #[serde(default)]
    pub query: Option<String>,
    /// A join the conditions read (`LEFT JOIN table alias ON ...`), on the joined table's key
    /// or on an aggregate of it, so that it adds no row: the checks of a scan that name the
    /// same join share it, where each EXISTS would be a join of its own.
    #[serde(default)]
    pub join: Option<String>,
    #[serde(skip_deserializing)]
    pub origin: Origin,
}

/// One file of built-in checks.
#[derive(Deserialize)]
struct TableFile {
    table: String,
    checks: Vec<Check>,
}

/// The built-in check files, one a table of the model.
const BUILTIN: &[(&str, &str)] = &[
    ("org_units", include_str!("../../assets/dq/org_units.json")),
    ("customers", include_str!("../../assets/dq/customers.json")),
    ("meter_reads", include_str!("../../assets/dq/meter_reads.json")),
    ("bills", include_str!("../../assets/dq/bills.json")),
    ("payments", include_str!("../../assets/dq/payments.json")),
    ("applications", include_str!("../../assets/dq/applications.json")),
    ("tickets", include_str!("../../assets/dq/tickets.json")),
    ("outages", include_str!("../../assets/dq/outages.json")),
    (
        "service_points",
        include_str!("../../assets/dq/service_points.json"),
    ),
    (
        "vehicle_positions",
        include_str!("../../assets/dq/vehicle_positions.json"),
    ),
    (
        "orderly_plans",
        include_str!("../../assets/dq/orderly_plans.json"),
    ),
    ("line_loss", include_str!("../../assets/dq/line_loss.json")),
    ("tariffs", include_str!("../../assets/dq/tariffs.json")),
    (
        "unit_resources",
        include_str!("../../assets/dq/unit_resources.json"),
    ),
    (
        "work_calendar",
        include_str!("../../assets/dq/work_calendar.json"),
    ),
];

/// The built-in checks, read and validated once (a broken file is a bug caught by a test).
pub fn builtin() -> &'static [Check] {
    static CHECKS: std::sync::OnceLock<Vec<Check>> = std::sync::OnceLock::new();
    CHECKS.get_or_init(|| {
        let mut all = Vec::new();
        for (file, json) in BUILTIN {
            let parsed: TableFile = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("assets/dq/{file}.json does not parse: {e}"));
            for mut c in parsed.checks {
                c.table = parsed.table.clone();
                if let Err(e) = c.validate() {
                    panic!("assets/dq/{file}.json: {e}");
                }
                all.push(c);
            }
        }
        all
    })
}

impl Check {
    /// Reads a check an auditor wrote (JSON with its `table`), refusing what cannot run.
    pub fn parse(json: &str) -> anyhow::Result<Check> {
        let mut c: Check = serde_json::from_str(json)
            .map_err(|e| crate::said!("the check is not valid JSON: {e}", "检查项不是有效的 JSON：{e}"))?;
        c.origin = Origin::Project;
        c.validate()?;
        Ok(c)
    }

    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }

    pub fn problem(&self, zh: bool) -> &str {
        if zh { &self.problem_zh } else { &self.problem_en }
    }

    pub fn model_table(&self) -> &'static Table {
        model::table(&self.table).expect("validated: the table is in the model")
    }

    /// The column a score is kept under: the judged column, or "(row)" for a check of the
    /// whole row, "(table)" for a table-level one.
    pub fn column_label(&self) -> &str {
        match &self.column {
            Some(c) => c,
            None if self.kind.table_level() => "(table)",
            None => "(row)",
        }
    }

    /// The columns shown beside a failing row: the judged ones, then the others named.
    pub fn shown_columns(&self) -> Vec<String> {
        let mut cols: Vec<String> = self.column.iter().cloned().collect();
        for c in &self.columns {
            if !cols.contains(c) {
                cols.push(c.clone());
            }
        }
        cols
    }

    /// The value of each parameter: the project's, else the default.
    pub fn values_in(&self, settings: &BTreeMap<(String, String), f64>) -> BTreeMap<String, f64> {
        self.params
            .iter()
            .map(|p| {
                let v = settings
                    .get(&(self.id.clone(), p.name.clone()))
                    .copied()
                    .unwrap_or(p.default);
                (p.name.clone(), v)
            })
            .collect()
    }

    /// Refuses a check that names what does not exist or lacks what its kind needs.
    pub fn validate(&self) -> anyhow::Result<()> {
        let id = &self.id;
        let ok_id = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        if !ok_id {
            crate::bail_say!(
                "check {id:?}: an id is lower-case letters, digits, '_' and '.'",
                "检查项 {id:?}：编号只能由小写字母、数字、“_”和“.”组成"
            );
        }
        let Some(table) = model::table(&self.table) else {
            let names: Vec<&str> = model::TABLES.iter().map(|t| t.name).collect();
            crate::bail_say!(
                "check {id}: there is no table {:?}; the tables are {}",
                "检查项 {id}：没有表 {:?}；可用的表为 {}",
                self.table,
                names.join(", ")
            );
        };
        // A shown column of a join ("r.read_date") is checked when the check first runs.
        for c in self
            .column
            .iter()
            .chain(self.columns.iter().filter(|c| !c.contains('.')))
        {
            if table.column(c).is_none() {
                crate::bail_say!(
                    "check {id}: table {} has no column {c:?}",
                    "检查项 {id}：表 {} 没有列 {c:?}",
                    table.name
                );
            }
        }
        if !(1..=3).contains(&self.severity) {
            crate::bail_say!(
                "check {id}: severity is 1, 2 or 3, not {}",
                "检查项 {id}：严重程度应为 1、2 或 3，而不是 {}",
                self.severity
            );
        }
        if !(self.weight.is_finite() && self.weight > 0.0 && (0.0..=100.0).contains(&self.threshold)) {
            crate::bail_say!(
                "check {id}: the weight must be above 0 and the threshold a percentage",
                "检查项 {id}：权重须大于 0，阈值须为百分比"
            );
        }
        let needs = |what: &str, present: bool| -> anyhow::Result<()> {
            if present {
                Ok(())
            } else {
                crate::bail_say!(
                    "check {id}: a {} check needs {what}",
                    "检查项 {id}：{}类检查需要 {what}",
                    self.kind.id()
                )
            }
        };
        match self.kind {
            Kind::NotNull | Kind::NotBlank | Kind::Range | Kind::Codes | Kind::Pattern => {
                needs("a \"column\"", self.column.is_some())?
            }
            Kind::Unique => needs("\"columns\"", !self.columns.is_empty() || self.column.is_some())?,
            _ => {}
        }
        match self.kind {
            Kind::Codes => {
                needs(
                    "a \"list\" or \"values\"",
                    self.list.is_some() || !self.values.is_empty(),
                )?;
                if let Some(list) = &self.list {
                    needs("a code list of the model", !crate::codes::list(list).is_empty())?;
                }
            }
            Kind::Range => needs("\"min\" or \"max\"", self.min.is_some() || self.max.is_some())?,
            Kind::Pattern => match (&self.validator, &self.regex) {
                (Some(v), _) => needs(
                    &format!("a validator of {}", VALIDATORS.join(", ")),
                    VALIDATORS.contains(&v.as_str()),
                )?,
                (None, Some(_)) => {}
                (None, None) => needs("a \"validator\" or a \"regex\"", false)?,
            },
            Kind::Reference | Kind::CrossField | Kind::Reconciliation => {
                needs("a \"fails\" condition", self.fails.is_some())?
            }
            Kind::Query => needs("a \"query\"", self.query.is_some())?,
            Kind::Freshness | Kind::RowCount => needs(
                "a table with a month column",
                table.period_column.is_some() && table.unit_link != model::UnitLink::Global,
            )?,
            Kind::NotNull | Kind::NotBlank | Kind::Unique => {}
        }
        if self.kind == Kind::NotBlank
            && let Some(c) = self.column.as_deref().and_then(|c| table.column(c))
            && c.ty != ColType::Text
        {
            crate::bail_say!(
                "check {id}: not_blank is for text columns; {} is not text (use not_null)",
                "检查项 {id}：not_blank 只用于文本列；{} 不是文本（请用 not_null）",
                c.name
            );
        }
        if let Some(j) = &self.join
            && !j.trim_start().to_ascii_uppercase().starts_with("LEFT JOIN")
        {
            crate::bail_say!(
                "check {id}: a join is a LEFT JOIN (a row without a match is still tested)",
                "检查项 {id}：关联须为 LEFT JOIN（无匹配的行也要检查）"
            );
        }
        for text in [
            &self.applies,
            &self.fails,
            &self.query,
            &self.min,
            &self.max,
            &self.join,
        ]
        .into_iter()
        .flatten()
        {
            for name in placeholders(text) {
                if !self.params.iter().any(|p| p.name == name)
                    && !["period", "since", "sums_current"].contains(&name.as_str())
                {
                    crate::bail_say!(
                        "check {id}: ${{{name}}} is not one of its parameters",
                        "检查项 {id}：${{{name}}} 不是它的参数"
                    );
                }
            }
        }
        Ok(())
    }
}

/// The `${name}` placeholders of a text.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        rest = &rest[i + 2..];
        match rest.find('}') {
            Some(j) => {
                out.push(rest[..j].to_string());
                rest = &rest[j + 1..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_checks_cover_every_table_dimension_and_kind() {
        let checks = builtin();
        assert!(checks.len() >= 60, "{} checks", checks.len());
        for t in model::TABLES {
            assert!(checks.iter().any(|c| c.table == t.name), "no check of {}", t.name);
        }
        for d in Dimension::ALL {
            assert!(checks.iter().any(|c| c.dimension == d), "no {d:?} check");
        }
        for k in Kind::ALL.into_iter().filter(|k| *k != Kind::Query) {
            assert!(checks.iter().any(|c| c.kind == k), "no {k:?} check");
        }
        let mut ids: Vec<&str> = checks.iter().map(|c| c.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), checks.len(), "check ids repeat");
    }

    #[test]
    fn a_check_naming_what_does_not_exist_is_refused_with_the_reason() {
        let base = r#"{"id":"x","table":"customers","kind":"not_null","column":"nme","dimension":"completeness",
            "stage":"acquisition","name_en":"x","name_zh":"x","problem_en":"x","problem_zh":"x"}"#;
        let e = Check::parse(base).unwrap_err().to_string();
        assert!(e.contains("no column \"nme\""), "{e}");
        let e = Check::parse(&base.replace("\"customers\"", "\"customer\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no table \"customer\"") && e.contains("meter_reads"),
            "{e}"
        );
        let e = Check::parse(&base.replace("not_null", "range").replace("nme", "capacity_kva"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"min\" or \"max\""), "{e}");
        let e = Check::parse(
            &base
                .replace("\"nme\"", "\"name\",\"min\":\"${lo}\"")
                .replace("not_null", "range"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("${lo}"), "{e}");
        assert!(Check::parse(&base.replace("nme", "name")).is_ok());
    }
}
