//! Users: creating, loading (a snapshot in one query), flags, passwords, direct grants, and
//! Django's `with_perm`.

use std::collections::{BTreeMap, HashSet};

use super::backend::{bump_revision, is_postgres_tx, with_pool, write_tx};
use super::error::{Result, StoreError};
use super::row::RowExt;
use super::rules::{ADD_USER, Rights, Target};
use super::{Actor, Store, now_micros, password};
use crate::as_permission::{AsPermission, Key};
use crate::{Group, User, registry};

/// One user's snapshot in one statement and one row: the user, the database's revision, its
/// direct permissions (space-separated) and its groups (name, unit separator, permissions; record
/// separator between groups). One row, because each row costs a round trip to the driver.
macro_rules! snapshot_sql {
    ($agg:literal, $chr:literal, $filter:literal) => {
        concat!(
            "SELECT u.id, u.username, u.email, u.is_active, u.is_staff, u.is_superuser, ",
            "(SELECT revision FROM permfw_revision WHERE id = 1), ",
            "(SELECT ", $agg, "(p.app_label || '.' || p.codename, ' ') FROM auth_user_user_permissions up ",
            "JOIN auth_permission p ON p.id = up.permission_id WHERE up.user_id = u.id), ",
            "(SELECT ", $agg, "(g.name || ", $chr, "(31) || COALESCE((SELECT ", $agg, "(p.app_label || '.' || p.codename, ' ') ",
            "FROM auth_group_permissions gp JOIN auth_permission p ON p.id = gp.permission_id WHERE gp.group_id = g.id), ''), ",
            $chr, "(30)) FROM auth_user_groups ug JOIN auth_group g ON g.id = ug.group_id WHERE ug.user_id = u.id) ",
            "FROM auth_user u WHERE ", $filter
        )
    };
}

pub(crate) const SNAPSHOT_BY_NAME: [&str; 2] =
    [snapshot_sql!("group_concat", "char", "u.username = $1"), snapshot_sql!("string_agg", "chr", "u.username = $1")];
pub(crate) const SNAPSHOT_BY_ID: [&str; 2] =
    [snapshot_sql!("group_concat", "char", "u.id = $1"), snapshot_sql!("string_agg", "chr", "u.id = $1")];

/// A user as the database holds it, before it becomes a `User`.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) id: i64,
    username: String,
    email: String,
    active: bool,
    staff: bool,
    superuser: bool,
    revision: i64,
    direct: Vec<String>,
    groups: BTreeMap<String, Vec<String>>,
}

impl Snapshot {
    pub(crate) fn from_row<R: RowExt>(row: Option<R>) -> Result<Option<Self>> {
        let Some(row) = row else { return Ok(None) };
        let direct = row.text(7)?.unwrap_or_default().split(' ').filter(|p| !p.is_empty()).map(str::to_owned).collect();
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for group in row.text(8)?.unwrap_or_default().split('\u{1e}').filter(|g| !g.is_empty()) {
            let (name, perms) = group.split_once('\u{1f}').unwrap_or((group, ""));
            let perms = perms.split(' ').filter(|p| !p.is_empty()).map(str::to_owned);
            groups.entry(name.to_owned()).or_default().extend(perms);
        }
        Ok(Some(Snapshot {
            id: row.int(0)?,
            username: row.text(1)?.unwrap_or_default(),
            email: row.text(2)?.unwrap_or_default(),
            active: row.flag(3)?,
            staff: row.flag(4)?,
            superuser: row.flag(5)?,
            revision: row.int(6)?,
            direct,
            groups,
        }))
    }

    fn into_user(self) -> User {
        let registry = registry();
        let mut builder = User::builder(self.username)
            .id(self.id)
            .email(self.email)
            .active(self.active)
            .staff(self.staff)
            .superuser(self.superuser);
        // A row that no linked model declares (a stale permission) grants nothing: deny by default.
        for perm in self.direct.iter().filter_map(|p| registry.get(p)) {
            builder = builder.permission(perm);
        }
        for (name, perms) in &self.groups {
            let group = Group::new(name.clone()).with_permissions(perms.iter().filter_map(|p| registry.get(p)));
            builder = builder.group(&group);
        }
        builder.build()
    }

    pub(crate) fn target(&self) -> Target {
        Target { id: self.id, superuser: self.superuser }
    }

