//! What the map reads and writes: org-unit shapes, the basemap, imported GeoJSON layers and
//! the layers of the map page (service points, vehicles, key customers, orderly plans,
//! outages, suspects, customers).

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use duckdb::params;

use super::Project;
use crate::geometry::geojson::{self, Feature, Geometry};
use crate::geometry::shape::{Area, Pt};

const UNIT_SHAPES: &str = "SELECT unit_id, parent_id, level, name_zh, coalesce(name_en, name_zh), \
     lon, lat, boundary FROM org_units ORDER BY unit_id";
const FEATURES_OF_LAYER: &str =
    "SELECT kind, name, geometry, matched_id FROM map_features WHERE layer = $1 ORDER BY feature_no";
const LAYERS: &str = "SELECT layer, source_file, match_kind, match_property, imported_at, \
     (SELECT count(*) FROM map_features f WHERE f.layer = l.layer) \
     FROM map_layers l WHERE layer <> 'boundaries' ORDER BY layer";
const DELETE_LAYER: &str = "DELETE FROM map_features WHERE layer = $1";
const INSERT_FEATURE: &str = "INSERT INTO map_features VALUES ($1, $2, $3, $4, $5, $6, $7)";
const RECORD_LAYER: &str = "INSERT OR REPLACE INTO map_layers VALUES ($1, $2, $3, $4, now()::TIMESTAMP)";
const SET_BOUNDARY: &str = "UPDATE org_units SET boundary = $2 WHERE unit_id = $1";
const SERVICE_POINTS: &str = include_str!("sql/map_service_points.sql");
const VEHICLE_DAYS: &str = include_str!("sql/map_vehicle_days.sql");
const VEHICLE_TRACK: &str = include_str!("sql/map_vehicle_track.sql");
/// The largest customers of the month (from the bills, or from the prebuilt top of each
/// unit), then the same details for either.
const KEY_CUSTOMERS: &str = concat!(
    include_str!("sql/map_key_customers.sql"),
    include_str!("sql/map_key_customers_details.sql")
);
const KEY_CUSTOMERS_SUMS: &str = concat!(
    include_str!("sql/map_key_customers_sums.sql"),
    include_str!("sql/map_key_customers_details.sql")
);
const ORDERLY: &str = include_str!("sql/map_orderly.sql");
const OUTAGES_IN_MONTH: &str = include_str!("sql/map_outages_in_month.sql");
const SEARCH_CUSTOMERS: &str = include_str!("sql/map_search_customers.sql");
const OUTAGE_HOURS: &str = include_str!("sql/map_outage_hours.sql");
const SUSPECTS: &str = include_str!("sql/map_suspects.sql");
const CUSTOMER_POINTS: &str = include_str!("sql/map_customer_points.sql");
const CUSTOMERS_IN_BOX: &str = include_str!("sql/map_customers_in_box.sql");

/// The layer name of the basemap in `map_features`.
pub const BASEMAP: &str = "basemap";
/// The file a folder of extracts carries its basemap in.
pub const BASEMAP_FILE: &str = "basemap.geojson";

/// An org unit as the map draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitShape {
    pub unit_id: String,
    pub parent_id: Option<String>,
    pub level: String,
    pub name_zh: String,
    pub name_en: String,
    pub seat: Option<Pt>,
    pub area: Option<Area>,
}

/// Every org unit with its seat and boundary, and the units whose stored boundary does not
/// read (with why): those are drawn as a seat only.
pub fn unit_shapes(project: &Project) -> anyhow::Result<(Vec<UnitShape>, Vec<String>)> {
    let mut stmt = project.conn().prepare(UNIT_SHAPES)?;
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let unit_id: String = r.get(0)?;
        let (lon, lat): (Option<f64>, Option<f64>) = (r.get(5)?, r.get(6)?);
        let boundary: Option<String> = r.get(7)?;
        let area = match boundary.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            None => None,
            Some(b) => match geojson::parse_area(b) {
                Ok(a) => Some(a),
                Err(e) => {
                    problems.push(format!("{unit_id}: {e}"));
                    None
                }
            },
        };
        out.push(UnitShape {
            parent_id: r.get(1)?,
            level: r.get(2)?,
            name_zh: r.get(3)?,
            name_en: r.get(4)?,
            seat: lon.zip(lat).map(|(x, y)| [x, y]),
            area,
            unit_id,
        });
    }
    Ok((out, problems))
}

