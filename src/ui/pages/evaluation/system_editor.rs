//! The index-system editor of the Evaluation page: a copy of the system shown, kept in the
//! project under its own name and year. Dimensions' and indicators' weights, floors,
//! targets and directions are edited in place; indicators are added and removed; a node's
//! weights can come from an AHP matrix edited one pair at a time (its reciprocal filled in,
//! CR and the judgement that departs most updated as you edit). The system is checked as it
//! is edited and saved only when it holds.

use egui::RichText;

use crate::evaluation::ahp;
use crate::evaluation::system::{COMPLIANCE, Direction, IndexSystem, SystemIndicator};
use crate::metrics::evaluate::{indicator_label, known_indicators};
use crate::ui::i18n::{Lang, t};
use crate::ui::page::Cx;
use crate::ui::pages::evaluation::grade_color;

/// Where a query's indicator starts: the share of bills issued within five days after
/// their month, an example of the four columns a query returns.
const QUERY_EXAMPLE: &str = "SELECT c.unit_id, b.billing_month AS month,\n       count(*) FILTER (WHERE b.issued_on <= b.billing_month + INTERVAL 35 DAY) AS numerator,\n       count(*) AS denominator\nFROM bills b JOIN customers c USING (customer_id)\nGROUP BY ALL";

/// Saaty's scale, from 1/9 to 9.
fn scale() -> Vec<f64> {
    (2..=9)
        .rev()
        .map(|k| 1.0 / k as f64)
        .chain((1..=9).map(|k| k as f64))
        .collect()
}

pub struct Editor {
    pub system: IndexSystem,
    /// Shown after a save was refused or failed.
    pub message: Option<String>,
}

impl Editor {
    pub fn new(system: &IndexSystem) -> Editor {
        Editor {
            system: system.clone(),
            message: None,
        }
    }

    /// The system as it would be saved: AHP weights applied, checked.
    pub fn checked(&self) -> Result<IndexSystem, String> {
        let mut s = self.system.clone();
        s.apply_ahp();
        let known = known_indicators();
        s.check(&known).map(|_| s)
    }
}

/// What the editor asks for when its buttons are pressed.
pub enum Action {
    Save(Box<IndexSystem>),
    Delete(String, i32),
    Close,
}

