//! The planted effect of a measure, ground truth for the evaluation of the risk module: the
//! counties of one city estimate many reads (their remote reading is patchy), so each of
//! their ordinary customers starts an episode of two estimated cycles in a month with a
//! known probability; from the middle month of the window on, one of those counties (where
//! remote reading was completed) has that probability cut by a known fraction, while its
//! sibling counties go on as before. `planted_effects.parquet` records it.

use super::lifecycle::Window;
use super::rng::Rng;

/// The city whose counties carry the stream of estimated reads.
pub const CITY: &str = "C03";
/// The county that took the measure.
pub const TREATED: &str = "C03K02";
pub const RULE: &str = "estimated";
/// Chance that an ordinary customer of the city starts an episode in a month.
pub const START_PROBABILITY: f64 = 0.015;
/// The fraction of that chance the measure removes in the treated county.
pub const DROP: f64 = 0.6;

pub const TRUTH_FILE: &str = "planted_effects.parquet";

pub const TRUTH_TABLE_SQL: &str = "CREATE TABLE planted_effects (
  unit_id VARCHAR NOT NULL,
  rule_id VARCHAR NOT NULL,
  from_month DATE NOT NULL,
  fraction DOUBLE NOT NULL,
  start_probability DOUBLE NOT NULL,
  peers VARCHAR NOT NULL
);";

/// The month index the measure starts, when the window is long enough to show it (at least
/// four months on each side).
pub fn start(w: &Window) -> Option<usize> {
    (w.months >= 8).then_some(w.months / 2)
}

/// The months in which a customer of `station` starts an episode of two estimated reads:
/// none outside the city; never two episodes closer than three months (a month without an
/// estimated read between them, so that each is a run of exactly two cycles).
pub fn episodes(w: &Window, idx: u64, station: &str) -> Vec<usize> {
    let Some(t0) = start(w) else {
        return Vec::new();
    };
    if !station.starts_with(CITY) {
        return Vec::new();
    }
    let treated = station.starts_with(TREATED);
    // A stream of its own: the rest of the customer's life draws exactly as without it.
    let mut rng = Rng::derive(w.seed, &[13, idx]);
    let mut out = Vec::new();
    let mut free_from = 0;
    for m in 0..w.months - 1 {
        let p = if treated && m >= t0 {
            START_PROBABILITY * (1.0 - DROP)
        } else {
            START_PROBABILITY
        };
        // Drawn every month, so that one outcome does not shift the draws after it.
        let hit = rng.chance(p);
        if hit && m >= free_from {
            out.push(m);
            free_from = m + 3;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn episodes_are_apart_and_only_in_the_city() {
        let w = Window::new(7, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), 24);
        assert_eq!(start(&w), Some(12));
        assert!(episodes(&w, 5, "C01K01S01").is_empty());
        let mut before = 0;
        let mut after = 0;
        for idx in 0..20_000 {
            let e = episodes(&w, idx, "C03K02S01");
            assert!(e.windows(2).all(|p| p[1] >= p[0] + 3));
            assert!(e.iter().all(|m| *m + 1 < 24));
            before += e.iter().filter(|m| **m < 12).count();
            after += e.iter().filter(|m| **m >= 12).count();
        }
        // About 20,000 x 12 x 1.5 % = 3,600 before (a little less for the months kept
        // free), 40 % of it after.
        assert!((3000..3700).contains(&before), "{before}");
        let ratio = after as f64 / before as f64;
        assert!((0.35..0.5).contains(&ratio), "{ratio}");
    }
}
