//! The world: every stream, producer, consumer and delivery stream of a scenario ([`state`]),
//! advanced in fixed ticks ([`step`], whose phases are listed there; the traffic of a tick in
//! [`traffic`]), changed only by commands applied at tick boundaries ([`apply`]), and summed up
//! by the ledger ([`ledger`]), the notes ([`notes`]), the metrics ([`metrics`]) and the digest
//! ([`World::digest`]).

pub mod apply;
pub mod ledger;
pub mod metrics;
pub mod notes;
pub mod state;
mod step;
mod traffic;

pub use ledger::Ledger;
pub use metrics::StreamSecond;
pub use notes::{Feeds, Note, WriteEvent, WriteEventKind};
pub use state::{ProducerLines, RecordDetail, World};
