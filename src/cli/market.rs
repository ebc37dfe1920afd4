//! `mams market`: the Key market page's report for a month and an org unit.

use super::report::{self, PageArgs, Section, count, number, text};
use crate::metrics::market::{self, FUNNEL_STEPS, MarketReport, yoy_pct};
use crate::sample::calendar::days_in_month;
use crate::store::market::AGE_BUCKETS;

pub fn run(args: &PageArgs, class: Option<&str>) -> anyhow::Result<()> {
    let (p, unit, _) = report::open_scope(args)?;
    let mut r = market::report(&p, &unit, args.period, &crate::progress::Progress::new())?;
    if let Some(c) = class {
        if crate::codes::lookup("customer_class", c).is_none() {
            anyhow::bail!(
                "'{c}' is not a customer class (classes: {})",
                crate::codes::list("customer_class")
                    .iter()
                    .map(|c| c.code)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        r = r.for_class(c);
    }
    let title = format!(
        "Key market: {} {}{}",
        r.unit_id,
        args.period.format("%Y-%m"),
        class.map(|c| format!(", class {c}")).unwrap_or_default()
    );
    report::print(args, &title, &r, &sections(&r))
}

fn composition(name: &'static str, heading: &str, rows: &[(String, u64, f64)]) -> Section {
    report::section(
        name,
        heading,
        &[name.trim_start_matches("by_"), "customers", "kwh"],
        rows.iter()
            .map(|(k, n, kwh)| vec![text(k.as_str()), count(*n), number(Some(*kwh))])
            .collect(),
    )
}

fn sections(r: &MarketReport) -> Vec<Section> {
    // As the page: each curve over the days of its own month.
    let curve =
        |c: &crate::store::market::CollectionCurve| c.cumulative_percent(days_in_month(c.month) as u32);
    let (now, before) = (curve(&r.curve), curve(&r.curve_before));
    vec![
        report::section(
            "key_customers",
            "Largest customers (12 months of kWh)",
            &[
                "customer_id",
                "name",
                "class",
                "kwh_year",
                "kwh_month",
                "kwh_year_ago",
                "yoy_pct",
                "share_pct",
            ],
            r.key_customers
                .iter()
                .map(|c| {
                    vec![
                        text(c.customer_id.as_str()),
                        text(c.name.as_str()),
                        text(c.class.as_str()),
                        number(Some(c.kwh_year)),
                        number(c.kwh_month),
                        number(c.kwh_year_ago),
                        number(yoy_pct(c.kwh_month, c.kwh_year_ago)),
                        number(c.share),
                    ]
                })
                .collect(),
        ),
        report::section(
            "funnel",
            "Applications of the 12 months by step reached",
            &["step", "applications"],
            FUNNEL_STEPS
                .iter()
                .zip(&r.funnel)
                .map(|(s, n)| vec![text(*s), count(*n)])
                .collect(),
        ),
        report::section(
            "handling",
            "Handling time (working days) by class against the time limit",
            &[
                "class",
                "limit",
                "applications",
                "min",
                "q1",
                "median",
                "q3",
                "max",
            ],
            r.handling
                .iter()
                .map(|(c, limit, f)| {
                    vec![
                        text(c.as_str()),
                        number(Some(*limit)),
                        count(f.n as u64),
                        number(Some(f.min)),
                        number(Some(f.q1)),
                        number(Some(f.median)),
                        number(Some(f.q3)),
                        number(Some(f.max)),
                    ]
                })
                .collect(),
        ),
        report::section(
            "overdue",
            "Open applications over their time limit",
            &[
                "application_id",
                "unit_id",
                "class",
                "accepted_at",
                "days_so_far",
                "limit_days",
            ],
            r.overdue
                .iter()
                .map(|o| {
                    vec![
                        text(o.application_id.as_str()),
                        text(o.unit_id.as_str()),
                        text(o.class.as_str()),
                        text(o.accepted_at.to_string()),
                        number(Some(o.days_so_far)),
                        number(Some(o.limit_days)),
                    ]
                })
                .collect(),
        ),
        composition("by_class", "Customers and kWh by class", &r.by_class),
        composition("by_voltage", "Customers and kWh by voltage", &r.by_voltage),
        composition("by_industry", "Customers and kWh by industry", &r.by_industry),
        report::section(
            "collection",
            "Collection of the bills falling due (cumulative %, day 0 = before the month)",
            &["day", "this_month_pct", "month_before_pct"],
            (0..now.len().max(before.len()))
                .map(|d| {
                    vec![
                        count(d as u64),
                        number(now.get(d).map(|x| x.1)),
                        number(before.get(d).map(|x| x.1)),
                    ]
                })
                .collect(),
        ),
        report::section(
            "arrears",
            "Arrears at the month's end by days past due",
            &["unit_id", "days_past_due", "arrears", "bills", "this_year"],
            r.arrears_age
                .iter()
                .map(|a| {
                    vec![
                        text(a.unit_id.as_str()),
                        text(AGE_BUCKETS.get(a.bucket).copied().unwrap_or("?")),
                        number(Some(a.arrears)),
                        count(a.bills),
                        number(Some(a.this_year)),
                    ]
                })
                .collect(),
        ),
    ]
}
