//! One customer's life over the sample window: the archive row, the connection
//! application, the monthly reads and bills, the payments, the orderly-consumption plan,
//! and whichever anomaly the generator plants on the customer.

use chrono::{Datelike, Duration, NaiveDate};

use super::anomalies::{BUSINESS_THEMES, Planted, RESIDENTIAL_THEMES};
use super::archive::{self, Customer, Payer};
use super::calendar::{add_months, at};
use super::connections;
use super::geography::Unit;
use super::rng::Rng;
use super::rows::*;
use super::tariffs::{basic_charge, energy_charge, round2};

/// The time frame of a sample.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub seed: u64,
    pub first: NaiveDate,
    pub months: usize,
    /// The day the extract was taken: the 10th of the month after the last billing month.
    pub cutoff: NaiveDate,
    /// How far the payments (and dunning notices) reach: the 10th of the third month after
    /// the last billing month, so that the last month's collection window (payments up to
    /// the end of the second month after it) is closed in the data, as in an extract taken
    /// for the monthly meeting once collection is final.
    pub payments_until: NaiveDate,
    /// The second noise model is on (see `Noise`).
    pub noisy: bool,
}

impl Window {
    /// The same window with the second noise model on or off.
    pub fn with_noise(self, noisy: bool) -> Self {
        Window { noisy, ..self }
    }

    pub fn new(seed: u64, first: NaiveDate, months: usize) -> Self {
        let cutoff = add_months(first, months as i32) + Duration::days(9);
        Window {
            seed,
            first,
            months,
            cutoff,
            payments_until: add_months(first, months as i32 + 2) + Duration::days(9),
            noisy: false,
        }
    }
    pub fn month(&self, m: usize) -> NaiveDate {
        add_months(self.first, m as i32)
    }
    pub fn last_day(&self) -> NaiveDate {
        add_months(self.first, self.months as i32) - Duration::days(1)
    }
}

/// Seasonal profile by class, January first.
fn season(class: &str, month0: u32) -> f64 {
    const RES: [f64; 12] = [
        1.22, 1.12, 0.95, 0.85, 0.86, 1.0, 1.28, 1.3, 1.02, 0.86, 0.9, 1.08,
    ];
    const COM: [f64; 12] = [1.0, 0.88, 0.95, 0.96, 1.0, 1.1, 1.2, 1.22, 1.06, 0.97, 0.96, 1.0];
    const IND: [f64; 12] = [1.0, 0.8, 1.0, 1.02, 1.03, 1.05, 1.06, 1.06, 1.04, 1.03, 1.02, 1.0];
    const AGR: [f64; 12] = [
        0.65, 0.6, 0.72, 0.88, 1.08, 1.35, 1.55, 1.5, 1.12, 0.85, 0.7, 0.66,
    ];
    let i = month0 as usize % 12;
    match class {
        "residential" => RES[i],
        "commercial" => COM[i],
        "agricultural" => AGR[i],
        _ => IND[i],
    }
}

/// A clean customer of the station, whose contact details a planted duplicate may copy.
#[derive(Debug, Clone)]
pub struct CleanNeighbour {
    pub customer_id: String,
    pub phone: String,
    pub id_number: String,
    pub meter_asset_no: String,
}

/// What is planted on a customer.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Plant {
    theme: &'static str,
    /// Month index where it starts.
    k: usize,
    variant: u8,
}

/// The second noise model: ordinary behaviour a real extract has and the clean sample
/// avoids, none of it a problem (so none of it in the truth). Drawn from a stream of its
/// own, so that the clean sample is the same with or without this code.
#[derive(Debug, Clone, Copy, Default)]
struct Noise {
    /// Month-to-month swing of consumption, on top of the clean ±6 %.
    swing: f64,
    /// A seasonal customer: no consumption in these months of every year (0 = January).
    idle_months: Option<&'static [u32]>,
    /// A change of production from this month on: consumption times the factor.
    step: Option<(usize, f64)>,
}

/// Irrigation pumps stand still in winter; seaside shops close from November to March.
const IRRIGATION_IDLE: &[u32] = &[11, 0, 1];
const SHOP_IDLE: &[u32] = &[10, 11, 0, 1, 2];

/// Themes planted over the consumption series; a customer carrying one gets no natural
/// noise that would hide or mimic it (that is measured by the other customers).
const SERIES_THEMES: &[&str] = &["zero_kwh", "kwh_jump", "key_drop", "new_customer"];

/// Archive problems that can come on top of another problem on the same account.
const SECOND_THEMES: &[&str] = &["multiplier", "meter_overdue"];

