//! The CLOB V2 order: the 11-field EIP-712 struct, its domain, signing, the order hash (the
//! order id the CLOB returns) and the exact JSON body of `POST /order`.

use alloy::primitives::{Address, B256, U256, keccak256};
use alloy::sol_types::{Eip712Domain, SolStruct};
use serde::Serialize;

use super::amounts::{Amounts, OrderSide};
use super::wallet::Wallet;
use crate::error::PolymarketError;

alloy::sol! {
    /// The V2 order as signed (field order matters: it defines the type hash).
    #[derive(Debug, PartialEq, Eq)]
    struct Order {
        uint256 salt;
        address maker;
        address signer;
        uint256 tokenId;
        uint256 makerAmount;
        uint256 takerAmount;
        uint8 side;
        uint8 signatureType;
        uint256 timestamp;
        bytes32 metadata;
        bytes32 builder;
    }
}

/// CTF Exchange V2 on Polygon (standard markets).
pub const EXCHANGE_V2: Address =
    alloy::primitives::address!("E111180000d2663C0091e4f400237545B87B996B");
/// Neg Risk CTF Exchange V2 on Polygon.
pub const NEG_RISK_EXCHANGE_V2: Address =
    alloy::primitives::address!("e2222d279d744050d28e00520010520000310F59");
/// Polygon mainnet.
pub const POLYGON: u64 = 137;
/// Largest salt the CLOB accepts (it parses the salt as a JSON number).
pub const MAX_SALT: u64 = (1 << 53) - 1;

/// How the order's maker (funder) relates to the signing key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum SignatureType {
    /// The key's own address holds the funds.
    #[default]
    Eoa,
    /// A Polymarket proxy wallet (email / magic-link accounts) holds the funds.
    PolyProxy,
    /// A Gnosis Safe holds the funds (browser-wallet accounts).
    PolyGnosisSafe,
}

impl SignatureType {
    /// The signed `uint8`.
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::Eoa => 0,
            Self::PolyProxy => 1,
            Self::PolyGnosisSafe => 2,
        }
    }
}

/// The CLOB's `orderType`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum OrderType {
    /// Good till cancelled.
    Gtc,
    /// Good till date (needs an expiration).
    Gtd,
    /// Fill or kill.
    Fok,
    /// Fill and kill (immediate or cancel).
    Fak,
}

impl OrderType {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Gtc => "GTC",
            Self::Gtd => "GTD",
            Self::Fok => "FOK",
            Self::Fak => "FAK",
        }
    }
}

/// The EIP-712 domain of one exchange, with its separator computed once.
#[derive(Clone, Debug)]
pub struct ExchangeDomain {
    separator: B256,
}

impl ExchangeDomain {
    /// "Polymarket CTF Exchange" version "2" on `chain_id` at `exchange`.
    #[must_use]
    pub fn v2(chain_id: u64, exchange: Address) -> Self {
        let domain = Eip712Domain::new(
            Some("Polymarket CTF Exchange".into()),
            Some("2".into()),
            Some(U256::from(chain_id)),
            Some(exchange),
            None,
        );
        Self {
            separator: domain.separator(),
        }
    }

    /// The standard or neg-risk V2 exchange on Polygon.
    #[must_use]
    pub fn polygon(neg_risk: bool) -> Self {
        Self::v2(
            POLYGON,
            if neg_risk {
                NEG_RISK_EXCHANGE_V2
            } else {
                EXCHANGE_V2
            },
        )
    }

    /// The domain separator.
    #[must_use]
    pub const fn separator(&self) -> B256 {
        self.separator
    }

    /// The EIP-712 digest of an order: the order hash the CLOB uses as order id.
    #[must_use]
    pub fn order_hash(&self, order: &Order) -> B256 {
        let mut buf = [0u8; 66];
        buf[0] = 0x19;
        buf[1] = 0x01;
        buf[2..34].copy_from_slice(self.separator.as_slice());
        buf[34..].copy_from_slice(order.eip712_hash_struct().as_slice());
        keccak256(buf)
    }
}

