//! Native file dialogs (rfd), run on their own thread so the UI never blocks on them.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

/// Why a dialog was opened: decides what its answer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    OpenProject,
    NewProject,
    /// Where to create an encrypted project (its passphrase is asked next).
    NewEncryptedProject,
    ImportFolder,
    /// Files for the import page.
    ImportFiles,
    /// Where to write the rejects of the last file import.
    ExportRejects,
    /// A case library to merge into the project.
    ImportCases,
    /// Where to write the case library.
    ExportCases,
    /// Files to attach to the selected case.
    AttachToCase,
    /// Where to save a copy of an attached file (its name).
    SaveAttachment(String),
    /// Where to write the rows of the drill-through table.
    ExportRows,
    /// Where to save a chart as PNG.
    SaveChart,
    /// A raster PMTiles file for the map's basemap.
    MapPmTiles,
    /// A GeoJSON file of boundaries or points for the map.
    MapGeoJson,
    /// Where to write a page's table.
    SaveTable,
    /// A CSV or Excel file of external peer figures.
    ImportPeers,
    /// Where to write the bulletin under review (the name suggested, its extension the
    /// format).
    ExportBulletin(String),
    /// Where to write a published bulletin's file (its id, the name suggested).
    ExportPublished(i64, String),
    /// Where to write the deck as PDF (the name suggested).
    ExportDeck(String),
    /// Where to write a unit's data quality worklist as XLSX (the name suggested).
    SaveWorklist(String),
    /// A lake's folder to attach a slice of.
    AttachLake,
    /// Where to create the project that reads the lake slice (the name suggested).
    AttachLakeProject(String),
}

impl Purpose {
    /// Translation key of the dialog's title.
    pub fn title_key(&self) -> &'static str {
        match self {
            Purpose::OpenProject => "open_project",
            Purpose::NewProject => "new_project",
            Purpose::NewEncryptedProject => "new_encrypted_project",
            Purpose::ImportFolder => "import_folder",
            Purpose::ImportFiles => "choose_files",
            Purpose::ExportRejects => "export_rejects",
            Purpose::ImportCases => "cases_import",
            Purpose::ExportCases => "cases_export",
            Purpose::AttachToCase => "cases_attach",
            Purpose::SaveAttachment(_) => "cases_save_file",
            Purpose::ExportRows => "rows_export",
            Purpose::SaveChart => "chart_png",
            Purpose::MapPmTiles => "map_pmtiles_choose",
            Purpose::SaveTable => "save_table",
            Purpose::MapGeoJson => "map_geojson_choose",
            Purpose::ImportPeers => "benchmark_import_peers",
            Purpose::ExportBulletin(_) | Purpose::ExportPublished(..) => "cadence_export_title",
            Purpose::ExportDeck(_) => "presenter_export_title",
            Purpose::SaveWorklist(_) => "quality_export_worklist",
            Purpose::AttachLake | Purpose::AttachLakeProject(_) => "lake_attach_title",
        }
    }
}

type Answer = (Purpose, Vec<PathBuf>);

pub struct Dialogs {
    tx: Sender<Answer>,
    rx: Receiver<Answer>,
    open: bool,
}

impl Default for Dialogs {
    fn default() -> Self {
        let (tx, rx) = channel();
        Dialogs { tx, rx, open: false }
    }
}

