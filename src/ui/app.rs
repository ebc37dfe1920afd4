//! The app shell: owns the worker and the UI state, lays out the top bar, navigation,
//! status bar and the selected page, and applies job results.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

use super::app_state::AppState;
use super::dialogs::{Dialogs, Purpose};
use super::i18n::{Lang, t};
use super::jobs::{self, Msg, ProjectView, Scope};
use super::pages::{self, Page};
use super::{side_nav, status_bar, theme, top_bar};
use crate::store::queries::ScopedCount;
use crate::worker::Worker;

/// How the app starts.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Project named on the command line.
    pub project: Option<PathBuf>,
    /// Where settings are kept; None keeps them in memory only (tests).
    pub settings_file: Option<PathBuf>,
    /// Where the sample project is built on first start.
    pub sample_project: PathBuf,
    /// Bundled sample extracts, if any.
    pub sample_db: Option<PathBuf>,
    /// Start in this language instead of the saved one.
    pub lang: Option<Lang>,
    /// When the process started, to log the time to the first frame and to the project.
    pub launched: Option<std::time::Instant>,
}

/// A table as shown: header and rows of text.
pub type TextTable = (Vec<String>, Vec<Vec<String>>);

pub struct MamsApp {
    pub state: AppState,
    saved_state: AppState,
    options: AppOptions,
    ctx: Arc<OnceLock<egui::Context>>,
    worker: Worker<Msg>,
    dialogs: Dialogs,
    /// Shared so that a frame can hold the view while it changes the app state.
    pub project: Option<Arc<ProjectView>>,
    /// Row counts for the selected unit and period, and the scope they were counted for.
    pub scoped: Option<(Scope, Vec<ScopedCount>)>,
    counts_job: Option<u64>,
    /// An error to show in a modal dialog.
    pub error: Option<String>,
    /// The last thing that happened, for the status bar.
    pub notice: Option<String>,
    started: bool,
    pub unit_search: String,
    theme_applied: Option<bool>,
    /// The import page's choices and findings.
    pub import: super::pages::import::ImportPage,
    preview_job: Option<u64>,
    /// The Views for Leaders page: its data and the scope it is for, and the open card.
    pub leaders: jobs::ScopeSlot<jobs::LeaderData>,
    pub leaders_selected: Option<&'static str>,
    /// The card detail's cross-filters (removable chips): a unit one level down and a
    /// customer class (Some(None): tickets without a known customer).
    pub leaders_filter: (Option<String>, Option<Option<String>>),
    /// The audit workbench.
    pub audit: super::pages::audit::AuditPage,
    /// The case library page.
    pub cases: super::pages::cases::CasesPage,
    /// The audit rules page.
    pub rules: super::pages::rules::RulesPage,
    /// The bulletin board, service-quality and key-market pages' data.
    pub bulletin: jobs::ScopeSlot<jobs::BulletinData>,
    pub service: jobs::ScopeSlot<jobs::ServiceData>,
    pub market: jobs::ScopeSlot<jobs::MarketData>,
    /// The map page: the map of the scope, where every customer is (asked for only while
    /// that layer is on), and the page's own state.
    pub map: jobs::ScopeSlot<Arc<crate::geo::scene::Scene>>,
    pub map_customers: jobs::ScopeSlot<Arc<Vec<crate::geo::shape::Pt>>>,
    pub map_page: super::pages::map::MapPage,
    /// The unit the service page's repeat complainers are filtered on.
    pub service_unit: Option<String>,
    /// The unit and indicator the bulletin board's list of misses is filtered on.
    pub bulletin_filter: (Option<String>, Option<&'static str>),
    /// The customer class the key-market page is filtered on (its removable chip).
    pub market_class: Option<String>,
    /// A chart screenshot on its way in, and the chart image waiting for a file name.
    pub chart_shot: super::chart_export::Slot,
    pub chart_png: Option<egui::ColorImage>,
    /// A page table on its way to a file: set by its Save button, then waiting for a name.
    pub table_out: std::sync::Arc<std::sync::Mutex<Option<TextTable>>>,
    pub table_pending: Option<TextTable>,
    /// The drill-through table, when open.
    pub rows: Option<super::rows_window::RowsWindow>,
    /// The target typed for the open card's indicator and the unit in the top bar.
    pub target_text: String,
    /// "Why did this change?" of the open card: what was asked, and the answer.
    pub why: Option<(jobs::WhyKey, Option<Result<jobs::WhyData, String>>)>,
}

impl MamsApp {
    pub fn new(options: AppOptions) -> Self {
        let mut state = options
            .settings_file
            .as_deref()
            .map(AppState::load)
            .unwrap_or_default();
        if let Some(lang) = options.lang {
            state.lang = lang;
        }
        let ctx: Arc<OnceLock<egui::Context>> = Arc::default();
        let wake_ctx = ctx.clone();
        MamsApp {
            saved_state: state.clone(),
            state,
            options,
            worker: Worker::new(move || {
                if let Some(c) = wake_ctx.get() {
                    c.request_repaint();
                }
            }),
            ctx,
            dialogs: Dialogs::default(),
            project: None,
            scoped: None,
            counts_job: None,
            error: None,
            notice: None,
            started: false,
            unit_search: String::new(),
            theme_applied: None,
            import: Default::default(),
            preview_job: None,
            leaders: Default::default(),
            leaders_selected: None,
            leaders_filter: (None, None),
            audit: Default::default(),
            cases: Default::default(),
            rules: Default::default(),
            bulletin: Default::default(),
            service: Default::default(),
            market: Default::default(),
            market_class: None,
            bulletin_filter: (None, None),
            service_unit: None,
            map: Default::default(),
            map_customers: Default::default(),
            map_page: Default::default(),
            why: None,
            target_text: String::new(),
            rows: None,
            chart_shot: Default::default(),
            chart_png: None,
            table_out: Default::default(),
            table_pending: None,
        }
    }

