//! Injected faults: what a real venue does on a bad day.

use std::collections::VecDeque;
use std::time::Duration;

use crate::exchange::ExchangeError;

/// A fault to inject into a [`super::SimExchange`] with [`super::SimExchange::inject`].
///
/// Order faults queue up and each is consumed by the next `place_order` that is not a duplicate
/// of an existing client order id; `Unavailable` counts down over every `Exchange` call;
/// `DropBookStream` acts at once.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Fault {
    /// The next order is refused with [`ExchangeError::Rejected`]; nothing is recorded.
    RejectNextOrder {
        /// The venue's error code.
        code: String,
        /// The venue's message.
        message: String,
    },
    /// The next order answers [`ExchangeError::Timeout`] after waiting `after`. When `executed`,
    /// the venue nonetheless received and executed it: the caller must reconcile by client order id.
    Timeout {
        /// How long the call hangs before timing out.
        after: Duration,
        /// Whether the order was executed all the same.
        executed: bool,
    },
    /// The next order is accepted as `Pending` ("delayed") and executed later: the first `polls`
    /// order/fill/position/balance queries still see it pending, the one after sees it executed
    /// (or call [`super::SimExchange::release_delayed`]).
    Delayed {
        /// Queries answered before the order executes.
        polls: u32,
    },
    /// Every book stream emits `BookEvent::Invalidated { market: None }` now, then a fresh book
    /// for each of its markets.
    DropBookStream,
    /// The next `calls` `Exchange` calls fail with [`ExchangeError::Unavailable`].
    Unavailable {
        /// Calls that fail.
        calls: u32,
    },
    /// The next `calls` `Exchange` calls fail with [`ExchangeError::RateLimited`] (after an
    /// outage, if both are injected).
    RateLimited {
        /// Calls that fail.
        calls: u32,
    },
}

/// A fault that applies to the next order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum OrderFault {
    /// See [`Fault::RejectNextOrder`].
    Reject { code: String, message: String },
    /// See [`Fault::Timeout`].
    Timeout { after: Duration, executed: bool },
    /// See [`Fault::Delayed`].
    Delayed { polls: u32 },
}

/// Faults waiting to happen.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Faults {
    orders: VecDeque<OrderFault>,
    unavailable_calls: u32,
    rate_limited_calls: u32,
}

impl Faults {
    /// Queues a fault for the next order.
    pub(crate) fn push_order_fault(&mut self, fault: OrderFault) {
        self.orders.push_back(fault);
    }

    /// Makes the next `calls` calls fail.
    pub(crate) fn add_unavailable(&mut self, calls: u32) {
        self.unavailable_calls = self.unavailable_calls.saturating_add(calls);
    }

    /// Makes the next `calls` calls hit the rate limit.
    pub(crate) fn add_rate_limited(&mut self, calls: u32) {
        self.rate_limited_calls = self.rate_limited_calls.saturating_add(calls);
    }

    /// Called at the start of every `Exchange` call: fails it while the venue is unavailable
    /// or rate limiting.
    pub(crate) fn enter_call(&mut self) -> Result<(), ExchangeError> {
        if self.unavailable_calls > 0 {
            self.unavailable_calls -= 1;
            return Err(ExchangeError::Unavailable(
                "simulated outage (503 Service Unavailable)".into(),
            ));
        }
        if self.rate_limited_calls > 0 {
            self.rate_limited_calls -= 1;
            return Err(ExchangeError::RateLimited { retry_after: None });
        }
        Ok(())
    }

    /// The fault for the order being placed now, if any.
    pub(crate) fn next_order_fault(&mut self) -> Option<OrderFault> {
        self.orders.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_counts_down_then_recovers() {
        let mut f = Faults::default();
        f.add_unavailable(2);
        assert!(matches!(f.enter_call(), Err(ExchangeError::Unavailable(_))));
        assert!(matches!(f.enter_call(), Err(ExchangeError::Unavailable(_))));
        assert!(f.enter_call().is_ok());
    }

    #[test]
    fn rate_limit_follows_the_outage_then_recovers() {
        let mut f = Faults::default();
        f.add_rate_limited(1);
        f.add_unavailable(1);
        assert!(matches!(f.enter_call(), Err(ExchangeError::Unavailable(_))));
        assert!(matches!(
            f.enter_call(),
            Err(ExchangeError::RateLimited { retry_after: None })
        ));
        assert!(f.enter_call().is_ok());
    }

    #[test]
    fn order_faults_are_consumed_in_order() {
        let mut f = Faults::default();
        f.push_order_fault(OrderFault::Delayed { polls: 1 });
        f.push_order_fault(OrderFault::Reject {
            code: "x".into(),
            message: "y".into(),
        });
        assert_eq!(f.next_order_fault(), Some(OrderFault::Delayed { polls: 1 }));
        assert!(matches!(
            f.next_order_fault(),
            Some(OrderFault::Reject { .. })
        ));
        assert_eq!(f.next_order_fault(), None);
    }
}
