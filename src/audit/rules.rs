//! Audit rules as data: a query plus a metadata file each. The built-in ones live under
//! `assets/rules/` and are compiled in; a project can add its own (stored in the project).
//!
//! A rule's query returns one row per suspect with the columns of [`REQUIRED_COLUMNS`];
//! every other column it returns is evidence, kept with the suspect and used by the
//! explanation templates. Parameters appear in the query as `${name}`, replaced by their
//! numeric value; `${from}` and `${to}` are the first and last audited months (DATE).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The columns every rule query must return, in any order.
pub const REQUIRED_COLUMNS: [&str; 6] = [
    "entity_type",
    "entity_id",
    "unit_id",
    "period",
    "amount",
    "confidence",
];

/// Placeholders every query may use besides its parameters.
const RUN_PLACEHOLDERS: [&str; 2] = ["from", "to"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Archive,
    Metering,
    Billing,
    Collection,
    Expansion,
    Service,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Archive,
        Category::Metering,
        Category::Billing,
        Category::Collection,
        Category::Expansion,
        Category::Service,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::Archive => "archive",
            Category::Metering => "metering",
            Category::Billing => "billing",
            Category::Collection => "collection",
            Category::Expansion => "expansion",
            Category::Service => "service",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == s)
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Category::Archive, false) => "Archive",
            (Category::Archive, true) => "档案",
            (Category::Metering, false) => "Metering",
            (Category::Metering, true) => "计量",
            (Category::Billing, false) => "Billing",
            (Category::Billing, true) => "电费",
            (Category::Collection, false) => "Collection",
            (Category::Collection, true) => "回收",
            (Category::Expansion, false) => "Expansion",
            (Category::Expansion, true) => "业扩",
            (Category::Service, false) => "Service",
            (Category::Service, true) => "服务",
        }
    }
}

/// A tunable threshold of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub default: f64,
    #[serde(default)]
    pub unit: String,
    pub label_en: String,
    pub label_zh: String,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
}

impl Param {
    /// Why `v` is not an allowed value, if it is not.
    pub fn check(&self, v: f64) -> Result<(), String> {
        if !v.is_finite() {
            return Err(format!("{} must be a number", self.name));
        }
        if let Some(min) = self.min.filter(|m| v < *m) {
            return Err(format!("{} must be at least {min}", self.name));
        }
        if let Some(max) = self.max.filter(|m| v > *m) {
            return Err(format!("{} must be at most {max}", self.name));
        }
        Ok(())
    }
}

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    #[default]
    Builtin,
    Project,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: Category,
    /// 1 low, 2 medium, 3 high.
    pub severity: u8,
    /// What a suspect is about: customer, application, ticket, area.
    pub entity: String,
    pub description_en: String,
    pub description_zh: String,
    #[serde(default)]
    pub params: Vec<Param>,
    pub explanation_en: String,
    pub explanation_zh: String,
    /// Chinese for the words the query writes into its evidence ("month on month": "环比"),
    /// so that a Chinese sentence has no English in it. A value of several such words
    /// joined by ", " is translated word by word.
    #[serde(default)]
    pub phrases: BTreeMap<String, String>,
    /// Tables of the data model the rule cannot judge without (the tariff catalogue): when
    /// one is empty the run reports it for the rule instead of running the query.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The parameter that is a run's length in months, when a suspect is found only once its
    /// run has passed (estimated reads in 2 consecutive cycles): the last (value - 1) months
    /// of the data cannot show a suspect yet. The risk levels carry the month before forward
    /// over them, marked provisional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settles_with: Option<String>,
    #[serde(skip)]
    pub sql: String,
    #[serde(skip)]
    pub origin: Origin,
    /// The version of the rule's files: the first 16 hexadecimal digits of the SHA-256 of the
    /// metadata's bytes, a newline and the query's bytes. Suspects found elsewhere (the Spark
    /// runner) carry it, so that those of another version are not taken for this one's.
    #[serde(skip)]
    pub version: String,
    /// The constructs of its query outside the SQL that DuckDB and Spark share
    /// (`super::portable`): empty for a rule that runs on both, else it runs on DuckDB only.
    #[serde(skip)]
    pub not_portable: Vec<super::portable::NotPortable>,
}

