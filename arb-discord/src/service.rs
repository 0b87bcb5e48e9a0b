//! Wiring for embedders (the daemon): start the notifier before the engine exists, then serve
//! commands once the engine's handle is available, and post the daily PnL summary.

use std::sync::Arc;

use arb_core::clock::Clock;
use arb_core::notify::{Notification, Notifier};
use chrono::{DateTime, Days, NaiveTime, Utc};
use rust_decimal::Decimal;
use serenity::all::ChannelId;
use tokio::sync::watch;

use crate::api::{EngineApi, PositionsReport};
use crate::bot::{self, Bot};
use crate::config::DiscordSettings;
use crate::delivery::{self, DiscordHttp, SendError};
use crate::notifier::DiscordNotifier;

/// The running Discord side: its HTTP client, the notifier (give it to the engine) and the
/// delivery worker.
#[derive(Debug)]
pub struct Discord {
    http: DiscordHttp,
    notifier: Arc<DiscordNotifier>,
    channel: ChannelId,
    policy: Arc<crate::auth::Policy>,
    worker: tokio::task::JoinHandle<()>,
}

impl Discord {
    /// Starts the delivery worker (on the current tokio runtime) and builds the notifier.
    /// Nothing is sent until something is notified.
    pub fn start(settings: &DiscordSettings, clock: Arc<dyn Clock>) -> Result<Self, SendError> {
        let http = DiscordHttp::new(&settings.token, settings.api_base.as_deref())?;
        let channel = ChannelId::new(settings.channel_id);
        let (outbox, worker) = delivery::spawn(
            http.transport(channel),
            settings.queue_capacity,
            settings.retry,
        );
        let policy = Arc::new(settings.policy.clone());
        let notifier = Arc::new(DiscordNotifier::new(
            outbox,
            Arc::clone(&policy),
            clock,
            settings.opportunity_throttle,
        ));
        Ok(Self {
            http,
            notifier,
            channel,
            policy,
            worker,
        })
    }

    /// The notifier, for the engine's `EngineParts::notifier`.
    #[must_use]
    pub fn notifier(&self) -> Arc<DiscordNotifier> {
        Arc::clone(&self.notifier)
    }

    /// Connects to the gateway and serves slash commands and reactions against `engine` until
    /// `shutdown` turns true.
    pub async fn serve<E: EngineApi + ?Sized + 'static>(
        &self,
        engine: Arc<E>,
        shutdown: watch::Receiver<bool>,
    ) -> Result<(), serenity::Error> {
        let bot = Bot::new(
            engine,
            Arc::clone(&self.policy),
            self.channel,
            Arc::clone(&self.notifier),
        );
        bot::run(&self.http, Arc::new(bot), shutdown).await
    }

    /// Stops accepting messages and waits until everything queued is delivered. Only returns
    /// once Discord has taken the queue (it never drops messages during an outage).
    pub async fn flush(self) {
        drop(self.notifier);
        if let Err(e) = self.worker.await {
            tracing::error!(error = %e, "the Discord delivery worker failed");
        }
    }
}

/// The next moment at `at` (UTC) strictly after `now`.
#[must_use]
pub fn next_summary_at(now: DateTime<Utc>, at: NaiveTime) -> DateTime<Utc> {
    let today = now.date_naive().and_time(at).and_utc();
    if today > now {
        today
    } else {
        today
            .checked_add_days(Days::new(1))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// The daily summary notification for a positions report (today's realised and locked-in PnL,
/// zero when nothing happened today).
#[must_use]
pub fn summary(report: PositionsReport) -> Notification {
    let (realized_today, locked_in) = report
        .pnl
        .today
        .as_ref()
        .map_or((Decimal::ZERO, Decimal::ZERO), |t| {
            (t.realized, t.locked_in)
        });
    Notification::PositionSummary {
        positions: report.positions,
        realized_today,
        locked_in,
    }
}

/// Posts the PnL summary every day at `at` (UTC) until `shutdown` turns true. A failure to read
/// positions is logged and retried the next day.
pub async fn daily_summaries<E: EngineApi + ?Sized>(
    engine: Arc<E>,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    at: NaiveTime,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let now = clock.now();
        let wait = (next_summary_at(now, at) - now)
            .to_std()
            .unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|stop| *stop) => return,
        }
        match engine.positions().await {
            Ok(report) => {
                if let Err(e) = notifier.notify(summary(report)) {
                    tracing::warn!(error = %e, "could not queue the daily PnL summary");
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read positions for the daily summary"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::api::PnlSummary;

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    #[test]
    fn the_next_summary_is_later_today_or_tomorrow() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
            .single()
            .unwrap_or_default();
        assert_eq!(
            next_summary_at(now, at(21, 0)).to_rfc3339(),
            "2026-11-23T21:00:00+00:00"
        );
        assert_eq!(
            next_summary_at(now, at(12, 0)).to_rfc3339(),
            "2026-11-24T12:00:00+00:00"
        );
        assert_eq!(
            next_summary_at(now, at(0, 0)).to_rfc3339(),
            "2026-11-24T00:00:00+00:00"
        );
    }

    #[test]
    fn a_day_without_activity_summarises_to_zero() {
        let report = PositionsReport {
            positions: vec![],
            pnl: PnlSummary::default(),
        };
        assert_eq!(
            summary(report),
            Notification::PositionSummary {
                positions: vec![],
                realized_today: Decimal::ZERO,
                locked_in: Decimal::ZERO,
            }
        );
    }
}
