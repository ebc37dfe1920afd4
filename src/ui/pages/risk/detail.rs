//! The right half of the Risk page: the chosen risk point in the unit (its register entry,
//! its history, related cases), its measures moved along, a new measure, and a measure's
//! evaluation with the treated and control series and the counterfactual.

use egui::{Color32, RichText};
use egui_plot::{Legend, Line, Plot, PlotPoints, Points, VLine};

use super::{RiskPage, level_color, level_name, parse_month};
use crate::analysis::effect::{Estimate, month_index};
use crate::risk::measures::{Change, Metric, NewMeasure, State};
use crate::risk::report::Overview;
use crate::ui::jobs;
use crate::ui::page::{Command, Cx, Open, PageId};
use crate::ui::widgets::{month_axis, save_png_button};

/// The form of a new measure.
#[derive(Default)]
pub struct MeasureForm {
    pub action: String,
    pub units: String,
    pub start: String,
    pub due: String,
    pub metric: usize,
    pub notes: String,
}

pub fn show(page: &mut RiskPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    let zh = cx.lang == crate::ui::i18n::Lang::Zh;
    let Some(risk) = page.point.clone() else {
        ui.label(RichText::new(cx.t("risk_select_point")).weak());
        return;
    };
    let Some(detail) = page.detail.shown(ui) else {
        ui.spinner();
        return;
    };
    if detail.point.id != risk {
        ui.spinner();
        return;
    }
    let p = &detail.point;
    ui.label(RichText::new(p.name(zh)).strong().size(20.0));
    ui.label(
        RichText::new(format!(
            "{} · {}",
            p.id,
            p.category().map(|c| c.name(zh)).unwrap_or("")
        ))
        .weak()
        .small(),
    );
    if let Some(now) = d.levels.iter().find(|l| l.risk_id == risk) {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!(" {} ", level_name(cx, now.level)))
                    .color(Color32::WHITE)
                    .background_color(level_color(now.level))
                    .strong()
                    .size(16.0),
            );
            ui.label(format!(
                "{} {} · {} {} · {} {} · {} {} · {} ¥{}",
                cx.t("risk_likelihood"),
                now.likelihood,
                cx.t("risk_impact"),
                now.impact,
                cx.t("risk_suspects"),
                now.suspects,
                cx.t("risk_rate"),
                now.rate.map(|r| format!("{r:.1}")).unwrap_or_else(|| "—".into()),
                cx.t("risk_amount"),
                crate::metrics::format::group_digits(now.amount.max(0.0).round() as u64)
            ));
            if now.dq_tested > 0 {
                ui.label(format!(
                    "{} {}/{}",
                    cx.t("risk_failing_rows"),
                    now.dq_failing,
                    now.dq_tested
                ));
            }
        });
    }
    ui.label(if zh { &p.description_zh } else { &p.description_en });
    ui.label(
        RichText::new(format!(
            "{}: {}",
            cx.t("risk_step"),
            if zh { &p.step_zh } else { &p.step_en }
        ))
        .weak(),
    );
    history(ui, cx, &detail);
    egui::CollapsingHeader::new(cx.t("risk_register"))
        .default_open(false)
        .show(ui, |ui| register(ui, cx, &detail));
    ui.separator();
    measures(page, ui, cx, d, &risk);
}

/// A fixed chart over months (from 0 up), as the page's two charts are.
fn month_plot<'a>(
    id: impl std::hash::Hash + std::fmt::Debug,
    height: f32,
    months: Vec<chrono::NaiveDate>,
) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .include_y(0.0)
        .x_axis_formatter(month_axis(months))
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 3.0, 12.0]))
}

