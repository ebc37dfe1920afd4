//! The canonical data model: every extract table MAMS knows, column by column.
//!
//! This is the single source of truth for the table DDL (see `store::schema`), for the
//! documentation in `docs/data-model.md` (a test keeps the two in step) and, later, for
//! matching the Chinese headers of real extracts to canonical fields. Long because it is
//! the catalogue itself, a table a block; the column mappings are in `mapping.rs`.

pub mod mapping;

/// A column's storage type, as DuckDB sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Text,
    Int,
    Real,
    Bool,
    Date,
    Timestamp,
}

impl ColType {
    pub fn sql(self) -> &'static str {
        match self {
            ColType::Text => "VARCHAR",
            ColType::Int => "BIGINT",
            ColType::Real => "DOUBLE",
            ColType::Bool => "BOOLEAN",
            ColType::Date => "DATE",
            ColType::Timestamp => "TIMESTAMP",
        }
    }
}

/// One column of a canonical table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColType,
    /// Unit of measure ("kWh", "yuan", "kVA", ...) or "" when none applies.
    pub unit: &'static str,
    /// Must be filled on every row.
    pub required: bool,
    /// Name of the code list (see `codes`) the values must come from, if any.
    pub code_list: Option<&'static str>,
    /// Header names commonly seen for this field in Chinese extracts.
    pub zh_headers: &'static [&'static str],
    pub description: &'static str,
    /// The kind of personal data the column holds, if it holds any: masked on every path by
    /// which rows leave MAMS unless the user chose otherwise (`crate::privacy`).
    pub personal: Option<Personal>,
}

/// One canonical table.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub label_en: &'static str,
    pub label_zh: &'static str,
    pub description: &'static str,
    pub columns: &'static [Column],
    /// The primary key columns.
    pub key: &'static [&'static str],
    /// The column that places a row in time (for period coverage), if the table has one.
    pub period_column: Option<&'static str>,
    /// How a row reaches an org unit, for scoping counts to a unit's subtree.
    pub unit_link: UnitLink,
}

/// How rows of a table belong to an org unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitLink {
    /// The table has its own `unit_id` column.
    Direct,
    /// Through `customer_id` to `customers.unit_id`.
    ViaCustomer,
    /// The table is the org-unit table itself (`unit_id` is the key).
    Itself,
    /// Reference data of the whole project (the tariff catalogue): every unit sees all of it.
    Global,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn col(name: &'static str, ty: ColType, description: &'static str) -> Column {
    Column {
        name,
        ty,
        unit: "",
        required: false,
        code_list: None,
        zh_headers: &[],
        description,
        personal: None,
    }
}

impl Column {
    const fn req(mut self) -> Self {
        self.required = true;
        self
    }
    const fn unit(mut self, unit: &'static str) -> Self {
        self.unit = unit;
        self
    }
    const fn codes(mut self, list: &'static str) -> Self {
        self.code_list = Some(list);
        self
    }
    const fn zh(mut self, headers: &'static [&'static str]) -> Self {
        self.zh_headers = headers;
        self
    }
    const fn personal(mut self, kind: Personal) -> Self {
        self.personal = Some(kind);
        self
    }
}

use crate::privacy::Personal;
use ColType::*;

pub const ORG_UNITS: Table = Table {
    name: "org_units",
    label_en: "Org units",
    label_zh: "供电单位",
    description: "The supply hierarchy: province, cities, counties, supply stations.",
    columns: &[
        col("unit_id", Text, "Unit code.")
            .req()
            .zh(&["单位编码", "供电单位编码"]),
        col(
            "parent_id",
            Text,
            "Code of the parent unit; empty for the province.",
        )
        .zh(&["上级单位编码"]),
        col("level", Text, "Level in the hierarchy.")
            .req()
            .codes("unit_level")
            .zh(&["单位层级"]),
        col("name_zh", Text, "Name in Chinese.")
            .req()
            .zh(&["单位名称", "供电单位"]),
        col("name_en", Text, "Name in English.").zh(&["英文名称"]),
        col(
            "area_type",
            Text,
            "Urban, rural or remote: sets the repair-arrival commitment and reliability target.",
        )
        .codes("area_type")
        .zh(&["区域类型", "城农网标识"]),
        col("lon", Real, "Longitude of the unit's seat (WGS 84).")
            .unit("degree")
            .zh(&["经度"]),
        col("lat", Real, "Latitude of the unit's seat (WGS 84).")
            .unit("degree")
            .zh(&["纬度"]),
        col(
            "boundary",
            Text,
            "Boundary polygon as a GeoJSON geometry (Polygon or MultiPolygon, WGS 84).",
        )
        .zh(&["边界", "区域边界"]),
    ],
    key: &["unit_id"],
    period_column: None,
    unit_link: UnitLink::Itself,
};

