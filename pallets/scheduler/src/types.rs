//! The scheduler's stored records, with pallet-scheduler's names and field order.

use basalt_support::{BlockNumber, BoundedVec};
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// A task's name: chosen by whoever schedules it, so that it can be cancelled by name.
pub type TaskName = [u8; 32];

/// Where a task sits: its block and its index in that block's agenda.
pub type TaskAddress = (BlockNumber, u32);

/// A task's priority: lower runs first within a block (0 is the highest).
pub type Priority = u8;

/// A task that repeats: every `.0` blocks, `.1` more times.
pub type Period = (BlockNumber, u32);

/// The longest encoded call a task may hold, in bytes (the support crate's bound for calls
/// stored to be dispatched later, which preimages share).
pub const MAX_CALL_LEN: u32 = basalt_support::dispatch::MAX_STORED_CALL_LEN;

/// A scheduled call, SCALE-encoded: kept as bytes so that a task whose call no longer decodes
/// after a runtime upgrade is reported (`CallUnavailable`) rather than lost with its agenda.
pub type EncodedCall = BoundedVec<u8, MAX_CALL_LEN>;

/// A task, as `pallet_scheduler::Scheduled` (the call inline).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Scheduled<Origin> {
    /// Its name, if it was scheduled by name.
    pub maybe_id: Option<TaskName>,
    /// Its priority in its block.
    pub priority: Priority,
    /// The call.
    pub call: EncodedCall,
    /// Its repetition, if any.
    pub maybe_periodic: Option<Period>,
    /// The origin it is dispatched with.
    pub origin: Origin,
}
