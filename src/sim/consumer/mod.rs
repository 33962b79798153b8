//! Consumers: shared-throughput GetRecords pollers (each shard's 5 calls/s and 2 MiB/s shared by
//! all of them), enhanced fan-out subscribers (their own 2 MiB/s per shard, pushed), KCL
//! applications ([`kcl`], [`leases`]) and the consumer side of Lambda triggers, each reading
//! every shard of its stream from its starting position, optionally at a limited processing
//! speed, following the shards' lineage after a resharding. This module owns the consumer's
//! config and validation ([`config`]), its state ([`state`]), its commands ([`command`]) and its
//! report ([`report`]).

pub mod command;
pub mod config;
pub mod kcl;
pub mod leases;
pub mod order;
pub mod report;
pub mod state;

pub use config::{ConsumerConfig, ConsumerKind, KclConfig, ShardOrder};
pub use kcl::{Kcl, Lease, Takeover};
pub use order::OrderCheck;
pub use state::{Consumer, ConsumerLane};