/// A feature of a stored layer.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFeature {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub geometry: Geometry,
    pub matched_id: Option<String>,
}

pub fn layer_features(project: &Project, layer: &str) -> anyhow::Result<Vec<StoredFeature>> {
    let mut stmt = project.conn().prepare(FEATURES_OF_LAYER)?;
    let mut rows = stmt.query([layer])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let text: String = r.get(2)?;
        let v: serde_json::Value = serde_json::from_str(&text)?;
        out.push(StoredFeature {
            kind: r.get(0)?,
            name: r.get(1)?,
            geometry: geojson::geometry(&v, None)?,
            matched_id: r.get(3)?,
        });
    }
    Ok(out)
}

/// An imported point layer, as the layer list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerInfo {
    pub layer: String,
    pub source_file: Option<String>,
    pub match_kind: Option<String>,
    pub match_property: Option<String>,
    pub imported_at: NaiveDateTime,
    pub features: u64,
}

/// The basemap and the imported layers.
pub fn layers(project: &Project) -> anyhow::Result<Vec<LayerInfo>> {
    let mut stmt = project.conn().prepare(LAYERS)?;
    let rows = stmt.query_map([], |r| {
        Ok(LayerInfo {
            layer: r.get(0)?,
            source_file: r.get(1)?,
            match_kind: r.get(2)?,
            match_property: r.get(3)?,
            imported_at: r.get(4)?,
            features: r.get::<_, i64>(5)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What features of an imported layer are matched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchTo {
    Nothing,
    /// Org units, by id or name (Chinese or English).
    Units,
    /// Customers, by number or name.
    Customers,
}

impl MatchTo {
    fn id(self) -> Option<&'static str> {
        match self {
            MatchTo::Nothing => None,
            MatchTo::Units => Some("unit"),
            MatchTo::Customers => Some("customer"),
        }
    }
}

/// What an import of a GeoJSON file did.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoImport {
    pub features: usize,
    pub matched: usize,
    /// Features whose property matched nothing: (feature number, the value).
    pub unmatched: Vec<(usize, String)>,
}

fn read_features(path: &Path) -> anyhow::Result<Vec<Feature>> {
    let bytes = std::fs::read(path)
        .map_err(|e| crate::said!("cannot read {}: {:#}", "无法读取 {}：{:#}", path.display(), e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        crate::said!(
            "{}: not UTF-8 text (byte {}); GeoJSON files are UTF-8",
            "{}：不是 UTF-8 文本（第 {} 字节）；GeoJSON 文件应为 UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let features = geojson::parse(&text).map_err(|e| crate::said!("{}: {e}", "{}：{e}", path.display()))?;
    if features.is_empty() {
        crate::bail_say!(
            "{}: the file has no features",
            "{}：文件中没有要素",
            path.display()
        );
    }
    Ok(features)
}

/// How many features a GeoJSON file has and the property names they use (in order of first
/// use), for the import form to offer; the file is checked as an import would check it.
pub fn file_properties(path: &Path) -> anyhow::Result<(usize, Vec<String>)> {
    let features = read_features(path)?;
    let mut keys: Vec<String> = Vec::new();
    for f in &features {
        for k in f.properties.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    Ok((features.len(), keys))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Finds the id a property value names: exact id first, then a name, ignoring case.
fn matcher(project: &Project, to: MatchTo) -> anyhow::Result<std::collections::HashMap<String, String>> {
    let sql = match to {
        MatchTo::Nothing => return Ok(Default::default()),
        MatchTo::Units => "SELECT unit_id, name_zh, name_en FROM org_units",
        MatchTo::Customers => "SELECT customer_id, name, NULL::VARCHAR FROM customers",
    };
    let mut stmt = project.conn().prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut by_name = std::collections::HashMap::new();
    let mut by_id = std::collections::HashMap::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        for col in [1, 2] {
            if let Some(n) = r.get::<_, Option<String>>(col)? {
                by_name
                    .entry(n.trim().to_lowercase())
                    .or_insert_with(|| id.clone());
            }
        }
        by_id.insert(id.to_lowercase(), id);
    }
    // Ids win over names.
    by_name.extend(by_id);
    Ok(by_name)
}

fn property_or_fail(f: &Feature, property: &str, path: &Path) -> anyhow::Result<String> {
    f.property(property).filter(|v| !v.is_empty()).ok_or_else(|| {
        let keys: Vec<&str> = f.properties.keys().map(String::as_str).collect();
        crate::said!(
            "{}: feature {} has no property \"{property}\" (its properties: {})",
            "{}：要素 {} 没有属性“{property}”（它的属性：{}）",
            path.display(),
            f.number,
            if keys.is_empty() {
                "none".to_string()
            } else {
                keys.join(", ")
            }
        )
    })
}

/// Replaces the boundaries of the org units that the features' `property` names (by unit
/// id or name). The whole file is checked first; nothing changes unless every feature is a
/// valid polygon, at least one matches and no two match the same unit.
pub fn import_boundaries(project: &Project, path: &Path, property: &str) -> anyhow::Result<GeoImport> {
    let features = read_features(path)?;
    let ids = matcher(project, MatchTo::Units)?;
    let mut matched: Vec<(String, &Area, usize)> = Vec::new();
    let mut unmatched = Vec::new();
    for f in &features {
        let Geometry::Area(area) = &f.geometry else {
            crate::bail_say!(
                "{}: feature {} is a {}; boundaries must be polygons",
                "{}：要素 {} 是{}；边界必须是多边形",
                path.display(),
                f.number,
                f.geometry.kind()
            );
        };
        let value = property_or_fail(f, property, path)?;
        match ids.get(&value.to_lowercase()) {
            Some(id) => {
                if let Some((_, _, other)) = matched.iter().find(|(u, _, _)| u == id) {
                    crate::bail_say!(
                        "{}: features {other} and {} both name unit {id}; a unit has one boundary",
                        "{}：要素 {other} 和 {} 都指向单位 {id}；一个单位只能有一个边界",
                        path.display(),
                        f.number
                    );
                }
                matched.push((id.clone(), area, f.number));
            }
            None => unmatched.push((f.number, value)),
        }
    }
    if matched.is_empty() {
        let examples: Vec<&str> = unmatched.iter().take(3).map(|(_, v)| v.as_str()).collect();
        crate::bail_say!(
            "{}: no feature's \"{property}\" names an org unit (values such as {}); choose the property that holds the unit code or name",
            "{}：没有要素的“{property}”对应到组织单位（取值例如 {}）；请选择存放单位编码或名称的属性",
            path.display(),
            examples.join(", ")
        );
    }
    project.transaction(|p| {
        let mut stmt = p.conn().prepare(SET_BOUNDARY)?;
        for (id, area, _) in &matched {
            stmt.execute(params![id, geojson::area_to_geojson(area)])?;
        }
        p.conn().execute(
            RECORD_LAYER,
            params!["boundaries", file_name(path), "unit", property],
        )?;
        Ok(())
    })?;
    Ok(GeoImport {
        features: features.len(),
        matched: matched.len(),
        unmatched,
    })
}

/// A feature ready to be stored: number, kind, name, GeoJSON geometry, matched id,
/// properties as JSON.
type FeatureRow = (usize, String, Option<String>, String, Option<String>, String);

/// A layer read and matched, ready to be stored.
pub struct PreparedLayer {
    layer: String,
    file: String,
    to: MatchTo,
    property: Option<String>,
    rows: Vec<FeatureRow>,
    pub report: GeoImport,
}

/// Reads a GeoJSON file as a named layer, its features matched to org units or customers
/// by `property`; nothing is written. For the basemap, features carry their kind (water,
/// river, road, place) and name in the properties "kind" and "name".
pub fn prepare_layer(
    project: &Project,
    path: &Path,
    layer: &str,
    property: Option<&str>,
    to: MatchTo,
) -> anyhow::Result<PreparedLayer> {
    let layer = layer.trim();
    if layer.is_empty() || layer == "boundaries" {
        crate::bail_say!(
            "a layer needs a name (other than \"boundaries\")",
            "图层需要一个名称（不能是“boundaries”）"
        );
    }
    let features = read_features(path)?;
    let ids = matcher(project, to)?;
    let mut rows = Vec::with_capacity(features.len());
    let mut unmatched = Vec::new();
    for f in &features {
        let matched = match (to, property) {
            (MatchTo::Nothing, _) | (_, None) => None,
            (_, Some(prop)) => {
                let value = property_or_fail(f, prop, path)?;
                let id = ids.get(&value.to_lowercase()).cloned();
                if id.is_none() {
                    unmatched.push((f.number, value));
                }
                id
            }
        };
        let name = ["name", "name_zh", "名称", "NAME", "title"]
            .iter()
            .find_map(|k| f.property(k));
        let kind = f
            .property("kind")
            .unwrap_or_else(|| f.geometry.kind().to_string());
        let props = serde_json::Value::Object(f.properties.clone()).to_string();
        rows.push((
            f.number,
            kind,
            name,
            geojson::to_geojson(&f.geometry),
            matched,
            props,
        ));
    }
    if to != MatchTo::Nothing && rows.iter().all(|r| r.4.is_none()) {
        crate::bail_say!(
            "{}: no feature's \"{}\" names a {}; choose another property or import without matching",
            "{}：没有要素的“{}”对应到{}；请选择其他属性，或不匹配直接导入",
            path.display(),
            property.unwrap_or(""),
            to.id().unwrap_or("")
        );
    }
    let matched = rows.iter().filter(|r| r.4.is_some()).count();
    Ok(PreparedLayer {
        layer: layer.to_string(),
        file: file_name(path),
        to,
        property: property.map(str::to_string),
        report: GeoImport {
            features: rows.len(),
            matched,
            unmatched,
        },
        rows,
    })
}

/// Stores a prepared layer in place of any layer of that name. Runs inside the caller's
/// transaction.
pub fn store_layer(p: &Project, l: &PreparedLayer) -> anyhow::Result<()> {
    p.conn().execute(DELETE_LAYER, [&l.layer])?;
    let mut stmt = p.conn().prepare(INSERT_FEATURE)?;
    for (no, kind, name, geom, id, props) in &l.rows {
        stmt.execute(params![l.layer, *no as i64, kind, name, geom, id, props])?;
    }
    p.conn()
        .execute(RECORD_LAYER, params![l.layer, l.file, l.to.id(), l.property])?;
    Ok(())
}

/// Reads and stores a GeoJSON file as a named layer in one transaction.
pub fn import_layer(
    project: &Project,
    path: &Path,
    layer: &str,
    property: Option<&str>,
    to: MatchTo,
) -> anyhow::Result<GeoImport> {
    let prepared = prepare_layer(project, path, layer, property, to)?;
    project.transaction(|p| store_layer(p, &prepared))?;
    Ok(prepared.report)
}

/// Removes an imported layer.
pub fn remove_layer(project: &Project, layer: &str) -> anyhow::Result<()> {
    project.transaction(|p| {
        p.conn()
            .execute("DELETE FROM map_features WHERE layer = $1", [layer])?;
        p.conn()
            .execute("DELETE FROM map_layers WHERE layer = $1", [layer])?;
        Ok(())
    })
}

/// A service hall or station.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePoint {
    pub point_id: String,
    pub unit_id: String,
    pub point_type: String,
    pub name_zh: String,
    pub name_en: String,
    pub opening_hours: Option<String>,
    pub staff: Option<i64>,
    pub at: Pt,
    /// 95598 tickets received by its unit in the month.
    pub unit_tickets: u64,
}

pub fn service_points(project: &Project, unit: &str, month: NaiveDate) -> anyhow::Result<Vec<ServicePoint>> {
    let mut stmt = project.conn().prepare(SERVICE_POINTS)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok(ServicePoint {
            point_id: r.get(0)?,
            unit_id: r.get(1)?,
            point_type: r.get(2)?,
            name_zh: r.get(3)?,
            name_en: r.get(4)?,
            opening_hours: r.get(5)?,
            staff: r.get(6)?,
            at: [r.get(7)?, r.get(8)?],
            unit_tickets: r.get::<_, i64>(9)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn vehicle_days(project: &Project, unit: &str) -> anyhow::Result<Vec<NaiveDate>> {
    let mut stmt = project.conn().prepare(VEHICLE_DAYS)?;
    let rows = stmt.query_map([unit], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A position fix of a repair vehicle.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub vehicle_id: String,
    pub plate: String,
    pub unit_id: String,
    pub ts: NaiveDateTime,
    pub at: Pt,
    pub status: String,
}

/// A day of fixes, by vehicle and time.
pub fn vehicle_track(project: &Project, unit: &str, day: NaiveDate) -> anyhow::Result<Vec<Fix>> {
    let mut stmt = project.conn().prepare(VEHICLE_TRACK)?;
    let rows = stmt.query_map(params![unit, day], |r| {
        Ok(Fix {
            vehicle_id: r.get(0)?,
            plate: r.get(1)?,
            unit_id: r.get(2)?,
            ts: r.get(3)?,
            at: [r.get(4)?, r.get(5)?],
            status: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Each vehicle's last fix at or before `at` (fixes sorted by vehicle and time).
pub fn positions_at(track: &[Fix], at: NaiveDateTime) -> Vec<&Fix> {
    track
        .chunk_by(|a, b| a.vehicle_id == b.vehicle_id)
        .filter_map(|fixes| {
            let n = fixes.partition_point(|f| f.ts <= at);
            n.checked_sub(1).map(|i| &fixes[i])
        })
        .collect()
}

/// A key customer on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapCustomer {
    pub customer_id: String,
    pub name: String,
    pub unit_id: String,
    pub class: String,
    pub at: Pt,
    pub kwh: f64,
    pub kwh_year_ago: Option<f64>,
    pub open_suspects: u64,
}

impl MapCustomer {
    /// The change against the same month a year before, as a fraction.
    pub fn trend(&self) -> Option<f64> {
        self.kwh_year_ago.filter(|y| *y > 0.0).map(|y| self.kwh / y - 1.0)
    }
}

/// The `n` customers with the most kWh in the month, from the prebuilt monthly top 300 of
/// each unit when it is current.
pub fn key_customers(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    n: u32,
) -> anyhow::Result<Vec<MapCustomer>> {
    let prebuilt = n <= 300 && super::market::sums_ready(project, "month_top_unit_month", month);
    key_customers_with(
        project,
        if prebuilt {
            KEY_CUSTOMERS_SUMS
        } else {
            KEY_CUSTOMERS
        },
        unit,
        month,
        n,
    )
}

/// The same, read from the data tables (what the prebuilt table must agree with).
pub fn key_customers_from_data(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    n: u32,
) -> anyhow::Result<Vec<MapCustomer>> {
    key_customers_with(project, KEY_CUSTOMERS, unit, month, n)
}

fn key_customers_with(
    project: &Project,
    sql: &str,
    unit: &str,
    month: NaiveDate,
    n: u32,
) -> anyhow::Result<Vec<MapCustomer>> {
    let mut stmt = project.conn().prepare(sql)?;
    let rows = stmt.query_map(params![unit, month, n as i64], |r| {
        Ok(MapCustomer {
            customer_id: r.get(0)?,
            name: r.get(1)?,
            unit_id: r.get(2)?,
            class: r.get(3)?,
            at: [r.get(4)?, r.get(5)?],
            kwh: r.get::<_, Option<f64>>(6)?.unwrap_or(0.0),
            kwh_year_ago: r.get(7)?,
            open_suspects: r.get::<_, i64>(8)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A customer in the orderly consumption plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEntry {
    pub plan_id: String,
    pub customer_id: String,
    pub name: String,
    pub unit_id: String,
    pub level: String,
    pub shed_kw: f64,
    pub at: Pt,
}

pub fn orderly(project: &Project, unit: &str, month: NaiveDate) -> anyhow::Result<Vec<PlanEntry>> {
    let mut stmt = project.conn().prepare(ORDERLY)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok(PlanEntry {
            plan_id: r.get(0)?,
            customer_id: r.get(1)?,
            name: r.get(2)?,
            unit_id: r.get(3)?,
            level: r.get(4)?,
            shed_kw: r.get::<_, Option<f64>>(5)?.unwrap_or(0.0),
            at: [r.get(6)?, r.get(7)?],
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An outage in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveOutage {
    pub outage_id: String,
    pub unit_id: String,
    pub feeder_id: String,
    pub start_at: NaiveDateTime,
    pub end_at: Option<NaiveDateTime>,
    pub planned: bool,
    pub cause: String,
    pub customers_affected: u64,
}

/// Outages in progress at some time in the month.
pub fn outages_in_month(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> anyhow::Result<Vec<ActiveOutage>> {
    let mut stmt = project.conn().prepare(OUTAGES_IN_MONTH)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok(ActiveOutage {
            outage_id: r.get(0)?,
            unit_id: r.get(1)?,
            feeder_id: r.get(2)?,
            start_at: r.get(3)?,
            end_at: r.get(4)?,
            planned: r.get(5)?,
            cause: r.get(6)?,
            customers_affected: r.get::<_, Option<i64>>(7)?.unwrap_or(0).max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The outages of a list in progress at a moment.
pub fn active_at(outages: &[ActiveOutage], at: NaiveDateTime) -> Vec<&ActiveOutage> {
    outages
        .iter()
        .filter(|o| o.start_at <= at && o.end_at.is_none_or(|e| e > at))
        .collect()
}

/// Outages starting in each hour of the month: (hour, outages).
pub fn outage_hours(
    project: &Project,
    unit: &str,
    month: NaiveDate,
) -> anyhow::Result<Vec<(NaiveDateTime, u64)>> {
    let mut stmt = project.conn().prepare(OUTAGE_HOURS)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok((r.get(0)?, r.get::<_, i64>(1)?.max(0) as u64))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An open audit suspect on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSuspect {
    pub key: String,
    pub rule_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub unit_id: String,
    pub amount: f64,
    pub status: String,
    pub at: Pt,
}

pub fn suspects(project: &Project, unit: &str, month: NaiveDate) -> anyhow::Result<Vec<MapSuspect>> {
    let mut stmt = project.conn().prepare(SUSPECTS)?;
    let rows = stmt.query_map(params![unit, month], |r| {
        Ok(MapSuspect {
            key: r.get(0)?,
            rule_id: r.get(1)?,
            entity_type: r.get(2)?,
            entity_id: r.get(3)?,
            unit_id: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            amount: r.get(5)?,
            status: r.get(6)?,
            at: [r.get(7)?, r.get(8)?],
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Where every customer of the subtree is.
pub fn customer_points(project: &Project, unit: &str) -> anyhow::Result<Vec<Pt>> {
    let mut stmt = project.conn().prepare(CUSTOMER_POINTS)?;
    let rows = stmt.query_map([unit], |r| Ok([r.get(0)?, r.get(1)?]))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A customer picked on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxedCustomer {
    pub customer_id: String,
    pub name: String,
    pub unit_id: String,
    pub class: String,
    pub status: String,
    pub at: Pt,
    pub kwh: Option<f64>,
}

fn boxed_customers(mut rows: duckdb::Rows<'_>) -> anyhow::Result<(Vec<BoxedCustomer>, u64)> {
    let mut total = 0u64;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        total = r.get::<_, i64>(8)?.max(0) as u64;
        out.push(BoxedCustomer {
            customer_id: r.get(0)?,
            name: r.get(1)?,
            unit_id: r.get(2)?,
            class: r.get(3)?,
            status: r.get(4)?,
            at: [r.get(5)?, r.get(6)?],
            kwh: r.get(7)?,
        });
    }
    Ok((out, total))
}

/// Customers whose number starts with, or whose name contains, `text` (any case).
pub fn search_customers(
    project: &Project,
    unit: &str,
    text: &str,
    limit: u32,
) -> anyhow::Result<Vec<BoxedCustomer>> {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = project.conn().prepare(SEARCH_CUSTOMERS)?;
    Ok(boxed_customers(stmt.query(params![unit, text, limit as i64])?)?.0)
}

/// Customers inside a box ([west, south], [east, north]), at most `limit`, and how many are
/// inside in all.
pub fn customers_in_box(
    project: &Project,
    unit: &str,
    min: Pt,
    max: Pt,
    month: NaiveDate,
    limit: u32,
) -> anyhow::Result<(Vec<BoxedCustomer>, u64)> {
    let mut stmt = project.conn().prepare(CUSTOMERS_IN_BOX)?;
    boxed_customers(stmt.query(params![unit, min[0], min[1], max[0], max[1], month, limit as i64])?)
}
