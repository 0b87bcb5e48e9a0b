use std::sync::atomic::AtomicUsize;

use chrono::{DateTime, Utc};

use super::*;
use crate::clock::SystemClock;
use crate::fees::FeeSchedule;
use crate::model::{Polarity, SuggestionStatus};
use crate::sim::binary_market;
use crate::store::MemoryStore;

type Answer = Box<dyn Fn(&MarketText, &MarketText) -> Result<Verdict, VerifyError> + Send + Sync>;

/// A verifier answering with `answer` and counting the questions.
struct Judge {
    answer: Answer,
    calls: AtomicUsize,
}

impl Judge {
    fn new(
        answer: impl Fn(&MarketText, &MarketText) -> Result<Verdict, VerifyError>
        + Send
        + Sync
        + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            answer: Box::new(answer),
            calls: AtomicUsize::new(0),
        })
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Verifier for Judge {
    fn model(&self) -> &str {
        "judge-1"
    }

    async fn verify(&self, a: &MarketText, b: &MarketText) -> Result<Verdict, VerifyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        (self.answer)(a, b)
    }
}

fn verdict(relation: Relation, differences: &[&str]) -> Verdict {
    Verdict {
        relation,
        differences: differences.iter().map(|d| (*d).to_owned()).collect(),
        model: "judge-1".into(),
    }
}

fn text(title: &str, rules: &str) -> MarketText {
    MarketText {
        title: title.into(),
        subtitle: "Yes".into(),
        rules: rules.into(),
        resolution_source: None,
    }
}

fn market(venue: &str, id: &str) -> Market {
    let close: DateTime<Utc> = DateTime::UNIX_EPOCH;
    binary_market(
        MarketKey::new(venue, id),
        format!("{venue} {id}"),
        FeeSchedule::FREE,
        close,
    )
    .unwrap()
}

fn suggestion(a: &str, b: &str, score: f64) -> MatchSuggestion {
    MatchSuggestion {
        id: None,
        a: MarketKey::new("kalshi", a),
        b: MarketKey::new("polymarket", b),
        score,
        parts: Vec::new(),
        polarity: Polarity::Same,
        diffs: Vec::new(),
        warnings: Vec::new(),
        relation: Relation::Equivalent,
        settlement: Vec::new(),
        status: SuggestionStatus::Open,
        created_at: DateTime::UNIX_EPOCH,
    }
}

#[test]
fn a_verdict_only_demotes_or_annotates_never_promotes() {
    for local in Relation::ALL {
        for judged in Relation::ALL {
            let r = review(local, 80.0, &verdict(judged, &["B counts a tie as NO"]));
            assert!(r.score <= 80.0, "{local} judged {judged}: score raised");
            if !local.is_tradable() || r.relation.is_tradable() {
                assert_eq!(r.relation, local, "{local} judged {judged}: promoted");
            }
            assert_eq!(
                r.warnings.last().map(String::as_str),
                Some("verifier (judge-1): B counts a tie as NO")
            );
            if judged == local {
                assert_eq!((r.score, r.warnings.len()), (80.0, 1));
            } else {
                assert_eq!(
                    r.warnings.len(),
                    2,
                    "{local} judged {judged}: no reason given"
                );
            }
        }
    }
}

#[test]
fn a_non_tradable_verdict_demotes_an_equivalent_suggestion_and_says_why() {
    let r = review(
        Relation::Equivalent,
        80.0,
        &verdict(
            Relation::Subset,
            &["A settles on the Dec 31 close, B at any time in 2026"],
        ),
    );
    assert_eq!(r.relation, Relation::Subset);
    assert!((r.score - 40.0).abs() < 1e-9, "{}", r.score);
    assert_eq!(
        r.warnings,
        vec![
            "verifier (judge-1): judged subset (whenever A settles YES B does too, not \
             conversely), not equivalent: not tradable"
                .to_owned(),
            "verifier (judge-1): A settles on the Dec 31 close, B at any time in 2026".to_owned(),
        ]
    );
    // A polarity disagreement keeps the matcher's relation, halves the score and warns.
    let r = review(Relation::Equivalent, 80.0, &verdict(Relation::Inverse, &[]));
    assert_eq!((r.relation, r.score), (Relation::Equivalent, 40.0));
    assert!(
        r.warnings[0].contains("check the polarity"),
        "{:?}",
        r.warnings
    );
    // A verdict of "equivalent" on a subset pair changes nothing but a note.
    let r = review(Relation::Subset, 30.0, &verdict(Relation::Equivalent, &[]));
    assert_eq!((r.relation, r.score), (Relation::Subset, 30.0));
    assert!(r.warnings[0].contains("the matcher's reading stands"));
}

