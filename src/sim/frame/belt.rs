//! What the belt draws each frame, within one limit: [`FRAME_BYTES_MAX`] bytes cross the wasm
//! boundary per frame, whatever the rate and the speed. Everything the page reads every frame
//! counts: the shard, producer, consumer and delivery stream rows, the write events, and the
//! belt's own data, which is either
//! - tiles: one row per record kept one by one ([`TILE_ROW`], at most
//!   [`FrameBudget::tiles_per_lane`] per lane, the newest), when a lane has few enough records in
//!   the belt's window to draw them one by one, or
//! - bins: per lane, [`BELT_BINS`] counts of records by arrival time across the belt's window
//!   (and how many of them are not read yet), when it has more: the honest aggregate view, in
//!   which every record of the window is counted, none drawn alone.
//!
//! A record stays pickable in the aggregate view: [`record_near`] gives the kept record that
//! arrived nearest a moment on a lane.

use serde::Serialize;

use crate::sim::frame::rows::{
    CONSUMER_ROW, EVENTS_PER_FRAME_MAX, EVENT_ROW, FIREHOSE_ROW, PRODUCER_ROW, SHARD_ROW, TILE_ROW,
};
use crate::sim::world::World;

/// The most bytes that cross the wasm boundary in one frame of the page: the one limit.
pub const FRAME_BYTES_MAX: usize = 64 * 1024;

/// The most tiles a lane draws one by one (two rows of 8–11 px tiles along a belt of about
/// 1,000 px): a lane with more records in the belt's window is shown in the aggregate view.
pub const TILES_PER_LANE_MAX: usize = 240;

/// Bins per lane in the aggregate view (each a few pixels wide, across the belt's window).
pub const BELT_BINS: usize = 96;

/// Numbers per bin: records that arrived in it, and of those the ones not read yet by every
/// consumer.
pub const BIN_WIDTH: usize = 2;

const F64: usize = 8;
const U32: usize = 4;

/// How one run's frame fits in [`FRAME_BYTES_MAX`]: the fixed rows' share, and what is left for
/// the belt's tiles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameBudget {
    pub frame_bytes_max: usize,
    /// The shard, producer, consumer and delivery stream rows, the write events at most, and the
    /// aggregate view's bins, in bytes.
    pub fixed_bytes: usize,
    /// Tiles per lane at most (the page switches a belt with more to the aggregate view).
    pub tiles_per_lane: usize,
    pub tiles_per_lane_max: usize,
    pub bins: usize,
    pub bin_width: usize,
    pub events_max: usize,
    pub tile_row_bytes: usize,
}

/// The frame budget of a run as it is now (its lanes, producers, consumers, delivery streams).
pub fn budget(w: &World) -> FrameBudget {
    let lanes = w.lane_count();
    let consumer_lanes: usize = w.consumers.iter().map(|c| c.lanes.len()).sum();
    let rows = lanes * SHARD_ROW.len()
        + w.producers.len() * PRODUCER_ROW.len()
        + consumer_lanes * CONSUMER_ROW.len()
        + w.firehoses.len() * FIREHOSE_ROW.len()
        + EVENTS_PER_FRAME_MAX * EVENT_ROW.len();
    let bins = lanes * BELT_BINS * BIN_WIDTH * U32;
    let fixed_bytes = rows * F64 + bins;
    let tile_row_bytes = TILE_ROW.len() * F64;
    let left = FRAME_BYTES_MAX.saturating_sub(fixed_bytes) / tile_row_bytes;
    FrameBudget {
        frame_bytes_max: FRAME_BYTES_MAX,
        fixed_bytes,
        tiles_per_lane: (left / lanes.max(1)).min(TILES_PER_LANE_MAX),
        tiles_per_lane_max: TILES_PER_LANE_MAX,
        bins: BELT_BINS,
        bin_width: BIN_WIDTH,
        events_max: EVENTS_PER_FRAME_MAX,
        tile_row_bytes,
    }
}

fn tile(out: &mut Vec<f64>, lane: u32, d: &crate::sim::stream::Detail) {
    out.extend_from_slice(&[
        f64::from(lane),
        d.index as f64,
        d.arrival_ms as f64,
        f64::from(d.key_colour),
        if d.read_at_ms == u64::MAX {
            -1.0
        } else {
            d.read_at_ms as f64
        },
    ]);
}

