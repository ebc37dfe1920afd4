//! The card detail's charts: the 13-month trend and the horizontal bars of the ranking and
//! the class breakdown.

use chrono::NaiveDate;
use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, HLine, Line, Plot, PlotPoints, Points};

use super::History;
use super::detail::{bar_floor, is_sum};
use crate::metrics::format;
use crate::metrics::indicators::Indicator;
use crate::metrics::kpi::{Card, Status};
use crate::ui::i18n::{Lang, t};
use crate::ui::theme::accent;
use crate::ui::widgets::{category_axis, month_axis, status_color};

/// A card's 13 months as a line; with `reference` (the unit's whole, when the line is a
/// slice of it) drawn faint behind, and the target when the line is the unit's own.
pub(super) fn trend_plot(
    ui: &mut egui::Ui,
    lang: Lang,
    card: &Card,
    series: &[(NaiveDate, Option<f64>)],
    name: &str,
    reference: Option<(&History, &str)>,
) -> egui::Rect {
    let ind = card.indicator();
    let unit = lang.pick(ind.unit_en, ind.unit_zh).to_string();
    let months: Vec<NaiveDate> = series.iter().map(|(m, _)| *m).collect();
    let points_of = |s: &[(NaiveDate, Option<f64>)]| -> Vec<[f64; 2]> {
        s.iter()
            .enumerate()
            .filter_map(|(i, (_, v))| v.map(|v| [i as f64, v]))
            .collect()
    };
    let points = points_of(series);
    let color = accent(ui.visuals().dark_mode);
    let decimals = ind.decimals;
    let hover_months = months.clone();
    let hover_unit = unit.clone();
    // The key sits above the chart, where it hides no point.
    if let Some((_, whole)) = reference {
        ui.horizontal(|ui| {
            ui.label(RichText::new("——").color(color).strong());
            ui.label(RichText::new(name).small());
            ui.label(RichText::new("- - -").color(Color32::GRAY).strong());
            ui.label(RichText::new(whole).small());
        });
    }
    let plot = Plot::new(("trend", card.indicator))
        .height(260.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 3.0, 12.0]))
        .x_axis_formatter(month_axis(months))
        .y_axis_formatter(move |mark, _| format::number(mark.value, decimals.min(2)))
        .y_axis_label(unit)
        .label_formatter(move |pos| {
            let (series_name, p) = match pos {
                egui_plot::HoverPosition::NearDataPoint {
                    plot_name, position, ..
                } => (plot_name, position),
                egui_plot::HoverPosition::Elsewhere { .. } => return None,
            };
            let month = hover_months.get(p.x.round().max(0.0) as usize)?;
            Some(format!(
                "{series_name}\n{}\n{} {hover_unit}",
                month.format("%Y-%m"),
                format::number(p.y, decimals)
            ))
        })
        .show(ui, |plot| {
            if let Some((reference, whole_name)) = reference {
                let whole = points_of(reference);
                plot.line(
                    Line::new(whole_name, PlotPoints::from(whole))
                        .color(Color32::GRAY)
                        .style(egui_plot::LineStyle::dashed_loose())
                        .width(1.5),
                );
            }
            plot.line(
                Line::new(name.to_string(), PlotPoints::from(points.clone()))
                    .color(color)
                    .width(2.0),
            );
            plot.points(
                Points::new(name.to_string(), PlotPoints::from(points))
                    .color(color)
                    .radius(3.0),
            );
            if let Some(target) = card.target.filter(|_| reference.is_none()) {
                plot.hline(
                    HLine::new(t(lang, "target"), target)
                        .color(status_color(Status::Amber))
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
    plot.response.rect
}

/// One row of a horizontal bar chart.
pub(super) struct BarRow {
    /// On the axis.
    pub name: String,
    /// None: the row has no bar.
    pub value: Option<f64>,
    pub fill: Color32,
    /// Drawn faint: another row is the one filtered on.
    pub dim: bool,
    pub hover: String,
}

/// `ind`'s values as horizontal bars, the first row on top, on an axis that starts at
/// `bar_floor`; returns the chart's rect and the row clicked.
pub(super) fn bar_rows(
    ui: &mut egui::Ui,
    lang: Lang,
    ind: &Indicator,
    kind: &str,
    rows: &[BarRow],
) -> (egui::Rect, Option<usize>) {
    let n = rows.len();
    let floor = bar_floor(rows.iter().filter_map(|r| r.value), is_sum(ind));
    let bars: Vec<Bar> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let v = r.value?;
            let fill = if r.dim {
                r.fill.gamma_multiply(0.35)
            } else {
                r.fill
            };
            Some(
                Bar::new((n - 1 - i) as f64, v - floor)
                    .base_offset(floor)
                    .fill(fill)
                    .name(&r.hover),
            )
        })
        .collect();
    let names: Vec<String> = rows.iter().rev().map(|r| r.name.clone()).collect();
    let decimals = ind.decimals;
    let mut clicked_row = None;
    let shown = Plot::new((kind, ind.id))
        .height((n as f32 * 28.0 + 40.0).clamp(140.0, 260.0))
        .include_x(floor)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([true, false])
        .x_axis_formatter(move |mark, _| format::number(mark.value, decimals.min(2)))
        .x_axis_label(lang.pick(ind.unit_en, ind.unit_zh).to_string())
        .y_axis_formatter(category_axis(names))
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(lang.pick(ind.en, ind.zh), bars)
                    .horizontal()
                    .width(0.6),
            );
            if plot.response().clicked() {
                clicked_row = plot.pointer_coordinate().map(|p| p.y.round());
            }
        });
    let clicked = clicked_row
        .filter(|y| *y >= 0.0 && (*y as usize) < n)
        .map(|y| n - 1 - y as usize);
    (shown.response.rect, clicked)
}

