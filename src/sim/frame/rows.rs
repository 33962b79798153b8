//! Per-frame numbers as flat rows of `f64`: one row per lane, producer, consumer lane, record,
//! write event or delivery stream, each of a fixed number of named fields. The names are the
//! contract with the page (`row_fields()` in the facade): it looks fields up by name.

use crate::sim::world::World;

/// The most write events in one frame ([`write_events`]): the belt animates at most 90 of them
/// at once. (Here, not in `belt`, which builds on these rows: the budget there counts them.)
pub const EVENTS_PER_FRAME_MAX: usize = 256;

/// Per lane (every shard of every stream, in order): the last whole second's records, bytes
/// and throttled entries; the second in progress's records and bytes; records not yet read by
/// every consumer; the largest iterator age of the stream's consumers on it (ms); read calls
/// refused in the last whole second.
pub const SHARD_ROW: &[&str] = &[
    "incoming_records",
    "incoming_bytes",
    "write_throttled",
    "records_this_second",
    "bytes_this_second",
    "unread_records",
    "iterator_age_ms",
    "read_throttled",
];

/// Per producer: the last whole second's entries attempted, accepted and throttled; records
/// dropped in all; records waiting to retry; records in its batch buffer.
pub const PRODUCER_ROW: &[&str] = &[
    "attempted",
    "accepted",
    "throttled",
    "dropped_total",
    "retrying",
    "buffered",
];

/// Per consumer, per lane of its stream (consumer-major): records delivered, iterator age (ms),
/// position (index of the next record), read calls refused in all.
pub const CONSUMER_ROW: &[&str] = &[
    "records_read",
    "iterator_age_ms",
    "position",
    "throttled_calls",
];

/// Per record kept one by one: its lane, its index in the shard, its arrival (ms), its key's
/// colour (24 bits), its producer, its size (bytes), when every consumer had read it (ms; −1
/// = not yet).
pub const RECORD_ROW: &[&str] = &[
    "lane",
    "index",
    "arrival_ms",
    "key_colour",
    "producer",
    "size_bytes",
    "read_at_ms",
];

/// Per record the belt draws as a tile ([`crate::sim::frame::belt::tiles`]): its lane, its index
/// in the shard, its arrival (ms), its key's colour, when every consumer had read it (ms; −1 =
/// not yet).
pub const TILE_ROW: &[&str] = &["lane", "index", "arrival_ms", "key_colour", "read_at_ms"];

/// Per write event: its number, time (ms), producer, lane, kind (0 throttled, 1 dropped,
/// 2 accepted on a retry), key colour.
pub const EVENT_ROW: &[&str] = &["seq", "t_ms", "producer", "lane", "kind", "key_colour"];

/// Per delivery stream: its buffer (bytes and records), the buffer's age as the delivery rule
/// measures it (ms since it started filling), DeliveryToS3.DataFreshness now (ms), objects in
/// the bucket so far (the sequence number of the newest), records received, delivered, lost,
/// waiting for S3, in error objects, written twice, refused by Direct PUT, and in the
/// transform; the version in object names; the lake's fields (bit f set: field f of
/// `lake_fields` has records).
pub const FIREHOSE_ROW: &[&str] = &[
    "buffered_bytes",
    "buffered_records",
    "buffer_age_ms",
    "data_freshness_ms",
    "objects_total",
    "received_records",
    "delivered_records",
    "lost_records",
    "retrying_records",
    "error_records",
    "duplicate_records",
    "throttled_records",
    "processing_records",
    "version",
    "lake_field_bits",
];

/// Every row's field names, by row.
pub const ROWS: &[(&str, &[&str])] = &[
    ("shard", SHARD_ROW),
    ("producer", PRODUCER_ROW),
    ("consumer", CONSUMER_ROW),
    ("record", RECORD_ROW),
    ("tile", TILE_ROW),
    ("event", EVENT_ROW),
    ("firehose", FIREHOSE_ROW),
];

/// At most this many records per lane in [`recent_records`].
pub const RECENT_PER_LANE_MAX: usize = 512;

