//! Errors as `application/problem+json` (RFC 9457), with a stable `type` per kind.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::PermissionDenied;
use crate::store::StoreError;

/// An API error: a status, a stable problem type, and a sentence that says what to do.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    kind: &'static str,
    detail: String,
}

impl ApiError {
    /// An error of this status and kind (`urn:permfw:problem:{kind}`).
    #[must_use]
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Self { status, kind, detail: detail.into() }
    }

    /// 401: no or bad credentials.
    #[must_use]
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "not-authenticated", detail)
    }

    /// 400: the request is malformed.
    #[must_use]
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<PermissionDenied> for ApiError {
    fn from(denied: PermissionDenied) -> Self {
        if denied.is_not_authenticated() {
            Self::unauthorized(format!("{denied}; send `Authorization: Bearer <token>` or log in"))
        } else {
            Self::new(StatusCode::FORBIDDEN, "forbidden", denied.to_string())
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        let (status, kind) = match &err {
            StoreError::Refused(_) => (StatusCode::FORBIDDEN, "refused"),
            StoreError::UserNotFound(_) | StoreError::GroupNotFound(_) => (StatusCode::NOT_FOUND, "not-found"),
            StoreError::UnknownPermission(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unknown-permission"),
            StoreError::MalformedPermission(_) => (StatusCode::BAD_REQUEST, "malformed-permission"),
            StoreError::InvalidName { .. } | StoreError::Password(_) => (StatusCode::BAD_REQUEST, "invalid-input"),
            StoreError::UsernameTaken(_) | StoreError::GroupNameTaken(_) | StoreError::SecondSuperuser { .. } => {
                (StatusCode::CONFLICT, "conflict")
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "server-error"),
        };
        let detail = if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(error = %err, "request failed in the store");
            "the server could not complete the request; see its log".to_owned()
        } else {
            err.to_string()
        };
        Self::new(status, kind, detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "type": format!("urn:permfw:problem:{}", self.kind),
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl IntoResponse for PermissionDenied {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}
