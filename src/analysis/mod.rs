//! Index-related factor analysis: explaining the change of an indicator between two
//! periods (or the gap between a unit and its benchmark) by its factors and sub-groups.
//! The improvement-effect models of the risk module (interrupted time series, difference in
//! differences) live here too. Pure arithmetic, no egui and no DuckDB.

pub mod decompose;
pub mod did;
pub mod effect;
pub mod its;
pub mod ols;
pub mod table_input;
