//! The DEA efficiency of org units for a period: inputs from the units' resources of the
//! period's year, outputs from the period's sums (customers served, sales, charges
//! collected, connections, repairs), every unit of one level within a unit's subtree.
//! CCR and BCC are both solved: the chosen model's scores, peers, slacks and targets, and
//! beside them scale efficiency (CCR / BCC) and returns to scale.

use chrono::Datelike;
use serde::Serialize;

use super::period::{Period, period_totals};
use crate::evaluation::dea::{self, DeaData, DeaResult, Model, Orientation};
use crate::store::Project;
use crate::store::evaluations::{RESOURCES, resources};
use crate::store::kpi::{self, MonthTotals};
use crate::store::queries;

/// The outputs DEA can take, from a period's sums: (id, English, Chinese).
pub const OUTPUTS: [(&str, &str, &str); 5] = [
    ("customers", "Customers served", "服务客户数"),
    ("sales_kwh", "Sales (kWh)", "售电量"),
    ("collected", "Charges collected (yuan)", "电费回收金额"),
    ("connections", "New connections", "新装接电户数"),
    ("repairs", "Repairs arrived", "抢修到达次数"),
];

/// Names of the inputs: (id, English, Chinese), in the order of `RESOURCES`.
pub const INPUTS: [(&str, &str, &str); 6] = [
    ("staff", "Staff", "人员"),
    ("service_halls", "Service halls", "营业厅"),
    ("repair_vehicles", "Repair vehicles", "抢修车辆"),
    ("operating_cost", "Operating cost (yuan)", "运营成本（元）"),
    ("network_km", "Network (km)", "线路长度（千米）"),
    ("transformers", "Transformers", "配变台数"),
];

fn output_of(id: &str, t: &MonthTotals) -> Option<f64> {
    match id {
        "customers" => Some(t.customers),
        "sales_kwh" => t.kwh,
        "collected" => t.collected,
        "connections" => t.connections,
        "repairs" => t.repairs_arrived,
        _ => None,
    }
}

/// What to analyse.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DeaSpec {
    /// The units of this level within the scope's subtree.
    pub level: String,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub model: Model,
    pub orientation: Orientation,
}

impl Default for DeaSpec {
    fn default() -> Self {
        DeaSpec {
            level: "station".into(),
            inputs: vec!["staff".into(), "operating_cost".into(), "network_km".into()],
            outputs: vec!["customers".into(), "sales_kwh".into()],
            model: Model::Bcc,
            orientation: Orientation::Input,
        }
    }
}

/// A unit left out of the analysis, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LeftOut {
    pub unit_id: String,
    pub why: crate::text::Text,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitsDea {
    #[serde(serialize_with = "label")]
    pub period: Period,
    pub scope: String,
    pub spec: DeaSpec,
    /// The units analysed, in the order of `result.units`: (id, English name, Chinese name).
    pub units: Vec<(String, String, String)>,
    pub data: DeaDataOut,
    /// The chosen model's result.
    pub result: DeaResult,
    /// CCR score / BCC score per unit (1: the unit works at its most productive scale).
    pub scale_efficiency: Vec<f64>,
    /// "increasing", "constant" or "decreasing", from the sum of the CCR lambdas.
    pub returns_to_scale: Vec<&'static str>,
    pub left_out: Vec<LeftOut>,
}

/// The inputs and outputs as analysed (rows are units).
#[derive(Debug, Clone, Serialize)]
pub struct DeaDataOut {
    pub inputs: Vec<Vec<f64>>,
    pub outputs: Vec<Vec<f64>>,
}

fn label<S: serde::Serializer>(p: &Period, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&p.label())
}

