//! What the page lays out, read again only when `World::layout_version` moves (a resharding, a
//! producer added, any command applied): streams, lanes, producers, consumers, the functions of
//! Lambda triggers, and delivery streams with their configuration.

use serde::Serialize;

use crate::sim::base::limits::{
    READ_BYTES_PER_SECOND, READ_CALLS_PER_SECOND, WRITE_BYTES_PER_SECOND, WRITE_RECORDS_PER_SECOND,
};
use crate::sim::firehose::Firehose;
use crate::sim::producer::KeyModel;
use crate::sim::world::{StreamSecond, World};

#[derive(Serialize)]
pub struct Layout {
    /// Rises whenever any of this changes.
    pub version: u64,
    pub streams: Vec<StreamLayout>,
    pub lanes: Vec<LaneLayout>,
    pub producers: Vec<ProducerLayout>,
    pub consumers: Vec<ConsumerLayout>,
    /// Lambda functions of the triggers, with their current error rate (a fault can change it).
    pub functions: Vec<FunctionLayout>,
    pub firehoses: Vec<FirehoseLayout>,
    /// The shard limits (AWS's figures) the gauges measure against.
    pub limits: ShardLimits,
}

#[derive(Serialize)]
pub struct FunctionLayout {
    pub name: String,
    pub error_rate: f64,
}

#[derive(Serialize)]
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
pub struct ProducerLayout {
    pub index: u16,
    pub name: String,
    /// `stream` (a Kinesis stream) or `delivery_stream` (Firehose, by Direct PUT) …
    pub target_kind: &'static str,
    /// … and its name.
    pub target_name: String,
    pub records_per_second: u32,
    /// PutRecord, PutRecords or PutRecordBatch.
    pub api: &'static str,
    pub key_model: &'static str,
    pub hot_key_share: Option<f64>,
    pub paused: bool,
    pub colour: u32,
}

#[derive(Serialize)]
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
    /// KCL only: how many workers it has.
    pub workers: Option<u32>,
    /// The delivery stream this reader reads for (a Firehose's own reader), if any.
    pub firehose: Option<String>,
}

#[derive(Serialize)]
pub struct ShardLimits {
    pub write_records_per_second: u32,
    pub write_bytes_per_second: u64,
    pub read_bytes_per_second: u64,
    pub read_calls_per_second: u32,
}

/// A delivery stream as configured now (commands change it).
#[derive(Serialize)]
pub struct FirehoseLayout {
    pub index: usize,
    pub name: String,
    /// The stream it reads, or null for Direct PUT.
    pub source_stream: Option<String>,
    /// `extended_s3` or `redshift`.
    pub destination: &'static str,
    pub bucket_arn: String,
    pub prefix: String,
    /// Where failed records go (`processing-failed/` when none is set).
    pub error_output_prefix: String,
    pub buffering_size_bytes: u64,
    pub buffering_interval_ms: u64,
    pub compression_format: &'static str,
    /// The version in new object names.
    pub version: u32,
    pub s3_available: bool,
    pub s3_timeout_rate: f64,
    pub transform: Option<TransformLayout>,
    pub redshift: Option<RedshiftLayout>,
    pub batch_job: Option<BatchJobLayout>,
    /// The numeric fields the lake's records can have (bit f of the row's `lake_field_bits`).
    pub lake_fields: Vec<LakeFieldLayout>,
}

#[derive(Serialize)]
pub struct TransformLayout {
    pub function_name: String,
    pub error_rate: f64,
    pub dropped_rate: f64,
    pub processing_failed_rate: f64,
}

#[derive(Serialize)]
pub struct RedshiftLayout {
    pub table: String,
    pub available: bool,
    pub retry_duration_ms: u64,
}

#[derive(Serialize)]
pub struct BatchJobLayout {
    pub name: String,
    pub every_ms: u64,
}

#[derive(Serialize)]
pub struct LakeFieldLayout {
    pub field: &'static str,
    pub unit: &'static str,
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
            first_lane,
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
        producers: producers(w),
        consumers: consumers(w),
        functions: functions(w),
        firehoses: w
            .firehoses
            .iter()
            .enumerate()
            .map(|(i, f)| firehose(i, f))
            .collect(),
        limits: ShardLimits {
            write_records_per_second: WRITE_RECORDS_PER_SECOND,
            write_bytes_per_second: WRITE_BYTES_PER_SECOND,
            read_bytes_per_second: READ_BYTES_PER_SECOND,
            read_calls_per_second: READ_CALLS_PER_SECOND,
        },
    }
}

