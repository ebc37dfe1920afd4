//! Column mapping: which source column fills which canonical field, with what unit scale.
//!
//! Suggestions come from the header names: the canonical name itself, the Chinese headers
//! listed in the data model (户号, 电量, 实收电费 ...), with units in brackets read as a
//! scale (电量(万kWh) -> x 10,000).

use crate::model::{ColType, Table};

pub use crate::model::mapping::{ColumnMap, Mapping};

/// A header split into its name and the unit written in brackets, if any.
fn split_unit(header: &str) -> (String, Option<String>) {
    let h = header.trim().trim_start_matches('\u{feff}');
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if let (Some(a), Some(b)) = (h.find(open), h.rfind(close))
            && a < b
        {
            let name = format!("{}{}", &h[..a], &h[b + close.len_utf8()..]);
            let unit = h[a + open.len_utf8()..b].trim().to_string();
            return (name.trim().to_string(), Some(unit));
        }
    }
    (h.to_string(), None)
}

/// Lower case, no spaces, underscores or hyphens: "Customer ID" ~ "customer_id".
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '.'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The multiplier a unit written in a header implies (万 = 10,000).
pub fn unit_scale(unit: &str) -> f64 {
    let u = normalise(unit);
    if u.starts_with('万') || u.starts_with("10k") || u.starts_with("tenthousand") {
        10_000.0
    } else if (u.starts_with('千') && !u.starts_with("千瓦"))
        || u == "kyuan"
        || u.starts_with("mwh")
        || u.starts_with("兆瓦时")
    {
        1_000.0
    } else {
        1.0
    }
}

/// The field a header names, if it names one with confidence.
fn field_for(header: &str, table: &Table) -> Option<(&'static str, f64)> {
    let (name, unit) = split_unit(header);
    let n = normalise(&name);
    let col = table
        .columns
        .iter()
        .find(|c| normalise(c.name) == n || c.zh_headers.iter().any(|z| normalise(z) == n))?;
    let scale = match (unit, col.ty) {
        (Some(u), ColType::Real | ColType::Int) => unit_scale(&u),
        _ => 1.0,
    };
    Some((col.name, scale))
}

/// The suggested mapping of a file's headers: each header matched by name; a field named
/// twice goes to the first column that names it.
pub fn suggest(headers: &[String], table: &Table) -> Mapping {
    let mut used: Vec<&str> = Vec::new();
    let columns = headers
        .iter()
        .map(|h| {
            let found = field_for(h, table).filter(|(f, _)| !used.contains(f));
            if let Some((f, _)) = found {
                used.push(f);
            }
            ColumnMap {
                source: h.clone(),
                field: found.map(|(f, _)| f.to_string()),
                scale: found.map(|(_, s)| s).unwrap_or(1.0),
            }
        })
        .collect();
    Mapping {
        table: table.name.to_string(),
        columns,
    }
}

/// Fills fields no header named from what the unmatched columns hold (a guess, for the
/// import page to show; the command line never applies it on its own): 10-digit numbers
/// are customer numbers, months fill the table's month field, values that are all codes
/// or labels of one code list fill that coded field. `sample` rows follow `headers`.
pub fn suggest_from_values(m: &mut Mapping, table: &Table, sample: &[Vec<String>]) {
    let unfilled = |m: &Mapping, f: &str| table.column(f).is_some() && m.source_of(f).is_none();
    for i in 0..m.columns.len() {
        if m.columns[i].field.is_some() {
            continue;
        }
        let values: Vec<&str> = sample
            .iter()
            .filter_map(|r| r.get(i).map(|v| v.trim()))
            .filter(|v| !v.is_empty())
            .collect();
        if values.len() < 2 {
            continue;
        }
        let all = |f: &dyn Fn(&str) -> bool| values.iter().all(|v| f(v));
        let month = |v: &str| {
            let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
            digits.len() == 6
                && v.len() <= 12
                && digits[..2].parse::<u32>().is_ok_and(|c| (19..=21).contains(&c))
        };
        let guess: Option<&str> = if all(&|v| v.len() == 10 && v.chars().all(|c| c.is_ascii_digit()))
            && unfilled(m, "customer_id")
        {
            Some("customer_id")
        } else if all(&month) {
            table
                .period_column
                .filter(|p| p.contains("month") && unfilled(m, p))
        } else {
            table
                .columns
                .iter()
                .filter(|c| unfilled(m, c.name))
                .find(|c| {
                    c.code_list.is_some_and(|l| {
                        let codes = crate::codes::list(l);
                        all(&|v| codes.iter().any(|k| k.code == v || k.zh == v || k.en == v))
                    })
                })
                .map(|c| c.name)
        };
        if let Some(f) = guess {
            m.columns[i].field = Some(f.to_string());
        }
    }
}

