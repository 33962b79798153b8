//! One shard: admission under the write limits, the record log, retention, the read limits.
//!
//! The record log is kept as *runs*: one run per shard per tick (count, bytes, first and last
//! arrival), merged into one run per second when the second ends, not one object per record, so
//! an hour of the `gaming` preset (72 million records) fits in a few tens of MB. Past
//! [`RUNS_PER_SHARD_MAX`] runs the oldest half is merged pairwise, so a shard's memory is
//! bounded whatever its retention: old records keep their count and bytes exactly, their
//! arrival times spread evenly over their run, and they expire record by record all the same. The newest
//! [`DETAIL_PER_SHARD`] records of each shard are also kept one by one, so a student can click
//! any record on the belt and see its key, hash key and sequence number.

use std::collections::VecDeque;

use crate::sim::base::digest::Fnv;
use crate::sim::base::hash::shard_id;
use crate::sim::base::limits::{
    DETAIL_PER_SHARD, GET_RECORDS_BYTES_MAX, GET_RECORDS_RECORDS_MAX, IDS_PER_SHARD_MAX,
    READ_BYTES_PER_SECOND, READ_CALLS_PER_SECOND, RUNS_PER_SHARD_MAX, WRITE_BYTES_PER_SECOND,
    WRITE_RECORDS_PER_SECOND,
};

/// Who a record is: its producer, the producer's serial number of it, and its key, so consumers
/// can check per-key order and applications can regenerate its contents from the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordId {
    pub producer: u16,
    pub rec_no: u64,
    pub key: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardState {
    Open,
    Closed,
    Expired,
}

impl ShardState {
    pub fn as_str(self) -> &'static str {
        match self {
            ShardState::Open => "OPEN",
            ShardState::Closed => "CLOSED",
            ShardState::Expired => "EXPIRED",
        }
    }
}

/// Records of one shard that arrived in one tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub first_index: u64,
    pub count: u32,
    pub bytes: u64,
    pub first_arrival_ms: u64,
    pub last_arrival_ms: u64,
}

impl Run {
    /// Bytes of the records `[first_index, first_index + k)` of this run. Sizes inside a run are
    /// not stored; the run's bytes are spread evenly, so the prefix sums add up exactly.
    fn prefix_bytes(&self, k: u64) -> u64 {
        debug_assert!(k <= u64::from(self.count));
        ((u128::from(self.bytes) * u128::from(k)) / u128::from(self.count)) as u64
    }

    /// This run followed by the `next` one, as one run (None if its count would not fit).
    fn join(&self, next: &Run) -> Option<Run> {
        debug_assert_eq!(self.first_index + u64::from(self.count), next.first_index);
        Some(Run {
            first_index: self.first_index,
            count: self.count.checked_add(next.count)?,
            bytes: self.bytes + next.bytes,
            first_arrival_ms: self.first_arrival_ms,
            last_arrival_ms: next.last_arrival_ms,
        })
    }

    /// Whether record `index` is in this run.
    pub fn holds(&self, index: u64) -> bool {
        (self.first_index..self.first_index + u64::from(self.count)).contains(&index)
    }

    /// Arrival of record `index` of this run (exact for the first and last; between them, spread
    /// evenly, which is how producers space records within a tick).
    pub fn arrival_of(&self, index: u64) -> u64 {
        let k = index - self.first_index;
        if self.count <= 1 {
            return self.first_arrival_ms;
        }
        let span = self.last_arrival_ms - self.first_arrival_ms;
        self.first_arrival_ms + span * k / u64::from(self.count - 1)
    }
}

/// The arrival times of consecutive retained records, walking the runs once: the same values
/// as [`Run::arrival_of`], with each run's even spread kept as a quotient and a running
/// remainder, so a record costs an addition, not a search and a division.
pub struct Arrivals<'a> {
    runs: &'a VecDeque<Run>,
    /// The run of the next record (`usize::MAX`: none), and that record's index.
    run: usize,
    next_index: u64,
    /// Records of that run still to come, the next one included.
    left: u64,
    value: u64,
    quotient: u64,
    remainder: u64,
    divisor: u64,
    /// `span·k mod divisor` for the next record `k` of the run.
    acc: u64,
}

