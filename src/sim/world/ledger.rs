//! The ledger: where every record produced is, right now.

use serde::Serialize;

use super::state::World;

/// Where every record produced is. The parts are counted from the state; `produced` is counted
/// when records are made, so a lost or doubled record shows as an imbalance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Ledger {
    pub produced: u64,
    /// In a producer's PutRecords buffer, not yet sent.
    pub producer_buffered: u64,
    /// Throttled, waiting to be sent again.
    pub retrying: u64,
    /// In a shard, not yet read by every consumer of the stream.
    pub in_shard_unread: u64,
    /// Read by every consumer of its stream.
    pub read: u64,
    /// Trimmed by retention before every consumer had read it.
    pub expired_unread: u64,
    /// Given up by its producer.
    pub dropped: u64,
    /// Written by Direct PUT to a Firehose: in its buffer or its transform …
    pub firehose_buffered: u64,
    /// … in an object waiting for S3 (an outage) …
    pub firehose_retrying: u64,
    /// … in S3 (data or error objects) …
    pub in_s3: u64,
    /// … dropped by its transform Lambda on purpose …
    pub transform_dropped: u64,
    /// … or lost after 24 hours of S3 being unavailable. (Records a Firehose reads from a
    /// stream are counted in the stream; its copies are checked by `Firehose::conserves`.)
    pub firehose_lost: u64,
}

/// A ledger, the sum of its places, and whether that sum is what was produced.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LedgerView {
    #[serde(flatten)]
    pub ledger: Ledger,
    pub accounted: u64,
    pub balanced: bool,
}

impl Ledger {
    pub fn accounted(&self) -> u64 {
        self.producer_buffered
            + self.retrying
            + self.in_shard_unread
            + self.read
            + self.expired_unread
            + self.dropped
            + self.firehose_buffered
            + self.firehose_retrying
            + self.in_s3
            + self.firehose_lost
            + self.transform_dropped
    }

    pub fn balanced(&self) -> bool {
        self.accounted() == self.produced
    }

    /// The ledger with whether it balances, as the page and the report show it.
    pub fn view(&self) -> LedgerView {
        LedgerView {
            ledger: *self,
            accounted: self.accounted(),
            balanced: self.balanced(),
        }
    }

    /// The parts in a fixed order (for the digest).
    pub fn values(&self) -> [u64; 12] {
        [
            self.produced,
            self.producer_buffered,
            self.retrying,
            self.in_shard_unread,
            self.read,
            self.expired_unread,
            self.dropped,
            self.firehose_buffered,
            self.firehose_retrying,
            self.in_s3,
            self.firehose_lost,
            self.transform_dropped,
        ]
    }
}

impl World {
    pub fn ledger(&self) -> Ledger {
        let mut l = Ledger {
            produced: self.producers.iter().map(|p| p.produced).sum(),
            ..Ledger::default()
        };
        for p in &self.producers {
            l.producer_buffered += p.buffered_records();
            l.retrying += p.retrying_records;
            l.dropped += p.totals.dropped;
        }
        for f in self.firehoses.iter().filter(|f| f.stream.is_none()) {
            l.firehose_buffered += f.buffered_records() + f.processing_records();
            l.firehose_retrying += f.retrying_records();
            l.in_s3 += f.delivered_records + f.error_records;
            l.firehose_lost += f.lost_records;
            l.transform_dropped += f.transform_dropped();
        }
        for s in &self.streams {
            for sh in &s.shards {
                l.in_shard_unread += sh.log_end - sh.frontier;
                l.read += sh.read_total;
                l.expired_unread += sh.expired_unread_total;
            }
        }
        l
    }
}
