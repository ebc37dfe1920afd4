//! Personal data masked for showing and sending: partial masks that keep a value
//! recognisable to whoever knows it and useless to whoever does not ("张**", "138****8000",
//! "110***********1234"), never a blur. Used when presenting and in what is exported while
//! presenting (docs/presenter.md).

use serde::{Deserialize, Serialize};

/// What kind of personal data a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Personal {
    /// A customer's or a contact's name.
    Name,
    /// A customer number or a bank account.
    Account,
    /// A resident ID number.
    IdNumber,
    Phone,
    Address,
}

fn stars(n: usize) -> String {
    "*".repeat(n)
}

/// Keeps the first `head` and the last `tail` characters.
fn keep(s: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= head + tail {
        // Too short to keep both ends: keep the first character at most.
        return match chars.first() {
            Some(c) if chars.len() > 1 => format!("{c}{}", stars(chars.len() - 1)),
            _ => stars(chars.len()),
        };
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&stars(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// The value masked as its kind asks.
pub fn mask(value: &str, kind: Personal) -> String {
    let v = value.trim();
    if v.is_empty() {
        return String::new();
    }
    match kind {
        // 张三 → 张*, 张三丰 → 张**; a longer name (a company) keeps its last character too:
        // 嘉城水泥有限公司 → 嘉******司; Latin names keep their initials: John Smith → J*** S****.
        Personal::Name => {
            if v.is_ascii() {
                v.split(' ').map(|w| keep(w, 1, 0)).collect::<Vec<_>>().join(" ")
            } else if v.chars().count() <= 3 {
                keep(v, 1, 0)
            } else {
                keep(v, 1, 1)
            }
        }
        // 13812348000 → 138****8000; a fixed line keeps its last four.
        Personal::Phone => {
            let digits = v.chars().filter(char::is_ascii_digit).count();
            if digits == 11 && v.starts_with('1') {
                keep(v, 3, 4)
            } else {
                keep(v, 0, 4)
            }
        }
        Personal::IdNumber => keep(v, 3, 4),
        Personal::Account => keep(v, 0, 4),
        // The first six characters (province, city) and nothing of the street.
        Personal::Address => {
            let head: String = v.chars().take(6).collect();
            format!("{head}{}", stars(4))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_ends_the_issue_asks_for() {
        // Written by hand from the issue's examples and the usual practice.
        assert_eq!(mask("张三", Personal::Name), "张*");
        assert_eq!(mask("张三丰", Personal::Name), "张**");
        assert_eq!(mask("嘉城水泥有限公司", Personal::Name), "嘉******司");
        assert_eq!(mask("John Smith", Personal::Name), "J*** S****");
        assert_eq!(mask("13812348000", Personal::Phone), "138****8000");
        assert_eq!(mask("0571-87654321", Personal::Phone), "*********4321");
        assert_eq!(
            mask("110101199003071234", Personal::IdNumber),
            "110***********1234"
        );
        assert_eq!(mask("C0012345678", Personal::Account), "*******5678");
        assert_eq!(
            mask("浙江省杭州市西湖区文三路 90 号", Personal::Address),
            "浙江省杭州市****"
        );
        assert_eq!(mask("K1", Personal::Account), "K*");
        assert_eq!(mask("", Personal::Name), "");
    }
}
