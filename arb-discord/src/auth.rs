//! Who may do what: changes only from configured users or roles; reads optionally from anyone in
//! the bot's channel.

use std::collections::BTreeSet;

/// The Discord user behind a command or reaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Their Discord user id.
    pub user_id: u64,
    /// Their role ids in the guild (empty in direct messages).
    pub roles: Vec<u64>,
    /// Whether they acted in the bot's configured channel.
    pub in_home_channel: bool,
}

impl Actor {
    /// How the actor is recorded in the audit trail: `discord:<user id>`.
    #[must_use]
    pub fn audit_name(&self) -> String {
        format!("discord:{}", self.user_id)
    }

    /// A Discord mention of the actor (`<@id>`).
    #[must_use]
    pub fn mention(&self) -> String {
        format!("<@{}>", self.user_id)
    }
}

/// What a command or reaction does.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Access {
    /// Only reads.
    ReadOnly,
    /// Changes pairs, suggestions or the kill switch.
    Mutating,
}

/// The authorisation policy (`DISCORD_ALLOWED_USER_IDS`, `DISCORD_ALLOWED_ROLE_IDS`,
/// `DISCORD_READONLY_OPEN`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    allowed_users: BTreeSet<u64>,
    allowed_roles: BTreeSet<u64>,
    readonly_open: bool,
}

impl Policy {
    /// A policy allowing `users` and holders of `roles` to do anything; with `readonly_open`,
    /// anyone in the bot's channel may run read-only commands.
    #[must_use]
    pub fn new(
        users: impl IntoIterator<Item = u64>,
        roles: impl IntoIterator<Item = u64>,
        readonly_open: bool,
    ) -> Self {
        Self {
            allowed_users: users.into_iter().collect(),
            allowed_roles: roles.into_iter().collect(),
            readonly_open,
        }
    }

    /// The allowed user ids (mentioned on urgent alerts).
    pub fn users(&self) -> impl Iterator<Item = u64> + '_ {
        self.allowed_users.iter().copied()
    }

    /// The allowed role ids (mentioned on urgent alerts).
    pub fn roles(&self) -> impl Iterator<Item = u64> + '_ {
        self.allowed_roles.iter().copied()
    }

    /// Whether `actor` is a configured trader (by user id or by role).
    #[must_use]
    pub fn is_trusted(&self, actor: &Actor) -> bool {
        self.allowed_users.contains(&actor.user_id)
            || actor.roles.iter().any(|r| self.allowed_roles.contains(r))
    }

    /// Whether `actor` may do something needing `access`.
    #[must_use]
    pub fn permits(&self, actor: &Actor, access: Access) -> bool {
        self.is_trusted(actor)
            || (access == Access::ReadOnly && self.readonly_open && actor.in_home_channel)
    }

    /// [`Self::permits`], logging a refusal with who tried what.
    #[must_use]
    pub fn check(&self, actor: &Actor, access: Access, what: &str) -> bool {
        let permitted = self.permits(actor, access);
        if !permitted {
            tracing::warn!(
                actor = %actor.audit_name(),
                roles = ?actor.roles,
                action = what,
                "refused a Discord request from an unauthorised user"
            );
        }
        permitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(user_id: u64, roles: &[u64], home: bool) -> Actor {
        Actor {
            user_id,
            roles: roles.to_vec(),
            in_home_channel: home,
        }
    }

    #[test]
    fn allowed_users_and_roles_may_mutate_others_may_not() {
        let policy = Policy::new([1], [50], false);
        assert!(policy.permits(&actor(1, &[], false), Access::Mutating));
        assert!(policy.permits(&actor(2, &[7, 50], true), Access::Mutating));
        assert!(!policy.permits(&actor(2, &[7], true), Access::Mutating));
        assert!(!policy.permits(&actor(2, &[7], true), Access::ReadOnly));
    }

    #[test]
    fn readonly_open_lets_the_channel_read_but_not_write() {
        let policy = Policy::new([1], [], true);
        assert!(policy.permits(&actor(2, &[], true), Access::ReadOnly));
        assert!(!policy.permits(&actor(2, &[], false), Access::ReadOnly));
        assert!(!policy.permits(&actor(2, &[], true), Access::Mutating));
    }

    #[test]
    fn an_empty_policy_trusts_nobody() {
        let policy = Policy::default();
        assert!(!policy.permits(&actor(1, &[1], true), Access::ReadOnly));
        assert!(!policy.check(&actor(1, &[1], true), Access::Mutating, "halt"));
    }

    #[test]
    fn actors_are_audited_as_discord_user_ids() {
        let a = actor(123_456_789_012_345_678, &[], true);
        assert_eq!(a.audit_name(), "discord:123456789012345678");
        assert_eq!(a.mention(), "<@123456789012345678>");
    }
}
