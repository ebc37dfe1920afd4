//! The desktop app (egui): a thin layer over the headless core.

pub mod about;
pub mod app;
pub mod app_state;
pub mod chart_export;
pub mod dialogs;
pub mod i18n;
pub mod jobs;
pub mod lake_attach;
pub mod org;
pub mod page;
pub mod pages;
pub mod passphrase;
pub mod phone;
pub mod rows_window;
pub mod scope_slot;
pub mod side_nav;
pub mod status_bar;
pub mod theme;
pub mod top_bar;
pub mod widgets;

use std::path::PathBuf;

pub use app::{AppOptions, MamsApp};

/// Starts the app window.
/// The window's icon (the app icon of the packages, assets/icons/).
fn window_icon() -> std::sync::Arc<egui::IconData> {
    let png = include_bytes!("../../assets/icons/mams-256.png");
    std::sync::Arc::new(eframe::icon_data::from_png_bytes(png).unwrap_or_default())
}

pub fn run(project: Option<PathBuf>) -> anyhow::Result<()> {
    let launched = std::time::Instant::now();
    if let Some(p) = &project {
        crate::paths::check_project_arg(p)?;
    }
    let options = AppOptions {
        project,
        settings_file: Some(crate::paths::config_dir().join("settings.json")),
        sample_project: crate::paths::sample_project(),
        sample_db: crate::paths::bundled_sample_db(),
        lang: None,
        launched: Some(launched),
    };
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("MAMS")
            .with_app_id("mams")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([900.0, 560.0])
            .with_icon(window_icon()),
        ..Default::default()
    };
    eframe::run_native(
        "MAMS",
        native,
        Box::new(|_cc| {
            let mut app = MamsApp::new(options);
            app.crash = crate::logs::take_unseen_crash(&crate::logs::dir());
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot start the window: {e}"))
}
