//! The map of a scope (an org unit and a month): every layer read from the project and
//! prepared for drawing, in one value the map page holds. Built off the UI thread.

use chrono::{NaiveDate, NaiveDateTime};

use super::mercator::to_world;
use super::world::{WorldArea, world_lines};
use crate::audit::rules::Category;
use crate::geometry::geojson::Geometry;
use crate::geometry::shape::{BBox, Pt};
use crate::metrics::{indicators::LEADER_CARDS, kpi};
use crate::progress::Progress;
use crate::store::Project;
use crate::store::map::{self, LayerInfo, UnitShape};

/// How many of the largest customers the key-customer layer shows.
pub const KEY_CUSTOMERS: u32 = 300;

/// An org unit with its shape prepared.
#[derive(Debug, Clone)]
pub struct MapUnit {
    pub shape: UnitShape,
    pub world: Option<WorldArea>,
    pub seat_world: Option<Pt>,
}

/// A feature of the basemap or of an imported layer, prepared.
#[derive(Debug, Clone)]
pub struct MapFeature {
    pub kind: String,
    pub name: Option<String>,
    pub matched_id: Option<String>,
    /// Positions in degrees (points), for details.
    pub points: Vec<Pt>,
    pub points_world: Vec<Pt>,
    pub lines_world: Vec<Vec<Pt>>,
    pub area: Option<WorldArea>,
}

impl MapFeature {
    fn new(kind: String, name: Option<String>, matched_id: Option<String>, g: &Geometry) -> MapFeature {
        let mut f = MapFeature {
            kind,
            name,
            matched_id,
            points: Vec::new(),
            points_world: Vec::new(),
            lines_world: Vec::new(),
            area: None,
        };
        match g {
            Geometry::Points(p) => {
                f.points_world = p.iter().map(|p| to_world(*p)).collect();
                f.points = p.clone();
            }
            Geometry::Lines(l) => f.lines_world = world_lines(l),
            Geometry::Area(a) => f.area = Some(WorldArea::new(a)),
        }
        f
    }
}

/// An open suspect with the category of its rule.
#[derive(Debug, Clone)]
pub struct SceneSuspect {
    pub suspect: map::MapSuspect,
    pub category: Option<Category>,
}

#[derive(Debug, Clone)]
pub struct Scene {
    pub unit_id: String,
    pub month: NaiveDate,
    pub units: Vec<MapUnit>,
    /// Units whose stored boundary does not read, with why.
    pub problems: Vec<String>,
    /// The units drawn as the level being viewed: those one level down, or the unit itself.
    pub viewed: Vec<String>,
    /// The viewed units' values of the leaders' indicators, in `LEADER_CARDS` order.
    pub values: Vec<(String, Vec<Option<f64>>)>,
    pub basemap: Vec<MapFeature>,
    pub imported: Vec<(LayerInfo, Vec<MapFeature>)>,
    pub halls: Vec<map::ServicePoint>,
    pub key_customers: Vec<map::MapCustomer>,
    pub plans: Vec<map::PlanEntry>,
    pub outages: Vec<map::ActiveOutage>,
    pub outage_hours: Vec<(NaiveDateTime, u64)>,
    pub suspects: Vec<SceneSuspect>,
    /// Days with vehicle positions, newest first, the day shown and its fixes.
    pub vehicle_days: Vec<NaiveDate>,
    pub vehicle_day: Option<NaiveDate>,
    pub track: Vec<map::Fix>,
}

impl Scene {
    pub fn unit(&self, id: &str) -> Option<&MapUnit> {
        self.units.iter().find(|u| u.shape.unit_id == id)
    }

    /// What to zoom to for the scope: the unit's boundary, else its units' boundaries and
    /// seats, else the positions on its layers. None when the project places nothing.
    pub fn extent(&self) -> Option<BBox> {
        if let Some(b) = self
            .unit(&self.unit_id)
            .and_then(|u| u.shape.area.as_ref()?.bbox())
        {
            return Some(b);
        }
        let units = self.viewed.iter().filter_map(|id| self.unit(id)).flat_map(|u| {
            let area = u.shape.area.as_ref().and_then(|a| a.bbox());
            [area.map(|b| b.min), area.map(|b| b.max), u.shape.seat]
        });
        let points = self
            .halls
            .iter()
            .map(|h| h.at)
            .chain(self.key_customers.iter().map(|c| c.at));
        let all: Vec<Pt> = units.flatten().chain(points).collect();
        BBox::of_points(&all)
    }

