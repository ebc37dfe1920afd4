//! Drawing the map's layers over the `walkers` map and finding what is under the pointer.
//! Geometry comes prepared in world coordinates (`geo::world`); a frame only multiplies
//! and adds, so 100,000 customers (clustered) and the boundaries draw within a frame.
//! Longer than most files on purpose: every layer is drawn in one pass over one `View`
//! and records what it drew in one hit list, which `hit_test` reads; split, the layers
//! would share all of that through arguments.

use chrono::NaiveDateTime;
use egui::{Align2, Color32, FontId, Mesh, Painter, Pos2, Rect, Shape, Stroke, pos2, vec2};

use crate::geo::cluster;
use crate::geo::labels::{self, Label};
use crate::geo::mercator::{View, to_world};
use crate::geo::scene::{MapFeature, Scene};
use crate::geo::world::WorldArea;
use crate::geometry::shape::Pt;
use crate::store::map as stored;

/// Okabe & Ito's palette: told apart by the colour-blind.
pub const ORANGE: Color32 = Color32::from_rgb(230, 159, 0);
pub const SKY: Color32 = Color32::from_rgb(86, 180, 233);
pub const GREEN: Color32 = Color32::from_rgb(0, 158, 115);
pub const YELLOW: Color32 = Color32::from_rgb(240, 228, 66);
pub const BLUE: Color32 = Color32::from_rgb(0, 114, 178);
pub const VERMILLION: Color32 = Color32::from_rgb(213, 94, 0);
pub const PURPLE: Color32 = Color32::from_rgb(204, 121, 167);
pub const GREY: Color32 = Color32::from_rgb(140, 140, 140);

/// Something on the map that can be hovered and picked.
#[derive(Debug, Clone, PartialEq)]
pub enum Picked {
    Unit(String),
    Hall(String),
    Vehicle(String),
    KeyCustomer(String),
    /// A customer found by the search (not necessarily on a layer), marked with a pin.
    Customer(String),
    Plan(String),
    Suspect(String),
    /// The outages in progress in a station.
    Outages(String),
    /// A feature of an imported layer: (layer, index).
    Feature(String, usize),
    /// A cluster of customers: where (world) and how many.
    Cluster(Pt, u32),
}

/// What is shown, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Layers {
    pub labels: bool,
    pub halls: bool,
    pub vehicles: bool,
    pub key_customers: bool,
    /// Key customers coloured by their open suspects instead of their trend.
    pub key_by_suspects: bool,
    pub orderly: bool,
    pub outages: bool,
    pub suspects: bool,
    pub suspects_density: bool,
    pub customers: bool,
    /// Imported layers that are hidden.
    pub hidden: std::collections::BTreeSet<String>,
}

impl Default for Layers {
    fn default() -> Self {
        Layers {
            labels: true,
            halls: true,
            vehicles: false,
            key_customers: true,
            key_by_suspects: false,
            orderly: false,
            outages: false,
            suspects: false,
            suspects_density: false,
            customers: false,
            hidden: Default::default(),
        }
    }
}

/// A choropleth ready to draw: each viewed unit's class colour.
pub struct Choropleth {
    pub colours: Vec<(String, Option<Color32>)>,
}

/// Everything one frame needs.
pub struct Frame<'a> {
    pub scene: &'a Scene,
    pub layers: &'a Layers,
    pub choropleth: Option<&'a Choropleth>,
    /// Unit ids to label with a value (choropleth), beside their name.
    pub value_labels: &'a [(String, String)],
    pub customers: Option<&'a [Pt]>,
    pub vehicles_at: NaiveDateTime,
    pub outages_at: NaiveDateTime,
    pub picked: Option<&'a Picked>,
    /// A customer found by the search: where, and its number.
    pub pin: Option<(Pt, &'a str)>,
    pub dark: bool,
    pub zh: bool,
    /// A raster basemap lies under the layers: fills are see-through.
    pub over_tiles: bool,
    /// The project's own basemap (water, rivers, roads) is drawn.
    pub own_basemap: bool,
    /// Units marked from another page (the efficient units of a DEA): tinted and outlined.
    pub highlight: &'a [String],
}

