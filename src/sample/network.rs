//! Service network and grid: service points, repair vehicles' positions, line loss.

use chrono::{Duration, NaiveDate};

use super::anomalies::Planted;
use super::geography::{Geography, Unit};
use super::lifecycle::Window;
use super::rng::Rng;
use super::rows::{LineLossRow, PointRow, Sink, VehicleRow};
use super::tariffs::round2;

/// Service halls at every city and county seat, a repair base per county, and every
/// supply station's own office.
pub fn service_points(geo: &Geography, seed: u64, sink: &mut dyn Sink) -> anyhow::Result<()> {
    let mut rng = Rng::derive(seed, &[11]);
    for u in geo.units.iter().filter(|u| u.level != "province") {
        let town = short_name(u);
        let mut emit = |kind: &'static str,
                        zh: String,
                        en: String,
                        hours: &'static str,
                        staff: i64,
                        offset: f64,
                        rng: &mut Rng| {
            let (lon, lat) = (
                u.seat.0 + rng.range(-offset, offset),
                u.seat.1 + rng.range(-offset, offset),
            );
            sink.point(PointRow {
                point_id: format!(
                    "{}-{}",
                    u.unit_id,
                    match kind {
                        "service_hall" => "H",
                        "repair_base" => "R",
                        _ => "S",
                    }
                ),
                unit_id: u.unit_id.clone(),
                point_type: kind,
                name_zh: zh,
                name_en: en,
                opening_hours: hours,
                staff,
                lon,
                lat,
            })
        };
        let en_town = u.name_en.split(' ').next().unwrap_or("").to_string();
        match u.level {
            "city" | "county" => {
                let staff = if u.level == "city" {
                    rng.int(14, 28)
                } else {
                    rng.int(6, 14)
                };
                emit(
                    "service_hall",
                    format!("{town}营业厅"),
                    format!("{en_town} Service Hall"),
                    "08:30-17:30",
                    staff,
                    0.01,
                    &mut rng,
                )?;
                if u.level == "county" {
                    let staff = rng.int(6, 12);
                    emit(
                        "repair_base",
                        format!("{town}抢修驻点"),
                        format!("{en_town} Repair Base"),
                        "00:00-24:00",
                        staff,
                        0.02,
                        &mut rng,
                    )?;
                }
            }
            _ => {
                let staff = rng.int(3, 9);
                emit(
                    "supply_station",
                    u.name_zh.clone(),
                    u.name_en.clone(),
                    "08:30-17:00",
                    staff,
                    0.005,
                    &mut rng,
                )?;
            }
        }
    }
    Ok(())
}

fn short_name(u: &Unit) -> String {
    u.name_zh
        .trim_end_matches("供电公司")
        .trim_end_matches("供电所")
        .trim_end_matches('区')
        .trim_end_matches('县')
        .to_string()
}

/// Positions every 5 minutes over the last day of the window, 2 or 3 vehicles per county,
/// driving out to jobs and back to their repair base.
pub fn vehicles(
    geo: &Geography,
    w: &Window,
    province_prefix: &str,
    sink: &mut dyn Sink,
) -> anyhow::Result<()> {
    let day = w.last_day();
    for (ci, county) in geo.counties().enumerate() {
        let mut rng = Rng::derive(w.seed, &[12, ci as u64]);
        let base = (county.seat.0 + 0.01, county.seat.1 + 0.01);
        for v in 0..rng.int(2, 3) {
            let vehicle_id = format!("{}-V{}", county.unit_id, v + 1);
            let plate = format!(
                "{province_prefix}{}·{}{:04}",
                (b'A' + (ci / 5) as u8) as char,
                (b'D' + v as u8) as char,
                rng.int(0, 9999)
            );
            // Jobs: (start slot, travel slots, on-site slots, target).
            let mut jobs = Vec::new();
            let mut slot = rng.int(84, 110);
            while slot < 270 {
                let target = county.random_point(&mut rng);
                let travel = rng.int(3, 10);
                let on_site = rng.int(8, 30);
                jobs.push((slot, travel, on_site, target));
                slot += 2 * travel + on_site + rng.int(6, 60);
            }
            for s in 0..288i64 {
                let ts = day.and_hms_opt(0, 0, 0).expect("time") + Duration::minutes(5 * s);
                let mut pos = base;
                let mut status = "idle";
                for (start, travel, on_site, target) in &jobs {
                    let t = s - start;
                    let lerp = |f: f64| (base.0 + (target.0 - base.0) * f, base.1 + (target.1 - base.1) * f);
                    if (0..*travel).contains(&t) {
                        pos = lerp(t as f64 / *travel as f64);
                        status = "en_route";
                    } else if (*travel..travel + on_site).contains(&t) {
                        pos = *target;
                        status = "on_site";
                    } else if (travel + on_site..2 * travel + on_site).contains(&t) {
                        pos = lerp(1.0 - (t - travel - on_site) as f64 / *travel as f64);
                        status = "returning";
                    }
                }
                sink.vehicle(VehicleRow {
                    vehicle_id: vehicle_id.clone(),
                    plate: plate.clone(),
                    unit_id: county.unit_id.clone(),
                    ts,
                    lon: (pos.0 * 1e5).round() / 1e5,
                    lat: (pos.1 * 1e5).round() / 1e5,
                    status,
                })?;
            }
        }
    }
    Ok(())
}

fn hash_str(s: &str) -> u64 {
    // FNV-1a: stable across platforms and releases, unlike std's hasher.
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x1000_0000_01b3)
    })
}

/// One area's monthly line loss from the energy sold in it. Natural loss rates stay within
/// 1-7 %; about 2 % of areas get one planted month below 0 % or above 10 %.
pub fn line_loss_row(
    w: &Window,
    area_id: &str,
    area_name: &str,
    unit_id: &str,
    month: NaiveDate,
    month_index: usize,
    sold_kwh: f64,
) -> (LineLossRow, Option<Planted>) {
    let feeder = area_id.contains('F');
    let mut area_rng = Rng::derive(w.seed, &[13, hash_str(area_id)]);
    let planted_month = area_rng
        .chance(0.02)
        .then(|| area_rng.int(1, w.months as i64 - 1) as usize);
    let mut rng = Rng::derive(w.seed, &[14, hash_str(area_id), month_index as u64]);
    let mut loss = if feeder {
        rng.range(0.01, 0.035)
    } else {
        rng.range(0.02, 0.065)
    };
    let mut truth = None;
    if planted_month == Some(month_index) {
        loss = if rng.chance(0.5) {
            -rng.range(0.03, 0.08)
        } else {
            rng.range(0.12, 0.25)
        };
        truth = Some(Planted {
            rule_id: "line_loss",
            entity_type: "area",
            entity_id: area_id.to_string(),
            period: Some(month),
            detail: format!("line loss rate {:.1} %", loss * 100.0),
        });
    }
    let supplied = round2(sold_kwh / (1.0 - loss));
    (
        LineLossRow {
            area_id: area_id.to_string(),
            area_name: area_name.to_string(),
            unit_id: unit_id.to_string(),
            area_kind: if feeder { "feeder" } else { "transformer_area" },
            month,
            supplied_kwh: supplied,
            sold_kwh: round2(sold_kwh),
        },
        truth,
    )
}
