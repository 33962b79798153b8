//! A delivery stream's per-second metrics, under CloudWatch's AWS/Firehose names.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// One simulated second of a delivery stream, under CloudWatch's names and units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FirehoseSecond {
    pub second: u64,
    /// `IncomingRecords`, `IncomingBytes`.
    pub incoming_records: u64,
    pub incoming_bytes: u64,
    /// `ThrottledRecords`: Direct PUT records refused (ServiceUnavailableException).
    pub throttled_records: u64,
    /// `DeliveryToS3.Records`, `DeliveryToS3.Bytes`.
    pub delivered_records: u64,
    pub delivered_bytes: u64,
    /// Objects written in the second (data objects; not a CloudWatch metric).
    pub deliveries: u64,
    /// Puts to S3 tried, and those that succeeded: `DeliveryToS3.Success` is their ratio.
    pub put_attempts: u64,
    pub put_successes: u64,
    /// `DeliveryToS3.DataFreshness`: the age of the oldest record not yet delivered, at the end
    /// of the second. Kept in ms; CloudWatch gives it in seconds, and so does the report.
    pub data_freshness_ms: u64,
}

impl FirehoseSecond {
    /// `DeliveryToS3.Success`: successful puts over all puts tried (None: none was tried, and
    /// CloudWatch has no data point).
    pub fn success(&self) -> Option<f64> {
        (self.put_attempts > 0).then(|| self.put_successes as f64 / self.put_attempts as f64)
    }
}

impl Serialize for FirehoseSecond {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(9))?;
        m.serialize_entry("second", &self.second)?;
        m.serialize_entry("IncomingRecords", &self.incoming_records)?;
        m.serialize_entry("IncomingBytes", &self.incoming_bytes)?;
        m.serialize_entry("ThrottledRecords", &self.throttled_records)?;
        m.serialize_entry("DeliveryToS3.Records", &self.delivered_records)?;
        m.serialize_entry("DeliveryToS3.Bytes", &self.delivered_bytes)?;
        m.serialize_entry("DeliveryToS3.Success", &self.success())?;
        m.serialize_entry(
            "DeliveryToS3.DataFreshness",
            &(self.data_freshness_ms / 1000),
        )?;
        m.serialize_entry("objects", &self.deliveries)?;
        m.end()
    }
}
