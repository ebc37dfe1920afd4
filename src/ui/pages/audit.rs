//! The audit workbench: run the rules, list the suspects (filtered, highest score first),
//! and work the selected one through the closed loop with its evidence at hand.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Line, Plot, PlotPoints, Points, VLine};

use crate::audit::explain;
use crate::audit::rules::{Category, Rule};
use crate::audit::run::RunSpec;
use crate::audit::triage::{self, Change, Status};
use crate::metrics::format;
use crate::store::audit::{SuspectFilter, SuspectRow};
use crate::ui::app::MamsApp;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{AuditList, AuditRunSummary, SuspectDetail};
use crate::ui::theme::accent;

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

fn status_color(status: &str, dark: bool) -> Color32 {
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

fn status_name(status: &str, lang: Lang) -> &'static str {
    Status::parse(status)
        .map(|s| s.name(lang == Lang::Zh))
        .unwrap_or("?")
}

fn severity_text(sev: i32, lang: Lang) -> &'static str {
    match sev {
        3 => t(lang, "severity_high"),
        2 => t(lang, "severity_medium"),
        _ => t(lang, "severity_low"),
    }
}

fn rule_of<'a>(rules: &'a [Rule], id: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| r.id == id)
}

pub fn show(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    let Some(project) = app.project.clone() else {
        ui.heading(t(lang, "no_project"));
        return;
    };
    let Some(period) = app.period() else {
        ui.heading(t(lang, "page_audit"));
        ui.label(t(lang, "no_months"));
        return;
    };
    let unit_id = app.unit_id().unwrap_or_default();
    let unit_name = project
        .org
        .iter()
        .find(|u| u.unit_id == unit_id)
        .map(|u| lang.pick(&u.name_en, &u.name_zh).to_string())
        .unwrap_or_else(|| unit_id.clone());

    ui.horizontal(|ui| {
        ui.heading(RichText::new(t(lang, "page_audit")).strong());
        ui.label(RichText::new(unit_name).size(18.0));
        if app.audit.requested.is_some() {
            ui.spinner();
        }
    });
    ui.add_space(4.0);
    run_bar(app, ui, period, &project.months, &unit_id);
    ui.add_space(4.0);
    let loaded = app.audit.list.clone();
    let rules: &[Rule] = match &loaded {
        Some(Ok(l)) => &l.rules,
        _ => crate::audit::rules::builtin(),
    };
    filter_bar(app, ui, rules);
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
    bulk_bar(app, ui);
    let detail_width = if app.audit.selected.is_some() {
        (ui.available_width() * 0.42).max(380.0)
    } else {
        0.0
    };
    if app.audit.selected.is_some() {
        egui::Panel::right("suspect_detail")
            .resizable(true)
            .default_size(detail_width)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("detail_scroll")
                    .show(ui, |ui| detail_ui(app, ui, &list.rules));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        pager(app, ui, list.total);
        suspect_table(app, ui, &list);
    });
}

