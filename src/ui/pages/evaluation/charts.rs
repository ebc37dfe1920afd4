//! The Evaluation page's charts: a unit against the average and the best by dimension
//! (radar), the contribution of each indicator to its gap to the best (waterfall), grades
//! over the periods, and the weight sets side by side.

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoint, PlotPoints, Polygon, Text};

use super::{grade_color, score_color};
use crate::metrics::benchmark::waterfall as gap_parts;
use crate::metrics::evaluate::ProjectEvaluation;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::History;
use crate::ui::page::Cx;
use crate::ui::theme::accent;
use crate::ui::widgets::{category_axis, data_buttons, save_png_button};

/// The best total of the evaluation and its unit.
fn leader(ev: &ProjectEvaluation) -> Option<usize> {
    ev.evaluation
        .units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| Some((i, u.total?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Dimension scores of the unit, of the average of the scored units and of the best unit.
pub fn radar(ui: &mut egui::Ui, cx: &mut Cx, ev: &ProjectEvaluation, unit: usize) {
    let lang = cx.lang;
    let dims = &ev.system.dimensions;
    let n = dims.len();
    let u = &ev.units[unit];
    ui.label(
        RichText::new(format!(
            "{} · {}",
            t(lang, "evaluation_radar"),
            lang.pick(&u.name_en, &u.name_zh)
        ))
        .strong()
        .size(16.0),
    );
    let r = &ev.evaluation.units;
    let scored: Vec<usize> = (0..r.len()).filter(|i| r[*i].total.is_some()).collect();
    let average: Vec<Option<f64>> = (0..n)
        .map(|d| {
            let v: Vec<f64> = scored.iter().filter_map(|i| r[*i].dimensions[d]).collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
        })
        .collect();
    let best = leader(ev);
    let mut header = vec!["dimension".to_string(), u.unit_id.clone(), "average".into()];
    if let Some(b) = best {
        header.push(ev.units[b].unit_id.clone());
    }
    let rows: Vec<Vec<String>> = dims
        .iter()
        .enumerate()
        .map(|(d, dim)| {
            let f = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_default();
            let mut row = vec![dim.id.clone(), f(r[unit].dimensions[d]), f(average[d])];
            if let Some(b) = best {
                row.push(f(r[b].dimensions[d]));
            }
            row
        })
        .collect();
    let at = |d: usize, score: f64| -> [f64; 2] {
        let angle = std::f64::consts::FRAC_PI_2 - std::f64::consts::TAU * d as f64 / n as f64;
        let radius = score.clamp(0.0, 100.0) / 100.0;
        [radius * angle.cos(), radius * angle.sin()]
    };
    let ring = |scores: &[Option<f64>]| -> Vec<[f64; 2]> {
        let mut pts: Vec<[f64; 2]> = (0..n).map(|d| at(d, scores[d].unwrap_or(0.0))).collect();
        if let Some(first) = pts.first().copied() {
            pts.push(first);
        }
        pts
    };
    let color = accent(ui.visuals().dark_mode);
    let best_color = grade_color("A");
    let grid = ui.visuals().weak_text_color().gamma_multiply(0.5);
    let names: Vec<String> = dims
        .iter()
        .map(|d| lang.pick(&d.name_en, &d.name_zh).to_string())
        .collect();
    let unit_name = lang.pick(&u.name_en, &u.name_zh).to_string();
    let shown = Plot::new("evaluation_radar")
        .height(320.0)
        .data_aspect(1.0)
        .show_axes(false)
        .show_grid(false)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .legend(Legend::default().position(egui_plot::Corner::LeftTop))
        .include_x(-2.1)
        .include_x(1.5)
        .include_y(-1.2)
        .include_y(1.2)
        .show(ui, |plot| {
            for level in [60.0, 80.0, 100.0] {
                let pts: Vec<[f64; 2]> = (0..=n).map(|d| at(d % n, level)).collect();
                plot.line(Line::new("", PlotPoints::from(pts)).color(grid).width(1.0));
            }
            for (d, name) in names.iter().enumerate() {
                plot.line(
                    Line::new("", PlotPoints::from(vec![[0.0, 0.0], at(d, 100.0)]))
                        .color(grid)
                        .width(1.0),
                );
                let [x, y] = at(d, 118.0);
                plot.text(Text::new("", PlotPoint::new(x, y), RichText::new(name).small()));
            }
            plot.line(
                Line::new(t(lang, "evaluation_average"), PlotPoints::from(ring(&average)))
                    .color(Color32::GRAY)
                    .style(egui_plot::LineStyle::dashed_loose())
                    .width(1.5),
            );
            if let Some(b) = best.filter(|b| *b != unit) {
                let best_name = format!(
                    "{} ({})",
                    t(lang, "evaluation_best"),
                    lang.pick(&ev.units[b].name_en, &ev.units[b].name_zh)
                );
                plot.line(
                    Line::new(best_name, PlotPoints::from(ring(&r[b].dimensions)))
                        .color(best_color)
                        .width(1.5),
                );
            }
            plot.polygon(
                Polygon::new(unit_name.clone(), PlotPoints::from(ring(&r[unit].dimensions)))
                    .stroke(egui::Stroke::new(2.5, color))
                    .fill_color(color.gamma_multiply(0.15)),
            );
        });
    ui.horizontal(|ui| {
        save_png_button(ui, cx, shown.response.rect);
        data_buttons_row(ui, cx, &header, &rows);
    });
}

fn data_buttons_row(ui: &mut egui::Ui, cx: &mut Cx, header: &[String], rows: &[Vec<String>]) {
    crate::ui::widgets::data_buttons_inline(ui, cx, header, rows);
}

/// How much each indicator (and the deduction) costs the unit against the best unit in
/// total, as bars from the largest down; they add up to the gap.
pub fn waterfall(ui: &mut egui::Ui, cx: &mut Cx, ev: &ProjectEvaluation, unit: usize) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    ui.label(RichText::new(t(lang, "evaluation_waterfall")).strong().size(16.0));
    let Some(best) = leader(ev) else { return };
    let r = &ev.evaluation.units;
    let (Some(total), Some(best_total)) = (r[unit].total, r[best].total) else {
        ui.label(RichText::new(t(lang, "evaluation_unscored")).weak());
        return;
    };
    let best_name = lang
        .pick(&ev.units[best].name_en, &ev.units[best].name_zh)
        .to_string();
    if best == unit {
        ui.label(format!("{} {best_name}", t(lang, "evaluation_is_best")));
        return;
    }
    ui.label(
        RichText::new(format!(
            "{} {best_name}: {best_total:.2} − {total:.2} = {:.2} {}",
            t(lang, "evaluation_gap_to"),
            best_total - total,
            t(lang, "evaluation_points")
        ))
        .weak(),
    );
    let mut parts = gap_parts(ev, unit, best);
    parts.retain(|(_, d)| d.abs() > 1e-6);
    parts.sort_by(|a, b| b.1.total_cmp(&a.1));
    let label = |id: &str| -> String {
        if id == "deduction" {
            t(lang, "evaluation_deduction").to_string()
        } else {
            ev.label(id, zh).0
        }
    };
    let header = vec!["part".to_string(), "points".to_string()];
    let rows: Vec<Vec<String>> = parts
        .iter()
        .map(|(id, d)| vec![id.clone(), format!("{d:.2}")])
        .collect();
    // Each bar starts where the one before ended: from the unit's total up to the best's.
    let mut running = total;
    let mut bars = Vec::new();
    let names: Vec<String> = parts.iter().map(|(id, _)| label(id)).collect();
    for (i, (_, d)) in parts.iter().enumerate() {
        let fill = if *d >= 0.0 {
            grade_color("D")
        } else {
            grade_color("A")
        };
        bars.push(
            Bar::new(i as f64, *d)
                .base_offset(running)
                .fill(fill)
                .name(format!("{}: {:+.2}", names[i], d)),
        );
        running += d;
    }
    let n = parts.len();
    let color = accent(ui.visuals().dark_mode);
    let shown = Plot::new("evaluation_waterfall")
        .height(320.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([false, true])
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 5.0, 10.0]))
        .x_axis_formatter(category_axis(names.clone()))
        .include_y(total.min(best_total) - 1.0)
        .include_y(total.max(best_total) + 1.0)
        .include_x(-0.7)
        .include_x(n as f64 - 0.3)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(t(lang, "evaluation_points"), bars).width(0.6));
            plot.hline(egui_plot::HLine::new(t(lang, "evaluation_total"), total).color(color));
            plot.hline(egui_plot::HLine::new(best_name.clone(), best_total).color(grade_color("A")));
        });
    ui.horizontal(|ui| {
        save_png_button(ui, cx, shown.response.rect);
        data_buttons_row(ui, cx, &header, &rows);
    });
}

