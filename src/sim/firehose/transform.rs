//! A transform Lambda (`processing_configuration`): records gather in its own buffer, each
//! invocation returns a result per record — Ok (on to S3), Dropped (on purpose) or
//! ProcessingFailed (wrapped under the error output prefix) — and a failed invocation is
//! retried, then all its records are ProcessingFailed.

use std::collections::VecDeque;

use super::config::TransformConfig;
use super::object::Chunk;
use crate::sim::base::limits::TRANSFORM_TIMEOUT_MS;
use crate::sim::lambda::LambdaFunction;

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

impl Transform {
    /// When an invocation of `records` started at `t_ms` ends, and whether it fails: past
    /// [`TRANSFORM_TIMEOUT_MS`] it ends then, failed.
    pub(super) fn run_time(&self, t_ms: u64, records: u64, fails: bool) -> (u64, bool) {
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
    pub(super) fn add(&mut self, t_ms: u64, c: Chunk) -> Option<Chunk> {
        if self.buffer.records == 0 {
            self.started_ms = t_ms;
        }
        self.buffer.merge(c);
        (self.buffer.bytes >= self.buffer_bytes).then(|| std::mem::take(&mut self.buffer))
    }

    /// The buffer, once its interval has passed.
    pub(super) fn take_due(&mut self, now_ms: u64) -> Option<Chunk> {
        (self.buffer.records > 0 && now_ms >= self.started_ms + self.buffer_interval_ms)
            .then(|| std::mem::take(&mut self.buffer))
    }

    /// Records in the transform's buffer and in invocations.
    pub fn holding(&self) -> u64 {
        self.buffer.records + self.in_flight.iter().map(|i| i.chunk.records).sum::<u64>()
    }
}
