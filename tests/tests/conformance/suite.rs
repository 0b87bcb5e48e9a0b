//! The cases: each takes a fresh harness, drives its venue as a trader would and asserts what
//! the engine relies on.

use std::sync::Arc;

use arb_core::clock::{IdSource, UniqueIds};
use arb_core::exchange::{Exchange, ExchangeError};
use arb_core::model::{
    ClientOrderId, Fill, Liquidity, Order, OrderRequest, OrderStatus, Outcome, Price, Qty, Side,
    TimeInForce, VenueOrderId,
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::{Failure, Harness, Verdict, eventually};

/// Other traders' usual book: 0.40 bid, 0.60 ask, 100 deep.
const BIDS: &[(Decimal, Decimal)] = &[(dec!(0.40), dec!(100))];
const ASKS: &[(Decimal, Decimal)] = &[(dec!(0.60), dec!(100))];

/// A YES buy of `qty` at `limit` on the harness's market, with a fresh client order id.
fn buy_yes(h: &dyn Harness, limit: Decimal, qty: Decimal, tif: TimeInForce) -> OrderRequest {
    OrderRequest {
        client_order_id: ClientOrderId::new(UniqueIds::new().next_id("conf")),
        market: h.market(),
        outcome: Outcome::Yes,
        side: Side::Buy,
        limit_price: Price::new(limit).unwrap(),
        qty: Qty::new(qty).unwrap(),
        time_in_force: tif,
    }
}

/// Places a YES buy that the venue acknowledges with an id: the request, the answer, the id.
async fn place(
    h: &dyn Harness,
    limit: Decimal,
    qty: Decimal,
    tif: TimeInForce,
) -> (OrderRequest, Order, VenueOrderId) {
    let request = buy_yes(h, limit, qty, tif);
    let placed = h.exchange().place_order(&request).await.expect("place");
    let id = placed.venue_order_id.clone().expect("venue id");
    (request, placed, id)
}

/// The answer to a marketable order that can fill: filled, or not final yet (a venue may answer
/// `Pending`/`Unknown` and report the fill later), never a terminal state without the fill.
fn assert_not_killed(placed: &Order) {
    assert!(
        placed.status == OrderStatus::Filled || !placed.status.is_terminal(),
        "{placed:#?}"
    );
}

/// The order the venue knows by `request`'s client order id, once it is final: filled in full.
async fn filled_by_client_id(ex: &dyn Exchange, request: &OrderRequest) -> Order {
    let found = eventually(
        || async {
            ex.order_by_client_id(&request.client_order_id)
                .await
                .expect("lookup")
        },
        |o| o.as_ref().is_some_and(|o| o.status.is_terminal()),
    )
    .await
    .expect("the venue knows the order by its client id");
    assert_eq!(found.status, OrderStatus::Filled, "{found:#?}");
    assert_eq!(found.filled_qty, request.qty, "{found:#?}");
    found
}

/// A minute ago: the start of the fills a case looks at.
fn recently() -> DateTime<Utc> {
    Utc::now() - chrono::Duration::minutes(1)
}

/// The order as its venue id, its client order id and its request find it; all three agree.
async fn lookups_agree(ex: &dyn Exchange, request: &OrderRequest, id: &VenueOrderId) -> Order {
    let by_id = ex.order(id).await.expect("order by venue id");
    let by_client = ex
        .order_by_client_id(&request.client_order_id)
        .await
        .expect("order by client id")
        .expect("the venue knows the client order id");
    let by_request = ex
        .order_by_request(request)
        .await
        .expect("order by request")
        .expect("the venue knows the request");
    for other in [&by_client, &by_request] {
        assert_eq!(other.venue_order_id.as_ref(), Some(id));
        assert_eq!(other.status, by_id.status);
        assert_eq!(other.filled_qty, by_id.filled_qty);
        assert_eq!(other.request.client_order_id, request.client_order_id);
    }
    assert_eq!(by_id.request.market, request.market);
    assert_eq!(by_id.request.side, request.side);
    assert_eq!(by_id.request.outcome, request.outcome);
    by_id
}

/// Our fills of one order (waiting for the venue to report them): `qty` YES bought in all,
/// each at `price`, with `liquidity` when the venue says.
async fn assert_fills(
    ex: &dyn Exchange,
    id: &VenueOrderId,
    since: DateTime<Utc>,
    (qty, price): (Decimal, Decimal),
    liquidity: Liquidity,
) {
    let fills = eventually(
        || async {
            ex.fills_since(since)
                .await
                .expect("fills")
                .into_iter()
                .filter(|f| &f.venue_order_id == id)
                .collect::<Vec<_>>()
        },
        |fills| total(fills) >= qty,
    )
    .await;
    assert_eq!(total(&fills), qty, "fills of {id}: {fills:#?}");
    for fill in &fills {
        assert_eq!(fill.price.value(), price, "{fill:#?}");
        assert_eq!(fill.liquidity, liquidity, "{fill:#?}");
        assert_eq!((fill.outcome, fill.side), (Outcome::Yes, Side::Buy));
    }
}

fn total(fills: &[Fill]) -> Decimal {
    fills.iter().map(|f| f.qty.value()).sum()
}

/// The order once `done` holds for it, read by venue id.
async fn order_when(ex: &dyn Exchange, id: &VenueOrderId, done: impl Fn(&Order) -> bool) -> Order {
    let order = eventually(|| async { ex.order(id).await.expect("order") }, &done).await;
    assert!(done(&order), "{order:#?}");
    order
}

/// The order's average fill price, where the venue's order record carries one (Polymarket's
/// does not: its fills carry the prices, checked by [`fills_of`]'s callers).
fn assert_avg(order: &Order, price: Decimal) {
    if let Some(avg) = order.avg_fill_price {
        assert_eq!(avg.value(), price, "{order:#?}");
    }
}

/// The contracts of YES held on the harness's market.
async fn yes_held(h: &dyn Harness) -> Decimal {
    let market = h.market();
    h.exchange()
        .positions()
        .await
        .expect("positions")
        .iter()
        .filter(|p| p.market == market && p.outcome == Outcome::Yes)
        .map(|p| p.qty.value())
        .sum()
}

/// A GTC order below the ask rests with nothing filled, and fills at its own price as a maker
/// when another trader sells into it; every lookup and the fills tell the same story.
pub async fn resting_order_fills_when_crossed(h: Arc<dyn Harness>) -> Verdict {
    let ex = h.exchange();
    let since = recently();
    h.set_book(BIDS, ASKS).await;
    let (request, placed, id) = place(&*h, dec!(0.45), dec!(10), TimeInForce::Gtc).await;
    assert_eq!(placed.status, OrderStatus::Open, "{placed:#?}");
    assert!(placed.filled_qty.is_zero());
    let resting = lookups_agree(ex, &request, &id).await;
    assert_eq!(resting.status, OrderStatus::Open);

    h.set_book(BIDS, &[(dec!(0.45), dec!(100))]).await;
    let filled = order_when(ex, &id, |o| o.status == OrderStatus::Filled).await;
    assert_eq!(filled.filled_qty.value(), dec!(10));
    assert_avg(&filled, dec!(0.45));
    let again = lookups_agree(ex, &request, &id).await;
    assert_eq!(again.status, OrderStatus::Filled);
    assert_fills(ex, &id, since, (dec!(10), dec!(0.45)), Liquidity::Maker).await;
    Verdict::Passed
}

/// A marketable FOK buy fills at once as a taker, and the position shows it.
pub async fn marketable_order_fills_at_once(h: Arc<dyn Harness>) -> Verdict {
    let ex = h.exchange();
    let since = recently();
    h.set_book(BIDS, ASKS).await;
    let (request, placed, id) = place(&*h, dec!(0.60), dec!(10), TimeInForce::Fok).await;
    assert_not_killed(&placed);
    let filled = order_when(ex, &id, |o| o.status == OrderStatus::Filled).await;
    assert_eq!(filled.filled_qty.value(), dec!(10));
    assert_avg(&filled, dec!(0.60));
    lookups_agree(ex, &request, &id).await;
    assert_fills(ex, &id, since, (dec!(10), dec!(0.60)), Liquidity::Taker).await;
    let held = eventually(|| yes_held(&*h), |q| *q >= dec!(10)).await;
    assert_eq!(held, dec!(10));
    Verdict::Passed
}

/// A resting order partly filled then cancelled ends `Cancelled` keeping what filled.
pub async fn partial_fill_then_cancel_keeps_the_filled_quantity(h: Arc<dyn Harness>) -> Verdict {
    let ex = h.exchange();
    let since = recently();
    h.set_book(BIDS, ASKS).await;
    let (request, placed, id) = place(&*h, dec!(0.45), dec!(10), TimeInForce::Gtc).await;
    assert_eq!(placed.status, OrderStatus::Open, "{placed:#?}");

    h.set_book(BIDS, &[(dec!(0.45), dec!(6)), (dec!(0.60), dec!(100))])
        .await;
    let partial = order_when(ex, &id, |o| o.filled_qty.value() == dec!(6)).await;
    assert_eq!(partial.status, OrderStatus::PartiallyFilled, "{partial:#?}");
    assert_eq!(partial.remaining_qty().value(), dec!(4));
    // Nothing new traded: asking again (three ways) does not fill more.
    let asked = lookups_agree(ex, &request, &id).await;
    assert_eq!(asked.filled_qty.value(), dec!(6), "{asked:#?}");
    assert_eq!(asked.status, OrderStatus::PartiallyFilled);

    let cancelled = ex.cancel_order(&id).await.expect("cancel");
    assert_eq!(cancelled.status, OrderStatus::Cancelled, "{cancelled:#?}");
    assert_eq!(cancelled.filled_qty.value(), dec!(6));
    assert!(cancelled.remaining_qty().is_zero());
    let after = lookups_agree(ex, &request, &id).await;
    assert_eq!(after.status, OrderStatus::Cancelled);
    assert_eq!(after.filled_qty.value(), dec!(6));
    assert_fills(ex, &id, since, (dec!(6), dec!(0.45)), Liquidity::Maker).await;
    Verdict::Passed
}

/// A venue that fills buys by cash buys more than asked at a better price: the order, its
/// fills and the position all report the extra contracts (the executor hedges what filled).
pub async fn a_buy_filled_beyond_its_quantity_is_reported(h: Arc<dyn Harness>) -> Verdict {
    if let Err(u) = h.fills_buys_by_cash().await {
        return u.into();
    }
    let ex = h.exchange();
    let since = recently();
    h.set_book(BIDS, &[(dec!(0.50), dec!(100))]).await;
    // $6.00 at up to 0.60 buys 12 contracts at 0.50.
    let (request, placed, id) = place(&*h, dec!(0.60), dec!(10), TimeInForce::Fok).await;
    assert_not_killed(&placed);
    let filled = order_when(ex, &id, |o| o.status == OrderStatus::Filled).await;
    assert_eq!(filled.filled_qty.value(), dec!(12), "{filled:#?}");
    assert_avg(&filled, dec!(0.50));
    assert!(filled.remaining_qty().is_zero());
    lookups_agree(ex, &request, &id).await;
    assert_fills(ex, &id, since, (dec!(12), dec!(0.50)), Liquidity::Taker).await;
    let held = eventually(|| yes_held(&*h), |q| *q >= dec!(12)).await;
    assert_eq!(held, dec!(12));
    Verdict::Passed
}

/// A "pending" answer is never "nothing filled": the order executes later and the lookups see it.
pub async fn a_pending_answer_is_followed_to_its_fill(h: Arc<dyn Harness>) -> Verdict {
    if let Err(u) = h.delay_next_order().await {
        return u.into();
    }
    let ex = h.exchange();
    h.set_book(BIDS, ASKS).await;
    let (request, placed, id) = place(&*h, dec!(0.60), dec!(10), TimeInForce::Fok).await;
    assert_eq!(placed.status, OrderStatus::Pending, "{placed:#?}");
    assert!(!placed.status.is_terminal());
    let found = filled_by_client_id(ex, &request).await;
    assert_eq!(found.venue_order_id.as_ref(), Some(&id));
    lookups_agree(ex, &request, &id).await;
    Verdict::Passed
}

/// An order whose answer is lost fails with a retryable error that says the order may exist,
/// and the lookup by client order id then finds it, executed.
pub async fn a_lost_answer_may_exist_and_is_found_by_client_id(h: Arc<dyn Harness>) -> Verdict {
    if let Err(u) = h.lose_next_answer().await {
        return u.into();
    }
    let ex = h.exchange();
    h.set_book(BIDS, ASKS).await;
    let request = buy_yes(&*h, dec!(0.60), dec!(10), TimeInForce::Fok);
    let error = ex
        .place_order(&request)
        .await
        .expect_err("the answer is lost");
    assert!(matches!(error, ExchangeError::Timeout(_)), "{error:?}");
    assert!(error.order_may_exist() && error.is_retryable(), "{error:?}");
    let found = filled_by_client_id(ex, &request).await;
    let id = found.venue_order_id.clone().expect("venue id");
    lookups_agree(ex, &request, &id).await;
    Verdict::Passed
}

/// An order answered with `failure`: classified as `retryable`/`may_exist`, absent from the
/// venue, and the same request sent again afterwards fills.
async fn refused_order(
    h: &dyn Harness,
    failure: Failure,
    expected: fn(&ExchangeError) -> bool,
    retryable: bool,
) -> Verdict {
    if let Err(u) = h.fail_next_order(failure).await {
        return u.into();
    }
    let ex = h.exchange();
    h.set_book(BIDS, ASKS).await;
    let request = buy_yes(h, dec!(0.60), dec!(10), TimeInForce::Fok);
    let error = ex.place_order(&request).await.expect_err("refused");
    assert!(expected(&error), "{failure:?}: {error:?}");
    assert_eq!(error.is_retryable(), retryable, "{error:?}");
    let lookup = ex.order_by_client_id(&request.client_order_id).await;
    assert!(
        matches!(lookup, Ok(None)),
        "{failure:?}: the venue never took the order: {lookup:?}"
    );
    let retried = ex.place_order(&request).await.expect("the retry");
    let id = retried.venue_order_id.clone().expect("venue id");
    let filled = order_when(ex, &id, |o| o.status == OrderStatus::Filled).await;
    assert_eq!(filled.filled_qty.value(), dec!(10));
    Verdict::Passed
}

/// A 5xx answer to an order is retryable and may hide an order (so it is looked up first).
pub async fn an_unavailable_venue_is_retryable(h: Arc<dyn Harness>) -> Verdict {
    let is = |e: &ExchangeError| matches!(e, ExchangeError::Unavailable(_)) && e.order_may_exist();
    refused_order(&*h, Failure::Unavailable, is, true).await
}

/// A 429 answer is retryable; the venue did not take the order.
pub async fn a_rate_limited_order_is_retryable(h: Arc<dyn Harness>) -> Verdict {
    let is =
        |e: &ExchangeError| matches!(e, ExchangeError::RateLimited { .. }) && !e.order_may_exist();
    refused_order(&*h, Failure::RateLimited, is, true).await
}

/// A refusal (400) is not retryable and leaves no order.
pub async fn a_rejected_order_is_not_retryable(h: Arc<dyn Harness>) -> Verdict {
    let is =
        |e: &ExchangeError| matches!(e, ExchangeError::Rejected { .. }) && !e.order_may_exist();
    refused_order(&*h, Failure::Rejected, is, false).await
}

/// An answer that cannot be read may hide an order: `order_may_exist()`, so it is looked up
/// (here the venue never took it) before the request is sent again.
pub async fn a_garbled_answer_may_hide_an_order(h: Arc<dyn Harness>) -> Verdict {
    let is = |e: &ExchangeError| matches!(e, ExchangeError::Decode { .. }) && e.order_may_exist();
    refused_order(&*h, Failure::Garbled, is, false).await
}

/// An order the cash cannot pay for is refused as insufficient balance: not retryable, no
/// order left behind, cash unchanged.
pub async fn an_order_beyond_the_cash_is_refused(h: Arc<dyn Harness>) -> Verdict {
    let ex = h.exchange();
    h.set_book(BIDS, ASKS).await;
    let before = ex.balance().await.expect("balance");
    let request = buy_yes(&*h, dec!(0.59), dec!(10000), TimeInForce::Gtc);
    let error = ex.place_order(&request).await.expect_err("too big");
    assert!(
        matches!(error, ExchangeError::InsufficientBalance(_)),
        "{error:?}"
    );
    assert!(
        !error.is_retryable() && !error.order_may_exist(),
        "{error:?}"
    );
    let lookup = ex.order_by_client_id(&request.client_order_id).await;
    assert!(matches!(lookup, Ok(None)), "{lookup:?}");
    let after = ex.balance().await.expect("balance");
    assert_eq!(after.available, before.available);
    Verdict::Passed
}
