//! Views for Leaders: a card per indicator for the selected period and org unit (value,
//! target, change against last month and last year, 13 months of history, status); a
//! card opens its trend, the ranking of the units one level down (which drill down) and
//! the breakdown by customer class, cross-filtering one another.

use chrono::NaiveDate;
use egui::{Color32, RichText, Sense, Stroke, vec2};
use egui_plot::{Bar, BarChart, GridMark, HLine, Line, Plot, PlotPoints, Points};

use crate::metrics::change::Form;
use crate::metrics::format;
use crate::metrics::indicators::{BY_CLASS, Better, Indicator};
use crate::metrics::kpi::{Card, Slices, Status};
use crate::ui::app::MamsApp;
use crate::ui::i18n::{Lang, t};
use crate::ui::theme::{accent, class_color};

/// A card's months and values, oldest first.
type History = [(NaiveDate, Option<f64>)];

const CARD_WIDTH: f32 = 262.0;
const CARD_HEIGHT: f32 = 150.0;

pub fn status_color(status: Status) -> Color32 {
    match status {
        Status::Green => Color32::from_rgb(46, 160, 67),
        Status::Amber => Color32::from_rgb(230, 160, 20),
        Status::Red => Color32::from_rgb(215, 58, 58),
    }
}

fn status_key(status: Status) -> &'static str {
    match status {
        Status::Green => "status_green",
        Status::Amber => "status_amber",
        Status::Red => "status_red",
    }
}

/// Green when the change goes the indicator's better way, red when the other way.
fn change_color(better: Better, v: Option<f64>, base: Option<f64>, ui: &egui::Ui) -> Color32 {
    match (better, v, base) {
        (Better::Higher, Some(v), Some(b)) if v > b => status_color(Status::Green),
        (Better::Higher, Some(v), Some(b)) if v < b => status_color(Status::Red),
        (Better::Lower, Some(v), Some(b)) if v < b => status_color(Status::Green),
        (Better::Lower, Some(v), Some(b)) if v > b => status_color(Status::Red),
        _ => ui.visuals().weak_text_color(),
    }
}

pub fn unit_label(lang: Lang, en: &str, zh: &str) -> String {
    lang.pick(en, zh).to_string()
}

pub fn show(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    if app.project.is_none() {
        ui.heading(t(lang, "no_project"));
        return;
    }
    let unit_id = app.unit_id().unwrap_or_default();
    let unit_name = super::unit_name(app, &unit_id);
    let period = app.period();
    ui.horizontal(|ui| {
        ui.heading(RichText::new(t(lang, "page_leaders")).strong());
        ui.label(
            RichText::new(format!(
                "{unit_name} · {}",
                period.map(|p| p.format("%Y-%m").to_string()).unwrap_or_default()
            ))
            .size(18.0),
        );
        let loading = app
            .leaders
            .data
            .as_ref()
            .is_none_or(|(s, _)| s.unit_id != unit_id || s.month != period);
        if loading {
            ui.spinner();
        }
    });
    if period.is_none() {
        ui.label(t(lang, "no_months"));
        return;
    }
    let Some((_, data)) = app.leaders.data.clone() else {
        return;
    };
    let data = match data {
        Ok(d) => d,
        Err(e) => {
            ui.colored_label(status_color(Status::Red), e);
            return;
        }
    };
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing = vec2(10.0, 10.0);
                for card in &data.cards {
                    let selected = app.leaders_selected == Some(card.indicator);
                    if card_ui(ui, lang, card, selected).clicked() {
                        app.leaders_selected = if selected { None } else { Some(card.indicator) };
                        // The detail opens below the cards, often below the fold: bring it
                        // into view once it is laid out.
                        ui.ctx()
                            .data_mut(|d| d.insert_temp(scroll_to_detail_id(), !selected));
                    }
                }
            });
            ui.add_space(10.0);
            let Some(id) = app.leaders_selected else {
                ui.label(RichText::new(t(lang, "card_hint")).weak());
                return;
            };
            let Some(card) = data.cards.iter().find(|c| c.indicator == id) else {
                return;
            };
            ui.separator();
            let ind = card.indicator();
            let heading = ui.heading(format!(
                "{} · {}",
                lang.pick(ind.en, ind.zh),
                unit_label(lang, ind.unit_en, ind.unit_zh)
            ));
            if ui
                .ctx()
                .data_mut(|d| d.remove_temp::<bool>(scroll_to_detail_id()))
                .unwrap_or(false)
            {
                heading.scroll_to_me(Some(egui::Align::TOP));
            }
            detail_ui(app, ui, card, &data.slices, &unit_id);
            ui.add_space(10.0);
            why_ui(app, ui, card, &unit_id, period);
        });
}

/// Where a card's click asks for its detail to be scrolled into view.
fn scroll_to_detail_id() -> egui::Id {
    egui::Id::unique("leaders_scroll_to_detail")
}

