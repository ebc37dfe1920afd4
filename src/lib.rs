//! MAMS, the Marketing Audit & Monitoring Studio.
//!
//! The headless core (store, data model, code lists, sample generator, import, worker)
//! knows nothing of egui and is used by the CLI and the tests as much as by the app;
//! `ui` is the desktop app, a thin layer over it.

pub mod account;
pub mod analysis;
pub mod audit;
pub mod bulletins;
pub mod cli;
pub mod codes;
pub mod dq;
pub mod errors;
pub mod evaluation;
pub mod fonts;
pub mod geo;
pub mod geometry;
pub mod handheld;
pub mod import;
pub mod lake;
pub mod logs;
pub mod manifest;
pub mod metrics;
pub mod model;
pub mod paths;
pub mod presenter;
pub mod privacy;
pub mod progress;
pub mod risk;
pub mod sample;
pub mod store;
pub mod table_file;
pub mod text;
pub mod ui;
pub mod version;
pub mod worker;

#[cfg(test)]
mod tests {
    /// Every `.rs` file under `src/` with its path relative to `src/`.
    fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src/");
                let rel = path.to_string_lossy().trim_start_matches(root).to_string();
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }

    #[test]
    fn only_the_command_line_uses_the_command_line_and_the_core_knows_no_egui() {
        let mut all = Vec::new();
        sources(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
            &mut all,
        );
        assert!(all.len() > 50, "{} files", all.len());
        // (This file names what it looks for.)
        for (file, text) in all.iter().filter(|(f, _)| f != "lib.rs") {
            if !file.starts_with("cli/") && file != "main.rs" {
                assert!(
                    !text.contains("crate::cli"),
                    "{file} uses the command line's code"
                );
            }
            // The headless core: everything but the app (and the worker it drives).
            if !file.starts_with("ui/") {
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(
                    !code.contains("egui::") && !code.contains("use egui"),
                    "{file} uses egui"
                );
            }
        }
    }

    /// The layers of the core, lowest first: a module uses none of the modules it is
    /// listed with (outside its tests), so that there are no cycles between them.
    #[test]
    fn the_core_is_layered_without_cycles() {
        const NOT_USED_BY: &[(&str, &[&str])] = &[
            (
                "geometry/",
                &["store", "geo", "import", "metrics", "audit", "sample"],
            ),
            (
                "analysis/",
                &["store", "geo", "import", "metrics", "audit", "sample", "risk"],
            ),
            (
                "evaluation/",
                &["store", "geo", "import", "metrics", "audit", "sample"],
            ),
            (
                "model/",
                &["store", "geo", "import", "metrics", "audit", "sample"],
            ),
            (
                "store/",
                &["geo", "import", "metrics", "audit", "sample", "analysis", "risk"],
            ),
            ("risk/", &["geo", "sample", "import", "bulletins"]),
            ("import/", &["geo", "audit", "sample"]),
            ("metrics/", &["geo", "import", "audit", "sample"]),
            ("audit/", &["geo", "sample"]),
            ("text.rs", &["store", "manifest", "import", "errors"]),
            ("errors.rs", &["import", "geo", "metrics", "audit", "sample"]),
        ];
        let mut all = Vec::new();
        sources(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
            &mut all,
        );
        for (file, text) in &all {
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (dir, forbidden) in NOT_USED_BY {
                if !file.starts_with(dir) {
                    continue;
                }
                for m in *forbidden {
                    assert!(
                        !code.contains(&format!("crate::{m}::")),
                        "{file} uses {m}, a layer above it"
                    );
                }
            }
        }
    }
}
