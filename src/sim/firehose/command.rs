//! What a student can change about a delivery stream while it runs: UpdateDestination (new
//! buffering hints or compression; the version in object names rises), the transform's rates,
//! and faults — S3 or Redshift down, S3 writes timing out.

use serde::Serialize;

use super::config::{Compression, COMPRESSION_FORMATS};
use super::state::Firehose;
use crate::sim::base::json::{Errors, FieldError, Obj};
use crate::sim::base::limits::{
    Ratio, BUFFERING_INTERVAL, BUFFERING_SIZE, NAME_CHARS_MAX, S3_TIMEOUT_RATE,
    TRANSFORM_DROPPED_RATE, TRANSFORM_ERROR_RATE, TRANSFORM_PROCESSING_FAILED_RATE,
};

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FirehoseCommand {
    /// S3 goes down (or comes back) for a delivery stream.
    SetS3Available {
        delivery_stream_name: String,
        available: bool,
    },
    /// A share of S3 writes time out after storing the object (Firehose writes it again).
    SetS3TimeoutRate {
        delivery_stream_name: String,
        timeout_rate: f64,
    },
    /// UpdateDestination: new buffering hints (in the units scenario files use) or compression.
    UpdateDestination {
        delivery_stream_name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        buffering_size: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        buffering_interval: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        compression_format: Option<Compression>,
    },
    /// Redshift goes down (COPY fails) or comes back.
    SetRedshiftAvailable {
        delivery_stream_name: String,
        available: bool,
    },
    /// What the transform Lambda makes of records from now on: the share of invocations that
    /// fail (retried), and per record the shares returned Dropped and ProcessingFailed (the rest
    /// Ok). A field left out keeps its value.
    SetTransformRates {
        delivery_stream_name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        error_rate: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        dropped_rate: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        processing_failed_rate: Option<f64>,
    },
}

fn required(r: Ratio) -> Ratio {
    Ratio { default: None, ..r }
}

impl FirehoseCommand {
    pub const TYPES: &'static [&'static str] = &[
        "set_s3_available",
        "set_s3_timeout_rate",
        "update_destination",
        "set_redshift_available",
        "set_transform_rates",
    ];

    pub fn parse(kind: &str, o: &mut Obj, errs: &mut Errors) -> Option<Self> {
        let delivery_stream_name = o.text("delivery_stream_name", None, NAME_CHARS_MAX, errs)?;
        Some(match kind {
            "set_s3_available" => FirehoseCommand::SetS3Available {
                delivery_stream_name,
                available: o.required_bool("available", errs)?,
            },
            "set_redshift_available" => FirehoseCommand::SetRedshiftAvailable {
                delivery_stream_name,
                available: o.required_bool("available", errs)?,
            },
            "set_s3_timeout_rate" => FirehoseCommand::SetS3TimeoutRate {
                delivery_stream_name,
                timeout_rate: o.num("timeout_rate", S3_TIMEOUT_RATE, errs)?,
            },
            "update_destination" => {
                let buffering_size = o.int_opt("buffering_size", BUFFERING_SIZE, errs)?;
                let buffering_interval =
                    o.int_opt("buffering_interval", BUFFERING_INTERVAL, errs)?;
                let compression_format = match o.get("compression_format") {
                    None => None,
                    Some(_) => Some(Compression::named(o.choice(
                        "compression_format",
                        None,
                        COMPRESSION_FORMATS,
                        errs,
                    )?)),
                };
                FirehoseCommand::UpdateDestination {
                    delivery_stream_name,
                    buffering_size,
                    buffering_interval,
                    compression_format,
                }
            }
            _ => {
                let error_rate = o.num_opt("error_rate", required(TRANSFORM_ERROR_RATE), errs);
                let dropped_rate =
                    o.num_opt("dropped_rate", required(TRANSFORM_DROPPED_RATE), errs);
                let processing_failed_rate = o.num_opt(
                    "processing_failed_rate",
                    required(TRANSFORM_PROCESSING_FAILED_RATE),
                    errs,
                );
                FirehoseCommand::SetTransformRates {
                    delivery_stream_name,
                    error_rate: error_rate?,
                    dropped_rate: dropped_rate?,
                    processing_failed_rate: processing_failed_rate?,
                }
            }
        })
    }

    pub fn delivery_stream_name(&self) -> &str {
        match self {
            FirehoseCommand::SetS3Available {
                delivery_stream_name,
                ..
            }
            | FirehoseCommand::SetS3TimeoutRate {
                delivery_stream_name,
                ..
            }
            | FirehoseCommand::UpdateDestination {
                delivery_stream_name,
                ..
            }
            | FirehoseCommand::SetRedshiftAvailable {
                delivery_stream_name,
                ..
            }
            | FirehoseCommand::SetTransformRates {
                delivery_stream_name,
                ..
            } => delivery_stream_name,
        }
    }
}

