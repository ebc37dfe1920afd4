//! Data envelopment analysis: the relative efficiency of units that turn several inputs
//! into several outputs (Charnes, Cooper and Rhodes 1978; Banker, Charnes and Cooper 1984;
//! Andersen and Petersen 1993). Each unit's linear programmes (envelopment form) are solved
//! with `microlp`. Formulas and sources: docs/evaluation.md.

use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Constant returns to scale.
    Ccr,
    /// Variable returns to scale (the lambdas sum to 1).
    Bcc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Orientation {
    /// How far every input could shrink with the outputs kept.
    Input,
    /// How far every output could grow with the inputs kept.
    Output,
}

/// Units (rows) with their inputs and outputs (columns), all positive.
#[derive(Debug, Clone, PartialEq)]
pub struct DeaData {
    pub inputs: Vec<Vec<f64>>,
    pub outputs: Vec<Vec<f64>>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeaError {
    #[error("at least two units, one input and one output are needed")]
    TooSmall,
    #[error("unit {unit} has {got} {what} but the first unit has {want}")]
    Ragged {
        unit: usize,
        what: &'static str,
        got: usize,
        want: usize,
    },
    #[error(
        "unit {unit}, {what} {col}: {value} is not a positive number (DEA needs positive inputs and outputs)"
    )]
    NotPositive {
        unit: usize,
        what: &'static str,
        col: usize,
        value: f64,
    },
    #[error("unit {unit}: the linear programme could not be solved ({detail})")]
    Solver { unit: usize, detail: String },
}

/// Super-efficiency: how far an efficient unit could worsen and stay efficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "value")]
pub enum Super {
    Score(f64),
    /// No combination of the other units reaches the unit (possible under BCC).
    Infeasible,
}

/// One unit's result; indexes count from 0 in the order given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitEfficiency {
    /// theta (input orientation) or 1 / phi (output orientation), in (0, 1].
    pub score: f64,
    /// The units of the reference set and their lambdas (the nonzero ones).
    pub peers: Vec<(usize, f64)>,
    pub input_slacks: Vec<f64>,
    pub output_slacks: Vec<f64>,
    /// Where the unit would be on the frontier, slacks included.
    pub input_targets: Vec<f64>,
    pub output_targets: Vec<f64>,
    /// Efficient (score 1) and without slacks.
    pub efficient: bool,
    pub super_efficiency: Option<Super>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeaResult {
    pub model: Model,
    pub orientation: Orientation,
    pub units: Vec<UnitEfficiency>,
    /// Fewer units than three times the inputs and outputs: the scores tell little apart.
    pub warnings: Vec<String>,
}

const TOL: f64 = 1e-7;

impl DeaData {
    fn check(&self) -> Result<(usize, usize, usize), DeaError> {
        let n = self.inputs.len();
        if n < 2 || self.outputs.len() != n {
            return Err(DeaError::TooSmall);
        }
        let (m, s) = (self.inputs[0].len(), self.outputs[0].len());
        if m == 0 || s == 0 {
            return Err(DeaError::TooSmall);
        }
        for (what, rows, want) in [("inputs", &self.inputs, m), ("outputs", &self.outputs, s)] {
            for (j, row) in rows.iter().enumerate() {
                if row.len() != want {
                    return Err(DeaError::Ragged {
                        unit: j + 1,
                        what,
                        got: row.len(),
                        want,
                    });
                }
                if let Some((c, v)) = row
                    .iter()
                    .enumerate()
                    .find(|(_, v)| !(v.is_finite() && **v > 0.0))
                {
                    return Err(DeaError::NotPositive {
                        unit: j + 1,
                        what: if what == "inputs" { "input" } else { "output" },
                        col: c + 1,
                        value: *v,
                    });
                }
            }
        }
        Ok((n, m, s))
    }

