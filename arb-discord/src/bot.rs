//! The serenity glue: slash commands and reactions in, replies out. Decisions are made by
//! [`crate::command`]; this module only translates between Discord and it.

use std::sync::{Arc, OnceLock};

use serenity::all::{
    ChannelId, ClientBuilder, CommandDataOptionValue, CommandInteraction, Context,
    CreateInteractionResponse, CreateInteractionResponseMessage, EventHandler, GatewayIntents,
    Http, Interaction, Message, Reaction, Ready, RoleId, UserId,
};
use tokio::sync::watch;

use crate::api::EngineApi;
use crate::auth::{Actor, Policy};
use arb_core::model::SuggestionId;

use crate::command::{self, ArgValue, Invocation, Verdict};
use crate::delivery::DiscordHttp;
use crate::format;
use crate::notifier::DiscordNotifier;
use crate::render;

/// The intents the bot needs: guild events (for command registration) and reactions. Neither
/// is privileged.
#[must_use]
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGE_REACTIONS
}

/// The bot: the engine it drives, who may drive it, and where it talks.
pub struct Bot<E: ?Sized> {
    engine: Arc<E>,
    policy: Arc<Policy>,
    channel: ChannelId,
    notifier: Arc<DiscordNotifier>,
}

impl<E: ?Sized> std::fmt::Debug for Bot<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bot")
            .field("channel", &self.channel)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<E: EngineApi + ?Sized + 'static> Bot<E> {
    /// A bot for `engine`, answering in `channel` and posting through `notifier`.
    pub fn new(
        engine: Arc<E>,
        policy: Arc<Policy>,
        channel: ChannelId,
        notifier: Arc<DiscordNotifier>,
    ) -> Self {
        Self {
            engine,
            policy,
            channel,
            notifier,
        }
    }

    /// Answers a slash command: bad input and refusals at once and privately; otherwise defers,
    /// runs the command and fills in the answer (suggestions follow as their own messages).
    pub async fn handle_command(
        &self,
        http: &Http,
        interaction: &CommandInteraction,
    ) -> Result<(), serenity::Error> {
        let actor = command_actor(interaction, self.channel);
        let input = invocation(interaction);
        let command = match command::prepare(&self.policy, &actor, &input) {
            Ok(command) => command,
            Err(reply) => {
                let response =
                    CreateInteractionResponse::Message(render::interaction_message(&reply));
                return interaction.create_response(http, response).await;
            }
        };
        tracing::info!(actor = %actor.audit_name(), command = %input.name, "Discord command");
        interaction
            .create_response(
                http,
                CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new()),
            )
            .await?;
        let outcome = command::execute(self.engine.as_ref(), &actor, command).await;
        interaction
            .edit_response(http, render::interaction_edit(&outcome.reply))
            .await?;
        if let Err(e) = self.notifier.post_suggestions(&outcome.suggestions) {
            tracing::warn!(error = %e, "could not queue match suggestions");
        }
        Ok(())
    }

    /// Handles a reaction: ✅ / ❌ by someone other than the bot on one of the bot's suggestion
    /// messages in its channel approves or dismisses the suggestion (or is politely refused).
    pub async fn handle_reaction(
        &self,
        http: &Http,
        reaction: &Reaction,
        me: UserId,
    ) -> Result<(), serenity::Error> {
        let Some((actor, verdict)) = reaction_request(reaction, me, self.channel) else {
            return Ok(());
        };
        let message = http
            .get_message(reaction.channel_id, reaction.message_id)
            .await?;
        let Some(id) = suggestion_on(&message, me) else {
            return Ok(());
        };
        let reply = command::react(self.engine.as_ref(), &self.policy, &actor, id, verdict).await;
        if let Err(e) = self.notifier.post(&reply) {
            tracing::warn!(error = %e, "could not queue the answer to a reaction");
        }
        Ok(())
    }
}

/// Who sent a slash command: their id and roles, and whether they wrote in the bot's channel.
#[must_use]
pub fn command_actor(interaction: &CommandInteraction, home: ChannelId) -> Actor {
    Actor {
        user_id: interaction.user.id.get(),
        roles: role_ids(interaction.member.as_ref().map(|m| m.roles.as_slice())),
        in_home_channel: interaction.channel_id == home,
    }
}

