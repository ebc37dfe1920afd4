//! The app's background jobs and the messages they send back. Every job runs on the
//! worker thread through the headless core; its result comes back as one `Msg`, which
//! `MamsApp::apply` folds into the UI state: the single place where that state changes.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::import::file::{self, FileOptions, FileReport, Preview};
use crate::import::mapping::Mapping;
use crate::import::{self, FolderReport};
use crate::progress::{Cancelled, Progress};
use crate::store::Project;
use crate::store::queries::{self, ImportRecord, OrgUnit, ProjectInfo, ScopedCount};
use crate::worker::WorkerState;

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
    /// A page of the rows behind a number.
    Rows(
        crate::store::rows::RowsQuery,
        Result<crate::store::rows::RowsPage, String>,
    ),
    /// Something was written out: what, or why not.
    Written(Result<String, String>),
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
    MapCustomers(Scope, Result<std::sync::Arc<Vec<crate::geo::shape::Pt>>, String>),
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
pub type BulletinData = crate::metrics::bulletin::BoardReport;

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

fn describe(e: anyhow::Error) -> Result<String, ()> {
    if e.downcast_ref::<Cancelled>().is_some() {
        Err(())
    } else {
        Ok(format!("{e:#}"))
    }
}

/// The worker's project, or the error every job gives without one.
fn open_project_in(state: &WorkerState) -> anyhow::Result<&Project> {
    state
        .project
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("open or create a project first"))
}

fn load_view(p: &Project) -> anyhow::Result<ProjectView> {
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
    })
}

/// Replaces the worker's project with the one `open` returns; the old one stays open if
/// the new one fails. The same file is never opened twice in one process.
fn switch_project(
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

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn finish<T>(r: anyhow::Result<T>, wrap: impl FnOnce(Result<T, String>) -> Msg) -> Msg {
    match r {
        Ok(v) => wrap(Ok(v)),
        Err(e) => match describe(e) {
            Ok(text) => wrap(Err(text)),
            Err(()) => Msg::Cancelled,
        },
    }
}

pub fn open_project(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        progress.set(None, path.display().to_string());
        let r = switch_project(state, &path, || Ok(Project::open(&path)?));
        finish(r, Msg::Opened)
    }
}

pub fn new_project(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        progress.set(None, path.display().to_string());
        let r = switch_project(state, &path, || Ok(Project::create(&path)?));
        finish(r, Msg::Opened)
    }
}

/// Opens the sample project, building it from the bundled extracts first if needed (or,
/// where no extracts are bundled, from freshly generated ones).
pub fn open_sample(
    target: PathBuf,
    bundled: Option<PathBuf>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = switch_project(state, &target, || {
            if target.exists() {
                let project = Project::open(&target)?;
                // A sample project built before the map had one gets its basemap now.
                if let Some(file) = bundled.as_ref().map(|d| d.join(crate::store::map::BASEMAP_FILE))
                    && file.exists()
                    && !project.is_read_only()
                    && crate::store::map::layers(&project)?
                        .iter()
                        .all(|l| l.layer != crate::store::map::BASEMAP)
                {
                    crate::store::map::import_layer(
                        &project,
                        &file,
                        crate::store::map::BASEMAP,
                        None,
                        crate::store::map::MatchTo::Nothing,
                    )?;
                }
                return Ok(project);
            }
            let dir = match bundled {
                Some(d) => d,
                None => {
                    let d = target.with_extension("extracts");
                    crate::sample::generate(&crate::sample::SampleSpec::default(), &d, progress)?;
                    d
                }
            };
            let (project, _) = import::build_project(&target, &dir, progress)?;
            crate::sample::project::prepare(&project, progress)?;
            Ok(project)
        });
        finish(r, Msg::Opened)
    }
}

pub fn import_folder(dir: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let report = import::import_folder(p, &dir, progress)?;
            crate::store::kpi::refresh_after_import(p, progress);
            Ok((report, load_view(p)?))
        })();
        finish(r, Msg::Imported)
    }
}

pub fn scoped_counts(scope: Scope) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            progress.check()?;
            let p = open_project_in(state)?;
            Ok(queries::scoped_counts(p, &scope.unit_id, scope.month)?)
        })();
        finish(r, |r| Msg::ScopedCounts(scope, r))
    }
}

/// The common start of a page's job: the open project, Cancel wired to its queries (building
/// the sums after an import takes a while on a big project; one transaction, so nothing is
/// half-written), the scope's month, and the prebuilt sums checked once for the whole page.
fn page_read<T>(
    state: &WorkerState,
    progress: &Progress,
    scope: &Scope,
    read: impl FnOnce(&Project, NaiveDate) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let p = open_project_in(state)?;
    progress.attach_interrupt(p.interrupt_handle());
    let month = scope
        .month
        .ok_or_else(|| anyhow::anyhow!("the project has no months yet"))?;
    crate::store::kpi::with_sums_checked_once(p, || read(p, month))
}

