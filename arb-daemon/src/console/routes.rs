//! The console's routes: pages, sign-in, changes, live updates and the two static files.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::html::{self, refusal};
use super::pages::{self, Page};
use super::{Console, actions, live, signin};

/// The script, served as a file so the content security policy can forbid inline script.
const SCRIPT: &str = include_str!("assets/console.js");
/// The stylesheet.
const STYLE: &str = include_str!("assets/console.css");

/// Every route of the console.
pub fn router(console: Arc<Console>) -> Router {
    let mut router = Router::new();
    for page in Page::ALL {
        router = router.route(
            page.path(),
            get(move |State(c): State<Arc<Console>>, headers: HeaderMap| show(c, headers, page)),
        );
    }
    router
        .route("/login", get(signin::form).post(signin::sign_in))
        .route("/logout", post(signin::sign_out))
        .route("/events", get(live::events))
        .route("/suggestions/{id}/{verb}", post(actions::suggestion))
        .route("/pairs/{id}/{verb}", post(actions::pair))
        .route("/halt", post(actions::halt))
        .route("/resume", post(actions::resume))
        .route(
            "/console.js",
            get(|| asset(SCRIPT, "text/javascript; charset=utf-8")),
        )
        .route(
            "/console.css",
            get(|| asset(STYLE, "text/css; charset=utf-8")),
        )
        .fallback(|| async { refusal(StatusCode::NOT_FOUND, "There is no such page.") })
        .with_state(console)
}

/// A whole page, or the sign-in page for a visitor who must sign in first.
async fn show(console: Arc<Console>, headers: HeaderMap, page: Page) -> Response {
    let Some(visitor) = console.visitor(&headers) else {
        return Redirect::to("/login").into_response();
    };
    match pages::render(page, &console, &visitor).await {
        Ok(body) => {
            let flash = match &visitor {
                super::auth::Visitor::Signed(s) => console.sessions.take_flash(&s.id),
                super::auth::Visitor::Anonymous => None,
            };
            html::html(
                StatusCode::OK,
                html::page(page, &visitor, flash.as_ref(), &body),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, page = page.name(), "console page could not be rendered");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("The page could not be read from the store: {e}"),
            )
        }
    }
}

async fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    html::secure(headers);
    response
}
