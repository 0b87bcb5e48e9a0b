//! The positions page: positions, realised and unrealised PnL, and the daily and cumulative PnL
//! charts of the last 30 days.

use arb_core::engine::{EngineError, EngineHandle};
use arb_core::model::Position;

use super::super::chart;
use super::super::html::{esc, table, usd, when};

/// How many days the charts cover.
const CHART_DAYS: i64 = 30;

pub(super) async fn render(handle: &EngineHandle) -> Result<String, EngineError> {
    let report = handle.positions().await?;
    let pnl = &report.pnl;
    let today = pnl.today.as_ref();
    let mut out = format!(
        "<h1>Positions &amp; PnL</h1><dl class=\"facts\"><dt>Realised</dt><dd id=\"realised\">{}</dd><dt>Locked in (hedged)</dt><dd>{}</dd><dt>Unrealised</dt><dd id=\"unrealised\">{}</dd><dt>Fees paid</dt><dd>{}</dd><dt>Cost of contracts held</dt><dd>{}</dd></dl>",
        usd(pnl.realized),
        today.map_or_else(|| "not recorded today".to_owned(), |t| usd(t.locked_in)),
        today.map_or_else(|| "not recorded today".to_owned(), |t| usd(t.unrealized)),
        usd(pnl.fees),
        usd(pnl.cost_basis),
    );
    let to = handle.today();
    let from = to - chrono::Duration::days(CHART_DAYS - 1);
    let points = chart::points(&handle.daily_pnl(from, to).await?);
    out.push_str("<h2>PnL</h2>");
    if points.is_empty() {
        out.push_str(
            "<p class=\"empty\" id=\"pnl-empty\">No daily PnL recorded in the last 30 days.</p>",
        );
    } else {
        out.push_str("<div class=\"charts\"><figure>");
        out.push_str(&chart::daily_bars(&points));
        out.push_str("<figcaption>Daily PnL</figcaption></figure><figure>");
        out.push_str(&chart::cumulative_line(&points));
        out.push_str("<figcaption>Cumulative PnL</figcaption></figure></div>");
    }
    let rows: Vec<Vec<String>> = report.positions.iter().map(position_row).collect();
    out.push_str("<h2>Positions</h2>");
    out.push_str(&table(
        "positions",
        &[
            "market",
            "outcome",
            "contracts",
            "average price",
            "fees",
            "realised",
            "updated",
        ],
        &rows,
        "No position.",
    ));
    Ok(out)
}

fn position_row(p: &Position) -> Vec<String> {
    vec![
        esc(&p.market.to_string()),
        p.outcome.to_string(),
        p.qty.to_string(),
        p.avg_price
            .map_or_else(|| "unknown".to_owned(), |a| format!("{:.4}", a.value())),
        usd(p.fees_paid),
        usd(p.realized_pnl),
        esc(&when(p.updated_at)),
    ]
}
