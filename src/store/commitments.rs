//! The connection time limits (the published service commitments) in one home: the
//! parameters of the rule `expansion_overdue` (`assets/rules/expansion_overdue.json`, the
//! defaults) with the project's own values (`rule_params`). The indicators, the key market and
//! the rule all read them through the SQL macro `connection_limit(customer_class, voltage,
//! dual_supply)`, defined on each connection when the project opens and again when a limit
//! changes; the prebuilt sums count the limits in their fingerprint.

use std::collections::BTreeMap;

use duckdb::OptionalExt;

use super::Project;

/// The rule whose parameters are the limits, and its metadata (read here as data).
const RULE_ID: &str = "expansion_overdue";
const RULE_META: &str = include_str!("../../assets/rules/expansion_overdue.json");

/// The parameters, in the order the macro's CASE uses them.
const LIMITS: [&str; 4] = [
    "limit_residential",
    "limit_low_voltage",
    "limit_dual_supply",
    "limit_high_voltage",
];

/// The metadata of key_drop, whose decline threshold the key-market page shows too.
const KEY_DROP_META: &str = include_str!("../../assets/rules/key_drop.json");

/// The rule's default for each limit.
fn defaults() -> BTreeMap<String, f64> {
    defaults_of(RULE_META)
}

/// A bundled rule's parameter defaults.
fn defaults_of(meta: &str) -> BTreeMap<String, f64> {
    let meta: serde_json::Value = serde_json::from_str(meta).expect("the bundled rule's metadata is JSON");
    meta["params"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["name"].as_str()?.to_string(), p["default"].as_f64()?)))
        .collect()
}

/// The limits in force in this project: its own values, else the defaults.
pub fn limits(project: &Project) -> duckdb::Result<[f64; 4]> {
    let mut values = defaults();
    let mut stmt = project
        .conn()
        .prepare("SELECT param, value FROM rule_params WHERE rule_id = ?")?;
    let own = stmt.query_map([RULE_ID], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?)))?;
    for row in own {
        let (param, value) = row?;
        if value.is_finite() && value > 0.0 {
            values.insert(param, value);
        }
    }
    Ok(LIMITS.map(|name| values.get(name).copied().unwrap_or(f64::NAN)))
}

/// The fall of a key customer's consumption (%, year on year) beyond which it counts as a
/// decline: key_drop's `drop_pct`, the project's own value, else the default. The key-market
/// page marks its customers with it, so that the page and the rule agree.
pub fn key_drop_pct(project: &Project) -> duckdb::Result<f64> {
    let own: Option<f64> = project
        .conn()
        .query_row(
            "SELECT value FROM rule_params WHERE rule_id = 'key_drop' AND param = 'drop_pct'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(own
        .filter(|v| v.is_finite() && *v > 0.0)
        .or_else(|| defaults_of(KEY_DROP_META).get("drop_pct").copied())
        .unwrap_or(30.0))
}

/// (Re)defines `connection_limit` on the project's connection.
pub fn install(project: &Project) -> duckdb::Result<()> {
    let [residential, low_voltage, dual, high_voltage] = limits(project)?;
    // Numbers only go into the text (checked finite by `limits`).
    let sql = format!(
        "CREATE OR REPLACE TEMP MACRO connection_limit(customer_class, voltage, dual_supply) AS \
         CASE WHEN customer_class = 'residential' THEN {residential} \
              WHEN voltage IN ('220V', '380V') THEN {low_voltage} \
              WHEN dual_supply THEN {dual} ELSE {high_voltage} END"
    );
    project.conn().execute_batch(&sql)
}

/// Whether a changed parameter of `rule` is one of the limits.
pub fn is_limit(rule: &str, param: &str) -> bool {
    rule == RULE_ID && LIMITS.contains(&param)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_published_commitments() {
        // DOMAIN.md: residential 5, low-voltage non-residential 6, high-voltage single
        // supply 22, dual supply 32 working days.
        let d = defaults();
        assert_eq!(
            LIMITS.map(|l| d[l]),
            [5.0, 6.0, 32.0, 22.0],
            "limit_residential, limit_low_voltage, limit_dual_supply, limit_high_voltage"
        );
    }

    #[test]
    fn the_key_markets_decline_is_the_projects_key_drop_threshold() {
        let dir = std::env::temp_dir().join(format!("mams-keydrop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let p = Project::create(&dir.join("p.duckdb")).unwrap();
        // The rule's published default, until the project sets its own.
        assert_eq!(key_drop_pct(&p).unwrap(), 30.0);
        crate::store::audit::set_param(&p, "key_drop", "drop_pct", Some(45.0)).unwrap();
        assert_eq!(key_drop_pct(&p).unwrap(), 45.0);
        crate::store::audit::set_param(&p, "key_drop", "drop_pct", None).unwrap();
        assert_eq!(key_drop_pct(&p).unwrap(), 30.0);
        drop(p);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