/// The table whose required fields the headers match best (most matched, then fewest
/// missing), if any required field matches at all.
pub fn best_table(headers: &[String]) -> Option<&'static Table> {
    crate::model::TABLES
        .iter()
        .map(|t| {
            let m = suggest(headers, t);
            let required = t.columns.iter().filter(|c| c.required).count();
            let missing = m.missing_required(t).len();
            (t, required - missing, missing)
        })
        .filter(|(_, matched, _)| *matched > 0)
        .max_by_key(|(_, matched, missing)| (*matched as i64 * 10 - *missing as i64 * 11, *matched))
        .map(|(t, _, _)| t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_and_canonical_headers_are_matched_with_their_units() {
        let m = suggest(
            &headers(&[
                "应收流水号",
                "户号",
                "电费年月",
                "电量(万kWh)",
                "应收电费（元）",
                "备注",
                "Customer ID",
            ]),
            &model::BILLS,
        );
        let f: Vec<_> = m.columns.iter().map(|c| (c.field.as_deref(), c.scale)).collect();
        assert_eq!(
            f,
            vec![
                (Some("bill_id"), 1.0),
                (Some("customer_id"), 1.0),
                (Some("billing_month"), 1.0),
                (Some("kwh"), 10_000.0),
                (Some("amount"), 1.0),
                (None, 1.0),
                // customer_id is already taken by 户号.
                (None, 1.0),
            ]
        );
        assert!(m.missing_required(&model::BILLS).is_empty());
        let partial = suggest(&headers(&["户号", "电量"]), &model::BILLS);
        assert_eq!(
            partial.missing_required(&model::BILLS),
            vec!["bill_id", "billing_month", "amount"]
        );
    }

    #[test]
    fn the_table_is_guessed_from_the_headers() {
        let bills = headers(&["应收流水号", "户号", "电费年月", "电量", "应收电费"]);
        assert_eq!(best_table(&bills).unwrap().name, "bills");
        let archive = headers(&[
            "户号",
            "户名",
            "供电单位",
            "用电类别",
            "电价码",
            "用户状态",
            "合同容量",
        ]);
        assert_eq!(best_table(&archive).unwrap().name, "customers");
        assert!(best_table(&headers(&["a", "b"])).is_none());
    }

    #[test]
    fn unnamed_columns_are_guessed_from_their_values() {
        let mut m = suggest(&headers(&["编号", "A列", "B列", "类别"]), &model::BILLS);
        let sample = vec![
            vec!["X1".into(), "3100000001".into(), "202606".into(), "R-TIER".into()],
            vec![
                "X2".into(),
                "3100000002".into(),
                "2026-07".into(),
                "大工业两部制".into(),
            ],
        ];
        suggest_from_values(&mut m, &model::BILLS, &sample);
        let f: Vec<_> = m.columns.iter().map(|c| c.field.as_deref()).collect();
        assert_eq!(
            f,
            vec![
                None,
                Some("customer_id"),
                Some("billing_month"),
                Some("tariff_code")
            ]
        );
    }

    #[test]
    fn unit_words_give_scales() {
        assert_eq!(unit_scale("万元"), 10_000.0);
        assert_eq!(unit_scale("万kWh"), 10_000.0);
        assert_eq!(unit_scale("kWh"), 1.0);
        assert_eq!(unit_scale("千瓦时"), 1.0);
        assert_eq!(unit_scale("MWh"), 1_000.0);
        assert_eq!(
            split_unit("电费（万元）"),
            ("电费".to_string(), Some("万元".to_string()))
        );
    }
}
