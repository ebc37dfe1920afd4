//! The case library: search (Chinese or English), browse by theme and tag, sort by date or
//! amount; read, edit and attach files to a case; import and export the library.

use egui::RichText;

use crate::audit::cases;
use crate::audit::rules::Rule;
use crate::metrics::format;
use crate::store::cases::Case;
use crate::ui::app::MamsApp;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::{Lang, t};

#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Date,
    Amount,
}

#[derive(Default)]
pub struct CasesPage {
    pub list: Option<Result<Vec<Case>, String>>,
    pub requested: bool,
    pub query: String,
    pub rule: Option<String>,
    pub tag: Option<String>,
    pub sort: SortBy,
    pub selected: Option<String>,
    /// The case being edited, with its tags and amount as typed.
    pub editing: Option<(Case, String, String)>,
}

impl CasesPage {
    /// The cases the controls select, in the order they are shown.
    pub fn visible(&self, all: &[Case]) -> Vec<usize> {
        let mut hits: Vec<(usize, f64)> = cases::search(all, &self.query)
            .into_iter()
            .filter(|(i, _)| {
                let c = &all[*i];
                self.rule.as_ref().is_none_or(|r| c.rule_id.as_ref() == Some(r))
                    && self.tag.as_ref().is_none_or(|t| c.tags.contains(t))
            })
            .collect();
        if self.query.trim().is_empty() {
            match self.sort {
                SortBy::Date => hits.sort_by(|a, b| all[b.0].case_date.cmp(&all[a.0].case_date)),
                SortBy::Amount => hits.sort_by(|a, b| {
                    all[b.0]
                        .amount
                        .unwrap_or(0.0)
                        .total_cmp(&all[a.0].amount.unwrap_or(0.0))
                }),
            }
        }
        hits.into_iter().map(|(i, _)| i).collect()
    }
}

/// A case's title in the UI's language (the Chinese one when there is no English one).
pub fn case_title(c: &Case, zh: bool) -> String {
    match c.title_en.as_deref().filter(|t| !zh && !t.trim().is_empty()) {
        Some(en) => en.to_string(),
        None => c.title.clone(),
    }
}

fn rule_name(rules: &[Rule], id: Option<&str>, zh: bool) -> String {
    match id {
        Some(id) => rules
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name(zh).to_string())
            .unwrap_or_else(|| id.to_string()),
        None => String::new(),
    }
}

pub fn show(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    let zh = lang == Lang::Zh;
    if app.project.is_none() {
        ui.heading(t(lang, "no_project"));
        return;
    }
    let rules = crate::audit::rules::builtin();
    ui.horizontal(|ui| {
        ui.heading(RichText::new(t(lang, "page_cases")).strong());
        if app.cases.requested {
            ui.spinner();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(t(lang, "cases_export")).clicked() {
                app.ask(Purpose::ExportCases, ui.ctx());
            }
            if ui.button(t(lang, "cases_import")).clicked() {
                app.ask(Purpose::ImportCases, ui.ctx());
            }
        });
    });
    let all = match app.cases.list.clone() {
        None => return,
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        Some(Ok(l)) => l,
    };
    let mut tags: Vec<String> = all.iter().flat_map(|c| c.tags.clone()).collect();
    tags.sort();
    tags.dedup();
    ui.horizontal_wrapped(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut app.cases.query)
                .hint_text(t(lang, "cases_search"))
                .desired_width(260.0),
        );
        ui.label(t(lang, "audit_rule"));
        let rule_text = app
            .cases
            .rule
            .as_deref()
            .map(|r| rule_name(rules, Some(r), zh))
            .unwrap_or_else(|| t(lang, "all").to_string());
        egui::ComboBox::from_id_salt("case_rule")
            .selected_text(rule_text)
            .height(420.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.cases.rule, None, t(lang, "all"));
                for r in rules {
                    ui.selectable_value(&mut app.cases.rule, Some(r.id.clone()), r.name(zh));
                }
            });
        ui.label(t(lang, "cases_tag"));
        egui::ComboBox::from_id_salt("case_tag")
            .selected_text(
                app.cases
                    .tag
                    .clone()
                    .unwrap_or_else(|| t(lang, "all").to_string()),
            )
            .height(420.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut app.cases.tag, None, t(lang, "all"));
                for tag in &tags {
                    ui.selectable_value(&mut app.cases.tag, Some(tag.clone()), tag);
                }
            });
        ui.label(t(lang, "cases_sort"));
        ui.selectable_value(&mut app.cases.sort, SortBy::Date, t(lang, "cases_by_date"));
        ui.selectable_value(&mut app.cases.sort, SortBy::Amount, t(lang, "cases_by_amount"));
    });
    ui.separator();
    let visible = app.cases.visible(&all);
    if app.cases.selected.is_some() {
        egui::Panel::right("case_detail")
            .resizable(true)
            .default_size((ui.available_width() * 0.5).max(420.0))
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("case_detail_scroll")
                    .show(ui, |ui| case_detail(app, ui, &all, rules));
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        ui.label(format!(
            "{} / {} {}",
            visible.len(),
            all.len(),
            t(lang, "cases_count")
        ));
        ui.style_mut().interaction.selectable_labels = false;
        egui::ScrollArea::vertical().id_salt("case_list").show(ui, |ui| {
            for i in visible {
                let c = &all[i];
                let selected = app.cases.selected.as_deref() == Some(c.case_id.as_str());
                let title = case_title(c, zh);
                let sub = format!(
                    "{} · {} · {} · {}",
                    c.case_date.map(|d| d.to_string()).unwrap_or_default(),
                    rule_name(rules, c.rule_id.as_deref(), zh),
                    c.amount
                        .map(|a| format!("{} {}", format::number(a, 0), t(lang, "yuan")))
                        .unwrap_or_default(),
                    c.tags.join(", ")
                );
                let frame = egui::Frame::group(ui.style()).fill(if selected {
                    ui.visuals().selection.bg_fill
                } else {
                    ui.visuals().faint_bg_color
                });
                let r = frame
                    .show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.label(RichText::new(title).strong());
                        ui.label(RichText::new(sub).weak().small());
                    })
                    .response
                    .interact(egui::Sense::click());
                if r.clicked() {
                    app.cases.selected = Some(c.case_id.clone());
                    app.cases.editing = None;
                }
            }
        });
    });
}

