//! What the page reads from a world, built here in the core so it is tested natively and the
//! facade stays one line per method:
//! - [`rows`]: the numbers that change every frame, as flat rows of `f64` with named fields
//!   ([`rows::ROWS`] gives every row's field names, so the page never counts offsets);
//! - [`belt`]: the belt's tiles or, beyond what tiles can show, its aggregate bins, and the one
//!   limit on what crosses per frame ([`belt::FRAME_BYTES_MAX`]);
//! - [`layout`]: what changes rarely (streams, lanes, producers, consumers, functions,
//!   delivery streams), read again only when `World::layout_version` has moved;
//! - [`firehose`]: a delivery stream's objects after a sequence number and its metrics after a
//!   second, so nothing is copied twice.

pub mod belt;
pub mod firehose;
pub mod layout;
pub mod rows;
