//! Every limit, range and default of the simulator, each written once: what a scenario file may
//! ask for (checked by the concepts' parsers), the AWS figures the simulation enforces (with
//! where they come from), and the bounds that keep a run's memory and time finite.
//!
//! A range is a [`Limit`] (whole numbers), a [`Ratio`] (numbers) or a [`Signed`] (whole numbers
//! that may be −1). Each carries the unit its field is written in; parsers convert to the
//! simulation's own units (ms, bytes) through [`Limit::ms`] and [`Limit::bytes`], so changing a
//! field's range, default or unit changes this file only. The page reads the ranges it shows
//! from [`catalogue`].

use serde::Serialize;

/// The unit a field is written in (scenario files, commands, the page's inputs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A plain number of things (shards, records, attempts, workers).
    Count,
    Milliseconds,
    Seconds,
    Hours,
    Bytes,
    /// 1,048,576 bytes.
    Mebibytes,
    /// 1,000,000 bytes (Lambda's and Firehose's "MB").
    Megabytes,
    RecordsPerSecond,
    /// Of a dollar (or euro).
    Cents,
    /// A share of something, 0 to 1.
    Share,
}

/// A range of whole numbers, and the default when the field is left out (None: required).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub min: u64,
    pub max: u64,
    pub default: Option<u64>,
    pub unit: Unit,
}

impl Limit {
    pub const fn new(min: u64, max: u64, default: u64, unit: Unit) -> Self {
        assert!(min <= default && default <= max);
        Self {
            min,
            max,
            default: Some(default),
            unit,
        }
    }

    pub const fn required(min: u64, max: u64, unit: Unit) -> Self {
        assert!(min <= max);
        Self {
            min,
            max,
            default: None,
            unit,
        }
    }

    pub fn contains(self, v: u64) -> bool {
        (self.min..=self.max).contains(&v)
    }

    /// A value of this field (in its unit) in milliseconds.
    pub fn ms(self, v: u64) -> u64 {
        match self.unit {
            Unit::Milliseconds => v,
            Unit::Seconds => v * 1_000,
            Unit::Hours => v * 3_600_000,
            other => unreachable!("{other:?} is not a unit of time"),
        }
    }

    /// Milliseconds in this field's unit (to write a value back as it was given).
    pub fn from_ms(self, ms: u64) -> u64 {
        ms / self.ms(1)
    }

    /// A value of this field (in its unit) in bytes.
    pub fn bytes(self, v: u64) -> u64 {
        match self.unit {
            Unit::Bytes => v,
            Unit::Mebibytes => v * 1_048_576,
            Unit::Megabytes => v * 1_000_000,
            other => unreachable!("{other:?} is not a unit of size"),
        }
    }

    pub fn from_bytes(self, bytes: u64) -> u64 {
        bytes / self.bytes(1)
    }
}

/// A range of numbers (shares, rates, multipliers).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Ratio {
    pub min: f64,
    pub max: f64,
    pub default: Option<f64>,
    pub unit: Unit,
}

impl Ratio {
    pub const fn new(min: f64, max: f64, default: f64, unit: Unit) -> Self {
        Self {
            min,
            max,
            default: Some(default),
            unit,
        }
    }

    pub const fn required(min: f64, max: f64, unit: Unit) -> Self {
        Self {
            min,
            max,
            default: None,
            unit,
        }
    }
}

/// A range of whole numbers that may be negative (Lambda's −1 = no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Signed {
    pub min: i64,
    pub max: i64,
    pub default: i64,
    pub unit: Unit,
}

const DAY_MS: u64 = 86_400_000;
const WEEK_S: u64 = 7 * 86_400;
const MIB: u64 = 1_048_576;

// ---- the scenario document --------------------------------------------------------------

pub const SEED_DEFAULT: u64 = 1;
pub const TICK_MS: Limit = Limit::new(10, 1_000, 100, Unit::Milliseconds);
pub const DESCRIPTION_CHARS_MAX: usize = 4_000;
pub const NAME_CHARS_MAX: usize = 128;
pub const ARN_CHARS_MAX: usize = 2_048;
/// Latest `at_ms` of a scheduled command, and of anything else given as a time: 30 days.
pub const AT_MS: Limit = Limit::new(0, 30 * DAY_MS, 0, Unit::Milliseconds);
/// As many as a run's command log keeps, so any run's replay file loads.
pub const COMMANDS_MAX: usize = 100_000;
/// Commands remembered in the log of a run.
pub const COMMAND_LOG_MAX: usize = COMMANDS_MAX;