    /// Every column divided by its mean, so that the solver sees numbers of one size; the
    /// scores and lambdas do not change, slacks and targets are scaled back.
    fn normalised(&self) -> (DeaData, Vec<f64>, Vec<f64>) {
        let means = |rows: &Vec<Vec<f64>>| -> Vec<f64> {
            (0..rows[0].len())
                .map(|c| rows.iter().map(|r| r[c]).sum::<f64>() / rows.len() as f64)
                .collect()
        };
        let (mx, my) = (means(&self.inputs), means(&self.outputs));
        let scale = |rows: &Vec<Vec<f64>>, m: &[f64]| -> Vec<Vec<f64>> {
            rows.iter()
                .map(|r| r.iter().zip(m).map(|(v, k)| v / k).collect())
                .collect()
        };
        (
            DeaData {
                inputs: scale(&self.inputs, &mx),
                outputs: scale(&self.outputs, &my),
            },
            mx,
            my,
        )
    }
}

/// The efficiency of every unit under `model` and `orientation`, with slacks (second phase),
/// targets and, when asked, super-efficiency.
pub fn analyse(
    data: &DeaData,
    model: Model,
    orientation: Orientation,
    with_super: bool,
) -> Result<DeaResult, DeaError> {
    let (n, m, s) = data.check()?;
    let mut warnings = Vec::new();
    if n < 3 * (m + s) {
        warnings.push(format!(
            "{n} units for {m} inputs and {s} outputs: fewer than 3 x ({m} + {s}) = {}, so many units may come out efficient",
            3 * (m + s)
        ));
    }
    let (d, mx, my) = data.normalised();
    let mut units = Vec::with_capacity(n);
    for o in 0..n {
        let fail = |e: microlp::Error| DeaError::Solver {
            unit: o + 1,
            detail: format!("{e:?}"),
        };
        let radial = phase_one(&d, model, orientation, o, false).map_err(fail)?;
        let (lambdas, sx, sy) = phase_two(&d, model, orientation, o, radial).unwrap_or_else(|_| {
            // The second phase only moves within the first's optimum; if the solver cannot
            // settle it, the first phase's lambdas stand without slacks.
            (
                phase_one_lambdas(&d, model, orientation, o, radial),
                vec![0.0; m],
                vec![0.0; s],
            )
        });
        let score = match orientation {
            Orientation::Input => radial,
            Orientation::Output => 1.0 / radial,
        };
        let input_slacks: Vec<f64> = sx.iter().zip(&mx).map(|(v, k)| v * k).collect();
        let output_slacks: Vec<f64> = sy.iter().zip(&my).map(|(v, k)| v * k).collect();
        let (input_targets, output_targets) = match orientation {
            Orientation::Input => (
                (0..m)
                    .map(|i| radial * data.inputs[o][i] - input_slacks[i])
                    .collect(),
                (0..s).map(|r| data.outputs[o][r] + output_slacks[r]).collect(),
            ),
            Orientation::Output => (
                (0..m).map(|i| data.inputs[o][i] - input_slacks[i]).collect(),
                (0..s)
                    .map(|r| radial * data.outputs[o][r] + output_slacks[r])
                    .collect(),
            ),
        };
        let slack_free = sx.iter().chain(&sy).all(|v| v.abs() < 1e-6);
        let super_efficiency = with_super.then(|| match phase_one(&d, model, orientation, o, true) {
            Ok(v) => Super::Score(match orientation {
                Orientation::Input => v,
                Orientation::Output => 1.0 / v,
            }),
            Err(_) => Super::Infeasible,
        });
        units.push(UnitEfficiency {
            score: score.min(1.0),
            peers: lambdas
                .into_iter()
                .enumerate()
                .filter(|(_, l)| *l > 1e-6)
                .collect(),
            input_slacks,
            output_slacks,
            input_targets,
            output_targets,
            efficient: (score - 1.0).abs() < 1e-6 && slack_free,
            super_efficiency,
        });
    }
    Ok(DeaResult {
        model,
        orientation,
        units,
        warnings,
    })
}

