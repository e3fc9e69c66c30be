//! Weights of the treasury's calls and hook, from the storage items each touches and its
//! computation, in the support crate's measured units (docs/BENCHMARKS.md).

use basalt_support::weight_v2::constants::{reads_writes, MICROS};
use basalt_support::Weight;

/// Decoding, origin check and the event.
const BASE: Weight = Weight::from_ref_time(10 * MICROS);

/// `spend`: the count, the committed total, the spend.
pub const fn spend() -> Weight {
    BASE.saturating_add(reads_writes(3, 3))
}

/// `payout`: the spend, the committed total, the transfer (two accounts).
pub const fn payout() -> Weight {
    BASE.saturating_add(reads_writes(4, 4))
        .saturating_add(Weight::from_ref_time(10 * MICROS))
}

/// `check_status`: the spend and the active count.
pub const fn check_status() -> Weight {
    BASE.saturating_add(reads_writes(3, 3))
}

/// `void_spend`: the spend, the committed total and the active count.
pub const fn void_spend() -> Weight {
    BASE.saturating_add(reads_writes(3, 3))
}

/// `on_initialize` outside a spend period's end: nothing read.
pub const fn idle_block() -> Weight {
    Weight::ZERO
}

/// `on_initialize` at a spend period's end: the pot, the committed total, the burn (the
/// account and total issuance), two events.
pub const fn spend_period() -> Weight {
    reads_writes(4, 3).saturating_add(Weight::from_ref_time(15 * MICROS))
}
