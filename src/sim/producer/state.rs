//! A producer's state: how many records each tick, with which partition keys and sizes,
//! batching for PutRecords, the retry queue, and its counters.

use std::collections::{BTreeMap, BTreeSet};

use super::config::{Api, KeyModel, ProducerConfig, SizeModel, Traffic};

use crate::sim::base::digest::Fnv;
use crate::sim::base::hash::hash_key;
use crate::sim::base::keys::KEY_BLOCK;
use crate::sim::base::limits::{PUT_RECORDS_BYTES_MAX, PUT_RECORD_BATCH_BYTES_MAX};
use crate::sim::base::rng::{mix64, sub_seed, Purpose, SimRng};
use crate::sim::stream::Stream;

/// A record waiting at its producer: not yet sent, or waiting to be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The producer's serial number of this record (0, 1, 2, …).
    pub rec_no: u64,
    /// Which key of the producer's key model (for `random`, the random value itself).
    pub key: u64,
    pub size_bytes: u32,
}

/// One entry of one request (PutRecord, or an entry of a PutRecords batch) sent at `t_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub t_ms: u64,
    pub producer: u16,
    /// Request number within the producer's sends of this tick: entries of one PutRecords
    /// request share it, and their failures are retried together.
    pub request: u32,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub record: Pending,
    /// Where it goes, looked up when the entry is made: a tight loop over the tick's records
    /// overlaps the key table's cache misses, which a lookup in the admission loop could not.
    pub info: KeyInfo,
}

/// Failed entries of one request, to be sent again at `due_ms`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryBatch {
    pub attempt: u32,
    pub records: Vec<Pending>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProducerCounters {
    /// Entries sent (first attempts and retries).
    pub attempted: u64,
    pub accepted: u64,
    /// Entries refused with ProvisionedThroughputExceeded.
    pub throttled: u64,
    pub dropped: u64,
}

#[derive(Clone, Debug)]
pub struct Producer {
    pub cfg: ProducerConfig,
    pub index: u16,
    /// The stream it writes to (None: it writes to the Firehose `firehose` by Direct PUT).
    pub stream: Option<usize>,
    pub firehose: Option<usize>,
    rng: SimRng,
    retry_rng: SimRng,
    /// Seeds the contents of this producer's records (see `app::Content`).
    pub content_seed: u64,
    /// Thousandths of a record owed from earlier ticks.
    carry_milli: u64,
    pub produced: u64,
    pub dropped_too_large: u64,
    pub dropped_retries_exhausted: u64,
    pub accepted_on_retry: u64,
    /// A PutRecords batch being filled; routes are looked up as records join it (a batch waits
    /// at most `batch_max_buffered_time_ms`, and routes change only between ticks).
    buffer: Vec<(Pending, KeyInfo)>,
    buffer_started_ms: u64,
    buffer_bytes: u64,
    retries: BTreeMap<(u64, u64), RetryBatch>,
    retry_serial: u64,
    pub retrying_records: u64,
    pub totals: ProducerCounters,
    pub current: ProducerCounters,
    pub last_second: ProducerCounters,
    keys: RouteCache,
    /// Serial numbers of its records every Lambda function fails on (`put_poison_record`).
    pub poison: BTreeSet<u64>,
}

/// Where a key's records go, what they weigh, and how they look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// Position of the shard in its stream.
    /// (u32, as every field here: an entry carries its info, and entries are copied twice.)
    pub shard: u32,
    /// The partition key's UTF-8 bytes (at most 256 characters: < 4,096 bytes).
    pub key_bytes: u32,
    /// The top 10 bits of the partition key's MD5: plenty to pick a colour and a shape.
    pub colour_bits: u32,
}

impl KeyInfo {
    /// The key's colour for the page, 0..2^24: the 10 bits spread by an odd multiplier, so the
    /// low bits (which a palette index takes) vary from key to key.
    pub fn colour(self) -> u32 {
        self.colour_bits.wrapping_mul(16_411) & 0xFF_FFFF
    }
}

impl KeyInfo {
    /// Packed in 32 bits, to keep a 100,000-key table (400 KB) in cache: shard + 1 in bits 0–10,
    /// key bytes in 11–21, 10 bits of colour in 22–31; 0 = not known yet. Infos that do not fit
    /// (over 2,046 shard positions) are not cached.
    fn pack(self) -> Option<u32> {
        let fits = self.shard < 2046 && self.key_bytes < 2048;
        fits.then(|| (self.shard + 1) | (self.key_bytes << 11) | (self.colour_bits << 22))
    }
    fn unpack(v: u32) -> Self {
        Self {
            shard: (v & 0x7FF) - 1,
            key_bytes: (v >> 11) & 0x7FF,
            colour_bits: v >> 22,
        }
    }
}

