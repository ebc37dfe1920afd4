//! The Benchmarking page's efficiency section: DEA of the units of one level within the
//! top bar's unit, inputs from their resources and outputs from the period's sums; the
//! scores as bars, the frontier when there are two dimensions to draw, and the peers and
//! targets of a selected unit. The numbers are `mams benchmark --dea`'s.

use egui::RichText;
use egui_plot::{Bar, BarChart, Line, Plot, PlotPoints, Points};

use crate::evaluation::dea::{Model, Orientation, Super};
use crate::metrics::efficiency::{DeaSpec, INPUTS, OUTPUTS, UnitsDea, UnitsMalmquist};
use crate::metrics::format;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{self, EvalKey, Msg};
use crate::ui::page::{Command, Cx, Open, PageId};
use crate::ui::pages::evaluation::grade_color;
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::theme::accent;
use crate::ui::widgets::{data_buttons, save_png_button};

#[derive(Default)]
pub struct DeaSection {
    pub spec: DeaSpec,
    pub data: ScopeSlot<UnitsDea, (EvalKey, DeaSpec)>,
    pub selected: Option<String>,
    /// Show the Malmquist index from the same period a year earlier.
    pub malmquist_on: bool,
    pub malmquist: ScopeSlot<UnitsMalmquist, (EvalKey, DeaSpec)>,
}

impl DeaSection {
    /// Forgets what it read (the project changed).
    pub fn clear(&mut self) {
        self.data.clear();
        self.malmquist.clear();
    }

    pub fn refresh(&mut self, cx: &mut Cx, key: &EvalKey) {
        let spec = self.spec.clone();
        self.data.ask(
            cx,
            (key.clone(), spec.clone()),
            "job_dea",
            jobs::dea(key.clone(), spec.clone()),
        );
        if self.malmquist_on {
            self.malmquist.ask(
                cx,
                (key.clone(), spec.clone()),
                "job_malmquist",
                jobs::malmquist(key.clone(), spec),
            );
        }
    }