/// A mark that can be hit: where on screen, how near counts, what it is.
pub struct Hit {
    pub at: Pos2,
    pub radius: f32,
    pub what: Picked,
}

fn screen(view: &View, w: Pt) -> Pos2 {
    let s = view.to_screen(w);
    pos2(s[0] as f32, s[1] as f32)
}

fn fill_area(painter: &Painter, view: &View, a: &WorldArea, colour: Color32) {
    let mut mesh = Mesh::default();
    for v in &a.fill_vertices {
        mesh.colored_vertex(screen(view, *v), colour);
    }
    mesh.indices = a.fill_triangles.clone();
    painter.add(Shape::mesh(mesh));
}

fn outline(painter: &Painter, view: &View, a: &WorldArea, stroke: Stroke) {
    for ring in &a.rings {
        let pts: Vec<Pos2> = ring.iter().map(|p| screen(view, *p)).collect();
        painter.add(Shape::closed_line(pts, stroke));
    }
}

fn dashed_outline(painter: &Painter, view: &View, a: &WorldArea, stroke: Stroke) {
    for ring in &a.rings {
        let mut pts: Vec<Pos2> = ring.iter().map(|p| screen(view, *p)).collect();
        if let Some(first) = pts.first().copied() {
            pts.push(first);
        }
        painter.extend(Shape::dashed_line(&pts, stroke, 6.0, 4.0));
    }
}

fn visible(view: &View, a: &WorldArea, clip: Rect) -> bool {
    a.bbox.is_some_and(|b| {
        let (p, q) = (screen(view, b.min), screen(view, b.max));
        Rect::from_two_pos(p, q).intersects(clip)
    })
}

pub fn plan_colour(level: &str) -> Color32 {
    match level {
        "I" => VERMILLION,
        "II" => ORANGE,
        "III" => YELLOW,
        _ => SKY,
    }
}

pub fn vehicle_colour(status: &str) -> Color32 {
    match status {
        "en_route" => ORANGE,
        "on_site" => VERMILLION,
        "returning" => BLUE,
        _ => GREY,
    }
}

pub fn hall_colour(kind: &str) -> Color32 {
    match kind {
        "service_hall" => BLUE,
        "supply_station" => GREEN,
        _ => PURPLE,
    }
}

pub fn category_colour(c: Option<crate::audit::rules::Category>) -> Color32 {
    use crate::audit::rules::Category::*;
    match c {
        Some(Archive) => SKY,
        Some(Metering) => VERMILLION,
        Some(Billing) => ORANGE,
        Some(Collection) => BLUE,
        Some(Expansion) => GREEN,
        Some(Service) => PURPLE,
        None => GREY,
    }
}

/// Key customers: falling more than 10 % against last year, rising more than 10 %, or
/// neither (or no comparison).
pub fn trend_colour(trend: Option<f64>) -> Color32 {
    match trend {
        Some(t) if t < -0.10 => VERMILLION,
        Some(t) if t > 0.10 => BLUE,
        _ => GREY,
    }
}

/// Radius of a key customer's circle: area in proportion to kWh, 4 to 16 px.
pub fn kwh_radius(kwh: f64, largest: f64) -> f32 {
    if largest <= 0.0 {
        return 4.0;
    }
    (4.0 + 12.0 * (kwh.max(0.0) / largest).sqrt()) as f32
}

fn halo(dark: bool) -> Color32 {
    if dark {
        Color32::from_black_alpha(200)
    } else {
        Color32::WHITE
    }
}