    pub(crate) fn rights(&self) -> Rights {
        let mut perms: HashSet<String> = self.direct.iter().cloned().collect();
        perms.extend(self.groups.values().flatten().cloned());
        Rights { id: self.id, active: self.active, superuser: self.superuser, perms }
    }
}

/// Loads a snapshot through any executor (`$exec`: a pool or `&mut *tx`) by username or id.
macro_rules! load {
    ($exec:expr, name = $name:expr) => {
        $crate::store::users::load!(@ $exec, $crate::store::users::SNAPSHOT_BY_NAME, $name)
    };
    ($exec:expr, id = $id:expr) => {
        $crate::store::users::load!(@ $exec, $crate::store::users::SNAPSHOT_BY_ID, $id)
    };
    (@ $exec:expr, $sql:expr, $key:expr) => {
        async {
            let exec = $exec;
            let sql = $sql[usize::from($crate::store::backend::Dialectal::postgres(&exec))];
            let row = sqlx::query(sql).bind($key).fetch_optional(exec).await?;
            $crate::store::users::Snapshot::from_row(row)
        }
        .await
    };
}

/// The acting side of a change, read inside its transaction.
macro_rules! acting {
    ($tx:ident, $actor:expr) => {
        match $actor {
            $crate::store::Actor::System => $crate::store::rules::Acting::System,
            $crate::store::Actor::User(name) => match $crate::store::users::load!(&mut *$tx, name = name.as_str())? {
                Some(snapshot) => $crate::store::rules::Acting::User(snapshot.rights()),
                None => {
                    return Err($crate::store::StoreError::Refused($crate::store::Rule::ActorInactive));
                }
            },
        }
    };
}

/// The target user of a change, read inside its transaction.
macro_rules! target {
    ($tx:ident, $username:expr) => {
        match $crate::store::users::load!(&mut *$tx, name = $username)? {
            Some(snapshot) => snapshot,
            None => return Err($crate::store::StoreError::UserNotFound($username.to_owned())),
        }
    };
}

/// Writes one audit row inside the change's transaction.
macro_rules! audit {
    ($tx:ident, $actor:expr, $action:expr, user = $user:expr, group = $group:expr, perm = $perm:expr, detail = $detail:expr) => {
        sqlx::query(
            "INSERT INTO permfw_audit (at, actor, action, target_user, target_group, permission, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($crate::store::now_micros())
        .bind($actor.label())
        .bind($action)
        .bind($user)
        .bind($group)
        .bind($perm)
        .bind($detail)
        .execute(&mut *$tx)
        .await?
    };
}

/// Refuses (returns the error from the enclosing transaction body) when a superuser exists: the
/// single-superuser setting.
macro_rules! refuse_second_superuser {
    ($tx:ident) => {
        let existing: Option<String> = sqlx::query_scalar("SELECT username FROM auth_user WHERE is_superuser LIMIT 1")
            .fetch_optional(&mut *$tx)
            .await?;
        if let Some(existing) = existing {
            return Err(StoreError::SecondSuperuser { existing });
        }
    };
}

pub(crate) use {acting, audit, load, target};

/// A user as listed: the row, without its permissions.
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
    pub date_joined: i64,
}

/// A page of [`Store::list_users`]: keyset pagination by username, no count of the table.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct UserPage {
    after: Option<String>,
    limit: Option<u32>,
    search: Option<String>,
}

impl UserPage {
    /// The first page.
    pub fn first() -> Self {
        Self::default()
    }

    /// The page after this username.
    pub fn after(mut self, username: impl Into<String>) -> Self {
        self.after = Some(username.into());
        self
    }

    /// At most this many users (default 100, at most 1,000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Only users whose username or email contains this text.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }
}

/// Options of [`Store::users_with_perm`], with Django's defaults.
#[derive(Clone, Debug)]
#[must_use]
pub struct WithPerm {
    include_superusers: bool,
    is_active: Option<bool>,
    after_id: i64,
    limit: u32,
}

impl Default for WithPerm {
    fn default() -> Self {
        Self { include_superusers: true, is_active: Some(true), after_id: 0, limit: 100 }
    }
}

impl WithPerm {
    /// Whether superusers count, as holding every permission (default true).
    pub fn include_superusers(mut self, include: bool) -> Self {
        self.include_superusers = include;
        self
    }

