//! The user list: filters (active, staff, superuser, member of a group, holding a permission),
//! two orders each way, search as you type, keyset pages, and a checkbox per user for the bulk
//! actions (see [`bulk`](super::bulk)). Its state is the address (`GET /users?...`), so a
//! filtered list can be bookmarked; `GET /users/rows` takes the same query and returns the rows
//! alone, with the next page's address in the `x-next-page` header.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::HeaderName;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::Query;
use super::pages::{Frame, render};
use super::{AdminError, Staff};
use crate::store::time::rfc3339;
use crate::store::{Store, UserKey, UserList, UserOrder, UserPage, UserRecord};
use crate::{HasPerms, User, permission_required};

/// Users a page of the list holds.
const PAGE: u32 = 50;

/// A yes/no filter: any (empty), `yes` or `no`.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub(super) enum Choice {
    #[default]
    #[serde(rename = "")]
    Any,
    #[serde(rename = "yes")]
    Yes,
    #[serde(rename = "no")]
    No,
}

impl Choice {
    fn flag(self) -> Option<bool> {
        match self {
            Choice::Any => None,
            Choice::Yes => Some(true),
            Choice::No => Some(false),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Choice::Any => "",
            Choice::Yes => "yes",
            Choice::No => "no",
        }
    }
}

/// The list's order: `username` (default), `-username`, `joined`, `-joined`.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
pub(super) enum Sort {
    #[default]
    #[serde(rename = "username")]
    Username,
    #[serde(rename = "-username")]
    UsernameDesc,
    #[serde(rename = "joined")]
    Joined,
    #[serde(rename = "-joined")]
    JoinedDesc,
}

impl Sort {
    fn order(self) -> UserOrder {
        match self {
            Sort::Username => UserOrder::Username,
            Sort::UsernameDesc => UserOrder::UsernameDesc,
            Sort::Joined => UserOrder::Joined,
            Sort::JoinedDesc => UserOrder::JoinedDesc,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Sort::Username => "username",
            Sort::UsernameDesc => "-username",
            Sort::Joined => "joined",
            Sort::JoinedDesc => "-joined",
        }
    }
}

/// `GET /users` and `GET /users/rows`: search, filters, order, and the key of the page (a
/// username, or `date_joined.id` for the date orders).
#[derive(Clone, Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    pub(super) q: String,
    #[serde(default)]
    pub(super) active: Choice,
    #[serde(default)]
    pub(super) staff: Choice,
    #[serde(default)]
    pub(super) superuser: Choice,
    #[serde(default)]
    pub(super) group: String,
    #[serde(default)]
    pub(super) perm: String,
    #[serde(default)]
    pub(super) sort: Sort,
    pub(super) after: Option<String>,
}

impl ListQuery {
    /// The store's page for it; a key that does not parse is a 400 naming `after`.
    fn page(&self) -> Result<UserPage, AdminError> {
        let mut page = UserPage::first()
            .limit(PAGE)
            .order(self.sort.order())
            .active(self.active.flag())
            .staff(self.staff.flag())
            .superuser(self.superuser.flag());
        if !self.q.trim().is_empty() {
            page = page.search(self.q.trim());
        }
        if !self.group.trim().is_empty() {
            page = page.group(self.group.trim());
        }
        if !self.perm.trim().is_empty() {
            page = page.permission(self.perm.trim());
        }
        match (self.after.as_deref().filter(|a| !a.is_empty()), self.sort) {
            (None, _) => {}
            (Some(after), Sort::Username | Sort::UsernameDesc) => page = page.after(after),
            (Some(after), Sort::Joined | Sort::JoinedDesc) => {
                let key = after
                    .split_once('.')
                    .and_then(|(joined, id)| {
                        Some(UserKey::Joined { date_joined: joined.parse().ok()?, id: id.parse().ok()? })
                    })
                    .ok_or_else(|| {
                        AdminError::Page(
                            StatusCode::BAD_REQUEST,
                            format!("The address is wrong: after: `{after}` is not a page key of the date order."),
                        )
                    })?;
                page = page.after_key(key);
            }
        }
        Ok(page)
    }