/// Every unit's total and grade over the periods, the current one last; a published period
/// is marked.
pub fn history(ui: &mut egui::Ui, cx: &mut Cx, ev: &ProjectEvaluation, history: &History) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "evaluation_history")).strong().size(16.0));
    ui.label(RichText::new(t(lang, "evaluation_history_help")).weak().small());
    let mut header = vec!["unit_id".to_string()];
    header.extend(history.iter().map(|(p, _, _)| p.label()));
    let cell = |p: usize, unit: &str| -> Option<(Option<f64>, Option<String>)> {
        history[p]
            .2
            .iter()
            .find(|(u, _, _)| u == unit)
            .map(|(_, t, g)| (*t, g.clone()))
    };
    let rows: Vec<Vec<String>> = ev
        .units
        .iter()
        .map(|u| {
            let mut row = vec![u.unit_id.clone()];
            for p in 0..history.len() {
                row.push(match cell(p, &u.unit_id) {
                    Some((Some(t), g)) => format!("{t:.1} {}", g.unwrap_or_default()),
                    _ => String::new(),
                });
            }
            row
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    egui::ScrollArea::horizontal()
        .id_salt("evaluation_history_scroll")
        .show(ui, |ui| {
            egui::Grid::new("evaluation_history")
                .striped(true)
                .spacing([14.0, 5.0])
                .show(ui, |ui| {
                    ui.strong(t(lang, "audit_unit"));
                    for (p, published, _) in history {
                        let head = if *published {
                            format!("{} ✔", p.label())
                        } else {
                            p.label()
                        };
                        ui.strong(head).on_hover_text(if *published {
                            t(lang, "evaluation_published")
                        } else {
                            ""
                        });
                    }
                    ui.end_row();
                    for u in &ev.units {
                        ui.label(lang.pick(&u.name_en, &u.name_zh));
                        for p in 0..history.len() {
                            match cell(p, &u.unit_id) {
                                Some((Some(total), Some(g))) => {
                                    ui.horizontal(|ui| {
                                        ui.label(
                                            RichText::new(format!(" {g} "))
                                                .color(Color32::WHITE)
                                                .background_color(grade_color(&g)),
                                        );
                                        ui.label(
                                            RichText::new(format!("{total:.1}")).color(score_color(total)),
                                        );
                                    });
                                }
                                _ => {
                                    ui.label(RichText::new("—").weak());
                                }
                            }
                        }
                        ui.end_row();
                    }
                });
        });
}

/// The weight of every indicator in each weight set (the system's own, entropy, CRITIC),
/// side by side.
pub fn weight_sets(ui: &mut egui::Ui, cx: &mut Cx, ev: &ProjectEvaluation) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    ui.label(RichText::new(t(lang, "evaluation_weights")).strong().size(16.0));
    ui.label(RichText::new(t(lang, "evaluation_weights_help")).weak().small());
    let list = ev.system.indicators();
    let names: Vec<String> = list.iter().map(|(_, i)| ev.label(&i.indicator, zh).0).collect();
    let sets = &ev.evaluation.weight_sets;
    let mut header = vec!["indicator".to_string()];
    header.extend(sets.iter().map(|(n, _)| n.clone()));
    let rows: Vec<Vec<String>> = list
        .iter()
        .enumerate()
        .map(|(k, (_, ind))| {
            let mut row = vec![ind.indicator.clone()];
            row.extend(sets.iter().map(|(_, w)| format!("{:.4}", w[k])));
            row
        })
        .collect();
    let palette = [
        accent(ui.visuals().dark_mode),
        Color32::from_rgb(210, 140, 20),
        Color32::from_rgb(130, 90, 200),
        Color32::GRAY,
    ];
    let width = 0.8 / sets.len().max(1) as f64;
    let n = names.len();
    // The first indicator at the top.
    let axis: Vec<String> = names.iter().rev().cloned().collect();
    let shown = Plot::new("evaluation_weight_sets")
        .height((n as f32 * 34.0 + 60.0).clamp(200.0, 520.0))
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .legend(Legend::default().position(egui_plot::Corner::RightBottom))
        .show_grid([true, false])
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 5.0, 10.0]))
        .y_axis_formatter(category_axis(axis))
        .x_axis_formatter(|m, _| format!("{:.0} %", m.value * 100.0))
        .show(ui, |plot| {
            for (s, (name, w)) in sets.iter().enumerate() {
                let label = match name.as_str() {
                    "expert" => t(lang, "evaluation_weights_expert"),
                    "entropy" => t(lang, "evaluation_weights_entropy"),
                    "critic" => "CRITIC",
                    _ => t(lang, "evaluation_weights_used"),
                };
                let bars: Vec<Bar> = w
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        let at = (n - 1 - k) as f64 + 0.4 - width * (s as f64 + 0.5);
                        Bar::new(at, *v)
                            .width(width * 0.9)
                            .fill(palette[s % palette.len()])
                            .name(format!("{}: {:.1} %", names[k], v * 100.0))
                    })
                    .collect();
                plot.bar_chart(
                    BarChart::new(label, bars)
                        .horizontal()
                        .color(palette[s % palette.len()]),
                );
            }
        });
    ui.horizontal(|ui| {
        save_png_button(ui, cx, shown.response.rect);
        data_buttons_row(ui, cx, &header, &rows);
    });
}
