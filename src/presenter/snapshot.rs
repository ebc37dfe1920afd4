//! What a view of a page shows, built by the core as a bulletin section, so a slide keeps
//! it: the leaders' indicators, the bulletin board's ranking, the key market, service
//! quality, the audit's findings (the monthly analysis's sections of the view's unit and
//! month), and the evaluation's results and the benchmark's gaps (of its quarter or year).

use super::deck::{Slide, View};
use crate::metrics::period::Period;
use crate::progress::Progress;
use crate::store::Project;
use crate::text::Text;

/// The pages a view can be taken of, with the bulletin section that shows what they show.
pub const PAGES: [(&str, &str); 7] = [
    ("leaders", "indicators"),
    ("bulletin", "ranking"),
    ("market", "key_market"),
    ("service", "service"),
    ("audit", "audit"),
    ("evaluation", "results"),
    ("benchmark", "gaps"),
];

/// The page that shows a bulletin section.
pub fn page_of_section(section: &str) -> Option<&'static str> {
    PAGES.iter().find(|(_, s)| *s == section).map(|(p, _)| *p)
}

/// A slide of `view`, its content built now from the project.
pub fn slide(project: &Project, view: &View, progress: &Progress) -> anyhow::Result<Slide> {
    let Some((_, section)) = PAGES.iter().find(|(p, _)| *p == view.page) else {
        crate::bail_say!(
            "a slide cannot be made of the page '{}' (it can of: {})",
            "无法用页面“{}”制作幻灯片（可用：{}）",
            view.page,
            PAGES.map(|p| p.0).join(", ")
        );
    };
    let period = Period::parse(&view.period).map_err(anyhow::Error::msg)?;
    let doc = match (section, period) {
        (&("results" | "gaps"), p) => crate::bulletins::evaluation::build_only(
            project,
            p,
            Some(&view.unit_id),
            Some(&[section]),
            progress,
        )?,
        (_, Period::Month(m)) => crate::bulletins::monthly::build_only(
            project,
            m,
            Some(&view.unit_id),
            Some(&[section]),
            progress,
        )?,
        (_, other) => crate::bail_say!(
            "the page '{}' shows a month, not {}",
            "页面“{}”显示的是月份，而非 {}",
            view.page,
            other.label()
        ),
    };
    let content = doc
        .sections
        .into_iter()
        .next()
        .ok_or_else(|| crate::said!("the page '{}' showed nothing", "页面“{}”没有内容", view.page))?;
    Ok(Slide {
        view: view.clone(),
        title: content.title.clone(),
        caption: String::new(),
        notes: String::new(),
        content,
        scope: Text {
            en: format!("{} · {}", doc.unit.en, doc.period.en),
            zh: format!("{} · {}", doc.unit.zh, doc.period.zh),
        },
        as_of: doc.as_of,
    })
}
