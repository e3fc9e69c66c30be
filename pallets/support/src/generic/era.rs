//! Transaction mortality: the `Era` of Substrate's `CheckMortality` extension.
//!
//! A mortal transaction is valid only for `period` blocks from its birth block, and its
//! signature covers the birth block's hash, so it cannot be replayed on another fork or after
//! the window. Wallets (@polkadot/api by default) send mortal eras, so the encoding — one byte
//! `0x00` for immortal, otherwise a little-endian `u16` packing `log2(period) - 1` in the low
//! nibble and the quantized phase above it — must be Substrate's exactly, and so must the
//! metadata description (`Immortal`, `Mortal1`..`Mortal255`), which clients use to size it.

use std::sync::OnceLock;

use codec::{Decode, Encode, Error, Input, MaxEncodedLen, Output};
use scale_info::{
    build::{Fields, Variants},
    Path, Type, TypeInfo,
};

/// The shortest mortality period Substrate encodes.
pub const MIN_PERIOD: u64 = 4;
/// The longest mortality period Substrate encodes (2^16 blocks).
pub const MAX_PERIOD: u64 = 1 << 16;

/// When a transaction is valid: always, or within a window of blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Era {
    /// Valid at any height; signed against the genesis hash.
    #[default]
    Immortal,
    /// `Mortal(period, phase)`: valid from its birth block (the latest block at or before
    /// the current one whose number is `phase` modulo `period`) for `period` blocks.
    /// `period` is a power of two in `4..=65536` and `phase < period`.
    Mortal(u64, u64),
}

impl Era {
    /// A mortal era lasting about `period` blocks and born at `current` (the block the
    /// transaction is signed against), as wallets build it: `period` is rounded up to a power
    /// of two and clamped to `4..=65536`; the phase is `current % period`, quantized down to a
    /// multiple of `period / 4096` (the precision the two-byte encoding keeps).
    pub fn mortal(period: u64, current: u64) -> Self {
        let period = period
            .checked_next_power_of_two()
            .unwrap_or(MAX_PERIOD)
            .clamp(MIN_PERIOD, MAX_PERIOD);
        let quantize_factor = (period >> 12).max(1);
        let phase = current % period / quantize_factor * quantize_factor;
        Era::Mortal(period, phase)
    }

    /// The era of a transaction that never expires.
    pub fn immortal() -> Self {
        Era::Immortal
    }

    /// True for [`Era::Immortal`]; immortal transactions are signed against the genesis hash.
    pub fn is_immortal(&self) -> bool {
        matches!(self, Era::Immortal)
    }

    /// The number of the block this era started at, seen from block `current`: the block whose
    /// hash the signature covers (0, the genesis, when immortal).
    pub fn birth(self, current: u64) -> u64 {
        match self {
            Era::Immortal => 0,
            Era::Mortal(period, phase) => {
                let elapsed = current.max(phase) - phase;
                // `checked_div` only matters for a hand-built `Mortal(0, _)`: decoding and
                // `Era::mortal` never produce a zero period.
                elapsed
                    .checked_div(period)
                    .unwrap_or(0)
                    .saturating_mul(period)
                    .saturating_add(phase)
            }
        }
    }

    /// The first block number at which the transaction is no longer valid, seen from block
    /// `current` (`u64::MAX` when immortal).
    pub fn death(self, current: u64) -> u64 {
        match self {
            Era::Immortal => u64::MAX,
            Era::Mortal(period, _) => self.birth(current).saturating_add(period),
        }
    }
}

impl Encode for Era {
    fn size_hint(&self) -> usize {
        match self {
            Era::Immortal => 1,
            Era::Mortal(..) => 2,
        }
    }

    fn encode_to<T: Output + ?Sized>(&self, output: &mut T) {
        match *self {
            Era::Immortal => output.push_byte(0),
            Era::Mortal(period, phase) => {
                let quantize_factor = (period >> 12).max(1);
                // log2(period) - 1, clamped to a nibble; `saturating_sub` keeps a hand-built
                // period of 1 (or 0) from underflowing.
                let period_code = u64::from(period.trailing_zeros().saturating_sub(1)).clamp(1, 15);
                let encoded = period_code | ((phase / quantize_factor) << 4);
                // Truncation to u16 is the format: valid phases fit in 12 bits.
                (encoded as u16).encode_to(output);
            }
        }
    }
}

