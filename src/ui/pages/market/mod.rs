//! Key market monitoring: the largest customers (trend, share of sales, the ones dropping),
//! business expansion (the funnel of this year's applications, handling time per class
//! against its time limit, the overdue ones), and the month's customers and sales by class,
//! voltage and industry. Collection is drawn in `collection.rs`, business expansion in
//! `expansion.rs`.

mod collection;
mod expansion;

use egui::{Color32, RichText, Sense, vec2};

use crate::metrics::format;
use crate::metrics::kpi::Status;
use crate::metrics::market::yoy_pct;
use crate::ui::i18n::t;
use crate::ui::jobs::{self, MarketData, Msg};
use crate::ui::page::{Changed, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::theme::accent;
use crate::ui::widgets::{chip, code_label, data_buttons, scope_page, status_color};
use collection::{arrears_age, collection_curve};
use expansion::{funnel, handling, overdue};

/// A small line of values in a fixed box.
fn sparkline(ui: &mut egui::Ui, values: &[f64], color: Color32) {
    let (rect, _) = ui.allocate_exact_size(vec2(110.0, 20.0), Sense::hover());
    let (Some(lo), Some(hi)) = (
        values.iter().copied().reduce(f64::min),
        values.iter().copied().reduce(f64::max),
    ) else {
        return;
    };
    let span = (hi - lo).max(hi.abs() * 1e-9).max(1e-9);
    let n = values.len().max(2) - 1;
    let points: Vec<egui::Pos2> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            egui::pos2(
                rect.left() + rect.width() * i as f32 / n as f32,
                rect.bottom() - rect.height() * ((v - lo) / span) as f32,
            )
        })
        .collect();
    ui.painter()
        .add(egui::Shape::line(points, egui::Stroke::new(1.5, color)));
}

#[derive(Default)]
pub struct MarketPage {
    pub data: ScopeSlot<MarketData>,
    /// The customer class the page is filtered on (a removable chip).
    pub class: Option<String>,
}

impl Page for MarketPage {
    fn id(&self) -> PageId {
        PageId::Market
    }
    fn title_key(&self) -> &'static str {
        "page_market"
    }
    fn icon(&self) -> &'static str {
        "🏭"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn view(&self, cx: &Cx) -> Option<crate::presenter::deck::View> {
        cx.month_view("market")
    }
    fn refresh(&mut self, cx: &mut Cx) {
        self.data
            .follow(cx, "job_indicators", |scope, _| jobs::market(scope));
    }
    fn receive(&mut self, msg: Msg, _cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Market(scope, data) => self.data.receive(scope, data),
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        // (Rules: the decline threshold is key_drop's, and the connection limits are
        // expansion_overdue's.)
        if matches!(what, Changed::Project | Changed::Rules) {
            self.data.clear();
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

fn show(page: &mut MarketPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let Some(mut data) = scope_page(cx, ui, "page_market", &page.data.data) else {
        return;
    };
    // Cross-filter: a class picked in the composition narrows the customers, the handling
    // times and the overdue applications to it, shown as a chip that removes it.
    if let Some(class) = page.class.clone() {
        let lang = cx.lang;
        ui.horizontal(|ui| {
            ui.label(RichText::new(t(lang, "market_filtered")).weak());
            let label = format!(
                "{}: {}",
                t(lang, "why_class"),
                code_label(lang, "customer_class", &class)
            );
            if chip(ui, &label)
                .on_hover_text(t(lang, "market_remove_filter"))
                .clicked()
            {
                page.class = None;
            }
        });
        data = data.for_class(&class);
    }
    egui::ScrollArea::vertical().id_salt("market").show(ui, |ui| {
        key_customers(cx, ui, &data);
        ui.add_space(12.0);
        let half = (ui.available_width() - 20.0) / 2.0;
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(half.max(360.0));
                funnel(cx, ui, &data);
            });
            ui.vertical(|ui| {
                ui.set_width(half.max(360.0));
                handling(cx, ui, &data);
            });
        });
        ui.add_space(12.0);
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(half.max(360.0));
                collection_curve(cx, ui, &data);
            });
            ui.vertical(|ui| {
                ui.set_width(half.max(360.0));
                arrears_age(cx, ui, &data);
            });
        });
        ui.add_space(12.0);
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(half.max(360.0));
                overdue(cx, ui, &data);
            });
            ui.vertical(|ui| {
                ui.set_width(half.max(360.0));
                composition(page, cx, ui, &data);
            });
        });
    });
}

