//! Numbers as the cards, tables and the CLI print them: thousands separators, the
//! indicator's decimals, "no data" for a missing value.

use super::indicators::Indicator;

/// `v` with `decimals` places and thousands separators: 1234567.891 -> "1,234,567.89".
/// A count with thousands separators: 1234567 -> "1,234,567".
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

pub fn number(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    // -0.00 prints as 0.00.
    let negative = v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!(
        "{}{grouped}{}",
        if negative { "-" } else { "" },
        frac.map(|f| format!(".{f}")).unwrap_or_default()
    )
}

/// A value of `ind`, or None's text.
pub fn value(ind: &Indicator, v: Option<f64>, no_data: &str) -> String {
    v.map(|v| number(v, ind.decimals))
        .unwrap_or_else(|| no_data.to_string())
}

/// Change of `v` against `base`: percentage points for indicators in %, else relative %.
/// None when either is missing (or the base is zero for a relative change).
pub fn change(ind: &Indicator, v: Option<f64>, base: Option<f64>) -> Option<String> {
    let (v, b) = (v?, base?);
    if ind.unit_en == "%" {
        Some(format!("{:+.2} pp", v - b))
    } else if b != 0.0 {
        Some(format!("{:+.1}%", (v - b) / b.abs() * 100.0))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_group_their_thousands() {
        assert_eq!(group_digits(1234567), "1,234,567");
        assert_eq!(group_digits(12), "12");
        assert_eq!(group_digits(0), "0");
    }

    #[test]
    fn numbers_have_thousands_separators_and_fixed_decimals() {
        assert_eq!(number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(number(999.5, 0), "1,000");
        assert_eq!(number(-1234.0, 0), "-1,234");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(12.0, 0), "12");
        assert_eq!(number(0.56534, 4), "0.5653");
    }
}
