//! The SQL of importing one file into a canonical table. Two ways in:
//! - **direct**: when DuckDB's own parser reads every mapped column (plain numbers, ISO
//!   dates, as systems export them), the file goes straight into its table inside the
//!   import's transaction, and the checks run on the rows it added; rejected rows are
//!   deleted again. This is the fast way for big files.
//! - **staged**: otherwise (full-width digits, 2026年10月, yes/no columns, Parquet, or any
//!   line the direct read could not parse) every value is read as text into a staging
//!   table and converted there by MAMS's tolerant rules, checked, and the good rows moved.
//!
//! Both give the same rejects, with the same row numbers. A [`Batch`] says where the rows
//! being checked are.
//!
//! Names of tables and fields come from the model; source column names and file paths
//! come from the user and are always quoted.

use std::path::Path;

use super::{Project, quote_ident, quote_literal};
use crate::model::mapping::Mapping;
use crate::model::{ColType, Column, Table};

pub const STAGE: &str = "mams_stage";
pub const REJECTS: &str = "mams_rejects";

/// How to read the file.
#[derive(Debug, Clone)]
pub enum Reader {
    /// A delimited text file, UTF-8 where DuckDB reads it. DuckDB does not sniff it: a
    /// damaged file would mislead the sniffer, so the header is read by MAMS and every
    /// column is text.
    Csv {
        /// Lines DuckDB skips before the header (before the data when `header` is false).
        skip: u32,
        /// Whether DuckDB reads past a header line; false when MAMS decoded the header
        /// from another encoding and DuckDB skips it with the lines before it.
        header: bool,
        delimiter: char,
        columns: Vec<String>,
        /// Whether a quoted field holds a line break (a multi-line address): DuckDB's
        /// parallel reader cannot then pad short lines, so the file is read on one thread.
        quoted_breaks: bool,
    },
    Parquet,
}

/// The table function that reads the file, every column as text.
pub fn read_expr(file: &Path, reader: &Reader) -> String {
    read_expr_typed(file, reader, &[])
}

/// The table function that reads the file, the columns named in `types` with their type
/// (source column, DuckDB type), the others as text.
fn read_expr_typed(file: &Path, reader: &Reader, types: &[(String, &str)]) -> String {
    let path = quote_literal(&file.to_string_lossy());
    match reader {
        Reader::Csv {
            skip,
            header,
            delimiter,
            columns,
            quoted_breaks,
        } => {
            let cols: Vec<String> = columns
                .iter()
                .map(|c| {
                    let ty = types.iter().find(|(s, _)| s == c).map_or("VARCHAR", |(_, t)| t);
                    format!("{}: '{ty}'", quote_literal(c))
                })
                .collect();
            format!(
                "read_csv({path}, auto_detect = false, header = {header}, skip = {skip}, delim = {}, quote = '\"', \
                 escape = '\"', columns = {{{}}}, null_padding = true, parallel = {}, store_rejects = true, \
                 rejects_table = 'mams_csv_errors', rejects_scan = 'mams_csv_scans')",
                quote_literal(&delimiter.to_string()),
                cols.join(", "),
                !quoted_breaks
            )
        }
        Reader::Parquet => format!("read_parquet({path})"),
    }
}

