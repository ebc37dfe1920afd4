//! Import files: choose (or drop) CSV, Excel or Parquet extracts, check how their columns
//! map to the table's fields, look at the rows as they will be stored and at the rows that
//! will be rejected, then import with progress and Cancel. The result lists the rejects,
//! exportable to CSV. What the preview shows is drawn in `preview.rs`.

mod preview;

use std::path::PathBuf;

use egui::{Color32, RichText};

use crate::import::file::{FileOptions, FileReport, Preview};
use crate::import::source::Encoding;
use crate::metrics::format::group_digits;
use crate::model;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{self, Msg};
use crate::ui::page::{Command, Cx, Needs, Open, Page, PageId};
use preview::{commit_controls, mapping_editor, rejects_summary, result, sample};

/// The page's state: what the user chose and what the worker found.
#[derive(Default)]
pub struct ImportPage {
    pub files: Vec<PathBuf>,
    /// The table chosen; None: guessed from the headers.
    pub table: Option<String>,
    /// Encoding, sheet, skipped lines, the edited mapping, profile, replace and
    /// all-or-nothing: exactly what the import will be run with.
    pub opts: FileOptions,
    pub save_as: String,
    pub preview: Option<Preview>,
    pub report: Option<FileReport>,
    /// The settings changed since the last preview.
    pub stale: bool,
    preview_job: Option<u64>,
}

impl ImportPage {
    /// New files: everything chosen for the old ones is dropped.
    pub fn set_files(&mut self, files: Vec<PathBuf>) {
        *self = ImportPage {
            files,
            stale: true,
            ..ImportPage::default()
        };
    }

    /// Whether the import can run as set up now.
    pub fn ready(&self) -> bool {
        self.preview.as_ref().is_some_and(|p| {
            p.missing_required.is_empty()
                && p.rows > 0
                && (p.overlapping.is_empty() || self.opts.replace_period)
        }) && !self.stale
    }
}

fn encoding_label(lang: Lang, e: Option<Encoding>) -> String {
    match e {
        None => t(lang, "encoding_auto").to_string(),
        Some(e) => e.name().to_string(),
    }
}

impl Page for ImportPage {
    fn id(&self) -> PageId {
        PageId::Import
    }
    fn title_key(&self) -> &'static str {
        "page_import"
    }
    fn icon(&self) -> &'static str {
        "📥"
    }
    fn needs(&self) -> Needs {
        Needs::Nothing
    }
    /// Re-runs the preview when the settings changed (one at a time: a newer request
    /// cancels the older).
    fn refresh(&mut self, cx: &mut Cx) {
        if !self.stale || cx.project.is_none() {
            return;
        }
        let Some(file) = self.files.first().cloned() else {
            return;
        };
        self.stale = false;
        if let Some(id) = self.preview_job.take() {
            cx.cancel(id);
        }
        let job = jobs::preview(file, self.table.clone(), self.opts.clone());
        self.preview_job = Some(cx.spawn("job_preview", job));
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Preview(Ok(preview)) => {
                if self.table.is_none() {
                    self.table = Some(preview.table.clone());
                }
                self.preview = Some(preview);
            }
            Msg::Preview(Err(e)) => {
                self.preview = None;
                cx.send(Command::Error(e));
            }
            Msg::FilesImported(Ok((report, view))) => {
                cx.send(Command::Notice(format!(
                    "{} {} / {} ({} {})",
                    cx.t("stored_rows"),
                    group_digits(report.rows_stored),
                    group_digits(report.rows_in),
                    cx.t("rows_rejected"),
                    group_digits(report.rows_rejected)
                )));
                self.report = Some(report);
                cx.send(Command::ShowProject(Box::new(view)));
            }
            Msg::FilesImported(Err(e)) => cx.send(Command::Error(e)),
            other => return Some(other),
        }
        None
    }
    fn open(&mut self, what: Open, _cx: &mut Cx) {
        if let Open::Files(files) = what {
            self.set_files(files);
        }
    }
    fn answered(&mut self, purpose: Purpose, paths: Vec<PathBuf>, cx: &mut Cx) {
        match purpose {
            Purpose::ImportFiles => match crate::import::file::expand(&paths) {
                Ok(files) => self.set_files(files),
                Err(e) => cx.send(Command::Error(format!("{e:#}"))),
            },
            Purpose::ExportRejects => {
                let (Some(path), Some(report)) = (paths.first(), &self.report) else {
                    return;
                };
                // Up to 100,000 rows as XLSX: written by the worker, not by the window.
                cx.spawn(
                    "job_export_rejects",
                    jobs::write_rejects(report.rejects.clone(), path.clone(), cx.disclosure),
                );
            }
            _ => {}
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

impl ImportPage {
    /// Imports the chosen files with the page's settings.
    fn import_now(&mut self, cx: &mut Cx) {
        let Some(table) = self
            .table
            .clone()
            .or(self.preview.as_ref().map(|p| p.table.clone()))
        else {
            return;
        };
        let mut opts = self.opts.clone();
        if opts.mapping.is_none() {
            opts.mapping = self.preview.as_ref().map(|p| p.mapping.clone());
        }
        let save = Some(self.save_as.clone()).filter(|s| !s.trim().is_empty());
        let job = jobs::import_files(table, self.files.clone(), opts, save);
        cx.spawn("job_import_files", job);
    }
}

fn show(page: &mut ImportPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading(RichText::new(t(lang, "page_import")).strong());
            ui.label(RichText::new(t(lang, "import_hint")).weak());
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.button(t(lang, "choose_files")).clicked() {
                    cx.send(Command::Ask(Purpose::ImportFiles));
                }
                for f in &page.files {
                    ui.label(RichText::new(crate::import::source::file_name(f)).monospace())
                        .on_hover_text(f.display().to_string());
                }
            });
            if page.files.is_empty() {
                return;
            }
            ui.add_space(6.0);
            settings(page, cx, ui);
            ui.add_space(8.0);
            if running_jobs(cx, ui) {
                return;
            }
            if let Some(report) = page.report.clone() {
                result(page, cx, ui, &report);
                return;
            }
            let Some(preview) = page.preview.clone() else {
                ui.spinner();
                return;
            };
            mapping_editor(page, cx, ui, &preview);
            ui.add_space(8.0);
            if !preview.missing_required.is_empty() {
                ui.colored_label(
                    Color32::from_rgb(200, 60, 40),
                    format!(
                        "{}: {}",
                        t(lang, "map_required"),
                        preview.missing_required.join(", ")
                    ),
                );
                return;
            }
            sample(lang, ui, &preview);
            ui.add_space(8.0);
            rejects_summary(lang, ui, &preview.rejects, preview.rejected_rows, preview.rows);
            ui.add_space(8.0);
            commit_controls(page, cx, ui, &preview);
        });
}

