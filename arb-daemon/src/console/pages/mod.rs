//! The console's pages. Each renders the HTML of its live region from the engine's handle; the
//! same rendering serves the first load and every server-sent update.

mod executions;
mod pairs;
mod positions;
mod status;
mod suggestions;

use arb_core::engine::EngineError;
use serde::Serialize;

use super::Console;
use super::auth::Visitor;

/// A page of the console.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Page {
    /// Mode, kill switch, venues, health, last sync.
    Status,
    /// Open match suggestions, side by side, to approve or dismiss.
    Suggestions,
    /// Verified pairs, to pause or resume.
    Pairs,
    /// Detected opportunities and what became of each.
    Opportunities,
    /// Executions with their timeline, legs and fills.
    Executions,
    /// Positions, PnL and its charts.
    Positions,
}

impl Page {
    /// Every page, in navigation order.
    pub const ALL: [Self; 6] = [
        Self::Status,
        Self::Suggestions,
        Self::Pairs,
        Self::Opportunities,
        Self::Executions,
        Self::Positions,
    ];

    /// Its short name (the `page` of `/events?page=…`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Suggestions => "suggestions",
            Self::Pairs => "pairs",
            Self::Opportunities => "opportunities",
            Self::Executions => "executions",
            Self::Positions => "positions",
        }
    }

    /// Where it is served.
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::Status => "/",
            Self::Suggestions => "/suggestions",
            Self::Pairs => "/pairs",
            Self::Opportunities => "/opportunities",
            Self::Executions => "/executions",
            Self::Positions => "/positions",
        }
    }

    /// Its heading.
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            Self::Status => "Status",
            Self::Suggestions => "Suggestions",
            Self::Pairs => "Pairs",
            Self::Opportunities => "Opportunities",
            Self::Executions => "Executions",
            Self::Positions => "Positions & PnL",
        }
    }

    /// The page of a short name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// The HTML of `page`'s live region as `visitor` sees it (forms only for traders).
///
/// # Errors
/// The store could not be read.
pub async fn render(
    page: Page,
    console: &Console,
    visitor: &Visitor,
) -> Result<String, EngineError> {
    let handle = &console.handle;
    match page {
        Page::Status => status::render(console, visitor).await,
        Page::Suggestions => suggestions::render(handle, visitor).await,
        Page::Pairs => pairs::render(handle, visitor).await,
        Page::Opportunities => executions::opportunities(handle).await,
        Page::Executions => executions::render(handle).await,
        Page::Positions => positions::render(handle).await,
    }
}

/// An enum's serde name in words: `first_leg_sent` → `first leg sent`.
fn word<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}
