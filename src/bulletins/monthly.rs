//! The monthly analysis of an org unit: every leaders' indicator with its target and its
//! change against last month and last year; the largest changes told as sentences with the
//! units that made them (the split of "why did this change"); the units below ranked; the
//! month's audit findings by state. The template (`assets/bulletins/monthly.json`) orders
//! and names the sections.

use chrono::{Datelike, Months, NaiveDate};

use super::document::{Chart, ChartKind, Document, Section, Series, Table, same};
use super::template::Template;
use crate::metrics::format;
use crate::metrics::indicators::indicator;
use crate::metrics::kpi::{self, Card};
use crate::progress::Progress;
use crate::store::Project;
use crate::text::Text;

const TEMPLATE: &str = include_str!("../../assets/bulletins/monthly.json");

/// The sections a template may name.
const SECTIONS: [&str; 7] = [
    "indicators",
    "largest_changes",
    "ranking",
    "key_market",
    "service",
    "audit",
    "cases",
];

/// The monthly analysis of `unit` (the top unit when None) for `month`.
pub fn build(
    project: &Project,
    month: NaiveDate,
    unit: Option<&str>,
    progress: &Progress,
) -> anyhow::Result<Document> {
    build_only(project, month, unit, None, progress)
}

/// The same with only the sections `only` names (all when None), in the template's order.
pub fn build_only(
    project: &Project,
    month: NaiveDate,
    unit: Option<&str>,
    only: Option<&[&str]>,
    progress: &Progress,
) -> anyhow::Result<Document> {
    let mut t = Template::parse(TEMPLATE, "monthly", &SECTIONS)?;
    if let Some(only) = only {
        t.sections.retain(|s| only.contains(&s.id.as_str()));
    }
    let unit = kpi::check_scope(project, month, unit)?;
    let month = kpi::month_start(month);
    let names = super::names::Names::load(project)?;
    let name = |id: &str| names.unit(id);
    let below = names.below(&unit);
    let cards =
        crate::store::kpi::with_sums_checked_once(project, || kpi::cards(project, month, &unit, None))?;
    let sections = t.sections(progress, |s| {
        Ok(match s.id.as_str() {
            "indicators" => indicators(&cards),
            "largest_changes" => {
                largest_changes(project, &cards, &unit, &below, month, s.count.unwrap_or(3), &name)?
            }
            "ranking" => ranking(project, &unit, &below, month, &name)?,
            "key_market" => key_market(project, &unit, month, s.count.unwrap_or(10), progress)?,
            "service" => service(project, &unit, month, &below, &name, progress)?,
            "audit" => audit(project, &unit, month)?,
            "cases" => cases(project, &unit, month, &names)?,
            other => unreachable!("the template was checked: {other}"),
        })
    })?;
    Ok(Document {
        kind: "monthly".into(),
        company: names.company(),
        title: t.title(),
        number: format!("No. {}", month.format("%Y-%m")),
        unit: name(&unit),
        unit_id: unit.clone(),
        period: Text {
            en: month.format("%B %Y").to_string(),
            zh: format!("{}年{}月", month.year(), month.month()),
        },
        period_label: month.format("%Y-%m").to_string(),
        as_of: super::monthly_data_as_of(project)?,
        sections,
    })
}

