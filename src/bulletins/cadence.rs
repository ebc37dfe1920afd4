//! The working cadence of a marketing department as data (`assets/cadence.json`, or the
//! project's own copy): each item has a rhythm (every working day, every Monday, the 5th
//! working day of the month, the 10th day of a quarter's first month, 20 January...), what
//! it produces (a bulletin kind, and the monthly meeting's deck), the unit and the role
//! responsible. Working days are Monday to Friday less the public holidays, plus the
//! weekend days worked in their place (调休), both listed in the calendar.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::Kind;
use crate::text::Text;

pub const BUILTIN: &str = include_str!("../../assets/cadence.json");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    pub items: Vec<Item>,
    /// Public holidays (days off on a weekday).
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days worked in place of a holiday.
    #[serde(default)]
    pub workdays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub rhythm: Rhythm,
    /// The bulletin it produces (of the period before the day it is due).
    pub bulletin: Kind,
    /// Whether it also needs the meeting's deck.
    #[serde(default)]
    pub deck: bool,
    /// The org unit it is for; None: the top unit.
    #[serde(default)]
    pub unit: Option<String>,
    pub role_en: String,
    pub role_zh: String,
}

/// When an item falls due.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "every", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rhythm {
    /// Every working day.
    WorkingDay,
    /// A weekday of every week ("mon" ... "sun"); moved to the next working day when it is
    /// a holiday.
    Week { weekday: Weekday },
    /// The n-th working day of every month, or a day of the month.
    Month {
        #[serde(default)]
        working_day: Option<u32>,
        #[serde(default)]
        day: Option<u32>,
    },
    /// A day (or working day) of the first, second or third month of every quarter.
    Quarter {
        month: u32,
        #[serde(default)]
        working_day: Option<u32>,
        #[serde(default)]
        day: Option<u32>,
    },
    /// A day of the year.
    Year { month: u32, day: u32 },
}

impl Rhythm {
    /// The rhythm in words.
    pub fn describe(&self) -> Text {
        let ordinal = |n: u32| match n % 10 {
            1 if n % 100 != 11 => format!("{n}st"),
            2 if n % 100 != 12 => format!("{n}nd"),
            3 if n % 100 != 13 => format!("{n}rd"),
            _ => format!("{n}th"),
        };
        let weekday_zh =
            |w: Weekday| ["一", "二", "三", "四", "五", "六", "日"][w.num_days_from_monday() as usize];
        let nth = |working: Option<u32>, day: Option<u32>| match (working, day) {
            (Some(w), _) => (
                format!("the {} working day", ordinal(w)),
                format!("第{w}个工作日"),
            ),
            (None, Some(d)) => (format!("day {d}"), format!("{d}日")),
            (None, None) => ("?".into(), "?".into()),
        };
        match *self {
            Rhythm::WorkingDay => crate::say!("every working day", "每个工作日"),
            Rhythm::Week { weekday } => Text {
                en: format!("every {weekday:?}"),
                zh: format!("每周{}", weekday_zh(weekday)),
            },
            Rhythm::Month { working_day, day } => {
                let (en, zh) = nth(working_day, day);
                Text {
                    en: format!("{en} of every month"),
                    zh: format!("每月{zh}"),
                }
            }
            Rhythm::Quarter {
                month,
                working_day,
                day,
            } => {
                let (en, zh) = nth(working_day, day);
                Text {
                    en: format!("{en} of month {month} of every quarter"),
                    zh: format!("每季度第{month}个月的{zh}"),
                }
            }
            Rhythm::Year { month, day } => Text {
                en: NaiveDate::from_ymd_opt(2001, month, day)
                    .map(|d| format!("every {}", d.format("%-d %B")))
                    .unwrap_or_default(),
                zh: format!("每年{month}月{day}日"),
            },
        }
    }
}

/// The state of one occurrence of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    NotPrepared,
    Prepared,
    Published,
}

impl State {
    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (State::NotPrepared, false) => "not prepared",
            (State::NotPrepared, true) => "未准备",
            (State::Prepared, false) => "prepared",
            (State::Prepared, true) => "已准备",
            (State::Published, false) => "published",
            (State::Published, true) => "已发布",
        }
    }
}

/// One item due on one day, with the period its bulletin covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Occurrence {
    pub item: String,
    pub due: NaiveDate,
    pub kind: Kind,
    /// The period of the bulletin, as `mams bulletin --period` takes it.
    pub period: String,
}

impl Cadence {
    /// Reads a cadence and checks it, saying which item is wrong and how.
    pub fn parse(json: &str) -> anyhow::Result<Cadence> {
        let c: Cadence = serde_json::from_str(json)
            .map_err(|e| crate::said!("the cadence cannot be read: {e}", "无法读取工作节奏：{e}"))?;
        c.check()?;
        Ok(c)
    }

