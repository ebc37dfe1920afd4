//! Key market monitoring: the largest customers (trend, share of sales, the ones dropping),
//! business expansion (the funnel of this year's applications, handling time per class
//! against its time limit, the overdue ones), and the month's customers and sales by class,
//! voltage and industry.

use egui::{Color32, RichText, Sense, vec2};
use egui_plot::{Bar, BarChart, BoxElem, BoxPlot, BoxSpread, Plot, Points};

use crate::metrics::format;
use crate::metrics::kpi::Status;
use crate::metrics::market::yoy_pct;
use crate::sample::calendar::days_in_month;
use crate::ui::i18n::t;
use crate::ui::jobs::{self, MarketData, Msg};
use crate::ui::page::{Changed, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::theme::{accent, class_color};
use crate::ui::widgets::{chip, code_label, data_buttons, save_png_button, scope_page, status_color};

/// A key customer counts as dropping below this year-on-year change (%), as rule key_drop.
const DROP_PCT: f64 = -30.0;

const STEPS: [&str; 8] = [
    "market_step_accepted",
    "market_step_surveyed",
    "market_step_plan",
    "market_step_design",
    "market_step_mid_check",
    "market_step_completed",
    "market_step_meter",
    "market_step_energised",
];

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
        if what == Changed::Project {
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
                                let col = if y <= DROP_PCT {
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

/// The share of the bills falling due in the month collected by each day, against the
/// month before.
fn collection_curve(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    use egui_plot::{Legend, Line, PlotPoints};
    let lang = cx.lang;
    ui.label(
        RichText::new(t(lang, "market_collection_curve"))
            .strong()
            .size(16.0),
    );
    let this = data
        .curve
        .cumulative_percent(days_in_month(data.curve.month) as u32);
    let before = data
        .curve_before
        .cumulative_percent(days_in_month(data.curve_before.month) as u32);
    let month_label = |m: chrono::NaiveDate| m.format("%Y-%m").to_string();
    let rows: Vec<Vec<String>> = (0..this.len().max(before.len()))
        .map(|d| {
            vec![
                d.to_string(),
                this.get(d).map(|x| format!("{:.2}", x.1)).unwrap_or_default(),
                before.get(d).map(|x| format!("{:.2}", x.1)).unwrap_or_default(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &[
            "day".into(),
            format!("{} %", month_label(data.curve.month)),
            format!("{} %", month_label(data.curve_before.month)),
        ],
        &rows,
    );
    ui.label(
        RichText::new(format!(
            "{} {} {} · {} {:.1} %",
            t(lang, "market_due_in_month"),
            format::number(data.curve.receivable, 0),
            t(lang, "yuan"),
            t(lang, "market_collected_by_end"),
            this.last().map(|x| x.1).unwrap_or(0.0)
        ))
        .weak(),
    );
    let color = accent(ui.visuals().dark_mode);
    let grey = Color32::from_gray(150);
    let to_points = |v: &[(u32, f64)]| PlotPoints::new(v.iter().map(|(d, p)| [*d as f64, *p]).collect());
    let chart = Plot::new("collection_curve")
        .height(230.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .include_y(0.0)
        .include_y(100.0)
        .legend(Legend::default().follow_insertion_order(true))
        .x_axis_label(t(lang, "market_day_of_month"))
        .y_axis_formatter(|m, _| format!("{:.0} %", m.value))
        .x_axis_formatter(|m, _| format!("{:.0}", m.value))
        .label_formatter(|pos| match pos {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name, position, ..
            } => Some(format!("{plot_name}\n{:.0}: {:.1} %", position.x, position.y)),
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot| {
            plot.line(
                Line::new(month_label(data.curve_before.month), to_points(&before))
                    .color(grey)
                    .width(1.5),
            );
            plot.line(
                Line::new(month_label(data.curve.month), to_points(&this))
                    .color(color)
                    .width(2.5),
            );
        });
    save_png_button(ui, cx, chart.response.rect);
}

/// Arrears at the month's end by days past due, stacked per unit one level down.
fn arrears_age(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    use crate::store::market::AGE_BUCKETS;
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "market_arrears_age")).strong().size(16.0));
    let mut units: Vec<String> = Vec::new();
    for a in &data.arrears_age {
        if !units.contains(&a.unit_id) {
            units.push(a.unit_id.clone());
        }
    }
    let amount = |u: &str, b: usize| {
        data.arrears_age
            .iter()
            .filter(|a| a.unit_id == u && a.bucket == b)
            .map(|a| a.arrears)
            .sum::<f64>()
    };
    let total: f64 = data.arrears_age.iter().map(|a| a.arrears).sum();
    let this_year: f64 = data.arrears_age.iter().map(|a| a.this_year).sum();
    ui.label(
        RichText::new(format!(
            "{} {} {} · {} {} · {} {}",
            t(lang, "market_arrears_total"),
            format::number(total, 0),
            t(lang, "yuan"),
            t(lang, "market_this_year"),
            format::number(this_year, 0),
            t(lang, "market_prior_years"),
            format::number(total - this_year, 0)
        ))
        .weak(),
    );
    let mut header = vec!["unit".to_string()];
    header.extend(AGE_BUCKETS.iter().map(|b| format!("{b} d")));
    let rows: Vec<Vec<String>> = units
        .iter()
        .map(|u| {
            let mut r = vec![cx.unit_name(u)];
            r.extend((0..AGE_BUCKETS.len()).map(|b| format::number(amount(u, b), 0)));
            r
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    if units.is_empty() {
        ui.label(RichText::new(t(lang, "market_none")).weak());
        return;
    }
    // Older is darker: a sequential scale, so that the order reads without the legend.
    let shades = crate::geo::classify::palette(AGE_BUCKETS.len());
    let mut charts: Vec<BarChart> = Vec::new();
    for (b, label) in AGE_BUCKETS.iter().enumerate() {
        let [r, g, bl] = shades[b];
        let bars: Vec<Bar> = units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                Bar::new(i as f64, amount(u, b))
                    .fill(Color32::from_rgb(r, g, bl))
                    .name(format!(
                        "{}\n{label} {}: {} {}",
                        cx.unit_name(u),
                        t(lang, "days_past_due"),
                        format::number(amount(u, b), 0),
                        t(lang, "yuan")
                    ))
            })
            .collect();
        let mut chart = BarChart::new(format!("{label} {}", t(lang, "days_past_due")), bars)
            .color(Color32::from_rgb(r, g, bl))
            .width(0.6);
        if !charts.is_empty() {
            chart = chart.stack_on(&charts.iter().collect::<Vec<_>>());
        }
        charts.push(chart);
    }
    let names: Vec<String> = units
        .iter()
        .map(|u| crate::ui::pages::map::canvas::short_name(&cx.unit_name(u)))
        .collect();
    let chart = Plot::new("arrears_age")
        .height(230.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .legend(egui_plot::Legend::default().follow_insertion_order(true))
        .show_grid([false, true])
        .y_axis_formatter(|m, _| format::number(m.value, 0))
        .x_axis_formatter(crate::ui::widgets::category_axis(names))
        .show(ui, |plot| {
            for c in charts {
                plot.bar_chart(c);
            }
        });
    save_png_button(ui, cx, chart.response.rect);
}

fn funnel(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "market_funnel")).strong().size(16.0));
    let rows: Vec<Vec<String>> = STEPS
        .iter()
        .zip(&data.funnel)
        .map(|(k, v)| vec![t(lang, k).to_string(), v.to_string()])
        .collect();
    data_buttons(ui, cx, &["step".into(), "applications".into()], &rows);
    let color = accent(ui.visuals().dark_mode);
    let n = STEPS.len();
    let bars: Vec<Bar> = data
        .funnel
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Bar::new((n - 1 - i) as f64, *v as f64)
                .name(format!("{}: {}", t(lang, STEPS[i]), v))
                .fill(color)
        })
        .collect();
    let names: Vec<String> = STEPS.iter().rev().map(|k| t(lang, k).to_string()).collect();
    let chart = Plot::new("funnel")
        .height(230.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([true, false])
        .x_axis_formatter(|m, _| format::number(m.value, 0))
        .y_axis_formatter(crate::ui::widgets::category_axis(names))
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(t(lang, "market_funnel"), bars)
                    .horizontal()
                    .width(0.65),
            )
        });
    save_png_button(ui, cx, chart.response.rect);
    ui.label(RichText::new(t(lang, "market_funnel_note")).weak().small());
}

