//! The daily brief and the weekly notification: what happened in an org unit over a day or
//! an ISO week, from the data tables (95598 tickets, power cuts, applications, payments)
//! and the audit (suspects opened and closed, rectification due), and which tables have
//! fallen behind. The templates (`assets/bulletins/daily.json`, `weekly.json`) choose and
//! order the sections.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::document::{Document, Section, Table, same};
use super::names::{self, Names};
use super::template::Template;
use crate::metrics::format;
use crate::progress::Progress;
use crate::store::Project;
use crate::store::activity as data;
use crate::text::Text;

const DAILY: &str = include_str!("../../assets/bulletins/daily.json");
const WEEKLY: &str = include_str!("../../assets/bulletins/weekly.json");

/// The sections a template may name.
pub const SECTIONS: [&str; 12] = [
    "tickets",
    "overdue_tickets",
    "outages",
    "applications",
    "overdue_applications",
    "payments",
    "new_suspects",
    "stale",
    "by_unit",
    "suspect_flow",
    "rectification_due",
    "data_quality",
];

/// A day or an ISO week (Monday to Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Day(NaiveDate),
    Week { year: i32, week: u32 },
}

impl Span {
    /// "2025-12-31" or "2025-W52".
    pub fn parse(s: &str) -> Result<Span, crate::text::Text> {
        let s = s.trim();
        if let Some((y, w)) = s.split_once("-W").or_else(|| s.split_once("-w")) {
            let (Ok(year), Ok(week)) = (y.parse::<i32>(), w.parse::<u32>()) else {
                return Err(crate::say!(
                    "'{}' is not a week: write YYYY-Www, e.g. 2025-W52",
                    "“{}”不是周：请写作 YYYY-Www，如 2025-W52",
                    s
                ));
            };
            return NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
                .map(|_| Span::Week { year, week })
                .ok_or_else(|| crate::say!("{} has no week {}", "{} 年没有第 {} 周", year, week));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Span::Day)
            .map_err(|_| {
                crate::say!(
                    "'{}' is not a day (YYYY-MM-DD) or a week (YYYY-Www)",
                    "“{}”不是日期（YYYY-MM-DD）或周（YYYY-Www）",
                    s
                )
            })
    }

    /// The first day and the day after the last.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        match self {
            Span::Day(d) => (d, d + Days::new(1)),
            Span::Week { year, week } => {
                let monday =
                    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).expect("checked when parsed");
                (monday, monday + Days::new(7))
            }
        }
    }

    pub fn label(self) -> String {
        match self {
            Span::Day(d) => d.to_string(),
            Span::Week { year, week } => format!("{year}-W{week:02}"),
        }
    }

    fn title(self) -> Text {
        let (from, to) = self.days();
        let last = to.pred_opt().unwrap_or(to);
        match self {
            Span::Day(d) => Text {
                en: d.format("%A %-d %B %Y").to_string(),
                zh: format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            },
            Span::Week { year, week } => Text {
                en: format!(
                    "Week {week} of {year} ({} to {})",
                    from.format("%-d %b"),
                    last.format("%-d %b %Y")
                ),
                zh: format!(
                    "{year}年第{week}周（{}月{}日至{}月{}日）",
                    from.month(),
                    from.day(),
                    last.month(),
                    last.day()
                ),
            },
        }
    }

    /// The span's own word: "the day" / "the week".
    fn word(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Span::Day(_), false) => "the day",
            (Span::Day(_), true) => "当日",
            (Span::Week { .. }, false) => "the week",
            (Span::Week { .. }, true) => "本周",
        }
    }
}

fn text(en: String, zh: String) -> Text {
    Text { en, zh }
}

fn header(cols: &[(&str, &str)]) -> Vec<Text> {
    cols.iter()
        .map(|(en, zh)| text((*en).into(), (*zh).into()))
        .collect()
}

/// "1 ticket", "3 tickets", "1,204 tickets".
fn n_of(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        format::number(n as f64, 0),
        if n == 1 { one } else { many }
    )
}

