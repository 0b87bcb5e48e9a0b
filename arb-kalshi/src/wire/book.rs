//! REST order books: bids only, ascending, `[price_dollars, count_fp]`.

use rust_decimal::Decimal;
use serde::Deserialize;

/// `orderbook_fp`: YES bids and NO bids (NO prices in NO terms). An empty side may be `[]` or absent.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
pub struct OrderbookFp {
    /// YES bids.
    #[serde(default)]
    pub yes_dollars: Option<Vec<(Decimal, Decimal)>>,
    /// NO bids.
    #[serde(default)]
    pub no_dollars: Option<Vec<(Decimal, Decimal)>>,
}

/// `GET /markets/{ticker}/orderbook`.
#[derive(Clone, Debug, Deserialize)]
pub struct OrderbookResponse {
    /// The book.
    pub orderbook_fp: OrderbookFp,
}

/// One entry of the batch answer.
#[derive(Clone, Debug, Deserialize)]
pub struct MarketOrderbook {
    /// Market ticker.
    pub ticker: String,
    /// Its book.
    pub orderbook_fp: OrderbookFp,
}

/// `GET /markets/orderbooks`.
#[derive(Clone, Debug, Deserialize)]
pub struct BatchOrderbooksResponse {
    /// The books.
    pub orderbooks: Vec<MarketOrderbook>,
}
