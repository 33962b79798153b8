//! What Firehose writes to S3: objects, the records travelling through its stages ([`Chunk`]),
//! the sample of an object's records whose lines size it ([`ObjectSample`]), and how a failed
//! record is wrapped in an error object ([`ErrorWrap`]).

use serde::Serialize;

use super::compress::{self, SAMPLE_MAX_BYTES, SAMPLE_SLICE_BYTES};
use super::config::Compression;
use crate::sim::app::Alert;
use crate::sim::base::content::{base64_into, Field, Lazy};
use crate::sim::base::time::unix_ms;

/// The `trigger` of an error object (records the transform failed), under the error prefix.
pub const ERROR_TRIGGER: &str = "processing-failed";

/// One object Firehose wrote to the bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct S3Object {
    /// Its place in the bucket, 1 for the first object written (the page asks for objects
    /// after the last one it has).
    pub seq: u64,
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
    /// Sums of its records' numeric fields, for queries over the lake.
    #[serde(skip)]
    pub lake: LakeValues,
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
        let _ = write!(
            out,
            "{{\"attemptsMade\":{},\"arrivalTimestamp\":{},\"errorCode\":\"{}\",\"errorMessage\":\"{}\",\"attemptEndingTimestamp\":{},\"rawData\":\"",
            self.attempts,
            unix_ms(arrival_ms),
            self.code,
            self.message,
            unix_ms(self.ending_ms)
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
    pub(super) fn first(&self) -> Vec<Sample> {
        self.picked
            .iter()
            .take(SAMPLES_PER_OBJECT)
            .map(|(_, s)| *s)
            .collect()
    }
}

/// Per numeric field ([`Field`]): the sum of the values of the records that have it, and how
/// many they are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LakeValues {
    pub sums: [u64; 3],
    pub counts: [u64; 3],
}

impl LakeValues {
    /// One record's: its template's field, if it has one.
    pub fn of(field: Option<Field>, content: Lazy) -> Self {
        let mut v = Self::default();
        if let Some(f) = field {
            v.sums[f.index()] = content.value(f);
            v.counts[f.index()] = 1;
        }
        v
    }

    pub fn add(&mut self, o: &LakeValues) {
        for i in 0..3 {
            self.sums[i] += o.sums[i];
            self.counts[i] += o.counts[i];
        }
    }

    /// `k` of `n` records' share (records inside a chunk keep no values of their own).
    pub fn share(&self, k: u64, n: u64) -> Self {
        let mut v = Self::default();
        for i in 0..3 {
            v.sums[i] = self.sums[i] * k / n.max(1);
            v.counts[i] = self.counts[i] * k / n.max(1);
        }
        v
    }

    pub fn take(&mut self, part: &LakeValues) {
        for i in 0..3 {
            self.sums[i] -= part.sums[i];
            self.counts[i] -= part.counts[i];
        }
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
    pub lake: LakeValues,
    pub flags: Vec<Alert>,
}

impl Chunk {
    pub(super) fn merge(&mut self, c: Chunk) {
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
        self.lake.add(&c.lake);
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
    pub(super) fn split(&mut self, k: u64) -> Chunk {
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
        let lake = self.lake.share(k, self.records);
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
            lake,
            flags,
            ids,
        };
        self.records -= k;
        self.bytes -= bytes;
        self.lake.take(&lake);
        part
    }
}

/// The first lines of an object, exactly as they are in it (without their newlines),
/// regenerated from its records' seeds.
pub fn object_lines(object: &S3Object, lines: &dyn RecordLines) -> Vec<String> {
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
