//! The Evaluation page: the units below the top bar's unit scored, graded and ranked under
//! an index system for a month, a quarter (quarterly evaluation) or a year (annual
//! examination): the ranking with total, grade and dimension scores as a coloured table; a
//! unit against the average and the best (radar) and the contribution of each indicator to
//! its gap to the best (waterfall); grades over the periods; the weight sets side by side;
//! publishing; the improvement items. The numbers are `mams evaluate`'s.

mod charts;
pub mod system_editor;

use std::collections::HashMap;

use egui::{Color32, RichText};

use crate::metrics::evaluate::indicator_decimals;
use crate::metrics::format;
use crate::metrics::period::{Period, PeriodKind};
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{self, EvalKey, EvaluationData, History, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::theme::accent;
use crate::ui::widgets::data_buttons;

/// The period kind and index system both pages evaluate with.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub kind: PeriodKind,
    /// None: the default system.
    pub system: Option<String>,
}

impl Default for Choice {
    fn default() -> Self {
        Choice {
            kind: PeriodKind::Quarter,
            system: None,
        }
    }
}

impl Choice {
    /// The period of the top bar's month: the latest complete one of the chosen kind.
    pub fn period(&self, cx: &Cx) -> Option<Period> {
        let project = cx.project.as_ref()?;
        Period::last_complete(self.kind, cx.period?, &project.months)
    }

    pub fn key(&self, cx: &Cx) -> Option<EvalKey> {
        Some(EvalKey {
            unit_id: cx.unit_id.clone()?,
            period: self.period(cx)?,
            system: self.system.clone(),
        })
    }

    /// The view of a page about this choice, for a slide.
    pub fn view(&self, cx: &Cx, page: &str) -> Option<crate::presenter::deck::View> {
        let key = self.key(cx)?;
        Some(crate::presenter::deck::View {
            page: page.into(),
            unit_id: key.unit_id,
            period: key.period.label(),
        })
    }

    /// The kind buttons and the system picker; true when something changed.
    pub fn show(&mut self, ui: &mut egui::Ui, cx: &Cx, systems: &[String]) -> bool {
        let lang = cx.lang;
        let before = self.clone();
        for kind in PeriodKind::ALL {
            ui.selectable_value(&mut self.kind, kind, kind.name(lang == Lang::Zh));
        }
        if systems.len() > 1 {
            let shown = self
                .system
                .clone()
                .unwrap_or_else(|| systems.first().cloned().unwrap_or_default());
            egui::ComboBox::from_id_salt("evaluation_system")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for (i, s) in systems.iter().enumerate() {
                        let value = if i == 0 { None } else { Some(s.clone()) };
                        ui.selectable_value(&mut self.system, value, s);
                    }
                });
        }
        *self != before
    }

    /// The page's title and what it is about: the unit and the period evaluated.
    pub fn heading(ui: &mut egui::Ui, cx: &Cx, title_key: &str, key: Option<&EvalKey>) {
        ui.heading(RichText::new(cx.t(title_key)).strong());
        if let Some(k) = key {
            ui.label(
                RichText::new(format!(
                    "{} · {}",
                    cx.unit_name(&k.unit_id),
                    k.period.title(cx.lang == Lang::Zh)
                ))
                .size(18.0),
            );
        }
    }

    /// What to say when there is no complete period of the chosen kind.
    pub fn no_period(&self, cx: &Cx) -> String {
        format!(
            "{} {}",
            cx.t("evaluation_no_period"),
            cx.period
                .map(|m| m.format("%Y-%m").to_string())
                .unwrap_or_default()
        )
    }
}

/// Colour of a grade: A green, B teal, C amber, D red.
pub fn grade_color(grade: &str) -> Color32 {
    match grade {
        "A" => Color32::from_rgb(46, 160, 67),
        "B" => Color32::from_rgb(38, 139, 160),
        "C" => Color32::from_rgb(210, 140, 20),
        _ => Color32::from_rgb(215, 58, 73),
    }
}

