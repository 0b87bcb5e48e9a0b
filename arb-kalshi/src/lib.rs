//! Kalshi adapter: implements arb-core's Exchange over Kalshi's Trade API v2 (REST, WebSocket, RSA-PSS/Ed25519 signing).
