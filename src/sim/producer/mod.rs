//! Producers: how many records each tick, with which partition keys and sizes, batching for
//! PutRecords, and the retry queue. This module owns the producer's config and validation
//! ([`config`]), its state ([`state`]), its commands ([`command`]) and its report
//! ([`report`]).

pub mod command;
pub mod config;
pub mod report;
pub mod state;

pub use config::{Api, KeyModel, ProducerConfig, RetryPolicy, SizeModel, Traffic};
pub use state::{Entry, KeyInfo, Pending, Producer, ProducerCounters, RetryBatch};
