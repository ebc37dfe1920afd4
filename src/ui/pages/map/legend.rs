//! The map's legend: what each colour and shape means for the layers shown.

use egui::{Align2, Color32, Rect, RichText, Stroke, pos2, vec2};

use super::{MapPage, canvas, ind_name, ind_unit};
use crate::geo::classify::{self};
use crate::geo::scene::Scene;
use crate::metrics::format;
use crate::metrics::indicators::indicator;
use crate::ui::i18n::{Lang, t};
use crate::ui::page::Cx;
use crate::ui::widgets::code_label;

/// One entry of the legend: a swatch (shape, colour) and its text, or a heading.
pub(super) enum LegendItem {
    Heading(String),
    Entry(Swatch, Color32, String),
}

#[derive(Clone, Copy)]
pub(super) enum Swatch {
    Square,
    Circle,
    Diamond,
    Triangle,
    Line,
    Dashed,
}

pub(super) fn legend_items(page: &MapPage, cx: &Cx, scene: &Scene, edges: &[f64]) -> Vec<LegendItem> {
    use LegendItem::*;
    let lang = cx.lang;
    let l = &page.layers;
    let mut items = Vec::new();
    if let Some(ind) = page.indicator {
        items.push(Heading(format!(
            "{} ({})",
            ind_name(lang, ind),
            ind_unit(lang, ind)
        )));
        let decimals = indicator(ind).map(|i| i.decimals).unwrap_or(1);
        let palette = classify::palette(edges.len().saturating_sub(1).max(1));
        for (k, w) in edges.windows(2).enumerate() {
            let [r, g, b] = palette[k.min(palette.len() - 1)];
            items.push(Entry(
                Swatch::Square,
                Color32::from_rgb(r, g, b),
                format!(
                    "{} – {}",
                    format::number(w[0], decimals),
                    format::number(w[1], decimals)
                ),
            ));
        }
        if scene.values_of(ind).iter().any(|(_, v)| v.is_none()) {
            items.push(Entry(
                Swatch::Square,
                Color32::from_gray(190),
                t(lang, "no_data").to_string(),
            ));
        }
    }
    let code = |list: &str, c: &str| code_label(lang, list, c);
    if l.halls && !scene.halls.is_empty() {
        items.push(Heading(t(lang, "map_halls").to_string()));
        for k in ["service_hall", "supply_station", "repair_base"] {
            items.push(Entry(
                Swatch::Square,
                canvas::hall_colour(k),
                code("point_type", k),
            ));
        }
    }
    if l.key_customers && !scene.key_customers.is_empty() {
        items.push(Heading(format!(
            "{} · {}",
            t(lang, "map_key_customers"),
            t(lang, "map_sized_kwh")
        )));
        if l.key_by_suspects {
            items.push(Entry(
                Swatch::Circle,
                canvas::PURPLE,
                t(lang, "map_has_suspects").to_string(),
            ));
            items.push(Entry(
                Swatch::Circle,
                canvas::GREY,
                t(lang, "map_no_suspects").to_string(),
            ));
        } else {
            items.push(Entry(
                Swatch::Circle,
                canvas::VERMILLION,
                t(lang, "map_trend_down").to_string(),
            ));
            items.push(Entry(
                Swatch::Circle,
                canvas::GREY,
                t(lang, "map_trend_flat").to_string(),
            ));
            items.push(Entry(
                Swatch::Circle,
                canvas::BLUE,
                t(lang, "map_trend_up").to_string(),
            ));
        }
    }
    if l.vehicles && !scene.track.is_empty() {
        items.push(Heading(format!(
            "{} · {}",
            t(lang, "map_vehicles"),
            page.vehicles_at(scene).format("%Y-%m-%d %H:%M")
        )));
        for s in ["idle", "en_route", "on_site", "returning"] {
            items.push(Entry(
                Swatch::Triangle,
                canvas::vehicle_colour(s),
                code("vehicle_status", s),
            ));
        }
    }
    if l.orderly && !scene.plans.is_empty() {
        items.push(Heading(t(lang, "map_orderly").to_string()));
        for s in ["I", "II", "III", "IV"] {
            items.push(Entry(
                Swatch::Diamond,
                canvas::plan_colour(s),
                code("plan_level", s),
            ));
        }
    }
    if l.outages {
        if let Some(m) = cx.period {
            items.push(Heading(format!(
                "{} · {}",
                t(lang, "map_outages"),
                page.outages_at(m).format("%Y-%m-%d %H:%M")
            )));
        }
        items.push(Entry(
            Swatch::Line,
            canvas::VERMILLION,
            t(lang, "map_unplanned").to_string(),
        ));
        items.push(Entry(
            Swatch::Dashed,
            canvas::BLUE,
            t(lang, "map_planned").to_string(),
        ));
    }
    if l.suspects && !scene.suspects.is_empty() {
        items.push(Heading(t(lang, "map_suspects").to_string()));
        if l.suspects_density {
            items.push(Entry(
                Swatch::Circle,
                canvas::VERMILLION,
                t(lang, "map_density_help").to_string(),
            ));
        } else {
            for c in crate::audit::rules::Category::ALL {
                items.push(Entry(
                    Swatch::Circle,
                    canvas::category_colour(Some(c)),
                    c.name(lang == Lang::Zh).to_string(),
                ));
            }
        }
    }
    if l.customers {
        items.push(Heading(t(lang, "map_all_customers").to_string()));
        items.push(Entry(
            Swatch::Circle,
            Color32::from_rgb(120, 94, 240),
            t(lang, "map_cluster_help").to_string(),
        ));
    }
    items
}

