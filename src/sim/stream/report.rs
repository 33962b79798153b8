//! A stream's part of the report (`streamsim run`), with AWS's names where AWS has them.

use serde::Serialize;

use super::state::Stream;

#[derive(Serialize)]
pub struct StreamReport {
    pub name: String,
    pub stream_mode: &'static str,
    /// ACTIVE, or UPDATING while a resharding is under way.
    pub stream_status: &'static str,
    pub retention_period_hours: u64,
    pub shards: Vec<ShardReport>,
}

#[derive(Serialize)]
pub struct ShardReport {
    pub shard_id: String,
    pub state: &'static str,
    /// ParentShardId and, after a merge, AdjacentParentShardId.
    pub parent_shard_ids: Vec<String>,
    pub starting_hash_key: String,
    pub ending_hash_key: String,
    pub incoming_records: u64,
    pub incoming_bytes: u64,
    pub write_throttled: u64,
    pub read_throttled: u64,
    pub retained_records: u64,
    pub expired_records: u64,
    pub expired_unread: u64,
}

impl Stream {
    pub fn report(&self) -> StreamReport {
        StreamReport {
            name: self.name.clone(),
            stream_mode: self.mode.as_str(),
            stream_status: self.status(),
            retention_period_hours: self.retention_ms / 3_600_000,
            shards: self
                .shards
                .iter()
                .map(|sh| ShardReport {
                    shard_id: sh.shard_id(),
                    state: sh.state.as_str(),
                    parent_shard_ids: sh
                        .parents
                        .iter()
                        .map(|&p| self.shards[p as usize].shard_id())
                        .collect(),
                    starting_hash_key: sh.starting_hash_key.to_string(),
                    ending_hash_key: sh.ending_hash_key.to_string(),
                    incoming_records: sh.incoming_records_total,
                    incoming_bytes: sh.incoming_bytes_total,
                    write_throttled: sh.write_throttled_total,
                    read_throttled: sh.read_throttled_total,
                    retained_records: sh.log_end - sh.log_start,
                    expired_records: sh.expired_total,
                    expired_unread: sh.expired_unread_total,
                })
                .collect(),
        }
    }
}
