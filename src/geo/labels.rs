//! Labels that do not collide: the most important first, each at the first of a few
//! positions around its anchor where it overlaps nothing placed before; otherwise left out.

/// A label to place: its anchor on screen, its size, and how much it matters.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub anchor: [f32; 2],
    pub size: [f32; 2],
    pub priority: f64,
}

/// For each label, the top-left corner where it goes, or None when it did not fit.
pub fn place(labels: &[Label], gap: f32) -> Vec<Option<[f32; 2]>> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|a, b| labels[*b].priority.total_cmp(&labels[*a].priority));
    let mut taken: Vec<[f32; 4]> = Vec::new();
    let mut out = vec![None; labels.len()];
    for i in order {
        let l = &labels[i];
        let [w, h] = l.size;
        let [x, y] = l.anchor;
        // Centred, above, below, right, left.
        let tries = [
            [x - w / 2.0, y - h / 2.0],
            [x - w / 2.0, y - h - gap],
            [x - w / 2.0, y + gap],
            [x + gap, y - h / 2.0],
            [x - w - gap, y - h / 2.0],
        ];
        if let Some(p) = tries.into_iter().find(|p| {
            let r = [p[0], p[1], p[0] + w, p[1] + h];
            !taken
                .iter()
                .any(|t| r[0] < t[2] && t[0] < r[2] && r[1] < t[3] && t[1] < r[3])
        }) {
            taken.push([p[0], p[1], p[0] + w, p[1] + h]);
            out[i] = Some(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_two_placed_labels_overlap_and_the_important_one_wins() {
        let labels: Vec<Label> = (0..50)
            .map(|i| Label {
                anchor: [(i % 7) as f32 * 20.0, (i / 7) as f32 * 8.0],
                size: [40.0, 12.0],
                priority: i as f64,
            })
            .collect();
        let placed = place(&labels, 2.0);
        let rects: Vec<[f32; 4]> = placed
            .iter()
            .zip(&labels)
            .filter_map(|(p, l)| p.map(|p| [p[0], p[1], p[0] + l.size[0], p[1] + l.size[1]]))
            .collect();
        assert!(rects.len() > 5 && rects.len() < 50, "{}", rects.len());
        for (i, a) in rects.iter().enumerate() {
            for b in &rects[i + 1..] {
                assert!(!(a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]));
            }
        }
        // The highest priority label is centred on its anchor.
        let top = placed[49].unwrap();
        assert_eq!(top, [labels[49].anchor[0] - 20.0, labels[49].anchor[1] - 6.0]);
    }
}
