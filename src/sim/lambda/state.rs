//! A Lambda function triggered by a stream (`aws_lambda_event_source_mapping`).
//!
//! The mapping polls each shard about once a second (sharing the shard's read limits, like any
//! polling consumer), splits what it reads over `parallelization_factor` slots by partition key
//! (so a key's records stay in order), and invokes the function with batches of up to
//! `batch_size` records when a batch is full, when the batching window has passed, or at 6 MB.
//! A failed batch is retried whole, blocking its slot, until it succeeds, runs out of
//! `maximum_retry_attempts`, gets older than `maximum_record_age_in_seconds`, or its records
//! expire; `bisect_batch_on_function_error` splits it in two instead (not counted as a retry).

use std::collections::VecDeque;

use super::config::{EventSourceMapping, LambdaFunction};

use crate::sim::base::digest::Fnv;
use crate::sim::base::limits::{
    LAMBDA_PAYLOAD_BYTES_MAX as PAYLOAD_BYTES_MAX,
    LAMBDA_QUEUED_PER_SHARD_MAX as QUEUED_PER_SHARD_MAX,
    LAMBDA_STUCK_AFTER_FAILURES as STUCK_AFTER_FAILURES,
};
use crate::sim::base::rng::{mix64, SimRng};
use crate::sim::stream::Shard;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Queued {
    pub index: u64,
    pub bytes: u64,
    pub poison: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    pub records: Vec<Queued>,
    /// Retries so far (bisections do not count).
    pub retries: u32,
    /// Failures in a row, bisections included (for the "stuck" note).
    pub failures: u32,
    pub ends_ms: u64,
    pub fails: bool,
    pub attempt: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Slot {
    /// Records read and waiting for an invocation, in index order (reads only move forward).
    pub queue: VecDeque<Queued>,
    /// The bytes in `queue`, kept as it changes, so the payload limit is not summed a tick.
    pub queued_bytes: u64,
    /// Halves of a bisected batch waiting their turn, before anything in `queue`.
    pub split: VecDeque<Vec<Queued>>,
    pub batch: Option<Batch>,
}

impl Slot {
    fn lowest_index(&self) -> Option<u64> {
        let b = self.batch.as_ref().and_then(|b| b.records.first());
        let s = self.split.front().and_then(|v| v.first());
        [b, s, self.queue.front()]
            .into_iter()
            .flatten()
            .map(|q| q.index)
            .min()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Records read from the stream into the trigger's queues.
    pub fetched: u64,
    pub invocations: u64,
    pub errors: u64,
    pub retries: u64,
    pub bisections: u64,
    /// Records that succeeded.
    pub processed: u64,
    /// Records given up after the retries or the record age ran out (metadata to the on-failure
    /// destination, if there is one).
    pub discarded: u64,
    /// Records that expired from the stream before the function finished them (queued, or in a
    /// batch being retried).
    pub expired_in_retry: u64,
    /// Records delivered to the function again (retries).
    pub redeliveries: u64,
    pub concurrent_max: u64,
}

/// What finished in a tick, for notes and the order check.
#[derive(Debug, Default)]
pub struct Finished {
    /// (shard, records that succeeded, in order).
    pub succeeded: Vec<(usize, Vec<u64>)>,
    /// (shard, failures in a row) when a batch has just become stuck.
    pub stuck: Vec<(usize, u32)>,
    /// (shard, records discarded) when a batch was given up.
    pub discarded: Vec<(usize, u64)>,
    /// (shard, records that expired from the stream before the function got them).
    pub expired: Vec<(usize, u64)>,
}

#[derive(Clone, Debug)]
pub struct LambdaState {
    pub esm: EventSourceMapping,
    pub function: LambdaFunction,
    rng: SimRng,
    /// Per shard, `parallelization_factor` slots.
    pub slots: Vec<Vec<Slot>>,
    pub counters: Counters,
}

impl LambdaState {
    pub fn new(
        esm: EventSourceMapping,
        function: LambdaFunction,
        seed: u64,
        shards: usize,
    ) -> Self {
        let f = esm.parallelization_factor as usize;
        Self {
            esm,
            function,
            rng: SimRng::new(seed),
            slots: vec![vec![Slot::default(); f]; shards],
            counters: Counters::default(),
        }
    }

    pub fn add_shards(&mut self, n: usize) {
        let f = self.esm.parallelization_factor as usize;
        for _ in 0..n {
            self.slots.push(vec![Slot::default(); f]);
        }
    }

    /// Whether the mapping wants to read more of shard `s` (it stops while much is queued).
    pub fn wants_more(&self, s: usize) -> bool {
        self.slots[s].iter().map(|x| x.queue.len()).sum::<usize>() < QUEUED_PER_SHARD_MAX
    }

    /// Queues records just read, each in the slot of its partition key.
    pub fn enqueue(&mut self, s: usize, q: Queued, key_hash: u64) {
        self.counters.fetched += 1;
        let f = self.slots[s].len() as u64;
        // One slot (ParallelizationFactor 1, the default) needs no hash and no division.
        let slot = if f == 1 {
            0
        } else {
            (mix64(key_hash) % f) as usize
        };
        let slot = &mut self.slots[s][slot];
        debug_assert!(slot.queue.back().is_none_or(|b| b.index < q.index));
        slot.queued_bytes += q.bytes;
        slot.queue.push_back(q);
    }

    /// Records read but not finished: queued, waiting as a bisected half, or in an invocation.
    pub fn holding(&self) -> u64 {
        self.slots
            .iter()
            .flatten()
            .map(|slot| {
                slot.queue.len()
                    + slot.split.iter().map(Vec::len).sum::<usize>()
                    + slot.batch.as_ref().map_or(0, |b| b.records.len())
            })
            .sum::<usize>() as u64
    }

    /// Every record the trigger read is processed, given up, expired, or still held.
    pub fn balanced(&self) -> bool {
        let c = &self.counters;
        c.fetched == c.processed + c.discarded + c.expired_in_retry + self.holding()
    }

    /// Everything below this on shard `s` is done with (processed, discarded or expired).
    pub fn done_below(&self, s: usize, position: u64) -> u64 {
        self.slots[s]
            .iter()
            .filter_map(Slot::lowest_index)
            .min()
            .unwrap_or(position)
    }

    fn duration_ms(&self, n: usize) -> u64 {
        self.function.duration_ms + self.function.duration_ms_per_record * n as u64
    }

    fn start(&mut self, records: Vec<Queued>, retries: u32, failures: u32, now: u64) -> Batch {
        self.counters.invocations += 1;
        let poison = records.iter().any(|q| q.poison);
        let unlucky = self.function.error_rate > 0.0 && self.rng.unit() < self.function.error_rate;
        Batch {
            ends_ms: now + self.duration_ms(records.len()),
            fails: poison || unlucky,
            attempt: retries + 1,
            records,
            retries,
            failures,
        }
    }

    /// Finishes invocations that are done and starts new ones, at `now_ms`, for every shard.
    pub fn tick(&mut self, now_ms: u64, shards: &[Shard]) -> Finished {
        let mut out = Finished::default();
        let window = self.esm.maximum_batching_window_ms;
        let size = self.esm.batch_size as usize;
        let mut running = 0u64;
        for (s, shard) in shards.iter().enumerate().take(self.slots.len()) {
            for k in 0..self.slots[s].len() {
                // 1. An invocation that has ended.
                if let Some(b) = self.slots[s][k].batch.take_if(|b| b.ends_ms <= now_ms) {
                    self.finish(s, k, b, now_ms, shard, &mut out);
                }
                // Records the stream has trimmed meanwhile are gone: never invoked.
                let slot = &mut self.slots[s][k];
                let before = slot.queue.len() + slot.split.iter().map(Vec::len).sum::<usize>();
                // The queue is in index order: what expired is at its front.
                while slot
                    .queue
                    .front()
                    .is_some_and(|q| q.index < shard.log_start)
                {
                    let q = slot.queue.pop_front().expect("front");
                    slot.queued_bytes -= q.bytes;
                }
                for half in &mut slot.split {
                    half.retain(|q| q.index >= shard.log_start);
                }
                slot.split.retain(|h| !h.is_empty());
                let after = slot.queue.len() + slot.split.iter().map(Vec::len).sum::<usize>();
                if after < before {
                    let n = (before - after) as u64;
                    self.counters.expired_in_retry += n;
                    out.expired.push((s, n));
                }
                // 2. A new one.
                if self.slots[s][k].batch.is_none() {
                    let slot = &mut self.slots[s][k];
                    let records = if let Some(half) = slot.split.pop_front() {
                        Some(half)
                    } else {
                        let ready = slot.queue.len() >= size
                            || slot.queue.front().is_some_and(|q| {
                                window == 0
                                    || shard
                                        .arrival_of(q.index)
                                        .is_none_or(|a| now_ms >= a + window)
                            })
                            || slot.queued_bytes >= PAYLOAD_BYTES_MAX;
                        ready.then(|| {
                            let mut bytes = 0;
                            let mut batch = Vec::with_capacity(size.min(slot.queue.len()));
                            while let Some(q) = slot.queue.front() {
                                if batch.len() == size
                                    || (!batch.is_empty() && bytes + q.bytes > PAYLOAD_BYTES_MAX)
                                {
                                    break;
                                }
                                bytes += q.bytes;
                                slot.queued_bytes -= q.bytes;
                                batch.push(slot.queue.pop_front().expect("front"));
                            }
                            batch
                        })
                    };
                    if let Some(records) = records.filter(|r| !r.is_empty()) {
                        let b = self.start(records, 0, 0, now_ms);
                        self.slots[s][k].batch = Some(b);
                    }
                }
                running += u64::from(self.slots[s][k].batch.is_some());
            }
        }
        self.counters.concurrent_max = self.counters.concurrent_max.max(running);
        out
    }

    fn finish(
        &mut self,
        s: usize,
        k: usize,
        mut b: Batch,
        now_ms: u64,
        shard: &Shard,
        out: &mut Finished,
    ) {
        if !b.fails {
            self.counters.processed += b.records.len() as u64;
            out.succeeded
                .push((s, b.records.iter().map(|q| q.index).collect()));
            return;
        }
        self.counters.errors += 1;
        b.failures += 1;
        // Records that left the stream while being retried are gone.
        let before = b.records.len();
        b.records.retain(|q| q.index >= shard.log_start);
        let gone = (before - b.records.len()) as u64;
        self.counters.expired_in_retry += gone;
        if gone > 0 {
            out.expired.push((s, gone));
        }
        if b.records.is_empty() {
            return;
        }
        if self.esm.bisect_batch_on_function_error && b.records.len() > 1 {
            self.counters.bisections += 1;
            let second = b.records.split_off(b.records.len() / 2);
            self.slots[s][k].split.push_front(second);
            let retries = b.retries;
            let failures = b.failures;
            let n = b.records.len() as u64;
            self.counters.redeliveries += n;
            let next = self.start(b.records, retries, failures, now_ms);
            self.slots[s][k].batch = Some(next);
            return;
        }
        let oldest_age_ms = shard
            .arrival_of(b.records[0].index)
            .map_or(0, |a| now_ms.saturating_sub(a));
        let out_of_retries = self.esm.maximum_retry_attempts >= 0
            && i64::from(b.retries) >= self.esm.maximum_retry_attempts;
        let too_old = self.esm.maximum_record_age_seconds >= 0
            && oldest_age_ms > self.esm.maximum_record_age_seconds as u64 * 1000;
        if out_of_retries || too_old {
            let n = b.records.len() as u64;
            self.counters.discarded += n;
            out.discarded.push((s, n));
            return;
        }
        if b.failures == STUCK_AFTER_FAILURES {
            out.stuck.push((s, b.failures));
        }
        self.counters.retries += 1;
        self.counters.redeliveries += b.records.len() as u64;
        let (retries, failures) = (b.retries + 1, b.failures);
        let next = self.start(b.records, retries, failures, now_ms);
        self.slots[s][k].batch = Some(next);
    }

    pub(crate) fn digest_into(&self, h: &mut Fnv) {
        let (d, n) = self.rng.fingerprint();
        h.u64(d);
        h.u64(n);
        let c = &self.counters;
        for v in [
            c.fetched,
            c.invocations,
            c.errors,
            c.retries,
            c.bisections,
            c.processed,
            c.discarded,
            c.expired_in_retry,
            c.redeliveries,
            c.concurrent_max,
        ] {
            h.u64(v);
        }
        for shard in &self.slots {
            for slot in shard {
                h.u64(slot.queue.len() as u64);
                h.u64(slot.split.len() as u64);
                if let Some(b) = &slot.batch {
                    h.u64(b.ends_ms);
                    h.u64(b.records.len() as u64);
                    h.u64(u64::from(b.retries));
                    h.u64(u64::from(b.fails));
                }
            }
        }
    }
}
