//! Amazon Data Firehose (Kinesis Data Firehose) delivering to S3: a buffer that fills until the
//! first of `buffering_size` or `buffering_interval` is reached, then one object in the bucket,
//! named as Firehose names it.

use std::collections::VecDeque;

use serde::Serialize;

use super::app::{Alert, AppConfig, AppState, Seen};
use super::compress::{self, SAMPLE_MAX_BYTES, SAMPLE_SLICE_BYTES};
use super::consumer::KeyTable;
use super::digest::Fnv;
use super::rng::SimRng;
use super::scenario::LambdaFunction;

/// Objects listed per delivery stream (older ones are still counted).
pub const OBJECTS_KEPT: usize = 10_000;
/// Firehose retries a delivery to an unavailable S3 for up to 24 hours, then the data is lost.
pub const S3_RETRY_DURATION_MS: u64 = 24 * 3_600_000;
/// The `trigger` of an error object (records the transform failed), under the error prefix.
pub const ERROR_TRIGGER: &str = "processing-failed";

/// How often a failed delivery is tried again here.
pub const S3_RETRY_EVERY_MS: u64 = 60_000;

/// An object waiting to be written to S3.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Pending {
    object: S3Object,
    first_try_ms: u64,
    next_try_ms: u64,
    /// A duplicate write (the first one timed out after S3 had stored it).
    duplicate: bool,
}

/// What happened when pending objects were tried, for notes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Objects that had to wait, delivered now: (count, longest wait ms).
    pub delivered_late: (u64, u64),
    /// Records lost after 24 hours of retries.
    pub lost: u64,
    /// Objects written twice because the first write timed out.
    pub duplicated: u64,
    /// Records Redshift never loaded (COPY failed for the whole retry duration).
    pub redshift_skipped: u64,
}

impl Outcome {
    fn add(&mut self, o: Outcome) {
        self.delivered_late.0 += o.delivered_late.0;
        self.delivered_late.1 = self.delivered_late.1.max(o.delivered_late.1);
        self.lost += o.lost;
        self.duplicated += o.duplicated;
        self.redshift_skipped += o.redshift_skipped;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Uncompressed,
    Gzip,
    Zip,
    Snappy,
    HadoopSnappy,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Uncompressed => "UNCOMPRESSED",
            Compression::Gzip => "GZIP",
            Compression::Zip => "ZIP",
            Compression::Snappy => "Snappy",
            Compression::HadoopSnappy => "HADOOP_SNAPPY",
        }
    }

    /// Object size after compression, per mille of the raw size, for JSON-lines event data: a
    /// model used only for an object none of whose records can be regenerated (records read
    /// from a stream beyond the identities it keeps) before any object of the delivery stream
    /// was measured. Sizes otherwise come from really compressing the object's lines
    /// ([`super::compress`]).
    pub fn per_mille(self) -> u64 {
        match self {
            Compression::Uncompressed => 1000,
            Compression::Gzip => 250,
            Compression::Zip => 270,
            Compression::Snappy => 450,
            Compression::HadoopSnappy => 460,
        }
    }
}

/// `aws_kinesis_firehose_delivery_stream` with `destination = "extended_s3"`.
#[derive(Clone, Debug, PartialEq)]
pub struct FirehoseConfig {
    pub name: String,
    /// The Kinesis stream it reads (`kinesis_source_configuration`); None: Direct PUT.
    pub source_stream: Option<String>,
    /// Direct PUT quotas per second (ServiceUnavailableException beyond them).
    pub direct_put_records_per_second: u64,
    pub direct_put_bytes_per_second: u64,
    pub direct_put_requests_per_second: u64,
    pub bucket_arn: String,
    /// `buffering_size`, MiB (1–128, default 5).
    pub buffering_size_mib: u64,
    /// `buffering_interval`, s (0–900, default 300).
    pub buffering_interval_s: u64,
    pub prefix: String,
    pub error_output_prefix: String,
    pub compression: Compression,
    /// `processing_configuration`: the transform Lambda's function name, its buffer (bytes and
    /// ms) and the retries of a failed invocation.
    pub transform: Option<TransformConfig>,
    /// `destination = "redshift"`: objects staged in S3 are loaded with COPY, retried for up to
    /// this long (`retry_duration`, 0–7,200 s, default 3,600) before they are skipped.
    pub redshift_retry_duration_ms: Option<u64>,
}

/// One COPY of a staged object into Redshift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    pub records: u64,
    pub bytes: u64,
    pub first_try_ms: u64,
    pub next_try_ms: u64,
    /// When the running COPY ends.
    pub ends_ms: Option<u64>,
}

/// The Redshift side: COPY commands one after another.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redshift {
    pub retry_duration_ms: u64,
    pub available: bool,
    pub queue: VecDeque<Copy>,
    pub loaded_records: u64,
    pub skipped_records: u64,
    pub copies: u64,
}

/// A COPY takes a second, plus the object at 10 MB/s (a small cluster's load speed).
pub const COPY_BASE_MS: u64 = 1_000;
pub const COPY_BYTES_PER_SECOND: u64 = 10_000_000;

impl Redshift {
    /// Runs the COPY queue at `now_ms`; returns records skipped after the retry duration.
    fn tick(&mut self, now_ms: u64) -> u64 {
        let mut skipped = 0;
        while let Some(c) = self.queue.front_mut() {
            match c.ends_ms {
                Some(end) if end <= now_ms => {
                    self.loaded_records += c.records;
                    self.copies += 1;
                    self.queue.pop_front();
                }
                Some(_) => break,
                None if c.next_try_ms > now_ms => break,
                None if self.available => {
                    c.ends_ms =
                        Some(now_ms + COPY_BASE_MS + c.bytes * 1000 / COPY_BYTES_PER_SECOND);
                    break;
                }
                None if now_ms >= c.first_try_ms + self.retry_duration_ms => {
                    // Given up: the object stays in S3, listed in a manifest under errors/.
                    skipped += c.records;
                    self.skipped_records += c.records;
                    self.queue.pop_front();
                }
                None => {
                    c.next_try_ms = now_ms + S3_RETRY_EVERY_MS;
                    break;
                }
            }
        }
        skipped
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransformConfig {
    pub function_name: String,
    /// The `LambdaArn` parameter as written (a bare function name gets a placeholder ARN).
    pub lambda_arn: String,
    pub buffer_bytes: u64,
    pub buffer_interval_ms: u64,
    pub retries: u32,
}

/// One object Firehose wrote to the bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct S3Object {
    pub key: String,
    /// Size in the bucket (after compression).
    pub bytes: u64,
    /// Size of the records before compression (what `buffering_size` counts).
    pub raw_bytes: u64,
    pub records: u64,
    pub first_arrival_ms: u64,
    pub last_arrival_ms: u64,
    pub delivered_ms: u64,
    pub compression: &'static str,
    /// What made the delivery: "size" or "interval".
    pub trigger: &'static str,
    /// The records' amounts (read as card transactions), for queries over the lake.
    pub sum_amount_cents: u64,
    /// What a batch job over the lake will flag in this object.
    #[serde(skip)]
    pub flags: Vec<Alert>,
    /// A second copy (the first write timed out after S3 had stored it).
    pub duplicate: bool,
    /// Its first records, to show their lines.
    #[serde(skip)]
    pub samples: Vec<Sample>,
    /// An error object: how its first records failed (they are shown wrapped as AWS writes
    /// them).
    #[serde(skip)]
    pub error: Option<ErrorWrap>,
}

/// How Firehose writes a record its transform failed, under the error prefix (AWS, "Handle
/// failure in data transformation"): one JSON line per record, `{"attemptsMade",
/// "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "rawData"
/// (the record, base64), "lambdaArn"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorWrap {
    pub attempts: u32,
    pub code: &'static str,
    pub message: &'static str,
    /// When Firehose stopped trying (ms of simulated time).
    pub ending_ms: u64,
    pub lambda_arn: String,
}

