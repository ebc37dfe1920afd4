//! Business-expansion applications: the steps from acceptance to energising.
//!
//! Handling time is counted in working days of the utility's own steps (DOMAIN.md section
//! 3): working days from acceptance to energising, less the days paused on the customer's
//! side (design and construction). Natural applications stay within the published limits;
//! a planted `expansion_overdue` exceeds them and a planted `process_inversion` energises
//! before completion acceptance.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::archive::Customer;
use super::calendar::{add_working_days, at, working_days_between};
use super::lifecycle::Window;
use super::rng::Rng;
use super::rows::ApplicationRow;

/// Time limit (working days) of the service commitment for an application.
pub fn time_limit(class: &str, voltage: &str, dual_supply: bool) -> i64 {
    let high_voltage = !matches!(voltage, "220V" | "380V");
    match (class, high_voltage, dual_supply) {
        ("residential", _, _) => 5,
        (_, false, _) => 6,
        (_, true, false) => 22,
        (_, true, true) => 32,
    }
}

fn stamp(d: NaiveDate, rng: &mut Rng) -> NaiveDateTime {
    at(d, rng.int(8, 17) as u32, rng.int(0, 59) as u32)
}

/// The application that ends with `customer` energised on `energised` (or, for an
/// increase, with the new capacity in service).
pub fn application_for(
    w: &Window,
    c: &Customer,
    energised: NaiveDate,
    app_type: &'static str,
    planted: Option<&str>,
    rng: &mut Rng,
) -> ApplicationRow {
    let high_voltage = !matches!(c.voltage, "220V" | "380V");
    let dual = high_voltage && c.capacity_kva >= 5000.0;
    let limit = time_limit(c.class, c.voltage, dual);
    // Utility-side working days of each step.
    let steps: Vec<i64> = if !high_voltage {
        // survey, plan, meter installation, energising
        let lim = if c.class == "residential" {
            [1, 0, 2, 1]
        } else {
            [1, 1, 2, 1]
        };
        lim.iter().map(|l| rng.int(0, *l)).collect()
    } else {
        // survey, plan, design review, mid check, completion, meter, energising
        let scale = if dual { 1.4 } else { 1.0 };
        [(1, 2), (3, 6), (2, 4), (1, 3), (1, 3), (1, 2), (0, 1)]
            .iter()
            .map(|(a, b)| ((rng.int(*a, *b) as f64) * scale).round() as i64)
            .collect()
    };
    let mut utility_days: i64 = steps.iter().sum();
    let overdue = planted == Some("expansion_overdue");
    if overdue {
        utility_days = limit + rng.int(2, 12);
    } else {
        utility_days = utility_days.min(limit - 1);
    }
    let pause = if high_voltage { rng.int(15, 60) } else { 0 };
    // Walk back from energising to find the acceptance date.
    let total = utility_days + pause;
    let mut accepted = energised;
    let mut left = total;
    while left > 0 {
        accepted -= Duration::days(1);
        if super::calendar::is_working_day(accepted) {
            left -= 1;
        }
    }
    // Lay the steps out forward, the customer's pause before the mid-construction check.
    let scale = if steps.iter().sum::<i64>() > 0 {
        utility_days as f64 / steps.iter().sum::<i64>() as f64
    } else {
        0.0
    };
    let mut day = accepted;
    let mut times: Vec<NaiveDate> = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let mut n = (*s as f64 * scale).round() as i64;
        if high_voltage && i == 3 {
            n += pause;
        }
        day = add_working_days(day, n).min(energised);
        times.push(day);
    }
    // Step times in order: a step done the same day as the one before comes after it.
    let mut last = stamp(accepted, rng);
    let accepted_at = last;
    let mut next = |d: NaiveDate, rng: &mut Rng| {
        let t = stamp(d, rng).max(last + Duration::minutes(rng.int(20, 90)));
        last = t;
        t
    };
    let step_times: Vec<NaiveDateTime> = times.iter().map(|d| next(*d, rng)).collect();
    let mut energised_at = Some(next(energised, rng));
    let t = |i: usize| step_times.get(i).copied();
    let (surveyed_at, plan_at, design_reviewed_at, mid_checked_at, mut completed_at, meter_installed_at) =
        if high_voltage {
            (t(0), t(1), t(2), t(3), t(4), t(5))
        } else {
            // Low voltage: the meter installation is the completion check.
            (t(0), t(1), None, None, t(2), t(2))
        };
    if planted == Some("process_inversion") {
        // Energised days before the completion acceptance was done.
        completed_at = energised_at.map(|e| e + Duration::days(rng.int(2, 6)));
    }
    if energised > w.cutoff {
        energised_at = None;
    }
    ApplicationRow {
        application_id: format!("YK{}{}", accepted.format("%Y%m"), c.customer_id),
        customer_id: Some(c.customer_id.clone()),
        unit_id: c.unit_id.clone(),
        app_type,
        customer_class: c.class,
        voltage: c.voltage,
        capacity_kva: c.capacity_kva,
        dual_supply: dual,
        accepted_at,
        surveyed_at,
        plan_at,
        design_reviewed_at,
        mid_checked_at,
        completed_at,
        meter_installed_at,
        energised_at,
        pause_days: pause as f64,
    }
}

/// Handling time in working days, as DOMAIN.md defines it.
pub fn handling_days(a: &ApplicationRow) -> Option<i64> {
    let e = a.energised_at?;
    Some(working_days_between(a.accepted_at.date(), e.date()) - a.pause_days as i64)
}

pub fn describe(a: &ApplicationRow) -> String {
    let limit = time_limit(a.customer_class, a.voltage, a.dual_supply);
    match (a.completed_at, a.energised_at) {
        (Some(c), Some(e)) if e < c => {
            format!("energised {} before completion acceptance {}", e.date(), c.date())
        }
        _ => format!(
            "handled in {} working days against a limit of {limit}",
            handling_days(a).unwrap_or(-1)
        ),
    }
}

/// Applications still in progress at the cut-off, not yet tied to an account.
pub fn pending(w: &Window, unit_id: &str, n: u32, rng: &mut Rng) -> Vec<ApplicationRow> {
    (0..n)
        .map(|i| {
            let accepted = w.cutoff - Duration::days(rng.int(1, 25));
            let class = *rng.pick(&["residential", "residential", "commercial", "industrial_ordinary"]);
            let voltage = if class == "residential" { "220V" } else { "380V" };
            let accepted_at = stamp(accepted, rng);
            ApplicationRow {
                application_id: format!("YK{}{}P{i}", accepted.format("%Y%m"), unit_id),
                customer_id: None,
                unit_id: unit_id.to_string(),
                app_type: "new",
                customer_class: class,
                voltage,
                capacity_kva: if class == "residential" { 8.0 } else { 50.0 },
                dual_supply: false,
                accepted_at,
                surveyed_at: (accepted + Duration::days(1) <= w.cutoff)
                    .then(|| stamp(accepted + Duration::days(1), rng)),
                plan_at: None,
                design_reviewed_at: None,
                mid_checked_at: None,
                completed_at: None,
                meter_installed_at: None,
                energised_at: None,
                pause_days: 0.0,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_service_commitments() {
        assert_eq!(time_limit("residential", "220V", false), 5);
        assert_eq!(time_limit("commercial", "380V", false), 6);
        assert_eq!(time_limit("industrial_large", "10kV", false), 22);
        assert_eq!(time_limit("industrial_large", "110kV", true), 32);
    }
}
