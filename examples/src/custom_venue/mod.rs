//! Adding a venue: a small but complete venue implementing [`Exchange`], used end to end.
//!
//! The venue is "Bookie", a toy fixed-odds house (see [`house`]): it quotes a price for YES
//! and for NO on each market and sells tickets at that price. It speaks its own wire units —
//! basis points, micro-dollars, whole tickets, milliseconds — and charges a flat commission
//! per ticket, which none of the built-in fee schedules describes. Three pieces make it a
//! venue the engine can trade:
//!
//! 1. [`adapter::BookieExchange`] implements every method of [`Exchange`], converting units at
//!    the edge and mapping the house's error codes to [`ExchangeError`]s;
//! 2. [`fees::FlatCommission`] implements [`arb_core::fees::FeeModel`] (returned by
//!    `Exchange::fee_model`), exact to the micro-dollar, so detection prices it correctly;
//! 3. nothing else: the detector, executor and engine only ever see the trait.
//!
//! [`run`] then uses the venue like the engine would: lists markets, reads a book, places an
//! order and reads it back, shows the errors bad orders get, follows a book stream, and finally
//! finds and executes an arbitrage between Bookie and a [`SimExchange`] with
//! [`best_opportunity`], settling both markets to show the locked-in profit arrive in cash.

pub mod adapter;
pub mod fees;
pub mod house;

use std::io::Write;
use std::sync::Arc;

use arb_core::Decimal;
use arb_core::clock::{Clock, ManualClock, SequentialIds};
use arb_core::detect::{DetectLimits, PairView, best_opportunity};
use arb_core::exchange::{BookEvent, Exchange, ExchangeError};
use arb_core::model::{
    ClientOrderId, Legs, Level, Liquidity, MarketId, MarketKey, Opportunity, OpportunityLeg, Order,
    OrderRequest, OrderStatus, Outcome, PairId, PairStatus, Polarity, Price, Qty, Side,
    TimeInForce, VerifiedPair,
};
use arb_core::sim::{SimConfig, SimExchange, binary_market, levels};
use arb_kalshi::KalshiFees;
use chrono::Duration;
use futures::StreamExt;
use rust_decimal_macros::dec;

use crate::{Result, ensure, start_time, usd};
use adapter::BookieExchange;
use house::{House, WireMarket, WireQuote, WireState};

/// The question both venues list in the arbitrage part.
const FINAL: &str = "Will the home team win the cup final?";

/// What the example did, for its tests.
#[derive(Clone, Debug)]
pub struct CustomVenueSummary {
    /// Markets `list_markets` returned (open ones only).
    pub markets_listed: Vec<MarketId>,
    /// The first order: 10 YES tickets on `RAIN-FRI`.
    pub first_order: Order,
    /// Bookie cash after the first order.
    pub cash_after_first_order: Decimal,
    /// The errors three bad orders got, in order: off-grid price, GTC, too large.
    pub rejections: Vec<ExchangeError>,
    /// The best price the book stream reported for YES on `FINAL-HOME` after the requote.
    pub streamed_yes_ask: Price,
    /// The arbitrage found between Bookie and the simulated venue.
    pub opportunity: Opportunity,
    /// Its two orders (Bookie, then the simulated venue).
    pub arbitrage_orders: [Order; 2],
    /// Cash gained on both venues by the arbitrage once both markets settled.
    pub arbitrage_pnl: Decimal,
}

