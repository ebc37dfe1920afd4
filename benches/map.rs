//! Map benchmark (release mode): the frame time of the map page's drawing with 100,000
//! customer points (clustered) and the 150 station polygons, panning and zooming; and the
//! time to the first drawn frame of the map page on the sample project.
//!
//!   cargo bench --bench map
//!
//! A frame is measured as the app's CPU work for it: egui's layout and our drawing of
//! every layer (`canvas::draw`), then egui's tessellation into triangles. The GPU's part
//! (uploading and rasterising those triangles) is not measured: on these machines it runs
//! on Mesa's software renderer, which says nothing about a laptop's GPU.

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use mams::geo::mercator::{View, to_world};
use mams::geo::scene::{self, MapUnit, Scene};
use mams::geo::world::WorldArea;
use mams::geometry::shape::{Area, Polygon};
use mams::progress::Progress;
use mams::sample::geography;
use mams::sample::rng::Rng;
use mams::ui::pages::map::canvas::{self, Frame, Layers};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The sample geography's 150 stations as the viewed level, and no other layer.
fn station_scene() -> Scene {
    let geo = geography::generate(7);
    let units: Vec<MapUnit> = geo
        .units
        .iter()
        .map(|u| {
            let area = Area {
                polygons: vec![Polygon {
                    rings: vec![u.ring.iter().map(|p| [p.0, p.1]).collect()],
                }],
            };
            MapUnit {
                world: Some(WorldArea::new(&area)),
                seat_world: Some(to_world([u.seat.0, u.seat.1])),
                shape: mams::store::map::UnitShape {
                    unit_id: u.unit_id.clone(),
                    parent_id: u.parent_id.clone(),
                    level: u.level.to_string(),
                    name_zh: u.name_zh.clone(),
                    name_en: u.name_en.clone(),
                    seat: Some([u.seat.0, u.seat.1]),
                    area: Some(area),
                },
            }
        })
        .collect();
    let viewed = geo.stations().map(|s| s.unit_id.clone()).collect();
    Scene {
        unit_id: "P".into(),
        month: NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
        units,
        problems: Vec::new(),
        viewed,
        values: Vec::new(),
        basemap: Vec::new(),
        imported: Vec::new(),
        halls: Vec::new(),
        key_customers: Vec::new(),
        plans: Vec::new(),
        outages: Vec::new(),
        outage_hours: Vec::new(),
        suspects: Vec::new(),
        vehicle_days: Vec::new(),
        vehicle_day: None,
        track: Vec::new(),
    }
}

fn main() {
    let geo = geography::generate(7);
    let stations: Vec<&geography::Unit> = geo.stations().collect();
    let mut rng = Rng::new(42);
    let customers: Vec<[f64; 2]> = (0..100_000)
        .map(|i| {
            let s = stations[i % stations.len()];
            let p = s.point_near_seat(&mut rng, 0.05);
            to_world([p.0, p.1])
        })
        .collect();
    let scene = station_scene();
    let layers = Layers {
        customers: true,
        halls: false,
        key_customers: false,
        ..Layers::default()
    };
    let ctx = egui::Context::default();
    let size = egui::vec2(1280.0, 800.0);
    let centre = to_world([116.0, 29.5]);
    let mut times = Vec::new();
    let mut shapes_seen = 0;
    // 300 frames: zooming from the whole province (7) to a county (10.5) and back while
    // panning across it.
    for frame in 0..300 {
        let t = frame as f64 / 300.0;
        let zoom = 7.0 + 3.5 * (t * std::f64::consts::TAU).sin().abs();
        let pan = [
            centre[0] + 0.004 * (t * 6.0).sin(),
            centre[1] + 0.003 * (t * 4.0).cos(),
        ];
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
            ..Default::default()
        };
        let start = Instant::now();
        let out = ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                let rect = ui.max_rect();
                let painter = ui.painter().with_clip_rect(rect);
                let view = View {
                    centre: pan,
                    zoom,
                    screen_centre: [rect.center().x as f64, rect.center().y as f64],
                };
                let f = Frame {
                    scene: &scene,
                    layers: &layers,
                    choropleth: None,
                    value_labels: &[],
                    customers: Some(&customers),
                    vehicles_at: scene.month.and_hms_opt(10, 0, 0).unwrap(),
                    outages_at: scene.month.and_hms_opt(10, 0, 0).unwrap(),
                    picked: None,
                    pin: None,
                    dark: false,
                    zh: true,
                    over_tiles: false,
                    own_basemap: true,
                    highlight: &[],
                };
                canvas::draw(&painter, &view, &f);
            });
        });
        let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
        shapes_seen = shapes_seen.max(prims.len());
        if frame >= 10 {
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "map frame, 100,000 customers + 150 station polygons, zoom 7-10.5, 1280x800: median {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} frames; target under 16 ms)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times.last().unwrap(),
        times.len()
    );

    // First drawn frame of the map page on the sample project.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-db");
    let path = std::env::temp_dir().join("mams-bench/map-sample/project.duckdb");
    if !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        mams::import::build_project(&path, &dir, &Progress::new()).unwrap();
    }
    let p = mams::store::Project::open(&path).unwrap();
    mams::store::kpi::ensure_sums(&p).unwrap();
    let month = mams::store::queries::months(&p)
        .unwrap()
        .into_iter()
        .max()
        .unwrap();
    let start = Instant::now();
    let s = scene::load(&p, "P", month, &Progress::new()).unwrap();
    let loaded = start.elapsed().as_secs_f64() * 1000.0;
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
        ..Default::default()
    };
    let out = ctx.run_ui(input, |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            let rect = ui.max_rect();
            let view = View {
                centre,
                zoom: 7.5,
                screen_centre: [rect.center().x as f64, rect.center().y as f64],
            };
            let f = Frame {
                scene: &s,
                layers: &Layers::default(),
                choropleth: None,
                value_labels: &[],
                customers: None,
                vehicles_at: month.and_hms_opt(10, 0, 0).unwrap(),
                outages_at: month.and_hms_opt(10, 0, 0).unwrap(),
                picked: None,
                pin: None,
                dark: false,
                zh: true,
                over_tiles: false,
                own_basemap: true,
                highlight: &[],
            };
            canvas::draw(&ui.painter().with_clip_rect(rect), &view, &f);
        });
    });
    ctx.tessellate(out.shapes, out.pixels_per_point);
    println!(
        "map page on the sample project: layers read and prepared in {loaded:.0} ms, first frame drawn {:.0} ms after asking (target under 1 s)",
        start.elapsed().as_secs_f64() * 1000.0
    );
}
