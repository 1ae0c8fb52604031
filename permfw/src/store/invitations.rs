//! Invitations: a user created without a password, and in the same transaction a notification
//! carrying a one-time link with which the user sets its own password. The link's secret is
//! random and stored only as its SHA-256 hash (as sessions and API tokens are); it works once,
//! until it expires, and only for an active account.
//!
//! Whoever can mint such a link for an existing account controls that account, so a link is
//! made only with the account it is for: [`Store::invite_user`] creates the user. Changing the
//! user's email, setting its password or deactivating it drops its pending invitations.

use std::time::Duration;

use super::audit::AuditRecord;
use super::credentials::{digest, secret};
use super::error::{Result, StoreError};
use super::users::{check_email, check_username, end_credentials};
use super::{Actor, Store, now_micros, password};
use crate::User;

/// The outbox event of an invitation (see `permfw::notify`, which renders its link as
/// `{admin_url}/invitation/{token}`).
pub const INVITATION_EVENT: &str = "invitation";

impl Store {
    /// Creates a user (active, not staff) with no usable password, and in the same transaction
    /// writes an [`INVITATION_EVENT`] notification to its email address whose payload carries
    /// `username`, `token` (the one-time secret) and `expires_at` (microseconds since the Unix
    /// epoch, `valid_for` from now). The token is not returned: it reaches only the mailbox.
    /// The rules of [`create_user`](Self::create_user) (`auth.add_user`); a refusal writes
    /// neither the user nor the notification.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidName`] (also for an empty email: an invitation needs one),
    /// [`StoreError::UsernameTaken`], [`StoreError::Refused`].
    pub async fn invite_user(&self, actor: &Actor, username: &str, email: &str, valid_for: Duration) -> Result<User> {
        check_username(username)?;
        check_email(email)?;
        if email.is_empty() {
            let why = "an invitation is sent by mail; give an email address, or set a password instead".to_owned();
            return Err(StoreError::InvalidName { what: "email", why });
        }
        let token = secret()?;
        let now = now_micros();
        let expires_at = now.saturating_add(i64::try_from(valid_for.as_micros()).unwrap_or(i64::MAX));
        let mut tx = self.inner.backend.begin().await?;
        let id = self.insert_user_in(&mut tx, actor, username, email, "", false).await?;
        let sql = tx.sql().insert_invitation;
        let token_hash = digest(&token);
        tx.execute(sql, &[token_hash.as_str().into(), id.into(), now.into(), expires_at.into()]).await?;
        let payload = serde_json::json!({ "username": username, "token": token, "expires_at": expires_at });
        tx.notify(INVITATION_EVENT, username, email, &payload).await?;
        let detail = format!("invitation sent to {email}");
        tx.audit(actor, AuditRecord::new("invite_user").user(username).detail(&detail)).await?;
        self.commit_change(tx).await?;
        self.wake_outbox();
        self.get_user(username).await
    }

    /// The username of a live invitation (unused, unexpired, its account active), or `None`.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn invitation(&self, token: &str) -> Result<Option<String>> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().invitation_user;
        let row: Option<(i64, String)> =
            conn.fetch_optional(sql, &[digest(token).as_str().into(), now_micros().into()]).await?;
        Ok(row.map(|(_, username)| username))
    }

    /// Sets the password of a live invitation's user, as that user, and uses the invitation up
    /// (with every other invitation of the user): returns the username, or `None` for a token
    /// that is unknown, used, expired, or whose account is deactivated (nothing is written
    /// then). Audited as `accept_invitation` by the user itself.
    ///
    /// # Errors
    ///
    /// [`StoreError::Password`] for a blank password, or a database error.
    pub async fn accept_invitation(&self, token: &str, password: &str) -> Result<Option<String>> {
        if password.is_empty() {
            return Err(StoreError::Password("a blank password is not allowed".into()));
        }
        let hash = password::hash(password)?;
        let mut tx = self.inner.backend.begin().await?;
        let sql = tx.sql();
        let row: Option<(i64, String)> = tx
            .conn()
            .fetch_optional(sql.invitation_user, &[digest(token).as_str().into(), now_micros().into()])
            .await?;
        let Some((id, username)) = row else { return Ok(None) };
        tx.execute(sql.set_password, &[hash.as_str().into(), id.into()]).await?;
        end_credentials(&mut tx, id).await?;
        let actor = Actor::User(username.clone());
        let record = AuditRecord::new("accept_invitation").user(&username).detail("password set through an invitation");
        tx.audit(&actor, record).await?;
        tx.commit().await?;
        Ok(Some(username))
    }
}
