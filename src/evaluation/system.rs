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
    /// Grades that raise an improvement item (besides any indicator below its floor).
    #[serde(default = "default_improve_at")]
    pub improve_at: Vec<String>,
    /// How the indicators are weighed: the typed (or AHP) weights, or weights from the data.
    #[serde(default)]
    pub weighting: Weighting,
    /// Pairwise comparisons of the dimensions on Saaty's scale; when given, the
    /// dimensions' weights are its AHP weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahp: Option<Vec<Vec<f64>>>,
    /// Points off the total for confirmed audit problems of the period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deductions: Option<Deductions>,
    pub dimensions: Vec<Dimension>,
}

fn default_improve_at() -> Vec<String> {
    vec!["C".into(), "D".into()]
}

/// Where the weights of an evaluation come from.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// The weights in the system (typed in, or from its AHP matrices).
    #[default]
    Expert,
    /// Entropy weights from the period's data.
    Entropy,
    /// CRITIC weights from the period's data.
    Critic,
    /// alpha x expert + (1 - alpha) x objective.
    Blend { alpha: f64, with: Objective },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    Entropy,
    Critic,
}

/// Points per confirmed problem of severity 1, 2 and 3, and the most taken off in all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deductions {
    pub per_severity: [f64; 3],
    pub cap: f64,
}

