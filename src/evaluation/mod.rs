//! Evaluation of units under an index system: weights of the indicators (AHP, entropy,
//! CRITIC and their blend) and scores (efficacy coefficient, min-max, TOPSIS). Pure
//! arithmetic, no egui and no DuckDB; the formulas and their sources are in
//! docs/evaluation.md.

pub mod ahp;
pub mod scoring;
pub mod weights;
