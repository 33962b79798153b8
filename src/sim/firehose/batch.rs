//! A batch job over the lake (simulation only): every `every_seconds` it reads the objects
//! delivered since its last run and applies its application's rules. The dam beside the river.

use std::collections::VecDeque;

use serde_json::Value;

use crate::sim::app::{parse_application, Alert, AppConfig, AppState, Seen};
use crate::sim::base::json::{Errors, Obj};
use crate::sim::base::keys::KeyTable;
use crate::sim::base::limits::{ALERTS_KEPT, BATCH_JOB_EVERY, NAME_CHARS_MAX};

/// `batch_jobs[]`: a scheduled batch job over a delivery stream's objects in S3.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchJobConfig {
    pub name: String,
    pub delivery_stream_name: String,
    pub every_ms: u64,
    pub application: AppConfig,
}

/// One `batch_jobs[]` entry; `delivery_streams` are the scenario's, `taken` those that already
/// have a job (one each).
pub fn parse_batch_job(
    item: &Value,
    path: &str,
    delivery_streams: &[String],
    taken: &[String],
    errs: &mut Errors,
) -> Option<BatchJobConfig> {
    let mut o = Obj::of(item, path, errs)?;
    let name = o.text("name", None, NAME_CHARS_MAX, errs);
    let ds_path = o.at("delivery_stream_name");
    let ds = o
        .text("delivery_stream_name", None, NAME_CHARS_MAX, errs)
        .and_then(|d| {
            if !delivery_streams.contains(&d) {
                errs.push(
                    &ds_path,
                    format!("{d:?} is not a delivery stream of this scenario"),
                );
                None
            } else if taken.contains(&d) {
                errs.push(
                    &ds_path,
                    format!("{d:?} already has a batch job (one each)"),
                );
                None
            } else {
                Some(d)
            }
        });
    let every = o.int("every_seconds", BATCH_JOB_EVERY, errs);
    let app_path = o.at("application");
    let app = match o.get("application") {
        None => {
            errs.push(&app_path, "required");
            None
        }
        Some(_) => parse_application(o.get("application"), &app_path, errs).flatten(),
    };
    o.finish(errs);
    Some(BatchJobConfig {
        name: name?,
        delivery_stream_name: ds?,
        every_ms: BATCH_JOB_EVERY.ms(every?),
        application: app?,
    })
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
    /// When the job raised its first alert (the list above keeps only the recent ones).
    pub first_alert_ms: Option<u64>,
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
            first_alert_ms: None,
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
            self.first_alert_ms.get_or_insert(now_ms);
            a.seq = self.alerts_total;
            self.delay_ms_sum += a.delay_ms;
            self.delay_ms_max = self.delay_ms_max.max(a.delay_ms);
            if self.alerts.len() == ALERTS_KEPT {
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
