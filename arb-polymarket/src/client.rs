//! The HTTP client: hosts, authentication (L1 to obtain API credentials, L2 on every trading
//! call) and a cache of markets by condition id and token id.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arb_core::exchange::ExchangeError;
use arb_core::model::MarketId;
use reqwest::Method;
use serde::de::DeserializeOwned;

use crate::config::PolymarketConfig;
use crate::error::PolymarketError;
use crate::http::{Call, decode, read_body, transport_error};
use crate::markets::{MarketInfo, build_market};
use crate::signing::{
    ApiCreds, EXCHANGE_V2, ExchangeDomain, NEG_RISK_EXCHANGE_V2, TickSize, Wallet, l1_headers,
};
use crate::wire::{ClobMarketInfo, GammaMarket, WireApiCreds};

/// Which authentication a call needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Auth {
    /// None (public data).
    Public,
    /// L2 HMAC headers.
    L2,
}

/// Which host a call goes to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Host {
    /// The CLOB.
    Clob,
    /// Gamma.
    Gamma,
    /// The Data API.
    Data,
}

fn lock_poisoned<T>(e: std::sync::PoisonError<T>) -> T {
    e.into_inner()
}

/// Unix time now.
#[must_use]
pub fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// Shared state of the adapter.
#[derive(Debug)]
pub struct Client {
    /// Configuration.
    pub cfg: PolymarketConfig,
    http: reqwest::Client,
    wallet: Option<Wallet>,
    creds: tokio::sync::Mutex<Option<ApiCreds>>,
    markets: RwLock<HashMap<MarketId, Arc<MarketInfo>>>,
    tokens: RwLock<HashMap<String, MarketId>>,
    standard: ExchangeDomain,
    neg_risk: ExchangeDomain,
}

impl Client {
    /// A client for `cfg`. Installs the `ring` rustls provider if none is installed yet.
    pub fn new(cfg: PolymarketConfig) -> Result<Self, PolymarketError> {
        // Fails only when a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(cfg.request_timeout)
            .build()
            .map_err(|e| PolymarketError::Config(format!("HTTP client: {e}")))?;
        let wallet = cfg.credentials.as_ref().map(|c| c.wallet.clone());
        let creds = cfg.credentials.as_ref().and_then(|c| c.api_creds.clone());
        Ok(Self {
            standard: ExchangeDomain::v2(cfg.chain_id, EXCHANGE_V2),
            neg_risk: ExchangeDomain::v2(cfg.chain_id, NEG_RISK_EXCHANGE_V2),
            cfg,
            http,
            wallet,
            creds: tokio::sync::Mutex::new(creds),
            markets: RwLock::new(HashMap::new()),
            tokens: RwLock::new(HashMap::new()),
        })
    }

    /// The wallet, or `Unsupported` in read-only mode.
    pub fn wallet(&self) -> Result<&Wallet, ExchangeError> {
        self.wallet
            .as_ref()
            .ok_or_else(|| ExchangeError::Unsupported("trading needs a private key".into()))
    }

    /// The EIP-712 domain of the exchange a market trades on.
    #[must_use]
    pub const fn domain(&self, neg_risk: bool) -> &ExchangeDomain {
        if neg_risk {
            &self.neg_risk
        } else {
            &self.standard
        }
    }

    fn base(&self, host: Host) -> &str {
        match host {
            Host::Clob => &self.cfg.clob_url,
            Host::Gamma => &self.cfg.gamma_url,
            Host::Data => &self.cfg.data_url,
        }
        .trim_end_matches('/')
    }

    async fn execute(
        &self,
        host: Host,
        call: &Call<'_>,
        headers: Vec<(&'static str, String)>,
    ) -> Result<String, ExchangeError> {
        let url = format!("{}{}", self.base(host), call.path);
        let mut req = self.http.request(call.method.clone(), &url);
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        for (k, v) in headers {
            req = req.header(k, v);
        }
        if let Some(body) = &call.body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| transport_error(&e, self.cfg.request_timeout))?;
        read_body(resp, self.cfg.request_timeout).await
    }

    /// Sends one call and returns the body. L2 calls are signed over the exact body sent.
    pub async fn send(
        &self,
        host: Host,
        auth: Auth,
        call: &Call<'_>,
    ) -> Result<String, ExchangeError> {
        let headers = match auth {
            Auth::Public => Vec::new(),
            Auth::L2 => {
                let wallet = self.wallet()?;
                let creds = self.api_creds().await?;
                creds
                    .l2_headers(
                        wallet,
                        unix_now().as_secs(),
                        call.method.as_str(),
                        call.path,
                        call.body.as_deref(),
                    )
                    .map_err(ExchangeError::from)?
            }
        };
        self.execute(host, call, headers).await
    }

    /// Sends and decodes. A read ([`Call::idempotent`]) that fails transiently (network,
    /// timeout, 429, 5xx) is retried with backoff as [`PolymarketConfig::read_retry`] says.
    pub async fn json<T: DeserializeOwned>(
        &self,
        host: Host,
        auth: Auth,
        call: &Call<'_>,
        what: &str,
    ) -> Result<T, ExchangeError> {
        let body = self.text(host, auth, call, what).await?;
        decode(what, &body)
    }

