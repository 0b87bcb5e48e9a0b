//! The venue-faithful fake venues (`../shared/fakevenues`, never edited) and the release daemon
//! binary, driven as a user would: processes, environment variables, the CLI and the fakes'
//! `/_control/` plane.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // test helpers

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use serde_json::{Value, json};

/// The workspace's root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

/// `../shared/fakevenues` beside the workspace (or `$ARB_FAKEVENUES_DIR`), if present.
pub fn fakevenues_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ARB_FAKEVENUES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/fakevenues"));
    dir.join("run.sh").exists().then_some(dir)
}

/// Prints a skip notice, or fails when `ARB_REQUIRE_E2E=1` (CI) asks for the test to run.
pub fn skip(reason: &str) {
    assert!(
        std::env::var("ARB_REQUIRE_E2E").as_deref() != Ok("1"),
        "ARB_REQUIRE_E2E=1 but {reason}"
    );
    println!("SKIPPED: venue end-to-end test: {reason}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn python_for_venv() -> String {
    let works = |p: &str| {
        Command::new(p)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if works("python3.11") {
        "python3.11".into()
    } else {
        "python3".into()
    }
}

/// Whether python3 can run here.
pub fn python_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The fake venues, running on free ports until dropped.
pub struct Fakes {
    child: Child,
    pub dir: PathBuf,
    pub kalshi: u16,
    pub clob: u16,
    pub gamma: u16,
    pub data: u16,
    http: reqwest::Client,
}

impl Drop for Fakes {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Fakes {
    /// Starts the fakes (creating their venv under the target directory on first use).
    pub fn start(dir: &Path) -> Self {
        // reqwest is built without a default TLS provider in this workspace (plain HTTP here).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (kalshi, clob, gamma, data) = (free_port(), free_port(), free_port(), free_port());
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let venv = tmp.join("fakevenues-venv");
        // On a clean clone the first start creates the venv; two tests (or test binaries)
        // starting at once would build it over each other. One start at a time, until READY.
        let lock = std::fs::File::create(tmp.join("fakevenues-venv.lock")).expect("lock file");
        lock.lock().expect("lock the fake venues' venv");
        let mut child = Command::new("bash")
            .arg(dir.join("run.sh"))
            .args(["--kalshi", &format!("127.0.0.1:{kalshi}")])
            .args(["--clob", &format!("127.0.0.1:{clob}")])
            .args(["--gamma", &format!("127.0.0.1:{gamma}")])
            .args(["--data", &format!("127.0.0.1:{data}")])
            .env("FV_VENV", &venv)
            .env("FV_PYTHON", python_for_venv())
            .env("FV_LOG_LEVEL", "WARNING")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("run.sh starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut ready = false;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            if line.starts_with("FAKEVENUES READY") {
                ready = true;
                break;
            }
        }
        drop(lock);
        assert!(ready, "the fake venues did not start (see stderr above)");
        Self {
            child,
            dir: dir.to_path_buf(),
            kalshi,
            clob,
            gamma,
            data,
            http: reqwest::Client::new(),
        }
    }

    async fn call(
        &self,
        port: u16,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let url = format!("http://127.0.0.1:{port}{path}");
        let mut req = self.http.request(method, &url);
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.expect("control call");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// `POST /_control/<path>` on one port.
    pub async fn control(&self, port: u16, path: &str, body: Value) -> Value {
        self.call(
            port,
            reqwest::Method::POST,
            &format!("/_control/{path}"),
            Some(body),
        )
        .await
    }

    /// `GET` a path on one port.
    pub async fn get(&self, port: u16, path: &str) -> Value {
        self.call(port, reqwest::Method::GET, path, None).await
    }

    /// Reloads `scenario` on both venues and clears logs and faults.
    pub async fn reset(&self, scenario: &Value) {
        for port in [self.kalshi, self.clob] {
            let mut body = scenario.clone();
            body["base_dir"] = json!(self.dir.to_string_lossy());
            self.control(port, "scenario", body).await;
            self.control(port, "log/clear", json!({})).await;
            self.call(port, reqwest::Method::DELETE, "/_control/faults", None)
                .await;
        }
    }

    /// Applies a named preset on both venues.
    pub async fn preset(&self, name: &str) {
        for port in [self.kalshi, self.clob] {
            self.control(port, "preset", json!({ "name": name })).await;
        }
    }

    /// Both venues' request logs and violations: (Kalshi, Polymarket).
    pub async fn logs(&self) -> (Value, Value) {
        (
            self.get(self.kalshi, "/_control/log").await,
            self.get(self.clob, "/_control/log").await,
        )
    }

    /// Both venues' states: (Kalshi, Polymarket).
    pub async fn states(&self) -> (Value, Value) {
        (
            self.get(self.kalshi, "/_control/state").await,
            self.get(self.clob, "/_control/state").await,
        )
    }

    /// The scenario shipped with the fakes.
    pub fn scenario(&self) -> Value {
        let text = std::fs::read_to_string(self.dir.join("scenario-basic.json")).expect("scenario");
        serde_json::from_str(&text).expect("scenario JSON")
    }

    /// A key file of the fakes.
    pub fn key(&self, name: &str) -> PathBuf {
        self.dir.join("keys").join(name)
    }

    /// `keys/keys.json`.
    pub fn keys(&self) -> Value {
        let text = std::fs::read_to_string(self.key("keys.json")).expect("keys.json");
        serde_json::from_str(&text).expect("keys JSON")
    }
}

/// The release daemon, built once per test run.
pub fn daemon_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let status = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--release",
                    "-p",
                    "arb-daemon",
                    "--bin",
                    "arb-daemon",
                ])
                .current_dir(workspace())
                .status()
                .expect("cargo runs");
            assert!(status.success(), "the release daemon did not build");
            let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
                .parent()
                .expect("target dir")
                .to_path_buf();
            target.join("release").join("arb-daemon")
        })
        .clone()
}

