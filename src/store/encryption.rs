//! Projects encrypted at rest: DuckDB's own database encryption (AES-GCM), with keys and
//! nonces from the operating system's random generator (`os_random_crypto.cpp`, compiled by
//! build.rs), and its temporary spill files encrypted too. The passphrase is never stored:
//! DuckDB derives the key from it when the file is attached. Without it the file is noise;
//! with a wrong one DuckDB refuses it.
//!
//! An encrypted file is attached to an in-memory DuckDB instance that carries the crypto
//! module (`ATTACH ... (ENCRYPTION_KEY ...)`, then `USE`), because DuckDB reads the key only
//! when attaching.

use std::path::Path;

use duckdb::{Connection, ffi};

use super::quote_literal;

unsafe extern "C" {
    fn mams_install_os_random_crypto(database: ffi::duckdb_database) -> std::os::raw::c_int;
}

/// The name an encrypted project is attached under.
pub const CATALOG: &str = "project";

/// An in-memory DuckDB instance with MAMS's crypto module. Closed on drop.
struct Instance(ffi::duckdb_database);

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the handle came from duckdb_open_ext and every connection to it is gone
        // (`Encrypted` drops its connection first).
        unsafe { ffi::duckdb_close(&mut self.0) };
    }
}

// SAFETY: a DuckDB database handle may be used from any thread.
unsafe impl Send for Instance {}

/// A connection whose default database is an encrypted file.
pub struct Encrypted {
    // Field order: the connection is dropped before the instance it belongs to.
    pub conn: Connection,
    _instance: Instance,
}

fn instance() -> anyhow::Result<(Connection, Instance)> {
    let mut db: ffi::duckdb_database = std::ptr::null_mut();
    let mut err: *mut std::os::raw::c_char = std::ptr::null_mut();
    let memory = c":memory:";
    // SAFETY: out-pointers to locals; a null config means DuckDB's defaults.
    let state = unsafe { ffi::duckdb_open_ext(memory.as_ptr(), &mut db, std::ptr::null_mut(), &mut err) };
    if state != ffi::DuckDBSuccess {
        let detail = if err.is_null() {
            "unknown error".to_string()
        } else {
            // SAFETY: DuckDB set a NUL-terminated message, freed with duckdb_free.
            let s = unsafe { std::ffi::CStr::from_ptr(err) }
                .to_string_lossy()
                .into_owned();
            unsafe { ffi::duckdb_free(err.cast()) };
            s
        };
        anyhow::bail!("cannot start DuckDB: {detail}");
    }
    let instance = Instance(db);
    // SAFETY: db is an open database.
    if unsafe { mams_install_os_random_crypto(db) } != 0 {
        anyhow::bail!("cannot give DuckDB its crypto module");
    }
    // SAFETY: db stays open while the connection lives (Encrypted's field order).
    let conn = unsafe { Connection::open_from_raw(db) }?;
    conn.execute_batch(
        "SET autoinstall_known_extensions = false; SET autoload_known_extensions = false; \
         SET temp_file_encryption = true;",
    )?;
    Ok((conn, instance))
}

/// DuckDB's words for a wrong or missing key, said for a person.
fn refusal(path: &Path, e: duckdb::Error) -> anyhow::Error {
    let detail = e.to_string();
    if detail.contains("Wrong encryption key") {
        crate::said!("{}: the passphrase is wrong", "{}：口令不正确", path.display())
    } else if detail.contains("is not encrypted") {
        crate::said!(
            "{} is not encrypted: open it without a passphrase",
            "{} 未加密：请不带口令打开",
            path.display()
        )
    } else {
        crate::said!("cannot open {}: {}", "无法打开 {}：{}", path.display(), detail)
    }
}

/// Opens an encrypted project file (created when it does not exist) as the connection's
/// default database.
pub fn open(path: &Path, passphrase: &str, read_only: bool) -> anyhow::Result<Encrypted> {
    if passphrase.is_empty() {
        crate::bail_say!("an encrypted project needs a passphrase", "加密项目需要口令");
    }
    let (conn, instance) = instance()?;
    let mode = if read_only { ", READ_ONLY" } else { "" };
    conn.execute_batch(&format!(
        "ATTACH {} AS {CATALOG} (ENCRYPTION_KEY {}{mode}); USE {CATALOG};",
        quote_literal(&path.to_string_lossy()),
        quote_literal(passphrase)
    ))
    .map_err(|e| refusal(path, e))?;
    Ok(Encrypted {
        conn,
        _instance: instance,
    })
}

/// Whether a DuckDB file is encrypted, by its header (DuckDB refuses to attach one without a
/// key).
pub fn is_encrypted(path: &Path) -> anyhow::Result<bool> {
    let (conn, _instance) = instance()?;
    let r = conn.execute_batch(&format!(
        "ATTACH {} AS probe (READ_ONLY); DETACH probe;",
        quote_literal(&path.to_string_lossy())
    ));
    Ok(matches!(r, Err(e) if e.to_string().contains("without a key")))
}

/// Writes an encrypted copy of a plain project file to `to` (which must not exist): every
/// table, view and sequence, by DuckDB's COPY FROM DATABASE. The plain file is left as it is.
pub fn encrypted_copy(from: &Path, to: &Path, passphrase: &str) -> anyhow::Result<()> {
    if to.exists() {
        crate::bail_say!("{} exists already", "{} 已存在", to.display());
    }
    let enc = open(to, passphrase, false)?;
    let r = enc.conn.execute_batch(&format!(
        "ATTACH {} AS plain (READ_ONLY); COPY FROM DATABASE plain TO {CATALOG}; DETACH plain; CHECKPOINT;",
        quote_literal(&from.to_string_lossy())
    ));
    drop(enc);
    if let Err(e) = r {
        let _ = std::fs::remove_file(to);
        let _ = std::fs::remove_file(to.with_extension("duckdb.wal"));
        crate::bail_say!(
            "cannot write the encrypted copy {}: {}",
            "无法写入加密副本 {}：{}",
            to.display(),
            e
        );
    }
    Ok(())
}
