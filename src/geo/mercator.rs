//! Web Mercator, as tile maps (and `walkers`) use it: positions map to "world" coordinates
//! in [0, 1] x [0, 1] (y down), and a zoom level z makes the world 256 x 2^z pixels wide.

use crate::geometry::shape::{BBox, Pt};

/// Mercator's latitude limit: the world is square.
pub const MAX_LAT: f64 = 85.051_128_78;
/// Pixels of one tile, the world's width at zoom 0.
pub const TILE: f64 = 256.0;

/// A position in world coordinates.
pub fn to_world(p: Pt) -> Pt {
    let lat = p[1].clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (p[0] + 180.0) / 360.0;
    let y = (1.0 - (lat.tan().asinh() / std::f64::consts::PI)) / 2.0;
    [x, y]
}

/// World coordinates back to a position.
pub fn from_world(w: Pt) -> Pt {
    let lon = w[0] * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * w[1]))
        .sinh()
        .atan()
        .to_degrees();
    [lon, lat]
}

/// Pixels per world unit at a zoom level.
pub fn scale(zoom: f64) -> f64 {
    TILE * zoom.exp2()
}

/// The zoom at which `bbox` fills a viewport of `size` pixels, less `margin` pixels on each
/// side, clamped to `[min, max]`.
pub fn fit_zoom(bbox: BBox, size: [f64; 2], margin: f64, min: f64, max: f64) -> f64 {
    let (a, b) = (to_world(bbox.min), to_world(bbox.max));
    let (w, h) = ((b[0] - a[0]).abs(), (b[1] - a[1]).abs());
    let avail = [
        (size[0] - 2.0 * margin).max(1.0),
        (size[1] - 2.0 * margin).max(1.0),
    ];
    let zx = if w > 0.0 {
        (avail[0] / (w * TILE)).log2()
    } else {
        max
    };
    let zy = if h > 0.0 {
        (avail[1] / (h * TILE)).log2()
    } else {
        max
    };
    zx.min(zy).clamp(min, max)
}

/// A view of the map: which world point is at the centre of a screen rectangle, and the
/// zoom. Turns world coordinates into screen pixels and back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub centre: Pt,
    pub zoom: f64,
    /// The screen position of the view's centre.
    pub screen_centre: [f64; 2],
}

impl View {
    pub fn to_screen(&self, world: Pt) -> [f64; 2] {
        let s = scale(self.zoom);
        [
            self.screen_centre[0] + (world[0] - self.centre[0]) * s,
            self.screen_centre[1] + (world[1] - self.centre[1]) * s,
        ]
    }

    pub fn to_world(&self, screen: [f64; 2]) -> Pt {
        let s = scale(self.zoom);
        [
            self.centre[0] + (screen[0] - self.screen_centre[0]) / s,
            self.centre[1] + (screen[1] - self.screen_centre[1]) / s,
        ]
    }
}

/// The index of the point nearest to `cursor` within `radius` pixels (screen coordinates).
pub fn nearest(points: impl IntoIterator<Item = [f64; 2]>, cursor: [f64; 2], radius: f64) -> Option<usize> {
    points
        .into_iter()
        .enumerate()
        .map(|(i, p)| (i, (p[0] - cursor[0]).powi(2) + (p[1] - cursor[1]).powi(2)))
        .filter(|(_, d2)| *d2 <= radius * radius)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_points_land_where_tile_maps_put_them() {
        assert_eq!(to_world([0.0, 0.0]), [0.5, 0.5]);
        assert_eq!(to_world([-180.0, 0.0])[0], 0.0);
        let top = to_world([0.0, MAX_LAT]);
        assert!(top[1].abs() < 1e-9, "{top:?}");
        // Beijing is in tile (843, 388) at zoom 10 (OpenStreetMap's numbering).
        let w = to_world([116.391, 39.907]);
        assert_eq!(((w[0] * 1024.0) as u32, (w[1] * 1024.0) as u32), (843, 388));
        // Polar latitudes are clamped, never infinite.
        assert!(to_world([0.0, 90.0])[1].is_finite());
    }

    #[test]
    fn round_trips_through_world_and_screen() {
        let p = [116.25, 29.75];
        let back = from_world(to_world(p));
        assert!((back[0] - p[0]).abs() < 1e-9 && (back[1] - p[1]).abs() < 1e-9);
        let view = View {
            centre: to_world([116.0, 29.5]),
            zoom: 8.0,
            screen_centre: [400.0, 300.0],
        };
        assert_eq!(view.to_screen(view.centre), [400.0, 300.0]);
        let s = view.to_screen(to_world(p));
        // East is right and north is up.
        assert!(s[0] > 400.0 && s[1] < 300.0);
        let w = view.to_world(s);
        let q = from_world(w);
        assert!((q[0] - p[0]).abs() < 1e-9 && (q[1] - p[1]).abs() < 1e-9);
        // One zoom level doubles distances on screen.
        let v9 = View { zoom: 9.0, ..view };
        let d8 = s[0] - 400.0;
        let d9 = v9.to_screen(to_world(p))[0] - 400.0;
        assert!((d9 - 2.0 * d8).abs() < 1e-6);
    }

    #[test]
    fn fitting_a_box_fills_the_viewport_without_overflow() {
        let b = BBox {
            min: [113.0, 27.3],
            max: [119.0, 31.7],
        };
        let z = fit_zoom(b, [800.0, 600.0], 20.0, 2.0, 18.0);
        let s = scale(z);
        let (a, c) = (to_world(b.min), to_world(b.max));
        let (w, h) = ((c[0] - a[0]) * s, (a[1] - c[1]) * s);
        assert!(w <= 760.0 + 1e-6 && h <= 560.0 + 1e-6, "{w} x {h}");
        assert!(
            (w - 760.0).abs() < 1e-6 || (h - 560.0).abs() < 1e-6,
            "one side fits"
        );
        // A single point zooms to the closest allowed.
        let p = BBox {
            min: [116.0, 29.0],
            max: [116.0, 29.0],
        };
        assert_eq!(fit_zoom(p, [800.0, 600.0], 20.0, 2.0, 14.0), 14.0);
    }

    #[test]
    fn hit_testing_takes_the_nearest_point_within_the_radius() {
        let pts = [[10.0, 10.0], [14.0, 10.0], [100.0, 100.0]];
        assert_eq!(nearest(pts, [13.0, 10.0], 6.0), Some(1));
        assert_eq!(nearest(pts, [11.0, 10.0], 6.0), Some(0));
        assert_eq!(nearest(pts, [50.0, 50.0], 6.0), None);
    }
}
