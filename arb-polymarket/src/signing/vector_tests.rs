//! Every vector of `shared/reference/polymarket-vectors/` reproduced byte for byte.

use alloy::primitives::{B256, U256, keccak256};
use alloy::sol_types::SolStruct;

use super::order::Order;
use super::*;

const PK: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const TOKEN: &str = "71321045679252212594626385532706912750332728571942532289631379312455583992563";
const OWNER: &str = "00000000-0000-0000-0000-000000000000";

fn wallet() -> Wallet {
    Wallet::from_hex(PK, None, SignatureType::Eoa).unwrap()
}

fn params(side: OrderSide, maker: u64, taker: u64) -> OrderParams {
    OrderParams {
        token_id: TOKEN.into(),
        side,
        amounts: Amounts { maker, taker },
        salt: 123_456_789,
        timestamp_ms: 1_767_225_600_000,
        expiration: 0,
        order_type: OrderType::Gtc,
        post_only: false,
    }
}

const V2_BODY: &str = r#"{"order":{"salt":123456789,"maker":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","signer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","tokenId":"71321045679252212594626385532706912750332728571942532289631379312455583992563","makerAmount":"52000000","takerAmount":"100000000","side":"BUY","expiration":"0","signatureType":0,"timestamp":"1767225600000","metadata":"0x0000000000000000000000000000000000000000000000000000000000000000","builder":"0x0000000000000000000000000000000000000000000000000000000000000000","signature":"0xdc43d2877e4ca6443c6fcdaa3d1a130ab7c5c68ce4e02ad422332fa412fd80ac2de903f4eff05e0af05355cb58a4ea58744353baa8ad02cfd25d159ede4cde6a1c"},"owner":"00000000-0000-0000-0000-000000000000","orderType":"GTC","deferExec":false,"postOnly":false}"#;

const V2_SELL_GTD_BODY: &str = r#"{"order":{"salt":123456789,"maker":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","signer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","tokenId":"71321045679252212594626385532706912750332728571942532289631379312455583992563","makerAmount":"100000000","takerAmount":"52000000","side":"SELL","expiration":"1767229200","signatureType":0,"timestamp":"1767225600000","metadata":"0x0000000000000000000000000000000000000000000000000000000000000000","builder":"0x0000000000000000000000000000000000000000000000000000000000000000","signature":"0x758ba4e6a5f0a6d5c618c950001119c25b5d5cb2a589f029dd7dcfde48aa10a80a9673ce2d13b8484db821f588ae340b351655e306053b28f23821258e2751d71c"},"owner":"00000000-0000-0000-0000-000000000000","orderType":"GTD","deferExec":false,"postOnly":true}"#;

fn hex(b: &[u8]) -> String {
    order::hex0x(b)
}

#[test]
fn address_of_the_test_key() {
    assert_eq!(
        wallet().address().to_checksum(None),
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    );
}

#[test]
fn type_hashes_and_domain_separators() {
    assert_eq!(
        hex(Order::eip712_type_hash(&Order::default_for_tests()).as_slice()),
        "0xbb86318a2138f5fa8ae32fbe8e659f8fcf13cc6ae4014a707893055433818589"
    );
    assert_eq!(
        hex(
            keccak256("ClobAuth(address address,string timestamp,uint256 nonce,string message)")
                .as_slice()
        ),
        "0x52578c5c725a28a84fedc8c22aa47947822942f35b4dc350db028e45320e035c"
    );
    assert_eq!(
        hex(ExchangeDomain::polygon(false).separator().as_slice()),
        "0x3264e159346253e26a64e00b69032db0e7d32f94628de3e6eecb50304d7af3d2"
    );
    assert_eq!(
        hex(ExchangeDomain::polygon(true).separator().as_slice()),
        "0x9b858f53327b0bd13af8ec14cfb35234fb9eb7b0504d1a4e61f433840d30e81a"
    );
}

impl Order {
    fn default_for_tests() -> Self {
        Self {
            salt: U256::ZERO,
            maker: alloy::primitives::Address::ZERO,
            signer: alloy::primitives::Address::ZERO,
            tokenId: U256::ZERO,
            makerAmount: U256::ZERO,
            takerAmount: U256::ZERO,
            side: 0,
            signatureType: 0,
            timestamp: U256::ZERO,
            metadata: B256::ZERO,
            builder: B256::ZERO,
        }
    }
}