    /// Only active users (`Some(true)`, the default), only inactive ones, or both (`None`).
    pub fn is_active(mut self, active: Option<bool>) -> Self {
        self.is_active = active;
        self
    }

    /// The page after this user id.
    pub fn after_id(mut self, id: i64) -> Self {
        self.after_id = id;
        self
    }

    /// At most this many users (default 100).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }
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

/// `perm` as a registered `app_label.codename`.
pub(crate) fn resolve(perm: &impl AsPermission) -> Result<String> {
    let name = match perm.key() {
        Key::Perm(p) => return Ok(p.as_str().to_owned()),
        Key::Str(s) => s,
        Key::Site(site) => site.perm(),
    };
    let well_formed =
        name.split_once('.').is_some_and(|(app, code)| !app.is_empty() && !code.is_empty() && !code.contains('.'));
    if !well_formed {
        return Err(StoreError::MalformedPermission(name.to_owned()));
    }
    registry().get(name).map(|p| p.as_str().to_owned()).ok_or_else(|| StoreError::UnknownPermission(name.to_owned()))
}

pub(crate) fn resolve_all<P: AsPermission>(perms: impl IntoIterator<Item = P>) -> Result<Vec<String>> {
    let mut out: Vec<String> = perms.into_iter().map(|p| resolve(&p)).collect::<Result<_>>()?;
    out.dedup();
    Ok(out)
}

pub(crate) const PERMISSION_ID: &str = "SELECT id FROM auth_permission WHERE app_label = $1 AND codename = $2";

/// The id of a synced permission row, or `UnknownPermission` telling to migrate.
macro_rules! permission_id {
    ($store:expr, $exec:expr, $perm:expr) => {
        async {
            let perm: &str = $perm;
            if let Some(id) = $store.inner.cache.permission_id(perm) {
                return Ok(id);
            }
            let (app, code) = perm.split_once('.').unwrap_or_default();
            let id: Option<i64> = sqlx::query_scalar($crate::store::users::PERMISSION_ID)
                .bind(app)
                .bind(code)
                .fetch_optional($exec)
                .await?;
            let id = id.ok_or_else(|| {
                $crate::store::StoreError::UnknownPermission(format!("{perm} (not in the database: run `migrate`)"))
            })?;
            $store.inner.cache.remember_permission_id(perm, id);
            Ok::<i64, $crate::store::StoreError>(id)
        }
        .await
    };
}

pub(crate) use permission_id;

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
        let snapshot = with_pool!(&self.inner.backend, pool => load!(pool, name = username))?;
        let snapshot = snapshot.ok_or_else(|| StoreError::UserNotFound(username.to_owned()))?;
        let revision = snapshot.revision;
        let user = snapshot.into_user();
        self.inner.cache.put(revision, &user);
        Ok(user)
    }

    /// The user with this id; see [`get_user`](Self::get_user).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], or a database error.
    pub async fn get_user_by_id(&self, id: i64) -> Result<User> {
        let snapshot = with_pool!(&self.inner.backend, pool => load!(pool, id = id))?;
        snapshot.map(Snapshot::into_user).ok_or_else(|| StoreError::UserNotFound(format!("#{id}")))
    }

    /// On SQLite, another process may have committed: one indexed read tells.
    async fn refresh_revision(&self) -> Result<()> {
        if self.is_postgres() || self.inner.options.cache_capacity == 0 {
            return Ok(());
        }
        let revision: i64 = with_pool!(&self.inner.backend, pool => {
            sqlx::query_scalar("SELECT revision FROM permfw_revision WHERE id = 1").fetch_one(pool).await?
        });
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
        let hash = match password {
            Some(p) if !p.is_empty() => password::hash(p)?,
            Some(_) => {
                return Err(StoreError::Password("a blank password is not allowed".into()));
            }
            None => String::new(),
        };
        let single = !self.inner.options.allow_multiple_superusers;
        let revision = write_tx!(&self.inner.backend, tx => async {
            let acting = acting!(tx, actor);
            if superuser {
                acting.require_superuser().map_err(StoreError::Refused)?;
                if single {
                    refuse_second_superuser!(tx);
                }
            } else {
                acting.require(ADD_USER).map_err(StoreError::Refused)?;
            }
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM auth_user WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::UsernameTaken(username.to_owned()));
            }
            sqlx::query(
                "INSERT INTO auth_user (username, email, password, is_active, is_staff, is_superuser, date_joined) \
                 VALUES ($1, $2, $3, TRUE, $4, $4, $5)",
            )
            .bind(username)
            .bind(email)
            .bind(&hash)
            .bind(superuser)
            .bind(now_micros())
            .execute(&mut *tx)
            .await?;
            let action = if superuser { "create_superuser" } else { "create_user" };
            sqlx::query("INSERT INTO permfw_audit (at, actor, action, target_user) VALUES ($1, $2, $3, $4)")
                .bind(now_micros())
                .bind(actor.label())
                .bind(action)
                .bind(username)
                .execute(&mut *tx)
                .await?;
            bump_revision!(tx)
        }
        .await)?;
        self.inner.cache.invalidate_before(revision);
        self.get_user(username).await
    }

    /// Django's `authenticate`: the user, when the password matches and the account is active.
    /// Takes as long for an unknown user as for a wrong password.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn authenticate(&self, username: &str, password: &str) -> Result<Option<User>> {
        let stored: Option<(String, bool)> = with_pool!(&self.inner.backend, pool => {
            sqlx::query_as("SELECT password, is_active FROM auth_user WHERE username = $1")
                .bind(username)
                .fetch_optional(pool)
                .await?
        });
        let Some((hash, active)) = stored else {
            let _ = password::verify(password, password::dummy());
            return Ok(None);
        };
        if !password::verify(password, &hash) || !active {
            return Ok(None);
        }
        with_pool!(&self.inner.backend, pool => {
            sqlx::query("UPDATE auth_user SET last_login = $1 WHERE username = $2")
                .bind(now_micros())
                .bind(username)
                .execute(pool)
                .await?;
        });
        self.get_user(username).await.map(Some)
    }

    /// Whether `password` is the user's password.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], or a database error.
    pub async fn check_password(&self, username: &str, password: &str) -> Result<bool> {
        let stored: Option<String> = with_pool!(&self.inner.backend, pool => {
            sqlx::query_scalar("SELECT password FROM auth_user WHERE username = $1").bind(username).fetch_optional(pool).await?
        });
        let stored = stored.ok_or_else(|| StoreError::UserNotFound(username.to_owned()))?;
        Ok(password::verify(password, &stored))
    }

    /// Sets a password: a user may set its own; another's needs the rules of
    /// [`set_active`](Self::set_active).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`], [`StoreError::Password`].
    pub async fn set_password(&self, actor: &Actor, username: &str, password: &str) -> Result<()> {
        if password.is_empty() {
            return Err(StoreError::Password("a blank password is not allowed".into()));
        }
        let hash = password::hash(password)?;
        write_tx!(&self.inner.backend, tx => async {
            let acting = acting!(tx, actor);
            let target = target!(tx, username);
            acting.may_manage_credentials(target.target()).map_err(StoreError::Refused)?;
            sqlx::query("UPDATE auth_user SET password = $1 WHERE id = $2").bind(&hash).bind(target.id).execute(&mut *tx).await?;
            audit!(tx, actor, "set_password", user = username, group = None::<String>, perm = None::<String>, detail = "");
            Ok(())
        }
        .await)
    }

    /// Activates or deactivates a user (Django: "unselect this instead of deleting accounts").
    /// Needs `auth.change_user`; never on oneself or on a superuser, but by a superuser.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`].
    pub async fn set_active(&self, actor: &Actor, username: &str, active: bool) -> Result<()> {
        self.set_flag(actor, username, Flag::Active, active).await
    }

    /// Gives or takes the staff flag (admin access); the rules of [`set_active`](Self::set_active).
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`].
    pub async fn set_staff(&self, actor: &Actor, username: &str, staff: bool) -> Result<()> {
        self.set_flag(actor, username, Flag::Staff, staff).await
    }

    /// Makes or unmakes a superuser: only the system or a superuser, and a second superuser only
    /// when the store allows several.
    ///
    /// # Errors
    ///
    /// [`StoreError::UserNotFound`], [`StoreError::Refused`], [`StoreError::SecondSuperuser`].
    pub async fn set_superuser(&self, actor: &Actor, username: &str, superuser: bool) -> Result<()> {
        self.set_flag(actor, username, Flag::Superuser, superuser).await
    }

    async fn set_flag(&self, actor: &Actor, username: &str, flag: Flag, value: bool) -> Result<()> {
        let single = !self.inner.options.allow_multiple_superusers;
        let revision = write_tx!(&self.inner.backend, tx => async {
            let acting = acting!(tx, actor);
            let target = target!(tx, username);
            let (sql, action) = match flag {
                Flag::Active => ("UPDATE auth_user SET is_active = $1 WHERE id = $2", "set_active"),
                Flag::Staff => ("UPDATE auth_user SET is_staff = $1 WHERE id = $2", "set_staff"),
                Flag::Superuser => ("UPDATE auth_user SET is_superuser = $1 WHERE id = $2", "set_superuser"),
            };
            if flag == Flag::Superuser {
                acting.require_superuser().map_err(StoreError::Refused)?;
                if value && single && !target.superuser {
                    refuse_second_superuser!(tx);
                }
            } else {
                acting.may_change_user(target.target()).map_err(StoreError::Refused)?;
            }
            sqlx::query(sql).bind(value).bind(target.id).execute(&mut *tx).await?;
            audit!(tx, actor, action, user = username, group = None::<String>, perm = None::<String>, detail = value.to_string());
            bump_revision!(tx)
        }
        .await)?;
        self.inner.cache.invalidate_before(revision);
        Ok(())
    }

    /// A page of users, by username, with optional search in usernames and emails.
    ///
    /// # Errors
    ///
    /// A database error.
    pub async fn list_users(&self, page: UserPage) -> Result<Vec<UserRecord>> {
        let limit = i64::from(page.limit.unwrap_or(100).clamp(1, 1000));
        let after = page.after.unwrap_or_default();
        let search = page.search.filter(|s| !s.is_empty());
        // Django's `icontains`: the literal text anywhere in the username or the email, any case.
        let pattern =
            search.as_ref().map(|s| format!("%{}%", s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        // SQLite: three characters or more go through the trigram index as one phrase.
        let phrase =
            search.as_ref().filter(|s| s.chars().count() >= 3).map(|s| format!("\"{}\"", s.replace('"', "\"\"")));
        let rows: Vec<(i64, String, String, bool, bool, bool, i64)> = with_pool!(&self.inner.backend, pool => {
            let postgres = super::backend::Dialectal::postgres(&pool);
            let sql = match (postgres, &phrase) {
                (true, _) => {
                    "SELECT id, username, email, is_active, is_staff, is_superuser, date_joined FROM auth_user \
                     WHERE username > $1 AND ($2::text IS NULL OR username ILIKE $2 ESCAPE '\\' OR email ILIKE $2 ESCAPE '\\') \
                     AND ($4::text IS NULL OR TRUE) ORDER BY username LIMIT $3"
                }
                (false, Some(_)) => {
                    "SELECT id, username, email, is_active, is_staff, is_superuser, date_joined FROM auth_user \
                     WHERE username > $1 AND id IN (SELECT rowid FROM auth_user_search WHERE auth_user_search MATCH $4) \
                     AND ($2 IS NULL OR username LIKE $2 ESCAPE '\\' OR email LIKE $2 ESCAPE '\\') \
                     ORDER BY username LIMIT $3"
                }
                (false, None) => {
                    "SELECT id, username, email, is_active, is_staff, is_superuser, date_joined FROM auth_user \
                     WHERE username > $1 AND ($2 IS NULL OR username LIKE $2 ESCAPE '\\' OR email LIKE $2 ESCAPE '\\') \
                     AND ($4 IS NULL OR TRUE) ORDER BY username LIMIT $3"
                }
            };
            sqlx::query_as(sql).bind(&after).bind(&pattern).bind(limit).bind(&phrase).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, username, email, is_active, is_staff, is_superuser, date_joined)| UserRecord {
                id,
                username,
                email,
                is_active,
                is_staff,
                is_superuser,
                date_joined,
            })
            .collect())
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
        self.change_user_perms(actor, username, resolve_all(perms)?, true).await
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
        self.change_user_perms(actor, username, resolve_all(perms)?, false).await
    }

    async fn change_user_perms(&self, actor: &Actor, username: &str, perms: Vec<String>, grant: bool) -> Result<usize> {
        let (changed, revision) = write_tx!(&self.inner.backend, tx => async {
            let acting = acting!(tx, actor);
            let target = target!(tx, username);
            acting.may_change_user(target.target()).map_err(StoreError::Refused)?;
            let mut changed = 0;
            for perm in &perms {
                acting.may_hand_over(perm).map_err(StoreError::Refused)?;
                let permission_id = permission_id!(self, &mut *tx, perm)?;
                let sql = if grant {
                    "INSERT INTO auth_user_user_permissions (user_id, permission_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
                } else {
                    "DELETE FROM auth_user_user_permissions WHERE user_id = $1 AND permission_id = $2"
                };
                let done = sqlx::query(sql).bind(target.id).bind(permission_id).execute(&mut *tx).await?.rows_affected();
                if done > 0 {
                    changed += 1;
                    let action = if grant { "grant_user" } else { "revoke_user" };
                    audit!(tx, actor, action, user = username, group = None::<String>, perm = perm.as_str(), detail = "");
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

    /// Grants one permission to many users at once, in one transaction and a few set-based
    /// statements (the rules of [`grant_user`](Self::grant_user) for each). Returns how many
    /// gained it.
    ///
    /// # Errors
    ///
    /// As `grant_user`, and [`StoreError::UserNotFound`] naming a missing user; one refusal
    /// writes nothing.
    pub async fn grant_user_bulk<P: AsPermission>(&self, actor: &Actor, perm: P, usernames: &[&str]) -> Result<u64> {
        let perm = resolve(&perm)?;
        let names = json_array(usernames);
        let wanted = usernames.iter().collect::<HashSet<_>>().len();
        let (changed, revision) = write_tx!(&self.inner.backend, tx => async {
            let postgres = is_postgres_tx(&tx);
            let pick = |sqlite: &'static str, pg: &'static str| if postgres { pg } else { sqlite };
            let acting = acting!(tx, actor);
            acting.may_hand_over(&perm).map_err(StoreError::Refused)?;
            let permission_id = permission_id!(self, &mut *tx, &perm)?;
            let found: i64 = sqlx::query_scalar(pick(
                "SELECT COUNT(*) FROM auth_user WHERE username IN (SELECT value FROM json_each($1))",
                "SELECT COUNT(*) FROM auth_user WHERE username IN (SELECT json_array_elements_text($1::json))",
            ))
            .bind(&names)
            .fetch_one(&mut *tx)
            .await?;
            if usize::try_from(found).unwrap_or(0) != wanted {
                let present: Vec<String> = sqlx::query_scalar(pick(
                    "SELECT username FROM auth_user WHERE username IN (SELECT value FROM json_each($1))",
                    "SELECT username FROM auth_user WHERE username IN (SELECT json_array_elements_text($1::json))",
                ))
                .bind(&names)
                .fetch_all(&mut *tx)
                .await?;
                let present: HashSet<&str> = present.iter().map(String::as_str).collect();
                let missing = usernames.iter().find(|u| !present.contains(**u)).copied().unwrap_or_default();
                return Err(StoreError::UserNotFound(missing.to_owned()));
            }
            if let super::rules::Acting::User(rights) = &acting
                && !rights.superuser {
                    let off_limits: Option<(i64, bool)> = sqlx::query_as(pick(
                        "SELECT id, is_superuser FROM auth_user WHERE username IN (SELECT value FROM json_each($1)) \
                         AND (is_superuser OR id = $2) LIMIT 1",
                        "SELECT id, is_superuser FROM auth_user WHERE username IN (SELECT json_array_elements_text($1::json)) \
                         AND (is_superuser OR id = $2) LIMIT 1",
                    ))
                    .bind(&names)
                    .bind(rights.id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some((id, superuser)) = off_limits {
                        acting.may_change_user(Target { id, superuser }).map_err(StoreError::Refused)?;
                    }
                    acting.may_change_user(Target { id: 0, superuser: false }).map_err(StoreError::Refused)?;
                }
            let changed = if postgres {
                // One pass: the grants, and an audit row for each one that was new.
                sqlx::query(
                    "WITH granted AS (INSERT INTO auth_user_user_permissions (user_id, permission_id) \
                     SELECT id, $5 FROM auth_user WHERE username IN (SELECT json_array_elements_text($4::json)) \
                     ON CONFLICT DO NOTHING RETURNING user_id) \
                     INSERT INTO permfw_audit (at, actor, action, target_user, permission) \
                     SELECT $1, $2, 'grant_user', u.username, $3 FROM granted g JOIN auth_user u ON u.id = g.user_id",
                )
                .bind(now_micros())
                .bind(actor.label())
                .bind(&perm)
                .bind(&names)
                .bind(permission_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            } else {
                sqlx::query(
                    "INSERT INTO permfw_audit (at, actor, action, target_user, permission) \
                     SELECT $1, $2, 'grant_user', u.username, $3 FROM auth_user u \
                     WHERE u.username IN (SELECT value FROM json_each($4)) AND NOT EXISTS \
                     (SELECT 1 FROM auth_user_user_permissions up WHERE up.user_id = u.id AND up.permission_id = $5)",
                )
                .bind(now_micros())
                .bind(actor.label())
                .bind(&perm)
                .bind(&names)
                .bind(permission_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO auth_user_user_permissions (user_id, permission_id) \
                     SELECT id, $1 FROM auth_user WHERE username IN (SELECT value FROM json_each($2)) ON CONFLICT DO NOTHING",
                )
                .bind(permission_id)
                .bind(&names)
                .execute(&mut *tx)
                .await?
                .rows_affected()
            };
            let revision = if changed > 0 { Some(bump_revision!(tx)?) } else { None };
            Ok::<_, StoreError>((changed, revision))
        }
        .await)?;
        if let Some(revision) = revision {
            self.inner.cache.invalidate_before(revision);
        }
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
    pub async fn users_with_perm<P: AsPermission>(&self, perm: P, options: WithPerm) -> Result<Vec<(i64, String)>> {
        let name = match resolve(&perm) {
            Ok(name) => Some(name),
            Err(StoreError::UnknownPermission(_)) => None,
            Err(err) => return Err(err),
        };
        let limit = i64::from(options.limit.clamp(1, 10_000));
        let (after, active) = (options.after_id, options.is_active);
        // Each stream is ordered by user id through an index; the first `limit` of their union
        // is among the first `limit` of each.
        let mut found: BTreeMap<i64, String> = BTreeMap::new();
        with_pool!(&self.inner.backend, pool => {
            if options.include_superusers {
                let rows: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, username FROM auth_user WHERE is_superuser AND id > $1 AND ($2 IS NULL OR is_active = $2) \
                     ORDER BY id LIMIT $3",
                )
                .bind(after)
                .bind(active)
                .bind(limit)
                .fetch_all(pool)
                .await?;
                found.extend(rows);
            }
            // Holders through a key (the permission for direct grants, a group for members),
            // the page after `after`, by user id.
            macro_rules! holders {
                ($sql:literal, $key:expr) => {
                    sqlx::query_as::<_, (i64, String)>($sql)
                        .bind($key)
                        .bind(after)
                        .bind(active)
                        .bind(limit)
                        .fetch_all(pool)
                        .await?
                };
            }
            if let Some(name) = &name {
                let permission_id = permission_id!(self, pool, name)?;
                found.extend(holders!(
                    "SELECT u.id, u.username FROM auth_user_user_permissions up JOIN auth_user u ON u.id = up.user_id \
                     WHERE up.permission_id = $1 AND up.user_id > $2 AND ($3 IS NULL OR u.is_active = $3) \
                     ORDER BY up.user_id LIMIT $4",
                    permission_id
                ));
                let groups: Vec<i64> = sqlx::query_scalar("SELECT group_id FROM auth_group_permissions WHERE permission_id = $1")
                    .bind(permission_id)
                    .fetch_all(pool)
                    .await?;
                for group_id in groups {
                    found.extend(holders!(
                        "SELECT u.id, u.username FROM auth_user_groups ug JOIN auth_user u ON u.id = ug.user_id \
                         WHERE ug.group_id = $1 AND ug.user_id > $2 AND ($3 IS NULL OR u.is_active = $3) \
                         ORDER BY ug.user_id LIMIT $4",
                        group_id
                    ));
                }
            }
        });
        Ok(found.into_iter().take(usize::try_from(limit).unwrap_or(usize::MAX)).collect())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flag {
    Active,
    Staff,
    Superuser,
}

/// A JSON array of strings, for set-based statements over many names.
fn json_array(items: &[&str]) -> String {
    let mut out = String::with_capacity(items.iter().map(|s| s.len() + 3).sum::<usize>() + 2);
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in item.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_arrays_escape_what_json_needs() {
        assert_eq!(super::json_array(&["a", "b\"c", "d\\e", "\n"]), r#"["a","b\"c","d\\e","\u000a"]"#);
        assert_eq!(super::json_array(&[]), "[]");
    }
}
