//! The project file: one DuckDB database holding the imported data and everything MAMS
//! records. All DuckDB access in MAMS goes through this module.

pub mod access_log;
pub mod activity;
pub mod audit;
pub mod bulletins;
pub mod calendar;
pub mod cases;
pub mod commitments;
pub mod decks;
pub mod devices;
pub mod dq;
pub mod dq_functions;
pub mod encryption;
pub mod evaluations;
pub mod keys;
pub mod kpi;
mod kpi_direct;
pub mod lake;
pub mod loading;
pub mod map;
pub mod market;
pub mod mask_function;
pub mod memory;
pub mod onsite;
pub mod parser;
pub mod profiles;
pub mod queries;
pub mod risks;
pub mod rows;
pub mod schema;
pub mod scratch;
pub mod service;
pub mod staging;
pub mod sums_scope;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use duckdb::{AccessMode, Config, Connection, InterruptHandle};

pub use schema::SCHEMA_VERSION;

/// Why a project could not be opened or created. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("project file {0} does not exist")]
    NotFound(PathBuf),
    #[error("{0} already exists; choose another name or open it instead")]
    AlreadyExists(PathBuf),
    #[error("{0} is not a DuckDB database file (it may be corrupt or of another format)")]
    NotDuckDb(PathBuf),
    #[error("{0} is a DuckDB database but not a MAMS project (it has no mams_meta table)")]
    NotMams(PathBuf),
    #[error(
        "{path} was written by a newer MAMS (project schema version {found}; this MAMS reads up to {supported}). Update MAMS to open it; the file was left untouched"
    )]
    NewerVersion {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error(
        "{path} is open in {detail}. A project is open for writing in one program at a time: close it there (or quit that program), then open it here. Several programs can read it at once only while none of them writes (`mams sql` and `mams info` open it read-only)"
    )]
    Locked { path: PathBuf, detail: String },
    #[error("cannot open {path}: {detail}")]
    Unreadable { path: PathBuf, detail: String },
    #[error("upgrading {path} to schema version {to} failed, nothing was changed: {detail}")]
    MigrationFailed { path: PathBuf, to: i64, detail: String },
    #[error(
        "{0} is encrypted and opens only with its passphrase (the app asks for it; on the command line type it when asked, or give --passphrase-file)"
    )]
    Encrypted(PathBuf),
    #[error("{0}: the passphrase is wrong; nothing was changed")]
    WrongPassphrase(PathBuf),
}

impl crate::text::Bilingual for ProjectError {
    fn text(&self) -> crate::text::Text {
        use crate::say;
        match self {
            ProjectError::NotFound(p) => say!(
                "project file {} does not exist",
                "项目文件 {} 不存在",
                p.display()
            ),
            ProjectError::AlreadyExists(p) => say!(
                "{} already exists; choose another name or open it instead",
                "{} 已存在；请换一个名称，或直接打开它",
                p.display()
            ),
            ProjectError::NotDuckDb(p) => say!(
                "{} is not a DuckDB database file (it may be corrupt or of another format)",
                "{} 不是 DuckDB 数据库文件（可能已损坏，或是其他格式）",
                p.display()
            ),
            ProjectError::NotMams(p) => say!(
                "{} is a DuckDB database but not a MAMS project (it has no mams_meta table)",
                "{} 是 DuckDB 数据库，但不是 MAMS 项目（没有 mams_meta 表）",
                p.display()
            ),
            ProjectError::NewerVersion {
                path,
                found,
                supported,
            } => say!(
                "{} was written by a newer MAMS (project schema version {}; this MAMS reads up to {}). Update MAMS to open it; the file was left untouched",
                "{} 由较新版本的 MAMS 写入（项目结构版本 {}；本版本最高可读 {}）。请升级 MAMS 后再打开；文件未被改动",
                path.display(),
                found,
                supported
            ),
            ProjectError::Locked { path, detail } => say!(
                "{} is open in {}. A project is open for writing in one program at a time: close it there (or quit that program), then open it here. Several programs can read it at once only while none of them writes (`mams sql` and `mams info` open it read-only)",
                "{} 已在 {} 中打开。一个项目同一时间只能由一个程序写入：请在那里关闭它（或退出该程序），再在这里打开。只有在没有程序写入时，多个程序才能同时读取它（`mams sql` 和 `mams info` 以只读方式打开）",
                path.display(),
                detail
            ),
            ProjectError::Unreadable { path, detail } => {
                say!("cannot open {}: {}", "无法打开 {}：{}", path.display(), detail)
            }
            ProjectError::MigrationFailed { path, to, detail } => say!(
                "upgrading {} to schema version {} failed, nothing was changed: {}",
                "将 {} 升级到结构版本 {} 失败，未做任何改动：{}",
                path.display(),
                to,
                detail
            ),
            ProjectError::Encrypted(p) => say!(
                "{} is encrypted and opens only with its passphrase (the app asks for it; on the command line type it when asked, or give --passphrase-file)",
                "{} 已加密，只能用其口令打开（应用会询问口令；命令行中按提示输入，或使用 --passphrase-file）",
                p.display()
            ),
            ProjectError::WrongPassphrase(p) => say!(
                "{}: the passphrase is wrong; nothing was changed",
                "{}：口令不正确；未做任何改动",
                p.display()
            ),
        }
    }
}

