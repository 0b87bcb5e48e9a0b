//! The reference daemon: configuration, CLI, demo, paper trading, logging, metrics and shutdown around arb-core's engine.
