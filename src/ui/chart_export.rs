//! Saving a chart as a PNG for a slide: a screenshot of the window is asked for, the chart's
//! rectangle cut out of it, and, once the user has chosen where, written as PNG off the UI
//! thread.

use std::path::Path;
use std::sync::{Arc, Mutex};

/// A chart image waiting to be placed: filled by the screenshot callback.
pub type Slot = Arc<Mutex<Option<egui::ColorImage>>>;

/// Asks egui for a screenshot of the window and keeps the part in `rect` (with a little
/// margin so that the axis labels at the edges are kept) in `slot`.
pub fn capture(ctx: &egui::Context, rect: egui::Rect, slot: Slot) {
    let ppp = ctx.pixels_per_point();
    let rect = rect.expand(4.0);
    let repaint = ctx.clone();
    ctx.request_screenshot(move |image| {
        let full = egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(image.width() as f32 / ppp, image.height() as f32 / ppp),
        );
        let cut = rect.intersect(full);
        if cut.is_positive() {
            *slot.lock().expect("chart slot") = Some(image.region(&cut, Some(ppp)));
            repaint.request_repaint();
        }
    });
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
