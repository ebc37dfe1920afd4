//! The overview tab: the warnings, tables by dimension as a heat map (a cell opens its
//! checks), the units below (a unit sets the top bar), the score over the runs, and a
//! Pareto of the checks that cost the most points.

use egui::{Color32, RichText, Sense, vec2};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

use super::{QualityPage, Tab, score_color, score_text};
use crate::dq::checks::Dimension;
use crate::dq::report::Overview;
use crate::ui::jobs;
use crate::ui::page::{Command, Cx};
use crate::ui::widgets::{category_axis, data_buttons, save_png_button};

pub fn show(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx) {
    let Some(d) = page.data.shown(ui) else { return };
    if d.last_run.is_none() {
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("quality_overview")
        .show(ui, |ui| {
            warnings(page, ui, cx, &d);
            ui.horizontal_top(|ui| {
                let width = ui.available_width();
                ui.vertical(|ui| {
                    ui.set_width((width * 0.56).max(520.0));
                    heat_map(page, ui, cx, &d);
                    ui.add_space(12.0);
                    pareto(page, ui, cx, &d);
                });
                ui.vertical(|ui| {
                    units(ui, cx, &d);
                    ui.add_space(12.0);
                    trend(ui, cx, &d);
                });
            });
        });
}

fn warnings(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    if d.warnings.is_empty() {
        return;
    }
    let mut open_check = None;
    let zh = cx.lang == crate::ui::i18n::Lang::Zh;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            RichText::new(format!("⚠ {}", cx.t("quality_warnings")))
                .strong()
                .size(16.0),
        );
        for w in d.warnings.iter().take(12) {
            ui.horizontal(|ui| {
                let color = match w.kind.as_str() {
                    "out_of_band" | "stale" => Color32::from_rgb(210, 60, 50),
                    _ => Color32::from_rgb(210, 150, 30),
                };
                ui.label(RichText::new("●").color(color));
                ui.label(w.message(zh));
                if let Some(check) = &w.check_id
                    && w.kind == "below_threshold"
                    && ui.small_button(cx.t("quality_open_check")).clicked()
                {
                    open_check = Some(check.clone());
                }
                if ui
                    .small_button(cx.t("quality_acknowledge"))
                    .on_hover_text(cx.t("quality_acknowledge_help"))
                    .clicked()
                {
                    cx.spawn("job_quality", jobs::quality_acknowledge(w.warning_key.clone()));
                }
            });
        }
        if d.warnings.len() > 12 {
            ui.label(RichText::new(format!("+{}", d.warnings.len() - 12)).weak());
        }
    });
    ui.add_space(8.0);
    if let Some(c) = open_check {
        page.check = Some(c);
        page.tab = Tab::Checks;
    }
}

/// A coloured cell with a score; clicked when the user clicks it.
fn cell(ui: &mut egui::Ui, score: Option<f64>, selected: bool) -> egui::Response {
    let (rect, resp) = ui.allocate_exact_size(vec2(86.0, 24.0), Sense::click());
    let p = ui.painter();
    let fill = match score {
        Some(s) => score_color(s),
        None => ui.visuals().faint_bg_color,
    };
    p.rect_filled(rect.shrink(1.0), 3.0, fill);
    if selected {
        p.rect_stroke(
            rect,
            3.0,
            (2.0, ui.visuals().strong_text_color()),
            egui::StrokeKind::Inside,
        );
    }
    let text_color = if score.is_some() {
        Color32::WHITE
    } else {
        ui.visuals().weak_text_color()
    };
    p.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        score_text(score),
        egui::FontId::proportional(14.0),
        text_color,
    );
    resp.on_hover_cursor(egui::CursorIcon::PointingHand)
}

