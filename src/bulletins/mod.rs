//! Marketing bulletins written from the data by rules (no language model): a template as
//! data (`assets/bulletins/`), a builder that fills a `Document` from the numbers the pages
//! show, and renderers (HTML, PDF, DOCX). The kinds: the daily brief and the weekly
//! notification (`activity.rs`), the monthly analysis (`monthly.rs`), the quarterly
//! evaluation and the annual examination (`evaluation.rs`). docs/bulletins.md.

pub mod activity;
pub mod agenda;
pub mod cadence;
pub mod chart;
pub mod document;
pub mod docx;
pub mod evaluation;
pub mod html;
pub mod monthly;
pub mod names;
pub mod pdf;
pub mod publish;
pub mod template;

use chrono::Months;

use crate::store::Project;

/// The last day of the last complete month the project holds: what a monthly, quarterly
/// or annual bulletin's numbers are as of.
pub fn monthly_data_as_of(project: &Project) -> anyhow::Result<Option<String>> {
    let reach = crate::metrics::kpi::last_complete_month(&crate::store::queries::months(project)?, None);
    Ok(reach.map(|m| (m + Months::new(1)).pred_opt().unwrap_or(m).to_string()))
}

/// The five kinds of bulletin, in the order of the working rhythm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Annual,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Daily,
        Kind::Weekly,
        Kind::Monthly,
        Kind::Quarterly,
        Kind::Annual,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Daily => "daily",
            Kind::Weekly => "weekly",
            Kind::Monthly => "monthly",
            Kind::Quarterly => "quarterly",
            Kind::Annual => "annual",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.id() == s)
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Kind::Daily, false) => "Daily brief",
            (Kind::Daily, true) => "营销日报",
            (Kind::Weekly, false) => "Weekly notification",
            (Kind::Weekly, true) => "营销周通报",
            (Kind::Monthly, false) => "Monthly analysis",
            (Kind::Monthly, true) => "营销月度分析",
            (Kind::Quarterly, false) => "Quarterly evaluation",
            (Kind::Quarterly, true) => "季度评价",
            (Kind::Annual, false) => "Annual examination",
            (Kind::Annual, true) => "年度考核",
        }
    }

    /// How its period is written: "YYYY-MM-DD", "YYYY-Www", ...
    pub fn period_form(self) -> &'static str {
        match self {
            Kind::Daily => "a day (YYYY-MM-DD)",
            Kind::Weekly => "an ISO week (YYYY-Www)",
            Kind::Monthly => "a month (YYYY-MM)",
            Kind::Quarterly => "a quarter (YYYYQn)",
            Kind::Annual => "a year (YYYY)",
        }
    }

    fn period_form_zh(self) -> &'static str {
        match self {
            Kind::Daily => "日期（YYYY-MM-DD）",
            Kind::Weekly => "ISO 周（YYYY-Www）",
            Kind::Monthly => "月份（YYYY-MM）",
            Kind::Quarterly => "季度（YYYYQn）",
            Kind::Annual => "年度（YYYY）",
        }
    }
}

/// Builds a bulletin of `kind` for `period` (written as the kind asks) and `unit` (the top
/// unit when None). A period of another form is refused, saying the form asked for.
pub fn make(
    project: &Project,
    kind: Kind,
    period: &str,
    unit: Option<&str>,
    progress: &crate::progress::Progress,
) -> anyhow::Result<document::Document> {
    use crate::metrics::period::Period;
    let wrong = || {
        anyhow::Error::new(crate::text::Said(crate::text::Text {
            en: format!(
                "the {} is of {}, not '{period}'",
                kind.name(false).to_lowercase(),
                kind.period_form()
            ),
            zh: format!("{}针对{}，而非“{period}”", kind.name(true), kind.period_form_zh()),
        }))
    };
    match kind {
        Kind::Daily | Kind::Weekly => {
            let span = activity::Span::parse(period).map_err(|_| wrong())?;
            let ok = matches!(
                (kind, span),
                (Kind::Daily, activity::Span::Day(_)) | (Kind::Weekly, activity::Span::Week { .. })
            );
            if !ok {
                return Err(wrong());
            }
            activity::build(project, span, unit, progress)
        }
        Kind::Monthly => match Period::parse(period) {
            Ok(Period::Month(m)) => monthly::build(project, m, unit, progress),
            _ => Err(wrong()),
        },
        Kind::Quarterly => match Period::parse(period) {
            Ok(p @ Period::Quarter { .. }) => evaluation::build(project, p, unit, progress),
            _ => Err(wrong()),
        },
        Kind::Annual => match Period::parse(period) {
            Ok(p @ Period::Year(_)) => evaluation::build(project, p, unit, progress),
            _ => Err(wrong()),
        },
    }
}
