//! File > Phone access: starts and stops the phone server, shows its address, the
//! certificate's fingerprint and a one-time pairing code with its QR code (for a unit, with
//! or without personal data), and lists the devices paired with their last use and a Revoke
//! button, and the latest requests. The server and the lists come from the worker's jobs.

use std::time::{Duration, Instant};

use egui::{Color32, RichText, Sense, Vec2};

use super::i18n::{Lang, t};
use super::jobs::phone::Devices;
use crate::handheld::qr::Qr;
use crate::handheld::server::{Grant, Server, ShownCode};
use crate::store::queries::OrgUnit;

/// What the window asks the app to do.
pub enum Action {
    Start,
    Stop,
    /// List the devices again (revoking one first).
    Refresh(Option<i64>),
}

#[derive(Default)]
pub struct PhoneWindow {
    pub open: bool,
    pub server: Option<Box<Server>>,
    pub starting: bool,
    pub error: Option<String>,
    pub listed: Devices,
    listed_at: Option<Instant>,
    /// The unit the next device paired is shown (None: the top unit).
    unit: Option<String>,
    allow_personal: bool,
    code: Option<(ShownCode, Qr)>,
    /// The code shown was used or has expired.
    code_gone: bool,
}

/// How often the lists are read again while the window is open.
const REFRESH: Duration = Duration::from_secs(5);

impl PhoneWindow {
    pub fn listed(&mut self, d: Devices) {
        self.listed = d;
        self.listed_at = Some(Instant::now());
    }

    /// Stops the server off the UI thread (requests in flight may take a moment).
    pub fn stop(&mut self) {
        self.code = None;
        if let Some(server) = self.server.take() {
            std::thread::spawn(move || server.stop());
        }
    }

