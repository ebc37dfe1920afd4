//! Jobs of the map page.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::pages::page_read;
use super::{Msg, Scope, finish, open_project_in};
use crate::progress::Progress;
use crate::worker::WorkerState;

pub fn map_scene(scope: Scope) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, month| {
            Ok(std::sync::Arc::new(crate::geo::scene::load(
                p,
                &scope.unit_id,
                month,
                progress,
            )?))
        });
        finish(r, |r| Msg::Map(scope, r))
    }
}

pub fn map_customers(scope: Scope) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            Ok(std::sync::Arc::new(crate::geo::scene::customer_points(
                p,
                &scope.unit_id,
            )?))
        })();
        finish(r, |r| Msg::MapCustomers(scope, r))
    }
}

pub fn map_track(unit: String, day: NaiveDate) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state).and_then(|p| crate::store::map::vehicle_track(p, &unit, day));
        finish(r, |r| Msg::MapTrack(day, r))
    }
}

pub fn map_search(unit: String, text: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state).and_then(|p| crate::store::map::search_customers(p, &unit, &text, 20));
        finish(r, |r| Msg::MapSearch(text, r))
    }
}

/// Customers shown in the table of a box selection at most.
pub const BOX_LIMIT: u32 = 5_000;

pub fn map_box(
    unit: String,
    min: crate::geometry::shape::Pt,
    max: crate::geometry::shape::Pt,
    month: NaiveDate,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state)
            .and_then(|p| crate::store::map::customers_in_box(p, &unit, min, max, month, BOX_LIMIT));
        finish(r, Msg::MapBox)
    }
}

pub fn map_file(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |_, _| {
        let r = crate::store::map::file_properties(&path);
        finish(r, |r| Msg::MapFile(path, r))
    }
}

/// What a GeoJSON file becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoTarget {
    Boundaries {
        property: String,
    },
    Layer {
        name: String,
        property: Option<String>,
        to: crate::store::map::MatchTo,
    },
}

pub fn map_import(
    path: PathBuf,
    target: GeoTarget,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    use crate::store::map;
    move |state, _| {
        let r = open_project_in(state).and_then(|p| {
            let (what, r) = match &target {
                GeoTarget::Boundaries { property } => {
                    ("boundaries", map::import_boundaries(p, &path, property)?)
                }
                GeoTarget::Layer { name, property, to } => (
                    name.as_str(),
                    map::import_layer(p, &path, name, property.as_deref(), *to)?,
                ),
            };
            let mut text = crate::say!(
                "{}: {} features, {} matched",
                "{}：{} 个要素，匹配 {} 个",
                what,
                r.features,
                r.matched
            );
            if !r.unmatched.is_empty() {
                let list: Vec<String> = r
                    .unmatched
                    .iter()
                    .take(5)
                    .map(|(n, v)| format!("#{n} {v}"))
                    .collect();
                let more = r.unmatched.len().saturating_sub(5);
                let tail = match more {
                    0 => crate::say!("; not matched: {}", "；未匹配：{}", list.join(", ")),
                    n => crate::say!(
                        "; not matched: {} and {} more",
                        "；未匹配：{} 等，另有 {} 个",
                        list.join(", "),
                        n
                    ),
                };
                text.en.push_str(&tail.en);
                text.zh.push_str(&tail.zh);
            }
            Ok(text.pick(crate::text::prefers_zh()).to_string())
        });
        finish(r, Msg::MapImported)
    }
}

pub fn map_remove_layer(layer: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state)
            .and_then(|p| crate::store::map::remove_layer(p, &layer))
            .map(|()| {
                crate::say!("{}: removed", "{}：已移除", layer)
                    .pick(crate::text::prefers_zh())
                    .to_string()
            });
        finish(r, Msg::MapImported)
    }
}
