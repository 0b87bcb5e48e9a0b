"""Signs the cases given on stdin with the official py-clob-client-v2 and prints the results.

Input: a JSON array of cases {key, funder, sig_type, token, side, tick, price, size, order_type,
neg_risk, salt, ts_ms, expiration, post_only, owner, secret, hmac_ts}. Output: a JSON array, one
object per case:
  client_body   the body produced by the client's high-level OrderBuilder (build_order for
                GTC/GTD, build_market_order for FOK/FAK, BUY amount = size * price in pUSD),
                serialised like the client (compact JSON)
  exact_body    the same order with amounts computed in exact decimal arithmetic from the
                client's ROUNDING_CONFIG, signed by the client's low-level ExchangeOrderBuilderV2
  float_artifact  whether the client's float arithmetic gave other amounts than exact decimals
  hmac          the client's L2 signature of client_body for POST /order
"""
import json
import sys
from decimal import Decimal, ROUND_DOWN

import py_clob_client_v2.order_builder.builder as builder_mod
from py_clob_client_v2.clob_types import CreateOrderOptions, MarketOrderArgsV2, OrderArgsV2
from py_clob_client_v2.order_builder.builder import ROUNDING_CONFIG, OrderBuilder
from py_clob_client_v2.order_utils import ExchangeOrderBuilderV2, Side, SignatureTypeV2
from py_clob_client_v2.order_utils.model import OrderDataV2
from py_clob_client_v2.order_utils.model.order_data_v2 import order_to_json_v2
from py_clob_client_v2.config import get_contract_config
from py_clob_client_v2.signer import Signer
from py_clob_client_v2.signing.hmac import build_hmac_signature

ZERO32 = "0x" + "00" * 32
REAL_EXCHANGE_BUILDER = builder_mod.ExchangeOrderBuilderV2


def compact(o):
    return json.dumps(o, separators=(",", ":"), ensure_ascii=False)


def trunc(x, dp):
    return x.quantize(Decimal(1).scaleb(-dp), rounding=ROUND_DOWN)


def exact_amounts(c):
    rc = ROUNDING_CONFIG[c["tick"]]
    price, size = Decimal(c["price"]), Decimal(c["size"])
    market = c["order_type"] in ("FOK", "FAK")
    if market and c["side"] == "BUY":
        amount = trunc(size * price, int(rc.size))
        maker, taker = amount, trunc(amount / trunc(price, int(rc.price)), int(rc.amount))
    else:
        shares = trunc(size, int(rc.size))
        usd = trunc(shares * price, int(rc.amount))
        maker, taker = (usd, shares) if c["side"] == "BUY" else (shares, usd)
    return int(maker * 10**6), int(taker * 10**6)


def run(c):
    signer = Signer(c["key"], 137)
    sig_type = SignatureTypeV2(c["sig_type"])
    funder = c["funder"] or signer.address()
    # Fixed salt and timestamp instead of the client's random salt and clock.
    builder_mod.ExchangeOrderBuilderV2 = lambda *a, **k: REAL_EXCHANGE_BUILDER(
        *a, generate_salt=lambda: str(c["salt"]), **k)
    builder_mod.time.time_ns = lambda: c["ts_ms"] * 1_000_000
    ob = OrderBuilder(signer, signature_type=sig_type, funder=funder)
    opts = CreateOrderOptions(tick_size=c["tick"], neg_risk=c["neg_risk"])
    price, size = float(c["price"]), float(c["size"])
    if c["order_type"] in ("FOK", "FAK"):
        amount = float(Decimal(c["size"]) * Decimal(c["price"])) if c["side"] == "BUY" else size
        signed = ob.build_market_order(
            MarketOrderArgsV2(token_id=c["token"], amount=amount, side=c["side"], price=price), opts)
    else:
        signed = ob.build_order(
            OrderArgsV2(token_id=c["token"], price=price, size=size, side=c["side"],
                        expiration=c["expiration"]), opts)
    client_body = compact(order_to_json_v2(signed, c["owner"], c["order_type"], post_only=c["post_only"]))

    mk, tk = exact_amounts(c)
    cfg = get_contract_config(137)
    exchange = cfg.neg_risk_exchange_v2 if c["neg_risk"] else cfg.exchange_v2
    eb = REAL_EXCHANGE_BUILDER(exchange, 137, signer, generate_salt=lambda: str(c["salt"]))
    od = OrderDataV2(maker=funder, tokenId=c["token"], makerAmount=str(mk), takerAmount=str(tk),
                     side=Side.BUY if c["side"] == "BUY" else Side.SELL, signer=signer.address(),
                     signatureType=sig_type, timestamp=str(c["ts_ms"]), metadata=ZERO32,
                     builder=ZERO32, expiration=str(c["expiration"]))
    exact = eb.build_signed_order(od)
    exact_body = compact(order_to_json_v2(exact, c["owner"], c["order_type"], post_only=c["post_only"]))
    return {
        "client_body": client_body,
        "exact_body": exact_body,
        "float_artifact": (signed.makerAmount, signed.takerAmount) != (str(mk), str(tk)),
        "hmac": build_hmac_signature(c["secret"], c["hmac_ts"], "POST", "/order", client_body),
    }


print(json.dumps([run(c) for c in json.load(sys.stdin)]))
