//! `producers[]` (simulation only; Terraform has no producers): what each one sends, where, how
//! fast, with which partition keys and sizes, batched how, retried how.

use serde_json::Value;

use crate::sim::base::content::Template;
use crate::sim::base::hash::{bad_hash_key, parse_hash_key};
use crate::sim::base::json::{array, int_value, text_value, Errors, Obj};
use crate::sim::base::limits::{
    Limit, BATCH_BUFFERED_TIME, BURSTS_LENGTH, BURSTS_MULTIPLIER, BURSTS_PERIOD, HOT_KEY_SHARE,
    KEY_COUNT, LIST_KEYS_MAX, NAME_CHARS_MAX, PARTITION_KEY_CHARS_MAX, PUT_RECORDS_ENTRIES,
    RECORDS_PER_SECOND, RECORD_SIZE_BYTES, RETRY_ATTEMPTS, RETRY_BASE_DELAY, RETRY_MAX_BACKOFF,
    SINE_AMPLITUDE, SINE_PERIOD, SINE_PHASE, SPIKE_AT, SPIKE_LENGTH, SPIKE_MULTIPLIER,
    ZIPF_EXPONENT,
};
use crate::sim::base::names::Names;

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

    /// How many distinct keys the model has (0 for `random`: a fresh key every record).
    pub fn key_count(&self) -> u64 {
        match self {
            KeyModel::Uniform { count, .. } | KeyModel::Zipf { count, .. } => u64::from(*count),
            KeyModel::HotKey { count, .. } => u64::from(*count) + 1,
            KeyModel::List { keys } => keys.len() as u64,
            KeyModel::Random => 0,
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

/// How a producer sends: one record a request, or batches — PutRecords to a Kinesis stream,
/// PutRecordBatch to a Firehose delivery stream (Direct PUT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    PutRecord,
    PutRecords,
    PutRecordBatch,
}

impl Api {
    pub fn as_str(self) -> &'static str {
        match self {
            Api::PutRecord => "PutRecord",
            Api::PutRecords => "PutRecords",
            Api::PutRecordBatch => "PutRecordBatch",
        }
    }

    pub fn batches(self) -> bool {
        self != Api::PutRecord
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
        let d = |l: Limit| l.default.expect("a default");
        Self {
            max_attempts: d(RETRY_ATTEMPTS) as u32,
            base_delay_ms: RETRY_BASE_DELAY.ms(d(RETRY_BASE_DELAY)),
            max_backoff_ms: RETRY_MAX_BACKOFF.ms(d(RETRY_MAX_BACKOFF)),
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
    /// What its records say (their JSON lines); None: generic events.
    pub record_template: Option<Template>,
    pub records_per_second: u32,
    pub record_size: SizeModel,
    pub keys: KeyModel,
    pub explicit_hash_key: Option<u128>,
    pub traffic: Traffic,
    pub api: Api,
    /// Batching APIs only: entries per request (1–500) …
    pub batch_max_records: u32,
    /// … and how long a record may wait for its batch to fill (the KPL's RecordMaxBufferedTime).
    pub batch_max_buffered_time_ms: u64,
    pub retry: RetryPolicy,
    pub paused: bool,
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

fn parse_keys(v: Option<&Value>, path: &str, errs: &mut Errors) -> Option<KeyModel> {
    let Some(v) = v else {
        return Some(KeyModel::Uniform {
            count: KEY_COUNT.default.expect("a default") as u32,
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
            let count = o.int("count", KEY_COUNT, errs);
            let prefix_path = o.at("prefix");
            let prefix = o
                .get("prefix")
                .and_then(|p| text_value(p, &prefix_path, 0, PARTITION_KEY_CHARS_MAX, errs))
                .unwrap_or_else(|| default_prefix.to_string());
            if let Some(c) = count {
                check_partition_key(
                    &format!("{prefix}{}", "9".repeat(digits(c))),
                    &prefix_path,
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
                    let share = o.num("hot_key_share", HOT_KEY_SHARE, errs);
                    KeyModel::HotKey {
                        count: count? as u32,
                        prefix,
                        hot_key: hot_key?,
                        hot_key_share: share?,
                    }
                }
                _ => {
                    let exponent = o.num("exponent", ZIPF_EXPONENT, errs);
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
            let items = array(o.required("keys", errs)?, &keys_path, LIST_KEYS_MAX, errs)?;
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

fn parse_size(v: Option<&Value>, path: &str, errs: &mut Errors) -> Option<SizeModel> {
    let limit = RECORD_SIZE_BYTES;
    match v {
        None => Some(SizeModel::Fixed(limit.default.expect("a default") as u32)),
        Some(Value::Object(_)) => {
            let mut o = Obj::of(v?, path, errs)?;
            let required = Limit {
                default: None,
                ..limit
            };
            let min = o.int("min", required, errs);
            let max = o.int("max", required, errs);
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
            int_value(v, path, limit.min, limit.max, errs).map(|n| SizeModel::Fixed(n as u32))
        }
    }
}

fn parse_traffic(v: Option<&Value>, path: &str, errs: &mut Errors) -> Option<Traffic> {
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
    let t = match shape {
        "steady" => Some(Traffic::Steady),
        "bursts" => {
            let period = o.int("period_seconds", BURSTS_PERIOD, errs);
            let burst = o.int("burst_seconds", BURSTS_LENGTH, errs);
            let mult = o.num("multiplier", BURSTS_MULTIPLIER, errs);
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
            let amplitude = o.num("amplitude", SINE_AMPLITUDE, errs);
            let period = o.int("period_seconds", SINE_PERIOD, errs);
            let phase = o.int("phase_seconds", SINE_PHASE, errs);
            Some(Traffic::DailySine {
                amplitude: amplitude?,
                period_seconds: period?,
                phase_seconds: phase?,
            })
        }
        _ => {
            let at = o.int("at_second", SPIKE_AT, errs);
            let duration = o.int("duration_seconds", SPIKE_LENGTH, errs);
            let mult = o.num("multiplier", SPIKE_MULTIPLIER, errs);
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

/// One producer block (in `producers[]`, or in an `add_producer` command).
pub fn parse_producer(
    v: &Value,
    path: &str,
    names: &Names,
    errs: &mut Errors,
) -> Option<ProducerConfig> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", None, NAME_CHARS_MAX, errs);
    let ds_path = o.at("delivery_stream_name");
    let delivery_stream = match o.get("delivery_stream_name") {
        None => Some(None),
        Some(v) => text_value(v, &ds_path, 1, NAME_CHARS_MAX, errs).and_then(|d| {
            if names.direct_put.contains(&d) {
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
        _ => names.stream_ref(&mut o, errs),
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
    let rps = o.int("records_per_second", RECORDS_PER_SECOND, errs);
    let size_path = o.at("record_size_bytes");
    let size = parse_size(o.get("record_size_bytes"), &size_path, errs);
    let keys_path = o.at("partition_keys");
    let keys = parse_keys(o.get("partition_keys"), &keys_path, errs);
    let explicit = match o.get("explicit_hash_key") {
        None => Some(None),
        Some(v) => match v.as_str().and_then(parse_hash_key) {
            Some(h) => Some(Some(h)),
            None => {
                errs.push(&o.at("explicit_hash_key"), bad_hash_key(v));
                None
            }
        },
    };
    let traffic_path = o.at("traffic");
    let traffic = parse_traffic(o.get("traffic"), &traffic_path, errs);
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
        None => (PUT_RECORDS_ENTRIES.default, BATCH_BUFFERED_TIME.default),
        Some(b) => {
            let mut bo = Obj::of(b, &o.at("batch"), errs)?;
            let r = bo.int("max_records", PUT_RECORDS_ENTRIES, errs);
            let t = bo.int("max_buffered_time_ms", BATCH_BUFFERED_TIME, errs);
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
            let attempts = ro.int("max_attempts", RETRY_ATTEMPTS, errs);
            let base = ro.int("base_delay_ms", RETRY_BASE_DELAY, errs);
            let cap = ro.int("max_backoff_ms", RETRY_MAX_BACKOFF, errs);
            ro.finish(errs);
            Some(RetryPolicy {
                max_attempts: attempts? as u32,
                base_delay_ms: RETRY_BASE_DELAY.ms(base?),
                max_backoff_ms: RETRY_MAX_BACKOFF.ms(cap?),
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
        api: match api? {
            "PutRecords" => Api::PutRecords,
            "PutRecordBatch" => Api::PutRecordBatch,
            _ => Api::PutRecord,
        },
        batch_max_records: batch_records? as u32,
        batch_max_buffered_time_ms: BATCH_BUFFERED_TIME.ms(batch_ms?),
        retry: retry?,
        paused,
    })
}
