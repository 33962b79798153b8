//! What the page reads each frame, as flat rows of numbers (the facade hands them to JS as
//! Float64Arrays), and the structured layout it reads when something changes. Built here, in the
//! core, so it is tested natively and the facade stays one line per method.
//!
//! Row layouts (fields per row are the `*_FIELDS` constants) are documented in `www/README.md`.

use serde::Serialize;

use super::scenario::KeyModel;
use super::stream::{
    READ_BYTES_PER_SECOND, READ_CALLS_PER_SECOND, WRITE_BYTES_PER_SECOND, WRITE_RECORDS_PER_SECOND,
};
use super::world::{StreamSecond, World};

pub const SHARD_FIELDS: usize = 8;
pub const PRODUCER_FIELDS: usize = 6;
pub const CONSUMER_FIELDS: usize = 4;
pub const RECORD_FIELDS: usize = 7;
pub const EVENT_FIELDS: usize = 6;
/// At most this many records per lane in `recent_records`.
pub const RECENT_PER_LANE_MAX: usize = 512;

/// Per lane: records, bytes and throttled entries of the last whole second; records and bytes of
/// the second in progress; records not yet read by every consumer; the largest iterator age of
/// the stream's consumers on it; read calls refused in the last whole second.
pub fn shard_frame(w: &World) -> Vec<f64> {
    let mut out = Vec::with_capacity(w.lane_count() * SHARD_FIELDS);
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
    let mut out = Vec::with_capacity(w.producers.len() * PRODUCER_FIELDS);
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

/// Per consumer, per shard of its stream (consumer-major).
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

/// Records that arrived in the last `window_ms` (at most [`RECENT_PER_LANE_MAX`] newest per
/// lane), oldest first within each lane.
pub fn recent_records(w: &World, window_ms: u64) -> Vec<f64> {
    let since = w.now_ms.saturating_sub(window_ms);
    let mut out = Vec::new();
    let mut lane = 0u32;
    for s in &w.streams {
        for sh in &s.shards {
            let newest: Vec<_> = sh
                .details()
                .rev()
                .take_while(|d| d.arrival_ms >= since)
                .take(RECENT_PER_LANE_MAX)
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

pub fn write_events(w: &World, after_seq: u64) -> Vec<f64> {
    let mut out = Vec::new();
    for e in w.events_after(after_seq) {
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Layout {
    /// Rises whenever streams, shards or producers change.
    pub version: u64,
    pub streams: Vec<StreamLayout>,
    pub lanes: Vec<LaneLayout>,
    pub producers: Vec<ProducerLayout>,
    pub consumers: Vec<ConsumerLayout>,
    /// Lambda functions of the triggers, with their current error rate (a fault can change it).
    pub functions: Vec<FunctionLayout>,
    pub limits: Limits,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionLayout {
    pub name: String,
    pub error_rate: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamLayout {
    pub name: String,
    pub mode: &'static str,
    pub status: &'static str,
    /// Open shards (the lanes that take writes).
    pub open_shards: u32,
    pub retention_hours: u64,
    pub first_lane: u32,
    pub lane_count: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LaneLayout {
    pub lane: u32,
    pub stream: String,
    pub shard_id: String,
    pub starting_hash_key: String,
    pub ending_hash_key: String,
    /// Where the range starts and ends as fractions of the hash space (for drawing it).
    pub start_fraction: f64,
    pub end_fraction: f64,
    pub state: &'static str,
    /// Lanes of the parents (after a split one, after a merge two).
    pub parent_lanes: Vec<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProducerLayout {
    pub index: u16,
    pub name: String,
    pub stream_name: String,
    pub records_per_second: u32,
    pub api: &'static str,
    pub key_model: &'static str,
    pub hot_key_share: Option<f64>,
    pub paused: bool,
    pub colour: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerLayout {
    pub index: u16,
    pub name: String,
    /// polling, enhanced_fan_out, kcl or lambda.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Records/s of each shard's processor, when limited.
    pub processing_records_per_second: Option<u32>,
    pub stream_name: String,
    pub starting_position: &'static str,
    pub poll_interval_ms: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub write_records_per_second: u32,
    pub write_bytes_per_second: u64,
    pub read_bytes_per_second: u64,
    pub read_calls_per_second: u32,
}

fn fraction(h: u128) -> f64 {
    (h >> 64) as f64 / 18_446_744_073_709_551_616.0
}

pub fn layout(w: &World) -> Layout {
    let mut lanes = Vec::new();
    let mut streams = Vec::new();
    for s in &w.streams {
        let first_lane = lanes.len() as u32;
        streams.push(StreamLayout {
            name: s.name.clone(),
            mode: s.mode.as_str(),
            status: s.status(),
            open_shards: s.open_count() as u32,
            retention_hours: s.retention_ms / 3_600_000,
            first_lane: lanes.len() as u32,
            lane_count: s.shards.len() as u32,
        });
        for sh in &s.shards {
            lanes.push(LaneLayout {
                lane: lanes.len() as u32,
                stream: s.name.clone(),
                shard_id: sh.shard_id(),
                starting_hash_key: sh.starting_hash_key.to_string(),
                ending_hash_key: sh.ending_hash_key.to_string(),
                start_fraction: fraction(sh.starting_hash_key),
                end_fraction: fraction(sh.ending_hash_key),
                state: sh.state.as_str(),
                parent_lanes: sh.parents.iter().map(|&p| first_lane + p).collect(),
            });
        }
    }
    Layout {
        version: w.layout_version,
        streams,
        lanes,
        producers: w
            .producers
            .iter()
            .map(|p| ProducerLayout {
                index: p.index,
                name: p.cfg.name.clone(),
                stream_name: p.cfg.stream_name.clone(),
                records_per_second: p.cfg.records_per_second,
                api: p.cfg.api.as_str(),
                key_model: p.cfg.keys.name(),
                hot_key_share: match p.cfg.keys {
                    KeyModel::HotKey { hot_key_share, .. } => Some(hot_key_share),
                    _ => None,
                },
                paused: p.cfg.paused,
                colour: u32::from(p.index) % 12,
            })
            .collect(),
        consumers: w
            .consumers
            .iter()
            .map(|c| ConsumerLayout {
                index: c.index,
                name: c.cfg.name.clone(),
                kind: c.cfg.kind.as_str(),
                processing_records_per_second: c.cfg.processing_records_per_second,
                stream_name: c.cfg.stream_name.clone(),
                starting_position: c.cfg.starting_position.as_str(),
                poll_interval_ms: c.cfg.poll_interval_ms,
            })
            .collect(),
        functions: {
            let mut f: Vec<FunctionLayout> = Vec::new();
            for l in w.consumers.iter().filter_map(|c| c.lambda.as_ref()) {
                if !f.iter().any(|x| x.name == l.function.name) {
                    f.push(FunctionLayout {
                        name: l.function.name.clone(),
                        error_rate: l.function.error_rate,
                    });
                }
            }
            f
        },
        limits: Limits {
            write_records_per_second: WRITE_RECORDS_PER_SECOND,
            write_bytes_per_second: WRITE_BYTES_PER_SECOND,
            read_bytes_per_second: READ_BYTES_PER_SECOND,
            read_calls_per_second: READ_CALLS_PER_SECOND,
        },
    }
}

/// The last `last_seconds` seconds of every stream's metrics, oldest first.
#[derive(Serialize)]
pub struct MetricRow {
    pub stream: String,
    #[serde(flatten)]
    pub second: StreamSecond,
}

pub fn metrics(w: &World, last_seconds: usize) -> Vec<MetricRow> {
    let mut out = Vec::new();
    for (s, m) in w.streams.iter().zip(&w.metrics) {
        let skip = m.len().saturating_sub(last_seconds);
        out.extend(m.iter().skip(skip).map(|sec| MetricRow {
            stream: s.name.clone(),
            second: *sec,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{preset, world_from_text};

    #[test]
    fn rows_have_their_documented_widths() {
        let mut w = world_from_text(preset("clickstream").unwrap(), None).unwrap();
        w.run_for(5_000);
        assert_eq!(shard_frame(&w).len(), 4 * SHARD_FIELDS);
        assert_eq!(producer_frame(&w).len(), 2 * PRODUCER_FIELDS);
        assert_eq!(consumer_frame(&w).len(), 4 * CONSUMER_FIELDS);
        let recent = recent_records(&w, 2_000);
        assert!(!recent.is_empty());
        assert_eq!(recent.len() % RECORD_FIELDS, 0);
        // Every record in the window arrived within it, and is one a student can click.
        for row in recent.chunks(RECORD_FIELDS) {
            assert!(row[2] >= 3_000.0 && row[2] < 5_000.0);
            let d = w.record_detail(row[0] as u32, row[1] as u64).unwrap();
            assert_eq!(d.arrival_ms as f64, row[2]);
        }
        // Colours differ from key to key even in their low bits (palettes index by them), and one
        // key always has one colour.
        let mut low: Vec<u32> = recent
            .chunks(RECORD_FIELDS)
            .map(|r| r[3] as u32 % 8)
            .collect();
        low.sort_unstable();
        low.dedup();
        assert!(low.len() >= 6, "{low:?}");
        let mut by_key = std::collections::BTreeMap::new();
        for row in recent.chunks(RECORD_FIELDS) {
            let d = w.record_detail(row[0] as u32, row[1] as u64).unwrap();
            let c = *by_key.entry(d.partition_key).or_insert(row[3]);
            assert_eq!(c, row[3]);
        }
        let m = metrics(&w, 3);
        assert_eq!(m.len(), 3);
        assert_eq!(m[2].second.second, 4);
    }

    #[test]
    fn layout_fractions_cover_the_hash_space() {
        let w = world_from_text(preset("clickstream").unwrap(), None).unwrap();
        let l = layout(&w);
        assert_eq!(l.lanes.len(), 4);
        assert_eq!(l.lanes[0].start_fraction, 0.0);
        assert!((l.lanes[3].end_fraction - 1.0).abs() < 1e-12);
        assert!((l.lanes[1].start_fraction - 0.25).abs() < 1e-12);
    }
}
