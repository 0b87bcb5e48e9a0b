//! Shared fixtures: two markets (a Yes/No market whose outcomes come NO-first, and the Gamma
//! sample's Up/Down market) served by a wiremock server shaped like the reference samples.

#![allow(dead_code, clippy::unwrap_used)]

use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const PK: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
pub const ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
pub const SECRET: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const API_KEY: &str = "00000000-0000-0000-0000-000000000000";

/// Yes/No market (neg risk, tick 0.001, min 5, fees 0.03/1/taker-only) listed "No" first.
pub const CID_YN: &str = "0x4c27acaae6b9528e6121c226f0c7e253073c0ecdee87eed1bca5b2fe4028e6ee";
pub const YES_TOKEN: &str =
    "58932827438818170513230893392684302873716776312144361528238673171092470840229";
pub const NO_TOKEN: &str =
    "40344658068671585656605708535625590803520666310734316014770600867572158300800";
/// The Gamma sample's Up/Down market.
pub const CID_UD: &str = "0x78443f961b9a65869dcb39359de9960165c7e5cbad0904eac7f29cd77872a63b";
pub const UP_TOKEN: &str =
    "104239898038807136052399800151408521467737075933964991162589336683346093173875";
pub const DOWN_TOKEN: &str =
    "71183960810705820955071415844881728181970340514894896943812046065452395013351";

pub fn sample(name: &str) -> Value {
    let path = format!("{}/tests/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Gamma record of the Yes/No market (the sample with other ids, labels and flags).
pub fn gamma_yes_no() -> Value {
    let mut g = sample("gamma_market.json");
    g["id"] = json!("42");
    g["question"] = json!("Will Team Falcons win?");
    g["conditionId"] = json!(CID_YN);
    g["outcomes"] = json!("[\"No\", \"Yes\"]");
    g["clobTokenIds"] = json!(format!("[\"{NO_TOKEN}\", \"{YES_TOKEN}\"]"));
    g["negRisk"] = json!(true);
    g["endDate"] = json!("2026-04-18T18:00:00Z");
    g
}

/// CLOB info of the Yes/No market: the verbatim sample with the labels renamed Yes / No.
pub fn clob_yes_no() -> Value {
    let mut c = sample("clob_market_info.json");
    c["t"][0]["o"] = json!("Yes");
    c["t"][1]["o"] = json!("No");
    c["nr"] = json!(true);
    c
}

/// CLOB info of the Up/Down market.
pub fn clob_up_down() -> Value {
    json!({"c": CID_UD, "t": [{"t": UP_TOKEN, "o": "Up"}, {"t": DOWN_TOKEN, "o": "Down"}],
           "mts": 0.01, "mos": 5, "mbf": 1000, "tbf": 1000})
}

pub async fn mount_markets(server: &MockServer) {
    let closed = {
        let mut g = sample("gamma_market.json");
        g["conditionId"] = json!("0xclosed");
        g["closed"] = json!(true);
        g
    };
    Mock::given(method("GET"))
        .and(path("/markets/keyset"))
        .and(query_param("after_cursor", "c2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"markets": [sample("gamma_market.json")], "next_cursor": null}),
            ),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/markets/keyset"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"markets": [gamma_yes_no(), closed], "next_cursor": "c2"})),
        )
        .with_priority(10)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/markets"))
        .and(query_param("condition_ids", CID_YN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([gamma_yes_no()])))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/markets"))
        .and(query_param("condition_ids", CID_UD))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([sample("gamma_market.json")])),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/clob-markets/{CID_YN}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(clob_yes_no()))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/clob-markets/{CID_UD}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(clob_up_down()))
        .mount(server)
        .await;
}
