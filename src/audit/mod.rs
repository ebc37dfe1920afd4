//! Marketing audit: the rule library (rules are data under `assets/rules/`), running rules
//! into suspects, and the sentences that explain them. No egui here: the CLI, the tests and
//! the app all use it.

pub mod cases;
pub mod chain;
pub mod docs;
pub mod explain;
pub mod portable;
pub mod rules;
pub mod run;
pub mod triage;
pub mod why;
