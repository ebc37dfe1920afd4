//! `mams bulletin`: a bulletin of an org unit and period written to a file (so far the
//! monthly analysis, as HTML; docs/bulletins.md).

use std::path::Path;

use chrono::NaiveDate;
use clap::ValueEnum;

use crate::store::Project;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BulletinKind {
    /// The monthly analysis: indicators, the largest changes and where they came from,
    /// rankings, audit findings.
    Monthly,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BulletinFormat {
    /// One self-contained HTML file (reads on a phone, prints on A4).
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BulletinLang {
    En,
    Zh,
}

pub struct BulletinArgs<'a> {
    pub project: &'a Path,
    pub kind: BulletinKind,
    pub period: NaiveDate,
    pub unit: Option<&'a str>,
    pub format: BulletinFormat,
    pub lang: BulletinLang,
    pub out: &'a Path,
}

pub fn run(a: &BulletinArgs) -> anyhow::Result<()> {
    let p = Project::open(a.project).or_else(|_| Project::open_read_only(a.project))?;
    let doc = match a.kind {
        BulletinKind::Monthly => crate::bulletins::monthly::build(&p, a.period, a.unit)?,
    };
    let bytes = match a.format {
        BulletinFormat::Html => crate::bulletins::html::render(&doc, a.lang == BulletinLang::Zh).into_bytes(),
    };
    // Written beside the target first and then moved: a failed write leaves no half file.
    let partial = a.out.with_extension("partial");
    std::fs::write(&partial, &bytes)
        .map_err(|e| crate::said!("cannot write {}: {e}", "无法写入 {}：{e}", a.out.display()))?;
    std::fs::rename(&partial, a.out).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        crate::said!("cannot write {}: {e}", "无法写入 {}：{e}", a.out.display())
    })?;
    println!("{} {} written to {}", doc.title.en, doc.number, a.out.display());
    Ok(())
}