fn history(ui: &mut egui::Ui, cx: &mut Cx, detail: &crate::risk::report::PointDetail) {
    if detail.history.is_empty() {
        return;
    }
    ui.label(RichText::new(cx.t("risk_history")).strong());
    let months: Vec<chrono::NaiveDate> = detail.history.iter().map(|h| h.period).collect();
    let rate: Vec<[f64; 2]> = detail
        .history
        .iter()
        .enumerate()
        .map(|(i, h)| [i as f64, h.rate.unwrap_or(0.0)])
        .collect();
    let accent = crate::ui::theme::accent(cx.dark);
    let rate_name = cx.t("risk_rate").to_string();
    let resp = month_plot(("risk_history", &detail.point.id, &detail.unit), 150.0, months).show(ui, |plot| {
        plot.line(
            Line::new(rate_name.clone(), PlotPoints::from(rate.clone()))
                .color(accent)
                .width(1.5),
        );
        // Each month's level as the colour of its point.
        for (i, h) in detail.history.iter().enumerate() {
            plot.points(
                Points::new(level_name(cx, h.level), vec![rate[i]])
                    .color(level_color(h.level))
                    .radius(4.5),
            );
        }
    });
    save_png_button(ui, cx, resp.response.rect);
}

fn register(ui: &mut egui::Ui, cx: &mut Cx, detail: &crate::risk::report::PointDetail) {
    let zh = cx.lang == crate::ui::i18n::Lang::Zh;
    let p = &detail.point;
    ui.horizontal_wrapped(|ui| {
        ui.strong(cx.t("risk_rules"));
        for r in &p.rules {
            if ui.link(r).clicked() {
                cx.send(Command::Open(PageId::Audit, Open::Rule(r.clone())));
            }
        }
    });
    if !p.dq_checks.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.strong(cx.t("risk_checks"));
            for c in &p.dq_checks {
                ui.label(RichText::new(c).small());
            }
        });
    }
    if !p.indicators.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.strong(cx.t("risk_indicators"));
            for i in &p.indicators {
                let name = crate::metrics::indicators::indicator(i)
                    .map(|x| if zh { x.zh } else { x.en })
                    .unwrap_or(i);
                ui.label(name);
            }
        });
    }
    ui.strong(cx.t("risk_causes"));
    for c in &p.causes {
        ui.label(format!("· {}", c.pick(zh)));
    }
    ui.strong(cx.t("risk_controls_std"));
    for m in &p.measures {
        ui.label(format!("· {}", m.pick(zh)));
    }
    if !detail.cases.is_empty() {
        ui.strong(cx.t("risk_cases"));
        for c in &detail.cases {
            let title = if zh {
                &c.title
            } else {
                c.title_en.as_ref().unwrap_or(&c.title)
            };
            if ui.link(format!("{} {title}", c.case_id)).clicked() {
                cx.send(Command::Open(PageId::Cases, Open::Case(c.case_id.clone())));
            }
        }
    }
}

fn measures(page: &mut RiskPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview, risk: &str) {
    let zh = cx.lang == crate::ui::i18n::Lang::Zh;
    ui.label(RichText::new(cx.t("risk_measures")).strong().size(16.0));
    let mine: Vec<&crate::store::risks::MeasureRow> =
        d.measures.iter().filter(|m| m.risk_id == risk).collect();
    if mine.is_empty() {
        ui.label(RichText::new(cx.t("risk_no_measures")).weak());
    }
    for m in &mine {
        let state = State::parse(&m.state).unwrap_or(State::Planned);
        let past_due = d.past_due.contains(&m.measure_id);
        let chosen = page.measure == Some(m.measure_id);
        ui.horizontal_wrapped(|ui| {
            let text = format!(
                "#{} {} · {} · {} {} · {} {}",
                m.measure_id,
                m.action,
                m.treated
                    .iter()
                    .map(|u| cx.unit_name(u))
                    .collect::<Vec<_>>()
                    .join(", "),
                cx.t("risk_start_short"),
                m.start_month.format("%Y-%m"),
                cx.t("risk_due_short"),
                m.due_on
            );
            if ui.selectable_label(chosen, text).clicked() {
                page.measure = if chosen { None } else { Some(m.measure_id) };
                page.evaluation = None;
                page.controls_text.clear();
            }
            ui.label(RichText::new(state.name(zh)).strong());
            if past_due {
                ui.label(
                    RichText::new(cx.t("risk_past_due"))
                        .color(level_color(4))
                        .strong(),
                );
            }
        });
    }
    if let Some(id) = page.measure
        && let Some(m) = mine.iter().find(|m| m.measure_id == id)
    {
        let state = State::parse(&m.state).unwrap_or(State::Planned);
        ui.horizontal(|ui| {
            ui.label(cx.t("risk_note"));
            ui.add(egui::TextEdit::singleline(&mut page.move_note).desired_width(200.0));
            for next in state.next() {
                if ui.button(format!("→ {}", next.name(zh))).clicked() {
                    cx.spawn(
                        "job_risk_measure",
                        jobs::risk_change_measure(
                            id,
                            Change {
                                to: Some(*next),
                                note: page.move_note.clone(),
                                ..Default::default()
                            },
                        ),
                    );
                }
            }
        });
        evaluation(page, ui, cx, id);
    }
    ui.separator();
    new_measure(page, ui, cx, d, risk);
    if let Some(a) = &page.answer {
        match a {
            Ok(s) => ui.label(RichText::new(s).color(level_color(1))),
            Err(e) => ui.label(RichText::new(e).color(level_color(4))),
        };
    }
}

