//! The Cadence page: the department's rhythm (daily brief, weekly meeting, monthly meeting,
//! quarterly evaluation, annual examination) as a calendar of the month, what is due on the
//! chosen day and what is overdue, each with its state; one click prepares an item's
//! bulletin, which opens for review (commentary per section), export and publishing; the
//! published bulletins with whether their data changed since. The numbers are
//! `mams cadence`'s and `mams bulletin`'s.

mod calendar;
mod review;

use chrono::{Datelike, Days, Months, NaiveDate};
use egui::{Color32, RichText};

use crate::bulletins::agenda::Line;
use crate::bulletins::cadence::State;
use crate::bulletins::publish::Currency;
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::Lang;
use crate::ui::jobs::{self, CadenceData, Checked, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;

pub use review::Review;

#[derive(Default)]
pub struct CadencePage {
    /// The day looked at; None: today.
    pub date: Option<NaiveDate>,
    pub data: ScopeSlot<CadenceData, NaiveDate>,
    /// The bulletin open for review.
    pub review: Option<Review>,
    /// The published bulletins checked against today's data.
    pub checked: Option<Result<Checked, String>>,
    /// A job of the page in flight (preparing, publishing): its id.
    pub busy: Option<u64>,
    /// Every overdue item listed, not only the latest.
    pub all_overdue: bool,
    /// The cadence being edited as JSON, and why it was refused.
    pub editing: Option<(String, Option<String>)>,
}

/// How many overdue items are listed before "show all".
const OVERDUE_SHOWN: usize = 12;

/// The colour of a state: published green, prepared amber, not prepared grey; overdue red.
pub fn state_color(state: State, overdue: bool) -> Color32 {
    match state {
        State::Published => Color32::from_rgb(46, 160, 67),
        State::Prepared => Color32::from_rgb(210, 140, 20),
        State::NotPrepared if overdue => Color32::from_rgb(215, 58, 73),
        State::NotPrepared => Color32::from_gray(140),
    }
}

impl CadencePage {
    pub fn day(&self) -> NaiveDate {
        self.date.unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}

impl Page for CadencePage {
    fn id(&self) -> PageId {
        PageId::Cadence
    }
    fn title_key(&self) -> &'static str {
        "page_cadence"
    }
    fn icon(&self) -> &'static str {
        "📅"
    }
    fn needs(&self) -> Needs {
        Needs::Project
    }
    fn refresh(&mut self, cx: &mut Cx) {
        let day = self.day();
        if self.data.wants(&day) {
            self.data.ask(cx, day, "job_cadence", jobs::cadence(day));
        }
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Cadence(day, data) => self.data.receive(day, *data),
            Msg::BulletinOpened(r) => {
                self.busy = None;
                match *r {
                    Ok((doc, published)) => {
                        self.review = Some(Review::new(doc, published, cx.lang == Lang::Zh));
                        // A prepared item changed state.
                        self.data.clear();
                    }
                    Err(e) => cx.send(Command::Error(e)),
                }
            }
            Msg::BulletinSaved(r) => match r {
                Ok(what) => {
                    if let Some(rv) = &mut self.review {
                        rv.dirty = false;
                    }
                    cx.send(Command::Notice(format!("{} {what}", cx.t("bulletin_saved"))));
                    self.data.clear();
                }
                Err(e) => cx.send(Command::Error(e)),
            },
            Msg::BulletinPublished(r) => {
                self.busy = None;
                match r {
                    Ok(id) => {
                        if let Some(rv) = &mut self.review {
                            rv.published = Some(id);
                            rv.dirty = false;
                        }
                        cx.send(Command::Notice(format!("{} {id}", cx.t("bulletin_published"))));
                        self.data.clear();
                        self.checked = None;
                    }
                    Err(e) => cx.send(Command::Error(e)),
                }
            }
            Msg::CadenceSaved(r) => match r {
                Ok(own) => {
                    self.editing = None;
                    self.data.clear();
                    let key = if own { "cadence_kept" } else { "cadence_reset_done" };
                    cx.send(Command::Notice(cx.t(key).to_string()));
                }
                Err(e) => {
                    if let Some((_, why)) = &mut self.editing {
                        *why = Some(e);
                    } else {
                        cx.send(Command::Error(e));
                    }
                }
            },
            Msg::BulletinsChecked(r) => {
                self.busy = None;
                self.checked = Some(r);
            }
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if what == Changed::Project {
            self.data.clear();
            self.review = None;
            self.checked = None;
        } else if matches!(what, Changed::Suspects | Changed::Cases | Changed::Targets) {
            // The bulletins' numbers may have changed: their states are read again.
            self.checked = None;
        }
    }
    fn answered(&mut self, purpose: Purpose, paths: Vec<std::path::PathBuf>, cx: &mut Cx) {
        let Some(path) = paths.into_iter().next() else {
            return;
        };
        match purpose {
            Purpose::ExportBulletin(_) => {
                if let Some(rv) = &self.review {
                    cx.spawn(
                        "job_bulletin_export",
                        jobs::export_bulletin(rv.doc.clone(), rv.zh, path),
                    );
                }
            }
            Purpose::ExportPublished(id, _) => {
                cx.spawn("job_bulletin_export", jobs::export_published_bulletin(id, path));
            }
            _ => {}
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, ui, cx);
    }
}

