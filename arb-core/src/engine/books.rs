//! The latest book of every watched market, and whether it can be traded on.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::model::{BinaryBook, MarketKey};

/// The freshest known book per market. A market whose stream reported a gap or disconnect is
/// *invalidated* until a new book arrives: the detector never sees a broken book.
#[derive(Debug, Default)]
pub struct BookCache {
    books: HashMap<MarketKey, Arc<BinaryBook>>,
    received_at: HashMap<MarketKey, DateTime<Utc>>,
}

impl BookCache {
    /// Stores a market's new book.
    pub fn update(&mut self, market: MarketKey, book: Arc<BinaryBook>, now: DateTime<Utc>) {
        self.received_at.insert(market.clone(), now);
        self.books.insert(market, book);
    }

    /// Forgets a market's book until the next update.
    pub fn invalidate(&mut self, market: &MarketKey) {
        self.books.remove(market);
    }

    /// Forgets every book of a venue.
    pub fn invalidate_venue(&mut self, venue: &crate::model::VenueId) {
        self.books.retain(|k, _| &k.venue != venue);
    }

    /// The market's book, if valid.
    #[must_use]
    pub fn get(&self, market: &MarketKey) -> Option<&Arc<BinaryBook>> {
        self.books.get(market)
    }

    /// When the last book of a venue arrived.
    #[must_use]
    pub fn last_update(&self, venue: &crate::model::VenueId) -> Option<DateTime<Utc>> {
        self.received_at
            .iter()
            .filter(|(k, _)| &k.venue == venue)
            .map(|(_, t)| *t)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OrderBook;

    #[test]
    fn invalidated_books_are_not_served() {
        let mut cache = BookCache::default();
        let key = MarketKey::new("a", "m");
        let book = Arc::new(BinaryBook::from_yes_book(
            OrderBook::default(),
            DateTime::UNIX_EPOCH,
        ));
        cache.update(key.clone(), book, DateTime::UNIX_EPOCH);
        assert!(cache.get(&key).is_some());
        cache.invalidate(&key);
        assert!(cache.get(&key).is_none());
        assert_eq!(cache.last_update(&key.venue), Some(DateTime::UNIX_EPOCH));
        cache.update(
            key.clone(),
            Arc::new(BinaryBook::from_yes_book(
                OrderBook::default(),
                DateTime::UNIX_EPOCH,
            )),
            DateTime::UNIX_EPOCH,
        );
        cache.invalidate_venue(&key.venue);
        assert!(cache.get(&key).is_none());
    }
}
