//! The map page: org units and their indicator map over an offline basemap, with layers
//! for service halls, repair vehicles (replayed over a day), key customers, orderly
//! consumption, outages in progress, audit suspects, all customers and imported GeoJSON.
//! Follows the top bar's unit and month; click for details, box-select customers, search
//! and fly, export the view as PNG.

pub mod canvas;
pub mod import;
pub mod tiles;

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use egui::{Align2, Color32, DragPanButtons, FontId, Pos2, Rect, RichText, Stroke, pos2, vec2};
use walkers::{MapMemory, lon_lat};

use canvas::{Choropleth, Frame, Layers, Picked};
use tiles::{BasemapChoice, OpenTiles};

use super::Page;
use crate::geo::classify::{self, Method};
use crate::geo::mercator::{self, View, from_world, to_world};
use crate::geo::scene::Scene;
use crate::geo::shape::{BBox, Pt};
use crate::metrics::format;
use crate::metrics::indicators::{LEADER_CARDS, indicator};
use crate::sample::calendar::days_in_month;
use crate::store::map::BoxedCustomer;
use crate::ui::app::MamsApp;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs;

/// Classes of the indicator map.
const CLASSES: usize = 5;

/// The map page's state.
pub struct MapPage {
    pub memory: MapMemory,
    pub layers: Layers,
    /// The indicator of the choropleth, if any.
    pub indicator: Option<&'static str>,
    pub method: Method,
    /// Minutes after midnight of the vehicle replay, and whether it plays.
    pub vehicle_minute: u32,
    pub playing: bool,
    /// A day of vehicle positions asked for (it replaces the scene's day when it arrives).
    pub track_asked: Option<NaiveDate>,
    /// The moment of the outage view: day of the month and hour.
    pub outage_day: u32,
    pub outage_hour: u32,
    pub picked: Option<Picked>,
    /// The scope the view was last fitted to.
    pub fitted: Option<(String, NaiveDate)>,
    /// Where the map was drawn last frame.
    pub map_rect: Rect,
    pub search: String,
    pub searched: Option<(String, Result<Vec<BoxedCustomer>, String>)>,
    pub search_asked: Option<String>,
    /// The customer last flown to from the search.
    pub pin: Option<BoxedCustomer>,
    /// Dragging draws a box that picks customers, instead of panning.
    pub select_mode: bool,
    pub drag_from: Option<Pos2>,
    pub boxed: Option<Result<(Vec<BoxedCustomer>, u64), String>>,
    pub tiles: Option<OpenTiles>,
    pub import: Option<import::GeoImportForm>,
    /// Where to go next frame (a box in degrees), once the map's size is known.
    pub fly_to: Option<BBox>,
}

impl Default for MapPage {
    fn default() -> Self {
        MapPage {
            memory: MapMemory::default(),
            layers: Layers::default(),
            indicator: None,
            method: Method::Quantile,
            vehicle_minute: 10 * 60,
            playing: false,
            track_asked: None,
            outage_day: 1,
            outage_hour: 10,
            picked: None,
            fitted: None,
            map_rect: Rect::NOTHING,
            search: String::new(),
            searched: None,
            search_asked: None,
            pin: None,
            select_mode: false,
            drag_from: None,
            boxed: None,
            tiles: None,
            import: None,
            fly_to: None,
        }
    }
}

impl MapPage {
    fn vehicles_at(&self, scene: &Scene) -> NaiveDateTime {
        let day = scene.vehicle_day.unwrap_or(scene.month);
        day.and_time(NaiveTime::MIN) + chrono::Duration::minutes(self.vehicle_minute as i64)
    }

    fn outages_at(&self, month: NaiveDate) -> NaiveDateTime {
        let day = self.outage_day.clamp(1, days_in_month(month) as u32);
        month
            .with_day(day)
            .unwrap_or(month)
            .and_time(NaiveTime::from_hms_opt(self.outage_hour.min(23), 30, 0).unwrap_or(NaiveTime::MIN))
    }
}

fn ind_name(lang: Lang, id: &str) -> String {
    indicator(id)
        .map(|i| lang.pick(i.en, i.zh).to_string())
        .unwrap_or_else(|| id.to_string())
}

fn ind_unit(lang: Lang, id: &str) -> String {
    indicator(id)
        .map(|i| lang.pick(i.unit_en, i.unit_zh).to_string())
        .unwrap_or_default()
}

/// The choropleth of the page's indicator: class edges and each viewed unit's colour.
fn choropleth(scene: &Scene, ind: &str, method: Method) -> (Choropleth, Vec<f64>) {
    let values = scene.values_of(ind);
    let finite: Vec<f64> = values.iter().filter_map(|(_, v)| *v).collect();
    let edges = classify::breaks(&finite, CLASSES, method);
    let palette = classify::palette(edges.len().saturating_sub(1).max(1));
    let colours = values
        .iter()
        .map(|(id, v)| {
            let c = v.and_then(|v| classify::class_of(&edges, v)).map(|k| {
                let [r, g, b] = palette[k.min(palette.len() - 1)];
                Color32::from_rgb(r, g, b)
            });
            (id.clone(), c)
        })
        .collect();
    (Choropleth { colours }, edges)
}

