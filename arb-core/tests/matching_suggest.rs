//! The matcher as the engine uses it: suggestions, scores, polarity and every warning.

use arb_core::fees::FeeSchedule;
use arb_core::matching::{MarketFeatures, MatchConfig, Matcher, rules_changed};
use arb_core::model::{
    Market, MarketExt, MarketKey, MarketStatus, MatchSuggestion, PairId, PairStatus, Polarity,
    PriceGrid, Qty, Relation, VerifiedPair, WarningKind,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal_macros::dec;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 22, 12, 0, 0).unwrap()
}

fn close() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap()
}

fn market(venue: &str, id: &str, title: &str, subtitle: &str) -> Market {
    Market {
        key: MarketKey::new(venue, id),
        title: title.into(),
        subtitle: subtitle.into(),
        rules: format!("Resolves YES if: {title} {subtitle}"),
        resolution_source: None,
        close_time: close(),
        status: MarketStatus::Open,
        price_grid: PriceGrid::uniform(dec!(0.01)).expect("valid tick"),
        size_step: Qty::new(dec!(0.01)).expect("valid step"),
        min_order_qty: Qty::new(dec!(1)).expect("valid minimum"),
        fees: FeeSchedule::FREE,
        ext: MarketExt::default(),
    }
}

fn kalshi(id: &str, title: &str, subtitle: &str) -> Market {
    market("kalshi", id, title, subtitle)
}

fn poly(id: &str, title: &str) -> Market {
    market("polymarket", id, title, "Yes")
}

/// The single suggestion for one pair at threshold 0.
fn pair(a: &Market, b: &Market) -> MatchSuggestion {
    let matcher = Matcher::new(MatchConfig {
        min_score: 0.0,
        ..MatchConfig::default()
    });
    let mut s = matcher.suggest(std::slice::from_ref(a), std::slice::from_ref(b), now());
    assert_eq!(s.len(), 1, "expected one suggestion");
    s.remove(0)
}

fn has_warning(s: &MatchSuggestion, text: &str) -> bool {
    s.warnings.iter().any(|w| w == text)
}

/// Whether `s` names a settlement difference of `kind` with these two sides.
fn has_settlement(s: &MatchSuggestion, kind: WarningKind, a: &str, b: &str) -> bool {
    s.settlement
        .iter()
        .any(|w| w.kind == kind && w.a == a && w.b == b)
}

#[test]
fn normalisation_of_kalshi_and_polymarket_markets() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 22).unwrap();
    let k = MarketFeatures::of(
        &kalshi(
            "KXBTC",
            "Bitcoin price at the end of 2026?",
            "$100,000 or above",
        ),
        today,
    );
    let p = MarketFeatures::of(
        &poly("1", "Will Bitcoin be at least $100k on 12/31/2026?"),
        today,
    );
    assert_eq!(k.tokens, vec!["bitcoin", "pric"], "stemmed");
    assert_eq!(p.tokens, vec!["bitcoin"]);
    assert_eq!(k.entities, vec!["bitcoin"]);
    assert_eq!(k.deadline(), NaiveDate::from_ymd_opt(2026, 12, 31));
    // "on 12/31/2026" is the day of the event, not a deadline.
    assert_eq!(p.deadline(), None);
    assert_eq!(
        p.dates.iter().map(|d| d.date).max(),
        NaiveDate::from_ymd_opt(2026, 12, 31)
    );
    assert_eq!(k.thresholds.len(), 1);
    assert!(k.thresholds[0].same_cut(&p.thresholds[0]));
    assert_eq!(k.thresholds[0].to_string(), "at least $100k");
    assert_eq!(p.thresholds[0].to_string(), "at least $100k");
    // A "No" outcome label only flips YES.
    let mut no = poly("2", "Will Bitcoin be at least $100k on 12/31/2026?");
    no.subtitle = "No".into();
    assert!(MarketFeatures::of(&no, today).negated);
}

