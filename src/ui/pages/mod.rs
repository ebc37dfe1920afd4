//! The pages of the app, one file each. The side navigation lists `Page::ALL`: only pages
//! that exist.

pub mod audit;
pub mod bulletin;
pub mod cases;
pub mod import;
pub mod leaders;
pub mod overview;
pub mod rules;
pub mod service;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Page {
    #[default]
    Overview,
    Leaders,
    Bulletin,
    Service,
    Audit,
    Rules,
    Cases,
    Import,
}

impl Page {
    pub const ALL: &'static [Page] = &[
        Page::Overview,
        Page::Leaders,
        Page::Bulletin,
        Page::Service,
        Page::Audit,
        Page::Rules,
        Page::Cases,
        Page::Import,
    ];

    /// Translation key of the page's title.
    pub fn title_key(self) -> &'static str {
        match self {
            Page::Overview => "page_overview",
            Page::Leaders => "page_leaders",
            Page::Bulletin => "page_bulletin",
            Page::Service => "page_service",
            Page::Audit => "page_audit",
            Page::Rules => "page_rules",
            Page::Cases => "page_cases",
            Page::Import => "page_import",
        }
    }
}
