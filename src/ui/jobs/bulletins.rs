//! Jobs of the Cadence page: what the cadence asks for around a day (with the state of each
//! item), preparing an item's bulletin, keeping its draft, exporting and publishing it, the
//! published bulletins and whether their data changed since.

use std::path::PathBuf;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::{Msg, finish, open_project_in};
use crate::bulletins::agenda::{self, Agenda, Line};
use crate::bulletins::cadence::{Cadence, Occurrence, State};
use crate::bulletins::document::Document;
use crate::bulletins::publish::{self, Currency, Format};
use crate::progress::Progress;
use crate::store::bulletins::Published;
use crate::worker::WorkerState;

/// What the Cadence page shows around a day.
#[derive(Debug, Clone)]
pub struct CadenceData {
    /// The cadence items fall due by: the project's, with its working-day calendar.
    pub cadence: Cadence,
    /// The project's cadence as kept, which the editor shows and saves.
    pub own: Cadence,
    pub agenda: Agenda,
    /// Every item due in the day's month, with its state.
    pub month: Vec<(Occurrence, State)>,
    pub published: Vec<Published>,
    /// The last day the project's 95598 tickets or power cuts reach.
    pub data_end: Option<NaiveDate>,
}

pub fn cadence(date: NaiveDate) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let own = agenda::cadence(p)?;
            let cadence = agenda::in_force(p, own.clone())?;
            let ag = agenda::agenda(p, &cadence, date)?;
            let first = date.with_day(1).expect("day 1");
            let last = (first + Months::new(1)) - Days::new(1);
            let top = crate::store::queries::org_tree(p)?
                .into_iter()
                .find(|u| u.parent_id.is_none())
                .map(|u| u.unit_id)
                .unwrap_or_default();
            let mut month = Vec::new();
            for o in cadence.between(first, last) {
                let item = cadence.item(&o.item).expect("the cadence's own item");
                let unit = item.unit.clone().unwrap_or_else(|| top.clone());
                let s = agenda::state(p, o.kind.id(), &unit, &o.period)?;
                month.push((o, s));
            }
            let data_end = crate::store::activity::table_reach(p)?
                .into_iter()
                .filter(|(t, _)| matches!(*t, "tickets" | "outages"))
                .filter_map(|(_, d)| d)
                .max();
            Ok(CadenceData {
                cadence,
                own,
                agenda: ag,
                month,
                published: crate::store::bulletins::list(p)?,
                data_end,
            })
        })();
        finish(r, |r| Msg::Cadence(date, Box::new(r)))
    }
}

/// Builds an agenda line's bulletin and keeps it as a draft (an earlier draft's commentary
/// carried over).
pub fn prepare_bulletin(line: Line) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            progress.attach_interrupt(p.interrupt_handle());
            agenda::prepare(p, &line, progress)
        })();
        finish(r, |r| Msg::BulletinOpened(Box::new(r.map(|d| (d, None)))))
    }
}

/// The draft of a kind, unit and period as kept.
pub fn open_bulletin_draft(
    kind: String,
    unit: String,
    period: String,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let Some(d) = crate::store::bulletins::draft(p, &kind, &unit, &period)? else {
                crate::bail_say!("the draft is gone", "草稿已不存在");
            };
            Ok((serde_json::from_str::<Document>(&d.document)?, None))
        })();
        finish(r, |r| Msg::BulletinOpened(Box::new(r)))
    }
}

/// A published bulletin's document, as published.
pub fn open_published_bulletin(id: i64) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let Some(b) = crate::store::bulletins::get(p, id)? else {
                crate::bail_say!("no published bulletin {}", "没有编号为 {} 的已发布简报", id);
            };
            Ok((publish::document(&b)?, Some(id)))
        })();
        finish(r, |r| Msg::BulletinOpened(Box::new(r)))
    }
}

/// Keeps the document (with its commentary) as the draft of its kind, unit and period.
pub fn save_bulletin_draft(doc: Document) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            agenda::save_draft(p, &doc)?;
            Ok(format!("{} {}", doc.title.en, doc.number))
        })();
        finish(r, Msg::BulletinSaved)
    }
}

/// Writes the document as a file of `format` (the format from the file's extension).
pub fn export_bulletin(
    doc: Document,
    zh: bool,
    path: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |_, _| {
        let r = (|| {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_lowercase();
            let format = Format::parse(&ext).ok_or_else(|| {
                crate::said!(
                    "a bulletin is written as .pdf, .docx or .html, not {}",
                    "简报可存为 .pdf、.docx 或 .html，而非 {}",
                    path.display()
                )
            })?;
            let bytes = publish::export(&doc, format, zh)?;
            publish::write_file(&path, &bytes)?;
            Ok(path.display().to_string())
        })();
        finish(r, Msg::Written)
    }
}

/// Publishes the document in `format`; answers with its id.
pub fn publish_bulletin(
    doc: Document,
    format: Format,
    zh: bool,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let (id, _) = publish::publish(p, &doc, format, zh, &crate::account::name())?;
            Ok(id)
        })();
        finish(r, Msg::BulletinPublished)
    }
}

/// Builds every published bulletin again from today's data: (id, currency).
pub fn check_published_bulletins() -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let list = crate::store::bulletins::list(p)?;
            let mut out = Vec::new();
            for (i, b) in list.iter().enumerate() {
                progress.set(
                    Some(i as f32 / list.len().max(1) as f32),
                    crate::say!("checking {}", "核对 {}", b.number),
                );
                progress.check()?;
                out.push((b.bulletin_id, publish::currency(p, b)));
            }
            Ok(out)
        })();
        finish(r, Msg::BulletinsChecked)
    }
}

/// Writes a published bulletin's file as it was published.
pub fn export_published_bulletin(
    id: i64,
    path: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            let bytes = crate::store::bulletins::file(p, id)?.unwrap_or_default();
            publish::write_file(&path, &bytes)?;
            Ok(path.display().to_string())
        })();
        finish(r, Msg::Written)
    }
}

/// The state of a published bulletin against today's data, as the list shows it.
pub type Checked = Vec<(i64, Currency)>;

/// Gives the project its own cadence (checked first: a wrong one is refused with the item
/// named), or, with None, goes back to the one MAMS ships.
pub fn save_cadence(json: Option<String>) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _| {
        let r = (|| {
            let p = open_project_in(state)?;
            if let Some(j) = &json {
                Cadence::parse(j)?;
            }
            crate::store::bulletins::set_cadence(p, json.as_deref(), chrono::Local::now().naive_local())?;
            Ok(json.is_some())
        })();
        finish(r, Msg::CadenceSaved)
    }
}