/// What a click in the ranking asks for.
pub(super) enum RankingClick {
    /// A unit's name: look at it (drill down).
    Drill(String),
    /// A unit's bar or rank: filter the detail on it.
    Filter(String),
}

/// The units one level down, best first, as bars (the filtered one highlighted).
pub(super) fn ranking_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    card: &Card,
    ranking: &[(String, String, Option<f64>)],
    selected: Option<&str>,
) -> Option<RankingClick> {
    let ind = card.indicator();
    let neutral = accent(ui.visuals().dark_mode);
    let bars: Vec<BarRow> = ranking
        .iter()
        .map(|(unit, name, v)| BarRow {
            name: name.clone(),
            value: *v,
            // Against the target: the unit's bar is green or red like a card's band.
            fill: v
                .and_then(|v| crate::metrics::kpi::status(ind.better, Some(v), card.target, None))
                .map(|s| status_color(if s == Status::Green { s } else { Status::Red }))
                .unwrap_or(neutral),
            dim: selected.is_some_and(|s| s != unit),
            hover: format!(
                "{name}: {}",
                v.map(|v| format::number(v, ind.decimals)).unwrap_or_default()
            ),
        })
        .collect();
    let (_, clicked) = bar_rows(ui, lang, ind, "ranking", &bars);
    let mut click = clicked.map(|i| RankingClick::Filter(ranking[i].0.clone()));
    egui::Grid::new(("ranking_table", card.indicator))
        .striped(true)
        .show(ui, |ui| {
            for (i, (unit, name, v)) in ranking.iter().enumerate() {
                let on = selected == Some(unit.as_str());
                if ui
                    .selectable_label(on, format!("{}", i + 1))
                    .on_hover_text(t(lang, "bulletin_filter_unit"))
                    .clicked()
                {
                    click = Some(RankingClick::Filter(unit.clone()));
                }
                if ui.link(name).on_hover_text(t(lang, "drill_down")).clicked() {
                    click = Some(RankingClick::Drill(unit.clone()));
                }
                ui.label(format::value(ind, *v, t(lang, "no_data")));
                ui.end_row();
            }
        });
    click
}
