//! The indicator cards of the Views for Leaders page for a period and an org unit: value,
//! target, change against last month and last year, 13 months of history, and a status.

use chrono::{Datelike, Months, NaiveDate};

use super::indicators::{Better, INDICATORS, Indicator, LEADER_CARDS, indicator};
use crate::store::Project;
use crate::store::kpi::{self, ClassTotals, MonthTotals};

/// Red, amber or green against the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The target is met.
    Green,
    /// Missed, but better than last month.
    Amber,
    /// Missed, and not better than last month.
    Red,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Card {
    pub indicator: &'static str,
    pub name_en: &'static str,
    pub name_zh: &'static str,
    pub unit: &'static str,
    /// None: no data, or nothing to divide by.
    pub value: Option<f64>,
    pub previous_month: Option<f64>,
    pub previous_year: Option<f64>,
    pub target: Option<f64>,
    /// None while provisional: a value whose data are not complete is not judged.
    pub status: Option<Status>,
    /// Set when the value counts events after its month that the data do not reach yet.
    pub provisional: Option<Provisional>,
    /// The 13 months ending with the period, oldest first.
    pub history: Vec<(NaiveDate, Option<f64>)>,
}

/// A value still open: its window closes on `closes_on`; the data reach `data_until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Provisional {
    pub closes_on: NaiveDate,
    pub data_until: Option<NaiveDate>,
}

/// Whether the value of `id` for `month` is still open, given how far the payments reach.
pub fn provisional(id: &str, month: NaiveDate, reach: Option<NaiveDate>) -> Option<Provisional> {
    let closes_on = super::indicators::window_closes(id, month_start(month))?;
    // Complete when the data reach the window's last day.
    let complete = reach.is_some_and(|r| r.succ_opt().is_some_and(|next| next >= closes_on));
    (!complete).then_some(Provisional {
        closes_on,
        data_until: reach,
    })
}

/// The last of `months` whose indicators are all complete (the app opens on it); the last
/// month when none is.
pub fn last_complete_month(months: &[NaiveDate], reach: Option<NaiveDate>) -> Option<NaiveDate> {
    months
        .iter()
        .rev()
        .find(|m| INDICATORS.iter().all(|i| provisional(i.id, **m, reach).is_none()))
        .or(months.last())
        .copied()
}

impl Card {
    pub fn indicator(&self) -> &'static Indicator {
        indicator(self.indicator).expect("cards are made from the catalogue")
    }
}

/// Months of history on a card (the sparkline), the period included.
pub const HISTORY_MONTHS: u32 = 13;

/// Green when the target is met; amber when missed but better than last month; red
/// otherwise. None for indicators without a direction or without target or value.
pub fn status(
    better: Better,
    value: Option<f64>,
    target: Option<f64>,
    previous: Option<f64>,
) -> Option<Status> {
    let (v, t) = (value?, target?);
    let meets = |a: f64, b: f64| match better {
        Better::Higher => a >= b,
        Better::Lower => a <= b,
        Better::Neither => false,
    };
    if better == Better::Neither {
        return None;
    }
    Some(if meets(v, t) {
        Status::Green
    } else if previous.is_some_and(|p| meets(v, p) && v != p) {
        Status::Amber
    } else {
        Status::Red
    })
}

/// The first day of `period`'s month.
pub fn month_start(period: NaiveDate) -> NaiveDate {
    period.with_day(1).expect("day 1 exists")
}

/// Cards of the given indicators (LEADER_CARDS when None) for `period` and `unit`.
pub fn cards(
    project: &Project,
    period: NaiveDate,
    unit: &str,
    ids: Option<&[&str]>,
) -> anyhow::Result<Vec<Card>> {
    let to = month_start(period);
    let from = to - Months::new(HISTORY_MONTHS - 1);
    let totals = kpi::month_totals(project, unit, from, to)?;
    cards_of_totals(project, unit, &totals, ids)
}