/// The units of `spec.level` within `scope`, the spec checked first.
fn units_of(project: &Project, scope: &str, spec: &DeaSpec) -> anyhow::Result<Vec<queries::OrgUnit>> {
    for i in &spec.inputs {
        if !RESOURCES.contains(&i.as_str()) {
            crate::bail_say!(
                "'{i}' is not a resource (inputs: {})",
                "“{i}”不是资源（可用投入：{}）",
                RESOURCES.join(", ")
            );
        }
    }
    let outputs: Vec<&str> = OUTPUTS.iter().map(|o| o.0).collect();
    for o in &spec.outputs {
        if !outputs.contains(&o.as_str()) {
            crate::bail_say!(
                "'{o}' is not an output (outputs: {})",
                "“{o}”不是产出（可用产出：{}）",
                outputs.join(", ")
            );
        }
    }
    if spec.inputs.is_empty() || spec.outputs.is_empty() {
        crate::bail_say!(
            "DEA needs at least one input and one output",
            "DEA 至少需要一项投入和一项产出"
        );
    }
    let org = queries::org_tree(project)?;
    if !org.iter().any(|u| u.unit_id == scope) {
        crate::bail_say!(
            "no org unit '{scope}' in the project",
            "项目中没有组织单位“{scope}”"
        );
    }
    let within = crate::store::queries::subtree(&org, scope);
    let units: Vec<queries::OrgUnit> = org
        .into_iter()
        .filter(|u| u.level == spec.level && within.contains(&u.unit_id))
        .collect();
    if units.is_empty() {
        crate::bail_say!(
            "there are no units of level {} within {scope}",
            "{scope} 内没有 {} 级单位",
            spec.level
        );
    }
    Ok(units)
}

/// What DEA takes of a period: the units with a positive value of every input and output,
/// their data, and those left out with why.
struct Assembled {
    kept: Vec<(String, String, String)>,
    data: DeaData,
    left_out: Vec<LeftOut>,
}

fn assemble(
    project: &Project,
    period: Period,
    units: &[queries::OrgUnit],
    spec: &DeaSpec,
) -> anyhow::Result<Assembled> {
    let year = period.last_month().year();
    let held = resources(project, year)?;
    if held.is_empty() {
        crate::bail_say!(
            "the project has no unit resources for {year}: import the unit_resources table (staff, service halls, vehicles, cost, network) first",
            "项目中没有 {year} 年的单位资源数据：请先导入 unit_resources 表（人员、营业厅、车辆、成本、线路）"
        );
    }
    let ids: Vec<&str> = units.iter().map(|u| u.unit_id.as_str()).collect();
    let totals = kpi::with_sums_checked_once(project, || {
        kpi::month_totals_of_units(project, &ids, period.first_month(), period.last_month())
    })?;
    let columns: Vec<usize> = spec
        .inputs
        .iter()
        .map(|i| RESOURCES.iter().position(|r| r == i).expect("checked above"))
        .collect();
    let mut kept = Vec::new();
    let mut data = DeaData {
        inputs: Vec::new(),
        outputs: Vec::new(),
    };
    let mut left_out = Vec::new();
    for (u, months) in units.iter().zip(&totals) {
        let t = period_totals(months);
        let ins: Option<Vec<f64>> = held
            .get(&u.unit_id)
            .and_then(|r| columns.iter().map(|c| r[*c].filter(|v| *v > 0.0)).collect());
        let outs: Option<Vec<f64>> = spec
            .outputs
            .iter()
            .map(|o| output_of(o, &t).filter(|v| *v > 0.0))
            .collect();
        match (ins, outs) {
            (Some(i), Some(o)) => {
                data.inputs.push(i);
                data.outputs.push(o);
                kept.push((u.unit_id.clone(), u.name_en.clone(), u.name_zh.clone()));
            }
            (None, _) => left_out.push(LeftOut {
                unit_id: u.unit_id.clone(),
                why: crate::say!(
                    "no positive value of every input in {year}",
                    "{year} 年并非每项投入都有正值"
                ),
            }),
            (_, None) => left_out.push(LeftOut {
                unit_id: u.unit_id.clone(),
                why: crate::say!(
                    "no positive value of every output in {}",
                    "{} 并非每项产出都有正值",
                    period.label()
                ),
            }),
        }
    }
    Ok(Assembled { kept, data, left_out })
}

