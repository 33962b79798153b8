//! The data lake: queries over what Firehose has delivered to S3 (Athena over the Glue table,
//! in the simulation's terms).

use serde::Serialize;

use super::object::{LakeValues, S3Object, ERROR_TRIGGER};
use super::state::Firehose;
use crate::sim::base::content::Field;

/// What a query over the lake found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LakeAnswer {
    pub objects: u64,
    pub records: u64,
    /// The numeric fields the records found have (only those: game actions have no amount).
    pub fields: Vec<FieldAnswer>,
    /// The newest record the lake holds arrived at this time: nothing later is known yet.
    pub known_until_ms: u64,
}

/// One field over the records found: how many have it, its sum and mean, in its unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldAnswer {
    pub field: &'static str,
    pub unit: &'static str,
    pub records: u64,
    pub sum: u64,
    pub mean: u64,
}

impl Firehose {
    /// A query over the lake: the records in objects delivered by `now`, that arrived in
    /// `[from_ms, to_ms)` (by object: an object counts when its oldest record is in the range).
    /// The lake knows only what Firehose has delivered.
    pub fn query(&self, from_ms: u64, to_ms: u64) -> LakeAnswer {
        let mut a = LakeAnswer::default();
        let mut values = LakeValues::default();
        // The data prefix only: a query over the lake does not read the error objects.
        for o in self.data_objects() {
            if o.first_arrival_ms >= from_ms && o.first_arrival_ms < to_ms {
                a.objects += 1;
                a.records += o.records;
                values.add(&o.lake);
            }
            a.known_until_ms = a.known_until_ms.max(o.last_arrival_ms);
        }
        a.fields = Field::ALL
            .iter()
            .filter(|f| values.counts[f.index()] > 0)
            .map(|&f| {
                let (sum, n) = (values.sums[f.index()], values.counts[f.index()]);
                FieldAnswer {
                    field: f.name(),
                    unit: f.unit(),
                    records: n,
                    sum,
                    mean: sum / n,
                }
            })
            .collect();
        a
    }

    /// The numeric fields the lake's records have so far: what a query can sum.
    pub fn lake_fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| self.lake_field_bits() & (1 << f.index()) != 0)
            .collect()
    }

    fn data_objects(&self) -> impl Iterator<Item = &S3Object> {
        self.objects
            .iter()
            .filter(|o| !o.duplicate && o.trigger != ERROR_TRIGGER)
    }
}