/// The leaders' page of `unit` in `period`: its cards and their slices, with the totals of
/// the unit and of the units below it asked in one query (without prebuilt sums, the data
/// tables are then read once for the page instead of twice).
pub fn cards_and_slices(
    project: &Project,
    period: NaiveDate,
    unit: &str,
    units_below: &[String],
) -> anyhow::Result<(Vec<Card>, Slices)> {
    let to = month_start(period);
    let from = to - Months::new(HISTORY_MONTHS - 1);
    let refs: Vec<&str> = std::iter::once(unit)
        .chain(units_below.iter().map(String::as_str))
        .collect();
    let mut totals = kpi::month_totals_of_units(project, &refs, from, to)?.into_iter();
    let own = totals.next().unwrap_or_default();
    let cards = cards_of_totals(project, unit, &own, None)?;
    let slices = Slices {
        unit_id: unit.to_string(),
        below: units_below.iter().cloned().zip(totals).collect(),
        classes: kpi::class_month_totals(project, unit, from, to)?,
    };
    Ok((cards, slices))
}

/// The cards of `unit` from its totals over the 13 months ending with the period.
fn cards_of_totals(
    project: &Project,
    unit: &str,
    totals: &[MonthTotals],
    ids: Option<&[&str]>,
) -> anyhow::Result<Vec<Card>> {
    let targets = kpi::targets_for(project, unit)?;
    let reach = kpi::payments_reach(project)?;
    let ids = ids.unwrap_or(LEADER_CARDS);
    let mut out = Vec::new();
    for id in ids {
        let Some(ind) = indicator(id) else {
            crate::bail_say!(
                "'{id}' is not an indicator (known: {})",
                "“{id}”不是指标（已知的指标：{}）",
                INDICATORS.iter().map(|i| i.id).collect::<Vec<_>>().join(", ")
            );
        };
        out.push(card(ind, totals, &targets, reach));
    }
    Ok(out)
}

/// Cards of several units at once (the indicator sums are checked once, not per unit).
pub fn cards_of_units(
    project: &Project,
    period: NaiveDate,
    units: &[String],
    ids: Option<&[&str]>,
) -> anyhow::Result<Vec<(String, Vec<Card>)>> {
    let to = month_start(period);
    let from = to - Months::new(HISTORY_MONTHS - 1);
    let refs: Vec<&str> = units.iter().map(String::as_str).collect();
    let all = kpi::month_totals_of_units(project, &refs, from, to)?;
    let ids = ids.unwrap_or(LEADER_CARDS);
    let reach = kpi::payments_reach(project)?;
    let mut out = Vec::with_capacity(units.len());
    for (unit, totals) in units.iter().zip(all) {
        let targets = kpi::targets_for(project, unit)?;
        let mut cards = Vec::with_capacity(ids.len());
        for id in ids {
            let ind =
                indicator(id).ok_or_else(|| crate::said!("'{id}' is not an indicator", "“{id}”不是指标"))?;
            cards.push(card(ind, &totals, &targets, reach));
        }
        out.push((unit.clone(), cards));
    }
    Ok(out)
}

/// One card from 13 months of totals (oldest first, the period last); `reach` is the last
/// day of payments in the data.
pub fn card(
    ind: &'static Indicator,
    totals: &[MonthTotals],
    targets: &[(String, f64)],
    reach: Option<NaiveDate>,
) -> Card {
    let history: Vec<(NaiveDate, Option<f64>)> = totals
        .iter()
        .filter_map(|t| Some((t.month?, (ind.value)(t))))
        .collect();
    let at = |back: usize| history.len().checked_sub(1 + back).and_then(|i| history[i].1);
    let (value, previous_month, previous_year) = (at(0), at(1), at(12));
    let target = targets
        .iter()
        .find(|(i, _)| i == ind.id)
        .map(|(_, t)| *t)
        .or(ind.default_target);
    let provisional = history.last().and_then(|(m, _)| provisional(ind.id, *m, reach));
    Card {
        indicator: ind.id,
        name_en: ind.en,
        name_zh: ind.zh,
        unit: ind.unit_en,
        value,
        previous_month,
        previous_year,
        target,
        status: status(ind.better, value, target, previous_month).filter(|_| provisional.is_none()),
        provisional,
        history,
    }
}

