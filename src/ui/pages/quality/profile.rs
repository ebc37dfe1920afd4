//! The profile tab: any column of any table, profiled from DuckDB's own summaries: rows,
//! nulls, blanks, distinct values, least and greatest, the commonest values, a histogram of
//! a number or date and the shapes of text values.

use egui::RichText;
use egui_plot::{Bar, BarChart, Plot};

use super::QualityPage;
use crate::dq::profile::Profile;
use crate::ui::jobs;
use crate::ui::page::Cx;
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::widgets::{data_buttons, save_png_button};

#[derive(Default)]
pub struct ProfileState {
    pub table: String,
    pub column: String,
    pub data: ScopeSlot<Profile, (String, String)>,
}

impl ProfileState {
    pub fn choose(&mut self, table: &str, column: &str) {
        self.table = table.to_string();
        self.column = column.to_string();
    }

    pub fn clear(&mut self) {
        self.data.clear();
    }

    pub fn refresh(&mut self, cx: &mut Cx) {
        if self.table.is_empty() {
            self.choose("customers", "phone");
        }
        let key = (self.table.clone(), self.column.clone());
        self.data.ask(
            cx,
            key.clone(),
            "job_quality",
            jobs::quality_profile(key.0, key.1),
        );
    }

    pub fn receive(&mut self, key: (String, String), data: Result<Profile, String>) {
        self.data.receive(key, data);
    }
}

pub fn show(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx) {
    let lang = cx.lang;
    let st = &mut page.profile;
    ui.horizontal(|ui| {
        ui.label(cx.t("table"));
        egui::ComboBox::from_id_salt("quality_profile_table")
            .selected_text(&st.table)
            .show_ui(ui, |ui| {
                for t in crate::model::TABLES {
                    if ui
                        .selectable_label(
                            st.table == t.name,
                            format!("{} · {}", t.name, lang.pick(t.label_en, t.label_zh)),
                        )
                        .clicked()
                    {
                        st.table = t.name.to_string();
                        st.column = t.columns[0].name.to_string();
                    }
                }
            });
        ui.label(cx.t("quality_column"));
        let columns = crate::model::table(&st.table)
            .map(|t| t.columns)
            .unwrap_or_default();
        egui::ComboBox::from_id_salt("quality_profile_column")
            .selected_text(&st.column)
            .show_ui(ui, |ui| {
                for c in columns {
                    ui.selectable_value(&mut st.column, c.name.to_string(), c.name);
                }
            });
    });
    let Some(p) = st.data.shown(ui) else {
        ui.spinner();
        return;
    };
    if (p.table.as_str(), p.column.as_str()) != (st.table.as_str(), st.column.as_str()) {
        ui.spinner();
    }
    let n = |v: u64| crate::metrics::format::group_digits(v);
    let share = |v: u64| {
        if p.rows > 0 {
            format!(" ({:.2} %)", 100.0 * v as f64 / p.rows as f64)
        } else {
            String::new()
        }
    };
    egui::Grid::new("quality_profile_stats")
        .striped(true)
        .spacing([16.0, 4.0])
        .show(ui, |ui| {
            for (key, value) in [
                ("quality_rows_total", n(p.rows)),
                ("quality_nulls", format!("{}{}", n(p.nulls), share(p.nulls))),
                (
                    "quality_blanks",
                    if p.kind == "text" {
                        format!("{}{}", n(p.blanks), share(p.blanks))
                    } else {
                        String::new()
                    },
                ),
                ("quality_distinct", n(p.distinct)),
                ("quality_min", p.min.clone().unwrap_or_default()),
                ("quality_max", p.max.clone().unwrap_or_default()),
                (
                    "quality_mean",
                    p.mean.map(|m| format!("{m:.3}")).unwrap_or_default(),
                ),
            ] {
                if value.is_empty() {
                    continue;
                }
                ui.label(cx.t(key));
                ui.label(value);
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.label(RichText::new(cx.t("quality_top_values")).strong());
            let rows: Vec<Vec<String>> = p
                .top
                .iter()
                .map(|(v, c)| vec![v.clone(), c.to_string()])
                .collect();
            data_buttons(ui, cx, &["value".into(), "rows".into()], &rows);
            egui::Grid::new("quality_profile_top")
                .striped(true)
                .show(ui, |ui| {
                    for (v, c) in &p.top {
                        ui.monospace(v);
                        ui.label(n(*c));
                        ui.end_row();
                    }
                });
        });
        if !p.patterns.is_empty() {
            ui.add_space(24.0);
            ui.vertical(|ui| {
                ui.label(RichText::new(cx.t("quality_patterns")).strong())
                    .on_hover_text(cx.t("quality_patterns_help"));
                egui::Grid::new("quality_profile_patterns")
                    .striped(true)
                    .show(ui, |ui| {
                        for (v, c) in &p.patterns {
                            ui.monospace(v);
                            ui.label(format!("{}{}", n(*c), share(*c)));
                            ui.end_row();
                        }
                    });
            });
        }
    });
    if !p.histogram.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new(cx.t("quality_histogram")).strong());
        let bars: Vec<Bar> = p
            .histogram
            .iter()
            .enumerate()
            .map(|(i, (lo, hi, c))| {
                Bar::new(i as f64, *c as f64)
                    .width(0.9)
                    .name(format!("{lo} – {hi}"))
            })
            .collect();
        let labels: Vec<String> = p.histogram.iter().map(|(lo, _, _)| lo.clone()).collect();
        let resp = Plot::new("quality_histogram_plot")
            .height(200.0)
            .x_axis_formatter(crate::ui::widgets::category_axis(labels))
            .allow_scroll(false)
            .allow_drag(false)
            .show(ui, |plot| {
                plot.bar_chart(BarChart::new(cx.t("rows"), bars).color(crate::ui::theme::accent(cx.dark)));
            });
        let rows: Vec<Vec<String>> = p
            .histogram
            .iter()
            .map(|(lo, hi, c)| vec![lo.clone(), hi.clone(), c.to_string()])
            .collect();
        ui.horizontal(|ui| {
            data_buttons(ui, cx, &["from".into(), "to".into(), "rows".into()], &rows);
            save_png_button(ui, cx, resp.response.rect);
        });
    }
}