/// Which keys the daemon trades with.
#[derive(Clone, Copy, Debug)]
pub enum KalshiKey {
    /// RSA-PSS.
    Rsa,
    /// Ed25519.
    Ed25519,
}

/// Which Polymarket wallet the daemon trades with.
#[derive(Clone, Copy, Debug)]
pub enum PolyWallet {
    /// A plain EOA (signature type 0).
    Eoa,
    /// A Gnosis Safe (signature type 2).
    Safe,
}

/// One daemon configuration: a working directory, a store and the environment.
pub struct Daemon {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
    pub database_url: String,
}

impl Daemon {
    /// A daemon in `mode` over the fakes, trading with these keys.
    pub fn new(fakes: &Fakes, mode: &str, key: KalshiKey, wallet: PolyWallet) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = format!("sqlite://{}", dir.path().join("arb.db").display());
        let keys = fakes.keys();
        let (key_id, pem) = match key {
            KalshiKey::Rsa => (&keys["kalshi_rsa_key_id"], "kalshi-rsa-private.pem"),
            KalshiKey::Ed25519 => (&keys["kalshi_ed25519_key_id"], "kalshi-ed25519-private.pem"),
        };
        let (wallet_key, signature_type, funder) = match wallet {
            PolyWallet::Eoa => ("polymarket-eoa.key", "0", None),
            PolyWallet::Safe => (
                "polymarket-safe.key",
                "2",
                keys["polymarket"]["safe"]["funder"].as_str(),
            ),
        };
        let private_key = std::fs::read_to_string(fakes.key(wallet_key))
            .expect("wallet key")
            .trim()
            .to_owned();
        // Nothing listens on this port: neither fake serves a WebSocket, so the daemon must back
        // off and poll over REST (and the fakes log no request for it).
        let closed = free_port();
        let mut env = vec![
            ("TRADING_MODE", mode.to_owned()),
            ("DATABASE_URL", database_url.clone()),
            ("LOG_DIR", dir.path().join("logs").display().to_string()),
            ("LOG_LEVEL", "info".to_owned()),
            ("METRICS_ADDR", "off".to_owned()),
            ("PRICE_FETCH_INTERVAL", "1".to_owned()),
            ("ORDER_TIMEOUT_SECONDS", "15".to_owned()),
            (
                "KALSHI_API_URL",
                format!("http://127.0.0.1:{}/trade-api/v2", fakes.kalshi),
            ),
            (
                "KALSHI_WS_URL",
                format!("ws://127.0.0.1:{closed}/trade-api/ws/v2"),
            ),
            (
                "KALSHI_API_KEY",
                key_id.as_str().expect("key id").to_owned(),
            ),
            (
                "KALSHI_PRIVATE_KEY_PATH",
                fakes.key(pem).display().to_string(),
            ),
            ("POLYMARKET_PRIVATE_KEY", private_key),
            ("POLYMARKET_SIGNATURE_TYPE", signature_type.to_owned()),
            (
                "POLYMARKET_CLOB_URL",
                format!("http://127.0.0.1:{}", fakes.clob),
            ),
            (
                "POLYMARKET_GAMMA_URL",
                format!("http://127.0.0.1:{}", fakes.gamma),
            ),
            (
                "POLYMARKET_DATA_URL",
                format!("http://127.0.0.1:{}", fakes.data),
            ),
            ("POLYMARKET_WS_URL", format!("ws://127.0.0.1:{closed}/ws")),
        ];
        if let Some(f) = funder {
            env.push(("POLYMARKET_FUNDER", f.to_owned()));
        }
        Self {
            dir,
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            database_url,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(daemon_binary());
        c.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c
    }

