//! A bulletin open for review: its sections as they will read (sentences, charts, tables),
//! a commentary box under each while it is not published, and what can be done with it:
//! keep the draft, export it (PDF, DOCX or HTML, in English or Chinese), publish it.

use std::collections::HashMap;

use egui::{Color32, RichText, TextureHandle};

use crate::bulletins::document::Document;
use crate::bulletins::publish::Format;
use crate::ui::dialogs::Purpose;
use crate::ui::jobs;
use crate::ui::page::{Command, Cx};
use crate::ui::theme::accent;

pub struct Review {
    pub doc: Document,
    /// Its id once published (it is then read-only).
    pub published: Option<i64>,
    /// Commentary changed since the draft was kept.
    pub dirty: bool,
    /// The language it is shown, exported and published in.
    pub zh: bool,
    pub format: Format,
    /// Charts drawn for the preview, by (section, language).
    charts: HashMap<(usize, bool), Option<TextureHandle>>,
}

impl Review {
    pub fn new(doc: Document, published: Option<i64>, zh: bool) -> Review {
        Review {
            doc,
            published,
            dirty: false,
            zh,
            format: Format::Pdf,
            charts: HashMap::new(),
        }
    }
}

/// Draws the review; true when it is closed.
pub fn show(rv: &mut Review, ui: &mut egui::Ui, cx: &mut Cx, busy: &mut Option<u64>) -> bool {
    let mut close = false;
    let zh = rv.zh;
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        if ui.button(format!("← {}", cx.t("cadence_back"))).clicked() {
            close = true;
        }
        ui.separator();
        ui.selectable_value(&mut rv.zh, false, "English");
        ui.selectable_value(&mut rv.zh, true, "中文");
        ui.separator();
        for f in Format::ALL {
            ui.selectable_value(&mut rv.format, f, f.ext().to_uppercase());
        }
        if ui.button(cx.t("cadence_export")).clicked() {
            let name = format!(
                "{}-{}-{}.{}",
                rv.doc.kind,
                rv.doc.unit_id,
                rv.doc.period_label,
                rv.format.ext()
            );
            cx.send(Command::Ask(Purpose::ExportBulletin(name)));
        }
        if rv.published.is_none() {
            ui.separator();
            if ui
                .add_enabled(rv.dirty, egui::Button::new(cx.t("cadence_save_draft")))
                .clicked()
            {
                cx.spawn("job_bulletin_save", jobs::save_bulletin_draft(rv.doc.clone()));
            }
            let publish = egui::Button::new(RichText::new(cx.t("cadence_publish")).strong())
                .fill(accent(dark).gamma_multiply(0.35));
            if ui
                .add_enabled(busy.is_none(), publish)
                .on_hover_text(cx.t("cadence_publish_hint"))
                .clicked()
            {
                *busy = Some(cx.spawn(
                    "job_bulletin_publish",
                    jobs::publish_bulletin(rv.doc.clone(), rv.format, rv.zh),
                ));
            }
        }
    });
    ui.separator();
    let doc = &mut rv.doc;
    egui::ScrollArea::vertical()
        .id_salt("bulletin_review")
        .show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.label(RichText::new(doc.company.pick(zh)).weak());
                ui.label(RichText::new(doc.title.pick(zh)).size(26.0).strong());
                ui.label(&doc.number);
                let as_of = doc
                    .as_of
                    .as_ref()
                    .map(|d| format!(" · {} {d}", if zh { "数据截至" } else { "data as of" }))
                    .unwrap_or_default();
                ui.label(format!("{} · {}{as_of}", doc.unit.pick(zh), doc.period.pick(zh)));
                if let Some(id) = rv.published {
                    ui.colored_label(
                        Color32::from_rgb(46, 160, 67),
                        format!("{} {id}", cx.t("cadence_published_as")),
                    );
                }
            });
            ui.add_space(8.0);
            for (i, s) in doc.sections.iter_mut().enumerate() {
                ui.add_space(10.0);
                ui.label(
                    RichText::new(format!("{}. {}", i + 1, s.title.pick(zh)))
                        .size(18.0)
                        .strong()
                        .color(accent(dark)),
                );
                for p in &s.paragraphs {
                    ui.label(p.pick(zh));
                }
                if let Some(chart) = &s.chart {
                    let texture = rv.charts.entry((i, zh)).or_insert_with(|| {
                        crate::bulletins::chart::rgba(chart, zh, 1.0)
                            .ok()
                            .map(|(w, h, px)| {
                                ui.ctx().load_texture(
                                    format!("bulletin-chart-{i}-{zh}"),
                                    egui::ColorImage::from_rgba_premultiplied([w as usize, h as usize], &px),
                                    egui::TextureOptions::LINEAR,
                                )
                            })
                    });
                    if let Some(t) = texture {
                        ui.add(egui::Image::new(&*t).max_width(640.0));
                    }
                }
                if let Some(t) = &s.table {
                    let right = t.numeric_columns(zh);
                    egui::Grid::new(("bulletin_table", i))
                        .striped(true)
                        .spacing([14.0, 4.0])
                        .show(ui, |ui| {
                            for h in &t.header {
                                ui.label(RichText::new(h.pick(zh)).strong());
                            }
                            ui.end_row();
                            for row in &t.rows {
                                for (k, c) in row.iter().enumerate() {
                                    if right.get(k).copied().unwrap_or(false) {
                                        ui.with_layout(
                                            egui::Layout::right_to_left(egui::Align::Center),
                                            |ui| {
                                                ui.label(c.pick(zh));
                                            },
                                        );
                                    } else {
                                        ui.label(c.pick(zh));
                                    }
                                }
                                ui.end_row();
                            }
                        });
                }
                if rv.published.is_none() {
                    let mut text = s.commentary.clone().unwrap_or_default();
                    let edit = egui::TextEdit::multiline(&mut text)
                        .hint_text(cx.t("cadence_commentary_hint"))
                        .desired_rows(2)
                        .desired_width(f32::INFINITY);
                    if ui.add(edit).changed() {
                        let t = text.trim();
                        s.commentary = (!t.is_empty()).then(|| text.clone());
                        rv.dirty = true;
                    }
                } else if let Some(c) = &s.commentary {
                    ui.label(RichText::new(format!("{} {c}", cx.t("cadence_commentary"))).italics());
                }
            }
        });
    close
}
