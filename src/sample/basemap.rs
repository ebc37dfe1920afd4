//! The sample province's own basemap, drawn from its geography so the sample carries no
//! third-party map data: a lake placed away from the towns, two rivers, expressways between
//! the city seats and main roads from each county seat to its city. Written as GeoJSON
//! (`basemap.geojson` beside the extracts) and stored in the project as its basemap layer.

use super::geography::{Geography, inside_convex};
use super::rng::Rng;

type P = (f64, f64);

fn dist(a: P, b: P) -> f64 {
    ((a.0 - b.0) * 0.87).hypot(a.1 - b.1)
}

/// A road from a to b through two nudged midpoints, so it does not look ruled.
fn road(a: P, b: P, rng: &mut Rng) -> Vec<P> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut pts = vec![a];
    for t in [0.33, 0.66] {
        let wobble = rng.range(-0.08, 0.08);
        pts.push((a.0 + dx * t - dy * wobble, a.1 + dy * t + dx * wobble));
    }
    pts.push(b);
    pts
}

/// A meandering river from a to b, kept inside the province outline.
fn river(a: P, b: P, ring: &[P], rng: &mut Rng) -> Vec<P> {
    let n = 40;
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = dx.hypot(dy).max(1e-9);
    let (nx, ny) = (-dy / len, dx / len);
    let phase = rng.range(0.0, std::f64::consts::TAU);
    (0..=n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let off =
                0.12 * (t * 9.0 + phase).sin() * (t * std::f64::consts::PI).sin() + rng.range(-0.015, 0.015);
            (a.0 + dx * t + nx * off, a.1 + dy * t + ny * off)
        })
        .filter(|p| inside_convex(ring, *p))
        .collect()
}

fn line_feature(kind: &str, class: &str, zh: &str, en: &str, pts: &[P]) -> serde_json::Value {
    serde_json::json!({
        "type": "Feature",
        "properties": {"kind": kind, "class": class, "name": zh, "name_en": en},
        "geometry": {"type": "LineString",
                     "coordinates": pts.iter().map(|p| [round(p.0), round(p.1)]).collect::<Vec<_>>()}
    })
}