pub(super) fn legend_area(ui: &egui::Ui, rect: Rect, items: &[LegendItem]) {
    if items.is_empty() || !rect.is_positive() {
        return;
    }
    egui::Area::new(egui::Id::unique("map_legend"))
        .order(egui::Order::Middle)
        .pivot(Align2::LEFT_BOTTOM)
        .fixed_pos(rect.left_bottom() + vec2(10.0, -10.0))
        .constrain_to(rect)
        .interactable(false)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(240.0);
                for item in items {
                    match item {
                        LegendItem::Heading(h) => {
                            ui.label(RichText::new(h).strong().small());
                        }
                        LegendItem::Entry(shape, colour, text) => {
                            ui.horizontal(|ui| {
                                let (r, _) = ui.allocate_exact_size(vec2(14.0, 12.0), egui::Sense::hover());
                                let p = ui.painter();
                                let c = r.center();
                                match shape {
                                    Swatch::Square => {
                                        p.rect_filled(r.shrink(1.0), 1.0, *colour);
                                    }
                                    Swatch::Circle => {
                                        p.circle_filled(c, 5.0, *colour);
                                    }
                                    Swatch::Diamond => {
                                        p.add(egui::Shape::convex_polygon(
                                            vec![
                                                c + vec2(0.0, -5.0),
                                                c + vec2(5.0, 0.0),
                                                c + vec2(0.0, 5.0),
                                                c + vec2(-5.0, 0.0),
                                            ],
                                            *colour,
                                            Stroke::NONE,
                                        ));
                                    }
                                    Swatch::Triangle => {
                                        p.add(egui::Shape::convex_polygon(
                                            vec![
                                                c + vec2(0.0, -5.0),
                                                c + vec2(5.0, 4.0),
                                                c + vec2(-5.0, 4.0),
                                            ],
                                            *colour,
                                            Stroke::NONE,
                                        ));
                                    }
                                    Swatch::Line => {
                                        p.line_segment(
                                            [pos2(r.left(), c.y), pos2(r.right(), c.y)],
                                            Stroke::new(2.5, *colour),
                                        );
                                    }
                                    Swatch::Dashed => {
                                        p.extend(egui::Shape::dashed_line(
                                            &[pos2(r.left(), c.y), pos2(r.right(), c.y)],
                                            Stroke::new(2.5, *colour),
                                            4.0,
                                            2.0,
                                        ));
                                    }
                                }
                                ui.label(RichText::new(text).small());
                            });
                        }
                    }
                }
            });
        });
}
