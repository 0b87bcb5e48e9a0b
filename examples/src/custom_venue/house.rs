//! "Bookie": a toy fixed-odds house, standing in for a remote venue's API.
//!
//! Everything here is in the venue's own **wire units**, the way a real venue's JSON would be:
//! prices in basis points of $1 (`4_400` = $0.44), money in micro-dollars (`1_000_000` = $1),
//! sizes in whole tickets, times in Unix milliseconds, outcomes as `"Y"`/`"N"`. None of these
//! units leak past the adapter ([`super::adapter`]), which converts them at the edge.
//!
//! The house quotes a price for each outcome of each market and sells tickets at that price
//! until its liability limit for that outcome is used up. It never buys tickets back and never
//! rests orders: a buy fills at once against the quote (all or nothing if asked), the rest is
//! cancelled. A winning ticket pays $1 at settlement.

use std::collections::BTreeMap;

/// Micro-dollars in one dollar: a winning ticket pays this much.
pub const MICROS_PER_DOLLAR: i64 = 1_000_000;
/// Basis points in one dollar: the highest possible price.
pub const BPS_PER_DOLLAR: u32 = 10_000;
/// Micro-dollars in one basis point.
const MICROS_PER_BPS: i64 = 100;

/// The house's quote on one market, in wire units.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WireQuote {
    /// Price of a YES ticket, basis points.
    pub yes_bps: u32,
    /// Price of a NO ticket, basis points.
    pub no_bps: u32,
    /// YES tickets the house will still sell at that price.
    pub yes_tickets: u64,
    /// NO tickets the house will still sell at that price.
    pub no_tickets: u64,
}

/// Where a market stands, in wire terms.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WireState {
    /// Tickets on sale.
    Open,
    /// Sales stopped for a while.
    Suspended,
    /// Result known: `true` if YES won.
    Settled {
        /// Whether YES won.
        yes_won: bool,
    },
}

/// One market as the house lists it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WireMarket {
    /// The house's market code (`FINAL-HOME`).
    pub code: String,
    /// The question.
    pub question: String,
    /// When sales stop, Unix milliseconds.
    pub closes_at_ms: i64,
    /// Current quote.
    pub quote: WireQuote,
    /// State.
    pub state: WireState,
}

/// A buy request as the house's API takes it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WireBuy {
    /// The caller's reference; the house answers a repeated reference with the first ticket.
    pub client_ref: String,
    /// Market code.
    pub code: String,
    /// `"Y"` or `"N"`.
    pub side: String,
    /// Highest acceptable price, basis points.
    pub max_bps: u32,
    /// Tickets wanted.
    pub tickets: u64,
    /// Fill everything or nothing.
    pub all_or_none: bool,
}

/// The house's record of one buy request ("a ticket"), in wire units.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WireTicket {
    /// The house's id.
    pub id: u64,
    /// What was asked.
    pub request: WireBuy,
    /// Tickets bought (all at one price: the quote).
    pub filled: u64,
    /// The price paid, basis points (`None` if nothing filled).
    pub price_bps: Option<u32>,
    /// Commission charged, micro-dollars.
    pub commission_micros: i64,
    /// When it was placed, Unix milliseconds.
    pub placed_at_ms: i64,
}

/// Tickets held on one side of one market.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct WireHolding {
    /// Tickets held.
    pub tickets: u64,
    /// What they cost, commission excluded, micro-dollars.
    pub cost_micros: i64,
    /// Commission paid for them, micro-dollars.
    pub commission_micros: i64,
    /// Profit realised at settlement, micro-dollars.
    pub realized_micros: i64,
}

/// An error from the house's API: a machine code and a message, like a JSON error body.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WireError {
    /// `unknown_market`, `unknown_ticket`, `market_not_open`, `bad_side`, `price_moved`,
    /// `insufficient_funds`, `bad_size`.
    pub code: &'static str,
    /// Human-readable detail.
    pub message: String,
}

impl WireError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// The whole house: markets, our account, our tickets.
#[derive(Debug)]
pub struct House {
    markets: BTreeMap<String, WireMarket>,
    cash_micros: i64,
    commission_micros_per_ticket: i64,
    tickets: Vec<WireTicket>,
    holdings: BTreeMap<(String, String), WireHolding>,
}

impl House {
    /// A house charging `commission_micros_per_ticket` on every ticket bought, with
    /// `cash_micros` in our account.
    #[must_use]
    pub const fn new(cash_micros: i64, commission_micros_per_ticket: i64) -> Self {
        Self {
            markets: BTreeMap::new(),
            cash_micros,
            commission_micros_per_ticket,
            tickets: Vec::new(),
            holdings: BTreeMap::new(),
        }
    }

    /// The commission per ticket, micro-dollars.
    #[must_use]
    pub const fn commission_micros_per_ticket(&self) -> i64 {
        self.commission_micros_per_ticket
    }

    /// Lists (or replaces) a market.
    pub fn list(&mut self, market: WireMarket) {
        self.markets.insert(market.code.clone(), market);
    }

