//! The world: every stream, producer and consumer, advanced in fixed ticks.
//!
//! Phase order of one tick `[now, now + tick_ms)` (see [`World::step`]):
//! 1. commands queued since the last tick, and scenario commands due, are applied;
//! 2. retention: runs older than the retention period are trimmed; records that not every
//!    consumer had read are counted as expired unread;
//! 3. enhanced fan-out subscriptions get what arrived at least 70 ms ago; producers make this
//!    tick's entries (new records, PutRecords batches, retries due), in time order;
//! 4. entries and consumer polls due in the tick are carried out merged in time order (a poll at
//!    `t` sees the records that arrived before `t`): each entry is routed by its hash key to an
//!    OPEN shard, admitted under the write limits or throttled (retried with backoff, dropped
//!    when attempts run out); each poll is one GetRecords call within the read limits;
//! 5. the read frontier of every shard moves to the slowest consumer's position;
//! 6. time advances by one tick; when a whole second has just ended, it is closed into the
//!    per-second metrics.

use std::collections::VecDeque;

use super::app::{Lazy, Seen};
use super::consumer::{Consumer, FAN_OUT_PROPAGATION_MS};
use super::digest::Fnv;
use super::firehose::{BatchJob, Firehose, RecordLines, S3Object, Sample, Transform};
use super::lambda::{LambdaState, Queued};
use super::producer::{Entry, Pending, Producer};
use super::rng::{mix64, sub_seed, Purpose};
use super::scenario::{
    Command, ConsumerConfig, ConsumerKind, ProducerConfig, Scenario, ScheduledCommand, ShardOrder,
    StartingPosition,
};
use super::stream::{
    sequence_number, Detail, ReadOutcome, RecordId, Reshard, SecondCounters, ShardState, Stream,
    RECORD_BYTES_MAX, WRITE_BYTES_PER_SECOND, WRITE_RECORDS_PER_SECOND,
};

/// "1 record", "2 records".
fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Counts bytes a consumer read (without counting the records as delivered yet).
fn lane_bytes_read(c: &mut Consumer, s: usize, bytes: u64) {
    c.lanes[s].bytes_read += bytes;
}

/// Firehose takes records of at most 1,000 KiB.
pub const FIREHOSE_RECORD_BYTES_MAX: u64 = 1_000 * 1024;

/// Up to this much is added to each poll interval (deterministically), as real pollers drift.
pub const POLL_JITTER_MS: u64 = 50;

/// Notes kept for the page's event feed.
pub const NOTES_KEPT: usize = 256;

/// Something a student should notice, in plain words.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub seq: u64,
    pub t_ms: u64,
    pub kind: &'static str,
    pub text: String,
}

/// Write events kept for the page (throttles, drops, retries that got through).
pub const EVENTS_KEPT: usize = 1_024;
/// Per-second stream metrics kept (a day).
pub const METRIC_SECONDS_KEPT: usize = 86_400;
/// Commands remembered in the log of a run.
pub const COMMAND_LOG_MAX: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteEventKind {
    /// Refused (ProvisionedThroughputExceeded); it will be sent again.
    Throttled = 0,
    /// Given up: attempts used up, or the record is over 1 MiB.
    Dropped = 1,
    /// Accepted on a second or later attempt.
    AcceptedOnRetry = 2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteEvent {
    pub seq: u64,
    pub t_ms: u64,
    pub producer: u16,
    /// Lane = position of the shard among all shards of all streams.
    pub lane: u32,
    pub kind: WriteEventKind,
    pub key_colour: u32,
}

/// Where every record produced is, right now. The parts are counted from the state; `produced`
/// is counted when records are made, so a lost or doubled record shows as an imbalance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Ledger {
    pub produced: u64,
    /// In a producer's PutRecords buffer, not yet sent.
    pub producer_buffered: u64,
    /// Throttled, waiting to be sent again.
    pub retrying: u64,
    /// In a shard, not yet read by every consumer of the stream.
    pub in_shard_unread: u64,
    /// Read by every consumer of its stream.
    pub read: u64,
    /// Trimmed by retention before every consumer had read it.
    pub expired_unread: u64,
    /// Given up by its producer.
    pub dropped: u64,
    /// Written by Direct PUT to a Firehose: in its buffer …
    pub firehose_buffered: u64,
    /// … in an object waiting for S3 (an outage) …
    pub firehose_retrying: u64,
    /// … in S3 …
    pub in_s3: u64,
    /// … dropped by its transform Lambda on purpose …
    pub transform_dropped: u64,
    /// … or lost after 24 hours of S3 being unavailable. (Records a Firehose reads from a
    /// stream are counted in the stream; its copies have their own ledger.)
    pub firehose_lost: u64,
}

impl Ledger {
    pub fn accounted(&self) -> u64 {
        self.producer_buffered
            + self.retrying
            + self.in_shard_unread
            + self.read
            + self.expired_unread
            + self.dropped
            + self.firehose_buffered
            + self.firehose_retrying
            + self.in_s3
            + self.firehose_lost
            + self.transform_dropped
    }
    pub fn balanced(&self) -> bool {
        self.accounted() == self.produced
    }
}

/// One simulated second of one stream, under CloudWatch's metric names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StreamSecond {
    pub second: u64,
    #[serde(rename = "IncomingRecords")]
    pub incoming_records: u64,
    #[serde(rename = "IncomingBytes")]
    pub incoming_bytes: u64,
    #[serde(rename = "WriteProvisionedThroughputExceeded")]
    pub write_throttled: u64,
    #[serde(rename = "ReadProvisionedThroughputExceeded")]
    pub read_throttled: u64,
    /// The largest iterator age of any GetRecords call in the second, over the shards.
    #[serde(rename = "GetRecords.IteratorAgeMilliseconds")]
    pub iterator_age_ms: u64,
}

/// A poll due in the current tick.
#[derive(Clone, Copy, Debug)]
struct Poll {
    t_ms: u64,
    consumer: u16,
    shard: u32,
}

#[derive(Debug)]
pub struct World {
    pub scenario: Scenario,
    pub seed: u64,
    pub tick_ms: u64,
    pub now_ms: u64,
    pub tick: u64,
    pub streams: Vec<Stream>,
    pub producers: Vec<Producer>,
    pub consumers: Vec<Consumer>,
    pub metrics: Vec<VecDeque<StreamSecond>>,
    events: VecDeque<WriteEvent>,
    event_seq: u64,
    pub notes: VecDeque<Note>,
    note_seq: u64,
    /// Firehose delivery streams.
    pub firehoses: Vec<Firehose>,
    /// Records (producer, serial number) every Lambda function fails on (`put_poison_record`).
    pub poison: std::collections::BTreeSet<(u16, u64)>,
    queued: Vec<Command>,
    next_scheduled: usize,
    pub command_log: Vec<(u64, Command)>,
    /// Rises whenever streams, shards or producers change, so the page knows to lay out again.
    pub layout_version: u64,
    /// Scratch space reused every tick (not state).
    entries: Vec<Entry>,
    polls: Vec<Poll>,
}

