//! What a page is. Every page is one struct that owns its state and its data, behind the
//! `Page` trait; the shell (`app.rs`) keeps them in the order of `pages::all` and draws the
//! one selected. A page reads the shell's state through `Cx` and asks it for anything else
//! (go to another page, change the scope, open a file dialog, show rows) with a `Command`,
//! applied in one place (`MamsApp::apply_command`) once the frame is drawn. Adding a page is
//! adding its file and one line in `pages::all`.

use std::any::Any;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dialogs::Purpose;
use super::i18n::{Lang, t};
use super::jobs::{Msg, ProjectView, Scope};
use crate::store::queries::ScopedCount;
use crate::worker::{JobInfo, Worker, WorkerState};

/// The pages, in the side navigation's order. Kept in the settings (the page last shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum PageId {
    #[default]
    Overview,
    Leaders,
    Bulletin,
    Market,
    Service,
    Evaluation,
    Benchmark,
    Cadence,
    Presenter,
    Map,
    Audit,
    Rules,
    Quality,
    Risk,
    Cases,
    Import,
    Sql,
}

/// What a page needs before it can show anything; the shell says what is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Shows something without a project (the overview's welcome, the import page).
    Nothing,
    /// An open project.
    Project,
    /// An open project with a month of data: the page is about the top bar's unit and month.
    Scope,
}

/// Something the project holds changed: pages drop what they read of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// Another project, or new data in it: everything is read again.
    Project,
    /// A unit's target of an indicator.
    Targets,
    /// Rules or their parameters.
    Rules,
    /// Suspects were found or changed state.
    Suspects,
    /// Cases were added or changed.
    Cases,
    /// A data quality run, a worklist item or a warning.
    Quality,
}

/// What a page can be opened on from elsewhere.
#[derive(Debug)]
pub enum Open {
    /// Files to import (chosen, or dropped on the window).
    Files(Vec<PathBuf>),
    /// A case of the library, by id.
    Case(String),
    /// The audit workbench on one rule's suspects.
    Rule(String),
    /// The audit workbench searched on a customer, with one of its suspects open.
    Customer {
        customer: String,
        suspect: Option<String>,
    },
    /// The audit workbench running these rules (and showing their suspects).
    Run(crate::audit::run::RunSpec),
    /// The case library on one unit's cases.
    UnitCases(String),
    /// The audit workbench on the confirmed findings (of the top bar's unit).
    Confirmed,
    /// The map with these units marked, and what they are.
    Highlight { units: Vec<String>, label: String },
    /// The Risk page on one risk point (of the top bar's unit).
    Risk(String),
    /// A view to add to the deck being made (the presenter page, without showing it).
    AddView(crate::presenter::deck::View),
}

/// What a page asks of the shell.
pub enum Command {
    /// Go to a page.
    Show(PageId),
    /// Go to a page and open something there.
    Open(PageId, Open),
    /// Change the top bar's unit or month.
    SetUnit(String),
    SetPeriod(Option<NaiveDate>),
    /// A native file dialog; its answer comes back to the page that asked.
    Ask(Purpose),
    /// The drill-through table over the rows behind a number.
    OpenRows(String, crate::store::rows::RowsQuery),
    /// A table as shown, to save as CSV or XLSX (the file is asked for).
    SaveTable(TextTable),
    /// A copy that carries personal data in full: recorded in the project's access log
    /// first, then put on the clipboard (not at all when the entry cannot be written).
    CopyInFull(crate::store::access_log::Entry, String),
    /// Save what is drawn in this rectangle of the window as a PNG (the file is asked for).
    SaveChart(egui::Rect),
    /// Show another state of the project (after an import).
    ShowProject(Box<ProjectView>),
    /// Tell every page.
    Changed(Changed),
    /// A line for the status bar, or an error for the modal dialog.
    Notice(String),
    Error(String),
    /// Build (or open) the sample project.
    OpenSample,
}

/// A table as shown: header and rows of text.
pub type TextTable = (Vec<String>, Vec<Vec<String>>);

/// A job for the worker: runs on its thread through the headless core.
pub type Job = Box<dyn FnOnce(&mut WorkerState, &crate::progress::Progress) -> Msg + Send>;

