//! The sample province generator (`mams sample`): extracts of a fictional province as
//! Parquet files plus a manifest, with known anomalies planted for every audit theme and
//! their ground truth in `planted_anomalies.parquet`.
//!
//! Deterministic: every entity draws from its own random stream derived from the seed, and
//! rows are written in a fixed order with one thread, so the same arguments give the same
//! bytes. Streamed: customers are generated one at a time into an on-disk DuckDB scratch
//! database, so memory does not grow with the customer count.

pub mod anomalies;
pub mod archive;
pub mod basemap;
pub mod calendar;
pub mod connections;
pub mod defects;
pub mod geography;
pub mod lifecycle;
pub mod measure_effect;
pub mod network;
pub mod project;
pub mod resources;
pub mod rng;
pub mod rows;
pub mod service;
pub mod tariffs;
mod writer;

use std::path::Path;

use anyhow::{Context, bail};
use chrono::NaiveDate;

use crate::manifest::{self, GeneratorInfo, Manifest, ManifestFile};
use crate::model;
use crate::progress::Progress;
use crate::store::{quote_literal, schema};
use lifecycle::{CleanNeighbour, Window};
use rows::Sink;
use service::StationBlock;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSpec {
    pub customers: u64,
    pub months: u32,
    pub seed: u64,
    pub first_month: NaiveDate,
    /// The second noise model: natural behaviour that crosses the rules' thresholds
    /// without being a problem (see `lifecycle::Noise`), and customers with two planted
    /// problems at once. Off for the committed sample.
    pub noisy: bool,
}

/// The arguments the committed `sample-db/` was made with (see README and docs/cli.md).
pub const COMMITTED: SampleSpec = SampleSpec {
    customers: 16_000,
    months: 24,
    seed: 7,
    first_month: match NaiveDate::from_ymd_opt(2024, 1, 1) {
        Some(d) => d,
        None => panic!("valid date"),
    },
    noisy: false,
};

impl Default for SampleSpec {
    fn default() -> Self {
        COMMITTED
    }
}

pub const TRUTH_FILE: &str = "planted_anomalies.parquet";

/// Customers per station: urban stations serve more.
fn station_weight(area_type: &str) -> f64 {
    match area_type {
        "urban" => 2.5,
        "rural" => 1.0,
        _ => 0.5,
    }
}

/// Splits `total` customers over the stations (largest remainder, so the sum is exact).
fn allocate(total: u64, stations: &[&geography::Unit]) -> Vec<u64> {
    let weights: Vec<f64> = stations.iter().map(|s| station_weight(s.area_type)).collect();
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut counts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut rest = total - counts.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..stations.len()).collect();
    order.sort_by(|a, b| {
        (exact[*b] - exact[*b].floor())
            .partial_cmp(&(exact[*a] - exact[*a].floor()))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(b))
    });
    for i in order {
        if rest == 0 {
            break;
        }
        counts[i] += 1;
        rest -= 1;
    }
    counts
}

