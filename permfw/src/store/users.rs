//! Users: loading snapshots, creating, flags, passwords and logging in, and the user list.

use super::audit::AuditRecord;
use super::error::{Result, StoreError};
use super::query::UserUpdate;
use super::snapshot::Snapshot;
use super::tx::Tx;
use super::{Actor, Store, now_micros, password};
use crate::User;

/// A user as listed: the row, without its permissions.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserRecord {
    /// The id.
    pub id: i64,
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
    /// When the user was created, in microseconds since the Unix epoch.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize"))]
    pub date_joined: i64,
}

/// Checks a username: 1 to 150 characters, letters, digits and `@.+-_` (Django's rule).
pub(crate) fn check_username(username: &str) -> Result<()> {
    let length = username.chars().count();
    let bad_char = username.chars().find(|c| !(c.is_alphanumeric() || "@.+-_".contains(*c)));
    let why = match (length, bad_char) {
        (0, _) => "it is empty; give a name of 1 to 150 characters".to_owned(),
        (151.., _) => format!("it has {length} characters; 150 at most"),
        (_, Some(c)) => format!("{c:?} is not allowed; use letters, digits and @ . + - _"),
        (_, None) => return Ok(()),
    };
    Err(StoreError::InvalidName { what: "username", why })
}

/// Checks an email address: empty (none), or `local@domain` without spaces, 254 characters at
/// most.
pub(crate) fn check_email(email: &str) -> Result<()> {
    let why = if email.chars().count() > 254 {
        "it has more than 254 characters"
    } else if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "it has a space or a control character"
    } else if !email.is_empty()
        && !email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
    {
        "write it as name@example.com, or leave it empty"
    } else {
        return Ok(());
    };
    Err(StoreError::InvalidName { what: "email", why: why.to_owned() })
}

impl Store {
    /// The user named `username`, with its effective permissions, loaded in one query (or from
    /// the cache, never older than a change this store has seen committed).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], or a database error.
    pub async fn get_user(&self, username: &str) -> Result<User> {
        self.refresh_revision().await?;
        if let Some(user) = self.inner.cache.get(username) {
            return Ok(user);
        }
        let mut conn = self.inner.backend.read().await?;
        let snapshot = Snapshot::load_by_name(&mut conn.conn(), username).await?;
        drop(conn);
        let snapshot = snapshot.ok_or_else(|| StoreError::UserNotFound(username.to_owned()))?;
        let (revision, valid_until) = (snapshot.revision, snapshot.valid_until);
        let user = snapshot.into_user();
        self.inner.cache.put(revision, valid_until, &user);
        Ok(user)
    }

    /// The user with this id; see [`get_user`](Self::get_user).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], or a database error.
    pub async fn get_user_by_id(&self, id: i64) -> Result<User> {
        let mut conn = self.inner.backend.read().await?;
        let snapshot = Snapshot::load_by_id(&mut conn.conn(), id).await?;
        snapshot.map(Snapshot::into_user).ok_or_else(|| StoreError::UserNotFound(format!("#{id}")))
    }

    /// On SQLite, another process may have committed: one indexed read tells.
    async fn refresh_revision(&self) -> Result<()> {
        if self.is_postgres() || self.inner.options.cache_capacity == 0 {
            return Ok(());
        }
        let mut read = self.inner.backend.read().await?;
        let mut conn = read.conn();
        let sql = conn.sql().revision;
        let (revision,): (i64,) = conn.fetch_one(sql, &[]).await?;
        self.inner.cache.invalidate_before(revision);
        Ok(())
    }

    /// The revision of the last change this store knows of.
    #[must_use]
    pub fn known_revision(&self) -> i64 {
        self.inner.cache.revision()
    }

    /// Creates a user (active, not staff, not a superuser). With `password` `None`, the user has
    /// an unusable password, as Django's `create_user` without one. Needs `auth.add_user`.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidName`], [`StoreError::UsernameTaken`], [`StoreError::Refused`].
    pub async fn create_user(
        &self,
        actor: &Actor,
        username: &str,
        email: &str,
        password: Option<&str>,
    ) -> Result<User> {
        self.insert_user(actor, username, email, password, false).await
    }

