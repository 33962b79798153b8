//! A producer's part of the report.

use serde::Serialize;

use super::state::Producer;

#[derive(Serialize)]
pub struct ProducerReport {
    pub name: String,
    /// The Kinesis stream it writes to, or null when it writes to a delivery stream.
    pub stream_name: Option<String>,
    /// The Firehose delivery stream it writes to by Direct PUT, or null.
    pub delivery_stream_name: Option<String>,
    pub api: &'static str,
    pub records_per_second: u32,
    pub produced: u64,
    /// Entries sent, first attempts and retries.
    pub attempted: u64,
    pub accepted: u64,
    /// Entries refused with ProvisionedThroughputExceeded.
    pub throttled_attempts: u64,
    pub accepted_on_retry: u64,
    pub dropped: u64,
    pub dropped_retries_exhausted: u64,
    pub dropped_too_large: u64,
    pub retrying: u64,
    pub buffered: u64,
}

impl Producer {
    pub fn report(&self) -> ProducerReport {
        ProducerReport {
            name: self.cfg.name.clone(),
            stream_name: self
                .cfg
                .delivery_stream_name
                .is_none()
                .then(|| self.cfg.stream_name.clone()),
            delivery_stream_name: self.cfg.delivery_stream_name.clone(),
            api: self.cfg.api.as_str(),
            records_per_second: self.cfg.records_per_second,
            produced: self.produced,
            attempted: self.totals.attempted,
            accepted: self.totals.accepted,
            throttled_attempts: self.totals.throttled,
            accepted_on_retry: self.accepted_on_retry,
            dropped: self.totals.dropped,
            dropped_retries_exhausted: self.dropped_retries_exhausted,
            dropped_too_large: self.dropped_too_large,
            retrying: self.retrying_records,
            buffered: self.buffered_records(),
        }
    }
}
