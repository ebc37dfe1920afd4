//! The worklist tab: the items of the unit (a failing check in a unit) with their state,
//! owner and due date; an item moves along open -> assigned -> fixed, or is waived or called
//! a false positive, with a note; MAMS verifies it when a later run finds its rows passing.
//! Its trail is shown below. The unit's worklist is written as XLSX for the source system.

use chrono::NaiveDate;
use egui::RichText;

use super::QualityPage;
use crate::dq::worklist::{Change, Status};
use crate::store::dq::TrailEntry;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::Lang;
use crate::ui::jobs;
use crate::ui::page::{Command, Cx};
use crate::ui::widgets::data_buttons;

#[derive(Default)]
pub struct WorklistState {
    pub selected: Option<String>,
    pub owner: String,
    pub due: String,
    pub note: String,
    /// Show the verified, waived and false-positive items too.
    pub all: bool,
    pub trail: Option<(String, Result<Vec<TrailEntry>, String>)>,
    asked_trail: Option<String>,
}

impl WorklistState {
    /// The item's trail changed: read it again.
    pub fn forget(&mut self) {
        self.trail = None;
        self.asked_trail = None;
    }

    pub fn refresh(&mut self, cx: &mut Cx) {
        let Some(key) = self.selected.clone() else { return };
        let have = self.trail.as_ref().is_some_and(|(k, _)| *k == key);
        if !have && self.asked_trail.as_deref() != Some(key.as_str()) {
            self.asked_trail = Some(key.clone());
            cx.spawn("job_quality", jobs::quality_trail(key));
        }
    }
}