impl ErrorWrap {
    /// The record returned `ProcessingFailed` by the function.
    pub fn processing_failed(attempts: u32, ending_ms: u64, lambda_arn: &str) -> Self {
        Self {
            attempts,
            code: "Lambda.ProcessingFailedStatus",
            message: "ProcessingFailed status returned for the record by the Lambda function",
            ending_ms,
            lambda_arn: lambda_arn.to_string(),
        }
    }

    /// The invocation holding the record failed, retries included.
    pub fn function_error(attempts: u32, ending_ms: u64, lambda_arn: &str) -> Self {
        Self {
            attempts,
            code: "Lambda.FunctionError",
            message:
                "The Lambda function was successfully invoked but it returned an error result.",
            ending_ms,
            lambda_arn: lambda_arn.to_string(),
        }
    }

    /// Writes the line of a record that arrived at `arrival_ms` with data `raw` (no newline
    /// added inside: the record's own bytes, newline included, are what is base64-encoded).
    pub fn write(&self, arrival_ms: u64, raw: &[u8], out: &mut Vec<u8>) {
        use std::io::Write as _;
        let epoch_ms = EPOCH_UNIX_S * 1000;
        let _ = write!(
            out,
            "{{\"attemptsMade\":{},\"arrivalTimestamp\":{},\"errorCode\":\"{}\",\"errorMessage\":\"{}\",\"attemptEndingTimestamp\":{},\"rawData\":\"",
            self.attempts,
            epoch_ms + arrival_ms,
            self.code,
            self.message,
            epoch_ms + self.ending_ms
        );
        base64_into(raw, out);
        let _ = writeln!(out, "\",\"lambdaArn\":\"{}\"}}", self.lambda_arn);
    }

    /// Bytes of `records` wrapped records holding `raw_bytes` in all: the fixed part of each
    /// line, and base64's 4 bytes per 3 (each record padded to a multiple of 3: on average
    /// 4/3 of a byte more a record, as records' sizes fall evenly modulo 3).
    pub fn bytes(&self, records: u64, raw_bytes: u64) -> u64 {
        let mut line = Vec::new();
        self.write(0, &[], &mut line);
        records * line.len() as u64 + (4 * raw_bytes + 4 * records) / 3
    }
}

/// Standard base64 (RFC 4648, with padding), as AWS encodes `rawData`.
pub fn base64_into(raw: &[u8], out: &mut Vec<u8>) {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in raw.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            out.push(if i <= chunk.len() {
                ABC[(n >> shift & 63) as usize]
            } else {
                b'='
            });
        }
    }
}

/// What a query over the lake found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LakeAnswer {
    pub objects: u64,
    pub records: u64,
    pub sum_amount_cents: u64,
    pub mean_amount_cents: u64,
    /// The newest record the lake holds arrived at this time: nothing later is known yet.
    pub known_until_ms: u64,
}

/// One simulated second of a delivery stream, under CloudWatch's names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FirehoseSecond {
    pub second: u64,
    #[serde(rename = "IncomingRecords")]
    pub incoming_records: u64,
    #[serde(rename = "IncomingBytes")]
    pub incoming_bytes: u64,
    /// Direct PUT records refused (ServiceUnavailableException).
    #[serde(rename = "ThrottledRecords")]
    pub throttled_records: u64,
    #[serde(rename = "DeliveryToS3.Records")]
    pub delivered_records: u64,
    #[serde(rename = "DeliveryToS3.Bytes")]
    pub delivered_bytes: u64,
    /// Successful deliveries (objects) in the second.
    #[serde(rename = "DeliveryToS3.Success")]
    pub deliveries: u64,
    /// Age of the oldest record not yet delivered, at the end of the second, ms.
    #[serde(rename = "DeliveryToS3.DataFreshness")]
    pub data_freshness_ms: u64,
}

/// A record in Firehose: who it is, when it arrived and its size, enough to regenerate the
/// exact line it carries ([`RecordLines`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    /// The producer's index, or [`Sample::UNKNOWN`]: a record read from a stream beyond the
    /// identities the stream keeps, whose line cannot be regenerated.
    pub producer: u16,
    pub bytes: u32,
    pub rec_no: u64,
    pub key: u64,
    pub arrival_ms: u64,
}

impl Sample {
    pub const UNKNOWN: u16 = u16::MAX;

    pub fn known(&self) -> bool {
        self.producer != Self::UNKNOWN
    }
}

/// Writes the line a record carries (exactly `Sample::bytes` bytes, newline included): the
/// world regenerates it from the producer's template and seed.
pub trait RecordLines {
    fn write(&self, s: &Sample, out: &mut Vec<u8>);
}

/// Sample bytes a delivery stream may compress per simulated second: a bound on the cost of
/// sizing objects, whatever the buffering (at most ~56 MiB of samples per simulated hour, about
/// 1.2 s of DEFLATE natively). The `gaming` preset needs ~11 KiB/s (a 256 KiB sample every
/// ~23 s); a stream delivering a large object every few seconds has some of them sized at the
/// ratio last measured.
pub const COMPRESS_CREDIT_BYTES_PER_S: u64 = 16 * 1024;
/// The most credit that can build up: two full samples.
pub const COMPRESS_CREDIT_MAX: u64 = 2 * SAMPLE_MAX_BYTES;

/// Records an object keeps to show its first lines.
pub const SAMPLES_PER_OBJECT: usize = 5;

/// The records of a buffer whose lines are compressed to size its object: those starting in
/// the first [`SAMPLE_SLICE_BYTES`] of every `stride` bytes of the object. `stride` starts at
/// the slice size (every record: small objects are compressed whole) and doubles, dropping every
/// other slice, whenever the sample grows past [`SAMPLE_MAX_BYTES`]: spread slices over the
/// whole object, however large it grows and whatever ends it, at a bounded cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSample {
    max_bytes: u64,
    stride: u64,
    /// Records picked, with their offsets in the object.
    picked: Vec<(u64, Sample)>,
    bytes: u64,
}