// ---- Kinesis Data Streams: what a scenario may ask for ----------------------------------

pub const STREAMS_MAX: usize = 8;
pub const SHARD_COUNT: Limit = Limit::required(1, 500, Unit::Count);
/// `retention_period`, hours (AWS: 24 … 8,760, default 24).
pub const RETENTION_PERIOD: Limit = Limit::new(24, 8_760, 24, Unit::Hours);
/// On-demand streams start with the capacity of 4 MB/s of writes: four shards.
pub const ON_DEMAND_INITIAL_SHARDS: u32 = 4;

// ---- Kinesis Data Streams: the service's figures (kinesis-facts.md) ---------------------

/// Per shard and per second: 1,000 records …
pub const WRITE_RECORDS_PER_SECOND: u32 = 1_000;
/// … and 1 MiB, the partition key's bytes included (Quotas page).
pub const WRITE_BYTES_PER_SECOND: u64 = MIB;
/// A record (data + partition key) may be at most 1 MiB.
pub const RECORD_BYTES_MAX: u64 = MIB;
/// Shared-throughput reads, per shard, shared by every polling consumer: 2 MiB/s …
pub const READ_BYTES_PER_SECOND: u64 = 2 * MIB;
/// … and 5 GetRecords calls per second.
pub const READ_CALLS_PER_SECOND: u32 = 5;
/// One GetRecords call returns at most 10 MiB …
pub const GET_RECORDS_BYTES_MAX: u64 = 10 * MIB;
/// … and at most 10,000 records.
pub const GET_RECORDS_RECORDS_MAX: u32 = 10_000;
/// PutRecords: 1–500 entries, 5 MiB per request.
pub const PUT_RECORDS_ENTRIES: Limit = Limit::new(1, 500, 500, Unit::Count);
pub const PUT_RECORDS_BYTES_MAX: u64 = 5 * MIB;
/// Partition keys: 1–256 Unicode characters.
pub const PARTITION_KEY_CHARS_MAX: usize = 256;
/// Enhanced fan-out consumers a stream may have.
pub const FAN_OUT_CONSUMERS_PER_STREAM_MAX: usize = 20;
/// Enhanced fan-out pushes a record about 70 ms after it arrives (AWS's average).
pub const FAN_OUT_PROPAGATION_MS: u64 = 70;
/// How long a stream stays UPDATING after a resharding request ("a few seconds").
pub const RESHARD_MS: u64 = 5_000;
/// UpdateShardCount calls allowed in any 24 hours.
pub const UPDATE_SHARD_COUNT_PER_DAY_MAX: usize = 10;
/// On-demand: a shard taking more than this many bytes a second …
pub const ON_DEMAND_SPLIT_BYTES_PER_SECOND: u64 = 500_000;
/// … (or throttling) for this many seconds in a row is split ("within about 15 minutes").
pub const ON_DEMAND_SPLIT_AFTER_SECONDS: u32 = 300;

// ---- producers ---------------------------------------------------------------------------

