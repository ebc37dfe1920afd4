//! The customer archive: who each customer is, how they are metered and billed.

use chrono::{Duration, NaiveDate};

use super::geography::Unit;
use super::rng::Rng;

/// Everything the generator knows of a customer (more than the archive shows: the true
/// metering values behind a planted error, the behaviour that drives payments).
#[derive(Debug, Clone)]
pub struct Customer {
    pub idx: u64,
    pub customer_id: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub id_number: String,
    pub unit_id: String,
    pub area_id: String,
    pub class: &'static str,
    pub industry: &'static str,
    pub tariff: &'static str,
    pub voltage: &'static str,
    /// Capacity as recorded in the archive.
    pub capacity_kva: f64,
    /// The capacity the installation really has (differs for a planted utilisation error).
    pub true_capacity_kva: f64,
    pub meter_asset_no: String,
    pub wiring: &'static str,
    pub ct_ratio: f64,
    pub pt_ratio: f64,
    /// Multiplier as recorded (and billed).
    pub multiplier: f64,
    pub pf_standard: &'static str,
    pub meter_due_on: NaiveDate,
    pub status: &'static str,
    pub status_date: Option<NaiveDate>,
    pub opened_on: NaiveDate,
    pub is_key: bool,
    pub lon: f64,
    pub lat: f64,
    /// Typical monthly consumption before seasonality, kWh.
    pub base_kwh: f64,
    /// Share of consumption in the valley and peak periods.
    pub valley_share: f64,
    pub peak_share: f64,
    pub payer: Payer,
}

/// How a customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payer {
    DirectDebit,
    Prompt,
    SometimesLate,
    Arrears,
}

pub const CLASSES: &[&str] = &[
    "residential",
    "commercial",
    "industrial_large",
    "industrial_ordinary",
    "agricultural",
];

/// Class mix by the station's area type (urban, rural, remote).
pub fn class_weights(area_type: &str) -> [f64; 5] {
    match area_type {
        "urban" => [84.0, 12.0, 0.8, 2.7, 0.5],
        "rural" => [86.0, 7.0, 0.7, 3.3, 3.0],
        _ => [88.0, 5.0, 0.3, 2.0, 4.7],
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀英", "华", "平", "建国", "海燕", "志强", "桂兰", "文", "刚", "玉兰", "春梅", "红", "斌",
];
const ROADS: &[&str] = &[
    "人民路",
    "建设路",
    "解放路",
    "中山路",
    "新华街",
    "胜利路",
    "和平街",
    "滨江路",
    "工业大道",
    "朝阳路",
];
const SHOPS: &[&str] = &[
    "超市",
    "酒店",
    "餐馆",
    "商贸有限公司",
    "物流有限公司",
    "医院",
    "学校",
    "宾馆",
    "加油站",
    "农贸市场",
];
const FACTORIES: &[&str] = &[
    "纺织有限公司",
    "化工有限公司",
    "水泥有限公司",
    "钢铁有限公司",
    "电子科技有限公司",
    "食品有限公司",
    "建材有限公司",
];
const FARMS: &[&str] = &["种植专业合作社", "养殖场", "排灌站", "家庭农场", "茶场"];

/// Industries allowed for each class (first is the most common).
pub fn industries(class: &str, rural: bool) -> &'static [&'static str] {
    match class {
        "residential" => {
            if rural {
                &["T02"]
            } else {
                &["T01"]
            }
        }
        "commercial" => &[
            "F52", "H62", "F51", "H61", "G54", "I65", "P83", "Q84", "S92", "E47",
        ],
        "industrial_large" => &["C30", "C31", "C26", "C17", "B06", "C39", "C13"],
        "industrial_ordinary" => &["C13", "C17", "C39", "C26", "C30"],
        _ => &["A01", "A03"],
    }
}

/// Tariffs allowed for a class (and capacity: two-part from 315 kVA).
pub fn tariff_for(class: &str, capacity: f64, industry: &str) -> &'static str {
    match class {
        "residential" => "R-TIER",
        "commercial" => {
            if capacity >= 315.0 {
                "C-TWO"
            } else {
                "C-SINGLE"
            }
        }
        "industrial_large" => "I-LARGE",
        "industrial_ordinary" => {
            if capacity >= 315.0 {
                "C-TWO"
            } else {
                "I-SINGLE"
            }
        }
        _ => {
            if industry == "A01" {
                "A-IRR"
            } else {
                "A-PROD"
            }
        }
    }
}

/// The power-factor standard required for a class and capacity (DOMAIN rule pf_standard).
pub fn pf_standard_for(class: &str, capacity: f64) -> &'static str {
    if capacity < 100.0 || class == "residential" {
        "none"
    } else {
        match class {
            "industrial_large" | "industrial_ordinary" => "0.90",
            "agricultural" => "0.80",
            _ => "0.85",
        }
    }
}

const CAPACITIES: &[f64] = &[
    10.0, 16.0, 20.0, 30.0, 50.0, 63.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0, 315.0, 400.0, 500.0, 630.0,
    800.0, 1000.0, 1250.0, 1600.0, 2000.0, 2500.0, 3150.0, 4000.0, 5000.0, 6300.0, 8000.0, 10000.0, 12500.0,
];

