//! The map's layers read from the committed sample project, and GeoJSON boundaries and
//! point layers imported into it: good files change what they should, bad files nothing.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use mams::geometry::geojson::Geometry;
use mams::progress::Progress;
use mams::store::Project;
use mams::store::map::{self, MatchTo};

fn month(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, 1).unwrap()
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// The committed sample project, built once per test binary and copied for each test.
fn sample_project(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let path = tmp("map-sample").join("sample.duckdb");
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
        mams::import::build_project(&path, &dir, &Progress::new()).expect("build the sample project");
        path
    });
    let path = tmp(name).join("sample.duckdb");
    std::fs::copy(built, &path).unwrap();
    path
}

#[test]
fn every_layer_reads_from_the_sample() {
    let p = Project::open(&sample_project("layers")).unwrap();
    let (units, problems) = map::unit_shapes(&p).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(units.len(), 199);
    assert!(units.iter().all(|u| u.area.is_some() && u.seat.is_some()));
    // Each station's seat lies inside its own boundary.
    for u in units.iter().filter(|u| u.level == "station") {
        let seat = u.seat.unwrap();
        assert!(u.area.as_ref().unwrap().contains(seat), "{}", u.unit_id);
    }

    let base = map::layer_features(&p, map::BASEMAP).unwrap();
    assert!(
        base.iter()
            .any(|f| f.kind.as_deref() == Some("water") && matches!(f.geometry, Geometry::Area(_)))
    );
    assert_eq!(
        base.iter().filter(|f| f.kind.as_deref() == Some("river")).count(),
        2
    );
    assert!(base.iter().filter(|f| f.kind.as_deref() == Some("road")).count() > 30);
    let layers = map::layers(&p).unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(
        (layers[0].layer.as_str(), layers[0].features),
        ("basemap", base.len() as u64)
    );

    let dec = month(2025, 12);
    let halls = map::service_points(&p, "P", dec).unwrap();
    assert_eq!(halls.len(), 238);
    let c01 = map::service_points(&p, "C01", dec).unwrap();
    assert!(!c01.is_empty() && c01.iter().all(|h| h.unit_id.starts_with("C01")));
    assert!(halls.iter().any(|h| h.unit_tickets > 0));

    let days = map::vehicle_days(&p, "P").unwrap();
    assert_eq!(
        days.first(),
        Some(&NaiveDate::from_ymd_opt(2025, 12, 31).unwrap())
    );
    let track = map::vehicle_track(&p, "P", days[0]).unwrap();
    let noon = map::positions_at(&track, at("2025-12-31 12:00"));
    assert_eq!(noon.len(), 102, "every vehicle has a position by noon");
    assert!(noon.iter().all(|f| f.ts <= at("2025-12-31 12:00")));
    assert!(
        map::positions_at(&track, at("2025-12-30 12:00")).is_empty(),
        "nothing before the day"
    );

    let key = map::key_customers(&p, "P", dec, 50).unwrap();
    assert_eq!(key.len(), 50);
    assert!(key.windows(2).all(|w| w[0].kwh >= w[1].kwh));
    // The prebuilt monthly top of each unit gives the same customers as the bills.
    for (unit, m) in [
        ("P", dec),
        ("C02", month(2025, 7)),
        ("C01K01S01", month(2024, 12)),
    ] {
        let a = map::key_customers(&p, unit, m, 300).unwrap();
        let b = map::key_customers_from_data(&p, unit, m, 300).unwrap();
        assert_eq!(a.len(), b.len(), "{unit} {m}");
        let kwh = |v: &[map::MapCustomer]| v.iter().map(|c| c.kwh).collect::<Vec<_>>();
        assert_eq!(kwh(&a), kwh(&b), "{unit} {m}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (x.kwh_year_ago, x.open_suspects),
                (y.kwh_year_ago, y.open_suspects)
            );
        }
    }

    let plans = map::orderly(&p, "P", month(2025, 7)).unwrap();
    assert!(!plans.is_empty());
    assert!(
        map::orderly(&p, "P", month(2025, 1)).unwrap().len() < plans.len(),
        "summer plans"
    );

    // The busiest hour of the month has outages in progress, planned and unplanned apart.
    let hours = map::outage_hours(&p, "P", dec).unwrap();
    let busiest = hours.iter().max_by_key(|h| h.1).unwrap().0;
    let month_outages = map::outages_in_month(&p, "P", dec).unwrap();
    let moment = busiest + chrono::Duration::minutes(30);
    let active = map::active_at(&month_outages, moment);
    assert!(!active.is_empty());
    assert!(
        active
            .iter()
            .all(|o| o.start_at <= moment && o.end_at.is_none_or(|e| e > moment))
    );
    assert!(active.len() < month_outages.len());

    let found = map::search_customers(&p, "P", &key[0].customer_id[..6], 20).unwrap();
    assert!(
        found
            .iter()
            .any(|c| c.customer_id.starts_with(&key[0].customer_id[..6]))
    );
    let by_name = map::search_customers(&p, "P", &key[0].name, 20).unwrap();
    assert!(by_name.iter().any(|c| c.customer_id == key[0].customer_id));
    assert!(map::search_customers(&p, "P", "  ", 20).unwrap().is_empty());

    let all = map::customer_points(&p, "P").unwrap();
    assert_eq!(all.len(), 16_000);
    let b = mams::geometry::shape::BBox::of_points(&all).unwrap();
    let mid = b.centre();
    let (picked, total) = map::customers_in_box(&p, "P", b.min, mid, dec, 100).unwrap();
    let inside = all
        .iter()
        .filter(|c| c[0] >= b.min[0] && c[0] <= mid[0] && c[1] >= b.min[1] && c[1] <= mid[1])
        .count() as u64;
    assert_eq!(total, inside);
    assert_eq!(picked.len() as u64, inside.min(100));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn boundary_of(p: &Project, unit: &str) -> Option<String> {
    p.conn()
        .query_row("SELECT boundary FROM org_units WHERE unit_id = ?", [unit], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn boundaries_from_someone_elses_geojson_replace_only_the_matched_units() {
    let path = sample_project("boundaries");
    let dir = path.parent().unwrap().to_path_buf();
    let p = Project::open(&path).unwrap();
    let name_c02: String = p
        .conn()
        .query_row("SELECT name_zh FROM org_units WHERE unit_id = 'C02'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let before_c03 = boundary_of(&p, "C03");
    // Matched by code for one feature and by Chinese name for the other; a concave shape
    // with a hole; one feature names no unit.
    let good = format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","properties":{{"DM":"C01"}},"geometry":{{"type":"Polygon","coordinates":
          [[[114,29],[115,29],[115,30],[114.5,29.5],[114,30],[114,29]],[[114.2,29.1],[114.3,29.1],[114.3,29.2],[114.2,29.1]]]}}}},
        {{"type":"Feature","properties":{{"DM":"{name_c02}"}},"geometry":{{"type":"MultiPolygon","coordinates":
          [[[[116,29],[117,29],[117,30],[116,29]]],[[[117.5,29],[118,29],[118,29.5],[117.5,29]]]]}}}},
        {{"type":"Feature","properties":{{"DM":"nowhere"}},"geometry":{{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}}}
        ]}}"#
    );
    let report = map::import_boundaries(&p, &write(&dir, "good.geojson", &good), "DM").unwrap();
    assert_eq!((report.features, report.matched), (3, 2));
    assert_eq!(report.unmatched, vec![(3, "nowhere".to_string())]);
    let (units, _) = map::unit_shapes(&p).unwrap();
    let c01 = units
        .iter()
        .find(|u| u.unit_id == "C01")
        .unwrap()
        .area
        .clone()
        .unwrap();
    assert!(
        c01.contains([114.8, 29.2]) && !c01.contains([114.5, 29.8]),
        "concave"
    );
    assert!(!c01.contains([114.27, 29.12]), "the hole");
    let c02 = units
        .iter()
        .find(|u| u.unit_id == "C02")
        .unwrap()
        .area
        .clone()
        .unwrap();
    assert_eq!(c02.polygons.len(), 2);
    assert_eq!(
        boundary_of(&p, "C03"),
        before_c03,
        "an unnamed unit keeps its boundary"
    );

    // Bad files change nothing and say what and where.
    let snapshot = boundary_of(&p, "C01");
    let cases = [
        ("not.geojson", "this is not json".to_string(), "not JSON (line 1"),
        (
            "bowtie.geojson",
            r#"{"type":"FeatureCollection","features":[
               {"type":"Feature","properties":{"DM":"C03"},"geometry":{"type":"Polygon","coordinates":[[[114,29],[115,29],[115,30],[114,30],[114,29]]]}},
               {"type":"Feature","properties":{"DM":"C01"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}}]}"#
                .to_string(),
            "feature 2: polygon 1, ring 1 crosses itself",
        ),
        (
            "points.geojson",
            r#"{"type":"Feature","properties":{"DM":"C01"},"geometry":{"type":"Point","coordinates":[114,29]}}"#.to_string(),
            "feature 1 is a point; boundaries must be polygons",
        ),
        (
            "projected.geojson",
            r#"{"type":"Feature","properties":{"DM":"C01"},"geometry":{"type":"Polygon","coordinates":[[[500000,3200000],[510000,3200000],[510000,3210000],[500000,3200000]]]}}"#.to_string(),
            "out of range",
        ),
        (
            "wrongprop.geojson",
            r#"{"type":"Feature","properties":{"code":"C01"},"geometry":{"type":"Polygon","coordinates":[[[114,29],[115,29],[115,30],[114,29]]]}}"#.to_string(),
            "feature 1 has no property \"DM\" (its properties: code)",
        ),
        (
            "nomatch.geojson",
            r#"{"type":"Feature","properties":{"DM":"X9"},"geometry":{"type":"Polygon","coordinates":[[[114,29],[115,29],[115,30],[114,29]]]}}"#.to_string(),
            "no feature's \"DM\" names an org unit (values such as X9)",
        ),
        (
            "twice.geojson",
            r#"{"type":"FeatureCollection","features":[
               {"type":"Feature","properties":{"DM":"C01"},"geometry":{"type":"Polygon","coordinates":[[[114,29],[115,29],[115,30],[114,29]]]}},
               {"type":"Feature","properties":{"DM":"c01"},"geometry":{"type":"Polygon","coordinates":[[[114,29],[115,29],[115,30],[114,29]]]}}]}"#
                .to_string(),
            "features 1 and 2 both name unit C01",
        ),
        ("empty.geojson", r#"{"type":"FeatureCollection","features":[]}"#.to_string(), "has no features"),
    ];
    for (file, text, want) in cases {
        let e = map::import_boundaries(&p, &write(&dir, file, &text), "DM")
            .unwrap_err()
            .to_string();
        assert!(e.contains(file) && e.contains(want), "{file}: {e}");
        assert_eq!(boundary_of(&p, "C01"), snapshot, "{file} changed a boundary");
    }
    std::fs::write(dir.join("gbk.geojson"), [0xc4u8, 0xe3, 0xba, 0xc3]).unwrap();
    let e = map::import_boundaries(&p, &dir.join("gbk.geojson"), "DM")
        .unwrap_err()
        .to_string();
    assert!(e.contains("not UTF-8"), "{e}");
}

