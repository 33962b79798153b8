//! Scenario files: JSON whose resources and argument names mirror Terraform
//! (`resource.aws_kinesis_stream.<label>.{name, shard_count, retention_period,
//! stream_mode_details.stream_mode}`), plus simulation-only blocks (`seed`, `tick_ms`,
//! `producers`, `consumers`, `commands`).
//!
//! Validation walks the JSON by hand so that every error names the field's path, the value and
//! the allowed range, all errors are reported at once, and no input can panic the core.

use serde_json::{Map, Value};

use super::app::{AppConfig, Template};
use super::firehose::{Compression, FirehoseConfig, TransformConfig};
use super::hash::parse_hash_key;

/// Limits on everything a scenario can ask for (units last in the names).
pub mod limits {
    pub const STREAMS_MAX: usize = 8;
    pub const SHARD_COUNT_MAX: u64 = 500;
    pub const PRODUCERS_MAX: usize = 32;
    pub const CONSUMERS_MAX: usize = 32;
    /// As many as a run's command log keeps, so any run's replay file loads.
    pub const COMMANDS_MAX: usize = 100_000;
    /// Partition keys × readers: each reader keeps 16 bytes per key.
    pub const KEY_SLOTS_MAX: u64 = 8_000_000;
    pub const RECORDS_PER_SECOND_MAX: u64 = 1_000_000;
    /// All producers together, so a run's memory and time stay bounded.
    pub const TOTAL_RECORDS_PER_SECOND_MAX: u64 = 2_000_000;
    pub const KEY_COUNT_MAX: u64 = 1_000_000;
    pub const PARTITION_KEY_CHARS_MAX: usize = 256;
    pub const RECORD_SIZE_BYTES_MAX: u64 = 1_048_576;
    pub const RETENTION_HOURS_MIN: u64 = 24;
    pub const RETENTION_HOURS_MAX: u64 = 8_760;
    pub const RETENTION_HOURS_DEFAULT: u64 = 24;
    pub const TICK_MS_MIN: u64 = 10;
    pub const TICK_MS_MAX: u64 = 1_000;
    pub const TICK_MS_DEFAULT: u64 = 100;
    pub const PUT_RECORDS_ENTRIES_MAX: u64 = 500;
    pub const PUT_RECORDS_BYTES_MAX: u64 = 5 * 1_048_576;
    pub const GET_RECORDS_LIMIT_MAX: u64 = 10_000;
    pub const POLL_INTERVAL_MS_MIN: u64 = 200;
    pub const POLL_INTERVAL_MS_MAX: u64 = 3_600_000;
    pub const DESCRIPTION_CHARS_MAX: usize = 4_000;
    pub const NAME_CHARS_MAX: usize = 128;
    pub const AT_MS_MAX: u64 = 30 * 24 * 3_600_000;
}

use limits::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub description: String,
    pub seed: u64,
    pub tick_ms: u64,
    pub streams: Vec<StreamConfig>,
    pub producers: Vec<ProducerConfig>,
    pub consumers: Vec<ConsumerConfig>,
    pub lambda_functions: Vec<LambdaFunction>,
    pub event_source_mappings: Vec<EventSourceMapping>,
    pub firehoses: Vec<FirehoseConfig>,
    pub batch_jobs: Vec<BatchJobConfig>,
    pub commands: Vec<ScheduledCommand>,
    /// The validated JSON, kept so a run can say exactly what it was made from.
    pub source: Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamMode {
    Provisioned,
    OnDemand,
}

impl StreamMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamMode::Provisioned => "PROVISIONED",
            StreamMode::OnDemand => "ON_DEMAND",
        }
    }
}

/// On-demand streams start with the capacity of 4 MB/s of writes: four shards.
pub const ON_DEMAND_INITIAL_SHARDS: u32 = 4;

