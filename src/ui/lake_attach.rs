//! File > Attach a lake slice: the unit and the months of a lake a new project reads in place
//! (`crate::lake::attach`, as `mams lake attach` does). The lake's outline is read off the UI
//! thread first; this window only chooses. Where the project is saved is asked next.

use chrono::{Months, NaiveDate};
use egui::RichText;

use super::i18n::{Lang, t};
use crate::lake::attach::{Outline, Slice};
use crate::metrics::format::group_digits;
use crate::store::queries::OrgUnit;

/// The window's state: the lake and the slice chosen so far.
pub struct LakeAttach {
    pub outline: Outline,
    /// The unit whose subtree is read (None: the whole tree).
    pub unit: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What the user did in the window this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    None,
    /// Attach: ask where to save the project.
    Attach,
    Cancel,
}

impl LakeAttach {
    /// The lake's last twelve months (or all it holds) of its whole tree.
    pub fn new(outline: Outline) -> Self {
        let (first, last) = outline.months;
        let from = (last - Months::new(11)).max(first);
        LakeAttach {
            outline,
            unit: None,
            from,
            to: last,
        }
    }

    /// The slice chosen.
    pub fn slice(&self) -> Slice {
        Slice {
            unit: self.unit.clone(),
            from: Some(self.from),
            to: Some(self.to),
        }
    }

    /// A file name for the new project: the unit and the months.
    pub fn suggested_name(&self) -> String {
        let unit = self.unit.as_deref().unwrap_or("lake");
        format!(
            "{unit}-{}-{}.duckdb",
            self.from.format("%Y-%m"),
            self.to.format("%Y-%m")
        )
    }

    pub fn show(&mut self, ctx: &egui::Context, lang: Lang, busy: bool) -> Action {
        let mut action = Action::None;
        let mut open = true;
        let LakeAttach {
            outline: o,
            unit,
            from,
            to,
        } = self;
        egui::Window::new(t(lang, "lake_attach_title"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                egui::Grid::new("lake_attach_grid")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        ui.label(t(lang, "lake_attach_folder"));
                        ui.label(RichText::new(o.dir.display().to_string()).monospace());
                        ui.end_row();
                        ui.label("");
                        let holds = t(lang, "lake_attach_holds")
                            .replace("{customers}", &group_digits(o.customers))
                            .replace("{bills}", &group_digits(o.bills))
                            .replace("{first}", &o.months.0.format("%Y-%m").to_string())
                            .replace("{last}", &o.months.1.format("%Y-%m").to_string())
                            .replace("{exported}", &o.exported_at.format("%Y-%m-%d %H:%M").to_string());
                        ui.label(RichText::new(holds).weak());
                        ui.end_row();

                        ui.label(t(lang, "lake_attach_unit"));
                        egui::ComboBox::from_id_salt("lake_attach_unit")
                            .selected_text(unit_label(o, lang, unit.as_deref()))
                            .width(320.0)
                            .height(420.0)
                            .show_ui(ui, |ui| {
                                ui.selectable_value(unit, None, t(lang, "lake_attach_whole"));
                                for (u, depth) in super::org::depth_first(&o.units) {
                                    let label = format!("{}{}", "    ".repeat(depth), named(u, lang));
                                    ui.selectable_value(unit, Some(u.unit_id.clone()), label);
                                }
                            });
                        ui.end_row();

                        let months: Vec<NaiveDate> =
                            std::iter::successors(Some(o.months.0), |m| Some(*m + Months::new(1)))
                                .take_while(|m| *m <= o.months.1)
                                .collect();
                        for (key, month) in [("lake_attach_from", &mut *from), ("lake_attach_to", &mut *to)] {
                            ui.label(t(lang, key));
                            egui::ComboBox::from_id_salt(key)
                                .selected_text(month.format("%Y-%m").to_string())
                                .width(120.0)
                                .show_ui(ui, |ui| {
                                    for m in months.iter().rev() {
                                        ui.selectable_value(month, *m, m.format("%Y-%m").to_string());
                                    }
                                });
                            ui.end_row();
                        }
                    });
                ui.add_space(6.0);
                let ordered = *from <= *to;
                if !ordered {
                    ui.colored_label(ui.visuals().error_fg_color, t(lang, "lake_attach_order"));
                }
                ui.label(RichText::new(t(lang, "lake_attach_note")).small().weak());
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(ordered && !busy, egui::Button::new(t(lang, "lake_attach_go")))
                        .clicked()
                    {
                        action = Action::Attach;
                    }
                    if ui.button(t(lang, "cancel")).clicked() {
                        action = Action::Cancel;
                    }
                });
            });
        if !open {
            action = Action::Cancel;
        }
        action
    }
}

/// The unit chosen as the list shows it (None: the whole tree).
fn unit_label(o: &Outline, lang: Lang, id: Option<&str>) -> String {
    match id {
        None => t(lang, "lake_attach_whole").to_string(),
        Some(id) => match o.units.iter().find(|u| u.unit_id == id) {
            Some(u) => named(u, lang),
            None => id.to_string(),
        },
    }
}

/// A unit's name in the app's language, and its id.
fn named(u: &OrgUnit, lang: Lang) -> String {
    let name = match lang {
        Lang::En if !u.name_en.is_empty() => &u.name_en,
        _ => &u.name_zh,
    };
    format!("{name} ({})", u.unit_id)
}
