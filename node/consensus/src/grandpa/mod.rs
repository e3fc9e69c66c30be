//! GRANDPA finality around the `finality-grandpa` voter.
//!
//! `finality_grandpa::voter::Voter` is only the voting state machine. This module is the node
//! side of it, the part that decides whether GRANDPA is actually safe in practice:
//!
//! - **Durable votes.** The voter reports each vote through `proposed` / `prevoted` /
//!   `precommitted` before pushing it to the outgoing sink. Those callbacks write the vote to a
//!   [`VoterStateStore`] (fsync'd by [`FileVoterStateStore`]) and only then return; the sink
//!   signs only what the store holds for that round, and substitutes the stored vote for whatever
//!   a restarted voter proposes. A crash at any instant therefore never yields two different
//!   signed votes for one (set, round, phase).
//! - **Votes for unknown blocks** are buffered (bounded) and the block is requested from the
//!   sender; they are replayed when [`GrandpaInput::BlockImported`] arrives. The voter only ever
//!   sees votes whose target is known with the claimed number.
//! - **Best chain** never fails: if fork choice has nothing above the base (it was re-orged
//!   away), the vote falls back to the base itself.
//! - **Authority handoffs** are delayed standard changes from `FRNK` digests. Votes are capped at
//!   the block where a pending change takes effect (at the callback, so even a voter bug cannot
//!   sign past it); that block is finalised by the old set with a justification, the new set
//!   starts from it, and the justification is stored and served to peers that lag a set behind.
//! - **Justifications** are Substrate's `GrandpaJustification` (round, commit, ancestry headers),
//!   checked by [`verify_justification`].
//! - **Equivocations** (two different votes by one voter in one round and phase) are detected on
//!   every verified vote, not only those in the rounds the voter is running, and reported once as
//!   [`EquivocationProof`]; votes of the set that just ended are still checked, since the last
//!   round of a set is where an equivocator is most likely to go unnoticed. Votes are only ever
//!   cast in rounds after the last completed one: a round left behind by a catch-up stays silent
//!   (its vote record may be pruned, and not voting is always safe).
//! - **Liveness over a lossy transport**: our votes of the current and previous round are
//!   re-sent periodically from the durable record (so a restarted node re-sends what it voted
//!   before the crash); a peer stuck in the round we completed gets that round's votes; a peer
//!   two rounds ahead is asked for a catch-up; a peer in a later set is asked for the handoff
//!   justification; block requests for parked messages are retried.
//!
//! Assumptions: less than a third of the voter weight is Byzantine; the [`BlockTree`] keeps
//! the invariants stated in [`crate::chain`]; the transport may drop, delay, duplicate and reorder
//! messages. Guarantees hold for any message sequence; liveness needs a supermajority of honest
//! voters connected long enough.
//!
//! [`BlockTree`]: crate::chain::BlockTree

mod authority_set;
mod environment;
mod gossip;
mod justification;
mod messages;
mod store;
mod worker;

use std::future::Future;
use std::pin::Pin;

use basalt_support::{BlockNumber, H256};
use sp_core::ed25519;

pub use authority_set::{AuthoritySetState, PendingChange};
pub use justification::{verify_justification, GrandpaJustification, JustificationError};
pub use messages::{
    decode_message, localized_payload, sign_message, verify_signed_message, CatchUpRequestMessage,
    FullCatchUpMessage, FullCommitMessage, GossipMessage, HandoffMessage, HandoffRequest,
    NeighborPacket, VersionedNeighborPacket, VoteMessage, MAX_MESSAGE_SIZE,
};
pub use store::{
    CompletedRound, FileVoterStateStore, MemoryVoterStateStore, PersistedState, RoundVotes,
    StoreError, VoterStateStore,
};
pub use worker::{
    EquivocationProof, GrandpaConfig, GrandpaEquivocation, GrandpaHandle, GrandpaInput,
    GrandpaMetrics, GrandpaOutput, GrandpaParams, GrandpaWorker, LocalKeys, Misbehaviour, Peer,
    RoundSummary,
};

pub use crate::authorities::{AuthorityList, SetId, GRANDPA_ENGINE_ID};

