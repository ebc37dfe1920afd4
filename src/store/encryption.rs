//! Projects encrypted at rest: DuckDB's own database encryption (AES-GCM), with keys and
//! nonces from the operating system's random generator (`os_random_crypto.cpp`, compiled by
//! build.rs), and its temporary spill files encrypted too. The passphrase is never stored:
//! DuckDB derives the key from it when the file is attached. Without it the file is noise;
//! with a wrong one DuckDB refuses it.
//!
//! The passphrase is stretched into a key first (`keys`).
//!
//! An encrypted file is attached to an in-memory DuckDB instance that carries the crypto
//! module (`ATTACH ... (ENCRYPTION_KEY ...)`, then `USE`), because DuckDB reads the key only
//! when attaching.

use std::io::Read;
use std::path::Path;

use duckdb::{Connection, ffi};

use super::keys::Key;
use super::quote_literal;

unsafe extern "C" {
    fn mams_install_os_random_crypto(database: ffi::duckdb_database) -> std::os::raw::c_int;
}

/// The name an encrypted project is attached under.
pub const CATALOG: &str = "project";

/// An in-memory DuckDB instance with MAMS's crypto module. Closed on drop, after every
/// connection to it (a `Project` and an `Encrypted` hold it after their connection).
pub struct Instance(ffi::duckdb_database);

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the handle came from duckdb_open_ext and every connection to it is gone
        // (its holders drop their connection first).
        unsafe { ffi::duckdb_close(&mut self.0) };
    }
}

// SAFETY: a DuckDB database handle may be used from any thread.
unsafe impl Send for Instance {}

/// A connection whose default database is an encrypted file.
pub struct Encrypted {
    // Field order: the connection is dropped before the instance it belongs to.
    pub conn: Connection,
    pub instance: Instance,
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

/// Why an encrypted file did not open.
#[derive(Debug)]
pub enum OpenError {
    /// The key does not open the file.
    WrongKey,
    /// DuckDB's words (a lock held by another process, a corrupt file...).
    Other(duckdb::Error),
    /// The instance could not be made.
    Start(anyhow::Error),
}

impl OpenError {
    /// DuckDB says a wrong key in the text of its error (it has no code for it).
    fn of(e: duckdb::Error) -> OpenError {
        if e.to_string().contains("Wrong encryption key") {
            OpenError::WrongKey
        } else {
            OpenError::Other(e)
        }
    }
}

impl OpenError {
    /// The error said for a person, naming the file.
    pub fn said(self, path: &Path) -> anyhow::Error {
        match self {
            OpenError::WrongKey => crate::said!(
                "{}: the passphrase is wrong; nothing was changed",
                "{}：口令不正确；未做任何改动",
                path.display()
            ),
            OpenError::Other(e) => {
                crate::said!("cannot open {}: {}", "无法打开 {}：{}", path.display(), e)
            }
            OpenError::Start(e) => e,
        }
    }
}

/// Opens an encrypted project file (created when it does not exist) as the connection's
/// default database. Its spill files go, encrypted, to `<file>.tmp` as a plain project's do.
pub fn open(path: &Path, key: &Key, read_only: bool) -> Result<Encrypted, OpenError> {
    let (conn, instance) = instance().map_err(OpenError::Start)?;
    let mode = if read_only { ", READ_ONLY" } else { "" };
    let mut spill = path.as_os_str().to_owned();
    spill.push(".tmp");
    conn.execute_batch(&format!(
        "ATTACH {} AS {CATALOG} (ENCRYPTION_KEY {}{mode}); USE {CATALOG}; SET temp_directory = {};",
        quote_literal(&path.to_string_lossy()),
        quote_literal(key.as_sql_text()),
        quote_literal(&std::path::PathBuf::from(spill).to_string_lossy()),
    ))
    .map_err(OpenError::of)?;
    Ok(Encrypted { conn, instance })
}

/// Whether a DuckDB file is encrypted: bit 0 of the first flag word of its main header
/// (bytes 20 to 27, after the checksum, "DUCK" and the version; DuckDB's `MainHeader`).
/// A file too short to hold it is not.
pub fn is_encrypted(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 28];
    let mut f = std::fs::File::open(path)?;
    match f.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let flags = u64::from_le_bytes(head[20..28].try_into().expect("eight bytes"));
    Ok(&head[8..12] == b"DUCK" && flags & 1 == 1)
}

