//! `mams analyze`: index-related factor analysis of a change.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};

use super::print::print_table;
use super::{InfoFormat, parse_month};
use crate::metrics::format::group_digits;
use crate::store::{Project, queries};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DecomposeMethod {
    /// LMDI-I of a sum of products: columns group,period,<factor>...
    Lmdi,
    /// Rate/mix split of a ratio: columns group,period,numerator,denominator
    Ratemix,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum WeightMethod {
    /// The entropy method: more weight where the units differ more.
    Entropy,
    /// CRITIC: spread and conflict with the other indicators.
    Critic,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DeaModelArg {
    /// Constant returns to scale.
    Ccr,
    /// Variable returns to scale.
    Bcc,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DeaOrientationArg {
    Input,
    Output,
}

impl DeaModelArg {
    pub fn model(self) -> crate::evaluation::dea::Model {
        match self {
            DeaModelArg::Ccr => crate::evaluation::dea::Model::Ccr,
            DeaModelArg::Bcc => crate::evaluation::dea::Model::Bcc,
        }
    }
}

impl DeaOrientationArg {
    pub fn orientation(self) -> crate::evaluation::dea::Orientation {
        match self {
            DeaOrientationArg::Input => crate::evaluation::dea::Orientation::Input,
            DeaOrientationArg::Output => crate::evaluation::dea::Orientation::Output,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AnalyzeCommand {
    /// Difference in differences of a measure: the change in the treated units minus the
    /// change in the controls, with its 95 % interval (see docs/risks.md).
    Did {
        /// CSV: unit,month,treated,value (month YYYY-MM, treated 1 or 0).
        #[arg(long)]
        input: PathBuf,
        /// The first month of the measure, YYYY-MM.
        #[arg(long, value_parser = parse_month)]
        start: NaiveDate,
        /// The metric is better when higher (default: lower is better, as a rate of problems).
        #[arg(long)]
        higher_is_better: bool,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Interrupted time series of the treated units' mean: segmented regression with a level
    /// and a slope change at the start (see docs/risks.md).
    Its {
        /// CSV: unit,month,treated,value; the rows with treated 1 are used.
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_parser = parse_month)]
        start: NaiveDate,
        #[arg(long)]
        higher_is_better: bool,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Malmquist productivity index of units between two periods, split into efficiency
    /// change and technical change (see docs/evaluation.md).
    Malmquist {
        /// CSV: a unit column first, a `period` column, then the input and output columns;
        /// every unit once in each of the two periods.
        #[arg(long)]
        input: PathBuf,
        /// The period compared from, as written in the period column.
        #[arg(long)]
        base: String,
        /// The period compared to.
        #[arg(long)]
        target: String,
        #[arg(long, value_delimiter = ',', required = true)]
        inputs: Vec<String>,
        #[arg(long, value_delimiter = ',', required = true)]
        outputs: Vec<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// DEA efficiency of units (see docs/evaluation.md).
    Dea {
        /// CSV: a unit column first, then the input and output columns.
        #[arg(long)]
        input: PathBuf,
        /// Input columns, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        inputs: Vec<String>,
        /// Output columns, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        outputs: Vec<String>,
        #[arg(long, value_enum, default_value_t = DeaModelArg::Ccr)]
        model: DeaModelArg,
        #[arg(long, value_enum, default_value_t = DeaOrientationArg::Input)]
        orientation: DeaOrientationArg,
        /// Also the super-efficiency (Andersen-Petersen), to rank the efficient units.
        #[arg(long = "super")]
        super_efficiency: bool,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// AHP weights of a pairwise comparison matrix, with lambda max, CI and CR (see
    /// docs/evaluation.md).
    Ahp {
        /// CSV: a header of the items' names after one first cell, then one row per item:
        /// its name and its judgements (numbers or fractions such as 1/3).
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Objective weights of indicators from data (see docs/evaluation.md).
    Weights {
        /// CSV: a unit column first, then one numeric column per indicator.
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum)]
        method: WeightMethod,
        /// Indicators where smaller values are better, comma-separated column names.
        #[arg(long, value_delimiter = ',')]
        lower_better: Vec<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Decompose the change between a base and a target period (see docs/analysis.md).
    Decompose {
        /// CSV file; period is `base` or `target`.
        #[arg(long)]
        input: PathBuf,
        #[arg(long, value_enum)]
        method: DecomposeMethod,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
    /// Why an indicator of a unit changed: its change split over the units one level down.
    Change {
        project: PathBuf,
        /// Indicator id (as `mams kpi` prints them), e.g. collection_rate.
        #[arg(long)]
        indicator: String,
        /// The month explained, YYYY-MM.
        #[arg(long, value_parser = parse_month)]
        period: NaiveDate,
        /// The month compared with (default: the month before).
        #[arg(long, value_parser = parse_month)]
        base: Option<NaiveDate>,
        /// Org unit (default: the top unit).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum, default_value_t = InfoFormat::Table)]
        format: InfoFormat,
    },
}

pub fn why_changed(
    project: &std::path::Path,
    indicator: &str,
    period: NaiveDate,
    base: Option<NaiveDate>,
    unit: Option<String>,
    format: InfoFormat,
) -> anyhow::Result<()> {
    let p = Project::open(project).or_else(|_| Project::open_read_only(project))?;
    let unit = crate::metrics::kpi::check_scope(&p, period, unit.as_deref())?;
    let base = match base {
        Some(b) => b,
        None => period
            .checked_sub_months(chrono::Months::new(1))
            .ok_or_else(|| anyhow::anyhow!("no month before {}", period.format("%Y-%m")))?,
    };
    let children = queries::units_below(&queries::org_tree(&p)?, &unit);
    let why = crate::audit::why::report(&p, indicator, &unit, &children, base, period)?;
    let x = &why.explanation;
    let mut out = std::io::stdout().lock();
    if format == InfoFormat::Json {
        writeln!(out, "{}", serde_json::to_string_pretty(&why)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} of {unit}: {} {} -> {} {} (change {:+.6}, {})",
        x.indicator,
        x.base_month.format("%Y-%m"),
        x.base_value,
        x.month.format("%Y-%m"),
        x.value,
        x.change,
        x.method
    )?;
    let t = |s: String| duckdb::types::Value::Text(s);
    let opt = |v: Option<f64>| v.map(|v| format!("{v:.6}")).unwrap_or_default();
    let rows = x
        .parts
        .iter()
        .map(|p| {
            vec![
                t(p.unit_id.clone()),
                t(format!("{:.6}", p.effect)),
                t(opt(p.rate_effect)),
                t(opt(p.mix_effect)),
            ]
        })
        .collect();
    let table = queries::QueryResult {
        columns: ["unit", "effect", "rate effect", "mix effect"]
            .map(String::from)
            .to_vec(),
        rows,
    };
    print_table(&mut out, &table, 0)?;
    // Where to look: the related rules' open suspects in the units that moved it most.
    writeln!(
        out,
        "\nrelated audit rules with open suspects in the months compared:"
    )?;
    for (unit, rules) in &why.rules {
        let list: Vec<String> = rules
            .iter()
            .map(|(rule, n, amount)| format!("{rule} {n} ({} yuan)", group_digits(amount.round() as u64)))
            .collect();
        let list = if list.is_empty() {
            "none".to_string()
        } else {
            list.join(", ")
        };
        writeln!(out, "  {unit}: {list}")?;
    }
    Ok(())
}

pub fn decompose(input: &std::path::Path, method: DecomposeMethod, format: InfoFormat) -> anyhow::Result<()> {
    use crate::analysis::decompose::{lmdi, rate_mix};
    use crate::analysis::table_input::{TextTable, lmdi_groups, ratio_groups};
    if !input.exists() {
        bail!("input file {} does not exist", input.display());
    }
    let (columns, rows) = crate::store::read_csv_text(input)?;
    let table = TextTable { columns, rows };
    let fail = |e: String| anyhow::anyhow!("{}: {e}", input.display());
    let mut out = std::io::stdout().lock();
    let n = |v: f64| format!("{v:.6}");
    match method {
        DecomposeMethod::Lmdi => {
            let (factors, groups) = lmdi_groups(&table).map_err(fail)?;
            let r = lmdi(&factors, &groups).map_err(fail)?;
            if format == InfoFormat::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "V base {}   V target {}   change {}   ratio {}",
                n(r.base_total),
                n(r.target_total),
                n(r.change),
                n(r.ratio)
            )?;
            let mut columns = vec!["factor".to_string(), "additive".into(), "multiplicative".into()];
            columns.extend(r.groups.iter().cloned());
            let mut rows: Vec<Vec<duckdb::types::Value>> = r
                .effects
                .iter()
                .map(|e| {
                    let mut row = vec![
                        duckdb::types::Value::Text(e.factor.clone()),
                        duckdb::types::Value::Text(n(e.additive)),
                        duckdb::types::Value::Text(n(e.multiplicative)),
                    ];
                    row.extend(e.by_group.iter().map(|g| duckdb::types::Value::Text(n(*g))));
                    row
                })
                .collect();
            let mut total = vec![
                duckdb::types::Value::Text("total".into()),
                duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.additive).sum())),
                duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.multiplicative).product())),
            ];
            total.extend(
                (0..r.groups.len())
                    .map(|i| duckdb::types::Value::Text(n(r.effects.iter().map(|e| e.by_group[i]).sum()))),
            );
            rows.push(total);
            print_table(&mut out, &queries::QueryResult { columns, rows }, 0)
        }
        DecomposeMethod::Ratemix => {
            let groups = ratio_groups(&table).map_err(fail)?;
            let r = rate_mix(&groups).map_err(fail)?;
            if format == InfoFormat::Json {
                writeln!(out, "{}", serde_json::to_string_pretty(&r)?)?;
                return Ok(());
            }
            writeln!(
                out,
                "R base {}   R target {}   change {}",
                n(r.base),
                n(r.target),
                n(r.change)
            )?;
            let t = |s: String| duckdb::types::Value::Text(s);
            let opt = |v: Option<f64>| v.map(n).unwrap_or_else(|| "-".into());
            let mut rows: Vec<Vec<duckdb::types::Value>> = r
                .groups
                .iter()
                .map(|g| {
                    vec![
                        t(g.group.clone()),
                        t(n(g.base_share)),
                        t(n(g.target_share)),
                        t(opt(g.base_rate)),
                        t(opt(g.target_rate)),
                        t(n(g.rate_effect)),
                        t(n(g.mix_effect)),
                        t(n(g.rate_effect + g.mix_effect)),
                    ]
                })
                .collect();
            rows.push(vec![
                t("total".into()),
                t(n(1.0)),
                t(n(1.0)),
                t(n(r.base)),
                t(n(r.target)),
                t(n(r.rate_effect)),
                t(n(r.mix_effect)),
                t(n(r.change)),
            ]);
            let columns = [
                "group",
                "base share",
                "target share",
                "base rate",
                "target rate",
                "rate effect",
                "mix effect",
                "effect",
            ]
            .map(String::from)
            .to_vec();
            print_table(&mut out, &queries::QueryResult { columns, rows }, 0)
        }
    }
}

/// A CSV file of `mams analyze`, read as text: a name column first, columns found by name,
/// cells read as numbers; every refusal names the file, the row (the header is row 1) and
/// the column.
struct CsvInput {
    file: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl CsvInput {
    fn read(path: &std::path::Path) -> anyhow::Result<CsvInput> {
        if !path.exists() {
            bail!("input file {} does not exist", path.display());
        }
        let (columns, rows) = crate::store::read_csv_text(path)?;
        Ok(CsvInput {
            file: path.display().to_string(),
            columns: columns.iter().map(|c| c.trim().to_string()).collect(),
            rows,
        })
    }

    /// The column called `name`, after the name column.
    fn column(&self, name: &str) -> anyhow::Result<usize> {
        self.columns
            .iter()
            .position(|c| c == name.trim())
            .filter(|i| *i > 0)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: no column '{name}' (its columns after the unit: {})",
                    self.file,
                    self.columns[1..].join(", ")
                )
            })
    }

    /// The cells of row `r` in `cols`, as finite numbers.
    fn numbers(&self, r: usize, cols: &[usize]) -> anyhow::Result<Vec<f64>> {
        cols.iter()
            .map(|c| {
                let text = self.cell(r, *c);
                text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    anyhow::anyhow!(
                        "{}: row {}, column {}: '{text}' is not a number",
                        self.file,
                        r + 2,
                        self.columns[*c]
                    )
                })
            })
            .collect()
    }

    fn cell(&self, r: usize, c: usize) -> &str {
        self.rows[r].get(c).map(|s| s.trim()).unwrap_or("")
    }
}

