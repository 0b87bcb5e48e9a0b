//! Live liquidity our resting paper orders have already traded against.
//!
//! A paper venue reloads the live book again and again; the live venue never sees our paper
//! trades, so a level that filled a resting paper order is still shown there afterwards. Fed
//! back unchanged, the same contracts would fill our order again on every reload (an order of
//! 10 filled in full by a level of 6). [`Taken`] remembers, per price, what our resting orders
//! took, and discounts it from later reloads while the live level still shows it.

use std::collections::BTreeMap;

use crate::model::{Level, Price, Qty};

/// What our resting orders took from one side of a live book, by price.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct TakenSide(BTreeMap<Price, Qty>);

impl TakenSide {
    /// The live `levels` less what we took at each price. What we took is forgotten where the
    /// level left the live book, and capped where it shrank (the rest of it is gone too).
    pub(crate) fn discount(&mut self, levels: &[Level]) -> Vec<Level> {
        let live: BTreeMap<Price, Qty> = levels.iter().map(|l| (l.price, l.qty)).collect();
        self.0.retain(|price, taken| match live.get(price) {
            Some(&qty) => {
                *taken = (*taken).min(qty);
                !taken.is_zero()
            }
            None => false,
        });
        levels
            .iter()
            .map(|l| {
                let taken = self.0.get(&l.price).copied().unwrap_or(Qty::ZERO);
                Level::new(l.price, l.qty.saturating_sub(taken))
            })
            .filter(|l| !l.qty.is_zero())
            .collect()
    }

    /// Adds what our orders took: the `loaded` levels less what is `left` of them.
    pub(crate) fn record(&mut self, loaded: &[Level], left: &[Level]) {
        for level in loaded {
            let remaining = left
                .iter()
                .find(|l| l.price == level.price)
                .map_or(Qty::ZERO, |l| l.qty);
            let took = level.qty.saturating_sub(remaining);
            if !took.is_zero() {
                *self.0.entry(level.price).or_insert(Qty::ZERO) += took;
            }
        }
    }
}

/// What our resting orders took from a live YES book, both sides.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Taken {
    /// From the live bids (our resting asks sold into them).
    pub(crate) bids: TakenSide,
    /// From the live asks (our resting bids bought from them).
    pub(crate) asks: TakenSide,
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;
    use crate::sim::levels;

    #[test]
    fn what_was_taken_is_not_offered_again_while_the_level_stays() {
        let mut side = TakenSide::default();
        let live = levels(&[(dec!(0.45), dec!(6)), (dec!(0.60), dec!(100))]).unwrap();
        assert_eq!(side.discount(&live), live);
        side.record(&live, &levels(&[(dec!(0.60), dec!(100))]).unwrap());
        assert_eq!(
            side.discount(&live),
            levels(&[(dec!(0.60), dec!(100))]).unwrap(),
            "the 6 at 0.45 were ours"
        );
    }

    #[test]
    fn a_level_that_grows_offers_the_new_contracts() {
        let mut side = TakenSide::default();
        let live = levels(&[(dec!(0.45), dec!(6))]).unwrap();
        side.record(&live, &[]);
        let grown = levels(&[(dec!(0.45), dec!(10))]).unwrap();
        assert_eq!(
            side.discount(&grown),
            levels(&[(dec!(0.45), dec!(4))]).unwrap()
        );
    }

    #[test]
    fn a_level_that_left_is_forgotten_and_one_that_shrank_is_capped() {
        let mut side = TakenSide::default();
        side.record(
            &levels(&[(dec!(0.45), dec!(6)), (dec!(0.46), dec!(5))]).unwrap(),
            &[],
        );
        // 0.45 left the live book, 0.46 shrank to 3.
        assert!(
            side.discount(&levels(&[(dec!(0.46), dec!(3))]).unwrap())
                .is_empty()
        );
        // Back with 8 at each: nothing is remembered at 0.45, 3 (not 5) at 0.46.
        let back = levels(&[(dec!(0.45), dec!(8)), (dec!(0.46), dec!(8))]).unwrap();
        assert_eq!(
            side.discount(&back),
            levels(&[(dec!(0.45), dec!(8)), (dec!(0.46), dec!(5))]).unwrap()
        );
    }
}
