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
    let text = crate::text::describe(e, zh, bilingual);
    // DuckDB's words when it needed more memory than its limit and could not spill.
    if text.contains("Out of Memory Error") {
        let advice = crate::say!(
            "DuckDB needed more memory than MAMS lets it use. Close other programs and try again; make sure the disk of the project has free space (DuckDB spills there); or set a larger limit with the environment variable {} (for example {}=4GB)",
            "DuckDB 需要的内存超过了 MAMS 允许的上限。请关闭其他程序后重试；确认项目所在磁盘有空闲空间（DuckDB 会把数据暂存到那里）；或用环境变量 {} 设置更大的上限（例如 {}=4GB）",
            crate::store::memory::OVERRIDE_ENV,
            crate::store::memory::OVERRIDE_ENV
        );
        // DuckDB's own advice below its first line is about SET commands a user cannot run.
        let start = text.find("Out of Memory Error").unwrap_or(0);
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let details = &text[..end];
        return format!(
            "{}{}{details}",
            advice.pick(zh),
            if zh { "。详情：" } else { ". Details: " }
        );
    }
    text
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
