//! Domain values as [`Reply`]s: the wording of every message the bot sends.

use arb_core::model::{
    ExecutionRecord, ExecutionState, MatchSuggestion, Opportunity, PairStatus, Polarity, Position,
    SuggestionId, VerifiedPair,
};
use arb_core::notify::Severity;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::api::{EngineError, EngineStatus, PositionsReport};
use crate::reply::{Reply, Tone};

/// At most this many items are listed in one message; the rest are counted.
pub const MAX_LISTED: usize = 20;
/// The reaction that approves a suggestion.
pub const APPROVE: &str = "✅";
/// The reaction that dismisses a suggestion.
pub const DISMISS: &str = "❌";
/// How a suggestion message's footer starts; the number after it is the suggestion id.
const SUGGESTION_FOOTER: &str = "Suggestion #";

/// Dollars with two decimals: `$1.25`, `-$0.40`.
#[must_use]
pub fn usd(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        format!("-${:.2}", rounded.abs())
    } else {
        format!("${:.2}", rounded.abs())
    }
}

fn polarity_text(polarity: Polarity) -> &'static str {
    match polarity {
        Polarity::Same => "same (A.YES ≡ B.YES)",
        Polarity::Inverse => "inverse (A.YES ≡ B.NO)",
    }
}

/// One suggestion, with the reactions that approve or dismiss it. The footer carries its id,
/// which [`suggestion_id_from_footer`] reads back when someone reacts.
#[must_use]
pub fn suggestion(s: &MatchSuggestion) -> Reply {
    let id =
        s.id.map_or_else(|| "unsaved".to_owned(), |id| id.to_string());
    let tone = if s.warnings.is_empty() {
        Tone::Info
    } else {
        Tone::Warning
    };
    let tradable = s.relation.is_tradable();
    let mut reply = Reply::new(
        format!("Match suggestion #{id} · score {:.1}", s.score),
        format!(
            "**A** `{}`\n**B** `{}`\n**Relation** {}{}\n**Polarity** {}",
            s.a,
            s.b,
            s.relation,
            if tradable { "" } else { " — not tradable" },
            polarity_text(s.polarity)
        ),
        tone,
    );
    // Settlement differences side by side, then the other warnings.
    for w in &s.settlement {
        reply = reply.field(
            format!("⚠️ {} differs", w.kind),
            format!("A: {}\nB: {}", w.a, w.b),
            false,
        );
    }
    let settlement: Vec<String> = s.settlement.iter().map(ToString::to_string).collect();
    let others: Vec<String> = s
        .warnings
        .iter()
        .filter(|w| !settlement.contains(w))
        .map(|w| format!("⚠️ {w}"))
        .collect();
    if !others.is_empty() {
        reply = reply.field("Other warnings", others.join("\n"), false);
    }
    for diff in &s.diffs {
        reply = reply.field(
            diff.field.clone(),
            format!("A: {}\nB: {}", diff.a, diff.b),
            false,
        );
    }
    if !s.parts.is_empty() {
        let parts: Vec<String> = s
            .parts
            .iter()
            .map(|p| format!("{} {:.0}", p.name, p.score))
            .collect();
        reply = reply.field("Score parts", parts.join(" · "), false);
    }
    let mut reply = if tradable {
        reply.footer(format!(
            "{SUGGESTION_FOOTER}{id} · {APPROVE} approves with polarity {}, {DISMISS} dismisses",
            s.polarity
        ))
    } else {
        reply.footer(format!(
            "{SUGGESTION_FOOTER}{id} · settles as {}: cannot be approved, {DISMISS} dismisses",
            s.relation
        ))
    };
    if s.id.is_some() {
        reply.reactions = if tradable {
            vec![APPROVE.to_owned(), DISMISS.to_owned()]
        } else {
            vec![DISMISS.to_owned()]
        };
    }
    reply
}

