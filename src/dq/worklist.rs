//! Rectification: a failing check becomes a worklist item of each unit its failing rows
//! belong to, for the people who fix the source system. open -> assigned -> fixed (waiting
//! for the next import) -> verified, or waived, or a false positive. Every change is
//! appended to the item's trail; MAMS itself verifies an item when a later run finds its
//! rows passing and reopens it when the failure comes back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::checks::Check;
use super::compile::{self, Bound};
use crate::privacy;
use crate::store::Project;
use crate::store::dq::{self as stored, Item, TrailEntry};

/// The actor of the changes MAMS makes itself.
pub const MAMS: &str = "MAMS";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Assigned,
    Fixed,
    Verified,
    Waived,
    FalsePositive,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Open,
        Status::Assigned,
        Status::Fixed,
        Status::Verified,
        Status::Waived,
        Status::FalsePositive,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Assigned => "assigned",
            Status::Fixed => "fixed",
            Status::Verified => "verified",
            Status::Waived => "waived",
            Status::FalsePositive => "false_positive",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.id() == s)
    }

    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Status::Open, false) => "Open",
            (Status::Open, true) => "待处理",
            (Status::Assigned, false) => "Assigned",
            (Status::Assigned, true) => "已派发",
            (Status::Fixed, false) => "Fixed, awaiting import",
            (Status::Fixed, true) => "已整改待复核",
            (Status::Verified, false) => "Verified",
            (Status::Verified, true) => "已验证",
            (Status::Waived, false) => "Waived",
            (Status::Waived, true) => "已豁免",
            (Status::FalsePositive, false) => "False positive",
            (Status::FalsePositive, true) => "误报",
        }
    }

    /// Where a person may move an item from this state. Verified is MAMS's to give (a run
    /// finds the rows passing); a waived item or a false positive can be reopened.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Open => &[
                Status::Assigned,
                Status::Fixed,
                Status::Waived,
                Status::FalsePositive,
            ],
            Status::Assigned => &[Status::Fixed, Status::Open, Status::Waived, Status::FalsePositive],
            Status::Fixed => &[Status::Assigned],
            Status::Verified => &[],
            Status::Waived | Status::FalsePositive => &[Status::Open],
        }
    }

    /// Still waiting for the source system to be put right.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Open | Status::Assigned | Status::Fixed)
    }
}

/// The key of the item of a check in a unit.
pub fn item_key(check_id: &str, unit: Option<&str>) -> String {
    format!("{check_id}|{}", unit.unwrap_or("*"))
}

