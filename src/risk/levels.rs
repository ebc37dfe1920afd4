//! The dynamic level of a risk point in an org unit and month: a likelihood and an impact,
//! each 1 to 5 by thresholds kept as data (`assets/risks/levels.json`), and the level read
//! from the 5 x 5 matrix.
//!
//! - Likelihood: the highest band of the suspects of its rules per 10,000 customers, of its
//!   confirmed problems per 10,000 customers (lower thresholds: a confirmed problem is
//!   stronger evidence) and of the share of rows failing its data quality checks; one band
//!   up when the rate of the last months rose by half against the months before, one down
//!   when it halved. A band from a rate needs at least (band - 1) suspects: one suspect in a
//!   county of 400 customers is 25 per 10,000, which says little.
//! - Impact: the higher band of the money at stake and of the customers (or records)
//!   affected, one band up for a point whose severity is 4 or 5.

use serde::{Deserialize, Serialize};

use crate::text::Text;

#[derive(Debug, Clone, Deserialize)]
pub struct LikelihoodThresholds {
    pub suspects_per_10k: [f64; 4],
    pub confirmed_per_10k: [f64; 4],
    pub dq_failing_share: [f64; 4],
    pub trend_months: usize,
    pub rising_ratio: f64,
    pub falling_ratio: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ImpactThresholds {
    pub money_yuan: [f64; 4],
    pub affected: [f64; 4],
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LevelName {
    pub level: u8,
    pub en: String,
    pub zh: String,
    pub color: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Thresholds {
    pub likelihood: LikelihoodThresholds,
    pub impact: ImpactThresholds,
    /// Rows: likelihood 1 to 5; columns: impact 1 to 5; values: level 1 to 4.
    pub matrix: [[u8; 5]; 5],
    pub levels: Vec<LevelName>,
}

impl Thresholds {
    pub fn level(&self, likelihood: u8, impact: u8) -> u8 {
        self.matrix[likelihood.clamp(1, 5) as usize - 1][impact.clamp(1, 5) as usize - 1]
    }

    pub fn name(&self, level: u8) -> Text {
        self.levels
            .iter()
            .find(|l| l.level == level)
            .map(|l| Text {
                en: l.en.clone(),
                zh: l.zh.clone(),
            })
            .unwrap_or_default()
    }

    /// "#rrggbb" of a level, as (r, g, b).
    pub fn color(&self, level: u8) -> (u8, u8, u8) {
        let hex = self
            .levels
            .iter()
            .find(|l| l.level == level)
            .map(|l| l.color.as_str())
            .unwrap_or("#9e9e9e");
        let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("9e"), 16).unwrap_or(158);
        (c(1), c(3), c(5))
    }

    pub fn max_level(&self) -> u8 {
        self.levels.iter().map(|l| l.level).max().unwrap_or(4)
    }
}

const LEVELS_JSON: &str = include_str!("../../assets/risks/levels.json");

pub fn thresholds() -> &'static Thresholds {
    static T: std::sync::OnceLock<Thresholds> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        serde_json::from_str(LEVELS_JSON).expect("assets/risks/levels.json is checked by a test")
    })
}

/// 1 below the first threshold, 2 from the first, ... 5 from the fourth.
pub fn band(x: f64, t: &[f64; 4]) -> u8 {
    1 + t.iter().filter(|th| x >= **th).count() as u8
}

pub use crate::store::risks::Signal;

/// A month's assessment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assessed {
    /// Suspects per 10,000 customers.
    pub rate: Option<f64>,
    /// Rate of the last `trend_months` over the months before.
    pub trend: Option<f64>,
    pub likelihood: u8,
    pub impact: u8,
    pub level: u8,
}

fn per_10k(n: i64, customers: f64) -> Option<f64> {
    (customers > 0.0).then(|| n as f64 / customers * 10_000.0)
}

