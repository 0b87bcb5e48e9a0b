//! Harnesses of the two adapters over the venue-faithful fakes (`../shared/fakevenues`), each
//! test with its own fake process, driven through the fakes' `/_control/` plane.

use std::time::Duration;

use arb_core::exchange::Exchange;
use arb_core::model::MarketKey;
use arb_kalshi::{Credentials, KalshiConfig, KalshiExchange};
use arb_polymarket::signing::{SignatureType, Wallet};
use arb_polymarket::{PolymarketConfig, PolymarketExchange, TradingCredentials};
use async_trait::async_trait;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{Failure, Harness, Support, Unsupported};
use crate::venues::{self, FED_KALSHI, FED_POLY, Fakes};

/// How long the adapters wait for one answer: short, so a held answer times out quickly.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the fakes hold a lost answer (longer than [`REQUEST_TIMEOUT`]).
const HOLD_SECONDS: u64 = 6;
/// Kalshi's order endpoint.
const KALSHI_ORDERS: &str = "/trade-api/v2/portfolio/events/orders";
/// Nothing serves WebSockets here; the cases never subscribe.
const NO_WEBSOCKET: &str = "ws://127.0.0.1:9";

/// The fakes with the shipped scenario loaded, or `None` (after a printed skip, or a failure
/// under `ARB_REQUIRE_E2E=1`) when they cannot run here.
async fn start() -> Option<Fakes> {
    let Some(dir) = venues::fakevenues_dir() else {
        venues::skip("../shared/fakevenues is absent");
        return None;
    };
    if !venues::python_available() {
        venues::skip("python3 is absent");
        return None;
    }
    let fakes = Fakes::start(&dir);
    fakes.reset(&fakes.scenario()).await;
    Some(fakes)
}

/// A fault on the next `POST` to `path`.
fn fault(path: &str, failure: Failure) -> Value {
    let status = match failure {
        Failure::Unavailable => 503,
        Failure::RateLimited => 429,
        Failure::Rejected => 400,
        Failure::Garbled => {
            return json!({"method": "POST", "path": path, "kind": "malformed", "times": 1});
        }
    };
    json!({"method": "POST", "path": path, "kind": "http", "status": status, "times": 1})
}

/// A held answer on the next `POST` to `path`: the venue acts, the answer never comes.
fn hold(path: &str) -> Value {
    json!({"method": "POST", "path": path, "kind": "timeout", "seconds": HOLD_SECONDS, "process": true, "times": 1})
}

/// Fails on any protocol violation the fake at `port` recorded (a request the real venue
/// would refuse for its form, signature or authentication).
async fn assert_no_violations(fakes: &Fakes, port: u16) {
    let log = fakes.get(port, "/_control/log").await;
    let violations = log["violations"].as_array().cloned().unwrap_or_default();
    assert!(violations.is_empty(), "violations: {violations:#?}");
}

fn levels(levels: &[(Decimal, Decimal)]) -> Value {
    levels
        .iter()
        .map(|(p, q)| json!([p.to_string(), q.to_string()]))
        .collect()
}

/// [`KalshiExchange`] over the fake Kalshi, trading `KXFEDCUT-26DEC-CUT` with the RSA key.
pub struct Kalshi {
    fakes: Fakes,
    exchange: KalshiExchange,
}

impl Kalshi {
    /// Starts the fakes; `None` when they cannot run here.
    pub async fn start() -> Option<Self> {
        let fakes = start().await?;
        let keys = fakes.keys();
        let key_id = keys["kalshi_rsa_key_id"].as_str().expect("key id");
        let credentials =
            Credentials::from_pem_file(key_id, &fakes.key("kalshi-rsa-private.pem")).expect("key");
        let mut config = KalshiConfig::demo()
            .with_hosts(
                format!("http://127.0.0.1:{}/trade-api/v2", fakes.kalshi),
                NO_WEBSOCKET,
            )
            .with_credentials(credentials);
        config.request_timeout = REQUEST_TIMEOUT;
        let exchange = KalshiExchange::new(config).expect("adapter");
        Some(Self { fakes, exchange })
    }
}

#[async_trait]
impl Harness for Kalshi {
    async fn check_venue(&self) {
        assert_no_violations(&self.fakes, self.fakes.kalshi).await;
    }

