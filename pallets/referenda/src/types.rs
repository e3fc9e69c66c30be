//! The referenda pallet's records, with pallet-referenda's names, field order and encodings,
//! so that explorers and wallets decode them as Polkadot's.

use crate::curve::Curve;
use basalt_support::governance::{PollClass, Tally};
use basalt_support::{AccountId, Balance, BlockNumber, BoundedVec, Origin, H256};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A referendum's index.
pub type ReferendumIndex = u32;

/// A track's id (the class its votes and locks are kept in).
pub type TrackId = PollClass;

/// The longest proposal carried inline, in bytes (as FRAME's `BoundedInline`); longer ones
/// go by preimage.
pub const MAX_INLINE_LEN: u32 = 128;

/// A proposal: the encoded call inline, or the hash and length of a noted preimage
/// (`frame_support::traits::preimages::Bounded`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("pallet_referenda", "frame_support"))]
#[scale_info(replace_segment("types", "traits"))]
pub enum Bounded {
    /// The SCALE-encoded call.
    #[codec(index = 1)]
    Inline(BoundedVec<u8, MAX_INLINE_LEN>),
    /// A call noted as a preimage (`Preimage.note_preimage`).
    #[codec(index = 2)]
    Lookup {
        /// Its blake2-256 hash.
        hash: H256,
        /// Its length.
        len: u32,
    },
}

/// When a passed proposal is enacted (`frame_support::traits::schedule::DispatchTime`); never
/// before the track's minimum enactment period.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(replace_segment("pallet_referenda", "frame_support"))]
#[scale_info(replace_segment("types", "traits"))]
pub enum DispatchTime {
    /// At this block.
    #[codec(index = 0)]
    At(BlockNumber),
    /// This many blocks after approval.
    #[codec(index = 1)]
    After(BlockNumber),
}

impl DispatchTime {
    /// The block this names, for an approval at `now`.
    pub fn evaluate(self, now: BlockNumber) -> BlockNumber {
        match self {
            DispatchTime::At(n) => n,
            DispatchTime::After(n) => now.saturating_add(n),
        }
    }
}

/// A deposit and who placed it.
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct Deposit {
    /// Who placed it (and gets it back).
    pub who: AccountId,
    /// How much is held.
    pub amount: Balance,
}

/// The deciding phase of a referendum.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub struct DecidingStatus {
    /// When deciding began.
    pub since: BlockNumber,
    /// When confirmation ends, while the referendum is passing.
    pub confirming: Option<BlockNumber>,
}

/// An ongoing referendum (`pallet_referenda::types::ReferendumStatus`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ReferendumStatus {
    /// Its track.
    pub track: TrackId,
    /// The origin the proposal is dispatched with if it passes.
    pub origin: Origin,
    /// The proposal.
    pub proposal: Bounded,
    /// When to enact it.
    pub enactment: DispatchTime,
    /// When it was submitted.
    pub submitted: BlockNumber,
    /// The submission deposit.
    pub submission_deposit: Deposit,
    /// The decision deposit, once placed.
    pub decision_deposit: Option<Deposit>,
    /// The deciding phase, once begun.
    pub deciding: Option<DecidingStatus>,
    /// The votes.
    pub tally: Tally,
    /// Whether it waits in its track's queue for a deciding slot.
    pub in_queue: bool,
    /// Its next alarm: the block asked for and the scheduler task's address.
    pub alarm: Option<(BlockNumber, (BlockNumber, u32))>,
}

/// A referendum, ongoing or ended (`pallet_referenda::types::ReferendumInfo`); ended ones keep
/// when they ended and the deposits not yet refunded.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum ReferendumInfo {
    /// Still being decided (or prepared).
    #[codec(index = 0)]
    Ongoing(ReferendumStatus),
    /// Passed; its proposal is scheduled.
    #[codec(index = 1)]
    Approved(BlockNumber, Option<Deposit>, Option<Deposit>),
    /// Failed to pass within its decision period.
    #[codec(index = 2)]
    Rejected(BlockNumber, Option<Deposit>, Option<Deposit>),
    /// Cancelled by a privileged origin.
    #[codec(index = 3)]
    Cancelled(BlockNumber, Option<Deposit>, Option<Deposit>),
    /// Never began deciding within the undeciding timeout.
    #[codec(index = 4)]
    TimedOut(BlockNumber, Option<Deposit>, Option<Deposit>),
    /// Killed by a privileged origin; its deposits were slashed.
    #[codec(index = 5)]
    Killed(BlockNumber),
}

/// A track's periods, in blocks: what a chain spec may override (development chains shorten
/// them).
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub struct TrackPeriods {
    /// From submission until deciding may begin.
    pub prepare_period: BlockNumber,
    /// How long deciding lasts, at most (confirmation may run past it).
    pub decision_period: BlockNumber,
    /// How long a referendum must keep passing to be approved.
    pub confirm_period: BlockNumber,
    /// The least delay from approval to enactment.
    pub min_enactment_period: BlockNumber,
}

/// A track: its limits, deposit, periods and curves (`pallet_referenda::types::TrackInfo`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, TypeInfo)]
pub struct TrackInfo {
    /// Its name.
    pub name: &'static str,
    /// The most referenda deciding at once; more wait in the queue.
    pub max_deciding: u32,
    /// The decision deposit.
    pub decision_deposit: Balance,
    /// From submission until deciding may begin.
    pub prepare_period: BlockNumber,
    /// How long deciding lasts, at most.
    pub decision_period: BlockNumber,
    /// How long a referendum must keep passing to be approved.
    pub confirm_period: BlockNumber,
    /// The least delay from approval to enactment.
    pub min_enactment_period: BlockNumber,
    /// The least approval over the decision period.
    pub min_approval: Curve,
    /// The least support over the decision period.
    pub min_support: Curve,
}

impl TrackInfo {
    /// This track with `periods` instead of its own.
    pub fn with_periods(self, periods: TrackPeriods) -> TrackInfo {
        TrackInfo {
            prepare_period: periods.prepare_period,
            decision_period: periods.decision_period,
            confirm_period: periods.confirm_period,
            min_enactment_period: periods.min_enactment_period,
            ..self
        }
    }
}

/// What a chain spec may set of the referenda: shorter periods for some tracks (development
/// chains) and the undeciding timeout.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct GenesisConfig {
    /// The tracks whose periods this chain sets, with them.
    pub track_periods: Vec<(TrackId, TrackPeriods)>,
    /// Blocks a referendum may wait to begin deciding, if not the constant.
    pub undeciding_timeout: Option<BlockNumber>,
}
