//! The GRANDPA worker: one future that the node spawns (or the simulation polls), owning the
//! voter of the current authority set and restarting it at every handoff.
//!
//! The node talks to it through two channels of plain data: [`GrandpaInput`] (gossip bytes from
//! peers, block imports, justifications from sync) and [`GrandpaOutput`] (bytes to broadcast or
//! send to one peer, blocks to fetch, peers to penalise, equivocation evidence, finality and
//! set-change notices). Nothing in here knows about libp2p, tokio or RocksDB.
//!
//! The future resolves `Ok(())` when the input channel closes (shutdown) and `Err` when voting
//! cannot continue safely (the voter state cannot be written, the chain backend fails, or the
//! chain contradicts finality): the node must then stop voting, not restart blindly.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use basalt_support::{BlockNumber, H256};
use codec::{Decode, Encode};
use finality_grandpa::voter::Voter;
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::{FutureExt, StreamExt};
use parking_lot::Mutex;
use sp_core::{ed25519, Pair as _};

use super::environment::{Environment, GlobalIncoming, GlobalOutgoing};
use super::gossip::Shared;
use super::messages::localized_payload;
use super::{
    AuthorityId, AuthorityList, AuthoritySetState, AuthoritySignature, Clock, Delay, GrandpaError,
    Message, PersistedState, Precommit, Prevote, RoundNumber, SetId, VoterStateStore,
};
use crate::authorities::AuthoritySource;
use crate::chain::BlockTree;

/// An opaque peer identity (the node uses libp2p's `PeerId::to_bytes()`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Peer(pub Vec<u8>);

/// A protocol violation by a peer, for the node's reputation system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misbehaviour {
    /// The message does not decode.
    Undecodable,
    /// The message exceeds [`super::MAX_MESSAGE_SIZE`].
    Oversized,
    /// A vote signature does not verify.
    BadSignature,
    /// A vote by someone outside the voter set.
    NotAVoter,
    /// A commit that is malformed or does not finalise its target.
    InvalidCommit,
    /// A malformed catch-up.
    InvalidCatchUp,
    /// A justification that does not verify.
    InvalidJustification,
    /// A message whose block numbers contradict the chain.
    InconsistentBlock,
}

impl Misbehaviour {
    /// A suggested reputation change (negative), scaled like Substrate's GRANDPA costs.
    pub fn cost(&self) -> i32 {
        match self {
            Misbehaviour::Undecodable | Misbehaviour::Oversized => -500,
            Misbehaviour::BadSignature | Misbehaviour::NotAVoter => -100,
            Misbehaviour::InvalidCommit
            | Misbehaviour::InvalidCatchUp
            | Misbehaviour::InvalidJustification => -1000,
            Misbehaviour::InconsistentBlock => -500,
        }
    }
}

/// Two different votes by one voter in one round and phase (Substrate's `Equivocation` layout).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum GrandpaEquivocation {
    /// Two prevotes.
    #[codec(index = 0)]
    Prevote(finality_grandpa::Equivocation<AuthorityId, Prevote, AuthoritySignature>),
    /// Two precommits.
    #[codec(index = 1)]
    Precommit(finality_grandpa::Equivocation<AuthorityId, Precommit, AuthoritySignature>),
}

/// Evidence of a GRANDPA equivocation, kept for slashing (Substrate's `EquivocationProof`
/// layout: set id, then the equivocation).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct EquivocationProof {
    /// The set in which it happened.
    pub set_id: SetId,
    /// The two votes.
    pub equivocation: GrandpaEquivocation,
}

impl EquivocationProof {
    /// The equivocating voter.
    pub fn offender(&self) -> AuthorityId {
        match &self.equivocation {
            GrandpaEquivocation::Prevote(e) => e.identity,
            GrandpaEquivocation::Precommit(e) => e.identity,
        }
    }