fn show(page: &mut CadencePage, ui: &mut egui::Ui, cx: &mut Cx) {
    let day = page.day();
    let today = chrono::Local::now().date_naive();
    ui.horizontal(|ui| {
        ui.heading(RichText::new(cx.t("page_cadence")).strong());
        ui.add_space(16.0);
        if ui
            .button("◀")
            .on_hover_text(cx.t("cadence_month_before"))
            .clicked()
        {
            page.date = Some(day - Months::new(1));
        }
        let title = if cx.lang == Lang::Zh {
            format!("{}年{}月", day.year(), day.month())
        } else {
            day.format("%B %Y").to_string()
        };
        ui.label(RichText::new(title).size(18.0).strong());
        if ui
            .button("▶")
            .on_hover_text(cx.t("cadence_month_after"))
            .clicked()
        {
            page.date = Some(day + Months::new(1));
        }
        if ui.button(cx.t("cadence_today")).clicked() {
            page.date = None;
        }
        if ui
            .button(cx.t("cadence_edit"))
            .on_hover_text(cx.t("cadence_edit_hint"))
            .clicked()
            && let Some(d) = page.data.ok()
        {
            page.editing = Some((serde_json::to_string_pretty(&d.own).unwrap_or_default(), None));
        }
        if let Some(end) = page.data.ok().and_then(|d| d.data_end)
            && (today - end).num_days() > 31
            && ui
                .button(format!("{} {}", cx.t("cadence_data_end"), end))
                .on_hover_text(cx.t("cadence_data_end_hint"))
                .clicked()
        {
            page.date = Some(end + Days::new(1));
        }
    });
    ui.separator();
    if let Some((json, why)) = &mut page.editing {
        let mut close = false;
        ui.horizontal(|ui| {
            if ui.button(cx.t("cadence_keep")).clicked() {
                cx.spawn("job_cadence_save", jobs::save_cadence(Some(json.clone())));
            }
            if ui
                .button(cx.t("cadence_reset"))
                .on_hover_text(cx.t("cadence_reset_hint"))
                .clicked()
            {
                cx.spawn("job_cadence_save", jobs::save_cadence(None));
            }
            if ui.button(cx.t("cadence_cancel")).clicked() {
                close = true;
            }
        });
        if let Some(e) = why {
            ui.colored_label(Color32::from_rgb(215, 58, 73), e.as_str());
        }
        egui::ScrollArea::vertical()
            .id_salt("cadence_json")
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(json)
                        .code_editor()
                        .desired_width(f32::INFINITY)
                        .desired_rows(30),
                );
            });
        if close {
            page.editing = None;
        }
        return;
    }
    let Some(data) = page.data.shown(ui) else { return };
    if let Some(rv) = &mut page.review {
        let close = review::show(rv, ui, cx, &mut page.busy);
        if close {
            page.review = None;
        }
        return;
    }
    egui::ScrollArea::vertical().id_salt("cadence").show(ui, |ui| {
        ui.columns(2, |cols| {
            if let Some(d) = calendar::show(&mut cols[0], cx, &data, day, today) {
                page.date = Some(d);
            }
            agenda(&mut cols[1], cx, page, &data, day, today);
        });
        ui.add_space(12.0);
        published(ui, cx, page, &data);
    });
}

