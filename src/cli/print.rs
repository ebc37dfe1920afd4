//! Printing a command's answer: tables, CSV and JSON on stdout.

use std::io::Write;

use chrono::NaiveDate;

use crate::metrics::format::group_digits;
use crate::store::queries;
use crate::table_file::export_field;

pub fn month(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m").to_string())
        .unwrap_or_else(|| "-".into())
}

pub fn print_info(out: &mut impl Write, info: &queries::ProjectInfo) -> anyhow::Result<()> {
    writeln!(out, "Project  {}", info.path)?;
    writeln!(out, "Schema   version {}", info.schema_version)?;
    if let Some(c) = &info.created_at {
        writeln!(out, "Created  {c}")?;
    }
    writeln!(out, "Size     {:.1} MB", info.file_bytes as f64 / 1e6)?;
    if info.encrypted {
        writeln!(out, "Stored   encrypted (AES-GCM, opened with its passphrase)")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<18} {:>12}  {:<7}  {:<7}  {:>6}",
        "table", "rows", "first", "last", "months"
    )?;
    for t in &info.tables {
        let months = if t.first_month.is_some() {
            t.months.to_string()
        } else {
            "-".into()
        };
        writeln!(
            out,
            "{:<18} {:>12}  {:<7}  {:<7}  {:>6}",
            t.table,
            group_digits(t.rows),
            month(t.first_month),
            month(t.last_month),
            months
        )?;
    }
    Ok(())
}

/// Masks the text values of a result's personal columns (known by their names) unless the
/// disclosure is full; returns the personal columns.
pub fn mask_result(r: &mut queries::QueryResult, disclosure: crate::privacy::Disclosure) -> Vec<String> {
    let kinds = crate::privacy::column_kinds(&r.columns);
    if disclosure == crate::privacy::Disclosure::Masked {
        for row in &mut r.rows {
            for (v, kind) in row.iter_mut().zip(&kinds) {
                if let (Some(kind), duckdb::types::Value::Text(s)) = (kind, &*v) {
                    *v = duckdb::types::Value::Text(crate::privacy::mask(s, *kind));
                }
            }
        }
    }
    r.columns
        .iter()
        .zip(&kinds)
        .filter(|(_, k)| k.is_some())
        .map(|(c, _)| c.clone())
        .collect()
}

pub fn print_table(out: &mut impl Write, r: &queries::QueryResult, max_rows: usize) -> anyhow::Result<()> {
    let shown = if max_rows > 0 {
        r.rows.len().min(max_rows)
    } else {
        r.rows.len()
    };
    let cells: Vec<Vec<String>> = r.rows[..shown]
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| {
                    let s = queries::value_to_string(v);
                    if s.chars().count() > 48 {
                        format!("{}…", s.chars().take(47).collect::<String>())
                    } else {
                        s
                    }
                })
                .collect()
        })
        .collect();
    let width = |s: &str| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
    let widths: Vec<usize> = (0..r.columns.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| width(&row[i]))
                .chain([width(&r.columns[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |out: &mut dyn Write, vals: &[String]| -> std::io::Result<()> {
        let parts: Vec<String> = vals
            .iter()
            .zip(&widths)
            .map(|(v, w)| format!("{v}{}", " ".repeat(w.saturating_sub(width(v)))))
            .collect();
        writeln!(out, "{}", parts.join("  ").trim_end())
    };
    line(out, &r.columns)?;
    line(out, &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>())?;
    for row in &cells {
        line(out, row)?;
    }
    if r.rows.len() > shown {
        writeln!(
            out,
            "(first {shown} rows shown; use --max-rows 0 or --format csv for all)"
        )?;
    } else {
        writeln!(out, "({} row{})", shown, if shown == 1 { "" } else { "s" })?;
    }
    Ok(())
}

pub fn print_cards(
    out: &mut impl Write,
    period: NaiveDate,
    unit: &str,
    cards: &[crate::metrics::kpi::Card],
) -> anyhow::Result<()> {
    use crate::metrics::format;
    writeln!(out, "{} {}", unit, period.format("%Y-%m"))?;
    let text = |s: String| duckdb::types::Value::Text(s);
    let rows = cards
        .iter()
        .map(|c| {
            let ind = c.indicator();
            vec![
                text(c.indicator.to_string()),
                text(c.name_en.to_string()),
                text(format::value(ind, c.value, "no data")),
                text(c.unit.to_string()),
                text(format::value(ind, c.target, "")),
                text(format::change(ind, c.value, c.previous_month).unwrap_or_default()),
                text(format::change(ind, c.value, c.previous_year).unwrap_or_default()),
                text(match c.provisional {
                    Some(p) => format!("provisional until {}", p.closes_on),
                    None => c
                        .status
                        .map(|s| format!("{s:?}").to_lowercase())
                        .unwrap_or_default(),
                }),
            ]
        })
        .collect();
    let result = queries::QueryResult {
        columns: [
            "indicator",
            "name",
            "value",
            "unit",
            "target",
            "vs last month",
            "vs last year",
            "status",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    print_table(out, &result, 0)
}

pub fn print_csv(out: &mut impl Write, r: &queries::QueryResult) -> anyhow::Result<()> {
    writeln!(
        out,
        "{}",
        r.columns
            .iter()
            .map(|c| export_field(c))
            .collect::<Vec<_>>()
            .join(",")
    )?;
    for row in &r.rows {
        let vals: Vec<String> = row
            .iter()
            .map(|v| export_field(&queries::value_to_string(v)))
            .collect();
        writeln!(out, "{}", vals.join(","))?;
    }
    Ok(())
}

pub fn print_json(out: &mut impl Write, r: &queries::QueryResult) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = r
        .rows
        .iter()
        .map(|row| {
            let obj: serde_json::Map<String, serde_json::Value> = r
                .columns
                .iter()
                .cloned()
                .zip(row.iter().map(queries::value_to_json))
                .collect();
            serde_json::Value::Object(obj)
        })
        .collect();
    writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
    Ok(())
}