/// What a reaction asks for, before the message it is on is read: `None` unless it is a ✅ / ❌
/// by someone other than the bot (`me`), in the bot's channel (`home`), on a message that is not
/// known to be someone else's.
#[must_use]
pub fn reaction_request(
    reaction: &Reaction,
    me: UserId,
    home: ChannelId,
) -> Option<(Actor, Verdict)> {
    let user = reaction.user_id?;
    if user == me || reaction.channel_id != home {
        return None;
    }
    if reaction
        .message_author_id
        .is_some_and(|author| author != me)
    {
        return None;
    }
    let verdict = emoji(reaction).and_then(Verdict::from_emoji)?;
    let actor = Actor {
        user_id: user.get(),
        roles: role_ids(reaction.member.as_ref().map(|m| m.roles.as_slice())),
        in_home_channel: true,
    };
    Some((actor, verdict))
}

fn role_ids(roles: Option<&[RoleId]>) -> Vec<u64> {
    roles.unwrap_or_default().iter().map(|r| r.get()).collect()
}

/// The suggestion a message of the bot (`me`) posted stands for (its id is in the footer).
#[must_use]
pub fn suggestion_on(message: &Message, me: UserId) -> Option<SuggestionId> {
    if message.author.id != me {
        return None;
    }
    message
        .embeds
        .first()
        .and_then(|e| e.footer.as_ref())
        .and_then(|f| format::suggestion_id_from_footer(&f.text))
}

fn emoji(reaction: &Reaction) -> Option<&str> {
    match &reaction.emoji {
        serenity::all::ReactionType::Unicode(e) => Some(e.as_str()),
        _ => None,
    }
}

/// The pure-layer view of a slash command: its name and the options the command layer reads
/// (text, numbers, whole numbers; a boolean as its text; sub-commands and attachments dropped).
#[must_use]
pub fn invocation(interaction: &CommandInteraction) -> Invocation {
    let options = interaction
        .data
        .options
        .iter()
        .filter_map(|o| {
            let value = match &o.value {
                CommandDataOptionValue::String(s) => ArgValue::Text(s.clone()),
                CommandDataOptionValue::Number(n) => ArgValue::Number(*n),
                CommandDataOptionValue::Integer(i) => ArgValue::Integer(*i),
                CommandDataOptionValue::Boolean(b) => ArgValue::Text(b.to_string()),
                _ => return None,
            };
            Some((o.name.clone(), value))
        })
        .collect();
    Invocation {
        name: interaction.data.name.clone(),
        options,
    }
}

/// serenity's event handler around a [`Bot`].
struct Handler<E: ?Sized> {
    bot: Arc<Bot<E>>,
    me: OnceLock<UserId>,
}

#[serenity::async_trait]
impl<E: EngineApi + ?Sized + 'static> EventHandler for Handler<E> {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id);
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), "Discord bot connected");
        for guild in &ready.guilds {
            if let Err(e) = guild.id.set_commands(&ctx.http, render::commands()).await {
                tracing::error!(guild = %guild.id, error = %e, "could not register slash commands");
            }
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        if let Interaction::Command(command) = interaction
            && let Err(e) = self.bot.handle_command(&ctx.http, &command).await
        {
            tracing::warn!(command = %command.data.name, error = %e, "could not answer a slash command");
        }
    }

    async fn reaction_add(&self, ctx: Context, reaction: Reaction) {
        let Some(me) = self.me.get().copied() else {
            return;
        };
        if let Err(e) = self.bot.handle_reaction(&ctx.http, &reaction, me).await {
            tracing::warn!(error = %e, "could not handle a reaction");
        }
    }
}

/// Connects to the gateway and serves commands and reactions until `shutdown` turns true.
pub async fn run<E: EngineApi + ?Sized + 'static>(
    discord: &DiscordHttp,
    bot: Arc<Bot<E>>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), serenity::Error> {
    let handler = Handler {
        bot,
        me: OnceLock::new(),
    };
    let mut client = ClientBuilder::new_with_http(discord.gateway_http(), intents())
        .event_handler(handler)
        .await?;
    let shards = Arc::clone(&client.shard_manager);
    // The watch guard `wait_for` returns must not live across the shutdown await (not `Send`).
    let stopped = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    tokio::select! {
        result = client.start() => result,
        () = stopped => {
            shards.shutdown_all().await;
            Ok(())
        }
    }
}
