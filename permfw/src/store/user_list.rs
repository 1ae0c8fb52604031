//! Finding users: the user list's filters (active, staff, superuser, member of a group, holding
//! a permission), search, two orders each way, and keyset pages. See [`Store::find_users`].
//!
//! How a page is read, so that every combination stays fast at a million users:
//!
//! - A group's members or a permission's holders are counted up to [`FEW`] times the page's length through their
//!   indexes (`auth_user_groups_group`, `auth_user_user_permissions_permission`,
//!   `auth_user_superusers`). When one of them is smaller, its ids drive the page: they are read
//!   first and bound as one list (so that no plan, PostgreSQL's generic plans included, can
//!   walk instead), joined to `auth_user` by id and sorted.
//! - Otherwise the page walks an index in its order (`username`'s unique index,
//!   `auth_user_date_joined`, or the partial indexes of the rare flags: inactive, staff) and
//!   checks each user's other filters by primary key. Such a walk reads at most [`WINDOW`] times the
//!   page's length of users: when the filters are so selective that fewer users than the page holds match in
//!   that window, the page comes back short with a [`UserList::next`] key at the window's end,
//!   and the next page goes on from there. A page never costs more than one window.
//! - With filters, a search is one more check on each user of the ids or of the walk, never a
//!   trigram index: a common text matches a tenth of the users before a filter narrows it.
//! - The window is found through the order's index alone (its key, not the rows), and each
//!   per-user check is an `EXISTS` ended by [`PROBE_END`], looked up by key for each walked user.

use super::built::Built;
use super::error::{Result, StoreError};
use super::exec::Conn;
use super::grants::resolve;
use super::query::{UserKey, UserOrder, UserPage, search_terms};
use super::tx::permission_id;
use super::users::UserRecord;
use super::{Store, now_micros};

/// A group's members or a permission's holders are read whole and sorted when fewer than this
/// many times the page's length (1,000 for the admin's 50).
const FEW: i64 = 20;
/// At most this many times the page's length are walked in the page's order for one page of
/// filtered users (1,000 for the admin's 50).
const WINDOW: i64 = 20;

/// Ends each per-user probe (`EXISTS (SELECT 1 ... ` by the user's id): with an `OFFSET`,
/// PostgreSQL can neither turn the probe into a join nor hash the probed table whole (75,000
/// members of a group, read and hashed to check the 1,000 users of a walk, cost 30-40 ms); it
/// looks each walked user up by key, as SQLite does.
const PROBE_END: &str = " LIMIT 1 OFFSET 0)";

/// A page of users and where the next one starts. See [`Store::find_users`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserList {
    /// The users, in the page's order.
    pub users: Vec<UserRecord>,
    /// The key of the next page ([`UserPage::after_key`]) while there may be more users. A page
    /// shorter than asked with a next key is not the end: its filters matched few users in the
    /// part of the list it searched, and the next page searches on.
    pub next: Option<UserKey>,
}

/// Who holds a permission: superusers, its direct holders, the members of its groups.
struct Holders {
    /// The permission's row, or `None` for one that no model declares (superusers only).
    permission_id: Option<i64>,
    /// The groups that have it.
    groups: Vec<i64>,
}

/// What drives a page: a small set of ids, or a walk of an index in the page's order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Driver {
    Group,
    Holders,
    Walk,
}

impl Store {
    /// A page of users with optional filters, search and order (see [`UserPage`]); use
    /// [`find_users`](Self::find_users) to page on with filters, whose pages may be short before
    /// the end.
    ///
    /// # Errors
    ///
    /// As [`find_users`](Self::find_users).
    pub async fn list_users(&self, page: UserPage) -> Result<Vec<UserRecord>> {
        Ok(self.find_users(page).await?.users)
    }