    /// Takes the answer of its job; gives back any other message.
    pub fn receive(&mut self, msg: Msg) -> Option<Msg> {
        match msg {
            Msg::Dea(key, data) => {
                self.data.receive(key, *data);
                None
            }
            Msg::Malmquist(key, data) => {
                self.malmquist.receive(key, *data);
                None
            }
            other => Some(other),
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        let lang = cx.lang;
        ui.label(RichText::new(t(lang, "dea_title")).strong().size(16.0));
        ui.label(RichText::new(t(lang, "dea_help")).weak().small());
        controls(&mut self.spec, ui, cx);
        match self.data.data.clone() {
            Some((_, Err(e))) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            Some((_, Ok(r))) => {
                for w in &r.result.warnings {
                    ui.label(RichText::new(format!("⚠ {w}")).color(grade_color("C")));
                }
                if !r.left_out.is_empty() {
                    let why: Vec<String> = r
                        .left_out
                        .iter()
                        .map(|l| format!("{}: {}", l.unit_id, l.why.pick(lang == Lang::Zh)))
                        .collect();
                    ui.label(
                        RichText::new(format!("{} {}", r.left_out.len(), t(lang, "dea_left_out"))).weak(),
                    )
                    .on_hover_text(why.join("\n"));
                }
                scores(self, ui, cx, &r);
                ui.horizontal_top(|ui| {
                    let width = ui.available_width();
                    ui.vertical(|ui| {
                        ui.set_width((width * 0.5).max(360.0));
                        frontier(ui, cx, &r);
                    });
                    ui.vertical(|ui| unit_detail(self, ui, cx, &r));
                });
                ui.add_space(8.0);
                ui.checkbox(&mut self.malmquist_on, t(lang, "dea_malmquist"))
                    .on_hover_text(t(lang, "dea_malmquist_help"));
                if self.malmquist_on {
                    match self.malmquist.data.clone() {
                        Some((_, Ok(m))) => malmquist_table(ui, cx, &m),
                        Some((_, Err(e))) => {
                            ui.colored_label(ui.visuals().error_fg_color, e);
                        }
                        None => {
                            ui.spinner();
                        }
                    }
                }
            }
            None => {
                ui.spinner();
            }
        }
    }
}

fn controls(spec: &mut DeaSpec, ui: &mut egui::Ui, cx: &Cx) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let levels: Vec<String> = {
        let mut l: Vec<String> = cx
            .project
            .as_ref()
            .map(|p| p.org.iter().map(|u| u.level.clone()).collect())
            .unwrap_or_default();
        l.dedup();
        let mut seen = Vec::new();
        l.retain(|x| {
            let fresh = !seen.contains(x);
            seen.push(x.clone());
            fresh
        });
        l
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(t(lang, "dea_level"));
        egui::ComboBox::from_id_salt("dea_level")
            .selected_text(crate::ui::widgets::code_label(lang, "unit_level", &spec.level))
            .show_ui(ui, |ui| {
                for l in &levels {
                    ui.selectable_value(
                        &mut spec.level,
                        l.clone(),
                        crate::ui::widgets::code_label(lang, "unit_level", l),
                    );
                }
            });
        ui.separator();
        ui.selectable_value(&mut spec.model, Model::Ccr, "CCR")
            .on_hover_text(t(lang, "dea_ccr_help"));
        ui.selectable_value(&mut spec.model, Model::Bcc, "BCC")
            .on_hover_text(t(lang, "dea_bcc_help"));
        ui.separator();
        ui.selectable_value(
            &mut spec.orientation,
            Orientation::Input,
            t(lang, "dea_input_oriented"),
        );
        ui.selectable_value(
            &mut spec.orientation,
            Orientation::Output,
            t(lang, "dea_output_oriented"),
        );
    });
    let toggle = |ui: &mut egui::Ui, list: &mut Vec<String>, id: &str, name: &str| {
        let mut on = list.iter().any(|x| x == id);
        // At least one must stay chosen.
        let last = on && list.len() == 1;
        if ui
            .add_enabled(!last, egui::Checkbox::new(&mut on, name))
            .changed()
        {
            if on {
                list.push(id.to_string());
            } else {
                list.retain(|x| x != id);
            }
        }
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(t(lang, "dea_inputs")).strong());
        for (id, en, zh_name) in INPUTS {
            toggle(ui, &mut spec.inputs, id, if zh { zh_name } else { en });
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(t(lang, "dea_outputs")).strong());
        for (id, en, zh_name) in OUTPUTS {
            toggle(ui, &mut spec.outputs, id, if zh { zh_name } else { en });
        }
    });
}

/// Productivity change from a year earlier: the Malmquist index, best first, split into
/// catching up (efficiency change) and the frontier's shift (technical change).
fn malmquist_table(ui: &mut egui::Ui, cx: &mut Cx, m: &UnitsMalmquist) {
    let lang = cx.lang;
    let mut order: Vec<usize> = (0..m.units.len()).collect();
    order.sort_by(|a, b| m.rows[*b].index.total_cmp(&m.rows[*a].index));
    let header: Vec<String> = ["unit_id", "malmquist", "efficiency_change", "technical_change"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|&i| {
            let r = &m.rows[i];
            vec![
                m.units[i].0.clone(),
                r.index.to_string(),
                r.efficiency_change.to_string(),
                r.technical_change.to_string(),
            ]
        })
        .collect();
    ui.label(format!("{} → {}", m.base.label(), m.target.label()));
    data_buttons(ui, cx, &header, &rows);
    egui::ScrollArea::vertical()
        .id_salt("dea_malmquist")
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("dea_malmquist_grid")
                .striped(true)
                .spacing([14.0, 4.0])
                .show(ui, |ui| {
                    for key in [
                        "audit_unit",
                        "dea_malmquist_index",
                        "dea_efficiency_change",
                        "dea_technical_change",
                    ] {
                        ui.strong(t(lang, key));
                    }
                    ui.end_row();
                    for &i in &order {
                        let r = &m.rows[i];
                        // Station names repeat across cities: the id tells them apart.
                        ui.label(format!(
                            "{} · {}",
                            lang.pick(&m.units[i].1, &m.units[i].2),
                            m.units[i].0
                        ));
                        let color = if r.index >= 1.0 {
                            grade_color("A")
                        } else {
                            grade_color("D")
                        };
                        ui.label(RichText::new(format!("{:.3}", r.index)).color(color));
                        ui.label(format!("{:.3}", r.efficiency_change));
                        ui.label(format!("{:.3}", r.technical_change));
                        ui.end_row();
                    }
                });
        });
}