impl Default for ObjectSample {
    fn default() -> Self {
        Self::with_max(SAMPLE_MAX_BYTES)
    }
}

impl ObjectSample {
    /// A sample of at most `max_bytes` (plus a record); Firehose's is [`SAMPLE_MAX_BYTES`].
    pub fn with_max(max_bytes: u64) -> Self {
        Self {
            max_bytes,
            stride: SAMPLE_SLICE_BYTES,
            picked: Vec::new(),
            bytes: 0,
        }
    }

    /// Bytes of the records picked.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// A record at `offset` bytes into the object.
    pub fn add(&mut self, offset: u64, s: Sample) {
        if offset & (self.stride - 1) >= SAMPLE_SLICE_BYTES || !s.known() {
            return;
        }
        self.picked.push((offset, s));
        self.bytes += u64::from(s.bytes);
        // Doubling the stride drops every record starting past the first slice sooner or
        // later, never those in it: stop when only they are left (a few huge records can
        // outweigh the limit on their own; the stride must not double on forever).
        while self.bytes > self.max_bytes
            && self.picked.iter().any(|(o, _)| *o >= SAMPLE_SLICE_BYTES)
        {
            self.stride *= 2;
            let stride = self.stride;
            self.picked
                .retain(|(o, _)| o & (stride - 1) < SAMPLE_SLICE_BYTES);
            self.bytes = self.picked.iter().map(|(_, s)| u64::from(s.bytes)).sum();
        }
    }

    /// Whether every record is picked (none was left out yet).
    pub fn is_all(&self) -> bool {
        self.stride == SAMPLE_SLICE_BYTES
    }

    /// The picked records' lines, in order, and where the first record past
    /// [`compress::WARM_UP_BYTES`] begins in them (0 when every record is picked).
    pub fn lines(&self, lines: &dyn RecordLines) -> (Vec<u8>, usize) {
        let mut out = Vec::with_capacity(self.bytes as usize);
        let mut head = 0;
        for (_, s) in &self.picked {
            if head == 0 && out.len() >= compress::WARM_UP_BYTES && !self.is_all() {
                head = out.len();
            }
            lines.write(s, &mut out);
        }
        (out, head)
    }

    /// Measures the sample compressed in `format` (`name`: the file inside a ZIP).
    pub fn measure(
        &self,
        format: Compression,
        lines: &dyn RecordLines,
        name: &str,
    ) -> compress::Measure {
        let (data, head) = self.lines(lines);
        compress::measure(format, &data, head, name)
    }

    /// The first records, to show.
    fn first(&self) -> Vec<Sample> {
        self.picked
            .iter()
            .take(SAMPLES_PER_OBJECT)
            .map(|(_, s)| *s)
            .collect()
    }
}

/// A chunk keeps every record's identity (for exact sizes and real lines) up to this many
/// records: a 3 MB transform batch of 192-byte records. Past it, a chunk of tiny records would
/// cost 40 bytes a record in memory (hundreds of MB for transform batches stuck in long
/// invocations); it keeps only its first records and shares its bytes in proportion.
pub const CHUNK_IDS_MAX: usize = 16_384;

/// Records travelling together through Firehose's stages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chunk {
    /// Every record, in order (only the first few in an error buffer, which only shows them).
    pub ids: Vec<Sample>,
    pub records: u64,
    pub bytes: u64,
    pub oldest_ms: u64,
    pub newest_ms: u64,
    pub amount_cents: u64,
    pub flags: Vec<Alert>,
}

impl Chunk {
    fn merge(&mut self, c: Chunk) {
        if c.records == 0 {
            return;
        }
        if self.records == 0 {
            self.oldest_ms = c.oldest_ms;
        }
        // Identities are always a chunk's first records: c's can follow ours when ours are all.
        let mine_all = self.ids.len() as u64 == self.records;
        let complete = mine_all && c.ids.len() as u64 == c.records;
        self.records += c.records;
        self.bytes += c.bytes;
        self.oldest_ms = self.oldest_ms.min(c.oldest_ms);
        self.newest_ms = self.newest_ms.max(c.newest_ms);
        self.amount_cents += c.amount_cents;
        self.flags.extend(c.flags);
        if complete && self.ids.len() + c.ids.len() <= CHUNK_IDS_MAX {
            self.ids.extend(c.ids);
        } else {
            // Past the cap (or already incomplete): keep only the first records, for an
            // object's first lines; bytes are then shared in proportion.
            if mine_all {
                let room = SAMPLES_PER_OBJECT.saturating_sub(self.ids.len());
                self.ids.extend(c.ids.into_iter().take(room));
            }
            self.ids.truncate(SAMPLES_PER_OBJECT);
        }
    }

    /// Takes `k` of the records off the front (amounts shared in proportion; flags go with the
    /// first part).
    fn split(&mut self, k: u64) -> Chunk {
        let k = k.min(self.records);
        if k == 0 {
            return Chunk::default();
        }
        let rest = self.ids.split_off((k as usize).min(self.ids.len()));
        let ids = std::mem::replace(&mut self.ids, rest);
        let complete = self.ids.len() as u64 == self.records - k && ids.len() as u64 == k;
        let bytes = if complete {
            ids.iter().map(|s| u64::from(s.bytes)).sum()
        } else {
            self.bytes * k / self.records
        };
        let amount = self.amount_cents * k / self.records;
        // A batch job's flags go with their records: those that arrived before the rest's
        // first record (or, records unknown, a share in proportion) — not all to the first
        // part, which put flags of records a transform failed or dropped into the lake.
        let flags = std::mem::take(&mut self.flags);
        let (flags, rest_flags): (Vec<Alert>, Vec<Alert>) = match self.ids.first() {
            Some(first_of_rest) if complete => flags
                .into_iter()
                .partition(|a| a.event_ms < first_of_rest.arrival_ms),
            _ if self.records == k => (flags, Vec::new()),
            _ => {
                let mut flags = flags;
                let n = (flags.len() as u64 * k / self.records) as usize;
                let rest = flags.split_off(n);
                (flags, rest)
            }
        };
        self.flags = rest_flags;
        let part = Chunk {
            records: k,
            bytes,
            oldest_ms: self.oldest_ms,
            newest_ms: self.newest_ms,
            amount_cents: amount,
            flags,
            ids,
        };
        self.records -= k;
        self.bytes -= bytes;
        self.amount_cents -= amount;
        part
    }
}

/// One transform invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    pub chunk: Chunk,
    pub ends_ms: u64,
    pub attempt: u32,
    pub fails: bool,
}