/// A GRANDPA voter's public key.
pub type AuthorityId = ed25519::Public;
/// A GRANDPA vote signature.
pub type AuthoritySignature = ed25519::Signature;
/// A round number within one authority set (starts at 1; 0 means "none yet").
pub type RoundNumber = u64;
/// A prevote for a block and its ancestors.
pub type Prevote = finality_grandpa::Prevote<H256, BlockNumber>;
/// A precommit for a block and its ancestors.
pub type Precommit = finality_grandpa::Precommit<H256, BlockNumber>;
/// The round primary's hint of the last round's estimate.
pub type PrimaryPropose = finality_grandpa::PrimaryPropose<H256, BlockNumber>;
/// Any vote message.
pub type Message = finality_grandpa::Message<H256, BlockNumber>;
/// A vote message with its signer and signature.
pub type SignedMessage =
    finality_grandpa::SignedMessage<H256, BlockNumber, AuthoritySignature, AuthorityId>;
/// A signed prevote (in catch-up messages).
pub type SignedPrevote =
    finality_grandpa::SignedPrevote<H256, BlockNumber, AuthoritySignature, AuthorityId>;
/// A signed precommit (in commits and justifications).
pub type SignedPrecommit =
    finality_grandpa::SignedPrecommit<H256, BlockNumber, AuthoritySignature, AuthorityId>;
/// A commit: a block and the precommits that finalise it.
pub type Commit = finality_grandpa::Commit<H256, BlockNumber, AuthoritySignature, AuthorityId>;
/// A commit with its signatures split out, as it travels on the wire.
pub type CompactCommit =
    finality_grandpa::CompactCommit<H256, BlockNumber, AuthoritySignature, AuthorityId>;
/// The votes of a completed round, sent to peers that fell behind.
pub type CatchUp = finality_grandpa::CatchUp<H256, BlockNumber, AuthoritySignature, AuthorityId>;

/// Why the GRANDPA worker stopped.
#[derive(Debug)]
pub enum GrandpaError {
    /// The voting state machine reported an inconsistency.
    Grandpa(finality_grandpa::Error),
    /// The chain backend failed (for example finalising on disk).
    Chain(crate::chain::ChainError),
    /// The durable voter state could not be read or written: voting stops rather than risk a
    /// double vote.
    Store(StoreError),
    /// The authority set to start from is unusable (empty, zero weights, duplicates).
    InvalidAuthoritySet,
}

impl std::fmt::Display for GrandpaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GrandpaError::Grandpa(e) => write!(f, "grandpa: {e}"),
            GrandpaError::Chain(e) => write!(f, "grandpa chain access: {e}"),
            GrandpaError::Store(e) => write!(f, "grandpa voter state: {e}"),
            GrandpaError::InvalidAuthoritySet => f.write_str("invalid GRANDPA authority set"),
        }
    }
}

impl std::error::Error for GrandpaError {}

impl From<finality_grandpa::Error> for GrandpaError {
    fn from(e: finality_grandpa::Error) -> Self {
        GrandpaError::Grandpa(e)
    }
}

impl From<crate::chain::ChainError> for GrandpaError {
    fn from(e: crate::chain::ChainError) -> Self {
        GrandpaError::Chain(e)
    }
}

impl From<StoreError> for GrandpaError {
    fn from(e: StoreError) -> Self {
        GrandpaError::Store(e)
    }
}

/// A future that completes after a delay, as handed out by a [`Clock`].
pub type Delay = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Time as GRANDPA sees it: round timers and periodic gossip.
///
/// The node uses [`SystemClock`] (or a tokio-backed clock); the simulation uses a logical clock
/// so runs are reproducible from a seed.
pub trait Clock: Send + Sync {
    /// Milliseconds since an arbitrary epoch (only differences matter).
    fn now_ms(&self) -> u64;
    /// A future resolving `ms` milliseconds from now.
    fn delay(&self, ms: u64) -> Delay;
}

/// Wall-clock time and `futures-timer` delays: works under any executor, including tokio.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }

    fn delay(&self, ms: u64) -> Delay {
        Box::pin(futures_timer::Delay::new(std::time::Duration::from_millis(
            ms,
        )))
    }
}

#[cfg(test)]
mod tests;
