//! Weights of the scheduler's calls and service, from the storage items each touches (worst
//! case) and its computation, in the support crate's measured units (docs/BENCHMARKS.md).

use crate::MAX_OVERFLOW_BLOCKS;
use basalt_support::weight_v2::constants::{reads_writes, MICROS, NANOS};
use basalt_support::Weight;

/// Decoding, origin check and the event.
const BASE: Weight = Weight::from_ref_time(10 * MICROS);

/// Encoding, storing and later decoding one byte of a call (ref time), and its proof size.
const fn per_byte(len: usize) -> Weight {
    Weight::from_parts(5 * NANOS * len as u64, len as u64)
}

/// `schedule` of a call of `len` bytes: every agenda it may overflow into, and the one written.
pub const fn schedule(len: usize) -> Weight {
    BASE.saturating_add(reads_writes(1 + MAX_OVERFLOW_BLOCKS as u64, 1))
        .saturating_add(per_byte(len))
}

/// `schedule_named`: as `schedule`, plus the name's lookup.
pub const fn schedule_named(len: usize) -> Weight {
    schedule(len).saturating_add(reads_writes(1, 1))
}

/// `cancel`: the agenda.
pub const fn cancel() -> Weight {
    BASE.saturating_add(reads_writes(1, 2))
}

/// `cancel_named`: the lookup and the agenda.
pub const fn cancel_named() -> Weight {
    BASE.saturating_add(reads_writes(2, 2))
}

/// The service's fixed cost per block: `IncompleteSince`.
pub const fn service_base() -> Weight {
    reads_writes(1, 1)
}

/// Examining one block's agenda.
pub const fn agenda() -> Weight {
    reads_writes(1, 1).saturating_add(Weight::from_ref_time(2 * MICROS))
}

/// Servicing one task of `len` bytes, less its call's own weight: re-reading and updating
/// its agenda, its name, decoding, the storage transaction, the event and a repeat's placement.
pub const fn task(len: usize) -> Weight {
    reads_writes(3 + MAX_OVERFLOW_BLOCKS as u64, 4)
        .saturating_add(Weight::from_ref_time(15 * MICROS))
        .saturating_add(per_byte(len))
}
