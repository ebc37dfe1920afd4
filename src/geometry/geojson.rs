//! GeoJSON (RFC 7946) in and out: features with their properties and geometry, checked
//! the way a map needs them (positions in range, rings closed and not crossing themselves),
//! with messages that name the feature and what is wrong with it.

use serde_json::{Map, Value};

use super::shape::{Area, BBox, Polygon, Pt};

/// A geometry the map can draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Points(Vec<Pt>),
    Lines(Vec<Vec<Pt>>),
    Area(Area),
}

impl Geometry {
    pub fn bbox(&self) -> Option<BBox> {
        match self {
            Geometry::Points(p) => BBox::of_points(p),
            Geometry::Lines(l) => BBox::of_points(l.iter().flatten()),
            Geometry::Area(a) => a.bbox(),
        }
    }

    /// A kind name for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Geometry::Points(_) => "point",
            Geometry::Lines(_) => "line",
            Geometry::Area(_) => "polygon",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// Its place in the file, from 1.
    pub number: usize,
    pub properties: Map<String, Value>,
    pub geometry: Geometry,
}

impl Feature {
    /// A property as text (strings as they are, numbers printed), for matching.
    pub fn property(&self, key: &str) -> Option<String> {
        match self.properties.get(key)? {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// What is wrong with a file, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", feature.map(|n| format!("feature {n}: ")).unwrap_or_default())]
pub struct GeoJsonError {
    pub feature: Option<usize>,
    pub message: String,
}

fn err<T>(feature: Option<usize>, message: impl Into<String>) -> Result<T, GeoJsonError> {
    Err(GeoJsonError {
        feature,
        message: message.into(),
    })
}

/// The features of a FeatureCollection, a single Feature or a bare geometry.
pub fn parse(text: &str) -> Result<Vec<Feature>, GeoJsonError> {
    let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| GeoJsonError {
        feature: None,
        message: format!(
            "not JSON (line {}, column {}: {e}); a GeoJSON file is a JSON text",
            e.line(),
            e.column()
        ),
    })?;
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "FeatureCollection" => {
            let Some(list) = v.get("features").and_then(Value::as_array) else {
                return err(None, "a FeatureCollection without a \"features\" array");
            };
            list.iter().enumerate().map(|(i, f)| feature(f, i + 1)).collect()
        }
        "Feature" => Ok(vec![feature(&v, 1)?]),
        "" => err(
            None,
            "no \"type\": not GeoJSON (expected a FeatureCollection, a Feature or a geometry)",
        ),
        _ => Ok(vec![Feature {
            number: 1,
            properties: Map::new(),
            geometry: geometry(&v, Some(1))?,
        }]),
    }
}

fn feature(v: &Value, number: usize) -> Result<Feature, GeoJsonError> {
    let at = Some(number);
    if v.get("type").and_then(Value::as_str) != Some("Feature") {
        return err(at, "not a Feature object");
    }
    let properties = match v.get("properties") {
        Some(Value::Object(m)) => m.clone(),
        Some(Value::Null) | None => Map::new(),
        Some(_) => return err(at, "\"properties\" is not an object"),
    };
    let Some(g) = v.get("geometry").filter(|g| !g.is_null()) else {
        return err(at, "has no geometry");
    };
    Ok(Feature {
        number,
        properties,
        geometry: geometry(g, at)?,
    })
}

/// One geometry object, checked.
pub fn geometry(v: &Value, at: Option<usize>) -> Result<Geometry, GeoJsonError> {
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("(none)");
    let c = v.get("coordinates");
    let need = |c: Option<&Value>| -> Result<Value, GeoJsonError> {
        c.cloned().ok_or(GeoJsonError {
            feature: at,
            message: format!("{kind} without coordinates"),
        })
    };
    match kind {
        "Point" => Ok(Geometry::Points(vec![position(&need(c)?, at)?])),
        "MultiPoint" => Ok(Geometry::Points(positions(&need(c)?, at)?)),
        "LineString" => Ok(Geometry::Lines(vec![line(&need(c)?, at)?])),
        "MultiLineString" => Ok(Geometry::Lines(
            array(&need(c)?, at)?
                .iter()
                .map(|l| line(l, at))
                .collect::<Result<_, _>>()?,
        )),
        "Polygon" => Ok(Geometry::Area(Area {
            polygons: vec![polygon(&need(c)?, at, 1)?],
        })),
        "MultiPolygon" => Ok(Geometry::Area(Area {
            polygons: array(&need(c)?, at)?
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, at, i + 1))
                .collect::<Result<_, _>>()?,
        })),
        "GeometryCollection" => err(at, "a GeometryCollection; split it into one feature per geometry"),
        other => err(
            at,
            format!(
                "unknown geometry type \"{other}\" (expected Point, LineString, Polygon or their Multi forms)"
            ),
        ),
    }
}