pub fn leader_data(
    scope: Scope,
    units_below: Vec<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    use crate::metrics::kpi;
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, period| {
            let cards = kpi::cards(p, period, &scope.unit_id, None)?;
            progress.check()?;
            let slices = kpi::slices(p, period, &scope.unit_id, &units_below)?;
            Ok(LeaderData { cards, slices })
        });
        finish(r, |r| Msg::Leaders(scope, r))
    }
}

pub fn preview(
    file_path: PathBuf,
    table: Option<String>,
    opts: FileOptions,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            file::preview(p, table.as_deref(), &file_path, &opts, progress)
        })();
        finish(r, Msg::Preview)
    }
}

pub fn import_files(
    table: String,
    files: Vec<PathBuf>,
    opts: FileOptions,
    save_profile: Option<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let report = file::import_files(p, &table, &files, &opts, progress)?;
            if let (Some(name), Some(m)) = (
                save_profile.as_deref().filter(|n| !n.trim().is_empty()),
                &report.mapping,
            ) {
                crate::store::profiles::save(p, name.trim(), m)?;
            }
            crate::store::kpi::refresh_after_import(p, progress);
            Ok((report, load_view(p)?))
        })();
        finish(r, Msg::FilesImported)
    }
}

/// A page of suspects matching `filter`. `seq` tells the page which request this answers.
pub fn audit_list(
    seq: u64,
    filter: crate::store::audit::SuspectFilter,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let (rules, _) = crate::audit::run::library(p)?;
            let (rows, total) = crate::store::audit::suspects(p, &filter)?;
            let precision = crate::store::audit::precision(p)?;
            Ok(AuditList {
                rules,
                rows,
                total,
                precision,
            })
        })();
        finish(r, |r| Msg::AuditList(seq, r))
    }
}

pub fn suspect_detail(key: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            use crate::store::audit as stored;
            let p = open_project_in(state)?;
            let suspect = stored::suspect(p, &key)?.ok_or_else(|| anyhow::anyhow!("no suspect {key}"))?;
            let (kind, id) = (suspect.entity_type.clone(), suspect.entity_id.clone());
            let cases = crate::store::cases::all(p)?;
            let (rules, _) = crate::audit::run::library(p)?;
            let en = crate::audit::cases::similar(&cases, &rules, &suspect, 5, false);
            let zh = crate::audit::cases::similar(&cases, &rules, &suspect, 5, true);
            let similar = en
                .into_iter()
                .zip(zh)
                .map(|(e, z)| (cases[e.case_index].clone(), e.reasons, z.reasons))
                .collect();
            Ok(SuspectDetail {
                similar,
                trail: stored::trail(p, &key)?,
                archive: stored::entity_row(p, &kind, &id)?,
                series: stored::entity_series(p, &kind, &id)?,
                related: stored::related_rows(p, &kind, &id)?,
                suspect,
            })
        })();
        finish(r, |r| Msg::AuditDetail(key, r))
    }
}

pub fn run_audit(spec: crate::audit::run::RunSpec) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let (rules, _) = crate::audit::run::library(p)?;
            let report = crate::audit::run::run(p, &rules, &spec, !p.is_read_only(), progress)?;
            Ok(AuditRunSummary {
                outcomes: report.outcomes,
                saved: report.saved,
            })
        })();
        finish(r, Msg::AuditRun)
    }
}

pub fn change_suspects(
    keys: Vec<String>,
    change: crate::audit::triage::Change,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            crate::audit::triage::apply(p, &keys, &change, &crate::audit::triage::actor())
        })();
        finish(r, Msg::AuditChanged)
    }
}

pub fn load_cases() -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| Ok(crate::store::cases::all(open_project_in(state)?)?))();
        finish(r, Msg::Cases)
    }
}

/// Saves a case (and attaches files to it).
pub fn save_case(
    case: crate::store::cases::Case,
    attachments: Vec<PathBuf>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let files: Vec<&Path> = attachments.iter().map(PathBuf::as_path).collect();
            crate::audit::cases::save(p, &case, &files)?;
            Ok(case.case_id.clone())
        })();
        finish(r, Msg::CaseSaved)
    }
}

