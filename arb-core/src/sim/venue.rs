//! The state of one simulated venue and its synchronous rules: markets, books, orders, fills,
//! the account. [`super::SimExchange`] wraps it with latency, faults and streams.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::BuyFill;
use super::account::{Account, Trade};
use super::faults::Faults;
use super::matching::{Maker, Match, MatchingBook, Taker, Want, from_yes_price, to_yes_terms};
use crate::clock::{Clock, IdSource};
use crate::exchange::ExchangeError;
use crate::fees::{FeeModel, FeeSchedule};
use crate::model::{
    Balance, BinaryBook, ClientOrderId, Fill, FillId, Level, Liquidity, Market, MarketId,
    MarketStatus, Order, OrderRequest, OrderStatus, Outcome, Position, Price, Qty, Side,
    TimeInForce, VenueId, VenueOrderId,
};

/// A market and its matching book.
#[derive(Clone, Debug)]
struct SimMarket {
    market: Market,
    book: MatchingBook,
}

/// An order with what is needed to charge its fees exactly.
#[derive(Clone, Debug)]
struct SimOrder {
    order: Order,
    taker_fills: Vec<Level>,
    maker_fills: Vec<Level>,
    notional: Decimal,
}

/// Everything a simulated venue holds.
#[derive(Debug)]
pub(crate) struct VenueState {
    venue: VenueId,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    markets: BTreeMap<MarketId, SimMarket>,
    orders: HashMap<VenueOrderId, SimOrder>,
    by_client: HashMap<ClientOrderId, VenueOrderId>,
    fills: Vec<Fill>,
    account: Account,
    /// Delayed orders and how many more queries see them pending.
    delayed: Vec<(VenueOrderId, u32)>,
    /// Faults waiting to happen.
    pub(crate) faults: Faults,
    /// How marketable buys fill.
    buy_fill: BuyFill,
}

/// Markets whose book changed, so their subscribers are told.
pub(crate) type Changed = Vec<MarketId>;

impl VenueState {
    /// An empty venue.
    pub(crate) fn new(
        venue: VenueId,
        cash: Decimal,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
    ) -> Self {
        Self {
            venue,
            clock,
            ids,
            markets: BTreeMap::new(),
            orders: HashMap::new(),
            by_client: HashMap::new(),
            fills: Vec::new(),
            account: Account::new(cash),
            delayed: Vec::new(),
            faults: Faults::default(),
            buy_fill: BuyFill::Contracts,
        }
    }

    /// The same venue, filling marketable buys as `buy_fill` says.
    pub(crate) const fn with_buy_fill(mut self, buy_fill: BuyFill) -> Self {
        self.buy_fill = buy_fill;
        self
    }

    /// What a request wants from the book: its contracts, or for a marketable buy on a venue
    /// that fills by cash, the cash `qty × limit`.
    fn want(&self, request: &OrderRequest) -> Want {
        let marketable = request.time_in_force != TimeInForce::Gtc;
        if self.buy_fill == BuyFill::Cash && marketable && request.side == Side::Buy {
            Want::Cash {
                budget: request.qty.notional(request.limit_price),
                lot: dec!(0.000001),
                yes: request.outcome == Outcome::Yes,
            }
        } else {
            Want::Contracts(request.qty)
        }
    }

