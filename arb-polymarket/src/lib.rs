//! Polymarket adapter: implements arb-core's Exchange over Gamma and the CLOB V2 (REST, WebSocket, EIP-712 orders, HMAC auth).
