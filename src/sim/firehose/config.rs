//! `resource.aws_kinesis_firehose_delivery_stream.<label>`, with Terraform's arguments: the
//! source (`kinesis_source_configuration`, or Direct PUT), `extended_s3_configuration` (bucket,
//! prefixes, buffering hints, compression, `processing_configuration`) or
//! `redshift_configuration` (staged through its own `s3_configuration`).

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::sim::base::json::{array, join, quoted, shown, Errors, Obj};
use crate::sim::base::limits::{
    ARN_CHARS_MAX, BUFFERING_INTERVAL, BUFFERING_SIZE, DELIVERY_STREAMS_MAX, DIRECT_PUT_MIB,
    DIRECT_PUT_RECORDS, DIRECT_PUT_REQUESTS, NAME_CHARS_MAX, PREFIX_CHARS_MAX,
    REDSHIFT_RETRY_DURATION, TRANSFORM_BUFFER_INTERVAL, TRANSFORM_BUFFER_SIZE, TRANSFORM_RETRIES,
};
use crate::sim::base::names::Names;
use crate::sim::lambda::LambdaFunction;

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
    /// `buffering_size`: a buffer this big (before compression) is delivered …
    pub buffering_size_bytes: u64,
    /// … and so is one that has waited `buffering_interval` since it started filling.
    pub buffering_interval_ms: u64,
    pub prefix: String,
    pub error_output_prefix: String,
    pub compression: Compression,
    /// `processing_configuration`: the transform Lambda's function name, its buffer (bytes and
    /// ms) and the retries of a failed invocation.
    pub transform: Option<TransformConfig>,
    /// `destination = "redshift"`: objects staged in S3 are loaded with COPY, retried for up to
    /// this long (`retry_duration`) before they are skipped.
    pub redshift_retry_duration_ms: Option<u64>,
    /// `data_table_name`: the Redshift table the COPYs load.
    pub redshift_table: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransformConfig {
    /// The function (of `lambda_functions`) named by the `LambdaArn` parameter.
    pub function_name: String,
    /// The `LambdaArn` parameter as written (a bare function name gets a placeholder ARN).
    pub lambda_arn: String,
    pub buffer_bytes: u64,
    pub buffer_interval_ms: u64,
    pub retries: u32,
}