fn empty(id: &str) -> Section {
    Section {
        id: id.to_string(),
        ..Section::body(Vec::new(), None)
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
    let chart = Chart {
        title: text(
            "Composite of the indicators by unit".into(),
            "各单位指标综合得分".into(),
        ),
        kind: ChartKind::Bars,
        labels: board.ranked.iter().map(|u| name(&u.unit_id)).collect(),
        series: vec![Series {
            name: text("Composite".into(), "综合得分".into()),
            values: board.ranked.iter().map(|u| u.composite).collect(),
        }],
        unit: text("points".into(), "分".into()),
    };
    Ok(Section {
        paragraphs,
        table: Some(Table { header, rows }),
        chart: Some(chart),
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

/// The largest customers of the unit: their kWh of the month against a year before, the
/// declining ones named, and a chart of the largest.
fn key_market(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    count: usize,
    progress: &Progress,
) -> anyhow::Result<Section> {
    let report = crate::metrics::market::report(project, unit, month, progress)?;
    let top: Vec<_> = report.key_customers.iter().take(count).collect();
    if top.is_empty() {
        return Ok(Section {
            paragraphs: vec![text(
                "The unit has no customers billed in the year.".into(),
                "本单位当年没有计费用户。".into(),
            )],
            ..empty("key_market")
        });
    }
    let share: f64 = top.iter().filter_map(|c| c.share).sum();
    let declining: Vec<_> = top
        .iter()
        .filter(|c| {
            crate::metrics::market::yoy_pct(c.kwh_month, c.kwh_year_ago).is_some_and(|p| p < -report.drop_pct)
        })
        .collect();
    let mut paragraphs = vec![text(
        format!(
            "The {} largest customers took {:.1} % of the unit's kWh over the last 12 months.",
            top.len(),
            share * 100.0
        ),
        format!(
            "前 {} 大用户近 12 个月用电量占本单位的 {:.1}%。",
            top.len(),
            share * 100.0
        ),
    )];
    if !declining.is_empty() {
        let list = |zh: bool| {
            declining
                .iter()
                .map(|c| {
                    let p = crate::metrics::market::yoy_pct(c.kwh_month, c.kwh_year_ago).unwrap_or(0.0);
                    if zh {
                        format!("{}（同比 {p:.1}%）", c.name)
                    } else {
                        format!("{} ({p:.1} % on last year)", c.name)
                    }
                })
                .collect::<Vec<_>>()
                .join(if zh { "、" } else { ", " })
        };
        paragraphs.push(text(
            format!(
                "{} of them used more than {:.0} % less than a year before: {}.",
                declining.len(),
                report.drop_pct,
                list(false)
            ),
            format!(
                "其中 {} 户用电量同比下降超过 {:.0}%：{}。",
                declining.len(),
                report.drop_pct,
                list(true)
            ),
        ));
    }
    let header = [
        ("Customer", "用户"),
        ("Class", "类别"),
        ("kWh in the month", "本月电量（kWh）"),
        ("Against last year", "同比"),
        ("Share of 12 months", "12个月占比"),
    ]
    .map(|(en, zh)| text(en.into(), zh.into()))
    .to_vec();
    let rows = top
        .iter()
        .map(|c| {
            vec![
                same(c.name.clone()),
                super::names::code("customer_class", &c.class),
                same(
                    c.kwh_month
                        .map(|v| format::number(v, 0))
                        .unwrap_or_else(|| "—".into()),
                ),
                same(
                    crate::metrics::market::yoy_pct(c.kwh_month, c.kwh_year_ago)
                        .map(|p| format!("{p:+.1} %"))
                        .unwrap_or_else(|| "—".into()),
                ),
                same(
                    c.share
                        .map(|s| format!("{:.2} %", s * 100.0))
                        .unwrap_or_else(|| "—".into()),
                ),
            ]
        })
        .collect();
    let chart = Chart {
        title: text(
            "kWh of the month, largest customers".into(),
            "本月电量（前列大用户）".into(),
        ),
        kind: ChartKind::Bars,
        labels: top.iter().map(|c| same(c.name.clone())).collect(),
        series: vec![Series {
            name: text("kWh".into(), "电量".into()),
            values: top.iter().map(|c| c.kwh_month).collect(),
        }],
        unit: same("kWh".into()),
    };
    let mut section = Section {
        paragraphs,
        table: Some(Table { header, rows }),
        chart: Some(chart),
        ..empty("key_market")
    };
    for c in &top {
        section.personal(&c.name, crate::privacy::Personal::Name);
    }
    Ok(section)
}

/// Service quality and reliability: the month's tickets by type, the service indicators of
/// the units below, and SAIDI over 13 months with and without major event days (IEEE 1366).
fn service(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    below: &[String],
    name: &dyn Fn(&str) -> Text,
    progress: &Progress,
) -> anyhow::Result<Section> {
    let report = crate::metrics::service::report(project, unit, month, below, progress)?;
    let tickets: u64 = report.tickets_by_type.iter().map(|t| t.1).sum();
    let parts = |zh: bool| {
        report
            .tickets_by_type
            .iter()
            .map(|(t, n)| format!("{n} {}", super::names::code("ticket_type", t).pick(zh)))
            .collect::<Vec<_>>()
            .join(if zh { "，" } else { ", " })
    };
    let mut paragraphs = vec![text(
        format!(
            "95598 received {tickets} tickets in the month ({}).",
            parts(false)
        ),
        format!("本月受理 95598 工单 {tickets} 件（{}）。", parts(true)),
    )];
    if let Some(m) = report.reliability.last() {
        let v = |x: Option<f64>| x.map(|x| format::number(x, 2)).unwrap_or_else(|| "—".into());
        let days = m.major_event_days.len();
        paragraphs.push(text(
            format!(
                "SAIDI was {} minutes per customer in the month ({} without {days} major event days) and SAIFI {} interruptions ({} without).",
                v(m.saidi),
                v(m.saidi_without_med),
                v(m.saifi),
                v(m.saifi_without_med)
            ),
            format!(
                "本月户均停电时间 {} 分钟（剔除 {days} 个重大事件日后 {}），户均停电次数 {} 次（剔除后 {}）。",
                v(m.saidi),
                v(m.saidi_without_med),
                v(m.saifi),
                v(m.saifi_without_med)
            ),
        ));
    }
    let ids = crate::metrics::service::UNIT_INDICATORS;
    let mut header = vec![text("Unit".into(), "单位".into())];
    header.extend(ids.iter().map(|id| {
        let ind = indicator(id).expect("a service indicator of the catalogue");
        let unit = |u: &str| {
            if u.is_empty() {
                String::new()
            } else {
                format!(" ({u})")
            }
        };
        text(
            format!("{}{}", ind.en, unit(ind.unit_en)),
            format!("{}{}", ind.zh, unit(ind.unit_zh)),
        )
    }));
    let rows = report
        .units
        .iter()
        .map(|(u, cards)| {
            let mut row = vec![name(u)];
            row.extend(ids.iter().map(|id| {
                let ind = indicator(id).expect("a service indicator");
                same(
                    cards
                        .iter()
                        .find(|c| c.indicator().id == *id)
                        .and_then(|c| c.value)
                        .map(|v| format::number(v, ind.decimals))
                        .unwrap_or_else(|| "—".into()),
                )
            }));
            row
        })
        .collect();
    let chart = Chart {
        title: text(
            "SAIDI over 13 months, minutes per customer".into(),
            "近 13 个月户均停电时间（分钟）".into(),
        ),
        kind: ChartKind::Lines,
        labels: report
            .reliability
            .iter()
            .map(|m| same(m.month.format("%Y-%m").to_string()))
            .collect(),
        series: vec![
            Series {
                name: text("SAIDI".into(), "户均停电时间".into()),
                values: report.reliability.iter().map(|m| m.saidi).collect(),
            },
            Series {
                name: text("without major event days".into(), "剔除重大事件日".into()),
                values: report.reliability.iter().map(|m| m.saidi_without_med).collect(),
            },
        ],
        unit: text("min".into(), "分钟".into()),
    };
    Ok(Section {
        paragraphs,
        table: Some(Table { header, rows }),
        chart: Some(chart),
        ..empty("service")
    })
}

/// The cases of the unit's subtree dated in the month.
fn cases(
    project: &Project,
    unit: &str,
    month: NaiveDate,
    names: &super::names::Names,
) -> anyhow::Result<Section> {
    let subtree = crate::store::queries::subtree(&names.org, unit);
    let end = month + Months::new(1);
    let added: Vec<_> = crate::store::cases::all(project)?
        .into_iter()
        .filter(|c| c.case_date.is_some_and(|d| d >= month && d < end))
        .filter(|c| c.unit_id.as_deref().is_none_or(|u| subtree.contains(u)))
        .collect();
    let paragraphs = vec![if added.is_empty() {
        text(
            "No case was added to the library for the month.".into(),
            "本月案例库未新增案例。".into(),
        )
    } else {
        text(
            format!("{} cases were added to the library for the month.", added.len()),
            format!("本月案例库新增案例 {} 个。", added.len()),
        )
    }];
    let header = [
        ("Case", "案例"),
        ("Theme", "主题"),
        ("Unit", "单位"),
        ("Yuan", "金额（元）"),
    ]
    .map(|(en, zh)| text(en.into(), zh.into()))
    .to_vec();
    let rows: Vec<Vec<Text>> = added
        .iter()
        .map(|c| {
            vec![
                text(
                    c.title_en.clone().unwrap_or_else(|| c.title.clone()),
                    c.title.clone(),
                ),
                c.rule_id
                    .as_deref()
                    .map(super::names::rule)
                    .unwrap_or_else(|| same("—".into())),
                names.unit_opt(c.unit_id.as_deref()),
                same(
                    c.amount
                        .map(|a| format::number(a, 0))
                        .unwrap_or_else(|| "—".into()),
                ),
            ]
        })
        .collect();
    Ok(Section {
        paragraphs,
        table: (!rows.is_empty()).then_some(Table { header, rows }),
        ..empty("cases")
    })
}