#[derive(Clone, Debug, PartialEq)]
pub struct StreamConfig {
    pub name: String,
    pub shard_count: u32,
    pub retention_period_hours: u32,
    pub mode: StreamMode,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SizeModel {
    Fixed(u32),
    /// Uniform in min..=max bytes.
    Range {
        min: u32,
        max: u32,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum KeyModel {
    /// `count` keys `<prefix>0` … `<prefix>{count-1}`, equally likely.
    Uniform { count: u32, prefix: String },
    /// One key takes `hot_key_share` of the records; the rest are uniform over `count` others.
    HotKey {
        count: u32,
        prefix: String,
        hot_key: String,
        hot_key_share: f64,
    },
    /// Key of rank r (1-based) has weight 1/r^exponent.
    Zipf {
        count: u32,
        prefix: String,
        exponent: f64,
    },
    /// Exactly these keys, equally likely.
    List { keys: Vec<String> },
    /// A fresh random key (16 hex digits) for every record.
    Random,
}

impl KeyModel {
    pub fn name(&self) -> &'static str {
        match self {
            KeyModel::Uniform { .. } => "uniform",
            KeyModel::HotKey { .. } => "hot_key",
            KeyModel::Zipf { .. } => "zipf",
            KeyModel::List { .. } => "list",
            KeyModel::Random => "random",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Traffic {
    Steady,
    /// `multiplier` × the rate for the first `burst_seconds` of every `period_seconds`.
    Bursts {
        period_seconds: u64,
        burst_seconds: u64,
        multiplier: f64,
    },
    /// rate × (1 + amplitude · sin(2π (t + phase) / period)).
    DailySine {
        amplitude: f64,
        period_seconds: u64,
        phase_seconds: u64,
    },
    /// `multiplier` × the rate from `at_second` for `duration_seconds`, once.
    Spike {
        at_second: u64,
        duration_seconds: u64,
        multiplier: f64,
    },
}

impl Traffic {
    /// The largest factor the shape ever applies to the rate.
    pub fn peak(&self) -> f64 {
        match *self {
            Traffic::Steady => 1.0,
            Traffic::Bursts { multiplier, .. } | Traffic::Spike { multiplier, .. } => {
                multiplier.max(1.0)
            }
            Traffic::DailySine { amplitude, .. } => 1.0 + amplitude,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Traffic::Steady => "steady",
            Traffic::Bursts { .. } => "bursts",
            Traffic::DailySine { .. } => "daily_sine",
            Traffic::Spike { .. } => "spike",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    PutRecord,
    PutRecords,
}

impl Api {
    pub fn as_str(self) -> &'static str {
        match self {
            Api::PutRecord => "PutRecord",
            Api::PutRecords => "PutRecords",
        }
    }
}

/// The AWS SDK's standard retry mode by default: 3 attempts in all; before attempt n+1 it waits
/// random(0,1) × min(base × 2^(n−1), max_backoff) (full jitter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay_ms: u64,
    pub max_backoff_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay_ms: 1_000,
            max_backoff_ms: 20_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProducerConfig {
    pub name: String,
    /// The Kinesis stream it writes to ("" when it writes to a Firehose by Direct PUT).
    pub stream_name: String,
    /// Direct PUT: the Firehose delivery stream it writes to (PutRecord / PutRecordBatch).
    pub delivery_stream_name: Option<String>,
    /// What its records say (their JSON lines); None: contents are not shown.
    pub record_template: Option<Template>,
    pub records_per_second: u32,
    pub record_size: SizeModel,
    pub keys: KeyModel,
    pub explicit_hash_key: Option<u128>,
    pub traffic: Traffic,
    pub api: Api,
    /// PutRecords only: entries per request (1–500) …
    pub batch_max_records: u32,
    /// … and how long a record may wait for its batch to fill (the KPL's RecordMaxBufferedTime).
    pub batch_max_buffered_time_ms: u64,
    pub retry: RetryPolicy,
    pub paused: bool,
}

/// Where a consumer's shard iterators start (GetShardIterator's ShardIteratorType).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartingPosition {
    /// The oldest record kept.
    TrimHorizon,
    /// Only records that arrive after the consumer starts.
    Latest,
    /// The first record that arrived at or after this simulated time (ms).
    AtTimestamp(u64),
    /// At this record of this shard (other shards from TRIM_HORIZON).
    AtSequenceNumber { shard: u32, index: u64 },
    /// Just after this record of this shard (other shards from TRIM_HORIZON).
    AfterSequenceNumber { shard: u32, index: u64 },
}

impl StartingPosition {
    pub fn as_str(self) -> &'static str {
        match self {
            StartingPosition::TrimHorizon => "TRIM_HORIZON",
            StartingPosition::Latest => "LATEST",
            StartingPosition::AtTimestamp(_) => "AT_TIMESTAMP",
            StartingPosition::AtSequenceNumber { .. } => "AT_SEQUENCE_NUMBER",
            StartingPosition::AfterSequenceNumber { .. } => "AFTER_SEQUENCE_NUMBER",
        }
    }
}

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

/// A scheduled batch job over a delivery stream's objects in S3 (simulation only).
#[derive(Clone, Debug, PartialEq)]
pub struct BatchJobConfig {
    pub name: String,
    pub delivery_stream_name: String,
    pub every_seconds: u64,
    pub application: AppConfig,
}

/// What a Lambda function does with a batch (simulation only).
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaFunction {
    pub name: String,
    /// An invocation takes `duration_ms` + `duration_ms_per_record` × records.
    pub duration_ms: u64,
    pub duration_ms_per_record: u64,
    /// Chance that an invocation fails for no reason in its records.
    pub error_rate: f64,
    /// Records with these partition keys make every invocation that holds them fail.
    pub poison_partition_keys: Vec<String>,
    /// What the function does with the records it processes.
    pub application: Option<AppConfig>,
    /// As a Firehose transform: the share of records it returns Dropped, and ProcessingFailed.
    pub transform_dropped_rate: f64,
    pub transform_processing_failed_rate: f64,
}

/// `aws_lambda_event_source_mapping`: a Lambda function triggered by a Kinesis stream.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSourceMapping {
    pub label: String,
    pub stream_name: String,
    pub function_name: String,
    pub starting_position: StartingPosition,
    pub batch_size: u32,
    pub maximum_batching_window_ms: u64,
    pub parallelization_factor: u32,
    pub bisect_batch_on_function_error: bool,
    /// −1 = retry until the records expire.
    pub maximum_retry_attempts: i64,
    /// −1 = no limit.
    pub maximum_record_age_seconds: i64,
    pub on_failure_destination: Option<String>,
    /// A disabled mapping does not poll.
    pub enabled: bool,
}

/// Enhanced fan-out consumers a stream may have.
pub const FAN_OUT_CONSUMERS_PER_STREAM_MAX: usize = 20;

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

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    SetRate {
        producer: String,
        records_per_second: u32,
    },
    SetHotKeyShare {
        producer: String,
        hot_key_share: f64,
    },
    PauseProducer {
        producer: String,
    },
    ResumeProducer {
        producer: String,
    },
    /// The producer block as given, kept so the command can be written out again exactly.
    AddProducer(Box<ProducerConfig>, Value),
    /// SplitShard: `shard_to_split` becomes two children at `new_starting_hash_key` (None: the
    /// middle of its range).
    SplitShard {
        stream_name: String,
        shard_to_split: String,
        new_starting_hash_key: Option<u128>,
    },
    /// MergeShards: two adjacent OPEN shards become one.
    MergeShards {
        stream_name: String,
        shard_to_merge: String,
        adjacent_shard_to_merge: String,
    },
    /// The producer's next record is one every Lambda function fails on.
    PutPoisonRecord {
        producer: String,
    },
    /// A Lambda function starts (or stops) failing at this rate.
    SetFunctionErrorRate {
        function_name: String,
        error_rate: f64,
    },
    /// A consumer's processing speed changes (None: unlimited).
    SetProcessingRate {
        consumer: String,
        records_per_second: Option<u32>,
    },
    /// S3 goes down (or comes back) for a delivery stream.
    SetS3Available {
        delivery_stream_name: String,
        available: bool,
    },
    /// UpdateDestination: new buffering hints or compression; the version in object names
    /// rises by one.
    UpdateDestination {
        delivery_stream_name: String,
        buffering_size: Option<u64>,
        buffering_interval: Option<u64>,
        compression_format: Option<Compression>,
    },
    /// Redshift goes down (COPY fails) or comes back, for a delivery stream loading into it.
    SetRedshiftAvailable {
        delivery_stream_name: String,
        available: bool,
    },
    /// A share of S3 writes time out after storing the object (Firehose writes it again).
    SetS3TimeoutRate {
        delivery_stream_name: String,
        timeout_rate: f64,
    },
    /// What a delivery stream's transform Lambda makes of records from now on: the share of
    /// invocations that fail (retried), and per record the shares returned Dropped and
    /// ProcessingFailed (the rest Ok). A field left out keeps its value.
    SetTransformRates {
        delivery_stream_name: String,
        error_rate: Option<f64>,
        dropped_rate: Option<f64>,
        processing_failed_rate: Option<f64>,
    },
    /// A KCL worker stops (its leases expire after the failover time) …
    CrashWorker {
        consumer: String,
        worker: u32,
    },
    /// … or comes back.
    RestartWorker {
        consumer: String,
        worker: u32,
    },
    /// UpdateShardCount with UNIFORM_SCALING.
    UpdateShardCount {
        stream_name: String,
        target_shard_count: u32,
    },
}

impl Command {
    /// The command as JSON, in the form `read_command` reads (for replay files).
    pub fn to_json(&self) -> Value {
        use serde_json::json;
        match self {
            Command::SetRate {
                producer,
                records_per_second,
            } => {
                json!({"type": "set_rate", "producer": producer, "records_per_second": records_per_second})
            }
            Command::SetHotKeyShare {
                producer,
                hot_key_share,
            } => {
                json!({"type": "set_hot_key_share", "producer": producer, "hot_key_share": hot_key_share})
            }
            Command::PauseProducer { producer } => {
                json!({"type": "pause_producer", "producer": producer})
            }
            Command::ResumeProducer { producer } => {
                json!({"type": "resume_producer", "producer": producer})
            }
            Command::AddProducer(_, block) => json!({"type": "add_producer", "producer": block}),
            Command::SplitShard {
                stream_name,
                shard_to_split,
                new_starting_hash_key,
            } => {
                let mut j = json!({"type": "split_shard", "stream_name": stream_name, "shard_to_split": shard_to_split});
                if let Some(h) = new_starting_hash_key {
                    j["new_starting_hash_key"] = h.to_string().into();
                }
                j
            }
            Command::MergeShards {
                stream_name,
                shard_to_merge,
                adjacent_shard_to_merge,
            } => json!({"type": "merge_shards", "stream_name": stream_name,
                "shard_to_merge": shard_to_merge, "adjacent_shard_to_merge": adjacent_shard_to_merge}),
            Command::UpdateShardCount {
                stream_name,
                target_shard_count,
            } => json!({"type": "update_shard_count", "stream_name": stream_name,
                "target_shard_count": target_shard_count}),
            Command::CrashWorker { consumer, worker } => {
                json!({"type": "crash_worker", "consumer": consumer, "worker": worker})
            }
            Command::PutPoisonRecord { producer } => {
                json!({"type": "put_poison_record", "producer": producer})
            }
            Command::SetS3Available {
                delivery_stream_name,
                available,
            } => json!({"type": "set_s3_available", "delivery_stream_name": delivery_stream_name,
                "available": available}),
            Command::SetS3TimeoutRate {
                delivery_stream_name,
                timeout_rate,
            } => {
                json!({"type": "set_s3_timeout_rate", "delivery_stream_name": delivery_stream_name,
                "timeout_rate": timeout_rate})
            }
            Command::SetRedshiftAvailable {
                delivery_stream_name,
                available,
            } => {
                json!({"type": "set_redshift_available", "delivery_stream_name": delivery_stream_name,
                "available": available})
            }
            Command::SetTransformRates {
                delivery_stream_name,
                error_rate,
                dropped_rate,
                processing_failed_rate,
            } => {
                let mut j = json!({"type": "set_transform_rates", "delivery_stream_name": delivery_stream_name});
                if let Some(v) = error_rate {
                    j["error_rate"] = (*v).into();
                }
                if let Some(v) = dropped_rate {
                    j["dropped_rate"] = (*v).into();
                }
                if let Some(v) = processing_failed_rate {
                    j["processing_failed_rate"] = (*v).into();
                }
                j
            }
            Command::UpdateDestination {
                delivery_stream_name,
                buffering_size,
                buffering_interval,
                compression_format,
            } => {
                let mut j = json!({"type": "update_destination", "delivery_stream_name": delivery_stream_name});
                if let Some(v) = buffering_size {
                    j["buffering_size"] = (*v).into();
                }
                if let Some(v) = buffering_interval {
                    j["buffering_interval"] = (*v).into();
                }
                if let Some(c) = compression_format {
                    j["compression_format"] = c.as_str().into();
                }
                j
            }
            Command::SetFunctionErrorRate {
                function_name,
                error_rate,
            } => json!({"type": "set_function_error_rate", "function_name": function_name,
                "error_rate": error_rate}),
            Command::SetProcessingRate {
                consumer,
                records_per_second,
            } => json!({"type": "set_processing_rate", "consumer": consumer,
                "records_per_second": records_per_second}),
            Command::RestartWorker { consumer, worker } => {
                json!({"type": "restart_worker", "consumer": consumer, "worker": worker})
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledCommand {
    pub at_ms: u64,
    pub command: Command,
}

/// All the errors found in one input, each "path: what is wrong".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Errors(pub Vec<String>);

impl Errors {
    fn push(&mut self, path: &str, message: impl AsRef<str>) {
        let path = if path.is_empty() { "(top level)" } else { path };
        self.0.push(format!("{path}: {}", message.as_ref()));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for Errors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("\n"))
    }
}

/// A value as the error message shows it: JSON, cut short.
fn shown(v: &Value) -> String {
    let mut s = v.to_string();
    if s.chars().count() > 60 {
        s = s.chars().take(57).collect::<String>() + "...";
    }
    s
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// One JSON object being read: remembers which keys were asked for, so `finish` can name the
/// unknown ones.
struct Obj<'a> {
    path: String,
    map: &'a Map<String, Value>,
    known: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    fn of(v: &'a Value, path: &str, errs: &mut Errors) -> Option<Self> {
        match v {
            Value::Object(map) => Some(Self {
                path: path.to_string(),
                map,
                known: Vec::new(),
            }),
            other => {
                errs.push(path, format!("expected an object, got {}", shown(other)));
                None
            }
        }
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn required(&mut self, key: &'static str, errs: &mut Errors) -> Option<&'a Value> {
        let v = self.get(key);
        if v.is_none() {
            errs.push(&self.at(key), "required");
        }
        v
    }

    /// An integer in `lo..=hi`; `default` when absent (None = required).
    fn int(
        &mut self,
        key: &'static str,
        default: Option<u64>,
        lo: u64,
        hi: u64,
        errs: &mut Errors,
    ) -> Option<u64> {
        let path = self.at(key);
        match (self.get(key), default) {
            (None, Some(d)) => Some(d),
            (None, None) => {
                errs.push(&path, "required");
                None
            }
            (Some(v), _) => int_value(v, &path, lo, hi, errs),
        }
    }

    /// A number in `lo..=hi`.
    fn num(
        &mut self,
        key: &'static str,
        default: Option<f64>,
        lo: f64,
        hi: f64,
        errs: &mut Errors,
    ) -> Option<f64> {
        let path = self.at(key);
        match (self.get(key), default) {
            (None, Some(d)) => Some(d),
            (None, None) => {
                errs.push(&path, "required");
                None
            }
            (Some(v), _) => num_value(v, &path, lo, hi, errs),
        }
    }

    fn boolean(&mut self, key: &'static str, default: bool, errs: &mut Errors) -> bool {
        let path = self.at(key);
        match self.get(key) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                errs.push(
                    &path,
                    format!("expected true or false, got {}", shown(other)),
                );
                default
            }
        }
    }

    /// A string of 1..=max_chars characters.
    fn text(
        &mut self,
        key: &'static str,
        default: Option<&str>,
        max_chars: usize,
        errs: &mut Errors,
    ) -> Option<String> {
        let path = self.at(key);
        match (self.get(key), default) {
            (None, Some(d)) => Some(d.to_string()),
            (None, None) => {
                errs.push(&path, "required");
                None
            }
            (Some(v), _) => text_value(v, &path, 1, max_chars, errs),
        }
    }

    fn choice(
        &mut self,
        key: &'static str,
        default: Option<&'static str>,
        allowed: &[&'static str],
        errs: &mut Errors,
    ) -> Option<&'static str> {
        let path = self.at(key);
        let v = match (self.get(key), default) {
            (None, Some(d)) => return Some(d),
            (None, None) => {
                errs.push(&path, "required");
                return None;
            }
            (Some(v), _) => v,
        };
        let found = v
            .as_str()
            .and_then(|s| allowed.iter().copied().find(|a| *a == s));
        if found.is_none() {
            errs.push(
                &path,
                format!("{} is not one of {}", shown(v), allowed.join(", ")),
            );
        }
        found
    }

    fn finish(self, errs: &mut Errors) {
        for key in self.map.keys() {
            if !self.known.iter().any(|k| k == key) {
                let mut allowed = self.known.clone();
                allowed.sort_unstable();
                allowed.dedup();
                errs.push(
                    &join(&self.path, key),
                    format!("unknown field (allowed here: {})", allowed.join(", ")),
                );
            }
        }
    }
}

fn int_value(v: &Value, path: &str, lo: u64, hi: u64, errs: &mut Errors) -> Option<u64> {
    let out_of_range = |errs: &mut Errors| {
        errs.push(path, format!("{} is out of range {lo}..={hi}", shown(v)));
    };
    match v {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if (lo..=hi).contains(&u) {
                    return Some(u);
                }
                out_of_range(errs);
            } else if n.as_i64().is_some() {
                out_of_range(errs); // negative
            } else {
                errs.push(
                    path,
                    format!("{} is not a whole number (allowed {lo}..={hi})", shown(v)),
                );
            }
            None
        }
        other => {
            errs.push(
                path,
                format!(
                    "expected a whole number in {lo}..={hi}, got {}",
                    shown(other)
                ),
            );
            None
        }
    }
}

fn num_value(v: &Value, path: &str, lo: f64, hi: f64, errs: &mut Errors) -> Option<f64> {
    match v.as_f64() {
        Some(x) if x.is_finite() && x >= lo && x <= hi => Some(x),
        Some(_) => {
            errs.push(path, format!("{} is out of range {lo}..={hi}", shown(v)));
            None
        }
        None => {
            errs.push(
                path,
                format!("expected a number in {lo}..={hi}, got {}", shown(v)),
            );
            None
        }
    }
}

fn text_value(v: &Value, path: &str, min: usize, max: usize, errs: &mut Errors) -> Option<String> {
    match v.as_str() {
        Some(s) => {
            let n = s.chars().count();
            if n < min || n > max {
                errs.push(
                    path,
                    format!("{} has {n} characters; allowed {min}..={max}", shown(v)),
                );
                None
            } else {
                Some(s.to_string())
            }
        }
        None => {
            errs.push(path, format!("expected a string, got {}", shown(v)));
            None
        }
    }
}

fn array<'a>(v: &'a Value, path: &str, max: usize, errs: &mut Errors) -> Option<&'a [Value]> {
    match v {
        Value::Array(items) if items.len() <= max => Some(items),
        Value::Array(items) => {
            errs.push(
                path,
                format!("{} entries; at most {max} allowed", items.len()),
            );
            None
        }
        other => {
            errs.push(path, format!("expected a list, got {}", shown(other)));
            None
        }
    }
}

/// Reads and validates a scenario from JSON text.
pub fn parse_scenario(text: &str) -> Result<Scenario, Errors> {
    let mut errs = Errors::default();
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            errs.push("", format!("not valid JSON: {e}"));
            return Err(errs);
        }
    };
    let scenario = read_scenario(&value, &mut errs);
    match scenario {
        Some(s) if errs.is_empty() => Ok(s),
        _ => Err(errs),
    }
}