    pub fn builtin() -> Cadence {
        Cadence::parse(BUILTIN).expect("the shipped cadence is checked by a test")
    }

    fn check(&self) -> anyhow::Result<()> {
        let mut ids = BTreeSet::new();
        for it in &self.items {
            if !ids.insert(it.id.as_str()) {
                crate::bail_say!("the cadence has item '{}' twice", "工作节奏中事项“{}”重复", it.id);
            }
            let bad = match it.rhythm {
                Rhythm::WorkingDay | Rhythm::Week { .. } => None,
                Rhythm::Month { working_day, day } | Rhythm::Quarter { working_day, day, .. } => {
                    match (working_day, day) {
                        (Some(w), None) if (1..=23).contains(&w) => None,
                        (None, Some(d)) if (1..=28).contains(&d) => None,
                        _ => Some("give either working_day (1 to 23) or day (1 to 28), not both"),
                    }
                }
                Rhythm::Year { month, day } => NaiveDate::from_ymd_opt(2001, month, day)
                    .is_none()
                    .then_some("month and day do not make a date"),
            };
            let bad = bad.or(match it.rhythm {
                Rhythm::Quarter { month, .. } if !(1..=3).contains(&month) => {
                    Some("the month of a quarter is 1, 2 or 3")
                }
                _ => None,
            });
            if let Some(why) = bad {
                crate::bail_say!(
                    "the cadence item '{}' has a rhythm that cannot fall due: {}",
                    "工作节奏事项“{}”的周期无效：{}",
                    it.id,
                    why
                );
            }
        }
        if let Some(d) = self.holidays.intersection(&self.workdays).next() {
            crate::bail_say!(
                "{} is both a holiday and a working day in the cadence",
                "{} 在工作节奏中既是假日又是工作日",
                d
            );
        }
        Ok(())
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// The n-th working day (1-based) of the month starting at `first`.
    fn nth_working_day(&self, first: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut d = first;
        let mut k = 0;
        while d.month() == first.month() {
            if self.is_working_day(d) {
                k += 1;
                if k == n {
                    return Some(d);
                }
            }
            d = d + Days::new(1);
        }
        None
    }

    /// `d` or the first working day after it.
    fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut d = d;
        for _ in 0..31 {
            if self.is_working_day(d) {
                return d;
            }
            d = d + Days::new(1);
        }
        d
    }

    /// Whether `item` falls due on `day`.
    pub fn due_on(&self, item: &Item, day: NaiveDate) -> bool {
        let first = day.with_day(1).expect("day 1");
        let in_month = |working_day: Option<u32>, dom: Option<u32>, first: NaiveDate| match (working_day, dom)
        {
            (Some(n), _) => self.nth_working_day(first, n) == Some(day),
            (None, Some(dom)) => first.with_day(dom).map(|d| self.next_working_day(d)) == Some(day),
            _ => false,
        };
        match item.rhythm {
            Rhythm::WorkingDay => self.is_working_day(day),
            Rhythm::Week { weekday } => {
                // The weekday of this week (or of the week before, when a holiday pushed
                // it across the weekend), moved to the next working day.
                (0..2).any(|back| {
                    let monday = day.week(Weekday::Mon).first_day() - Days::new(7 * back);
                    let nominal = monday + Days::new(weekday.num_days_from_monday() as u64);
                    self.next_working_day(nominal) == day
                })
            }
            Rhythm::Month {
                working_day,
                day: dom,
            } => in_month(working_day, dom, first),
            Rhythm::Quarter {
                month,
                working_day,
                day: dom,
            } => (day.month0() % 3) + 1 == month && in_month(working_day, dom, first),
            Rhythm::Year { month, day: dom } => NaiveDate::from_ymd_opt(day.year(), month, dom)
                .is_some_and(|d| self.next_working_day(d) == day),
        }
    }

    /// The items due on `day`, each with the period its bulletin covers.
    pub fn due(&self, day: NaiveDate) -> Vec<Occurrence> {
        self.items
            .iter()
            .filter(|it| self.due_on(it, day))
            .map(|it| Occurrence {
                item: it.id.clone(),
                due: day,
                kind: it.bulletin,
                period: period_before(it.bulletin, day),
            })
            .collect()
    }

