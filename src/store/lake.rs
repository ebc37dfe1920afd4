//! The SQL of a lake export (`crate::lake`): one `COPY … TO … (PARTITION_BY …)` a table.
//! Table and column names come from the data model, never from a user; the folder is quoted.

use std::path::Path;

use super::{Project, quote_ident, quote_literal};
use crate::lake::{ABOVE_CITIES, CITY, MONTH};
use crate::model::{Table, UnitLink};

/// Each unit's city: the unit itself or its ancestor at the city level; units above every
/// city (the province) are `ABOVE_CITIES`.
const CITY_OF_UNIT: &str = "SELECT u.unit_id, coalesce(max(c.ancestor_id), '{above}') AS city \
     FROM org_units u \
     LEFT JOIN (SELECT oc.unit_id, oc.ancestor_id FROM org_closure oc \
                JOIN org_units a ON a.unit_id = oc.ancestor_id AND a.level = 'city') c \
       ON c.unit_id = u.unit_id \
     GROUP BY u.unit_id";

/// Writes `table` under `folder`, partitioned by `by`, with the personal columns replaced by
/// a keyed SHA-256 when `key` is given. The rows written.
pub fn export_table(
    p: &Project,
    table: &Table,
    by: &[&str],
    folder: &Path,
    key: Option<&str>,
) -> anyhow::Result<u64> {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let name = quote_ident(c.name);
            match (c.personal, key) {
                (Some(_), Some(key)) => format!(
                    "CASE WHEN t.{name} IS NULL OR t.{name} = '' THEN t.{name} \
                     ELSE sha256({} || t.{name}) END AS {name}",
                    quote_literal(key)
                ),
                _ => format!("t.{name}"),
            }
        })
        .collect();
    let mut select = columns.join(", ");
    let mut from = format!("{} t", quote_ident(table.name));
    if by.contains(&MONTH) {
        let period = quote_ident(table.period_column.expect("a month partition has a period"));
        select.push_str(&format!(
            ", coalesce(strftime(date_trunc('month', t.{period}), '%Y-%m'), 'none') AS {MONTH}"
        ));
    }
    if by.contains(&CITY) {
        let unit = match table.unit_link {
            UnitLink::ViaCustomer => {
                from.push_str(
                    " LEFT JOIN customers lake_customer ON lake_customer.customer_id = t.customer_id",
                );
                "lake_customer.unit_id"
            }
            _ => "t.unit_id",
        };
        from.push_str(&format!(
            " LEFT JOIN ({}) lake_unit ON lake_unit.unit_id = {unit}",
            CITY_OF_UNIT.replace("{above}", ABOVE_CITIES)
        ));
        select.push_str(&format!(", coalesce(lake_unit.city, '{ABOVE_CITIES}') AS {CITY}"));
    }
    std::fs::create_dir_all(folder)?;
    let target = if by.is_empty() {
        folder.join("data_0.parquet")
    } else {
        folder.to_path_buf()
    };
    let options = if by.is_empty() {
        "FORMAT parquet".to_string()
    } else {
        format!(
            "FORMAT parquet, PARTITION_BY ({}), OVERWRITE_OR_IGNORE",
            by.join(", ")
        )
    };
    let sql = format!(
        "COPY (SELECT {select} FROM {from}) TO {} ({options})",
        quote_literal(&target.to_string_lossy())
    );
    let rows = p.conn().execute(&sql, [])?;
    if rows == 0 && !by.is_empty() {
        // No rows, no partition folders: one empty file keeps the table's columns readable
        // (Spark and DuckDB both refuse a table folder without a file).
        let mut empty = folder.to_path_buf();
        for column in by {
            empty.push(format!("{column}=none"));
        }
        std::fs::create_dir_all(&empty)?;
        let data: Vec<&str> = columns.iter().map(String::as_str).collect();
        p.conn().execute(
            &format!(
                "COPY (SELECT {} FROM {} t WHERE false) TO {} (FORMAT parquet)",
                data.join(", "),
                quote_ident(table.name),
                quote_literal(&empty.join("data_0.parquet").to_string_lossy())
            ),
            [],
        )?;
    }
    Ok(rows as u64)
}

/// A suspect as the Spark runner wrote it (`installer/spark/run_rules.py`).
pub struct ForeignSuspect {
    pub rule_id: String,
    pub entity_type: String,
    pub entity_id: String,
    pub unit_id: String,
    pub period: Option<chrono::NaiveDate>,
    pub amount: f64,
    pub confidence: f64,
    pub evidence: String,
}

/// The columns of a suspects file, in order.
const SUSPECT_FILE_COLUMNS: &str = "rule_id::VARCHAR, entity_type::VARCHAR, entity_id::VARCHAR, \
     unit_id::VARCHAR, period::DATE, amount::DOUBLE, confidence::DOUBLE, evidence::VARCHAR";

/// Reads the suspects of Parquet `files` (linked into the project's private folder first, the
/// only place its connection reads), with only the units of the project.
pub fn read_suspects(
    p: &Project,
    files: &[std::path::PathBuf],
) -> anyhow::Result<(Vec<ForeignSuspect>, u64)> {
    let mut aliases = Vec::new();
    let result = (|| {
        for f in files {
            aliases.push(super::scratch::link_in(p.scratch_dir(), f)?);
        }
        let list: Vec<String> = aliases
            .iter()
            .map(|a| quote_literal(&a.to_string_lossy()))
            .collect();
        let from = format!("read_parquet([{}])", list.join(", "));
        let outside: i64 = p.conn().query_row(
            &format!("SELECT count(*) FROM {from} WHERE unit_id NOT IN (SELECT unit_id FROM org_units)"),
            [],
            |r| r.get(0),
        )?;
        let mut stmt = p.conn().prepare(&format!(
            "SELECT {SUSPECT_FILE_COLUMNS} FROM {from} WHERE unit_id IN (SELECT unit_id FROM org_units)"
        ))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ForeignSuspect {
                    rule_id: r.get(0)?,
                    entity_type: r.get(1)?,
                    entity_id: r.get(2)?,
                    unit_id: r.get(3)?,
                    period: r.get(4)?,
                    amount: r.get(5)?,
                    confidence: r.get(6)?,
                    evidence: r.get(7)?,
                })
            })?
            .collect::<duckdb::Result<Vec<_>>>()?;
        Ok((rows, outside as u64))
    })();
    for a in aliases {
        let _ = std::fs::remove_file(a);
    }
    result
}
