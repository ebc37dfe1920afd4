//! The Data quality page: where the data of the top bar's unit stands (score and grade of
//! the last run, tables by dimension, the units below, the trend over runs, the checks that
//! cost the most points, the warnings), the checks down to their failing rows, the worklist
//! for the source systems, and a column's profile. Every number comes from the stored runs
//! (`dq::report`); running the checks is a job with progress and cancel.

mod checks;
mod overview;
mod profile;
mod worklist;

use egui::{Color32, RichText};

use crate::dq::report::{CheckDetail, Overview};
use crate::dq::scores;
use crate::ui::dialogs::Purpose;
use crate::ui::jobs::{self, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Overview,
    Checks,
    Worklist,
    Profile,
}

#[derive(Default)]
pub struct QualityPage {
    pub tab: Tab,
    pub data: ScopeSlot<Overview, Option<String>>,
    /// The checks listed: narrowed to a table and a dimension (a heat map cell).
    pub filter: (Option<String>, Option<crate::dq::checks::Dimension>),
    /// Only the checks below their threshold.
    pub only_failing: bool,
    pub check: Option<String>,
    pub detail: ScopeSlot<CheckDetail, (String, Option<String>)>,
    pub profile: profile::ProfileState,
    pub worklist: worklist::WorklistState,
    /// The run started by hand, to show it is running.
    pub running: Option<u64>,
    /// A check of the project's own being written (JSON), and the last answer on it.
    pub draft: String,
    pub draft_answer: Option<Result<String, String>>,
}

/// The colour of a score, by the points it misses of 100 on a scale of tens: data quality
/// scores sit close to 100, and 99.9 against 99.0 is the difference an auditor looks for.
pub fn score_color(score: f64) -> Color32 {
    let lost = (100.0 - score).max(0.0);
    if lost < 0.01 {
        Color32::from_rgb(30, 130, 60)
    } else if lost < 0.1 {
        Color32::from_rgb(70, 160, 70)
    } else if lost < 1.0 {
        Color32::from_rgb(150, 170, 40)
    } else if lost < 5.0 {
        Color32::from_rgb(215, 150, 30)
    } else if lost < 15.0 {
        Color32::from_rgb(220, 100, 40)
    } else {
        Color32::from_rgb(200, 50, 45)
    }
}

/// A score as shown (`dq::scores::text`); a dash when nothing was tested.
pub fn score_text(score: Option<f64>) -> String {
    score.map(scores::text).unwrap_or_else(|| "—".into())
}

impl QualityPage {
    fn unit(cx: &Cx) -> Option<String> {
        cx.unit_id.clone()
    }

    fn reload(&mut self) {
        self.data.clear();
        self.detail.clear();
        self.worklist.forget();
    }
}

impl Page for QualityPage {
    fn id(&self) -> PageId {
        PageId::Quality
    }
    fn title_key(&self) -> &'static str {
        "page_quality"
    }
    fn icon(&self) -> &'static str {
        "✅"
    }
    fn needs(&self) -> Needs {
        Needs::Project
    }
    fn refresh(&mut self, cx: &mut Cx) {
        let unit = Self::unit(cx);
        let below = unit.as_deref().map(|u| cx.units_below(u)).unwrap_or_default();
        self.data.ask(
            cx,
            unit.clone(),
            "job_quality",
            jobs::quality_overview(unit.clone(), below),
        );
        if let Some(check) = &self.check {
            let key = (check.clone(), unit.clone());
            self.detail.ask(
                cx,
                key,
                "job_quality",
                jobs::quality_check(check.clone(), unit.clone()),
            );
        }
        if self.tab == Tab::Profile {
            self.profile.refresh(cx);
        }
        if self.tab == Tab::Worklist {
            self.worklist.refresh(cx);
        }
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Quality(unit, data) => self.data.receive(unit, *data),
            Msg::QualityCheck(check, data) => {
                let unit = Self::unit(cx);
                self.detail.receive((check, unit), data);
            }
            Msg::QualityProfile(key, data) => self.profile.receive(key, *data),
            Msg::QualityTrail(key, data) => self.worklist.trail = Some((key, data)),
            Msg::QualityRan(r) => {
                self.running = None;
                return Some(Msg::QualityRan(r));
            }
            Msg::QualityChanged(r) => {
                match r {
                    Ok(_) => cx.send(Command::Changed(Changed::Quality)),
                    Err(e) => cx.send(Command::Error(e)),
                }
                self.reload();
            }
            Msg::QualityCheckSaved(r) => {
                if r.is_ok() {
                    cx.send(Command::Changed(Changed::Quality));
                    self.reload();
                }
                self.draft_answer = Some(r);
            }
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if matches!(what, Changed::Project | Changed::Quality) {
            self.reload();
            self.profile.clear();
        }
    }
    fn answered(&mut self, purpose: Purpose, paths: Vec<std::path::PathBuf>, cx: &mut Cx) {
        if matches!(purpose, Purpose::SaveWorklist(_))
            && let Some(path) = paths.into_iter().next()
        {
            let zh = cx.lang == crate::ui::i18n::Lang::Zh;
            cx.spawn(
                "job_export",
                jobs::quality_worklist(Self::unit(cx), path, zh, cx.disclosure),
            );
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        heading(self, ui, cx);
        ui.separator();
        match self.tab {
            Tab::Overview => overview::show(self, ui, cx),
            Tab::Checks => checks::show(self, ui, cx),
            Tab::Worklist => worklist::show(self, ui, cx),
            Tab::Profile => profile::show(self, ui, cx),
        }
    }
}

