//! The import page's preview: the column mapping, the rows as they will be stored, the
//! rows that will be rejected, the controls that commit, and the result.

use egui::{Color32, RichText};

use super::ImportPage;
use crate::import::file::{FileReport, Preview};
use crate::metrics::format::group_digits;
use crate::model;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::{Lang, t};
use crate::ui::page::{Command, Cx};

pub(super) fn mapping_editor(page: &mut ImportPage, cx: &mut Cx, ui: &mut egui::Ui, preview: &Preview) {
    let lang = cx.lang;
    let Some(table) = model::table(&preview.table) else {
        return;
    };
    ui.label(RichText::new(t(lang, "column_mapping")).size(17.0).strong());
    let mut mapping = page
        .opts
        .mapping
        .clone()
        .unwrap_or_else(|| preview.mapping.clone());
    let mut changed = false;
    egui::Grid::new("mapping_grid")
        .striped(true)
        .num_columns(4)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            ui.label(RichText::new(t(lang, "source_column")).strong());
            ui.label(RichText::new(t(lang, "field")).strong());
            ui.label(RichText::new(t(lang, "scale")).strong());
            ui.label(RichText::new(t(lang, "example_values")).strong());
            ui.end_row();
            for (i, col) in mapping.columns.iter_mut().enumerate() {
                ui.label(&col.source);
                let label = |f: &Option<String>| match f.as_deref().and_then(|f| table.column(f)) {
                    Some(c) => format!("{}{}", c.name, if c.required { " *" } else { "" }),
                    None => t(lang, "ignore_column").to_string(),
                };
                let before = col.field.clone();
                egui::ComboBox::from_id_salt(("map_field", i))
                    .selected_text(label(&col.field))
                    .width(200.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut col.field, None, t(lang, "ignore_column"));
                        for c in table.columns {
                            ui.selectable_value(
                                &mut col.field,
                                Some(c.name.to_string()),
                                label(&Some(c.name.to_string())),
                            )
                            .on_hover_text(c.description);
                        }
                    });
                let numeric = col
                    .field
                    .as_deref()
                    .and_then(|f| table.column(f))
                    .is_some_and(|c| matches!(c.ty, model::ColType::Real | model::ColType::Int));
                if numeric {
                    let mut scale = col.scale;
                    egui::ComboBox::from_id_salt(("map_scale", i))
                        .selected_text(format!("x {}", group_digits(scale as u64)))
                        .show_ui(ui, |ui| {
                            for s in [1.0, 1_000.0, 10_000.0] {
                                ui.selectable_value(&mut scale, s, format!("x {}", group_digits(s as u64)));
                            }
                        });
                    if scale != col.scale {
                        col.scale = scale;
                        changed = true;
                    }
                } else {
                    ui.label("");
                }
                let examples: Vec<&str> = preview
                    .raw_sample
                    .iter()
                    .filter_map(|r| r.get(i).map(String::as_str))
                    .collect();
                ui.label(RichText::new(examples.join(" · ")).weak());
                ui.end_row();
                changed |= before != col.field;
            }
        });
    if changed {
        // A field goes to one column at most: the last choice wins.
        page.opts.mapping = Some(mapping);
        page.stale = true;
    }
}

pub(super) fn sample(lang: Lang, ui: &mut egui::Ui, preview: &Preview) {
    let Some(table) = model::table(&preview.table) else {
        return;
    };
    ui.label(
        RichText::new(format!(
            "{} ({} {})",
            t(lang, "preview_rows"),
            group_digits(preview.rows),
            t(lang, "rows_in_file")
        ))
        .size(17.0)
        .strong(),
    );
    let shown: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| preview.mapping.source_of(c.name).is_some())
        .map(|(i, _)| i)
        .collect();
    egui::Grid::new("sample_grid")
        .striped(true)
        .spacing([12.0, 3.0])
        .show(ui, |ui| {
            for i in &shown {
                let c = &table.columns[*i];
                ui.label(RichText::new(c.name).strong()).on_hover_text(format!(
                    "{} · {}",
                    c.ty.sql(),
                    c.description
                ));
            }
            ui.end_row();
            for i in &shown {
                ui.label(RichText::new(table.columns[*i].ty.sql()).weak().small());
            }
            ui.end_row();
            for row in &preview.sample {
                for i in &shown {
                    ui.label(row.get(*i).map(String::as_str).unwrap_or(""));
                }
                ui.end_row();
            }
        });
}