impl Arrivals<'_> {
    /// Starts at record `k` of run `i`.
    fn enter(&mut self, i: usize, k: u64) {
        let r = self.runs[i];
        self.run = i;
        self.next_index = r.first_index + k;
        self.left = u64::from(r.count) - k;
        let span = r.last_arrival_ms - r.first_arrival_ms;
        self.divisor = u64::from(r.count.max(2) - 1);
        if r.count <= 1 {
            (self.quotient, self.remainder, self.acc) = (0, 0, 0);
            self.value = r.first_arrival_ms;
            return;
        }
        self.quotient = span / self.divisor;
        self.remainder = span % self.divisor;
        let scaled = u128::from(span) * u128::from(k);
        self.value = r.first_arrival_ms + (scaled / u128::from(self.divisor)) as u64;
        self.acc = (scaled % u128::from(self.divisor)) as u64;
    }

    /// The next record's arrival (None past the newest record).
    pub fn next_arrival(&mut self) -> Option<u64> {
        if self.run >= self.runs.len() {
            return None;
        }
        let v = self.value;
        self.next_index += 1;
        self.left -= 1;
        if self.left == 0 {
            if self.run + 1 < self.runs.len() {
                self.enter(self.run + 1, 0);
            } else {
                self.run = usize::MAX;
            }
        } else {
            self.value += self.quotient;
            self.acc += self.remainder;
            if self.acc >= self.divisor {
                self.acc -= self.divisor;
                self.value += 1;
            }
        }
        Some(v)
    }

    /// The arrival of retained record `index` (None if it is not retained): a step when it is
    /// the record after the last one asked for, as it is along a read; else a search.
    pub fn at(&mut self, index: u64) -> Option<u64> {
        if self.run >= self.runs.len() || index != self.next_index {
            let first = self.runs.front()?.first_index;
            let last = self.runs.back()?;
            if index < first || index >= last.first_index + u64::from(last.count) {
                return None;
            }
            let i = self.runs.partition_point(|r| r.first_index <= index) - 1;
            self.enter(i, index - self.runs[i].first_index);
        }
        self.next_arrival()
    }
}

/// A record kept one by one (the newest of its shard).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detail {
    pub index: u64,
    pub arrival_ms: u64,
    pub producer: u16,
    pub key: u64,
    pub rec_no: u64,
    pub size_bytes: u32,
    pub key_colour: u32,
    /// When every consumer of the stream had read it; `u64::MAX` = not yet.
    pub read_at_ms: u64,
}

/// Counters of one simulated second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SecondCounters {
    pub incoming_records: u64,
    pub incoming_bytes: u64,
    pub write_throttled: u64,
    pub read_throttled: u64,
    pub iterator_age_ms_max: u64,
}

impl SecondCounters {
    pub fn add(&mut self, o: &SecondCounters) {
        self.incoming_records += o.incoming_records;
        self.incoming_bytes += o.incoming_bytes;
        self.write_throttled += o.write_throttled;
        self.read_throttled += o.read_throttled;
        self.iterator_age_ms_max = self.iterator_age_ms_max.max(o.iterator_age_ms_max);
    }
}

/// Records taken in one read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Taken {
    pub count: u64,
    pub bytes: u64,
    /// Arrival of the last record taken (None: nothing new).
    pub last_arrival_ms: Option<u64>,
    /// Sum of the arrival times of the records taken, for mean delivery delays.
    pub arrival_sum_ms: u128,
}

/// What a GetRecords call got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// Refused: ReadProvisionedThroughputExceeded.
    Throttled,
    Records(Taken),
}

