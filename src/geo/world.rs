//! Shapes in world coordinates (Web Mercator, see `mercator`), prepared once when the data
//! arrives: outlines, fill triangles and label points, so that drawing a frame at any zoom
//! is a multiply-add per vertex.

use super::mercator::to_world;
use crate::geometry::shape::{Area, BBox, Pt};

#[derive(Debug, Clone, PartialEq)]
pub struct WorldArea {
    /// Every ring (outer rings and holes), for the outline.
    pub rings: Vec<Vec<Pt>>,
    pub fill_vertices: Vec<Pt>,
    pub fill_triangles: Vec<u32>,
    pub label: Option<Pt>,
    pub bbox: Option<BBox>,
}

impl WorldArea {
    pub fn new(area: &Area) -> WorldArea {
        let (fill_vertices, fill_triangles) = area.triangulate(to_world);
        let rings: Vec<Vec<Pt>> = area
            .polygons
            .iter()
            .flat_map(|p| p.rings.iter().map(|r| r.iter().map(|p| to_world(*p)).collect()))
            .collect();
        WorldArea {
            bbox: BBox::of_points(rings.iter().flatten()),
            label: area.label_point().map(to_world),
            rings,
            fill_vertices,
            fill_triangles,
        }
    }
}

/// Lines in world coordinates.
pub fn world_lines(lines: &[Vec<Pt>]) -> Vec<Vec<Pt>> {
    lines
        .iter()
        .map(|l| l.iter().map(|p| to_world(*p)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::shape::Polygon;

    #[test]
    fn a_prepared_area_keeps_its_rings_fill_and_label_in_world_coordinates() {
        let area = Area {
            polygons: vec![Polygon {
                rings: vec![
                    vec![[116.0, 29.0], [117.0, 29.0], [117.0, 30.0], [116.0, 30.0]],
                    vec![[116.4, 29.4], [116.6, 29.4], [116.6, 29.6]],
                ],
            }],
        };
        let w = WorldArea::new(&area);
        assert_eq!(w.rings.len(), 2);
        assert_eq!(w.fill_vertices.len(), 7);
        assert!(
            w.fill_triangles.len() >= 3 * 5,
            "a square with a triangular hole needs 5+ triangles"
        );
        let b = w.bbox.unwrap();
        assert_eq!(b.min, [to_world([116.0, 30.0])[0], to_world([116.0, 30.0])[1]]);
        let l = w.label.unwrap();
        assert!(b.contains(l));
    }
}
