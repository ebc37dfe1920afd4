//! Scores 0-100 as weighted pass rates. A check's score is the share of the rows it tested
//! that pass; a column's, table's, dimension's, unit's or the project's is the mean of its
//! checks' scores weighted by their weights (checks that tested no row are left out). Kept
//! as counts, so a change of weight rescores old runs too. Grades by thresholds kept as
//! data (`assets/dq/grades.json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checks::Check;
use super::compile::Bound;

/// Percent of the tested rows that pass; None when none was tested.
pub fn pass_rate(tested: u64, failing: u64) -> Option<f64> {
    (tested > 0).then(|| 100.0 * (1.0 - failing.min(tested) as f64 / tested as f64))
}

/// A score of a group of checks.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Score {
    /// None when no check of the group tested a row.
    pub score: Option<f64>,
    pub tested: u64,
    pub failing: u64,
    /// Checks that tested a row.
    pub checks: usize,
    /// Checks below their threshold.
    pub below: usize,
    /// Points the group's failing checks cost the project score (for the Pareto).
    pub weight: f64,
}

/// What to group checks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Check,
    Column,
    Table,
    Dimension,
    Stage,
}

impl By {
    pub fn parse(s: &str) -> Option<By> {
        match s {
            "check" => Some(By::Check),
            "column" => Some(By::Column),
            "table" => Some(By::Table),
            "dimension" => Some(By::Dimension),
            "stage" => Some(By::Stage),
            _ => None,
        }
    }

    pub fn key(self, c: &Check) -> String {
        match self {
            By::Check => c.id.clone(),
            By::Column => format!("{}.{}", c.table, c.column_label()),
            By::Table => c.table.clone(),
            By::Dimension => c.dimension.id().to_string(),
            By::Stage => c.stage.id().to_string(),
        }
    }
}

/// Scores of the groups of `by`, from each check's (tested, failing).
pub fn group(lib: &[Bound], sums: &BTreeMap<String, (u64, u64)>, by: By) -> BTreeMap<String, Score> {
    let mut acc: BTreeMap<String, (f64, f64, Score)> = BTreeMap::new();
    for b in lib {
        let (tested, failing) = sums.get(&b.check.id).copied().unwrap_or((0, 0));
        let entry = acc.entry(by.key(&b.check)).or_default();
        let Some(rate) = pass_rate(tested, failing) else {
            continue;
        };
        entry.0 += b.check.weight * rate;
        entry.1 += b.check.weight;
        entry.2.tested += tested;
        entry.2.failing += failing;
        entry.2.checks += 1;
        entry.2.weight += b.check.weight;
        if rate < b.check.threshold {
            entry.2.below += 1;
        }
    }
    acc.into_iter()
        .map(|(k, (sum, w, mut s))| {
            s.score = (w > 0.0).then(|| sum / w);
            (k, s)
        })
        .collect()
}

/// The score of every check together.
pub fn overall(lib: &[Bound], sums: &BTreeMap<String, (u64, u64)>) -> Score {
    let mut s = Score::default();
    let (mut sum, mut w) = (0.0, 0.0);
    for b in lib {
        let (tested, failing) = sums.get(&b.check.id).copied().unwrap_or((0, 0));
        let Some(rate) = pass_rate(tested, failing) else {
            continue;
        };
        sum += b.check.weight * rate;
        w += b.check.weight;
        s.tested += tested;
        s.failing += failing;
        s.checks += 1;
        s.weight += b.check.weight;
        if rate < b.check.threshold {
            s.below += 1;
        }
    }
    s.score = (w > 0.0).then(|| sum / w);
    s
}

