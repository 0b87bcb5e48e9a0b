//! The command layer: a slash command or reaction → an [`EngineApi`] call → a [`Reply`].
//! No Discord types here, so every command, refusal and bad input is tested without Discord.

use arb_core::model::{
    MarketId, MarketKey, MatchSuggestion, PairId, Polarity, SuggestionId, VerifiedPair,
};

use crate::api::EngineApi;
use crate::auth::{Access, Actor, Policy};
use crate::format::{self, APPROVE, DISMISS};
use crate::reply::{Reply, Tone};

/// Kalshi's venue id.
pub const KALSHI: &str = "kalshi";
/// Polymarket's venue id.
pub const POLYMARKET: &str = "polymarket";
/// Most suggestions `/find_matches` posts.
pub const MAX_SUGGESTIONS_POSTED: usize = 10;

/// The type of a slash-command option.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OptionKind {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// A whole number.
    Integer,
}

/// A slash-command option, as registered with Discord.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    /// Its name.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Its type.
    pub kind: OptionKind,
    /// Whether it must be given.
    pub required: bool,
    /// The allowed values of a text option (empty: any).
    pub choices: &'static [&'static str],
    /// The allowed range of a number.
    pub range: Range,
}

/// The range Discord enforces on a numeric option (input is checked again on arrival).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// No limits.
    Any,
    /// A number between these (inclusive).
    Number(f64, f64),
    /// A whole number between these (inclusive).
    Integer(u64, u64),
}

/// A slash command, as registered with Discord and listed by `/help`.
#[derive(Clone, Copy, Debug)]
pub struct CommandSpec {
    /// Its name.
    pub name: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Whether it changes anything.
    pub access: Access,
    /// Its options.
    pub options: &'static [OptionSpec],
}

const PAIR_ID: OptionSpec = OptionSpec {
    name: "pair_id",
    description: "The pair's number (see /list_pairs)",
    kind: OptionKind::Integer,
    required: true,
    choices: &[],
    range: Range::Integer(1, 9_007_199_254_740_991),
};

/// Every slash command.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "find_matches",
        description: "Suggest Kalshi/Polymarket markets that look like the same event",
        access: Access::Mutating,
        options: &[OptionSpec {
            name: "similarity",
            description: "Minimum similarity score, 0-100",
            kind: OptionKind::Number,
            required: false,
            choices: &[],
            range: Range::Number(0.0, 100.0),
        }],
    },
    CommandSpec {
        name: "approve_pair",
        description: "Approve a Kalshi market and a Polymarket market as the same event",
        access: Access::Mutating,
        options: &[
            OptionSpec {
                name: "kalshi_id",
                description: "The Kalshi market ticker",
                kind: OptionKind::Text,
                required: true,
                choices: &[],
                range: Range::Any,
            },
            OptionSpec {
                name: "poly_id",
                description: "The Polymarket condition id (0x followed by 64 hex digits)",
                kind: OptionKind::Text,
                required: true,
                choices: &[],
                range: Range::Any,
            },
            OptionSpec {
                name: "polarity",
                description: "same: YES ≡ YES (default); inverse: Kalshi YES ≡ Polymarket NO",
                kind: OptionKind::Text,
                required: false,
                choices: &["same", "inverse"],
                range: Range::Any,
            },
        ],
    },
    CommandSpec {
        name: "list_pairs",
        description: "List approved pairs and their status",
        access: Access::ReadOnly,
        options: &[],
    },
    CommandSpec {
        name: "positions",
        description: "Open positions and the PnL summary",
        access: Access::ReadOnly,
        options: &[],
    },
    CommandSpec {
        name: "pause_pair",
        description: "Stop trading a pair",
        access: Access::Mutating,
        options: &[PAIR_ID],
    },
    CommandSpec {
        name: "resume_pair",
        description: "Resume trading a paused pair",
        access: Access::Mutating,
        options: &[PAIR_ID],
    },
    CommandSpec {
        name: "halt",
        description: "Kill switch: start no new trades",
        access: Access::Mutating,
        options: &[OptionSpec {
            name: "reason",
            description: "Why (recorded)",
            kind: OptionKind::Text,
            required: false,
            choices: &[],
            range: Range::Any,
        }],
    },
    CommandSpec {
        name: "resume",
        description: "Lift the kill switch",
        access: Access::Mutating,
        options: &[],
    },
    CommandSpec {
        name: "status",
        description: "Venues, pairs, the last opportunity and today's PnL",
        access: Access::ReadOnly,
        options: &[],
    },
    CommandSpec {
        name: "help",
        description: "What the bot can do",
        access: Access::ReadOnly,
        options: &[],
    },
];