    /// A page of users with optional filters (active, staff, superuser, a group, a permission
    /// held as [`users_with_perm`](Self::users_with_perm) counts it), search in usernames and
    /// emails, an order, and the key of the next page. Each page costs a bounded amount of work
    /// whatever the filters (see the module's notes): with filters, a page may be shorter than
    /// asked before the end, and [`UserList::next`] says where to go on.
    ///
    /// # Errors
    ///
    /// [`StoreError::GroupNotFound`] for a group filter naming none,
    /// [`StoreError::MalformedPermission`], [`StoreError::InvalidName`] for a page key of the
    /// other order, or a database error.
    pub async fn find_users(&self, page: UserPage) -> Result<UserList> {
        let limit = i64::from(page.limit.unwrap_or(100).clamp(1, 1000));
        let now = now_micros();
        let search = page.search.as_deref().filter(|s| !s.is_empty());
        // Django's `icontains`: the literal text anywhere in the username or the email, any case.
        let (pattern, phrase) = match search.map(search_terms) {
            Some((pattern, phrase)) => (Some(pattern), phrase),
            None => (None, None),
        };
        let (few, window_size) = (FEW * limit, WINDOW * limit);
        let key = Keyset::of(page.order, page.after.as_ref())?;
        // On SQLite, a read connection on this thread: sqlx's pooled connections cost these walks 2-4 times as much.
        let mut read = self.inner.backend.read().await?;
        let mut conn = read.conn();
        let sql = conn.sql();
        let group = match &page.group {
            Some(name) => {
                let row: Option<(i64,)> = conn.fetch_optional(sql.group_id, &[name.as_str().into()]).await?;
                Some(row.ok_or_else(|| StoreError::GroupNotFound(name.clone()))?.0)
            }
            None => None,
        };
        let holders = match &page.permission {
            Some(perm) => Some(self.holders(&mut conn, perm).await?),
            None => None,
        };
        let rare_flag = page.active == Some(false) || page.staff == Some(true) || page.superuser == Some(true);
        // The ids of the smallest of the group's members and the permission's holders, when
        // fewer than `few`: read here and bound as a list, so that no plan (PostgreSQL's generic
        // plans included) can take the walk instead.
        let mut driver = Driver::Walk;
        let mut small: Option<Vec<i64>> = None;
        if !rare_flag {
            if let Some(group) = group {
                let mut ids = Built::new("");
                members(&mut ids, group, now);
                ids.push(" LIMIT ").push_bind(few);
                let rows: Vec<(i64,)> = conn.fetch_built(&ids).await?;
                if (rows.len() as i64) < few {
                    (driver, small) = (Driver::Group, Some(rows.into_iter().map(|(id,)| id).collect()));
                }
            }
            if let Some(holders) = &holders {
                let mut ids = Built::new("");
                holders.ids(&mut ids, now, " UNION ALL ");
                ids.push(" LIMIT ").push_bind(few);
                let rows: Vec<(i64,)> = conn.fetch_built(&ids).await?;
                if (rows.len() as i64) < few && small.as_ref().is_none_or(|s| rows.len() < s.len()) {
                    (driver, small) = (Driver::Holders, Some(rows.into_iter().map(|(id,)| id).collect()));
                }
            }
        }
        let filtered = page.active.is_some()
            || page.staff.is_some()
            || page.superuser.is_some()
            || group.is_some()
            || holders.is_some();
        // Alone, a search of three characters or more goes through a trigram index, as one
        // phrase. With filters it is one more filter, checked on each user of the ids or of the
        // walk: common text ("user05" in 100,000 names) would otherwise read its whole index
        // before a filter narrows it.
        let phrase = phrase.filter(|_| !filtered);
        let window = if driver == Driver::Walk && filtered {
            let mut walk = Built::new(key.window_sql());
            key.push_after(&mut walk);
            // The rare flags, so that the window walks the partial index the page walks.
            for (flag, rare, term) in [
                (page.active, false, " AND NOT u.is_active"),
                (page.staff, true, " AND u.is_staff"),
                (page.superuser, true, " AND u.is_superuser"),
            ] {
                if flag == Some(rare) {
                    walk.push(term);
                }
            }
            walk.push(key.order_by()).push(" LIMIT ").push_bind(window_size).push(key.window_end());
            let ends: Vec<(i64, String, i64, i64)> = conn.fetch_built(&walk).await?;
            ends.into_iter().next().filter(|(walked, ..)| *walked >= window_size).map(|(_, name, joined, id)| match key
                .order
            {
                UserOrder::Username | UserOrder::UsernameDesc => UserKey::Username(name),
                UserOrder::Joined | UserOrder::JoinedDesc => UserKey::Joined { date_joined: joined, id },
            })
        } else {
            None
        };

        let mut built = Built::new(sql.select_users);
        let ids = small.map(|mut ids| {
            ids.sort_unstable();
            ids.dedup();
            format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","))
        });
        if let Some(ids) = &ids {
            (sql.user_ids_in)(&mut built, ids);
        }
        key.push_after(&mut built);
        if let Some(end) = &window {
            Keyset { order: key.order, after: Some(end) }.push_until(&mut built);
        }
        for (flag, yes, no) in [
            (page.active, " AND u.is_active", " AND NOT u.is_active"),
            (page.staff, " AND u.is_staff", " AND NOT u.is_staff"),
            (page.superuser, " AND u.is_superuser", " AND NOT u.is_superuser"),
        ] {
            if let Some(flag) = flag {
                built.push(if flag { yes } else { no });
            }
        }
        if let (Some(group), false) = (group, driver == Driver::Group) {
            built.push(" AND EXISTS (SELECT 1 FROM auth_user_groups ug WHERE ug.user_id = u.id AND ug.group_id = ");
            built.push_bind(group).push(" AND (ug.expires_at IS NULL OR ug.expires_at > ").push_bind(now).push(")");
            built.push(PROBE_END);
        }
        if let (Some(holders), false) = (&holders, driver == Driver::Holders) {
            holders.probe(&mut built, now);
        }
        if let Some(pattern) = &pattern {
            (sql.search_users)(&mut built, pattern, phrase.as_deref());
        }
        built.push(key.order_by()).push(" LIMIT ").push_bind(limit);
        let rows: Vec<(i64, String, String, bool, bool, bool, i64)> = conn.fetch_built(&built).await?;
        let users: Vec<UserRecord> = rows
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
            .collect();
        let next = if users.len() == usize::try_from(limit).unwrap_or(usize::MAX) {
            users.last().map(|user| UserKey::of(user, key.order))
        } else {
            window
        };
        Ok(UserList { users, next })
    }

    /// Who holds `perm`, as [`users_with_perm`](Self::users_with_perm) counts them.
    async fn holders(&self, conn: &mut Conn<'_>, perm: &str) -> Result<Holders> {
        let perm = match resolve(&perm) {
            Ok(perm) => perm,
            Err(StoreError::UnknownPermission(_)) => return Ok(Holders { permission_id: None, groups: Vec::new() }),
            Err(err) => return Err(err),
        };
        let permission_id = match permission_id(conn, &self.inner.cache, perm).await {
            Ok(id) => id,
            Err(StoreError::UnknownPermission(_)) => return Ok(Holders { permission_id: None, groups: Vec::new() }),
            Err(err) => return Err(err),
        };
        let sql = conn.sql().groups_with_permission;
        let groups: Vec<(i64,)> = conn.fetch_all(sql, &[permission_id.into()]).await?;
        Ok(Holders { permission_id: Some(permission_id), groups: groups.into_iter().map(|(id,)| id).collect() })
    }
}