    pub fn lang(&self) -> Lang {
        self.state.lang
    }

    /// Queued and running jobs (for the status bar and for tests waiting on them).
    pub fn jobs(&self) -> Vec<crate::worker::JobInfo> {
        self.worker.jobs()
    }

    pub fn is_busy(&self) -> bool {
        self.worker.is_busy()
    }

    pub(crate) fn spawn(
        &mut self,
        name_key: &str,
        job: impl FnOnce(&mut crate::worker::WorkerState, &crate::progress::Progress) -> Msg + Send + 'static,
    ) -> u64 {
        let name = t(self.state.lang, name_key);
        self.worker.spawn(name, job)
    }

    /// First frame: fonts, then open the project the user asked for, the last one, or the sample.
    fn start(&mut self, ctx: &egui::Context) {
        self.started = true;
        if let Some(t) = self.options.launched {
            tracing::info!("first frame {} ms after start", t.elapsed().as_millis());
        }
        let _ = self.ctx.set(ctx.clone());
        theme::install_fonts(ctx);
        let requested = self.options.project.clone();
        let last = self.state.last_project.clone().filter(|p| p.exists());
        match requested.or(last) {
            Some(path) => {
                self.spawn("job_open", jobs::open_project(path));
            }
            None => self.open_sample(),
        }
    }

    pub fn open_sample(&mut self) {
        let job = jobs::open_sample(
            self.options.sample_project.clone(),
            self.options.sample_db.clone(),
        );
        self.spawn("job_build_sample", job);
    }

    pub fn open_project(&mut self, path: PathBuf) {
        self.spawn("job_open", jobs::open_project(path));
    }

    pub fn new_project(&mut self, path: PathBuf) {
        self.spawn("job_new", jobs::new_project(path));
    }

    pub fn import_folder(&mut self, dir: PathBuf) {
        self.spawn("job_import", jobs::import_folder(dir));
    }

    pub fn ask(&mut self, purpose: Purpose, ctx: &egui::Context) {
        let title = match purpose {
            Purpose::OpenProject => t(self.state.lang, "open_project"),
            Purpose::NewProject => t(self.state.lang, "new_project"),
            Purpose::ImportFolder => t(self.state.lang, "import_folder"),
            Purpose::ImportFiles => t(self.state.lang, "choose_files"),
            Purpose::ExportRejects => t(self.state.lang, "export_rejects"),
            Purpose::ImportCases => t(self.state.lang, "cases_import"),
            Purpose::ExportCases => t(self.state.lang, "cases_export"),
            Purpose::AttachToCase => t(self.state.lang, "cases_attach"),
            Purpose::SaveAttachment(_) => t(self.state.lang, "cases_save_file"),
            Purpose::ExportRows => t(self.state.lang, "rows_export"),
            Purpose::SaveChart => t(self.state.lang, "chart_png"),
            Purpose::MapPmTiles => t(self.state.lang, "map_pmtiles_choose"),
            Purpose::SaveTable => t(self.state.lang, "save_table"),
            Purpose::MapGeoJson => t(self.state.lang, "map_geojson_choose"),
        };
        self.dialogs.ask(purpose, title.trim_end_matches('…'), ctx);
    }

