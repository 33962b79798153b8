//! A delivery stream's data that grows: its objects (after the sequence number the page has)
//! and its per-second metrics (after the second it has), plus its counts that the per-frame
//! row does not carry (transform, Redshift, batch job).

use serde::Serialize;

use crate::sim::firehose::object::object_lines;
use crate::sim::firehose::report::ObjectReport;
use crate::sim::firehose::FirehoseSecond;
use crate::sim::world::World;

/// At most this many objects in one answer (the page asks again for the rest).
pub const OBJECTS_PER_CALL_MAX: usize = 200;

/// Objects of delivery stream `index` with `seq > after_seq`, oldest first, each with its first
/// lines; at most [`OBJECTS_PER_CALL_MAX`], the newest of them.
pub fn objects_after(w: &World, index: usize, after_seq: u64) -> Vec<ObjectReport> {
    let Some(f) = w.firehoses.get(index) else {
        return Vec::new();
    };
    let lines = w.lines();
    let fresh: Vec<_> = f.objects.iter().filter(|o| o.seq > after_seq).collect();
    fresh[fresh.len().saturating_sub(OBJECTS_PER_CALL_MAX)..]
        .iter()
        .map(|o| ObjectReport {
            object: (*o).clone(),
            first_lines: object_lines(o, &lines),
        })
        .collect()
}

/// Per-second metrics of delivery stream `index` for seconds after `after_second` (all kept
/// ones for `None`).
pub fn metrics_after(w: &World, index: usize, after_second: Option<u64>) -> Vec<FirehoseSecond> {
    let Some(f) = w.firehoses.get(index) else {
        return Vec::new();
    };
    f.metrics
        .iter()
        .filter(|s| after_second.is_none_or(|a| s.second > a))
        .copied()
        .collect()
}

/// What the tank panel shows besides the per-frame row, at a few updates a second.
#[derive(Serialize)]
pub struct FirehoseCounts {
    pub name: String,
    pub transform: Option<crate::sim::firehose::report::TransformReport>,
    pub redshift: Option<crate::sim::firehose::report::RedshiftReport>,
    pub batch_job: Option<crate::sim::firehose::report::BatchJobReport>,
}

pub fn counts(w: &World) -> Vec<FirehoseCounts> {
    w.firehoses
        .iter()
        .map(|f| FirehoseCounts {
            name: f.cfg.name.clone(),
            transform: f.transform_report(),
            redshift: f.redshift_report(),
            batch_job: f.batch_report(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{preset, world_from_text};

    #[test]
    fn objects_come_once_each_after_the_sequence_number_the_page_has() {
        let mut w = world_from_text(preset("firehose-transform").unwrap(), None).unwrap();
        w.run_for(60_000);
        let first = objects_after(&w, 0, 0);
        assert!(!first.is_empty());
        let last = first.last().unwrap().object.seq;
        assert_eq!(last, w.firehoses[0].objects_total);
        assert!(objects_after(&w, 0, last).is_empty());
        w.run_for(30_000);
        let more = objects_after(&w, 0, last);
        assert!(!more.is_empty() && more[0].object.seq == last + 1);
        let m = metrics_after(&w, 0, Some(80));
        assert_eq!(
            m.iter().map(|s| s.second).collect::<Vec<_>>(),
            (81..90).collect::<Vec<_>>()
        );
    }
}
