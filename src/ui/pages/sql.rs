//! The SQL console: one SELECT over the project's tables, run on the worker in a read-only
//! transaction (nothing it does can change the project), its rows shown here and saved as
//! CSV or XLSX, and the queries run before kept across restarts.

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use crate::store::queries::{QueryResult, value_to_string};
use crate::ui::jobs::{self, Msg};
use crate::ui::page::{Changed, Cx, Needs, Page, PageId};
use crate::ui::widgets::data_buttons;

/// Rows shown (and saved) at most; the query's own LIMIT can ask for fewer.
pub const MAX_ROWS: usize = 10_000;
/// Queries kept in the history.
const HISTORY: usize = 30;

#[derive(Default)]
pub struct SqlPage {
    /// The query being written.
    pub text: String,
    /// The last query run and its answer (None while it runs).
    pub answer: Option<(String, Option<Result<QueryResult, String>>)>,
    /// Queries run before, newest first.
    pub history: Vec<String>,
}

impl SqlPage {
    /// Runs the query in the editor.
    pub fn run(&mut self, cx: &mut Cx) {
        let query = self.text.trim().to_string();
        if query.is_empty() {
            return;
        }
        self.history.retain(|q| *q != query);
        self.history.insert(0, query.clone());
        self.history.truncate(HISTORY);
        self.answer = Some((query.clone(), None));
        cx.spawn("job_sql", jobs::console(query, MAX_ROWS + 1));
    }
}

impl Page for SqlPage {
    fn id(&self) -> PageId {
        PageId::Sql
    }
    fn title_key(&self) -> &'static str {
        "page_sql"
    }
    fn icon(&self) -> &'static str {
        "⌨"
    }
    fn needs(&self) -> Needs {
        Needs::Project
    }
    fn receive(&mut self, msg: Msg, _cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Console(query, result) => {
                if self.answer.as_ref().is_some_and(|(q, _)| *q == query) {
                    self.answer = Some((query, Some(result)));
                }
            }
            Msg::Cancelled => {
                self.answer = None;
                return Some(Msg::Cancelled);
            }
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if what == Changed::Project {
            self.answer = None;
        }
    }
    fn settings(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!({ "history": self.history }))
    }
    fn restore(&mut self, settings: serde_json::Value) {
        if let Some(list) = settings["history"].as_array() {
            self.history = list
                .iter()
                .filter_map(|q| q.as_str().map(String::from))
                .take(HISTORY)
                .collect();
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

fn show(page: &mut SqlPage, cx: &mut Cx, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.heading(RichText::new(cx.t("page_sql")).strong());
        ui.label(RichText::new(cx.t("sql_hint")).weak());
    });
    ui.add_space(4.0);
    let running = page.answer.as_ref().is_some_and(|(_, a)| a.is_none());
    egui::Panel::right("sql_history")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| {
            ui.label(RichText::new(cx.t("sql_history")).strong());
            egui::ScrollArea::vertical()
                .id_salt("sql_history_scroll")
                .show(ui, |ui| {
                    let mut picked = None;
                    for q in &page.history {
                        let line = q.lines().next().unwrap_or_default();
                        if ui
                            .add(egui::Button::selectable(false, RichText::new(line).monospace()).truncate())
                            .on_hover_text(q)
                            .clicked()
                        {
                            picked = Some(q.clone());
                        }
                    }
                    if let Some(q) = picked {
                        page.text = q;
                    }
                });
        });
    egui::CentralPanel::default().show(ui, |ui| {
        // Ctrl+Enter runs: taken before the editor sees it (it would insert a line).
        let editor = egui::Id::unique("sql_editor");
        let ctrl_enter = ui.memory(|m| m.has_focus(editor))
            && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
        ui.add(
            egui::TextEdit::multiline(&mut page.text)
                .id(editor)
                .code_editor()
                .desired_rows(6)
                .desired_width(f32::INFINITY)
                .hint_text("SELECT customer_class, count(*) FROM customers GROUP BY 1"),
        );
        ui.horizontal(|ui| {
            let run = ui
                .add_enabled(
                    !running && !page.text.trim().is_empty(),
                    egui::Button::new(cx.t("sql_run")),
                )
                .on_hover_text(cx.t("sql_run_help"))
                .clicked();
            if (run || ctrl_enter) && !running {
                page.run(cx);
            }
            if running {
                ui.spinner();
            }
        });
        ui.separator();
        let Some((_, Some(answer))) = &page.answer else {
            return;
        };
        let result = match answer {
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
                return;
            }
            Ok(r) => r.clone(),
        };
        let shown = result.rows.len().min(MAX_ROWS);
        let more = result.rows.len() > MAX_ROWS;
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} {}{}",
                crate::metrics::format::group_digits(shown as u64),
                cx.t("rows"),
                if more { cx.t("sql_more") } else { "" }
            ));
            let rows: Vec<Vec<String>> = result.rows[..shown]
                .iter()
                .map(|r| r.iter().map(value_to_string).collect())
                .collect();
            data_buttons(ui, cx, &result.columns, &rows);
        });
        egui::ScrollArea::horizontal()
            .id_salt("sql_result")
            .show(ui, |ui| {
                TableBuilder::new(ui)
                    .striped(true)
                    .resizable(true)
                    .columns(
                        Column::initial(150.0).at_least(60.0).clip(true),
                        result.columns.len(),
                    )
                    .header(22.0, |mut h| {
                        for c in &result.columns {
                            h.col(|ui| {
                                ui.strong(c);
                            });
                        }
                    })
                    .body(|body| {
                        body.rows(20.0, shown, |mut row| {
                            for v in &result.rows[row.index()] {
                                row.col(|ui| {
                                    ui.label(value_to_string(v));
                                });
                            }
                        });
                    });
            });
    });
}