/// Checks a scenario; empty when it is valid.
pub fn validate(text: &str) -> Errors {
    parse_scenario(text).err().unwrap_or_default()
}

fn read_scenario(value: &Value, errs: &mut Errors) -> Option<Scenario> {
    let mut top = Obj::of(value, "", errs)?;
    let description = top
        .get("description")
        .and_then(|v| text_value(v, "description", 0, DESCRIPTION_CHARS_MAX, errs))
        .unwrap_or_default();
    let seed = match top.get("seed") {
        None => Some(1),
        // Seeds may be given as strings, since JS numbers lose precision above 2^53.
        Some(Value::String(s)) => match s.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(
                    "seed",
                    format!("{s:?} is not a whole number in 0..={}", u64::MAX),
                );
                None
            }
        },
        Some(v) => int_value(v, "seed", 0, u64::MAX, errs),
    };
    let tick_ms = top.int(
        "tick_ms",
        Some(TICK_MS_DEFAULT),
        TICK_MS_MIN,
        TICK_MS_MAX,
        errs,
    );
    if let Some(t) = tick_ms {
        if 1000 % t != 0 {
            errs.push(
                "tick_ms",
                format!("{t} does not divide 1000 (a second must be a whole number of ticks)"),
            );
        }
    }

    let (streams, esm_block, firehose_block) = read_streams(top.required("resource", errs), errs);
    let stream_names: Vec<String> = streams.iter().map(|s| s.name.clone()).collect();
    let mut functions = Vec::new();
    if let Some(v) = top.get("lambda_functions") {
        if let Some(items) = array(v, "lambda_functions", 16, errs) {
            for (i, item) in items.iter().enumerate() {
                if let Some(f) = read_function(item, &format!("lambda_functions[{i}]"), errs) {
                    functions.push(f);
                }
            }
        }
    }
    let mappings = esm_block
        .map(|b| read_mappings(b, &stream_names, &functions, errs))
        .unwrap_or_default();
    let firehoses = firehose_block
        .map(|b| read_firehoses(b, &stream_names, &functions, errs))
        .unwrap_or_default();
    let direct_put: Vec<String> = firehoses
        .iter()
        .filter(|f| f.source_stream.is_none())
        .map(|f| f.name.clone())
        .collect();
    let mut batch_jobs: Vec<BatchJobConfig> = Vec::new();
    if let Some(v) = top.get("batch_jobs") {
        if let Some(items) = array(v, "batch_jobs", 8, errs) {
            for (i, item) in items.iter().enumerate() {
                let path = format!("batch_jobs[{i}]");
                let Some(mut o) = Obj::of(item, &path, errs) else {
                    continue;
                };
                let name = o.text("name", None, NAME_CHARS_MAX, errs);
                let ds_path = o.at("delivery_stream_name");
                let ds = o
                    .text("delivery_stream_name", None, NAME_CHARS_MAX, errs)
                    .and_then(|d| {
                        if !firehoses.iter().any(|f| f.name == d) {
                            errs.push(
                                &ds_path,
                                format!("{d:?} is not a delivery stream of this scenario"),
                            );
                            None
                        } else if batch_jobs.iter().any(|b| b.delivery_stream_name == d) {
                            errs.push(
                                &ds_path,
                                format!("{d:?} already has a batch job (one each)"),
                            );
                            None
                        } else {
                            Some(d)
                        }
                    });
                let every = o.int("every_seconds", Some(3_600), 60, 86_400, errs);
                let app_path = o.at("application");
                let app = match o.get("application") {
                    None => {
                        errs.push(&app_path, "required");
                        None
                    }
                    Some(_) => read_application(o.get("application"), &app_path, errs).flatten(),
                };
                o.finish(errs);
                if let (Some(name), Some(ds), Some(every), Some(app)) = (name, ds, every, app) {
                    batch_jobs.push(BatchJobConfig {
                        name,
                        delivery_stream_name: ds,
                        every_seconds: every,
                        application: app,
                    });
                }
            }
        }
    }

    let mut producers = Vec::new();
    if let Some(v) = top.get("producers") {
        if let Some(items) = array(v, "producers", PRODUCERS_MAX, errs) {
            for (i, item) in items.iter().enumerate() {
                let path = format!("producers[{i}]");
                if let Some(p) = read_producer(item, &path, &stream_names, &direct_put, errs) {
                    if producers.iter().any(|q: &ProducerConfig| q.name == p.name) {
                        errs.push(
                            &join(&path, "name"),
                            format!("{:?} is used by another producer", p.name),
                        );
                    }
                    producers.push(p);
                }
            }
            // At their peaks (bursts, spikes), so a run's memory and time stay bounded.
            let total: u64 = producers
                .iter()
                .map(|p| (f64::from(p.records_per_second) * p.traffic.peak()) as u64)
                .sum();
            if total > TOTAL_RECORDS_PER_SECOND_MAX {
                errs.push(
                    "producers",
                    format!(
                        "together {total} records/s at their peaks; at most {TOTAL_RECORDS_PER_SECOND_MAX} allowed"
                    ),
                );
            }
        }
    }

    let mut consumers = Vec::new();
    if let Some(v) = top.get("consumers") {
        if let Some(items) = array(v, "consumers", CONSUMERS_MAX, errs) {
            for (i, item) in items.iter().enumerate() {
                let path = format!("consumers[{i}]");
                if let Some(c) = read_consumer(item, &path, &stream_names, errs) {
                    if consumers.iter().any(|q: &ConsumerConfig| q.name == c.name) {
                        errs.push(
                            &join(&path, "name"),
                            format!("{:?} is used by another consumer", c.name),
                        );
                    }
                    consumers.push(c);
                }
            }
        }
    }

    for name in &stream_names {
        let fan_out = consumers
            .iter()
            .filter(|c: &&ConsumerConfig| {
                c.stream_name == *name && c.kind == ConsumerKind::EnhancedFanOut
            })
            .count();
        if fan_out > FAN_OUT_CONSUMERS_PER_STREAM_MAX {
            errs.push(
                "consumers",
                format!(
                    "{fan_out} enhanced_fan_out consumers on stream {name:?}; at most {FAN_OUT_CONSUMERS_PER_STREAM_MAX} per stream"
                ),
            );
        }
    }

    // Everything that reads a stream is a consumer of it: the limit counts them all.
    let readers = consumers.len()
        + mappings.len()
        + firehoses
            .iter()
            .filter(|f| f.source_stream.is_some())
            .count();
    if readers > CONSUMERS_MAX {
        errs.push(
            "consumers",
            format!("{readers} readers (consumers, Lambda triggers and Firehose delivery streams reading a stream); at most {CONSUMERS_MAX}"),
        );
    }
    // Each reader keeps 16 bytes per partition key of every producer (order checks, windows).
    let keys: u64 = producers
        .iter()
        .map(|p| match &p.keys {
            KeyModel::Uniform { count, .. } | KeyModel::Zipf { count, .. } => u64::from(*count),
            KeyModel::HotKey { count, .. } => u64::from(*count) + 1,
            KeyModel::List { keys } => keys.len() as u64,
            KeyModel::Random => 0,
        })
        .sum();
    let slots = keys * (readers + batch_jobs.len()) as u64;
    if slots > KEY_SLOTS_MAX {
        errs.push(
            "producers",
            format!("{keys} partition keys × {readers} readers = {slots} per-key entries; at most {KEY_SLOTS_MAX} (128 MB)"),
        );
    }

    let mut commands = Vec::new();
    if let Some(v) = top.get("commands") {
        if let Some(items) = array(v, "commands", COMMANDS_MAX, errs) {
            for (i, item) in items.iter().enumerate() {
                let path = format!("commands[{i}]");
                if let Some(c) =
                    read_scheduled_command(item, &path, &stream_names, &direct_put, errs)
                {
                    commands.push(c);
                }
            }
        }
    }
    top.finish(errs);

    Some(Scenario {
        description,
        lambda_functions: functions,
        event_source_mappings: mappings,
        firehoses,
        batch_jobs,
        seed: seed?,
        tick_ms: tick_ms?,
        streams,
        producers,
        consumers,
        commands,
        source: value.clone(),
    })
}

