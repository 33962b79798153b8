//! One home for commands: everything a student, a lesson or a scenario file can do to a running
//! simulation. Each AWS concept owns its commands — their fields, how they are read (with the
//! same limits as scenario files), checked and applied — and [`Command`] is their union. A
//! command serialises itself back to the JSON it was read from, so a run's replay file holds
//! exactly what was applied.
//!
//! ```json
//! {"type": "set_rate", "producer": "web", "records_per_second": 2000}
//! ```

use serde::Serialize;
use serde_json::Value;

use super::base::json::{int_value, join, quoted, quoted_list, Errors, FieldError, Obj};
use super::base::limits::AT_MS;
use super::base::names::Names;
use super::consumer::command::ConsumerCommand;
use super::firehose::command::FirehoseCommand;
use super::lambda::command::LambdaCommand;
use super::producer::command::ProducerCommand;
use super::stream::command::StreamCommand;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Command {
    Producer(ProducerCommand),
    Stream(StreamCommand),
    Consumer(ConsumerCommand),
    Lambda(LambdaCommand),
    Firehose(FirehoseCommand),
}

/// A command a scenario file schedules: applied in the first tick that starts at or after
/// `at_ms`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScheduledCommand {
    pub at_ms: u64,
    #[serde(flatten)]
    pub command: Command,
}

impl Command {
    /// Every command type, concept by concept.
    pub fn types() -> Vec<&'static str> {
        [
            ProducerCommand::TYPES,
            StreamCommand::TYPES,
            ConsumerCommand::TYPES,
            LambdaCommand::TYPES,
            FirehoseCommand::TYPES,
        ]
        .concat()
    }

    /// The command's `type`, as JSON writes it.
    pub fn kind(&self) -> String {
        self.to_json()
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    }

    /// The name the command refers to, as (field, what it is, the name): a scenario's command
    /// must name something the scenario has.
    pub fn reference(&self) -> (&'static str, &'static str, &str) {
        match self {
            Command::Producer(c) => ("producer", "producer", c.producer_name()),
            Command::Stream(c) => ("stream_name", "stream", c.stream_name()),
            Command::Consumer(c) => ("consumer", "consumer", c.consumer_name()),
            Command::Lambda(c) => c.reference(),
            Command::Firehose(c) => (
                "delivery_stream_name",
                "delivery stream",
                c.delivery_stream_name(),
            ),
        }
    }

    /// Whether what it names is in `names` (an `add_producer` names a new producer: it must not
    /// be one already).
    pub fn check_reference(&self, names: &Names) -> Result<(), FieldError> {
        let (field, what, name) = self.reference();
        let known = match self {
            Command::Producer(ProducerCommand::AddProducer { .. }) => {
                if names.producers.iter().any(|p| p == name) {
                    return Err(FieldError::new(
                        "producer.name",
                        format!("{} is used by another producer", quoted(name)),
                    ));
                }
                return Ok(());
            }
            Command::Producer(_) => &names.producers,
            Command::Stream(_) => &names.streams,
            Command::Consumer(_) => &names.consumers,
            Command::Lambda(LambdaCommand::SetFunctionErrorRate { .. }) => &names.functions,
            Command::Lambda(LambdaCommand::UpdateEventSourceMapping { .. }) => &names.mappings,
            Command::Firehose(_) => &names.delivery_streams,
        };
        if known.iter().any(|k| k == name) {
            Ok(())
        } else {
            Err(FieldError::new(
                field,
                format!(
                    "{} is not a {what} of this scenario{}",
                    quoted(name),
                    if known.is_empty() {
                        " (it has none)".to_string()
                    } else {
                        format!(" ({})", quoted_list(known))
                    }
                ),
            ))
        }
    }

    /// The command as JSON, in the form [`parse`] reads.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Reads a command object (`{"type": ..., ...}`); `extra` names fields the caller reads itself.
pub fn parse(
    v: &Value,
    path: &str,
    names: &Names,
    extra: &[&'static str],
    errs: &mut Errors,
) -> Option<Command> {
    let mut o = Obj::of(v, path, errs)?;
    for e in extra {
        o.allow(e);
    }
    let types = Command::types();
    let kind = o.choice("type", None, &types, errs)?;
    let has = |t: &[&str]| t.contains(&kind);
    let command = if has(ProducerCommand::TYPES) {
        Command::Producer(ProducerCommand::parse(kind, &mut o, names, errs)?)
    } else if has(StreamCommand::TYPES) {
        Command::Stream(StreamCommand::parse(kind, &mut o, names, errs)?)
    } else if has(ConsumerCommand::TYPES) {
        Command::Consumer(ConsumerCommand::parse(kind, &mut o, errs)?)
    } else if has(LambdaCommand::TYPES) {
        Command::Lambda(LambdaCommand::parse(kind, &mut o, errs)?)
    } else {
        Command::Firehose(FirehoseCommand::parse(kind, &mut o, errs)?)
    };
    o.finish(errs);
    Some(command)
}

/// One entry of a scenario's `commands`: a command with its `at_ms`.
pub fn parse_scheduled(
    v: &Value,
    path: &str,
    names: &Names,
    errs: &mut Errors,
) -> Option<ScheduledCommand> {
    let at_path = join(path, "at_ms");
    let at_ms = match v.get("at_ms") {
        None => {
            errs.push(&at_path, "required");
            None
        }
        Some(a) => int_value(a, &at_path, AT_MS.min, AT_MS.max, errs),
    };
    let command = parse(v, path, names, &["at_ms"], errs);
    Some(ScheduledCommand {
        at_ms: at_ms?,
        command: command?,
    })
}
