//! Messages for users from the core, in English and Simplified Chinese: progress steps and
//! the errors a user reads. The core does not know the UI's language; it says both, and
//! whoever shows the message picks (the CLI English, the app its language).

use std::fmt;

/// A message in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn pick(&self, zh: bool) -> &str {
        if zh { &self.zh } else { &self.en }
    }

    pub fn is_empty(&self) -> bool {
        self.en.is_empty()
    }
}

/// English where one language is asked for (logs, the CLI, `{e:#}`).
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// `say!("reading {}", "读取 {}", name)`: a `Text`, each language formatted with the same
/// arguments (every argument must appear in both).
#[macro_export]
macro_rules! say {
    ($en:literal, $zh:literal $(, $arg:expr)* $(,)?) => {
        $crate::text::Text {
            en: format!($en $(, $arg)*),
            zh: format!($zh $(, $arg)*),
        }
    };
}

/// An error whose message a user reads, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said(pub Text);

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.en)
    }
}

impl std::error::Error for Said {}

/// `said!(en, zh, args...)`: an `anyhow::Error` saying it in both languages.
#[macro_export]
macro_rules! said {
    ($($t:tt)*) => {
        anyhow::Error::new($crate::text::Said($crate::say!($($t)*)))
    };
}

/// `bail_say!(en, zh, args...)`: returns that error.
#[macro_export]
macro_rules! bail_say {
    ($($t:tt)*) => {
        return Err($crate::said!($($t)*).into())
    };
}

/// An error that can say itself in Chinese (the core's own error types).
pub trait Bilingual {
    fn text(&self) -> Text;
}

thread_local! {
    static PREFER_ZH: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the work on this thread should say things in Chinese (the app's worker sets it
/// from the app's language before each job).
pub fn prefer_zh(zh: bool) {
    PREFER_ZH.with(|c| c.set(zh));
}

pub fn prefers_zh() -> bool {
    PREFER_ZH.with(|c| c.get())
}

/// An error as a user reads it: each cause in turn, the ones said in both languages in
/// the one asked for, the others (a library's) as they are. `bilingual` finds the Chinese
/// of the core's own error types.
pub fn describe(
    e: &anyhow::Error,
    zh: bool,
    bilingual: impl Fn(&(dyn std::error::Error + 'static)) -> Option<Text>,
) -> String {
    e.chain()
        .enumerate()
        // The outermost cause can be a context said in both languages, which only the
        // error itself can find.
        .map(|(i, cause)| {
            let outer = (i == 0)
                .then(|| e.downcast_ref::<Said>())
                .flatten()
                // (anyhow finds a Said deeper down too: only this cause's own counts.)
                .filter(|s| s.0.en == cause.to_string());
            match outer.or(cause.downcast_ref::<Said>()) {
                Some(s) => s.0.pick(zh).to_string(),
                None => match bilingual(cause) {
                    Some(t) => t.pick(zh).to_string(),
                    None => cause.to_string(),
                },
            }
        })
        .collect::<Vec<_>>()
        .join(if zh { "：" } else { ": " })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reads_in_the_language_asked_with_its_causes() {
        let inner = crate::said!("row {} has no date", "第 {} 行没有日期", 7);
        let e = inner.context("bills.csv");
        assert_eq!(describe(&e, false, |_| None), "bills.csv: row 7 has no date");
        assert_eq!(describe(&e, true, |_| None), "bills.csv：第 7 行没有日期");
        // Formatted as anyhow formats, English.
        assert_eq!(format!("{e:#}"), "bills.csv: row 7 has no date");
        // A context said in both languages, outermost.
        let e = e.context(Said(crate::say!("nothing was imported", "没有导入任何数据")));
        assert_eq!(
            describe(&e, true, |_| None),
            "没有导入任何数据：bills.csv：第 7 行没有日期"
        );
        // A library's error as it is.
        let e = anyhow::Error::new(std::io::Error::other("disk full"));
        assert_eq!(describe(&e, true, |_| None), "disk full");
    }
}
