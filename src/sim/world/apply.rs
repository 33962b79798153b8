//! Commands reach the world here: checked against the run as it is now, then applied at the
//! next tick boundary by one dispatch to the concept they are about, which says what a
//! student should notice.

use super::notes::kind;
use super::state::World;
use crate::sim::base::json::{quoted, FieldError};
use crate::sim::base::limits::COMMAND_LOG_MAX;
use crate::sim::budget::{Load, ProducerLoad};
use crate::sim::command::Command;
use crate::sim::consumer::command::ConsumerCommand;
use crate::sim::consumer::Consumer;
use crate::sim::firehose::Firehose;
use crate::sim::producer::command::ProducerCommand;
use crate::sim::stream::Stream;

impl World {
    /// Queues a command; it takes effect at the next tick boundary.
    pub fn command(&mut self, command: Command) {
        let load = self.queued_load.take().unwrap_or_else(|| self.load());
        let load = load.after(&command, |n| self.stream_index(n));
        self.queued_load = Some(load);
        if let Command::Producer(ProducerCommand::AddProducer { producer }) = &command {
            self.queued_added.push(producer.cfg.name.clone());
        }
        self.queued.push(command);
    }

    /// The queued commands, to apply at the tick boundary.
    pub(super) fn take_queued(&mut self) -> Vec<Command> {
        self.queued_load = None;
        self.queued_added.clear();
        std::mem::take(&mut self.queued)
    }

    /// Checks a command against the current world (names, limits, the work budget) before it
    /// is queued, and again when it is applied.
    pub fn check_command(&self, command: &Command) -> Result<(), FieldError> {
        self.check_names_and_limits(command)?;
        let next = self.load().after(command, |n| self.stream_index(n));
        next.check().map_err(|e| {
            let field = match command {
                Command::Producer(ProducerCommand::SetRate { .. }) => "records_per_second",
                Command::Producer(_) => "producer",
                _ => "stream_name",
            };
            FieldError::new(field, e.message)
        })
    }

    /// Checks a command sent while the run goes on: it must fit the run as it will be when it
    /// applies (after the commands queued before it) and then with every command the scenario
    /// still has scheduled. So it is not skipped later for the budget or a name taken, and the
    /// run's replay file, which holds it among the scheduled commands, passes the same checks.
    pub fn check_sent(&self, command: &Command) -> Result<(), FieldError> {
        self.check_names_and_limits(command)?;
        let from = self.next_scheduled.min(self.scenario.commands.len());
        let still_scheduled = &self.scenario.commands[from..];
        if let Command::Producer(ProducerCommand::AddProducer { producer }) = command {
            let name = &producer.cfg.name;
            let scheduled = still_scheduled.iter().any(|s| {
                matches!(&s.command, Command::Producer(ProducerCommand::AddProducer { producer: p }) if p.cfg.name == *name)
            });
            if scheduled || self.queued_added.contains(name) {
                return Err(FieldError::new(
                    "producer.name",
                    format!(
                        "{} is the name of a producer already queued or scheduled to be added",
                        quoted(name)
                    ),
                ));
            }
        }
        let field = match command {
            Command::Producer(ProducerCommand::SetRate { .. }) => "records_per_second",
            Command::Producer(_) => "producer",
            _ => "stream_name",
        };
        let stream = |n: &str| self.stream_index(n);
        let queued = self.queued_load.clone().unwrap_or_else(|| self.load());
        let mut load = queued.after(command, stream);
        load.check()
            .map_err(|e| FieldError::new(field, e.message))?;
        for s in still_scheduled {
            if !matches!(
                s.command,
                Command::Producer(ProducerCommand::SetRate { .. })
                    | Command::Producer(ProducerCommand::AddProducer { .. })
                    | Command::Stream(_)
            ) {
                continue; // changes nothing the budget counts
            }
            load = load.after(&s.command, stream);
            load.check().map_err(|e| {
                FieldError::new(
                    field,
                    format!(
                        "with the {} the scenario has scheduled at at_ms {}: {}",
                        s.command.kind(),
                        s.at_ms,
                        e.message
                    ),
                )
            })?;
        }
        Ok(())
    }

    /// A run's log holds at most [`COMMAND_LOG_MAX`] commands, and its replay file (the log,
    /// then the scenario's commands still to come) as many, so it stays exact and loads: one
    /// more is refused when it is sent, not dropped from the log.
    pub fn check_log_room(&self) -> Result<(), FieldError> {
        let to_come = self
            .scenario
            .commands
            .len()
            .saturating_sub(self.next_scheduled);
        let changes = self.command_log.len() + self.queued.len();
        if changes + to_come >= COMMAND_LOG_MAX {
            return Err(FieldError::new(
                "type",
                format!("this run has had {changes} changes and its scenario has {to_come} commands still to come, {COMMAND_LOG_MAX} in all: the most its replay file can hold; start it again to go on"),
            ));
        }
        Ok(())
    }

    /// What the run costs now, for the work budget.
    pub fn load(&self) -> Load {
        Load {
            producers: self
                .producers
                .iter()
                .map(|p| ProducerLoad::of(&p.cfg))
                .collect(),
            readers: (self.consumers.len() + self.scenario.batch_jobs.len()) as u64,
            open_shards: self.streams.iter().map(|s| s.open_count() as u64).collect(),
            tick_ms: self.tick_ms,
        }
    }