/// The streams, and the `aws_lambda_event_source_mapping` and
/// `aws_kinesis_firehose_delivery_stream` blocks if there are.
fn read_streams<'a>(
    resource: Option<&'a Value>,
    errs: &mut Errors,
) -> (Vec<StreamConfig>, Option<&'a Value>, Option<&'a Value>) {
    let mut streams = Vec::new();
    let Some(resource) = resource else {
        return (streams, None, None);
    };
    let Some(mut res) = Obj::of(resource, "resource", errs) else {
        return (streams, None, None);
    };
    let esm = res.get("aws_lambda_event_source_mapping");
    let firehose = res.get("aws_kinesis_firehose_delivery_stream");
    let Some(block) = res.required("aws_kinesis_stream", errs) else {
        res.finish(errs);
        return (streams, esm, firehose);
    };
    let path = "resource.aws_kinesis_stream";
    match block {
        Value::Object(map) if map.is_empty() => errs.push(path, "at least one stream is needed"),
        Value::Object(map) if map.len() > STREAMS_MAX => errs.push(
            path,
            format!("{} streams; at most {STREAMS_MAX} allowed", map.len()),
        ),
        Value::Object(map) => {
            // serde_json's Map is ordered by key (BTreeMap), so the order is deterministic.
            for (label, body) in map {
                let p = join(path, label);
                if let Some(s) = read_stream(body, &p, label, errs) {
                    if streams.iter().any(|t: &StreamConfig| t.name == s.name) {
                        errs.push(
                            &join(&p, "name"),
                            format!("{:?} is used by another stream", s.name),
                        );
                    }
                    streams.push(s);
                }
            }
        }
        other => errs.push(
            path,
            format!(
                "expected an object of streams by label, like {{\"clicks\": {{\"name\": \"clicks\", \"shard_count\": 4}}}}, got {}",
                shown(other)
            ),
        ),
    }
    res.finish(errs);
    (streams, esm, firehose)
}

fn read_stream(v: &Value, path: &str, label: &str, errs: &mut Errors) -> Option<StreamConfig> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", Some(label), NAME_CHARS_MAX, errs);
    let mode = match o.get("stream_mode_details") {
        None => Some(StreamMode::Provisioned),
        Some(d) => {
            let mut details = Obj::of(d, &o.at("stream_mode_details"), errs)?;
            let m = details.choice("stream_mode", None, &["PROVISIONED", "ON_DEMAND"], errs);
            details.finish(errs);
            m.map(|m| {
                if m == "ON_DEMAND" {
                    StreamMode::OnDemand
                } else {
                    StreamMode::Provisioned
                }
            })
        }
    };
    let shard_count = match mode {
        Some(StreamMode::OnDemand) => {
            if o.get("shard_count").is_some() {
                errs.push(
                    &o.at("shard_count"),
                    "must be left out in ON_DEMAND mode (AWS manages the shards)",
                );
            }
            Some(u64::from(ON_DEMAND_INITIAL_SHARDS))
        }
        _ => o.int("shard_count", None, 1, SHARD_COUNT_MAX, errs),
    };
    let retention = o.int(
        "retention_period",
        Some(RETENTION_HOURS_DEFAULT),
        RETENTION_HOURS_MIN,
        RETENTION_HOURS_MAX,
        errs,
    );
    o.finish(errs);
    Some(StreamConfig {
        name: name?,
        shard_count: shard_count? as u32,
        retention_period_hours: retention? as u32,
        mode: mode?,
    })
}

fn check_partition_key(key: &str, path: &str, errs: &mut Errors) {
    let n = key.chars().count();
    if n == 0 || n > PARTITION_KEY_CHARS_MAX {
        errs.push(
            path,
            format!(
                "partition keys have 1..={PARTITION_KEY_CHARS_MAX} characters; {key:?} has {n}"
            ),
        );
    }
}

fn read_keys(v: Option<&Value>, path: &str, errs: &mut Errors) -> Option<KeyModel> {
    let Some(v) = v else {
        return Some(KeyModel::Uniform {
            count: 100,
            prefix: "key-".into(),
        });
    };
    let mut o = Obj::of(v, path, errs)?;
    let model = o.choice(
        "model",
        None,
        &["uniform", "hot_key", "zipf", "list", "random"],
        errs,
    )?;
    let digits = |count: u64| count.saturating_sub(1).max(1).to_string().len();
    let out = match model {
        "uniform" | "hot_key" | "zipf" => {
            let default_prefix = if model == "zipf" { "player-" } else { "user-" };
            let count = o.int("count", Some(100), 1, KEY_COUNT_MAX, errs);
            let prefix = o
                .get("prefix")
                .and_then(|p| text_value(p, &o.at("prefix"), 0, PARTITION_KEY_CHARS_MAX, errs))
                .unwrap_or_else(|| default_prefix.to_string());
            if let Some(c) = count {
                check_partition_key(
                    &format!("{prefix}{}", "9".repeat(digits(c))),
                    &o.at("prefix"),
                    errs,
                );
            }
            match model {
                "uniform" => KeyModel::Uniform {
                    count: count? as u32,
                    prefix,
                },
                "hot_key" => {
                    let hot_key = o.text("hot_key", Some("hot-key"), PARTITION_KEY_CHARS_MAX, errs);
                    let share = o.num("hot_key_share", Some(0.5), 0.0, 1.0, errs);
                    KeyModel::HotKey {
                        count: count? as u32,
                        prefix,
                        hot_key: hot_key?,
                        hot_key_share: share?,
                    }
                }
                _ => {
                    let exponent = o.num("exponent", Some(1.0), 0.0, 5.0, errs);
                    KeyModel::Zipf {
                        count: count? as u32,
                        prefix,
                        exponent: exponent?,
                    }
                }
            }
        }
        "list" => {
            let keys_path = o.at("keys");
            let items = array(o.required("keys", errs)?, &keys_path, 10_000, errs)?;
            if items.is_empty() {
                errs.push(&keys_path, "at least one key is needed");
            }
            let mut keys = Vec::new();
            for (i, k) in items.iter().enumerate() {
                let p = format!("{keys_path}[{i}]");
                if let Some(s) = text_value(k, &p, 1, PARTITION_KEY_CHARS_MAX, errs) {
                    keys.push(s);
                }
            }
            KeyModel::List { keys }
        }
        _ => KeyModel::Random,
    };
    o.finish(errs);
    Some(out)
}

fn read_size(v: Option<&Value>, path: &str, errs: &mut Errors) -> Option<SizeModel> {
    match v {
        None => Some(SizeModel::Fixed(512)),
        Some(Value::Object(_)) => {
            let mut o = Obj::of(v?, path, errs)?;
            let min = o.int("min", None, 1, RECORD_SIZE_BYTES_MAX, errs);
            let max = o.int("max", None, 1, RECORD_SIZE_BYTES_MAX, errs);
            o.finish(errs);
            let (min, max) = (min?, max?);
            if min > max {
                errs.push(path, format!("min {min} is above max {max}"));
                return None;
            }
            Some(SizeModel::Range {
                min: min as u32,
                max: max as u32,
            })
        }
        Some(v) => {
            int_value(v, path, 1, RECORD_SIZE_BYTES_MAX, errs).map(|n| SizeModel::Fixed(n as u32))
        }
    }
}

fn read_traffic(v: Option<&Value>, path: &str, errs: &mut Errors) -> Option<Traffic> {
    let Some(v) = v else {
        return Some(Traffic::Steady);
    };
    let mut o = Obj::of(v, path, errs)?;
    let shape = o.choice(
        "shape",
        None,
        &["steady", "bursts", "daily_sine", "spike"],
        errs,
    )?;
    const WEEK_S: u64 = 7 * 86_400;
    let t = match shape {
        "steady" => Some(Traffic::Steady),
        "bursts" => {
            let period = o.int("period_seconds", Some(60), 1, WEEK_S, errs);
            let burst = o.int("burst_seconds", Some(10), 1, WEEK_S, errs);
            let mult = o.num("multiplier", Some(5.0), 0.0, 100.0, errs);
            if let (Some(p), Some(b)) = (period, burst) {
                if b > p {
                    errs.push(
                        &o.at("burst_seconds"),
                        format!("{b} is longer than period_seconds {p}"),
                    );
                }
            }
            Some(Traffic::Bursts {
                period_seconds: period?,
                burst_seconds: burst?,
                multiplier: mult?,
            })
        }
        "daily_sine" => {
            let amplitude = o.num("amplitude", Some(0.5), 0.0, 1.0, errs);
            let period = o.int("period_seconds", Some(86_400), 1, WEEK_S, errs);
            let phase = o.int("phase_seconds", Some(0), 0, WEEK_S, errs);
            Some(Traffic::DailySine {
                amplitude: amplitude?,
                period_seconds: period?,
                phase_seconds: phase?,
            })
        }
        _ => {
            let at = o.int("at_second", Some(60), 0, AT_MS_MAX / 1000, errs);
            let duration = o.int("duration_seconds", Some(30), 1, WEEK_S, errs);
            let mult = o.num("multiplier", Some(10.0), 0.0, 100.0, errs);
            Some(Traffic::Spike {
                at_second: at?,
                duration_seconds: duration?,
                multiplier: mult?,
            })
        }
    };
    o.finish(errs);
    t
}