fn heat_map(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    let lang = cx.lang;
    ui.label(RichText::new(cx.t("quality_heat_map")).strong().size(16.0));
    ui.label(RichText::new(cx.t("quality_heat_map_help")).weak().small());
    let tables: Vec<String> = d
        .tables
        .iter()
        .filter(|(_, s)| s.score.is_some())
        .map(|(t, _)| t.clone())
        .collect();
    let mut header = vec!["table".to_string()];
    header.extend(Dimension::ALL.iter().map(|x| x.id().to_string()));
    header.push("score".into());
    let rows: Vec<Vec<String>> = tables
        .iter()
        .map(|t| {
            let mut r = vec![t.to_string()];
            for dim in Dimension::ALL {
                r.push(
                    d.heat
                        .get(&(t.clone(), dim))
                        .and_then(|s| s.score)
                        .map(|s| format!("{s:.3}"))
                        .unwrap_or_default(),
                );
            }
            r.push(d.tables[t].score.map(|s| format!("{s:.3}")).unwrap_or_default());
            r
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    let mut pick = None;
    egui::Grid::new("quality_heat")
        .spacing([4.0, 4.0])
        .show(ui, |ui| {
            ui.label("");
            for dim in Dimension::ALL {
                ui.label(RichText::new(dim.name(lang == crate::ui::i18n::Lang::Zh)).strong());
            }
            ui.label(RichText::new(cx.t("quality_table_score")).strong());
            ui.end_row();
            for t in &tables {
                let label = crate::model::table(t)
                    .map(|m| lang.pick(m.label_en, m.label_zh).to_string())
                    .unwrap_or_else(|| t.to_string());
                ui.label(label).on_hover_text(t.as_str());
                for dim in Dimension::ALL {
                    let s = d.heat.get(&(t.clone(), dim));
                    let selected = page.filter.0.as_deref() == Some(t.as_str()) && page.filter.1 == Some(dim);
                    let r = cell(ui, s.and_then(|s| s.score), selected);
                    if let Some(s) = s {
                        let r = r.on_hover_text(format!(
                            "{} {} · {} {} · {} {}",
                            s.checks,
                            cx.t("quality_checks_tested"),
                            s.failing,
                            cx.t("quality_rows_failing"),
                            s.below,
                            cx.t("quality_below")
                        ));
                        if r.clicked() {
                            pick = Some((t.clone(), Some(dim)));
                        }
                    }
                }
                if cell(
                    ui,
                    d.tables[t].score,
                    page.filter.0.as_deref() == Some(t.as_str()) && page.filter.1.is_none(),
                )
                .clicked()
                {
                    pick = Some((t.clone(), None));
                }
                ui.end_row();
            }
        });
    if let Some((t, dim)) = pick {
        page.filter = (Some(t), dim);
        page.tab = Tab::Checks;
    }
}

fn units(ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    if d.units.is_empty() {
        return;
    }
    ui.label(RichText::new(cx.t("quality_units")).strong().size(16.0));
    ui.label(RichText::new(cx.t("quality_units_help")).weak().small());
    let rows: Vec<Vec<String>> = d
        .units
        .iter()
        .map(|(u, s)| {
            vec![
                u.clone(),
                s.score.map(|s| format!("{s:.3}")).unwrap_or_default(),
                s.failing.to_string(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &["unit_id".into(), "score".into(), "failing".into()],
        &rows,
    );
    let mut drill = None;
    egui::ScrollArea::vertical()
        .id_salt("quality_units")
        .max_height(300.0)
        .show(ui, |ui| {
            egui::Grid::new("quality_units_grid")
                .striped(true)
                .spacing([10.0, 4.0])
                .show(ui, |ui| {
                    for (u, s) in &d.units {
                        if ui
                            .link(cx.unit_name(u))
                            .on_hover_text(cx.t("drill_down"))
                            .clicked()
                        {
                            drill = Some(u.clone());
                        }
                        let (rect, _) = ui.allocate_exact_size(vec2(16.0, 14.0), Sense::hover());
                        if let Some(v) = s.score {
                            ui.painter().rect_filled(rect, 3.0, score_color(v));
                        }
                        ui.label(score_text(s.score));
                        ui.label(
                            RichText::new(format!("{} {}", s.failing, cx.t("quality_rows_failing"))).weak(),
                        );
                        ui.end_row();
                    }
                });
        });
    if let Some(u) = drill {
        cx.send(Command::SetUnit(u));
    }
}

fn trend(ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    let points: Vec<[f64; 2]> = d
        .trend
        .iter()
        .filter_map(|(run, _, s)| Some([*run as f64, (*s)?]))
        .collect();
    if points.is_empty() {
        return;
    }
    ui.label(RichText::new(cx.t("quality_trend")).strong().size(16.0));
    let rows: Vec<Vec<String>> = d
        .trend
        .iter()
        .map(|(run, at, s)| {
            vec![
                run.to_string(),
                at.format("%Y-%m-%d %H:%M").to_string(),
                s.map(|s| format!("{s:.3}")).unwrap_or_default(),
            ]
        })
        .collect();
    let low = points.iter().map(|p| p[1]).fold(100.0, f64::min);
    let resp = Plot::new("quality_trend_plot")
        .height(180.0)
        .include_y(100.0)
        .include_y((low - 1.0).max(0.0))
        .x_axis_label(cx.t("quality_run"))
        .allow_scroll(false)
        .allow_drag(false)
        .show(ui, |plot| {
            plot.line(
                Line::new(cx.t("quality_score"), PlotPoints::from(points.clone()))
                    .color(crate::ui::theme::accent(cx.dark))
                    .width(2.0),
            );
        });
    ui.horizontal(|ui| {
        data_buttons(
            ui,
            cx,
            &["run".into(), "finished_at".into(), "score".into()],
            &rows,
        );
        save_png_button(ui, cx, resp.response.rect);
    });
}

fn pareto(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    if d.pareto.is_empty() {
        return;
    }
    let lang = cx.lang;
    ui.label(RichText::new(cx.t("quality_pareto")).strong().size(16.0));
    ui.label(RichText::new(cx.t("quality_pareto_help")).weak().small());
    let top: Vec<&(String, f64)> = d.pareto.iter().take(12).collect();
    let total: f64 = d.pareto.iter().map(|(_, p)| p).sum();
    let names: Vec<String> = top
        .iter()
        .map(|(id, _)| {
            d.lib
                .iter()
                .find(|b| &b.check.id == id)
                .map(|b| b.check.name(lang == crate::ui::i18n::Lang::Zh).to_string())
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    let bars: Vec<Bar> = top
        .iter()
        .enumerate()
        .map(|(i, (_, p))| {
            Bar::new(i as f64, *p)
                .width(0.7)
                .fill(Color32::from_rgb(210, 110, 50))
        })
        .collect();
    // The cumulative share of all points lost, drawn so that 100 % is the tallest bar.
    let tallest = top.first().map(|t| t.1).unwrap_or(1.0);
    let mut acc = 0.0;
    let cumulative: Vec<[f64; 2]> = top
        .iter()
        .enumerate()
        .map(|(i, (_, p))| {
            acc += p;
            [i as f64, acc / total.max(1e-9) * tallest]
        })
        .collect();
    let rows: Vec<Vec<String>> = d
        .pareto
        .iter()
        .map(|(id, p)| vec![id.clone(), format!("{p:.3}")])
        .collect();
    let resp = Plot::new("quality_pareto_plot")
        .height(220.0)
        .legend(Legend::default())
        .x_axis_formatter(category_axis(names.clone()))
        .allow_scroll(false)
        .allow_drag(false)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(cx.t("quality_points_lost"), bars));
            plot.line(
                Line::new(cx.t("quality_cumulative"), PlotPoints::from(cumulative))
                    .color(crate::ui::theme::accent(cx.dark)),
            );
        });
    ui.horizontal(|ui| {
        data_buttons(ui, cx, &["check".into(), "points_lost".into()], &rows);
        save_png_button(ui, cx, resp.response.rect);
    });
    // The bars as links, in order, to open a check.
    ui.horizontal_wrapped(|ui| {
        for (i, (id, p)) in top.iter().enumerate() {
            if ui.link(format!("{}. {} ({p:.3})", i + 1, names[i])).clicked() {
                page.check = Some(id.clone());
                page.tab = Tab::Checks;
            }
        }
    });
}