fn run_bar(app: &mut MamsApp, ui: &mut egui::Ui, period: NaiveDate, months: &[NaiveDate], unit_id: &str) {
    let lang = app.lang();
    ui.horizontal_wrapped(|ui| {
        ui.label(t(lang, "audit_run_for"));
        let span_key = SPANS
            .get(app.audit.span)
            .map(|(_, k)| *k)
            .unwrap_or("audit_span_month");
        egui::ComboBox::from_id_salt("audit_span")
            .selected_text(t(lang, span_key))
            .show_ui(ui, |ui| {
                for (i, (_, key)) in SPANS.iter().enumerate() {
                    ui.selectable_value(&mut app.audit.span, i, t(lang, key));
                }
            });
        let (from, to) = app.audit.run_months(period, months);
        ui.label(
            RichText::new(if from == to {
                to.format("%Y-%m").to_string()
            } else {
                format!("{} – {}", from.format("%Y-%m"), to.format("%Y-%m"))
            })
            .weak(),
        );
        let cat_text = app
            .audit
            .run_category
            .map(|c| c.name(lang == Lang::Zh))
            .unwrap_or(t(lang, "audit_all_rules"));
        egui::ComboBox::from_id_salt("audit_category")
            .selected_text(cat_text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.audit.run_category, None, t(lang, "audit_all_rules"));
                for c in Category::ALL {
                    ui.selectable_value(&mut app.audit.run_category, Some(c), c.name(lang == Lang::Zh));
                }
            });
        let can_run = !app.audit.running;
        if ui
            .add_enabled(
                can_run,
                egui::Button::new(RichText::new(t(lang, "audit_run")).strong()),
            )
            .clicked()
        {
            let rules = match app.audit.run_category {
                Some(c) => crate::audit::rules::builtin()
                    .iter()
                    .filter(|r| r.category == c)
                    .map(|r| r.id.clone())
                    .collect(),
                None => Vec::new(),
            };
            app.run_audit(RunSpec::new(from, to, unit_id, rules));
        }
        if let Some(run) = &app.audit.last_run {
            let failed = run.outcomes.iter().filter(|o| o.error.is_some()).count();
            let secs: f64 = run.outcomes.iter().map(|o| o.seconds).sum();
            let text = match run.saved {
                Some(s) => format!(
                    "{} {}: {} {}, {} {}, {} {} ({secs:.1} s)",
                    t(lang, "audit_run_no"),
                    s.run_id,
                    crate::metrics::format::group_digits(s.found),
                    t(lang, "audit_suspects"),
                    crate::metrics::format::group_digits(s.new),
                    t(lang, "audit_new"),
                    crate::metrics::format::group_digits(s.gone),
                    t(lang, "audit_gone")
                ),
                None => t(lang, "audit_not_kept").to_string(),
            };
            ui.label(RichText::new(text).weak());
            if failed > 0 {
                let errors: Vec<String> = run
                    .outcomes
                    .iter()
                    .filter_map(|o| o.error.as_ref().map(|e| format!("{}: {e}", o.rule_id)))
                    .collect();
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("{failed} {}", t(lang, "audit_failed")),
                )
                .on_hover_text(errors.join("\n"));
            }
        }
    });
}

fn filter_bar(app: &mut MamsApp, ui: &mut egui::Ui, rules: &[Rule]) {
    let lang = app.lang();
    let zh = lang == Lang::Zh;
    let before = (
        app.audit.rule.clone(),
        app.audit.status.clone(),
        app.audit.min_severity,
        app.audit.search.clone(),
        app.audit.include_gone,
        app.audit.min_amount.clone(),
    );
    ui.horizontal_wrapped(|ui| {
        ui.label(t(lang, "audit_rule"));
        let rule_text = app
            .audit
            .rule
            .as_deref()
            .and_then(|id| rule_of(rules, id))
            .map(|r| r.name(zh).to_string())
            .unwrap_or_else(|| t(lang, "all").to_string());
        egui::ComboBox::from_id_salt("audit_rule")
            .selected_text(rule_text)
            .height(420.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.audit.rule, None, t(lang, "all"));
                for r in rules {
                    ui.selectable_value(&mut app.audit.rule, Some(r.id.clone()), r.name(zh));
                }
            });
        ui.label(t(lang, "audit_status"));
        let status_text = app
            .audit
            .status
            .as_deref()
            .map(|s| status_name(s, lang))
            .unwrap_or(t(lang, "all"));
        egui::ComboBox::from_id_salt("audit_status")
            .selected_text(status_text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.audit.status, None, t(lang, "all"));
                for s in Status::ALL {
                    ui.selectable_value(&mut app.audit.status, Some(s.id().to_string()), s.name(zh));
                }
            });
        ui.label(t(lang, "audit_severity"));
        let sev_text = app
            .audit
            .min_severity
            .map(|s| format!("≥ {}", severity_text(s, lang)))
            .unwrap_or_else(|| t(lang, "all").to_string());
        egui::ComboBox::from_id_salt("audit_severity")
            .selected_text(sev_text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.audit.min_severity, None, t(lang, "all"));
                for s in [2, 3] {
                    ui.selectable_value(
                        &mut app.audit.min_severity,
                        Some(s),
                        format!("≥ {}", severity_text(s, lang)),
                    );
                }
            });
        ui.label(t(lang, "audit_min_amount"));
        ui.add(
            egui::TextEdit::singleline(&mut app.audit.min_amount)
                .hint_text("0")
                .desired_width(80.0),
        );
        ui.add(
            egui::TextEdit::singleline(&mut app.audit.search)
                .hint_text(t(lang, "audit_search"))
                .desired_width(180.0),
        );
        ui.checkbox(&mut app.audit.include_gone, t(lang, "audit_include_gone"));
    });
    let after = (
        app.audit.rule.clone(),
        app.audit.status.clone(),
        app.audit.min_severity,
        app.audit.search.clone(),
        app.audit.include_gone,
        app.audit.min_amount.clone(),
    );
    if before != after {
        app.audit.offset = 0;
        app.audit.checked.clear();
    }
}

