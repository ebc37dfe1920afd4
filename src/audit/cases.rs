//! The case library: search that works for Chinese as well as English, the cases most like
//! a suspect (and why), promoting a confirmed suspect to a case, and sharing the library
//! between units as JSON or XLSX, merged by case id.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::explain::{self, Evidence};
use super::rules::Rule;
use crate::store::Project;
use crate::store::audit::SuspectRow;
use crate::store::cases::{self as stored, Case};

/// Search tokens of a text: lower-case Latin words and digits, and for Chinese (any CJK
/// run) its characters and their bigrams, since Chinese has no spaces between words.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush_cjk = |cjk: &mut Vec<char>, out: &mut Vec<String>| {
        if cjk.len() == 1 {
            out.push(cjk[0].to_string());
        }
        for pair in cjk.windows(2) {
            out.push(pair.iter().collect());
        }
        cjk.clear();
    };
    for c in text.chars() {
        let is_cjk = ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c);
        if is_cjk {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            cjk.push(c);
        } else {
            flush_cjk(&mut cjk, &mut out);
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
        }
    }
    flush_cjk(&mut cjk, &mut out);
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn case_text(c: &Case) -> [(String, f64); 4] {
    let body = [&c.symptoms, &c.found_how, &c.root_cause, &c.handling, &c.outcome]
        .iter()
        .filter_map(|f| f.as_deref())
        .collect::<Vec<_>>()
        .join(" ");
    [
        (
            format!("{} {}", c.title, c.title_en.as_deref().unwrap_or("")),
            3.0,
        ),
        (c.tags.join(" "), 2.0),
        (
            format!(
                "{} {}",
                c.rule_id.as_deref().unwrap_or(""),
                c.unit_id.as_deref().unwrap_or("")
            ),
            2.0,
        ),
        (body, 1.0),
    ]
}

/// Cases matching `query`, best first: (index into `cases`, score). A case matches when it
/// holds at least 60 % of the query's tokens (a Latin word also matches as a prefix); the
/// score weighs title above tags above the text. An empty query matches everything.
pub fn search(cases: &[Case], query: &str) -> Vec<(usize, f64)> {
    let wanted: Vec<String> = {
        let mut seen = HashSet::new();
        tokens(query)
            .into_iter()
            .filter(|t| seen.insert(t.clone()))
            .collect()
    };
    if wanted.is_empty() {
        return (0..cases.len()).map(|i| (i, 0.0)).collect();
    }
    let mut hits: Vec<(usize, f64)> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let fields: Vec<(Vec<String>, f64)> =
                case_text(c).into_iter().map(|(t, w)| (tokens(&t), w)).collect();
            let mut matched = 0usize;
            let mut score = 0.0;
            for q in &wanted {
                let latin = q.chars().all(|ch| ch.is_ascii_alphanumeric());
                let mut best: f64 = 0.0;
                for (toks, w) in &fields {
                    if toks
                        .iter()
                        .any(|t| t == q || (latin && q.len() >= 3 && t.starts_with(q.as_str())))
                    {
                        best = best.max(*w);
                    }
                }
                if best > 0.0 {
                    matched += 1;
                    score += best;
                }
            }
            (matched as f64 >= 0.6 * wanted.len() as f64).then_some((i, score / wanted.len() as f64))
        })
        .collect();
    hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    hits
}

/// A case like a suspect, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Similar {
    pub case_index: usize,
    pub score: f64,
    pub reasons: Vec<String>,
}

fn numeric(ev: &[(String, Value)]) -> Vec<(&str, f64)> {
    ev.iter()
        .filter_map(|(k, v)| v.as_f64().filter(|x| x.is_finite()).map(|x| (k.as_str(), x)))
        .collect()
}