fn handling(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    let lang = cx.lang;
    ui.label(RichText::new(t(lang, "market_handling")).strong().size(16.0));
    if data.handling.is_empty() {
        ui.label(RichText::new(t(lang, "market_none")).weak());
        return;
    }
    let rows: Vec<Vec<String>> = data
        .handling
        .iter()
        .map(|(class, limit, f)| {
            [f.min, f.q1, f.median, f.q3, f.max]
                .iter()
                .map(|v| v.to_string())
                .fold(
                    vec![class.clone(), limit.to_string(), f.n.to_string()],
                    |mut r, v| {
                        r.push(v);
                        r
                    },
                )
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &["class", "limit_days", "n", "min", "q1", "median", "q3", "max"].map(String::from),
        &rows,
    );
    let limit_color = status_color(Status::Red);
    let labels: Vec<String> = data
        .handling
        .iter()
        .map(|(class, limit, _)| format!("{} ≤{limit:.0}", code_label(lang, "customer_class", class)))
        .collect();
    let boxes: Vec<BoxElem> = data
        .handling
        .iter()
        .enumerate()
        .map(|(i, (class, _, f))| {
            // Each class in its colour, as in every chart of classes.
            let color = class_color(Some(class));
            BoxElem::new(i as f64, BoxSpread::new(f.min, f.q1, f.median, f.q3, f.max))
                .name(format!(
                    "{}: n {}, {} {:.0}",
                    labels[i],
                    f.n,
                    t(lang, "market_median"),
                    f.median
                ))
                .fill(color.gamma_multiply(0.3))
                .stroke(egui::Stroke::new(1.5, color))
                .box_width(0.55)
                .whisker_width(0.3)
        })
        .collect();
    let limits: Vec<[f64; 2]> = data
        .handling
        .iter()
        .enumerate()
        .map(|(i, (_, l, _))| [*l, i as f64])
        .collect();
    let names = labels.clone();
    let chart = Plot::new("handling")
        .height((labels.len() as f32 * 28.0 + 50.0).clamp(160.0, 300.0))
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .y_axis_formatter(crate::ui::widgets::category_axis(names))
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .x_axis_label(t(lang, "market_working_days"))
        .show(ui, |plot| {
            plot.box_plot(BoxPlot::new(t(lang, "market_handling"), boxes).horizontal());
            plot.points(
                Points::new(t(lang, "market_limit"), limits)
                    .shape(egui_plot::MarkerShape::Diamond)
                    .radius(5.0)
                    .color(limit_color),
            );
        });
    save_png_button(ui, cx, chart.response.rect);
    ui.label(RichText::new(t(lang, "market_handling_note")).weak().small());
}

fn overdue(cx: &mut Cx, ui: &mut egui::Ui, data: &MarketData) {
    let lang = cx.lang;
    ui.label(
        RichText::new(format!("{} ({})", t(lang, "market_overdue"), data.overdue.len()))
            .strong()
            .size(16.0),
    );
    if data.overdue.is_empty() {
        ui.label(RichText::new(t(lang, "market_none")).weak());
        return;
    }
    let rows: Vec<Vec<String>> = data
        .overdue
        .iter()
        .map(|o| {
            vec![
                o.application_id.clone(),
                o.customer_id.clone().unwrap_or_default(),
                o.unit_id.clone(),
                o.class.clone(),
                o.accepted_at.format("%Y-%m-%d").to_string(),
                o.days_so_far.to_string(),
                o.limit_days.to_string(),
            ]
        })
        .collect();
    data_buttons(
        ui,
        cx,
        &[
            "application_id",
            "customer_id",
            "unit_id",
            "customer_class",
            "accepted",
            "working_days",
            "limit_days",
        ]
        .map(String::from),
        &rows,
    );
    egui::Grid::new("overdue")
        .striped(true)
        .spacing([10.0, 3.0])
        .show(ui, |ui| {
            for key in [
                "market_application",
                "audit_unit",
                "why_class",
                "market_accepted",
                "market_days",
            ] {
                ui.strong(t(lang, key));
            }
            ui.end_row();
            for o in data.overdue.iter().take(25) {
                ui.label(&o.application_id);
                ui.label(cx.unit_name(&o.unit_id));
                ui.label(code_label(lang, "customer_class", &o.class));
                ui.label(o.accepted_at.format("%Y-%m-%d").to_string());
                ui.label(
                    RichText::new(format!("{:.0} / {:.0}", o.days_so_far, o.limit_days))
                        .color(status_color(Status::Red)),
                );
                ui.end_row();
            }
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