fn bulk_bar(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    let n = app.audit.checked.len();
    if n == 0 {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{n} {}", t(lang, "audit_selected"))).strong());
        ui.add(
            egui::TextEdit::singleline(&mut app.audit.form.assignee)
                .hint_text(t(lang, "audit_assignee"))
                .desired_width(110.0),
        );
        ui.add(
            egui::TextEdit::singleline(&mut app.audit.form.due)
                .hint_text("YYYY-MM-DD")
                .desired_width(100.0),
        );
        if ui.button(t(lang, "audit_assign")).clicked() {
            let change = Change {
                to: None,
                assignee_unit: Some(app.audit.form.assignee.trim().to_string()).filter(|s| !s.is_empty()),
                due_on: NaiveDate::parse_from_str(app.audit.form.due.trim(), "%Y-%m-%d").ok(),
                note: app.audit.form.note.clone(),
                ..Default::default()
            };
            let keys: Vec<String> = app.audit.checked.iter().cloned().collect();
            app.change_suspects(keys, change);
        }
        ui.separator();
        ui.add(
            egui::TextEdit::singleline(&mut app.audit.form.fp_reason)
                .hint_text(t(lang, "audit_fp_reason"))
                .desired_width(200.0),
        );
        if ui.button(t(lang, "audit_mark_fp")).clicked() {
            let change = Change {
                to: Some(Status::FalsePositive),
                fp_reason: Some(app.audit.form.fp_reason.clone()),
                note: app.audit.form.note.clone(),
                ..Default::default()
            };
            let keys: Vec<String> = app.audit.checked.iter().cloned().collect();
            app.change_suspects(keys, change);
        }
        if ui.button(t(lang, "audit_clear_selection")).clicked() {
            app.audit.checked.clear();
        }
    });
    if let Some(e) = &app.audit.form.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}

fn pager(app: &mut MamsApp, ui: &mut egui::Ui, total: u64) {
    let noun = t(app.lang(), "audit_suspects");
    ui.horizontal(|ui| super::pager(ui, &mut app.audit.offset, PAGE_ROWS, total, noun));
}

fn suspect_table(app: &mut MamsApp, ui: &mut egui::Ui, list: &AuditList) {
    let lang = app.lang();
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
                row.set_selected(app.audit.selected.as_deref() == Some(s.key.as_str()));
                let mut checked = app.audit.checked.contains(&s.key);
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
        if !app.audit.checked.remove(&k) {
            app.audit.checked.insert(k);
        }
    }
    if let Some(k) = clicked {
        app.audit.form = ChangeForm::default();
        app.audit.selected = Some(k);
    }
}

fn kv_grid(ui: &mut egui::Ui, id: &str, pairs: &[(String, String)]) {
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([12.0, 2.0])
        .striped(true)
        .show(ui, |ui| {
            for (k, v) in pairs {
                ui.label(RichText::new(k).weak());
                ui.label(v);
                ui.end_row();
            }
        });
}

