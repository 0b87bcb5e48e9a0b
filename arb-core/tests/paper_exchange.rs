//! `PaperExchange`: live market data from a (fake) live venue, paper fills against its books,
//! settlement when the live market resolves, and nothing ever sent to its trading endpoints.

// Test helpers outside `#[test]` functions unwrap fixtures that are known to be valid.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arb_core::clock::{ManualClock, SequentialIds};
use arb_core::exchange::{BookStream, Exchange, ExchangeError, MarketListing};
use arb_core::fees::{FeeRule, FeeSchedule};
use arb_core::model::{
    Balance, BinaryBook, ClientOrderId, Fill, Liquidity, Market, MarketId, MarketKey, MarketStatus,
    Order, OrderRequest, OrderStatus, Outcome, Position, Price, Qty, Side, TimeInForce, VenueId,
    VenueOrderId,
};
use arb_core::sim::{PaperExchange, SettlementReport, VoidedMarket, binary_market, levels};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

/// Market-data methods the paper venue may call on the live venue.
const MARKET_DATA: [&str; 5] = [
    "list_markets",
    "market",
    "order_book",
    "order_books",
    "subscribe_books",
];

/// A live venue whose market data is scripted and whose trading endpoints record the call and
/// fail: every test checks they were never reached.
#[derive(Debug, Default)]
struct FakeLive {
    markets: Mutex<BTreeMap<MarketId, Market>>,
    books: Mutex<BTreeMap<MarketId, BinaryBook>>,
    /// The next market-data call fails with this.
    fail_next: Mutex<Option<ExchangeError>>,
    calls: Mutex<Vec<&'static str>>,
}

impl FakeLive {
    fn called(&self, method: &'static str) -> Result<(), ExchangeError> {
        self.calls.lock().unwrap().push(method);
        if !MARKET_DATA.contains(&method) {
            return Err(ExchangeError::Unsupported(format!(
                "{method} reached the live venue"
            )));
        }
        self.fail_next.lock().unwrap().take().map_or(Ok(()), Err)
    }

    fn trading_calls(&self) -> Vec<&'static str> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .copied()
            .filter(|m| !MARKET_DATA.contains(m))
            .collect()
    }

    fn count(&self, method: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|m| **m == method)
            .count()
    }

    fn fail_next(&self, e: ExchangeError) {
        *self.fail_next.lock().unwrap() = Some(e);
    }

    fn set_status(&self, id: &MarketId, status: MarketStatus) {
        self.markets.lock().unwrap().get_mut(id).unwrap().status = status;
    }

    /// A Kalshi-style book: YES bids and NO bids (YES asks are 1 − NO bids).
    fn set_bids(&self, id: &MarketId, yes: &[(Decimal, Decimal)], no: &[(Decimal, Decimal)]) {
        let book = BinaryBook::from_bids(levels(yes).unwrap(), levels(no).unwrap(), t0());
        self.books.lock().unwrap().insert(id.clone(), book);
    }
}

#[async_trait]
impl Exchange for FakeLive {
    fn venue(&self) -> VenueId {
        VenueId::new("kalshi")
    }

    async fn list_markets(&self) -> Result<MarketListing, ExchangeError> {
        self.called("list_markets")?;
        Ok(MarketListing::complete(
            self.markets.lock().unwrap().values().cloned().collect(),
        ))
    }

    async fn market(&self, market: &MarketId) -> Result<Market, ExchangeError> {
        self.called("market")?;
        self.markets
            .lock()
            .unwrap()
            .get(market)
            .cloned()
            .ok_or_else(|| ExchangeError::NotFound(format!("market {market}")))
    }

    async fn order_book(&self, market: &MarketId) -> Result<BinaryBook, ExchangeError> {
        self.called("order_book")?;
        self.books
            .lock()
            .unwrap()
            .get(market)
            .cloned()
            .ok_or_else(|| ExchangeError::NotFound(format!("book {market}")))
    }

    async fn order_books(
        &self,
        markets: &[MarketId],
    ) -> Result<Vec<(MarketId, BinaryBook)>, ExchangeError> {
        self.called("order_books")?;
        let books = self.books.lock().unwrap();
        Ok(markets
            .iter()
            .filter_map(|m| books.get(m).map(|b| (m.clone(), b.clone())))
            .collect())
    }

