//! A consumer's state: its view of each shard (its lanes), its order check and per-key table,
//! and what it is besides a reader (a KCL application, a Lambda trigger, an application).

use super::config::{ConsumerConfig, ConsumerKind, ShardOrder};
use super::kcl::{Kcl, Lease};
use super::order::OrderCheck;
use crate::sim::app::{AppState, Seen};
use crate::sim::base::content::Lazy;
use crate::sim::base::digest::Fnv;
use crate::sim::base::keys::{KeyTable, KEY_BLOCK};
use crate::sim::lambda::LambdaState;
use crate::sim::producer::Producer;
use crate::sim::stream::{Shard, ShardState, StartingPosition, Taken};

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
    /// Sum over records delivered of (delivery time − arrival), ms: with `records_read`, the
    /// mean propagation delay.
    pub delay_sum_ms: u128,
    /// Records this consumer never got: trimmed by retention before it read them.
    pub expired_unread: u64,
    /// Enhanced fan-out: this subscription's own read budget (µs, as the shard's shared one).
    pub fan_out_busy_until_us: u64,
    /// Processing capacity not yet used, in thousandths of a record, and when it was counted.
    pub capacity_milli: u64,
    pub capacity_at_ms: u64,
    /// One past the highest record index delivered: anything below it delivered again is a
    /// duplicate.
    pub delivered_end: u64,
}

