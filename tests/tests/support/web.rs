//! The admin through its router, as a browser uses it: log in, get a page, post a form with the
//! session's CSRF token, follow an action's redirect with the message it left.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use permfw::http::SESSION_COOKIE;
use tower::ServiceExt;

/// A response: its status, headers and body.
pub struct Page {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub html: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).map_or("", |l| l.to_str().unwrap())
    }

    /// The flash cookie this response sets (`name=value`), if any.
    pub fn flash(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
            .find(|c| c.starts_with("__Host-permfw_flash="))
    }
}

/// A logged-in browser: its session key and CSRF token.
pub struct Session {
    pub key: String,
    pub csrf: String,
}

pub async fn send(app: &Router, request: Request<Body>) -> Page {
    let response = app.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let html = String::from_utf8(to_bytes(response.into_body(), 1 << 22).await.unwrap().to_vec()).unwrap();
    Page { status, headers, html }
}

fn cookies(session: Option<&Session>, flash: Option<&str>) -> String {
    let key = session.map(|s| format!("{SESSION_COOKIE}={}", s.key));
    [key.as_deref(), flash].into_iter().flatten().collect::<Vec<_>>().join("; ")
}

pub async fn get(app: &Router, path: &str, session: Option<&Session>) -> Page {
    let request = Request::get(path).header(header::COOKIE, cookies(session, None));
    send(app, request.body(Body::empty()).unwrap()).await
}

/// Posts a form (values percent-encoded).
pub async fn post(app: &Router, path: &str, session: Option<&Session>, form: &[(&str, &str)]) -> Page {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect::<String>()
    };
    let body: Vec<String> = form.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    post_encoded(app, path, session, body.join("&")).await
}

/// Posts a form body already encoded (`a=1&b=2`), as it is.
pub async fn post_encoded(app: &Router, path: &str, session: Option<&Session>, body: String) -> Page {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookies(session, None));
    send(app, request.body(Body::from(body)).unwrap()).await
}

/// Follows an action's redirect as a browser does, with the flash cookie it set.
pub async fn follow(app: &Router, done: &Page, session: &Session) -> Page {
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let flash = done.flash().expect("an action leaves a message");
    let request = Request::get(done.location()).header(header::COOKIE, cookies(Some(session), Some(&flash)));
    let page = send(app, request.body(Body::empty()).unwrap()).await;
    let cleared = page.flash().expect("the page clears the message it showed");
    assert_eq!(cleared, "__Host-permfw_flash=");
    page
}

/// The text of the flash message a page shows, and whether it is a refusal.
pub fn flash_of(page: &Page) -> (bool, String) {
    let at = page.html.find("id=\"flash\"").unwrap_or_else(|| panic!("no message: {}", page.html));
    let refused = page.html[..at].ends_with("class=\"error\" ");
    let text = page.html[at..].split('>').nth(1).unwrap().split('<').next().unwrap();
    let text = text.replace("&#39;", "'").replace("&quot;", "\"").replace("&#x60;", "`");
    (refused, text.replace("&amp;", "&"))
}

pub async fn login(app: &Router, username: &str) -> Session {
    let password = format!("{username}-password");
    let page = post(app, "/admin/login", None, &[("username", username), ("password", &password)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{username}: {}", page.html);
    let cookie = page.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    let key = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
    let mut session = Session { key, csrf: String::new() };
    let mine = get(app, "/admin/requests", Some(&session)).await;
    session.csrf = mine.html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    session
}