    /// The round.
    pub fn round(&self) -> RoundNumber {
        match &self.equivocation {
            GrandpaEquivocation::Prevote(e) => e.round_number,
            GrandpaEquivocation::Precommit(e) => e.round_number,
        }
    }

    /// Whether the evidence holds on its own: two different votes, both validly signed by the
    /// offender for this round and set. What a runtime checks before slashing.
    pub fn verify(&self) -> bool {
        let check = |m: Message, s: &AuthoritySignature, id: &AuthorityId, round: u64| {
            ed25519::Pair::verify(s, localized_payload(round, self.set_id, &m), id)
        };
        match &self.equivocation {
            GrandpaEquivocation::Prevote(e) => {
                e.first.0 != e.second.0
                    && check(
                        Message::Prevote(e.first.0.clone()),
                        &e.first.1,
                        &e.identity,
                        e.round_number,
                    )
                    && check(
                        Message::Prevote(e.second.0.clone()),
                        &e.second.1,
                        &e.identity,
                        e.round_number,
                    )
            }
            GrandpaEquivocation::Precommit(e) => {
                e.first.0 != e.second.0
                    && check(
                        Message::Precommit(e.first.0.clone()),
                        &e.first.1,
                        &e.identity,
                        e.round_number,
                    )
                    && check(
                        Message::Precommit(e.second.0.clone()),
                        &e.second.1,
                        &e.identity,
                        e.round_number,
                    )
            }
        }
    }
}

/// What the node feeds the worker.
#[derive(Clone, Debug)]
pub enum GrandpaInput {
    /// A GRANDPA gossip message (SCALE [`super::GossipMessage`]) received from a peer.
    Gossip {
        /// The sender.
        from: Peer,
        /// The raw bytes, untrusted.
        bytes: Vec<u8>,
    },
    /// A block was imported (any fork): messages waiting for it are replayed.
    BlockImported {
        /// Its hash.
        hash: H256,
        /// Its number.
        number: BlockNumber,
    },
    /// A justification that came with a block from sync (untrusted; verified here).
    Justification {
        /// The peer that served it, if any (penalised if it is invalid).
        from: Option<Peer>,
        /// The block it claims to finalise.
        hash: H256,
        /// Its number.
        number: BlockNumber,
        /// SCALE-encoded [`super::GrandpaJustification`].
        justification: Vec<u8>,
    },
}

/// What the worker asks of the node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrandpaOutput {
    /// Send these bytes to every connected peer (GRANDPA gossip).
    Broadcast(Vec<u8>),
    /// Send these bytes to one peer.
    SendTo(Peer, Vec<u8>),
    /// Fetch this block (and its missing ancestors), preferably from `from`.
    RequestBlock {
        /// The block.
        hash: H256,
        /// Its claimed number.
        number: BlockNumber,
        /// The peer that referenced it.
        from: Option<Peer>,
    },
    /// Penalise a peer.
    Report {
        /// The peer.
        peer: Peer,
        /// What it did.
        misbehaviour: Misbehaviour,
    },
    /// Equivocation evidence, to keep for slashing.
    Equivocation(EquivocationProof),
    /// A block was finalised (its justification is stored in the block tree).
    Finalized {
        /// The block.
        hash: H256,
        /// Its number.
        number: BlockNumber,
    },
    /// A new authority set took over at block `at`.
    AuthoritySetChanged {
        /// The new set id.
        set_id: SetId,
        /// Its voters.
        authorities: AuthorityList,
        /// The handoff block.
        at: (H256, BlockNumber),
    },
}

/// Tunables of the worker.
#[derive(Clone, Debug)]
pub struct GrandpaConfig {
    /// Estimated gossip latency T: prevote after 2T, precommit after 4T, commit jitter in [0, T).
    pub gossip_duration_ms: u64,
    /// Period of neighbor packets (our round, set and finalised height).
    pub neighbor_interval_ms: u64,
    /// Period of re-sending our votes of the current and previous round.
    pub rebroadcast_interval_ms: u64,
    /// Re-broadcast every valid vote and commit we see first (set it when the transport does
    /// not propagate messages itself; gossipsub does).
    pub relay: bool,
    /// Seed of the commit-timer jitter.
    pub seed: u64,
}

