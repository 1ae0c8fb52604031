//! The user list: search as you type, keyset pages.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::error::Query;
use super::pages::{UserRows, UsersPage, render};
use super::{AdminError, Staff};
use crate::store::{Store, UserPage as Page, UserRecord};
use crate::{User, permission_required};

/// Users a page of the list holds.
const PAGE: u32 = 50;

/// `GET /users?q=&after=` and `GET /users/rows?q=&after=`.
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    #[serde(default)]
    q: String,
    after: Option<String>,
}

/// A page of users, and the `after` of the next page while there may be one.
async fn page_of_users(store: &Store, query: &ListQuery) -> Result<(Vec<UserRecord>, Option<String>), AdminError> {
    let mut page = Page::first().limit(PAGE);
    if !query.q.is_empty() {
        page = page.search(query.q.as_str());
    }
    if let Some(after) = &query.after {
        page = page.after(after.as_str());
    }
    let users = store.list_users(page).await?;
    let full = users.len() == PAGE as usize;
    let next = users.last().filter(|_| full).map(|u| u.username.clone());
    Ok((users, next))
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn list(
    staff: Staff,
    State(store): State<Store>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AdminError> {
    let (users, next) = page_of_users(&store, &query).await?;
    let rows = UserRows { base: staff.base().to_owned(), users }.render().unwrap_or_default();
    Ok(render(&UsersPage { frame: staff.frame(), query: query.q, rows, next }))
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn rows(
    staff: Staff,
    State(store): State<Store>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AdminError> {
    let (users, _) = page_of_users(&store, &query).await?;
    Ok(render(&UserRows { base: staff.base().to_owned(), users }))
}