impl Dialogs {
    /// Opens a dialog; false when one is open already (its answer is awaited first).
    pub fn ask(&mut self, purpose: Purpose, title: &str, ctx: &egui::Context) -> bool {
        if self.open {
            return false;
        }
        self.open = true;
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let title = title.to_string();
        std::thread::spawn(move || {
            let project_filter = |d: rfd::FileDialog| d.add_filter("MAMS project (DuckDB)", &["duckdb"]);
            // Where a new project goes: `.duckdb` added to a name without an extension.
            let new_project = |d: rfd::FileDialog, name: &str| -> Vec<PathBuf> {
                project_filter(d)
                    .set_file_name(name)
                    .save_file()
                    .map(|p| {
                        if p.extension().is_none() {
                            p.with_extension("duckdb")
                        } else {
                            p
                        }
                    })
                    .into_iter()
                    .collect()
            };
            let dialog = rfd::FileDialog::new().set_title(&title);
            let answer: Vec<PathBuf> = match purpose {
                Purpose::OpenProject => project_filter(dialog).pick_file().into_iter().collect(),
                Purpose::NewProject | Purpose::NewEncryptedProject => new_project(dialog, "project.duckdb"),
                Purpose::AttachLakeProject(ref name) => new_project(dialog, name),
                Purpose::ImportFolder | Purpose::AttachLake => dialog.pick_folder().into_iter().collect(),
                Purpose::ImportFiles => dialog
                    .add_filter(
                        "Extracts (CSV, Excel, Parquet)",
                        &[
                            "csv", "tsv", "txt", "xlsx", "xlsm", "xls", "xlsb", "ods", "parquet",
                        ],
                    )
                    .pick_files()
                    .unwrap_or_default(),
                Purpose::ExportRejects => dialog
                    .add_filter("CSV", &["csv"])
                    .add_filter("Excel", &["xlsx"])
                    .set_file_name("rejects.csv")
                    .save_file()
                    .into_iter()
                    .collect(),
                Purpose::ImportCases => dialog
                    .add_filter("Case library (JSON, Excel)", &["json", "xlsx"])
                    .pick_file()
                    .into_iter()
                    .collect(),
                Purpose::ExportCases => dialog
                    .add_filter("JSON", &["json"])
                    .add_filter("Excel", &["xlsx"])
                    .set_file_name("cases.json")
                    .save_file()
                    .into_iter()
                    .collect(),
                Purpose::AttachToCase => dialog.pick_files().unwrap_or_default(),
                Purpose::ImportPeers => dialog
                    .add_filter("CSV / Excel", &["csv", "txt", "xlsx", "xls"])
                    .pick_file()
                    .into_iter()
                    .collect(),
                Purpose::SaveChart => dialog
                    .add_filter("PNG", &["png"])
                    .set_file_name("chart.png")
                    .save_file()
                    .into_iter()
                    .collect(),
                Purpose::ExportRows => dialog
                    .add_filter("CSV", &["csv"])
                    .add_filter("Excel", &["xlsx"])
                    .set_file_name("rows.csv")
                    .save_file()
                    .into_iter()
                    .collect(),
                Purpose::MapPmTiles => dialog
                    .add_filter("PMTiles", &["pmtiles"])
                    .pick_file()
                    .into_iter()
                    .collect(),
                Purpose::MapGeoJson => dialog
                    .add_filter("GeoJSON", &["geojson", "json"])
                    .pick_file()
                    .into_iter()
                    .collect(),
                Purpose::SaveTable => dialog
                    .add_filter("CSV", &["csv"])
                    .add_filter("Excel", &["xlsx"])
                    .set_file_name("table.csv")
                    .save_file()
                    .into_iter()
                    .collect(),
                Purpose::SaveAttachment(ref name) => {
                    dialog.set_file_name(name).save_file().into_iter().collect()
                }
                Purpose::ExportBulletin(ref name)
                | Purpose::ExportPublished(_, ref name)
                | Purpose::ExportDeck(ref name)
                | Purpose::SaveWorklist(ref name) => {
                    let ext = std::path::Path::new(name)
                        .extension()
                        .and_then(|e| e.to_str())
                        .unwrap_or("pdf")
                        .to_string();
                    dialog
                        .add_filter(ext.to_uppercase(), &[ext.as_str()])
                        .set_file_name(name)
                        .save_file()
                        .into_iter()
                        .collect()
                }
            };
            let _ = tx.send((purpose, answer));
            ctx.request_repaint();
        });
        true
    }

    /// The answer of the dialog once the user closed it (empty: cancelled).
    pub fn poll(&mut self) -> Option<Answer> {
        let r = self.rx.try_recv().ok();
        if r.is_some() {
            self.open = false;
        }
        r
    }
}