/// The column names of the file, in order.
pub fn source_columns(project: &Project, file: &Path, reader: &Reader) -> duckdb::Result<Vec<String>> {
    let mut stmt = project
        .conn()
        .prepare(&format!("DESCRIBE SELECT * FROM {}", read_expr(file, reader)))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// Formats dates and times are read in, tried in order.
const DATE_FORMATS: &str = "['%Y-%m-%d %H:%M:%S', '%Y/%m/%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', \
     '%Y/%m/%d %H:%M', '%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d', '%Y年%m月%d日', '%Y年%m月', '%Y-%m', '%Y/%m']";

/// Translates the labels extracts use for coded values (居民生活, "Large industry") to the
/// codes; a value that is already a code, or unknown, passes through (and an unknown one is
/// rejected by the code-list check).
fn code_translation(list: &str, text: &str) -> String {
    let mut arms = String::new();
    for c in crate::codes::list(list) {
        for label in [c.zh, c.en] {
            if label != c.code {
                arms.push_str(&format!(
                    " WHEN {} THEN {}",
                    quote_literal(label),
                    quote_literal(c.code)
                ));
            }
        }
    }
    if arms.is_empty() {
        text.to_string()
    } else {
        format!("CASE {text}{arms} ELSE {text} END")
    }
}

/// Converts the text `raw` to the column's type; NULL when it does not convert.
fn convert(col: &Column, raw: &str, scale: f64) -> String {
    let text = format!("nullif(trim({raw}), '')");
    // Full-width digits and separators as written by Chinese input methods, spaces and
    // thousands separators are cleaned. Plain numbers take the fast path; only the rest is
    // cleaned (DuckDB evaluates the second argument of coalesce only where the first is
    // NULL). A comma must group thousands (1,234,567.5): "1.234,5" (a European decimal) or
    // "12,5" is not read as some other number but rejected.
    let cleaned =
        format!("replace(translate({text}, '０１２３４５６７８９．，－＋', '0123456789.,-+'), ' ', '')");
    let number = format!(
        "coalesce(TRY_CAST({text} AS DOUBLE), \
         CASE WHEN regexp_full_match({cleaned}, '[+-]?(\\d{{1,3}}(,\\d{{3}})+|\\d+)(\\.\\d+)?') \
         THEN TRY_CAST(replace({cleaned}, ',', '') AS DOUBLE) END)"
    );
    let scaled = if scale == 1.0 {
        number
    } else {
        format!("({number} * {scale})")
    };
    // Compact forms (20261031, 202610) are expanded before parsing.
    let date_text = format!(
        "CASE WHEN regexp_full_match({text}, '\\d{{8}}') THEN substr({text}, 1, 4) || '-' || substr({text}, 5, 2) || '-' || substr({text}, 7, 2) \
         WHEN regexp_full_match({text}, '\\d{{6}}') THEN substr({text}, 1, 4) || '-' || substr({text}, 5, 2) ELSE {text} END"
    );
    // ISO dates and times (what most systems export) take DuckDB's fast cast.
    let timestamp =
        format!("coalesce(TRY_CAST({text} AS TIMESTAMP), try_strptime({date_text}, {DATE_FORMATS}))");
    match col.ty {
        ColType::Text => match col.code_list {
            Some(list) => code_translation(list, &text),
            None => text,
        },
        ColType::Real => scaled,
        ColType::Int => format!("TRY_CAST(round({scaled}) AS BIGINT)"),
        ColType::Bool => format!(
            "CASE lower({text}) WHEN '1' THEN true WHEN 'true' THEN true WHEN 't' THEN true WHEN 'y' THEN true \
             WHEN 'yes' THEN true WHEN '是' THEN true WHEN '0' THEN false WHEN 'false' THEN false WHEN 'f' THEN false \
             WHEN 'n' THEN false WHEN 'no' THEN false WHEN '否' THEN false END"
        ),
        ColType::Date if col.name.contains("month") => format!("date_trunc('month', {timestamp})::DATE"),
        ColType::Date => format!("{timestamp}::DATE"),
        ColType::Timestamp => timestamp,
    }
}

/// The row number of a staged row: its position in the file (1 = the first data row).
/// The staging table is filled in file order, so this is its `rowid` counted from the
/// first one (rowids of a table made inside a transaction do not start at 0); no window
/// function has to number 10M rows.
const ROW: &str = "(rowid - (SELECT min(rowid) FROM mams_stage) + 1)";

/// Where the rows of the file being checked are.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The relation that holds them: the staging table or the target table.
    from: String,
    /// Selects them in `from`.
    only: String,
    /// The row number in the file (1 = the first data row) of one of them.
    row: String,
    /// Selects the target table's rows stored before this file.
    stored: String,
    /// Read straight into the table: empty required fields hold a placeholder (the table
    /// does not take NULL there), and there is no `__bad`.
    direct: bool,
    /// Rows the file brought.
    pub rows: u64,
}

impl Batch {
    fn staged(rows: u64) -> Batch {
        Batch {
            from: STAGE.to_string(),
            only: "true".to_string(),
            row: ROW.to_string(),
            stored: "true".to_string(),
            direct: false,
            rows,
        }
    }

    /// Whether the rows were read straight into the table.
    pub fn is_direct(&self) -> bool {
        self.direct
    }

    /// Whether field `c` holds a value (not NULL, not the placeholder of a missing one).
    fn present(&self, c: &Column) -> String {
        if self.direct && c.required {
            format!("({} IS NOT NULL AND NOT {})", c.name, is_placeholder(c))
        } else {
            format!("{} IS NOT NULL", c.name)
        }
    }

    /// The batch's rows that have no reject.
    fn good(&self) -> String {
        format!(
            "{} AND {} NOT IN (SELECT row_number FROM {REJECTS} WHERE row_number IS NOT NULL)",
            self.only, self.row
        )
    }

    /// The rows of the file that will be stored, as a SELECT.
    pub fn good_rows(&self) -> String {
        format!("SELECT * FROM {} WHERE {}", self.from, self.good())
    }
}

/// What a direct read stores in an empty required field, by type; those rows are rejected
/// and deleted before the transaction ends. (A required yes/no never goes the direct way.)
fn placeholder(ty: ColType) -> &'static str {
    match ty {
        ColType::Text => "chr(1) || 'mams:missing'",
        // Not NaN: a NaN in the file is a bad number, not a missing one.
        ColType::Real => "(-1.7976931348623157e308)::DOUBLE",
        ColType::Int => "(-9223372036854775807 - 1)",
        ColType::Date => "'-infinity'::DATE",
        ColType::Timestamp | ColType::Bool => "'-infinity'::TIMESTAMP",
    }
}