#[test]
fn point_layers_match_customers_and_replace_themselves() {
    let path = sample_project("points");
    let dir = path.parent().unwrap().to_path_buf();
    let p = Project::open(&path).unwrap();
    let (id, lon, lat): (String, f64, f64) = p
        .conn()
        .query_row(
            "SELECT customer_id, lon, lat FROM customers ORDER BY customer_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    let text = format!(
        r#"{{"type":"FeatureCollection","features":[
        {{"type":"Feature","properties":{{"hh":"{id}","name":"charging pile"}},"geometry":{{"type":"Point","coordinates":[{lon},{lat}]}}}},
        {{"type":"Feature","properties":{{"hh":12345}},"geometry":{{"type":"Point","coordinates":[116,29]}}}}]}}"#
    );
    let file = write(&dir, "piles.geojson", &text);
    assert_eq!(
        map::file_properties(&file).unwrap(),
        (2, vec!["hh".to_string(), "name".to_string()])
    );
    let r = map::import_layer(&p, &file, "Charging piles", Some("hh"), MatchTo::Customers).unwrap();
    assert_eq!((r.features, r.matched), (2, 1));
    assert_eq!(r.unmatched, vec![(2, "12345".to_string())]);
    let f = map::layer_features(&p, "Charging piles").unwrap();
    assert_eq!(f[0].matched_id.as_deref(), Some(id.as_str()));
    assert_eq!(f[0].name.as_deref(), Some("charging pile"));
    assert_eq!(f[1].geometry, Geometry::Points(vec![[116.0, 29.0]]));
    // Importing again replaces the layer: never doubled.
    map::import_layer(&p, &file, "Charging piles", Some("hh"), MatchTo::Customers).unwrap();
    assert_eq!(map::layer_features(&p, "Charging piles").unwrap().len(), 2);
    assert_eq!(map::layers(&p).unwrap().len(), 2);
    // A bad file leaves the layer as it was.
    let bad = write(
        &dir,
        "bad.geojson",
        r#"{"type":"Feature","properties":{"hh":"x"},"geometry":{"type":"Point","coordinates":[999,0]}}"#,
    );
    assert!(map::import_layer(&p, &bad, "Charging piles", Some("hh"), MatchTo::Customers).is_err());
    assert_eq!(map::layer_features(&p, "Charging piles").unwrap().len(), 2);
    map::remove_layer(&p, "Charging piles").unwrap();
    assert_eq!(map::layers(&p).unwrap().len(), 1);
}

