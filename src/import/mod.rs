//! Getting extracts into a project: manifest folders (`folder`) and single files of one
//! table in CSV or Parquet (`file`), with encoding detection (`source`) and column
//! mapping (`mapping`).

pub mod excel;
pub mod file;
pub mod folder;
pub mod mapping;
pub mod peer_figures;
pub mod source;

pub use folder::{FolderReport, build_project, import_folder};
