//! Groups: create, rename, delete, members, and the permissions members inherit.

use std::time::SystemTime;

use super::audit::AuditRecord;
use super::error::{Result, Rule, StoreError};
use super::grants::{Change, resolve_all};
use super::rules::{Acting, Target};
use super::tx::Tx;
use super::{Actor, Store, micros, now_micros};
use crate::{AsPermission, Group, HasPerms, Permission, registry};

/// A group as listed.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupRecord {
    /// The group's name.
    pub name: String,
    /// How many users are members: the count the database keeps (schema 8's triggers), read,
    /// not counted; a temporary membership counts until the sweep removes it.
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

/// One user's membership of one group, as written in a change's transaction (the rules were
/// checked by the caller).
pub(crate) struct Membership<'a> {
    pub(crate) username: &'a str,
    pub(crate) user_id: i64,
    pub(crate) group: &'a str,
    pub(crate) group_id: i64,
    /// More about it for the audit log (the request that granted it).
    pub(crate) detail: &'a str,
}

impl Membership<'_> {
    /// Writes it (or removes it) and its audit row; whether a row changed.
    pub(crate) async fn write(&self, tx: &mut Tx, actor: &Actor, change: Change) -> Result<bool> {
        let sql = tx.sql();
        let (done, action, until) = match change {
            Change::Grant { until } => {
                let args = [self.user_id.into(), self.group_id.into(), until.into()];
                (tx.execute(sql.add_member, &args).await?, "add_member", until)
            }
            Change::Revoke => {
                let args = [self.user_id.into(), self.group_id.into()];
                (tx.execute(sql.remove_member, &args).await?, "remove_member", None)
            }
        };
        if done == 0 {
            return Ok(false);
        }
        let until = until.map(|until| format!("until {until}")).unwrap_or_default();
        let detail =
            [self.detail, until.as_str()].iter().filter(|d| !d.is_empty()).copied().collect::<Vec<_>>().join("; ");
        tx.audit(actor, AuditRecord::new(action).user(self.username).group(self.group).detail(&detail)).await?;
        Ok(true)
    }
}

/// A group's id and permissions, read inside a transaction.
pub(crate) async fn group(tx: &mut Tx, name: &str) -> Result<(i64, Vec<Permission>)> {
    let sql = tx.sql();
    let id: Option<(i64,)> = tx.conn().fetch_optional(sql.group_id, &[name.into()]).await?;
    let (id,) = id.ok_or_else(|| StoreError::GroupNotFound(name.to_owned()))?;
    let perms: Vec<(String,)> = tx.conn().fetch_all(sql.group_permissions, &[id.into()]).await?;
    let registry = registry();
    Ok((id, perms.iter().filter_map(|(p,)| registry.get(p)).collect()))
}

/// Refuses when the group name is taken.
async fn refuse_taken(tx: &mut Tx, name: &str) -> Result<()> {
    let sql = tx.sql().group_id;
    match tx.conn().fetch_optional::<(i64,)>(sql, &[name.into()]).await? {
        Some(_) => Err(StoreError::GroupNameTaken(name.to_owned())),
        None => Ok(()),
    }
}

impl Store {
    /// Creates a group with no permission. Needs `auth.add_group`.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidName`], [`StoreError::GroupNameTaken`], [`StoreError::Refused`].
    pub async fn create_group(&self, actor: &Actor, name: &str) -> Result<()> {
        check_group_name(name)?;
        let mut tx = self.inner.backend.begin().await?;
        tx.acting(actor).await?.require(Group::ADD_GROUP).map_err(StoreError::Refused)?;
        refuse_taken(&mut tx, name).await?;
        let sql = tx.sql().insert_group;
        tx.execute(sql, &[name.into()]).await?;
        tx.audit(actor, AuditRecord::new("create_group").group(name)).await?;
        tx.commit().await
    }

    /// Renames a group. Needs `auth.change_group`.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], [`StoreError::GroupNameTaken`], [`StoreError::Refused`].
    pub async fn rename_group(&self, actor: &Actor, name: &str, new_name: &str) -> Result<()> {
        check_group_name(new_name)?;
        let mut tx = self.inner.backend.begin().await?;
        tx.acting(actor).await?.require(Group::CHANGE_GROUP).map_err(StoreError::Refused)?;
        let (id, _) = group(&mut tx, name).await?;
        refuse_taken(&mut tx, new_name).await?;
        let sql = tx.sql().rename_group;
        tx.execute(sql, &[new_name.into(), id.into()]).await?;
        let detail = format!("from {name}");
        tx.audit(actor, AuditRecord::new("rename_group").group(new_name).detail(&detail)).await?;
        self.commit_change(tx).await?;
        Ok(())
    }