/// The belt's tiles: per lane, the newest records that arrived in the last `window_ms`, at most
/// `per_lane` of them and never more than the run's [`FrameBudget::tiles_per_lane`], oldest
/// first within each lane ([`TILE_ROW`] per record).
pub fn tiles(w: &World, window_ms: u64, per_lane: usize) -> Vec<f64> {
    let per_lane = per_lane.min(budget(w).tiles_per_lane);
    let since = w.now_ms.saturating_sub(window_ms);
    let mut out = Vec::with_capacity(per_lane.min(64) * w.lane_count() * TILE_ROW.len());
    let mut lane = 0u32;
    let mut newest = Vec::with_capacity(per_lane.min(TILES_PER_LANE_MAX));
    for s in &w.streams {
        for sh in &s.shards {
            newest.clear();
            newest.extend(
                sh.details()
                    .rev()
                    .take_while(|d| d.arrival_ms >= since)
                    .take(per_lane),
            );
            for d in newest.iter().rev() {
                tile(&mut out, lane, d);
            }
            lane += 1;
        }
    }
    out
}

/// The first of the `bins` bins of `bin_ms` the aggregate view counts in: they are aligned on
/// multiples of `bin_ms` of simulated time (so the shading rides along with the belt) and the
/// last one holds `now_ms`. The page computes the same start from `now_ms`.
pub fn bins_start_ms(now_ms: u64, bin_ms: u64, bins: usize) -> i64 {
    let bin_ms = bin_ms.max(1) as i64;
    (now_ms as i64 / bin_ms - bins as i64 + 1) * bin_ms
}

/// The aggregate view: per lane, [`BELT_BINS`] bins of `bin_ms` ms each (from
/// [`bins_start_ms`], oldest first), each `[records that arrived in it, of them not read yet by
/// every consumer]`. Every record that arrived in the bins' span is counted in exactly one bin.
pub fn bins(w: &World, bin_ms: u64) -> Vec<u32> {
    let bin_ms = bin_ms.max(1);
    let start = bins_start_ms(w.now_ms, bin_ms, BELT_BINS);
    let mut out = Vec::with_capacity(w.lane_count() * BELT_BINS * BIN_WIDTH);
    for s in &w.streams {
        for sh in &s.shards {
            let edge = |b: usize| {
                let t = start + (b as u64 * bin_ms) as i64;
                sh.index_arrived_before(t.max(0) as u64)
            };
            let mut lo = edge(0);
            for b in 0..BELT_BINS {
                let hi = edge(b + 1);
                let unread = hi.saturating_sub(lo.max(sh.frontier));
                out.push(u32::try_from(hi - lo).unwrap_or(u32::MAX));
                out.push(u32::try_from(unread).unwrap_or(u32::MAX));
                lo = hi;
            }
        }
    }
    out
}