/// The super-efficiency of an efficient unit ranks it above 1; the others their score.
fn rank_value(r: &UnitsDea, i: usize) -> f64 {
    let u = &r.result.units[i];
    match &u.super_efficiency {
        Some(Super::Score(s)) => *s,
        Some(Super::Infeasible) => f64::INFINITY,
        None => u.score,
    }
}

fn scores(section: &mut DeaSection, ui: &mut egui::Ui, cx: &mut Cx, r: &UnitsDea) {
    let lang = cx.lang;
    let mut order: Vec<usize> = (0..r.units.len()).collect();
    order.sort_by(|a, b| rank_value(r, *b).total_cmp(&rank_value(r, *a)));
    let header: Vec<String> = [
        "unit_id",
        "score",
        "super_efficiency",
        "scale_efficiency",
        "returns_to_scale",
        "efficient",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|&i| {
            let u = &r.result.units[i];
            vec![
                r.units[i].0.clone(),
                u.score.to_string(),
                match &u.super_efficiency {
                    Some(Super::Score(s)) => s.to_string(),
                    Some(Super::Infeasible) => "infeasible".into(),
                    None => String::new(),
                },
                r.scale_efficiency[i].to_string(),
                r.returns_to_scale[i].to_string(),
                u.efficient.to_string(),
            ]
        })
        .collect();
    let efficient = r.result.units.iter().filter(|u| u.efficient).count();
    let on_frontier = r.result.units.iter().filter(|u| u.score >= 1.0 - 1e-9).count();
    ui.label(format!(
        "{} {} · {} {} ({} {}) · {} {:.3}",
        r.units.len(),
        t(lang, "dea_units"),
        on_frontier,
        t(lang, "dea_on_frontier_count"),
        efficient,
        t(lang, "dea_without_slacks"),
        t(lang, "dea_mean"),
        r.result.units.iter().map(|u| u.score).sum::<f64>() / r.units.len().max(1) as f64
    ));
    let color = accent(ui.visuals().dark_mode);
    let names: Vec<String> = order
        .iter()
        .map(|&i| lang.pick(&r.units[i].1, &r.units[i].2).to_string())
        .collect();
    let bars: Vec<Bar> = order
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let u = &r.result.units[i];
            let sup = match &u.super_efficiency {
                Some(Super::Score(s)) => format!(" · {} {s:.3}", t(lang, "dea_super")),
                Some(Super::Infeasible) => {
                    format!(" · {} {}", t(lang, "dea_super"), t(lang, "dea_infeasible"))
                }
                None => String::new(),
            };
            Bar::new(k as f64, u.score)
                .fill(if u.score >= 1.0 - 1e-9 {
                    grade_color("A")
                } else {
                    color
                })
                .name(format!("{} ({}): {:.3}{sup}", names[k], r.units[i].0, u.score))
        })
        .collect();
    let clicked = std::cell::Cell::new(None);
    let shown = Plot::new("dea_scores")
        .height(220.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([false, true])
        .include_y(0.0)
        .include_y(1.05)
        .x_axis_formatter(|_, _| String::new())
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(t(lang, "dea_score"), bars)
                    .width(0.8)
                    .element_formatter(Box::new(|b, _| b.name.clone())),
            );
            if plot.response().clicked()
                && let Some(p) = plot.pointer_coordinate()
            {
                clicked.set(Some(p.x.round().max(0.0) as usize));
            }
        });
    if let Some(k) = clicked.get()
        && let Some(&i) = order.get(k)
    {
        section.selected = Some(r.units[i].0.clone());
    }
    ui.horizontal(|ui| {
        save_png_button(ui, cx, shown.response.rect);
        data_buttons_inline(ui, cx, &header, &rows);
        ui.label(RichText::new(t(lang, "dea_click_bar")).weak().small());
        let efficient: Vec<String> = (0..r.units.len())
            .filter(|i| r.result.units[*i].score >= 1.0 - 1e-9)
            .map(|i| r.units[i].0.clone())
            .collect();
        if ui
            .small_button(t(lang, "dea_on_map"))
            .on_hover_text(t(lang, "dea_on_map_help"))
            .clicked()
        {
            cx.send(Command::Open(
                PageId::Map,
                Open::Highlight {
                    units: efficient,
                    label: t(lang, "dea_on_map_chip").to_string(),
                },
            ));
        }
    });
}

