//! Jobs that write a table, a chart or rows to a file.

use std::path::PathBuf;

use super::{Msg, finish, open_project_in};
use crate::privacy::Disclosure;
use crate::progress::Progress;
use crate::worker::WorkerState;

pub fn rows_export(
    q: crate::store::rows::RowsQuery,
    path: PathBuf,
    disclosure: Disclosure,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            let n = crate::store::rows::export(p, &q, &path, disclosure)?;
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
        let r = crate::ui::chart_export::write_png(&image, &path).map(|()| path.display().to_string());
        finish(r, Msg::Written)
    }
}

/// Writes an import's rejected rows to CSV or XLSX (by the file's extension), the values of
/// personal columns masked unless disclosed in full (then logged first).
pub fn write_rejects(
    mut rejects: Vec<crate::import::file::FileReject>,
    path: PathBuf,
    disclosure: Disclosure,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let personal = crate::import::file::mask_rejects(&mut rejects, disclosure);
            log_if_full(state, disclosure, &personal, "rejects", &path, rejects.len())?;
            crate::import::file::write_rejects(&path, &rejects)?;
            Ok(path.display().to_string())
        })();
        finish(r, Msg::Written)
    }
}

/// Records a full disclosure in the open project's access log before the data leaves.
fn log_if_full(
    state: &mut WorkerState,
    disclosure: Disclosure,
    personal: &[String],
    what: &str,
    path: &std::path::Path,
    rows: usize,
) -> anyhow::Result<()> {
    if disclosure != Disclosure::Full || personal.is_empty() {
        return Ok(());
    }
    let p = open_project_in(state)?;
    crate::store::access_log::record_export(p, disclosure, what, path, personal, rows as u64)
}

/// Saves a page's table as CSV or XLSX: personal columns (by their headers) masked unless
/// disclosed in full.
pub fn save_table(
    header: Vec<String>,
    mut rows: Vec<Vec<String>>,
    path: PathBuf,
    disclosure: Disclosure,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let kinds = crate::privacy::column_kinds(&header);
            let personal = crate::privacy::apply(&header, &kinds, &mut rows, disclosure);
            log_if_full(state, disclosure, &personal, "table", &path, rows.len())?;
            crate::table_file::write(&path, &header, &rows)?;
            Ok(path.display().to_string())
        })();
        finish(r, Msg::Written)
    }
}

/// Records a copy that carries personal data in full, then hands its text back for the
/// clipboard.
pub fn copy_in_full(
    entry: crate::store::access_log::Entry,
    text: String,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            crate::store::access_log::record(p, &entry)?;
            Ok(text)
        })();
        finish(r, Msg::CopiedInFull)
    }
}