/// The points each check costs the overall score: its weight share times what it misses of
/// 100. They add up to 100 minus the overall score (the Pareto of the page).
pub fn points_lost(lib: &[Bound], sums: &BTreeMap<String, (u64, u64)>) -> Vec<(String, f64)> {
    let total_w: f64 = lib
        .iter()
        .filter(|b| sums.get(&b.check.id).is_some_and(|(t, _)| *t > 0))
        .map(|b| b.check.weight)
        .sum();
    let mut out: Vec<(String, f64)> = lib
        .iter()
        .filter_map(|b| {
            let (t, f) = sums.get(&b.check.id).copied()?;
            let rate = pass_rate(t, f)?;
            let lost = b.check.weight / total_w * (100.0 - rate);
            (lost > 0.0).then(|| (b.check.id.clone(), lost))
        })
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

#[derive(Debug, Clone, Deserialize)]
pub struct Grade {
    pub min: f64,
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WarningSettings {
    pub score_drop_points: f64,
    pub robust_z: f64,
    pub baseline_months: usize,
    pub min_baseline_months: usize,
    /// The tables whose monthly figures are watched for leaving their usual band: the
    /// monthly extracts (an event table's last month is still filling up).
    pub monthly_tables: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub grades: Vec<Grade>,
    pub warnings: WarningSettings,
}

/// The grades and warning settings of `assets/dq/grades.json`.
pub fn settings() -> &'static Settings {
    static S: std::sync::OnceLock<Settings> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        serde_json::from_str(include_str!("../../assets/dq/grades.json"))
            .expect("assets/dq/grades.json parses (a test reads it)")
    })
}

/// A score as people read it: "100" when nothing fails, two decimals cut (not rounded) near
/// 100, so that 99.996 does not read as a perfect 100.00, one decimal below 99.
pub fn text(score: f64) -> String {
    if score >= 100.0 {
        "100".into()
    } else if score >= 99.0 {
        format!("{:.2}", (score * 100.0).floor() / 100.0)
    } else {
        format!("{score:.1}")
    }
}

/// The grade of a score: the first whose minimum it reaches.
pub fn grade(score: f64) -> &'static Grade {
    let grades = &settings().grades;
    grades
        .iter()
        .find(|g| score >= g.min)
        .unwrap_or_else(|| grades.last().expect("grades.json has grades"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dq::checks::builtin;

    fn bound(id: &str, weight: f64) -> Bound {
        let mut check = builtin().iter().find(|c| c.id == id).unwrap().clone();
        check.weight = weight;
        Bound {
            check,
            values: Default::default(),
        }
    }

    #[test]
    fn scores_are_weighted_pass_rates_worked_by_hand() {
        // Two checks of the customers' completeness: 1000 rows tested, 50 failing (95 %),
        // weight 1; 1000 tested, 200 failing (80 %), weight 0.5. By hand:
        // (1 x 95 + 0.5 x 80) / 1.5 = 135 / 1.5 = 90.
        let lib = vec![
            bound("customers.name.not_blank", 1.0),
            bound("customers.phone.not_blank", 0.5),
            bound("customers.tariff_code.codes", 2.0),
        ];
        let sums: BTreeMap<String, (u64, u64)> = [
            ("customers.name.not_blank".to_string(), (1000, 50)),
            ("customers.phone.not_blank".to_string(), (1000, 200)),
            // Tested nothing: left out, whatever its weight.
            ("customers.tariff_code.codes".to_string(), (0, 0)),
        ]
        .into();
        let by_dim = group(&lib, &sums, By::Dimension);
        let c = by_dim["completeness"];
        assert!((c.score.unwrap() - 90.0).abs() < 1e-9, "{c:?}");
        assert_eq!((c.checks, c.below), (2, 2));
        assert_eq!(by_dim["validity"].score, None);
        assert!((overall(&lib, &sums).score.unwrap() - 90.0).abs() < 1e-9);
        // Points lost: 1/1.5 x 5 = 3.333 and 0.5/1.5 x 20 = 6.667; they add to 100 - 90.
        let lost = points_lost(&lib, &sums);
        assert_eq!(lost[0].0, "customers.phone.not_blank");
        assert!((lost[0].1 - 20.0 / 3.0).abs() < 1e-9);
        assert!((lost.iter().map(|l| l.1).sum::<f64>() - 10.0).abs() < 1e-9);
    }

    #[test]
    fn grades_follow_their_thresholds() {
        assert_eq!(grade(100.0).id, "excellent");
        assert_eq!(grade(95.0).id, "excellent");
        assert_eq!(grade(94.99).id, "good");
        assert_eq!(grade(70.0).id, "fair");
        assert_eq!(grade(12.0).id, "poor");
        assert_eq!(text(100.0), "100");
        assert_eq!(text(99.996), "99.99", "cut, never rounded up to 100");
        assert_eq!(text(99.5), "99.50");
        assert_eq!(text(98.26), "98.3");
        assert!(settings().warnings.robust_z > 0.0);
    }
}