/// The suggestion id in a suggestion message's footer (see [`suggestion`]).
#[must_use]
pub fn suggestion_id_from_footer(footer: &str) -> Option<SuggestionId> {
    let rest = footer.strip_prefix(SUGGESTION_FOOTER)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The summary `/find_matches` answers with (the suggestions follow as their own messages).
#[must_use]
pub fn suggestions_summary(suggestions: &[MatchSuggestion], min_score: Option<f64>) -> Reply {
    let threshold = min_score.map_or_else(
        || "the default similarity".to_owned(),
        |s| format!("similarity {s}"),
    );
    if suggestions.is_empty() {
        return Reply::new(
            "No new match suggestions",
            format!(
                "No unpaired markets scored at least {threshold}. Try a lower `similarity`, or sync markets first."
            ),
            Tone::Info,
        );
    }
    let lines: Vec<String> = suggestions
        .iter()
        .take(MAX_LISTED)
        .map(|s| {
            let id = s.id.map_or_else(|| "?".to_owned(), |id| id.to_string());
            format!("#{id} · {:.1} · `{}` ↔ `{}`", s.score, s.a, s.b)
        })
        .collect();
    Reply::new(
        format!("{} match suggestion(s)", suggestions.len()),
        format!(
            "Scored at least {threshold}, best first. Each is posted as its own message in the bot's channel: react {APPROVE} to approve with the suggested polarity or {DISMISS} to dismiss.\n{}{}",
            lines.join("\n"),
            more(suggestions.len())
        ),
        Tone::Info,
    )
}

fn more(total: usize) -> String {
    if total > MAX_LISTED {
        format!("\n… and {} more", total - MAX_LISTED)
    } else {
        String::new()
    }
}

fn status_text(status: PairStatus) -> &'static str {
    match status {
        PairStatus::Active => "active",
        PairStatus::Paused => "paused",
        PairStatus::NeedsReapproval => "needs re-approval",
    }
}

/// One line describing a pair.
#[must_use]
pub fn pair_line(p: &VerifiedPair) -> String {
    format!(
        "**#{}** `{}` ↔ `{}` · {} · {}",
        p.id,
        p.a,
        p.b,
        p.polarity,
        status_text(p.status)
    )
}

/// A pair that was just approved, paused or resumed.
#[must_use]
pub fn pair_changed(verb: &str, p: &VerifiedPair, by: &str) -> Reply {
    Reply::new(
        format!("Pair #{} {verb}", p.id),
        format!("{}\nBy {by}.", pair_line(p)),
        Tone::Success,
    )
    .field("Approved by", p.approved_by.clone(), true)
    .field(
        "Approved at",
        p.approved_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        true,
    )
}

/// `/list_pairs`.
#[must_use]
pub fn pairs(pairs: &[VerifiedPair]) -> Reply {
    if pairs.is_empty() {
        return Reply::new(
            "No pairs yet",
            "Approve one with `/approve_pair` or react ✅ to a `/find_matches` suggestion.",
            Tone::Info,
        );
    }
    let active = pairs
        .iter()
        .filter(|p| p.status == PairStatus::Active)
        .count();
    let lines: Vec<String> = pairs.iter().take(MAX_LISTED).map(pair_line).collect();
    Reply::new(
        format!("{} pair(s), {active} active", pairs.len()),
        format!("{}{}", lines.join("\n"), more(pairs.len())),
        Tone::Info,
    )
}

fn position_line(p: &Position) -> String {
    let avg = p
        .avg_price
        .map_or_else(|| "?".to_owned(), |price| price.to_string());
    format!(
        "`{}` {} × {} @ {} · realised {}",
        p.market,
        p.outcome,
        p.qty,
        avg,
        usd(p.realized_pnl)
    )
}

/// `/positions`.
#[must_use]
pub fn positions(report: &PositionsReport) -> Reply {
    let open: Vec<&Position> = report
        .positions
        .iter()
        .filter(|p| !p.qty.is_zero())
        .collect();
    let body = if open.is_empty() {
        "No open positions.".to_owned()
    } else {
        let lines: Vec<String> = open
            .iter()
            .take(MAX_LISTED)
            .map(|p| position_line(p))
            .collect();
        format!("{}{}", lines.join("\n"), more(open.len()))
    };
    let pnl = &report.pnl;
    let mut reply = Reply::new(format!("{} open position(s)", open.len()), body, Tone::Info)
        .field("Realised PnL", usd(pnl.realized), true)
        .field("Fees paid", usd(pnl.fees), true)
        .field("Cost basis", usd(pnl.cost_basis), true);
    if let Some(today) = &pnl.today {
        reply = reply.field(
            "Today",
            format!(
                "realised {} · locked in {} · unrealised {} · {} execution(s)",
                usd(today.realized),
                usd(today.locked_in),
                usd(today.unrealized),
                today.executions
            ),
            false,
        );
    }
    reply
}