pub const PRODUCERS_MAX: usize = 32;
pub const RECORDS_PER_SECOND: Limit = Limit::required(1, 1_000_000, Unit::RecordsPerSecond);
/// All producers together at their peaks, so a run's memory and time stay bounded.
pub const TOTAL_RECORDS_PER_SECOND_MAX: u64 = 2_000_000;
/// Records one tick may produce (all producers at their peaks × `tick_ms`): one tick is one
/// step of the page's loop, and a step cannot be split, so it must stay short.
pub const RECORDS_PER_TICK_MAX: u64 = 200_000;
/// Work a simulated second may cost: records a second at the peaks × (1 + every reader),
/// since each reader visits each record once. Bounds the time a second takes natively and in
/// the browser (about 1 s of one core at the maximum).
pub const RECORD_VISITS_PER_SECOND_MAX: u64 = 16_000_000;
/// Data bytes of one record (`record_size_bytes`, or its min and max).
pub const RECORD_SIZE_BYTES: Limit = Limit::new(1, 1_048_576, 512, Unit::Bytes);
// A record's data alone may be as big as the record limit; with its key it is then refused.
const _: () = assert!(RECORD_SIZE_BYTES.max == RECORD_BYTES_MAX);
pub const KEY_COUNT: Limit = Limit::new(1, 1_000_000, 100, Unit::Count);
pub const LIST_KEYS_MAX: usize = 10_000;
pub const HOT_KEY_SHARE: Ratio = Ratio::new(0.0, 1.0, 0.5, Unit::Share);
pub const ZIPF_EXPONENT: Ratio = Ratio::new(0.0, 5.0, 1.0, Unit::Count);
pub const BURSTS_PERIOD: Limit = Limit::new(1, WEEK_S, 60, Unit::Seconds);
pub const BURSTS_LENGTH: Limit = Limit::new(1, WEEK_S, 10, Unit::Seconds);
pub const BURSTS_MULTIPLIER: Ratio = Ratio::new(0.0, 100.0, 5.0, Unit::Count);
pub const SINE_AMPLITUDE: Ratio = Ratio::new(0.0, 1.0, 0.5, Unit::Share);
pub const SINE_PERIOD: Limit = Limit::new(1, WEEK_S, 86_400, Unit::Seconds);
pub const SINE_PHASE: Limit = Limit::new(0, WEEK_S, 0, Unit::Seconds);
pub const SPIKE_AT: Limit = Limit::new(0, 30 * 86_400, 60, Unit::Seconds);
pub const SPIKE_LENGTH: Limit = Limit::new(1, WEEK_S, 30, Unit::Seconds);
pub const SPIKE_MULTIPLIER: Ratio = Ratio::new(0.0, 100.0, 10.0, Unit::Count);
/// How long a record may wait for its PutRecords batch (the KPL's RecordMaxBufferedTime).
pub const BATCH_BUFFERED_TIME: Limit = Limit::new(0, 60_000, 100, Unit::Milliseconds);
/// The AWS SDK's standard retry mode: 3 attempts in all, base 1 s, cap 20 s.
pub const RETRY_ATTEMPTS: Limit = Limit::new(1, 20, 3, Unit::Count);
pub const RETRY_BASE_DELAY: Limit = Limit::new(0, 60_000, 1_000, Unit::Milliseconds);
pub const RETRY_MAX_BACKOFF: Limit = Limit::new(0, 300_000, 20_000, Unit::Milliseconds);

// ---- consumers and the KCL --------------------------------------------------------------

pub const CONSUMERS_MAX: usize = 32;
/// Partition keys × readers: each reader keeps 16 bytes per key.
pub const KEY_SLOTS_MAX: u64 = 8_000_000;
pub const PROCESSING_RATE: Limit = Limit::required(1, 1_000_000, Unit::RecordsPerSecond);
pub const START_AT: Limit = AT_MS;
/// Between GetRecords calls of one record processor (AWS advises 1 s).
pub const POLL_INTERVAL: Limit = Limit::new(200, 3_600_000, 1_000, Unit::Milliseconds);
/// The KCL 2.x waits 1,500 ms between reads (idleTimeBetweenReadsInMillis).
pub const KCL_POLL_INTERVAL_DEFAULT_MS: u64 = 1_500;
pub const GET_RECORDS_LIMIT: Limit = Limit::new(1, 10_000, 10_000, Unit::Count);
const _: () = assert!(GET_RECORDS_LIMIT.max == GET_RECORDS_RECORDS_MAX as u64);
pub const KCL_WORKERS: Limit = Limit::new(1, 50, 2, Unit::Count);
pub const KCL_CHECKPOINT_EVERY: Limit = Limit::new(1, 10_000_000, 1_000, Unit::Count);
pub const KCL_CHECKPOINT_INTERVAL: Limit = Limit::new(100, 3_600_000, 60_000, Unit::Milliseconds);
/// A lease not renewed for this long is taken by another worker (`failoverTimeMillis`).
pub const KCL_FAILOVER_TIME: Limit = Limit::new(1_000, 600_000, 10_000, Unit::Milliseconds);
/// Up to this much is added to each poll interval (deterministically), as real pollers drift.
pub const POLL_JITTER_MS: u64 = 50;

// ---- applications (detectors) -----------------------------------------------------------

pub const FRAUD_MAX_TRANSACTIONS: Limit = Limit::new(1, 100_000, 5, Unit::Count);
pub const FRAUD_WINDOW: Limit = Limit::new(1, 86_400, 60, Unit::Seconds);
pub const FRAUD_MAX_AMOUNT: Limit = Limit::new(1, 1_000_000_000, 200_000, Unit::Cents);
pub const CHEAT_MAX_ACTIONS: Limit = Limit::new(1, 100_000, 20, Unit::Count);
pub const CHEAT_WINDOW: Limit = Limit::new(1, 86_400, 1, Unit::Seconds);
pub const CHEAT_MAX_SCORE: Limit = Limit::new(1, 1_000_000_000, 10_000, Unit::Count);
/// Alerts kept per application.
pub const ALERTS_KEPT: usize = 256;