/// A transform Lambda: records gather in its own buffer (1 MB or 60 s by default), and each
/// invocation returns a result per record.
#[derive(Clone, Debug)]
pub struct Transform {
    pub function_name: String,
    pub lambda_arn: String,
    pub buffer_bytes: u64,
    pub buffer_interval_ms: u64,
    /// Retries of a failed invocation (`NumberOfRetries`, default 3).
    pub retries: u32,
    pub duration_ms: u64,
    pub duration_ms_per_record: u64,
    pub error_rate: f64,
    pub dropped_rate: f64,
    pub processing_failed_rate: f64,
    buffer: Chunk,
    started_ms: u64,
    pub in_flight: VecDeque<Invocation>,
    pub invocations: u64,
    pub errors: u64,
    pub ok: u64,
    pub dropped: u64,
    pub failed: u64,
}

/// Firehose waits at most 5 minutes for a transform invocation ("Lambda invocation
/// duration", Firehose docs); a longer one is a timeout: a failed invocation, retried.
pub const TRANSFORM_TIMEOUT_MS: u64 = 300_000;

impl Transform {
    /// When an invocation of `records` started at `t_ms` ends, and whether it fails: past
    /// [`TRANSFORM_TIMEOUT_MS`] it ends then, failed.
    fn run_time(&self, t_ms: u64, records: u64, fails: bool) -> (u64, bool) {
        let ms = self
            .duration_ms
            .saturating_add(self.duration_ms_per_record.saturating_mul(records));
        if ms > TRANSFORM_TIMEOUT_MS {
            (t_ms + TRANSFORM_TIMEOUT_MS, true)
        } else {
            (t_ms + ms, fails)
        }
    }

    pub fn new(cfg: &TransformConfig, f: &LambdaFunction) -> Self {
        Self {
            function_name: cfg.function_name.clone(),
            lambda_arn: cfg.lambda_arn.clone(),
            buffer_bytes: cfg.buffer_bytes,
            buffer_interval_ms: cfg.buffer_interval_ms,
            retries: cfg.retries,
            duration_ms: f.duration_ms,
            duration_ms_per_record: f.duration_ms_per_record,
            error_rate: f.error_rate,
            dropped_rate: f.transform_dropped_rate,
            processing_failed_rate: f.transform_processing_failed_rate,
            buffer: Chunk::default(),
            started_ms: 0,
            in_flight: VecDeque::new(),
            invocations: 0,
            errors: 0,
            ok: 0,
            dropped: 0,
            failed: 0,
        }
    }

    /// Adds a record; returns a full buffer to invoke with.
    fn add(&mut self, t_ms: u64, c: Chunk) -> Option<Chunk> {
        if self.buffer.records == 0 {
            self.started_ms = t_ms;
        }
        self.buffer.merge(c);
        (self.buffer.bytes >= self.buffer_bytes).then(|| std::mem::take(&mut self.buffer))
    }

    /// The buffer, once its interval has passed.
    fn take_due(&mut self, now_ms: u64) -> Option<Chunk> {
        (self.buffer.records > 0 && now_ms >= self.started_ms + self.buffer_interval_ms)
            .then(|| std::mem::take(&mut self.buffer))
    }

    /// Records in the transform's buffer and in invocations.
    pub fn holding(&self) -> u64 {
        self.buffer.records + self.in_flight.iter().map(|i| i.chunk.records).sum::<u64>()
    }
}

/// A scheduled batch job over what has landed in S3 (simulation only): every `every_ms` it
/// reads the objects delivered since its last run and applies its application's rules. Its
/// alerts come when it runs: the dam beside the river.
#[derive(Clone, Debug)]
pub struct BatchJob {
    pub name: String,
    pub every_ms: u64,
    /// Applies the rules record by record as records reach Firehose (same order, same
    /// result as reading them back from S3), so nothing needs storing but what it flags.
    detector: AppState,
    keys: KeyTable,
    pub next_run_ms: u64,
    pub runs: u64,
    pub alerts: VecDeque<Alert>,
    pub alerts_total: u64,
    pub delay_ms_sum: u64,
    pub delay_ms_max: u64,
}

impl BatchJob {
    pub fn new(name: String, every_ms: u64, app: AppConfig) -> Self {
        Self {
            name,
            every_ms,
            detector: AppState::new(app),
            keys: KeyTable::default(),
            next_run_ms: every_ms,
            runs: 0,
            alerts: VecDeque::new(),
            alerts_total: 0,
            delay_ms_sum: 0,
            delay_ms_max: 0,
        }
    }

    /// What the job's rules will flag in one record (shown once the job has run over it).
    pub fn flag(
        &mut self,
        r: &Seen,
        producer: usize,
        key_space: Option<usize>,
        key: u64,
    ) -> Option<Alert> {
        let before = self.detector.alerts_total;
        let slot = self.keys.slot(producer, key_space, key);
        self.detector.see(r.arrival_ms, r, slot);
        (self.detector.alerts_total > before)
            .then(|| self.detector.alerts.pop_back())
            .flatten()
    }

    /// Runs over what has landed: each flag becomes an alert now. Returns (alerts, worst delay).
    pub fn run(&mut self, now_ms: u64, landed: &mut Vec<Alert>) -> (u64, u64) {
        self.runs += 1;
        self.next_run_ms = now_ms + self.every_ms;
        let mut worst = 0;
        let n = landed.len() as u64;
        for mut a in landed.drain(..) {
            a.t_ms = now_ms;
            a.delay_ms = now_ms - a.event_ms;
            worst = worst.max(a.delay_ms);
            self.alerts_total += 1;
            a.seq = self.alerts_total;
            self.delay_ms_sum += a.delay_ms;
            self.delay_ms_max = self.delay_ms_max.max(a.delay_ms);
            if self.alerts.len() == super::app::ALERTS_KEPT {
                self.alerts.pop_front();
            }
            self.alerts.push_back(a);
        }
        (n, worst)
    }

    pub fn mean_delay_ms(&self) -> u64 {
        self.delay_ms_sum / self.alerts_total.max(1)
    }
}