#[derive(Clone, Debug)]
pub struct Shard {
    pub index: u32,
    pub starting_hash_key: u128,
    pub ending_hash_key: u128,
    pub state: ShardState,
    /// Shard positions of the parents (one after a split, two after a merge, none at creation).
    pub parents: Vec<u32>,
    /// When resharding closed it (no more writes; still readable until its records expire).
    pub closed_at_ms: Option<u64>,
    /// On-demand: whole seconds in a row above the split threshold.
    pub hot_seconds: u32,
    /// Whether the shard is in a throttling episode (for "started/stopped" notes), and the
    /// whole seconds since it last throttled.
    pub throttling: bool,
    pub calm_seconds: u32,
    /// Index of the oldest retained record.
    pub log_start: u64,
    /// Index the next accepted record gets.
    pub log_end: u64,
    runs: VecDeque<Run>,
    /// The newest records one by one: record `i` in slot `i % DETAIL_PER_SHARD`, for
    /// `detail_start <= i < log_end` (a ring written in place: no record is moved or popped).
    detail: Vec<Detail>,
    detail_start: u64,
    /// Identities of records `ids_start ..` (see [`IDS_PER_SHARD_MAX`]).
    ids: VecDeque<RecordId>,
    ids_start: u64,
    write_window_second: u64,
    write_window_records: u32,
    write_window_bytes: u64,
    read_window_second: u64,
    read_window_calls: u32,
    /// Theoretical arrival time of the read-byte budget, in µs: a call of B bytes uses
    /// B / 2 MiB seconds of the shard's read time; calls are refused until that time has passed
    /// (so one 10 MiB read refuses the next 5 s of calls, as AWS documents).
    read_busy_until_us: u64,
    /// Read time the last successful call used, µs.
    last_read_cost_us: u64,
    /// Records below it have been read by every consumer of the stream, or have expired.
    pub frontier: u64,
    pub read_total: u64,
    pub expired_unread_total: u64,
    pub expired_total: u64,
    pub incoming_records_total: u64,
    pub incoming_bytes_total: u64,
    pub write_throttled_total: u64,
    pub read_throttled_total: u64,
    pub current: SecondCounters,
    pub last_second: SecondCounters,
}

impl Shard {
    pub(super) fn new(index: u32, range: (u128, u128)) -> Self {
        Self {
            index,
            starting_hash_key: range.0,
            ending_hash_key: range.1,
            state: ShardState::Open,
            parents: Vec::new(),
            closed_at_ms: None,
            hot_seconds: 0,
            throttling: false,
            calm_seconds: 0,
            log_start: 0,
            log_end: 0,
            runs: VecDeque::new(),
            detail: Vec::new(),
            detail_start: 0,
            ids: VecDeque::new(),
            ids_start: 0,
            write_window_second: 0,
            write_window_records: 0,
            write_window_bytes: 0,
            read_window_second: 0,
            read_window_calls: 0,
            read_busy_until_us: 0,
            last_read_cost_us: 0,
            frontier: 0,
            read_total: 0,
            expired_unread_total: 0,
            expired_total: 0,
            incoming_records_total: 0,
            incoming_bytes_total: 0,
            write_throttled_total: 0,
            read_throttled_total: 0,
            current: SecondCounters::default(),
            last_second: SecondCounters::default(),
        }
    }

    pub fn shard_id(&self) -> String {
        shard_id(self.index)
    }

    /// Records accepted so far in the current write window (for the page's gauges).
    pub fn window(&self, now_ms: u64) -> (u32, u64) {
        if self.write_window_second == now_ms / 1000 {
            (self.write_window_records, self.write_window_bytes)
        } else {
            (0, 0)
        }
    }

    /// Tries to take one record of `bytes` (data + key) at `t_ms`; false = throttled
    /// (ProvisionedThroughputExceeded). The limits hold per whole simulated second.
    pub fn try_admit(&mut self, t_ms: u64, bytes: u64) -> bool {
        let second = t_ms / 1000;
        if second != self.write_window_second {
            self.write_window_second = second;
            self.write_window_records = 0;
            self.write_window_bytes = 0;
        }
        if self.write_window_records >= WRITE_RECORDS_PER_SECOND
            || self.write_window_bytes + bytes > WRITE_BYTES_PER_SECOND
        {
            self.write_throttled_total += 1;
            self.current.write_throttled += 1;
            return false;
        }
        self.write_window_records += 1;
        self.write_window_bytes += bytes;
        true
    }