fn new_measure(page: &mut RiskPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview, risk: &str) {
    let zh = cx.lang == crate::ui::i18n::Lang::Zh;
    let Some(point) = d.points.iter().find(|p| p.id == risk) else {
        return;
    };
    let metrics = Metric::of_point(point);
    egui::CollapsingHeader::new(cx.t("risk_add_measure"))
        .default_open(false)
        .show(ui, |ui| {
            if page.start_default(d) {
                page.form.units = d.unit.clone();
            }
            egui::Grid::new("risk_measure_form")
                .num_columns(2)
                .show(ui, |ui| {
                    ui.label(cx.t("risk_action"));
                    ui.add(egui::TextEdit::singleline(&mut page.form.action).desired_width(320.0));
                    ui.end_row();
                    ui.label(cx.t("risk_units"));
                    ui.add(egui::TextEdit::singleline(&mut page.form.units).desired_width(320.0));
                    ui.end_row();
                    ui.label(cx.t("risk_start"));
                    ui.add(egui::TextEdit::singleline(&mut page.form.start).desired_width(100.0));
                    ui.end_row();
                    ui.label(cx.t("risk_due"));
                    ui.add(egui::TextEdit::singleline(&mut page.form.due).desired_width(100.0));
                    ui.end_row();
                    ui.label(cx.t("risk_metric"));
                    let names: Vec<String> = metrics.iter().map(|m| metric_name(m, zh)).collect();
                    egui::ComboBox::from_id_salt("risk_metric")
                        .selected_text(names.get(page.form.metric).cloned().unwrap_or_default())
                        .show_ui(ui, |ui| {
                            for (i, n) in names.iter().enumerate() {
                                ui.selectable_value(&mut page.form.metric, i, n);
                            }
                        });
                    ui.end_row();
                    ui.label(cx.t("risk_notes"));
                    ui.add(egui::TextEdit::singleline(&mut page.form.notes).desired_width(320.0));
                    ui.end_row();
                });
            if ui.button(cx.t("risk_save")).clicked() {
                let start = parse_month(&page.form.start);
                let due = chrono::NaiveDate::parse_from_str(page.form.due.trim(), "%Y-%m-%d").ok();
                match (start, due) {
                    (Some(start), Some(due)) => {
                        let units = unit_ids(&page.form.units);
                        cx.spawn(
                            "job_risk_measure",
                            jobs::risk_add_measure(NewMeasure {
                                risk_id: risk.to_string(),
                                action: page.form.action.clone(),
                                owner_unit: units.first().cloned().unwrap_or_else(|| d.unit.clone()),
                                units,
                                start_month: start,
                                due_on: due,
                                metric: metrics.get(page.form.metric).cloned(),
                                controls: Vec::new(),
                                notes: page.form.notes.clone(),
                            }),
                        );
                    }
                    _ => page.answer = Some(Err(cx.t("risk_bad_dates").to_string())),
                }
            }
        });
}

impl RiskPage {
    /// Fills the form's defaults once: the unit and the month shown, due three months on.
    fn start_default(&mut self, d: &Overview) -> bool {
        if !self.form.start.is_empty() {
            return false;
        }
        self.form.start = d.period.format("%Y-%m").to_string();
        let due = d
            .period
            .checked_add_months(chrono::Months::new(3))
            .unwrap_or(d.period);
        self.form.due = due.format("%Y-%m-%d").to_string();
        true
    }
}

