//! Weights of the NFT pallet's calls and hook, from the storage items each touches (worst
//! case) and its computation, in the support crate's measured units.

use crate::types::{MAX_ATTRIBUTES, MAX_OFFERS_PER_ITEM, MAX_ROYALTY_RECIPIENTS};
use basalt_support::weight_v2::constants::{reads_writes, MICROS, NANOS};
use basalt_support::Weight;

/// Computation besides storage: decoding, checks, arithmetic and events.
const BASE: Weight = Weight::from_ref_time(20 * MICROS);

/// One balance movement: both accounts (and their holds).
const PAYMENT: Weight = reads_writes(3, 3);

/// `create`: the counter, the hold, the collection.
pub const fn create() -> Weight {
    BASE.saturating_add(reads_writes(3, 4))
}

/// `destroy`: the collection, its metadata and up to `MAX_ATTRIBUTES` attributes, each with a
/// release.
pub const fn destroy() -> Weight {
    BASE.saturating_add(reads_writes(3, 3))
        .saturating_add(PAYMENT.saturating_mul(MAX_ATTRIBUTES as u64 + 2))
}

/// `mint`: the collection, the item, the owner index, the hold.
pub const fn mint() -> Weight {
    BASE.saturating_add(reads_writes(4, 5))
}

/// `burn`: the item, its metadata, listing, usage records, every offer (released) and every
/// attribute (deposits returned).
pub const fn burn() -> Weight {
    BASE.saturating_add(reads_writes(8, 9)).saturating_add(
        PAYMENT.saturating_mul(MAX_OFFERS_PER_ITEM as u64 + MAX_ATTRIBUTES as u64 + 2),
    )
}

/// `transfer`: the collection, the item, both owner indexes, the listing, and the fallback
/// fee's payments.
pub const fn transfer() -> Weight {
    BASE.saturating_add(reads_writes(3, 4))
        .saturating_add(PAYMENT.saturating_mul(MAX_ROYALTY_RECIPIENTS as u64))
}

/// `approve_transfer`: the item.
pub const fn approve_transfer() -> Weight {
    BASE.saturating_add(reads_writes(1, 1))
}

/// `cancel_approval`: the item.
pub const fn cancel_approval() -> Weight {
    BASE.saturating_add(reads_writes(1, 1))
}

/// `set_attribute` with `bytes` of key and value: the collection, the item, the attribute,
/// the deposits, and hashing the bytes into the trie.
pub const fn set_attribute(bytes: usize) -> Weight {
    BASE.saturating_add(reads_writes(3, 3))
        .saturating_add(PAYMENT.saturating_mul(2))
        .saturating_add(Weight::from_parts(2 * NANOS * bytes as u64, bytes as u64))
}

/// `clear_attribute`: as setting one, without the bytes.
pub const fn clear_attribute() -> Weight {
    BASE.saturating_add(reads_writes(3, 3))
        .saturating_add(PAYMENT)
}

/// `set_metadata` and `set_collection_metadata` with `bytes` of data.
pub const fn set_metadata(bytes: usize) -> Weight {
    BASE.saturating_add(reads_writes(3, 1))
        .saturating_add(PAYMENT.saturating_mul(2))
        .saturating_add(Weight::from_parts(2 * NANOS * bytes as u64, bytes as u64))
}

/// `set_price`: the collection, the item, the listing.
pub const fn set_price() -> Weight {
    BASE.saturating_add(reads_writes(3, 1))
}

/// `buy_item` and `accept_offer`: the collection, item, listing and offers, the royalty's
/// payments, the market fee, the seller, and the change of owner.
pub const fn sale() -> Weight {
    BASE.saturating_add(reads_writes(6, 7))
        .saturating_add(PAYMENT.saturating_mul(MAX_ROYALTY_RECIPIENTS as u64 + 2))
}

/// `place_offer`: the collection, the item, the offers, the expiry block, the hold, and up to
/// two released offers (the bidder's earlier one and an outbid one).
pub const fn place_offer() -> Weight {
    BASE.saturating_add(reads_writes(5, 4))
        .saturating_add(PAYMENT.saturating_mul(3))
}

/// `cancel_offer`: the offers, the expiry block, the release.
pub const fn cancel_offer() -> Weight {
    BASE.saturating_add(reads_writes(2, 2))
        .saturating_add(PAYMENT)
}

/// `set_usage_fee`: the item, the fee.
pub const fn set_usage_fee() -> Weight {
    BASE.saturating_add(reads_writes(2, 1))
}

/// The expiry hook's fixed part: the block's expiry list.
pub const fn expiry_overhead() -> Weight {
    reads_writes(1, 1)
}

/// Releasing one expired offer: the item's offers and the release.
pub const fn expire_offer() -> Weight {
    Weight::from_ref_time(10 * MICROS)
        .saturating_add(reads_writes(1, 1))
        .saturating_add(PAYMENT)
}