fn draw_noise(w: &Window, c: &Customer, plant: Option<&Plant>, rng: &mut Rng) -> Noise {
    if !w.noisy {
        return Noise::default();
    }
    let mut n = Noise {
        swing: 0.15,
        ..Noise::default()
    };
    if plant.is_some_and(|p| SERIES_THEMES.contains(&p.theme)) {
        return n;
    }
    n.idle_months = match c.class {
        "agricultural" if rng.chance(0.35) => Some(IRRIGATION_IDLE),
        "commercial" if rng.chance(0.04) => Some(SHOP_IDLE),
        _ => None,
    };
    if c.class != "residential" && n.idle_months.is_none() && w.months >= 6 && rng.chance(0.05) {
        let at = rng.int(2, w.months as i64 - 2) as usize;
        n.step = Some((at, if rng.chance(0.5) { 0.45 } else { 1.9 }));
    }
    n
}

/// Natural events that legitimately explain odd series (rules must skip them).
#[derive(Debug, Clone, Copy, Default)]
struct Naturals {
    suspended_at: Option<usize>,
    closed_at: Option<usize>,
    meter_exchange_at: Option<usize>,
    capacity_increase_at: Option<(usize, f64)>,
}

fn choose_plant(w: &Window, c: &Customer, new: bool, rng: &mut Rng) -> Option<Plant> {
    let m = w.months;
    let hv = !matches!(c.voltage, "220V" | "380V");
    let theme: &'static str = if new {
        let r = rng.f64();
        if r < 0.06 {
            "new_customer"
        } else if r < 0.12 {
            "expansion_overdue"
        } else if hv && r < 0.3 {
            "process_inversion"
        } else {
            return None;
        }
    } else if c.class == "industrial_large" && m >= 18 && rng.chance(0.12) {
        "key_drop"
    } else if c.class == "residential" {
        if !rng.chance(0.025) {
            return None;
        }
        let picked: &&'static str = rng.pick(RESIDENTIAL_THEMES);
        picked
    } else {
        if !rng.chance(0.15) {
            return None;
        }
        let t = *rng.pick(BUSINESS_THEMES);
        if t == "tou_share" && c.class != "commercial" {
            return None;
        }
        t
    };
    if m < 9 && !new {
        return None;
    }
    let k = rng.int(2, (m as i64 - 6).max(2)) as usize;
    Some(Plant {
        theme,
        k,
        variant: rng.int(0, 1) as u8,
    })
}

