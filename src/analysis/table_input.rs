//! The generic CSV form of `mams analyze decompose`: rows of text as read from the file,
//! checked and turned into the groups of a decomposition. Every refusal names the row
//! (counting the header as row 1) and the column.

use std::collections::BTreeMap;

use super::decompose::{LmdiGroup, RatioGroup};

/// A file's header and rows, all as text.
pub struct TextTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl TextTable {
    fn col(&self, name: &str) -> Result<usize, String> {
        self.columns
            .iter()
            .position(|c| c.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "the file has no column '{name}' (it has: {})",
                    self.columns.join(", ")
                )
            })
    }
}

fn number(t: &TextTable, row: usize, col: usize) -> Result<f64, String> {
    let text = t.rows[row].get(col).map(|s| s.trim()).unwrap_or("");
    text.replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            format!(
                "row {}, column {}: '{text}' is not a number",
                row + 2,
                t.columns[col]
            )
        })
}

/// `base` or `target`, else an error naming the row.
fn period(t: &TextTable, row: usize, col: usize) -> Result<bool, String> {
    match t.rows[row]
        .get(col)
        .map(|s| s.trim().to_ascii_lowercase())
        .as_deref()
    {
        Some("base") => Ok(false),
        Some("target") => Ok(true),
        other => Err(format!(
            "row {}: period must be 'base' or 'target', not '{}'",
            row + 2,
            other.unwrap_or("")
        )),
    }
}

/// Collects, per group in order of first appearance, the values of its base and target row.
fn by_group<T: Clone>(
    t: &TextTable,
    values: impl Fn(usize) -> Result<T, String>,
) -> Result<Vec<(String, T, T)>, String> {
    let g = t.col("group")?;
    let p = t.col("period")?;
    let mut order: Vec<String> = Vec::new();
    let mut seen: BTreeMap<(String, bool), T> = BTreeMap::new();
    for row in 0..t.rows.len() {
        let name = t.rows[row]
            .get(g)
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        if name.is_empty() {
            return Err(format!("row {}: the group is empty", row + 2));
        }
        let is_target = period(t, row, p)?;
        if seen.insert((name.clone(), is_target), values(row)?).is_some() {
            return Err(format!(
                "row {}: group {name} has a second {} row",
                row + 2,
                if is_target { "target" } else { "base" }
            ));
        }
        if !order.contains(&name) {
            order.push(name);
        }
    }
    if order.is_empty() {
        return Err("the file has no rows".into());
    }
    order
        .into_iter()
        .map(|name| {
            let base = seen.get(&(name.clone(), false)).cloned();
            let target = seen.get(&(name.clone(), true)).cloned();
            match (base, target) {
                (Some(b), Some(t)) => Ok((name, b, t)),
                _ => Err(format!("group {name} needs a base row and a target row")),
            }
        })
        .collect()
}

/// LMDI input: `group,period,<factor>...`; every column but group and period is a factor.
pub fn lmdi_groups(t: &TextTable) -> Result<(Vec<String>, Vec<LmdiGroup>), String> {
    let (g, p) = (t.col("group")?, t.col("period")?);
    let factor_cols: Vec<usize> = (0..t.columns.len()).filter(|c| *c != g && *c != p).collect();
    if factor_cols.is_empty() {
        return Err("the file has no factor columns besides group and period".into());
    }
    let factors = factor_cols
        .iter()
        .map(|c| t.columns[*c].trim().to_string())
        .collect();
    let groups = by_group(t, |row| {
        factor_cols
            .iter()
            .map(|c| number(t, row, *c))
            .collect::<Result<Vec<f64>, _>>()
    })?
    .into_iter()
    .map(|(name, base, target)| LmdiGroup { name, base, target })
    .collect();
    Ok((factors, groups))
}

/// Rate/mix input: `group,period,numerator,denominator`.
pub fn ratio_groups(t: &TextTable) -> Result<Vec<RatioGroup>, String> {
    let (n, d) = (t.col("numerator")?, t.col("denominator")?);
    Ok(by_group(t, |row| Ok((number(t, row, n)?, number(t, row, d)?)))?
        .into_iter()
        .map(|(name, base, target)| RatioGroup { name, base, target })
        .collect())
}