/// Title, unit, the score and grade of the last run, when it ran, the Run button, the tabs.
fn heading(page: &mut QualityPage, ui: &mut egui::Ui, cx: &mut Cx) {
    let lang = cx.lang;
    let data = page.data.ok().cloned();
    ui.horizontal(|ui| {
        ui.heading(RichText::new(cx.t("page_quality")).strong());
        let unit = cx.unit_id.clone().unwrap_or_default();
        ui.label(RichText::new(cx.unit_name(&unit)).size(18.0));
        if page
            .data
            .data
            .as_ref()
            .is_none_or(|(u, _)| u.as_deref() != Some(unit.as_str()))
        {
            ui.spinner();
        }
        if let Some(d) = &data {
            if let Some(s) = d.overall.score {
                let g = scores::grade(s);
                ui.add_space(16.0);
                ui.label(
                    RichText::new(score_text(Some(s)))
                        .size(26.0)
                        .strong()
                        .color(score_color(s)),
                );
                ui.label(
                    RichText::new(lang.pick(&g.name_en, &g.name_zh))
                        .size(18.0)
                        .color(score_color(s)),
                );
                ui.label(
                    RichText::new(format!(
                        "{} {} · {} {}",
                        d.overall.below,
                        cx.t("quality_below"),
                        d.overall.checks,
                        cx.t("quality_checks_tested")
                    ))
                    .weak(),
                );
            }
            if let Some(r) = &d.last_run {
                ui.label(
                    RichText::new(format!(
                        "{} {} · {} · {}",
                        cx.t("quality_run"),
                        r.run_id,
                        r.finished_at.format("%Y-%m-%d %H:%M"),
                        run_scope(lang, &r.scope, &r.trigger)
                    ))
                    .weak()
                    .small(),
                );
            }
        }
        let running = page.running.is_some();
        if ui
            .add_enabled(!running, egui::Button::new(cx.t("quality_run_now")))
            .on_hover_text(cx.t("quality_run_now_help"))
            .clicked()
        {
            page.running = Some(cx.spawn("job_quality_run", jobs::quality_run(false)));
        }
    });
    if let Some(d) = &data
        && d.last_run.is_none()
    {
        ui.label(RichText::new(cx.t("quality_no_run")).weak());
    }
    ui.horizontal(|ui| {
        for (tab, key) in [
            (Tab::Overview, "quality_tab_overview"),
            (Tab::Checks, "quality_tab_checks"),
            (Tab::Worklist, "quality_tab_worklist"),
            (Tab::Profile, "quality_tab_profile"),
        ] {
            let mut label = cx.t(key).to_string();
            if tab == Tab::Worklist
                && let Some(d) = &data
            {
                let open = d
                    .items
                    .iter()
                    .filter(|i| crate::dq::worklist::Status::parse(&i.status).is_some_and(|s| s.is_active()))
                    .count();
                label = format!("{label} ({open})");
            }
            if tab == Tab::Overview
                && let Some(d) = &data
                && !d.warnings.is_empty()
            {
                label = format!("{label} ⚠{}", d.warnings.len());
            }
            ui.selectable_value(&mut page.tab, tab, label);
        }
    });
}

/// A run's scope and trigger in words.
fn run_scope(lang: crate::ui::i18n::Lang, scope: &str, trigger: &str) -> String {
    let who = match (trigger, lang) {
        ("import", crate::ui::i18n::Lang::Zh) => "导入后",
        ("import", _) => "after an import",
        ("cli", crate::ui::i18n::Lang::Zh) => "命令行",
        ("cli", _) => "command line",
        (_, crate::ui::i18n::Lang::Zh) => "手动",
        _ => "by hand",
    };
    let what = if scope == "full" {
        lang.pick("all the data", "全部数据").to_string()
    } else {
        scope.replace("incremental: ", lang.pick("changed: ", "增量："))
    };
    format!("{who}, {what}")
}
