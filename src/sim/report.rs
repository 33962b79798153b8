//! The report of a run, as `streamsim run` prints it (JSON).

use serde::Serialize;

use super::app::Alert;
use super::firehose::{FirehoseSecond, LakeAnswer, S3Object};
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
pub struct ProducerReport {
    pub name: String,
    pub stream_name: String,
    pub api: &'static str,
    pub records_per_second: u32,
    pub produced: u64,
    /// Entries sent, first attempts and retries.
    pub attempted: u64,
    pub accepted: u64,
    /// Entries refused with ProvisionedThroughputExceeded.
    pub throttled_attempts: u64,
    pub accepted_on_retry: u64,
    pub dropped: u64,
    pub dropped_retries_exhausted: u64,
    pub dropped_too_large: u64,
    pub retrying: u64,
    pub buffered: u64,
}

#[derive(Serialize)]
pub struct StreamReport {
    pub name: String,
    pub stream_mode: &'static str,
    /// ACTIVE, or UPDATING while a resharding is under way.
    pub stream_status: &'static str,
    pub retention_period_hours: u64,
    pub shards: Vec<ShardReport>,
}

#[derive(Serialize)]
pub struct ShardReport {
    pub shard_id: String,
    pub state: &'static str,
    /// ParentShardId and, after a merge, AdjacentParentShardId.
    pub parent_shard_ids: Vec<String>,
    pub starting_hash_key: String,
    pub ending_hash_key: String,
    pub incoming_records: u64,
    pub incoming_bytes: u64,
    pub write_throttled: u64,
    pub read_throttled: u64,
    pub retained_records: u64,
    pub expired_records: u64,
    pub expired_unread: u64,
}

