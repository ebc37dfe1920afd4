//! The SQL of a lake export (`crate::lake`): one `COPY … TO … (PARTITION_BY …)` a table.
//! Table and column names come from the data model, never from a user; the folder is quoted.

use std::path::Path;

use super::{Project, quote_ident, quote_literal};
use crate::lake::{ABOVE_CITIES, CITY, MONTH};
use crate::model::{Table, UnitLink};

/// Each unit's city: the unit itself or its ancestor at the city level; units above every
/// city (the province) are `ABOVE_CITIES` (`crate::lake`).
const CITY_OF_UNIT: &str = "SELECT u.unit_id, coalesce(max(c.ancestor_id), 'province') AS city \
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
            CITY_OF_UNIT
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

/// The columns of a Parquet file and their DuckDB types, in the file's order.
pub fn file_columns(p: &Project, file: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut stmt = p.conn().prepare(&format!(
        "DESCRIBE SELECT * FROM read_parquet({}, hive_partitioning = false)",
        quote_literal(&file.to_string_lossy())
    ))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<duckdb::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Each file's schema in short (its columns' names and Parquet types, in order), read from
/// the files' footers only: files of one schema share a signature.
pub fn file_signatures(p: &Project, files: &[std::path::PathBuf]) -> anyhow::Result<Vec<(String, String)>> {
    let list: Vec<String> = files
        .iter()
        .map(|f| quote_literal(&f.to_string_lossy()))
        .collect();
    let mut stmt = p.conn().prepare(&format!(
        "SELECT file_name, string_agg(name || ':' || coalesce(type, '') || ':' \
                || coalesce(converted_type, '') || ':' || coalesce(logical_type::VARCHAR, ''), ',' ORDER BY n) \
         FROM (SELECT *, row_number() OVER () AS n FROM parquet_schema([{}])) \
         GROUP BY file_name",
        list.join(", ")
    ))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<duckdb::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One unit of a lake's org tree.
pub struct LakeUnit {
    pub unit_id: String,
    pub parent_id: Option<String>,
    pub level: String,
    pub name_zh: String,
    pub name_en: Option<String>,
}

/// The org tree of a lake's `org_units` file.
pub fn read_org_tree(p: &Project, file: &Path) -> anyhow::Result<Vec<LakeUnit>> {
    org_tree_of(p.conn(), file)
}

/// The same without a project (to choose the slice a project will read): through a
/// connection of its own, in memory, with the settings of every connection.
pub fn read_org_tree_alone(file: &Path) -> anyhow::Result<Vec<LakeUnit>> {
    let conn = duckdb::Connection::open_in_memory_with_flags(super::offline_config(
        duckdb::AccessMode::ReadWrite,
        true,
    )?)?;
    org_tree_of(&conn, file)
}

fn org_tree_of(conn: &duckdb::Connection, file: &Path) -> anyhow::Result<Vec<LakeUnit>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT unit_id, parent_id, level, name_zh, name_en \
         FROM read_parquet({}, hive_partitioning = false)",
        quote_literal(&file.to_string_lossy())
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(LakeUnit {
                unit_id: r.get(0)?,
                parent_id: r.get(1)?,
                level: r.get(2)?,
                name_zh: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                name_en: r.get(4)?,
            })
        })?
        .collect::<duckdb::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Which rows of the chosen files an attached table keeps.
pub enum RowsKept<'a> {
    /// All of them: the files hold exactly the slice.
    All,
    /// The rows of these units (the slice is below the files' city).
    OfUnits(&'a [String]),
    /// The rows of the slice's customers (the `customers` view, already kept to the units).
    OfCustomers,
}

/// Replaces the data table `table` by a view over Parquet `files` (hive partition columns
/// left out); a column whose file type is not the model's is cast (`cast`: the columns to).
pub fn attach_table(
    p: &Project,
    table: &Table,
    files: &[std::path::PathBuf],
    cast: &[&str],
    union_by_name: bool,
    kept: RowsKept,
) -> anyhow::Result<()> {
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let name = quote_ident(c.name);
            if cast.contains(&c.name) {
                format!("CAST({name} AS {}) AS {name}", c.ty.sql())
            } else {
                name
            }
        })
        .collect();
    let list: Vec<String> = files
        .iter()
        .map(|f| quote_literal(&f.to_string_lossy()))
        .collect();
    let filter = match kept {
        RowsKept::All => String::new(),
        RowsKept::OfUnits(units) => format!(
            " WHERE unit_id IN ({})",
            units
                .iter()
                .map(|u| quote_literal(u))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        RowsKept::OfCustomers => " WHERE customer_id IN (SELECT customer_id FROM customers)".to_string(),
    };
    let name = quote_ident(table.name);
    p.conn().execute_batch(&format!(
        "DROP TABLE {name}; \
         CREATE VIEW {name} AS SELECT {} FROM read_parquet([{}], hive_partitioning = false{}){filter};",
        columns.join(", "),
        list.join(", "),
        if union_by_name {
            ", union_by_name = true"
        } else {
            ""
        }
    ))?;
    Ok(())
}

