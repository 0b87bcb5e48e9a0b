//! The `Notifier` trait: how the engine tells people what is happening (Discord, logs, a test probe).

use std::sync::Mutex;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::{ExecutionRecord, MatchSuggestion, Opportunity, Position};

/// How urgent an alert is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Needs attention soon.
    Warning,
    /// Needs a person now (unhedged exposure, kill switch, reconciliation drift).
    Critical,
}

/// Something to tell people.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Notification {
    /// New candidate pairs awaiting approval.
    MatchSuggestions {
        /// The suggestions, best first.
        suggestions: Vec<MatchSuggestion>,
    },
    /// An opportunity was found.
    Opportunity {
        /// It.
        opportunity: Opportunity,
    },
    /// An execution changed state.
    ExecutionUpdate {
        /// Its current record.
        execution: ExecutionRecord,
    },
    /// Positions and PnL summary.
    PositionSummary {
        /// Open positions.
        positions: Vec<Position>,
        /// Realised PnL today, dollars.
        realized_today: Decimal,
        /// Locked-in profit of hedged positions, dollars.
        locked_in: Decimal,
    },
    /// Anything else worth a person's attention.
    Alert {
        /// How urgent.
        severity: Severity,
        /// What happened.
        message: String,
    },
}

/// A notifier could not accept a notification (its queue is full or it has shut down).
#[derive(Debug, Clone, Error)]
#[error("notification not accepted: {0}")]
pub struct NotifyError(pub String);

/// Delivers notifications. `notify` must return at once (queue, never block trading on delivery).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait Notifier: Send + Sync {
    /// Accepts a notification for delivery.
    fn notify(&self, notification: Notification) -> Result<(), NotifyError>;
}

/// Drops every notification (embedders that do not want any).
#[derive(Debug, Default, Clone, Copy)]
pub struct NullNotifier;

impl Notifier for NullNotifier {
    fn notify(&self, _notification: Notification) -> Result<(), NotifyError> {
        Ok(())
    }
}

/// Logs every notification through `tracing`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn notify(&self, notification: Notification) -> Result<(), NotifyError> {
        match &notification {
            Notification::Alert {
                severity: Severity::Critical,
                message,
            } => {
                tracing::error!(%message, "alert");
            }
            Notification::Alert { message, .. } => tracing::warn!(%message, "alert"),
            Notification::ExecutionUpdate { execution } => tracing::info!(
                id = %execution.id,
                state = ?execution.state,
                note = execution.note.as_deref().unwrap_or(""),
                "execution update"
            ),
            Notification::Opportunity { opportunity } => tracing::info!(
                pair = %opportunity.pair_id,
                qty = %opportunity.qty,
                profit = %opportunity.profit,
                "opportunity"
            ),
            Notification::MatchSuggestions { suggestions } => {
                tracing::info!(count = suggestions.len(), "match suggestions");
            }
            Notification::PositionSummary {
                positions,
                realized_today,
                locked_in,
            } => tracing::info!(
                positions = positions.len(),
                %realized_today,
                %locked_in,
                "position summary"
            ),
        }
        Ok(())
    }
}

/// Keeps every notification in memory (tests, embedders that poll).
#[derive(Debug, Default)]
pub struct RecordingNotifier(Mutex<Vec<Notification>>);

impl RecordingNotifier {
    /// Everything received so far.
    #[must_use]
    pub fn received(&self) -> Vec<Notification> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Notifier for RecordingNotifier {
    fn notify(&self, notification: Notification) -> Result<(), NotifyError> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(notification);
        Ok(())
    }
}
