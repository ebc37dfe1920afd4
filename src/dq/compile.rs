//! Checks into SQL. A row check becomes two conditions over the row (`t`) and, for a table
//! reached through its customer, the customer (`c`): the rows it applies to and the rows that
//! fail. All row checks of a table are then counted in one scan and their failing rows
//! picked in a second one, so 24 checks of the bills read the bills twice, not 48 times.
//! The two table-level kinds (freshness, row count) are one small grouped query each.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::checks::{Check, Kind};
use crate::model::{Table, UnitLink};
use crate::store::dq_functions::function_name;
use crate::store::{quote_ident, quote_literal};

/// A check with the values in effect, ready to become SQL.
#[derive(Debug, Clone)]
pub struct Bound {
    pub check: Check,
    pub values: BTreeMap<String, f64>,
}

/// What every scan of a table selects from: the row, its customer when it has one, its org
/// unit, its month and its key as text.
pub struct Base {
    pub from: String,
    pub unit: String,
    pub month: String,
    pub key: String,
    /// The row's own period column (`t.col`), for filters DuckDB can prune row groups with.
    pub period_column: Option<String>,
}

pub fn base(table: &Table) -> Base {
    base_with(table, &[], NaiveDate::MIN, None)
}

/// The base with the joins some checks of the scan need (each once).
pub fn base_with(table: &Table, checks: &[Bound], period: NaiveDate, since: Option<NaiveDate>) -> Base {
    let via_customer = table.unit_link == UnitLink::ViaCustomer;
    let mut from = if via_customer {
        format!(
            "{} t LEFT JOIN customers c ON c.customer_id = t.customer_id",
            table.name
        )
    } else {
        format!("{} t", table.name)
    };
    let mut joins: Vec<String> = Vec::new();
    for b in checks {
        for j in b.joins(table, period, since) {
            if !joins.contains(&j) {
                joins.push(j);
            }
        }
    }
    for j in joins {
        from.push(' ');
        from.push_str(&j);
    }
    let unit = match table.unit_link {
        UnitLink::ViaCustomer => "c.unit_id".to_string(),
        UnitLink::Direct | UnitLink::Itself => "t.unit_id".to_string(),
        UnitLink::Global => "NULL::VARCHAR".to_string(),
    };
    let month = match table.period_column {
        Some(col) => format!("date_trunc('month', t.{col})::DATE"),
        None => "NULL::DATE".to_string(),
    };
    let key = format!(
        "concat_ws('|', {})",
        table
            .key
            .iter()
            .map(|k| format!("t.{k}::VARCHAR"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Base {
        from,
        unit,
        month,
        key,
        period_column: table.period_column.map(|c| format!("t.{c}")),
    }
}

/// `${name}` replaced by the parameter's value, `${period}` by the data's last month.
pub fn substitute(text: &str, values: &BTreeMap<String, f64>, period: NaiveDate) -> String {
    let mut out = text.to_string();
    for (name, v) in values {
        out = out.replace(&format!("${{{name}}}"), &format_number(*v));
    }
    out.replace("${period}", &format!("DATE '{period}'"))
}

/// A number as a SQL literal (never in exponent form, which DuckDB reads as a double anyway).
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

impl Bound {
    fn col(&self) -> String {
        format!("t.{}", self.check.column.as_deref().unwrap_or("NULL"))
    }

    fn sub(&self, text: &str, period: NaiveDate) -> String {
        substitute(text, &self.values, period)
    }

    /// The rows the check applies to and the rows that fail, as SQL conditions.
    pub fn conditions(&self, table: &Table, period: NaiveDate) -> (String, String) {
        let c = &self.check;
        let col = self.col();
        let extra = c.applies.as_deref().map(|a| self.sub(a, period));
        let present = format!("{col} IS NOT NULL");
        let filled = format!("{col} IS NOT NULL AND trim({col}::VARCHAR) <> ''");
        let (applies, fails) = match c.kind {
            Kind::NotNull => ("TRUE".to_string(), format!("{col} IS NULL")),
            Kind::NotBlank => ("TRUE".to_string(), format!("{col} IS NULL OR trim({col}) = ''")),
            // The duplicates come from a join of their own (`join_sql`), shared by both
            // conditions: an EXISTS would be planned once per mention.
            Kind::Unique => {
                let cols = self.unique_columns();
                let not_null: Vec<String> = cols.iter().map(|k| format!("t.{k} IS NOT NULL")).collect();
                (
                    not_null.join(" AND "),
                    format!("{}.dq_n IS NOT NULL", self.alias()),
                )
            }
            Kind::Codes => {
                let allowed = match &c.list {
                    Some(list) => format!("SELECT code FROM code_lists WHERE list = {}", quote_literal(list)),
                    None => c
                        .values
                        .iter()
                        .map(|v| quote_literal(v))
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                (filled, format!("{col} NOT IN ({allowed})"))
            }
            Kind::Range => {
                let mut out = Vec::new();
                if let Some(min) = &c.min {
                    out.push(format!("{col} < {}", self.sub(min, period)));
                }
                if let Some(max) = &c.max {
                    out.push(format!("{col} > {}", self.sub(max, period)));
                }
                (present, out.join(" OR "))
            }
            Kind::Pattern => {
                let fails = match (&c.validator, &c.regex) {
                    (Some(v), _) => format!("{}({col}::VARCHAR) IS NOT NULL", function_name(v)),
                    (None, Some(re)) => format!(
                        "NOT regexp_full_match(trim({col}::VARCHAR), {})",
                        quote_literal(re)
                    ),
                    (None, None) => "FALSE".to_string(),
                };
                (filled, fails)
            }
            Kind::Reference | Kind::CrossField | Kind::Reconciliation => (
                "TRUE".to_string(),
                self.sub(c.fails.as_deref().unwrap_or("FALSE"), period),
            ),
            Kind::Query => {
                let query = self.sub(c.query.as_deref().unwrap_or("SELECT 1 WHERE FALSE"), period);
                let matched: Vec<String> = table
                    .key
                    .iter()
                    .map(|k| format!("q.{k} IS NOT DISTINCT FROM t.{k}"))
                    .collect();
                (
                    "TRUE".to_string(),
                    format!(
                        "EXISTS (SELECT 1 FROM ({query}) q WHERE {})",
                        matched.join(" AND ")
                    ),
                )
            }
            Kind::Freshness | Kind::RowCount => ("FALSE".to_string(), "FALSE".to_string()),
        };
        let applies = match extra {
            Some(e) => format!("({applies}) AND ({e})"),
            None => applies,
        };
        (applies, fails)
    }

    /// The alias of the check's own join.
    fn alias(&self) -> String {
        format!("dq_{}", self.check.id.replace('.', "_"))
    }

    /// The joins the check's conditions read: the check's own `join`, and for a uniqueness
    /// check the keys that occur more than once.
    pub fn joins(&self, table: &Table, period: NaiveDate, from: Option<NaiveDate>) -> Vec<String> {
        // `${since}`: the first month a run redoes (an incremental run reads the joined table
        // from there on only), the dawn of time for a full run.
        let since_sql = format!("DATE '{}'", since_or_all(from));
        let mut out: Vec<String> = self
            .check
            .join
            .iter()
            .map(|j| self.sub(j, period).replace("${since}", &since_sql))
            .collect();
        if self.check.kind == Kind::Unique {
            let cols = self.unique_columns();
            let mut conds: Vec<String> = cols.iter().map(|k| format!("t.{k} IS NOT NULL")).collect();
            if let Some(e) = &self.check.applies {
                conds.push(format!("({})", self.sub(e, period)));
            }
            // An incremental run looks for the duplicates of the keys it redoes only: keys with
            // their month in them repeat within their months; another one key is looked up.
            if let (Some(m), Some(p)) = (from, table.period_column) {
                if cols.iter().any(|c| c == p) {
                    conds.push(format!("t.{p} >= DATE '{m}'"));
                } else if let [k] = cols.as_slice() {
                    conds.push(format!(
                        "t.{k} IN (SELECT {k} FROM {} WHERE {p} >= DATE '{m}')",
                        table.name
                    ));
                }
            }
            let reads_customer = self.check.applies.as_deref().is_some_and(|a| a.contains("c."));
            let customer = if table.unit_link == UnitLink::ViaCustomer && reads_customer {
                " LEFT JOIN customers c ON c.customer_id = t.customer_id"
            } else {
                ""
            };
            let select: Vec<String> = cols.iter().map(|k| format!("t.{k}")).collect();
            let on: Vec<String> = cols
                .iter()
                .map(|k| format!("{a}.{k} = t.{k}", a = self.alias()))
                .collect();
            out.push(format!(
                "LEFT JOIN (SELECT {}, count(*) AS dq_n FROM {} t{customer} WHERE {} GROUP BY ALL HAVING count(*) > 1) {} ON {}",
                select.join(", "),
                table.name,
                conds.join(" AND "),
                self.alias(),
                on.join(" AND ")
            ));
        }
        out
    }

    fn unique_columns(&self) -> Vec<String> {
        if self.check.columns.is_empty() {
            self.check.column.iter().cloned().collect()
        } else {
            self.check.columns.clone()
        }
    }

    /// The values shown beside a failing row, as a list of text (with the validator's reason
    /// last for a pattern check), from the columns `col(j)` names (j: the position in
    /// `Check::shown_columns`).
    pub fn shown_values_of(&self, col: impl Fn(usize, &str) -> String) -> String {
        let shown = self.check.shown_columns();
        let mut vals: Vec<String> = shown
            .iter()
            .enumerate()
            .map(|(j, c)| format!("{}::VARCHAR", col(j, c)))
            .collect();
        if let (Kind::Pattern, Some(v)) = (self.check.kind, &self.check.validator) {
            vals.push(format!("{}({}::VARCHAR)", function_name(v), col(0, &shown[0])));
        }
        format!("[{}]::VARCHAR[]", vals.join(", "))
    }

    /// The same, read straight from the row.
    pub fn shown_values(&self) -> String {
        self.shown_values_of(|_, c| qualified(c))
    }
}

/// The first month a run redoes, or a day before any data for a full run.
fn since_or_all(from: Option<NaiveDate>) -> NaiveDate {
    from.unwrap_or(NaiveDate::from_ymd_opt(1000, 1, 1).expect("a date"))
}

/// A shown column as SQL: the row's own, or a join's when it names its alias.
fn qualified(column: &str) -> String {
    if column.contains('.') {
        column.to_string()
    } else {
        format!("t.{column}")
    }
}

/// The month filter of an incremental scan.
/// The month filter of an incremental scan, on the raw column (the first of a month: the
/// same rows as on the month, and DuckDB skips the row groups before it).
fn month_filter(b: &Base, from: Option<NaiveDate>) -> String {
    match (from, &b.period_column) {
        (Some(m), Some(col)) => format!("WHERE {col} >= DATE '{m}'"),
        _ => String::new(),
    }
}

/// Failing rows kept per check, unit and month by a scan (the kept rows of a check are
/// then capped in all, `dq::run::KEPT_ROWS`).
pub const KEPT_PER_MONTH: usize = 20;

/// One scan counting, per unit and month, the rows each check applies to and fails on:
/// columns `dq_unit, dq_month`, then `tested_i, failing_i` per check. Each condition is
/// evaluated once per row; the checks' joins are shared.
pub fn counts_sql(table: &Table, checks: &[Bound], period: NaiveDate, from: Option<NaiveDate>) -> String {
    let b = base_with(table, checks, period, from);
    let mut inner = vec![
        format!("{} AS dq_unit", b.unit),
        format!("{} AS dq_month", b.month),
    ];
    let mut outer = vec!["dq_unit".to_string(), "dq_month".to_string()];
    for (i, check) in checks.iter().enumerate() {
        let (applies, fails) = check.conditions(table, period);
        inner.push(format!("coalesce({applies}, FALSE) AS a{i}"));
        inner.push(format!("coalesce(({applies}) AND ({fails}), FALSE) AS x{i}"));
        outer.push(format!("count(*) FILTER (WHERE a{i}) AS tested_{i}"));
        outer.push(format!("count(*) FILTER (WHERE x{i}) AS failing_{i}"));
    }
    format!(
        "SELECT {} FROM (SELECT {} FROM {} {}) GROUP BY ALL",
        outer.join(", "),
        inner.join(", "),
        b.from,
        month_filter(&b, from)
    )
}

/// The first failing rows of checks that fail somewhere, per unit and month: columns
/// `dq_unit, dq_month`, then `kept_i` per check (a list of {k: key, v: shown values}, the
/// first by key). Only the failing rows reach the aggregation (a top-N aggregate over every
/// row costs more than the scan).
pub fn kept_sql(table: &Table, checks: &[Bound], period: NaiveDate, from: Option<NaiveDate>) -> String {
    let b = base_with(table, checks, period, from);
    let mut first = vec![
        format!("{} AS dq_unit", b.unit),
        format!("{} AS dq_month", b.month),
        format!("{} AS dq_key", b.key),
    ];
    let mut second = vec![
        "dq_unit".to_string(),
        "dq_month".to_string(),
        "dq_key".to_string(),
    ];
    let mut any = Vec::new();
    let mut outer = vec!["dq_unit".to_string(), "dq_month".to_string()];
    for (i, check) in checks.iter().enumerate() {
        let (applies, fails) = check.conditions(table, period);
        first.push(format!("coalesce(({applies}) AND ({fails}), FALSE) AS x{i}"));
        for (j, c) in check.check.shown_columns().iter().enumerate() {
            first.push(format!("{} AS s{i}_{j}", qualified(c)));
        }
        second.push(format!("x{i}"));
        second.push(format!(
            "CASE WHEN x{i} THEN {{'k': dq_key, 'v': {}}} END AS v{i}",
            check.shown_values_of(|j, _| format!("s{i}_{j}"))
        ));
        any.push(format!("x{i}"));
        outer.push(format!(
            "min_by(v{i}, dq_key, {KEPT_PER_MONTH}) FILTER (WHERE x{i}) AS kept_{i}"
        ));
    }
    format!(
        "SELECT {} FROM (SELECT {} FROM (SELECT {} FROM {} {}) WHERE {}) GROUP BY ALL",
        outer.join(", "),
        second.join(", "),
        first.join(", "),
        b.from,
        month_filter(&b, from),
        any.join(" OR ")
    )
}

/// The row count check as one query of `dq_unit, dq_month, tested, failing, dq_key, vals`
/// (freshness is judged from a run's own counts, `dq::run`).
pub fn row_count_sql(table: &Table, check: &Bound) -> String {
    let b = base(table);
    let v = |name: &str| format_number(check.values.get(name).copied().unwrap_or(0.0));
    match check.check.kind {
        Kind::RowCount => format!(
            "WITH per AS (SELECT {unit} AS dq_unit, {month} AS dq_month, count(*) AS n FROM {from} \
               WHERE {raw} >= (SELECT date_trunc('month', max({raw})) FROM {from}) - INTERVAL 1 MONTH GROUP BY ALL), \
             latest AS (SELECT max(dq_month) AS m FROM per), \
             pair AS (SELECT dq_unit, sum(n) FILTER (WHERE dq_month = (SELECT m FROM latest)) AS cur, \
               sum(n) FILTER (WHERE dq_month < (SELECT m FROM latest)) AS prev FROM per GROUP BY 1) \
             SELECT dq_unit, (SELECT m FROM latest) AS dq_month, 1 AS tested, \
               (abs(coalesce(cur, 0) - prev) > {pct} / 100 * prev)::INTEGER AS failing, \
               coalesce(dq_unit, '') AS dq_key, \
               [coalesce(cur, 0)::VARCHAR, prev::VARCHAR, strftime((SELECT m FROM latest), '%Y-%m')] AS vals \
             FROM pair WHERE prev > 0",
            unit = b.unit,
            month = b.month,
            raw = b.period_column.clone().unwrap_or_else(|| b.month.clone()),
            from = b.from,
            pct = v("max_change_pct")
        ),
        _ => unreachable!("only the row count is read with a query of its own"),
    }
}

/// The names of the values `table_level_sql` shows, for the problem's words.
pub fn table_level_names(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Freshness => &["last_month"],
        Kind::RowCount => &["rows", "previous", "month"],
        _ => &[],
    }
}

/// All the failing rows of one check (the rows window's "all rows", the worklist export):
/// the row's unit, month and key, the values shown (`vals`, a list), then every column of
/// the table.
pub fn all_failing_sql(table: &Table, check: &Bound, period: NaiveDate, unit_filter: Option<&str>) -> String {
    let b = base_with(table, std::slice::from_ref(check), period, None);
    let (applies, fails) = check.conditions(table, period);
    let cols: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("t.{}", quote_ident(c.name)))
        .collect();
    let unit = match unit_filter {
        Some(u) => format!(
            " AND {} IN (SELECT unit_id FROM org_closure WHERE ancestor_id = {})",
            b.unit,
            quote_literal(u)
        ),
        None => String::new(),
    };
    format!(
        "SELECT {} AS dq_unit, strftime({}, '%Y-%m') AS dq_month, {} AS dq_key, {} AS dq_vals, {} \
         FROM {} WHERE coalesce(({applies}) AND ({fails}), FALSE){unit} ORDER BY 1, 2, 3",
        b.unit,
        b.month,
        b.key,
        check.shown_values(),
        cols.join(", "),
        b.from
    )
}
