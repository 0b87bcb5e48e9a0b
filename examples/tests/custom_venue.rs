//! Runs the `custom_venue` example and checks what a reader of its output would check.
#![allow(clippy::unwrap_used)]

use arb_core::exchange::ExchangeError;
use arb_core::model::{MarketId, OrderStatus, Outcome, TimeInForce};
use arb_examples::custom_venue::run;
use rust_decimal_macros::dec;

#[tokio::test]
async fn the_bookie_venue_works_end_to_end() {
    let mut out = Vec::new();
    let s = run(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();

    // Only open markets are listed.
    assert_eq!(
        s.markets_listed,
        vec![MarketId::new("FINAL-HOME"), MarketId::new("RAIN-FRI")]
    );

    // 10 YES at $0.30 plus $0.005 commission per ticket.
    assert_eq!(s.first_order.status, OrderStatus::Filled);
    assert_eq!(s.first_order.filled_qty.value(), dec!(10));
    assert_eq!(s.first_order.fees_paid, dec!(0.05));
    assert_eq!(s.first_order.request.time_in_force, TimeInForce::Ioc);
    assert_eq!(s.cash_after_first_order, dec!(496.95));

    // Bad orders: typed errors, in the order they were sent.
    assert!(matches!(s.rejections[0], ExchangeError::InvalidRequest(_)));
    assert!(matches!(s.rejections[1], ExchangeError::Unsupported(_)));
    assert!(matches!(
        s.rejections[2],
        ExchangeError::InsufficientBalance(_)
    ));
    assert_eq!(s.rejections.len(), 3);

    // The stream reported the requote from $0.45 to $0.44.
    assert_eq!(s.streamed_yes_ask.value(), dec!(0.44));

    // The arbitrage: 120 YES at 0.44 (+$0.60 commission) against 80 NO at 0.50 and 40 at 0.51
    // on the Kalshi schedule (fills 1.40 + 0.6998, cash rounded up to the cent: $2.10).
    let o = &s.opportunity;
    assert_eq!(o.qty.value(), dec!(120));
    assert_eq!(o.leg_a.outcome, Outcome::Yes);
    assert_eq!(o.leg_b.outcome, Outcome::No);
    assert_eq!((o.leg_a.cost, o.leg_a.fee), (dec!(52.80), dec!(0.60)));
    assert_eq!((o.leg_b.cost, o.leg_b.fee), (dec!(60.40), dec!(2.10)));
    assert_eq!(o.profit, dec!(4.10));
    for order in &s.arbitrage_orders {
        assert_eq!(order.status, OrderStatus::Filled);
        assert_eq!(order.filled_qty.value(), dec!(120));
    }
    // Settled, the two venues' cash together grew by exactly the detected profit.
    assert_eq!(s.arbitrage_pnl, dec!(4.10));

    assert!(text.contains("120 pairs for $115.90 -> guaranteed profit $4.10"));
    assert!(text.contains("together +4.10 = the detected profit"));
}

mod bookie {
    use std::sync::Arc;

    use arb_core::clock::ManualClock;
    use arb_core::exchange::{Exchange, ExchangeError};
    use arb_core::model::{
        ClientOrderId, MarketKey, OrderRequest, OrderStatus, Outcome, Price, Qty, Side,
        TimeInForce, VenueOrderId,
    };
    use arb_examples::custom_venue::adapter::BookieExchange;
    use arb_examples::custom_venue::house::{House, WireMarket, WireQuote, WireState};
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn venue() -> BookieExchange {
        let clock = Arc::new(ManualClock::new(arb_examples::start_time().unwrap()));
        let bookie = BookieExchange::new("bookie", House::new(100_000_000, 10_000), clock);
        bookie.list(WireMarket {
            code: "M".into(),
            question: "Will it snow?".into(),
            closes_at_ms: 1_800_000_000_000,
            quote: WireQuote {
                yes_bps: 2_500,
                no_bps: 7_800,
                yes_tickets: 30,
                no_tickets: 0,
            },
            state: WireState::Open,
        });
        bookie
    }

    fn order(id: &str, limit: Decimal, qty: Decimal, tif: TimeInForce) -> OrderRequest {
        OrderRequest {
            client_order_id: ClientOrderId::new(id),
            market: MarketKey::new("bookie", "M"),
            outcome: Outcome::Yes,
            side: Side::Buy,
            limit_price: Price::new(limit).unwrap(),
            qty: Qty::new(qty).unwrap(),
            time_in_force: tif,
        }
    }

    #[tokio::test]
    async fn ioc_fills_what_the_house_has_and_fok_fills_nothing() {
        let bookie = venue();
        // FOK for 40 when the house has 30 left: killed, nothing bought, no cash moved.
        let fok = bookie
            .place_order(&order("fok", dec!(0.25), dec!(40), TimeInForce::Fok))
            .await
            .unwrap();
        assert_eq!(fok.status, OrderStatus::Cancelled);
        assert!(fok.filled_qty.is_zero());
        assert_eq!(bookie.balance().await.unwrap().total, dec!(100));

        // IOC for 40: 30 at $0.25 + $0.01 each, the rest cancelled.
        let ioc = bookie
            .place_order(&order("ioc", dec!(0.25), dec!(40), TimeInForce::Ioc))
            .await
            .unwrap();
        assert_eq!(ioc.status, OrderStatus::Cancelled);
        assert_eq!(ioc.filled_qty.value(), dec!(30));
        assert_eq!(ioc.fees_paid, dec!(0.3));
        assert_eq!(bookie.balance().await.unwrap().total, dec!(92.2));
        let positions = bookie.positions().await.unwrap();
        assert_eq!(positions.len(), 1);
        assert_eq!(positions[0].qty.value(), dec!(30));
        assert_eq!(positions[0].avg_price.unwrap().value(), dec!(0.25));

        // The book now shows nothing left to buy; a limit below the quote buys nothing.
        let book = bookie.order_book(&"M".into()).await.unwrap();
        assert!(book.yes.best_ask().is_none());
        let below = bookie
            .place_order(&order("below", dec!(0.24), dec!(1), TimeInForce::Ioc))
            .await
            .unwrap();
        assert!(below.filled_qty.is_zero());
        assert_eq!(bookie.fills_since(book.as_of).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn what_the_house_cannot_do_is_a_typed_error() {
        let bookie = venue();
        let sell = OrderRequest {
            side: Side::Sell,
            ..order("sell", dec!(0.25), dec!(1), TimeInForce::Ioc)
        };
        assert!(matches!(
            bookie.place_order(&sell).await,
            Err(ExchangeError::Unsupported(_))
        ));
        assert!(matches!(
            bookie
                .place_order(&order("frac", dec!(0.25), dec!(1.5), TimeInForce::Ioc))
                .await,
            Err(ExchangeError::InvalidRequest(_))
        ));
        assert!(matches!(
            bookie.market(&"NOPE".into()).await,
            Err(ExchangeError::NotFound(_))
        ));
        assert!(matches!(
            bookie.order(&VenueOrderId::new("42")).await,
            Err(ExchangeError::NotFound(_))
        ));
        assert_eq!(
            bookie
                .order_by_client_id(&ClientOrderId::new("never-sent"))
                .await
                .unwrap(),
            None
        );
    }
}