#[derive(Clone, Debug)]
pub struct Firehose {
    pub cfg: FirehoseConfig,
    /// Version in object names: 1, and one more after each configuration change.
    pub version: u32,
    /// The stream's index in the world and the consumer reading it for Firehose (None for
    /// Direct PUT).
    pub stream: Option<usize>,
    pub consumer: Option<usize>,
    /// Direct PUT: this second's records, bytes and requests, and the last request counted.
    put_window: (u64, u64, u64, u64),
    last_request: Option<(u16, u32, u64)>,
    /// Direct PUT records refused (ServiceUnavailableException), in all.
    pub throttled_records: u64,
    rng: SimRng,
    /// The buffer: records, bytes, the oldest and newest arrival, and when it started filling.
    buffered_records: u64,
    buffered_bytes: u64,
    buffered_amount_cents: u64,
    /// What a batch job will flag in the buffered records, once they have landed.
    buffered_flags: Vec<Alert>,
    /// The buffered records whose lines size the object.
    sample: ObjectSample,
    /// The last object measured: its format and (compressed payload, sample bytes), reused for
    /// an object with no record to regenerate.
    last_measure: Option<(Compression, compress::Measure)>,
    /// Bytes of samples it may still compress, earned in simulated time, and when last earned.
    compress_credit: u64,
    credit_ms: u64,
    /// Objects whose size came from compressing their own sample.
    pub measured_objects: u64,
    oldest_arrival_ms: u64,
    newest_arrival_ms: u64,
    started_ms: u64,
    pub objects: VecDeque<S3Object>,
    pub objects_total: u64,
    pending: VecDeque<Pending>,
    /// Second writes of objects whose first write timed out.
    rewrites: VecDeque<Pending>,
    /// Whether S3 accepts writes (an outage is a fault a student can set).
    pub s3_available: bool,
    /// Share of writes that time out after S3 stored them: Firehose writes them again.
    pub s3_timeout_rate: f64,
    pub lost_records: u64,
    pub duplicate_records: u64,
    /// What happened in writes made between ticks (a size-triggered delivery), for the notes.
    unreported: Outcome,
    /// Flags in objects that have landed, waiting for the batch job's next run (t_ms = landing).
    pub landed: Vec<Alert>,
    /// The batch job over this delivery stream's objects, if the scenario has one.
    pub batch: Option<BatchJob>,
    /// The transform Lambda (`processing_configuration`), if there is one.
    pub transform: Option<Transform>,
    /// Redshift, when it is the destination.
    pub redshift: Option<Redshift>,
    /// ProcessingFailed records waiting for their error object, and since when.
    errors: Chunk,
    errors_started_ms: u64,
    /// The error buffer's size as it will be written (records wrapped, base64).
    errors_wrapped_bytes: u64,
    errors_wrap: Option<ErrorWrap>,
    /// Records written to error objects.
    pub error_records: u64,
    pub received_records: u64,
    pub received_bytes: u64,
    pub delivered_records: u64,
    pub delivered_bytes: u64,
    current: FirehoseSecond,
    pub metrics: VecDeque<FirehoseSecond>,
}

/// Civil date and time (UTC) of a count of seconds since 1970-01-01.
pub fn utc(seconds: u64) -> (u64, u32, u32, u32, u32, u32) {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as u64;
    (
        y,
        m,
        d,
        (rest / 3600) as u32,
        (rest % 3600 / 60) as u32,
        (rest % 60) as u32,
    )
}

/// Simulated time 0 is this moment (2025-01-01T00:00:00Z), for object keys.
pub const EPOCH_UNIX_S: u64 = 1_735_689_600;

impl Firehose {
    pub fn new(
        cfg: FirehoseConfig,
        stream: Option<usize>,
        consumer: Option<usize>,
        seed: u64,
    ) -> Self {
        let cfg_redshift = cfg.redshift_retry_duration_ms;
        Self {
            cfg,
            version: 1,
            stream,
            consumer,
            put_window: (0, 0, 0, 0),
            last_request: None,
            throttled_records: 0,
            rng: SimRng::new(seed),
            buffered_records: 0,
            buffered_bytes: 0,
            buffered_amount_cents: 0,
            buffered_flags: Vec::new(),
            sample: ObjectSample::default(),
            last_measure: None,
            compress_credit: COMPRESS_CREDIT_MAX,
            credit_ms: 0,
            measured_objects: 0,
            oldest_arrival_ms: 0,
            newest_arrival_ms: 0,
            started_ms: 0,
            objects: VecDeque::new(),
            objects_total: 0,
            pending: VecDeque::new(),
            rewrites: VecDeque::new(),
            s3_available: true,
            s3_timeout_rate: 0.0,
            lost_records: 0,
            duplicate_records: 0,
            unreported: Outcome::default(),
            landed: Vec::new(),
            batch: None,
            transform: None,
            redshift: cfg_redshift.map(|retry_duration_ms| Redshift {
                retry_duration_ms,
                available: true,
                ..Redshift::default()
            }),
            errors: Chunk::default(),
            errors_started_ms: 0,
            errors_wrapped_bytes: 0,
            errors_wrap: None,
            error_records: 0,
            received_records: 0,
            received_bytes: 0,
            delivered_records: 0,
            delivered_bytes: 0,
            current: FirehoseSecond::default(),
            metrics: VecDeque::new(),
        }
    }

    pub fn buffered_records(&self) -> u64 {
        self.buffered_records
    }

    pub fn buffered_bytes(&self) -> u64 {
        self.buffered_bytes
    }

    /// Records in the transform stage and waiting for an error object.
    pub fn processing_records(&self) -> u64 {
        self.transform.as_ref().map_or(0, Transform::holding) + self.errors.records
    }

    /// Records dropped by the transform on purpose.
    pub fn transform_dropped(&self) -> u64 {
        self.transform.as_ref().map_or(0, |t| t.dropped)
    }

    /// Records in objects waiting for S3.
    pub fn retrying_records(&self) -> u64 {
        self.pending
            .iter()
            .filter(|p| !p.duplicate)
            .map(|p| p.object.records)
            .sum()
    }

    fn size_limit(&self) -> u64 {
        self.cfg.buffering_size_mib * 1_048_576
    }

    /// One record arriving from the source at `t_ms` (`record.bytes` long, in the stream since
    /// `record.arrival_ms`), with its amount (as a card transaction) for the lake's sums, and
    /// what a batch job over the lake would flag in it. A buffer that reaches `buffering_size`
    /// is delivered at once (`lines` regenerates its records' lines to size the object).
    pub fn receive(
        &mut self,
        t_ms: u64,
        record: Sample,
        amount_cents: u64,
        flagged: Option<Alert>,
        lines: &dyn RecordLines,
    ) {
        let bytes = u64::from(record.bytes);
        self.received_records += 1;
        self.received_bytes += bytes;
        self.current.incoming_records += 1;
        self.current.incoming_bytes += bytes;
        match &mut self.transform {
            Some(tr) => {
                let chunk = Chunk {
                    records: 1,
                    bytes,
                    oldest_ms: record.arrival_ms,
                    newest_ms: record.arrival_ms,
                    amount_cents,
                    flags: flagged.into_iter().collect(),
                    ids: vec![record],
                };
                if let Some(full) = tr.add(t_ms, chunk) {
                    self.invoke(t_ms, full);
                }
            }
            None => {
                self.buffer_open(t_ms, record.arrival_ms);
                self.buffer_record(record);
                self.buffered_records += 1;
                self.buffered_amount_cents += amount_cents;
                self.newest_arrival_ms = self.newest_arrival_ms.max(record.arrival_ms);
                self.oldest_arrival_ms = self.oldest_arrival_ms.min(record.arrival_ms);
                self.buffered_flags.extend(flagged);
                self.buffer_check(t_ms, lines);
            }
        }
    }