/// The cases most like `s` (at most `n`): the same rule first, then the same category, then
/// the nearest evidence (numbers the suspect and the case both have, compared relative to
/// their size), the amount at stake and the same city.
pub fn similar(cases: &[Case], rules: &[Rule], s: &SuspectRow, n: usize, zh: bool) -> Vec<Similar> {
    let rule = rules.iter().find(|r| r.id == s.rule_id);
    let evidence: Evidence = explain::evidence_from_json(&s.evidence_json);
    let mine = numeric(&evidence);
    let city = |u: &str| u.get(..3).map(str::to_string);
    let mut out: Vec<Similar> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let mut score = 0.0;
            let mut reasons = Vec::new();
            let case_rule = c
                .rule_id
                .as_deref()
                .and_then(|id| rules.iter().find(|r| r.id == id));
            if c.rule_id.as_deref() == Some(s.rule_id.as_str()) {
                score += 3.0;
                reasons.push(if zh { "同一规则" } else { "same rule" }.to_string());
            } else if let (Some(a), Some(b)) = (rule, case_rule)
                && a.category == b.category
            {
                score += 1.0;
                reasons.push(format!(
                    "{} {}",
                    if zh { "同类" } else { "same category:" },
                    a.category.name(zh)
                ));
            } else {
                return None;
            }
            let theirs = numeric(&c.features);
            let mut closeness = Vec::new();
            for (k, a) in &mine {
                if let Some((_, b)) = theirs.iter().find(|(k2, _)| k2 == k) {
                    let size = a.abs().max(b.abs());
                    let near = if size == 0.0 {
                        1.0
                    } else {
                        1.0 - ((a - b).abs() / size).min(1.0)
                    };
                    closeness.push(near);
                    if near >= 0.7 {
                        reasons.push(format!(
                            "{k} {} ≈ {}",
                            explain::show(k, &Value::from(*a), zh.then_some(&explain::NO_PHRASES)),
                            explain::show(k, &Value::from(*b), zh.then_some(&explain::NO_PHRASES))
                        ));
                    }
                }
            }
            if !closeness.is_empty() {
                score += 2.0 * closeness.iter().sum::<f64>() / closeness.len() as f64;
            }
            if let Some(amount) = c.amount.filter(|a| *a > 0.0)
                && s.amount > 0.0
            {
                let ratio = (amount.ln() - s.amount.ln()).abs();
                score += (1.0 - ratio / 5.0).max(0.0) * 0.5;
            }
            if let (Some(a), Some(b)) = (
                s.unit_id.as_deref().and_then(city),
                c.unit_id.as_deref().and_then(city),
            ) && a == b
            {
                score += 0.3;
                reasons.push(if zh { "同一地市" } else { "same city" }.to_string());
            }
            Some(Similar {
                case_index: i,
                score,
                reasons,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.case_index.cmp(&b.case_index)));
    out.truncate(n);
    out
}

/// The case id a suspect is promoted to: stable, so promoting it again updates the case.
pub fn case_id_for(suspect_key: &str) -> String {
    let digest = Sha256::digest(suspect_key.as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02X}")).collect();
    format!("CASE-{hex}")
}

/// A case pre-filled from a confirmed suspect: title, symptoms (the explanation), how it was
/// found, the amount (recovered if recorded, else at stake), unit, date and evidence.
pub fn promote(s: &SuspectRow, rule: Option<&Rule>, today: chrono::NaiveDate) -> Case {
    let name_zh = rule
        .map(|r| r.name_zh.clone())
        .unwrap_or_else(|| s.rule_id.clone());
    let name_en = rule
        .map(|r| r.name_en.clone())
        .unwrap_or_else(|| s.rule_id.clone());
    let month = s.period.map(|p| p.format("%Y-%m").to_string());
    let symptoms = rule.map(|r| {
        format!(
            "{}\n{}",
            explain::sentence(r, s, true),
            explain::sentence(r, s, false)
        )
    });
    Case {
        case_id: case_id_for(&s.key),
        title: format!("{name_zh}：{} {}", s.entity_id, month.clone().unwrap_or_default())
            .trim()
            .to_string(),
        title_en: Some(
            format!("{name_en}: {} {}", s.entity_id, month.unwrap_or_default())
                .trim()
                .to_string(),
        ),
        rule_id: Some(s.rule_id.clone()),
        symptoms,
        found_how: Some(format!("MAMS audit rule {} (suspect {})", s.rule_id, s.key)),
        root_cause: None,
        handling: s.assignee_unit.as_ref().map(|u| format!("rectified by {u}")),
        outcome: s.recovered.map(|r| format!("recovered {r:.2} yuan")),
        amount: Some(s.recovered.unwrap_or(s.amount)),
        tags: vec![s.rule_id.clone(), s.entity_type.clone()],
        unit_id: s.unit_id.clone(),
        case_date: Some(today),
        features: explain::evidence_from_json(&s.evidence_json),
        suspect_key: Some(s.key.clone()),
        files: Vec::new(),
    }
}

/// What merging cases into a library did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MergeCounts {
    pub added: usize,
    pub updated: usize,
}