    /// Sends and returns the body as received, retried as [`Client::json`] is (for recording
    /// an answer before it is parsed).
    pub async fn text(
        &self,
        host: Host,
        auth: Auth,
        call: &Call<'_>,
        what: &str,
    ) -> Result<String, ExchangeError> {
        let policy = self.cfg.read_retry;
        let mut attempt = 0;
        loop {
            match self.send(host, auth, call).await {
                Ok(body) => return Ok(body),
                Err(e) if call.idempotent && e.is_retryable() && attempt < policy.max_retries => {
                    let wait = policy.backoff().jittered(attempt, rand::random());
                    tracing::debug!(what, attempt, ?wait, error = %e, "polymarket read failed, retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The API credentials: configured ones, else created (`POST /auth/api-key`) or, when the
    /// key already has some, derived (`GET /auth/derive-api-key`) with an L1 signature.
    pub async fn api_creds(&self) -> Result<ApiCreds, ExchangeError> {
        let mut guard = self.creds.lock().await;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let wallet = self.wallet()?;
        let l1 = || {
            l1_headers(wallet, self.cfg.chain_id, unix_now().as_secs(), 0)
                .map_err(ExchangeError::from)
        };
        let create = Call {
            method: Method::POST,
            path: "/auth/api-key",
            query: Vec::new(),
            body: None,
            idempotent: false,
        };
        let created = match self.execute(Host::Clob, &create, l1()?).await {
            Ok(body) => decode::<WireApiCreds>("api key", &body),
            Err(e) => Err(e),
        };
        let wire = match created {
            Ok(w) => w,
            Err(ExchangeError::Auth(e)) => return Err(ExchangeError::Auth(e)),
            Err(_) => {
                let body = self
                    .execute(Host::Clob, &Call::get("/auth/derive-api-key"), l1()?)
                    .await?;
                decode::<WireApiCreds>("derived api key", &body)?
            }
        };
        let creds = ApiCreds::new(wire.api_key, wire.secret, wire.passphrase)?;
        *guard = Some(creds.clone());
        Ok(creds)
    }

    /// `GET /clob-markets/{condition_id}`.
    pub async fn clob_market_info(
        &self,
        condition_id: &str,
    ) -> Result<ClobMarketInfo, ExchangeError> {
        let path = format!("/clob-markets/{condition_id}");
        self.json(
            Host::Clob,
            Auth::Public,
            &Call::get(&path),
            "clob market info",
        )
        .await
    }

    /// One Gamma market by condition id.
    pub async fn gamma_market(&self, condition_id: &str) -> Result<GammaMarket, ExchangeError> {
        let call = Call::get("/markets").query("condition_ids", condition_id);
        let list: Vec<GammaMarket> = self
            .json(Host::Gamma, Auth::Public, &call, "gamma markets")
            .await?;
        list.into_iter()
            .find(|m| m.condition_id.eq_ignore_ascii_case(condition_id))
            .ok_or_else(|| ExchangeError::NotFound(format!("market {condition_id}")))
    }

    /// Builds a market from Gamma + CLOB info and caches it.
    pub fn cache_market(
        &self,
        g: &GammaMarket,
        info: &ClobMarketInfo,
    ) -> Result<Arc<MarketInfo>, ExchangeError> {
        let built = build_market(g, info).map_err(|e| ExchangeError::Decode {
            what: "market".into(),
            message: e.to_string(),
        })?;
        Ok(self.store(built))
    }

    fn store(&self, info: MarketInfo) -> Arc<MarketInfo> {
        let info = Arc::new(info);
        let id = info.market.key.market.clone();
        {
            let mut tokens = self.tokens.write().unwrap_or_else(lock_poisoned);
            tokens.insert(info.ext.yes_token_id.clone(), id.clone());
            tokens.insert(info.ext.no_token_id.clone(), id.clone());
        }
        self.markets
            .write()
            .unwrap_or_else(lock_poisoned)
            .insert(id, Arc::clone(&info));
        info
    }

    /// A cached market.
    #[must_use]
    pub fn cached(&self, id: &MarketId) -> Option<Arc<MarketInfo>> {
        self.markets
            .read()
            .unwrap_or_else(lock_poisoned)
            .get(id)
            .cloned()
    }

    /// The market a token belongs to, if cached.
    #[must_use]
    pub fn market_of_token(&self, token: &str) -> Option<Arc<MarketInfo>> {
        let id = self
            .tokens
            .read()
            .unwrap_or_else(lock_poisoned)
            .get(token)
            .cloned()?;
        self.cached(&id)
    }

    /// A market, from the cache or fetched (Gamma + `/clob-markets`).
    pub async fn market_info(&self, id: &MarketId) -> Result<Arc<MarketInfo>, ExchangeError> {
        if let Some(m) = self.cached(id) {
            return Ok(m);
        }
        self.refresh_market(id).await
    }

    /// Fetches a market again and replaces the cached copy.
    pub async fn refresh_market(&self, id: &MarketId) -> Result<Arc<MarketInfo>, ExchangeError> {
        let (g, info) = futures::future::try_join(
            self.gamma_market(id.as_str()),
            self.clob_market_info(id.as_str()),
        )
        .await?;
        self.cache_market(&g, &info)
    }

    /// Records a new tick size for the market of `token` (a `tick_size_change`).
    pub fn set_tick(&self, token: &str, tick: TickSize) {
        if let Some(m) = self.market_of_token(token) {
            self.store(m.with_tick(tick));
        }
    }
}
