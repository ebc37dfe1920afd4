//! The fictional province's geography: 8 cities, 40 counties and 150 supply stations whose
//! boundaries nest exactly. Everything is generated (Voronoi cells clipped to the parent
//! unit), so the sample carries no third-party map data.

use super::rng::Rng;

/// Where the fictional province lies (WGS 84 degrees) and its half-extent.
const CENTRE: (f64, f64) = (116.0, 29.5);
const HALF_EXTENT: (f64, f64) = (3.0, 2.2);
pub const CITIES: usize = 8;
pub const COUNTIES_PER_CITY: usize = 5;
pub const STATIONS: usize = 150;

#[derive(Debug, Clone)]
pub struct Unit {
    pub unit_id: String,
    pub parent_id: Option<String>,
    pub level: &'static str,
    pub name_zh: String,
    pub name_en: String,
    pub area_type: &'static str,
    /// Seat of the unit (lon, lat).
    pub seat: (f64, f64),
    /// Convex boundary ring, counter-clockwise, not closed (lon, lat).
    pub ring: Vec<(f64, f64)>,
}

impl Unit {
    pub fn boundary_geojson(&self) -> String {
        let mut pts: Vec<String> = self
            .ring
            .iter()
            .map(|(x, y)| format!("[{x:.5},{y:.5}]"))
            .collect();
        if let Some(first) = pts.first().cloned() {
            pts.push(first);
        }
        format!(r#"{{"type":"Polygon","coordinates":[[{}]]}}"#, pts.join(","))
    }

    /// A uniformly drawn point inside the boundary.
    pub fn random_point(&self, rng: &mut Rng) -> (f64, f64) {
        let (minx, maxx, miny, maxy) = bbox(&self.ring);
        for _ in 0..1000 {
            let p = (rng.range(minx, maxx), rng.range(miny, maxy));
            if inside_convex(&self.ring, p) {
                return p;
            }
        }
        self.seat
    }

    /// A point near the seat: towns cluster around their seat.
    pub fn point_near_seat(&self, rng: &mut Rng, spread: f64) -> (f64, f64) {
        for _ in 0..50 {
            let p = (
                self.seat.0 + rng.normal() * spread,
                self.seat.1 + rng.normal() * spread * 0.8,
            );
            if inside_convex(&self.ring, p) {
                return p;
            }
        }
        self.random_point(rng)
    }
}

/// The whole hierarchy, parents before children.
#[derive(Debug, Clone)]
pub struct Geography {
    pub province_zh: String,
    pub province_en: String,
    pub units: Vec<Unit>,
}

impl Geography {
    pub fn stations(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.level == "station")
    }
    pub fn counties(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.level == "county")
    }
    pub fn cities(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(|u| u.level == "city")
    }
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.unit_id == id)
    }
}

fn bbox(ring: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    ring.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(a, b, c, d), (x, y)| (a.min(*x), b.max(*x), c.min(*y), d.max(*y)),
    )
}

