//! Marketing risk points: a register of recurring weaknesses linked to the audit rules, data
//! quality checks and indicators that measure them (`register`), a dynamic level per org
//! unit and month (`levels`, computed by `compute`), the measures taken against a risk in a
//! unit with their trail (`measures`), and the evaluation of a measure's improvement effect
//! against comparable units (`evaluate`, with the models of `crate::analysis`). No egui.

pub mod compute;
pub mod evaluate;
pub mod levels;
pub mod measures;
pub mod register;
pub mod report;
