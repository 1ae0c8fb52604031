//! The shapes of what callers ask of the store: a page of users, Django's `with_perm` options,
//! the audit log's filters, and a change of a user's email and flags. The store reads their
//! fields; callers build them with methods.

/// A page of [`Store::list_users`](super::Store::list_users): optional filters and search, a sort
/// order, and keyset pagination by the sort's key (never an offset, no count of the table).
///
/// ```
/// use permfw::store::{UserOrder, UserPage};
/// // Active staff in the group Editors who hold blog.publish_post, newest first.
/// let page = UserPage::first()
///     .active(Some(true))
///     .staff(Some(true))
///     .group("Editors")
///     .permission("blog.publish_post")
///     .order(UserOrder::JoinedDesc)
///     .limit(50);
/// # let _ = page;
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct UserPage {
    pub(crate) after: Option<UserKey>,
    pub(crate) limit: Option<u32>,
    pub(crate) search: Option<String>,
    pub(crate) active: Option<bool>,
    pub(crate) staff: Option<bool>,
    pub(crate) superuser: Option<bool>,
    pub(crate) group: Option<String>,
    pub(crate) permission: Option<String>,
    pub(crate) order: UserOrder,
}

/// The order of a [`UserPage`]: by username (the default) or by date joined, either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserOrder {
    /// Usernames A to Z.
    #[default]
    Username,
    /// Usernames Z to A.
    UsernameDesc,
    /// Oldest accounts first (ties by id).
    Joined,
    /// Newest accounts first (ties by id).
    JoinedDesc,
}

/// Where a page starts: after this user in the page's order. Take it from the last user of the
/// previous page with [`UserKey::of`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserKey {
    /// After this username (the username orders).
    Username(String),
    /// After this date joined and id (the date joined orders).
    Joined {
        /// Microseconds since the Unix epoch.
        date_joined: i64,
        /// The user's id, which breaks ties.
        id: i64,
    },
}

impl UserKey {
    /// The key of `user` in `order`: pass it to [`UserPage::after_key`] for the next page.
    #[must_use]
    pub fn of(user: &super::UserRecord, order: UserOrder) -> Self {
        match order {
            UserOrder::Username | UserOrder::UsernameDesc => UserKey::Username(user.username.clone()),
            UserOrder::Joined | UserOrder::JoinedDesc => UserKey::Joined { date_joined: user.date_joined, id: user.id },
        }
    }
}

impl UserPage {
    /// The first page.
    pub fn first() -> Self {
        Self::default()
    }

    /// The page after this username (in the username orders).
    pub fn after(mut self, username: impl Into<String>) -> Self {
        self.after = Some(UserKey::Username(username.into()));
        self
    }

    /// The page after this key (see [`UserKey::of`]); a key of the other order's kind is refused
    /// by [`Store::list_users`](super::Store::list_users).
    pub fn after_key(mut self, key: UserKey) -> Self {
        self.after = Some(key);
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

    /// Only active users (`Some(true)`), only inactive ones (`Some(false)`), or both (`None`,
    /// the default).
    pub fn active(mut self, active: Option<bool>) -> Self {
        self.active = active;
        self
    }

    /// Only staff, only non-staff, or both (the default).
    pub fn staff(mut self, staff: Option<bool>) -> Self {
        self.staff = staff;
        self
    }

    /// Only superusers, only the others, or both (the default).
    pub fn superuser(mut self, superuser: Option<bool>) -> Self {
        self.superuser = superuser;
        self
    }

    /// Only (current) members of this group.
    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.group = Some(name.into());
        self
    }

    /// Only users holding this permission (`app_label.codename`) directly, through a group, or
    /// as superusers: [`Store::users_with_perm`](super::Store::users_with_perm)'s holders, with
    /// [`active`](Self::active) in the role of [`WithPerm::is_active`]. Expired grants do not
    /// count; for a permission no model declares, only superusers hold it.
    pub fn permission(mut self, perm: impl Into<String>) -> Self {
        self.permission = Some(perm.into());
        self
    }

    /// The order (by username unless told otherwise).
    pub fn order(mut self, order: UserOrder) -> Self {
        self.order = order;
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

/// Django's `icontains` on a search's text (the user list's, a group's members'): a `LIKE`
/// pattern (escaped with `\`), and for three characters or more the phrase a trigram index may
/// take.
pub(crate) fn search_terms(text: &str) -> (String, Option<String>) {
    let pattern = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let phrase = (text.chars().count() >= 3).then(|| format!("\"{}\"", text.replace('"', "\"\"")));
    (pattern, phrase)
}
