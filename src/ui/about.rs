//! Help > About: what this build is (version, commit, DuckDB) and the licences of everything
//! it bundles: the Rust crates (collected by cargo-about, assets/licenses/third-party.txt)
//! and the fonts (assets/licenses/fonts.txt). Each licence folds, so the window opens at once
//! however long the texts are.

use egui::RichText;

use super::i18n::{Lang, t};

const CRATES: &str = include_str!("../../assets/licenses/third-party.txt");
const FONTS: &str = include_str!("../../assets/licenses/fonts.txt");

/// One licence of the bundled text: its heading ("MIT License (MIT)"), who uses it and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Licence<'a> {
    pub heading: &'a str,
    pub used_by: &'a str,
    pub text: &'a str,
}

const RULE: &str = "================================================================================";
const THIN: &str = "--------------------------------------------------------------------------------";

/// The licences of a collected file: sections between rules of '=', each a heading line, a
/// "Used by:" line, a rule of '-', then the text.
pub fn licences(text: &str) -> Vec<Licence<'_>> {
    text.split(RULE)
        .skip(1)
        .filter_map(|section| {
            let section = section.trim_start_matches(['\r', '\n']);
            let (head, body) = section.split_once(THIN)?;
            let mut lines = head.lines();
            let heading = lines.next()?.trim();
            let used_by = lines
                .find_map(|l| l.strip_prefix("Used by: "))
                .unwrap_or("")
                .trim();
            Some(Licence {
                heading,
                used_by,
                text: body.trim_matches(['\r', '\n']),
            })
        })
        .collect()
}

/// The window, while `open`.
pub fn show(ctx: &egui::Context, lang: Lang, open: &mut bool) {
    egui::Window::new(t(lang, "about_title"))
        .open(open)
        .default_size([720.0, 560.0])
        .collapsible(false)
        .show(ctx, |ui| {
            ui.heading(RichText::new("MAMS").strong());
            ui.label(t(lang, "about_tagline"));
            ui.add_space(6.0);
            egui::Grid::new("about_build").num_columns(2).show(ui, |ui| {
                ui.label(t(lang, "about_version"));
                ui.label(RichText::new(env!("CARGO_PKG_VERSION")).monospace());
                ui.end_row();
                ui.label(t(lang, "about_commit"));
                ui.label(RichText::new(env!("MAMS_COMMIT")).monospace());
                ui.end_row();
                ui.label("DuckDB");
                ui.label(RichText::new(crate::version::duckdb_version()).monospace());
                ui.end_row();
                ui.label(t(lang, "about_licence"));
                ui.label(env!("CARGO_PKG_LICENSE"));
                ui.end_row();
            });
            if ui.small_button(t(lang, "about_copy")).clicked() {
                ui.ctx().copy_text(format!("MAMS {}", crate::version::line()));
            }
            ui.separator();
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    ui.label(RichText::new(t(lang, "about_fonts")).strong());
                    font_list(ui);
                    ui.add_space(8.0);
                    ui.label(RichText::new(t(lang, "about_crates")).strong());
                    licence_list(ui, "crates", CRATES, lang);
                });
        });
}

/// The crates' licences, one fold per licence (its variants of text inside, each with the
/// crates that carry it): "Apache License 2.0 (Apache-2.0) · 95 crates".
fn licence_list(ui: &mut egui::Ui, salt: &str, text: &str, lang: Lang) {
    let all = licences(text);
    let mut headings: Vec<&str> = all.iter().map(|l| l.heading).collect();
    headings.dedup();
    for (i, heading) in headings.iter().enumerate() {
        let variants: Vec<&Licence> = all.iter().filter(|l| l.heading == *heading).collect();
        let crates: usize = variants
            .iter()
            .map(|l| l.used_by.split(", ").filter(|s| !s.is_empty()).count())
            .sum();
        egui::CollapsingHeader::new(format!("{heading} · {crates} {}", t(lang, "about_crate_count")))
            .id_salt((salt, i))
            .show(ui, |ui| {
                for l in variants {
                    ui.label(RichText::new(l.used_by).small().strong());
                    ui.add_space(2.0);
                    ui.label(RichText::new(l.text).monospace().small());
                    ui.separator();
                }
            });
    }
}

/// The fonts' licences, one fold per font.
fn font_list(ui: &mut egui::Ui) {
    for (i, l) in licences(FONTS).iter().enumerate() {
        let font = l.used_by.split(" (").next().unwrap_or(l.used_by);
        egui::CollapsingHeader::new(format!("{font} · {}", l.heading))
            .id_salt(("fonts", i))
            .show(ui, |ui| {
                ui.label(RichText::new(l.used_by).small().strong());
                ui.add_space(2.0);
                ui.label(RichText::new(l.text).monospace().small());
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_licence_files_parse_and_name_what_ships() {
        let crates = licences(CRATES);
        assert!(crates.len() >= 5, "{} licences", crates.len());
        let users: String = crates.iter().map(|l| l.used_by).collect::<Vec<_>>().join(", ");
        // Crates the binary certainly carries, by name and with the version Cargo.lock holds.
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
        for name in [
            "duckdb",
            "egui",
            "eframe",
            "walkers",
            "rust_xlsxwriter",
            "typst",
            "calamine",
            "statrs",
        ] {
            let block = lock
                .split("[[package]]")
                .find(|b| b.contains(&format!("name = \"{name}\"\n")))
                .unwrap_or_else(|| panic!("{name} not in Cargo.lock"));
            let version = block
                .lines()
                .find_map(|l| l.strip_prefix("version = \""))
                .unwrap()
                .trim_end_matches('"');
            assert!(
                users.contains(&format!("{name} {version}")),
                "{name} {version} missing: run installer/licenses/collect.sh"
            );
        }
        assert!(crates.iter().all(|l| !l.text.is_empty()));
        let fonts = licences(FONTS);
        assert!(
            fonts
                .iter()
                .any(|l| l.heading.contains("OFL") && l.used_by.contains("Noto Sans CJK SC"))
        );
        assert!(
            fonts
                .iter()
                .any(|l| l.text.contains("SIL OPEN FONT LICENSE Version 1.1"))
        );
    }
}