    async fn subscribe_books(&self, _: &[MarketId]) -> Result<BookStream, ExchangeError> {
        self.called("subscribe_books")?;
        Ok(Box::pin(futures::stream::empty()))
    }

    async fn place_order(&self, _: &OrderRequest) -> Result<Order, ExchangeError> {
        self.called("place_order")?;
        Err(ExchangeError::Unsupported("unreachable".into()))
    }

    async fn cancel_order(&self, _: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.called("cancel_order")?;
        Err(ExchangeError::Unsupported("unreachable".into()))
    }

    async fn order(&self, _: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.called("order")?;
        Err(ExchangeError::Unsupported("unreachable".into()))
    }

    async fn order_by_client_id(&self, _: &ClientOrderId) -> Result<Option<Order>, ExchangeError> {
        self.called("order_by_client_id")?;
        Err(ExchangeError::Unsupported("unreachable".into()))
    }

    async fn fills_since(&self, _: DateTime<Utc>) -> Result<Vec<Fill>, ExchangeError> {
        self.called("fills_since")?;
        Err(ExchangeError::Unsupported("unreachable".into()))
    }

    async fn positions(&self) -> Result<Vec<Position>, ExchangeError> {
        self.called("positions")?;
        Err(ExchangeError::Unsupported("unreachable".into()))
    }

    async fn balance(&self) -> Result<Balance, ExchangeError> {
        self.called("balance")?;
        Err(ExchangeError::Unsupported("unreachable".into()))
    }
}

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).unwrap()
}

fn rain() -> MarketId {
    MarketId::new("KXRAIN-25")
}

/// A live Kalshi market (standard quadratic taker fees) whose book is
/// YES bids 0.40×10, 0.39×20 and NO bids 0.58×5, 0.57×7, 0.55×50 — so YES asks
/// 0.42×5, 0.43×7, 0.45×50 and NO asks 0.60×10, 0.61×20.
fn live_venue() -> Arc<FakeLive> {
    let live = Arc::new(FakeLive::default());
    let market = binary_market(
        MarketKey::new("kalshi", rain()),
        "Will it rain in NYC tomorrow?",
        FeeSchedule::taker_only(FeeRule::quadratic(
            dec!(0.07),
            dec!(0.0001),
            Some(dec!(0.01)),
        )),
        t0() + chrono::Duration::days(1),
    )
    .unwrap();
    live.markets.lock().unwrap().insert(rain(), market);
    live.set_bids(
        &rain(),
        &[(dec!(0.40), dec!(10)), (dec!(0.39), dec!(20))],
        &[
            (dec!(0.58), dec!(5)),
            (dec!(0.57), dec!(7)),
            (dec!(0.55), dec!(50)),
        ],
    );
    live
}

/// Paper trading with $100 on the live venue; settlement checked on every `positions`/`balance`
/// call unless a test says otherwise.
fn paper(live: &Arc<FakeLive>) -> (PaperExchange, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    let ex = PaperExchange::new(
        live.clone(),
        dec!(100),
        clock.clone(),
        Arc::new(SequentialIds::default()),
    )
    .with_settle_interval(Duration::ZERO);
    (ex, clock)
}

fn order(
    id: &str,
    outcome: Outcome,
    price: Decimal,
    qty: Decimal,
    tif: TimeInForce,
) -> OrderRequest {
    OrderRequest {
        client_order_id: ClientOrderId::new(id),
        market: MarketKey::new("kalshi", rain()),
        outcome,
        side: Side::Buy,
        limit_price: Price::new(price).unwrap(),
        qty: Qty::new(qty).unwrap(),
        time_in_force: tif,
    }
}

/// Buys 15 YES FOK at up to 0.45: 5 @ 0.42, 7 @ 0.43, 3 @ 0.45 = $6.46, Kalshi fee
/// ⌈0.0853 + 0.1201 + 0.0520⌉ = $0.26.
async fn buy_15_yes(ex: &PaperExchange) -> Order {
    ex.place_order(&order(
        "y1",
        Outcome::Yes,
        dec!(0.45),
        dec!(15),
        TimeInForce::Fok,
    ))
    .await
    .unwrap()
}

async fn cash(ex: &PaperExchange) -> (Decimal, Decimal) {
    let b = ex.balance().await.unwrap();
    (b.total, b.available)
}

