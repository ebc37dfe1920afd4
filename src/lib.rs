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
}