/// The unit to count (`unit`, or the top unit) after checking that it exists and that the
/// project has data for `period`; the errors say what there is instead.
pub fn check_scope(project: &Project, period: NaiveDate, unit: Option<&str>) -> anyhow::Result<String> {
    let tree = crate::store::queries::org_tree(project)?;
    let unit = match unit {
        Some(u) => {
            if !tree.iter().any(|t| t.unit_id == u) {
                let top: Vec<&str> = tree
                    .iter()
                    .filter(|t| t.level == "province" || t.level == "city")
                    .map(|t| t.unit_id.as_str())
                    .collect();
                crate::bail_say!(
                    "no org unit '{u}' in the project (units at the top: {})",
                    "项目中没有组织单位“{u}”（顶层单位：{}）",
                    top.join(", ")
                );
            }
            u.to_string()
        }
        None => tree
            .iter()
            .find(|t| t.parent_id.is_none())
            .map(|t| t.unit_id.clone())
            .ok_or_else(|| {
                crate::said!(
                    "the project has no org units: import org_units first",
                    "项目中没有组织单位：请先导入 org_units"
                )
            })?,
    };
    let months = crate::store::queries::months(project)?;
    let month = month_start(period);
    if !months.contains(&month) {
        let span = match (months.first(), months.last()) {
            (Some(a), Some(b)) => format!("it holds {} to {}", a.format("%Y-%m"), b.format("%Y-%m")),
            _ => "it holds no monthly data yet".to_string(),
        };
        crate::bail_say!(
            "the project has no data for {}; {span}",
            "项目中没有 {} 的数据；{span}",
            month.format("%Y-%m")
        );
    }
    Ok(unit)
}

/// The value of every indicator in `ids` for each of `units` in `period` (for a ranking of
/// units): (unit, values in the order of `ids`).
pub fn unit_values(
    project: &Project,
    period: NaiveDate,
    units: &[String],
    ids: &[&str],
) -> anyhow::Result<Vec<(String, Vec<Option<f64>>)>> {
    let month = month_start(period);
    let names: Vec<&str> = units.iter().map(String::as_str).collect();
    let totals = kpi::month_totals_of_units(project, &names, month, month)?;
    Ok(units
        .iter()
        .zip(totals)
        .map(|(unit, totals)| {
            let values = ids
                .iter()
                .map(|id| {
                    let ind = indicator(id)?;
                    totals.first().and_then(|t| (ind.value)(t))
                })
                .collect();
            (unit.clone(), values)
        })
        .collect())
}

/// What a card's detail is sliced by: 13 months of sums of each unit one level down, and
/// the same by customer class for the unit and for each unit below it.
#[derive(Debug, Clone, Default)]
pub struct Slices {
    pub unit_id: String,
    /// (unit one level down, its 13 months), oldest month first.
    pub below: Vec<(String, Vec<MonthTotals>)>,
    /// (the unit or a unit below, its classes with their 13 months).
    pub classes: Vec<(String, Vec<ClassTotals>)>,
}

/// The slices of `unit`'s cards for the 13 months ending with `period`.
pub fn slices(
    project: &Project,
    period: NaiveDate,
    unit: &str,
    units_below: &[String],
) -> anyhow::Result<Slices> {
    let to = month_start(period);
    let from = to - Months::new(HISTORY_MONTHS - 1);
    let refs: Vec<&str> = units_below.iter().map(String::as_str).collect();
    let totals = kpi::month_totals_of_units(project, &refs, from, to)?;
    Ok(Slices {
        unit_id: unit.to_string(),
        below: units_below.iter().cloned().zip(totals).collect(),
        classes: kpi::class_month_totals(project, unit, from, to)?,
    })
}