/// An open MAMS project.
pub struct Project {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// The only folder DuckDB may touch files in (see `scratch`).
    scratch: PathBuf,
    /// The memory DuckDB may use (see `memory`).
    memory: memory::Budget,
    /// The months the data cover, with the fingerprint of the data they were read for
    /// (reading them scans every fact table: about 0.9 s on a 1M-customer project).
    pub(crate) months_cache: std::sync::Mutex<Option<(String, Vec<chrono::NaiveDate>)>>,
    /// The DuckDB instance an encrypted project is attached to; declared after `conn` so
    /// that the connection is dropped first.
    encryption: Option<encryption::Instance>,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .field("encrypted", &self.encryption.is_some())
            .finish()
    }
}

/// DuckDB files carry the magic "DUCK" at byte 8.
fn looks_like_duckdb(path: &Path) -> std::io::Result<bool> {
    let mut head = [0u8; 12];
    let mut f = std::fs::File::open(path)?;
    let mut read = 0;
    while read < head.len() {
        let n = f.read(&mut head[read..])?;
        if n == 0 {
            return Ok(false);
        }
        read += n;
    }
    Ok(&head[8..12] == b"DUCK")
}

/// Who holds a locked project, from DuckDB's words "Conflicting lock is held in
/// /usr/bin/mams (PID 4242) by user alice": "MAMS (process 4242 of alice)".
fn holder(detail: &str) -> Option<String> {
    let rest = &detail[detail.find("Conflicting lock is held in ")? + "Conflicting lock is held in ".len()..];
    let (program, rest) = rest.split_once(" (PID ")?;
    let (pid, rest) = rest.split_once(')')?;
    let user = rest
        .trim_start()
        .strip_prefix("by user ")
        .map(|u| u.split(['.', ' ', '\n']).next().unwrap_or(u).to_string());
    let name = Path::new(program.trim())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = if name == "mams" || name == "mams.exe" {
        "MAMS".to_string()
    } else {
        name
    };
    Some(match user {
        Some(u) => format!("{name} (process {pid} of {u})"),
        None => format!("{name} (process {pid})"),
    })
}

fn classify_open_error(path: &Path, err: duckdb::Error) -> ProjectError {
    let detail = err.to_string();
    // DuckDB's own words for a file another process holds: not any "lock" (a corrupt file is
    // reported "in block N").
    let locked = ["Could not set lock on file", "Conflicting lock is held"]
        .iter()
        .any(|w| detail.contains(w));
    if locked {
        let held_by = holder(&detail).unwrap_or_else(|| "the file is locked".to_string());
        ProjectError::Locked {
            path: path.to_path_buf(),
            detail: held_by,
        }
    } else {
        ProjectError::Unreadable {
            path: path.to_path_buf(),
            detail,
        }
    }
}

/// DuckDB settings of every connection MAMS opens: extensions are never downloaded (MAMS
/// works offline; what it needs is compiled in), so a function that would need one fails
/// at once with a clear error instead of trying the network.
fn offline_config(mode: AccessMode, external_access: bool) -> duckdb::Result<Config> {
    Config::default()
        .access_mode(mode)?
        .enable_external_access(external_access)?
        .enable_autoload_extension(false)?
        .with("autoinstall_known_extensions", "false")
}

