//! HTML building blocks: escaping, the page frame, forms carrying the CSRF token, responses with
//! the console's security headers.

use std::fmt::Write as _;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::auth::Visitor;
use super::pages::Page;

/// No script, style or frame from anywhere but the console itself; no inline script.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `text` with the five HTML-special characters escaped (safe in text and quoted attributes).
#[must_use]
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A dollar amount: `$1.25`, `-$0.30`.
#[must_use]
pub fn usd(amount: Decimal) -> String {
    let rounded = amount.round_dp(2);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        format!("-${:.2}", -rounded)
    } else {
        format!("${:.2}", rounded.abs())
    }
}

/// A UTC time as `2026-12-03 14:05:09 UTC`.
#[must_use]
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// An optional time, `never` when absent.
#[must_use]
pub fn when_opt(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "never".to_owned(), when)
}

/// A POST form to `action` with the visitor's CSRF token, `fields` (already HTML) and a button;
/// empty for a visitor who may not change anything (the buttons are not shown to them).
#[must_use]
pub fn form(visitor: &Visitor, action: &str, fields: &str, button: &str, class: &str) -> String {
    let Some(csrf) = visitor.csrf_if_trader() else {
        return String::new();
    };
    format!(
        "<form method=\"post\" action=\"{}\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">{fields}<button type=\"submit\" class=\"{class}\">{}</button></form>",
        esc(action),
        esc(csrf),
        esc(button)
    )
}

/// A table: a header row and rows of cells that are already HTML.
#[must_use]
pub fn table(id: &str, headers: &[&str], rows: &[Vec<String>], empty: &str) -> String {
    if rows.is_empty() {
        return format!("<p class=\"empty\" id=\"{id}-empty\">{}</p>", esc(empty));
    }
    let mut out = format!("<table id=\"{id}\"><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A whole page: header with navigation and who is signed in, a one-time message, and the live
/// region holding `body` (replaced in place by the page's server-sent updates).
#[must_use]
pub fn page(current: Page, visitor: &Visitor, flash: Option<&Flash>, body: &str) -> String {
    let mut nav = String::new();
    for p in Page::ALL {
        let class = if p == current {
            " class=\"current\""
        } else {
            ""
        };
        let _ = write!(
            nav,
            "<a href=\"{}\"{class} id=\"nav-{}\">{}</a>",
            p.path(),
            p.name(),
            esc(p.title())
        );
    }
    let flash = flash.map_or_else(String::new, |f| {
        format!(
            "<p class=\"flash {}\" id=\"flash\">{}</p>",
            if f.ok { "ok" } else { "error" },
            esc(&f.message)
        )
    });
    frame(
        current.title(),
        &format!(
            "<header><span class=\"brand\">arb console</span><nav>{nav}</nav>{}</header>{flash}<main id=\"live\" data-page=\"{}\">{body}</main>",
            who(visitor),
            current.name()
        ),
    )
}

/// Who is signed in, with the sign-out (or sign-in) control.
fn who(visitor: &Visitor) -> String {
    match visitor {
        Visitor::Signed(s) => format!(
            "<span class=\"who\" id=\"who\">{} ({})</span><form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\" id=\"logout\">Sign out</button></form>",
            esc(&s.user.name),
            if s.user.can_change() { "trader" } else { "read-only" },
            esc(&s.csrf)
        ),
        Visitor::Anonymous => {
            "<span class=\"who\" id=\"who\">anonymous (read-only)</span><a href=\"/login\">Sign in</a>"
                .to_owned()
        }
    }
}

/// The HTML document around `body`.
#[must_use]
pub fn frame(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · arb console</title><link rel=\"stylesheet\" href=\"/console.css\"><script src=\"/console.js\" defer></script></head><body>{body}</body></html>",
        esc(title)
    )
}

/// A one-time message shown on the next page a visitor sees (the result of their last change).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    /// Whether it reports success.
    pub ok: bool,
    /// The message.
    pub message: String,
}

/// An HTML response with the console's security headers.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(headers);
    response
}

/// Adds the security headers: the content security policy, no framing, no sniffing, no referrer,
/// no caching of pages that show account data.
pub fn secure(headers: &mut axum::http::HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page explaining why a request was refused, with a way back.
pub fn refusal(status: StatusCode, message: &str) -> Response {
    let body = frame(
        "Refused",
        &format!(
            "<main class=\"refusal\"><h1>{} {}</h1><p id=\"refusal\">{}</p><p>Nothing was changed. <a href=\"/\">Back to the console</a></p></main>",
            status.as_u16(),
            esc(status.canonical_reason().unwrap_or("")),
            esc(message)
        ),
    );
    html(status, body)
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<a href=\"x\">O'Neil & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn dollars_round_to_cents_with_the_sign_first() {
        assert_eq!(usd(dec!(1.256)), "$1.26");
        assert_eq!(usd(dec!(-0.3)), "-$0.30");
        assert_eq!(usd(dec!(-0.001)), "$0.00");
        assert_eq!(usd(Decimal::ZERO), "$0.00");
    }
}
