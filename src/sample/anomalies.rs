//! The audit themes the generator plants, and the ground truth it writes about them
//! (`planted_anomalies.parquet`), so audit rules can be measured for recall and precision.

use chrono::NaiveDate;

/// Every theme of DOMAIN.md section 4, by its rule id.
pub const THEMES: &[&str] = &[
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
];

/// Themes the generator can plant on an existing residential account.
pub const RESIDENTIAL_THEMES: &[&str] = &[
    "zero_kwh",
    "tariff_industry",
    "reading",
    "estimated",
    "duplicate_archive",
    "arrears_age",
    "late_fee",
    "adjustment",
    "closed_consuming",
    "meter_overdue",
    "tou_share",
    "residential_commercial",
    "multiplier",
];

/// Themes the generator can plant on an existing non-residential account.
pub const BUSINESS_THEMES: &[&str] = &[
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
    "arrears_age",
    "late_fee",
    "adjustment",
    "closed_consuming",
    "meter_overdue",
    "tou_share",
];

/// One planted anomaly: what a perfect rule would report.
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    pub rule_id: &'static str,
    /// customer, application, ticket or area.
    pub entity_type: &'static str,
    pub entity_id: String,
    /// The month the anomaly shows first (first day), if it is tied to one.
    pub period: Option<NaiveDate>,
    pub detail: String,
}

pub const TRUTH_TABLE_SQL: &str = "CREATE TABLE planted_anomalies (
  rule_id VARCHAR NOT NULL,
  entity_type VARCHAR NOT NULL,
  entity_id VARCHAR NOT NULL,
  period DATE,
  detail VARCHAR NOT NULL
);";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_lists_name_only_known_themes() {
        assert_eq!(THEMES.len(), 24);
        for t in RESIDENTIAL_THEMES.iter().chain(BUSINESS_THEMES) {
            assert!(THEMES.contains(t), "{t}");
        }
    }
}
