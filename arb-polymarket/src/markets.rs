//! Markets: Gamma listings and the CLOB's compact market info mapped to arb-core [`Market`]s,
//! with YES/NO chosen by outcome label.

use arb_core::fees::FeeSchedule;
use arb_core::model::{
    Market, MarketExt, MarketExtension, MarketId, MarketKey, MarketStatus, Outcome, PriceGrid, Qty,
};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::fees::PolymarketFees;
use crate::signing::TickSize;
use crate::wire::{ClobMarketInfo, GammaMarket};

/// The venue id of this adapter.
pub const VENUE: &str = "polymarket";

/// How the two outcomes were mapped to YES and NO.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeMapping {
    /// The labels are "Yes" and "No" (any order, any case): mapped by label.
    YesNoLabels,
    /// Another binary market ("Up"/"Down", two teams…): YES is the first outcome label
    /// (`subtitle` names it). A person approving a pair must check the polarity.
    FirstOutcomeAsYes,
}

/// Polymarket data carried by every [`Market`] of this venue (`market.ext`, key `"polymarket"`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PolymarketMarketExt {
    /// The condition id (also the market id).
    pub condition_id: String,
    /// Token id of the outcome mapped to YES.
    pub yes_token_id: String,
    /// Token id of the outcome mapped to NO.
    pub no_token_id: String,
    /// Label of the YES outcome.
    pub yes_label: String,
    /// Label of the NO outcome.
    pub no_label: String,
    /// How the labels were mapped.
    pub mapping: OutcomeMapping,
    /// Whether orders go to the neg-risk exchange.
    pub neg_risk: bool,
    /// Gamma's id, when known.
    pub gamma_id: Option<String>,
    /// Gamma's slug, when known.
    pub slug: Option<String>,
}

impl MarketExtension for PolymarketMarketExt {
    const KEY: &'static str = "polymarket";
}

impl PolymarketMarketExt {
    /// The token of one outcome.
    #[must_use]
    pub fn token(&self, outcome: Outcome) -> &str {
        match outcome {
            Outcome::Yes => &self.yes_token_id,
            Outcome::No => &self.no_token_id,
        }
    }

    /// The outcome of a token, if it belongs to this market.
    #[must_use]
    pub fn outcome_of(&self, token: &str) -> Option<Outcome> {
        if token == self.yes_token_id {
            Some(Outcome::Yes)
        } else if token == self.no_token_id {
            Some(Outcome::No)
        } else {
            None
        }
    }
}

/// Why a venue market could not become a [`Market`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MarketMapError {
    /// Not exactly two outcomes with two tokens.
    #[error("market {0} is not binary (outcomes/tokens: {1})")]
    NotBinary(String, String),
    /// A field is missing or malformed.
    #[error("market {0}: bad field {1}")]
    BadField(String, &'static str),
}

/// A market with what is needed to trade it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarketInfo {
    /// The arb-core market.
    pub market: Market,
    /// Venue data (tokens, neg risk).
    pub ext: PolymarketMarketExt,
    /// Current tick size.
    pub tick: TickSize,
    /// Minimum order size in shares.
    pub min_size: Decimal,
}

/// Outcome labels and tokens → (yes index, mapping). Yes/No by label, else the first outcome.
fn map_outcomes(labels: &[String]) -> (usize, OutcomeMapping) {
    let is = |i: usize, want: &str| labels[i].trim().eq_ignore_ascii_case(want);
    if is(0, "yes") && is(1, "no") {
        (0, OutcomeMapping::YesNoLabels)
    } else if is(0, "no") && is(1, "yes") {
        (1, OutcomeMapping::YesNoLabels)
    } else {
        (0, OutcomeMapping::FirstOutcomeAsYes)
    }
}