    fn name(&self) -> &'static str {
        "kalshi"
    }

    fn exchange(&self) -> &dyn Exchange {
        &self.exchange
    }

    fn market(&self) -> MarketKey {
        MarketKey::new("kalshi", FED_KALSHI)
    }

    /// Kalshi books are YES and NO bids: a YES ask at `p` is a NO bid at `1 − p`.
    async fn set_book(&self, yes_bids: &[(Decimal, Decimal)], yes_asks: &[(Decimal, Decimal)]) {
        let no_bids: Vec<(Decimal, Decimal)> = yes_asks
            .iter()
            .map(|&(p, q)| (Decimal::ONE - p, q))
            .collect();
        let body = json!({"ticker": FED_KALSHI, "yes_bids": levels(yes_bids), "no_bids": levels(&no_bids)});
        self.fakes.control(self.fakes.kalshi, "book", body).await;
    }

    async fn fills_buys_by_cash(&self) -> Support {
        Err(Unsupported(
            "Kalshi fills by contract count: an order never fills beyond it",
        ))
    }

    async fn delay_next_order(&self) -> Support {
        Err(Unsupported(
            "Kalshi answers every order at once (the fake has no delayed mode)",
        ))
    }

    async fn lose_next_answer(&self) -> Support {
        let body = hold(KALSHI_ORDERS);
        self.fakes.control(self.fakes.kalshi, "faults", body).await;
        Ok(())
    }

    async fn fail_next_order(&self, failure: Failure) -> Support {
        let body = fault(KALSHI_ORDERS, failure);
        self.fakes.control(self.fakes.kalshi, "faults", body).await;
        Ok(())
    }
}

/// [`PolymarketExchange`] over the fake CLOB, Gamma and Data API, trading the Fed market with
/// the EOA wallet (API credentials derived on first use).
pub struct Polymarket {
    fakes: Fakes,
    exchange: PolymarketExchange,
}

impl Polymarket {
    /// Starts the fakes; `None` when they cannot run here.
    pub async fn start() -> Option<Self> {
        let fakes = start().await?;
        let key = std::fs::read_to_string(fakes.key("polymarket-eoa.key")).expect("wallet key");
        let wallet = Wallet::from_hex(key.trim(), None, SignatureType::Eoa).expect("wallet");
        let config = PolymarketConfig {
            clob_url: format!("http://127.0.0.1:{}", fakes.clob),
            gamma_url: format!("http://127.0.0.1:{}", fakes.gamma),
            data_url: format!("http://127.0.0.1:{}", fakes.data),
            ws_market_url: NO_WEBSOCKET.into(),
            ws_user_url: NO_WEBSOCKET.into(),
            credentials: Some(TradingCredentials {
                wallet,
                api_creds: None,
            }),
            request_timeout: REQUEST_TIMEOUT,
            ..PolymarketConfig::default()
        };
        let exchange = PolymarketExchange::new(config).expect("adapter");
        Some(Self { fakes, exchange })
    }
}

#[async_trait]
impl Harness for Polymarket {
    async fn check_venue(&self) {
        assert_no_violations(&self.fakes, self.fakes.clob).await;
    }

    fn name(&self) -> &'static str {
        "polymarket"
    }

    fn exchange(&self) -> &dyn Exchange {
        &self.exchange
    }

    fn market(&self) -> MarketKey {
        MarketKey::new("polymarket", FED_POLY)
    }

    async fn set_book(&self, yes_bids: &[(Decimal, Decimal)], yes_asks: &[(Decimal, Decimal)]) {
        let body =
            json!({"condition_id": FED_POLY, "bids": levels(yes_bids), "asks": levels(yes_asks)});
        self.fakes.control(self.fakes.clob, "book", body).await;
    }

    /// Polymarket's FOK/FAK buys spend their pUSD amount (the fake's `usd` fill basis).
    async fn fills_buys_by_cash(&self) -> Support {
        let body = json!({"fok_buy_fill_basis": "usd"});
        self.fakes.control(self.fakes.clob, "settings", body).await;
        Ok(())
    }

    async fn delay_next_order(&self) -> Support {
        let body = json!({"condition_id": FED_POLY, "seconds": 1});
        self.fakes.control(self.fakes.clob, "delay", body).await;
        Ok(())
    }

    async fn lose_next_answer(&self) -> Support {
        self.fakes
            .control(self.fakes.clob, "faults", hold("/order"))
            .await;
        Ok(())
    }

    async fn fail_next_order(&self, failure: Failure) -> Support {
        let body = fault("/order", failure);
        self.fakes.control(self.fakes.clob, "faults", body).await;
        Ok(())
    }
}