#[tokio::test]
async fn reports_the_live_venue_and_its_market_data() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    assert_eq!(ex.venue(), VenueId::new("kalshi"));
    let markets = ex.list_markets().await.unwrap().markets;
    assert_eq!(markets.len(), 1);
    assert_eq!(markets[0].key.market, rain());
    let book = ex.order_book(&rain()).await.unwrap();
    assert_eq!(book.yes.best_ask().unwrap().price.value(), dec!(0.42));
    let books = ex.order_books(&[rain()]).await.unwrap();
    assert_eq!(books[0].1, book);
    assert!(ex.subscribe_books(&[rain()]).await.is_ok());
    assert!(live.trading_calls().is_empty());
}

#[tokio::test]
async fn a_fok_buy_walks_the_live_depth_and_pays_kalshi_fees() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    let o = buy_15_yes(&ex).await;
    assert_eq!(o.status, OrderStatus::Filled);
    assert_eq!(o.filled_qty.value(), dec!(15));
    assert_eq!(o.fees_paid, dec!(0.26));

    let fills: Vec<_> = ex
        .fills_since(t0())
        .await
        .unwrap()
        .iter()
        .map(|f| (f.price.value(), f.qty.value(), f.liquidity))
        .collect();
    assert_eq!(
        fills,
        vec![
            (dec!(0.42), dec!(5), Liquidity::Taker),
            (dec!(0.43), dec!(7), Liquidity::Taker),
            (dec!(0.45), dec!(3), Liquidity::Taker),
        ]
    );
    // 100 − 6.46 − 0.26
    assert_eq!(cash(&ex).await, (dec!(93.28), dec!(93.28)));
    let positions = ex.positions().await.unwrap();
    assert_eq!(positions.len(), 1);
    assert_eq!(positions[0].outcome, Outcome::Yes);
    assert_eq!(positions[0].qty.value(), dec!(15));
    assert_eq!(positions[0].fees_paid, dec!(0.26));
    assert!(live.trading_calls().is_empty());
}

#[tokio::test]
async fn each_order_sees_the_live_book_again() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    buy_15_yes(&ex).await;
    // The live book did not move: our paper fills did not consume it, so the same depth is
    // there for the next order.
    let again = ex
        .place_order(&order(
            "y2",
            Outcome::Yes,
            dec!(0.42),
            dec!(5),
            TimeInForce::Ioc,
        ))
        .await
        .unwrap();
    assert_eq!(again.status, OrderStatus::Filled);
    assert_eq!(again.avg_fill_price.unwrap().value(), dec!(0.42));
    assert_eq!(live.count("order_book"), 2);
    assert_eq!(live.count("market"), 1, "the market is loaded once");
}

#[tokio::test]
async fn a_fok_the_live_depth_cannot_fill_is_killed() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    // NO asks: 0.60×10, 0.61×20 — 30 within the limit, 40 asked.
    let o = ex
        .place_order(&order(
            "n1",
            Outcome::No,
            dec!(0.61),
            dec!(40),
            TimeInForce::Fok,
        ))
        .await
        .unwrap();
    assert_eq!(o.status, OrderStatus::Cancelled);
    assert_eq!(o.filled_qty, Qty::ZERO);
    assert_eq!(o.fees_paid, Decimal::ZERO);
    assert!(ex.fills_since(t0()).await.unwrap().is_empty());
    assert_eq!(cash(&ex).await, (dec!(100), dec!(100)));
    assert!(ex.positions().await.unwrap().is_empty());
    assert!(live.trading_calls().is_empty());
}

