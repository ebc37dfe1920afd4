//! The monthly analysis of an org unit: every leaders' indicator with its target and its
//! change against last month and last year; the largest changes told as sentences with the
//! units that made them (the split of "why did this change"); the units below ranked; the
//! month's audit findings by state. The template (`assets/bulletins/monthly.json`) orders
//! and names the sections.

use chrono::{Datelike, Months, NaiveDate};

use super::document::{Document, Section, Table, same};
use super::template::Template;
use crate::metrics::format;
use crate::metrics::indicators::indicator;
use crate::metrics::kpi::{self, Card};
use crate::store::Project;
use crate::store::queries;
use crate::text::Text;

const TEMPLATE: &str = include_str!("../../assets/bulletins/monthly.json");

/// The sections a template may name.
const SECTIONS: [&str; 4] = ["indicators", "largest_changes", "ranking", "audit"];

/// The monthly analysis of `unit` (the top unit when None) for `month`.
pub fn build(project: &Project, month: NaiveDate, unit: Option<&str>) -> anyhow::Result<Document> {
    let t = Template::parse(TEMPLATE, "monthly", &SECTIONS)?;
    let unit = kpi::check_scope(project, month, unit)?;
    let month = kpi::month_start(month);
    let org = queries::org_tree(project)?;
    let name = |id: &str| -> Text {
        org.iter()
            .find(|u| u.unit_id == id)
            .map(|u| Text {
                en: if u.name_en.is_empty() {
                    u.name_zh.clone()
                } else {
                    u.name_en.clone()
                },
                zh: u.name_zh.clone(),
            })
            .unwrap_or_else(|| Text {
                en: id.to_string(),
                zh: id.to_string(),
            })
    };
    let below = queries::units_below(&org, &unit);
    let cards =
        crate::store::kpi::with_sums_checked_once(project, || kpi::cards(project, month, &unit, None))?;
    let mut sections = Vec::new();
    for s in &t.sections {
        let title = s.title();
        let section = match s.id.as_str() {
            "indicators" => indicators(&cards),
            "largest_changes" => {
                largest_changes(project, &cards, &unit, &below, month, s.count.unwrap_or(3), &name)?
            }
            "ranking" => ranking(project, &unit, &below, month, &name)?,
            "audit" => audit(project, &unit, month)?,
            other => unreachable!("the template was checked: {other}"),
        };
        sections.push(Section {
            id: s.id.clone(),
            title,
            ..section
        });
    }
    let reach = kpi::last_complete_month(&queries::months(project)?, None);
    Ok(Document {
        title: t.title(),
        number: format!("No. {}", month.format("%Y-%m")),
        unit: name(&unit),
        period: Text {
            en: month.format("%B %Y").to_string(),
            zh: format!("{}年{}月", month.year(), month.month()),
        },
        as_of: reach.map(|m| (m + Months::new(1)).pred_opt().unwrap_or(m).to_string()),
        sections,
    })
}

fn empty(id: &str) -> Section {
    Section {
        id: id.to_string(),
        title: Text::default(),
        paragraphs: Vec::new(),
        table: None,
    }
}

/// A value with its unit: "87,812,345 kWh", "99.52 %".
fn with_unit(id: &str, v: f64, zh: bool) -> String {
    let ind = indicator(id).expect("an indicator of the catalogue");
    let unit = if zh { ind.unit_zh } else { ind.unit_en };
    let n = format::number(v, ind.decimals);
    if unit == "%" {
        format!("{n} %")
    } else {
        format!("{n} {unit}")
    }
}

fn text(en: String, zh: String) -> Text {
    Text { en, zh }
}

