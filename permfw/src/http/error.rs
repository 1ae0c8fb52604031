//! Errors as `application/problem+json` (RFC 9457), with a stable `type` per kind.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
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

    /// 413: the body is larger than the router reads (`limit` bytes).
    #[must_use]
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("the body is larger than this server reads ({limit} bytes at most); send less"),
        )
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<PermissionDenied> for ApiError {
    fn from(denied: PermissionDenied) -> Self {
        if denied.is_not_authenticated() && denied.missing().is_empty() {
            Self::unauthorized("not authenticated: send `Authorization: Bearer <token>` or log in")
        } else if denied.is_not_authenticated() {
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
            StoreError::UserNotFound(_)
            | StoreError::GroupNotFound(_)
            | StoreError::TokenNotFound(_)
            | StoreError::PolicyNotFound(_)
            | StoreError::RequestNotFound(_) => (StatusCode::NOT_FOUND, "not-found"),
            StoreError::InvalidRequest(_) | StoreError::InvalidPolicy(_) => (StatusCode::BAD_REQUEST, "invalid-input"),
            StoreError::RequestClosed { .. }
            | StoreError::RequestAlreadyOpen(_)
            | StoreError::AlreadyDecided(_)
            | StoreError::PolicyNameTaken(_) => (StatusCode::CONFLICT, "conflict"),
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

/// What a rejection of axum's says went wrong, without its own preamble: for a value that does
/// not parse, the field and why (`limit: invalid digit found in string`).
fn cause(rejection: &(dyn std::error::Error + 'static)) -> String {
    rejection.source().map_or_else(|| rejection.to_string(), ToString::to_string)
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match &rejection {
            JsonRejection::JsonDataError(err) => {
                Self::bad_request(format!("the JSON body does not fit this route: {}", cause(err)))
            }
            JsonRejection::JsonSyntaxError(err) => {
                Self::bad_request(format!("the body is not valid JSON: {}", cause(err)))
            }
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as JSON, with `Content-Type: application/json`",
            ),
            _ => Self::new(rejection.status(), "bad-request", rejection.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(format!("the query string does not fit this route: {}", cause(&rejection)))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        match &rejection {
            PathRejection::FailedToDeserializePathParams(err) => {
                Self::bad_request(format!("the path does not fit this route: {}", err.body_text()))
            }
            _ => Self::new(rejection.status(), "bad-request", rejection.body_text()),
        }
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
