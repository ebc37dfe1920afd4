//! `mams_mask(value, kind)`: the masks of `crate::privacy` as a SQL function, so an export
//! that DuckDB writes itself (a CSV of millions of rows by COPY) masks as every other path
//! does, without bringing the rows through Rust first. Defined on each connection when the
//! project opens.

use duckdb::core::{DataChunkHandle, Inserter, LogicalTypeId};
use duckdb::ffi::duckdb_string_t;
use duckdb::types::DuckString;
use duckdb::vscalar::{ScalarFunctionSignature, VScalar};
use duckdb::vtab::arrow::WritableVector;

use crate::privacy::{self, Personal};

/// The function's SQL name.
pub const NAME: &str = "mams_mask";

/// The SQL expression of a masked column: `mams_mask(col::VARCHAR, 'kind') AS col`. `column`
/// is a data-model name, never a user's text.
pub fn masked_column(column: &str, kind: Personal) -> String {
    format!("{NAME}({column}::VARCHAR, '{}') AS {column}", kind.id())
}

struct Mask;

impl VScalar for Mask {
    type State = ();

    fn invoke(
        _: &Self::State,
        input: &mut DataChunkHandle,
        output: &mut dyn WritableVector,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let len = input.len();
        let (values, kinds) = (input.flat_vector(0), input.flat_vector(1));
        // SAFETY: DuckDB hands two VARCHAR vectors of `len` rows, read only within this call.
        let (v, k) = unsafe {
            (
                values.as_slice_with_len::<duckdb_string_t>(len),
                kinds.as_slice_with_len::<duckdb_string_t>(len),
            )
        };
        let mut out = output.flat_vector();
        for row in 0..len {
            if values.row_is_null(row as u64) {
                out.set_null(row);
                continue;
            }
            let text = DuckString::new(&mut { v[row] }).as_str().into_owned();
            let kind = if kinds.row_is_null(row as u64) {
                None
            } else {
                Personal::from_id(&DuckString::new(&mut { k[row] }).as_str())
            };
            // An unknown kind masks as a name would (everything but the first character):
            // never the value in full by mistake.
            let masked = privacy::mask(&text, kind.unwrap_or(Personal::Name));
            out.insert(row, masked.as_str());
        }
        Ok(())
    }

    fn signatures() -> Vec<ScalarFunctionSignature> {
        vec![ScalarFunctionSignature::exact(
            vec![LogicalTypeId::Varchar.into(), LogicalTypeId::Varchar.into()],
            LogicalTypeId::Varchar.into(),
        )]
    }
}

/// Defines the function on a connection.
pub fn install(conn: &duckdb::Connection) -> duckdb::Result<()> {
    conn.register_scalar_function_with_state::<Mask>(NAME, &())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_masks_as_the_rust_policy_does() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        install(&conn).unwrap();
        let row: (String, String, String, Option<String>) = conn
            .query_row(
                "SELECT mams_mask('张三丰', 'name'), mams_mask('110101199003071234', 'id_number'), \
                 mams_mask('13812348000', 'phone'), mams_mask(NULL, 'phone')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(row.0, "张**");
        assert_eq!(row.1, "110***********1234");
        assert_eq!(row.2, "138****8000");
        assert_eq!(row.3, None);
    }
}