/// What is wrong with a rule's files, worded for the person who wrote them.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    #[error("the metadata of rule {file} is not valid: {detail}")]
    Metadata { file: String, detail: String },
    #[error("rule {id}: {detail}")]
    Invalid { id: String, detail: String },
}

impl Rule {
    /// Reads a rule from its metadata (JSON) and its query, and checks that they agree.
    pub fn parse(file: &str, meta_json: &str, sql: &str) -> Result<Rule, RuleError> {
        let mut rule: Rule = serde_json::from_str(meta_json).map_err(|e| RuleError::Metadata {
            file: file.to_string(),
            detail: e.to_string(),
        })?;
        rule.sql = sql.to_string();
        rule.version = version_of(meta_json, sql);
        rule.not_portable = super::portable::check(sql);
        rule.validate()?;
        Ok(rule)
    }

    fn invalid(&self, detail: impl Into<String>) -> RuleError {
        RuleError::Invalid {
            id: self.id.clone(),
            detail: detail.into(),
        }
    }

    /// Checks the parts of a rule that do not need the database.
    pub fn validate(&self) -> Result<(), RuleError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 40
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !id_ok {
            return Err(self.invalid("the id must be 1 to 40 characters of a-z, 0-9 and _"));
        }
        if !(1..=3).contains(&self.severity) {
            return Err(self.invalid("severity must be 1 (low), 2 (medium) or 3 (high)"));
        }
        if self.name_en.trim().is_empty() || self.name_zh.trim().is_empty() {
            return Err(self.invalid("the rule needs a name in English and in Chinese"));
        }
        if self.sql.trim().is_empty() {
            return Err(self.invalid("the query is empty"));
        }
        if let Some(p) = &self.settles_with
            && !self.params.iter().any(|x| &x.name == p)
        {
            return Err(self.invalid(format!(
                "settles_with names {p}, which is not one of its parameters"
            )));
        }
        let mut seen = BTreeSet::new();
        for p in &self.params {
            if !seen.insert(p.name.as_str()) {
                return Err(self.invalid(format!("parameter {} is declared twice", p.name)));
            }
            if RUN_PLACEHOLDERS.contains(&p.name.as_str()) {
                return Err(self.invalid(format!("{} is set by the run and cannot be a parameter", p.name)));
            }
            p.check(p.default)
                .map_err(|e| self.invalid(format!("default value: {e}")))?;
        }
        if let Some(t) = self.requires.iter().find(|t| crate::model::table(t).is_none()) {
            return Err(self.invalid(format!("it requires {t}, which is not a table of the data model")));
        }
        let mut values = self.values(&BTreeMap::new());
        for name in placeholders(&self.sql) {
            // `${rule.param}`: another rule's parameter, looked up when the rule runs.
            if let Some((rule, param)) = name.split_once('.') {
                if rule.is_empty() || param.is_empty() || param.contains('.') {
                    return Err(self.invalid(format!(
                        "${{{name}}} is not a parameter: write ${{rule.parameter}} for another rule's"
                    )));
                }
                values.insert(name, 0.0);
            } else if !RUN_PLACEHOLDERS.contains(&name.as_str()) && !seen.contains(name.as_str()) {
                return Err(self.invalid(format!(
                    "the query uses ${{{name}}}, which is not a declared parameter"
                )));
            }
        }
        let month = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
        self.bind(&values, month, month)?;
        Ok(())
    }

    /// The values the rule runs with in a library: its own parameters, and `rule.param` for
    /// every parameter of every rule of `library` (so that one threshold has one home: a
    /// rule leaving some accounts to another uses that rule's threshold).
    /// Months at the end of the data that cannot show a suspect yet (see `settles_with`).
    pub fn settle_months(&self, overrides: &BTreeMap<(String, String), f64>) -> usize {
        self.settles_with
            .as_ref()
            .and_then(|p| self.values(overrides).get(p).copied())
            .map(|v| (v.max(1.0) - 1.0).round() as usize)
            .unwrap_or(0)
    }

    pub fn values_in(
        &self,
        library: &[Rule],
        overrides: &BTreeMap<(String, String), f64>,
    ) -> BTreeMap<String, f64> {
        let mut values = self.values(overrides);
        for r in library {
            for (param, v) in r.values(overrides) {
                values.insert(format!("{}.{param}", r.id), v);
            }
        }
        values
    }

    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }

    pub fn description(&self, zh: bool) -> &str {
        if zh {
            &self.description_zh
        } else {
            &self.description_en
        }
    }

    pub fn explanation_template(&self, zh: bool) -> &str {
        if zh {
            &self.explanation_zh
        } else {
            &self.explanation_en
        }
    }

    /// The parameter values to run with: the project's own where set, else the defaults.
    pub fn values(&self, overrides: &BTreeMap<(String, String), f64>) -> BTreeMap<String, f64> {
        self.params
            .iter()
            .map(|p| {
                let v = overrides
                    .get(&(self.id.clone(), p.name.clone()))
                    .copied()
                    .filter(|v| p.check(*v).is_ok())
                    .unwrap_or(p.default);
                (p.name.clone(), v)
            })
            .collect()
    }

    /// The query with its placeholders replaced: parameters by numbers, the run's months by
    /// DATE literals. Only numbers and dates are ever put into the text.
    pub fn bind(
        &self,
        values: &BTreeMap<String, f64>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<String, RuleError> {
        let mut out = String::with_capacity(self.sql.len());
        let mut rest = self.sql.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| self.invalid("a ${ in the query is not closed by }"))?;
            let name = &after[..end];
            let text = match name {
                "from" => format!("DATE '{}'", from.format("%Y-%m-%d")),
                "to" => format!("DATE '{}'", to.format("%Y-%m-%d")),
                _ => {
                    let v = values.get(name).ok_or_else(|| {
                        self.invalid(match name.split_once('.') {
                            Some((rule, param)) => {
                                format!("${{{name}}}: there is no rule {rule} with a parameter {param}")
                            }
                            None => format!("no value for parameter {name}"),
                        })
                    })?;
                    if !v.is_finite() {
                        return Err(self.invalid(format!("parameter {name} is not a number")));
                    }
                    format!("({})", sql_number(*v))
                }
            };
            out.push_str(&text);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A number as SQL text: whole numbers without a decimal point (so they also work where
/// DuckDB wants an integer, such as `INTERVAL (n) DAY`).
fn sql_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    }
}