    /// Appends an admitted record; returns its index in the shard. Records of one tick (from
    /// `tick_start_ms` on) join the same run.
    pub fn append(&mut self, t_ms: u64, tick_start_ms: u64, bytes: u64, mut detail: Detail) -> u64 {
        let index = self.log_end;
        self.log_end += 1;
        match self.runs.back_mut() {
            Some(run) if run.first_arrival_ms >= tick_start_ms => {
                debug_assert!(t_ms >= run.last_arrival_ms);
                run.count += 1;
                run.bytes += bytes;
                run.last_arrival_ms = t_ms;
            }
            _ => self.runs.push_back(Run {
                first_index: index,
                count: 1,
                bytes,
                first_arrival_ms: t_ms,
                last_arrival_ms: t_ms,
            }),
        }
        detail.index = index;
        detail.arrival_ms = t_ms;
        debug_assert_eq!(self.ids_start + self.ids.len() as u64, index);
        if self.ids.len() >= IDS_PER_SHARD_MAX {
            self.ids.pop_front();
            self.ids_start += 1;
        }
        self.ids.push_back(RecordId {
            producer: detail.producer,
            rec_no: detail.rec_no,
            key: detail.key,
        });
        if self.detail.len() < DETAIL_PER_SHARD {
            self.detail.resize(DETAIL_PER_SHARD, detail);
        }
        self.detail[index as usize % DETAIL_PER_SHARD] = detail;
        self.detail_start = self
            .detail_start
            .max((index + 1).saturating_sub(DETAIL_PER_SHARD as u64));
        self.incoming_records_total += 1;
        self.incoming_bytes_total += bytes;
        self.current.incoming_records += 1;
        self.current.incoming_bytes += bytes;
        index
    }

    /// Drops every run whose newest record arrived at least `retention_ms` ago. Runs of one
    /// second or less go whole, so a record outlives its retention by less than a second; a
    /// coarser run (merged when the shard had many) loses its expired records one by one.
    pub fn expire(&mut self, now_ms: u64, retention_ms: u64) -> u64 {
        let mut expired = 0;
        while let Some(run) = self.runs.front() {
            if run.last_arrival_ms + retention_ms > now_ms {
                break;
            }
            expired += u64::from(run.count);
            self.log_start = run.first_index + u64::from(run.count);
            self.runs.pop_front();
        }
        expired += self.expire_inside_coarse_run(now_ms, retention_ms);
        self.detail_start = self.detail_start.max(self.log_start);
        self.trim_ids_below(self.log_start);
        self.expired_total += expired;
        expired
    }

    /// The expired records at the front of the oldest run, when that run spans more than a
    /// second: records of the whole seconds before `now_ms − retention_ms` go, the rest stays
    /// (as a run of one second goes whole, so a record outlives its retention by less than a
    /// second either way).
    fn expire_inside_coarse_run(&mut self, now_ms: u64, retention_ms: u64) -> u64 {
        let Some(&run) = self.runs.front() else {
            return 0;
        };
        let Some(cutoff) = now_ms.checked_sub(retention_ms) else {
            return 0;
        };
        let second_start_ms = cutoff / 1000 * 1000;
        if run.last_arrival_ms - run.first_arrival_ms <= 1000
            || run.first_arrival_ms >= second_start_ms
        {
            return 0;
        }
        let k = self.index_arrived_before(second_start_ms) - run.first_index;
        debug_assert!(
            k < u64::from(run.count),
            "the run's newest record is not expired"
        );
        if k == 0 {
            return 0;
        }
        let rest = Run {
            first_index: run.first_index + k,
            count: run.count - k as u32,
            bytes: run.bytes - run.prefix_bytes(k),
            first_arrival_ms: run.arrival_of(run.first_index + k),
            last_arrival_ms: run.last_arrival_ms,
        };
        self.runs[0] = rest;
        self.log_start = rest.first_index;
        k
    }

    /// Past [`RUNS_PER_SHARD_MAX`] runs, the oldest half is merged pairwise: the log keeps its
    /// counts and bytes, and the newest half keeps every second apart.
    fn coarsen(&mut self) {
        let pairs = self.runs.len() / 4;
        let mut runs = VecDeque::with_capacity(self.runs.len());
        let mut old = self.runs.drain(..);
        for _ in 0..pairs {
            let (a, b) = (old.next().expect("pair"), old.next().expect("pair"));
            match a.join(&b) {
                Some(ab) => runs.push_back(ab),
                None => runs.extend([a, b]),
            }
        }
        runs.extend(old);
        self.runs = runs;
    }

    /// Forgets the identities of records below `index` (no consumer will process them again).
    pub fn trim_ids_below(&mut self, index: u64) {
        let n = index
            .saturating_sub(self.ids_start)
            .min(self.ids.len() as u64);
        if n > 0 {
            self.ids.drain(..n as usize);
            self.ids_start += n;
        }
        debug_assert_eq!(self.ids_start + self.ids.len() as u64, self.log_end);
    }