fn is_placeholder(c: &Column) -> String {
    format!("{} = {}", c.name, placeholder(c.ty))
}

/// The type DuckDB's CSV parser reads a field of type `ty` with on the direct way.
fn native_type(ty: ColType) -> Option<&'static str> {
    match ty {
        ColType::Real | ColType::Int => Some("DOUBLE"),
        ColType::Date => Some("DATE"),
        ColType::Timestamp => Some("TIMESTAMP"),
        ColType::Text | ColType::Bool => None,
    }
}

/// Rows of the file's start that decide whether the direct way is tried.
const DIRECT_SAMPLE_ROWS: usize = 5000;

/// The types (source column, DuckDB type) to read the file with on the direct way, when
/// DuckDB's parser reads every mapped value of the file's first rows as MAMS would (plain
/// numbers, ISO dates). None for Parquet, for yes/no fields, and when some value needs
/// MAMS's tolerant conversion; such a file is staged.
pub fn direct_types(
    project: &Project,
    table: &Table,
    mapping: &Mapping,
    file: &Path,
    reader: &Reader,
) -> duckdb::Result<Option<Vec<(String, &'static str)>>> {
    if matches!(reader, Reader::Parquet) {
        return parquet_is_native(project, table, mapping, file).map(|native| native.then(Vec::new));
    }
    let mut types = Vec::new();
    let mut odd = Vec::new();
    for c in table.columns.iter().filter(|c| c.ty != ColType::Text) {
        let Some(m) = mapping.source_of(c.name) else {
            continue;
        };
        let Some(ty) = native_type(c.ty) else {
            return Ok(None);
        };
        // Spaces around a value are trimmed by MAMS but may not be by the parser.
        let v = format!("src.{}", quote_ident(&m.source));
        odd.push(format!(
            "count(*) FILTER (WHERE nullif(trim({v}), '') IS NOT NULL AND ({v} <> trim({v}) OR TRY_CAST({v} AS {ty}) IS NULL))"
        ));
        types.push((m.source.clone(), ty));
    }
    if odd.is_empty() {
        return Ok(Some(types));
    }
    let sql = format!(
        "SELECT {} FROM (SELECT * FROM {} LIMIT {DIRECT_SAMPLE_ROWS}) AS src",
        odd.iter()
            .map(|o| format!("{o} = 0"))
            .collect::<Vec<_>>()
            .join(" AND "),
        read_expr(file, reader)
    );
    let all_native: bool = project.conn().query_row(&sql, [], |r| r.get(0))?;
    Ok(all_native.then_some(types))
}

/// Whether every mapped column of a Parquet file holds its field's type already
/// (`loading::holds_type`): it is then read straight into its table, else staged as text
/// and converted.
fn parquet_is_native(
    project: &Project,
    table: &Table,
    mapping: &Mapping,
    file: &Path,
) -> duckdb::Result<bool> {
    let types = super::loading::parquet_columns(project, file)?;
    Ok(table.columns.iter().all(|c| {
        let Some(m) = mapping.source_of(c.name) else {
            return true;
        };
        let Some(f) = types.iter().find(|f| f.name == m.source) else {
            return false;
        };
        // A required yes/no has no placeholder for "missing" in its table: staged.
        super::loading::holds_type(c.ty, &f.ty) && !(matches!(c.ty, ColType::Bool) && c.required)
    }))
}