    pub fn cancel_job(&self, id: u64) {
        self.worker.cancel(id);
    }

    /// The selected period as a month, if it is one the project has.
    pub fn period(&self) -> Option<NaiveDate> {
        let p = self.state.period.as_deref()?;
        NaiveDate::parse_from_str(&format!("{p}-01"), "%Y-%m-%d").ok()
    }

    pub fn set_period(&mut self, month: Option<NaiveDate>) {
        self.state.period = month.map(|m| m.format("%Y-%m").to_string());
        self.refresh_counts();
    }

    /// A unit and every unit below it, from the open project's org tree.
    pub fn units_within(&self, unit: &str) -> std::collections::HashSet<String> {
        match &self.project {
            Some(p) => super::org::subtree(&p.org, unit),
            None => std::iter::once(unit.to_string()).collect(),
        }
    }

    pub fn set_unit(&mut self, unit_id: String) {
        if self.state.unit_id.as_deref() != Some(&unit_id) {
            self.state.unit_id = Some(unit_id);
            self.refresh_counts();
        }
    }

    /// The selected unit, falling back to the root of the hierarchy.
    pub fn unit_id(&self) -> Option<String> {
        let org = &self.project.as_ref()?.org;
        self.state
            .unit_id
            .clone()
            .filter(|id| org.iter().any(|u| &u.unit_id == id))
            .or_else(|| {
                org.iter()
                    .find(|u| u.parent_id.is_none())
                    .map(|u| u.unit_id.clone())
            })
    }

    fn refresh_counts(&mut self) {
        let Some(unit_id) = self.unit_id() else {
            return;
        };
        let scope = Scope {
            unit_id,
            month: self.period(),
        };
        if self.scoped.as_ref().is_some_and(|(s, _)| *s == scope) {
            return;
        }
        if let Some(id) = self.counts_job.take() {
            self.worker.cancel(id);
        }
        self.counts_job = Some(self.spawn("job_counts", jobs::scoped_counts(scope)));
    }

    /// Asks for the Views for Leaders data of the selected scope when the page shows
    /// another one (a changed period or unit, or a new import).
    /// The top bar's scope and the units one level down, when a project is open.
    fn scope_and_units_below(&self) -> Option<(Scope, Vec<String>)> {
        let project = self.project.clone()?;
        let unit_id = self.unit_id()?;
        let below = crate::store::queries::units_below(&project.org, &unit_id);
        Some((
            Scope {
                unit_id,
                month: self.period(),
            },
            below,
        ))
    }

    /// Asks for the data of the page about the top bar's scope (leaders, bulletin board,
    /// service quality, key market) when it shows another scope.
    fn refresh_scope_pages(&mut self) {
        let Some((scope, below)) = self.scope_and_units_below() else {
            return;
        };
        if scope.month.is_none() {
            return;
        }
        let asked = match self.state.page {
            Page::Leaders if self.leaders.wants(&scope) => {
                let id = self.spawn("job_indicators", jobs::leader_data(scope.clone(), below));
                self.leaders.asked(scope, id)
            }
            Page::Bulletin if self.bulletin.wants(&scope) => {
                let id = self.spawn("job_indicators", jobs::bulletin(scope.clone(), below));
                self.bulletin.asked(scope, id)
            }
            Page::Service if self.service.wants(&scope) => {
                let id = self.spawn("job_indicators", jobs::service(scope.clone(), below));
                self.service.asked(scope, id)
            }
            Page::Market if self.market.wants(&scope) => {
                let id = self.spawn("job_indicators", jobs::market(scope.clone()));
                self.market.asked(scope, id)
            }
            Page::Map if self.map.wants(&scope) => {
                let id = self.spawn("job_map", jobs::map_scene(scope.clone()));
                self.map.asked(scope, id)
            }
            Page::Map if self.map_page.layers.customers && self.map_customers.wants(&scope) => {
                let id = self.spawn("job_map_customers", jobs::map_customers(scope.clone()));
                self.map_customers.asked(scope, id)
            }
            _ => None,
        };
        // The answer for the scope left behind is no longer wanted.
        if let Some(old) = asked {
            self.worker.cancel(old);
        }
    }