    /// Now, from the injected clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn sim_market(&self, id: &MarketId) -> Result<&SimMarket, ExchangeError> {
        self.markets
            .get(id)
            .ok_or_else(|| ExchangeError::NotFound(format!("market {id} on {}", self.venue)))
    }

    fn sim_market_mut(&mut self, id: &MarketId) -> Result<&mut SimMarket, ExchangeError> {
        let venue = &self.venue;
        self.markets
            .get_mut(id)
            .ok_or_else(|| ExchangeError::NotFound(format!("market {id} on {venue}")))
    }

    /// Lists or replaces a market; a replaced market keeps its book and orders.
    pub(crate) fn add_market(&mut self, market: Market) -> Result<(), ExchangeError> {
        if market.key.venue != self.venue {
            return Err(ExchangeError::InvalidRequest(format!(
                "market {} belongs to venue {}, not {}",
                market.key.market, market.key.venue, self.venue
            )));
        }
        match self.markets.get_mut(&market.key.market) {
            Some(existing) => existing.market = market,
            None => {
                self.markets.insert(
                    market.key.market.clone(),
                    SimMarket {
                        market,
                        book: MatchingBook::default(),
                    },
                );
            }
        }
        Ok(())
    }

    /// Every listed market.
    pub(crate) fn markets(&self) -> impl Iterator<Item = &Market> {
        self.markets.values().map(|m| &m.market)
    }

    /// One market.
    pub(crate) fn market(&self, id: &MarketId) -> Result<Market, ExchangeError> {
        Ok(self.sim_market(id)?.market.clone())
    }

    /// The current book of a market, our resting orders included.
    pub(crate) fn book(&self, id: &MarketId) -> Result<BinaryBook, ExchangeError> {
        let book = self.sim_market(id)?.book.yes_book();
        Ok(BinaryBook::from_yes_book(book, self.now()))
    }

    /// Replaces the external (other traders') YES liquidity of a market. Our resting orders stay;
    /// those the new book crosses trade against it at their own price.
    pub(crate) fn set_book(
        &mut self,
        id: &MarketId,
        yes_bids: &[Level],
        yes_asks: &[Level],
    ) -> Result<Changed, ExchangeError> {
        let m = self.sim_market(id)?;
        if let Some(off) = yes_bids
            .iter()
            .chain(yes_asks)
            .find(|l| !m.market.price_grid.contains(l.price))
        {
            return Err(ExchangeError::InvalidRequest(format!(
                "book level at {} is not on the price grid of {id}",
                off.price
            )));
        }
        let best_bid = yes_bids.iter().map(|l| l.price).max();
        let best_ask = yes_asks.iter().map(|l| l.price).min();
        if let (Some(bid), Some(ask)) = (best_bid, best_ask)
            && bid >= ask
        {
            return Err(ExchangeError::InvalidRequest(format!(
                "scripted book of {id} is crossed: bid {bid} >= ask {ask}"
            )));
        }
        let m = self.sim_market_mut(id)?;
        m.book.replace_external(yes_bids, yes_asks);
        let trades = m.book.uncross();
        self.apply_maker_trades(id, &trades);
        Ok(vec![id.clone()])
    }

    /// Other traders' YES liquidity on a market (bids, asks), as left by our trades.
    pub(crate) fn external_book(
        &self,
        id: &MarketId,
    ) -> Result<(Vec<Level>, Vec<Level>), ExchangeError> {
        Ok(self.sim_market(id)?.book.external_levels())
    }

    /// Another trader's immediate order: it trades against resting liquidity in price-time
    /// priority, ours included. Returns the contracts it traded.
    pub(crate) fn cross_resting(
        &mut self,
        id: &MarketId,
        outcome: Outcome,
        side: Side,
        limit: Price,
        qty: Qty,
    ) -> Result<(Qty, Changed), ExchangeError> {
        let (yes_side, yes_limit) = to_yes_terms(outcome, side, limit);
        let taken = self
            .sim_market_mut(id)?
            .book
            .take(yes_side, yes_limit, qty, Taker::External);
        self.apply_maker_trades(id, &taken.matches);
        let changed = if taken.matches.is_empty() {
            Vec::new()
        } else {
            vec![id.clone()]
        };
        Ok((taken.filled(), changed))
    }

    /// Settles a market: it becomes `Settled(winner)`, our open orders on it are cancelled, its
    /// book empties and each winning contract pays $1.
    pub(crate) fn settle(
        &mut self,
        id: &MarketId,
        winner: Outcome,
    ) -> Result<Changed, ExchangeError> {
        let now = self.now();
        let m = self.sim_market_mut(id)?;
        m.market.status = MarketStatus::Settled(winner);
        m.book.clear();
        let key = m.market.key.clone();
        self.delayed.retain(|(order, _)| {
            self.orders
                .get(order)
                .is_none_or(|o| o.order.request.market != key)
        });
        for so in self.orders.values_mut() {
            if so.order.request.market == key && !so.order.status.is_terminal() {
                so.order.status = OrderStatus::Cancelled;
                so.order.reason = Some("market settled".into());
                so.order.updated_at = now;
            }
        }
        self.account.settle(&key, winner, now);
        Ok(vec![id.clone()])
    }

    /// An order by client order id.
    pub(crate) fn order_by_client_id(&self, id: &ClientOrderId) -> Option<Order> {
        self.by_client
            .get(id)
            .and_then(|v| self.orders.get(v))
            .map(|so| so.order.clone())
    }

    /// An order by venue id.
    pub(crate) fn order(&self, id: &VenueOrderId) -> Result<Order, ExchangeError> {
        self.orders
            .get(id)
            .map(|so| so.order.clone())
            .ok_or_else(|| ExchangeError::NotFound(format!("order {id} on {}", self.venue)))
    }

    /// Checks an order before accepting it: market open, price and size valid, enough contracts
    /// to sell, enough cash for its worst case.
    pub(crate) fn admit(&self, request: &OrderRequest) -> Result<(), ExchangeError> {
        if request.market.venue != self.venue {
            return Err(ExchangeError::InvalidRequest(format!(
                "order for {} sent to venue {}",
                request.market, self.venue
            )));
        }
        let m = self.sim_market(&request.market.market)?;
        if !m.market.status.is_tradable() {
            return Err(ExchangeError::Rejected {
                code: "market_not_open".into(),
                message: format!("market {} is {:?}", request.market.market, m.market.status),
            });
        }
        m.market.validate_order(request.limit_price, request.qty)?;
        if request.side == Side::Sell {
            let free = self
                .account
                .held(&request.market, request.outcome)
                .saturating_sub(self.reserved_contracts(request));
            if request.qty > free {
                return Err(ExchangeError::InsufficientBalance(format!(
                    "cannot sell {} {} contracts of {}: {} held and not already offered",
                    request.qty, request.outcome, request.market.market, free
                )));
            }
        }
        let fees = m.market.fees.effective_at(self.now());
        let worst = worst_case_cost(request, request.qty, &fees);
        let available = self.available_cash();
        if worst > available {
            return Err(ExchangeError::InsufficientBalance(format!(
                "order needs up to ${worst} but ${available} is available"
            )));
        }
        Ok(())
    }

    /// Records an accepted order as `Pending` and returns its venue id.
    pub(crate) fn accept(&mut self, request: &OrderRequest) -> VenueOrderId {
        let id = VenueOrderId::new(self.ids.next_id("order"));
        let mut order = Order::pending(request.clone(), self.now());
        order.venue_order_id = Some(id.clone());
        self.by_client
            .insert(request.client_order_id.clone(), id.clone());
        self.orders.insert(
            id.clone(),
            SimOrder {
                order,
                taker_fills: Vec::new(),
                maker_fills: Vec::new(),
                notional: Decimal::ZERO,
            },
        );
        id
    }

    /// Forgets an accepted order that was then refused (as if never received).
    pub(crate) fn forget(&mut self, id: &VenueOrderId) {
        if let Some(so) = self.orders.remove(id) {
            self.by_client.remove(&so.order.request.client_order_id);
        }
    }

    /// Keeps an accepted order pending until `polls` queries have seen it.
    pub(crate) fn delay(&mut self, id: VenueOrderId, polls: u32) {
        self.delayed.push((id, polls));
    }

    /// Matches an accepted order against the book (on a venue that fills buys by cash, a
    /// marketable buy spends `qty × limit`): FOK fills completely or not at all, IOC
    /// fills what it can and cancels the rest, GTC rests the rest. Refuses (changing nothing)
    /// an order that would trade with our own resting orders or cost more than the cash available.
    pub(crate) fn execute(&mut self, id: &VenueOrderId) -> Result<Changed, ExchangeError> {
        let now = self.now();
        let request = self.order(id)?.request;
        let m = self.sim_market(&request.market.market)?;
        let fees = m.market.fees.effective_at(now);
        let (yes_side, yes_limit) =
            to_yes_terms(request.outcome, request.side, request.limit_price);
        let mut book = m.book.clone();
        let want = self.want(&request);
        let taken = book.take_wanted(yes_side, yes_limit, want, Taker::Own);
        if taken.blocked_by_own {
            return Err(ExchangeError::Rejected {
                code: "self_trade".into(),
                message: "order would trade against our own resting order".into(),
            });
        }
        let filled = taken.filled();
        let complete = match want {
            Want::Contracts(_) => filled >= request.qty,
            Want::Cash { .. } => filled_budget(&request, &taken),
        };
        if request.time_in_force == TimeInForce::Fok && !complete {
            self.finish(
                id,
                OrderStatus::Cancelled,
                format!(
                    "fill-or-kill: only {filled} of {} available within the limit",
                    request.qty
                ),
            );
            return Ok(Vec::new());
        }
        let fills: Vec<Level> = taken
            .matches
            .iter()
            .map(|t| Level::new(from_yes_price(request.outcome, t.price), t.qty))
            .collect();
        let notional: Decimal = fills.iter().map(|f| f.qty.notional(f.price)).sum();
        let fee = fees.order_fee(&fills, Liquidity::Taker);
        let cost = match request.side {
            Side::Buy => notional + fee,
            Side::Sell => fee - notional,
        };
        // The order itself is pending: take it out of the reservation before comparing.
        let available = self.available_cash()
            + self
                .orders
                .get(id)
                .map_or(Decimal::ZERO, |so| self.reservation(so));
        if cost > available {
            return Err(ExchangeError::InsufficientBalance(format!(
                "fills would cost ${cost} but ${available} is available"
            )));
        }
        let remaining = request.qty.saturating_sub(filled);
        if request.time_in_force == TimeInForce::Gtc && !complete {
            book.rest(id.clone(), yes_side, yes_limit, remaining);
        }
        let changed = book != self.sim_market(&request.market.market)?.book;
        self.sim_market_mut(&request.market.market)?.book = book;
        for fill in fills {
            self.record_fill(id, fill, Liquidity::Taker, now);
        }
        match (request.time_in_force, complete) {
            (_, true) => self.finish(id, OrderStatus::Filled, String::new()),
            (TimeInForce::Gtc, false) => {
                let status = if filled.is_zero() {
                    OrderStatus::Open
                } else {
                    OrderStatus::PartiallyFilled
                };
                self.set_status(id, status);
            }
            (_, false) => self.finish(
                id,
                OrderStatus::Cancelled,
                format!(
                    "immediate-or-cancel: only {filled} of {} available within the limit",
                    request.qty
                ),
            ),
        }
        Ok(if changed {
            vec![request.market.market]
        } else {
            Vec::new()
        })
    }

    /// Counts one query against each delayed order; executes those whose delay is over.
    /// An order refused at that point ends `Rejected` with the reason.
    pub(crate) fn poll_delayed(&mut self) -> Changed {
        let mut due = Vec::new();
        self.delayed.retain_mut(|(id, polls)| {
            if *polls == 0 {
                due.push(id.clone());
                false
            } else {
                *polls -= 1;
                true
            }
        });
        self.execute_delayed(due)
    }

    /// Executes every delayed order now.
    pub(crate) fn release_delayed(&mut self) -> Changed {
        let due = self.delayed.drain(..).map(|(id, _)| id).collect();
        self.execute_delayed(due)
    }

    fn execute_delayed(&mut self, due: Vec<VenueOrderId>) -> Changed {
        let mut changed = Vec::new();
        for id in due {
            match self.execute(&id) {
                Ok(markets) => changed.extend(markets),
                Err(e) => self.finish(&id, OrderStatus::Rejected, e.to_string()),
            }
        }
        changed
    }

    /// Cancels an order: a resting one leaves the book, a delayed one never executes.
    /// A finished order is returned as it is.
    pub(crate) fn cancel(&mut self, id: &VenueOrderId) -> Result<(Order, Changed), ExchangeError> {
        let order = self.order(id)?;
        if order.status.is_terminal() {
            return Ok((order, Vec::new()));
        }
        self.delayed.retain(|(d, _)| d != id);
        let market = order.request.market.market.clone();
        let removed = self.sim_market_mut(&market)?.book.remove(id);
        self.finish(id, OrderStatus::Cancelled, "cancelled on request".into());
        let changed = if removed.is_some() {
            vec![market]
        } else {
            Vec::new()
        };
        Ok((self.order(id)?, changed))
    }

    /// Our fills at or after `since`.
    pub(crate) fn fills_since(&self, since: DateTime<Utc>) -> Vec<Fill> {
        self.fills
            .iter()
            .filter(|f| f.ts >= since)
            .cloned()
            .collect()
    }

    /// Every position ever held, zero ones included.
    pub(crate) fn all_positions(&self) -> Vec<Position> {
        self.account.positions()
    }

    /// Cash: total, and available once resting and pending orders' worst cases are set aside.
    pub(crate) fn balance(&self) -> Balance {
        Balance {
            venue: self.venue.clone(),
            available: self.available_cash(),
            total: self.account.cash(),
            updated_at: self.now(),
        }
    }

    fn available_cash(&self) -> Decimal {
        let reserved: Decimal = self.orders.values().map(|so| self.reservation(so)).sum();
        self.account.cash() - reserved
    }

    /// Cash set aside for an order that may still fill: the worst case of its remaining quantity.
    fn reservation(&self, so: &SimOrder) -> Decimal {
        let remaining = so.order.remaining_qty();
        if remaining.is_zero() {
            return Decimal::ZERO;
        }
        let fees = self
            .markets
            .get(&so.order.request.market.market)
            .map(|m| m.market.fees.effective_at(self.now()))
            .unwrap_or_default();
        worst_case_cost(&so.order.request, remaining, &fees).max(Decimal::ZERO)
    }

    /// Contracts of the request's outcome already offered by our other open sell orders.
    fn reserved_contracts(&self, request: &OrderRequest) -> Qty {
        self.orders
            .values()
            .filter(|so| {
                let r = &so.order.request;
                r.side == Side::Sell && r.market == request.market && r.outcome == request.outcome
            })
            .fold(Qty::ZERO, |acc, so| acc + so.order.remaining_qty())
    }

    /// Fills our resting orders that external flow traded with.
    fn apply_maker_trades(&mut self, market: &MarketId, trades: &[Match]) {
        let now = self.now();
        for t in trades {
            let Maker::Own(id) = &t.maker else { continue };
            let Some(outcome) = self.orders.get(id).map(|so| so.order.request.outcome) else {
                continue;
            };
            self.record_fill(
                id,
                Level::new(from_yes_price(outcome, t.price), t.qty),
                Liquidity::Maker,
                now,
            );
            if let Some(so) = self.orders.get_mut(id)
                && so.order.filled_qty >= so.order.request.qty
            {
                so.order.status = OrderStatus::Filled;
            }
        }
        tracing::debug!(venue = %self.venue, %market, trades = trades.len(), "external flow");
    }

    /// Records one fill of our order: the order's fee is recomputed over all its fills (one
    /// order, one rounding) and the fill is charged the increase.
    fn record_fill(
        &mut self,
        id: &VenueOrderId,
        fill: Level,
        liquidity: Liquidity,
        now: DateTime<Utc>,
    ) {
        let Some(so) = self.orders.get_mut(id) else {
            return;
        };
        let fees = self
            .markets
            .get(&so.order.request.market.market)
            .map(|m| m.market.fees.effective_at(now))
            .unwrap_or_default();
        match liquidity {
            Liquidity::Taker => so.taker_fills.push(fill),
            Liquidity::Maker => so.maker_fills.push(fill),
        }
        let total = order_fee(&fees, &so.taker_fills, &so.maker_fills);
        let fee = (total - so.order.fees_paid).max(Decimal::ZERO);
        so.order.fees_paid = total.max(so.order.fees_paid);
        so.notional += fill.qty.notional(fill.price);
        so.order.filled_qty += fill.qty;
        so.order.avg_fill_price = Price::new(so.notional / so.order.filled_qty.value()).ok();
        if so.order.status == OrderStatus::Open {
            so.order.status = OrderStatus::PartiallyFilled;
        }
        so.order.updated_at = now;
        let request = so.order.request.clone();
        self.account.apply(
            &request.market,
            Trade {
                outcome: request.outcome,
                side: request.side,
                price: fill.price,
                qty: fill.qty,
                fee,
            },
            now,
        );
        self.fills.push(Fill {
            fill_id: FillId::new(self.ids.next_id("fill")),
            market: request.market,
            outcome: request.outcome,
            side: request.side,
            price: fill.price,
            qty: fill.qty,
            fee,
            liquidity,
            venue_order_id: id.clone(),
            client_order_id: Some(request.client_order_id),
            ts: now,
        });
    }

    fn set_status(&mut self, id: &VenueOrderId, status: OrderStatus) {
        let now = self.now();
        if let Some(so) = self.orders.get_mut(id) {
            so.order.status = status;
            so.order.updated_at = now;
        }
    }

    fn finish(&mut self, id: &VenueOrderId, status: OrderStatus, reason: String) {
        self.set_status(id, status);
        if let Some(so) = self.orders.get_mut(id)
            && !reason.is_empty()
        {
            so.order.reason = Some(reason);
        }
    }
}