/// Colour of a score on the grades' default bands (90, 80, 60).
pub fn score_color(score: f64) -> Color32 {
    grade_color(if score >= 90.0 {
        "A"
    } else if score >= 80.0 {
        "B"
    } else if score >= 60.0 {
        "C"
    } else {
        "D"
    })
}

/// An improvement item being edited: state, measures, note.
type ItemEdit = (String, String, String);

#[derive(Default)]
pub struct EvaluationPage {
    pub choice: Choice,
    pub data: ScopeSlot<EvaluationData, EvalKey>,
    pub history: ScopeSlot<History, EvalKey>,
    /// The unit the radar and the waterfall are about.
    pub selected: Option<String>,
    edits: HashMap<i64, ItemEdit>,
    publishing: bool,
    /// The index system being edited (a window over the page).
    pub editor: Option<system_editor::Editor>,
}

impl Page for EvaluationPage {
    fn id(&self) -> PageId {
        PageId::Evaluation
    }
    fn title_key(&self) -> &'static str {
        "page_evaluation"
    }
    fn icon(&self) -> &'static str {
        "🏅"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn view(&self, cx: &Cx) -> Option<crate::presenter::deck::View> {
        self.choice.view(cx, "evaluation")
    }
    fn refresh(&mut self, cx: &mut Cx) {
        let Some(key) = self.choice.key(cx) else { return };
        self.data
            .ask(cx, key.clone(), "job_evaluation", jobs::evaluation(key.clone()));
        // Four more of the kind: the grades of a year of quarters, or of five years.
        let count = if key.period.kind() == PeriodKind::Month {
            11
        } else {
            4
        };
        self.history.ask(
            cx,
            key.clone(),
            "job_evaluation_history",
            jobs::evaluation_history(key, count),
        );
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Evaluation(key, data) => self.data.receive(key, *data),
            Msg::EvaluationHistory(key, data) => self.history.receive(key, data),
            Msg::EvaluationPublished(r) => {
                self.publishing = false;
                match r {
                    Ok(id) => {
                        cx.send(Command::Notice(format!(
                            "{} {id}",
                            cx.t("evaluation_published_as")
                        )));
                        self.data.clear();
                        self.history.clear();
                    }
                    Err(e) => cx.send(Command::Error(e)),
                }
            }
            Msg::SystemSaved(r) => match r {
                Ok(version) => {
                    self.editor = None;
                    // Saved: evaluate with it; removed: back to the default.
                    self.choice.system = Some(version).filter(|v| !v.is_empty());
                    cx.send(Command::Notice(cx.t("system_saved").to_string()));
                    self.data.clear();
                    self.history.clear();
                }
                Err(e) => {
                    if let Some(ed) = &mut self.editor {
                        ed.message = Some(e);
                    }
                }
            },
            Msg::ItemSaved(r) => match r {
                Ok(()) => {
                    cx.send(Command::Notice(cx.t("evaluation_item_saved").to_string()));
                    self.data.clear();
                }
                Err(e) => cx.send(Command::Error(e)),
            },
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if matches!(what, Changed::Project | Changed::Suspects) {
            self.data.clear();
            self.history.clear();
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
    fn settings(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({ "kind": self.choice.kind }))
    }
    fn restore(&mut self, settings: serde_json::Value) {
        if let Ok(kind) = serde_json::from_value(settings["kind"].clone()) {
            self.choice.kind = kind;
        }
    }
}

