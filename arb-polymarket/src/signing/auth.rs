//! CLOB authentication: L1 (an EIP-712 `ClobAuth` signature, to create or derive API keys) and
//! L2 (HMAC-SHA256 over `timestamp + method + path + body` with the API secret).

use std::fmt;

use alloy::primitives::{B256, U256};
use alloy::sol_types::{Eip712Domain, SolStruct};
use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::order::hex0x;
use super::wallet::Wallet;
use crate::error::PolymarketError;

alloy::sol! {
    /// The L1 authentication message.
    struct ClobAuth {
        address address;
        string timestamp;
        uint256 nonce;
        string message;
    }
}

/// The fixed L1 message.
pub const CLOB_AUTH_MESSAGE: &str = "This message attests that I control the given wallet";

/// The L1 signature of `wallet` for `timestamp` (unix seconds) and `nonce` on `chain_id`.
pub fn l1_signature(
    wallet: &Wallet,
    chain_id: u64,
    timestamp: u64,
    nonce: u64,
) -> Result<String, PolymarketError> {
    let domain = Eip712Domain::new(
        Some("ClobAuthDomain".into()),
        Some("1".into()),
        Some(U256::from(chain_id)),
        None,
        None,
    );
    let msg = ClobAuth {
        address: wallet.address(),
        timestamp: timestamp.to_string(),
        nonce: U256::from(nonce),
        message: CLOB_AUTH_MESSAGE.into(),
    };
    let hash: B256 = msg.eip712_signing_hash(&domain);
    wallet.sign_hash(&hash).map(|s| hex0x(&s))
}

/// The L1 headers (`POLY_ADDRESS`, `POLY_SIGNATURE`, `POLY_TIMESTAMP`, `POLY_NONCE`).
pub fn l1_headers(
    wallet: &Wallet,
    chain_id: u64,
    timestamp: u64,
    nonce: u64,
) -> Result<Vec<(&'static str, String)>, PolymarketError> {
    Ok(vec![
        ("POLY_ADDRESS", wallet.address().to_checksum(None)),
        (
            "POLY_SIGNATURE",
            l1_signature(wallet, chain_id, timestamp, nonce)?,
        ),
        ("POLY_TIMESTAMP", timestamp.to_string()),
        ("POLY_NONCE", nonce.to_string()),
    ])
}

/// API credentials (L2). The secret and passphrase never appear in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiCreds {
    /// The API key (a UUID; also the `owner` of orders).
    pub api_key: String,
    /// URL-safe base64 HMAC secret.
    secret: String,
    /// The passphrase.
    passphrase: String,
}

impl fmt::Debug for ApiCreds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiCreds")
            .field("api_key", &self.api_key)
            .field("secret", &"<redacted>")
            .field("passphrase", &"<redacted>")
            .finish()
    }
}

const SECRET_ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl ApiCreds {
    /// Credentials from their three parts; the secret must be URL-safe base64.
    pub fn new(
        api_key: impl Into<String>,
        secret: impl Into<String>,
        passphrase: impl Into<String>,
    ) -> Result<Self, PolymarketError> {
        let creds = Self {
            api_key: api_key.into(),
            secret: secret.into(),
            passphrase: passphrase.into(),
        };
        creds.secret_bytes()?;
        Ok(creds)
    }

    fn secret_bytes(&self) -> Result<Vec<u8>, PolymarketError> {
        SECRET_ENGINE
            .decode(self.secret.trim())
            .map_err(|_| PolymarketError::InvalidApiSecret)
    }

    /// `base64url(HMAC_SHA256(secret, timestamp + method + path + body))`, padded.
    pub fn hmac_signature(
        &self,
        timestamp: u64,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<String, PolymarketError> {
        let key = self.secret_bytes()?;
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&key).map_err(|_| PolymarketError::InvalidApiSecret)?;
        mac.update(timestamp.to_string().as_bytes());
        mac.update(method.as_bytes());
        mac.update(path.as_bytes());
        if let Some(body) = body {
            mac.update(body.as_bytes());
        }
        Ok(URL_SAFE.encode(mac.finalize().into_bytes()))
    }

    /// The L2 headers for one request; `body` must be the exact bytes sent.
    pub fn l2_headers(
        &self,
        wallet: &Wallet,
        timestamp: u64,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<Vec<(&'static str, String)>, PolymarketError> {
        Ok(vec![
            ("POLY_ADDRESS", wallet.address().to_checksum(None)),
            (
                "POLY_SIGNATURE",
                self.hmac_signature(timestamp, method, path, body)?,
            ),
            ("POLY_TIMESTAMP", timestamp.to_string()),
            ("POLY_API_KEY", self.api_key.clone()),
            ("POLY_PASSPHRASE", self.passphrase.clone()),
        ])
    }
}