/// Reads the file straight into its table (see the module doc). Returns None, with the
/// table as it was, when some line did not parse with `types` (a malformed line, a value
/// that needs MAMS's tolerant conversion further down the file): the file is then staged.
pub fn insert_direct(
    project: &Project,
    table: &Table,
    mapping: &Mapping,
    file: &Path,
    reader: &Reader,
    types: &[(String, &'static str)],
) -> duckdb::Result<Option<Batch>> {
    let conn = project.conn();
    let last_stored = format!("SELECT coalesce(max(rowid), -1) FROM {}", table.name);
    let after: i64 = conn.query_row(&last_stored, [], |r| r.get(0))?;
    let mut names = Vec::new();
    let mut values = Vec::new();
    for c in table.columns {
        let Some(m) = mapping.source_of(c.name) else {
            continue;
        };
        let mut v = format!("src.{}", quote_ident(&m.source));
        if matches!(reader, Reader::Parquet) {
            // The file's own types, checked by `parquet_is_native`: a cast that cannot fail.
            let ty = match c.ty {
                ColType::Real | ColType::Int => "DOUBLE",
                other => other.sql(),
            };
            v = format!("CAST({v} AS {ty})");
        }
        let value = match c.ty {
            ColType::Real if m.scale != 1.0 => format!("({v} * {})", m.scale),
            ColType::Real | ColType::Timestamp => v,
            ColType::Int => format!("TRY_CAST(round({v} * {}) AS BIGINT)", m.scale),
            ColType::Date if c.name.contains("month") => format!("date_trunc('month', {v})::DATE"),
            ColType::Date => v,
            // Tidied afterwards, on the few rows that need it (see `tidy_text`).
            ColType::Text | ColType::Bool => v,
        };
        names.push(c.name);
        values.push(if c.required {
            format!("coalesce({value}, {})", placeholder(c.ty))
        } else {
            value
        });
    }
    let sql = format!(
        "INSERT INTO {} ({}) SELECT {} FROM {} AS src",
        table.name,
        names.join(", "),
        values.join(", "),
        read_expr_typed(file, reader, types)
    );
    tracing::trace!("direct read: {sql}");
    let started = std::time::Instant::now();
    let n = conn.execute(&sql, [])? as u64;
    tracing::debug!("import step: direct insert took {:?}", started.elapsed());
    let new_rows = format!("rowid > {after}");
    if !csv_errors(project)?.is_empty() {
        conn.execute(&format!("DELETE FROM {} WHERE {new_rows}", table.name), [])?;
        return Ok(None);
    }
    let first: i64 = conn.query_row(
        &format!(
            "SELECT coalesce(min(rowid), 0) FROM {} WHERE {new_rows}",
            table.name
        ),
        [],
        |r| r.get(0),
    )?;
    let batch = Batch {
        from: table.name.to_string(),
        only: new_rows,
        // Rows are added in file order with consecutive rowids.
        row: format!("(rowid - {first} + 1)"),
        stored: format!("rowid <= {after}"),
        direct: true,
        rows: n,
    };
    let started = std::time::Instant::now();
    tidy_text(project, table, mapping, &batch)?;
    tracing::trace!("import step: text tidied in {:?}", started.elapsed());
    Ok(Some(batch))
}

/// Text read straight into the table is tidied as the staged way converts it (trimmed,
/// empty as NULL, code-list labels as codes), but only on the rows that need it: finding
/// them costs far less than trimming every value of a big file.
fn tidy_text(project: &Project, table: &Table, mapping: &Mapping, batch: &Batch) -> duckdb::Result<()> {
    let mut sets = Vec::new();
    let mut needs_any = Vec::new();
    for c in table.columns.iter().filter(|c| c.ty == ColType::Text) {
        if mapping.source_of(c.name).is_none() {
            continue;
        }
        let name = c.name;
        let mut needs = format!("{name} LIKE ' %' OR {name} LIKE '% ' OR {name} = ''");
        if let Some(list) = c.code_list {
            needs.push_str(&format!(
                " OR {name} NOT IN (SELECT code FROM code_lists WHERE list = {})",
                quote_literal(list)
            ));
        }
        let needs = format!("({} AND ({needs}))", batch.present(c));
        let mut fixed = convert(c, name, 1.0);
        if c.required {
            fixed = format!("coalesce({fixed}, {})", placeholder(c.ty));
        }
        sets.push(format!("{name} = CASE WHEN {needs} THEN {fixed} ELSE {name} END"));
        needs_any.push(needs);
    }
    if sets.is_empty() {
        return Ok(());
    }
    project.conn().execute(
        &format!(
            "UPDATE {} SET {} WHERE {} AND ({})",
            table.name,
            sets.join(", "),
            batch.only,
            needs_any.join(" OR ")
        ),
        [],
    )?;
    Ok(())
}

/// Separators inside `__bad`: between fields, and between a field's name and raw text.
const FIELD_SEP: &str = "chr(30)";
const VALUE_SEP: &str = "chr(31)";

/// The text a reject shows as the value of field `c` (conversion failures show the raw
/// text, taken from `__bad`).
fn raw_value(c: &Column) -> String {
    format!("CAST({} AS VARCHAR)", c.name)
}

/// Creates the staging table: every field converted to its type (`<field>`), and
/// `__bad`: for a row where some text did not convert, "field<US>raw text" per such field
/// (separated by RS); '' for the (many) good rows. Keeping only that, not every raw value,
/// halves what is written for a big file.
pub fn stage(
    project: &Project,
    table: &Table,
    mapping: &Mapping,
    file: &Path,
    reader: &Reader,
) -> duckdb::Result<Batch> {
    let mut cols = Vec::new();
    let mut bad = Vec::new();
    for c in table.columns {
        match mapping.source_of(c.name) {
            Some(m) => {
                let raw = format!("CAST(src.{} AS VARCHAR)", quote_ident(&m.source));
                let converted = convert(c, &raw, m.scale);
                if c.ty != ColType::Text {
                    bad.push(format!(
                        "CASE WHEN nullif(trim({raw}), '') IS NOT NULL AND ({converted}) IS NULL \
                         THEN '{}' || {VALUE_SEP} || {raw} END",
                        c.name
                    ));
                }
                cols.push(format!("{converted} AS {}", c.name));
            }
            None => cols.push(format!("CAST(NULL AS {}) AS {}", c.ty.sql(), c.name)),
        }
    }
    cols.push(if bad.is_empty() {
        "'' AS __bad".to_string()
    } else {
        format!("concat_ws({FIELD_SEP}, {}) AS __bad", bad.join(", "))
    });
    let sql = format!(
        "CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT {} FROM {} AS src",
        cols.join(", "),
        read_expr(file, reader)
    );
    project.conn().execute_batch(&sql)?;
    let n: i64 = project
        .conn()
        .query_row(&format!("SELECT count(*) FROM {STAGE}"), [], |r| r.get(0))?;
    Ok(Batch::staged(n as u64))
}

/// Whether `__bad` names field `name` (its text did not convert).
fn bad_has(name: &str) -> String {
    format!("contains({FIELD_SEP} || __bad, {FIELD_SEP} || '{name}' || {VALUE_SEP})")
}

/// Lines the CSV reader could not parse (unbalanced quotes, too many columns...):
/// (line, message) pairs.
pub fn csv_errors(project: &Project) -> duckdb::Result<Vec<(i64, String)>> {
    let exists: i64 = project.conn().query_row(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'mams_csv_errors'",
        [],
        |r| r.get(0),
    )?;
    if exists == 0 {
        return Ok(Vec::new());
    }
    let mut stmt = project
        .conn()
        .prepare("SELECT line, min(coalesce(error_message, error_type)) FROM mams_csv_errors GROUP BY line ORDER BY line")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    rows.collect()
}

/// Malformed lines, as the row numbers of the rows read where each of them would have been:
/// rows are numbered as DuckDB read them (a malformed line is not read), and shifted back to
/// the file's own numbering only where they are shown or kept (`FILE_ROW`).
const MALFORMED: &str = "mams_malformed_lines";

/// A reject's row number in the file: the row number as read, plus the malformed lines at
/// or before it.
const FILE_ROW: &str =
    "row_number + (SELECT count(*) FROM mams_malformed_lines m WHERE m.at_row <= row_number)";

/// Notes the malformed lines of the file, as data rows (1 = the first data row).
pub fn note_malformed(project: &Project, mut data_rows: Vec<i64>) -> duckdb::Result<()> {
    data_rows.sort_unstable();
    data_rows.dedup();
    // The j-th malformed row (from 0) sits where the rows read number `row - j`.
    let mut app = project.conn().appender(MALFORMED)?;
    for (j, row) in data_rows.iter().enumerate() {
        app.append_row([row - j as i64])?;
    }
    app.flush()
}

/// Starts an empty rejects list.
pub fn reset_rejects(project: &Project) -> duckdb::Result<()> {
    project.conn().execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE {REJECTS} (row_number BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR, detail VARCHAR);\
         CREATE OR REPLACE TEMP TABLE {MALFORMED} (at_row BIGINT);\
         DROP TABLE IF EXISTS mams_csv_errors; DROP TABLE IF EXISTS mams_csv_scans;"
    ))
}

