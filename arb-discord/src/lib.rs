//! # arb-discord
//!
//! Discord front-end of the arbitrage engine: slash commands to find, approve and control pairs,
//! ✅ / ❌ reactions to approve or dismiss match suggestions, and [`DiscordNotifier`], an
//! [`arb_core::notify::Notifier`] posting opportunities, executions, PnL and alerts.
//!
//! Layers, each testable on its own:
//! - [`command`]: parse → [`api::EngineApi`] call → [`reply::Reply`] (no Discord types);
//! - [`auth`]: who may do what;
//! - [`format`]: the wording of every message; [`render`]: replies as serenity builders;
//! - [`delivery`]: the outgoing queue and the HTTP sender (rate limits, retries);
//! - [`notifier`]: the `Notifier`; [`bot`]: the serenity event handler;
//! - [`service`]: wiring for the daemon ([`service::Discord`]) and the daily PnL summary.
//!
//! The repository README (section "Discord") explains creating the bot, its intents, permissions and settings.

pub mod api;
pub mod auth;
pub mod bot;
pub mod command;
pub mod config;
pub mod delivery;
pub mod format;
pub mod notifier;
pub mod render;
pub mod reply;
pub mod service;

pub use api::EngineApi;
pub use auth::{Access, Actor, Policy};
pub use bot::Bot;
pub use config::{BotToken, DiscordSettings};
pub use delivery::{DiscordHttp, Outbox, RetryPolicy};
pub use notifier::DiscordNotifier;
pub use reply::{Reply, Tone};
pub use service::Discord;
