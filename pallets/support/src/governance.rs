//! What the referenda and the voting pallet share: the tally of a poll and the way voting
//! reaches the polls (Substrate's `Polling` seam between pallet-referenda and
//! pallet-conviction-voting).
//!
//! The voting pallet does not know what a poll is; the referenda pallet does not know how votes
//! are weighed. Voting asks [`Polling::poll_status`] whether a poll is open (and in which class,
//! its track), and changes its tally only through [`Polling::update_tally`], which the referenda
//! pallet implements (and uses to re-examine the referendum).

use crate::primitives::{Balance, BlockNumber};
use crate::DispatchResult;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A poll's index (a referendum's index).
pub type PollIndex = u32;

/// A class of polls: a referendum track's id. Votes and locks are kept per class.
pub type PollClass = u16;

/// A poll's votes, as `pallet_conviction_voting::types::Tally`: conviction-weighted ayes and
/// nays, and the support (the capital behind aye and abstain votes, without conviction), which
/// referenda compare with the total issuance.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(replace_segment("basalt_support", "pallet_conviction_voting"))]
#[scale_info(replace_segment("governance", "types"))]
pub struct Tally {
    /// The conviction-weighted aye votes.
    pub ayes: Balance,
    /// The conviction-weighted nay votes.
    pub nays: Balance,
    /// The capital of aye and abstain votes.
    pub support: Balance,
}

/// Where a poll stands, as voting sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PollStatus {
    /// No such poll (never submitted, or killed).
    None,
    /// Open for votes, in this class.
    Ongoing {
        /// The poll's class.
        class: PollClass,
    },
    /// Decided at block `end`; `approved` says which side won.
    Completed {
        /// When it ended.
        end: BlockNumber,
        /// Whether it passed.
        approved: bool,
    },
}

/// The polls voting reaches: implemented by the referenda pallet.
pub trait Polling {
    /// The most [`Polling::update_tally`] costs (the voting pallet's calls add it to theirs).
    const UPDATE_TALLY_WEIGHT: crate::Weight;
    /// Where poll `index` stands.
    fn poll_status(index: PollIndex) -> PollStatus;
    /// Change the tally of an ongoing poll; fails (writing nothing) when it is not ongoing.
    fn update_tally(index: PollIndex, change: impl FnOnce(&mut Tally)) -> DispatchResult;
}

/// Noted preimages, as proposals reach them (Substrate's `QueryPreimage`): implemented by the
/// preimage pallet. A requested preimage stays until every request is withdrawn, so that a
/// proposal's call cannot vanish between submission and enactment.
pub trait QueryPreimage {
    /// The preimage of `hash`, if noted with exactly `len` bytes.
    fn fetch(hash: &crate::H256, len: u32) -> Option<Vec<u8>>;
    /// Keep the preimage of `hash` (counted: each request needs its own withdrawal).
    fn request(hash: &crate::H256);
    /// Withdraw one request for the preimage of `hash`.
    fn unrequest(hash: &crate::H256);
}
