//! The audit workbench: run the rules, list the suspects (filtered, highest score first),
//! and work the selected one through the closed loop with its evidence at hand (the
//! selected suspect's panel is in `detail.rs`, the bars above the list in `controls.rs`).

mod controls;
mod detail;

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};

use crate::audit::explain;
use crate::audit::rules::{Category, Rule};
use crate::audit::run::RunSpec;
use crate::audit::triage::{self, Change, Status};
use crate::metrics::format;
use crate::store::audit::{SuspectFilter, SuspectRow};
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{self, AuditList, AuditRunSummary, Msg, SuspectDetail};
use crate::ui::page::{Changed, Command, Cx, Needs, Open, Page, PageId};
use controls::{bulk_bar, filter_bar, run_bar};
use detail::detail_ui;

/// Suspects per page of the list.
pub const PAGE_ROWS: u64 = 200;

/// How many months back from the period in the top bar a run covers.
const SPANS: [(u32, &str); 4] = [
    (1, "audit_span_month"),
    (3, "audit_span_3"),
    (12, "audit_span_12"),
    (0, "audit_span_all"),
];

/// The workbench's choices and what it shows.
#[derive(Default)]
pub struct AuditPage {
    /// Index into SPANS: the month by default.
    pub span: usize,
    pub run_category: Option<Category>,
    pub rule: Option<String>,
    pub status: Option<String>,
    pub min_severity: Option<i32>,
    /// Smallest amount at stake, as typed (yuan).
    pub min_amount: String,
    pub search: String,
    pub include_gone: bool,
    pub offset: u64,
    /// Shared so that a frame can hold it while it changes the page's state.
    pub list: Option<Result<std::sync::Arc<AuditList>, String>>,
    /// The filter the list shows, and the request in flight.
    pub shown: Option<SuspectFilter>,
    pub requested: Option<(u64, String)>,
    pub seq: u64,
    pub selected: Option<String>,
    pub checked: BTreeSet<String>,
    pub detail: Option<(String, Result<SuspectDetail, String>)>,
    pub detail_requested: Option<String>,
    pub last_run: Option<AuditRunSummary>,
    pub running: bool,
    pub form: ChangeForm,
}

/// The fields of a change of state, as typed.
#[derive(Default, Clone)]
pub struct ChangeForm {
    pub note: String,
    pub assignee: String,
    pub due: String,
    pub recovered: String,
    pub fp_reason: String,
    pub error: Option<String>,
}

impl AuditPage {
    /// The filter the controls describe, for the unit in the top bar.
    pub fn filter(&self, unit: Option<String>) -> SuspectFilter {
        SuspectFilter {
            rules: self.rule.iter().cloned().collect(),
            unit,
            statuses: self.status.iter().cloned().collect(),
            min_severity: self.min_severity,
            min_amount: self
                .min_amount
                .trim()
                .replace(',', "")
                .parse::<f64>()
                .ok()
                .filter(|a| a.is_finite()),
            run_id: None,
            include_gone: self.include_gone,
            search: Some(self.search.trim().to_string()).filter(|s| !s.is_empty()),
            limit: Some(PAGE_ROWS),
            offset: self.offset,
        }
    }

    /// The months a run covers, ending with `period`.
    pub fn run_months(&self, period: NaiveDate, months: &[NaiveDate]) -> (NaiveDate, NaiveDate) {
        let first = match SPANS.get(self.span).map(|(n, _)| *n).unwrap_or(1) {
            0 => months.first().copied().unwrap_or(period),
            n => {
                let back = n as i32 - 1;
                let total = period.year() * 12 + period.month0() as i32 - back;
                NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
                    .unwrap_or(period)
            }
        };
        (first.min(period), period)
    }
}