    /// A first record starts the buffer.
    fn buffer_open(&mut self, t_ms: u64, oldest_ms: u64) {
        if self.buffered_records == 0 {
            self.started_ms = t_ms;
            self.oldest_arrival_ms = oldest_ms;
            self.buffered_amount_cents = 0;
        }
    }

    /// A record's bytes join the buffer (and perhaps its sample).
    fn buffer_record(&mut self, r: Sample) {
        self.sample.add(self.buffered_bytes, r);
        self.buffered_bytes += u64::from(r.bytes);
    }

    fn buffer_check(&mut self, t_ms: u64, lines: &dyn RecordLines) {
        if self.buffered_bytes >= self.size_limit() {
            self.deliver(t_ms, "size", lines);
        }
    }

    /// Records (done with a transform) join the S3 buffer; it is delivered when full.
    fn buffer_add(&mut self, t_ms: u64, c: Chunk, lines: &dyn RecordLines) {
        if c.records == 0 {
            return;
        }
        self.buffer_open(t_ms, c.oldest_ms);
        if c.ids.len() as u64 == c.records {
            for r in &c.ids {
                self.buffer_record(*r);
            }
        } else {
            self.buffered_bytes += c.bytes;
        }
        self.buffered_records += c.records;
        self.buffered_amount_cents += c.amount_cents;
        self.newest_arrival_ms = self.newest_arrival_ms.max(c.newest_ms);
        self.oldest_arrival_ms = self.oldest_arrival_ms.min(c.oldest_ms);
        self.buffered_flags.extend(c.flags);
        self.buffer_check(t_ms, lines);
    }

    /// Sends a transform batch to the Lambda function.
    fn invoke(&mut self, t_ms: u64, chunk: Chunk) {
        let tr = self.transform.as_mut().expect("a transform");
        let fails = tr.error_rate > 0.0 && self.rng.unit() < tr.error_rate;
        tr.invocations += 1;
        let (ends_ms, fails) = tr.run_time(t_ms, chunk.records, fails);
        tr.in_flight.push_back(Invocation {
            chunk,
            ends_ms,
            attempt: 1,
            fails,
        });
    }

    /// Transform invocations that have ended: failed ones are retried (3 times by default, then
    /// all their records are ProcessingFailed); a good one returns a result per record, Ok
    /// (on to S3), Dropped (on purpose), or ProcessingFailed (to the error prefix).
    fn settle_transforms(&mut self, now_ms: u64, lines: &dyn RecordLines) {
        let Some(tr) = &mut self.transform else {
            return;
        };
        if let Some(c) = tr.take_due(now_ms) {
            self.invoke(now_ms, c);
        }
        loop {
            let tr = self.transform.as_mut().expect("a transform");
            let Some(pos) = tr.in_flight.iter().position(|i| i.ends_ms <= now_ms) else {
                break;
            };
            let inv = tr.in_flight.remove(pos).expect("found");
            if inv.fails {
                tr.errors += 1;
                if inv.attempt <= tr.retries {
                    let fails = tr.error_rate > 0.0 && self.rng.unit() < tr.error_rate;
                    let tr = self.transform.as_mut().expect("a transform");
                    tr.invocations += 1;
                    let (ends_ms, fails) = tr.run_time(now_ms, inv.chunk.records, fails);
                    tr.in_flight.push_back(Invocation {
                        chunk: inv.chunk,
                        ends_ms,
                        attempt: inv.attempt + 1,
                        fails,
                    });
                } else {
                    tr.failed += inv.chunk.records;
                    let wrap = ErrorWrap::function_error(inv.attempt, now_ms, &tr.lambda_arn);
                    self.error_add(now_ms, inv.chunk, wrap);
                }
                continue;
            }
            // One result per record.
            let (failed_rate, dropped_rate) = (tr.processing_failed_rate, tr.dropped_rate);
            let (mut ok, mut dropped, mut failed) = (0u64, 0u64, 0u64);
            for _ in 0..inv.chunk.records {
                let u = self.rng.unit();
                if u < failed_rate {
                    failed += 1;
                } else if u < failed_rate + dropped_rate {
                    dropped += 1;
                } else {
                    ok += 1;
                }
            }
            let mut rest = inv.chunk;
            let ok_part = rest.split(ok);
            let failed_part = rest.split(failed);
            let tr = self.transform.as_mut().expect("a transform");
            tr.ok += ok;
            tr.dropped += dropped;
            tr.failed += failed;
            let wrap = ErrorWrap::processing_failed(inv.attempt, now_ms, &tr.lambda_arn);
            self.buffer_add(now_ms, ok_part, lines);
            self.error_add(now_ms, failed_part, wrap);
        }
    }

    /// ProcessingFailed records wait for their own object under the error output prefix.
    fn error_add(&mut self, t_ms: u64, c: Chunk, wrap: ErrorWrap) {
        if c.records == 0 {
            return;
        }
        if self.errors.records == 0 {
            self.errors_started_ms = t_ms;
            self.errors_wrapped_bytes = 0;
            // The object's first lines are this chunk's: show them wrapped this way.
            self.errors_wrap = Some(wrap.clone());
        }
        self.errors_wrapped_bytes += wrap.bytes(c.records, c.bytes);
        self.errors.merge(c);
        // Only shown: the first few.
        self.errors.ids.truncate(SAMPLES_PER_OBJECT);
        // Failed records are buffered like the others: the first of size or interval.
        if self.errors.bytes >= self.size_limit() {
            self.deliver_errors(t_ms);
        }
    }

    /// Writes the error buffer as an object under the error output prefix.
    fn deliver_errors(&mut self, t_ms: u64) {
        let c = std::mem::take(&mut self.errors);
        let prefix = if self.cfg.error_output_prefix.is_empty() {
            "processing-failed/".to_string()
        } else {
            self.cfg.error_output_prefix.clone()
        };
        let key = self.object_key_with(&prefix, c.oldest_ms);
        let object = S3Object {
            key,
            // Each record wrapped and base64-encoded (see ErrorWrap); not compressed here.
            bytes: std::mem::take(&mut self.errors_wrapped_bytes),
            raw_bytes: c.bytes,
            records: c.records,
            first_arrival_ms: c.oldest_ms,
            last_arrival_ms: c.newest_ms,
            delivered_ms: t_ms,
            compression: "UNCOMPRESSED",
            trigger: ERROR_TRIGGER,
            sum_amount_cents: 0,
            flags: Vec::new(),
            samples: c.ids.into_iter().filter(Sample::known).collect(),
            duplicate: false,
            error: self.errors_wrap.take(),
        };
        // Through the same queue as data objects: an S3 outage holds error objects too.
        self.enqueue(t_ms, object);
    }

    /// An object joins the queue to S3, and is written now when nothing waits ahead of it
    /// (and S3 is up).
    fn enqueue(&mut self, t_ms: u64, object: S3Object) {
        self.pending.push_back(Pending {
            object,
            first_try_ms: t_ms,
            next_try_ms: t_ms,
            duplicate: false,
        });
        if self.pending.len() == 1 {
            let o = self.write_pending(t_ms);
            self.unreported.add(o);
        }
    }