#[tokio::test]
async fn verdicts_are_cached_by_both_rules_and_the_other_texts() {
    let judge = Judge::new(|_, _| Ok(verdict(Relation::Equivalent, &[])));
    let store = Arc::new(MemoryStore::new());
    let cached = CachedVerifier::new(judge.clone(), store.clone(), Arc::new(SystemClock));
    let (a, b) = (text("Fed cut?", "rules A"), text("Fed cuts?", "rules B"));
    assert_eq!(
        cached.verify(&a, &b).await.unwrap().relation,
        Relation::Equivalent
    );
    assert_eq!(
        cached.verify(&a, &b).await.unwrap().relation,
        Relation::Equivalent
    );
    assert_eq!(
        judge.calls(),
        1,
        "the second question was answered from the store"
    );
    let key = verdict_key("judge-1", &a, &b);
    assert_eq!(key.rules_hash_a, sha256_hex("rules A"));
    assert!(store.verdict(&key).await.unwrap().is_some());

    // New rules on either side, or another market sharing the same rules text, is asked again.
    cached
        .verify(&a, &text("Fed cuts?", "rules B, amended"))
        .await
        .unwrap();
    assert_eq!(judge.calls(), 2);
    cached
        .verify(&a, &text("Other candidate?", "rules B"))
        .await
        .unwrap();
    assert_eq!(judge.calls(), 3);
}

#[tokio::test]
async fn failures_are_not_cached() {
    let judge = Judge::new(|_, _| Err(VerifyError::Malformed("not JSON".into())));
    let cached = CachedVerifier::new(
        judge.clone(),
        Arc::new(MemoryStore::new()),
        Arc::new(SystemClock),
    );
    let (a, b) = (text("x", "rules A"), text("y", "rules B"));
    for _ in 0..2 {
        assert!(matches!(
            cached.verify(&a, &b).await,
            Err(VerifyError::Malformed(_))
        ));
    }
    assert_eq!(judge.calls(), 2);
}

#[tokio::test]
async fn the_best_n_of_each_market_are_judged_and_demoted_ones_sink() {
    let markets = [
        market("kalshi", "A1"),
        market("kalshi", "A2"),
        market("polymarket", "B1"),
        market("polymarket", "B2"),
        market("polymarket", "B3"),
    ];
    let refs: Vec<&Market> = markets.iter().collect();
    let judge = Judge::new(|_, b| {
        Ok(if b.title.ends_with("B1") {
            verdict(Relation::Different, &["B is about another meeting"])
        } else {
            verdict(Relation::Equivalent, &[])
        })
    });
    let verifier = SuggestionVerifier::new(
        judge.clone(),
        VerifyConfig {
            top_n: 2,
            concurrency: 2,
        },
    );
    let mut suggestions = vec![
        suggestion("A1", "B3", 70.0),
        suggestion("A1", "B1", 90.0),
        suggestion("A1", "B2", 80.0),
        suggestion("A2", "B2", 60.0),
        suggestion("A2", "B9", 55.0),
    ];
    let report = verifier.verify_all(&mut suggestions, &refs).await;
    assert_eq!(
        report,
        VerifyReport {
            judged: 3,
            demoted: 1,
            failed: 0,
            // A1–B3 is third for A1; B9 is not at hand.
            skipped: 2,
        }
    );
    let order: Vec<(&str, f64)> = suggestions
        .iter()
        .map(|s| (s.b.market.as_str(), s.score))
        .collect();
    assert_eq!(
        order,
        vec![
            ("B2", 80.0),
            ("B3", 70.0),
            ("B2", 60.0),
            ("B9", 55.0),
            ("B1", 45.0)
        ]
    );
    assert!(suggestions[4].warnings[0].starts_with("verifier (judge-1): judged different"));
    assert_eq!(suggestions[4].relation, Relation::Different);
    assert_eq!(suggestions[0].relation, Relation::Equivalent);
    assert!(suggestions[0].warnings.is_empty());
}

#[tokio::test]
async fn a_failed_verdict_keeps_the_matchers_reading_and_refused_credentials_end_the_run() {
    let markets = [
        market("kalshi", "A1"),
        market("kalshi", "A2"),
        market("polymarket", "B1"),
    ];
    let refs: Vec<&Market> = markets.iter().collect();
    let judge = Judge::new(|_, _| Err(VerifyError::Unauthorized(401)));
    let verifier = SuggestionVerifier::new(
        judge.clone(),
        VerifyConfig {
            top_n: 3,
            concurrency: 1,
        },
    );
    let mut suggestions = vec![suggestion("A1", "B1", 90.0), suggestion("A2", "B1", 80.0)];
    let before = suggestions.clone();
    let report = verifier.verify_all(&mut suggestions, &refs).await;
    assert_eq!(suggestions, before);
    assert_eq!(
        judge.calls(),
        1,
        "no request after the credentials were refused"
    );
    assert_eq!((report.failed, report.skipped, report.judged), (1, 1, 0));

    let judge = Judge::new(|_, _| Err(VerifyError::Timeout(Duration::from_secs(1))));
    let verifier = SuggestionVerifier::new(judge.clone(), VerifyConfig::default());
    let report = verifier.verify_all(&mut suggestions, &refs).await;
    assert_eq!(suggestions, before);
    assert_eq!(
        (judge.calls(), report.failed),
        (2, 2),
        "a timeout does not end the run"
    );
}