/// The value of one slash-command option, as Discord sent it.
#[derive(Clone, PartialEq, Debug)]
pub enum ArgValue {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A whole number.
    Integer(i64),
}

/// A slash command as invoked: its name and options.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Invocation {
    /// The command's name.
    pub name: String,
    /// Its options by name.
    pub options: Vec<(String, ArgValue)>,
}

impl Invocation {
    /// An invocation with no options.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            options: Vec::new(),
        }
    }

    /// Adds an option.
    #[must_use]
    pub fn arg(mut self, name: impl Into<String>, value: ArgValue) -> Self {
        self.options.push((name.into(), value));
        self
    }

    fn get(&self, name: &str) -> Option<&ArgValue> {
        self.options.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// A parsed, valid command.
#[derive(Clone, PartialEq, Debug)]
pub enum Command {
    /// `/find_matches [similarity]`.
    FindMatches {
        /// Minimum score, 0–100 (the engine's default if `None`).
        min_score: Option<f64>,
    },
    /// `/approve_pair <kalshi_id> <poly_id> [polarity]`.
    ApprovePair {
        /// The Kalshi market.
        kalshi: MarketKey,
        /// The Polymarket market.
        polymarket: MarketKey,
        /// How they relate.
        polarity: Polarity,
    },
    /// `/list_pairs`.
    ListPairs,
    /// `/positions`.
    Positions,
    /// `/pause_pair <pair_id>`.
    PausePair(PairId),
    /// `/resume_pair <pair_id>`.
    ResumePair(PairId),
    /// `/halt [reason]`.
    Halt {
        /// Why.
        reason: Option<String>,
    },
    /// `/resume`.
    Resume,
    /// `/status`.
    Status,
    /// `/help`.
    Help,
}

impl Command {
    /// Whether the command changes anything.
    #[must_use]
    pub const fn access(&self) -> Access {
        match self {
            Self::ListPairs | Self::Positions | Self::Status | Self::Help => Access::ReadOnly,
            Self::FindMatches { .. }
            | Self::ApprovePair { .. }
            | Self::PausePair(_)
            | Self::ResumePair(_)
            | Self::Halt { .. }
            | Self::Resume => Access::Mutating,
        }
    }

    /// Parses an invocation, explaining what is wrong with bad input.
    pub fn parse(input: &Invocation) -> Result<Self, String> {
        Ok(match input.name.as_str() {
            "find_matches" => Self::FindMatches {
                min_score: optional_number(input, "similarity")?
                    .map(similarity)
                    .transpose()?,
            },
            "approve_pair" => Self::ApprovePair {
                kalshi: kalshi_market(&required_text(input, "kalshi_id")?)?,
                polymarket: polymarket_market(&required_text(input, "poly_id")?)?,
                polarity: optional_text(input, "polarity")?
                    .map_or(Ok(Polarity::Same), |p| p.parse())?,
            },
            "list_pairs" => Self::ListPairs,
            "positions" => Self::Positions,
            "pause_pair" => Self::PausePair(pair_id(input)?),
            "resume_pair" => Self::ResumePair(pair_id(input)?),
            "halt" => Self::Halt {
                reason: optional_text(input, "reason")?
                    .map(|r| r.trim().to_owned())
                    .filter(|r| !r.is_empty()),
            },
            "resume" => Self::Resume,
            "status" => Self::Status,
            "help" => Self::Help,
            other => return Err(format!("`/{other}` is not a command I know.")),
        })
    }
}

fn optional_text(input: &Invocation, name: &str) -> Result<Option<String>, String> {
    match input.get(name) {
        None => Ok(None),
        Some(ArgValue::Text(t)) => Ok(Some(t.clone())),
        Some(other) => Err(format!("`{name}` must be text, got {other:?}.")),
    }
}

fn required_text(input: &Invocation, name: &str) -> Result<String, String> {
    optional_text(input, name)?.ok_or_else(|| format!("`{name}` is required."))
}

fn optional_number(input: &Invocation, name: &str) -> Result<Option<f64>, String> {
    match input.get(name) {
        None => Ok(None),
        Some(ArgValue::Number(n)) => Ok(Some(*n)),
        #[allow(clippy::cast_precision_loss)]
        Some(ArgValue::Integer(n)) => Ok(Some(*n as f64)),
        Some(ArgValue::Text(t)) => t
            .trim()
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("`{name}` must be a number, got `{t}`.")),
    }
}

fn similarity(score: f64) -> Result<f64, String> {
    if score.is_finite() && (0.0..=100.0).contains(&score) {
        Ok(score)
    } else {
        Err(format!(
            "`similarity` must be between 0 and 100, got {score}."
        ))
    }
}

