//! A deck: an ordered list of slides, each a saved view (page, period, unit) with a title,
//! a caption and speaker notes, and the content the view showed when the slide was made, so
//! a deck shown in a meeting keeps its numbers however the data change.

use serde::{Deserialize, Serialize};

use crate::bulletins::document::{Document, Section};
use crate::store::Project;
use crate::store::decks as stored;
use crate::text::Text;

/// What a slide was made from: a page of the app and its scope.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct View {
    /// The page (`snapshot::PAGES`).
    pub page: String,
    pub unit_id: String,
    /// The period as the page showed it: a month (2025-12), a quarter (2025Q4), a year.
    pub period: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Slide {
    pub view: View,
    pub title: Text,
    #[serde(default)]
    pub caption: String,
    #[serde(default)]
    pub notes: String,
    /// What the view showed when the slide was made.
    pub content: Section,
    /// The unit and period as words, and the day the data reached.
    pub scope: Text,
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Deck {
    pub id: Option<i64>,
    pub name: String,
    pub slides: Vec<Slide>,
}

impl Deck {
    /// A deck of a bulletin: a slide a section, as the monthly meeting's default deck.
    pub fn of_document(doc: &Document, name: &str) -> Deck {
        let page = match doc.kind.as_str() {
            "quarterly" | "annual" => "evaluation",
            _ => "leaders",
        };
        let scope = Text {
            en: format!("{} · {}", doc.unit.en, doc.period.en),
            zh: format!("{} · {}", doc.unit.zh, doc.period.zh),
        };
        Deck {
            id: None,
            name: name.to_string(),
            slides: doc
                .sections
                .iter()
                .map(|s| Slide {
                    view: View {
                        page: super::snapshot::page_of_section(&s.id)
                            .unwrap_or(page)
                            .to_string(),
                        unit_id: doc.unit_id.clone(),
                        period: doc.period_label.clone(),
                    },
                    title: s.title.clone(),
                    caption: s.commentary.clone().unwrap_or_default(),
                    notes: String::new(),
                    content: Section {
                        commentary: None,
                        ..s.clone()
                    },
                    scope: scope.clone(),
                    as_of: doc.as_of.clone(),
                })
                .collect(),
        }
    }

    /// Moves slide `from` to `to`.
    pub fn shift(&mut self, from: usize, to: usize) {
        if from < self.slides.len() && to < self.slides.len() {
            let s = self.slides.remove(from);
            self.slides.insert(to, s);
        }
    }

    pub fn duplicate(&mut self, i: usize) {
        if let Some(s) = self.slides.get(i).cloned() {
            self.slides.insert(i + 1, s);
        }
    }

    pub fn remove(&mut self, i: usize) {
        if i < self.slides.len() {
            self.slides.remove(i);
        }
    }

    /// Keeps the deck in the project (a new one gets its id).
    pub fn save(&mut self, project: &Project) -> anyhow::Result<i64> {
        let json = serde_json::to_string(&self.slides)?;
        let name = if self.name.trim().is_empty() {
            "Deck"
        } else {
            self.name.trim()
        };
        match self.id {
            Some(id) => {
                if stored::update(project, id, name, &json)? == 0 {
                    crate::bail_say!("deck {} is gone", "演示稿 {} 已不存在", id);
                }
                Ok(id)
            }
            None => {
                let id = stored::insert(
                    project,
                    name,
                    chrono::Local::now().naive_local(),
                    &crate::account::name(),
                    &json,
                )?;
                self.id = Some(id);
                Ok(id)
            }
        }
    }

    pub fn load(project: &Project, id: i64) -> anyhow::Result<Deck> {
        let Some(d) = stored::get(project, id)? else {
            crate::bail_say!("no deck {} in the project", "项目中没有演示稿 {}", id);
        };
        Deck::of_stored(&d)
    }

    pub fn of_stored(d: &stored::StoredDeck) -> anyhow::Result<Deck> {
        let slides = serde_json::from_str(&d.slides).map_err(|e| {
            crate::said!(
                "deck {} is kept in a form this MAMS cannot read ({e})",
                "演示稿 {} 的存储格式无法读取（{e}）",
                d.deck_id
            )
        })?;
        Ok(Deck {
            id: Some(d.deck_id),
            name: d.name.clone(),
            slides,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulletins::document::same;

    fn slide(t: &str) -> Slide {
        Slide {
            view: View {
                page: "leaders".into(),
                unit_id: "P".into(),
                period: "2025-12".into(),
            },
            title: same(t.into()),
            caption: String::new(),
            notes: String::new(),
            content: Section::body(vec![], None),
            scope: same(String::new()),
            as_of: None,
        }
    }

    #[test]
    fn slides_move_duplicate_and_go() {
        let mut d = Deck {
            id: None,
            name: "m".into(),
            slides: ["a", "b", "c"].map(slide).to_vec(),
        };
        let titles = |d: &Deck| {
            d.slides
                .iter()
                .map(|s| s.title.en.clone())
                .collect::<Vec<_>>()
                .join("")
        };
        d.shift(2, 0);
        assert_eq!(titles(&d), "cab");
        d.duplicate(1);
        assert_eq!(titles(&d), "caab");
        d.remove(0);
        d.shift(5, 0);
        assert_eq!(titles(&d), "aab");
    }
}
