//! Grants: direct permissions of users (one at a time or in bulk), who holds a permission
//! (Django's `with_perm`), and where each of a user's permissions comes from.

use std::collections::{BTreeMap, HashSet};
use std::time::SystemTime;

use super::arg::{Arg, json_array};
use super::built::Built;
use super::error::{Result, StoreError};
use super::exec::Conn;
use super::query::WithPerm;
use super::rules::{Acting, Target};
use super::tx::{Tx, permission_id};
use super::{Actor, Store, micros, now_micros};
use crate::{AsPermission, HasPerms, LookupError, Permission, registry};

/// A user named by id and username, as [`Store::users_with_perm`] lists it.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct UserRef {
    /// The id.
    pub id: i64,
    /// The username.
    pub username: String,
}

/// One permission a user holds, and where it comes from: granted directly, through groups, or
/// both. See [`Store::effective_permissions`].
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EffectivePermission {
    /// The permission.
    pub permission: crate::Permission,
    /// Whether it is granted to the user directly.
    pub direct: bool,
    /// The groups that give it, by name, sorted.
    pub groups: Vec<String>,
}

impl EffectivePermission {
    /// Where it comes from, for people: `direct`, then each group (`direct, group Editors`).
    #[must_use]
    pub fn sources(&self) -> String {
        let direct = self.direct.then(|| "direct".to_owned());
        let groups = self.groups.iter().map(|group| format!("group {group}"));
        direct.into_iter().chain(groups).collect::<Vec<_>>().join(", ")
    }
}

/// A user, its groups, and each permission it holds with where it comes from: what
/// `GET /users/{username}`, `manage users show` and the admin's user page show. See
/// [`Store::user_detail`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct UserDetail {
    /// The id.
    pub id: Option<i64>,
    /// The username.
    pub username: String,
    /// The email address.
    pub email: String,
    /// Whether the account is active.
    pub is_active: bool,
    /// Whether the user may use the admin.
    pub is_staff: bool,
    /// Whether the user is a superuser.
    pub is_superuser: bool,
    /// Its groups, by name.
    pub groups: Vec<String>,
    /// Each permission it holds directly or through a group, and where it comes from.
    pub permissions: Vec<EffectivePermission>,
}

/// Granting (until a time, or for good) or revoking.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Change {
    Grant { until: Option<i64> },
    Revoke,
}

/// One direct grant of one permission to one user, as written in a change's transaction (the
/// rules were checked by the caller).
pub(crate) struct UserGrant<'a> {
    pub(crate) username: &'a str,
    pub(crate) user_id: i64,
    pub(crate) perm: Permission,
    pub(crate) permission_id: i64,
    /// More about it for the audit log (the request that granted it).
    pub(crate) detail: &'a str,
}

impl UserGrant<'_> {
    /// Writes it and, when a row changed, its audit row and the revision's bump, in one round
    /// trip on PostgreSQL; whether a row changed.
    pub(crate) async fn write(&self, tx: &mut Tx, actor: &Actor, change: Change) -> Result<bool> {
        let sql = tx.sql();
        let until = match change {
            Change::Grant { until: Some(until) } => format!("until {until}"),
            _ => String::new(),
        };
        let detail =
            [self.detail, until.as_str()].iter().filter(|d| !d.is_empty()).copied().collect::<Vec<_>>().join("; ");
        let audit: [Arg<'_>; 5] = [
            now_micros().into(),
            actor.label().into(),
            self.username.into(),
            self.perm.as_str().into(),
            detail.as_str().into(),
        ];
        let (statements, mut args): (_, Vec<Arg<'_>>) = match change {
            Change::Grant { until } => {
                (sql.grant_user, vec![self.user_id.into(), self.permission_id.into(), until.into()])
            }
            Change::Revoke => (sql.revoke_user, vec![self.user_id.into(), self.permission_id.into()]),
        };
        args.extend(audit);
        let (last, first) = statements.split_last().ok_or(sqlx::Error::RowNotFound)?;
        for statement in first {
            tx.execute(statement, &args).await?;
        }
        let bumped: Option<(i64,)> = tx.conn().fetch_optional(last, &args).await?;
        if let Some((revision,)) = bumped {
            tx.bumped(revision);
        }
        Ok(bumped.is_some())
    }
}

/// `perm` as a registered permission.
pub(crate) fn resolve(perm: &impl AsPermission) -> Result<Permission> {
    perm.lookup().map_err(|err| match err {
        LookupError::Malformed(name) => StoreError::MalformedPermission(name),
        LookupError::Unknown(name) => StoreError::UnknownPermission(name),
    })
}

/// Each of `perms` as a registered permission, once.
pub(crate) fn resolve_all<P: AsPermission>(perms: impl IntoIterator<Item = P>) -> Result<Vec<Permission>> {
    let mut out: Vec<Permission> = perms.into_iter().map(|p| resolve(&p)).collect::<Result<_>>()?;
    out.dedup();
    Ok(out)
}

