//! The block's resource limits and the weights the executive charges on its own account.
//!
//! A block may use 2 seconds of reference execution time and 5 MiB of extrinsics; ordinary
//! (normal) transactions may fill 75% of either, so that operational transactions and inherents
//! always find room. Proof size is unlimited: Basalt is a solo chain, no relay chain validates
//! proofs of its blocks.

use basalt_support::dispatch::PerDispatchClass;
use basalt_support::Weight;
use pallet_system::limits::{BlockLength, BlockWeights, WeightsPerClass};

/// The most weight a block may use: 2 s of reference execution time.
pub const MAX_BLOCK_WEIGHT: Weight = Weight::from_parts(2_000_000_000_000, u64::MAX);
/// The share of [`MAX_BLOCK_WEIGHT`] normal transactions may use: 75%.
pub const NORMAL_BLOCK_WEIGHT: Weight =
    Weight::from_parts(MAX_BLOCK_WEIGHT.ref_time / 4 * 3, u64::MAX);
/// The most bytes of extrinsics a block may hold: 5 MiB.
pub const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
/// The share of [`MAX_BLOCK_LENGTH`] normal transactions may use: 75%.
pub const NORMAL_BLOCK_LENGTH: u32 = MAX_BLOCK_LENGTH / 4 * 3;
/// What every extrinsic costs besides its call: decoding, the signature check, the nonce and
/// the fee (measured by the block-import benchmark, with margin).
pub const BASE_EXTRINSIC_WEIGHT: Weight = Weight::from_parts(60_000_000, 0);
/// What every block costs besides its extrinsics: initialisation, finalisation, events and the
/// state root (5 ms, Substrate's default).
pub const BASE_BLOCK_WEIGHT: Weight = Weight::from_parts(5_000_000_000, 0);
/// How many block hashes are kept for mortality checks (about 6.8 hours at 6 s blocks).
pub const BLOCK_HASH_COUNT: u32 = 4096;

/// The weight limits above as FRAME publishes them (`System.BlockWeights`), in the shape of
/// FRAME's `BlockWeights::with_sensible_defaults`: normal extrinsics up to 75% of the block,
/// operational ones up to all of it with 25% reserved for them, mandatory ones unlimited.
pub fn block_weights() -> BlockWeights {
    let reserved = MAX_BLOCK_WEIGHT.saturating_sub(NORMAL_BLOCK_WEIGHT);
    BlockWeights {
        base_block: BASE_BLOCK_WEIGHT,
        max_block: MAX_BLOCK_WEIGHT,
        per_class: PerDispatchClass {
            normal: WeightsPerClass {
                base_extrinsic: BASE_EXTRINSIC_WEIGHT,
                max_extrinsic: Some(NORMAL_BLOCK_WEIGHT.saturating_sub(BASE_EXTRINSIC_WEIGHT)),
                max_total: Some(NORMAL_BLOCK_WEIGHT),
                reserved: Some(Weight::ZERO),
            },
            operational: WeightsPerClass {
                base_extrinsic: BASE_EXTRINSIC_WEIGHT,
                max_extrinsic: Some(MAX_BLOCK_WEIGHT.saturating_sub(BASE_EXTRINSIC_WEIGHT)),
                max_total: Some(MAX_BLOCK_WEIGHT),
                reserved: Some(reserved),
            },
            mandatory: WeightsPerClass {
                base_extrinsic: BASE_EXTRINSIC_WEIGHT,
                max_extrinsic: None,
                max_total: None,
                reserved: None,
            },
        },
    }
}

/// The length limits above per class (`System.BlockLength`): normal extrinsics 75% of the
/// block, the other classes all of it.
pub fn block_length() -> BlockLength {
    BlockLength {
        max: PerDispatchClass {
            normal: NORMAL_BLOCK_LENGTH,
            operational: MAX_BLOCK_LENGTH,
            mandatory: MAX_BLOCK_LENGTH,
        },
    }
}
