//! How much memory DuckDB may use. DuckDB's own default is 80% of what the machine has,
//! container (cgroup) limits included; MAMS works from that figure, never from fixed sizes
//! (a fixed 2 GB for the sums rebuild was killed under a 1 GiB limit after the data was
//! committed). Beyond its limit DuckDB spills to the project's temporary folder; where it
//! cannot, the error says what to do (`errors::describe`).

use duckdb::Connection;

/// Sets the memory DuckDB may use, for example `4GB`, instead of the share MAMS works out.
pub const OVERRIDE_ENV: &str = "MAMS_MEMORY_LIMIT";

/// What a piece of work may use: a share of the memory available, up to a cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Work {
    /// Queries of the app and the CLI: the rest of MAMS and the OS keep the remainder.
    Queries,
    /// Importing a file (DuckDB spills the staging data to disk beyond it).
    Import,
    /// Rebuilding the indicator sums (on 1M customers it peaked at 4.7 GB without a limit).
    Rebuild,
}

impl Work {
    fn share_and_cap(self) -> (f64, u64) {
        const GB: u64 = 1 << 30;
        match self {
            Work::Queries => (0.6, u64::MAX),
            Work::Import => (0.5, 1200 << 20),
            Work::Rebuild => (0.6, 2 * GB),
        }
    }
}

/// The memory available to MAMS, from DuckDB's default limit (80% of it), read when a
/// connection is opened, before MAMS changes the limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    available: u64,
    /// A limit the user set (`MAMS_MEMORY_LIMIT`), in bytes.
    chosen: Option<u64>,
}

impl Budget {
    pub fn read(conn: &Connection) -> Budget {
        let default: Option<u64> = conn
            .query_row("SELECT current_setting('memory_limit')", [], |r| {
                r.get::<_, String>(0)
            })
            .ok()
            .and_then(|s| parse_size(&s));
        let chosen = std::env::var(OVERRIDE_ENV).ok().and_then(|s| parse_size(&s));
        Budget {
            // Without a figure, DuckDB's default on a 4 GB laptop.
            available: default.map_or(4 << 30, |d| (d as f64 / 0.8) as u64),
            chosen,
        }
    }

    /// The limit for `work`, in bytes.
    pub fn limit(&self, work: Work) -> u64 {
        if let Some(chosen) = self.chosen {
            return chosen;
        }
        let (share, cap) = work.share_and_cap();
        ((self.available as f64 * share) as u64).min(cap).max(64 << 20)
    }

    /// Sets the limit for `work` on the database of `conn`.
    pub fn apply(&self, conn: &Connection, work: Work) -> duckdb::Result<()> {
        conn.execute_batch(&format!("SET memory_limit = '{}MB'", self.limit(work) >> 20))
    }
}

/// A size as DuckDB writes it (`18.8 GiB`, `800.0 MiB`, `1200MB`, `512 bytes`) or a user
/// writes it (`4GB`, `2g`), in bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let number: f64 = t[..split].trim().parse().ok()?;
    let unit = t[split..].trim().to_ascii_lowercase();
    let factor: f64 = match unit.as_str() {
        "" | "b" | "byte" | "bytes" => 1.0,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024f64.powi(4),
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        _ => return None,
    };
    let bytes = number * factor;
    (bytes.is_finite() && bytes >= 1.0).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_read_as_duckdb_and_users_write_them() {
        assert_eq!(parse_size("512 bytes"), Some(512));
        assert_eq!(parse_size("800.0 MiB"), Some(800 * 1024 * 1024));
        assert_eq!(parse_size("18.8 GiB"), Some((18.8 * 1073741824.0) as u64));
        assert_eq!(parse_size("4GB"), Some(4_000_000_000));
        assert_eq!(parse_size("1200MB"), Some(1_200_000_000));
        assert_eq!(parse_size("2g"), Some(2_000_000_000));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("-1GB"), None);
        assert_eq!(parse_size("0"), None);
    }

    #[test]
    fn limits_follow_the_memory_available_not_fixed_sizes() {
        // Worked by hand: a container limited to 1 GiB; DuckDB's default is 80% of it.
        let small = Budget {
            available: 1 << 30,
            chosen: None,
        };
        assert_eq!(
            small.limit(Work::Rebuild),
            (0.6 * 1073741824.0) as u64,
            "614 MiB, not 2 GB"
        );
        assert_eq!(small.limit(Work::Import), 512 << 20);
        // A 32 GB workstation: the caps hold.
        let big = Budget {
            available: 32 << 30,
            chosen: None,
        };
        assert_eq!(big.limit(Work::Rebuild), 2 << 30);
        assert_eq!(big.limit(Work::Import), 1200 << 20);
        assert_eq!(big.limit(Work::Queries), (0.6 * 34359738368.0) as u64);
        let chosen = Budget {
            available: 32 << 30,
            chosen: Some(3 << 30),
        };
        assert_eq!(chosen.limit(Work::Rebuild), 3 << 30);
    }
}
