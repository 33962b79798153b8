//! Lambda functions triggered by a stream (`aws_lambda_event_source_mapping`). This module owns
//! the function's and the mapping's config and validation ([`config`]), the mapping's state
//! ([`state`]), its commands ([`command`]) and its report ([`report`]).

pub mod command;
pub mod config;
pub mod report;
pub mod state;

pub use config::{EventSourceMapping, LambdaFunction};
pub use state::{Batch, Counters, Finished, LambdaState, Queued, Slot};