impl World {
    pub fn new(scenario: Scenario) -> Self {
        let streams: Vec<Stream> = scenario.streams.iter().map(Stream::new).collect();
        let mut w = Self {
            seed: scenario.seed,
            tick_ms: scenario.tick_ms,
            now_ms: 0,
            tick: 0,
            metrics: vec![VecDeque::new(); streams.len()],
            streams,
            producers: Vec::new(),
            consumers: Vec::new(),
            events: VecDeque::with_capacity(EVENTS_KEPT),
            event_seq: 0,
            notes: VecDeque::new(),
            note_seq: 0,
            poison: std::collections::BTreeSet::new(),
            firehoses: Vec::new(),
            queued: Vec::new(),
            next_scheduled: 0,
            command_log: Vec::new(),
            layout_version: 0,
            entries: Vec::new(),
            polls: Vec::new(),
            scenario,
        };
        for p in w.scenario.producers.clone() {
            w.add_producer(p);
        }
        for (i, c) in w.scenario.consumers.clone().into_iter().enumerate() {
            let stream = w.stream_index(&c.stream_name).expect("validated");
            let same: Vec<usize> = (0..w.scenario.consumers.len())
                .filter(|&j| w.scenario.consumers[j].stream_name == c.stream_name)
                .collect();
            let rank = same.iter().position(|&j| j == i).unwrap_or(0) as u64;
            let ends: Vec<u64> = w.streams[stream].shards.iter().map(|s| s.log_end).collect();
            w.consumers.push(Consumer::new(
                c,
                i as u16,
                stream,
                &ends,
                rank,
                same.len() as u64,
            ));
        }
        for m in w
            .scenario
            .event_source_mappings
            .clone()
            .into_iter()
            .filter(|m| m.enabled)
        {
            let stream = w.stream_index(&m.stream_name).expect("validated");
            let function = w
                .scenario
                .lambda_functions
                .iter()
                .find(|f| f.name == m.function_name)
                .cloned()
                .expect("validated");
            let cfg = ConsumerConfig {
                name: m.label.clone(),
                stream_name: m.stream_name.clone(),
                kind: ConsumerKind::Lambda,
                processing_records_per_second: None,
                starting_position: m.starting_position,
                start_at_ms: 0,
                shard_order: ShardOrder::ParentsFirst,
                // Lambda polls each shard about once a second, up to 10,000 records a call.
                poll_interval_ms: 1_000,
                max_records: 10_000,
                kcl: None,
                application: function.application,
            };
            let ends: Vec<u64> = w.streams[stream].shards.iter().map(|s| s.log_end).collect();
            let index = w.consumers.len() as u16;
            let mut c = Consumer::new(cfg, index, stream, &ends, u64::from(index), 1);
            let seed = sub_seed(w.seed, Purpose::Lambda, u64::from(index));
            c.lambda = Some(Box::new(LambdaState::new(m, function, seed, ends.len())));
            w.consumers.push(c);
        }
        for (fi, f) in w.scenario.firehoses.clone().into_iter().enumerate() {
            let seed = sub_seed(w.seed, Purpose::Firehose, fi as u64);
            let batch = w
                .scenario
                .batch_jobs
                .iter()
                .find(|b| b.delivery_stream_name == f.name)
                .map(|b| BatchJob::new(b.name.clone(), b.every_seconds * 1000, b.application));
            let transform = f.transform.as_ref().map(|t| {
                let function = w
                    .scenario
                    .lambda_functions
                    .iter()
                    .find(|x| x.name == t.function_name)
                    .expect("validated");
                Transform::new(t, function)
            });
            let Some(source) = f.source_stream.clone() else {
                // Direct PUT: producers write to it.
                let mut fh = Firehose::new(f, None, None, seed);
                fh.batch = batch;
                fh.transform = transform;
                w.firehoses.push(fh);
                continue;
            };
            let stream = w.stream_index(&source).expect("validated");
            // Firehose reads its stream from LATEST, one GetRecords a second per shard,
            // counted in the shard's read limits like any polling consumer.
            let cfg = ConsumerConfig {
                name: format!("firehose:{}", f.name),
                stream_name: source,
                kind: ConsumerKind::Polling,
                processing_records_per_second: None,
                starting_position: StartingPosition::Latest,
                start_at_ms: 0,
                shard_order: ShardOrder::ParentsFirst,
                poll_interval_ms: 1_000,
                max_records: 10_000,
                kcl: None,
                application: None,
            };
            let ends: Vec<u64> = w.streams[stream].shards.iter().map(|s| s.log_end).collect();
            let index = w.consumers.len() as u16;
            let mut c = Consumer::new(cfg, index, stream, &ends, u64::from(index), 1);
            c.firehose = Some(fi);
            w.consumers.push(c);
            let mut fh = Firehose::new(f, Some(stream), Some(index as usize), seed);
            fh.batch = batch;
            fh.transform = transform;
            w.firehoses.push(fh);
        }
        w.scenario.commands.sort_by_key(|c| c.at_ms);
        w
    }

    fn stream_index(&self, name: &str) -> Option<usize> {
        self.streams.iter().position(|s| s.name == name)
    }

    fn add_producer(&mut self, cfg: ProducerConfig) {
        let (stream, firehose) = match &cfg.delivery_stream_name {
            Some(d) => (
                None,
                self.scenario.firehoses.iter().position(|f| f.name == *d),
            ),
            None => (self.stream_index(&cfg.stream_name), None),
        };
        debug_assert!(stream.is_some() || firehose.is_some(), "validated");
        let index = self.producers.len() as u16;
        self.producers
            .push(Producer::new(cfg, index, stream, firehose, self.seed));
        self.layout_version += 1;
    }

    /// Queues a command; it takes effect at the next tick boundary.
    pub fn command(&mut self, command: Command) {
        self.queued.push(command);
    }

    /// Checks a command against the current world (names, limits) before it is queued.
    pub fn check_command(&self, command: &Command) -> Result<(), String> {
        use super::scenario::limits::{PRODUCERS_MAX, TOTAL_RECORDS_PER_SECOND_MAX};
        let find = |name: &str| {
            self.producers
                .iter()
                .find(|p| p.cfg.name == name)
                .ok_or_else(|| format!("producer: {name:?} is not a producer of this run"))
        };
        let total: u64 = self
            .producers
            .iter()
            .map(|p| u64::from(p.cfg.records_per_second))
            .sum();
        match command {
            Command::SetRate {
                producer,
                records_per_second,
            } => {
                let p = find(producer)?;
                let new_total =
                    total - u64::from(p.cfg.records_per_second) + u64::from(*records_per_second);
                if new_total > TOTAL_RECORDS_PER_SECOND_MAX {
                    return Err(format!(
                        "records_per_second: {records_per_second} would make {new_total} records/s in all; at most {TOTAL_RECORDS_PER_SECOND_MAX} allowed"
                    ));
                }
            }
            Command::SetHotKeyShare { producer, .. } => {
                let p = find(producer)?;
                if !matches!(p.cfg.keys, super::scenario::KeyModel::HotKey { .. }) {
                    return Err(format!(
                        "producer: {producer:?} has no hot key (its partition_keys model is {:?})",
                        p.cfg.keys.name()
                    ));
                }
            }
            Command::PauseProducer { producer }
            | Command::ResumeProducer { producer }
            | Command::PutPoisonRecord { producer } => {
                find(producer)?;
            }
            Command::SetFunctionErrorRate { function_name, .. } => {
                if !self.consumers.iter().any(|c| {
                    c.lambda
                        .as_ref()
                        .is_some_and(|l| l.function.name == *function_name)
                }) {
                    return Err(format!(
                        "function_name: {function_name:?} is not the function of a Lambda trigger in this run"
                    ));
                }
            }
            Command::SetProcessingRate { consumer, .. } => {
                if !self.consumers.iter().any(|c| c.cfg.name == *consumer) {
                    return Err(format!(
                        "consumer: {consumer:?} is not a consumer of this run"
                    ));
                }
            }
            Command::SetS3Available {
                delivery_stream_name,
                ..
            }
            | Command::UpdateDestination {
                delivery_stream_name,
                ..
            }
            | Command::SetRedshiftAvailable {
                delivery_stream_name,
                ..
            }
            | Command::SetS3TimeoutRate {
                delivery_stream_name,
                ..
            } => {
                if !self
                    .firehoses
                    .iter()
                    .any(|f| f.cfg.name == *delivery_stream_name)
                {
                    return Err(format!(
                        "delivery_stream_name: {delivery_stream_name:?} is not a Firehose delivery stream of this run"
                    ));
                }
            }
            Command::SetTransformRates {
                delivery_stream_name,
                dropped_rate,
                processing_failed_rate,
                ..
            } => {
                let Some(f) = self
                    .firehoses
                    .iter()
                    .find(|f| f.cfg.name == *delivery_stream_name)
                else {
                    return Err(format!(
                        "delivery_stream_name: {delivery_stream_name:?} is not a Firehose delivery stream of this run"
                    ));
                };
                let Some(t) = &f.transform else {
                    return Err(format!(
                        "delivery_stream_name: {delivery_stream_name:?} has no processing_configuration (no transform Lambda)"
                    ));
                };
                let d = dropped_rate.unwrap_or(t.dropped_rate);
                let p = processing_failed_rate.unwrap_or(t.processing_failed_rate);
                if d + p > 1.0 {
                    return Err(format!(
                        "processing_failed_rate: {p} with dropped_rate {d} makes more than 1 (allowed: their sum within 0..=1)"
                    ));
                }
            }
            Command::SplitShard { .. }
            | Command::MergeShards { .. }
            | Command::UpdateShardCount { .. } => {
                let (si, r) = self.reshard_of(command)?;
                self.streams[si].check_reshard(&r, self.now_ms)?;
            }
            Command::CrashWorker { consumer, worker }
            | Command::RestartWorker { consumer, worker } => {
                let c = self
                    .consumers
                    .iter()
                    .find(|c| c.cfg.name == *consumer)
                    .ok_or_else(|| {
                        format!("consumer: {consumer:?} is not a consumer of this run")
                    })?;
                let k = c.kcl.as_ref().ok_or_else(|| {
                    format!("consumer: {consumer:?} is not a KCL application (type \"kcl\")")
                })?;
                if *worker as usize > k.alive.len() {
                    return Err(format!(
                        "worker: {worker} is out of range 1..={}",
                        k.alive.len()
                    ));
                }
            }
            Command::AddProducer(cfg, _) => {
                if self.producers.len() >= PRODUCERS_MAX {
                    return Err(format!("producer: at most {PRODUCERS_MAX} producers"));
                }
                if self.producers.iter().any(|p| p.cfg.name == cfg.name) {
                    return Err(format!(
                        "producer.name: {:?} is used by another producer",
                        cfg.name
                    ));
                }
                if total + u64::from(cfg.records_per_second) > TOTAL_RECORDS_PER_SECOND_MAX {
                    return Err(format!(
                        "producer.records_per_second: at most {TOTAL_RECORDS_PER_SECOND_MAX} records/s in all"
                    ));
                }
            }
        }
        Ok(())
    }

