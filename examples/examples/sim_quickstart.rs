//! Quick start: one cross-venue arbitrage on two simulated venues.
//!
//! Two `SimExchange`s list the same question. Venue A sells YES at $0.45 and venue B sells NO at
//! $0.50: together $0.95 for a pair that pays exactly $1 whatever happens. The example buys both
//! legs (IOC), prints the fills, positions and balances, the profit locked in after fees, and
//! finally settles both markets to show the profit arrive in cash.
//!
//! Run it with `cargo run --example sim_quickstart`.

use std::error::Error;
use std::sync::Arc;

use arb_core::Decimal;
use arb_core::clock::{ManualClock, SequentialIds};
use arb_core::exchange::Exchange;
use arb_core::fees::FeeSchedule;
use arb_core::model::{
    ClientOrderId, Fill, MarketId, MarketKey, Order, OrderRequest, Outcome, Price, Qty, Side,
    TimeInForce,
};
use arb_core::sim::{SimConfig, SimExchange, binary_market, levels};
use arb_kalshi::KalshiFees;
use arb_polymarket::PolymarketFees;
use chrono::{DateTime, Duration, Utc};
use rust_decimal_macros::dec;

const QUESTION: &str = "Will it rain in New York City on Friday?";
const CONTRACTS: Decimal = dec!(30);
const STARTING_CASH: Decimal = dec!(100);

/// One venue with the question listed and the given YES book.
fn venue(
    name: &str,
    market: &str,
    fees: FeeSchedule,
    yes_bids: &[(Decimal, Decimal)],
    yes_asks: &[(Decimal, Decimal)],
    now: DateTime<Utc>,
) -> Result<SimExchange, Box<dyn Error>> {
    let ex = SimExchange::new(
        SimConfig::new(name, STARTING_CASH),
        Arc::new(ManualClock::new(now)),
        Arc::new(SequentialIds::default()),
    );
    ex.add_market(binary_market(
        MarketKey::new(name, market),
        QUESTION,
        fees,
        now + Duration::days(3),
    )?)?;
    ex.set_book(
        &MarketId::new(market),
        &levels(yes_bids)?,
        &levels(yes_asks)?,
    )?;
    Ok(ex)
}

/// The best price to buy `outcome` on a venue's market.
async fn best_ask(
    ex: &SimExchange,
    market: &MarketId,
    outcome: Outcome,
) -> Result<Price, Box<dyn Error>> {
    let book = ex.order_book(market).await?;
    let best = book.book(outcome).best_ask().ok_or("empty book")?;
    Ok(best.price)
}

fn buy(
    venue: &str,
    market: &str,
    outcome: Outcome,
    limit: Price,
) -> Result<OrderRequest, Box<dyn Error>> {
    Ok(OrderRequest {
        client_order_id: ClientOrderId::new(format!("quickstart-{venue}-{outcome}")),
        market: MarketKey::new(venue, market),
        outcome,
        side: Side::Buy,
        limit_price: limit,
        qty: Qty::new(CONTRACTS)?,
        time_in_force: TimeInForce::Ioc,
    })
}

fn rule(width: usize) {
    println!("{}", "-".repeat(width));
}

fn print_orders(orders: &[&Order]) {
    println!("\nOrders");
    println!(
        "{:<8} {:<8} {:<4} {:>6} {:>8} {:>10} {:>8}  status",
        "venue", "market", "buy", "limit", "filled", "avg price", "fee"
    );
    rule(70);
    for o in orders {
        println!(
            "{:<8} {:<8} {:<4} {:>6.2} {:>8} {:>10} {:>8}  {:?}",
            o.request.market.venue.as_str(),
            o.request.market.market.as_str(),
            o.request.outcome.to_string(),
            o.request.limit_price,
            o.filled_qty,
            o.avg_fill_price
                .map_or("-".into(), |p| format!("{:.4}", p.value())),
            format!("${:.4}", o.fees_paid),
            o.status,
        );
    }
}

fn print_fills(fills: &[Fill]) {
    println!("\nFills");
    println!(
        "{:<8} {:<10} {:<8} {:<4} {:>6} {:>6} {:>9}  liquidity",
        "venue", "fill", "market", "buy", "qty", "price", "fee"
    );
    rule(70);
    for f in fills {
        println!(
            "{:<8} {:<10} {:<8} {:<4} {:>6} {:>6.2} {:>9}  {:?}",
            f.market.venue.as_str(),
            f.fill_id.as_str(),
            f.market.market.as_str(),
            f.outcome.to_string(),
            f.qty,
            f.price,
            format!("${:.4}", f.fee),
            f.liquidity,
        );
    }
}

