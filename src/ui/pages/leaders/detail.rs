//! The open card's detail: trend, the units one level down, the breakdown by customer class
//! (cross-filtering one another), the rows behind the number and the unit's own target.

use egui::RichText;

use super::LeadersPage;
use super::charts::{BarRow, RankingClick, bar_rows, ranking_ui, trend_plot};
use crate::metrics::change::Form;
use crate::metrics::format;
use crate::metrics::indicators::{BY_CLASS, Better, Indicator};
use crate::metrics::kpi::{Card, Slices};
use crate::ui::i18n::{Lang, t};
use crate::ui::page::{Command, Cx};
use crate::ui::theme::class_color;
use crate::ui::widgets::{chip, code_label, data_buttons, save_png_button};

/// A card's detail: its trend, the ranking of the units one level down and the breakdown
/// by customer class. A unit's bar (or rank) and a class's bar (or name) are cross-filters:
/// each narrows the other charts and shows as a removable chip; a unit's name drills down.
pub(super) fn detail_ui(
    page: &mut LeadersPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    card: &Card,
    slices: &Slices,
    unit_id: &str,
) {
    let lang = cx.lang;
    let ind = card.indicator();
    let splits = BY_CLASS.contains(&ind.id);
    // A unit from another scope, or a class on an indicator without classes, does not apply.
    let below = page
        .filter
        .0
        .clone()
        .filter(|u| slices.below.iter().any(|(b, _)| b == u));
    let class = page.filter.1.clone().filter(|_| splits);
    if below.is_some() || class.is_some() {
        ui.horizontal(|ui| {
            ui.label(RichText::new(t(lang, "market_filtered")).weak());
            if let Some(u) = &below
                && chip(ui, &format!("{}: {}", t(lang, "audit_unit"), cx.unit_name(u)))
                    .on_hover_text(t(lang, "market_remove_filter"))
                    .clicked()
            {
                page.filter.0 = None;
            }
            if let Some(c) = &class
                && chip(
                    ui,
                    &format!("{}: {}", t(lang, "why_class"), class_name(lang, c.as_deref())),
                )
                .on_hover_text(t(lang, "market_remove_filter"))
                .clicked()
            {
                page.filter.1 = None;
            }
        });
    }
    let slice_name = {
        let mut parts = vec![match &below {
            Some(u) => cx.unit_name(u),
            None => cx.unit_name(unit_id),
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
    let whole = cx.unit_name(unit_id);
    let reference = (filtered && !is_sum(ind)).then_some((card.history.as_slice(), whole.as_str()));
    let mut ranking: Vec<(String, String, Option<f64>)> = slices
        .below_values(ind, class.as_ref())
        .into_iter()
        .map(|(u, v)| {
            let name = cx.unit_name(&u);
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
                data_buttons(ui, cx, &["month".into(), ind.id.into()], &rows);
                save_png_button(ui, cx, chart);
            });
            ui.add_space(10.0);
            let owner = below.as_deref().map(|u| cx.unit_name(u));
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
            } else if let Some(picked) = class_breakdown_ui(cx, ui, card, &values, class.as_ref()) {
                page.filter.1 = if class.as_ref() == Some(&picked) {
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
                ranking_part(page, cx, ui, card, &ranking, below.as_deref());
            }
            ui.add_space(10.0);
            target_editor(page, cx, ui, card, unit_id);
        });
    });
}

/// The ranking's data buttons, chart and table, and what a click in them does.
fn ranking_part(
    page: &mut LeadersPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    card: &Card,
    ranking: &[(String, String, Option<f64>)],
    below: Option<&str>,
) {
    let lang = cx.lang;
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
    data_buttons(ui, cx, &["unit_id".into(), "unit".into(), ind.id.into()], &rows);
    match ranking_ui(ui, lang, card, ranking, below) {
        Some(RankingClick::Drill(u)) => {
            page.filter.0 = None;
            cx.send(Command::SetUnit(u));
        }
        Some(RankingClick::Filter(u)) => {
            page.filter.0 = if below == Some(u.as_str()) { None } else { Some(u) };
        }
        None => {}
    }
}