/// The ids of a group's current members.
fn members(built: &mut Built<'_>, group: i64, now: i64) {
    built.push("SELECT user_id FROM auth_user_groups WHERE group_id = ").push_bind(group);
    built.push(" AND (expires_at IS NULL OR expires_at > ").push_bind(now).push(")");
}

impl Holders {
    /// Their ids (superusers, direct holders, members of the permission's groups), the parts
    /// joined by `union` (`UNION` for a set, `UNION ALL` to count up to a bound).
    fn ids<'a>(&self, built: &mut Built<'a>, now: i64, union: &'a str) {
        built.push("SELECT id FROM auth_user WHERE is_superuser");
        let Some(permission_id) = self.permission_id else { return };
        built.push(union).push("SELECT user_id FROM auth_user_user_permissions WHERE permission_id = ");
        built.push_bind(permission_id).push(" AND (expires_at IS NULL OR expires_at > ").push_bind(now).push(")");
        if !self.groups.is_empty() {
            built.push(union).push("SELECT user_id FROM auth_user_groups WHERE group_id IN (");
            self.push_groups(built);
            built.push(") AND (expires_at IS NULL OR expires_at > ").push_bind(now).push(")");
        }
    }

    /// "`u` holds it", checked by primary key for one user of a walk. Superusers are read once,
    /// from their partial index, not from each walked user's row.
    fn probe(&self, built: &mut Built<'_>, now: i64) {
        built.push(" AND (u.id IN (SELECT id FROM auth_user WHERE is_superuser)");
        if let Some(permission_id) = self.permission_id {
            built.push(" OR EXISTS (SELECT 1 FROM auth_user_user_permissions up WHERE up.user_id = u.id");
            built.push(" AND up.permission_id = ").push_bind(permission_id);
            built.push(" AND (up.expires_at IS NULL OR up.expires_at > ").push_bind(now).push(")").push(PROBE_END);
            if !self.groups.is_empty() {
                built
                    .push(" OR EXISTS (SELECT 1 FROM auth_user_groups ug WHERE ug.user_id = u.id AND ug.group_id IN (");
                self.push_groups(built);
                built.push(") AND (ug.expires_at IS NULL OR ug.expires_at > ").push_bind(now).push(")").push(PROBE_END);
            }
        }
        built.push(")");
    }

    fn push_groups(&self, built: &mut Built<'_>) {
        for (i, group) in self.groups.iter().enumerate() {
            if i > 0 {
                built.push(", ");
            }
            built.push_bind(*group);
        }
    }
}

