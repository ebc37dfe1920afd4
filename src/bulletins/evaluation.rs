//! The quarterly evaluation and the annual examination as bulletins: the evaluation of the
//! units below an org unit under the default index system (scores, grades and ranks), the
//! gap of each to the best of its peers as a sentence, the improvement required, and the
//! whole's own indicators. The numbers are `mams evaluate`'s and `mams benchmark`'s; the
//! templates (`assets/bulletins/quarterly.json`, `annual.json`) order and name the sections.

use super::document::{Document, Section, Table, same};
use super::template::Template;
use crate::metrics::benchmark;
use crate::metrics::evaluate::{self, ProjectEvaluation, indicator_decimals};
use crate::metrics::format;
use crate::metrics::period::{Period, PeriodKind};
use crate::progress::Progress;
use crate::store::Project;
use crate::text::Text;

const QUARTERLY: &str = include_str!("../../assets/bulletins/quarterly.json");
const ANNUAL: &str = include_str!("../../assets/bulletins/annual.json");

/// The sections a template may name.
const SECTIONS: [&str; 4] = ["results", "gaps", "improvement", "indicators"];

fn text(en: String, zh: String) -> Text {
    Text { en, zh }
}

/// The bulletin of `period` (a quarter or a year) for the units below `unit`.
pub fn build(
    project: &Project,
    period: Period,
    unit: Option<&str>,
    progress: &Progress,
) -> anyhow::Result<Document> {
    build_only(project, period, unit, None, progress)
}

/// The same with only the sections `only` names (all when None), in the template's order.
pub fn build_only(
    project: &Project,
    period: Period,
    unit: Option<&str>,
    only: Option<&[&str]>,
    progress: &Progress,
) -> anyhow::Result<Document> {
    let json = match period.kind() {
        PeriodKind::Quarter => QUARTERLY,
        PeriodKind::Year => ANNUAL,
        PeriodKind::Month => crate::bail_say!(
            "the evaluation bulletins are for a quarter (YYYYQn) or a year (YYYY), not a month ({}); the month has the monthly analysis",
            "评价简报针对季度（YYYYQn）或年度（YYYY），而非月份（{}）；月份请用月度分析",
            period.label()
        ),
    };
    let kind = if period.kind() == PeriodKind::Quarter {
        "quarterly"
    } else {
        "annual"
    };
    let mut t = Template::parse(json, kind, &SECTIONS)?;
    if let Some(only) = only {
        t.sections.retain(|s| only.contains(&s.id.as_str()));
    }
    progress.set(None, crate::say!("evaluating the units", "评价各单位"));
    progress.check()?;
    let system = evaluate::system(project, None)?;
    let ev = evaluate::run_published_or(project, &system, period, unit)?;
    let names = super::names::Names::load(project)?;
    let sections = t.sections(progress, |s| {
        Ok(match s.id.as_str() {
            "results" => results(&ev),
            "gaps" => gaps(&ev),
            "improvement" => improvement(&ev),
            "indicators" => indicators(&ev),
            other => unreachable!("the template was checked: {other}"),
        })
    })?;
    Ok(Document {
        kind: kind.to_string(),
        company: names.company(),
        title: t.title(),
        number: format!("No. {}", period.label()),
        unit: names.unit(&ev.scope),
        unit_id: ev.scope.clone(),
        period: text(period.title(false), period.title(true)),
        period_label: period.label(),
        as_of: super::monthly_data_as_of(project)?,
        sections,
    })
}

fn name(ev: &ProjectEvaluation, i: usize) -> Text {
    let u = &ev.units[i];
    text(
        if u.name_en.is_empty() {
            u.name_zh.clone()
        } else {
            u.name_en.clone()
        },
        u.name_zh.clone(),
    )
}

