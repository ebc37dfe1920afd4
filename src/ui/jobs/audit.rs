//! Jobs of the audit workbench, the case library and the rules.

use std::path::{Path, PathBuf};

use super::{AuditList, AuditRunSummary, Msg, RulesData, SuspectDetail, finish, open_project_in};
use crate::progress::Progress;
use crate::worker::WorkerState;

/// A page of suspects matching `filter`. `seq` tells the page which request this answers.
pub fn audit_list(
    seq: u64,
    filter: crate::store::audit::SuspectFilter,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let (rules, _) = crate::audit::run::library(p)?;
            let (rows, total) = crate::store::audit::suspects(p, &filter)?;
            let precision = crate::store::audit::precision(p)?;
            Ok(AuditList {
                rules,
                rows,
                total,
                precision,
            })
        })();
        finish(r, |r| Msg::AuditList(seq, r))
    }
}

pub fn suspect_detail(key: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            use crate::store::audit as stored;
            let p = open_project_in(state)?;
            let suspect = stored::suspect(p, &key)?
                .ok_or_else(|| crate::said!("no suspect {key}", "没有疑点 {key}"))?;
            let (kind, id) = (suspect.entity_type.clone(), suspect.entity_id.clone());
            let cases = crate::store::cases::all(p)?;
            let (rules, _) = crate::audit::run::library(p)?;
            let en = crate::audit::cases::similar(&cases, &rules, &suspect, 5, false);
            let zh = crate::audit::cases::similar(&cases, &rules, &suspect, 5, true);
            let similar = en
                .into_iter()
                .zip(zh)
                .map(|(e, z)| (cases[e.case_index].clone(), e.reasons, z.reasons))
                .collect();
            Ok(SuspectDetail {
                similar,
                trail: stored::trail(p, &key)?,
                onsite: onsite_records(p, &key)?,
                archive: stored::entity_row(p, &kind, &id)?,
                series: stored::entity_series(p, &kind, &id)?,
                related: stored::related_rows(p, &kind, &id)?,
                suspect,
            })
        })();
        finish(r, |r| Msg::AuditDetail(key, r))
    }
}

pub fn run_audit(spec: crate::audit::run::RunSpec) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let (rules, _) = crate::audit::run::library(p)?;
            let report = crate::audit::run::run(p, &rules, &spec, !p.is_read_only(), progress)?;
            if report.saved.is_some() {
                let _ = crate::risk::compute::after_change(p, progress);
            }
            Ok(AuditRunSummary {
                outcomes: report.outcomes,
                saved: report.saved,
            })
        })();
        finish(r, Msg::AuditRun)
    }
}

pub fn change_suspects(
    keys: Vec<String>,
    change: crate::audit::triage::Change,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            crate::audit::triage::apply(p, &keys, &change, &crate::account::name())
        })();
        finish(r, Msg::AuditChanged)
    }
}

pub fn load_cases() -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| Ok(crate::store::cases::all(open_project_in(state)?)?))();
        finish(r, Msg::Cases)
    }
}

/// Saves a case (and attaches files to it).
pub fn save_case(
    case: crate::store::cases::Case,
    attachments: Vec<PathBuf>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let files: Vec<&Path> = attachments.iter().map(PathBuf::as_path).collect();
            crate::audit::cases::save(p, &case, &files)?;
            Ok(case.case_id.clone())
        })();
        finish(r, Msg::CaseSaved)
    }
}

/// Promotes a confirmed suspect to a case (pre-filled), keeping what an earlier promotion
/// of the same suspect already wrote.
pub fn promote_suspect(key: String) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let s = crate::store::audit::suspect(p, &key)?
                .ok_or_else(|| crate::said!("no suspect {key}", "没有疑点 {key}"))?;
            let case_id = crate::audit::cases::case_id_for(&key);
            if crate::store::cases::exists(p, &case_id)? {
                return Ok(case_id);
            }
            let (rules, _) = crate::audit::run::library(p)?;
            let rule = rules.iter().find(|r| r.id == s.rule_id);
            let case = crate::audit::cases::promote(&s, rule, chrono::Local::now().date_naive());
            crate::audit::cases::save(p, &case, &[])?;
            Ok(case.case_id)
        })();
        finish(r, Msg::CaseSaved)
    }
}