/// The verb agreeing with a count: (is, are), (was, were), (has, have).
fn agree(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn n(v: u64) -> Text {
    same(format::number(v as f64, 0))
}

fn yuan(v: f64) -> Text {
    same(format::number(v, 0))
}

/// The event logs the brief is as of: 95598 tickets and power cuts are logged as they
/// happen (payments and applications may be extracted ahead of them).
const DAILY_TABLES: [&str; 2] = ["tickets", "outages"];

/// Builds the brief (a day) or the notification (a week) of `unit` (the top unit when
/// None).
pub fn build(
    project: &Project,
    span: Span,
    unit: Option<&str>,
    progress: &Progress,
) -> anyhow::Result<Document> {
    let (json, kind) = match span {
        Span::Day(_) => (DAILY, "daily"),
        Span::Week { .. } => (WEEKLY, "weekly"),
    };
    let t = Template::parse(json, kind, &SECTIONS)?;
    check_params(&t)?;
    let (from, to) = span.days();
    let unit = crate::metrics::kpi::check_scope(project, from, unit)?;
    let reach = data::table_reach(project)?;
    let as_of = reach
        .iter()
        .filter(|(t, _)| DAILY_TABLES.contains(t))
        .filter_map(|(_, d)| *d)
        .max();
    match as_of {
        Some(a) if from <= a => {}
        Some(a) => crate::bail_say!(
            "the project's day-to-day data (95598 tickets, power cuts) reach {}; there is nothing for {}",
            "项目的日常数据（95598 工单、停电）截至 {}；{} 没有数据",
            a,
            span.label()
        ),
        None => crate::bail_say!(
            "the project holds no tickets, power cuts, payments or applications",
            "项目中没有工单、停电、缴费或业扩数据"
        ),
    }
    let names = Names::load(project)?;
    let sections = t.sections(progress, |s| {
        let limit = s.count.unwrap_or(10);
        Ok(match s.id.as_str() {
            "tickets" => tickets(project, &unit, span)?,
            "overdue_tickets" => overdue_tickets(project, &unit, to, limit, &names)?,
            "outages" => outages(project, &unit, span, limit, &names)?,
            "applications" => applications(project, &unit, span)?,
            "overdue_applications" => overdue_applications(project, &unit, to, limit, &names)?,
            "payments" => payments(project, &unit, span)?,
            "new_suspects" => {
                let severity = s.params.get("min_severity").copied().unwrap_or(3.0) as i32;
                new_suspects(project, &unit, span, severity, limit, &names)?
            }
            "stale" => stale(&reach, to, &s.params),
            "data_quality" => data_quality(project, &unit, limit)?,
            "by_unit" => by_unit(project, &unit, span, &names)?,
            "suspect_flow" => suspect_flow(project, &unit, span)?,
            "rectification_due" => {
                let ahead = s.params.get("days_ahead").copied().unwrap_or(7.0).max(0.0) as u64;
                rectification_due(project, &unit, to, ahead, limit, &names)?
            }
            other => unreachable!("the template was checked: {other}"),
        })
    })?;
    Ok(Document {
        kind: kind.to_string(),
        company: names.company(),
        title: t.title(),
        number: format!("No. {}", span.label()),
        unit: names.unit(&unit),
        unit_id: unit.clone(),
        period: span.title(),
        period_label: span.label(),
        as_of: as_of.map(|d| d.to_string()),
        sections,
    })
}

/// The parameters a template's sections may carry, each checked against what it names.
fn check_params(t: &Template) -> anyhow::Result<()> {
    for s in &t.sections {
        let allowed: Vec<&str> = match s.id.as_str() {
            "stale" => data::DATED_TABLES.iter().map(|d| d.0).collect(),
            "new_suspects" => vec!["min_severity"],
            "rectification_due" => vec!["days_ahead"],
            _ => Vec::new(),
        };
        if let Some(k) = s.params.keys().find(|k| !allowed.contains(&k.as_str())) {
            crate::bail_say!(
                "the {} template's section '{}' has a parameter '{}' it does not use (it uses: {})",
                "{}模板的栏目“{}”含有不使用的参数“{}”（可用：{}）",
                t.kind,
                s.id,
                k,
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            );
        }
    }
    Ok(())
}

fn tickets(p: &Project, unit: &str, span: Span) -> anyhow::Result<Section> {
    let (from, to) = span.days();
    let rows = data::tickets(p, unit, from, to)?;
    let open_late = data::open_late_tickets(p, unit, to)?.len() as u64;
    let received: u64 = rows.iter().map(|r| r.received).sum();
    let late: u64 = rows.iter().map(|r| r.late).sum();
    let parts = |zh: bool| -> String {
        rows.iter()
            .filter(|r| r.received > 0)
            .map(|r| {
                format!(
                    "{} {}",
                    r.received,
                    names::code("ticket_type", &r.ticket_type).pick(zh)
                )
            })
            .collect::<Vec<_>>()
            .join(if zh { "，" } else { ", " })
    };
    let mut en = format!(
        "95598 received {} in {}",
        n_of(received, "ticket", "tickets"),
        span.word(false)
    );
    let mut zh = format!("{}共受理 95598 工单 {received} 件", span.word(true));
    if received > 0 {
        en.push_str(&format!(" ({})", parts(false)));
        zh.push_str(&format!("（{}）", parts(true)));
    }
    en.push_str(&format!(
        "; {late} missed the deadline in {}, and {open_late} {} open past the deadline at its end.",
        span.word(false),
        agree(open_late, "is", "are")
    ));
    zh.push_str(&format!(
        "；{late} 件超出时限，期末仍有 {open_late} 件超期未办结。"
    ));
    let table = (!rows.is_empty()).then(|| Table {
        header: header(&[
            ("Type", "类型"),
            ("Received", "受理"),
            ("Resolved", "办结"),
            ("Deadline missed", "超时限"),
        ]),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    names::code("ticket_type", &r.ticket_type),
                    n(r.received),
                    n(r.resolved),
                    n(r.late),
                ]
            })
            .collect(),
    });
    Ok(Section::body(vec![text(en, zh)], table))
}