    /// Runs one CLI command to completion.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("arb-daemon runs")
    }

    /// Runs one CLI command that must succeed; returns its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "arb-daemon {args:?} failed ({:?}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// Starts `arb-daemon run`, its output going to `run-N.log` in the working directory.
    pub fn start(&self) -> Running {
        self.start_with(&["run"])
    }

    /// Starts a long-running command (`run`, `record …`), its output going to `run-N.log` in
    /// the working directory.
    pub fn start_with(&self, args: &[&str]) -> Running {
        let n = std::fs::read_dir(self.dir.path()).map_or(0, Iterator::count);
        let log = self.dir.path().join(format!("run-{n}.log"));
        let file = std::fs::File::create(&log).expect("log file");
        let err = file.try_clone().expect("log file");
        let child = self
            .command(args)
            .stdout(file)
            .stderr(err)
            .spawn()
            .expect("arb-daemon starts");
        Running { child, log }
    }

    /// The daemon's store.
    pub async fn store(&self) -> arb_store::SqlStore {
        arb_store::connect(&self.database_url).await.expect("store")
    }

    /// `markets sync`, then both pairs approved (the mayoral runoff as inverse).
    pub fn sync_and_approve(&self) {
        let synced = self.ok(&["markets", "sync", "--create-store"]);
        assert!(synced.contains("kalshi: 6 open markets stored"), "{synced}");
        assert!(
            synced.contains("polymarket: 6 open markets stored"),
            "{synced}"
        );
        self.ok(&["pairs", "approve", FED_KALSHI, FED_POLY]);
        self.ok(&[
            "pairs",
            "approve",
            MAYOR_KALSHI,
            MAYOR_POLY,
            "--polarity",
            "inverse",
        ]);
    }
}

/// The scenario's Fed pair (same polarity).
pub const FED_KALSHI: &str = "KXFEDCUT-26DEC-CUT";
/// Its Polymarket market.
pub const FED_POLY: &str = "0x7f714c6dc3043f4f2397816a7d9540ecd155232bc4ca08077ed1ead319a594db";
/// The scenario's mayoral runoff pair (inverse: Alice YES is Ben NO).
pub const MAYOR_KALSHI: &str = "KXMAYORSPF-26-MOREAU";
/// Its Polymarket market.
pub const MAYOR_POLY: &str = "0xe03b785115fc50c62843e50097a2e2f275052b68afcb07631bf519802043542e";

/// A running `arb-daemon run`.
pub struct Running {
    child: Child,
    pub log: PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// SIGINT, then waits for a clean exit; returns the log.
    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = self.read_log();
                assert!(
                    status.success(),
                    "arb-daemon run exited with {status}:\n{log}"
                );
                return log;
            }
            assert!(
                Instant::now() < deadline,
                "arb-daemon run did not stop:\n{}",
                self.read_log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: the daemon dies where it stands.
    pub fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.read_log()
    }

    pub fn read_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Waits (up to `timeout`) until `done` holds for what `read` returns; returns the last value.
pub async fn wait_for<T, F, Fut>(timeout: Duration, mut read: F, done: impl Fn(&T) -> bool) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let value = read().await;
        if done(&value) || Instant::now() > deadline {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A decimal field of a JSON object (string or number).
pub fn dec(v: &Value) -> Decimal {
    match v {
        Value::String(s) => s.parse().unwrap_or_else(|_| panic!("decimal {s}")),
        Value::Number(n) => n
            .to_string()
            .parse()
            .unwrap_or_else(|_| panic!("decimal {n}")),
        other => panic!("not a decimal: {other}"),
    }
}
