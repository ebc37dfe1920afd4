//! Writing a table as shown (a header and rows of text) to a file a spreadsheet opens:
//! an Excel workbook for .xlsx, else CSV in UTF-8 with a BOM (so Excel reads Chinese right).
//! In a workbook, cells that are numbers as printed ("1,234.5", "98.2 %") are stored as
//! numbers, so they can be summed.

use std::path::Path;

/// The number a printed cell shows, if it is one: thousands separators, a trailing percent
/// sign or unit word removed.
pub fn number_of(cell: &str) -> Option<f64> {
    let t = cell.trim();
    let head = t.split_whitespace().next()?;
    let head = head.trim_end_matches('%').replace(',', "");
    let v: f64 = head.parse().ok()?;
    // "12 kWh" is a number; "12 months ago" or "3 - 5" is not.
    let rest: Vec<&str> = t.split_whitespace().skip(1).collect();
    (v.is_finite()
        && rest.len() <= 1
        && rest
            .iter()
            .all(|w| w.chars().all(|c| !c.is_ascii_digit() && c != '-')))
    .then_some(v)
}

/// A value as text that a spreadsheet will not run: a cell starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return gets a leading `'` (OWASP, "CSV Injection"), unless it is a
/// plain number ("-12.5" stays a negative number).
pub fn formula_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // A plain number as printed: "-1,234.5", "-3.2 %".
    let number = s
        .trim()
        .trim_end_matches('%')
        .trim()
        .replace(',', "")
        .parse::<f64>()
        .is_ok_and(f64::is_finite);
    if risky && !number {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A field of a CSV file a person will open: made formula-safe, then quoted as a CSV field
/// (always quoted when it was neutralised, as OWASP recommends).
pub fn export_field(s: &str) -> String {
    match formula_safe(s) {
        std::borrow::Cow::Owned(safe) => format!("\"{}\"", safe.replace('"', "\"\"")),
        std::borrow::Cow::Borrowed(plain) => csv_field(plain),
    }
}

/// A CSV field, quoted when it holds a separator, a quote or a line break (for files MAMS
/// reads itself; files people open use `export_field`).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn write(path: &Path, header: &[String], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let sheet = wb.add_worksheet();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        for (c, h) in header.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, h, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match number_of(cell) {
                    Some(v) => sheet.write_number(r, c, v)?,
                    None => sheet.write_string(r, c, cell)?,
                };
            }
        }
        sheet.autofit();
        return wb
            .save(path)
            .map_err(|e| crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e));
    }
    let mut text = String::from("\u{feff}");
    for line in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        text.push_str(&line.iter().map(|c| export_field(c)).collect::<Vec<_>>().join(","));
        text.push_str("\r\n");
    }
    std::fs::write(path, text)
        .map_err(|e| crate::said!("cannot write {}: {:#}", "无法写入 {}：{:#}", path.display(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_stay_text_and_negative_numbers_stay_numbers() {
        // The payloads of OWASP's "CSV Injection" page, and what the issue saw in a rejects file.
        for payload in [
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "+1+1",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3",
            "=1+1",
            "\t=1+1",
            "\r=1+1",
        ] {
            let f = export_field(payload);
            assert!(f.starts_with("\"'"), "{payload:?} -> {f:?}");
        }
        assert_eq!(export_field("-12.5"), "-12.5");
        assert_eq!(export_field("-1,234.5"), "\"-1,234.5\"");
        assert_eq!(export_field("-3.2 %"), "-3.2 %");
        assert_eq!(export_field("+3"), "+3");
        assert_eq!(export_field("张三"), "张三");
        assert_eq!(export_field("a=b"), "a=b");
        // The file MAMS itself reads keeps values as they are.
        assert_eq!(csv_field("=1+1"), "=1+1");
    }

    #[test]
    fn a_workbook_keeps_a_formula_as_a_string_cell() {
        let dir = std::env::temp_dir().join(format!("mams-formula-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.xlsx");
        let rows = vec![vec![
            "=HYPERLINK(\"http://evil.example\")".to_string(),
            "-3".to_string(),
        ]];
        write(&path, &["name".into(), "n".into()], &rows).unwrap();
        // The sheet's XML: the text is a shared string, the number a number, no formula.
        let file = std::fs::File::open(&path).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet)
            .unwrap();
        assert!(!sheet.contains("<f>"), "{sheet}");
        assert!(sheet.contains("<v>-3</v>"), "{sheet}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn printed_numbers_are_read_back_and_words_are_not() {
        assert_eq!(number_of("1,234.5"), Some(1234.5));
        assert_eq!(number_of("98.2 %"), Some(98.2));
        assert_eq!(number_of("98.2%"), Some(98.2));
        assert_eq!(number_of("-3"), Some(-3.0));
        assert_eq!(number_of("12 kWh"), Some(12.0));
        assert_eq!(number_of("C01"), None);
        assert_eq!(number_of("2025-06"), None);
        assert_eq!(number_of("3 - 5"), None);
        assert_eq!(number_of(""), None);
        assert_eq!(number_of("no data"), None);
    }

    #[test]
    fn a_table_writes_as_csv_with_a_bom_and_as_a_workbook() {
        let dir = std::env::temp_dir().join(format!("mams-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let header = vec!["单位".to_string(), "value".to_string()];
        let rows = vec![vec!["兴峰, 北".to_string(), "1,234.5".to_string()]];
        let csv = dir.join("t.csv");
        write(&csv, &header, &rows).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        assert_eq!(text, "\u{feff}单位,value\r\n\"兴峰, 北\",\"1,234.5\"\r\n");
        let xlsx = dir.join("t.xlsx");
        write(&xlsx, &header, &rows).unwrap();
        use calamine::{Reader, open_workbook_auto};
        let mut wb = open_workbook_auto(&xlsx).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.get((1, 0)).unwrap().to_string(), "兴峰, 北");
        assert_eq!(range.get((1, 1)).unwrap(), &calamine::Data::Float(1234.5));
    }
}