    /// What a closed file dialog answered (nothing: cancelled).
    pub fn answer(&mut self, purpose: Purpose, paths: Vec<PathBuf>) {
        let Some(first) = paths.first().cloned() else {
            return;
        };
        match purpose {
            Purpose::OpenProject => self.open_project(first),
            Purpose::NewProject => self.new_project(first),
            Purpose::ImportFolder => self.import_folder(first),
            Purpose::ImportFiles => self.import_dropped(paths),
            Purpose::ImportCases => {
                self.spawn("job_cases_import", jobs::import_cases(first));
            }
            Purpose::ExportCases => {
                self.spawn("job_cases_export", jobs::export_cases(first));
            }
            Purpose::AttachToCase => {
                let case = self
                    .cases
                    .list
                    .as_ref()
                    .and_then(|l| l.as_ref().ok())
                    .and_then(|l| {
                        l.iter()
                            .find(|c| Some(&c.case_id) == self.cases.selected.as_ref())
                    })
                    .cloned();
                if let Some(case) = case {
                    self.save_case(case, paths);
                }
            }
            Purpose::SaveChart => {
                if let Some(image) = self.chart_png.take() {
                    self.spawn("job_chart_png", jobs::save_chart(image, first));
                }
            }
            Purpose::MapPmTiles => {
                self.state.map_basemap = super::pages::map::tiles::BasemapChoice::PmTiles(first)
            }
            Purpose::MapGeoJson => self.map_geojson_chosen(first),
            Purpose::SaveTable => {
                if let Some((header, rows)) = self.table_pending.take() {
                    self.spawn("job_save_table", jobs::save_table(header, rows, first));
                }
            }
            Purpose::ExportRows => {
                if let Some(w) = &self.rows {
                    let q = w.query.clone();
                    self.spawn("job_rows_export", jobs::rows_export(q, first));
                }
            }
            Purpose::SaveAttachment(name) => {
                if let Some(case_id) = self.cases.selected.clone() {
                    self.spawn("job_cases_export", jobs::save_attachment(case_id, name, first));
                }
            }
            Purpose::ExportRejects => {
                let rejects = self
                    .import
                    .report
                    .as_ref()
                    .map(|r| r.rejects.clone())
                    .unwrap_or_default();
                // Up to 100,000 rows as XLSX: written by the worker, not by the window.
                self.spawn("job_export_rejects", jobs::write_rejects(rejects, first));
            }
        }
    }

    /// Files chosen or dropped for import: the import page opens on them.
    pub fn import_dropped(&mut self, files: Vec<PathBuf>) {
        let files = match crate::import::file::expand(&files) {
            Ok(f) => f,
            Err(e) => {
                self.error = Some(format!("{e:#}"));
                return;
            }
        };
        self.import.set_files(files);
        self.state.page = Page::Import;
    }

    /// Re-runs the preview when the import settings changed (one at a time: a newer
    /// request cancels the older).
    fn refresh_preview(&mut self) {
        if !self.import.stale || self.project.is_none() {
            return;
        }
        let Some(file) = self.import.files.first().cloned() else {
            return;
        };
        self.import.stale = false;
        if let Some(id) = self.preview_job.take() {
            self.worker.cancel(id);
        }
        let job = jobs::preview(file, self.import.table.clone(), self.import.opts.clone());
        self.preview_job = Some(self.spawn("job_preview", job));
    }

