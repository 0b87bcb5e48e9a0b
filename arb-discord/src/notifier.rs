//! [`DiscordNotifier`]: arb-core's [`Notifier`] over the delivery queue. `notify` renders and
//! queues; it never waits on Discord.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use arb_core::clock::Clock;
use arb_core::model::{MatchSuggestion, Opportunity, PairId, SuggestionId};
use arb_core::notify::{Notification, Notifier, NotifyError};
use chrono::{DateTime, Utc};

use crate::auth::Policy;
use crate::delivery::{Outbox, Outgoing};
use crate::format;
use crate::render;
use crate::reply::Reply;

/// Per pair: when its last opportunity was posted, and how many were held back since.
#[derive(Debug, Default)]
struct Throttle {
    last_posted: HashMap<PairId, (DateTime<Utc>, u64)>,
}

/// Posts notifications, suggestions and replies to the bot's channel.
#[derive(Debug)]
pub struct DiscordNotifier {
    outbox: Outbox,
    policy: Arc<Policy>,
    clock: Arc<dyn Clock>,
    opportunity_window: chrono::Duration,
    throttle: Mutex<Throttle>,
    posted_suggestions: Mutex<HashSet<SuggestionId>>,
}

impl DiscordNotifier {
    /// A notifier queueing onto `outbox`; opportunities are posted at most once per pair per
    /// `opportunity_window`; urgent messages mention the traders of `policy`.
    #[must_use]
    pub fn new(
        outbox: Outbox,
        policy: Arc<Policy>,
        clock: Arc<dyn Clock>,
        opportunity_window: std::time::Duration,
    ) -> Self {
        Self {
            outbox,
            policy,
            clock,
            opportunity_window: chrono::Duration::from_std(opportunity_window)
                .unwrap_or(chrono::Duration::MAX),
            throttle: Mutex::new(Throttle::default()),
            posted_suggestions: Mutex::new(HashSet::new()),
        }
    }

    /// The queue (for its counters).
    #[must_use]
    pub const fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Queues a reply as a channel message (with its reactions).
    pub fn post(&self, reply: &Reply) -> Result<(), NotifyError> {
        self.outbox.send(Outgoing {
            message: render::message(reply, &self.policy),
            reactions: reply.reactions.clone(),
        })
    }

    /// Posts each stored suggestion as its own message with ✅ / ❌, once: a suggestion already
    /// posted (by `/find_matches` or the engine's announcement of the same run) is skipped.
    pub fn post_suggestions(&self, suggestions: &[MatchSuggestion]) -> Result<(), NotifyError> {
        for s in suggestions {
            let Some(id) = s.id else {
                continue;
            };
            let fresh = self
                .posted_suggestions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(id);
            if fresh {
                self.post(&format::suggestion(s))?;
            }
        }
        Ok(())
    }

    /// Whether an opportunity on this pair may be posted now; if so, the reply notes how many
    /// were held back since the last one.
    fn admit(&self, o: &Opportunity) -> Option<u64> {
        let now = self.clock.now();
        let mut throttle = self.throttle.lock().unwrap_or_else(PoisonError::into_inner);
        match throttle.last_posted.get_mut(&o.pair_id) {
            Some((last, held)) if now - *last < self.opportunity_window => {
                *held += 1;
                None
            }
            Some(entry) => {
                let held = entry.1;
                *entry = (now, 0);
                Some(held)
            }
            None => {
                throttle.last_posted.insert(o.pair_id, (now, 0));
                Some(0)
            }
        }
    }
}

impl Notifier for DiscordNotifier {
    fn notify(&self, notification: Notification) -> Result<(), NotifyError> {
        match &notification {
            Notification::MatchSuggestions { suggestions } => self.post_suggestions(suggestions),
            Notification::Opportunity { opportunity } => match self.admit(opportunity) {
                None => Ok(()),
                Some(held) => {
                    let mut reply = format::opportunity(opportunity);
                    if held > 0 {
                        reply = reply.footer(format!(
                            "{held} more on this pair since the last message were not posted"
                        ));
                    }
                    self.post(&reply)
                }
            },
            Notification::ExecutionUpdate { execution } => self.post(&format::execution(execution)),
            Notification::PositionSummary {
                positions,
                realized_today,
                locked_in,
            } => self.post(&format::pnl_summary(positions, *realized_today, *locked_in)),
            Notification::Alert { severity, message } => {
                self.post(&format::alert(*severity, message))
            }
        }
    }
}