/// Whether the indicator is a sum (its parts add up to it) rather than a ratio.
pub(super) fn is_sum(ind: &Indicator) -> bool {
    matches!(crate::metrics::change::form(ind.id), Some(Form::Sum(_)))
}

/// Where the value axis of a bar chart starts: zero for sums (a bar's length is its
/// size), and below the smallest value for rates, so that 97 % and 99 % look different.
pub(super) fn bar_floor(values: impl Iterator<Item = f64>, additive: bool) -> f64 {
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if additive || lo > hi || lo <= 0.0 {
        return 0.0;
    }
    let pad = if hi > lo { (hi - lo) * 0.5 } else { lo * 0.1 };
    (lo - pad).max(0.0)
}

/// A customer class as shown (None: tickets without a known customer).
pub(super) fn class_name(lang: Lang, class: Option<&str>) -> String {
    match class {
        Some(c) => code_label(lang, "customer_class", c),
        None => t(lang, "leaders_no_customer").to_string(),
    }
}

/// The card's value by customer class as bars in the classes' colours, with each class's
/// share for a sum; returns the class clicked (its bar or its name).
fn class_breakdown_ui(
    cx: &mut Cx,
    ui: &mut egui::Ui,
    card: &Card,
    values: &[(Option<String>, f64)],
    selected: Option<&Option<String>>,
) -> Option<Option<String>> {
    let lang = cx.lang;
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
    let unit_text = lang.pick(ind.unit_en, ind.unit_zh).to_string();
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
        data_buttons(
            ui,
            cx,
            &[
                "class".into(),
                "class name".into(),
                ind.id.into(),
                "share %".into(),
            ],
            &rows,
        );
        save_png_button(ui, cx, chart);
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
fn target_editor(page: &mut LeadersPage, cx: &mut Cx, ui: &mut egui::Ui, card: &Card, unit_id: &str) {
    let lang = cx.lang;
    let ind = card.indicator();
    // The rows behind the card's number.
    let (table, only) = crate::store::rows::rows_of_indicator(ind.id);
    if ui.button(t(lang, "rows_show")).on_hover_text(table).clicked() {
        let title = format!(
            "{} · {} · {}",
            lang.pick(ind.en, ind.zh),
            cx.unit_name(unit_id),
            cx.period
                .map(|p| p.format("%Y-%m").to_string())
                .unwrap_or_default()
        );
        let query = crate::store::rows::RowsQuery {
            failing: None,
            table,
            unit: unit_id.to_string(),
            month: cx.period,
            only,
            search: String::new(),
            sort: None,
            offset: 0,
            limit: crate::ui::rows_window::PAGE_ROWS,
        };
        cx.send(Command::OpenRows(title, query));
    }
    if ind.better == Better::Neither {
        return;
    }
    ui.horizontal(|ui| {
        ui.label(t(lang, "target_for_unit"));
        let edit = ui.add(
            egui::TextEdit::singleline(&mut page.target_text)
                .hint_text(
                    card.target
                        .map(|v| format::number(v, ind.decimals))
                        .unwrap_or_default(),
                )
                .desired_width(90.0),
        );
        ui.label(RichText::new(lang.pick(ind.unit_en, ind.unit_zh).to_string()).weak());
        let typed = page.target_text.trim().replace(',', "");
        let value = typed.parse::<f64>().ok().filter(|v| v.is_finite());
        let save = ui
            .add_enabled(value.is_some(), egui::Button::new(t(lang, "save")))
            .clicked()
            || (edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) && value.is_some());
        if save {
            page.set_target(cx, ind.id, unit_id.to_string(), value);
        }
        if ui
            .button(t(lang, "target_inherit"))
            .on_hover_text(t(lang, "target_inherit_help"))
            .clicked()
        {
            page.set_target(cx, ind.id, unit_id.to_string(), None);
        }
        if !typed.is_empty() && value.is_none() {
            ui.label(RichText::new(t(lang, "cases_bad_amount")).color(ui.visuals().error_fg_color));
        }
    });
}
