//! The catalogue of open markets: Gamma's keyset pages (at most [`GAMMA_MAX_PAGE`] per page,
//! followed to the last one), then each market's CLOB details (`/clob-markets`: tokens, tick,
//! minimum size, fee schedule), a few at a time. Reads are retried with backoff by the client;
//! a page or a market that still fails is reported as a [`ListingGap`] naming it, and the rest
//! is listed.

use std::sync::Arc;

use arb_core::exchange::{ExchangeError, ListingGap, MarketListing};
use futures::StreamExt;

use crate::client::{Auth, Client, Host};
use crate::config::GAMMA_MAX_PAGE;
use crate::http::Call;
use crate::markets::is_listable;
use crate::wire::{GammaKeysetPage, GammaMarket};

/// Safety bound on the number of pages followed.
const MAX_PAGES: usize = 10_000;

/// Every open market, with what could not be read.
pub async fn list(client: &Arc<Client>) -> Result<MarketListing, ExchangeError> {
    let mut gaps = Vec::new();
    let gamma = gamma_markets(client, &mut gaps).await?;
    let details: Vec<_> = futures::stream::iter(gamma)
        .map(|g| {
            let client = Arc::clone(client);
            async move {
                let info = client.clob_market_info(&g.condition_id).await;
                (g, info)
            }
        })
        .buffer_unordered(client.cfg.market_info_concurrency.max(1))
        .collect()
        .await;
    let mut markets = Vec::with_capacity(details.len());
    for (g, info) in details {
        match info.and_then(|info| client.cache_market(&g, &info)) {
            Ok(m) => markets.push(m.market.clone()),
            // Gamma lists markets the CLOB does not trade (yet): not a failure.
            Err(ExchangeError::NotFound(_)) => {
                tracing::debug!(condition_id = %g.condition_id, "no CLOB market; not listed");
            }
            Err(error) => gaps.push(ListingGap {
                what: format!("market {} ({})", g.condition_id, g.question),
                error,
            }),
        }
    }
    markets.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(MarketListing { markets, gaps })
}

/// Gamma's open markets, all keyset pages. A failing first page is an error (nothing could be
/// listed); a later one ends the listing there with a gap.
async fn gamma_markets(
    client: &Client,
    gaps: &mut Vec<ListingGap>,
) -> Result<Vec<GammaMarket>, ExchangeError> {
    let limit = client
        .cfg
        .gamma_page_size
        .clamp(1, GAMMA_MAX_PAGE)
        .to_string();
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut call = Call::get("/markets/keyset")
            .query("limit", limit.clone())
            .query("closed", "false")
            .query("active", "true");
        if let Some(c) = &cursor {
            call = call.query("after_cursor", c.clone());
        }
        let page: GammaKeysetPage = match client
            .json(Host::Gamma, Auth::Public, &call, "gamma keyset page")
            .await
        {
            Ok(p) => p,
            Err(e) => match &cursor {
                None => return Err(e),
                Some(c) => {
                    gaps.push(ListingGap {
                        what: format!("Gamma pages after cursor {c}"),
                        error: e,
                    });
                    return Ok(out);
                }
            },
        };
        out.extend(page.markets.into_iter().filter(is_listable));
        match page.next_cursor.filter(|c| !c.is_empty()) {
            Some(next) if cursor.as_deref() != Some(next.as_str()) => cursor = Some(next),
            _ => return Ok(out),
        }
    }
    gaps.push(ListingGap {
        what: "Gamma pages".into(),
        error: ExchangeError::Unavailable(format!(
            "pagination did not end after {MAX_PAGES} pages"
        )),
    });
    Ok(out)
}
