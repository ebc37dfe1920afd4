//! Points, boxes and areas (polygons with holes, several per area) in WGS 84 degrees, with
//! the questions a map asks of them: what contains a point, where a label goes, how to fill.

/// A position: [longitude, latitude] in degrees, as GeoJSON orders them.
pub type Pt = [f64; 2];

/// A bounding box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min: Pt,
    pub max: Pt,
}

impl BBox {
    pub fn of_points<'a>(pts: impl IntoIterator<Item = &'a Pt>) -> Option<BBox> {
        let mut it = pts.into_iter();
        let first = *it.next()?;
        Some(it.fold(
            BBox {
                min: first,
                max: first,
            },
            |b, p| b.with(*p),
        ))
    }

    pub fn with(self, p: Pt) -> BBox {
        BBox {
            min: [self.min[0].min(p[0]), self.min[1].min(p[1])],
            max: [self.max[0].max(p[0]), self.max[1].max(p[1])],
        }
    }

    pub fn union(self, o: BBox) -> BBox {
        self.with(o.min).with(o.max)
    }

    pub fn contains(&self, p: Pt) -> bool {
        p[0] >= self.min[0] && p[0] <= self.max[0] && p[1] >= self.min[1] && p[1] <= self.max[1]
    }

    pub fn intersects(&self, o: &BBox) -> bool {
        self.min[0] <= o.max[0]
            && o.min[0] <= self.max[0]
            && self.min[1] <= o.max[1]
            && o.min[1] <= self.max[1]
    }

    pub fn centre(&self) -> Pt {
        [
            (self.min[0] + self.max[0]) / 2.0,
            (self.min[1] + self.max[1]) / 2.0,
        ]
    }
}

/// One polygon: the outer ring first, then its holes. Rings are not closed (the last
/// vertex is not a copy of the first).
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    pub rings: Vec<Vec<Pt>>,
}

/// An area of the map: one or more polygons (a GeoJSON Polygon or MultiPolygon).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Area {
    pub polygons: Vec<Polygon>,
}

/// Twice the signed area of a ring (positive when counter-clockwise).
fn ring_area2(ring: &[Pt]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

/// Even-odd ray casting: is `p` inside the ring?
pub fn ring_contains(ring: &[Pt], p: Pt) -> bool {
    let n = ring.len();
    let mut inside = false;
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
            inside = !inside;
        }
        j = i;
    }
    inside
}

impl Polygon {
    pub fn contains(&self, p: Pt) -> bool {
        self.rings.iter().filter(|r| ring_contains(r, p)).count() % 2 == 1
    }

    /// Area in square degrees, holes taken off (only used to compare polygons).
    pub fn area(&self) -> f64 {
        let mut rings = self.rings.iter().map(|r| ring_area2(r).abs() / 2.0);
        let outer = rings.next().unwrap_or(0.0);
        outer - rings.sum::<f64>()
    }
}

impl Area {
    pub fn bbox(&self) -> Option<BBox> {
        BBox::of_points(self.polygons.iter().flat_map(|p| p.rings.first()).flatten())
    }

    pub fn contains(&self, p: Pt) -> bool {
        self.bbox().is_some_and(|b| b.contains(p)) && self.polygons.iter().any(|g| g.contains(p))
    }