pub fn add_reject(
    project: &Project,
    row: Option<i64>,
    column: Option<&str>,
    value: Option<&str>,
    reason: &str,
    detail: &str,
) -> duckdb::Result<()> {
    project.conn().execute(
        &format!("INSERT INTO {REJECTS} VALUES (?, ?, ?, ?, ?)"),
        duckdb::params![row, column, value, reason, detail],
    )?;
    Ok(())
}

/// Adds a reject for every row of the batch where `condition` holds, showing `value`;
/// returns how many.
fn reject_where(
    project: &Project,
    batch: &Batch,
    condition: &str,
    value: &str,
    source: &str,
    reason: &str,
    detail: &str,
) -> duckdb::Result<u64> {
    let sql = format!(
        "INSERT INTO {REJECTS} SELECT {}, ?, {value}, ?, ? FROM {} WHERE {} AND ({condition})",
        batch.row, batch.from, batch.only
    );
    let started = std::time::Instant::now();
    let n = project
        .conn()
        .execute(&sql, duckdb::params![source, reason, detail])?;
    tracing::trace!("check {reason} of {source}: {n} rows in {:?}", started.elapsed());
    Ok(n as u64)
}

/// Today, for the "date in the future" check, as the OS gives it.
fn tomorrow() -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(1)).to_string()
}

