//! Jobs that open, build and import into projects.

use std::path::PathBuf;

use super::{Msg, Scope, finish, load_view, open_project_in, switch_project};
use crate::import::file::{self, FileOptions};
use crate::import::{self};
use crate::progress::Progress;
use crate::store::Project;
use crate::store::queries::{self};
use crate::worker::WorkerState;

pub fn open_project(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        progress.set(None, crate::say!("{}", "{}", path.display()));
        let r = switch_project(state, &path, || Ok(Project::open(&path)?));
        finish(r, Msg::Opened)
    }
}

pub fn new_project(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        progress.set(None, crate::say!("{}", "{}", path.display()));
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
