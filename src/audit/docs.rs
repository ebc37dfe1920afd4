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

fn quality_table(md: &mut String, quality: &[Quality]) {
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
}

/// The rule catalogue, with each rule's figures on the committed sample (`quality`) and
/// on a sample of the same size with the second noise model (`noisy`).
pub fn rules_markdown(rules: &[Rule], quality: &[Quality], noisy: &[Quality]) -> String {
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
         the chosen org unit's subtree. The query runs as a subquery (so anything but a SELECT is refused), \
         DuckDB's own parser must find exactly one statement in the whole text (a text that closes the \
         subquery to add another statement is refused before anything runs), and it runs inside a \
         read-only transaction that is rolled back; a project rule is stopped after 120 s.\n\
         - **Score** = severity × confidence × log10(10 + amount): money counts without burying everything else.\n\
         - A suspect is one rule, entity and month. Running again updates the evidence of the suspects found \
         again and never their triage state; a suspect of the same rules and scope that is not found again is \
         marked *no longer found* (kept, with its history).\n\
         - Each rule skips the legitimate causes it knows (capacity change, suspension, meter exchange), and \
         leaves to another rule a problem that rule reports better; the query's opening comment says which.\n\
         - **Two engines.** A rule written in the SQL that DuckDB and Spark SQL both run with the same meaning \
         runs in MAMS and, unchanged, on Spark over a province's lake (`installer/spark/run_rules.py`). \
         [docs/province-scale.md](province-scale.md#one-rule-file-two-engines) gives the subset: the portable \
         forms, the silent differences, and why each construct is in or out. The constructs below are known to \
         be outside it; MAMS looks for them in every rule, tells an auditor which one when a project rule is \
         saved (it still runs in MAMS, on DuckDB only), and each rule below says where it runs. \
         `tests/spark_rules.rs` is the judge: it runs every rule on both engines.\n"
    );
    let _ = writeln!(md, "| not portable | why |\n|---|---|");
    for (construct, why) in super::portable::known() {
        let _ = writeln!(md, "| `{construct}` | {why} |");
    }
    let _ = writeln!(md);
    let _ = writeln!(md, "## Quality on the sample project\n");
    let _ = writeln!(
        md,
        "Measured by the test on `sample-db/` (all 24 months, whole province) against `planted_anomalies.parquet`. \
         Recall: planted entities found / planted. Precision: suspects whose entity was planted for the rule / \
         suspects.\n"
    );
    quality_table(&mut md, quality);
    let _ = writeln!(md, "## Quality on a noisy sample\n");
    let _ = writeln!(
        md,
        "The committed sample is written beside the rules, and its natural data stays under their thresholds: \
         the figures above say the rules find what was planted, not that they hold on real extracts. The same \
         province generated with the second noise model (`mams sample --noisy`, same size and seed) adds what a \
         real extract has and none of which is a problem, so none of it is in the truth: consumption swinging \
         ±15 % more from month to month; irrigation pumps idle from December to February and seaside shops \
         closed from November to March, every year; 5 % of business accounts changing production for good \
         (×0.45 or ×1.9 from a month on); and on 30 % of the accounts with a planted problem, a second one \
         (a wrong multiplier or an overdue meter verification), so the truth has several rules per account. \
         Measured the same way, by the same test:\n"
    );
    quality_table(&mut md, noisy);
    let _ = writeln!(
        md,
        "Where the two tables differ, this is why: a change of production is a jump in consumption that no \
         rule can tell from a fault without more than the bills (`kwh_jump` reports it, and so loses \
         precision); a seasonal customer in the first year of data has no last year to be compared with \
         (`zero_kwh`); a wrong multiplier changes the billed kWh that `utilisation`, `residential_commercial` \
         and `kwh_jump` read, and they leave such an account to `multiplier`, so one problem can hide \
         another; `utilisation` also leaves to `kwh_jump` an account whose consumption moves by more than \
         half from one month to the next, which wide natural swings and seasonal stops do too; swings move \
         the month a slow decline first crosses its threshold (`key_drop`). The auditor sees each of these in \
         the evidence.\n\n\
         Beyond the truth, `tests/rules_independent.rs` writes the definition of every rule again in plain \
         Rust (a different way where the query has a shortcut: the exact median of a class where `kwh_jump` \
         reads it from a histogram) and compares it with the rule's query suspect for suspect, and month for \
         month, on a noisy sample of 4,000 accounts; the exclusions each rule documents are applied on both \
         sides. Every rule is also run on accounts written and labelled by hand (`tests/fixtures/`, checked \
         in `tests/rules_by_hand.rs`), with the cases an auditor would name as not being problems: a new \
         connection's first month, a suspension, a closed account's final read, a seasonal rest, a meter \
         exchange, a register rolling over, a capacity increase, a bill paid mostly on time, a notice \
         already sent, a limit met to the day, pauses the customer asked for, a ticket closed on its \
         deadline, an address written two ways.\n"
    );
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
            match r.not_portable.as_slice() {
                [] => {
                    let _ = writeln!(md, "Runs on DuckDB and on Spark.\n");
                }
                found => {
                    let what: Vec<String> = found
                        .iter()
                        .map(|f| format!("`{}` (line {})", f.construct, f.line))
                        .collect();
                    let _ = writeln!(md, "Runs on DuckDB only: {}.\n", what.join(", "));
                }
            }
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