/// Per key: its [`KeyInfo`], computed on first use (a pure cache, not state: the digest leaves
/// it out), valid for one routing epoch of the stream; and the Zipf table.
#[derive(Clone, Debug, Default)]
struct RouteCache {
    info: Vec<u32>,
    epoch: u64,
    zipf_thresholds: Vec<u64>,
}

impl Producer {
    pub fn new(
        cfg: ProducerConfig,
        index: u16,
        stream: Option<usize>,
        firehose: Option<usize>,
        world_seed: u64,
    ) -> Self {
        let keys = RouteCache::new(&cfg.keys);
        Self {
            rng: SimRng::new(sub_seed(
                world_seed,
                Purpose::ProducerTraffic,
                u64::from(index),
            )),
            retry_rng: SimRng::new(sub_seed(
                world_seed,
                Purpose::ProducerRetry,
                u64::from(index),
            )),
            content_seed: sub_seed(world_seed, Purpose::Content, u64::from(index)),
            cfg,
            index,
            stream,
            firehose,
            carry_milli: 0,
            produced: 0,
            dropped_too_large: 0,
            dropped_retries_exhausted: 0,
            accepted_on_retry: 0,
            buffer: Vec::new(),
            buffer_started_ms: 0,
            buffer_bytes: 0,
            retries: BTreeMap::new(),
            retry_serial: 0,
            retrying_records: 0,
            totals: ProducerCounters::default(),
            current: ProducerCounters::default(),
            last_second: ProducerCounters::default(),
            keys,
            poison: BTreeSet::new(),
        }
    }

    pub fn buffered_records(&self) -> u64 {
        self.buffer.len() as u64
    }

    /// The traffic shape's factor at `t_ms`.
    fn multiplier(&self, t_ms: u64) -> f64 {
        let s = t_ms / 1000;
        match self.cfg.traffic {
            Traffic::Steady => 1.0,
            Traffic::Bursts {
                period_seconds,
                burst_seconds,
                multiplier,
            } => {
                if s % period_seconds < burst_seconds {
                    multiplier
                } else {
                    1.0
                }
            }
            Traffic::DailySine {
                amplitude,
                period_seconds,
                phase_seconds,
            } => {
                let period_ms = period_seconds * 1000;
                let x = ((t_ms + phase_seconds * 1000) % period_ms) as f64 / period_ms as f64;
                // libm, not std: the same bits natively and in wasm.
                1.0 + amplitude * libm::sin(2.0 * std::f64::consts::PI * x)
            }
            Traffic::Spike {
                at_second,
                duration_seconds,
                multiplier,
            } => {
                if s >= at_second && s < at_second + duration_seconds {
                    multiplier
                } else {
                    1.0
                }
            }
        }
    }

    fn draw_key(&mut self) -> u64 {
        match &self.cfg.keys {
            KeyModel::Uniform { count, .. } => self.rng.below(u64::from(*count)),
            KeyModel::HotKey {
                count,
                hot_key_share,
                ..
            } => {
                if self.rng.unit() < *hot_key_share {
                    u64::from(*count) // the hot key's id
                } else {
                    self.rng.below(u64::from(*count))
                }
            }
            KeyModel::Zipf { .. } => {
                let u = self.rng.next_u64();
                let t = &self.keys.zipf_thresholds;
                (t.partition_point(|&x| x <= u) as u64).min(t.len() as u64 - 1)
            }
            KeyModel::List { keys } => self.rng.below(keys.len() as u64),
            KeyModel::Random => self.rng.next_u64(),
        }
    }

    fn draw_size(&mut self) -> u32 {
        match self.cfg.record_size {
            SizeModel::Fixed(n) => n,
            SizeModel::Range { min, max } => min + self.rng.below(u64::from(max - min) + 1) as u32,
        }
    }

    /// The partition key string of key id `key`.
    pub fn key_string(&self, key: u64) -> String {
        match &self.cfg.keys {
            KeyModel::Uniform { prefix, .. } | KeyModel::Zipf { prefix, .. } => {
                format!("{prefix}{key}")
            }
            KeyModel::HotKey {
                count,
                prefix,
                hot_key,
                ..
            } => {
                if key == u64::from(*count) {
                    hot_key.clone()
                } else {
                    format!("{prefix}{key}")
                }
            }
            KeyModel::List { keys } => keys[key as usize].clone(),
            KeyModel::Random => format!("{key:016x}"),
        }
    }

