//! A delivery stream's state: the buffer that fills until the first of `buffering_size` or
//! `buffering_interval` is reached, then one object for S3; its transform, S3 queue, Redshift
//! and batch job; its counters and per-second metrics.

use std::collections::VecDeque;

use super::batch::BatchJob;
use super::compress;
use super::config::{Compression, FirehoseConfig};
use super::metrics::FirehoseSecond;
use super::object::{Chunk, ErrorWrap};
use super::object::{LakeValues, ObjectSample, RecordLines, S3Object, Sample};
use super::redshift::Redshift;
use super::s3::{Outcome, Pending};
use super::transform::Transform;
use crate::sim::app::Alert;
use crate::sim::base::digest::Fnv;
use crate::sim::base::limits::METRIC_SECONDS_KEPT;
use crate::sim::base::rng::SimRng;
use compress::SAMPLE_MAX_BYTES;

/// Sample bytes a delivery stream may compress per simulated second: a bound on the cost of
/// sizing objects, whatever the buffering (at most ~56 MiB of samples per simulated hour, about
/// 1.2 s of DEFLATE natively). The `gaming` preset needs ~11 KiB/s (a 256 KiB sample every
/// ~23 s); a stream delivering a large object every few seconds has some of them sized at the
/// ratio last measured.
pub const COMPRESS_CREDIT_BYTES_PER_S: u64 = 16 * 1024;
/// The most credit that can build up: two full samples.
pub const COMPRESS_CREDIT_MAX: u64 = 2 * SAMPLE_MAX_BYTES;

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
    pub(super) put_window: (u64, u64, u64, u64),
    pub(super) last_request: Option<(u16, u32, u64)>,
    /// Direct PUT records refused (ServiceUnavailableException), in all.
    pub throttled_records: u64,
    pub(super) rng: SimRng,
    /// The buffer: records, bytes, the oldest and newest arrival, and when it started filling.
    pub(super) buffered_records: u64,
    pub(super) buffered_bytes: u64,
    pub(super) buffered_lake: LakeValues,
    /// What a batch job will flag in the buffered records, once they have landed.
    pub(super) buffered_flags: Vec<Alert>,
    /// The buffered records whose lines size the object.
    pub(super) sample: ObjectSample,
    /// The last object measured: its format and (compressed payload, sample bytes), reused for
    /// an object with no record to regenerate.
    pub(super) last_measure: Option<(Compression, compress::Measure)>,
    /// Bytes of samples it may still compress, earned in simulated time, and when last earned.
    pub(super) compress_credit: u64,
    pub(super) credit_ms: u64,
    /// Objects whose size came from compressing their own sample.
    pub measured_objects: u64,
    pub(super) oldest_arrival_ms: u64,
    pub(super) newest_arrival_ms: u64,
    pub(super) started_ms: u64,
    pub objects: VecDeque<S3Object>,
    pub objects_total: u64,
    pub(super) pending: VecDeque<Pending>,
    /// Second writes of objects whose first write timed out.
    pub(super) rewrites: VecDeque<Pending>,
    /// Whether S3 accepts writes (an outage is a fault a student can set).
    pub s3_available: bool,
    /// Share of writes that time out after S3 stored them: Firehose writes them again.
    pub s3_timeout_rate: f64,
    pub lost_records: u64,
    pub duplicate_records: u64,
    /// What happened in writes made between ticks (a size-triggered delivery), for the notes.
    pub(super) unreported: Outcome,
    /// Flags in objects that have landed, waiting for the batch job's next run (t_ms = landing).
    pub landed: Vec<Alert>,
    /// The batch job over this delivery stream's objects, if the scenario has one.
    pub batch: Option<BatchJob>,
    /// The transform Lambda (`processing_configuration`), if there is one.
    pub transform: Option<Transform>,
    /// Redshift, when it is the destination.
    pub redshift: Option<Redshift>,
    /// ProcessingFailed records waiting for their error object, and since when.
    pub(super) errors: Chunk,
    pub(super) errors_started_ms: u64,
    /// The error buffer's size as it will be written (records wrapped, base64).
    pub(super) errors_wrapped_bytes: u64,
    pub(super) errors_wrap: Option<ErrorWrap>,
    /// Records written to error objects.
    pub error_records: u64,
    pub received_records: u64,
    pub received_bytes: u64,
    pub delivered_records: u64,
    pub delivered_bytes: u64,
    pub(super) current: FirehoseSecond,
    pub metrics: VecDeque<FirehoseSecond>,
    /// Bit `f` set once a data object with records of field `f` has landed (see `lake_fields`).
    pub(super) lake_seen: u8,
}

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
            buffered_lake: LakeValues::default(),
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
            lake_seen: 0,
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

    pub(super) fn size_limit(&self) -> u64 {
        self.cfg.buffering_size_bytes
    }

    /// One record arriving from the source at `t_ms` (`record.bytes` long, in the stream since
    /// `record.arrival_ms`), with its amount (as a card transaction) for the lake's sums, and
    /// what a batch job over the lake would flag in it. A buffer that reaches `buffering_size`
    /// is delivered at once (`lines` regenerates its records' lines to size the object).
    pub fn receive(
        &mut self,
        t_ms: u64,
        record: Sample,
        lake: LakeValues,
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
                    lake,
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
                self.buffered_lake.add(&lake);
                self.newest_arrival_ms = self.newest_arrival_ms.max(record.arrival_ms);
                self.oldest_arrival_ms = self.oldest_arrival_ms.min(record.arrival_ms);
                self.buffered_flags.extend(flagged);
                self.buffer_check(t_ms, lines);
            }
        }
    }

    /// A first record starts the buffer.
    pub(super) fn buffer_open(&mut self, t_ms: u64, oldest_ms: u64) {
        if self.buffered_records == 0 {
            self.started_ms = t_ms;
            self.oldest_arrival_ms = oldest_ms;
            self.buffered_lake = LakeValues::default();
        }
    }

    /// A record's bytes join the buffer (and perhaps its sample).
    pub(super) fn buffer_record(&mut self, r: Sample) {
        self.sample.add(self.buffered_bytes, r);
        self.buffered_bytes += u64::from(r.bytes);
    }

    pub(super) fn buffer_check(&mut self, t_ms: u64, lines: &dyn RecordLines) {
        if self.buffered_bytes >= self.size_limit() {
            self.deliver(t_ms, "size", lines);
        }
    }

    /// Records (done with a transform) join the S3 buffer; it is delivered when full.
    pub(super) fn buffer_add(&mut self, t_ms: u64, c: Chunk, lines: &dyn RecordLines) {
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
        self.buffered_lake.add(&c.lake);
        self.newest_arrival_ms = self.newest_arrival_ms.max(c.newest_ms);
        self.oldest_arrival_ms = self.oldest_arrival_ms.min(c.oldest_ms);
        self.buffered_flags.extend(c.flags);
        self.buffer_check(t_ms, lines);
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
            && now_ms >= self.errors_started_ms + self.cfg.buffering_interval_ms
        {
            self.deliver_errors(now_ms);
        }
        if self.buffered_records > 0 && now_ms >= self.started_ms + self.cfg.buffering_interval_ms {
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

    /// The object's size in `format`, delivered at `t_ms`: its sample's lines really
    /// compressed, scaled to the whole object when the sample is not all of it (see
    /// [`compress`]). Compressing is paid from a credit of [`COMPRESS_CREDIT_BYTES_PER_S`]
    /// (simulated time, so the same natively and in wasm); an object delivered while the credit
    /// is short of its sample, or with no record to regenerate, is sized from the last measure
    /// in the same format ([`compress::estimate_from`]; the per-mille model before any).
    pub(super) fn compressed_size(
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
        let n = self.sample.bytes();
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
    pub(super) fn deliver(&mut self, t_ms: u64, trigger: &'static str, lines: &dyn RecordLines) {
        let key = self.object_key(self.oldest_arrival_ms);
        let raw = self.buffered_bytes;
        let format = self.cfg.compression;
        let bytes = self.compressed_size(t_ms, format, &key, lines);
        let sample = std::mem::take(&mut self.sample);
        let object = S3Object {
            seq: 0,
            key,
            bytes,
            raw_bytes: raw,
            records: self.buffered_records,
            first_arrival_ms: self.oldest_arrival_ms,
            last_arrival_ms: self.newest_arrival_ms,
            delivered_ms: t_ms,
            compression: self.cfg.compression.as_str(),
            trigger,
            lake: self.buffered_lake,
            flags: std::mem::take(&mut self.buffered_flags),
            samples: sample.first(),
            duplicate: false,
            error: None,
        };
        self.buffered_records = 0;
        self.buffered_bytes = 0;
        self.enqueue(t_ms, object);
    }

    /// How long the buffer has been filling, as the delivery rule measures it against
    /// `buffering_interval` (0 when it is empty).
    pub fn buffer_age_ms(&self, now_ms: u64) -> u64 {
        if self.buffered_records > 0 {
            now_ms.saturating_sub(self.started_ms)
        } else {
            0
        }
    }

    /// Bit `f` of [`Field::ALL`] set for each numeric field the lake's records have.
    pub fn lake_field_bits(&self) -> u8 {
        self.lake_seen
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
        if self.metrics.len() == METRIC_SECONDS_KEPT {
            self.metrics.pop_front();
        }
        self.metrics.push_back(s);
    }

    /// Every record received is in the transform, buffered, waiting for S3, in S3 (data or
    /// error objects), lost, or dropped by the transform on purpose.
    pub fn conserves(&self) -> bool {
        self.received_records
            == self.processing_records()
                + self.buffered_records()
                + self.retrying_records()
                + self.delivered_records
                + self.error_records
                + self.lost_records
                + self.transform_dropped()
    }

    /// Runs the batch job over the lake when it is due: (its name, alerts, worst delay ms).
    pub fn run_batch_job(&mut self, now_ms: u64) -> Option<(String, u64, u64)> {
        let b = self.batch.as_mut().filter(|b| now_ms >= b.next_run_ms)?;
        let mut landed = std::mem::take(&mut self.landed);
        let (n, worst) = b.run(now_ms, &mut landed);
        Some((b.name.clone(), n, worst))
    }

    pub(crate) fn digest_into(&self, h: &mut Fnv) {
        let (d, n) = self.rng.fingerprint();
        for v in [
            d,
            n,
            u64::from(self.version),
            self.cfg.buffering_size_bytes,
            self.cfg.buffering_interval_ms,
            self.cfg.compression as u64,
            self.buffered_records,
            self.buffered_bytes,
            self.buffered_lake.sums[0],
            self.buffered_lake.sums[1],
            self.buffered_lake.sums[2],
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
