//! `mams deck`: the decks of a project for presenting: list them, make the monthly
//! meeting's default deck (a slide a section of the monthly analysis), write one as a PDF of
//! 1920 x 1080 pages, masked unless --unmasked (docs/presenter.md).

use std::path::PathBuf;

use clap::Subcommand;

use crate::presenter::deck::Deck;
use crate::store::Project;

#[derive(Debug, Subcommand)]
pub enum DeckCommand {
    /// The decks, the latest first, with their slides.
    List { project: PathBuf },
    /// Make the default deck of a month's meeting: a slide a section of the monthly
    /// analysis of the unit.
    Make {
        project: PathBuf,
        /// YYYY-MM.
        #[arg(long)]
        period: String,
        #[arg(long)]
        unit: Option<String>,
        /// Default: "Monthly marketing meeting YYYY-MM".
        #[arg(long)]
        name: Option<String>,
    },
    /// Write a deck as a PDF, a 1920 x 1080 page a slide.
    Export {
        project: PathBuf,
        id: i64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = super::bulletin::BulletinLang::En)]
        lang: super::bulletin::BulletinLang,
        /// Show personal data as it is (masked by default). The choice is logged.
        #[arg(long)]
        unmasked: bool,
    },
}

pub fn run(what: &DeckCommand) -> anyhow::Result<()> {
    match what {
        DeckCommand::List { project } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let decks = crate::store::decks::list(&p)?;
            if decks.is_empty() {
                println!("the project has no deck");
            }
            for d in decks {
                let deck = Deck::of_stored(&d)?;
                println!(
                    "{:>4}  {}  ({} slides, {} by {})",
                    d.deck_id,
                    d.name,
                    deck.slides.len(),
                    d.made_at.format("%Y-%m-%d %H:%M"),
                    d.made_by
                );
                for (i, s) in deck.slides.iter().enumerate() {
                    println!(
                        "      {:>2}. {}  [{} {} {}]",
                        i + 1,
                        s.title.en,
                        s.view.page,
                        s.view.unit_id,
                        s.view.period
                    );
                }
            }
            Ok(())
        }
        DeckCommand::Make {
            project,
            period,
            unit,
            name,
        } => {
            let p = Project::open(project)?;
            let doc = crate::bulletins::make(
                &p,
                crate::bulletins::Kind::Monthly,
                period,
                unit.as_deref(),
                &crate::progress::Progress::new(),
            )?;
            let name = name
                .clone()
                .unwrap_or_else(|| format!("Monthly marketing meeting {period}"));
            let mut deck = Deck::of_document(&doc, &name);
            let id = deck.save(&p)?;
            println!("deck {id}: {name}, {} slides", deck.slides.len());
            Ok(())
        }
        DeckCommand::Export {
            project,
            id,
            out,
            lang,
            unmasked,
        } => {
            let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
            let deck = Deck::load(&p, *id)?;
            if *unmasked {
                tracing::warn!(
                    "deck {id} exported with personal data unmasked by {}",
                    crate::account::name()
                );
                eprintln!("note: personal data are NOT masked in {}", out.display());
            }
            let bytes =
                crate::presenter::pdf::render(&deck, *lang == super::bulletin::BulletinLang::Zh, !unmasked)?;
            crate::bulletins::publish::write_file(out, &bytes)?;
            println!(
                "deck {id} ({}, {} slides) written to {}",
                deck.name,
                deck.slides.len(),
                out.display()
            );
            Ok(())
        }
    }
}