fn array(v: &Value, at: Option<usize>) -> Result<&Vec<Value>, GeoJsonError> {
    v.as_array().ok_or(GeoJsonError {
        feature: at,
        message: format!("coordinates are not an array: {}", short(v)),
    })
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

fn position(v: &Value, at: Option<usize>) -> Result<Pt, GeoJsonError> {
    let a = array(v, at)?;
    let (Some(lon), Some(lat)) = (
        a.first().and_then(Value::as_f64),
        a.get(1).and_then(Value::as_f64),
    ) else {
        return err(
            at,
            format!("a position is not [longitude, latitude]: {}", short(v)),
        );
    };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return err(
            at,
            format!(
                "position [{lon}, {lat}] is out of range (longitude -180..180, latitude -90..90); \
                 the file may be in a projected system: save it as WGS 84 (EPSG:4326)"
            ),
        );
    }
    Ok([lon, lat])
}

fn positions(v: &Value, at: Option<usize>) -> Result<Vec<Pt>, GeoJsonError> {
    array(v, at)?.iter().map(|p| position(p, at)).collect()
}

fn line(v: &Value, at: Option<usize>) -> Result<Vec<Pt>, GeoJsonError> {
    let l = positions(v, at)?;
    if l.len() < 2 {
        return err(at, "a line with fewer than 2 positions");
    }
    Ok(l)
}

fn polygon(v: &Value, at: Option<usize>, part: usize) -> Result<Polygon, GeoJsonError> {
    let rings = array(v, at)?;
    if rings.is_empty() {
        return err(at, format!("polygon {part} has no rings"));
    }
    let mut out = Vec::with_capacity(rings.len());
    for (r, ring) in rings.iter().enumerate() {
        let mut pts = positions(ring, at)?;
        let which = format!("polygon {part}, ring {}", r + 1);
        if pts.len() >= 2 && pts.first() == pts.last() {
            pts.pop();
        }
        pts.dedup();
        if pts.len() < 3 {
            return err(at, format!("{which} has fewer than 3 distinct positions"));
        }
        if let Some(p) = self_intersection(&pts) {
            return err(
                at,
                format!(
                    "{which} crosses itself near [{:.5}, {:.5}]; repair it in your GIS (e.g. \"fix geometries\")",
                    p[0], p[1]
                ),
            );
        }
        out.push(pts);
    }
    Ok(Polygon { rings: out })
}

/// Where a ring crosses or touches itself (other than neighbouring edges meeting at their
/// shared vertex), if it does. Edges are swept in order of their left end, so only edges
/// whose x ranges overlap are compared.
pub fn self_intersection(ring: &[Pt]) -> Option<Pt> {
    let n = ring.len();
    let seg = |i: usize| (ring[i], ring[(i + 1) % n]);
    let mut order: Vec<usize> = (0..n).collect();
    let minx = |i: usize| seg(i).0[0].min(seg(i).1[0]);
    let maxx = |i: usize| seg(i).0[0].max(seg(i).1[0]);
    order.sort_by(|a, b| minx(*a).total_cmp(&minx(*b)));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if minx(j) > maxx(i) {
                break;
            }
            let adjacent = (i + 1) % n == j || (j + 1) % n == i;
            if adjacent {
                continue;
            }
            let (a, b) = seg(i);
            let (c, d) = seg(j);
            if let Some(p) = segments_meet(a, b, c, d) {
                return Some(p);
            }
        }
    }
    None
}

