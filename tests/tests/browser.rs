//! End to end in headless Chromium (Debian's `chromium` and `chromium-driver`), driven over
//! WebDriver: log in to the admin, find a user by typing in the search box, grant a permission
//! with the picker, revoke it, revoke one of the user's API tokens after confirming, and see it
//! all in the audit log; and the guide's promotion: a Writer asks for Senior Writers, an Editor
//! approves on the dashboard, the Writer's page shows the new group. Without the browser it says
//! it skipped; CI installs it and sets `PERMFW_REQUIRE_BROWSER=1`, so there it cannot skip.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use permfw::http::{HttpOptions, admin};
use permfw::store::{Actor, RequestPolicy, RequestQuery, Store};
use permfw::{HasPerms, Model};
use serde_json::{Value, json};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
pub struct Post;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session on a chromedriver this test started.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Browser {
    fn start() -> Option<Self> {
        if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var("PERMFW_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "PERMFW_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing"
            );
            eprintln!("SKIPPED: the browser test: install Debian's chromium and chromium-driver to run it");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let base = format!("http://127.0.0.1:{port}");
        // A profile of its own: the tests run at once, each with its browser.
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let profile = std::env::temp_dir().join(format!("permfw-chromium-{}-{n}", std::process::id()));
        let capabilities = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", format!("--user-data-dir={}", profile.display())],
        }}}});
        let deadline = Instant::now() + Duration::from_secs(30);
        let session = loop {
            let reply = send(&agent, "POST", &format!("{base}/session"), Some(&capabilities));
            if let Some(id) = reply.as_ref().and_then(|r| r["value"]["sessionId"].as_str()) {
                break id.to_owned();
            }
            assert!(Instant::now() < deadline, "no WebDriver session: {reply:?}");
            std::thread::sleep(Duration::from_millis(200));
        };
        Some(Browser { driver, base, session, agent })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body).unwrap_or_else(|reply| panic!("{method} {path}: {reply}"))
    }

    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let reply = send(&self.agent, method, &url, body.as_ref()).unwrap_or(Value::Null);
        if reply["value"]["error"].is_null() && !reply.is_null() { Ok(reply["value"].clone()) } else { Err(reply) }
    }

    /// Runs `action` on the element matching `css`, finding it again if the page replaced it
    /// in between (search as you type rewrites the rows).
    fn on_element(&self, css: &str, action: impl Fn(&str) -> Result<Value, Value>) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match action(&self.find(css)) {
                Ok(value) => return value,
                Err(reply) => assert!(Instant::now() < deadline, "{css}: {reply}"),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn visit(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    /// The first element matching `css`, waiting for it to appear.
    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = format!("{}/session/{}/element", self.base, self.session);
            let reply = send(&self.agent, "POST", &url, Some(&json!({"using": "css selector", "value": css}))).unwrap();
            if let Some(id) = reply["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no element {css}: {reply}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn type_into(&self, css: &str, text: &str) {
        self.on_element(css, |e| self.try_call("POST", &format!("/element/{e}/value"), Some(json!({"text": text}))));
    }

    fn click(&self, css: &str) {
        self.on_element(css, |e| self.try_call("POST", &format!("/element/{e}/click"), Some(json!({}))));
    }

    fn text(&self, css: &str) -> String {
        let text = self.on_element(css, |e| self.try_call("GET", &format!("/element/{e}/text"), None));
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the element's text contains `wanted`.
    fn wait_for_text(&self, css: &str, wanted: &str) {
        self.wait_until(css, |text| text.contains(wanted), wanted);
    }

    /// Waits until the element's text passes `test`.
    fn wait_until(&self, css: &str, test: impl Fn(&str) -> bool, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !test(&self.text(css)) {
            assert!(Instant::now() < deadline, "{css} never became {what:?}: {:?}", self.text(css));
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Browser {
    /// Saves a PNG of the page to the path the environment variable `var` names, if it names one.
    fn screenshot(&self, var: &str) {
        let Ok(path) = std::env::var(var) else { return };
        let encoded = self.call("GET", "/screenshot", None);
        std::fs::write(path, base64_decode(encoded.as_str().unwrap_or_default())).unwrap();
    }
}

/// Standard base64, as WebDriver sends screenshots.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> =
        text.bytes().filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/').map(value).collect();
    digits
        .chunks(4)
        .flat_map(|chunk| {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, d)| n | u32::from(*d) << (18 - 6 * i));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(chunk.len().saturating_sub(1))
        })
        .collect()
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = send(&self.agent, "DELETE", &format!("{}/session/{}", self.base, self.session), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn send(agent: &ureq::Agent, method: &str, url: &str, body: Option<&Value>) -> Option<Value> {
    let response = match (method, body) {
        ("POST", Some(body)) => agent.post(url).header("content-type", "application/json").send(body.to_string()),
        ("POST", None) => agent.post(url).header("content-type", "application/json").send("{}"),
        ("DELETE", _) => agent.delete(url).call(),
        _ => agent.get(url).call(),
    };
    let mut response = response.ok()?;
    serde_json::from_str(&response.body_mut().read_to_string().ok()?).ok()
}

/// Serves the admin on `store` at `/admin` of a loopback port; its address.
async fn serve(store: &Store) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    // Plain http on localhost: the development setting, without which the cookie is `Secure`.
    let options = HttpOptions::new().insecure_cookies(true);
    let app: axum::Router = axum::Router::new().nest("/admin", admin::router_with(store.clone(), &options));
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
    });
    format!("http://{address}")
}

impl Browser {
    /// Logs in on the login page the browser is on (or was sent to).
    fn log_in(&self, username: &str) {
        self.type_into("#username", username);
        self.type_into("#password", &format!("{username}-password"));
        self.click("#login");
    }
}

#[test]
fn log_in_find_a_user_grant_and_revoke_with_the_picker_revoke_a_token_and_see_the_audit_log() {
    let Some(browser) = Browser::start() else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (store, base, deploy) = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        store.create_superuser(&Actor::System, "root", "root@example.com", "root-password").await.unwrap();
        for name in ["alice", "bob", "carol"] {
            store.create_user(&Actor::System, name, &format!("{name}@example.com"), None).await.unwrap();
        }
        let deploy = store.create_token(&Actor::System, "bob", "deploy", None).await.unwrap();
        let base = serve(&store).await;
        (store, base, deploy)
    });

    browser.visit(&format!("{base}/admin/users"));
    browser.type_into("#username", "root");
    browser.type_into("#password", "root-password");
    browser.click("#login");
    browser.find("#search");

    assert!(browser.text("#users").contains("alice"));
    browser.type_into("#search", "bo");
    browser.wait_until(
        "#users",
        |rows| rows.contains("bob") && !rows.contains("alice"),
        "only bob (search as you type)",
    );
    browser.click("#users a");

    browser.type_into("#picker", "auth.view_user");
    browser.click("#grant");
    browser.wait_for_text("#flash", "Granted auth.view_user");
    assert!(browser.text("#permissions").contains("auth.view_user"));
    browser.screenshot("PERMFW_SCREENSHOT");
    assert!(runtime.block_on(store.get_user("bob")).unwrap().has_perm("auth.view_user"));

    browser.click(".revoke[data-permission='auth.view_user']");
    browser.wait_for_text("#flash", "Revoked auth.view_user");
    assert!(!runtime.block_on(store.get_user("bob")).unwrap().has_perm("auth.view_user"));

    // bob's API token is listed on his page, and revoked after a confirmation.
    assert!(browser.text("#tokens").contains("deploy"));
    browser.click(&format!(".revoke-token[data-token='{}']", deploy.id));
    browser.wait_for_text("#question", "deploy");
    assert!(runtime.block_on(store.token_user(&deploy.token)).unwrap().is_some(), "asking revokes nothing");
    browser.click("#confirm");
    browser.wait_for_text("#flash", &format!("Revoked token #{}", deploy.id));
    assert!(runtime.block_on(store.token_user(&deploy.token)).unwrap().is_none());
    assert!(!browser.text("#tokens").contains("Revoke…"), "no revoke link for a revoked token");

    browser.visit(&format!("{base}/admin/audit"));
    let audit = browser.text("#audit");
    let bob_lines: Vec<&str> = audit.lines().filter(|l| l.contains("bob") && l.contains("auth.view_user")).collect();
    assert!(
        bob_lines.iter().any(|l| l.contains("grant_user")) && bob_lines.iter().any(|l| l.contains("revoke_user")),
        "{audit}"
    );
    let revoked = format!("token #{}", deploy.id);
    assert!(audit.lines().any(|l| l.contains("revoke_token") && l.contains("bob") && l.contains(&revoked)), "{audit}");
}