fn read_stream_ref(o: &mut Obj, streams: &[String], errs: &mut Errors) -> Option<String> {
    let path = o.at("stream_name");
    let name = match (o.get("stream_name"), streams) {
        // With one stream, naming it is optional.
        (None, [only]) => return Some(only.clone()),
        // No valid stream: its own errors say why; naming one here would only add noise.
        (None, []) => return None,
        (None, _) => {
            errs.push(&path, "required when there is more than one stream");
            return None;
        }
        (Some(v), _) => text_value(v, &path, 1, NAME_CHARS_MAX, errs)?,
    };
    if !streams.contains(&name) {
        errs.push(
            &path,
            format!(
                "{name:?} is not a stream of this scenario ({})",
                streams.join(", ")
            ),
        );
        return None;
    }
    Some(name)
}

pub(crate) fn read_producer(
    v: &Value,
    path: &str,
    streams: &[String],
    direct_put: &[String],
    errs: &mut Errors,
) -> Option<ProducerConfig> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", None, NAME_CHARS_MAX, errs);
    let ds_path = o.at("delivery_stream_name");
    let delivery_stream = match o.get("delivery_stream_name") {
        None => Some(None),
        Some(v) => text_value(v, &ds_path, 1, NAME_CHARS_MAX, errs).and_then(|d| {
            if direct_put.contains(&d) {
                Some(Some(d))
            } else {
                errs.push(
                    &ds_path,
                    format!("{d:?} is not a Direct PUT delivery stream of this scenario (one without kinesis_source_configuration)"),
                );
                None
            }
        }),
    };
    let stream_name = match delivery_stream {
        Some(Some(_)) => {
            if o.get("stream_name").is_some() {
                errs.push(
                    &o.at("stream_name"),
                    "a producer writes to a stream or a delivery stream, not both",
                );
            }
            Some(String::new())
        }
        _ => read_stream_ref(&mut o, streams, errs),
    };
    let to_firehose = matches!(delivery_stream, Some(Some(_)));
    let template = match o.get("record_template") {
        None => Some(None),
        Some(_) => o
            .choice(
                "record_template",
                None,
                &["click", "sensor_reading", "card_transaction", "game_action"],
                errs,
            )
            .map(|t| {
                Some(match t {
                    "click" => Template::Click,
                    "sensor_reading" => Template::SensorReading,
                    "card_transaction" => Template::CardTransaction,
                    _ => Template::GameAction,
                })
            }),
    };
    let rps = o.int("records_per_second", None, 1, RECORDS_PER_SECOND_MAX, errs);
    let size_path = o.at("record_size_bytes");
    let size = read_size(o.get("record_size_bytes"), &size_path, errs);
    let keys_path = o.at("partition_keys");
    let keys = read_keys(o.get("partition_keys"), &keys_path, errs);
    let explicit = match o.get("explicit_hash_key") {
        None => Some(None),
        Some(v) => {
            let p = o.at("explicit_hash_key");
            match v.as_str().and_then(parse_hash_key) {
                Some(h) => Some(Some(h)),
                None => {
                    errs.push(
                        &p,
                        format!(
                            "{} is not a decimal string in 0..=340282366920938463463374607431768211455",
                            shown(v)
                        ),
                    );
                    None
                }
            }
        }
    };
    let traffic_path = o.at("traffic");
    let traffic = read_traffic(o.get("traffic"), &traffic_path, errs);
    // Kinesis batches with PutRecords; Firehose's Direct PUT with PutRecordBatch.
    let batch_api = if to_firehose {
        "PutRecordBatch"
    } else {
        "PutRecords"
    };
    let api = o.choice(
        "api",
        Some("PutRecord"),
        &["PutRecord", "PutRecords", "PutRecordBatch"],
        errs,
    );
    if let Some(a) = api {
        if a != "PutRecord" && a != batch_api {
            let service = if to_firehose {
                "Firehose"
            } else {
                "Kinesis Data Streams"
            };
            errs.push(
                &o.at("api"),
                format!("{a:?} is not an API of {service}: use \"PutRecord\" or \"{batch_api}\""),
            );
        }
    }
    let (batch_records, batch_ms) = match o.get("batch") {
        None => (Some(PUT_RECORDS_ENTRIES_MAX), Some(100)),
        Some(b) => {
            let mut bo = Obj::of(b, &o.at("batch"), errs)?;
            let r = bo.int(
                "max_records",
                Some(PUT_RECORDS_ENTRIES_MAX),
                1,
                PUT_RECORDS_ENTRIES_MAX,
                errs,
            );
            let t = bo.int("max_buffered_time_ms", Some(100), 0, 60_000, errs);
            bo.finish(errs);
            if api == Some("PutRecord") {
                errs.push(&o.at("batch"), format!("only for api \"{batch_api}\""));
            }
            (r, t)
        }
    };
    let retry = match o.get("retry") {
        None => Some(RetryPolicy::default()),
        Some(r) => {
            let mut ro = Obj::of(r, &o.at("retry"), errs)?;
            let d = RetryPolicy::default();
            let attempts = ro.int("max_attempts", Some(d.max_attempts.into()), 1, 20, errs);
            let base = ro.int("base_delay_ms", Some(d.base_delay_ms), 0, 60_000, errs);
            let cap = ro.int("max_backoff_ms", Some(d.max_backoff_ms), 0, 300_000, errs);
            ro.finish(errs);
            Some(RetryPolicy {
                max_attempts: attempts? as u32,
                base_delay_ms: base?,
                max_backoff_ms: cap?,
            })
        }
    };
    let paused = o.boolean("paused", false, errs);
    o.finish(errs);
    Some(ProducerConfig {
        name: name?,
        stream_name: stream_name?,
        delivery_stream_name: delivery_stream?,
        record_template: template?,
        records_per_second: rps? as u32,
        record_size: size?,
        keys: keys?,
        explicit_hash_key: explicit?,
        traffic: traffic?,
        api: if api? != "PutRecord" {
            Api::PutRecords
        } else {
            Api::PutRecord
        },
        batch_max_records: batch_records? as u32,
        batch_max_buffered_time_ms: batch_ms?,
        retry: retry?,
        paused,
    })
}

fn read_application(v: Option<&Value>, path: &str, errs: &mut Errors) -> Option<Option<AppConfig>> {
    let Some(v) = v else {
        return Some(None);
    };
    let mut o = Obj::of(v, path, errs)?;
    let kind = o.choice(
        "kind",
        None,
        &["fraud_detector", "cheat_detector", "dashboard"],
        errs,
    )?;
    let app = match kind {
        "fraud_detector" => {
            let n = o.int("max_transactions", Some(5), 1, 100_000, errs);
            let w = o.int("window_seconds", Some(60), 1, 86_400, errs);
            let a = o.int("max_amount_cents", Some(200_000), 1, 1_000_000_000, errs);
            AppConfig::FraudDetector {
                max_transactions: n? as u32,
                window_ms: w? * 1000,
                max_amount_cents: a?,
            }
        }
        "cheat_detector" => {
            let n = o.int("max_actions", Some(20), 1, 100_000, errs);
            let w = o.int("window_seconds", Some(1), 1, 86_400, errs);
            let m = o.int("max_score", Some(10_000), 1, 1_000_000_000, errs);
            AppConfig::CheatDetector {
                max_actions: n? as u32,
                window_ms: w? * 1000,
                max_score: m?,
            }
        }
        _ => AppConfig::Dashboard,
    };
    o.finish(errs);
    Some(Some(app))
}

