//! Code lists: the allowed values of coded columns, each with an English and a Chinese label.
//!
//! They are written into every project (table `code_lists`) so that any DuckDB client can
//! label the data, and documented in `docs/data-model.md`.

/// One code of a list.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub code: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
}

const fn c(code: &'static str, en: &'static str, zh: &'static str) -> Code {
    Code { code, en, zh }
}

/// Every code list by name.
pub const LISTS: &[(&str, &[Code])] = &[
    (
        "unit_level",
        &[
            c("province", "Province company", "省公司"),
            c("city", "City company", "市公司"),
            c("county", "County company", "县公司"),
            c("station", "Supply station", "供电所"),
        ],
    ),
    (
        "area_type",
        &[
            c("urban", "Urban", "城市"),
            c("rural", "Rural", "农村"),
            c("remote", "Remote", "偏远"),
        ],
    ),
    (
        "customer_class",
        &[
            c("residential", "Residential", "居民生活"),
            c("commercial", "Commercial", "一般工商业"),
            c("industrial_large", "Large industry", "大工业"),
            c("industrial_ordinary", "Ordinary industry", "普通工业"),
            c("agricultural", "Agricultural", "农业生产"),
        ],
    ),
    (
        "industry",
        &[
            c("T01", "Urban households", "城镇居民"),
            c("T02", "Rural households", "乡村居民"),
            c("A01", "Crop farming", "农业"),
            c("A03", "Animal husbandry", "畜牧业"),
            c("B06", "Coal mining", "煤炭开采和洗选业"),
            c("C13", "Agri-food processing", "农副食品加工业"),
            c("C17", "Textiles", "纺织业"),
            c("C26", "Chemicals", "化学原料和化学制品制造业"),
            c("C30", "Non-metallic minerals (cement)", "非金属矿物制品业"),
            c("C31", "Iron and steel", "黑色金属冶炼和压延加工业"),
            c("C39", "Electronic equipment", "计算机、通信和其他电子设备制造业"),
            c("E47", "Building construction", "房屋建筑业"),
            c("F51", "Wholesale", "批发业"),
            c("F52", "Retail", "零售业"),
            c("G54", "Road transport", "道路运输业"),
            c("H61", "Accommodation", "住宿业"),
            c("H62", "Catering", "餐饮业"),
            c("I65", "Software and IT services", "软件和信息技术服务业"),
            c("P83", "Education", "教育"),
            c("Q84", "Health", "卫生"),
            c("S92", "Public administration", "国家机构"),
        ],
    ),
    (
        "tariff",
        &[
            c("R-TIER", "Residential, tiered", "居民生活用电（阶梯）"),
            c(
                "C-SINGLE",
                "Commercial and industrial, single-part",
                "一般工商业单一制",
            ),
            c("C-TWO", "Commercial and industrial, two-part", "一般工商业两部制"),
            c("I-LARGE", "Large industry, two-part", "大工业两部制"),
            c("I-SINGLE", "Ordinary industry, single-part", "普通工业单一制"),
            c("A-PROD", "Agricultural production", "农业生产用电"),
            c(
                "A-IRR",
                "Agricultural irrigation (poverty relief)",
                "农业排灌用电",
            ),
        ],
    ),
    (
        "voltage",
        &[
            c("220V", "220 V", "交流220伏"),
            c("380V", "380 V", "交流380伏"),
            c("10kV", "10 kV", "交流10千伏"),
            c("35kV", "35 kV", "交流35千伏"),
            c("110kV", "110 kV", "交流110千伏"),
        ],
    ),
    (
        "wiring",
        &[
            c("direct", "Direct connection", "直接接入"),
            c("ct", "Via current transformer", "经电流互感器接入"),
            c(
                "ct_pt",
                "Via current and voltage transformers",
                "经电流和电压互感器接入",
            ),
        ],
    ),
    (
        "pf_standard",
        &[
            c("none", "Not assessed", "不考核"),
            c("0.80", "Standard 0.80", "0.80标准"),
            c("0.85", "Standard 0.85", "0.85标准"),
            c("0.90", "Standard 0.90", "0.90标准"),
        ],
    ),
    (
        "customer_status",
        &[
            c("normal", "Normal", "正常用电"),
            c("suspended", "Suspended", "暂停"),
            c("closed", "Closed", "销户"),
        ],
    ),
    (
        "read_type",
        &[
            c("actual", "Actual read", "实抄"),
            c("estimated", "Estimated", "估抄"),
            c("collected", "Collected by smart meter", "远程采集"),
        ],
    ),
    (
        "pay_channel",
        &[
            c("counter", "Service hall counter", "营业厅坐收"),
            c("bank", "Bank", "银行代收"),
            c("withholding", "Direct debit", "代扣"),
            c("app", "Online State Grid app", "网上国网"),
            c("wechat", "WeChat Pay", "微信支付"),
            c("alipay", "Alipay", "支付宝"),
        ],
    ),
    (
        "app_type",
        &[
            c("new", "New connection", "新装"),
            c("increase", "Capacity increase", "增容"),
        ],
    ),
    (
        "ticket_type",
        &[
            c("fault_repair", "Fault repair", "故障报修"),
            c("complaint", "Complaint", "投诉"),
            c("inquiry", "Inquiry", "咨询"),
            c("opinion", "Opinion", "意见"),
            c("praise", "Praise", "表扬"),
        ],
    ),
    (
        "ticket_topic",
        &[
            c("outage", "Power outage", "停电"),
            c("voltage_quality", "Voltage quality", "电压质量"),
            c("billing", "Bills and charges", "电费电价"),
            c("metering", "Metering", "电能计量"),
            c("connection", "New connection", "业扩报装"),
            c("service_attitude", "Service attitude", "服务态度"),
            c("other", "Other", "其他"),
        ],
    ),
    (
        "satisfaction",
        &[
            c("satisfied", "Satisfied", "满意"),
            c("neutral", "Neutral", "一般"),
            c("dissatisfied", "Dissatisfied", "不满意"),
            c("unreached", "Callback not reached", "回访未成功"),
        ],
    ),
    (
        "outage_cause",
        &[
            c("maintenance", "Planned maintenance", "计划检修"),
            c("construction", "Planned construction", "施工停电"),
            c("equipment", "Equipment failure", "设备故障"),
            c("weather", "Weather", "自然灾害"),
            c("external", "External damage", "外力破坏"),
            c(
                "supply_shortage",
                "Supply shortage (load limiting)",
                "系统电源不足限电",
            ),
        ],
    ),
    (
        "point_type",
        &[
            c("service_hall", "Service hall", "营业厅"),
            c("supply_station", "Supply station", "供电所"),
            c("repair_base", "Repair base", "抢修驻点"),
        ],
    ),
    (
        "vehicle_status",
        &[
            c("idle", "Idle", "待命"),
            c("en_route", "En route", "赶赴现场"),
            c("on_site", "On site", "现场抢修"),
            c("returning", "Returning", "返回"),
        ],
    ),
    (
        "plan_level",
        &[
            c("I", "Level I", "一级"),
            c("II", "Level II", "二级"),
            c("III", "Level III", "三级"),
            c("IV", "Level IV", "四级"),
        ],
    ),
    (
        "area_kind",
        &[
            c("transformer_area", "Transformer area", "台区"),
            c("feeder", "Feeder", "线路"),
        ],
    ),
];

/// The codes of a list; empty when there is no such list.
pub fn list(name: &str) -> &'static [Code] {
    LISTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, codes)| *codes)
        .unwrap_or(&[])
}

/// The code entry, if the code belongs to the list.
pub fn lookup(list_name: &str, code: &str) -> Option<&'static Code> {
    list(list_name).iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_within_a_list_and_labelled_in_both_languages() {
        for (name, codes) in LISTS {
            let mut seen: Vec<_> = codes.iter().map(|c| c.code).collect();
            seen.sort();
            seen.dedup();
            assert_eq!(seen.len(), codes.len(), "duplicate code in {name}");
            for c in *codes {
                assert!(
                    !c.en.is_empty() && !c.zh.is_empty(),
                    "{name}/{} lacks a label",
                    c.code
                );
            }
        }
        assert_eq!(lookup("customer_class", "residential").unwrap().zh, "居民生活");
        assert!(lookup("customer_class", "nonsense").is_none());
    }
}
