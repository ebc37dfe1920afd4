//! The catalogue of indicators: names, units, which way is better, default targets.

use chrono::NaiveDate;

use crate::store::kpi::MonthTotals;

/// Which way an indicator should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Higher,
    Lower,
    /// Volume indicators (sales, revenue): neither is a breach in itself.
    Neither,
}

#[derive(Debug, Clone, Copy)]
pub struct Indicator {
    pub id: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    /// Unit as printed after the value.
    pub unit_en: &'static str,
    pub unit_zh: &'static str,
    pub decimals: usize,
    pub better: Better,
    /// Default target (DOMAIN's published commitments where there is one); a project can
    /// set its own per unit.
    pub default_target: Option<f64>,
    /// The value from one month's sums; None when there is no data or nothing to divide by.
    pub value: fn(&MonthTotals) -> Option<f64>,
}

/// a / b, or None when b is missing or zero (never NaN or infinity).
fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b != 0.0 => Some(a / b),
        _ => None,
    }
}

fn percent(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    ratio(a, b).map(|r| r * 100.0)
}

/// Customers served, as a denominator: None when there are none.
fn served(t: &MonthTotals) -> Option<f64> {
    Some(t.customers).filter(|n| *n > 0.0)
}

/// RS = (1 - AIHC / T) x 100 %, AIHC = customer hours of interruption / customers served.
fn rs(customer_minutes: Option<f64>, t: &MonthTotals) -> Option<f64> {
    let aihc = ratio(customer_minutes.map(|m| m / 60.0), served(t))?;
    (t.hours > 0.0).then(|| (1.0 - aihc / t.hours) * 100.0)
}