// ---- Lambda ------------------------------------------------------------------------------

pub const LAMBDA_FUNCTIONS_MAX: usize = 16;
pub const FUNCTION_DURATION: Limit = Limit::new(1, 900_000, 100, Unit::Milliseconds);
pub const FUNCTION_DURATION_PER_RECORD: Limit = Limit::new(0, 60_000, 1, Unit::Milliseconds);
pub const FUNCTION_ERROR_RATE: Ratio = Ratio::new(0.0, 1.0, 0.0, Unit::Share);
pub const POISON_KEYS_MAX: usize = 100;
pub const TRANSFORM_DROPPED_RATE: Ratio = Ratio::new(0.0, 1.0, 0.0, Unit::Share);
pub const TRANSFORM_PROCESSING_FAILED_RATE: Ratio = Ratio::new(0.0, 1.0, 0.0, Unit::Share);
/// Event source mapping: records per batch (default 100, 1–10,000) …
pub const ESM_BATCH_SIZE: Limit = Limit::new(1, 10_000, 100, Unit::Count);
/// … the batching window (0–300 s) …
pub const ESM_BATCHING_WINDOW: Limit = Limit::new(0, 300, 0, Unit::Seconds);
/// … concurrent batches per shard …
pub const ESM_PARALLELIZATION: Limit = Limit::new(1, 10, 1, Unit::Count);
/// … retries (−1: until the records expire) and record age (−1: no limit; else ≥ 60 s).
pub const ESM_RETRY_ATTEMPTS: Signed = Signed {
    min: -1,
    max: 10_000,
    default: -1,
    unit: Unit::Count,
};
pub const ESM_RECORD_AGE: Signed = Signed {
    min: -1,
    max: 604_800,
    default: -1,
    unit: Unit::Seconds,
};
pub const ESM_RECORD_AGE_MIN_S: i64 = 60;
/// A batch's payload may be at most 6 MB.
pub const LAMBDA_PAYLOAD_BYTES_MAX: u64 = 6 * 1_000_000;
/// Lambda polls each shard about once a second, up to 10,000 records a call.
pub const LAMBDA_POLL_INTERVAL_MS: u64 = 1_000;
/// Records read but not yet invoked, per shard, before the mapping stops reading more.
pub const LAMBDA_QUEUED_PER_SHARD_MAX: usize = 20_000;
/// After this many failures in a row a note says the shard is stuck.
pub const LAMBDA_STUCK_AFTER_FAILURES: u32 = 3;

// ---- Firehose ------------------------------------------------------------------------------

pub const DELIVERY_STREAMS_MAX: usize = 8;
/// Firehose takes records of at most 1,000 KiB …
pub const FIREHOSE_RECORD_BYTES_MAX: u64 = 1_000 * 1_024;
/// … in PutRecordBatch requests of at most 4 MiB.
pub const PUT_RECORD_BATCH_BYTES_MAX: u64 = 4 * MIB;
/// Direct PUT quotas per second in the largest regions (ServiceUnavailableException beyond).
pub const DIRECT_PUT_RECORDS: Limit = Limit::new(1, 5_000_000, 500_000, Unit::RecordsPerSecond);
pub const DIRECT_PUT_MIB: Limit = Limit::new(1, 1_000, 5, Unit::Mebibytes);
pub const DIRECT_PUT_REQUESTS: Limit = Limit::new(1, 100_000, 2_000, Unit::Count);
/// `buffering_size`, MiB (1–128, default 5), measured before compression …
pub const BUFFERING_SIZE: Limit = Limit::new(1, 128, 5, Unit::Mebibytes);
/// … and `buffering_interval`, s (0–900, default 300): delivery at the first of the two.
pub const BUFFERING_INTERVAL: Limit = Limit::new(0, 900, 300, Unit::Seconds);
pub const PREFIX_CHARS_MAX: usize = 1_024;
/// Redshift: a failing COPY is retried for `retry_duration` (0–7,200 s, default 3,600).
pub const REDSHIFT_RETRY_DURATION: Limit = Limit::new(0, 7_200, 3_600, Unit::Seconds);
/// The transform's buffer: `BufferSizeInMBs` 0.2–3 (default 1) …
pub const TRANSFORM_BUFFER_SIZE: Ratio = Ratio::new(0.2, 3.0, 1.0, Unit::Megabytes);
/// … `BufferIntervalInSeconds` 60–900 (default 60) …
pub const TRANSFORM_BUFFER_INTERVAL: Limit = Limit::new(60, 900, 60, Unit::Seconds);
/// … and `NumberOfRetries` 0–300 (default 3).
pub const TRANSFORM_RETRIES: Limit = Limit::new(0, 300, 3, Unit::Count);
/// Firehose waits at most 5 minutes for a transform invocation; longer is a timeout.
pub const TRANSFORM_TIMEOUT_MS: u64 = 300_000;
pub const TRANSFORM_ERROR_RATE: Ratio = FUNCTION_ERROR_RATE;
pub const S3_TIMEOUT_RATE: Ratio = Ratio::required(0.0, 1.0, Unit::Share);
/// Firehose retries a delivery to an unavailable S3 for up to 24 hours, then the data is lost.
pub const S3_RETRY_DURATION_MS: u64 = DAY_MS;
/// How often a failed delivery is tried again here.
pub const S3_RETRY_EVERY_MS: u64 = 60_000;
/// Objects listed per delivery stream (older ones are still counted).
pub const OBJECTS_KEPT: usize = 10_000;
/// Batch jobs over the lake, and how often one runs.
pub const BATCH_JOBS_MAX: usize = 8;
pub const BATCH_JOB_EVERY: Limit = Limit::new(60, 86_400, 3_600, Unit::Seconds);