/// Draws the frame and returns the marks that can be hit (last drawn on top).
pub fn draw(painter: &Painter, view: &View, f: &Frame) -> Vec<Hit> {
    let clip = painter.clip_rect();
    let scene = f.scene;
    let mut hits = Vec::new();
    let ink = if f.dark {
        Color32::from_gray(210)
    } else {
        Color32::from_gray(60)
    };
    let faint = if f.dark {
        Color32::from_gray(90)
    } else {
        Color32::from_gray(175)
    };
    let neutral = match (f.dark, f.over_tiles) {
        (true, false) => Color32::from_rgb(44, 48, 54),
        (false, false) => Color32::from_rgb(238, 236, 230),
        (_, true) => Color32::TRANSPARENT,
    };
    let alpha = |c: Color32| {
        if f.over_tiles { c.gamma_multiply(0.6) } else { c }
    };
    let viewed: Vec<&crate::geo::scene::MapUnit> =
        scene.viewed.iter().filter_map(|id| scene.unit(id)).collect();
    let level = viewed.first().map(|u| u.shape.level.clone()).unwrap_or_default();

    // 1. Units of the level being viewed, filled with their class colour (or a land tint).
    for u in &viewed {
        let Some(w) = u.world.as_ref().filter(|w| visible(view, w, clip)) else {
            continue;
        };
        let colour = f
            .choropleth
            .and_then(|c| c.colours.iter().find(|(id, _)| *id == u.shape.unit_id))
            .map(|(_, c)| {
                c.unwrap_or(if f.dark {
                    Color32::from_gray(70)
                } else {
                    Color32::from_gray(205)
                })
            })
            .unwrap_or(neutral);
        fill_area(painter, view, w, alpha(colour));
    }

    // 2. The basemap: water, rivers, roads.
    if f.own_basemap {
        let water = if f.dark {
            Color32::from_rgb(38, 72, 104)
        } else {
            Color32::from_rgb(166, 206, 232)
        };
        for b in &scene.basemap {
            match b.kind.as_str() {
                "water" => {
                    if let Some(a) = &b.area {
                        fill_area(painter, view, a, water);
                    }
                }
                "river" => {
                    for l in &b.lines_world {
                        let pts: Vec<Pos2> = l.iter().map(|p| screen(view, *p)).collect();
                        painter.add(Shape::line(pts, Stroke::new(1.8, water)));
                    }
                }
                _ => {}
            }
        }
        let road_main = if f.dark {
            Color32::from_gray(110)
        } else {
            Color32::from_gray(160)
        };
        let expressway = Color32::from_rgb(224, 150, 70);
        for b in scene.basemap.iter().filter(|b| b.kind == "road") {
            let stroke = if b.name.as_deref().is_some_and(|n| !n.is_empty()) {
                Stroke::new(2.2, expressway)
            } else {
                Stroke::new(1.0, road_main)
            };
            for l in &b.lines_world {
                let pts: Vec<Pos2> = l.iter().map(|p| screen(view, *p)).collect();
                painter.add(Shape::line(pts, stroke));
            }
        }
    }

    // 3. Outlines: the other units of the level faintly, the viewed ones clearly, the
    // picked one boldly.
    for u in scene.units.iter().filter(|u| u.shape.level == level) {
        if let Some(w) = u.world.as_ref().filter(|w| visible(view, w, clip)) {
            outline(painter, view, w, Stroke::new(0.8, faint));
        }
    }
    for u in &viewed {
        if let Some(w) = u.world.as_ref().filter(|w| visible(view, w, clip)) {
            outline(painter, view, w, Stroke::new(1.3, ink));
        }
    }
    if let Some(w) = scene.unit(&scene.unit_id).and_then(|u| u.world.as_ref()) {
        outline(painter, view, w, Stroke::new(2.4, ink));
    }

    // The units marked from another page, of any level.
    let marked = Color32::from_rgb(46, 160, 67);
    for u in scene
        .units
        .iter()
        .filter(|u| f.highlight.contains(&u.shape.unit_id))
    {
        if let Some(w) = u.world.as_ref().filter(|w| visible(view, w, clip)) {
            fill_area(painter, view, w, marked.gamma_multiply(0.35));
            outline(painter, view, w, Stroke::new(2.6, marked));
        }
    }

    // 4. Outages in progress: the stations they are in, outlined; planned ones dashed.
    if f.layers.outages {
        let active = stored::active_at(&scene.outages, f.outages_at);
        let mut by_station: Vec<(&str, u64, bool)> = Vec::new();
        for o in &active {
            match by_station.iter_mut().find(|(u, _, _)| *u == o.unit_id) {
                Some(s) => {
                    s.1 += o.customers_affected;
                    s.2 &= o.planned;
                }
                None => by_station.push((&o.unit_id, o.customers_affected, o.planned)),
            }
        }
        for (unit, customers, planned) in by_station {
            let Some(u) = scene.unit(unit) else { continue };
            let colour = if planned { BLUE } else { VERMILLION };
            if let Some(w) = &u.world {
                fill_area(painter, view, w, colour.gamma_multiply(0.25));
                if planned {
                    dashed_outline(painter, view, w, Stroke::new(2.0, colour));
                } else {
                    outline(painter, view, w, Stroke::new(2.2, colour));
                }
            }
            if let Some(seat) = u.seat_world {
                let at = screen(view, seat);
                let r = (5.0 + 2.5 * (customers.max(1) as f32).log10()).min(18.0);
                painter.circle(
                    at,
                    r,
                    colour.gamma_multiply(0.85),
                    Stroke::new(1.0, Color32::WHITE),
                );
                hits.push(Hit {
                    at,
                    radius: r,
                    what: Picked::Outages(unit.to_string()),
                });
            }
        }
    }

    // 5. Customers, clustered on a grid of 36 px.
    if let Some(points) = f.customers.filter(|_| f.layers.customers) {
        let c = [clip.min.x, clip.min.y, clip.max.x, clip.max.y];
        let marks = cluster::grid(
            points.iter().enumerate().map(|(i, w)| {
                let s = view.to_screen(*w);
                (i as u32, [s[0] as f32, s[1] as f32], 1.0)
            }),
            36.0,
            c,
        );
        let fill = Color32::from_rgb(120, 94, 240);
        for m in marks {
            let at = pos2(m.at[0], m.at[1]);
            let r = if m.count == 1 {
                3.0
            } else {
                (6.0 + 3.0 * (m.count as f32).log10()).min(20.0)
            };
            painter.circle(at, r, fill.gamma_multiply(0.75), Stroke::new(1.0, Color32::WHITE));
            if m.count > 1 && r >= 8.0 {
                painter.text(
                    at,
                    Align2::CENTER_CENTER,
                    count_text(m.count),
                    FontId::proportional(10.0),
                    Color32::WHITE,
                );
            }
            hits.push(Hit {
                at,
                radius: r.max(5.0),
                what: if m.count == 1 {
                    Picked::Cluster(points[m.first as usize], 1)
                } else {
                    Picked::Cluster(view.to_world([at.x as f64, at.y as f64]), m.count)
                },
            });
        }
    }

    // 6. Audit suspects: points by rule category, or their density.
    if f.layers.suspects {
        if f.layers.suspects_density {
            let c = [clip.min.x, clip.min.y, clip.max.x, clip.max.y];
            let marks = cluster::grid(
                scene.suspects.iter().enumerate().map(|(i, s)| {
                    let p = screen(view, to_world(s.suspect.at));
                    (i as u32, [p.x, p.y], s.suspect.amount)
                }),
                48.0,
                c,
            );
            let most = marks.iter().map(|m| m.count).max().unwrap_or(1) as f32;
            for m in marks {
                let t = (m.count as f32 / most).sqrt();
                let at = pos2(m.at[0], m.at[1]);
                let r = 8.0 + 16.0 * t;
                let colour = Color32::from_rgb(213, (94.0 + 120.0 * (1.0 - t)) as u8, 0);
                painter.circle_filled(at, r, colour.gamma_multiply(0.55));
                painter.text(
                    at,
                    Align2::CENTER_CENTER,
                    count_text(m.count),
                    FontId::proportional(11.0),
                    ink,
                );
                let s = &scene.suspects[m.first as usize].suspect;
                hits.push(Hit {
                    at,
                    radius: r,
                    what: Picked::Suspect(s.key.clone()),
                });
            }
        } else {
            for s in &scene.suspects {
                let at = screen(view, to_world(s.suspect.at));
                if !clip.expand(6.0).contains(at) {
                    continue;
                }
                painter.circle(
                    at,
                    4.0,
                    category_colour(s.category),
                    Stroke::new(0.8, halo(f.dark)),
                );
                hits.push(Hit {
                    at,
                    radius: 5.0,
                    what: Picked::Suspect(s.suspect.key.clone()),
                });
            }
        }
    }

    // 7. Orderly consumption: diamonds by plan level.
    if f.layers.orderly {
        for p in &scene.plans {
            let at = screen(view, to_world(p.at));
            if !clip.expand(8.0).contains(at) {
                continue;
            }
            let r = 6.0;
            let pts = vec![
                at + vec2(0.0, -r),
                at + vec2(r, 0.0),
                at + vec2(0.0, r),
                at + vec2(-r, 0.0),
            ];
            painter.add(Shape::convex_polygon(
                pts,
                plan_colour(&p.level),
                Stroke::new(1.0, ink),
            ));
            hits.push(Hit {
                at,
                radius: r + 1.0,
                what: Picked::Plan(p.plan_id.clone()),
            });
        }
    }

    // 8. Key customers: circles sized by kWh.
    if f.layers.key_customers {
        let largest = scene.key_customers.iter().map(|c| c.kwh).fold(0.0, f64::max);
        for c in scene.key_customers.iter().rev() {
            let at = screen(view, to_world(c.at));
            let r = kwh_radius(c.kwh, largest);
            if !clip.expand(r).contains(at) {
                continue;
            }
            let colour = if f.layers.key_by_suspects {
                if c.open_suspects > 0 { PURPLE } else { GREY }
            } else {
                trend_colour(c.trend())
            };
            painter.circle(at, r, colour.gamma_multiply(0.8), Stroke::new(1.0, halo(f.dark)));
            hits.push(Hit {
                at,
                radius: r.max(5.0),
                what: Picked::KeyCustomer(c.customer_id.clone()),
            });
        }
    }

    // 9. Service halls and stations: squares by type.
    if f.layers.halls {
        for h in &scene.halls {
            let at = screen(view, to_world(h.at));
            if !clip.expand(8.0).contains(at) {
                continue;
            }
            let rect = Rect::from_center_size(at, vec2(9.0, 9.0));
            painter.rect(
                rect,
                1.5,
                hall_colour(&h.point_type),
                Stroke::new(1.2, halo(f.dark)),
                egui::StrokeKind::Outside,
            );
            hits.push(Hit {
                at,
                radius: 7.0,
                what: Picked::Hall(h.point_id.clone()),
            });
        }
    }

    // 10. Repair vehicles at the replay time: the last hour's trail, then the vehicle.
    if f.layers.vehicles {
        let hour_before = f.vehicles_at - chrono::Duration::hours(1);
        for fixes in scene.track.chunk_by(|a, b| a.vehicle_id == b.vehicle_id) {
            let n = fixes.partition_point(|x| x.ts <= f.vehicles_at);
            if n == 0 {
                continue;
            }
            let last = &fixes[n - 1];
            let colour = vehicle_colour(&last.status);
            let trail: Vec<Pos2> = fixes[..n]
                .iter()
                .filter(|x| x.ts > hour_before)
                .map(|x| screen(view, to_world(x.at)))
                .collect();
            if trail.len() > 1 {
                painter.add(Shape::line(trail, Stroke::new(1.5, colour.gamma_multiply(0.5))));
            }
            let at = screen(view, to_world(last.at));
            if !clip.expand(8.0).contains(at) {
                continue;
            }
            let r = 7.0;
            let tri = vec![
                at + vec2(0.0, -r),
                at + vec2(r * 0.87, r * 0.5),
                at + vec2(-r * 0.87, r * 0.5),
            ];
            painter.add(Shape::convex_polygon(tri, colour, Stroke::new(1.2, halo(f.dark))));
            hits.push(Hit {
                at,
                radius: r + 1.0,
                what: Picked::Vehicle(last.vehicle_id.clone()),
            });
        }
    }

    // 11. Imported layers.
    for (info, features) in &scene.imported {
        if f.layers.hidden.contains(&info.layer) {
            continue;
        }
        draw_imported(painter, view, &info.layer, features, f.dark, &mut hits);
    }

    // 12. Names of the viewed units (with the indicator's value or the load to shed) on
    // top of every layer, kept from colliding.
    if f.layers.labels {
        let font = FontId::proportional(13.0);
        let mut texts = Vec::new();
        let mut boxes = Vec::new();
        for u in &viewed {
            let (Some(w), Some(label)) = (&u.world, u.world.as_ref().and_then(|w| w.label)) else {
                continue;
            };
            if !visible(view, w, clip) {
                continue;
            }
            let name = if f.zh { &u.shape.name_zh } else { &u.shape.name_en };
            let name = short_name(name);
            let text = match f.value_labels.iter().find(|(id, _)| *id == u.shape.unit_id) {
                Some((_, v)) => format!("{name}\n{v}"),
                None => name,
            };
            let galley = painter.layout(text.clone(), font.clone(), ink, 160.0);
            let b = w
                .bbox
                .map(|b| (b.max[0] - b.min[0]) * (b.max[1] - b.min[1]))
                .unwrap_or(0.0);
            boxes.push(Label {
                anchor: screen(view, label).into(),
                size: [galley.size().x + 6.0, galley.size().y + 2.0],
                priority: b,
            });
            texts.push((text, galley));
        }
        for ((_, galley), (place, l)) in texts
            .into_iter()
            .zip(labels::place(&boxes, 3.0).into_iter().zip(&boxes))
        {
            if let Some(p) = place {
                let rect = Rect::from_min_size(pos2(p[0], p[1]), vec2(l.size[0], l.size[1]));
                painter.rect_filled(rect, 3.0, halo(f.dark).gamma_multiply(0.85));
                painter.galley(rect.min + vec2(3.0, 1.0), galley, ink);
            }
        }
    }

    // 13. The customer found by the search, as a pin.
    if let Some((p, id)) = f.pin {
        let at = screen(view, to_world(p));
        let head = at + vec2(0.0, -16.0);
        painter.line_segment([at, head], Stroke::new(2.5, Color32::from_gray(30)));
        painter.circle(head, 7.0, VERMILLION, Stroke::new(2.0, Color32::WHITE));
        painter.text(
            head + vec2(10.0, 0.0),
            Align2::LEFT_CENTER,
            id,
            FontId::proportional(12.0),
            ink,
        );
        hits.push(Hit {
            at: head,
            radius: 9.0,
            what: Picked::Customer(id.to_string()),
        });
    }

    // 14. The picked thing, highlighted.
    match f.picked {
        Some(Picked::Unit(id)) => {
            // Dark under yellow, so that it shows on every class colour.
            if let Some(w) = scene.unit(id).and_then(|u| u.world.as_ref()) {
                outline(painter, view, w, Stroke::new(5.0, Color32::from_gray(20)));
                outline(painter, view, w, Stroke::new(2.5, YELLOW));
            }
        }
        Some(p) => {
            if let Some(h) = hits.iter().find(|h| h.what == *p) {
                painter.circle_stroke(h.at, h.radius + 4.0, Stroke::new(4.5, Color32::from_gray(20)));
                painter.circle_stroke(h.at, h.radius + 4.0, Stroke::new(2.5, YELLOW));
            }
        }
        None => {}
    }
    hits
}