pub fn ahp(input: &std::path::Path, format: InfoFormat) -> anyhow::Result<()> {
    use crate::evaluation::ahp;
    let CsvInput { columns, rows, .. } = CsvInput::read(input)?;
    let names: Vec<String> = columns.iter().skip(1).cloned().collect();
    let mut matrix = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        let name = row.first().map(|s| s.trim()).unwrap_or_default();
        if names.get(r).map(String::as_str) != Some(name) {
            bail!(
                "{}: row {} is '{name}' but column {} is '{}': rows and columns must name the items in the same order",
                input.display(),
                r + 2,
                r + 2,
                names.get(r).map(String::as_str).unwrap_or("")
            );
        }
        let mut values = Vec::with_capacity(names.len());
        for (c, cell) in row.iter().enumerate().skip(1) {
            let v = ahp::parse_judgement(cell).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: row {} ({name}), column {}: '{cell}' is not a number or a fraction",
                    input.display(),
                    r + 2,
                    columns.get(c).map(String::as_str).unwrap_or("")
                )
            })?;
            values.push(v);
        }
        matrix.push(values);
    }
    let result = ahp::weigh(&matrix).map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
    let mut out = std::io::stdout().lock();
    if format == InfoFormat::Json {
        let json = serde_json::json!({ "items": names, "ahp": result });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(());
    }
    let t = |s: String| duckdb::types::Value::Text(s);
    let table = queries::QueryResult {
        columns: vec!["item".into(), "weight".into()],
        rows: names
            .iter()
            .zip(&result.weights)
            .map(|(n, w)| vec![t(n.clone()), t(format!("{w:.6}"))])
            .collect(),
    };
    print_table(&mut out, &table, 0)?;
    writeln!(
        out,
        "lambda max {:.6}   CI {:.6}   RI {:.2}   CR {:.6}   {}",
        result.lambda_max,
        result.ci,
        result.ri,
        result.cr,
        if result.acceptable {
            "consistent (CR < 0.10)"
        } else {
            "NOT consistent (CR >= 0.10): revise the judgements"
        }
    )?;
    if let Some(j) = &result.most_inconsistent {
        writeln!(
            out,
            "most inconsistent judgement: {} against {} is {}; the other judgements imply about {}",
            names[j.row - 1],
            names[j.col - 1],
            crate::evaluation::ahp::format_judgement(j.given),
            crate::evaluation::ahp::format_judgement(j.suggested)
        )?;
    }
    Ok(())
}