fn read_firehoses(
    block: &Value,
    streams: &[String],
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Vec<FirehoseConfig> {
    let path = "resource.aws_kinesis_firehose_delivery_stream";
    let mut out = Vec::new();
    let Value::Object(map) = block else {
        errs.push(
            path,
            format!(
                "expected an object of delivery streams by label, got {}",
                shown(block)
            ),
        );
        return out;
    };
    if map.len() > 8 {
        errs.push(
            path,
            format!("{} delivery streams; at most 8 allowed", map.len()),
        );
        return out;
    }
    for (label, body) in map {
        let p = join(path, label);
        if let Some(f) = read_firehose(body, &p, label, streams, functions, errs) {
            if out.iter().any(|g: &FirehoseConfig| g.name == f.name) {
                errs.push(
                    &join(&p, "name"),
                    format!("{:?} is used by another delivery stream", f.name),
                );
            }
            out.push(f);
        }
    }
    out
}

fn read_firehose(
    v: &Value,
    path: &str,
    label: &str,
    streams: &[String],
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Option<FirehoseConfig> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", Some(label), NAME_CHARS_MAX, errs);
    let destination = o.choice("destination", None, &["extended_s3", "redshift"], errs);
    // Redshift: staged in S3 (its `s3_configuration`), then loaded with COPY.
    let mut redshift = None;
    let mut rs_obj = None;
    if destination == Some("redshift") {
        let rp = o.at("redshift_configuration");
        let r = o.required("redshift_configuration", errs)?;
        let mut ro = Obj::of(r, &rp, errs)?;
        let _url = ro.text("cluster_jdbcurl", None, 2048, errs);
        let _user = ro.text("username", None, 128, errs);
        let _pass = ro.text("password", Some("secret"), 512, errs);
        let _table = ro.text("data_table_name", None, 256, errs);
        let _copy = ro.get("copy_options");
        let _cols = ro.get("data_table_columns");
        let _role = ro.text("role_arn", Some("role"), 2048, errs);
        let retry = ro.int("retry_duration", Some(3_600), 0, 7_200, errs);
        redshift = Some(retry.map(|s| s * 1000));
        rs_obj = Some(ro);
    }
    let source = match o.get("kinesis_source_configuration") {
        // Direct PUT: producers write to it.
        None => Some(None),
        Some(k) => {
            let mut ko = Obj::of(k, &o.at("kinesis_source_configuration"), errs)?;
            let arn_path = ko.at("kinesis_stream_arn");
            let arn = ko.text("kinesis_stream_arn", None, 2048, errs);
            let _role = ko.text("role_arn", Some("role"), 2048, errs);
            ko.finish(errs);
            arn.and_then(|a| {
                let n = a
                    .rsplit_once(":stream/")
                    .map_or(a.as_str(), |(_, n)| n)
                    .to_string();
                if streams.contains(&n) {
                    Some(Some(n))
                } else {
                    errs.push(
                        &arn_path,
                        format!(
                            "{a:?} is not a stream of this scenario ({})",
                            streams.join(", ")
                        ),
                    );
                    None
                }
            })
        }
    };
    // Direct PUT quotas (simulation only): the largest regions' defaults.
    let (q_records, q_mib, q_requests) = match o.get("direct_put_limits") {
        None => (Some(500_000), Some(5), Some(2_000)),
        Some(q) => {
            let mut qo = Obj::of(q, &o.at("direct_put_limits"), errs)?;
            let r = qo.int("records_per_second", Some(500_000), 1, 5_000_000, errs);
            let m = qo.int("mib_per_second", Some(5), 1, 1_000, errs);
            let n = qo.int("requests_per_second", Some(2_000), 1, 100_000, errs);
            qo.finish(errs);
            (r, m, n)
        }
    };
    let (s3_path, s3) = match &mut rs_obj {
        Some(ro) => {
            let p = ro.at("s3_configuration");
            (p, ro.required("s3_configuration", errs)?)
        }
        None => (
            o.at("extended_s3_configuration"),
            o.required("extended_s3_configuration", errs)?,
        ),
    };
    let mut so = Obj::of(s3, &s3_path, errs)?;
    let bucket = so.text("bucket_arn", None, 2048, errs);
    let _role = so.text("role_arn", Some("role"), 2048, errs);
    let size = so.int("buffering_size", Some(5), 1, 128, errs);
    let interval = so.int("buffering_interval", Some(300), 0, 900, errs);
    let prefix = so
        .get("prefix")
        .and_then(|p| text_value(p, &so.at("prefix"), 0, 1024, errs))
        .unwrap_or_default();
    let error_prefix = so
        .get("error_output_prefix")
        .and_then(|p| text_value(p, &so.at("error_output_prefix"), 0, 1024, errs))
        .unwrap_or_default();
    let compression = so.choice(
        "compression_format",
        Some("UNCOMPRESSED"),
        &["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"],
        errs,
    );
    let pc_path = so.at("processing_configuration");
    let transform = match so.get("processing_configuration") {
        None => Some(None),
        Some(pc) => read_processing(pc, &pc_path, functions, errs),
    };
    so.finish(errs);
    if let Some(ro) = rs_obj {
        ro.finish(errs);
        if compression.is_some_and(|c| c != "UNCOMPRESSED" && c != "GZIP") {
            errs.push(
                &join(&s3_path, "compression_format"),
                "Redshift loads UNCOMPRESSED or GZIP only",
            );
        }
    }
    o.finish(errs);
    Some(FirehoseConfig {
        redshift_retry_duration_ms: match redshift {
            None => None,
            Some(r) => Some(r?),
        },
        name: name?,
        source_stream: source?,
        direct_put_records_per_second: q_records?,
        direct_put_bytes_per_second: q_mib? * 1_048_576,
        direct_put_requests_per_second: q_requests?,
        bucket_arn: bucket?,
        buffering_size_mib: size?,
        buffering_interval_s: interval?,
        prefix,
        error_output_prefix: error_prefix,
        transform: transform?,
        compression: match compression? {
            "GZIP" => Compression::Gzip,
            "ZIP" => Compression::Zip,
            "Snappy" => Compression::Snappy,
            "HADOOP_SNAPPY" => Compression::HadoopSnappy,
            _ => Compression::Uncompressed,
        },
    })
}

/// `processing_configuration { enabled, processors [{ type = "Lambda", parameters [...] }] }`,
/// as Terraform writes it: `LambdaArn` (or a function name), `BufferSizeInMBs` (0.2–3, default 1),
/// `BufferIntervalInSeconds` (60–900, default 60), `NumberOfRetries` (0–300, default 3).
fn read_processing(
    v: &Value,
    path: &str,
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Option<Option<TransformConfig>> {
    let mut o = Obj::of(v, path, errs)?;
    let enabled = o.boolean("enabled", true, errs);
    let procs_path = o.at("processors");
    let procs = array(o.required("processors", errs)?, &procs_path, 1, errs)?;
    o.finish(errs);
    let Some(first) = procs.first() else {
        return Some(None);
    };
    let p0 = format!("{procs_path}[0]");
    let mut po = Obj::of(first, &p0, errs)?;
    po.choice("type", None, &["Lambda"], errs)?;
    let params_path = po.at("parameters");
    let params = array(po.required("parameters", errs)?, &params_path, 10, errs)?;
    po.finish(errs);
    let (mut function, mut mb, mut interval, mut retries) = (None, 1.0, 60u64, 3u32);
    let mut arn = String::new();
    for (i, param) in params.iter().enumerate() {
        let pp = format!("{params_path}[{i}]");
        let mut q = Obj::of(param, &pp, errs)?;
        let name = q.choice(
            "parameter_name",
            None,
            &[
                "LambdaArn",
                "BufferSizeInMBs",
                "BufferIntervalInSeconds",
                "NumberOfRetries",
            ],
            errs,
        );
        let value = q.text("parameter_value", None, 2048, errs);
        q.finish(errs);
        let (Some(name), Some(value)) = (name, value) else {
            continue;
        };
        let vpath = format!("{pp}.parameter_value");
        let bad = |errs: &mut Errors, range: &str| {
            errs.push(&vpath, format!("{value:?} is out of range {range}"));
        };
        match name {
            "LambdaArn" => {
                let f = value
                    .rsplit_once(":function:")
                    .map_or(value.as_str(), |(_, n)| n)
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                if functions.iter().any(|x| x.name == f) {
                    arn = if value.contains(":function:") {
                        value.clone()
                    } else {
                        format!("arn:aws:lambda:eu-west-1:123456789012:function:{f}")
                    };
                    function = Some(f);
                } else {
                    errs.push(&vpath, format!("{f:?} is not defined in lambda_functions"));
                }
            }
            "BufferSizeInMBs" => match value.parse::<f64>() {
                Ok(x) if (0.2..=3.0).contains(&x) => mb = x,
                _ => bad(errs, "0.2..=3"),
            },
            "BufferIntervalInSeconds" => match value.parse::<u64>() {
                Ok(x) if (60..=900).contains(&x) => interval = x,
                _ => bad(errs, "60..=900"),
            },
            _ => match value.parse::<u32>() {
                Ok(x) if x <= 300 => retries = x,
                _ => bad(errs, "0..=300"),
            },
        }
    }
    let Some(function_name) = function else {
        errs.push(&params_path, "a LambdaArn parameter is required");
        return None;
    };
    Some(enabled.then_some(TransformConfig {
        function_name,
        lambda_arn: arn,
        buffer_bytes: (mb * 1_000_000.0) as u64,
        buffer_interval_ms: interval * 1000,
        retries,
    }))
}

fn read_function(v: &Value, path: &str, errs: &mut Errors) -> Option<LambdaFunction> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", None, NAME_CHARS_MAX, errs);
    let duration = o.int("duration_ms", Some(100), 1, 900_000, errs);
    let per_record = o.int("duration_ms_per_record", Some(1), 0, 60_000, errs);
    let error_rate = o.num("error_rate", Some(0.0), 0.0, 1.0, errs);
    let mut poison = Vec::new();
    if let Some(v) = o.get("poison_partition_keys") {
        let p = o.at("poison_partition_keys");
        if let Some(items) = array(v, &p, 100, errs) {
            for (i, k) in items.iter().enumerate() {
                if let Some(k) =
                    text_value(k, &format!("{p}[{i}]"), 1, PARTITION_KEY_CHARS_MAX, errs)
                {
                    poison.push(k);
                }
            }
        }
    }
    let app_path = o.at("application");
    let application = read_application(o.get("application"), &app_path, errs);
    let dropped = o.num("transform_dropped_rate", Some(0.0), 0.0, 1.0, errs);
    let failed = o.num(
        "transform_processing_failed_rate",
        Some(0.0),
        0.0,
        1.0,
        errs,
    );
    if let (Some(d), Some(f)) = (dropped, failed) {
        if d + f > 1.0 {
            errs.push(
                &o.at("transform_processing_failed_rate"),
                format!("with transform_dropped_rate {d} makes more than 1"),
            );
        }
    }
    o.finish(errs);
    Some(LambdaFunction {
        transform_dropped_rate: dropped?,
        transform_processing_failed_rate: failed?,
        application: application?,
        name: name?,
        duration_ms: duration?,
        duration_ms_per_record: per_record?,
        error_rate: error_rate?,
        poison_partition_keys: poison,
    })
}

fn read_mappings(
    block: &Value,
    streams: &[String],
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Vec<EventSourceMapping> {
    let path = "resource.aws_lambda_event_source_mapping";
    let mut out = Vec::new();
    let Value::Object(map) = block else {
        errs.push(
            path,
            format!(
                "expected an object of mappings by label, got {}",
                shown(block)
            ),
        );
        return out;
    };
    for (label, body) in map {
        let p = join(path, label);
        if let Some(m) = read_mapping(body, &p, label, streams, functions, errs) {
            out.push(m);
        }
    }
    out
}

fn read_mapping(
    v: &Value,
    path: &str,
    label: &str,
    streams: &[String],
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Option<EventSourceMapping> {
    let mut o = Obj::of(v, path, errs)?;
    // The stream's ARN as Terraform would give it, or just its name.
    let arn_path = o.at("event_source_arn");
    let arn = o.text("event_source_arn", None, 2048, errs);
    let stream_name = arn.and_then(|a| {
        let name = a
            .rsplit_once(":stream/")
            .map_or(a.as_str(), |(_, n)| n)
            .to_string();
        if streams.contains(&name) {
            Some(name)
        } else {
            errs.push(
                &arn_path,
                format!(
                    "{a:?} is not a stream of this scenario ({})",
                    streams.join(", ")
                ),
            );
            None
        }
    });
    let fn_path = o.at("function_name");
    let function_name = o
        .text("function_name", None, NAME_CHARS_MAX, errs)
        .and_then(|f| {
            if functions.iter().any(|x| x.name == f) {
                Some(f)
            } else {
                errs.push(
                    &fn_path,
                    format!("{f:?} is not defined in lambda_functions (its duration and errors)"),
                );
                None
            }
        });
    let pos = o.choice("starting_position", None, &["TRIM_HORIZON", "LATEST"], errs);
    let batch = o.int("batch_size", Some(100), 1, 10_000, errs);
    let window = o.int("maximum_batching_window_in_seconds", Some(0), 0, 300, errs);
    let factor = o.int("parallelization_factor", Some(1), 1, 10, errs);
    let bisect = o.boolean("bisect_batch_on_function_error", false, errs);
    let retries = signed(&mut o, "maximum_retry_attempts", -1, 10_000, errs);
    let age = signed(&mut o, "maximum_record_age_in_seconds", -1, 604_800, errs);
    if let Some(a) = age {
        if (0..60).contains(&a) {
            errs.push(
                &o.at("maximum_record_age_in_seconds"),
                format!("{a} is out of range: -1 (no limit) or 60..=604800"),
            );
        }
    }
    let destination = match o.get("destination_config") {
        None => Some(None),
        Some(d) => {
            let mut dc = Obj::of(d, &o.at("destination_config"), errs)?;
            let of = dc.required("on_failure", errs)?;
            let mut f = Obj::of(of, &dc.at("on_failure"), errs)?;
            let arn = f.text("destination_arn", None, 2048, errs);
            f.finish(errs);
            dc.finish(errs);
            arn.map(Some)
        }
    };
    let enabled = o.boolean("enabled", true, errs);
    o.finish(errs);
    Some(EventSourceMapping {
        label: label.to_string(),
        stream_name: stream_name?,
        function_name: function_name?,
        starting_position: if pos? == "LATEST" {
            StartingPosition::Latest
        } else {
            StartingPosition::TrimHorizon
        },
        batch_size: batch? as u32,
        maximum_batching_window_ms: window? * 1000,
        parallelization_factor: factor? as u32,
        bisect_batch_on_function_error: bisect,
        maximum_retry_attempts: retries?,
        maximum_record_age_seconds: age?,
        on_failure_destination: destination?,
        enabled,
    })
}

/// A whole number in `lo..=hi` that may be negative (Lambda's −1 = unlimited).
fn signed(o: &mut Obj, key: &'static str, lo: i64, hi: i64, errs: &mut Errors) -> Option<i64> {
    let path = o.at(key);
    match o.get(key) {
        None => Some(-1),
        Some(v) => match v.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                errs.push(&path, format!("{} is out of range {lo}..={hi}", shown(v)));
                None
            }
        },
    }
}

fn read_starting_position(
    o: &mut Obj,
    streams: &[String],
    errs: &mut Errors,
) -> Option<StartingPosition> {
    let kind = o.choice(
        "starting_position",
        Some("TRIM_HORIZON"),
        &[
            "TRIM_HORIZON",
            "LATEST",
            "AT_TIMESTAMP",
            "AT_SEQUENCE_NUMBER",
            "AFTER_SEQUENCE_NUMBER",
        ],
        errs,
    )?;
    let ts = o.get("starting_position_timestamp_ms");
    let seq = o.get("starting_sequence_number");
    match kind {
        "TRIM_HORIZON" | "LATEST" => {
            for (field, v) in [
                ("starting_position_timestamp_ms", ts),
                ("starting_sequence_number", seq),
            ] {
                if v.is_some() {
                    errs.push(
                        &o.at(field),
                        format!("only with a starting_position that uses it, not {kind}"),
                    );
                }
            }
            Some(if kind == "LATEST" {
                StartingPosition::Latest
            } else {
                StartingPosition::TrimHorizon
            })
        }
        "AT_TIMESTAMP" => {
            let path = o.at("starting_position_timestamp_ms");
            let Some(v) = ts else {
                errs.push(&path, "required with AT_TIMESTAMP");
                return None;
            };
            int_value(v, &path, 0, AT_MS_MAX, errs).map(StartingPosition::AtTimestamp)
        }
        _ => {
            let path = o.at("starting_sequence_number");
            let Some(v) = seq else {
                errs.push(&path, format!("required with {kind}"));
                return None;
            };
            let parsed = v.as_str().and_then(super::stream::parse_sequence_number);
            let Some((shard, index)) = parsed else {
                errs.push(
                    &path,
                    format!("{} is not a sequence number of this simulator (56 digits, as a record's detail shows)", shown(v)),
                );
                return None;
            };
            let _ = streams;
            Some(if kind == "AT_SEQUENCE_NUMBER" {
                StartingPosition::AtSequenceNumber { shard, index }
            } else {
                StartingPosition::AfterSequenceNumber { shard, index }
            })
        }
    }
}

fn read_consumer(
    v: &Value,
    path: &str,
    streams: &[String],
    errs: &mut Errors,
) -> Option<ConsumerConfig> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", None, NAME_CHARS_MAX, errs);
    let stream_name = read_stream_ref(&mut o, streams, errs);
    let kind = o.choice(
        "type",
        Some("polling"),
        &["polling", "enhanced_fan_out", "kcl"],
        errs,
    );
    let capacity = match o.get("processing_records_per_second") {
        None => Some(None),
        Some(v) => int_value(
            v,
            &o.at("processing_records_per_second"),
            1,
            RECORDS_PER_SECOND_MAX,
            errs,
        )
        .map(|n| Some(n as u32)),
    };
    let pos = read_starting_position(&mut o, streams, errs);
    let start_at = o.int("start_at_ms", Some(0), 0, AT_MS_MAX, errs);
    // The KCL 2.x waits 1,500 ms between reads (idleTimeBetweenReadsInMillis).
    let default_poll = if kind == Some("kcl") { 1_500 } else { 1_000 };
    let poll = o.int(
        "poll_interval_ms",
        Some(default_poll),
        POLL_INTERVAL_MS_MIN,
        POLL_INTERVAL_MS_MAX,
        errs,
    );
    let max_records = o.int(
        "max_records",
        Some(GET_RECORDS_LIMIT_MAX),
        1,
        GET_RECORDS_LIMIT_MAX,
        errs,
    );
    let order = o.choice(
        "shard_order",
        Some("parents_first"),
        &["parents_first", "naive"],
        errs,
    );
    let app_path = o.at("application");
    let application = read_application(o.get("application"), &app_path, errs);
    let kcl = if kind == Some("kcl") {
        let workers = o.int("workers", Some(2), 1, 50, errs);
        let every = o.int("checkpoint_every_records", Some(1_000), 1, 10_000_000, errs);
        let interval = o.int("checkpoint_interval_ms", Some(60_000), 100, 3_600_000, errs);
        let failover = o.int("failover_time_ms", Some(10_000), 1_000, 600_000, errs);
        if order == Some("naive") {
            errs.push(
                &o.at("shard_order"),
                "a KCL application always reads parents first",
            );
        }
        Some(KclConfig {
            workers: workers? as u32,
            checkpoint_every_records: every?,
            checkpoint_interval_ms: interval?,
            failover_time_ms: failover?,
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
        processing_records_per_second: capacity?,
        shard_order: if order? == "naive" {
            ShardOrder::Naive
        } else {
            ShardOrder::ParentsFirst
        },
        starting_position: pos?,
        start_at_ms: start_at?,
        poll_interval_ms: poll?,
        max_records: max_records? as u32,
    })
}

fn read_scheduled_command(
    v: &Value,
    path: &str,
    streams: &[String],
    direct_put: &[String],
    errs: &mut Errors,
) -> Option<ScheduledCommand> {
    let at_ms = match v.get("at_ms") {
        None => {
            errs.push(&join(path, "at_ms"), "required");
            None
        }
        Some(a) => int_value(a, &join(path, "at_ms"), 0, AT_MS_MAX, errs),
    };
    let command = read_command(v, path, streams, direct_put, &["at_ms"], errs);
    Some(ScheduledCommand {
        at_ms: at_ms?,
        command: command?,
    })
}

/// Reads a command object (`{"type": "set_rate", ...}`); `extra` names fields the caller reads.
pub(crate) fn read_command(
    v: &Value,
    path: &str,
    streams: &[String],
    direct_put: &[String],
    extra: &[&'static str],
    errs: &mut Errors,
) -> Option<Command> {
    let mut o = Obj::of(v, path, errs)?;
    for e in extra {
        o.get(e);
    }
    let kind = o.choice(
        "type",
        None,
        &[
            "set_rate",
            "set_hot_key_share",
            "pause_producer",
            "resume_producer",
            "add_producer",
            "split_shard",
            "merge_shards",
            "update_shard_count",
            "crash_worker",
            "restart_worker",
            "put_poison_record",
            "set_function_error_rate",
            "set_processing_rate",
            "set_s3_available",
            "set_s3_timeout_rate",
            "update_destination",
            "set_redshift_available",
            "set_transform_rates",
        ],
        errs,
    )?;
    let cmd = match kind {
        "set_s3_available" | "set_redshift_available" => {
            let name = o.text("delivery_stream_name", None, NAME_CHARS_MAX, errs)?;
            let path = o.at("available");
            let available = match o.required("available", errs)? {
                Value::Bool(b) => *b,
                other => {
                    errs.push(
                        &path,
                        format!("expected true or false, got {}", shown(other)),
                    );
                    return None;
                }
            };
            if kind == "set_redshift_available" {
                Command::SetRedshiftAvailable {
                    delivery_stream_name: name,
                    available,
                }
            } else {
                Command::SetS3Available {
                    delivery_stream_name: name,
                    available,
                }
            }
        }
        "update_destination" => {
            let name = o.text("delivery_stream_name", None, NAME_CHARS_MAX, errs)?;
            let size = match o.get("buffering_size") {
                None => None,
                Some(v) => Some(int_value(v, &o.at("buffering_size"), 1, 128, errs)?),
            };
            let interval = match o.get("buffering_interval") {
                None => None,
                Some(v) => Some(int_value(v, &o.at("buffering_interval"), 0, 900, errs)?),
            };
            let compression = match o.get("compression_format") {
                None => None,
                Some(_) => Some(
                    match o.choice(
                        "compression_format",
                        None,
                        &["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"],
                        errs,
                    )? {
                        "GZIP" => Compression::Gzip,
                        "ZIP" => Compression::Zip,
                        "Snappy" => Compression::Snappy,
                        "HADOOP_SNAPPY" => Compression::HadoopSnappy,
                        _ => Compression::Uncompressed,
                    },
                ),
            };
            Command::UpdateDestination {
                delivery_stream_name: name,
                buffering_size: size,
                buffering_interval: interval,
                compression_format: compression,
            }
        }
        "set_transform_rates" => {
            let name = o.text("delivery_stream_name", None, NAME_CHARS_MAX, errs)?;
            let mut rate = |field: &'static str| match o.get(field) {
                None => Some(None),
                Some(_) => o.num(field, None, 0.0, 1.0, errs).map(Some),
            };
            let error_rate = rate("error_rate");
            let dropped_rate = rate("dropped_rate");
            let processing_failed_rate = rate("processing_failed_rate");
            Command::SetTransformRates {
                delivery_stream_name: name,
                error_rate: error_rate?,
                dropped_rate: dropped_rate?,
                processing_failed_rate: processing_failed_rate?,
            }
        }
        "set_s3_timeout_rate" => Command::SetS3TimeoutRate {
            delivery_stream_name: o.text("delivery_stream_name", None, NAME_CHARS_MAX, errs)?,
            timeout_rate: o.num("timeout_rate", None, 0.0, 1.0, errs)?,
        },
        "set_function_error_rate" => Command::SetFunctionErrorRate {
            function_name: o.text("function_name", None, NAME_CHARS_MAX, errs)?,
            error_rate: o.num("error_rate", None, 0.0, 1.0, errs)?,
        },
        "set_processing_rate" => {
            let consumer = o.text("consumer", None, NAME_CHARS_MAX, errs)?;
            let rate = match o.get("records_per_second") {
                None => None,
                Some(v) => Some(int_value(
                    v,
                    &o.at("records_per_second"),
                    1,
                    RECORDS_PER_SECOND_MAX,
                    errs,
                )? as u32),
            };
            Command::SetProcessingRate {
                consumer,
                records_per_second: rate,
            }
        }
        "crash_worker" | "restart_worker" => {
            let consumer = o.text("consumer", None, NAME_CHARS_MAX, errs)?;
            let worker = o.int("worker", None, 1, 50, errs)? as u32;
            if kind == "crash_worker" {
                Command::CrashWorker { consumer, worker }
            } else {
                Command::RestartWorker { consumer, worker }
            }
        }
        "split_shard" | "merge_shards" | "update_shard_count" => {
            let stream_name = read_stream_ref(&mut o, streams, errs)?;
            match kind {
                "split_shard" => {
                    let shard_to_split = o.text("shard_to_split", None, NAME_CHARS_MAX, errs)?;
                    let new_starting_hash_key = match o.get("new_starting_hash_key") {
                        None => None,
                        Some(v) => match v.as_str().and_then(parse_hash_key) {
                            Some(h) => Some(h),
                            None => {
                                errs.push(
                                    &o.at("new_starting_hash_key"),
                                    format!(
                                        "{} is not a decimal string in 0..=340282366920938463463374607431768211455",
                                        shown(v)
                                    ),
                                );
                                return None;
                            }
                        },
                    };
                    Command::SplitShard {
                        stream_name,
                        shard_to_split,
                        new_starting_hash_key,
                    }
                }
                "merge_shards" => Command::MergeShards {
                    stream_name,
                    shard_to_merge: o.text("shard_to_merge", None, NAME_CHARS_MAX, errs)?,
                    adjacent_shard_to_merge: o.text(
                        "adjacent_shard_to_merge",
                        None,
                        NAME_CHARS_MAX,
                        errs,
                    )?,
                },
                _ => Command::UpdateShardCount {
                    stream_name,
                    target_shard_count: o.int(
                        "target_shard_count",
                        None,
                        1,
                        SHARD_COUNT_MAX,
                        errs,
                    )? as u32,
                },
            }
        }
        "add_producer" => {
            let p = o.required("producer", errs)?;
            let pc = read_producer(p, &o.at("producer"), streams, direct_put, errs)?;
            Command::AddProducer(Box::new(pc), p.clone())
        }
        _ => {
            let producer = o.text("producer", None, NAME_CHARS_MAX, errs)?;
            match kind {
                "set_rate" => Command::SetRate {
                    producer,
                    records_per_second: o.int(
                        "records_per_second",
                        None,
                        1,
                        RECORDS_PER_SECOND_MAX,
                        errs,
                    )? as u32,
                },
                "set_hot_key_share" => Command::SetHotKeyShare {
                    producer,
                    hot_key_share: o.num("hot_key_share", None, 0.0, 1.0, errs)?,
                },
                "pause_producer" => Command::PauseProducer { producer },
                "put_poison_record" => Command::PutPoisonRecord { producer },
                _ => Command::ResumeProducer { producer },
            }
        }
    };
    o.finish(errs);
    Some(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(extra_producer: &str) -> String {
        format!(
            r#"{{"resource": {{"aws_kinesis_stream": {{"s": {{"name": "s", "shard_count": 2}}}}}},
               "producers": [{{"name": "p", "records_per_second": 10 {extra_producer}}}]}}"#
        )
    }

    #[test]
    fn defaults_are_the_aws_ones() {
        let s = parse_scenario(&minimal("")).unwrap();
        assert_eq!(s.seed, 1);
        assert_eq!(s.tick_ms, 100);
        assert_eq!(s.streams[0].retention_period_hours, 24);
        assert_eq!(s.streams[0].mode, StreamMode::Provisioned);
        let p = &s.producers[0];
        assert_eq!(p.stream_name, "s");
        assert_eq!(p.retry, RetryPolicy::default());
        assert_eq!(p.retry.max_attempts, 3);
        assert_eq!(p.retry.base_delay_ms, 1_000);
        assert_eq!(p.retry.max_backoff_ms, 20_000);
        assert_eq!(p.api, Api::PutRecord);
        assert_eq!(p.batch_max_records, 500);
    }

    #[test]
    fn out_of_range_names_path_value_and_range() {
        let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 2}}},
            "producers": [{"name": "a", "records_per_second": 5},
                          {"name": "b", "records_per_second": -5}]}"#;
        let errs = parse_scenario(text).unwrap_err();
        assert_eq!(
            errs.0,
            vec!["producers[1].records_per_second: -5 is out of range 1..=1000000"]
        );
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let text = r#"{"tick_ms": 70, "resource": {"aws_kinesis_stream": {"s": {"shard_count": 0, "retention_period": 10, "colour": 1}}},
            "producers": [{"name": "a", "records_per_second": "fast", "api": "PutItem"}]}"#;
        let errs = parse_scenario(text).unwrap_err().0;
        let joined = errs.join("\n");
        for needle in [
            "tick_ms: 70 does not divide 1000",
            "resource.aws_kinesis_stream.s.shard_count: 0 is out of range 1..=500",
            "resource.aws_kinesis_stream.s.retention_period: 10 is out of range 24..=8760",
            "resource.aws_kinesis_stream.s.colour: unknown field",
            "producers[0].records_per_second: expected a whole number in 1..=1000000, got \"fast\"",
            "producers[0].api: \"PutItem\" is not one of PutRecord, PutRecords",
        ] {
            assert!(joined.contains(needle), "missing {needle:?} in:\n{joined}");
        }
    }

    #[test]
    fn unknown_stream_and_bad_hash_key_are_named() {
        let errs = parse_scenario(&minimal(
            r#", "stream_name": "nope", "explicit_hash_key": "12x""#,
        ))
        .unwrap_err()
        .0
        .join("\n");
        assert!(errs.contains("producers[0].stream_name: \"nope\" is not a stream"));
        assert!(errs.contains("producers[0].explicit_hash_key: \"12x\" is not a decimal string"));
    }

    #[test]
    fn on_demand_refuses_shard_count() {
        let text = r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 2,
            "stream_mode_details": {"stream_mode": "ON_DEMAND"}}}}}"#;
        let errs = parse_scenario(text).unwrap_err().0.join("\n");
        assert!(errs.contains("shard_count: must be left out in ON_DEMAND mode"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for text in [
            "",
            "null",
            "[]",
            "{",
            "{\"resource\": 5}",
            "{\"resource\": {\"aws_kinesis_stream\": []}}",
            "{\"resource\": {\"aws_kinesis_stream\": {}}}",
            "{\"resource\": {\"aws_kinesis_stream\": {\"s\": {\"shard_count\": 1}}}, \"producers\": [1, null, {}]}",
        ] {
            assert!(parse_scenario(text).is_err(), "{text}");
        }
    }

    #[test]
    fn partition_key_length_is_checked() {
        let long = "k".repeat(257);
        let errs = parse_scenario(&minimal(&format!(
            r#", "partition_keys": {{"model": "list", "keys": ["ok", "{long}"]}}"#
        )))
        .unwrap_err()
        .0
        .join("\n");
        assert!(
            errs.contains("producers[0].partition_keys.keys[1]"),
            "{errs}"
        );
        assert!(errs.contains("allowed 1..=256"), "{errs}");
    }
}