/// A card's detail: its trend, the ranking of the units one level down and the breakdown
/// by customer class. A unit's bar (or rank) and a class's bar (or name) are cross-filters:
/// each narrows the other charts and shows as a removable chip; a unit's name drills down.
fn detail_ui(app: &mut MamsApp, ui: &mut egui::Ui, card: &Card, slices: &Slices, unit_id: &str) {
    let lang = app.lang();
    let ind = card.indicator();
    let splits = BY_CLASS.contains(&ind.id);
    // A unit from another scope, or a class on an indicator without classes, does not apply.
    let below = app
        .leaders_filter
        .0
        .clone()
        .filter(|u| slices.below.iter().any(|(b, _)| b == u));
    let class = app.leaders_filter.1.clone().filter(|_| splits);
    if below.is_some() || class.is_some() {
        ui.horizontal(|ui| {
            ui.label(RichText::new(t(lang, "market_filtered")).weak());
            if let Some(u) = &below
                && ui
                    .button(format!(
                        "{}: {} ×",
                        t(lang, "audit_unit"),
                        super::unit_name(app, u)
                    ))
                    .on_hover_text(t(lang, "market_remove_filter"))
                    .clicked()
            {
                app.leaders_filter.0 = None;
            }
            if let Some(c) = &class
                && ui
                    .button(format!(
                        "{}: {} ×",
                        t(lang, "why_class"),
                        class_name(lang, c.as_deref())
                    ))
                    .on_hover_text(t(lang, "market_remove_filter"))
                    .clicked()
            {
                app.leaders_filter.1 = None;
            }
        });
    }
    let slice_name = {
        let mut parts = vec![match &below {
            Some(u) => super::unit_name(app, u),
            None => super::unit_name(app, unit_id),
        }];
        if let Some(c) = &class {
            parts.push(class_name(lang, c.as_deref()));
        }
        parts.join(" · ")
    };
    let filtered = below.is_some() || class.is_some();
    let series = if filtered {
        slices
            .history(ind, below.as_deref(), class.as_ref())
            .unwrap_or_default()
    } else {
        card.history.clone()
    };
    // A slice of a ratio is drawn over the unit's whole; a slice of a sum is a part of it.
    let whole = super::unit_name(app, unit_id);
    let reference = (filtered && !is_sum(ind)).then_some((card.history.as_slice(), whole.as_str()));
    let mut ranking: Vec<(String, String, Option<f64>)> = slices
        .below_values(ind, class.as_ref())
        .into_iter()
        .map(|(u, v)| {
            let name = super::unit_name(app, &u);
            (u, name, v)
        })
        .collect();
    // Best first; units without data last.
    ranking.sort_by(|a, b| match (a.2, b.2) {
        (Some(x), Some(y)) => match ind.better {
            Better::Lower => x.total_cmp(&y),
            _ => y.total_cmp(&x),
        },
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    let half = ((ui.available_width() - 20.0) / 2.0).max(320.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(half);
            ui.label(RichText::new(format!("{} · {slice_name}", t(lang, "trend_13_months"))).strong());
            let chart = trend_plot(ui, lang, card, &series, &slice_name, reference);
            let rows: Vec<Vec<String>> = series
                .iter()
                .map(|(m, v)| {
                    vec![
                        m.format("%Y-%m").to_string(),
                        v.map(|v| v.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            ui.horizontal(|ui| {
                super::data_buttons(ui, app, &["month".into(), ind.id.into()], &rows);
                crate::ui::chart_export::save_png_button(ui, app, chart);
            });
            ui.add_space(10.0);
            let owner = below.as_deref().map(|u| super::unit_name(app, u));
            let title = match &owner {
                Some(name) => format!("{} · {name}", t(lang, "leaders_by_class")),
                None => t(lang, "leaders_by_class").to_string(),
            };
            ui.label(RichText::new(title).strong());
            let values = slices.class_values(ind, below.as_deref());
            if !splits {
                ui.label(RichText::new(t(lang, "leaders_no_class_split")).weak());
            } else if values.is_empty() {
                ui.label(RichText::new(t(lang, "leaders_no_class_data")).weak());
            } else if let Some(picked) = class_breakdown_ui(app, ui, card, &values, class.as_ref()) {
                app.leaders_filter.1 = if class.as_ref() == Some(&picked) {
                    None
                } else {
                    Some(picked)
                };
            }
        });
        ui.vertical(|ui| {
            ui.set_width(half);
            let title = match &class {
                Some(c) => format!("{} · {}", t(lang, "units_below"), class_name(lang, c.as_deref())),
                None => t(lang, "units_below").to_string(),
            };
            ui.label(RichText::new(title).strong());
            if ranking.is_empty() {
                ui.label(RichText::new(t(lang, "no_units_below")).weak());
            } else {
                ranking_part(app, ui, card, &ranking, below.as_deref());
            }
            ui.add_space(10.0);
            target_editor(app, ui, card, unit_id);
        });
    });
}

/// The ranking's data buttons, chart and table, and what a click in them does.
fn ranking_part(
    app: &mut MamsApp,
    ui: &mut egui::Ui,
    card: &Card,
    ranking: &[(String, String, Option<f64>)],
    below: Option<&str>,
) {
    let lang = app.lang();
    let ind = card.indicator();
    let rows: Vec<Vec<String>> = ranking
        .iter()
        .map(|(u, name, v)| {
            vec![
                u.clone(),
                name.clone(),
                v.map(|v| v.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    super::data_buttons(ui, app, &["unit_id".into(), "unit".into(), ind.id.into()], &rows);
    match ranking_ui(ui, lang, card, ranking, below) {
        Some(RankingClick::Drill(u)) => {
            app.leaders_filter.0 = None;
            app.set_unit(u);
        }
        Some(RankingClick::Filter(u)) => {
            app.leaders_filter.0 = if below == Some(u.as_str()) { None } else { Some(u) };
        }
        None => {}
    }
}

/// Whether the indicator is a sum (its parts add up to it) rather than a ratio.
fn is_sum(ind: &Indicator) -> bool {
    matches!(crate::metrics::change::form(ind.id), Some(Form::Sum(_)))
}

/// Where the value axis of a bar chart starts: zero for sums (a bar's length is its
/// size), and below the smallest value for rates, so that 97 % and 99 % look different.
fn bar_floor(values: impl Iterator<Item = f64>, additive: bool) -> f64 {
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if additive || lo > hi || lo <= 0.0 {
        return 0.0;
    }
    let pad = if hi > lo { (hi - lo) * 0.5 } else { lo * 0.1 };
    (lo - pad).max(0.0)
}

/// A customer class as shown (None: tickets without a known customer).
fn class_name(lang: Lang, class: Option<&str>) -> String {
    match class {
        Some(c) => super::code_label(lang, "customer_class", c),
        None => t(lang, "leaders_no_customer").to_string(),
    }
}

/// The card's value by customer class as bars in the classes' colours, with each class's
/// share for a sum; returns the class clicked (its bar or its name).
fn class_breakdown_ui(
    app: &MamsApp,
    ui: &mut egui::Ui,
    card: &Card,
    values: &[(Option<String>, f64)],
    selected: Option<&Option<String>>,
) -> Option<Option<String>> {
    let lang = app.lang();
    let ind = card.indicator();
    let total: f64 = values.iter().map(|(_, v)| v).sum();
    let share = |v: f64| (is_sum(ind) && total != 0.0).then(|| v / total * 100.0);
    let rows: Vec<Vec<String>> = values
        .iter()
        .map(|(c, v)| {
            vec![
                c.clone().unwrap_or_default(),
                class_name(lang, c.as_deref()),
                v.to_string(),
                share(*v).map(|s| s.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let unit_text = unit_label(lang, ind.unit_en, ind.unit_zh);
    let bars: Vec<BarRow> = values
        .iter()
        .map(|(c, v)| {
            let share_text = share(*v).map(|s| format!(" ({s:.1} %)")).unwrap_or_default();
            BarRow {
                name: class_name(lang, c.as_deref()),
                value: Some(*v),
                fill: class_color(c.as_deref()),
                dim: selected.is_some_and(|s| s != c),
                hover: format!(
                    "{}: {} {unit_text}{share_text}",
                    class_name(lang, c.as_deref()),
                    format::number(*v, ind.decimals)
                ),
            }
        })
        .collect();
    let (chart, clicked) = bar_rows(ui, lang, ind, "by_class", &bars);
    let mut picked = clicked.map(|i| values[i].0.clone());
    ui.horizontal(|ui| {
        super::data_buttons(
            ui,
            app,
            &[
                "class".into(),
                "class name".into(),
                ind.id.into(),
                "share %".into(),
            ],
            &rows,
        );
        crate::ui::chart_export::save_png_button(ui, app, chart);
    });
    egui::Grid::new(("class_table", card.indicator))
        .striped(true)
        .show(ui, |ui| {
            for (c, v) in values {
                let on = selected == Some(c);
                ui.label(RichText::new("■").color(class_color(c.as_deref())));
                if ui
                    .selectable_label(on, class_name(lang, c.as_deref()))
                    .on_hover_text(t(lang, "leaders_filter_class"))
                    .clicked()
                {
                    picked = Some(c.clone());
                }
                ui.label(format::value(ind, Some(*v), t(lang, "no_data")));
                ui.label(share(*v).map(|s| format!("{s:.1} %")).unwrap_or_default());
                ui.end_row();
            }
        });
    picked
}

/// The unit's own target of the card's indicator: typed, saved, or removed (the unit then
/// takes the target of the unit above it, or the default).
fn target_editor(app: &mut MamsApp, ui: &mut egui::Ui, card: &Card, unit_id: &str) {
    let lang = app.lang();
    let ind = card.indicator();
    // The rows behind the card's number.
    let (table, only) = crate::store::rows::rows_of_indicator(ind.id);
    if ui.button(t(lang, "rows_show")).on_hover_text(table).clicked() {
        let title = format!(
            "{} · {} · {}",
            lang.pick(ind.en, ind.zh),
            super::unit_name(app, unit_id),
            app.period()
                .map(|p| p.format("%Y-%m").to_string())
                .unwrap_or_default()
        );
        let query = crate::store::rows::RowsQuery {
            table,
            unit: unit_id.to_string(),
            month: app.period(),
            only,
            search: String::new(),
            sort: None,
            offset: 0,
            limit: crate::ui::rows_window::PAGE_ROWS,
        };
        app.open_rows(title, query);
    }
    if ind.better == Better::Neither {
        return;
    }
    ui.horizontal(|ui| {
        ui.label(t(lang, "target_for_unit"));
        let edit = ui.add(
            egui::TextEdit::singleline(&mut app.target_text)
                .hint_text(
                    card.target
                        .map(|v| format::number(v, ind.decimals))
                        .unwrap_or_default(),
                )
                .desired_width(90.0),
        );
        ui.label(RichText::new(unit_label(lang, ind.unit_en, ind.unit_zh)).weak());
        let typed = app.target_text.trim().replace(',', "");
        let value = typed.parse::<f64>().ok().filter(|v| v.is_finite());
        let save = ui
            .add_enabled(value.is_some(), egui::Button::new(t(lang, "save")))
            .clicked()
            || (edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) && value.is_some());
        if save {
            app.set_target(ind.id, unit_id.to_string(), value);
            app.target_text.clear();
        }
        if ui
            .button(t(lang, "target_inherit"))
            .on_hover_text(t(lang, "target_inherit_help"))
            .clicked()
        {
            app.set_target(ind.id, unit_id.to_string(), None);
            app.target_text.clear();
        }
        if !typed.is_empty() && value.is_none() {
            ui.label(RichText::new(t(lang, "cases_bad_amount")).color(ui.visuals().error_fg_color));
        }
    });
}

/// "Why did this change?": the change against last month or last year split over the units
/// one level down (a waterfall whose bars add up to it), and the audit rules with open
/// suspects in the units that moved it most.
fn why_ui(app: &mut MamsApp, ui: &mut egui::Ui, card: &Card, unit_id: &str, period: Option<NaiveDate>) {
    let lang = app.lang();
    let ind = card.indicator();
    let Some(month) = period else { return };
    ui.horizontal(|ui| {
        ui.label(RichText::new(t(lang, "why_title")).strong().size(16.0));
        if crate::metrics::change::form(ind.id).is_none() {
            ui.label(RichText::new(t(lang, "why_not_split")).weak());
            return;
        }
        for (key, back) in [("why_vs_last_month", 1), ("why_vs_last_year", 12)] {
            if let Some(base) = month.checked_sub_months(chrono::Months::new(back))
                && ui.button(t(lang, key)).clicked()
            {
                app.ask_why(ind.id, unit_id.to_string(), base, month);
            }
        }
    });
    let Some(((indicator, unit, _, asked_month), answer)) = app.why.clone() else {
        return;
    };
    if indicator != ind.id || unit != unit_id || asked_month != month {
        return;
    }
    let data = match answer {
        None => {
            ui.spinner();
            return;
        }
        Some(Err(e)) => {
            ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
            return;
        }
        Some(Ok(d)) => d,
    };
    let x = &data.explanation;
    let unit_text = unit_label(lang, ind.unit_en, ind.unit_zh);
    let name_of = |u: &str| super::unit_name(app, u);
    ui.label(format!(
        "{} → {}: {} → {} {unit_text} ({}{})",
        x.base_month.format("%Y-%m"),
        x.month.format("%Y-%m"),
        format::number(x.base_value, ind.decimals),
        format::number(x.value, ind.decimals),
        if x.change >= 0.0 { "+" } else { "" },
        format::number(x.change, ind.decimals),
    ));
    let good = |effect: f64| match ind.better {
        Better::Higher => Some(effect >= 0.0),
        Better::Lower => Some(effect <= 0.0),
        Better::Neither => None,
    };
    // Rises and falls apart, as waterfalls are read: favourable green and unfavourable red
    // where the indicator has a better direction, blue up and orange down where it has none.
    let color = |effect: f64| match good(effect) {
        Some(true) => status_color(Status::Green),
        Some(false) => status_color(Status::Red),
        None => crate::ui::theme::rise_fall_color(effect >= 0.0),
    };
    // Waterfall: the base value, one floating bar per unit, the new value. The value axis
    // starts near the smallest running total so that small parts of a large value show.
    let mut levels = vec![x.base_value, x.value];
    let mut running = x.base_value;
    for part in &x.parts {
        running += part.effect;
        levels.push(running);
    }
    let (lo, hi) = levels
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let pad = ((hi - lo) * 0.5).max(hi.abs() * 0.001).max(1e-9);
    let floor = if lo >= 0.0 && lo - pad < 0.0 {
        0.0
    } else {
        lo - pad
    };
    let short = |name: &str| -> String {
        if lang == Lang::Zh {
            name.chars().take(4).collect()
        } else {
            name.split_whitespace().next().unwrap_or(name).to_string()
        }
    };
    let mut names = vec![x.base_month.format("%Y-%m").to_string()];
    let mut bars = vec![
        Bar::new(0.0, x.base_value - floor)
            .base_offset(floor)
            .fill(egui::Color32::GRAY)
            .name(format!(
                "{}: {}",
                names[0],
                format::number(x.base_value, ind.decimals)
            )),
    ];
    let mut running = x.base_value;
    for (i, part) in x.parts.iter().enumerate() {
        let name = name_of(&part.unit_id);
        bars.push(
            Bar::new((i + 1) as f64, part.effect)
                .base_offset(running)
                .fill(color(part.effect))
                .name(format!(
                    "{name}: {}{}",
                    if part.effect >= 0.0 { "+" } else { "" },
                    format::number(part.effect, ind.decimals.max(2))
                )),
        );
        running += part.effect;
        names.push(short(&name));
    }
    names.push(x.month.format("%Y-%m").to_string());
    bars.push(
        Bar::new((x.parts.len() + 1) as f64, x.value - floor)
            .base_offset(floor)
            .fill(egui::Color32::GRAY)
            .name(format!(
                "{}: {}",
                names[names.len() - 1],
                format::number(x.value, ind.decimals)
            )),
    );
    let decimals = ind.decimals;
    let axis_names = names.clone();
    let chart = Plot::new(("why", ind.id))
        .height(240.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([false, true])
        .include_y(floor)
        .include_y(hi + pad * 0.2)
        .x_axis_formatter(category_axis(axis_names))
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .y_axis_formatter(move |mark, _| format::number(mark.value, decimals.min(2)))
        .y_axis_label(unit_text.clone())
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(t(lang, "why_title"), bars).width(0.6));
        });
    let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut rows = vec![vec![
        x.base_month.format("%Y-%m").to_string(),
        x.base_value.to_string(),
        String::new(),
        String::new(),
    ]];
    rows.extend(x.parts.iter().map(|p| {
        vec![
            p.unit_id.clone(),
            p.effect.to_string(),
            opt(p.rate_effect),
            opt(p.mix_effect),
        ]
    }));
    rows.push(vec![
        x.month.format("%Y-%m").to_string(),
        x.value.to_string(),
        String::new(),
        String::new(),
    ]);
    ui.horizontal(|ui| {
        super::data_buttons(
            ui,
            app,
            &[
                "step".into(),
                "value or effect".into(),
                "rate effect".into(),
                "mix effect".into(),
            ],
            &rows,
        );
        crate::ui::chart_export::save_png_button(ui, app, chart.response.rect);
    });
    egui::Grid::new(("why_table", ind.id))
        .striped(true)
        .show(ui, |ui| {
            ui.strong(t(lang, "why_unit"));
            ui.strong(t(lang, "why_effect"));
            if x.method == "rate/mix" {
                ui.strong(t(lang, "why_rate"));
                ui.strong(t(lang, "why_mix"));
            }
            ui.end_row();
            for part in &x.parts {
                ui.label(name_of(&part.unit_id));
                ui.label(
                    RichText::new(format::number(part.effect, decimals.max(2))).color(color(part.effect)),
                );
                if let (Some(r), Some(m)) = (part.rate_effect, part.mix_effect) {
                    ui.label(format::number(r, decimals.max(2)));
                    ui.label(format::number(m, decimals.max(2)));
                }
                ui.end_row();
            }
        });
    if let Some(classes) = &data.by_class {
        ui.add_space(6.0);
        ui.label(RichText::new(t(lang, "why_by_class")).strong());
        let (first, second) = match ind.id {
            "revenue" => ("why_volume", "why_price"),
            _ => ("why_rate", "why_mix"),
        };
        egui::Grid::new(("why_classes", ind.id))
            .striped(true)
            .show(ui, |ui| {
                ui.strong(t(lang, "why_class"));
                ui.strong(t(lang, "why_effect"));
                if ind.id != "sales_kwh" {
                    ui.strong(t(lang, first));
                    ui.strong(t(lang, second));
                }
                ui.end_row();
                for c in classes {
                    ui.label(class_name(lang, Some(&c.class)));
                    ui.label(RichText::new(format::number(c.effect, decimals.max(2))).color(color(c.effect)));
                    if let (Some(a), Some(b)) = (c.first, c.second) {
                        ui.label(format::number(a, decimals.max(2)));
                        ui.label(format::number(b, decimals.max(2)));
                    }
                    ui.end_row();
                }
            });
    }
    ui.add_space(6.0);
    ui.label(RichText::new(t(lang, "why_rules")).strong());
    let rules = crate::audit::rules::builtin();
    let mut open = None;
    for (unit, found) in &data.rules {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{}:", name_of(unit)));
            if found.is_empty() {
                ui.label(RichText::new(t(lang, "why_no_suspects")).weak());
            }
            for (rule, n, amount) in found {
                let name = rules
                    .iter()
                    .find(|r| &r.id == rule)
                    .map(|r| r.name(lang == Lang::Zh).to_string())
                    .unwrap_or_else(|| rule.clone());
                if ui
                    .link(format!("{name} ×{n}"))
                    .on_hover_text(format!("{} {}", format::number(*amount, 0), t(lang, "yuan")))
                    .clicked()
                {
                    open = Some((unit.clone(), rule.clone()));
                }
            }
        });
    }
    if let Some((unit, rule)) = open {
        app.audit.rule = Some(rule);
        app.set_unit(unit);
        app.state.page = crate::ui::pages::Page::Audit;
    }
}

/// One indicator card; the whole card is clickable.
fn card_ui(ui: &mut egui::Ui, lang: Lang, card: &Card, selected: bool) -> egui::Response {
    let ind = card.indicator();
    let (rect, response) = ui.allocate_exact_size(vec2(CARD_WIDTH, CARD_HEIGHT), Sense::click());
    let name = lang.pick(ind.en, ind.zh).to_string();
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &name));
    let visuals = ui.visuals().clone();
    let painter = ui.painter_at(rect);
    let fill = if response.hovered() {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        visuals.extreme_bg_color
    };
    let border = if selected {
        Stroke::new(2.0, accent(visuals.dark_mode))
    } else {
        Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color)
    };
    painter.rect(rect, 8.0, fill, border, egui::StrokeKind::Inside);
    // The status as a band down the left edge.
    if let Some(s) = card.status {
        let band = egui::Rect::from_min_size(rect.min + vec2(1.0, 1.0), vec2(5.0, rect.height() - 2.0));
        painter.rect_filled(
            band,
            egui::CornerRadius {
                nw: 7,
                sw: 7,
                ne: 0,
                se: 0,
            },
            status_color(s),
        );
    }
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect.shrink2(vec2(14.0, 8.0)))
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    let ui = &mut child;
    ui.spacing_mut().item_spacing.y = 2.0;
    // The card takes the click, not its texts.
    ui.style_mut().interaction.selectable_labels = false;
    ui.horizontal(|ui| {
        ui.label(RichText::new(lang.pick(ind.en, ind.zh)).strong());
        if let Some(s) = card.status {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    RichText::new(t(lang, status_key(s)))
                        .size(12.0)
                        .color(status_color(s)),
                );
            });
        } else if card.provisional.is_some() {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(RichText::new(t(lang, "provisional")).size(12.0).italics().weak());
            });
        }
    });
    let unit = unit_label(lang, ind.unit_en, ind.unit_zh);
    ui.horizontal(|ui| {
        match card.value {
            Some(v) => {
                ui.label(RichText::new(format::number(v, ind.decimals)).size(26.0).strong());
                ui.label(RichText::new(&unit).weak());
            }
            None => {
                ui.label(RichText::new(t(lang, "no_data")).size(20.0).weak());
            }
        };
    });
    let change = |label: &str, base: Option<f64>, ui: &mut egui::Ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(label).size(12.0).weak());
            let text = format::change(ind, card.value, base).unwrap_or_else(|| "—".to_string());
            let color = change_color(ind.better, card.value, base, ui);
            ui.label(RichText::new(text).size(12.0).color(color));
        });
    };
    ui.horizontal(|ui| {
        change(t(lang, "vs_last_month"), card.previous_month, ui);
        ui.add_space(6.0);
        change(t(lang, "vs_last_year"), card.previous_year, ui);
    });
    let target = card
        .target
        .map(|v| format!("{} {} {unit}", t(lang, "target"), format::number(v, ind.decimals)))
        .unwrap_or_default();
    ui.label(RichText::new(target).size(12.0).weak());
    let spark = egui::Rect::from_min_size(ui.cursor().min, vec2(ui.available_width(), 30.0));
    sparkline(ui.painter(), spark, &card.history, accent(visuals.dark_mode));
    let open = card
        .provisional
        .map(|p| {
            format!(
                "{} {}; {} {}.\n",
                t(lang, "provisional_closes"),
                p.closes_on,
                t(lang, "provisional_data_until"),
                p.data_until
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| t(lang, "provisional_no_payments").to_string())
            )
        })
        .unwrap_or_default();
    response.on_hover_text(format!(
        "{open}{}: {}",
        t(lang, "last_13_months"),
        card.history
            .iter()
            .map(|(m, v)| format!("{} {}", m.format("%Y-%m"), format::value(ind, *v, "—")))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The history as a small line; gaps where there is no data; the last point marked.
fn sparkline(
    painter: &egui::Painter,
    rect: egui::Rect,
    history: &[(NaiveDate, Option<f64>)],
    color: Color32,
) {
    let values: Vec<f64> = history.iter().filter_map(|(_, v)| *v).collect();
    let (Some(lo), Some(hi)) = (
        values.iter().copied().reduce(f64::min),
        values.iter().copied().reduce(f64::max),
    ) else {
        return;
    };
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = history.len().max(2) - 1;
    let point = |i: usize, v: f64| {
        egui::pos2(
            rect.left() + rect.width() * i as f32 / n as f32,
            rect.bottom() - rect.height() * ((v - lo) / span) as f32,
        )
    };
    let mut run: Vec<egui::Pos2> = Vec::new();
    for (i, (_, v)) in history.iter().enumerate() {
        match v {
            Some(v) => run.push(point(i, *v)),
            None => {
                painter.add(egui::Shape::line(
                    std::mem::take(&mut run),
                    Stroke::new(1.5, color),
                ));
            }
        }
    }
    if let Some(last) = run.last().copied() {
        painter.add(egui::Shape::line(run, Stroke::new(1.5, color)));
        painter.circle_filled(last, 3.0, color);
    }
}

/// Months on the x axis as 2025-06.
pub fn month_axis(months: Vec<NaiveDate>) -> impl Fn(GridMark, &std::ops::RangeInclusive<f64>) -> String {
    category_axis(months.iter().map(|m| m.format("%Y-%m").to_string()).collect())
}

/// Axis labels of a chart whose bars or points sit at 0, 1, 2 ...: the name at each whole
/// number, nothing between them.
pub fn category_axis(names: Vec<String>) -> impl Fn(GridMark, &std::ops::RangeInclusive<f64>) -> String {
    move |mark, _| {
        let i = mark.value.round();
        if (mark.value - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        names.get(i as usize).cloned().unwrap_or_default()
    }
}

/// A card's 13 months as a line; with `reference` (the unit's whole, when the line is a
/// slice of it) drawn faint behind, and the target when the line is the unit's own.
fn trend_plot(
    ui: &mut egui::Ui,
    lang: Lang,
    card: &Card,
    series: &[(NaiveDate, Option<f64>)],
    name: &str,
    reference: Option<(&History, &str)>,
) -> egui::Rect {
    let ind = card.indicator();
    let unit = unit_label(lang, ind.unit_en, ind.unit_zh);
    let months: Vec<NaiveDate> = series.iter().map(|(m, _)| *m).collect();
    let points_of = |s: &[(NaiveDate, Option<f64>)]| -> Vec<[f64; 2]> {
        s.iter()
            .enumerate()
            .filter_map(|(i, (_, v))| v.map(|v| [i as f64, v]))
            .collect()
    };
    let points = points_of(series);
    let color = accent(ui.visuals().dark_mode);
    let decimals = ind.decimals;
    let hover_months = months.clone();
    let hover_unit = unit.clone();
    // The key sits above the chart, where it hides no point.
    if let Some((_, whole)) = reference {
        ui.horizontal(|ui| {
            ui.label(RichText::new("——").color(color).strong());
            ui.label(RichText::new(name).small());
            ui.label(RichText::new("- - -").color(Color32::GRAY).strong());
            ui.label(RichText::new(whole).small());
        });
    }
    let plot = Plot::new(("trend", card.indicator))
        .height(260.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .x_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 3.0, 12.0]))
        .x_axis_formatter(month_axis(months))
        .y_axis_formatter(move |mark, _| format::number(mark.value, decimals.min(2)))
        .y_axis_label(unit)
        .label_formatter(move |pos| {
            let (series_name, p) = match pos {
                egui_plot::HoverPosition::NearDataPoint {
                    plot_name, position, ..
                } => (plot_name, position),
                egui_plot::HoverPosition::Elsewhere { .. } => return None,
            };
            let month = hover_months.get(p.x.round().max(0.0) as usize)?;
            Some(format!(
                "{series_name}\n{}\n{} {hover_unit}",
                month.format("%Y-%m"),
                format::number(p.y, decimals)
            ))
        })
        .show(ui, |plot| {
            if let Some((reference, whole_name)) = reference {
                let whole = points_of(reference);
                plot.line(
                    Line::new(whole_name, PlotPoints::from(whole))
                        .color(Color32::GRAY)
                        .style(egui_plot::LineStyle::dashed_loose())
                        .width(1.5),
                );
            }
            plot.line(
                Line::new(name.to_string(), PlotPoints::from(points.clone()))
                    .color(color)
                    .width(2.0),
            );
            plot.points(
                Points::new(name.to_string(), PlotPoints::from(points))
                    .color(color)
                    .radius(3.0),
            );
            if let Some(target) = card.target.filter(|_| reference.is_none()) {
                plot.hline(
                    HLine::new(t(lang, "target"), target)
                        .color(status_color(Status::Amber))
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
    plot.response.rect
}

/// One row of a horizontal bar chart.
struct BarRow {
    /// On the axis.
    name: String,
    /// None: the row has no bar.
    value: Option<f64>,
    fill: Color32,
    /// Drawn faint: another row is the one filtered on.
    dim: bool,
    hover: String,
}

/// `ind`'s values as horizontal bars, the first row on top, on an axis that starts at
/// `bar_floor`; returns the chart's rect and the row clicked.
fn bar_rows(
    ui: &mut egui::Ui,
    lang: Lang,
    ind: &Indicator,
    kind: &str,
    rows: &[BarRow],
) -> (egui::Rect, Option<usize>) {
    let n = rows.len();
    let floor = bar_floor(rows.iter().filter_map(|r| r.value), is_sum(ind));
    let bars: Vec<Bar> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let v = r.value?;
            let fill = if r.dim {
                r.fill.gamma_multiply(0.35)
            } else {
                r.fill
            };
            Some(
                Bar::new((n - 1 - i) as f64, v - floor)
                    .base_offset(floor)
                    .fill(fill)
                    .name(&r.hover),
            )
        })
        .collect();
    let names: Vec<String> = rows.iter().rev().map(|r| r.name.clone()).collect();
    let decimals = ind.decimals;
    let mut clicked_row = None;
    let shown = Plot::new((kind, ind.id))
        .height((n as f32 * 28.0 + 40.0).clamp(140.0, 260.0))
        .include_x(floor)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([true, false])
        .x_axis_formatter(move |mark, _| format::number(mark.value, decimals.min(2)))
        .x_axis_label(unit_label(lang, ind.unit_en, ind.unit_zh))
        .y_axis_formatter(category_axis(names))
        .y_grid_spacer(egui_plot::uniform_grid_spacer(|_| [1.0, 1.0, 1.0]))
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(lang.pick(ind.en, ind.zh), bars)
                    .horizontal()
                    .width(0.6),
            );
            if plot.response().clicked() {
                clicked_row = plot.pointer_coordinate().map(|p| p.y.round());
            }
        });
    let clicked = clicked_row
        .filter(|y| *y >= 0.0 && (*y as usize) < n)
        .map(|y| n - 1 - y as usize);
    (shown.response.rect, clicked)
}

