//! What a student can ask of a stream: SplitShard, MergeShards and UpdateShardCount, with the
//! arguments AWS's API gives them.

use serde::{Serialize, Serializer};

use super::state::{Reshard, Stream};
use crate::sim::base::hash::{bad_hash_key, parse_hash_key};
use crate::sim::base::json::{Errors, FieldError, Obj};
use crate::sim::base::limits::{NAME_CHARS_MAX, SHARD_COUNT};
use crate::sim::base::names::Names;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamCommand {
    /// SplitShard: `shard_to_split` becomes two children at `new_starting_hash_key` (None: the
    /// middle of its range).
    SplitShard {
        stream_name: String,
        shard_to_split: String,
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "hash_key_text"
        )]
        new_starting_hash_key: Option<u128>,
    },
    /// MergeShards: two adjacent OPEN shards become one.
    MergeShards {
        stream_name: String,
        shard_to_merge: String,
        adjacent_shard_to_merge: String,
    },
    /// UpdateShardCount with UNIFORM_SCALING.
    UpdateShardCount {
        stream_name: String,
        target_shard_count: u32,
    },
}

/// Hash keys are written as decimal strings (JSON numbers lose precision past 2^53).
fn hash_key_text<S: Serializer>(k: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
    match k {
        Some(k) => s.serialize_str(&k.to_string()),
        None => s.serialize_none(),
    }
}

impl StreamCommand {
    pub const TYPES: &'static [&'static str] =
        &["split_shard", "merge_shards", "update_shard_count"];

    /// Reads the fields of a command of type `kind` (one of [`Self::TYPES`]).
    pub fn parse(kind: &str, o: &mut Obj, names: &Names, errs: &mut Errors) -> Option<Self> {
        let stream_name = names.stream_ref(o, errs)?;
        Some(match kind {
            "split_shard" => {
                let shard_to_split = o.text("shard_to_split", None, NAME_CHARS_MAX, errs)?;
                let new_starting_hash_key = match o.get("new_starting_hash_key") {
                    None => None,
                    Some(v) => match v.as_str().and_then(parse_hash_key) {
                        Some(h) => Some(h),
                        None => {
                            errs.push(&o.at("new_starting_hash_key"), bad_hash_key(v));
                            return None;
                        }
                    },
                };
                StreamCommand::SplitShard {
                    stream_name,
                    shard_to_split,
                    new_starting_hash_key,
                }
            }
            "merge_shards" => StreamCommand::MergeShards {
                stream_name,
                shard_to_merge: o.text("shard_to_merge", None, NAME_CHARS_MAX, errs)?,
                adjacent_shard_to_merge: o.text(
                    "adjacent_shard_to_merge",
                    None,
                    NAME_CHARS_MAX,
                    errs,
                )?,
            },
            _ => StreamCommand::UpdateShardCount {
                stream_name,
                target_shard_count: o.int("target_shard_count", SHARD_COUNT, errs)? as u32,
            },
        })
    }

    pub fn stream_name(&self) -> &str {
        match self {
            StreamCommand::SplitShard { stream_name, .. }
            | StreamCommand::MergeShards { stream_name, .. }
            | StreamCommand::UpdateShardCount { stream_name, .. } => stream_name,
        }
    }
}

impl Stream {
    /// The resharding a command asks for, with its shard ids resolved and checked as Kinesis
    /// would check it at `now_ms`.
    pub fn reshard_of(&self, command: &StreamCommand, now_ms: u64) -> Result<Reshard, FieldError> {
        let find = |field: &str, id: &str| {
            self.shard_position(id).ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("{id:?} is not a shard of stream {:?}", self.name),
                )
            })
        };
        let r = match command {
            StreamCommand::SplitShard {
                shard_to_split,
                new_starting_hash_key,
                ..
            } => {
                let shard = find("shard_to_split", shard_to_split)?;
                let sh = &self.shards[shard];
                if sh.starting_hash_key == sh.ending_hash_key {
                    return Err(FieldError::new(
                        "shard_to_split",
                        format!(
                            "{} holds a single hash key and cannot be split",
                            sh.shard_id()
                        ),
                    ));
                }
                Reshard::Split {
                    shard,
                    new_starting_hash_key: new_starting_hash_key.unwrap_or_else(|| sh.middle()),
                }
            }
            StreamCommand::MergeShards {
                shard_to_merge,
                adjacent_shard_to_merge,
                ..
            } => Reshard::Merge {
                shard: find("shard_to_merge", shard_to_merge)?,
                adjacent: find("adjacent_shard_to_merge", adjacent_shard_to_merge)?,
            },
            StreamCommand::UpdateShardCount {
                target_shard_count, ..
            } => Reshard::UpdateShardCount {
                target: *target_shard_count,
            },
        };
        self.check_reshard(&r, now_ms)?;
        Ok(r)
    }

    /// Starts the resharding a checked command asks for; returns what a student should notice.
    pub fn apply(&mut self, command: &StreamCommand, now_ms: u64) -> String {
        let r = match self.reshard_of(command, now_ms) {
            Ok(r) => r,
            // Checked just before it was applied; a refusal here would be a bug in the check.
            Err(e) => return format!("{} was refused: {e}", self.name),
        };
        let what = match &r {
            Reshard::Split { shard, .. } => {
                format!("SplitShard of {}", self.shards[*shard].shard_id())
            }
            Reshard::Merge { shard, adjacent } => format!(
                "MergeShards of {} and {}",
                self.shards[*shard].shard_id(),
                self.shards[*adjacent].shard_id()
            ),
            Reshard::UpdateShardCount { target } => format!("UpdateShardCount to {target}"),
            Reshard::OnDemandSplits { shards } => {
                format!("on-demand splits of {} shards", shards.len())
            }
        };
        self.begin_reshard(r, now_ms);
        format!(
            "{what}: stream {} is UPDATING for a few seconds (reads and writes go on)",
            self.name
        )
    }
}