/// The items due on the day and those overdue, with their state and what can be done.
fn agenda(
    ui: &mut egui::Ui,
    cx: &mut Cx,
    page: &mut CadencePage,
    data: &CadenceData,
    day: NaiveDate,
    today: NaiveDate,
) {
    let zh = cx.lang == Lang::Zh;
    ui.label(RichText::new(format!("{} {day} ({})", cx.t("cadence_due_on"), weekday(day, zh))).strong());
    lines(
        ui,
        cx,
        page,
        &data.agenda.today,
        day < today,
        "cadence_today_list",
    );
    ui.add_space(10.0);
    ui.label(
        RichText::new(format!(
            "{} ({})",
            cx.t("cadence_overdue"),
            cx.t("cadence_overdue_hint")
        ))
        .strong()
        .color(Color32::from_rgb(215, 58, 73)),
    );
    let overdue = &data.agenda.overdue;
    let from = if page.all_overdue {
        0
    } else {
        overdue.len().saturating_sub(OVERDUE_SHOWN)
    };
    if from > 0
        && ui
            .link(format!("{} ({})", cx.t("cadence_show_all"), overdue.len()))
            .clicked()
    {
        page.all_overdue = true;
    }
    lines(ui, cx, page, &overdue[from..], true, "cadence_overdue_list");
}

fn weekday(d: NaiveDate, zh: bool) -> String {
    if zh {
        ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][d.weekday().num_days_from_monday() as usize]
            .to_string()
    } else {
        d.format("%A").to_string()
    }
}

fn lines(ui: &mut egui::Ui, cx: &mut Cx, page: &mut CadencePage, lines: &[Line], overdue: bool, id: &str) {
    let zh = cx.lang == Lang::Zh;
    if lines.is_empty() {
        ui.weak(cx.t("cadence_nothing"));
        return;
    }
    egui::Grid::new(id)
        .striped(true)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for l in lines {
                ui.label(l.occurrence.due.format("%m-%d").to_string());
                ui.label(RichText::new(l.name.pick(zh)).strong())
                    .on_hover_text(format!("{} · {}", l.role.pick(zh), cx.unit_name(&l.unit_id)));
                ui.label(&l.occurrence.period);
                ui.label(RichText::new(l.state.name(zh)).color(state_color(l.state, overdue)));
                let busy = page.busy.is_some();
                ui.horizontal(|ui| match l.state {
                    State::NotPrepared => {
                        if ui
                            .add_enabled(!busy, egui::Button::new(cx.t("cadence_prepare")))
                            .clicked()
                        {
                            page.busy =
                                Some(cx.spawn("job_bulletin_prepare", jobs::prepare_bulletin(l.clone())));
                        }
                    }
                    State::Prepared => {
                        if ui.button(cx.t("cadence_review")).clicked() {
                            page.busy = Some(cx.spawn(
                                "job_bulletin_open",
                                jobs::open_bulletin_draft(
                                    l.occurrence.kind.id().to_string(),
                                    l.unit_id.clone(),
                                    l.occurrence.period.clone(),
                                ),
                            ));
                        }
                        if ui
                            .add_enabled(!busy, egui::Button::new(cx.t("cadence_prepare_again")))
                            .on_hover_text(cx.t("cadence_prepare_again_hint"))
                            .clicked()
                        {
                            page.busy =
                                Some(cx.spawn("job_bulletin_prepare", jobs::prepare_bulletin(l.clone())));
                        }
                    }
                    State::Published => {
                        if let Some(b) = page.data.ok().and_then(|d| {
                            d.published.iter().find(|b| {
                                b.kind == l.occurrence.kind.id()
                                    && b.period == l.occurrence.period
                                    && b.unit_id == l.unit_id
                            })
                        }) && ui.button(cx.t("cadence_open")).clicked()
                        {
                            page.busy = Some(
                                cx.spawn("job_bulletin_open", jobs::open_published_bulletin(b.bulletin_id)),
                            );
                        }
                    }
                });
                ui.end_row();
            }
        });
}

