//! "Why did this change?" under the open card: the change split over the units one level
//! down as a waterfall, by customer class, and the audit rules with suspects where it moved.

use chrono::NaiveDate;
use egui::RichText;
use egui_plot::{Bar, BarChart, Plot};

use super::LeadersPage;
use super::detail::class_name;
use crate::metrics::format;
use crate::metrics::indicators::Better;
use crate::metrics::kpi::{Card, Status};
use crate::ui::i18n::{Lang, t};
use crate::ui::page::{Command, Cx, Open, PageId};
use crate::ui::widgets::{category_axis, data_buttons, save_png_button, status_color};

/// "Why did this change?": the change against last month or last year split over the units
/// one level down (a waterfall whose bars add up to it), and the audit rules with open
/// suspects in the units that moved it most.
pub(super) fn why_ui(
    page: &mut LeadersPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    card: &Card,
    unit_id: &str,
    period: Option<NaiveDate>,
) {
    let lang = cx.lang;
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
                page.ask_why(cx, ind.id, unit_id.to_string(), base, month);
            }
        }
    });
    let Some(((indicator, unit, _, asked_month), answer)) = page.why.clone() else {
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
    let unit_text = lang.pick(ind.unit_en, ind.unit_zh).to_string();
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
        let name = cx.unit_name(&part.unit_id);
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
        data_buttons(
            ui,
            cx,
            &[
                "step".into(),
                "value or effect".into(),
                "rate effect".into(),
                "mix effect".into(),
            ],
            &rows,
        );
        save_png_button(ui, cx, chart.response.rect);
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
                ui.label(cx.unit_name(&part.unit_id));
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
            ui.label(format!("{}:", cx.unit_name(unit)));
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
        cx.send(Command::SetUnit(unit));
        cx.send(Command::Open(PageId::Audit, Open::Rule(rule)));
    }
}