    /// Imports the chosen files with the page's settings.
    pub fn import_files_now(&mut self) {
        let Some(table) = self
            .import
            .table
            .clone()
            .or(self.import.preview.as_ref().map(|p| p.table.clone()))
        else {
            return;
        };
        let mut opts = self.import.opts.clone();
        if opts.mapping.is_none() {
            opts.mapping = self.import.preview.as_ref().map(|p| p.mapping.clone());
        }
        let save = Some(self.import.save_as.clone()).filter(|s| !s.trim().is_empty());
        let job = jobs::import_files(table, self.import.files.clone(), opts, save);
        self.spawn("job_import_files", job);
    }

    /// Runs the audit rules in the background.
    pub fn run_audit(&mut self, spec: crate::audit::run::RunSpec) {
        self.audit.running = true;
        self.spawn("job_audit", jobs::run_audit(spec));
    }

    /// Applies a change of state (or an assignment) to suspects in the background.
    pub fn change_suspects(&mut self, keys: Vec<String>, change: crate::audit::triage::Change) {
        self.audit.form.error = None;
        self.spawn("job_audit_change", jobs::change_suspects(keys, change));
    }

    /// Asks why an indicator of a unit changed from `base` to `month`.
    pub fn ask_why(&mut self, indicator: &'static str, unit: String, base: NaiveDate, month: NaiveDate) {
        let children = self
            .project
            .as_ref()
            .map(|p| crate::store::queries::units_below(&p.org, &unit))
            .unwrap_or_default();
        let key: jobs::WhyKey = (indicator, unit, base, month);
        self.why = Some((key.clone(), None));
        self.spawn("job_why", jobs::why(key, children));
    }

    /// Opens the drill-through table on `query`.
    pub fn open_rows(&mut self, title: String, query: crate::store::rows::RowsQuery) {
        self.rows = Some(super::rows_window::RowsWindow::new(title, query));
    }

    /// Asks for the drill-through table's page when its query changed.
    fn refresh_rows(&mut self) {
        let Some(w) = self.rows.as_mut() else { return };
        let current = w.shown.as_ref().map(|(q, _)| q);
        if current == Some(&w.query) || w.requested.as_ref() == Some(&w.query) {
            return;
        }
        w.requested = Some(w.query.clone());
        let q = w.query.clone();
        self.spawn("job_rows", jobs::rows_page(q));
    }

    /// Sets (or with None removes) the unit's own target of an indicator.
    pub fn set_target(&mut self, indicator: &'static str, unit: String, target: Option<f64>) {
        self.spawn("job_target", jobs::set_target(indicator, unit, target));
    }

    /// Saves a case (and attaches files) in the background.
    pub fn save_case(&mut self, case: crate::store::cases::Case, attachments: Vec<PathBuf>) {
        self.spawn("job_case_save", jobs::save_case(case, attachments));
    }

    /// Makes a case of a confirmed suspect and opens it in the case library.
    pub fn promote_suspect(&mut self, key: String) {
        self.spawn("job_case_save", jobs::promote_suspect(key));
    }

    /// Keeps this project's values of a rule's parameters (None: back to the default).
    pub fn set_rule_params(&mut self, rule: String, values: Vec<(String, Option<f64>)>) {
        self.spawn("job_rule_save", jobs::set_rule_params(rule, values));
    }

    /// Checks and keeps a project rule.
    pub fn save_project_rule(&mut self, meta_json: String, query: String, id: String) {
        self.rules.error = None;
        self.spawn(
            "job_rule_save",
            jobs::save_project_rule(meta_json, Some(query), id),
        );
    }

    pub fn delete_project_rule(&mut self, id: String) {
        self.rules.selected = None;
        self.spawn("job_rule_save", jobs::save_project_rule(String::new(), None, id));
    }

    /// Loads the case library when its page shows and it is not loaded.
    fn refresh_cases(&mut self) {
        if self.state.page == Page::Rules
            && self.project.is_some()
            && self.rules.data.is_none()
            && !self.rules.requested
        {
            self.rules.requested = true;
            self.spawn("job_rules", jobs::load_rules());
        }
        if self.state.page == Page::Cases
            && self.project.is_some()
            && self.cases.list.is_none()
            && !self.cases.requested
        {
            self.cases.requested = true;
            self.spawn("job_cases", jobs::load_cases());
        }
    }

