//! The left half of the Risk page: the 5 x 5 matrix with the unit's risk points placed on it,
//! the risks that rose this month, and the heat map of the units below by risk point.

use egui::{Align2, Color32, FontId, RichText, Sense, Stroke, vec2};

use super::{RiskPage, level_color, level_name};
use crate::risk::levels::thresholds;
use crate::risk::report::Overview;
use crate::ui::page::{Command, Cx};
use crate::ui::widgets::data_buttons;

const CELL: f32 = 58.0;

fn point_name(cx: &Cx, d: &Overview, id: &str) -> String {
    d.points
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.name(cx.lang == crate::ui::i18n::Lang::Zh).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The matrix: likelihood up, impact across; each cell in its level's colour with the number
/// of the unit's points in it. Hover names them; a click narrows the table to them.
pub fn matrix(page: &mut RiskPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    let t = thresholds();
    ui.vertical(|ui| {
        ui.label(RichText::new(cx.t("risk_matrix")).strong().size(16.0));
        let label_w = 18.0;
        let (rect, _) = ui.allocate_exact_size(vec2(label_w + 5.0 * CELL, 5.0 * CELL + 34.0), Sense::hover());
        let painter = ui.painter_at(rect);
        let text_color = ui.visuals().text_color();
        for l in 1..=5u8 {
            for i in 1..=5u8 {
                let x = rect.left() + label_w + (i - 1) as f32 * CELL;
                let y = rect.top() + (5 - l) as f32 * CELL;
                let cell = egui::Rect::from_min_size(egui::pos2(x, y), vec2(CELL - 2.0, CELL - 2.0));
                let level = t.level(l, i);
                let here: Vec<&str> = d
                    .levels
                    .iter()
                    .filter(|r| r.likelihood == l && r.impact == i)
                    .map(|r| r.risk_id.as_str())
                    .collect();
                let chosen = page.cell == Some((l, i));
                let fill = level_color(level).gamma_multiply(if here.is_empty() { 0.35 } else { 0.9 });
                painter.rect_filled(cell, 4.0, fill);
                if chosen {
                    painter.rect_stroke(cell, 4.0, Stroke::new(3.0, text_color), egui::StrokeKind::Inside);
                }
                if !here.is_empty() {
                    painter.text(
                        cell.center(),
                        Align2::CENTER_CENTER,
                        here.len().to_string(),
                        FontId::proportional(22.0),
                        Color32::WHITE,
                    );
                }
                let resp = ui.interact(cell, ui.scope_id().with(("risk_cell", l, i)), Sense::click());
                let resp = if here.is_empty() {
                    resp
                } else {
                    let names: Vec<String> = here.iter().map(|id| point_name(cx, d, id)).collect();
                    resp.on_hover_text(format!(
                        "{} {l} · {} {i} · {}\n{}",
                        cx.t("risk_likelihood"),
                        cx.t("risk_impact"),
                        level_name(cx, level),
                        names.join("\n")
                    ))
                };
                if resp.clicked() {
                    page.cell = if chosen { None } else { Some((l, i)) };
                }
            }
            painter.text(
                egui::pos2(rect.left() + 6.0, rect.top() + (5 - l) as f32 * CELL + CELL / 2.0),
                Align2::CENTER_CENTER,
                l.to_string(),
                FontId::proportional(13.0),
                text_color,
            );
        }
        for i in 1..=5u8 {
            painter.text(
                egui::pos2(
                    rect.left() + label_w + (i - 1) as f32 * CELL + CELL / 2.0,
                    rect.top() + 5.0 * CELL + 8.0,
                ),
                Align2::CENTER_CENTER,
                i.to_string(),
                FontId::proportional(13.0),
                text_color,
            );
        }
        painter.text(
            egui::pos2(rect.left() + label_w + 2.5 * CELL, rect.top() + 5.0 * CELL + 26.0),
            Align2::CENTER_CENTER,
            format!("{} →", cx.t("risk_impact")),
            FontId::proportional(13.0),
            text_color,
        );
        ui.label(RichText::new(format!("↑ {}", cx.t("risk_likelihood"))).small());
        if page.cell.is_some() && ui.button(format!("{} ×", cx.t("risk_all_points"))).clicked() {
            page.cell = None;
        }
    });
}

/// The risks that rose against the month before, in the unit and the units below; a click
/// follows one to its unit.
pub fn risen(page: &mut RiskPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    ui.label(RichText::new(cx.t("risk_risen")).strong().size(16.0));
    if d.risen.is_empty() {
        ui.label(RichText::new(cx.t("risk_none_risen")).weak());
        return;
    }
    ui.label(
        RichText::new(format!("{} · {}", d.risen.len(), cx.t("risk_risen_help")))
            .weak()
            .small(),
    );
    egui::ScrollArea::vertical()
        .id_salt("risk_risen")
        .max_height(5.0 * CELL)
        .max_width(ui.available_width())
        .show(ui, |ui| {
            for (r, before) in d.risen.iter().take(60) {
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        RichText::new(level_name(cx, *before))
                            .color(level_color(*before))
                            .small(),
                    );
                    ui.label(RichText::new("→").small());
                    ui.label(
                        RichText::new(level_name(cx, r.level))
                            .color(level_color(r.level))
                            .strong()
                            .small(),
                    );
                    let text = format!("{} · {}", point_name(cx, d, &r.risk_id), cx.unit_name(&r.unit_id));
                    if ui.link(text).on_hover_text(&r.risk_id).clicked() {
                        page.choose(&r.risk_id);
                        if r.unit_id != d.unit {
                            cx.send(Command::SetUnit(r.unit_id.clone()));
                        }
                    }
                });
            }
        });
}

