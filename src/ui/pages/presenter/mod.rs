//! The Presenter page: the decks of the project and the one being made. A slide is a view
//! of a page (the top bar's "Add to deck" on the leaders', board, market, service, audit,
//! evaluation and benchmarking pages) frozen with what it showed; slides get a title, a
//! caption and speaker notes, and are moved, duplicated and deleted. F5 shows the deck full
//! screen (show.rs); personal data are masked unless the presenter turns masking off, which
//! is asked again and logged. The deck exports as a PDF of 1920 x 1080 pages.

pub mod show;
pub mod slide;

use egui::{Color32, RichText, vec2};

use crate::presenter::deck::{Deck, View};
use crate::ui::dialogs::Purpose;
use crate::ui::i18n::Lang;
use crate::ui::jobs::{self, DeckList, Msg};
use crate::ui::page::{Changed, Command, Cx, Needs, Open, Page, PageId};

pub use show::Show;

pub struct PresenterPage {
    pub decks: Option<Result<DeckList, String>>,
    asked: bool,
    /// The deck being made or shown.
    pub deck: Option<Deck>,
    /// Changed since it was kept, and when it last changed (it is kept on its own a moment
    /// after the editing stops).
    pub dirty: bool,
    edited_at: Option<std::time::Instant>,
    pub selected: usize,
    /// Personal data masked in slides and in what is exported from here (on by default).
    pub masked: bool,
    /// Turning masking off is being confirmed.
    confirm_unmask: bool,
    /// The deck shown full screen, and on which screen (None: the window's own; else the
    /// index among the machine's monitors).
    pub show: Option<Show>,
    pub monitor: Option<usize>,
    /// Views waiting for their slide (made one after the other, in order).
    pending: Vec<View>,
    making: bool,
    /// A save is on its way (a new deck is saved once, then by its id).
    saving: bool,
    pub charts: slide::Charts,
}

impl Default for PresenterPage {
    fn default() -> Self {
        PresenterPage {
            decks: None,
            asked: false,
            deck: None,
            dirty: false,
            edited_at: None,
            selected: 0,
            masked: true,
            confirm_unmask: false,
            show: None,
            monitor: None,
            pending: Vec::new(),
            making: false,
            saving: false,
            charts: slide::Charts::default(),
        }
    }
}

/// Full screen on the window's own screen, or borderless on the monitor chosen (an index
/// the machine does not have is ignored, and the window's own screen is used).
fn full_screen(ctx: &egui::Context, monitor: Option<usize>) {
    match monitor {
        Some(i) => ctx.send_viewport_cmd(egui::ViewportCommand::SetMonitor(i)),
        None => ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true)),
    }
}

/// An empty deck named after today ("Deck of 2026-11-29").
fn new_deck(cx: &Cx) -> Deck {
    Deck {
        id: None,
        name: format!(
            "{} {}",
            cx.t("presenter_new_deck"),
            chrono::Local::now().format("%Y-%m-%d")
        ),
        slides: Vec::new(),
    }
}

impl PresenterPage {
    /// Starts showing the deck from the selected slide (F5).
    pub fn start(&mut self, ctx: &egui::Context) -> bool {
        match &self.deck {
            Some(d) if !d.slides.is_empty() => {
                self.show = Some(Show::new(self.selected.min(d.slides.len() - 1)));
                full_screen(ctx, self.monitor);
                true
            }
            _ => false,
        }
    }