fn pair_id(input: &Invocation) -> Result<PairId, String> {
    let id = match input.get("pair_id") {
        None => return Err("`pair_id` is required (see `/list_pairs`).".to_owned()),
        Some(ArgValue::Integer(n)) => *n,
        Some(ArgValue::Text(t)) => t.trim().trim_start_matches('#').parse().map_err(|_| {
            format!("`{t}` is not a pair id: use the number shown by `/list_pairs`, like `42`.")
        })?,
        Some(ArgValue::Number(n)) => {
            return Err(format!(
                "`{n}` is not a pair id: use the whole number shown by `/list_pairs`."
            ));
        }
    };
    if id < 1 {
        return Err(format!("`{id}` is not a pair id: pair ids start at 1."));
    }
    Ok(PairId(id))
}

/// A Kalshi ticker: letters, digits, `-`, `.` and `_`, up to 100 characters; upper-cased.
fn kalshi_market(raw: &str) -> Result<MarketKey, String> {
    let ticker = raw.trim();
    let valid = !ticker.is_empty()
        && ticker.len() <= 100
        && ticker
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
    if !valid {
        return Err(format!(
            "`{raw}` is not a Kalshi ticker (letters, digits and `-`, like `KXFEDDECISION-25DEC-H0`)."
        ));
    }
    Ok(MarketKey::new(KALSHI, ticker.to_ascii_uppercase()))
}

/// A Polymarket condition id: `0x` and 64 hex digits; lower-cased.
fn polymarket_market(raw: &str) -> Result<MarketKey, String> {
    let id = raw.trim();
    let valid = id.len() == 66
        && (id.starts_with("0x") || id.starts_with("0X"))
        && id[2..].chars().all(|c| c.is_ascii_hexdigit());
    if !valid {
        return Err(format!(
            "`{raw}` is not a Polymarket condition id (`0x` followed by 64 hex digits)."
        ));
    }
    Ok(MarketKey::new(
        POLYMARKET,
        MarketId::new(id.to_ascii_lowercase()),
    ))
}

/// The reply to bad input: private, with the usage of the command when known.
fn bad_input(command: &str, problem: &str) -> Reply {
    let usage = COMMANDS
        .iter()
        .find(|c| c.name == command)
        .map(|c| format!("\nUsage: `{}`", usage(c)))
        .unwrap_or_default();
    Reply::new(
        "I could not read that",
        format!("{problem}{usage}"),
        Tone::Warning,
    )
    .private()
}

fn usage(spec: &CommandSpec) -> String {
    let mut text = format!("/{}", spec.name);
    for o in spec.options {
        if o.required {
            text.push_str(&format!(" <{}>", o.name));
        } else {
            text.push_str(&format!(" [{}]", o.name));
        }
    }
    text
}

/// The polite refusal given to someone not allowed to do something.
#[must_use]
pub fn refusal(actor: &Actor, what: &str) -> Reply {
    Reply::new(
        "Sorry, you are not allowed to do that",
        format!(
            "{} only configured traders may {what}. The attempt was logged; ask a trader if you need it done.",
            actor.mention()
        ),
        Tone::Warning,
    )
    .private()
}

/// The answer to a command: one reply, plus suggestions to post as their own messages.
#[derive(Clone, PartialEq, Debug)]
pub struct Outcome {
    /// The reply.
    pub reply: Reply,
    /// Suggestions to post each as its own message with ✅ / ❌ reactions.
    pub suggestions: Vec<MatchSuggestion>,
}

impl From<Reply> for Outcome {
    fn from(reply: Reply) -> Self {
        Self {
            reply,
            suggestions: Vec::new(),
        }
    }
}

/// Parses and authorises an invocation. `Err` is the reply to give instead (bad input, refusal).
pub fn prepare(policy: &Policy, actor: &Actor, input: &Invocation) -> Result<Command, Box<Reply>> {
    let command =
        Command::parse(input).map_err(|problem| Box::new(bad_input(&input.name, &problem)))?;
    let what = format!("use `/{}`", input.name);
    if policy.check(actor, command.access(), &what) {
        Ok(command)
    } else {
        Err(Box::new(refusal(actor, &what)))
    }
}