pub fn shard_frame(w: &World) -> Vec<f64> {
    let mut out = Vec::with_capacity(w.lane_count() * SHARD_ROW.len());
    for (si, s) in w.streams.iter().enumerate() {
        for (shi, sh) in s.shards.iter().enumerate() {
            let (rec_now, bytes_now) = sh.window(w.now_ms);
            let age = w
                .consumers
                .iter()
                .filter(|c| c.stream == si)
                .map(|c| c.lanes[shi].iterator_age_ms)
                .max()
                .unwrap_or(0);
            out.extend_from_slice(&[
                sh.last_second.incoming_records as f64,
                sh.last_second.incoming_bytes as f64,
                sh.last_second.write_throttled as f64,
                f64::from(rec_now),
                bytes_now as f64,
                (sh.log_end - sh.frontier) as f64,
                age as f64,
                sh.last_second.read_throttled as f64,
            ]);
        }
    }
    out
}

pub fn producer_frame(w: &World) -> Vec<f64> {
    let mut out = Vec::with_capacity(w.producers.len() * PRODUCER_ROW.len());
    for p in &w.producers {
        out.extend_from_slice(&[
            p.last_second.attempted as f64,
            p.last_second.accepted as f64,
            p.last_second.throttled as f64,
            p.totals.dropped as f64,
            p.retrying_records as f64,
            p.buffered_records() as f64,
        ]);
    }
    out
}

pub fn consumer_frame(w: &World) -> Vec<f64> {
    let mut out = Vec::new();
    for c in &w.consumers {
        for l in &c.lanes {
            out.extend_from_slice(&[
                l.records_read as f64,
                l.iterator_age_ms as f64,
                l.position as f64,
                l.throttled_calls as f64,
            ]);
        }
    }
    out
}

pub fn firehose_frame(w: &World) -> Vec<f64> {
    let mut out = Vec::with_capacity(w.firehoses.len() * FIREHOSE_ROW.len());
    for f in &w.firehoses {
        out.extend_from_slice(&[
            f.buffered_bytes() as f64,
            f.buffered_records() as f64,
            f.buffer_age_ms(w.now_ms) as f64,
            f.data_freshness_ms(w.now_ms) as f64,
            f.objects_total as f64,
            f.received_records as f64,
            f.delivered_records as f64,
            f.lost_records as f64,
            f.retrying_records() as f64,
            f.error_records as f64,
            f.duplicate_records as f64,
            f.throttled_records as f64,
            f.processing_records() as f64,
            f64::from(f.version),
            f64::from(f.lake_field_bits()),
        ]);
    }
    out
}

/// Records that arrived in the last `window_ms` (at most `per_lane` and
/// [`RECENT_PER_LANE_MAX`] newest per lane), oldest first within each lane.
pub fn recent_records(w: &World, window_ms: u64, per_lane: usize) -> Vec<f64> {
    let since = w.now_ms.saturating_sub(window_ms);
    let mut out = Vec::new();
    let mut lane = 0u32;
    for s in &w.streams {
        for sh in &s.shards {
            let newest: Vec<_> = sh
                .details()
                .rev()
                .take_while(|d| d.arrival_ms >= since)
                .take(per_lane.min(RECENT_PER_LANE_MAX))
                .collect();
            for d in newest.into_iter().rev() {
                out.extend_from_slice(&[
                    f64::from(lane),
                    d.index as f64,
                    d.arrival_ms as f64,
                    f64::from(d.key_colour),
                    f64::from(d.producer),
                    f64::from(d.size_bytes),
                    if d.read_at_ms == u64::MAX {
                        -1.0
                    } else {
                        d.read_at_ms as f64
                    },
                ]);
            }
            lane += 1;
        }
    }
    out
}

