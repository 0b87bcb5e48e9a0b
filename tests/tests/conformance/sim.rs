//! Harnesses of the in-process venues: [`SimExchange`] (filling buys by contracts or by cash)
//! and [`PaperExchange`] over a simulated "live" venue.

use std::sync::Arc;
use std::time::Duration;

use arb_core::clock::{SequentialIds, SystemClock};
use arb_core::exchange::Exchange;
use arb_core::fees::FeeSchedule;
use arb_core::model::MarketKey;
use arb_core::sim::{BuyFill, Fault, PaperExchange, SimConfig, SimExchange, binary_market, levels};
use async_trait::async_trait;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::{Failure, Harness, Support, Unsupported};

/// The venue id of the simulated venues.
const VENUE: &str = "sim-a";

fn key() -> MarketKey {
    MarketKey::new(VENUE, "CONFORMANCE")
}

/// A simulated venue with the cases' market and $1,000.
fn venue(buy_fill: BuyFill) -> SimExchange {
    let sim = SimExchange::new(
        SimConfig::new(VENUE, dec!(1000)).with_buy_fill(buy_fill),
        Arc::new(SystemClock),
        Arc::new(SequentialIds::default()),
    );
    let close = chrono::Utc::now() + chrono::Duration::days(30);
    let market =
        binary_market(key(), "Conformance market", FeeSchedule::FREE, close).expect("market");
    sim.add_market(market).expect("add market");
    sim
}

fn set_book(sim: &SimExchange, bids: &[(Decimal, Decimal)], asks: &[(Decimal, Decimal)]) {
    sim.set_book(
        &key().market,
        &levels(bids).expect("bids"),
        &levels(asks).expect("asks"),
    )
    .expect("set book");
}

/// [`SimExchange`] itself.
pub struct Sim {
    sim: SimExchange,
    name: &'static str,
    buy_fill: BuyFill,
}

impl Sim {
    /// A simulator filling marketable buys as `buy_fill` says.
    pub fn new(buy_fill: BuyFill) -> Self {
        let name = match buy_fill {
            BuyFill::Contracts => "sim",
            BuyFill::Cash => "sim (buys filled by cash)",
        };
        Self {
            sim: venue(buy_fill),
            name,
            buy_fill,
        }
    }
}

#[async_trait]
impl Harness for Sim {
    fn name(&self) -> &'static str {
        self.name
    }

    fn exchange(&self) -> &dyn Exchange {
        &self.sim
    }

    fn market(&self) -> MarketKey {
        key()
    }

    async fn set_book(&self, yes_bids: &[(Decimal, Decimal)], yes_asks: &[(Decimal, Decimal)]) {
        set_book(&self.sim, yes_bids, yes_asks);
    }

    async fn fills_buys_by_cash(&self) -> Support {
        match self.buy_fill {
            BuyFill::Cash => Ok(()),
            BuyFill::Contracts => Err(Unsupported(
                "BuyFill::Contracts never fills beyond the quantity asked",
            )),
        }
    }

    async fn delay_next_order(&self) -> Support {
        self.sim.inject(Fault::Delayed { polls: 1 });
        Ok(())
    }

    async fn lose_next_answer(&self) -> Support {
        self.sim.inject(Fault::Timeout {
            after: Duration::from_millis(50),
            executed: true,
        });
        Ok(())
    }

    async fn fail_next_order(&self, failure: Failure) -> Support {
        match failure {
            Failure::Unavailable => self.sim.inject(Fault::Unavailable { calls: 1 }),
            Failure::Rejected => self.sim.inject(Fault::RejectNextOrder {
                code: "invalid_order".into(),
                message: "refused by the conformance suite".into(),
            }),
            Failure::RateLimited => self.sim.inject(Fault::RateLimited { calls: 1 }),
            Failure::Garbled => {
                return Err(Unsupported(
                    "SimExchange answers in memory: nothing to garble",
                ));
            }
        }
        Ok(())
    }
}

/// [`PaperExchange`] trading on paper against a simulated live venue's books.
pub struct Paper {
    live: SimExchange,
    paper: PaperExchange,
}

impl Paper {
    /// Paper trading with $1,000 over a simulated live venue.
    pub fn new() -> Self {
        let live = venue(BuyFill::Contracts);
        let paper = PaperExchange::new(
            Arc::new(live.clone()),
            dec!(1000),
            Arc::new(SystemClock),
            Arc::new(SequentialIds::default()),
        );
        Self { live, paper }
    }
}

#[async_trait]
impl Harness for Paper {
    fn name(&self) -> &'static str {
        "paper"
    }

    fn exchange(&self) -> &dyn Exchange {
        &self.paper
    }

    fn market(&self) -> MarketKey {
        key()
    }

    /// Changes the live book; paper orders see it on their next query.
    async fn set_book(&self, yes_bids: &[(Decimal, Decimal)], yes_asks: &[(Decimal, Decimal)]) {
        set_book(&self.live, yes_bids, yes_asks);
    }

    async fn fills_buys_by_cash(&self) -> Support {
        Err(Unsupported(
            "PaperExchange fills by contracts, never beyond the quantity asked",
        ))
    }

    async fn delay_next_order(&self) -> Support {
        Err(Unsupported(
            "paper orders are matched in process: no answer is ever pending",
        ))
    }

    async fn lose_next_answer(&self) -> Support {
        Err(Unsupported(
            "paper orders never leave the process: no answer can be lost",
        ))
    }

    /// The live venue fails the next read (the order's market or book), as the answer would.
    async fn fail_next_order(&self, failure: Failure) -> Support {
        match failure {
            Failure::Unavailable => self.live.inject(Fault::Unavailable { calls: 1 }),
            Failure::RateLimited => self.live.inject(Fault::RateLimited { calls: 1 }),
            Failure::Rejected => {
                return Err(Unsupported(
                    "paper trading refuses only what the simulator refuses (see the cash case)",
                ));
            }
            Failure::Garbled => {
                return Err(Unsupported(
                    "paper orders are answered in memory: nothing to garble",
                ));
            }
        }
        Ok(())
    }
}
