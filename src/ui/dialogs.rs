//! Native file dialogs (rfd), run on their own thread so the UI never blocks on them.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

/// Why a dialog was opened: decides what its answer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    OpenProject,
    NewProject,
    ImportFolder,
}

pub struct Dialogs {
    tx: Sender<(Purpose, Option<PathBuf>)>,
    rx: Receiver<(Purpose, Option<PathBuf>)>,
    open: bool,
}

impl Default for Dialogs {
    fn default() -> Self {
        let (tx, rx) = channel();
        Dialogs { tx, rx, open: false }
    }
}

impl Dialogs {
    /// True while a dialog is showing (a second one is not opened).
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn ask(&mut self, purpose: Purpose, title: &str, ctx: &egui::Context) {
        if self.open {
            return;
        }
        self.open = true;
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let title = title.to_string();
        std::thread::spawn(move || {
            let project_filter = |d: rfd::FileDialog| d.add_filter("MAMS project (DuckDB)", &["duckdb"]);
            let answer = match purpose {
                Purpose::OpenProject => project_filter(rfd::FileDialog::new().set_title(&title)).pick_file(),
                Purpose::NewProject => project_filter(rfd::FileDialog::new().set_title(&title))
                    .set_file_name("project.duckdb")
                    .save_file()
                    .map(|p| {
                        if p.extension().is_none() {
                            p.with_extension("duckdb")
                        } else {
                            p
                        }
                    }),
                Purpose::ImportFolder => rfd::FileDialog::new().set_title(&title).pick_folder(),
            };
            let _ = tx.send((purpose, answer));
            ctx.request_repaint();
        });
    }

    /// The answer of the dialog, once the user closed it (None inside: cancelled).
    pub fn poll(&mut self) -> Option<(Purpose, Option<PathBuf>)> {
        let r = self.rx.try_recv().ok();
        if r.is_some() {
            self.open = false;
        }
        r
    }
}