#[test]
fn equivalent_wording_scores_high_with_same_polarity() {
    let s = pair(
        &kalshi(
            "K1",
            "Will Donald Trump visit Taiwan before Jan 1, 2027?",
            "",
        ),
        &poly("P1", "Will Donald Trump visit Taiwan in 2026?"),
    );
    assert!(s.score >= 90.0, "score {}", s.score);
    assert_eq!(s.polarity, Polarity::Same);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let weights: f64 = s.parts.iter().map(|p| p.weight).sum();
    assert!((weights - 1.0).abs() < 1e-9);
    let fields: Vec<&str> = s.diffs.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "close_time",
            "rules",
            "resolution_source",
            "dates",
            "thresholds"
        ]
    );
    assert_eq!(s.diffs[3].a, "2026-12-31");
    assert_eq!(s.diffs[3].b, "2026-12-31");
}

#[test]
fn different_deadlines_pull_the_score_down_hard() {
    let same = pair(
        &kalshi(
            "K",
            "Will Marco Rubio visit Venezuela before May 1, 2026?",
            "",
        ),
        &poly("P", "Will Marco Rubio visit Venezuela by April 30, 2026?"),
    );
    let diff = pair(
        &kalshi(
            "K",
            "Will Marco Rubio visit Venezuela before May 1, 2026?",
            "",
        ),
        &poly("P", "Will Marco Rubio visit Venezuela by March 31, 2026?"),
    );
    assert!(same.score >= 90.0, "{}", same.score);
    assert!(diff.score < 40.0, "{}", diff.score);
    assert!(
        has_settlement(&diff, WarningKind::Date, "2026-04-30", "2026-03-31"),
        "{:?}",
        diff.settlement
    );
    assert_eq!(
        diff.relation,
        Relation::Superset,
        "the later deadline contains the earlier"
    );
    assert_eq!(same.relation, Relation::Equivalent);
    assert!(
        diff.parts
            .iter()
            .any(|p| p.name == "penalty: dates differ" && p.weight == 0.0)
    );
}

#[test]
fn different_thresholds_warn_and_pull_down() {
    let s = pair(
        &kalshi("K", "Bitcoin above $100k on Dec 31, 2026?", ""),
        &poly("P", "Will Bitcoin be above $105,000 on December 31, 2026?"),
    );
    assert!(
        has_settlement(&s, WarningKind::Threshold, "above $100k", "above $105k"),
        "{:?}",
        s.settlement
    );
    assert_eq!(
        s.relation,
        Relation::Superset,
        "above $105k implies above $100k"
    );
    assert!(s.score < 45.0, "{}", s.score);
}

#[test]
fn close_time_gap_warns_in_days_and_window_excludes() {
    let a = kalshi(
        "K",
        "Will Donald Trump visit Taiwan before Jan 1, 2027?",
        "",
    );
    let mut b = poly("P", "Will Donald Trump visit Taiwan in 2026?");
    b.close_time = close() + Duration::days(3);
    let s = pair(&a, &b);
    assert!(
        has_warning(&s, "close times differ by 3 days"),
        "{:?}",
        s.warnings
    );
    b.close_time = close() + Duration::days(31);
    let none = Matcher::new(MatchConfig::default()).suggest(&[a], &[b], now());
    assert!(none.is_empty());
}

#[test]
fn one_sided_dates_and_numbers_warn() {
    let s = pair(
        &kalshi("K", "Will Trump fire 3 Cabinet members?", ""),
        &poly("P", "Will Trump fire Cabinet members before 2027?"),
    );
    assert!(
        has_warning(
            &s,
            "only market B states a date (2026-12-31): check the other's rules"
        ),
        "{:?}",
        s.warnings
    );
    assert!(
        has_warning(
            &s,
            "only market A states a number (3): check the other's rules"
        ),
        "{:?}",
        s.warnings
    );
}