fn detail_ui(app: &mut MamsApp, ui: &mut egui::Ui, rules: &[Rule]) {
    let lang = app.lang();
    let zh = lang == Lang::Zh;
    let dark = ui.visuals().dark_mode;
    let Some(key) = app.audit.selected.clone() else {
        return;
    };
    ui.horizontal(|ui| {
        if ui.button("×").on_hover_text(t(lang, "close")).clicked() {
            app.audit.selected = None;
        }
        if app.audit.detail.as_ref().is_none_or(|(k, _)| *k != key) {
            ui.spinner();
        }
    });
    let Some((k, detail)) = app.audit.detail.clone() else {
        return;
    };
    if k != key {
        return;
    }
    let d = match detail {
        Ok(d) => d,
        Err(e) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
    };
    let s = &d.suspect;
    let rule = rule_of(rules, &s.rule_id);
    ui.heading(rule.map(|r| r.name(zh)).unwrap_or(&s.rule_id));
    if let Some(r) = rule {
        ui.label(
            RichText::new(format!(
                "{} · {} · {}",
                r.category.name(zh),
                severity_text(r.severity as i32, lang),
                r.description(zh)
            ))
            .weak(),
        );
    }
    ui.add_space(4.0);
    ui.label(
        RichText::new(rule.map(|r| explain::sentence(r, s, zh)).unwrap_or_default())
            .size(16.0)
            .strong(),
    );
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(status_name(&s.status, lang))
                .color(status_color(&s.status, dark))
                .strong(),
        );
        ui.label(format!(
            "· {} {} · {} {} · {} {:.0} %",
            t(lang, "audit_amount"),
            format::number(s.amount, 2),
            t(lang, "audit_score"),
            format::number(s.score, 1),
            t(lang, "audit_confidence"),
            s.confidence * 100.0
        ));
        if !s.still_found {
            ui.label(RichText::new(t(lang, "audit_gone")).italics());
        }
    });
    if let Some(a) = &s.assignee_unit {
        ui.label(format!(
            "{} {a} · {} {}",
            t(lang, "audit_assignee"),
            t(lang, "audit_due"),
            s.due_on.map(|d| d.to_string()).unwrap_or_default()
        ));
    }
    if Status::parse(&s.status).is_some_and(|st| st.is_confirmed())
        && ui.button(t(lang, "cases_promote")).clicked()
    {
        app.promote_suspect(s.key.clone());
    }
    ui.separator();
    change_form(app, ui, s);
    ui.separator();

    if !d.series.is_empty() {
        ui.strong(t(
            lang,
            if s.entity_type == "area" {
                "audit_series_loss"
            } else {
                "audit_series_kwh"
            },
        ));
        series_plot(ui, &d.series, s.period, &s.entity_type);
    }
    ui.strong(t(lang, "cases_similar"));
    if d.similar.is_empty() {
        ui.label(RichText::new(t(lang, "cases_none_similar")).weak());
    }
    for (case, why_en, why_zh) in &d.similar {
        let title = super::cases::case_title(case, zh);
        ui.horizontal_wrapped(|ui| {
            if ui.link(title).clicked() {
                app.cases.selected = Some(case.case_id.clone());
                app.state.page = crate::ui::pages::Page::Cases;
            }
            ui.label(
                RichText::new(if zh { why_zh.join("；") } else { why_en.join("; ") })
                    .weak()
                    .small(),
            );
        });
    }
    ui.add_space(4.0);
    ui.strong(t(lang, "audit_evidence"));
    let evidence: Vec<(String, String)> = explain::evidence_from_json(&s.evidence_json)
        .iter()
        .map(|(k, v)| {
            let phrases = rule.map(|r| &r.phrases).unwrap_or(&explain::NO_PHRASES);
            (k.clone(), explain::show(k, v, zh.then_some(phrases)))
        })
        .collect();
    kv_grid(ui, "evidence", &evidence);
    ui.add_space(4.0);
    egui::CollapsingHeader::new(t(lang, "audit_archive"))
        .default_open(false)
        .show(ui, |ui| kv_grid(ui, "archive", &d.archive));
    if !d.related.rows.is_empty() {
        egui::CollapsingHeader::new(t(lang, "audit_related"))
            .default_open(false)
            .show(ui, |ui| {
                egui::ScrollArea::horizontal().id_salt("related").show(ui, |ui| {
                    egui::Grid::new("related_rows").striped(true).show(ui, |ui| {
                        for c in &d.related.columns {
                            ui.strong(c);
                        }
                        ui.end_row();
                        for row in &d.related.rows {
                            for v in row {
                                ui.label(crate::store::queries::value_to_string(v));
                            }
                            ui.end_row();
                        }
                    });
                });
            });
    }
    ui.add_space(4.0);
    ui.strong(t(lang, "audit_trail"));
    if d.trail.is_empty() {
        ui.label(RichText::new(t(lang, "audit_trail_empty")).weak());
    }
    for e in &d.trail {
        let mut line = format!(
            "{} · {} · {} → {}",
            e.changed_at.format("%Y-%m-%d %H:%M"),
            e.actor,
            e.from_status
                .as_deref()
                .map(|f| status_name(f, lang))
                .unwrap_or(""),
            status_name(&e.to_status, lang)
        );
        for (label, v) in [
            ("audit_assignee", e.assignee_unit.clone()),
            ("audit_due", e.due_on.map(|d| d.to_string())),
            ("audit_recovered", e.recovered.map(|r| format::number(r, 2))),
            ("audit_fp_reason", e.fp_reason.clone()),
            ("audit_note", e.note.clone()),
        ] {
            if let Some(v) = v {
                line.push_str(&format!(" · {} {v}", t(lang, label)));
            }
        }
        ui.label(line);
    }
}

