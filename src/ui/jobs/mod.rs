//! The app's background jobs and the messages they send back. Every job runs on the
//! worker thread through the headless core; its result comes back as one `Msg`, which
//! goes back to the page that started the job (`Page::receive`), or to the shell. The jobs
//! are grouped by what they serve, one file each.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::import::FolderReport;
use crate::import::file::{FileReport, Preview};
use crate::import::mapping::Mapping;
use crate::progress::Cancelled;
use crate::store::Project;
use crate::store::queries::{self, ImportRecord, OrgUnit, ProjectInfo, ScopedCount};
use crate::worker::WorkerState;

mod audit;
mod bulletins;
mod evaluation;
mod files;
mod map;
mod pages;
pub mod phone;
mod presenter;
mod project;
mod quality;
mod risk;

pub use audit::*;
pub use bulletins::*;
pub use evaluation::*;
pub use files::*;
pub use map::*;
pub use pages::*;
pub use presenter::*;
pub use project::*;
pub use quality::*;
pub use risk::*;

/// What the UI shows of the open project.
#[derive(Debug, Clone)]
pub struct ProjectView {
    pub path: PathBuf,
    pub name: String,
    pub info: ProjectInfo,
    pub org: Vec<OrgUnit>,
    pub imports: Vec<ImportRecord>,
    pub months: Vec<NaiveDate>,
    /// The last month whose indicators are complete in the data (the one to open on).
    pub last_complete: Option<NaiveDate>,
    /// Saved import profiles: (name, mapping).
    pub profiles: Vec<(String, Mapping)>,
    /// The audit trail's hash chain as found on opening (`audit::chain`).
    pub trail: crate::audit::chain::ChainState,
}

/// Rows per table in a scope (unit subtree, month).
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub unit_id: String,
    pub month: Option<NaiveDate>,
}