pub const CUSTOMERS: Table = Table {
    name: "customers",
    label_en: "Customer archive",
    label_zh: "客户档案",
    description: "One row per customer account, with its metering set-up and status.",
    columns: &[
        col("customer_id", Text, "Customer number.")
            .req()
            .zh(&["户号", "用户编号", "客户编号"]),
        col("name", Text, "Customer name.")
            .req()
            .zh(&["户名", "用户名称", "客户名称"])
            .personal(Personal::Name),
        col("address", Text, "Supply address.")
            .zh(&["用电地址", "地址"])
            .personal(Personal::Address),
        col("phone", Text, "Contact phone.")
            .zh(&["联系电话", "移动电话", "手机号码"])
            .personal(Personal::Phone),
        col("id_number", Text, "Resident ID or unified social credit code.")
            .zh(&["证件号码", "身份证号"])
            .personal(Personal::IdNumber),
        col("unit_id", Text, "Supply station serving the customer.")
            .req()
            .zh(&["供电单位", "管理单位"]),
        col(
            "area_id",
            Text,
            "Transformer area (or feeder) the customer is connected to.",
        )
        .zh(&["台区编号", "台区"]),
        col("customer_class", Text, "Customer class.")
            .req()
            .codes("customer_class")
            .zh(&["用电类别", "用户分类"]),
        col(
            "industry_code",
            Text,
            "National industry classification (GB/T 4754) code.",
        )
        .codes("industry")
        .zh(&["行业分类", "行业类别"]),
        col("tariff_code", Text, "Tariff applied to the account.")
            .req()
            .codes("tariff")
            .zh(&["电价码", "电价", "执行电价"]),
        col("voltage", Text, "Supply voltage.")
            .codes("voltage")
            .zh(&["供电电压", "电压等级"]),
        col("capacity_kva", Real, "Contracted (running) capacity.")
            .unit("kVA")
            .zh(&["合同容量", "运行容量"]),
        col(
            "meter_asset_no",
            Text,
            "Asset number of the installed energy meter.",
        )
        .zh(&["电能表资产编号", "表号", "电表资产号"]),
        col("wiring", Text, "Metering wiring: direct, via CT, via CT and PT.")
            .codes("wiring")
            .zh(&["接线方式", "计量方式"]),
        col(
            "ct_ratio",
            Real,
            "Current transformer ratio (1 for a direct meter).",
        )
        .zh(&["电流互感器变比", "CT变比"]),
        col(
            "pt_ratio",
            Real,
            "Voltage transformer ratio (1 when there is none).",
        )
        .zh(&["电压互感器变比", "PT变比"]),
        col(
            "multiplier",
            Real,
            "Billing multiplier applied to register differences.",
        )
        .zh(&["综合倍率", "倍率"]),
        col("pf_standard", Text, "Power-factor adjustment standard.")
            .codes("pf_standard")
            .zh(&["功率因数标准", "力调标准"]),
        col(
            "meter_due_on",
            Date,
            "Date by which the meter (or CT) must be verified or rotated.",
        )
        .zh(&["轮换到期日期", "检定到期日期"]),
        col("status", Text, "Account status.")
            .req()
            .codes("customer_status")
            .zh(&["用户状态", "状态"]),
        col("status_date", Date, "Date the status took effect.").zh(&["状态日期", "销户日期"]),
        col("opened_on", Date, "Date the account was opened (energised).").zh(&["立户日期", "送电日期"]),
        col("is_key", Bool, "Key (important) customer.").zh(&["重要客户", "重点客户标志"]),
        col("lon", Real, "Longitude of the supply point (WGS 84).")
            .unit("degree")
            .zh(&["经度"]),
        col("lat", Real, "Latitude of the supply point (WGS 84).")
            .unit("degree")
            .zh(&["纬度"]),
        col("bank_account", Text, "Bank account the charges are debited from.")
            .zh(&["银行账号", "开户账号", "代扣账号"])
            .personal(Personal::Account),
        col(
            "contact_person",
            Text,
            "The customer's contact person (for a company or an institution).",
        )
        .zh(&["联系人", "联系人姓名"])
        .personal(Personal::Name),
    ],
    key: &["customer_id"],
    period_column: None,
    unit_link: UnitLink::Direct,
};