#[test]
fn v2_buy_order_body_signature_and_hash() {
    let signed = sign_order(
        &wallet(),
        &ExchangeDomain::polygon(false),
        &params(OrderSide::Buy, 52_000_000, 100_000_000),
    )
    .unwrap();
    assert_eq!(
        signed.order_id(),
        "0x5166244c960e8153b669b666c36b59d97895bbd17ba194b0377728388ec32dbb"
    );
    assert_eq!(signed.body(OWNER), V2_BODY);
}

#[test]
fn v2_sell_gtd_post_only_body() {
    let mut p = params(OrderSide::Sell, 100_000_000, 52_000_000);
    p.order_type = OrderType::Gtd;
    p.expiration = 1_767_229_200;
    p.post_only = true;
    let signed = sign_order(&wallet(), &ExchangeDomain::polygon(false), &p).unwrap();
    assert_eq!(
        signed.order_id(),
        "0x1bf017315519e9f8c25d18a94ec6e4212766584ffec9ee149848c29f122a9539"
    );
    assert_eq!(signed.body(OWNER), V2_SELL_GTD_BODY);
    // The expiration is not signed: the same order without it signs identically.
    let mut no_exp = p.clone();
    no_exp.expiration = 0;
    no_exp.order_type = OrderType::Gtc;
    let other = sign_order(&wallet(), &ExchangeDomain::polygon(false), &no_exp).unwrap();
    assert_eq!(other.signature, signed.signature);
}

#[test]
fn v2_neg_risk_order() {
    let signed = sign_order(
        &wallet(),
        &ExchangeDomain::polygon(true),
        &params(OrderSide::Buy, 52_000_000, 100_000_000),
    )
    .unwrap();
    assert_eq!(
        signed.order_id(),
        "0x5d646715a71834e33be92f1c85557b604b32a531ac69f9777438df8f12b6e5ab"
    );
    assert_eq!(
        hex(&signed.signature),
        "0xd0dfd71d87104be656da952e4602054c515b6b8739443ccbf632da6a32c99a8f37120bff538af48ce60516ba919c62d265009d38dc6feeffc914a3c7ad2cc8931b"
    );
}