/// Runs an authorised command against the engine.
pub async fn execute<E: EngineApi + ?Sized>(
    engine: &E,
    actor: &Actor,
    command: Command,
) -> Outcome {
    let who = actor.audit_name();
    let result = match command {
        Command::FindMatches { min_score } => {
            return match engine.find_matches(min_score).await {
                Ok(mut suggestions) => {
                    let reply = format::suggestions_summary(&suggestions, min_score);
                    suggestions.truncate(MAX_SUGGESTIONS_POSTED);
                    Outcome { reply, suggestions }
                }
                Err(e) => format::engine_error(&e).into(),
            };
        }
        Command::ApprovePair {
            kalshi,
            polymarket,
            polarity,
        } => engine
            .approve_pair(&kalshi, &polymarket, polarity, &who)
            .await
            .map(|p| format::pair_changed("approved", &p, &actor.mention())),
        Command::ListPairs => engine.list_pairs(None).await.map(|p| format::pairs(&p)),
        Command::Positions => engine.positions().await.map(|r| format::positions(&r)),
        Command::PausePair(id) => engine
            .pause_pair(id, &who, "paused from Discord")
            .await
            .map(|p| format::pair_changed("paused", &p, &actor.mention())),
        Command::ResumePair(id) => engine
            .resume_pair(id, &who)
            .await
            .map(|p| format::pair_changed("resumed", &p, &actor.mention())),
        Command::Halt { reason } => {
            let reason = reason.unwrap_or_else(|| "halted from Discord".to_owned());
            engine.halt(&who, &reason).await.map(|()| {
                Reply::new(
                    "Trading halted",
                    format!(
                        "Kill switch on: no new trades start; trades in flight finish hedging.\nReason: {reason}\nBy {}. Lift it with `/resume`.",
                        actor.mention()
                    ),
                    Tone::Danger,
                )
            })
        }
        Command::Resume => engine.resume(&who).await.map(|()| {
            Reply::new(
                "Trading resumed",
                format!("Kill switch lifted by {}.", actor.mention()),
                Tone::Success,
            )
        }),
        Command::Status => engine.status().await.map(|s| format::status(&s)),
        Command::Help => Ok(help()),
    };
    result.unwrap_or_else(|e| format::engine_error(&e)).into()
}

/// Parses, authorises and runs a command.
pub async fn handle<E: EngineApi + ?Sized>(
    engine: &E,
    policy: &Policy,
    actor: &Actor,
    input: &Invocation,
) -> Outcome {
    match prepare(policy, actor, input) {
        Ok(command) => execute(engine, actor, command).await,
        Err(reply) => (*reply).into(),
    }
}

/// `/help`.
#[must_use]
pub fn help() -> Reply {
    let lines: Vec<String> = COMMANDS
        .iter()
        .map(|c| {
            let lock = if c.access == Access::Mutating {
                " 🔒"
            } else {
                ""
            };
            format!("`{}`{lock} {}", usage(c), c.description)
        })
        .collect();
    Reply::new(
        "Commands",
        format!(
            "{}\n\n🔒 configured traders only. On a suggestion, react {APPROVE} to approve it with its suggested polarity or {DISMISS} to dismiss it.",
            lines.join("\n")
        ),
        Tone::Info,
    )
}

/// What a reaction on a suggestion asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// ✅: approve with the suggested polarity.
    Approve,
    /// ❌: dismiss.
    Dismiss,
}

impl Verdict {
    /// The verdict an emoji stands for (`None` for any other emoji).
    #[must_use]
    pub fn from_emoji(emoji: &str) -> Option<Self> {
        match emoji {
            APPROVE | "✔️" | "☑️" => Some(Self::Approve),
            DISMISS | "✖️" => Some(Self::Dismiss),
            _ => None,
        }
    }
}

/// Handles a ✅ / ❌ reaction on suggestion `id`: authorises it, approves or dismisses, and
/// says what happened (the engine records who and when).
pub async fn react<E: EngineApi + ?Sized>(
    engine: &E,
    policy: &Policy,
    actor: &Actor,
    id: SuggestionId,
    verdict: Verdict,
) -> Reply {
    let what = match verdict {
        Verdict::Approve => "approve suggestions",
        Verdict::Dismiss => "dismiss suggestions",
    };
    if !policy.check(actor, Access::Mutating, what) {
        return refusal(actor, what);
    }
    let who = actor.audit_name();
    let result = match verdict {
        Verdict::Approve => engine
            .approve_suggestion(id, &who)
            .await
            .map(|p| approved_suggestion(id, &p, actor)),
        Verdict::Dismiss => engine.dismiss_suggestion(id, &who).await.map(|()| {
            Reply::new(
                format!("Suggestion #{id} dismissed"),
                format!("Dismissed by {}.", actor.mention()),
                Tone::Info,
            )
        }),
    };
    result.unwrap_or_else(|e| format::engine_error(&e))
}

fn approved_suggestion(id: SuggestionId, pair: &VerifiedPair, actor: &Actor) -> Reply {
    let mut reply = format::pair_changed("approved", pair, &actor.mention());
    reply.description = format!("From suggestion #{id}.\n{}", reply.description);
    reply
}