/// Panel input of `mams analyze did|its`: `unit,month,treated,value`, month as YYYY-MM (or a
/// date), treated as 1/0, true/false or yes/no.
pub fn panel_rows(t: &TextTable) -> Result<Vec<super::did::PanelRow>, String> {
    let (u, m, tr, v) = (
        t.col("unit")?,
        t.col("month")?,
        t.col("treated")?,
        t.col("value")?,
    );
    let cell = |row: usize, col: usize| t.rows[row].get(col).map(|s| s.trim()).unwrap_or("");
    let mut out = Vec::with_capacity(t.rows.len());
    for row in 0..t.rows.len() {
        let unit = cell(row, u);
        if unit.is_empty() {
            return Err(format!("row {}: the unit is empty", row + 2));
        }
        let text = cell(row, m);
        let month =
            chrono::NaiveDate::parse_from_str(&format!("{}-01", text.get(..7).unwrap_or(text)), "%Y-%m-%d")
                .map_err(|_| format!("row {}, column month: '{text}' is not a month (YYYY-MM)", row + 2))?;
        let treated = match cell(row, tr).to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            other => {
                return Err(format!(
                    "row {}, column treated: '{other}' is not 1 or 0",
                    row + 2
                ));
            }
        };
        out.push(super::did::PanelRow {
            unit: unit.to_string(),
            month,
            treated,
            value: number(t, row, v)?,
        });
    }
    if out.is_empty() {
        return Err("the file has no rows".into());
    }
    Ok(out)
}

/// The series of the treated units: per month, the mean of their values.
pub fn treated_series(rows: &[super::did::PanelRow]) -> Vec<(chrono::NaiveDate, f64)> {
    let mut by_month: BTreeMap<chrono::NaiveDate, (f64, usize)> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.treated) {
        let e = by_month.entry(r.month).or_default();
        e.0 += r.value;
        e.1 += 1;
    }
    by_month
        .into_iter()
        .map(|(m, (s, n))| (m, s / n as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> TextTable {
        let mut lines = csv
            .lines()
            .map(|l| l.split(',').map(String::from).collect::<Vec<_>>());
        TextTable {
            columns: lines.next().unwrap(),
            rows: lines.collect(),
        }
    }

    #[test]
    fn files_are_read_into_groups_and_mistakes_name_the_row() {
        let (f, g) = lmdi_groups(&table("group,period,kwh,price\nA,base,1,2\nA,target,3,4")).unwrap();
        assert_eq!(f, ["kwh", "price"]);
        assert_eq!(g[0].target, [3.0, 4.0]);
        let e = lmdi_groups(&table("group,period,kwh\nA,base,1\nA,later,2"))
            .err()
            .unwrap();
        assert!(e.contains("row 3") && e.contains("'later'"), "{e}");
        let e = lmdi_groups(&table("group,period,kwh\nA,base,x")).err().unwrap();
        assert!(e.contains("row 2, column kwh"), "{e}");
        let e = lmdi_groups(&table("group,period,kwh\nA,base,1")).err().unwrap();
        assert!(e.contains("needs a base row and a target row"), "{e}");
        let e = ratio_groups(&table("group,period,num\nA,base,1")).err().unwrap();
        assert!(e.contains("no column 'numerator'"), "{e}");
        let e = ratio_groups(&table(
            "group,period,numerator,denominator\nA,base,1,2\nA,base,1,2",
        ))
        .err()
        .unwrap();
        assert!(e.contains("second base row"), "{e}");
    }

    #[test]
    fn panels_are_read_and_mistakes_name_the_row() {
        let rows = panel_rows(&table(
            "unit,month,treated,value\nA,2025-01,1,3\nB,2025-01-01,no,4",
        ))
        .unwrap();
        assert!(rows[0].treated && !rows[1].treated && rows[1].value == 4.0);
        let e = panel_rows(&table("unit,month,treated,value\nA,January,1,3"))
            .err()
            .unwrap();
        assert!(e.contains("row 2, column month"), "{e}");
        let e = panel_rows(&table("unit,month,treated,value\nA,2025-01,maybe,3"))
            .err()
            .unwrap();
        assert!(e.contains("column treated"), "{e}");
    }
}
