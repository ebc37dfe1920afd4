//! The audit trail as a hash chain, so that an edit made outside MAMS (another DuckDB client
//! changing or deleting an entry) shows: each entry's hash is the SHA-256 of the hash before
//! it and of the entry's own content, in the order the entries were written. MAMS only ever
//! appends; `verify` walks the chain and names the first entry that does not match.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::Project;
use crate::store::audit::{self as stored, TrailEntry};

/// The hash before the first entry.
pub const GENESIS: &str = "MAMS audit trail";

/// The hash of an entry after `prev`: every field, separated by a unit separator.
pub fn entry_hash(prev: &str, seq: i64, e: &TrailEntry) -> String {
    let fields = [
        seq.to_string(),
        e.suspect_key.clone(),
        e.changed_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        e.actor.clone(),
        e.from_status.clone().unwrap_or_default(),
        e.to_status.clone(),
        e.note.clone().unwrap_or_default(),
        e.assignee_unit.clone().unwrap_or_default(),
        e.due_on.map(|d| d.to_string()).unwrap_or_default(),
        e.recovered.map(|r| format!("{r:?}")).unwrap_or_default(),
        e.fp_reason.clone().unwrap_or_default(),
    ];
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    for f in &fields {
        h.update([0x1f]);
        h.update(f.as_bytes());
    }
    format!("{:x}", h.finalize())
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainState {
    pub entries: usize,
    /// The first entry whose hash does not follow: (its place in the chain, its suspect).
    pub broken_at: Option<(i64, String)>,
    /// Entries written before the chain began that no change has chained yet.
    pub unchained: usize,
}

impl ChainState {
    pub fn is_intact(&self) -> bool {
        self.broken_at.is_none()
    }

    pub fn text(&self) -> crate::text::Text {
        match &self.broken_at {
            None => crate::say!(
                "audit trail: {} entries, the chain is intact",
                "稽查记录：{} 条，链条完整",
                self.entries
            ),
            Some((seq, key)) => crate::say!(
                "audit trail: the chain is BROKEN at entry {} (suspect {}): an entry was changed or removed outside MAMS",
                "稽查记录：链条在第 {} 条（疑点 {}）处断开：有记录在 MAMS 之外被修改或删除",
                seq,
                key
            ),
        }
    }
}

/// Chains the entries written before the chain began (in the order they were written).
/// Call inside the transaction that appends the next entry.
pub fn chain_pending(project: &Project) -> duckdb::Result<()> {
    let pending = stored::unchained_trail(project)?;
    if pending.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev) = stored::trail_head(project)?.unwrap_or((0, GENESIS.to_string()));
    for (rowid, e) in pending {
        seq += 1;
        let hash = entry_hash(&prev, seq, &e);
        stored::set_trail_link(project, rowid, seq, &hash)?;
        prev = hash;
    }
    Ok(())
}

/// The place and hash the next entry takes.
pub fn next_link(project: &Project, e: &TrailEntry) -> duckdb::Result<(i64, String)> {
    chain_pending(project)?;
    let (seq, prev) = stored::trail_head(project)?.unwrap_or((0, GENESIS.to_string()));
    Ok((seq + 1, entry_hash(&prev, seq + 1, e)))
}

/// Walks the whole chain.
pub fn verify(project: &Project) -> duckdb::Result<ChainState> {
    let chained = stored::chained_trail(project)?;
    let unchained = stored::unchained_trail(project)?.len();
    let mut prev = GENESIS.to_string();
    for (expected_seq, (seq, hash, e)) in (1..).zip(&chained) {
        if *seq != expected_seq || entry_hash(&prev, *seq, e) != *hash {
            return Ok(ChainState {
                entries: chained.len(),
                broken_at: Some((*seq, e.suspect_key.clone())),
                unchained,
            });
        }
        prev = hash.clone();
    }
    Ok(ChainState {
        entries: chained.len(),
        broken_at: None,
        unchained,
    })
}