pub(super) fn rejects_summary(
    lang: Lang,
    ui: &mut egui::Ui,
    rejects: &[crate::store::staging::Reject],
    rejected_rows: u64,
    rows: u64,
) {
    if rejects.is_empty() {
        ui.label(RichText::new(t(lang, "no_rejects")).color(Color32::from_rgb(40, 140, 70)));
        return;
    }
    ui.label(
        RichText::new(format!(
            "{}: {} / {}",
            t(lang, "rows_rejected"),
            group_digits(rejected_rows + rejects.iter().filter(|r| r.row_number.is_none()).count() as u64),
            group_digits(rows)
        ))
        .size(17.0)
        .strong()
        .color(Color32::from_rgb(200, 110, 20)),
    );
    let mut by_reason: Vec<(String, usize)> = Vec::new();
    for r in rejects {
        match by_reason.iter_mut().find(|(k, _)| *k == r.reason) {
            Some(e) => e.1 += 1,
            None => by_reason.push((r.reason.clone(), 1)),
        }
    }
    ui.horizontal_wrapped(|ui| {
        for (reason, n) in &by_reason {
            ui.label(RichText::new(format!("{}: {n}", reason_text(lang, reason))).monospace())
                .on_hover_text(reason);
        }
    });
    egui::ScrollArea::vertical()
        .id_salt("rejects_scroll")
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("rejects_grid")
                .striped(true)
                .spacing([12.0, 3.0])
                .show(ui, |ui| {
                    for key in ["col_row", "col_column", "col_value", "col_reason", "col_detail"] {
                        ui.label(RichText::new(t(lang, key)).strong());
                    }
                    ui.end_row();
                    for r in rejects.iter().take(500) {
                        ui.label(r.row_number.map(|n| n.to_string()).unwrap_or_default());
                        ui.label(r.column.as_deref().unwrap_or(""));
                        ui.label(r.value.as_deref().unwrap_or(""));
                        ui.label(reason_text(lang, &r.reason)).on_hover_text(&r.reason);
                        ui.label(&r.detail);
                        ui.end_row();
                    }
                });
        });
}

/// Why a row was rejected, in the UI's language (the core's code when it is a new one).
fn reason_text(lang: Lang, reason: &str) -> String {
    let key = match reason {
        "bad_number" => "reject_bad_number",
        "bad_bool" => "reject_bad_bool",
        "bad_date" => "reject_bad_date",
        "unknown_code" => "reject_unknown_code",
        "negative" => "reject_negative",
        "future_date" => "reject_future_date",
        "missing_required" => "reject_missing_required",
        "unknown_reference" => "reject_unknown_reference",
        "malformed_line" => "reject_malformed_line",
        "duplicate_key" => "reject_duplicate_key",
        other => return other.to_string(),
    };
    t(lang, key).to_string()
}

pub(super) fn commit_controls(page: &mut ImportPage, cx: &mut Cx, ui: &mut egui::Ui, preview: &Preview) {
    let lang = cx.lang;
    if !preview.overlapping.is_empty() {
        let months: Vec<String> = preview
            .overlapping
            .iter()
            .map(|(m, n)| format!("{} ({})", m.format("%Y-%m"), group_digits(*n)))
            .collect();
        ui.colored_label(
            Color32::from_rgb(200, 110, 20),
            format!("{} {}", t(lang, "months_already_there"), months.join(", ")),
        );
        if ui
            .checkbox(&mut page.opts.replace_period, t(lang, "replace_months"))
            .changed()
        {
            page.stale = true;
        }
    }
    ui.checkbox(&mut page.opts.all_or_nothing, t(lang, "all_or_nothing"));
    ui.horizontal(|ui| {
        ui.label(t(lang, "save_profile_as"));
        ui.text_edit_singleline(&mut page.save_as);
    });
    ui.add_space(6.0);
    let ready = page.ready() && cx.jobs().is_empty();
    if ui
        .add_enabled(
            ready,
            egui::Button::new(RichText::new(t(lang, "import_now")).strong())
                .min_size(egui::vec2(160.0, 30.0)),
        )
        .clicked()
    {
        page.import_now(cx);
    }
}

pub(super) fn result(page: &mut ImportPage, cx: &mut Cx, ui: &mut egui::Ui, report: &FileReport) {
    let lang = cx.lang;
    ui.label(
        RichText::new(format!(
            "{} {} / {} · {} {} · {:.1} s",
            t(lang, "stored_rows"),
            group_digits(report.rows_stored),
            group_digits(report.rows_in),
            t(lang, "rows_rejected"),
            group_digits(report.rows_rejected),
            report.seconds
        ))
        .size(18.0)
        .strong(),
    );
    if !report.replaced_months.is_empty() {
        let months: Vec<String> = report
            .replaced_months
            .iter()
            .map(|m| m.format("%Y-%m").to_string())
            .collect();
        ui.label(format!("{} {}", t(lang, "replaced_months"), months.join(", ")));
    }
    if !report.rejects.is_empty() {
        if ui.button(t(lang, "export_rejects")).clicked() {
            cx.send(Command::Ask(Purpose::ExportRejects));
        }
        let rejects: Vec<_> = report.rejects.iter().map(|r| r.reject.clone()).collect();
        rejects_summary(lang, ui, &rejects, report.rows_rejected, report.rows_in);
    }
    if ui.button(t(lang, "import_more")).clicked() {
        page.set_files(Vec::new());
    }
}
