//! `lambda_functions[]` (simulation only: what a function does with a batch) and
//! `resource.aws_lambda_event_source_mapping.<label>` (Terraform's arguments).

use serde_json::Value;

use crate::sim::app::{parse_application, AppConfig};
use crate::sim::base::json::{array, shown, text_value, Errors, Obj};
use crate::sim::base::limits::{
    ARN_CHARS_MAX, ESM_BATCHING_WINDOW, ESM_BATCH_SIZE, ESM_PARALLELIZATION, ESM_RECORD_AGE,
    ESM_RECORD_AGE_MIN_S, ESM_RETRY_ATTEMPTS, FUNCTION_DURATION, FUNCTION_DURATION_PER_RECORD,
    FUNCTION_ERROR_RATE, NAME_CHARS_MAX, PARTITION_KEY_CHARS_MAX, POISON_KEYS_MAX,
    TRANSFORM_DROPPED_RATE, TRANSFORM_PROCESSING_FAILED_RATE,
};
use crate::sim::base::names::Names;
use crate::sim::stream::StartingPosition;

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

pub fn parse_function(v: &Value, path: &str, errs: &mut Errors) -> Option<LambdaFunction> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", None, NAME_CHARS_MAX, errs);
    let duration = o.int("duration_ms", FUNCTION_DURATION, errs);
    let per_record = o.int("duration_ms_per_record", FUNCTION_DURATION_PER_RECORD, errs);
    let error_rate = o.num("error_rate", FUNCTION_ERROR_RATE, errs);
    let mut poison = Vec::new();
    if let Some(v) = o.get("poison_partition_keys") {
        let p = o.at("poison_partition_keys");
        if let Some(items) = array(v, &p, POISON_KEYS_MAX, errs) {
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
    let application = parse_application(o.get("application"), &app_path, errs);
    let dropped = o.num("transform_dropped_rate", TRANSFORM_DROPPED_RATE, errs);
    let failed = o.num(
        "transform_processing_failed_rate",
        TRANSFORM_PROCESSING_FAILED_RATE,
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
        duration_ms: FUNCTION_DURATION.ms(duration?),
        duration_ms_per_record: FUNCTION_DURATION_PER_RECORD.ms(per_record?),
        error_rate: error_rate?,
        poison_partition_keys: poison,
    })
}

/// `maximum_record_age_in_seconds` is −1 (no limit) or 60..=604,800: the range of
/// [`ESM_RECORD_AGE`] leaves out 0..60 (for the scenario's mapping and its update alike).
pub fn check_record_age(a: i64, path: &str, errs: &mut Errors) {
    if (0..ESM_RECORD_AGE_MIN_S).contains(&a) {
        errs.push(
            path,
            format!(
                "{a} is out of range: -1 (no limit) or {ESM_RECORD_AGE_MIN_S}..={}",
                ESM_RECORD_AGE.max
            ),
        );
    }
}

/// The `aws_lambda_event_source_mapping` block: one mapping per label.
pub fn parse_mappings(
    block: &Value,
    names: &Names,
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
        let p = crate::sim::base::json::join(path, label);
        if let Some(m) = parse_mapping(body, &p, label, names, functions, errs) {
            out.push(m);
        }
    }
    out
}

fn parse_mapping(
    v: &Value,
    path: &str,
    label: &str,
    names: &Names,
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Option<EventSourceMapping> {
    let mut o = Obj::of(v, path, errs)?;
    // The stream's ARN as Terraform would give it, or just its name.
    let arn_path = o.at("event_source_arn");
    let arn = o.text("event_source_arn", None, ARN_CHARS_MAX, errs);
    let stream_name = arn.and_then(|a| names.stream_arn_ref(&a, &arn_path, errs));
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
    let batch = o.int("batch_size", ESM_BATCH_SIZE, errs);
    let window = o.int(
        "maximum_batching_window_in_seconds",
        ESM_BATCHING_WINDOW,
        errs,
    );
    let factor = o.int("parallelization_factor", ESM_PARALLELIZATION, errs);
    let bisect = o.boolean("bisect_batch_on_function_error", false, errs);
    let retries = o.signed("maximum_retry_attempts", ESM_RETRY_ATTEMPTS, errs);
    let age = o.signed("maximum_record_age_in_seconds", ESM_RECORD_AGE, errs);
    if let Some(a) = age {
        check_record_age(a, &o.at("maximum_record_age_in_seconds"), errs);
    }
    let destination = match o.get("destination_config") {
        None => Some(None),
        Some(d) => {
            let mut dc = Obj::of(d, &o.at("destination_config"), errs)?;
            let of = dc.required("on_failure", errs)?;
            let mut f = Obj::of(of, &dc.at("on_failure"), errs)?;
            let arn = f.text("destination_arn", None, ARN_CHARS_MAX, errs);
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
        maximum_batching_window_ms: ESM_BATCHING_WINDOW.ms(window?),
        parallelization_factor: factor? as u32,
        bisect_batch_on_function_error: bisect,
        maximum_retry_attempts: retries?,
        maximum_record_age_seconds: age?,
        on_failure_destination: destination?,
        enabled,
    })
}