/// A judgement as Saaty's scale writes it: 3, or 1/3.
pub fn weights(
    input: &std::path::Path,
    method: WeightMethod,
    lower_better: &[String],
    format: InfoFormat,
) -> anyhow::Result<()> {
    use crate::evaluation::weights::{DataMatrix, critic, entropy};
    let csv = CsvInput::read(input)?;
    if csv.columns.len() < 2 {
        bail!(
            "{}: a unit column and at least one indicator column are needed",
            input.display()
        );
    }
    let indicators: Vec<String> = csv.columns[1..].to_vec();
    if let Some(unknown) = lower_better
        .iter()
        .find(|l| !indicators.iter().any(|i| i == l.trim()))
    {
        bail!(
            "--lower-better names '{unknown}', which is not a column of {} (its indicators: {})",
            input.display(),
            indicators.join(", ")
        );
    }
    let all: Vec<usize> = (1..csv.columns.len()).collect();
    let values = (0..csv.rows.len())
        .map(|r| csv.numbers(r, &all))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let data = DataMatrix {
        values,
        lower_better: indicators
            .iter()
            .map(|i| lower_better.iter().any(|l| l.trim() == i))
            .collect(),
    };
    let result = match method {
        WeightMethod::Entropy => entropy(&data),
        WeightMethod::Critic => critic(&data),
    }
    .map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
    let mut out = std::io::stdout().lock();
    if format == InfoFormat::Json {
        let json = serde_json::json!({ "indicators": indicators, "weights": result });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(());
    }
    let t = |s: String| duckdb::types::Value::Text(s);
    let measure = match method {
        WeightMethod::Entropy => "entropy",
        WeightMethod::Critic => "information",
    };
    let table = queries::QueryResult {
        columns: vec![
            "indicator".into(),
            "direction".into(),
            measure.into(),
            "weight".into(),
        ],
        rows: indicators
            .iter()
            .enumerate()
            .map(|(j, name)| {
                vec![
                    t(name.clone()),
                    t(if data.lower_better[j] {
                        "lower better"
                    } else {
                        "higher better"
                    }
                    .into()),
                    t(format!("{:.6}", result.measure[j])),
                    t(format!("{:.6}", result.weights[j])),
                ]
            })
            .collect(),
    };
    print_table(&mut out, &table, 0)
}