    /// Where the area's name goes: the centroid of its largest polygon when that lies
    /// inside, else the inside point nearest to it along the horizontal line through it.
    pub fn label_point(&self) -> Option<Pt> {
        let largest = self
            .polygons
            .iter()
            .max_by(|a, b| a.area().total_cmp(&b.area()))?;
        let outer = largest.rings.first()?;
        let a2 = ring_area2(outer);
        let c = if a2.abs() < 1e-18 {
            BBox::of_points(outer)?.centre()
        } else {
            let n = outer.len();
            let (mut cx, mut cy) = (0.0, 0.0);
            for i in 0..n {
                let (a, b) = (outer[i], outer[(i + 1) % n]);
                let k = a[0] * b[1] - b[0] * a[1];
                cx += (a[0] + b[0]) * k;
                cy += (a[1] + b[1]) * k;
            }
            [cx / (3.0 * a2), cy / (3.0 * a2)]
        };
        if largest.contains(c) {
            return Some(c);
        }
        // A concave shape: the middle of the widest inside stretch of the centroid's row.
        let mut xs: Vec<f64> = Vec::new();
        for ring in &largest.rings {
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                if (a[1] > c[1]) != (b[1] > c[1]) {
                    xs.push(a[0] + (c[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]));
                }
            }
        }
        xs.sort_by(f64::total_cmp);
        xs.chunks_exact(2)
            .max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])))
            .map(|s| [(s[0] + s[1]) / 2.0, c[1]])
            .or(Some(c))
    }

    /// Triangles that fill the area, in the coordinates `project` maps positions to
    /// (triangulated after projecting, so the fill matches the drawn outline exactly).
    /// Returns the projected vertices and the triangles' vertex indices.
    pub fn triangulate(&self, project: impl Fn(Pt) -> Pt) -> (Vec<Pt>, Vec<u32>) {
        let mut vertices: Vec<Pt> = Vec::new();
        let mut indices: Vec<u32> = Vec::new();
        let mut earcut = earcut::Earcut::new();
        let mut tri: Vec<u32> = Vec::new();
        for poly in &self.polygons {
            let base = vertices.len() as u32;
            let mut holes: Vec<u32> = Vec::new();
            let mut flat: Vec<[f64; 2]> = Vec::new();
            for (i, ring) in poly.rings.iter().enumerate() {
                if i > 0 {
                    holes.push(flat.len() as u32);
                }
                flat.extend(ring.iter().map(|p| project(*p)));
            }
            earcut.earcut(flat.iter().copied(), &holes, &mut tri);
            indices.extend(tri.iter().map(|i| i + base));
            vertices.extend(flat);
        }
        (vertices, indices)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: f64, y0: f64, s: f64) -> Vec<Pt> {
        vec![[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s]]
    }

    #[test]
    fn holes_are_outside_and_multipolygons_count_each_part() {
        let area = Area {
            polygons: vec![
                Polygon {
                    rings: vec![square(0.0, 0.0, 4.0), square(1.0, 1.0, 2.0)],
                },
                Polygon {
                    rings: vec![square(10.0, 0.0, 1.0)],
                },
            ],
        };
        assert!(area.contains([0.5, 0.5]));
        assert!(!area.contains([2.0, 2.0]), "inside the hole");
        assert!(area.contains([10.5, 0.5]), "second polygon");
        assert!(!area.contains([5.0, 0.5]), "between the two");
        // 16 - 4 for the holed square, 1 for the other.
        assert_eq!(area.polygons[0].area(), 12.0);
        let b = area.bbox().unwrap();
        assert_eq!((b.min, b.max), ([0.0, 0.0], [11.0, 4.0]));
    }

    #[test]
    fn fill_covers_exactly_the_area() {
        let area = Area {
            polygons: vec![Polygon {
                rings: vec![square(0.0, 0.0, 4.0), square(1.0, 1.0, 2.0)],
            }],
        };
        let (v, idx) = area.triangulate(|p| p);
        assert_eq!(v.len(), 8);
        let filled: f64 = idx
            .chunks_exact(3)
            .map(|t| ring_area2(&[v[t[0] as usize], v[t[1] as usize], v[t[2] as usize]]).abs() / 2.0)
            .sum();
        assert!((filled - 12.0).abs() < 1e-9, "triangles cover {filled}");
    }

    #[test]
    fn a_label_of_a_concave_area_lies_inside_it() {
        // A "U": its centroid falls in the notch.
        let u = vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 3.0],
            [2.0, 3.0],
            [2.0, 1.0],
            [1.0, 1.0],
            [1.0, 3.0],
            [0.0, 3.0],
        ];
        let area = Area {
            polygons: vec![Polygon { rings: vec![u] }],
        };
        let p = area.label_point().unwrap();
        assert!(area.contains(p), "{p:?}");
        let convex = Area {
            polygons: vec![Polygon {
                rings: vec![square(0.0, 0.0, 2.0)],
            }],
        };
        assert_eq!(convex.label_point(), Some([1.0, 1.0]));
    }
}