impl codec::EncodeLike for Era {}

impl Decode for Era {
    fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
        let first = input.read_byte()?;
        if first == 0 {
            return Ok(Era::Immortal);
        }
        let encoded = u64::from(first) | (u64::from(input.read_byte()?) << 8);
        let period = 2u64 << (encoded % (1 << 4));
        let quantize_factor = (period >> 12).max(1);
        let phase = (encoded >> 4) * quantize_factor;
        if period >= MIN_PERIOD && phase < period {
            Ok(Era::Mortal(period, phase))
        } else {
            Err("Invalid period and phase".into())
        }
    }
}

impl codec::DecodeWithMemTracking for Era {}

impl MaxEncodedLen for Era {
    fn max_encoded_len() -> usize {
        2
    }
}

/// The names `Mortal1`..`Mortal255`, built once: scale-info wants `&'static str` names.
fn mortal_variant_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| (1..=255u16).map(|i| format!("Mortal{i}")).collect())
}

/// Substrate's hand-written description, which clients special-case by path
/// (`sp_runtime::generic::era::Era`): variant `Immortal` at index 0 and `MortalN` at index N
/// (1..=255) holding the second byte as one unnamed `u8` field, so a variant-aware decoder
/// reads one byte for immortal and two otherwise.
impl TypeInfo for Era {
    type Identity = Self;

