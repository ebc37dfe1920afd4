//! Jobs that write a table, a chart or rows to a file.

use std::path::PathBuf;

use super::{Msg, finish, open_project_in};
use crate::progress::Progress;
use crate::worker::WorkerState;

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
        let r = crate::ui::chart_export::write_png(&image, &path).map(|()| path.display().to_string());
        finish(r, Msg::Written)
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