#[test]
fn different_names_and_actions_warn() {
    let s = pair(
        &kalshi(
            "K",
            "Will Donald Trump visit Ukraine before Jan 1, 2027?",
            "",
        ),
        &poly("P", "Will Donald Trump visit Russia in 2026?"),
    );
    assert!(
        has_settlement(&s, WarningKind::Names, "ukrain", "russia"),
        "{:?}",
        s.settlement
    );
    assert_eq!(s.relation, Relation::Different);
    let s = pair(
        &kalshi("K", "Will Gavin Newsom be arrested before Jan 2027?", ""),
        &poly("P", "Will Gavin Newsom resign before 2027?"),
    );
    assert!(
        has_settlement(&s, WarningKind::Action, "arrest", "leave"),
        "{:?}",
        s.settlement
    );
    assert_eq!(s.relation, Relation::Different);
    assert!(s.score < 50.0, "{}", s.score);
}

#[test]
fn resolution_source_and_rules_warnings() {
    let mut a = kalshi(
        "K",
        "Will Donald Trump visit Taiwan before Jan 1, 2027?",
        "",
    );
    let mut b = poly("P", "Will Donald Trump visit Taiwan in 2026?");
    a.resolution_source = Some("Reuters".into());
    b.resolution_source = Some("AP".into());
    let s = pair(&a, &b);
    assert!(
        has_warning(&s, "resolution sources differ: Reuters vs AP"),
        "{:?}",
        s.warnings
    );
    b.resolution_source = None;
    b.rules = String::new();
    let s = pair(&a, &b);
    assert!(
        has_warning(&s, "only market A names a resolution source"),
        "{:?}",
        s.warnings
    );
    assert!(
        has_settlement(&s, WarningKind::MissingRules, "", "(empty)"),
        "{:?}",
        s.settlement
    );
    assert_eq!(s.diffs[2].a, "Reuters");
    assert_eq!(s.diffs[2].b, "(none)");
}

#[test]
fn complementary_thresholds_suggest_inverse() {
    let s = pair(
        &kalshi("K", "How many bills will Trump veto in 2026?", "At least 6"),
        &poly("P", "Will Trump veto 5 or fewer bills in 2026?"),
    );
    assert_eq!(s.polarity, Polarity::Inverse);
    assert!(
        has_warning(
            &s,
            "suggested polarity is inverse (A YES = B NO): complementary thresholds: at least 6 vs 5 or fewer"
        ),
        "{:?}",
        s.warnings
    );
    assert!(s.score >= 70.0, "{}", s.score);
}

#[test]
fn threshold_boundary_difference_warns() {
    let s = pair(
        &kalshi(
            "K",
            "Will the unemployment rate be above 4.5% in December 2026?",
            "",
        ),
        &poly("P", "Unemployment rate at least 4.5% in December 2026?"),
    );
    assert_eq!(s.polarity, Polarity::Same);
    assert!(
        has_settlement(&s, WarningKind::Comparator, "above 4.5%", "at least 4.5%"),
        "{:?}",
        s.settlement
    );
    assert_eq!(
        s.relation,
        Relation::Equivalent,
        "tradable, with the warning"
    );
}

#[test]
fn two_way_race_from_each_side_is_inverse() {
    let s = pair(
        &kalshi("K", "Lakers vs Celtics on Apr 5, 2026: who wins?", "Lakers"),
        &poly("P", "Will the Celtics beat the Lakers on April 5, 2026?"),
    );
    assert_eq!(s.polarity, Polarity::Inverse, "{:?}", s.warnings);
    let same = pair(
        &kalshi(
            "K",
            "Lakers vs Celtics on Apr 5, 2026: who wins?",
            "Celtics",
        ),
        &poly("P", "Will the Celtics beat the Lakers on April 5, 2026?"),
    );
    assert_eq!(same.polarity, Polarity::Same, "{:?}", same.warnings);
}

#[test]
fn negative_outcome_label_is_inverse() {
    let a = kalshi(
        "K",
        "Will Donald Trump visit Taiwan before Jan 1, 2027?",
        "",
    );
    let mut b = poly("P", "Will Donald Trump visit Taiwan in 2026?");
    b.subtitle = "No".into();
    assert_eq!(pair(&a, &b).polarity, Polarity::Inverse);
}