/// Draws the editor; returns what the user asked for.
pub fn show(editor: &mut Editor, ui: &mut egui::Ui, cx: &Cx, own: bool) -> Option<Action> {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let mut action = None;
    let s = &mut editor.system;
    ui.horizontal(|ui| {
        ui.label(t(lang, "system_name"));
        ui.add(egui::TextEdit::singleline(&mut s.name).desired_width(180.0));
        ui.label(t(lang, "system_year"));
        ui.add(egui::DragValue::new(&mut s.year).range(2000..=2100));
        ui.label(t(lang, "system_title"));
        if zh {
            ui.add(egui::TextEdit::singleline(&mut s.name_zh).desired_width(260.0));
        } else {
            ui.add(egui::TextEdit::singleline(&mut s.name_en).desired_width(260.0));
        }
    });
    ui.label(RichText::new(t(lang, "system_help")).weak().small());
    ui.separator();
    // The dimensions' weights: typed, or from an AHP matrix of the dimensions.
    let names: Vec<String> = s
        .dimensions
        .iter()
        .map(|d| lang.pick(&d.name_en, &d.name_zh).to_string())
        .collect();
    let mut ws: Vec<f64> = s.dimensions.iter().map(|d| d.weight).collect();
    weights_or_ahp(ui, lang, "system_dims", &mut s.ahp, &names, &mut ws);
    for (d, w) in s.dimensions.iter_mut().zip(ws) {
        d.weight = w;
    }
    let known = known_indicators();
    let mut remove_dim = None;
    for (d, dim) in s.dimensions.iter_mut().enumerate() {
        egui::CollapsingHeader::new(
            RichText::new(format!(
                "{} · {:.0} %",
                lang.pick(&dim.name_en, &dim.name_zh),
                dim.weight * 100.0
            ))
            .strong(),
        )
        .id_salt(("system_dim", d))
        .default_open(d == 0)
        .show(ui, |ui| {
            let mut remove = None;
            egui::Grid::new(("system_indicators", d))
                .striped(true)
                .spacing([10.0, 4.0])
                .show(ui, |ui| {
                    for key in [
                        "benchmark_indicator",
                        "system_direction",
                        "system_floor",
                        "system_target",
                        "evaluation_weight",
                        "system_per_year",
                    ] {
                        ui.strong(t(lang, key));
                    }
                    ui.label("");
                    ui.end_row();
                    let ahp_on = dim.ahp.is_some();
                    for (k, ind) in dim.indicators.iter_mut().enumerate() {
                        if ind.sql.is_some() {
                            // A query's indicator is named here; the catalogue's are not.
                            let name = if zh {
                                ind.name_zh.get_or_insert_with(String::new)
                            } else {
                                ind.name_en.get_or_insert_with(String::new)
                            };
                            ui.add(egui::TextEdit::singleline(name).desired_width(170.0))
                                .on_hover_text(&ind.indicator);
                        } else {
                            let (name, unit) = indicator_label(&ind.indicator, zh);
                            ui.label(name)
                                .on_hover_text(format!("{} ({unit})", ind.indicator));
                        }
                        egui::ComboBox::from_id_salt(("system_direction", d, k))
                            .selected_text(t(
                                lang,
                                if ind.direction == Direction::Higher {
                                    "system_higher"
                                } else {
                                    "system_lower"
                                },
                            ))
                            .show_ui(ui, |ui| {
                                ui.selectable_value(
                                    &mut ind.direction,
                                    Direction::Higher,
                                    t(lang, "system_higher"),
                                );
                                ui.selectable_value(
                                    &mut ind.direction,
                                    Direction::Lower,
                                    t(lang, "system_lower"),
                                );
                            });
                        ui.add(egui::DragValue::new(&mut ind.floor).speed(0.01).max_decimals(4));
                        ui.add(egui::DragValue::new(&mut ind.target).speed(0.01).max_decimals(4));
                        ui.add_enabled(
                            !ahp_on,
                            egui::DragValue::new(&mut ind.weight)
                                .speed(0.01)
                                .range(0.0..=1.0)
                                .max_decimals(3),
                        );
                        ui.checkbox(&mut ind.per_year, "");
                        if ui
                            .small_button("🗑")
                            .on_hover_text(t(lang, "system_remove"))
                            .clicked()
                        {
                            remove = Some(k);
                        }
                        ui.end_row();
                    }
                });
            if let Some(k) = remove {
                dim.indicators.remove(k);
                // The matrix no longer fits: start it again from equal judgements.
                if dim.ahp.is_some() {
                    dim.ahp = Some(identity(dim.indicators.len()));
                }
            }
            ui.horizontal(|ui| {
                ui.label(t(lang, "system_add"));
                let mut add: Option<String> = None;
                egui::ComboBox::from_id_salt(("system_add", d))
                    .selected_text("…")
                    .show_ui(ui, |ui| {
                        for id in known.iter().copied().chain(COMPLIANCE.iter().copied()) {
                            if ui.selectable_label(false, indicator_label(id, zh).0).clicked() {
                                add = Some(id.to_string());
                            }
                        }
                    });
                if let Some(id) = add {
                    let higher = crate::metrics::indicators::indicator(&id)
                        .is_none_or(|i| i.better != crate::metrics::indicators::Better::Lower)
                        && id != "confirmed_per_10k";
                    let direction = if higher {
                        Direction::Higher
                    } else {
                        Direction::Lower
                    };
                    let target = if higher { 1.0 } else { 0.0 };
                    dim.indicators
                        .push(SystemIndicator::new(&id, direction, 0.0, target, 0.0));
                    if dim.ahp.is_some() {
                        dim.ahp = Some(identity(dim.indicators.len()));
                    }
                }
                if ui
                    .small_button(t(lang, "system_add_query"))
                    .on_hover_text(t(lang, "system_add_query_help"))
                    .clicked()
                {
                    let n = dim.indicators.iter().filter(|i| i.sql.is_some()).count() + 1;
                    let mut own = SystemIndicator::new(
                        &format!("{}_own_{n}", dim.id),
                        Direction::Higher,
                        90.0,
                        100.0,
                        0.0,
                    );
                    own.name_en = Some(format!("Own indicator {n}"));
                    own.name_zh = Some(format!("自定义指标 {n}"));
                    own.unit = Some("%".into());
                    own.scale = Some(100.0);
                    own.sql = Some(QUERY_EXAMPLE.to_string());
                    dim.indicators.push(own);
                    if dim.ahp.is_some() {
                        dim.ahp = Some(identity(dim.indicators.len()));
                    }
                }
                if ui.small_button(t(lang, "system_remove_dimension")).clicked() {
                    remove_dim = Some(d);
                }
            });
            for ind in dim.indicators.iter_mut().filter(|i| i.sql.is_some()) {
                egui::CollapsingHeader::new(format!("{} {}", t(lang, "system_query_of"), ind.indicator))
                    .id_salt(("system_query", d, ind.indicator.clone()))
                    .show(ui, |ui| {
                        ui.horizontal(|ui| {
                            ui.label("id");
                            ui.add(egui::TextEdit::singleline(&mut ind.indicator).desired_width(160.0));
                            ui.label(t(lang, "system_unit"));
                            ui.add(
                                egui::TextEdit::singleline(ind.unit.get_or_insert_with(String::new))
                                    .desired_width(60.0),
                            );
                            ui.label(t(lang, "system_scale"));
                            ui.add(
                                egui::DragValue::new(ind.scale.get_or_insert(1.0))
                                    .speed(1.0)
                                    .range(0.0001..=1e9),
                            );
                        });
                        ui.label(RichText::new(t(lang, "system_query_help")).weak().small());
                        if let Some(q) = &mut ind.sql {
                            ui.add(
                                egui::TextEdit::multiline(q)
                                    .code_editor()
                                    .desired_rows(6)
                                    .desired_width(f32::INFINITY),
                            );
                        }
                    });
            }
            let names: Vec<String> = dim
                .indicators
                .iter()
                .map(|i| match (&i.sql, zh) {
                    (Some(_), true) => i.name_zh.clone().or(i.name_en.clone()).unwrap_or_default(),
                    (Some(_), false) => i.name_en.clone().unwrap_or_default(),
                    (None, _) => indicator_label(&i.indicator, zh).0,
                })
                .collect();
            let mut ws: Vec<f64> = dim.indicators.iter().map(|i| i.weight).collect();
            weights_or_ahp(
                ui,
                lang,
                &format!("system_dim_{d}"),
                &mut dim.ahp,
                &names,
                &mut ws,
            );
            for (ind, w) in dim.indicators.iter_mut().zip(ws) {
                ind.weight = w;
            }
        });
    }
    if let Some(d) = remove_dim {
        s.dimensions.remove(d);
        if s.ahp.is_some() {
            s.ahp = Some(identity(s.dimensions.len()));
        }
    }
    ui.separator();
    let checked = editor.checked();
    match &checked {
        Ok(_) => {
            ui.label(RichText::new(t(lang, "system_ok")).color(grade_color("A")));
        }
        Err(problems) => {
            for p in problems.split("; ") {
                ui.label(RichText::new(format!("✖ {p}")).color(grade_color("D")));
            }
        }
    }
    if let Some(m) = &editor.message {
        ui.label(RichText::new(m).color(grade_color("D")));
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(checked.is_ok(), egui::Button::new(t(lang, "system_save")))
            .on_hover_text(t(lang, "system_save_help"))
            .clicked()
            && let Ok(s) = checked
        {
            action = Some(Action::Save(Box::new(s)));
        }
        if own && ui.button(t(lang, "system_delete")).clicked() {
            action = Some(Action::Delete(editor.system.name.clone(), editor.system.year));
        }
        if ui.button(t(lang, "cancel")).clicked() {
            action = Some(Action::Close);
        }
    });
    action
}

