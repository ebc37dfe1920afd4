//! The side navigation: lists the pages that exist, each with its icon.

use super::app::MamsApp;
use super::i18n::t;

pub fn show(app: &mut MamsApp, ui: &mut egui::Ui) {
    let lang = app.lang();
    ui.add_space(8.0);
    ui.label(egui::RichText::new(t(lang, "pages")).weak().small());
    ui.add_space(4.0);
    for (id, icon, title_key) in app.page_list() {
        let selected = app.state.page == id;
        let button = egui::Button::selectable(selected, format!("{icon}  {}", t(lang, title_key)))
            .min_size(egui::vec2(ui.available_width(), 28.0));
        if ui.add(button).clicked() {
            app.state.page = id;
        }
    }
}