    fn apply(&mut self, command: Command) {
        if let Err(why) = self.check_command(&command) {
            // Scenario commands are checked for form when the file is read; one that no longer
            // fits (a producer that was never added, rates that add up past 1 with another
            // change) is skipped rather than crash the run — and said, or it would pass unseen.
            self.note("command", format!("a scheduled change was skipped: {why}"));
            return;
        }
        let producer = |w: &mut World, name: &str| {
            w.producers
                .iter_mut()
                .find(|p| p.cfg.name == name)
                .map(|p| p.index as usize)
        };
        match &command {
            Command::SetRate {
                producer: name,
                records_per_second,
            } => {
                if let Some(i) = producer(self, name) {
                    self.producers[i].cfg.records_per_second = *records_per_second;
                }
            }
            Command::SetHotKeyShare {
                producer: name,
                hot_key_share,
            } => {
                if let Some(i) = producer(self, name) {
                    if let super::scenario::KeyModel::HotKey {
                        hot_key_share: s, ..
                    } = &mut self.producers[i].cfg.keys
                    {
                        *s = *hot_key_share;
                    }
                }
            }
            Command::PauseProducer { producer: name } => {
                if let Some(i) = producer(self, name) {
                    self.producers[i].cfg.paused = true;
                }
            }
            Command::ResumeProducer { producer: name } => {
                if let Some(i) = producer(self, name) {
                    self.producers[i].cfg.paused = false;
                }
            }
            Command::AddProducer(cfg, _) => self.add_producer((**cfg).clone()),
            Command::SetS3Available {
                delivery_stream_name,
                available,
            } => {
                if let Some(f) = self
                    .firehoses
                    .iter_mut()
                    .find(|f| f.cfg.name == *delivery_stream_name)
                {
                    f.s3_available = *available;
                }
                self.note("firehose", if *available {
                    format!("S3 is back for {delivery_stream_name}: the objects that waited are written now")
                } else {
                    format!("S3 is unavailable for {delivery_stream_name}: Firehose keeps the data and retries for up to 24 hours, then it is lost")
                });
            }
            Command::SetRedshiftAvailable {
                delivery_stream_name,
                available,
            } => {
                if let Some(r) = self
                    .firehoses
                    .iter_mut()
                    .find(|f| f.cfg.name == *delivery_stream_name)
                    .and_then(|f| f.redshift.as_mut())
                {
                    r.available = *available;
                }
            }
            Command::UpdateDestination {
                delivery_stream_name,
                buffering_size,
                buffering_interval,
                compression_format,
            } => {
                if let Some(f) = self
                    .firehoses
                    .iter_mut()
                    .find(|f| f.cfg.name == *delivery_stream_name)
                {
                    if let Some(v) = buffering_size {
                        f.cfg.buffering_size_mib = *v;
                    }
                    if let Some(v) = buffering_interval {
                        f.cfg.buffering_interval_s = *v;
                    }
                    if let Some(c) = compression_format {
                        f.cfg.compression = *c;
                    }
                    f.version += 1;
                }
            }
            Command::SetTransformRates {
                delivery_stream_name,
                error_rate,
                dropped_rate,
                processing_failed_rate,
            } => {
                if let Some(t) = self
                    .firehoses
                    .iter_mut()
                    .find(|f| f.cfg.name == *delivery_stream_name)
                    .and_then(|f| f.transform.as_mut())
                {
                    t.error_rate = error_rate.unwrap_or(t.error_rate);
                    t.dropped_rate = dropped_rate.unwrap_or(t.dropped_rate);
                    t.processing_failed_rate =
                        processing_failed_rate.unwrap_or(t.processing_failed_rate);
                }
            }
            Command::SetS3TimeoutRate {
                delivery_stream_name,
                timeout_rate,
            } => {
                if let Some(f) = self
                    .firehoses
                    .iter_mut()
                    .find(|f| f.cfg.name == *delivery_stream_name)
                {
                    f.s3_timeout_rate = *timeout_rate;
                }
            }
            Command::PutPoisonRecord { producer: name } => {
                if let Some(i) = producer(self, name) {
                    let p = &self.producers[i];
                    self.poison.insert((p.index, p.produced));
                }
            }
            Command::SetFunctionErrorRate {
                function_name,
                error_rate,
            } => {
                for c in &mut self.consumers {
                    if let Some(l) = c
                        .lambda
                        .as_mut()
                        .filter(|l| l.function.name == *function_name)
                    {
                        l.function.error_rate = *error_rate;
                    }
                }
            }
            Command::SetProcessingRate {
                consumer,
                records_per_second,
            } => {
                if let Some(c) = self.consumers.iter_mut().find(|c| c.cfg.name == *consumer) {
                    c.cfg.processing_records_per_second = *records_per_second;
                }
            }
            Command::CrashWorker { consumer, worker } => {
                if let Some(k) = self
                    .consumers
                    .iter_mut()
                    .find(|c| c.cfg.name == *consumer)
                    .and_then(|c| c.kcl.as_mut())
                {
                    k.alive[*worker as usize - 1] = false;
                }
                self.note("worker", format!(
                    "worker-{worker} of {consumer} crashed: its leases expire if not renewed within the failover time"
                ));
            }
            Command::RestartWorker { consumer, worker } => {
                let Some(ci) = self.consumers.iter().position(|c| c.cfg.name == *consumer) else {
                    return;
                };
                let again = self.consumers[ci].restart_worker(*worker);
                self.note(
                    "worker",
                    format!(
                        "worker-{worker} of {consumer} is back: it takes leases that fall free"
                    ),
                );
                for (s, n) in again {
                    let shard = self.streams[self.consumers[ci].stream].shards[s].shard_id();
                    self.note("worker", format!(
                        "worker-{worker} of {consumer} restarts {shard} from its checkpoint: {} will be processed again",
                        plural(n, "record")
                    ));
                }
            }
            Command::SplitShard { .. }
            | Command::MergeShards { .. }
            | Command::UpdateShardCount { .. } => {
                if let Ok((si, r)) = self.reshard_of(&command) {
                    self.streams[si].begin_reshard(r, self.now_ms);
                    self.layout_version += 1;
                }
            }
        }
        if self.command_log.len() < COMMAND_LOG_MAX {
            self.command_log.push((self.tick, command));
        }
    }