pub const METER_READS: Table = Table {
    name: "meter_reads",
    label_en: "Meter reads",
    label_zh: "抄表示数",
    description: "One row per customer and billing month: the register readings taken.",
    columns: &[
        col("customer_id", Text, "Customer number.")
            .req()
            .zh(&["户号", "用户编号"]),
        col("billing_month", Date, "Billing month (first day of the month).")
            .req()
            .zh(&["抄表年月", "电费年月", "账务年月"]),
        col("read_date", Date, "Date of the reading.").zh(&["抄表日期"]),
        col(
            "read_type",
            Text,
            "Actual, estimated or collected by the smart-meter system.",
        )
        .req()
        .codes("read_type")
        .zh(&["抄表方式", "示数类型"]),
        col(
            "meter_asset_no",
            Text,
            "Meter read (differs from the archive after a meter exchange).",
        )
        .zh(&["电能表资产编号", "表号"]),
        col("prev_total", Real, "Previous total register reading.")
            .unit("kWh register")
            .zh(&["上次示数", "起码"]),
        col("total", Real, "Current total register reading.")
            .unit("kWh register")
            .req()
            .zh(&["本次示数", "止码"]),
        col("peak", Real, "Current peak-period register reading.")
            .unit("kWh register")
            .zh(&["峰示数"]),
        col("flat", Real, "Current flat-period register reading.")
            .unit("kWh register")
            .zh(&["平示数"]),
        col("valley", Real, "Current valley-period register reading.")
            .unit("kWh register")
            .zh(&["谷示数"]),
    ],
    key: &["customer_id", "billing_month"],
    period_column: Some("billing_month"),
    unit_link: UnitLink::ViaCustomer,
};

pub const BILLS: Table = Table {
    name: "bills",
    label_en: "Bills",
    label_zh: "电费账单",
    description: "One row per bill (receivable): energy billed, charges and dates.",
    columns: &[
        col("bill_id", Text, "Receivable (bill) number.")
            .req()
            .zh(&["应收流水号", "账单编号"]),
        col("customer_id", Text, "Customer number.")
            .req()
            .zh(&["户号", "用户编号"]),
        col("billing_month", Date, "Billing month (first day of the month).")
            .req()
            .zh(&["电费年月", "账务年月"]),
        col("tariff_code", Text, "Tariff applied on this bill.")
            .codes("tariff")
            .zh(&["执行电价", "电价码"]),
        col("kwh", Real, "Billed energy.")
            .unit("kWh")
            .req()
            .zh(&["电量", "结算电量", "计费电量"]),
        col("kwh_peak", Real, "Billed peak-period energy.")
            .unit("kWh")
            .zh(&["峰电量"]),
        col("kwh_flat", Real, "Billed flat-period energy.")
            .unit("kWh")
            .zh(&["平电量"]),
        col("kwh_valley", Real, "Billed valley-period energy.")
            .unit("kWh")
            .zh(&["谷电量"]),
        col("energy_charge", Real, "Energy charge.")
            .unit("yuan")
            .zh(&["电度电费"]),
        col(
            "basic_charge",
            Real,
            "Basic (capacity or demand) charge of a two-part tariff.",
        )
        .unit("yuan")
        .zh(&["基本电费"]),
        col(
            "pf_adjustment",
            Real,
            "Power-factor adjustment (positive is a surcharge).",
        )
        .unit("yuan")
        .zh(&["力调电费", "功率因数调整电费"]),
        col(
            "adjustment",
            Real,
            "Retroactive adjustment or refund on this bill (negative is a refund).",
        )
        .unit("yuan")
        .zh(&["退补电费"]),
        col(
            "adjustment_order",
            Text,
            "Work order or approval number behind the adjustment.",
        )
        .zh(&["退补工单号", "审批单号"]),
        col("operator_id", Text, "Operator who issued or adjusted the bill.").zh(&["操作员", "操作人员"]),
        col("amount", Real, "Amount receivable: all charges and adjustments.")
            .unit("yuan")
            .req()
            .zh(&["应收电费", "电费", "应收金额"]),
        col("issued_on", Date, "Date the bill was issued.").zh(&["发行日期"]),
        col("due_on", Date, "Payment due date.").zh(&["缴费截止日期", "到期日期"]),
        col(
            "dunning_on",
            Date,
            "Date of the first dunning or disconnection notice, if any.",
        )
        .zh(&["催费日期", "催费通知日期"]),
    ],
    key: &["bill_id"],
    period_column: Some("billing_month"),
    unit_link: UnitLink::ViaCustomer,
};