fn cross(o: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

/// Point in a counter-clockwise convex polygon.
pub fn inside_convex(ring: &[(f64, f64)], p: (f64, f64)) -> bool {
    let n = ring.len();
    n >= 3 && (0..n).all(|i| cross(ring[i], ring[(i + 1) % n], p) >= 0.0)
}

/// Convex hull (Andrew's monotone chain), counter-clockwise.
fn convex_hull(mut pts: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    pts.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let mut lower: Vec<(f64, f64)> = Vec::new();
    for p in &pts {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], *p) <= 0.0 {
            lower.pop();
        }
        lower.push(*p);
    }
    let mut upper: Vec<(f64, f64)> = Vec::new();
    for p in pts.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], *p) <= 0.0 {
            upper.pop();
        }
        upper.push(*p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

/// Keeps the part of a convex polygon where a.x + b.y <= c (Sutherland-Hodgman, one edge).
fn clip_half_plane(ring: &[(f64, f64)], a: f64, b: f64, c: f64) -> Vec<(f64, f64)> {
    let f = |p: (f64, f64)| a * p.0 + b * p.1 - c;
    let n = ring.len();
    let mut out = Vec::with_capacity(n + 1);
    for i in 0..n {
        let p = ring[i];
        let q = ring[(i + 1) % n];
        let (fp, fq) = (f(p), f(q));
        if fp <= 0.0 {
            out.push(p);
        }
        if (fp < 0.0 && fq > 0.0) || (fp > 0.0 && fq < 0.0) {
            let t = fp / (fp - fq);
            out.push((p.0 + t * (q.0 - p.0), p.1 + t * (q.1 - p.1)));
        }
    }
    out
}

/// Longitude is scaled by cos(latitude) so that cells are round on the ground.
const LON_SCALE: f64 = 0.87;

/// Voronoi cells of `seeds` inside a convex `region`.
fn voronoi_cells(region: &[(f64, f64)], seeds: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    seeds
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut cell = region.to_vec();
            for (j, t) in seeds.iter().enumerate() {
                if i == j || cell.len() < 3 {
                    continue;
                }
                // |x - s| <= |x - t| in the scaled plane, as a half-plane in lon/lat.
                let k = LON_SCALE * LON_SCALE;
                let a = 2.0 * k * (t.0 - s.0);
                let b = 2.0 * (t.1 - s.1);
                let c = k * (t.0 * t.0 - s.0 * s.0) + (t.1 * t.1 - s.1 * s.1);
                cell = clip_half_plane(&cell, a, b, c);
            }
            cell
        })
        .collect()
}

fn centroid(ring: &[(f64, f64)]) -> (f64, f64) {
    let n = ring.len();
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (p, q) = (ring[i], ring[(i + 1) % n]);
        let w = p.0 * q.1 - q.0 * p.1;
        a += w;
        cx += (p.0 + q.0) * w;
        cy += (p.1 + q.1) * w;
    }
    if a.abs() < 1e-12 {
        return ring[0];
    }
    (cx / (3.0 * a), cy / (3.0 * a))
}

/// `n` well-spread cells partitioning a convex region (seeds, then two Lloyd steps).
/// A seed point and the boundary ring of its cell.
type Cell = ((f64, f64), Vec<(f64, f64)>);

fn partition(region: &[(f64, f64)], n: usize, rng: &mut Rng) -> Vec<Cell> {
    let (minx, maxx, miny, maxy) = bbox(region);
    let mut seeds: Vec<(f64, f64)> = Vec::with_capacity(n);
    let mut attempts = 0;
    while seeds.len() < n {
        let p = (rng.range(minx, maxx), rng.range(miny, maxy));
        attempts += 1;
        if !inside_convex(region, p) {
            continue;
        }
        // Best of a few candidates: farthest from the seeds so far.
        let min_d = seeds
            .iter()
            .map(|s| ((s.0 - p.0) * LON_SCALE).powi(2) + (s.1 - p.1).powi(2))
            .fold(f64::MAX, f64::min);
        let wanted = ((maxx - minx) * (maxy - miny)) / (n as f64 * 6.0);
        if min_d > wanted || attempts > 400 {
            seeds.push(p);
            attempts = 0;
        }
    }
    for _ in 0..2 {
        let cells = voronoi_cells(region, &seeds);
        seeds = cells
            .iter()
            .zip(&seeds)
            .map(|(c, s)| if c.len() >= 3 { centroid(c) } else { *s })
            .collect();
    }
    let cells = voronoi_cells(region, &seeds);
    seeds.into_iter().zip(cells).collect()
}

