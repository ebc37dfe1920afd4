//! Getting extracts into a project.

pub mod folder;

pub use folder::{FolderReport, build_project, import_folder};
