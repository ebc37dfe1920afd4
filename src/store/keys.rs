//! The keys of the encrypted projects this process opens. A passphrase is stretched once
//! (PBKDF2-HMAC-SHA256, 600,000 rounds: OWASP's figure for it) into the key DuckDB is given,
//! and only the key is kept, in memory, for the files it opened, wiped when forgotten.
//! Neither is ever written anywhere.
//!
//! Why stretch: DuckDB derives its AES key from what it is given with a single SHA-256 and
//! the file's salt, so a guessed passphrase costs an attacker one hash. Stretched here, each
//! guess costs 600,000 HMACs first (0.12 s on a 2-core machine), whatever DuckDB does.
//!
//! Where no key is known for a file, the prompt the program set asks for a passphrase (the
//! command line reads one from the terminal or a file; the app has none and shows a dialog
//! on `ProjectError::Encrypted` instead).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use zeroize::Zeroizing;

/// Rounds of PBKDF2-HMAC-SHA256 (OWASP Password Storage Cheat Sheet, 2023).
pub const ROUNDS: u32 = 600_000;

/// The salt of the stretch. DuckDB adds the file's own random salt after it; a fixed salt
/// here means a dictionary stretched once serves against every MAMS file, but against one
/// lost file each guess still costs the full stretch (docs/security.md).
const SALT: &[u8] = b"MAMS project passphrase, key version 1";

/// The shortest passphrase a new encrypted project accepts.
pub const MIN_CHARS: usize = 10;

/// A key for DuckDB's `ENCRYPTION_KEY`: the stretched passphrase in base64 (DuckDB decodes
/// base64 keys to their bytes). Wiped on drop.
#[derive(Clone)]
pub struct Key(Zeroizing<String>);

impl Key {
    pub(super) fn as_sql_text(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

/// Stretches a passphrase into a key.
pub fn derive(passphrase: &str) -> Key {
    let mut out = Zeroizing::new([0u8; 32]);
    ring::pbkdf2::derive(
        ring::pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(ROUNDS).expect("rounds are not zero"),
        SALT,
        passphrase.as_bytes(),
        out.as_mut(),
    );
    Key(Zeroizing::new(base64(out.as_ref())))
}

/// Why a new passphrase is refused, if it is.
pub fn weak(passphrase: &str) -> Option<crate::text::Text> {
    let chars = passphrase.chars().count();
    if passphrase.trim().is_empty() {
        Some(crate::say!("the passphrase is empty", "口令为空"))
    } else if chars < MIN_CHARS {
        Some(crate::say!(
            "the passphrase has {} characters; it needs at least {}",
            "口令只有 {} 个字符；至少需要 {} 个",
            chars,
            MIN_CHARS
        ))
    } else {
        None
    }
}

/// Standard base64 with padding (RFC 4648), the form DuckDB decodes.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What asks for the passphrase of a file when no key is known for it.
pub type Prompt = Box<dyn Fn(&Path) -> Option<Zeroizing<String>> + Send + Sync>;

static PROMPT: OnceLock<Prompt> = OnceLock::new();

fn ring() -> &'static Mutex<HashMap<PathBuf, Key>> {
    static RING: OnceLock<Mutex<HashMap<PathBuf, Key>>> = OnceLock::new();
    RING.get_or_init(Default::default)
}

/// The name a file is known by in the ring: absolute, with its folder's links resolved (the
/// file itself may not exist yet).
fn name(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (abs.parent(), abs.file_name()) {
        (Some(dir), Some(file)) => dir
            .canonicalize()
            .map(|d| d.join(file))
            .unwrap_or_else(|_| abs.clone()),
        _ => abs,
    }
}

/// Sets what asks for passphrases (once per process: the command line sets it at start).
pub fn set_prompt(prompt: Prompt) {
    let _ = PROMPT.set(prompt);
}

/// Keeps the key of a file for this process.
pub fn remember(path: &Path, key: Key) {
    ring().lock().expect("key ring").insert(name(path), key);
}

/// Forgets the key of a file (a wrong one, or a file closed for good).
pub fn forget(path: &Path) {
    ring().lock().expect("key ring").remove(&name(path));
}

/// The key of a file: the one kept, else one from the prompt's passphrase (kept then).
pub fn for_file(path: &Path) -> Option<Key> {
    if let Some(k) = ring().lock().expect("key ring").get(&name(path)) {
        return Some(k.clone());
    }
    let passphrase = PROMPT.get()?(path)?;
    let key = derive(&passphrase);
    remember(path, key.clone());
    Some(key)
}

/// Whether `passphrase` gives the key this process keeps for a file (to confirm the
/// current passphrase before it is changed or removed). Compared in constant time.
pub fn matches(path: &Path, passphrase: &str) -> bool {
    let Some(kept) = ring().lock().expect("key ring").get(&name(path)).cloned() else {
        return false;
    };
    let given = derive(passphrase);
    let (a, b) = (kept.0.as_bytes(), given.0.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        // RFC 4648, section 10.
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded, "{plain:?}");
        }
    }

    #[test]
    fn pbkdf2_matches_a_published_vector() {
        // RFC 7914 section 11 (the scrypt RFC lists PBKDF2-HMAC-SHA256 vectors): P="passwd",
        // S="salt", c=1, dkLen=64; the first 32 bytes.
        let mut out = [0u8; 32];
        ring::pbkdf2::derive(
            ring::pbkdf2::PBKDF2_HMAC_SHA256,
            NonZeroU32::new(1).unwrap(),
            b"salt",
            b"passwd",
            &mut out,
        );
        let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn one_passphrase_one_key_and_weak_ones_are_refused() {
        let a = derive("correct horse battery");
        assert_eq!(a.as_sql_text(), derive("correct horse battery").as_sql_text());
        assert_ne!(a.as_sql_text(), derive("correct horse batterz").as_sql_text());
        assert_eq!(a.as_sql_text().len(), 44, "32 bytes in base64");
        assert!(!format!("{a:?}").contains(a.as_sql_text()));
        assert!(weak("").is_some());
        assert!(weak("short").is_some());
        assert!(
            weak("电力营销稽查监控口令").is_none(),
            "ten characters, counted as characters"
        );
        assert!(weak("long enough pass").is_none());
    }

    #[test]
    fn the_current_passphrase_is_confirmed_against_the_kept_key() {
        let file = std::env::temp_dir().join("mams-keys-test-not-a-file.duckdb");
        assert!(!matches(&file, "correct horse battery"), "no key kept");
        remember(&file, derive("correct horse battery"));
        assert!(matches(&file, "correct horse battery"));
        assert!(!matches(&file, "correct horse batterx"));
        forget(&file);
        assert!(!matches(&file, "correct horse battery"));
    }
}
