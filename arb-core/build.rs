//! Marks the public-data matching test (`tests/matching_eval.rs`) `#[ignore]`d, with its reason,
//! when the labelled data is absent (`../shared/data/matched-pairs` beside the repository, or
//! `ARB_MATCH_DATA`), so `cargo test` reports it as ignored (`SKIPPED: …`) rather than as a
//! pass. With `ARB_REQUIRE_MATCH_DATA=1` it is never ignored: it runs and fails, naming what is
//! missing.

use std::path::{Path, PathBuf};

/// The labels file inside the data directory (as `arb_core::matching::eval::LABELS_FILE`).
const LABELS_FILE: &str = "schumachero-PolyKalshi/llm_all_predictions.csv";

fn main() {
    println!("cargo::rustc-check-cfg=cfg(match_data_unavailable)");
    println!("cargo::rerun-if-env-changed=ARB_MATCH_DATA");
    println!("cargo::rerun-if-env-changed=ARB_REQUIRE_MATCH_DATA");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let found = std::env::var_os("ARB_MATCH_DATA").map_or_else(
        || {
            manifest
                .ancestors()
                .skip(2)
                .map(|p| p.join("shared/data/matched-pairs"))
                .find(|dir| labels(dir).is_file())
                .is_some()
        },
        |dir| labels(Path::new(&dir)).is_file(),
    );
    let required = std::env::var("ARB_REQUIRE_MATCH_DATA").as_deref() == Ok("1");
    if !found && !required {
        println!("cargo::rustc-cfg=match_data_unavailable");
    }
}

fn labels(dir: &Path) -> PathBuf {
    dir.join(LABELS_FILE)
}