/// DEA of the units of `spec.level` within `scope` for `period`.
pub fn analyse(project: &Project, period: Period, scope: &str, spec: &DeaSpec) -> anyhow::Result<UnitsDea> {
    let units = units_of(project, scope, spec)?;
    let Assembled { kept, data, left_out } = assemble(project, period, &units, spec)?;
    let result = dea::analyse(&data, spec.model, spec.orientation, true)
        .map_err(|e| crate::said!("DEA: {e}", "DEA：{e}"))?;
    // The other model too, for scale efficiency (the chosen one gives its own scores and
    // lambdas already).
    let other = match spec.model {
        Model::Ccr => Model::Bcc,
        Model::Bcc => Model::Ccr,
    };
    let second = dea::analyse(&data, other, spec.orientation, false)
        .map_err(|e| crate::said!("DEA: {e}", "DEA：{e}"))?;
    let (ccr, bcc) = match spec.model {
        Model::Ccr => (&result, &second),
        Model::Bcc => (&second, &result),
    };
    let scale_efficiency = ccr
        .units
        .iter()
        .zip(&bcc.units)
        .map(|(c, b)| if b.score > 0.0 { c.score / b.score } else { 0.0 })
        .collect();
    // Returns to scale by the sum of the CCR lambdas (Banker 1984): below 1 increasing,
    // 1 constant, above 1 decreasing.
    let returns_to_scale = ccr
        .units
        .iter()
        .map(|u| {
            let sum: f64 = u.peers.iter().map(|(_, l)| l).sum();
            if (sum - 1.0).abs() < 1e-6 {
                "constant"
            } else if sum < 1.0 {
                "increasing"
            } else {
                "decreasing"
            }
        })
        .collect();
    Ok(UnitsDea {
        period,
        scope: scope.to_string(),
        spec: spec.clone(),
        units: kept,
        data: DeaDataOut {
            inputs: data.inputs,
            outputs: data.outputs,
        },
        result,
        scale_efficiency,
        returns_to_scale,
        left_out,
    })
}

/// The Malmquist index of every unit from one period to another (CCR, the units with data
/// in both), split into efficiency change and technical change.
#[derive(Debug, Clone, Serialize)]
pub struct UnitsMalmquist {
    #[serde(serialize_with = "label")]
    pub base: Period,
    #[serde(serialize_with = "label")]
    pub target: Period,
    pub spec: DeaSpec,
    /// (id, English name, Chinese name), in the order of `rows`.
    pub units: Vec<(String, String, String)>,
    pub rows: Vec<dea::Malmquist>,
    pub left_out: Vec<LeftOut>,
}

pub fn malmquist(
    project: &Project,
    base: Period,
    target: Period,
    scope: &str,
    spec: &DeaSpec,
) -> anyhow::Result<UnitsMalmquist> {
    let units = units_of(project, scope, spec)?;
    let before = assemble(project, base, &units, spec)?;
    let after = assemble(project, target, &units, spec)?;
    // The units with data in both periods, in one order.
    let mut kept = Vec::new();
    let (mut b, mut t) = (
        DeaData {
            inputs: Vec::new(),
            outputs: Vec::new(),
        },
        DeaData {
            inputs: Vec::new(),
            outputs: Vec::new(),
        },
    );
    for (i, u) in before.kept.iter().enumerate() {
        if let Some(j) = after.kept.iter().position(|x| x.0 == u.0) {
            b.inputs.push(before.data.inputs[i].clone());
            b.outputs.push(before.data.outputs[i].clone());
            t.inputs.push(after.data.inputs[j].clone());
            t.outputs.push(after.data.outputs[j].clone());
            kept.push(u.clone());
        }
    }
    let mut left_out = before.left_out;
    for l in after.left_out {
        if !left_out.iter().any(|x| x.unit_id == l.unit_id) {
            left_out.push(l);
        }
    }
    let rows = dea::malmquist(&b, &t).map_err(|e| crate::said!("Malmquist: {e}", "Malmquist 指数：{e}"))?;
    Ok(UnitsMalmquist {
        base,
        target,
        spec: spec.clone(),
        units: kept,
        rows,
        left_out,
    })
}
