//! The guide's rules for who may change permissions, as pure functions over the acting user (a
//! snapshot read inside the change's transaction) and the target, checked with [`HasPerms`] as
//! users are told to check permissions.

use super::error::Rule;
use crate::{Group, HasPerms, Permission, User};

/// The system, or a user as the database holds it now.
#[derive(Debug)]
pub(crate) enum Acting {
    System,
    User(Box<User>),
}

/// A user being changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub(crate) id: i64,
    pub(crate) superuser: bool,
}

impl Acting {
    /// Anything at all: the system, or an active superuser.
    fn unrestricted(&self) -> Result<Option<&User>, Rule> {
        match self {
            Acting::System => Ok(None),
            Acting::User(user) if !user.is_active() => Err(Rule::ActorInactive),
            Acting::User(user) if user.is_superuser() => Ok(None),
            Acting::User(user) => Ok(Some(user)),
        }
    }

    /// The actor holds `perm` (Django's `has_perm`, with the superuser rule).
    pub(crate) fn require(&self, perm: Permission) -> Result<(), Rule> {
        match self.unrestricted()? {
            Some(user) if !user.has_perm(perm) => Err(Rule::NeedsPermission { perm: perm.as_str() }),
            _ => Ok(()),
        }
    }

    /// Only the system or a superuser.
    pub(crate) fn require_superuser(&self) -> Result<(), Rule> {
        match self.unrestricted()? {
            Some(_) => Err(Rule::SuperuserOnly),
            None => Ok(()),
        }
    }

    /// Changing another user's groups, permissions or flags: `auth.change_user`, never oneself,
    /// never a superuser.
    pub(crate) fn may_change_user(&self, target: Target) -> Result<(), Rule> {
        let Some(user) = self.unrestricted()? else {
            return Ok(());
        };
        if user.id() == Some(target.id) {
            return Err(Rule::OwnRights);
        }
        if target.superuser {
            return Err(Rule::SuperuserOnly);
        }
        if !user.has_perm(User::CHANGE_USER) {
            return Err(Rule::NeedsPermission { perm: User::CHANGE_USER.as_str() });
        }
        Ok(())
    }

    /// Managing a user's credentials (its password, its API tokens): its own, or another's under
    /// the rules of [`may_change_user`](Self::may_change_user).
    pub(crate) fn may_manage_credentials(&self, target: Target) -> Result<(), Rule> {
        match self {
            Acting::User(user) if user.id() == Some(target.id) => Ok(()),
            _ => self.may_change_user(target),
        }
    }

    /// Reaching another account at all (before it is looked up): its own, or `auth.change_user`.
    pub(crate) fn may_reach_account(&self, username: &str) -> Result<(), Rule> {
        match self.unrestricted()? {
            Some(user) if user.username() != username && !user.has_perm(User::CHANGE_USER) => {
                Err(Rule::NeedsPermission { perm: User::CHANGE_USER.as_str() })
            }
            _ => Ok(()),
        }
    }

    /// Taking control of another account (setting its password or email, minting or listing its
    /// tokens): the rules of changing it, and it holds nothing the actor lacks, since whoever
    /// controls an account holds its permissions. One's own account is always one's own.
    pub(crate) fn may_take_control(&self, target: &User) -> Result<(), Rule> {
        if let Acting::User(user) = self
            && user.id() == target.id()
        {
            return Ok(());
        }
        self.may_change_user(Target { id: target.id().unwrap_or_default(), superuser: target.is_superuser() })?;
        let Some(user) = self.unrestricted()? else {
            return Ok(());
        };
        match target.permission_set().iter().find(|perm| !user.has_perm(*perm)) {
            Some(perm) => Err(Rule::TargetHoldsMore { perm: perm.as_str().to_owned() }),
            None => Ok(()),
        }
    }

    /// Deleting a group: `auth.delete_group`, and what revoking each of its permissions and
    /// taking each member out would need. `off_limits` is a member the actor may not change (a
    /// superuser, or the actor itself), if any.
    pub(crate) fn may_delete_group(
        &self,
        perms: &[Permission],
        has_members: bool,
        off_limits: Option<Target>,
    ) -> Result<(), Rule> {
        self.require(Group::DELETE_GROUP)?;
        if !perms.is_empty() {
            self.may_change_group_perms(perms)?;
        }
        if has_members {
            // Any member stands for them all: the rules differ only for the off-limits ones.
            self.may_change_membership(off_limits.unwrap_or(Target { id: 0, superuser: false }), perms)?;
        }
        Ok(())
    }

    /// Handing over `perm` (to a user, a group, or through a membership): only what the actor
    /// holds, and `auth.change_user` only from a superuser.
    pub(crate) fn may_hand_over(&self, perm: Permission) -> Result<(), Rule> {
        let Some(user) = self.unrestricted()? else {
            return Ok(());
        };
        if perm == User::CHANGE_USER {
            return Err(Rule::ChangeUserIsSuperuserOnly);
        }
        if !user.has_perm(perm) {
            return Err(Rule::GrantsOnlyHeld { perm: perm.as_str().to_owned() });
        }
        Ok(())
    }

    /// Changing a group's permissions: `auth.change_group`, and only permissions the actor holds.
    pub(crate) fn may_change_group_perms(&self, perms: &[Permission]) -> Result<(), Rule> {
        self.require(Group::CHANGE_GROUP)?;
        perms.iter().try_for_each(|perm| self.may_hand_over(*perm))
    }

