//! The passphrase dialog of encrypted projects: to open one, to make a new one, to encrypt
//! the open project, change its passphrase or remove its encryption. What is typed is wiped
//! from memory when the dialog closes; the stretching and the file work run on the worker.

use std::path::PathBuf;

use zeroize::{Zeroize, Zeroizing};

use super::i18n::{Lang, t};

/// What the passphrase is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// Open this encrypted project (`wrong`: the last passphrase tried did not open it).
    Open { path: PathBuf, wrong: bool },
    /// Create an encrypted project here.
    New(PathBuf),
    /// Encrypt the open project.
    Encrypt,
    /// Change the open project's passphrase.
    Change,
    /// Make the open project plain again.
    Remove,
}

/// What the dialog answered.
pub enum Answer {
    Open(PathBuf, Zeroizing<String>),
    New(PathBuf, Zeroizing<String>),
    /// (current passphrase, new one): None where the purpose has none.
    Reseal(Option<Zeroizing<String>>, Option<Zeroizing<String>>),
    Cancel,
}

pub struct Dialog {
    pub purpose: Purpose,
    current: String,
    new: String,
    again: String,
    problem: Option<String>,
    /// Whether the first field was given the keyboard.
    focused: bool,
}

impl Drop for Dialog {
    fn drop(&mut self) {
        self.current.zeroize();
        self.new.zeroize();
        self.again.zeroize();
    }
}

impl Dialog {
    pub fn new(purpose: Purpose) -> Dialog {
        Dialog {
            purpose,
            current: String::new(),
            new: String::new(),
            again: String::new(),
            problem: None,
            focused: false,
        }
    }

    /// Whether the current passphrase is asked (to open, to change, to remove).
    fn asks_current(&self) -> bool {
        matches!(
            self.purpose,
            Purpose::Open { .. } | Purpose::Change | Purpose::Remove
        )
    }

    /// Whether a new passphrase is asked, twice.
    fn asks_new(&self) -> bool {
        matches!(self.purpose, Purpose::New(_) | Purpose::Encrypt | Purpose::Change)
    }

    /// Checks what was typed; the answer, or a problem shown in the dialog.
    fn submit(&mut self, lang: Lang) -> Option<Answer> {
        let zh = lang == Lang::Zh;
        if self.asks_current() && self.current.is_empty() {
            self.problem = Some(t(lang, "pass_empty").to_string());
            return None;
        }
        if self.asks_new() {
            if let Some(why) = crate::store::keys::weak(&self.new) {
                let why = why.pick(zh);
                let mut chars = why.chars();
                // Said as a sentence in the dialog ("the passphrase has..." on the command line).
                self.problem = chars
                    .next()
                    .map(|c| format!("{}{}.", c.to_uppercase(), chars.as_str()));
                return None;
            }
            if self.new != self.again {
                self.problem = Some(t(lang, "pass_differ").to_string());
                return None;
            }
        }
        let take = |s: &mut String| Zeroizing::new(std::mem::take(s));
        Some(match self.purpose.clone() {
            Purpose::Open { path, .. } => Answer::Open(path, take(&mut self.current)),
            Purpose::New(path) => Answer::New(path, take(&mut self.new)),
            Purpose::Encrypt => Answer::Reseal(None, Some(take(&mut self.new))),
            Purpose::Change => Answer::Reseal(Some(take(&mut self.current)), Some(take(&mut self.new))),
            Purpose::Remove => Answer::Reseal(Some(take(&mut self.current)), None),
        })
    }

    /// Draws the dialog; Some when it closes.
    pub fn show(&mut self, ctx: &egui::Context, lang: Lang) -> Option<Answer> {
        let (title, text) = match &self.purpose {
            Purpose::Open { .. } => ("pass_open_title", "pass_open_text"),
            Purpose::New(_) => ("pass_new_title", "pass_new_text"),
            Purpose::Encrypt => ("pass_encrypt_title", "pass_new_text"),
            Purpose::Change => ("pass_change_title", "pass_change_text"),
            Purpose::Remove => ("pass_remove_title", "pass_remove_text"),
        };
        let path = match &self.purpose {
            Purpose::Open { path, .. } | Purpose::New(path) => Some(path.display().to_string()),
            _ => None,
        };
        if let Purpose::Open { wrong: true, .. } = self.purpose
            && self.problem.is_none()
        {
            self.problem = Some(t(lang, "pass_wrong").to_string());
        }
        let modal = egui::Modal::new(egui::Id::unique("passphrase_modal")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading(t(lang, title));
            if let Some(p) = &path {
                ui.label(egui::RichText::new(p).monospace().weak());
            }
            ui.add_space(6.0);
            ui.label(t(lang, text));
            ui.add_space(8.0);
            let mut enter = false;
            let mut first = true;
            let (asks_current, asks_new) = (self.asks_current(), self.asks_new());
            let Dialog {
                current,
                new,
                again,
                focused,
                ..
            } = self;
            egui::Grid::new("passphrase_fields")
                .num_columns(2)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    let mut field = |ui: &mut egui::Ui, label: &str, value: &mut String| {
                        let name = ui.label(t(lang, label));
                        let r = ui
                            .add(
                                egui::TextEdit::singleline(value)
                                    .password(true)
                                    .desired_width(280.0)
                                    .id_salt(label),
                            )
                            .labelled_by(name.id);
                        enter |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                        // The first field takes the keyboard when the dialog opens (only
                        // then: later it would take it back from Enter).
                        if first && !*focused {
                            r.request_focus();
                            *focused = true;
                        }
                        first = false;
                        ui.end_row();
                    };
                    if asks_current {
                        // Beside a new one, the passphrase typed first is the current one.
                        let label = if asks_new {
                            "pass_current_change"
                        } else {
                            "pass_current"
                        };
                        field(ui, label, current);
                    }
                    if asks_new {
                        field(ui, "pass_new", new);
                        field(ui, "pass_again", again);
                    }
                });
            if self.asks_new() {
                ui.label(egui::RichText::new(t(lang, "pass_rules")).small().weak());
            }
            if let Some(p) = &self.problem {
                ui.add_space(4.0);
                ui.colored_label(ui.visuals().error_fg_color, p);
            }
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                let ok = ui.button(t(lang, "pass_ok")).clicked() || enter;
                let cancel = ui.button(t(lang, "cancel")).clicked();
                (ok, cancel)
            })
            .inner
        });
        let (ok, cancel) = modal.inner;
        if cancel || modal.should_close() {
            return Some(Answer::Cancel);
        }
        if ok {
            if let Purpose::Open { wrong, .. } = &mut self.purpose {
                *wrong = false;
            }
            return self.submit(lang);
        }
        None
    }
}
