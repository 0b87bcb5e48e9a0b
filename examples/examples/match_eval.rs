//! Evaluates the matcher on the labelled Kalshi/Polymarket pairs in
//! `<repo>/../shared/data/matched-pairs` (or `$ARB_MATCH_DATA`), read at run time and never
//! copied into the repository: precision and recall of the top-1 suggestion and recall@5 at the
//! default threshold, plus a sweep over thresholds.
//!
//! ```text
//! cargo run --release --example match_eval
//! ```

use std::path::Path;
use std::process::ExitCode;

use arb_core::matching::eval::{self, EvalReport};
use arb_core::matching::{MatchConfig, Matcher};

fn print_report(min_score: f64, r: &EvalReport) {
    println!(
        "min_score {min_score:>5.1}: precision@1 {:.3} ({}/{}; labelled-only {:.3}, {} labelled wrong, {} unlabelled) \
         recall@1 {:.3} ({}/{}) recall@5 {:.3} ({}/{}) polarity same on correct top-1 {}/{}; \
         best tradable suggestion: precision@1 {:.3} ({}/{}), recall@1 {:.3}",
        r.precision_top1(),
        r.top1_correct,
        r.top1_suggested,
        r.precision_top1_labelled(),
        r.top1_labelled_wrong,
        r.top1_unlabelled,
        r.recall_top1(),
        r.recall_top1_hits,
        r.with_match,
        r.recall_at5(),
        r.recall_at5_hits,
        r.with_match,
        r.polarity_same,
        r.top1_correct,
        r.precision_tradable_top1(),
        r.tradable_top1_correct,
        r.tradable_top1_suggested,
        r.recall_tradable_top1(),
    );
}

/// Prints every top-1 suggestion labelled not equivalent (set `MATCH_EVAL_SHOW_WRONG=1`).
fn show_wrong(matcher: &Matcher, data: &eval::LabelledData) {
    let title = |ms: &[arb_core::model::Market], id: &str| {
        ms.iter()
            .find(|m| m.key.market.as_str() == id)
            .map(|m| m.title.clone())
            .unwrap_or_default()
    };
    let mut seen = std::collections::HashSet::new();
    for s in matcher.suggest(&data.kalshi, &data.polymarket, data.now) {
        let (k, p) = (s.a.market.to_string(), s.b.market.to_string());
        if !seen.insert(k.clone()) || data.labels.get(&(k.clone(), p.clone())) == Some(&true) {
            continue;
        }
        let label = data.labels.get(&(k.clone(), p.clone()));
        println!(
            "{:>5.1} {:?} | {} || {} | {:?}",
            s.score,
            label,
            title(&data.kalshi, &k),
            title(&data.polymarket, &p),
            s.warnings
        );
    }
}

fn main() -> ExitCode {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."));
    let Some(dir) = eval::data_dir(repo, std::env::var_os("ARB_MATCH_DATA").map(Into::into)) else {
        println!(
            "match_eval: no labelled data (looked for shared/data/matched-pairs beside {} and its parents; \
             set ARB_MATCH_DATA to the directory): skipped",
            repo.display()
        );
        return ExitCode::SUCCESS;
    };
    let data = match eval::load(&dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("match_eval: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "data: {} ({} Kalshi markets, {} Polymarket markets, {} labelled pairs, {} equivalent), now = {}",
        dir.display(),
        data.kalshi.len(),
        data.polymarket.len(),
        data.labels.len(),
        data.labels.values().filter(|e| **e).count(),
        data.now,
    );
    let default = MatchConfig::default();
    println!("default threshold:");
    print_report(
        default.min_score,
        &eval::evaluate(&Matcher::new(default.clone()), &data),
    );
    if std::env::var_os("MATCH_EVAL_SHOW_WRONG").is_some() {
        show_wrong(&Matcher::new(default.clone()), &data);
    }
    println!("sweep:");
    for min_score in [40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0] {
        let config = MatchConfig {
            min_score,
            ..default.clone()
        };
        print_report(min_score, &eval::evaluate(&Matcher::new(config), &data));
    }
    ExitCode::SUCCESS
}
