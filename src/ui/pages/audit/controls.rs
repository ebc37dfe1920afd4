//! The bars above the suspect list: run the rules, filter the list, act on the checked.

use chrono::NaiveDate;
use egui::RichText;

use super::{AuditPage, SPANS, rule_of, severity_text, status_name};
use crate::audit::rules::{Category, Rule};
use crate::audit::run::RunSpec;
use crate::audit::triage::{Change, Status};
use crate::ui::i18n::{Lang, t};
use crate::ui::page::Cx;

pub(super) fn run_bar(
    page: &mut AuditPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    period: NaiveDate,
    months: &[NaiveDate],
    unit_id: &str,
) {
    let lang = cx.lang;
    ui.horizontal_wrapped(|ui| {
        ui.label(t(lang, "audit_run_for"));
        let span_key = SPANS
            .get(page.span)
            .map(|(_, k)| *k)
            .unwrap_or("audit_span_month");
        egui::ComboBox::from_id_salt("audit_span")
            .selected_text(t(lang, span_key))
            .show_ui(ui, |ui| {
                for (i, (_, key)) in SPANS.iter().enumerate() {
                    ui.selectable_value(&mut page.span, i, t(lang, key));
                }
            });
        let (from, to) = page.run_months(period, months);
        ui.label(
            RichText::new(if from == to {
                to.format("%Y-%m").to_string()
            } else {
                format!("{} – {}", from.format("%Y-%m"), to.format("%Y-%m"))
            })
            .weak(),
        );
        let cat_text = page
            .run_category
            .map(|c| c.name(lang == Lang::Zh))
            .unwrap_or(t(lang, "audit_all_rules"));
        egui::ComboBox::from_id_salt("audit_category")
            .selected_text(cat_text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.run_category, None, t(lang, "audit_all_rules"));
                for c in Category::ALL {
                    ui.selectable_value(&mut page.run_category, Some(c), c.name(lang == Lang::Zh));
                }
            });
        let can_run = !page.running;
        if ui
            .add_enabled(
                can_run,
                egui::Button::new(RichText::new(t(lang, "audit_run")).strong()),
            )
            .clicked()
        {
            let rules = match page.run_category {
                Some(c) => crate::audit::rules::builtin()
                    .iter()
                    .filter(|r| r.category == c)
                    .map(|r| r.id.clone())
                    .collect(),
                None => Vec::new(),
            };
            page.run_audit(cx, RunSpec::new(from, to, unit_id, rules));
        }
        if let Some(run) = &page.last_run {
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

pub(super) fn filter_bar(page: &mut AuditPage, cx: &mut Cx, ui: &mut egui::Ui, rules: &[Rule]) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let before = (
        page.rule.clone(),
        page.status.clone(),
        page.min_severity,
        page.search.clone(),
        page.include_gone,
        page.min_amount.clone(),
    );
    ui.horizontal_wrapped(|ui| {
        ui.label(t(lang, "audit_rule"));
        let rule_text = page
            .rule
            .as_deref()
            .and_then(|id| rule_of(rules, id))
            .map(|r| r.name(zh).to_string())
            .unwrap_or_else(|| t(lang, "all").to_string());
        egui::ComboBox::from_id_salt("audit_rule")
            .selected_text(rule_text)
            .height(420.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.rule, None, t(lang, "all"));
                for r in rules {
                    ui.selectable_value(&mut page.rule, Some(r.id.clone()), r.name(zh));
                }
            });
        ui.label(t(lang, "audit_status"));
        let status_text = page
            .status
            .as_deref()
            .map(|s| status_name(s, lang))
            .unwrap_or(t(lang, "all"));
        egui::ComboBox::from_id_salt("audit_status")
            .selected_text(status_text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.status, None, t(lang, "all"));
                for s in Status::ALL {
                    ui.selectable_value(&mut page.status, Some(s.id().to_string()), s.name(zh));
                }
            });
        ui.label(t(lang, "audit_severity"));
        let sev_text = page
            .min_severity
            .map(|s| format!("≥ {}", severity_text(s, lang)))
            .unwrap_or_else(|| t(lang, "all").to_string());
        egui::ComboBox::from_id_salt("audit_severity")
            .selected_text(sev_text)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.min_severity, None, t(lang, "all"));
                for s in [2, 3] {
                    ui.selectable_value(
                        &mut page.min_severity,
                        Some(s),
                        format!("≥ {}", severity_text(s, lang)),
                    );
                }
            });
        ui.label(t(lang, "audit_min_amount"));
        ui.add(
            egui::TextEdit::singleline(&mut page.min_amount)
                .hint_text("0")
                .desired_width(80.0),
        );
        ui.add(
            egui::TextEdit::singleline(&mut page.search)
                .hint_text(t(lang, "audit_search"))
                .desired_width(180.0),
        );
        ui.checkbox(&mut page.include_gone, t(lang, "audit_include_gone"));
    });
    let after = (
        page.rule.clone(),
        page.status.clone(),
        page.min_severity,
        page.search.clone(),
        page.include_gone,
        page.min_amount.clone(),
    );
    if before != after {
        page.offset = 0;
        page.checked.clear();
    }
}

pub(super) fn bulk_bar(page: &mut AuditPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let n = page.checked.len();
    if n == 0 {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(format!("{n} {}", t(lang, "audit_selected"))).strong());
        ui.add(
            egui::TextEdit::singleline(&mut page.form.assignee)
                .hint_text(t(lang, "audit_assignee"))
                .desired_width(110.0),
        );
        ui.add(
            egui::TextEdit::singleline(&mut page.form.due)
                .hint_text("YYYY-MM-DD")
                .desired_width(100.0),
        );
        if ui.button(t(lang, "audit_assign")).clicked() {
            let change = Change {
                to: None,
                assignee_unit: Some(page.form.assignee.trim().to_string()).filter(|s| !s.is_empty()),
                due_on: NaiveDate::parse_from_str(page.form.due.trim(), "%Y-%m-%d").ok(),
                note: page.form.note.clone(),
                ..Default::default()
            };
            let keys: Vec<String> = page.checked.iter().cloned().collect();
            page.change_suspects(cx, keys, change);
        }
        ui.separator();
        ui.add(
            egui::TextEdit::singleline(&mut page.form.fp_reason)
                .hint_text(t(lang, "audit_fp_reason"))
                .desired_width(200.0),
        );
        if ui.button(t(lang, "audit_mark_fp")).clicked() {
            let change = Change {
                to: Some(Status::FalsePositive),
                fp_reason: Some(page.form.fp_reason.clone()),
                note: page.form.note.clone(),
                ..Default::default()
            };
            let keys: Vec<String> = page.checked.iter().cloned().collect();
            page.change_suspects(cx, keys, change);
        }
        if ui.button(t(lang, "audit_clear_selection")).clicked() {
            page.checked.clear();
        }
    });
    if let Some(e) = &page.form.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
}
