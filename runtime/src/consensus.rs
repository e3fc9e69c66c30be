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

/// The randomness pallets draw from ([`basalt_support::randomness::Randomness`]).
///
/// Interim source, until block authors put VRF outputs in their pre-runtime digests (the
/// Jobs issue's remaining part): the parent block's hash. Nobody who signed a transaction in
/// an earlier block can predict it, which is what job assignment and spot checks need against
/// clients and providers; but the parent's author can grind it (by reordering or dropping
/// transactions it includes), so a provider that is also a block author can bias the draws
/// of the block after its own. docs/SECURITY.md lists this.
pub mod randomness {
    use basalt_support::primitives::hashing::blake2_256;
    use basalt_support::randomness::Randomness;
    use basalt_support::{BlockNumber, H256};

    /// Randomness from the parent block's hash, separated by subject.
    pub struct BlockRandomness;

    impl Randomness for BlockRandomness {
        fn random(subject: &[u8]) -> (H256, BlockNumber) {
            let parent = pallet_system::ParentHash::get();
            let mut data = b"basalt/randomness".to_vec();
            data.extend_from_slice(parent.as_bytes());
            data.extend_from_slice(subject);
            let known_since = crate::System::block_number().saturating_sub(1);
            (H256(blake2_256(&data)), known_since)
        }
    }
}
