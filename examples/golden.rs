//! Prints the digests `tests/golden.in` would need for the tree as it is, next to the ones it
//! has: run it after a deliberate change of behaviour, copy the new values, and say in the
//! commit why they changed. `cargo run --release --example golden`
use streamsim::sim::{preset, world_from_text};

include!("../tests/golden.in");

fn main() {
    let digest = |text: &str, seconds: u64| {
        let mut w = world_from_text(text, None).expect("a valid scenario");
        w.run_for(seconds * 1000);
        w.digest_hex()
    };
    for (name, seconds, old) in GOLDEN {
        let new = digest(preset(name).expect("a preset"), *seconds);
        let mark = if new == *old { "" } else { "   // changed" };
        println!("    ({name:?}, {seconds}, {new:?}),{mark}");
    }
    for (format, old) in GOLDEN_FORMATS {
        let new = digest(&FORMATS_SCENARIO.replace("FORMAT", format), 120);
        let mark = if new == *old { "" } else { "   // changed" };
        println!("    ({format:?}, {new:?}),{mark}");
    }
}