/// Brings the worklist up to date with a stored run (inside its transaction): new failures
/// become open items, items whose rows now pass are verified, verified items failing again
/// are reopened. Items of checks not in `lib` (turned off) are left as they are.
pub fn follow_run(project: &Project, run_id: i64, lib: &[Bound]) -> anyhow::Result<()> {
    let in_lib: BTreeSet<&str> = lib.iter().map(|b| b.check.id.as_str()).collect();
    let failing: BTreeMap<String, (String, Option<String>, u64)> = stored::failing_by_unit(project, run_id)?
        .into_iter()
        .filter(|(check, _, n)| *n > 0 && in_lib.contains(check.as_str()))
        .map(|(check, unit, n)| (item_key(&check, unit.as_deref()), (check, unit, n)))
        .collect();
    let items: BTreeMap<String, Item> = stored::items(project, None)?
        .into_iter()
        .map(|i| (i.item_key.clone(), i))
        .collect();
    let now = chrono::Local::now().naive_local();
    let entry = |key: &str, from: Option<Status>, to: Status, note: String, item: Option<&Item>| TrailEntry {
        item_key: key.to_string(),
        changed_at: now,
        actor: MAMS.to_string(),
        from_status: from.map(|s| s.id().to_string()),
        to_status: to.id().to_string(),
        note: Some(note),
        owner: item.and_then(|i| i.owner.clone()),
        due_on: item.and_then(|i| i.due_on),
    };
    // Every item's news of this run, written in one statement (a province has a thousand).
    let mut updates: Vec<(String, &'static str, u64)> = Vec::new();
    for (key, (check, unit, n)) in &failing {
        match items.get(key) {
            None => {
                stored::insert_item(project, key, check, unit.as_deref(), *n, run_id, now)?;
                stored::append_trail(
                    project,
                    &entry(
                        key,
                        None,
                        Status::Open,
                        format!("run {run_id}: {n} rows failing"),
                        None,
                    ),
                )?;
            }
            Some(item) => {
                let status = Status::parse(&item.status).unwrap_or(Status::Open);
                let to = if status == Status::Verified {
                    Status::Open
                } else {
                    status
                };
                updates.push((key.clone(), to.id(), *n));
                if to != status {
                    stored::append_trail(
                        project,
                        &entry(
                            key,
                            Some(status),
                            to,
                            format!("run {run_id}: failing again, {n} rows"),
                            Some(item),
                        ),
                    )?;
                }
            }
        }
    }
    for (key, item) in &items {
        let status = Status::parse(&item.status).unwrap_or(Status::Open);
        if failing.contains_key(key) || !in_lib.contains(item.check_id.as_str()) {
            continue;
        }
        let to = if status.is_active() {
            Status::Verified
        } else {
            status
        };
        updates.push((key.clone(), to.id(), 0));
        if to != status {
            stored::append_trail(
                project,
                &entry(
                    key,
                    Some(status),
                    to,
                    format!("run {run_id}: its rows pass"),
                    Some(item),
                ),
            )?;
        }
    }
    stored::update_items(project, &updates, run_id, now)?;
    Ok(())
}

/// A person's change of an item: a new state, an owner, a due date, a note.
#[derive(Debug, Clone, Default)]
pub struct Change {
    pub to: Option<Status>,
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Applies a person's change, refusing a move the states do not allow.
pub fn change(project: &Project, key: &str, change: &Change, actor: &str) -> anyhow::Result<Item> {
    let Some(item) = stored::item(project, key)? else {
        crate::bail_say!("there is no worklist item {key}", "没有整改项 {key}");
    };
    let from = Status::parse(&item.status).unwrap_or(Status::Open);
    let to = change.to.unwrap_or(from);
    if to != from && !from.next().contains(&to) {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.id()).collect();
        crate::bail_say!(
            "item {key} is {}; it can move to {} only",
            "整改项 {key} 当前为 {}；只能转为 {}",
            from.id(),
            if allowed.is_empty() {
                "nothing (MAMS verifies it)".to_string()
            } else {
                allowed.join(", ")
            }
        );
    }
    let owner = change.owner.clone().or(item.owner.clone());
    let due_on = change.due_on.or(item.due_on);
    let now = chrono::Local::now().naive_local();
    project.transaction(|p| {
        stored::set_item_state(p, key, to.id(), owner.as_deref(), due_on, now)?;
        stored::append_trail(
            p,
            &TrailEntry {
                item_key: key.to_string(),
                changed_at: now,
                actor: actor.to_string(),
                from_status: Some(from.id().to_string()),
                to_status: to.id().to_string(),
                note: change.note.clone(),
                owner: owner.clone(),
                due_on,
            },
        )?;
        Ok(())
    })?;
    Ok(stored::item(project, key)?.expect("just written"))
}

/// The problem of a failing row in words: the check's sentence with the row's values and the
/// check's parameters put in.
pub fn problem(check: &Check, values: &BTreeMap<String, f64>, vals: &serde_json::Value, zh: bool) -> String {
    let mut text = check.problem(zh).to_string();
    if let Some(obj) = vals.as_object() {
        for (k, v) in obj {
            let shown = match v {
                serde_json::Value::Null => "∅".to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            text = text.replace(&format!("{{{k}}}"), &shown);
        }
    }
    for (k, v) in values {
        text = text.replace(&format!("{{{k}}}"), &format!("{v}"));
    }
    if let Some(reason) = vals.get("reason").and_then(|r| r.as_str()) {
        text.push_str(&format!(" ({reason})"));
    }
    text
}

/// The rows of a unit's worklist export: one per failing record of its open items.
pub struct ExportRow {
    pub unit: String,
    pub check: String,
    pub table: String,
    pub key: String,
    pub values: String,
    pub problem: String,
    pub status: String,
    pub owner: String,
    pub due_on: String,
}

/// Failing records per check in the export; a check failing on more is cut with a note.
pub const EXPORT_ROWS_PER_CHECK: usize = 50_000;

/// Every failing record of the unit's active items (re-read from the data, not the kept
/// first rows), personal values masked unless `unmasked`.
pub fn export_rows(
    project: &Project,
    unit: Option<&str>,
    zh: bool,
    unmasked: bool,
) -> anyhow::Result<Vec<ExportRow>> {
    let (lib, _) = super::run::library(project)?;
    let period = stored::data_period(project)?.unwrap_or_default();
    let names = crate::store::queries::org_tree(project)?;
    let unit_name = |u: &Option<String>| -> String {
        match u {
            None => {
                if zh {
                    "（全局）".into()
                } else {
                    "(project-wide)".into()
                }
            }
            Some(id) => names
                .iter()
                .find(|n| &n.unit_id == id)
                .map(|n| {
                    if zh || n.name_en.is_empty() {
                        n.name_zh.clone()
                    } else {
                        n.name_en.clone()
                    }
                })
                .unwrap_or_else(|| id.clone()),
        }
    };
    let mut out = Vec::new();
    let items = stored::items(project, unit)?;
    let mut checks_done = BTreeSet::new();
    for item in items
        .iter()
        .filter(|i| Status::parse(&i.status).is_some_and(|s| s.is_active()))
    {
        if !checks_done.insert(item.check_id.clone()) {
            continue;
        }
        let Some(b) = lib.iter().find(|b| b.check.id == item.check_id) else {
            continue;
        };
        let table = b.check.model_table();
        let shown = super::run::shown_names(&b.check);
        let rows: Vec<(Option<String>, String, serde_json::Value)> = if b.check.kind.table_level() {
            let run = stored::last_run(project)?.map(|r| r.run_id).unwrap_or(0);
            stored::failing_rows(project, run, Some(&b.check.id), unit)?
                .into_iter()
                .map(|f| (f.unit, f.key, serde_json::from_str(&f.vals).unwrap_or_default()))
                .collect()
        } else {
            let sql = compile::all_failing_sql(table, b, period, unit);
            stored::all_failing(project, &sql, &shown, EXPORT_ROWS_PER_CHECK)?
        };
        for (row_unit, key, vals) in rows {
            let state = items
                .iter()
                .find(|i| i.check_id == item.check_id && i.unit == row_unit)
                .or(Some(item));
            let mut shown_vals = vals.clone();
            if !unmasked && let Some(obj) = shown_vals.as_object_mut() {
                for (k, v) in obj.iter_mut() {
                    if let (Some(kind), Some(s)) = (privacy::model_column(&b.check.table, k), v.as_str()) {
                        *v = serde_json::Value::String(privacy::mask(s, kind));
                    }
                }
            }
            let values = shown_vals
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(k, _)| k.as_str() != "reason")
                        .map(|(k, v)| {
                            format!(
                                "{k}={}",
                                v.as_str().map(str::to_string).unwrap_or_else(|| "∅".into())
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            out.push(ExportRow {
                unit: unit_name(&row_unit),
                check: b.check.name(zh).to_string(),
                table: b.check.table.clone(),
                key,
                values,
                problem: problem(&b.check, &b.values, &shown_vals, zh),
                status: state
                    .and_then(|s| Status::parse(&s.status))
                    .map(|s| s.name(zh).to_string())
                    .unwrap_or_default(),
                owner: state.and_then(|s| s.owner.clone()).unwrap_or_default(),
                due_on: state
                    .and_then(|s| s.due_on)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            });
        }
    }
    Ok(out)
}

/// Writes a unit's worklist as XLSX: one row per failing record, keys as text (a customer
/// number is not a number to sum), a sheet of the items with their state.
pub fn write_xlsx(
    project: &Project,
    unit: Option<&str>,
    path: &Path,
    zh: bool,
    disclosure: crate::privacy::Disclosure,
) -> anyhow::Result<usize> {
    use rust_xlsxwriter::{Format, Workbook};
    let unmasked = disclosure == crate::privacy::Disclosure::Full;
    let rows = export_rows(project, unit, zh, unmasked)?;
    if unmasked {
        // The personal columns of the tables the rows come from: what the values may hold.
        let personal: BTreeSet<String> = rows
            .iter()
            .filter_map(|r| crate::model::table(&r.table))
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| c.personal.is_some())
                    .map(|c| c.name.to_string())
            })
            .collect();
        let personal: Vec<String> = personal.into_iter().collect();
        crate::store::access_log::record_export(
            project,
            disclosure,
            "dq worklist",
            path,
            &personal,
            rows.len() as u64,
        )?;
    }
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let header: [&str; 9] = if zh {
        [
            "单位",
            "检查项",
            "表",
            "记录主键",
            "问题值",
            "问题说明",
            "状态",
            "责任人",
            "整改期限",
        ]
    } else {
        [
            "Unit",
            "Check",
            "Table",
            "Record key",
            "Values at fault",
            "Problem",
            "State",
            "Owner",
            "Due",
        ]
    };
    let sheet = wb.add_worksheet();
    sheet.set_name(if zh { "问题记录" } else { "Failing records" })?;
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, v) in [
            &row.unit,
            &row.check,
            &row.table,
            &row.key,
            &row.values,
            &row.problem,
            &row.status,
            &row.owner,
            &row.due_on,
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(r, c as u16, v.as_str())?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    let items_sheet = wb.add_worksheet();
    items_sheet.set_name(if zh { "整改项" } else { "Items" })?;
    let ih: [&str; 6] = if zh {
        ["整改项", "单位", "失败行数", "状态", "责任人", "整改期限"]
    } else {
        ["Item", "Unit", "Failing rows", "State", "Owner", "Due"]
    };
    for (c, h) in ih.iter().enumerate() {
        items_sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, item) in stored::items(project, unit)?.iter().enumerate() {
        let r = r as u32 + 1;
        items_sheet.write_string(r, 0, &item.item_key)?;
        items_sheet.write_string(r, 1, item.unit.as_deref().unwrap_or("*"))?;
        items_sheet.write_number(r, 2, item.failing as f64)?;
        items_sheet.write_string(
            r,
            3,
            Status::parse(&item.status)
                .map(|s| s.name(zh))
                .unwrap_or(&item.status),
        )?;
        items_sheet.write_string(r, 4, item.owner.as_deref().unwrap_or(""))?;
        items_sheet.write_string(r, 5, item.due_on.map(|d| d.to_string()).unwrap_or_default())?;
    }
    items_sheet.autofit();
    wb.save(path)
        .map_err(|e| crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e))?;
    Ok(rows.len())
}
