//! The map's left panel: layers and their controls, the basemap, imported layers, and the
//! customers found by the search.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use egui::RichText;

use super::canvas::Picked;
use super::tiles::BasemapChoice;
use super::{MapPage, canvas, shed_per_unit};
use crate::geo::scene::Scene;
use crate::geometry::shape::{BBox, Pt};
use crate::metrics::format;
use crate::sample::calendar::days_in_month;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::t;
use crate::ui::jobs;
use crate::ui::page::{Command, Cx};

pub(super) fn layer_panel(
    page: &mut MapPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    scene: &Arc<Scene>,
    month: NaiveDate,
) {
    let lang = cx.lang;
    search_results(page, cx, ui, scene);
    ui.label(RichText::new(t(lang, "map_layers")).strong());
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
    let customers = match &page.customers.data {
        Some((s, Ok(p))) if s.unit_id == scene.unit_id => format!(" ({})", format::number(p.len() as f64, 0)),
        _ => String::new(),
    };
    ui.checkbox(
        &mut page.layers.customers,
        format!("{}{customers}", t(lang, "map_all_customers")),
    );
    ui.separator();
    ui.label(RichText::new(t(lang, "map_basemap")).strong());
    let mut choice = page.basemap.clone();
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
        cx.send(Command::Ask(Purpose::MapPmTiles));
    }
    ui.radio_value(&mut choice, BasemapChoice::OpenStreetMap, t(lang, "map_base_osm"))
        .on_hover_text(t(lang, "map_base_osm_help"));
    ui.radio_value(&mut choice, BasemapChoice::None, t(lang, "map_base_none"));
    page.basemap = choice;
    if let Some(e) = page.tiles.as_ref().and_then(|t| t.error.as_ref()) {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    ui.separator();
    ui.label(RichText::new(t(lang, "map_imported")).strong());
    let mut remove = None;
    for (info, features) in &scene.imported {
        ui.horizontal(|ui| {
            let mut shown = !page.layers.hidden.contains(&info.layer);
            if ui
                .checkbox(&mut shown, format!("{} ({})", info.layer, features.len()))
                .changed()
            {
                if shown {
                    page.layers.hidden.remove(&info.layer);
                } else {
                    page.layers.hidden.insert(info.layer.clone());
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
        cx.spawn("job_map_import", jobs::map_remove_layer(layer));
    }
    if ui.button(t(lang, "map_import_button")).clicked() {
        page.import.get_or_insert_with(Default::default);
    }
    if !scene.problems.is_empty() {
        ui.separator();
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!("{}: {}", t(lang, "map_bad_boundaries"), scene.problems.join("; ")),
        );
    }
    if let Some(d) = want_day {
        page.track_asked = Some(d);
        cx.spawn("job_map_track", jobs::map_track(scene.unit_id.clone(), d));
    }
}

pub(super) fn search_results(page: &mut MapPage, cx: &mut Cx, ui: &mut egui::Ui, scene: &Arc<Scene>) {
    let lang = cx.lang;
    let text = page.search.trim().to_lowercase();
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
    if let Some((asked, Ok(found))) = &page.searched
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
        page.fly_to = Some(b);
        page.picked = Some(p);
        page.pin = pin;
    }
    ui.separator();
}

/// A small box around a point, so flying to it zooms to street level.
pub(super) fn point_box(p: Pt) -> BBox {
    BBox {
        min: [p[0] - 0.01, p[1] - 0.008],
        max: [p[0] + 0.01, p[1] + 0.008],
    }
}
