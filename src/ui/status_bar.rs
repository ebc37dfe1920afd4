//! The status bar: running jobs with their progress and a Cancel button, and the last notice.

use egui::RichText;

use super::app::MamsApp;
use super::i18n::t;

pub fn show(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    ui.horizontal(|ui| {
        let jobs = app.jobs();
        if jobs.is_empty() {
            ui.label(RichText::new(t(lang, "ready")).weak());
        }
        for job in jobs {
            let snap = job.progress.snapshot();
            match snap.fraction {
                Some(f) if job.started => {
                    ui.add(egui::ProgressBar::new(f).desired_width(160.0).show_percentage());
                }
                _ => {
                    ui.spinner();
                }
            }
            ui.label(RichText::new(&job.name).strong());
            if !snap.message.is_empty() {
                ui.label(RichText::new(snap.message.pick(lang == super::i18n::Lang::Zh)).weak());
            }
            if ui.small_button(t(lang, "cancel")).clicked() {
                app.cancel_job(job.id);
            }
            ui.separator();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            // Personal data in what leaves MAMS: masked, or in full after a confirmation.
            let full = app.disclosure == crate::privacy::Disclosure::Full;
            let (label, color) = if full {
                (t(lang, "disclosure_full"), ui.visuals().warn_fg_color)
            } else {
                (t(lang, "disclosure_masked"), ui.visuals().weak_text_color())
            };
            let button = ui
                .small_button(RichText::new(label).color(color))
                .on_hover_text(t(lang, "disclosure_help"));
            if button.clicked() {
                if full {
                    app.disclosure = crate::privacy::Disclosure::Masked;
                } else {
                    app.asking_disclosure = true;
                }
            }
            if let Some(p) = &app.project
                && p.info.encrypted
            {
                ui.label(RichText::new(t(lang, "pass_encrypted_badge")).small())
                    .on_hover_text(t(lang, "pass_encrypted_help"));
            }
            if let Some((folder, slice)) = app.project.as_ref().and_then(|p| p.info.lake.as_ref()) {
                ui.label(RichText::new(format!("{} {slice}", t(lang, "lake_badge"))).small())
                    .on_hover_text(format!("{}\n{folder}", t(lang, "lake_help")));
            }
            if let Some(p) = &app.project {
                ui.label(
                    RichText::new(format!(
                        "{} {} · {}",
                        t(lang, "schema_version"),
                        p.info.schema_version,
                        p.path.display()
                    ))
                    .weak()
                    .small(),
                );
            }
            if let Some(n) = &app.notice {
                ui.label(n);
            }
        });
    });
}
