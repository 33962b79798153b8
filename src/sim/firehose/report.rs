//! A delivery stream's part of the report (`streamsim run`).

use serde::Serialize;

use super::lake::LakeAnswer;
use super::metrics::FirehoseSecond;
use super::object::{object_lines, RecordLines, S3Object};
use super::state::Firehose;
use crate::sim::app::{newest, Alert, ALERTS_REPORTED};

/// Objects a report lists (the newest; `objects_total` counts them all).
pub const OBJECTS_REPORTED: usize = 100;

#[derive(Serialize)]
pub struct FirehoseReport {
    pub name: String,
    /// The stream it reads, or null for Direct PUT.
    pub source_stream: Option<String>,
    /// Direct PUT records refused (ServiceUnavailableException).
    pub throttled_records: u64,
    pub bucket_arn: String,
    pub buffering_size_bytes: u64,
    pub buffering_interval_ms: u64,
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
    /// The newest objects (at most [`OBJECTS_REPORTED`]).
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
    /// How long a failing COPY is retried before its records are skipped.
    pub retry_duration_ms: u64,
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
    pub every_ms: u64,
    pub runs: u64,
    pub alerts: u64,
    /// Detection delay (run time − event time), mean and worst, ms.
    pub detection_delay_ms_mean: u64,
    pub detection_delay_ms_max: u64,
    pub recent_alerts: Vec<Alert>,
}

impl Firehose {
    /// The report; `lines` regenerates the records' lines an object shows.
    pub fn report(&self, lines: &dyn RecordLines) -> FirehoseReport {
        FirehoseReport {
            name: self.cfg.name.clone(),
            source_stream: self.cfg.source_stream.clone(),
            throttled_records: self.throttled_records,
            bucket_arn: self.cfg.bucket_arn.clone(),
            buffering_size_bytes: self.cfg.buffering_size_bytes,
            buffering_interval_ms: self.cfg.buffering_interval_ms,
            compression_format: self.cfg.compression.as_str(),
            s3_available: self.s3_available,
            s3_timeout_rate: self.s3_timeout_rate,
            received_records: self.received_records,
            received_bytes: self.received_bytes,
            buffered_records: self.buffered_records(),
            buffered_bytes: self.buffered_bytes(),
            retrying_records: self.retrying_records(),
            lost_records: self.lost_records,
            duplicate_records: self.duplicate_records,
            delivered_records: self.delivered_records,
            delivered_bytes: self.delivered_bytes,
            objects_total: self.objects_total,
            objects: self
                .objects
                .iter()
                .skip(self.objects.len().saturating_sub(OBJECTS_REPORTED))
                .map(|o| ObjectReport {
                    object: o.clone(),
                    first_lines: object_lines(o, lines),
                })
                .collect(),
            metrics: self.metrics.iter().copied().collect(),
            lake: self.query(0, u64::MAX),
            redshift: self.redshift_report(),
            batch_job: self.batch_report(),
            transform: self.transform_report(),
        }
    }

    pub fn redshift_report(&self) -> Option<RedshiftReport> {
        self.redshift.as_ref().map(|r| RedshiftReport {
            available: r.available,
            retry_duration_ms: r.retry_duration_ms,
            loaded_records: r.loaded_records,
            skipped_records: r.skipped_records,
            copies: r.copies,
            objects_waiting: r.queue.len() as u64,
        })
    }

    pub fn batch_report(&self) -> Option<BatchJobReport> {
        self.batch.as_ref().map(|b| BatchJobReport {
            name: b.name.clone(),
            every_ms: b.every_ms,
            runs: b.runs,
            alerts: b.alerts_total,
            detection_delay_ms_mean: b.mean_delay_ms(),
            detection_delay_ms_max: b.delay_ms_max,
            recent_alerts: newest(&b.alerts, ALERTS_REPORTED),
        })
    }

    pub fn transform_report(&self) -> Option<TransformReport> {
        self.transform.as_ref().map(|t| TransformReport {
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
        })
    }
}
