//! Saving a chart as a PNG for a slide: a screenshot of the window is asked for, the chart's
//! rectangle cut out of it, and, once the user has chosen where, written as PNG off the UI
//! thread.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::app::MamsApp;
use super::dialogs::Purpose;
use super::i18n::t;

/// A chart image waiting to be placed: filled by the screenshot callback.
pub type Slot = Arc<Mutex<Option<egui::ColorImage>>>;

/// A small button that saves the chart drawn in `rect` as a PNG.
pub fn save_png_button(ui: &mut egui::Ui, app: &MamsApp, rect: egui::Rect) {
    let lang = app.lang();
    if ui
        .small_button(t(lang, "chart_png"))
        .on_hover_text(t(lang, "chart_png_help"))
        .clicked()
    {
        let slot = app.chart_shot.clone();
        let ctx = ui.ctx().clone();
        let ppp = ctx.pixels_per_point();
        // A little margin so that the axis labels at the edges are kept.
        let rect = rect.expand(4.0);
        ui.ctx().request_screenshot(move |image| {
            let full = egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(image.width() as f32 / ppp, image.height() as f32 / ppp),
            );
            let cut = rect.intersect(full);
            if cut.is_positive() {
                *slot.lock().expect("chart slot") = Some(image.region(&cut, Some(ppp)));
                ctx.request_repaint();
            }
        });
    }
}

/// PNG bytes of an image.
pub fn png_bytes(image: &egui::ColorImage) -> anyhow::Result<Vec<u8>> {
    let [w, h] = image.size;
    let raw: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let buffer = image::RgbaImage::from_raw(w as u32, h as u32, raw)
        .ok_or_else(|| anyhow::anyhow!("the chart image has a wrong size"))?;
    let mut out = std::io::Cursor::new(Vec::new());
    buffer.write_to(&mut out, image::ImageFormat::Png)?;
    Ok(out.into_inner())
}

pub fn write_png(image: &egui::ColorImage, path: &Path) -> anyhow::Result<()> {
    let bytes = png_bytes(image)?;
    std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// Called every frame: a captured chart asks where to save it.
pub fn poll(app: &mut MamsApp, ctx: &egui::Context) {
    let taken = app.chart_shot.lock().expect("chart slot").take();
    if let Some(image) = taken {
        app.chart_png = Some(image);
        app.ask(Purpose::SaveChart, ctx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_image_encodes_as_png_of_its_size() {
        let image = egui::ColorImage::new([3, 2], vec![egui::Color32::from_rgb(200, 10, 10); 6]);
        let bytes = png_bytes(&image).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let back = image::load_from_memory(&bytes).unwrap().to_rgba8();
        assert_eq!((back.width(), back.height()), (3, 2));
        assert_eq!(back.get_pixel(2, 1).0, [200, 10, 10, 255]);
    }
}