    /// The stream and resharding a command asks for, with shard ids resolved.
    fn reshard_of(&self, command: &Command) -> Result<(usize, Reshard), String> {
        let (stream_name, r) = match command {
            Command::SplitShard {
                stream_name,
                shard_to_split,
                new_starting_hash_key,
            } => (stream_name, (shard_to_split, None, *new_starting_hash_key)),
            Command::MergeShards {
                stream_name,
                shard_to_merge,
                adjacent_shard_to_merge,
            } => (
                stream_name,
                (shard_to_merge, Some(adjacent_shard_to_merge), None),
            ),
            Command::UpdateShardCount {
                stream_name,
                target_shard_count,
            } => {
                let si = self
                    .stream_index(stream_name)
                    .ok_or_else(|| format!("stream_name: {stream_name:?} is not a stream"))?;
                return Ok((
                    si,
                    Reshard::UpdateShardCount {
                        target: *target_shard_count,
                    },
                ));
            }
            _ => return Err("not a resharding".into()),
        };
        let si = self
            .stream_index(stream_name)
            .ok_or_else(|| format!("stream_name: {stream_name:?} is not a stream"))?;
        let stream = &self.streams[si];
        let find = |field: &str, id: &str| {
            stream
                .shard_position(id)
                .ok_or_else(|| format!("{field}: {id:?} is not a shard of stream {stream_name:?}"))
        };
        let (first, adjacent, key) = r;
        match adjacent {
            None => {
                let shard = find("shard_to_split", first)?;
                let sh = &stream.shards[shard];
                if sh.starting_hash_key == sh.ending_hash_key {
                    return Err(format!(
                        "shard_to_split: {} holds a single hash key and cannot be split",
                        sh.shard_id()
                    ));
                }
                let k = key.unwrap_or_else(|| {
                    // The middle of the range (written so [0, 2^128 − 1] does not overflow).
                    sh.starting_hash_key + (sh.ending_hash_key - sh.starting_hash_key) / 2 + 1
                });
                Ok((
                    si,
                    Reshard::Split {
                        shard,
                        new_starting_hash_key: k,
                    },
                ))
            }
            Some(adj) => Ok((
                si,
                Reshard::Merge {
                    shard: find("shard_to_merge", first)?,
                    adjacent: find("adjacent_shard_to_merge", adj)?,
                },
            )),
        }
    }

    /// Lane number of shard `shard` of stream `stream` (lanes count every stream's shards).
    pub fn lane_of(&self, stream: usize, shard: usize) -> u32 {
        (self.streams[..stream]
            .iter()
            .map(|s| s.shards.len())
            .sum::<usize>()
            + shard) as u32
    }

    /// (stream, shard) of a lane.
    pub fn lane(&self, lane: u32) -> Option<(usize, usize)> {
        let mut rest = lane as usize;
        for (i, s) in self.streams.iter().enumerate() {
            if rest < s.shards.len() {
                return Some((i, rest));
            }
            rest -= s.shards.len();
        }
        None
    }

    pub fn lane_count(&self) -> usize {
        self.streams.iter().map(|s| s.shards.len()).sum()
    }

    fn event(&mut self, t_ms: u64, producer: u16, lane: u32, kind: WriteEventKind, colour: u32) {
        if self.events.len() == EVENTS_KEPT {
            self.events.pop_front();
        }
        self.event_seq += 1;
        self.events.push_back(WriteEvent {
            seq: self.event_seq,
            t_ms,
            producer,
            lane,
            kind,
            key_colour: colour,
        });
    }

    /// `kind` says what the note is about, for the page to sort and style notes by:
    /// throttle, reshard, on_demand, worker, lambda, firehose, batch.
    fn note(&mut self, kind: &'static str, text: String) {
        if self.notes.len() == NOTES_KEPT {
            self.notes.pop_front();
        }
        self.note_seq += 1;
        self.notes.push_back(Note {
            seq: self.note_seq,
            t_ms: self.now_ms,
            kind,
            text,
        });
    }

    pub fn notes_after(&self, seq: u64) -> impl Iterator<Item = &Note> {
        self.notes.iter().filter(move |n| n.seq > seq)
    }

    pub fn events_after(&self, seq: u64) -> impl Iterator<Item = &WriteEvent> {
        self.events.iter().filter(move |e| e.seq > seq)
    }