fn change_form(app: &mut MamsApp, ui: &mut egui::Ui, s: &SuspectRow) {
    let lang = app.lang();
    let zh = lang == Lang::Zh;
    let Some(from) = Status::parse(&s.status) else {
        return;
    };
    let next = from.next();
    if next.is_empty() {
        ui.label(RichText::new(t(lang, "audit_done")).weak());
        return;
    }
    let form = &mut app.audit.form;
    let field = |ui: &mut egui::Ui, key: &str, value: &mut String, hint: &str, width: f32| {
        ui.label(t(lang, key));
        ui.add(
            egui::TextEdit::singleline(value)
                .hint_text(hint)
                .desired_width(width),
        );
        ui.end_row();
    };
    egui::Grid::new("change_form")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            // Only the fields the next steps need.
            field(ui, "audit_note", &mut form.note, "", 260.0);
            if next.contains(&Status::Rectifying) {
                field(ui, "audit_assignee", &mut form.assignee, "C01", 120.0);
                field(ui, "audit_due", &mut form.due, "YYYY-MM-DD", 120.0);
            }
            if next.contains(&Status::Closed) {
                field(ui, "audit_recovered", &mut form.recovered, "0.00", 120.0);
            }
            if next.contains(&Status::FalsePositive) {
                field(ui, "audit_fp_reason", &mut form.fp_reason, "", 260.0);
            }
        });
    let mut chosen = None;
    ui.horizontal(|ui| {
        for to in next {
            if ui.button(format!("→ {}", to.name(zh))).clicked() {
                chosen = Some(*to);
            }
        }
    });
    if let Some(to) = chosen {
        let f = app.audit.form.clone();
        let due = f.due.trim();
        let parsed_due = NaiveDate::parse_from_str(due, "%Y-%m-%d").ok();
        if !due.is_empty() && parsed_due.is_none() {
            app.audit.form.error = Some(format!("{}: {due}", t(lang, "audit_bad_date")));
            return;
        }
        let recovered = f.recovered.trim().replace(',', "");
        let change = Change {
            to: Some(to),
            note: f.note.clone(),
            assignee_unit: Some(f.assignee.trim().to_string()).filter(|a| !a.is_empty()),
            due_on: parsed_due,
            recovered: if recovered.is_empty() {
                None
            } else {
                recovered.parse().ok()
            },
            fp_reason: Some(f.fp_reason.clone()).filter(|r| !r.trim().is_empty()),
        };
        app.change_suspects(vec![s.key.clone()], change);
    }
    if let Some(e) = &app.audit.form.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}

fn series_plot(ui: &mut egui::Ui, series: &[(NaiveDate, f64)], period: Option<NaiveDate>, kind: &str) {
    let months: Vec<NaiveDate> = series.iter().map(|(m, _)| *m).collect();
    let points: Vec<[f64; 2]> = series
        .iter()
        .enumerate()
        .map(|(i, (_, v))| [i as f64, *v])
        .collect();
    let color = accent(ui.visuals().dark_mode);
    let hover_months = months.clone();
    let unit = if kind == "area" { "%" } else { "kWh" };
    let mark = period.and_then(|p| months.iter().position(|m| *m == p));
    Plot::new(("suspect_series", kind))
        .height(180.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 3.0, 12.0]))
        .x_axis_formatter(super::leaders::month_axis(months))
        .y_axis_formatter(|m, _| format::number(m.value, 0))
        .y_axis_label(unit)
        .label_formatter(move |pos| {
            let p = match pos {
                egui_plot::HoverPosition::NearDataPoint { position, .. } => position,
                egui_plot::HoverPosition::Elsewhere { .. } => return None,
            };
            let m = hover_months.get(p.x.round().max(0.0) as usize)?;
            Some(format!(
                "{}\n{} {unit}",
                m.format("%Y-%m"),
                format::number(p.y, 1)
            ))
        })
        .show(ui, |plot| {
            plot.line(
                Line::new("", PlotPoints::from(points.clone()))
                    .color(color)
                    .width(2.0),
            );
            plot.points(Points::new("", PlotPoints::from(points)).color(color).radius(2.5));
            if let Some(i) = mark {
                plot.vline(
                    VLine::new("", i as f64)
                        .color(Color32::from_rgb(0xd3, 0x54, 0x00))
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
}
