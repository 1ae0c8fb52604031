//! The shapes of what callers ask of the store: a page of users, Django's `with_perm` options,
//! the audit log's filters, and a change of a user's email and flags. The store reads their
//! fields; callers build them with methods.

/// A page of [`Store::list_users`](super::Store::list_users): keyset pagination by username, no count of the table.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct UserPage {
    pub(crate) after: Option<String>,
    pub(crate) limit: Option<u32>,
    pub(crate) search: Option<String>,
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

/// Options of [`Store::users_with_perm`](super::Store::users_with_perm), with Django's defaults.
#[derive(Clone, Debug)]
#[must_use]
pub struct WithPerm {
    pub(crate) include_superusers: bool,
    pub(crate) is_active: Option<bool>,
    pub(crate) after_id: i64,
    pub(crate) limit: u32,
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

/// Filters of [`Store::audit`](super::Store::audit); all optional.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct AuditQuery {
    pub(crate) user: Option<String>,
    pub(crate) actor: Option<String>,
    pub(crate) action: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) permission: Option<String>,
    pub(crate) since: Option<i64>,
    pub(crate) until: Option<i64>,
    pub(crate) before_id: Option<i64>,
    pub(crate) limit: Option<u32>,
}

impl AuditQuery {
    /// Every entry, newest first.
    pub fn new() -> Self {
        Self::default()
    }

    /// Entries whose target is this user.
    pub fn user(mut self, username: impl Into<String>) -> Self {
        self.user = Some(username.into());
        self
    }

    /// Entries made by this actor (a username, or `<system>`).
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// Entries of this action.
    pub fn action(mut self, action: impl Into<String>) -> Self {
        self.action = Some(action.into());
        self
    }

    /// Entries about this group (a membership, a grant to the group, the group itself).
    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.group = Some(name.into());
        self
    }

    /// Entries about this permission (`app_label.codename`), granted or revoked.
    pub fn permission(mut self, perm: impl Into<String>) -> Self {
        self.permission = Some(perm.into());
        self
    }

    /// Entries at or after this time (microseconds since the Unix epoch).
    pub fn since(mut self, micros: i64) -> Self {
        self.since = Some(micros);
        self
    }

    /// Entries before this time (microseconds since the Unix epoch), this time excluded.
    pub fn until(mut self, micros: i64) -> Self {
        self.until = Some(micros);
        self
    }

    /// Entries older than this id: the next page.
    pub fn before_id(mut self, id: i64) -> Self {
        self.before_id = Some(id);
        self
    }

    /// At most this many (default 100, at most 10,000).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// A change to a user's email and flags, applied in one transaction by [`Store::update_user`](super::Store::update_user).
/// Parts left unset stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use]
pub struct UserUpdate {
    pub(crate) email: Option<String>,
    pub(crate) is_active: Option<bool>,
    pub(crate) is_staff: Option<bool>,
    pub(crate) is_superuser: Option<bool>,
}

impl UserUpdate {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Activates or deactivates the account.
    pub fn is_active(mut self, active: bool) -> Self {
        self.is_active = Some(active);
        self
    }

    /// Gives or takes the staff flag.
    pub fn is_staff(mut self, staff: bool) -> Self {
        self.is_staff = Some(staff);
        self
    }

    /// Makes or unmakes a superuser.
    pub fn is_superuser(mut self, superuser: bool) -> Self {
        self.is_superuser = Some(superuser);
        self
    }

    /// Whether it changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}
