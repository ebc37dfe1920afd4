//! The audit rules: the library (built-in and this project's own), each rule's parameters as
//! this project runs it (editable, with its default), how precise it has proved per city,
//! its query; and the editor of a project rule, checked before it is kept.

use std::collections::BTreeMap;

use egui::RichText;

use crate::audit::rules::{Category, Origin, Rule};
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::RulesData;
use crate::ui::jobs::{self, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Open, Page, PageId};
use crate::ui::widgets::header_row;

/// A project rule as typed in the editor.
#[derive(Clone)]
pub struct RuleDraft {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub category: Category,
    pub severity: u8,
    pub description: String,
    pub explanation_en: String,
    pub explanation_zh: String,
    pub query: String,
}

impl Default for RuleDraft {
    fn default() -> Self {
        RuleDraft {
            id: "my_rule".into(),
            name_en: String::new(),
            name_zh: String::new(),
            category: Category::Billing,
            severity: 2,
            description: String::new(),
            explanation_en: "{entity_id}".into(),
            explanation_zh: "{entity_id}".into(),
            query: crate::audit::rules::PROJECT_RULE_TEMPLATE.into(),
        }
    }
}

impl RuleDraft {
    fn from_rule(r: &Rule) -> Self {
        RuleDraft {
            id: r.id.clone(),
            name_en: r.name_en.clone(),
            name_zh: r.name_zh.clone(),
            category: r.category,
            severity: r.severity,
            description: r.description_en.clone(),
            explanation_en: r.explanation_en.clone(),
            explanation_zh: r.explanation_zh.clone(),
            query: r.sql.clone(),
        }
    }

    /// The metadata file of the rule, as `assets/rules/ID.json` holds it.
    pub fn meta_json(&self) -> String {
        serde_json::json!({
            "id": self.id.trim(),
            "name_en": self.name_en.trim(),
            "name_zh": self.name_zh.trim(),
            "category": self.category.id(),
            "severity": self.severity,
            "entity": "customer",
            "description_en": self.description.trim(),
            "description_zh": self.description.trim(),
            "params": [],
            "explanation_en": self.explanation_en,
            "explanation_zh": self.explanation_zh,
        })
        .to_string()
    }
}

#[derive(Default)]
pub struct RulesPage {
    pub data: Option<Result<RulesData, String>>,
    pub requested: bool,
    pub selected: Option<String>,
    /// Parameter values as being edited, for the selected rule.
    pub edits: BTreeMap<String, f64>,
    pub draft: Option<RuleDraft>,
    pub error: Option<String>,
}

fn precision_text(confirmed: u64, fp: u64) -> String {
    if confirmed + fp == 0 {
        "—".into()
    } else {
        format!(
            "{:.0} % ({confirmed}/{})",
            100.0 * confirmed as f64 / (confirmed + fp) as f64,
            confirmed + fp
        )
    }
}