fn indicators(cards: &[Card]) -> Section {
    let header = [
        ("Indicator", "指标"),
        ("Value", "本月"),
        ("Target", "目标"),
        ("Against last month", "环比"),
        ("Against last year", "同比"),
    ]
    .map(|(en, zh)| text(en.into(), zh.into()))
    .to_vec();
    let rows = cards
        .iter()
        .map(|c| {
            let ind = c.indicator();
            let both = |v: Option<f64>| {
                text(
                    v.map(|v| with_unit(ind.id, v, false))
                        .unwrap_or_else(|| "—".into()),
                    v.map(|v| with_unit(ind.id, v, true))
                        .unwrap_or_else(|| "—".into()),
                )
            };
            vec![
                text(ind.en.into(), ind.zh.into()),
                both(c.value),
                both(c.target),
                same(format::change(ind, c.value, c.previous_month).unwrap_or_default()),
                same(format::change(ind, c.value, c.previous_year).unwrap_or_default()),
            ]
        })
        .collect();
    let missed: Vec<&Card> = cards
        .iter()
        .filter(|c| c.status == Some(kpi::Status::Red) || c.status == Some(kpi::Status::Amber))
        .collect();
    let mut paragraphs = Vec::new();
    if missed.is_empty() {
        paragraphs.push(text(
            "Every indicator with a target met it.".into(),
            "所有设定目标的指标均已达标。".into(),
        ));
    } else {
        let names = |zh: bool| -> String {
            missed
                .iter()
                .map(|c| {
                    let ind = c.indicator();
                    format!(
                        "{} {} ({} {})",
                        if zh { ind.zh } else { ind.en },
                        c.value.map(|v| with_unit(ind.id, v, zh)).unwrap_or_default(),
                        if zh { "目标" } else { "target" },
                        c.target.map(|v| with_unit(ind.id, v, zh)).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join(if zh { "；" } else { "; " })
        };
        paragraphs.push(text(
            format!(
                "{} indicators missed their target: {}.",
                missed.len(),
                names(false)
            ),
            format!("{} 项指标未达目标：{}。", missed.len(), names(true)),
        ));
    }
    Section {
        paragraphs,
        table: Some(Table { header, rows }),
        ..empty("indicators")
    }
}

/// The indicators that moved most against last month (relative change), each told as a
/// sentence with the unit below that contributed most.
fn largest_changes(
    project: &Project,
    cards: &[Card],
    unit: &str,
    below: &[String],
    month: NaiveDate,
    count: usize,
    name: &dyn Fn(&str) -> Text,
) -> anyhow::Result<Section> {
    let base = month - Months::new(1);
    let mut moved: Vec<(&Card, f64)> = cards
        .iter()
        .filter_map(|c| {
            let (v, p) = (c.value?, c.previous_month?);
            (p != 0.0).then(|| (c, ((v - p) / p).abs()))
        })
        .collect();
    moved.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut paragraphs = Vec::new();
    for (c, _) in moved.into_iter().take(count) {
        let ind = c.indicator();
        let (v, p) = (c.value.unwrap_or(0.0), c.previous_month.unwrap_or(0.0));
        let (way_en, way_zh) = if v >= p {
            ("above", "高于")
        } else {
            ("below", "低于")
        };
        let delta = if ind.unit_en == "%" {
            (
                format!("{:.2} pp", (v - p).abs()),
                format!("{:.2} 个百分点", (v - p).abs()),
            )
        } else {
            let r = ((v - p) / p.abs() * 100.0).abs();
            (format!("{r:.1} %"), format!("{r:.1}%"))
        };
        let mut en = format!(
            "{} was {}, {} {way_en} last month",
            ind.en,
            with_unit(ind.id, v, false),
            delta.0
        );
        let mut zh = format!(
            "{}为 {}，{way_zh}上月 {}",
            ind.zh,
            with_unit(ind.id, v, true),
            delta.1
        );
        // Which unit below made most of it (the split of "why did this change").
        if !below.is_empty()
            && let Ok(x) = crate::metrics::change::explain(project, ind.id, unit, below, base, month)
            && x.change != 0.0
            // The unit that pushed most in the direction of the change.
            && let Some(top) = x
                .parts
                .iter()
                .filter(|p| p.effect * x.change > 0.0)
                .max_by(|a, b| a.effect.abs().total_cmp(&b.effect.abs()))
        {
            let share = top.effect / x.change * 100.0;
            let who = name(&top.unit_id);
            en.push_str(&format!("; {} made {share:.0} % of the change", who.en));
            zh.push_str(&format!("；其中{}贡献了变化的 {share:.0}%", who.zh));
        }
        en.push('.');
        zh.push('。');
        paragraphs.push(text(en, zh));
    }
    if paragraphs.is_empty() {
        paragraphs.push(text(
            "No indicator can be compared with last month.".into(),
            "没有可与上月比较的指标。".into(),
        ));
    }
    Ok(Section {
        paragraphs,
        ..empty("largest_changes")
    })
}

fn ranking(
    project: &Project,
    unit: &str,
    below: &[String],
    month: NaiveDate,
    name: &dyn Fn(&str) -> Text,
) -> anyhow::Result<Section> {
    if below.is_empty() {
        return Ok(Section {
            paragraphs: vec![text(
                "The unit has no units below it to rank.".into(),
                "本单位没有下级单位可排名。".into(),
            )],
            ..empty("ranking")
        });
    }
    let board = crate::store::kpi::with_sums_checked_once(project, || {
        crate::metrics::bulletin::report(project, unit, month, below)
    })?;
    let header = [
        ("Rank", "名次"),
        ("Unit", "单位"),
        ("Composite", "综合得分"),
        ("Targets missed", "未达标项"),
    ]
    .map(|(en, zh)| text(en.into(), zh.into()))
    .to_vec();
    let rows = board
        .ranked
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let n = name(&u.unit_id);
            let missed = board.breaches.iter().filter(|b| b.unit_id == u.unit_id).count();
            vec![
                same((i + 1).to_string()),
                n,
                same(
                    u.composite
                        .map(|c| format!("{c:.0}"))
                        .unwrap_or_else(|| "—".into()),
                ),
                same(missed.to_string()),
            ]
        })
        .collect();
    let (first, last) = (board.ranked.first(), board.ranked.last());
    let paragraphs = match (first, last) {
        (Some(f), Some(l)) if f.unit_id != l.unit_id => {
            let (a, b) = (name(&f.unit_id), name(&l.unit_id));
            vec![text(
                format!(
                    "{} ranks first and {} last on the composite of the indicators.",
                    a.en, b.en
                ),
                format!("按指标综合得分，{}居首，{}居末。", a.zh, b.zh),
            )]
        }
        _ => Vec::new(),
    };
    Ok(Section {
        paragraphs,
        table: Some(Table { header, rows }),
        ..empty("ranking")
    })
}

fn audit(project: &Project, unit: &str, month: NaiveDate) -> anyhow::Result<Section> {
    let counts = crate::store::audit::status_counts(project, unit, month)?;
    let total: u64 = counts.iter().map(|c| c.1).sum();
    let money: f64 = counts.iter().map(|c| c.2).sum();
    let header = [
        ("State", "状态"),
        ("Suspects", "疑点数"),
        ("Yuan at stake", "涉及金额（元）"),
    ]
    .map(|(en, zh)| text(en.into(), zh.into()))
    .to_vec();
    let rows: Vec<Vec<Text>> = counts
        .iter()
        .map(|(status, n, amount)| {
            let s = crate::audit::triage::Status::parse(status);
            vec![
                s.map(|s| text(s.name(false).into(), s.name(true).into()))
                    .unwrap_or_else(|| same(status.clone())),
                same(n.to_string()),
                same(format::number(*amount, 0)),
            ]
        })
        .collect();
    let paragraphs = vec![if total == 0 {
        text(
            "The audit found nothing in this month (or has not been run over it).".into(),
            "本月稽查未发现疑点（或尚未对本月运行稽查）。".into(),
        )
    } else {
        text(
            format!(
                "The audit rules found {} suspects in the month, {} yuan at stake.",
                format::number(total as f64, 0),
                format::number(money, 0)
            ),
            format!(
                "本月稽查规则发现疑点 {} 个，涉及金额 {} 元。",
                format::number(total as f64, 0),
                format::number(money, 0)
            ),
        )
    }];
    Ok(Section {
        paragraphs,
        table: (!rows.is_empty()).then_some(Table { header, rows }),
        ..empty("audit")
    })
}
