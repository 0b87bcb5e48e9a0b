//! The gate on the project's hand-labelled evaluation set (`arb-core/data/match-eval.txt`):
//! precision@1 ≥ 0.95, recall@1 ≥ 0.90, the labelled polarity on every pair found, no look-alike
//! ranked first or read as tradable, and every required settlement warning shown.

use arb_core::matching::labelled::{self, LabelledReport};
use arb_core::matching::{MatchConfig, Matcher};

fn report() -> LabelledReport {
    let set = labelled::handlabelled().expect("the shipped set parses");
    assert!(
        set.labels
            .iter()
            .filter(|l| l.relation.is_tradable())
            .count()
            >= 60,
        "at least 60 true cross-venue pairs"
    );
    labelled::evaluate(&Matcher::new(MatchConfig::default()), &set)
}

#[test]
fn the_matcher_meets_its_goals_on_the_hand_labelled_set() {
    let r = report();
    println!(
        "hand-labelled set: {} labels, {} true pairs; precision@1 {:.3} ({}/{}), recall@1 {:.3} \
         ({}/{}), polarity {}/{}, relation exact {:.3}, traps first {:?}, traps read as \
         tradable {:?}, missing warnings {:?}",
        r.labels,
        r.true_pairs,
        r.precision_top1(),
        r.top1_correct,
        r.top1_offered,
        r.recall_top1(),
        r.recall_hits,
        r.true_pairs,
        r.polarity_correct,
        r.recall_hits,
        r.relation_accuracy(),
        r.traps_first,
        r.traps_tradable,
        r.missing_warnings,
    );
    assert!(
        r.precision_top1() >= 0.95,
        "precision@1 {}",
        r.precision_top1()
    );
    assert!(r.recall_top1() >= 0.90, "recall@1 {}", r.recall_top1());
    assert_eq!(
        r.polarity_correct, r.recall_hits,
        "polarity on every pair found"
    );
    assert!(
        r.traps_first.is_empty(),
        "traps ranked first: {:?}",
        r.traps_first
    );
    assert!(
        r.traps_tradable.is_empty(),
        "traps read as tradable: {:?}",
        r.traps_tradable
    );
    assert!(
        r.missing_warnings.is_empty(),
        "missing warnings: {:?}",
        r.missing_warnings
    );
}
