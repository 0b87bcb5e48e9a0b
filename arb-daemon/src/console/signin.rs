//! Signing in with a token and out again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::Console;
use super::auth::{Visitor, cleared_cookie_header, csrf_matches, session_cookie_header};
use super::html::{self, esc, refusal};

/// `GET /login`: the sign-in form (or the status page for someone already signed in).
pub async fn form(State(console): State<Arc<Console>>, headers: HeaderMap) -> Response {
    if console.sessions.find(&headers, Instant::now()).is_some() {
        return Redirect::to("/").into_response();
    }
    page(StatusCode::OK, None, console.readonly_open)
}

/// `POST /login` with `token`: a session cookie and the status page, or the form again with why.
pub async fn sign_in(
    State(console): State<Arc<Console>>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let offered = form.ok().and_then(|Form(f)| f.get("token").cloned());
    let Some(user) = offered
        .as_deref()
        .and_then(|t| console.sessions.user_of(t.trim()))
    else {
        // Never log what was offered: it may be a real token mistyped.
        tracing::warn!("web console sign-in refused: unknown token");
        return page(
            StatusCode::UNAUTHORIZED,
            Some("That token is not valid. Nothing was changed."),
            console.readonly_open,
        );
    };
    let name = user.name.clone();
    match console.sessions.start(user, Instant::now()) {
        Ok(id) => {
            tracing::info!(actor = %format!("web:{name}"), "web console sign-in");
            let mut response = Redirect::to("/").into_response();
            if let Ok(cookie) = HeaderValue::from_str(&session_cookie_header(&id)) {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(e) => refusal(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `POST /logout` (with the CSRF token): ends the session.
pub async fn sign_out(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Some(Visitor::Signed(session)) = console.visitor(&headers) else {
        return Redirect::to("/login").into_response();
    };
    let offered = form.ok().and_then(|Form(f)| f.get("csrf").cloned());
    if !csrf_matches(&session, offered.as_deref()) {
        return refusal(
            StatusCode::FORBIDDEN,
            "The request carried no valid CSRF token: reload the page and try again.",
        );
    }
    console.sessions.end(&session.id);
    let mut response = Redirect::to("/login").into_response();
    if let Ok(cookie) = HeaderValue::from_str(&cleared_cookie_header()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

fn page(status: StatusCode, error: Option<&str>, readonly_open: bool) -> Response {
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"flash error\" id=\"login-error\">{}</p>", esc(e))
    });
    let open = if readonly_open {
        "<p><a href=\"/\">Continue without signing in (read-only)</a></p>"
    } else {
        ""
    };
    html::html(
        status,
        html::frame(
            "Sign in",
            &format!(
                "<main class=\"login\"><h1>arb console</h1>{error}<form method=\"post\" action=\"/login\"><label for=\"token\">Sign-in token</label><input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"current-password\" required autofocus><button type=\"submit\" class=\"primary\" id=\"sign-in\">Sign in</button></form>{open}</main>"
            ),
        ),
    )
}
