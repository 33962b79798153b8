//! What a student can change about a producer while it runs: its rate, its hot key's share,
//! pausing it, a poison record, and adding a producer.

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::config::{parse_producer, KeyModel, ProducerConfig};
use super::state::Producer;
use crate::sim::base::json::{Errors, FieldError, Obj};
use crate::sim::base::limits::{HOT_KEY_SHARE, NAME_CHARS_MAX, PRODUCERS_MAX, RECORDS_PER_SECOND};
use crate::sim::base::names::Names;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProducerCommand {
    SetRate {
        producer: String,
        records_per_second: u32,
    },
    SetHotKeyShare {
        producer: String,
        hot_key_share: f64,
    },
    PauseProducer {
        producer: String,
    },
    ResumeProducer {
        producer: String,
    },
    /// The producer's next record is one every Lambda function fails on.
    PutPoisonRecord {
        producer: String,
    },
    AddProducer {
        producer: Added,
    },
}

/// A producer added by a command: its config, and its block as given, so the command is
/// written out again exactly as it came.
#[derive(Clone, Debug, PartialEq)]
pub struct Added {
    pub cfg: Box<ProducerConfig>,
    pub block: Value,
}

impl Serialize for Added {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.block.serialize(s)
    }
}

impl ProducerCommand {
    pub const TYPES: &'static [&'static str] = &[
        "set_rate",
        "set_hot_key_share",
        "pause_producer",
        "resume_producer",
        "put_poison_record",
        "add_producer",
    ];

    pub fn parse(kind: &str, o: &mut Obj, names: &Names, errs: &mut Errors) -> Option<Self> {
        if kind == "add_producer" {
            let p = o.required("producer", errs)?;
            let cfg = parse_producer(p, &o.at("producer"), names, errs)?;
            return Some(ProducerCommand::AddProducer {
                producer: Added {
                    cfg: Box::new(cfg),
                    block: p.clone(),
                },
            });
        }
        let producer = o.text("producer", None, NAME_CHARS_MAX, errs)?;
        Some(match kind {
            "set_rate" => ProducerCommand::SetRate {
                producer,
                records_per_second: o.int("records_per_second", RECORDS_PER_SECOND, errs)? as u32,
            },
            "set_hot_key_share" => {
                let required = crate::sim::base::limits::Ratio {
                    default: None,
                    ..HOT_KEY_SHARE
                };
                ProducerCommand::SetHotKeyShare {
                    producer,
                    hot_key_share: o.num("hot_key_share", required, errs)?,
                }
            }
            "pause_producer" => ProducerCommand::PauseProducer { producer },
            "put_poison_record" => ProducerCommand::PutPoisonRecord { producer },
            _ => ProducerCommand::ResumeProducer { producer },
        })
    }

    /// The producer it is about (for `add_producer`, the new one).
    pub fn producer_name(&self) -> &str {
        match self {
            ProducerCommand::SetRate { producer, .. }
            | ProducerCommand::SetHotKeyShare { producer, .. }
            | ProducerCommand::PauseProducer { producer }
            | ProducerCommand::ResumeProducer { producer }
            | ProducerCommand::PutPoisonRecord { producer } => producer,
            ProducerCommand::AddProducer { producer } => &producer.cfg.name,
        }
    }

    /// Checks the command against the producers of the run: their number and names, and that
    /// a hot-key share goes to a producer with a hot key. (Rates are the work budget's.)
    pub fn check(&self, producers: &[Producer]) -> Result<(), FieldError> {
        if let ProducerCommand::AddProducer { producer } = self {
            let cfg = &producer.cfg;
            if producers.len() >= PRODUCERS_MAX {
                return Err(FieldError::new(
                    "producer",
                    format!("at most {PRODUCERS_MAX} producers"),
                ));
            }
            if producers.iter().any(|p| p.cfg.name == cfg.name) {
                return Err(FieldError::new(
                    "producer.name",
                    format!("{:?} is used by another producer", cfg.name),
                ));
            }
            return Ok(());
        }
        let name = self.producer_name();
        let p = producers
            .iter()
            .find(|p| p.cfg.name == name)
            .ok_or_else(|| {
                FieldError::new(
                    "producer",
                    format!("{name:?} is not a producer of this run"),
                )
            })?;
        if let ProducerCommand::SetHotKeyShare { producer, .. } = self {
            if !matches!(p.cfg.keys, KeyModel::HotKey { .. }) {
                return Err(FieldError::new(
                    "producer",
                    format!(
                        "{producer:?} has no hot key (its partition_keys model is {:?})",
                        p.cfg.keys.name()
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Producer {
    /// Applies a checked command to this producer; returns what a student should notice.
    pub fn apply(&mut self, command: &ProducerCommand) -> String {
        let name = &self.cfg.name;
        match command {
            ProducerCommand::SetRate {
                records_per_second, ..
            } => {
                self.cfg.records_per_second = *records_per_second;
                format!("{name} now sends {records_per_second} records/s")
            }
            ProducerCommand::SetHotKeyShare { hot_key_share, .. } => {
                if let KeyModel::HotKey {
                    hot_key_share: s, ..
                } = &mut self.cfg.keys
                {
                    *s = *hot_key_share;
                }
                format!(
                    "{name}'s hot key now takes {}% of its records",
                    (hot_key_share * 100.0).round()
                )
            }
            ProducerCommand::PauseProducer { .. } => {
                self.cfg.paused = true;
                format!("{name} is paused: it sends nothing new (retries still go out)")
            }
            ProducerCommand::ResumeProducer { .. } => {
                self.cfg.paused = false;
                format!("{name} sends again")
            }
            ProducerCommand::PutPoisonRecord { .. } => {
                self.poison.insert(self.produced);
                format!("{name}'s next record is poison: every Lambda function fails on it")
            }
            ProducerCommand::AddProducer { .. } => {
                format!("{name} starts sending")
            }
        }
    }
}