/// The viewed unit an org unit lies in (itself or an ancestor), if any.
fn viewed_ancestor<'a>(scene: &'a Scene, unit: &str) -> Option<&'a str> {
    let mut id = unit.to_string();
    for _ in 0..12 {
        if let Some(v) = scene.viewed.iter().find(|v| **v == id) {
            return Some(v.as_str());
        }
        id = scene.unit(&id)?.shape.parent_id.clone()?;
    }
    None
}

/// Load to shed of the orderly plans, summed per viewed unit.
fn shed_per_unit(scene: &Scene) -> Vec<(String, f64, usize)> {
    let mut out: Vec<(String, f64, usize)> = scene.viewed.iter().map(|v| (v.clone(), 0.0, 0)).collect();
    for p in &scene.plans {
        if let Some(v) = viewed_ancestor(scene, &p.unit_id)
            && let Some(row) = out.iter_mut().find(|r| r.0 == v)
        {
            row.1 += p.shed_kw;
            row.2 += 1;
        }
    }
    out
}

pub fn show(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    if app.project.is_none() {
        ui.heading(t(lang, "no_project"));
        return;
    }
    super::scope_heading(app, ui, "page_map", app.map.data.as_ref().map(|(s, _)| s));
    let Some(month) = app.period() else {
        ui.label(t(lang, "no_months"));
        return;
    };
    let scene = match &app.map.data {
        None => {
            ui.spinner();
            return;
        }
        Some((_, Err(e))) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        Some((_, Ok(s))) => s.clone(),
    };
    // The basemap follows the setting.
    if app
        .map_page
        .tiles
        .as_ref()
        .is_none_or(|t| t.choice != app.state.map_basemap)
    {
        app.map_page.tiles = Some(tiles::open(&app.state.map_basemap, ui.ctx()));
    }
    toolbar(app, ui, &scene);
    egui::Panel::left("map_layers")
        .resizable(true)
        .default_size(250.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("map_layers_scroll")
                .show(ui, |ui| layer_panel(app, ui, &scene, month));
        });
    if app.map_page.picked.is_some() {
        egui::Panel::right("map_detail")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("map_detail_scroll")
                    .show(ui, |ui| detail_panel(app, ui, &scene));
            });
    }
    if app.map_page.boxed.is_some() {
        egui::Panel::bottom("map_boxed")
            .resizable(true)
            .default_size(220.0)
            .show(ui, |ui| boxed_panel(app, ui));
    }
    egui::CentralPanel::default().show(ui, |ui| map_view(app, ui, &scene));
    import::window(app, ui.ctx());
}

fn toolbar(app: &mut MamsApp, ui: &mut egui::Ui, scene: &Arc<Scene>) {
    let lang = app.lang();
    ui.horizontal_wrapped(|ui| {
        ui.label(t(lang, "map_indicator"));
        let current = app
            .map_page
            .indicator
            .map(|i| ind_name(lang, i))
            .unwrap_or_else(|| t(lang, "map_indicator_none").to_string());
        egui::ComboBox::from_id_salt("map_indicator")
            .selected_text(current)
            .width(170.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.map_page.indicator, None, t(lang, "map_indicator_none"));
                for id in LEADER_CARDS {
                    ui.selectable_value(&mut app.map_page.indicator, Some(*id), ind_name(lang, id));
                }
            });
        if app.map_page.indicator.is_some() {
            egui::ComboBox::from_id_salt("map_breaks")
                .selected_text(t(lang, method_key(app.map_page.method)))
                .show_ui(ui, |ui| {
                    for m in [Method::Quantile, Method::EqualInterval] {
                        ui.selectable_value(&mut app.map_page.method, m, t(lang, method_key(m)));
                    }
                });
        }
        ui.separator();
        let up = scene.unit(&scene.unit_id).and_then(|u| u.shape.parent_id.clone());
        if ui
            .add_enabled(
                up.is_some(),
                egui::Button::new(format!("↑ {}", t(lang, "map_up"))),
            )
            .on_hover_text(t(lang, "map_up_help"))
            .clicked()
        {
            app.state.unit_id = up;
            app.map_page.picked = None;
        }
        if ui
            .button(t(lang, "map_fit"))
            .on_hover_text(t(lang, "map_fit_help"))
            .clicked()
        {
            app.map_page.fly_to = scene
                .unit(&scene.unit_id)
                .and_then(|u| u.shape.area.as_ref()?.bbox());
        }
        ui.toggle_value(&mut app.map_page.select_mode, t(lang, "map_select"))
            .on_hover_text(t(lang, "map_select_help"));
        ui.separator();
        ui.add(
            egui::TextEdit::singleline(&mut app.map_page.search)
                .hint_text(t(lang, "map_search_hint"))
                .desired_width(180.0),
        );
        let rect = app.map_page.map_rect;
        if rect.is_positive() {
            crate::ui::chart_export::save_png_button(ui, app, rect);
        }
    });
    // Customers are searched in the project once two characters are typed.
    let text = app.map_page.search.trim().to_string();
    if text.chars().count() >= 2 && app.map_page.search_asked.as_deref() != Some(text.as_str()) {
        app.map_page.search_asked = Some(text.clone());
        app.spawn("job_map_search", jobs::map_search(scene.unit_id.clone(), text));
    }
}