fn show(page: &mut EvaluationPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let key = page.choice.key(cx);
    let systems = page.data.ok().map(|d| d.systems.clone()).unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        Choice::heading(ui, cx, "page_evaluation", key.as_ref());
        ui.separator();
        page.choice.show(ui, cx, &systems);
        if key.as_ref().is_some_and(|k| page.data.wants(k)) || page.publishing {
            ui.spinner();
        }
    });
    let Some(key) = key else {
        ui.label(page.choice.no_period(cx));
        return;
    };
    let Some(data) = page.data.shown(ui) else { return };
    let ev = &data.ev;
    standing_line(page, cx, ui, &key, &data);
    system_window(page, cx, ui, &data);
    for note in ev.evaluation.warnings.iter().chain(&ev.notes) {
        ui.label(
            RichText::new(format!("⚠ {}", note.pick(lang == Lang::Zh)))
                .color(Color32::from_rgb(210, 140, 20)),
        );
    }
    egui::ScrollArea::vertical().id_salt("evaluation").show(ui, |ui| {
        ranking(page, cx, ui, ev);
        ui.add_space(12.0);
        let selected = page
            .selected
            .clone()
            .filter(|s| ev.units.iter().any(|u| &u.unit_id == s))
            .or_else(|| default_selected(ev));
        if let Some(unit) = selected {
            let i = ev
                .units
                .iter()
                .position(|u| u.unit_id == unit)
                .expect("a unit of the evaluation");
            ui.horizontal_top(|ui| {
                let width = ui.available_width();
                ui.vertical(|ui| {
                    ui.set_width((width * 0.45).max(360.0));
                    charts::radar(ui, cx, ev, i);
                });
                ui.vertical(|ui| charts::waterfall(ui, cx, ev, i));
            });
        }
        ui.add_space(12.0);
        if let Some(Ok(history)) = page.history.data.as_ref().map(|(_, h)| h.clone()) {
            charts::history(ui, cx, ev, &history);
            ui.add_space(12.0);
        }
        charts::weight_sets(ui, cx, ev);
        ui.add_space(12.0);
        items(
            page,
            cx,
            ui,
            &data,
            page.history.ok().cloned().unwrap_or_default(),
        );
    });
}

/// The editor of the index system, in a window over the page.
fn system_window(page: &mut EvaluationPage, cx: &mut Cx, ui: &mut egui::Ui, data: &EvaluationData) {
    let Some(editor) = &mut page.editor else { return };
    let own = data.own_systems.contains(&editor.system.version());
    let mut open = true;
    let mut action = None;
    egui::Window::new(cx.t("system_editor"))
        .open(&mut open)
        .default_size([820.0, 620.0])
        .vscroll(true)
        .show(ui.ctx(), |ui| {
            action = system_editor::show(editor, ui, cx, own);
        });
    if !open {
        page.editor = None;
        return;
    }
    match action {
        Some(system_editor::Action::Save(s)) => {
            cx.spawn("job_system_save", jobs::save_system(*s));
        }
        Some(system_editor::Action::Delete(name, year)) => {
            cx.spawn("job_system_save", jobs::delete_system(name, year));
        }
        Some(system_editor::Action::Close) => page.editor = None,
        None => {}
    }
}

/// The lowest-ranked scored unit: the one a meeting asks about.
fn default_selected(ev: &crate::metrics::evaluate::ProjectEvaluation) -> Option<String> {
    ev.evaluation
        .units
        .iter()
        .filter(|u| u.rank.is_some())
        .max_by_key(|u| u.rank)
        .map(|u| u.unit.clone())
}