/// "and N more" under a list cut at `limit`.
fn more(total: usize, limit: usize) -> Option<Text> {
    (total > limit).then(|| {
        text(
            format!("The table shows the first {limit} of {total}."),
            format!("表中列出前 {limit} 项，共 {total} 项。"),
        )
    })
}

/// The sentences over a list of `total` items cut at `limit`: `none` when it is empty,
/// else `some` and how much the table shows.
fn listing(total: usize, limit: usize, none: Text, some: Text) -> Vec<Text> {
    let mut out = vec![if total == 0 { none } else { some }];
    out.extend(more(total, limit));
    out
}

fn overdue_tickets(
    p: &Project,
    unit: &str,
    end: NaiveDate,
    limit: usize,
    names: &Names,
) -> anyhow::Result<Section> {
    let rows = data::open_late_tickets(p, unit, end)?;
    let end_at = end.and_hms_opt(0, 0, 0).expect("midnight");
    let paragraphs = listing(
        rows.len(),
        limit,
        text(
            "No ticket is open past its deadline.".into(),
            "没有超期未办结的工单。".into(),
        ),
        text(
            format!(
                "{} {} open past the deadline.",
                n_of(rows.len() as u64, "ticket", "tickets"),
                agree(rows.len() as u64, "is", "are")
            ),
            format!("{} 件工单超期未办结。", rows.len()),
        ),
    );
    let table = (!rows.is_empty()).then(|| Table {
        header: header(&[
            ("Ticket", "工单"),
            ("Unit", "单位"),
            ("Type", "类型"),
            ("Deadline", "时限"),
            ("Days past", "超期天数"),
        ]),
        rows: rows
            .iter()
            .take(limit)
            .map(|r| {
                let days = (end_at - r.deadline_at).num_hours() as f64 / 24.0;
                vec![
                    same(r.ticket_id.clone()),
                    names.unit(&r.unit_id),
                    names::code("ticket_type", &r.ticket_type),
                    same(r.deadline_at.format("%Y-%m-%d %H:%M").to_string()),
                    same(format::number(days, 1)),
                ]
            })
            .collect(),
    });
    Ok(Section::body(paragraphs, table))
}

