//! The Comprehensive Bulletin Board: the morning look. The units one level down ranked on a
//! composite of their indicators (each cell coloured by its status), the targets missed this
//! month with the size of the miss, and how fresh each data table is.

use chrono::NaiveDate;
use egui::{Color32, RichText, Sense, vec2};

use crate::metrics::format;
use crate::metrics::indicators::indicator;
use crate::metrics::kpi::Status;
use crate::ui::i18n::t;
use crate::ui::jobs::{self, BulletinData, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::theme::accent;
use crate::ui::widgets::{card_values, chip, data_buttons, scope_heading, status_color};

/// The indicators shown as columns of the ranking (the composite counts all of them).
use crate::metrics::bulletin::BOARD_COLUMNS as COLUMNS;

/// A bar of the composite score (0 to 100).
fn score_bar(ui: &mut egui::Ui, score: Option<f64>) {
    let (rect, _) = ui.allocate_exact_size(vec2(120.0, 14.0), Sense::hover());
    let p = ui.painter();
    p.rect_filled(rect, 3.0, ui.visuals().faint_bg_color);
    if let Some(s) = score {
        let mut filled = rect;
        filled.set_width(rect.width() * (s / 100.0).clamp(0.0, 1.0) as f32);
        p.rect_filled(filled, 3.0, accent(ui.visuals().dark_mode));
    }
}

#[derive(Default)]
pub struct BulletinPage {
    pub data: ScopeSlot<BulletinData>,
    /// The unit and indicator the list of misses is filtered on (removable chips).
    pub filter: (Option<String>, Option<&'static str>),
}

impl Page for BulletinPage {
    fn id(&self) -> PageId {
        PageId::Bulletin
    }
    fn title_key(&self) -> &'static str {
        "page_bulletin"
    }
    fn icon(&self) -> &'static str {
        "📋"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn view(&self, cx: &Cx) -> Option<crate::presenter::deck::View> {
        cx.month_view("bulletin")
    }
    fn refresh(&mut self, cx: &mut Cx) {
        self.data.follow(cx, "job_indicators", jobs::bulletin);
    }
    fn receive(&mut self, msg: Msg, _cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Bulletin(scope, data) => self.data.receive(scope, data),
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if matches!(what, Changed::Project | Changed::Targets | Changed::Rules) {
            self.data.clear();
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

fn show(page: &mut BulletinPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let Some(project) = cx.project.clone() else { return };
    let Some(month) = cx.period else { return };
    scope_heading(cx, ui, "page_bulletin", page.data.data.as_ref().map(|(s, _)| s));
    egui::ScrollArea::vertical()
        .id_salt("bulletin")
        .show(ui, |ui| match page.data.data.clone() {
            Some((_, Err(e))) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            Some((_, Ok(data))) => {
                ui.add_space(6.0);
                egui::ScrollArea::horizontal()
                    .id_salt("bulletin_ranking_scroll")
                    .show(ui, |ui| {
                        ranking(page, cx, ui, &data.board.ranked);
                    });
                ui.add_space(12.0);
                ui.horizontal_top(|ui| {
                    let width = ui.available_width();
                    ui.vertical(|ui| {
                        ui.set_width((width * 0.55).max(420.0));
                        breaches(page, cx, ui, &data.board.breaches);
                        top_risks(cx, ui, &data);
                    });
                    ui.vertical(|ui| {
                        freshness(cx, ui, &project, month);
                        quality_warnings(cx, ui, &data.board.quality_warnings);
                    });
                });
            }
            None => {}
        });
}

fn ranking(
    page: &mut BulletinPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    ranked: &[crate::metrics::bulletin::UnitScore],
) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "bulletin_ranking")).strong().size(16.0));
    ui.label(RichText::new(t(lang, "bulletin_ranking_help")).weak().small());
    let mut header = vec!["unit_id".to_string(), "composite".to_string()];
    header.extend(COLUMNS.iter().map(|c| c.to_string()));
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|u| {
            let mut r = vec![
                u.unit_id.clone(),
                u.composite.map(|c| c.to_string()).unwrap_or_default(),
            ];
            r.extend(card_values(&u.cards, &COLUMNS));
            r
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    let mut drill = None;
    egui::Grid::new("bulletin_ranking")
        .striped(true)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            ui.strong("#");
            ui.strong(t(lang, "audit_unit"));
            ui.strong(t(lang, "bulletin_composite"));
            for id in COLUMNS {
                let ind = indicator(id).expect("known indicator");
                let on = page.filter.1 == Some(id);
                let head = ui
                    .selectable_label(on, RichText::new(lang.pick(ind.en, ind.zh)).strong())
                    .on_hover_text(format!(
                        "{} · {}",
                        lang.pick(ind.unit_en, ind.unit_zh),
                        t(lang, "bulletin_filter_indicator")
                    ));
                if head.clicked() {
                    page.filter.1 = if on { None } else { Some(id) };
                }
            }
            ui.end_row();
            for (i, u) in ranked.iter().enumerate() {
                let on = page.filter.0.as_deref() == Some(u.unit_id.as_str());
                if ui
                    .selectable_label(on, format!("{}", i + 1))
                    .on_hover_text(t(lang, "bulletin_filter_unit"))
                    .clicked()
                {
                    page.filter.0 = if on { None } else { Some(u.unit_id.clone()) };
                }
                if ui
                    .link(cx.unit_name(&u.unit_id))
                    .on_hover_text(t(lang, "drill_down"))
                    .clicked()
                {
                    drill = Some(u.unit_id.clone());
                }
                ui.horizontal(|ui| {
                    score_bar(ui, u.composite);
                    ui.label(
                        u.composite
                            .map(|c| format!("{c:.0}"))
                            .unwrap_or_else(|| "—".into()),
                    );
                });
                for id in COLUMNS {
                    let card = u.cards.iter().find(|c| c.indicator == id);
                    let ind = indicator(id).expect("known indicator");
                    let text = card
                        .and_then(|c| c.value)
                        .map(|v| format::number(v, ind.decimals))
                        .unwrap_or_else(|| t(lang, "no_data").to_string());
                    let color = card
                        .and_then(|c| c.status)
                        .map(status_color)
                        .unwrap_or(ui.visuals().text_color());
                    ui.label(RichText::new(text).color(color));
                }
                ui.end_row();
            }
        });
    if let Some(u) = drill {
        cx.send(Command::SetUnit(u));
    }
}

