//! A paired device's token: 256 random bits from the operating system, given to the device
//! once; MAMS keeps only its SHA-256, so a copy of the project does not let anyone in.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A new token (64 hexadecimal digits) and the hash kept of it.
pub fn new_token() -> anyhow::Result<(Zeroizing<String>, String)> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), bytes.as_mut())
        .map_err(|_| anyhow::anyhow!("the system's random generator failed"))?;
    let token = Zeroizing::new(hex(bytes.as_ref()));
    let hash = hash(&token);
    Ok((token, hash))
}

/// The hash kept of a token: SHA-256, in hexadecimal. A token is random and long, so a
/// plain hash (no salt, no stretch) is what protects it: there is nothing to guess.
pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_sha256_and_tokens_differ() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let (a, ha) = new_token().unwrap();
        let (b, _) = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(*a, *b);
        assert_eq!(ha, hash(&a));
        assert_ne!(ha, *a);
    }
}