    /// Creates a superuser (also staff). Only the system or a superuser may, and while the store
    /// allows one superuser, only when there is none.
    ///
    /// # Errors
    ///
    /// As [`create_user`](Self::create_user), and [`StoreError::SecondSuperuser`].
    pub async fn create_superuser(&self, actor: &Actor, username: &str, email: &str, password: &str) -> Result<User> {
        self.insert_user(actor, username, email, Some(password), true).await
    }

    async fn insert_user(
        &self,
        actor: &Actor,
        username: &str,
        email: &str,
        password: Option<&str>,
        superuser: bool,
    ) -> Result<User> {
        check_username(username)?;
        check_email(email)?;
        let hash = match password {
            Some(p) if !p.is_empty() => password::hash(p)?,
            Some(_) => return Err(StoreError::Password("a blank password is not allowed".into())),
            None => String::new(),
        };
        let mut tx = self.inner.backend.begin().await?;
        self.insert_user_in(&mut tx, actor, username, email, &hash, superuser).await?;
        self.commit_change(tx).await?;
        self.get_user(username).await
    }

    /// Inserts a user (checked by the caller) in `tx` under the rules of creating one, with its
    /// audit row; returns its id.
    pub(super) async fn insert_user_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        username: &str,
        email: &str,
        hash: &str,
        superuser: bool,
    ) -> Result<i64> {
        let acting = tx.acting(actor).await?;
        if superuser {
            acting.require_superuser().map_err(StoreError::Refused)?;
            if !self.inner.options.allow_multiple_superusers {
                tx.refuse_second_superuser().await?;
            }
        } else {
            acting.require(User::ADD_USER).map_err(StoreError::Refused)?;
        }
        let sql = tx.sql();
        if tx.conn().fetch_optional::<(i64,)>(sql.user_id, &[username.into()]).await?.is_some() {
            return Err(StoreError::UsernameTaken(username.to_owned()));
        }
        let args = [username.into(), email.into(), hash.into(), superuser.into(), now_micros().into()];
        tx.execute(sql.insert_user, &args).await?;
        let (id,): (i64,) = tx.conn().fetch_one(sql.user_id, &[username.into()]).await?;
        let action = if superuser { "create_superuser" } else { "create_user" };
        tx.audit(actor, AuditRecord::new(action).user(username)).await?;
        Ok(id)
    }

    /// Django's `authenticate`: the user, when the password matches and the account is active.
    /// Takes as long for an unknown user as for a wrong password.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql();
        let stored: Option<(String, bool)> = conn.fetch_optional(sql.user_password, &[username.into()]).await?;
        // Argon2 runs every time, so that timing tells no unknown user, no unusable password.
        let (hash, active) = stored.unwrap_or_default();
        let usable = password::is_usable(&hash);
        let matches = password::verify(password, if usable { &hash } else { password::dummy() });
        if !(usable && matches && active) {
            return Ok(None);
        }
        conn.execute(sql.touch_last_login, &[now_micros().into(), username.into()]).await?;
        drop(pooled);
        self.get_user(username).await.map(Some)
    }

    /// Whether `password` is the user's password.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], or a database error.
    pub async fn check_password(&self, username: &str, password: &str) -> Result<bool> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().user_password;
        let stored: Option<(String, bool)> = conn.fetch_optional(sql, &[username.into()]).await?;
        let (stored, _) = stored.ok_or_else(|| StoreError::UserNotFound(username.to_owned()))?;
        Ok(password::verify(password, &stored))
    }

    /// Sets a password: a user may set its own; another's only under the rules of taking
    /// control of an account (those of [`set_active`](Self::set_active), and the account holds
    /// nothing the actor lacks). Ends the user's sessions, revokes its API tokens and drops its
    /// invitations.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`], [`StoreError::Password`].
    pub async fn set_password(&self, actor: &Actor, username: &str, password: &str) -> Result<()> {
        if password.is_empty() {
            return Err(StoreError::Password("a blank password is not allowed".into()));
        }
        let hash = password::hash(password)?;
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        acting.may_reach_account(username).map_err(StoreError::Refused)?;
        let target = tx.target(username).await?;
        let id = target.id;
        acting.may_take_control(&target.into_user()).map_err(StoreError::Refused)?;
        let sql = tx.sql();
        tx.execute(sql.set_password, &[hash.as_str().into(), id.into()]).await?;
        end_credentials(&mut tx, id).await?;
        tx.audit(actor, AuditRecord::new("set_password").user(username)).await?;
        tx.commit().await
    }

    /// Changes a user's email, under the rules of taking control of an account (see
    /// [`set_password`](Self::set_password)): password resets and invitations follow the email,
    /// so a change drops the user's pending invitations.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`], [`StoreError::InvalidName`].
    pub async fn set_email(&self, actor: &Actor, username: &str, email: &str) -> Result<()> {
        self.update_user(actor, username, UserUpdate::new().email(email)).await
    }

    /// Activates or deactivates a user (Django: "unselect this instead of deleting accounts").
    /// Needs `auth.change_user`; never on oneself or on a superuser, but by a superuser.
    /// Deactivating ends the user's sessions and revokes its API tokens.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`].
    pub async fn set_active(&self, actor: &Actor, username: &str, active: bool) -> Result<()> {
        self.update_user(actor, username, UserUpdate::new().is_active(active)).await
    }

    /// Gives or takes the staff flag (admin access); the rules of [`set_active`](Self::set_active).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`].
    pub async fn set_staff(&self, actor: &Actor, username: &str, staff: bool) -> Result<()> {
        self.update_user(actor, username, UserUpdate::new().is_staff(staff)).await
    }

    /// Makes or unmakes a superuser: only the system or a superuser, and a second superuser only
    /// when the store allows several.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`], [`StoreError::SecondSuperuser`].
    pub async fn set_superuser(&self, actor: &Actor, username: &str, superuser: bool) -> Result<()> {
        self.update_user(actor, username, UserUpdate::new().is_superuser(superuser)).await
    }

    /// Applies several changes to a user in one transaction, each under its rule (those of
    /// [`set_email`](Self::set_email), [`set_active`](Self::set_active),
    /// [`set_staff`](Self::set_staff), [`set_superuser`](Self::set_superuser)); a refusal of any
    /// part writes nothing.
    ///
    /// # Errors
    ///
    /// As the setters of each part.
    pub async fn update_user(&self, actor: &Actor, username: &str, update: UserUpdate) -> Result<()> {
        if let Some(email) = &update.email {
            check_email(email)?;
        }
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        let target = tx.target(username).await?;
        let (id, rights) = (target.id, target.target());
        let user = target.into_user();
        let sql = tx.sql();
        if let Some(email) = &update.email {
            acting.may_take_control(&user).map_err(StoreError::Refused)?;
            tx.execute(sql.set_email, &[email.into(), id.into()]).await?;
            // An invitation went to the old address: it must not outlive it.
            tx.execute(sql.delete_invitations, &[id.into()]).await?;
            tx.audit(actor, AuditRecord::new("set_email").user(username).detail(email)).await?;
        }
        let flags = [
            (update.is_active, sql.set_active, "set_active"),
            (update.is_staff, sql.set_staff, "set_staff"),
            (update.is_superuser, sql.set_superuser, "set_superuser"),
        ];
        for (value, statement, action) in flags {
            let Some(value) = value else { continue };
            if action == "set_superuser" {
                acting.require_superuser().map_err(StoreError::Refused)?;
                if value && !self.inner.options.allow_multiple_superusers && !rights.superuser {
                    tx.refuse_second_superuser().await?;
                }
            } else {
                acting.may_change_user(rights).map_err(StoreError::Refused)?;
            }
            tx.execute(statement, &[value.into(), id.into()]).await?;
            if action == "set_active" && !value {
                end_credentials(&mut tx, id).await?;
            }
            let detail = value.to_string();
            tx.audit(actor, AuditRecord::new(action).user(username).detail(&detail)).await?;
        }
        self.commit_change(tx).await?;
        Ok(())
    }
}

/// Ends a user's sessions, revokes its API tokens and drops its invitations, in the change's
/// transaction.
pub(super) async fn end_credentials(tx: &mut Tx, user_id: i64) -> Result<()> {
    let sql = tx.sql();
    tx.execute(sql.end_sessions, &[user_id.into()]).await?;
    tx.execute(sql.delete_invitations, &[user_id.into()]).await?;
    tx.execute(sql.revoke_tokens, &[now_micros().into(), user_id.into()]).await?;
    Ok(())
}
