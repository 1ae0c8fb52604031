//! The guide's rules for who may change permissions, as pure functions over the acting user's
//! rights (read inside the change's transaction) and the target.

use std::collections::HashSet;

use super::error::Rule;

pub(crate) const CHANGE_USER: &str = "auth.change_user";
pub(crate) const ADD_USER: &str = "auth.add_user";
pub(crate) const ADD_GROUP: &str = "auth.add_group";
pub(crate) const CHANGE_GROUP: &str = "auth.change_group";
pub(crate) const DELETE_GROUP: &str = "auth.delete_group";

/// The acting user's rights, as the database holds them now.
#[derive(Debug)]
pub(crate) struct Rights {
    pub(crate) id: i64,
    pub(crate) active: bool,
    pub(crate) superuser: bool,
    pub(crate) perms: HashSet<String>,
}

/// The system, or a user with its rights.
#[derive(Debug)]
pub(crate) enum Acting {
    System,
    User(Rights),
}

/// A user being changed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    pub(crate) id: i64,
    pub(crate) superuser: bool,
}

impl Acting {
    /// Anything at all: the system, or an active superuser.
    fn unrestricted(&self) -> Result<Option<&Rights>, Rule> {
        match self {
            Acting::System => Ok(None),
            Acting::User(rights) if !rights.active => Err(Rule::ActorInactive),
            Acting::User(rights) if rights.superuser => Ok(None),
            Acting::User(rights) => Ok(Some(rights)),
        }
    }

    /// The actor holds `perm` (Django's `has_perm`, with the superuser rule).
    pub(crate) fn require(&self, perm: &'static str) -> Result<(), Rule> {
        match self.unrestricted()? {
            Some(rights) if !rights.perms.contains(perm) => Err(Rule::NeedsPermission { perm }),
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
        let Some(rights) = self.unrestricted()? else {
            return Ok(());
        };
        if rights.id == target.id {
            return Err(Rule::OwnRights);
        }
        if target.superuser {
            return Err(Rule::SuperuserOnly);
        }
        if !rights.perms.contains(CHANGE_USER) {
            return Err(Rule::NeedsPermission { perm: CHANGE_USER });
        }
        Ok(())
    }

    /// Managing a user's credentials (its password, its API tokens): its own, or another's under
    /// the rules of [`may_change_user`](Self::may_change_user).
    pub(crate) fn may_manage_credentials(&self, target: Target) -> Result<(), Rule> {
        match self {
            Acting::User(rights) if rights.id == target.id => Ok(()),
            _ => self.may_change_user(target),
        }
    }

    /// Handing over `perm` (to a user, a group, or through a membership): only what the actor
    /// holds, and `auth.change_user` only from a superuser.
    pub(crate) fn may_hand_over(&self, perm: &str) -> Result<(), Rule> {
        let Some(rights) = self.unrestricted()? else {
            return Ok(());
        };
        if perm == CHANGE_USER {
            return Err(Rule::ChangeUserIsSuperuserOnly);
        }
        if !rights.perms.contains(perm) {
            return Err(Rule::GrantsOnlyHeld { perm: perm.to_owned() });
        }
        Ok(())
    }

    /// Changing a group's permissions: `auth.change_group`, and only permissions the actor holds.
    pub(crate) fn may_change_group_perms(&self, perms: &[String]) -> Result<(), Rule> {
        self.require(CHANGE_GROUP)?;
        perms.iter().try_for_each(|perm| self.may_hand_over(perm))
    }

    /// Putting a user into (or out of) a group with these permissions.
    pub(crate) fn may_change_membership(&self, target: Target, group_perms: &[String]) -> Result<(), Rule> {
        self.may_change_user(target)?;
        group_perms.iter().try_for_each(|perm| self.may_hand_over(perm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, perms: &[&str]) -> Acting {
        Acting::User(Rights {
            id,
            active: true,
            superuser: false,
            perms: perms.iter().map(|p| (*p).to_owned()).collect(),
        })
    }

    const OTHER: Target = Target { id: 2, superuser: false };

    #[test]
    fn the_system_and_superusers_may_do_anything() {
        let root = Acting::User(Rights { id: 1, active: true, superuser: true, perms: HashSet::new() });
        for actor in [Acting::System, root] {
            assert!(actor.may_hand_over(CHANGE_USER).is_ok());
            assert!(actor.may_change_user(Target { id: 1, superuser: true }).is_ok());
            assert!(actor.require_superuser().is_ok());
        }
    }

    #[test]
    fn change_user_holders_grant_only_what_they_hold() {
        let actor = user(1, &[CHANGE_USER, "blog.publish_post"]);
        assert!(actor.may_change_user(OTHER).is_ok());
        assert!(actor.may_hand_over("blog.publish_post").is_ok());
        assert_eq!(
            actor.may_hand_over("blog.delete_post"),
            Err(Rule::GrantsOnlyHeld { perm: "blog.delete_post".into() })
        );
        assert_eq!(actor.may_hand_over(CHANGE_USER), Err(Rule::ChangeUserIsSuperuserOnly));
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
            Err(Rule::NeedsPermission { perm: CHANGE_USER })
        );
        assert!(Acting::System.may_manage_credentials(OTHER).is_ok());
    }

    #[test]
    fn without_change_user_nothing_changes() {
        let actor = user(1, &["blog.publish_post"]);
        assert_eq!(actor.may_change_user(OTHER), Err(Rule::NeedsPermission { perm: CHANGE_USER }));
    }

    #[test]
    fn inactive_actors_may_do_nothing() {
        let actor = Acting::User(Rights { id: 1, active: false, superuser: true, perms: HashSet::new() });
        assert_eq!(actor.require(ADD_USER), Err(Rule::ActorInactive));
    }

    #[test]
    fn group_editors_add_only_what_they_hold() {
        let actor = user(1, &[CHANGE_GROUP, "blog.view_post"]);
        assert!(actor.may_change_group_perms(&["blog.view_post".into()]).is_ok());
        assert!(actor.may_change_group_perms(&["blog.delete_post".into()]).is_err());
        assert_eq!(
            user(1, &["blog.view_post"]).may_change_group_perms(&[]),
            Err(Rule::NeedsPermission { perm: CHANGE_GROUP })
        );
    }
}