fn outages(p: &Project, unit: &str, span: Span, limit: usize, names: &Names) -> anyhow::Result<Section> {
    let (from, to) = span.days();
    let going = data::outages_in_progress(p, unit, to)?;
    let (planned, unplanned) = data::outages_ended(p, unit, from, to)?;
    let going_customers: u64 = going.iter().map(|o| o.customers).sum();
    let ended = planned.count + unplanned.count;
    let customers = planned.customers + unplanned.customers;
    let hours = (planned.customer_minutes + unplanned.customer_minutes) / 60.0;
    let mut paragraphs = vec![text(
        format!(
            "{} {} in progress at the end of {}, affecting {}. {ended} ended in {} ({} unplanned, {} planned), affecting {} for {} customer-hours.",
            n_of(going.len() as u64, "power cut", "power cuts"),
            agree(going.len() as u64, "is", "are"),
            span.word(false),
            n_of(going_customers, "customer", "customers"),
            span.word(false),
            unplanned.count,
            planned.count,
            n_of(customers, "customer", "customers"),
            format::number(hours, 0)
        ),
        format!(
            "期末正在停电 {} 起，影响 {} 户。{}结束停电 {ended} 起（故障 {} 起，计划 {} 起），影响 {} 户，合计 {} 时户。",
            going.len(),
            format::number(going_customers as f64, 0),
            span.word(true),
            unplanned.count,
            planned.count,
            format::number(customers as f64, 0),
            format::number(hours, 0)
        ),
    )];
    paragraphs.extend(more(going.len(), limit));
    let table = (!going.is_empty()).then(|| Table {
        header: header(&[
            ("Power cut", "停电事件"),
            ("Unit", "单位"),
            ("Feeder", "线路"),
            ("Since", "开始时间"),
            ("Kind", "类型"),
            ("Customers", "影响户数"),
        ]),
        rows: going
            .iter()
            .take(limit)
            .map(|o| {
                vec![
                    same(o.outage_id.clone()),
                    names.unit(&o.unit_id),
                    same(o.feeder_id.clone().unwrap_or_default()),
                    same(o.start_at.format("%Y-%m-%d %H:%M").to_string()),
                    if o.planned {
                        text("planned".into(), "计划".into())
                    } else {
                        text("unplanned".into(), "故障".into())
                    },
                    n(o.customers),
                ]
            })
            .collect(),
    });
    Ok(Section::body(paragraphs, table))
}

fn applications(p: &Project, unit: &str, span: Span) -> anyhow::Result<Section> {
    let (from, to) = span.days();
    let rows = data::applications(p, unit, from, to)?;
    let accepted: u64 = rows.iter().map(|r| r.accepted).sum();
    let energised: u64 = rows.iter().map(|r| r.energised).sum();
    let kva_in: f64 = rows.iter().map(|r| r.accepted_kva).sum();
    let kva_on: f64 = rows.iter().map(|r| r.energised_kva).sum();
    let paragraph = text(
        format!(
            "{} {} accepted in {} ({} kVA) and {energised} energised ({} kVA).",
            n_of(accepted, "application", "applications"),
            agree(accepted, "was", "were"),
            span.word(false),
            format::number(kva_in, 0),
            format::number(kva_on, 0)
        ),
        format!(
            "{}受理业扩申请 {accepted} 件（{} kVA），送电 {energised} 件（{} kVA）。",
            span.word(true),
            format::number(kva_in, 0),
            format::number(kva_on, 0)
        ),
    );
    let table = (!rows.is_empty()).then(|| Table {
        header: header(&[
            ("Type", "业务类型"),
            ("Accepted", "受理"),
            ("kVA accepted", "受理容量（kVA）"),
            ("Energised", "送电"),
            ("kVA energised", "送电容量（kVA）"),
        ]),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    names::code("app_type", &r.app_type),
                    n(r.accepted),
                    same(format::number(r.accepted_kva, 0)),
                    n(r.energised),
                    same(format::number(r.energised_kva, 0)),
                ]
            })
            .collect(),
    });
    Ok(Section::body(vec![paragraph], table))
}

