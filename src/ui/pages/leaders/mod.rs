//! Views for Leaders: a card per indicator for the selected period and org unit (value,
//! target, change against last month and last year, 13 months of history, status); a
//! card opens its trend, the ranking of the units one level down (which drill down) and
//! the breakdown by customer class, cross-filtering one another. The card detail is in
//! `detail.rs`, "why did this change" in `why.rs`, the charts in `charts.rs`.

use chrono::NaiveDate;
use egui::{Color32, RichText, Sense, Stroke, vec2};

use crate::metrics::format;
use crate::metrics::indicators::Better;
use crate::metrics::kpi::{Card, Status};
use crate::ui::i18n::{Lang, t};
use crate::ui::jobs::{self, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Page, PageId};
use crate::ui::scope_slot::ScopeSlot;
use crate::ui::theme::accent;
use crate::ui::widgets::{status_color, status_key};

mod charts;
mod detail;
mod why;

/// A card's months and values, oldest first.
type History = [(NaiveDate, Option<f64>)];

const CARD_WIDTH: f32 = 262.0;
const CARD_HEIGHT: f32 = 150.0;

/// Green when the change goes the indicator's better way, red when the other way.
fn change_color(better: Better, v: Option<f64>, base: Option<f64>, ui: &egui::Ui) -> Color32 {
    match (better, v, base) {
        (Better::Higher, Some(v), Some(b)) if v > b => status_color(Status::Green),
        (Better::Higher, Some(v), Some(b)) if v < b => status_color(Status::Red),
        (Better::Lower, Some(v), Some(b)) if v < b => status_color(Status::Green),
        (Better::Lower, Some(v), Some(b)) if v > b => status_color(Status::Red),
        _ => ui.visuals().weak_text_color(),
    }
}

/// "Why did this change?" of the open card: what was asked, and the answer once it came.
pub type WhyAsked = (jobs::WhyKey, Option<Result<jobs::WhyData, String>>);

#[derive(Default)]
pub struct LeadersPage {
    pub data: ScopeSlot<jobs::LeaderData>,
    /// The open card.
    pub selected: Option<&'static str>,
    /// The card detail's cross-filters (removable chips): a unit one level down and a
    /// customer class (Some(None): tickets without a known customer).
    pub filter: (Option<String>, Option<Option<String>>),
    /// The target typed for the open card's indicator and the unit in the top bar.
    pub target_text: String,
    pub why: Option<WhyAsked>,
}

impl Page for LeadersPage {
    fn id(&self) -> PageId {
        PageId::Leaders
    }
    fn title_key(&self) -> &'static str {
        "page_leaders"
    }
    fn icon(&self) -> &'static str {
        "📊"
    }
    fn needs(&self) -> Needs {
        Needs::Scope
    }
    fn view(&self, cx: &Cx) -> Option<crate::presenter::deck::View> {
        cx.month_view("leaders")
    }
    fn refresh(&mut self, cx: &mut Cx) {
        self.data.follow(cx, "job_indicators", jobs::leader_data);
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Leaders(scope, data) => self.data.receive(scope, data),
            Msg::Why(key, data) => {
                if self.why.as_ref().is_some_and(|(k, _)| *k == key) {
                    self.why = Some((key, Some(data)));
                }
            }
            Msg::TargetSaved(Ok(())) => {
                cx.send(Command::Notice(cx.t("target_saved").to_string()));
                cx.send(Command::Changed(Changed::Targets));
            }
            Msg::TargetSaved(Err(e)) => cx.send(Command::Error(e)),
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        match what {
            Changed::Project => {
                self.data.clear();
                self.why = None;
            }
            // (Rules: the connection limits are expansion_overdue's parameters.)
            Changed::Targets | Changed::Rules => self.data.clear(),
            _ => {}
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show(self, cx, ui)
    }
}

impl LeadersPage {
    /// Asks why an indicator of a unit changed from `base` to `month`.
    fn ask_why(
        &mut self,
        cx: &mut Cx,
        indicator: &'static str,
        unit: String,
        base: NaiveDate,
        month: NaiveDate,
    ) {
        let children = cx.units_below(&unit);
        let key: jobs::WhyKey = (indicator, unit, base, month);
        self.why = Some((key.clone(), None));
        cx.spawn("job_why", jobs::why(key, children));
    }

