//! The Benchmarking page: the units below the top bar's unit against the best of their peer
//! group and the group's top quartile, in total and per indicator, each gap read as a
//! sentence; a chart of one indicator across the group; the unit against external peers;
//! from a gap, the best unit's cases and confirmed findings (best practice). The peer
//! groups are bands of customer count unless the project has its own. The numbers are
//! `mams benchmark`'s; the efficiency section (DEA) is in `dea.rs`.

mod dea;

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Plot, VLine};

use super::evaluation::{Choice, grade_color};
use crate::metrics::benchmark::GroupBenchmark;
use crate::metrics::evaluate::{ProjectEvaluation, indicator_decimals};
use crate::metrics::format;
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{self, BenchmarkData, EvalKey, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Open, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::theme::accent;
use crate::ui::widgets::{category_axis, data_buttons, save_png_button};

#[derive(Default)]
pub struct BenchmarkPage {
    pub choice: Choice,
    /// The project's peer group shown; None: the bands of customer count.
    pub group: Option<String>,
    pub data: ScopeSlot<BenchmarkData, (EvalKey, Option<String>)>,
    /// The indicator of the chart (index into the system's indicators).
    pub indicator: usize,
    pub selected: Option<String>,
    /// A peer group being made: name and units.
    editing: Option<(String, Vec<String>)>,
    pub dea: dea::DeaSection,
}

impl Page for BenchmarkPage {
    fn id(&self) -> PageId {
        PageId::Benchmark
    }
    fn title_key(&self) -> &'static str {
        "page_benchmark"
    }
    fn icon(&self) -> &'static str {
        "🎯"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn view(&self, cx: &Cx) -> Option<crate::presenter::deck::View> {
        self.choice.view(cx, "benchmark")
    }
    fn refresh(&mut self, cx: &mut Cx) {
        let Some(key) = self.choice.key(cx) else { return };
        self.dea.refresh(cx, &key);
        let group = self.group.clone();
        self.data.ask(
            cx,
            (key.clone(), group.clone()),
            "job_benchmark",
            jobs::benchmark(key, group),
        );
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        let msg = self.dea.receive(msg)?;
        match msg {
            Msg::Benchmark(key, data) => self.data.receive(key, *data),
            Msg::PeerGroupSaved(r) => match r {
                Ok(name) => {
                    self.group =
                        Some(name).filter(|_| self.editing.as_ref().is_some_and(|(_, u)| !u.is_empty()));
                    self.editing = None;
                    self.data.clear();
                }
                Err(e) => cx.send(Command::Error(e)),
            },
            Msg::PeersImported(r) => match r {
                Ok(n) => {
                    cx.send(Command::Notice(format!(
                        "{n} {}",
                        cx.t("benchmark_peers_imported")
                    )));
                    self.data.clear();
                }
                Err(e) => cx.send(Command::Error(e)),
            },
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if matches!(what, Changed::Project | Changed::Suspects) {
            self.data.clear();
            self.dea.clear();
        }
    }
    fn answered(
        &mut self,
        purpose: crate::ui::dialogs::Purpose,
        paths: Vec<std::path::PathBuf>,
        cx: &mut Cx,
    ) {
        if let (crate::ui::dialogs::Purpose::ImportPeers, Some(path)) = (purpose, paths.into_iter().next()) {
            cx.spawn("job_benchmark_import", jobs::import_peers(path));
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

fn show(page: &mut BenchmarkPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let key = page.choice.key(cx);
    let own: Vec<String> = page
        .data
        .ok()
        .map(|d| d.own_groups.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        Choice::heading(ui, cx, "page_benchmark", key.as_ref());
        ui.separator();
        page.choice.show(ui, cx, &[]);
        ui.separator();
        egui::ComboBox::from_id_salt("benchmark_group")
            .selected_text(
                page.group
                    .clone()
                    .unwrap_or_else(|| t(lang, "benchmark_bands").to_string()),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut page.group, None, t(lang, "benchmark_bands"));
                for name in &own {
                    ui.selectable_value(&mut page.group, Some(name.clone()), name);
                }
            });
        if ui
            .button(t(lang, "benchmark_new_group"))
            .on_hover_text(t(lang, "benchmark_new_group_help"))
            .clicked()
        {
            page.editing = Some((String::new(), Vec::new()));
        }
        if ui
            .button(t(lang, "benchmark_import_peers"))
            .on_hover_text(t(lang, "benchmark_import_peers_help"))
            .clicked()
        {
            cx.send(Command::Ask(crate::ui::dialogs::Purpose::ImportPeers));
        }
        if key
            .as_ref()
            .is_some_and(|k| page.data.wants(&(k.clone(), page.group.clone())))
        {
            ui.spinner();
        }
    });
    let Some(_) = key else {
        ui.label(page.choice.no_period(cx));
        return;
    };
    let Some(data) = page.data.shown(ui) else { return };
    group_editor(page, cx, ui, &data.ev);
    egui::ScrollArea::vertical().id_salt("benchmark").show(ui, |ui| {
        for g in &data.groups {
            group_section(page, cx, ui, &data.ev, g);
            ui.add_space(14.0);
        }
        external(cx, ui, &data);
        ui.add_space(14.0);
        page.dea.show(ui, cx);
    });
}

/// Making a peer group: a name and the units (of those evaluated here) in it.
fn group_editor(page: &mut BenchmarkPage, cx: &mut Cx, ui: &mut egui::Ui, ev: &ProjectEvaluation) {
    let lang = cx.lang;
    let mut close = false;
    let mut save = None;
    if let Some((name, units)) = &mut page.editing {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(t(lang, "benchmark_group_name"));
                ui.text_edit_singleline(name);
            });
            ui.horizontal_wrapped(|ui| {
                for u in &ev.units {
                    let mut on = units.contains(&u.unit_id);
                    if ui.checkbox(&mut on, lang.pick(&u.name_en, &u.name_zh)).changed() {
                        if on {
                            units.push(u.unit_id.clone());
                        } else {
                            units.retain(|x| x != &u.unit_id);
                        }
                    }
                }
            });
            ui.horizontal(|ui| {
                let ok = !name.trim().is_empty() && units.len() >= 2;
                if ui
                    .add_enabled(ok, egui::Button::new(t(lang, "benchmark_group_save")))
                    .clicked()
                {
                    save = Some((name.clone(), units.clone()));
                }
                if ui.button(t(lang, "cancel")).clicked() {
                    close = true;
                }
            });
        });
    }
    if close {
        page.editing = None;
    }
    if let Some((name, units)) = save {
        cx.spawn("job_benchmark_group", jobs::save_peer_group(name, units));
    }
}

