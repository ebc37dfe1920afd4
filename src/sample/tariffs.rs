//! What a bill charges: the sample's tariff table (yuan per kWh, yuan per kVA and month).

/// Price multipliers of the peak, flat and valley periods for time-of-use tariffs.
const TOU: (f64, f64, f64) = (1.6, 1.0, 0.45);

/// Residential tiers: (upper bound of the tier in kWh per month, price).
const RESIDENTIAL_TIERS: &[(f64, f64)] = &[(200.0, 0.5653), (400.0, 0.6153), (f64::INFINITY, 0.8653)];

/// Flat (or base) energy price of a tariff and whether it is time-of-use priced.
fn energy_price(tariff: &str) -> (f64, bool) {
    match tariff {
        "C-SINGLE" | "I-SINGLE" => (0.6664, true),
        "C-TWO" => (0.6164, true),
        "I-LARGE" => (0.6012, true),
        "A-PROD" => (0.5059, false),
        "A-IRR" => (0.4250, false),
        _ => (0.5653, false),
    }
}

/// Energy charge of a month's consumption, yuan.
pub fn energy_charge(tariff: &str, kwh: f64, peak: f64, flat: f64, valley: f64) -> f64 {
    if tariff == "R-TIER" {
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
pub fn basic_charge(tariff: &str, capacity_kva: f64) -> f64 {
    match tariff {
        "I-LARGE" | "C-TWO" => capacity_kva * 24.0,
        _ => 0.0,
    }
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
