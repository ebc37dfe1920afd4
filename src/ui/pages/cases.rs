//! The case library: search (Chinese or English), browse by theme and tag, sort by date or
//! amount; read, edit and attach files to a case; import and export the library.

use egui::RichText;

use crate::audit::cases;
use crate::audit::rules::Rule;
use crate::metrics::format;
use crate::store::cases::Case;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{self, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Open, Page, PageId};

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
    /// Only the cases of this unit (opened from a benchmark's best unit).
    pub unit: Option<String>,
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
                    && self.unit.as_ref().is_none_or(|u| c.unit_id.as_ref() == Some(u))
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

impl Page for CasesPage {
    fn id(&self) -> PageId {
        PageId::Cases
    }
    fn title_key(&self) -> &'static str {
        "page_cases"
    }
    fn icon(&self) -> &'static str {
        "📚"
    }
    fn needs(&self) -> Needs {
        Needs::Project
    }
    fn refresh(&mut self, cx: &mut Cx) {
        if self.list.is_none() && !self.requested {
            self.requested = true;
            cx.spawn("job_cases", jobs::load_cases());
        }
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Cases(list) => {
                self.requested = false;
                self.list = Some(list);
            }
            Msg::CaseSaved(Ok(id)) => {
                cx.send(Command::Notice(format!("{} {id}", cx.t("cases_saved"))));
                cx.send(Command::Changed(Changed::Cases));
                self.open(Open::Case(id), cx);
            }
            Msg::CasesMerged(Ok(what)) => {
                cx.send(Command::Notice(format!("{} {what}", cx.t("cases_library"))));
                cx.send(Command::Changed(Changed::Cases));
            }
            Msg::CaseSaved(Err(e)) | Msg::CasesMerged(Err(e)) => cx.send(Command::Error(e)),
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        match what {
            Changed::Project => *self = CasesPage::default(),
            Changed::Cases => self.list = None,
            _ => {}
        }
    }
    fn open(&mut self, what: Open, _cx: &mut Cx) {
        match what {
            Open::Case(id) => {
                self.editing = None;
                self.selected = Some(id);
            }
            Open::UnitCases(unit) => {
                self.unit = Some(unit);
                self.editing = None;
            }
            _ => {}
        }
    }
    fn answered(&mut self, purpose: Purpose, paths: Vec<std::path::PathBuf>, cx: &mut Cx) {
        let Some(first) = paths.first().cloned() else {
            return;
        };
        match purpose {
            Purpose::ImportCases => {
                cx.spawn("job_cases_import", jobs::import_cases(first));
            }
            Purpose::ExportCases => {
                cx.spawn("job_cases_export", jobs::export_cases(first, cx.disclosure));
            }
            Purpose::AttachToCase => {
                let case = self
                    .list
                    .as_ref()
                    .and_then(|l| l.as_ref().ok())
                    .and_then(|l| l.iter().find(|c| Some(&c.case_id) == self.selected.as_ref()))
                    .cloned();
                if let Some(case) = case {
                    self.save_case(cx, case, paths);
                }
            }
            Purpose::SaveAttachment(name) => {
                if let Some(case_id) = self.selected.clone() {
                    cx.spawn("job_cases_export", jobs::save_attachment(case_id, name, first));
                }
            }
            _ => {}
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

impl CasesPage {
    /// Saves a case (and attaches files) in the background.
    fn save_case(&mut self, cx: &mut Cx, case: Case, attachments: Vec<std::path::PathBuf>) {
        cx.spawn("job_case_save", jobs::save_case(case, attachments));
    }
}

fn show(page: &mut CasesPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let rules = crate::audit::rules::builtin();
    ui.horizontal(|ui| {
        ui.heading(RichText::new(t(lang, "page_cases")).strong());
        if page.requested {
            ui.spinner();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button(t(lang, "cases_export")).clicked() {
                cx.send(Command::Ask(Purpose::ExportCases));
            }
            if ui.button(t(lang, "cases_import")).clicked() {
                cx.send(Command::Ask(Purpose::ImportCases));
            }
        });
    });
    let all = match page.list.clone() {
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
            egui::TextEdit::singleline(&mut page.query)
                .hint_text(t(lang, "cases_search"))
                .desired_width(260.0),
        );
        ui.label(t(lang, "audit_rule"));
        let rule_text = page
            .rule
            .as_deref()
            .map(|r| rule_name(rules, Some(r), zh))
            .unwrap_or_else(|| t(lang, "all").to_string());
        egui::ComboBox::from_id_salt("case_rule")
            .selected_text(rule_text)
            .height(420.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.rule, None, t(lang, "all"));
                for r in rules {
                    ui.selectable_value(&mut page.rule, Some(r.id.clone()), r.name(zh));
                }
            });
        ui.label(t(lang, "cases_tag"));
        egui::ComboBox::from_id_salt("case_tag")
            .selected_text(page.tag.clone().unwrap_or_else(|| t(lang, "all").to_string()))
            .height(420.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.tag, None, t(lang, "all"));
                for tag in &tags {
                    ui.selectable_value(&mut page.tag, Some(tag.clone()), tag);
                }
            });
        ui.label(t(lang, "cases_sort"));
        ui.selectable_value(&mut page.sort, SortBy::Date, t(lang, "cases_by_date"));
        ui.selectable_value(&mut page.sort, SortBy::Amount, t(lang, "cases_by_amount"));
        if let Some(unit) = page.unit.clone()
            && crate::ui::widgets::chip(ui, &format!("{}: {}", t(lang, "audit_unit"), cx.unit_name(&unit)))
                .clicked()
        {
            page.unit = None;
        }
    });
    ui.separator();
    let visible = page.visible(&all);
    if page.selected.is_some() {
        egui::Panel::right("case_detail")
            .resizable(true)
            .default_size((ui.available_width() * 0.5).max(420.0))
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("case_detail_scroll")
                    .show(ui, |ui| case_detail(page, cx, ui, &all, rules));
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
                let selected = page.selected.as_deref() == Some(c.case_id.as_str());
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
                    page.selected = Some(c.case_id.clone());
                    page.editing = None;
                }
            }
        });
    });
}

fn case_detail(page: &mut CasesPage, cx: &mut Cx, ui: &mut egui::Ui, all: &[Case], rules: &[Rule]) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let Some(id) = page.selected.clone() else {
        return;
    };
    let Some(c) = all.iter().find(|c| c.case_id == id).cloned() else {
        page.selected = None;
        return;
    };
    ui.horizontal(|ui| {
        if ui.button("×").on_hover_text(t(lang, "close")).clicked() {
            page.selected = None;
            page.editing = None;
        }
        ui.label(RichText::new(&c.case_id).weak());
        if page.editing.is_none() && ui.button(t(lang, "cases_edit")).clicked() {
            let tags = c.tags.join(", ");
            let amount = c.amount.map(|a| a.to_string()).unwrap_or_default();
            page.editing = Some((c.clone(), tags, amount));
        }
        if ui.button(t(lang, "cases_attach")).clicked() {
            cx.send(Command::Ask(Purpose::AttachToCase));
        }
    });
    if let Some((edit, tags, amount)) = page.editing.as_mut() {
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
                cx.send(Command::Error(format!(
                    "{}: {typed}",
                    t(lang, "cases_bad_amount")
                )));
            } else {
                page.save_case(cx, case, Vec::new());
            }
        }
        if cancel {
            page.editing = None;
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
                    page.tag = Some(tag.clone());
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
                    cx.send(Command::Ask(Purpose::SaveAttachment(f.clone())));
                }
            });
        }
    }
}
