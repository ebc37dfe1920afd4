//! `mams board`: the Comprehensive Bulletin Board's ranking and misses for a month and an
//! org unit.

use super::report::{self, PageArgs, Section, number, text};
use crate::metrics::bulletin::{self, BoardReport};
use crate::metrics::format;
use crate::metrics::indicators::indicator;

pub fn run(args: &PageArgs) -> anyhow::Result<()> {
    let (p, unit, below) = report::open_scope(args)?;
    let r = bulletin::report(&p, &unit, args.period, &below)?;
    if !p.is_read_only() {
        let _ = crate::risk::compute::after_change(&p, &crate::progress::Progress::new());
    }
    let risks: Vec<TopRisk> = crate::risk::report::top_risks(&p, &unit, args.period, 6)?
        .into_iter()
        .map(|(point, l)| TopRisk {
            risk_id: point.id,
            name: point.name_en,
            level: crate::risk::levels::thresholds().name(l.level).en,
            likelihood: l.likelihood,
            impact: l.impact,
            suspects: l.suspects,
            amount: l.amount,
        })
        .collect();
    let title = format!(
        "Comprehensive Bulletin Board: {} {}",
        r.unit_id,
        args.period.format("%Y-%m")
    );
    let mut all = sections(&r);
    all.push(report::section(
        "top_risks",
        "Top risks this month: high and extreme risk points of the unit (mams risk levels)",
        &[
            "risk_point",
            "name",
            "level",
            "likelihood",
            "impact",
            "suspects",
            "amount",
        ],
        risks
            .iter()
            .map(|t| {
                vec![
                    text(t.risk_id.as_str()),
                    text(t.name.as_str()),
                    text(t.level.as_str()),
                    report::count(t.likelihood as u64),
                    report::count(t.impact as u64),
                    report::count(t.suspects.max(0) as u64),
                    number(Some(t.amount)),
                ]
            })
            .collect(),
    ));
    report::print(
        args,
        &title,
        &Board {
            board: &r,
            top_risks: &risks,
        },
        &all,
    )
}

/// A top risk of the unit, as the board prints it.
#[derive(serde::Serialize)]
struct TopRisk {
    risk_id: String,
    name: String,
    level: String,
    likelihood: u8,
    impact: u8,
    suspects: i64,
    amount: f64,
}

#[derive(serde::Serialize)]
struct Board<'a> {
    #[serde(flatten)]
    board: &'a BoardReport,
    top_risks: &'a [TopRisk],
}

fn sections(r: &BoardReport) -> Vec<Section> {
    let mut columns = vec!["rank", "unit", "composite", "indicators_counted"];
    columns.extend(bulletin::BOARD_COLUMNS);
    let ranking = r
        .ranked
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut row = vec![
                report::count(i as u64 + 1),
                text(u.unit_id.as_str()),
                number(u.composite),
                report::count(u.counted as u64),
            ];
            row.extend(super::service::card_cells(&u.cards, &bulletin::BOARD_COLUMNS));
            row
        })
        .collect();
    let misses = r
        .breaches
        .iter()
        .map(|b| {
            let ind = indicator(b.indicator);
            vec![
                text(b.unit_id.as_str()),
                text(b.indicator),
                text(
                    ind.map(|i| format::value(i, Some(b.value), ""))
                        .unwrap_or_default(),
                ),
                text(
                    ind.map(|i| format::value(i, Some(b.target), ""))
                        .unwrap_or_default(),
                ),
                number(Some(b.gap)),
                number(Some(100.0 * b.relative)),
                text(format!("{:?}", b.status).to_lowercase()),
            ]
        })
        .collect();
    vec![
        report::section(
            "ranking",
            "Units ranked on the composite of their indicators' percentiles",
            &columns,
            ranking,
        ),
        report::section(
            "misses",
            "Off target this month, largest relative miss first",
            &["unit", "indicator", "value", "target", "gap", "gap_pct", "status"],
            misses,
        ),
        report::section(
            "data_quality_warnings",
            "Data quality warnings of the last run not yet acknowledged (mams dq warnings)",
            &["kind", "warning"],
            r.quality_warnings
                .iter()
                .map(|w| vec![text(w.kind.as_str()), text(w.message_en.as_str())])
                .collect(),
        ),
    ]
}
