//! A section's chart drawn as SVG with plotters (vector in the PDF and the HTML) and as PNG
//! through resvg (pictures in the DOCX). Bars are horizontal, so the long names of units
//! and customers read without turning; lines run over the months with a legend.

use std::sync::{Arc, Once};

use plotters::prelude::*;

use super::document::{Chart, ChartKind};

/// The chart's size in SVG pixels (a text width on A4 at about 96 dpi).
pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 300;

/// The series' colours: the bulletins' blue first, then colours that print apart in grey.
const COLOURS: [RGBColor; 4] = [
    RGBColor(0x15, 0x65, 0xc0),
    RGBColor(0xef, 0x6c, 0x00),
    RGBColor(0x2e, 0x7d, 0x32),
    RGBColor(0x6a, 0x1b, 0x9a),
];

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled fonts parse (they are checked by a test); a failure would only lose
        // the measurement of labels, not the chart.
        let _ =
            plotters::style::register_font(crate::fonts::FAMILY, FontStyle::Normal, crate::fonts::REGULAR);
        let _ = plotters::style::register_font(crate::fonts::FAMILY, FontStyle::Bold, crate::fonts::BOLD);
    });
}

/// Cuts a label to `max` characters with an ellipsis.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A tick value without needless decimals: 1,200 / 0.25 / 3.5M.
fn tick(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 10.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The chart in one language as an SVG document.
pub fn svg(chart: &Chart, zh: bool) -> anyhow::Result<String> {
    register_fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE)?;
        let family = crate::fonts::FAMILY;
        let values: Vec<f64> = chart
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .collect();
        let hi = values.iter().copied().fold(0.0_f64, f64::max);
        let lo = values.iter().copied().fold(0.0_f64, f64::min);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let (lo, hi) = (if lo < 0.0 { lo - span * 0.05 } else { 0.0 }, hi + span * 0.08);
        let title = chart.title.pick(zh);
        let unit = chart.unit.pick(zh).to_string();
        let labels: Vec<String> = chart.labels.iter().map(|l| l.pick(zh).to_string()).collect();
        let n = labels.len().max(1);
        match chart.kind {
            ChartKind::Bars => {
                let mut ctx = ChartBuilder::on(&root)
                    .caption(title, (family, 16).into_font().style(FontStyle::Bold))
                    .margin(8)
                    .margin_right(16)
                    .x_label_area_size(28)
                    .y_label_area_size(if zh { 130 } else { 230 })
                    .build_cartesian_2d(lo..hi, (0..n).into_segmented())?;
                ctx.configure_mesh()
                    .disable_y_mesh()
                    .light_line_style(RGBColor(0xee, 0xee, 0xee))
                    .x_desc(unit)
                    .x_label_formatter(&|v| tick(*v))
                    .y_labels(n)
                    .y_label_formatter(&|v| match v {
                        SegmentValue::CenterOf(i) => labels
                            .get(n - 1 - *i)
                            .map(|l| short(l, if zh { 10 } else { 30 }))
                            .unwrap_or_default(),
                        _ => String::new(),
                    })
                    .label_style((family, 12))
                    .axis_desc_style((family, 12))
                    .draw()?;
                let series = chart.series.first();
                let bars = series
                    .into_iter()
                    .flat_map(|s| s.values.iter().enumerate())
                    .filter_map(|(i, v)| {
                        let v = (*v)?;
                        let row = n - 1 - i;
                        let mut r = Rectangle::new(
                            [(0.0, SegmentValue::Exact(row)), (v, SegmentValue::Exact(row + 1))],
                            COLOURS[0].filled(),
                        );
                        r.set_margin(4, 4, 0, 0);
                        Some(r)
                    });
                ctx.draw_series(bars)?;
            }
            ChartKind::Lines => {
                let mut ctx = ChartBuilder::on(&root)
                    .caption(title, (family, 16).into_font().style(FontStyle::Bold))
                    .margin(8)
                    .margin_right(24)
                    .x_label_area_size(30)
                    .y_label_area_size(52)
                    .build_cartesian_2d(0..(n - 1).max(1), lo..hi)?;
                ctx.configure_mesh()
                    .disable_x_mesh()
                    .light_line_style(RGBColor(0xee, 0xee, 0xee))
                    .y_desc(unit)
                    .y_label_formatter(&|v| tick(*v))
                    .x_labels(n.min(13))
                    .x_label_formatter(&|i| labels.get(*i).map(|l| short(l, 8)).unwrap_or_default())
                    .label_style((family, 11))
                    .axis_desc_style((family, 12))
                    .draw()?;
                for (k, s) in chart.series.iter().enumerate() {
                    let colour = COLOURS[k % COLOURS.len()];
                    let points: Vec<(usize, f64)> = s
                        .values
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| v.map(|v| (i, v)))
                        .collect();
                    // A month without a value breaks the line rather than bridging it.
                    let mut runs: Vec<Vec<(usize, f64)>> = Vec::new();
                    for p in &points {
                        match runs.last_mut() {
                            Some(run) if run.last().is_some_and(|l| l.0 + 1 == p.0) => run.push(*p),
                            _ => runs.push(vec![*p]),
                        }
                    }
                    for (r, run) in runs.into_iter().enumerate() {
                        let drawn = ctx.draw_series(LineSeries::new(run, colour.stroke_width(2)))?;
                        if r == 0 {
                            drawn.label(s.name.pick(zh).to_string()).legend(move |(x, y)| {
                                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
                            });
                        }
                    }
                    ctx.draw_series(points.into_iter().map(|p| Circle::new(p, 2, colour.filled())))?;
                }
                if chart.series.len() > 1 {
                    ctx.configure_series_labels()
                        .border_style(RGBColor(0xcc, 0xcc, 0xcc))
                        .background_style(WHITE.mix(0.9))
                        .label_font((family, 11))
                        .position(SeriesLabelPosition::UpperRight)
                        .draw()?;
                }
            }
        }
        root.present()?;
    }
    Ok(out)
}

