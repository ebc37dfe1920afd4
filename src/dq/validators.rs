//! Validators of identity values that a pattern alone does not check: the 18-digit resident
//! ID number (GB 11643-1999: a date of birth and an ISO 7064 MOD 11-2 check character), the
//! unified social credit code (GB 32100-2015: its character set and MOD 31 check
//! character), mobile and fixed phone numbers and postal codes of mainland China. Each says
//! why a value fails, for the worklist.

use chrono::{Datelike, NaiveDate};

/// Why a value is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    Length { expected: usize, found: usize },
    Character { position: usize, found: char },
    BirthDate(String),
    CheckCharacter { expected: char, found: char },
    Pattern,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Length { expected, found } => write!(f, "{found} characters, not {expected}"),
            Invalid::Character { position, found } => {
                write!(f, "'{found}' at position {position} is not allowed")
            }
            Invalid::BirthDate(d) => write!(f, "the date of birth {d} does not exist"),
            Invalid::CheckCharacter { expected, found } => {
                write!(f, "the check character is {found}, it should be {expected}")
            }
            Invalid::Pattern => write!(f, "not in the form expected"),
        }
    }
}

/// GB 11643-1999: 6 digits of the place, 8 of the date of birth (YYYYMMDD), 3 of the order
/// and a check character (ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, the check from
/// "10X98765432"). A lower-case x is accepted as X.
pub fn resident_id(s: &str) -> Result<(), Invalid> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() != 18 {
        return Err(Invalid::Length {
            expected: 18,
            found: chars.len(),
        });
    }
    let mut sum = 0;
    for (i, c) in chars[..17].iter().enumerate() {
        let d = c.to_digit(10).ok_or(Invalid::Character {
            position: i + 1,
            found: *c,
        })?;
        sum += d * WEIGHTS[i];
    }
    let last = chars[17].to_ascii_uppercase();
    if !(last.is_ascii_digit() || last == 'X') {
        return Err(Invalid::Character {
            position: 18,
            found: chars[17],
        });
    }
    let birth: String = chars[6..14].iter().collect();
    let date = NaiveDate::parse_from_str(&birth, "%Y%m%d").map_err(|_| Invalid::BirthDate(birth.clone()))?;
    if date.year_ce().1 < 1900 {
        return Err(Invalid::BirthDate(birth));
    }
    let expected = CHECK[(sum % 11) as usize] as char;
    if last != expected {
        return Err(Invalid::CheckCharacter {
            expected,
            found: chars[17],
        });
    }
    Ok(())
}

/// GB 32100-2015: 18 characters of "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O, S, V, Z),
/// the last a check character: 31 - (Σ value × weight mod 31), with 31 written 0.
pub fn social_credit_code(s: &str) -> Result<(), Invalid> {
    const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() != 18 {
        return Err(Invalid::Length {
            expected: 18,
            found: chars.len(),
        });
    }
    let mut sum = 0;
    for (i, c) in chars.iter().enumerate() {
        let v = CHARSET.find(*c).ok_or(Invalid::Character {
            position: i + 1,
            found: *c,
        })?;
        if i < 17 {
            sum += v * WEIGHTS[i];
        }
    }
    let r = (31 - sum % 31) % 31;
    let expected = CHARSET.as_bytes()[r] as char;
    if chars[17] != expected {
        return Err(Invalid::CheckCharacter {
            expected,
            found: chars[17],
        });
    }
    Ok(())
}

/// A mainland mobile number: 11 digits starting 13 to 19 (a +86 or 0086 prefix, spaces and
/// hyphens allowed).
pub fn mobile_phone(s: &str) -> Result<(), Invalid> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits
        .strip_prefix("+86")
        .or_else(|| digits.strip_prefix("0086"))
        .unwrap_or(&digits);
    let ok = digits.len() == 11
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9');
    if ok { Ok(()) } else { Err(Invalid::Pattern) }
}