/// A page's order and the key it starts after.
struct Keyset<'k> {
    order: UserOrder,
    after: Option<&'k UserKey>,
}

impl<'k> Keyset<'k> {
    /// The order and key, refusing a key of the other order's kind.
    fn of(order: UserOrder, after: Option<&'k UserKey>) -> Result<Self> {
        let by_name = matches!(order, UserOrder::Username | UserOrder::UsernameDesc);
        match after {
            Some(UserKey::Username(_)) if !by_name => Err(StoreError::InvalidName {
                what: "page key",
                why: "it is a username, and the page is sorted by date joined; start from the first page".into(),
            }),
            Some(UserKey::Joined { .. }) if by_name => Err(StoreError::InvalidName {
                what: "page key",
                why: "it is a date joined, and the page is sorted by username; start from the first page".into(),
            }),
            _ => Ok(Keyset { order, after }),
        }
    }

    fn push_after(&self, built: &mut Built<'k>) {
        self.push_bound(built, [" AND u.username > ", " AND u.username < ", " > (", " < ("]);
    }

    fn push_until(&self, built: &mut Built<'k>) {
        self.push_bound(built, [" AND u.username <= ", " AND u.username >= ", " <= (", " >= ("]);
    }

    /// `u`'s key compared with this one: `ops` for username up, username down, joined up,
    /// joined down.
    fn push_bound(&self, built: &mut Built<'k>, ops: [&'static str; 4]) {
        match (self.order, self.after) {
            (UserOrder::Username, Some(UserKey::Username(name))) => {
                built.push(ops[0]).push_bind(name.as_str());
            }
            (UserOrder::UsernameDesc, Some(UserKey::Username(name))) => {
                built.push(ops[1]).push_bind(name.as_str());
            }
            (order, Some(UserKey::Joined { date_joined, id })) => {
                let op = if order == UserOrder::JoinedDesc { ops[3] } else { ops[2] };
                built.push(" AND (u.date_joined, u.id)").push(op).push_bind(*date_joined).push(", ").push_bind(*id);
                built.push(")");
            }
            _ => {}
        }
    }

    fn order_by(&self) -> &'static str {
        match self.order {
            UserOrder::Username => " ORDER BY u.username",
            UserOrder::UsernameDesc => " ORDER BY u.username DESC",
            UserOrder::Joined => " ORDER BY u.date_joined, u.id",
            UserOrder::JoinedDesc => " ORDER BY u.date_joined DESC, u.id DESC",
        }
    }

    /// The start of the statement that finds the window's end: the keys of the next
    /// [`WINDOW`] users, with the filters that follow. Only the order's key is read, so that the
    /// walk reads its index alone (`username`'s, or `(date_joined, id)`), never the rows.
    fn window_sql(&self) -> &'static str {
        match self.order {
            UserOrder::Username | UserOrder::UsernameDesc => "WITH w AS (SELECT u.username FROM auth_user u WHERE TRUE",
            UserOrder::Joined | UserOrder::JoinedDesc => {
                "WITH w AS (SELECT u.date_joined, u.id FROM auth_user u WHERE TRUE"
            }
        }
    }

    /// The rest of it: (how many were walked, the last one's username, date joined and id; of
    /// the key the order does not use, a placeholder).
    fn window_end(&self) -> &'static str {
        match self.order {
            UserOrder::Username => {
                ") SELECT (SELECT COUNT(*) FROM w), w.username, CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM w \
                 ORDER BY w.username DESC LIMIT 1"
            }
            UserOrder::UsernameDesc => {
                ") SELECT (SELECT COUNT(*) FROM w), w.username, CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM w \
                 ORDER BY w.username LIMIT 1"
            }
            UserOrder::Joined => {
                ") SELECT (SELECT COUNT(*) FROM w), '', w.date_joined, w.id FROM w \
                 ORDER BY w.date_joined DESC, w.id DESC LIMIT 1"
            }
            UserOrder::JoinedDesc => {
                ") SELECT (SELECT COUNT(*) FROM w), '', w.date_joined, w.id FROM w \
                 ORDER BY w.date_joined, w.id LIMIT 1"
            }
        }
    }
}