impl Default for GrandpaConfig {
    fn default() -> Self {
        GrandpaConfig {
            gossip_duration_ms: 1000,
            neighbor_interval_ms: 5000,
            rebroadcast_interval_ms: 5000,
            relay: false,
            seed: 0,
        }
    }
}

/// Everything the worker is built from.
pub struct GrandpaParams {
    /// Tunables.
    pub config: GrandpaConfig,
    /// Where the local GRANDPA key comes from (`Arc::new(None)` on non-validators: they follow
    /// and verify, never vote).
    pub local_key: Arc<dyn LocalKeys>,
    /// The chain.
    pub tree: Arc<dyn BlockTree>,
    /// The validator set at first start (later sets come from header digests).
    pub authorities: Arc<dyn AuthoritySource>,
    /// Durable voter state.
    pub store: Arc<dyn VoterStateStore>,
    /// Timers.
    pub clock: Arc<dyn Clock>,
    /// Input from the node.
    pub input: UnboundedReceiver<GrandpaInput>,
    /// Output to the node.
    pub output: UnboundedSender<GrandpaOutput>,
}

type GrandpaVoter = Voter<H256, BlockNumber, Environment, GlobalIncoming, GlobalOutgoing>;

/// The voter's signing keys: asked, whenever it is about to sign, for a key of the current
/// set. The node answers from its keystore, so a validator whose keys were inserted after start
/// (`author_rotateKeys` + `set_keys`, then elected) votes once its set takes over.
pub trait LocalKeys: Send + Sync {
    /// A key this node holds among `voters`, if any.
    fn key_among(&self, voters: &[AuthorityId]) -> Option<ed25519::Pair>;
}

/// A fixed key (or none).
impl LocalKeys for Option<ed25519::Pair> {
    fn key_among(&self, voters: &[AuthorityId]) -> Option<ed25519::Pair> {
        self.clone().filter(|p| voters.contains(&p.public()))
    }
}

/// A snapshot of the voter, for `grandpa_roundState`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoundSummary {
    /// The set.
    pub set_id: SetId,
    /// The best round.
    pub round: RoundNumber,
    /// Total voter weight.
    pub total_weight: u64,
    /// Weight needed to finalise.
    pub threshold_weight: u64,
    /// Prevote weight seen.
    pub prevote_weight: u64,
    /// Precommit weight seen.
    pub precommit_weight: u64,
    /// Who prevoted (sorted).
    pub prevote_ids: Vec<AuthorityId>,
    /// Who precommitted (sorted).
    pub precommit_ids: Vec<AuthorityId>,
}

/// Counters of the worker's safety-relevant paths, for metrics and the simulation's report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GrandpaMetrics {
    /// Votes signed and sent.
    pub votes_cast: u64,
    /// Votes re-sent from the durable record instead of what a restarted voter computed.
    pub substituted_votes: u64,
    /// Messages parked because they referenced unknown blocks.
    pub parked: u64,
    /// Parked messages replayed after their blocks arrived.
    pub replayed: u64,
    /// Catch-ups answered.
    pub catch_ups_served: u64,
    /// Catch-ups handed to the voter.
    pub catch_ups_imported: u64,
    /// Handoff justifications served to lagging peers.
    pub handoffs_served: u64,
    /// Votes of our last completed round sent to peers still in it.
    pub straggler_votes_sent: u64,
    /// Blocks finalised (directly, not counting implied ancestors).
    pub finalized: u64,
    /// Authority set changes enacted.
    pub set_changes: u64,
    /// Equivocations reported.
    pub equivocations: u64,
}

