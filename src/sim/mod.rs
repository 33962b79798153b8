//! The pure simulation core (placeholder while the real core is written).
