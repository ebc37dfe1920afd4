//! The map page: org units and their indicator map over an offline basemap, with layers
//! for service halls, repair vehicles (replayed over a day), key customers, orderly
//! consumption, outages in progress, audit suspects, all customers and imported GeoJSON.
//! Follows the top bar's unit and month; click for details, box-select customers, search
//! and fly, export the view as PNG. The panels are in `layers.rs`, `view.rs`, `legend.rs`
//! and `detail.rs`; drawing in `canvas.rs`.

pub mod canvas;
mod detail;
pub mod import;
mod layers;
mod legend;
pub mod tiles;
mod view;

use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use egui::{Color32, Pos2, Rect};
use walkers::MapMemory;

use canvas::{Choropleth, Layers, Picked};
use tiles::{BasemapChoice, OpenTiles};

use crate::geo::classify::{self, Method};
use crate::geo::scene::Scene;
use crate::geometry::shape::{BBox, Pt};
use crate::metrics::indicators::{LEADER_CARDS, indicator};
use crate::sample::calendar::days_in_month;
use crate::store::map::BoxedCustomer;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{self, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::widgets::{save_png_button, scope_heading};

use detail::{boxed_panel, detail_panel};
use layers::layer_panel;
use view::map_view;
/// Classes of the indicator map.
pub(super) const CLASSES: usize = 5;

/// The map page's state.
pub struct MapPage {
    /// The map of the top bar's scope, and where every customer is (asked for only while
    /// that layer is on).
    pub scene: ScopeSlot<Arc<Scene>>,
    pub customers: ScopeSlot<Arc<Vec<Pt>>>,
    /// The basemap: the project's own unless the user chose another (kept in the settings).
    pub basemap: BasemapChoice,
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
    /// Units marked from another page and what they are (a removable chip).
    pub highlight: Option<(Vec<String>, String)>,
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
            scene: ScopeSlot::default(),
            customers: ScopeSlot::default(),
            basemap: BasemapChoice::default(),
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
            highlight: None,
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

pub(super) fn ind_name(lang: Lang, id: &str) -> String {
    indicator(id)
        .map(|i| lang.pick(i.en, i.zh).to_string())
        .unwrap_or_else(|| id.to_string())
}

pub(super) fn ind_unit(lang: Lang, id: &str) -> String {
    indicator(id)
        .map(|i| lang.pick(i.unit_en, i.unit_zh).to_string())
        .unwrap_or_default()
}

/// The choropleth of the page's indicator: class edges and each viewed unit's colour.
pub(super) fn choropleth(scene: &Scene, ind: &str, method: Method) -> (Choropleth, Vec<f64>) {
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
pub(super) fn viewed_ancestor<'a>(scene: &'a Scene, unit: &str) -> Option<&'a str> {
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
pub(super) fn shed_per_unit(scene: &Scene) -> Vec<(String, f64, usize)> {
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

impl Page for MapPage {
    fn id(&self) -> PageId {
        PageId::Map
    }
    fn title_key(&self) -> &'static str {
        "page_map"
    }
    fn icon(&self) -> &'static str {
        "🗺"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn refresh(&mut self, cx: &mut Cx) {
        self.scene
            .follow(cx, "job_map", |scope, _| jobs::map_scene(scope));
        if self.layers.customers {
            self.customers
                .follow(cx, "job_map_customers", |scope, _| jobs::map_customers(scope));
        }
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Map(scope, data) => self.scene.receive(scope, data),
            Msg::MapCustomers(scope, data) => self.customers.receive(scope, data),
            Msg::MapTrack(day, data) => self.take_track(day, data, cx),
            Msg::MapSearch(text, data) => self.searched = Some((text, data)),
            Msg::MapBox(data) => self.boxed = Some(data),
            Msg::MapFile(path, info) => {
                if let Some(form) = &mut self.import {
                    form.file_read(path, info);
                }
            }
            Msg::MapImported(r) => {
                if r.is_ok() {
                    // The map reads the project again.
                    self.scene.clear();
                }
                match &mut self.import {
                    Some(form) => {
                        form.running = false;
                        form.result = Some(r);
                    }
                    None => match r {
                        Ok(text) => cx.send(Command::Notice(text)),
                        Err(e) => cx.send(Command::Error(e)),
                    },
                }
            }
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if what == Changed::Project {
            self.scene.clear();
            self.customers.clear();
            self.picked = None;
            self.boxed = None;
        }
    }
    fn answered(&mut self, purpose: Purpose, paths: Vec<std::path::PathBuf>, cx: &mut Cx) {
        let Some(first) = paths.into_iter().next() else {
            return;
        };
        match purpose {
            Purpose::MapPmTiles => self.basemap = BasemapChoice::PmTiles(first),
            Purpose::MapGeoJson => self.geojson_chosen(cx, first),
            _ => {}
        }
    }
    fn settings(&self) -> Option<serde_json::Value> {
        serde_json::to_value(&self.basemap).ok()
    }
    fn restore(&mut self, settings: serde_json::Value) {
        match serde_json::from_value(settings) {
            Ok(b) => self.basemap = b,
            Err(e) => tracing::warn!("ignoring the map's saved basemap: {e}"),
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
    fn open(&mut self, what: crate::ui::page::Open, _cx: &mut Cx) {
        if let crate::ui::page::Open::Highlight { units, label } = what {
            self.highlight = Some((units, label));
        }
    }
}

impl MapPage {
    /// A day of vehicle positions: the scene takes it, once.
    fn take_track(&mut self, day: NaiveDate, data: Result<Vec<crate::store::map::Fix>, String>, cx: &mut Cx) {
        if self.track_asked != Some(day) {
            return;
        }
        self.track_asked = None;
        match (data, &mut self.scene.data) {
            (Ok(track), Some((_, Ok(scene)))) => {
                let mut s = (**scene).clone();
                s.vehicle_day = Some(day);
                s.track = track;
                *scene = Arc::new(s);
            }
            (Err(e), _) => cx.send(Command::Error(e)),
            _ => {}
        }
    }
}

fn show(page: &mut MapPage, cx: &mut Cx, ui: &mut egui::Ui) {
    scope_heading(cx, ui, "page_map", page.scene.data.as_ref().map(|(s, _)| s));
    let Some(month) = cx.period else { return };
    let scene = match &page.scene.data {
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
    if page.tiles.as_ref().is_none_or(|t| t.choice != page.basemap) {
        page.tiles = Some(tiles::open(&page.basemap, ui.ctx()));
    }
    toolbar(page, cx, ui, &scene);
    egui::Panel::left("map_layers")
        .resizable(true)
        .default_size(250.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("map_layers_scroll")
                .show(ui, |ui| layer_panel(page, cx, ui, &scene, month));
        });
    if page.picked.is_some() {
        egui::Panel::right("map_detail")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("map_detail_scroll")
                    .show(ui, |ui| detail_panel(page, cx, ui, &scene));
            });
    }
    if page.boxed.is_some() {
        egui::Panel::bottom("map_boxed")
            .resizable(true)
            .default_size(220.0)
            .show(ui, |ui| boxed_panel(page, cx, ui));
    }
    egui::CentralPanel::default().show(ui, |ui| map_view(page, cx, ui, &scene));
    import::window(page, cx, ui.ctx());
}

fn toolbar(page: &mut MapPage, cx: &mut Cx, ui: &mut egui::Ui, scene: &Arc<Scene>) {
    let lang = cx.lang;
    ui.horizontal_wrapped(|ui| {
        if let Some((units, label)) = &page.highlight
            && crate::ui::widgets::chip(ui, &format!("{label} ({})", units.len())).clicked()
        {
            page.highlight = None;
        }
        ui.label(t(lang, "map_indicator"));
        let current = page
            .indicator
            .map(|i| ind_name(lang, i))
            .unwrap_or_else(|| t(lang, "map_indicator_none").to_string());
        egui::ComboBox::from_id_salt("map_indicator")
            .selected_text(current)
            .width(170.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.indicator, None, t(lang, "map_indicator_none"));
                for id in LEADER_CARDS {
                    ui.selectable_value(&mut page.indicator, Some(*id), ind_name(lang, id));
                }
            });
        if page.indicator.is_some() {
            egui::ComboBox::from_id_salt("map_breaks")
                .selected_text(t(lang, method_key(page.method)))
                .show_ui(ui, |ui| {
                    for m in [Method::Quantile, Method::EqualInterval] {
                        ui.selectable_value(&mut page.method, m, t(lang, method_key(m)));
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
            if let Some(up) = up {
                cx.send(Command::SetUnit(up));
            }
            page.picked = None;
        }
        if ui
            .button(t(lang, "map_fit"))
            .on_hover_text(t(lang, "map_fit_help"))
            .clicked()
        {
            page.fly_to = scene
                .unit(&scene.unit_id)
                .and_then(|u| u.shape.area.as_ref()?.bbox());
        }
        ui.toggle_value(&mut page.select_mode, t(lang, "map_select"))
            .on_hover_text(t(lang, "map_select_help"));
        ui.separator();
        ui.add(
            egui::TextEdit::singleline(&mut page.search)
                .hint_text(t(lang, "map_search_hint"))
                .desired_width(180.0),
        );
        let rect = page.map_rect;
        if rect.is_positive() {
            save_png_button(ui, cx, rect);
        }
    });
    // Customers are searched in the project once two characters are typed.
    let text = page.search.trim().to_string();
    if text.chars().count() >= 2 && page.search_asked.as_deref() != Some(text.as_str()) {
        page.search_asked = Some(text.clone());
        cx.spawn("job_map_search", jobs::map_search(scene.unit_id.clone(), text));
    }
}

pub(super) fn method_key(m: Method) -> &'static str {
    match m {
        Method::Quantile => "map_quantile",
        Method::EqualInterval => "map_equal",
    }
}