    /// The identity of record `index`, if still kept.
    pub fn id_of(&self, index: u64) -> Option<&RecordId> {
        index
            .checked_sub(self.ids_start)
            .and_then(|k| self.ids.get(k as usize))
    }

    fn run_holding(&self, index: u64) -> Option<usize> {
        if index < self.log_start || index >= self.log_end {
            return None;
        }
        let i = self.runs.partition_point(|r| r.first_index <= index);
        Some(i - 1)
    }

    /// The run holding a retained record.
    pub fn run_of(&self, index: u64) -> Option<Run> {
        self.run_holding(index).map(|i| self.runs[i])
    }

    /// The arrival times of the records from `index` on, in order (see [`Arrivals`]).
    pub fn arrivals(&self, index: u64) -> Arrivals<'_> {
        let mut a = Arrivals {
            runs: &self.runs,
            run: usize::MAX,
            next_index: 0,
            left: 0,
            value: 0,
            quotient: 0,
            remainder: 0,
            divisor: 1,
            acc: 0,
        };
        if let Some(i) = self.run_holding(index) {
            a.enter(i, index - self.runs[i].first_index);
        }
        a
    }

    /// Arrival time of a retained record.
    pub fn arrival_of(&self, index: u64) -> Option<u64> {
        if let Some(d) = self.detail_of(index) {
            return Some(d.arrival_ms);
        }
        self.run_holding(index)
            .map(|i| self.runs[i].arrival_of(index))
    }

    pub fn detail_of(&self, index: u64) -> Option<&Detail> {
        (self.detail_start..self.log_end)
            .contains(&index)
            .then(|| &self.detail[index as usize % DETAIL_PER_SHARD])
    }

    /// The records kept one by one, oldest first.
    pub fn details(&self) -> impl DoubleEndedIterator<Item = &Detail> {
        (self.detail_start..self.log_end).map(|i| &self.detail[i as usize % DETAIL_PER_SHARD])
    }

    /// Identities kept (for per-key order checks), at most its share of the ids budget.
    pub fn ids_kept(&self) -> usize {
        self.ids.len()
    }

    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// Takes records from `*position` on: at most `max_records`, at most `max_bytes` (but at
    /// least one record if any is there), and only records that arrived before `before_ms`.
    /// Moves `*position`. The shared read limits are the caller's business.
    fn take(&self, position: &mut u64, max_records: u64, max_bytes: u64, before_ms: u64) -> Taken {
        *position = (*position).max(self.log_start);
        let mut t = Taken::default();
        let mut pos = *position;
        let end = self.index_arrived_before(before_ms);
        let limit = max_records.min(end.saturating_sub(pos));
        if let Some(mut i) = self.run_holding(pos) {
            while i < self.runs.len() && t.count < limit {
                let run = self.runs[i];
                let from = pos - run.first_index;
                let available = u64::from(run.count) - from;
                let mut take = available.min(limit - t.count);
                let base = run.prefix_bytes(from);
                // A first record bigger than the limit is still taken (at least one a call), so
                // the bytes taken can pass the limit: nothing more then.
                let room = max_bytes.saturating_sub(t.bytes);
                if room == 0 {
                    break;
                }
                if run.prefix_bytes(from + take) - base > room {
                    take = (u128::from(room) * u128::from(run.count) / u128::from(run.bytes.max(1)))
                        as u64;
                    take = take.min(available);
                    while take > 0 && run.prefix_bytes(from + take) - base > room {
                        take -= 1;
                    }
                    if take == 0 && t.count == 0 {
                        take = 1;
                    }
                }
                if take == 0 {
                    break;
                }
                t.count += take;
                t.bytes += run.prefix_bytes(from + take) - base;
                // Arrivals inside a run are spread evenly: the mean of a stretch is the mean of
                // its ends.
                let (a, b) = (run.arrival_of(pos), run.arrival_of(pos + take - 1));
                t.arrival_sum_ms += u128::from(take) * u128::from(a + b) / 2;
                pos += take;
                if take < available {
                    break;
                }
                i += 1;
            }
        }
        if t.count > 0 {
            t.last_arrival_ms = self.arrival_of(pos - 1);
        }
        *position = pos;
        t
    }

    /// The first record index that arrived at or after `t_ms` (log_end if none did).
    pub fn index_arrived_before(&self, t_ms: u64) -> u64 {
        // Runs are in arrival order; find the first run whose newest record is at or after t.
        let i = self.runs.partition_point(|r| r.last_arrival_ms < t_ms);
        let Some(run) = self.runs.get(i) else {
            return self.log_end;
        };
        if run.first_arrival_ms >= t_ms {
            return run.first_index;
        }
        // Inside the run: arrival_of(k) = first + span·k/(count−1) < t.
        let span = run.last_arrival_ms - run.first_arrival_ms;
        let n = u64::from(run.count - 1);
        let k = ((t_ms - run.first_arrival_ms) * n).div_ceil(span.max(1));
        run.first_index + k.min(n)
    }

    /// One GetRecords call at `t_ms` from `*position`, within the shard's shared read limits
    /// and the call's limits (at most `max_records`, at most 10 MiB). Moves `*position`.
    pub fn get_records(&mut self, t_ms: u64, position: &mut u64, max_records: u32) -> ReadOutcome {
        let second = t_ms / 1000;
        if second != self.read_window_second {
            self.read_window_second = second;
            self.read_window_calls = 0;
        }
        let t_us = t_ms * 1000;
        // Up to a second of read time may be owed (small reads of several consumers close
        // together pass), less after a big read: after a 10 MiB read (5 s of read time) none,
        // so the next 5 s of calls are refused, as AWS documents.
        let tolerance_us = 1_000_000u64.saturating_sub(self.last_read_cost_us);
        if self.read_window_calls >= READ_CALLS_PER_SECOND
            || self.read_busy_until_us > t_us + tolerance_us
        {
            // A refused call still counts toward the 5 calls per second.
            self.read_window_calls = (self.read_window_calls + 1).min(READ_CALLS_PER_SECOND);
            self.read_throttled_total += 1;
            self.current.read_throttled += 1;
            return ReadOutcome::Throttled;
        }
        self.read_window_calls += 1;
        let limit = u64::from(max_records.min(GET_RECORDS_RECORDS_MAX));
        let t = self.take(position, limit, GET_RECORDS_BYTES_MAX, t_ms);
        let cost_us = t.bytes * 1_000_000 / READ_BYTES_PER_SECOND;
        self.read_busy_until_us = self.read_busy_until_us.max(t_us) + cost_us;
        self.last_read_cost_us = cost_us;
        ReadOutcome::Records(t)
    }

    /// Enhanced fan-out: records pushed to one subscriber at `now_ms`, from its own 2 MiB/s
    /// (its budget `*busy_until_us`, with up to a second of burst), of records that arrived at
    /// least `propagation_ms` ago. Touches none of the shard's shared read limits.
    pub fn push_records(
        &self,
        now_ms: u64,
        position: &mut u64,
        busy_until_us: &mut u64,
        max_records: u64,
        propagation_ms: u64,
    ) -> Taken {
        let now_us = now_ms * 1000;
        let start_us = (*busy_until_us).max(now_us.saturating_sub(1_000_000));
        if start_us >= now_us {
            return Taken::default();
        }
        let budget = (now_us - start_us) * READ_BYTES_PER_SECOND / 1_000_000;
        let before = now_ms.saturating_sub(propagation_ms) + 1;
        let t = self.take(position, max_records, budget.max(1), before);
        *busy_until_us = start_us + t.bytes * 1_000_000 / READ_BYTES_PER_SECOND;
        t
    }

    /// Marks the records newly read by every consumer (below `new_frontier`).
    pub fn advance_frontier(&mut self, new_frontier: u64, at_ms: u64) {
        if new_frontier <= self.frontier {
            return;
        }
        self.read_total += new_frontier - self.frontier;
        for idx in self.frontier.max(self.detail_start)..new_frontier.min(self.log_end) {
            self.detail[idx as usize % DETAIL_PER_SHARD].read_at_ms = at_ms;
        }
        self.frontier = new_frontier;
    }

    /// After expiry: records below `log_start` that not every consumer had read are lost.
    pub fn clamp_frontier(&mut self) -> u64 {
        if self.frontier >= self.log_start {
            return 0;
        }
        let lost = self.log_start - self.frontier;
        self.expired_unread_total += lost;
        self.frontier = self.log_start;
        lost
    }

    /// Ends simulated second `second`: its counters become `last_second`, and its runs (one per
    /// tick) are merged into one, so a day of retention costs 86,400 runs a shard rather than
    /// 864,000. Reads and expiry then work to the second within that second's records. Keeps
    /// at most `ids_kept` identities (the shard's share of [`crate::sim::base::limits::IDS_TOTAL_MAX`]).
    pub fn close_second(&mut self, second: u64, ids_kept: usize) -> SecondCounters {
        while self.ids.len() > ids_kept {
            self.ids.pop_front();
            self.ids_start += 1;
        }
        let in_second = |r: &Run| r.first_arrival_ms / 1000 == second;
        let k = self.runs.iter().rev().take_while(|r| in_second(r)).count();
        if k > 1 {
            let mut merged = self.runs.pop_back().expect("k > 1 runs");
            for _ in 1..k {
                let earlier = self.runs.pop_back().expect("k > 1 runs");
                merged.first_index = earlier.first_index;
                merged.first_arrival_ms = earlier.first_arrival_ms;
                merged.count += earlier.count;
                merged.bytes += earlier.bytes;
            }
            self.runs.push_back(merged);
        }
        if self.runs.len() > RUNS_PER_SHARD_MAX {
            self.coarsen();
        }
        self.last_second = std::mem::take(&mut self.current);
        self.last_second
    }

    pub(crate) fn digest_into(&self, h: &mut Fnv) {
        h.u64(u64::from(self.index));
        h.u128(self.starting_hash_key);
        h.u128(self.ending_hash_key);
        h.u64(self.state as u64);
        h.u64(self.closed_at_ms.map_or(u64::MAX, |t| t));
        h.u64(u64::from(self.hot_seconds));
        h.u64(u64::from(self.throttling));
        h.u64(u64::from(self.calm_seconds));
        for p in &self.parents {
            h.u64(u64::from(*p));
        }
        for v in [
            self.log_start,
            self.log_end,
            self.runs.len() as u64,
            self.write_window_second,
            u64::from(self.write_window_records),
            self.write_window_bytes,
            self.read_window_second,
            u64::from(self.read_window_calls),
            self.read_busy_until_us,
            self.last_read_cost_us,
            self.ids_start,
            self.ids.len() as u64,
            self.frontier,
            self.read_total,
            self.expired_unread_total,
            self.expired_total,
            self.incoming_records_total,
            self.incoming_bytes_total,
            self.write_throttled_total,
            self.read_throttled_total,
        ] {
            h.u64(v);
        }
        if let Some(r) = self.runs.back() {
            h.u64(r.first_index);
            h.u64(r.bytes);
            h.u64(r.last_arrival_ms);
        }
        for d in self.details() {
            h.u64(d.index ^ d.key.rotate_left(17) ^ d.arrival_ms.rotate_left(41));
            h.u64(u64::from(d.size_bytes) | (u64::from(d.producer) << 32));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail() -> Detail {
        Detail {
            index: 0,
            arrival_ms: 0,
            producer: 0,
            key: 0,
            rec_no: 0,
            size_bytes: 0,
            key_colour: 0,
            read_at_ms: u64::MAX,
        }
    }

    #[test]
    fn write_limit_is_1000_records_per_second() {
        let mut s = Shard::new(0, (0, u128::MAX));
        let ok = (0..1500).filter(|i| s.try_admit(i * 2 / 3, 10)).count();
        assert_eq!(ok, 1000);
        // A new second opens the window again.
        assert!(s.try_admit(1000, 10));
    }

    #[test]
    fn write_limit_is_one_mib_per_second_including_the_key() {
        let mut s = Shard::new(0, (0, u128::MAX));
        // 2,048 data bytes + an 8-byte key: 1,048,576 / 2,056 = 510 records fit.
        let ok = (0..1000).filter(|_| s.try_admit(5, 2056)).count();
        assert_eq!(ok, 510);
    }

    #[test]
    fn a_ten_mib_read_refuses_the_next_five_seconds_of_calls() {
        let mut s = Shard::new(0, (0, u128::MAX));
        for t in 0..10u64 {
            assert!(s.try_admit(t * 1000, 1_048_576));
            s.append(t * 1000, t * 1000, 1_048_576, detail());
        }
        let mut pos = 0;
        let got = s.get_records(10_000, &mut pos, 10_000);
        let ReadOutcome::Records(t) = got else {
            panic!("{got:?}")
        };
        assert_eq!((t.count, t.bytes), (10, 10 * 1_048_576));
        assert_eq!(t.last_arrival_ms, Some(9_000));
        for t in [11_000, 12_000, 13_000, 14_000, 14_999] {
            assert_eq!(
                s.get_records(t, &mut pos, 10_000),
                ReadOutcome::Throttled,
                "{t}"
            );
        }
        assert!(matches!(
            s.get_records(15_000, &mut pos, 10_000),
            ReadOutcome::Records(Taken { count: 0, .. })
        ));
    }

    #[test]
    fn at_most_five_calls_per_second() {
        let mut s = Shard::new(0, (0, u128::MAX));
        let mut pos = 0;
        let results: Vec<bool> = (0..7)
            .map(|i| s.get_records(i * 100, &mut pos, 100) != ReadOutcome::Throttled)
            .collect();
        assert_eq!(results, [true, true, true, true, true, false, false]);
        assert_ne!(s.get_records(1000, &mut pos, 100), ReadOutcome::Throttled);
    }

    /// A shard with runs of every shape: ticks of several records at uneven times, single
    /// records, seconds closed into one run, some expired (so the oldest run is cut inside).
    fn shard_with_runs() -> Shard {
        let mut s = Shard::new(0, (0, u128::MAX));
        for tick in 0..60u64 {
            let start = tick * 100;
            let n = [0, 1, 2, 7, 13, 40][(tick % 6) as usize];
            for j in 0..n {
                // Uneven spacing: arrival_of spreads a run evenly, so the walk must follow it.
                let t = start + j * j * 99 / (n * n).max(1);
                s.append(t, start, 100 + j, detail());
            }
            if (tick + 1) % 10 == 0 {
                s.close_second(tick / 10, IDS_PER_SHARD_MAX);
            }
        }
        s.expire(2_450, 1_000);
        s
    }

    #[test]
    fn walking_arrivals_gives_the_times_arrival_of_gives() {
        // The walk replaced a search and a division per record (issue #11): it must agree with
        // the per-record arithmetic for every record, from any starting record, across runs.
        let s = shard_with_runs();
        assert!(s.runs.len() > 3 && s.log_start > 0);
        for from in s.log_start..s.log_end {
            let mut walk = s.arrivals(from);
            for i in from..s.log_end {
                let want = s.run_of(i).map(|r| r.arrival_of(i));
                assert_eq!(walk.next_arrival(), want, "from {from}, record {i}");
            }
            assert_eq!(walk.next_arrival(), None, "past the newest record");
        }
        // `at` jumps anywhere, forwards and back, and says None outside the log.
        let mut walk = s.arrivals(u64::MAX);
        for i in [
            s.log_end - 1,
            s.log_start,
            s.log_start + 1,
            s.log_start + 7,
            0,
            s.log_end,
        ] {
            let want = s.run_of(i).map(|r| r.arrival_of(i));
            assert_eq!(walk.at(i), want, "record {i}");
        }
    }

    #[test]
    fn the_detail_ring_keeps_the_newest_records_and_forgets_expired_ones() {
        let mut s = Shard::new(0, (0, u128::MAX));
        let n = DETAIL_PER_SHARD as u64 * 3 + 5;
        for i in 0..n {
            let mut d = detail();
            d.key = i * 7;
            s.append(i, i / 100 * 100, 10, d);
        }
        let kept: Vec<u64> = s.details().map(|d| d.index).collect();
        let want: Vec<u64> = (n - DETAIL_PER_SHARD as u64..n).collect();
        assert_eq!(kept, want);
        assert!(s
            .details()
            .all(|d| d.key == d.index * 7 && d.arrival_ms == d.index));
        assert!(s.detail_of(n - DETAIL_PER_SHARD as u64 - 1).is_none());
        assert_eq!(s.detail_of(n - 1).map(|d| d.index), Some(n - 1));
        // Newest first, as the belt reads them.
        assert_eq!(s.details().next_back().map(|d| d.index), Some(n - 1));
        // Expiry moves the ring's start with the log's.
        s.expire(n - 100 + 1000, 1000);
        assert!(s.details().all(|d| d.index >= s.log_start));
        assert_eq!(
            s.details().count() as u64,
            s.log_end - s.log_start.max(n - 512)
        );
    }
}
