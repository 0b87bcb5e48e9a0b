//! The two legs of a pair, named once: [`LegId`] says which, [`Legs`] holds one value per leg.

use std::ops::{Index, IndexMut};

/// One of a pair's two legs: `A` trades the pair's market A, `B` its market B.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum LegId {
    /// The pair's market A.
    A,
    /// The pair's market B.
    B,
}

impl LegId {
    /// Both legs, A first.
    pub const BOTH: [Self; 2] = [Self::A, Self::B];

    /// The other leg (the hedge of this one).
    #[must_use]
    pub const fn other(self) -> Self {
        match self {
            Self::A => Self::B,
            Self::B => Self::A,
        }
    }

    /// `B` when `is_b`, else `A`.
    #[must_use]
    pub const fn b_if(is_b: bool) -> Self {
        if is_b { Self::B } else { Self::A }
    }

    const fn slot(self) -> usize {
        match self {
            Self::A => 0,
            Self::B => 1,
        }
    }
}

/// One value per leg of a pair, indexed by [`LegId`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Legs<T>(pub [T; 2]);

impl<T> Legs<T> {
    /// Leg A's and leg B's values.
    pub const fn new(a: T, b: T) -> Self {
        Self([a, b])
    }

    /// Each leg's value through `f`, given the leg.
    pub fn map<U>(self, mut f: impl FnMut(LegId, T) -> U) -> Legs<U> {
        let [a, b] = self.0;
        Legs([f(LegId::A, a), f(LegId::B, b)])
    }

    /// References to both values.
    pub const fn each_ref(&self) -> Legs<&T> {
        let [a, b] = &self.0;
        Legs([a, b])
    }

    /// Mutable references to both values.
    pub fn each_mut(&mut self) -> Legs<&mut T> {
        let [a, b] = &mut self.0;
        Legs([a, b])
    }

    /// Both values with their leg, A first.
    pub fn iter(&self) -> impl Iterator<Item = (LegId, &T)> {
        LegId::BOTH.into_iter().zip(self.0.iter())
    }

    /// Leg A's and leg B's values as an array.
    pub fn into_array(self) -> [T; 2] {
        self.0
    }
}

impl<T> From<[T; 2]> for Legs<T> {
    fn from(values: [T; 2]) -> Self {
        Self(values)
    }
}

impl<T> Index<LegId> for Legs<T> {
    type Output = T;

    fn index(&self, leg: LegId) -> &T {
        &self.0[leg.slot()]
    }
}

impl<T> IndexMut<LegId> for Legs<T> {
    fn index_mut(&mut self, leg: LegId) -> &mut T {
        &mut self.0[leg.slot()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legs_are_indexed_by_leg_and_other_swaps_them() {
        let mut legs = Legs::new("a", "b");
        assert_eq!(legs[LegId::A], "a");
        assert_eq!(legs[LegId::B.other()], "a");
        legs[LegId::B] = "B";
        assert_eq!(
            legs.map(|leg, v| (leg, v)).0,
            [(LegId::A, "a"), (LegId::B, "B")]
        );
        assert_eq!(LegId::b_if(true), LegId::B);
        assert_eq!(LegId::b_if(false), LegId::A);
    }
}