/// Syllables for place names: (hanzi, pinyin).
const FIRST: &[(&str, &str)] = &[
    ("清", "Qing"),
    ("云", "Yun"),
    ("南", "Nan"),
    ("东", "Dong"),
    ("西", "Xi"),
    ("北", "Bei"),
    ("安", "An"),
    ("平", "Ping"),
    ("宁", "Ning"),
    ("丰", "Feng"),
    ("石", "Shi"),
    ("龙", "Long"),
    ("长", "Chang"),
    ("新", "Xin"),
    ("华", "Hua"),
    ("永", "Yong"),
    ("兴", "Xing"),
    ("金", "Jin"),
    ("白", "Bai"),
    ("松", "Song"),
    ("桃", "Tao"),
    ("青", "Qing"),
    ("庆", "Qing"),
    ("德", "De"),
    ("盛", "Sheng"),
    ("茂", "Mao"),
    ("凤", "Feng"),
    ("竹", "Zhu"),
    ("梅", "Mei"),
    ("柳", "Liu"),
    ("望", "Wang"),
    ("乐", "Le"),
    ("嘉", "Jia"),
    ("瑞", "Rui"),
    ("富", "Fu"),
    ("广", "Guang"),
];
const SECOND: &[(&str, &str)] = &[
    ("河", "he"),
    ("岭", "ling"),
    ("湖", "hu"),
    ("阳", "yang"),
    ("山", "shan"),
    ("江", "jiang"),
    ("桥", "qiao"),
    ("泉", "quan"),
    ("水", "shui"),
    ("沙", "sha"),
    ("林", "lin"),
    ("溪", "xi"),
    ("田", "tian"),
    ("源", "yuan"),
    ("峰", "feng"),
    ("和", "he"),
    ("塘", "tang"),
    ("坪", "ping"),
    ("口", "kou"),
    ("店", "dian"),
    ("集", "ji"),
    ("坝", "ba"),
    ("湾", "wan"),
    ("冈", "gang"),
    ("城", "cheng"),
    ("州", "zhou"),
    ("台", "tai"),
    ("庄", "zhuang"),
    ("堡", "bao"),
    ("洲", "zhou"),
];

fn place_name(rng: &mut Rng, used: &mut std::collections::HashSet<String>) -> (String, String) {
    loop {
        let (a, pa) = *rng.pick(FIRST);
        let (b, pb) = *rng.pick(SECOND);
        let zh = format!("{a}{b}");
        if used.insert(zh.clone()) {
            return (zh, format!("{pa}{pb}"));
        }
    }
}