/// Texts that did not convert to their field's type, from `__bad`, in one pass.
fn conversion_failures(project: &Project, table: &Table, mapping: &Mapping) -> duckdb::Result<()> {
    let mut fields = Vec::new();
    for c in table.columns.iter().filter(|c| c.ty != ColType::Text) {
        let Some(m) = mapping.source_of(c.name) else {
            continue;
        };
        let (reason, what) = match c.ty {
            ColType::Real | ColType::Int => ("bad_number", "a number"),
            ColType::Bool => ("bad_bool", "yes/no (1/0, true/false, 是/否)"),
            _ => ("bad_date", "a date or time"),
        };
        fields.push(format!(
            "({}, {}, {}, {})",
            quote_literal(c.name),
            quote_literal(&m.source),
            quote_literal(reason),
            quote_literal(&format!("{}: not {what}", m.source))
        ));
    }
    if fields.is_empty() {
        return Ok(());
    }
    project.conn().execute_batch(&format!(
        "INSERT INTO {REJECTS} \
         SELECT b.r, f.source, split_part(b.x, {VALUE_SEP}, 2), f.reason, f.detail \
         FROM (SELECT rowid - (SELECT min(rowid) FROM {STAGE}) + 1 AS r, unnest(string_split(__bad, {FIELD_SEP})) AS x \
               FROM {STAGE} WHERE __bad <> '') b \
         JOIN (VALUES {}) AS f(field, source, reason, detail) ON split_part(b.x, {VALUE_SEP}, 1) = f.field",
        fields.join(", ")
    ))
}

/// Validates the batch field by field and row by row; the failures go to the rejects
/// list.
pub fn validate(project: &Project, table: &Table, mapping: &Mapping, batch: &Batch) -> duckdb::Result<()> {
    let tomorrow = tomorrow();
    if !batch.direct {
        conversion_failures(project, table, mapping)?;
    }
    for c in table.columns {
        let source = mapping
            .source_of(c.name)
            .map(|m| m.source.as_str())
            .unwrap_or(c.name);
        let name = c.name;
        let present = batch.present(c);
        let check = |condition: &str, reason: &str, detail: &str| {
            reject_where(project, batch, condition, &raw_value(c), source, reason, detail)
        };
        if let Some(list) = c.code_list {
            check(
                &format!(
                    "{present} AND {name} NOT IN (SELECT code FROM code_lists WHERE list = {})",
                    quote_literal(list)
                ),
                "unknown_code",
                &format!("{source}: not a code of list {list} (see docs/data-model.md)"),
            )?;
        }
        if matches!(
            c.unit,
            "kWh" | "kVA" | "kW" | "kWh register" | "customers" | "day"
        ) {
            check(
                &format!("{present} AND {name} < 0"),
                "negative",
                &format!("{source}: {name} cannot be negative"),
            )?;
        }
        if matches!(c.ty, ColType::Real) {
            // `1e400` and `nan` read as numbers that are not: never stored as such.
            check(
                &format!("{present} AND (isinf({name}) OR isnan({name}))"),
                "bad_number",
                &format!("{source}: not a finite number"),
            )?;
        }
        if matches!(c.ty, ColType::Date | ColType::Timestamp) {
            // Year 0000 or 0001 is a placeholder of the source system, not a date.
            check(
                &format!("{present} AND {name} < DATE '1900-01-01'"),
                "bad_date",
                &format!("{source}: a date before 1900"),
            )?;
        }
        // Dates that belong in the future: deadlines, validity ends, the due date of this
        // month's bill, and the calendar's days (holidays are published ahead).
        if matches!(c.ty, ColType::Date | ColType::Timestamp)
            && !matches!(c.name, "meter_due_on" | "valid_to" | "deadline_at" | "due_on")
            && table.name != "work_calendar"
        {
            check(
                &format!("{present} AND {name} >= DATE '{tomorrow}'"),
                "future_date",
                &format!("{source}: the date is in the future"),
            )?;
        }
        if c.required {
            let missing = match (batch.direct, c.ty) {
                (true, _) => is_placeholder(c),
                (false, ColType::Text) => format!("{name} IS NULL"),
                (false, _) => format!("{name} IS NULL AND NOT {}", bad_has(name)),
            };
            reject_where(
                project,
                batch,
                &missing,
                "NULL",
                source,
                "missing_required",
                &format!("{source} is empty but {name} is required"),
            )?;
        }
    }
    duplicate_keys(project, table, batch)
}

/// Keys repeated inside the file: every row after the first. The repeated keys are found
/// first (usually none), so only their rows are numbered.
fn duplicate_keys(project: &Project, table: &Table, batch: &Batch) -> duckdb::Result<()> {
    let key = table.key.join(", ");
    let present = table
        .key
        .iter()
        .filter_map(|k| table.column(k))
        .map(|c| batch.present(c))
        .collect::<Vec<_>>()
        .join(" AND ");
    let conn = project.conn();
    let started = std::time::Instant::now();
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE mams_repeated AS SELECT {key} FROM {} WHERE {} AND {present} \
         GROUP BY ALL HAVING count(*) > 1",
        batch.from, batch.only
    ))?;
    let repeated: i64 = conn.query_row("SELECT count(*) FROM mams_repeated", [], |r| r.get(0))?;
    tracing::trace!("check repeated keys: {repeated} keys in {:?}", started.elapsed());
    if repeated > 0 {
        conn.execute(
            &format!(
                "INSERT INTO {REJECTS} SELECT r, NULL, key_text, 'duplicate_key', 'the key {} occurs more than once in the file' \
                 FROM (SELECT {} AS r, {} AS key_text, row_number() OVER (PARTITION BY {key} ORDER BY rowid) AS k \
                       FROM {} WHERE {} AND ({key}) IN (SELECT ({key}) FROM mams_repeated)) WHERE k > 1",
                table.key.join(" + "),
                batch.row,
                key_text(table),
                batch.from,
                batch.only,
            ),
            [],
        )?;
    }
    conn.execute_batch("DROP TABLE mams_repeated")
}