    /// How many distinct key ids the model has (None for `random`: a fresh key every record).
    pub fn key_space(&self) -> Option<usize> {
        match &self.cfg.keys {
            KeyModel::Random => None,
            _ => Some(self.keys.info.len()),
        }
    }

    /// The partition key's length in UTF-8 bytes (it counts toward the write limits).
    pub fn key_bytes(&self, key: u64) -> u64 {
        // Decimal digits without a division per digit (this runs once per record read).
        fn digits(n: u64) -> u64 {
            u64::from(n.checked_ilog10().unwrap_or(0)) + 1
        }
        match &self.cfg.keys {
            KeyModel::Uniform { prefix, .. } | KeyModel::Zipf { prefix, .. } => {
                prefix.len() as u64 + digits(key)
            }
            KeyModel::HotKey {
                count,
                prefix,
                hot_key,
                ..
            } => {
                if key == u64::from(*count) {
                    hot_key.len() as u64
                } else {
                    prefix.len() as u64 + digits(key)
                }
            }
            KeyModel::List { keys } => keys[key as usize].len() as u64,
            KeyModel::Random => 16,
        }
    }

    /// [`Producer::key_bytes`], from the route cache when the key has been routed (a reader
    /// asks it for every record it hands on; the cache has it packed already).
    pub fn cached_key_bytes(&self, key: u64) -> u64 {
        let cached = match (&self.cfg.keys, self.stream) {
            (KeyModel::Random, _) | (_, None) => 0,
            _ => self.keys.info.get(key as usize).copied().unwrap_or(0),
        };
        if cached != 0 {
            u64::from(KeyInfo::unpack(cached).key_bytes)
        } else {
            self.key_bytes(key)
        }
    }

    /// The hash key a record with key id `key` is routed by: the explicit hash key if the
    /// producer sets one, else the MD5 of the partition key.
    pub fn hash_of(&self, key: u64) -> u128 {
        self.cfg
            .explicit_hash_key
            .unwrap_or_else(|| hash_key(&self.key_string(key)))
    }

    /// Where the records of key id `key` go in `stream`, what their key weighs, and their colour
    /// (24 bits of the partition key's MD5, so the page colours records by key). Cached per key,
    /// as routing every record by MD5 and a search of the shard ranges was most of a run's
    /// time; the cache is emptied when the stream's shards change.
    pub fn lookup(&mut self, key: u64, stream: Option<&Stream>) -> KeyInfo {
        if matches!(self.cfg.keys, KeyModel::Random) {
            return self.compute_info(key, stream);
        }
        // A Firehose producer routes nowhere: its table never needs emptying.
        let epoch = stream.map_or(0, |s| s.routing_epoch);
        if self.keys.epoch != epoch {
            self.keys.info.fill(0);
            self.keys.epoch = epoch;
        }
        let packed = self.keys.info[key as usize];
        if packed != 0 {
            return KeyInfo::unpack(packed);
        }
        let info = self.compute_info(key, stream);
        match info.pack() {
            Some(packed) => {
                self.keys.info[key as usize] = packed;
                KeyInfo::unpack(packed)
            }
            None => info,
        }
    }

    fn compute_info(&self, key: u64, stream: Option<&Stream>) -> KeyInfo {
        let md5 = hash_key(&self.key_string(key));
        let routed_by = self.cfg.explicit_hash_key.unwrap_or(md5);
        KeyInfo {
            shard: stream.map_or(0, |s| s.route(routed_by) as u32),
            // Firehose records have no partition key: it weighs nothing there.
            // (A partition key is at most 256 characters: it fits in u32.)
            key_bytes: if stream.is_some() {
                self.key_bytes(key) as u32
            } else {
                0
            },
            colour_bits: (md5 >> 118) as u32,
        }
    }