/// The published bulletins, the latest first, with whether their data changed since.
fn published(ui: &mut egui::Ui, cx: &mut Cx, page: &mut CadencePage, data: &CadenceData) {
    let zh = cx.lang == Lang::Zh;
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(format!(
                "{} ({})",
                cx.t("cadence_published"),
                data.published.len()
            ))
            .strong(),
        );
        if !data.published.is_empty()
            && ui
                .add_enabled(page.busy.is_none(), egui::Button::new(cx.t("cadence_check")))
                .on_hover_text(cx.t("cadence_check_hint"))
                .clicked()
        {
            page.busy = Some(cx.spawn("job_bulletin_check", jobs::check_published_bulletins()));
        }
    });
    if data.published.is_empty() {
        ui.weak(cx.t("cadence_none_published"));
        return;
    }
    if let Some(Err(e)) = &page.checked {
        ui.colored_label(Color32::from_rgb(215, 58, 73), e);
    }
    let checked: &[(i64, Currency)] = match &page.checked {
        Some(Ok(c)) => c,
        _ => &[],
    };
    egui::Grid::new("cadence_published")
        .striped(true)
        .spacing([14.0, 6.0])
        .show(ui, |ui| {
            for key in [
                "cadence_col_number",
                "cadence_col_kind",
                "cadence_col_unit",
                "cadence_col_file",
                "cadence_col_when",
                "cadence_col_data",
                "",
            ] {
                ui.label(RichText::new(if key.is_empty() { "" } else { cx.t(key) }).strong());
            }
            ui.end_row();
            for b in &data.published {
                ui.label(&b.number);
                ui.label(
                    crate::bulletins::Kind::parse(&b.kind)
                        .map(|k| k.name(zh).to_string())
                        .unwrap_or_else(|| b.kind.clone()),
                );
                ui.label(cx.unit_name(&b.unit_id));
                ui.label(format!(
                    "{} · {}",
                    b.format.to_uppercase(),
                    if b.lang == "zh" { "中文" } else { "English" }
                ));
                ui.label(format!(
                    "{} · {}",
                    b.published_at.format("%Y-%m-%d %H:%M"),
                    b.published_by
                ));
                match checked
                    .iter()
                    .find(|(id, _)| *id == b.bulletin_id)
                    .map(|(_, c)| c)
                {
                    Some(Currency::Current) => {
                        ui.colored_label(Color32::from_rgb(46, 160, 67), cx.t("cadence_data_same"));
                    }
                    Some(Currency::Changed) => {
                        ui.colored_label(Color32::from_rgb(215, 58, 73), cx.t("cadence_data_changed"));
                    }
                    Some(Currency::CannotTell(why)) => {
                        ui.weak(cx.t("cadence_data_unknown")).on_hover_text(why.pick(zh));
                    }
                    None => {
                        ui.weak("—");
                    }
                }
                ui.horizontal(|ui| {
                    if ui.button(cx.t("cadence_open")).clicked() {
                        page.busy =
                            Some(cx.spawn("job_bulletin_open", jobs::open_published_bulletin(b.bulletin_id)));
                    }
                    if ui.button(cx.t("cadence_export")).clicked() {
                        let name = format!("{}-{}-{}.{}", b.kind, b.unit_id, b.period, b.format);
                        cx.send(Command::Ask(Purpose::ExportPublished(b.bulletin_id, name)));
                    }
                });
                ui.end_row();
            }
        });
}
