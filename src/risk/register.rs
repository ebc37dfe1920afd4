//! The register of marketing risk points as data: `assets/risks/<category>.json`, one file a
//! business area, and the project's own points. Each point names the audit rules and data
//! quality checks whose findings measure it (they drive its dynamic level), the indicators
//! it affects (candidates for evaluating a measure), its typical causes and standard control
//! measures, and tags that link it to cases of the case library.

use serde::{Deserialize, Serialize};

use crate::text::Text;

/// A business area of the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Connection,
    Metering,
    Billing,
    Collection,
    Service,
    LineLoss,
    Data,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Connection,
        Category::Metering,
        Category::Billing,
        Category::Collection,
        Category::Service,
        Category::LineLoss,
        Category::Data,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::Connection => "connection",
            Category::Metering => "metering",
            Category::Billing => "billing",
            Category::Collection => "collection",
            Category::Service => "service",
            Category::LineLoss => "line_loss",
            Category::Data => "data",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == s)
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Category::Connection, false) => "New connections",
            (Category::Connection, true) => "业扩报装",
            (Category::Metering, false) => "Metering and reading",
            (Category::Metering, true) => "计量与抄表",
            (Category::Billing, false) => "Tariffs and billing",
            (Category::Billing, true) => "电价电费",
            (Category::Collection, false) => "Charge collection",
            (Category::Collection, true) => "电费回收",
            (Category::Service, false) => "Customer service",
            (Category::Service, true) => "客户服务",
            (Category::LineLoss, false) => "Line loss",
            (Category::LineLoss, true) => "线损",
            (Category::Data, false) => "Data",
            (Category::Data, true) => "数据",
        }
    }
}

/// One risk point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskPoint {
    /// `<category>.<name>`, lower case.
    pub id: String,
    /// 1 to 5: how bad it is when it happens, whatever the money (the floor of its impact).
    pub severity: u8,
    pub name_en: String,
    pub name_zh: String,
    pub description_en: String,
    pub description_zh: String,
    /// The step of the business process where it arises.
    pub step_en: String,
    pub step_zh: String,
    #[serde(default)]
    pub rules: Vec<String>,
    #[serde(default)]
    pub indicators: Vec<String>,
    #[serde(default)]
    pub dq_checks: Vec<String>,
    #[serde(default)]
    pub causes: Vec<Text>,
    #[serde(default)]
    pub measures: Vec<Text>,
    /// Cases of the library with one of these tags (or of one of its rules) are related.
    #[serde(default)]
    pub case_tags: Vec<String>,
    /// Set when read: built in or the project's own.
    #[serde(skip)]
    pub own: bool,
}

impl RiskPoint {
    pub fn category(&self) -> Option<Category> {
        Category::parse(self.id.split('.').next().unwrap_or(""))
    }

    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }

    /// Checks a point against the rules, checks and indicators MAMS knows: every reference
    /// must exist and the point must be measurable by at least one rule or check.
    pub fn validate(&self, rules: &[String], checks: &[String]) -> Result<(), String> {
        let id = &self.id;
        if self.category().is_none() || !self.id.split_once('.').is_some_and(|(_, n)| valid_name(n)) {
            return Err(format!(
                "risk point {id}: the id must be <category>.<name> with a category of {} and a name of lower-case letters, digits and _",
                Category::ALL.map(Category::id).join(", ")
            ));
        }
        if !(1..=5).contains(&self.severity) {
            return Err(format!("risk point {id}: severity must be 1 to 5"));
        }
        for (what, text) in [
            ("name_en", &self.name_en),
            ("name_zh", &self.name_zh),
            ("description_en", &self.description_en),
            ("description_zh", &self.description_zh),
        ] {
            if text.trim().is_empty() {
                return Err(format!("risk point {id}: {what} is empty"));
            }
        }
        if self.rules.is_empty() && self.dq_checks.is_empty() {
            return Err(format!(
                "risk point {id}: it needs at least one rule or data quality check to measure it"
            ));
        }
        if let Some(r) = self.rules.iter().find(|r| !rules.contains(r)) {
            return Err(format!("risk point {id}: there is no rule {r}"));
        }
        if let Some(c) = self.dq_checks.iter().find(|c| !checks.contains(c)) {
            return Err(format!("risk point {id}: there is no data quality check {c}"));
        }
        if let Some(i) = self
            .indicators
            .iter()
            .find(|i| crate::metrics::indicators::indicator(i).is_none())
        {
            return Err(format!("risk point {id}: there is no indicator {i}"));
        }
        Ok(())
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[derive(Deserialize)]
struct CategoryFile {
    category: String,
    risks: Vec<RiskPoint>,
}

const BUILTIN: &[(&str, &str)] = &[
    ("connection", include_str!("../../assets/risks/connection.json")),
    ("metering", include_str!("../../assets/risks/metering.json")),
    ("billing", include_str!("../../assets/risks/billing.json")),
    ("collection", include_str!("../../assets/risks/collection.json")),
    ("service", include_str!("../../assets/risks/service.json")),
    ("line_loss", include_str!("../../assets/risks/line_loss.json")),
    ("data", include_str!("../../assets/risks/data.json")),
];

/// The built-in register, read once (a broken file is a bug a test catches; its points are
/// left out with an error in the log rather than stopping the app).
pub fn builtin() -> &'static [RiskPoint] {
    static POINTS: std::sync::OnceLock<Vec<RiskPoint>> = std::sync::OnceLock::new();
    POINTS.get_or_init(|| {
        let mut all = Vec::new();
        for (file, json) in BUILTIN {
            match serde_json::from_str::<CategoryFile>(json) {
                Ok(f) if f.category == *file => all.extend(f.risks),
                Ok(f) => tracing::error!("assets/risks/{file}.json says category {}", f.category),
                Err(e) => tracing::error!("assets/risks/{file}.json: {e}"),
            }
        }
        all
    })
}