pub(super) fn status_color(status: &str, dark: bool) -> Color32 {
    let (light, darkc) = match Status::parse(status) {
        Some(Status::New) => (
            Color32::from_rgb(0x1f, 0x6f, 0xc4),
            Color32::from_rgb(0x6c, 0xb0, 0xf5),
        ),
        Some(Status::Verifying) => (
            Color32::from_rgb(0xb2, 0x6b, 0x00),
            Color32::from_rgb(0xf0, 0xb4, 0x4c),
        ),
        Some(Status::Confirmed | Status::Rectifying) => (
            Color32::from_rgb(0xc0, 0x39, 0x2b),
            Color32::from_rgb(0xf0, 0x7a, 0x6c),
        ),
        Some(Status::Rectified | Status::Closed) => (
            Color32::from_rgb(0x2e, 0x7d, 0x32),
            Color32::from_rgb(0x7b, 0xc8, 0x7f),
        ),
        _ => (Color32::GRAY, Color32::GRAY),
    };
    if dark { darkc } else { light }
}

pub(super) fn status_name(status: &str, lang: Lang) -> &'static str {
    Status::parse(status)
        .map(|s| s.name(lang == Lang::Zh))
        .unwrap_or("?")
}

pub(super) fn severity_text(sev: i32, lang: Lang) -> &'static str {
    match sev {
        3 => t(lang, "severity_high"),
        2 => t(lang, "severity_medium"),
        _ => t(lang, "severity_low"),
    }
}

pub(super) fn rule_of<'a>(rules: &'a [Rule], id: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| r.id == id)
}