#[derive(Debug)]
pub enum Msg {
    /// A project was opened, created or built: the view of it, or why not.
    Opened(Result<ProjectView, String>),
    /// What a lake holds, to choose the slice to attach (or why it cannot be attached).
    LakeOutline(Result<Box<crate::lake::attach::Outline>, String>),
    /// The project to open is encrypted and this process has no key for it, or a wrong one.
    NeedsPassphrase {
        path: PathBuf,
        wrong: bool,
    },
    /// The open project was encrypted, given a new passphrase or made plain: it is open
    /// again (with the key of the notice that says which).
    Resealed(Result<(ProjectView, &'static str), String>),
    /// Phone access started (or why not).
    PhoneStarted(Result<Box<crate::handheld::server::Server>, String>),
    /// The devices paired for phone access and their latest requests.
    PhoneDevices(Result<phone::Devices, String>),
    /// A folder was imported into the open project.
    Imported(Result<(FolderReport, ProjectView), String>),
    ScopedCounts(Scope, Result<Vec<ScopedCount>, String>),
    /// What importing a file would do.
    Preview(Result<Preview, String>),
    /// Files were imported into one table.
    FilesImported(Result<(FileReport, ProjectView), String>),
    /// The cards of the Views for Leaders page, and the units below for their rankings.
    Leaders(Scope, Result<LeaderData, String>),
    /// A page of suspects for the audit workbench.
    AuditList(u64, Result<AuditList, String>),
    /// Everything about one suspect.
    AuditDetail(String, Result<SuspectDetail, String>),
    /// A run of the rules finished.
    AuditRun(Result<AuditRunSummary, String>),
    /// Suspects changed state (how many).
    AuditChanged(Result<usize, String>),
    /// Why an indicator changed: the split of the change and the rules behind it.
    Why(WhyKey, Result<WhyData, String>),
    /// The Data quality page's overview of a unit (None: the project).
    Quality(Option<String>, Box<Result<crate::dq::report::Overview, String>>),
    /// A check's counts by unit and its kept failing rows.
    QualityCheck(String, Result<crate::dq::report::CheckDetail, String>),
    /// A column's profile: (table, column).
    QualityProfile((String, String), Box<Result<crate::dq::profile::Profile, String>>),
    /// A run of the data quality checks (None: nothing had changed since the last one).
    QualityRan(Result<Option<QualityRun>, String>),
    /// A worklist item's trail.
    QualityTrail(String, Result<Vec<crate::store::dq::TrailEntry>, String>),
    /// A check of the project's own was kept (its id), or why not.
    QualityCheckSaved(Result<String, String>),
    /// A worklist item moved or a warning acknowledged (its key).
    QualityChanged(Result<String, String>),
    /// The Risk page's overview of a unit and month.
    Risk(RiskKey, Box<Result<crate::risk::report::Overview, String>>),
    /// A risk point in a unit: (risk, unit).
    RiskPoint(
        (String, String),
        Box<Result<crate::risk::report::PointDetail, String>>,
    ),
    /// A measure was recorded or moved (its id), or why not.
    RiskMeasureSaved(Result<i64, String>),
    /// A measure's evaluation and trail.
    RiskEvaluated(i64, Box<Result<EvaluatedMeasure, String>>),
    /// A risk point of the project's own was kept (its id), or why not.
    RiskPointSaved(Result<String, String>),
    /// A page of the rows behind a number.
    Rows(
        crate::store::rows::RowsQuery,
        Result<crate::store::rows::RowsPage, String>,
    ),
    /// Something was written out: what, or why not.
    Written(Result<String, String>),
    /// A copy in full was recorded: the text for the clipboard, or why it was not.
    CopiedInFull(Result<String, String>),
    /// The key-market page of a scope.
    Market(Scope, Result<MarketData, String>),
    /// A unit's target of an indicator was set or removed.
    TargetSaved(Result<(), String>),
    /// The service-quality page of a scope.
    Service(Scope, Result<ServiceData, String>),
    /// The bulletin board of a scope: units ranked, targets missed.
    Bulletin(Scope, Result<BulletinData, String>),
    /// The rule library with this project's parameters and the rules' precision.
    Rules(Result<RulesData, String>),
    /// A project rule was saved (its id) or a parameter set; or why not.
    RuleSaved(Result<String, String>),
    /// The case library.
    Cases(Result<Vec<crate::store::cases::Case>, String>),
    /// A case was saved (its id), or cases merged / exported (what happened).
    CaseSaved(Result<String, String>),
    CasesMerged(Result<String, String>),
    /// The map of a scope, and where every customer of a scope is (world coordinates).
    Map(Scope, Result<std::sync::Arc<crate::geo::scene::Scene>, String>),
    MapCustomers(
        Scope,
        Result<std::sync::Arc<Vec<crate::geometry::shape::Pt>>, String>,
    ),
    /// A day of vehicle positions.
    MapTrack(NaiveDate, Result<Vec<crate::store::map::Fix>, String>),
    /// Customers found by the map's search, and customers picked with a box (and how many
    /// are inside in all).
    MapSearch(String, Result<Vec<crate::store::map::BoxedCustomer>, String>),
    MapBox(Result<(Vec<crate::store::map::BoxedCustomer>, u64), String>),
    /// What a GeoJSON file holds (features, property names), for the import form.
    MapFile(PathBuf, Result<(usize, Vec<String>), String>),
    /// A GeoJSON file was imported: what happened.
    MapImported(Result<String, String>),
    /// The console's answer to a query (the query as run).
    Console(String, Result<crate::store::queries::QueryResult, String>),
    /// The evaluation of the units below a unit for a period.
    Evaluation(EvalKey, Box<Result<EvaluationData, String>>),
    /// The same units' evaluations over earlier periods.
    EvaluationHistory(EvalKey, Result<History, String>),
    /// An evaluation was published (its id), or why not.
    EvaluationPublished(Result<i64, String>),
    /// An index system was saved (its version) or removed (empty), or why not.
    SystemSaved(Result<String, String>),
    /// An improvement item was saved.
    ItemSaved(Result<(), String>),
    /// The benchmark of a scope, in a peer group (None: the default bands).
    Benchmark((EvalKey, Option<String>), Box<Result<BenchmarkData, String>>),
    /// DEA efficiency of the units of a level within a scope.
    Dea(
        (EvalKey, crate::metrics::efficiency::DeaSpec),
        Box<Result<crate::metrics::efficiency::UnitsDea, String>>,
    ),
    /// The Malmquist index of the units of a level from a year earlier.
    Malmquist(
        (EvalKey, crate::metrics::efficiency::DeaSpec),
        Box<Result<crate::metrics::efficiency::UnitsMalmquist, String>>,
    ),
    /// A peer group was saved (its name).
    PeerGroupSaved(Result<String, String>),
    /// External peer figures were imported (how many).
    PeersImported(Result<usize, String>),
    /// What the cadence asks for around a day.
    Cadence(NaiveDate, Box<Result<CadenceData, String>>),
    /// A bulletin to review: prepared, a draft or a published one (its id).
    BulletinOpened(Box<Result<(crate::bulletins::document::Document, Option<i64>), String>>),
    /// A draft was kept (what).
    BulletinSaved(Result<String, String>),
    /// A bulletin was published (its id).
    BulletinPublished(Result<i64, String>),
    /// The project's cadence was kept (true: its own; false: back to MAMS's), or why not.
    CadenceSaved(Result<bool, String>),
    /// The published bulletins checked against today's data.
    BulletinsChecked(Result<Checked, String>),
    /// The decks of the project.
    Decks(Result<DeckList, String>),
    /// A deck read, or kept (with its id).
    DeckLoaded(Box<Result<crate::presenter::deck::Deck, String>>),
    DeckSaved(Box<Result<crate::presenter::deck::Deck, String>>),
    /// A slide made of a page's view.
    SlideMade(Box<Result<crate::presenter::deck::Slide, String>>),
    /// The job stopped because the user cancelled it.
    Cancelled,
}

/// A page of the audit workbench's list, with the rules to name them.
#[derive(Debug, Clone)]
pub struct AuditList {
    pub rules: Vec<crate::audit::rules::Rule>,
    pub rows: Vec<crate::store::audit::SuspectRow>,
    pub total: u64,
    pub precision: Vec<crate::store::audit::RulePrecision>,
}

/// What the key-market page shows for a scope (computed in the core).
pub type MarketData = crate::metrics::market::MarketReport;

/// What the service-quality page shows for a scope (computed in the core).
pub type ServiceData = crate::metrics::service::ServiceReport;

/// What the Comprehensive Bulletin Board shows for a scope (computed in the core).
/// The bulletin board of a scope, with the unit's top risks and the measures past due.
#[derive(Debug, Clone)]
pub struct BulletinData {
    pub board: crate::metrics::bulletin::BoardReport,
    pub risks: Vec<(crate::risk::register::RiskPoint, crate::store::risks::LevelRow)>,
    pub measures_past_due: usize,
}

/// What the rules page shows.
#[derive(Debug, Clone)]
pub struct RulesData {
    pub rules: Vec<crate::audit::rules::Rule>,
    /// Project rules that no longer load, with why.
    pub problems: Vec<String>,
    pub overrides: std::collections::BTreeMap<(String, String), f64>,
    pub precision: Vec<crate::store::audit::RulePrecision>,
}

pub use crate::audit::why::RuleCount;

/// Which change is explained: indicator, unit, base month, month.
pub type WhyKey = (&'static str, String, NaiveDate, NaiveDate);

/// What "why did this change?" shows (computed in the core).
pub type WhyData = crate::audit::why::WhyReport;

/// The evidence panel of one suspect.
#[derive(Debug, Clone)]
pub struct SuspectDetail {
    /// The library's cases most like this suspect: (case, why in English, why in Chinese).
    pub similar: Vec<(crate::store::cases::Case, Vec<String>, Vec<String>)>,
    pub suspect: crate::store::audit::SuspectRow,
    pub trail: Vec<crate::store::audit::TrailEntry>,
    /// What inspectors recorded on site from their phones, with the photos as thumbnails.
    pub onsite: Vec<(crate::store::onsite::Record, Vec<egui::ColorImage>)>,
    pub archive: Vec<(String, String)>,
    pub series: Vec<(NaiveDate, f64)>,
    pub related: queries::QueryResult,
}

#[derive(Debug, Clone)]
pub struct AuditRunSummary {
    pub outcomes: Vec<crate::audit::run::RuleOutcome>,
    pub saved: Option<crate::store::audit::SaveCounts>,
}

/// What the Views for Leaders page shows for one scope.
#[derive(Debug, Clone)]
pub struct LeaderData {
    pub cards: Vec<crate::metrics::kpi::Card>,
    /// The units one level down and the customer classes, each with 13 months of sums:
    /// the card detail's ranking, class breakdown and cross-filters.
    pub slices: crate::metrics::kpi::Slices,
}

/// An error as the user reads it, in the app's language (the worker thread's); Err when
/// the job was cancelled.
pub(super) fn describe(e: anyhow::Error) -> Result<String, ()> {
    if e.downcast_ref::<Cancelled>().is_some() {
        return Err(());
    }
    let zh = crate::text::prefers_zh();
    // An import that stored nothing says why in both languages itself.
    if let Some(n) = e.downcast_ref::<crate::import::file::NothingStored>() {
        return Ok(n.message.pick(zh).to_string());
    }
    Ok(crate::errors::describe(&e, zh))
}

/// The worker's project, or the error every job gives without one.
pub(super) fn open_project_in(state: &WorkerState) -> anyhow::Result<&Project> {
    state
        .project
        .as_ref()
        .ok_or_else(|| crate::said!("open or create a project first", "请先打开或新建一个项目"))
}

pub(super) fn load_view(p: &Project) -> anyhow::Result<ProjectView> {
    let months = queries::months(p)?;
    let reach = crate::store::kpi::payments_reach_direct(p)?;
    Ok(ProjectView {
        path: p.path().to_path_buf(),
        name: p.display_name(),
        info: queries::project_info(p)?,
        org: queries::org_tree(p)?,
        imports: queries::import_history(p)?,
        last_complete: crate::metrics::kpi::last_complete_month(&months, reach),
        months,
        profiles: crate::store::profiles::all(p)?,
        trail: crate::audit::chain::verify(p)?,
    })
}

/// Replaces the worker's project with the one `open` returns; the old one stays open if
/// the new one fails. The same file is never opened twice in one process.
pub(super) fn switch_project(
    state: &mut WorkerState,
    path: &Path,
    open: impl FnOnce() -> anyhow::Result<Project>,
) -> anyhow::Result<ProjectView> {
    if let Some(p) = &state.project
        && same_file(p.path(), path)
    {
        return load_view(p);
    }
    let project = open()?;
    let view = load_view(&project)?;
    state.project = Some(project);
    Ok(view)
}

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

pub(super) fn finish<T>(r: anyhow::Result<T>, wrap: impl FnOnce(Result<T, String>) -> Msg) -> Msg {
    match r {
        Ok(v) => wrap(Ok(v)),
        Err(e) => match describe(e) {
            Ok(text) => wrap(Err(text)),
            Err(()) => Msg::Cancelled,
        },
    }
}
