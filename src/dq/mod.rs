//! Data quality: assessment, analysis, rectification and early warning of the marketing
//! data. The checks are data (`checks.rs`, `assets/dq/`); a run evaluates them table by
//! table in shared scans (`compile.rs`, `run.rs`) and stores counts per check, unit and
//! month; scores and grades are weighted pass rates of those counts (`scores.rs`); failing
//! checks become worklist items per unit (`worklist.rs`); each run raises its warnings
//! (`warnings.rs`).

pub mod checks;
pub mod compile;
pub mod docs;
pub mod profile;
pub mod report;
pub mod run;
pub mod scores;
pub mod validators;
pub mod warnings;
pub mod worklist;