#[tokio::test]
async fn nothing_reaches_the_live_trading_endpoints() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    let filled = buy_15_yes(&ex).await;
    let resting = ex
        .place_order(&order(
            "g1",
            Outcome::Yes,
            dec!(0.30),
            dec!(5),
            TimeInForce::Gtc,
        ))
        .await
        .unwrap();
    assert_eq!(resting.status, OrderStatus::Open);
    let id = resting.venue_order_id.clone().unwrap();
    assert_eq!(ex.order(&id).await.unwrap().status, OrderStatus::Open);
    let by_client = ex
        .order_by_client_id(&ClientOrderId::new("g1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_client.venue_order_id, Some(id.clone()));
    assert_eq!(
        ex.cancel_order(&id).await.unwrap().status,
        OrderStatus::Cancelled
    );
    // A repeated client order id returns the existing paper order.
    assert_eq!(buy_15_yes(&ex).await, filled);
    assert_eq!(ex.fills_since(t0()).await.unwrap().len(), 3);
    assert_eq!(ex.positions().await.unwrap().len(), 1);
    assert_eq!(cash(&ex).await, (dec!(93.28), dec!(93.28)));
    assert!(
        live.trading_calls().is_empty(),
        "{:?}",
        live.trading_calls()
    );
    assert!(live.count("order_book") >= 2);
}

#[tokio::test]
async fn a_resting_order_fills_when_the_live_book_reaches_it() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    let resting = ex
        .place_order(&order(
            "g1",
            Outcome::Yes,
            dec!(0.41),
            dec!(10),
            TimeInForce::Gtc,
        ))
        .await
        .unwrap();
    assert_eq!(resting.status, OrderStatus::Open);
    // The live YES ask drops to 0.40 (NO bid 0.60): our bid at 0.41 trades at its own price.
    live.set_bids(
        &rain(),
        &[(dec!(0.39), dec!(20))],
        &[(dec!(0.60), dec!(20))],
    );
    let now = ex
        .order(resting.venue_order_id.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(now.status, OrderStatus::Filled);
    assert_eq!(now.avg_fill_price.unwrap().value(), dec!(0.41));
    // Kalshi charges no maker fee on the standard schedule.
    assert_eq!(now.fees_paid, Decimal::ZERO);
    assert_eq!(cash(&ex).await, (dec!(95.90), dec!(95.90)));
    assert!(live.trading_calls().is_empty());
}

/// The live venue never sees a paper trade, so the level that filled a resting paper order is
/// still shown after it: reloading the book (every query of the open order does) must not fill
/// the order again from the same contracts. Only what the level gains afterwards is new.
#[tokio::test]
async fn live_liquidity_a_resting_order_took_is_not_offered_again() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    let resting = ex
        .place_order(&order(
            "g1",
            Outcome::Yes,
            dec!(0.41),
            dec!(10),
            TimeInForce::Gtc,
        ))
        .await
        .unwrap();
    let id = resting.venue_order_id.clone().unwrap();
    // Someone offers 6 YES at 0.41 (a NO bid of 0.59 × 6).
    live.set_bids(
        &rain(),
        &[(dec!(0.39), dec!(20))],
        &[(dec!(0.59), dec!(6)), (dec!(0.55), dec!(50))],
    );
    for _ in 0..3 {
        let now = ex.order(&id).await.unwrap();
        assert_eq!(now.status, OrderStatus::PartiallyFilled);
        assert_eq!(now.filled_qty.value(), dec!(6), "{now:#?}");
    }
    // The level grows to 10: 4 more contracts are on offer, and fill the rest of the order.
    live.set_bids(
        &rain(),
        &[(dec!(0.39), dec!(20))],
        &[(dec!(0.59), dec!(10)), (dec!(0.55), dec!(50))],
    );
    let now = ex.order(&id).await.unwrap();
    assert_eq!(now.status, OrderStatus::Filled);
    assert_eq!(now.filled_qty.value(), dec!(10));
    let fills = ex.fills_since(t0()).await.unwrap();
    assert_eq!(
        fills.iter().map(|f| f.qty.value()).sum::<Decimal>(),
        dec!(10)
    );
}