fn check(c: &Case, at: &str) -> anyhow::Result<()> {
    if c.case_id.trim().is_empty() {
        crate::bail_say!("{at}: the case has no case_id", "{at}：案例没有 case_id");
    }
    if c.title.trim().is_empty() {
        crate::bail_say!("{at}: case {} has no title", "{at}：案例 {} 没有标题", c.case_id);
    }
    if c.amount.is_some_and(|a| !a.is_finite()) {
        crate::bail_say!(
            "{at}: case {} has an amount that is not a number",
            "{at}：案例 {} 的金额不是数字",
            c.case_id
        );
    }
    Ok(())
}

/// Merges `cases` into the project by case id, in one transaction: a new id is added, a
/// known one replaced. A case without id or title stops the merge and nothing is written.
pub fn merge(project: &Project, cases: &[Case], source: &str) -> anyhow::Result<MergeCounts> {
    let mut seen = HashSet::new();
    for (i, c) in cases.iter().enumerate() {
        check(c, &format!("{source}, case {}", i + 1))?;
        if !seen.insert(c.case_id.clone()) {
            crate::bail_say!(
                "{source}: case {} appears twice",
                "{source}：案例 {} 出现了两次",
                c.case_id
            );
        }
    }
    let at = chrono::Local::now().naive_local();
    project.transaction(|p| {
        let mut counts = MergeCounts::default();
        for c in cases {
            if stored::exists(p, &c.case_id)? {
                counts.updated += 1;
            } else {
                counts.added += 1;
            }
            stored::upsert(p, c, at)?;
        }
        Ok(counts)
    })
}

/// Saves one case (new or edited) and, if given, files to attach to it.
pub fn save(project: &Project, c: &Case, attachments: &[&Path]) -> anyhow::Result<()> {
    check(c, "the case")?;
    let at = chrono::Local::now().naive_local();
    let mut files = Vec::new();
    for path in attachments {
        let content = std::fs::read(path)
            .map_err(|e| crate::said!("cannot read {}: {:#}", "无法读取 {}：{:#}", path.display(), e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        files.push((name, content));
    }
    project.transaction(|p| {
        stored::upsert(p, c, at)?;
        for (name, content) in &files {
            stored::attach(p, &c.case_id, name, content, at)?;
        }
        Ok(())
    })
}

/// The starter case library that ships with MAMS (`assets/cases/starter.json`): realistic
/// cases across the audit themes, merged into the sample project when it is built.
pub fn starter() -> anyhow::Result<Vec<Case>> {
    from_json(
        include_str!("../../assets/cases/starter.json"),
        "assets/cases/starter.json",
    )
}

/// The columns of the XLSX form, in order.
const XLSX_COLUMNS: [&str; 15] = [
    "case_id",
    "title",
    "title_en",
    "rule_id",
    "symptoms",
    "found_how",
    "root_cause",
    "handling",
    "outcome",
    "amount",
    "tags",
    "unit_id",
    "case_date",
    "features",
    "suspect_key",
];

pub fn to_json(cases: &[Case]) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(&serde_json::json!({
        "format": "mams-cases",
        "format_version": 1,
        "cases": cases,
    }))?)
}

/// Reads a library written by `to_json` (or a bare array of cases).
pub fn from_json(text: &str, source: &str) -> anyhow::Result<Vec<Case>> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| crate::said!("{source} is not valid JSON: {e}", "{source} 不是有效的 JSON：{e}"))?;
    let list = match &v {
        Value::Array(_) => v.clone(),
        Value::Object(o) => {
            if o.get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f != "mams-cases")
            {
                crate::bail_say!("{source} is not a MAMS case library", "{source} 不是 MAMS 案例库");
            }
            if o.get("format_version")
                .and_then(Value::as_i64)
                .is_some_and(|n| n > 1)
            {
                crate::bail_say!(
                    "{source} was written by a newer MAMS (case library format {}); update MAMS to read it",
                    "{source} 由较新版本的 MAMS 写入（案例库格式 {}）；请升级 MAMS 后再读取",
                    o["format_version"]
                );
            }
            o.get("cases")
                .cloned()
                .ok_or_else(|| crate::said!("{source} has no \"cases\" list", "{source} 中没有“cases”列表"))?
        }
        _ => crate::bail_say!("{source} is not a MAMS case library", "{source} 不是 MAMS 案例库"),
    };
    serde_json::from_value(list).map_err(|e| {
        crate::said!(
            "{source}: a case does not have the expected fields: {e}",
            "{source}：有案例缺少应有的字段：{e}"
        )
    })
}