    /// The indicator values of the viewed units for one indicator.
    pub fn values_of(&self, indicator: &str) -> Vec<(String, Option<f64>)> {
        let Some(i) = LEADER_CARDS.iter().position(|c| *c == indicator) else {
            return Vec::new();
        };
        self.values
            .iter()
            .map(|(u, v)| (u.clone(), v.get(i).copied().flatten()))
            .collect()
    }
}

/// The day whose vehicle positions to show for a month: the last day with positions up to
/// the month's end, else the earliest there is.
pub fn vehicle_day_for(days: &[NaiveDate], month: NaiveDate) -> Option<NaiveDate> {
    let end = month.checked_add_months(chrono::Months::new(1))?;
    days.iter().copied().find(|d| *d < end).or(days.last().copied())
}

/// Reads and prepares the map of `unit` in `month`.
pub fn load(project: &Project, unit: &str, month: NaiveDate, progress: &Progress) -> anyhow::Result<Scene> {
    let (shapes, problems) = map::unit_shapes(project)?;
    let children: Vec<String> = shapes
        .iter()
        .filter(|u| u.parent_id.as_deref() == Some(unit))
        .map(|u| u.unit_id.clone())
        .collect();
    let viewed = if children.is_empty() {
        vec![unit.to_string()]
    } else {
        children
    };
    let units = shapes
        .into_iter()
        .map(|s| MapUnit {
            world: s.area.as_ref().map(WorldArea::new),
            seat_world: s.seat.map(to_world),
            shape: s,
        })
        .collect();
    progress.check()?;
    let values = kpi::unit_values(project, month, &viewed, LEADER_CARDS)?;
    progress.check()?;
    let feature = |f: map::StoredFeature| {
        MapFeature::new(f.kind.unwrap_or_default(), f.name, f.matched_id, &f.geometry)
    };
    let basemap = map::layer_features(project, map::BASEMAP)?
        .into_iter()
        .map(feature)
        .collect();
    let mut imported = Vec::new();
    for info in map::layers(project)?
        .into_iter()
        .filter(|l| l.layer != map::BASEMAP)
    {
        let features = map::layer_features(project, &info.layer)?
            .into_iter()
            .map(feature)
            .collect();
        imported.push((info, features));
    }
    let rules = crate::audit::rules::builtin();
    let suspects = map::suspects(project, unit, month)?
        .into_iter()
        .map(|s| SceneSuspect {
            category: rules.iter().find(|r| r.id == s.rule_id).map(|r| r.category),
            suspect: s,
        })
        .collect();
    progress.check()?;
    let vehicle_days = map::vehicle_days(project, unit)?;
    let vehicle_day = vehicle_day_for(&vehicle_days, month);
    let track = match vehicle_day {
        Some(d) => map::vehicle_track(project, unit, d)?,
        None => Vec::new(),
    };
    Ok(Scene {
        unit_id: unit.to_string(),
        month,
        units,
        problems,
        viewed,
        values,
        basemap,
        imported,
        halls: map::service_points(project, unit, month)?,
        key_customers: map::key_customers(project, unit, month, KEY_CUSTOMERS)?,
        plans: map::orderly(project, unit, month)?,
        outages: map::outages_in_month(project, unit, month)?,
        outage_hours: map::outage_hours(project, unit, month)?,
        suspects,
        vehicle_days,
        vehicle_day,
        track,
    })
}

/// Where every customer of the unit's subtree is, in world coordinates.
pub fn customer_points(project: &Project, unit: &str) -> anyhow::Result<Vec<Pt>> {
    Ok(map::customer_points(project, unit)?
        .into_iter()
        .map(to_world)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vehicle_day_is_the_last_one_up_to_the_month() {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        let days = [d(12, 31), d(11, 3), d(10, 9)];
        assert_eq!(vehicle_day_for(&days, d(12, 1)), Some(d(12, 31)));
        assert_eq!(vehicle_day_for(&days, d(11, 1)), Some(d(11, 3)));
        // Before any: the earliest there is.
        assert_eq!(vehicle_day_for(&days, d(1, 1)), Some(d(10, 9)));
        assert_eq!(vehicle_day_for(&[], d(1, 1)), None);
    }
}
