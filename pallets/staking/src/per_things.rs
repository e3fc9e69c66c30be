//! [`Perbill`]: a fraction in parts per billion, as `sp_arithmetic::per_things::Perbill`.
//!
//! Staking needs fractions on the wire (a validator's commission, a slash's fraction) and in
//! its formulas (inflation, ideal stake). Substrate encodes them as `Perbill`, a `u32` of parts
//! per billion that travels compact inside `ValidatorPrefs`; stock clients know the type by its
//! path. Basalt has no `sp-arithmetic` dependency, so this is a small, exact, integer-only copy
//! of the part of its interface staking uses. Every operation rounds down and none can panic.

use codec::{Compact, CompactAs, Decode, DecodeWithMemTracking, Encode, Input, MaxEncodedLen};
use scale_info::TypeInfo;

/// Parts per billion in one whole: the largest value a [`Perbill`] can hold.
pub const BILLION: u32 = 1_000_000_000;

/// A fraction between 0 and 1 in parts per billion. Decoding refuses more than one whole, so a
/// hostile call cannot set a commission above 100%.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Default, Encode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(replace_segment("pallet_staking", "sp_arithmetic"))]
pub struct Perbill(u32);

impl Perbill {
    /// Zero: nothing of anything.
    pub const fn zero() -> Self {
        Perbill(0)
    }

    /// One whole (100%).
    pub const fn one() -> Self {
        Perbill(BILLION)
    }

    /// `parts` parts per billion, clamped to one whole (as Substrate's `from_parts` does).
    pub const fn from_parts(parts: u32) -> Self {
        if parts > BILLION {
            Perbill(BILLION)
        } else {
            Perbill(parts)
        }
    }

    /// `percent` percent, clamped to 100%.
    pub const fn from_percent(percent: u32) -> Self {
        if percent >= 100 {
            Perbill(BILLION)
        } else {
            // Cannot overflow: percent < 100, so the product is below 10^11 / 10 = 10^9.
            Perbill(percent.saturating_mul(BILLION / 100))
        }
    }

    /// The parts per billion.
    pub const fn deconstruct(self) -> u32 {
        self.0
    }

    /// Whether this is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `floor(self * x)`, exactly (a 256-bit intermediate); never more than `x`.
    pub fn mul_floor(self, x: u128) -> u128 {
        crate::math::mul_div_floor(x, u128::from(self.0), u128::from(BILLION)).unwrap_or(0)
    }
}

impl Decode for Perbill {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let parts = u32::decode(input)?;
        if parts > BILLION {
            return Err("Perbill greater than one whole".into());
        }
        Ok(Perbill(parts))
    }
}

impl DecodeWithMemTracking for Perbill {}

impl CompactAs for Perbill {
    type As = u32;
    fn encode_as(&self) -> &u32 {
        &self.0
    }
    fn decode_from(parts: u32) -> Result<Self, codec::Error> {
        if parts > BILLION {
            return Err("Perbill greater than one whole".into());
        }
        Ok(Perbill(parts))
    }
}

impl From<Compact<Perbill>> for Perbill {
    fn from(c: Compact<Perbill>) -> Perbill {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_u32_and_compact_u32() {
        let p = Perbill::from_percent(10);
        assert_eq!(p.encode(), 100_000_000u32.encode());
        assert_eq!(Compact(p).encode(), Compact(100_000_000u32).encode());
        assert_eq!(
            Compact::<Perbill>::decode(&mut &Compact(5u32).encode()[..]).map(|c| c.0),
            Ok(Perbill(5))
        );
    }

    #[test]
    fn refuses_more_than_one_whole() {
        assert!(Perbill::decode(&mut &(BILLION + 1).encode()[..]).is_err());
        assert!(Compact::<Perbill>::decode(&mut &Compact(BILLION + 1).encode()[..]).is_err());
        assert_eq!(Perbill::from_parts(u32::MAX), Perbill::one());
        assert_eq!(Perbill::from_percent(250), Perbill::one());
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
    }

    #[test]
    fn type_path_is_substrates() {
        use scale_info::{meta_type, Registry};
        let mut registry = Registry::new();
        registry.register_type(&meta_type::<Perbill>());
        let portable: scale_info::PortableRegistry = registry.into();
        let ty = &portable.types[0].ty;
        assert_eq!(
            ty.path.segments,
            vec!["sp_arithmetic", "per_things", "Perbill"]
        );
    }
}
