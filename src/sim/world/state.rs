//! The world's state: every stream, producer, consumer and delivery stream of a scenario, the
//! notes, the command log; how it is built from a scenario, and its digest.

use std::collections::VecDeque;

use serde::Serialize;

use super::metrics::StreamSecond;
use super::notes::{Feeds, Note, WriteEvent};
use crate::sim::base::content::write_record;
use crate::sim::base::digest::Fnv;
use crate::sim::base::rng::{sub_seed, Purpose};
use crate::sim::budget::Load;
use crate::sim::command::Command;
use crate::sim::consumer::{Consumer, ConsumerConfig, ConsumerKind};
use crate::sim::firehose::object::object_lines;
use crate::sim::firehose::{
    BatchJob, Firehose, FirehoseConfig, RecordLines, S3Object, Sample, Transform,
};
use crate::sim::lambda::LambdaState;
use crate::sim::producer::{Producer, ProducerConfig};
use crate::sim::scenario::Scenario;
use crate::sim::stream::{sequence_number, StartingPosition, Stream};

/// A poll due in the current tick.
#[derive(Clone, Copy, Debug)]
pub(super) struct Poll {
    pub(super) t_ms: u64,
    pub(super) consumer: u16,
    pub(super) shard: u32,
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
    /// Every reader of a stream: the scenario's consumers, then one per Lambda trigger, then
    /// one per delivery stream reading a stream.
    pub consumers: Vec<Consumer>,
    /// Firehose delivery streams.
    pub firehoses: Vec<Firehose>,
    /// Per stream, per simulated second (the newest day).
    pub metrics: Vec<VecDeque<StreamSecond>>,
    pub feeds: Feeds,
    pub(super) queued: Vec<Command>,
    /// The load once the queued commands apply, and the producers they add (so a command sent
    /// next is checked after them without going through them all again).
    pub(super) queued_load: Option<Load>,
    pub(super) queued_added: Vec<String>,
    pub(super) next_scheduled: usize,
    pub command_log: Vec<(u64, Command)>,
    /// Rises whenever streams, shards or producers change, so the page knows to lay out again.
    pub layout_version: u64,
    /// Scratch space reused every tick (not state).
    pub(super) entries: Vec<crate::sim::producer::Entry>,
    pub(super) polls: Vec<Poll>,
}

impl World {
    pub fn new(mut scenario: Scenario) -> Self {
        scenario.commands.sort_by_key(|c| c.at_ms);
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
            feeds: Feeds::default(),
            firehoses: Vec::new(),
            queued: Vec::new(),
            queued_load: None,
            queued_added: Vec::new(),
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
        w.add_consumers();
        w.add_triggers();
        for (fi, f) in w.scenario.firehoses.clone().into_iter().enumerate() {
            w.add_firehose(fi, f);
        }
        w
    }

    /// The scenario's consumers, each with its place among its stream's consumers (their polls
    /// are spread over the interval, as independent applications' would be).
    pub(super) fn add_consumers(&mut self) {
        for (i, c) in self.scenario.consumers.clone().into_iter().enumerate() {
            let stream = self.stream_index(&c.stream_name).expect("validated");
            let same: Vec<usize> = (0..self.scenario.consumers.len())
                .filter(|&j| self.scenario.consumers[j].stream_name == c.stream_name)
                .collect();
            let rank = same.iter().position(|&j| j == i).unwrap_or(0) as u64;
            let ends = self.shard_ends(stream);
            self.consumers.push(Consumer::new(
                c,
                i as u16,
                stream,
                &ends,
                rank,
                same.len() as u64,
            ));
        }
    }

    /// A reader for each enabled Lambda event source mapping.
    pub(super) fn add_triggers(&mut self) {
        let mappings = self.scenario.event_source_mappings.clone();
        for m in mappings.into_iter().filter(|m| m.enabled) {
            let stream = self.stream_index(&m.stream_name).expect("validated");
            let function = self.function(&m.function_name).clone();
            let cfg = ConsumerConfig::service_reader(
                m.label.clone(),
                m.stream_name.clone(),
                ConsumerKind::Lambda,
                m.starting_position,
                crate::sim::base::limits::LAMBDA_POLL_INTERVAL_MS,
                function.application,
            );
            let ends = self.shard_ends(stream);
            let index = self.consumers.len() as u16;
            let mut c = Consumer::new(cfg, index, stream, &ends, u64::from(index), 1);
            let seed = sub_seed(self.seed, Purpose::Lambda, u64::from(index));
            c.lambda = Some(Box::new(LambdaState::new(m, function, seed, ends.len())));
            self.consumers.push(c);
        }
    }