impl Page for AuditPage {
    fn id(&self) -> PageId {
        PageId::Audit
    }
    fn title_key(&self) -> &'static str {
        "page_audit"
    }
    fn icon(&self) -> &'static str {
        "🔍"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn view(&self, cx: &Cx) -> Option<crate::presenter::deck::View> {
        cx.month_view("audit")
    }
    fn refresh(&mut self, cx: &mut Cx) {
        self.refresh_list(cx);
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::AuditList(seq, list) => {
                if self.requested.as_ref().is_some_and(|(s, _)| *s == seq) {
                    self.requested = None;
                    // Selections of suspects no longer listed are dropped.
                    if let Ok(l) = &list {
                        self.checked.retain(|k| l.rows.iter().any(|r| &r.key == k));
                    }
                    self.list = Some(list.map(std::sync::Arc::new));
                }
            }
            Msg::AuditDetail(key, detail) => {
                if self.detail_requested.as_deref() == Some(key.as_str()) {
                    self.detail_requested = None;
                }
                self.detail = Some((key, detail));
            }
            Msg::AuditRun(result) => {
                self.running = false;
                match result {
                    Ok(summary) => {
                        self.last_run = Some(summary);
                        cx.send(Command::Changed(Changed::Suspects));
                    }
                    Err(e) => cx.send(Command::Error(e)),
                }
            }
            Msg::AuditChanged(result) => match result {
                Ok(n) => {
                    cx.send(Command::Notice(format!("{} {n}", cx.t("audit_changed"))));
                    self.form = Default::default();
                    self.checked.clear();
                    cx.send(Command::Changed(Changed::Suspects));
                }
                Err(e) => self.form.error = Some(e),
            },
            Msg::CaseSaved(Ok(id)) => {
                // A confirmed suspect became a case: the library opens on it.
                cx.send(Command::Notice(format!("{} {id}", cx.t("cases_saved"))));
                cx.send(Command::Changed(Changed::Cases));
                cx.send(Command::Open(PageId::Cases, Open::Case(id)));
            }
            Msg::CaseSaved(Err(e)) => cx.send(Command::Error(e)),
            Msg::Cancelled => {
                self.running = false;
                return Some(Msg::Cancelled);
            }
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if what == Changed::Targets {
            return;
        }
        // The list and the open suspect are read again (a case made from it, new rules,
        // another project).
        self.shown = None;
        self.detail = None;
        if what == Changed::Project {
            self.list = None;
        }
    }
    fn open(&mut self, what: Open, cx: &mut Cx) {
        match what {
            Open::Rule(rule) => {
                self.rule = Some(rule);
                self.offset = 0;
            }
            Open::Customer { customer, suspect } => {
                self.search = customer;
                self.offset = 0;
                if suspect.is_some() {
                    self.selected = suspect;
                }
            }
            Open::Confirmed => {
                self.status = Some("confirmed".to_string());
                self.rule = None;
                self.offset = 0;
            }
            Open::Run(spec) => {
                if let [rule] = spec.rules.as_slice() {
                    self.rule = Some(rule.clone());
                    self.offset = 0;
                }
                self.run_audit(cx, spec);
            }
            _ => {}
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

impl AuditPage {
    /// Runs the audit rules in the background.
    fn run_audit(&mut self, cx: &mut Cx, spec: RunSpec) {
        self.running = true;
        cx.spawn("job_audit", jobs::run_audit(spec));
    }

    /// Applies a change of state (or an assignment) to suspects in the background.
    pub fn change_suspects(&mut self, cx: &mut Cx, keys: Vec<String>, change: Change) {
        self.form.error = None;
        cx.spawn("job_audit_change", jobs::change_suspects(keys, change));
    }

    /// Asks for the list when its filter changed, and for the selected suspect.
    fn refresh_list(&mut self, cx: &mut Cx) {
        if self.running {
            return;
        }
        let filter = self.filter(cx.unit_id.clone());
        let wanted = format!("{filter:?}");
        let current = self.shown.as_ref().map(|f| format!("{f:?}"));
        let asked = self.requested.as_ref().map(|(_, f)| f.clone());
        if current.as_deref() != Some(wanted.as_str()) && asked.as_deref() != Some(wanted.as_str()) {
            self.seq += 1;
            let seq = self.seq;
            self.requested = Some((seq, wanted));
            self.shown = Some(filter.clone());
            cx.spawn("job_audit_list", jobs::audit_list(seq, filter));
        }
        if let Some(key) = self.selected.clone() {
            let have = self.detail.as_ref().is_some_and(|(k, _)| *k == key);
            if !have && self.detail_requested.as_deref() != Some(key.as_str()) {
                self.detail_requested = Some(key.clone());
                cx.spawn("job_audit_detail", jobs::suspect_detail(key));
            }
        }
    }
}

fn show(page: &mut AuditPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let Some(project) = cx.project.clone() else { return };
    let Some(period) = cx.period else { return };
    let unit_id = cx.unit_id.clone().unwrap_or_default();
    let unit_name = project
        .org
        .iter()
        .find(|u| u.unit_id == unit_id)
        .map(|u| lang.pick(&u.name_en, &u.name_zh).to_string())
        .unwrap_or_else(|| unit_id.clone());

    ui.horizontal(|ui| {
        ui.heading(RichText::new(t(lang, "page_audit")).strong());
        ui.label(RichText::new(unit_name).size(18.0));
        if page.requested.is_some() {
            ui.spinner();
        }
    });
    ui.add_space(4.0);
    run_bar(page, cx, ui, period, &project.months, &unit_id);
    ui.add_space(4.0);
    let loaded = page.list.clone();
    let rules: &[Rule] = match &loaded {
        Some(Ok(l)) => &l.rules,
        _ => crate::audit::rules::builtin(),
    };
    filter_bar(page, cx, ui, rules);
    ui.separator();

    let list = match loaded {
        None => return,
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        Some(Ok(l)) => l,
    };
    if list.total == 0 {
        ui.add_space(20.0);
        ui.label(RichText::new(t(lang, "audit_none")).size(16.0));
        return;
    }
    bulk_bar(page, cx, ui);
    let detail_width = if page.selected.is_some() {
        (ui.available_width() * 0.42).max(380.0)
    } else {
        0.0
    };
    if page.selected.is_some() {
        egui::Panel::right("suspect_detail")
            .resizable(true)
            .default_size(detail_width)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("detail_scroll")
                    .show(ui, |ui| detail_ui(page, cx, ui, &list.rules));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        pager(page, cx, ui, list.total);
        suspect_table(page, cx, ui, &list);
    });
}

fn pager(page: &mut AuditPage, cx: &mut Cx, ui: &mut egui::Ui, total: u64) {
    let noun = t(cx.lang, "audit_suspects");
    ui.horizontal(|ui| crate::ui::widgets::pager(ui, &mut page.offset, PAGE_ROWS, total, noun));
}

fn suspect_table(page: &mut AuditPage, cx: &mut Cx, ui: &mut egui::Ui, list: &AuditList) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let dark = ui.visuals().dark_mode;
    let today = chrono::Local::now().date_naive();
    let mut clicked: Option<String> = None;
    let mut toggled: Vec<String> = Vec::new();
    // A click anywhere on a row selects it; labels must not take the click for text selection.
    ui.style_mut().interaction.selectable_labels = false;
    TableBuilder::new(ui)
        .striped(true)
        .sense(egui::Sense::click())
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(24.0))
        .column(Column::exact(48.0))
        .column(Column::exact(56.0))
        .column(Column::initial(150.0).at_least(90.0).clip(true))
        .column(Column::initial(150.0).at_least(90.0).clip(true))
        .column(Column::exact(64.0))
        .column(Column::initial(90.0).clip(true))
        .column(Column::initial(96.0))
        .column(Column::initial(80.0))
        .column(Column::remainder().clip(true))
        .header(24.0, |mut h| {
            for key in [
                "",
                "audit_score",
                "audit_severity",
                "audit_rule",
                "audit_entity",
                "audit_period",
                "audit_unit",
                "audit_amount",
                "audit_status",
                "audit_explanation",
            ] {
                h.col(|ui| {
                    if !key.is_empty() {
                        ui.strong(t(lang, key));
                    }
                });
            }
        })
        .body(|body| {
            body.rows(26.0, list.rows.len(), |mut row| {
                let s: &SuspectRow = &list.rows[row.index()];
                row.set_selected(page.selected.as_deref() == Some(s.key.as_str()));
                let mut checked = page.checked.contains(&s.key);
                row.col(|ui| {
                    if ui.checkbox(&mut checked, "").changed() {
                        toggled.push(s.key.clone());
                    }
                });
                row.col(|ui| {
                    ui.label(format!("{:.1}", s.score));
                });
                row.col(|ui| {
                    ui.label(severity_text(s.severity, lang));
                });
                let rule = rule_of(&list.rules, &s.rule_id);
                row.col(|ui| {
                    ui.label(rule.map(|r| r.name(zh)).unwrap_or(&s.rule_id));
                });
                row.col(|ui| {
                    ui.label(&s.entity_id);
                });
                row.col(|ui| {
                    ui.label(
                        s.period
                            .map(|p| p.format("%Y-%m").to_string())
                            .unwrap_or_else(|| "—".into()),
                    );
                });
                row.col(|ui| {
                    ui.label(s.unit_id.as_deref().unwrap_or(""));
                });
                row.col(|ui| {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(format::number(s.amount, 0));
                    });
                });
                row.col(|ui| {
                    let mut text =
                        RichText::new(status_name(&s.status, lang)).color(status_color(&s.status, dark));
                    if !s.still_found {
                        text = text.italics();
                    }
                    ui.label(text);
                    if triage::is_overdue(&s.status, s.due_on, today) {
                        ui.colored_label(ui.visuals().error_fg_color, "⏰")
                            .on_hover_text(t(lang, "audit_overdue"));
                    }
                });
                row.col(|ui| {
                    let sentence = rule.map(|r| explain::sentence(r, s, zh)).unwrap_or_default();
                    ui.label(sentence);
                });
                if row.response().clicked() {
                    clicked = Some(s.key.clone());
                }
            });
        });
    for k in toggled {
        if !page.checked.remove(&k) {
            page.checked.insert(k);
        }
    }
    if let Some(k) = clicked {
        page.form = ChangeForm::default();
        page.selected = Some(k);
    }
}
