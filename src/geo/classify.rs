//! Class breaks for indicator maps (choropleths) and their colours.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Method {
    /// Each class holds about as many units.
    #[default]
    Quantile,
    /// Each class spans the same range of values.
    EqualInterval,
}

/// The class edges of `values` in `k` classes: k + 1 ascending edges from the smallest
/// value to the largest. Fewer classes come back when the values cannot fill k distinct
/// classes (few or equal values); none when there is no finite value.
pub fn breaks(values: &[f64], k: usize, method: Method) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() || k == 0 {
        return Vec::new();
    }
    v.sort_by(f64::total_cmp);
    let (lo, hi) = (v[0], v[v.len() - 1]);
    if lo == hi {
        return vec![lo, hi];
    }
    let mut edges: Vec<f64> = match method {
        Method::EqualInterval => (0..=k).map(|i| lo + (hi - lo) * i as f64 / k as f64).collect(),
        Method::Quantile => (0..=k)
            .map(|i| {
                // Linear interpolation between order statistics.
                let pos = (v.len() - 1) as f64 * i as f64 / k as f64;
                let (f, c) = (pos.floor() as usize, pos.ceil() as usize);
                v[f] + (v[c] - v[f]) * (pos - f as f64)
            })
            .collect(),
    };
    edges.dedup_by(|a, b| (*a - *b).abs() <= f64::EPSILON * b.abs().max(1.0));
    if edges.len() < 2 {
        edges = vec![lo, hi];
    }
    *edges.last_mut().expect("two edges") = hi;
    edges
}

/// The class (0-based) a value falls in; the top edge belongs to the last class.
pub fn class_of(edges: &[f64], v: f64) -> Option<usize> {
    if edges.len() < 2 || !v.is_finite() || v < edges[0] || v > edges[edges.len() - 1] {
        return None;
    }
    Some(edges[1..].iter().position(|e| v < *e).unwrap_or(edges.len() - 2))
}

/// Viridis: ordered light to dark, readable by the colour-blind and in grey print.
const VIRIDIS: [[u8; 3]; 7] = [
    [253, 231, 37],
    [144, 215, 67],
    [53, 183, 121],
    [33, 145, 140],
    [49, 104, 142],
    [68, 57, 131],
    [68, 1, 84],
];

/// `k` colours of the scale, light (low values) to dark (high values).
pub fn palette(k: usize) -> Vec<[u8; 3]> {
    match k {
        0 => Vec::new(),
        1 => vec![VIRIDIS[3]],
        _ => (0..k)
            .map(|i| VIRIDIS[(i * (VIRIDIS.len() - 1) + (k - 1) / 2) / (k - 1)])
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_split_the_units_evenly() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let e = breaks(&v, 5, Method::Quantile);
        // Positions 0, 1.8, 3.6, 5.4, 7.2, 9 of the sorted values 1..10.
        assert_eq!(e.len(), 6);
        for (got, want) in e.iter().zip([1.0, 2.8, 4.6, 6.4, 8.2, 10.0]) {
            assert!((got - want).abs() < 1e-9, "{e:?}");
        }
        let counts = (0..5)
            .map(|c| v.iter().filter(|x| class_of(&e, **x) == Some(c)).count())
            .collect::<Vec<_>>();
        assert_eq!(counts, vec![2, 2, 2, 2, 2]);
    }

    #[test]
    fn equal_intervals_span_equal_ranges() {
        let e = breaks(&[0.0, 1.0, 2.0, 100.0], 4, Method::EqualInterval);
        assert_eq!(e, vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        assert_eq!(class_of(&e, 0.0), Some(0));
        assert_eq!(class_of(&e, 25.0), Some(1));
        assert_eq!(class_of(&e, 100.0), Some(3), "the top edge is in the last class");
        assert_eq!(class_of(&e, 101.0), None);
        assert_eq!(class_of(&e, f64::NAN), None);
    }

    #[test]
    fn few_or_equal_or_missing_values_give_fewer_classes() {
        assert!(breaks(&[], 5, Method::Quantile).is_empty());
        assert!(breaks(&[f64::NAN, f64::INFINITY], 5, Method::Quantile).is_empty());
        assert_eq!(breaks(&[3.0, 3.0, 3.0], 5, Method::Quantile), vec![3.0, 3.0]);
        assert_eq!(class_of(&[3.0, 3.0], 3.0), Some(0));
        // Many equal values: duplicate quantile edges collapse.
        let e = breaks(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0], 5, Method::Quantile);
        assert!(e.windows(2).all(|w| w[0] < w[1]), "{e:?}");
    }

    #[test]
    fn palettes_run_light_to_dark_without_repeats() {
        for k in 2..=7 {
            let p = palette(k);
            assert_eq!(p.len(), k);
            assert_eq!(p[0], VIRIDIS[0]);
            assert_eq!(p[k - 1], VIRIDIS[6]);
            let lum = |c: [u8; 3]| 0.2126 * c[0] as f64 + 0.7152 * c[1] as f64 + 0.0722 * c[2] as f64;
            assert!(p.windows(2).all(|w| lum(w[0]) > lum(w[1])), "k={k}: {p:?}");
        }
    }
}
