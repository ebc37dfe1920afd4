//! Evaluation of units under an index system (the system as data, its weights by AHP,
//! entropy, CRITIC or their blend, scores by the efficacy coefficient, min-max or TOPSIS,
//! totals, grades and ranks) and the efficiency of units by DEA and Malmquist. Pure
//! arithmetic, no egui and no DuckDB (running it over a project: `metrics::evaluate`,
//! `metrics::benchmark`, `metrics::efficiency`); the formulas and their sources are in
//! docs/evaluation.md.

pub mod ahp;
pub mod dea;
pub mod evaluate;
pub mod scoring;
pub mod system;
pub mod weights;