#[test]
fn best_first_capped_per_market_and_only_live_markets() {
    let a = vec![kalshi(
        "K1",
        "Will Donald Trump visit Taiwan before Jan 1, 2027?",
        "",
    )];
    let mut settled = poly("P0", "Will Donald Trump visit Taiwan in 2026?");
    settled.status = MarketStatus::Settled(arb_core::model::Outcome::Yes);
    let b = vec![
        settled,
        poly("P1", "Will Donald Trump visit Taiwan in 2026?"),
        poly("P2", "Will Donald Trump visit Taiwan by March 31, 2026?"),
        poly("P3", "Will Donald Trump visit Japan in 2026?"),
    ];
    let matcher = Matcher::new(MatchConfig {
        min_score: 0.0,
        max_per_market: 2,
        ..MatchConfig::default()
    });
    let s = matcher.suggest(&a, &b, now());
    let ids: Vec<&str> = s.iter().map(|x| x.b.market.as_str()).collect();
    assert_eq!(ids[0], "P1");
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&"P0"));
    assert!(s[0].score > s[1].score);
}

#[test]
fn rules_change_is_detected_by_hash() {
    let a = kalshi(
        "K",
        "Will Donald Trump visit Taiwan before Jan 1, 2027?",
        "",
    );
    let mut b = poly("P", "Will Donald Trump visit Taiwan in 2026?");
    let pair = VerifiedPair {
        id: PairId(1),
        a: a.key.clone(),
        b: b.key.clone(),
        polarity: Polarity::Same,
        status: PairStatus::Active,
        rules_hash_a: a.rules_hash(),
        rules_hash_b: b.rules_hash(),
        approved_by: "tester".into(),
        approved_at: now(),
    };
    assert!(!rules_changed(&pair, &a, &b));
    b.rules.push_str(" Trips to Taipei only.");
    assert!(rules_changed(&pair, &a, &b));
    // A market that is not the pair's own counts as changed.
    assert!(rules_changed(&pair, &b, &a));
}

/// `suggest_grouped` gives one group per market of venue A, each holding exactly that market's
/// suggestions from `suggest`, best first, groups in the order of their best suggestion.
#[test]
fn grouped_suggestions_hold_each_markets_candidates_in_order() {
    let matcher = Matcher::new(MatchConfig {
        min_score: 0.0,
        ..MatchConfig::default()
    });
    let a = [
        kalshi(
            "K1",
            "Will Donald Trump visit Taiwan before Jan 1, 2027?",
            "",
        ),
        kalshi("K2", "Bitcoin above $100k on Dec 31, 2026?", ""),
    ];
    let b = [
        poly("P1", "Will Donald Trump visit Taiwan in 2026?"),
        poly("P2", "Bitcoin above $100k on December 31, 2026?"),
        poly("P3", "Bitcoin above $120k on December 31, 2026?"),
    ];
    let flat = matcher.suggest(&a, &b, now());
    let groups = matcher.suggest_grouped(&a, &b, now());
    let keys: Vec<&str> = groups.iter().map(|g| g.market.market.as_str()).collect();
    let mut expected_keys: Vec<&str> = Vec::new();
    for s in &flat {
        if !expected_keys.contains(&s.a.market.as_str()) {
            expected_keys.push(s.a.market.as_str());
        }
    }
    assert_eq!(keys, expected_keys);
    assert_eq!(keys.len(), 2, "both Kalshi markets have candidates");
    for g in &groups {
        let own: Vec<&MatchSuggestion> = flat.iter().filter(|s| s.a == g.market).collect();
        assert_eq!(g.suggestions.iter().collect::<Vec<_>>(), own);
        assert!(g.suggestions.windows(2).all(|w| w[0].score >= w[1].score));
    }
    let bitcoin = groups.iter().find(|g| g.market.market.as_str() == "K2");
    let best = bitcoin
        .and_then(|g| g.suggestions.first())
        .map(|s| s.b.market.as_str());
    assert_eq!(best, Some("P2"), "the same threshold ranks first");
}
