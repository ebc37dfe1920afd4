//! What was picked on the map, in the right panel, and the customers picked with a box,
//! in the bottom panel.

use std::sync::Arc;

use egui::RichText;

use super::MapPage;
use super::canvas::{Frame, Picked};
use crate::geo::scene::Scene;
use crate::metrics::format;
use crate::metrics::indicators::{LEADER_CARDS, indicator};
use crate::store::map::BoxedCustomer;
use crate::ui::i18n::{Lang, t};
use crate::ui::page::{Command, Cx, Open, PageId};
use crate::ui::widgets::{code_label, data_buttons};

/// A line or two about a thing under the pointer.
pub(super) fn describe_short(
    scene: &Scene,
    p: &Picked,
    lang: Lang,
    f: &Frame,
    pin: Option<&BoxedCustomer>,
) -> String {
    describe(scene, p, lang, f, pin)
        .into_iter()
        .take(4)
        .map(|(k, v)| if k.is_empty() { v } else { format!("{k}: {v}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The details of a picked thing as (label, value) rows.
pub(super) fn describe(
    scene: &Scene,
    p: &Picked,
    lang: Lang,
    f: &Frame,
    pin: Option<&BoxedCustomer>,
) -> Vec<(String, String)> {
    let tr = |k: &str| t(lang, k).to_string();
    let code = |list: &str, c: &str| code_label(lang, list, c);
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

pub(super) fn detail_panel(page: &mut MapPage, cx: &mut Cx, ui: &mut egui::Ui, scene: &Arc<Scene>) {
    let lang = cx.lang;
    let Some(picked) = page.picked.clone() else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(lang, "map_details")).strong());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.small_button("×").clicked() {
                page.picked = None;
            }
        });
    });
    let frame = Frame {
        scene,
        layers: &page.layers,
        choropleth: None,
        value_labels: &[],
        customers: None,
        vehicles_at: page.vehicles_at(scene),
        outages_at: cx.period.map(|m| page.outages_at(m)).unwrap_or_default(),
        picked: None,
        pin: None,
        dark: ui.visuals().dark_mode,
        zh: lang == Lang::Zh,
        over_tiles: false,
        own_basemap: false,
        highlight: &[],
    };
    let rows = describe(scene, &picked, lang, &frame, page.pin.as_ref());
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
            cx.send(Command::SetUnit(u.clone()));
            page.picked = None;
        }
        if ui.button(t(lang, "map_open_leaders")).clicked() {
            cx.send(Command::SetUnit(u.clone()));
            cx.send(Command::Show(PageId::Leaders));
        }
        if ui.button(t(lang, "map_zoom_to")).clicked() {
            page.fly_to = scene.unit(&u).and_then(|x| x.shape.area.as_ref()?.bbox());
        }
    }
    if let Some(c) = customer {
        if ui.button(t(lang, "map_open_bills")).clicked() {
            cx.send(Command::OpenRows(
                format!("{} · {c}", t(lang, "map_bills_of")),
                crate::store::rows::RowsQuery {
                    failing: None,
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
            let suspect = match &picked {
                Picked::Suspect(key) => Some(key.clone()),
                _ => None,
            };
            cx.send(Command::Open(
                PageId::Audit,
                Open::Customer {
                    customer: c.clone(),
                    suspect,
                },
            ));
        }
    }
}

pub(super) fn boxed_panel(page: &mut MapPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let mut close = false;
    let Some(boxed) = page.boxed.clone() else {
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
                    data_buttons(ui, cx, &header, &body);
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
                        ui.label(code_label(lang, "customer_class", &r.class));
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
        page.boxed = None;
    }
}