    pub fn stop(&mut self, ctx: &egui::Context) {
        if let Some(s) = self.show.take() {
            self.selected = s.index;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
    }

    fn set_deck(&mut self, deck: Deck) {
        self.selected = self.selected.min(deck.slides.len().saturating_sub(1));
        self.deck = Some(deck);
        self.charts.clear();
    }

    fn make_next(&mut self, cx: &mut Cx) {
        if !self.making && !self.pending.is_empty() {
            let view = self.pending.remove(0);
            self.making = true;
            cx.spawn("job_slide", jobs::make_slide(view));
        }
    }

    fn save(&mut self, cx: &mut Cx) {
        if self.saving {
            // Saved again once the save on its way is back.
            self.dirty = true;
            return;
        }
        if let Some(d) = &self.deck {
            self.saving = true;
            self.dirty = false;
            self.edited_at = None;
            cx.spawn("job_deck_save", jobs::save_deck(d.clone()));
        }
    }
}

impl Page for PresenterPage {
    fn id(&self) -> PageId {
        PageId::Presenter
    }
    fn title_key(&self) -> &'static str {
        "page_presenter"
    }
    fn icon(&self) -> &'static str {
        "▶"
    }
    fn needs(&self) -> Needs {
        Needs::Project
    }
    fn refresh(&mut self, cx: &mut Cx) {
        if !self.asked && cx.project.is_some() {
            self.asked = true;
            cx.spawn("job_decks", jobs::decks());
        }
    }
    fn open(&mut self, what: Open, cx: &mut Cx) {
        if let Open::AddView(view) = what {
            self.pending.push(view);
            self.make_next(cx);
        }
    }
    fn receive(&mut self, msg: Msg, cx: &mut Cx) -> Option<Msg> {
        match msg {
            Msg::Decks(r) => self.decks = Some(r),
            Msg::DeckLoaded(r) => match *r {
                Ok(d) => {
                    self.selected = 0;
                    self.dirty = false;
                    self.set_deck(d);
                }
                Err(e) => cx.send(Command::Error(e)),
            },
            Msg::DeckSaved(r) => match *r {
                Ok(d)
                    if self
                        .deck
                        .as_ref()
                        .is_some_and(|mine| mine.id.is_some() && mine.id != d.id) =>
                {
                    // Another deck was opened meanwhile.
                    self.saving = false;
                    self.asked = false;
                }
                Ok(d) => {
                    self.saving = false;
                    // The slides may have moved on since: only the id is taken back.
                    if let Some(mine) = &mut self.deck
                        && mine.id.is_none()
                    {
                        mine.id = d.id;
                    }
                    // The list of decks shows its name.
                    self.asked = false;
                }
                Err(e) => {
                    self.saving = false;
                    cx.send(Command::Error(e));
                }
            },
            Msg::SlideMade(r) => {
                self.making = false;
                match *r {
                    Ok(slide) => {
                        let deck = self.deck.get_or_insert_with(|| new_deck(cx));
                        deck.slides.push(slide);
                        self.selected = deck.slides.len() - 1;
                        let note = format!(
                            "{} “{}” ({} {})",
                            cx.t("presenter_added"),
                            deck.name,
                            cx.t("presenter_slide"),
                            deck.slides.len()
                        );
                        cx.send(Command::Notice(note));
                        self.save(cx);
                    }
                    Err(e) => cx.send(Command::Error(e)),
                }
                self.make_next(cx);
            }
            other => return Some(other),
        }
        None
    }
    fn changed(&mut self, what: Changed) {
        if what == Changed::Project {
            *self = PresenterPage::default();
        }
    }
    fn answered(&mut self, purpose: Purpose, paths: Vec<std::path::PathBuf>, cx: &mut Cx) {
        if let (Purpose::ExportDeck(_), Some(path), Some(deck)) =
            (purpose, paths.into_iter().next(), &self.deck)
        {
            cx.spawn(
                "job_deck_export",
                jobs::export_deck(deck.clone(), cx.lang == Lang::Zh, self.masked, path),
            );
        }
    }
    fn show(&mut self, ui: &mut egui::Ui, cx: &mut Cx) {
        show_page(self, ui, cx);
    }
}

