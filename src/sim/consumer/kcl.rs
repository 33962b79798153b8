//! The Kinesis Client Library: workers holding leases (one per shard) in a lease table,
//! checkpoints, and failover when a worker stops renewing its leases.

use super::config::KclConfig;

/// One row of a KCL application's lease table (one per shard).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lease {
    /// Worker number (1-based) holding it.
    pub owner: Option<u32>,
    /// Record index processing restarts from after a failover.
    pub checkpoint: u64,
    pub renewed_at_ms: u64,
    pub checkpointed_at_ms: u64,
    pub since_checkpoint: u64,
}

/// A KCL application's workers and lease table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kcl {
    pub cfg: KclConfig,
    /// Worker n (1-based) is alive when `alive[n - 1]`.
    pub alive: Vec<bool>,
    pub leases: Vec<Lease>,
}

/// A lease that changed hands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Takeover {
    pub shard: usize,
    pub from: Option<u32>,
    pub to: u32,
    /// Records between the checkpoint and what had been delivered: they will be processed again.
    pub reprocess: u64,
}

impl Kcl {
    pub fn leases_of(&self, worker: u32) -> usize {
        self.leases
            .iter()
            .filter(|l| l.owner == Some(worker))
            .count()
    }

    /// The live worker with the fewest leases (lowest number on a tie).
    pub fn least_loaded(&self) -> Option<u32> {
        (1..=self.alive.len() as u32)
            .filter(|&w| self.alive[w as usize - 1])
            .min_by_key(|&w| (self.leases_of(w), w))
    }
}
