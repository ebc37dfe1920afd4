//! Personal data masked for showing and sending: partial masks that keep a value
//! recognisable to whoever knows it and useless to whoever does not ("张**", "138****8000",
//! "110***********1234"), never a blur. One policy for every path by which rows leave MAMS
//! (saves, copies, the command line's output, bulletins, presenting): masked unless the user
//! chose [`Disclosure::Full`], which the project's access log records (`store::access_log`).
//! The data model says which columns are personal (`model::Column::personal`).

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

impl Personal {
    pub const ALL: [Personal; 5] = [
        Personal::Name,
        Personal::Account,
        Personal::IdNumber,
        Personal::Phone,
        Personal::Address,
    ];

    /// The kind's name in the data model's documentation and in SQL (`mams_mask`).
    pub fn id(self) -> &'static str {
        match self {
            Personal::Name => "name",
            Personal::Account => "account",
            Personal::IdNumber => "id_number",
            Personal::Phone => "phone",
            Personal::Address => "address",
        }
    }

    pub fn from_id(id: &str) -> Option<Personal> {
        Personal::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// Whether personal data leaves MAMS masked or as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Disclosure {
    /// Masked: the default, on every path.
    #[default]
    Masked,
    /// As stored, after the user's explicit choice; every such export is recorded in the
    /// project's access log.
    Full,
}

impl Disclosure {
    /// The choice a command line's `--unmasked` flag makes.
    pub fn unmasked(flag: bool) -> Disclosure {
        if flag {
            Disclosure::Full
        } else {
            Disclosure::Masked
        }
    }
}

/// The kind of personal data a column of the data model holds.
pub fn model_column(table: &str, column: &str) -> Option<Personal> {
    crate::model::table(table)?.column(column)?.personal
}

/// The kind of personal data a column of a result holds, known by its name alone (the output
/// of a query, a table's header, the evidence of a case): a personal column's name in the
/// data model or one of its usual Chinese headers, with or without a `customer_` prefix.
/// A result column that renames a personal value to something else is not recognised; the
/// paths that know their table use [`model_column`] instead.
pub fn column_kind(name: &str) -> Option<Personal> {
    let n = name.trim().to_lowercase();
    let n = n.strip_prefix("customer_").unwrap_or(&n);
    crate::model::TABLES
        .iter()
        .flat_map(|t| t.columns.iter())
        .filter_map(|c| c.personal.map(|k| (c, k)))
        .find(|(c, _)| c.name == n || c.zh_headers.contains(&n))
        .map(|(_, k)| k)
}

/// The kinds of a result's columns, by their names.
pub fn column_kinds(columns: &[String]) -> Vec<Option<Personal>> {
    columns.iter().map(|c| column_kind(c)).collect()
}

/// Masks the personal columns of text rows in place (nothing when `disclosure` is full).
/// Returns the names of the personal columns, for the access log.
pub fn apply(
    columns: &[String],
    kinds: &[Option<Personal>],
    rows: &mut [Vec<String>],
    disclosure: Disclosure,
) -> Vec<String> {
    let personal: Vec<String> = columns
        .iter()
        .zip(kinds)
        .filter(|(_, k)| k.is_some())
        .map(|(c, _)| c.clone())
        .collect();
    if disclosure == Disclosure::Full {
        return personal;
    }
    for row in rows.iter_mut() {
        for (cell, kind) in row.iter_mut().zip(kinds) {
            if let Some(kind) = kind {
                *cell = mask(cell, *kind);
            }
        }
    }
    personal
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

/// Masks the text values of a JSON object whose keys name personal data (a suspect's
/// evidence, a case's features): returns the personal keys found.
pub fn mask_object(
    object: &mut serde_json::Map<String, serde_json::Value>,
    disclosure: Disclosure,
) -> Vec<String> {
    let mut found = Vec::new();
    for (k, v) in object.iter_mut() {
        let Some(kind) = column_kind(k) else { continue };
        found.push(k.clone());
        if disclosure == Disclosure::Masked
            && let Some(s) = v.as_str()
        {
            *v = serde_json::Value::String(mask(s, kind));
        }
    }
    found
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

    #[test]
    fn columns_are_known_by_their_model_name_or_chinese_header() {
        assert_eq!(column_kind("name"), Some(Personal::Name));
        assert_eq!(column_kind("customer_name"), Some(Personal::Name));
        assert_eq!(column_kind("户名"), Some(Personal::Name));
        assert_eq!(column_kind("ID_NUMBER"), Some(Personal::IdNumber));
        assert_eq!(column_kind("身份证号"), Some(Personal::IdNumber));
        assert_eq!(column_kind("联系电话"), Some(Personal::Phone));
        assert_eq!(column_kind("bank_account"), Some(Personal::Account));
        assert_eq!(column_kind("联系人"), Some(Personal::Name));
        // Not personal: the unit's name, the customer number, an amount.
        assert_eq!(column_kind("name_zh"), None);
        assert_eq!(column_kind("customer_id"), None);
        assert_eq!(column_kind("amount"), None);
        assert_eq!(model_column("customers", "address"), Some(Personal::Address));
        assert_eq!(model_column("org_units", "name_zh"), None);
    }

    #[test]
    fn evidence_objects_mask_their_personal_keys_only() {
        let mut o = serde_json::json!({"name": "李四", "kwh": 12.5, "shared": "phone"});
        let found = mask_object(o.as_object_mut().unwrap(), Disclosure::Masked);
        assert_eq!(found, ["name"]);
        assert_eq!(
            o,
            serde_json::json!({"name": "李*", "kwh": 12.5, "shared": "phone"})
        );
    }

    #[test]
    fn rows_are_masked_unless_full_disclosure_was_chosen() {
        let columns = vec!["customer_id".to_string(), "户名".to_string(), "phone".to_string()];
        let kinds = column_kinds(&columns);
        let row = vec![
            "C001".to_string(),
            "张三丰".to_string(),
            "13812348000".to_string(),
        ];
        let mut rows = vec![row.clone()];
        let personal = apply(&columns, &kinds, &mut rows, Disclosure::Masked);
        assert_eq!(rows[0], ["C001", "张**", "138****8000"]);
        assert_eq!(personal, ["户名", "phone"]);
        let mut rows = vec![row.clone()];
        apply(&columns, &kinds, &mut rows, Disclosure::Full);
        assert_eq!(rows[0], row);
    }
}