fn overdue_applications(
    p: &Project,
    unit: &str,
    end: NaiveDate,
    limit: usize,
    names: &Names,
) -> anyhow::Result<Section> {
    let rows = data::open_late_applications(p, unit, end)?;
    let paragraphs = listing(
        rows.len(),
        limit,
        text(
            "No open application is over its time limit.".into(),
            "没有超出时限的在途业扩申请。".into(),
        ),
        text(
            format!(
                "{} {} over the time limit.",
                n_of(rows.len() as u64, "open application", "open applications"),
                agree(rows.len() as u64, "is", "are")
            ),
            format!("{} 件在途业扩申请超出时限。", rows.len()),
        ),
    );
    let table = (!rows.is_empty()).then(|| Table {
        header: header(&[
            ("Application", "申请编号"),
            ("Unit", "单位"),
            ("Class", "用户类别"),
            ("Accepted", "受理日期"),
            ("Working days", "已用工作日"),
            ("Limit", "时限"),
        ]),
        rows: rows
            .iter()
            .take(limit)
            .map(|a| {
                vec![
                    same(a.application_id.clone()),
                    names.unit(&a.unit_id),
                    names::code("customer_class", &a.customer_class),
                    same(a.accepted_at.format("%Y-%m-%d").to_string()),
                    same(format::number(a.days_so_far, 0)),
                    same(format::number(a.limit_days, 0)),
                ]
            })
            .collect(),
    });
    Ok(Section::body(paragraphs, table))
}

fn payments(p: &Project, unit: &str, span: Span) -> anyhow::Result<Section> {
    let (from, to) = span.days();
    let rows = data::payments(p, unit, from, to)?;
    let count: u64 = rows.iter().map(|r| r.1).sum();
    let amount: f64 = rows.iter().map(|r| r.2).sum();
    let paragraph = text(
        format!(
            "{} collected {} yuan in {}.",
            n_of(count, "payment", "payments"),
            format::number(amount, 0),
            span.word(false)
        ),
        format!(
            "{}收取电费 {} 元，共 {} 笔。",
            span.word(true),
            format::number(amount, 0),
            format::number(count as f64, 0)
        ),
    );
    let table = (!rows.is_empty()).then(|| Table {
        header: header(&[
            ("Channel", "缴费渠道"),
            ("Payments", "笔数"),
            ("Yuan", "金额（元）"),
        ]),
        rows: rows
            .iter()
            .map(|(channel, k, v)| vec![names::code("pay_channel", channel), n(*k), yuan(*v)])
            .collect(),
    });
    Ok(Section::body(vec![paragraph], table))
}

