//! The signing key, its funder address and signature type. The key never leaves this type and
//! never appears in `Debug` output.

use std::fmt;
use std::str::FromStr;

use alloy::primitives::{Address, B256};
use alloy::signers::SignerSync;
use alloy::signers::local::PrivateKeySigner;

use super::order::SignatureType;
use crate::error::PolymarketError;

/// A private key with the address that holds the funds (`maker`).
#[derive(Clone)]
pub struct Wallet {
    signer: PrivateKeySigner,
    funder: Address,
    signature_type: SignatureType,
}

impl fmt::Debug for Wallet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wallet")
            .field("address", &self.signer.address())
            .field("funder", &self.funder)
            .field("signature_type", &self.signature_type)
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// Parses a `0x…` (or bare) 20-byte hex address.
pub fn parse_address(s: &str) -> Result<Address, PolymarketError> {
    Address::from_str(s.trim()).map_err(|_| PolymarketError::InvalidAddress(s.to_owned()))
}

impl Wallet {
    /// A wallet from a hex private key (with or without `0x`). With `funder` `None` the key's
    /// own address holds the funds (EOA); proxy and Safe wallets pass their address.
    pub fn from_hex(
        private_key: &str,
        funder: Option<Address>,
        signature_type: SignatureType,
    ) -> Result<Self, PolymarketError> {
        let key = private_key.trim();
        let key = key.strip_prefix("0x").unwrap_or(key);
        let signer =
            PrivateKeySigner::from_str(key).map_err(|_| PolymarketError::InvalidPrivateKey)?;
        let own = signer.address();
        let funder = match (signature_type, funder) {
            (SignatureType::Eoa, None) => own,
            (SignatureType::Eoa, Some(f)) if f == own => own,
            (SignatureType::Eoa, Some(_)) => {
                return Err(PolymarketError::Config(
                    "an EOA wallet's funder must be the key's own address".into(),
                ));
            }
            (_, Some(f)) => f,
            (_, None) => {
                return Err(PolymarketError::Config(
                    "proxy and Safe wallets need the funder (proxy/Safe) address".into(),
                ));
            }
        };
        Ok(Self {
            signer,
            funder,
            signature_type,
        })
    }

    /// The signing key's address (`signer`, `POLY_ADDRESS`).
    #[must_use]
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    /// The address holding the funds (`maker`).
    #[must_use]
    pub const fn funder(&self) -> Address {
        self.funder
    }

    /// How `funder` relates to the key.
    #[must_use]
    pub const fn signature_type(&self) -> SignatureType {
        self.signature_type
    }

    /// Signs a 32-byte digest: `r ‖ s ‖ v` with v = 27 or 28.
    pub fn sign_hash(&self, hash: &B256) -> Result<[u8; 65], PolymarketError> {
        self.signer
            .sign_hash_sync(hash)
            .map(|s| s.as_bytes())
            .map_err(|e| PolymarketError::Signing(e.to_string()))
    }
}