    /// Asks for the workbench's list when its filter changed, and for the selected suspect.
    fn refresh_audit(&mut self) {
        if self.state.page != Page::Audit || self.project.is_none() || self.audit.running {
            return;
        }
        let filter = self.audit.filter(self.unit_id());
        let wanted = format!("{filter:?}");
        let current = self.audit.shown.as_ref().map(|f| format!("{f:?}"));
        let asked = self.audit.requested.as_ref().map(|(_, f)| f.clone());
        if current.as_deref() != Some(wanted.as_str()) && asked.as_deref() != Some(wanted.as_str()) {
            self.audit.seq += 1;
            let seq = self.audit.seq;
            self.audit.requested = Some((seq, wanted));
            self.audit.shown = Some(filter.clone());
            self.spawn("job_audit_list", jobs::audit_list(seq, filter));
        }
        if let Some(key) = self.audit.selected.clone() {
            let have = self.audit.detail.as_ref().is_some_and(|(k, _)| *k == key);
            if !have && self.audit.detail_requested.as_deref() != Some(key.as_str()) {
                self.audit.detail_requested = Some(key.clone());
                self.spawn("job_audit_detail", jobs::suspect_detail(key));
            }
        }
    }

    /// Folds a job result into the UI state.
    fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Opened(Ok(view)) => {
                self.state.last_project = Some(view.path.clone());
                self.scoped = None;
                self.notice = None;
                self.show_project(view);
            }
            Msg::Imported(Ok((report, view))) => {
                let rows: u64 = report.tables.iter().map(|(_, n)| n).sum();
                self.notice = Some(format!(
                    "{} {} {} {} ({:.1} s)",
                    t(self.state.lang, "imported"),
                    crate::metrics::format::group_digits(rows),
                    t(self.state.lang, "rows_in_tables"),
                    report.tables.len(),
                    report.seconds
                ));
                self.scoped = None;
                self.show_project(view);
            }
            Msg::Opened(Err(e)) | Msg::Imported(Err(e)) => self.error = Some(e),
            Msg::ScopedCounts(scope, Ok(counts)) => {
                if self.unit_id().as_deref() == Some(scope.unit_id.as_str()) && self.period() == scope.month {
                    self.scoped = Some((scope, counts));
                }
            }
            Msg::ScopedCounts(_, Err(e)) => self.error = Some(e),
            Msg::Preview(Ok(preview)) => {
                if self.import.table.is_none() {
                    self.import.table = Some(preview.table.clone());
                }
                self.import.preview = Some(preview);
            }
            Msg::Preview(Err(e)) => {
                self.import.preview = None;
                self.error = Some(e);
            }
            Msg::FilesImported(Ok((report, view))) => {
                self.notice = Some(format!(
                    "{} {} / {} ({} {})",
                    t(self.state.lang, "stored_rows"),
                    crate::metrics::format::group_digits(report.rows_stored),
                    crate::metrics::format::group_digits(report.rows_in),
                    t(self.state.lang, "rows_rejected"),
                    crate::metrics::format::group_digits(report.rows_rejected)
                ));
                self.import.report = Some(report);
                self.scoped = None;
                self.show_project(view);
            }
            Msg::FilesImported(Err(e)) => self.error = Some(e),
            Msg::Leaders(scope, data) => self.leaders.receive(scope, data),
            Msg::AuditList(seq, list) => {
                if self.audit.requested.as_ref().is_some_and(|(s, _)| *s == seq) {
                    self.audit.requested = None;
                    // Selections of suspects no longer listed are dropped.
                    if let Ok(l) = &list {
                        self.audit.checked.retain(|k| l.rows.iter().any(|r| &r.key == k));
                    }
                    self.audit.list = Some(list.map(Arc::new));
                }
            }
            Msg::AuditDetail(key, detail) => {
                if self.audit.detail_requested.as_deref() == Some(key.as_str()) {
                    self.audit.detail_requested = None;
                }
                self.audit.detail = Some((key, detail));
            }
            Msg::AuditRun(result) => {
                self.audit.running = false;
                match result {
                    Ok(summary) => {
                        self.audit.last_run = Some(summary);
                        self.audit.shown = None;
                        self.audit.detail = None;
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            Msg::AuditChanged(result) => match result {
                Ok(n) => {
                    self.notice = Some(format!("{} {n}", t(self.state.lang, "audit_changed")));
                    self.audit.form = Default::default();
                    self.audit.checked.clear();
                    self.audit.shown = None;
                    self.audit.detail = None;
                }
                Err(e) => self.audit.form.error = Some(e),
            },
            Msg::Why(key, data) => {
                if self.why.as_ref().is_some_and(|(k, _)| *k == key) {
                    self.why = Some((key, Some(data)));
                }
            }
            Msg::TargetSaved(Ok(())) => {
                self.notice = Some(t(self.state.lang, "target_saved").to_string());
                self.leaders.data = None;
                self.bulletin.data = None;
                self.service.data = None;
            }
            Msg::TargetSaved(Err(e)) => self.error = Some(e),
            Msg::Rows(q, page) => {
                if let Some(w) = self.rows.as_mut()
                    && w.requested.as_ref() == Some(&q)
                {
                    w.requested = None;
                    w.shown = Some((q, page));
                }
            }
            Msg::Written(Ok(what)) => {
                self.notice = Some(format!("{} {what}", t(self.state.lang, "rows_written")))
            }
            Msg::Written(Err(e)) => self.error = Some(e),
            Msg::Market(scope, data) => self.market.receive(scope, data),
            Msg::Map(scope, data) => self.map.receive(scope, data),
            Msg::MapCustomers(scope, data) => self.map_customers.receive(scope, data),
            Msg::MapTrack(day, data) => {
                if self.map_page.track_asked == Some(day) {
                    self.map_page.track_asked = None;
                    match (data, &mut self.map.data) {
                        // The scene takes the day's positions, once.
                        (Ok(track), Some((_, Ok(scene)))) => {
                            let mut s = (**scene).clone();
                            s.vehicle_day = Some(day);
                            s.track = track;
                            *scene = Arc::new(s);
                        }
                        (Err(e), _) => self.error = Some(e),
                        _ => {}
                    }
                }
            }
            Msg::MapSearch(text, data) => self.map_page.searched = Some((text, data)),
            Msg::MapBox(data) => self.map_page.boxed = Some(data),
            Msg::MapFile(path, info) => {
                if let Some(form) = &mut self.map_page.import {
                    if let Ok((_, keys)) = &info
                        && !keys.contains(&form.property)
                    {
                        // Preselect a property that looks like a code or a name.
                        form.property = keys
                            .iter()
                            .find(|k| {
                                let k = k.to_lowercase();
                                ["code", "id", "dm", "编码", "name", "名称"]
                                    .iter()
                                    .any(|c| k.contains(c))
                            })
                            .or(keys.first())
                            .cloned()
                            .unwrap_or_default();
                    }
                    form.info = Some((path, info));
                }
            }
            Msg::MapImported(r) => {
                if r.is_ok() {
                    // The map reads the project again.
                    self.map = Default::default();
                }
                match &mut self.map_page.import {
                    Some(form) => {
                        form.running = false;
                        form.result = Some(r);
                    }
                    None => match r {
                        Ok(text) => self.notice = Some(text),
                        Err(e) => self.error = Some(e),
                    },
                }
            }
            Msg::Service(scope, data) => self.service.receive(scope, data),
            Msg::Bulletin(scope, data) => self.bulletin.receive(scope, data),
            Msg::Rules(data) => {
                self.rules.requested = false;
                self.rules.data = Some(data);
            }
            Msg::RuleSaved(Ok(id)) => {
                self.notice = Some(format!("{} {id}", t(self.state.lang, "rules_saved")));
                self.rules.data = None;
                self.rules.error = None;
                if self.rules.draft.take().is_some() {
                    self.rules.selected = Some(id);
                }
                // Parameters or rules changed: suspects found from now on follow them.
                self.audit.shown = None;
            }
            Msg::RuleSaved(Err(e)) => {
                if self.rules.draft.is_some() {
                    self.rules.error = Some(e);
                } else {
                    self.error = Some(e);
                }
            }
            Msg::Cases(list) => {
                self.cases.requested = false;
                self.cases.list = Some(list);
            }
            Msg::CaseSaved(Ok(id)) => {
                self.notice = Some(format!("{} {id}", t(self.state.lang, "cases_saved")));
                self.cases.editing = None;
                self.cases.list = None;
                self.cases.selected = Some(id);
                self.audit.detail = None;
                self.state.page = Page::Cases;
            }
            Msg::CasesMerged(Ok(what)) => {
                self.notice = Some(format!("{} {what}", t(self.state.lang, "cases_library")));
                self.cases.list = None;
            }
            Msg::CaseSaved(Err(e)) | Msg::CasesMerged(Err(e)) => self.error = Some(e),
            Msg::Cancelled => {
                self.audit.running = false;
                self.notice = Some(t(self.state.lang, "cancelled").to_string());
            }
        }
    }

    fn show_project(&mut self, view: ProjectView) {
        // Keep the period if the project has it, else take the latest month whose
        // indicators are complete (the last month's collection is still open while its
        // payments are not all in the data).
        let keep = self.period().is_some_and(|p| view.months.contains(&p));
        if !keep {
            self.state.period = view.last_complete.map(|m| m.format("%Y-%m").to_string());
        }
        if self.project.is_none()
            && let Some(t) = self.options.launched
        {
            tracing::info!("project shown {} ms after start", t.elapsed().as_millis());
        }
        self.project = Some(Arc::new(view));
        // New data: the indicators are counted again, the suspects listed again.
        self.leaders.data = None;
        self.bulletin.data = None;
        self.service.data = None;
        self.market.data = None;
        self.why = None;
        self.audit.shown = None;
        self.audit.detail = None;
        self.cases = Default::default();
        self.rules = Default::default();
        self.refresh_counts();
    }

    fn save_settings(&mut self) {
        if self.state != self.saved_state {
            if let Some(path) = &self.options.settings_file
                && let Err(e) = self.state.save(path)
            {
                tracing::warn!("cannot save settings to {}: {e}", path.display());
            }
            self.saved_state = self.state.clone();
        }
    }

    /// Draws one frame.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if !self.started {
            self.start(&ctx);
        }
        if self.theme_applied != Some(self.state.dark) {
            theme::apply_theme(&ctx, self.state.dark);
            self.theme_applied = Some(self.state.dark);
        }
        for (_, msg) in self.worker.poll() {
            self.apply(msg);
        }
        if let Some((purpose, paths)) = self.dialogs.poll() {
            self.answer(purpose, paths);
        }
        // Files dropped on the window go to the import page.
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            self.import_dropped(dropped);
        }
        self.refresh_preview();
        self.refresh_scope_pages();
        self.refresh_rows();
        super::chart_export::poll(self, &ctx);
        let table = self.table_out.lock().expect("table slot").take();
        if let Some(table) = table {
            self.table_pending = Some(table);
            self.ask(Purpose::SaveTable, &ctx);
        }
        self.refresh_audit();
        self.refresh_cases();

