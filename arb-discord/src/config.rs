//! The bot's settings (parsed from the environment by the daemon's config).

use std::time::Duration;

use crate::auth::Policy;
use crate::delivery::RetryPolicy;

/// The bot token. Never shown: `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct BotToken(String);

impl BotToken {
    /// Wraps a token (with or without the `Bot ` prefix).
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for the HTTP client and the gateway only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for BotToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BotToken([redacted])")
    }
}

impl std::fmt::Display for BotToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Everything the bot needs.
#[derive(Clone, Debug)]
pub struct DiscordSettings {
    /// `DISCORD_BOT_TOKEN`.
    pub token: BotToken,
    /// `DISCORD_CHANNEL_ID`: where alerts and suggestions are posted.
    pub channel_id: u64,
    /// `DISCORD_ALLOWED_USER_IDS`, `DISCORD_ALLOWED_ROLE_IDS`, `DISCORD_READONLY_OPEN`.
    pub policy: Policy,
    /// Replaces `https://discord.com` (a rate-limiting proxy; a mock server in tests).
    pub api_base: Option<String>,
    /// At most one opportunity message per pair within this window.
    pub opportunity_throttle: Duration,
    /// Messages held while Discord is unreachable before `notify` starts refusing.
    pub queue_capacity: usize,
    /// Retry timing while Discord is unreachable.
    pub retry: RetryPolicy,
}

impl DiscordSettings {
    /// Settings with the defaults: a 5-minute opportunity throttle per pair, a 10 000-message
    /// queue, retries from 0.5 s doubling to 60 s.
    #[must_use]
    pub fn new(token: BotToken, channel_id: u64, policy: Policy) -> Self {
        Self {
            token,
            channel_id,
            policy,
            api_base: None,
            opportunity_throttle: Duration::from_secs(300),
            queue_capacity: 10_000,
            retry: RetryPolicy::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_appears_in_debug_or_display() {
        let settings = DiscordSettings::new(
            BotToken::new("MTIzNDU2.secret-token-value"),
            1,
            Policy::default(),
        );
        let debug = format!("{settings:?}");
        assert!(!debug.contains("secret-token-value"), "{debug}");
        assert!(debug.contains("BotToken([redacted])"));
        assert_eq!(settings.token.to_string(), "[redacted]");
    }
}