fn data_buttons_inline(ui: &mut egui::Ui, cx: &mut Cx, header: &[String], rows: &[Vec<String>]) {
    crate::ui::widgets::data_buttons_inline(ui, cx, header, rows);
}

/// The frontier when the data have two dimensions: one input and one output (output
/// against input), one input and two outputs (each output per unit of input), or two
/// inputs and one output (each input per unit of output).
fn frontier(ui: &mut egui::Ui, cx: &mut Cx, r: &UnitsDea) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    ui.label(RichText::new(t(lang, "dea_frontier")).strong())
        .on_hover_text(t(lang, "dea_frontier_help"));
    let name_in = |k: usize| {
        let id = &r.spec.inputs[k];
        INPUTS
            .iter()
            .find(|x| x.0 == id)
            .map(|x| if zh { x.2 } else { x.1 })
            .unwrap_or(id)
            .to_string()
    };
    let name_out = |k: usize| {
        let id = &r.spec.outputs[k];
        OUTPUTS
            .iter()
            .find(|x| x.0 == id)
            .map(|x| if zh { x.2 } else { x.1 })
            .unwrap_or(id)
            .to_string()
    };
    let (m, s) = (r.spec.inputs.len(), r.spec.outputs.len());
    let (points, x_name, y_name): (Vec<[f64; 2]>, String, String) = match (m, s) {
        (1, 1) => (
            (0..r.units.len())
                .map(|i| [r.data.inputs[i][0], r.data.outputs[i][0]])
                .collect(),
            name_in(0),
            name_out(0),
        ),
        (1, 2) => (
            (0..r.units.len())
                .map(|i| {
                    [
                        r.data.outputs[i][0] / r.data.inputs[i][0],
                        r.data.outputs[i][1] / r.data.inputs[i][0],
                    ]
                })
                .collect(),
            format!("{} / {}", name_out(0), name_in(0)),
            format!("{} / {}", name_out(1), name_in(0)),
        ),
        (2, 1) => (
            (0..r.units.len())
                .map(|i| {
                    [
                        r.data.inputs[i][0] / r.data.outputs[i][0],
                        r.data.inputs[i][1] / r.data.outputs[i][0],
                    ]
                })
                .collect(),
            format!("{} / {}", name_in(0), name_out(0)),
            format!("{} / {}", name_in(1), name_out(0)),
        ),
        _ => {
            ui.label(RichText::new(t(lang, "dea_frontier_2d")).weak());
            return;
        }
    };
    let efficient: Vec<usize> = (0..r.units.len())
        .filter(|i| r.result.units[*i].score >= 1.0 - 1e-9)
        .collect();
    let on_frontier: Vec<[f64; 2]> = efficient.iter().map(|i| points[*i]).collect();
    // The frontier drawn: for outputs per input (more is better on both axes) the
    // north-east boundary of the points' convex hull, closed to the axes; for inputs per
    // output (less is better) the south-west one; for one input and one output the ray of
    // the best ratio (CCR) or the upper hull from the smallest to the largest unit (BCC).
    let line: Vec<[f64; 2]> = match (m, s) {
        (1, 1) if r.spec.model == Model::Ccr => {
            let far = points.iter().map(|p| p[0]).fold(0.0, f64::max);
            let best = points.iter().map(|p| p[1] / p[0]).fold(0.0, f64::max);
            vec![[0.0, 0.0], [far, far * best]]
        }
        (1, 1) => {
            let hull = upper_hull(&points);
            let top = hull.iter().map(|p| p[1]).fold(f64::NEG_INFINITY, f64::max);
            let mut line: Vec<[f64; 2]> = Vec::new();
            for p in hull {
                line.push(p);
                if p[1] >= top {
                    break;
                }
            }
            line
        }
        (1, 2) => north_east(&points),
        _ => {
            // The same boundary of the points turned about the origin, without the closing
            // lines (an isoquant runs on away from the origin, not to the axes).
            let mirrored: Vec<[f64; 2]> = points.iter().map(|p| [-p[0], -p[1]]).collect();
            let line = north_east(&mirrored);
            let inner = line.get(1..line.len().saturating_sub(1)).unwrap_or_default();
            inner.iter().map(|p| [-p[0], -p[1]]).collect()
        }
    };
    let color = accent(ui.visuals().dark_mode);
    let shown = Plot::new("dea_frontier")
        .height(300.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .x_axis_label(x_name)
        .y_axis_label(y_name)
        .x_axis_formatter(|m, _| format::number(m.value, 2))
        .y_axis_formatter(|m, _| format::number(m.value, 2))
        .show(ui, |plot| {
            let others: Vec<[f64; 2]> = (0..points.len())
                .filter(|i| !efficient.contains(i))
                .map(|i| points[i])
                .collect();
            plot.points(
                Points::new(t(lang, "dea_units"), PlotPoints::from(others))
                    .color(color)
                    .radius(3.0),
            );
            plot.points(
                Points::new(t(lang, "dea_efficient"), PlotPoints::from(on_frontier.clone()))
                    .color(grade_color("A"))
                    .radius(4.5),
            );
            plot.line(
                Line::new(t(lang, "dea_frontier"), PlotPoints::from(line))
                    .color(grade_color("A"))
                    .width(1.5),
            );
        });
    save_png_button(ui, cx, shown.response.rect);
}