/// Unit ids typed in a box: separated by commas (either width) or spaces.
fn unit_ids(text: &str) -> Vec<String> {
    text.split([',', '，', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn metric_name(m: &Metric, zh: bool) -> String {
    match m {
        Metric::Rule(id) => {
            let name = crate::audit::rules::builtin()
                .iter()
                .find(|r| &r.id == id)
                .map(|r| if zh { r.name_zh.clone() } else { r.name_en.clone() })
                .unwrap_or_else(|| id.clone());
            format!("{} {name}", if zh { "疑点率：" } else { "rate of" })
        }
        Metric::Dq(id) => format!("{} {id}", if zh { "通过率：" } else { "pass rate of" }),
        Metric::Indicator(id) => crate::metrics::indicators::indicator(id)
            .map(|i| if zh { i.zh.to_string() } else { i.en.to_string() })
            .unwrap_or_else(|| id.clone()),
    }
}

fn estimate(e: &Estimate) -> String {
    format!("{:+.2}  [{:+.2}, {:+.2}]", e.value, e.low, e.high)
}

fn evaluation(page: &mut RiskPage, ui: &mut egui::Ui, cx: &mut Cx, id: i64) {
    let zh = cx.lang == crate::ui::i18n::Lang::Zh;
    let Some((eid, r)) = &page.evaluation else {
        ui.spinner();
        return;
    };
    if *eid != id {
        ui.spinner();
        return;
    }
    let (e, trail) = match r {
        Ok(v) => v.clone(),
        Err(err) => {
            ui.label(RichText::new(err).color(level_color(4)));
            return;
        }
    };
    ui.label(RichText::new(cx.t("risk_evaluation")).strong().size(16.0));
    ui.label(
        RichText::new(format!(
            "{} · {}",
            metric_name(&e.metric, zh),
            e.unit_label.pick(zh)
        ))
        .weak(),
    );
    // The verdict first, as a manager reads it.
    match e.verdict {
        Some(v) => {
            let color = match v {
                crate::analysis::effect::Verdict::Improved => level_color(1),
                crate::analysis::effect::Verdict::Worse => level_color(4),
                crate::analysis::effect::Verdict::NoSignificantChange => ui.visuals().text_color(),
            };
            ui.label(
                RichText::new(format!("{}: {}", cx.t("risk_verdict"), v.name(zh)))
                    .strong()
                    .size(18.0)
                    .color(color),
            );
        }
        None => {
            ui.label(RichText::new(cx.t("risk_not_enough")).strong().size(18.0));
        }
    }
    if let Some(y) = e.money {
        let amount = crate::metrics::format::group_digits(y.abs().round() as u64);
        let way = if y <= 0.0 {
            cx.t("risk_money_less")
        } else {
            cx.t("risk_money_more")
        };
        ui.label(RichText::new(format!("{}: ¥{amount} {way}", cx.t("risk_money"))).strong());
        ui.label(RichText::new(e.money_note.pick(zh)).weak().small());
    } else if !e.money_note.is_empty() {
        ui.label(RichText::new(e.money_note.pick(zh)).weak().small());
    }
    let col = (ui.available_width() - 170.0).max(200.0);
    egui::Grid::new("risk_effect")
        .num_columns(2)
        .max_col_width(col)
        .striped(true)
        .show(ui, |ui| {
            match &e.did {
                Ok(d) => {
                    ui.strong(cx.t("risk_did"));
                    ui.label(estimate(&d.effect)).on_hover_text(&d.effect.method);
                    ui.end_row();
                    ui.label(cx.t("risk_before_after"));
                    ui.label(format!(
                        "{} {:.2} → {:.2} · {} {:.2} → {:.2}",
                        cx.t("risk_treated"),
                        d.treated_before,
                        d.treated_after,
                        cx.t("risk_control"),
                        d.control_before,
                        d.control_after
                    ));
                    ui.end_row();
                }
                Err(why) => {
                    ui.strong(cx.t("risk_did"));
                    ui.add(egui::Label::new(RichText::new(why.pick(zh)).weak()).wrap());
                    ui.end_row();
                }
            }
            match &e.its {
                Ok(i) => {
                    ui.strong(cx.t("risk_its"));
                    ui.label(estimate(&i.effect)).on_hover_text(&i.effect.method);
                    ui.end_row();
                    ui.label(cx.t("risk_level_change"));
                    ui.label(estimate(&i.level_change));
                    ui.end_row();
                    ui.label(cx.t("risk_slope_change"));
                    ui.label(estimate(&i.slope_change));
                    ui.end_row();
                }
                Err(why) => {
                    ui.strong(cx.t("risk_its"));
                    ui.add(egui::Label::new(RichText::new(why.pick(zh)).weak()).wrap());
                    ui.end_row();
                }
            }
        });
    if let Ok(d) = &e.did {
        let months = d.months.clone();
        let start = months
            .iter()
            .position(|m| month_index(*m) >= month_index(e.start))
            .unwrap_or(0);
        let series = |v: &[Option<f64>]| -> Vec<[f64; 2]> {
            v.iter()
                .enumerate()
                .filter_map(|(i, x)| Some([i as f64, (*x)?]))
                .collect()
        };
        let accent = crate::ui::theme::accent(cx.dark);
        let (treated, control, cf) = (series(&d.treated), series(&d.control), series(&d.counterfactual));
        let cf_after: Vec<[f64; 2]> = cf.into_iter().filter(|p| p[0] >= start as f64 - 1.0).collect();
        let names = (
            cx.t("risk_treated").to_string(),
            cx.t("risk_control").to_string(),
            cx.t("risk_counterfactual").to_string(),
            cx.t("risk_start_line").to_string(),
        );
        let resp = month_plot(("risk_eval", id), 220.0, months)
            .legend(Legend::default().position(egui_plot::Corner::RightTop))
            .show(ui, |plot| {
                plot.line(
                    Line::new(names.1.clone(), PlotPoints::from(control))
                        .color(Color32::GRAY)
                        .width(1.5),
                );
                plot.line(
                    Line::new(names.2.clone(), PlotPoints::from(cf_after))
                        .color(accent)
                        .style(egui_plot::LineStyle::dashed_loose())
                        .width(1.5),
                );
                plot.line(
                    Line::new(names.0.clone(), PlotPoints::from(treated))
                        .color(accent)
                        .width(2.5),
                );
                plot.vline(VLine::new(names.3.clone(), start as f64 - 0.5).color(level_color(3)));
            });
        save_png_button(ui, cx, resp.response.rect);
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(cx.t("risk_control")).strong());
        ui.label(
            RichText::new(format!(
                "{} ({})",
                e.controls
                    .iter()
                    .map(|u| cx.unit_name(u))
                    .collect::<Vec<_>>()
                    .join(", "),
                if e.controls_automatic {
                    cx.t("risk_controls_auto")
                } else {
                    cx.t("risk_controls_own")
                }
            ))
            .small(),
        );
    });
    ui.horizontal(|ui| {
        if page.controls_text.is_empty() {
            page.controls_text = e.controls.join(",");
        }
        ui.add(egui::TextEdit::singleline(&mut page.controls_text).desired_width(260.0))
            .on_hover_text(cx.t("risk_controls_edit"));
        if ui.button(cx.t("risk_controls_apply")).clicked() {
            let controls = unit_ids(&page.controls_text);
            cx.spawn(
                "job_risk_measure",
                jobs::risk_change_measure(
                    id,
                    Change {
                        controls: Some(controls),
                        note: page.move_note.clone(),
                        ..Default::default()
                    },
                ),
            );
            page.controls_text.clear();
        }
        if ui.button(cx.t("risk_controls_reset")).clicked() {
            cx.spawn(
                "job_risk_measure",
                jobs::risk_change_measure(
                    id,
                    Change {
                        controls: Some(Vec::new()),
                        note: cx.t("risk_controls_auto").to_string(),
                        ..Default::default()
                    },
                ),
            );
            page.controls_text.clear();
        }
    });
    egui::CollapsingHeader::new(cx.t("risk_trail"))
        .default_open(false)
        .show(ui, |ui| {
            for t in &trail {
                ui.label(
                    RichText::new(format!(
                        "{} · {} · {} → {} {}",
                        t.changed_at.format("%Y-%m-%d %H:%M"),
                        t.actor,
                        t.from_state.as_deref().unwrap_or("—"),
                        t.to_state,
                        t.note.as_deref().unwrap_or("")
                    ))
                    .small(),
                );
            }
        });
}