/// The Malmquist productivity index of a unit between two periods (Färe, Grosskopf, Norris
/// and Zhang 1994), from CCR distance functions D^p(q): the score of the unit's period-q data
/// against period p's frontier. Above 1: productivity grew.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Malmquist {
    /// [D^t(t+1) / D^t(t) x D^t+1(t+1) / D^t+1(t)]^(1/2).
    pub index: f64,
    /// Efficiency change (catching up): D^t+1(t+1) / D^t(t).
    pub efficiency_change: f64,
    /// Technical change (the frontier's shift): index / efficiency change.
    pub technical_change: f64,
    /// D^t(t), D^t+1(t+1), D^t(t+1), D^t+1(t).
    pub distances: [f64; 4],
}

/// The Malmquist index of every unit from `base` to `target` (the same units in the same
/// order), under constant returns to scale.
pub fn malmquist(base: &DeaData, target: &DeaData) -> Result<Vec<Malmquist>, DeaError> {
    let (n, m, s) = base.check()?;
    let (n2, m2, s2) = target.check()?;
    if (n2, m2, s2) != (n, m, s) {
        return Err(DeaError::TooSmall);
    }
    // One scale for both periods, so that the frontiers stay comparable.
    let pooled = DeaData {
        inputs: base.inputs.iter().chain(&target.inputs).cloned().collect(),
        outputs: base.outputs.iter().chain(&target.outputs).cloned().collect(),
    };
    let (_, mx, my) = pooled.normalised();
    let scale = |d: &DeaData| DeaData {
        inputs: d
            .inputs
            .iter()
            .map(|r| r.iter().zip(&mx).map(|(v, k)| v / k).collect())
            .collect(),
        outputs: d
            .outputs
            .iter()
            .map(|r| r.iter().zip(&my).map(|(v, k)| v / k).collect())
            .collect(),
    };
    let (b, t) = (scale(base), scale(target));
    (0..n)
        .map(|o| {
            let fail = |e: microlp::Error| DeaError::Solver {
                unit: o + 1,
                detail: format!("{e:?}"),
            };
            let d = |frontier: &DeaData, of: &DeaData| {
                radial_against(
                    frontier,
                    (of.inputs[o].as_slice(), of.outputs[o].as_slice()),
                    Model::Ccr,
                    Orientation::Input,
                    None,
                )
                .map(|(v, _)| v)
                .map_err(fail)
            };
            let (tt, uu, tu, ut) = (d(&b, &b)?, d(&t, &t)?, d(&b, &t)?, d(&t, &b)?);
            let index = ((tu / tt) * (uu / ut)).sqrt();
            let efficiency_change = uu / tt;
            Ok(Malmquist {
                index,
                efficiency_change,
                technical_change: index / efficiency_change,
                distances: [tt, uu, tu, ut],
            })
        })
        .collect()
}

/// The lambda variables of a programme (unit `skip` left out for super-efficiency).
fn lambdas(p: &mut Problem, n: usize, skip: Option<usize>) -> Vec<Option<Variable>> {
    (0..n)
        .map(|j| (Some(j) != skip).then(|| p.add_var(0.0, (0.0, f64::INFINITY))))
        .collect()
}

fn terms(vars: &[Option<Variable>], coeff: impl Fn(usize) -> f64) -> Vec<(Variable, f64)> {
    vars.iter()
        .enumerate()
        .filter_map(|(j, v)| v.map(|v| (v, coeff(j))))
        .collect()
}

/// First phase: the radial factor theta (input) or phi (output) of unit `o`.
fn phase_one(
    d: &DeaData,
    model: Model,
    orientation: Orientation,
    o: usize,
    exclude_self: bool,
) -> Result<f64, microlp::Error> {
    let (value, _) = radial_programme(d, model, orientation, o, exclude_self)?;
    Ok(value)
}

fn phase_one_lambdas(
    d: &DeaData,
    model: Model,
    orientation: Orientation,
    o: usize,
    _radial: f64,
) -> Vec<f64> {
    radial_programme(d, model, orientation, o, false)
        .map(|(_, l)| l)
        .unwrap_or_else(|_| vec![0.0; d.inputs.len()])
}

fn radial_programme(
    d: &DeaData,
    model: Model,
    orientation: Orientation,
    o: usize,
    exclude_self: bool,
) -> Result<(f64, Vec<f64>), microlp::Error> {
    let point = (d.inputs[o].as_slice(), d.outputs[o].as_slice());
    radial_against(d, point, model, orientation, exclude_self.then_some(o))
}