#[derive(Serialize)]
pub struct ConsumerReport {
    pub name: String,
    pub stream_name: String,
    /// `polling` (shared throughput) or `enhanced_fan_out`.
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
pub struct FirehoseReport {
    pub name: String,
    /// The stream it reads, or null for Direct PUT.
    pub source_stream: Option<String>,
    /// Direct PUT records refused (ServiceUnavailableException).
    pub throttled_records: u64,
    pub bucket_arn: String,
    pub buffering_size_mib: u64,
    pub buffering_interval_s: u64,
    pub compression_format: &'static str,
    /// False during an S3 outage (`set_s3_available`).
    pub s3_available: bool,
    /// Share of S3 writes that time out after storing the object (`set_s3_timeout_rate`).
    pub s3_timeout_rate: f64,
    pub received_records: u64,
    pub received_bytes: u64,
    pub buffered_records: u64,
    pub buffered_bytes: u64,
    /// Records in objects waiting for S3 (an outage).
    pub retrying_records: u64,
    /// Records lost after 24 hours of S3 being unavailable.
    pub lost_records: u64,
    /// Records written to S3 a second time (a write that timed out after S3 stored it).
    pub duplicate_records: u64,
    pub delivered_records: u64,
    /// Bytes in S3 (after compression).
    pub delivered_bytes: u64,
    pub objects_total: u64,
    /// The newest objects (at most 100 here; `objects_total` counts them all).
    pub objects: Vec<ObjectReport>,
    /// Per simulated second, CloudWatch's AWS/Firehose metrics.
    pub metrics: Vec<FirehoseSecond>,
    /// Everything in the lake so far (a query over all delivered objects).
    pub lake: LakeAnswer,
    /// Redshift, when it is the destination: rows loaded by COPY, records skipped after the
    /// retry duration, COPYs done and objects waiting for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redshift: Option<RedshiftReport>,
    /// The scheduled batch job over the lake, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_job: Option<BatchJobReport>,
    /// The transform Lambda, if there is one: its rates now and what it returned so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transform: Option<TransformReport>,
}

#[derive(Serialize)]
pub struct TransformReport {
    pub function_name: String,
    pub error_rate: f64,
    pub dropped_rate: f64,
    pub processing_failed_rate: f64,
    pub invocations: u64,
    /// Invocations that failed (each retried, then its records are ProcessingFailed).
    pub errors: u64,
    /// Records returned Ok, Dropped and ProcessingFailed.
    pub ok: u64,
    pub dropped: u64,
    pub processing_failed: u64,
    /// Records in its buffer and in invocations running now.
    pub holding: u64,
}

#[derive(Serialize)]
pub struct RedshiftReport {
    /// False while the cluster is down (`set_redshift_available`): COPYs fail and are retried.
    pub available: bool,
    /// How long a failing COPY is retried before its records are skipped, seconds.
    pub retry_duration_s: u64,
    pub loaded_records: u64,
    pub skipped_records: u64,
    pub copies: u64,
    pub objects_waiting: u64,
}

#[derive(Serialize)]
pub struct ObjectReport {
    #[serde(flatten)]
    pub object: S3Object,
    /// Its first records as they are in the object (JSON lines).
    pub first_lines: Vec<String>,
}

#[derive(Serialize)]
pub struct BatchJobReport {
    pub name: String,
    pub every_seconds: u64,
    pub runs: u64,
    pub alerts: u64,
    /// Detection delay (run time − event time), mean and worst, ms.
    pub detection_delay_ms_mean: u64,
    pub detection_delay_ms_max: u64,
    pub recent_alerts: Vec<Alert>,
}

#[derive(Serialize)]
pub struct AppReport {
    pub kind: &'static str,
    pub records_seen: u64,
    pub records_last_second: u64,
    pub alerts: u64,
    /// Detection delay (alert time − arrival of the record), mean and worst, ms.
    pub detection_delay_ms_mean: u64,
    pub detection_delay_ms_max: u64,
    /// The newest alerts (at most 20).
    pub recent_alerts: Vec<Alert>,
}

#[derive(Serialize)]
pub struct LambdaReport {
    pub function_name: String,
    pub invocations: u64,
    pub errors: u64,
    pub retries: u64,
    pub bisections: u64,
    pub processed: u64,
    pub discarded: u64,
    pub on_failure_destination: Option<String>,
    pub expired_in_retry: u64,
    pub redeliveries: u64,
    pub concurrent_executions_max: u64,
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
            producers: w
                .producers
                .iter()
                .map(|p| ProducerReport {
                    name: p.cfg.name.clone(),
                    stream_name: p.cfg.stream_name.clone(),
                    api: p.cfg.api.as_str(),
                    records_per_second: p.cfg.records_per_second,
                    produced: p.produced,
                    attempted: p.totals.attempted,
                    accepted: p.totals.accepted,
                    throttled_attempts: p.totals.throttled,
                    accepted_on_retry: p.accepted_on_retry,
                    dropped: p.totals.dropped,
                    dropped_retries_exhausted: p.dropped_retries_exhausted,
                    dropped_too_large: p.dropped_too_large,
                    retrying: p.retrying_records,
                    buffered: p.buffered_records(),
                })
                .collect(),
            streams: w
                .streams
                .iter()
                .map(|s| StreamReport {
                    name: s.name.clone(),
                    stream_mode: s.mode.as_str(),
                    stream_status: s.status(),
                    retention_period_hours: s.retention_ms / 3_600_000,
                    shards: s
                        .shards
                        .iter()
                        .map(|sh| ShardReport {
                            shard_id: sh.shard_id(),
                            state: sh.state.as_str(),
                            parent_shard_ids: sh
                                .parents
                                .iter()
                                .map(|&p| s.shards[p as usize].shard_id())
                                .collect(),
                            starting_hash_key: sh.starting_hash_key.to_string(),
                            ending_hash_key: sh.ending_hash_key.to_string(),
                            incoming_records: sh.incoming_records_total,
                            incoming_bytes: sh.incoming_bytes_total,
                            write_throttled: sh.write_throttled_total,
                            read_throttled: sh.read_throttled_total,
                            retained_records: sh.log_end - sh.log_start,
                            expired_records: sh.expired_total,
                            expired_unread: sh.expired_unread_total,
                        })
                        .collect(),
                })
                .collect(),
            consumers: Self::consumers_of(w),
            firehoses: Self::firehoses_of(w),
            commands_applied: w.command_log.len() as u64,
            notes: w.notes.iter().cloned().collect(),
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
            .map(|c| {
                let shards = &w.streams[c.stream].shards;
                ConsumerReport {
                    name: c.cfg.name.clone(),
                    stream_name: c.cfg.stream_name.clone(),
                    kind: c.cfg.kind.as_str(),
                    starting_position: c.cfg.starting_position.as_str(),
                    records_read: c.records_read(),
                    mean_delay_ms: c.mean_delay_ms(),
                    expired_unread: c.lanes.iter().map(|l| l.expired_unread).sum(),
                    duplicates: c.order.duplicates,
                    order_violations: c.order.violations,
                    order_unchecked: c.order.unchecked,
                    order_checked: c.checks_order(),
                    bytes_read: c.lanes.iter().map(|l| l.bytes_read).sum(),
                    get_records_calls: c.lanes.iter().map(|l| l.calls).sum(),
                    read_throttled_calls: c.lanes.iter().map(|l| l.throttled_calls).sum(),
                    shards: c
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
                    application: c.app.as_ref().map(|a| AppReport {
                        kind: a.cfg.name(),
                        records_seen: a.records_seen,
                        records_last_second: a.seen_last_second,
                        alerts: a.alerts_total,
                        detection_delay_ms_mean: a.mean_delay_ms(),
                        detection_delay_ms_max: a.delay_ms_max,
                        recent_alerts: a.alerts.iter().rev().take(20).rev().cloned().collect(),
                    }),
                    lambda: c.lambda.as_ref().map(|l| {
                        let n = &l.counters;
                        LambdaReport {
                            function_name: l.function.name.clone(),
                            invocations: n.invocations,
                            errors: n.errors,
                            retries: n.retries,
                            bisections: n.bisections,
                            processed: n.processed,
                            discarded: n.discarded,
                            on_failure_destination: l.esm.on_failure_destination.clone(),
                            expired_in_retry: n.expired_in_retry,
                            redeliveries: n.redeliveries,
                            concurrent_executions_max: n.concurrent_max,
                        }
                    }),
                    processing_records_per_second: c.cfg.processing_records_per_second,
                    workers: c.kcl.as_ref().map(|k| {
                        k.alive
                            .iter()
                            .enumerate()
                            .map(|(i, &alive)| WorkerReport {
                                worker: format!("worker-{}", i + 1),
                                alive,
                                leases: k
                                    .leases
                                    .iter()
                                    .filter(|l| l.owner == Some(i as u32 + 1))
                                    .count() as u64,
                            })
                            .collect()
                    }),
                    leases: c.kcl.as_ref().map(|k| {
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
            })
            .collect()
    }

    /// The Firehose part of the report (also what the page's tank panel shows).
    pub fn firehoses_of(w: &World) -> Vec<FirehoseReport> {
        w.firehoses
            .iter()
            .map(|f| FirehoseReport {
                name: f.cfg.name.clone(),
                source_stream: f.cfg.source_stream.clone(),
                throttled_records: f.throttled_records,
                bucket_arn: f.cfg.bucket_arn.clone(),
                buffering_size_mib: f.cfg.buffering_size_mib,
                buffering_interval_s: f.cfg.buffering_interval_s,
                compression_format: f.cfg.compression.as_str(),
                s3_available: f.s3_available,
                s3_timeout_rate: f.s3_timeout_rate,
                received_records: f.received_records,
                received_bytes: f.received_bytes,
                buffered_records: f.buffered_records(),
                buffered_bytes: f.buffered_bytes(),
                retrying_records: f.retrying_records(),
                lost_records: f.lost_records,
                duplicate_records: f.duplicate_records,
                delivered_records: f.delivered_records,
                delivered_bytes: f.delivered_bytes,
                objects_total: f.objects_total,
                objects: f
                    .objects
                    .iter()
                    .rev()
                    .take(100)
                    .rev()
                    .map(|o| ObjectReport {
                        object: o.clone(),
                        first_lines: w.object_lines(o),
                    })
                    .collect(),
                metrics: f.metrics.iter().copied().collect(),
                lake: f.query(0, u64::MAX),
                redshift: f.redshift.as_ref().map(|r| RedshiftReport {
                    available: r.available,
                    retry_duration_s: r.retry_duration_ms / 1000,
                    loaded_records: r.loaded_records,
                    skipped_records: r.skipped_records,
                    copies: r.copies,
                    objects_waiting: r.queue.len() as u64,
                }),
                batch_job: f.batch.as_ref().map(|b| BatchJobReport {
                    name: b.name.clone(),
                    every_seconds: b.every_ms / 1000,
                    runs: b.runs,
                    alerts: b.alerts_total,
                    detection_delay_ms_mean: b.mean_delay_ms(),
                    detection_delay_ms_max: b.delay_ms_max,
                    recent_alerts: b.alerts.iter().rev().take(20).rev().cloned().collect(),
                }),
                transform: f.transform.as_ref().map(|t| TransformReport {
                    function_name: t.function_name.clone(),
                    error_rate: t.error_rate,
                    dropped_rate: t.dropped_rate,
                    processing_failed_rate: t.processing_failed_rate,
                    invocations: t.invocations,
                    errors: t.errors,
                    ok: t.ok,
                    dropped: t.dropped,
                    processing_failed: t.failed,
                    holding: t.holding(),
                }),
            })
            .collect()
    }
}
