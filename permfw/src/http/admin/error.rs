//! A refused or failed admin request: a redirect to log in, or a page that says what went
//! wrong, rendered with the admin's mount point; and the typed forms and query strings whose
//! rejections are such pages.

use super::flash::Flash;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use super::super::HttpOptions;
use super::encode;
use super::pages::{Frame, MessagePage, render};
use crate::PermissionDenied;
use crate::store::StoreError;

/// A refused or failed page: a redirect to log in, or a page that says what went wrong. Inside
/// the admin's router both are rendered with its mount point.
#[derive(Clone, Debug)]
pub enum AdminError {
    /// Not logged in: to the login page.
    LogIn,
    /// A page with this status and sentence.
    Page(StatusCode, String),
}

impl From<PermissionDenied> for AdminError {
    fn from(denied: PermissionDenied) -> Self {
        if denied.is_not_authenticated() {
            AdminError::LogIn
        } else {
            AdminError::Page(StatusCode::FORBIDDEN, format!("You may not do this: {denied}."))
        }
    }
}

impl From<StoreError> for AdminError {
    fn from(err: StoreError) -> Self {
        let status = match err {
            StoreError::UserNotFound(_)
            | StoreError::GroupNotFound(_)
            | StoreError::TokenNotFound(_)
            | StoreError::PolicyNotFound(_)
            | StoreError::RequestNotFound(_) => StatusCode::NOT_FOUND,
            StoreError::RequestClosed { .. } | StoreError::RequestAlreadyOpen(_) | StoreError::AlreadyDecided(_) => {
                StatusCode::CONFLICT
            }
            StoreError::Refused(_) => StatusCode::FORBIDDEN,
            StoreError::Database(_)
            | StoreError::Open { .. }
            | StoreError::NewerSchema { .. }
            | StoreError::PermissionsChanging => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let text = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %err, "admin request failed in the store");
            "The server failed; see its log.".into()
        } else {
            err.to_string()
        };
        AdminError::Page(status, text)
    }
}

/// A refusal of the store (its rules, a closed request, bad input) as its status and a sentence
/// that says why, for a form shown again or a flash message; a failure of the server stays an
/// error page.
pub(super) fn refusal(err: StoreError) -> Result<(StatusCode, String), AdminError> {
    match AdminError::from(err) {
        AdminError::Page(status, text) if status != StatusCode::INTERNAL_SERVER_ERROR => Ok((status, sentence(&text))),
        failure => Err(failure),
    }
}

/// `text` as a sentence: a capital first letter, a full stop at the end.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    let stop = if text.ends_with(['.', '!', '?']) { "" } else { "." };
    format!("{first}{}{stop}", chars.as_str())
}

/// What a failed request leaves for the admin's router to render with its mount point.
#[derive(Clone, Debug)]
pub(super) struct Failure(AdminError);

impl Failure {
    /// The login redirect (with `?next=wanted` for a page that was asked for), or the page.
    pub(super) fn render(self, base: &str, wanted: Option<&str>) -> Response {
        match self.0 {
            AdminError::LogIn => {
                let next = wanted.map(|w| format!("?next={}", encode(w))).unwrap_or_default();
                Redirect::to(&format!("{base}/login{next}")).into_response()
            }
            AdminError::Page(status, text) => {
                let title = status.canonical_reason().unwrap_or("Error").to_owned();
                let page = MessagePage { frame: Frame::nobody(base), title, text };
                (status, render(&page)).into_response()
            }
        }
    }
}

impl IntoResponse for AdminError {
    /// As rendered at the root; inside the admin's router, again with its mount point.
    fn into_response(self) -> Response {
        let mut response = Failure(self.clone()).render("", None);
        response.extensions_mut().insert(Failure(self));
        response
    }
}

/// The part of an axum rejection that says what was wrong (`q: invalid type...`).
fn cause(rejection: &(dyn std::error::Error + 'static)) -> String {
    rejection.source().map_or_else(|| rejection.to_string(), ToString::to_string)
}

/// A form body, whose rejection is a page that says which field was wrong.
#[derive(Debug)]
pub(super) struct Form<T>(pub(super) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let limit = HttpOptions::of(request.extensions()).max_body();
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AdminError::Page(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The form is larger than this server reads ({limit} bytes at most)."),
            )),
            Err(rejection @ FormRejection::InvalidFormContentType(_)) => {
                Err(AdminError::Page(rejection.status(), "Send the form as a browser does.".into()))
            }
            Err(rejection) => {
                Err(AdminError::Page(StatusCode::BAD_REQUEST, format!("The form is wrong: {}.", cause(&rejection))))
            }
        }
    }
}

/// A query string, whose rejection is a page that says which parameter was wrong.
#[derive(Debug)]
pub(super) struct Query<T>(pub(super) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(|q| Query(q.0)).map_err(
            |rejection: QueryRejection| {
                AdminError::Page(StatusCode::BAD_REQUEST, format!("The address is wrong: {}.", cause(&rejection)))
            },
        )
    }
}

/// The path's parameters, whose rejection is a page that says which was wrong.
#[derive(Debug)]
pub(super) struct Path<T>(pub(super) T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => {
                Err(AdminError::Page(StatusCode::BAD_REQUEST, format!("The address is wrong: {}.", cause(&rejection))))
            }
        }
    }
}

impl Flash {
    /// A refusal of the store (its rules, a closed request, bad input) as the message that says
    /// why; a failure of the server stays an error page.
    pub(super) fn refusal(err: StoreError) -> Result<Self, AdminError> {
        refusal(err).map(|(_, why)| Flash::refused(why))
    }
}
