//! Marks the venue end-to-end test `#[ignore]`d, with its reason, when what it needs is absent
//! (`../shared/fakevenues`, python3), so `cargo test` reports it as ignored rather than as a
//! pass. With `ARB_REQUIRE_E2E=1` it is never ignored: it runs and fails, naming what is missing.
//! Likewise the PostgreSQL tests without `DATABASE_URL` (`ARB_REQUIRE_POSTGRES=1` to require),
//! and the console's browser test without chromium and chromedriver (`ARB_REQUIRE_BROWSER=1`).

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn main() {
    postgres();
    browser();
    println!("cargo::rustc-check-cfg=cfg(e2e_unavailable)");
    println!("cargo::rerun-if-env-changed=ARB_REQUIRE_E2E");
    println!("cargo::rerun-if-env-changed=ARB_FAKEVENUES_DIR");
    let dir = std::env::var_os("ARB_FAKEVENUES_DIR").map_or_else(
        || {
            PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default())
                .join("../../shared/fakevenues")
        },
        PathBuf::from,
    );
    let run_sh = dir.join("run.sh");
    println!("cargo::rerun-if-changed={}", run_sh.display());
    let python = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let required = std::env::var("ARB_REQUIRE_E2E").as_deref() == Ok("1");
    let available = run_sh.exists() && python;
    if !available && !required {
        println!("cargo::rustc-cfg=e2e_unavailable");
    }
}

/// Marks the PostgreSQL tests (`leases.rs`) `#[ignore]`d when `DATABASE_URL` is unset, unless
/// `ARB_REQUIRE_POSTGRES=1` (then they run and fail without a server), as in arb-store.
fn postgres() {
    println!("cargo::rustc-check-cfg=cfg(postgres_unavailable)");
    println!("cargo::rerun-if-env-changed=DATABASE_URL");
    println!("cargo::rerun-if-env-changed=ARB_REQUIRE_POSTGRES");
    let configured = std::env::var("DATABASE_URL").is_ok_and(|url| !url.trim().is_empty());
    let required = std::env::var("ARB_REQUIRE_POSTGRES").as_deref() == Ok("1");
    if !configured && !required {
        println!("cargo::rustc-cfg=postgres_unavailable");
    }
}

/// Finds chromium and chromedriver on `PATH` and hands their paths to the browser test
/// (`ARB_CHROMIUM`, `ARB_CHROMEDRIVER`); marks it `#[ignore]`d when either is missing, unless
/// `ARB_REQUIRE_BROWSER=1` (then it runs and fails, naming what is missing).
fn browser() {
    println!("cargo::rustc-check-cfg=cfg(browser_unavailable)");
    println!("cargo::rerun-if-env-changed=ARB_REQUIRE_BROWSER");
    println!("cargo::rerun-if-env-changed=PATH");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    for dir in &dirs {
        // Installing a browser changes its directory: look again then.
        if dir.is_dir() {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
    }
    let find = |names: &[&str]| {
        names
            .iter()
            .flat_map(|name| dirs.iter().map(move |d| d.join(name)))
            .find(|p| p.is_file())
    };
    let chromium = find(&["chromium", "chromium-browser"]);
    let chromedriver = find(&["chromedriver"]);
    if let (Some(chromium), Some(chromedriver)) = (&chromium, &chromedriver) {
        println!("cargo::rustc-env=ARB_CHROMIUM={}", chromium.display());
        println!(
            "cargo::rustc-env=ARB_CHROMEDRIVER={}",
            chromedriver.display()
        );
    } else if std::env::var("ARB_REQUIRE_BROWSER").as_deref() != Ok("1") {
        println!("cargo::rustc-cfg=browser_unavailable");
    }
}