pub fn write_xlsx(cases: &[Case], path: &Path) -> anyhow::Result<()> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name("cases")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in XLSX_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, c) in cases.iter().enumerate() {
        let row = i as u32 + 1;
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        let values = [
            c.case_id.clone(),
            c.title.clone(),
            text(&c.title_en),
            text(&c.rule_id),
            text(&c.symptoms),
            text(&c.found_how),
            text(&c.root_cause),
            text(&c.handling),
            text(&c.outcome),
            String::new(),
            c.tags.join(","),
            text(&c.unit_id),
            c.case_date.map(|d| d.to_string()).unwrap_or_default(),
            serde_json::to_string(&c.features)?,
            text(&c.suspect_key),
        ];
        for (col, v) in values.iter().enumerate() {
            if col == 9 {
                if let Some(a) = c.amount {
                    sheet.write_number(row, col as u16, a)?;
                }
            } else if !v.is_empty() {
                sheet.write_string(row, col as u16, v)?;
            }
        }
    }
    wb.save(path)
        .map_err(|e| crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e))
}

pub fn read_xlsx(path: &Path) -> anyhow::Result<Vec<Case>> {
    let (header, rows) = crate::import::excel::first_sheet_text(path)?;
    let col = |name: &str| header.iter().position(|h| h.trim() == name);
    let (id_col, title_col) = match (col("case_id"), col("title")) {
        (Some(a), Some(b)) => (a, b),
        _ => crate::bail_say!(
            "{}: the sheet needs the columns case_id and title (as `mams cases export` writes them)",
            "{}：工作表需要 case_id 和 title 两列（与 `mams cases export` 写出的一致）",
            path.display()
        ),
    };
    rows.iter()
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| {
            let at = |name: &str| {
                col(name)
                    .and_then(|c| r.get(c))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            };
            let row_no = i + 2;
            let amount = match at("amount") {
                Some(a) => Some(a.replace(',', "").parse::<f64>().map_err(|_| {
                    crate::said!(
                        "{} row {row_no}: amount '{a}' is not a number",
                        "{} 第 {row_no} 行：金额“{a}”不是数字",
                        path.display()
                    )
                })?),
                None => None,
            };
            let case_date = match at("case_date") {
                Some(d) => Some(
                    chrono::NaiveDate::parse_from_str(&d[..d.len().min(10)], "%Y-%m-%d").map_err(|_| {
                        crate::said!(
                            "{} row {row_no}: case_date '{d}' is not a date (YYYY-MM-DD)",
                            "{} 第 {row_no} 行：案例日期“{d}”不是日期（YYYY-MM-DD）",
                            path.display()
                        )
                    })?,
                ),
                None => None,
            };
            Ok(Case {
                case_id: r.get(id_col).map(|s| s.trim().to_string()).unwrap_or_default(),
                title: r.get(title_col).map(|s| s.trim().to_string()).unwrap_or_default(),
                title_en: at("title_en"),
                rule_id: at("rule_id"),
                symptoms: at("symptoms"),
                found_how: at("found_how"),
                root_cause: at("root_cause"),
                handling: at("handling"),
                outcome: at("outcome"),
                amount,
                tags: at("tags")
                    .map(|t| {
                        t.split([',', '，'])
                            .map(|x| x.trim().to_string())
                            .filter(|x| !x.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                unit_id: at("unit_id"),
                case_date,
                features: at("features")
                    .and_then(|f| serde_json::from_str(&f).ok())
                    .unwrap_or_default(),
                suspect_key: at("suspect_key"),
                files: Vec::new(),
            })
        })
        .collect()
}

/// Reads a case library file by its extension: .json or .xlsx.
pub fn read_file(path: &Path) -> anyhow::Result<Vec<Case>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" | "xls" => read_xlsx(path),
        "json" => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| crate::said!("cannot read {}: {:#}", "无法读取 {}：{:#}", path.display(), e))?;
            from_json(&text, &path.display().to_string())
        }
        _ => crate::bail_say!(
            "{}: a case library is a .json or .xlsx file",
            "{}：案例库应为 .json 或 .xlsx 文件",
            path.display()
        ),
    }
}

