//! Excel workbooks (.xlsx, .xlsm, .xls, .xlsb, .ods) through `calamine`: one sheet is
//! written out as a UTF-8 CSV copy, which then takes the same path as any text file.
//! Dates stored as Excel serial numbers come out as ISO dates.

use std::io::Write;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};

use crate::progress::Progress;
use crate::table_file::csv_field;

/// The sheet names of a workbook, in order.
pub fn sheet_names(path: &Path) -> anyhow::Result<Vec<String>> {
    let wb = open(path)?;
    Ok(wb.sheet_names())
}

fn open(path: &Path) -> anyhow::Result<calamine::Sheets<std::io::BufReader<std::fs::File>>> {
    open_workbook_auto(path).map_err(|e| {
        crate::said!(
            "{}: cannot open the workbook ({e}). It may be damaged or protected with a password; \
             open it in Excel, remove the password and save it again",
            "{}：无法打开工作簿（{e}）。它可能已损坏或设有密码；请在 Excel 中打开，去掉密码后重新保存",
            path.display()
        )
    })
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// The first sheet with data of a workbook, as text: header row and rows.
pub fn first_sheet_text(path: &Path) -> anyhow::Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut wb = open(path)?;
    for name in wb.sheet_names() {
        let Ok(range) = wb.worksheet_range(&name) else {
            continue;
        };
        let mut rows = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect::<Vec<String>>());
        if let Some(header) = rows.next() {
            return Ok((header, rows.collect()));
        }
    }
    crate::bail_say!(
        "{}: every sheet is empty",
        "{}：所有工作表都是空的",
        path.display()
    )
}

/// Writes one sheet (the named one, or the first with data) as a UTF-8 CSV in
/// `scratch_dir`; returns its path and the sheet's name.
pub fn sheet_to_csv(
    path: &Path,
    sheet: Option<&str>,
    scratch_dir: &Path,
    progress: &Progress,
) -> anyhow::Result<(PathBuf, String)> {
    let mut wb = open(path)?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                crate::bail_say!(
                    "{}: no sheet called '{s}' (sheets: {})",
                    "{}：没有名为“{s}”的工作表（工作表：{}）",
                    path.display(),
                    names.join(", ")
                );
            }
            s.to_string()
        }
        None => {
            let mut chosen = None;
            for n in &names {
                if wb.worksheet_range(n).map(|r| !r.is_empty()).unwrap_or(false) {
                    chosen = Some(n.clone());
                    break;
                }
            }
            chosen.ok_or_else(|| {
                crate::said!(
                    "{}: every sheet is empty",
                    "{}：所有工作表都是空的",
                    path.display()
                )
            })?
        }
    };
    progress.set(
        None,
        crate::say!(
            "reading sheet {} of {}",
            "正在读取 {1} 的工作表 {0}",
            name,
            crate::import::source::file_name(path)
        ),
    );
    let range = wb.worksheet_range(&name).map_err(|e| {
        crate::said!(
            "{}: cannot read sheet '{name}' ({e})",
            "{}：无法读取工作表“{name}”（{e}）",
            path.display()
        )
    })?;
    if range.is_empty() {
        crate::bail_say!(
            "{}: sheet '{name}' is empty",
            "{}：工作表“{name}”是空的",
            path.display()
        );
    }
    let out_path = crate::store::scratch::new_file(scratch_dir, "import", "csv");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&out_path).map_err(|e| {
        crate::said!(
            "cannot write {}: {:#}",
            "无法写入 {}：{:#}",
            out_path.display(),
            e
        )
    })?);
    let write = (|| -> std::io::Result<()> {
        for row in range.rows() {
            let line: Vec<String> = row.iter().map(|c| csv_field(&cell_text(c))).collect();
            out.write_all(line.join(",").as_bytes())?;
            out.write_all(b"\n")?;
        }
        out.flush()
    })();
    if let Err(e) = write {
        let _ = std::fs::remove_file(&out_path);
        return Err(e).map_err(|e| {
            crate::said!(
                "cannot write {}: {:#}",
                "无法写入 {}：{:#}",
                out_path.display(),
                e
            )
        });
    }
    Ok((out_path, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_print_as_the_csv_path_reads_them() {
        assert_eq!(cell_text(&Data::Float(12.0)), "12");
        assert_eq!(cell_text(&Data::Float(12.5)), "12.5");
        assert_eq!(cell_text(&Data::String("户号".into())), "户号");
        assert_eq!(cell_text(&Data::Empty), "");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    #[test]
    fn damaged_workbooks_get_a_message_that_says_what_to_do() {
        let dir = std::env::temp_dir().join(format!("mams-excel-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("broken.xlsx");
        std::fs::write(&p, b"PK\x03\x04 this is not a real zip").unwrap();
        let err = sheet_to_csv(&p, None, &dir, &Progress::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("broken.xlsx") && err.contains("password"), "{err}");
    }
}
