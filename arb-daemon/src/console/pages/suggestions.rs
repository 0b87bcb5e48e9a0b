//! The suggestions page: both markets of each open suggestion side by side (title, rules, close
//! time, resolution source), every warning and settlement difference, and approve / dismiss.

use std::fmt::Write as _;

use arb_core::engine::{EngineError, EngineHandle};
use arb_core::model::{Market, MarketKey, MatchSuggestion};

use super::super::auth::Visitor;
use super::super::html::{esc, form, when};

/// How many open suggestions are shown, best first.
const SHOWN: usize = 50;

pub(super) async fn render(
    handle: &EngineHandle,
    visitor: &Visitor,
) -> Result<String, EngineError> {
    let suggestions = handle.suggestions(SHOWN).await?;
    let mut out = String::from("<h1>Suggestions</h1>");
    if suggestions.is_empty() {
        out.push_str("<p class=\"empty\" id=\"suggestions-empty\">No open suggestion. Run `arb-daemon match` (or the demo) to make some.</p>");
        return Ok(out);
    }
    for s in &suggestions {
        let a = handle.market(&s.a).await?;
        let b = handle.market(&s.b).await?;
        out.push_str(&suggestion(s, a.as_ref(), b.as_ref(), visitor));
    }
    Ok(out)
}

fn suggestion(
    s: &MatchSuggestion,
    a: Option<&Market>,
    b: Option<&Market>,
    visitor: &Visitor,
) -> String {
    let id = s.id.map_or_else(String::new, |id| id.to_string());
    let mut out = format!(
        "<article class=\"suggestion\" id=\"suggestion-{id}\"><h2>#{id} · score {:.1} · reads as <span class=\"relation\">{}</span> · polarity {}</h2><div class=\"sides\">{}{}</div>",
        s.score,
        esc(&s.relation.to_string()),
        esc(&s.polarity.to_string()),
        side("A", &s.a, a),
        side("B", &s.b, b),
    );
    if !s.warnings.is_empty() {
        out.push_str("<h3>Warnings</h3><ul class=\"warnings\">");
        for w in &s.warnings {
            let _ = write!(out, "<li>{}</li>", esc(w));
        }
        out.push_str("</ul>");
    }
    if !s.settlement.is_empty() || !s.diffs.is_empty() {
        out.push_str("<h3>Differences</h3><table class=\"diffs\"><thead><tr><th>what</th><th>A</th><th>B</th></tr></thead><tbody>");
        let settlement = s
            .settlement
            .iter()
            .map(|w| (w.kind.to_string(), &w.a, &w.b));
        let fields = s.diffs.iter().map(|d| (d.field.clone(), &d.a, &d.b));
        for (what, a, b) in settlement.chain(fields) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&what),
                esc(a),
                esc(b)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str(&actions(s, &id, visitor));
    out.push_str("</article>");
    out
}

fn actions(s: &MatchSuggestion, id: &str, visitor: &Visitor) -> String {
    let approve = if s.relation.is_tradable() {
        form(
            visitor,
            &format!("/suggestions/{id}/approve"),
            "",
            &format!("Approve as {}", s.polarity),
            "primary",
        )
    } else {
        "<span class=\"bad\">cannot be approved: only equivalent or inverse rules can be traded</span>".to_owned()
    };
    let dismiss = form(
        visitor,
        &format!("/suggestions/{id}/dismiss"),
        "",
        "Dismiss",
        "",
    );
    format!("<div class=\"actions\">{approve}{dismiss}</div>")
}

fn side(label: &str, key: &MarketKey, market: Option<&Market>) -> String {
    let Some(m) = market else {
        return format!(
            "<section class=\"side\"><h3>{label}: {}</h3><p class=\"bad\">not in the stored catalogue</p></section>",
            esc(&key.to_string())
        );
    };
    format!(
        "<section class=\"side\"><h3>{label}: {}</h3><p class=\"key\">{}</p><dl><dt>Closes</dt><dd>{}</dd><dt>Source</dt><dd>{}</dd></dl><pre class=\"rules\">{}</pre></section>",
        esc(&m.title),
        esc(&key.to_string()),
        esc(&when(m.close_time)),
        esc(m.resolution_source.as_deref().unwrap_or("not stated")),
        esc(&m.rules),
    )
}
