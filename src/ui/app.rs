//! The app shell: owns the worker, the open project, the top bar's scope and the pages;
//! lays out the top bar, navigation, status bar and the selected page; routes job answers
//! to the page that asked and applies what pages ask for (`Command`) in one place.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;

use super::app_state::AppState;
use super::dialogs::{Dialogs, Purpose};
use super::i18n::{Lang, t};
use super::jobs::{self, Msg, ProjectView, Scope};
use super::page::{Changed, Command, Cx, Needs, Open, Page, PageId, TextTable};
use super::{chart_export, pages, side_nav, status_bar, theme, top_bar};
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

pub struct MamsApp {
    pub state: AppState,
    saved_state: AppState,
    options: AppOptions,
    ctx: Arc<OnceLock<egui::Context>>,
    worker: Worker<Msg>,
    dialogs: Dialogs,
    /// The page that opened the file dialog now open (None: the shell did).
    dialog_for: Option<PageId>,
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
    /// Every page, in the side navigation's order.
    pages: Vec<Box<dyn Page>>,
    /// Jobs pages started, and which: their answers go back to it.
    job_owner: HashMap<u64, PageId>,
    /// A chart screenshot on its way in, and the chart image waiting for a file name.
    chart_shot: chart_export::Slot,
    chart_png: Option<egui::ColorImage>,
    /// A page's table waiting for a file name.
    table_pending: Option<TextTable>,
    /// The drill-through table, when open.
    pub rows: Option<super::rows_window::RowsWindow>,
    /// Whether what leaves MAMS carries personal data in full: masked at every start, in full
    /// only after the user confirmed it for this session (never saved with the settings).
    pub disclosure: crate::privacy::Disclosure,
    /// The confirmation of full disclosure, while it is asked.
    pub asking_disclosure: bool,
    /// The report of a crash of the last run, offered once at start (file, text).
    pub crash: Option<(PathBuf, String)>,
    /// Whether the crash report's text is unfolded.
    crash_shown: bool,
    /// Help > About, while open.
    pub about_open: bool,
    /// The passphrase dialog of encrypted projects, while open.
    pub passphrase: Option<super::passphrase::Dialog>,
    /// File > Phone access: the window and the server when it runs.
    pub phone: super::phone::PhoneWindow,
    /// File > Attach a lake slice: the slice being chosen, once the lake was read.
    pub lake_attach: Option<super::lake_attach::LakeAttach>,
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
        let mut pages = pages::all();
        for page in &mut pages {
            if let Some(saved) = state.pages.get(&format!("{:?}", page.id())) {
                page.restore(saved.clone());
            }
        }
        let ctx: Arc<OnceLock<egui::Context>> = Arc::default();
        let wake_ctx = ctx.clone();
        let worker = Worker::new(move || {
            if let Some(c) = wake_ctx.get() {
                c.request_repaint();
            }
        });
        worker.set_language(state.lang == Lang::Zh);
        MamsApp {
            saved_state: state.clone(),
            state,
            options,
            worker,
            ctx,
            dialogs: Dialogs::default(),
            dialog_for: None,
            project: None,
            scoped: None,
            counts_job: None,
            error: None,
            notice: None,
            started: false,
            unit_search: String::new(),
            theme_applied: None,
            pages,
            job_owner: HashMap::new(),
            chart_shot: Default::default(),
            chart_png: None,
            table_pending: None,
            rows: None,
            disclosure: crate::privacy::Disclosure::Masked,
            asking_disclosure: false,
            crash: None,
            crash_shown: false,
            about_open: false,
            passphrase: None,
            phone: Default::default(),
            lake_attach: None,
        }
    }

    pub fn lang(&self) -> Lang {
        self.state.lang
    }

    /// A page, to read its state (tests, and the shell's windows).
    pub fn page<P: Page>(&self) -> &P {
        self.pages
            .iter()
            .find_map(|p| (p.as_ref() as &dyn std::any::Any).downcast_ref::<P>())
            .expect("every page type is in pages::all")
    }

    pub fn page_mut<P: Page>(&mut self) -> &mut P {
        self.pages
            .iter_mut()
            .find_map(|p| (p.as_mut() as &mut dyn std::any::Any).downcast_mut::<P>())
            .expect("every page type is in pages::all")
    }

    /// Runs `f` on page `P` as if it were drawn, then applies what it asked for (for tests,
    /// which drive a page the way its widgets would).
    pub fn drive<P: Page, R>(&mut self, f: impl FnOnce(&mut P, &mut Cx) -> R) -> R {
        let id = self.page::<P>().id();
        self.with_page(id, |p, cx| {
            let any: &mut dyn std::any::Any = p;
            f(any.downcast_mut::<P>().expect("the page of this id"), cx)
        })
        .expect("the page is there")
    }

    /// The pages in the side navigation's order: id, icon and title key.
    pub fn page_list(&self) -> Vec<(PageId, &'static str, &'static str)> {
        self.pages
            .iter()
            .map(|p| (p.id(), p.icon(), p.title_key()))
            .collect()
    }

    /// Queued and running jobs (for the status bar and for tests waiting on them).
    pub fn jobs(&self) -> Vec<crate::worker::JobInfo> {
        self.worker.jobs()
    }

    pub fn is_busy(&self) -> bool {
        self.worker.is_busy()
    }

    /// Runs a job of the shell's own (projects, counts, files written).
    fn spawn(
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
        self.spawn("job_new", jobs::new_project(path, None));
    }

    /// Opens the passphrase dialog (open, new, encrypt, change, remove).
    pub fn ask_passphrase(&mut self, purpose: super::passphrase::Purpose) {
        self.passphrase = Some(super::passphrase::Dialog::new(purpose));
    }

    /// What the passphrase dialog answered: the work goes to the worker (the passphrase is
    /// stretched there, which takes about 0.1 s).
    fn passphrase_answered(&mut self, answer: super::passphrase::Answer) {
        use super::passphrase::Answer;
        match answer {
            Answer::Open(path, pass) => {
                self.spawn("job_open", jobs::open_encrypted(path, pass));
            }
            Answer::New(path, pass) => {
                self.spawn("job_new", jobs::new_project(path, Some(pass)));
            }
            Answer::Reseal(current, to) => {
                // The file is replaced: the phone server's connections must be gone first.
                if let Some(server) = self.phone.server.take() {
                    server.stop();
                }
                self.spawn("job_reseal", jobs::reseal_project(current, to));
            }
            Answer::Cancel => {}
        }
    }

    /// Starts phone access for the open project (on the worker: the server's read-only
    /// connections are made there); its writes come back to the worker.
    pub fn start_phone(&mut self, options: crate::handheld::server::Options) {
        match self.project.as_ref().map(|p| p.path.clone()) {
            Some(path) => {
                self.phone.starting = true;
                let writer = self.worker.writer_for(path);
                self.spawn("job_phone", jobs::phone::start(writer, options));
            }
            None => {
                self.phone.starting = false;
                self.phone.error = Some(t(self.state.lang, "phone_no_project").to_string());
            }
        }
    }

    /// The phone window, and what it asks for.
    fn phone_window(&mut self, ctx: &egui::Context) {
        // The server serves the project open, and only while it is open.
        if let Some(server) = &self.phone.server
            && self.project.as_ref().is_none_or(|p| p.path != server.project)
        {
            self.phone.stop();
        }
        let org = self.project.as_ref().map(|p| p.org.clone()).unwrap_or_default();
        for action in self.phone.show(ctx, self.state.lang, &org) {
            use super::phone::Action;
            match action {
                Action::Start => self.start_phone(crate::handheld::server::Options::lan()),
                Action::Stop => self.phone.stop(),
                Action::Refresh(revoke) if self.project.is_some() => {
                    self.spawn("job_phone_devices", jobs::phone::devices(revoke));
                }
                Action::Refresh(_) => {}
            }
        }
    }

    pub fn import_folder(&mut self, dir: PathBuf) {
        self.spawn("job_import", jobs::import_folder(dir));
    }

    /// Opens a native file dialog; its answer goes to `for_page` (None: the shell).
    pub fn ask(&mut self, purpose: Purpose, for_page: Option<PageId>) {
        let Some(ctx) = self.ctx.get().cloned() else {
            return;
        };
        let title = t(self.state.lang, purpose.title_key());
        if self.dialogs.ask(purpose, title.trim_end_matches('…'), &ctx) {
            self.dialog_for = for_page;
        }
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

    /// Runs `f` with the pages and what they see of the shell (as `page`, or as the shell
    /// when None), then applies what they asked for.
    fn with_pages<R>(
        &mut self,
        page: Option<PageId>,
        f: impl FnOnce(&mut [Box<dyn Page>], &mut Cx) -> R,
    ) -> R {
        let unit_id = self.unit_id();
        let period = self.period();
        let mut cx = Cx {
            lang: self.state.lang,
            dark: self.state.dark,
            project: self.project.clone(),
            unit_id,
            period,
            scoped: self.scoped.as_ref(),
            disclosure: self.disclosure,
            page,
            worker: &mut self.worker,
            commands: Vec::new(),
            started: Vec::new(),
        };
        let r = f(&mut self.pages, &mut cx);
        let Cx {
            commands, started, ..
        } = cx;
        self.job_owner.extend(started);
        for c in commands {
            self.apply_command(c);
        }
        r
    }

    /// Runs `f` on one page.
    fn with_page<R>(&mut self, id: PageId, f: impl FnOnce(&mut dyn Page, &mut Cx) -> R) -> Option<R> {
        self.with_pages(Some(id), |pages, cx| {
            pages.iter_mut().find(|p| p.id() == id).map(|p| f(p.as_mut(), cx))
        })
    }

    /// What a page asked for: the one place where the shell's state changes on a page's
    /// behalf.
    fn apply_command(&mut self, command: Command) {
        match command {
            Command::Show(page) => self.state.page = page,
            Command::Open(page, what) => {
                self.state.page = page;
                self.with_page(page, |p, cx| p.open(what, cx));
            }
            Command::SetUnit(unit) => self.set_unit(unit),
            Command::SetPeriod(month) => self.set_period(month),
            Command::Ask(purpose) => self.ask(purpose, Some(self.state.page)),
            Command::OpenRows(title, query) => {
                self.rows = Some(super::rows_window::RowsWindow::new(title, query));
            }
            Command::CopyInFull(entry, text) => {
                self.spawn("job_access_log", jobs::copy_in_full(entry, text));
            }
            Command::SaveTable(table) => {
                self.table_pending = Some(table);
                self.ask(Purpose::SaveTable, None);
            }
            Command::SaveChart(rect) => {
                if let Some(ctx) = self.ctx.get() {
                    chart_export::capture(ctx, rect, self.chart_shot.clone());
                }
            }
            Command::ShowProject(view) => {
                self.scoped = None;
                self.show_project(*view);
            }
            Command::Changed(what) => self.changed(what),
            Command::Notice(text) => self.notice = Some(text),
            Command::Error(text) => self.error = Some(text),
            Command::OpenSample => self.open_sample(),
        }
    }

    /// The window that chooses the lake slice to attach; Attach asks where the new project
    /// goes (the window stays until a project opens: after a Cancel there or a failure).
    fn lake_attach_window(&mut self, ctx: &egui::Context) {
        let busy = self.is_busy();
        let Some(d) = self.lake_attach.as_mut() else {
            return;
        };
        match d.show(ctx, self.state.lang, busy) {
            super::lake_attach::Action::Attach => {
                let name = d.suggested_name();
                self.ask(Purpose::AttachLakeProject(name), None);
            }
            super::lake_attach::Action::Cancel => self.lake_attach = None,
            super::lake_attach::Action::None => {}
        }
    }

    /// Tells every page that something the project holds changed.
    fn changed(&mut self, what: Changed) {
        for p in &mut self.pages {
            p.changed(what);
        }
    }

    /// What a closed file dialog answered (nothing: cancelled).
    pub fn answer(&mut self, purpose: Purpose, paths: Vec<PathBuf>) {
        let Some(first) = paths.first().cloned() else {
            return;
        };
        if let Some(page) = self.dialog_for.take() {
            self.with_page(page, |p, cx| p.answered(purpose, paths, cx));
            return;
        }
        match purpose {
            Purpose::OpenProject => self.open_project(first),
            Purpose::NewProject => self.new_project(first),
            Purpose::NewEncryptedProject => self.ask_passphrase(super::passphrase::Purpose::New(first)),
            Purpose::ImportFolder => self.import_folder(first),
            Purpose::AttachLake => {
                self.spawn("job_lake_outline", jobs::lake_outline(first));
            }
            // The window stays until a project opens: after a failure the slice is still there.
            Purpose::AttachLakeProject(_) => {
                if let Some(d) = &self.lake_attach {
                    let job = jobs::attach_lake(first, d.outline.dir.clone(), d.slice());
                    self.spawn("job_lake_attach", job);
                }
            }
            Purpose::SaveChart => {
                if let Some(image) = self.chart_png.take() {
                    self.spawn("job_chart_png", jobs::save_chart(image, first));
                }
            }
            Purpose::SaveTable => {
                if let Some((header, rows)) = self.table_pending.take() {
                    let d = self.disclosure;
                    self.spawn("job_save_table", jobs::save_table(header, rows, first, d));
                }
            }
            Purpose::ExportRows => {
                if let Some(w) = &self.rows {
                    let q = w.query.clone();
                    let d = self.disclosure;
                    self.spawn("job_rows_export", jobs::rows_export(q, first, d));
                }
            }
            // A page's dialog answered without a record of which (tests answer directly):
            // the page shown takes it.
            other => {
                let page = self.state.page;
                self.with_page(page, |p, cx| p.answered(other, paths, cx));
            }
        }
    }

    /// Files chosen or dropped for import: the import page opens on them.
    pub fn import_dropped(&mut self, files: Vec<PathBuf>) {
        match crate::import::file::expand(&files) {
            Ok(files) => self.apply_command(Command::Open(PageId::Import, Open::Files(files))),
            Err(e) => self.error = Some(format!("{e:#}")),
        }
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

    /// A job's answer: to the page that started it, and what it does not keep to the shell.
    fn route(&mut self, job: u64, msg: Msg) {
        let rest = match self.job_owner.remove(&job) {
            Some(page) => self.with_page(page, |p, cx| p.receive(msg, cx)).flatten(),
            None => Some(msg),
        };
        if let Some(msg) = rest {
            self.apply(msg);
        }
    }

    /// Folds an answer of the shell's own into its state.
    fn apply(&mut self, msg: Msg) {
        match msg {
            Msg::Opened(Ok(view)) => {
                self.lake_attach = None;
                self.state.last_project = Some(view.path.clone());
                self.scoped = None;
                self.notice = None;
                // An entry of the audit trail changed outside MAMS: said at once, in full.
                if !view.trail.is_intact() {
                    self.error = Some(view.trail.text().pick(self.state.lang == Lang::Zh).to_string());
                }
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
            Msg::Opened(Err(e)) | Msg::Imported(Err(e)) | Msg::LakeOutline(Err(e)) => self.error = Some(e),
            Msg::LakeOutline(Ok(outline)) => {
                self.lake_attach = Some(super::lake_attach::LakeAttach::new(*outline));
            }
            Msg::NeedsPassphrase { path, wrong } => {
                self.ask_passphrase(super::passphrase::Purpose::Open { path, wrong });
            }
            Msg::Resealed(Ok((view, done))) => {
                self.notice = Some(t(self.state.lang, done).to_string());
                self.show_project(view);
            }
            Msg::Resealed(Err(e)) => self.error = Some(e),
            Msg::PhoneStarted(r) => {
                self.phone.starting = false;
                match r {
                    // Started for a project closed meanwhile: not served.
                    Ok(server) if self.project.as_ref().is_some_and(|p| p.path == server.project) => {
                        self.phone.server = Some(server);
                    }
                    Ok(server) => server.stop(),
                    Err(e) => self.phone.error = Some(e),
                }
            }
            Msg::PhoneDevices(Ok(d)) => self.phone.listed(d),
            Msg::PhoneDevices(Err(e)) => self.phone.error = Some(e),
            Msg::ScopedCounts(scope, Ok(counts)) => {
                if self.unit_id().as_deref() == Some(scope.unit_id.as_str()) && self.period() == scope.month {
                    self.scoped = Some((scope, counts));
                }
            }
            Msg::ScopedCounts(_, Err(e)) => self.error = Some(e),
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
            Msg::CopiedInFull(Ok(text)) => {
                if let Some(ctx) = self.ctx.get() {
                    ctx.copy_text(text);
                }
                self.notice = Some(t(self.state.lang, "copied_in_full").to_string());
            }
            Msg::CopiedInFull(Err(e)) => self.error = Some(e),
            Msg::QualityRan(Ok(Some(r))) => {
                self.notice = Some(format!(
                    "{} {} ({:.1} s): {} / {} {}",
                    t(self.state.lang, "quality_run"),
                    r.run_id,
                    r.seconds,
                    r.below,
                    r.checks,
                    t(self.state.lang, "quality_below")
                ));
                self.changed(Changed::Quality);
            }
            Msg::QualityRan(Ok(None)) => {}
            Msg::QualityRan(Err(e)) | Msg::QualityChanged(Err(e)) => self.error = Some(e),
            Msg::QualityChanged(Ok(_)) => self.changed(Changed::Quality),
            Msg::Cancelled => self.notice = Some(t(self.state.lang, "cancelled").to_string()),
            other => tracing::debug!("an answer no page took: {other:?}"),
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
        // New data: every page reads it again.
        self.changed(Changed::Project);
        self.refresh_counts();
        // The data quality checks follow every import, and catch up on a project whose data
        // changed since their last run (the job returns at once when nothing did).
        self.spawn("job_quality_run", jobs::quality_run(true));
    }

    fn save_settings(&mut self) {
        for p in &self.pages {
            if let Some(v) = p.settings() {
                self.state.pages.insert(format!("{:?}", p.id()), v);
            }
        }
        if self.state != self.saved_state {
            if let Some(path) = &self.options.settings_file
                && let Err(e) = self.state.save(path)
            {
                tracing::warn!("cannot save settings to {}: {e}", path.display());
            }
            self.saved_state = self.state.clone();
        }
    }

    /// The selected page, when it has what it needs; else what is missing.
    fn show_page(&mut self, ui: &mut egui::Ui) {
        let id = self.state.page;
        let Some(needs) = self.pages.iter().find(|p| p.id() == id).map(|p| p.needs()) else {
            return;
        };
        let lang = self.state.lang;
        let missing = match needs {
            Needs::Nothing => None,
            Needs::Project | Needs::Scope if self.project.is_none() => Some("no_project"),
            Needs::Scope if self.period().is_none() => Some("no_months"),
            _ => None,
        };
        if let Some(key) = missing {
            let title = self.pages.iter().find(|p| p.id() == id).map(|p| p.title_key());
            ui.heading(egui::RichText::new(t(lang, title.unwrap_or_default())).strong());
            ui.label(t(lang, key));
            return;
        }
        self.with_page(id, |p, cx| {
            p.refresh(cx);
            p.show(ui, cx);
        });
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
        self.worker.set_language(self.state.lang == Lang::Zh);
        for (job, msg) in self.worker.poll() {
            self.route(job, msg);
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
        self.refresh_rows();
        let shot = self.chart_shot.lock().expect("chart slot").take();
        if let Some(image) = shot {
            self.chart_png = Some(image);
            self.ask(Purpose::SaveChart, None);
        }

        if self.present(ui) {
            return;
        }
        egui::Panel::top("top_bar").show(ui, |ui| top_bar::show(self, ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| status_bar::show(self, ui));
        egui::Panel::left("side_nav")
            .resizable(false)
            .exact_size(190.0)
            .show(ui, |ui| side_nav::show(self, ui));
        egui::CentralPanel::default().show(ui, |ui| self.show_page(ui));

        super::rows_window::show(self, &ctx);
        if self.asking_disclosure {
            self.ask_disclosure(&ctx);
        }
        if self.crash.is_some() {
            self.offer_crash_report(&ctx);
        }
        if self.about_open {
            super::about::show(&ctx, self.state.lang, &mut self.about_open);
        }
        self.lake_attach_window(&ctx);
        self.phone_window(&ctx);
        if let Some(answer) = self
            .passphrase
            .as_mut()
            .and_then(|d| d.show(&ctx, self.state.lang))
        {
            self.passphrase = None;
            self.passphrase_answered(answer);
        }
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

impl MamsApp {
    /// Says that the last run crashed, where its report is, and shows it on request.
    fn offer_crash_report(&mut self, ctx: &egui::Context) {
        let Some((path, text)) = self.crash.clone() else {
            return;
        };
        let lang = self.state.lang;
        let mut shown = self.crash_shown;
        let modal = egui::Modal::new(egui::Id::unique("crash_modal")).show(ctx, |ui| {
            ui.set_max_width(720.0);
            ui.heading(t(lang, "crash_title"));
            ui.add_space(6.0);
            ui.label(t(lang, "crash_text"));
            ui.label(egui::RichText::new(path.display().to_string()).monospace());
            ui.add_space(6.0);
            if shown {
                egui::ScrollArea::vertical()
                    .max_height(360.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        ui.label(egui::RichText::new(&text).monospace().small());
                    });
            }
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                if !shown && ui.button(t(lang, "crash_show")).clicked() {
                    shown = true;
                }
                if ui.button(t(lang, "crash_copy")).clicked() {
                    ui.ctx().copy_text(text.clone());
                }
                ui.button(t(lang, "ok")).clicked()
            })
            .inner
        });
        self.crash_shown = shown;
        if modal.inner || modal.should_close() {
            self.crash = None;
        }
    }

    /// Asks once before personal data leaves in full for the rest of the session.
    fn ask_disclosure(&mut self, ctx: &egui::Context) {
        let lang = self.state.lang;
        let modal = egui::Modal::new(egui::Id::unique("disclosure_modal")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading(t(lang, "disclosure_title"));
            ui.add_space(6.0);
            ui.label(t(lang, "disclosure_text"));
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                if ui
                    .button(
                        egui::RichText::new(t(lang, "disclosure_confirm")).color(ui.visuals().warn_fg_color),
                    )
                    .clicked()
                {
                    Some(true)
                } else if ui.button(t(lang, "cancel")).clicked() {
                    Some(false)
                } else {
                    None
                }
            })
            .inner
        });
        match modal.inner {
            Some(full) => {
                self.asking_disclosure = false;
                if full {
                    self.disclosure = crate::privacy::Disclosure::Full;
                }
            }
            None if modal.should_close() => self.asking_disclosure = false,
            None => {}
        }
    }

    /// What the page shown offers as a view for a slide.
    pub fn current_view(&mut self) -> Option<crate::presenter::deck::View> {
        let id = self.state.page;
        self.with_page(id, |p, cx| p.view(cx)).flatten()
    }

    /// Adds a view to the deck being made, staying on the page.
    pub fn add_view(&mut self, view: crate::presenter::deck::View) {
        self.with_page(PageId::Presenter, |p, cx| p.open(Open::AddView(view), cx));
    }

    /// The deck shown full screen, in place of everything else (and the presenter view in
    /// a window of its own); true while it is. F5 starts it from anywhere.
    fn present(&mut self, ui: &mut egui::Ui) -> bool {
        use super::pages::presenter::{PresenterPage, show};
        let ctx = ui.ctx().clone();
        let zh = self.state.lang == Lang::Zh;
        if self.page::<PresenterPage>().show.is_none() {
            if self.project.is_some()
                && ctx.input(|i| i.key_pressed(egui::Key::F5))
                && !self.page_mut::<PresenterPage>().start(&ctx)
            {
                // No deck to show yet: the page where one is made.
                self.state.page = PageId::Presenter;
            }
            return self.page::<PresenterPage>().show.is_some();
        }
        let page = self.page_mut::<PresenterPage>();
        let Some(deck) = page.deck.clone() else {
            page.stop(&ctx);
            return false;
        };
        let masked = page.masked;
        let slides = deck.slides.len();
        let Some(s) = page.show.as_mut() else { return false };
        if show::keys(&ctx, s, slides) == show::Outcome::Leave {
            page.stop(&ctx);
            return false;
        }
        let charts = &mut page.charts;
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.fill(egui::Color32::BLACK))
            .show(ui, |ui| show::screen(ui, &deck, s, zh, masked, charts));
        let mut leave = false;
        if s.presenter_view {
            let mut open = true;
            ctx.show_viewport_immediate(
                egui::ViewportId::from_hash_of("mams_presenter_view"),
                egui::ViewportBuilder::default()
                    .with_title(if zh {
                        "MAMS 演讲者视图"
                    } else {
                        "MAMS presenter view"
                    })
                    .with_inner_size([1100.0, 700.0]),
                |ctx, _class| {
                    egui::CentralPanel::default().show(ctx, |ui| {
                        show::presenter_view(ui, &deck, s, zh, masked, charts);
                    });
                    if ctx.input(|i| i.viewport().close_requested()) {
                        open = false;
                    }
                    // The keys work from the presenter's window too (when it is a window
                    // of its own: embedded, its keys are the main window's, read above).
                    if !ctx.embed_viewports() && show::keys(ctx, s, slides) == show::Outcome::Leave {
                        leave = true;
                    }
                },
            );
            if !open {
                s.presenter_view = false;
            }
        }
        if leave {
            page.stop(&ctx);
            return false;
        }
        true
    }
}

impl eframe::App for MamsApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        MamsApp::ui(self, ui);
    }
}
