//! Approval and support curves: the least approval (ayes over ayes and nays) and support
//! (aye and abstain capital over total issuance) a referendum needs at each point of its
//! decision period, as pallet-referenda's `Curve`. Exact integer arithmetic in billionths.

use basalt_support::arithmetic::mul_div_ceil;
use basalt_support::Perbill;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// One billion billionths: [`Perbill::one`].
const ONE: u128 = 1_000_000_000;

/// A threshold that falls over the decision period (`pallet_referenda::types::Curve`).
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(replace_segment("curve", "types"))]
pub enum Curve {
    /// Falls in a straight line from `ceil` at the start to `floor` at `length` of the
    /// period, and stays at `floor` after.
    #[codec(index = 0)]
    LinearDecreasing {
        /// The share of the period over which it falls.
        length: Perbill,
        /// Where it ends.
        floor: Perbill,
        /// Where it starts.
        ceil: Perbill,
    },
}

impl Curve {
    /// The threshold at `x` (the elapsed share of the decision period).
    pub fn threshold(&self, x: Perbill) -> Perbill {
        let Curve::LinearDecreasing {
            length,
            floor,
            ceil,
        } = *self;
        let (x, length, floor, ceil) = parts(x, length, floor, ceil);
        if length == 0 || ceil <= floor {
            return perbill(floor.min(ceil));
        }
        let fallen = x.min(length) * (ceil - floor) / length;
        perbill(ceil - fallen)
    }

    /// Whether `y` meets the threshold at `x`.
    pub fn passing(&self, x: Perbill, y: Perbill) -> bool {
        y >= self.threshold(x)
    }

    /// The earliest `x` at which `y` meets the threshold; [`Perbill::one`] (the end of the
    /// period) if it never does. What a referendum's next alarm is computed from.
    pub fn delay(&self, y: Perbill) -> Perbill {
        let Curve::LinearDecreasing {
            length,
            floor,
            ceil,
        } = *self;
        let (y, length, floor, ceil) = parts(y, length, floor, ceil);
        if y < floor.min(ceil) {
            return Perbill::one();
        }
        if y >= ceil || ceil <= floor || length == 0 {
            return Perbill::zero();
        }
        let x = mul_div_ceil(ceil - y, length, ceil - floor).unwrap_or(ONE);
        perbill(x)
    }
}

/// Billionths as a [`Perbill`], at most one.
fn perbill(parts: u128) -> Perbill {
    Perbill::from_parts(u32::try_from(parts.min(ONE)).unwrap_or(u32::MAX))
}

fn parts(a: Perbill, b: Perbill, c: Perbill, d: Perbill) -> (u128, u128, u128, u128) {
    let p = |v: Perbill| u128::from(v.deconstruct()).min(ONE);
    (p(a), p(b), p(c), p(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(n: u32) -> Perbill {
        Perbill::from_percent(n)
    }

    const CURVE: Curve = Curve::LinearDecreasing {
        length: Perbill::from_percent(50),
        floor: Perbill::from_percent(50),
        ceil: Perbill::from_percent(100),
    };

    #[test]
    fn linear_decreasing_falls_from_ceil_to_floor_and_stays() {
        assert_eq!(CURVE.threshold(pct(0)), pct(100));
        assert_eq!(CURVE.threshold(pct(25)), pct(75));
        assert_eq!(CURVE.threshold(pct(50)), pct(50));
        assert_eq!(CURVE.threshold(pct(100)), pct(50));
    }

    #[test]
    fn passing_is_inclusive_at_the_edges() {
        assert!(CURVE.passing(pct(0), pct(100)));
        assert!(!CURVE.passing(pct(0), Perbill::from_parts(999_999_999)));
        assert!(CURVE.passing(pct(25), pct(75)));
        assert!(!CURVE.passing(pct(25), Perbill::from_parts(749_999_999)));
        assert!(CURVE.passing(pct(100), pct(50)));
        assert!(!CURVE.passing(pct(100), Perbill::from_parts(499_999_999)));
    }

    #[test]
    fn delay_is_when_the_threshold_reaches_the_value() {
        assert_eq!(CURVE.delay(pct(100)), pct(0));
        assert_eq!(CURVE.delay(pct(75)), pct(25));
        assert_eq!(CURVE.delay(pct(50)), pct(50));
        assert_eq!(
            CURVE.delay(pct(49)),
            Perbill::one(),
            "below the floor: never"
        );
        for y in [50u32, 51, 60, 77, 99] {
            let x = CURVE.delay(pct(y));
            assert!(CURVE.passing(x, pct(y)), "passes at its delay ({y}%)");
            if x.deconstruct() > 0 {
                let before = Perbill::from_parts(x.deconstruct() - 1);
                assert!(!CURVE.passing(before, pct(y)), "not before ({y}%)");
            }
        }
    }

    #[test]
    fn degenerate_curves_are_flat() {
        let flat = Curve::LinearDecreasing {
            length: pct(0),
            floor: pct(10),
            ceil: pct(90),
        };
        assert_eq!(flat.threshold(pct(0)), pct(10));
        let inverted = Curve::LinearDecreasing {
            length: pct(50),
            floor: pct(90),
            ceil: pct(10),
        };
        assert_eq!(inverted.threshold(pct(30)), pct(10));
        assert_eq!(inverted.delay(pct(10)), pct(0));
    }
}
