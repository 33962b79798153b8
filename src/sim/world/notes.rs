//! What a student should notice, in plain words ([`Note`]), and the write events the belt
//! animates ([`WriteEvent`]): both kept in bounded queues, newest last, numbered so the page
//! asks only for what is new.

use std::collections::VecDeque;

use serde::Serialize;

use crate::sim::base::limits::{EVENTS_KEPT, NOTES_KEPT};

/// What a note is about, for the page to sort, style and narrate notes by.
pub mod kind {
    pub const THROTTLE: &str = "throttle";
    pub const RESHARD: &str = "reshard";
    pub const ON_DEMAND: &str = "on_demand";
    pub const WORKER: &str = "worker";
    pub const LAMBDA: &str = "lambda";
    pub const FIREHOSE: &str = "firehose";
    pub const BATCH: &str = "batch";
    pub const PRODUCER: &str = "producer";
    pub const CONSUMER: &str = "consumer";
    /// A scheduled command that no longer fit the run and was skipped.
    pub const COMMAND: &str = "command";
}

/// Something a student should notice, in plain words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    pub seq: u64,
    pub t_ms: u64,
    /// One of [`kind`].
    pub kind: &'static str,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteEventKind {
    /// Refused (ProvisionedThroughputExceeded); it will be sent again.
    Throttled = 0,
    /// Given up: attempts used up, or the record is over 1 MiB.
    Dropped = 1,
    /// Accepted on a second or later attempt.
    AcceptedOnRetry = 2,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteEvent {
    pub seq: u64,
    pub t_ms: u64,
    pub producer: u16,
    /// Lane = position of the shard among all shards of all streams.
    pub lane: u32,
    pub kind: WriteEventKind,
    pub key_colour: u32,
}

/// The notes and write events of a run.
#[derive(Clone, Debug, Default)]
pub struct Feeds {
    pub notes: VecDeque<Note>,
    pub note_seq: u64,
    pub events: VecDeque<WriteEvent>,
    pub event_seq: u64,
}

impl Feeds {
    pub fn note(&mut self, t_ms: u64, kind: &'static str, text: String) {
        if self.notes.len() == NOTES_KEPT {
            self.notes.pop_front();
        }
        self.note_seq += 1;
        self.notes.push_back(Note {
            seq: self.note_seq,
            t_ms,
            kind,
            text,
        });
    }

    pub fn event(
        &mut self,
        t_ms: u64,
        producer: u16,
        lane: u32,
        kind: WriteEventKind,
        colour: u32,
    ) {
        if self.events.len() == EVENTS_KEPT {
            self.events.pop_front();
        }
        self.event_seq += 1;
        self.events.push_back(WriteEvent {
            seq: self.event_seq,
            t_ms,
            producer,
            lane,
            kind,
            key_colour: colour,
        });
    }
}
