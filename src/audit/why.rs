//! "Why did this change?" with where to look: the change of an indicator split over the
//! units one level down (`metrics::change`), by customer class where it splits, and the
//! audit rules related to the indicator with open suspects in the units that moved it most.

use chrono::NaiveDate;
use serde::Serialize;

use super::rules::Category;
use crate::metrics::change::{self, ClassPart, Explanation};
use crate::store::Project;

/// A rule with open suspects in a unit: (rule, suspects, money at stake).
pub type RuleCount = (String, u64, f64);

/// How many of the largest parts get their related rules, and how many rules each.
const UNITS_LOOKED_AT: usize = 3;
const RULES_PER_UNIT: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct WhyReport {
    /// (Its fields are the report's own in JSON.)
    #[serde(flatten)]
    pub explanation: Explanation,
    /// For the units contributing most: (unit, its related rules with open suspects).
    pub rules: Vec<(String, Vec<RuleCount>)>,
    /// The same change by customer class, for sales, revenue and average price.
    pub by_class: Option<Vec<ClassPart>>,
}

/// The audit categories whose problems move an indicator: where to look for the cause.
pub fn related_categories(indicator: &str) -> &'static [Category] {
    match indicator {
        "sales_kwh" | "revenue" | "average_price" => &[Category::Metering, Category::Billing],
        "collection_rate" | "arrears" => &[Category::Collection, Category::Billing],
        "line_loss_rate" => &[Category::Metering, Category::Archive],
        "new_connections" | "connection_days" | "connections_over_limit" => &[Category::Expansion],
        "complaints_per_10k" | "ticket_timeliness" | "repair_arrival" | "satisfaction" => {
            &[Category::Service]
        }
        _ => &[],
    }
}

/// The change of `indicator` for `unit` from `base` to `month` over `children` (the units
/// one level down), with where to look.
pub fn report(
    project: &Project,
    indicator: &str,
    unit: &str,
    children: &[String],
    base: NaiveDate,
    month: NaiveDate,
) -> anyhow::Result<WhyReport> {
    let explanation = change::explain(project, indicator, unit, children, base, month)?;
    let categories = related_categories(indicator);
    let related: Vec<String> = super::run::library(project)?
        .0
        .into_iter()
        .filter(|r| categories.contains(&r.category))
        .map(|r| r.id)
        .collect();
    let mut rules = Vec::new();
    for part in explanation.parts.iter().take(UNITS_LOOKED_AT) {
        let found = crate::store::audit::rules_in_unit(
            project,
            &part.unit_id,
            &related,
            base.min(month),
            base.max(month),
        )?;
        rules.push((
            part.unit_id.clone(),
            found.into_iter().take(RULES_PER_UNIT).collect(),
        ));
    }
    let by_class = change::explain_by_class(project, indicator, unit, base, month)?;
    Ok(WhyReport {
        explanation,
        rules,
        by_class,
    })
}