/// The months and values of `ind` over some totals.
fn series(ind: &Indicator, months: &[MonthTotals]) -> Vec<(NaiveDate, Option<f64>)> {
    months
        .iter()
        .filter_map(|t| Some((t.month?, (ind.value)(t))))
        .collect()
}

impl Slices {
    fn classes_of(&self, unit: &str) -> &[ClassTotals] {
        self.classes
            .iter()
            .find(|(u, _)| u == unit)
            .map(|(_, c)| c.as_slice())
            .unwrap_or_default()
    }

    /// The 13 months of `ind` of a unit below (None: of the unit itself, whose card has
    /// them) in one class (None: all of them); None when there is no such slice.
    pub fn history(
        &self,
        ind: &Indicator,
        below: Option<&str>,
        class: Option<&Option<String>>,
    ) -> Option<Vec<(NaiveDate, Option<f64>)>> {
        let unit = below.unwrap_or(&self.unit_id);
        match class {
            Some(class) => {
                let c = self.classes_of(unit).iter().find(|c| &c.class == class)?;
                Some(series(ind, &c.months))
            }
            None => {
                let (_, months) = self.below.iter().find(|(u, _)| u == unit)?;
                Some(series(ind, months))
            }
        }
    }

    /// The value of `ind` in the period for each unit below, of one class (None: all).
    pub fn below_values(
        &self,
        ind: &Indicator,
        class: Option<&Option<String>>,
    ) -> Vec<(String, Option<f64>)> {
        self.below
            .iter()
            .map(|(unit, months)| {
                let value = match class {
                    None => months.last().and_then(|t| (ind.value)(t)),
                    Some(class) => self
                        .classes_of(unit)
                        .iter()
                        .find(|c| &c.class == class)
                        .and_then(|c| c.months.last())
                        .and_then(|t| (ind.value)(t)),
                };
                (unit.clone(), value)
            })
            .collect()
    }

    /// The value of `ind` in the period for each customer class of the unit or of a unit
    /// below (None: the unit itself), classes without a value left out.
    pub fn class_values(&self, ind: &Indicator, below: Option<&str>) -> Vec<(Option<String>, f64)> {
        self.classes_of(below.unwrap_or(&self.unit_id))
            .iter()
            .filter_map(|c| Some((c.class.clone(), c.months.last().and_then(|t| (ind.value)(t))?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_collection_rate_is_provisional_until_the_payments_reach_its_windows_end() {
        // December's bills are collected up to 28 February (payments before 1 March count).
        let dec = day(2025, 12, 1);
        let open = provisional("collection_rate", dec, Some(day(2026, 1, 10))).unwrap();
        assert_eq!(open.closes_on, day(2026, 3, 1));
        assert_eq!(open.data_until, Some(day(2026, 1, 10)));
        assert!(provisional("collection_rate", dec, Some(day(2026, 2, 27))).is_some());
        assert!(provisional("collection_rate", dec, Some(day(2026, 2, 28))).is_none());
        assert!(
            provisional("collection_rate", dec, None).is_some(),
            "no payments at all"
        );
        // Counting the month's own events: complete with the month.
        assert!(provisional("sales_kwh", dec, None).is_none());

        // The app opens on October: the last month whose window closed by 10 January.
        let months: Vec<NaiveDate> = (1..=12).map(|m| day(2025, m, 1)).collect();
        assert_eq!(
            last_complete_month(&months, Some(day(2026, 1, 10))),
            Some(day(2025, 10, 1))
        );
        assert_eq!(
            last_complete_month(&months, Some(day(2026, 3, 5))),
            Some(day(2025, 12, 1))
        );
        assert_eq!(
            last_complete_month(&months, None),
            Some(day(2025, 12, 1)),
            "none complete"
        );
        assert_eq!(last_complete_month(&[], None), None);
    }
}
