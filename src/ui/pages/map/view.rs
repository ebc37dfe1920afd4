//! The map itself: the basemap, the drawn layers, hovering, clicking, box selection and
//! the overlays (scale bar, legend).

use std::sync::Arc;

use egui::{Align2, Color32, DragPanButtons, FontId, Rect, Stroke, vec2};
use walkers::lon_lat;

use super::canvas::{Frame, Picked};
use super::detail::describe_short;
use super::legend::{legend_area, legend_items};
use super::tiles::BasemapChoice;
use super::{MapPage, canvas, choropleth, shed_per_unit};
use crate::geo::mercator::{self, View, from_world, to_world};
use crate::geo::scene::Scene;
use crate::metrics::format;
use crate::metrics::indicators::indicator;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs;
use crate::ui::page::Cx;

pub(super) fn map_view(page: &mut MapPage, cx: &mut Cx, ui: &mut egui::Ui, scene: &Arc<Scene>) {
    let lang = cx.lang;
    let Some(month) = cx.period else { return };
    // Fit the view to the unit when the scope moved (or on request).
    let scope_key = (scene.unit_id.clone(), scene.month);
    if page.fitted.as_ref() != Some(&scope_key) {
        page.fitted = Some(scope_key);
        page.fly_to = scene
            .unit(&scene.unit_id)
            .and_then(|u| u.shape.area.as_ref()?.bbox());
    }
    let size = ui.available_size();
    if let Some(b) = page.fly_to.take() {
        let z = mercator::fit_zoom(b, [size.x as f64, size.y as f64], 30.0, 3.0, 17.0);
        let c = b.centre();
        page.memory.center_at(lon_lat(c[0], c[1]));
        let _ = page.memory.set_zoom(z);
    }
    // Replay: five minutes every quarter second.
    if page.playing && page.layers.vehicles {
        let dt = ui.input(|i| i.stable_dt).min(0.1);
        let acc = ui.ctx().data_mut(|d| {
            let a = d.get_temp_mut_or_default::<f32>(egui::Id::unique("map_replay_acc"));
            *a += dt;
            std::mem::take(a)
        });
        let steps = (acc / 0.25) as u32;
        if steps > 0 {
            page.vehicle_minute = (page.vehicle_minute + 5 * steps) % 1440;
        } else {
            ui.ctx()
                .data_mut(|d| d.insert_temp(egui::Id::unique("map_replay_acc"), acc));
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(50));
    }

    let (choro, edges) = match page.indicator {
        Some(ind) => {
            let (c, e) = choropleth(scene, ind, page.method);
            (Some(c), e)
        }
        None => (None, Vec::new()),
    };
    let no_data = t(lang, "no_data");
    let value_labels: Vec<(String, String)> = match (page.indicator, page.layers.orderly) {
        (Some(ind), _) => {
            let i = indicator(ind);
            scene
                .values_of(ind)
                .into_iter()
                .map(|(u, v)| {
                    let text = i.map(|i| format::value(i, v, no_data)).unwrap_or_default();
                    (u, text)
                })
                .collect()
        }
        (None, true) => shed_per_unit(scene)
            .into_iter()
            .filter(|r| r.2 > 0)
            .map(|(u, kw, _)| (u, format!("{} kW", format::number(kw, 0))))
            .collect(),
        _ => Vec::new(),
    };
    let customers = match &page.customers.data {
        Some((s, Ok(p))) if s.unit_id == scene.unit_id => Some(p.clone()),
        _ => None,
    };
    let dark = ui.visuals().dark_mode;
    let mut memory = std::mem::take(&mut page.memory);
    let mut open_tiles = page.tiles.take();
    let tiles: Option<&mut dyn walkers::Tiles> = match open_tiles.as_mut().and_then(|t| t.tiles.as_mut()) {
        Some(b) => Some(&mut **b),
        None => None,
    };
    let over_tiles = tiles.is_some();
    let attribution = tiles.as_ref().map(|t| t.attribution().text);
    let home = scene.extent().map(|b| b.centre()).unwrap_or([116.0, 29.5]);
    let select_mode = page.select_mode;
    let buttons = if select_mode {
        DragPanButtons::MIDDLE
    } else {
        DragPanButtons::PRIMARY | DragPanButtons::MIDDLE
    };
    let frame = Frame {
        scene,
        layers: &page.layers,
        choropleth: choro.as_ref(),
        value_labels: &value_labels,
        customers: customers.as_deref().map(|v| v.as_slice()),
        vehicles_at: page.vehicles_at(scene),
        outages_at: page.outages_at(month),
        picked: page.picked.as_ref(),
        pin: page.pin.as_ref().map(|c| (c.at, c.customer_id.as_str())),
        dark,
        zh: lang == Lang::Zh,
        over_tiles,
        own_basemap: page.basemap == BasemapChoice::Project,
        highlight: page.highlight.as_ref().map_or(&[], |(units, _)| units.as_slice()),
    };
    let mut drag_from = page.drag_from;
    let legend = legend_items(page, cx, scene, &edges);
    let out = walkers::Map::new(tiles, &mut memory, lon_lat(home[0], home[1]))
        .drag_pan_buttons(buttons)
        .zoom_with_ctrl(false)
        .show(ui, |ui, response, projector, _| {
            let rect = response.rect;
            let painter = ui.painter().with_clip_rect(rect);
            let centre = projector.unproject(rect.center().to_vec2());
            let view = View {
                centre: to_world([centre.x(), centre.y()]),
                zoom: projector.zoom(),
                screen_centre: [rect.center().x as f64, rect.center().y as f64],
            };
            let hits = canvas::draw(&painter, &view, &frame);
            let pointer = response.hover_pos();
            let hovered = pointer.and_then(|p| canvas::hit_test(&hits, scene, &view, p));
            let mut clicked = None;
            let mut boxed = None;
            if select_mode {
                if response.drag_started_by(egui::PointerButton::Primary) {
                    drag_from = response.interact_pointer_pos();
                }
                if let (Some(a), Some(b)) = (drag_from, response.interact_pointer_pos().or(pointer)) {
                    let r = Rect::from_two_pos(a, b);
                    painter.rect(
                        r,
                        0.0,
                        Color32::from_rgba_unmultiplied(0, 114, 178, 40),
                        Stroke::new(1.5, canvas::BLUE),
                        egui::StrokeKind::Inside,
                    );
                    if response.drag_stopped() {
                        let p = from_world(view.to_world([r.min.x as f64, r.max.y as f64]));
                        let q = from_world(view.to_world([r.max.x as f64, r.min.y as f64]));
                        boxed = Some((p, q));
                        drag_from = None;
                    }
                }
            }
            if response.clicked() {
                clicked = Some(hovered.clone());
            }
            if let Some(h) = &hovered {
                let text = describe_short(scene, h, lang, &frame, page.pin.as_ref());
                response.clone().on_hover_text_at_pointer(text);
            }
            overlays(ui, &painter, rect, projector, &view, attribution, dark, lang);
            (rect, clicked, boxed)
        });
    let (rect, clicked, boxed) = out.inner;
    page.memory = memory;
    page.tiles = open_tiles;
    page.map_rect = rect;
    page.drag_from = drag_from;
    legend_area(ui, rect, &legend);
    if let Some(c) = clicked {
        match c {
            Some(Picked::Cluster(w, n)) if n > 1 => {
                let p = from_world(w);
                page.memory.center_at(lon_lat(p[0], p[1]));
                let z = page.memory.zoom() + 2.0;
                let _ = page.memory.set_zoom(z.min(18.0));
            }
            other => page.picked = other,
        }
    }
    if let Some((p, q)) = boxed {
        page.boxed = Some(Ok((Vec::new(), 0)));
        cx.spawn("job_map_box", jobs::map_box(scene.unit_id.clone(), p, q, month));
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn overlays(
    ui: &egui::Ui,
    painter: &egui::Painter,
    rect: Rect,
    projector: &walkers::Projector,
    view: &View,
    attribution: Option<&str>,
    dark: bool,
    lang: Lang,
) {
    let ink = if dark {
        Color32::from_gray(220)
    } else {
        Color32::from_gray(40)
    };
    let back = if dark {
        Color32::from_black_alpha(170)
    } else {
        Color32::from_white_alpha(200)
    };
    // Scale bar, bottom right.
    let centre = from_world(view.centre);
    let ppm = projector.scale_pixel_per_meter(lon_lat(centre[0], centre[1])) as f64;
    if ppm > 0.0 {
        let (px, label) = canvas::scale_bar(1.0 / ppm, 120.0);
        let base = rect.right_bottom() + vec2(-16.0 - px as f32, -30.0);
        painter.rect_filled(
            Rect::from_min_size(base + vec2(-6.0, -18.0), vec2(px as f32 + 12.0, 26.0)),
            3.0,
            back,
        );
        painter.line_segment([base, base + vec2(px as f32, 0.0)], Stroke::new(2.0, ink));
        for x in [0.0, px as f32] {
            painter.line_segment([base + vec2(x, -5.0), base + vec2(x, 0.0)], Stroke::new(2.0, ink));
        }
        painter.text(
            base + vec2(px as f32 / 2.0, -4.0),
            Align2::CENTER_BOTTOM,
            label,
            FontId::proportional(11.0),
            ink,
        );
    }
    // Attribution, bottom right, always visible (and in the PNG).
    let text = match attribution {
        Some(a) => format!("{a} · MAMS"),
        None => t(lang, "map_attribution_own").to_string(),
    };
    let galley = painter.layout_no_wrap(text, FontId::proportional(10.0), ink);
    let r = Rect::from_min_size(
        rect.right_bottom() - galley.size() - vec2(10.0, 4.0),
        galley.size() + vec2(6.0, 2.0),
    );
    painter.rect_filled(r, 2.0, back);
    painter.galley(r.min + vec2(3.0, 1.0), galley, ink);
    let _ = ui;
}
