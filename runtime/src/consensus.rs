//! Consensus state the node reads and the runtime uses: the Aura and GRANDPA authority sets
//! and the author of the block being built.
//!
//! Basalt has no Aura, GRANDPA or Authorship pallet yet; their state lives here as plain
//! storage values under Substrate's names and encodings, so that the node (and explorers) find
//! them where Substrate keeps them:
//! - `Aura.Authorities`: `Vec<[u8; 32]>` of sr25519 keys, in slot order;
//! - `Grandpa.Authorities`: `Vec<([u8; 32], u64)>` of ed25519 keys and voting weights;
//! - `Authorship.Author`: the current block's author, only while the block executes.
//!
//! The author of a block is the Aura authority of its slot, `authorities[slot % len]`, where
//! the slot is the `u64` in the header's `PreRuntime(*b"aura", ..)` digest: Aura's own rule. A
//! block without that digest, or a chain without Aura authorities, has no known author, and the
//! author's share of fees goes to the treasury instead.

use basalt_support::generic::Digest;
use basalt_support::AccountId;

pub use basalt_support::engine_ids::AURA_ENGINE_ID;

/// Aura's state.
pub mod aura {
    use basalt_support::storage::ValueQuery;
    use basalt_support::AccountId;

    basalt_support::storage! {
        pallet = "Aura";
        /// The block authorities, in slot order (sr25519 keys, 32 bytes each).
        pub Authorities: StorageValue<Vec<AccountId>, ValueQuery>;
    }
}

/// GRANDPA's state.
pub mod grandpa {
    use basalt_support::storage::ValueQuery;
    use basalt_support::AccountId;

    basalt_support::storage! {
        pallet = "Grandpa";
        /// The finality voters (ed25519 keys, 32 bytes each) and their voting weights.
        pub Authorities: StorageValue<Vec<(AccountId, u64)>, ValueQuery>;
    }
}

/// The author of the block being built.
pub mod authorship {
    use basalt_support::storage::OptionQuery;
    use basalt_support::AccountId;

    basalt_support::storage! {
        pallet = "Authorship";
        /// The author of the current block, while it executes.
        pub Author: StorageValue<AccountId, OptionQuery>;
    }
}

pub use basalt_support::equivocation::aura_slot;

/// The Aura authority of `slot`, if there are authorities.
pub fn slot_author(slot: u64) -> Option<AccountId> {
    let authorities = aura::Authorities::get();
    let len = u64::try_from(authorities.len())
        .ok()
        .filter(|len| *len > 0)?;
    let index = usize::try_from(slot % len).ok()?;
    authorities.get(index).cloned()
}

/// Records the author of the block whose (pre-seal) digest is `digest`; called when a block
/// is initialised.
pub fn note_author(digest: &Digest) {
    match aura_slot(digest).and_then(slot_author) {
        Some(author) => authorship::Author::put(author),
        None => authorship::Author::kill(),
    }
}

/// Forgets the author when the block is finalised, so it never reaches committed state.
pub fn clear_author() {
    authorship::Author::kill()
}

/// The author of the block being built, when known; fees' author share goes to it.
pub fn block_author() -> Option<AccountId> {
    authorship::Author::get()
}

/// The randomness pallets draw from ([`basalt_support::randomness::Randomness`]): the block
/// authors' verified VRF outputs ([`basalt_support::vrf`]).
///
/// - The VRF input of a block is (`EpochRandomness` in the parent state, the block's slot); a
///   block whose author is known must carry a VRF item that verifies for the author's key, or
///   [`crate::executive::execute_block`] refuses it on import.
/// - Every block's output is folded into `NextEpochRandomness`; every [`EPOCH_LENGTH`] blocks
///   `EpochRandomness` becomes the hash of the two, as BABE does, so next epoch's VRF input is
///   unknown until this epoch ends.
/// - A pallet's draw in block N uses block N's own output: unknown to anyone before block N
///   was authored, and not choosable by its author, who can only withhold the block (losing its
///   slot and its fees).
pub mod randomness {
    use basalt_support::generic::Digest;
    use basalt_support::primitives::hashing::blake2_256;
    use basalt_support::randomness::Randomness;
    use basalt_support::storage::{OptionQuery, ValueQuery};
    use basalt_support::vrf::{self, VrfError};
    use basalt_support::{BlockNumber, H256};

    /// Blocks per randomness epoch (the era length: one epoch per era).
    pub const EPOCH_LENGTH: BlockNumber = crate::ERA_LENGTH;

    basalt_support::storage! {
        pallet = "Randomness";
        /// The VRF input randomness of the current epoch.
        pub EpochRandomness: StorageValue<H256, ValueQuery>;
        /// This epoch's VRF outputs so far, folded together: the next epoch's randomness.
        pub NextEpochRandomness: StorageValue<H256, ValueQuery>;
        /// The current block's verified VRF output (none for a block without a known author).
        pub BlockVrfOutput: StorageValue<H256, OptionQuery>;
    }

    /// The verified VRF output of the block with pre-runtime `digest`, read in the parent's
    /// state; `None` when the block has no known author (no Aura slot, or no authorities).
    pub fn verify(digest: &Digest) -> Result<Option<H256>, VrfError> {
        let Some(slot) = super::aura_slot(digest) else {
            return Ok(None);
        };
        let Some(author) = super::slot_author(slot) else {
            return Ok(None);
        };
        let key: &[u8; 32] = author.as_ref();
        vrf::verified_output(digest, key, &EpochRandomness::get(), slot).map(Some)
    }

    /// Records block `number`'s verified VRF `output` (`None` for a block without a known
    /// author) and rolls the epoch over; called when a block is initialised.
    pub fn note_block(output: Option<H256>, number: BlockNumber) {
        if number % EPOCH_LENGTH == 0 {
            let next = NextEpochRandomness::take();
            EpochRandomness::put(fold(&EpochRandomness::get(), &next));
        }
        match output {
            Some(out) => {
                NextEpochRandomness::put(fold(&NextEpochRandomness::get(), &out));
                BlockVrfOutput::put(out);
            }
            None => BlockVrfOutput::kill(),
        }
    }

    /// `blake2_256(a ++ b)`: how outputs accumulate.
    fn fold(a: &H256, b: &H256) -> H256 {
        let mut data = a.as_bytes().to_vec();
        data.extend_from_slice(b.as_bytes());
        H256(blake2_256(&data))
    }

    /// The runtime's randomness: the current block's VRF output, separated by subject.
    pub struct BlockRandomness;

    impl Randomness for BlockRandomness {
        fn random(subject: &[u8]) -> (H256, BlockNumber) {
            // A block without a known author (only in tests that build blocks by hand) falls
            // back to the parent hash.
            let seed = BlockVrfOutput::get().unwrap_or_else(pallet_system::ParentHash::get);
            let mut data = b"basalt/randomness".to_vec();
            data.extend_from_slice(seed.as_bytes());
            data.extend_from_slice(subject);
            (H256(blake2_256(&data)), crate::System::block_number())
        }
    }
}
