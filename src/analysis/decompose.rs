//! Two decompositions whose parts add up exactly to the change they explain
//! (DOMAIN.md section 7, docs/analysis.md):
//!
//! - **LMDI-I** for a product indicator V = Σ_i Π_k x_k,i (revenue = kWh × price by class):
//!   the additive effect of factor k is Σ_i L(V_i^T, V_i^0) ln(x_k,i^T / x_k,i^0) with the
//!   logarithmic mean L(a, b) = (a − b) / (ln a − ln b); the multiplicative effect is
//!   exp(Σ_i L(V_i^T, V_i^0) / L(V^T, V^0) · ln(x_k,i^T / x_k,i^0)).
//! - **Rate/mix** for a ratio indicator R = Σ n_i / Σ d_i = Σ s_i r_i (shares s_i of the
//!   denominator, rates r_i): ΔR = Σ mean(s_i) Δr_i (rate) + Σ Δs_i (mean(r_i) − mean(R)) (mix).

use serde::Serialize;

/// Zeros are replaced by this before taking logarithms (the small-value strategy of Ang &
/// Liu, 2007): the effects then converge to the analytical limits, and still add up to the
/// change up to about this much.
pub const ZERO: f64 = 1e-10;

/// The logarithmic mean of two positive numbers; L(a, a) = a.
pub fn log_mean(a: f64, b: f64) -> f64 {
    if (a - b).abs() <= 1e-12 * a.max(b) {
        a
    } else {
        (a - b) / (a.ln() - b.ln())
    }
}

/// One group of an LMDI decomposition: its factor values in the base and target periods.
#[derive(Debug, Clone, PartialEq)]
pub struct LmdiGroup {
    pub name: String,
    pub base: Vec<f64>,
    pub target: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorEffect {
    pub factor: String,
    /// Additive effect, in the unit of V; the effects add up to V^T − V^0.
    pub additive: f64,
    /// Multiplicative effect; the effects multiply to V^T / V^0.
    pub multiplicative: f64,
    /// The additive effect by group, in group order.
    pub by_group: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmdiResult {
    pub groups: Vec<String>,
    pub base_total: f64,
    pub target_total: f64,
    pub change: f64,
    pub ratio: f64,
    pub effects: Vec<FactorEffect>,
}

fn product(xs: &[f64]) -> f64 {
    xs.iter().product()
}

/// LMDI-I of V = Σ_i Π_k x_k,i. Every group needs a value of every factor in both periods;
/// negative factors are refused (the logarithm needs positive values).
pub fn lmdi(factors: &[String], groups: &[LmdiGroup]) -> Result<LmdiResult, String> {
    if factors.is_empty() {
        return Err("there are no factors".into());
    }
    if groups.is_empty() {
        return Err("there are no groups".into());
    }
    for g in groups {
        if g.base.len() != factors.len() || g.target.len() != factors.len() {
            return Err(format!(
                "group {} does not have a value of every factor in both periods",
                g.name
            ));
        }
        if let Some(x) = g
            .base
            .iter()
            .chain(&g.target)
            .find(|x| !x.is_finite() || **x < 0.0)
        {
            return Err(format!(
                "group {}: factor value {x} is negative or not a number; LMDI needs values of 0 or more",
                g.name
            ));
        }
    }
    let v0: Vec<f64> = groups.iter().map(|g| product(&g.base)).collect();
    let vt: Vec<f64> = groups.iter().map(|g| product(&g.target)).collect();
    let (total0, total_t) = (v0.iter().sum::<f64>(), vt.iter().sum::<f64>());
    // The weights come from the values with zeros replaced, so that each group's effects
    // add up to its own change (L(a, b) ln(a / b) = a - b).
    let sub = |xs: &[f64]| xs.iter().map(|x| x.max(ZERO)).product::<f64>();
    let w: Vec<f64> = groups
        .iter()
        .map(|g| log_mean(sub(&g.target), sub(&g.base)))
        .collect();
    let l_total = log_mean(total_t.max(ZERO), total0.max(ZERO));
    let effects = factors
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let by_group: Vec<f64> = groups
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let ratio = g.target[k].max(ZERO) / g.base[k].max(ZERO);
                    w[i] * ratio.ln()
                })
                .collect();
            let additive: f64 = by_group.iter().sum();
            let weighted: f64 = groups
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let ratio = g.target[k].max(ZERO) / g.base[k].max(ZERO);
                    w[i] / l_total * ratio.ln()
                })
                .sum();
            FactorEffect {
                factor: name.clone(),
                additive,
                multiplicative: weighted.exp(),
                by_group,
            }
        })
        .collect();
    Ok(LmdiResult {
        groups: groups.iter().map(|g| g.name.clone()).collect(),
        base_total: total0,
        target_total: total_t,
        change: total_t - total0,
        ratio: if total0 > 0.0 { total_t / total0 } else { f64::NAN },
        effects,
    })
}

