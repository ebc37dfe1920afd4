//! An evaluation index system as data: goal -> dimensions -> indicators, each indicator with
//! its direction, the floor and target of the efficacy coefficient and its weight, and the
//! grades by total score. The default system is `assets/evaluation/service_quality.json`
//! (docs/evaluation.md). Checked when read: every problem names where it is.

use serde::{Deserialize, Serialize};

/// The index system shipped with MAMS.
pub const DEFAULT_JSON: &str = include_str!("../../assets/evaluation/service_quality.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexSystem {
    /// Systems are versioned by name and year.
    pub name: String,
    pub year: i32,
    pub name_en: String,
    pub name_zh: String,
    /// From the best grade down; a total score gets the first grade whose minimum it reaches.
    pub grades: Vec<Grade>,
    pub dimensions: Vec<Dimension>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub grade: String,
    pub min: f64,
    pub en: String,
    pub zh: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    /// Its share of the total score.
    pub weight: f64,
    pub indicators: Vec<SystemIndicator>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemIndicator {
    /// The leaders' indicator it reads (`mams kpi` prints the ids).
    pub indicator: String,
    pub direction: Direction,
    /// 60 points at the floor, 100 at the target (efficacy coefficient).
    pub floor: f64,
    pub target: f64,
    /// Its share of its dimension's score.
    pub weight: f64,
}

impl IndexSystem {
    /// Reads a system from JSON and checks it against the indicators MAMS knows.
    pub fn parse(json: &str, known: &[&str]) -> Result<IndexSystem, String> {
        let system: IndexSystem =
            serde_json::from_str(json).map_err(|e| format!("not a valid index system: {e}"))?;
        system.check(known)?;
        Ok(system)
    }

    /// Every problem of the system, named by its place ("dimension timeliness, indicator
    /// repair_arrival: ...").
    pub fn check(&self, known: &[&str]) -> Result<(), String> {
        let mut problems = Vec::new();
        let sums_to_one = |w: f64| (w - 1.0).abs() < 1e-6;
        if self.dimensions.is_empty() {
            problems.push("the system has no dimension".to_string());
        }
        let total: f64 = self.dimensions.iter().map(|d| d.weight).sum();
        if !sums_to_one(total) {
            problems.push(format!("the dimensions' weights add up to {total}, not 1"));
        }
        let mut seen_dimensions = Vec::new();
        let mut seen_indicators = Vec::new();
        for d in &self.dimensions {
            let at = format!("dimension {}", d.id);
            if seen_dimensions.contains(&&d.id) {
                problems.push(format!("{at}: the id is used twice"));
            }
            seen_dimensions.push(&d.id);
            if !(d.weight.is_finite() && d.weight > 0.0) {
                problems.push(format!("{at}: the weight must be above 0, not {}", d.weight));
            }
            if d.indicators.is_empty() {
                problems.push(format!("{at}: no indicator"));
            }
            let sum: f64 = d.indicators.iter().map(|i| i.weight).sum();
            if !d.indicators.is_empty() && !sums_to_one(sum) {
                problems.push(format!("{at}: the indicators' weights add up to {sum}, not 1"));
            }
            for i in &d.indicators {
                let at = format!("{at}, indicator {}", i.indicator);
                if !known.contains(&i.indicator.as_str()) {
                    problems.push(format!(
                        "{at}: not an indicator MAMS computes (known: {})",
                        known.join(", ")
                    ));
                }
                if seen_indicators.contains(&&i.indicator) {
                    problems.push(format!("{at}: already in the system"));
                }
                seen_indicators.push(&i.indicator);
                if !(i.weight.is_finite() && i.weight > 0.0) {
                    problems.push(format!("{at}: the weight must be above 0, not {}", i.weight));
                }
                let right_way = match i.direction {
                    Direction::Higher => i.target > i.floor,
                    Direction::Lower => i.target < i.floor,
                };
                if !right_way {
                    problems.push(format!(
                        "{at}: with {} values better, the target ({}) must lie beyond the floor ({})",
                        match i.direction {
                            Direction::Higher => "higher",
                            Direction::Lower => "lower",
                        },
                        i.target,
                        i.floor
                    ));
                }
            }
        }
        let mins: Vec<f64> = self.grades.iter().map(|g| g.min).collect();
        if mins.is_empty() || mins.windows(2).any(|w| w[0] <= w[1]) || mins.last() != Some(&0.0) {
            problems.push(format!(
                "the grades' minimum scores must fall from the best grade down to 0 (they are {mins:?})"
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }

    /// The grade of a total score.
    pub fn grade(&self, score: f64) -> Option<&Grade> {
        self.grades.iter().find(|g| score >= g.min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<&'static str> {
        crate::metrics::indicators::INDICATORS
            .iter()
            .map(|i| i.id)
            .collect()
    }

    #[test]
    fn the_default_system_reads_and_checks() {
        let s = IndexSystem::parse(DEFAULT_JSON, &known()).unwrap();
        assert_eq!((s.name.as_str(), s.year), ("service_quality", 2026));
        assert_eq!(s.grade(92.0).unwrap().grade, "A");
        assert_eq!(s.grade(79.9).unwrap().grade, "C");
        assert_eq!(s.grade(0.0).unwrap().grade, "D");
    }

    #[test]
    fn a_broken_system_is_refused_with_every_problem_named() {
        let mut s: IndexSystem = serde_json::from_str(DEFAULT_JSON).unwrap();
        s.dimensions[0].weight = 0.5;
        s.dimensions[1].indicators[0].indicator = "queue_length".into();
        s.dimensions[1].indicators[1].target = 90.0;
        s.dimensions[2].indicators[0].weight = 0.1;
        let err = s.check(&known()).unwrap_err();
        for part in [
            "the dimensions' weights add up to 1.25, not 1",
            "dimension timeliness, indicator queue_length: not an indicator MAMS computes",
            "dimension timeliness, indicator ticket_timeliness: with higher values better, the target (90) must lie beyond the floor (95)",
            "dimension satisfaction: the indicators' weights add up to 0.5, not 1",
        ] {
            assert!(err.contains(part), "{part} not in {err}");
        }
        assert!(
            IndexSystem::parse("{\"name\": 1}", &known())
                .unwrap_err()
                .contains("not a valid index system")
        );
    }
}
