//! The app's frames measured headless (egui_kittest): shared by the frame and phone benches.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use mams::ui::MamsApp;

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Steps until the app's jobs are done (two minutes at most), then three frames more.
pub fn settle(h: &mut Harness<'static, MamsApp>) {
    let t = Instant::now();
    loop {
        h.step();
        if !h.state().is_busy() || t.elapsed() > Duration::from_secs(120) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_steps(3);
}

/// One frame: the app's update and egui's layout, then the tessellation of its shapes into
/// triangles (the renderer's CPU part); in ms.
pub fn frame(h: &mut Harness<'static, MamsApp>) -> f64 {
    let s = Instant::now();
    h.step();
    let out = h.output();
    let (shapes, ppp) = (out.shapes.clone(), out.pixels_per_point);
    h.ctx.tessellate(shapes, ppp);
    s.elapsed().as_secs_f64() * 1000.0
}