    /// The address of this list (`/users?...`, or `/users/rows?...`) starting after `key`.
    pub(super) fn url(&self, base: &str, path: &str, key: Option<&UserKey>) -> String {
        let after = key.map(|key| match key {
            UserKey::Username(name) => name.clone(),
            UserKey::Joined { date_joined, id } => format!("{date_joined}.{id}"),
        });
        let params = [
            ("q", self.q.as_str()),
            ("active", self.active.as_str()),
            ("staff", self.staff.as_str()),
            ("superuser", self.superuser.as_str()),
            ("group", self.group.as_str()),
            ("perm", self.perm.as_str()),
            ("sort", if self.sort == Sort::Username { "" } else { self.sort.as_str() }),
            ("after", after.as_deref().unwrap_or("")),
        ];
        let query: Vec<String> =
            params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode_component(v))).collect();
        if query.is_empty() { format!("{base}{path}") } else { format!("{base}{path}?{}", query.join("&")) }
    }

    /// Whether any filter or search is set.
    fn filtered(&self) -> bool {
        !self.q.is_empty()
            || self.active != Choice::Any
            || self.staff != Choice::Any
            || self.superuser != Choice::Any
            || !self.group.is_empty()
            || !self.perm.is_empty()
    }
}

/// Percent-encodes a query component.
fn encode_component(text: &str) -> String {
    super::encode(text).replace('/', "%2F")
}

/// One user as a row: its flags as Yes/No, the day it joined.
#[derive(Debug)]
pub(super) struct Row {
    pub(super) username: String,
    pub(super) email: String,
    pub(super) active: &'static str,
    pub(super) staff: &'static str,
    pub(super) superuser: &'static str,
    /// `2026-11-30`, UTC.
    pub(super) joined: String,
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "Yes" } else { "No" }
}

impl From<UserRecord> for Row {
    fn from(user: UserRecord) -> Self {
        let joined = rfc3339(user.date_joined).chars().take(10).collect();
        Row {
            active: yes_no(user.is_active),
            staff: yes_no(user.is_staff),
            superuser: yes_no(user.is_superuser),
            username: user.username,
            email: user.email,
            joined,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/user_rows.html")]
pub(super) struct UserRows {
    pub(super) base: String,
    pub(super) rows: Vec<Row>,
    /// What an empty list says.
    pub(super) empty: &'static str,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub(super) struct UsersPage {
    pub(super) frame: Frame,
    pub(super) query: ListQuery,
    pub(super) rows: String,
    /// The next page's address, while there may be one.
    pub(super) next: Option<String>,
    /// The page is short before the end: its filters matched few users in the part searched.
    pub(super) short: bool,
    /// The group names (the filter's and the bulk action's picker).
    pub(super) groups: Vec<String>,
    /// (permission, name): the pickers' permissions.
    pub(super) permissions: Vec<(&'static str, &'static str)>,
    /// Whether the caller may add users (the "Add user" link).
    pub(super) may_add: bool,
}

/// A page of users, the next page's key, and the rows as HTML.
async fn page_of_users(store: &Store, base: &str, query: &ListQuery) -> Result<(UserList, String), AdminError> {
    let list = store.find_users(query.page()?).await?;
    let empty = if query.filtered() { "No user matches these filters here." } else { "No users yet." };
    let rows = UserRows { base: base.to_owned(), rows: list.users.iter().cloned().map(Row::from).collect(), empty };
    Ok((list, rows.render().unwrap_or_default()))
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn list(
    staff: Staff,
    State(store): State<Store>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AdminError> {
    let (list, rows) = page_of_users(&store, staff.base(), &query).await?;
    let next = list.next.as_ref().map(|key| query.url(staff.base(), "/users", Some(key)));
    let short = next.is_some() && list.users.len() < PAGE as usize;
    Ok(render(&UsersPage {
        frame: staff.frame(),
        groups: store.group_names(super::account::GROUP_CHOICES).await?,
        permissions: crate::registry().permissions().map(|p| (p.as_str(), p.name())).collect(),
        query,
        rows,
        next,
        short,
        may_add: staff.has_perm(User::ADD_USER),
    }))
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn rows(
    staff: Staff,
    State(store): State<Store>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AdminError> {
    let (list, rows) = page_of_users(&store, staff.base(), &query).await?;
    let next = list.next.as_ref().map(|key| query.url(staff.base(), "/users", Some(key))).unwrap_or_default();
    let mut response = axum::response::Html(rows).into_response();
    if let Ok(value) = next.parse() {
        response.headers_mut().insert(HeaderName::from_static("x-next-page"), value);
    }
    Ok(response)
}