    /// Advances one tick (see the phase order at the top of this file).
    pub fn step(&mut self) {
        let now = self.now_ms;
        let tick_ms = self.tick_ms;
        let end = now + tick_ms;

        // 1. Commands.
        for c in std::mem::take(&mut self.queued) {
            self.apply(c);
        }
        while let Some(ScheduledCommand { at_ms, command }) =
            self.scenario.commands.get(self.next_scheduled).cloned()
        {
            if at_ms > now {
                break;
            }
            self.next_scheduled += 1;
            self.apply(command);
        }

        // Reshardings that are due complete now: parents close, children open.
        for si in 0..self.streams.len() {
            let new = self.streams[si].finish_reshard(now);
            if !new.is_empty() {
                self.layout_version += 1;
                for c in self.consumers.iter_mut().filter(|c| c.stream == si) {
                    c.add_lanes(new.len(), now);
                }
                let s = &self.streams[si];
                let ids: Vec<String> = new.iter().map(|&i| s.shards[i].shard_id()).collect();
                let parents: Vec<String> = s.shards[new[0]]
                    .parents
                    .iter()
                    .map(|&p| s.shards[p as usize].shard_id())
                    .collect();
                let text = format!(
                    "{} is ACTIVE again: {} closed (still readable until its records expire), {} open",
                    s.name,
                    parents.join(" and "),
                    ids.join(" and ")
                );
                self.note("reshard", text);
            }
        }
        for c in self.consumers.iter_mut().filter(|c| !c.started) {
            if now >= c.cfg.start_at_ms {
                c.start(&self.streams[c.stream].shards);
            }
        }
        self.run_lambdas(now);
        let mut outcomes = Vec::new();
        let lines = ProducerLines(&self.producers);
        for f in &mut self.firehoses {
            outcomes.push((f.cfg.name.clone(), f.tick(now, &lines)));
        }
        let mut runs = Vec::new();
        for f in &mut self.firehoses {
            let due = f.batch.as_ref().is_some_and(|b| now >= b.next_run_ms);
            if due {
                let mut landed = std::mem::take(&mut f.landed);
                let b = f.batch.as_mut().expect("due");
                let (n, worst) = b.run(now, &mut landed);
                runs.push((b.name.clone(), n, worst));
            }
        }
        for (name, n, worst) in runs {
            if n > 0 {
                self.note("batch", format!(
                    "batch job {name} ran over the lake: {} — the oldest event behind them happened {} s ago",
                    plural(n, "alert"),
                    worst / 1000
                ));
            }
        }
        for (name, o) in outcomes {
            if o.delivered_late.0 > 0 {
                self.note(
                    "firehose",
                    format!(
                        "{name} wrote {} that had waited for S3, the oldest for {} s",
                        plural(o.delivered_late.0, "object"),
                        o.delivered_late.1 / 1000
                    ),
                );
            }
            if o.lost > 0 {
                self.note(
                    "firehose",
                    format!(
                        "{name} gave up after 24 hours of S3 being unavailable: {} lost",
                        plural(o.lost, "record")
                    ),
                );
            }
            if o.redshift_skipped > 0 {
                self.note("firehose", format!(
                    "{name}: Redshift stayed unavailable for the whole retry duration; {} skipped (the objects stay in S3, listed under errors/)",
                    plural(o.redshift_skipped, "record")
                ));
            }
            if o.duplicated > 0 {
                self.note("firehose", format!(
                    "{name}: a write to S3 timed out after S3 had stored it, so Firehose writes it again — the bucket will hold duplicates (at-least-once)"
                ));
            }
        }
        for ci in 0..self.consumers.len() {
            let si = self.consumers[ci].stream;
            let moved = self.consumers[ci].balance_leases(now, &self.streams[si].shards);
            for t in moved {
                let c = &self.consumers[ci];
                let shard = self.streams[c.stream].shards[t.shard].shard_id();
                let text = format!(
                    "worker-{} of {} took over {shard} from worker-{} at its checkpoint: {} will be processed again",
                    t.to,
                    c.cfg.name,
                    t.from.unwrap_or(0),
                    plural(t.reprocess, "record")
                );
                self.note("worker", text);
            }
        }

        // 2. Retention.
        for s in &mut self.streams {
            let retention = s.retention_ms;
            for sh in &mut s.shards {
                if sh.expire(now, retention) > 0 {
                    sh.clamp_frontier();
                }
            }
            s.expire_closed(now);
        }
        for c in &mut self.consumers {
            for (lane, sh) in c.lanes.iter_mut().zip(&self.streams[c.stream].shards) {
                if lane.position < sh.log_start {
                    lane.expired_unread += sh.log_start - lane.position;
                    lane.position = sh.log_start;
                }
            }
        }

        // 3. This tick's entries and polls.
        let mut entries = std::mem::take(&mut self.entries);
        entries.clear();
        for p in &mut self.producers {
            p.emit(
                now,
                tick_ms,
                p.stream.map(|s| &self.streams[s]),
                &mut entries,
            );
        }
        if self.producers.len() > 1 {
            // Each producer's entries are in time order; a stable sort merges them, producers
            // in index order at equal times.
            entries.sort_by_key(|e| e.t_ms);
        }
        let mut polls = std::mem::take(&mut self.polls);
        polls.clear();
        self.push_fan_out(now);
        for c in self
            .consumers
            .iter()
            .filter(|c| c.cfg.kind != ConsumerKind::EnhancedFanOut)
        {
            let shards = &self.streams[c.stream].shards;
            for (s, lane) in c.lanes.iter().enumerate() {
                let wants = c.lambda.as_ref().is_none_or(|l| l.wants_more(s));
                if lane.next_poll_ms < end && c.may_read(s, shards) && c.has_live_worker(s) && wants
                {
                    polls.push(Poll {
                        t_ms: lane.next_poll_ms.max(now),
                        consumer: c.index,
                        shard: s as u32,
                    });
                }
            }
        }
        polls.sort_by_key(|p| (p.t_ms, p.consumer, p.shard));

        // 4. Carry them out in time order.
        let mut next_poll = 0;
        let mut open_retry: Option<(u16, u32, u64)> = None;
        for e in &entries {
            while next_poll < polls.len() && polls[next_poll].t_ms <= e.t_ms {
                self.poll(polls[next_poll]);
                next_poll += 1;
            }
            self.put(e, now, &mut open_retry);
        }
        for &p in &polls[next_poll..] {
            self.poll(p);
        }
        self.entries = entries;
        self.polls = polls;

        // 5. Read frontiers.
        for si in 0..self.streams.len() {
            for shi in 0..self.streams[si].shards.len() {
                let readers = || self.consumers.iter().filter(|c| c.stream == si);
                let slowest = readers().map(|c| c.delivered_to(shi)).min();
                let restart = readers().map(|c| c.restart_position(shi)).min();
                let sh = &mut self.streams[si].shards[shi];
                match (slowest, restart) {
                    (Some(f), Some(r)) => {
                        sh.advance_frontier(f, end);
                        // No consumer goes back below where it could restart: forget those ids.
                        sh.trim_ids_below(r);
                    }
                    // Nobody reads this stream: keep no identities.
                    _ => sh.trim_ids_below(sh.log_end),
                }
            }
        }

        // 6. Time; a second that has just ended is closed into the metrics.
        self.now_ms = end;
        self.tick += 1;
        if end % 1000 == 0 {
            self.close_second(end / 1000 - 1);
        }
    }

    /// One entry of one put request.
    fn put(&mut self, e: &Entry, tick_start: u64, open_retry: &mut Option<(u16, u32, u64)>) {
        let pi = e.producer as usize;
        let p = &mut self.producers[pi];
        p.totals.attempted += 1;
        p.current.attempted += 1;
        let colour = e.info.colour();
        let (admitted, lane) = match (p.stream, p.firehose) {
            (Some(si), _) => match self.admit_to_stream(e, si, tick_start) {
                Some(x) => x,
                None => return, // too large: dropped
            },
            (None, Some(fi)) => {
                let bytes = u64::from(e.record.size_bytes);
                // Firehose takes records of at most 1,000 KiB.
                if bytes > FIREHOSE_RECORD_BYTES_MAX {
                    self.drop_too_large(e, None, colour);
                    return;
                }
                let tick = tick_start;
                let ok =
                    self.firehoses[fi].try_direct_put(e.t_ms, bytes, (e.producer, e.request, tick));
                if ok {
                    self.firehose_receive(
                        fi,
                        e.t_ms,
                        bytes,
                        e.t_ms,
                        Some(RecordId {
                            producer: e.producer,
                            rec_no: e.record.rec_no,
                            key: e.record.key,
                        }),
                    );
                }
                (ok, None)
            }
            (None, None) => unreachable!("a producer has a target"),
        };
        if admitted {
            let p = &mut self.producers[pi];
            p.totals.accepted += 1;
            p.current.accepted += 1;
            if e.attempt > 1 {
                p.accepted_on_retry += 1;
                if let Some(lane) = lane {
                    self.event(
                        e.t_ms,
                        e.producer,
                        lane,
                        WriteEventKind::AcceptedOnRetry,
                        colour,
                    );
                }
            }
            return;
        }
        self.throttled(e, lane, colour, open_retry);
    }

    /// A record over the size limit: InvalidArgumentException, never retried.
    fn drop_too_large(&mut self, e: &Entry, lane: Option<u32>, colour: u32) {
        let p = &mut self.producers[e.producer as usize];
        p.dropped_too_large += 1;
        p.totals.dropped += 1;
        p.current.dropped += 1;
        if let Some(lane) = lane {
            self.event(e.t_ms, e.producer, lane, WriteEventKind::Dropped, colour);
        }
    }

