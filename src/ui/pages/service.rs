//! Service quality: the month's 95598 tickets by type, the service indicators of the units
//! below against their commitments, repeat complainers, and reliability over 13 months with
//! and without major event days (IEEE 1366, 2.5 beta).

use chrono::{Datelike, NaiveDate};
use egui::RichText;
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};

use crate::metrics::format;
use crate::metrics::indicators::indicator;
use crate::ui::i18n::t;
use crate::ui::jobs::{self, Msg, ServiceData};
use crate::ui::page::{Changed, Command, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::theme::accent;
use crate::ui::widgets::{
    card_values, chip, code_label, data_buttons, header_row, month_axis, save_png_button, scope_page,
    status_color,
};

/// The indicators of the units table (the core's report computes these cards).
pub use crate::metrics::service::UNIT_INDICATORS as COLUMNS;

#[derive(Default)]
pub struct ServicePage {
    pub data: ScopeSlot<ServiceData>,
    /// The unit the repeat complainers are filtered on (a removable chip).
    pub unit: Option<String>,
}

impl Page for ServicePage {
    fn id(&self) -> PageId {
        PageId::Service
    }
    fn title_key(&self) -> &'static str {
        "page_service"
    }
    fn icon(&self) -> &'static str {
        "☎"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn view(&self, cx: &Cx) -> Option<crate::presenter::deck::View> {
        cx.month_view("service")
    }
    fn refresh(&mut self, cx: &mut Cx) {
        self.data.follow(cx, "job_indicators", jobs::service);
    }
    fn receive(&mut self, msg: Msg, _cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Service(scope, data) => self.data.receive(scope, data),
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if matches!(what, Changed::Project | Changed::Targets) {
            self.data.clear();
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

fn show(page: &mut ServicePage, cx: &mut Cx, ui: &mut egui::Ui) {
    let Some(data) = scope_page(cx, ui, "page_service", &page.data.data) else {
        return;
    };
    egui::ScrollArea::vertical().id_salt("service").show(ui, |ui| {
        ui.add_space(6.0);
        ui.horizontal_top(|ui| {
            let width = ui.available_width();
            ui.vertical(|ui| {
                ui.set_width((width * 0.32).max(300.0));
                tickets_by_type(cx, ui, &data);
            });
            ui.vertical(|ui| {
                ui.set_width((width * 0.64).max(480.0));
                units_table(page, cx, ui, &data);
            });
        });
        ui.add_space(12.0);
        reliability(cx, ui, &data);
        ui.add_space(12.0);
        repeat_complainers(page, cx, ui, &data);
    });
}

fn tickets_by_type(cx: &mut Cx, ui: &mut egui::Ui, data: &ServiceData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "service_tickets")).strong().size(16.0));
    let total: u64 = data.tickets_by_type.iter().map(|(_, n)| n).sum();
    ui.label(
        RichText::new(format!(
            "{} {}",
            crate::metrics::format::group_digits(total),
            t(lang, "service_tickets_total")
        ))
        .weak(),
    );
    let rows: Vec<Vec<String>> = data
        .tickets_by_type
        .iter()
        .map(|(ty, n)| vec![ty.clone(), n.to_string()])
        .collect();
    data_buttons(ui, cx, &["ticket_type".into(), "tickets".into()], &rows);
    let labels: Vec<String> = data
        .tickets_by_type
        .iter()
        .map(|(ty, _)| code_label(lang, "ticket_type", ty))
        .collect();
    let color = accent(ui.visuals().dark_mode);
    let bars: Vec<Bar> = data
        .tickets_by_type
        .iter()
        .enumerate()
        .map(|(i, (_, n))| {
            Bar::new((labels.len() - 1 - i) as f64, *n as f64)
                .name(format!(
                    "{}: {}",
                    labels[i],
                    crate::metrics::format::group_digits(*n)
                ))
                .fill(color)
        })
        .collect();
    let names: Vec<String> = labels.iter().rev().cloned().collect();
    Plot::new("tickets_by_type")
        .height((labels.len() as f32 * 30.0 + 40.0).clamp(120.0, 240.0))
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([true, false])
        .x_axis_formatter(|m, _| format::number(m.value, 0))
        .y_axis_formatter(crate::ui::widgets::category_axis(names))
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(t(lang, "service_tickets"), bars)
                    .horizontal()
                    .width(0.6),
            )
        });
}

