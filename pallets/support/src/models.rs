//! The seam between compute jobs and the NFTs that stand for models.
//!
//! A Jobs program may name an NFT as its model; every settled job of that program pays the
//! model's usage fee to whoever owns the NFT at settlement. The Jobs pallet does not know how
//! NFTs are kept, and the NFT pallet does not know what a job is: the runtime connects them
//! through [`ModelRegistry`], which the NFT pallet implements. `()` is a registry with no models
//! (every fee zero, no owners), for runtimes and tests without NFTs.

use crate::primitives::{AccountId, Balance};

/// Identifies an NFT collection, counting from 0.
pub type CollectionId = u32;
/// Identifies an item within its collection (chosen by its minter).
pub type ItemId = u32;
/// The NFT that stands for a model: `(collection, item)`.
pub type ModelId = (CollectionId, ItemId);

/// What compute settlement needs to know about model NFTs.
pub trait ModelRegistry {
    /// The current owner of `model`, or `None` when no such NFT exists (never minted, or
    /// burned).
    fn owner(model: &ModelId) -> Option<AccountId>;
    /// The usage fee a job that uses `model` holds when submitted now (zero for none).
    fn usage_fee(model: &ModelId) -> Balance;
    /// Records that a settled job paid `amount` to `owner` for using `model` (earnings that
    /// explorers show).
    fn note_usage(model: &ModelId, owner: &AccountId, amount: Balance);
}

impl ModelRegistry for () {
    fn owner(_: &ModelId) -> Option<AccountId> {
        None
    }
    fn usage_fee(_: &ModelId) -> Balance {
        0
    }
    fn note_usage(_: &ModelId, _: &AccountId, _: Balance) {}
}
