//! Names a bulletin prints in both languages: org units (English falling back to Chinese),
//! audit rules, and the labels of coded values.

use crate::store::Project;
use crate::store::queries::{self, OrgUnit};
use crate::text::Text;

pub struct Names {
    pub org: Vec<OrgUnit>,
}

impl Names {
    pub fn load(project: &Project) -> anyhow::Result<Names> {
        Ok(Names {
            org: queries::org_tree(project)?,
        })
    }

    /// The unit's name; its id when the project does not know it.
    pub fn unit(&self, id: &str) -> Text {
        self.org
            .iter()
            .find(|u| u.unit_id == id)
            .map(|u| Text {
                en: if u.name_en.is_empty() {
                    u.name_zh.clone()
                } else {
                    u.name_en.clone()
                },
                zh: u.name_zh.clone(),
            })
            .unwrap_or_else(|| super::document::same(id.to_string()))
    }

    /// The company: the top org unit.
    pub fn company(&self) -> Text {
        self.org
            .iter()
            .find(|u| u.parent_id.is_none())
            .map(|u| self.unit(&u.unit_id))
            .unwrap_or_default()
    }

    pub fn unit_opt(&self, id: Option<&str>) -> Text {
        id.map(|u| self.unit(u))
            .unwrap_or_else(|| super::document::same("—".into()))
    }

    pub fn below(&self, unit: &str) -> Vec<String> {
        queries::units_below(&self.org, unit)
    }
}

/// A built-in rule's name; a project rule's id.
pub fn rule(id: &str) -> Text {
    crate::audit::rules::builtin()
        .iter()
        .find(|r| r.id == id)
        .map(|r| Text {
            en: r.name_en.clone(),
            zh: r.name_zh.clone(),
        })
        .unwrap_or_else(|| super::document::same(id.to_string()))
}

/// The label of a code of a list; the code itself when the list does not have it (an empty
/// code reads "not given").
pub fn code(list: &str, code: &str) -> Text {
    if code.is_empty() {
        return Text {
            en: "not given".into(),
            zh: "未注明".into(),
        };
    }
    crate::codes::lookup(list, code)
        .map(|c| Text {
            en: c.en.into(),
            zh: c.zh.into(),
        })
        .unwrap_or_else(|| super::document::same(code.to_string()))
}