    /// The new records of the tick `[now_ms, now_ms + tick_ms)`, and the retries due in it,
    /// as entries in time order (appended to `out`).
    pub fn emit(
        &mut self,
        now_ms: u64,
        tick_ms: u64,
        stream: Option<&Stream>,
        out: &mut Vec<Entry>,
    ) {
        let end_ms = now_ms + tick_ms;
        let mut request = 0u32;
        // Other producers' entries of this tick are already in `out`: only ours get sorted.
        let start = out.len();

        // Retries due in this tick, each batch one request.
        while let Some((&(due, serial), _)) = self.retries.first_key_value() {
            if due >= end_ms {
                break;
            }
            let batch = self.retries.remove(&(due, serial)).expect("present");
            self.retrying_records -= batch.records.len() as u64;
            for r in batch.records {
                let info = self.lookup(r.key, stream);
                out.push(Entry {
                    t_ms: due.max(now_ms),
                    producer: self.index,
                    request,
                    attempt: batch.attempt,
                    record: r,
                    info,
                });
            }
            request += 1;
        }
        let retries_end = out.len();

        if !self.cfg.paused {
            // Counted in thousandths of a record, in integers, so a steady rate is exact
            // (1 record/s with 100 ms ticks is one record every 10th tick, never drifting).
            let milli = match self.cfg.traffic {
                Traffic::Steady => u64::from(self.cfg.records_per_second) * tick_ms,
                _ => libm::round(
                    f64::from(self.cfg.records_per_second)
                        * self.multiplier(now_ms)
                        * tick_ms as f64,
                ) as u64,
            };
            let owed = milli + self.carry_milli;
            let n = owed / 1000;
            self.carry_milli = owed % 1000;
            // Record j leaves at now + j·tick/n: a quotient and a running remainder, not a
            // division a record.
            let (step_ms, step_rem) = (tick_ms / n.max(1), tick_ms % n.max(1));
            let (mut t, mut acc) = (now_ms, 0);
            let mut drawn = [(0u64, 0u32); KEY_BLOCK];
            for j in 0..n {
                if j > 0 {
                    t += step_ms;
                    acc += step_rem;
                    if acc >= n {
                        acc -= n;
                        t += 1;
                    }
                }
                // Keys and sizes are drawn a block ahead (in the same order, so the same
                // numbers), and the block's routes loaded together: their cache misses overlap.
                if j % KEY_BLOCK as u64 == 0 {
                    let m = (n - j).min(KEY_BLOCK as u64) as usize;
                    for d in drawn.iter_mut().take(m) {
                        *d = (self.draw_key(), self.draw_size());
                        self.keys.touch(d.0);
                    }
                }
                let (key, size) = drawn[(j % KEY_BLOCK as u64) as usize];
                let rec = Pending {
                    rec_no: self.produced,
                    key,
                    size_bytes: size,
                };
                self.produced += 1;
                let info = self.lookup(key, stream);
                match self.cfg.api {
                    Api::PutRecord => {
                        out.push(Entry {
                            t_ms: t,
                            producer: self.index,
                            request,
                            attempt: 1,
                            record: rec,
                            info,
                        });
                        request += 1;
                    }
                    Api::PutRecords | Api::PutRecordBatch => {
                        let deadline = self.buffer_started_ms + self.cfg.batch_max_buffered_time_ms;
                        if !self.buffer.is_empty() && t >= deadline {
                            self.flush(deadline.max(now_ms), &mut request, out);
                        }
                        let bytes = u64::from(size) + u64::from(info.key_bytes);
                        if !self.buffer.is_empty()
                            && self.buffer_bytes + bytes > self.batch_bytes_max()
                        {
                            self.flush(t, &mut request, out);
                        }
                        if self.buffer.is_empty() {
                            self.buffer_started_ms = t;
                        }
                        self.buffer.push((rec, info));
                        self.buffer_bytes += bytes;
                        if self.buffer.len() >= self.cfg.batch_max_records as usize
                            || self.cfg.batch_max_buffered_time_ms == 0
                        {
                            self.flush(t, &mut request, out);
                        }
                    }
                }
            }
        }
        if !self.buffer.is_empty() {
            let deadline = self.buffer_started_ms + self.cfg.batch_max_buffered_time_ms;
            if deadline < end_ms {
                self.flush(deadline.max(now_ms), &mut request, out);
            }
        }
        // Retries and new records are each in time order; merge them.
        if retries_end > start && retries_end < out.len() {
            out[start..].sort_by_key(|e| e.t_ms);
        }
    }

    fn flush(&mut self, t_ms: u64, request: &mut u32, out: &mut Vec<Entry>) {
        for (r, info) in self.buffer.drain(..) {
            out.push(Entry {
                t_ms,
                producer: self.index,
                request: *request,
                attempt: 1,
                record: r,
                info,
            });
        }
        self.buffer_bytes = 0;
        *request += 1;
    }

