//! The selected suspect: why it was flagged, its evidence and history, similar cases, and
//! the form that moves it through the closed loop.

use chrono::NaiveDate;
use egui::{Color32, RichText};
use egui_plot::{Line, Plot, PlotPoints, Points, VLine};

use super::{AuditPage, rule_of, severity_text, status_color, status_name};
use crate::audit::explain;
use crate::audit::rules::Rule;
use crate::audit::triage::{Change, Status};
use crate::metrics::format;
use crate::store::audit::SuspectRow;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs;
use crate::ui::page::{Command, Cx, Open, PageId};
use crate::ui::theme::accent;

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

pub(super) fn detail_ui(page: &mut AuditPage, cx: &mut Cx, ui: &mut egui::Ui, rules: &[Rule]) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let dark = ui.visuals().dark_mode;
    let Some(key) = page.selected.clone() else {
        return;
    };
    ui.horizontal(|ui| {
        if ui.button("×").on_hover_text(t(lang, "close")).clicked() {
            page.selected = None;
        }
        if page.detail.as_ref().is_none_or(|(k, _)| *k != key) {
            ui.spinner();
        }
    });
    let Some((k, detail)) = page.detail.clone() else {
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
        cx.spawn("job_case_save", jobs::promote_suspect(s.key.clone()));
    }
    ui.separator();
    change_form(page, cx, ui, s);
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
        let title = crate::ui::pages::cases::case_title(case, zh);
        ui.horizontal_wrapped(|ui| {
            if ui.link(title).clicked() {
                cx.send(Command::Open(PageId::Cases, Open::Case(case.case_id.clone())));
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
    onsite_records(ui, lang, &d);
}

/// What inspectors recorded on site, with their photos (the trail holds the same finding).
fn onsite_records(ui: &mut egui::Ui, lang: Lang, d: &crate::ui::jobs::SuspectDetail) {
    if d.onsite.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.strong(t(lang, "audit_onsite"));
    for (r, photos) in &d.onsite {
        let mut line = format!(
            "{} · {} · {}",
            r.made_at.format("%Y-%m-%d %H:%M"),
            t(
                lang,
                match r.finding.as_str() {
                    "confirmed" => "onsite_confirmed",
                    "false_positive" => "onsite_false_positive",
                    _ => "onsite_not_verified",
                }
            ),
            status_name(&r.to_status, lang)
        );
        if let (Some(la), Some(lo)) = (r.latitude, r.longitude) {
            line.push_str(&format!(" · {la:.5}, {lo:.5}"));
            if let Some(a) = r.accuracy_m {
                line.push_str(&format!(" ±{a:.0} m"));
            }
        }
        ui.label(line);
        if let Some(n) = &r.note {
            ui.label(RichText::new(n).italics());
        }
        if !photos.is_empty() {
            ui.horizontal_wrapped(|ui| {
                for (i, photo) in photos.iter().enumerate() {
                    // One texture per photo, made once and kept in egui's memory.
                    let id = egui::Id::unique(("onsite", &r.record_id, i));
                    let texture = match ui.ctx().data(|d| d.get_temp::<egui::TextureHandle>(id)) {
                        Some(t) => t,
                        None => {
                            let t = ui.ctx().load_texture(
                                format!("onsite-{}-{i}", r.record_id),
                                photo.clone(),
                                egui::TextureOptions::LINEAR,
                            );
                            ui.ctx().data_mut(|d| d.insert_temp(id, t.clone()));
                            t
                        }
                    };
                    ui.add(egui::Image::new(&texture).max_height(160.0).corner_radius(4.0));
                }
            });
        }
    }
}

fn change_form(page: &mut AuditPage, cx: &mut Cx, ui: &mut egui::Ui, s: &SuspectRow) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let Some(from) = Status::parse(&s.status) else {
        return;
    };
    let next = from.next();
    if next.is_empty() {
        ui.label(RichText::new(t(lang, "audit_done")).weak());
        return;
    }
    let form = &mut page.form;
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
        let f = page.form.clone();
        let due = f.due.trim();
        let parsed_due = NaiveDate::parse_from_str(due, "%Y-%m-%d").ok();
        if !due.is_empty() && parsed_due.is_none() {
            page.form.error = Some(format!("{}: {due}", t(lang, "audit_bad_date")));
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
        page.change_suspects(cx, vec![s.key.clone()], change);
    }
    if let Some(e) = &page.form.error {
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
        .x_axis_formatter(crate::ui::widgets::month_axis(months))
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
