//! A bulletin kind's template as data (`assets/bulletins/KIND.json`): its bilingual title
//! and its sections in order, each with its title (and, for some, a count).

use serde::Deserialize;

use super::document::Section;
use crate::text::Text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub kind: String,
    pub title_en: String,
    pub title_zh: String,
    pub sections: Vec<TemplateSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSection {
    pub id: String,
    pub title_en: String,
    pub title_zh: String,
    /// How many items the section lists, where it lists some.
    #[serde(default)]
    pub count: Option<usize>,
    /// The section's own settings (thresholds, how far ahead), checked by its builder.
    #[serde(default)]
    pub params: std::collections::BTreeMap<String, f64>,
}

impl Template {
    /// Reads a template of `kind` whose sections are all among `known`; otherwise says
    /// which section is not and what there is.
    pub fn parse(json: &str, kind: &str, known: &[&str]) -> anyhow::Result<Template> {
        let t: Template = serde_json::from_str(json)?;
        anyhow::ensure!(t.kind == kind, "the {kind} template is of kind {}", t.kind);
        if let Some(s) = t.sections.iter().find(|s| !known.contains(&s.id.as_str())) {
            crate::bail_say!(
                "the {} template names a section '{}' that does not exist (there are: {})",
                "{}模板中的栏目“{}”不存在（现有：{}）",
                kind,
                s.id,
                known.join(", ")
            );
        }
        Ok(t)
    }

    pub fn title(&self) -> Text {
        Text {
            en: self.title_en.clone(),
            zh: self.title_zh.clone(),
        }
    }

    /// Builds the sections in the template's order with `body`, saying which one is being
    /// written and stopping at a Cancel; each gets its id and title from the template.
    pub fn sections(
        &self,
        progress: &crate::progress::Progress,
        mut body: impl FnMut(&TemplateSection) -> anyhow::Result<Section>,
    ) -> anyhow::Result<Vec<Section>> {
        let mut out = Vec::new();
        for (i, s) in self.sections.iter().enumerate() {
            progress.set(
                Some(i as f32 / self.sections.len() as f32),
                crate::say!("writing '{}'", "撰写“{}”", s.title_en),
            );
            progress.check()?;
            out.push(Section {
                id: s.id.clone(),
                title: s.title(),
                ..body(s)?
            });
        }
        Ok(out)
    }
}

impl TemplateSection {
    pub fn title(&self) -> Text {
        Text {
            en: self.title_en.clone(),
            zh: self.title_zh.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_naming_an_unknown_section_is_refused_with_the_ones_there_are() {
        let json = r#"{"kind": "monthly", "title_en": "M", "title_zh": "月",
            "sections": [{"id": "indicators", "title_en": "I", "title_zh": "指"},
                         {"id": "weather", "title_en": "W", "title_zh": "天"}]}"#;
        let err = Template::parse(json, "monthly", &["indicators", "ranking"]).unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "the monthly template names a section 'weather' that does not exist (there are: indicators, ranking)"
        );
        assert!(Template::parse(json, "annual", &["indicators", "weather"]).is_err());
        let t = Template::parse(json, "monthly", &["indicators", "weather"]).unwrap();
        assert_eq!(t.sections[1].title().zh, "天");
    }
}
