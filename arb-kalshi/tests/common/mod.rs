//! Shared test helpers: the reference key, a signature-verifying wiremock matcher, fixtures.
#![allow(dead_code)]

use arb_kalshi::Credentials;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use sha2::Sha256;

pub fn fixture(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn vector() -> serde_json::Value {
    fixture("auth-test-vector.json")
}

pub fn credentials() -> Credentials {
    let v = vector();
    Credentials::from_pem(
        v["key_id"].as_str().unwrap(),
        v["private_key_pem_pkcs1"].as_str().unwrap(),
    )
    .unwrap()
}

/// Verifies Kalshi headers for `method` + `path` with the reference public key.
pub fn verify_headers(
    key: Option<&str>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    method: &str,
    path: &str,
) -> bool {
    let v = vector();
    let (Some(key), Some(ts), Some(sig)) = (key, timestamp, signature) else {
        return false;
    };
    if key != v["key_id"].as_str().unwrap() || ts.parse::<i64>().is_err() {
        return false;
    }
    let Ok(bytes) = STANDARD.decode(sig) else {
        return false;
    };
    let Ok(signature) = rsa::pss::Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    let public =
        rsa::PublicKey::from_public_key_pem(v["public_key_pem_spki"].as_str().unwrap()).unwrap();
    let message = format!("{ts}{method}{path}");
    rsa::pss::VerifyingKey::<Sha256>::new(public)
        .verify(message.as_bytes(), &signature)
        .is_ok()
}

/// A wiremock matcher accepting only requests correctly signed with the reference key over
/// `timestamp + METHOD + full path` (no query).
pub struct SignedByReferenceKey;

impl wiremock::Match for SignedByReferenceKey {
    fn matches(&self, request: &wiremock::Request) -> bool {
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
        verify_headers(
            header("KALSHI-ACCESS-KEY"),
            header("KALSHI-ACCESS-TIMESTAMP"),
            header("KALSHI-ACCESS-SIGNATURE"),
            request.method.as_str(),
            request.url.path(),
        )
    }
}

/// Matches requests without any Kalshi auth header.
pub struct Unsigned;

impl wiremock::Match for Unsigned {
    fn matches(&self, request: &wiremock::Request) -> bool {
        !request.headers.contains_key("KALSHI-ACCESS-SIGNATURE")
            && !request.headers.contains_key("KALSHI-ACCESS-KEY")
    }
}