    /// Deletes a group; its members lose what it gave them. Needs `auth.delete_group`, and
    /// what revoking each of the group's permissions and taking each member out would need (see
    /// [`revoke_group`](Self::revoke_group) and [`remove_from_group`](Self::remove_from_group)).
    /// The audit log keeps what was lost: a `revoke_group` row per permission and a
    /// `remove_member` row per member, with the detail `group deleted`.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], [`StoreError::Refused`].
    pub async fn delete_group(&self, actor: &Actor, name: &str) -> Result<()> {
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        let (id, perms) = group(&mut tx, name).await?;
        let sql = tx.sql();
        let has_members = tx.conn().fetch_optional::<(i64,)>(sql.group_has_members, &[id.into()]).await?.is_some();
        let actor_id = match &acting {
            Acting::User(user) => user.id(),
            Acting::System => None,
        };
        let off_limits: Option<(i64, bool)> = if has_members {
            tx.conn().fetch_optional(sql.group_member_off_limits, &[id.into(), actor_id.unwrap_or(0).into()]).await?
        } else {
            None
        };
        let off_limits = off_limits.map(|(id, superuser)| Target { id, superuser });
        acting.may_delete_group(&perms, has_members, off_limits).map_err(StoreError::Refused)?;
        let args = [now_micros().into(), actor.label().into(), name.into(), id.into()];
        tx.execute(sql.audit_deleted_group_permissions, &args).await?;
        tx.execute(sql.audit_deleted_group_members, &args).await?;
        tx.execute(sql.delete_group, &[id.into()]).await?;
        tx.audit(actor, AuditRecord::new("delete_group").group(name)).await?;
        self.commit_change(tx).await?;
        Ok(())
    }

    /// The group named `name`, with its permissions.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`], or a database error.
    pub async fn get_group(&self, name: &str) -> Result<Group> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().group_by_name;
        let rows: Vec<(Option<String>,)> = conn.fetch_all(sql, &[name.into()]).await?;
        if rows.is_empty() {
            return Err(StoreError::GroupNotFound(name.to_owned()));
        }
        let registry = registry();
        Ok(Group::new(name).with_permissions(rows.iter().filter_map(|(p,)| p.as_deref().and_then(|p| registry.get(p)))))
    }

    /// Every group, by name, with its member count (kept, not counted) and permissions.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn list_groups(&self) -> Result<Vec<GroupRecord>> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().list_groups;
        let rows: Vec<(String, i64, Option<String>)> = conn.fetch_all(sql, &[]).await?;
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
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().group_member_names;
        let rows: Vec<(String,)> = conn.fetch_all(sql, &[name.into(), now_micros().into()]).await?;
        drop(pooled);
        if rows.is_empty() {
            self.get_group(name).await?;
        }
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }

    /// Puts a user in a group (Django's `user.groups.add`). The rules of changing a user, and
    /// the actor must hold every permission the group gives.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::GroupNotFound`], [`StoreError::Refused`].
    pub async fn add_to_group(&self, actor: &Actor, username: &str, group: &str) -> Result<bool> {
        self.change_membership(actor, username, group, Change::Grant { until: None }).await
    }

    /// Puts a user in a group until `until` (break-glass access, a promotion for a time): a
    /// member until then, not from then on in any process, and removed by
    /// [`sweep_expired`](Self::sweep_expired), which audits it as `expired`. A permanent
    /// membership stays permanent; a temporary one is extended. The rules of
    /// [`add_to_group`](Self::add_to_group).
    ///
    /// # Errors
    ///
    /// As `add_to_group`.
    pub async fn add_to_group_until(
        &self,
        actor: &Actor,
        username: &str,
        group: &str,
        until: SystemTime,
    ) -> Result<bool> {
        self.change_membership(actor, username, group, Change::Grant { until: Some(micros(until)) }).await
    }

    /// Takes a user out of a group; the rules of [`add_to_group`](Self::add_to_group).
    ///
    /// # Errors
    ///
    /// As `add_to_group`.
    pub async fn remove_from_group(&self, actor: &Actor, username: &str, group: &str) -> Result<bool> {
        self.change_membership(actor, username, group, Change::Revoke).await
    }

    async fn change_membership(&self, actor: &Actor, username: &str, group_name: &str, change: Change) -> Result<bool> {
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        let target = tx.target(username).await?;
        let (group_id, perms) = group(&mut tx, group_name).await?;
        acting.may_change_membership(target.target(), &perms).map_err(StoreError::Refused)?;
        let membership = Membership { username, user_id: target.id, group: group_name, group_id, detail: "" };
        if !membership.write(&mut tx, actor, change).await? {
            return Ok(false);
        }
        self.commit_change(tx).await?;
        Ok(true)
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
        perms: Vec<Permission>,
        grant: bool,
    ) -> Result<usize> {
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        let (group_id, _) = group(&mut tx, group_name).await?;
        acting.may_change_group_perms(&perms).map_err(StoreError::Refused)?;
        let sql = tx.sql();
        if let Acting::User(user) = &acting
            && !user.is_superuser()
        {
            let member: Option<(i64,)> =
                tx.conn().fetch_optional(sql.is_member, &[user.id().into(), group_id.into()]).await?;
            if member.is_some() {
                return Err(StoreError::Refused(Rule::OwnRights));
            }
        }
        let (statement, action) =
            if grant { (sql.grant_group, "grant_group") } else { (sql.revoke_group, "revoke_group") };
        let mut changed = 0;
        for perm in perms {
            let permission_id = tx.permission_id(&self.inner.cache, perm).await?;
            if tx.execute(statement, &[group_id.into(), permission_id.into()]).await? > 0 {
                changed += 1;
                tx.audit(actor, AuditRecord::new(action).group(group_name).permission(perm.as_str())).await?;
            }
        }
        if changed == 0 {
            return Ok(0);
        }
        self.commit_change(tx).await?;
        Ok(changed)
    }
}
