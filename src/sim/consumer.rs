//! Consumers. So far one kind: a shared-throughput GetRecords poller that reads every shard of
//! its stream, from TRIM_HORIZON or LATEST, within the shard's shared read limits.

use super::digest::Fnv;
use super::scenario::{ConsumerConfig, ShardOrder, StartingPosition};
use super::stream::{Shard, ShardState};

/// The consumer's view of one shard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsumerLane {
    /// The shard iterator: index of the next record to read.
    pub position: u64,
    pub next_poll_ms: u64,
    /// GetRecords.IteratorAgeMilliseconds of the last successful call: now − arrival of the
    /// last record it returned; 0 when it was caught up.
    pub iterator_age_ms: u64,
    pub records_read: u64,
    pub bytes_read: u64,
    pub calls: u64,
    pub throttled_calls: u64,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub cfg: ConsumerConfig,
    pub index: u16,
    pub stream: usize,
    pub lanes: Vec<ConsumerLane>,
}

impl Consumer {
    /// `rank`/`of`: this consumer's place among the stream's consumers, to spread their polls
    /// over the interval as independent applications would be.
    pub fn new(
        cfg: ConsumerConfig,
        index: u16,
        stream: usize,
        shard_ends: &[u64],
        rank: u64,
        of: u64,
    ) -> Self {
        let interval = cfg.poll_interval_ms;
        let lanes = shard_ends
            .iter()
            .enumerate()
            .map(|(s, &end)| ConsumerLane {
                position: match cfg.starting_position {
                    StartingPosition::TrimHorizon => 0,
                    StartingPosition::Latest => end,
                },
                // Shards are polled by separate record processors: offset them a little.
                next_poll_ms: (rank * interval / of.max(1) + s as u64 * 37) % interval,
                ..ConsumerLane::default()
            })
            .collect();
        Self {
            cfg,
            index,
            stream,
            lanes,
        }
    }

    /// Lanes for shards that resharding opened: read from their first record, polled from now.
    pub fn add_lanes(&mut self, n: usize, now_ms: u64) {
        for _ in 0..n {
            self.lanes.push(ConsumerLane {
                next_poll_ms: now_ms,
                ..ConsumerLane::default()
            });
        }
    }

    /// Whether this consumer reads shard `s` now. A CLOSED shard read to its end is done. With
    /// `parents_first` (what the KCL and Lambda do), a child waits until every parent is done, so
    /// each partition key's records are processed in order across a resharding.
    pub fn may_read(&self, s: usize, shards: &[Shard]) -> bool {
        let done = |i: usize| {
            let sh = &shards[i];
            match sh.state {
                ShardState::Open => false,
                ShardState::Closed => self.lanes[i].position >= sh.log_end,
                ShardState::Expired => true,
            }
        };
        if done(s) {
            return false;
        }
        match self.cfg.shard_order {
            ShardOrder::Naive => true,
            ShardOrder::ParentsFirst => shards[s].parents.iter().all(|&p| done(p as usize)),
        }
    }

    pub fn records_read(&self) -> u64 {
        self.lanes.iter().map(|l| l.records_read).sum()
    }

    pub(crate) fn digest_into(&self, h: &mut Fnv) {
        h.u64(u64::from(self.index));
        for l in &self.lanes {
            for v in [
                l.position,
                l.next_poll_ms,
                l.iterator_age_ms,
                l.records_read,
                l.bytes_read,
                l.calls,
                l.throttled_calls,
            ] {
                h.u64(v);
            }
        }
    }
}