    /// Direct PUT: may one record of `bytes`, of request `request` (producer, request number,
    /// tick), come in at `t_ms`? Beyond the per-second quotas of records, bytes and requests,
    /// Firehose answers ServiceUnavailableException.
    pub fn try_direct_put(&mut self, t_ms: u64, bytes: u64, request: (u16, u32, u64)) -> bool {
        let second = t_ms / 1000;
        if self.put_window.0 != second {
            self.put_window = (second, 0, 0, 0);
        }
        let new_request = self.last_request != Some(request);
        let (_, records, used, requests) = self.put_window;
        if records + 1 > self.cfg.direct_put_records_per_second
            || used + bytes > self.cfg.direct_put_bytes_per_second
            || (new_request && requests + 1 > self.cfg.direct_put_requests_per_second)
        {
            self.throttled_records += 1;
            self.current.throttled_records += 1;
            return false;
        }
        if new_request {
            self.last_request = Some(request);
            self.put_window.3 += 1;
        }
        self.put_window.1 += 1;
        self.put_window.2 += bytes;
        true
    }

    /// Delivers the buffer once `buffering_interval` has passed since it started filling, and
    /// tries the objects waiting for S3.
    pub fn tick(&mut self, now_ms: u64, lines: &dyn RecordLines) -> Outcome {
        self.settle_transforms(now_ms, lines);
        if self.errors.records > 0
            && now_ms >= self.errors_started_ms + self.cfg.buffering_interval_s * 1000
        {
            self.deliver_errors(now_ms);
        }
        if self.buffered_records > 0
            && now_ms >= self.started_ms + self.cfg.buffering_interval_s * 1000
        {
            self.deliver(now_ms, "interval", lines);
        }
        let mut o = std::mem::take(&mut self.unreported);
        o.add(self.write_pending(now_ms));
        if let Some(r) = &mut self.redshift {
            o.redshift_skipped += r.tick(now_ms);
        }
        while self.s3_available
            && self
                .rewrites
                .front()
                .is_some_and(|p| p.next_try_ms <= now_ms)
        {
            let mut p = self.rewrites.pop_front().expect("front");
            p.object.delivered_ms = now_ms;
            self.store(p.object, true);
        }
        o
    }

    /// Writes waiting objects to S3, oldest first, as far as S3 lets it.
    fn write_pending(&mut self, now_ms: u64) -> Outcome {
        let mut out = Outcome::default();
        while let Some(p) = self.pending.front() {
            if p.next_try_ms > now_ms {
                break;
            }
            if !self.s3_available {
                if now_ms >= p.first_try_ms + S3_RETRY_DURATION_MS {
                    let p = self.pending.pop_front().expect("front");
                    if !p.duplicate {
                        self.lost_records += p.object.records;
                        out.lost += p.object.records;
                    }
                    continue;
                }
                // Every waiting object is retried on the same schedule.
                for q in &mut self.pending {
                    q.next_try_ms = q.next_try_ms.max(now_ms + S3_RETRY_EVERY_MS);
                }
                break;
            }
            let mut p = self.pending.pop_front().expect("front");
            let waited = now_ms - p.first_try_ms;
            p.object.delivered_ms = now_ms;
            if waited > 0 && !p.duplicate {
                out.delivered_late.0 += 1;
                out.delivered_late.1 = out.delivered_late.1.max(waited);
            }
            let timed_out = !p.duplicate
                && self.s3_timeout_rate > 0.0
                && self.rng.unit() < self.s3_timeout_rate;
            if timed_out {
                // S3 stored it, but the answer never came: Firehose writes it again (in its
                // own queue, so the objects behind it are not held up).
                out.duplicated += 1;
                self.rewrites.push_back(Pending {
                    object: p.object.clone(),
                    first_try_ms: now_ms,
                    next_try_ms: now_ms + S3_RETRY_EVERY_MS / 4,
                    duplicate: true,
                });
            }
            self.store(p.object, p.duplicate);
        }
        out
    }

    fn store(&mut self, mut object: S3Object, duplicate: bool) {
        if object.trigger == ERROR_TRIGGER {
            // Failed records: in S3, but not data (no lake, no Redshift, no delivery metrics).
            if duplicate {
                self.duplicate_records += object.records;
            } else {
                self.error_records += object.records;
            }
            object.duplicate = duplicate;
            self.keep(object);
            return;
        }
        if !duplicate {
            self.landed.extend(object.flags.drain(..).map(|mut a| {
                // Landed now: a batch job can see it from its next run on.
                a.t_ms = object.delivered_ms;
                a
            }));
        }
        object.flags = Vec::new();
        object.duplicate = duplicate;
        if let (Some(r), false) = (&mut self.redshift, duplicate) {
            r.queue.push_back(Copy {
                records: object.records,
                bytes: object.raw_bytes,
                first_try_ms: object.delivered_ms,
                next_try_ms: object.delivered_ms,
                ends_ms: None,
            });
        }
        if duplicate {
            self.duplicate_records += object.records;
        } else {
            self.delivered_records += object.records;
        }
        self.delivered_bytes += object.bytes;
        self.current.delivered_records += object.records;
        self.current.delivered_bytes += object.bytes;
        self.current.deliveries += 1;
        self.keep(object);
    }

    /// An object now in the bucket (the newest [`OBJECTS_KEPT`] are kept to be shown).
    fn keep(&mut self, object: S3Object) {
        self.objects_total += 1;
        if self.objects.len() == OBJECTS_KEPT {
            self.objects.pop_front();
        }
        self.objects.push_back(object);
    }

    fn object_key(&mut self, oldest_ms: u64) -> String {
        let prefix = self.cfg.prefix.clone();
        self.object_key_with(&prefix, oldest_ms)
    }