/// Writes the project's library to `path` (.json or .xlsx) with the personal values of the
/// cases' evidence masked, or in full after a choice the access log records first. The
/// cases' own text is written by people and leaves as they wrote it. Returns the cases written.
pub fn export(
    project: &Project,
    path: &Path,
    disclosure: crate::privacy::Disclosure,
) -> anyhow::Result<usize> {
    let mut all = crate::store::cases::all(project)?;
    let mut personal = std::collections::BTreeSet::new();
    for c in &mut all {
        let mut object: serde_json::Map<String, serde_json::Value> = c.features.iter().cloned().collect();
        let found = crate::privacy::mask_object(&mut object, disclosure);
        for (k, v) in &mut c.features {
            if let Some(m) = object.get(k.as_str()) {
                *v = m.clone();
            }
        }
        personal.extend(found);
    }
    let personal: Vec<String> = personal.into_iter().collect();
    crate::store::access_log::record_export(
        project,
        disclosure,
        "case library",
        path,
        &personal,
        all.len() as u64,
    )?;
    write_file(&all, path)?;
    Ok(all.len())
}

/// Writes the library by the file's extension: .json or .xlsx.
pub fn write_file(cases: &[Case], path: &Path) -> anyhow::Result<()> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "xlsx" => write_xlsx(cases, path),
        "json" => std::fs::write(path, to_json(cases)?)
            .map_err(|e| crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e)),
        _ => crate::bail_say!(
            "{}: export to a .json or .xlsx file",
            "{}：请导出为 .json 或 .xlsx 文件",
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str, title: &str, body: &str, tags: &[&str]) -> Case {
        Case {
            case_id: id.into(),
            title: title.into(),
            symptoms: Some(body.into()),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn chinese_is_searched_by_characters_and_bigrams_and_english_by_words() {
        assert_eq!(
            tokens("倍率错误 CT ratio"),
            ["倍率", "率错", "错误", "ct", "ratio"]
        );
        let lib = vec![
            case(
                "a",
                "大工业客户倍率设置错误",
                "更换电流互感器后未调整倍率",
                &["倍率"],
            ),
            case("b", "居民户长期零电量", "连续四个月电量为零", &["零电量"]),
            case(
                "c",
                "Late fee waived",
                "late fees waived without approval by the counter",
                &["collection"],
            ),
        ];
        let ids = |q: &str| {
            search(&lib, q)
                .into_iter()
                .map(|(i, _)| lib[i].case_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("倍率错误"), ["a"]);
        assert_eq!(ids("互感器"), ["a"]);
        assert_eq!(ids("零电量"), ["b"]);
        assert_eq!(ids("waiv approval"), ["c"], "prefixes of English words match");
        assert!(ids("变压器增容").is_empty());
        assert_eq!(search(&lib, "").len(), 3);
    }

    #[test]
    fn the_starter_library_covers_every_theme() {
        let lib = starter().unwrap();
        assert!(lib.len() >= 30);
        for theme in crate::sample::anomalies::THEMES {
            assert!(
                lib.iter().any(|c| c.rule_id.as_deref() == Some(*theme)),
                "no case of {theme}"
            );
        }
        for c in &lib {
            check(c, "starter").unwrap();
        }
    }

    #[test]
    fn library_files_round_trip_and_bad_ones_say_why() {
        let mut c = case("CASE-1", "倍率错误", "x", &["倍率", "CT"]);
        c.amount = Some(1234.5);
        c.case_date = chrono::NaiveDate::from_ymd_opt(2025, 3, 1);
        c.features = vec![("multiplier".into(), serde_json::json!(15.0))];
        let back = from_json(&to_json(std::slice::from_ref(&c)).unwrap(), "x.json").unwrap();
        assert_eq!(back, vec![c.clone()]);
        let dir = std::env::temp_dir().join(format!("mams-cases-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let x = dir.join("cases.xlsx");
        write_file(std::slice::from_ref(&c), &x).unwrap();
        assert_eq!(read_file(&x).unwrap(), vec![c]);
        assert!(
            from_json("{", "y.json")
                .unwrap_err()
                .to_string()
                .contains("y.json is not valid JSON")
        );
        let newer = r#"{"format":"mams-cases","format_version":9,"cases":[]}"#;
        assert!(
            from_json(newer, "z.json")
                .unwrap_err()
                .to_string()
                .contains("newer MAMS")
        );
        assert!(read_file(&dir.join("a.txt")).is_err());
    }
}