fn show_page(page: &mut PresenterPage, ui: &mut egui::Ui, cx: &mut Cx) {
    let zh = cx.lang == Lang::Zh;
    // Edits are kept a moment after they stop, so nothing typed is lost.
    if page.dirty {
        match page.edited_at {
            None => page.edited_at = Some(std::time::Instant::now()),
            Some(t) if t.elapsed() > std::time::Duration::from_millis(1500) => page.save(cx),
            Some(_) => ui
                .ctx()
                .request_repaint_after(std::time::Duration::from_millis(300)),
        }
    }
    ui.horizontal(|ui| {
        ui.heading(RichText::new(cx.t("page_presenter")).strong());
        ui.add_space(12.0);
        ui.weak(cx.t("presenter_hint"));
    });
    ui.separator();
    egui::Panel::left("deck_list")
        .resizable(false)
        .exact_size(230.0)
        .show(ui, |ui| {
            ui.label(RichText::new(cx.t("presenter_decks")).strong());
            if ui.button(cx.t("presenter_new")).clicked() {
                page.set_deck(new_deck(cx));
                page.dirty = true;
            }
            match &page.decks {
                Some(Ok(list)) if list.is_empty() => {
                    ui.weak(cx.t("presenter_no_decks"));
                }
                Some(Ok(list)) => {
                    let mut load = None;
                    egui::ScrollArea::vertical().id_salt("decks").show(ui, |ui| {
                        for d in list {
                            let current = page.deck.as_ref().and_then(|x| x.id) == Some(d.deck_id);
                            if ui
                                .selectable_label(current, &d.name)
                                .on_hover_text(format!(
                                    "{} · {}",
                                    d.made_at.format("%Y-%m-%d %H:%M"),
                                    d.made_by
                                ))
                                .clicked()
                            {
                                load = Some(d.deck_id);
                            }
                        }
                    });
                    if let Some(id) = load {
                        cx.spawn("job_deck_open", jobs::load_deck(id));
                    }
                }
                Some(Err(e)) => {
                    ui.colored_label(Color32::from_rgb(215, 58, 73), e);
                }
                None => {
                    ui.spinner();
                }
            }
        });
    let Some(deck) = &mut page.deck else {
        ui.label(cx.t("presenter_none_open"));
        return;
    };
    // The deck's name and what can be done with it.
    let mut delete = None;
    let mut keep = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(cx.t("presenter_name"));
        if ui
            .add(egui::TextEdit::singleline(&mut deck.name).desired_width(260.0))
            .changed()
        {
            page.dirty = true;
        }
        let present = egui::Button::new(RichText::new(format!("▶ {}", cx.t("presenter_present"))).strong());
        if ui
            .add_enabled(!deck.slides.is_empty(), present)
            .on_hover_text(cx.t("presenter_present_hint"))
            .clicked()
        {
            page.show = Some(Show::new(page.selected.min(deck.slides.len().saturating_sub(1))));
            full_screen(ui.ctx(), page.monitor);
        }
        let screen = |m: Option<usize>| match m {
            None => cx.t("presenter_this_screen").to_string(),
            Some(i) => format!("{} {}", cx.t("presenter_screen"), i + 1),
        };
        egui::ComboBox::from_id_salt("presenter_monitor")
            .selected_text(screen(page.monitor))
            .show_ui(ui, |ui| {
                for m in [None, Some(0), Some(1), Some(2)] {
                    ui.selectable_value(&mut page.monitor, m, screen(m));
                }
            })
            .response
            .on_hover_text(cx.t("presenter_screen_hint"));
        if ui
            .add_enabled(page.dirty, egui::Button::new(cx.t("presenter_save")))
            .clicked()
        {
            keep = true;
        }
        if ui
            .add_enabled(
                !deck.slides.is_empty(),
                egui::Button::new(cx.t("presenter_export")),
            )
            .clicked()
        {
            cx.send(Command::Ask(Purpose::ExportDeck(format!(
                "{}.pdf",
                deck.name.replace(['/', '\\'], "-")
            ))));
        }
        if let Some(id) = deck.id
            && ui.button(cx.t("presenter_delete_deck")).clicked()
        {
            delete = Some(id);
        }
        ui.separator();
        let mut masked = page.masked;
        if ui.checkbox(&mut masked, cx.t("presenter_masked")).changed() {
            if masked {
                page.masked = true;
            } else {
                page.confirm_unmask = true;
            }
        }
        if page.masked {
            ui.colored_label(Color32::from_rgb(46, 160, 67), "🔒");
        } else {
            ui.colored_label(Color32::from_rgb(215, 58, 73), cx.t("presenter_unmasked_badge"));
        }
        if page.making || !page.pending.is_empty() {
            ui.spinner();
        }
    });
    if keep {
        page.save(cx);
    }
    if let Some(id) = delete {
        cx.spawn("job_deck_delete", jobs::delete_deck(id));
        page.deck = None;
        page.dirty = false;
        return;
    }
    let Some(deck) = &mut page.deck else { return };
    ui.separator();
    if deck.slides.is_empty() {
        ui.label(cx.t("presenter_empty"));
    }
    let mut action: Option<(usize, &str)> = None;
    ui.columns(2, |cols| {
        egui::ScrollArea::vertical()
            .id_salt("slides")
            .show(&mut cols[0], |ui| {
                for (i, s) in deck.slides.iter_mut().enumerate() {
                    let selected = i == page.selected;
                    let frame = egui::Frame::group(ui.style()).fill(if selected {
                        ui.visuals().selection.bg_fill.gamma_multiply(0.3)
                    } else {
                        ui.visuals().faint_bg_color
                    });
                    frame.show(ui, |ui| {
                        ui.horizontal(|ui| {
                            if ui
                                .selectable_label(selected, RichText::new(format!("{}.", i + 1)).strong())
                                .clicked()
                            {
                                page.selected = i;
                            }
                            let title = if zh { &mut s.title.zh } else { &mut s.title.en };
                            if ui
                                .add(egui::TextEdit::singleline(title).desired_width(280.0))
                                .changed()
                            {
                                page.dirty = true;
                            }
                            for (glyph, what, key) in [
                                ("⬆", "up", "presenter_up"),
                                ("⬇", "down", "presenter_down"),
                                ("➕", "duplicate", "presenter_duplicate"),
                                ("🗑", "delete", "presenter_delete"),
                            ] {
                                if ui.small_button(glyph).on_hover_text(cx.t(key)).clicked() {
                                    action = Some((i, what));
                                }
                            }
                        });
                        ui.weak(format!("{} · {}", s.view.page, s.scope.pick(zh)));
                        if selected {
                            ui.label(cx.t("presenter_caption"));
                            if ui
                                .add(egui::TextEdit::singleline(&mut s.caption).desired_width(f32::INFINITY))
                                .changed()
                            {
                                page.dirty = true;
                            }
                            ui.label(cx.t("presenter_notes"));
                            if ui
                                .add(
                                    egui::TextEdit::multiline(&mut s.notes)
                                        .desired_rows(3)
                                        .desired_width(f32::INFINITY),
                                )
                                .changed()
                            {
                                page.dirty = true;
                            }
                        }
                    });
                }
            });
        // The selected slide as it will show.
        if let Some(s) = deck.slides.get(page.selected) {
            let w = cols[1].available_width();
            let (rect, _) = cols[1].allocate_exact_size(vec2(w, w * 9.0 / 16.0), egui::Sense::hover());
            slide::draw(
                &mut cols[1],
                rect,
                s,
                page.selected,
                zh,
                page.masked,
                &mut page.charts,
            );
        }
    });
    if let Some((i, what)) = action {
        match what {
            "up" if i > 0 => deck.shift(i, i - 1),
            "down" => deck.shift(i, i + 1),
            "duplicate" => deck.duplicate(i),
            "delete" => deck.remove(i),
            _ => {}
        }
        page.selected = page.selected.min(deck.slides.len().saturating_sub(1));
        page.charts.clear();
        page.dirty = true;
    }
    if page.confirm_unmask {
        let modal = egui::Modal::new(egui::Id::unique("confirm_unmask")).show(ui.ctx(), |ui| {
            ui.set_max_width(480.0);
            ui.heading(cx.t("presenter_unmask_title"));
            ui.label(cx.t("presenter_unmask_text"));
            ui.horizontal(|ui| {
                if ui.button(cx.t("presenter_unmask_yes")).clicked() {
                    tracing::warn!(
                        "personal data unmasked for presenting by {} (deck {:?})",
                        crate::account::name(),
                        deck.name
                    );
                    return Some(true);
                }
                if ui.button(cx.t("presenter_unmask_no")).clicked() {
                    return Some(false);
                }
                None
            })
            .inner
        });
        match modal.inner {
            Some(true) => {
                page.masked = false;
                page.confirm_unmask = false;
            }
            Some(false) => page.confirm_unmask = false,
            None if modal.should_close() => page.confirm_unmask = false,
            None => {}
        }
    }
}
