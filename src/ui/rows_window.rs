//! The drill-through table: the rows behind a number in a window over any page, searched,
//! sorted by a click on a column, paged through millions of rows, and exported whole to CSV
//! or XLSX.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use super::app::MamsApp;
use super::dialogs::Purpose;
use super::i18n::t;
use crate::store::queries::value_to_string;
use crate::store::rows::{RowsPage, RowsQuery};

/// Rows per page of the table.
pub const PAGE_ROWS: u64 = 500;

pub struct RowsWindow {
    pub title: String,
    /// What the controls ask for.
    pub query: RowsQuery,
    /// The page shown, and the query it answers.
    pub shown: Option<(RowsQuery, Result<RowsPage, String>)>,
    pub requested: Option<RowsQuery>,
    search: String,
}

impl RowsWindow {
    pub fn new(title: String, mut query: RowsQuery) -> Self {
        query.limit = PAGE_ROWS;
        query.offset = 0;
        RowsWindow {
            title,
            search: query.search.clone(),
            query,
            shown: None,
            requested: None,
        }
    }
}

pub fn show(app: &mut MamsApp, ctx: &egui::Context) {
    let lang = app.lang();
    let Some(w) = app.rows.as_mut() else { return };
    let mut open = true;
    let mut export = false;
    egui::Window::new(w.title.clone())
        .id(egui::Id::unique("rows_window"))
        .open(&mut open)
        .default_size([1100.0, 600.0])
        .resizable(true)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                let edit = ui.add(
                    egui::TextEdit::singleline(&mut w.search)
                        .hint_text(t(lang, "rows_search"))
                        .desired_width(240.0),
                );
                if edit.changed() {
                    w.query.search = w.search.clone();
                    w.query.offset = 0;
                }
                let total = w
                    .shown
                    .as_ref()
                    .and_then(|(_, p)| p.as_ref().ok())
                    .map(|p| p.total);
                if let Some(total) = total {
                    super::widgets::pager(ui, &mut w.query.offset, PAGE_ROWS, total, t(lang, "rows"));
                }
                if w.requested.is_some() {
                    ui.spinner();
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(t(lang, "rows_export")).clicked() {
                        export = true;
                    }
                });
            });
            ui.separator();
            let page = match &w.shown {
                None => return,
                Some((_, Err(e))) => {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                    return;
                }
                Some((_, Ok(p))) => p.clone(),
            };
            let columns = page.result.columns.clone();
            let mut sort_by: Option<String> = None;
            egui::ScrollArea::horizontal()
                .id_salt("rows_scroll")
                .show(ui, |ui| {
                    TableBuilder::new(ui)
                        .striped(true)
                        .resizable(true)
                        .columns(Column::auto().at_least(70.0).clip(true), columns.len())
                        .header(24.0, |mut h| {
                            for c in &columns {
                                h.col(|ui| {
                                    let mark = match &w.query.sort {
                                        Some((s, desc)) if s == c => {
                                            if *desc {
                                                " ↓"
                                            } else {
                                                " ↑"
                                            }
                                        }
                                        _ => "",
                                    };
                                    if ui
                                        .button(RichText::new(format!("{c}{mark}")).strong())
                                        .on_hover_text(t(lang, "rows_sort"))
                                        .clicked()
                                    {
                                        sort_by = Some(c.clone());
                                    }
                                });
                            }
                        })
                        .body(|body| {
                            body.rows(22.0, page.result.rows.len(), |mut row| {
                                let values = &page.result.rows[row.index()];
                                for v in values {
                                    row.col(|ui| {
                                        ui.label(value_to_string(v));
                                    });
                                }
                            });
                        });
                });
            if let Some(c) = sort_by {
                let desc = match &w.query.sort {
                    Some((s, d)) if *s == c => !*d,
                    _ => true,
                };
                w.query.sort = Some((c, desc));
                w.query.offset = 0;
            }
        });
    if export {
        app.ask(Purpose::ExportRows, None);
    }
    if !open {
        app.rows = None;
    }
}