    /// Putting a user into (or out of) a group with these permissions.
    pub(crate) fn may_change_membership(&self, target: Target, group_perms: &[Permission]) -> Result<(), Rule> {
        self.may_change_user(target)?;
        group_perms.iter().try_for_each(|perm| self.may_hand_over(*perm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Model;

    #[derive(Model)]
    #[model(app_label = "rules_test")]
    #[permissions(publish_post = "Can publish post")]
    struct Post;

    fn user(id: i64, perms: &[Permission]) -> Acting {
        Acting::User(Box::new(User::builder(format!("user{id}")).id(id).permissions(perms.iter().copied()).build()))
    }

    const OTHER: Target = Target { id: 2, superuser: false };

    #[test]
    fn the_system_and_superusers_may_do_anything() {
        let root = Acting::User(Box::new(User::builder("root").id(1).superuser(true).build()));
        for actor in [Acting::System, root] {
            assert!(actor.may_hand_over(User::CHANGE_USER).is_ok());
            assert!(actor.may_change_user(Target { id: 1, superuser: true }).is_ok());
            assert!(actor.require_superuser().is_ok());
        }
    }

    #[test]
    fn change_user_holders_grant_only_what_they_hold() {
        let actor = user(1, &[User::CHANGE_USER, Post::PUBLISH_POST]);
        assert!(actor.may_change_user(OTHER).is_ok());
        assert!(actor.may_hand_over(Post::PUBLISH_POST).is_ok());
        assert_eq!(
            actor.may_hand_over(Post::DELETE_POST),
            Err(Rule::GrantsOnlyHeld { perm: "rules_test.delete_post".into() })
        );
        assert_eq!(actor.may_hand_over(User::CHANGE_USER), Err(Rule::ChangeUserIsSuperuserOnly));
        assert_eq!(actor.require_superuser(), Err(Rule::SuperuserOnly));
        assert_eq!(actor.may_change_user(Target { id: 1, superuser: false }), Err(Rule::OwnRights));
        assert_eq!(actor.may_change_user(Target { id: 3, superuser: true }), Err(Rule::SuperuserOnly));
    }

    #[test]
    fn credentials_are_ones_own_or_under_the_rules() {
        let actor = user(2, &[]);
        assert!(actor.may_manage_credentials(OTHER).is_ok(), "its own");
        assert_eq!(
            actor.may_manage_credentials(Target { id: 3, superuser: false }),
            Err(Rule::NeedsPermission { perm: "auth.change_user" })
        );
        assert!(Acting::System.may_manage_credentials(OTHER).is_ok());
    }

    #[test]
    fn control_of_an_account_needs_everything_it_holds() {
        let actor = user(1, &[User::CHANGE_USER, Post::VIEW_POST]);
        let weaker = User::builder("weaker").id(2).permission(Post::VIEW_POST).build();
        let stronger = User::builder("stronger").id(3).permissions([Post::VIEW_POST, Post::PUBLISH_POST]).build();
        assert!(actor.may_take_control(&weaker).is_ok());
        assert_eq!(
            actor.may_take_control(&stronger),
            Err(Rule::TargetHoldsMore { perm: "rules_test.publish_post".into() })
        );
        let itself = User::builder("user1").id(1).permission(Post::DELETE_POST).build();
        assert!(actor.may_take_control(&itself).is_ok(), "its own account");
        assert!(Acting::System.may_take_control(&stronger).is_ok());
    }

    #[test]
    fn deleting_a_group_needs_what_emptying_it_needs() {
        let perms = [Post::PUBLISH_POST];
        let deleter = user(1, &[Group::DELETE_GROUP]);
        assert!(deleter.may_delete_group(&[], false, None).is_ok(), "an empty group");
        assert_eq!(
            deleter.may_delete_group(&perms, false, None),
            Err(Rule::NeedsPermission { perm: "auth.change_group" })
        );
        let editor = user(1, &[Group::DELETE_GROUP, Group::CHANGE_GROUP, User::CHANGE_USER, Post::PUBLISH_POST]);
        assert!(editor.may_delete_group(&perms, true, None).is_ok());
        assert_eq!(
            editor.may_delete_group(&perms, true, Some(Target { id: 1, superuser: false })),
            Err(Rule::OwnRights)
        );
        assert_eq!(
            user(1, &[Group::DELETE_GROUP, Group::CHANGE_GROUP]).may_delete_group(&[], true, None),
            Err(Rule::NeedsPermission { perm: "auth.change_user" })
        );
    }

    #[test]
    fn without_change_user_nothing_changes() {
        let actor = user(1, &[Post::PUBLISH_POST]);
        assert_eq!(actor.may_change_user(OTHER), Err(Rule::NeedsPermission { perm: "auth.change_user" }));
    }

    #[test]
    fn inactive_actors_may_do_nothing() {
        let actor = Acting::User(Box::new(User::builder("gone").id(1).active(false).superuser(true).build()));
        assert_eq!(actor.require(User::ADD_USER), Err(Rule::ActorInactive));
    }

    #[test]
    fn group_editors_add_only_what_they_hold() {
        let actor = user(1, &[Group::CHANGE_GROUP, Post::VIEW_POST]);
        assert!(actor.may_change_group_perms(&[Post::VIEW_POST]).is_ok());
        assert!(actor.may_change_group_perms(&[Post::DELETE_POST]).is_err());
        assert_eq!(
            user(1, &[Post::VIEW_POST]).may_change_group_perms(&[]),
            Err(Rule::NeedsPermission { perm: "auth.change_group" })
        );
    }
}