#[tokio::test]
async fn positions_settle_when_the_live_market_settles() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    buy_15_yes(&ex).await;
    // 10 NO @ 0.60 = $6.00, fee ⌈0.07 × 10 × 0.6 × 0.4⌉ = $0.17.
    ex.place_order(&order(
        "n1",
        Outcome::No,
        dec!(0.60),
        dec!(10),
        TimeInForce::Fok,
    ))
    .await
    .unwrap();
    assert_eq!(cash(&ex).await.0, dec!(87.11));

    // Still open on the venue: nothing happens.
    assert_eq!(
        ex.settle_resolved().await.unwrap(),
        SettlementReport::default()
    );

    live.set_status(&rain(), MarketStatus::Settled(Outcome::Yes));
    let report = ex.settle_resolved().await.unwrap();
    assert_eq!(report.settled, vec![(rain(), Outcome::Yes)]);
    assert!(report.voided.is_empty());
    // $1 × 15 winning YES contracts.
    assert_eq!(cash(&ex).await, (dec!(102.11), dec!(102.11)));
    assert!(ex.positions().await.unwrap().is_empty());
    let yes = ex.position(&rain(), Outcome::Yes).unwrap();
    assert_eq!(yes.qty, Qty::ZERO);
    assert_eq!(yes.realized_pnl, dec!(15) - dec!(6.46));
    let no = ex.position(&rain(), Outcome::No).unwrap();
    assert_eq!(no.qty, Qty::ZERO);
    assert_eq!(no.realized_pnl, dec!(-6.00));

    // Settled once: later checks neither pay again nor ask the venue about it.
    let asked = live.count("market");
    assert_eq!(
        ex.settle_resolved().await.unwrap(),
        SettlementReport::default()
    );
    assert_eq!(cash(&ex).await.0, dec!(102.11));
    assert_eq!(live.count("market"), asked);
    // And the market takes no more paper orders.
    let late = ex
        .place_order(&order(
            "y9",
            Outcome::Yes,
            dec!(0.99),
            dec!(1),
            TimeInForce::Ioc,
        ))
        .await;
    assert!(
        matches!(&late, Err(ExchangeError::Rejected { code, .. }) if code == "market_not_open"),
        "{late:?}"
    );
    assert!(live.trading_calls().is_empty());
}

#[tokio::test]
async fn positions_and_balance_settle_by_themselves_once_per_interval() {
    let live = live_venue();
    let (ex, clock) = paper(&live);
    let ex = ex.with_settle_interval(Duration::from_secs(60));
    buy_15_yes(&ex).await;
    assert_eq!(ex.positions().await.unwrap().len(), 1); // checked at t0: still open

    live.set_status(&rain(), MarketStatus::Settled(Outcome::No));
    clock.advance(chrono::Duration::seconds(30));
    assert_eq!(ex.positions().await.unwrap().len(), 1, "not due yet");
    assert_eq!(cash(&ex).await.0, dec!(93.28));

    // Due, but the live venue fails: the paper answer still comes, the check is retried.
    clock.advance(chrono::Duration::seconds(30));
    live.fail_next(ExchangeError::Unavailable("maintenance".into()));
    assert_eq!(ex.positions().await.unwrap().len(), 1);

    // The retry settles: the YES side lost, so nothing is paid and the position is gone.
    assert_eq!(cash(&ex).await, (dec!(93.28), dec!(93.28)));
    assert!(ex.positions().await.unwrap().is_empty());
    let yes = ex.position(&rain(), Outcome::Yes).unwrap();
    assert_eq!(yes.qty, Qty::ZERO);
    assert_eq!(yes.realized_pnl, dec!(-6.46));
    assert!(live.trading_calls().is_empty());
}

#[tokio::test]
async fn a_voided_market_keeps_its_positions_and_is_reported_once() {
    let live = live_venue();
    let (ex, _) = paper(&live);
    buy_15_yes(&ex).await;
    let resting = ex
        .place_order(&order(
            "g1",
            Outcome::Yes,
            dec!(0.30),
            dec!(5),
            TimeInForce::Gtc,
        ))
        .await
        .unwrap();
    // The resting bid reserves 5 × 0.30 + its worst-case fee ⌈0.07 × 5 × 0.3 × 0.7⌉ = $1.58.
    assert_eq!(cash(&ex).await, (dec!(93.28), dec!(91.70)));

    live.set_status(&rain(), MarketStatus::Voided);
    let report = ex.settle_resolved().await.unwrap();
    assert!(report.settled.is_empty());
    assert_eq!(report.voided.len(), 1);
    let VoidedMarket { market, positions } = &report.voided[0];
    assert_eq!(market, &rain());
    assert_eq!(positions.len(), 1);
    assert_eq!(positions[0].outcome, Outcome::Yes);
    assert_eq!(positions[0].qty.value(), dec!(15));

    // Kept at cost: no payout, no loss; the open order is cancelled and its cash released.
    assert_eq!(cash(&ex).await, (dec!(93.28), dec!(93.28)));
    let cancelled = ex
        .order(resting.venue_order_id.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    let held = ex.positions().await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].qty.value(), dec!(15));
    assert_eq!(held[0].realized_pnl, Decimal::ZERO);

    // Reported once; the market takes no more paper orders.
    assert_eq!(
        ex.settle_resolved().await.unwrap(),
        SettlementReport::default()
    );
    let late = ex
        .place_order(&order(
            "y9",
            Outcome::Yes,
            dec!(0.45),
            dec!(1),
            TimeInForce::Ioc,
        ))
        .await;
    assert!(
        matches!(&late, Err(ExchangeError::Rejected { code, .. }) if code == "market_not_open"),
        "{late:?}"
    );
    assert!(live.trading_calls().is_empty());
}