/// A row's key as one text ("3100000001 / 2025-12-01"), for the rejects list.
fn key_text(table: &Table) -> String {
    table
        .key
        .iter()
        .map(|k| format!("coalesce(CAST({k} AS VARCHAR), '')"))
        .collect::<Vec<_>>()
        .join(" || ' / ' || ")
}

/// Rows naming a `field` value missing from `parent.parent_column` (and, for a table that
/// refers to itself, from the file too) are rejected.
pub fn check_reference(
    project: &Project,
    table: &Table,
    mapping: &Mapping,
    batch: &Batch,
    (field, parent, parent_column): (&str, &str, &str),
) -> duckdb::Result<u64> {
    let (Some(column), Some(m)) = (table.column(field), mapping.source_of(field)) else {
        return Ok(0);
    };
    let in_file = if parent == table.name {
        format!(
            " AND {field} NOT IN (SELECT {parent_column} FROM {} WHERE {} AND {parent_column} IS NOT NULL)",
            batch.from, batch.only
        )
    } else {
        String::new()
    };
    // Only the parent rows the file names are looked up: a small file does not hash every
    // bill of the project (2 s for 17 payments against 23M bills).
    let named = format!("SELECT {field} FROM {} WHERE {}", batch.from, batch.only);
    reject_where(
        project,
        batch,
        &format!(
            "{} AND {field} NOT IN (SELECT {parent_column} FROM {parent} WHERE {parent_column} IN ({named})){in_file}",
            batch.present(column)
        ),
        &raw_value(column),
        &m.source,
        "unknown_reference",
        &format!("{}: no such {parent_column} in {parent}", m.source),
    )
}

/// Months of the good rows that the table already has rows for: (month, stored rows).
pub fn overlapping_periods(
    project: &Project,
    table: &Table,
    batch: &Batch,
) -> duckdb::Result<Vec<(chrono::NaiveDate, u64)>> {
    let Some(p) = table.period_column else {
        return Ok(Vec::new());
    };
    let sql = format!(
        "SELECT date_trunc('month', {p})::DATE AS m, count(*) FROM {} WHERE {} \
         AND date_trunc('month', {p})::DATE IN (SELECT DISTINCT date_trunc('month', {p})::DATE FROM {} WHERE {}) \
         GROUP BY 1 ORDER BY 1",
        table.name,
        batch.stored,
        batch.from,
        batch.good()
    );
    let mut stmt = project.conn().prepare(&sql)?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, chrono::NaiveDate>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    rows.collect()
}

/// Deletes the stored rows of the months the file brings.
pub fn delete_periods(
    project: &Project,
    table: &Table,
    batch: &Batch,
    months: &[chrono::NaiveDate],
) -> duckdb::Result<u64> {
    let Some(p) = table.period_column else {
        return Ok(0);
    };
    let mut n = 0;
    for m in months {
        // The prebuilt sums of the deleted rows' units and months are redone too.
        super::sums_scope::note_rows(
            project,
            table.name,
            &format!(
                "SELECT * FROM {} WHERE {} AND date_trunc('month', {p})::DATE = DATE '{m}'",
                table.name, batch.stored
            ),
        )?;
        n += project.conn().execute(
            &format!(
                "DELETE FROM {} WHERE {} AND date_trunc('month', {p})::DATE = ?",
                table.name, batch.stored
            ),
            [m],
        )? as u64;
    }
    Ok(n)
}

/// For a table not placed in time (the archive, org units...), stored rows with a key the
/// file brings are replaced: the file is the newer snapshot.
pub fn delete_matching_keys(project: &Project, table: &Table, batch: &Batch) -> duckdb::Result<u64> {
    let key = table.key.join(", ");
    let n = project.conn().execute(
        &format!(
            "DELETE FROM {} WHERE {} AND ({key}) IN (SELECT ({key}) FROM {} WHERE {})",
            table.name,
            batch.stored,
            batch.from,
            batch.good()
        ),
        [],
    )?;
    Ok(n as u64)
}

