//! The pairs page: every verified pair with pause / resume.

use arb_core::engine::{EngineError, EngineHandle};
use arb_core::model::{PairStatus, VerifiedPair};

use super::super::auth::Visitor;
use super::super::html::{esc, form, table, when};
use crate::commands::print;

pub(super) async fn render(
    handle: &EngineHandle,
    visitor: &Visitor,
) -> Result<String, EngineError> {
    let pairs = handle.list_pairs(None).await?;
    let mut rows = Vec::with_capacity(pairs.len());
    for p in &pairs {
        let title = match handle.market(&p.a).await? {
            Some(m) => m.title,
            None => String::new(),
        };
        rows.push(vec![
            format!("<span id=\"pair-{}\">{}</span>", p.id, p.id),
            format!(
                "{}<br><small>{}</small>",
                esc(&title),
                esc(&p.a.to_string())
            ),
            esc(&p.b.to_string()),
            esc(&p.polarity.to_string()),
            format!(
                "<span class=\"pair-status\" id=\"pair-{}-status\">{}</span>",
                p.id,
                esc(print::status(p.status))
            ),
            format!("{} at {}", esc(&p.approved_by), esc(&when(p.approved_at))),
            action(p, visitor),
        ]);
    }
    Ok(format!(
        "<h1>Pairs</h1>{}",
        table(
            "pairs",
            &[
                "id", "market A", "market B", "polarity", "status", "approved", ""
            ],
            &rows,
            "No pair is approved yet: approve a suggestion first.",
        )
    ))
}

fn action(p: &VerifiedPair, visitor: &Visitor) -> String {
    match p.status {
        PairStatus::Active => form(
            visitor,
            &format!("/pairs/{}/pause", p.id),
            "<input name=\"reason\" placeholder=\"reason\">",
            "Pause",
            "danger",
        ),
        PairStatus::Paused | PairStatus::NeedsReapproval => form(
            visitor,
            &format!("/pairs/{}/resume", p.id),
            "",
            if p.status == PairStatus::Paused {
                "Resume"
            } else {
                "Re-approve with the new rules and resume"
            },
            "primary",
        ),
    }
}