    /// Every market, in code order.
    pub fn markets(&self) -> impl Iterator<Item = &WireMarket> {
        self.markets.values()
    }

    /// One market.
    pub fn market(&self, code: &str) -> Result<&WireMarket, WireError> {
        self.markets
            .get(code)
            .ok_or_else(|| WireError::new("unknown_market", format!("no market `{code}`")))
    }

    /// Replaces a market's quote.
    pub fn requote(&mut self, code: &str, quote: WireQuote) -> Result<(), WireError> {
        self.market_mut(code)?.quote = quote;
        Ok(())
    }

    fn market_mut(&mut self, code: &str) -> Result<&mut WireMarket, WireError> {
        self.markets
            .get_mut(code)
            .ok_or_else(|| WireError::new("unknown_market", format!("no market `{code}`")))
    }

    /// Buys tickets against the quote. A repeated `client_ref` returns the first ticket.
    pub fn buy(&mut self, request: WireBuy, now_ms: i64) -> Result<WireTicket, WireError> {
        if let Some(existing) = self.ticket_by_ref(&request.client_ref) {
            return Ok(existing.clone());
        }
        let commission = self.commission_micros_per_ticket;
        let cash = self.cash_micros;
        let market = self.market_mut(&request.code)?;
        if market.state != WireState::Open {
            return Err(WireError::new(
                "market_not_open",
                format!("`{}` is not open", market.code),
            ));
        }
        let (price_bps, available) = match request.side.as_str() {
            "Y" => (&market.quote.yes_bps, &mut market.quote.yes_tickets),
            "N" => (&market.quote.no_bps, &mut market.quote.no_tickets),
            other => return Err(WireError::new("bad_side", format!("side `{other}`"))),
        };
        // The worst case must be affordable before anything fills.
        let worst_case = i64::try_from(request.tickets)
            .ok()
            .and_then(|t| t.checked_mul(i64::from(request.max_bps) * MICROS_PER_BPS + commission))
            .ok_or_else(|| WireError::new("bad_size", "too many tickets"))?;
        if worst_case > cash {
            return Err(WireError::new(
                "insufficient_funds",
                "cash does not cover the order's worst case (limit x tickets + commission)",
            ));
        }
        let price_bps = *price_bps;
        let mut filled = if price_bps <= request.max_bps {
            request.tickets.min(*available)
        } else {
            0
        };
        if request.all_or_none && filled < request.tickets {
            filled = 0;
        }
        *available -= filled;

        // `filled` ≤ the requested tickets, which fit in an i64 (checked above).
        let filled_i64 = i64::try_from(filled).unwrap_or(i64::MAX);
        let cost = filled_i64 * i64::from(price_bps) * MICROS_PER_BPS;
        let fee = filled_i64 * commission;
        self.cash_micros -= cost + fee;
        let holding = self
            .holdings
            .entry((request.code.clone(), request.side.clone()))
            .or_default();
        holding.tickets += filled;
        holding.cost_micros += cost;
        holding.commission_micros += fee;

        let ticket = WireTicket {
            id: self.tickets.len() as u64 + 1,
            request,
            filled,
            price_bps: (filled > 0).then_some(price_bps),
            commission_micros: fee,
            placed_at_ms: now_ms,
        };
        self.tickets.push(ticket.clone());
        Ok(ticket)
    }

    /// A ticket by the house's id.
    pub fn ticket(&self, id: u64) -> Result<&WireTicket, WireError> {
        self.tickets
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| WireError::new("unknown_ticket", format!("no ticket {id}")))
    }

    /// A ticket by the caller's reference.
    #[must_use]
    pub fn ticket_by_ref(&self, client_ref: &str) -> Option<&WireTicket> {
        self.tickets
            .iter()
            .find(|t| t.request.client_ref == client_ref)
    }

    /// Every ticket, oldest first.
    pub fn tickets(&self) -> impl Iterator<Item = &WireTicket> {
        self.tickets.iter()
    }

    /// Our holdings, keyed by market code and side.
    pub fn holdings(&self) -> impl Iterator<Item = (&(String, String), &WireHolding)> {
        self.holdings.iter()
    }

    /// Our cash, micro-dollars.
    #[must_use]
    pub const fn cash_micros(&self) -> i64 {
        self.cash_micros
    }

    /// Settles a market: every winning ticket pays $1, holdings on it close.
    pub fn settle(&mut self, code: &str, yes_won: bool) -> Result<(), WireError> {
        self.market_mut(code)?.state = WireState::Settled { yes_won };
        let winner = if yes_won { "Y" } else { "N" };
        for ((market, side), holding) in &mut self.holdings {
            if market != code {
                continue;
            }
            let tickets = i64::try_from(holding.tickets).unwrap_or(i64::MAX);
            let payout = if side == winner {
                tickets * MICROS_PER_DOLLAR
            } else {
                0
            };
            self.cash_micros += payout;
            holding.realized_micros += payout - holding.cost_micros - holding.commission_micros;
            *holding = WireHolding {
                realized_micros: holding.realized_micros,
                ..WireHolding::default()
            };
        }
        Ok(())
    }
}
