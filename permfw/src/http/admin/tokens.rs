//! A user's API tokens on its page, and revoking one behind a confirmation page (Django's
//! "Are you sure?"). The store decides who may: the user itself, or whoever may take control of
//! the account.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::account::readable;
use super::error::{Form, Path};
use super::flash::Flash;
use super::pages::{ConfirmPage, TokenRow, render};
use super::session::CsrfForm;
use super::{AdminError, Staff, encode};
use crate::store::{Store, StoreError, TokenRecord, now_micros};
use crate::{User, permission_required};

/// A time for people, or `-` for none.
fn when(micros: Option<i64>) -> String {
    micros.map_or_else(|| "-".to_owned(), readable)
}

/// The user's tokens for its page, or `None` when the caller may not see them.
pub(super) async fn rows(staff: &Staff, store: &Store, username: &str) -> Result<Option<Vec<TokenRow>>, AdminError> {
    let tokens = match store.list_tokens(&staff.actor()?, username).await {
        Ok(tokens) => tokens,
        Err(StoreError::Refused(_)) => return Ok(None),
        Err(err) => return Err(err.into()),
    };
    let now = now_micros();
    let row = |token: TokenRecord| TokenRow {
        live: token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now),
        id: token.id,
        created: readable(token.created_at),
        last_used: when(token.last_used_at),
        expires: when(token.expires_at),
        revoked: when(token.revoked_at),
        name: token.name,
    };
    Ok(Some(tokens.into_iter().map(row).collect()))
}

/// The token `id` of `username`, if the caller may see the user's tokens and it is one of them.
async fn find(staff: &Staff, store: &Store, username: &str, id: i64) -> Result<TokenRecord, AdminError> {
    let tokens = store.list_tokens(&staff.actor()?, username).await?;
    tokens.into_iter().find(|token| token.id == id).ok_or_else(|| {
        AdminError::Page(axum::http::StatusCode::NOT_FOUND, format!("{username} has no API token #{id}."))
    })
}

/// The address of the token's revoke page and form.
fn revoke_path(staff: &Staff, username: &str, id: i64) -> String {
    format!("{}/users/{}/tokens/{id}/revoke", staff.base(), encode(username))
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn confirm(
    staff: Staff,
    State(store): State<Store>,
    Path((username, id)): Path<(String, i64)>,
) -> Result<Response, AdminError> {
    let token = find(&staff, &store, &username, id).await?;
    Ok(render(&ConfirmPage {
        title: format!("Revoke token #{id}?"),
        question: format!(
            "Revoke the API token #{id} \u{201c}{}\u{201d} of {username}? Whatever uses it is refused from then on; \
             this cannot be undone.",
            token.name
        ),
        action: revoke_path(&staff, &username, id),
        button: "Yes, revoke it".into(),
        back: format!("{}/users/{}", staff.base(), encode(&username)),
        frame: staff.frame(),
    }))
}

#[permission_required(User::VIEW_USER)]
pub(super) async fn revoke(
    staff: Staff,
    State(store): State<Store>,
    Path((username, id)): Path<(String, i64)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let token = find(&staff, &store, &username, id).await?;
    store.revoke_token(&staff.actor()?, id).await?;
    let message = format!("Revoked token #{id} ({})", token.name);
    let page = format!("{}/users/{}", staff.base(), encode(&username));
    Ok((Flash::done(message), Redirect::to(&page)).into_response())
}
