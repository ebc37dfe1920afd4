//! The checks tab: the checks of the unit (narrowed to a heat map cell, or to the failing
//! ones) with their counts and pass rates; a check opens its counts by unit, its first
//! failing rows in words, all its failing rows in the rows window (search, sort, export),
//! and its column's profile.

use egui::RichText;

use super::{QualityPage, Tab, score_color, score_text};
use crate::dq::report::{CheckDetail, Overview};
use crate::dq::scores;
use crate::ui::i18n::Lang;
use crate::ui::page::{Command, Cx};
use crate::ui::widgets::{chip, data_buttons};

pub fn show(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx) {
    let Some(d) = page.data.shown(ui) else { return };
    ui.horizontal_top(|ui| {
        let width = ui.available_width();
        ui.vertical(|ui| {
            ui.set_width((width * 0.55).max(520.0));
            list(page, ui, cx, &d);
        });
        ui.separator();
        ui.vertical(|ui| detail(page, ui, cx, &d));
    });
}

fn list(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    ui.horizontal(|ui| {
        if let Some(t) = page.filter.0.clone()
            && chip(ui, &format!("{}: {t}", cx.t("table"))).clicked()
        {
            page.filter.0 = None;
        }
        if let Some(dim) = page.filter.1
            && chip(ui, dim.name(zh)).clicked()
        {
            page.filter.1 = None;
        }
        ui.checkbox(&mut page.only_failing, cx.t("quality_only_below"));
    });
    let shown: Vec<_> = d
        .lib
        .iter()
        .filter(|b| page.filter.0.as_ref().is_none_or(|t| *t == b.check.table))
        .filter(|b| page.filter.1.is_none_or(|x| x == b.check.dimension))
        .filter_map(|b| {
            let (t, f) = d.sums.get(&b.check.id).copied().unwrap_or((0, 0));
            let rate = scores::pass_rate(t, f);
            let below = rate.is_some_and(|r| r < b.check.threshold);
            (!page.only_failing || below).then_some((b, t, f, rate, below))
        })
        .collect();
    let header: Vec<String> = [
        "check",
        "table",
        "column",
        "dimension",
        "tested",
        "failing",
        "pass_rate",
        "threshold",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|(b, t, f, r, _)| {
            vec![
                b.check.id.clone(),
                b.check.table.clone(),
                b.check.column_label().to_string(),
                b.check.dimension.id().to_string(),
                t.to_string(),
                f.to_string(),
                r.map(|r| format!("{r:.3}")).unwrap_or_default(),
                b.check.threshold.to_string(),
            ]
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    egui::ScrollArea::vertical()
        .id_salt("quality_checks")
        .show(ui, |ui| {
            egui::Grid::new("quality_checks_grid")
                .striped(true)
                .spacing([10.0, 4.0])
                .show(ui, |ui| {
                    for key in [
                        "quality_check",
                        "table",
                        "quality_dimension",
                        "quality_tested",
                        "quality_failing",
                        "quality_pass",
                    ] {
                        ui.strong(cx.t(key));
                    }
                    ui.end_row();
                    for (b, t, f, rate, below) in &shown {
                        let on = page.check.as_deref() == Some(b.check.id.as_str());
                        let mut name = RichText::new(b.check.name(zh));
                        if *below {
                            name = name.strong();
                        }
                        if ui.selectable_label(on, name).on_hover_text(&b.check.id).clicked() {
                            page.check = Some(b.check.id.clone());
                        }
                        ui.label(format!("{}.{}", b.check.table, b.check.column_label()));
                        ui.label(b.check.dimension.name(zh));
                        ui.label(crate::metrics::format::group_digits(*t));
                        ui.label(crate::metrics::format::group_digits(*f));
                        let text = format!("{} %", score_text(*rate).replace('—', "-"));
                        match rate {
                            Some(r) if *below => ui.label(
                                RichText::new(format!("{text} < {}", b.check.threshold))
                                    .color(score_color(r.min(69.0))),
                            ),
                            Some(r) => ui.label(RichText::new(text).color(score_color(*r))),
                            None => ui.label(RichText::new(cx.t("quality_not_tested")).weak()),
                        };
                        ui.end_row();
                    }
                });
        });
}

fn detail(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx, d: &Overview) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let Some(id) = page.check.clone() else {
        ui.label(RichText::new(cx.t("quality_pick_check")).weak());
        ui.add_space(12.0);
        new_check(page, ui, cx);
        return;
    };
    let Some(b) = d.lib.iter().find(|b| b.check.id == id) else {
        return;
    };
    let c = &b.check;
    ui.label(RichText::new(c.name(zh)).strong().size(17.0));
    ui.label(
        RichText::new(format!(
            "{} · {} · {} · {} {} · {} {} %",
            c.id,
            c.dimension.name(zh),
            c.stage.name(zh),
            cx.t("quality_weight"),
            c.weight,
            cx.t("quality_threshold"),
            c.threshold
        ))
        .weak()
        .small(),
    );
    if !b.values.is_empty() {
        let values: Vec<String> = b.values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        ui.label(RichText::new(values.join(", ")).small());
    }
    ui.horizontal(|ui| {
        if !c.kind.table_level()
            && ui
                .button(cx.t("quality_all_rows"))
                .on_hover_text(cx.t("quality_all_rows_help"))
                .clicked()
        {
            open_rows(ui, cx, d, b);
        }
        if let Some(col) = &c.column
            && ui.button(cx.t("quality_profile_column")).clicked()
        {
            page.profile.choose(&c.table, col);
            page.tab = Tab::Profile;
        }
    });
    let detail: Option<CheckDetail> = page.detail.ok().filter(|x| x.check_id == id).cloned();
    let Some(detail) = detail else {
        ui.spinner();
        return;
    };
    ui.add_space(6.0);
    ui.label(RichText::new(cx.t("quality_by_unit")).strong());
    egui::ScrollArea::vertical()
        .id_salt("quality_by_unit")
        .max_height(180.0)
        .show(ui, |ui| {
            egui::Grid::new("quality_by_unit_grid")
                .striped(true)
                .show(ui, |ui| {
                    for (u, t, f) in detail.by_unit.iter().filter(|(_, _, f)| *f > 0).take(40) {
                        let name = u
                            .as_deref()
                            .map(|u| cx.unit_name(u))
                            .unwrap_or_else(|| cx.t("quality_no_unit").to_string());
                        ui.label(name);
                        ui.label(format!("{f} / {t}"));
                        ui.label(score_text(scores::pass_rate(*t, *f)));
                        ui.end_row();
                    }
                });
        });
    ui.add_space(6.0);
    ui.label(RichText::new(format!("{} ({})", cx.t("quality_first_rows"), detail.rows.len())).strong());
    let rows: Vec<Vec<String>> = detail
        .rows
        .iter()
        .map(|(u, m, k, en, zh_text)| {
            vec![
                u.clone().unwrap_or_default(),
                m.map(|m| m.format("%Y-%m").to_string()).unwrap_or_default(),
                k.clone(),
                if zh { zh_text.clone() } else { en.clone() },
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &["unit_id".into(), "month".into(), "key".into(), "problem".into()],
        &rows,
    );
    egui::ScrollArea::vertical()
        .id_salt("quality_rows")
        .show(ui, |ui| {
            egui::Grid::new("quality_rows_grid").striped(true).show(ui, |ui| {
                for r in rows.iter().take(200) {
                    ui.label(cx.unit_name(&r[0])).on_hover_text(r[0].as_str());
                    ui.label(&r[1]);
                    ui.monospace(&r[2]);
                    ui.label(&r[3]);
                    ui.end_row();
                }
            });
        });
}

/// The rows window on every row of the table the check fails, within the top bar's unit.
fn open_rows(_ui: &mut egui::Ui, cx: &mut Cx, d: &Overview, b: &crate::dq::compile::Bound) {
    let Some(unit) = cx.unit_id.clone() else { return };
    let period = d.period.unwrap_or_default();
    let table = b.check.model_table();
    let sql = crate::dq::compile::all_failing_sql(table, b, period, None);
    let title = format!("{} · {}", b.check.name(cx.lang == Lang::Zh), cx.unit_name(&unit));
    cx.send(Command::OpenRows(
        title,
        crate::store::rows::RowsQuery {
            table: table.name,
            unit,
            month: None,
            only: None,
            failing: Some(sql),
            search: String::new(),
            sort: None,
            offset: 0,
            limit: 100,
        },
    ));
}

/// A check of the project's own: written as JSON (a template to start from), tried on the
/// project and kept, or told what is wrong.
fn new_check(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx) {
    egui::CollapsingHeader::new(cx.t("quality_new_check"))
        .id_salt("quality_new_check")
        .show(ui, |ui| {
            ui.label(RichText::new(cx.t("quality_new_check_help")).weak().small());
            if page.draft.is_empty() {
                page.draft = TEMPLATE.to_string();
            }
            ui.add(
                egui::TextEdit::multiline(&mut page.draft)
                    .code_editor()
                    .desired_rows(14)
                    .desired_width(f32::INFINITY),
            );
            ui.horizontal(|ui| {
                if ui.button(cx.t("quality_check_and_keep")).clicked() {
                    page.draft_answer = Some(Ok(String::new()));
                    cx.spawn(
                        "job_quality",
                        crate::ui::jobs::quality_add_check(page.draft.clone()),
                    );
                }
                match &page.draft_answer {
                    Some(Ok(a)) if a.is_empty() => {
                        ui.spinner();
                    }
                    Some(Ok(id)) => {
                        ui.label(
                            RichText::new(format!("✔ {id} · {}", cx.t("quality_check_kept")))
                                .color(score_color(100.0)),
                        );
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    None => {}
                }
            });
        });
}

/// Where a new check starts: a query check with a parameter.
const TEMPLATE: &str = r#"{
  "id": "local.large_residential",
  "table": "customers",
  "kind": "query",
  "dimension": "accuracy",
  "stage": "acquisition",
  "name_en": "Residential capacity within reason",
  "name_zh": "居民合同容量合理",
  "problem_en": "a residential account of more than {max_kva} kVA",
  "problem_zh": "居民用户合同容量超过 {max_kva} 千伏安",
  "params": [{"name": "max_kva", "default": 50}],
  "query": "SELECT customer_id FROM customers WHERE customer_class = 'residential' AND capacity_kva > ${max_kva}"
}"#;