#[test]
fn a_writer_asks_for_senior_writers_an_editor_approves_and_the_writers_page_shows_the_group() {
    let Some(browser) = Browser::start() else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (store, base) = runtime.block_on(async {
        let store = Store::open("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        let system = &Actor::System;
        for (group, perms) in [
            ("Writers", vec![Post::CHANGE_POST]),
            ("Editors", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
            ("Senior Writers", vec![Post::CHANGE_POST, Post::PUBLISH_POST]),
        ] {
            store.create_group(system, group).await.unwrap();
            store.grant_group(system, group, perms).await.unwrap();
        }
        // Neither is staff: a Writer and an Editor.
        for (name, group) in [("alice", "Writers"), ("grace", "Editors")] {
            let password = format!("{name}-password");
            store.create_user(system, name, &format!("{name}@example.com"), Some(&password)).await.unwrap();
            store.add_to_group(system, name, group).await.unwrap();
        }
        let promotion = RequestPolicy::group("promotion", "Senior Writers")
            .requested_by_members_of("Writers")
            .approved_by_members_of("Editors");
        store.create_policy(system, &promotion).await.unwrap();
        let base = serve(&store).await;
        (store, base)
    });

    // alice, a Writer, asks for Senior Writers.
    browser.visit(&format!("{base}/admin/requests/new"));
    browser.log_in("alice");
    browser.wait_for_text("#groups", "Writers");
    browser.click("input[data-policy='promotion']");
    browser.type_into("#justification", "I have written 40 posts");
    browser.click("#ask");
    browser.wait_for_text("#flash", "Requested group Senior Writers");
    let id = runtime.block_on(store.list_requests(RequestQuery::new())).unwrap()[0].id;
    browser.wait_for_text(&format!("#request-{id} .status"), "open");
    browser.click("#logout");
    browser.find("#username"); // logged out: the login page

    // grace, an Editor, sees it on the dashboard and approves it.
    browser.visit(&format!("{base}/admin/approvals"));
    browser.log_in("grace");
    let row = format!("#request-{id}");
    browser.wait_for_text(&row, "alice");
    let shown = browser.text(&row);
    for what in ["Writers", "group Senior Writers", "I have written 40 posts", "just now"] {
        assert!(shown.contains(what), "{what}: {shown}");
    }
    browser.screenshot("PERMFW_SCREENSHOT_APPROVALS");
    browser.type_into(&format!("#comment-{id}"), "well deserved");
    browser.click(&format!(".approve[data-request='{id}']"));
    browser.wait_for_text("#flash", &format!("Approved request #{id}: alice now has group Senior Writers."));
    browser.wait_for_text(&format!("#decided-request-{id}"), "approved by grace");
    assert!(runtime.block_on(store.get_user("alice")).unwrap().has_perm(Post::PUBLISH_POST));
    browser.click("#logout");
    browser.find("#username"); // logged out: the login page

    // alice's page shows the new group and the decision.
    browser.visit(&format!("{base}/admin/login"));
    browser.log_in("alice");
    browser.wait_for_text("#groups", "Senior Writers");
    let mine = browser.text(&format!("#request-{id}"));
    assert!(mine.contains("approved") && mine.contains("well deserved"), "{mine}");
}
