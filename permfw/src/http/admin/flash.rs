//! Flash messages, as Django's messages framework shows them: an action (a grant, a request, an
//! approval) redirects to a page, which says once what was done or why it was refused. The
//! message rides in a short-lived cookie of its own (`__Host-permfw_flash`, or `permfw_flash`
//! for plain-http development), `HttpOnly` and `SameSite=Strict`, so that no link can put words
//! in the admin's mouth as a `?message=` in the address could.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponseParts, Response, ResponseParts};

use super::super::HttpOptions;
use super::encode;

/// The longest message kept, in characters (a cookie holds about 4 KB).
const MAX_CHARS: usize = 1_000;

/// What the last action did, or why it was refused, for the next page to show once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Flash {
    /// A refusal or a failure (shown as an alert), or a change done.
    pub(super) error: bool,
    pub(super) text: String,
}

impl Flash {
    /// A change that was done.
    pub(super) fn done(text: impl Into<String>) -> Self {
        Flash { error: false, text: text.into() }
    }

    /// A change that was refused, and why.
    pub(super) fn refused(text: impl Into<String>) -> Self {
        Flash { error: true, text: text.into() }
    }

    /// The flash message a request's cookie carries, if any.
    pub(super) fn read(headers: &HeaderMap, options: &HttpOptions) -> Option<Self> {
        let name = name(options);
        let value = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find_map(|(key, value)| (key == name).then_some(value))?;
        let (kind, text) = value.split_once('.')?;
        let text = decode(text)?;
        match kind {
            "done" => Some(Flash::done(text)),
            "refused" => Some(Flash::refused(text)),
            _ => None,
        }
    }

    /// `response` setting the cookie to this message, for the next page.
    pub(super) fn set(&self, response: &mut Response, options: &HttpOptions) {
        let kind = if self.error { "refused" } else { "done" };
        let text: String = self.text.chars().take(MAX_CHARS).collect();
        cookie(response, options, &format!("{kind}.{}", encode(&text)), 60);
    }

    /// `response` removing the cookie: the page showed the message.
    pub(super) fn clear(response: &mut Response, options: &HttpOptions) {
        cookie(response, options, "", 0);
    }
}

/// A handler returns `(Flash::done(...), Redirect::to(...))`; the admin's router sets the
/// cookie, as only it knows the router's cookie options.
impl IntoResponseParts for Flash {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut parts: ResponseParts) -> Result<ResponseParts, Self::Error> {
        parts.extensions_mut().insert(self);
        Ok(parts)
    }
}

fn name(options: &HttpOptions) -> &'static str {
    if options.has_insecure_cookies() { "permfw_flash" } else { "__Host-permfw_flash" }
}

fn cookie(response: &mut Response, options: &HttpOptions, value: &str, max_age: u32) {
    let secure = if options.has_insecure_cookies() { "" } else { "; Secure" };
    let cookie = format!("{}={value}; Path=/; HttpOnly; SameSite=Strict{secure}; Max-Age={max_age}", name(options));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Undoes [`encode`]: `None` for a broken escape or text that is not UTF-8.
fn decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    #[test]
    fn a_message_survives_the_cookie() {
        let options = HttpOptions::new().insecure_cookies(true);
        for flash in [Flash::done("Approved request #5: alice is in “Senior Writers”; ok"), Flash::refused("a=b; c")]
        {
            let mut response = Response::new(axum::body::Body::empty());
            flash.set(&mut response, &options);
            let set = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_str(set.split(';').next().unwrap()).unwrap());
            assert_eq!(Flash::read(&headers, &options), Some(flash));
        }
    }

    #[test]
    fn a_refusal_of_the_store_is_a_sentence_and_a_failure_a_page() {
        let refused = Flash::refusal(StoreError::Refused(crate::store::Rule::OwnRequest)).unwrap();
        assert_eq!(
            refused,
            Flash::refused("Refused: nobody approves or denies their own request; another approver must.")
        );
        assert!(Flash::refusal(StoreError::Database(sqlx::Error::PoolTimedOut)).is_err());
    }

    #[test]
    fn a_broken_cookie_is_no_message() {
        let options = HttpOptions::new().insecure_cookies(true);
        for value in ["done.%E2%28", "done.%4", "shout.hi", "nodot"] {
            let mut headers = HeaderMap::new();
            headers.insert(header::COOKIE, HeaderValue::from_str(&format!("permfw_flash={value}")).unwrap());
            assert_eq!(Flash::read(&headers, &options), None, "{value}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("permfw_flash=done.hi"));
        assert_eq!(Flash::read(&headers, &HttpOptions::new()), None, "a secure router reads only its own name");
    }
}
