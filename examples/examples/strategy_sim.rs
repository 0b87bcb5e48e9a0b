//! Testing a strategy against `SimExchange`: two simulated venues driven by a seeded random
//! walk, the real detector and executor, a strategy filter, and a results table with the PnL
//! after every market settles.
//!
//! The strategy lives in `examples/src/strategy_sim/strategy.rs` (implement `Strategy` to try
//! your own); the simulation loop in `examples/src/strategy_sim/mod.rs`.
//!
//! ```text
//! cargo run -p arb-examples --example strategy_sim             # seed 7, 500 steps
//! cargo run -p arb-examples --example strategy_sim -- 42 2000  # seed 42, 2000 steps
//! ```

use arb_core::model::Qty;
use arb_examples::strategy_sim::{MinEdge, SimSettings, run};
use rust_decimal_macros::dec;

/// Reads `[seed] [steps]` from the command line.
fn settings() -> Result<SimSettings, String> {
    let mut args = std::env::args().skip(1);
    let mut number = |name: &str, default: u64| -> Result<u64, String> {
        args.next().map_or(Ok(default), |arg| {
            arg.parse()
                .map_err(|_| format!("{name} must be a whole number, got `{arg}`"))
        })
    };
    let seed = number("seed", 7)?;
    let steps = number("steps", 500)?;
    let steps = u32::try_from(steps)
        .ok()
        .filter(|s| (1..=1_000_000).contains(s))
        .ok_or_else(|| format!("steps must be between 1 and 1000000, got {steps}"))?;
    Ok(SimSettings { seed, steps })
}

#[tokio::main]
async fn main() -> arb_examples::Result<()> {
    let settings = settings()?;
    // The strategy under test: only trade a 2% edge or better, on at least 10 contracts.
    let strategy = MinEdge {
        min_profit_fraction: dec!(0.02),
        min_qty: Qty::new(dec!(10))?,
    };
    run(settings, &strategy, &mut std::io::stdout()).await?;
    Ok(())
}
