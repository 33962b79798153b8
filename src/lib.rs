//! streamsim: a deterministic simulator of Amazon Kinesis Data Streams.
pub mod sim;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