/// Parses a project's own risk point (the JSON of one point, as in the register's files).
pub fn parse_point(json: &str) -> Result<RiskPoint, String> {
    let mut p: RiskPoint =
        serde_json::from_str(json).map_err(|e| format!("the risk point is not valid JSON: {e}"))?;
    p.own = true;
    Ok(p)
}

/// A template for a project's own risk point.
pub const PROJECT_POINT_TEMPLATE: &str = r#"{
  "id": "metering.my_risk",
  "severity": 3,
  "name_en": "", "name_zh": "",
  "description_en": "", "description_zh": "",
  "step_en": "", "step_zh": "",
  "rules": ["estimated"],
  "indicators": [],
  "dq_checks": [],
  "causes": [{"en": "", "zh": ""}],
  "measures": [{"en": "", "zh": ""}],
  "case_tags": []
}"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> (Vec<String>, Vec<String>) {
        let rules = crate::audit::rules::builtin()
            .iter()
            .map(|r| r.id.clone())
            .collect();
        let checks = crate::dq::checks::builtin()
            .iter()
            .map(|c| c.id.clone())
            .collect();
        (rules, checks)
    }

    #[test]
    fn the_register_has_forty_valid_points_over_every_area() {
        let points = builtin();
        let total: usize = BUILTIN
            .iter()
            .map(|(_, json)| serde_json::from_str::<CategoryFile>(json).unwrap().risks.len())
            .sum();
        assert_eq!(points.len(), total, "a file failed to parse");
        assert!(points.len() >= 40, "{}", points.len());
        let (rules, checks) = known();
        let mut ids = std::collections::BTreeSet::new();
        for p in points {
            p.validate(&rules, &checks).unwrap();
            assert!(ids.insert(p.id.clone()), "{} twice", p.id);
            assert!(!p.causes.is_empty() && !p.measures.is_empty(), "{}", p.id);
            assert!(
                p.causes
                    .iter()
                    .chain(&p.measures)
                    .all(|t| !t.en.is_empty() && !t.zh.is_empty())
            );
        }
        for c in Category::ALL {
            assert!(points.iter().any(|p| p.category() == Some(c)), "{c:?}");
        }
        // Every rule of the audit measures at least one risk point.
        for r in &rules {
            assert!(
                points.iter().any(|p| p.rules.contains(r)),
                "rule {r} measures no risk point"
            );
        }
    }

    #[test]
    fn a_broken_point_says_what_is_wrong() {
        let (rules, checks) = known();
        let mut p = builtin()[0].clone();
        p.rules = vec!["no_such_rule".into()];
        assert!(
            p.validate(&rules, &checks)
                .unwrap_err()
                .contains("no rule no_such_rule")
        );
        p.rules.clear();
        p.dq_checks.clear();
        assert!(
            p.validate(&rules, &checks)
                .unwrap_err()
                .contains("at least one rule")
        );
        let mut q = builtin()[0].clone();
        q.id = "weather.storms".into();
        assert!(q.validate(&rules, &checks).unwrap_err().contains("category"));
        assert!(parse_point("{\"id\": 3}").unwrap_err().contains("not valid JSON"));
        assert!(parse_point(PROJECT_POINT_TEMPLATE).is_ok());
    }
}
