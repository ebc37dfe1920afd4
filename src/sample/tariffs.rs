//! What a bill charges: the sample's tariff catalogue (yuan per kWh, yuan per kVA and
//! month), written to the sample's `tariffs` table so that the audit rules price a wrong
//! tariff with the same numbers the bills were made with.

/// Price multipliers of the peak, flat and valley periods for time-of-use tariffs.
const TOU: (f64, f64, f64) = (1.6, 1.0, 0.45);

/// Residential tiers: (upper bound of the tier in kWh per month, price).
const RESIDENTIAL_TIERS: &[(f64, f64)] = &[(200.0, 0.5653), (400.0, 0.6153), (f64::INFINITY, 0.8653)];

/// One row of the catalogue: a tariff and a class allowed to use it.
#[derive(Debug, Clone, Copy)]
pub struct Tariff {
    pub code: &'static str,
    pub class: &'static str,
    /// Industry codes allowed (their first letters); "" for any.
    pub industry_prefix: &'static str,
    /// Flat (or first-tier, or flat-period) energy price, yuan per kWh.
    pub price: f64,
    /// Basic charge of a two-part tariff, yuan per kVA and month.
    pub basic_price: Option<f64>,
    pub time_of_use: bool,
    /// The class's usual tariff.
    pub usual: bool,
}

const fn t(
    code: &'static str,
    class: &'static str,
    industry_prefix: &'static str,
    price: f64,
    basic_price: Option<f64>,
    time_of_use: bool,
    usual: bool,
) -> Tariff {
    Tariff {
        code,
        class,
        industry_prefix,
        price,
        basic_price,
        time_of_use,
        usual,
    }
}

/// The sample province's tariff schedule.
pub const CATALOGUE: &[Tariff] = &[
    t(
        "R-TIER",
        "residential",
        "T",
        RESIDENTIAL_TIERS[0].1,
        None,
        false,
        true,
    ),
    t("C-SINGLE", "commercial", "", 0.6664, None, true, true),
    t("C-TWO", "commercial", "", 0.6164, Some(24.0), true, false),
    t("I-SINGLE", "industrial_ordinary", "", 0.6664, None, true, true),
    t(
        "C-TWO",
        "industrial_ordinary",
        "",
        0.6164,
        Some(24.0),
        true,
        false,
    ),
    t("I-LARGE", "industrial_large", "", 0.6012, Some(24.0), true, true),
    t("A-PROD", "agricultural", "A", 0.5059, None, false, true),
    t("A-IRR", "agricultural", "A", 0.4250, None, false, false),
];

/// The catalogue's row of a tariff (its price is the same for every class that uses it).
fn tariff(code: &str) -> Option<&'static Tariff> {
    CATALOGUE.iter().find(|t| t.code == code)
}

/// Flat (or base) energy price of a tariff and whether it is time-of-use priced.
fn energy_price(tariff_code: &str) -> (f64, bool) {
    tariff(tariff_code)
        .map(|t| (t.price, t.time_of_use))
        .unwrap_or((RESIDENTIAL_TIERS[0].1, false))
}

/// Energy charge of a month's consumption, yuan.
pub fn energy_charge(tariff: &str, kwh: f64, peak: f64, flat: f64, valley: f64) -> f64 {
    if tariff == "R-TIER" {
        // Tiered: the catalogue holds the first tier's price.
        let mut left = kwh;
        let mut lower = 0.0;
        let mut charge = 0.0;
        for (upper, price) in RESIDENTIAL_TIERS {
            let in_tier = left.min(upper - lower);
            charge += in_tier * price;
            left -= in_tier;
            lower = *upper;
            if left <= 0.0 {
                break;
            }
        }
        return charge;
    }
    let (base, tou) = energy_price(tariff);
    if tou {
        base * (TOU.0 * peak + TOU.1 * flat + TOU.2 * valley)
    } else {
        base * kwh
    }
}

/// Monthly basic (capacity) charge of two-part tariffs, yuan.
pub fn basic_charge(tariff_code: &str, capacity_kva: f64) -> f64 {
    tariff(tariff_code)
        .and_then(|t| t.basic_price)
        .map_or(0.0, |p| capacity_kva * p)
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residential_tiers_and_tou_prices() {
        // 250 kWh: 200 x 0.5653 + 50 x 0.6153 = 113.06 + 30.765 = 143.825
        assert!((energy_charge("R-TIER", 250.0, 0.0, 0.0, 0.0) - 143.825).abs() < 1e-9);
        // 500 kWh: 113.06 + 123.06 + 100 x 0.8653 = 322.65
        assert!((energy_charge("R-TIER", 500.0, 0.0, 0.0, 0.0) - 322.65).abs() < 1e-9);
        // 100 peak, 100 flat, 100 valley at 0.6664: 0.6664 x (160 + 100 + 45) = 203.252
        assert!((energy_charge("C-SINGLE", 300.0, 100.0, 100.0, 100.0) - 203.252).abs() < 1e-9);
        assert_eq!(basic_charge("I-LARGE", 1000.0), 24000.0);
        assert_eq!(basic_charge("C-SINGLE", 1000.0), 0.0);
    }
}
