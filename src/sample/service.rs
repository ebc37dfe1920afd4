//! Customer service and supply reliability: 95598 tickets and outages per station.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDateTime};

use super::anomalies::Planted;
use super::archive::customer_id;
use super::calendar::days_in_month;
use super::geography::Unit;
use super::lifecycle::Window;
use super::rng::Rng;
use super::rows::{OutageRow, Sink, TicketRow};

/// A station and the block of customer indexes it serves.
#[derive(Debug, Clone, Copy)]
pub struct StationBlock<'a> {
    pub station: &'a Unit,
    pub first_idx: u64,
    pub customers: u64,
}

fn minutes(m: f64) -> Duration {
    Duration::seconds((m * 60.0).round() as i64)
}

fn random_time_in_month(w: &Window, m: usize, rng: &mut Rng) -> NaiveDateTime {
    let start = w.month(m);
    let day = rng.int(0, days_in_month(start) - 1);
    // Busier in the day than at night.
    let hour = if rng.chance(0.8) {
        rng.int(7, 21)
    } else {
        rng.int(0, 23)
    };
    (start + Duration::days(day))
        .and_hms_opt(hour as u32, rng.int(0, 59) as u32, rng.int(0, 59) as u32)
        .expect("valid time")
}

/// Arrival-time commitment and a typical arrival for the station's area type, minutes.
fn arrival(area_type: &str, rng: &mut Rng) -> f64 {
    let (median, limit) = match area_type {
        "urban" => (24.0, 44.0),
        "rural" => (45.0, 88.0),
        _ => (62.0, 118.0),
    };
    rng.lognormal(median, 0.3).clamp(8.0, limit)
}