/// Runs the example, writing its account to `out`.
pub async fn run(out: &mut dyn Write) -> Result<CustomVenueSummary> {
    let start = start_time()?;
    let clock = Arc::new(ManualClock::new(start));

    // --- The venue: a house with $500 of our cash, charging $0.005 per ticket. -------------
    let bookie = BookieExchange::new("bookie", House::new(500_000_000, 5_000), clock.clone());
    let closes_at_ms = (start + Duration::days(7)).timestamp_millis();
    for (code, question, yes_bps, no_bps, state) in [
        ("FINAL-HOME", FINAL, 4_500, 6_000, WireState::Open),
        (
            "RAIN-FRI",
            "Will it rain in New York City on Friday?",
            3_000,
            7_300,
            WireState::Open,
        ),
        (
            "DERBY-DRAW",
            "Will the derby end in a draw?",
            2_500,
            7_900,
            WireState::Suspended,
        ),
    ] {
        bookie.list(WireMarket {
            code: code.into(),
            question: question.into(),
            closes_at_ms,
            quote: WireQuote {
                yes_bps,
                no_bps,
                yes_tickets: 120,
                no_tickets: 200,
            },
            state,
        });
    }

    // --- 1. The catalogue: only open markets, in core types. ---------------------------------
    writeln!(out, "1. list_markets() on `{}`", bookie.venue())?;
    let markets = bookie.list_markets().await?.markets;
    for m in &markets {
        writeln!(
            out,
            "   {:<12} {:<42} closes {}  tick ${}  min {} contract",
            m.key.market.as_str(),
            m.title,
            m.close_time.format("%Y-%m-%d"),
            m.price_grid
                .bands()
                .first()
                .ok_or("a grid has a band")?
                .step,
            m.min_order_qty,
        )?;
    }
    let suspended = bookie.market(&MarketId::new("DERBY-DRAW")).await?;
    writeln!(
        out,
        "   (DERBY-DRAW is {:?}: market() still finds it, list_markets() leaves it out)",
        suspended.status
    )?;

    // --- 2. A book: the house sells each outcome at one price, up to its liability limit. ---
    let rain = MarketId::new("RAIN-FRI");
    let book = bookie.order_book(&rain).await?;
    writeln!(
        out,
        "\n2. order_book(RAIN-FRI): the house's quote as a book"
    )?;
    for outcome in [Outcome::Yes, Outcome::No] {
        let ask = book
            .book(outcome)
            .best_ask()
            .ok_or("the house quotes both outcomes")?;
        writeln!(
            out,
            "   buy {outcome:<3} at ${:.2} (up to {} contracts); no bids: the house never buys back",
            ask.price, ask.qty
        )?;
    }
    let commission = bookie.fee_model(&bookie.market(&rain).await?);

    // --- 3. An order, read back every way the engine reads orders. --------------------------
    let request = buy(
        &bookie.venue(),
        "RAIN-FRI",
        Outcome::Yes,
        dec!(0.30),
        dec!(10),
    )?;
    let first_order = bookie.place_order(&request).await?;
    let venue_id = first_order
        .venue_order_id
        .clone()
        .ok_or("orders get an id")?;
    writeln!(
        out,
        "\n3. place_order(buy 10 YES on RAIN-FRI at $0.30, IOC)"
    )?;
    writeln!(
        out,
        "   -> ticket {venue_id}: {:?}, {} filled at ${:.2}, commission {}",
        first_order.status,
        first_order.filled_qty,
        first_order.avg_fill_price.ok_or("it filled")?,
        usd(first_order.fees_paid)
    )?;
    let expected_fee = commission.order_fee(
        &[Level::new(Price::new(dec!(0.30))?, Qty::new(dec!(10))?)],
        Liquidity::Taker,
    );
    ensure(first_order.fees_paid == expected_fee, || {
        format!(
            "fee model says {expected_fee}, the house charged {}",
            first_order.fees_paid
        )
    })?;
    ensure(bookie.order(&venue_id).await? == first_order, || {
        "order() disagrees with place_order()".into()
    })?;
    ensure(
        bookie.order_by_client_id(&request.client_order_id).await? == Some(first_order.clone()),
        || "order_by_client_id() disagrees with place_order()".into(),
    )?;
    ensure(bookie.cancel_order(&venue_id).await? == first_order, || {
        "cancelling a final ticket must return it unchanged".into()
    })?;
    // Sending the same client order id again must not buy twice (the engine relies on it).
    ensure(bookie.place_order(&request).await? == first_order, || {
        "a repeated client order id bought again".into()
    })?;
    writeln!(
        out,
        "   order(), order_by_client_id(), cancel_order() and a resend of the same client id \
         all return this same ticket"
    )?;
    for p in bookie.positions().await? {
        writeln!(
            out,
            "   position: {} {} x{} at avg ${:.2}, commission {}",
            p.market,
            p.outcome,
            p.qty,
            p.avg_price.ok_or("held positions have a price")?,
            usd(p.fees_paid)
        )?;
    }
    let fills = bookie.fills_since(start).await?;
    writeln!(out, "   fills since start: {}", fills.len())?;
    let cash_after_first_order = bookie.balance().await?.total;
    writeln!(
        out,
        "   balance: {} (was $500.00: 10 x $0.30 + $0.05 commission)",
        usd(cash_after_first_order)
    )?;
    ensure(cash_after_first_order == dec!(496.95), || {
        format!("cash should be $496.95, is ${cash_after_first_order}")
    })?;

    // --- 4. Bad orders get typed errors, before anything reaches the house. ------------------
    writeln!(out, "\n4. Bad orders are refused with typed errors")?;
    let mut rejections = Vec::new();
    for (label, request) in [
        (
            "price $0.30005 (off grid)",
            buy(
                &bookie.venue(),
                "RAIN-FRI",
                Outcome::Yes,
                dec!(0.30005),
                dec!(1),
            )?,
        ),
        (
            "good-till-cancelled",
            OrderRequest {
                time_in_force: TimeInForce::Gtc,
                ..buy(
                    &bookie.venue(),
                    "RAIN-FRI",
                    Outcome::No,
                    dec!(0.73),
                    dec!(1),
                )?
            },
        ),
        (
            "5,000 contracts",
            buy(
                &bookie.venue(),
                "RAIN-FRI",
                Outcome::No,
                dec!(0.73),
                dec!(5000),
            )?,
        ),
    ] {
        let error = bookie
            .place_order(&request)
            .await
            .err()
            .ok_or_else(|| format!("{label} was accepted"))?;
        writeln!(out, "   {label:<26} -> {error}")?;
        rejections.push(error);
    }

    // --- 5. Streaming: a snapshot first, then every change. ----------------------------------
    let home = MarketId::new("FINAL-HOME");
    let mut stream = bookie.subscribe_books(std::slice::from_ref(&home)).await?;
    let yes_ask = |event: Option<BookEvent>| -> Result<Price> {
        match event {
            Some(BookEvent::Book { book, .. }) => Ok(book
                .book(Outcome::Yes)
                .best_ask()
                .ok_or("YES is quoted")?
                .price),
            other => Err(format!("expected a book, got {other:?}").into()),
        }
    };
    let before = yes_ask(stream.next().await)?;
    // The house lengthens its odds on the home team: YES from $0.45 to $0.44.
    bookie.requote(
        "FINAL-HOME",
        WireQuote {
            yes_bps: 4_400,
            no_bps: 6_000,
            yes_tickets: 120,
            no_tickets: 200,
        },
    )?;
    let streamed_yes_ask = yes_ask(stream.next().await)?;
    writeln!(
        out,
        "\n5. subscribe_books(FINAL-HOME): snapshot YES ${before:.2}, then after a requote YES ${streamed_yes_ask:.2}"
    )?;
    drop(stream);

    // --- 6. Arbitrage against a simulated venue listing the same question. -------------------
    let sim = SimExchange::new(
        SimConfig::new("sim", dec!(200)),
        clock.clone(),
        Arc::new(SequentialIds::default()),
    );
    let sim_market = MarketId::new("HOME-WIN");
    sim.add_market(binary_market(
        MarketKey::new("sim", "HOME-WIN"),
        FINAL,
        KalshiFees::quadratic(Decimal::ONE).schedule(),
        start + Duration::days(7),
    )?)?;
    // YES bids at 0.50 and 0.49 mean NO is offered at 0.50 (80) and 0.51 (100).
    sim.set_book(
        &sim_market,
        &levels(&[(dec!(0.50), dec!(80)), (dec!(0.49), dec!(100))])?,
        &levels(&[(dec!(0.53), dec!(100))])?,
    )?;

    // A person confirmed these two markets are the same event (here: by fiat).
    let (market_a, market_b) = (bookie.market(&home).await?, sim.market(&sim_market).await?);
    let pair = VerifiedPair {
        id: PairId(1),
        a: market_a.key.clone(),
        b: market_b.key.clone(),
        polarity: Polarity::Same,
        status: PairStatus::Active,
        rules_hash_a: market_a.rules_hash(),
        rules_hash_b: market_b.rules_hash(),
        approved_by: "example".into(),
        approved_at: start,
    };
    let (book_a, book_b) = (
        bookie.order_book(&home).await?,
        sim.order_book(&sim_market).await?,
    );
    // The detector takes each venue's fee model from the venue itself: Bookie's flat
    // commission and the simulated venue's Kalshi schedule.
    let (fees_a, fees_b) = (bookie.fee_model(&market_a), sim.fee_model(&market_b));
    let (cash_a, cash_b) = (
        bookie.balance().await?.available,
        sim.balance().await?.available,
    );
    let view = PairView {
        pair: &pair,
        markets: Legs::new(&market_a, &market_b),
        books: Legs::new(&book_a, &book_b),
        fees: Legs::new(fees_a.as_ref(), fees_b.as_ref()),
    };
    let limits = DetectLimits {
        min_profit_fraction: dec!(0.01),
        min_profit_usd: dec!(0.10),
        max_trade_usd: dec!(200),
        remaining_exposure_a_usd: dec!(150),
        remaining_exposure_b_usd: dec!(150),
        balance_a_usd: cash_a,
        balance_b_usd: cash_b,
        max_book_age: Duration::seconds(5),
    };
    let opportunity = best_opportunity(&view, &limits, clock.now())?;
    writeln!(
        out,
        "\n6. best_opportunity(bookie:FINAL-HOME vs sim:HOME-WIN)"
    )?;
    for leg in opportunity.legs() {
        print_leg(out, leg)?;
    }
    writeln!(
        out,
        "   {} pairs for {} -> guaranteed profit {} ({:.2}% of cost)",
        opportunity.qty,
        usd(opportunity.total_cost),
        usd(opportunity.profit),
        opportunity.profit_fraction * dec!(100)
    )?;
    // The fee model's two descriptions of the commission agree (the detector used the rule).
    let rule_fee = fees_a
        .rule(Liquidity::Taker)
        .ok_or("FlatCommission has a rule")?
        .order_fee(&opportunity.leg_a.levels);
    ensure(rule_fee == opportunity.leg_a.fee, || {
        format!(
            "rule says ${rule_fee}, order_fee says ${}",
            opportunity.leg_a.fee
        )
    })?;

    // Both legs at once, immediate-or-cancel at the opportunity's limits.
    let order_a = leg_order(&opportunity.leg_a, "arb-a")?;
    let order_b = leg_order(&opportunity.leg_b, "arb-b")?;
    let (filled_a, filled_b) =
        tokio::join!(bookie.place_order(&order_a), sim.place_order(&order_b));
    let arbitrage_orders = [filled_a?, filled_b?];
    for (order, leg) in arbitrage_orders.iter().zip(opportunity.legs()) {
        writeln!(
            out,
            "   {:<17} {:?} {} at avg ${:.4}, fee {}",
            order.request.market.to_string(),
            order.status,
            order.filled_qty,
            order.avg_fill_price.ok_or("both legs filled")?,
            usd(order.fees_paid)
        )?;
        ensure(
            order.status == OrderStatus::Filled && order.fees_paid == leg.fee,
            || {
                format!(
                    "{} did not fill as detected: {order:?}",
                    order.request.market
                )
            },
        )?;
    }

    // --- 7. Settlement: the home team wins. YES pays on Bookie, NO expires on the sim. -------
    bookie.settle(&home, Outcome::Yes)?;
    sim.settle(&sim_market, Outcome::Yes)?;
    let gained_a = bookie.balance().await?.total - cash_a;
    let gained_b = sim.balance().await?.total - cash_b;
    let arbitrage_pnl = gained_a + gained_b;
    writeln!(
        out,
        "\n7. Both markets settle YES: bookie {gained_a:+.2}, sim {gained_b:+.2}, together \
         {arbitrage_pnl:+.2} = the detected profit"
    )?;
    ensure(arbitrage_pnl == opportunity.profit, || {
        format!(
            "settled PnL {arbitrage_pnl} differs from the detected {}",
            opportunity.profit
        )
    })?;

    Ok(CustomVenueSummary {
        markets_listed: markets.into_iter().map(|m| m.key.market).collect(),
        first_order,
        cash_after_first_order,
        rejections,
        streamed_yes_ask,
        opportunity,
        arbitrage_orders,
        arbitrage_pnl,
    })
}