/// Everything that goes into one order besides the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderParams {
    /// Decimal uint256 token id of the outcome traded.
    pub token_id: String,
    /// Buy or sell.
    pub side: OrderSide,
    /// Signed amounts.
    pub amounts: Amounts,
    /// Random salt, ≤ 2^53 − 1.
    pub salt: u64,
    /// Creation time, unix milliseconds.
    pub timestamp_ms: u64,
    /// Unix seconds after which a GTD order expires; 0 otherwise (not signed).
    pub expiration: u64,
    /// The order type (not signed).
    pub order_type: OrderType,
    /// Post-only flag (not signed; GTC/GTD only).
    pub post_only: bool,
}

/// A signed order, ready to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedOrder {
    /// The signed struct.
    pub order: Order,
    /// Its EIP-712 digest = the CLOB's order id.
    pub hash: B256,
    /// 65-byte signature `r ‖ s ‖ v` (v = 27/28).
    pub signature: [u8; 65],
    /// Unix seconds (GTD) or 0.
    pub expiration: u64,
    /// The order type.
    pub order_type: OrderType,
    /// Post-only flag.
    pub post_only: bool,
}

/// Builds and signs `params` with `wallet` in `domain`.
pub fn sign_order(
    wallet: &Wallet,
    domain: &ExchangeDomain,
    params: &OrderParams,
) -> Result<SignedOrder, PolymarketError> {
    if params.salt > MAX_SALT {
        return Err(PolymarketError::SaltTooLarge(params.salt));
    }
    if params.expiration != 0 && params.order_type != OrderType::Gtd {
        return Err(PolymarketError::ExpirationNotAllowed);
    }
    let token_id = U256::from_str_radix(&params.token_id, 10)
        .map_err(|_| PolymarketError::InvalidTokenId(params.token_id.clone()))?;
    if params.token_id.starts_with('+') || params.token_id.is_empty() {
        return Err(PolymarketError::InvalidTokenId(params.token_id.clone()));
    }
    let order = Order {
        salt: U256::from(params.salt),
        maker: wallet.funder(),
        signer: wallet.address(),
        tokenId: token_id,
        makerAmount: U256::from(params.amounts.maker),
        takerAmount: U256::from(params.amounts.taker),
        side: params.side.as_u8(),
        signatureType: wallet.signature_type().as_u8(),
        timestamp: U256::from(params.timestamp_ms),
        metadata: B256::ZERO,
        builder: B256::ZERO,
    };
    let hash = domain.order_hash(&order);
    let signature = wallet.sign_hash(&hash)?;
    Ok(SignedOrder {
        order,
        hash,
        signature,
        expiration: params.expiration,
        order_type: params.order_type,
        post_only: params.post_only,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderJson<'a> {
    salt: u64,
    maker: String,
    signer: String,
    token_id: String,
    maker_amount: String,
    taker_amount: String,
    side: &'a str,
    expiration: String,
    signature_type: u8,
    timestamp: String,
    metadata: String,
    builder: String,
    signature: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostOrderJson<'a> {
    order: OrderJson<'a>,
    owner: &'a str,
    order_type: &'a str,
    defer_exec: bool,
    post_only: bool,
}

/// `0x` + lowercase hex.
#[must_use]
pub fn hex0x(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    s
}

impl SignedOrder {
    /// The order id (`0x` + hex of the hash).
    #[must_use]
    pub fn order_id(&self) -> String {
        hex0x(self.hash.as_slice())
    }

    /// The exact `POST /order` body the official clients send (compact JSON, same key order),
    /// for the API key `owner`.
    #[must_use]
    pub fn body(&self, owner: &str) -> String {
        let o = &self.order;
        let side = if o.side == 0 { "BUY" } else { "SELL" };
        let body = PostOrderJson {
            order: OrderJson {
                salt: o.salt.to::<u64>(),
                maker: o.maker.to_checksum(None),
                signer: o.signer.to_checksum(None),
                token_id: o.tokenId.to_string(),
                maker_amount: o.makerAmount.to_string(),
                taker_amount: o.takerAmount.to_string(),
                side,
                expiration: self.expiration.to_string(),
                signature_type: o.signatureType,
                timestamp: o.timestamp.to_string(),
                metadata: hex0x(o.metadata.as_slice()),
                builder: hex0x(o.builder.as_slice()),
                signature: hex0x(&self.signature),
            },
            owner,
            order_type: self.order_type.as_str(),
            defer_exec: false,
            post_only: self.post_only,
        };
        // Serialising plain strings, integers and booleans cannot fail.
        serde_json::to_string(&body).unwrap_or_default()
    }
}
