//! `mams bulletin`: a bulletin of an org unit and period written to a file (so far the
//! monthly analysis, as HTML; docs/bulletins.md).

use std::path::Path;

use clap::ValueEnum;

use crate::store::Project;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BulletinKind {
    /// The monthly analysis: indicators, the largest changes and where they came from,
    /// rankings, audit findings (--period YYYY-MM).
    Monthly,
    /// The quarterly evaluation: scores, grades, ranks, gaps to the best, improvement
    /// required (--period YYYYQn).
    Quarterly,
    /// The annual examination: the same for a year (--period YYYY).
    Annual,
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
    pub period: &'a str,
    pub unit: Option<&'a str>,
    pub format: BulletinFormat,
    pub lang: BulletinLang,
    pub out: &'a Path,
}

pub fn run(a: &BulletinArgs) -> anyhow::Result<()> {
    let p = Project::open(a.project).or_else(|_| Project::open_read_only(a.project))?;
    let period = crate::metrics::period::Period::parse(a.period).map_err(anyhow::Error::msg)?;
    let doc = match (a.kind, period) {
        (BulletinKind::Monthly, crate::metrics::period::Period::Month(m)) => {
            crate::bulletins::monthly::build(&p, m, a.unit)?
        }
        (BulletinKind::Monthly, other) => crate::bail_say!(
            "the monthly analysis is of a month (YYYY-MM), not {}",
            "月度分析针对月份（YYYY-MM），而非 {}",
            other.label()
        ),
        (BulletinKind::Quarterly, p2 @ crate::metrics::period::Period::Quarter { .. })
        | (BulletinKind::Annual, p2 @ crate::metrics::period::Period::Year(_)) => {
            crate::bulletins::evaluation::build(&p, p2, a.unit)?
        }
        (BulletinKind::Quarterly, other) => crate::bail_say!(
            "the quarterly evaluation is of a quarter (YYYYQn), not {}",
            "季度评价针对季度（YYYYQn），而非 {}",
            other.label()
        ),
        (BulletinKind::Annual, other) => crate::bail_say!(
            "the annual examination is of a year (YYYY), not {}",
            "年度考核针对年度（YYYY），而非 {}",
            other.label()
        ),
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