    /// Sets (or with None removes) the unit's own target of an indicator.
    fn set_target(&mut self, cx: &mut Cx, indicator: &'static str, unit: String, target: Option<f64>) {
        cx.spawn("job_target", jobs::set_target(indicator, unit, target));
        self.target_text.clear();
    }
}

fn show(page: &mut LeadersPage, cx: &mut Cx, ui: &mut egui::Ui) {
    let lang = cx.lang;
    let unit_id = cx.unit_id.clone().unwrap_or_default();
    let unit_name = cx.unit_name(&unit_id);
    let period = cx.period;
    ui.horizontal(|ui| {
        ui.heading(RichText::new(t(lang, "page_leaders")).strong());
        ui.label(
            RichText::new(format!(
                "{unit_name} · {}",
                period.map(|p| p.format("%Y-%m").to_string()).unwrap_or_default()
            ))
            .size(18.0),
        );
        let loading = page
            .data
            .data
            .as_ref()
            .is_none_or(|(s, _)| s.unit_id != unit_id || s.month != period);
        if loading {
            ui.spinner();
        }
    });
    let Some((_, data)) = page.data.data.clone() else {
        return;
    };
    let data = match data {
        Ok(d) => d,
        Err(e) => {
            ui.colored_label(status_color(Status::Red), e);
            return;
        }
    };
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing = vec2(10.0, 10.0);
                for card in &data.cards {
                    let selected = page.selected == Some(card.indicator);
                    if card_ui(ui, lang, card, selected).clicked() {
                        page.selected = if selected { None } else { Some(card.indicator) };
                        // The detail opens below the cards, often below the fold: bring it
                        // into view once it is laid out.
                        ui.ctx()
                            .data_mut(|d| d.insert_temp(scroll_to_detail_id(), !selected));
                    }
                }
            });
            ui.add_space(10.0);
            let Some(id) = page.selected else {
                ui.label(RichText::new(t(lang, "card_hint")).weak());
                return;
            };
            let Some(card) = data.cards.iter().find(|c| c.indicator == id) else {
                return;
            };
            ui.separator();
            let ind = card.indicator();
            let heading = ui.heading(format!(
                "{} · {}",
                lang.pick(ind.en, ind.zh),
                lang.pick(ind.unit_en, ind.unit_zh)
            ));
            if ui
                .ctx()
                .data_mut(|d| d.remove_temp::<bool>(scroll_to_detail_id()))
                .unwrap_or(false)
            {
                heading.scroll_to_me(Some(egui::Align::TOP));
            }
            detail::detail_ui(page, cx, ui, card, &data.slices, &unit_id);
            ui.add_space(10.0);
            why::why_ui(page, cx, ui, card, &unit_id, period);
        });
}

/// Where a card's click asks for its detail to be scrolled into view.
fn scroll_to_detail_id() -> egui::Id {
    egui::Id::unique("leaders_scroll_to_detail")
}

