//! Weights of the referenda's calls, from the storage items each touches and its computation,
//! in the support crate's measured units (docs/BENCHMARKS.md). Each covers its worst case: a
//! full track queue ([`crate::MAX_QUEUED`] entries) re-sorted, an alarm cancelled and
//! rescheduled in a full scheduler agenda, the next queued referendum started.

use basalt_support::weight_v2::constants::{reads_writes, MICROS};
use basalt_support::Weight;

/// Decoding, origin check, events.
const BASE: Weight = Weight::from_ref_time(15 * MICROS);

/// Moving an alarm: the scheduler's `cancel_named` and `schedule_named` of the nudge call
/// (a few bytes), every agenda it may overflow into included.
const ALARM: Weight = pallet_scheduler::weights::cancel_named()
    .saturating_add(pallet_scheduler::weights::schedule_named(16));

/// Servicing a referendum at its worst: its record, the track's queue and deciding count, the
/// total issuance, the curves, the next queued referendum started with its own alarm, and an
/// enactment scheduled (its preimage read and decoded, up to the scheduler's longest call).
const SERVICE: Weight = reads_writes(8, 6)
    .saturating_add(Weight::from_ref_time(60 * MICROS))
    .saturating_add(ALARM)
    .saturating_add(ALARM)
    .saturating_add(pallet_scheduler::weights::schedule_named(
        pallet_scheduler::MAX_CALL_LEN as usize,
    ));

/// `submit`: the proposal decoded (a preimage read), the count, the hold, the record, an alarm.
pub const fn submit() -> Weight {
    BASE.saturating_add(reads_writes(5, 5))
        .saturating_add(Weight::from_ref_time(20 * MICROS))
        .saturating_add(ALARM)
}

/// `place_decision_deposit`: the hold, then a service.
pub const fn place_decision_deposit() -> Weight {
    BASE.saturating_add(reads_writes(2, 2))
        .saturating_add(SERVICE)
}

/// `refund_decision_deposit` / `refund_submission_deposit`: the record and the release.
pub const fn refund_deposit() -> Weight {
    BASE.saturating_add(reads_writes(3, 3))
}

/// `cancel`: the record, the alarm, the queue, the next queued referendum started.
pub const fn cancel() -> Weight {
    BASE.saturating_add(SERVICE)
}

/// `kill`: as `cancel`, and two deposits slashed to the treasury, the metadata.
pub const fn kill() -> Weight {
    cancel().saturating_add(reads_writes(5, 5))
}

/// `nudge_referendum`: one service.
pub const fn nudge_referendum() -> Weight {
    BASE.saturating_add(SERVICE)
}

/// `set_metadata`: the record and the metadata.
pub const fn set_metadata() -> Weight {
    BASE.saturating_add(reads_writes(2, 1))
}

/// A vote's change of a tally: the record read and written, the alarm moved to the next block.
pub const fn update_tally() -> Weight {
    reads_writes(1, 1).saturating_add(ALARM)
}