/// A matrix of equal judgements (every pair 1), where an AHP matrix starts.
fn identity(n: usize) -> Vec<Vec<f64>> {
    vec![vec![1.0; n]; n]
}

/// A node's weights: typed, or from its AHP matrix (one control per pair above the
/// diagonal, the reciprocal shown below, CR as it is edited).
// The matrix is written at (i, j) and (j, i) in one step: indexes, not iterators.
#[allow(clippy::needless_range_loop)]
fn weights_or_ahp(
    ui: &mut egui::Ui,
    lang: Lang,
    id: &str,
    matrix: &mut Option<Vec<Vec<f64>>>,
    names: &[String],
    weights: &mut [f64],
) {
    let n = names.len();
    let mut on = matrix.is_some();
    if ui
        .checkbox(&mut on, t(lang, "system_use_ahp"))
        .on_hover_text(t(lang, "system_use_ahp_help"))
        .changed()
    {
        *matrix = on.then(|| identity(n));
    }
    match matrix {
        None => {
            ui.horizontal_wrapped(|ui| {
                for (i, name) in names.iter().enumerate() {
                    ui.label(name);
                    ui.add(
                        egui::DragValue::new(&mut weights[i])
                            .speed(0.01)
                            .range(0.0..=1.0)
                            .max_decimals(3),
                    );
                }
            });
        }
        Some(a) => {
            if a.len() != n {
                *a = identity(n);
            }
            let values = scale();
            egui::Grid::new((id, "ahp"))
                .striped(true)
                .spacing([6.0, 4.0])
                .show(ui, |ui| {
                    ui.label("");
                    for name in names {
                        ui.label(RichText::new(name).small());
                    }
                    ui.end_row();
                    for i in 0..n {
                        ui.label(RichText::new(&names[i]).small());
                        for j in 0..n {
                            if i == j {
                                ui.label("1");
                            } else if i < j {
                                let mut v = a[i][j];
                                egui::ComboBox::from_id_salt((id, i, j))
                                    .width(52.0)
                                    .selected_text(ahp::format_judgement(v))
                                    .show_ui(ui, |ui| {
                                        for s in &values {
                                            ui.selectable_value(&mut v, *s, ahp::format_judgement(*s));
                                        }
                                    });
                                a[i][j] = v;
                                a[j][i] = 1.0 / v;
                            } else {
                                ui.label(RichText::new(ahp::format_judgement(a[i][j])).weak());
                            }
                        }
                        ui.end_row();
                    }
                });
            match ahp::weigh(a) {
                Ok(r) => {
                    let weights: Vec<String> = names
                        .iter()
                        .zip(&r.weights)
                        .map(|(n, w)| format!("{n} {:.1} %", w * 100.0))
                        .collect();
                    ui.label(weights.join(" · "));
                    let text = format!("λmax {:.3} · CI {:.3} · CR {:.3}", r.lambda_max, r.ci, r.cr);
                    if r.acceptable {
                        ui.label(RichText::new(format!("{text} ✔")).color(grade_color("A")));
                    } else {
                        let worst = r
                            .most_inconsistent
                            .map(|j| {
                                format!(
                                    " · {} {} / {}: {} → {}",
                                    t(lang, "system_departs_most"),
                                    names[j.row - 1],
                                    names[j.col - 1],
                                    ahp::format_judgement(j.given),
                                    ahp::format_judgement(j.suggested)
                                )
                            })
                            .unwrap_or_default();
                        ui.label(RichText::new(format!("{text} ≥ 0.10{worst}")).color(grade_color("D")));
                    }
                }
                Err(e) => {
                    ui.label(RichText::new(e.to_string()).color(grade_color("D")));
                }
            }
        }
    }
}