/// The radial factor of the point (x, y) against the frontier of the units of `d` (unit
/// `skip` left out), and the lambdas.
#[allow(clippy::needless_range_loop)] // one constraint per input and output, as the model reads The point need not be one of the units: against
/// another period's frontier it may lie beyond it (a factor above 1 on inputs).
fn radial_against(
    d: &DeaData,
    (x, y): (&[f64], &[f64]),
    model: Model,
    orientation: Orientation,
    skip: Option<usize>,
) -> Result<(f64, Vec<f64>), microlp::Error> {
    let n = d.inputs.len();
    let (m, s) = (d.inputs[0].len(), d.outputs[0].len());
    let direction = match orientation {
        Orientation::Input => OptimizationDirection::Minimize,
        Orientation::Output => OptimizationDirection::Maximize,
    };
    let mut p = Problem::new(direction);
    let radial = p.add_var(1.0, (0.0, f64::INFINITY));
    let l = lambdas(&mut p, n, skip);
    for i in 0..m {
        let mut t = terms(&l, |j| d.inputs[j][i]);
        match orientation {
            Orientation::Input => {
                t.push((radial, -x[i]));
                p.add_constraint(t.as_slice(), ComparisonOp::Le, 0.0);
            }
            Orientation::Output => p.add_constraint(t.as_slice(), ComparisonOp::Le, x[i]),
        }
    }
    for r in 0..s {
        let mut t = terms(&l, |j| d.outputs[j][r]);
        match orientation {
            Orientation::Input => p.add_constraint(t.as_slice(), ComparisonOp::Ge, y[r]),
            Orientation::Output => {
                t.push((radial, -y[r]));
                p.add_constraint(t.as_slice(), ComparisonOp::Ge, 0.0);
            }
        }
    }
    if model == Model::Bcc {
        p.add_constraint(terms(&l, |_| 1.0).as_slice(), ComparisonOp::Eq, 1.0);
    }
    let solution = p
        .solve()?
        .into_solution()
        .map_err(|_| microlp::Error::Infeasible)?;
    let value = solution.var_value(radial);
    let lambdas = l
        .iter()
        .map(|v| v.map_or(0.0, |v| solution.var_value(v)))
        .collect();
    Ok((value, lambdas))
}

/// Lambdas, input slacks and output slacks of a unit.
type SecondPhase = (Vec<f64>, Vec<f64>, Vec<f64>);