fn new_suspects(
    p: &Project,
    unit: &str,
    span: Span,
    min_severity: i32,
    limit: usize,
    names: &Names,
) -> anyhow::Result<Section> {
    let (from, to) = span.days();
    let rows = data::new_suspects(p, unit, from, to, min_severity)?;
    let amount: f64 = rows.iter().map(|r| r.amount).sum();
    let mut paragraphs = vec![if rows.is_empty() {
        text(
            format!(
                "The audit found no new suspect of severity {min_severity} or more in {}.",
                span.word(false)
            ),
            format!(
                "{}稽查未发现严重度 {min_severity} 及以上的新疑点。",
                span.word(true)
            ),
        )
    } else {
        text(
            format!(
                "The audit found {} of severity {min_severity} or more in {}, {} yuan at stake.",
                n_of(rows.len() as u64, "new suspect", "new suspects"),
                span.word(false),
                format::number(amount, 0)
            ),
            format!(
                "{}稽查发现严重度 {min_severity} 及以上的新疑点 {} 个，涉及金额 {} 元。",
                span.word(true),
                rows.len(),
                format::number(amount, 0)
            ),
        )
    }];
    paragraphs.extend(more(rows.len(), limit));
    let table = (!rows.is_empty()).then(|| Table {
        header: header(&[
            ("Rule", "规则"),
            ("Unit", "单位"),
            ("Record", "对象"),
            ("Month", "月份"),
            ("Yuan", "金额（元）"),
            ("Score", "得分"),
        ]),
        rows: rows
            .iter()
            .take(limit)
            .map(|s| {
                vec![
                    names::rule(&s.rule_id),
                    names.unit_opt(s.unit_id.as_deref()),
                    same(s.entity_id.clone()),
                    same(
                        s.period
                            .map(|d| d.format("%Y-%m").to_string())
                            .unwrap_or_default(),
                    ),
                    yuan(s.amount),
                    same(format::number(s.score, 1)),
                ]
            })
            .collect(),
    });
    let mut section = Section::body(paragraphs, table);
    // Customer numbers are personal data: masked when presenting.
    for r in rows.iter().filter(|r| r.entity_type == "customer") {
        section.personal(&r.entity_id, crate::privacy::Personal::Account);
    }
    Ok(section)
}

/// The days a table may lag behind the span's end before it is stale, unless the template
/// says otherwise: day-to-day tables a few days, monthly ones a month and a half.
fn default_lag(table: &str) -> f64 {
    match table {
        "tickets" | "outages" | "payments" => 2.0,
        "applications" => 7.0,
        _ => 45.0,
    }
}

