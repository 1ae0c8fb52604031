//! Groups: create, rename, delete, members, and the permissions members inherit.

use super::backend::{bump_revision, with_pool, write_tx};
use super::error::{Result, Rule, StoreError};
use super::rules::{ADD_GROUP, Acting, CHANGE_GROUP, DELETE_GROUP};
use super::users::{Snapshot, acting, audit, permission_id, resolve_all, target};
use super::{Actor, Store};
use crate::as_permission::AsPermission;
use crate::{Group, registry};

/// A group as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupRecord {
    /// The group's name.
    pub name: String,
    /// How many users are members.
    pub members: i64,
    /// Its permissions, as `app_label.codename`, sorted.
    pub permissions: Vec<String>,
}

fn check_group_name(name: &str) -> Result<()> {
    let why = if name.trim().is_empty() {
        Some("it is empty; give a name of 1 to 150 characters".to_owned())
    } else if name.chars().any(char::is_control) {
        Some("it has a control character; use printable characters".to_owned())
    } else if name.chars().count() > 150 {
        Some(format!("it has {} characters; 150 at most", name.chars().count()))
    } else {
        None
    };
    why.map_or(Ok(()), |why| Err(StoreError::InvalidName { what: "group name", why }))
}

/// A group's id and permission strings, inside a transaction.
macro_rules! group {
    ($tx:ident, $name:expr) => {{
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM auth_group WHERE name = $1")
            .bind($name)
            .fetch_optional(&mut *$tx)
            .await?;
        let id = id.ok_or_else(|| StoreError::GroupNotFound($name.to_owned()))?;
        let perms: Vec<String> = sqlx::query_scalar(
            "SELECT p.app_label || '.' || p.codename FROM auth_group_permissions gp \
             JOIN auth_permission p ON p.id = gp.permission_id WHERE gp.group_id = $1",
        )
        .bind(id)
        .fetch_all(&mut *$tx)
        .await?;
        (id, perms)
    }};
}