/// Good rows whose key is already stored (in months that are kept) are rejected.
pub fn reject_stored_keys(project: &Project, table: &Table, batch: &Batch) -> duckdb::Result<u64> {
    // Often there is nothing stored to clash with (a new month after its months were
    // replaced): then the join over every row of the file is not worth running.
    let any_stored: bool = project.conn().query_row(
        &format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE {})",
            table.name, batch.stored
        ),
        [],
        |r| r.get(0),
    )?;
    if !any_stored {
        return Ok(0);
    }
    let key = table.key.join(", ");
    let n = project.conn().execute(
        &format!(
            "INSERT INTO {REJECTS} SELECT {}, NULL, {}, 'duplicate_key', 'the key {} is already stored (in a month this import does not replace)' \
             FROM {} WHERE {} AND ({key}) IN (SELECT ({key}) FROM {} WHERE {})",
            batch.row,
            key_text(table),
            table.key.join(" + "),
            batch.from,
            batch.good(),
            table.name,
            batch.stored
        ),
        [],
    )?;
    Ok(n as u64)
}

/// Leaves the good rows of the batch in the table: moves them there from the staging
/// table, or (direct) deletes the rejected ones. Returns how many are stored.
pub fn store_good_rows(project: &Project, table: &Table, batch: &Batch) -> duckdb::Result<u64> {
    let rejected = format!(
        "{} IN (SELECT row_number FROM {REJECTS} WHERE row_number IS NOT NULL)",
        batch.row
    );
    if batch.direct {
        let deleted = project.conn().execute(
            &format!("DELETE FROM {} WHERE {} AND {rejected}", table.name, batch.only),
            [],
        )?;
        return Ok(batch.rows - deleted as u64);
    }
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let n = project.conn().execute(
        &format!(
            "INSERT INTO {} ({}) SELECT {} FROM {STAGE} WHERE NOT {rejected}",
            table.name,
            names.join(", "),
            names.join(", ")
        ),
        [],
    )?;
    Ok(n as u64)
}

/// The first `n` rows of the file as text, before any conversion.
pub fn raw_sample(
    project: &Project,
    file: &Path,
    reader: &Reader,
    n: usize,
) -> duckdb::Result<Vec<Vec<String>>> {
    let mut stmt = project
        .conn()
        .prepare(&format!("SELECT * FROM {} LIMIT {n}", read_expr(file, reader)))?;
    let mut rows = stmt.query([])?;
    let width = rows.as_ref().map(|s| s.column_count()).unwrap_or(0);
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(width);
        for i in 0..width {
            row.push(super::queries::value_to_string(
                &r.get::<_, duckdb::types::Value>(i)?,
            ));
        }
        out.push(row);
    }
    Ok(out)
}

/// The first `n` staged rows as they would be stored, as text.
pub fn sample_rows(
    project: &Project,
    table: &Table,
    batch: &Batch,
    n: usize,
) -> duckdb::Result<Vec<Vec<String>>> {
    let names: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let values: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            if batch.direct && c.required {
                format!("CASE WHEN {} THEN NULL ELSE {} END", is_placeholder(c), c.name)
            } else {
                c.name.to_string()
            }
        })
        .collect();
    let mut stmt = project.conn().prepare(&format!(
        "SELECT {} FROM {} WHERE {} ORDER BY rowid LIMIT {n}",
        values.join(", "),
        batch.from,
        batch.only
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(names.len());
        for i in 0..names.len() {
            row.push(super::queries::value_to_string(
                &r.get::<_, duckdb::types::Value>(i)?,
            ));
        }
        out.push(row);
    }
    Ok(out)
}

/// One rejected row (or line) as listed to the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    pub row_number: Option<i64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
    pub detail: String,
}

/// The first `limit` rejects, in file order. (All of them are kept in the project's
/// `import_rejects`; a file of the wrong kind can have millions, which are not all held
/// in memory.)
pub fn rejects(project: &Project, limit: usize) -> duckdb::Result<Vec<Reject>> {
    let mut stmt = project.conn().prepare(&format!(
        "SELECT {FILE_ROW} AS row_number, column_name, value, reason, detail FROM {REJECTS} \
         ORDER BY row_number NULLS FIRST, column_name LIMIT {limit}"
    ))?;
    let rows = stmt.query_map([], |r| {
        Ok(Reject {
            row_number: r.get(0)?,
            column: r.get(1)?,
            value: r.get(2)?,
            reason: r.get(3)?,
            detail: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// Rows of the file that have at least one reject.
pub fn rejected_rows(project: &Project) -> duckdb::Result<u64> {
    let n: i64 = project.conn().query_row(
        &format!("SELECT count(DISTINCT row_number) FROM {REJECTS} WHERE row_number IS NOT NULL"),
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Lines of the file that could not be read (their rejects have no row number).
pub fn malformed_lines(project: &Project) -> duckdb::Result<u64> {
    let n: i64 = project.conn().query_row(
        &format!("SELECT count(*) FROM {REJECTS} WHERE row_number IS NULL"),
        [],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// Keeps the rejects with the import record.
pub fn keep_rejects(project: &Project, import_id: i64, file_name: &str) -> duckdb::Result<()> {
    project.conn().execute(
        &format!(
            "INSERT INTO import_rejects SELECT ?, ?, {FILE_ROW}, column_name, value, reason, detail FROM {REJECTS}"
        ),
        duckdb::params![import_id, file_name],
    )?;
    Ok(())
}
