//! `docs/data-quality-checks.md`, the catalogue of the built-in checks, generated from
//! `assets/dq/` so the two cannot drift apart (a test compares them;
//! `MAMS_BLESS=1 cargo test --release` rewrites it).

use std::fmt::Write;

use super::checks::{Check, Dimension, Kind, builtin};

fn how(c: &Check) -> String {
    let col = c.column.as_deref().unwrap_or("");
    match c.kind {
        Kind::NotNull => format!("`{col}` is filled"),
        Kind::NotBlank => format!("`{col}` is filled and not blank"),
        Kind::Unique => {
            let cols = if c.columns.is_empty() {
                vec![col.to_string()]
            } else {
                c.columns.clone()
            };
            format!("no two rows share `{}`", cols.join("`, `"))
        }
        Kind::Codes => match &c.list {
            Some(l) => format!("`{col}` is a code of the list `{l}`"),
            None => format!("`{col}` is one of {}", c.values.join(", ")),
        },
        Kind::Range => format!(
            "`{col}` between {} and {}",
            c.min.as_deref().unwrap_or("-∞"),
            c.max.as_deref().unwrap_or("+∞")
        ),
        Kind::Pattern => match (&c.validator, &c.regex) {
            (Some(v), _) => format!("`{col}` passes the validator `{v}`"),
            (None, Some(r)) => format!("`{col}` matches `{r}`"),
            _ => String::new(),
        },
        Kind::Reference | Kind::CrossField | Kind::Reconciliation => {
            format!(
                "fails when `{}`",
                c.fails.as_deref().unwrap_or("").replace('|', "\\|")
            )
        }
        Kind::Query => "the rows its query returns fail".into(),
        Kind::Freshness => "each unit's last month against the data's last month".into(),
        Kind::RowCount => "each unit's rows in the last month against the month before".into(),
    }
}

pub fn catalogue_markdown() -> String {
    let checks = builtin();
    let mut md = String::new();
    md.push_str(
        "<!-- Generated from assets/dq/ by `MAMS_BLESS=1 cargo test --release`; do not edit by hand. -->\n",
    );
    md.push_str("# Data quality checks\n\n");
    let _ = writeln!(
        md,
        "The {} built-in checks of MAMS, table by table (see [data-quality.md](data-quality.md) for how they are \
         run and scored). `t` is the row checked, `c` its customer (for a table reached through its customer), \
         other aliases a join the check names; `${{name}}` is a parameter, `${{period}}` the data's last month.\n",
        checks.len()
    );
    md.push_str("| Dimension | Checks |\n|---|---:|\n");
    for d in Dimension::ALL {
        let n = checks.iter().filter(|c| c.dimension == d).count();
        let _ = writeln!(md, "| {} ({}) | {n} |", d.name(false), d.name(true));
    }
    md.push('\n');
    let mut table = "";
    for c in checks {
        if c.table != table {
            table = &c.table;
            let label = crate::model::table(table).map(|t| format!("{} ({})", t.label_en, t.label_zh));
            let _ = writeln!(md, "\n## {table}: {}\n", label.unwrap_or_default());
            md.push_str("| Check | Name | Kind | Dimension | Stage | Severity | Weight | Threshold | Passes when | Parameters |\n");
            md.push_str("|---|---|---|---|---|---:|---:|---:|---|---|\n");
        }
        let params: Vec<String> = c
            .params
            .iter()
            .map(|p| format!("{} = {}", p.name, p.default))
            .collect();
        let applies = c
            .applies
            .as_deref()
            .map(|a| format!(" (rows where `{}`)", a.replace('|', "\\|")))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "| `{}` | {} / {} | {} | {} | {} | {} | {} | {} % | {}{} | {} |",
            c.id,
            c.name_en,
            c.name_zh,
            c.kind.id(),
            c.dimension.id(),
            c.stage.id(),
            c.severity,
            c.weight,
            c.threshold,
            how(c),
            applies,
            params.join(", ")
        );
    }
    md
}

#[cfg(test)]
mod tests {
    #[test]
    fn docs_data_quality_checks_is_generated_from_the_checks() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/data-quality-checks.md");
        let want = super::catalogue_markdown();
        if std::env::var_os("MAMS_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/data-quality-checks.md is stale: run MAMS_BLESS=1 cargo test --release"
        );
    }
}