fn draw_imported(
    painter: &Painter,
    view: &View,
    layer: &str,
    features: &[MapFeature],
    dark: bool,
    hits: &mut Vec<Hit>,
) {
    let colour = Color32::from_rgb(0, 150, 150);
    for (i, feat) in features.iter().enumerate() {
        if let Some(a) = &feat.area {
            fill_area(painter, view, a, colour.gamma_multiply(0.2));
            outline(painter, view, a, Stroke::new(1.5, colour));
            if let Some(l) = a.label {
                hits.push(Hit {
                    at: screen(view, l),
                    radius: 8.0,
                    what: Picked::Feature(layer.to_string(), i),
                });
            }
        }
        for l in &feat.lines_world {
            let pts: Vec<Pos2> = l.iter().map(|p| screen(view, *p)).collect();
            painter.add(Shape::line(pts, Stroke::new(2.0, colour)));
        }
        for p in &feat.points_world {
            let at = screen(view, *p);
            painter.circle(at, 5.0, colour, Stroke::new(1.2, halo(dark)));
            hits.push(Hit {
                at,
                radius: 6.0,
                what: Picked::Feature(layer.to_string(), i),
            });
        }
    }
}

/// A unit's name without the company suffix, as maps print it.
pub fn short_name(name: &str) -> String {
    for suffix in ["供电公司", " Power Supply Company", " Supply Station", "供电所"] {
        if let Some(s) = name.strip_suffix(suffix) {
            return s.to_string();
        }
    }
    name.to_string()
}

