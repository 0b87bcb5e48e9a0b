//! The status page: mode, kill switch, health, venues, catalogue sync, today's PnL.

use std::fmt::Write as _;

use arb_core::engine::{EngineError, EngineStatus};

use super::super::Console;
use super::super::auth::Visitor;
use super::super::html::{esc, form, table, usd, when_opt};
use crate::metrics::{HealthReport, Probes, health};

pub(super) async fn render(console: &Console, visitor: &Visitor) -> Result<String, EngineError> {
    let status = console.handle.status().await?;
    let report = match &console.health {
        Some(check) => check(),
        None => health::assess(
            &status,
            &Probes::default(),
            chrono::Utc::now(),
            console.stale_after,
        ),
    };
    let mut out = String::from("<h1>Status</h1>");
    out.push_str(&summary(&status, visitor));
    out.push_str(&health_section(&report));
    out.push_str("<h2>Venues</h2>");
    let rows: Vec<Vec<String>> = status
        .venues
        .iter()
        .map(|v| {
            vec![
                esc(v.venue.as_str()),
                yes_no(v.connected),
                yes_no(v.polling),
                esc(&when_opt(v.last_book_at)),
            ]
        })
        .collect();
    out.push_str(&table(
        "venues",
        &["venue", "connected", "polling REST", "last book"],
        &rows,
        "No venue is configured.",
    ));
    Ok(out)
}

fn summary(status: &EngineStatus, visitor: &Visitor) -> String {
    let kill = match &status.halted {
        Some(reason) => format!(
            "<span class=\"bad\" id=\"kill-switch\">HALTED: {}</span> {}",
            esc(reason),
            form(visitor, "/resume", "", "Resume trading", "primary")
        ),
        None => format!(
            "<span class=\"good\" id=\"kill-switch\">off (trading allowed)</span> {}",
            form(
                visitor,
                "/halt",
                "<input name=\"reason\" id=\"halt-reason\" placeholder=\"reason\" required>",
                "Halt trading",
                "danger"
            )
        ),
    };
    let catalogue = &status.catalogue;
    let mut sync = format!(
        "last complete {} · last attempt {}",
        when_opt(catalogue.last_success),
        when_opt(catalogue.last_attempt)
    );
    if let Some(problem) = &catalogue.last_problem {
        let _ = write!(sync, " · last problem: {problem}");
    }
    let today = status.today.as_ref().map_or_else(
        || "no PnL recorded today".to_owned(),
        |t| {
            format!(
                "realised {} · locked in {} · unrealised {} · {} execution(s)",
                usd(t.realized),
                usd(t.locked_in),
                usd(t.unrealized),
                t.executions
            )
        },
    );
    format!(
        "<dl class=\"facts\"><dt>Mode</dt><dd id=\"mode\">{}</dd><dt>Kill switch</dt><dd>{kill}</dd><dt>Pairs</dt><dd>{} active · {} paused or awaiting re-approval · {} leased here</dd><dt>Catalogue sync</dt><dd id=\"sync\">{}</dd><dt>Today</dt><dd>{}</dd></dl>",
        esc(&status.mode.to_string()),
        status.active_pairs,
        status.inactive_pairs,
        status.leased_pairs.len(),
        esc(&sync),
        esc(&today)
    )
}

fn health_section(report: &HealthReport) -> String {
    let reasons: Vec<String> = report
        .details
        .get("reasons")
        .and_then(|r| r.as_array())
        .map(|r| r.iter().filter_map(|v| v.as_str().map(esc)).collect())
        .unwrap_or_default();
    let mut out = format!(
        "<h2>Health</h2><p id=\"health\" class=\"{}\">{}</p>",
        if report.healthy { "good" } else { "bad" },
        if report.healthy {
            "healthy"
        } else {
            "unhealthy"
        }
    );
    if !reasons.is_empty() {
        out.push_str("<ul class=\"reasons\">");
        for r in reasons {
            let _ = write!(out, "<li>{r}</li>");
        }
        out.push_str("</ul>");
    }
    out
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}