fn results(ev: &ProjectEvaluation) -> Section {
    let mut header = vec![
        text("Rank".into(), "名次".into()),
        text("Unit".into(), "单位".into()),
        text("Total".into(), "总分".into()),
        text("Grade".into(), "等级".into()),
    ];
    header.extend(
        ev.system
            .dimensions
            .iter()
            .map(|d| text(d.name_en.clone(), d.name_zh.clone())),
    );
    let mut order: Vec<usize> = (0..ev.units.len()).collect();
    order.sort_by_key(|i| (ev.evaluation.units[*i].rank.unwrap_or(usize::MAX), *i));
    let num = |v: Option<f64>, d: usize| same(v.map(|v| format!("{v:.d$}")).unwrap_or_else(|| "—".into()));
    let rows = order
        .iter()
        .map(|&i| {
            let r = &ev.evaluation.units[i];
            let mut row = vec![
                same(r.rank.map(|k| k.to_string()).unwrap_or_else(|| "—".into())),
                name(ev, i),
                num(r.total, 2),
                same(r.grade.clone().unwrap_or_else(|| "—".into())),
            ];
            row.extend(r.dimensions.iter().map(|d| num(*d, 1)));
            row
        })
        .collect();
    let mut paragraphs = Vec::new();
    let count = |g: &str| {
        ev.evaluation
            .units
            .iter()
            .filter(|u| u.grade.as_deref() == Some(g))
            .count()
    };
    let grades: Vec<(String, usize)> = ev
        .system
        .grades
        .iter()
        .map(|g| (g.grade.clone(), count(&g.grade)))
        .collect();
    let list = |zh: bool| -> String {
        grades
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(g, n)| {
                if zh {
                    format!("{g} 级 {n} 个")
                } else {
                    format!("{n} graded {g}")
                }
            })
            .collect::<Vec<_>>()
            .join(if zh { "，" } else { ", " })
    };
    paragraphs.push(text(
        format!(
            "{} units evaluated under {}: {}.",
            ev.units.len(),
            ev.system.version(),
            list(false)
        ),
        format!(
            "按 {} 评价 {} 个单位：{}。",
            ev.system.version(),
            ev.units.len(),
            list(true)
        ),
    ));
    if let Some(best) = order.first().filter(|i| ev.evaluation.units[**i].rank == Some(1)) {
        let n = name(ev, *best);
        let total = ev.evaluation.units[*best].total.unwrap_or(0.0);
        paragraphs.push(text(
            format!("{} ranks first with {total:.2} points.", n.en),
            format!("{}以 {total:.2} 分位列第一。", n.zh),
        ));
    }
    let unscored: Vec<String> = ev
        .evaluation
        .units
        .iter()
        .filter(|u| u.total.is_none())
        .map(|u| u.unit.clone())
        .collect();
    if !unscored.is_empty() {
        paragraphs.push(text(
            format!("Not scored for want of data: {}.", unscored.join(", ")),
            format!("因数据不全未评分：{}。", unscored.join("、")),
        ));
    }
    for n in &ev.notes {
        paragraphs.push(n.clone());
    }
    Section::body(paragraphs, Some(Table { header, rows }))
}

fn gaps(ev: &ProjectEvaluation) -> Section {
    let mut paragraphs = Vec::new();
    for g in benchmark::default_groups(ev) {
        let b = benchmark::benchmark(ev, &g);
        for u in &b.units {
            if let Some(s) = &u.sentence {
                paragraphs.push(text(format!("{}.", s.en), format!("{}。", s.zh)));
            }
        }
    }
    if paragraphs.is_empty() {
        paragraphs.push(text(
            "No unit is behind the best of its peers.".into(),
            "没有单位落后于同类最优。".into(),
        ));
    }
    Section::body(paragraphs, None)
}

fn improvement(ev: &ProjectEvaluation) -> Section {
    let rows: Vec<Vec<Text>> = ev
        .evaluation
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| !u.improvement.is_empty())
        .map(|(i, u)| {
            // The reasons name indicators by id: the bulletin names them as people do.
            let named = |s: &str, zh: bool| {
                let mut out = s.to_string();
                for (_, ind) in ev.system.indicators() {
                    out = out.replace(&ind.indicator, &ev.label(&ind.indicator, zh).0);
                }
                out
            };
            let why = Text {
                en: u
                    .improvement
                    .iter()
                    .map(|w| named(&w.en, false))
                    .collect::<Vec<_>>()
                    .join("; "),
                zh: u
                    .improvement
                    .iter()
                    .map(|w| named(&w.zh, true))
                    .collect::<Vec<_>>()
                    .join("；"),
            };
            vec![name(ev, i), why]
        })
        .collect();
    if rows.is_empty() {
        return Section::body(
            vec![text(
                "No unit needs an improvement item: no grade calls for one and no indicator is below its floor.".into(),
                "无需整改：没有单位的等级或指标低于底线值。".into(),
            )],
            None,
        );
    }
    let header = vec![
        text("Unit".into(), "单位".into()),
        text("Why".into(), "原因".into()),
    ];
    Section::body(
        vec![text(
            format!(
                "{} units must improve; the items are raised when the evaluation is published.",
                rows.len()
            ),
            format!("{} 个单位需整改；评价发布时生成整改事项。", rows.len()),
        )],
        Some(Table { header, rows }),
    )
}

fn indicators(ev: &ProjectEvaluation) -> Section {
    let header = vec![
        text("Indicator".into(), "指标".into()),
        text("Value".into(), "数值".into()),
    ];
    let rows = ev
        .system
        .indicators()
        .iter()
        .zip(&ev.scope_values)
        .map(|((_, ind), v)| {
            let (en, unit_en) = ev.label(&ind.indicator, false);
            let (zh, unit_zh) = ev.label(&ind.indicator, true);
            let n = v.map(|v| format::number(v, indicator_decimals(&ind.indicator)));
            vec![
                text(en, zh),
                text(
                    n.clone()
                        .map(|n| format!("{n} {unit_en}"))
                        .unwrap_or_else(|| "—".into()),
                    n.map(|n| format!("{n} {unit_zh}")).unwrap_or_else(|| "—".into()),
                ),
            ]
        })
        .collect();
    Section::body(Vec::new(), Some(Table { header, rows }))
}
