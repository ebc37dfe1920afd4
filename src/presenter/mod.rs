//! Presenting at the monthly meeting: decks of slides, each a saved view of a page frozen
//! with the numbers it showed (`deck.rs`), the content of a view built by the core
//! (`snapshot.rs`), and a deck written as a PDF of 1920 x 1080 pages (`pdf.rs`). The app
//! shows a deck full screen (ui/pages/presenter); docs/presenter.md.

pub mod deck;
pub mod pdf;
pub mod snapshot;
