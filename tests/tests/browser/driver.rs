//! The browser the flows drive: Debian's Chromium, headless, over WebDriver (a chromedriver each
//! test starts), the admin served on a loopback port, and axe-core's accessibility check.

// Each flow uses some of the driver's verbs; not every verb has a flow yet.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use permfw::http::{HttpOptions, admin};
use permfw::store::Store;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A WebDriver session on a chromedriver this test started.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Browser {
    pub fn start() -> Option<Self> {
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

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body).unwrap_or_else(|reply| panic!("{method} {path}: {reply}"))
    }

    pub fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let reply = send(&self.agent, method, &url, body.as_ref()).unwrap_or(Value::Null);
        if reply["value"]["error"].is_null() && !reply.is_null() { Ok(reply["value"].clone()) } else { Err(reply) }
    }

    /// Runs `action` on the element matching `css`, finding it again if the page replaced it
    /// in between (search as you type rewrites the rows).
    pub fn on_element(&self, css: &str, action: impl Fn(&str) -> Result<Value, Value>) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match action(&self.find(css)) {
                Ok(value) => return value,
                Err(reply) => assert!(Instant::now() < deadline, "{css}: {reply}"),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn visit(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    /// The first element matching `css`, waiting for it to appear.
    pub fn find(&self, css: &str) -> String {
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

    pub fn type_into(&self, css: &str, text: &str) {
        self.on_element(css, |e| self.try_call("POST", &format!("/element/{e}/value"), Some(json!({"text": text}))));
    }

    pub fn click(&self, css: &str) {
        self.on_element(css, |e| self.try_call("POST", &format!("/element/{e}/click"), Some(json!({}))));
    }

    pub fn text(&self, css: &str) -> String {
        let text = self.on_element(css, |e| self.try_call("GET", &format!("/element/{e}/text"), None));
        text.as_str().unwrap_or_default().to_owned()
    }

    /// Waits until the element's text contains `wanted`.
    pub fn wait_for_text(&self, css: &str, wanted: &str) {
        self.wait_until(css, |text| text.contains(wanted), wanted);
    }

    /// Waits until the element's text passes `test`.
    pub fn wait_until(&self, css: &str, test: impl Fn(&str) -> bool, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !test(&self.text(css)) {
            assert!(Instant::now() < deadline, "{css} never became {what:?}: {:?}", self.text(css));
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Browser {
    /// Runs `script` in the page (WebDriver's "execute script") with `args`; its return value.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.call("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
    }

    /// Whether an element matches `css` now (no waiting).
    pub fn is_present(&self, css: &str) -> bool {
        self.execute("return document.querySelector(arguments[0]) !== null;", json!([css])).as_bool() == Some(true)
    }

    /// Chooses the option whose value is `value` in the `<select>` matching `css`.
    pub fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value='{value}']"));
    }

    /// Resizes the window to `width` x `height` CSS pixels (a phone: 390 x 844).
    pub fn resize(&self, width: u32, height: u32) {
        self.call("POST", "/window/rect", Some(json!({"width": width, "height": height})));
    }

    /// Asserts the page needs no sideways scrolling at the window's width: what a phone shows.
    pub fn assert_fits_width(&self, page: &str) {
        let widths = self
            .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];", json!([]));
        let (scroll, client) = (widths[0].as_u64().unwrap_or(0), widths[1].as_u64().unwrap_or(0));
        if scroll > client {
            // The innermost elements that stick out, to say what to fix.
            let culprits = self.execute(
                "const w = document.documentElement.clientWidth;
                 return [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > w + 1 && e.closest('.scroll') === null)
                   .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > w + 1))
                   .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + e.className + ': ' + e.outerHTML.slice(0, 80));",
                json!([]),
            );
            panic!("{page}: {scroll} px wide in a {client} px window; sticking out: {culprits:#}");
        }
    }

    /// Runs axe-core on the page and asserts no serious or critical violation. axe-core comes from
    /// npm (`npm ci --prefix tests/axe`, which CI runs); without it the check says it skipped,
    /// unless `PERMFW_REQUIRE_BROWSER=1`.
    pub fn assert_accessible(&self, page: &str) {
        let Some(axe) = axe_source() else { return };
        self.execute(&format!("{axe}\nreturn true;"), json!([]));
        let script = "const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ['violations'] })
              .then(r => done(r.violations.map(v =>
                `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)))
              .catch(e => done([`critical axe-core failed: ${e}`]));";
        let found = self.call("POST", "/execute/async", Some(json!({"script": script, "args": []})));
        let found: Vec<&str> =
            found.as_array().expect("axe-core's violations").iter().filter_map(Value::as_str).collect();
        let (grave, minor): (Vec<&str>, Vec<&str>) =
            found.into_iter().partition(|v| v.starts_with("serious") || v.starts_with("critical"));
        for violation in minor {
            eprintln!("{page}: axe-core (minor or moderate, not failing): {violation}");
        }
        assert!(grave.is_empty(), "{page}: axe-core found {grave:#?}");
    }

    /// Saves a PNG of the page, 1280 pixels wide, as `{name}.png` in the folder that
    /// `PERMFW_SCREENSHOTS` names, if it names one (the README's pictures:
    /// `PERMFW_SCREENSHOTS=docs cargo test -p permfw-tests --test browser`).
    pub fn screenshot(&self, name: &str) {
        let Ok(folder) = std::env::var("PERMFW_SCREENSHOTS") else { return };
        self.resize(1280, 900);
        let encoded = self.call("GET", "/screenshot", None);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(folder).join(format!("{name}.png"));
        std::fs::write(&path, base64_decode(encoded.as_str().unwrap_or_default()))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// axe-core's script, read once from `tests/axe/node_modules`.
fn axe_source() -> Option<&'static str> {
    static SOURCE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    SOURCE
        .get_or_init(|| {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("axe/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&path).ok();
            if source.is_none() {
                assert!(
                    std::env::var("PERMFW_REQUIRE_BROWSER").as_deref() != Ok("1"),
                    "PERMFW_REQUIRE_BROWSER=1 but {} is missing: run `npm ci --prefix tests/axe`",
                    path.display()
                );
                eprintln!("SKIPPED: the accessibility checks: run `npm ci --prefix tests/axe` to install axe-core");
            }
            source
        })
        .as_deref()
}

/// A runtime for the test's store and server, beside the blocking WebDriver calls.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
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
pub async fn serve(store: &Store) -> String {
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
    pub fn log_in(&self, username: &str) {
        self.type_into("#username", username);
        self.type_into("#password", &format!("{username}-password"));
        self.click("#login");
    }
}
