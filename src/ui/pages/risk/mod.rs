//! The Risk page: the risk points of the top bar's unit in its month on the 5 x 5 matrix,
//! the risks that rose this month, a heat map of the units below by risk point, and for a
//! chosen point its register entry, its history in the unit, its measures (recorded and
//! moved along here) and the evaluation of a measure against comparable units. Every number
//! comes from `crate::risk`; reading and recomputing the levels is a job.

mod detail;
mod matrix;

use chrono::NaiveDate;
use egui::{Color32, RichText};

use crate::risk::levels::thresholds;
use crate::risk::report::{Overview, PointDetail};
use crate::ui::jobs::{self, EvaluatedMeasure, Msg, RiskKey};
use crate::ui::page::{Changed, Command, Cx, Needs, Open, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;

#[derive(Default)]
pub struct RiskPage {
    pub data: ScopeSlot<Overview, RiskKey>,
    /// The risk point chosen, and its detail in the top bar's unit.
    pub point: Option<String>,
    pub detail: ScopeSlot<PointDetail, (String, String)>,
    /// The matrix cell the points are narrowed to: (likelihood, impact).
    pub cell: Option<(u8, u8)>,
    /// The measure chosen and its evaluation.
    pub measure: Option<i64>,
    pub evaluation: Option<(i64, Result<EvaluatedMeasure, String>)>,
    pub evaluating: Option<i64>,
    pub controls_text: String,
    pub form: detail::MeasureForm,
    pub move_note: String,
    pub answer: Option<Result<String, String>>,
    /// A risk point of the project's own being written (JSON), and the answer on it.
    pub draft: String,
    pub draft_answer: Option<Result<String, String>>,
}

/// A level's colour (from `assets/risks/levels.json`), lighter for a cell's background.
pub fn level_color(level: u8) -> Color32 {
    let (r, g, b) = thresholds().color(level);
    Color32::from_rgb(r, g, b)
}

pub fn level_name(cx: &Cx, level: u8) -> String {
    thresholds()
        .name(level)
        .pick(cx.lang == crate::ui::i18n::Lang::Zh)
        .to_string()
}

impl RiskPage {
    fn key(cx: &Cx) -> Option<RiskKey> {
        Some((cx.unit_id.clone()?, cx.period?))
    }

    fn reload(&mut self) {
        self.data.clear();
        self.detail.clear();
        self.evaluation = None;
    }

    pub fn choose(&mut self, risk: &str) {
        if self.point.as_deref() != Some(risk) {
            self.point = Some(risk.to_string());
            self.measure = None;
            self.evaluation = None;
            self.form = detail::MeasureForm::default();
            self.answer = None;
        }
    }
}

impl Page for RiskPage {
    fn id(&self) -> PageId {
        PageId::Risk
    }
    fn title_key(&self) -> &'static str {
        "page_risk"
    }
    fn icon(&self) -> &'static str {
        "⚠"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn refresh(&mut self, cx: &mut Cx) {
        let Some((unit, period)) = Self::key(cx) else {
            return;
        };
        let below = cx.units_below(&unit);
        self.data.ask(
            cx,
            (unit.clone(), period),
            "job_risk",
            jobs::risk_overview(unit.clone(), period, below),
        );
        if let Some(point) = &self.point {
            self.detail.ask(
                cx,
                (point.clone(), unit.clone()),
                "job_risk",
                jobs::risk_point(point.clone(), unit),
            );
        }
        if let Some(id) = self.measure
            && self.evaluation.as_ref().is_none_or(|(e, _)| *e != id)
            && self.evaluating != Some(id)
        {
            self.evaluating = Some(id);
            cx.spawn("job_risk_evaluate", jobs::risk_evaluate(id, None));
        }
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Risk(key, data) => {
                if let Ok(o) = data.as_ref()
                    && let Some(c) = &o.computed
                {
                    cx.send(Command::Notice(format!(
                        "{}: {} / {:.1} s",
                        cx.t("risk_recomputed"),
                        c.changed,
                        c.seconds
                    )));
                }
                self.data.receive(key, *data);
            }
            Msg::RiskPoint(key, data) => self.detail.receive(key, *data),
            Msg::RiskEvaluated(id, r) => {
                if self.evaluating == Some(id) {
                    self.evaluating = None;
                }
                self.evaluation = Some((id, *r));
            }
            Msg::RiskPointSaved(r) => {
                if let Ok(id) = &r {
                    self.reload();
                    self.choose(id);
                }
                self.draft_answer = Some(r);
            }
            Msg::RiskMeasureSaved(r) => {
                match r {
                    Ok(id) => {
                        self.answer = Some(Ok(format!("{} {id}", cx.t("risk_saved"))));
                        self.measure = Some(id);
                        self.move_note.clear();
                        self.controls_text.clear();
                        self.form.action.clear();
                    }
                    Err(e) => self.answer = Some(Err(e)),
                }
                self.reload();
            }
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if matches!(
            what,
            Changed::Project | Changed::Suspects | Changed::Quality | Changed::Rules
        ) {
            self.reload();
        }
    }
    fn open(&mut self, what: Open, _cx: &mut Cx) {
        if let Open::Risk(id) = what {
            self.choose(&id);
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        let data = self.data.shown(ui);
        heading(ui, cx, data.as_ref(), self.data.ok().is_none());
        let Some(d) = data else {
            return;
        };
        if d.levels.is_empty() {
            ui.label(RichText::new(cx.t("risk_no_levels")).weak());
            return;
        }
        ui.separator();
        let width = ui.available_width();
        ui.horizontal_top(|ui| {
            let left = (width * 0.55).max(560.0);
            ui.allocate_ui_with_layout(
                egui::vec2(left, ui.available_height()),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    egui::ScrollArea::vertical().id_salt("risk_left").show(ui, |ui| {
                        ui.horizontal_top(|ui| {
                            matrix::matrix(self, ui, cx, &d);
                            ui.add_space(12.0);
                            ui.vertical(|ui| matrix::risen(self, ui, cx, &d));
                        });
                        ui.add_space(8.0);
                        matrix::heat(self, ui, cx, &d);
                        ui.add_space(8.0);
                        own_point(self, ui, cx);
                    });
                },
            );
            ui.separator();
            ui.vertical(|ui| {
                egui::ScrollArea::vertical()
                    .id_salt("risk_right")
                    .show(ui, |ui| detail::show(self, ui, cx, &d));
            });
        });
    }
}