fn connect(path: &Path, mode: AccessMode, external_access: bool) -> Result<Connection, ProjectError> {
    let config = offline_config(mode, external_access).map_err(|e| classify_open_error(path, e))?;
    Connection::open_with_flags(path, config).map_err(|e| classify_open_error(path, e))
}

/// A connection to a project file, with the instance an encrypted file is attached to.
struct Link {
    // Field order: the connection is dropped before its instance.
    conn: Connection,
    instance: Option<encryption::Instance>,
}

/// The key of a project file if it is encrypted (from this process's key ring or its
/// prompt); `Encrypted` when no passphrase could be had.
fn key_for(path: &Path) -> Result<Option<keys::Key>, ProjectError> {
    match encryption::is_encrypted(path) {
        Ok(false) => Ok(None),
        Ok(true) => keys::for_file(path)
            .map(Some)
            .ok_or_else(|| ProjectError::Encrypted(path.to_path_buf())),
        Err(e) => Err(ProjectError::Unreadable {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
    }
}

/// Opens a project file, plain or (with its key) encrypted, with the same offline settings.
fn link(
    path: &Path,
    key: Option<&keys::Key>,
    read_only: bool,
    external_access: bool,
) -> Result<Link, ProjectError> {
    let Some(key) = key else {
        let mode = if read_only {
            AccessMode::ReadOnly
        } else {
            AccessMode::ReadWrite
        };
        return Ok(Link {
            conn: connect(path, mode, external_access)?,
            instance: None,
        });
    };
    let enc = encryption::open(path, key, read_only).map_err(|e| match e {
        encryption::OpenError::WrongKey => {
            // The next attempt asks again.
            keys::forget(path);
            ProjectError::WrongPassphrase(path.to_path_buf())
        }
        encryption::OpenError::Other(e) => classify_open_error(path, e),
        encryption::OpenError::Start(e) => ProjectError::Unreadable {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
    })?;
    if !external_access {
        enc.conn
            .execute_batch("SET enable_external_access = false")
            .map_err(|e| classify_open_error(path, e))?;
    }
    Ok(Link {
        conn: enc.conn,
        instance: Some(enc.instance),
    })
}

/// The memory budget of a new connection, with the limit of queries set.
fn budget(path: &Path, conn: &Connection) -> Result<memory::Budget, ProjectError> {
    let budget = memory::Budget::read(conn);
    budget
        .apply(conn, memory::Work::Queries)
        .map_err(|e| classify_open_error(path, e))?;
    Ok(budget)
}

/// Opens a project for writing, with file access confined to its private folder (and to the
/// lake it reads, if it is attached to one).
fn connect_writer(
    path: &Path,
    key: Option<&keys::Key>,
    lake: Option<&Path>,
) -> Result<(Link, PathBuf), ProjectError> {
    let dir = scratch::folder_for(path);
    let unusable = |detail: String| ProjectError::Unreadable {
        path: path.to_path_buf(),
        detail,
    };
    scratch::prepare(&dir).map_err(|e| {
        unusable(format!(
            "cannot create the private folder for temporary files {}: {e}",
            dir.display()
        ))
    })?;
    let link = link(path, key, false, true)?;
    let mut allowed = vec![dir.as_path()];
    allowed.extend(lake);
    scratch::confine(&link.conn, &allowed)
        .map_err(|e| unusable(format!("cannot confine file access: {e}")))?;
    Ok((link, dir))
}

/// A plain DuckDB database for MAMS's own scratch work (the sample generator writes its
/// Parquet files through one), with the same offline settings as projects.
pub fn scratch_database(path: &Path) -> duckdb::Result<Connection> {
    Connection::open_with_flags(path, offline_config(AccessMode::ReadWrite, true)?)
}

/// What opening a project needs to know first.
struct Inspected {
    version: i64,
    key: Option<keys::Key>,
    /// The lake folder an attached project reads (`crate::lake::attach`).
    lake: Option<PathBuf>,
}

/// Where an attached project keeps the lake folder it reads.
pub(crate) const LAKE_FOLDER_KEY: &str = "lake_folder";

/// Reads the schema version of a project (and the lake it reads, if any) without changing
/// anything, with its key if it is encrypted.
fn inspect(path: &Path) -> Result<Inspected, ProjectError> {
    if !path.exists() {
        return Err(ProjectError::NotFound(path.to_path_buf()));
    }
    match looks_like_duckdb(path) {
        Ok(true) => {}
        Ok(false) => return Err(ProjectError::NotDuckDb(path.to_path_buf())),
        Err(e) => {
            return Err(ProjectError::Unreadable {
                path: path.to_path_buf(),
                detail: e.to_string(),
            });
        }
    }
    let key = key_for(path)?;
    let link = link(path, key.as_ref(), true, false)?;
    let conn = &link.conn;
    let has_meta: i64 = conn
        .query_row(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = 'mams_meta'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| classify_open_error(path, e))?;
    if has_meta == 0 {
        return Err(ProjectError::NotMams(path.to_path_buf()));
    }
    let meta = |key: &str| -> Option<String> {
        conn.query_row("SELECT value FROM mams_meta WHERE key = ?", [key], |r| r.get(0))
            .ok()
    };
    if meta("app").as_deref() != Some(schema::APP_MARKER) {
        return Err(ProjectError::NotMams(path.to_path_buf()));
    }
    let version = meta("schema_version")
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| ProjectError::Unreadable {
            path: path.to_path_buf(),
            detail: "mams_meta has no valid schema_version".into(),
        })?;
    if version > SCHEMA_VERSION {
        return Err(ProjectError::NewerVersion {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    let lake = meta(LAKE_FOLDER_KEY).map(PathBuf::from);
    if let Some(lake) = &lake
        && !lake.join(crate::lake::MANIFEST).is_file()
    {
        // Its data tables are that lake's files: without them every page would fail.
        return Err(ProjectError::Unreadable {
            path: path.to_path_buf(),
            detail: format!(
                "it reads the lake in {}, which is not there (moved, or on a disk not connected); \
                 connect it, or attach the lake anew with mams lake attach",
                lake.display()
            ),
        });
    }
    Ok(Inspected { version, key, lake })
}

impl Project {
    /// Opens an existing project for reading and writing, upgrading its schema if it is
    /// older. A newer, foreign, corrupt or locked file is refused and left untouched.
    /// An encrypted one opens with the key this process knows for it, or with the
    /// passphrase its prompt gets (`keys`); else it is refused with `Encrypted`.
    pub fn open(path: &Path) -> Result<Project, ProjectError> {
        let Inspected { version, key, lake } = inspect(path)?;
        let (link, scratch) = connect_writer(path, key.as_ref(), lake.as_deref())?;
        let project = Project {
            memory: budget(path, &link.conn)?,
            conn: link.conn,
            path: path.to_path_buf(),
            read_only: false,
            scratch,
            months_cache: Default::default(),
            encryption: link.instance,
        };
        if version < SCHEMA_VERSION {
            project.migrate(version)?;
        }
        project.install_macros()
    }

    /// Defines what every query of the project may call (the connection time limits).
    fn install_macros(self) -> Result<Project, ProjectError> {
        commitments::install(&self).map_err(|e| ProjectError::Unreadable {
            path: self.path.clone(),
            detail: format!("the connection time limits could not be read: {e}"),
        })?;
        dq_functions::install(&self.conn).map_err(|e| ProjectError::Unreadable {
            path: self.path.clone(),
            detail: format!("the data quality functions could not be defined: {e}"),
        })?;
        mask_function::install(&self.conn).map_err(|e| ProjectError::Unreadable {
            path: self.path.clone(),
            detail: format!("the masking function could not be defined: {e}"),
        })?;
        Ok(self)
    }

    /// Opens a project so that nothing can be written: neither the project nor, through
    /// COPY or ATTACH, any other file. Used for `mams sql` and `mams info`.
    pub fn open_read_only(path: &Path) -> Result<Project, ProjectError> {
        let Inspected { version, key, lake } = inspect(path)?;
        if version < SCHEMA_VERSION {
            // An older project must be opened once read-write to be upgraded.
            drop(Project::open(path)?);
        }
        let link = link(path, key.as_ref(), true, lake.is_some())?;
        if let Some(lake) = &lake {
            // An attached project's data tables read the lake's files, and nothing else.
            scratch::confine(&link.conn, &[lake]).map_err(|e| classify_open_error(path, e))?;
        }
        Project {
            memory: budget(path, &link.conn)?,
            conn: link.conn,
            path: path.to_path_buf(),
            read_only: true,
            scratch: scratch::folder_for(path),
            months_cache: Default::default(),
            encryption: link.instance,
        }
        .install_macros()
    }

    /// Creates a new, empty project. Fails if the file exists. On failure no file is left.
    pub fn create(path: &Path) -> Result<Project, ProjectError> {
        Project::create_sealed(path, None)
    }

    /// Creates a new, empty project encrypted with `key` (`keys::derive` of the passphrase;
    /// check it with `keys::weak` first), which this process then keeps for it.
    pub fn create_encrypted(path: &Path, key: keys::Key) -> Result<Project, ProjectError> {
        let project = Project::create_sealed(path, Some(&key))?;
        keys::remember(path, key);
        Ok(project)
    }

    fn create_sealed(path: &Path, key: Option<&keys::Key>) -> Result<Project, ProjectError> {
        if path.exists() {
            return Err(ProjectError::AlreadyExists(path.to_path_buf()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| ProjectError::Unreadable {
                path: path.to_path_buf(),
                detail: format!("cannot create folder {}: {e}", dir.display()),
            })?;
        }
        let result = connect_writer(path, key, None).and_then(|(link, scratch)| {
            let project = Project {
                memory: budget(path, &link.conn)?,
                conn: link.conn,
                path: path.to_path_buf(),
                read_only: false,
                scratch,
                months_cache: Default::default(),
                encryption: link.instance,
            };
            project.migrate(0)?;
            project.install_macros()
        });
        if result.is_err() {
            remove_project_files(path);
        }
        result
    }

    /// Encrypts the project file at `path` under `to` (`keys::derive` of a passphrase
    /// checked with `keys::weak`), changes the passphrase of an encrypted one, or with None
    /// makes it plain again, which the access log records first (the whole file leaves its
    /// protection). The file must not be open, in this process either. An older project is
    /// upgraded first. See `encryption::reseal` for what a failure leaves.
    pub fn reseal(path: &Path, to: Option<keys::Key>) -> anyhow::Result<()> {
        let Inspected {
            version, key: from, ..
        } = inspect(path)?;
        if version < SCHEMA_VERSION {
            drop(Project::open(path)?);
        }
        if from.is_none() && to.is_none() {
            crate::bail_say!("{} is not encrypted", "{} 未加密", path.display());
        }
        if to.is_none() {
            let p = Project::open(path)?;
            let customers: i64 = p
                .conn
                .query_row("SELECT count(*) FROM customers", [], |r| r.get(0))?;
            let kinds: Vec<String> = crate::privacy::Personal::ALL
                .iter()
                .map(|k| k.id().to_string())
                .collect();
            access_log::record(
                &p,
                &access_log::Entry::now("decrypt", "the whole project file", &kinds, customers as u64),
            )?;
        }
        encryption::reseal(path, from.as_ref(), to.as_ref())?;
        keys::forget(path);
        if let Some(k) = to {
            keys::remember(path, k);
        }
        Ok(())
    }

    /// The lake folder the project reads, if it is attached to one (`crate::lake::attach`).
    pub fn lake_folder(&self) -> Option<PathBuf> {
        self.meta(LAKE_FOLDER_KEY).ok().flatten().map(PathBuf::from)
    }

    /// Refuses an import into a project attached to a lake: its data tables are the lake's
    /// files, read in place, and MAMS writes no lake.
    pub fn refuse_import_if_attached(&self) -> anyhow::Result<()> {
        if let Some(lake) = self.lake_folder() {
            crate::bail_say!(
                "nothing can be imported into {}: it reads the lake in {} (mams lake attach), whose \
                 files are its data tables; import into the project the lake was exported from, \
                 export it again and attach anew",
                "无法向 {} 导入数据：它直接读取 {} 中的数据湖（mams lake attach），其数据表即该数据湖的文件；\
                 请导入到导出该数据湖的项目，重新导出后再次挂接",
                self.display_name(),
                lake.display()
            );
        }
        Ok(())
    }

    /// Opens the project, creating it first if there is no file yet.
    pub fn open_or_create(path: &Path) -> Result<Project, ProjectError> {
        if path.exists() {
            Project::open(path)
        } else {
            Project::create(path)
        }
    }

    fn migrate(&self, from: i64) -> Result<(), ProjectError> {
        let mut sql = format!("BEGIN TRANSACTION;\n{}", schema::migrations_from(from));
        if from == 0 {
            // Local time from the OS: DuckDB's own local time needs the ICU extension.
            let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
            sql.push_str(&format!(
                "INSERT INTO mams_meta VALUES ('created_at', '{now}');\n"
            ));
        }
        sql.push_str("COMMIT;");
        self.conn.execute_batch(&sql).map_err(|e| {
            let _ = self.conn.execute_batch("ROLLBACK");
            ProjectError::MigrationFailed {
                path: self.path.clone(),
                to: SCHEMA_VERSION,
                detail: e.to_string(),
            }
        })
    }

    /// A second connection to this project, for reads on another thread while this one
    /// works (the phone server): the same database, its settings and functions, marked
    /// read-only (run its reads in `read_only_run`, where DuckDB refuses every write). DuckDB
    /// versions rows, so its reads neither wait for this connection's writes nor see them
    /// before they commit. It may outlive this `Project`: DuckDB keeps the database open
    /// until its last connection closes.
    pub fn reader(&self) -> Result<Project, ProjectError> {
        let unreadable = |e: duckdb::Error| classify_open_error(&self.path, e);
        let conn = self.conn.try_clone().map_err(unreadable)?;
        if self.encryption.is_some() {
            // The catalog a connection reads by default is its own setting.
            conn.execute_batch(&format!("USE {}", encryption::CATALOG))
                .map_err(unreadable)?;
        }
        Project {
            memory: self.memory,
            conn,
            path: self.path.clone(),
            read_only: true,
            scratch: self.scratch.clone(),
            months_cache: Default::default(),
            encryption: None,
        }
        .install_macros()
    }

    /// Runs `f` in one transaction: everything it wrote is committed, or on any error
    /// (a cancel included) nothing is.
    pub fn transaction<T>(&self, f: impl FnOnce(&Project) -> anyhow::Result<T>) -> anyhow::Result<T> {
        self.conn.execute_batch("BEGIN TRANSACTION")?;
        let result = f(self).and_then(|v| {
            self.conn.execute_batch("COMMIT")?;
            Ok(v)
        });
        if result.is_err() {
            // After a failed COMMIT DuckDB has already rolled back; ignore that error.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }

    /// Runs `f` in a transaction that is always rolled back: to try an import and look at
    /// its result (the preview) without storing anything.
    pub fn dry_run<T>(&self, f: impl FnOnce(&Project) -> anyhow::Result<T>) -> anyhow::Result<T> {
        self.conn.execute_batch("BEGIN TRANSACTION")?;
        let result = f(self);
        let _ = self.conn.execute_batch("ROLLBACK");
        result
    }

    /// Runs `f` in a read-only transaction, rolled back: a query a user wrote cannot change
    /// the project there, whatever it is (DuckDB refuses every write in such a transaction).
    pub fn read_only_run<T>(&self, f: impl FnOnce(&Project) -> anyhow::Result<T>) -> anyhow::Result<T> {
        self.conn.execute_batch("BEGIN TRANSACTION READ ONLY")?;
        let result = f(self);
        let _ = self.conn.execute_batch("ROLLBACK");
        result
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Whether the project file is encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.encryption.is_some()
    }

    /// Lets DuckDB use the memory `work` needs until the guard is dropped, then puts the
    /// limit of queries back.
    pub fn memory_for(&self, work: memory::Work) -> duckdb::Result<MemoryGuard<'_>> {
        self.memory.apply(&self.conn, work)?;
        Ok(MemoryGuard(self))
    }

    /// A value MAMS keeps about the project (`mams_meta`), if set.
    pub(crate) fn meta(&self, key: &str) -> duckdb::Result<Option<String>> {
        let mut stmt = self.conn.prepare("SELECT value FROM mams_meta WHERE key = ?")?;
        let mut rows = stmt.query([key])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    /// Keeps a value about the project (`mams_meta`), replacing the one before.
    pub(crate) fn set_meta(&self, key: &str, value: &str) -> duckdb::Result<()> {
        self.conn
            .execute("INSERT OR REPLACE INTO mams_meta VALUES (?, ?)", [key, value])
            .map(|_| ())
    }

    /// The project's private folder for temporary files, the only one DuckDB may use.
    pub fn scratch_dir(&self) -> &Path {
        &self.scratch
    }

    /// Reports the progress of the queries `f` runs, every 250 ms, as (fraction, rows
    /// processed, rows in all), from DuckDB's own estimate.
    pub fn watch_progress<T>(
        &self,
        report: impl Fn(f64, u64, u64) + Send + 'static,
        f: impl FnOnce() -> T,
    ) -> T {
        if self.conn.set_query_progress_tracking(true).is_err() {
            return f();
        }
        let handle = self.conn.progress_handle();
        // The watcher wakes every 250 ms, and at once when `f` is done (the sender is
        // dropped): a short query does not wait for the next tick.
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let watcher = std::thread::spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                finished.recv_timeout(std::time::Duration::from_millis(250))
            {
                let q = handle.query_progress();
                if let Some(pct) = q.percentage() {
                    report(pct / 100.0, q.rows_processed(), q.total_rows_to_process());
                }
            }
        });
        let result = f();
        drop(done);
        let _ = watcher.join();
        let _ = self.conn.set_query_progress_tracking(false);
        result
    }

    /// A handle another thread can use to interrupt the query running now.
    pub fn interrupt_handle(&self) -> Arc<InterruptHandle> {
        self.conn.interrupt_handle()
    }

    /// The project's name as shown to users: the file name without extension.
    pub fn display_name(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.path.display().to_string())
    }
}

/// Puts the memory limit of queries back however the work ends.
pub struct MemoryGuard<'a>(&'a Project);

impl Drop for MemoryGuard<'_> {
    fn drop(&mut self) {
        let _ = self.0.memory.apply(&self.0.conn, memory::Work::Queries);
    }
}

/// Removes a project file and its write-ahead log.
pub fn remove_project_files(path: &Path) {
    let _ = std::fs::remove_file(path);
    let mut wal = path.as_os_str().to_owned();
    wal.push(".wal");
    let _ = std::fs::remove_file(PathBuf::from(wal));
}

/// Reads a CSV file (delimiter, quotes and encoding of UTF-8 files detected by DuckDB) as
/// text: its header and rows. For small input files such as those of `mams analyze`.
pub fn read_csv_text(path: &Path) -> anyhow::Result<(Vec<String>, Vec<Vec<String>>)> {
    let conn = Connection::open_in_memory_with_flags(offline_config(AccessMode::ReadWrite, true)?)?;
    let sql = format!(
        "SELECT * FROM read_csv({}, header = true, all_varchar = true)",
        quote_literal(&path.to_string_lossy())
    );
    let mut stmt = conn
        .prepare(&sql)
        .map_err(|e| crate::said!("cannot read {}: {e}", "无法读取 {}：{e}", path.display()))?;
    let mut rows = stmt.query([])?;
    let columns = rows.as_ref().map(|s| s.column_names()).unwrap_or_default();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(columns.len());
        for i in 0..columns.len() {
            values.push(row.get::<_, Option<String>>(i)?.unwrap_or_default());
        }
        out.push(values);
    }
    Ok((columns, out))
}

/// Quotes a string as a SQL literal (for the few places where DuckDB takes no parameter,
/// such as a file name in `read_parquet`).
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Quotes an identifier.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_is_a_lock_and_a_corrupt_block_is_not() {
        let err = |msg: &str| duckdb::Error::DuckDBFailure(duckdb::ffi::Error::new(1), Some(msg.to_string()));
        let p = Path::new("p.duckdb");
        assert!(matches!(
            classify_open_error(
                p,
                err(
                    "IO Error: Could not set lock on file \"p.duckdb\": Conflicting lock is held in /usr/bin/mams (PID 7)"
                )
            ),
            ProjectError::Locked { .. }
        ));
        // Who holds it, in DuckDB's words (written by hand from a real message).
        let held = classify_open_error(
            p,
            err(
                "IO Error: Could not set lock on file \"p.duckdb\": Conflicting lock is held in /usr/bin/mams (PID 4242) by user alice. See also https://duckdb.org/docs/stable/connect/concurrency",
            ),
        );
        assert!(
            held.to_string()
                .contains("is open in MAMS (process 4242 of alice)"),
            "{held}"
        );
        let other = holder("Conflicting lock is held in /usr/local/bin/duckdb (PID 9)").unwrap();
        assert_eq!(other, "duckdb (process 9)");
        let corrupt = classify_open_error(
            p,
            err(
                "IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2 in block 42",
            ),
        );
        assert!(matches!(corrupt, ProjectError::Unreadable { .. }), "{corrupt}");
        assert!(
            corrupt.to_string().contains("block 42"),
            "what DuckDB found is said: {corrupt}"
        );
    }

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mams-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("p.duckdb")
    }

    fn stored_schema_version(p: &Project) -> String {
        p.conn()
            .query_row(
                "SELECT value FROM mams_meta WHERE key='schema_version'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn create_then_open_round_trips_the_schema_version() {
        let path = tmp("roundtrip");
        drop(Project::create(&path).unwrap());
        assert!(matches!(
            Project::create(&path),
            Err(ProjectError::AlreadyExists(_))
        ));
        let p = Project::open(&path).unwrap();
        assert_eq!(stored_schema_version(&p), SCHEMA_VERSION.to_string());
    }

    #[test]
    fn refuses_foreign_newer_and_missing_files_without_touching_them() {
        let path = tmp("refuse");
        assert!(matches!(Project::open(&path), Err(ProjectError::NotFound(_))));

        std::fs::write(&path, "customer_id,name\n1,a\n").unwrap();
        assert!(matches!(Project::open(&path), Err(ProjectError::NotDuckDb(_))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "customer_id,name\n1,a\n");
        std::fs::remove_file(&path).unwrap();

        // A DuckDB file of someone else's.
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("CREATE TABLE t AS SELECT 1 AS x").unwrap();
        }
        assert!(matches!(Project::open(&path), Err(ProjectError::NotMams(_))));
        remove_project_files(&path);

        // A project from a newer MAMS.
        drop(Project::create(&path).unwrap());
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("UPDATE mams_meta SET value = '999' WHERE key = 'schema_version'")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Project::open(&path).unwrap_err();
        assert!(
            matches!(err, ProjectError::NewerVersion { found: 999, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("newer MAMS"));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "refused file must be unchanged"
        );
    }

    #[test]
    fn a_version_one_project_is_upgraded_on_open_and_keeps_its_data() {
        let path = tmp("upgrade");
        {
            // A project as MAMS 0.1 (schema version 1) wrote it.
            let c = Connection::open(&path).unwrap();
            let v1 = format!(
                "{}INSERT INTO mams_meta VALUES ('schema_version', '1');\
                 INSERT INTO org_units (unit_id, level, name_zh) VALUES ('P', 'province', '省');",
                schema::migration(0)
            );
            c.execute_batch(&v1).unwrap();
        }
        let p = Project::open(&path).unwrap();
        assert_eq!(stored_schema_version(&p), SCHEMA_VERSION.to_string());
        let units: i64 = p
            .conn()
            .query_row("SELECT count(*) FROM org_units", [], |r| r.get(0))
            .unwrap();
        assert_eq!(units, 1);
        let rejects: i64 = p
            .conn()
            .query_row("SELECT count(*) FROM import_rejects", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rejects, 0);
    }

    #[test]
    fn extensions_are_never_fetched_from_the_network() {
        let path = tmp("offline");
        let p = Project::create(&path).unwrap();
        let started = std::time::Instant::now();
        // localtimestamp lives in the ICU extension, which is not compiled in.
        let err = p
            .conn()
            .execute_batch("SELECT localtimestamp")
            .unwrap_err()
            .to_string();
        assert!(!err.to_lowercase().contains("download"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn read_only_projects_refuse_writes_and_file_access() {
        let path = tmp("ro");
        drop(Project::create(&path).unwrap());
        let p = Project::open_read_only(&path).unwrap();
        assert!(p.conn().execute_batch("DELETE FROM customers").is_err());
        let out = path.with_file_name("leak.csv");
        let copy = format!("COPY (SELECT 1) TO {}", quote_literal(&out.to_string_lossy()));
        assert!(p.conn().execute_batch(&copy).is_err());
        assert!(!out.exists());
    }
}