fn count_text(n: u32) -> String {
    if n >= 10_000 {
        format!("{}k", n / 1000)
    } else if n >= 1000 {
        format!("{:.1}k", n as f32 / 1000.0)
    } else {
        n.to_string()
    }
}

/// What is under the pointer: the nearest mark within its radius (marks drawn later win
/// ties), else the viewed unit containing it.
pub fn hit_test(hits: &[Hit], scene: &Scene, view: &View, at: Pos2) -> Option<Picked> {
    let near = hits
        .iter()
        .enumerate()
        .filter(|(_, h)| h.at.distance(at) <= h.radius)
        .min_by(|(i, a), (j, b)| a.at.distance(at).total_cmp(&b.at.distance(at)).then(j.cmp(i)))
        .map(|(_, h)| h.what.clone());
    near.or_else(|| {
        let w = view.to_world([at.x as f64, at.y as f64]);
        let lonlat = crate::geo::mercator::from_world(w);
        scene
            .viewed
            .iter()
            .filter_map(|id| scene.unit(id))
            .find(|u| u.shape.area.as_ref().is_some_and(|a| a.contains(lonlat)))
            .map(|u| Picked::Unit(u.shape.unit_id.clone()))
    })
}

/// A scale bar's length in pixels and its label, for `metres_per_pixel`.
pub fn scale_bar(metres_per_pixel: f64, max_px: f64) -> (f64, String) {
    let max_m = metres_per_pixel * max_px;
    let mut best = 1.0;
    for e in 0..8 {
        for m in [1.0, 2.0, 5.0] {
            let v = m * 10f64.powi(e);
            if v <= max_m {
                best = v;
            }
        }
    }
    let label = if best >= 1000.0 {
        format!("{} km", best / 1000.0)
    } else {
        format!("{best} m")
    };
    (best / metres_per_pixel, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_bar_is_a_round_length_that_fits() {
        let (px, label) = scale_bar(100.0, 120.0);
        assert_eq!(label, "10 km");
        assert_eq!(px, 100.0);
        let (px, label) = scale_bar(3.0, 120.0);
        assert_eq!(label, "200 m");
        assert!((px - 66.666).abs() < 0.01);
    }

    #[test]
    fn names_lose_their_company_suffix() {
        assert_eq!(short_name("兴峰供电公司"), "兴峰");
        assert_eq!(short_name("Xingfeng Power Supply Company"), "Xingfeng");
        assert_eq!(short_name("P"), "P");
    }

    #[test]
    fn key_customer_circles_grow_with_the_square_root_of_kwh() {
        assert_eq!(kwh_radius(100.0, 100.0), 16.0);
        assert_eq!(kwh_radius(25.0, 100.0), 10.0);
        assert_eq!(kwh_radius(0.0, 100.0), 4.0);
        assert_eq!(kwh_radius(5.0, 0.0), 4.0);
        assert_eq!(trend_colour(Some(-0.2)), VERMILLION);
        assert_eq!(trend_colour(Some(0.05)), GREY);
        assert_eq!(trend_colour(None), GREY);
    }
}