/// One group of a rate/mix split: numerator and denominator in each period.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioGroup {
    pub name: String,
    pub base: (f64, f64),
    pub target: (f64, f64),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSplit {
    pub group: String,
    pub base_share: f64,
    pub target_share: f64,
    /// None when the group has no denominator in that period.
    pub base_rate: Option<f64>,
    pub target_rate: Option<f64>,
    pub rate_effect: f64,
    pub mix_effect: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateMixResult {
    pub base: f64,
    pub target: f64,
    pub change: f64,
    pub rate_effect: f64,
    pub mix_effect: f64,
    pub groups: Vec<GroupSplit>,
}

/// Rate/mix split of R = Σ n_i / Σ d_i. Each group's effect is exactly the change of what
/// it adds to R, n_i / Σ d (its share times its rate when it has a denominator), less its
/// share's change times the mean of R. A group present in one period only (no denominator
/// in the other) takes the rate it has as its rate in both, so its effect is mix; a
/// numerator booked where there is no denominator at all (tickets of a county whose
/// customers sit at its stations) is all rate effect. The effects add up to the change.
pub fn rate_mix(groups: &[RatioGroup]) -> Result<RateMixResult, String> {
    if groups.is_empty() {
        return Err("there are no groups".into());
    }
    for g in groups {
        let vals = [g.base.0, g.base.1, g.target.0, g.target.1];
        if vals.iter().any(|v| !v.is_finite()) || g.base.1 < 0.0 || g.target.1 < 0.0 {
            return Err(format!(
                "group {}: a denominator is negative or a value is not a number",
                g.name
            ));
        }
    }
    let d0: f64 = groups.iter().map(|g| g.base.1).sum();
    let dt: f64 = groups.iter().map(|g| g.target.1).sum();
    if d0 <= 0.0 || dt <= 0.0 {
        return Err("the denominators add up to 0 in a period: the ratio has no value".into());
    }
    let r0 = groups.iter().map(|g| g.base.0).sum::<f64>() / d0;
    let rt = groups.iter().map(|g| g.target.0).sum::<f64>() / dt;
    let mean_r = (r0 + rt) / 2.0;
    let rate = |n: f64, d: f64| (d > 0.0).then(|| n / d);
    let splits: Vec<GroupSplit> = groups
        .iter()
        .map(|g| {
            let (s0, st) = (g.base.1 / d0, g.target.1 / dt);
            let (a, b) = (rate(g.base.0, g.base.1), rate(g.target.0, g.target.1));
            let (rate_effect, mix_effect) = match (a, b) {
                (Some(a), Some(b)) => ((s0 + st) / 2.0 * (b - a), (st - s0) * ((a + b) / 2.0 - mean_r)),
                _ => {
                    let r = a.or(b).unwrap_or(0.0);
                    let mix = (st - s0) * (r - mean_r);
                    let whole = g.target.0 / dt - g.base.0 / d0 - (st - s0) * mean_r;
                    (whole - mix, mix)
                }
            };
            GroupSplit {
                group: g.name.clone(),
                base_share: s0,
                target_share: st,
                base_rate: a,
                target_rate: b,
                rate_effect,
                mix_effect,
            }
        })
        .collect();
    Ok(RateMixResult {
        base: r0,
        target: rt,
        change: rt - r0,
        rate_effect: splits.iter().map(|s| s.rate_effect).sum(),
        mix_effect: splits.iter().map(|s| s.mix_effect).sum(),
        groups: splits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn lmdi_effects_add_up_to_the_change_and_multiply_to_the_ratio() {
        // Revenue = kWh x price for two classes.
        // residential: 100 kWh x 0.5 -> 120 x 0.55 (V 50 -> 66)
        // industrial:  400 kWh x 0.6 -> 380 x 0.62 (V 240 -> 235.6)
        let groups = vec![
            LmdiGroup {
                name: "residential".into(),
                base: vec![100.0, 0.5],
                target: vec![120.0, 0.55],
            },
            LmdiGroup {
                name: "industrial".into(),
                base: vec![400.0, 0.6],
                target: vec![380.0, 0.62],
            },
        ];
        let r = lmdi(&["kwh".into(), "price".into()], &groups).unwrap();
        assert!(close(r.base_total, 290.0) && close(r.target_total, 301.6));
        let sum: f64 = r.effects.iter().map(|e| e.additive).sum();
        assert!(close(sum, 11.6), "{sum}");
        let prod: f64 = r.effects.iter().map(|e| e.multiplicative).product();
        assert!(close(prod, 301.6 / 290.0), "{prod}");
        // By hand for the residential kWh effect: L(66, 50) = 16 / ln(1.32) = 57.6301,
        // times ln(1.2) = 0.182322 gives 10.5072.
        assert!(
            (r.effects[0].by_group[0] - 10.5072).abs() < 1e-3,
            "{}",
            r.effects[0].by_group[0]
        );
        for e in &r.effects {
            assert!(close(e.by_group.iter().sum::<f64>(), e.additive));
        }
    }

    #[test]
    fn lmdi_handles_a_group_that_appears_and_refuses_negative_factors() {
        let groups = vec![
            LmdiGroup {
                name: "old".into(),
                base: vec![10.0, 2.0],
                target: vec![10.0, 2.0],
            },
            LmdiGroup {
                name: "new".into(),
                base: vec![0.0, 0.0],
                target: vec![5.0, 2.0],
            },
        ];
        let r = lmdi(&["kwh".into(), "price".into()], &groups).unwrap();
        let sum: f64 = r.effects.iter().map(|e| e.additive).sum();
        assert!((sum - 10.0).abs() < 1e-6, "{sum}");
        assert!(
            r.effects
                .iter()
                .all(|e| e.additive.is_finite() && e.multiplicative.is_finite())
        );
        let bad = vec![LmdiGroup {
            name: "x".into(),
            base: vec![-1.0],
            target: vec![1.0],
        }];
        assert!(lmdi(&["a".into()], &bad).unwrap_err().contains("negative"));
    }

    #[test]
    fn rate_and_mix_add_up_to_the_change_of_the_ratio() {
        // Collection rate: collected / billed for two cities.
        // base:   A 90/100, B 160/200  -> R0 = 250/300 = 0.8333
        // target: A 190/200, B 80/100  -> Rt = 270/300 = 0.9
        let groups = vec![
            RatioGroup {
                name: "A".into(),
                base: (90.0, 100.0),
                target: (190.0, 200.0),
            },
            RatioGroup {
                name: "B".into(),
                base: (160.0, 200.0),
                target: (80.0, 100.0),
            },
        ];
        let r = rate_mix(&groups).unwrap();
        assert!(close(r.change, 0.9 - 250.0 / 300.0));
        assert!(close(r.rate_effect + r.mix_effect, r.change));
        // By hand: A's rate effect = mean share (1/3 + 2/3)/2 = 0.5 x (0.95 - 0.9) = 0.025;
        // B's rate is unchanged (0.8), so all of the rest is mix: A's share grew while A
        // collects better than average.
        assert!(close(r.groups[0].rate_effect, 0.025));
        assert!(close(r.groups[1].rate_effect, 0.0));
        assert!(r.mix_effect > 0.0);
        // A group without a denominator in the base period: all mix.
        let r = rate_mix(&[
            RatioGroup {
                name: "A".into(),
                base: (50.0, 100.0),
                target: (50.0, 100.0),
            },
            RatioGroup {
                name: "new".into(),
                base: (0.0, 0.0),
                target: (100.0, 100.0),
            },
        ])
        .unwrap();
        assert!(close(r.rate_effect + r.mix_effect, r.change));
        assert!(close(r.groups[1].rate_effect, 0.0));
        assert!(rate_mix(&[]).is_err());
    }

    #[test]
    fn a_numerator_without_a_denominator_keeps_its_part() {
        // Worked by hand: complaints per customer of a county. Stations A (100 customers) and
        // B (100) had 1 and 1 complaints, then 1 and 3; the county itself, with no customers
        // of its own, booked 2 and then 6. R goes from 4 / 200 = 0.02 to 10 / 200 = 0.05.
        // A's rate did not move, B's went from 0.01 to 0.03 (half the weight: +0.01), and the
        // county's own bookings add 2 / 200 = 0.01 and then 6 / 200 = 0.03: +0.02.
        let g = |name: &str, base: (f64, f64), target: (f64, f64)| RatioGroup {
            name: name.into(),
            base,
            target,
        };
        let r = rate_mix(&[
            g("A", (1.0, 100.0), (1.0, 100.0)),
            g("B", (1.0, 100.0), (3.0, 100.0)),
            g("county", (2.0, 0.0), (6.0, 0.0)),
        ])
        .unwrap();
        assert!(close(r.change, 0.03));
        let effect = |i: usize| r.groups[i].rate_effect + r.groups[i].mix_effect;
        assert!(close(effect(0), 0.0));
        assert!(close(effect(1), 0.01));
        assert!(close(effect(2), 0.02), "{:?}", r.groups[2]);
        assert!(close(r.rate_effect + r.mix_effect, r.change));
    }
}
