//! The manifest of an extract folder (`manifest.json`): which file holds which table.
//! `mams sample` writes one; `mams import PROJECT DIR` reads one.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model;

pub const FILE_NAME: &str = "manifest.json";
pub const FORMAT: &str = "mams-extracts";
pub const FORMAT_VERSION: u32 = 1;

/// How a sample was generated, so anyone can regenerate the same bytes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GeneratorInfo {
    pub command: String,
    pub customers: u64,
    pub months: u32,
    pub seed: u64,
    pub first_month: String,
    pub cutoff: String,
}

/// One file of the folder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestFile {
    /// Canonical table name (see docs/data-model.md).
    pub table: String,
    /// File name relative to the folder.
    pub file: String,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub generator: Option<GeneratorInfo>,
    pub tables: Vec<ManifestFile>,
    /// Files that are not extract tables (the sample's ground truth of planted anomalies).
    #[serde(default)]
    pub extras: Vec<ManifestFile>,
}

/// Why a folder cannot be used; every message names the folder or file.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{0} is not a folder")]
    NotAFolder(PathBuf),
    #[error(
        "folder {0} has no {FILE_NAME}: it is not an extract folder (use `mams import PROJECT --table TABLE FILE` for single files)"
    )]
    Missing(PathBuf),
    #[error("{path}: not a valid manifest: {detail}")]
    Invalid { path: PathBuf, detail: String },
    #[error(
        "{path}: manifest format version {found} is newer than this MAMS reads ({FORMAT_VERSION}); update MAMS"
    )]
    Newer { path: PathBuf, found: u32 },
    #[error("{path}: table '{table}' is not a MAMS table (known: {known})")]
    UnknownTable {
        path: PathBuf,
        table: String,
        known: String,
    },
    #[error("{path}: table '{table}' is listed twice")]
    Duplicate { path: PathBuf, table: String },
    #[error("{manifest} names {file}, which does not exist")]
    MissingFile { manifest: PathBuf, file: PathBuf },
}

impl crate::text::Bilingual for ManifestError {
    fn text(&self) -> crate::text::Text {
        use crate::say;
        match self {
            ManifestError::NotAFolder(p) => say!("{} is not a folder", "{} 不是文件夹", p.display()),
            ManifestError::Missing(p) => say!(
                "folder {} has no {}: it is not an extract folder (use `mams import PROJECT --table TABLE FILE` for single files)",
                "文件夹 {} 中没有 {}：它不是抽取数据文件夹（单个文件请用“导入文件”页面，或 `mams import 项目 --table 表 文件`）",
                p.display(),
                FILE_NAME
            ),
            ManifestError::Invalid { path, detail } => {
                say!(
                    "{}: not a valid manifest: {}",
                    "{}：清单无效：{}",
                    path.display(),
                    detail
                )
            }
            ManifestError::Newer { path, found } => say!(
                "{}: manifest format version {} is newer than this MAMS reads ({}); update MAMS",
                "{}：清单格式版本 {} 高于本版本 MAMS 可读的版本（{}）；请升级 MAMS",
                path.display(),
                found,
                FORMAT_VERSION
            ),
            ManifestError::UnknownTable { path, table, known } => say!(
                "{}: table '{}' is not a MAMS table (known: {})",
                "{}：“{}”不是 MAMS 的数据表（已知的表：{}）",
                path.display(),
                table,
                known
            ),
            ManifestError::Duplicate { path, table } => {
                say!(
                    "{}: table '{}' is listed twice",
                    "{}：数据表“{}”列出了两次",
                    path.display(),
                    table
                )
            }
            ManifestError::MissingFile { manifest, file } => say!(
                "{} names {}, which does not exist",
                "{} 中列出的 {} 不存在",
                manifest.display(),
                file.display()
            ),
        }
    }
}

impl Manifest {
    /// Reads and checks the manifest of `dir`: known tables, no repeats, every file there.
    pub fn read(dir: &Path) -> Result<Manifest, ManifestError> {
        if !dir.is_dir() {
            return Err(ManifestError::NotAFolder(dir.to_path_buf()));
        }
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ManifestError::Missing(dir.to_path_buf()),
            _ => ManifestError::Invalid {
                path: path.clone(),
                detail: e.to_string(),
            },
        })?;
        // Read the version first so that a newer manifest is named as such, not as invalid.
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            format_version: Option<u32>,
        }
        let head: Head = serde_json::from_str(&text).map_err(|e| ManifestError::Invalid {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        if head.format.as_deref() != Some(FORMAT) {
            return Err(ManifestError::Invalid {
                path,
                detail: format!("\"format\" must be \"{FORMAT}\""),
            });
        }
        if let Some(v) = head.format_version.filter(|v| *v > FORMAT_VERSION) {
            return Err(ManifestError::Newer { path, found: v });
        }
        let m: Manifest = serde_json::from_str(&text).map_err(|e| ManifestError::Invalid {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let mut seen = std::collections::HashSet::new();
        for f in &m.tables {
            if model::table(&f.table).is_none() {
                return Err(ManifestError::UnknownTable {
                    path,
                    table: f.table.clone(),
                    known: model::TABLES
                        .iter()
                        .map(|t| t.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            if !seen.insert(f.table.clone()) {
                return Err(ManifestError::Duplicate {
                    path,
                    table: f.table.clone(),
                });
            }
        }
        for f in m.tables.iter().chain(&m.extras) {
            let file = dir.join(&f.file);
            if !file.is_file() {
                return Err(ManifestError::MissingFile { manifest: path, file });
            }
        }
        Ok(m)
    }

    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(FILE_NAME), text + "\n")
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mams-manifest-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn manifest(tables: Vec<ManifestFile>) -> Manifest {
        Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            title: "t".into(),
            description: String::new(),
            generator: None,
            tables,
            extras: vec![],
        }
    }

    fn file(table: &str, name: &str) -> ManifestFile {
        ManifestFile {
            table: table.into(),
            file: name.into(),
            rows: 0,
            sha256: String::new(),
        }
    }

    #[test]
    fn bad_folders_get_messages_that_name_the_problem() {
        let d = dir("bad");
        let err = Manifest::read(&d).unwrap_err();
        assert!(err.to_string().contains("has no manifest.json"), "{err}");

        std::fs::write(d.join(FILE_NAME), "{ not json").unwrap();
        assert!(matches!(Manifest::read(&d), Err(ManifestError::Invalid { .. })));

        manifest(vec![file("customers", "customers.parquet")])
            .write(&d)
            .unwrap();
        let err = Manifest::read(&d).unwrap_err();
        assert!(matches!(err, ManifestError::MissingFile { .. }));
        assert!(err.to_string().contains("customers.parquet"));

        manifest(vec![file("clients", "c.parquet")]).write(&d).unwrap();
        assert!(matches!(
            Manifest::read(&d),
            Err(ManifestError::UnknownTable { .. })
        ));

        let mut m = manifest(vec![]);
        m.format_version = 99;
        m.write(&d).unwrap();
        assert!(matches!(
            Manifest::read(&d),
            Err(ManifestError::Newer { found: 99, .. })
        ));

        std::fs::write(d.join("c.parquet"), b"x").unwrap();
        manifest(vec![file("customers", "c.parquet")]).write(&d).unwrap();
        assert_eq!(Manifest::read(&d).unwrap().tables.len(), 1);
    }

    #[test]
    fn sha256_of_a_known_string() {
        let d = dir("sha");
        std::fs::write(d.join("abc"), "abc").unwrap();
        assert_eq!(
            sha256_file(&d.join("abc")).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
