//! An error of the core as a user reads it, in English or Chinese: the causes said in both
//! languages (`text::Said`) and the core's own error types in the language asked for, a
//! library's errors as they are. Knows the error types of the layers below the import, so
//! it sits above them.

use crate::text::{Bilingual, Text};

/// The Chinese (and English) of the core's own error types.
fn bilingual(cause: &(dyn std::error::Error + 'static)) -> Option<Text> {
    cause
        .downcast_ref::<crate::store::ProjectError>()
        .map(|p| p.text())
        .or_else(|| {
            cause
                .downcast_ref::<crate::manifest::ManifestError>()
                .map(|m| m.text())
        })
}

/// `e` with its causes, in Chinese when `zh`.
pub fn describe(e: &anyhow::Error, zh: bool) -> String {
    crate::text::describe(e, zh, bilingual)
}

/// `e` in both languages.
pub fn text(e: &anyhow::Error) -> Text {
    Text {
        en: describe(e, false),
        zh: describe(e, true),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::manifest::ManifestError;
    use crate::store::ProjectError;
    use crate::text::Bilingual;

    /// The English said for the app is the message the CLI prints, for every variant.
    #[test]
    fn the_core_errors_say_in_english_what_they_display_and_have_chinese() {
        let p = || PathBuf::from("x.duckdb");
        let projects = [
            ProjectError::NotFound(p()),
            ProjectError::AlreadyExists(p()),
            ProjectError::NotDuckDb(p()),
            ProjectError::NotMams(p()),
            ProjectError::NewerVersion {
                path: p(),
                found: 99,
                supported: 10,
            },
            ProjectError::Locked {
                path: p(),
                detail: "d".into(),
            },
            ProjectError::Unreadable {
                path: p(),
                detail: "d".into(),
            },
            ProjectError::MigrationFailed {
                path: p(),
                to: 3,
                detail: "d".into(),
            },
        ];
        for e in &projects {
            let t = e.text();
            assert_eq!(t.en, e.to_string());
            assert!(
                t.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{}",
                t.zh
            );
        }
        let manifests = [
            ManifestError::NotAFolder(p()),
            ManifestError::Missing(p()),
            ManifestError::Invalid {
                path: p(),
                detail: "d".into(),
            },
            ManifestError::Newer { path: p(), found: 9 },
            ManifestError::UnknownTable {
                path: p(),
                table: "t".into(),
                known: "k".into(),
            },
            ManifestError::Duplicate {
                path: p(),
                table: "t".into(),
            },
            ManifestError::MissingFile {
                manifest: p(),
                file: p(),
            },
        ];
        for e in &manifests {
            let t = e.text();
            assert_eq!(t.en, e.to_string());
            assert!(
                t.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{}",
                t.zh
            );
        }
        // Through anyhow, with a cause of a library's.
        let e = anyhow::Error::new(ProjectError::NotFound(p()));
        assert_eq!(super::describe(&e, true), "项目文件 x.duckdb 不存在");
    }
}