/// The arguments of `mams analyze dea`.
pub struct DeaArgs<'a> {
    pub input: &'a std::path::Path,
    pub inputs: &'a [String],
    pub outputs: &'a [String],
    pub model: DeaModelArg,
    pub orientation: DeaOrientationArg,
    pub super_efficiency: bool,
    pub format: InfoFormat,
}

pub fn dea(a: DeaArgs) -> anyhow::Result<()> {
    use crate::evaluation::dea::{DeaData, Super, analyse};
    let csv = CsvInput::read(a.input)?;
    let xi: Vec<usize> = a
        .inputs
        .iter()
        .map(|n| csv.column(n))
        .collect::<anyhow::Result<_>>()?;
    let yi: Vec<usize> = a
        .outputs
        .iter()
        .map(|n| csv.column(n))
        .collect::<anyhow::Result<_>>()?;
    let mut data = DeaData {
        inputs: Vec::new(),
        outputs: Vec::new(),
    };
    for r in 0..csv.rows.len() {
        data.inputs.push(csv.numbers(r, &xi)?);
        data.outputs.push(csv.numbers(r, &yi)?);
    }
    let names: Vec<String> = (0..csv.rows.len()).map(|r| csv.cell(r, 0).to_string()).collect();
    let (model, orientation) = (a.model.model(), a.orientation.orientation());
    // Errors name units by their row in the file (the header is row 1).
    let result = analyse(&data, model, orientation, a.super_efficiency)
        .map_err(|e| anyhow::anyhow!("{}: {} (unit 1 is row 2 of the file)", a.input.display(), e))?;
    for w in &result.warnings {
        eprintln!("warning: {w}");
    }
    let mut out = std::io::stdout().lock();
    if a.format == InfoFormat::Json {
        let json = serde_json::json!({
            "units": names,
            "inputs": a.inputs,
            "outputs": a.outputs,
            "result": result,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(());
    }
    let t = |s: String| duckdb::types::Value::Text(s);
    let mut header = vec!["unit".to_string(), "score".into(), "efficient".into()];
    if a.super_efficiency {
        header.push("super".into());
    }
    header.push("peers (lambda)".into());
    header.extend(a.inputs.iter().map(|i| format!("{i} target")));
    header.extend(a.outputs.iter().map(|o| format!("{o} target")));
    let table = queries::QueryResult {
        columns: header,
        rows: result
            .units
            .iter()
            .zip(&names)
            .map(|(u, name)| {
                let mut row = vec![
                    t(name.clone()),
                    t(format!("{:.6}", u.score)),
                    t(if u.efficient { "yes" } else { "no" }.into()),
                ];
                if a.super_efficiency {
                    row.push(t(match &u.super_efficiency {
                        Some(Super::Score(v)) => format!("{v:.6}"),
                        Some(Super::Infeasible) => "infeasible".into(),
                        None => String::new(),
                    }));
                }
                // Lambdas that print as 0.000 are left out of the table (the JSON has all).
                row.push(t(u
                    .peers
                    .iter()
                    .filter(|(_, l)| *l >= 0.0005)
                    .map(|(j, l)| format!("{} ({l:.3})", names[*j]))
                    .collect::<Vec<_>>()
                    .join(", ")));
                row.extend(
                    u.input_targets
                        .iter()
                        .chain(&u.output_targets)
                        .map(|v| t(format!("{v:.4}"))),
                );
                row
            })
            .collect(),
    };
    print_table(&mut out, &table, 0)
}

/// The arguments of `mams analyze malmquist`.
pub struct MalmquistArgs<'a> {
    pub input: &'a std::path::Path,
    pub base: &'a str,
    pub target: &'a str,
    pub inputs: &'a [String],
    pub outputs: &'a [String],
    pub format: InfoFormat,
}

pub fn malmquist(a: MalmquistArgs) -> anyhow::Result<()> {
    use crate::evaluation::dea::{DeaData, malmquist};
    let csv = CsvInput::read(a.input)?;
    let file = &csv.file;
    let period = csv.column("period")?;
    let xi: Vec<usize> = a
        .inputs
        .iter()
        .map(|n| csv.column(n))
        .collect::<anyhow::Result<_>>()?;
    let yi: Vec<usize> = a
        .outputs
        .iter()
        .map(|n| csv.column(n))
        .collect::<anyhow::Result<_>>()?;
    let unit = |r: usize| csv.cell(r, 0).to_string();
    let of_period = |p: &str| -> Vec<usize> {
        (0..csv.rows.len())
            .filter(|r| csv.cell(*r, period) == p)
            .collect()
    };
    let (base_rows, target_rows) = (of_period(a.base), of_period(a.target));
    if base_rows.is_empty() || target_rows.is_empty() {
        bail!(
            "{file}: no rows of period '{}'",
            if base_rows.is_empty() { a.base } else { a.target }
        );
    }
    let names: Vec<String> = base_rows.iter().map(|r| unit(*r)).collect();
    let mut base = DeaData {
        inputs: Vec::new(),
        outputs: Vec::new(),
    };
    let mut target = DeaData {
        inputs: Vec::new(),
        outputs: Vec::new(),
    };
    for (name, r) in names.iter().zip(&base_rows) {
        let Some(t) = target_rows.iter().find(|t| unit(**t) == *name) else {
            bail!(
                "{file}: unit '{name}' has a row for {} but none for {}",
                a.base,
                a.target
            );
        };
        for (d, row) in [(&mut base, *r), (&mut target, *t)] {
            d.inputs.push(csv.numbers(row, &xi)?);
            d.outputs.push(csv.numbers(row, &yi)?);
        }
    }
    if let Some(extra) = target_rows.iter().map(|t| unit(*t)).find(|n| !names.contains(n)) {
        bail!(
            "{file}: unit '{extra}' has a row for {} but none for {}",
            a.target,
            a.base
        );
    }
    let result = malmquist(&base, &target).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let mut out = std::io::stdout().lock();
    if a.format == InfoFormat::Json {
        let json =
            serde_json::json!({ "units": names, "base": a.base, "target": a.target, "malmquist": result });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(());
    }
    let t = |s: String| duckdb::types::Value::Text(s);
    let table = queries::QueryResult {
        columns: ["unit", "malmquist", "efficiency change", "technical change"]
            .map(String::from)
            .to_vec(),
        rows: names
            .iter()
            .zip(&result)
            .map(|(n, m)| {
                vec![
                    t(n.clone()),
                    t(format!("{:.6}", m.index)),
                    t(format!("{:.6}", m.efficiency_change)),
                    t(format!("{:.6}", m.technical_change)),
                ]
            })
            .collect(),
    };
    print_table(&mut out, &table, 0)
}