fn orient(a: Pt, b: Pt, c: Pt) -> f64 {
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
}

fn on_segment(a: Pt, b: Pt, p: Pt) -> bool {
    p[0] >= a[0].min(b[0]) && p[0] <= a[0].max(b[0]) && p[1] >= a[1].min(b[1]) && p[1] <= a[1].max(b[1])
}

/// A point shared by segments ab and cd, if any.
fn segments_meet(a: Pt, b: Pt, c: Pt, d: Pt) -> Option<Pt> {
    let (d1, d2, d3, d4) = (orient(c, d, a), orient(c, d, b), orient(a, b, c), orient(a, b, d));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        let t = d1 / (d1 - d2);
        return Some([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
    }
    for (p, s0, s1, o) in [(a, c, d, d1), (b, c, d, d2), (c, a, b, d3), (d, a, b, d4)] {
        if o == 0.0 && on_segment(s0, s1, p) {
            return Some(p);
        }
    }
    None
}

/// An area as a GeoJSON geometry (Polygon when it has one part), rings closed.
pub fn area_to_geojson(area: &Area) -> String {
    let ring = |r: &Vec<Pt>| {
        let mut pts: Vec<String> = r.iter().map(|p| format!("[{},{}]", p[0], p[1])).collect();
        if let Some(first) = pts.first().cloned() {
            pts.push(first);
        }
        format!("[{}]", pts.join(","))
    };
    let poly = |p: &Polygon| format!("[{}]", p.rings.iter().map(ring).collect::<Vec<_>>().join(","));
    match area.polygons.as_slice() {
        [one] => format!(r#"{{"type":"Polygon","coordinates":{}}}"#, poly(one)),
        many => format!(
            r#"{{"type":"MultiPolygon","coordinates":[{}]}}"#,
            many.iter().map(poly).collect::<Vec<_>>().join(",")
        ),
    }
}

/// A geometry as GeoJSON (Point or MultiPoint, MultiLineString, Polygon or MultiPolygon).
pub fn to_geojson(g: &Geometry) -> String {
    let pts = |p: &[Pt]| {
        p.iter()
            .map(|p| format!("[{},{}]", p[0], p[1]))
            .collect::<Vec<_>>()
            .join(",")
    };
    match g {
        Geometry::Points(p) if p.len() == 1 => {
            format!(r#"{{"type":"Point","coordinates":[{},{}]}}"#, p[0][0], p[0][1])
        }
        Geometry::Points(p) => format!(r#"{{"type":"MultiPoint","coordinates":[{}]}}"#, pts(p)),
        Geometry::Lines(l) => format!(
            r#"{{"type":"MultiLineString","coordinates":[{}]}}"#,
            l.iter()
                .map(|l| format!("[{}]", pts(l)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Geometry::Area(a) => area_to_geojson(a),
    }
}

/// A stored boundary (a GeoJSON geometry) as an area; None when absent or not an area.
pub fn parse_area(text: &str) -> Result<Area, GeoJsonError> {
    let v: Value = serde_json::from_str(text).map_err(|e| GeoJsonError {
        feature: None,
        message: format!("not JSON: {e}"),
    })?;
    match geometry(&v, None)? {
        Geometry::Area(a) => Ok(a),
        g => err(None, format!("a {} where a polygon was expected", g.kind())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"code":"C01","name":"North"},
       "geometry":{"type":"Polygon","coordinates":[[[116,29],[117,29],[117,30],[116,30],[116,29]],
                                                   [[116.2,29.2],[116.4,29.2],[116.4,29.4],[116.2,29.2]]]}},
      {"type":"Feature","properties":{"code":7},
       "geometry":{"type":"MultiPolygon","coordinates":[[[[118,29],[119,29],[118.5,30],[118,29]]],
                                                        [[[120,29],[121,29],[120.5,30],[120,29]]]]}},
      {"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[116.5,29.5]}},
      {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[116,29],[117,30]]}}
    ]}"#;

    #[test]
    fn a_collection_reads_with_properties_rings_and_holes() {
        let f = parse(GOOD).unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].property("code").as_deref(), Some("C01"));
        assert_eq!(
            f[1].property("code").as_deref(),
            Some("7"),
            "numbers match as text"
        );
        let Geometry::Area(a) = &f[0].geometry else {
            panic!()
        };
        assert_eq!(a.polygons[0].rings.len(), 2);
        assert_eq!(a.polygons[0].rings[0].len(), 4, "the closing position is dropped");
        assert!(a.contains([116.8, 29.8]) && !a.contains([116.3, 29.25]));
        let Geometry::Area(m) = &f[1].geometry else {
            panic!()
        };
        assert_eq!(m.polygons.len(), 2);
        assert_eq!(f[2].geometry, Geometry::Points(vec![[116.5, 29.5]]));
        assert!(matches!(f[3].geometry, Geometry::Lines(_)));
        // Written back and read again, an area is the same.
        assert_eq!(parse_area(&area_to_geojson(a)).unwrap(), *a);
        assert_eq!(parse_area(&area_to_geojson(m)).unwrap(), *m);
        for g in [
            &f[2].geometry,
            &f[3].geometry,
            &Geometry::Points(vec![[1.0, 2.0], [3.0, 4.0]]),
        ] {
            let v: serde_json::Value = serde_json::from_str(&to_geojson(g)).unwrap();
            assert_eq!(geometry(&v, None).unwrap(), *g);
        }
        // A bare geometry and a BOM are fine too.
        let bare = "\u{feff}{\"type\":\"Point\",\"coordinates\":[1,2]}";
        assert_eq!(
            parse(bare).unwrap()[0].geometry,
            Geometry::Points(vec![[1.0, 2.0]])
        );
    }

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn bad_files_say_what_and_where() {
        assert!(message("{\"type\": \"Feature\",").starts_with("not JSON (line 1"));
        assert!(message("[1,2,3]").contains("not GeoJSON"));
        let bad_type = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Circle","coordinates":[1,2]}}]}"#;
        let m = message(bad_type);
        assert!(
            m.starts_with("feature 2: unknown geometry type \"Circle\""),
            "{m}"
        );
        let range = r#"{"type":"Point","coordinates":[500000.0, 3300000.0]}"#;
        let m = message(range);
        assert!(m.contains("out of range") && m.contains("EPSG:4326"), "{m}");
        let bow_tie = r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon",
            "coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}"#;
        let m = message(bow_tie);
        assert!(m.contains("ring 1 crosses itself near [1.00000, 1.00000]"), "{m}");
        let tiny = r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}"#;
        assert!(message(tiny).contains("fewer than 3 distinct positions"));
        let no_geom = r#"{"type":"Feature","properties":{}}"#;
        assert_eq!(message(no_geom), "feature 1: has no geometry");
        let nested = r#"{"type":"Polygon","coordinates":[1,2]}"#;
        assert!(message(nested).contains("not an array"));
        let words = r#"{"type":"Point","coordinates":["a","b"]}"#;
        assert!(message(words).contains("not [longitude, latitude]"));
    }

    #[test]
    fn self_intersection_finds_crossings_and_touches_but_not_neighbours() {
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert_eq!(self_intersection(&square), None);
        let bow = [[0.0, 0.0], [2.0, 2.0], [2.0, 0.0], [0.0, 2.0]];
        assert_eq!(self_intersection(&bow), Some([1.0, 1.0]));
        // A vertex touching a far edge.
        let touch = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [2.0, 0.0], [0.0, 4.0]];
        assert!(self_intersection(&touch).is_some());
        // A big valid ring (a circle of 2,000 vertices) passes quickly.
        let circle: Vec<Pt> = (0..2000)
            .map(|i| {
                let a = i as f64 / 2000.0 * std::f64::consts::TAU;
                [a.cos(), a.sin()]
            })
            .collect();
        assert_eq!(self_intersection(&circle), None);
    }
}