#[test]
fn proxy_and_safe_wallets_sign_with_the_funder_as_maker() {
    let funder = parse_address("0x1111111111111111111111111111111111111111").unwrap();
    for st in [SignatureType::PolyProxy, SignatureType::PolyGnosisSafe] {
        let w = Wallet::from_hex(PK, Some(funder), st).unwrap();
        let signed = sign_order(
            &w,
            &ExchangeDomain::polygon(false),
            &params(OrderSide::Buy, 52_000_000, 100_000_000),
        )
        .unwrap();
        let body = signed.body(OWNER);
        assert!(body.contains(r#""maker":"0x1111111111111111111111111111111111111111""#));
        assert!(body.contains(r#""signer":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266""#));
        assert!(body.contains(&format!(r#""signatureType":{}"#, st.as_u8())));
    }
    assert!(matches!(
        Wallet::from_hex(PK, None, SignatureType::PolyProxy),
        Err(crate::error::PolymarketError::Config(_))
    ));
}

#[test]
fn salt_above_2_pow_53_and_expiration_on_non_gtd_are_refused() {
    let mut p = params(OrderSide::Buy, 1, 1);
    p.salt = MAX_SALT + 1;
    assert!(sign_order(&wallet(), &ExchangeDomain::polygon(false), &p).is_err());
    let mut p = params(OrderSide::Buy, 1, 1);
    p.expiration = 5;
    assert!(sign_order(&wallet(), &ExchangeDomain::polygon(false), &p).is_err());
    let mut p = params(OrderSide::Buy, 1, 1);
    p.token_id = "12ab".into();
    assert!(sign_order(&wallet(), &ExchangeDomain::polygon(false), &p).is_err());
}

#[test]
fn l1_signatures() {
    assert_eq!(
        l1_signature(&wallet(), 137, 1_767_225_600, 0).unwrap(),
        "0x51d1afb278b170edacd84f507f65329aca671950e0a1809560dccceef36687783ab16df2d5b0000e71a7583a07fd5efa12c3a047d6d412a3b0c1e1da964d0aff1b"
    );
    assert_eq!(
        l1_signature(&wallet(), 80002, 10_000_000, 23).unwrap(),
        "0xf62319a987514da40e57e2f4d7529f7bac38f0355bd88bb5adbb3768d80de6c1682518e0af677d5260366425f4361e7b70c25ae232aff0ab2331e2b164a1aedc1b"
    );
    assert_eq!(
        l1_signature(&wallet(), 137, 100_000, 0).unwrap(),
        "0xfdfb5abf512e439ea61c8595c18e527e718bf16010acf57cef51d09e15893098275d3c6f73038f36ec0cd0ce55436fca14dc64b11611f4dce896e354207508cc1b"
    );
    let headers = l1_headers(&wallet(), 137, 1_767_225_600, 0).unwrap();
    assert_eq!(
        headers,
        vec![
            ("POLY_ADDRESS", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".to_owned()),
            ("POLY_SIGNATURE", "0x51d1afb278b170edacd84f507f65329aca671950e0a1809560dccceef36687783ab16df2d5b0000e71a7583a07fd5efa12c3a047d6d412a3b0c1e1da964d0aff1b".to_owned()),
            ("POLY_TIMESTAMP", "1767225600".to_owned()),
            ("POLY_NONCE", "0".to_owned()),
        ]
    );
}

#[test]
fn l2_hmac_headers() {
    let creds = ApiCreds::new(
        OWNER,
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "test-passphrase",
    )
    .unwrap();
    let headers = creds
        .l2_headers(&wallet(), 1_767_225_600, "POST", "/order", Some(V2_BODY))
        .unwrap();
    assert_eq!(
        headers,
        vec![
            (
                "POLY_ADDRESS",
                "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".to_owned()
            ),
            (
                "POLY_SIGNATURE",
                "nU-ngRYamX1ilxwA9pZCY_51SgJr6lg3VqTLYzfBPdg=".to_owned()
            ),
            ("POLY_TIMESTAMP", "1767225600".to_owned()),
            ("POLY_API_KEY", OWNER.to_owned()),
            ("POLY_PASSPHRASE", "test-passphrase".to_owned()),
        ]
    );
    assert_eq!(
        creds
            .hmac_signature(1_767_225_600, "GET", "/data/orders", None)
            .unwrap(),
        "dWrat5kGJKG12lN3uWmqJX90ZbIicxgCmIbz-rFgq1c="
    );
    assert_eq!(
        creds
            .hmac_signature(
                1_767_225_600,
                "DELETE",
                "/order",
                Some(r#"{"orderID":"0x5166244c960e8153b669b666c36b59d97895bbd17ba194b0377728388ec32dbb"}"#)
            )
            .unwrap(),
        "_EKYd4mIL7U0uXfHcsVpVGZYbPD0xJHyQ-bUAmqU16M="
    );
    let zero = ApiCreds::new("k", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "p").unwrap();
    assert_eq!(
        zero.hmac_signature(1, "GET", "/", None).unwrap(),
        "eHaylCwqRSOa2LFD77Nt_SaTpbsxzN8eTEI3LryhEj4="
    );
    assert_eq!(
        zero.hmac_signature(
            1_000_000,
            "test-sign",
            "/orders",
            Some(r#"{"hash":"0x123"}"#)
        )
        .unwrap(),
        "4gJVbox-R6XlDK4nlaicig0_ANVL1qdcahiL8CXfXLM="
    );
    // Unpadded secrets decode too.
    let unpadded = ApiCreds::new("k", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "p").unwrap();
    assert_eq!(
        unpadded.hmac_signature(1, "GET", "/", None).unwrap(),
        "eHaylCwqRSOa2LFD77Nt_SaTpbsxzN8eTEI3LryhEj4="
    );
    assert!(ApiCreds::new("k", "not base64!!", "p").is_err());
}

#[test]
fn secrets_never_appear_in_debug_or_errors() {
    let w = wallet();
    let dbg = format!("{w:?}");
    assert!(
        !dbg.to_lowercase()
            .contains("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    );
    assert!(dbg.contains("<redacted>"));
    let creds = ApiCreds::new(
        OWNER,
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "test-passphrase",
    )
    .unwrap();
    let dbg = format!("{creds:?}");
    assert!(!dbg.contains("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="));
    assert!(!dbg.contains("test-passphrase"));
    assert!(dbg.contains(OWNER));
    let err =
        Wallet::from_hex("0xnot-a-key-but-secret-material", None, SignatureType::Eoa).unwrap_err();
    assert!(!format!("{err} {err:?}").contains("secret-material"));
    let err = ApiCreds::new("k", "secret-material!!", "p").unwrap_err();
    assert!(!format!("{err} {err:?}").contains("secret-material"));
}