/// The `${name}` placeholders of a query, in order of first use.
pub fn placeholders(sql: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = sql;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].to_string();
        if !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

macro_rules! builtin_rules {
    ($($id:literal),* $(,)?) => {
        &[$((
            $id,
            include_str!(concat!("../../assets/rules/", $id, ".json")),
            include_str!(concat!("../../assets/rules/", $id, ".sql")),
        )),*]
    };
}

/// The rule files compiled into MAMS: (id, metadata, query). The order is the order of
/// DOMAIN.md section 4 and of the rule list in the app.
pub const BUILTIN_FILES: &[(&str, &str, &str)] = builtin_rules!(
    "zero_kwh",
    "kwh_jump",
    "tariff_industry",
    "two_part_tariff",
    "pf_standard",
    "multiplier",
    "utilisation",
    "reading",
    "estimated",
    "duplicate_archive",
    "expansion_overdue",
    "process_inversion",
    "new_customer",
    "arrears_age",
    "late_fee",
    "adjustment",
    "closed_consuming",
    "meter_overdue",
    "line_loss",
    "tou_share",
    "residential_commercial",
    "key_drop",
    "repeat_complaint",
    "ticket_overdue",
);

/// The version of a rule's files (see [`Rule::version`]).
pub fn version_of(meta_json: &str, sql: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(meta_json.as_bytes());
    h.update(b"\n");
    h.update(sql.as_bytes());
    h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The built-in rules, parsed once. Their files are part of MAMS itself and a test parses
/// every one, so a broken file cannot ship; should one fail anyway it is left out and logged.
pub fn builtin() -> &'static [Rule] {
    static RULES: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        BUILTIN_FILES
            .iter()
            .filter_map(
                |(id, meta, sql)| match Rule::parse(&format!("{id}.json"), meta, sql) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        tracing::error!("built-in rule left out: {e}");
                        None
                    }
                },
            )
            .collect()
    })
}