/// The record kept one by one on `lane` that arrived nearest `t_ms` (a [`TILE_ROW`]; empty when
/// the lane keeps none): what a click on the aggregate view shows.
pub fn record_near(w: &World, lane: u32, t_ms: u64) -> Vec<f64> {
    let mut out = Vec::with_capacity(TILE_ROW.len());
    let Some((si, shi)) = w.lane(lane) else {
        return out;
    };
    let best = w.streams[si].shards[shi]
        .details()
        .min_by_key(|d| d.arrival_ms.abs_diff(t_ms));
    if let Some(d) = best {
        tile(&mut out, lane, d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::frame::rows::write_events;
    use crate::sim::frame::rows::{consumer_frame, firehose_frame, producer_frame, shard_frame};
    use crate::sim::{preset, preset_names, world_from_text};

    fn frame_bytes(w: &World, window_ms: u64) -> usize {
        let b = budget(w);
        (shard_frame(w).len()
            + producer_frame(w).len()
            + consumer_frame(w).len()
            + firehose_frame(w).len()
            + write_events(w, 0).len()
            + tiles(w, window_ms, usize::MAX).len())
            * F64
            + bins(w, (window_ms / b.bins as u64).max(1)).len() * U32
    }

    #[test]
    fn every_preset_frame_fits_the_cap() {
        for name in preset_names() {
            let mut w = world_from_text(preset(name).unwrap(), None).unwrap();
            w.run_for(20_000);
            for window in [300, 3_000, 60_000] {
                let bytes = frame_bytes(&w, window);
                assert!(bytes <= FRAME_BYTES_MAX, "{name} {window}: {bytes}");
            }
            let b = budget(&w);
            assert!(b.fixed_bytes < FRAME_BYTES_MAX, "{name}: {b:?}");
        }
    }

    #[test]
    fn tiles_are_capped_per_lane_and_newest_first_kept() {
        let mut w = world_from_text(preset("gaming").unwrap(), None).unwrap();
        w.run_for(5_000);
        let b = budget(&w);
        assert!(b.tiles_per_lane > 0 && b.tiles_per_lane <= TILES_PER_LANE_MAX);
        let t = tiles(&w, 3_000, 10_000);
        let rows: Vec<&[f64]> = t.chunks(TILE_ROW.len()).collect();
        for lane in 0..w.lane_count() {
            let mine: Vec<_> = rows.iter().filter(|r| r[0] as usize == lane).collect();
            assert!(mine.len() <= b.tiles_per_lane);
            // oldest first, and the newest of the lane is there
            assert!(mine.windows(2).all(|p| p[0][1] < p[1][1]));
            let (si, shi) = w.lane(lane as u32).unwrap();
            let newest = w.streams[si].shards[shi].details().next_back().unwrap();
            assert_eq!(mine.last().unwrap()[1] as u64, newest.index);
        }
        assert_eq!(
            tiles(&w, 3_000, 3).len(),
            w.lane_count() * 3 * TILE_ROW.len()
        );
    }

    #[test]
    fn bins_count_every_record_of_the_window_once() {
        for name in ["gaming", "clickstream", "resharding"] {
            let mut w = world_from_text(preset(name).unwrap(), None).unwrap();
            w.run_for(7_300);
            for bin_ms in [1, 31, 100] {
                let out = bins(&w, bin_ms);
                assert_eq!(out.len(), w.lane_count() * BELT_BINS * BIN_WIDTH);
                let start = bins_start_ms(w.now_ms, bin_ms, BELT_BINS);
                let end = start + (BELT_BINS as u64 * bin_ms) as i64;
                assert!(end as u64 > w.now_ms);
                for (lane, per) in out.chunks(BELT_BINS * BIN_WIDTH).enumerate() {
                    let (si, shi) = w.lane(lane as u32).unwrap();
                    let sh = &w.streams[si].shards[shi];
                    // counted record by record, from each record's arrival in the log (its run)
                    let (mut want, mut want_unread) = (0u64, 0u64);
                    for i in sh.log_start..sh.log_end {
                        let a = sh.run_of(i).unwrap().arrival_of(i) as i64;
                        if a >= start && a < end {
                            want += 1;
                            if i >= sh.frontier {
                                want_unread += 1;
                            }
                        }
                    }
                    let got: u64 = per.chunks(2).map(|b| u64::from(b[0])).sum();
                    let unread: u64 = per.chunks(2).map(|b| u64::from(b[1])).sum();
                    assert_eq!(got, want, "{name} lane {lane} bin {bin_ms}");
                    assert_eq!(unread, want_unread, "{name} lane {lane} bin {bin_ms}");
                    assert!(per.chunks(2).all(|b| b[1] <= b[0]));
                }
            }
        }
    }

    #[test]
    fn bins_of_a_busy_lane_see_its_rate() {
        let mut w = world_from_text(preset("gaming").unwrap(), None).unwrap();
        w.run_for(10_000);
        // 96 bins of 100 ms: 9.6 s, about 1,000 records a second per shard
        let total: u64 = bins(&w, 100)
            .chunks(2)
            .map(|b| u64::from(b[0]))
            .sum::<u64>();
        let per_lane_second = total as f64 / w.lane_count() as f64 / 9.6;
        assert!(
            per_lane_second > 700.0 && per_lane_second < 1_100.0,
            "{per_lane_second}"
        );
    }

    #[test]
    fn record_near_gives_a_kept_record_at_that_moment() {
        let mut w = world_from_text(preset("gaming").unwrap(), None).unwrap();
        w.run_for(5_000);
        let t = w.now_ms - 200;
        let r = record_near(&w, 3, t);
        assert_eq!(r.len(), TILE_ROW.len());
        assert_eq!(r[0], 3.0);
        let d = w.record_detail(3, r[1] as u64).unwrap();
        assert_eq!(d.arrival_ms as f64, r[2]);
        assert!(d.arrival_ms.abs_diff(t) <= 100, "{} vs {t}", d.arrival_ms);
        // before the kept records: the oldest kept one
        let (si, shi) = w.lane(3).unwrap();
        let oldest = w.streams[si].shards[shi].details().next().unwrap();
        assert_eq!(record_near(&w, 3, 0)[1] as u64, oldest.index);
        assert!(record_near(&w, 999, t).is_empty());
    }

    #[test]
    fn write_events_are_capped_per_frame() {
        let mut w = world_from_text(preset("gaming").unwrap(), None).unwrap();
        w.run_for(30_000);
        let e = write_events(&w, 0);
        assert!(e.len() <= EVENTS_PER_FRAME_MAX * EVENT_ROW.len());
        assert!(!e.is_empty());
    }
}