/// Writes a copy of the project file `from` (opened with `from_key` if it is encrypted) to
/// `to`, which must not exist, encrypted with `to_key` or plain without one: every table,
/// view, sequence and macro, by DuckDB's COPY FROM DATABASE, then checks that every table
/// has as many rows in the copy. `from` is held for writing meanwhile (no other program
/// can change it) and checkpointed, its content unchanged. On failure nothing is left at
/// `to`.
pub fn copy(from: &Path, from_key: Option<&Key>, to: &Path, to_key: Option<&Key>) -> anyhow::Result<()> {
    if to.exists() {
        crate::bail_say!("{} exists already", "{} 已存在", to.display());
    }
    let (conn, instance) = instance()?;
    let key = |k: Option<&Key>| match k {
        Some(k) => format!("(ENCRYPTION_KEY {})", quote_literal(k.as_sql_text())),
        None => String::new(),
    };
    conn.execute_batch(&format!(
        "ATTACH {} AS source {}; CHECKPOINT source;",
        quote_literal(&from.to_string_lossy()),
        key(from_key)
    ))
    .map_err(|e| OpenError::of(e).said(from))?;
    let r = conn
        .execute_batch(&format!(
            "ATTACH {} AS target {}; COPY FROM DATABASE source TO target;",
            quote_literal(&to.to_string_lossy()),
            key(to_key)
        ))
        .map_err(anyhow::Error::from)
        .and_then(|()| same_rows(&conn))
        .and_then(|()| Ok(conn.execute_batch("CHECKPOINT target; DETACH target; DETACH source;")?));
    if let Err(e) = r {
        drop(conn);
        drop(instance);
        super::remove_project_files(to);
        crate::bail_say!(
            "cannot write the copy {}: {}",
            "无法写入副本 {}：{}",
            to.display(),
            e
        );
    }
    Ok(())
}

/// Checks that every table of `source` has as many rows in `target`.
fn same_rows(conn: &Connection) -> anyhow::Result<()> {
    let tables: Vec<(String, String)> = conn
        .prepare(
            "SELECT schema_name, table_name FROM duckdb_tables() \
             WHERE database_name = 'source' AND NOT temporary ORDER BY ALL",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (schema, table) in tables {
        let name = format!("{}.{}", super::quote_ident(&schema), super::quote_ident(&table));
        let (a, b): (i64, i64) = conn.query_row(
            &format!("SELECT (SELECT count(*) FROM source.{name}), (SELECT count(*) FROM target.{name})"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if a != b {
            anyhow::bail!("table {table} has {a} rows but {b} in the copy");
        }
    }
    Ok(())
}

/// Puts the project file at `path`, now opened with `from_key` (None: plain), under
/// `to_key` (None: plain): a checked copy beside it (`copy`), moved into its place by one
/// rename. Until the rename the file is as it was; a failure leaves it so. The old content
/// is gone from the file, though not necessarily from the disk's free blocks.
pub fn reseal(path: &Path, from_key: Option<&Key>, to_key: Option<&Key>) -> anyhow::Result<()> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staged = path.with_file_name(format!(".{file}.reseal-{}", std::process::id()));
    super::remove_project_files(&staged);
    copy(path, from_key, &staged, to_key)?;
    let mut wal = path.as_os_str().to_owned();
    wal.push(".wal");
    if Path::new(&wal).exists() {
        // Another program opened the file after the copy let it go: its writes would be
        // lost, and its log does not fit the new file.
        super::remove_project_files(&staged);
        crate::bail_say!(
            "{} was opened by another program meanwhile; nothing was changed, try again once it is closed",
            "{} 在此期间被其他程序打开；未做任何改动，请在其关闭后重试",
            path.display()
        );
    }
    std::fs::rename(&staged, path).map_err(|e| {
        super::remove_project_files(&staged);
        crate::said!(
            "cannot put the new file in place of {}: {}; nothing was changed",
            "无法用新文件替换 {}：{}；未做任何改动",
            path.display(),
            e
        )
    })?;
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself reaches the disk.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}