/// Second phase: with the radial factor fixed, the largest sum of slacks.
#[allow(clippy::needless_range_loop)] // one constraint per input and output, as the model reads
fn phase_two(
    d: &DeaData,
    model: Model,
    orientation: Orientation,
    o: usize,
    radial: f64,
) -> Result<SecondPhase, microlp::Error> {
    let n = d.inputs.len();
    let (m, s) = (d.inputs[0].len(), d.outputs[0].len());
    let mut p = Problem::new(OptimizationDirection::Maximize);
    let l = lambdas(&mut p, n, None);
    let sx: Vec<Variable> = (0..m).map(|_| p.add_var(1.0, (0.0, f64::INFINITY))).collect();
    let sy: Vec<Variable> = (0..s).map(|_| p.add_var(1.0, (0.0, f64::INFINITY))).collect();
    let (kx, ky) = match orientation {
        Orientation::Input => (radial, 1.0),
        Orientation::Output => (1.0, radial),
    };
    for i in 0..m {
        let mut t = terms(&l, |j| d.inputs[j][i]);
        t.push((sx[i], 1.0));
        // Within the solver's tolerance of the first phase's optimum.
        p.add_constraint(t.as_slice(), ComparisonOp::Le, kx * d.inputs[o][i] + TOL);
        let mut t = terms(&l, |j| d.inputs[j][i]);
        t.push((sx[i], 1.0));
        p.add_constraint(t.as_slice(), ComparisonOp::Ge, kx * d.inputs[o][i] - TOL);
    }
    for r in 0..s {
        let mut t = terms(&l, |j| d.outputs[j][r]);
        t.push((sy[r], -1.0));
        p.add_constraint(t.as_slice(), ComparisonOp::Le, ky * d.outputs[o][r] + TOL);
        let mut t = terms(&l, |j| d.outputs[j][r]);
        t.push((sy[r], -1.0));
        p.add_constraint(t.as_slice(), ComparisonOp::Ge, ky * d.outputs[o][r] - TOL);
    }
    if model == Model::Bcc {
        p.add_constraint(terms(&l, |_| 1.0).as_slice(), ComparisonOp::Eq, 1.0);
    }
    let solution = p
        .solve()?
        .into_solution()
        .map_err(|_| microlp::Error::Infeasible)?;
    let value = |v: &Variable| {
        let x = solution.var_value(*v);
        if x.abs() < 1e-9 { 0.0 } else { x }
    };
    Ok((
        l.iter().map(|v| v.as_ref().map_or(0.0, value)).collect(),
        sx.iter().map(value).collect(),
        sy.iter().map(value).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_by_one(units: &[(f64, f64)]) -> DeaData {
        DeaData {
            inputs: units.iter().map(|(x, _)| vec![*x]).collect(),
            outputs: units.iter().map(|(_, y)| vec![*y]).collect(),
        }
    }

    fn scores(r: &DeaResult) -> Vec<f64> {
        r.units.iter().map(|u| u.score).collect()
    }

    fn near(a: &[f64], b: &[f64]) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
    }

    #[test]
    fn one_input_one_output_worked_by_hand() {
        // (input, output): A (2, 2), B (4, 3), C (3, 1), D (5, 5). CCR: output per input
        // over the best (1): A 1, B 0.75, C 1/3, D 1, in both orientations.
        let d = one_by_one(&[(2.0, 2.0), (4.0, 3.0), (3.0, 1.0), (5.0, 5.0)]);
        for o in [Orientation::Input, Orientation::Output] {
            let r = analyse(&d, Model::Ccr, o, false).unwrap();
            assert!(
                near(&scores(&r), &[1.0, 0.75, 1.0 / 3.0, 1.0]),
                "{o:?} {:?}",
                scores(&r)
            );
        }
        // BCC, input: B's 3 outputs cost 3 inputs on the segment A-D (theta 3/4); C can do no
        // better than A, the smallest input (2/3).
        let r = analyse(&d, Model::Bcc, Orientation::Input, false).unwrap();
        assert!(
            near(&scores(&r), &[1.0, 0.75, 2.0 / 3.0, 1.0]),
            "{:?}",
            scores(&r)
        );
        // BCC, output: with 3 inputs, 2/3 A + 1/3 D make 3 outputs: C scores 1/3, and its
        // peers are A and D with those lambdas.
        let r = analyse(&d, Model::Bcc, Orientation::Output, false).unwrap();
        assert!((r.units[2].score - 1.0 / 3.0).abs() < 1e-6, "{:?}", r.units[2]);
        let peers = &r.units[2].peers;
        assert_eq!(
            peers.iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![0, 3],
            "{peers:?}"
        );
        assert!((peers[0].1 - 2.0 / 3.0).abs() < 1e-6 && (peers[1].1 - 1.0 / 3.0).abs() < 1e-6);
        assert!((r.units[2].output_targets[0] - 3.0).abs() < 1e-6);
    }

    #[test]
    fn a_radially_efficient_unit_with_slack_is_not_efficient() {
        // Two inputs, one output of 1 each. A uses (2, 2); B uses (4, 2): B cannot shrink
        // both inputs (theta = 1) but could do with 2 less of the first: slack 2, target
        // (2, 2), and it is not efficient.
        let d = DeaData {
            inputs: vec![vec![2.0, 2.0], vec![4.0, 2.0], vec![3.0, 6.0]],
            outputs: vec![vec![1.0], vec![1.0], vec![1.0]],
        };
        let r = analyse(&d, Model::Ccr, Orientation::Input, false).unwrap();
        let b = &r.units[1];
        assert!((b.score - 1.0).abs() < 1e-6, "{b:?}");
        assert!(
            (b.input_slacks[0] - 2.0).abs() < 1e-6 && b.input_slacks[1].abs() < 1e-6,
            "{b:?}"
        );
        assert!((b.input_targets[0] - 2.0).abs() < 1e-6 && (b.input_targets[1] - 2.0).abs() < 1e-6);
        assert!(!b.efficient && r.units[0].efficient);
        // C (3, 6): theta = 2/3 against A (2, 2): inputs (2, 4) radially, then 2 of slack
        // on the second input.
        let c = &r.units[2];
        assert!(
            (c.score - 2.0 / 3.0).abs() < 1e-6 && (c.input_slacks[1] - 2.0).abs() < 1e-6,
            "{c:?}"
        );
    }

    #[test]
    fn super_efficiency_ranks_the_efficient_and_may_be_infeasible() {
        // A (2, 3) is the best ratio (1.5) and D (5, 5) next (1): without A, D makes A's
        // output with 3 / 5 * 5 = 3 inputs: A's super-efficiency is 3 / 2 = 1.5.
        let d = one_by_one(&[(2.0, 3.0), (4.0, 3.0), (3.0, 1.0), (5.0, 5.0)]);
        let r = analyse(&d, Model::Ccr, Orientation::Input, true).unwrap();
        assert!(matches!(r.units[0].super_efficiency, Some(Super::Score(v)) if (v - 1.5).abs() < 1e-6));
        // BCC, input: nothing but D makes 5 outputs, so D left out is infeasible.
        let r = analyse(&d, Model::Bcc, Orientation::Input, true).unwrap();
        assert_eq!(r.units[3].super_efficiency, Some(Super::Infeasible));
    }

    #[test]
    fn bad_data_is_refused_with_the_unit_and_column() {
        let d = DeaData {
            inputs: vec![vec![1.0], vec![0.0]],
            outputs: vec![vec![1.0], vec![1.0]],
        };
        assert_eq!(
            analyse(&d, Model::Ccr, Orientation::Input, false),
            Err(DeaError::NotPositive {
                unit: 2,
                what: "input",
                col: 1,
                value: 0.0
            })
        );
        let r = analyse(
            &one_by_one(&[(1.0, 1.0), (2.0, 1.0)]),
            Model::Ccr,
            Orientation::Input,
            false,
        )
        .unwrap();
        assert_eq!(r.warnings.len(), 1, "2 units for 1 input and 1 output");
    }

    /// Pseudo-random positive data, the same every run.
    fn random_data(n: usize, m: usize, s: usize, seed: u64) -> DeaData {
        let mut state = seed;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            1.0 + ((state >> 33) % 1000) as f64 / 10.0
        };
        DeaData {
            inputs: (0..n).map(|_| (0..m).map(|_| next()).collect()).collect(),
            outputs: (0..n).map(|_| (0..s).map(|_| next()).collect()).collect(),
        }
    }

    /// The multiplier form, written independently of the envelopment form above: for unit
    /// o, max u.y_o (- u0 under BCC) with v.x_o = 1 and u.y_j - v.x_j (- u0) <= 0 for every
    /// unit. By duality its optimum is the input-oriented score.
    fn multiplier_score(d: &DeaData, o: usize, bcc: bool) -> f64 {
        let (m, s) = (d.inputs[0].len(), d.outputs[0].len());
        let mut p = Problem::new(OptimizationDirection::Maximize);
        let u: Vec<Variable> = (0..s)
            .map(|r| p.add_var(d.outputs[o][r], (0.0, f64::INFINITY)))
            .collect();
        let v: Vec<Variable> = (0..m).map(|_| p.add_var(0.0, (0.0, f64::INFINITY))).collect();
        let u0 = bcc.then(|| p.add_var(-1.0, (f64::NEG_INFINITY, f64::INFINITY)));
        let norm: Vec<(Variable, f64)> = (0..m).map(|i| (v[i], d.inputs[o][i])).collect();
        p.add_constraint(norm.as_slice(), ComparisonOp::Eq, 1.0);
        for j in 0..d.inputs.len() {
            let mut t: Vec<(Variable, f64)> = (0..s).map(|r| (u[r], d.outputs[j][r])).collect();
            t.extend((0..m).map(|i| (v[i], -d.inputs[j][i])));
            if let Some(u0) = u0 {
                t.push((u0, -1.0));
            }
            p.add_constraint(t.as_slice(), ComparisonOp::Le, 0.0);
        }
        p.solve().unwrap().into_solution().unwrap().objective()
    }

    #[test]
    fn envelopment_and_multiplier_forms_agree_and_the_scores_behave() {
        for seed in 1..=5 {
            let d = random_data(30, 3, 2, seed);
            let ccr = analyse(&d, Model::Ccr, Orientation::Input, false).unwrap();
            let bcc = analyse(&d, Model::Bcc, Orientation::Input, false).unwrap();
            for o in 0..30 {
                let (c, b) = (ccr.units[o].score, bcc.units[o].score);
                assert!(
                    (c - multiplier_score(&d, o, false)).abs() < 1e-6,
                    "seed {seed} unit {o} CCR"
                );
                assert!(
                    (b - multiplier_score(&d, o, true)).abs() < 1e-6,
                    "seed {seed} unit {o} BCC"
                );
                assert!(
                    c > 0.0 && c <= 1.0 + 1e-9 && c <= b + 1e-9,
                    "seed {seed} unit {o}: {c} {b}"
                );
            }
            assert!(
                ccr.units.iter().any(|u| (u.score - 1.0).abs() < 1e-6),
                "an efficient unit"
            );
            // CCR: the two orientations give the same score.
            let out = analyse(&d, Model::Ccr, Orientation::Output, false).unwrap();
            assert!(near(&scores(&ccr), &scores(&out)), "seed {seed}");
            // A column in other units (x 1000) changes nothing.
            let mut scaled = d.clone();
            scaled.inputs.iter_mut().for_each(|r| r[1] *= 1000.0);
            let again = analyse(&scaled, Model::Bcc, Orientation::Input, false).unwrap();
            assert!(near(&scores(&bcc), &scores(&again)), "seed {seed}");
            // A unit dominated by unit 0 (more of every input, less of every output)
            // changes no other score.
            let mut more = d.clone();
            more.inputs.push(d.inputs[0].iter().map(|x| x * 1.5).collect());
            more.outputs.push(d.outputs[0].iter().map(|y| y * 0.5).collect());
            let with = analyse(&more, Model::Bcc, Orientation::Input, false).unwrap();
            assert!(near(&scores(&bcc), &scores(&with)[..30]), "seed {seed}");
            assert!(with.units[30].score < 1.0);
        }
    }

    #[test]
    fn malmquist_worked_by_hand() {
        // One input, one output. Period t: A (1, 1), B (2, 1); period t+1: A (1, 2),
        // B (2, 1). The frontier's ratio doubles (1 to 2). A stays on it: D^t(t) = 1,
        // D^t+1(t+1) = 1, D^t(t+1) = 2 / 1 = 2, D^t+1(t) = 1 / 2: index 2 = EC 1 x TC 2.
        // B stands still while the frontier moves: D = 0.5, 0.25, 0.5, 0.25: index 1 =
        // EC 0.5 x TC 2.
        let base = one_by_one(&[(1.0, 1.0), (2.0, 1.0)]);
        let target = one_by_one(&[(1.0, 2.0), (2.0, 1.0)]);
        let r = malmquist(&base, &target).unwrap();
        let want = [(2.0, 1.0, 2.0), (1.0, 0.5, 2.0)];
        for (got, (index, ec, tc)) in r.iter().zip(want) {
            assert!((got.index - index).abs() < 1e-6, "{got:?}");
            assert!((got.efficiency_change - ec).abs() < 1e-6, "{got:?}");
            assert!((got.technical_change - tc).abs() < 1e-6, "{got:?}");
        }
        // Nothing changed: every part is 1.
        let same = malmquist(&base, &base).unwrap();
        assert!(
            same.iter()
                .all(|m| (m.index - 1.0).abs() < 1e-9 && (m.technical_change - 1.0).abs() < 1e-9)
        );
    }
}
