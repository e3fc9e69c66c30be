//! Fractions between 0 and 1 as integers: [`Perbill`] (parts per billion), [`Permill`] (parts
//! per million) and [`Percent`], as `sp_arithmetic::per_things`.
//!
//! Pallets need fractions on the wire (a validator's commission, a royalty rate, a treasury
//! burn share) and in formulas (inflation, slashes, conviction). Substrate encodes each as its
//! inner integer (compact where a call says so) and stock clients know the types by path, so
//! these have the same encodings and paths. One macro defines all three, so they cannot drift
//! apart. Decoding refuses more than one whole, so a hostile call cannot pass a rate above
//! 100%; every operation rounds down unless its name says otherwise, and none can panic.

use crate::arithmetic::{mul_div_ceil, mul_div_floor};
use codec::{Compact, CompactAs, Decode, DecodeWithMemTracking, Encode, Input, MaxEncodedLen};
use scale_info::TypeInfo;

macro_rules! per_thing {
    ($(#[$doc:meta])* $name:ident, $inner:ty, $one:expr, $one_name:ident) => {
        /// Parts in one whole: the largest value the fraction can hold.
        pub const $one_name: $inner = $one;

        $(#[$doc])*
        #[derive(
            Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default, Encode, TypeInfo,
            MaxEncodedLen,
        )]
        #[scale_info(replace_segment("basalt_support", "sp_arithmetic"))]
        pub struct $name($inner);

        impl $name {
            /// Parts in one whole.
            pub const ACCURACY: $inner = $one;

            /// Zero: nothing of anything.
            pub const fn zero() -> Self {
                $name(0)
            }

            /// One whole (100%).
            pub const fn one() -> Self {
                $name($one)
            }

            /// `parts` parts of [`Self::ACCURACY`], clamped to one whole (as Substrate's
            /// `from_parts` does).
            pub const fn from_parts(parts: $inner) -> Self {
                if parts > $one {
                    $name($one)
                } else {
                    $name(parts)
                }
            }

            /// `percent` percent, clamped to 100%.
            pub const fn from_percent(percent: $inner) -> Self {
                if percent >= 100 {
                    $name($one)
                } else {
                    // Cannot overflow: percent < 100 and `$one` is a multiple of 100.
                    $name(percent.saturating_mul($one / 100))
                }
            }

            /// `floor(numerator / denominator)` of one whole; one whole when the numerator is
            /// at least the denominator (including a zero denominator).
            pub fn from_rational(numerator: u128, denominator: u128) -> Self {
                if numerator >= denominator {
                    return $name($one);
                }
                let parts = mul_div_floor(numerator, u128::from(Self::ACCURACY), denominator).unwrap_or(0);
                $name(<$inner>::try_from(parts).unwrap_or($one))
            }

            /// The parts of [`Self::ACCURACY`].
            pub const fn deconstruct(self) -> $inner {
                self.0
            }

            /// Whether this is zero.
            pub const fn is_zero(self) -> bool {
                self.0 == 0
            }

            /// What is left of one whole: `1 - self`.
            pub const fn left_from_one(self) -> Self {
                $name(($one as $inner).saturating_sub(self.0))
            }

            /// `self + other`, clamped to one whole.
            pub const fn saturating_add(self, other: Self) -> Self {
                Self::from_parts(self.0.saturating_add(other.0))
            }

            /// `floor(self * x)`, exactly (a 256-bit intermediate); never more than `x`.
            pub fn mul_floor(self, x: u128) -> u128 {
                mul_div_floor(x, u128::from(self.0), u128::from(Self::ACCURACY)).unwrap_or(0)
            }

            /// `ceil(self * x)`, exactly; never more than `x`.
            pub fn mul_ceil(self, x: u128) -> u128 {
                mul_div_ceil(x, u128::from(self.0), u128::from(Self::ACCURACY)).unwrap_or(x)
            }
        }

        impl Decode for $name {
            fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
                let parts = <$inner>::decode(input)?;
                if parts > $one {
                    return Err(concat!(stringify!($name), " greater than one whole").into());
                }
                Ok($name(parts))
            }
        }

        impl DecodeWithMemTracking for $name {}

        impl CompactAs for $name {
            type As = $inner;
            fn encode_as(&self) -> &$inner {
                &self.0
            }
            fn decode_from(parts: $inner) -> Result<Self, codec::Error> {
                if parts > $one {
                    return Err(concat!(stringify!($name), " greater than one whole").into());
                }
                Ok($name(parts))
            }
        }

        impl From<Compact<$name>> for $name {
            fn from(c: Compact<$name>) -> $name {
                c.0
            }
        }
    };
}

