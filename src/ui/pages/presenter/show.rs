//! The deck shown full screen: the keys of a presentation clicker and of PowerPoint (arrows,
//! Page Up/Down, space, Home/End, a number then Enter, B for black, Esc to leave), a laser
//! pointer (L) and a pen (P, E to erase) drawn over the slide, the slide number and the
//! masking badge; and the presenter view in a second window: the current and the next
//! slide, the notes, the time since the start and the clock.

use std::time::Instant;

use egui::{Color32, Key, Pos2, Rect, RichText, Stroke, vec2};

use super::slide::{self, Charts};
use crate::presenter::deck::Deck;

/// A deck being shown.
pub struct Show {
    pub index: usize,
    pub black: bool,
    /// A slide number being typed.
    pub typed: String,
    pub laser: bool,
    pub pen: bool,
    /// What the pen drew on the current slide.
    pub strokes: Vec<Vec<Pos2>>,
    pub started: Instant,
    /// When the slide last changed (the presenter view says how long it has been up).
    pub changed_at: Instant,
    /// Whether the presenter view is open.
    pub presenter_view: bool,
}

impl Show {
    pub fn new(index: usize) -> Show {
        Show {
            index,
            black: false,
            typed: String::new(),
            laser: false,
            pen: false,
            strokes: Vec::new(),
            started: Instant::now(),
            changed_at: Instant::now(),
            presenter_view: true,
        }
    }

    /// Goes to slide `i` (kept within the deck); the pen's strokes belong to the slide left.
    pub fn go(&mut self, i: usize, slides: usize) {
        let i = i.min(slides.saturating_sub(1));
        if i != self.index {
            self.index = i;
            self.strokes.clear();
            self.changed_at = Instant::now();
        }
        self.black = false;
    }
}

/// What the keys asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Stay,
    Leave,
}

/// Reads the keys of this frame.
pub fn keys(ctx: &egui::Context, show: &mut Show, slides: usize) -> Outcome {
    let mut out = Outcome::Stay;
    ctx.input(|i| {
        for e in &i.events {
            let egui::Event::Key {
                key, pressed: true, ..
            } = e
            else {
                continue;
            };
            match key {
                Key::Escape => out = Outcome::Leave,
                Key::ArrowRight | Key::ArrowDown | Key::PageDown | Key::Space | Key::N => {
                    show.go(show.index + 1, slides)
                }
                Key::ArrowLeft | Key::ArrowUp | Key::PageUp | Key::Backspace => {
                    show.go(show.index.saturating_sub(1), slides)
                }
                Key::Home => show.go(0, slides),
                Key::End => show.go(slides.saturating_sub(1), slides),
                Key::B | Key::Period => show.black = !show.black,
                Key::L => {
                    show.laser = !show.laser;
                    show.pen = false;
                }
                Key::P => {
                    show.pen = !show.pen;
                    show.laser = false;
                }
                Key::E => show.strokes.clear(),
                Key::Enter => {
                    if let Ok(n) = show.typed.parse::<usize>()
                        && n >= 1
                    {
                        show.go(n - 1, slides);
                    }
                    show.typed.clear();
                }
                k => {
                    if let Some(d) = digit(*k) {
                        show.typed.push(d);
                    }
                }
            }
        }
    });
    out
}

fn digit(k: Key) -> Option<char> {
    let digits = [
        Key::Num0,
        Key::Num1,
        Key::Num2,
        Key::Num3,
        Key::Num4,
        Key::Num5,
        Key::Num6,
        Key::Num7,
        Key::Num8,
        Key::Num9,
    ];
    digits
        .iter()
        .position(|d| *d == k)
        .and_then(|i| char::from_digit(i as u32, 10))
}

/// The largest 16:9 rectangle centred in `area`.
pub fn fit(area: Rect) -> Rect {
    let w = area.width().min(area.height() * 16.0 / 9.0);
    Rect::from_center_size(area.center(), vec2(w, w * 9.0 / 16.0))
}

