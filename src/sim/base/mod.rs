//! The bottom layer: generic pieces every AWS concept above builds on, and which know none of
//! them. Nothing here imports anything else of `sim` but its siblings.
//!
//! - [`json`]: the hand-written JSON walker and [`json::Errors`] (every error names the field's
//!   path, the value and what is allowed);
//! - [`limits`]: every range, default and AWS figure, each written once;
//! - [`time`]: simulated time as UTC (object keys, record timestamps);
//! - [`content`]: what records say (templates, JSON lines of exactly their size);
//! - [`keys`]: per-partition-key tables (order checks, detectors' windows);
//! - [`hash`]: partition key → hash key → shard, as Kinesis routes;
//! - [`rng`] and [`digest`]: the seeded random streams and the state digest;
//! - [`text`]: plain-language helpers for notes ("1 record", "2 records").

pub mod content;
pub mod digest;
pub mod hash;
pub mod json;
pub mod keys;
pub mod limits;
pub mod names;
pub mod rng;
pub mod text;
pub mod time;
