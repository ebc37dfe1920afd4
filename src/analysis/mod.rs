//! Index-related factor analysis: explaining the change of an indicator between two
//! periods (or the gap between a unit and its benchmark) by its factors and sub-groups.
//! Pure arithmetic, no egui and no DuckDB.

pub mod decompose;
pub mod table_input;