/// What a click in the ranking asks for.
enum RankingClick {
    /// A unit's name: look at it (drill down).
    Drill(String),
    /// A unit's bar or rank: filter the detail on it.
    Filter(String),
}

/// The units one level down, best first, as bars (the filtered one highlighted).
fn ranking_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    card: &Card,
    ranking: &[(String, String, Option<f64>)],
    selected: Option<&str>,
) -> Option<RankingClick> {
    let ind = card.indicator();
    let neutral = accent(ui.visuals().dark_mode);
    let bars: Vec<BarRow> = ranking
        .iter()
        .map(|(unit, name, v)| BarRow {
            name: name.clone(),
            value: *v,
            // Against the target: the unit's bar is green or red like a card's band.
            fill: v
                .and_then(|v| crate::metrics::kpi::status(ind.better, Some(v), card.target, None))
                .map(|s| status_color(if s == Status::Green { s } else { Status::Red }))
                .unwrap_or(neutral),
            dim: selected.is_some_and(|s| s != unit),
            hover: format!(
                "{name}: {}",
                v.map(|v| format::number(v, ind.decimals)).unwrap_or_default()
            ),
        })
        .collect();
    let (_, clicked) = bar_rows(ui, lang, ind, "ranking", &bars);
    let mut click = clicked.map(|i| RankingClick::Filter(ranking[i].0.clone()));
    egui::Grid::new(("ranking_table", card.indicator))
        .striped(true)
        .show(ui, |ui| {
            for (i, (unit, name, v)) in ranking.iter().enumerate() {
                let on = selected == Some(unit.as_str());
                if ui
                    .selectable_label(on, format!("{}", i + 1))
                    .on_hover_text(t(lang, "bulletin_filter_unit"))
                    .clicked()
                {
                    click = Some(RankingClick::Filter(unit.clone()));
                }
                if ui.link(name).on_hover_text(t(lang, "drill_down")).clicked() {
                    click = Some(RankingClick::Drill(unit.clone()));
                }
                ui.label(format::value(ind, *v, t(lang, "no_data")));
                ui.end_row();
            }
        });
    click
}
