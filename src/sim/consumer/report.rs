//! A consumer's part of the report (also what the page's consumer panel shows).

use serde::Serialize;

use super::state::Consumer;
use crate::sim::app::AppReport;
use crate::sim::lambda::report::LambdaReport;
use crate::sim::stream::Shard;

#[derive(Serialize)]
pub struct ConsumerReport {
    pub name: String,
    pub stream_name: String,
    /// `polling` (shared throughput), `enhanced_fan_out`, `kcl` or `lambda`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub starting_position: &'static str,
    /// Records delivered (a record delivered twice counts twice).
    pub records_read: u64,
    /// Mean time from a record's arrival to its delivery, ms.
    pub mean_delay_ms: u64,
    /// Records trimmed by retention before this consumer read them.
    pub expired_unread: u64,
    /// Records delivered again (at-least-once: one record, several deliveries).
    pub duplicates: u64,
    /// Records processed after a later record of the same partition key.
    pub order_violations: u64,
    /// Records whose order could not be checked (the consumer was too far behind).
    pub order_unchecked: u64,
    /// Whether per-key order is checked at all (not for a Firehose delivery stream's own reader).
    pub order_checked: bool,
    pub bytes_read: u64,
    pub get_records_calls: u64,
    pub read_throttled_calls: u64,
    pub shards: Vec<ConsumerShardReport>,
    /// Lambda triggers only: invocations, errors, retries, bisections, records processed,
    /// discarded (to the on-failure destination) and expired while retried, redeliveries, and
    /// the most batches in flight at once (concurrency = shards × parallelization factor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<LambdaReport>,
    /// What the application found: alerts with their detection delays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<AppReport>,
    /// How fast each shard's processor goes (records/s), when limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_records_per_second: Option<u32>,
    /// KCL only: the workers, whether they are alive, and how many leases each holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workers: Option<Vec<WorkerReport>>,
    /// KCL only: the lease table, one row per shard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leases: Option<Vec<LeaseReport>>,
}

#[derive(Serialize)]
pub struct WorkerReport {
    /// `worker-N`.
    pub worker: String,
    pub alive: bool,
    pub leases: u64,
}

#[derive(Serialize)]
pub struct LeaseReport {
    pub shard_id: String,
    /// `worker-N`, or null while the lease is free.
    pub owner: Option<String>,
    pub checkpoint: u64,
}

#[derive(Serialize)]
pub struct ConsumerShardReport {
    pub shard_id: String,
    pub records_read: u64,
    pub expired_unread: u64,
    pub iterator_age_ms: u64,
    pub behind_records: u64,
}

impl Consumer {
    /// The report, given the shards of its stream.
    pub fn report(&self, shards: &[Shard]) -> ConsumerReport {
        ConsumerReport {
            name: self.cfg.name.clone(),
            stream_name: self.cfg.stream_name.clone(),
            kind: self.cfg.kind.as_str(),
            starting_position: self.cfg.starting_position.as_str(),
            records_read: self.records_read(),
            mean_delay_ms: self.mean_delay_ms(),
            expired_unread: self.lanes.iter().map(|l| l.expired_unread).sum(),
            duplicates: self.order.duplicates,
            order_violations: self.order.violations,
            order_unchecked: self.order.unchecked,
            order_checked: self.checks_order(),
            bytes_read: self.lanes.iter().map(|l| l.bytes_read).sum(),
            get_records_calls: self.lanes.iter().map(|l| l.calls).sum(),
            read_throttled_calls: self.lanes.iter().map(|l| l.throttled_calls).sum(),
            shards: self
                .lanes
                .iter()
                .zip(shards)
                .map(|(l, sh)| ConsumerShardReport {
                    shard_id: sh.shard_id(),
                    records_read: l.records_read,
                    expired_unread: l.expired_unread,
                    iterator_age_ms: l.iterator_age_ms,
                    behind_records: sh.log_end - l.position.max(sh.log_start),
                })
                .collect(),
            application: self.app.as_ref().map(|a| a.report()),
            lambda: self.lambda.as_ref().map(|l| l.report()),
            processing_records_per_second: self.cfg.processing_records_per_second,
            workers: self.kcl.as_ref().map(|k| {
                (1..=k.alive.len() as u32)
                    .map(|w| WorkerReport {
                        worker: format!("worker-{w}"),
                        alive: k.alive[w as usize - 1],
                        leases: k.leases_of(w) as u64,
                    })
                    .collect()
            }),
            leases: self.kcl.as_ref().map(|k| {
                k.leases
                    .iter()
                    .zip(shards)
                    .map(|(l, sh)| LeaseReport {
                        shard_id: sh.shard_id(),
                        owner: l.owner.map(|w| format!("worker-{w}")),
                        checkpoint: l.checkpoint,
                    })
                    .collect()
            }),
        }
    }
}
