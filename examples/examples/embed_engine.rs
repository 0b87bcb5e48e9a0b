//! Embedding the engine in another bot: build `Engine` from parts (two simulated venues, an
//! in-memory store, a notifier that forwards into the host's own channel), approve a pair
//! through the `EngineHandle`, run the engine in the background, watch an execution arrive on
//! the host's channel, query positions and status, and shut down cleanly.
//!
//! The code is in `examples/src/embed_engine.rs`.
//!
//! Run it with `cargo run -p arb-examples --example embed_engine`.

#[tokio::main]
async fn main() -> arb_examples::Result<()> {
    let summary = arb_examples::embed_engine::run(&mut std::io::stdout()).await?;
    println!(
        "\nDone: the host bot received {} events; the execution ended {:?}.",
        summary.events.len(),
        summary.execution_state
    );
    Ok(())
}