fn group_section(
    page: &mut BenchmarkPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    ev: &ProjectEvaluation,
    g: &GroupBenchmark,
) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let leader = g.units.first().and_then(|u| u.leader);
    ui.label(
        RichText::new(format!(
            "{} · {} {}",
            g.group.name.pick(zh),
            t(lang, "benchmark_leader"),
            leader.map_or("—".to_string(), |l| lang
                .pick(&ev.units[l].name_en, &ev.units[l].name_zh)
                .to_string())
        ))
        .strong()
        .size(16.0),
    );
    let mut order: Vec<&crate::metrics::benchmark::UnitBenchmark> = g.units.iter().collect();
    order.sort_by(|a, b| {
        b.total
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.total.unwrap_or(f64::NEG_INFINITY))
    });
    let num = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
    let header: Vec<String> = ["unit_id", "total", "to_leader", "to_top_quartile", "gap"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = order
        .iter()
        .map(|u| {
            vec![
                ev.units[u.unit].unit_id.clone(),
                num(u.total),
                num(u.leader_total.zip(u.total).map(|(l, t)| l - t)),
                num(u.top_quartile_total.zip(u.total).map(|(q, t)| (q - t).max(0.0))),
                u.sentence
                    .as_ref()
                    .map(|s| s.pick(zh).to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    let mut drill = None;
    egui::Grid::new(("benchmark_gaps", g.group.name.en.clone()))
        .striped(true)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for key in [
                "audit_unit",
                "evaluation_total",
                "benchmark_to_leader",
                "benchmark_to_quartile",
            ] {
                ui.strong(t(lang, key));
            }
            ui.label("");
            ui.end_row();
            for u in &order {
                let info = &ev.units[u.unit];
                if ui
                    .link(lang.pick(&info.name_en, &info.name_zh))
                    .on_hover_text(t(lang, "drill_down"))
                    .clicked()
                {
                    drill = Some(info.unit_id.clone());
                }
                ui.label(
                    u.total
                        .map(|t| format!("{t:.2}"))
                        .unwrap_or_else(|| t(lang, "evaluation_unscored").to_string()),
                );
                let to_leader = u.leader_total.zip(u.total).map(|(l, t)| l - t);
                ui.label(
                    RichText::new(num(to_leader)).color(if to_leader.is_some_and(|d| d > 0.0) {
                        grade_color("C")
                    } else {
                        grade_color("A")
                    }),
                );
                ui.label(num(u
                    .top_quartile_total
                    .zip(u.total)
                    .map(|(q, t)| (q - t).max(0.0))));
                // Best practice: what the leader found and learned.
                ui.horizontal(|ui| {
                    if let Some(l) = u.leader.filter(|l| *l != u.unit) {
                        let best = ev.units[l].unit_id.clone();
                        if ui
                            .small_button(t(lang, "benchmark_best_cases"))
                            .on_hover_text(t(lang, "benchmark_best_cases_help"))
                            .clicked()
                        {
                            cx.send(Command::Open(PageId::Cases, Open::UnitCases(best.clone())));
                        }
                        if ui
                            .small_button(t(lang, "benchmark_best_findings"))
                            .on_hover_text(t(lang, "benchmark_best_findings_help"))
                            .clicked()
                        {
                            cx.send(Command::SetUnit(best));
                            cx.send(Command::Open(PageId::Audit, Open::Confirmed));
                        }
                    }
                });
                ui.end_row();
            }
        });
    // What it would take, unit by unit, as sentences a meeting reads.
    for u in &order {
        if let Some(s) = &u.sentence {
            ui.label(format!("• {}{}", s.pick(zh), if zh { "。" } else { "." }));
        }
    }
    if let Some(u) = drill {
        cx.send(Command::SetUnit(u));
    }
    ui.add_space(8.0);
    indicator_chart(page, cx, ui, ev, g);
}

/// One indicator across the group: each unit's value, the best in green, the top quartile
/// as a line.
fn indicator_chart(
    page: &mut BenchmarkPage,
    cx: &mut Cx,
    ui: &mut egui::Ui,
    ev: &ProjectEvaluation,
    g: &GroupBenchmark,
) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    let list = ev.system.indicators();
    if list.is_empty() {
        return;
    }
    let k = page.indicator.min(list.len() - 1);
    ui.horizontal(|ui| {
        ui.label(t(lang, "benchmark_indicator"));
        egui::ComboBox::from_id_salt(("benchmark_indicator", g.group.name.en.clone()))
            .selected_text(ev.label(&list[k].1.indicator, zh).0)
            .show_ui(ui, |ui| {
                for (j, (_, ind)) in list.iter().enumerate() {
                    ui.selectable_value(&mut page.indicator, j, ev.label(&ind.indicator, zh).0);
                }
            });
    });
    let id = &list[k].1.indicator;
    let (_, unit_name) = ev.label(id, zh);
    let decimals = indicator_decimals(id);
    let gaps: Vec<(usize, &crate::metrics::benchmark::Gap)> =
        g.units.iter().map(|u| (u.unit, &u.gaps[k])).collect();
    let mut rows: Vec<(usize, f64, bool)> = gaps
        .iter()
        .filter_map(|(u, gap)| Some((*u, gap.value?, gap.best_unit == Some(*u))))
        .collect();
    if rows.is_empty() {
        ui.label(RichText::new(t(lang, "no_data")).weak());
        return;
    }
    let lower = list[k].1.direction == crate::evaluation::system::Direction::Lower;
    // Best at the top.
    rows.sort_by(|a, b| {
        if lower {
            b.1.total_cmp(&a.1)
        } else {
            a.1.total_cmp(&b.1)
        }
    });
    let names: Vec<String> = rows
        .iter()
        .map(|(u, _, _)| {
            lang.pick(&ev.units[*u].name_en, &ev.units[*u].name_zh)
                .to_string()
        })
        .collect();
    let quartile = gaps.first().and_then(|(_, g)| g.top_quartile);
    let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    // The bars start below the lowest value (as the leaders' rankings do), not at zero:
    // RS-3 of 99.93 % against 99.96 % must show.
    let spread = if hi > lo {
        hi - lo
    } else {
        hi.abs().max(1.0) * 0.01
    };
    let floor = {
        let f = lo - spread * 0.6;
        if lo >= 0.0 { f.max(0.0) } else { f }
    };
    let pad = spread * 0.1;
    let color = accent(ui.visuals().dark_mode);
    let bars: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, (_, v, best))| {
            Bar::new(i as f64, *v - floor)
                .base_offset(floor)
                .fill(if *best { grade_color("A") } else { color })
                .name(format!(
                    "{}: {} {unit_name}",
                    names[i],
                    format::number(*v, decimals)
                ))
        })
        .collect();
    let header = vec!["unit_id".to_string(), id.clone()];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|(u, v, _)| vec![ev.units[*u].unit_id.clone(), v.to_string()])
        .collect();
    let shown = Plot::new(("benchmark_chart", g.group.name.en.clone()))
        .height((rows.len() as f32 * 28.0 + 50.0).clamp(140.0, 420.0))
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .show_grid([true, false])
        .y_axis_formatter(category_axis(names.clone()))
        .x_axis_formatter(move |m, _| format::number(m.value, decimals.min(2)))
        .include_x(floor)
        .include_x(hi + pad)
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new(ev.label(id, zh).0, bars)
                    .horizontal()
                    .width(0.6)
                    .element_formatter(Box::new(|b, _| b.name.clone())),
            );
            if let Some(q) = quartile {
                plot.vline(
                    VLine::new(t(lang, "benchmark_top_quartile"), q)
                        .color(Color32::from_rgb(210, 140, 20))
                        .width(2.0),
                );
            }
        });
    ui.horizontal(|ui| {
        save_png_button(ui, cx, shown.response.rect);
        crate::ui::widgets::data_buttons_inline(ui, cx, &header, &table);
        if let Some(q) = quartile {
            ui.label(
                RichText::new(format!(
                    "{} {} {unit_name}",
                    t(lang, "benchmark_top_quartile"),
                    format::number(q, decimals)
                ))
                .weak(),
            );
        }
    });
}

