//! Evaluation of units under an index system: weights of the indicators (AHP, entropy,
//! CRITIC and their blend), scores (efficacy coefficient, min-max, TOPSIS) and the
//! efficiency of units by DEA. Pure
//! arithmetic, no egui and no DuckDB; the formulas and their sources are in
//! docs/evaluation.md.

pub mod ahp;
pub mod dea;
pub mod evaluate;
pub mod scoring;
pub mod system;
pub mod weights;