fn round(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// The basemap of a generated province, as a GeoJSON FeatureCollection.
pub fn generate(geo: &Geography, seed: u64) -> String {
    let mut rng = Rng::derive(seed, &[9]);
    let province = &geo.units[0];
    let ring = &province.ring;
    let cities: Vec<_> = geo.cities().collect();
    let seats: Vec<P> = geo
        .units
        .iter()
        .filter(|u| u.level != "station")
        .map(|u| u.seat)
        .collect();
    let mut features = Vec::new();

    // The lake: the inside point farthest from every city and county seat.
    let (minx, maxx, miny, maxy) = ring.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), (x, y)| (a.min(*x), b.max(*x), c.min(*y), d.max(*y)),
    );
    let mut best = (province.seat, 0.0);
    for i in 1..40 {
        for j in 1..30 {
            let p = (
                minx + (maxx - minx) * i as f64 / 40.0,
                miny + (maxy - miny) * j as f64 / 30.0,
            );
            let margin = ring
                .iter()
                .zip(ring.iter().cycle().skip(1))
                .map(|(a, b)| dist(p, *a).min(dist(p, *b)))
                .fold(f64::MAX, f64::min);
            let d = seats.iter().map(|s| dist(p, *s)).fold(f64::MAX, f64::min);
            if inside_convex(ring, p) && margin > 0.5 && d > best.1 {
                best = (p, d);
            }
        }
    }
    let centre = best.0;
    let radius = (best.1 * 0.7).clamp(0.08, 0.35);
    let lake: Vec<[f64; 2]> = (0..=32)
        .map(|i| {
            let t = (i % 32) as f64 / 32.0 * std::f64::consts::TAU;
            let r = radius
                * (0.8 + 0.2 * (3.0 * t).sin().abs())
                * if i % 32 == 0 { 1.0 } else { rng.range(0.92, 1.08) };
            [
                round(centre.0 + r * t.cos() / 0.87),
                round(centre.1 + r * 0.7 * t.sin()),
            ]
        })
        .collect();
    let mut lake = lake;
    let first = lake[0];
    *lake.last_mut().expect("33 points") = first;
    features.push(serde_json::json!({
        "type": "Feature",
        "properties": {"kind": "water", "name": "镜湖", "name_en": "Jing Lake"},
        "geometry": {"type": "Polygon", "coordinates": [lake]}
    }));

    // Rivers: one across the province through the lake, one from the north into it.
    let west = (minx, centre.1 + rng.range(-0.6, 0.6));
    let east = (maxx, centre.1 + rng.range(-0.6, 0.6));
    let main: Vec<P> = river(west, centre, ring, &mut rng)
        .into_iter()
        .chain(river(centre, east, ring, &mut rng))
        .collect();
    features.push(line_feature("river", "major", "清江", "Qing River", &main));
    let north = (centre.0 + rng.range(-0.8, 0.8), maxy);
    features.push(line_feature(
        "river",
        "minor",
        "白水河",
        "Baishui River",
        &river(north, centre, ring, &mut rng),
    ));

    // Expressways: the shortest network joining the city seats (Prim's tree).
    let mut joined = vec![0usize];
    while joined.len() < cities.len() {
        let (a, b) = joined
            .iter()
            .flat_map(|a| {
                (0..cities.len())
                    .filter(|b| !joined.contains(b))
                    .map(move |b| (*a, b))
            })
            .min_by(|x, y| {
                dist(cities[x.0].seat, cities[x.1].seat).total_cmp(&dist(cities[y.0].seat, cities[y.1].seat))
            })
            .expect("a city not joined yet");
        joined.push(b);
        let name = |u: &super::geography::Unit| u.name_zh.trim_end_matches("供电公司").to_string();
        let name_en =
            |u: &super::geography::Unit| u.name_en.trim_end_matches(" Power Supply Company").to_string();
        features.push(line_feature(
            "road",
            "expressway",
            &format!("{}—{}高速", name(cities[a]), name(cities[b])),
            &format!("{}–{} Expressway", name_en(cities[a]), name_en(cities[b])),
            &road(cities[a].seat, cities[b].seat, &mut rng),
        ));
    }
    // Main roads: each county seat to its city seat.
    for county in geo.counties() {
        let Some(city) = county.parent_id.as_deref().and_then(|c| geo.unit(c)) else {
            continue;
        };
        if dist(county.seat, city.seat) < 0.02 {
            continue;
        }
        features.push(line_feature(
            "road",
            "main",
            "",
            "",
            &road(city.seat, county.seat, &mut rng),
        ));
    }
    let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    let mut text = serde_json::to_string(&fc).expect("a JSON value");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::geojson::{Geometry, parse};

    #[test]
    fn the_basemap_reads_back_with_water_rivers_and_roads_inside_the_province() {
        let geo = super::super::geography::generate(7);
        let text = generate(&geo, 7);
        assert_eq!(text, generate(&geo, 7), "deterministic");
        let features = parse(&text).unwrap();
        let kinds = |k: &str| {
            features
                .iter()
                .filter(|f| f.property("kind").as_deref() == Some(k))
                .count()
        };
        assert_eq!(kinds("water"), 1);
        assert_eq!(kinds("river"), 2);
        let class = |c: &str| {
            features
                .iter()
                .filter(|f| f.property("class").as_deref() == Some(c))
                .count()
        };
        assert_eq!(class("expressway"), 7, "a tree over the 8 cities");
        assert_eq!(kinds("road"), 7 + class("main"));
        assert!(class("main") >= 32, "a road to (nearly) every county seat");
        let ring = &geo.units[0].ring;
        for f in &features {
            if let Geometry::Area(a) = &f.geometry {
                // The lake keeps clear of every town seat.
                for u in geo.units.iter().filter(|u| u.level != "station") {
                    assert!(!a.contains([u.seat.0, u.seat.1]), "the lake covers {}", u.unit_id);
                }
                assert!(
                    a.polygons[0].rings[0]
                        .iter()
                        .all(|p| inside_convex(ring, (p[0], p[1])))
                );
            }
        }
    }

    #[test]
    fn the_committed_sample_carries_this_basemap() {
        let geo = super::super::geography::generate(super::super::COMMITTED.seed);
        let text = generate(&geo, super::super::COMMITTED.seed);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db/basemap.geojson");
        if std::env::var_os("MAMS_BLESS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "sample-db/basemap.geojson is stale: run with MAMS_BLESS=1"
        );
    }
}