    /// A batch request's byte limit: PutRecords 5 MiB, Firehose's PutRecordBatch 4 MiB.
    fn batch_bytes_max(&self) -> u64 {
        if self.firehose.is_some() {
            PUT_RECORD_BATCH_BYTES_MAX
        } else {
            PUT_RECORDS_BYTES_MAX
        }
    }

    /// The full-jitter wait before attempt `failed_attempt + 1`.
    pub fn backoff_ms(&mut self, failed_attempt: u32) -> u64 {
        let p = self.cfg.retry;
        let exp = p
            .base_delay_ms
            .saturating_mul(1u64 << (failed_attempt - 1).min(40))
            .min(p.max_backoff_ms);
        (self.retry_rng.unit() * exp as f64) as u64
    }

    /// Queues failed records to be sent again at `due_ms` as attempt `attempt`.
    pub fn schedule_retry(&mut self, due_ms: u64, attempt: u32, records: Vec<Pending>) {
        self.retrying_records += records.len() as u64;
        self.retry_serial += 1;
        self.retries
            .insert((due_ms, self.retry_serial), RetryBatch { attempt, records });
    }

    /// Adds one record to the newest retry batch (entries of one request share a batch).
    pub fn extend_last_retry(&mut self, due_ms: u64, record: Pending) {
        let batch = self
            .retries
            .get_mut(&(due_ms, self.retry_serial))
            .expect("the batch this request opened");
        batch.records.push(record);
        self.retrying_records += 1;
    }

    pub fn close_second(&mut self) {
        self.last_second = std::mem::take(&mut self.current);
    }

    pub(crate) fn digest_into(&self, h: &mut Fnv) {
        let (d1, n1) = self.rng.fingerprint();
        let (d2, n2) = self.retry_rng.fingerprint();
        for v in [
            u64::from(self.index),
            d1,
            n1,
            d2,
            n2,
            self.carry_milli,
            u64::from(self.cfg.records_per_second),
            u64::from(self.cfg.paused),
            self.produced,
            self.dropped_too_large,
            self.dropped_retries_exhausted,
            self.accepted_on_retry,
            self.buffer.len() as u64,
            self.buffer_started_ms,
            self.buffer_bytes,
            self.retry_serial,
            self.retrying_records,
            self.totals.attempted,
            self.totals.accepted,
            self.totals.throttled,
            self.totals.dropped,
        ] {
            h.u64(v);
        }
        if let KeyModel::HotKey { hot_key_share, .. } = self.cfg.keys {
            h.f64(hot_key_share);
        }
        for ((due, serial), b) in &self.retries {
            h.u64(*due);
            h.u64(*serial);
            h.u64(u64::from(b.attempt));
            for r in &b.records {
                h.u64(r.rec_no);
                h.u64(r.key);
            }
        }
    }
}

impl RouteCache {
    /// Loads key `key`'s entry, so a block of lookups overlaps its cache misses.
    fn touch(&self, key: u64) {
        std::hint::black_box(self.info.get(key as usize).copied());
    }

    fn new(model: &KeyModel) -> Self {
        let n = model.key_count() as usize;
        let zipf_thresholds = match model {
            KeyModel::Zipf {
                count, exponent, ..
            } => zipf_thresholds(*count, *exponent),
            _ => Vec::new(),
        };
        Self {
            info: vec![0; n],
            epoch: 0,
            zipf_thresholds,
        }
    }
}

/// Cumulative Zipf weights scaled to 0..2^64: key r (0-based) is drawn when a uniform u64 falls
/// below `thresholds[r]` and at or above `thresholds[r-1]`.
fn zipf_thresholds(count: u32, exponent: f64) -> Vec<u64> {
    let weights: Vec<f64> = (1..=count)
        .map(|r| 1.0 / libm::pow(f64::from(r), exponent))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut cum = 0.0;
    let scale = 18_446_744_073_709_551_616.0; // 2^64
    let mut out: Vec<u64> = weights
        .iter()
        .map(|w| {
            cum += w;
            let x = cum / total * scale;
            if x >= scale {
                u64::MAX
            } else {
                x as u64
            }
        })
        .collect();
    if let Some(last) = out.last_mut() {
        *last = u64::MAX;
    }
    out
}