pub fn show(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx) {
    let Some(d) = page.data.shown(ui) else { return };
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let w = &mut page.worklist;
    ui.horizontal(|ui| {
        ui.checkbox(&mut w.all, cx.t("quality_show_closed"));
        if ui
            .button(cx.t("quality_export_worklist"))
            .on_hover_text(cx.t("quality_export_worklist_help"))
            .clicked()
        {
            let unit = cx.unit_id.clone().unwrap_or_default();
            cx.send(Command::Ask(Purpose::SaveWorklist(format!(
                "worklist-{unit}.xlsx"
            ))));
        }
    });
    let items: Vec<_> = d
        .items
        .iter()
        .filter(|i| w.all || Status::parse(&i.status).is_some_and(|s| s.is_active()))
        .collect();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| {
            vec![
                i.item_key.clone(),
                i.unit.clone().unwrap_or_default(),
                i.status.clone(),
                i.failing.to_string(),
                i.owner.clone().unwrap_or_default(),
                i.due_on.map(|x| x.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &["item", "unit_id", "status", "failing", "owner", "due_on"].map(String::from),
        &rows,
    );
    if items.is_empty() {
        ui.label(RichText::new(cx.t("quality_worklist_empty")).weak());
    }
    ui.horizontal_top(|ui| {
        let width = ui.available_width();
        ui.vertical(|ui| {
            ui.set_width((width * 0.6).max(520.0));
            egui::ScrollArea::vertical()
                .id_salt("quality_items")
                .show(ui, |ui| {
                    egui::Grid::new("quality_items_grid")
                        .striped(true)
                        .spacing([10.0, 4.0])
                        .show(ui, |ui| {
                            for key in [
                                "quality_check",
                                "audit_unit",
                                "quality_state",
                                "quality_failing",
                                "quality_owner",
                                "quality_due",
                            ] {
                                ui.strong(cx.t(key));
                            }
                            ui.end_row();
                            for i in &items {
                                let name = d
                                    .lib
                                    .iter()
                                    .find(|b| b.check.id == i.check_id)
                                    .map(|b| b.check.name(zh).to_string())
                                    .unwrap_or_else(|| i.check_id.clone());
                                let on = w.selected.as_deref() == Some(i.item_key.as_str());
                                if ui.selectable_label(on, name).on_hover_text(&i.item_key).clicked() {
                                    w.selected = Some(i.item_key.clone());
                                    w.owner = i.owner.clone().unwrap_or_default();
                                    w.due = i.due_on.map(|x| x.to_string()).unwrap_or_default();
                                    w.note.clear();
                                    w.trail = None;
                                }
                                ui.label(
                                    i.unit
                                        .as_deref()
                                        .map(|u| cx.unit_name(u))
                                        .unwrap_or_else(|| cx.t("quality_no_unit").into()),
                                );
                                let status = Status::parse(&i.status);
                                ui.label(status.map(|s| s.name(zh)).unwrap_or(&i.status));
                                ui.label(crate::metrics::format::group_digits(i.failing));
                                ui.label(i.owner.as_deref().unwrap_or(""));
                                ui.label(i.due_on.map(|x| x.to_string()).unwrap_or_default());
                                ui.end_row();
                            }
                        });
                });
        });
        ui.separator();
        ui.vertical(|ui| {
            let Some(item) = w
                .selected
                .as_ref()
                .and_then(|k| d.items.iter().find(|i| &i.item_key == k))
            else {
                ui.label(RichText::new(cx.t("quality_pick_item")).weak());
                return;
            };
            let status = Status::parse(&item.status).unwrap_or(Status::Open);
            let check_name = d
                .lib
                .iter()
                .find(|b| b.check.id == item.check_id)
                .map(|b| b.check.name(zh).to_string())
                .unwrap_or_else(|| item.check_id.clone());
            let unit_name = item
                .unit
                .as_deref()
                .map(|u| cx.unit_name(u))
                .unwrap_or_else(|| cx.t("quality_no_unit").into());
            ui.label(
                RichText::new(format!("{check_name} · {unit_name}"))
                    .strong()
                    .size(16.0),
            )
            .on_hover_text(&item.item_key);
            ui.label(format!("{}: {}", cx.t("quality_state"), status.name(zh)));
            egui::Grid::new("quality_item_form").show(ui, |ui| {
                ui.label(cx.t("quality_owner"));
                ui.add(egui::TextEdit::singleline(&mut w.owner).desired_width(260.0));
                ui.end_row();
                ui.label(cx.t("quality_due"));
                ui.add(
                    egui::TextEdit::singleline(&mut w.due)
                        .hint_text("YYYY-MM-DD")
                        .desired_width(260.0),
                );
                ui.end_row();
                ui.label(cx.t("quality_note"));
                ui.add(
                    egui::TextEdit::multiline(&mut w.note)
                        .desired_width(260.0)
                        .desired_rows(3),
                );
                ui.end_row();
            });
            let due = NaiveDate::parse_from_str(w.due.trim(), "%Y-%m-%d").ok();
            let bad_due = !w.due.trim().is_empty() && due.is_none();
            if bad_due {
                ui.colored_label(ui.visuals().error_fg_color, cx.t("quality_bad_date"));
            }
            ui.horizontal_wrapped(|ui| {
                let change = |to: Option<Status>| Change {
                    to,
                    owner: Some(w.owner.trim().to_string()).filter(|s| !s.is_empty()),
                    due_on: due,
                    note: Some(w.note.trim().to_string()).filter(|s| !s.is_empty()),
                };
                if ui
                    .add_enabled(!bad_due, egui::Button::new(cx.t("quality_save")))
                    .clicked()
                {
                    cx.spawn(
                        "job_quality",
                        jobs::quality_item(item.item_key.clone(), change(None)),
                    );
                }
                for next in status.next() {
                    if ui
                        .add_enabled(!bad_due, egui::Button::new(format!("→ {}", next.name(zh))))
                        .clicked()
                    {
                        cx.spawn(
                            "job_quality",
                            jobs::quality_item(item.item_key.clone(), change(Some(*next))),
                        );
                    }
                }
            });
            if status == Status::Fixed {
                ui.label(RichText::new(cx.t("quality_fixed_help")).weak().small());
            }
            ui.add_space(8.0);
            ui.label(RichText::new(cx.t("quality_trail")).strong());
            match &w.trail {
                Some((k, Ok(entries))) if *k == item.item_key => {
                    egui::Grid::new("quality_trail_grid")
                        .striped(true)
                        .show(ui, |ui| {
                            for e in entries {
                                ui.label(e.changed_at.format("%Y-%m-%d %H:%M").to_string());
                                ui.label(&e.actor);
                                let to = Status::parse(&e.to_status)
                                    .map(|s| s.name(zh))
                                    .unwrap_or(&e.to_status);
                                ui.label(to);
                                ui.label(e.note.as_deref().unwrap_or(""));
                                ui.end_row();
                            }
                        });
                }
                Some((_, Err(e))) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                _ => {
                    ui.spinner();
                }
            }
        });
    });
}
