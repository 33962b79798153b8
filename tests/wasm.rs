//! The core in a real browser (headless Chromium, through wasm-bindgen-test-runner and
//! chromedriver): the same scenario and seed give the same digest as natively. Run with
//! `cargo test --target wasm32-unknown-unknown --test wasm`.
#![cfg(target_arch = "wasm32")]

use streamsim::sim::{preset, world_from_text};
use streamsim::wasm::Sim;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

include!("golden.in");

#[wasm_bindgen_test]
fn browser_digests_equal_the_native_golden_digests() {
    for (name, seconds, digest) in GOLDEN {
        let mut w = world_from_text(preset(name).unwrap(), None).unwrap();
        w.run_for(seconds * 1000);
        assert_eq!(w.digest_hex(), *digest, "preset {name} after {seconds} s");
    }
}

#[wasm_bindgen_test]
fn every_compressor_sizes_objects_as_natively() {
    for (format, digest) in GOLDEN_FORMATS {
        let text = FORMATS_SCENARIO.replace("FORMAT", format);
        let mut w = world_from_text(&text, None).unwrap();
        w.run_for(120_000);
        assert_eq!(w.digest_hex(), *digest, "{format} after 120 s");
    }
}

#[wasm_bindgen_test]
fn the_facade_runs_the_same_as_the_core() {
    // Through the JS-facing API, as the page drives it.
    let mut sim = Sim::from_preset("clickstream").unwrap();
    let ticks = (60_000.0 / sim.tick_ms()) as u32;
    sim.step(ticks);
    assert_eq!(sim.now_ms(), 60_000.0);
    assert_eq!(sim.digest(), GOLDEN[0].2);
    assert_eq!(
        sim.shard_frame().len(),
        4 * streamsim::sim::frame::rows::SHARD_ROW.len()
    );
}

#[wasm_bindgen_test]
fn commands_replay_identically_in_the_browser() {
    let run = || {
        let mut sim = Sim::from_preset("clickstream").unwrap();
        sim.step(30);
        sim.command(r#"{"type": "set_rate", "producer": "web", "records_per_second": 5000}"#)
            .unwrap();
        sim.step(50);
        sim.digest()
    };
    assert_eq!(run(), run());
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    assert!(Sim::from_scenario("{").is_err());
    assert!(Sim::from_scenario(
        r#"{"resource": {"aws_kinesis_stream": {"s": {"shard_count": 0}}}}"#
    )
    .is_err());
    let mut sim = Sim::from_preset("clickstream").unwrap();
    assert!(sim
        .command(r#"{"type": "set_rate", "producer": "web", "records_per_second": -5}"#)
        .is_err());
    assert!(sim.with_seed("not a number").is_err());
}
