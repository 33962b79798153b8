//! `consumers[]` (simulation only: the applications reading a stream): polling, enhanced
//! fan-out and KCL consumers, their starting position, processing speed and application.

use serde_json::Value;

use crate::sim::app::{parse_application, AppConfig};
use crate::sim::base::json::{Errors, Obj};
use crate::sim::base::limits::{
    GET_RECORDS_LIMIT, KCL_CHECKPOINT_EVERY, KCL_CHECKPOINT_INTERVAL, KCL_FAILOVER_TIME,
    KCL_POLL_INTERVAL_DEFAULT_MS, KCL_WORKERS, NAME_CHARS_MAX, POLL_INTERVAL, PROCESSING_RATE,
    START_AT,
};
use crate::sim::base::names::Names;
use crate::sim::stream::iterator::parse_starting_position;
use crate::sim::stream::StartingPosition;

/// In which order a consumer takes the shards after a resharding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardOrder {
    /// Read each parent to its end before its children (the KCL and Lambda do this).
    ParentsFirst,
    /// Read children as soon as they open: a partition key's records can come out of order.
    Naive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerKind {
    /// Shared throughput: GetRecords calls share each shard's 5 calls/s and 2 MiB/s.
    Polling,
    /// A registered consumer with its own 2 MiB/s per shard, records pushed (SubscribeToShard).
    EnhancedFanOut,
    /// A Kinesis Client Library application: workers holding leases, checkpoints, failover.
    Kcl,
    /// A Lambda function's event source mapping (from `aws_lambda_event_source_mapping`).
    Lambda,
}

impl ConsumerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerKind::Polling => "polling",
            ConsumerKind::EnhancedFanOut => "enhanced_fan_out",
            ConsumerKind::Kcl => "kcl",
            ConsumerKind::Lambda => "lambda",
        }
    }
}

/// A KCL application's settings (KCL 2.x defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KclConfig {
    /// Workers sharing the leases (one lease per shard).
    pub workers: u32,
    /// A record processor checkpoints after this many records …
    pub checkpoint_every_records: u64,
    /// … or this long after its last checkpoint, whichever comes first.
    pub checkpoint_interval_ms: u64,
    /// A lease not renewed for this long is taken by another worker (`failoverTimeMillis`).
    pub failover_time_ms: u64,
}

/// A consumer application reading every shard of its stream, one record processor a shard.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerConfig {
    pub name: String,
    pub stream_name: String,
    pub kind: ConsumerKind,
    /// How many records a second each shard's record processor gets through (None: as many as
    /// it is given). Slower than the shard's traffic, the consumer falls behind.
    pub processing_records_per_second: Option<u32>,
    pub starting_position: StartingPosition,
    /// When the consumer starts reading (ms of simulated time); its iterators are taken then.
    pub start_at_ms: u64,
    pub shard_order: ShardOrder,
    /// KCL only (None for other kinds).
    pub kcl: Option<KclConfig>,
    /// What the consumer does with the records (fraud or cheat detection, a dashboard).
    pub application: Option<AppConfig>,
    pub poll_interval_ms: u64,
    /// GetRecords `Limit`: records per call (1–10,000).
    pub max_records: u32,
}

impl ConsumerConfig {
    /// A reader that is not a student's consumer (a Lambda trigger, a Firehose's own reader):
    /// polling about once a second, up to 10,000 records a call, parents first.
    pub fn service_reader(
        name: String,
        stream_name: String,
        kind: ConsumerKind,
        starting_position: StartingPosition,
        poll_interval_ms: u64,
        application: Option<AppConfig>,
    ) -> Self {
        Self {
            name,
            stream_name,
            kind,
            processing_records_per_second: None,
            starting_position,
            start_at_ms: 0,
            shard_order: ShardOrder::ParentsFirst,
            poll_interval_ms,
            max_records: GET_RECORDS_LIMIT.max as u32,
            kcl: None,
            application,
        }
    }
}

pub fn parse_consumer(
    v: &Value,
    path: &str,
    names: &Names,
    errs: &mut Errors,
) -> Option<ConsumerConfig> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", None, NAME_CHARS_MAX, errs);
    let stream_name = names.stream_ref(&mut o, errs);
    let kind = o.choice(
        "type",
        Some("polling"),
        &["polling", "enhanced_fan_out", "kcl"],
        errs,
    );
    let capacity = o.int_opt("processing_records_per_second", PROCESSING_RATE, errs);
    let pos = parse_starting_position(&mut o, errs);
    let start_at = o.int("start_at_ms", START_AT, errs);
    let poll_limit = if kind == Some("kcl") {
        crate::sim::base::limits::Limit {
            default: Some(KCL_POLL_INTERVAL_DEFAULT_MS),
            ..POLL_INTERVAL
        }
    } else {
        POLL_INTERVAL
    };
    let poll = o.int("poll_interval_ms", poll_limit, errs);
    let max_records = o.int("max_records", GET_RECORDS_LIMIT, errs);
    let order = o.choice(
        "shard_order",
        Some("parents_first"),
        &["parents_first", "naive"],
        errs,
    );
    let app_path = o.at("application");
    let application = parse_application(o.get("application"), &app_path, errs);
    let kcl = if kind == Some("kcl") {
        let workers = o.int("workers", KCL_WORKERS, errs);
        let every = o.int("checkpoint_every_records", KCL_CHECKPOINT_EVERY, errs);
        let interval = o.int("checkpoint_interval_ms", KCL_CHECKPOINT_INTERVAL, errs);
        let failover = o.int("failover_time_ms", KCL_FAILOVER_TIME, errs);
        if order == Some("naive") {
            errs.push(
                &o.at("shard_order"),
                "a KCL application always reads parents first",
            );
        }
        Some(KclConfig {
            workers: workers? as u32,
            checkpoint_every_records: every?,
            checkpoint_interval_ms: KCL_CHECKPOINT_INTERVAL.ms(interval?),
            failover_time_ms: KCL_FAILOVER_TIME.ms(failover?),
        })
    } else {
        None
    };
    o.finish(errs);
    Some(ConsumerConfig {
        name: name?,
        stream_name: stream_name?,
        kind: match kind? {
            "enhanced_fan_out" => ConsumerKind::EnhancedFanOut,
            "kcl" => ConsumerKind::Kcl,
            _ => ConsumerKind::Polling,
        },
        kcl,
        application: application?,
        processing_records_per_second: capacity?.map(|n| n as u32),
        shard_order: if order? == "naive" {
            ShardOrder::Naive
        } else {
            ShardOrder::ParentsFirst
        },
        starting_position: pos?,
        start_at_ms: START_AT.ms(start_at?),
        poll_interval_ms: POLL_INTERVAL.ms(poll?),
        max_records: max_records? as u32,
    })
}