/// The fee of one order: its taker fills and its maker fills, each rounded as one order.
fn order_fee(fees: &FeeSchedule, taker: &[Level], maker: &[Level]) -> Decimal {
    fees.order_fee(taker, Liquidity::Taker) + fees.order_fee(maker, Liquidity::Maker)
}

/// The most `qty` contracts of this order can cost in dollars (negative: the least a sale brings):
/// a buy pays at most its limit, a sale gets at least its limit, and the fee is taken at the
/// price within reach where it peaks (p × (1 − p) peaks at 0.5).
pub(crate) fn worst_case_cost(request: &OrderRequest, qty: Qty, fees: &FeeSchedule) -> Decimal {
    let limit = request.limit_price;
    let half = Price::new(dec!(0.5)).unwrap_or(limit);
    let (peak, notional) = match request.side {
        Side::Buy => (limit.min(half), qty.notional(limit)),
        Side::Sell => (limit.max(half), -qty.notional(limit)),
    };
    notional + fees.order_fee(&[Level::new(peak, qty)], Liquidity::Taker)
}

/// Whether a cash-filled buy spent its budget: less than one 10⁻⁶ lot's cost (at most $10⁻⁶) is left.
fn filled_budget(request: &OrderRequest, taken: &super::matching::Taken) -> bool {
    let spent: Decimal = taken
        .matches
        .iter()
        .map(|m| m.qty.notional(from_yes_price(request.outcome, m.price)))
        .sum();
    let budget = request.qty.notional(request.limit_price);
    budget - spent < dec!(0.000001)
}
