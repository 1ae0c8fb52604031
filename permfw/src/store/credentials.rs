//! The web's credentials: server-side login sessions and API tokens, both kept only as SHA-256 hashes of random
//! secrets, so that a copy of the database logs nobody in.

use sha2::{Digest, Sha256};

use super::audit::AuditRecord;
use super::error::{Result, StoreError};
use super::rules::Target;
use super::{Actor, Store, now_micros};
use crate::User;

/// A new login session: the secret goes in a cookie, the CSRF token in forms.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Session {
    /// The session's secret key (only its hash is stored).
    pub key: String,
    /// The token that state-changing forms must carry.
    pub csrf_token: String,
    /// When it expires, in microseconds since the Unix epoch.
    pub expires_at: i64,
}

/// A new API token, shown once: only its hash is stored.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewToken {
    /// The token's id, to list or revoke it.
    pub id: i64,
    /// The secret the client sends as `Authorization: Bearer <token>`.
    pub token: String,
}

/// id, name, created at, last used at, expires at, revoked at.
type TokenRow = (i64, String, i64, Option<i64>, Option<i64>, Option<i64>);

/// An API token as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct TokenRecord {
    /// The token's id.
    pub id: i64,
    /// The name its owner gave it.
    pub name: String,
    /// When it was created, in microseconds since the Unix epoch.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize"))]
    pub created_at: i64,
    /// When it was last used (to the minute), if ever.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize_opt"))]
    pub last_used_at: Option<i64>,
    /// When it expires, if ever.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize_opt"))]
    pub expires_at: Option<i64>,
    /// When it was revoked, if it was.
    #[cfg_attr(feature = "serde", serde(serialize_with = "super::time::serialize_opt"))]
    pub revoked_at: Option<i64>,
}

/// The user of a live API token, and the token's id and expiry (a token may not mint one that
/// outlives it).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TokenUser {
    /// The user, as a fresh snapshot.
    pub user: User,
    /// The token's id.
    pub token_id: i64,
    /// When the token expires, if ever, in microseconds since the Unix epoch.
    pub expires_at: Option<i64>,
}

/// The user of a live session, with the session's CSRF token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionUser {
    /// The user, as a fresh snapshot.
    pub user: User,
    /// The token that state-changing forms of this session must carry.
    pub csrf_token: String,
}