#[allow(clippy::too_many_arguments)]
fn ticket(
    w: &Window,
    block: &StationBlock,
    m: usize,
    n: u32,
    ticket_type: &'static str,
    customer: Option<u64>,
    received_at: NaiveDateTime,
    overdue: Option<u8>,
    rng: &mut Rng,
) -> TicketRow {
    let station = block.station;
    let dispatched = received_at + minutes(rng.range(3.0, 15.0));
    let (topic, arrived, resolved, deadline_h): (&'static str, Option<NaiveDateTime>, NaiveDateTime, i64) =
        match ticket_type {
            "fault_repair" => {
                let a = dispatched + minutes(arrival(station.area_type, rng));
                let topic = if rng.chance(0.85) {
                    "outage"
                } else {
                    "voltage_quality"
                };
                (topic, Some(a), a + minutes(rng.range(30.0, 200.0)), 24)
            }
            "complaint" => {
                let topic = *rng.pick(&[
                    "billing",
                    "metering",
                    "service_attitude",
                    "outage",
                    "connection",
                    "voltage_quality",
                ]);
                (topic, None, dispatched + Duration::hours(rng.int(6, 90)), 120)
            }
            "opinion" => (
                *rng.pick(&["service_attitude", "connection", "other"]),
                None,
                dispatched + Duration::hours(rng.int(4, 90)),
                120,
            ),
            "inquiry" => (
                *rng.pick(&["billing", "connection", "outage", "other"]),
                None,
                dispatched + minutes(rng.range(10.0, 300.0)),
                24,
            ),
            _ => (
                "service_attitude",
                None,
                dispatched + minutes(rng.range(30.0, 600.0)),
                120,
            ),
        };
    let deadline = received_at + Duration::hours(deadline_h);
    let mut closed = Some((resolved + minutes(rng.range(10.0, 240.0))).min(deadline - minutes(5.0)));
    let mut resolved = resolved.min(deadline - minutes(10.0));
    match overdue {
        Some(0) => {
            closed = Some(deadline + Duration::hours(rng.int(2, 72)));
            resolved = deadline + Duration::hours(1);
        }
        Some(_) => closed = None,
        None => {}
    }
    let satisfaction = closed.map(|_| match ticket_type {
        "praise" => "satisfied",
        _ => match rng.weighted(&[86.0, 5.0, 2.0, 7.0]) {
            0 => "satisfied",
            1 => "neutral",
            2 => "dissatisfied",
            _ => "unreached",
        },
    });
    TicketRow {
        ticket_id: format!("GD{}{}{:04}", w.month(m).format("%Y%m"), station.unit_id, n),
        customer_id: customer.map(customer_id),
        unit_id: station.unit_id.clone(),
        ticket_type,
        topic,
        received_at,
        dispatched_at: Some(dispatched),
        arrived_at: arrived,
        resolved_at: closed.map(|_| resolved),
        closed_at: closed,
        deadline_at: deadline,
        satisfaction,
    }
}

/// All tickets of one station over the window, with the planted repeat complaints and
/// overdue tickets.
pub fn tickets(w: &Window, block: &StationBlock, sink: &mut dyn Sink) -> anyhow::Result<()> {
    if block.customers == 0 {
        return Ok(());
    }
    let mut last_complaint: HashMap<u64, NaiveDateTime> = HashMap::new();
    for m in 0..w.months {
        let mut rng = Rng::derive(w.seed, &[6, block.first_idx, m as u64]);
        let mean = block.customers as f64
            * 0.012
            * if matches!(w.month(m).month(), 7 | 8) {
                1.4
            } else {
                1.0
            };
        let count = rng.poisson(mean);
        let mut rows = Vec::with_capacity(count as usize + 2);
        for n in 0..count {
            let mut ticket_type = ["fault_repair", "inquiry", "complaint", "opinion", "praise"]
                [rng.weighted(&[45.0, 35.0, 5.0, 8.0, 7.0])];
            let customer = if ticket_type == "inquiry" && rng.chance(0.15) {
                None
            } else {
                Some(block.first_idx + rng.int(0, block.customers as i64 - 1) as u64)
            };
            let received = random_time_in_month(w, m, &mut rng);
            if ticket_type == "complaint" {
                // Natural complaints never repeat within 45 days; repeats are planted.
                let c = customer.expect("complaints name a customer");
                if last_complaint
                    .get(&c)
                    .is_some_and(|t| received - *t < Duration::days(45) && received > *t)
                {
                    ticket_type = "inquiry";
                } else {
                    last_complaint.insert(c, received);
                }
            }
            let overdue = rng.chance(0.003).then(|| rng.int(0, 1) as u8);
            let t = ticket(w, block, m, n, ticket_type, customer, received, overdue, &mut rng);
            if overdue.is_some() && t.deadline_at < w.cutoff.and_hms_opt(0, 0, 0).expect("time") {
                sink.truth(Planted {
                    rule_id: "ticket_overdue",
                    entity_type: "ticket",
                    entity_id: t.ticket_id.clone(),
                    period: Some(w.month(m)),
                    detail: match t.closed_at {
                        Some(c) => format!("closed {} after its deadline {}", c, t.deadline_at),
                        None => format!("still open past its deadline {}", t.deadline_at),
                    },
                })?;
            }
            rows.push(t);
        }
        // A planted repeat complaint: the same customer twice within 30 days.
        if m + 1 < w.months && rng.chance(block.customers as f64 / 12_000.0 * 1.5) {
            let c = block.first_idx + rng.int(0, block.customers as i64 - 1) as u64;
            let first = random_time_in_month(w, m, &mut rng);
            if last_complaint
                .get(&c)
                .is_none_or(|t| first - *t > Duration::days(45))
            {
                let second = first + Duration::days(rng.int(5, 25)) + Duration::hours(rng.int(0, 10));
                let a = ticket(w, block, m, 9000, "complaint", Some(c), first, None, &mut rng);
                let second_month = (0..w.months)
                    .rev()
                    .find(|i| w.month(*i) <= second.date())
                    .unwrap_or(m);
                let b = ticket(
                    w,
                    block,
                    second_month,
                    9001 + m as u32,
                    "complaint",
                    Some(c),
                    second,
                    None,
                    &mut rng,
                );
                last_complaint.insert(c, second);
                sink.truth(Planted {
                    rule_id: "repeat_complaint",
                    entity_type: "customer",
                    entity_id: customer_id(c),
                    period: Some(w.month(second_month)),
                    detail: format!(
                        "complained on {} and again on {} ({} and {})",
                        a.received_at.date(),
                        b.received_at.date(),
                        a.ticket_id,
                        b.ticket_id
                    ),
                })?;
                rows.push(a);
                rows.push(b);
            }
        }
        // Only tickets received before the extract was taken exist.
        for t in rows.into_iter().filter(|t| t.received_at.date() < w.cutoff) {
            sink.ticket(t)?;
        }
    }
    Ok(())
}

/// Days with a storm: one per summer of the window, hitting one city hard (these are the
/// major event days of IEEE 1366).
pub fn storm_days(w: &Window) -> Vec<(chrono::NaiveDate, String)> {
    let mut rng = Rng::derive(w.seed, &[7]);
    (0..w.months)
        .filter(|m| w.month(*m).month() == 7)
        .map(|m| {
            let day = w.month(m) + Duration::days(rng.int(3, 26));
            (day, format!("C{:02}", rng.int(1, 8)))
        })
        .collect()
}

/// Outages of one station over the window.
pub fn outages(
    w: &Window,
    block: &StationBlock,
    storms: &[(chrono::NaiveDate, String)],
    sink: &mut dyn Sink,
) -> anyhow::Result<()> {
    let station = block.station;
    let served = block.customers.max(1) as f64;
    let rate = match station.area_type {
        "urban" => 0.35,
        "rural" => 0.7,
        _ => 1.0,
    };
    for m in 0..w.months {
        let mut rng = Rng::derive(w.seed, &[8, block.first_idx, m as u64]);
        let summer = matches!(w.month(m).month(), 7 | 8);
        let mut list: Vec<(NaiveDateTime, f64, bool, &'static str, f64)> = Vec::new();
        for _ in 0..rng.poisson(rate * if summer { 1.5 } else { 1.0 }) {
            let start = random_time_in_month(w, m, &mut rng);
            let (dur, cause) = if rng.chance(0.1) {
                (rng.range(1.0, 4.5), "equipment")
            } else if summer && rng.chance(0.12) {
                (rng.range(90.0, 240.0), "supply_shortage")
            } else {
                (
                    rng.lognormal(85.0, 0.6).clamp(10.0, 600.0),
                    *rng.pick(&["equipment", "equipment", "weather", "external"]),
                )
            };
            list.push((start, dur, false, cause, rng.range(0.04, 0.3)));
        }
        for _ in 0..rng.poisson(0.25) {
            let day = w.month(m) + Duration::days(rng.int(0, days_in_month(w.month(m)) - 1));
            let start = day.and_hms_opt(rng.int(7, 9) as u32, 0, 0).expect("time");
            let cause = *rng.pick(&["maintenance", "construction"]);
            list.push((start, rng.range(240.0, 480.0), true, cause, rng.range(0.05, 0.25)));
        }
        let city = &station.unit_id[..3];
        for (day, storm_city) in storms {
            if storm_city == city && w.month(m) <= *day && *day < w.month(m + 1) {
                for _ in 0..rng.int(1, 2) {
                    let start = day
                        .and_hms_opt(rng.int(14, 20) as u32, rng.int(0, 59) as u32, 0)
                        .expect("time");
                    list.push((
                        start,
                        rng.range(360.0, 1200.0),
                        false,
                        "weather",
                        rng.range(0.3, 0.7),
                    ));
                }
            }
        }
        list.sort_by_key(|o| o.0);
        for (n, (start, dur, planned, cause, share)) in list.into_iter().enumerate() {
            if start.date() >= w.cutoff {
                continue;
            }
            sink.outage(OutageRow {
                outage_id: format!("TD{}{}{:03}", w.month(m).format("%Y%m"), station.unit_id, n),
                unit_id: station.unit_id.clone(),
                feeder_id: format!("{}F{}", station.unit_id, rng.int(1, 4)),
                start_at: start,
                end_at: start + minutes(dur),
                planned,
                cause,
                customers_affected: (served * share).round().max(1.0) as i64,
            })?;
        }
    }
    Ok(())
}
