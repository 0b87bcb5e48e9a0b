//! The signing key, its funder address and signature type. The key never leaves this type and
//! never appears in `Debug` output.
//!
//! Signing goes through alloy's [`LocalSigner`] with an external credential, `Secp256k1Key`,
//! which signs with libsecp256k1 (the C library behind Bitcoin Core) instead of the pure-Rust
//! `k256`: the same RFC 6979 nonce and low-s normalisation, so byte-identical signatures, at
//! about half the cost.

use std::fmt;
use std::str::FromStr;

use alloy::primitives::{Address, B256};
use alloy::signers::SignerSync;
use alloy::signers::k256::ecdsa::signature::Error as SignatureError;
use alloy::signers::k256::ecdsa::signature::hazmat::PrehashSigner;
use alloy::signers::k256::ecdsa::{RecoveryId, Signature};
use alloy::signers::k256::elliptic_curve::zeroize::Zeroize;
use alloy::signers::local::{LocalSigner, PrivateKeySigner};
use secp256k1::{Message, Secp256k1, SecretKey, SignOnly};

use super::order::SignatureType;
use crate::error::PolymarketError;

/// A secp256k1 private key held by libsecp256k1, signing 32-byte prehashes for alloy's
/// [`LocalSigner`]. The secret is erased on drop and never printed.
#[derive(Clone)]
struct Secp256k1Key {
    secret: SecretKey,
    context: Secp256k1<SignOnly>,
}

impl Secp256k1Key {
    /// The key from its 32 big-endian bytes; an error if they are not a valid scalar (zero or
    /// not below the curve order). The signing context is blinded with fresh randomness.
    fn from_bytes(bytes: [u8; 32]) -> Result<Self, PolymarketError> {
        let secret =
            SecretKey::from_byte_array(bytes).map_err(|_| PolymarketError::InvalidPrivateKey)?;
        let mut context = Secp256k1::signing_only();
        let mut seed: [u8; 32] = rand::random();
        context.seeded_randomize(&seed);
        seed.zeroize();
        Ok(Self { secret, context })
    }
}

impl PrehashSigner<(Signature, RecoveryId)> for Secp256k1Key {
    fn sign_prehash(&self, prehash: &[u8]) -> Result<(Signature, RecoveryId), SignatureError> {
        let digest: [u8; 32] = prehash.try_into().map_err(|_| SignatureError::new())?;
        let (id, rs) = self
            .context
            .sign_ecdsa_recoverable(Message::from_digest(digest), &self.secret)
            .serialize_compact();
        let signature = Signature::from_slice(&rs)?;
        let id = u8::try_from(i32::from(id))
            .ok()
            .and_then(RecoveryId::from_byte)
            .ok_or_else(SignatureError::new)?;
        Ok((signature, id))
    }
}

impl Drop for Secp256k1Key {
    fn drop(&mut self) {
        self.secret.non_secure_erase();
    }
}

impl fmt::Debug for Secp256k1Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secp256k1Key(<redacted>)")
    }
}

/// A private key with the address that holds the funds (`maker`).
#[derive(Clone)]
pub struct Wallet {
    signer: LocalSigner<Secp256k1Key>,
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
        // k256 parses the key (any accepted form) and derives its address once; libsecp256k1
        // signs. The k256 copy zeroises itself when dropped at the end of this function.
        let parsed =
            PrivateKeySigner::from_str(key).map_err(|_| PolymarketError::InvalidPrivateKey)?;
        let own = parsed.address();
        let mut bytes = parsed.to_bytes().0;
        let credential = Secp256k1Key::from_bytes(bytes);
        bytes.zeroize();
        let signer = LocalSigner::new_with_credential(credential?, own, None);
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

#[cfg(test)]
mod tests {
    use alloy::primitives::keccak256;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};
    use secp256k1::PublicKey;

    use super::*;

    /// The address of a libsecp256k1 public key: the last 20 bytes of the Keccak-256 of the
    /// uncompressed point without its `0x04` tag.
    fn secp_address(key: &Secp256k1Key) -> Address {
        let point = PublicKey::from_secret_key(&key.context, &key.secret).serialize_uncompressed();
        Address::from_slice(&keccak256(&point[1..])[12..])
    }

    #[test]
    fn libsecp256k1_and_k256_sign_identically_for_random_keys_and_hashes() {
        let mut rng = StdRng::seed_from_u64(0x5ec9_256b);
        let mut checked = 0;
        while checked < 300 {
            let bytes: [u8; 32] = rng.random();
            // A random 256-bit string is not a valid scalar with probability ≈ 2⁻¹²⁸; skip those.
            let Ok(reference) = PrivateKeySigner::from_bytes(&B256::from(bytes)) else {
                continue;
            };
            let hex = format!("0x{}", alloy::primitives::hex::encode(bytes));
            let wallet = Wallet::from_hex(&hex, None, SignatureType::Eoa).unwrap();
            assert_eq!(wallet.address(), reference.address());
            assert_eq!(
                secp_address(wallet.signer.credential()),
                reference.address()
            );
            for _ in 0..3 {
                let hash = B256::from(rng.random::<[u8; 32]>());
                let expected = reference.sign_hash_sync(&hash).unwrap().as_bytes();
                assert_eq!(
                    wallet.sign_hash(&hash).unwrap(),
                    expected,
                    "key {hex} hash {hash}"
                );
            }
            checked += 1;
        }
    }

    #[test]
    fn a_wallet_can_be_shared_across_tasks() {
        fn send_sync<T: Send + Sync + Clone + 'static>() {}
        send_sync::<Wallet>();
    }

    #[test]
    fn a_prehash_that_is_not_32_bytes_is_an_error() {
        let bytes = [7u8; 32];
        let key = Secp256k1Key::from_bytes(bytes).unwrap();
        assert!(key.sign_prehash(&[0u8; 31]).is_err());
        assert!(key.sign_prehash(&[0u8; 33]).is_err());
        assert!(key.sign_prehash(&[]).is_err());
        assert!(key.sign_prehash(&[0u8; 32]).is_ok());
    }

    #[test]
    fn an_out_of_range_scalar_is_rejected_without_echoing_it() {
        assert!(Secp256k1Key::from_bytes([0u8; 32]).is_err());
        assert!(Secp256k1Key::from_bytes([0xff; 32]).is_err());
        let key = Secp256k1Key::from_bytes([7u8; 32]).unwrap();
        assert_eq!(format!("{key:?}"), "Secp256k1Key(<redacted>)");
    }
}