/// A sum as a person would write it (1.3, not 1.2999999999999998).
fn rounded(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The indicators of compliance, read from the audit (not from the leaders' sums).
pub const COMPLIANCE: &[&str] = &["confirmed_per_10k", "rectification_on_time"];

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
    /// Pairwise comparisons of its indicators; when given, their weights are its AHP weights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ahp: Option<Vec<Vec<f64>>>,
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
    /// A count that grows with the period (SAIDI, SAIFI, complaints per 10,000
    /// customers): floor and target are for a year, and a period of n months uses n/12 of
    /// them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_year: bool,
    /// An indicator the project defines itself: a SELECT over the data model returning
    /// `unit_id`, `month` (first day), `numerator` and `denominator`; the value of a unit
    /// for a period is the sum of the numerators over the sum of the denominators of its
    /// rows (and those of the units below it) in the period's months, times `scale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Its names and unit (a query's indicator has no entry in the catalogue).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The ratio times this (100 for a percentage); 1 when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// What a unit that had nothing to count gets (no connection completed, no
    /// rectification due): a score, or "reweight" (the indicator is left out and its weight
    /// shared by the others in proportion). Without it such a unit is left unscored. Never
    /// applies to missing data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub none_scores: Option<WhenNone>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WhenNone {
    Score(f64),
    Rule(NoneRule),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoneRule {
    Reweight,
}

impl SystemIndicator {
    /// An indicator of the catalogue (or a compliance one) with its direction, floor,
    /// target and weight; nothing else set.
    pub fn new(
        indicator: &str,
        direction: Direction,
        floor: f64,
        target: f64,
        weight: f64,
    ) -> SystemIndicator {
        SystemIndicator {
            indicator: indicator.to_string(),
            direction,
            floor,
            target,
            weight,
            per_year: false,
            sql: None,
            name_en: None,
            name_zh: None,
            unit: None,
            scale: None,
            none_scores: None,
        }
    }
}

impl IndexSystem {
    /// Reads a system from JSON and checks it against the indicators MAMS knows.
    /// `known` are the leaders' indicators; the compliance ones are always known. The
    /// weights of a node with an AHP matrix become the matrix's weights.
    pub fn parse(json: &str, known: &[&str]) -> Result<IndexSystem, String> {
        let mut system: IndexSystem =
            serde_json::from_str(json).map_err(|e| format!("not a valid index system: {e}"))?;
        system.check(known)?;
        system.apply_ahp();
        Ok(system)
    }

    /// Sets the weights of every node that has an AHP matrix to the matrix's weights
    /// (matrices are checked by `check`; one that does not weigh is left alone).
    pub fn apply_ahp(&mut self) {
        if let Some(Ok(a)) = self.ahp.as_deref().map(super::ahp::weigh) {
            for (d, w) in self.dimensions.iter_mut().zip(a.weights) {
                d.weight = w;
            }
        }
        for d in &mut self.dimensions {
            if let Some(Ok(a)) = d.ahp.as_deref().map(super::ahp::weigh) {
                for (i, w) in d.indicators.iter_mut().zip(a.weights) {
                    i.weight = w;
                }
            }
        }
    }

    /// The AHP matrices that are not consistent enough (CR >= 0.10), each with the
    /// judgement that departs most and the value the others imply: flagged, not refused.
    pub fn inconsistencies(&self) -> Vec<crate::text::Text> {
        let mut out = Vec::new();
        let mut flag = |at: crate::text::Text, a: &[Vec<f64>], names: Vec<&str>| {
            if let Ok(r) = super::ahp::weigh(a)
                && !r.acceptable
            {
                let pair = r
                    .most_inconsistent
                    .map(|j| {
                        let (a, b) = (
                            names.get(j.row - 1).unwrap_or(&"?"),
                            names.get(j.col - 1).unwrap_or(&"?"),
                        );
                        let (given, implied) = (
                            super::ahp::format_judgement(j.given),
                            super::ahp::format_judgement(j.suggested),
                        );
                        crate::say!(
                            "; {a} against {b} departs most ({given} given, about {implied} implied)",
                            "；{a} 对 {b} 的判断偏离最大（给定 {given}，其他判断推出约 {implied}）"
                        )
                    })
                    .unwrap_or_default();
                let cr = format!("{:.3}", r.cr);
                out.push(crate::text::Text {
                    en: format!("{}: CR = {cr}, not below 0.10{}", at.en, pair.en),
                    zh: format!("{}：CR = {cr}，未低于 0.10{}", at.zh, pair.zh),
                });
            }
        };
        if let Some(a) = &self.ahp {
            flag(
                crate::say!("the dimensions' comparisons", "维度的两两比较"),
                a,
                self.dimensions.iter().map(|d| d.id.as_str()).collect(),
            );
        }
        for d in &self.dimensions {
            if let Some(a) = &d.ahp {
                flag(
                    crate::say!("dimension {}'s comparisons", "维度 {} 的两两比较", d.id),
                    a,
                    d.indicators.iter().map(|i| i.indicator.as_str()).collect(),
                );
            }
        }
        out
    }

    /// Every indicator with its dimension's index, in order.
    pub fn indicators(&self) -> Vec<(usize, &SystemIndicator)> {
        self.dimensions
            .iter()
            .enumerate()
            .flat_map(|(d, dim)| dim.indicators.iter().map(move |i| (d, i)))
            .collect()
    }

    /// The system as it applies to a period of `months` months: the floors and targets of
    /// the per-year indicators scaled by months / 12.
    pub fn for_months(&self, months: u32) -> IndexSystem {
        let mut s = self.clone();
        let share = f64::from(months) / 12.0;
        for d in &mut s.dimensions {
            for i in d.indicators.iter_mut().filter(|i| i.per_year) {
                i.floor *= share;
                i.target *= share;
            }
        }
        s
    }

    /// Version as it is shown and stored: name and year.
    pub fn version(&self) -> String {
        format!("{} {}", self.name, self.year)
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
        let matrix_problem = |a: &[Vec<f64>], n: usize| -> Option<String> {
            if a.len() != n {
                return Some(format!("the AHP matrix has {} rows for {n} items", a.len()));
            }
            super::ahp::check(a).err().map(|e| format!("AHP matrix: {e}"))
        };
        match &self.ahp {
            Some(a) => {
                if let Some(p) = matrix_problem(a, self.dimensions.len()) {
                    problems.push(format!("the dimensions' comparisons: {p}"));
                }
            }
            None if !sums_to_one(total) => {
                problems.push(format!(
                    "the dimensions' weights add up to {}, not 1",
                    rounded(total)
                ));
            }
            None => {}
        }
        if let Weighting::Blend { alpha, .. } = self.weighting
            && !(0.0..=1.0).contains(&alpha)
        {
            problems.push(format!("weighting: alpha must lie between 0 and 1, not {alpha}"));
        }
        if let Some(d) = &self.deductions
            && (d.per_severity.iter().any(|p| !(p.is_finite() && *p >= 0.0))
                || !(d.cap.is_finite() && d.cap >= 0.0))
        {
            problems.push("deductions: points and cap must be 0 or more".to_string());
        }
        for g in &self.improve_at {
            if !self.grades.iter().any(|x| &x.grade == g) {
                problems.push(format!("improve_at: no grade {g}"));
            }
        }
        let mut seen_dimensions = Vec::new();
        let mut seen_indicators = Vec::new();
        for d in &self.dimensions {
            let at = format!("dimension {}", d.id);
            if seen_dimensions.contains(&&d.id) {
                problems.push(format!("{at}: the id is used twice"));
            }
            seen_dimensions.push(&d.id);
            if self.ahp.is_none() && !(d.weight.is_finite() && d.weight > 0.0) {
                problems.push(format!("{at}: the weight must be above 0, not {}", d.weight));
            }
            if d.indicators.is_empty() {
                problems.push(format!("{at}: no indicator"));
            }
            let sum: f64 = d.indicators.iter().map(|i| i.weight).sum();
            match &d.ahp {
                Some(a) => {
                    if let Some(p) = matrix_problem(a, d.indicators.len()) {
                        problems.push(format!("{at}: {p}"));
                    }
                }
                None if !d.indicators.is_empty() && !sums_to_one(sum) => {
                    problems.push(format!(
                        "{at}: the indicators' weights add up to {}, not 1",
                        rounded(sum)
                    ));
                }
                None => {}
            }
            for i in &d.indicators {
                let at = format!("{at}, indicator {}", i.indicator);
                let builtin =
                    known.contains(&i.indicator.as_str()) || COMPLIANCE.contains(&i.indicator.as_str());
                match &i.sql {
                    None if !builtin => problems.push(format!(
                        "{at}: not an indicator MAMS computes (known: {}, {}; or give a query in sql)",
                        known.join(", "),
                        COMPLIANCE.join(", ")
                    )),
                    Some(_) if builtin => problems.push(format!(
                        "{at}: the id of an indicator MAMS computes; give a query's indicator another id"
                    )),
                    Some(q) if q.trim().is_empty() => problems.push(format!("{at}: the query is empty")),
                    Some(_) if i.name_en.as_deref().is_none_or(|n| n.trim().is_empty()) => {
                        problems.push(format!("{at}: a query's indicator needs a name (name_en)"))
                    }
                    Some(_) if i.scale.is_some_and(|x| !(x.is_finite() && x > 0.0)) => {
                        problems.push(format!("{at}: scale must be above 0"))
                    }
                    _ => {}
                }
                if let Some(WhenNone::Score(v)) = i.none_scores
                    && !(0.0..=100.0).contains(&v)
                {
                    problems.push(format!("{at}: none_scores must lie between 0 and 100, not {v}"));
                }
                if seen_indicators.contains(&&i.indicator) {
                    problems.push(format!("{at}: already in the system"));
                }
                seen_indicators.push(&i.indicator);
                if d.ahp.is_none() && !(i.weight.is_finite() && i.weight > 0.0) {
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
            "the dimensions' weights add up to 1.3, not 1",
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

    #[test]
    fn ahp_matrices_give_the_weights_and_inconsistency_is_flagged_by_name() {
        let mut s: IndexSystem = serde_json::from_str(DEFAULT_JSON).unwrap();
        // Saaty's example on the reliability dimension: w = (0.637, 0.258, 0.105).
        s.dimensions[0].ahp = Some(vec![
            vec![1.0, 3.0, 5.0],
            vec![1.0 / 3.0, 1.0, 3.0],
            vec![0.2, 1.0 / 3.0, 1.0],
        ]);
        s.dimensions[0].indicators[0].weight = 0.9; // overridden by the matrix
        let s = IndexSystem::parse(&serde_json::to_string(&s).unwrap(), &known()).unwrap();
        let w: Vec<f64> = s.dimensions[0].indicators.iter().map(|i| i.weight).collect();
        assert!(
            (w[0] - 0.637).abs() < 0.001 && (w[2] - 0.105).abs() < 0.001,
            "{w:?}"
        );
        assert!(s.inconsistencies().is_empty());
        // rs3 over saidi 3, saidi over saifi 3, but saifi over rs3 3: circular.
        let mut bad = s.clone();
        bad.dimensions[0].ahp = Some(vec![
            vec![1.0, 3.0, 1.0 / 3.0],
            vec![1.0 / 3.0, 1.0, 3.0],
            vec![3.0, 1.0 / 3.0, 1.0],
        ]);
        let flags = bad.inconsistencies();
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert!(
            flags[0]
                .en
                .starts_with("dimension reliability's comparisons: CR = "),
            "{flags:?}"
        );
        assert!(flags[0].en.contains("departs most"), "{flags:?}");
        // A matrix of the wrong order, and a score for nothing to count beyond 100.
        let mut wrong = s.clone();
        wrong.dimensions[1].ahp = Some(vec![vec![1.0, 2.0], vec![0.5, 1.0]]);
        wrong.dimensions[2].indicators[0].none_scores = Some(WhenNone::Score(120.0));
        let err = wrong.check(&known()).unwrap_err();
        assert!(
            err.contains("dimension timeliness: the AHP matrix has 2 rows for 3 items"),
            "{err}"
        );
        assert!(
            err.contains("indicator satisfaction: none_scores must lie between 0 and 100, not 120"),
            "{err}"
        );
    }
}
