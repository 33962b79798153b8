//! What a delivery stream does with its transform: invocations, their results per record, the
//! retries of a failed one, and ProcessingFailed records gathered into error objects under the
//! error output prefix.

use super::object::{
    Chunk, ErrorWrap, RecordLines, S3Object, Sample, ERROR_TRIGGER, SAMPLES_PER_OBJECT,
};
use super::state::Firehose;
use super::transform::Invocation;

impl Firehose {
    /// Where failed records go: `error_output_prefix`, or `processing-failed/` when none is
    /// set (AWS's default).
    pub fn error_prefix(&self) -> String {
        if self.cfg.error_output_prefix.is_empty() {
            "processing-failed/".to_string()
        } else {
            self.cfg.error_output_prefix.clone()
        }
    }

    /// Sends a transform batch to the Lambda function.
    pub(super) fn invoke(&mut self, t_ms: u64, chunk: Chunk) {
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
    pub(super) fn settle_transforms(&mut self, now_ms: u64, lines: &dyn RecordLines) {
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
    pub(super) fn error_add(&mut self, t_ms: u64, c: Chunk, wrap: ErrorWrap) {
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
    pub(super) fn deliver_errors(&mut self, t_ms: u64) {
        let c = std::mem::take(&mut self.errors);
        let prefix = self.error_prefix();
        let key = self.object_key_with(&prefix, c.oldest_ms);
        let object = S3Object {
            seq: 0,
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
            lake: Default::default(),
            flags: Vec::new(),
            samples: c.ids.into_iter().filter(Sample::known).collect(),
            duplicate: false,
            error: self.errors_wrap.take(),
        };
        // Through the same queue as data objects: an S3 outage holds error objects too.
        self.enqueue(t_ms, object);
    }
}