    /// The items due from `from` to `to`, both included, in date order.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> Vec<Occurrence> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .flat_map(|d| self.due(d))
            .collect()
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

/// The period a bulletin due on `day` reports: the day, week, month, quarter or year
/// before it.
pub fn period_before(kind: Kind, day: NaiveDate) -> String {
    match kind {
        Kind::Daily => (day - Days::new(1)).to_string(),
        Kind::Weekly => {
            let w = (day - Days::new(7)).iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Kind::Monthly => (day.with_day(1).expect("day 1") - Months::new(1))
            .format("%Y-%m")
            .to_string(),
        Kind::Quarterly => {
            let q_start =
                NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1).expect("a quarter");
            let prev = q_start - Months::new(3);
            format!("{}Q{}", prev.year(), prev.month0() / 3 + 1)
        }
        Kind::Annual => (day.year() - 1).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_shipped_cadence_reads() {
        let c = Cadence::builtin();
        assert!(c.items.len() >= 5);
    }

    /// Worked out by hand from the State Council's holiday notices for 2025 and 2026 (the
    /// days listed in assets/cadence.json).
    #[test]
    fn due_dates_follow_the_holidays_and_the_weekend_days_worked() {
        let c = Cadence::builtin();
        let item = |id: &str| c.item(id).unwrap().clone();
        let monthly = item("monthly_meeting");
        // October 2025: 1-8 off; 9 (Thu), 10 (Fri), 11 (Sat, worked), 13 (Mon), 14 (Tue).
        assert!(c.due_on(&monthly, d(2025, 10, 14)));
        assert!(!c.due_on(&monthly, d(2025, 10, 13)) && !c.due_on(&monthly, d(2025, 10, 7)));
        // February 2025: the Spring Festival ends on the 4th; 5, 6, 7, 8 (Sat, worked), 10.
        assert!(c.due_on(&monthly, d(2025, 2, 10)));
        // February 2026: the festival starts on the 15th; 2 to 6 are the first five.
        assert!(c.due_on(&monthly, d(2026, 2, 6)));
        assert_eq!(
            c.between(d(2025, 10, 1), d(2025, 10, 31))
                .iter()
                .filter(|o| o.item == "monthly_meeting")
                .count(),
            1
        );
        // Monday 6 October 2025 is a holiday: the weekly meeting moves to Thursday the 9th.
        let weekly = item("weekly_meeting");
        assert!(!c.due_on(&weekly, d(2025, 10, 6)) && c.due_on(&weekly, d(2025, 10, 9)));
        assert!(c.due_on(&weekly, d(2025, 10, 13)));
        // Saturday 11 October 2025 is worked: a daily brief is due; Sunday the 12th not.
        let daily = item("daily_brief");
        assert!(c.due_on(&daily, d(2025, 10, 11)) && !c.due_on(&daily, d(2025, 10, 12)));
        // 10 January 2026 is a Saturday: the quarterly evaluation is due Monday the 12th.
        let quarterly = item("quarterly_evaluation");
        assert!(!c.due_on(&quarterly, d(2026, 1, 10)) && c.due_on(&quarterly, d(2026, 1, 12)));
        assert!(c.due_on(&quarterly, d(2025, 10, 10)) && !c.due_on(&quarterly, d(2025, 11, 10)));
        assert!(c.due_on(&item("annual_examination"), d(2026, 1, 20)));
        // What is due on Wednesday 14 January 2026: the daily brief only.
        let due: Vec<String> = c.due(d(2026, 1, 14)).into_iter().map(|o| o.item).collect();
        assert_eq!(due, ["daily_brief"]);
    }

    #[test]
    fn periods_before_a_day() {
        assert_eq!(period_before(Kind::Daily, d(2026, 1, 1)), "2025-12-31");
        // Monday 5 January 2026 reports ISO week 1 of 2026 (29 Dec 2025 to 4 Jan 2026).
        assert_eq!(period_before(Kind::Weekly, d(2026, 1, 5)), "2026-W01");
        assert_eq!(period_before(Kind::Monthly, d(2026, 1, 8)), "2025-12");
        assert_eq!(period_before(Kind::Quarterly, d(2026, 1, 12)), "2025Q4");
        assert_eq!(period_before(Kind::Quarterly, d(2025, 7, 10)), "2025Q2");
        assert_eq!(period_before(Kind::Annual, d(2026, 1, 20)), "2025");
    }

    #[test]
    fn a_bad_rhythm_is_refused_with_the_item_named() {
        let json = r#"{"items": [{"id": "m", "name_en": "M", "name_zh": "月", "rhythm": {"every": "month", "working_day": 5, "day": 3},
            "bulletin": "monthly", "role_en": "a", "role_zh": "甲"}]}"#;
        let e = Cadence::parse(json).unwrap_err();
        assert!(format!("{e:#}").contains("'m'"), "{e:#}");
        let json = r#"{"items": [{"id": "q", "name_en": "Q", "name_zh": "季", "rhythm": {"every": "quarter", "month": 4, "day": 10},
            "bulletin": "quarterly", "role_en": "a", "role_zh": "甲"}]}"#;
        assert!(format!("{:#}", Cadence::parse(json).unwrap_err()).contains("1, 2 or 3"));
        assert!(Cadence::parse(r#"{"items": [], "weather": 1}"#).is_err());
    }
}