pub const PAYMENTS: Table = Table {
    name: "payments",
    label_en: "Payments",
    label_zh: "缴费记录",
    description: "One row per payment received against a bill.",
    columns: &[
        col("payment_id", Text, "Payment number.")
            .req()
            .zh(&["收费流水号", "实收流水号"]),
        col("bill_id", Text, "Bill paid.").req().zh(&["应收流水号"]),
        col("customer_id", Text, "Customer number.")
            .req()
            .zh(&["户号", "用户编号"]),
        col("paid_at", Timestamp, "When the payment was received.")
            .req()
            .zh(&["收费时间", "缴费日期", "实收日期"]),
        col("amount", Real, "Amount collected towards the bill.")
            .unit("yuan")
            .req()
            .zh(&["实收电费", "实收金额"]),
        col("channel", Text, "Payment channel.")
            .codes("pay_channel")
            .zh(&["缴费渠道", "收费方式"]),
        col("late_fee", Real, "Late fee charged with this payment.")
            .unit("yuan")
            .zh(&["违约金", "实收违约金"]),
        col("late_fee_waived", Real, "Late fee waived.")
            .unit("yuan")
            .zh(&["减免违约金"]),
        col("waiver_approval", Text, "Approval number of the waiver.").zh(&["减免审批单号"]),
    ],
    key: &["payment_id"],
    period_column: Some("paid_at"),
    unit_link: UnitLink::ViaCustomer,
};

pub const APPLICATIONS: Table = Table {
    name: "applications",
    label_en: "Connection applications",
    label_zh: "业扩报装",
    description: "Business-expansion applications (new connections, capacity increases), with a timestamp per step.",
    columns: &[
        col("application_id", Text, "Application number.")
            .req()
            .zh(&["申请编号", "工单编号"]),
        col("customer_id", Text, "Customer number (once the account exists).").zh(&["户号"]),
        col("unit_id", Text, "Supply station handling the application.")
            .req()
            .zh(&["受理单位", "供电单位"]),
        col("app_type", Text, "New connection or capacity increase.")
            .req()
            .codes("app_type")
            .zh(&["业务类型"]),
        col("customer_class", Text, "Customer class applied for.")
            .req()
            .codes("customer_class")
            .zh(&["用电类别"]),
        col("voltage", Text, "Supply voltage applied for.")
            .codes("voltage")
            .zh(&["供电电压"]),
        col("capacity_kva", Real, "Capacity applied for.")
            .unit("kVA")
            .zh(&["申请容量", "合同容量"]),
        col("dual_supply", Bool, "High-voltage dual (two-source) supply.").zh(&["双电源"]),
        col("accepted_at", Timestamp, "Application accepted.")
            .req()
            .zh(&["受理时间"]),
        col("surveyed_at", Timestamp, "Site survey done.").zh(&["勘查时间", "现场勘查时间"]),
        col("plan_at", Timestamp, "Supply plan replied.").zh(&["供电方案答复时间"]),
        col(
            "design_reviewed_at",
            Timestamp,
            "Design review done (high voltage).",
        )
        .zh(&["设计审查时间"]),
        col(
            "mid_checked_at",
            Timestamp,
            "Mid-construction check done (high voltage).",
        )
        .zh(&["中间检查时间"]),
        col("completed_at", Timestamp, "Completion acceptance done.").zh(&["竣工检验时间"]),
        col("meter_installed_at", Timestamp, "Meter installed.").zh(&["装表时间"]),
        col("energised_at", Timestamp, "Energised (connected).").zh(&["送电时间", "接电时间"]),
        col(
            "pause_days",
            Real,
            "Days paused for reasons on the customer's side.",
        )
        .unit("day")
        .zh(&["客户原因暂停天数"]),
    ],
    key: &["application_id"],
    period_column: Some("accepted_at"),
    unit_link: UnitLink::Direct,
};