/// While the file is checked or imported: its progress (rows per second, time left) and
/// Cancel, in the page where the user is looking. True while something runs.
fn running_jobs(cx: &mut Cx, ui: &mut egui::Ui) -> bool {
    let lang = cx.lang;
    let jobs = cx.jobs();
    for job in &jobs {
        let snap = job.progress.snapshot();
        ui.label(RichText::new(&job.name).size(17.0).strong());
        ui.horizontal(|ui| {
            match snap.fraction {
                Some(f) if job.started => {
                    ui.add(egui::ProgressBar::new(f).desired_width(360.0).show_percentage());
                }
                _ => {
                    ui.spinner();
                }
            }
            if ui.button(t(lang, "cancel")).clicked() {
                cx.cancel(job.id);
            }
        });
        ui.label(RichText::new(snap.message.pick(lang == Lang::Zh)).weak());
        ui.add_space(6.0);
    }
    !jobs.is_empty()
}

fn settings(page: &mut ImportPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let before = (
        page.table.clone(),
        page.opts.encoding,
        page.opts.sheet.clone(),
        page.opts.skip_lines,
        page.opts.profile.clone(),
        page.opts.replace_period,
    );
    ui.horizontal_wrapped(|ui| {
        ui.label(t(lang, "target_table"));
        let current = page
            .table
            .as_deref()
            .or(page.preview.as_ref().map(|p| p.table.as_str()))
            .and_then(model::table)
            .map(|m| lang.pick(m.label_en, m.label_zh).to_string())
            .unwrap_or_default();
        egui::ComboBox::from_id_salt("import_table")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for m in model::TABLES {
                    ui.selectable_value(
                        &mut page.table,
                        Some(m.name.to_string()),
                        lang.pick(m.label_en, m.label_zh),
                    );
                }
            });
        ui.separator();
        ui.label(t(lang, "encoding"));
        egui::ComboBox::from_id_salt("import_encoding")
            .selected_text(encoding_label(lang, page.opts.encoding))
            .show_ui(ui, |ui| {
                for e in [
                    None,
                    Some(Encoding::Utf8),
                    Some(Encoding::Gb18030),
                    Some(Encoding::Utf16Le),
                    Some(Encoding::Utf16Be),
                    Some(Encoding::Latin1),
                ] {
                    ui.selectable_value(&mut page.opts.encoding, e, encoding_label(lang, e));
                }
            });
        if let Some(sheets) = page
            .preview
            .as_ref()
            .map(|p| p.sheets.clone())
            .filter(|s| !s.is_empty())
        {
            ui.separator();
            ui.label(t(lang, "sheet"));
            egui::ComboBox::from_id_salt("import_sheet")
                .selected_text(page.opts.sheet.clone().unwrap_or_else(|| sheets[0].clone()))
                .show_ui(ui, |ui| {
                    for s in sheets {
                        ui.selectable_value(&mut page.opts.sheet, Some(s.clone()), s);
                    }
                });
        }
        ui.separator();
        ui.label(t(lang, "skip_lines"));
        ui.add(egui::DragValue::new(&mut page.opts.skip_lines).range(0..=50));
        let profiles = cx
            .project
            .as_ref()
            .map(|p| p.profiles.clone())
            .unwrap_or_default();
        if !profiles.is_empty() {
            ui.separator();
            ui.label(t(lang, "profile"));
            let mut chosen = page.opts.profile.clone();
            egui::ComboBox::from_id_salt("import_profile")
                .selected_text(
                    chosen
                        .clone()
                        .unwrap_or_else(|| t(lang, "no_profile").to_string()),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut chosen, None, t(lang, "no_profile"));
                    for (name, m) in &profiles {
                        ui.selectable_value(&mut chosen, Some(name.clone()), format!("{name} ({})", m.table));
                    }
                });
            if chosen != page.opts.profile {
                page.opts.mapping = chosen
                    .as_ref()
                    .and_then(|c| profiles.iter().find(|(n, _)| n == c).map(|(_, m)| m.clone()));
                if let Some(m) = &page.opts.mapping {
                    page.table = Some(m.table.clone());
                }
                page.opts.profile = chosen;
            }
        }
    });
    let after = (
        page.table.clone(),
        page.opts.encoding,
        page.opts.sheet.clone(),
        page.opts.skip_lines,
        page.opts.profile.clone(),
        page.opts.replace_period,
    );
    if before != after {
        // Another table needs another mapping; the rest keeps the edited one.
        if before.0 != after.0 && page.opts.profile.is_none() {
            page.opts.mapping = None;
        }
        page.stale = true;
        page.report = None;
    }
}
