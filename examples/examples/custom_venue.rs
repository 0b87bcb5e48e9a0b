//! Adding a venue by implementing `Exchange`: a toy fixed-odds house ("Bookie") with its own
//! wire units and fee model, used end to end and traded against a simulated venue.
//!
//! The venue's code lives in `examples/src/custom_venue/`: `house.rs` (the venue itself, in its
//! own units), `adapter.rs` (the `Exchange` implementation: units converted at the edge),
//! `fees.rs` (its `FeeModel`) and `mod.rs` (this walkthrough).
//!
//! Run it with `cargo run -p arb-examples --example custom_venue`.

#[tokio::main]
async fn main() -> arb_examples::Result<()> {
    let summary = arb_examples::custom_venue::run(&mut std::io::stdout()).await?;
    println!(
        "\nDone: {} markets listed, {} arbitrage pairs bought, {} made.",
        summary.markets_listed.len(),
        summary.opportunity.qty,
        arb_examples::usd(summary.arbitrage_pnl)
    );
    Ok(())
}