pub const TICKETS: Table = Table {
    name: "tickets",
    label_en: "Service tickets (95598)",
    label_zh: "95598工单",
    description: "Customer service tickets from the 95598 hotline and other channels.",
    columns: &[
        col("ticket_id", Text, "Ticket number.").req().zh(&["工单编号"]),
        col("customer_id", Text, "Customer number, when known.").zh(&["户号"]),
        col("unit_id", Text, "Unit responsible.")
            .req()
            .zh(&["责任单位", "供电单位"]),
        col(
            "ticket_type",
            Text,
            "Fault repair, complaint, inquiry, opinion or praise.",
        )
        .req()
        .codes("ticket_type")
        .zh(&["工单类型", "业务类型"]),
        col("topic", Text, "What the ticket is about.")
            .codes("ticket_topic")
            .zh(&["业务子类", "诉求内容"]),
        col("received_at", Timestamp, "Ticket received.")
            .req()
            .zh(&["受理时间"]),
        col("dispatched_at", Timestamp, "Ticket dispatched to the unit.").zh(&["派单时间"]),
        col(
            "arrived_at",
            Timestamp,
            "Repair crew arrived on site (repairs only).",
        )
        .zh(&["到达现场时间"]),
        col("resolved_at", Timestamp, "Problem resolved.").zh(&["处理完成时间", "修复时间"]),
        col("closed_at", Timestamp, "Ticket closed (empty while open).").zh(&["归档时间", "办结时间"]),
        col("deadline_at", Timestamp, "Deadline for closing the ticket.").zh(&["时限", "办结时限"]),
        col("satisfaction", Text, "Result of the satisfaction callback.")
            .codes("satisfaction")
            .zh(&["回访满意度", "回访结果"]),
    ],
    key: &["ticket_id"],
    period_column: Some("received_at"),
    unit_link: UnitLink::Direct,
};

pub const OUTAGES: Table = Table {
    name: "outages",
    label_en: "Outages",
    label_zh: "停电事件",
    description: "Supply interruptions with their duration and customers interrupted.",
    columns: &[
        col("outage_id", Text, "Outage number.").req().zh(&["停电编号"]),
        col("unit_id", Text, "Supply station where the outage happened.")
            .req()
            .zh(&["供电单位"]),
        col("feeder_id", Text, "Feeder (line) interrupted.").zh(&["线路编号", "馈线"]),
        col("start_at", Timestamp, "Start of the interruption.")
            .req()
            .zh(&["停电开始时间"]),
        col("end_at", Timestamp, "Supply restored.").zh(&["送电时间", "停电结束时间"]),
        col("planned", Bool, "Planned (pre-announced) outage.")
            .req()
            .zh(&["计划停电"]),
        col("cause", Text, "Cause of the outage.")
            .codes("outage_cause")
            .zh(&["停电原因"]),
        col("customers_affected", Int, "Customers interrupted.")
            .unit("customers")
            .req()
            .zh(&["停电户数", "影响户数"]),
    ],
    key: &["outage_id"],
    period_column: Some("start_at"),
    unit_link: UnitLink::Direct,
};

pub const SERVICE_POINTS: Table = Table {
    name: "service_points",
    label_en: "Service points",
    label_zh: "服务网点",
    description: "Service halls, supply stations and repair bases with their location.",
    columns: &[
        col("point_id", Text, "Service point code.")
            .req()
            .zh(&["网点编号"]),
        col("unit_id", Text, "Unit the point belongs to.")
            .req()
            .zh(&["供电单位"]),
        col("point_type", Text, "Kind of service point.")
            .req()
            .codes("point_type")
            .zh(&["网点类型"]),
        col("name_zh", Text, "Name in Chinese.").req().zh(&["网点名称"]),
        col("name_en", Text, "Name in English.").zh(&["英文名称"]),
        col("opening_hours", Text, "Opening hours.").zh(&["营业时间"]),
        col("staff", Int, "Staff on duty.")
            .unit("people")
            .zh(&["人员数量"]),
        col("lon", Real, "Longitude (WGS 84).")
            .unit("degree")
            .req()
            .zh(&["经度"]),
        col("lat", Real, "Latitude (WGS 84).")
            .unit("degree")
            .req()
            .zh(&["纬度"]),
    ],
    key: &["point_id"],
    period_column: None,
    unit_link: UnitLink::Direct,
};

