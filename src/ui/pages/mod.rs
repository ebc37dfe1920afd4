//! The pages of the app, one file each. The side navigation lists `Page::ALL`: only pages
//! that exist.

pub mod audit;
pub mod bulletin;
pub mod cases;
pub mod import;
pub mod leaders;
pub mod map;
pub mod market;
pub mod overview;
pub mod rules;
pub mod service;

use serde::{Deserialize, Serialize};

use super::app::MamsApp;
use super::i18n::{Lang, t};
use super::jobs::Scope;

/// The start of a page about the top bar's scope: its heading, then the page's data once
/// it is there (None while there is no project or month, while loading, or after an error,
/// each of which the page then shows).
pub fn scope_page<T: Clone>(
    app: &MamsApp,
    ui: &mut egui::Ui,
    title_key: &str,
    slot: &Option<(Scope, Result<T, String>)>,
) -> Option<T> {
    let lang = app.lang();
    if app.project.is_none() {
        ui.heading(t(lang, "no_project"));
        return None;
    }
    scope_heading(app, ui, title_key, slot.as_ref().map(|(s, _)| s));
    app.period().or_else(|| {
        ui.label(t(lang, "no_months"));
        None
    })?;
    match slot {
        None => None,
        Some((_, Err(e))) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            None
        }
        Some((_, Ok(d))) => Some(d.clone()),
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
pub fn data_buttons(ui: &mut egui::Ui, app: &MamsApp, header: &[String], rows: &[Vec<String>]) {
    ui.horizontal(|ui| data_buttons_inline(ui, app, header, rows));
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

/// The same buttons, placed in the caller's layout.
fn data_buttons_inline(ui: &mut egui::Ui, app: &MamsApp, header: &[String], rows: &[Vec<String>]) {
    let lang = app.lang();
    if ui
        .small_button(t(lang, "copy_data"))
        .on_hover_text(t(lang, "copy_data_help"))
        .clicked()
    {
        ui.ctx().copy_text(tsv(header, rows));
    }
    if ui
        .small_button(t(lang, "save_table"))
        .on_hover_text(t(lang, "save_table_help"))
        .clicked()
    {
        *app.table_out.lock().expect("table slot") = Some((header.to_vec(), rows.to_vec()));
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

/// An org unit's name in the UI's language (its id when the project does not know it).
pub fn unit_name(app: &MamsApp, id: &str) -> String {
    let lang = app.lang();
    app.project
        .as_ref()
        .and_then(|p| p.org.iter().find(|o| o.unit_id == id))
        .map(|o| lang.pick(&o.name_en, &o.name_zh).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The heading of a page about the top bar's unit and month: title, unit · month, and a
/// spinner while `shown` is not the data of that scope.
pub fn scope_heading(app: &MamsApp, ui: &mut egui::Ui, title_key: &str, shown: Option<&Scope>) {
    let lang = app.lang();
    let unit_id = app.unit_id().unwrap_or_default();
    let period = app.period();
    ui.horizontal(|ui| {
        ui.heading(egui::RichText::new(t(lang, title_key)).strong());
        ui.label(
            egui::RichText::new(format!(
                "{} · {}",
                unit_name(app, &unit_id),
                period.map(|p| p.format("%Y-%m").to_string()).unwrap_or_default()
            ))
            .size(18.0),
        );
        if shown.is_none_or(|s| s.unit_id != unit_id || s.month != period) {
            ui.spinner();
        }
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Page {
    #[default]
    Overview,
    Leaders,
    Bulletin,
    Market,
    Service,
    Map,
    Audit,
    Rules,
    Cases,
    Import,
}

impl Page {
    pub const ALL: &'static [Page] = &[
        Page::Overview,
        Page::Leaders,
        Page::Bulletin,
        Page::Market,
        Page::Service,
        Page::Map,
        Page::Audit,
        Page::Rules,
        Page::Cases,
        Page::Import,
    ];

    /// Translation key of the page's title.
    pub fn title_key(self) -> &'static str {
        match self {
            Page::Overview => "page_overview",
            Page::Leaders => "page_leaders",
            Page::Bulletin => "page_bulletin",
            Page::Market => "page_market",
            Page::Service => "page_service",
            Page::Map => "page_map",
            Page::Audit => "page_audit",
            Page::Rules => "page_rules",
            Page::Cases => "page_cases",
            Page::Import => "page_import",
        }
    }
}
