//! `docs/rules.md`, generated from the rule files and the measured quality of each rule on
//! the sample project, so the catalogue cannot drift from the rules (a test compares them;
//! `MAMS_BLESS=1 cargo test --release` rewrites it).

use std::fmt::Write;

use super::rules::{Category, REQUIRED_COLUMNS, Rule};

/// How a rule does on the sample's planted anomalies.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    pub rule_id: String,
    /// Entities planted for the rule.
    pub planted: usize,
    /// Suspects the rule reported.
    pub suspects: usize,
    /// Planted entities among the suspects.
    pub found: usize,
    /// Suspects whose entity was planted for the rule.
    pub correct: usize,
}

impl Quality {
    pub fn recall(&self) -> f64 {
        if self.planted == 0 {
            1.0
        } else {
            self.found as f64 / self.planted as f64
        }
    }
    pub fn precision(&self) -> f64 {
        if self.suspects == 0 {
            1.0
        } else {
            self.correct as f64 / self.suspects as f64
        }
    }
}

pub fn rules_markdown(rules: &[Rule], quality: &[Quality]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Audit rules\n");
    let _ = writeln!(
        md,
        "<!-- Generated from assets/rules/ and the test `every_rule_finds_the_planted_anomalies_of_the_sample` \
         by `MAMS_BLESS=1 cargo test --release`; do not edit by hand. -->\n"
    );
    let _ = writeln!(
        md,
        "Each theme of suspected problems is a rule: a query over the data model (`assets/rules/ID.sql`) and a \
         metadata file (`assets/rules/ID.json`: names in English and Chinese, category, severity 1 to 3, \
         parameters with their defaults and allowed range, and the templates of the sentence that explains a \
         suspect). The files are compiled into MAMS; an auditor can add rules of the same shape to a project.\n"
    );
    let _ = writeln!(md, "## How a rule runs\n");
    let _ = writeln!(
        md,
        "- The query returns one row per suspect with the columns {}. `period` is the month the problem shows \
         (its first day), or NULL for a standing state such as an archive error; `amount` is the money at stake \
         in yuan; `confidence` is between 0 and 1. Every other column is **evidence**: kept with the suspect, \
         shown in the workbench and used by the explanation template (`{{name}}` is that column's value, \
         `{{period}}` the month). Words the query writes into its evidence (a finding such as `not charged`) \
         get their Chinese from the metadata's `phrases` (`\"not charged\": \"未收取\"`), so a rule an auditor \
         writes reads in Chinese too; a value of several such words joined by `, ` is translated word by word. \
         A rule that cannot judge without a table (the tariff catalogue) names it in the metadata's \
         `requires`; while that table is empty the run reports so for the rule instead of running it.",
        REQUIRED_COLUMNS.map(|c| format!("`{c}`")).join(", ")
    );
    let _ = writeln!(
        md,
        "- `${{name}}` in the query is a parameter, replaced by its number (the project's own value when one is \
         set, else the default); `${{from}}` and `${{to}}` are the first and last audited months as DATEs. \
         Nothing else is ever put into the query text.\n\
         - MAMS keeps the rows whose `period` lies in the audited months (or is NULL) and whose `unit_id` is in \
         the chosen org unit's subtree. The query runs as a subquery (so anything but one SELECT is refused) \
         inside a transaction that is rolled back; a project rule is stopped after 120 s.\n\
         - **Score** = severity × confidence × log10(10 + amount): money counts without burying everything else.\n\
         - A suspect is one rule, entity and month. Running again updates the evidence of the suspects found \
         again and never their triage state; a suspect of the same rules and scope that is not found again is \
         marked *no longer found* (kept, with its history).\n\
         - Each rule skips the legitimate causes it knows (capacity change, suspension, meter exchange), and \
         leaves to another rule a problem that rule reports better; the query's opening comment says which.\n"
    );
    let _ = writeln!(md, "## Quality on the sample project\n");
    let _ = writeln!(
        md,
        "Measured by the test on `sample-db/` (all 24 months, whole province) against `planted_anomalies.parquet`. \
         Recall: planted entities found / planted. Precision: suspects whose entity was planted for the rule / \
         suspects.\n"
    );
    let _ = writeln!(md, "| rule | planted | suspects | recall | precision |");
    let _ = writeln!(md, "|---|---:|---:|---:|---:|");
    for q in quality {
        let _ = writeln!(
            md,
            "| [`{}`](#{}) | {} | {} | {:.3} | {:.3} |",
            q.rule_id,
            q.rule_id,
            q.planted,
            q.suspects,
            q.recall(),
            q.precision()
        );
    }
    let _ = writeln!(md);
    for cat in Category::ALL {
        let in_cat: Vec<&Rule> = rules.iter().filter(|r| r.category == cat).collect();
        if in_cat.is_empty() {
            continue;
        }
        let _ = writeln!(md, "## {} ({})\n", cat.name(false), cat.name(true));
        for r in in_cat {
            let _ = writeln!(md, "### {}\n", r.id);
            let _ = writeln!(
                md,
                "**{}** ({}). Severity {}, about a {}. Query: [`assets/rules/{}.sql`](../assets/rules/{}.sql).\n",
                r.name_en, r.name_zh, r.severity, r.entity, r.id, r.id
            );
            let _ = writeln!(md, "{}\n\n{}\n", r.description_en, r.description_zh);
            if !r.params.is_empty() {
                let _ = writeln!(md, "| parameter | default | unit | range | meaning |");
                let _ = writeln!(md, "|---|---:|---|---|---|");
                for p in &r.params {
                    let range = match (p.min, p.max) {
                        (Some(a), Some(b)) => format!("{a} to {b}"),
                        (Some(a), None) => format!("from {a}"),
                        (None, Some(b)) => format!("up to {b}"),
                        (None, None) => String::new(),
                    };
                    let _ = writeln!(
                        md,
                        "| `{}` | {} | {} | {} | {} ({}) |",
                        p.name, p.default, p.unit, range, p.label_en, p.label_zh
                    );
                }
                let _ = writeln!(md);
            }
            let _ = writeln!(
                md,
                "Explanation: {}\n\n说明：{}\n",
                r.explanation_en, r.explanation_zh
            );
        }
    }
    md
}
