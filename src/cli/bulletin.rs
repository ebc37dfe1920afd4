//! `mams bulletin`: a bulletin of an org unit and period written to a file (PDF, DOCX or
//! HTML), optionally published into the project; `mams bulletins`: the published ones,
//! listed, exported again, checked against today's data (docs/bulletins.md).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use crate::bulletins::publish::{self, Currency, Format};
use crate::bulletins::{self, Kind};
use crate::store::Project;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BulletinKind {
    /// The daily brief: the day's tickets, power cuts, applications, payments, new
    /// high-severity suspects, stale tables (--period YYYY-MM-DD).
    Daily,
    /// The weekly notification: problems by unit, overdue tickets and applications,
    /// suspects opened and closed, rectification due (--period YYYY-Www).
    Weekly,
    /// The monthly analysis: indicators, the largest changes and where they came from,
    /// rankings, key market, service and reliability, audit findings, cases
    /// (--period YYYY-MM).
    Monthly,
    /// The quarterly evaluation: scores, grades, ranks, gaps to the best, improvement
    /// required (--period YYYYQn).
    Quarterly,
    /// The annual examination: the same for a year (--period YYYY).
    Annual,
}

impl BulletinKind {
    fn kind(self) -> Kind {
        match self {
            BulletinKind::Daily => Kind::Daily,
            BulletinKind::Weekly => Kind::Weekly,
            BulletinKind::Monthly => Kind::Monthly,
            BulletinKind::Quarterly => Kind::Quarterly,
            BulletinKind::Annual => Kind::Annual,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BulletinFormat {
    /// Typeset, fonts embedded, contents and page numbers.
    Pdf,
    /// Editable in Word and WPS.
    Docx,
    /// One self-contained file that reads on a phone.
    Html,
}

impl BulletinFormat {
    fn format(self) -> Format {
        match self {
            BulletinFormat::Pdf => Format::Pdf,
            BulletinFormat::Docx => Format::Docx,
            BulletinFormat::Html => Format::Html,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BulletinLang {
    En,
    Zh,
}

#[derive(Debug, Args)]
pub struct BulletinArgs {
    pub project: PathBuf,
    #[arg(long, value_enum)]
    pub kind: BulletinKind,
    /// YYYY-MM-DD (daily), YYYY-Www (weekly), YYYY-MM (monthly), YYYYQn (quarterly) or
    /// YYYY (annual).
    #[arg(long)]
    pub period: String,
    /// Org unit id; default: the top unit.
    #[arg(long)]
    pub unit: Option<String>,
    /// Default: from the extension of --out.
    #[arg(long, value_enum)]
    pub format: Option<BulletinFormat>,
    #[arg(long, value_enum, default_value_t = BulletinLang::En)]
    pub lang: BulletinLang,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// The analyst's commentary on a section, as SECTION=TEXT (repeatable).
    #[arg(long = "comment", value_name = "SECTION=TEXT")]
    pub comments: Vec<String>,
    /// Also publish it: keep it in the project with its commentary and a fingerprint of
    /// its data.
    #[arg(long)]
    pub publish: bool,
}

#[derive(Debug, Subcommand)]
pub enum BulletinsCommand {
    /// The published bulletins, the latest first, each with whether its data changed since.
    List { project: PathBuf },
    /// Export a published bulletin again, as published (any format; default the format it
    /// was published in, the file as it was).
    Export {
        project: PathBuf,
        id: i64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum)]
        format: Option<BulletinFormat>,
    },
}

fn format_of(out: &Path, given: Option<BulletinFormat>) -> anyhow::Result<Format> {
    if let Some(f) = given {
        return Ok(f.format());
    }
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    Format::parse(&ext).ok_or_else(|| {
        crate::said!(
            "say --format pdf, docx or html: {} does not end in one of them",
            "请用 --format 指定 pdf、docx 或 html：{} 的扩展名不是其中之一",
            out.display()
        )
    })
}

pub fn run(a: &BulletinArgs) -> anyhow::Result<()> {
    let format = format_of(&a.out, a.format)?;
    let p = if a.publish {
        Project::open(&a.project)?
    } else {
        Project::open(&a.project).or_else(|_| Project::open_read_only(&a.project))?
    };
    let mut doc = bulletins::make(
        &p,
        a.kind.kind(),
        &a.period,
        a.unit.as_deref(),
        &crate::progress::Progress::new(),
    )?;
    for c in &a.comments {
        let Some((section, text)) = c.split_once('=') else {
            crate::bail_say!(
                "--comment takes SECTION=TEXT, not '{}'",
                "--comment 的写法是 栏目=内容，而非“{}”",
                c
            );
        };
        doc.comment(section.trim(), text)?;
    }
    let zh = a.lang == BulletinLang::Zh;
    let bytes = if a.publish {
        let (id, file) = publish::publish(&p, &doc, format, zh, &crate::account::name())?;
        println!("published as bulletin {id}");
        file
    } else {
        publish::export(&doc, format, zh)?
    };
    publish::write_file(&a.out, &bytes)?;
    println!("{} {} written to {}", doc.title.en, doc.number, a.out.display());
    Ok(())
}

pub fn run_published(what: &BulletinsCommand) -> anyhow::Result<()> {
    match what {
        BulletinsCommand::List { project } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let list = crate::store::bulletins::list(&p)?;
            if list.is_empty() {
                println!("no bulletin has been published in this project");
            }
            for b in list {
                let state = match publish::currency(&p, &b) {
                    Currency::Current => "data unchanged".to_string(),
                    Currency::Changed => "DATA CHANGED since publication".to_string(),
                    Currency::CannotTell(why) => format!("cannot be checked: {why}"),
                };
                println!(
                    "{:>4}  {:<9} {:<10} {:<10} {:<3} {:<4} {}  {}  {}",
                    b.bulletin_id,
                    b.kind,
                    b.period,
                    b.unit_id,
                    b.lang,
                    b.format,
                    b.published_at.format("%Y-%m-%d %H:%M"),
                    b.published_by,
                    state
                );
            }
            Ok(())
        }
        BulletinsCommand::Export {
            project,
            id,
            out,
            format,
        } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let Some(b) = crate::store::bulletins::get(&p, *id)? else {
                crate::bail_say!("no published bulletin {}", "没有编号为 {} 的已发布简报", id);
            };
            let wanted = match format {
                Some(f) => f.format(),
                None => Format::parse(&b.format).unwrap_or(Format::Html),
            };
            let bytes = if wanted.ext() == b.format {
                crate::store::bulletins::file(&p, *id)?.unwrap_or_default()
            } else {
                publish::export(&publish::document(&b)?, wanted, b.lang == "zh")?
            };
            publish::write_file(out, &bytes)?;
            println!(
                "bulletin {id} ({} {}) written to {}",
                b.title,
                b.number,
                out.display()
            );
            Ok(())
        }
    }
}
