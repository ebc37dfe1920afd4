//! Whether a rule's query stays within the SQL that DuckDB and Spark SQL both run with the
//! same meaning (docs/province-scale.md, "One rule file, two engines"). A rule outside it
//! still runs in MAMS, on DuckDB only; the Spark runner reports it as failed.
//!
//! This finds the constructs known to be outside the subset, by reading the query's words
//! (comments and text in quotes left out). It cannot see types: `d1 - d2` of two dates is a
//! number on DuckDB and an interval on Spark, and only running the rule on both tells.
//! `tests/spark_rules.rs` is the judge; a test checks that this agrees with it on the
//! built-in rules.

/// A construct outside the portable subset, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPortable {
    /// As written in the query (`INTERVAL (`, `epoch(`).
    pub construct: String,
    /// The line of the query it is on (from 1).
    pub line: usize,
    pub why_en: &'static str,
    pub why_zh: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text,
    Punct(char),
}

/// The query's tokens with their lines, without comments; text in quotes is one token.
fn tokens(sql: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' {
            // A quoted text ('it''s') or identifier ("x"): one token either way.
            let start_line = line;
            i += 1;
            while i < chars.len() {
                if chars[i] == c && chars.get(i + 1) == Some(&c) {
                    i += 2;
                } else if chars[i] == c {
                    break;
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
            i += 1;
            out.push((
                if c == '\'' {
                    Token::Text
                } else {
                    Token::Word(String::new())
                },
                start_line,
            ));
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                i += 1;
            }
            out.push((
                Token::Word(chars[start..i].iter().collect::<String>().to_lowercase()),
                line,
            ));
        } else {
            out.push((Token::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// Functions that exist on DuckDB only, or mean another thing on Spark.
const FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "epoch",
        "DuckDB only: count the days with CAST(d1 - d2 AS INT), and the hours, minutes and seconds with hour(), minute(), second()",
        "仅 DuckDB 支持：天数用 CAST(d1 - d2 AS INT)，时分秒用 hour()、minute()、second()",
    ),
    (
        "arg_max",
        "DuckDB only: write max_by(x, v)",
        "仅 DuckDB 支持：请写 max_by(x, v)",
    ),
    (
        "arg_min",
        "DuckDB only: write min_by(x, v)",
        "仅 DuckDB 支持：请写 min_by(x, v)",
    ),
    (
        "starts_with",
        "DuckDB only: write left(x, length(p)) = p",
        "仅 DuckDB 支持：请写 left(x, length(p)) = p",
    ),
    (
        "isodow",
        "DuckDB only; days of the week are numbered differently on each engine",
        "仅 DuckDB 支持；两种引擎对星期几的编号不同",
    ),
    (
        "dayofweek",
        "numbered from Sunday = 0 on DuckDB and Sunday = 1 on Spark",
        "DuckDB 以周日为 0，Spark 以周日为 1",
    ),
    (
        "list",
        "lists are DuckDB's: group the rows instead, or write CAST(array_sort(array_agg(DISTINCT x)) AS STRING), which both engines write as [a, b]",
        "列表为 DuckDB 特有：请改为分组，或写 CAST(array_sort(array_agg(DISTINCT x)) AS STRING)，两种引擎都写作 [a, b]",
    ),
    (
        "list_filter",
        "lists and lambdas are DuckDB's",
        "列表与 lambda 为 DuckDB 特有",
    ),
    (
        "list_transform",
        "lists and lambdas are DuckDB's",
        "列表与 lambda 为 DuckDB 特有",
    ),
    ("list_sort", "lists are DuckDB's", "列表为 DuckDB 特有"),
    ("list_distinct", "lists are DuckDB's", "列表为 DuckDB 特有"),
    ("flatten", "lists are DuckDB's", "列表为 DuckDB 特有"),
    (
        "array_to_string",
        "DuckDB only (Spark writes array_join); lists are DuckDB's",
        "仅 DuckDB 支持（Spark 为 array_join）；列表为 DuckDB 特有",
    ),
    (
        "connection_limit",
        "a macro of the project's DuckDB connection; Spark has no such function",
        "这是项目 DuckDB 连接上的宏；Spark 没有该函数",
    ),
];

/// Every construct this check finds, and why it is outside the subset (for docs/rules.md).
pub fn known() -> Vec<(String, &'static str)> {
    let mut out = vec![
        (
            "INTERVAL (…)".to_string(),
            "Spark does not parse an interval of an expression: write ${n} * INTERVAL 1 DAY",
        ),
        ("lambda".to_string(), "lambdas are DuckDB's"),
        (
            "regexp_replace(…, flags)".to_string(),
            "the flags are DuckDB's (Spark replaces every match without them): leave the fourth argument out and write the pattern for every match",
        ),
    ];
    out.extend(FUNCTIONS.iter().map(|(name, en, _)| (format!("{name}("), *en)));
    out
}

/// The constructs of `sql` outside the portable subset, in the order they appear.
pub fn check(sql: &str) -> Vec<NotPortable> {
    let toks = tokens(sql);
    let mut found = Vec::new();
    let word = |i: usize| match toks.get(i) {
        Some((Token::Word(w), _)) => Some(w.as_str()),
        _ => None,
    };
    let punct = |i: usize| match toks.get(i) {
        Some((Token::Punct(c), _)) => Some(*c),
        _ => None,
    };
    for (i, (_, line)) in toks.iter().enumerate() {
        let line = *line;
        let Some(w) = word(i) else { continue };
        let called = punct(i + 1) == Some('(');
        if w == "interval" && called {
            found.push(NotPortable {
                construct: "INTERVAL (…)".into(),
                line,
                why_en: "Spark does not parse an interval of an expression: write ${n} * INTERVAL 1 DAY",
                why_zh: "Spark 无法解析以表达式为长度的时间间隔：请写 ${n} * INTERVAL 1 DAY",
            });
        } else if w == "lambda" {
            found.push(NotPortable {
                construct: "lambda".into(),
                line,
                why_en: "lambdas are DuckDB's",
                why_zh: "lambda 为 DuckDB 特有",
            });
        } else if w == "regexp_replace" && called && arguments(&toks, i + 1) >= 4 {
            found.push(NotPortable {
                construct: "regexp_replace(…, flags)".into(),
                line,
                why_en: "the flags are DuckDB's (Spark replaces every match without them): leave the fourth argument out and write the pattern for every match",
                why_zh: "标志参数为 DuckDB 特有（Spark 不带标志即替换全部匹配）：请去掉第四个参数",
            });
        } else if called && let Some((name, en, zh)) = FUNCTIONS.iter().find(|(name, ..)| *name == w) {
            found.push(NotPortable {
                construct: format!("{name}("),
                line,
                why_en: en,
                why_zh: zh,
            });
        }
    }
    found
}

/// The arguments of the call whose `(` is at `open`.
fn arguments(toks: &[(Token, usize)], open: usize) -> usize {
    let (mut depth, mut commas, mut any) = (0, 0, false);
    for (t, _) in &toks[open..] {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Token::Punct(',') if depth == 1 => commas += 1,
            _ => any = true,
        }
    }
    if any { commas + 1 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constructs(sql: &str) -> Vec<String> {
        check(sql).into_iter().map(|f| f.construct).collect()
    }

    #[test]
    fn hand_written_queries_are_judged_construct_by_construct() {
        // Portable: the forms docs/province-scale.md recommends.
        assert!(
            constructs(
                "SELECT max_by(x, v), CAST(d1 - d2 AS INT), d + (3) * INTERVAL 1 DAY, \
             left(a, length('P')) = 'P', regexp_replace(s, '[ ]', '') FROM t GROUP BY ALL"
            )
            .is_empty()
        );
        // Not portable, each named once, on its line.
        let found = check(
            "SELECT epoch(a - b),\n arg_max(x, v)\nFROM t WHERE d < e + INTERVAL (30) DAY\n\
             AND regexp_replace(s, 'a', 'b', 'g') <> '' AND list_filter(l, lambda x: x > 1) IS NOT NULL",
        );
        let got: Vec<(String, usize)> = found.iter().map(|f| (f.construct.clone(), f.line)).collect();
        assert_eq!(
            got,
            [
                ("epoch(".to_string(), 1),
                ("arg_max(".to_string(), 2),
                ("INTERVAL (…)".to_string(), 3),
                ("regexp_replace(…, flags)".to_string(), 4),
                ("list_filter(".to_string(), 4),
                ("lambda".to_string(), 4),
            ]
        );
        // In comments, quoted text or as a column's name, a word is not a call.
        assert!(constructs(
            "-- epoch(x) and INTERVAL (n) DAY in a comment\n/* arg_max( */ SELECT 'epoch(' AS \"list\", list_price, epoch FROM t"
        )
        .is_empty());
        // An interval of a fixed length is portable.
        assert!(constructs("SELECT d + INTERVAL 1 MONTH, INTERVAL '2' DAY").is_empty());
    }
}
