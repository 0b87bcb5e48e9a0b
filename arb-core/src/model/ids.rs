//! Identifiers. Venues are open (a string newtype, not an enum) so a new venue needs no change here.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Wraps a string as this identifier.
            pub fn new(value: impl AsRef<str>) -> Self {
                Self(Arc::from(value.as_ref()))
            }

            /// The identifier as text.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(Arc::from(value))
            }
        }
    };
}

string_id!(
    /// A venue, such as `kalshi` or `polymarket`. Each `Exchange` reports its own.
    VenueId
);
string_id!(
    /// A market's id on its venue (a Kalshi ticker, a Polymarket condition id).
    MarketId
);
string_id!(
    /// The id we mint for an order before sending it; the venue echoes it back, which makes
    /// sending idempotent and lets a restarted process find orders it sent before a crash.
    ClientOrderId
);
string_id!(
    /// The id a venue assigned to an order.
    VenueOrderId
);
string_id!(
    /// A venue's id of one fill (trade).
    FillId
);
string_id!(
    /// One execution (a two-leg attempt at an opportunity).
    ExecutionId
);

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.trim().parse().map(Self)
            }
        }
    };
}

numeric_id!(
    /// A verified pair, numbered by the store (short, so people can type it: `/pause_pair 42`).
    PairId
);
numeric_id!(
    /// A match suggestion, numbered by the store.
    SuggestionId
);
numeric_id!(
    /// A recorded opportunity, numbered by the store.
    OpportunityId
);

/// A market on a venue: the globally unique name of one binary market.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub struct MarketKey {
    /// The venue the market trades on.
    pub venue: VenueId,
    /// The market's id on that venue.
    pub market: MarketId,
}

impl MarketKey {
    /// A market key from its parts.
    pub fn new(venue: impl Into<VenueId>, market: impl Into<MarketId>) -> Self {
        Self {
            venue: venue.into(),
            market: market.into(),
        }
    }
}

impl fmt::Display for MarketKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.venue, self.market)
    }
}