type VoterStateReport = Box<dyn finality_grandpa::voter::VoterState<AuthorityId> + Send + Sync>;

/// A cheap handle to query the running worker (for RPC).
#[derive(Clone)]
pub struct GrandpaHandle {
    shared: Arc<Mutex<Shared>>,
    voter_state: Arc<Mutex<Option<VoterStateReport>>>,
}

impl GrandpaHandle {
    /// The current set id and its voters.
    pub fn authority_set(&self) -> AuthoritySetState {
        self.shared.lock().persisted.set.clone()
    }

    /// Counters since the worker started.
    pub fn metrics(&self) -> GrandpaMetrics {
        self.shared.lock().metrics
    }

    /// The equivocation evidence seen (most recent last, bounded), kept for slashing.
    pub fn equivocations(&self) -> Vec<EquivocationProof> {
        self.shared.lock().evidence.iter().cloned().collect()
    }

    /// The best round's participation, if the voter runs.
    pub fn round_state(&self) -> Option<RoundSummary> {
        let report = self.voter_state.lock().as_ref()?.get();
        let set_id = self.shared.lock().set_id();
        let (round, state) = report.best_round;
        let mut prevote_ids: Vec<_> = state.prevote_ids.into_iter().collect();
        let mut precommit_ids: Vec<_> = state.precommit_ids.into_iter().collect();
        prevote_ids.sort();
        precommit_ids.sort();
        Some(RoundSummary {
            set_id,
            round,
            total_weight: state.total_weight.0.get(),
            threshold_weight: state.threshold_weight.0.get(),
            prevote_weight: state.prevote_current_weight.0,
            precommit_weight: state.precommit_current_weight.0,
            prevote_ids,
            precommit_ids,
        })
    }
}

/// The GRANDPA worker future (see the module docs).
pub struct GrandpaWorker {
    shared: Arc<Mutex<Shared>>,
    tree: Arc<dyn BlockTree>,
    clock: Arc<dyn Clock>,
    input: UnboundedReceiver<GrandpaInput>,
    voter: Option<Pin<Box<GrandpaVoter>>>,
    voter_state: Arc<Mutex<Option<VoterStateReport>>>,
    neighbor_timer: Delay,
    rebroadcast_timer: Delay,
    neighbor_interval_ms: u64,
    rebroadcast_interval_ms: u64,
    gossip_duration_ms: u64,
}

impl GrandpaWorker {
    /// Loads (or, on first start, creates) the durable voter state, applies any handoff whose
    /// block is already final, and starts the voter of the current set.
    pub fn new(params: GrandpaParams) -> Result<Self, GrandpaError> {
        let GrandpaParams {
            config,
            local_key,
            tree,
            authorities,
            store,
            clock,
            input,
            output,
        } = params;
        let persisted = match store.load()? {
            Some(state) => state,
            None => {
                let finalized = tree.finalized();
                let (set_id, list) = authorities.grandpa_authorities(&finalized.0);
                let state = PersistedState {
                    set: AuthoritySetState::new(set_id, list, finalized),
                    completed: None,
                    votes: Default::default(),
                };
                state
                    .set
                    .voters()
                    .ok_or(GrandpaError::InvalidAuthoritySet)?;
                store.store(&state)?;
                state
            }
        };
        let now_clock = clock.clone();
        let now = Arc::new(move || now_clock.now_ms());
        let gossip_duration_ms = config.gossip_duration_ms.max(1);
        let neighbor_interval_ms = config.neighbor_interval_ms.max(1);
        let rebroadcast_interval_ms = config.rebroadcast_interval_ms.max(1);
        let mut shared = Shared::new(
            config,
            local_key,
            tree.clone(),
            store,
            output,
            now,
            persisted,
        )?;
        shared.recover()?;
        let shared = Arc::new(Mutex::new(shared));
        let mut worker = GrandpaWorker {
            shared,
            tree,
            input,
            voter: None,
            voter_state: Arc::new(Mutex::new(None)),
            neighbor_timer: clock.delay(neighbor_interval_ms),
            rebroadcast_timer: clock.delay(rebroadcast_interval_ms),
            clock,
            neighbor_interval_ms,
            rebroadcast_interval_ms,
            gossip_duration_ms,
        };
        worker.start_voter()?;
        Ok(worker)
    }