fn key_customers(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "market_key_customers")).strong().size(16.0));
    let total_share: f64 = data.key_customers.iter().filter_map(|c| c.share).sum();
    ui.label(
        RichText::new(format!(
            "{} {:.1} %",
            t(lang, "market_share_of_top"),
            total_share * 100.0
        ))
        .weak(),
    );
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = data
        .key_customers
        .iter()
        .map(|c| {
            vec![
                c.customer_id.clone(),
                c.name.clone(),
                c.class.clone(),
                c.industry.clone().unwrap_or_default(),
                opt(c.capacity_kva),
                c.kwh_year.to_string(),
                opt(c.kwh_month),
                opt(c.kwh_year_ago),
                opt(c.share),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &[
            "customer_id",
            "name",
            "customer_class",
            "industry_code",
            "capacity_kva",
            "kwh_12_months",
            "kwh_month",
            "kwh_year_ago",
            "share",
        ]
        .map(String::from),
        &rows,
    );
    let color = accent(ui.visuals().dark_mode);
    egui::ScrollArea::horizontal()
        .id_salt("key_customers")
        .show(ui, |ui| {
            egui::Grid::new("key_customers_grid")
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    for key in [
                        "#",
                        "market_customer",
                        "audit_unit",
                        "why_class",
                        "market_capacity",
                        "market_kwh_month",
                        "market_yoy",
                        "market_share",
                        "market_trend",
                    ] {
                        ui.strong(if key == "#" { "#" } else { t(lang, key) });
                    }
                    ui.end_row();
                    for (i, c) in data.key_customers.iter().enumerate() {
                        ui.label(format!("{}", i + 1));
                        let mut name = RichText::new(format!("{} {}", c.customer_id, c.name));
                        if c.is_key {
                            name = name.strong();
                        }
                        ui.label(name);
                        ui.label(code_label(lang, "industry", c.industry.as_deref().unwrap_or("")));
                        ui.label(code_label(lang, "customer_class", &c.class));
                        ui.label(c.capacity_kva.map(|k| format::number(k, 0)).unwrap_or_default());
                        ui.label(
                            c.kwh_month
                                .map(|k| format::number(k, 0))
                                .unwrap_or_else(|| "—".into()),
                        );
                        match yoy_pct(c.kwh_month, c.kwh_year_ago) {
                            Some(y) => {
                                let col = if y <= -data.drop_pct {
                                    status_color(Status::Red)
                                } else {
                                    ui.visuals().text_color()
                                };
                                ui.label(RichText::new(format!("{y:+.1} %")).color(col));
                            }
                            None => {
                                ui.label("—");
                            }
                        }
                        ui.label(c.share.map(|s| format!("{:.2} %", s * 100.0)).unwrap_or_default());
                        sparkline(ui, &c.series, color);
                        ui.end_row();
                    }
                });
        });
}

fn composition(page: &mut MarketPage, cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "market_composition")).strong().size(16.0));
    let total: f64 = data.by_class.iter().map(|(_, _, k)| k).sum();
    let all: Vec<Vec<String>> = [
        ("customer_class", &data.by_class),
        ("voltage", &data.by_voltage),
        ("industry", &data.by_industry),
    ]
    .iter()
    .flat_map(|(field, list)| {
        list.iter()
            .map(move |(v, n, kwh)| vec![field.to_string(), v.clone(), n.to_string(), kwh.to_string()])
    })
    .collect();
    data_buttons(
        ui,
        cx,
        &["field", "value", "customers", "kwh"].map(String::from),
        &all,
    );
    for (title, list, rows, code_list) in [
        ("why_class", &data.by_class, 10, "customer_class"),
        ("market_voltage", &data.by_voltage, 10, "voltage"),
        ("market_industry", &data.by_industry, 8, "industry"),
    ] {
        ui.add_space(4.0);
        egui::Grid::new(("composition", title))
            .striped(true)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                ui.strong(t(lang, title));
                ui.strong(t(lang, "market_customers"));
                ui.strong(t(lang, "market_kwh_month"));
                ui.strong(t(lang, "market_share"));
                ui.end_row();
                for (value, customers, kwh) in list.iter().take(rows) {
                    if code_list == "customer_class" {
                        let selected = page.class.as_deref() == Some(value.as_str());
                        let label = code_label(lang, code_list, value);
                        if ui
                            .selectable_label(selected, label)
                            .on_hover_text(t(lang, "market_filter_help"))
                            .clicked()
                        {
                            page.class = if selected { None } else { Some(value.clone()) };
                        }
                    } else {
                        ui.label(code_label(lang, code_list, value));
                    }
                    ui.label(crate::metrics::format::group_digits(*customers));
                    ui.label(format::number(*kwh, 0));
                    ui.label(if total > 0.0 {
                        format!("{:.1} %", kwh / total * 100.0)
                    } else {
                        "—".into()
                    });
                    ui.end_row();
                }
            });
    }
}