impl Firehose {
    /// Checks a command against this delivery stream as it is now.
    pub fn check(&self, command: &FirehoseCommand) -> Result<(), FieldError> {
        let FirehoseCommand::SetTransformRates {
            delivery_stream_name,
            dropped_rate,
            processing_failed_rate,
            ..
        } = command
        else {
            return Ok(());
        };
        let Some(t) = &self.transform else {
            return Err(FieldError::new(
                "delivery_stream_name",
                format!("{delivery_stream_name:?} has no processing_configuration (no transform Lambda)"),
            ));
        };
        let d = dropped_rate.unwrap_or(t.dropped_rate);
        let p = processing_failed_rate.unwrap_or(t.processing_failed_rate);
        if d + p > 1.0 {
            return Err(FieldError::new(
                "processing_failed_rate",
                format!(
                    "{p} with dropped_rate {d} makes more than 1 (allowed: their sum within 0..=1)"
                ),
            ));
        }
        Ok(())
    }

    /// Applies a checked command; returns what a student should notice.
    pub fn apply(&mut self, command: &FirehoseCommand) -> String {
        let name = self.cfg.name.clone();
        match command {
            FirehoseCommand::SetS3Available { available, .. } => {
                self.s3_available = *available;
                if *available {
                    format!("S3 is back for {name}: the objects that waited are written now")
                } else {
                    format!("S3 is unavailable for {name}: Firehose keeps the data and retries for up to 24 hours, then it is lost")
                }
            }
            FirehoseCommand::SetRedshiftAvailable { available, .. } => {
                if let Some(r) = self.redshift.as_mut() {
                    r.available = *available;
                }
                if *available {
                    format!("Redshift is back for {name}: the COPYs that waited run now")
                } else {
                    format!("Redshift is unavailable for {name}: each COPY is retried for the retry duration, then skipped")
                }
            }
            FirehoseCommand::UpdateDestination {
                buffering_size,
                buffering_interval,
                compression_format,
                ..
            } => {
                if let Some(v) = buffering_size {
                    self.cfg.buffering_size_bytes = BUFFERING_SIZE.bytes(*v);
                }
                if let Some(v) = buffering_interval {
                    self.cfg.buffering_interval_ms = BUFFERING_INTERVAL.ms(*v);
                }
                if let Some(c) = compression_format {
                    self.cfg.compression = *c;
                }
                // Every configuration change gives new object names a new version.
                self.version += 1;
                format!(
                    "{name}'s destination was updated: new objects are named with version {}",
                    self.version
                )
            }
            FirehoseCommand::SetTransformRates {
                error_rate,
                dropped_rate,
                processing_failed_rate,
                ..
            } => {
                if let Some(t) = self.transform.as_mut() {
                    t.error_rate = error_rate.unwrap_or(t.error_rate);
                    t.dropped_rate = dropped_rate.unwrap_or(t.dropped_rate);
                    t.processing_failed_rate =
                        processing_failed_rate.unwrap_or(t.processing_failed_rate);
                }
                format!("{name}'s transform Lambda returns new results from now on")
            }
            FirehoseCommand::SetS3TimeoutRate { timeout_rate, .. } => {
                self.s3_timeout_rate = *timeout_rate;
                format!(
                    "{}% of {name}'s writes to S3 now time out after S3 stored them: they are written again",
                    (timeout_rate * 100.0).round()
                )
            }
        }
    }
}