fn capacity_in(rng: &mut Rng, lo: f64, hi: f64) -> f64 {
    let options: Vec<f64> = CAPACITIES
        .iter()
        .copied()
        .filter(|c| *c >= lo && *c <= hi)
        .collect();
    // Smaller sizes are more common.
    let weights: Vec<f64> = (0..options.len()).map(|i| 1.0 / (1.0 + i as f64 * 0.5)).collect();
    options[rng.weighted(&weights)]
}

/// Voltage and metering set-up that go with a capacity.
pub fn metering_for(class: &str, capacity: f64, rng: &mut Rng) -> (&'static str, &'static str, f64, f64) {
    if class == "residential" {
        return ("220V", "direct", 1.0, 1.0);
    }
    if capacity < 100.0 {
        if capacity <= 30.0 {
            return ("380V", "direct", 1.0, 1.0);
        }
        // 380 V via CT: primary current ~ kVA / (sqrt(3) x 0.4 kV), rounded up to a CT size.
        let amps = capacity / (3f64.sqrt() * 0.4) * 1.2;
        let ct = [50.0, 75.0, 100.0, 150.0, 200.0, 300.0]
            .into_iter()
            .find(|c| *c >= amps)
            .unwrap_or(300.0)
            / 5.0;
        return ("380V", "ct", ct, 1.0);
    }
    let (voltage, pt, kv) = if capacity >= 12500.0 {
        ("110kV", 1100.0, 110.0)
    } else if capacity >= 5000.0 && rng.chance(0.5) {
        ("35kV", 350.0, 35.0)
    } else {
        ("10kV", 100.0, 10.0)
    };
    let amps = capacity / (3f64.sqrt() * kv) * 1.2;
    let ct = [
        10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0, 400.0, 600.0,
    ]
    .into_iter()
    .find(|c| *c >= amps)
    .unwrap_or(600.0)
        / 5.0;
    (voltage, "ct_pt", ct, pt)
}

/// A plausible 18-digit resident ID number (with a valid ISO 7064 check digit).
fn resident_id(rng: &mut Rng, region: u32) -> String {
    let birth = NaiveDate::from_ymd_opt(1945, 1, 1).unwrap() + Duration::days(rng.int(0, 20_000));
    let body = format!("{region:06}{}{:03}", birth.format("%Y%m%d"), rng.int(1, 999));
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let check = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"][(sum % 11) as usize];
    format!("{body}{check}")
}

/// A unified social credit code (GB 32100-2015) of a company registered in the region, with
/// its MOD 31 check character.
fn credit_code(rng: &mut Rng, region: u32) -> String {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let body = format!("91{region:06}MA{:07}", rng.int(0, 9_999_999));
    let sum: usize = body
        .bytes()
        .zip(W)
        .map(|(b, w)| CHARSET.iter().position(|c| *c == b).unwrap_or(0) * w)
        .sum();
    let check = CHARSET[(31 - sum % 31) % 31] as char;
    format!("{body}{check}")
}

fn phone(rng: &mut Rng) -> String {
    let prefix = *rng.pick(&[
        "135", "136", "138", "139", "150", "152", "158", "177", "180", "187", "189", "199",
    ]);
    format!("{prefix}{:08}", rng.int(0, 99_999_999))
}

