//! DuckDB's own parser, asked how many statements a text holds, before a query a user wrote
//! (a project rule, a console query) runs.
//!
//! Why not let the connection find out: duckdb-rs's `prepare` runs every statement but the
//! last one before preparing that one, so `SELECT 1) q; DROP TABLE payments; SELECT (1`
//! inside a wrapper would drop the table before anything could be checked. The count comes
//! from a database of its own, in memory, with no access to files and no project attached:
//! parsing there touches nothing.

use std::ffi::{CStr, CString};

use duckdb::ffi;

/// What DuckDB's parser makes of a text: how many statements, or its error.
pub fn statement_count(sql: &str) -> Result<usize, String> {
    let text = CString::new(sql).map_err(|_| "the query holds a NUL character".to_string())?;
    let parser = Parser::open()?;
    let mut extracted: ffi::duckdb_extracted_statements = std::ptr::null_mut();
    // SAFETY: `parser.con` is a live connection (checked in `open`), `text` outlives the
    // call, and `extracted` is destroyed below whatever the outcome.
    let n = unsafe { ffi::duckdb_extract_statements(parser.con, text.as_ptr(), &mut extracted) };
    let result = if n == 0 {
        // SAFETY: on failure DuckDB keeps the message in `extracted` until it is destroyed.
        let message = unsafe {
            let e = ffi::duckdb_extract_statements_error(extracted);
            if e.is_null() {
                "the query could not be parsed".to_string()
            } else {
                CStr::from_ptr(e).to_string_lossy().into_owned()
            }
        };
        Err(message)
    } else {
        Ok(n as usize)
    };
    // SAFETY: `extracted` came from `duckdb_extract_statements` (null-safe in DuckDB).
    unsafe { ffi::duckdb_destroy_extracted(&mut extracted) };
    result
}

/// An in-memory database and a connection to it, closed when dropped.
struct Parser {
    db: ffi::duckdb_database,
    con: ffi::duckdb_connection,
}

impl Parser {
    fn open() -> Result<Parser, String> {
        let mut p = Parser {
            db: std::ptr::null_mut(),
            con: std::ptr::null_mut(),
        };
        // SAFETY: a null path opens an in-memory database; both out-pointers are valid, and
        // `Drop` closes whatever was opened.
        unsafe {
            if ffi::duckdb_open(std::ptr::null(), &mut p.db) != ffi::DuckDBSuccess {
                return Err("cannot start DuckDB's parser".into());
            }
            if ffi::duckdb_connect(p.db, &mut p.con) != ffi::DuckDBSuccess {
                return Err("cannot start DuckDB's parser".into());
            }
        }
        Ok(p)
    }
}

impl Drop for Parser {
    fn drop(&mut self) {
        // SAFETY: each handle is either null or was opened by `open` and is closed once.
        unsafe {
            if !self.con.is_null() {
                ffi::duckdb_disconnect(&mut self.con);
            }
            if !self.db.is_null() {
                ffi::duckdb_close(&mut self.db);
            }
        }
    }
}

/// Checks that `sql` is one statement, by DuckDB's parser; else says what it holds.
pub fn one_statement(sql: &str) -> Result<(), String> {
    match statement_count(sql)? {
        1 => Ok(()),
        n => Err(format!("one SELECT only: the query holds {n} statements")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_counted_by_duckdbs_parser_not_by_semicolons() {
        assert_eq!(statement_count("SELECT 1").unwrap(), 1);
        assert_eq!(
            statement_count("SELECT ';' AS a; -- and ; in a comment").unwrap(),
            1
        );
        assert_eq!(statement_count("SELECT 1; SELECT 2").unwrap(), 2);
        // The escape a wrapper alone does not stop: close the subquery, add a statement.
        let wrapped = "SELECT * FROM (\nSELECT 1) q; DROP TABLE payments; SELECT * FROM (SELECT 1\n) AS q";
        assert_eq!(statement_count(wrapped).unwrap(), 3);
        assert!(one_statement(wrapped).unwrap_err().contains("3 statements"));
        assert!(statement_count("SELEC 1").is_err());
        assert!(statement_count("SELECT 1 /* a comment\n; DROP TABLE t; */").is_ok_and(|n| n == 1));
    }
}