/// Builds the province. Deterministic in `seed`.
pub fn generate(seed: u64) -> Geography {
    let mut rng = Rng::derive(seed, &[1]);
    // Province outline: the hull of noisy points on an ellipse.
    let outline: Vec<(f64, f64)> = (0..28)
        .map(|i| {
            let t = i as f64 / 28.0 * std::f64::consts::TAU;
            let r = rng.range(0.85, 1.08);
            (
                CENTRE.0 + HALF_EXTENT.0 * r * t.cos(),
                CENTRE.1 + HALF_EXTENT.1 * r * t.sin(),
            )
        })
        .collect();
    let province_ring = convex_hull(outline);
    let mut used = std::collections::HashSet::new();
    let (pzh, pen) = place_name(&mut rng, &mut used);
    let province_zh = format!("{pzh}省");
    let province_en = format!("{pen} Province");
    let mut units = vec![Unit {
        unit_id: "P".into(),
        parent_id: None,
        level: "province",
        name_zh: format!("国网{pzh}省电力有限公司"),
        name_en: format!("State Grid {pen} Electric Power (fictional)"),
        area_type: "urban",
        seat: centroid(&province_ring),
        ring: province_ring.clone(),
    }];

    // 150 stations over 40 counties: 30 counties get a fourth station.
    let counties = CITIES * COUNTIES_PER_CITY;
    let extra = STATIONS - 3 * counties;
    let mut county_index = 0;
    for (ci, (city_seat, city_ring)) in partition(&province_ring, CITIES, &mut rng)
        .into_iter()
        .enumerate()
    {
        let (czh, cen) = place_name(&mut rng, &mut used);
        let city_id = format!("C{:02}", ci + 1);
        units.push(Unit {
            unit_id: city_id.clone(),
            parent_id: Some("P".into()),
            level: "city",
            name_zh: format!("{czh}供电公司"),
            name_en: format!("{cen} Power Supply Company"),
            area_type: "urban",
            seat: city_seat,
            ring: city_ring.clone(),
        });
        let mut county_cells = partition(&city_ring, COUNTIES_PER_CITY, &mut rng);
        // The county nearest the city seat is the urban district.
        county_cells.sort_by(|a, b| {
            let da = (a.0.0 - city_seat.0).powi(2) + (a.0.1 - city_seat.1).powi(2);
            let db = (b.0.0 - city_seat.0).powi(2) + (b.0.1 - city_seat.1).powi(2);
            da.partial_cmp(&db).unwrap_or(std::cmp::Ordering::Equal)
        });
        for (ki, (county_seat, county_ring)) in county_cells.into_iter().enumerate() {
            let urban = ki == 0;
            let (kzh, ken) = place_name(&mut rng, &mut used);
            let county_id = format!("{city_id}K{:02}", ki + 1);
            let (suffix_zh, suffix_en) = if urban {
                ("区", "District")
            } else {
                ("县", "County")
            };
            units.push(Unit {
                unit_id: county_id.clone(),
                parent_id: Some(city_id.clone()),
                level: "county",
                name_zh: format!("{kzh}{suffix_zh}供电公司"),
                name_en: format!("{ken} {suffix_en} Power Supply Company"),
                area_type: if urban { "urban" } else { "rural" },
                seat: county_seat,
                ring: county_ring.clone(),
            });
            let n_stations = 3 + usize::from(county_index < extra);
            county_index += 1;
            let mut station_cells = partition(&county_ring, n_stations, &mut rng);
            station_cells.sort_by(|a, b| {
                let da = (a.0.0 - county_seat.0).powi(2) + (a.0.1 - county_seat.1).powi(2);
                let db = (b.0.0 - county_seat.0).powi(2) + (b.0.1 - county_seat.1).powi(2);
                da.partial_cmp(&db).unwrap_or(std::cmp::Ordering::Equal)
            });
            for (si, (station_seat, station_ring)) in station_cells.into_iter().enumerate() {
                let (szh, sen) = place_name(&mut rng, &mut used);
                let dist_to_city =
                    ((station_seat.0 - city_seat.0) * LON_SCALE).hypot(station_seat.1 - city_seat.1);
                let area_type = if urban {
                    "urban"
                } else if dist_to_city > 0.9 && si > 0 {
                    "remote"
                } else {
                    "rural"
                };
                units.push(Unit {
                    unit_id: format!("{county_id}S{:02}", si + 1),
                    parent_id: Some(county_id.clone()),
                    level: "station",
                    name_zh: format!("{szh}供电所"),
                    name_en: format!("{sen} Supply Station"),
                    area_type,
                    seat: station_seat,
                    ring: station_ring,
                });
            }
        }
    }
    Geography {
        province_zh,
        province_en,
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(ring: &[(f64, f64)]) -> f64 {
        let n = ring.len();
        (0..n)
            .map(|i| ring[i].0 * ring[(i + 1) % n].1 - ring[(i + 1) % n].0 * ring[i].1)
            .sum::<f64>()
            / 2.0
    }

    #[test]
    fn hierarchy_has_the_promised_sizes_and_children_tile_their_parent() {
        let g = generate(20240101);
        assert_eq!(g.cities().count(), 8);
        assert_eq!(g.counties().count(), 40);
        assert_eq!(g.stations().count(), 150);
        for parent in g.units.iter().filter(|u| u.level != "station") {
            let children: Vec<_> = g
                .units
                .iter()
                .filter(|u| u.parent_id.as_deref() == Some(&parent.unit_id))
                .collect();
            let sum: f64 = children.iter().map(|c| area(&c.ring)).sum();
            assert!(
                (sum - area(&parent.ring)).abs() < 1e-6 * area(&parent.ring).abs().max(1.0),
                "children of {} do not tile it",
                parent.unit_id
            );
            for c in &children {
                assert!(area(&c.ring) > 0.0);
                assert!(inside_convex(&parent.ring, c.seat));
            }
        }
        let names: std::collections::HashSet<_> = g.units.iter().map(|u| u.name_zh.clone()).collect();
        assert_eq!(names.len(), g.units.len(), "names are unique");
        assert!(g.stations().any(|s| s.area_type == "remote"));
        assert!(g.stations().any(|s| s.area_type == "urban"));
    }

    #[test]
    fn geojson_ring_is_closed() {
        let g = generate(1);
        let gj: serde_json::Value = serde_json::from_str(&g.units[3].boundary_geojson()).unwrap();
        let ring = gj["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.first(), ring.last());
        assert!(ring.len() >= 4);
    }
}