/// The chart as a PNG at `scale` times its SVG size (for pictures in Word).
pub fn png(chart: &Chart, zh: bool, scale: f32) -> anyhow::Result<Vec<u8>> {
    Ok(pixmap(chart, zh, scale)?.encode_png()?)
}

/// The chart as RGBA pixels (premultiplied, on white: opaque) at `scale` times its SVG
/// size: (width, height, pixels), for the app's preview.
pub fn rgba(chart: &Chart, zh: bool, scale: f32) -> anyhow::Result<(u32, u32, Vec<u8>)> {
    let p = pixmap(chart, zh, scale)?;
    Ok((p.width(), p.height(), p.take()))
}

fn pixmap(chart: &Chart, zh: bool, scale: f32) -> anyhow::Result<resvg::tiny_skia::Pixmap> {
    let svg = svg(chart, zh)?;
    let mut options = resvg::usvg::Options::default();
    let mut db = resvg::usvg::fontdb::Database::new();
    db.load_font_data(crate::fonts::REGULAR.to_vec());
    db.load_font_data(crate::fonts::BOLD.to_vec());
    db.set_sans_serif_family(crate::fonts::FAMILY);
    options.fontdb = Arc::new(db);
    let tree = resvg::usvg::Tree::from_str(&svg, &options)?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .unwrap_or(tree.size().to_int_size());
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| anyhow::anyhow!("a chart of {} x {} pixels", size.width(), size.height()))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    Ok(pixmap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulletins::document::{Series, same};

    fn chart(kind: ChartKind) -> Chart {
        Chart {
            title: same("Sales".into()),
            kind,
            labels: ["Jinba", "Longshan", "Hexi"].map(|s| same(s.into())).to_vec(),
            series: vec![Series {
                name: same("kWh".into()),
                values: vec![Some(120.0), None, Some(80.0)],
            }],
            unit: same("kWh".into()),
        }
    }

    #[test]
    fn bars_draw_one_rectangle_per_value_and_lines_skip_the_missing_month() {
        let bars = svg(&chart(ChartKind::Bars), false).unwrap();
        // Two values (one is missing): two filled bars in the series colour.
        assert_eq!(bars.matches("fill=\"#1565C0\"").count(), 2, "{bars}");
        assert!(bars.contains("Jinba") && bars.contains("Hexi"));
        let mut months = chart(ChartKind::Lines);
        months.labels.push(same("Nanhu".into()));
        months.series[0].values = vec![Some(120.0), Some(100.0), None, Some(80.0)];
        let lines = svg(&months, true).unwrap();
        // The line breaks at the missing month: a run of two points, then one of one.
        let runs: Vec<usize> = lines
            .split("<polyline")
            .filter(|p| p.contains("stroke=\"#1565C0\""))
            .map(|p| {
                p.split("points=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .split_whitespace()
                    .count()
            })
            .collect();
        assert_eq!(runs, [2, 1], "{lines}");
        let png = png(&chart(ChartKind::Bars), false, 2.0).unwrap();
        assert_eq!(&png[1..4], b"PNG");
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(87_812_345.0), "87.8M");
        assert_eq!(tick(12_600.0), "13k");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(3.0), "3");
    }
}