pub const VEHICLE_POSITIONS: Table = Table {
    name: "vehicle_positions",
    label_en: "Vehicle positions",
    label_zh: "抢修车辆轨迹",
    description: "Timestamped positions and status of repair vehicles.",
    columns: &[
        col("vehicle_id", Text, "Vehicle code.").req().zh(&["车辆编号"]),
        col("plate", Text, "Licence plate.").zh(&["车牌号"]),
        col("unit_id", Text, "Unit the vehicle belongs to.")
            .req()
            .zh(&["所属单位"]),
        col("ts", Timestamp, "Time of the position fix.")
            .req()
            .zh(&["定位时间"]),
        col("lon", Real, "Longitude (WGS 84).")
            .unit("degree")
            .req()
            .zh(&["经度"]),
        col("lat", Real, "Latitude (WGS 84).")
            .unit("degree")
            .req()
            .zh(&["纬度"]),
        col("status", Text, "Vehicle status.")
            .codes("vehicle_status")
            .zh(&["车辆状态"]),
    ],
    key: &["vehicle_id", "ts"],
    period_column: Some("ts"),
    unit_link: UnitLink::Direct,
};

pub const ORDERLY_PLANS: Table = Table {
    name: "orderly_plans",
    label_en: "Orderly consumption plans",
    label_zh: "有序用电方案",
    description: "Customers in the orderly power consumption plan, their level and load to shed.",
    columns: &[
        col("plan_id", Text, "Plan entry number.").req().zh(&["方案编号"]),
        col("customer_id", Text, "Customer number.").req().zh(&["户号"]),
        col("plan_level", Text, "Plan level (I is shed first).")
            .req()
            .codes("plan_level")
            .zh(&["方案等级", "预警等级"]),
        col("shed_kw", Real, "Load to shed.")
            .unit("kW")
            .req()
            .zh(&["压减负荷", "可限负荷"]),
        col("valid_from", Date, "First day in force.")
            .req()
            .zh(&["生效日期"]),
        col("valid_to", Date, "Last day in force.").zh(&["失效日期"]),
    ],
    key: &["plan_id"],
    period_column: Some("valid_from"),
    unit_link: UnitLink::ViaCustomer,
};

pub const LINE_LOSS: Table = Table {
    name: "line_loss",
    label_en: "Line loss",
    label_zh: "线损",
    description: "Energy supplied into and sold out of each transformer area or feeder, per month.",
    columns: &[
        col("area_id", Text, "Transformer area or feeder code.")
            .req()
            .zh(&["台区编号", "线路编号"]),
        col("area_name", Text, "Name of the area.").zh(&["台区名称"]),
        col("unit_id", Text, "Supply station.").req().zh(&["供电单位"]),
        col("area_kind", Text, "Transformer area or feeder.")
            .codes("area_kind")
            .zh(&["统计对象"]),
        col("month", Date, "Month (first day).")
            .req()
            .zh(&["统计年月", "月份"]),
        col("supplied_kwh", Real, "Energy supplied into the area.")
            .unit("kWh")
            .req()
            .zh(&["供电量"]),
        col("sold_kwh", Real, "Energy sold (billed) in the area.")
            .unit("kWh")
            .req()
            .zh(&["售电量"]),
    ],
    key: &["area_id", "month"],
    period_column: Some("month"),
    unit_link: UnitLink::Direct,
};

pub const TARIFFS: Table = Table {
    name: "tariffs",
    label_en: "Tariff catalogue",
    label_zh: "电价目录",
    description: "The tariffs of the province's schedule: one row per tariff and customer class allowed to use it, with its price. The audit rules price a wrong tariff with it.",
    columns: &[
        col("tariff_code", Text, "Tariff code.")
            .req()
            .codes("tariff")
            .zh(&["电价码", "电价代码"]),
        col("customer_class", Text, "A customer class allowed to use the tariff.")
            .req()
            .codes("customer_class")
            .zh(&["用电类别", "适用用电类别"]),
        col(
            "industry_prefix",
            Text,
            "Industry codes (GB/T 4754) allowed, as the start of the code; empty: any industry.",
        )
        .zh(&["适用行业", "行业分类"]),
        col(
            "price",
            Real,
            "Energy price: the first tier of a tiered tariff, the flat-period price of a time-of-use one.",
        )
        .unit("yuan/kWh")
        .req()
        .zh(&["电度电价", "电价"]),
        col(
            "basic_price",
            Real,
            "Basic charge of a two-part tariff per kVA of capacity and month; empty for a single-part tariff.",
        )
        .unit("yuan/kVA")
        .zh(&["基本电价", "容量电价"]),
        col(
            "usual",
            Bool,
            "The class's usual tariff, which a wrong tariff is priced against.",
        )
        .zh(&["常用电价", "默认电价"]),
    ],
    key: &["tariff_code", "customer_class"],
    period_column: None,
    unit_link: UnitLink::Global,
};