/// Whether the evaluation is published and still matches the data; the Publish button.
fn standing_line(
    page: &mut EvaluationPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    key: &EvalKey,
    data: &EvaluationData,
) {
    let ev = &data.ev;
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "{} ({})",
                cx.lang.pick(&ev.system.name_en, &ev.system.name_zh),
                ev.system.version()
            ))
            .weak(),
        );
        if ui
            .small_button(cx.t("system_edit"))
            .on_hover_text(cx.t("system_edit_help"))
            .clicked()
        {
            page.editor = Some(system_editor::Editor::new(&ev.system));
        }
        match &data.standing {
            Some(s) if s.matches => {
                ui.label(
                    RichText::new(format!(
                        "✔ {} {} ({}) · {}",
                        cx.t("evaluation_published_on"),
                        s.published_at,
                        s.published_by,
                        cx.t("evaluation_still_matches")
                    ))
                    .color(grade_color("A")),
                );
            }
            Some(s) => {
                ui.label(
                    RichText::new(format!(
                        "⚠ {} {} ({}) · {} {:.2} · {} {}",
                        cx.t("evaluation_published_on"),
                        s.published_at,
                        s.published_by,
                        cx.t("evaluation_drift"),
                        s.largest_change,
                        s.grades_changed.len(),
                        cx.t("evaluation_grades_changed")
                    ))
                    .color(grade_color("D")),
                )
                .on_hover_text(
                    s.grades_changed
                        .iter()
                        .map(|(u, a, b)| {
                            format!(
                                "{u}: {} → {}",
                                a.as_deref().unwrap_or("—"),
                                b.as_deref().unwrap_or("—")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
            None => {
                let button = ui
                    .add_enabled(!page.publishing, egui::Button::new(cx.t("evaluation_publish")))
                    .on_hover_text(cx.t("evaluation_publish_help"));
                if button.clicked() {
                    page.publishing = true;
                    cx.spawn("job_evaluation_publish", jobs::publish_evaluation(key.clone()));
                }
            }
        }
    });
}

fn ranking(
    page: &mut EvaluationPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    ev: &crate::metrics::evaluate::ProjectEvaluation,
) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    ui.label(RichText::new(t(lang, "evaluation_ranking")).strong().size(16.0));
    ui.label(RichText::new(t(lang, "evaluation_ranking_help")).weak().small());
    let mut order: Vec<usize> = (0..ev.units.len()).collect();
    order.sort_by_key(|i| (ev.evaluation.units[*i].rank.unwrap_or(usize::MAX), *i));
    let num = |v: Option<f64>, d: usize| v.map_or(String::new(), |v| format!("{v:.d$}"));
    let mut header: Vec<String> = ["rank", "unit_id", "unit", "total", "grade"]
        .map(String::from)
        .to_vec();
    header.extend(ev.system.dimensions.iter().map(|d| d.id.clone()));
    header.extend(["deduction", "topsis"].map(String::from));
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|&i| {
            let (u, r) = (&ev.units[i], &ev.evaluation.units[i]);
            let mut row = vec![
                r.rank.map(|k| k.to_string()).unwrap_or_default(),
                u.unit_id.clone(),
                lang.pick(&u.name_en, &u.name_zh).to_string(),
                num(r.total, 2),
                r.grade.clone().unwrap_or_default(),
            ];
            row.extend(r.dimensions.iter().map(|d| num(*d, 1)));
            row.push(num(Some(r.deduction), 1));
            row.push(num(r.topsis, 3));
            row
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    let mut drill = None;
    egui::ScrollArea::horizontal()
        .id_salt("evaluation_ranking_scroll")
        .show(ui, |ui| {
            egui::Grid::new("evaluation_ranking")
                .striped(true)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    ui.strong("#");
                    ui.strong(t(lang, "audit_unit"));
                    ui.strong(t(lang, "evaluation_total"));
                    ui.strong(t(lang, "evaluation_grade"));
                    for d in &ev.system.dimensions {
                        ui.strong(lang.pick(&d.name_en, &d.name_zh))
                            .on_hover_text(format!(
                                "{} {:.0} %",
                                t(lang, "evaluation_weight"),
                                d.weight * 100.0
                            ));
                    }
                    ui.strong(t(lang, "evaluation_deduction"));
                    ui.strong("TOPSIS")
                        .on_hover_text(t(lang, "evaluation_topsis_help"));
                    ui.end_row();
                    for &i in &order {
                        let (u, r) = (&ev.units[i], &ev.evaluation.units[i]);
                        let on = page.selected.as_deref() == Some(u.unit_id.as_str());
                        if ui
                            .selectable_label(on, r.rank.map_or("—".to_string(), |k| k.to_string()))
                            .on_hover_text(t(lang, "evaluation_select"))
                            .clicked()
                        {
                            page.selected = Some(u.unit_id.clone());
                        }
                        if ui
                            .link(lang.pick(&u.name_en, &u.name_zh))
                            .on_hover_text(t(lang, "drill_down"))
                            .clicked()
                        {
                            drill = Some(u.unit_id.clone());
                        }
                        match r.total {
                            Some(total) => {
                                ui.horizontal(|ui| {
                                    let (rect, _) =
                                        ui.allocate_exact_size(egui::vec2(110.0, 14.0), egui::Sense::hover());
                                    let p = ui.painter();
                                    p.rect_filled(rect, 3.0, ui.visuals().faint_bg_color);
                                    let mut filled = rect;
                                    filled.set_width(rect.width() * (total / 100.0).clamp(0.0, 1.0) as f32);
                                    p.rect_filled(filled, 3.0, accent(ui.visuals().dark_mode));
                                    ui.label(RichText::new(format!("{total:.2}")).strong());
                                });
                            }
                            None => {
                                let why: Vec<&str> = r.unscored.iter().map(|w| w.pick(zh)).collect();
                                ui.label(RichText::new(t(lang, "evaluation_unscored")).weak())
                                    .on_hover_text(why.join("\n"));
                            }
                        }
                        match &r.grade {
                            Some(g) => {
                                let name = ev
                                    .system
                                    .grades
                                    .iter()
                                    .find(|x| &x.grade == g)
                                    .map(|x| lang.pick(&x.en, &x.zh).to_string())
                                    .unwrap_or_default();
                                ui.label(
                                    RichText::new(format!(" {g} "))
                                        .strong()
                                        .color(Color32::WHITE)
                                        .background_color(grade_color(g)),
                                )
                                .on_hover_text(name);
                            }
                            None => {
                                ui.label("—");
                            }
                        }
                        for (d, score) in r.dimensions.iter().enumerate() {
                            match score {
                                Some(s) => {
                                    let tip = dimension_tip(lang, ev, i, d);
                                    ui.label(RichText::new(format!("{s:.1}")).color(score_color(*s)))
                                        .on_hover_text(tip);
                                }
                                None => {
                                    ui.label(RichText::new("—").weak())
                                        .on_hover_text(t(lang, "evaluation_dimension_none"));
                                }
                            }
                        }
                        ui.label(if r.deduction > 0.0 {
                            format!("−{:.1}", r.deduction)
                        } else {
                            "0".into()
                        });
                        ui.label(num(r.topsis, 3));
                        ui.end_row();
                    }
                });
        });
    if let Some(u) = drill {
        cx.send(Command::SetUnit(u));
    }
}