/// For tests and the CLI: a stable 24-bit colour from any value.
pub fn colour_of(v: u64) -> u32 {
    (mix64(v) >> 40) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::producer::RetryPolicy;
    use crate::sim::stream::{StreamConfig, StreamMode};

    fn stream() -> Stream {
        Stream::new(&StreamConfig {
            name: "s".into(),
            shard_count: 4,
            retention_ms: 24 * 3_600_000,
            mode: StreamMode::Provisioned,
        })
    }

    fn cfg(keys: KeyModel, api: Api, rps: u32) -> ProducerConfig {
        ProducerConfig {
            name: "p".into(),
            stream_name: "s".into(),
            delivery_stream_name: None,
            record_template: None,
            records_per_second: rps,
            record_size: SizeModel::Fixed(100),
            keys,
            explicit_hash_key: None,
            traffic: Traffic::Steady,
            api,
            batch_max_records: 500,
            batch_max_buffered_time_ms: 100,
            retry: RetryPolicy::default(),
            paused: false,
        }
    }

    #[test]
    fn emits_the_rate_exactly_over_a_second() {
        let mut p = Producer::new(
            cfg(
                KeyModel::Uniform {
                    count: 10,
                    prefix: "k".into(),
                },
                Api::PutRecord,
                333,
            ),
            0,
            Some(0),
            None,
            1,
        );
        let mut out = Vec::new();
        for t in 0..10 {
            p.emit(t * 100, 100, Some(&stream()), &mut out);
        }
        // 33.3 per tick: the fraction is carried, so the second has exactly 333.
        assert_eq!(out.len(), 333);
        assert!(out.windows(2).all(|w| w[0].t_ms <= w[1].t_ms));
    }

    #[test]
    fn put_records_batches_hold_at_most_500_entries() {
        let mut p = Producer::new(
            cfg(
                KeyModel::Uniform {
                    count: 10,
                    prefix: "k".into(),
                },
                Api::PutRecords,
                20_000,
            ),
            0,
            Some(0),
            None,
            1,
        );
        let mut out = Vec::new();
        p.emit(0, 100, Some(&stream()), &mut out);
        assert_eq!(out.len(), 2000);
        let mut sizes = BTreeMap::new();
        for e in &out {
            *sizes.entry(e.request).or_insert(0) += 1;
        }
        assert!(sizes.values().all(|&n| n == 500), "{sizes:?}");
    }

    #[test]
    fn hot_key_takes_its_share() {
        let mut p = Producer::new(
            cfg(
                KeyModel::HotKey {
                    count: 100,
                    prefix: "u".into(),
                    hot_key: "hot".into(),
                    hot_key_share: 0.8,
                },
                Api::PutRecord,
                10_000,
            ),
            0,
            Some(0),
            None,
            9,
        );
        let mut out = Vec::new();
        p.emit(0, 1000, Some(&stream()), &mut out);
        let hot = out.iter().filter(|e| e.record.key == 100).count();
        assert!((7_800..=8_200).contains(&hot), "{hot}");
        assert_eq!(p.key_string(100), "hot");
        assert_eq!(p.key_bytes(100), 3);
        // Readers take key sizes from the route cache: the same as computing them.
        for k in 0..=100 {
            assert_eq!(p.cached_key_bytes(k), p.key_bytes(k), "key {k}");
        }
        assert_eq!(p.key_bytes(42), 3);
    }

    #[test]
    fn zipf_favours_the_first_ranks() {
        let mut p = Producer::new(
            cfg(
                KeyModel::Zipf {
                    count: 1000,
                    prefix: "player-".into(),
                    exponent: 1.0,
                },
                Api::PutRecord,
                20_000,
            ),
            0,
            Some(0),
            None,
            3,
        );
        let mut out = Vec::new();
        p.emit(0, 1000, Some(&stream()), &mut out);
        let first = out.iter().filter(|e| e.record.key == 0).count() as f64;
        // H(1000) ≈ 7.485, so rank 1 has ≈ 13.4% of the draws.
        let share = first / out.len() as f64;
        assert!((0.12..0.15).contains(&share), "{share}");
    }

    #[test]
    fn backoff_is_full_jitter_capped() {
        let mut p = Producer::new(
            cfg(KeyModel::Random, Api::PutRecord, 1),
            0,
            Some(0),
            None,
            5,
        );
        for attempt in 1..10 {
            let cap = (1000u64 << (attempt - 1)).min(20_000);
            for _ in 0..200 {
                assert!(p.backoff_ms(attempt) < cap);
            }
        }
    }
}