impl Serialize for Compression {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

pub const COMPRESSION_FORMATS: &[&str] =
    &["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"];

impl Compression {
    /// The format named as Terraform writes it (one of [`COMPRESSION_FORMATS`]).
    pub fn named(s: &str) -> Self {
        match s {
            "GZIP" => Compression::Gzip,
            "ZIP" => Compression::Zip,
            "Snappy" => Compression::Snappy,
            "HADOOP_SNAPPY" => Compression::HadoopSnappy,
            _ => Compression::Uncompressed,
        }
    }
}

/// The `aws_kinesis_firehose_delivery_stream` block: one delivery stream per label.
pub fn parse_firehoses(
    block: &Value,
    names: &Names,
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Vec<FirehoseConfig> {
    let path = "resource.aws_kinesis_firehose_delivery_stream";
    let mut out = Vec::new();
    let Value::Object(map) = block else {
        errs.push(
            path,
            format!(
                "expected an object of delivery streams by label, got {}",
                shown(block)
            ),
        );
        return out;
    };
    if map.len() > DELIVERY_STREAMS_MAX {
        errs.push(
            path,
            format!(
                "{} delivery streams; at most {DELIVERY_STREAMS_MAX} allowed",
                map.len()
            ),
        );
        return out;
    }
    for (label, body) in map {
        let p = join(path, label);
        if let Some(f) = parse_firehose(body, &p, label, names, functions, errs) {
            if out.iter().any(|g: &FirehoseConfig| g.name == f.name) {
                errs.push(
                    &join(&p, "name"),
                    format!("{:?} is used by another delivery stream", f.name),
                );
            }
            out.push(f);
        }
    }
    out
}

fn parse_firehose(
    v: &Value,
    path: &str,
    label: &str,
    names: &Names,
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Option<FirehoseConfig> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", Some(label), NAME_CHARS_MAX, errs);
    let destination = o.choice("destination", None, &["extended_s3", "redshift"], errs);
    // Redshift: staged in S3 (its `s3_configuration`), then loaded with COPY.
    let mut redshift = None;
    let mut rs_obj = None;
    let mut table = None;
    if destination == Some("redshift") {
        let rp = o.at("redshift_configuration");
        let r = o.required("redshift_configuration", errs)?;
        let mut ro = Obj::of(r, &rp, errs)?;
        let _url = ro.text("cluster_jdbcurl", None, ARN_CHARS_MAX, errs);
        let _user = ro.text("username", None, 128, errs);
        let _pass = ro.text("password", Some("secret"), 512, errs);
        table = ro.text("data_table_name", None, 256, errs);
        let _copy = ro.get("copy_options");
        let _cols = ro.get("data_table_columns");
        let _role = ro.text("role_arn", Some("role"), ARN_CHARS_MAX, errs);
        let retry = ro.int("retry_duration", REDSHIFT_RETRY_DURATION, errs);
        redshift = Some(retry.map(|s| REDSHIFT_RETRY_DURATION.ms(s)));
        rs_obj = Some(ro);
    }
    let source = match o.get("kinesis_source_configuration") {
        // Direct PUT: producers write to it.
        None => Some(None),
        Some(k) => {
            let mut ko = Obj::of(k, &o.at("kinesis_source_configuration"), errs)?;
            let arn_path = ko.at("kinesis_stream_arn");
            let arn = ko.text("kinesis_stream_arn", None, ARN_CHARS_MAX, errs);
            let _role = ko.text("role_arn", Some("role"), ARN_CHARS_MAX, errs);
            ko.finish(errs);
            arn.and_then(|a| names.stream_arn_ref(&a, &arn_path, errs))
                .map(Some)
        }
    };
    // Direct PUT quotas (simulation only): the largest regions' defaults.
    let (q_records, q_mib, q_requests) = match o.get("direct_put_limits") {
        None => (
            DIRECT_PUT_RECORDS.default,
            DIRECT_PUT_MIB.default,
            DIRECT_PUT_REQUESTS.default,
        ),
        Some(q) => {
            let mut qo = Obj::of(q, &o.at("direct_put_limits"), errs)?;
            let r = qo.int("records_per_second", DIRECT_PUT_RECORDS, errs);
            let m = qo.int("mib_per_second", DIRECT_PUT_MIB, errs);
            let n = qo.int("requests_per_second", DIRECT_PUT_REQUESTS, errs);
            qo.finish(errs);
            (r, m, n)
        }
    };
    let (s3_path, s3) = match &mut rs_obj {
        Some(ro) => {
            let p = ro.at("s3_configuration");
            (p, ro.required("s3_configuration", errs)?)
        }
        None => (
            o.at("extended_s3_configuration"),
            o.required("extended_s3_configuration", errs)?,
        ),
    };
    let mut so = Obj::of(s3, &s3_path, errs)?;
    let bucket = so.text("bucket_arn", None, ARN_CHARS_MAX, errs);
    let _role = so.text("role_arn", Some("role"), ARN_CHARS_MAX, errs);
    let size = so.int("buffering_size", BUFFERING_SIZE, errs);
    let interval = so.int("buffering_interval", BUFFERING_INTERVAL, errs);
    let prefix = so.text_or_empty("prefix", PREFIX_CHARS_MAX, errs);
    let error_prefix = so.text_or_empty("error_output_prefix", PREFIX_CHARS_MAX, errs);
    let compression = so.choice(
        "compression_format",
        Some("UNCOMPRESSED"),
        COMPRESSION_FORMATS,
        errs,
    );
    let pc_path = so.at("processing_configuration");
    let transform = match so.get("processing_configuration") {
        None => Some(None),
        Some(pc) => parse_processing(pc, &pc_path, functions, errs),
    };
    so.finish(errs);
    if let Some(ro) = rs_obj {
        ro.finish(errs);
        if compression.is_some_and(|c| c != "UNCOMPRESSED" && c != "GZIP") {
            errs.push(
                &join(&s3_path, "compression_format"),
                "Redshift loads UNCOMPRESSED or GZIP only",
            );
        }
    }
    o.finish(errs);
    Some(FirehoseConfig {
        redshift_table: table,
        redshift_retry_duration_ms: match redshift {
            None => None,
            Some(r) => Some(r?),
        },
        name: name?,
        source_stream: source?,
        direct_put_records_per_second: q_records?,
        direct_put_bytes_per_second: DIRECT_PUT_MIB.bytes(q_mib?),
        direct_put_requests_per_second: q_requests?,
        bucket_arn: bucket?,
        buffering_size_bytes: BUFFERING_SIZE.bytes(size?),
        buffering_interval_ms: BUFFERING_INTERVAL.ms(interval?),
        prefix,
        error_output_prefix: error_prefix,
        transform: transform?,
        compression: Compression::named(compression?),
    })
}

/// `processing_configuration { enabled, processors [{ type = "Lambda", parameters [...] }] }`,
/// as Terraform writes it: `LambdaArn` (or a function name), `BufferSizeInMBs`,
/// `BufferIntervalInSeconds`, `NumberOfRetries`.
fn parse_processing(
    v: &Value,
    path: &str,
    functions: &[LambdaFunction],
    errs: &mut Errors,
) -> Option<Option<TransformConfig>> {
    let mut o = Obj::of(v, path, errs)?;
    let enabled = o.boolean("enabled", true, errs);
    let procs_path = o.at("processors");
    let procs = array(o.required("processors", errs)?, &procs_path, 1, errs)?;
    o.finish(errs);
    let Some(first) = procs.first() else {
        return Some(None);
    };
    let p0 = format!("{procs_path}[0]");
    let mut po = Obj::of(first, &p0, errs)?;
    po.choice("type", None, &["Lambda"], errs)?;
    let params_path = po.at("parameters");
    let params = array(po.required("parameters", errs)?, &params_path, 10, errs)?;
    po.finish(errs);
    let default = |l: crate::sim::base::limits::Limit| l.default.expect("a default");
    let mut function = None;
    let mut mb = TRANSFORM_BUFFER_SIZE.default.expect("a default");
    let mut interval = default(TRANSFORM_BUFFER_INTERVAL);
    let mut retries = default(TRANSFORM_RETRIES);
    let mut arn = String::new();
    for (i, param) in params.iter().enumerate() {
        let pp = format!("{params_path}[{i}]");
        let mut q = Obj::of(param, &pp, errs)?;
        let name = q.choice(
            "parameter_name",
            None,
            &[
                "LambdaArn",
                "BufferSizeInMBs",
                "BufferIntervalInSeconds",
                "NumberOfRetries",
            ],
            errs,
        );
        let value = q.text("parameter_value", None, ARN_CHARS_MAX, errs);
        q.finish(errs);
        let (Some(name), Some(value)) = (name, value) else {
            continue;
        };
        let vpath = format!("{pp}.parameter_value");
        let bad = |errs: &mut Errors, lo: &dyn std::fmt::Display, hi: &dyn std::fmt::Display| {
            errs.push(
                &vpath,
                format!("{} is out of range {lo}..={hi}", quoted(&value)),
            );
        };
        match name {
            "LambdaArn" => {
                let f = value
                    .rsplit_once(":function:")
                    .map_or(value.as_str(), |(_, n)| n)
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                if functions.iter().any(|x| x.name == f) {
                    arn = if value.contains(":function:") {
                        value.clone()
                    } else {
                        format!("arn:aws:lambda:eu-west-1:123456789012:function:{f}")
                    };
                    function = Some(f);
                } else {
                    errs.push(
                        &vpath,
                        format!("{} is not defined in lambda_functions", quoted(&f)),
                    );
                }
            }
            "BufferSizeInMBs" => match value.parse::<f64>() {
                Ok(x) if (TRANSFORM_BUFFER_SIZE.min..=TRANSFORM_BUFFER_SIZE.max).contains(&x) => {
                    mb = x
                }
                _ => bad(errs, &TRANSFORM_BUFFER_SIZE.min, &TRANSFORM_BUFFER_SIZE.max),
            },
            "BufferIntervalInSeconds" => match value.parse::<u64>() {
                Ok(x) if TRANSFORM_BUFFER_INTERVAL.contains(x) => interval = x,
                _ => bad(
                    errs,
                    &TRANSFORM_BUFFER_INTERVAL.min,
                    &TRANSFORM_BUFFER_INTERVAL.max,
                ),
            },
            _ => match value.parse::<u64>() {
                Ok(x) if TRANSFORM_RETRIES.contains(x) => retries = x,
                _ => bad(errs, &TRANSFORM_RETRIES.min, &TRANSFORM_RETRIES.max),
            },
        }
    }
    let Some(function_name) = function else {
        errs.push(&params_path, "a LambdaArn parameter is required");
        return None;
    };
    Some(enabled.then_some(TransformConfig {
        function_name,
        lambda_arn: arn,
        buffer_bytes: (mb * 1_000_000.0) as u64,
        buffer_interval_ms: TRANSFORM_BUFFER_INTERVAL.ms(interval),
        retries: retries as u32,
    }))
}