/// Changes the archive as the planted theme needs; returns the truth detail.
fn plant_in_archive(
    c: &mut Customer,
    p: &Plant,
    w: &Window,
    neighbour: Option<&CleanNeighbour>,
    rng: &mut Rng,
) -> Option<String> {
    match p.theme {
        "tariff_industry" => {
            let (wrong, why) = match c.class {
                "residential" => ("C-SINGLE", "residential account billed on the commercial tariff"),
                "agricultural" => ("R-TIER", "agricultural account billed on the residential tariff"),
                _ => ("A-PROD", "business billed on the agricultural production tariff"),
            };
            let detail = format!("{why}: industry {} ({}), tariff {wrong}", c.industry, c.class);
            c.tariff = wrong;
            Some(detail)
        }
        "two_part_tariff" => {
            c.capacity_kva = *rng.pick(&[315.0, 400.0, 500.0, 630.0, 800.0]);
            c.true_capacity_kva = c.capacity_kva;
            let (v, wiring, ct, pt) = archive::metering_for("industrial_large", c.capacity_kva, rng);
            (c.voltage, c.wiring, c.ct_ratio, c.pt_ratio) = (v, wiring, ct, pt);
            c.multiplier = ct * pt;
            c.pf_standard = archive::pf_standard_for(c.class, c.capacity_kva);
            c.base_kwh = c.capacity_kva * 730.0 * rng.range(0.15, 0.3);
            c.tariff = if c.class == "commercial" {
                "C-SINGLE"
            } else {
                "I-SINGLE"
            };
            Some(format!(
                "{} kVA billed on single-part tariff {}",
                c.capacity_kva, c.tariff
            ))
        }
        "pf_standard" => {
            if c.capacity_kva < 100.0 {
                c.capacity_kva = 160.0;
                c.true_capacity_kva = 160.0;
                let (v, wiring, ct, pt) = archive::metering_for(c.class, 160.0, rng);
                (c.voltage, c.wiring, c.ct_ratio, c.pt_ratio) = (v, wiring, ct, pt);
                c.multiplier = ct * pt;
                c.base_kwh = 160.0 * 730.0 * rng.range(0.1, 0.3);
                c.tariff = archive::tariff_for(c.class, 160.0, c.industry);
            }
            let required = archive::pf_standard_for(c.class, c.capacity_kva);
            c.pf_standard = if p.variant == 0 || required == "0.80" {
                "none"
            } else {
                "0.80"
            };
            Some(format!(
                "{} kVA with power-factor standard {} (required {required})",
                c.capacity_kva, c.pf_standard
            ))
        }
        "multiplier" => {
            let right = c.ct_ratio * c.pt_ratio;
            c.multiplier = if c.wiring == "direct" {
                10.0
            } else if c.pt_ratio > 1.0 {
                c.ct_ratio
            } else {
                right * 2.0
            };
            Some(format!(
                "multiplier {} but CT {} x PT {} = {right} ({} wiring)",
                c.multiplier, c.ct_ratio, c.pt_ratio, c.wiring
            ))
        }
        "utilisation" => {
            c.true_capacity_kva = c.capacity_kva;
            c.base_kwh = c.capacity_kva * 730.0 * rng.range(0.4, 0.6);
            c.capacity_kva = (c.capacity_kva * 0.2).round().max(5.0);
            Some(format!(
                "archive capacity {} kVA, load needs about {} kVA",
                c.capacity_kva, c.true_capacity_kva
            ))
        }
        "duplicate_archive" => {
            let n = neighbour?;
            let what = if p.variant == 0 {
                c.id_number = n.id_number.clone();
                c.phone = n.phone.clone();
                "ID number and phone"
            } else {
                c.meter_asset_no = n.meter_asset_no.clone();
                "meter asset number"
            };
            Some(format!("same {what} as active account {}", n.customer_id))
        }
        "closed_consuming" => {
            c.status = "closed";
            c.status_date = Some(w.month(p.k) + Duration::days(4));
            Some(format!(
                "closed on {}, readings still advance",
                w.month(p.k) + Duration::days(4)
            ))
        }
        "meter_overdue" => {
            c.meter_due_on = w.cutoff - Duration::days(rng.int(30, 900));
            Some(format!("meter verification due on {}", c.meter_due_on))
        }
        "tou_share" => {
            c.valley_share = rng.range(0.72, 0.88);
            c.peak_share = (1.0 - c.valley_share) * 0.4;
            Some(format!("valley share {:.0} %", c.valley_share * 100.0))
        }
        "residential_commercial" => {
            c.base_kwh = rng.range(2800.0, 6000.0);
            Some(format!(
                "residential account using about {:.0} kWh a month",
                c.base_kwh
            ))
        }
        "kwh_jump" => {
            c.base_kwh = c.base_kwh.max(2000.0);
            None
        }
        _ => None,
    }
}