/// A fixed line: an area code of 3 or 4 digits starting 0 (010, 0571), then 7 or 8 digits,
/// an optional extension after '-' or 'ext'; or a service number such as 95598.
pub fn fixed_phone(s: &str) -> Result<(), Invalid> {
    let t = s.trim();
    if t.len() == 5 && t.starts_with("95") && t.chars().all(|c| c.is_ascii_digit()) {
        return Ok(());
    }
    let main = t.split('#').next().unwrap_or(t);
    let main = main.split("ext").next().unwrap_or(main).trim();
    let parts: Vec<&str> = main.split(['-', ' ']).filter(|p| !p.is_empty()).collect();
    let (area, number) = match parts.as_slice() {
        [area, number] | [area, number, _] => (area.to_string(), number.to_string()),
        [all] if all.starts_with('0') && (10..=12).contains(&all.len()) => {
            // Without a separator: 010 and 02x have 3-digit area codes, others 4.
            let n = if all.starts_with("01") || all.starts_with("02") {
                3
            } else {
                4
            };
            (all[..n].to_string(), all[n..].to_string())
        }
        _ => return Err(Invalid::Pattern),
    };
    let digits = |x: &str| x.chars().all(|c| c.is_ascii_digit());
    let ok = digits(&area)
        && digits(&number)
        && area.starts_with('0')
        && (3..=4).contains(&area.len())
        && (7..=8).contains(&number.len())
        && !number.starts_with('0');
    if ok { Ok(()) } else { Err(Invalid::Pattern) }
}

/// A postal code: six digits, the first 0 to 8 (no area uses 9).
pub fn postal_code(s: &str) -> Result<(), Invalid> {
    let t = s.trim();
    let ok = t.len() == 6 && t.chars().all(|c| c.is_ascii_digit()) && !t.starts_with('9');
    if ok { Ok(()) } else { Err(Invalid::Pattern) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_numbers_by_the_standards_example_and_by_hand() {
        // The example of GB 11643-1999 itself.
        assert_eq!(resident_id("11010519491231002X"), Ok(()));
        assert_eq!(resident_id("11010519491231002x"), Ok(()));
        // By hand: 1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 1·4 + 1·2 + 9·1 + 9·6 + 0·3 + 0·7 + 3·9
        // + 0·10 + 7·5 + 1·8 + 2·4 + 3·2 = 174; 174 mod 11 = 9; "10X98765432"[9] = '3'.
        assert_eq!(resident_id("110101199003071233"), Ok(()));
        assert_eq!(
            resident_id("110101199003071234"),
            Err(Invalid::CheckCharacter {
                expected: '3',
                found: '4'
            })
        );
        assert_eq!(
            resident_id("110101199002301234"),
            Err(Invalid::BirthDate("19900230".into()))
        );
        assert_eq!(
            resident_id("11010119900307123"),
            Err(Invalid::Length {
                expected: 18,
                found: 17
            })
        );
        assert_eq!(
            resident_id("11010119900A071234"),
            Err(Invalid::Character {
                position: 12,
                found: 'A'
            })
        );
    }

    #[test]
    fn social_credit_codes_check_their_last_character() {
        // Published codes of registered companies (GB 32100-2015).
        assert_eq!(social_credit_code("91350100M000100Y43"), Ok(()));
        assert_eq!(social_credit_code("91110000600037341L"), Ok(()));
        assert_eq!(
            social_credit_code("91350100M000100Y44"),
            Err(Invalid::CheckCharacter {
                expected: '3',
                found: '4'
            })
        );
        // I, O, S, V and Z are not in the character set.
        assert_eq!(
            social_credit_code("91350100M0001I0Y43"),
            Err(Invalid::Character {
                position: 14,
                found: 'I'
            })
        );
    }

    #[test]
    fn phones_and_postal_codes() {
        for ok in ["13812348000", "+86 138 1234 8000", "0086-19912345678"] {
            assert_eq!(mobile_phone(ok), Ok(()), "{ok}");
        }
        for bad in ["12812348000", "1381234800", "1381234800a"] {
            assert!(mobile_phone(bad).is_err(), "{bad}");
        }
        for ok in [
            "0571-87654321",
            "010-6512345",
            "02887654321",
            "95598",
            "0571 87654321 ext 12",
        ] {
            assert_eq!(fixed_phone(ok), Ok(()), "{ok}");
        }
        for bad in ["87654321", "571-87654321", "0571-07654321", "0571-123"] {
            assert!(fixed_phone(bad).is_err(), "{bad}");
        }
        assert_eq!(postal_code("310012"), Ok(()));
        assert!(postal_code("910012").is_err() && postal_code("31001").is_err());
    }
}