async fn print_positions(venues: &[&SimExchange]) -> Result<(), Box<dyn Error>> {
    println!("\nPositions");
    println!(
        "{:<8} {:<8} {:<7} {:>6} {:>10} {:>10} {:>9}",
        "venue", "market", "outcome", "qty", "avg price", "cost", "fees"
    );
    rule(64);
    for ex in venues {
        for p in ex.positions().await? {
            println!(
                "{:<8} {:<8} {:<7} {:>6} {:>10} {:>10} {:>9}",
                p.market.venue.as_str(),
                p.market.market.as_str(),
                p.outcome.to_string(),
                p.qty,
                p.avg_price
                    .map_or("-".into(), |a| format!("{:.4}", a.value())),
                format!("${:.2}", p.cost_basis()),
                format!("${:.4}", p.fees_paid),
            );
        }
    }
    Ok(())
}

async fn print_balances(title: &str, venues: &[&SimExchange]) -> Result<(), Box<dyn Error>> {
    println!("\n{title}");
    println!(
        "{:<8} {:>10} {:>10} {:>10}",
        "venue", "start", "now", "change"
    );
    rule(41);
    for ex in venues {
        let b = ex.balance().await?;
        println!(
            "{:<8} {:>10} {:>10} {:>10}",
            b.venue.as_str(),
            format!("${STARTING_CASH:.2}"),
            format!("${:.4}", b.total),
            format!("{:+.4}", b.total - STARTING_CASH),
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let now = DateTime::from_timestamp(1_767_225_600, 0).ok_or("bad start time")?;
    let (market_a, market_b) = (MarketId::new("RAIN-A"), MarketId::new("rain-b"));

    // Venue A (Kalshi-like fees): YES offered at 0.45 (40) and 0.46 (100).
    let a = venue(
        "sim-a",
        "RAIN-A",
        KalshiFees::quadratic(Decimal::ONE).schedule(),
        &[(dec!(0.43), dec!(50))],
        &[(dec!(0.45), dec!(40)), (dec!(0.46), dec!(100))],
        now,
    )?;
    // Venue B (Polymarket-like fees): YES bid at 0.50 (30), i.e. NO offered at 0.50.
    let b = venue(
        "sim-b",
        "rain-b",
        PolymarketFees {
            rate: dec!(0.03),
            exponent: Decimal::ONE,
            taker_only: true,
        }
        .schedule(),
        &[(dec!(0.50), dec!(30)), (dec!(0.48), dec!(100))],
        &[(dec!(0.53), dec!(60))],
        now,
    )?;

    let yes_a = best_ask(&a, &market_a, Outcome::Yes).await?;
    let no_b = best_ask(&b, &market_b, Outcome::No).await?;
    let pair_cost = yes_a.value() + no_b.value();
    println!("Question on both venues: {QUESTION}");
    println!(
        "  YES on sim-a costs ${yes_a:.2}, NO on sim-b costs ${no_b:.2}: one of each pays exactly $1."
    );
    println!(
        "  Together ${pair_cost:.2} < $1.00: {:.0}¢ per pair before fees. Buying {CONTRACTS} pairs (IOC).",
        (Decimal::ONE - pair_cost) * dec!(100)
    );

    let order_a = buy("sim-a", "RAIN-A", Outcome::Yes, yes_a)?;
    let order_b = buy("sim-b", "rain-b", Outcome::No, no_b)?;
    let (leg_a, leg_b) = tokio::join!(a.place_order(&order_a), b.place_order(&order_b));
    let (leg_a, leg_b) = (leg_a?, leg_b?);
    print_orders(&[&leg_a, &leg_b]);

    let mut fills = a.fills_since(now).await?;
    fills.extend(b.fills_since(now).await?);
    print_fills(&fills);
    print_positions(&[&a, &b]).await?;
    print_balances("Balances", &[&a, &b]).await?;

    let hedged = leg_a.filled_qty.min(leg_b.filled_qty).value();
    let prices: Decimal = fills.iter().map(|f| f.qty.notional(f.price)).sum();
    let fees: Decimal = fills.iter().map(|f| f.fee).sum();
    let profit = hedged - prices - fees;
    println!("\nLocked in (whichever way the question resolves)");
    rule(41);
    println!("{:<28} {:>12}", "pairs held", hedged.to_string());
    println!(
        "{:<28} {:>12}",
        "payout at settlement",
        format!("${hedged:.2}")
    );
    println!(
        "{:<28} {:>12}",
        "paid for contracts",
        format!("-${prices:.4}")
    );
    println!("{:<28} {:>12}", "fees", format!("-${fees:.4}"));
    println!("{:<28} {:>12}", "locked-in profit", format!("${profit:.4}"));
    println!(
        "{:<28} {:>12}",
        "return on cost",
        format!("{:.2}%", profit / (prices + fees) * dec!(100))
    );

    // It rains: YES pays on A; B's YES wins too, so our NO there expires worthless.
    a.settle(&market_a, Outcome::Yes)?;
    b.settle(&market_b, Outcome::Yes)?;
    print_balances("After both markets settle YES", &[&a, &b]).await?;
    let total_change =
        a.balance().await?.total + b.balance().await?.total - dec!(2) * STARTING_CASH;
    println!("{:<8} {:>32}", "total", format!("{total_change:+.4}"));
    Ok(())
}