fn units_table(page: &mut ServicePage, cx: &mut Cx, ui: &mut egui::Ui, data: &ServiceData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "service_units")).strong().size(16.0));
    let mut header = vec!["unit_id".to_string()];
    header.extend(COLUMNS.iter().map(|c| c.to_string()));
    let rows: Vec<Vec<String>> = data
        .units
        .iter()
        .map(|(unit, cards)| {
            let mut r = vec![unit.clone()];
            r.extend(card_values(cards, &COLUMNS));
            r
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    let mut drill = None;
    egui::Grid::new("service_units")
        .striped(true)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            ui.strong("");
            ui.strong(t(lang, "audit_unit"));
            for id in COLUMNS {
                let ind = indicator(id).expect("known indicator");
                ui.strong(lang.pick(ind.en, ind.zh))
                    .on_hover_text(lang.pick(ind.unit_en, ind.unit_zh));
            }
            ui.end_row();
            for (unit, cards) in &data.units {
                // Cross-filter: the unit's box narrows the repeat complainers to it.
                let on = page.unit.as_deref() == Some(unit.as_str());
                if ui
                    .selectable_label(on, if on { "■" } else { "□" })
                    .on_hover_text(t(lang, "service_filter_unit"))
                    .clicked()
                {
                    page.unit = if on { None } else { Some(unit.clone()) };
                }
                if ui
                    .link(cx.unit_name(unit))
                    .on_hover_text(t(lang, "drill_down"))
                    .clicked()
                {
                    drill = Some(unit.clone());
                }
                for id in COLUMNS {
                    let ind = indicator(id).expect("known indicator");
                    let card = cards.iter().find(|c| c.indicator == id);
                    let text = card
                        .and_then(|c| c.value)
                        .map(|v| format::number(v, ind.decimals))
                        .unwrap_or_else(|| t(lang, "no_data").to_string());
                    let color = card
                        .and_then(|c| c.status)
                        .map(status_color)
                        .unwrap_or(ui.visuals().text_color());
                    let mut label = ui.label(RichText::new(text).color(color));
                    if let Some(target) = card.and_then(|c| c.target) {
                        label = label.on_hover_text(format!(
                            "{} {}",
                            t(lang, "target"),
                            format::number(target, ind.decimals)
                        ));
                    }
                    let _ = label;
                }
                ui.end_row();
            }
        });
    if let Some(u) = drill {
        cx.send(Command::SetUnit(u));
    }
}

fn reliability(cx: &mut Cx, ui: &mut egui::Ui, data: &ServiceData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "service_reliability")).strong().size(16.0));
    for th in &data.thresholds {
        let years = format!("{}–{}", th.from.year(), th.to.year() - 1);
        match th.t_med {
            Some(tm) => ui.label(format!(
                "{} {}: T_MED = {} {} ({} {} {years}; {} {})",
                t(lang, "service_tmed"),
                th.year,
                format::number(tm, 2),
                t(lang, "service_minutes"),
                th.days_counted,
                t(lang, "service_days_counted"),
                t(lang, "service_system"),
                cx.unit_name(&data.system_unit)
            )),
            None => ui.label(
                RichText::new(format!(
                    "{} {}: {} ({years})",
                    t(lang, "service_tmed"),
                    th.year,
                    t(lang, "service_no_tmed")
                ))
                .weak(),
            ),
        };
    }
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = data
        .reliability
        .iter()
        .map(|m| {
            vec![
                m.month.format("%Y-%m").to_string(),
                opt(m.saidi),
                opt(m.saidi_without_med),
                opt(m.saifi),
                opt(m.saifi_without_med),
                m.major_event_days_text(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &crate::metrics::reliability::MONTH_COLUMNS.map(String::from),
        &rows,
    );
    let months: Vec<NaiveDate> = data.reliability.iter().map(|m| m.month).collect();
    let points = |pick: fn(&crate::metrics::reliability::Month) -> Option<f64>| -> Vec<[f64; 2]> {
        data.reliability
            .iter()
            .enumerate()
            .filter_map(|(i, m)| pick(m).map(|v| [i as f64, v]))
            .collect()
    };
    let half = (ui.available_width() - 20.0) / 2.0;
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half.max(320.0));
            // SAIDI and SAIFI share their month axis and cursor: hovering a month in one
            // marks it in the other.
            let link = egui::Id::unique("reliability_months");
            let saidi = MedChart {
                id: "saidi_med",
                title: "service_saidi_chart",
                y_label: "service_minutes",
                decimals: 1,
                height: 200.0,
            };
            saidi.show(
                cx,
                ui,
                &months,
                link,
                points(|m| m.saidi),
                points(|m| m.saidi_without_med),
            );
            let saifi = MedChart {
                id: "saifi_med",
                title: "service_saifi_chart",
                y_label: "service_interruptions",
                decimals: 2,
                height: 160.0,
            };
            saifi.show(
                cx,
                ui,
                &months,
                link,
                points(|m| m.saifi),
                points(|m| m.saifi_without_med),
            );
        });
        ui.vertical(|ui| {
            ui.set_width(half.max(320.0));
            egui::Grid::new("reliability_table")
                .striped(true)
                .spacing([10.0, 3.0])
                .show(ui, |ui| {
                    header_row(
                        ui,
                        lang,
                        &[
                            "audit_period",
                            "service_saidi",
                            "service_saidi_ex",
                            "service_saifi",
                            "service_saifi_ex",
                            "service_meds",
                        ],
                    );
                    let n = |v: Option<f64>, d: usize| {
                        v.map(|v| format::number(v, d)).unwrap_or_else(|| "—".into())
                    };
                    for m in data.reliability.iter().rev() {
                        ui.label(m.month.format("%Y-%m").to_string());
                        ui.label(n(m.saidi, 2));
                        ui.label(n(m.saidi_without_med, 2));
                        ui.label(n(m.saifi, 4));
                        ui.label(n(m.saifi_without_med, 4));
                        let days: Vec<String> = m
                            .major_event_days
                            .iter()
                            .map(|(d, s)| format!("{} ({})", d.format("%m-%d"), format::number(*s, 1)))
                            .collect();
                        ui.label(if days.is_empty() {
                            "—".to_string()
                        } else {
                            days.join(", ")
                        });
                        ui.end_row();
                    }
                });
        });
    });
}

