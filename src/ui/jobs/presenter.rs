//! Jobs of the Presenter page: the decks of the project, one deck, keeping it, a slide made
//! of a page's view (its content built now and frozen), a deck written as PDF.

use std::path::PathBuf;

use super::{Msg, finish, open_project_in};
use crate::presenter::deck::{Deck, View};
use crate::progress::Progress;
use crate::store::decks::StoredDeck;
use crate::worker::WorkerState;

pub fn decks() -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| Ok(crate::store::decks::list(open_project_in(state)?)?))();
        finish(r, Msg::Decks)
    }
}

pub fn load_deck(id: i64) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| Deck::load(open_project_in(state)?, id))();
        finish(r, |r| Msg::DeckLoaded(Box::new(r)))
    }
}

/// Keeps the deck; answers with it (a new one with its id).
pub fn save_deck(mut deck: Deck) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            deck.save(open_project_in(state)?)?;
            Ok(deck)
        })();
        finish(r, |r| Msg::DeckSaved(Box::new(r)))
    }
}

pub fn delete_deck(id: i64) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            crate::store::decks::delete(p, id)?;
            Ok(crate::store::decks::list(p)?)
        })();
        finish(r, Msg::Decks)
    }
}

/// A slide of a page's view, its content built now.
pub fn make_slide(view: View) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            crate::presenter::snapshot::slide(p, &view, progress)
        })();
        finish(r, |r| Msg::SlideMade(Box::new(r)))
    }
}

/// Writes the deck as a PDF of 1920 x 1080 pages.
pub fn export_deck(
    deck: Deck,
    zh: bool,
    masked: bool,
    path: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |_, _| {
        let r = (|| {
            let bytes = crate::presenter::pdf::render(&deck, zh, masked)?;
            crate::bulletins::publish::write_file(&path, &bytes)?;
            Ok(path.display().to_string())
        })();
        finish(r, Msg::Written)
    }
}

/// The decks as listed.
pub type DeckList = Vec<StoredDeck>;