/// Generates the sample into `out` (created if needed; existing sample files are replaced).
pub fn generate(spec: &SampleSpec, out: &Path, progress: &Progress) -> anyhow::Result<Manifest> {
    if spec.customers == 0 {
        bail!("--customers must be at least 1");
    }
    if !(3..=120).contains(&spec.months) {
        bail!("--months must be between 3 and 120 (got {})", spec.months);
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create folder {}", out.display()))?;
    let scratch = out.join(".mams-sample-scratch.duckdb");
    crate::store::remove_project_files(&scratch);
    let result = generate_into(spec, out, &scratch, progress);
    crate::store::remove_project_files(&scratch);
    result
}

fn generate_into(
    spec: &SampleSpec,
    out: &Path,
    scratch: &Path,
    progress: &Progress,
) -> anyhow::Result<Manifest> {
    let w = Window::new(spec.seed, spec.first_month, spec.months as usize).with_noise(spec.noisy);
    let conn = crate::store::scratch_database(scratch).context("cannot create the scratch database")?;
    progress.attach_interrupt(conn.interrupt_handle());
    // One thread keeps the Parquet bytes identical from run to run.
    conn.execute_batch("SET threads = 1; SET preserve_insertion_order = true; SET memory_limit = '256MB';")?;
    for t in model::TABLES {
        conn.execute_batch(&schema::create_table_sql(t))?;
    }
    conn.execute_batch(anomalies::TRUTH_TABLE_SQL)?;
    conn.execute_batch(measure_effect::TRUTH_TABLE_SQL)?;
    {
        let mut rows = conn.appender("tariffs")?;
        for t in tariffs::CATALOGUE {
            let prefix = (!t.industry_prefix.is_empty()).then_some(t.industry_prefix);
            rows.append_row(duckdb::params![
                t.code,
                t.class,
                prefix,
                t.price,
                t.basic_price,
                t.usual
            ])?;
        }
    }
    {
        // The working days the generator's connections are handled in (Monday to Friday),
        // over the sample's months and a year after them: a project fills the rest.
        let mut rows = conn.appender("work_calendar")?;
        let mut day = spec.first_month;
        let end = calendar::add_months(spec.first_month, spec.months as i32 + 12);
        while day < end {
            rows.append_row(duckdb::params![
                day,
                calendar::is_working_day(day),
                None::<String>
            ])?;
            day += chrono::Duration::days(1);
        }
    }

    progress.set(Some(0.0), crate::say!("drawing the province", "正在绘制省份地图"));
    let geo = geography::generate(spec.seed);
    let stations: Vec<&geography::Unit> = geo.stations().collect();
    let counts = allocate(spec.customers, &stations);
    let province_prefix = geo
        .province_zh
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();

    {
        let mut sink = writer::DuckSink::new(&conn)?;
        for u in &geo.units {
            sink.unit(u)?;
        }
        let mut idx = 0u64;
        let mut blocks = Vec::with_capacity(stations.len());
        for (si, station) in stations.iter().enumerate() {
            let mut neighbour: Option<CleanNeighbour> = None;
            for local in 0..counts[si] {
                if let Some(clean) =
                    lifecycle::emit_customer(&w, station, idx + local, local, neighbour.as_ref(), &mut sink)?
                {
                    neighbour = Some(clean);
                }
                if (idx + local).is_multiple_of(2000) {
                    progress.check()?;
                    progress.set(
                        Some(0.75 * (idx + local) as f32 / spec.customers as f32),
                        crate::say!("customers {} of {}", "客户 {} / {}", idx + local, spec.customers),
                    );
                }
            }
            let mut rng = rng::Rng::derive(spec.seed, &[5, si as u64]);
            for app in connections::pending(
                &w,
                &station.unit_id,
                rng.poisson(counts[si] as f64 * 0.002),
                &mut rng,
            ) {
                sink.application(app)?;
            }
            blocks.push(StationBlock {
                station,
                first_idx: idx,
                customers: counts[si],
            });
            idx += counts[si];
        }
        progress.set(Some(0.76), crate::say!("tickets and outages", "工单与停电"));
        let storms = service::storm_days(&w);
        for b in &blocks {
            progress.check()?;
            service::tickets(&w, b, &mut sink)?;
            service::outages(&w, b, &storms, &mut sink)?;
        }
        network::service_points(&geo, spec.seed, &mut sink)?;
        network::vehicles(&geo, &w, &province_prefix, &mut sink)?;
        sink.flush()?;
    }

    progress.set(Some(0.8), crate::say!("line loss", "线损"));
    line_loss(&conn, &w, &geo)?;
    resources::write(&conn, &w)?;
    defects::plant(&conn, spec.seed)?;
    if let Some(t0) = measure_effect::start(&w) {
        let peers: Vec<&str> = geo
            .units
            .iter()
            .filter(|u| {
                u.level == "county"
                    && u.unit_id.starts_with(measure_effect::CITY)
                    && u.unit_id != measure_effect::TREATED
            })
            .map(|u| u.unit_id.as_str())
            .collect();
        conn.execute(
            "INSERT INTO planted_effects VALUES (?, ?, ?, ?, ?, ?)",
            duckdb::params![
                measure_effect::TREATED,
                measure_effect::RULE,
                w.month(t0),
                measure_effect::DROP,
                measure_effect::START_PROBABILITY,
                peers.join(",")
            ],
        )?;
    }

    progress.set(
        Some(0.85),
        crate::say!("writing Parquet files", "正在写入 Parquet 文件"),
    );
    let mut files = Vec::new();
    for (i, t) in model::TABLES.iter().enumerate() {
        progress.check()?;
        files.push(export(&conn, out, t.name, &format!("{}.parquet", t.name))?);
        progress.set(
            Some(0.85 + 0.15 * (i + 1) as f32 / (model::TABLES.len() + 1) as f32),
            crate::say!("wrote {}.parquet", "已写入 {}.parquet", t.name),
        );
    }
    let truth = export(&conn, out, "planted_anomalies", TRUTH_FILE)?;
    let defects_truth = export(&conn, out, "planted_defects", defects::TRUTH_FILE)?;
    let effects_truth = export(&conn, out, "planted_effects", measure_effect::TRUTH_FILE)?;
    drop(conn);
    std::fs::write(
        out.join(crate::store::map::BASEMAP_FILE),
        basemap::generate(&geo, spec.seed),
    )?;

    let m = Manifest {
        format: manifest::FORMAT.into(),
        format_version: manifest::FORMAT_VERSION,
        title: format!("{} (fictional sample province)", geo.province_en),
        description: "Generated by MAMS: a fictional province with 8 cities, 40 counties and 150 supply stations. \
                      Names, places and people are invented. planted_anomalies.parquet lists the anomalies planted \
                      for each audit theme, planted_defects.parquet the data defects planted for the data quality checks, \
                      planted_effects.parquet the effect of a measure planted for the evaluation of risk measures."
            .into(),
        generator: Some(GeneratorInfo {
            command: format!(
                "mams sample --out DIR --customers {} --months {} --seed {} --first-month {}",
                spec.customers,
                spec.months,
                spec.seed,
                spec.first_month.format("%Y-%m")
            ),
            customers: spec.customers,
            months: spec.months,
            seed: spec.seed,
            first_month: spec.first_month.format("%Y-%m").to_string(),
            cutoff: w.cutoff.to_string(),
        }),
        tables: files,
        extras: vec![truth, defects_truth, effects_truth],
    };
    m.write(out)?;
    progress.set(
        Some(1.0),
        crate::say!("sample written to {}", "示例数据已写入 {}", out.display()),
    );
    Ok(m)
}

/// Sold energy per area and month, then supplied energy from a loss rate.
fn line_loss(conn: &duckdb::Connection, w: &Window, geo: &geography::Geography) -> anyhow::Result<()> {
    const SOLD: &str = "SELECT c.area_id, c.unit_id, b.billing_month, sum(b.kwh) \
        FROM bills b JOIN customers c USING (customer_id) \
        GROUP BY ALL ORDER BY c.area_id, b.billing_month";
    // Collected first (one row per area and month, a few hundred thousand at most): the
    // appender must not write while a query result is still open on the connection.
    let sold: Vec<(String, String, NaiveDate, f64)> = {
        let mut stmt = conn.prepare(SOLD)?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<duckdb::Result<_>>()?
    };
    let mut sink = writer::LineLossSink::new(conn)?;
    for (area, unit, month, sold) in sold {
        let m = (0..w.months).find(|i| w.month(*i) == month).unwrap_or(0);
        let station = geo
            .unit(&unit)
            .map(|u| u.name_zh.trim_end_matches("供电所").to_string())
            .unwrap_or_default();
        let suffix = &area[unit.len().min(area.len())..];
        let name = match suffix.strip_prefix('T') {
            Some(n) => format!("{station}{}号台区", n.trim_start_matches('0')),
            None => format!("{station}{}号线", suffix.trim_start_matches('F')),
        };
        let (row, truth) = network::line_loss_row(w, &area, &name, &unit, month, m, sold);
        sink.add(row, truth)?;
    }
    sink.flush()
}

/// Optional columns the sample's extracts do not carry (as many real extracts do not): the
/// customers' bank account and contact person, added to the model after the sample was
/// committed.
const NOT_EXTRACTED: &[(&str, &str)] = &[("customers", "bank_account"), ("customers", "contact_person")];

/// Writes one table of the scratch database to a Parquet file, returning its manifest entry.
fn export(conn: &duckdb::Connection, out: &Path, table: &str, file: &str) -> anyhow::Result<ManifestFile> {
    let path = out.join(file);
    let left_out: Vec<&str> = NOT_EXTRACTED
        .iter()
        .filter(|(t, _)| *t == table)
        .map(|(_, c)| *c)
        .collect();
    let columns = if left_out.is_empty() {
        "*".to_string()
    } else {
        format!("* EXCLUDE ({})", left_out.join(", "))
    };
    let sql = format!(
        "COPY (SELECT {columns} FROM {table}) TO {} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)",
        quote_literal(&path.to_string_lossy())
    );
    conn.execute_batch(&sql)
        .with_context(|| format!("cannot write {}", path.display()))?;
    let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
    Ok(ManifestFile {
        table: table.to_string(),
        file: file.to_string(),
        rows: rows as u64,
        sha256: manifest::sha256_file(&path)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact_and_favours_urban_stations() {
        let geo = geography::generate(3);
        let stations: Vec<_> = geo.stations().collect();
        let counts = allocate(10_001, &stations);
        assert_eq!(counts.iter().sum::<u64>(), 10_001);
        let urban = stations.iter().position(|s| s.area_type == "urban").unwrap();
        let remote = stations.iter().position(|s| s.area_type == "remote").unwrap();
        assert!(counts[urban] > counts[remote]);
    }
}
