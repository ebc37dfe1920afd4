//! Exporting a bulletin to a file and publishing it: the document is kept in the project
//! with its commentary, the file as exported and a fingerprint of its numbers, so a
//! published bulletin can be opened or exported again as it was, and says when the data
//! below it have changed since.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::document::Document;
use crate::store::Project;
use crate::store::bulletins::{self as stored, Published};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Docx,
    Html,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Pdf, Format::Docx, Format::Html];

    pub fn ext(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Html => "html",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.ext() == s)
    }
}

/// The document as a file of `format` in one language.
pub fn export(doc: &Document, format: Format, zh: bool) -> anyhow::Result<Vec<u8>> {
    match format {
        Format::Pdf => super::pdf::render(doc, zh),
        Format::Docx => super::docx::render(doc, zh),
        Format::Html => Ok(super::html::render(doc, zh)?.into_bytes()),
    }
}

/// Writes `bytes` to `path` through a file beside it, renamed when complete: a failed
/// export leaves no half-written file behind, and an existing file is replaced whole.
pub fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let done = std::fs::write(&partial, bytes).and_then(|_| std::fs::rename(&partial, path));
    done.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        crate::said!("cannot write {}: {e}", "无法写入 {}：{e}", path.display())
    })
}

/// SHA-256 of the document's numbers and sentences: the commentary is left out, so that
/// only a change of the data changes it.
pub fn fingerprint(doc: &Document) -> String {
    let mut bare = doc.clone();
    for s in &mut bare.sections {
        s.commentary = None;
    }
    let json = serde_json::to_string(&bare).expect("a document serialises");
    let digest = Sha256::digest(json.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exports and stores the bulletin; returns its id and the file.
pub fn publish(
    project: &Project,
    doc: &Document,
    format: Format,
    zh: bool,
    actor: &str,
) -> anyhow::Result<(i64, Vec<u8>)> {
    let file = export(doc, format, zh)?;
    let record = Published {
        bulletin_id: 0,
        kind: doc.kind.clone(),
        unit_id: doc.unit_id.clone(),
        period: doc.period_label.clone(),
        number: doc.number.clone(),
        lang: if zh { "zh" } else { "en" }.into(),
        title: doc.title.pick(zh).to_string(),
        document: serde_json::to_string(doc)?,
        fingerprint: fingerprint(doc),
        as_of: doc.as_of.as_deref().and_then(|d| d.parse().ok()),
        format: format.ext().into(),
        published_at: chrono::Local::now().naive_local(),
        published_by: actor.to_string(),
    };
    let id = stored::publish(project, &record, &file)?;
    Ok((id, file))
}

/// The document of a published bulletin, as published.
pub fn document(p: &Published) -> anyhow::Result<Document> {
    serde_json::from_str(&p.document).map_err(|e| {
        crate::said!(
            "bulletin {} is stored in a form this MAMS cannot read ({e})",
            "简报 {} 的存储格式无法读取（{e}）",
            p.bulletin_id
        )
    })
}

/// Whether a published bulletin's data are still those of the project.
#[derive(Debug, Clone, PartialEq)]
pub enum Currency {
    Current,
    /// The numbers built today differ from those published.
    Changed,
    /// It cannot be built again (the data it covered are gone): the reason.
    CannotTell(crate::text::Text),
}

pub fn currency(project: &Project, p: &Published) -> Currency {
    let Some(kind) = super::Kind::parse(&p.kind) else {
        return Currency::CannotTell(crate::say!("unknown kind {}", "未知类型 {}", p.kind));
    };
    match super::make(
        project,
        kind,
        &p.period,
        Some(&p.unit_id),
        &crate::progress::Progress::new(),
    ) {
        Ok(doc) if fingerprint(&doc) == p.fingerprint => Currency::Current,
        Ok(_) => Currency::Changed,
        Err(e) => Currency::CannotTell(crate::errors::text(&e)),
    }
}
