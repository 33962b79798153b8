//! What a student can do to a consumer while it runs: crash and restart a KCL worker, slow its
//! processing down or speed it up again.

use serde::Serialize;

use super::state::Consumer;
use crate::sim::base::json::{Errors, FieldError, Obj};
use crate::sim::base::limits::{KCL_WORKERS, NAME_CHARS_MAX, PROCESSING_RATE};
use crate::sim::base::text::plural;
use crate::sim::stream::Shard;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsumerCommand {
    /// A KCL worker stops (its leases expire after the failover time) …
    CrashWorker { consumer: String, worker: u32 },
    /// … or comes back.
    RestartWorker { consumer: String, worker: u32 },
    /// A consumer's processing speed changes (None: unlimited).
    SetProcessingRate {
        consumer: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        records_per_second: Option<u32>,
    },
}

impl ConsumerCommand {
    pub const TYPES: &'static [&'static str] =
        &["crash_worker", "restart_worker", "set_processing_rate"];

    pub fn parse(kind: &str, o: &mut Obj, errs: &mut Errors) -> Option<Self> {
        let consumer = o.text("consumer", None, NAME_CHARS_MAX, errs)?;
        Some(match kind {
            "set_processing_rate" => ConsumerCommand::SetProcessingRate {
                consumer,
                records_per_second: o
                    .int_opt("records_per_second", PROCESSING_RATE, errs)?
                    .map(|n| n as u32),
            },
            _ => {
                let required = crate::sim::base::limits::Limit {
                    default: None,
                    ..KCL_WORKERS
                };
                let worker = o.int("worker", required, errs)? as u32;
                if kind == "crash_worker" {
                    ConsumerCommand::CrashWorker { consumer, worker }
                } else {
                    ConsumerCommand::RestartWorker { consumer, worker }
                }
            }
        })
    }

    pub fn consumer_name(&self) -> &str {
        match self {
            ConsumerCommand::CrashWorker { consumer, .. }
            | ConsumerCommand::RestartWorker { consumer, .. }
            | ConsumerCommand::SetProcessingRate { consumer, .. } => consumer,
        }
    }

    /// Checks the command against the consumer it names.
    pub fn check(&self, c: &Consumer) -> Result<(), FieldError> {
        match self {
            ConsumerCommand::CrashWorker { consumer, worker }
            | ConsumerCommand::RestartWorker { consumer, worker } => {
                let k = c.kcl.as_ref().ok_or_else(|| {
                    FieldError::new(
                        "consumer",
                        format!("{consumer:?} is not a KCL application (type \"kcl\")"),
                    )
                })?;
                if *worker as usize > k.alive.len() {
                    return Err(FieldError::new(
                        "worker",
                        format!("{worker} is out of range 1..={}", k.alive.len()),
                    ));
                }
                Ok(())
            }
            ConsumerCommand::SetProcessingRate { .. } => Ok(()),
        }
    }
}

impl Consumer {
    /// Applies a checked command; returns what a student should notice, one note each.
    pub fn apply(&mut self, command: &ConsumerCommand, shards: &[Shard]) -> Vec<String> {
        let name = self.cfg.name.clone();
        match command {
            ConsumerCommand::CrashWorker { worker, .. } => {
                if let Some(k) = &mut self.kcl {
                    k.alive[*worker as usize - 1] = false;
                }
                vec![format!(
                    "worker-{worker} of {name} crashed: its leases expire if not renewed within the failover time"
                )]
            }
            ConsumerCommand::RestartWorker { worker, .. } => {
                let again = self.restart_worker(*worker);
                let mut notes = vec![format!(
                    "worker-{worker} of {name} is back: it takes leases that fall free"
                )];
                for (s, n) in again {
                    notes.push(format!(
                        "worker-{worker} of {name} restarts {} from its checkpoint: {} will be processed again",
                        shards[s].shard_id(),
                        plural(n, "record")
                    ));
                }
                notes
            }
            ConsumerCommand::SetProcessingRate {
                records_per_second, ..
            } => {
                self.cfg.processing_records_per_second = *records_per_second;
                vec![match records_per_second {
                    Some(r) => format!("{name} now processes at most {r} records/s a shard"),
                    None => format!("{name} processes as fast as records come again"),
                }]
            }
        }
    }
}
