//! Request signing: RSA-PSS-SHA256 (salt 32) or Ed25519 over `timestamp_ms + METHOD + path`.
//!
//! The path is the full URL path (`/trade-api/v2/portfolio/orders`) without the query string.
//! Keys never appear in `Debug` output, logs or errors.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::Signer as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use sha2::Sha256;
use thiserror::Error;

/// Header carrying the API key id.
pub const HEADER_KEY: &str = "KALSHI-ACCESS-KEY";
/// Header carrying the timestamp in milliseconds.
pub const HEADER_TIMESTAMP: &str = "KALSHI-ACCESS-TIMESTAMP";
/// Header carrying the base64 signature.
pub const HEADER_SIGNATURE: &str = "KALSHI-ACCESS-SIGNATURE";

/// A key that could not be loaded. Never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// The key file could not be read.
    #[error("cannot read private key file {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        reason: String,
    },
    /// The PEM is not a PKCS#1 RSA key, a PKCS#8 RSA key or a PKCS#8 Ed25519 key.
    #[error("private key is not a PKCS#1/PKCS#8 RSA or PKCS#8 Ed25519 PEM key ({0})")]
    UnsupportedKey(&'static str),
    /// The key id is empty.
    #[error("API key id is empty")]
    EmptyKeyId,
    /// Signing failed (RNG failure).
    #[error("signing failed")]
    Signing,
}

/// The private key, by algorithm.
#[derive(Clone)]
enum KeyMaterial {
    Rsa(Box<rsa::pss::SigningKey<Sha256>>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
}

/// Which algorithm a key uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyKind {
    /// RSA, signed with RSA-PSS-SHA256, salt 32.
    Rsa,
    /// Ed25519.
    Ed25519,
}

/// An API key id with its private key. `Debug` shows the key id and kind only.
#[derive(Clone)]
pub struct Credentials {
    key_id: String,
    key: Arc<KeyMaterial>,
}

/// The three authentication headers of one request.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AuthHeaders {
    /// `KALSHI-ACCESS-KEY`.
    pub key_id: String,
    /// `KALSHI-ACCESS-TIMESTAMP` (milliseconds).
    pub timestamp_ms: String,
    /// `KALSHI-ACCESS-SIGNATURE` (standard base64).
    pub signature: String,
}

impl AuthHeaders {
    /// The headers as (name, value) pairs.
    #[must_use]
    pub fn pairs(&self) -> [(&'static str, &str); 3] {
        [
            (HEADER_KEY, &self.key_id),
            (HEADER_TIMESTAMP, &self.timestamp_ms),
            (HEADER_SIGNATURE, &self.signature),
        ]
    }
}

/// The exact text Kalshi signs: `timestamp_ms + METHOD + path` with the query string removed.
#[must_use]
pub fn signing_message(timestamp_ms: i64, method: &str, path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    format!("{timestamp_ms}{}{path}", method.to_ascii_uppercase())
}

impl Credentials {
    /// Credentials from a key id and a PEM private key: PKCS#1 (`BEGIN RSA PRIVATE KEY`, as Kalshi
    /// downloads it) or PKCS#8 (`BEGIN PRIVATE KEY`) holding an RSA or an Ed25519 key.
    pub fn from_pem(key_id: impl Into<String>, pem: &str) -> Result<Self, AuthError> {
        let key_id = key_id.into().trim().to_owned();
        if key_id.is_empty() {
            return Err(AuthError::EmptyKeyId);
        }
        let pem = pem.trim();
        let key = if pem.contains("BEGIN RSA PRIVATE KEY") {
            let key = rsa::PrivateKey::from_pkcs1_pem(pem)
                .map_err(|_| AuthError::UnsupportedKey("invalid PKCS#1 RSA key"))?;
            KeyMaterial::Rsa(Box::new(rsa::pss::SigningKey::new(key)))
        } else if pem.contains("BEGIN PRIVATE KEY") {
            if let Ok(key) = rsa::PrivateKey::from_pkcs8_pem(pem) {
                KeyMaterial::Rsa(Box::new(rsa::pss::SigningKey::new(key)))
            } else {
                let key = <ed25519_dalek::SigningKey as ed25519_dalek::pkcs8::DecodePrivateKey>::from_pkcs8_pem(pem)
                    .map_err(|_| AuthError::UnsupportedKey("PKCS#8 key is neither RSA nor Ed25519"))?;
                KeyMaterial::Ed25519(Box::new(key))
            }
        } else {
            return Err(AuthError::UnsupportedKey("no PEM private key header"));
        };
        Ok(Self {
            key_id,
            key: Arc::new(key),
        })
    }

    /// Credentials from a key id and a PEM file.
    pub fn from_pem_file(key_id: impl Into<String>, path: &Path) -> Result<Self, AuthError> {
        let pem = std::fs::read_to_string(path).map_err(|e| AuthError::Io {
            path: path.display().to_string(),
            reason: e.kind().to_string(),
        })?;
        Self::from_pem(key_id, &pem)
    }

    /// The API key id (not secret: it is sent in clear on every request).
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key's algorithm.
    #[must_use]
    pub fn kind(&self) -> KeyKind {
        match *self.key {
            KeyMaterial::Rsa(_) => KeyKind::Rsa,
            KeyMaterial::Ed25519(_) => KeyKind::Ed25519,
        }
    }

    /// Signs `message`, returning the raw signature bytes.
    pub fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, AuthError> {
        match &*self.key {
            KeyMaterial::Rsa(key) => {
                let mut rng = rand::rng();
                key.try_sign_with_rng(&mut rng, message)
                    .map(|s| s.to_vec())
                    .map_err(|_| AuthError::Signing)
            }
            KeyMaterial::Ed25519(key) => Ok(key.sign(message).to_bytes().to_vec()),
        }
    }