/// Promotes a confirmed suspect to a case (pre-filled), keeping what an earlier promotion
/// of the same suspect already wrote.
pub fn promote_suspect(key: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let s =
                crate::store::audit::suspect(p, &key)?.ok_or_else(|| anyhow::anyhow!("no suspect {key}"))?;
            let case_id = crate::audit::cases::case_id_for(&key);
            if crate::store::cases::exists(p, &case_id)? {
                return Ok(case_id);
            }
            let (rules, _) = crate::audit::run::library(p)?;
            let rule = rules.iter().find(|r| r.id == s.rule_id);
            let case = crate::audit::cases::promote(&s, rule, chrono::Local::now().date_naive());
            crate::audit::cases::save(p, &case, &[])?;
            Ok(case.case_id)
        })();
        finish(r, Msg::CaseSaved)
    }
}

pub fn import_cases(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let list = crate::audit::cases::read_file(&path)?;
            let n = crate::audit::cases::merge(p, &list, &path.display().to_string())?;
            Ok(format!("+{} / {}", n.added, n.updated))
        })();
        finish(r, Msg::CasesMerged)
    }
}

pub fn export_cases(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let all = crate::store::cases::all(p)?;
            crate::audit::cases::write_file(&all, &path)?;
            Ok(format!("{} → {}", all.len(), path.display()))
        })();
        finish(r, Msg::CasesMerged)
    }
}

/// Explains the change of an indicator over the units one level down, with the audit rules
/// whose open suspects sit in the three units contributing most.
pub fn why(key: WhyKey, children: Vec<String>) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            let (indicator, unit, base, month) = (key.0, key.1.clone(), key.2, key.3);
            crate::store::kpi::with_sums_checked_once(p, || {
                crate::audit::why::report(p, indicator, &unit, &children, base, month)
            })
        })();
        finish(r, |r| Msg::Why(key, r))
    }
}

pub fn load_rules() -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let (rules, problems) = crate::audit::run::library(p)?;
            Ok(RulesData {
                rules,
                problems,
                overrides: crate::store::audit::param_values(p)?,
                precision: crate::store::audit::precision(p)?,
            })
        })();
        finish(r, Msg::Rules)
    }
}

/// Sets (or resets, with None) parameters of a rule for this project, all or none.
pub fn set_rule_params(
    rule: String,
    values: Vec<(String, Option<f64>)>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            p.transaction(|p| {
                for (param, v) in &values {
                    crate::store::audit::set_param(p, &rule, param, *v)?;
                }
                Ok(())
            })?;
            Ok(rule.clone())
        })();
        finish(r, Msg::RuleSaved)
    }
}

/// Checks and keeps a rule written by an auditor (or removes one, with `query` None).
pub fn save_project_rule(
    meta_json: String,
    query: Option<String>,
    id: String,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            match query {
                Some(q) => Ok(crate::audit::run::save_project_rule(p, &meta_json, &q)?.id),
                None => {
                    crate::store::audit::delete_project_rule(p, &id)?;
                    Ok(id)
                }
            }
        })();
        finish(r, Msg::RuleSaved)
    }
}

/// Writes a copy of a file attached to a case.
pub fn save_attachment(
    case_id: String,
    name: String,
    to: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let content = crate::store::cases::file(p, &case_id, &name)?
                .ok_or_else(|| anyhow::anyhow!("case {case_id} has no file {name}"))?;
            std::fs::write(&to, content)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", to.display()))?;
            Ok(format!("{name} → {}", to.display()))
        })();
        finish(r, Msg::CasesMerged)
    }
}

/// Ranks the units below a scope on the composite of their indicators and lists the targets
/// they miss this month.
pub fn bulletin(scope: Scope, units: Vec<String>) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, month| {
            crate::metrics::bulletin::report(p, &scope.unit_id, month, &units)
        });
        finish(r, |r| Msg::Bulletin(scope, r))
    }
}

/// The service-quality report of the scope (`metrics::service::report`).
pub fn service(scope: Scope, units: Vec<String>) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, month| {
            crate::metrics::service::report(p, &scope.unit_id, month, &units, progress)
        });
        finish(r, |r| Msg::Service(scope, r))
    }
}

/// Sets a unit's own target of an indicator, or with None removes it (the unit then takes
/// the target of the nearest unit above it, or the indicator's default).
pub fn set_target(
    indicator: &'static str,
    unit: String,
    target: Option<f64>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            if let Some(t) = target
                && !t.is_finite()
            {
                anyhow::bail!("a target must be a number");
            }
            crate::store::kpi::set_target(p, indicator, &unit, target)?;
            Ok(())
        })();
        finish(r, Msg::TargetSaved)
    }
}

/// Key customers, the connection funnel and handling times, overdue applications, and the
/// month's customers and sales by class, voltage and industry.
pub fn market(scope: Scope) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, month| {
            crate::metrics::market::report(p, &scope.unit_id, month, progress)
        });
        finish(r, |r| Msg::Market(scope, r))
    }
}

