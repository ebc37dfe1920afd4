//! Indicators of marketing and service (DOMAIN section 3; docs/metrics.md): what each one
//! is, and its value for a period and an org unit. No UI here: the app's pages and
//! `mams kpi` show the same numbers.

pub mod benchmark;
pub mod bulletin;
pub mod change;
pub mod efficiency;
pub mod evaluate;
pub mod format;
pub mod indicators;
pub mod kpi;
pub mod market;
pub mod period;
pub mod reliability;
pub mod service;
