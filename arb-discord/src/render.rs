//! [`Reply`]s as serenity builders, within Discord's embed limits, and the command definitions
//! registered with Discord.

use serenity::all::{
    CommandOptionType, CreateAllowedMentions, CreateCommand, CreateCommandOption, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse,
    RoleId, UserId,
};

use crate::auth::Policy;
use crate::command::{COMMANDS, CommandSpec, OptionKind, Range};
use crate::reply::Reply;

const TITLE_LIMIT: usize = 256;
const DESCRIPTION_LIMIT: usize = 4096;
const FIELD_NAME_LIMIT: usize = 256;
const FIELD_VALUE_LIMIT: usize = 1024;
const FIELD_COUNT_LIMIT: usize = 25;
const FOOTER_LIMIT: usize = 2048;

/// `text` cut to at most `limit` characters, ending in `…` when cut; never empty (Discord
/// rejects empty field values).
fn fit(text: &str, limit: usize) -> String {
    if text.is_empty() {
        return "—".to_owned();
    }
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(limit.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The embed of a reply.
pub fn embed(reply: &Reply) -> CreateEmbed {
    let mut embed = CreateEmbed::new()
        .title(fit(&reply.title, TITLE_LIMIT))
        .colour(reply.tone.rgb());
    if !reply.description.is_empty() {
        embed = embed.description(fit(&reply.description, DESCRIPTION_LIMIT));
    }
    embed = embed.fields(reply.fields.iter().take(FIELD_COUNT_LIMIT).map(|f| {
        (
            fit(&f.name, FIELD_NAME_LIMIT),
            fit(&f.value, FIELD_VALUE_LIMIT),
            f.inline,
        )
    }));
    if let Some(footer) = &reply.footer {
        embed = embed.footer(CreateEmbedFooter::new(fit(footer, FOOTER_LIMIT)));
    }
    embed
}

/// Who a reply pings: the configured traders when it asks to, nobody otherwise.
fn mentions(reply: &Reply, policy: &Policy) -> (Option<String>, CreateAllowedMentions) {
    if !reply.mention_traders {
        return (None, CreateAllowedMentions::new());
    }
    let users: Vec<u64> = policy.users().collect();
    let roles: Vec<u64> = policy.roles().collect();
    let text: Vec<String> = users
        .iter()
        .map(|u| format!("<@{u}>"))
        .chain(roles.iter().map(|r| format!("<@&{r}>")))
        .collect();
    let allowed = CreateAllowedMentions::new()
        .users(users.into_iter().map(UserId::new))
        .roles(roles.into_iter().map(RoleId::new));
    ((!text.is_empty()).then(|| text.join(" ")), allowed)
}

/// A channel message carrying a reply.
pub fn message(reply: &Reply, policy: &Policy) -> CreateMessage {
    let (content, allowed) = mentions(reply, policy);
    let mut message = CreateMessage::new()
        .embed(embed(reply))
        .allowed_mentions(allowed);
    if let Some(content) = content {
        message = message.content(content);
    }
    message
}

/// An immediate interaction response carrying a reply (private replies are ephemeral).
pub fn interaction_message(reply: &Reply) -> CreateInteractionResponseMessage {
    CreateInteractionResponseMessage::new()
        .embed(embed(reply))
        .allowed_mentions(CreateAllowedMentions::new())
        .ephemeral(reply.private)
}

/// The edit that fills in a deferred interaction response.
pub fn interaction_edit(reply: &Reply) -> EditInteractionResponse {
    EditInteractionResponse::new()
        .embed(embed(reply))
        .allowed_mentions(CreateAllowedMentions::new())
}

fn option(spec: &crate::command::OptionSpec) -> CreateCommandOption {
    let kind = match spec.kind {
        OptionKind::Text => CommandOptionType::String,
        OptionKind::Number => CommandOptionType::Number,
        OptionKind::Integer => CommandOptionType::Integer,
    };
    let mut option =
        CreateCommandOption::new(kind, spec.name, spec.description).required(spec.required);
    for choice in spec.choices {
        option = option.add_string_choice(*choice, *choice);
    }
    match spec.range {
        Range::Any => option,
        Range::Number(min, max) => option.min_number_value(min).max_number_value(max),
        Range::Integer(min, max) => option.min_int_value(min).max_int_value(max),
    }
}

fn command(spec: &CommandSpec) -> CreateCommand {
    spec.options.iter().fold(
        CreateCommand::new(spec.name).description(spec.description),
        |c, o| c.add_option(option(o)),
    )
}

/// Every slash command, ready to register.
#[must_use]
pub fn commands() -> Vec<CreateCommand> {
    COMMANDS.iter().map(command).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::reply::Tone;

    #[test]
    fn long_text_is_cut_to_discord_limits() {
        let reply = Reply::new("t".repeat(300), "d".repeat(5000), Tone::Info).field(
            "",
            "v".repeat(2000),
            false,
        );
        let value = serde_json::to_value(embed(&reply)).unwrap_or_default();
        assert_eq!(
            value["title"].as_str().map(|s| s.chars().count()),
            Some(256)
        );
        assert_eq!(
            value["description"].as_str().map(|s| s.chars().count()),
            Some(4096)
        );
        assert_eq!(value["fields"][0]["name"], json!("—"));
        assert_eq!(
            value["fields"][0]["value"]
                .as_str()
                .map(|s| s.chars().count()),
            Some(1024)
        );
    }

    #[test]
    fn urgent_replies_ping_the_traders_and_nobody_else() {
        let policy = Policy::new([11, 12], [99], false);
        let urgent = Reply::new("x", "y", Tone::Danger).mention_traders();
        let value = serde_json::to_value(message(&urgent, &policy)).unwrap_or_default();
        assert_eq!(value["content"], json!("<@11> <@12> <@&99>"));
        assert_eq!(value["allowed_mentions"]["users"], json!(["11", "12"]));
        assert_eq!(value["allowed_mentions"]["roles"], json!(["99"]));

        let calm = Reply::new("x", "y", Tone::Info);
        let value = serde_json::to_value(message(&calm, &policy)).unwrap_or_default();
        assert!(value.get("content").is_none());
        assert_eq!(value["allowed_mentions"]["parse"], json!([]));
    }

    #[test]
    fn every_command_is_registered_with_its_options() {
        let value = serde_json::to_value(commands()).unwrap_or_default();
        let names: Vec<&str> = value
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            names,
            [
                "find_matches",
                "approve_pair",
                "list_pairs",
                "positions",
                "pause_pair",
                "resume_pair",
                "halt",
                "resume",
                "status",
                "help"
            ]
        );
        assert_eq!(value[0]["options"][0]["name"], json!("similarity"));
        assert_eq!(value[0]["options"][0]["type"], json!(10));
        assert_eq!(value[0]["options"][0]["max_value"], json!(100.0));
        assert_eq!(
            value[1]["options"][2]["choices"][1]["value"],
            json!("inverse")
        );
        assert_eq!(value[4]["options"][0]["type"], json!(4));
        assert_eq!(value[4]["options"][0]["required"], json!(true));
    }
}