    /// A delivery stream, and (when it reads a stream) its reader: Firehose reads its stream
    /// from LATEST, one GetRecords a second per shard, counted in the shard's read limits like
    /// any polling consumer.
    pub(super) fn add_firehose(&mut self, fi: usize, f: FirehoseConfig) {
        let seed = sub_seed(self.seed, Purpose::Firehose, fi as u64);
        let batch = self
            .scenario
            .batch_jobs
            .iter()
            .find(|b| b.delivery_stream_name == f.name)
            .map(|b| BatchJob::new(b.name.clone(), b.every_ms, b.application));
        let transform = f
            .transform
            .as_ref()
            .map(|t| Transform::new(t, self.function(&t.function_name)));
        let (stream, reader) = match f.source_stream.clone() {
            None => (None, None),
            Some(source) => {
                let stream = self.stream_index(&source).expect("validated");
                let cfg = ConsumerConfig::service_reader(
                    format!("firehose:{}", f.name),
                    source,
                    ConsumerKind::Polling,
                    StartingPosition::Latest,
                    1_000,
                    None,
                );
                let ends = self.shard_ends(stream);
                let index = self.consumers.len() as u16;
                let mut c = Consumer::new(cfg, index, stream, &ends, u64::from(index), 1);
                c.firehose = Some(fi);
                self.consumers.push(c);
                (Some(stream), Some(index as usize))
            }
        };
        let mut fh = Firehose::new(f, stream, reader, seed);
        fh.batch = batch;
        fh.transform = transform;
        self.firehoses.push(fh);
    }

    pub(super) fn function(&self, name: &str) -> &crate::sim::lambda::LambdaFunction {
        self.scenario
            .lambda_functions
            .iter()
            .find(|f| f.name == name)
            .expect("validated")
    }

    pub(super) fn shard_ends(&self, stream: usize) -> Vec<u64> {
        self.streams[stream]
            .shards
            .iter()
            .map(|s| s.log_end)
            .collect()
    }

    pub fn stream_index(&self, name: &str) -> Option<usize> {
        self.streams.iter().position(|s| s.name == name)
    }

    pub(super) fn add_producer(&mut self, cfg: ProducerConfig) {
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

    /// The notes kept (the newest 256).
    pub fn notes(&self) -> &VecDeque<Note> {
        &self.feeds.notes
    }

    pub fn notes_after(&self, seq: u64) -> impl Iterator<Item = &Note> {
        self.feeds.notes.iter().filter(move |n| n.seq > seq)
    }

    pub fn events_after(&self, seq: u64) -> impl Iterator<Item = &WriteEvent> {
        self.feeds.events.iter().filter(move |e| e.seq > seq)
    }

    pub(super) fn note(&mut self, kind: &'static str, text: String) {
        self.feeds.note(self.now_ms, kind, text);
    }

    /// Runs whole ticks until at least `ms` more simulated time has passed.
    pub fn run_for(&mut self, ms: u64) {
        let target = self.now_ms + ms;
        while self.now_ms < target {
            self.step();
        }
    }

    /// FNV-1a 64 over the explicit state. Where commands came from (typed into the page, or
    /// scheduled in the file) is left out: a run and its replay file have the same digest.
    pub fn digest(&self) -> u64 {
        let mut h = Fnv::default();
        for v in [
            self.seed,
            self.tick_ms,
            self.now_ms,
            self.tick,
            self.feeds.event_seq,
            self.feeds.note_seq,
        ] {
            h.u64(v);
        }
        for p in &self.producers {
            for n in &p.poison {
                h.u64(u64::from(p.index));
                h.u64(*n);
            }
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
                for v in last.values() {
                    h.u64(v);
                }
            }
        }
        for v in self.ledger().values() {
            h.u64(v);
        }
        h.finish()
    }

    pub fn digest_hex(&self) -> String {
        format!("{:016x}", self.digest())
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

    /// Everything a student sees when clicking a record still kept one by one.
    pub fn record_detail(&self, lane: u32, index: u64) -> Option<RecordDetail> {
        let (si, shi) = self.lane(lane)?;
        let stream = &self.streams[si];
        let shard = &stream.shards[shi];
        let d = shard.detail_of(index)?;
        let p = &self.producers[d.producer as usize];
        Some(RecordDetail {
            hash_key: p.hash_of(d.key).to_string(),
            explicit_hash_key: p.cfg.explicit_hash_key.map(|h| h.to_string()),
            partition_key: p.key_string(d.key),
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

    /// The lines the producers' records carry (to size objects and show their first lines).
    pub fn lines(&self) -> ProducerLines<'_> {
        ProducerLines(&self.producers)
    }

    /// The first lines of an object, exactly as they are in it.
    pub fn object_lines(&self, object: &S3Object) -> Vec<String> {
        object_lines(object, &self.lines())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
pub struct ProducerLines<'a>(pub(super) &'a [Producer]);

impl RecordLines for ProducerLines<'_> {
    fn write(&self, s: &Sample, out: &mut Vec<u8>) {
        let p = &self.0[s.producer as usize];
        write_record(
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