        egui::Panel::top("top_bar").show(ui, |ui| top_bar::show(self, ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| status_bar::show(self, ui));
        egui::Panel::left("side_nav")
            .resizable(false)
            .exact_size(190.0)
            .show(ui, |ui| side_nav::show(self, ui));
        egui::CentralPanel::default().show(ui, |ui| match self.state.page {
            Page::Overview => pages::overview::show(self, ui),
            Page::Leaders => pages::leaders::show(self, ui),
            Page::Bulletin => pages::bulletin::show(self, ui),
            Page::Service => pages::service::show(self, ui),
            Page::Map => pages::map::show(self, ui),
            Page::Market => pages::market::show(self, ui),
            Page::Audit => pages::audit::show(self, ui),
            Page::Cases => pages::cases::show(self, ui),
            Page::Rules => pages::rules::show(self, ui),
            Page::Import => pages::import::show(self, ui),
        });

        super::rows_window::show(self, &ctx);
        if let Some(err) = self.error.clone() {
            let lang = self.state.lang;
            let modal = egui::Modal::new(egui::Id::unique("error_modal")).show(&ctx, |ui| {
                ui.set_max_width(520.0);
                ui.heading(t(lang, "error"));
                ui.add_space(6.0);
                ui.label(err);
                ui.add_space(10.0);
                ui.button(t(lang, "ok")).clicked()
            });
            if modal.inner || modal.should_close() {
                self.error = None;
            }
        }
        self.save_settings();
        // Progress bars move while a job runs.
        if self.worker.is_busy() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}

impl eframe::App for MamsApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        MamsApp::ui(self, ui);
    }
}
