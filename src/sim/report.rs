//! The report of a run, as `streamsim run` prints it (JSON): each concept's own report, the
//! ledger, the notes and the per-second metrics.

use serde::Serialize;

use super::consumer::report::ConsumerReport;
use super::firehose::report::FirehoseReport;
use super::producer::report::ProducerReport;
use super::stream::report::StreamReport;
use super::world::{Ledger, Note, StreamSecond, World};

#[derive(Serialize)]
pub struct Report {
    pub seed: String,
    pub simulated_ms: u64,
    pub ticks: u64,
    pub tick_ms: u64,
    pub digest: String,
    pub ledger: Ledger,
    pub ledger_balanced: bool,
    pub producers: Vec<ProducerReport>,
    pub streams: Vec<StreamReport>,
    pub consumers: Vec<ConsumerReport>,
    /// Firehose delivery streams: what they received, their buffer, the objects in S3.
    pub firehoses: Vec<FirehoseReport>,
    pub commands_applied: u64,
    /// What a student should notice, in plain words (the newest 256).
    pub notes: Vec<Note>,
    /// Per simulated second, per stream (CloudWatch's names).
    pub metrics: Vec<StreamMetrics>,
}

#[derive(Serialize)]
pub struct StreamMetrics {
    pub stream_name: String,
    pub seconds: Vec<StreamSecond>,
}

impl Report {
    pub fn of(w: &World) -> Self {
        let ledger = w.ledger();
        Self {
            seed: w.seed.to_string(),
            simulated_ms: w.now_ms,
            ticks: w.tick,
            tick_ms: w.tick_ms,
            digest: w.digest_hex(),
            ledger_balanced: ledger.balanced(),
            ledger,
            producers: w.producers.iter().map(|p| p.report()).collect(),
            streams: w.streams.iter().map(|s| s.report()).collect(),
            consumers: Self::consumers_of(w),
            firehoses: Self::firehoses_of(w),
            commands_applied: w.command_log.len() as u64,
            notes: w.notes().iter().cloned().collect(),
            metrics: w
                .streams
                .iter()
                .zip(&w.metrics)
                .map(|(s, m)| StreamMetrics {
                    stream_name: s.name.clone(),
                    seconds: m.iter().copied().collect(),
                })
                .collect(),
        }
    }

    /// The consumers' part of the report (also what the page's consumer panel shows).
    pub fn consumers_of(w: &World) -> Vec<ConsumerReport> {
        w.consumers
            .iter()
            .map(|c| c.report(&w.streams[c.stream].shards))
            .collect()
    }

    /// The Firehose part of the report.
    pub fn firehoses_of(w: &World) -> Vec<FirehoseReport> {
        let lines = w.lines();
        w.firehoses.iter().map(|f| f.report(&lines)).collect()
    }
}