/// Fills `org_units` (kept a table: the map writes boundaries into it) with `units` of the
/// lake's org file, `root` becoming the top of the tree; `org_closure` follows.
pub fn fill_org_units(p: &Project, file: &Path, units: &[String], root: &str) -> anyhow::Result<()> {
    let table = crate::model::table("org_units").expect("org_units is a table of the model");
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let name = quote_ident(c.name);
            if c.name == "parent_id" {
                format!(
                    "CASE WHEN unit_id = {} THEN NULL ELSE {name} END::{}",
                    quote_literal(root),
                    c.ty.sql()
                )
            } else {
                format!("{name}::{}", c.ty.sql())
            }
        })
        .collect();
    p.conn().execute_batch(&format!(
        "DELETE FROM org_units; \
         INSERT INTO org_units ({}) SELECT {} FROM read_parquet({}, hive_partitioning = false) \
         WHERE unit_id IN ({});",
        table
            .columns
            .iter()
            .map(|c| quote_ident(c.name))
            .collect::<Vec<_>>()
            .join(", "),
        columns.join(", "),
        quote_literal(&file.to_string_lossy()),
        units
            .iter()
            .map(|u| quote_literal(u))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    super::loading::rebuild_org_closure(p)?;
    Ok(())
}

/// The rows an attached table reads.
pub fn count_rows(p: &Project, table: &Table) -> anyhow::Result<u64> {
    let n: i64 = p.conn().query_row(
        &format!("SELECT count(*) FROM {}", quote_ident(table.name)),
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Where an attached project keeps the files its views read (JSON list of paths).
pub const FILES_KEY: &str = "lake_files";

/// What the files an attached project reads look like now (each one's size and time of
/// change, hashed), or None for a project not attached. It stands for the data tables'
/// row counts in the fingerprint of the prebuilt sums: counting rows over Parquet took
/// about 350 ms a look on a city of a 1M-customer lake, a stat of its files under 1 ms,
/// and a lake rewritten under the project still makes the sums stale.
pub fn stamp(p: &Project) -> duckdb::Result<Option<String>> {
    use sha2::{Digest, Sha256};
    let Some(list) = p.meta(FILES_KEY)? else {
        return Ok(None);
    };
    let files: Vec<String> = serde_json::from_str(&list).unwrap_or_default();
    let mut h = Sha256::new();
    for f in &files {
        h.update(f.as_bytes());
        match std::fs::metadata(f) {
            Ok(m) => {
                h.update(m.len().to_le_bytes());
                let changed = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                h.update(changed.to_le_bytes());
            }
            Err(_) => h.update(b"missing"),
        }
    }
    Ok(Some(format!(
        "lake:{}:{}",
        files.len(),
        h.finalize()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )))
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
        let mut stmt = p.conn().prepare(&format!(
            "SELECT {SUSPECT_FILE_COLUMNS}, unit_id IN (SELECT unit_id FROM org_units) AS inside FROM {from}"
        ))?;
        let mut outside = 0;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, bool>(8)?,
                    ForeignSuspect {
                        rule_id: r.get(0)?,
                        entity_type: r.get(1)?,
                        entity_id: r.get(2)?,
                        unit_id: r.get(3)?,
                        period: r.get(4)?,
                        amount: r.get(5)?,
                        confidence: r.get(6)?,
                        evidence: r.get(7)?,
                    },
                ))
            })?
            .filter_map(|row| match row {
                Ok((true, s)) => Some(Ok(s)),
                Ok((false, _)) => {
                    outside += 1;
                    None
                }
                Err(e) => Some(Err(e)),
            })
            .collect::<duckdb::Result<Vec<_>>>()?;
        Ok((rows, outside))
    })();
    for a in aliases {
        let _ = std::fs::remove_file(a);
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_city_of_units_above_every_city_is_the_lake_s_name_for_them() {
        assert!(super::CITY_OF_UNIT.contains(&format!("'{}'", super::ABOVE_CITIES)));
    }
}