/// One indicator card; the whole card is clickable.
fn card_ui(ui: &mut egui::Ui, lang: Lang, card: &Card, selected: bool) -> egui::Response {
    let ind = card.indicator();
    let (rect, response) = ui.allocate_exact_size(vec2(CARD_WIDTH, CARD_HEIGHT), Sense::click());
    let name = lang.pick(ind.en, ind.zh).to_string();
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &name));
    let visuals = ui.visuals().clone();
    let painter = ui.painter_at(rect);
    let fill = if response.hovered() {
        visuals.widgets.hovered.weak_bg_fill
    } else {
        visuals.extreme_bg_color
    };
    let border = if selected {
        Stroke::new(2.0, accent(visuals.dark_mode))
    } else {
        Stroke::new(1.0, visuals.widgets.noninteractive.bg_stroke.color)
    };
    painter.rect(rect, 8.0, fill, border, egui::StrokeKind::Inside);
    // The status as a band down the left edge.
    if let Some(s) = card.status {
        let band = egui::Rect::from_min_size(rect.min + vec2(1.0, 1.0), vec2(5.0, rect.height() - 2.0));
        painter.rect_filled(
            band,
            egui::CornerRadius {
                nw: 7,
                sw: 7,
                ne: 0,
                se: 0,
            },
            status_color(s),
        );
    }
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect.shrink2(vec2(14.0, 8.0)))
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    let ui = &mut child;
    ui.spacing_mut().item_spacing.y = 2.0;
    // The card takes the click, not its texts.
    ui.style_mut().interaction.selectable_labels = false;
    ui.horizontal(|ui| {
        ui.label(RichText::new(lang.pick(ind.en, ind.zh)).strong());
        if let Some(s) = card.status {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(
                    RichText::new(t(lang, status_key(s)))
                        .size(12.0)
                        .color(status_color(s)),
                );
            });
        } else if card.provisional.is_some() {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(RichText::new(t(lang, "provisional")).size(12.0).italics().weak());
            });
        }
    });
    let unit = lang.pick(ind.unit_en, ind.unit_zh).to_string();
    ui.horizontal(|ui| {
        match card.value {
            Some(v) => {
                ui.label(RichText::new(format::number(v, ind.decimals)).size(26.0).strong());
                ui.label(RichText::new(&unit).weak());
            }
            None => {
                ui.label(RichText::new(t(lang, "no_data")).size(20.0).weak());
            }
        };
    });
    let change = |label: &str, base: Option<f64>, ui: &mut egui::Ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new(label).size(12.0).weak());
            let text = format::change(ind, card.value, base).unwrap_or_else(|| "—".to_string());
            let color = change_color(ind.better, card.value, base, ui);
            ui.label(RichText::new(text).size(12.0).color(color));
        });
    };
    ui.horizontal(|ui| {
        change(t(lang, "vs_last_month"), card.previous_month, ui);
        ui.add_space(6.0);
        change(t(lang, "vs_last_year"), card.previous_year, ui);
    });
    let target = card
        .target
        .map(|v| format!("{} {} {unit}", t(lang, "target"), format::number(v, ind.decimals)))
        .unwrap_or_default();
    ui.label(RichText::new(target).size(12.0).weak());
    let spark = egui::Rect::from_min_size(ui.cursor().min, vec2(ui.available_width(), 30.0));
    sparkline(ui.painter(), spark, &card.history, accent(visuals.dark_mode));
    let open = card
        .provisional
        .map(|p| {
            format!(
                "{} {}; {} {}.\n",
                t(lang, "provisional_closes"),
                p.closes_on,
                t(lang, "provisional_data_until"),
                p.data_until
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| t(lang, "provisional_no_payments").to_string())
            )
        })
        .unwrap_or_default();
    response.on_hover_text(format!(
        "{open}{}: {}",
        t(lang, "last_13_months"),
        card.history
            .iter()
            .map(|(m, v)| format!("{} {}", m.format("%Y-%m"), format::value(ind, *v, "—")))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// The history as a small line; gaps where there is no data; the last point marked.
fn sparkline(
    painter: &egui::Painter,
    rect: egui::Rect,
    history: &[(NaiveDate, Option<f64>)],
    color: Color32,
) {
    let values: Vec<f64> = history.iter().filter_map(|(_, v)| *v).collect();
    let (Some(lo), Some(hi)) = (
        values.iter().copied().reduce(f64::min),
        values.iter().copied().reduce(f64::max),
    ) else {
        return;
    };
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = history.len().max(2) - 1;
    let point = |i: usize, v: f64| {
        egui::pos2(
            rect.left() + rect.width() * i as f32 / n as f32,
            rect.bottom() - rect.height() * ((v - lo) / span) as f32,
        )
    };
    let mut run: Vec<egui::Pos2> = Vec::new();
    for (i, (_, v)) in history.iter().enumerate() {
        match v {
            Some(v) => run.push(point(i, *v)),
            None => {
                painter.add(egui::Shape::line(
                    std::mem::take(&mut run),
                    Stroke::new(1.5, color),
                ));
            }
        }
    }
    if let Some(last) = run.last().copied() {
        painter.add(egui::Shape::line(run, Stroke::new(1.5, color)));
        painter.circle_filled(last, 3.0, color);
    }
}