    /// A record reaching a Firehose (from its stream or by Direct PUT): its amount for the lake's
    /// sums, and what a batch job over the lake would flag in it. A record without its identity
    /// (read beyond the identities its stream keeps) is only counted.
    fn firehose_receive(
        &mut self,
        fi: usize,
        t_ms: u64,
        bytes: u64,
        arrival_ms: u64,
        id: Option<RecordId>,
    ) {
        let lines = ProducerLines(&self.producers);
        let Some(RecordId {
            producer,
            rec_no,
            key,
        }) = id
        else {
            let record = Sample {
                producer: Sample::UNKNOWN,
                bytes: bytes as u32,
                rec_no: 0,
                key: 0,
                arrival_ms,
            };
            self.firehoses[fi].receive(t_ms, record, 0, None, &lines);
            return;
        };
        let producer = producer as usize;
        let p = &self.producers[producer];
        let content = Lazy {
            content_seed: p.content_seed,
            rec_no,
        };
        let f = &mut self.firehoses[fi];
        let flag = f.batch.as_mut().and_then(|b| {
            let key_string = || p.key_string(key);
            let seen = Seen {
                key_string: &key_string,
                content,
                arrival_ms,
            };
            b.flag(&seen, producer, p.key_space(), key)
        });
        let record = Sample {
            producer: producer as u16,
            bytes: bytes as u32,
            rec_no,
            key,
            arrival_ms,
        };
        f.receive(t_ms, record, content.amount_cents(), flag, &lines);
    }

    /// The first lines of an object, exactly as they are in it (without their newlines),
    /// regenerated from its records' seeds.
    pub fn object_lines(&self, object: &S3Object) -> Vec<String> {
        let lines = ProducerLines(&self.producers);
        object
            .samples
            .iter()
            .map(|s| {
                let mut out = Vec::new();
                lines.write(s, &mut out);
                if let Some(wrap) = &object.error {
                    // An error object holds each record wrapped, its data base64-encoded.
                    let raw = std::mem::take(&mut out);
                    wrap.write(s.arrival_ms, &raw, &mut out);
                }
                if out.last() == Some(&b'\n') {
                    out.pop();
                }
                String::from_utf8_lossy(&out).into_owned()
            })
            .collect()
    }

    /// Admission of a record to stream `si`: Some((accepted, lane)), or None when it was too
    /// large and has been dropped.
    fn admit_to_stream(
        &mut self,
        e: &Entry,
        si: usize,
        tick_start: u64,
    ) -> Option<(bool, Option<u32>)> {
        let p = &mut self.producers[e.producer as usize];
        let mut info = e.info;
        if self.streams[si].shards[info.shard].state != ShardState::Open {
            // Routed before a resharding closed its shard (a PutRecords batch was filling).
            info = p.lookup(e.record.key, Some(&self.streams[si]));
        }
        let bytes = u64::from(e.record.size_bytes) + info.key_bytes;
        let colour = info.colour();
        let shard_i = info.shard;
        let lane = self.lane_of(si, shard_i);
        if bytes > RECORD_BYTES_MAX {
            self.drop_too_large(e, Some(lane), colour);
            return None;
        }
        let shard = &mut self.streams[si].shards[shard_i];
        if !shard.try_admit(e.t_ms, bytes) {
            return Some((false, Some(lane)));
        }
        shard.append(
            e.t_ms,
            tick_start,
            bytes,
            Detail {
                index: 0,
                arrival_ms: e.t_ms,
                producer: e.producer,
                key: e.record.key,
                rec_no: e.record.rec_no,
                size_bytes: e.record.size_bytes,
                key_colour: colour,
                read_at_ms: u64::MAX,
            },
        );
        Some((true, Some(lane)))
    }

    /// A throttled entry: retried after a backoff, or dropped when its attempts are used up.
    fn throttled(
        &mut self,
        e: &Entry,
        lane: Option<u32>,
        colour: u32,
        open_retry: &mut Option<(u16, u32, u64)>,
    ) {
        let pi = e.producer as usize;
        let p = &mut self.producers[pi];
        p.totals.throttled += 1;
        p.current.throttled += 1;
        if e.attempt >= p.cfg.retry.max_attempts {
            p.dropped_retries_exhausted += 1;
            p.totals.dropped += 1;
            p.current.dropped += 1;
            if let Some(lane) = lane {
                self.event(e.t_ms, e.producer, lane, WriteEventKind::Dropped, colour);
            }
            return;
        }
        let record: Pending = e.record;
        match *open_retry {
            // Another failed entry of the same request: it waits with the others.
            Some((prod, req, due)) if prod == e.producer && req == e.request => {
                p.extend_last_retry(due, record);
            }
            _ => {
                let due = e.t_ms + 1 + p.backoff_ms(e.attempt);
                p.schedule_retry(due, e.attempt + 1, vec![record]);
                *open_retry = Some((e.producer, e.request, due));
            }
        }
        if let Some(lane) = lane {
            self.event(e.t_ms, e.producer, lane, WriteEventKind::Throttled, colour);
        }
    }

    fn poll(&mut self, poll: Poll) {
        let mut to_firehose = Vec::new();
        self.poll_shard(poll, &mut to_firehose);
        for (fi, bytes, arrival, id) in to_firehose {
            self.firehose_receive(fi, poll.t_ms, bytes, arrival, id);
        }
    }

    /// One GetRecords call; what a Firehose reads is handed back in `to_firehose`.
    fn poll_shard(
        &mut self,
        poll: Poll,
        to_firehose: &mut Vec<(usize, u64, u64, Option<RecordId>)>,
    ) {
        let ci = poll.consumer as usize;
        let s = poll.shard as usize;
        let limit = self.consumers[ci].allowance(s, poll.t_ms);
        let c = &mut self.consumers[ci];
        let shard = &mut self.streams[c.stream].shards[s];
        let lane = &mut c.lanes[s];
        lane.calls += 1;
        // Real pollers drift a little (timers, request times); without it two consumers whose
        // polls happen to line up would collide on the shard's read budget every time.
        let jitter =
            mix64((u64::from(poll.consumer) << 40) ^ (poll.shard as u64) << 20 ^ lane.calls)
                % POLL_JITTER_MS;
        lane.next_poll_ms = poll.t_ms + c.cfg.poll_interval_ms + jitter;
        if limit == 0 {
            return; // the processor is still busy with what it has: no call
        }
        let max_records = c.cfg.max_records.min(limit.min(u64::from(u32::MAX)) as u32);
        let from = lane.position.max(shard.log_start);
        match shard.get_records(poll.t_ms, &mut lane.position, max_records) {
            ReadOutcome::Throttled => lane.throttled_calls += 1,
            ReadOutcome::Records(taken) => {
                let to = lane.position;
                lane.iterator_age_ms = match taken.last_arrival_ms {
                    Some(a) if lane.position < shard.log_end => poll.t_ms - a,
                    // Caught up: the call returned everything up to the tip.
                    _ => 0,
                };
                shard.current.iterator_age_ms_max =
                    shard.current.iterator_age_ms_max.max(lane.iterator_age_ms);
                if c.lambda.is_none() {
                    c.delivered(s, poll.t_ms, &taken, 0);
                } else {
                    // A trigger's records count as delivered when its function has them.
                    lane_bytes_read(c, s, taken.bytes);
                }
                if let Some(l) = &mut c.lambda {
                    // The mapping queues what it read; the function gets it in batches.
                    let bytes = taken.bytes / taken.count.max(1);
                    for i in from..to {
                        let (key_hash, poison) = match shard.id_of(i) {
                            Some(id) => {
                                let p = &self.producers[id.producer as usize];
                                let poison = self.poison.contains(&(id.producer, id.rec_no))
                                    || (!l.function.poison_partition_keys.is_empty()
                                        && l.function
                                            .poison_partition_keys
                                            .contains(&p.key_string(id.key)));
                                ((u64::from(id.producer) << 48) ^ id.key, poison)
                            }
                            None => (i, false),
                        };
                        l.enqueue(
                            s,
                            Queued {
                                index: i,
                                bytes,
                                poison,
                            },
                            key_hash,
                        );
                    }
                } else {
                    c.process(s, from..to, shard, &self.producers, poll.t_ms);
                }
                if let Some(fi) = c.firehose {
                    // Record by record, so the lake's sums and a batch job's flags are exact;
                    // a read's bytes are shared evenly (records of a run keep no sizes).
                    let n = to - from;
                    let mut run = None;
                    for (k, i) in (from..to).enumerate() {
                        let k = k as u64;
                        let bytes = taken.bytes * (k + 1) / n - taken.bytes * k / n;
                        if !run.is_some_and(|r: super::stream::Run| {
                            (r.first_index..r.first_index + u64::from(r.count)).contains(&i)
                        }) {
                            run = shard.run_of(i);
                        }
                        let arrival = run.map_or(poll.t_ms, |r| r.arrival_of(i));
                        let id = shard.id_of(i).copied();
                        // The shard counted the partition key; Firehose keeps only the data.
                        let key_bytes = id.map_or(0, |id| {
                            self.producers[id.producer as usize].key_bytes(id.key)
                        });
                        to_firehose.push((fi, bytes.saturating_sub(key_bytes), arrival, id));
                    }
                }
                c.maybe_checkpoint(s, poll.t_ms, taken.count, shard);
            }
        }
    }

