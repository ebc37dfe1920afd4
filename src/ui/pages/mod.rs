//! The pages of the app, one file (or folder) each, in the side navigation's order.

pub mod audit;
pub mod benchmark;
pub mod bulletin;
pub mod cadence;
pub mod cases;
pub mod evaluation;
pub mod import;
pub mod leaders;
pub mod map;
pub mod market;
pub mod overview;
pub mod presenter;
pub mod quality;
pub mod risk;
pub mod rules;
pub mod service;
pub mod sql;

use super::page::Page;

/// Every page, in the side navigation's order: adding a page is adding its file, its
/// `PageId` and one line here.
pub fn all() -> Vec<Box<dyn Page>> {
    vec![
        Box::new(overview::OverviewPage),
        Box::new(leaders::LeadersPage::default()),
        Box::new(bulletin::BulletinPage::default()),
        Box::new(market::MarketPage::default()),
        Box::new(service::ServicePage::default()),
        Box::new(evaluation::EvaluationPage::default()),
        Box::new(benchmark::BenchmarkPage::default()),
        Box::new(cadence::CadencePage::default()),
        Box::new(presenter::PresenterPage::default()),
        Box::new(map::MapPage::default()),
        Box::new(audit::AuditPage::default()),
        Box::new(rules::RulesPage::default()),
        Box::new(quality::QualityPage::default()),
        Box::new(risk::RiskPage::default()),
        Box::new(cases::CasesPage::default()),
        Box::new(import::ImportPage::default()),
        Box::new(sql::SqlPage::default()),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_page_once_with_a_title_and_an_icon() {
        let pages = super::all();
        let ids: std::collections::HashSet<_> = pages.iter().map(|p| p.id()).collect();
        assert_eq!(ids.len(), pages.len(), "a page id twice");
        for p in &pages {
            assert!(!p.icon().is_empty(), "{:?} has no icon", p.id());
            for lang in [crate::ui::i18n::Lang::En, crate::ui::i18n::Lang::Zh] {
                let title = crate::ui::i18n::t(lang, p.title_key());
                assert_ne!(title, p.title_key(), "{:?} has no title", p.id());
            }
        }
    }
}
