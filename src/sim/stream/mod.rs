//! Kinesis Data Streams: a stream is a set of shards (the belt's lanes) covering the hash-key
//! space. This module owns the stream's config and its validation ([`config`]), its state
//! ([`state`], its shards in [`shard`]), resharding and on-demand scaling ([`reshard`]), the
//! commands a student sends it ([`command`]) and its part of the report ([`report`]).

pub mod command;
pub mod config;
pub mod iterator;
pub mod report;
pub mod reshard;
pub mod sequence;
pub mod shard;
pub mod state;

pub use config::{StreamConfig, StreamMode};
pub use iterator::StartingPosition;
pub use sequence::{parse_sequence_number, sequence_number};
pub use shard::{Detail, ReadOutcome, RecordId, Run, SecondCounters, Shard, ShardState, Taken};
pub use state::{Reshard, Stream};