    /// The headers for a request with `method` to `path` (full URL path; a query is ignored) at
    /// `timestamp_ms`.
    pub fn headers(
        &self,
        timestamp_ms: i64,
        method: &str,
        path: &str,
    ) -> Result<AuthHeaders, AuthError> {
        let message = signing_message(timestamp_ms, method, path);
        let signature = self.sign_bytes(message.as_bytes())?;
        Ok(AuthHeaders {
            key_id: self.key_id.clone(),
            timestamp_ms: timestamp_ms.to_string(),
            signature: STANDARD.encode(signature),
        })
    }

    /// Headers signed now.
    pub fn headers_now(&self, method: &str, path: &str) -> Result<AuthHeaders, AuthError> {
        self.headers(chrono::Utc::now().timestamp_millis(), method, path)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("key_id", &self.key_id)
            .field("kind", &self.kind())
            .field("private_key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;

    use super::*;

    fn vector() -> serde_json::Value {
        serde_json::from_str(include_str!("../tests/fixtures/auth-test-vector.json")).unwrap()
    }

    fn verifier(v: &serde_json::Value) -> rsa::pss::VerifyingKey<Sha256> {
        let public =
            rsa::PublicKey::from_public_key_pem(v["public_key_pem_spki"].as_str().unwrap())
                .unwrap();
        rsa::pss::VerifyingKey::<Sha256>::new(public)
    }

    fn verify(v: &serde_json::Value, message: &str, signature_b64: &str) -> bool {
        let bytes = STANDARD.decode(signature_b64).unwrap();
        let signature = rsa::pss::Signature::try_from(bytes.as_slice()).unwrap();
        verifier(v).verify(message.as_bytes(), &signature).is_ok()
    }

    #[test]
    fn message_is_timestamp_method_path_without_query() {
        let v = vector();
        assert_eq!(
            signing_message(
                1_703_123_456_789,
                "get",
                "/trade-api/v2/portfolio/orders?limit=5"
            ),
            v["signed_message"].as_str().unwrap()
        );
    }

    #[test]
    fn reference_vector_signatures_verify_and_query_is_not_signed() {
        let v = vector();
        let msg = v["signed_message"].as_str().unwrap();
        for key in [
            "signature_b64",
            "second_signature_b64_made_by_rust_rsa_0_9_10",
        ] {
            assert!(verify(&v, msg, v[key].as_str().unwrap()), "{key}");
            assert!(!verify(
                &v,
                &format!("{msg}?limit=5"),
                v[key].as_str().unwrap()
            ));
        }
    }

    #[test]
    fn pkcs1_and_pkcs8_keys_sign_verifiable_headers() {
        let v = vector();
        for pem_key in ["private_key_pem_pkcs1", "private_key_pem_pkcs8"] {
            let creds =
                Credentials::from_pem(v["key_id"].as_str().unwrap(), v[pem_key].as_str().unwrap())
                    .unwrap();
            assert_eq!(creds.kind(), KeyKind::Rsa);
            let headers = creds
                .headers(
                    1_703_123_456_789,
                    "GET",
                    "/trade-api/v2/portfolio/orders?limit=5",
                )
                .unwrap();
            let expected = &v["expected_headers"];
            assert_eq!(headers.key_id, expected[HEADER_KEY].as_str().unwrap());
            assert_eq!(
                headers.timestamp_ms,
                expected[HEADER_TIMESTAMP].as_str().unwrap()
            );
            assert!(verify(
                &v,
                v["signed_message"].as_str().unwrap(),
                &headers.signature
            ));
            assert!(!verify(
                &v,
                "1703123456789GET/portfolio/orders",
                &headers.signature
            ));
        }
    }

    #[test]
    fn ed25519_keys_sign_the_same_message() {
        use ed25519_dalek::Verifier as _;
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let pem = key
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap();
        let creds = Credentials::from_pem("kid", &pem).unwrap();
        assert_eq!(creds.kind(), KeyKind::Ed25519);
        let headers = creds
            .headers(5, "POST", "/trade-api/v2/portfolio/events/orders")
            .unwrap();
        let sig =
            ed25519_dalek::Signature::from_slice(&STANDARD.decode(&headers.signature).unwrap())
                .unwrap();
        let public = key.verifying_key();
        assert!(
            public
                .verify(b"5POST/trade-api/v2/portfolio/events/orders", &sig)
                .is_ok()
        );
        assert!(
            public
                .verify(b"5GET/trade-api/v2/portfolio/events/orders", &sig)
                .is_err()
        );
    }

    #[test]
    fn debug_and_errors_never_show_key_material() {
        let v = vector();
        let pem = v["private_key_pem_pkcs1"].as_str().unwrap();
        let creds = Credentials::from_pem("my-key-id", pem).unwrap();
        let debug = format!("{creds:?}");
        assert!(debug.contains("my-key-id"));
        assert!(debug.contains("<redacted>"));
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!debug.contains(&line[..20]), "key material in Debug");
        }
        let corrupted = pem.replace("MIIEog", "MIIEoX");
        let err = Credentials::from_pem("k", &corrupted).unwrap_err();
        let text = format!("{err} {err:?}");
        for line in pem.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(&line[..20]), "key material in error");
        }
        assert_eq!(
            Credentials::from_pem("k", "hello").unwrap_err(),
            AuthError::UnsupportedKey("no PEM private key header")
        );
        assert_eq!(
            Credentials::from_pem(" ", pem).unwrap_err(),
            AuthError::EmptyKeyId
        );
    }
}
