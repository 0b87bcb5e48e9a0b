//! The opportunities page (what became of each) and the executions page (each execution's
//! timeline of state changes, its orders and their fills).

use std::collections::HashMap;
use std::fmt::Write as _;

use arb_core::engine::{EngineError, EngineHandle};
use arb_core::model::{
    ExecutionRecord, Fill, MarketKey, OpportunityDecision, OpportunityRecord, OrderRecord,
};

use super::super::html::{esc, table, usd, when};
use super::word;

/// How many of the latest opportunities and executions are shown.
const SHOWN: usize = 30;

pub(super) async fn opportunities(handle: &EngineHandle) -> Result<String, EngineError> {
    let records = handle.opportunities(SHOWN).await?;
    let rows: Vec<Vec<String>> = records.iter().map(opportunity_row).collect();
    Ok(format!(
        "<h1>Opportunities</h1>{}",
        table(
            "opportunities",
            &[
                "id",
                "detected",
                "pair",
                "legs",
                "qty",
                "cost",
                "profit",
                "what became of it"
            ],
            &rows,
            "No opportunity detected yet.",
        )
    ))
}

fn opportunity_row(r: &OpportunityRecord) -> Vec<String> {
    let o = &r.opportunity;
    let legs: Vec<String> = o
        .legs()
        .iter()
        .map(|l| {
            format!(
                "buy {} {} of {} at ≤ {}",
                l.qty,
                l.outcome,
                esc(&l.market.to_string()),
                l.limit_price
            )
        })
        .collect();
    let fate = match &r.decision {
        OpportunityDecision::Observed => "observed (not acted on)".to_owned(),
        OpportunityDecision::Executed(id) => format!(
            "<a href=\"/executions#execution-{0}\">executed: {0}</a>",
            esc(id.as_str())
        ),
        OpportunityDecision::Refused(why) => format!("refused: {}", esc(why)),
    };
    vec![
        r.id.map_or_else(String::new, |id| id.to_string()),
        esc(&when(o.detected_at)),
        o.pair_id.to_string(),
        legs.join("<br>"),
        o.qty.to_string(),
        usd(o.total_cost),
        format!(
            "{} ({:.2}%)",
            usd(o.profit),
            o.profit_fraction * rust_decimal::Decimal::ONE_HUNDRED
        ),
        fate,
    ]
}

pub(super) async fn render(handle: &EngineHandle) -> Result<String, EngineError> {
    let executions = handle.executions(SHOWN).await?;
    let mut out = String::from("<h1>Executions</h1>");
    if executions.is_empty() {
        out.push_str("<p class=\"empty\" id=\"executions-empty\">No execution yet.</p>");
        return Ok(out);
    }
    // Each market's fills are read once per render, however many orders traded it.
    let mut fills_of: HashMap<MarketKey, Vec<Fill>> = HashMap::new();
    for e in &executions {
        let orders = handle.execution_orders(&e.id).await?;
        let mut fills = Vec::new();
        for o in &orders {
            let market = &o.order.request.market;
            if !fills_of.contains_key(market) {
                fills_of.insert(market.clone(), handle.fills(Some(market)).await?);
            }
            let market_fills = fills_of.get(market).map_or(&[][..], Vec::as_slice);
            fills.extend(market_fills.iter().filter(|f| belongs(f, o)).cloned());
        }
        out.push_str(&execution(e, &orders, &fills));
    }
    Ok(out)
}

/// Whether `fill` is one of `order`'s: same market (venue order ids are unique on one venue
/// only), and the same client or venue order id.
fn belongs(fill: &Fill, order: &OrderRecord) -> bool {
    fill.market == order.order.request.market
        && (fill.client_order_id.as_ref() == Some(&order.order.request.client_order_id)
            || order.order.venue_order_id.as_ref() == Some(&fill.venue_order_id))
}

fn execution(e: &ExecutionRecord, orders: &[OrderRecord], fills: &[Fill]) -> String {
    let plan = &e.plan;
    let mut out = format!(
        "<article class=\"execution\" id=\"execution-{}\"><h2>{} · pair {} · <span class=\"state state-{}\">{}</span></h2><p>{} mode · planned {} contracts for {} to make {}{}</p>",
        esc(e.id.as_str()),
        esc(e.id.as_str()),
        e.pair_id,
        esc(&word(&e.state).replace(' ', "-")),
        esc(&word(&e.state)),
        esc(&word(&e.mode)),
        plan.qty,
        usd(plan.total_cost),
        usd(plan.profit),
        e.note
            .as_deref()
            .map_or_else(String::new, |n| format!(" · {}", esc(n))),
    );
    out.push_str("<h3>Timeline</h3><ol class=\"timeline\">");
    for (at, what) in timeline(e, orders) {
        let _ = write!(
            out,
            "<li><time>{}</time> {}</li>",
            esc(&when(at)),
            esc(&what)
        );
    }
    out.push_str("</ol><h3>Legs and fills</h3>");
    let rows: Vec<Vec<String>> = orders.iter().map(|o| order_row(o, fills)).collect();
    out.push_str(&table(
        &format!("orders-{}", e.id.as_str()),
        &["role", "order", "status", "filled", "fills"],
        &rows,
        "No order was sent.",
    ));
    out.push_str("</article>");
    out
}

/// The execution's state changes as the store records them: planned at creation, each order sent
/// and what became of it (first leg, hedge, retries, unwind) at its last update, and the final
/// state at the execution's last update.
fn timeline(
    e: &ExecutionRecord,
    orders: &[OrderRecord],
) -> Vec<(chrono::DateTime<chrono::Utc>, String)> {
    let mut steps = vec![(e.created_at, "planned".to_owned())];
    for o in orders {
        let r = &o.order.request;
        steps.push((
            o.order.updated_at,
            format!(
                "{} sent: {} {} {} of {} at ≤ {} → {} ({} filled)",
                word(&o.role),
                word(&r.side),
                r.qty,
                r.outcome,
                r.market,
                r.limit_price,
                word(&o.order.status),
                o.order.filled_qty
            ),
        ));
    }
    steps.sort_by_key(|(at, _)| *at);
    let last = if e.state.is_terminal() {
        format!("finished: {}", word(&e.state))
    } else {
        format!("now {}", word(&e.state))
    };
    steps.push((e.updated_at, last));
    steps
}

fn order_row(o: &OrderRecord, fills: &[Fill]) -> Vec<String> {
    let r = &o.order.request;
    let mine: Vec<String> = fills
        .iter()
        .filter(|f| belongs(f, o))
        .map(|f| {
            format!(
                "{} @ {} fee {} ({})",
                f.qty,
                f.price,
                usd(f.fee),
                esc(&when(f.ts))
            )
        })
        .collect();
    vec![
        esc(&word(&o.role)),
        format!(
            "{} {} {} of {} at ≤ {}",
            esc(&word(&r.side)),
            r.qty,
            r.outcome,
            esc(&r.market.to_string()),
            r.limit_price
        ),
        esc(&word(&o.order.status)),
        format!(
            "{}{}",
            o.order.filled_qty,
            o.order
                .avg_fill_price
                .map_or_else(String::new, |p| format!(" @ {p}"))
        ),
        if mine.is_empty() {
            "none".to_owned()
        } else {
            mine.join("<br>")
        },
    ]
}