/// Region code of a station for ID numbers: 36 + city + county digits.
fn region_code(unit_id: &str) -> u32 {
    let digits: String = unit_id.chars().filter(|c| c.is_ascii_digit()).collect();
    let city: u32 = digits.get(0..2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let county: u32 = digits.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(1);
    360000 + city * 100 + county
}

/// The contact details of customer `idx`: a pure function of (seed, idx), so a planted
/// duplicate can copy them from an earlier customer without storing every customer.
pub fn contact(seed: u64, idx: u64, unit_id: &str, residential: bool) -> (String, String) {
    let mut rng = Rng::derive(seed, &[3, idx]);
    let region = region_code(unit_id);
    let id = if residential {
        resident_id(&mut rng, region)
    } else {
        credit_code(&mut rng, region)
    };
    (phone(&mut rng), id)
}

pub fn customer_id(idx: u64) -> String {
    format!("31{:08}", idx + 1)
}

pub fn meter_asset_no(idx: u64, generation: u32) -> String {
    format!("33010{generation}{:016}", idx + 1)
}

/// Draws a customer of `station`, in its `local` position among the station's customers.
pub fn draw(
    seed: u64,
    idx: u64,
    local: u64,
    station: &Unit,
    opened_on: NaiveDate,
    cutoff: NaiveDate,
) -> Customer {
    let mut rng = Rng::derive(seed, &[2, idx]);
    let rural = station.area_type != "urban";
    let class = CLASSES[rng.weighted(&class_weights(station.area_type))];
    let industry = *rng.pick(industries(class, rural));
    let capacity = match class {
        "residential" => *rng.pick(&[4.0, 6.0, 8.0, 8.0, 10.0, 12.0]),
        "commercial" => capacity_in(&mut rng, 10.0, 800.0),
        "industrial_large" => capacity_in(&mut rng, 315.0, 12500.0),
        "industrial_ordinary" => capacity_in(&mut rng, 30.0, 250.0),
        _ => capacity_in(&mut rng, 10.0, 200.0),
    };
    let (voltage, wiring, ct, pt) = metering_for(class, capacity, &mut rng);
    let tariff = tariff_for(class, capacity, industry);
    let load_factor = match class {
        "residential" => 0.0,
        "commercial" => rng.lognormal(0.12, 0.35).clamp(0.04, 0.3),
        "industrial_large" => rng.range(0.25, 0.55),
        "industrial_ordinary" => rng.range(0.1, 0.35),
        _ => rng.range(0.04, 0.14),
    };
    let base_kwh = if class == "residential" {
        rng.lognormal(170.0, 0.45).clamp(40.0, 700.0)
    } else {
        capacity * 730.0 * load_factor
    };
    let (valley_share, peak_share) = match class {
        "residential" => (rng.range(0.22, 0.38), rng.range(0.25, 0.35)),
        "commercial" => (rng.range(0.1, 0.22), rng.range(0.35, 0.45)),
        "agricultural" => (rng.range(0.3, 0.45), rng.range(0.2, 0.3)),
        _ => (rng.range(0.28, 0.4), rng.range(0.3, 0.38)),
    };
    let payer = match rng.weighted(&[10.0, 64.0, 21.0, 5.0]) {
        0 => Payer::DirectDebit,
        1 => Payer::Prompt,
        2 => Payer::SometimesLate,
        _ => Payer::Arrears,
    };
    let name = match class {
        "residential" => format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN)),
        "commercial" => format!("{}{}", town(station), rng.pick(SHOPS)),
        "agricultural" => format!("{}{}{}", town(station), rng.pick(SURNAMES), rng.pick(FARMS)),
        _ => format!("{}{}", town(station), rng.pick(FACTORIES)),
    };
    let address = format!("{}{}{}号", town(station), rng.pick(ROADS), rng.int(1, 399));
    let (lon, lat) = if class == "residential" || class == "commercial" {
        station.point_near_seat(&mut rng, 0.04)
    } else {
        station.random_point(&mut rng)
    };
    let area_id = if voltage == "220V" || voltage == "380V" {
        format!("{}T{:03}", station.unit_id, local / 120 + 1)
    } else {
        format!("{}F{}", station.unit_id, rng.int(1, 4))
    };
    let (phone, id_number) = contact(seed, idx, &station.unit_id, class == "residential");
    let is_key = class == "industrial_large" && capacity >= 2000.0;
    Customer {
        idx,
        customer_id: customer_id(idx),
        name,
        address,
        phone,
        id_number,
        unit_id: station.unit_id.clone(),
        area_id,
        class,
        industry,
        tariff,
        voltage,
        capacity_kva: capacity,
        true_capacity_kva: capacity,
        meter_asset_no: meter_asset_no(idx, 0),
        wiring,
        ct_ratio: ct,
        pt_ratio: pt,
        multiplier: ct * pt,
        pf_standard: pf_standard_for(class, capacity),
        meter_due_on: cutoff + Duration::days(rng.int(60, 3000)),
        status: "normal",
        status_date: None,
        opened_on,
        is_key,
        lon,
        lat,
        base_kwh,
        valley_share,
        peak_share,
        payer,
    }
}

/// The town part of a station's name ("清河供电所" -> "清河").
fn town(station: &Unit) -> String {
    station.name_zh.trim_end_matches("供电所").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_carry_a_valid_check_digit() {
        let mut rng = Rng::new(3);
        let id = resident_id(&mut rng, 360101);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("360101"));
        // Recompute the check digit independently.
        let w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let s: u32 = id[..17]
            .chars()
            .zip(w)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        assert_eq!(
            &id[17..],
            ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"][(s % 11) as usize]
        );
    }

    #[test]
    fn credit_codes_pass_the_validator_of_gb_32100() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let code = credit_code(&mut rng, 360101);
            assert_eq!(crate::dq::validators::social_credit_code(&code), Ok(()), "{code}");
        }
    }

    #[test]
    fn tariffs_and_metering_follow_class_and_capacity() {
        assert_eq!(tariff_for("commercial", 400.0, "F52"), "C-TWO");
        assert_eq!(tariff_for("commercial", 100.0, "F52"), "C-SINGLE");
        assert_eq!(pf_standard_for("industrial_ordinary", 160.0), "0.90");
        assert_eq!(pf_standard_for("commercial", 50.0), "none");
        let mut rng = Rng::new(1);
        let (v, w, ct, pt) = metering_for("industrial_large", 1000.0, &mut rng);
        assert_eq!((v, w, pt), ("10kV", "ct_pt", 100.0));
        assert!(ct >= 1000.0 / (3f64.sqrt() * 10.0) / 5.0);
        assert_eq!(
            metering_for("residential", 8.0, &mut rng),
            ("220V", "direct", 1.0, 1.0)
        );
    }
}