/// A monthly reliability chart, with and without major event days.
struct MedChart {
    id: &'static str,
    title: &'static str,
    y_label: &'static str,
    decimals: usize,
    height: f32,
}

impl MedChart {
    fn show(
        &self,
        cx: &mut Cx,
        ui: &mut egui::Ui,
        months: &[NaiveDate],
        link: egui::Id,
        with: Vec<[f64; 2]>,
        without: Vec<[f64; 2]>,
    ) {
        let lang = cx.lang;
        let decimals = self.decimals;
        let color = accent(ui.visuals().dark_mode);
        ui.label(t(lang, self.title));
        let chart = Plot::new(self.id)
            .height(self.height)
            .link_axis(link, [true, false])
            .link_cursor(link, [true, false])
            .allow_scroll(false)
            .allow_zoom(false)
            .allow_drag(false)
            .legend(Legend::default())
            .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 3.0, 12.0]))
            .x_axis_formatter(month_axis(months.to_vec()))
            .y_axis_formatter(move |m, _| format::number(m.value, decimals))
            .y_axis_label(t(lang, self.y_label))
            .show(ui, |plot| {
                plot.line(
                    Line::new(t(lang, "service_with_med"), PlotPoints::from(with))
                        .color(egui::Color32::GRAY)
                        .width(2.0),
                );
                plot.line(
                    Line::new(t(lang, "service_without_med"), PlotPoints::from(without))
                        .color(color)
                        .width(2.0),
                );
            });
        save_png_button(ui, cx, chart.response.rect);
    }
}

fn repeat_complainers(page: &mut ServicePage, cx: &mut Cx, ui: &mut egui::Ui, data: &ServiceData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "service_repeat")).strong().size(16.0));
    let mut data = data.clone();
    if let Some(unit) = page.unit.clone() {
        ui.horizontal(|ui| {
            ui.label(RichText::new(t(lang, "market_filtered")).weak());
            if chip(ui, &format!("{}: {}", t(lang, "audit_unit"), cx.unit_name(&unit))).clicked() {
                page.unit = None;
            }
        });
        let within = cx.units_within(&unit);
        data.repeat.retain(|r| within.contains(&r.unit_id));
    }
    let data = &data;
    let rows: Vec<Vec<String>> = data
        .repeat
        .iter()
        .map(|r| {
            vec![
                r.customer_id.clone(),
                r.unit_id.clone(),
                r.complaints.to_string(),
                r.first_at.to_string(),
                r.last_at.to_string(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &["customer_id", "unit_id", "complaints", "first", "last"].map(String::from),
        &rows,
    );
    if data.repeat.is_empty() {
        ui.label(RichText::new(t(lang, "service_no_repeat")).weak());
        return;
    }
    egui::Grid::new("repeat_complainers")
        .striped(true)
        .spacing([12.0, 3.0])
        .show(ui, |ui| {
            header_row(
                ui,
                lang,
                &[
                    "audit_entity",
                    "audit_unit",
                    "service_complaints",
                    "service_first",
                    "service_last",
                ],
            );
            for r in data.repeat.iter().take(50) {
                ui.label(&r.customer_id);
                ui.label(cx.unit_name(&r.unit_id));
                ui.label(r.complaints.to_string());
                ui.label(r.first_at.format("%Y-%m-%d %H:%M").to_string());
                ui.label(r.last_at.format("%Y-%m-%d %H:%M").to_string());
                ui.end_row();
            }
        });
}
