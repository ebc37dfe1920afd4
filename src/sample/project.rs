//! The sample project a newcomer opens: the sample extracts imported, the indicator sums
//! built, the starter case library, every audit rule run over every month, and a few
//! suspects already worked along the closed loop, so that each page shows what it is for.

use chrono::Months;

use crate::audit::run::{self, RunSpec};
use crate::audit::triage::{self, Change, Status};
use crate::progress::Progress;
use crate::store::Project;
use crate::store::audit::{self as stored, SuspectFilter};

/// Who the sample's own triage steps are recorded as (the trail shows they are examples).
pub const SAMPLE_ACTOR: &str = "MAMS sample";

/// Readies a freshly imported sample project (see the module's comment).
pub fn prepare(project: &Project, progress: &Progress) -> anyhow::Result<()> {
    crate::store::kpi::refresh_after_import(project, progress);
    crate::audit::cases::merge(
        project,
        &crate::audit::cases::starter()?,
        "the starter case library",
    )?;
    let months = crate::store::queries::months(project)?;
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(());
    };
    let top = crate::store::queries::org_tree(project)?
        .into_iter()
        .find(|u| u.parent_id.is_none())
        .map(|u| u.unit_id)
        .ok_or_else(|| anyhow::anyhow!("the sample has no top unit"))?;
    progress.set(None, crate::say!("auditing the sample", "正在审计示例数据"));
    let (library, _) = run::library(project)?;
    run::run(
        project,
        &library,
        &RunSpec::new(*first, *last, &top, vec![]),
        true,
        progress,
    )?;
    walk_examples(project)?;
    record_planted_measure(project, &months)?;
    crate::risk::compute::refresh(project, progress)?;
    Ok(())
}

/// The measure whose effect the generator planted (`sample::measure_effect`), recorded as a
/// manager would: remote reading completed in one county from the middle month on.
fn record_planted_measure(project: &Project, months: &[chrono::NaiveDate]) -> anyhow::Result<()> {
    use crate::risk::measures::{self, Change, Metric, NewMeasure, State};
    use crate::sample::measure_effect::{RULE, TREATED};
    let has_county = crate::store::queries::org_tree(project)?
        .iter()
        .any(|u| u.unit_id == TREATED);
    if months.len() < 8 || !has_county {
        return Ok(());
    }
    let start = months[months.len() / 2];
    let id = measures::add(
        project,
        &NewMeasure {
            risk_id: "metering.estimated_reads".into(),
            action: "推进采集全覆盖：各供电所采集终端安装与修复".into(),
            owner_unit: TREATED.into(),
            units: vec![TREATED.into()],
            start_month: start,
            due_on: start.checked_add_months(Months::new(3)).unwrap_or(start),
            metric: Some(Metric::Rule(RULE.into())),
            controls: Vec::new(),
            notes: "首月完成终端安装；此后估抄须经审批。".into(),
        },
        SAMPLE_ACTOR,
    )?;
    for (to, note) in [
        (State::InProgress, "开始安装采集终端"),
        (State::Done, "各供电所均已远程抄表"),
    ] {
        measures::change(
            project,
            id,
            &Change {
                to: Some(to),
                note: note.into(),
                ..Default::default()
            },
            SAMPLE_ACTOR,
        )?;
    }
    Ok(())
}

/// The highest-scoring suspect of `rule` still new, if any.
fn top_new(project: &Project, rule: &str) -> anyhow::Result<Option<(String, String, f64)>> {
    let (rows, _) = stored::suspects(
        project,
        &SuspectFilter {
            rules: vec![rule.to_string()],
            statuses: vec!["new".into()],
            limit: Some(1),
            ..Default::default()
        },
    )?;
    Ok(rows
        .into_iter()
        .next()
        .map(|s| (s.key, s.unit_id.unwrap_or_default(), s.amount)))
}

/// Four suspects at four steps of the loop: one closed with the money recovered, one being
/// rectified, one confirmed, one being verified.
fn walk_examples(project: &Project) -> anyhow::Result<()> {
    // Due a month from now: an example rectification is running, not overdue.
    let due = chrono::Local::now().date_naive() + Months::new(1);
    let steps = |key: &str, path: &[Change]| -> anyhow::Result<()> {
        for c in path {
            triage::apply(project, &[key.to_string()], c, SAMPLE_ACTOR)?;
        }
        Ok(())
    };
    let to = |s: Status, note: &str| Change {
        to: Some(s),
        note: note.to_string(),
        ..Default::default()
    };
    let assign = |s: Status, note: &str, unit: &str| Change {
        assignee_unit: Some(unit.to_string()),
        due_on: Some(due),
        ..to(s, note)
    };
    if let Some((key, unit, amount)) = top_new(project, "late_fee")? {
        steps(
            &key,
            &[
                to(
                    Status::Verifying,
                    "Example: payment records pulled from the collection system.",
                ),
                to(
                    Status::Confirmed,
                    "Example: the fee was not charged at the counter.",
                ),
                assign(
                    Status::Rectifying,
                    "Example: charge the fee with the next bill.",
                    &unit,
                ),
                to(Status::Rectified, "Example: charged on the next bill."),
                Change {
                    recovered: Some((amount * 100.0).round() / 100.0),
                    ..to(Status::Closed, "Example: payment of the fee seen.")
                },
            ],
        )?;
    }
    if let Some((key, unit, _)) = top_new(project, "multiplier")? {
        steps(
            &key,
            &[
                to(Status::Verifying, "Example: site visit booked."),
                to(
                    Status::Confirmed,
                    "Example: CT ratio on site differs from the archive.",
                ),
                assign(
                    Status::Rectifying,
                    "Example: correct the archive and re-bill.",
                    &unit,
                ),
            ],
        )?;
    }
    if let Some((key, _, _)) = top_new(project, "tariff_industry")? {
        steps(
            &key,
            &[
                to(Status::Verifying, "Example: business licence requested."),
                to(Status::Confirmed, "Example: licence shows another industry."),
            ],
        )?;
    }
    if let Some((key, unit, _)) = top_new(project, "zero_kwh")? {
        steps(
            &key,
            &[assign(
                Status::Verifying,
                "Example: meter reader to check the meter.",
                &unit,
            )],
        )?;
    }
    Ok(())
}
