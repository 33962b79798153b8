//! Helpers the scenario tests share (`mod common;` in each test file).
#![allow(dead_code)] // each test file uses some of them

use streamsim::sim::{parse_command, world_from_text, World};

/// A world from scenario text; a test's scenario must be valid.
pub fn world(text: &str) -> World {
    world_from_text(text, None).unwrap_or_else(|e| panic!("{e}"))
}

/// Queues a command that must be valid.
pub fn send(w: &mut World, json: &str) {
    let c = parse_command(json, w).unwrap_or_else(|e| panic!("{e}"));
    w.command(c);
}

/// The errors a command is refused with.
pub fn refused(w: &World, json: &str) -> String {
    parse_command(json, w).unwrap_err().to_string()
}

/// Runs `ms` of simulated time, checking the ledger, and `also`, after every tick.
pub fn run_checked(w: &mut World, ms: u64, also: impl Fn(&World)) {
    let end = w.now_ms + ms;
    while w.now_ms < end {
        w.step();
        assert!(w.ledger().balanced(), "tick {}: {:?}", w.tick, w.ledger());
        also(w);
    }
}

/// Runs `ms` of simulated time, checking the ledger after every tick.
pub fn run_balanced(w: &mut World, ms: u64) {
    run_checked(w, ms, |_| {});
}
