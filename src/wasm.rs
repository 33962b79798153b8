//! The wasm facade (being written).