#[test]
fn a_project_without_geography_gives_an_empty_map_not_an_error() {
    let path = tmp("no-geography").join("p.duckdb");
    let p = Project::create(&path).unwrap();
    p.conn()
        .execute_batch(
            "INSERT INTO org_units (unit_id, parent_id, level, name_zh, area_type) VALUES
               ('P', NULL, 'province', '省', 'urban'), ('C1', 'P', 'city', '一市', 'urban');
             INSERT INTO customers (customer_id, name, unit_id, customer_class, tariff_code, status) VALUES
               ('A1', 'a1', 'C1', 'residential', 'R-TIER', 'normal');
             INSERT INTO bills (bill_id, customer_id, billing_month, kwh, amount) VALUES
               ('b1', 'A1', DATE '2025-06-01', 100, 50);
             -- A boundary that does not read is reported, not fatal.
             UPDATE org_units SET boundary = '{\"type\": \"Polygon\"' WHERE unit_id = 'C1';",
        )
        .unwrap();
    mams::store::loading::rebuild_org_closure(&p).unwrap();
    let scene = mams::geo::scene::load(&p, "P", month(2025, 6), &Progress::new()).unwrap();
    assert_eq!(scene.viewed, vec!["C1".to_string()]);
    assert!(scene.extent().is_none(), "nothing has a position");
    assert_eq!(scene.problems.len(), 1);
    assert!(
        scene.problems[0].starts_with("C1: not JSON"),
        "{:?}",
        scene.problems
    );
    assert!(scene.basemap.is_empty() && scene.halls.is_empty() && scene.key_customers.is_empty());
    assert!(map::customer_points(&p, "P").unwrap().is_empty());
}
