//! Changes made from the console: each needs a trader's session and its CSRF token, goes through
//! the engine's handle with the actor `web:<name>`, and answers with the page to go back to (and
//! a one-time message) or a refusal saying why nothing changed.

use std::collections::HashMap;
use std::sync::Arc;

use arb_core::engine::EngineError;
use arb_core::model::{PairId, SuggestionId};
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::Console;
use super::auth::{User, Visitor, csrf_matches};
use super::html::{Flash, refusal};
use super::pages::Page;

/// The submitted form, or why it could not be read.
type Fields = Result<Form<HashMap<String, String>>, FormRejection>;

/// A change a trader asked for.
enum Change {
    Approve(SuggestionId),
    Dismiss(SuggestionId),
    Pause(PairId, String),
    ResumePair(PairId),
    Halt(String),
    Resume,
}

impl Change {
    /// The page to go back to.
    const fn page(&self) -> Page {
        match self {
            Self::Approve(_) | Self::Dismiss(_) => Page::Suggestions,
            Self::Pause(..) | Self::ResumePair(_) => Page::Pairs,
            Self::Halt(_) | Self::Resume => Page::Status,
        }
    }

    /// Carries the change out as `user`; returns what to tell them.
    async fn apply(&self, console: &Console, user: &User) -> Result<String, EngineError> {
        let handle = &console.handle;
        let actor = user.actor();
        Ok(match self {
            Self::Approve(id) => {
                let pair = handle.approve_suggestion(*id, &actor).await?;
                format!(
                    "Suggestion #{id} approved as pair {}: {} ≡ {} ({}).",
                    pair.id, pair.a, pair.b, pair.polarity
                )
            }
            Self::Dismiss(id) => {
                handle.dismiss_suggestion(*id, &actor).await?;
                format!("Suggestion #{id} dismissed.")
            }
            Self::Pause(id, reason) => {
                handle.pause_pair(*id, &actor, reason).await?;
                format!("Pair {id} paused.")
            }
            Self::ResumePair(id) => {
                handle.resume_pair(*id, &actor).await?;
                format!("Pair {id} resumed.")
            }
            Self::Halt(reason) => {
                handle.halt(&actor, reason).await?;
                "Trading halted: no new execution starts (in-flight ones finish hedging)."
                    .to_owned()
            }
            Self::Resume => {
                handle.resume(&actor).await?;
                "Trading resumed.".to_owned()
            }
        })
    }
}

/// `POST /suggestions/{id}/approve` (with the suggested polarity) and
/// `POST /suggestions/{id}/dismiss`.
pub async fn suggestion(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Path((id, verb)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    act(&c, &headers, fields, |_| {
        let id = parse_id(&id, "suggestion")?;
        match verb.as_str() {
            "approve" => Ok(Change::Approve(id)),
            "dismiss" => Ok(Change::Dismiss(id)),
            _ => Err(unknown(&verb)),
        }
    })
    .await
}

/// `POST /pairs/{id}/pause` (with an optional `reason`) and `POST /pairs/{id}/resume`.
pub async fn pair(
    State(c): State<Arc<Console>>,
    headers: HeaderMap,
    Path((id, verb)): Path<(String, String)>,
    fields: Fields,
) -> Response {
    act(&c, &headers, fields, |form| {
        let id = parse_id(&id, "pair")?;
        match verb.as_str() {
            "pause" => {
                let reason = text(form, "reason").unwrap_or("paused from the web console");
                Ok(Change::Pause(id, reason.to_owned()))
            }
            "resume" => Ok(Change::ResumePair(id)),
            _ => Err(unknown(&verb)),
        }
    })
    .await
}

/// `POST /halt` with a `reason` (required).
pub async fn halt(State(c): State<Arc<Console>>, headers: HeaderMap, fields: Fields) -> Response {
    act(&c, &headers, fields, |form| {
        text(form, "reason")
            .map(|r| Change::Halt(r.to_owned()))
            .ok_or_else(|| "A halt needs a reason.".to_owned())
    })
    .await
}

/// `POST /resume`: lift the kill switch.
pub async fn resume(State(c): State<Arc<Console>>, headers: HeaderMap, fields: Fields) -> Response {
    act(&c, &headers, fields, |_| Ok(Change::Resume)).await
}

/// The checks every change passes, in order: a session, a readable form, its CSRF token, a
/// well-formed request, a trader. Then the change, a one-time message and a redirect back.
async fn act(
    console: &Console,
    headers: &HeaderMap,
    fields: Fields,
    change: impl FnOnce(&HashMap<String, String>) -> Result<Change, String>,
) -> Response {
    let Some(Visitor::Signed(session)) = console.visitor(headers) else {
        return refusal(
            StatusCode::UNAUTHORIZED,
            "Sign in first: changes need a trader's session.",
        );
    };
    let Ok(Form(form)) = fields else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "The request is not a form submission.",
        );
    };
    if !csrf_matches(&session, form.get("csrf").map(String::as_str)) {
        tracing::warn!(actor = %session.user.actor(), "web console change refused: no valid CSRF token");
        return refusal(
            StatusCode::FORBIDDEN,
            "The request carried no valid CSRF token (it did not come from a console page): reload the page and try again.",
        );
    }
    let change = match change(&form) {
        Ok(change) => change,
        Err(message) => return refusal(StatusCode::BAD_REQUEST, &message),
    };
    if !session.user.can_change() {
        tracing::warn!(actor = %session.user.actor(), "web console change refused: read-only user");
        return refusal(
            StatusCode::FORBIDDEN,
            &format!(
                "Signed in as {}, a read-only user: only traders (CONSOLE_TOKENS) can change anything.",
                session.user.name
            ),
        );
    }
    match change.apply(console, &session.user).await {
        Ok(message) => {
            tracing::info!(actor = %session.user.actor(), %message, "web console change");
            console
                .sessions
                .set_flash(&session.id, Flash { ok: true, message });
            Redirect::to(change.page().path()).into_response()
        }
        Err(e) => {
            tracing::warn!(actor = %session.user.actor(), error = %e, "web console change refused by the engine");
            refusal(status_of(&e), &e.to_string())
        }
    }
}

/// 404 for what does not exist, 500 for failures behind the engine, 409 for the rest (a change
/// that does not fit the current state).
const fn status_of(e: &EngineError) -> StatusCode {
    match e {
        EngineError::UnknownPair(_)
        | EngineError::UnknownSuggestion(_)
        | EngineError::UnknownMarket(_) => StatusCode::NOT_FOUND,
        EngineError::Store(_) | EngineError::Exchange { .. } | EngineError::Execute(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::CONFLICT,
    }
}

fn unknown(verb: &str) -> String {
    format!("`{verb}` is not something the console can do.")
}

fn parse_id<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a {what} id (a whole number)."))
}

/// A non-empty, trimmed form field.
fn text<'a>(form: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}
