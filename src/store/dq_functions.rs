//! The SQL functions the data quality checks call: `dq_invalid_<validator>(value)` gives the
//! reason a value fails a validator of `dq::validators` (NULL when it is valid or NULL), so a
//! pattern check is a condition of the table's shared scan like any other; and
//! `dq_outside(boundary, lon, lat)` says whether a point lies outside a unit's boundary (a
//! GeoJSON polygon, parsed once per boundary). Defined on each connection when the project
//! opens.

use duckdb::core::{DataChunkHandle, Inserter, LogicalTypeId};
use duckdb::ffi::duckdb_string_t;
use duckdb::types::DuckString;
use duckdb::vscalar::{ScalarFunctionSignature, VScalar};
use duckdb::vtab::arrow::WritableVector;

use std::collections::HashMap;

use crate::dq::validators::{self, Invalid};

type Validator = fn(&str) -> Result<(), Invalid>;

/// A phone is a mobile number or a fixed line.
fn phone(s: &str) -> Result<(), Invalid> {
    validators::mobile_phone(s).or_else(|_| validators::fixed_phone(s))
}

/// An identity number is a resident ID (18 characters, a digit first) or a social credit code.
fn id_number(s: &str) -> Result<(), Invalid> {
    validators::resident_id(s).or_else(|_| validators::social_credit_code(s))
}

/// The validators by the name a check gives them (`dq::checks::VALIDATORS`).
pub const FUNCTIONS: [(&str, Validator); 6] = [
    ("resident_id", validators::resident_id),
    ("social_credit_code", validators::social_credit_code),
    ("id_number", id_number),
    ("mobile_phone", validators::mobile_phone),
    ("phone", phone),
    ("postal_code", validators::postal_code),
];

/// The SQL name of a validator's function.
pub fn function_name(validator: &str) -> String {
    format!("dq_invalid_{validator}")
}

struct Validate;

impl VScalar for Validate {
    type State = Validator;

    fn invoke(
        validate: &Self::State,
        input: &mut DataChunkHandle,
        output: &mut dyn WritableVector,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let len = input.len();
        let values = input.flat_vector(0);
        // SAFETY: DuckDB hands a VARCHAR vector of `len` rows, read only within this call.
        let strings = unsafe { values.as_slice_with_len::<duckdb_string_t>(len) };
        let mut out = output.flat_vector();
        for (row, s) in strings.iter().enumerate() {
            if values.row_is_null(row as u64) {
                out.set_null(row);
                continue;
            }
            let text = DuckString::new(&mut { *s }).as_str().into_owned();
            match validate(&text) {
                Ok(()) => out.set_null(row),
                Err(why) => out.insert(row, why.to_string().as_str()),
            }
        }
        Ok(())
    }

    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(
            vec![LogicalTypeId::Varchar.into()],
            LogicalTypeId::Varchar.into(),
        )]
    }
}

/// The boundaries parsed so far, by their text's hash (a province has a few hundred units;
/// a scan asks for each of them once per row).
type Boundaries = std::sync::Arc<std::sync::Mutex<HashMap<u64, Option<crate::geometry::shape::Area>>>>;

struct Outside;

impl VScalar for Outside {
    type State = Boundaries;

    fn invoke(
        cache: &Self::State,
        input: &mut DataChunkHandle,
        output: &mut dyn WritableVector,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let len = input.len();
        let (texts, lons, lats) = (input.flat_vector(0), input.flat_vector(1), input.flat_vector(2));
        // SAFETY: DuckDB hands VARCHAR, DOUBLE, DOUBLE vectors of `len` rows, read only here.
        let (t, x, y) = unsafe {
            (
                texts.as_slice_with_len::<duckdb_string_t>(len),
                lons.as_slice_with_len::<f64>(len),
                lats.as_slice_with_len::<f64>(len),
            )
        };
        let mut out = output.flat_vector();
        let mut cache = cache.lock().map_err(|_| "the boundary cache was poisoned")?;
        for row in 0..len {
            let r = row as u64;
            if texts.row_is_null(r) || lons.row_is_null(r) || lats.row_is_null(r) {
                out.set_null(row);
                continue;
            }
            let mut cell = t[row];
            let bytes = DuckString::new(&mut cell).as_bytes();
            let key = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                h.finish()
            };
            let area = cache.entry(key).or_insert_with(|| {
                crate::geometry::geojson::parse_area(&String::from_utf8_lossy(bytes)).ok()
            });
            match area {
                // SAFETY: a BOOLEAN output vector of `len` rows.
                Some(a) => unsafe {
                    out.as_mut_slice_with_len::<bool>(len)[row] = !a.contains([x[row], y[row]])
                },
                None => out.set_null(row),
            }
        }
        Ok(())
    }

    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(
            vec![
                LogicalTypeId::Varchar.into(),
                LogicalTypeId::Double.into(),
                LogicalTypeId::Double.into(),
            ],
            LogicalTypeId::Boolean.into(),
        )]
    }
}

/// Defines the functions on a connection.
pub fn install(conn: &duckdb::Connection) -> duckdb::Result<()> {
    for (name, validate) in FUNCTIONS {
        conn.register_scalar_function_with_state::<Validate>(&function_name(name), &validate)?;
    }
    conn.register_scalar_function_with_state::<Outside>("dq_outside", &Boundaries::default())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validators_answer_in_sql_with_their_reason() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        install(&conn).unwrap();
        let rows: Vec<(Option<String>, Option<String>)> = conn
            .prepare(
                "SELECT dq_invalid_resident_id(v), dq_invalid_phone(v) FROM (VALUES \
                 ('11010519491231002X'), ('110101199003071234'), (NULL), ('0571-87654321')) t(v)",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows[0].0, None);
        assert_eq!(
            rows[1].0.as_deref(),
            Some("the check character is 4, it should be 3")
        );
        assert_eq!(rows[2], (None, None));
        assert_eq!(rows[3].1, None);
        assert!(rows[0].1.is_some(), "an ID number is not a phone");
        // A unit's square boundary, written by hand: one point in it, one out, one unknown.
        let square = r#"{"type":"Polygon","coordinates":[[[116,29],[117,29],[117,30],[116,30],[116,29]]]}"#;
        let outside: Vec<Option<bool>> = conn
            .prepare("SELECT dq_outside(b, x, y) FROM (VALUES (?, 116.5, 29.5), (?, 118.0, 29.5), (?, NULL, 29.5)) t(b, x, y)")
            .unwrap()
            .query_map([square, square, square], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(outside, vec![Some(false), Some(true), None]);
    }
}