fn producers(w: &World) -> Vec<ProducerLayout> {
    w.producers
        .iter()
        .map(|p| {
            let (target_kind, target_name) = match &p.cfg.delivery_stream_name {
                Some(d) => ("delivery_stream", d.clone()),
                None => ("stream", p.cfg.stream_name.clone()),
            };
            ProducerLayout {
                index: p.index,
                name: p.cfg.name.clone(),
                target_kind,
                target_name,
                records_per_second: p.cfg.records_per_second,
                api: p.cfg.api.as_str(),
                key_model: p.cfg.keys.name(),
                hot_key_share: match p.cfg.keys {
                    KeyModel::HotKey { hot_key_share, .. } => Some(hot_key_share),
                    _ => None,
                },
                paused: p.cfg.paused,
                colour: u32::from(p.index) % 12,
            }
        })
        .collect()
}

fn consumers(w: &World) -> Vec<ConsumerLayout> {
    w.consumers
        .iter()
        .map(|c| ConsumerLayout {
            index: c.index,
            name: c.cfg.name.clone(),
            kind: c.cfg.kind.as_str(),
            processing_records_per_second: c.cfg.processing_records_per_second,
            stream_name: c.cfg.stream_name.clone(),
            starting_position: c.cfg.starting_position.as_str(),
            poll_interval_ms: c.cfg.poll_interval_ms,
            workers: c.kcl.as_ref().map(|k| k.alive.len() as u32),
            firehose: c.firehose.map(|i| w.firehoses[i].cfg.name.clone()),
        })
        .collect()
}

fn functions(w: &World) -> Vec<FunctionLayout> {
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
}

fn firehose(index: usize, f: &Firehose) -> FirehoseLayout {
    use crate::sim::base::content::Field;
    FirehoseLayout {
        index,
        name: f.cfg.name.clone(),
        source_stream: f.cfg.source_stream.clone(),
        destination: if f.redshift.is_some() {
            "redshift"
        } else {
            "extended_s3"
        },
        bucket_arn: f.cfg.bucket_arn.clone(),
        prefix: f.cfg.prefix.clone(),
        error_output_prefix: f.error_prefix(),
        buffering_size_bytes: f.cfg.buffering_size_bytes,
        buffering_interval_ms: f.cfg.buffering_interval_ms,
        compression_format: f.cfg.compression.as_str(),
        version: f.version,
        s3_available: f.s3_available,
        s3_timeout_rate: f.s3_timeout_rate,
        transform: f.transform.as_ref().map(|t| TransformLayout {
            function_name: t.function_name.clone(),
            error_rate: t.error_rate,
            dropped_rate: t.dropped_rate,
            processing_failed_rate: t.processing_failed_rate,
        }),
        redshift: f.redshift.as_ref().map(|r| RedshiftLayout {
            table: f.cfg.redshift_table.clone().unwrap_or_default(),
            available: r.available,
            retry_duration_ms: r.retry_duration_ms,
        }),
        batch_job: f.batch.as_ref().map(|b| BatchJobLayout {
            name: b.name.clone(),
            every_ms: b.every_ms,
        }),
        lake_fields: Field::ALL
            .iter()
            .map(|f| LakeFieldLayout {
                field: f.name(),
                unit: f.unit(),
            })
            .collect(),
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
    fn layout_fractions_cover_the_hash_space() {
        let w = world_from_text(preset("clickstream").unwrap(), None).unwrap();
        let l = layout(&w);
        assert_eq!(l.lanes.len(), 4);
        assert_eq!(l.lanes[0].start_fraction, 0.0);
        assert!((l.lanes[3].end_fraction - 1.0).abs() < 1e-12);
        assert!((l.lanes[1].start_fraction - 0.25).abs() < 1e-12);
        let mut w = w;
        w.run_for(5_000);
        let m = metrics(&w, 3);
        assert_eq!(m.len(), 3);
        assert_eq!(m[2].second.second, 4);
    }

    #[test]
    fn a_delivery_streams_layout_says_what_the_page_used_to_parse_from_the_scenario() {
        let w = world_from_text(preset("redshift-warehouse").unwrap(), None).unwrap();
        let f = &layout(&w).firehoses[0];
        assert_eq!(f.destination, "redshift");
        assert_eq!(f.redshift.as_ref().unwrap().table, "payments");
        assert_eq!(f.redshift.as_ref().unwrap().retry_duration_ms, 300_000);
        assert_eq!(f.buffering_interval_ms, 60_000);
        let w = world_from_text(preset("firehose-transform").unwrap(), None).unwrap();
        let l = layout(&w);
        let t = l.firehoses[0].transform.as_ref().unwrap();
        assert_eq!(t.function_name, "clean-clicks");
        assert!(t.dropped_rate > 0.0);
        assert_eq!(l.producers[0].target_kind, "delivery_stream");
        assert_eq!(l.producers[0].api, "PutRecordBatch");
    }
}
