//! What each supply station works with per year (staff, service halls, repair vehicles,
//! operating cost, network): the inputs of DEA in benchmarking. Sized from the station's
//! customers and lines, with a station's own efficiency drawn once, so that some stations
//! serve as many customers with fewer resources than others.

use chrono::Datelike;
use duckdb::Connection;

use super::lifecycle::Window;
use super::rng::Rng;

/// Customers, feeders and transformer areas of every station (from the generated rows).
const SIZES: &str = "SELECT u.unit_id,
        (SELECT count(*) FROM customers c WHERE c.unit_id = u.unit_id),
        (SELECT count(DISTINCT area_id) FROM line_loss l WHERE l.unit_id = u.unit_id AND l.area_kind = 'feeder'),
        (SELECT count(DISTINCT area_id) FROM line_loss l WHERE l.unit_id = u.unit_id AND l.area_kind = 'transformer_area')
    FROM org_units u WHERE u.level = 'station' ORDER BY u.unit_id";

/// Writes `unit_resources`: one row per station and calendar year of the window.
pub fn write(conn: &Connection, w: &Window) -> anyhow::Result<()> {
    let sizes: Vec<(String, i64, i64, i64)> = {
        let mut stmt = conn.prepare(SIZES)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<duckdb::Result<_>>()?
    };
    let (first, last) = (w.month(0).year(), w.month(w.months - 1).year());
    let mut rows = conn.appender("unit_resources")?;
    for (si, (unit, customers, feeders, areas)) in sizes.iter().enumerate() {
        let mut rng = Rng::derive(w.seed, &[11, si as u64]);
        // Above 1: the station uses more than it needs for its size.
        let slack = rng.lognormal(1.15, 0.18).max(0.85);
        let c = *customers as f64;
        let network_km = (*feeders as f64 * rng.range(9.0, 16.0) + *areas as f64 * 0.8).max(5.0);
        let transformers = (c / 45.0 + *areas as f64 * 2.0).round().max(2.0);
        for year in first..=last {
            let growth = 1.0 + 0.02 * f64::from(year - first);
            let staff = ((3.0 + c / 220.0) * slack * growth).round();
            let halls = (1.0 + c / 5000.0).floor().min(4.0);
            let vehicles = (1.0 + *feeders as f64 / 3.0 * slack).round();
            let cost = (staff * 168_000.0 + network_km * 2_600.0 + halls * 150_000.0) * rng.range(0.95, 1.05);
            rows.append_row(duckdb::params![
                unit,
                i64::from(year),
                staff,
                halls,
                vehicles,
                cost.round(),
                (network_km * 10.0).round() / 10.0,
                transformers
            ])?;
        }
    }
    Ok(())
}
