//! Jobs that open, build and import into projects.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::{Msg, Scope, finish, load_view, open_project_in, switch_project};
use crate::import::file::{self, FileOptions};
use crate::import::{self};
use crate::progress::Progress;
use crate::store::queries::{self};
use crate::store::{Project, ProjectError, keys};
use crate::worker::WorkerState;

/// Opens a project; an encrypted one whose key this process does not know (or knows wrong)
/// asks the app for its passphrase instead of failing.
pub fn open_project(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        progress.set(None, crate::say!("{}", "{}", path.display()));
        opened(&path, switch_project(state, &path, || Ok(Project::open(&path)?)))
    }
}

/// Opens an encrypted project with a passphrase (stretched here, off the UI thread).
pub fn open_encrypted(
    path: PathBuf,
    passphrase: Zeroizing<String>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        progress.set(None, crate::say!("{}", "{}", path.display()));
        keys::remember(&path, keys::derive(&passphrase));
        opened(&path, switch_project(state, &path, || Ok(Project::open(&path)?)))
    }
}

fn opened(path: &std::path::Path, r: anyhow::Result<super::ProjectView>) -> Msg {
    if let Err(e) = &r
        && let Some(pe) = e.downcast_ref::<ProjectError>()
        && matches!(pe, ProjectError::Encrypted(_) | ProjectError::WrongPassphrase(_))
    {
        return Msg::NeedsPassphrase {
            path: path.to_path_buf(),
            wrong: matches!(pe, ProjectError::WrongPassphrase(_)),
        };
    }
    finish(r, Msg::Opened)
}

/// Creates a new project, encrypted when a passphrase is given.
pub fn new_project(
    path: PathBuf,
    passphrase: Option<Zeroizing<String>>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        progress.set(None, crate::say!("{}", "{}", path.display()));
        let r = switch_project(state, &path, || {
            Ok(match &passphrase {
                Some(p) => Project::create_encrypted(&path, keys::derive(p))?,
                None => Project::create(&path)?,
            })
        });
        finish(r, Msg::Opened)
    }
}

/// Reads what the lake in `dir` holds, for the window that chooses the slice to attach.
pub fn lake_outline(dir: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |_, progress| {
        progress.set(None, crate::say!("{}", "{}", dir.display()));
        finish(crate::lake::attach::outline(&dir).map(Box::new), Msg::LakeOutline)
    }
}

/// Makes the project `path` read a slice of the lake in `dir` in place (as `mams lake
/// attach`), builds its sums and opens it. A failure leaves no project behind and the one
/// open stays open.
pub fn attach_lake(
    path: PathBuf,
    dir: PathBuf,
    slice: crate::lake::attach::Slice,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        // Made first: a file that exists (the open project's included) is refused.
        let r = crate::lake::attach::attach(&path, &dir, &slice, progress).and_then(|_| {
            switch_project(state, &path, || {
                let p = Project::open(&path)?;
                // A Cancel or a failure here leaves the sums to be built at the first look.
                crate::store::kpi::refresh_after_import(&p, progress);
                Ok(p)
            })
        });
        finish(r, Msg::Opened)
    }
}

/// Encrypts the open project (`to` given, `current` None), changes its passphrase (both
/// given) or removes its encryption (`to` None): the project is closed, resealed and opened
/// again. The current passphrase is confirmed first. On failure the project opens as it was.
pub fn reseal_project(
    current: Option<Zeroizing<String>>,
    to: Option<Zeroizing<String>>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let path = open_project_in(state)?.path().to_path_buf();
            progress.set(None, crate::say!("{}", "{}", path.display()));
            if let Some(c) = &current
                && !keys::matches(&path, c)
            {
                crate::bail_say!(
                    "the current passphrase is wrong; nothing was changed",
                    "当前口令不正确；未做任何改动"
                );
            }
            let done = match (&current, &to) {
                (Some(_), Some(_)) => "pass_done_changed",
                (_, Some(_)) => "pass_done_encrypted",
                (_, None) => "pass_done_plain",
            };
            state.project = None;
            let sealed = Project::reseal(&path, to.as_deref().map(|p| keys::derive(p)));
            // Open again whatever happened: unchanged after a failure, resealed else.
            let view = switch_project(state, &path, || Ok(Project::open(&path)?))?;
            sealed.map(|()| (view, done))
        })();
        finish(r, Msg::Resealed)
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
