//! `resource.aws_kinesis_stream.<label>`: a stream's arguments as Terraform names them
//! (`name`, `shard_count`, `retention_period`, `stream_mode_details.stream_mode`).

use serde_json::Value;

use crate::sim::base::json::{Errors, Obj};
use crate::sim::base::limits::{
    NAME_CHARS_MAX, ON_DEMAND_INITIAL_SHARDS, RETENTION_PERIOD, SHARD_COUNT,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamMode {
    Provisioned,
    OnDemand,
}

impl StreamMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamMode::Provisioned => "PROVISIONED",
            StreamMode::OnDemand => "ON_DEMAND",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StreamConfig {
    pub name: String,
    /// Shards created at the start, with an even split of the hash space (on demand: 4).
    pub shard_count: u32,
    /// How long a record is kept (`retention_period`).
    pub retention_ms: u64,
    pub mode: StreamMode,
}

/// One `aws_kinesis_stream` block; its name defaults to its label.
pub fn parse_stream(v: &Value, path: &str, label: &str, errs: &mut Errors) -> Option<StreamConfig> {
    let mut o = Obj::of(v, path, errs)?;
    let name = o.text("name", Some(label), NAME_CHARS_MAX, errs);
    let mode = match o.get("stream_mode_details") {
        None => Some(StreamMode::Provisioned),
        Some(d) => {
            let mut details = Obj::of(d, &o.at("stream_mode_details"), errs)?;
            let m = details.choice("stream_mode", None, &["PROVISIONED", "ON_DEMAND"], errs);
            details.finish(errs);
            m.map(|m| {
                if m == "ON_DEMAND" {
                    StreamMode::OnDemand
                } else {
                    StreamMode::Provisioned
                }
            })
        }
    };
    let shard_count = match mode {
        Some(StreamMode::OnDemand) => {
            if o.get("shard_count").is_some() {
                errs.push(
                    &o.at("shard_count"),
                    "must be left out in ON_DEMAND mode (AWS manages the shards)",
                );
            }
            Some(u64::from(ON_DEMAND_INITIAL_SHARDS))
        }
        _ => o.int("shard_count", SHARD_COUNT, errs),
    };
    let retention = o.int("retention_period", RETENTION_PERIOD, errs);
    o.finish(errs);
    Some(StreamConfig {
        name: name?,
        shard_count: shard_count? as u32,
        retention_ms: RETENTION_PERIOD.ms(retention?),
        mode: mode?,
    })
}