fn stale(
    reach: &[(&'static str, Option<NaiveDate>)],
    end: NaiveDate,
    params: &std::collections::BTreeMap<String, f64>,
) -> Section {
    let last_day = end.pred_opt().unwrap_or(end);
    let mut late = Vec::new();
    let rows = reach
        .iter()
        .map(|(table, d)| {
            let allowed = params.get(*table).copied().unwrap_or_else(|| default_lag(table));
            let behind = d.map(|d| (last_day - d).num_days());
            let is_stale = behind.is_none_or(|b| b as f64 > allowed);
            if is_stale {
                late.push(*table);
            }
            vec![
                same((*table).to_string()),
                same(d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())),
                same(behind.map(|b| b.max(0).to_string()).unwrap_or_else(|| "—".into())),
                same(format::number(allowed, 0)),
                if is_stale {
                    text("stale".into(), "滞后".into())
                } else {
                    text("up to date".into(), "正常".into())
                },
            ]
        })
        .collect();
    let paragraph = if late.is_empty() {
        text(
            "Every table is up to date.".into(),
            "所有数据表均已按时更新。".into(),
        )
    } else {
        text(
            format!(
                "{} {} fallen behind: {}.",
                n_of(late.len() as u64, "table", "tables"),
                agree(late.len() as u64, "has", "have"),
                late.join(", ")
            ),
            format!("{} 张数据表更新滞后：{}。", late.len(), late.join("、")),
        )
    };
    Section::body(
        vec![paragraph],
        Some(Table {
            header: header(&[
                ("Table", "数据表"),
                ("Last day", "最新日期"),
                ("Days behind", "滞后天数"),
                ("Allowed", "允许天数"),
                ("State", "状态"),
            ]),
            rows,
        }),
    )
}

/// The data quality of the last run: the unit's score and grade, and the warnings nobody
/// acknowledged (the Data quality page's, `dq::warnings`).
fn data_quality(p: &Project, unit: &str, limit: usize) -> anyhow::Result<Section> {
    use crate::dq::scores;
    let Some(run) = crate::store::dq::last_run(p)? else {
        return Ok(Section::body(
            vec![text(
                "The data quality checks have not run yet.".into(),
                "尚未进行数据质量评估。".into(),
            )],
            None,
        ));
    };
    let (lib, _) = crate::dq::run::library(p)?;
    let sums = crate::store::dq::sums_in(p, Some(unit), &[run.run_id])?
        .into_iter()
        .map(|(_, id, t, f)| (id, (t, f)))
        .collect();
    let overall = scores::overall(&lib, &sums);
    let warnings = crate::store::dq::open_warnings(p)?;
    let score = match overall.score {
        Some(s) => {
            let g = scores::grade(s);
            text(
                format!(
                    "Data quality scores {} ({}) in run {} of {}: {} below their threshold.",
                    scores::text(s),
                    g.name_en,
                    run.run_id,
                    run.finished_at.format("%Y-%m-%d %H:%M"),
                    n_of(overall.below as u64, "check", "checks")
                ),
                format!(
                    "第 {} 次数据质量评估（{}）得分 {}（{}），{} 项检查低于阈值。",
                    run.run_id,
                    run.finished_at.format("%Y-%m-%d %H:%M"),
                    scores::text(s),
                    g.name_zh,
                    overall.below
                ),
            )
        }
        None => text(
            "No data quality check had rows to test.".into(),
            "数据质量检查均无可检查的数据。".into(),
        ),
    };
    let count = if warnings.is_empty() {
        text(
            "No data quality warning is open.".into(),
            "无未处理的数据质量预警。".into(),
        )
    } else {
        text(
            format!(
                "{} {} open.",
                n_of(warnings.len() as u64, "warning", "warnings"),
                agree(warnings.len() as u64, "is", "are")
            ),
            format!("有 {} 条数据质量预警待处理。", warnings.len()),
        )
    };
    let rows: Vec<Vec<Text>> = warnings
        .iter()
        .take(limit)
        .map(|w| {
            use crate::dq::warnings::kind_name;
            vec![
                text(kind_name(&w.kind, false).into(), kind_name(&w.kind, true).into()),
                text(w.message_en.clone(), w.message_zh.clone()),
            ]
        })
        .collect();
    Ok(Section::body(
        vec![score, count],
        (!rows.is_empty()).then(|| Table {
            header: header(&[("Kind", "类型"), ("Warning", "预警")]),
            rows,
        }),
    ))
}

fn by_unit(p: &Project, unit: &str, span: Span, names: &Names) -> anyhow::Result<Section> {
    let (from, to) = span.days();
    let rows = data::by_unit(p, unit, from, to)?;
    if rows.is_empty() {
        return Ok(Section::body(
            vec![text(
                "The unit has no units below it.".into(),
                "本单位没有下级单位。".into(),
            )],
            None,
        ));
    }
    let worst = rows.first().filter(|r| r.late_tickets > 0 || r.suspects > 0);
    let paragraph = match worst {
        Some(w) => {
            let who = names.unit(&w.unit_id);
            text(
                format!(
                    "{} had the most problems in {}: {} past the deadline and {}.",
                    who.en,
                    span.word(false),
                    n_of(w.late_tickets, "ticket", "tickets"),
                    n_of(w.suspects, "new suspect", "new suspects")
                ),
                format!(
                    "{}{}问题最多：超时限工单 {} 件，新疑点 {} 个。",
                    who.zh,
                    span.word(true),
                    w.late_tickets,
                    w.suspects
                ),
            )
        }
        None => text(
            format!(
                "No unit had a ticket past its deadline or a new suspect in {}.",
                span.word(false)
            ),
            format!("{}各单位均无超时限工单和新疑点。", span.word(true)),
        ),
    };
    let table = Table {
        header: header(&[
            ("Unit", "单位"),
            ("Tickets", "工单"),
            ("Deadline missed", "超时限"),
            ("New suspects", "新疑点"),
            ("Yuan at stake", "涉及金额（元）"),
        ]),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    names.unit(&r.unit_id),
                    n(r.tickets),
                    n(r.late_tickets),
                    n(r.suspects),
                    yuan(r.amount),
                ]
            })
            .collect(),
    };
    Ok(Section::body(vec![paragraph], Some(table)))
}

