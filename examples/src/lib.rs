//! Shared helpers for the runnable examples in `examples/` (run them with `cargo run --example <name>`).