/// The indicators of a unit's dimension: value, score.
fn dimension_tip(
    lang: Lang,
    ev: &crate::metrics::evaluate::ProjectEvaluation,
    unit: usize,
    dim: usize,
) -> String {
    let zh = lang == Lang::Zh;
    ev.system
        .indicators()
        .iter()
        .enumerate()
        .filter(|(_, (d, _))| *d == dim)
        .map(|(k, (_, ind))| {
            let s = &ev.evaluation.units[unit].indicators[k];
            let (name, unit_name) = ev.label(&ind.indicator, zh);
            let value = s
                .value
                .map(|v| {
                    format!(
                        "{} {unit_name}",
                        format::number(v, indicator_decimals(&ind.indicator))
                    )
                })
                .unwrap_or_else(|| "—".into());
            let score = s.score.map(|v| format!("{v:.1}")).unwrap_or_else(|| {
                s.missing
                    .as_ref()
                    .map(|m| m.pick(zh).to_string())
                    .unwrap_or_else(|| t(lang, "evaluation_left_out").to_string())
            });
            format!("{name}: {value} → {score}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The improvement items of the units below the scope, with the score since.
fn items(page: &mut EvaluationPage, cx: &mut Cx, ui: &mut egui::Ui, data: &EvaluationData, history: History) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "evaluation_items")).strong().size(16.0));
    ui.label(RichText::new(t(lang, "evaluation_items_help")).weak().small());
    if data.items.is_empty() {
        ui.label(RichText::new(t(lang, "evaluation_no_items")).weak());
        return;
    }
    // A unit's total in a period, from the history of this page's periods.
    let total_in = |period: &str, unit: &str| -> Option<f64> {
        history
            .iter()
            .find(|(p, _, _)| p.label() == period)
            .and_then(|(_, _, units)| units.iter().find(|(u, _, _)| u == unit))
            .and_then(|(_, t, _)| *t)
    };
    let now = data.ev.period.label();
    let header: Vec<String> = [
        "item", "period", "unit", "reason", "due", "state", "measures", "note",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = data
        .items
        .iter()
        .map(|i| {
            vec![
                i.item_id.to_string(),
                i.period.clone(),
                i.unit_id.clone(),
                i.reason.clone(),
                i.due_on.to_string(),
                i.state.clone(),
                i.measures.clone().unwrap_or_default(),
                i.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    let mut save = None;
    egui::Grid::new("evaluation_items")
        .striped(true)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            for key in [
                "evaluation_item_period",
                "audit_unit",
                "evaluation_item_reason",
                "evaluation_item_due",
                "evaluation_item_since",
                "evaluation_item_state",
                "evaluation_item_measures",
                "evaluation_item_note",
            ] {
                ui.strong(t(lang, key));
            }
            ui.label("");
            ui.end_row();
            for item in &data.items {
                let edit = page.edits.entry(item.item_id).or_insert_with(|| {
                    (
                        item.state.clone(),
                        item.measures.clone().unwrap_or_default(),
                        item.note.clone().unwrap_or_default(),
                    )
                });
                ui.label(&item.period);
                ui.label(cx.unit_name(&item.unit_id));
                ui.label(&item.reason);
                ui.label(item.due_on.to_string());
                // Followed in the next period: the total then and now.
                let since = match (
                    total_in(&item.period, &item.unit_id),
                    total_in(&now, &item.unit_id),
                ) {
                    (Some(a), Some(b)) if item.period != now => {
                        let arrow = if b > a {
                            "▲"
                        } else if b < a {
                            "▼"
                        } else {
                            "="
                        };
                        RichText::new(format!("{a:.1} → {b:.1} {arrow}")).color(if b >= a {
                            grade_color("A")
                        } else {
                            grade_color("D")
                        })
                    }
                    _ => RichText::new("—").weak(),
                };
                ui.label(since);
                egui::ComboBox::from_id_salt(("item_state", item.item_id))
                    .selected_text(t(
                        lang,
                        if edit.0 == "done" {
                            "evaluation_item_done"
                        } else {
                            "evaluation_item_open"
                        },
                    ))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut edit.0, "open".to_string(), t(lang, "evaluation_item_open"));
                        ui.selectable_value(&mut edit.0, "done".to_string(), t(lang, "evaluation_item_done"));
                    });
                ui.add(egui::TextEdit::singleline(&mut edit.1).desired_width(200.0));
                ui.add(egui::TextEdit::singleline(&mut edit.2).desired_width(160.0));
                let changed = edit.0 != item.state
                    || edit.1 != item.measures.clone().unwrap_or_default()
                    || edit.2 != item.note.clone().unwrap_or_default();
                if ui
                    .add_enabled(changed, egui::Button::new(t(lang, "evaluation_item_save")))
                    .clicked()
                {
                    save = Some((item.item_id, edit.clone()));
                }
                ui.end_row();
            }
        });
    if let Some((id, (state, measures, note))) = save {
        page.edits.remove(&id);
        cx.spawn(
            "job_evaluation_item",
            jobs::update_item(id, state, measures, note),
        );
    }
}
