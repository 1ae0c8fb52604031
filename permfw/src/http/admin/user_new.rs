//! "Add user": a username, an email, and either a password typed twice or an invitation (a
//! mail with a one-time link with which the user sets its own password; see
//! [`invitation`](super::invitation)). Needs `auth.add_user`; the store's rules decide.

use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::account::user_page;
use super::error::{Form, refusal};
use super::flash::Flash;
use super::pages::{Frame, render};
use super::{AdminError, Staff};
use crate::store::Store;
use crate::{HasPerms, User, permission_required};

/// How long an invitation's link works.
pub(super) const INVITATION_DAYS: u64 = 7;

/// The shortest password the admin's forms take (Django's `MinimumLengthValidator`).
const MIN_PASSWORD: usize = 8;

/// A new password typed twice: why it is refused, if it is.
pub(super) fn check_new_password(password: &str, again: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD {
        Err(format!("The password is too short: use at least {MIN_PASSWORD} characters."))
    } else if password != again {
        Err("The two passwords differ: type the same password twice.".to_owned())
    } else {
        Ok(())
    }
}

/// The form, as posted (and shown again, without the passwords, when refused).
#[derive(Debug, Default, Deserialize)]
pub(super) struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    /// `password` or `invite`.
    #[serde(default)]
    how: String,
    #[serde(default)]
    password1: String,
    #[serde(default)]
    password2: String,
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
struct NewUserPage {
    frame: Frame,
    username: String,
    email: String,
    invite: bool,
    days: u64,
    error: Option<String>,
}

fn page(staff: &Staff, form: &NewUserForm, refused: Option<(StatusCode, String)>) -> Response {
    let (status, error) = refused.map_or((StatusCode::OK, None), |(status, text)| (status, Some(text)));
    let page = NewUserPage {
        frame: staff.frame(),
        username: form.username.clone(),
        email: form.email.clone(),
        invite: form.how == "invite",
        days: INVITATION_DAYS,
        error,
    };
    (status, render(&page)).into_response()
}

#[permission_required(User::ADD_USER)]
pub(super) async fn form(staff: Staff) -> Result<Response, AdminError> {
    Ok(page(&staff, &NewUserForm::default(), None))
}

#[permission_required(User::ADD_USER)]
pub(super) async fn create(
    staff: Staff,
    State(store): State<Store>,
    Form(form): Form<NewUserForm>,
) -> Result<Response, AdminError> {
    staff.check_csrf(&form.csrf)?;
    let (username, email) = (form.username.trim(), form.email.trim());
    let actor = staff.actor()?;
    let created = match form.how.as_str() {
        "invite" => {
            let valid_for = Duration::from_secs(INVITATION_DAYS * 86_400);
            store.invite_user(&actor, username, email, valid_for).await.map(|_| {
                format!(
                    "Created {username}; an invitation to choose a password was sent to {email} \
                     (the link works once, for {INVITATION_DAYS} days)"
                )
            })
        }
        "password" => {
            if let Err(why) = check_new_password(&form.password1, &form.password2) {
                return Ok(page(&staff, &form, Some((StatusCode::BAD_REQUEST, why))));
            }
            let created = store.create_user(&actor, username, email, Some(&form.password1)).await;
            created.map(|_| format!("Created {username} with the password you chose"))
        }
        _ => {
            let why = "Choose how the user gets a password: set one, or send an invitation.".to_owned();
            return Ok(page(&staff, &form, Some((StatusCode::BAD_REQUEST, why))));
        }
    };
    match created {
        Ok(message) => {
            // Back to the form for one who may add users but not view them.
            let next = if staff.has_perm(User::VIEW_USER) {
                user_page(&staff, username)
            } else {
                format!("{}/add-user", staff.base())
            };
            Ok((Flash::done(message), Redirect::to(&next)).into_response())
        }
        Err(err) => Ok(page(&staff, &form, Some(refusal(err)?))),
    }
}