pub const UNIT_RESOURCES: Table = Table {
    name: "unit_resources",
    label_en: "Unit resources",
    label_zh: "单位资源",
    description: "What each unit works with in a year: staff, service halls, repair vehicles, operating cost, network. A unit's resources are its own rows and those of the units below it. The inputs of DEA efficiency in benchmarking.",
    columns: &[
        col("unit_id", Text, "Org unit (usually a supply station).")
            .req()
            .zh(&["单位编码", "供电单位"]),
        col("year", Int, "Calendar year.").req().zh(&["年度", "年份"]),
        col(
            "staff",
            Real,
            "Staff in marketing and service (full-time equivalent).",
        )
        .unit("persons")
        .zh(&["营销服务人员数", "员工人数", "人员"]),
        col("service_halls", Real, "Service halls open to customers.").zh(&["营业厅数", "营业厅"]),
        col("repair_vehicles", Real, "Repair vehicles on duty.").zh(&["抢修车辆数", "抢修车辆"]),
        col(
            "operating_cost",
            Real,
            "Operating cost of marketing and service in the year.",
        )
        .unit("yuan")
        .zh(&["运营成本", "营销成本"]),
        col("network_km", Real, "Length of the distribution lines served.")
            .unit("km")
            .zh(&["线路长度", "配电线路长度"]),
        col("transformers", Real, "Distribution transformers served.").zh(&["配变台数", "配电变压器台数"]),
    ],
    key: &["unit_id", "year"],
    period_column: None,
    unit_link: UnitLink::Direct,
};

pub const WORK_CALENDAR: Table = Table {
    name: "work_calendar",
    label_en: "Working-day calendar",
    label_zh: "工作日历",
    description: "Whether each day is a working day: the calendar the connection time limits are counted in, and the cadence of bulletins falls due by. A project starts with Monday to Friday from 2000 to 2040; an imported calendar (public holidays, weekend days worked in exchange) replaces the days it lists, and days it leaves out stay Monday to Friday.",
    columns: &[
        col("day", Date, "The day.").req().zh(&["日期", "日历日期"]),
        col("working", Bool, "A working day.")
            .req()
            .zh(&["是否工作日", "工作日"]),
        col(
            "note",
            Text,
            "Why the day differs from Monday to Friday (a holiday's name, a weekend day worked); empty for an ordinary day.",
        )
        .zh(&["备注", "节假日名称"]),
    ],
    key: &["day"],
    period_column: None,
    unit_link: UnitLink::Global,
};

