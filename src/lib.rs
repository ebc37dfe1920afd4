//! MAMS, the Marketing Audit & Monitoring Studio.
//!
//! The headless core (store, data model, code lists, sample generator, import, worker)
//! knows nothing of egui and is used by the CLI and the tests as much as by the app;
//! `ui` is the desktop app, a thin layer over it.

pub mod analysis;
pub mod audit;
pub mod cli;
pub mod codes;
pub mod geo;
pub mod import;
pub mod manifest;
pub mod metrics;
pub mod model;
pub mod paths;
pub mod progress;
pub mod sample;
pub mod store;
pub mod table_file;
pub mod ui;
pub mod worker;
