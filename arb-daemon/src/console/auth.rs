//! Sign-in with a configured token, server-side sessions behind an HttpOnly SameSite=Strict
//! cookie, and a CSRF token per session that every state change must carry.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use rand::TryRng;

use super::html::Flash;
use crate::config::{ConsoleRole, ConsoleToken};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "arb_session";

/// How long a session lasts after sign-in.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// Someone the console knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Their name from the token setting.
    pub name: String,
    /// What they may do.
    pub role: ConsoleRole,
}

impl User {
    /// How they are recorded in pair histories and alerts: `web:<name>`.
    #[must_use]
    pub fn actor(&self) -> String {
        format!("web:{}", self.name)
    }

    /// Whether they may change anything.
    #[must_use]
    pub fn can_change(&self) -> bool {
        self.role == ConsoleRole::Trader
    }
}

/// A signed-in visitor's session, as a request sees it.
#[derive(Clone, Debug)]
pub struct SessionView {
    /// The session id (the cookie's value).
    pub id: String,
    /// Who signed in.
    pub user: User,
    /// The token every form of this session carries.
    pub csrf: String,
}

/// Who is making a request.
#[derive(Clone, Debug)]
pub enum Visitor {
    /// Signed in.
    Signed(SessionView),
    /// Not signed in, reading because `CONSOLE_READONLY_OPEN` allows it.
    Anonymous,
}

impl Visitor {
    /// The CSRF token for forms, when the visitor may change things (a trader's session).
    #[must_use]
    pub fn csrf_if_trader(&self) -> Option<&str> {
        match self {
            Self::Signed(s) if s.user.can_change() => Some(&s.csrf),
            _ => None,
        }
    }
}

/// Why sign-in or a session could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The operating system's random source failed.
    #[error("no randomness for a session id: {0}")]
    Random(String),
}

struct Session {
    user: User,
    csrf: String,
    expires: Instant,
    flash: Option<Flash>,
}

/// The configured tokens and the live sessions.
pub struct Sessions {
    tokens: Vec<ConsoleToken>,
    live: Mutex<HashMap<String, Session>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("users", &self.tokens.len())
            .finish_non_exhaustive()
    }
}

impl Sessions {
    /// Sessions for the users of `tokens`.
    #[must_use]
    pub fn new(tokens: Vec<ConsoleToken>) -> Self {
        Self {
            tokens,
            live: Mutex::new(HashMap::new()),
        }
    }

    /// The user whose token is `offered` (compared in constant time against every token).
    #[must_use]
    pub fn user_of(&self, offered: &str) -> Option<User> {
        let mut found = None;
        for t in &self.tokens {
            if constant_time_eq(t.token.expose().as_bytes(), offered.as_bytes()) {
                found = Some(User {
                    name: t.name.clone(),
                    role: t.role,
                });
            }
        }
        found
    }

    /// Starts a session for `user`; returns its id (the cookie's value).
    ///
    /// # Errors
    /// The random source failed.
    pub fn start(&self, user: User, now: Instant) -> Result<String, AuthError> {
        let id = random_hex()?;
        let csrf = random_hex()?;
        let mut live = self.lock();
        live.retain(|_, s| s.expires > now);
        live.insert(
            id.clone(),
            Session {
                user,
                csrf,
                expires: now + SESSION_LIFETIME,
                flash: None,
            },
        );
        Ok(id)
    }

    /// The session the request's cookie names, if it is live.
    #[must_use]
    pub fn find(&self, headers: &HeaderMap, now: Instant) -> Option<SessionView> {
        let id = session_cookie(headers)?;
        let live = self.lock();
        let session = live.get(&id).filter(|s| s.expires > now)?;
        Some(SessionView {
            user: session.user.clone(),
            csrf: session.csrf.clone(),
            id,
        })
    }

    /// Ends a session.
    pub fn end(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Leaves a message for the session's next page.
    pub fn set_flash(&self, id: &str, flash: Flash) {
        if let Some(s) = self.lock().get_mut(id) {
            s.flash = Some(flash);
        }
    }

    /// Takes the session's pending message.
    #[must_use]
    pub fn take_flash(&self, id: &str) -> Option<Flash> {
        self.lock().get_mut(id).and_then(|s| s.flash.take())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Session>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The `Set-Cookie` value of a new session.
#[must_use]
pub fn session_cookie_header(id: &str) -> String {
    format!(
        "{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_LIFETIME.as_secs()
    )
}

/// The `Set-Cookie` value that removes the session cookie.
#[must_use]
pub fn cleared_cookie_header() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

/// The session id in the request's `Cookie` headers.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Whether `offered` is the session's CSRF token (constant time).
#[must_use]
pub fn csrf_matches(session: &SessionView, offered: Option<&str>) -> bool {
    offered.is_some_and(|o| constant_time_eq(session.csrf.as_bytes(), o.as_bytes()))
}

/// 32 random bytes from the operating system, as hex.
pub(super) fn random_hex() -> Result<String, AuthError> {
    let mut bytes = [0_u8; 32];
    rand::rngs::SysRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| AuthError::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Equality whose time depends only on the lengths, not on where the bytes differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::Secret;

    fn sessions() -> Sessions {
        Sessions::new(vec![
            ConsoleToken {
                name: "alice".into(),
                role: ConsoleRole::Trader,
                token: Secret::new("alice-token-0123456789"),
            },
            ConsoleToken {
                name: "bob".into(),
                role: ConsoleRole::Viewer,
                token: Secret::new("bob-token-0123456789ab"),
            },
        ])
    }

    #[test]
    fn tokens_identify_their_user_and_role() {
        let s = sessions();
        let alice = s.user_of("alice-token-0123456789").unwrap();
        assert_eq!(alice.actor(), "web:alice");
        assert!(alice.can_change());
        assert!(!s.user_of("bob-token-0123456789ab").unwrap().can_change());
        assert_eq!(s.user_of("alice-token-012345678"), None);
        assert_eq!(s.user_of(""), None);
    }

    #[test]
    fn a_session_is_found_by_its_cookie_until_it_expires_or_ends() {
        let s = sessions();
        let now = Instant::now();
        let user = s.user_of("alice-token-0123456789").unwrap();
        let id = s.start(user, now).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("theme=dark; {SESSION_COOKIE}={id}")).unwrap(),
        );
        let view = s.find(&headers, now).unwrap();
        assert_eq!(view.user.name, "alice");
        assert!(csrf_matches(&view, Some(view.csrf.as_str())));
        assert!(!csrf_matches(&view, Some("forged")));
        assert!(!csrf_matches(&view, None));
        assert!(s.find(&headers, now + SESSION_LIFETIME).is_none());
        s.end(&id);
        assert!(s.find(&headers, now).is_none());
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site_strict() {
        let cookie = session_cookie_header("abc");
        assert!(cookie.contains("HttpOnly"));
        assert!(cookie.contains("SameSite=Strict"));
    }
}