/// Every extract table, in load order (parents before children).
pub const TABLES: &[Table] = &[
    ORG_UNITS,
    CUSTOMERS,
    METER_READS,
    BILLS,
    PAYMENTS,
    APPLICATIONS,
    TICKETS,
    OUTAGES,
    SERVICE_POINTS,
    VEHICLE_POSITIONS,
    ORDERLY_PLANS,
    LINE_LOSS,
    TARIFFS,
    UNIT_RESOURCES,
    WORK_CALENDAR,
];

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// `docs/data-model.md`, generated from the model and the code lists so the two cannot
/// drift apart (a test compares them; `MAMS_BLESS=1 cargo test --release` rewrites it).
pub fn data_model_markdown() -> String {
    use std::fmt::Write;
    let mut md = String::new();
    let _ = writeln!(md, "# Data model\n");
    let _ = writeln!(
        md,
        "<!-- Generated from src/model/mod.rs and src/codes.rs by `MAMS_BLESS=1 cargo test --release`; do not edit by hand. -->\n"
    );
    let _ = writeln!(
        md,
        "A MAMS project is one DuckDB file (`.duckdb`). It holds the canonical tables below, filled by imports, \
         and the tables MAMS records for itself (`mams_meta` with the `schema_version`, `code_lists`, `imports`, \
         `org_closure`). Any DuckDB client can open it.\n"
    );
    let _ = writeln!(
        md,
        "Conventions: money in yuan, energy in kWh, capacity in kVA, times as `TIMESTAMP` (local time, no zone), \
         months as the `DATE` of their first day. Coded columns hold the codes of the lists at the end; each \
         code has an English and a Chinese label (also in the project's `code_lists` table). Keys are checked \
         on import (a file with a repeated key is refused). \"Required\" columns may not be empty. A column \
         marked \"personal\" holds personal data of that kind: every export, copy and command-line output \
         masks it unless the user chose to show it in full, which the project's access log records \
         (docs/security.md).\n"
    );
    let _ = writeln!(md, "## Tables\n");
    for t in TABLES {
        let _ = writeln!(
            md,
            "- [`{}`](#{}): {} ({})",
            t.name, t.name, t.label_en, t.label_zh
        );
    }
    for t in TABLES {
        let _ = writeln!(
            md,
            "\n## {}\n\n{} ({})\n\n{}\n",
            t.name, t.label_en, t.label_zh, t.description
        );
        let _ = writeln!(
            md,
            "Key: {}.  ",
            t.key
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" + ")
        );
        match t.period_column {
            Some(p) => {
                let _ = writeln!(md, "Placed in time by `{p}`.  ");
            }
            None => {
                let _ = writeln!(md, "Not placed in time.  ");
            }
        }
        let link = match t.unit_link {
            UnitLink::Direct => "Belongs to an org unit through its own `unit_id`.",
            UnitLink::ViaCustomer => "Belongs to an org unit through `customer_id` -> `customers.unit_id`.",
            UnitLink::Itself => "Belongs to an org unit through itself (`unit_id`).",
            UnitLink::Global => "Belongs to no org unit: the whole project's, every unit sees all of it.",
        };
        let _ = writeln!(md, "{link}\n");
        let _ = writeln!(
            md,
            "| column | type | unit | required | codes | personal | Chinese headers | meaning |"
        );
        let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
        for c in t.columns {
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
                c.name,
                c.ty.sql(),
                c.unit,
                if c.required { "yes" } else { "" },
                c.code_list.map(|l| format!("[{l}](#{l})")).unwrap_or_default(),
                c.personal.map(|k| k.id()).unwrap_or_default(),
                c.zh_headers.join(", "),
                c.description
            );
        }
    }
    let _ = writeln!(md, "\n## Code lists\n");
    for (name, codes) in crate::codes::LISTS {
        let _ = writeln!(md, "### {name}\n\n| code | English | 中文 |\n|---|---|---|");
        for c in *codes {
            let _ = writeln!(md, "| `{}` | {} | {} |", c.code, c.en, c.zh);
        }
        let _ = writeln!(md);
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_data_model_is_generated_from_the_model() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/data-model.md");
        let want = data_model_markdown();
        if std::env::var_os("MAMS_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/data-model.md is stale: run MAMS_BLESS=1 cargo test --release"
        );
    }

    #[test]
    fn keys_and_period_columns_exist() {
        for t in TABLES {
            for k in t.key {
                let c = t
                    .column(k)
                    .unwrap_or_else(|| panic!("{}: key {k} missing", t.name));
                assert!(c.required, "{}.{k} is a key but not required", t.name);
            }
            if let Some(p) = t.period_column {
                let c = t.column(p).expect("period column exists");
                assert!(matches!(c.ty, ColType::Date | ColType::Timestamp));
            }
            match t.unit_link {
                UnitLink::Direct | UnitLink::Itself => assert!(t.column("unit_id").is_some()),
                UnitLink::ViaCustomer => assert!(t.column("customer_id").is_some()),
                UnitLink::Global => {
                    assert!(t.column("unit_id").is_none() && t.column("customer_id").is_none())
                }
            }
        }
    }

    #[test]
    fn column_names_are_unique_snake_case() {
        for t in TABLES {
            let mut names: Vec<_> = t.columns.iter().map(|c| c.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), t.columns.len(), "{} has a repeated column", t.name);
            for n in names {
                assert!(
                    n.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                );
            }
        }
    }

    #[test]
    fn code_lists_named_by_columns_exist() {
        for t in TABLES {
            for c in t.columns {
                if let Some(list) = c.code_list {
                    assert!(
                        !crate::codes::list(list).is_empty(),
                        "{}.{} names unknown code list {list}",
                        t.name,
                        c.name
                    );
                }
            }
        }
    }
}