/// Title, unit and month, how many points at each level, reminders of measures past due.
fn heading(ui: &mut egui::Ui, cx: &mut Cx, d: Option<&Overview>, waiting: bool) {
    ui.horizontal(|ui| {
        ui.heading(RichText::new(cx.t("page_risk")).strong());
        if let (Some(u), Some(p)) = (cx.unit_id.clone(), cx.period) {
            ui.label(RichText::new(format!("{} · {}", cx.unit_name(&u), p.format("%Y-%m"))).size(18.0));
        }
        if waiting {
            ui.spinner();
        }
        let Some(d) = d else { return };
        let t = thresholds();
        for level in (1..=t.max_level()).rev() {
            let n = d.levels.iter().filter(|l| l.level == level).count();
            ui.label(
                RichText::new(format!("{} {n}", level_name(cx, level)))
                    .color(Color32::WHITE)
                    .background_color(level_color(level))
                    .strong(),
            );
        }
        if !d.past_due.is_empty() {
            ui.add_space(12.0);
            ui.label(
                RichText::new(format!(
                    "⏰ {} {}",
                    d.past_due.len(),
                    cx.t("risk_measures_past_due")
                ))
                .color(level_color(4))
                .strong(),
            );
        }
    });
    if let Some(d) = d {
        for p in &d.problems {
            ui.label(RichText::new(p).color(level_color(3)).small());
        }
    }
}

/// A risk point of the project's own, written as JSON (as in assets/risks/), checked against
/// the project's rules and checks before it is kept.
fn own_point(page: &mut RiskPage, ui: &mut egui::Ui, cx: &mut Cx) {
    egui::CollapsingHeader::new(cx.t("risk_own_point"))
        .default_open(false)
        .show(ui, |ui| {
            ui.label(RichText::new(cx.t("risk_own_point_help")).weak().small());
            if page.draft.is_empty() {
                page.draft = crate::risk::register::PROJECT_POINT_TEMPLATE.to_string();
            }
            ui.add(
                egui::TextEdit::multiline(&mut page.draft)
                    .code_editor()
                    .desired_rows(12)
                    .desired_width(f32::INFINITY),
            );
            if ui.button(cx.t("risk_own_point_save")).clicked() {
                page.draft_answer = None;
                cx.spawn("job_risk_measure", jobs::risk_save_point(page.draft.clone()));
            }
            match &page.draft_answer {
                Some(Ok(id)) => {
                    ui.label(
                        RichText::new(format!("{} {id}", cx.t("risk_own_point_kept"))).color(level_color(1)),
                    );
                }
                Some(Err(e)) => {
                    ui.label(RichText::new(e).color(level_color(4)));
                }
                None => {}
            }
        });
}

/// A month as the page's forms write it.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", s.trim()), "%Y-%m-%d").ok()
}