fn suspect_flow(p: &Project, unit: &str, span: Span) -> anyhow::Result<Section> {
    let (from, to) = span.days();
    let rows = data::suspect_flow(p, unit, from, to)?;
    let opened: u64 = rows.iter().map(|r| r.1).sum();
    let closed: u64 = rows.iter().map(|r| r.2).sum();
    let paragraph = text(
        format!(
            "{} {} opened and {closed} closed in {}.",
            n_of(opened, "suspect", "suspects"),
            agree(opened, "was", "were"),
            span.word(false)
        ),
        format!("{}新增疑点 {opened} 个，关闭 {closed} 个。", span.word(true)),
    );
    let table = (!rows.is_empty()).then(|| Table {
        header: header(&[("Rule", "规则"), ("Opened", "新增"), ("Closed", "关闭")]),
        rows: rows
            .iter()
            .map(|(rule, o, c)| vec![names::rule(rule), n(*o), n(*c)])
            .collect(),
    });
    Ok(Section::body(vec![paragraph], table))
}

fn rectification_due(
    p: &Project,
    unit: &str,
    end: NaiveDate,
    ahead: u64,
    limit: usize,
    names: &Names,
) -> anyhow::Result<Section> {
    let until = end + Days::new(ahead);
    let last_day = end.pred_opt().unwrap_or(end);
    let rows = data::rectification_due(p, unit, until)?;
    let overdue = rows.iter().filter(|r| r.due_on < end).count();
    let mut paragraphs = vec![text(
        format!(
            "{} {} due for rectification by {until}; {overdue} of them {} past the date.",
            n_of(rows.len() as u64, "confirmed problem", "confirmed problems"),
            agree(rows.len() as u64, "is", "are"),
            agree(overdue as u64, "is", "are")
        ),
        format!(
            "{} 个已确认问题应于 {until} 前完成整改，其中 {overdue} 个已超期。",
            rows.len()
        ),
    )];
    paragraphs.extend(more(rows.len(), limit));
    let table = (!rows.is_empty()).then(|| Table {
        header: header(&[
            ("Rule", "规则"),
            ("Record", "对象"),
            ("Responsible", "责任单位"),
            ("Due", "整改期限"),
            ("State", "状态"),
            ("Yuan", "金额（元）"),
        ]),
        rows: rows
            .iter()
            .take(limit)
            .map(|r| {
                let state = crate::audit::triage::Status::parse(&r.status)
                    .map(|s| text(s.name(false).into(), s.name(true).into()))
                    .unwrap_or_else(|| same(r.status.clone()));
                let state = if r.due_on <= last_day && r.due_on < end {
                    text(
                        format!("{} (overdue)", state.en),
                        format!("{}（已超期）", state.zh),
                    )
                } else {
                    state
                };
                vec![
                    names::rule(&r.rule_id),
                    same(r.entity_id.clone()),
                    names.unit_opt(r.assignee.as_deref().or(r.unit_id.as_deref())),
                    same(r.due_on.to_string()),
                    state,
                    yuan(r.amount),
                ]
            })
            .collect(),
    });
    let mut section = Section::body(paragraphs, table);
    // Customer numbers are personal data: masked when presenting.
    for r in rows.iter().filter(|r| r.entity_type == "customer") {
        section.personal(&r.entity_id, crate::privacy::Personal::Account);
    }
    Ok(section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_and_an_iso_week_are_read_and_bad_ones_refused() {
        let d = NaiveDate::from_ymd_opt;
        assert_eq!(
            Span::parse("2025-12-31").unwrap().days(),
            (d(2025, 12, 31).unwrap(), d(2026, 1, 1).unwrap())
        );
        // ISO week 1 of 2026 starts on Monday 29 December 2025 (ISO 8601: the week with
        // the year's first Thursday).
        assert_eq!(
            Span::parse("2026-W01").unwrap().days(),
            (d(2025, 12, 29).unwrap(), d(2026, 1, 5).unwrap())
        );
        assert_eq!(Span::parse("2026-W01").unwrap().label(), "2026-W01");
        assert!(Span::parse("2025-W54").is_err());
        assert!(Span::parse("2025-13-01").is_err());
        assert!(Span::parse("last week").unwrap_err().en.contains("not a day"));
    }
}