/// Risk points (rows) by unit (columns: this unit, then the units below), each cell in its
/// level's colour. A click on a row chooses the point; on a unit's cell, goes to that unit.
pub fn heat(page: &mut RiskPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    ui.label(RichText::new(cx.t("risk_heat")).strong().size(16.0));
    let mut below: Vec<String> = d.below.iter().map(|l| l.unit_id.clone()).collect();
    below.sort();
    below.dedup();
    let mut rows: Vec<&crate::store::risks::LevelRow> = d
        .levels
        .iter()
        .filter(|r| page.cell.is_none_or(|(l, i)| r.likelihood == l && r.impact == i))
        .collect();
    rows.sort_by(|a, b| {
        (b.level, b.likelihood, b.impact)
            .cmp(&(a.level, a.likelihood, a.impact))
            .then(a.risk_id.cmp(&b.risk_id))
    });
    let level_of = |unit: &str, risk: &str| d.below.iter().find(|l| l.unit_id == unit && l.risk_id == risk);
    let cell_w = 44.0;
    let mut table: Vec<Vec<String>> = Vec::new();
    egui::Grid::new("risk_heat")
        .striped(true)
        .spacing(vec2(3.0, 3.0))
        .show(ui, |ui| {
            ui.strong(cx.t("risk_point"));
            let short = |name: &str| -> String {
                if name.is_ascii() {
                    name.split_whitespace()
                        .next()
                        .unwrap_or(name)
                        .chars()
                        .take(8)
                        .collect()
                } else {
                    name.chars().take(4).collect()
                }
            };
            let own = cx.unit_name(&d.unit);
            ui.label(RichText::new(short(&own)).strong().small())
                .on_hover_text(&own);
            for u in &below {
                let name = cx.unit_name(u);
                let short = short(&name);
                if ui
                    .add(egui::Label::new(RichText::new(short).small()).sense(Sense::click()))
                    .on_hover_text(&name)
                    .clicked()
                {
                    cx.send(Command::SetUnit(u.clone()));
                }
            }
            ui.end_row();
            for r in rows {
                let chosen = page.point.as_deref() == Some(r.risk_id.as_str());
                let name = point_name(cx, d, &r.risk_id);
                let mut label = RichText::new(&name);
                if chosen {
                    label = label.strong().underline();
                }
                if ui
                    .add(egui::Label::new(label).sense(Sense::click()))
                    .on_hover_text(&r.risk_id)
                    .clicked()
                {
                    page.choose(&r.risk_id);
                }
                let mut line = vec![r.risk_id.clone(), name, level_name(cx, r.level)];
                if level_cell(ui, cx, r, cell_w).clicked() {
                    page.choose(&r.risk_id);
                }
                for u in &below {
                    match level_of(u, &r.risk_id) {
                        Some(l) => {
                            line.push(level_name(cx, l.level));
                            if level_cell(ui, cx, l, cell_w).clicked() {
                                page.choose(&r.risk_id);
                                cx.send(Command::SetUnit(u.clone()));
                            }
                        }
                        None => {
                            line.push(String::new());
                            ui.label("");
                        }
                    }
                }
                table.push(line);
                ui.end_row();
            }
        });
    let mut header = vec!["risk_id".to_string(), "name".into(), d.unit.clone()];
    header.extend(below);
    data_buttons(ui, cx, &header, &table);
}

/// One coloured cell: the likelihood x impact, its level on hover.
fn level_cell(ui: &mut egui::Ui, cx: &Cx, r: &crate::store::risks::LevelRow, w: f32) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(vec2(w, 18.0), Sense::click());
    ui.painter().rect_filled(rect, 3.0, level_color(r.level));
    ui.painter().text(
        rect.center(),
        Align2::CENTER_CENTER,
        format!(
            "{}{}×{}",
            if r.provisional { "≈" } else { "" },
            r.likelihood,
            r.impact
        ),
        FontId::proportional(11.0),
        Color32::WHITE,
    );
    resp.on_hover_text(format!(
        "{}{} · {} {} · {} {}\n{} {} · {} {}",
        if r.provisional {
            format!("{}\n", cx.t("risk_provisional"))
        } else {
            String::new()
        },
        level_name(cx, r.level),
        cx.t("risk_likelihood"),
        r.likelihood,
        cx.t("risk_impact"),
        r.impact,
        cx.t("risk_suspects"),
        r.suspects,
        cx.t("risk_amount"),
        crate::metrics::format::group_digits(r.amount.max(0.0).round() as u64)
    ))
}