/// Draws the slide shown (or black) over the whole of `ui`, with the pen's strokes, the
/// laser, the slide number and the masking badge.
pub fn screen(ui: &mut egui::Ui, deck: &Deck, show: &mut Show, zh: bool, masked: bool, charts: &mut Charts) {
    let area = ui.max_rect();
    ui.painter().rect_filled(area, 0.0, Color32::BLACK);
    if show.black || deck.slides.is_empty() {
        return;
    }
    let rect = fit(area);
    let s = rect.width() / 1920.0;
    slide::draw(ui, rect, &deck.slides[show.index], show.index, zh, masked, charts);
    // The pen: a drag draws; strokes stay until the slide changes or E.
    let response = ui.interact(rect, ui.scope_id().with("slide_surface"), egui::Sense::drag());
    if show.pen {
        if response.drag_started() {
            show.strokes.push(Vec::new());
        }
        if response.dragged()
            && let (Some(p), Some(line)) = (response.interact_pointer_pos(), show.strokes.last_mut())
        {
            line.push(p);
        }
    }
    let painter = ui.painter().clone();
    for line in &show.strokes {
        painter.add(egui::Shape::line(
            line.clone(),
            Stroke::new(5.0 * s.max(0.5), Color32::from_rgb(230, 30, 40)),
        ));
    }
    if show.laser
        && let Some(p) = ui.ctx().pointer_hover_pos()
    {
        painter.circle_filled(
            p,
            14.0 * s.max(0.5),
            Color32::from_rgba_unmultiplied(255, 0, 0, 200),
        );
        painter.circle_stroke(
            p,
            22.0 * s.max(0.5),
            Stroke::new(2.0, Color32::from_rgba_unmultiplied(255, 0, 0, 90)),
        );
    }
    ui.ctx().set_cursor_icon(if show.laser {
        egui::CursorIcon::None
    } else if show.pen {
        egui::CursorIcon::Crosshair
    } else {
        egui::CursorIcon::Default
    });
    painter.text(
        rect.right_bottom() - vec2(30.0 * s, 20.0 * s),
        egui::Align2::RIGHT_BOTTOM,
        format!("{} / {}", show.index + 1, deck.slides.len()),
        egui::FontId::proportional(22.0 * s),
        Color32::from_gray(120),
    );
    let (badge, colour) = if masked {
        (
            if zh {
                "🔒 个人信息已遮蔽"
            } else {
                "🔒 personal data masked"
            },
            Color32::from_rgb(46, 160, 67),
        )
    } else {
        (
            if zh {
                "⚠ 个人信息未遮蔽"
            } else {
                "⚠ personal data NOT masked"
            },
            Color32::from_rgb(215, 58, 73),
        )
    };
    // A label, not paint: screen readers and tests read it.
    let at = Rect::from_min_size(
        rect.left_bottom() + vec2(30.0 * s, -50.0 * s),
        vec2(700.0 * s, 36.0 * s),
    );
    ui.scope_builder(
        egui::UiBuilder::new()
            .max_rect(at)
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
        |ui| ui.label(RichText::new(badge).size(20.0 * s).color(colour)),
    );
    if !show.typed.is_empty() {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            format!("→ {}", show.typed),
            egui::FontId::proportional(80.0 * s),
            BLUE_TRANSLUCENT,
        );
    }
    ui.ctx().request_repaint();
}

const BLUE_TRANSLUCENT: Color32 = Color32::from_rgba_premultiplied(0x15, 0x65, 0xc0, 200);

fn clock(d: std::time::Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// The presenter view's contents: the current and the next slide, the notes, the time.
pub fn presenter_view(
    ui: &mut egui::Ui,
    deck: &Deck,
    show: &Show,
    zh: bool,
    masked: bool,
    charts: &mut Charts,
) {
    let n = deck.slides.len();
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(clock(show.started.elapsed()))
                .size(34.0)
                .strong()
                .monospace(),
        );
        ui.label(
            RichText::new(format!(
                "({} {})",
                clock(show.changed_at.elapsed()),
                if zh { "本页" } else { "this slide" }
            ))
            .size(16.0),
        );
        ui.add_space(24.0);
        ui.label(RichText::new(chrono::Local::now().format("%H:%M").to_string()).size(28.0));
        ui.add_space(24.0);
        ui.label(RichText::new(format!("{} / {n}", show.index + 1)).size(24.0));
        if show.black {
            ui.label(
                RichText::new(if zh { "黑屏" } else { "black screen" }).color(Color32::from_rgb(215, 58, 73)),
            );
        }
    });
    ui.separator();
    let width = ui.available_width();
    let big = (width * 0.6).min(900.0);
    ui.horizontal_top(|ui| {
        let (rect, _) = ui.allocate_exact_size(vec2(big, big * 9.0 / 16.0), egui::Sense::hover());
        if let Some(slide) = deck.slides.get(show.index) {
            slide::draw(ui, rect, slide, show.index, zh, masked, charts);
        }
        ui.vertical(|ui| {
            ui.label(RichText::new(if zh { "下一页" } else { "Next" }).strong());
            let small = (width - big - 30.0).max(160.0);
            let (rect, _) = ui.allocate_exact_size(vec2(small, small * 9.0 / 16.0), egui::Sense::hover());
            match deck.slides.get(show.index + 1) {
                Some(next) => slide::draw(ui, rect, next, show.index + 1, zh, masked, charts),
                None => {
                    ui.painter().rect_filled(rect, 0.0, Color32::from_gray(40));
                    ui.painter().text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        if zh { "结束" } else { "End of the deck" },
                        egui::FontId::proportional(18.0),
                        Color32::WHITE,
                    );
                }
            }
        });
    });
    ui.separator();
    ui.label(RichText::new(if zh { "备注" } else { "Notes" }).strong());
    let notes = deck
        .slides
        .get(show.index)
        .map(|s| s.notes.as_str())
        .unwrap_or("");
    egui::ScrollArea::vertical()
        .id_salt("presenter_notes")
        .show(ui, |ui| {
            ui.label(RichText::new(if notes.trim().is_empty() { "—" } else { notes }).size(22.0));
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_stays_within_the_deck_and_clears_the_pen() {
        let mut s = Show::new(0);
        s.strokes.push(vec![Pos2::ZERO]);
        s.go(1, 3);
        assert!(s.strokes.is_empty());
        s.go(9, 3);
        assert_eq!(s.index, 2);
        s.black = true;
        s.go(2, 3);
        assert!(!s.black, "moving lights the screen again");
        assert_eq!(
            fit(Rect::from_min_size(Pos2::ZERO, vec2(1000.0, 1000.0))).height(),
            1000.0 * 9.0 / 16.0
        );
    }
}