fn breaches(
    page: &mut BulletinPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    all: &[crate::metrics::bulletin::Breach],
) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "bulletin_breaches")).strong().size(16.0));
    // Cross-filter from the ranking: a unit (its rank) and an indicator (its column), each a
    // removable chip.
    let (unit, ind) = page.filter.clone();
    if unit.is_some() || ind.is_some() {
        ui.horizontal(|ui| {
            ui.label(RichText::new(t(lang, "market_filtered")).weak());
            if let Some(u) = &unit
                && chip(ui, &format!("{}: {}", t(lang, "audit_unit"), cx.unit_name(u))).clicked()
            {
                page.filter.0 = None;
            }
            if let Some(i) = ind.and_then(indicator)
                && chip(ui, lang.pick(i.en, i.zh)).clicked()
            {
                page.filter.1 = None;
            }
        });
    }
    let list: Vec<crate::metrics::bulletin::Breach> = all
        .iter()
        .filter(|b| unit.as_ref().is_none_or(|u| *u == b.unit_id) && ind.is_none_or(|i| i == b.indicator))
        .cloned()
        .collect();
    let list = list.as_slice();
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|b| {
            vec![
                b.unit_id.clone(),
                b.indicator.to_string(),
                b.value.to_string(),
                b.target.to_string(),
                b.gap.to_string(),
                b.relative.to_string(),
                format!("{:?}", b.status).to_lowercase(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &[
            "unit_id",
            "indicator",
            "value",
            "target",
            "gap",
            "relative",
            "status",
        ]
        .map(String::from),
        &rows,
    );
    if list.is_empty() {
        ui.label(RichText::new(t(lang, "bulletin_no_breaches")).weak());
        return;
    }
    ui.label(
        RichText::new(format!("{} {}", list.len(), t(lang, "bulletin_breach_count")))
            .weak()
            .small(),
    );
    egui::Grid::new("bulletin_breaches")
        .striped(true)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            for b in list.iter().take(30) {
                let ind = indicator(b.indicator).expect("known indicator");
                let chip = if b.status == Status::Red { "■" } else { "□" };
                ui.label(RichText::new(chip).color(status_color(b.status)));
                ui.label(lang.pick(ind.en, ind.zh));
                ui.label(cx.unit_name(&b.unit_id));
                ui.label(format!(
                    "{} / {} {}",
                    format::number(b.value, ind.decimals),
                    format::number(b.target, ind.decimals),
                    lang.pick(ind.unit_en, ind.unit_zh)
                ));
                ui.label(
                    RichText::new(format!(
                        "{} {:.1} %",
                        t(lang, "bulletin_off_by"),
                        b.relative * 100.0
                    ))
                    .color(status_color(b.status)),
                );
                ui.end_row();
            }
        });
}

