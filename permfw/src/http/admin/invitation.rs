//! The public page of an invitation's link: `GET /invitation/{token}` asks the invited user for
//! a password (typed twice), `POST` sets it through the store, which uses the link up and
//! audits it as the user. A link that does not work (used, expired, unknown) is a page that
//! says so, with status 200 as Django's password-reset pages. Nobody is logged in here: the link's secret is the credential, and
//! the form is refused when posted from another site (as the login form is).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error::{Form, Path};
use super::pages::{Frame, render};
use super::session::posted_from_here;
use super::user_new::check_new_password;
use super::{AdminError, Base};
use crate::store::Store;

#[derive(Template)]
#[template(path = "admin/invitation.html")]
struct InvitationPage {
    frame: Frame,
    /// The invited user, while the link works.
    username: Option<String>,
    /// Whether the password was just set.
    done: bool,
    error: Option<String>,
}

/// The two passwords.
#[derive(Debug, Deserialize)]
pub(super) struct InvitationForm {
    #[serde(default)]
    password1: String,
    #[serde(default)]
    password2: String,
}

fn page(base: &str, status: StatusCode, username: Option<String>, done: bool, error: Option<String>) -> Response {
    (status, render(&InvitationPage { frame: Frame::nobody(base), username, done, error })).into_response()
}

pub(super) async fn show(
    Base(base): Base,
    State(store): State<Store>,
    Path(token): Path<String>,
) -> Result<Response, AdminError> {
    Ok(match store.invitation(&token).await? {
        Some(username) => page(&base, StatusCode::OK, Some(username), false, None),
        None => page(&base, StatusCode::OK, None, false, None),
    })
}

pub(super) async fn accept(
    Base(base): Base,
    State(store): State<Store>,
    Path(token): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<InvitationForm>,
) -> Result<Response, AdminError> {
    if !posted_from_here(&headers, &uri) {
        return Err(AdminError::Page(
            StatusCode::FORBIDDEN,
            "This form was sent from another site; open the link from your invitation mail.".into(),
        ));
    }
    let Some(username) = store.invitation(&token).await? else {
        return Ok(page(&base, StatusCode::OK, None, false, None));
    };
    if let Err(why) = check_new_password(&form.password1, &form.password2) {
        return Ok(page(&base, StatusCode::BAD_REQUEST, Some(username), false, Some(why)));
    }
    Ok(match store.accept_invitation(&token, &form.password1).await? {
        Some(username) => page(&base, StatusCode::OK, Some(username), true, None),
        None => page(&base, StatusCode::OK, None, false, None),
    })
}
