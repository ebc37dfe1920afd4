//! External peer figures for benchmarking (other provinces or companies, published
//! indicators): a CSV or Excel sheet of peer, period, indicator, value, checked row by row
//! and stored all or nothing (`mams benchmark import`, docs/evaluation.md).

use std::path::Path;

use crate::metrics::period::Period;
use crate::store::Project;
use crate::store::evaluations::{PeerFigure, import_peer_figures};

/// The columns, each with the Chinese headers accepted for it.
const COLUMNS: [(&str, &[&str]); 4] = [
    ("peer", &["对标单位", "单位"]),
    ("period", &["期间", "统计期间"]),
    ("indicator", &["指标", "指标编码"]),
    ("value", &["数值", "指标值"]),
];

/// Reads and checks a file of peer figures; every problem is listed with its row.
pub fn read(path: &Path) -> anyhow::Result<Vec<PeerFigure>> {
    if !path.exists() {
        crate::bail_say!("{} does not exist", "{} 不存在", path.display());
    }
    let excel = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xlsm", "xls", "xlsb", "ods"].contains(&e.to_ascii_lowercase().as_str()));
    let (header, rows) = if excel {
        super::excel::first_sheet_text(path)?
    } else {
        crate::store::read_csv_text(path)?
    };
    let file = path.display().to_string();
    let mut at = [0usize; 4];
    for (k, (name, zh)) in COLUMNS.iter().enumerate() {
        match header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name) || zh.contains(&h.trim()))
        {
            Some(i) => at[k] = i,
            None => crate::bail_say!(
                "{file}: no column '{name}' (the file needs peer, period, indicator and value; it has {})",
                "{file}：没有“{name}”列（文件需要 peer、period、indicator、value 四列；现有 {}）",
                header.join(", ")
            ),
        }
    }
    let mut known = crate::metrics::evaluate::known_indicators();
    known.extend(crate::evaluation::system::COMPLIANCE);
    let mut figures = Vec::new();
    let mut problems = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row = i + 2;
        let cell = |k: usize| r.get(at[k]).map(|s| s.trim()).unwrap_or_default();
        let (peer, period, indicator, value) = (cell(0), cell(1), cell(2), cell(3));
        if peer.is_empty() {
            problems.push(format!("row {row}: the peer is empty"));
        }
        let period = match Period::parse(period) {
            Ok(p) => Some(p.label()),
            Err(e) => {
                problems.push(format!("row {row}, period: {e}"));
                None
            }
        };
        if !known.contains(&indicator) {
            problems.push(format!(
                "row {row}, indicator: '{indicator}' is not an indicator MAMS computes"
            ));
        }
        let number = crate::table_file::number_of(value).filter(|_| !value.is_empty());
        if number.is_none() {
            problems.push(format!("row {row}, value: '{value}' is not a number"));
        }
        if let (Some(period), Some(value)) = (period, number) {
            figures.push(PeerFigure {
                peer: peer.to_string(),
                period,
                indicator: indicator.to_string(),
                value,
                source: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            });
        }
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.truncate(20);
        crate::bail_say!(
            "{file}: {n} problems, nothing imported: {}",
            "{file}：{n} 处问题，未导入任何数据：{}",
            problems.join("; ")
        );
    }
    if figures.is_empty() {
        crate::bail_say!("{file}: no figures", "{file}：没有数据");
    }
    Ok(figures)
}

/// Reads `path` and stores its figures (replacing those of the same peer, period and
/// indicator); returns how many.
pub fn import(project: &Project, path: &Path) -> anyhow::Result<usize> {
    let figures = read(path)?;
    import_peer_figures(project, &figures)
}
