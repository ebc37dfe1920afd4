//! The project overview: the org tree, every data table with its rows and the months it
//! covers (for the whole project and for the selected unit and period), and the import
//! history.

use chrono::{Datelike, NaiveDate};
use egui::{Color32, RichText};

use crate::metrics::format::group_digits;
use crate::model;
use crate::store::queries::{OrgUnit, TableStats};
use crate::ui::i18n::{Lang, t};
use crate::ui::org;
use crate::ui::page::{Command, Cx, Needs, Page, PageId};
use crate::ui::theme::accent;

/// The overview has no state of its own: it shows the project as the shell holds it.
pub struct OverviewPage;

impl Page for OverviewPage {
    fn id(&self) -> PageId {
        PageId::Overview
    }
    fn title_key(&self) -> &'static str {
        "page_overview"
    }
    fn icon(&self) -> &'static str {
        "🏠"
    }
    fn needs(&self) -> Needs {
        Needs::Nothing
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(cx, ui)
    }
}

fn show(cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let Some(project) = cx.project.clone() else {
        ui.vertical_centered(|ui| {
            ui.add_space(80.0);
            ui.heading(t(lang, "no_project"));
            ui.add_space(8.0);
            let jobs = cx.jobs();
            if !jobs.is_empty() {
                // First start builds the sample project: show its progress big.
                for job in jobs {
                    let snap = job.progress.snapshot();
                    ui.label(RichText::new(&job.name).size(18.0));
                    match snap.fraction {
                        Some(f) => {
                            ui.add(egui::ProgressBar::new(f).desired_width(420.0).show_percentage());
                        }
                        None => {
                            ui.spinner();
                        }
                    }
                    ui.label(RichText::new(snap.message.pick(lang == Lang::Zh)).weak());
                    ui.add_space(8.0);
                }
            } else {
                ui.label(t(lang, "welcome_hint"));
            }
        });
        return;
    };
    // Both ways: on a small window the tables grid scrolls rather than being cut off.
    egui::ScrollArea::both()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.heading(RichText::new(format!("{} · {}", t(lang, "page_overview"), project.name)).strong());
            ui.horizontal_wrapped(|ui| {
                let info = &project.info;
                ui.label(RichText::new(format!("{}: {}", t(lang, "path"), info.path)).weak());
                ui.label(
                    RichText::new(format!("{}: {}", t(lang, "schema_version"), info.schema_version)).weak(),
                );
                if let Some(c) = &info.created_at {
                    ui.label(RichText::new(format!("{}: {c}", t(lang, "created"))).weak());
                }
                ui.label(
                    RichText::new(format!(
                        "{}: {}",
                        t(lang, "file_size"),
                        human_size(info.file_bytes)
                    ))
                    .weak(),
                );
            });
            ui.add_space(10.0);

            ui.horizontal_top(|ui| {
                ui.vertical(|ui| {
                    ui.set_width(360.0);
                    section(ui, t(lang, "org_tree"));
                    org_tree(cx, ui, &project.org);
                });
                ui.add_space(16.0);
                ui.vertical(|ui| {
                    section(ui, t(lang, "data_tables"));
                    tables(cx, ui, &project.info.tables, &project.months, &project.org);
                });
            });
            ui.add_space(16.0);
            section(ui, t(lang, "import_history"));
            imports(lang, ui, &project.imports);
        });
}

fn section(ui: &mut egui::Ui, title: &str) {
    ui.label(RichText::new(title).size(17.0).strong());
    ui.add_space(4.0);
}

/// What drawing the org tree needs to know, shared by every node.
struct OrgTree<'a> {
    kids: std::collections::HashMap<Option<&'a str>, Vec<&'a OrgUnit>>,
    lang: Lang,
    selected: Option<String>,
    /// The selected unit and its ancestors: their branches are opened.
    open_path: Vec<String>,
}