/// The selected unit (the least efficient by default): its peers and lambdas, and its
/// inputs and outputs against the targets on the frontier.
fn unit_detail(section: &mut DeaSection, ui: &mut egui::Ui, cx: &mut Cx, r: &UnitsDea) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let i = section
        .selected
        .as_ref()
        .and_then(|s| r.units.iter().position(|u| &u.0 == s))
        .or_else(|| {
            (0..r.units.len()).min_by(|a, b| r.result.units[*a].score.total_cmp(&r.result.units[*b].score))
        });
    let Some(i) = i else { return };
    let u = &r.result.units[i];
    ui.label(
        RichText::new(format!(
            "{} · {} {:.3}",
            lang.pick(&r.units[i].1, &r.units[i].2),
            t(lang, "dea_score"),
            u.score
        ))
        .strong(),
    );
    let peers: Vec<String> = u
        .peers
        .iter()
        .filter(|(j, l)| *l >= 0.0005 && *j != i)
        .map(|(j, l)| format!("{} ({:.3})", lang.pick(&r.units[*j].1, &r.units[*j].2), l))
        .collect();
    ui.label(format!(
        "{}: {}",
        t(lang, "dea_peers"),
        if peers.is_empty() {
            t(lang, "dea_on_frontier").to_string()
        } else {
            peers.join(", ")
        }
    ));
    ui.label(format!(
        "{} {:.3} · {}",
        t(lang, "dea_scale"),
        r.scale_efficiency[i],
        t(
            lang,
            match r.returns_to_scale[i] {
                "increasing" => "dea_rts_increasing",
                "decreasing" => "dea_rts_decreasing",
                _ => "dea_rts_constant",
            }
        )
    ));
    let header: Vec<String> = ["measure", "actual", "target", "slack"]
        .map(String::from)
        .to_vec();
    let mut rows: Vec<Vec<String>> = Vec::new();
    egui::Grid::new("dea_targets")
        .striped(true)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for key in ["dea_measure", "dea_actual", "dea_target", "dea_change"] {
                ui.strong(t(lang, key));
            }
            ui.end_row();
            let mut row = |ui: &mut egui::Ui, name: String, actual: f64, target: f64, slack: f64| {
                ui.label(&name);
                ui.label(format::number(actual, 1));
                ui.label(format::number(target, 1));
                let change = if actual != 0.0 {
                    (target / actual - 1.0) * 100.0
                } else {
                    0.0
                };
                ui.label(
                    RichText::new(format!("{change:+.1} %")).color(if change.abs() < 0.05 {
                        ui.visuals().text_color()
                    } else {
                        grade_color("C")
                    }),
                );
                ui.end_row();
                rows.push(vec![
                    name,
                    actual.to_string(),
                    target.to_string(),
                    slack.to_string(),
                ]);
            };
            for (k, id) in r.spec.inputs.iter().enumerate() {
                let name = INPUTS
                    .iter()
                    .find(|x| x.0 == id)
                    .map(|x| if zh { x.2 } else { x.1 })
                    .unwrap_or(id);
                row(
                    ui,
                    name.to_string(),
                    r.data.inputs[i][k],
                    u.input_targets[k],
                    u.input_slacks[k],
                );
            }
            for (k, id) in r.spec.outputs.iter().enumerate() {
                let name = OUTPUTS
                    .iter()
                    .find(|x| x.0 == id)
                    .map(|x| if zh { x.2 } else { x.1 })
                    .unwrap_or(id);
                row(
                    ui,
                    name.to_string(),
                    r.data.outputs[i][k],
                    u.output_targets[k],
                    u.output_slacks[k],
                );
            }
        });
    data_buttons(ui, cx, &header, &rows);
}

