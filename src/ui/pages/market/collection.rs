//! The key-market page's collection: the month's collection curve against the month
//! before, and arrears by age per unit.

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Plot};

use crate::metrics::format;
use crate::sample::calendar::days_in_month;
use crate::ui::i18n::t;
use crate::ui::jobs::MarketData;
use crate::ui::page::Cx;
use crate::ui::theme::accent;
use crate::ui::widgets::{data_buttons, save_png_button};

/// The share of the bills falling due in the month collected by each day, against the
/// month before.
pub(super) fn collection_curve(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    use egui_plot::{Legend, Line, PlotPoints};
    let lang = cx.lang;
    ui.label(
        RichText::new(t(lang, "market_collection_curve"))
            .strong()
            .size(16.0),
    );
    let this = data
        .curve
        .cumulative_percent(days_in_month(data.curve.month) as u32);
    let before = data
        .curve_before
        .cumulative_percent(days_in_month(data.curve_before.month) as u32);
    let month_label = |m: chrono::NaiveDate| m.format("%Y-%m").to_string();
    let rows: Vec<Vec<String>> = (0..this.len().max(before.len()))
        .map(|d| {
            vec![
                d.to_string(),
                this.get(d).map(|x| format!("{:.2}", x.1)).unwrap_or_default(),
                before.get(d).map(|x| format!("{:.2}", x.1)).unwrap_or_default(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &[
            "day".into(),
            format!("{} %", month_label(data.curve.month)),
            format!("{} %", month_label(data.curve_before.month)),
        ],
        &rows,
    );
    ui.label(
        RichText::new(format!(
            "{} {} {} · {} {:.1} %",
            t(lang, "market_due_in_month"),
            format::number(data.curve.receivable, 0),
            t(lang, "yuan"),
            t(lang, "market_collected_by_end"),
            this.last().map(|x| x.1).unwrap_or(0.0)
        ))
        .weak(),
    );
    let color = accent(ui.visuals().dark_mode);
    let grey = Color32::from_gray(150);
    let to_points = |v: &[(u32, f64)]| PlotPoints::new(v.iter().map(|(d, p)| [*d as f64, *p]).collect());
    let chart = Plot::new("collection_curve")
        .height(230.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .include_y(0.0)
        .include_y(100.0)
        .legend(Legend::default().follow_insertion_order(true))
        .x_axis_label(t(lang, "market_day_of_month"))
        .y_axis_formatter(|m, _| format!("{:.0} %", m.value))
        .x_axis_formatter(|m, _| format!("{:.0}", m.value))
        .label_formatter(|pos| match pos {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name, position, ..
            } => Some(format!("{plot_name}\n{:.0}: {:.1} %", position.x, position.y)),
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| {
            plot.line(
                Line::new(month_label(data.curve_before.month), to_points(&before))
                    .color(grey)
                    .width(1.5),
            );
            plot.line(
                Line::new(month_label(data.curve.month), to_points(&this))
                    .color(color)
                    .width(2.5),
            );
        });
    save_png_button(ui, cx, chart.response.rect);
}

/// Arrears at the month's end by days past due, stacked per unit one level down.
pub(super) fn arrears_age(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    use crate::store::market::AGE_BUCKETS;
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "market_arrears_age")).strong().size(16.0));
    let mut units: Vec<String> = Vec::new();
    for a in &data.arrears_age {
        if !units.contains(&a.unit_id) {
            units.push(a.unit_id.clone());
        }
    }
    let amount = |u: &str, b: usize| {
        data.arrears_age
            .iter()
            .filter(|a| a.unit_id == u && a.bucket == b)
            .map(|a| a.arrears)
            .sum::<f64>()
    };
    let total: f64 = data.arrears_age.iter().map(|a| a.arrears).sum();
    let this_year: f64 = data.arrears_age.iter().map(|a| a.this_year).sum();
    ui.label(
        RichText::new(format!(
            "{} {} {} · {} {} · {} {}",
            t(lang, "market_arrears_total"),
            format::number(total, 0),
            t(lang, "yuan"),
            t(lang, "market_this_year"),
            format::number(this_year, 0),
            t(lang, "market_prior_years"),
            format::number(total - this_year, 0)
        ))
        .weak(),
    );
    let mut header = vec!["unit".to_string()];
    header.extend(AGE_BUCKETS.iter().map(|b| format!("{b} d")));
    let rows: Vec<Vec<String>> = units
        .iter()
        .map(|u| {
            let mut r = vec![cx.unit_name(u)];
            r.extend((0..AGE_BUCKETS.len()).map(|b| format::number(amount(u, b), 0)));
            r
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    if units.is_empty() {
        ui.label(RichText::new(t(lang, "market_none")).weak());
        return;
    }
    // Older is darker: a sequential scale, so that the order reads without the legend.
    let shades = crate::geo::classify::palette(AGE_BUCKETS.len());
    let mut charts: Vec<BarChart> = Vec::new();
    for (b, label) in AGE_BUCKETS.iter().enumerate() {
        let [r, g, bl] = shades[b];
        let bars: Vec<Bar> = units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                Bar::new(i as f64, amount(u, b))
                    .fill(Color32::from_rgb(r, g, bl))
                    .name(format!(
                        "{}\n{label} {}: {} {}",
                        cx.unit_name(u),
                        t(lang, "days_past_due"),
                        format::number(amount(u, b), 0),
                        t(lang, "yuan")
                    ))
            })
            .collect();
        let mut chart = BarChart::new(format!("{label} {}", t(lang, "days_past_due")), bars)
            .color(Color32::from_rgb(r, g, bl))
            .width(0.6);
        if !charts.is_empty() {
            chart = chart.stack_on(&charts.iter().collect::<Vec<_>>());
        }
        charts.push(chart);
    }
    let names: Vec<String> = units
        .iter()
        .map(|u| crate::ui::pages::map::canvas::short_name(&cx.unit_name(u)))
        .collect();
    let chart = Plot::new("arrears_age")
        .height(230.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .legend(egui_plot::Legend::default().follow_insertion_order(true))
        .show_grid([false, true])
        .y_axis_formatter(|m, _| format::number(m.value, 0))
        .x_axis_formatter(crate::ui::widgets::category_axis(names))
        .show(ui, |plot| {
            for c in charts {
                plot.bar_chart(c);
            }
        });
    save_png_button(ui, cx, chart.response.rect);
}