/// A random secret: 32 bytes from the operating system, as 64 hex digits.
pub(crate) fn secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Password(format!("no randomness from the system: {e}")))?;
    Ok(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a secret.
pub(crate) fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

impl Store {
    /// Starts a session for `user` (a new key each time, as Django's login cycles it), valid for
    /// `lifetime_secs`.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn create_session(&self, user: &User, lifetime_secs: i64) -> Result<Session> {
        let id = user.id().ok_or_else(|| StoreError::UserNotFound(user.username().to_owned()))?;
        let (key, csrf_token) = (secret()?, secret()?);
        let now = now_micros();
        let expires_at = now + lifetime_secs.saturating_mul(1_000_000);
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().insert_session;
        let key_hash = digest(&key);
        let args = [key_hash.as_str().into(), id.into(), csrf_token.as_str().into(), now.into(), expires_at.into()];
        conn.execute(sql, &args).await?;
        Ok(Session { key, csrf_token, expires_at })
    }

    /// The user of a live session and its CSRF token, as a fresh snapshot; `None` for an unknown,
    /// ended or expired key.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn session_user(&self, key: &str) -> Result<Option<SessionUser>> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().session_user;
        let key_hash = digest(key);
        let row: Option<(String, String)> =
            conn.fetch_optional(sql, &[key_hash.as_str().into(), now_micros().into()]).await?;
        drop(pooled);
        let Some((username, csrf)) = row else { return Ok(None) };
        Ok(Some(SessionUser { user: self.get_user(&username).await?, csrf_token: csrf }))
    }

    /// Ends a session (logout); the key is refused from then on.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn end_session(&self, key: &str) -> Result<()> {
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql().delete_session;
        conn.execute(sql, &[digest(key).as_str().into()]).await?;
        Ok(())
    }

    /// Ends every admin session of `username` (logs the user out everywhere); returns how many
    /// there were. Audited as `end_sessions`, even when there were none. Ending sessions takes
    /// nothing from the account, so the takeover rule does not apply: a user may end its own;
    /// another's needs `auth.change_user` and the rules of changing that user (never a
    /// superuser, but by a superuser).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`].
    pub async fn end_sessions(&self, actor: &Actor, username: &str) -> Result<u64> {
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        // Another's account needs `auth.change_user` first, so that a caller without it learns
        // nothing of the target.
        acting.may_reach_account(username).map_err(StoreError::Refused)?;
        let target = tx.target(username).await?;
        acting.may_manage_credentials(target.target()).map_err(StoreError::Refused)?;
        let sql = tx.sql().end_sessions;
        let ended = tx.execute(sql, &[target.id.into()]).await?;
        let detail = if ended == 1 { "1 session".to_owned() } else { format!("{ended} sessions") };
        tx.audit(actor, AuditRecord::new("end_sessions").user(username).detail(&detail)).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Creates an API token for `username`, shown this once: only its hash is stored. A user may
    /// create its own; another's only under the rules of taking control of an account (see
    /// [`set_password`](Self::set_password)).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`].
    pub async fn create_token(
        &self,
        actor: &Actor,
        username: &str,
        name: &str,
        expires_at: Option<i64>,
    ) -> Result<NewToken> {
        let token = format!("pfw_{}", secret()?);
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        // Another's account needs `auth.change_user` first, so that a caller without it learns
        // nothing of the target (not whether it exists, nor whether it is the superuser).
        acting.may_reach_account(username).map_err(StoreError::Refused)?;
        let target = tx.target(username).await?;
        let target_id = target.id;
        acting.may_take_control(&target.into_user()).map_err(StoreError::Refused)?;
        let sql = tx.sql().insert_token;
        let token_hash = digest(&token);
        let args = [target_id.into(), name.into(), token_hash.as_str().into(), now_micros().into(), expires_at.into()];
        let (id,): (i64,) = tx.conn().fetch_one(sql, &args).await?;
        let detail = format!("token #{id} {name}");
        tx.audit(actor, AuditRecord::new("create_token").user(username).detail(&detail)).await?;
        tx.commit().await?;
        Ok(NewToken { id, token })
    }

    /// A user's API tokens, newest first, live or not (never their secrets). A user may list its
    /// own; another's only under the rules of taking control of an account.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`].
    pub async fn list_tokens(&self, actor: &Actor, username: &str) -> Result<Vec<TokenRecord>> {
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        // Another's account needs `auth.change_user` first, so that a caller without it learns
        // nothing of the target (not whether it exists, nor whether it is the superuser).
        acting.may_reach_account(username).map_err(StoreError::Refused)?;
        let target = tx.target(username).await?;
        let target_id = target.id;
        acting.may_take_control(&target.into_user()).map_err(StoreError::Refused)?;
        let sql = tx.sql().list_tokens;
        let rows: Vec<TokenRow> = tx.conn().fetch_all(sql, &[target_id.into()]).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, created_at, last_used_at, expires_at, revoked_at)| TokenRecord {
                id,
                name,
                created_at,
                last_used_at,
                expires_at,
                revoked_at,
            })
            .collect())
    }

    /// Revokes a token by id; the rules of [`create_token`](Self::create_token).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`] for an unknown token, [`StoreError::Refused`].
    pub async fn revoke_token(&self, actor: &Actor, token_id: i64) -> Result<()> {
        let mut tx = self.inner.backend.begin().await?;
        let acting = tx.acting(actor).await?;
        let sql = tx.sql();
        let owner: Option<(String, i64, bool)> = tx.conn().fetch_optional(sql.token_owner, &[token_id.into()]).await?;
        let (username, id, superuser) = owner.ok_or(StoreError::TokenNotFound(token_id))?;
        acting.may_manage_credentials(Target { id, superuser }).map_err(StoreError::Refused)?;
        tx.execute(sql.revoke_token, &[now_micros().into(), token_id.into()]).await?;
        let detail = format!("token #{token_id}");
        tx.audit(actor, AuditRecord::new("revoke_token").user(&username).detail(&detail)).await?;
        tx.commit().await
    }

    /// The user of a live API token, as a fresh snapshot, with the token's id and expiry;
    /// `None` for an unknown, revoked or expired one. Records the use (to the minute).
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn token_user(&self, token: &str) -> Result<Option<TokenUser>> {
        let now = now_micros();
        let mut pooled = self.inner.backend.acquire().await?;
        let mut conn = pooled.conn();
        let sql = conn.sql();
        let token_hash = digest(token);
        let found: Option<(i64, String, Option<i64>, Option<i64>)> =
            conn.fetch_optional(sql.token_user, &[token_hash.as_str().into(), now.into()]).await?;
        let Some((token_id, username, last_used_at, expires_at)) = found else { return Ok(None) };
        if last_used_at.is_none_or(|last| last < now - 60_000_000) {
            conn.execute(sql.touch_token, &[now.into(), token_id.into()]).await?;
        }
        drop(pooled);
        let user = self.get_user(&username).await?;
        Ok(Some(TokenUser { user, token_id, expires_at }))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_random_and_stored_hashed() {
        let (a, b) = (super::secret().unwrap(), super::secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(super::digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