/// The query a new project rule starts from: the required columns over the archive.
pub const PROJECT_RULE_TEMPLATE: &str =
    "SELECT 'customer' AS entity_type, c.customer_id AS entity_id, c.unit_id,
       NULL::DATE AS period, 0.0 AS amount, 0.5 AS confidence,
       c.capacity_kva
FROM customers c
WHERE c.status = 'normal' AND c.capacity_kva > 5000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rule_file_parses_and_is_listed() {
        let rules = builtin();
        assert_eq!(rules.len(), BUILTIN_FILES.len());
        assert_eq!(rules.len(), crate::sample::anomalies::THEMES.len());
        for (r, theme) in rules.iter().zip(crate::sample::anomalies::THEMES) {
            assert_eq!(&r.id, theme, "rules follow DOMAIN.md's order");
        }
        // Every file under assets/rules is compiled in.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                (p.extension()? == "json").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
            })
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = BUILTIN_FILES.iter().map(|(id, _, _)| id.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }

    fn rule(sql: &str, params: &str) -> Result<Rule, RuleError> {
        let meta = format!(
            r#"{{"id":"t","name_en":"T","name_zh":"测","category":"billing","severity":2,"entity":"customer",
               "description_en":"","description_zh":"","params":[{params}],
               "explanation_en":"x","explanation_zh":"x"}}"#
        );
        Rule::parse("t.json", &meta, sql)
    }

    #[test]
    fn binding_puts_only_numbers_and_dates_into_the_query() {
        let r = rule(
            "SELECT 1 WHERE x > ${floor} AND m BETWEEN ${from} AND ${to}",
            r#"{"name":"floor","default":5,"label_en":"","label_zh":"","min":0}"#,
        )
        .unwrap();
        let d = |m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        let values = r.values(&BTreeMap::new());
        assert_eq!(
            r.bind(&values, d(1), d(3)).unwrap(),
            "SELECT 1 WHERE x > (5) AND m BETWEEN DATE '2025-01-01' AND DATE '2025-03-01'"
        );
        // A project's value is used when allowed, ignored when out of range.
        let mut o = BTreeMap::new();
        o.insert(("t".to_string(), "floor".to_string()), 7.5);
        assert_eq!(r.values(&o)["floor"], 7.5);
        o.insert(("t".to_string(), "floor".to_string()), -1.0);
        assert_eq!(r.values(&o)["floor"], 5.0);
    }

    #[test]
    fn broken_rules_are_refused_with_what_is_wrong() {
        let e = rule("SELECT ${nope}", "").unwrap_err().to_string();
        assert!(
            e.contains("${nope}") && e.contains("not a declared parameter"),
            "{e}"
        );
        let e = rule(
            "SELECT 1",
            r#"{"name":"k","default":-2,"label_en":"","label_zh":"","min":0}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("at least 0"), "{e}");
        let e = Rule::parse("x.json", "{not json", "SELECT 1")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.json"), "{e}");
        let e = rule("", "").unwrap_err().to_string();
        assert!(e.contains("empty"), "{e}");
        let e = rule("SELECT ${from", "").unwrap_err().to_string();
        assert!(e.contains("not closed"), "{e}");
        let r = rule(
            "SELECT ${k}",
            r#"{"name":"k","default":0.25,"label_en":"","label_zh":""}"#,
        )
        .unwrap();
        let d = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert_eq!(
            r.bind(&r.values(&BTreeMap::new()), d, d).unwrap(),
            "SELECT (0.25)"
        );
    }

    #[test]
    fn a_rule_requires_only_tables_of_the_data_model() {
        let meta = |requires: &str| {
            format!(
                r#"{{"id":"t","name_en":"T","name_zh":"测","category":"billing","severity":2,"entity":"customer",
                   "description_en":"","description_zh":"","explanation_en":"x","explanation_zh":"x",
                   "requires":[{requires}]}}"#
            )
        };
        assert_eq!(
            Rule::parse("t.json", &meta(r#""tariffs""#), "SELECT 1")
                .unwrap()
                .requires,
            ["tariffs"]
        );
        let e = Rule::parse("t.json", &meta(r#""mams_meta""#), "SELECT 1")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("mams_meta, which is not a table of the data model"),
            "{e}"
        );
    }
}
