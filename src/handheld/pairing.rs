//! One-time pairing codes. The workstation shows a code (in a QR code with its address); a
//! phone that sends it within five minutes is paired, once. One code is valid at a time.
//!
//! Guessing is slowed down: after each wrong code a device's address must wait twice as long
//! as before (1 s, 2 s, 4 s ... at most 5 minutes), and what it sends meanwhile is not even
//! compared. After ten wrong codes in all the code is withdrawn: the user shows a new one.
//! A code is 8 characters from 32 (40 bits), so ten guesses have no real chance anyway.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// How long a code is valid.
pub const LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Characters of a code: capitals and digits without 0/O and 1/I, so that it can be typed
/// from the screen too (in any case: it is compared in capitals).
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a code.
pub const LENGTH: usize = 8;
/// Wrong codes, from all addresses, after which the code is withdrawn.
pub const WRONG_IN_ALL: u32 = 10;
/// The longest wait after wrong codes.
pub const LONGEST_WAIT: Duration = Duration::from_secs(5 * 60);

/// Why a code was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No code is shown on the workstation (none yet, used, or withdrawn).
    NoCode,
    /// The code shown is older than five minutes.
    Expired,
    /// Not the code shown; this address may try again after `wait`.
    Wrong { wait: Duration },
    /// This address sent a wrong code and its wait is not over: not compared.
    TooSoon { wait: Duration },
}

struct Code {
    text: Zeroizing<String>,
    issued: Instant,
}

/// Wrong codes from one address.
struct Failures {
    count: u32,
    until: Instant,
}

#[derive(Default)]
pub struct Pairing {
    code: Option<Code>,
    wrong_in_all: u32,
    failures: HashMap<String, Failures>,
}

impl Pairing {
    /// Shows a new code, replacing the one before; the count of wrong codes starts again.
    pub fn issue(&mut self, now: Instant) -> anyhow::Result<Zeroizing<String>> {
        let mut random = [0u8; LENGTH];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random)
            .map_err(|_| anyhow::anyhow!("the system's random generator failed"))?;
        // 256 is a multiple of 32: every character is equally likely.
        let text: String = random
            .iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect();
        self.code = Some(Code {
            text: Zeroizing::new(text.clone()),
            issued: now,
        });
        self.wrong_in_all = 0;
        Ok(Zeroizing::new(text))
    }

    /// The code shown and how long it is still valid, if one is.
    pub fn shown(&self, now: Instant) -> Option<(&str, Duration)> {
        let c = self.code.as_ref()?;
        let left = LIFETIME.saturating_sub(now.saturating_duration_since(c.issued));
        (!left.is_zero()).then_some((c.text.as_str(), left))
    }

    /// Withdraws the code shown.
    pub fn withdraw(&mut self) {
        self.code = None;
    }

    /// Takes a code sent from `remote` (its address): Ok once for the code shown, which is
    /// then used up.
    pub fn redeem(&mut self, remote: &str, sent: &str, now: Instant) -> Result<(), Refusal> {
        if let Some(f) = self.failures.get(remote)
            && now < f.until
        {
            return Err(Refusal::TooSoon { wait: f.until - now });
        }
        let Some(code) = &self.code else {
            return Err(Refusal::NoCode);
        };
        if now.saturating_duration_since(code.issued) >= LIFETIME {
            self.code = None;
            return Err(Refusal::Expired);
        }
        // Typed from the screen: case and spaces do not matter.
        let sent: String = sent
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if same(sent.as_bytes(), code.text.as_bytes()) {
            self.code = None;
            self.failures.remove(remote);
            return Ok(());
        }
        self.wrong_in_all += 1;
        if self.wrong_in_all >= WRONG_IN_ALL {
            self.code = None;
        }
        let f = self
            .failures
            .entry(remote.to_string())
            .or_insert(Failures { count: 0, until: now });
        f.count += 1;
        let wait = Duration::from_secs(1u64 << (f.count - 1).min(16)).min(LONGEST_WAIT);
        f.until = now + wait;
        Err(Refusal::Wrong { wait })
    }
}

/// Compares in time that does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: &str = "192.168.1.23";
    const OTHER: &str = "192.168.1.99";

    #[test]
    fn a_code_pairs_once_within_five_minutes() {
        let t0 = Instant::now();
        let mut p = Pairing::default();
        assert_eq!(p.redeem(PHONE, "ABCDEFGH", t0), Err(Refusal::NoCode));
        let code = p.issue(t0).unwrap();
        assert_eq!(code.len(), LENGTH);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        let mut letters: Vec<u8> = ALPHABET.to_vec();
        letters.sort();
        letters.dedup();
        assert_eq!(letters.len(), 32, "32 different characters");
        assert!(
            !letters
                .iter()
                .any(|c| b"01IOio".contains(c) || c.is_ascii_lowercase())
        );
        assert!(p.shown(t0 + Duration::from_secs(299)).is_some());
        // Typed with spaces and in lower case: taken; a second time: gone.
        let typed = format!("{} {}", &code[..4], &code[4..]).to_lowercase();
        assert_eq!(p.redeem(PHONE, &typed, t0 + Duration::from_secs(299)), Ok(()));
        assert_eq!(
            p.redeem(OTHER, &code, t0 + Duration::from_secs(300)),
            Err(Refusal::NoCode)
        );

        let code = p.issue(t0).unwrap();
        assert!(p.shown(t0 + LIFETIME).is_none());
        assert_eq!(p.redeem(PHONE, &code, t0 + LIFETIME), Err(Refusal::Expired));
    }

    #[test]
    fn wrong_codes_are_slowed_down_and_then_withdraw_the_code() {
        let t0 = Instant::now();
        let mut p = Pairing::default();
        let code = p.issue(t0).unwrap();
        let wrong = if code.as_str() == "22222222" {
            "33333333"
        } else {
            "22222222"
        };
        // Written by hand: waits of 1, 2 and 4 s after the first, second and third miss.
        let mut now = t0;
        for expected in [1, 2, 4] {
            assert_eq!(
                p.redeem(PHONE, wrong, now),
                Err(Refusal::Wrong {
                    wait: Duration::from_secs(expected)
                })
            );
            // Even the right code is not compared during the wait.
            assert!(matches!(
                p.redeem(PHONE, &code, now + Duration::from_millis(500)),
                Err(Refusal::TooSoon { .. })
            ));
            now += Duration::from_secs(expected);
        }
        // Another address is not held up by this one's misses, and the code still works.
        assert_eq!(p.redeem(OTHER, &code, now), Ok(()));

        // Ten misses in all withdraw the code, whoever made them.
        let code = p.issue(now).unwrap();
        for i in 0..WRONG_IN_ALL {
            let _ = p.redeem(&format!("10.0.0.{i}"), wrong, now);
        }
        assert_eq!(p.redeem("10.0.0.200", &code, now), Err(Refusal::NoCode));
    }

    #[test]
    fn the_wait_stops_growing_at_five_minutes() {
        let mut p = Pairing::default();
        let mut now = Instant::now();
        let mut last = Duration::ZERO;
        for _ in 0..30 {
            let code = p.issue(now).unwrap();
            let wrong = if code.starts_with('2') {
                "33333333"
            } else {
                "22222222"
            };
            if let Err(Refusal::Wrong { wait }) = p.redeem(PHONE, wrong, now) {
                last = wait;
                now += wait;
            }
        }
        assert_eq!(last, LONGEST_WAIT);
    }
}