fn freshness(cx: &mut Cx, ui: &mut egui::Ui, project: &crate::ui::jobs::ProjectView, month: NaiveDate) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "bulletin_freshness")).strong().size(16.0));
    egui::Grid::new("bulletin_freshness")
        .striped(true)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for key in ["table", "rows", "bulletin_months", "bulletin_last_import", ""] {
                ui.strong(if key.is_empty() { "" } else { t(lang, key) });
            }
            ui.end_row();
            for s in &project.info.tables {
                ui.label(&s.table);
                ui.label(crate::metrics::format::group_digits(s.rows));
                let span = match (s.first_month, s.last_month) {
                    (Some(a), Some(b)) => {
                        format!("{} – {} ({})", a.format("%Y-%m"), b.format("%Y-%m"), s.months)
                    }
                    _ => "—".into(),
                };
                ui.label(span);
                let last = project
                    .imports
                    .iter()
                    .filter(|i| i.table_name == s.table)
                    .map(|i| i.finished_at.clone())
                    .max();
                ui.label(last.unwrap_or_else(|| "—".into()));
                // Only a regular monthly feed is expected to reach the period (not, say, the
                // summer's orderly consumption plans).
                let behind = s.months >= 6 && s.last_month.is_some_and(|l| l < month);
                let empty = s.rows == 0;
                let (text, color) = if empty {
                    (t(lang, "bulletin_empty"), Color32::GRAY)
                } else if behind {
                    (t(lang, "bulletin_behind"), status_color(Status::Amber))
                } else {
                    ("", Color32::GRAY)
                };
                ui.label(RichText::new(text).color(color));
                ui.end_row();
            }
        });
}

/// The data quality warnings nobody acknowledged yet, each opening the Data quality page.
fn quality_warnings(cx: &mut Cx, ui: &mut egui::Ui, warnings: &[crate::store::dq::Warning]) {
    if warnings.is_empty() {
        return;
    }
    let zh = cx.lang == crate::ui::i18n::Lang::Zh;
    ui.add_space(12.0);
    ui.label(
        RichText::new(format!("⚠ {}", cx.t("quality_warnings")))
            .strong()
            .size(16.0),
    );
    for w in warnings.iter().take(8) {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(crate::dq::warnings::kind_name(&w.kind, zh))
                    .color(status_color(Status::Amber))
                    .strong(),
            );
            ui.label(w.message(zh));
        });
    }
    if ui.link(cx.t("quality_open_page")).clicked() {
        cx.send(Command::Show(PageId::Quality));
    }
}

/// The unit's top risks this month (high and extreme), each opening the Risk page on it, and
/// the measures past due.
fn top_risks(cx: &mut Cx, ui: &mut egui::Ui, data: &BulletinData) {
    if data.risks.is_empty() && data.measures_past_due == 0 {
        return;
    }
    let zh = cx.lang == crate::ui::i18n::Lang::Zh;
    ui.add_space(12.0);
    ui.label(
        RichText::new(format!("⚠ {}", cx.t("bulletin_top_risks")))
            .strong()
            .size(16.0),
    );
    for (point, level) in &data.risks {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!(
                    " {} ",
                    crate::ui::pages::risk::level_name(cx, level.level)
                ))
                .color(egui::Color32::WHITE)
                .background_color(crate::ui::pages::risk::level_color(level.level))
                .strong(),
            );
            if ui.link(point.name(zh)).clicked() {
                cx.send(Command::Open(
                    PageId::Risk,
                    crate::ui::page::Open::Risk(point.id.clone()),
                ));
            }
            ui.label(
                RichText::new(format!(
                    "{} {} · {} {}",
                    cx.t("risk_suspects"),
                    level.suspects,
                    cx.t("risk_amount"),
                    crate::metrics::format::group_digits(level.amount.max(0.0).round() as u64)
                ))
                .weak()
                .small(),
            );
        });
    }
    if data.measures_past_due > 0 {
        ui.label(
            RichText::new(format!(
                "⏰ {} {}",
                data.measures_past_due,
                cx.t("risk_measures_past_due")
            ))
            .color(status_color(Status::Red))
            .strong(),
        );
    }
}
