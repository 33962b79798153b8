//! A stream's state: its shards, the routing table of the OPEN ones, and the resharding under
//! way.

use super::config::{StreamConfig, StreamMode};
use super::shard::{Shard, ShardState};
use crate::sim::base::hash::even_split;

/// A resharding under way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reshard {
    Split {
        shard: usize,
        new_starting_hash_key: u128,
    },
    Merge {
        shard: usize,
        adjacent: usize,
    },
    UpdateShardCount {
        target: u32,
    },
    /// On-demand scaling: AWS splits these busy shards, each at its middle, at once.
    OnDemandSplits {
        shards: Vec<usize>,
    },
}

#[derive(Clone, Debug)]
pub struct Stream {
    pub name: String,
    pub mode: StreamMode,
    pub retention_ms: u64,
    pub shards: Vec<Shard>,
    /// The OPEN shards' ranges, sorted by starting hash key, with their shard positions.
    pub(super) open_ranges: Vec<(u128, u128)>,
    pub(super) open_shards: Vec<usize>,
    /// Changes whenever the OPEN shards change, so cached routes are dropped.
    pub routing_epoch: u64,
    /// A resharding in progress (the stream is UPDATING) and when it completes.
    pub pending: Option<(u64, Reshard)>,
    /// When UpdateShardCount was called, for the 10-per-24-hours quota.
    pub(super) update_shard_count_at_ms: Vec<u64>,
}

impl Stream {
    pub fn new(cfg: &StreamConfig) -> Self {
        let ranges = even_split(cfg.shard_count);
        let shards: Vec<Shard> = ranges
            .iter()
            .enumerate()
            .map(|(i, r)| Shard::new(i as u32, *r))
            .collect();
        let mut s = Self {
            name: cfg.name.clone(),
            mode: cfg.mode,
            retention_ms: cfg.retention_ms,
            shards,
            open_ranges: Vec::new(),
            open_shards: Vec::new(),
            routing_epoch: 0,
            pending: None,
            update_shard_count_at_ms: Vec::new(),
        };
        s.reindex();
        s
    }

    pub fn status(&self) -> &'static str {
        if self.pending.is_some() {
            "UPDATING"
        } else {
            "ACTIVE"
        }
    }

    pub fn open_count(&self) -> usize {
        self.open_shards.len()
    }

    /// Rebuilds the routing table from the OPEN shards.
    pub(super) fn reindex(&mut self) {
        let mut open: Vec<usize> = (0..self.shards.len())
            .filter(|&i| self.shards[i].state == ShardState::Open)
            .collect();
        open.sort_by_key(|&i| self.shards[i].starting_hash_key);
        self.open_ranges = open
            .iter()
            .map(|&i| {
                (
                    self.shards[i].starting_hash_key,
                    self.shards[i].ending_hash_key,
                )
            })
            .collect();
        self.open_shards = open;
        self.routing_epoch += 1;
    }

    /// The position in `shards` of the OPEN shard holding `hash`.
    pub fn route(&self, hash: u128) -> usize {
        self.open_shards[crate::sim::base::hash::route(&self.open_ranges, hash)]
    }

    pub fn shard_position(&self, shard_id: &str) -> Option<usize> {
        self.shards.iter().position(|s| s.shard_id() == shard_id)
    }

    /// CLOSED shards whose every record has expired become EXPIRED.
    pub fn expire_closed(&mut self, now_ms: u64) {
        let retention = self.retention_ms;
        for sh in &mut self.shards {
            if sh.state == ShardState::Closed
                && sh.closed_at_ms.is_some_and(|t| t + retention <= now_ms)
                && sh.log_start == sh.log_end
            {
                sh.state = ShardState::Expired;
            }
        }
    }
}