/// The upper convex hull of `points`, left to right (Andrew's monotone chain).
fn upper_hull(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let mut sorted = points.to_vec();
    sorted.sort_by(|a, b| a[0].total_cmp(&b[0]).then(b[1].total_cmp(&a[1])));
    let cross =
        |o: [f64; 2], a: [f64; 2], b: [f64; 2]| (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    let mut hull: Vec<[f64; 2]> = Vec::new();
    for p in sorted {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) >= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    hull
}

/// The north-east boundary of the points' convex hull (from the highest point to the one
/// furthest right), closed with a horizontal line to the y axis and a vertical one to the
/// x axis: the frontier when more is better on both axes.
fn north_east(points: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let hull = upper_hull(points);
    let Some(top) = hull
        .iter()
        .enumerate()
        .max_by(|a, b| a.1[1].total_cmp(&b.1[1]).then(b.1[0].total_cmp(&a.1[0])))
        .map(|(i, _)| i)
    else {
        return Vec::new();
    };
    let part = &hull[top..];
    let mut line = vec![[0.0, part[0][1]]];
    line.extend_from_slice(part);
    if let Some(last) = part.last() {
        line.push([last[0], 0.0]);
    }
    line
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_frontier_of_two_outputs_per_input_is_the_north_east_hull() {
        // Written by hand: (1, 4), (3, 3), (4, 1) are on it; (2, 2) is inside.
        let pts = [[1.0, 4.0], [2.0, 2.0], [3.0, 3.0], [4.0, 1.0]];
        let line = super::north_east(&pts);
        assert_eq!(
            line,
            vec![[0.0, 4.0], [1.0, 4.0], [3.0, 3.0], [4.0, 1.0], [4.0, 0.0]]
        );
    }
}
