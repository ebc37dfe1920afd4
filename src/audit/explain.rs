//! Turns a suspect's evidence into the sentence an auditor reads, from the rule's template:
//! `{name}` is replaced by the evidence value of that name, numbers with thousands
//! separators, codes by their label in the language of the template.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::Value;

use crate::codes;
use crate::metrics::format::number;

/// Evidence of one suspect: (name, value) in the order the rule's query returned them.
pub type Evidence = Vec<(String, Value)>;

/// The code list that labels an evidence field, for the fields rules commonly return.
fn code_list(field: &str) -> Option<&'static str> {
    Some(match field {
        "customer_class" => "customer_class",
        "tariff_code" | "usual_tariff" => "tariff",
        "industry_code" => "industry",
        "pf_standard" | "required" => "pf_standard",
        "status" => "customer_status",
        "ticket_type" => "ticket_type",
        "wiring" => "wiring",
        "voltage" => "voltage",
        _ => return None,
    })
}

/// Chinese for the words a rule writes into its evidence (the rule's `phrases`).
pub type Phrases = BTreeMap<String, String>;

/// For values that carry no words of a rule (numbers, dates, codes).
pub static NO_PHRASES: Phrases = BTreeMap::new();

fn phrase_zh(text: &str, phrases: &Phrases) -> Option<String> {
    let parts: Vec<Option<&str>> = text
        .split(", ")
        .map(|p| phrases.get(p).map(String::as_str))
        .collect();
    parts
        .iter()
        .all(Option::is_some)
        .then(|| parts.into_iter().flatten().collect::<Vec<_>>().join("、"))
}

/// A value as a sentence shows it: in English with `zh` None, in Chinese with the rule's
/// phrases.
pub fn show(field: &str, v: &Value, zh: Option<&Phrases>) -> String {
    let phrases = zh;
    let zh = zh.is_some();
    match v {
        Value::Null => if zh { "无" } else { "none" }.to_string(),
        Value::Bool(b) => match (b, zh) {
            (true, false) => "yes",
            (false, false) => "no",
            (true, true) => "是",
            (false, true) => "否",
        }
        .to_string(),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            let decimals = if x.fract() == 0.0 {
                0
            } else if x.abs() >= 100.0 {
                1
            } else {
                2
            };
            let text = number(x, decimals);
            // 0.850 -> 0.85, 1.50 -> 1.5
            if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                text
            }
        }
        Value::String(s) => {
            if let Some(code) = code_list(field).and_then(|l| codes::lookup(l, s)) {
                return if zh { code.zh } else { code.en }.to_string();
            }
            if let Some(t) = phrases.and_then(|p| phrase_zh(s, p)) {
                return t;
            }
            // Timestamps read better without seconds.
            if s.len() == 19 && s.as_bytes().get(10) == Some(&b' ') && s.ends_with(":00") {
                return s[..16].to_string();
            }
            s.clone()
        }
        other => other.to_string(),
    }
}

