//! Weights of the voting pallet's calls, from the storage items each touches and its
//! computation, in the support crate's measured units (docs/BENCHMARKS.md). Each covers an
//! account with the full [`crate::MAX_VOTES`] votes in the class.

use basalt_support::weight_v2::constants::{reads_writes, MICROS};
use basalt_support::Weight;

/// Decoding, origin check, the event, and a voting record of `MaxVotes` entries decoded,
/// searched and re-encoded.
const BASE: Weight = Weight::from_ref_time(40 * MICROS);

/// `vote`: the poll (read and written), the voter's record, its class locks, its balance
/// locks and account.
pub const fn vote() -> Weight {
    BASE.saturating_add(reads_writes(6, 5))
}

/// `remove_vote` / `remove_other_vote`: the poll, the voter's record (and the poll's tally
/// while it is open).
pub const fn remove_vote() -> Weight {
    BASE.saturating_add(reads_writes(3, 2))
}

/// `unlock`: the voter's record, its class locks, its balance locks and account.
pub const fn unlock() -> Weight {
    BASE.saturating_add(reads_writes(4, 4))
}

/// `delegate` / `undelegate`, less the tally changes (added per referendum by the call): both
/// voting records, the class locks, the balance lock and account.
pub const fn delegate() -> Weight {
    BASE.saturating_add(reads_writes(6, 5))
}