impl Store {
    /// Each permission `username` holds directly or through a group, and where it comes from,
    /// sorted as [`Permission`]s sort, read in one query. Rows that no linked model declares are
    /// left out (they grant nothing). A superuser's implied permissions are not listed: see
    /// [`HasPerms::is_superuser`].
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], or a database error.
    pub async fn effective_permissions(&self, username: &str) -> Result<Vec<EffectivePermission>> {
        let mut read = self.inner.backend.read().await?;
        let mut conn = read.conn();
        let sql = conn.sql().effective_permissions;
        let rows: Vec<(Option<String>, Option<String>)> =
            conn.fetch_all(sql, &[username.into(), now_micros().into()]).await?;
        if rows.is_empty() {
            return Err(StoreError::UserNotFound(username.to_owned()));
        }
        let registry = registry();
        let mut found: BTreeMap<Permission, EffectivePermission> = BTreeMap::new();
        for (perm, group) in rows {
            let Some(permission) = perm.as_deref().and_then(|p| registry.get(p)) else { continue };
            let entry = found.entry(permission).or_insert_with(|| EffectivePermission {
                permission,
                direct: false,
                groups: Vec::new(),
            });
            match group {
                Some(group) => entry.groups.push(group),
                None => entry.direct = true,
            }
        }
        Ok(found
            .into_values()
            .map(|mut entry| {
                entry.groups.sort();
                entry.groups.dedup();
                entry
            })
            .collect())
    }

    /// A user with each permission it holds and where it comes from: its snapshot (see
    /// [`get_user`](Self::get_user)) and [`effective_permissions`](Self::effective_permissions).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], or a database error.
    pub async fn user_detail(&self, username: &str) -> Result<UserDetail> {
        let user = self.get_user(username).await?;
        let permissions = self.effective_permissions(username).await?;
        Ok(UserDetail {
            id: user.id(),
            username: user.username().to_owned(),
            email: user.email().to_owned(),
            is_active: user.is_active(),
            is_staff: user.is_staff(),
            is_superuser: user.is_superuser(),
            groups: user.groups().map(str::to_owned).collect(),
            permissions,
        })
    }

    /// Grants permissions to a user directly (Django's `user.user_permissions.add`). A user
    /// holding `auth.change_user` may grant only what it holds itself, never `auth.change_user`,
    /// never to itself or a superuser. Already-held permissions are left as they are.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::MalformedPermission`],
    /// [`StoreError::UnknownPermission`], [`StoreError::Refused`]; nothing is written then.
    pub async fn grant_user<P: AsPermission>(
        &self,
        actor: &Actor,
        username: &str,
        perms: impl IntoIterator<Item = P>,
    ) -> Result<usize> {
        self.change_user_perms(actor, username, resolve_all(perms)?, Change::Grant { until: None }).await
    }

    /// Grants permissions to a user directly until `until`: held until then, not from then on
    /// in any process (a snapshot knows its earliest expiry, and the cache never serves it past
    /// that), and removed by [`sweep_expired`](Self::sweep_expired), which audits each as
    /// `expired`. A permanent grant already held stays permanent; a temporary one is extended.
    /// The rules of [`grant_user`](Self::grant_user).
    ///
    /// # Errors
    ///
    /// As `grant_user`.
    pub async fn grant_user_until<P: AsPermission>(
        &self,
        actor: &Actor,
        username: &str,
        perms: impl IntoIterator<Item = P>,
        until: SystemTime,
    ) -> Result<usize> {
        let until = Some(micros(until));
        self.change_user_perms(actor, username, resolve_all(perms)?, Change::Grant { until }).await
    }

    /// Revokes permissions granted to a user directly (those of its groups stay); the rules of
    /// [`grant_user`](Self::grant_user).
    ///
    /// # Errors
    ///
    /// As `grant_user`.
    pub async fn revoke_user<P: AsPermission>(
        &self,
        actor: &Actor,
        username: &str,
        perms: impl IntoIterator<Item = P>,
    ) -> Result<usize> {
        self.change_user_perms(actor, username, resolve_all(perms)?, Change::Revoke).await
    }

    async fn change_user_perms(
        &self,
        actor: &Actor,
        username: &str,
        perms: Vec<Permission>,
        change: Change,
    ) -> Result<usize> {
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        let target = tx.target_ref(username).await?;
        acting.may_change_user(target).map_err(StoreError::Refused)?;
        let mut changed = 0;
        for perm in perms {
            acting.may_hand_over(perm).map_err(StoreError::Refused)?;
            let permission_id = tx.permission_id(&self.inner.cache, perm).await?;
            let written = UserGrant { username, user_id: target.id, perm, permission_id, detail: "" };
            changed += usize::from(written.write(&mut tx, actor, change).await?);
        }
        if changed == 0 {
            return Ok(0);
        }
        self.commit_change(tx).await?;
        Ok(changed)
    }

    /// Grants one permission to many users at once, in one transaction and a few set-based
    /// statements (the rules of [`grant_user`](Self::grant_user) for each; a temporary grant
    /// becomes permanent). Returns how many gained it. [`bulk_apply`](Self::bulk_apply) does the
    /// same write for the users the rules allow, and leaves the others.
    ///
    /// # Errors
    ///
    /// As `grant_user`, and [`StoreError::UserNotFound`] naming a missing user; one refusal
    /// writes nothing.
    pub async fn grant_user_bulk<P: AsPermission>(&self, actor: &Actor, perm: P, usernames: &[&str]) -> Result<u64> {
        let perm = resolve(&perm)?;
        let names = json_array(usernames);
        let wanted = usernames.iter().collect::<HashSet<_>>().len();
        let mut tx = self.inner.backend.begin().await?;
        let sql = tx.sql();
        let acting = tx.acting(actor).await?;
        acting.may_hand_over(perm).map_err(StoreError::Refused)?;
        let permission_id = tx.permission_id(&self.inner.cache, perm).await?;
        let (found,): (i64,) = tx.conn().fetch_one(sql.count_named_users, &[names.as_str().into()]).await?;
        if usize::try_from(found).unwrap_or(0) != wanted {
            let present: Vec<(String,)> = tx.conn().fetch_all(sql.named_users, &[names.as_str().into()]).await?;
            let present: HashSet<&str> = present.iter().map(|(name,)| name.as_str()).collect();
            let missing = usernames.iter().find(|u| !present.contains(**u)).copied().unwrap_or_default();
            return Err(StoreError::UserNotFound(missing.to_owned()));
        }
        if let Acting::User(user) = &acting
            && !user.is_superuser()
        {
            let args = [names.as_str().into(), user.id().into()];
            let off_limits: Option<(i64, bool)> = tx.conn().fetch_optional(sql.named_off_limits, &args).await?;
            if let Some((id, superuser)) = off_limits {
                acting.may_change_user(Target { id, superuser }).map_err(StoreError::Refused)?;
            }
            acting.may_change_user(Target { id: 0, superuser: false }).map_err(StoreError::Refused)?;
        }
        let args: [Arg<'_>; 5] = [
            now_micros().into(),
            actor.label().into(),
            perm.as_str().into(),
            names.as_str().into(),
            permission_id.into(),
        ];
        let changed = tx.execute_all_blocking(sql.bulk_grant, &args).await?;
        if changed == 0 {
            return Ok(0);
        }
        self.commit_change(tx).await?;
        Ok(changed)
    }

    /// Django's `User.objects.with_perm`: users holding `perm` directly or through a group, and
    /// superusers unless told otherwise; active ones by default. Ordered by id, a page at a time
    /// (pass the last id to [`WithPerm::after_id`]). Superusers are listed even for a
    /// permission no model declares, as in Django.
    ///
    /// # Errors
    ///
    /// [`StoreError::MalformedPermission`], or a database error.
    pub async fn users_with_perm<P: AsPermission>(&self, perm: P, options: WithPerm) -> Result<Vec<UserRef>> {
        let perm = match resolve(&perm) {
            Ok(perm) => Some(perm),
            Err(StoreError::UnknownPermission(_)) => None,
            Err(err) => return Err(err),
        };
        let limit = i64::from(options.limit.clamp(1, 10_000));
        let now = now_micros();
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql();
        // Each stream is ordered by user id through an index; the first `limit` of their union
        // is among the first `limit` of each.
        let mut found: BTreeMap<i64, String> = BTreeMap::new();
        if options.include_superusers {
            let mut built = Built::new(sql.select_superusers);
            built.push(" AND u.id > ").push_bind(options.after_id);
            found.extend(holders(&mut conn, built, &options, "u.id", limit).await?);
        }
        if let Some(perm) = perm {
            let permission_id = permission_id(&mut conn, &self.inner.cache, perm).await?;
            let mut built = Built::new(sql.select_direct_holders);
            built.push_bind(permission_id).push(" AND up.user_id > ").push_bind(options.after_id);
            built.push(" AND (up.expires_at IS NULL OR up.expires_at > ").push_bind(now).push(")");
            found.extend(holders(&mut conn, built, &options, "up.user_id", limit).await?);
            let groups: Vec<(i64,)> = conn.fetch_all(sql.groups_with_permission, &[permission_id.into()]).await?;
            for (group_id,) in groups {
                let mut built = Built::new(sql.select_group_members);
                built.push_bind(group_id).push(" AND ug.user_id > ").push_bind(options.after_id);
                built.push(" AND (ug.expires_at IS NULL OR ug.expires_at > ").push_bind(now).push(")");
                found.extend(holders(&mut conn, built, &options, "ug.user_id", limit).await?);
            }
        }
        Ok(found
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(id, username)| UserRef { id, username })
            .collect())
    }
}

/// One stream of `with_perm`'s holders: the activity filter, ordered by `order`, `limit` rows.
pub(crate) async fn holders(
    conn: &mut Conn<'_>,
    mut built: Built<'_>,
    options: &WithPerm,
    order: &'static str,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    if let Some(active) = options.is_active {
        built.push(" AND u.is_active = ").push_bind(active);
    }
    built.push(" ORDER BY ").push(order).push(" LIMIT ").push_bind(limit);
    conn.fetch_built(&built).await
}