    /// A handle for RPC queries.
    pub fn handle(&self) -> GrandpaHandle {
        GrandpaHandle {
            shared: self.shared.clone(),
            voter_state: self.voter_state.clone(),
        }
    }

    /// (Re)starts the voter for the current set, from its last completed round.
    fn start_voter(&mut self) -> Result<(), GrandpaError> {
        // Drop the previous voter first: its environment is for an older set.
        self.voter = None;
        *self.voter_state.lock() = None;
        let (global_tx, global_rx) = unbounded();
        let (set, completed, voters) = {
            let mut shared = self.shared.lock();
            shared.attach_voter(global_tx);
            (
                shared.persisted.set.clone(),
                shared.persisted.completed.clone(),
                shared.voters().clone(),
            )
        };
        let finalized = self.tree.finalized();
        let env = Arc::new(Environment {
            shared: self.shared.clone(),
            set_id: set.set_id,
            tree: self.tree.clone(),
            clock: self.clock.clone(),
            gossip_duration_ms: self.gossip_duration_ms,
        });
        let (last_round, last_votes, last_base) = match completed {
            Some(c) => (c.round, c.votes, c.base),
            None => (0, Vec::new(), finalized),
        };
        let voter = Voter::new(
            env,
            voters,
            (
                GlobalIncoming(global_rx),
                GlobalOutgoing {
                    shared: self.shared.clone(),
                    set_id: set.set_id,
                },
            ),
            last_round,
            last_votes,
            last_base,
            finalized,
        );
        *self.voter_state.lock() = Some(voter.voter_state());
        tracing::debug!(target: "grandpa", set_id = set.set_id, last_round, "voter started");
        self.voter = Some(Box::pin(voter));
        Ok(())
    }

    fn handle_input(&mut self, input: GrandpaInput) -> Result<(), GrandpaError> {
        let mut shared = self.shared.lock();
        match input {
            GrandpaInput::Gossip { from, bytes } => shared.on_gossip(from, &bytes),
            GrandpaInput::BlockImported { hash, .. } => shared.on_block_imported(hash),
            GrandpaInput::Justification {
                from,
                hash,
                number,
                justification,
            } => shared.import_justification(from, &justification, Some((hash, number))),
        }
    }
}

impl Future for GrandpaWorker {
    type Output = Result<(), GrandpaError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            loop {
                match this.input.poll_next_unpin(cx) {
                    Poll::Ready(Some(input)) => this.handle_input(input)?,
                    Poll::Ready(None) => return Poll::Ready(Ok(())),
                    Poll::Pending => break,
                }
            }
            while this.neighbor_timer.poll_unpin(cx).is_ready() {
                this.shared.lock().send_neighbor();
                this.neighbor_timer = this.clock.delay(this.neighbor_interval_ms);
            }
            while this.rebroadcast_timer.poll_unpin(cx).is_ready() {
                let mut shared = this.shared.lock();
                shared.rebroadcast();
                shared.retry_block_requests();
                this.rebroadcast_timer = this.clock.delay(this.rebroadcast_interval_ms);
            }
            if this.shared.lock().restart_requested() {
                this.start_voter()?;
            }
            if let Some(voter) = this.voter.as_mut() {
                if let Poll::Ready(result) = voter.as_mut().poll(cx) {
                    // The voter only ends on error (its global input never closes while we
                    // hold the sender).
                    result?;
                    return Poll::Ready(Ok(()));
                }
            }
            if this.shared.lock().restart_requested() {
                continue;
            }
            return Poll::Pending;
        }
    }
}