fn parse_json_list(
    id: &str,
    raw: Option<&str>,
    field: &'static str,
) -> Result<Vec<String>, MarketMapError> {
    let raw = raw.ok_or_else(|| MarketMapError::BadField(id.to_owned(), field))?;
    serde_json::from_str::<Vec<String>>(raw)
        .map_err(|_| MarketMapError::BadField(id.to_owned(), field))
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

fn status(g: &GammaMarket, outcome_prices: Option<&[String]>, yes: usize) -> MarketStatus {
    if g.closed {
        let price = |i: usize| {
            outcome_prices
                .and_then(|p| p.get(i))
                .and_then(|s| crate::wire::num::parse(s))
        };
        let (py, pn) = (price(yes), price(1 - yes));
        return match (py, pn) {
            (Some(y), Some(n)) if y == Decimal::ONE && n.is_zero() => {
                MarketStatus::Settled(Outcome::Yes)
            }
            (Some(y), Some(n)) if n == Decimal::ONE && y.is_zero() => {
                MarketStatus::Settled(Outcome::No)
            }
            _ => MarketStatus::Closed,
        };
    }
    if !g.active || g.archived {
        return MarketStatus::Upcoming;
    }
    if g.accepting_orders && g.enable_order_book {
        MarketStatus::Open
    } else {
        MarketStatus::Paused
    }
}

/// The largest fee exponent accepted (published schedules use 1 and 2).
const MAX_FEE_EXPONENT: Decimal = Decimal::from_parts(10, 0, 0, false, 0);

/// The market's fee schedule `fd`. A rate outside [0, 1] or an exponent outside [0, 10] is
/// refused (the market is skipped): fees computed from them would be meaningless, and a very
/// negative exponent would overflow.
fn fees(id: &str, info: &ClobMarketInfo) -> Result<FeeSchedule, MarketMapError> {
    match &info.fd {
        Some(fd) if !fd.r.is_zero() => {
            if fd.r < Decimal::ZERO || fd.r > Decimal::ONE {
                return Err(MarketMapError::BadField(
                    id.to_owned(),
                    "fd.r (fee rate outside [0, 1])",
                ));
            }
            if fd.e < Decimal::ZERO || fd.e > MAX_FEE_EXPONENT {
                return Err(MarketMapError::BadField(
                    id.to_owned(),
                    "fd.e (fee exponent outside [0, 10])",
                ));
            }
            Ok(PolymarketFees {
                rate: fd.r,
                exponent: fd.e,
                taker_only: fd.to,
            }
            .schedule())
        }
        _ => Ok(FeeSchedule::FREE),
    }
}

/// Builds a market from its Gamma record and its CLOB compact info (tick, minimum, neg risk,
/// fees; tokens and labels are taken from the CLOB info and checked against Gamma's).
pub fn build_market(g: &GammaMarket, info: &ClobMarketInfo) -> Result<MarketInfo, MarketMapError> {
    let id = g.condition_id.clone();
    if info.t.len() != 2 {
        return Err(MarketMapError::NotBinary(
            id,
            format!("{} tokens", info.t.len()),
        ));
    }
    let labels: Vec<String> = info.t.iter().map(|t| t.o.clone()).collect();
    let tokens: Vec<String> = info.t.iter().map(|t| t.t.clone()).collect();
    if let (Some(_), Some(_)) = (g.outcomes.as_deref(), g.clob_token_ids.as_deref()) {
        let g_labels = parse_json_list(&id, g.outcomes.as_deref(), "outcomes")?;
        let g_tokens = parse_json_list(&id, g.clob_token_ids.as_deref(), "clobTokenIds")?;
        // The two sources must pair the same labels with the same tokens.
        let pairs_match = g_labels.len() == 2
            && g_tokens.len() == 2
            && (0..2).all(|i| {
                tokens
                    .iter()
                    .position(|t| *t == g_tokens[i])
                    .is_some_and(|j| labels[j] == g_labels[i])
            });
        if !pairs_match {
            return Err(MarketMapError::BadField(
                id,
                "outcomes/clobTokenIds disagree with clob-markets",
            ));
        }
    }
    let (yes, mapping) = map_outcomes(&labels);
    let no = 1 - yes;
    let tick = TickSize::from_decimal(info.mts)
        .map_err(|_| MarketMapError::BadField(id.clone(), "mts"))?;
    let close_time = g
        .end_date
        .as_deref()
        .and_then(parse_time)
        .or_else(|| g.end_date_iso.as_deref().and_then(parse_time))
        .ok_or_else(|| MarketMapError::BadField(id.clone(), "endDate"))?;
    let outcome_prices = g
        .outcome_prices
        .as_deref()
        .and_then(|raw| serde_json::from_str::<Vec<String>>(raw).ok());
    let ext = PolymarketMarketExt {
        condition_id: id.clone(),
        yes_token_id: tokens[yes].clone(),
        no_token_id: tokens[no].clone(),
        yes_label: labels[yes].clone(),
        no_label: labels[no].clone(),
        mapping,
        neg_risk: info.nr,
        gamma_id: (!g.id.is_empty()).then(|| g.id.clone()),
        slug: (!g.slug.is_empty()).then(|| g.slug.clone()),
    };
    let mut market_ext = MarketExt::default();
    market_ext
        .insert(&ext)
        .map_err(|_| MarketMapError::BadField(id.clone(), "ext"))?;
    let min_size = info.mos;
    let market = Market {
        key: MarketKey::new(VENUE, MarketId::new(&id)),
        title: g.question.clone(),
        subtitle: labels[yes].clone(),
        rules: g.description.clone(),
        resolution_source: g.resolution_source.clone().filter(|s| !s.trim().is_empty()),
        close_time,
        status: status(g, outcome_prices.as_deref(), yes),
        price_grid: PriceGrid::uniform(tick.as_decimal())
            .map_err(|_| MarketMapError::BadField(id.clone(), "mts"))?,
        size_step: Qty::new(Decimal::new(1, 2))
            .map_err(|_| MarketMapError::BadField(id.clone(), "size_step"))?,
        min_order_qty: Qty::new(min_size)
            .map_err(|_| MarketMapError::BadField(id.clone(), "mos"))?,
        fees: fees(&id, info)?,
        ext: market_ext,
    };
    Ok(MarketInfo {
        market,
        ext,
        tick,
        min_size,
    })
}

/// Whether a Gamma market is worth listing: active, open, accepting orders, with an order book
/// and a condition id.
#[must_use]
pub fn is_listable(g: &GammaMarket) -> bool {
    g.active
        && !g.closed
        && !g.archived
        && g.accepting_orders
        && g.enable_order_book
        && !g.condition_id.is_empty()
}

impl MarketInfo {
    /// The same market with a new tick size (a `tick_size_change` event).
    pub fn with_tick(&self, tick: TickSize) -> Self {
        let mut next = self.clone();
        next.tick = tick;
        if let Ok(grid) = PriceGrid::uniform(tick.as_decimal()) {
            next.market.price_grid = grid;
        }
        next
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    fn info(fd: &str) -> ClobMarketInfo {
        serde_json::from_str(&format!(
            r#"{{"c":"0xc","t":[{{"t":"1","o":"Yes"}},{{"t":"2","o":"No"}}],"mts":0.01,"mos":5,"fd":{fd}}}"#
        ))
        .unwrap_or_else(|e| panic!("{fd}: {e}"))
    }

    /// A very negative exponent once overflowed `powi` ("Pow overflowed"); a huge rate overflowed
    /// the detector's fixed point. Both are refused as the field they are.
    #[test]
    fn a_fee_schedule_out_of_range_is_refused_naming_the_field() {
        for (fd, field) in [
            (r#"{"r":0.03,"e":-60,"to":true}"#, "fd.e"),
            (r#"{"r":0.03,"e":11,"to":true}"#, "fd.e"),
            (r#"{"r":1e20,"e":1,"to":true}"#, "fd.r"),
            (r#"{"r":-0.5,"e":1,"to":true}"#, "fd.r"),
        ] {
            let err = fees("0xc", &info(fd)).unwrap_err().to_string();
            assert!(err.contains(field), "{fd}: {err}");
        }
        assert!(fees("0xc", &info(r#"{"r":0.25,"e":2,"to":true}"#)).is_ok());
    }
}