/// Draws and emits customer `idx` and everything that follows from it.
pub fn emit_customer(
    w: &Window,
    station: &Unit,
    idx: u64,
    local: u64,
    neighbour: Option<&CleanNeighbour>,
    sink: &mut dyn Sink,
) -> anyhow::Result<Option<CleanNeighbour>> {
    let mut rng = Rng::derive(w.seed, &[4, idx]);
    let new = w.months >= 4 && rng.chance(0.08);
    let energised_month = if new {
        Some(rng.int(1, w.months as i64 - 2) as usize)
    } else {
        None
    };
    let opened_on = match energised_month {
        Some(e) => w.month(e) + Duration::days(rng.int(0, 25)),
        None => w.first - Duration::days(rng.int(200, 9000)),
    };
    let mut c = archive::draw(w.seed, idx, local, station, opened_on, w.cutoff);
    let plant = choose_plant(w, &c, new, &mut rng);
    let mut truth_detail = None;
    if let Some(p) = &plant {
        truth_detail = plant_in_archive(&mut c, p, w, neighbour, &mut rng);
    }
    // A duplicate needs a neighbour; without one nothing is planted.
    let plant = plant.filter(|p| p.theme != "duplicate_archive" || truth_detail.is_some());
    // The second noise model: a second problem on some planted accounts, and natural noise.
    let mut nrng = Rng::derive(w.seed, &[9, idx]);
    let mut second: Option<(&'static str, String)> = None;
    if w.noisy
        && let Some(p) = &plant
        && !matches!(
            p.theme,
            "closed_consuming"
                | "duplicate_archive"
                | "expansion_overdue"
                | "process_inversion"
                | "new_customer"
        )
        && nrng.chance(0.3)
    {
        let theme = *nrng.pick(SECOND_THEMES);
        if theme != p.theme {
            let extra = Plant { theme, ..*p };
            second = plant_in_archive(&mut c, &extra, w, None, &mut nrng).map(|d| (theme, d));
        }
    }
    let noise = draw_noise(w, &c, plant.as_ref(), &mut nrng);

    let mut naturals = Naturals::default();
    if plant.is_none() && !new && w.months >= 6 {
        let r = rng.f64();
        let at = rng.int(2, w.months as i64 - 2) as usize;
        if r < 0.004 {
            naturals.suspended_at = Some(at);
            c.status = "suspended";
            c.status_date = Some(w.month(at) + Duration::days(3));
        } else if r < 0.008 {
            naturals.closed_at = Some(at);
            c.status = "closed";
            c.status_date = Some(w.month(at) + Duration::days(3));
        } else if r < 0.018 {
            naturals.meter_exchange_at = Some(at);
            c.meter_asset_no = archive::meter_asset_no(idx, 1);
        } else if r < 0.04 && c.class != "residential" && c.class != "industrial_large" {
            let old = c.capacity_kva;
            let new_cap = (old * rng.range(1.5, 2.0)).round();
            naturals.capacity_increase_at = Some((at, old / new_cap));
            c.capacity_kva = new_cap;
            c.true_capacity_kva = new_cap;
            c.base_kwh *= new_cap / old;
            // The archive shows the installation after the increase: its tariff, power-factor
            // standard and metering follow the new capacity.
            c.tariff = archive::tariff_for(c.class, new_cap, c.industry);
            c.pf_standard = archive::pf_standard_for(c.class, new_cap);
            let (v, wiring, ct, pt) = archive::metering_for(c.class, new_cap, &mut rng);
            (c.voltage, c.wiring, c.ct_ratio, c.pt_ratio, c.multiplier) = (v, wiring, ct, pt, ct * pt);
        }
    }

    sink.customer(&c)?;

    // The connection application behind a new account or a capacity increase.
    if let Some(e) = energised_month {
        let energised = c.opened_on;
        let planted = plant.map(|p| p.theme);
        let app = connections::application_for(w, &c, energised, "new", planted, &mut rng);
        if let Some(p) = plant
            && matches!(p.theme, "expansion_overdue" | "process_inversion")
        {
            sink.truth(Planted {
                rule_id: p.theme,
                entity_type: "application",
                entity_id: app.application_id.clone(),
                period: Some(w.month(e)),
                detail: connections::describe(&app),
            })?;
        }
        sink.application(app)?;
    }
    if let Some((at, _)) = naturals.capacity_increase_at {
        let energised = w.month(at) + Duration::days(rng.int(0, 20));
        let app = connections::application_for(w, &c, energised, "increase", None, &mut rng);
        sink.application(app)?;
    }

    orderly_plans(w, &c, &mut rng, sink)?;

    let series_truth = monthly_series(
        w,
        &c,
        plant,
        naturals,
        energised_month,
        station,
        (noise, &mut nrng),
        &mut rng,
        sink,
    )?;
    if let Some((theme, detail)) = second {
        sink.truth(Planted {
            rule_id: theme,
            entity_type: "customer",
            entity_id: c.customer_id.clone(),
            period: None,
            detail,
        })?;
    }

    if let Some(p) = plant {
        let detail = truth_detail.or(series_truth);
        if let Some(detail) = detail {
            let period = match p.theme {
                "tariff_industry"
                | "two_part_tariff"
                | "pf_standard"
                | "multiplier"
                | "utilisation"
                | "duplicate_archive"
                | "meter_overdue"
                | "tou_share"
                | "residential_commercial" => None,
                "new_customer" => energised_month.map(|e| w.month(e + 1)),
                "key_drop" => Some(w.month(key_drop_month(w))),
                "expansion_overdue" | "process_inversion" => None,
                _ => Some(w.month(p.k)),
            };
            if !matches!(p.theme, "expansion_overdue" | "process_inversion") {
                sink.truth(Planted {
                    rule_id: p.theme,
                    entity_type: "customer",
                    entity_id: c.customer_id.clone(),
                    period,
                    detail: detail.clone(),
                })?;
            }
            if p.theme == "duplicate_archive"
                && let Some(n) = neighbour
            {
                sink.truth(Planted {
                    rule_id: p.theme,
                    entity_type: "customer",
                    entity_id: n.customer_id.clone(),
                    period: None,
                    detail: format!("shares its details with account {}", c.customer_id),
                })?;
            }
        }
    }

    let clean = plant.is_none() && c.status == "normal";
    Ok(clean.then(|| CleanNeighbour {
        customer_id: c.customer_id.clone(),
        phone: c.phone.clone(),
        id_number: c.id_number.clone(),
        meter_asset_no: c.meter_asset_no.clone(),
    }))
}

/// Key customers planted with a decline lose 6 % a month from month 12; the first month
/// whose year-on-year fall passes 30 % is month 18 (0.94^6 = 0.69).
fn key_drop_month(_w: &Window) -> usize {
    18
}

fn orderly_plans(w: &Window, c: &Customer, rng: &mut Rng, sink: &mut dyn Sink) -> anyhow::Result<()> {
    let in_plan = match c.class {
        "industrial_large" => rng.chance(0.7),
        "industrial_ordinary" => c.capacity_kva >= 100.0 && rng.chance(0.3),
        _ => false,
    };
    if !in_plan || c.status != "normal" {
        return Ok(());
    }
    let level = match (c.class, c.capacity_kva >= 2000.0) {
        ("industrial_large", true) => "I",
        ("industrial_large", false) => "II",
        _ => *rng.pick(&["III", "IV"]),
    };
    let shed = (c.capacity_kva * 0.85 * rng.range(0.1, 0.4)).round();
    for year in w.first.year()..=w.last_day().year() {
        let from = NaiveDate::from_ymd_opt(year, 6, 1).expect("date");
        if from > w.last_day() || from < w.first {
            continue;
        }
        sink.plan(PlanRow {
            plan_id: format!("YX{year}{}", c.customer_id),
            customer_id: c.customer_id.clone(),
            plan_level: level,
            shed_kw: shed,
            valid_from: from,
            valid_to: NaiveDate::from_ymd_opt(year, 9, 30).expect("date"),
        })?;
    }
    Ok(())
}

/// Registers as a meter shows them: whole kWh on a direct meter, two decimals behind CTs.
fn register_round(x: f64, direct: bool) -> f64 {
    if direct { x.round() } else { round2(x) }
}

#[allow(clippy::too_many_arguments)]
fn monthly_series(
    w: &Window,
    c: &Customer,
    plant: Option<Plant>,
    nat: Naturals,
    energised_month: Option<usize>,
    station: &Unit,
    (noise, nrng): (Noise, &mut Rng),
    rng: &mut Rng,
    sink: &mut dyn Sink,
) -> anyhow::Result<Option<String>> {
    let direct = c.wiring == "direct";
    let true_mult = c.ct_ratio * c.pt_ratio;
    let start = energised_month.map(|e| e + 1).unwrap_or(0);
    let growth = rng.range(-0.02, 0.06);
    let mut regs = [
        register_round(rng.range(100.0, 30_000.0) / true_mult.max(1.0), direct),
        register_round(rng.range(100.0, 30_000.0) / true_mult.max(1.0), direct),
        register_round(rng.range(100.0, 20_000.0) / true_mult.max(1.0), direct),
    ];
    if energised_month.is_some() {
        regs = [0.0; 3];
    }
    let mut meter_no = if nat.meter_exchange_at.is_some() {
        archive::meter_asset_no(c.idx, 0)
    } else {
        c.meter_asset_no.clone()
    };
    let mut prev_estimated = false;
    // The city's stream of estimated reads (see `measure_effect`), on ordinary accounts only.
    let ordinary = plant.is_none()
        && energised_month.is_none()
        && nat.suspended_at.is_none()
        && nat.closed_at.is_none()
        && nat.meter_exchange_at.is_none();
    let episodes = if ordinary {
        super::measure_effect::episodes(w, c.idx, &station.unit_id)
    } else {
        Vec::new()
    };
    let mut truth = None;
    let theme = plant.map(|p| p.theme);
    let k = plant.map(|p| p.k).unwrap_or(usize::MAX);
    let operators = [1, 2, 3, 4].map(|i| format!("{}-OP{i}", station.unit_id));

    for m in start..w.months {
        let month = w.month(m);
        if nat.closed_at.is_some_and(|a| m >= a) {
            break;
        }
        let mut kwh = c.base_kwh
            * season(c.class, month.month0())
            * (1.0 + growth).powf(m as f64 / 12.0)
            * (1.0 + rng.range(-0.06, 0.06));
        if let Some((at, before)) = nat.capacity_increase_at
            && m < at
        {
            kwh *= before;
        }
        if noise.swing > 0.0 {
            kwh *= 1.0 + nrng.range(-noise.swing, noise.swing);
        }
        if let Some((at, factor)) = noise.step
            && m >= at
        {
            kwh *= factor;
        }
        if noise
            .idle_months
            .is_some_and(|idle| idle.contains(&month.month0()))
        {
            kwh = 0.0;
        }
        let suspended = nat.suspended_at.is_some_and(|a| m >= a);
        if suspended {
            kwh = 0.0;
        }
        match theme {
            Some("zero_kwh") if (k..k + 4).contains(&m) => kwh = 0.0,
            Some("kwh_jump") if m >= k => {
                kwh *= if plant.is_some_and(|p| p.variant == 0) {
                    0.25
                } else {
                    2.6
                }
            }
            Some("key_drop") if m >= 12 => kwh *= 0.94f64.powi((m - 11) as i32),
            Some("new_customer") if m < start + 4 => kwh = 0.0,
            _ => {}
        }
        if theme == Some("zero_kwh") && m == k {
            truth = Some("no consumption for 4 months while the account is normal".to_string());
        }
        if theme == Some("kwh_jump") && m == k {
            truth = Some(format!(
                "consumption {} from month {}",
                if plant.is_some_and(|p| p.variant == 0) {
                    "fell 75 %"
                } else {
                    "rose 160 %"
                },
                month.format("%Y-%m")
            ));
        }
        if theme == Some("key_drop") && m == key_drop_month(w) {
            truth = Some("key customer's consumption down more than 30 % year on year".to_string());
        }
        if theme == Some("new_customer") && m == start {
            truth = Some("no consumption in the first 4 months after energising".to_string());
        }

        // Meter exchange: the new meter starts from zero.
        if nat.meter_exchange_at == Some(m) {
            regs = [0.0; 3];
            meter_no = c.meter_asset_no.clone();
        }
        let reg_inc = kwh / true_mult;
        let valley = register_round(reg_inc * c.valley_share, direct);
        let peak = register_round(reg_inc * c.peak_share, direct);
        let flat = register_round((reg_inc - valley - peak).max(0.0), direct);
        let prev_total = round2(regs.iter().sum());
        regs[0] += peak;
        regs[1] += flat;
        regs[2] += valley;
        let (mut r_peak, r_flat, r_valley) = (round2(regs[0]), round2(regs[1]), round2(regs[2]));
        let mut total = round2(r_peak + r_flat + r_valley);
        let inc = round2(total - prev_total);

        let mut read_type = match rng.weighted(&[90.0, 9.0, 1.0]) {
            0 => "collected",
            1 => "actual",
            _ => "estimated",
        };
        if read_type == "estimated" && prev_estimated {
            read_type = "collected";
        }
        if theme == Some("estimated") && (k..k + 3).contains(&m) {
            read_type = "estimated";
            if m == k {
                truth = Some("estimated reads in 3 consecutive cycles".to_string());
            }
        }
        if episodes.iter().any(|e| m == *e || m == e + 1) {
            read_type = "estimated";
            if episodes.contains(&m) {
                sink.truth(Planted {
                    rule_id: super::measure_effect::RULE,
                    entity_type: "customer",
                    entity_id: c.customer_id.clone(),
                    period: Some(month),
                    detail: "estimated reads in 2 consecutive cycles (the city's remote reading is patchy)"
                        .into(),
                })?;
            }
        } else if read_type == "estimated" && episodes.contains(&(m + 1)) {
            // A natural estimated read just before an episode would lengthen it.
            read_type = "collected";
        }
        prev_estimated = read_type == "estimated";

        let mut billed_inc = inc;
        if theme == Some("reading") && m == k {
            if plant.is_some_and(|p| p.variant == 0) {
                let slip = register_round(rng.range(10.0, 500.0) / true_mult.max(1.0), direct).max(1.0);
                total = round2(prev_total - slip);
                billed_inc = 0.0;
                truth = Some(format!("reading {total} below the previous {prev_total}"));
            } else {
                let extra = register_round(rng.range(50.0, 500.0) / true_mult.max(1.0), direct).max(1.0);
                r_peak = round2(r_peak + extra);
                truth = Some(format!("time-of-use registers exceed the total by {extra}"));
            }
        }
        let read_day = rng.int(20, 26) as u32;
        sink.read(ReadRow {
            customer_id: c.customer_id.clone(),
            billing_month: month,
            read_date: month.with_day(read_day).unwrap_or(month),
            read_type,
            meter_asset_no: meter_no.clone(),
            prev_total,
            total,
            peak: r_peak,
            flat: r_flat,
            valley: r_valley,
        })?;

        if suspended {
            continue;
        }
        let bill_kwh = (billed_inc * c.multiplier).round().max(0.0);
        let share = |part: f64| {
            if inc > 0.0 && billed_inc > 0.0 {
                (part / inc * bill_kwh).round()
            } else {
                0.0
            }
        };
        let (kp, kv) = (share(peak), share(valley));
        let kf = (bill_kwh - kp - kv).max(0.0);
        let energy = round2(energy_charge(c.tariff, bill_kwh, kp, kf, kv));
        let basic = round2(basic_charge(c.tariff, c.capacity_kva));
        let pf_adj = if c.pf_standard != "none" {
            round2(energy * rng.range(-0.0075, 0.015))
        } else {
            0.0
        };
        let (mut adjustment, mut adjustment_order) = (0.0, None);
        if theme == Some("adjustment") && m == k {
            adjustment = -round2(rng.range(200.0, 3000.0).min((energy + basic) * 0.9).max(50.0));
            truth = Some(format!("refund of {:.2} yuan without a work order", -adjustment));
        } else if rng.chance(0.003) {
            adjustment = round2(rng.range(-0.4, 0.4) * (energy + basic).max(100.0));
            adjustment_order = Some(format!("TB{}{:05}", month.format("%Y%m"), c.idx % 100_000));
        }
        let amount = round2(energy + basic + pf_adj + adjustment);
        let issued_on = add_months(month, 1) + Duration::days(rng.int(1, 3));
        let due_on = issued_on + Duration::days(if c.class == "residential" { 20 } else { 10 });
        let bill_id = format!("{}{}", c.customer_id, month.format("%Y%m"));
        let payment_truth = payments(
            w,
            c,
            &bill_id,
            amount,
            month,
            issued_on,
            due_on,
            theme == Some("arrears_age") && m == k,
            theme == Some("late_fee") && m == k,
            plant.map(|p| p.variant).unwrap_or(0),
            rng,
            sink,
        )?;
        if let Some(t) = payment_truth.1 {
            truth = Some(t);
        }
        sink.bill(BillRow {
            bill_id,
            customer_id: c.customer_id.clone(),
            billing_month: month,
            tariff_code: c.tariff,
            kwh: bill_kwh,
            kwh_peak: kp,
            kwh_flat: kf,
            kwh_valley: kv,
            energy_charge: energy,
            basic_charge: basic,
            pf_adjustment: pf_adj,
            adjustment,
            adjustment_order,
            operator_id: operators[(c.idx % 4) as usize].clone(),
            amount,
            issued_on,
            due_on,
            dunning_on: payment_truth.0,
        })?;
    }
    if theme == Some("closed_consuming") {
        truth = truth.or(Some("account closed but readings keep advancing".to_string()));
    }
    Ok(truth)
}

/// Late fee per DOMAIN.md: residential 0.1 %/day; others 0.2 %/day in the bill's year and
/// 0.3 %/day for days falling in later years.
pub fn late_fee(residential: bool, amount: f64, due_on: NaiveDate, paid_on: NaiveDate) -> f64 {
    if paid_on <= due_on || amount <= 0.0 {
        return 0.0;
    }
    let days = (paid_on - due_on).num_days() as f64;
    if residential {
        return round2(amount * 0.001 * days);
    }
    let year_end = NaiveDate::from_ymd_opt(due_on.year(), 12, 31).expect("date");
    let this_year = ((year_end.min(paid_on) - due_on).num_days()).max(0) as f64;
    let later = days - this_year;
    round2(amount * (0.002 * this_year + 0.003 * later))
}

/// Payments of one bill. Returns the dunning date and, for a planted anomaly, its detail.
#[allow(clippy::too_many_arguments)]
fn payments(
    w: &Window,
    c: &Customer,
    bill_id: &str,
    amount: f64,
    month: NaiveDate,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    plant_arrears: bool,
    plant_late_fee: bool,
    variant: u8,
    rng: &mut Rng,
    sink: &mut dyn Sink,
) -> anyhow::Result<(Option<NaiveDate>, Option<String>)> {
    let residential = c.class == "residential";
    let online = ["app", "wechat", "alipay", "bank", "counter"];
    let channel = *rng.pick(&online);
    // Days after issue when the bill is paid (None: not within the next year).
    let (paid_after, channel) = if plant_arrears {
        (None, channel)
    } else if plant_late_fee {
        (
            (due_on - issued_on).num_days().checked_add(rng.int(8, 40)),
            channel,
        )
    } else {
        match c.payer {
            Payer::DirectDebit => (Some(0), "withholding"),
            Payer::Prompt => (Some(rng.int(0, (due_on - issued_on).num_days() - 1)), channel),
            Payer::SometimesLate => {
                if rng.chance(0.7) {
                    (Some(rng.int(0, (due_on - issued_on).num_days() - 1)), channel)
                } else {
                    (Some((due_on - issued_on).num_days() + rng.int(1, 45)), channel)
                }
            }
            Payer::Arrears => match rng.weighted(&[5.0, 3.0, 2.0]) {
                0 => (Some(rng.int(0, (due_on - issued_on).num_days() - 1)), channel),
                1 => (Some((due_on - issued_on).num_days() + rng.int(1, 60)), channel),
                _ => (
                    Some((due_on - issued_on).num_days() + rng.int(61, 400)),
                    "counter",
                ),
            },
        }
    };
    let paid_on = paid_after.map(|d| issued_on + Duration::days(d));
    let unpaid_at_cutoff = paid_on.is_none_or(|p| p > w.payments_until);
    // Every bill unpaid beyond its due date gets a dunning notice within two weeks,
    // unless the planted anomaly is exactly that the notice is missing.
    let dunning = if plant_arrears {
        None
    } else {
        let late = paid_on.is_none_or(|p| p > due_on + Duration::days(5));
        let notice = due_on + Duration::days(rng.int(5, 14));
        (late && notice <= w.payments_until && paid_on.is_none_or(|p| p > notice)).then_some(notice)
    };
    let mut detail = None;
    if plant_arrears {
        detail = Some(format!(
            "bill of {} ({amount:.2} yuan) unpaid since {due_on} with no dunning notice",
            month.format("%Y-%m")
        ));
    }
    let Some(paid_on) = paid_on.filter(|_| !unpaid_at_cutoff) else {
        return Ok((dunning, detail));
    };
    let hour = rng.int(8, 21) as u32;
    let fee = late_fee(residential, amount, due_on, paid_on);
    let (mut charged, mut waived, mut approval) = (fee, 0.0, None);
    if fee > 0.0 && rng.chance(0.08) {
        (charged, waived) = (0.0, fee);
        approval = Some(format!("JM{}{:05}", paid_on.format("%Y%m"), c.idx % 100_000));
    }
    if plant_late_fee {
        if variant == 0 {
            (charged, waived, approval) = (0.0, 0.0, None);
            detail = Some(format!(
                "paid {} days late, late fee of {fee:.2} yuan not charged",
                (paid_on - due_on).num_days()
            ));
        } else {
            (charged, waived, approval) = (0.0, fee, None);
            detail = Some(format!("late fee of {fee:.2} yuan waived without approval"));
        }
    }
    // Some long arrears are settled in two instalments.
    let split = c.payer == Payer::Arrears && paid_on > due_on + Duration::days(60) && rng.chance(0.4);
    if split {
        let first_on = due_on + Duration::days(rng.int(10, (paid_on - due_on).num_days().max(11) - 1));
        let part = round2(amount * rng.range(0.3, 0.7));
        sink.payment(PaymentRow {
            payment_id: format!("P{bill_id}1"),
            bill_id: bill_id.to_string(),
            customer_id: c.customer_id.clone(),
            paid_at: at(first_on, hour, rng.int(0, 59) as u32),
            amount: part,
            channel: "counter",
            late_fee: 0.0,
            late_fee_waived: 0.0,
            waiver_approval: None,
        })?;
        sink.payment(PaymentRow {
            payment_id: format!("P{bill_id}2"),
            bill_id: bill_id.to_string(),
            customer_id: c.customer_id.clone(),
            paid_at: at(paid_on, hour, rng.int(0, 59) as u32),
            amount: round2(amount - part),
            channel,
            late_fee: charged,
            late_fee_waived: waived,
            waiver_approval: approval,
        })?;
    } else {
        sink.payment(PaymentRow {
            payment_id: format!("P{bill_id}1"),
            bill_id: bill_id.to_string(),
            customer_id: c.customer_id.clone(),
            paid_at: at(
                paid_on,
                if channel == "withholding" { 6 } else { hour },
                rng.int(0, 59) as u32,
            ),
            amount,
            channel,
            late_fee: charged,
            late_fee_waived: waived,
            waiver_approval: approval,
        })?;
    }
    Ok((dunning, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn late_fees_follow_the_published_rates() {
        // Residential, 10 days late on 100 yuan: 100 x 0.1 % x 10 = 1.00
        assert_eq!(late_fee(true, 100.0, d(2024, 3, 10), d(2024, 3, 20)), 1.0);
        // Business, 10 days within the year: 1000 x 0.2 % x 10 = 20.00
        assert_eq!(late_fee(false, 1000.0, d(2024, 3, 10), d(2024, 3, 20)), 20.0);
        // Business, due 2024-12-21, paid 2025-01-10: 10 days in 2024 at 0.2 % and 10 days
        // in 2025 at 0.3 %: 1000 x (0.02 + 0.03) = 50.00
        assert_eq!(late_fee(false, 1000.0, d(2024, 12, 21), d(2025, 1, 10)), 50.0);
        assert_eq!(late_fee(false, 1000.0, d(2024, 3, 10), d(2024, 3, 10)), 0.0);
    }

    #[test]
    fn natural_month_on_month_swings_stay_under_the_jump_threshold() {
        for class in archive::CLASSES {
            for m in 0..12u32 {
                let a = season(class, m);
                let b = season(class, (m + 1) % 12);
                // Rule kwh_jump fires on a rise above 50 % or a fall below half.
                let rise = b * 1.06 / (a * 0.94);
                let fall = b * 0.94 / (a * 1.06);
                assert!(rise < 1.5 && fall > 0.5, "{class} month {m}: {rise} {fall}");
            }
        }
    }
}