    fn object_key_with(&mut self, prefix: &str, oldest_ms: u64) -> String {
        let (y, mo, d, h, mi, s) = utc(EPOCH_UNIX_S + oldest_ms / 1000);
        let r = (self.rng.next_u64(), self.rng.next_u64());
        // Firehose appends a random UUID.
        let uuid = format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            r.0 >> 32,
            (r.0 >> 16) & 0xffff,
            (r.0 & 0x0fff) | 0x4000,
            ((r.1 >> 48) & 0x3fff) | 0x8000,
            r.1 & 0xffff_ffff_ffff
        );
        format!(
            "{prefix}{y:04}/{mo:02}/{d:02}/{h:02}/{}-{}-{y:04}-{mo:02}-{d:02}-{h:02}-{mi:02}-{s:02}-{uuid}",
            self.cfg.name, self.version
        )
    }

    /// The object's size in `format`, delivered at `t_ms`: its sample's lines really
    /// compressed, scaled to the whole object when the sample is not all of it (see
    /// [`compress`]). Compressing is paid from a credit of [`COMPRESS_CREDIT_BYTES_PER_S`]
    /// (simulated time, so the same natively and in wasm); an object delivered while the credit
    /// is short of its sample, or with no record to regenerate, is sized from the last measure
    /// in the same format ([`compress::estimate_from`]; the per-mille model before any).
    fn compressed_size(
        &mut self,
        t_ms: u64,
        format: Compression,
        key: &str,
        lines: &dyn RecordLines,
    ) -> u64 {
        let raw = self.buffered_bytes;
        let earned = t_ms.saturating_sub(self.credit_ms) * COMPRESS_CREDIT_BYTES_PER_S / 1000;
        self.compress_credit = (self.compress_credit + earned).min(COMPRESS_CREDIT_MAX);
        self.credit_ms = t_ms;
        if format == Compression::Uncompressed {
            return raw;
        }
        let name = key.rsplit('/').next().unwrap_or(key);
        let name_len = name.len() as u64;
        let last = self
            .last_measure
            .and_then(|(f, m)| (f == format).then_some(m));
        let n = self.sample.bytes;
        // A sample of a few huge records may be bigger than the credit can ever hold: it
        // costs at most the whole credit, or no later object would be measured again.
        let cost = n.min(COMPRESS_CREDIT_MAX);
        if n > 0 && (self.compress_credit >= cost || last.is_none()) {
            self.compress_credit = self.compress_credit.saturating_sub(cost);
            self.measured_objects += 1;
            let m = self.sample.measure(format, lines, name);
            self.last_measure = Some((format, m));
            return compress::estimate(format, raw, name_len, m);
        }
        match last {
            Some(m) => compress::estimate_from(format, raw, name_len, m),
            None => raw * format.per_mille() / 1000,
        }
    }

    /// Closes the buffer into an object and writes it (or queues it while S3 is down).
    fn deliver(&mut self, t_ms: u64, trigger: &'static str, lines: &dyn RecordLines) {
        let key = self.object_key(self.oldest_arrival_ms);
        let raw = self.buffered_bytes;
        let format = self.cfg.compression;
        let bytes = self.compressed_size(t_ms, format, &key, lines);
        let sample = std::mem::take(&mut self.sample);
        let object = S3Object {
            key,
            bytes,
            raw_bytes: raw,
            records: self.buffered_records,
            first_arrival_ms: self.oldest_arrival_ms,
            last_arrival_ms: self.newest_arrival_ms,
            delivered_ms: t_ms,
            compression: self.cfg.compression.as_str(),
            trigger,
            sum_amount_cents: self.buffered_amount_cents,
            flags: std::mem::take(&mut self.buffered_flags),
            samples: sample.first(),
            duplicate: false,
            error: None,
        };
        self.buffered_records = 0;
        self.buffered_bytes = 0;
        self.enqueue(t_ms, object);
    }

    /// A query over the lake: the records in objects delivered by `now`, that arrived in
    /// `[from_ms, to_ms)` (by object: an object counts when its oldest record is in the range).
    /// The lake knows only what Firehose has delivered.
    pub fn query(&self, from_ms: u64, to_ms: u64) -> LakeAnswer {
        let mut a = LakeAnswer::default();
        // The data prefix only: a query over the lake does not read the error objects.
        for o in self
            .objects
            .iter()
            .filter(|o| !o.duplicate && o.trigger != ERROR_TRIGGER)
        {
            if o.first_arrival_ms >= from_ms && o.first_arrival_ms < to_ms {
                a.objects += 1;
                a.records += o.records;
                a.sum_amount_cents += o.sum_amount_cents;
            }
            a.known_until_ms = a.known_until_ms.max(o.last_arrival_ms);
        }
        a.mean_amount_cents = a.sum_amount_cents / a.records.max(1);
        a
    }

    /// Age of the oldest record not yet delivered (0 when nothing waits).
    pub fn data_freshness_ms(&self, now_ms: u64) -> u64 {
        let waiting = self
            .pending
            .iter()
            .find(|p| !p.duplicate)
            .map(|p| p.object.first_arrival_ms);
        let buffered = (self.buffered_records > 0).then_some(self.oldest_arrival_ms);
        waiting.or(buffered).map_or(0, |t| now_ms.saturating_sub(t))
    }

    pub fn close_second(&mut self, second: u64, now_ms: u64) {
        let mut s = std::mem::take(&mut self.current);
        s.second = second;
        s.data_freshness_ms = self.data_freshness_ms(now_ms);
        if self.metrics.len() == super::world::METRIC_SECONDS_KEPT {
            self.metrics.pop_front();
        }
        self.metrics.push_back(s);
    }

    pub(crate) fn digest_into(&self, h: &mut Fnv) {
        let (d, n) = self.rng.fingerprint();
        for v in [
            d,
            n,
            u64::from(self.version),
            self.cfg.buffering_size_mib,
            self.cfg.buffering_interval_s,
            self.cfg.compression as u64,
            self.buffered_records,
            self.buffered_bytes,
            self.buffered_amount_cents,
            self.buffered_flags.len() as u64,
            self.landed.len() as u64,
            self.batch.as_ref().map_or(0, |b| b.runs),
            self.batch.as_ref().map_or(0, |b| b.alerts_total),
            self.oldest_arrival_ms,
            self.newest_arrival_ms,
            self.started_ms,
            self.objects_total,
            self.pending.len() as u64,
            self.rewrites.len() as u64,
            self.redshift.as_ref().map_or(0, |r| r.loaded_records),
            self.redshift
                .as_ref()
                .map_or(0, |r| r.skipped_records + r.queue.len() as u64),
            self.redshift.as_ref().map_or(0, |r| u64::from(r.available)),
            u64::from(self.s3_available),
            self.s3_timeout_rate.to_bits(),
            self.lost_records,
            self.duplicate_records,
            self.throttled_records,
            self.error_records,
            self.errors.records,
            self.transform.as_ref().map_or(0, |t| t.invocations),
            self.transform
                .as_ref()
                .map_or(0, |t| t.ok + t.dropped + t.failed),
            self.transform.as_ref().map_or(0, Transform::holding),
            self.put_window.1,
            self.put_window.2,
            self.put_window.3,
            self.received_records,
            self.received_bytes,
            self.delivered_records,
            self.delivered_bytes,
            self.compress_credit,
            self.measured_objects,
        ] {
            h.u64(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(utc(EPOCH_UNIX_S), (2025, 1, 1, 0, 0, 0));
        // 2024-02-29T23:59:59Z, a leap day.
        assert_eq!(utc(1_709_251_199), (2024, 2, 29, 23, 59, 59));
        assert_eq!(
            utc(EPOCH_UNIX_S + 86_400 * 59 + 3_723),
            (2025, 3, 1, 1, 2, 3)
        );
    }
}
