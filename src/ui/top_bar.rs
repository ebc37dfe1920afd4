//! The top bar: menus, where the user is (project, period, org unit), language and theme.

use egui::RichText;

use super::app::MamsApp;
use super::dialogs::Purpose;
use super::i18n::{Lang, t};
use super::org;

pub fn show(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    let ctx = ui.ctx().clone();
    ui.add_space(2.0);
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button(t(lang, "menu_file"), |ui| {
            if ui.button(t(lang, "new_project")).clicked() {
                app.ask(Purpose::NewProject, None);
            }
            if ui.button(t(lang, "open_project")).clicked() {
                app.ask(Purpose::OpenProject, None);
            }
            if ui.button(t(lang, "open_sample")).clicked() {
                app.open_sample();
            }
            ui.separator();
            if ui.button(t(lang, "new_encrypted_project")).clicked() {
                app.ask(Purpose::NewEncryptedProject, None);
            }
            // Encryption of the open project (not while a job uses it: it is closed meanwhile).
            if let Some(p) = app.project.clone() {
                use super::passphrase::Purpose as Pass;
                let idle = !app.is_busy();
                let offered: &[(&str, Pass)] = if p.info.encrypted {
                    &[
                        ("pass_change_menu", Pass::Change),
                        ("pass_remove_menu", Pass::Remove),
                    ]
                } else {
                    &[("pass_encrypt_menu", Pass::Encrypt)]
                };
                for (key, purpose) in offered {
                    if ui.add_enabled(idle, egui::Button::new(t(lang, key))).clicked() {
                        app.ask_passphrase(purpose.clone());
                    }
                }
            }
            ui.separator();
            if ui
                .add_enabled(app.project.is_some(), egui::Button::new(t(lang, "phone_menu")))
                .clicked()
            {
                app.phone.open = true;
            }
            ui.separator();
            let can_import = app.project.is_some();
            if ui
                .add_enabled(can_import, egui::Button::new(t(lang, "import_folder")))
                .clicked()
            {
                app.ask(Purpose::ImportFolder, None);
            }
            if ui.button(t(lang, "lake_attach_menu")).clicked() {
                app.ask(Purpose::AttachLake, None);
            }
            ui.separator();
            if ui.button(t(lang, "quit")).clicked() {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button(t(lang, "menu_view"), |ui| {
            ui.label(t(lang, "language"));
            for l in [Lang::En, Lang::Zh] {
                ui.radio_value(&mut app.state.lang, l, l.native_name());
            }
            ui.separator();
            ui.checkbox(&mut app.state.dark, t(lang, "theme_dark"));
        });
        ui.menu_button(t(lang, "menu_help"), |ui| {
            if ui.button(t(lang, "about_title")).clicked() {
                app.about_open = true;
            }
        });
        ui.separator();
        ui.label(
            RichText::new("MAMS")
                .strong()
                .color(super::theme::accent(app.state.dark)),
        );
        let Some(project) = app.project.clone() else {
            ui.label(RichText::new(t(lang, "no_project")).weak());
            right_controls(app, ui);
            return;
        };
        ui.label(RichText::new(&project.name).strong())
            .on_hover_text(project.path.display().to_string());
        ui.separator();

        // Period.
        ui.label(t(lang, "period"));
        let months = &project.months;
        let current = app.period();
        let text = current
            .map(|m| m.format("%Y-%m").to_string())
            .unwrap_or_else(|| t(lang, "no_months").to_string());
        let mut chosen = current;
        egui::ComboBox::from_id_salt("period_picker")
            .selected_text(text)
            .width(96.0)
            .show_ui(ui, |ui| {
                for m in months.iter().rev() {
                    ui.selectable_value(&mut chosen, Some(*m), m.format("%Y-%m").to_string());
                }
            });
        if chosen != current {
            app.set_period(chosen);
        }
        ui.separator();

        // Org unit, with the way back up as a breadcrumb.
        ui.label(t(lang, "org_unit"));
        if let Some(unit_id) = app.unit_id() {
            let org_units = &project.org;
            let path = org::ancestors(org_units, &unit_id);
            for (i, u) in path.iter().enumerate() {
                let name = lang.pick(&u.name_en, &u.name_zh).to_string();
                if i + 1 < path.len() {
                    if ui.link(name).clicked() {
                        app.set_unit(u.unit_id.clone());
                    }
                    ui.label(RichText::new("›").weak());
                } else {
                    unit_picker(app, ui, org_units, name);
                }
            }
        }
        right_controls(app, ui);
    });
    ui.add_space(2.0);
}

fn unit_picker(
    app: &mut MamsApp,
    ui: &mut egui::Ui,
    units: &[crate::store::queries::OrgUnit],
    label: String,
) {
    let lang = app.lang();
    ui.menu_button(RichText::new(label).strong(), |ui| {
        ui.set_min_width(320.0);
        ui.horizontal(|ui| {
            ui.label(t(lang, "search_units"));
            ui.text_edit_singleline(&mut app.unit_search);
        });
        ui.separator();
        egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
            let needle = app.unit_search.trim().to_lowercase();
            let selected = app.unit_id();
            for (u, depth) in org::depth_first(units) {
                let name = lang.pick(&u.name_en, &u.name_zh);
                if !needle.is_empty()
                    && !u.name_zh.to_lowercase().contains(&needle)
                    && !u.name_en.to_lowercase().contains(&needle)
                    && !u.unit_id.to_lowercase().contains(&needle)
                {
                    continue;
                }
                ui.horizontal(|ui| {
                    ui.add_space(depth as f32 * 14.0);
                    let is_sel = selected.as_deref() == Some(u.unit_id.as_str());
                    if ui.selectable_label(is_sel, name).clicked() {
                        app.set_unit(u.unit_id.clone());
                        ui.close();
                    }
                });
            }
        });
    });
}

fn right_controls(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        if let Some(view) = app.current_view()
            && ui
                .button(format!("➕ {}", t(lang, "presenter_add_view")))
                .on_hover_text(t(lang, "presenter_add_view_hint"))
                .clicked()
        {
            app.add_view(view);
        }
        let other = match lang {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        };
        if ui
            .button(other.native_name())
            .on_hover_text(t(lang, "language"))
            .clicked()
        {
            app.state.lang = other;
        }
        let theme_key = if app.state.dark {
            "theme_light"
        } else {
            "theme_dark"
        };
        if ui.button(t(lang, theme_key)).clicked() {
            app.state.dark = !app.state.dark;
        }
    });
}