    fn type_info() -> Type {
        let variants = Variants::new().variant("Immortal", |v| v.index(0));
        let variants = mortal_variant_names().iter().zip(1..=255u8).fold(
            variants,
            |variants, (name, index)| {
                variants.variant(name.as_str(), |v| {
                    v.index(index)
                        .fields(Fields::unnamed().field(|f| f.ty::<u8>()))
                })
            },
        );
        Type::builder()
            .path(Path::new("Era", "sp_runtime::generic::era"))
            .variant(variants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scale_info::{PortableRegistry, Registry, TypeDef};

    #[test]
    fn immortal_is_one_zero_byte() {
        assert_eq!(Era::Immortal.encode(), vec![0x00]);
        assert_eq!(Era::decode(&mut &[0u8][..]), Ok(Era::Immortal));
        assert!(Era::immortal().is_immortal());
        assert!(!Era::mortal(64, 1).is_immortal());
    }

    #[test]
    fn mortal_64_42_known_vector() {
        let era = Era::mortal(64, 42);
        assert_eq!(era, Era::Mortal(64, 42));
        // period code log2(64) - 1 = 5, phase 42 << 4 = 0x2a0: 0x02a5 little-endian.
        assert_eq!(era.encode(), vec![0xa5, 0x02]);
        assert_eq!(Era::decode(&mut &era.encode()[..]), Ok(era));
    }

    #[test]
    fn quantized_phase_known_vector() {
        // period 32768 quantizes the phase by 8: 20000 / 8 = 2500 -> (2500 << 4) | 14 = 40014.
        let era = Era::mortal(32768, 20_000);
        assert_eq!(era, Era::Mortal(32768, 20_000));
        assert_eq!(era.encode(), vec![0x4e, 0x9c]);
        assert_eq!(Era::decode(&mut &era.encode()[..]), Ok(era));

        // A phase that is not a multiple of the quantum is rounded down.
        assert_eq!(Era::mortal(32768, 20_005), Era::Mortal(32768, 20_000));
    }

    #[test]
    fn period_is_rounded_and_clamped() {
        assert_eq!(Era::mortal(0, 10), Era::Mortal(4, 2));
        assert_eq!(Era::mortal(1, 10), Era::Mortal(4, 2));
        assert_eq!(Era::mortal(5, 10), Era::Mortal(8, 2));
        assert_eq!(Era::mortal(100, 1000), Era::Mortal(128, 1000 % 128));
        // 1_000_001 % 65536 = 16961, quantized by 16 -> 16960.
        assert_eq!(
            Era::mortal(1_000_000, 1_000_001),
            Era::Mortal(65536, 16_960)
        );
        assert_eq!(Era::mortal(u64::MAX, 7), Era::Mortal(65536, 0));
        // Smallest and largest periods encode with codes 1 and 15.
        assert_eq!(Era::mortal(4, 3).encode(), vec![0x31, 0x00]);
        assert_eq!(Era::Mortal(65536, 65520).encode(), vec![0xff, 0xff]);
    }

    #[test]
    fn every_constructed_era_roundtrips() {
        for shift in 2..=16u32 {
            let period = 1u64 << shift;
            for current in [0u64, 1, 3, 4095, 4096, 65535, 65536, 1_234_567] {
                let era = Era::mortal(period, current);
                let bytes = era.encode();
                assert_eq!(bytes.len(), 2);
                assert_eq!(Era::decode(&mut &bytes[..]), Ok(era), "{era:?}");
            }
        }
    }

    #[test]
    fn decode_rejects_invalid_and_truncated() {
        // Low nibble 0 means period 2: invalid.
        assert!(Era::decode(&mut &[0x10u8, 0x00][..]).is_err());
        // Period 4 (code 1) with phase 4: phase >= period.
        assert!(Era::decode(&mut &[0x41u8, 0x00][..]).is_err());
        // A mortal era needs two bytes.
        assert!(Era::decode(&mut &[0xa5u8][..]).is_err());
        assert!(Era::decode(&mut &[][..]).is_err());
    }

    #[test]
    fn birth_and_death() {
        let era = Era::mortal(4, 6);
        assert_eq!(era, Era::Mortal(4, 2));
        for current in 6..10 {
            assert_eq!(era.birth(current), 6);
            assert_eq!(era.death(current), 10);
        }
        // Outside the window the birth moves on.
        assert_eq!(era.birth(10), 10);
        assert_eq!(era.birth(5), 2);

        let era = Era::mortal(64, 42);
        assert_eq!(era.birth(42), 42);
        assert_eq!(era.birth(105), 42);
        assert_eq!(era.death(105), 106);
        // Before the phase is reached the birth is the phase itself.
        assert_eq!(era.birth(10), 42);

        assert_eq!(Era::Immortal.birth(1_000), 0);
        assert_eq!(Era::Immortal.death(1_000), u64::MAX);
    }

    #[test]
    fn hand_built_eras_never_panic() {
        for era in [
            Era::Mortal(0, 0),
            Era::Mortal(1, 5),
            Era::Mortal(3, u64::MAX),
        ] {
            let _ = era.encode();
            let _ = era.birth(u64::MAX);
            let _ = era.death(u64::MAX);
        }
        assert_eq!(Era::Mortal(64, 42).death(u64::MAX), u64::MAX);
    }

    #[test]
    fn type_info_matches_substrate() {
        let mut registry = Registry::new();
        let id = registry.register_type(&scale_info::meta_type::<Era>());
        let portable: PortableRegistry = registry.into();
        let ty = portable.resolve(id.id).expect("registered type resolves");
        assert_eq!(
            ty.path.segments,
            vec!["sp_runtime", "generic", "era", "Era"]
        );
        let TypeDef::Variant(variants) = &ty.type_def else {
            panic!("Era must be a variant type");
        };
        assert_eq!(variants.variants.len(), 256);
        let first = &variants.variants[0];
        assert_eq!(
            (first.name.as_str(), first.index, first.fields.len()),
            ("Immortal", 0, 0)
        );
        for (i, variant) in variants.variants.iter().enumerate().skip(1) {
            assert_eq!(variant.name, format!("Mortal{i}"));
            assert_eq!(usize::from(variant.index), i);
            assert_eq!(variant.fields.len(), 1);
            let field = portable
                .resolve(variant.fields[0].ty.id)
                .expect("u8 resolves");
            assert_eq!(
                field.type_def,
                TypeDef::Primitive(scale_info::TypeDefPrimitive::U8)
            );
        }
    }
}
