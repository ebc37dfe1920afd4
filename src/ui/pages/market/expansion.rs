//! The key-market page's business expansion: the funnel of the year's applications,
//! handling time per class against its limit, and the overdue applications.

use egui::RichText;
use egui_plot::{Bar, BarChart, BoxElem, BoxPlot, BoxSpread, Plot, Points};

use crate::metrics::format;
use crate::metrics::kpi::Status;
use crate::ui::i18n::t;
use crate::ui::jobs::MarketData;
use crate::ui::page::Cx;
use crate::ui::theme::{accent, class_color};
use crate::ui::widgets::{code_label, data_buttons, header_row, save_png_button, status_color};

const STEPS: [&str; 8] = [
    "market_step_accepted",
    "market_step_surveyed",
    "market_step_plan",
    "market_step_design",
    "market_step_mid_check",
    "market_step_completed",
    "market_step_meter",
    "market_step_energised",
];

pub(super) fn funnel(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "market_funnel")).strong().size(16.0));
    let rows: Vec<Vec<String>> = STEPS
        .iter()
        .zip(&data.funnel)
        .map(|(k, v)| vec![t(lang, k).to_string(), v.to_string()])
        .collect();
    data_buttons(ui, cx, &["step".into(), "applications".into()], &rows);
    let color = accent(ui.visuals().dark_mode);
    let n = STEPS.len();
    let bars: Vec<Bar> = data
        .funnel
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Bar::new((n - 1 - i) as f64, *v as f64)
                .name(format!("{}: {}", t(lang, STEPS[i]), v))
                .fill(color)
        })
        .collect();
    let names: Vec<String> = STEPS.iter().rev().map(|k| t(lang, k).to_string()).collect();
    let chart = Plot::new("funnel")
        .height(230.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([true, false])
        .x_axis_formatter(|m, _| format::number(m.value, 0))
        .y_axis_formatter(crate::ui::widgets::category_axis(names))
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(t(lang, "market_funnel"), bars)
                    .horizontal()
                    .width(0.65),
            )
        });
    save_png_button(ui, cx, chart.response.rect);
    ui.label(RichText::new(t(lang, "market_funnel_note")).weak().small());
}

pub(super) fn handling(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "market_handling")).strong().size(16.0));
    if data.handling.is_empty() {
        ui.label(RichText::new(t(lang, "market_none")).weak());
        return;
    }
    let rows: Vec<Vec<String>> = data
        .handling
        .iter()
        .map(|(class, limit, f)| {
            [f.min, f.q1, f.median, f.q3, f.max]
                .iter()
                .map(|v| v.to_string())
                .fold(
                    vec![class.clone(), limit.to_string(), f.n.to_string()],
                    |mut r, v| {
                        r.push(v);
                        r
                    },
                )
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &["class", "limit_days", "n", "min", "q1", "median", "q3", "max"].map(String::from),
        &rows,
    );
    let limit_color = status_color(Status::Red);
    let labels: Vec<String> = data
        .handling
        .iter()
        .map(|(class, limit, _)| format!("{} ≤{limit:.0}", code_label(lang, "customer_class", class)))
        .collect();
    let boxes: Vec<BoxElem> = data
        .handling
        .iter()
        .enumerate()
        .map(|(i, (class, _, f))| {
            // Each class in its colour, as in every chart of classes.
            let color = class_color(Some(class));
            BoxElem::new(i as f64, BoxSpread::new(f.min, f.q1, f.median, f.q3, f.max))
                .name(format!(
                    "{}: n {}, {} {:.0}",
                    labels[i],
                    f.n,
                    t(lang, "market_median"),
                    f.median
                ))
                .fill(color.gamma_multiply(0.3))
                .stroke(egui::Stroke::new(1.5, color))
                .box_width(0.55)
                .whisker_width(0.3)
        })
        .collect();
    let limits: Vec<[f64; 2]> = data
        .handling
        .iter()
        .enumerate()
        .map(|(i, (_, l, _))| [*l, i as f64])
        .collect();
    let names = labels.clone();
    let chart = Plot::new("handling")
        .height((labels.len() as f32 * 28.0 + 50.0).clamp(160.0, 300.0))
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .y_axis_formatter(crate::ui::widgets::category_axis(names))
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .x_axis_label(t(lang, "market_working_days"))
        .show(ui, |plot| {
            plot.box_plot(BoxPlot::new(t(lang, "market_handling"), boxes).horizontal());
            plot.points(
                Points::new(t(lang, "market_limit"), limits)
                    .shape(egui_plot::MarkerShape::Diamond)
                    .radius(5.0)
                    .color(limit_color),
            );
        });
    save_png_button(ui, cx, chart.response.rect);
    ui.label(RichText::new(t(lang, "market_handling_note")).weak().small());
}

pub(super) fn overdue(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    let lang = cx.lang;
    ui.label(
        RichText::new(format!("{} ({})", t(lang, "market_overdue"), data.overdue.len()))
            .strong()
            .size(16.0),
    );
    if data.overdue.is_empty() {
        ui.label(RichText::new(t(lang, "market_none")).weak());
        return;
    }
    let rows: Vec<Vec<String>> = data
        .overdue
        .iter()
        .map(|o| {
            vec![
                o.application_id.clone(),
                o.customer_id.clone().unwrap_or_default(),
                o.unit_id.clone(),
                o.class.clone(),
                o.accepted_at.format("%Y-%m-%d").to_string(),
                o.days_so_far.to_string(),
                o.limit_days.to_string(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &[
            "application_id",
            "customer_id",
            "unit_id",
            "customer_class",
            "accepted",
            "working_days",
            "limit_days",
        ]
        .map(String::from),
        &rows,
    );
    egui::Grid::new("overdue")
        .striped(true)
        .spacing([10.0, 3.0])
        .show(ui, |ui| {
            header_row(
                ui,
                lang,
                &[
                    "market_application",
                    "audit_unit",
                    "why_class",
                    "market_accepted",
                    "market_days",
                ],
            );
            for o in data.overdue.iter().take(25) {
                ui.label(&o.application_id);
                ui.label(cx.unit_name(&o.unit_id));
                ui.label(code_label(lang, "customer_class", &o.class));
                ui.label(o.accepted_at.format("%Y-%m-%d").to_string());
                ui.label(
                    RichText::new(format!("{:.0} / {:.0}", o.days_so_far, o.limit_days))
                        .color(status_color(Status::Red)),
                );
                ui.end_row();
            }
        });
}