fn method_key(m: Method) -> &'static str {
    match m {
        Method::Quantile => "map_quantile",
        Method::EqualInterval => "map_equal",
    }
}

fn layer_panel(app: &mut MamsApp, ui: &mut egui::Ui, scene: &Arc<Scene>, month: NaiveDate) {
    let lang = app.lang();
    search_results(app, ui, scene);
    ui.label(RichText::new(t(lang, "map_layers")).strong());
    let page = &mut app.map_page;
    let count = |n: usize| format!(" ({n})");
    ui.checkbox(&mut page.layers.labels, t(lang, "map_labels"));
    ui.checkbox(
        &mut page.layers.halls,
        format!("{}{}", t(lang, "map_halls"), count(scene.halls.len())),
    );
    ui.checkbox(
        &mut page.layers.key_customers,
        format!(
            "{}{}",
            t(lang, "map_key_customers"),
            count(scene.key_customers.len())
        ),
    );
    if page.layers.key_customers {
        ui.indent("key_opts", |ui| {
            ui.radio_value(&mut page.layers.key_by_suspects, false, t(lang, "map_by_trend"));
            ui.radio_value(&mut page.layers.key_by_suspects, true, t(lang, "map_by_suspects"));
        });
    }
    ui.checkbox(
        &mut page.layers.vehicles,
        format!(
            "{}{}",
            t(lang, "map_vehicles"),
            count(scene.track.chunk_by(|a, b| a.vehicle_id == b.vehicle_id).count())
        ),
    );
    let mut want_day = None;
    if page.layers.vehicles {
        ui.indent("vehicle_opts", |ui| match scene.vehicle_day {
            None => {
                ui.label(RichText::new(t(lang, "map_no_vehicles")).weak());
            }
            Some(day) => {
                ui.horizontal(|ui| {
                    egui::ComboBox::from_id_salt("vehicle_day")
                        .selected_text(day.to_string())
                        .show_ui(ui, |ui| {
                            for d in &scene.vehicle_days {
                                if ui.selectable_label(*d == day, d.to_string()).clicked() {
                                    want_day = Some(*d);
                                }
                            }
                        });
                    if page.track_asked.is_some() {
                        ui.spinner();
                    }
                });
                ui.horizontal(|ui| {
                    let label = if page.playing { "map_pause" } else { "map_play" };
                    if ui.button(t(lang, label)).clicked() {
                        page.playing = !page.playing;
                    }
                    ui.add(
                        egui::Slider::new(&mut page.vehicle_minute, 0..=1435)
                            .step_by(5.0)
                            .show_value(false),
                    );
                    ui.label(format!(
                        "{:02}:{:02}",
                        page.vehicle_minute / 60,
                        page.vehicle_minute % 60
                    ));
                });
                // The last position of each vehicle: the day's last fix.
                if ui.small_button(t(lang, "map_latest")).clicked()
                    && let Some(last) = scene.track.iter().map(|f| f.ts).max()
                {
                    use chrono::Timelike;
                    page.vehicle_minute = last.hour() * 60 + last.minute();
                    page.playing = false;
                }
            }
        });
    }
    ui.checkbox(
        &mut page.layers.orderly,
        format!("{}{}", t(lang, "map_orderly"), count(scene.plans.len())),
    );
    if page.layers.orderly {
        ui.indent("orderly_opts", |ui| {
            egui::Grid::new("shed_grid").striped(true).show(ui, |ui| {
                ui.label(RichText::new(t(lang, "map_area")).small().strong());
                ui.label(RichText::new(t(lang, "map_plan_customers")).small().strong());
                ui.label(RichText::new(t(lang, "map_shed_kw")).small().strong());
                ui.end_row();
                for (unit, kw, n) in shed_per_unit(scene) {
                    let name = scene
                        .unit(&unit)
                        .map(|u| canvas::short_name(lang.pick(&u.shape.name_en, &u.shape.name_zh)))
                        .unwrap_or(unit);
                    ui.label(RichText::new(name).small());
                    ui.label(RichText::new(n.to_string()).small());
                    ui.label(RichText::new(format::number(kw, 0)).small());
                    ui.end_row();
                }
            });
        });
    }
    ui.checkbox(&mut page.layers.outages, t(lang, "map_outages"));
    if page.layers.outages {
        ui.indent("outage_opts", |ui| {
            ui.horizontal(|ui| {
                ui.label(t(lang, "map_day"));
                ui.add(egui::Slider::new(
                    &mut page.outage_day,
                    1..=days_in_month(month) as u32,
                ));
            });
            ui.horizontal(|ui| {
                ui.label(t(lang, "map_hour"));
                ui.add(egui::Slider::new(&mut page.outage_hour, 0..=23));
            });
            if ui.small_button(t(lang, "map_busiest")).clicked()
                && let Some((h, _)) = scene.outage_hours.iter().max_by_key(|h| h.1)
            {
                page.outage_day = h.day();
                page.outage_hour = h.time().format("%H").to_string().parse().unwrap_or(0);
            }
            let at = page.outages_at(month);
            let active = crate::store::map::active_at(&scene.outages, at);
            let planned = active.iter().filter(|o| o.planned).count();
            let customers: u64 = active.iter().map(|o| o.customers_affected).sum();
            ui.label(
                RichText::new(format!(
                    "{} · {} {} ({} {}) · {} {}",
                    at.format("%Y-%m-%d %H:%M"),
                    active.len(),
                    t(lang, "map_in_progress"),
                    planned,
                    t(lang, "map_planned"),
                    format::number(customers as f64, 0),
                    t(lang, "map_customers_off")
                ))
                .small(),
            );
        });
    }
    ui.checkbox(
        &mut page.layers.suspects,
        format!("{}{}", t(lang, "map_suspects"), count(scene.suspects.len())),
    );
    if page.layers.suspects {
        ui.indent("suspect_opts", |ui| {
            ui.radio_value(&mut page.layers.suspects_density, false, t(lang, "map_points"));
            ui.radio_value(&mut page.layers.suspects_density, true, t(lang, "map_density"));
        });
    }
    let customers = match &app.map_customers.data {
        Some((s, Ok(p))) if s.unit_id == scene.unit_id => format!(" ({})", format::number(p.len() as f64, 0)),
        _ => String::new(),
    };
    let page = &mut app.map_page;
    ui.checkbox(
        &mut page.layers.customers,
        format!("{}{customers}", t(lang, "map_all_customers")),
    );
    ui.separator();
    ui.label(RichText::new(t(lang, "map_basemap")).strong());
    let mut choice = app.state.map_basemap.clone();
    ui.radio_value(&mut choice, BasemapChoice::Project, t(lang, "map_base_project"));
    let pm_label = match &choice {
        BasemapChoice::PmTiles(p) => format!(
            "{}: {}",
            t(lang, "map_base_pmtiles"),
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        _ => format!("{}…", t(lang, "map_base_pmtiles")),
    };
    if ui
        .radio(matches!(choice, BasemapChoice::PmTiles(_)), pm_label)
        .clicked()
    {
        app.ask(Purpose::MapPmTiles, ui.ctx());
    }
    ui.radio_value(&mut choice, BasemapChoice::OpenStreetMap, t(lang, "map_base_osm"))
        .on_hover_text(t(lang, "map_base_osm_help"));
    ui.radio_value(&mut choice, BasemapChoice::None, t(lang, "map_base_none"));
    app.state.map_basemap = choice;
    if let Some(e) = app.map_page.tiles.as_ref().and_then(|t| t.error.as_ref()) {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    ui.separator();
    ui.label(RichText::new(t(lang, "map_imported")).strong());
    let mut remove = None;
    for (info, features) in &scene.imported {
        ui.horizontal(|ui| {
            let mut shown = !app.map_page.layers.hidden.contains(&info.layer);
            if ui
                .checkbox(&mut shown, format!("{} ({})", info.layer, features.len()))
                .changed()
            {
                if shown {
                    app.map_page.layers.hidden.remove(&info.layer);
                } else {
                    app.map_page.layers.hidden.insert(info.layer.clone());
                }
            }
            if ui
                .small_button("×")
                .on_hover_text(t(lang, "map_remove_layer"))
                .clicked()
            {
                remove = Some(info.layer.clone());
            }
        });
    }
    if let Some(layer) = remove {
        app.spawn("job_map_import", jobs::map_remove_layer(layer));
    }
    if ui.button(t(lang, "map_import_button")).clicked() {
        app.map_page.import.get_or_insert_with(Default::default);
    }
    if !scene.problems.is_empty() {
        ui.separator();
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("{}: {}", t(lang, "map_bad_boundaries"), scene.problems.join("; ")),
        );
    }
    if let Some(d) = want_day {
        app.map_page.track_asked = Some(d);
        app.spawn("job_map_track", jobs::map_track(scene.unit_id.clone(), d));
    }
}

fn search_results(app: &mut MamsApp, ui: &mut egui::Ui, scene: &Arc<Scene>) {
    let lang = app.lang();
    let text = app.map_page.search.trim().to_lowercase();
    if text.is_empty() {
        return;
    }
    ui.label(RichText::new(t(lang, "map_search_results")).strong());
    let mut go: Option<(BBox, Picked)> = None;
    let mut pin = None;
    let units = scene.units.iter().filter(|u| {
        u.shape.unit_id.to_lowercase().contains(&text)
            || u.shape.name_zh.contains(&text)
            || u.shape.name_en.to_lowercase().contains(&text)
    });
    for u in units.take(8) {
        let label = format!(
            "{} · {}",
            lang.pick(&u.shape.name_en, &u.shape.name_zh),
            u.shape.unit_id
        );
        if ui.selectable_label(false, label).clicked()
            && let Some(b) = u
                .shape
                .area
                .as_ref()
                .and_then(|a| a.bbox())
                .or(u.shape.seat.map(|s| BBox { min: s, max: s }))
        {
            go = Some((b, Picked::Unit(u.shape.unit_id.clone())));
        }
    }
    let halls = scene.halls.iter().filter(|h| {
        h.name_zh.contains(&text)
            || h.name_en.to_lowercase().contains(&text)
            || h.point_id.to_lowercase().contains(&text)
    });
    for h in halls.take(8) {
        if ui
            .selectable_label(
                false,
                format!("{} · {}", lang.pick(&h.name_en, &h.name_zh), h.point_id),
            )
            .clicked()
        {
            go = Some((point_box(h.at), Picked::Hall(h.point_id.clone())));
        }
    }
    if let Some((asked, Ok(found))) = &app.map_page.searched
        && asked.to_lowercase() == text
    {
        for c in found {
            if ui
                .selectable_label(false, format!("{} · {}", c.name, c.customer_id))
                .clicked()
            {
                let key = scene.key_customers.iter().any(|k| k.customer_id == c.customer_id);
                let picked = if key {
                    Picked::KeyCustomer(c.customer_id.clone())
                } else {
                    Picked::Customer(c.customer_id.clone())
                };
                go = Some((point_box(c.at), picked));
                pin = Some(c.clone());
            }
        }
    }
    if let Some((b, p)) = go {
        app.map_page.fly_to = Some(b);
        app.map_page.picked = Some(p);
        app.map_page.pin = pin;
    }
    ui.separator();
}

/// A small box around a point, so flying to it zooms to street level.
fn point_box(p: Pt) -> BBox {
    BBox {
        min: [p[0] - 0.01, p[1] - 0.008],
        max: [p[0] + 0.01, p[1] + 0.008],
    }
}

fn map_view(app: &mut MamsApp, ui: &mut egui::Ui, scene: &Arc<Scene>) {
    let lang = app.lang();
    let Some(month) = app.period() else { return };
    // Fit the view to the unit when the scope moved (or on request).
    let scope_key = (scene.unit_id.clone(), scene.month);
    if app.map_page.fitted.as_ref() != Some(&scope_key) {
        app.map_page.fitted = Some(scope_key);
        app.map_page.fly_to = scene
            .unit(&scene.unit_id)
            .and_then(|u| u.shape.area.as_ref()?.bbox());
    }
    let size = ui.available_size();
    if let Some(b) = app.map_page.fly_to.take() {
        let z = mercator::fit_zoom(b, [size.x as f64, size.y as f64], 30.0, 3.0, 17.0);
        let c = b.centre();
        app.map_page.memory.center_at(lon_lat(c[0], c[1]));
        let _ = app.map_page.memory.set_zoom(z);
    }
    // Replay: five minutes every quarter second.
    if app.map_page.playing && app.map_page.layers.vehicles {
        let dt = ui.input(|i| i.stable_dt).min(0.1);
        let acc = ui.ctx().data_mut(|d| {
            let a = d.get_temp_mut_or_default::<f32>(egui::Id::unique("map_replay_acc"));
            *a += dt;
            std::mem::take(a)
        });
        let steps = (acc / 0.25) as u32;
        if steps > 0 {
            app.map_page.vehicle_minute = (app.map_page.vehicle_minute + 5 * steps) % 1440;
        } else {
            ui.ctx()
                .data_mut(|d| d.insert_temp(egui::Id::unique("map_replay_acc"), acc));
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(50));
    }

    let (choro, edges) = match app.map_page.indicator {
        Some(ind) => {
            let (c, e) = choropleth(scene, ind, app.map_page.method);
            (Some(c), e)
        }
        None => (None, Vec::new()),
    };
    let no_data = t(lang, "no_data");
    let value_labels: Vec<(String, String)> = match (app.map_page.indicator, app.map_page.layers.orderly) {
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
    let customers = match &app.map_customers.data {
        Some((s, Ok(p))) if s.unit_id == scene.unit_id => Some(p.clone()),
        _ => None,
    };
    let dark = ui.visuals().dark_mode;
    let mut memory = std::mem::take(&mut app.map_page.memory);
    let mut open_tiles = app.map_page.tiles.take();
    let tiles: Option<&mut dyn walkers::Tiles> = match open_tiles.as_mut().and_then(|t| t.tiles.as_mut()) {
        Some(b) => Some(&mut **b),
        None => None,
    };
    let over_tiles = tiles.is_some();
    let attribution = tiles.as_ref().map(|t| t.attribution().text);
    let home = scene.extent().map(|b| b.centre()).unwrap_or([116.0, 29.5]);
    let select_mode = app.map_page.select_mode;
    let buttons = if select_mode {
        DragPanButtons::MIDDLE
    } else {
        DragPanButtons::PRIMARY | DragPanButtons::MIDDLE
    };
    let page = &app.map_page;
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
        own_basemap: app.state.map_basemap == BasemapChoice::Project,
    };
    let mut drag_from = page.drag_from;
    let legend = legend_items(app, scene, &edges);
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
    app.map_page.memory = memory;
    app.map_page.tiles = open_tiles;
    app.map_page.map_rect = rect;
    app.map_page.drag_from = drag_from;
    legend_area(ui, rect, &legend);
    if let Some(c) = clicked {
        match c {
            Some(Picked::Cluster(w, n)) if n > 1 => {
                let p = from_world(w);
                app.map_page.memory.center_at(lon_lat(p[0], p[1]));
                let z = app.map_page.memory.zoom() + 2.0;
                let _ = app.map_page.memory.set_zoom(z.min(18.0));
            }
            other => app.map_page.picked = other,
        }
    }
    if let Some((p, q)) = boxed {
        app.map_page.boxed = Some(Ok((Vec::new(), 0)));
        app.spawn("job_map_box", jobs::map_box(scene.unit_id.clone(), p, q, month));
    }
}

#[allow(clippy::too_many_arguments)]
fn overlays(
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

/// One entry of the legend: a swatch (shape, colour) and its text, or a heading.
enum LegendItem {
    Heading(String),
    Entry(Swatch, Color32, String),
}

#[derive(Clone, Copy)]
enum Swatch {
    Square,
    Circle,
    Diamond,
    Triangle,
    Line,
    Dashed,
}

fn legend_items(app: &MamsApp, scene: &Scene, edges: &[f64]) -> Vec<LegendItem> {
    use LegendItem::*;
    let lang = app.lang();
    let l = &app.map_page.layers;
    let mut items = Vec::new();
    if let Some(ind) = app.map_page.indicator {
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
    let code = |list: &str, c: &str| super::code_label(lang, list, c);
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
            app.map_page.vehicles_at(scene).format("%Y-%m-%d %H:%M")
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
        if let Some(m) = app.period() {
            items.push(Heading(format!(
                "{} · {}",
                t(lang, "map_outages"),
                app.map_page.outages_at(m).format("%Y-%m-%d %H:%M")
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

fn legend_area(ui: &egui::Ui, rect: Rect, items: &[LegendItem]) {
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

/// A line or two about a thing under the pointer.
fn describe_short(scene: &Scene, p: &Picked, lang: Lang, f: &Frame, pin: Option<&BoxedCustomer>) -> String {
    describe(scene, p, lang, f, pin)
        .into_iter()
        .take(4)
        .map(|(k, v)| if k.is_empty() { v } else { format!("{k}: {v}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The details of a picked thing as (label, value) rows.
fn describe(
    scene: &Scene,
    p: &Picked,
    lang: Lang,
    f: &Frame,
    pin: Option<&BoxedCustomer>,
) -> Vec<(String, String)> {
    let tr = |k: &str| t(lang, k).to_string();
    let code = |list: &str, c: &str| super::code_label(lang, list, c);
    let unit_name = |id: &str| {
        scene
            .unit(id)
            .map(|u| lang.pick(&u.shape.name_en, &u.shape.name_zh).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let n = |v: f64, d: usize| format::number(v, d);
    match p {
        Picked::Unit(id) => {
            let mut rows = vec![(String::new(), unit_name(id)), (tr("map_code"), id.clone())];
            if let Some(i) = scene.values.iter().position(|(u, _)| u == id) {
                for (k, ind) in LEADER_CARDS.iter().enumerate() {
                    if let Some(def) = indicator(ind) {
                        let v = scene.values[i].1.get(k).copied().flatten();
                        rows.push((
                            lang.pick(def.en, def.zh).to_string(),
                            format!(
                                "{} {}",
                                format::value(def, v, t(lang, "no_data")),
                                lang.pick(def.unit_en, def.unit_zh)
                            ),
                        ));
                    }
                }
            }
            rows
        }
        Picked::Hall(id) => scene
            .halls
            .iter()
            .find(|h| &h.point_id == id)
            .map(|h| {
                vec![
                    (String::new(), lang.pick(&h.name_en, &h.name_zh).to_string()),
                    (tr("map_type"), code("point_type", &h.point_type)),
                    (tr("map_unit"), unit_name(&h.unit_id)),
                    (tr("map_hours"), h.opening_hours.clone().unwrap_or_default()),
                    (
                        tr("map_staff"),
                        h.staff.map(|s| s.to_string()).unwrap_or_default(),
                    ),
                    (tr("map_unit_tickets"), n(h.unit_tickets as f64, 0)),
                    (tr("map_code"), h.point_id.clone()),
                ]
            })
            .unwrap_or_default(),
        Picked::Vehicle(id) => scene
            .track
            .iter()
            .rfind(|x| &x.vehicle_id == id && x.ts <= f.vehicles_at)
            .map(|x| {
                vec![
                    (String::new(), x.plate.clone()),
                    (tr("map_status"), code("vehicle_status", &x.status)),
                    (tr("map_unit"), unit_name(&x.unit_id)),
                    (tr("map_fix_at"), x.ts.format("%Y-%m-%d %H:%M").to_string()),
                    (tr("map_position"), format!("{:.5}, {:.5}", x.at[0], x.at[1])),
                    (tr("map_code"), x.vehicle_id.clone()),
                ]
            })
            .unwrap_or_default(),
        Picked::KeyCustomer(id) => match scene.key_customers.iter().find(|c| &c.customer_id == id) {
            Some(c) => vec![
                (String::new(), c.name.clone()),
                (tr("map_customer"), c.customer_id.clone()),
                (tr("map_class"), code("customer_class", &c.class)),
                (tr("map_unit"), unit_name(&c.unit_id)),
                (tr("map_kwh_month"), format!("{} kWh", n(c.kwh, 0))),
                (
                    tr("map_kwh_year_ago"),
                    c.kwh_year_ago
                        .map(|k| format!("{} kWh", n(k, 0)))
                        .unwrap_or_else(|| tr("no_data")),
                ),
                (
                    tr("map_trend"),
                    c.trend()
                        .map(|t| format!("{:+.1}%", t * 100.0))
                        .unwrap_or_else(|| tr("no_data")),
                ),
                (tr("map_open_suspects"), c.open_suspects.to_string()),
            ],
            None => vec![(tr("map_customer"), id.clone())],
        },
        Picked::Customer(id) => match pin.filter(|c| &c.customer_id == id) {
            Some(c) => vec![
                (String::new(), c.name.clone()),
                (tr("map_customer"), c.customer_id.clone()),
                (tr("map_class"), code("customer_class", &c.class)),
                (tr("map_unit"), unit_name(&c.unit_id)),
                (tr("map_status"), code("customer_status", &c.status)),
                (tr("map_position"), format!("{:.5}, {:.5}", c.at[0], c.at[1])),
            ],
            None => vec![(tr("map_customer"), id.clone())],
        },
        Picked::Plan(id) => scene
            .plans
            .iter()
            .find(|x| &x.plan_id == id)
            .map(|x| {
                vec![
                    (String::new(), x.name.clone()),
                    (tr("map_customer"), x.customer_id.clone()),
                    (tr("map_plan_level"), code("plan_level", &x.level)),
                    (tr("map_shed_kw"), format!("{} kW", n(x.shed_kw, 0))),
                    (tr("map_unit"), unit_name(&x.unit_id)),
                    (tr("map_code"), x.plan_id.clone()),
                ]
            })
            .unwrap_or_default(),
        Picked::Suspect(key) => scene
            .suspects
            .iter()
            .find(|s| &s.suspect.key == key)
            .map(|s| {
                let rule = crate::audit::rules::builtin()
                    .iter()
                    .find(|r| r.id == s.suspect.rule_id)
                    .map(|r| lang.pick(&r.name_en, &r.name_zh).to_string())
                    .unwrap_or_else(|| s.suspect.rule_id.clone());
                vec![
                    (String::new(), rule),
                    (
                        tr("map_entity"),
                        format!("{} {}", s.suspect.entity_type, s.suspect.entity_id),
                    ),
                    (
                        tr("map_amount"),
                        format!("{} {}", n(s.suspect.amount, 0), tr("yuan")),
                    ),
                    (tr("map_status"), s.suspect.status.clone()),
                    (tr("map_unit"), unit_name(&s.suspect.unit_id)),
                ]
            })
            .unwrap_or_default(),
        Picked::Outages(unit) => {
            let active = crate::store::map::active_at(&scene.outages, f.outages_at);
            let mut rows = vec![(String::new(), unit_name(unit))];
            for o in active.iter().filter(|o| &o.unit_id == unit) {
                rows.push((
                    format!(
                        "{} {}",
                        o.outage_id,
                        if o.planned {
                            tr("map_planned")
                        } else {
                            tr("map_unplanned")
                        }
                    ),
                    format!(
                        "{} – {} · {} {} · {}",
                        o.start_at.format("%m-%d %H:%M"),
                        o.end_at
                            .map(|e| e.format("%m-%d %H:%M").to_string())
                            .unwrap_or_else(|| "…".into()),
                        n(o.customers_affected as f64, 0),
                        tr("map_customers_off"),
                        code("outage_cause", &o.cause)
                    ),
                ));
            }
            rows
        }
        Picked::Feature(layer, i) => scene
            .imported
            .iter()
            .find(|(l, _)| &l.layer == layer)
            .and_then(|(_, f)| f.get(*i))
            .map(|x| {
                let mut rows = vec![
                    (
                        String::new(),
                        x.name.clone().unwrap_or_else(|| format!("#{}", i + 1)),
                    ),
                    (tr("map_layer"), layer.clone()),
                    (tr("map_type"), x.kind.clone()),
                ];
                if let Some(m) = &x.matched_id {
                    rows.push((tr("map_matched"), m.clone()));
                }
                if let Some(p) = x.points.first() {
                    rows.push((tr("map_position"), format!("{:.5}, {:.5}", p[0], p[1])));
                }
                rows
            })
            .unwrap_or_default(),
        Picked::Cluster(_, count) => vec![(tr("map_all_customers"), n(*count as f64, 0))],
    }
}

fn detail_panel(app: &mut MamsApp, ui: &mut egui::Ui, scene: &Arc<Scene>) {
    let lang = app.lang();
    let Some(picked) = app.map_page.picked.clone() else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(lang, "map_details")).strong());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.small_button("×").clicked() {
                app.map_page.picked = None;
            }
        });
    });
    let frame = Frame {
        scene,
        layers: &app.map_page.layers,
        choropleth: None,
        value_labels: &[],
        customers: None,
        vehicles_at: app.map_page.vehicles_at(scene),
        outages_at: app
            .period()
            .map(|m| app.map_page.outages_at(m))
            .unwrap_or_default(),
        picked: None,
        pin: None,
        dark: ui.visuals().dark_mode,
        zh: lang == Lang::Zh,
        over_tiles: false,
        own_basemap: false,
    };
    let rows = describe(scene, &picked, lang, &frame, app.map_page.pin.as_ref());
    if let Some((_, title)) = rows.first() {
        ui.label(RichText::new(title).size(16.0).strong());
    }
    egui::Grid::new("map_detail_grid")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (k, v) in rows.iter().skip(1) {
                ui.label(RichText::new(k).weak());
                ui.label(v);
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    // Drill: to the unit's or customer's view in the other pages.
    let customer = match &picked {
        Picked::KeyCustomer(id) | Picked::Customer(id) => Some(id.clone()),
        Picked::Plan(id) => scene
            .plans
            .iter()
            .find(|p| &p.plan_id == id)
            .map(|p| p.customer_id.clone()),
        Picked::Suspect(key) => scene
            .suspects
            .iter()
            .find(|s| &s.suspect.key == key && s.suspect.entity_type == "customer")
            .map(|s| s.suspect.entity_id.clone()),
        Picked::Feature(layer, i) => scene
            .imported
            .iter()
            .find(|(l, _)| &l.layer == layer && l.match_kind.as_deref() == Some("customer"))
            .and_then(|(_, f)| f.get(*i)?.matched_id.clone()),
        _ => None,
    };
    let unit = match &picked {
        Picked::Unit(id) | Picked::Outages(id) => Some(id.clone()),
        Picked::Hall(id) => scene
            .halls
            .iter()
            .find(|h| &h.point_id == id)
            .map(|h| h.unit_id.clone()),
        Picked::Feature(layer, i) => scene
            .imported
            .iter()
            .find(|(l, _)| &l.layer == layer && l.match_kind.as_deref() == Some("unit"))
            .and_then(|(_, f)| f.get(*i)?.matched_id.clone()),
        _ => None,
    };
    if let Some(u) = unit {
        let has_children = scene
            .units
            .iter()
            .any(|x| x.shape.parent_id.as_deref() == Some(u.as_str()));
        if has_children && u != scene.unit_id && ui.button(t(lang, "map_drill_here")).clicked() {
            app.state.unit_id = Some(u.clone());
            app.map_page.picked = None;
        }
        if ui.button(t(lang, "map_open_leaders")).clicked() {
            app.state.unit_id = Some(u.clone());
            app.state.page = Page::Leaders;
        }
        if ui.button(t(lang, "map_zoom_to")).clicked() {
            app.map_page.fly_to = scene.unit(&u).and_then(|x| x.shape.area.as_ref()?.bbox());
        }
    }
    if let Some(c) = customer {
        if ui.button(t(lang, "map_open_bills")).clicked() {
            app.rows = Some(crate::ui::rows_window::RowsWindow::new(
                format!("{} · {c}", t(lang, "map_bills_of")),
                crate::store::rows::RowsQuery {
                    table: "bills",
                    unit: scene.unit_id.clone(),
                    month: None,
                    only: Some(("customer_id", c.clone())),
                    search: String::new(),
                    sort: Some(("billing_month".into(), true)),
                    offset: 0,
                    limit: crate::ui::rows_window::PAGE_ROWS,
                },
            ));
        }
        if ui.button(t(lang, "map_open_audit")).clicked() {
            app.audit.search = c.clone();
            if let Picked::Suspect(key) = &picked {
                app.audit.selected = Some(key.clone());
            }
            app.state.page = Page::Audit;
        }
    }
}

fn boxed_panel(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    let mut close = false;
    let Some(boxed) = app.map_page.boxed.clone() else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(lang, "map_boxed")).strong());
        match &boxed {
            Ok((rows, total)) => {
                ui.label(format!(
                    "{} / {}",
                    format::number(rows.len() as f64, 0),
                    format::number(*total as f64, 0)
                ));
                if !rows.is_empty() {
                    let header: Vec<String> = [
                        "customer_id",
                        "name",
                        "unit_id",
                        "customer_class",
                        "status",
                        "lon",
                        "lat",
                        "kwh",
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                    let body: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            vec![
                                r.customer_id.clone(),
                                r.name.clone(),
                                r.unit_id.clone(),
                                r.class.clone(),
                                r.status.clone(),
                                format!("{:.5}", r.at[0]),
                                format!("{:.5}", r.at[1]),
                                r.kwh.map(|k| format!("{k:.0}")).unwrap_or_default(),
                            ]
                        })
                        .collect();
                    super::data_buttons(ui, app, &header, &body);
                }
            }
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.small_button("×").clicked() {
                close = true;
            }
        });
    });
    if let Ok((rows, _)) = &boxed {
        use egui_extras::{Column, TableBuilder};
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(110.0))
            .column(Column::remainder().at_least(160.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(70.0))
            .column(Column::auto().at_least(90.0))
            .header(20.0, |mut h| {
                for k in [
                    "map_customer",
                    "map_name",
                    "map_unit",
                    "map_class",
                    "map_status",
                    "map_kwh_month",
                ] {
                    h.col(|ui| {
                        ui.label(RichText::new(t(lang, k)).strong());
                    });
                }
            })
            .body(|body| {
                body.rows(20.0, rows.len(), |mut row| {
                    let r = &rows[row.index()];
                    row.col(|ui| {
                        ui.label(&r.customer_id);
                    });
                    row.col(|ui| {
                        ui.label(&r.name);
                    });
                    row.col(|ui| {
                        ui.label(&r.unit_id);
                    });
                    row.col(|ui| {
                        ui.label(super::code_label(lang, "customer_class", &r.class));
                    });
                    row.col(|ui| {
                        ui.label(&r.status);
                    });
                    row.col(|ui| {
                        ui.label(r.kwh.map(|k| format::number(k, 0)).unwrap_or_default());
                    });
                });
            });
    }
    if close {
        app.map_page.boxed = None;
    }
}