/// An IOC buy of `qty` `outcome` contracts on `venue:market` at `limit`.
fn buy(
    venue: &arb_core::model::VenueId,
    market: &str,
    outcome: Outcome,
    limit: Decimal,
    qty: Decimal,
) -> Result<OrderRequest> {
    Ok(OrderRequest {
        client_order_id: ClientOrderId::new(format!("example-{market}-{outcome}-{qty}")),
        market: MarketKey::new(venue.clone(), market),
        outcome,
        side: Side::Buy,
        limit_price: Price::new(limit)?,
        qty: Qty::new(qty)?,
        time_in_force: TimeInForce::Ioc,
    })
}

/// The IOC order for one leg of an opportunity.
fn leg_order(leg: &OpportunityLeg, id: &str) -> Result<OrderRequest> {
    Ok(OrderRequest {
        client_order_id: ClientOrderId::new(id),
        market: leg.market.clone(),
        outcome: leg.outcome,
        side: Side::Buy,
        limit_price: leg.limit_price,
        qty: leg.qty,
        time_in_force: TimeInForce::Ioc,
    })
}

fn print_leg(out: &mut dyn Write, leg: &OpportunityLeg) -> Result<()> {
    let levels: Vec<String> = leg
        .levels
        .iter()
        .map(|l| format!("{} @ ${:.2}", l.qty, l.price))
        .collect();
    writeln!(
        out,
        "   buy {:<3} on {:<17} {} (cost {}, fee {})",
        leg.outcome,
        leg.market.to_string(),
        levels.join(" + "),
        usd(leg.cost),
        usd(leg.fee)
    )?;
    Ok(())
}