fn case_detail(app: &mut MamsApp, ui: &mut egui::Ui, all: &[Case], rules: &[Rule]) {
    let lang = app.lang();
    let zh = lang == Lang::Zh;
    let Some(id) = app.cases.selected.clone() else {
        return;
    };
    let Some(c) = all.iter().find(|c| c.case_id == id).cloned() else {
        app.cases.selected = None;
        return;
    };
    ui.horizontal(|ui| {
        if ui.button("×").on_hover_text(t(lang, "close")).clicked() {
            app.cases.selected = None;
            app.cases.editing = None;
        }
        ui.label(RichText::new(&c.case_id).weak());
        if app.cases.editing.is_none() && ui.button(t(lang, "cases_edit")).clicked() {
            let tags = c.tags.join(", ");
            let amount = c.amount.map(|a| a.to_string()).unwrap_or_default();
            app.cases.editing = Some((c.clone(), tags, amount));
        }
        if ui.button(t(lang, "cases_attach")).clicked() {
            app.ask(Purpose::AttachToCase, ui.ctx());
        }
    });
    if let Some((edit, tags, amount)) = app.cases.editing.as_mut() {
        let mut save = false;
        let mut cancel = false;
        ui.horizontal(|ui| {
            save = ui.button(t(lang, "save")).clicked();
            cancel = ui.button(t(lang, "cancel")).clicked();
        });
        egui::Grid::new("case_edit")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                let line = |ui: &mut egui::Ui, key: &str, v: &mut String, multi: bool| {
                    ui.label(t(lang, key));
                    if multi {
                        ui.add(
                            egui::TextEdit::multiline(v)
                                .desired_rows(2)
                                .desired_width(f32::INFINITY),
                        );
                    } else {
                        ui.add(egui::TextEdit::singleline(v).desired_width(f32::INFINITY));
                    }
                    ui.end_row();
                };
                line(ui, "cases_title", &mut edit.title, false);
                let mut title_en = edit.title_en.clone().unwrap_or_default();
                line(ui, "cases_title_en", &mut title_en, false);
                edit.title_en = Some(title_en).filter(|s| !s.trim().is_empty());
                for (key, field) in [
                    ("cases_symptoms", &mut edit.symptoms),
                    ("cases_found_how", &mut edit.found_how),
                    ("cases_root_cause", &mut edit.root_cause),
                    ("cases_handling", &mut edit.handling),
                    ("cases_outcome", &mut edit.outcome),
                ] {
                    let mut v = field.clone().unwrap_or_default();
                    line(ui, key, &mut v, true);
                    *field = Some(v).filter(|s| !s.trim().is_empty());
                }
                line(ui, "cases_amount", amount, false);
                line(ui, "cases_tags", tags, false);
            });
        if save {
            let mut case = edit.clone();
            case.tags = tags
                .split([',', '，'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let typed = amount.trim().replace(',', "");
            case.amount = if typed.is_empty() {
                None
            } else {
                typed.parse().ok()
            };
            if !typed.is_empty() && case.amount.is_none() {
                app.error = Some(format!("{}: {typed}", t(lang, "cases_bad_amount")));
            } else {
                app.save_case(case, Vec::new());
            }
        }
        if cancel {
            app.cases.editing = None;
        }
        return;
    }
    let title = case_title(&c, zh);
    ui.heading(title);
    ui.label(
        RichText::new(format!(
            "{} · {} · {} · {}",
            rule_name(rules, c.rule_id.as_deref(), zh),
            c.unit_id.clone().unwrap_or_default(),
            c.case_date.map(|d| d.to_string()).unwrap_or_default(),
            c.amount
                .map(|a| format!("{} {}", format::number(a, 2), t(lang, "yuan")))
                .unwrap_or_default()
        ))
        .weak(),
    );
    if !c.tags.is_empty() {
        ui.horizontal_wrapped(|ui| {
            for tag in &c.tags {
                if ui.small_button(format!("# {tag}")).clicked() {
                    app.cases.tag = Some(tag.clone());
                }
            }
        });
    }
    ui.add_space(6.0);
    for (key, field) in [
        ("cases_symptoms", &c.symptoms),
        ("cases_found_how", &c.found_how),
        ("cases_root_cause", &c.root_cause),
        ("cases_handling", &c.handling),
        ("cases_outcome", &c.outcome),
    ] {
        if let Some(text) = field.as_deref().filter(|s| !s.trim().is_empty()) {
            ui.label(RichText::new(t(lang, key)).strong());
            ui.label(text);
            ui.add_space(4.0);
        }
    }
    if !c.files.is_empty() {
        ui.label(RichText::new(t(lang, "cases_files")).strong());
        for f in &c.files {
            ui.horizontal(|ui| {
                ui.label(format!("· {f}"));
                if ui.small_button(t(lang, "cases_save_file")).clicked() {
                    app.ask(Purpose::SaveAttachment(f.clone()), ui.ctx());
                }
            });
        }
    }
}