per_thing!(
    /// A fraction in parts per billion: commissions, slashes, inflation.
    Perbill,
    u32,
    1_000_000_000,
    BILLION
);
per_thing!(
    /// A fraction in parts per million: fee and burn shares.
    Permill,
    u32,
    1_000_000,
    MILLION
);
per_thing!(
    /// A fraction in whole percent, encoded as one byte: thresholds and coarse shares.
    Percent,
    u8,
    100,
    HUNDRED
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_the_inner_integer_and_its_compact() {
        let p = Perbill::from_percent(10);
        assert_eq!(p.encode(), 100_000_000u32.encode());
        assert_eq!(Compact(p).encode(), Compact(100_000_000u32).encode());
        assert_eq!(
            Compact::<Perbill>::decode(&mut &Compact(5u32).encode()[..]).map(|c| c.0),
            Ok(Perbill(5))
        );
        assert_eq!(Percent::from_percent(7).encode(), vec![7u8]);
        assert_eq!(Permill::from_percent(1).encode(), 10_000u32.encode());
    }

    #[test]
    fn refuses_more_than_one_whole() {
        assert!(Perbill::decode(&mut &(BILLION + 1).encode()[..]).is_err());
        assert!(Compact::<Perbill>::decode(&mut &Compact(BILLION + 1).encode()[..]).is_err());
        assert!(Percent::decode(&mut &[101u8][..]).is_err());
        assert!(Permill::decode(&mut &(MILLION + 1).encode()[..]).is_err());
        assert_eq!(Perbill::from_parts(u32::MAX), Perbill::one());
        assert_eq!(Perbill::from_percent(250), Perbill::one());
        assert_eq!(Percent::from_percent(u8::MAX), Percent::one());
    }

    #[test]
    fn mul_floor_rounds_down_and_is_exact_for_large_values() {
        assert_eq!(Perbill::from_percent(50).mul_floor(3), 1);
        assert_eq!(Perbill::one().mul_floor(u128::MAX), u128::MAX);
        assert_eq!(Perbill::from_parts(1).mul_floor(999_999_999), 0);
        assert_eq!(
            Perbill::from_percent(10).mul_floor(u128::MAX / 2),
            u128::MAX / 20
        );
        assert_eq!(Percent::from_percent(33).mul_floor(100), 33);
    }

    #[test]
    fn mul_ceil_rounds_up_and_floor_plus_rest_is_whole() {
        let rate = Permill::from_parts(333_333);
        assert_eq!(rate.mul_ceil(3), 1);
        assert_eq!(rate.mul_floor(3), 0);
        assert_eq!(Perbill::one().mul_ceil(u128::MAX), u128::MAX);
        for x in [0u128, 1, 7, 1_000_003, u128::MAX] {
            let part = rate.mul_floor(x);
            assert!(part <= x);
            assert_eq!(part + (x - part), x);
        }
    }

    #[test]
    fn from_rational_and_complements() {
        assert_eq!(
            Perbill::from_rational(1, 3),
            Perbill::from_parts(333_333_333)
        );
        assert_eq!(Perbill::from_rational(5, 0), Perbill::one());
        assert_eq!(Percent::from_rational(1, 2), Percent::from_percent(50));
        assert_eq!(
            Perbill::from_percent(30).left_from_one(),
            Perbill::from_percent(70)
        );
        assert_eq!(
            Percent::from_percent(70).saturating_add(Percent::from_percent(70)),
            Percent::one()
        );
    }

    #[test]
    fn type_paths_are_substrates() {
        use scale_info::{meta_type, Registry};
        let mut registry = Registry::new();
        registry.register_type(&meta_type::<Perbill>());
        registry.register_type(&meta_type::<Permill>());
        registry.register_type(&meta_type::<Percent>());
        let portable: scale_info::PortableRegistry = registry.into();
        let paths: Vec<_> = portable
            .types
            .iter()
            .map(|t| t.ty.path.segments.join("::"))
            .collect();
        assert!(
            paths.contains(&"sp_arithmetic::per_things::Perbill".to_string()),
            "{paths:?}"
        );
        assert!(paths.contains(&"sp_arithmetic::per_things::Permill".to_string()));
        assert!(paths.contains(&"sp_arithmetic::per_things::Percent".to_string()));
    }
}