impl Page for RulesPage {
    fn id(&self) -> PageId {
        PageId::Rules
    }
    fn title_key(&self) -> &'static str {
        "page_rules"
    }
    fn icon(&self) -> &'static str {
        "📜"
    }
    fn needs(&self) -> Needs {
        Needs::Project
    }
    fn refresh(&mut self, cx: &mut Cx) {
        if self.data.is_none() && !self.requested {
            self.requested = true;
            cx.spawn("job_rules", jobs::load_rules());
        }
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Rules(data) => {
                self.requested = false;
                self.data = Some(data);
            }
            Msg::RuleSaved(Ok(id)) => {
                cx.send(Command::Notice(format!("{} {id}", cx.t("rules_saved"))));
                self.error = None;
                if self.draft.take().is_some() {
                    self.selected = Some(id);
                }
                // Parameters or rules changed: suspects found from now on follow them.
                cx.send(Command::Changed(Changed::Rules));
            }
            Msg::RuleSaved(Err(e)) => {
                if self.draft.is_some() {
                    self.error = Some(e);
                } else {
                    cx.send(Command::Error(e));
                }
            }
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        match what {
            Changed::Project => *self = RulesPage::default(),
            // Precision follows the suspects' states.
            Changed::Rules | Changed::Suspects => self.data = None,
            _ => {}
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

fn show(page: &mut RulesPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    ui.horizontal(|ui| {
        ui.heading(RichText::new(t(lang, "page_rules")).strong());
        if page.requested {
            ui.spinner();
        }
        if ui.button(t(lang, "rules_new")).clicked() {
            page.draft = Some(RuleDraft::default());
            page.selected = None;
            page.error = None;
        }
    });
    let data = match page.data.clone() {
        None => return,
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        Some(Ok(d)) => d,
    };
    for p in &data.problems {
        ui.colored_label(ui.visuals().warn_fg_color, p);
    }
    ui.separator();
    if page.selected.is_some() || page.draft.is_some() {
        egui::Panel::right("rule_detail")
            .resizable(true)
            .default_size((ui.available_width() * 0.55).max(460.0))
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("rule_detail_scroll")
                    .show(ui, |ui| {
                        if page.draft.is_some() {
                            draft_ui(page, cx, ui);
                        } else {
                            rule_detail(page, cx, ui, &data);
                        }
                    });
            });
    }
    egui::CentralPanel::default().show(ui, |ui| {
        ui.style_mut().interaction.selectable_labels = false;
        egui::ScrollArea::vertical().id_salt("rule_list").show(ui, |ui| {
            egui::Grid::new("rule_grid")
                .striped(true)
                .spacing([14.0, 6.0])
                .show(ui, |ui| {
                    header_row(
                        ui,
                        lang,
                        &[
                            "audit_rule",
                            "rules_category",
                            "audit_severity",
                            "rules_precision",
                        ],
                    );
                    for r in &data.rules {
                        let selected = page.selected.as_deref() == Some(r.id.as_str());
                        let mut name = r.name(zh).to_string();
                        if r.origin == Origin::Project {
                            name.push_str(&format!(" ({})", t(lang, "rules_project_rule")));
                        }
                        if ui.selectable_label(selected, name).clicked() {
                            page.selected = Some(r.id.clone());
                            page.draft = None;
                            page.edits = r.values(&data.overrides).into_iter().collect();
                            page.error = None;
                        }
                        ui.label(r.category.name(zh));
                        ui.label(match r.severity {
                            3 => t(lang, "severity_high"),
                            2 => t(lang, "severity_medium"),
                            _ => t(lang, "severity_low"),
                        });
                        let (c, f) = data
                            .precision
                            .iter()
                            .filter(|p| p.rule_id == r.id)
                            .fold((0, 0), |(c, f), p| (c + p.confirmed, f + p.false_positives));
                        ui.label(precision_text(c, f));
                        ui.end_row();
                    }
                });
        });
    });
}

fn rule_detail(page: &mut RulesPage, cx: &mut Cx, ui: &mut egui::Ui, data: &RulesData) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let Some(r) = data.rules.iter().find(|r| Some(&r.id) == page.selected.as_ref()) else {
        return;
    };
    ui.horizontal(|ui| {
        if ui.button("×").clicked() {
            page.selected = None;
        }
        ui.label(RichText::new(&r.id).monospace().weak());
    });
    ui.heading(r.name(zh));
    ui.label(r.description(zh));
    if let (Some(month), Some(unit)) = (cx.period, cx.unit_id.clone())
        && ui.button(t(lang, "rules_run_one")).clicked()
    {
        let spec = crate::audit::run::RunSpec::new(month, month, &unit, vec![r.id.clone()]);
        cx.send(Command::Open(PageId::Audit, Open::Run(spec)));
    }
    ui.label(
        RichText::new(format!(
            "{}: {}",
            t(lang, "rules_explanation"),
            r.explanation_template(zh)
        ))
        .weak(),
    );
    ui.add_space(6.0);
    if !r.params.is_empty() {
        ui.strong(t(lang, "rules_params"));
        let mut changed = Vec::new();
        egui::Grid::new("rule_params")
            .num_columns(4)
            .spacing([10.0, 4.0])
            .show(ui, |ui| {
                for p in &r.params {
                    ui.label(if zh { &p.label_zh } else { &p.label_en });
                    let v = page.edits.entry(p.name.clone()).or_insert(p.default);
                    let mut drag = egui::DragValue::new(v).speed((p.default.abs() * 0.01).max(0.01));
                    if let Some(min) = p.min {
                        drag = drag.range(min..=p.max.unwrap_or(f64::MAX));
                    }
                    ui.add(drag);
                    ui.label(RichText::new(&p.unit).weak());
                    ui.label(RichText::new(format!("{} {}", t(lang, "rules_default"), p.default)).weak());
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            if ui.button(t(lang, "save")).clicked() {
                for p in &r.params {
                    let v = page.edits.get(&p.name).copied().unwrap_or(p.default);
                    changed.push((p.name.clone(), (v != p.default).then_some(v)));
                }
            }
            if ui.button(t(lang, "rules_reset")).clicked() {
                for p in &r.params {
                    changed.push((p.name.clone(), None));
                }
                page.edits = r.params.iter().map(|p| (p.name.clone(), p.default)).collect();
            }
        });
        if !changed.is_empty() {
            cx.spawn("job_rule_save", jobs::set_rule_params(r.id.clone(), changed));
        }
        ui.label(RichText::new(t(lang, "rules_params_note")).weak().small());
        ui.add_space(6.0);
    }
    let rows: Vec<_> = data.precision.iter().filter(|p| p.rule_id == r.id).collect();
    ui.strong(t(lang, "rules_precision_by_city"));
    if rows.is_empty() {
        ui.label(RichText::new(t(lang, "rules_no_verdicts")).weak());
    } else {
        egui::Grid::new("rule_precision").striped(true).show(ui, |ui| {
            let names = cx.project.clone();
            for p in rows {
                let name = names
                    .as_ref()
                    .and_then(|v| v.org.iter().find(|o| o.unit_id == p.unit_id))
                    .map(|o| lang.pick(&o.name_en, &o.name_zh).to_string())
                    .unwrap_or_else(|| p.unit_id.clone());
                ui.label(name);
                ui.label(precision_text(p.confirmed, p.false_positives));
                ui.end_row();
            }
        });
    }
    ui.add_space(6.0);
    // Whether the Spark runner can run it too (docs/province-scale.md).
    if r.not_portable.is_empty() {
        ui.label(RichText::new(t(lang, "rules_portable")).weak());
    } else {
        ui.label(RichText::new(t(lang, "rules_duckdb_only")).color(ui.visuals().warn_fg_color));
        for f in &r.not_portable {
            ui.label(
                RichText::new(if lang == Lang::Zh {
                    format!("第 {} 行：{} — {}", f.line, f.construct, f.why_zh)
                } else {
                    format!("Line {}: {} — {}", f.line, f.construct, f.why_en)
                })
                .small(),
            );
        }
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.strong(t(lang, "rules_query"));
        if r.origin == Origin::Project {
            if ui.button(t(lang, "cases_edit")).clicked() {
                page.draft = Some(RuleDraft::from_rule(r));
            }
            if ui.button(t(lang, "rules_delete")).clicked() {
                page.selected = None;
                cx.spawn(
                    "job_rule_save",
                    jobs::save_project_rule(String::new(), None, r.id.clone()),
                );
            }
        }
    });
    let mut sql = r.sql.clone();
    ui.add(
        egui::TextEdit::multiline(&mut sql)
            .code_editor()
            .interactive(false)
            .desired_width(f32::INFINITY),
    );
}