impl Store {
    /// Creates a group with no permission. Needs `auth.add_group`.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidName`], [`StoreError::GroupNameTaken`], [`StoreError::Refused`].
    pub async fn create_group(&self, actor: &Actor, name: &str) -> Result<()> {
        check_group_name(name)?;
        write_tx!(&self.inner.backend, tx => async {
            acting!(tx, actor).require(ADD_GROUP).map_err(StoreError::Refused)?;
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM auth_group WHERE name = $1").bind(name).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                return Err(StoreError::GroupNameTaken(name.to_owned()));
            }
            sqlx::query("INSERT INTO auth_group (name) VALUES ($1)").bind(name).execute(&mut *tx).await?;
            audit!(tx, actor, "create_group", user = None::<String>, group = name, perm = None::<String>, detail = "");
            Ok(())
        }
        .await)
    }

    /// Renames a group. Needs `auth.change_group`.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], [`StoreError::GroupNameTaken`], [`StoreError::Refused`].
    pub async fn rename_group(&self, actor: &Actor, name: &str, new_name: &str) -> Result<()> {
        check_group_name(new_name)?;
        let revision = write_tx!(&self.inner.backend, tx => async {
            acting!(tx, actor).require(CHANGE_GROUP).map_err(StoreError::Refused)?;
            let (id, _) = group!(tx, name);
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM auth_group WHERE name = $1").bind(new_name).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                return Err(StoreError::GroupNameTaken(new_name.to_owned()));
            }
            sqlx::query("UPDATE auth_group SET name = $1 WHERE id = $2").bind(new_name).bind(id).execute(&mut *tx).await?;
            audit!(tx, actor, "rename_group", user = None::<String>, group = new_name, perm = None::<String>, detail = format!("from {name}"));
            bump_revision!(tx)
        }
        .await)?;
        self.inner.cache.invalidate_before(revision);
        Ok(())
    }

    /// Deletes a group; its members lose what it gave them. Needs `auth.delete_group`.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], [`StoreError::Refused`].
    pub async fn delete_group(&self, actor: &Actor, name: &str) -> Result<()> {
        let revision = write_tx!(&self.inner.backend, tx => async {
            acting!(tx, actor).require(DELETE_GROUP).map_err(StoreError::Refused)?;
            let (id, _) = group!(tx, name);
            sqlx::query("DELETE FROM auth_group WHERE id = $1").bind(id).execute(&mut *tx).await?;
            audit!(tx, actor, "delete_group", user = None::<String>, group = name, perm = None::<String>, detail = "");
            bump_revision!(tx)
        }
        .await)?;
        self.inner.cache.invalidate_before(revision);
        Ok(())
    }

    /// The group named `name`, with its permissions.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], or a database error.
    pub async fn get_group(&self, name: &str) -> Result<Group> {
        let rows: Vec<Option<String>> = with_pool!(&self.inner.backend, pool => {
            sqlx::query_scalar(
                "SELECT p.app_label || '.' || p.codename FROM auth_group g \
                 LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id \
                 LEFT JOIN auth_permission p ON p.id = gp.permission_id WHERE g.name = $1",
            )
            .bind(name)
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() {
            return Err(StoreError::GroupNotFound(name.to_owned()));
        }
        let registry = registry();
        Ok(Group::new(name).with_permissions(rows.iter().flatten().filter_map(|p| registry.get(p))))
    }

    /// Every group, by name, with its member count and permissions.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn list_groups(&self) -> Result<Vec<GroupRecord>> {
        let rows: Vec<(String, i64, Option<String>)> = with_pool!(&self.inner.backend, pool => {
            sqlx::query_as(
                "SELECT g.name, (SELECT COUNT(*) FROM auth_user_groups ug WHERE ug.group_id = g.id), \
                 p.app_label || '.' || p.codename FROM auth_group g \
                 LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id \
                 LEFT JOIN auth_permission p ON p.id = gp.permission_id ORDER BY g.name",
            )
            .fetch_all(pool)
            .await?
        });
        let mut groups: Vec<GroupRecord> = Vec::new();
        for (name, members, perm) in rows {
            if groups.last().is_none_or(|g| g.name != name) {
                groups.push(GroupRecord { name, members, permissions: Vec::new() });
            }
            if let (Some(group), Some(perm)) = (groups.last_mut(), perm) {
                group.permissions.push(perm);
            }
        }
        for group in &mut groups {
            group.permissions.sort();
        }
        Ok(groups)
    }

    /// The usernames of a group's members, sorted.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], or a database error.
    pub async fn group_members(&self, name: &str) -> Result<Vec<String>> {
        let rows: Vec<String> = with_pool!(&self.inner.backend, pool => {
            sqlx::query_scalar(
                "SELECT u.username FROM auth_group g JOIN auth_user_groups ug ON ug.group_id = g.id \
                 JOIN auth_user u ON u.id = ug.user_id WHERE g.name = $1 ORDER BY u.username",
            )
            .bind(name)
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() {
            self.get_group(name).await?;
        }
        Ok(rows)
    }

    /// Puts a user in a group (Django's `user.groups.add`). The rules of changing a user, and
    /// the actor must hold every permission the group gives.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::GroupNotFound`], [`StoreError::Refused`].
    pub async fn add_to_group(&self, actor: &Actor, username: &str, group: &str) -> Result<bool> {
        self.change_membership(actor, username, group, true).await
    }

    /// Takes a user out of a group; the rules of [`add_to_group`](Self::add_to_group).
    ///
    /// # Errors
    ///
    /// As `add_to_group`.
    pub async fn remove_from_group(&self, actor: &Actor, username: &str, group: &str) -> Result<bool> {
        self.change_membership(actor, username, group, false).await
    }

    async fn change_membership(&self, actor: &Actor, username: &str, group_name: &str, add: bool) -> Result<bool> {
        let (changed, revision) = write_tx!(&self.inner.backend, tx => async {
            let acting = acting!(tx, actor);
            let target: Snapshot = target!(tx, username);
            let (group_id, perms) = group!(tx, group_name);
            acting.may_change_membership(target.target(), &perms).map_err(StoreError::Refused)?;
            let sql = if add {
                "INSERT INTO auth_user_groups (user_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            } else {
                "DELETE FROM auth_user_groups WHERE user_id = $1 AND group_id = $2"
            };
            let done = sqlx::query(sql).bind(target.id).bind(group_id).execute(&mut *tx).await?.rows_affected() > 0;
            if !done {
                return Ok((false, None));
            }
            let action = if add { "add_member" } else { "remove_member" };
            audit!(tx, actor, action, user = username, group = group_name, perm = None::<String>, detail = "");
            Ok((true, Some(bump_revision!(tx)?)))
        }
        .await)?;
        if let Some(revision) = revision {
            self.inner.cache.invalidate_before(revision);
        }
        Ok(changed)
    }

    /// Grants permissions to a group (Django's `group.permissions.add`). Needs
    /// `auth.change_group`, and only permissions the actor holds; `auth.change_user` only from a
    /// superuser. A non-superuser may not edit a group it belongs to (its own rights).
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], [`StoreError::UnknownPermission`], [`StoreError::Refused`].
    pub async fn grant_group<P: AsPermission>(
        &self,
        actor: &Actor,
        group: &str,
        perms: impl IntoIterator<Item = P>,
    ) -> Result<usize> {
        self.change_group_perms(actor, group, resolve_all(perms)?, true).await
    }

    /// Revokes permissions from a group; the rules of [`grant_group`](Self::grant_group).
    ///
    /// # Errors
    ///
    /// As `grant_group`.
    pub async fn revoke_group<P: AsPermission>(
        &self,
        actor: &Actor,
        group: &str,
        perms: impl IntoIterator<Item = P>,
    ) -> Result<usize> {
        self.change_group_perms(actor, group, resolve_all(perms)?, false).await
    }

    async fn change_group_perms(
        &self,
        actor: &Actor,
        group_name: &str,
        perms: Vec<String>,
        grant: bool,
    ) -> Result<usize> {
        let (changed, revision) = write_tx!(&self.inner.backend, tx => async {
            let acting = acting!(tx, actor);
            let (group_id, _) = group!(tx, group_name);
            acting.may_change_group_perms(&perms).map_err(StoreError::Refused)?;
            if let Acting::User(rights) = &acting
                && !rights.superuser {
                    let member: Option<i64> = sqlx::query_scalar("SELECT user_id FROM auth_user_groups WHERE user_id = $1 AND group_id = $2")
                        .bind(rights.id)
                        .bind(group_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if member.is_some() {
                        return Err(StoreError::Refused(Rule::OwnRights));
                    }
                }
            let mut changed = 0;
            for perm in &perms {
                let permission_id = permission_id!(self, &mut *tx, perm)?;
                let sql = if grant {
                    "INSERT INTO auth_group_permissions (group_id, permission_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                } else {
                    "DELETE FROM auth_group_permissions WHERE group_id = $1 AND permission_id = $2"
                };
                if sqlx::query(sql).bind(group_id).bind(permission_id).execute(&mut *tx).await?.rows_affected() > 0 {
                    changed += 1;
                    let action = if grant { "grant_group" } else { "revoke_group" };
                    audit!(tx, actor, action, user = None::<String>, group = group_name, perm = perm.as_str(), detail = "");
                }
            }
            let revision = if changed > 0 { Some(bump_revision!(tx)?) } else { None };
            Ok((changed, revision))
        }
        .await)?;
        if let Some(revision) = revision {
            self.inner.cache.invalidate_before(revision);
        }
        Ok(changed)
    }
}
