//! `mams service`: the Service quality page's report for a month and an org unit.

use chrono::Datelike;

use super::report::{self, PageArgs, Section, count, number, text};
use crate::metrics::format;
use crate::metrics::indicators::indicator;
use crate::metrics::kpi::Card;
use crate::metrics::service::{self, ServiceReport};

pub fn run(args: &PageArgs) -> anyhow::Result<()> {
    let (p, unit, below) = report::open_scope(args)?;
    let r = service::report(&p, &unit, args.period, &below, &crate::progress::Progress::new())?;
    let title = format!("Service quality: {} {}", r.unit_id, args.period.format("%Y-%m"));
    report::print(args, &title, &r, &sections(&r))
}

/// The cards of `ids` as formatted values (as the pages show them).
pub fn card_cells(cards: &[Card], ids: &[&str]) -> Vec<duckdb::types::Value> {
    ids.iter()
        .map(
            |id| match (cards.iter().find(|c| c.indicator == *id), indicator(id)) {
                (Some(c), Some(ind)) => text(format::value(ind, c.value, "")),
                _ => duckdb::types::Value::Null,
            },
        )
        .collect()
}

fn sections(r: &ServiceReport) -> Vec<Section> {
    let mut unit_columns = vec!["unit"];
    unit_columns.extend(service::UNIT_INDICATORS);
    let mut heading = format!(
        "Reliability (IEEE 1366, 2.5 beta; major event days of the whole system, {})",
        r.system_unit
    );
    for t in &r.thresholds {
        let years = format!("{}-{}", t.from.year(), t.to.year() - 1);
        heading.push_str(&match t.t_med {
            Some(v) => format!(
                "\n  T_MED {}: {} min ({} days with interruptions in {years})",
                t.year,
                format::number(v, 2),
                t.days_counted
            ),
            None => format!(
                "\n  T_MED {}: none (fewer than 10 days with interruptions in {years})",
                t.year
            ),
        });
    }
    vec![
        report::section(
            "units",
            "Units",
            &unit_columns,
            r.units
                .iter()
                .map(|(unit, cards)| {
                    let mut row = vec![text(unit.as_str())];
                    row.extend(card_cells(cards, &service::UNIT_INDICATORS));
                    row
                })
                .collect(),
        ),
        report::section(
            "tickets",
            "Tickets by type",
            &["ticket_type", "tickets"],
            r.tickets_by_type
                .iter()
                .map(|(t, n)| vec![text(t.as_str()), count(*n)])
                .collect(),
        ),
        report::section(
            "reliability",
            heading,
            &crate::metrics::reliability::MONTH_COLUMNS,
            r.reliability
                .iter()
                .map(|m| {
                    vec![
                        text(m.month.format("%Y-%m").to_string()),
                        number(m.saidi),
                        number(m.saidi_without_med),
                        number(m.saifi),
                        number(m.saifi_without_med),
                        text(m.major_event_days_text()),
                    ]
                })
                .collect(),
        ),
        report::section(
            "repeat",
            "Repeat complainers",
            &["customer_id", "unit_id", "complaints", "first", "latest"],
            r.repeat
                .iter()
                .map(|c| {
                    vec![
                        text(c.customer_id.as_str()),
                        text(c.unit_id.as_str()),
                        count(c.complaints),
                        text(c.first_at.to_string()),
                        text(c.last_at.to_string()),
                    ]
                })
                .collect(),
        ),
    ]
}