/// Assesses one risk point in one unit over consecutive months (`signals[i]` and
/// `customers[i]` are month i).
pub fn assess_series(signals: &[Signal], customers: &[f64], severity: u8, t: &Thresholds) -> Vec<Assessed> {
    let lt = &t.likelihood;
    let rates: Vec<f64> = signals
        .iter()
        .zip(customers)
        .map(|(s, c)| per_10k(s.suspects, *c).unwrap_or(0.0))
        .collect();
    let k = lt.trend_months.max(1);
    signals
        .iter()
        .zip(customers)
        .enumerate()
        .map(|(i, (s, c))| {
            let rate = per_10k(s.suspects, *c);
            let confirmed = per_10k(s.confirmed, *c).unwrap_or(0.0);
            let share = if s.dq_tested > 0 {
                s.dq_failing as f64 / s.dq_tested as f64
            } else {
                0.0
            };
            // A rate from one or two suspects in a small unit says little: a band needs at
            // least (band - 1) suspects.
            let small = |b: u8, n: i64| b.min((n + 1).clamp(1, 5) as u8);
            let base = small(band(rate.unwrap_or(0.0), &lt.suspects_per_10k), s.suspects)
                .max(small(band(confirmed, &lt.confirmed_per_10k), s.confirmed))
                .max(band(share, &lt.dq_failing_share));
            let trend = (i + 1 >= 2 * k).then(|| {
                let recent: f64 = rates[i + 1 - k..=i].iter().sum::<f64>() / k as f64;
                let before: f64 = rates[i + 1 - 2 * k..i + 1 - k].iter().sum::<f64>() / k as f64;
                (recent, before)
            });
            let (ratio, step) = match trend {
                Some((recent, before)) if before > 0.0 => {
                    let r = recent / before;
                    let step = if r >= lt.rising_ratio && recent >= lt.suspects_per_10k[0] {
                        1
                    } else if r <= lt.falling_ratio {
                        -1
                    } else {
                        0
                    };
                    (Some(r), step)
                }
                // From nothing to a rate worth a band: rising.
                Some((recent, _)) if recent >= lt.suspects_per_10k[0] => (None, 1),
                _ => (None, 0),
            };
            let likelihood = (base as i32 + step).clamp(1, 5) as u8;
            let impact = band(s.amount, &t.impact.money_yuan)
                .max(band(s.affected as f64, &t.impact.affected))
                .saturating_add(u8::from(severity >= 4))
                .min(5);
            Assessed {
                rate,
                trend: ratio,
                likelihood,
                impact,
                level: t.level(likelihood, impact),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_and_the_matrix_from_the_data_file() {
        let t = thresholds();
        assert_eq!(band(0.0, &[1.0, 3.0, 8.0, 20.0]), 1);
        assert_eq!(band(3.0, &[1.0, 3.0, 8.0, 20.0]), 3);
        assert_eq!(band(1e9, &[1.0, 3.0, 8.0, 20.0]), 5);
        assert_eq!(t.level(1, 1), 1);
        assert_eq!(t.level(5, 5), t.max_level());
        // The matrix never falls when likelihood or impact rises.
        for l in 1..=5u8 {
            for i in 1..=5u8 {
                assert!(t.level(l, i) <= t.level((l + 1).min(5), i));
                assert!(t.level(l, i) <= t.level(l, (i + 1).min(5)));
            }
        }
        assert_eq!(t.color(4), (0xd3, 0x2f, 0x2f));
        assert_eq!(t.name(3).zh, "高");
    }

    #[test]
    fn a_series_assessed_by_hand() {
        // 2,000 customers; suspects 0,0,0 then 4,4,4 a month: 20 per 10,000 from month 4.
        let t = thresholds();
        let sig = |n: i64| Signal {
            suspects: n,
            affected: n,
            amount: 500.0 * n as f64,
            ..Default::default()
        };
        let signals: Vec<Signal> = [0, 0, 0, 4, 4, 4].into_iter().map(sig).collect();
        let r = assess_series(&signals, &[2000.0; 6], 2, t);
        assert_eq!(r[0].likelihood, 1);
        assert_eq!(r[0].rate, Some(0.0));
        // Month 4: 20 per 10k is band 5 (thresholds 1, 3, 8, 20), and 4 suspects may give
        // band 5; no trend yet (needs 6 months).
        assert_eq!(r[3].likelihood, 5);
        // One suspect in 400 customers is 25 per 10,000, band 5 by rate, but one suspect
        // carries band 2 at most.
        let one = assess_series(&[sig(1)], &[400.0], 2, t);
        assert_eq!(one[0].likelihood, 2);
        assert_eq!(r[3].trend, None);
        // Month 6: the last three months against three months of nothing: rising, capped at 5.
        assert_eq!(r[5].likelihood, 5);
        // Impact: 2,000 yuan is band 2 (from 2,000), 4 affected is band 2 (from 2): 2.
        assert_eq!(r[3].impact, 2);
        assert_eq!(r[3].level, t.level(5, 2));
        // A severity-4 point: one band more of impact.
        assert_eq!(assess_series(&signals, &[2000.0; 6], 4, t)[3].impact, 3);
        // No customers: no rate, lowest likelihood.
        assert_eq!(assess_series(&signals, &[0.0; 6], 2, t)[3].rate, None);
    }

    #[test]
    fn a_halved_rate_lowers_the_likelihood_one_band() {
        // 10,000 customers: 6 suspects a month (6 per 10k, band 3), then 2 a month (band 2,
        // and falling against 6: one band down to 1).
        let t = thresholds();
        let signals: Vec<Signal> = [6, 6, 6, 2, 2, 2]
            .into_iter()
            .map(|n| Signal {
                suspects: n,
                ..Default::default()
            })
            .collect();
        let r = assess_series(&signals, &[10_000.0; 6], 2, t);
        assert_eq!(r[2].likelihood, 3);
        assert!((r[5].trend.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(r[5].likelihood, 1);
    }
}