impl OrgTree<'_> {
    fn node(&self, ui: &mut egui::Ui, u: &OrgUnit, depth: usize, clicked: &mut Option<String>) {
        let lang = self.lang;
        let name = lang.pick(&u.name_en, &u.name_zh);
        let count = format!("{} {}", group_digits(u.customers), t(lang, "customers_short"));
        let is_sel = self.selected.as_deref() == Some(u.unit_id.as_str());
        let row = |ui: &mut egui::Ui, clicked: &mut Option<String>| {
            // Long names are cut to keep the count in view; the tooltip has them whole.
            let room = (ui.available_width() - 76.0).max(60.0);
            let button = egui::Button::selectable(is_sel, name).truncate();
            let resp = ui.scope(|ui| {
                ui.set_max_width(room);
                ui.add(button)
            });
            if resp
                .inner
                .on_hover_text(format!("{name} ({})", u.unit_id))
                .clicked()
            {
                *clicked = Some(u.unit_id.clone());
            }
            ui.label(RichText::new(&count).weak().small());
        };
        match self.kids.get(&Some(u.unit_id.as_str())) {
            Some(children) if depth < 16 => {
                let id = ui.make_persistent_id(("org", &u.unit_id));
                let mut state = egui::collapsing_header::CollapsingState::load_with_default_open(
                    ui.ctx(),
                    id,
                    depth == 0,
                );
                let on_path = self.open_path.iter().any(|p| p == &u.unit_id);
                if on_path && self.open_path.last() != Some(&u.unit_id) {
                    state.set_open(true);
                }
                state.show_header(ui, |ui| row(ui, clicked)).body(|ui| {
                    for c in children {
                        self.node(ui, c, depth + 1, clicked);
                    }
                });
            }
            _ => {
                ui.horizontal(|ui| {
                    ui.add_space(18.0);
                    row(ui, clicked);
                });
            }
        }
    }
}

fn org_tree(cx: &mut Cx, ui: &mut egui::Ui, units: &[OrgUnit]) {
    let selected = cx.unit_id.clone();
    let tree = OrgTree {
        kids: org::children(units),
        lang: cx.lang,
        open_path: selected
            .as_deref()
            .map(|s| {
                org::ancestors(units, s)
                    .iter()
                    .map(|u| u.unit_id.clone())
                    .collect()
            })
            .unwrap_or_default(),
        selected,
    };
    let mut clicked: Option<String> = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("org_tree_scroll")
            .max_height(460.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                for root in tree.kids.get(&None).map(|v| v.as_slice()).unwrap_or(&[]) {
                    tree.node(ui, root, 0, &mut clicked);
                }
            });
    });
    if let Some(id) = clicked {
        cx.send(Command::SetUnit(id));
    }
}

fn month_text(m: Option<NaiveDate>) -> String {
    m.map(|m| m.format("%Y-%m").to_string()).unwrap_or_default()
}

fn tables(cx: &mut Cx, ui: &mut egui::Ui, stats: &[TableStats], months: &[NaiveDate], units: &[OrgUnit]) {
    let lang = cx.lang;
    let unit_id = cx.unit_id.clone().unwrap_or_default();
    let unit_name = units
        .iter()
        .find(|u| u.unit_id == unit_id)
        .map(|u| lang.pick(&u.name_en, &u.name_zh).to_string())
        .unwrap_or_default();
    let period = cx.period;
    let scoped = cx
        .scoped
        .filter(|(s, _)| s.unit_id == unit_id && s.month == period)
        .map(|(_, c)| c.clone());
    let dark = cx.dark;
    ui.label(
        RichText::new(format!(
            "{}: {unit_name}   {}: {}",
            t(lang, "org_unit"),
            t(lang, "period"),
            period.map(|p| p.format("%Y-%m").to_string()).unwrap_or_default()
        ))
        .weak(),
    );
    ui.add_space(2.0);
    egui::Grid::new("tables_grid")
        .striped(true)
        .num_columns(8)
        .spacing([14.0, 6.0])
        .show(ui, |ui| {
            ui.label(RichText::new(t(lang, "col_table")).strong());
            ui.label(RichText::new(t(lang, "col_rows")).strong());
            ui.label(RichText::new(t(lang, "col_in_unit")).strong())
                .on_hover_text(&unit_name);
            ui.label(RichText::new(t(lang, "col_in_period")).strong())
                .on_hover_text(format!(
                    "{unit_name}, {}",
                    period.map(|p| p.format("%Y-%m").to_string()).unwrap_or_default()
                ));
            ui.label(RichText::new(t(lang, "col_first")).strong());
            ui.label(RichText::new(t(lang, "col_last")).strong());
            ui.label(RichText::new(t(lang, "col_months")).strong());
            ui.label(RichText::new(t(lang, "col_coverage")).strong());
            ui.end_row();
            for s in stats {
                let label = model::table(&s.table)
                    .map(|m| lang.pick(m.label_en, m.label_zh))
                    .unwrap_or(&s.table);
                ui.label(label).on_hover_text(&s.table);
                let rows = if s.rows == 0 {
                    RichText::new(t(lang, "empty_table")).weak()
                } else {
                    RichText::new(group_digits(s.rows))
                };
                right(ui, rows);
                let counts = scoped
                    .as_ref()
                    .and_then(|c| c.iter().find(|c| c.table == s.table));
                match counts {
                    Some(c) => {
                        right(ui, RichText::new(group_digits(c.in_unit)));
                        match c.in_unit_and_month {
                            Some(n) => right(ui, RichText::new(group_digits(n))),
                            None => right(ui, RichText::new("—").weak()),
                        }
                    }
                    None => {
                        ui.spinner();
                        ui.spinner();
                    }
                }
                if s.first_month.is_some() {
                    ui.label(month_text(s.first_month));
                    ui.label(month_text(s.last_month));
                    right(ui, RichText::new(s.months.to_string()));
                    coverage_bar(ui, s, months, dark);
                } else {
                    ui.label(RichText::new(t(lang, "not_in_time")).weak());
                    ui.label("");
                    ui.label("");
                    ui.label("");
                }
                ui.end_row();
            }
        });
}

fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.0} KB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

fn right(ui: &mut egui::Ui, text: RichText) {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.label(text)
    });
}

/// A strip over the project's months, filled where the table has rows.
fn coverage_bar(ui: &mut egui::Ui, s: &TableStats, months: &[NaiveDate], dark: bool) {
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(120.0, 12.0), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let bg = if dark {
        Color32::from_gray(60)
    } else {
        Color32::from_gray(225)
    };
    painter.rect_filled(rect, 2.0, bg);
    if let (Some(first), Some(last), Some(start), Some(end)) =
        (s.first_month, s.last_month, months.first(), months.last())
    {
        // Months since the first reporting period; a table may reach outside the periods.
        let idx =
            |d: NaiveDate| ((d.year() - start.year()) * 12 + d.month() as i32 - start.month() as i32) as f32;
        let n = idx(*end) + 1.0;
        let x = |i: f32| rect.left() + rect.width() * (i / n).clamp(0.0, 1.0);
        let (x0, x1) = (x(idx(first)), x(idx(last) + 1.0));
        painter.rect_filled(
            egui::Rect::from_min_max(
                egui::pos2(x0, rect.top()),
                egui::pos2(x1.max(x0 + 2.0), rect.bottom()),
            ),
            2.0,
            accent(dark),
        );
        resp.on_hover_text(format!(
            "{} – {} ({} / {})",
            first.format("%Y-%m"),
            last.format("%Y-%m"),
            start.format("%Y-%m"),
            end.format("%Y-%m")
        ));
    }
}

fn imports(lang: Lang, ui: &mut egui::Ui, records: &[crate::store::queries::ImportRecord]) {
    if records.is_empty() {
        ui.label(RichText::new(t(lang, "no_imports")).weak());
        return;
    }
    egui::Grid::new("imports_grid")
        .striped(true)
        .num_columns(8)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for key in [
                "col_when",
                "col_kind",
                "col_table",
                "col_file",
                "col_size",
                "col_stored",
                "col_rejected",
                "col_sha",
            ] {
                ui.label(RichText::new(t(lang, key)).strong());
            }
            ui.end_row();
            for r in records {
                ui.label(&r.finished_at);
                let kind = match r.kind.as_str() {
                    "folder" => t(lang, "kind_folder"),
                    // Read in place from a lake (`mams lake attach`).
                    "lake" => t(lang, "kind_lake"),
                    _ => t(lang, "kind_file"),
                };
                ui.label(kind).on_hover_text(&r.source);
                let label = model::table(&r.table_name)
                    .map(|m| lang.pick(m.label_en, m.label_zh))
                    .unwrap_or(&r.table_name);
                ui.label(label);
                ui.label(&r.file_name);
                right(ui, RichText::new(human_size(r.file_size)));
                right(ui, RichText::new(group_digits(r.rows_stored)));
                right(ui, RichText::new(group_digits(r.rows_rejected)));
                ui.label(RichText::new(&r.sha256[..r.sha256.len().min(12)]).monospace())
                    .on_hover_text(&r.sha256);
                ui.end_row();
            }
        });
}
