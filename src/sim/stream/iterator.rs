//! Shard iterators: where a reader starts on each shard (GetShardIterator's ShardIteratorType).

use crate::sim::base::json::{int_value, shown, Errors, Obj};
use crate::sim::base::limits::AT_MS;

use super::sequence::parse_sequence_number;

/// Where a consumer's shard iterators start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartingPosition {
    /// The oldest record kept.
    TrimHorizon,
    /// Only records that arrive after the consumer starts.
    Latest,
    /// The first record that arrived at or after this simulated time (ms).
    AtTimestamp(u64),
    /// At this record of this shard (other shards from TRIM_HORIZON).
    AtSequenceNumber { shard: u32, index: u64 },
    /// Just after this record of this shard (other shards from TRIM_HORIZON).
    AfterSequenceNumber { shard: u32, index: u64 },
}

impl StartingPosition {
    pub fn as_str(self) -> &'static str {
        match self {
            StartingPosition::TrimHorizon => "TRIM_HORIZON",
            StartingPosition::Latest => "LATEST",
            StartingPosition::AtTimestamp(_) => "AT_TIMESTAMP",
            StartingPosition::AtSequenceNumber { .. } => "AT_SEQUENCE_NUMBER",
            StartingPosition::AfterSequenceNumber { .. } => "AFTER_SEQUENCE_NUMBER",
        }
    }
}

/// `starting_position`, with `starting_position_timestamp_ms` (AT_TIMESTAMP) or
/// `starting_sequence_number` (AT_ / AFTER_SEQUENCE_NUMBER) when it needs one.
pub fn parse_starting_position(o: &mut Obj, errs: &mut Errors) -> Option<StartingPosition> {
    let kind = o.choice(
        "starting_position",
        Some("TRIM_HORIZON"),
        &[
            "TRIM_HORIZON",
            "LATEST",
            "AT_TIMESTAMP",
            "AT_SEQUENCE_NUMBER",
            "AFTER_SEQUENCE_NUMBER",
        ],
        errs,
    )?;
    let ts = o.get("starting_position_timestamp_ms");
    let seq = o.get("starting_sequence_number");
    match kind {
        "TRIM_HORIZON" | "LATEST" => {
            for (field, v) in [
                ("starting_position_timestamp_ms", ts),
                ("starting_sequence_number", seq),
            ] {
                if v.is_some() {
                    errs.push(
                        &o.at(field),
                        format!("only with a starting_position that uses it, not {kind}"),
                    );
                }
            }
            Some(if kind == "LATEST" {
                StartingPosition::Latest
            } else {
                StartingPosition::TrimHorizon
            })
        }
        "AT_TIMESTAMP" => {
            let path = o.at("starting_position_timestamp_ms");
            let Some(v) = ts else {
                errs.push(&path, "required with AT_TIMESTAMP");
                return None;
            };
            int_value(v, &path, AT_MS.min, AT_MS.max, errs).map(StartingPosition::AtTimestamp)
        }
        _ => {
            let path = o.at("starting_sequence_number");
            let Some(v) = seq else {
                errs.push(&path, format!("required with {kind}"));
                return None;
            };
            let Some((shard, index)) = v.as_str().and_then(parse_sequence_number) else {
                errs.push(
                    &path,
                    format!("{} is not a sequence number of this simulator (56 digits, as a record's detail shows)", shown(v)),
                );
                return None;
            };
            Some(if kind == "AT_SEQUENCE_NUMBER" {
                StartingPosition::AtSequenceNumber { shard, index }
            } else {
                StartingPosition::AfterSequenceNumber { shard, index }
            })
        }
    }
}