/// What a page sees of the shell while it is drawn, and how it asks for things.
pub struct Cx<'a> {
    pub lang: Lang,
    pub dark: bool,
    pub project: Option<Arc<ProjectView>>,
    /// The top bar's unit (the root when none was chosen) and month.
    pub unit_id: Option<String>,
    pub period: Option<NaiveDate>,
    /// Rows per table in the top bar's scope, and the scope they were counted for.
    pub scoped: Option<&'a (Scope, Vec<ScopedCount>)>,
    /// Whether exports carry personal data in full (the status bar's switch).
    pub disclosure: crate::privacy::Disclosure,
    /// The page being drawn; None for the shell's own parts.
    pub(super) page: Option<PageId>,
    pub(super) worker: &'a mut Worker<Msg>,
    pub(super) commands: Vec<Command>,
    /// Jobs started in this frame and the page that started them (their answers go back to it).
    pub(super) started: Vec<(u64, PageId)>,
}

impl Cx<'_> {
    /// The view of a page about the top bar's unit and month, for a slide.
    pub fn month_view(&self, page: &str) -> Option<crate::presenter::deck::View> {
        Some(crate::presenter::deck::View {
            page: page.to_string(),
            unit_id: self.unit_id.clone()?,
            period: self.period?.format("%Y-%m").to_string(),
        })
    }

    /// Asks the shell for something; applied once the frame is drawn.
    pub fn send(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Runs a job on the worker; its answer comes back to this page's `receive`. Returns
    /// its id, to cancel it.
    pub fn spawn(
        &mut self,
        name_key: &str,
        job: impl FnOnce(&mut WorkerState, &crate::progress::Progress) -> Msg + Send + 'static,
    ) -> u64 {
        let id = self.worker.spawn(t(self.lang, name_key), job);
        if let Some(page) = self.page {
            self.started.push((id, page));
        }
        id
    }

    pub fn cancel(&self, id: u64) {
        self.worker.cancel(id);
    }

    /// Queued and running jobs.
    pub fn jobs(&self) -> Vec<JobInfo> {
        self.worker.jobs()
    }

    /// The top bar's unit and month, when there is a project with months.
    pub fn scope(&self) -> Option<Scope> {
        Some(Scope {
            unit_id: self.unit_id.clone()?,
            month: Some(self.period?),
        })
    }

    /// The units one level down from `unit`.
    pub fn units_below(&self, unit: &str) -> Vec<String> {
        self.project
            .as_ref()
            .map(|p| crate::store::queries::units_below(&p.org, unit))
            .unwrap_or_default()
    }

    /// A unit and every unit below it.
    pub fn units_within(&self, unit: &str) -> std::collections::HashSet<String> {
        match &self.project {
            Some(p) => super::org::subtree(&p.org, unit),
            None => std::iter::once(unit.to_string()).collect(),
        }
    }

    /// An org unit's name in the UI's language (its id when the project does not know it).
    pub fn unit_name(&self, id: &str) -> String {
        self.project
            .as_ref()
            .and_then(|p| p.org.iter().find(|o| o.unit_id == id))
            .map(|o| self.lang.pick(&o.name_en, &o.name_zh).to_string())
            .unwrap_or_else(|| id.to_string())
    }

    /// A translated text of the UI's language.
    pub fn t(&self, key: &str) -> &'static str {
        t(self.lang, key)
    }
}

/// One page of the app.
pub trait Page: Any {
    fn id(&self) -> PageId;

    /// Translation key of the page's title.
    fn title_key(&self) -> &'static str;

    /// The icon before the title in the side navigation (a glyph egui's fonts have).
    fn icon(&self) -> &'static str;

    fn needs(&self) -> Needs;

    /// Asks for the data the page shows (every frame while it shows, before it is drawn).
    fn refresh(&mut self, _cx: &mut Cx) {}

    /// Draws the page (only once what `PageId::needs` says is there).
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx);

    /// The answer of a job this page started. What is not the page's own goes back to
    /// the shell (a file written, rows, a project).
    fn receive(&mut self, msg: Msg, _cx: &mut Cx) -> Option<Msg> {
        Some(msg)
    }

    /// The project's data changed: drop what was read of it.
    fn changed(&mut self, _what: Changed) {}

    /// Opened on something from elsewhere.
    fn open(&mut self, _what: Open, _cx: &mut Cx) {}

    /// A file dialog the page asked for was answered (not called when cancelled).
    fn answered(&mut self, _purpose: Purpose, _paths: Vec<PathBuf>, _cx: &mut Cx) {}

    /// What the page shows as a view a slide can be made of ("Add this view to the deck");
    /// None: the page has no such view.
    fn view(&self, _cx: &Cx) -> Option<crate::presenter::deck::View> {
        None
    }

    /// What the page keeps across restarts, and taking it back.
    fn settings(&self) -> Option<serde_json::Value> {
        None
    }
    fn restore(&mut self, _settings: serde_json::Value) {}
}