pub const INDICATORS: &[Indicator] = &[
    Indicator {
        id: "sales_kwh",
        en: "Sales",
        zh: "售电量",
        unit_en: "kWh",
        unit_zh: "千瓦时",
        decimals: 0,
        better: Better::Neither,
        default_target: None,
        value: |t| t.kwh,
    },
    Indicator {
        id: "revenue",
        en: "Revenue",
        zh: "电费收入",
        unit_en: "yuan",
        unit_zh: "元",
        decimals: 0,
        better: Better::Neither,
        default_target: None,
        value: |t| t.receivable,
    },
    Indicator {
        id: "average_price",
        en: "Average price",
        zh: "平均电价",
        unit_en: "yuan/kWh",
        unit_zh: "元/千瓦时",
        decimals: 4,
        better: Better::Neither,
        default_target: None,
        value: |t| ratio(t.receivable, t.kwh),
    },
    Indicator {
        id: "collection_rate",
        en: "Collection rate",
        zh: "电费回收率",
        unit_en: "%",
        unit_zh: "%",
        decimals: 2,
        better: Better::Higher,
        default_target: Some(99.5),
        value: |t| percent(t.collected, t.receivable),
    },
    Indicator {
        id: "arrears",
        en: "Arrears",
        zh: "欠费余额",
        unit_en: "yuan",
        unit_zh: "元",
        decimals: 0,
        better: Better::Lower,
        default_target: None,
        value: |t| t.arrears,
    },
    Indicator {
        id: "line_loss_rate",
        en: "Line loss rate",
        zh: "线损率",
        unit_en: "%",
        unit_zh: "%",
        decimals: 2,
        better: Better::Lower,
        default_target: Some(7.0),
        value: |t| match (t.supplied_kwh, t.sold_kwh) {
            (Some(s), Some(sold)) => percent(Some(s - sold), Some(s)),
            _ => None,
        },
    },
    Indicator {
        id: "new_connections",
        en: "New connections",
        zh: "新装接电户数",
        unit_en: "applications",
        unit_zh: "户",
        decimals: 0,
        better: Better::Neither,
        default_target: None,
        value: |t| t.connections,
    },
    Indicator {
        id: "connection_days",
        en: "Connection handling time",
        zh: "业扩平均接电时长",
        unit_en: "working days",
        unit_zh: "工作日",
        decimals: 1,
        better: Better::Lower,
        default_target: None,
        value: |t| ratio(t.connection_days, t.connections),
    },
    Indicator {
        id: "connections_over_limit",
        en: "Connections over the time limit",
        zh: "超时限接电占比",
        unit_en: "%",
        unit_zh: "%",
        decimals: 1,
        better: Better::Lower,
        default_target: Some(0.0),
        value: |t| percent(t.connections_over_limit, t.connections),
    },
    Indicator {
        id: "complaints_per_10k",
        en: "Complaints per 10,000 customers",
        zh: "万户投诉率",
        unit_en: "per 10k customers",
        unit_zh: "件/万户",
        decimals: 2,
        better: Better::Lower,
        default_target: None,
        value: |t| ratio(t.complaints, served(t)).map(|r| r * 10_000.0),
    },
    Indicator {
        id: "ticket_timeliness",
        en: "Ticket timeliness",
        zh: "工单处理及时率",
        unit_en: "%",
        unit_zh: "%",
        decimals: 1,
        better: Better::Higher,
        default_target: Some(100.0),
        value: |t| percent(t.tickets_on_time, t.tickets_due),
    },
    Indicator {
        id: "repair_arrival",
        en: "Repair arrival time",
        zh: "故障抢修平均到达时长",
        unit_en: "min",
        unit_zh: "分钟",
        decimals: 1,
        better: Better::Lower,
        default_target: Some(45.0),
        value: |t| ratio(t.repair_arrival_minutes, t.repairs_arrived),
    },
    Indicator {
        id: "satisfaction",
        en: "Satisfaction",
        zh: "回访满意率",
        unit_en: "%",
        unit_zh: "%",
        decimals: 1,
        better: Better::Higher,
        default_target: Some(98.0),
        value: |t| percent(t.satisfied, t.callbacks),
    },
    Indicator {
        id: "saidi",
        en: "SAIDI",
        zh: "户均停电时间 SAIDI",
        unit_en: "min",
        unit_zh: "分钟",
        decimals: 2,
        better: Better::Lower,
        default_target: None,
        value: |t| ratio(t.customer_minutes, served(t)),
    },
    Indicator {
        id: "saifi",
        en: "SAIFI",
        zh: "户均停电次数 SAIFI",
        unit_en: "interruptions",
        unit_zh: "次",
        decimals: 4,
        better: Better::Lower,
        default_target: None,
        value: |t| ratio(t.interruptions, served(t)),
    },
    Indicator {
        id: "caidi",
        en: "CAIDI",
        zh: "停电平均持续时间 CAIDI",
        unit_en: "min",
        unit_zh: "分钟",
        decimals: 1,
        better: Better::Lower,
        default_target: None,
        value: |t| ratio(t.customer_minutes, t.interruptions),
    },
    Indicator {
        id: "asai",
        en: "ASAI",
        zh: "供电可用率 ASAI",
        unit_en: "%",
        unit_zh: "%",
        decimals: 4,
        better: Better::Higher,
        default_target: None,
        value: |t| rs(t.customer_minutes, t),
    },
    Indicator {
        id: "rs1",
        en: "Supply reliability RS-1",
        zh: "供电可靠率 RS-1",
        unit_en: "%",
        unit_zh: "%",
        decimals: 4,
        better: Better::Higher,
        default_target: Some(99.8),
        value: |t| rs(t.customer_minutes, t),
    },
    Indicator {
        id: "rs3",
        en: "Supply reliability RS-3",
        zh: "供电可靠率 RS-3",
        unit_en: "%",
        unit_zh: "%",
        decimals: 4,
        better: Better::Higher,
        default_target: Some(99.8),
        value: |t| rs(t.customer_minutes_rs3, t),
    },
];

/// The indicators of the Views for Leaders page, in the order of its cards.
pub const LEADER_CARDS: &[&str] = &[
    "sales_kwh",
    "revenue",
    "average_price",
    "collection_rate",
    "arrears",
    "line_loss_rate",
    "new_connections",
    "connection_days",
    "complaints_per_10k",
    "ticket_timeliness",
    "repair_arrival",
    "saidi",
    "saifi",
    "rs3",
    "satisfaction",
];

/// The indicators whose sums split by customer class (bills, collection, arrears, new
/// connections, tickets): their cards have a class breakdown. Line loss and reliability
/// belong to areas and feeders, not to classes.
pub const BY_CLASS: &[&str] = &[
    "sales_kwh",
    "revenue",
    "average_price",
    "collection_rate",
    "arrears",
    "new_connections",
    "connection_days",
    "connections_over_limit",
    "complaints_per_10k",
    "ticket_timeliness",
    "repair_arrival",
    "satisfaction",
];

pub fn indicator(id: &str) -> Option<&'static Indicator> {
    INDICATORS.iter().find(|i| i.id == id)
}

/// The day from which the data that make an indicator's value of `month` are complete, for
/// the indicators that count events after the month: the collection rate of a month counts
/// payments up to the end of the second month after it (the bills are issued in the next
/// month and fall due soon after), so it is final only when the payments reach that far.
/// None: the value is complete when its month is.
pub fn window_closes(id: &str, month: NaiveDate) -> Option<NaiveDate> {
    match id {
        "collection_rate" => month.checked_add_months(chrono::Months::new(3)),
        _ => None,
    }
}
