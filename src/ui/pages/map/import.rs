//! The GeoJSON import form: boundaries of org units, or a point layer matched to units or
//! customers by a property the user picks from those the file has.

use std::path::PathBuf;

use egui::RichText;

use super::MapPage;
use crate::store::map::MatchTo;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::t;
use crate::ui::jobs::{self, GeoTarget};
use crate::ui::page::{Command, Cx};

/// What a GeoJSON file holds: features and property names, or why it does not read.
pub type FileInfo = Result<(usize, Vec<String>), String>;

#[derive(Debug, Clone, PartialEq)]
pub struct GeoImportForm {
    pub path: String,
    pub boundaries: bool,
    /// What the file holds (features, property names), once read, for this path.
    pub info: Option<(PathBuf, FileInfo)>,
    pub property: String,
    pub layer: String,
    pub match_to: MatchTo,
    pub result: Option<Result<String, String>>,
    pub running: bool,
}

impl Default for GeoImportForm {
    fn default() -> Self {
        GeoImportForm {
            path: String::new(),
            boundaries: true,
            info: None,
            property: String::new(),
            layer: String::new(),
            match_to: MatchTo::Nothing,
            result: None,
            running: false,
        }
    }
}

impl GeoImportForm {
    /// What the chosen file holds arrived: a property that looks like a code or a name is
    /// preselected.
    pub fn file_read(&mut self, path: PathBuf, info: FileInfo) {
        if let Ok((_, keys)) = &info
            && !keys.contains(&self.property)
        {
            self.property = keys
                .iter()
                .find(|k| {
                    let k = k.to_lowercase();
                    ["code", "id", "dm", "编码", "name", "名称"]
                        .iter()
                        .any(|c| k.contains(c))
                })
                .or(keys.first())
                .cloned()
                .unwrap_or_default();
        }
        self.info = Some((path, info));
    }
}

impl MapPage {
    /// A GeoJSON file was chosen: read what it holds.
    pub fn geojson_chosen(&mut self, cx: &mut Cx, path: PathBuf) {
        let form = self.import.get_or_insert_with(Default::default);
        form.path = path.display().to_string();
        if form.layer.is_empty() {
            form.layer = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        form.info = None;
        form.result = None;
        cx.spawn("job_map_file", jobs::map_file(path));
    }
}

pub fn window(page: &mut MapPage, cx: &mut Cx, ctx: &egui::Context) {
    let lang = cx.lang;
    let Some(mut form) = page.import.clone() else {
        return;
    };
    let mut open = true;
    let mut read: Option<PathBuf> = None;
    let mut import: Option<GeoTarget> = None;
    let mut browse = false;
    egui::Window::new(t(lang, "map_import_title"))
        .open(&mut open)
        .collapsible(false)
        .default_width(460.0)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label(t(lang, "map_import_file"));
                let edit = ui.add(egui::TextEdit::singleline(&mut form.path).desired_width(260.0));
                if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                    read = Some(PathBuf::from(form.path.trim()));
                }
                if ui.button(t(lang, "map_import_browse")).clicked() {
                    browse = true;
                }
                if ui.button(t(lang, "map_import_read")).clicked() {
                    read = Some(PathBuf::from(form.path.trim()));
                }
            });
            let props = match &form.info {
                Some((p, Ok((n, keys)))) if p.display().to_string() == form.path.trim() => {
                    ui.label(format!("{n} {} · {}", t(lang, "map_features"), keys.join(", ")));
                    Some(keys.clone())
                }
                Some((_, Err(e))) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                    None
                }
                _ => None,
            };
            ui.separator();
            ui.horizontal(|ui| {
                ui.radio_value(&mut form.boundaries, true, t(lang, "map_import_boundaries"));
                ui.radio_value(&mut form.boundaries, false, t(lang, "map_import_layer"));
            });
            if !form.boundaries {
                ui.horizontal(|ui| {
                    ui.label(t(lang, "map_layer_name"));
                    ui.text_edit_singleline(&mut form.layer);
                });
                ui.horizontal(|ui| {
                    ui.label(t(lang, "map_match_to"));
                    for (m, key) in [
                        (MatchTo::Nothing, "map_match_nothing"),
                        (MatchTo::Units, "map_match_units"),
                        (MatchTo::Customers, "map_match_customers"),
                    ] {
                        ui.radio_value(&mut form.match_to, m, t(lang, key));
                    }
                });
            }
            let needs_property = form.boundaries || form.match_to != MatchTo::Nothing;
            if needs_property {
                ui.horizontal(|ui| {
                    ui.label(t(
                        lang,
                        if form.boundaries {
                            "map_match_property_unit"
                        } else {
                            "map_match_property"
                        },
                    ));
                    egui::ComboBox::from_id_salt("geo_property")
                        .selected_text(form.property.clone())
                        .show_ui(ui, |ui| {
                            for k in props.iter().flatten() {
                                ui.selectable_value(&mut form.property, k.clone(), k);
                            }
                        });
                });
            }
            let ready = props.is_some()
                && !form.running
                && (!needs_property || !form.property.is_empty())
                && (form.boundaries || !form.layer.trim().is_empty());
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(ready, egui::Button::new(t(lang, "map_import_go")))
                    .clicked()
                {
                    import = Some(if form.boundaries {
                        GeoTarget::Boundaries {
                            property: form.property.clone(),
                        }
                    } else {
                        GeoTarget::Layer {
                            name: form.layer.trim().to_string(),
                            property: needs_property.then(|| form.property.clone()),
                            to: form.match_to,
                        }
                    });
                }
                if form.running {
                    ui.spinner();
                }
            });
            ui.label(RichText::new(t(lang, "map_import_safe")).weak().small());
            match &form.result {
                Some(Ok(text)) => {
                    ui.colored_label(egui::Color32::from_rgb(0, 150, 90), text);
                }
                Some(Err(e)) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                None => {}
            }
        });
    if browse {
        cx.send(Command::Ask(Purpose::MapGeoJson));
    }
    if let Some(path) = read {
        form.info = None;
        form.result = None;
        cx.spawn("job_map_file", jobs::map_file(path));
    }
    if let Some(target) = import {
        form.running = true;
        form.result = None;
        cx.spawn(
            "job_map_import",
            jobs::map_import(PathBuf::from(form.path.trim()), target),
        );
    }
    page.import = open.then_some(form);
}