/// Reads evidence as stored (a JSON array of [name, value] pairs); anything else is empty.
pub fn evidence_from_json(text: &str) -> Evidence {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(pairs)) => pairs
            .into_iter()
            .filter_map(|p| match p {
                Value::Array(mut kv) if kv.len() == 2 => {
                    let v = kv.pop()?;
                    let k = kv.pop()?.as_str()?.to_string();
                    Some((k, v))
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Evidence as stored with its personal values masked (`privacy`), and the personal names
/// it holds. Text that is not evidence is returned as it is.
pub fn masked_evidence_json(text: &str, disclosure: crate::privacy::Disclosure) -> (String, Vec<String>) {
    let ev = evidence_from_json(text);
    let mut object: serde_json::Map<String, Value> = ev.iter().cloned().collect();
    let found = crate::privacy::mask_object(&mut object, disclosure);
    if found.is_empty() || disclosure == crate::privacy::Disclosure::Full {
        return (text.to_string(), found);
    }
    let pairs: Vec<Value> = ev
        .into_iter()
        .map(|(k, v)| {
            let v = object.get(&k).cloned().unwrap_or(v);
            Value::Array(vec![Value::String(k), v])
        })
        .collect();
    (Value::Array(pairs).to_string(), found)
}

/// The sentence of a stored suspect, in English or Chinese.
pub fn sentence(rule: &super::rules::Rule, s: &crate::store::audit::SuspectRow, zh: bool) -> String {
    let mut ev = evidence_from_json(&s.evidence_json);
    if !ev.iter().any(|(k, _)| k == "amount") {
        ev.push(("amount".into(), serde_json::json!(s.amount)));
    }
    render(
        rule.explanation_template(zh),
        &ev,
        s.period,
        zh.then_some(&rule.phrases),
    )
}

/// Fills `template`. `{period}` is the suspect's month (YYYY-MM); a name the evidence does
/// not have is left as it is, so a mistake in a template shows instead of vanishing.
pub fn render(
    template: &str,
    evidence: &Evidence,
    period: Option<NaiveDate>,
    zh: Option<&Phrases>,
) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        let value = if name == "period" {
            period.map(|p| p.format("%Y-%m").to_string())
        } else {
            evidence
                .iter()
                .find(|(k, _)| k == name)
                .map(|(k, v)| show(k, v, zh))
        };
        match value {
            Some(v) => out.push_str(&v),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_read_as_sentences() {
        let ev: Evidence = vec![
            ("change_pct".into(), json!(-83.0)),
            ("kwh_before".into(), json!(12400.0)),
            ("kwh_after".into(), json!(2100.0)),
            ("capacity_kva".into(), json!(630.0)),
            ("customer_class".into(), json!("residential")),
            ("ratio".into(), json!(0.850)),
            ("at".into(), json!("2025-03-01 09:30:00")),
        ];
        let p = NaiveDate::from_ymd_opt(2025, 3, 1);
        assert_eq!(
            render(
                "kWh fell {change_pct} % from {kwh_before} to {kwh_after} while capacity stayed {capacity_kva} kVA ({period})",
                &ev,
                p,
                None
            ),
            "kWh fell -83 % from 12,400 to 2,100 while capacity stayed 630 kVA (2025-03)"
        );
        assert_eq!(
            render("{customer_class} {ratio} {at}", &ev, p, Some(&NO_PHRASES)),
            "居民生活 0.85 2025-03-01 09:30"
        );
        assert_eq!(render("{missing} {", &ev, None, None), "{missing} {");
        let shared: Evidence = vec![
            ("shared".into(), json!("ID number, phone")),
            ("x".into(), json!("month on month")),
        ];
        let phrases: Phrases = [
            ("ID number", "证件号码"),
            ("phone", "联系电话"),
            ("month on month", "环比"),
        ]
        .map(|(en, zh)| (en.to_string(), zh.to_string()))
        .into();
        assert_eq!(
            render("{shared} / {x}", &shared, None, Some(&phrases)),
            "证件号码、联系电话 / 环比"
        );
        assert_eq!(render("{shared}", &shared, None, None), "ID number, phone");
        // A word the rule gave no Chinese for stays as it is.
        assert_eq!(render("{x}", &shared, None, Some(&NO_PHRASES)), "month on month");
    }

    #[test]
    fn every_finding_a_builtin_rule_writes_has_its_chinese() {
        for rule in crate::audit::rules::builtin() {
            let (id, sql) = (&rule.id, &rule.sql);
            for word in ["THEN '", "ELSE '"] {
                for piece in sql.split(word).skip(1) {
                    let text = piece.split('\'').next().unwrap_or("");
                    if text.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
                        assert!(
                            phrase_zh(text, &rule.phrases).is_some(),
                            "{id}: no Chinese for '{text}'"
                        );
                    }
                }
            }
        }
    }
}