/// Write events with `seq > after_seq`, at most the newest [`EVENTS_PER_FRAME_MAX`].
pub fn write_events(w: &World, after_seq: u64) -> Vec<f64> {
    let n = w.events_after(after_seq).count();
    let mut out = Vec::with_capacity(n.min(EVENTS_PER_FRAME_MAX) * EVENT_ROW.len());
    for e in w
        .events_after(after_seq)
        .skip(n.saturating_sub(EVENTS_PER_FRAME_MAX))
    {
        out.extend_from_slice(&[
            e.seq as f64,
            e.t_ms as f64,
            f64::from(e.producer),
            f64::from(e.lane),
            e.kind as u8 as f64,
            f64::from(e.key_colour),
        ]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{preset, world_from_text};

    fn field(row: &[&str], name: &str) -> usize {
        row.iter().position(|f| *f == name).unwrap()
    }

    #[test]
    fn rows_have_as_many_numbers_as_names() {
        let mut w = world_from_text(preset("gaming").unwrap(), None).unwrap();
        w.run_for(3_000);
        assert_eq!(shard_frame(&w).len(), w.lane_count() * SHARD_ROW.len());
        assert_eq!(
            producer_frame(&w).len(),
            w.producers.len() * PRODUCER_ROW.len()
        );
        let lanes: usize = w.consumers.iter().map(|c| c.lanes.len()).sum();
        assert_eq!(consumer_frame(&w).len(), lanes * CONSUMER_ROW.len());
        assert_eq!(firehose_frame(&w).len(), FIREHOSE_ROW.len());
        assert_eq!(
            recent_records(&w, 1_000, usize::MAX).len() % RECORD_ROW.len(),
            0
        );
        assert_eq!(write_events(&w, 0).len() % EVENT_ROW.len(), 0);
    }

    #[test]
    fn recent_records_are_ones_a_student_can_click() {
        let mut w = world_from_text(preset("clickstream").unwrap(), None).unwrap();
        w.run_for(5_000);
        let recent = recent_records(&w, 2_000, usize::MAX);
        assert!(!recent.is_empty());
        let (lane, index, arrival, colour) = (
            field(RECORD_ROW, "lane"),
            field(RECORD_ROW, "index"),
            field(RECORD_ROW, "arrival_ms"),
            field(RECORD_ROW, "key_colour"),
        );
        for row in recent.chunks(RECORD_ROW.len()) {
            assert!(row[arrival] >= 3_000.0 && row[arrival] < 5_000.0);
            let d = w
                .record_detail(row[lane] as u32, row[index] as u64)
                .unwrap();
            assert_eq!(d.arrival_ms as f64, row[arrival]);
        }
        // Colours differ from key to key even in their low bits (palettes index by them), and
        // one key always has one colour.
        let mut low: Vec<u32> = recent
            .chunks(RECORD_ROW.len())
            .map(|r| r[colour] as u32 % 8)
            .collect();
        low.sort_unstable();
        low.dedup();
        assert!(low.len() >= 6, "{low:?}");
        let mut by_key = std::collections::BTreeMap::new();
        for row in recent.chunks(RECORD_ROW.len()) {
            let d = w
                .record_detail(row[lane] as u32, row[index] as u64)
                .unwrap();
            let c = *by_key.entry(d.partition_key).or_insert(row[colour]);
            assert_eq!(c, row[colour]);
        }
    }

    #[test]
    fn regression_the_tank_shows_the_buffers_age_not_data_freshness() {
        // The tank's time bar showed DataFreshness; the delivery rule measures the buffer's age
        // since it started filling. They part when S3 is down: objects wait, the oldest record
        // ages past the interval, while each new buffer still starts from 0.
        let mut w = world_from_text(preset("firehose-transform").unwrap(), None).unwrap();
        let name = w.firehoses[0].cfg.name.clone();
        let down = format!(
            r#"{{"type": "set_s3_available", "delivery_stream_name": "{name}", "available": false}}"#
        );
        let c = crate::sim::parse_command(&down, &w).unwrap();
        w.command(c);
        w.run_for(150_000);
        let (age, fresh) = (
            field(FIREHOSE_ROW, "buffer_age_ms"),
            field(FIREHOSE_ROW, "data_freshness_ms"),
        );
        let row = firehose_frame(&w);
        let f = &w.firehoses[0];
        assert_eq!(row[age] as u64, f.buffer_age_ms(w.now_ms));
        assert!(row[age] < f.cfg.buffering_interval_ms as f64, "{row:?}");
        assert!(row[fresh] > 120_000.0, "{row:?}");
    }
}