fn draft_ui(page: &mut RulesPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let Some(d) = page.draft.as_mut() else { return };
    ui.heading(t(lang, "rules_new"));
    ui.label(RichText::new(t(lang, "rules_new_help")).weak());
    let mut save = false;
    let mut cancel = false;
    ui.horizontal(|ui| {
        save = ui.button(t(lang, "rules_check_save")).clicked();
        cancel = ui.button(t(lang, "cancel")).clicked();
    });
    egui::Grid::new("rule_draft")
        .num_columns(2)
        .spacing([8.0, 4.0])
        .show(ui, |ui| {
            ui.label("id");
            ui.text_edit_singleline(&mut d.id);
            ui.end_row();
            ui.label(t(lang, "rules_name_en"));
            ui.text_edit_singleline(&mut d.name_en);
            ui.end_row();
            ui.label(t(lang, "rules_name_zh"));
            ui.text_edit_singleline(&mut d.name_zh);
            ui.end_row();
            ui.label(t(lang, "rules_category"));
            egui::ComboBox::from_id_salt("draft_category")
                .selected_text(d.category.name(zh))
                .show_ui(ui, |ui| {
                    for c in Category::ALL {
                        ui.selectable_value(&mut d.category, c, c.name(zh));
                    }
                });
            ui.end_row();
            ui.label(t(lang, "audit_severity"));
            ui.horizontal(|ui| {
                for (s, key) in [(1, "severity_low"), (2, "severity_medium"), (3, "severity_high")] {
                    ui.selectable_value(&mut d.severity, s, t(lang, key));
                }
            });
            ui.end_row();
            ui.label(t(lang, "rules_description"));
            ui.text_edit_singleline(&mut d.description);
            ui.end_row();
            ui.label(t(lang, "rules_explanation_en"));
            ui.text_edit_singleline(&mut d.explanation_en);
            ui.end_row();
            ui.label(t(lang, "rules_explanation_zh"));
            ui.text_edit_singleline(&mut d.explanation_zh);
            ui.end_row();
        });
    ui.label(t(lang, "rules_query"));
    ui.add(
        egui::TextEdit::multiline(&mut d.query)
            .code_editor()
            .desired_rows(10)
            .desired_width(f32::INFINITY),
    );
    if let Some(e) = &page.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    if save {
        let d = d.clone();
        page.error = None;
        cx.spawn(
            "job_rule_save",
            jobs::save_project_rule(d.meta_json(), Some(d.query), d.id),
        );
    }
    if cancel {
        page.draft = None;
        page.error = None;
    }
}