pub fn rows_page(q: crate::store::rows::RowsQuery) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            crate::store::rows::page(p, &q)
        })();
        finish(r, |r| Msg::Rows(q, r))
    }
}

pub fn rows_export(
    q: crate::store::rows::RowsQuery,
    path: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            let n = crate::store::rows::export(p, &q, &path)?;
            Ok(format!(
                "{} → {}",
                crate::metrics::format::group_digits(n),
                path.display()
            ))
        })();
        finish(r, Msg::Written)
    }
}

/// Writes a chart image as PNG (no project needed).
pub fn save_chart(
    image: egui::ColorImage,
    path: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |_state, _progress| {
        let r = super::chart_export::write_png(&image, &path).map(|()| path.display().to_string());
        finish(r, Msg::Written)
    }
}

pub fn map_scene(scope: Scope) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = page_read(state, progress, &scope, |p, month| {
            Ok(std::sync::Arc::new(crate::geo::scene::load(
                p,
                &scope.unit_id,
                month,
                progress,
            )?))
        });
        finish(r, |r| Msg::Map(scope, r))
    }
}

pub fn map_customers(scope: Scope) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            Ok(std::sync::Arc::new(crate::geo::scene::customer_points(
                p,
                &scope.unit_id,
            )?))
        })();
        finish(r, |r| Msg::MapCustomers(scope, r))
    }
}

pub fn map_track(unit: String, day: NaiveDate) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state).and_then(|p| crate::store::map::vehicle_track(p, &unit, day));
        finish(r, |r| Msg::MapTrack(day, r))
    }
}

pub fn map_search(unit: String, text: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state).and_then(|p| crate::store::map::search_customers(p, &unit, &text, 20));
        finish(r, |r| Msg::MapSearch(text, r))
    }
}

/// Customers shown in the table of a box selection at most.
pub const BOX_LIMIT: u32 = 5_000;

pub fn map_box(
    unit: String,
    min: crate::geo::shape::Pt,
    max: crate::geo::shape::Pt,
    month: NaiveDate,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state)
            .and_then(|p| crate::store::map::customers_in_box(p, &unit, min, max, month, BOX_LIMIT));
        finish(r, Msg::MapBox)
    }
}

pub fn map_file(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |_, _| {
        let r = crate::store::map::file_properties(&path);
        finish(r, |r| Msg::MapFile(path, r))
    }
}

/// What a GeoJSON file becomes.
#[derive(Debug, Clone, PartialEq)]
pub enum GeoTarget {
    Boundaries {
        property: String,
    },
    Layer {
        name: String,
        property: Option<String>,
        to: crate::store::map::MatchTo,
    },
}

pub fn map_import(
    path: PathBuf,
    target: GeoTarget,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    use crate::store::map;
    move |state, _| {
        let r = open_project_in(state).and_then(|p| {
            let (what, r) = match &target {
                GeoTarget::Boundaries { property } => {
                    ("boundaries", map::import_boundaries(p, &path, property)?)
                }
                GeoTarget::Layer { name, property, to } => (
                    name.as_str(),
                    map::import_layer(p, &path, name, property.as_deref(), *to)?,
                ),
            };
            let mut text = format!("{what}: {} features, {} matched", r.features, r.matched);
            if !r.unmatched.is_empty() {
                let list: Vec<String> = r
                    .unmatched
                    .iter()
                    .take(5)
                    .map(|(n, v)| format!("#{n} {v}"))
                    .collect();
                text.push_str(&format!("; not matched: {}", list.join(", ")));
                if r.unmatched.len() > 5 {
                    text.push_str(&format!(" and {} more", r.unmatched.len() - 5));
                }
            }
            Ok(text)
        });
        finish(r, Msg::MapImported)
    }
}

pub fn map_remove_layer(layer: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = open_project_in(state)
            .and_then(|p| crate::store::map::remove_layer(p, &layer))
            .map(|()| format!("{layer}: removed"));
        finish(r, Msg::MapImported)
    }
}

/// Writes an import's rejected rows to CSV or XLSX (by the file's extension).
pub fn write_rejects(
    rejects: Vec<crate::import::file::FileReject>,
    path: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |_, _| {
        let r = crate::import::file::write_rejects(&path, &rejects).map(|()| path.display().to_string());
        finish(r, Msg::Written)
    }
}

pub fn save_table(
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    path: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |_, _| {
        let r = crate::table_file::write(&path, &header, &rows).map(|()| path.display().to_string());
        finish(r, Msg::Written)
    }
}
