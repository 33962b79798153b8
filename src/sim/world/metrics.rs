//! A stream's per-second metrics, under CloudWatch's AWS/Kinesis names.

use serde::Serialize;

/// One simulated second of one stream, under CloudWatch's metric names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StreamSecond {
    pub second: u64,
    #[serde(rename = "IncomingRecords")]
    pub incoming_records: u64,
    #[serde(rename = "IncomingBytes")]
    pub incoming_bytes: u64,
    #[serde(rename = "WriteProvisionedThroughputExceeded")]
    pub write_throttled: u64,
    #[serde(rename = "ReadProvisionedThroughputExceeded")]
    pub read_throttled: u64,
    /// The largest iterator age of any GetRecords call in the second, over the shards.
    #[serde(rename = "GetRecords.IteratorAgeMilliseconds")]
    pub iterator_age_ms: u64,
}

impl StreamSecond {
    pub fn values(&self) -> [u64; 6] {
        [
            self.second,
            self.incoming_records,
            self.incoming_bytes,
            self.write_throttled,
            self.read_throttled,
            self.iterator_age_ms,
        ]
    }
}