/// `/status`.
#[must_use]
pub fn status(s: &EngineStatus) -> Reply {
    let (title, tone) = match &s.halted {
        Some(_) => ("Trading halted".to_owned(), Tone::Danger),
        None => (format!("Running · {} mode", s.mode), Tone::Success),
    };
    let mut description = s
        .halted
        .as_ref()
        .map_or_else(String::new, |reason| format!("Kill switch: {reason}\n"));
    description.push_str(&format!("Mode: {}", s.mode));
    let venues: Vec<String> = s
        .venues
        .iter()
        .map(|v| {
            let mark = if v.connected { "🟢" } else { "🔴" };
            let seen = v.last_book_at.map_or_else(
                || "no book yet".to_owned(),
                |t| format!("last book {}", t.format("%H:%M:%S UTC")),
            );
            format!("{mark} {} · {seen}", v.venue)
        })
        .collect();
    let last_opportunity = s.last_opportunity.as_ref().map_or_else(
        || "none yet".to_owned(),
        |r| {
            let o = &r.opportunity;
            format!(
                "pair #{} · {} contracts · profit {} · {}",
                o.pair_id,
                o.qty,
                usd(o.profit),
                o.detected_at.format("%Y-%m-%d %H:%M:%S UTC")
            )
        },
    );
    let today = s.today.as_ref().map_or_else(
        || "no activity yet".to_owned(),
        |t| {
            format!(
                "realised {} · locked in {} · {} execution(s)",
                usd(t.realized),
                usd(t.locked_in),
                t.executions
            )
        },
    );
    Reply::new(title, description, tone)
        .field(
            "Venues",
            if venues.is_empty() {
                "none configured".to_owned()
            } else {
                venues.join("\n")
            },
            false,
        )
        .field(
            "Pairs",
            format!("{} active · {} inactive", s.active_pairs, s.inactive_pairs),
            true,
        )
        .field("Last opportunity", last_opportunity, false)
        .field("Today's PnL", today, false)
}

/// An opportunity notification.
#[must_use]
pub fn opportunity(o: &Opportunity) -> Reply {
    let legs: Vec<String> = o
        .legs()
        .iter()
        .map(|l| {
            format!(
                "buy {} {} on `{}` ≤ {} (cost {}, fee {})",
                l.qty,
                l.outcome,
                l.market,
                l.limit_price,
                usd(l.cost),
                usd(l.fee)
            )
        })
        .collect();
    Reply::new(
        format!("Opportunity on pair #{}", o.pair_id),
        legs.join("\n"),
        Tone::Info,
    )
    .field("Contracts", o.qty.to_string(), true)
    .field("Total cost", usd(o.total_cost), true)
    .field(
        "Profit",
        format!(
            "{} ({:.2}%)",
            usd(o.profit),
            o.profit_fraction * Decimal::ONE_HUNDRED
        ),
        true,
    )
}

/// An execution notification. Unhedged exposure is red and pings the traders.
#[must_use]
pub fn execution(e: &ExecutionRecord) -> Reply {
    let (headline, tone) = match e.state {
        ExecutionState::Hedged => ("hedged", Tone::Success),
        ExecutionState::Unwound => ("unwound (excess sold back; pair paused)", Tone::Warning),
        ExecutionState::Unhedged => (
            "UNHEDGED: one leg holds more than the other, act now (pair paused)",
            Tone::Danger,
        ),
        ExecutionState::Aborted => ("aborted (nothing bought)", Tone::Info),
        ExecutionState::Planned => ("planned", Tone::Info),
        ExecutionState::FirstLegSent => ("first leg sent", Tone::Info),
        ExecutionState::FirstLegDone => ("first leg filled", Tone::Info),
        ExecutionState::SecondLegSent => ("second leg sent", Tone::Info),
        ExecutionState::Hedging => ("hedging the shortfall", Tone::Warning),
        ExecutionState::Unwinding => ("unwinding the excess", Tone::Warning),
    };
    let title = if e.state == ExecutionState::Unhedged {
        format!("🚨 Execution {} on pair #{} UNHEDGED", e.id, e.pair_id)
    } else {
        format!("Execution {} on pair #{}: {headline}", e.id, e.pair_id)
    };
    let mut description = if e.state == ExecutionState::Unhedged {
        format!("{headline}.")
    } else {
        String::new()
    };
    if let Some(note) = &e.note {
        if !description.is_empty() {
            description.push('\n');
        }
        description.push_str(note);
    }
    let mut reply = Reply::new(title, description, tone)
        .field("Planned contracts", e.plan.qty.to_string(), true)
        .field("Planned profit", usd(e.plan.profit), true)
        .field("First leg", format!("`{}`", e.first_leg), true);
    if e.hedge_attempts > 0 {
        reply = reply.field("Hedge retries", e.hedge_attempts.to_string(), true);
    }
    if e.state == ExecutionState::Unhedged {
        reply = reply.mention_traders();
    }
    reply
}