    /// Lambda mappings: invocations that ended are settled, new batches start.
    fn run_lambdas(&mut self, now: u64) {
        for ci in 0..self.consumers.len() {
            let Some(mut l) = self.consumers[ci].lambda.take() else {
                continue;
            };
            let si = self.consumers[ci].stream;
            let done = l.tick(now, &self.streams[si].shards);
            let name = l.esm.function_name.clone();
            self.consumers[ci].lambda = Some(l);
            for (s, expired) in done.expired {
                self.consumers[ci].lanes[s].expired_unread += expired;
            }
            for (s, indices) in done.succeeded {
                let shard = &self.streams[si].shards[s];
                let c = &mut self.consumers[ci];
                let lane = &mut c.lanes[s];
                lane.records_read += indices.len() as u64;
                // Batches are runs of neighbouring records: look each run up once, not each record.
                let mut run: Option<super::stream::Run> = None;
                for &i in &indices {
                    let a = match shard.detail_of(i) {
                        Some(d) => d.arrival_ms,
                        None => {
                            if !run.is_some_and(|r| {
                                (r.first_index..r.first_index + u64::from(r.count)).contains(&i)
                            }) {
                                run = shard.run_of(i);
                            }
                            run.map_or(now, |r| r.arrival_of(i))
                        }
                    };
                    lane.delay_sum_ms += u128::from(now.saturating_sub(a));
                }
                c.process(s, indices.into_iter(), shard, &self.producers, now);
            }
            for (s, failures) in done.stuck {
                let shard = self.streams[si].shards[s].shard_id();
                self.note("lambda", format!(
                    "the Lambda trigger of {name} on {shard} is stuck retrying one batch ({failures} failures so far): the shard's later records wait behind it"
                ));
            }
            for (s, n) in done.discarded {
                let shard = self.streams[si].shards[s].shard_id();
                self.note(
                    "lambda",
                    format!(
                        "{name} gave up a batch of {} on {shard}; the shard moves on",
                        plural(n, "record")
                    ),
                );
            }
            // Lambda's lag: the oldest record it has not finished with.
            let c = &mut self.consumers[ci];
            for s in 0..c.lanes.len() {
                let shard = &self.streams[si].shards[s];
                let done_below = c.delivered_to(s).max(shard.log_start);
                c.lanes[s].iterator_age_ms = if done_below < shard.log_end {
                    shard
                        .arrival_of(done_below)
                        .map_or(0, |a| now.saturating_sub(a))
                } else {
                    0
                };
            }
        }
    }

    /// Enhanced fan-out: every subscription gets what arrived at least 70 ms ago, within its own
    /// 2 MiB/s per shard.
    fn push_fan_out(&mut self, now: u64) {
        for ci in 0..self.consumers.len() {
            if self.consumers[ci].cfg.kind != ConsumerKind::EnhancedFanOut {
                continue;
            }
            let si = self.consumers[ci].stream;
            for s in 0..self.consumers[ci].lanes.len() {
                if !self.consumers[ci].may_read(s, &self.streams[si].shards) {
                    continue;
                }
                let limit = self.consumers[ci].allowance(s, now);
                let c = &mut self.consumers[ci];
                let shard = &self.streams[si].shards[s];
                let lane = &mut c.lanes[s];
                let busy_before_ms = lane.fan_out_busy_until_us / 1000;
                let from = lane.position.max(shard.log_start);
                let taken = shard.push_records(
                    now,
                    &mut lane.position,
                    &mut lane.fan_out_busy_until_us,
                    limit,
                    FAN_OUT_PROPAGATION_MS,
                );
                if taken.count == 0 {
                    if lane.position >= shard.log_end {
                        lane.iterator_age_ms = 0;
                    }
                    continue;
                }
                lane.calls += 1;
                // Pushed continuously on AWS: a record reaches the subscriber 70 ms after it
                // arrived, or later when the subscription's 2 MiB/s is the bottleneck. The
                // tick only decides when the simulation writes it down.
                let mean_arrival = (taken.arrival_sum_ms / u128::from(taken.count)) as u64;
                let delivered_at = (mean_arrival + FAN_OUT_PROPAGATION_MS).max(busy_before_ms);
                let extra = delivered_at.saturating_sub(now);
                let at = delivered_at.min(now);
                lane.iterator_age_ms = match taken.last_arrival_ms {
                    Some(a) if lane.position < shard.log_end => now - a,
                    _ => 0,
                };
                let age = lane.iterator_age_ms;
                let to = lane.position;
                c.delivered(s, at, &taken, extra);
                c.process(s, from..to, shard, &self.producers, at + extra);
                let shard = &mut self.streams[si].shards[s];
                shard.current.iterator_age_ms_max = shard.current.iterator_age_ms_max.max(age);
            }
        }
    }

    fn close_second(&mut self, second: u64) {
        for (si, s) in self.streams.iter_mut().enumerate() {
            let mut sum = SecondCounters::default();
            for sh in &mut s.shards {
                sum.add(&sh.close_second(second));
            }
            let m = &mut self.metrics[si];
            if m.len() == METRIC_SECONDS_KEPT {
                m.pop_front();
            }
            m.push_back(StreamSecond {
                second,
                incoming_records: sum.incoming_records,
                incoming_bytes: sum.incoming_bytes,
                write_throttled: sum.write_throttled,
                read_throttled: sum.read_throttled,
                iterator_age_ms: sum.iterator_age_ms_max,
            });
        }
        for p in &mut self.producers {
            p.close_second();
        }
        self.throttling_notes(second);
        for f in &mut self.firehoses {
            f.close_second(second, self.now_ms);
        }
        for si in 0..self.streams.len() {
            if let Some(hot) = self.streams[si].on_demand_scale(self.now_ms) {
                let s = &self.streams[si];
                let text = format!(
                    "AWS is splitting {} of on-demand stream {}: it took over 500 KB/s or throttled for 5 minutes",
                    s.shards[hot].shard_id(),
                    s.name
                );
                self.layout_version += 1;
                self.note("on_demand", text);
            }
        }
    }

