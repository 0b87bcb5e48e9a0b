//! Live updates: `GET /events?page=<name>` streams the page's live region (server-sent events)
//! each time it changes, until the visitor leaves or the daemon stops.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::Stream;

use super::Console;
use super::auth::Visitor;
use super::html::refusal;
use super::pages::{self, Page};

/// `GET /events?page=<name>`.
pub async fn events(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(visitor) = console.visitor(&headers) else {
        return refusal(StatusCode::UNAUTHORIZED, "Sign in first.");
    };
    let Some(page) = query.get("page").and_then(|p| Page::from_name(p)) else {
        return refusal(StatusCode::BAD_REQUEST, "Unknown page.");
    };
    Sse::new(updates(console, visitor, page))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// What the stream remembers between renders.
struct Watch {
    console: Arc<Console>,
    visitor: Visitor,
    page: Page,
    last: Option<String>,
}

/// The page's region now, then again whenever it renders differently (checked every
/// refresh interval); ends at shutdown.
fn updates(
    console: Arc<Console>,
    visitor: Visitor,
    page: Page,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let watch = Watch {
        console,
        visitor,
        page,
        last: None,
    };
    futures::stream::unfold(watch, |mut w| async move {
        loop {
            if w.last.is_some() {
                tokio::select! {
                    () = w.console.shutdown.triggered() => return None,
                    () = tokio::time::sleep(w.console.refresh) => {}
                }
            } else if w.console.shutdown.is_triggered() {
                return None;
            }
            let html = match pages::render(w.page, &w.console, &w.visitor).await {
                // SSE cannot carry carriage returns; HTML does not need them.
                Ok(html) => html.replace('\r', ""),
                Err(e) => {
                    tracing::warn!(error = %e, page = w.page.name(), "console live update failed");
                    w.last.get_or_insert_with(String::new);
                    continue;
                }
            };
            if w.last.as_ref() != Some(&html) {
                w.last = Some(html.clone());
                return Some((Ok(Event::default().event("update").data(html)), w));
            }
        }
    })
}
