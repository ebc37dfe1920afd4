//! A slide drawn at any size: the sizes are those of a 1920 x 1080 screen, scaled to the
//! rectangle given, so the same slide reads on a projector, in the deck editor's preview and
//! in the presenter view. White, whatever the app's theme: slides are shown on a wall.

use std::collections::HashMap;

use egui::{Color32, Rect, RichText, TextureHandle, vec2};

use crate::presenter::deck::Slide;

/// The blue of the bulletins and slides.
const BLUE: Color32 = Color32::from_rgb(0x15, 0x65, 0xc0);
const INK: Color32 = Color32::from_rgb(0x1d, 0x1d, 0x1f);
const GREY: Color32 = Color32::from_rgb(0x6e, 0x6e, 0x73);

/// Charts drawn for slides, by (slide, language, masked, width in pixels).
#[derive(Default)]
pub struct Charts(HashMap<(usize, bool, bool, u32), Option<TextureHandle>>);

impl Charts {
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Draws slide `index` of a deck into `rect`; `masked` hides its personal data.
pub fn draw(
    ui: &mut egui::Ui,
    rect: Rect,
    slide: &Slide,
    index: usize,
    zh: bool,
    masked: bool,
    charts: &mut Charts,
) {
    let s = rect.width() / 1920.0;
    ui.painter().rect_filled(rect, 0.0, Color32::WHITE);
    let content = if masked {
        slide.content.masked()
    } else {
        slide.content.clone()
    };
    let inner = rect.shrink2(vec2(90.0 * s, 60.0 * s));
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(inner)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    let ui = &mut child;
    ui.style_mut().visuals.override_text_color = Some(INK);
    ui.set_clip_rect(rect.intersect(ui.clip_rect()));
    // Rows and gaps scale with the slide, not only the letters.
    ui.spacing_mut().item_spacing = vec2(12.0 * s, 10.0 * s);
    ui.spacing_mut().interact_size.y = 30.0 * s;
    ui.label(
        RichText::new(slide.title.pick(zh))
            .size(64.0 * s)
            .strong()
            .color(BLUE),
    );
    let as_of = slide
        .as_of
        .as_ref()
        .map(|d| format!(" · {} {d}", if zh { "数据截至" } else { "data as of" }))
        .unwrap_or_default();
    ui.label(
        RichText::new(format!("{}{as_of}", slide.scope.pick(zh)))
            .size(24.0 * s)
            .color(GREY),
    );
    ui.add_space(16.0 * s);
    let chart_width = (inner.width() * 0.46).round();
    let sentences = |ui: &mut egui::Ui| {
        for p in content.paragraphs.iter().take(4) {
            ui.label(RichText::new(p.pick(zh)).size(32.0 * s));
        }
    };
    let table = |ui: &mut egui::Ui| {
        let Some(t) = &content.table else { return };
        let right = t.numeric_columns(zh);
        // A wide table's letters shrink until its widest cells fit the slide (about half an
        // em a Latin letter, a full em a CJK one).
        let ems: f32 = (0..t.header.len())
            .map(|k| {
                t.rows
                    .iter()
                    .take(16)
                    .filter_map(|r| r.get(k))
                    .chain(t.header.get(k))
                    .map(|c| {
                        c.pick(zh)
                            .chars()
                            .map(|ch| if ch.is_ascii() { 0.55 } else { 1.0 })
                            .sum::<f32>()
                    })
                    .fold(0.0, f32::max)
                    + 1.0
            })
            .sum();
        let size = (24.0 * s).min(inner.width() / ems.max(1.0));
        egui::Grid::new(("slide_table", index, rect.width() as u32))
            .striped(true)
            .spacing([22.0 * s, 6.0 * s])
            .show(ui, |ui| {
                for h in &t.header {
                    ui.label(RichText::new(h.pick(zh)).size(size).strong());
                }
                ui.end_row();
                for row in t.rows.iter().take(16) {
                    for (k, c) in row.iter().enumerate() {
                        let text = RichText::new(c.pick(zh)).size(size);
                        if right.get(k).copied().unwrap_or(false) {
                            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                                ui.label(text)
                            });
                        } else {
                            ui.label(text);
                        }
                    }
                    ui.end_row();
                }
            });
    };
    match &content.chart {
        Some(chart) => {
            // The sentences on the left and the chart on the right, each in its own
            // rectangle; the table under both, the whole width.
            let top = ui.cursor().top();
            let chart_rect = Rect::from_min_size(
                egui::pos2(inner.right() - chart_width, top),
                vec2(
                    chart_width,
                    chart_width * crate::bulletins::chart::HEIGHT as f32
                        / crate::bulletins::chart::WIDTH as f32,
                ),
            );
            let left = Rect::from_min_max(
                egui::pos2(inner.left(), top),
                egui::pos2(chart_rect.left() - 40.0 * s, inner.bottom()),
            );
            let mut column = ui.new_child(
                egui::UiBuilder::new()
                    .max_rect(left)
                    .layout(egui::Layout::top_down(egui::Align::Min)),
            );
            sentences(&mut column);
            let below = column.min_rect().bottom().max(chart_rect.bottom()) + 16.0 * s;
            let key = (index, zh, masked, chart_width as u32);
            let texture = charts.0.entry(key).or_insert_with(|| {
                // Drawn at the size shown (at least the chart's own), so it stays sharp.
                let scale = (chart_width / crate::bulletins::chart::WIDTH as f32).max(1.0);
                crate::bulletins::chart::rgba(chart, zh, scale)
                    .ok()
                    .map(|(w, h, px)| {
                        ui.ctx().load_texture(
                            format!("slide-chart-{key:?}"),
                            egui::ColorImage::from_rgba_premultiplied([w as usize, h as usize], &px),
                            egui::TextureOptions::LINEAR,
                        )
                    })
            });
            if let Some(t) = texture {
                ui.put(
                    chart_rect,
                    egui::Image::new(&*t).fit_to_exact_size(chart_rect.size()),
                );
            }
            let rest = Rect::from_min_max(egui::pos2(inner.left(), below), inner.max);
            let mut under = ui.new_child(
                egui::UiBuilder::new()
                    .max_rect(rest)
                    .layout(egui::Layout::top_down(egui::Align::Min)),
            );
            table(&mut under);
        }
        None => {
            sentences(ui);
            ui.add_space(8.0 * s);
            table(ui);
        }
    }
    if !slide.caption.trim().is_empty() {
        let band = Rect::from_min_max(
            egui::pos2(rect.left(), rect.bottom() - 110.0 * s),
            egui::pos2(rect.right(), rect.bottom() - 40.0 * s),
        );
        ui.painter()
            .rect_filled(band, 0.0, Color32::from_rgb(0xf4, 0xf7, 0xfb));
        ui.painter().text(
            band.left_center() + vec2(90.0 * s, 0.0),
            egui::Align2::LEFT_CENTER,
            slide.caption.trim(),
            egui::FontId::proportional(30.0 * s),
            INK,
        );
    }
}