#[tokio::test]
async fn live_data_errors_surface_typed_and_leave_no_paper_trace() {
    let live = live_venue();
    let (ex, _) = paper(&live);

    live.fail_next(ExchangeError::Unavailable("maintenance".into()));
    let e = buy_15_yes_result(&ex).await.unwrap_err();
    assert!(
        matches!(e, ExchangeError::Unavailable(ref m) if m == "maintenance"),
        "{e:?}"
    );

    // Market loaded, then the book request times out.
    ex.place_order(&order(
        "probe",
        Outcome::Yes,
        dec!(0.01),
        dec!(1),
        TimeInForce::Ioc,
    ))
    .await
    .unwrap();
    live.fail_next(ExchangeError::Timeout(Duration::from_secs(5)));
    let e = buy_15_yes_result(&ex).await.unwrap_err();
    assert!(matches!(e, ExchangeError::Timeout(_)), "{e:?}");
    assert!(
        ex.order_by_client_id(&ClientOrderId::new("y1"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(cash(&ex).await, (dec!(100), dec!(100)));

    // An unknown market is NotFound from the live venue.
    let mut unknown = order("u1", Outcome::Yes, dec!(0.5), dec!(1), TimeInForce::Ioc);
    unknown.market = MarketKey::new("kalshi", "NOPE");
    let e = ex.place_order(&unknown).await.unwrap_err();
    assert!(matches!(e, ExchangeError::NotFound(_)), "{e:?}");

    // An order for another venue is refused before anything is asked.
    let mut elsewhere = order("p1", Outcome::Yes, dec!(0.5), dec!(1), TimeInForce::Ioc);
    elsewhere.market = MarketKey::new("polymarket", rain());
    let e = ex.place_order(&elsewhere).await.unwrap_err();
    assert!(matches!(e, ExchangeError::InvalidRequest(_)), "{e:?}");

    // An explicit settlement check reports the live failure.
    live.fail_next(ExchangeError::Network("connection reset".into()));
    let e = ex.settle_resolved().await.unwrap_err();
    assert!(matches!(e, ExchangeError::Network(_)), "{e:?}");
    assert!(
        ex.order_by_client_id(&ClientOrderId::new("y1"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(live.trading_calls().is_empty());
}

async fn buy_15_yes_result(ex: &PaperExchange) -> Result<Order, ExchangeError> {
    ex.place_order(&order(
        "y1",
        Outcome::Yes,
        dec!(0.45),
        dec!(15),
        TimeInForce::Fok,
    ))
    .await
}

#[tokio::test]
async fn crossed_or_off_grid_live_books_are_refused_clearly() {
    let live = live_venue();
    let (ex, _) = paper(&live);

    // YES bid 0.50 above the YES ask 1 − 0.55 = 0.45.
    live.set_bids(
        &rain(),
        &[(dec!(0.50), dec!(10))],
        &[(dec!(0.55), dec!(10))],
    );
    let e = buy_15_yes_result(&ex).await.unwrap_err();
    match &e {
        ExchangeError::Rejected { code, message } => {
            assert_eq!(code, "paper_book_unusable");
            assert!(
                message.contains("live book of KXRAIN-25 on kalshi"),
                "{message}"
            );
            assert!(message.contains("crossed"), "{message}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(!e.order_may_exist());

    // A level between the market's cent ticks.
    live.set_bids(
        &rain(),
        &[(dec!(0.405), dec!(10))],
        &[(dec!(0.55), dec!(10))],
    );
    let e = buy_15_yes_result(&ex).await.unwrap_err();
    match &e {
        ExchangeError::Rejected { code, message } => {
            assert_eq!(code, "paper_book_unusable");
            assert!(message.contains("not on the price grid"), "{message}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(cash(&ex).await, (dec!(100), dec!(100)));
    assert!(ex.fills_since(t0()).await.unwrap().is_empty());
    assert!(live.trading_calls().is_empty());
}