    fn check_names_and_limits(&self, command: &Command) -> Result<(), FieldError> {
        match command {
            Command::Producer(c) => c.check(&self.producers),
            Command::Stream(c) => self
                .stream_named(c.stream_name())?
                .reshard_of(c, self.now_ms)
                .map(|_| ()),
            Command::Consumer(c) => c.check(self.consumer_named(c.consumer_name())?),
            Command::Lambda(c) => {
                let mut triggers = self.consumers.iter().filter_map(|c| c.lambda.as_ref());
                if triggers.any(|l| c.targets(l)) {
                    Ok(())
                } else {
                    let (field, what, name) = c.reference();
                    Err(FieldError::new(
                        field,
                        format!("{name:?} is not the {what} in this run"),
                    ))
                }
            }
            Command::Firehose(c) => self.firehose_named(c.delivery_stream_name())?.check(c),
        }
    }

    /// Applies a command at the tick boundary. A command that no longer fits when its tick
    /// comes (a second resharding queued in the same tick, rates that would pass the budget
    /// after another change) is skipped rather than crash the run — and said. Skipped or not,
    /// it goes in the log: applying the log again skips it again, so a replay is exact.
    pub(super) fn apply(&mut self, command: Command) {
        let checked = self.check_command(&command);
        if let Err(why) = &checked {
            self.note(
                kind::COMMAND,
                format!("a {} was skipped: {why}", command.kind()),
            );
        } else {
            let (note_kind, notes) = self.dispatch(&command);
            for text in notes {
                self.note(note_kind, text);
            }
            // A command changes what the page lays out (rates, states, configurations).
            self.layout_version += 1;
        }
        if self.command_log.len() < COMMAND_LOG_MAX {
            self.command_log.push((self.tick, command));
        }
    }

    /// One line per concept: the concept applies its own command and says what happened.
    fn dispatch(&mut self, command: &Command) -> (&'static str, Vec<String>) {
        let now = self.now_ms;
        match command {
            Command::Producer(c) => {
                if let ProducerCommand::AddProducer { producer } = c {
                    self.add_producer((*producer.cfg).clone());
                }
                let i = self.producer_index(c.producer_name());
                (kind::PRODUCER, vec![self.producers[i].apply(c)])
            }
            Command::Stream(c) => {
                let si = self.stream_index(c.stream_name()).expect("checked");
                (kind::RESHARD, vec![self.streams[si].apply(c, now)])
            }
            Command::Consumer(c) => {
                let ci = self.consumer_index(c.consumer_name());
                let si = self.consumers[ci].stream;
                let notes = self.consumers[ci].apply(c, &self.streams[si].shards);
                let k = match c {
                    ConsumerCommand::SetProcessingRate { .. } => kind::CONSUMER,
                    _ => kind::WORKER,
                };
                (k, notes)
            }
            Command::Lambda(c) => {
                let mut notes = Vec::new();
                for l in self
                    .consumers
                    .iter_mut()
                    .filter_map(|c| c.lambda.as_mut())
                    .filter(|l| c.targets(l))
                {
                    notes.push(l.apply(c));
                }
                // Several triggers of one function: one note is enough.
                notes.truncate(1);
                (kind::LAMBDA, notes)
            }
            Command::Firehose(c) => {
                let fi = self.firehose_index(c.delivery_stream_name());
                (kind::FIREHOSE, vec![self.firehoses[fi].apply(c)])
            }
        }
    }

    fn producer_index(&self, name: &str) -> usize {
        self.producers
            .iter()
            .position(|p| p.cfg.name == name)
            .expect("checked")
    }

    fn consumer_index(&self, name: &str) -> usize {
        self.consumers
            .iter()
            .position(|c| c.cfg.name == name)
            .expect("checked")
    }

    fn firehose_index(&self, name: &str) -> usize {
        self.firehoses
            .iter()
            .position(|f| f.cfg.name == name)
            .expect("checked")
    }

    fn stream_named(&self, name: &str) -> Result<&Stream, FieldError> {
        self.streams.iter().find(|s| s.name == name).ok_or_else(|| {
            FieldError::new(
                "stream_name",
                format!("{name:?} is not a stream of this run"),
            )
        })
    }

    fn consumer_named(&self, name: &str) -> Result<&Consumer, FieldError> {
        self.consumers
            .iter()
            .find(|c| c.cfg.name == name)
            .ok_or_else(|| {
                FieldError::new(
                    "consumer",
                    format!("{name:?} is not a consumer of this run"),
                )
            })
    }

    fn firehose_named(&self, name: &str) -> Result<&Firehose, FieldError> {
        self.firehoses
            .iter()
            .find(|f| f.cfg.name == name)
            .ok_or_else(|| {
                FieldError::new(
                    "delivery_stream_name",
                    format!("{name:?} is not a Firehose delivery stream of this run"),
                )
            })
    }

    /// The functions of the run's Lambda triggers.
    pub fn trigger_functions(&self) -> impl Iterator<Item = &str> {
        self.consumers
            .iter()
            .filter_map(|c| c.lambda.as_ref())
            .map(|l| l.function.name.as_str())
    }
}
