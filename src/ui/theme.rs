//! Fonts and visuals.

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
use egui::{FontData, FontFamily};

/// Noto Sans SC, GB 2312 subset (OFL, see assets/fonts/README.md).
const CJK_FALLBACK: &[u8] = crate::fonts::REGULAR;

/// Adds the bundled Chinese font behind egui's own fonts, so Chinese text renders on a
/// machine without CJK fonts; characters outside it still go to the system's fonts.
pub fn install_fonts(ctx: &egui::Context) {
    let families = [FontFamily::Proportional, FontFamily::Monospace]
        .into_iter()
        .map(|family| InsertFontFamily {
            family,
            priority: FontPriority::Lowest,
        })
        .collect();
    ctx.add_font(FontInsert::new(
        "noto-sans-sc-subset",
        FontData::from_static(CJK_FALLBACK),
        families,
    ));
}

pub fn apply_theme(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
}

/// The accent colour (links, the MAMS mark, coverage bars) of the theme.
pub fn accent(dark: bool) -> egui::Color32 {
    if dark {
        egui::Color32::from_rgb(90, 170, 255)
    } else {
        egui::Color32::from_rgb(20, 100, 190)
    }
}

/// A waterfall's rising and falling bars where the indicator has no better direction (a
/// blue and an orange that colour-blind readers tell apart; totals stay grey).
pub fn rise_fall_color(rise: bool) -> egui::Color32 {
    if rise {
        egui::Color32::from_rgb(31, 119, 180)
    } else {
        egui::Color32::from_rgb(230, 120, 20)
    }
}

/// The colour of a customer class, the same in every chart and both themes (a categorical
/// palette readable on light and dark backgrounds). None: no known class.
pub fn class_color(class: Option<&str>) -> egui::Color32 {
    let [r, g, b] = match class {
        Some("residential") => [78, 121, 167],
        Some("commercial") => [242, 142, 43],
        Some("industrial_large") => [225, 87, 89],
        Some("industrial_ordinary") => [176, 122, 161],
        Some("agricultural") => [89, 161, 79],
        Some(_) => [237, 201, 72],
        None => [148, 148, 148],
    };
    egui::Color32::from_rgb(r, g, b)
}
