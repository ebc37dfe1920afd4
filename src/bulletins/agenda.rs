//! What the cadence asks of a project on a day: the items due that day and the ones past
//! due and not yet published, each with its state (not prepared, prepared, published);
//! preparing an item builds its bulletin and keeps it as a draft to review and publish.

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::cadence::{Cadence, Occurrence, State};
use super::document::Document;
use crate::progress::Progress;
use crate::store::Project;
use crate::store::bulletins as stored;

/// How far back an unpublished item counts as overdue.
pub const LOOKBACK_DAYS: u64 = 31;

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub occurrence: Occurrence,
    pub name: crate::text::Text,
    pub role: crate::text::Text,
    pub unit_id: String,
    pub deck: bool,
    pub state: State,
}

#[derive(Debug, Clone, Serialize)]
pub struct Agenda {
    pub date: NaiveDate,
    pub today: Vec<Line>,
    /// Due before the date (within `LOOKBACK_DAYS`) and not published, the oldest first.
    pub overdue: Vec<Line>,
}

/// The project's cadence as kept: its own when it has one, else the one MAMS ships (what the
/// cadence editor shows and saves).
pub fn cadence(project: &Project) -> anyhow::Result<Cadence> {
    match stored::cadence(project)? {
        Some(json) => Cadence::parse(&json),
        None => Ok(Cadence::builtin()),
    }
}

/// The cadence the project's items fall due by: its cadence `c` (as `cadence` reads it), with
/// the days the project's working-day calendar (`work_calendar`) departs from Monday to
/// Friday added to its holidays and weekend days worked, so that a calendar imported once
/// serves the connection time limits and the cadence. Where the two disagree on a day, the
/// calendar wins.
pub fn in_force(project: &Project, mut c: Cadence) -> anyhow::Result<Cadence> {
    let calendar = crate::store::calendar::departures(project)?;
    c.holidays.retain(|d| !calendar.days_worked.contains(d));
    c.workdays.retain(|d| !calendar.days_off.contains(d));
    c.holidays.extend(calendar.days_off);
    c.workdays.extend(calendar.days_worked);
    Ok(c)
}

/// The top org unit: what an item without a unit of its own is for.
fn unit_of(project: &Project, unit: Option<&str>) -> anyhow::Result<String> {
    match unit {
        Some(u) => Ok(u.to_string()),
        None => crate::store::queries::org_tree(project)?
            .into_iter()
            .find(|u| u.parent_id.is_none())
            .map(|u| u.unit_id)
            .ok_or_else(|| {
                crate::said!(
                    "the project has no org units: import org_units first",
                    "项目中没有组织单位：请先导入 org_units"
                )
            }),
    }
}

pub fn state(project: &Project, kind: &str, unit: &str, period: &str) -> anyhow::Result<State> {
    if stored::latest(project, kind, unit, period)?.is_some() {
        Ok(State::Published)
    } else if stored::draft(project, kind, unit, period)?.is_some() {
        Ok(State::Prepared)
    } else {
        Ok(State::NotPrepared)
    }
}

pub fn agenda(project: &Project, cadence: &Cadence, date: NaiveDate) -> anyhow::Result<Agenda> {
    // The top unit, read once for every item without a unit of its own.
    let top = unit_of(project, None)?;
    let line = |o: Occurrence| -> anyhow::Result<Line> {
        let item = cadence
            .item(&o.item)
            .expect("an occurrence of the cadence's own item");
        let unit_id = item.unit.clone().unwrap_or_else(|| top.clone());
        Ok(Line {
            state: state(project, o.kind.id(), &unit_id, &o.period)?,
            name: crate::text::Text {
                en: item.name_en.clone(),
                zh: item.name_zh.clone(),
            },
            role: crate::text::Text {
                en: item.role_en.clone(),
                zh: item.role_zh.clone(),
            },
            deck: item.deck,
            unit_id,
            occurrence: o,
        })
    };
    let today = cadence
        .due(date)
        .into_iter()
        .map(line)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut overdue = Vec::new();
    if let Some(yesterday) = date.checked_sub_days(Days::new(1)) {
        let from = date - Days::new(LOOKBACK_DAYS);
        for o in cadence.between(from, yesterday) {
            let l = line(o)?;
            if l.state != State::Published {
                overdue.push(l);
            }
        }
    }
    Ok(Agenda { date, today, overdue })
}

/// Builds the bulletin of an agenda line and keeps it as a draft (replacing an earlier
/// one, whose commentary is carried over section by section).
pub fn prepare(project: &Project, line: &Line, progress: &Progress) -> anyhow::Result<Document> {
    let o = &line.occurrence;
    let mut doc = super::make(project, o.kind, &o.period, Some(&line.unit_id), progress)?;
    if let Some(old) = stored::draft(project, o.kind.id(), &line.unit_id, &o.period)?
        && let Ok(old) = serde_json::from_str::<Document>(&old.document)
    {
        for s in &mut doc.sections {
            if let Some(prev) = old.sections.iter().find(|p| p.id == s.id) {
                s.commentary = prev.commentary.clone();
            }
        }
    }
    save_draft(project, &doc)?;
    if line.deck {
        meeting_deck(project, line, &doc)?;
    }
    Ok(doc)
}

/// The name of the deck an item's meeting is shown with.
pub fn deck_name(line: &Line) -> String {
    format!("{} {}", line.name.en, line.occurrence.period)
}

/// Assembles the meeting's default deck (a slide a section of its bulletin), unless the
/// project has it already (a presenter's edits are never overwritten).
fn meeting_deck(project: &Project, line: &Line, doc: &Document) -> anyhow::Result<()> {
    let name = deck_name(line);
    if crate::store::decks::list(project)?.iter().any(|d| d.name == name) {
        return Ok(());
    }
    crate::presenter::deck::Deck::of_document(doc, &name).save(project)?;
    Ok(())
}

/// Keeps `doc` as the draft of its kind, unit and period.
pub fn save_draft(project: &Project, doc: &Document) -> anyhow::Result<()> {
    stored::save_draft(
        project,
        &stored::Draft {
            kind: doc.kind.clone(),
            unit_id: doc.unit_id.clone(),
            period: doc.period_label.clone(),
            document: serde_json::to_string(doc)?,
            prepared_at: chrono::Local::now().naive_local(),
            prepared_by: crate::account::name(),
        },
    )?;
    Ok(())
}
