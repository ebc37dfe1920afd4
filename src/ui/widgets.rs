//! Widgets the pages share: status colours, chart axes, the pager, the data buttons under a
//! chart or table, the removable filter chips and the heading of a page about the scope.

use chrono::NaiveDate;
use egui::Color32;
use egui_plot::GridMark;

use super::i18n::{Lang, t};
use super::jobs::Scope;
use super::page::{Command, Cx};
use crate::metrics::kpi::Status;

/// The colour of an indicator's status against its target.
pub fn status_color(status: Status) -> Color32 {
    match status {
        Status::Green => Color32::from_rgb(46, 160, 67),
        Status::Amber => Color32::from_rgb(230, 160, 20),
        Status::Red => Color32::from_rgb(215, 58, 58),
    }
}

/// Translation key of a status's name.
pub fn status_key(status: Status) -> &'static str {
    match status {
        Status::Green => "status_green",
        Status::Amber => "status_amber",
        Status::Red => "status_red",
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

/// The header row of a grid: each key's text, strong, then the end of the row.
pub fn header_row(ui: &mut egui::Ui, lang: Lang, keys: &[&str]) {
    for key in keys {
        ui.strong(t(lang, key));
    }
    ui.end_row();
}

/// A removable filter: "label ×"; the caller removes the filter when it is clicked.
pub fn chip(ui: &mut egui::Ui, label: &str) -> egui::Response {
    ui.button(format!("{label} ×"))
}

/// "1–200 / 5,321 rows ‹ ›" in the caller's layout: moves `offset` a page of `page_rows`
/// back or on.
pub fn pager(ui: &mut egui::Ui, offset: &mut u64, page_rows: u64, total: u64, noun: &str) {
    let first = if total == 0 { 0 } else { *offset + 1 };
    let last = (*offset + page_rows).min(total);
    ui.label(format!(
        "{}–{} / {} {noun}",
        crate::metrics::format::group_digits(first),
        crate::metrics::format::group_digits(last),
        crate::metrics::format::group_digits(total),
    ));
    if ui.add_enabled(*offset > 0, egui::Button::new("‹")).clicked() {
        *offset = offset.saturating_sub(page_rows);
    }
    if ui.add_enabled(last < total, egui::Button::new("›")).clicked() {
        *offset += page_rows;
    }
}

/// Tab-separated text of a chart's or table's data, as a spreadsheet pastes it.
pub fn tsv(header: &[String], rows: &[Vec<String>]) -> String {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut out = header.iter().map(|h| clean(h)).collect::<Vec<_>>().join("\t");
    for r in rows {
        out.push('\n');
        out.push_str(&r.iter().map(|c| clean(c)).collect::<Vec<_>>().join("\t"));
    }
    out.push('\n');
    out
}

/// The raw values of some indicators among a unit's cards, as text for a copied table
/// (empty where there is no value).
pub fn card_values(cards: &[crate::metrics::kpi::Card], ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            cards
                .iter()
                .find(|c| c.indicator == *id)
                .and_then(|c| c.value)
                .map(|v| v.to_string())
                .unwrap_or_default()
        })
        .collect()
}

/// Two small buttons for a chart's or table's data: copy it to the clipboard, or save it
/// as CSV or XLSX (the file is asked for once the frame is done).
pub fn data_buttons(ui: &mut egui::Ui, cx: &mut Cx, header: &[String], rows: &[Vec<String>]) {
    ui.horizontal(|ui| data_buttons_inline(ui, cx, header, rows));
}

/// The same buttons, placed in the caller's layout.
pub fn data_buttons_inline(ui: &mut egui::Ui, cx: &mut Cx, header: &[String], rows: &[Vec<String>]) {
    let lang = cx.lang;
    if ui
        .small_button(t(lang, "copy_data"))
        .on_hover_text(t(lang, "copy_data_help"))
        .clicked()
    {
        // Personal columns leave masked, or in full with an entry in the access log.
        let kinds = crate::privacy::column_kinds(header);
        let mut rows = rows.to_vec();
        let personal = crate::privacy::apply(header, &kinds, &mut rows, cx.disclosure);
        if cx.disclosure == crate::privacy::Disclosure::Full && !personal.is_empty() {
            let entry =
                crate::store::access_log::Entry::now("clipboard", "table", &personal, rows.len() as u64);
            cx.send(Command::CopyInFull(entry, tsv(header, &rows)));
        } else {
            ui.ctx().copy_text(tsv(header, &rows));
        }
    }
    if ui
        .small_button(t(lang, "save_table"))
        .on_hover_text(t(lang, "save_table_help"))
        .clicked()
    {
        cx.send(Command::SaveTable((header.to_vec(), rows.to_vec())));
    }
}

/// A small button that saves the chart drawn in `rect` as a PNG for a slide.
pub fn save_png_button(ui: &mut egui::Ui, cx: &mut Cx, rect: egui::Rect) {
    if ui
        .small_button(cx.t("chart_png"))
        .on_hover_text(cx.t("chart_png_help"))
        .clicked()
    {
        cx.send(Command::SaveChart(rect));
    }
}

/// A code of a code list in the UI's language (the code itself when unknown; "—" when empty).
pub fn code_label(lang: Lang, list: &str, code: &str) -> String {
    crate::codes::lookup(list, code)
        .map(|c| lang.pick(c.en, c.zh).to_string())
        .unwrap_or_else(|| {
            if code.is_empty() {
                "—".into()
            } else {
                code.to_string()
            }
        })
}

/// The heading of a page about the top bar's unit and month: title, unit · month, and a
/// spinner while `shown` is not the data of that scope.
pub fn scope_heading(cx: &Cx, ui: &mut egui::Ui, title_key: &str, shown: Option<&Scope>) {
    let unit_id = cx.unit_id.clone().unwrap_or_default();
    let period = cx.period;
    ui.horizontal(|ui| {
        ui.heading(egui::RichText::new(cx.t(title_key)).strong());
        ui.label(
            egui::RichText::new(format!(
                "{} · {}",
                cx.unit_name(&unit_id),
                period.map(|p| p.format("%Y-%m").to_string()).unwrap_or_default()
            ))
            .size(18.0),
        );
        if shown.is_none_or(|s| s.unit_id != unit_id || s.month != period) {
            ui.spinner();
        }
    });
}

/// The start of a page about the top bar's scope: its heading, then the page's data once
/// it is there (None while loading, or after an error, which it then shows).
pub fn scope_page<T: Clone>(
    cx: &Cx,
    ui: &mut egui::Ui,
    title_key: &str,
    slot: &Option<(Scope, Result<T, String>)>,
) -> Option<T> {
    scope_heading(cx, ui, title_key, slot.as_ref().map(|(s, _)| s));
    match slot {
        None => None,
        Some((_, Err(e))) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            None
        }
        Some((_, Ok(d))) => Some(d.clone()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_copies_as_tab_separated_rows() {
        let text = super::tsv(
            &["unit".into(), "value".into()],
            &[vec!["C01\tx".into(), "1,234.5".into()]],
        );
        assert_eq!(text, "unit\tvalue\nC01 x\t1,234.5\n");
    }
}