/// The daily PnL summary.
#[must_use]
pub fn pnl_summary(positions: &[Position], realized_today: Decimal, locked_in: Decimal) -> Reply {
    let open = positions.iter().filter(|p| !p.qty.is_zero()).count();
    Reply::new(
        "Daily PnL summary",
        format!("{open} open position(s)."),
        if realized_today.is_sign_negative() && !realized_today.is_zero() {
            Tone::Warning
        } else {
            Tone::Info
        },
    )
    .field("Realised today", usd(realized_today), true)
    .field("Locked in", usd(locked_in), true)
}

/// An alert (venue down, reconciliation drift, kill switch…). Critical alerts ping the traders.
#[must_use]
pub fn alert(severity: Severity, message: &str) -> Reply {
    let reply = match severity {
        Severity::Info => Reply::new("Notice", message, Tone::Info),
        Severity::Warning => Reply::new("⚠️ Warning", message, Tone::Warning),
        Severity::Critical => Reply::new("🚨 Critical", message, Tone::Danger),
    };
    if severity == Severity::Critical {
        reply.mention_traders()
    } else {
        reply
    }
}

/// What went wrong in the engine, with what to do about it.
#[must_use]
pub fn engine_error(e: &EngineError) -> Reply {
    let hint = match e {
        EngineError::UnknownPair(_) => " Use `/list_pairs` to see pair ids.",
        EngineError::UnknownSuggestion(_) => " Run `/find_matches` for fresh suggestions.",
        EngineError::UnknownMarket(_) => " Check the id on the venue's site.",
        EngineError::UnknownVenue(_) | EngineError::Invalid(_) => "",
        EngineError::NotTradable { .. } => {
            " Dismiss it with ❌; a pair is only traded when both markets settle alike."
        }
        EngineError::Store(_)
        | EngineError::Exchange { .. }
        | EngineError::Execute(_)
        | EngineError::Config(_)
        | EngineError::TaskFailed(_) => {
            " Nothing was confirmed; try again, and check the daemon's logs."
        }
    };
    let title = match e {
        EngineError::UnknownPair(_)
        | EngineError::UnknownSuggestion(_)
        | EngineError::UnknownMarket(_)
        | EngineError::UnknownVenue(_)
        | EngineError::Invalid(_) => "That did not work",
        EngineError::NotTradable { .. } => "Not a tradable pair",
        _ => "The engine could not do that",
    };
    Reply::new(title, format!("{e}.{hint}"), Tone::Warning)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn dollars_are_rounded_to_cents_with_the_sign_in_front() {
        assert_eq!(usd(dec!(1.255)), "$1.26");
        assert_eq!(usd(dec!(12.345)), "$12.35");
        assert_eq!(usd(dec!(-0.4)), "-$0.40");
        assert_eq!(usd(dec!(0)), "$0.00");
        assert_eq!(usd(dec!(-0.001)), "$0.00");
    }

    #[test]
    fn suggestion_ids_round_trip_through_the_footer() {
        assert_eq!(
            suggestion_id_from_footer("Suggestion #42 · ✅ approves with polarity same"),
            Some(SuggestionId(42))
        );
        assert_eq!(suggestion_id_from_footer("Suggestion #unsaved · ✅"), None);
        assert_eq!(suggestion_id_from_footer("Pair #42"), None);
    }

    #[test]
    fn alerts_ping_traders_only_when_critical() {
        assert!(alert(Severity::Critical, "kill switch").mention_traders);
        assert!(!alert(Severity::Warning, "venue slow").mention_traders);
        assert_eq!(alert(Severity::Critical, "x").tone, Tone::Danger);
    }
}