    /// Notes when a shard starts or stops throttling, naming a key that takes much of it.
    fn throttling_notes(&mut self, second: u64) {
        let mut notes = Vec::new();
        for s in &mut self.streams {
            for sh in &mut s.shards {
                let c = sh.last_second;
                let now = c.write_throttled > 0;
                // A shard near its limit throttles on and off: "stopped" only after five calm
                // seconds, so the feed tells episodes, not every second.
                sh.calm_seconds = if now {
                    0
                } else {
                    sh.calm_seconds.saturating_add(1)
                };
                if !now {
                    if sh.throttling && sh.calm_seconds >= 5 {
                        sh.throttling = false;
                        notes.push(format!("{} stopped throttling", sh.shard_id()));
                    }
                    continue;
                }
                if sh.throttling {
                    continue;
                }
                sh.throttling = true;
                let attempted = c.incoming_records + c.write_throttled;
                let mut text = if c.incoming_bytes * 1000 / WRITE_BYTES_PER_SECOND
                    > c.incoming_records * 1000 / u64::from(WRITE_RECORDS_PER_SECOND)
                {
                    format!(
                        "{} is throttling: {} records/s were sent, and the {:.2} MiB it took fill its 1 MiB/s limit",
                        sh.shard_id(),
                        attempted,
                        c.incoming_bytes as f64 / 1_048_576.0
                    )
                } else {
                    format!(
                        "{} is throttling: {attempted} records/s against a limit of 1,000",
                        sh.shard_id()
                    )
                };
                // A hot key: one key with at least a quarter of the shard's newest records.
                let mut counts = std::collections::BTreeMap::new();
                let mut n = 0u64;
                for d in sh.details().filter(|d| d.arrival_ms / 1000 == second) {
                    *counts.entry((d.producer, d.key)).or_insert(0u64) += 1;
                    n += 1;
                }
                if let Some((&(p, k), &top)) = counts
                    .iter()
                    .max_by_key(|(id, c)| (**c, std::cmp::Reverse(**id)))
                {
                    if n >= 20 && top * 4 >= n {
                        let key = self.producers[p as usize].key_string(k);
                        text.push_str(&format!(
                            " — the key {key:?} is hot ({}% of its records)",
                            top * 100 / n
                        ));
                    }
                }
                notes.push(text);
            }
        }
        for n in notes {
            self.note("throttle", n);
        }
    }

    /// Runs whole ticks until at least `ms` more simulated time has passed.
    pub fn run_for(&mut self, ms: u64) {
        let target = self.now_ms + ms;
        while self.now_ms < target {
            self.step();
        }
    }

    pub fn ledger(&self) -> Ledger {
        let mut l = Ledger {
            produced: self.producers.iter().map(|p| p.produced).sum(),
            ..Ledger::default()
        };
        for p in &self.producers {
            l.producer_buffered += p.buffered_records();
            l.retrying += p.retrying_records;
            l.dropped += p.totals.dropped;
        }
        for f in self.firehoses.iter().filter(|f| f.stream.is_none()) {
            l.firehose_buffered += f.buffered_records() + f.processing_records();
            l.firehose_retrying += f.retrying_records();
            l.in_s3 += f.delivered_records + f.error_records;
            l.firehose_lost += f.lost_records;
            l.transform_dropped += f.transform_dropped();
        }
        for s in &self.streams {
            for sh in &s.shards {
                l.in_shard_unread += sh.log_end - sh.frontier;
                l.read += sh.read_total;
                l.expired_unread += sh.expired_unread_total;
            }
        }
        l
    }

    /// FNV-1a 64 over the explicit state. Where commands came from (typed into the page, or
    /// scheduled in the file) is left out: a run and its replay file have the same digest.
    pub fn digest(&self) -> u64 {
        let mut h = Fnv::default();
        h.u64(self.seed);
        h.u64(self.tick_ms);
        h.u64(self.now_ms);
        h.u64(self.tick);
        h.u64(self.event_seq);
        h.u64(self.note_seq);
        for (p, n) in &self.poison {
            h.u64(u64::from(*p));
            h.u64(*n);
        }
        h.u64(self.command_log.len() as u64);
        for s in &self.streams {
            h.str(&s.name);
            h.u64(s.retention_ms);
            for sh in &s.shards {
                sh.digest_into(&mut h);
            }
        }
        for p in &self.producers {
            p.digest_into(&mut h);
        }
        for c in &self.consumers {
            c.digest_into(&mut h);
        }
        for f in &self.firehoses {
            f.digest_into(&mut h);
        }
        for m in &self.metrics {
            h.u64(m.len() as u64);
            if let Some(last) = m.back() {
                for v in [
                    last.second,
                    last.incoming_records,
                    last.incoming_bytes,
                    last.write_throttled,
                    last.read_throttled,
                    last.iterator_age_ms,
                ] {
                    h.u64(v);
                }
            }
        }
        let l = self.ledger();
        for v in [
            l.produced,
            l.producer_buffered,
            l.retrying,
            l.in_shard_unread,
            l.read,
            l.expired_unread,
            l.dropped,
            l.firehose_buffered,
            l.firehose_retrying,
            l.in_s3,
            l.firehose_lost,
            l.transform_dropped,
        ] {
            h.u64(v);
        }
        h.finish()
    }

    /// The scenario with every command applied so far written into its `commands` (at the time
    /// each took effect), followed by the scenario's commands still to come: running it gives
    /// this run again, tick for tick, on any machine.
    pub fn replay_scenario(&self) -> serde_json::Value {
        let mut v = self.scenario.source.clone();
        let at = |c: &Command, at_ms: u64| {
            let mut j = c.to_json();
            if let Some(o) = j.as_object_mut() {
                o.insert("at_ms".into(), at_ms.into());
            }
            j
        };
        // What has happened, then what the scenario still has scheduled.
        let commands: Vec<serde_json::Value> = self
            .command_log
            .iter()
            .map(|(tick, c)| at(c, tick * self.tick_ms))
            .chain(
                self.scenario.commands[self.next_scheduled..]
                    .iter()
                    .map(|s| at(&s.command, s.at_ms)),
            )
            .collect();
        if let Some(o) = v.as_object_mut() {
            o.insert("seed".into(), self.seed.into());
            o.insert("commands".into(), commands.into());
        }
        v
    }

    pub fn digest_hex(&self) -> String {
        format!("{:016x}", self.digest())
    }

    /// Everything a student sees when clicking a record still kept one by one.
    pub fn record_detail(&self, lane: u32, index: u64) -> Option<RecordDetail> {
        let (si, shi) = self.lane(lane)?;
        let stream = &self.streams[si];
        let shard = &stream.shards[shi];
        let d = shard.detail_of(index)?;
        let p = &self.producers[d.producer as usize];
        let key = p.key_string(d.key);
        Some(RecordDetail {
            hash_key: p.hash_of(d.key).to_string(),
            explicit_hash_key: p.cfg.explicit_hash_key.map(|h| h.to_string()),
            partition_key: key,
            shard_id: shard.shard_id(),
            stream_name: stream.name.clone(),
            sequence_number: sequence_number(shard.index, d.index, d.arrival_ms),
            arrival_ms: d.arrival_ms,
            size_bytes: d.size_bytes,
            producer: p.cfg.name.clone(),
            producer_record_number: d.rec_no,
            read: d.read_at_ms != u64::MAX,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordDetail {
    pub partition_key: String,
    pub hash_key: String,
    pub explicit_hash_key: Option<String>,
    pub shard_id: String,
    pub stream_name: String,
    pub sequence_number: String,
    pub arrival_ms: u64,
    pub size_bytes: u32,
    pub producer: String,
    pub producer_record_number: u64,
    pub read: bool,
}

/// The lines producers' records carry, for Firehose to compress and show.
struct ProducerLines<'a>(&'a [Producer]);

impl RecordLines for ProducerLines<'_> {
    fn write(&self, s: &Sample, out: &mut Vec<u8>) {
        let p = &self.0[s.producer as usize];
        super::app::write_record(
            p.cfg.record_template,
            &p.cfg.name,
            p.content_seed,
            s.rec_no,
            &p.key_string(s.key),
            s.arrival_ms,
            s.bytes as usize,
            out,
        );
    }
}