// ---- what a run keeps ----------------------------------------------------------------------

/// Notes kept for the page's event feed.
pub const NOTES_KEPT: usize = 256;
/// Write events kept for the page (throttles, drops, retries that got through).
pub const EVENTS_KEPT: usize = 1_024;
/// Per-second metrics kept (a day).
pub const METRIC_SECONDS_KEPT: usize = 86_400;
/// Runs of records a shard keeps (40 bytes each: 160 KiB a shard). Past it the oldest half is
/// merged pairwise, so old records are kept coarser, however long the retention.
pub const RUNS_PER_SHARD_MAX: usize = 4_096;
/// Records kept one by one per shard, for the belt and for clicking.
pub const DETAIL_PER_SHARD: usize = 512;
/// Identities kept per shard for records some consumer may still process (16 bytes each: 4 MiB
/// a shard at most). A consumer further behind processes records it cannot check for order.
pub const IDS_PER_SHARD_MAX: usize = 1 << 18;
/// Identities kept by all shards together (24 bytes each: 96 MiB): with more than 16 shards
/// holding records, each keeps its share, checked once a second.
pub const IDS_TOTAL_MAX: usize = 1 << 22;
/// Open shards of all streams together: AWS's default shard quota per account in its largest
/// regions (US East (N. Virginia), US West (Oregon), Europe (Ireland); 200 elsewhere).
pub const ACCOUNT_OPEN_SHARDS_MAX: usize = 500;
/// Shards a stream may have had in all (open, closed and expired), to bound memory.
pub const SHARDS_EVER_MAX: usize = 2_000;

/// One entry of the page's catalogue: the range of a field it shows or enforces.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Range {
    Whole(Limit),
    Number(Ratio),
}

/// The ranges the page shows or enforces, by `concept.field` (the field as scenario files and
/// commands write it).
pub fn catalogue() -> Vec<(&'static str, Range)> {
    use Range::{Number, Whole};
    vec![
        ("stream.shard_count", Whole(SHARD_COUNT)),
        ("stream.retention_period", Whole(RETENTION_PERIOD)),
        ("producer.records_per_second", Whole(RECORDS_PER_SECOND)),
        ("producer.hot_key_share", Number(HOT_KEY_SHARE)),
        (
            "consumer.processing_records_per_second",
            Whole(PROCESSING_RATE),
        ),
        ("consumer.worker", Whole(KCL_WORKERS)),
        ("lambda.error_rate", Number(FUNCTION_ERROR_RATE)),
        ("firehose.buffering_size", Whole(BUFFERING_SIZE)),
        ("firehose.buffering_interval", Whole(BUFFERING_INTERVAL)),
        ("firehose.error_rate", Number(TRANSFORM_ERROR_RATE)),
        ("firehose.dropped_rate", Number(TRANSFORM_DROPPED_RATE)),
        (
            "firehose.processing_failed_rate",
            Number(TRANSFORM_PROCESSING_FAILED_RATE),
        ),
        ("firehose.timeout_rate", Number(S3_TIMEOUT_RATE)),
    ]
}
