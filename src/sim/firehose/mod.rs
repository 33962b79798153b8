//! Amazon Data Firehose (Kinesis Data Firehose): a buffer that fills until the first of
//! `buffering_size` or `buffering_interval` is reached, then one object in the bucket, named as
//! Firehose names it; optionally a transform Lambda before it ([`transform`], [`processing`]),
//! compression ([`compress`]), Redshift after it ([`redshift`]), and a batch job over the lake
//! ([`batch`], [`lake`]). This module owns the delivery stream's config and validation
//! ([`config`]), its state ([`state`], [`object`], [`s3`], [`delivery`], [`metrics`]), its
//! commands ([`command`]) and its report ([`report`]).

pub mod batch;
pub mod command;
pub mod compress;
pub mod config;
pub mod delivery;
pub mod lake;
pub mod metrics;
pub mod object;
pub mod processing;
pub mod redshift;
pub mod report;
pub mod s3;
pub mod state;
pub mod transform;

pub use batch::{BatchJob, BatchJobConfig};
pub use config::{Compression, FirehoseConfig, TransformConfig};
pub use lake::LakeAnswer;
pub use metrics::FirehoseSecond;
pub use object::{
    Chunk, ErrorWrap, ObjectSample, RecordLines, S3Object, Sample, CHUNK_IDS_MAX, ERROR_TRIGGER,
    SAMPLES_PER_OBJECT,
};
pub use redshift::Redshift;
pub use s3::Outcome;
pub use state::Firehose;
pub use transform::{Invocation, Transform};