/// The scope unit against external peers, per indicator they publish.
fn external(cx: &mut Cx, ui: &mut egui::Ui, data: &BenchmarkData) {
    let lang = cx.lang;
    let zh = lang == Lang::Zh;
    ui.label(RichText::new(t(lang, "benchmark_external")).strong().size(16.0));
    if data.external.is_empty() {
        ui.label(RichText::new(t(lang, "benchmark_no_external")).weak());
        return;
    }
    let ev = &data.ev;
    let list = ev.system.indicators();
    let ours = |id: &str| {
        list.iter()
            .position(|(_, i)| i.indicator == id)
            .and_then(|k| ev.scope_values[k])
    };
    let header: Vec<String> = ["peer", "indicator", "peer_value", "our_value", "difference"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = data
        .external
        .iter()
        .map(|f| {
            let o = ours(&f.indicator);
            vec![
                f.peer.clone(),
                f.indicator.clone(),
                f.value.to_string(),
                o.map(|v| v.to_string()).unwrap_or_default(),
                o.map(|v| (v - f.value).to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    data_buttons(ui, cx, &header, &rows);
    egui::Grid::new("benchmark_external")
        .striped(true)
        .spacing([14.0, 6.0])
        .show(ui, |ui| {
            for key in [
                "benchmark_peer",
                "benchmark_indicator",
                "benchmark_peer_value",
                "benchmark_our_value",
                "benchmark_difference",
            ] {
                ui.strong(t(lang, key));
            }
            ui.end_row();
            for f in &data.external {
                let d = indicator_decimals(&f.indicator);
                let (name, unit) = ev.label(&f.indicator, zh);
                ui.label(&f.peer);
                ui.label(name);
                ui.label(format!("{} {unit}", format::number(f.value, d)));
                let o = ours(&f.indicator);
                ui.label(
                    o.map(|v| format!("{} {unit}", format::number(v, d)))
                        .unwrap_or_else(|| "—".into()),
                );
                match o {
                    Some(v) => {
                        let ind = list
                            .iter()
                            .find(|(_, i)| i.indicator == f.indicator)
                            .map(|(_, i)| i.direction);
                        let better = match ind {
                            Some(crate::evaluation::system::Direction::Lower) => v <= f.value,
                            _ => v >= f.value,
                        };
                        ui.label(RichText::new(format!("{:+.d$}", v - f.value)).color(if better {
                            grade_color("A")
                        } else {
                            grade_color("D")
                        }));
                    }
                    None => {
                        ui.label("—");
                    }
                }
                ui.end_row();
            }
        });
}