pub fn import_cases(path: PathBuf) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let list = crate::audit::cases::read_file(&path)?;
            let n = crate::audit::cases::merge(p, &list, &path.display().to_string())?;
            Ok(format!("+{} / {}", n.added, n.updated))
        })();
        finish(r, Msg::CasesMerged)
    }
}

pub fn export_cases(
    path: PathBuf,
    disclosure: crate::privacy::Disclosure,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let n = crate::audit::cases::export(p, &path, disclosure)?;
            Ok(format!("{n} → {}", path.display()))
        })();
        finish(r, Msg::CasesMerged)
    }
}

pub fn load_rules() -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let (rules, problems) = crate::audit::run::library(p)?;
            Ok(RulesData {
                rules,
                problems,
                overrides: crate::store::audit::param_values(p)?,
                precision: crate::store::audit::precision(p)?,
            })
        })();
        finish(r, Msg::Rules)
    }
}

/// Sets (or resets, with None) parameters of a rule for this project, all or none.
pub fn set_rule_params(
    rule: String,
    values: Vec<(String, Option<f64>)>,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            p.transaction(|p| {
                for (param, v) in &values {
                    crate::store::audit::set_param(p, &rule, param, *v)?;
                }
                Ok(())
            })?;
            Ok(rule.clone())
        })();
        finish(r, Msg::RuleSaved)
    }
}

/// Checks and keeps a rule written by an auditor (or removes one, with `query` None).
pub fn save_project_rule(
    meta_json: String,
    query: Option<String>,
    id: String,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            match query {
                Some(q) => Ok(crate::audit::run::save_project_rule(p, &meta_json, &q)?.id),
                None => {
                    crate::store::audit::delete_project_rule(p, &id)?;
                    Ok(id)
                }
            }
        })();
        finish(r, Msg::RuleSaved)
    }
}

/// Writes a copy of a file attached to a case.
pub fn save_attachment(
    case_id: String,
    name: String,
    to: PathBuf,
) -> impl FnOnce(&mut WorkerState, &Progress) -> Msg + Send {
    move |state, _progress| {
        let r = (|| {
            let p = open_project_in(state)?;
            let content = crate::store::cases::file(p, &case_id, &name)?.ok_or_else(|| {
                crate::said!(
                    "case {case_id} has no file {name}",
                    "案例 {case_id} 没有文件 {name}"
                )
            })?;
            std::fs::write(&to, content)
                .map_err(|e| crate::said!("cannot write {}: {e}", "无法写入 {}：{e}", to.display()))?;
            Ok(format!("{name} → {}", to.display()))
        })();
        finish(r, Msg::CasesMerged)
    }
}

/// The on-site records of a suspect with their photos scaled to thumbnails (a photo that
/// does not decode is left out: the record says how many it had).
fn onsite_records(
    p: &crate::store::Project,
    key: &str,
) -> anyhow::Result<Vec<(crate::store::onsite::Record, Vec<egui::ColorImage>)>> {
    let mut out = Vec::new();
    for r in crate::store::onsite::records_of(p, key)? {
        let photos = crate::store::onsite::photos(p, &r.record_id)?
            .into_iter()
            .filter_map(|ph| image::load_from_memory(&ph.bytes).ok())
            .map(|img| {
                let img = img.thumbnail(480, 480).to_rgba8();
                let size = [img.width() as usize, img.height() as usize];
                egui::ColorImage::from_rgba_unmultiplied(size, img.as_raw())
            })
            .collect();
        out.push((r, photos));
    }
    Ok(out)
}
