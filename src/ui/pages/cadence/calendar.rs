//! The month as a calendar: a cell a day, Monday first, the items due on it as letters
//! coloured by their state (published green, prepared amber, not prepared grey, red when
//! past due); days off are dimmed. A click picks the day.

use chrono::{Datelike, Days, NaiveDate};
use egui::{Color32, RichText, Sense, Stroke, vec2};

use super::state_color;
use crate::bulletins::Kind;
use crate::ui::i18n::Lang;
use crate::ui::jobs::CadenceData;
use crate::ui::page::Cx;
use crate::ui::theme::accent;

/// The letter of a kind in the calendar.
fn letter(kind: Kind, zh: bool) -> &'static str {
    match (kind, zh) {
        (Kind::Daily, false) => "D",
        (Kind::Weekly, false) => "W",
        (Kind::Monthly, false) => "M",
        (Kind::Quarterly, false) => "Q",
        (Kind::Annual, false) => "A",
        (Kind::Daily, true) => "日",
        (Kind::Weekly, true) => "周",
        (Kind::Monthly, true) => "月",
        (Kind::Quarterly, true) => "季",
        (Kind::Annual, true) => "年",
    }
}

/// Draws the month of `day`; returns the day clicked.
pub fn show(
    ui: &mut egui::Ui,
    cx: &Cx,
    data: &CadenceData,
    day: NaiveDate,
    today: NaiveDate,
) -> Option<NaiveDate> {
    let zh = cx.lang == Lang::Zh;
    let dark = ui.visuals().dark_mode;
    let first = day.with_day(1).expect("day 1");
    let start = first - Days::new(first.weekday().num_days_from_monday() as u64);
    let cell = vec2(
        ((ui.available_width() - 6.0 * 4.0) / 7.0).clamp(40.0, 110.0),
        58.0,
    );
    let mut clicked = None;
    let names: [&str; 7] = if zh {
        ["一", "二", "三", "四", "五", "六", "日"]
    } else {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    };
    egui::Grid::new("cadence_calendar")
        .spacing([4.0, 4.0])
        .show(ui, |ui| {
            for n in names {
                ui.add_sized([cell.x, 16.0], egui::Label::new(RichText::new(n).weak()));
            }
            ui.end_row();
            for week in 0..6 {
                let monday = start + Days::new(7 * week);
                if week > 0 && monday.month() != first.month() {
                    break;
                }
                for k in 0..7 {
                    let d = monday + Days::new(k);
                    let (rect, response) = ui.allocate_exact_size(cell, Sense::click());
                    let p = ui.painter();
                    let in_month = d.month() == first.month();
                    let working = data.cadence.is_working_day(d);
                    let bg = if d == day {
                        accent(dark).gamma_multiply(0.25)
                    } else if !working {
                        ui.visuals().faint_bg_color.gamma_multiply(0.5)
                    } else {
                        ui.visuals().faint_bg_color
                    };
                    p.rect_filled(rect, 4.0, bg);
                    if d == today {
                        p.rect_stroke(
                            rect,
                            4.0,
                            Stroke::new(1.5, accent(dark)),
                            egui::StrokeKind::Inside,
                        );
                    }
                    let text = ui.visuals().text_color();
                    let number_color = if in_month { text } else { text.gamma_multiply(0.35) };
                    p.text(
                        rect.left_top() + vec2(5.0, 3.0),
                        egui::Align2::LEFT_TOP,
                        d.day().to_string(),
                        egui::FontId::proportional(13.0),
                        number_color,
                    );
                    if in_month {
                        let mut x = rect.left() + 5.0;
                        for (o, state) in data.month.iter().filter(|(o, _)| o.due == d) {
                            let colour = state_color(*state, d < today);
                            let galley = p.layout_no_wrap(
                                letter(o.kind, zh).to_string(),
                                egui::FontId::proportional(12.0),
                                Color32::WHITE,
                            );
                            let badge = egui::Rect::from_min_size(
                                egui::pos2(x, rect.bottom() - 21.0),
                                vec2(galley.size().x + 8.0, 17.0),
                            );
                            p.rect_filled(badge, 3.0, colour);
                            p.galley(badge.min + vec2(4.0, 1.0), galley, Color32::WHITE);
                            x = badge.right() + 3.0;
                        }
                    }
                    let response = response.on_hover_text({
                        let due: Vec<String> = data
                            .month
                            .iter()
                            .filter(|(o, _)| o.due == d)
                            .map(|(o, s)| format!("{} {} · {}", o.kind.name(zh), o.period, s.name(zh)))
                            .collect();
                        if due.is_empty() {
                            d.to_string()
                        } else {
                            format!("{d}\n{}", due.join("\n"))
                        }
                    });
                    if response.clicked() {
                        clicked = Some(d);
                    }
                }
                ui.end_row();
            }
        });
    // The key to the colours.
    ui.horizontal_wrapped(|ui| {
        for (state, overdue, key) in [
            (
                crate::bulletins::cadence::State::NotPrepared,
                false,
                "cadence_state_not_prepared",
            ),
            (
                crate::bulletins::cadence::State::NotPrepared,
                true,
                "cadence_state_overdue",
            ),
            (
                crate::bulletins::cadence::State::Prepared,
                false,
                "cadence_state_prepared",
            ),
            (
                crate::bulletins::cadence::State::Published,
                false,
                "cadence_state_published",
            ),
        ] {
            ui.label(RichText::new("■").color(state_color(state, overdue)));
            ui.label(RichText::new(cx.t(key)).small());
        }
    });
    clicked
}