    pub fn show(&mut self, ctx: &egui::Context, lang: Lang, org: &[OrgUnit]) -> Vec<Action> {
        let mut actions = Vec::new();
        if !self.open {
            return actions;
        }
        if self.listed_at.is_none_or(|t| t.elapsed() > REFRESH) {
            self.listed_at = Some(Instant::now());
            actions.push(Action::Refresh(None));
        }
        ctx.request_repaint_after(Duration::from_secs(1));
        let mut open = self.open;
        // Tall enough for the QR code and a few devices at once; never taller than the
        // window (then it scrolls).
        let room = ctx.content_rect().height() - 60.0;
        egui::Window::new(t(lang, "phone_title"))
            .open(&mut open)
            .default_width(560.0)
            .default_height(room.min(820.0))
            .max_height(room)
            .resizable(true)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical()
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        self.body(ui, lang, org, &mut actions);
                    });
            });
        self.open = open;
        actions
    }

    fn body(&mut self, ui: &mut egui::Ui, lang: Lang, org: &[OrgUnit], actions: &mut Vec<Action>) {
        ui.label(RichText::new(t(lang, "phone_intro")).weak());
        ui.add_space(6.0);
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        match &self.server {
            None => {
                ui.horizontal(|ui| {
                    ui.label(RichText::new(t(lang, "phone_off")).strong());
                    let start = ui.add_enabled(!self.starting, egui::Button::new(t(lang, "phone_start")));
                    if start.clicked() {
                        self.error = None;
                        self.starting = true;
                        actions.push(Action::Start);
                    }
                    if self.starting {
                        ui.spinner();
                    }
                });
            }
            Some(server) => {
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(t(lang, "phone_on"))
                            .strong()
                            .color(Color32::from_rgb(40, 150, 80)),
                    );
                    ui.label(RichText::new(&server.url).monospace());
                    if ui.button(t(lang, "phone_stop")).clicked() {
                        actions.push(Action::Stop);
                    }
                });
                let (served, refused) = server.counts();
                ui.label(
                    RichText::new(format!(
                        "{} {served} · {} {refused}",
                        t(lang, "phone_served"),
                        t(lang, "phone_refused")
                    ))
                    .weak(),
                );
                if let Some(f) = &server.fingerprint {
                    ui.label(t(lang, "phone_fingerprint"));
                    // Read out loud or side by side with the phone's: full size, not small.
                    ui.add(egui::Label::new(RichText::new(f).monospace()).wrap());
                }
            }
        }
        if self.server.is_some() {
            ui.separator();
            self.pairing(ui, lang, org);
        }
        ui.separator();
        self.devices(ui, lang, org, actions);
    }

    fn pairing(&mut self, ui: &mut egui::Ui, lang: Lang, org: &[OrgUnit]) {
        let Some(server) = &self.server else { return };
        ui.heading(t(lang, "phone_pair"));
        let zh = lang == Lang::Zh;
        let name = |id: Option<&str>| match id.and_then(|id| org.iter().find(|u| u.unit_id == id)) {
            Some(u) => {
                if zh {
                    u.name_zh.clone()
                } else {
                    u.name_en.clone()
                }
            }
            None => t(lang, "phone_top_unit").to_string(),
        };
        ui.horizontal(|ui| {
            ui.label(t(lang, "phone_unit"));
            egui::ComboBox::from_id_salt("phone_unit")
                .selected_text(name(self.unit.as_deref()))
                .width(220.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.unit, None, t(lang, "phone_top_unit"));
                    for u in org
                        .iter()
                        .filter(|u| matches!(u.level.as_str(), "city" | "county"))
                    {
                        let label = if zh { &u.name_zh } else { &u.name_en };
                        ui.selectable_value(&mut self.unit, Some(u.unit_id.clone()), label);
                    }
                });
        });
        ui.checkbox(&mut self.allow_personal, t(lang, "phone_allow_personal"));
        if self.allow_personal {
            ui.label(
                RichText::new(t(lang, "phone_allow_personal_note"))
                    .small()
                    .color(Color32::from_rgb(190, 120, 20)),
            );
        }
        if ui.button(t(lang, "phone_new_code")).clicked() {
            let grant = Grant {
                unit_id: self.unit.clone(),
                sees_personal: self.allow_personal,
            };
            match server.show_code(grant).and_then(|c| Ok((Qr::new(&c.link)?, c))) {
                Ok((qr, c)) => {
                    self.code = Some((c, qr));
                    self.code_gone = false;
                }
                Err(e) => self.error = Some(format!("{e:#}")),
            }
        }
        // The code shown, while it is valid (used or expired: gone).
        let shown = server.shown();
        if self.code.is_some() && shown.is_none() {
            self.code = None;
            self.code_gone = true;
        }
        if self.code_gone {
            ui.label(RichText::new(t(lang, "phone_code_gone")).weak());
        }
        if let (Some((_, qr)), Some(now)) = (&self.code, shown) {
            {
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    paint_qr(ui, qr, 220.0);
                    ui.vertical(|ui| {
                        ui.label(t(lang, "phone_code"));
                        ui.label(RichText::new(&now.code).monospace().size(30.0).strong());
                        let left = now.left.as_secs();
                        ui.label(format!(
                            "{} {}:{:02}",
                            t(lang, "phone_code_left"),
                            left / 60,
                            left % 60
                        ));
                        ui.label(
                            RichText::new(format!(
                                "{} {}",
                                t(lang, "phone_for"),
                                name(now.grant.unit_id.as_deref())
                            ))
                            .weak(),
                        );
                        ui.label(
                            RichText::new(if now.grant.sees_personal {
                                t(lang, "phone_full")
                            } else {
                                t(lang, "phone_masked")
                            })
                            .weak(),
                        );
                    });
                });
            }
        }
    }

    fn devices(&mut self, ui: &mut egui::Ui, lang: Lang, org: &[OrgUnit], actions: &mut Vec<Action>) {
        ui.heading(t(lang, "phone_devices"));
        let devices = &self.listed.devices;
        if devices.is_empty() {
            ui.label(RichText::new(t(lang, "phone_no_devices")).weak());
        }
        let at = |d: Option<chrono::NaiveDateTime>| {
            d.map(|d| d.format("%m-%d %H:%M").to_string())
                .unwrap_or("–".into())
        };
        let zh = lang == Lang::Zh;
        // No header row without devices; refused callers' requests are listed below even
        // before any phone is paired.
        egui::Grid::new("phone_devices")
            .striped(true)
            .num_columns(6)
            .show(ui, |ui| {
                if devices.is_empty() {
                    return;
                }
                for h in [
                    "phone_device",
                    "phone_unit",
                    "phone_personal",
                    "phone_paired",
                    "phone_last_used",
                    "",
                ] {
                    ui.label(RichText::new(if h.is_empty() { "" } else { t(lang, h) }).strong());
                }
                ui.end_row();
                for d in devices {
                    ui.label(&d.name);
                    let unit = d
                        .unit_id
                        .as_deref()
                        .and_then(|id| org.iter().find(|u| u.unit_id == id))
                        .map(|u| if zh { u.name_zh.clone() } else { u.name_en.clone() })
                        .unwrap_or_else(|| t(lang, "phone_top_unit").to_string());
                    ui.label(unit);
                    ui.label(if d.sees_personal {
                        t(lang, "phone_full_short")
                    } else {
                        t(lang, "phone_masked_short")
                    });
                    ui.label(at(Some(d.paired_at)));
                    ui.label(at(d.last_used_at));
                    match d.revoked_at {
                        Some(r) => {
                            ui.label(
                                RichText::new(format!("{} {}", t(lang, "phone_revoked"), at(Some(r)))).weak(),
                            );
                        }
                        None => {
                            if ui.button(t(lang, "phone_revoke")).clicked() {
                                actions.push(Action::Refresh(Some(d.device_id)));
                            }
                        }
                    }
                    ui.end_row();
                }
            });
        if !self.listed.requests.is_empty() {
            egui::CollapsingHeader::new(t(lang, "phone_requests"))
                .default_open(false)
                .show(ui, |ui| {
                    egui::Grid::new("phone_requests").striped(true).show(ui, |ui| {
                        for r in &self.listed.requests {
                            ui.label(r.at.format("%H:%M:%S").to_string());
                            let who = r
                                .device_id
                                .and_then(|id| devices.iter().find(|d| d.device_id == id))
                                .map(|d| d.name.clone())
                                .unwrap_or_else(|| r.remote.clone());
                            ui.label(who);
                            ui.label(RichText::new(&r.request).monospace().small());
                            let colour = if r.status < 400 {
                                ui.visuals().text_color()
                            } else {
                                ui.visuals().error_fg_color
                            };
                            ui.colored_label(colour, r.status.to_string());
                            ui.end_row();
                        }
                    });
                });
        }
    }
}

/// The QR code in black on white with its quiet zone (readers need both, whatever the theme).
fn paint_qr(ui: &mut egui::Ui, qr: &Qr, size: f32) {
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, Color32::WHITE);
    let quiet = 4.0;
    let module = size / (qr.width as f32 + 2.0 * quiet);
    for y in 0..qr.width {
        for x in 0..qr.width {
            if qr.is_dark(x, y) {
                let min = rect.min + Vec2::new((x as f32 + quiet) * module, (y as f32 + quiet) * module);
                painter.rect_filled(
                    egui::Rect::from_min_size(min, Vec2::splat(module + 0.3)),
                    0.0,
                    Color32::BLACK,
                );
            }
        }
    }
}