#[derive(Clone, Debug)]
pub struct Consumer {
    pub cfg: ConsumerConfig,
    pub index: u16,
    pub stream: usize,
    pub lanes: Vec<ConsumerLane>,
    pub order: OrderCheck,
    pub(super) keys: KeyTable,
    pub kcl: Option<Kcl>,
    pub lambda: Option<Box<LambdaState>>,
    pub app: Option<AppState>,
    /// Whether it has started (taken its shard iterators) yet.
    pub started: bool,
    /// The Firehose delivery stream this consumer reads for (its index), if any.
    pub firehose: Option<usize>,
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
        let lanes: Vec<ConsumerLane> = shard_ends
            .iter()
            .enumerate()
            .map(|(s, _)| ConsumerLane {
                // Set when the consumer starts (see `start`).
                position: 0,
                // Shards are polled by separate record processors: offset them a little.
                next_poll_ms: (rank * interval / of.max(1) + s as u64 * 37) % interval,
                ..ConsumerLane::default()
            })
            .collect();
        let cfg_app = cfg.application;
        let kcl = cfg.kcl.map(|k| Kcl {
            cfg: k,
            alive: vec![true; k.workers as usize],
            leases: lanes
                .iter()
                .map(|l| Lease {
                    checkpoint: l.position,
                    ..Lease::default()
                })
                .collect(),
        });
        Self {
            cfg,
            index,
            stream,
            lanes,
            order: OrderCheck::default(),
            keys: KeyTable::default(),
            kcl,
            lambda: None,
            app: cfg_app.map(AppState::new),
            started: false,
            firehose: None,
        }
    }

    /// Takes the shard iterators: every lane's first record to read, from the starting position.
    /// Records before it count as done for this consumer (it chose not to read them).
    pub fn start(&mut self, shards: &[Shard]) {
        for (s, (lane, sh)) in self.lanes.iter_mut().zip(shards).enumerate() {
            let p = match self.cfg.starting_position {
                StartingPosition::TrimHorizon => sh.log_start,
                StartingPosition::Latest => sh.log_end,
                StartingPosition::AtTimestamp(t) => sh.index_arrived_before(t),
                StartingPosition::AtSequenceNumber { shard, index } if shard == sh.index => index,
                StartingPosition::AfterSequenceNumber { shard, index } if shard == sh.index => {
                    index + 1
                }
                _ => sh.log_start,
            }
            .clamp(sh.log_start, sh.log_end);
            lane.position = p;
            lane.delivered_end = p;
            if let Some(k) = &mut self.kcl {
                k.leases[s].checkpoint = p;
            }
        }
        self.started = true;
    }

    /// Lanes for shards that resharding opened: read from their first record, polled from now.
    pub fn add_lanes(&mut self, n: usize, now_ms: u64) {
        for _ in 0..n {
            self.lanes.push(ConsumerLane {
                next_poll_ms: now_ms,
                ..ConsumerLane::default()
            });
            if let Some(k) = &mut self.kcl {
                k.leases.push(Lease::default());
            }
        }
        if let Some(l) = &mut self.lambda {
            l.add_shards(n);
        }
    }

    /// Where this consumer may go back to on shard `s` (KCL: its checkpoint; Lambda: the
    /// oldest record it has not finished with).
    pub fn restart_position(&self, s: usize) -> u64 {
        let p = self.lanes[s].position;
        if let Some(l) = &self.lambda {
            return l.done_below(s, p);
        }
        match &self.kcl {
            Some(k) => p.min(k.leases[s].checkpoint),
            None => p,
        }
    }

    /// Everything below this on shard `s` has been delivered at least once (or expired); for
    /// Lambda, processed, given up or expired.
    pub fn delivered_to(&self, s: usize) -> u64 {
        let l = &self.lanes[s];
        match &self.lambda {
            Some(lambda) => lambda.done_below(s, l.position),
            None => l.delivered_end.max(l.position),
        }
    }

    /// Whether this consumer reads shard `s` now. A CLOSED shard read to its end is done. With
    /// `parents_first` (what the KCL and Lambda do), a child waits until every parent is done, so
    /// each partition key's records are processed in order across a resharding.
    pub fn may_read(&self, s: usize, shards: &[Shard]) -> bool {
        if !self.started {
            return false;
        }
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
            ShardOrder::ParentsFirst => shards[s].parents.iter().all(|&p| {
                let p = p as usize;
                let sh = &shards[p];
                // Read to its end is not enough: a Lambda trigger must have finished every
                // record of it, and a KCL application must have checkpointed its end.
                let finished = match (&self.lambda, &self.kcl) {
                    (Some(l), _) => l.done_below(p, self.lanes[p].position) >= sh.log_end,
                    (_, Some(k)) => k.leases[p].checkpoint >= sh.log_end,
                    _ => true,
                };
                done(p) && (finished || sh.state == ShardState::Expired)
            }),
        }
    }

    /// How many records shard `s`'s processor can take at `t_ms` (its processing capacity;
    /// unlimited without one). Capacity saved up is capped at one poll interval's worth (one
    /// second for fan-out), as a processor does not get faster for having waited.
    pub fn allowance(&mut self, s: usize, t_ms: u64) -> u64 {
        let Some(rate) = self.cfg.processing_records_per_second else {
            return u64::MAX;
        };
        let window_ms = match self.cfg.kind {
            ConsumerKind::Polling | ConsumerKind::Kcl | ConsumerKind::Lambda => {
                self.cfg.poll_interval_ms.max(1000)
            }
            ConsumerKind::EnhancedFanOut => 1000,
        };
        let lane = &mut self.lanes[s];
        let gained = u64::from(rate) * (t_ms - lane.capacity_at_ms.min(t_ms));
        lane.capacity_milli = (lane.capacity_milli + gained).min(u64::from(rate) * window_ms);
        lane.capacity_at_ms = t_ms;
        lane.capacity_milli / 1000
    }

    /// Records delivered to shard `s`'s processor at `t_ms`.
    pub fn delivered(&mut self, s: usize, t_ms: u64, taken: &Taken, extra_delay_ms: u64) {
        let lane = &mut self.lanes[s];
        lane.records_read += taken.count;
        lane.bytes_read += taken.bytes;
        if self.cfg.processing_records_per_second.is_some() {
            lane.capacity_milli -= taken.count * 1000;
        }
        lane.delay_sum_ms += (u128::from(taken.count) * u128::from(t_ms + extra_delay_ms))
            .saturating_sub(taken.arrival_sum_ms);
    }

    /// The records `indices` (ascending) of shard `s`, delivered at `t_ms`: checks per-key
    /// order, counts duplicates, and hands each record to the application, if there is one.
    /// Whether per-key order is checked: for every reader but a Firehose delivery stream's.
    pub fn checks_order(&self) -> bool {
        self.firehose.is_none() || self.app.is_some()
    }

    pub fn process(
        &mut self,
        s: usize,
        indices: impl Iterator<Item = u64>,
        shard: &Shard,
        producers: &[Producer],
        t_ms: u64,
    ) {
        // A Lambda mapping's slots finish out of index order, and each record succeeds once:
        // its repeats are counted as redeliveries instead.
        let dedupe = self.lambda.is_none();
        let checks_order = self.checks_order();
        let lane = &mut self.lanes[s];
        let mut end = lane.delivered_end;
        // Arrivals walked along the runs, so they are not searched for record by record.
        let mut arrivals = shard.arrivals(u64::MAX);
        let order = &mut self.order;
        // A Firehose reader is AWS's code, not the student's: its per-key order is not checked,
        // which spares a second per-key table (the gaming hour is bound by those tables' cache
        // misses). Only its duplicates are counted.
        if !checks_order {
            for i in indices {
                if i < lane.delivered_end {
                    order.duplicates += 1;
                } else {
                    end = end.max(i + 1);
                }
            }
            lane.delivered_end = end;
            return;
        }
        // Records go in blocks whose key states are loaded first, all at once: their cache
        // misses overlap instead of waiting one behind the other (the per-key table of 100,000
        // players does not fit in cache, and these loads were a fifth of the gaming hour).
        let mut indices = indices.peekable();
        let mut block = [0u64; KEY_BLOCK];
        while indices.peek().is_some() {
            let mut n = 0;
            for i in indices.by_ref().take(KEY_BLOCK) {
                block[n] = i;
                n += 1;
            }
            for &i in &block[..n] {
                if let Some(id) = shard.id_of(i) {
                    self.keys.touch(id.producer as usize, id.key);
                }
            }
            for &i in &block[..n] {
                let Some(id) = shard.id_of(i) else {
                    order.unchecked += 1;
                    continue;
                };
                let p = &producers[id.producer as usize];
                let mut slot = self.keys.slot(id.producer as usize, p.key_space(), id.key);
                if let Some(app) = &mut self.app {
                    let arrival_ms = arrivals.at(i).unwrap_or(t_ms);
                    let key_string = || p.key_string(id.key);
                    app.see(
                        t_ms,
                        &Seen {
                            key_string: &key_string,
                            content: Lazy {
                                content_seed: p.content_seed,
                                rec_no: id.rec_no,
                            },
                            arrival_ms,
                        },
                        slot.as_deref_mut(),
                    );
                }
                if dedupe && i < lane.delivered_end {
                    order.duplicates += 1;
                    continue;
                }
                end = end.max(i + 1);
                let position = ((s as u64) << 52 | i) + 1;
                order.see(slot, position);
            }
        }
        lane.delivered_end = end;
    }

    /// A Lambda trigger's lag: the age of the oldest record it has not finished with.
    pub fn lambda_lag(&mut self, shards: &[Shard], now_ms: u64) {
        for (s, shard) in shards.iter().enumerate().take(self.lanes.len()) {
            let done_below = self.delivered_to(s).max(shard.log_start);
            self.lanes[s].iterator_age_ms = if done_below < shard.log_end {
                shard
                    .arrival_of(done_below)
                    .map_or(0, |a| now_ms.saturating_sub(a))
            } else {
                0
            };
        }
    }

    /// Mean delivery delay over all records delivered, ms.
    pub fn mean_delay_ms(&self) -> u64 {
        let n: u64 = self.records_read();
        if n == 0 {
            return 0;
        }
        (self.lanes.iter().map(|l| l.delay_sum_ms).sum::<u128>() / u128::from(n)) as u64
    }

    pub fn records_read(&self) -> u64 {
        self.lanes.iter().map(|l| l.records_read).sum()
    }

    pub(crate) fn digest_into(&self, h: &mut Fnv) {
        h.u64(u64::from(self.index));
        h.u64(u64::from(self.started));
        if let Some(l) = &self.lambda {
            l.digest_into(h);
        }
        if let Some(a) = &self.app {
            a.digest_into(h);
        }
        if let Some(k) = &self.kcl {
            for a in &k.alive {
                h.u64(u64::from(*a));
            }
            for l in &k.leases {
                for v in [
                    u64::from(l.owner.unwrap_or(0)),
                    l.checkpoint,
                    l.renewed_at_ms,
                    l.checkpointed_at_ms,
                    l.since_checkpoint,
                ] {
                    h.u64(v);
                }
            }
        }
        for v in [
            self.order.checked,
            self.order.violations,
            self.order.duplicates,
            self.order.unchecked,
        ] {
            h.u64(v);
        }
        for l in &self.lanes {
            h.u128(l.delay_sum_ms);
            for v in [
                l.position,
                l.next_poll_ms,
                l.iterator_age_ms,
                l.records_read,
                l.bytes_read,
                l.calls,
                l.throttled_calls,
                l.expired_unread,
                l.fan_out_busy_until_us,
                l.capacity_milli,
                l.capacity_at_ms,
                l.delivered_end,
            ] {
                h.u64(v);
            }
        }
    }
}
