//! The catalogue of open markets, read so that one failing request costs only its part: the
//! market pages, their events (100 per request) and their series (one list, with a request per
//! series for what the list misses or when the list fails). Each request is retried with backoff
//! by the REST client; what still fails is reported as a [`ListingGap`] naming it.

use std::collections::{HashMap, HashSet};

use arb_core::exchange::{ExchangeError, ListingGap, MarketListing};

use crate::convert;
use crate::exchange::KalshiExchange;
use crate::ratelimit::cost;
use crate::rest::Access;
use crate::wire::{EventData, EventsResponse, SeriesData, SeriesListResponse, WireMarket};

/// Page size for `GET /markets` (the maximum).
const MARKETS_PAGE: &str = "1000";
/// Event tickers per `GET /events?tickers=` call.
const EVENTS_PER_CALL: usize = 100;

/// A page of markets decoded item by item, so one malformed market does not hide the others.
#[derive(serde::Deserialize)]
struct PageOf {
    markets: Vec<serde_json::Value>,
    #[serde(default)]
    cursor: Option<String>,
}

/// Names a list of tickers for people: the first three and how many more.
fn named(kind: &str, tickers: &[String]) -> String {
    let shown: Vec<&str> = tickers.iter().take(3).map(String::as_str).collect();
    match tickers.len().saturating_sub(shown.len()) {
        0 => format!("{kind} {}", shown.join(", ")),
        more => format!("{kind} {} and {more} more", shown.join(", ")),
    }
}

impl KalshiExchange {
    /// Every open, non-combo market, mapped, with what could not be read.
    pub(crate) async fn list_catalogue(&self) -> Result<MarketListing, ExchangeError> {
        let mut gaps = Vec::new();
        let raw = self.open_markets(&mut gaps).await?;
        let mut event_tickers: Vec<String> = raw.iter().map(|m| m.event_ticker.clone()).collect();
        event_tickers.sort();
        event_tickers.dedup();
        let events = self.events(&event_tickers, &mut gaps).await;
        let series_tickers: HashSet<String> =
            events.values().map(|e| e.series_ticker.clone()).collect();
        let series = self.series(&series_tickers, &mut gaps).await;
        let mut markets = Vec::with_capacity(raw.len());
        for m in &raw {
            // A missing event or series was reported as a gap when its request failed.
            let Some(event) = events.get(&m.event_ticker) else {
                continue;
            };
            let Some(s) = series.get(&event.series_ticker) else {
                continue;
            };
            match convert::market(m, event, s) {
                Ok(market) => {
                    self.remember_grid(&market);
                    markets.push(market);
                }
                Err(e) => tracing::warn!(ticker = %m.ticker, error = %e, "Kalshi market skipped"),
            }
        }
        Ok(MarketListing { markets, gaps })
    }

    /// Every open, non-combo market (`status=open`, `mve_filter=exclude`), unmapped. A page that
    /// fails after the first ends the listing there with a gap; a failing first page is an error
    /// (nothing could be listed).
    async fn open_markets(
        &self,
        gaps: &mut Vec<ListingGap>,
    ) -> Result<Vec<WireMarket>, ExchangeError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![
                ("status", "open".to_owned()),
                ("mve_filter", "exclude".to_owned()),
                ("limit", MARKETS_PAGE.to_owned()),
            ];
            if let Some(c) = &cursor {
                query.push(("cursor", c.clone()));
            }
            let page: PageOf = match self
                .rest
                .get(
                    "/markets",
                    &query,
                    Access::Public,
                    cost::READ,
                    "GET /markets",
                )
                .await
            {
                Ok(p) => p,
                Err(e) => match &cursor {
                    None => return Err(e),
                    Some(c) => {
                        gaps.push(ListingGap {
                            what: format!("market pages from cursor {c} on"),
                            error: e,
                        });
                        return Ok(out);
                    }
                },
            };
            out.extend(decode_markets(page.markets)?);
            cursor = page.cursor.filter(|c| !c.is_empty());
            if cursor.is_none() {
                return Ok(out);
            }
        }
    }

    async fn events(
        &self,
        tickers: &[String],
        gaps: &mut Vec<ListingGap>,
    ) -> HashMap<String, EventData> {
        let mut out = HashMap::new();
        for chunk in tickers.chunks(EVENTS_PER_CALL) {
            let query = [("tickers", chunk.join(",")), ("limit", "200".to_owned())];
            let read = self
                .for_each_page("/events", &query, Access::Public, |page: EventsResponse| {
                    out.extend(page.events.into_iter().map(|e| (e.event_ticker.clone(), e)));
                    Ok(std::ops::ControlFlow::Continue(()))
                })
                .await;
            if let Err(error) = read {
                gaps.push(ListingGap {
                    what: named("events", chunk),
                    error,
                });
            }
        }
        for t in tickers.iter().filter(|t| !out.contains_key(*t)) {
            tracing::debug!(event = %t, "Kalshi event not returned; its markets are left out");
        }
        out
    }

    /// Series by ticker: the list first, then one request per series it lacks (all of them when
    /// the list itself fails).
    async fn series(
        &self,
        tickers: &HashSet<String>,
        gaps: &mut Vec<ListingGap>,
    ) -> HashMap<String, SeriesData> {
        let listed = self
            .rest
            .get::<SeriesListResponse>("/series", &[], Access::Public, cost::READ, "GET /series")
            .await;
        let mut out: HashMap<String, SeriesData> = match listed {
            Ok(list) => list
                .series
                .into_iter()
                .filter(|s| tickers.contains(&s.ticker))
                .map(|s| (s.ticker.clone(), s))
                .collect(),
            Err(e) => {
                tracing::info!(error = %e, "Kalshi series list unavailable; reading each series");
                HashMap::new()
            }
        };
        let mut missing: Vec<&String> = tickers.iter().filter(|t| !out.contains_key(*t)).collect();
        missing.sort();
        for ticker in missing {
            match self.one_series(ticker).await {
                Ok(s) => {
                    out.insert(ticker.clone(), s);
                }
                Err(error) => gaps.push(ListingGap {
                    what: format!("series {ticker}"),
                    error,
                }),
            }
        }
        out
    }
}

/// Decodes a page's markets one by one; an undecodable market is skipped with a warning, a page
/// of which none decodes is an error (the venue's format changed).
fn decode_markets(values: Vec<serde_json::Value>) -> Result<Vec<WireMarket>, ExchangeError> {
    let total = values.len();
    let mut out = Vec::with_capacity(total);
    for value in values {
        match serde_json::from_value::<WireMarket>(value) {
            Ok(m) => out.push(m),
            Err(e) => tracing::warn!(error = %e, "skipping undecodable Kalshi market"),
        }
    }
    if total > 0 && out.is_empty() {
        return Err(ExchangeError::Decode {
            what: "GET /markets".into(),
            message: format!("no market of a page of {total} could be decoded"),
        });
    }
    Ok(out)
}
