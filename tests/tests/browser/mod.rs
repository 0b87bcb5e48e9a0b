//! A tiny WebDriver client (plain JSON over HTTP to chromedriver) driving headless Chromium:
//! sessions, navigation, finding elements, clicking, typing, reading text, running a script,
//! cookies and screenshots. Enough for the console's browser tests, without a browser crate.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// The key WebDriver names an element reference by.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long a `wait_for` waits by default.
pub const WAIT: Duration = Duration::from_secs(20);

/// A running chromedriver; killed when dropped.
pub struct Driver {
    http: reqwest::Client,
    base: String,
    chromium: String,
    process: Child,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Driver {
    /// Starts `chromedriver` on a free port and waits until it is ready.
    pub async fn start(chromedriver: &str, chromium: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let driver = Self {
            http: reqwest::Client::new(),
            base: format!("http://127.0.0.1:{port}"),
            chromium: chromium.to_owned(),
            process,
        };
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = driver
                .call(
                    reqwest::Method::GET,
                    &format!("{}/status", driver.base),
                    None,
                )
                .await
                .ok()
                .and_then(|v| v["ready"].as_bool());
            if ready == Some(true) {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A new headless browser session (1280×900; pages must load within 10 s).
    pub async fn session(&self) -> Session {
        // A page that has not loaded in 10 s is broken (e.g. blocked behind held connections).
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "timeouts": { "pageLoad": 10_000 },
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--disable-gpu", "--window-size=1280,900", "--hide-scrollbars"]
            }
        }}});
        let value = self
            .call(
                reqwest::Method::POST,
                &format!("{}/session", self.base),
                Some(capabilities),
            )
            .await
            .unwrap_or_else(|e| panic!("no browser session: {e}"));
        let id = value["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        Session {
            http: self.http.clone(),
            url: format!("{}/session/{id}", self.base),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        call(&self.http, method, url, body).await
    }
}

/// One browser session. Elements are named by CSS selectors and looked up afresh at each step:
/// the console replaces its live region in place, so a reference kept across steps goes stale.
pub struct Session {
    http: reqwest::Client,
    url: String,
}

impl Session {
    async fn try_send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        call(&self.http, method, &format!("{}{path}", self.url), body).await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_send(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}"))
    }

    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.send(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// The current URL.
    pub async fn current_url(&self) -> String {
        self.send(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs `script` in the page with `arguments[0]` = `arg`, and returns its result.
    pub async fn execute_with(&self, script: &str, arg: &str) -> Value {
        self.send(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [arg] })),
        )
        .await
    }

    /// Runs `script` in the page and returns its result.
    pub async fn execute(&self, script: &str) -> Value {
        self.execute_with(script, "").await
    }

    /// How many elements match `css`.
    pub async fn count(&self, css: &str) -> usize {
        let n = self
            .execute_with(
                "return document.querySelectorAll(arguments[0]).length;",
                css,
            )
            .await;
        usize::try_from(n.as_u64().unwrap_or(0)).unwrap_or(0)
    }

    /// The rendered text of the first element matching `css`, if any.
    pub async fn text_of(&self, css: &str) -> Option<String> {
        let text = self
            .execute_with(
                "const e = document.querySelector(arguments[0]); return e ? (e.innerText ?? e.textContent) : null;",
                css,
            )
            .await;
        text.as_str().map(str::to_owned)
    }

    /// Waits up to [`WAIT`] for an element matching `css`; returns its text.
    pub async fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(text) = self.text_of(css).await {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "no `{css}` within {WAIT:?} on {}",
                self.current_url().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the text of the first `css` element contains `needle`; returns the text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.text_of(css).await;
            if let Some(text) = &text
                && text.contains(needle)
            {
                return text.clone();
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` reads {text:?}, not {needle:?}, on {}",
                self.current_url().await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends an element command (`click`, `value`) to the first element matching `css`, looking
    /// it up again if a live update replaced it in between.
    async fn on_element(&self, css: &str, command: &str, body: Value) {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self
                .try_send(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({ "using": "css selector", "value": css })),
                )
                .await;
            let outcome = match found {
                Ok(element) => {
                    let id = element[ELEMENT_KEY].as_str().unwrap_or_default().to_owned();
                    self.try_send(
                        reqwest::Method::POST,
                        &format!("/element/{id}/{command}"),
                        Some(body.clone()),
                    )
                    .await
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(_) => return,
                Err(e)
                    if ["stale element", "no such element", "not interactable"]
                        .iter()
                        .any(|retry| e.contains(retry)) =>
                {
                    assert!(Instant::now() < deadline, "`{css}`: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("`{css}` {command}: {e}"),
            }
        }
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        self.on_element(css, "click", json!({})).await;
    }

    /// Types `text` into the first element matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.on_element(css, "value", json!({ "text": text })).await;
    }

    /// The value of the cookie `name` (HttpOnly cookies included), if set.
    pub async fn cookie(&self, name: &str) -> Option<String> {
        let all = self.send(reqwest::Method::GET, "/cookie", None).await;
        all.as_array()?
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| (c["value"].as_str().unwrap_or_default().to_owned(), c))
            .map(|(v, c)| {
                assert_eq!(
                    c["httpOnly"].as_bool(),
                    Some(true),
                    "the session cookie must be HttpOnly"
                );
                assert_eq!(
                    c["sameSite"], "Strict",
                    "the session cookie must be SameSite=Strict"
                );
                v
            })
    }

    /// Saves a PNG of the viewport to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let data = self.send(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("a base64 PNG");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot directory");
        }
        std::fs::write(path, png).expect("screenshot written");
    }

    /// Ends the session (closes the browser).
    pub async fn close(self) {
        self.send(reqwest::Method::DELETE, "", None).await;
    }
}

/// One WebDriver command: its `value`, or the error WebDriver reported.
async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    if status.is_success() {
        Ok(value["value"].clone())
    } else {
        Err(format!("{status}: {}", value["value"]))
    }
}
