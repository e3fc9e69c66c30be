//! The node-side state shared by the GRANDPA worker and the voter's environment: message
//! validation and routing, buffering of messages for unknown blocks, durable vote records,
//! equivocation detection, catch-up and handoff service, and finalisation.
//!
//! Everything here runs under one mutex held for short, non-blocking sections; the voter is never
//! called while it is held (messages reach the voter through channels).
//!
//! Guarantees:
//! - A vote, commit or catch-up reaches the voter only if every signature verifies for the
//!   current set and round, every signer is a voter, and every referenced block is known with
//!   the number the message claims (else it waits here, bounded, while the block is requested).
//! - The outgoing path signs only votes that are in the durable record for that round, so a
//!   node never signs two different votes for one (set, round, phase), across restarts included.
//! - Votes never target a block above the height where a pending authority change takes effect.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use basalt_support::{hashing::blake2_256, BlockNumber, H256};
use codec::Encode;
use finality_grandpa::voter::{Callback, CommitProcessingOutcome, CommunicationIn};
use finality_grandpa::voter_set::VoterSet;
use futures::channel::mpsc::UnboundedSender;
use sp_core::{ed25519, Pair as _};

use super::authority_set::{ChangeTracker, PendingChange};
use super::justification::{verify_decoded, GrandpaJustification};
use super::messages::{
    decode_message, sign_message, verify_signed_message, CatchUpRequestMessage, FullCatchUpMessage,
    FullCommitMessage, GossipMessage, HandoffMessage, HandoffRequest, NeighborPacket,
    VersionedNeighborPacket, VoteMessage,
};
use super::worker::{
    EquivocationProof, GrandpaConfig, GrandpaEquivocation, GrandpaMetrics, GrandpaOutput,
    LocalKeys, Misbehaviour, Peer,
};
use super::{
    AuthorityId, AuthoritySignature, CatchUp, Commit, CompactCommit, GrandpaError, Message,
    PersistedState, Precommit, Prevote, PrimaryPropose, RoundNumber, SetId, SignedMessage,
    VoterStateStore,
};
use crate::chain::{ancestor_at, is_descendant_or_equal, BlockTree, ChainError};

/// The voter's global input: commits and catch-ups, validated here.
pub(crate) type GlobalInItem = CommunicationIn<H256, BlockNumber, AuthoritySignature, AuthorityId>;

/// Rounds behind the best one for which votes are still accepted (and equivocations detected).
const ROUND_HISTORY: u64 = 64;
/// Rounds ahead of the best one for which votes are buffered.
const FUTURE_ROUNDS: u64 = 4;
/// Messages waiting for blocks, at most.
const MAX_PENDING: usize = 4096;
/// Message digests remembered to drop duplicates.
const SEEN_CAPACITY: usize = 16_384;

/// Phase tags for the equivocation registry.
const PREVOTE: u8 = 0;
const PRECOMMIT: u8 = 1;

/// What a message references and whether we have it.
enum BlockStatus {
    Known,
    Unknown,
    WrongNumber,
}

/// A message that waits for blocks.
struct PendingMessage {
    from: Option<Peer>,
    set_id: SetId,
    /// Unknown blocks it references, with the numbers claimed.
    needs: BTreeMap<H256, BlockNumber>,
    item: PendingItem,
}

enum PendingItem {
    Vote(RoundNumber, SignedMessage),
    Commit(RoundNumber, CompactCommit),
    CatchUp(CatchUp),
    Justification(GrandpaJustification, Vec<u8>),
}

/// Per-round routing to the voter's round streams.
#[derive(Default)]
struct RoundRoute {
    senders: Vec<UnboundedSender<SignedMessage>>,
    votes: Vec<SignedMessage>,
    /// Votes forwarded per (voter, phase): an equivocator's third and later votes add nothing
    /// (two already count it for every block) and would only cost memory.
    per_voter: BTreeMap<(AuthorityId, u8), u8>,
}

/// A bounded set of message digests.
#[derive(Default)]
struct SeenCache {
    set: BTreeSet<[u8; 32]>,
    order: VecDeque<[u8; 32]>,
}

impl SeenCache {
    fn contains(&self, d: &[u8; 32]) -> bool {
        self.set.contains(d)
    }

    fn insert(&mut self, d: [u8; 32]) {
        if self.set.insert(d) {
            self.order.push_back(d);
            if self.order.len() > SEEN_CAPACITY {
                if let Some(old) = self.order.pop_front() {
                    self.set.remove(&old);
                }
            }
        }
    }
}

/// A tiny deterministic RNG (splitmix64) for commit-timer jitter.
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn new(seed: u64) -> Self {
        Jitter(seed)
    }

    pub(crate) fn next_below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        if bound == 0 {
            0
        } else {
            z % bound
        }
    }
}

/// The shared node-side GRANDPA state (see the module docs).
pub(crate) struct Shared {
    pub(crate) config: GrandpaConfig,
    local: Arc<dyn LocalKeys>,
    tree: Arc<dyn BlockTree>,
    store: Arc<dyn VoterStateStore>,
    output: UnboundedSender<GrandpaOutput>,
    now: Arc<dyn Fn() -> u64 + Send + Sync>,

    pub(crate) persisted: PersistedState,
    voters: VoterSet<AuthorityId>,
    changes: ChangeTracker,
    pub(crate) best_round: RoundNumber,
    rounds: BTreeMap<RoundNumber, RoundRoute>,
    seen: SeenCache,
    registry: BTreeMap<(SetId, RoundNumber, u8, AuthorityId), (Message, AuthoritySignature)>,
    reported: BTreeSet<(SetId, RoundNumber, u8, AuthorityId)>,
    /// The set that ended last, its voters and our best round in it: late votes of that set are
    /// still checked for equivocations (the last round of a set is the one an equivocator is
    /// most likely to get away with, as honest voters move on as soon as it finalises).
    previous: Option<(SetId, VoterSet<AuthorityId>, RoundNumber)>,
    pending: VecDeque<PendingMessage>,
    requested: BTreeMap<H256, u64>,
    last_catch_up_request: Option<u64>,
    last_handoff_request: Option<u64>,
    answered: BTreeMap<(Peer, u8), u64>,
    /// The last (set, round) each peer announced in a neighbor packet.
    peer_views: BTreeMap<Peer, (SetId, RoundNumber)>,
    global_in: Option<UnboundedSender<GlobalInItem>>,
    restart: bool,
    pub(crate) jitter: Jitter,
    pub(crate) metrics: GrandpaMetrics,
    pub(crate) evidence: VecDeque<EquivocationProof>,
}

/// Bound on equivocation evidence kept in memory for the node to collect.
const EVIDENCE_KEPT: usize = 256;

fn digest(bytes: &[u8]) -> [u8; 32] {
    blake2_256(bytes)
}

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        config: GrandpaConfig,
        local: Arc<dyn LocalKeys>,
        tree: Arc<dyn BlockTree>,
        store: Arc<dyn VoterStateStore>,
        output: UnboundedSender<GrandpaOutput>,
        now: Arc<dyn Fn() -> u64 + Send + Sync>,
        persisted: PersistedState,
    ) -> Result<Self, GrandpaError> {
        let voters = persisted
            .set
            .voters()
            .ok_or(GrandpaError::InvalidAuthoritySet)?;
        let jitter = Jitter::new(config.seed);
        Ok(Shared {
            config,
            local,
            tree,
            store,
            output,
            now,
            persisted,
            voters,
            changes: ChangeTracker::default(),
            best_round: 0,
            rounds: BTreeMap::new(),
            seen: SeenCache::default(),
            registry: BTreeMap::new(),
            reported: BTreeSet::new(),
            previous: None,
            pending: VecDeque::new(),
            requested: BTreeMap::new(),
            last_catch_up_request: None,
            last_handoff_request: None,
            answered: BTreeMap::new(),
            peer_views: BTreeMap::new(),
            global_in: None,
            restart: false,
            jitter,
            metrics: GrandpaMetrics::default(),
            evidence: VecDeque::new(),
        })
    }

    pub(crate) fn set_id(&self) -> SetId {
        self.persisted.set.set_id
    }

    pub(crate) fn voters(&self) -> &VoterSet<AuthorityId> {
        &self.voters
    }

    fn stale(&self, set_id: SetId) -> bool {
        set_id != self.set_id()
    }

    /// The local voter id, if we hold a key of the current set.
    pub(crate) fn local_id(&self) -> Option<AuthorityId> {
        self.local_pair().map(|p| p.public())
    }

    /// Our signing key among the current set's voters, looked up each time (a key may be
    /// added while the node runs, e.g. by a validator elected into a later set).
    fn local_pair(&self) -> Option<ed25519::Pair> {
        let ids: Vec<AuthorityId> = self
            .persisted
            .set
            .authorities
            .iter()
            .map(|(id, _)| *id)
            .collect();
        self.local
            .key_among(&ids)
            .filter(|p| self.voters.contains(&p.public()))
    }

    /// Installs the channel of a freshly started voter.
    pub(crate) fn attach_voter(&mut self, global_in: UnboundedSender<GlobalInItem>) {
        self.global_in = Some(global_in);
        self.restart = false;
    }

    /// Whether the set changed and the voter must be restarted for the new one.
    pub(crate) fn restart_requested(&self) -> bool {
        self.restart
    }

    fn emit(&self, out: GrandpaOutput) {
        let _ = self.output.unbounded_send(out);
    }

    fn report(&self, peer: &Option<Peer>, misbehaviour: Misbehaviour) {
        if let Some(peer) = peer {
            tracing::debug!(target: "grandpa", ?peer, ?misbehaviour, "peer misbehaved");
            self.emit(GrandpaOutput::Report {
                peer: peer.clone(),
                misbehaviour,
            });
        }
    }

    fn persist(&mut self) -> Result<(), GrandpaError> {
        self.store
            .store(&self.persisted)
            .map_err(GrandpaError::Store)
    }

    fn block_status(&self, hash: &H256, number: BlockNumber) -> BlockStatus {
        match self.tree.header(hash) {
            Some(h) if h.number == number => BlockStatus::Known,
            Some(_) => BlockStatus::WrongNumber,
            None => BlockStatus::Unknown,
        }
    }

    /// Checks a list of (hash, number) references: `Err` if one contradicts the chain, else the
    /// unknown ones.
    fn missing_blocks(
        &self,
        refs: impl IntoIterator<Item = (H256, BlockNumber)>,
    ) -> Result<BTreeMap<H256, BlockNumber>, ()> {
        let mut missing = BTreeMap::new();
        for (hash, number) in refs {
            match self.block_status(&hash, number) {
                BlockStatus::Known => {}
                BlockStatus::WrongNumber => return Err(()),
                BlockStatus::Unknown => {
                    missing.insert(hash, number);
                }
            }
        }
        Ok(missing)
    }

    fn request_blocks(&mut self, from: &Option<Peer>, needs: &BTreeMap<H256, BlockNumber>) {
        let now = (self.now)();
        let timeout = self.config.gossip_duration_ms.saturating_mul(8);
        for (hash, number) in needs {
            let due = match self.requested.get(hash) {
                Some(at) => now.saturating_sub(*at) >= timeout,
                None => true,
            };
            if due {
                if self.requested.len() >= MAX_PENDING {
                    self.requested
                        .retain(|_, at| now.saturating_sub(*at) < timeout);
                    if self.requested.len() >= MAX_PENDING {
                        self.requested.clear();
                    }
                }
                self.requested.insert(*hash, now);
                self.emit(GrandpaOutput::RequestBlock {
                    hash: *hash,
                    number: *number,
                    from: from.clone(),
                });
            }
        }
    }

    fn park(&mut self, from: Option<Peer>, needs: BTreeMap<H256, BlockNumber>, item: PendingItem) {
        let finalized = self.tree.finalized().1;
        // A block at or below the finalised height that we do not have is on a dead fork.
        if needs.values().any(|n| *n <= finalized) {
            return;
        }
        self.request_blocks(&from, &needs);
        self.metrics.parked += 1;
        if self.pending.len() >= MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back(PendingMessage {
            from,
            set_id: self.set_id(),
            needs,
            item,
        });
    }

    // ----- Incoming gossip -----

    /// Handles one encoded gossip message from `from`.
    pub(crate) fn on_gossip(&mut self, from: Peer, bytes: &[u8]) -> Result<(), GrandpaError> {
        let from = Some(from);
        let message = match decode_message(bytes) {
            Ok(m) => m,
            Err(m) => {
                self.report(&from, m);
                return Ok(());
            }
        };
        match message {
            GossipMessage::Vote(v) => self.on_vote(from, v, bytes),
            GossipMessage::Commit(c) => self.on_commit(from, c, bytes),
            GossipMessage::Neighbor(VersionedNeighborPacket::V1(n)) => {
                self.on_neighbor(from, n);
                Ok(())
            }
            GossipMessage::CatchUpRequest(r) => {
                self.on_catch_up_request(from, r);
                Ok(())
            }
            GossipMessage::CatchUp(c) => self.on_catch_up(from, c, bytes),
            GossipMessage::HandoffRequest(r) => {
                self.on_handoff_request(from, r);
                Ok(())
            }
            GossipMessage::Handoff(h) => {
                if h.set_id == self.set_id() {
                    self.import_justification(from, &h.justification, None)?;
                }
                Ok(())
            }
        }
    }

    fn on_vote(
        &mut self,
        from: Option<Peer>,
        vote: VoteMessage,
        bytes: &[u8],
    ) -> Result<(), GrandpaError> {
        if vote.set_id != self.set_id() {
            if vote.set_id > self.set_id() {
                self.maybe_request_handoff(&from);
            } else {
                self.on_previous_set_vote(&from, &vote, bytes);
            }
            return Ok(());
        }
        let d = digest(bytes);
        if self.seen.contains(&d) {
            return Ok(());
        }
        if vote.round.saturating_add(ROUND_HISTORY) < self.best_round {
            return Ok(());
        }
        if vote.round > self.best_round + FUTURE_ROUNDS {
            self.maybe_request_catch_up(&from);
            return Ok(());
        }
        if !self.voters.contains(&vote.message.id) {
            self.report(&from, Misbehaviour::NotAVoter);
            return Ok(());
        }
        if !verify_signed_message(&vote.message, vote.round, vote.set_id) {
            self.report(&from, Misbehaviour::BadSignature);
            return Ok(());
        }
        self.seen.insert(d);
        if self.config.relay {
            self.emit(GrandpaOutput::Broadcast(bytes.to_vec()));
        }
        self.check_equivocation(vote.set_id, vote.round, &vote.message);
        if vote.round > self.best_round + 1 {
            self.maybe_request_catch_up(&from);
        }
        self.route_vote(from, vote.round, vote.message);
        Ok(())
    }

    fn route_vote(&mut self, from: Option<Peer>, round: RoundNumber, signed: SignedMessage) {
        let (hash, number) = signed.target();
        let (hash, number) = (*hash, number);
        match self.block_status(&hash, number) {
            BlockStatus::Known => self.deliver_vote(round, signed),
            // Signed by a voter with a number that contradicts the block: a bad vote, but the
            // peer may only be relaying it.
            BlockStatus::WrongNumber => {}
            BlockStatus::Unknown => {
                let needs = BTreeMap::from([(hash, number)]);
                self.park(from, needs, PendingItem::Vote(round, signed));
            }
        }
    }

    fn deliver_vote(&mut self, round: RoundNumber, signed: SignedMessage) {
        if round.saturating_add(ROUND_HISTORY) < self.best_round {
            return;
        }
        let phase = match signed.message {
            Message::Prevote(_) => PREVOTE,
            Message::Precommit(_) => PRECOMMIT,
            Message::PrimaryPropose(_) => 2,
        };
        let route = self.rounds.entry(round).or_default();
        if route.votes.contains(&signed) {
            return;
        }
        let count = route.per_voter.entry((signed.id, phase)).or_default();
        if *count >= 2 {
            return;
        }
        *count += 1;
        route.votes.push(signed.clone());
        route
            .senders
            .retain(|s| s.unbounded_send(signed.clone()).is_ok());
    }

    /// A vote of the set that just ended: checked (signature, membership) and only used to
    /// detect equivocations, then relayed.
    fn on_previous_set_vote(&mut self, from: &Option<Peer>, vote: &VoteMessage, bytes: &[u8]) {
        let Some((set_id, voters, last_round)) = &self.previous else {
            return;
        };
        if vote.set_id != *set_id || vote.round.saturating_add(ROUND_HISTORY) < *last_round {
            return;
        }
        let d = digest(bytes);
        if self.seen.contains(&d) || !voters.contains(&vote.message.id) {
            return;
        }
        if !verify_signed_message(&vote.message, vote.round, vote.set_id) {
            self.report(from, Misbehaviour::BadSignature);
            return;
        }
        self.seen.insert(d);
        if self.config.relay {
            self.emit(GrandpaOutput::Broadcast(bytes.to_vec()));
        }
        self.check_equivocation(vote.set_id, vote.round, &vote.message);
    }

    fn check_equivocation(&mut self, set_id: SetId, round: RoundNumber, signed: &SignedMessage) {
        let phase = match signed.message {
            Message::Prevote(_) => PREVOTE,
            Message::Precommit(_) => PRECOMMIT,
            Message::PrimaryPropose(_) => return,
        };
        let key = (set_id, round, phase, signed.id);
        match self.registry.get(&key) {
            None => {
                self.registry
                    .insert(key, (signed.message.clone(), signed.signature));
            }
            Some((first, _)) if *first == signed.message => {}
            Some((first, first_sig)) => {
                let equivocation = match (first, &signed.message) {
                    (Message::Prevote(a), Message::Prevote(b)) => {
                        GrandpaEquivocation::Prevote(finality_grandpa::Equivocation {
                            round_number: round,
                            identity: signed.id,
                            first: (a.clone(), *first_sig),
                            second: (b.clone(), signed.signature),
                        })
                    }
                    (Message::Precommit(a), Message::Precommit(b)) => {
                        GrandpaEquivocation::Precommit(finality_grandpa::Equivocation {
                            round_number: round,
                            identity: signed.id,
                            first: (a.clone(), *first_sig),
                            second: (b.clone(), signed.signature),
                        })
                    }
                    _ => return,
                };
                self.report_equivocation(set_id, equivocation);
            }
        }
    }

    /// Reports an equivocation in set `set_id` once per (set, round, phase, voter).
    pub(crate) fn report_equivocation(&mut self, set_id: SetId, equivocation: GrandpaEquivocation) {
        let (round, phase, id) = match &equivocation {
            GrandpaEquivocation::Prevote(e) => (e.round_number, PREVOTE, e.identity),
            GrandpaEquivocation::Precommit(e) => (e.round_number, PRECOMMIT, e.identity),
        };
        if self.reported.insert((set_id, round, phase, id)) {
            tracing::warn!(target: "grandpa", set_id, round, ?id, "voter equivocated");
            let proof = EquivocationProof {
                set_id,
                equivocation,
            };
            self.metrics.equivocations += 1;
            if self.evidence.len() >= EVIDENCE_KEPT {
                self.evidence.pop_front();
            }
            self.evidence.push_back(proof.clone());
            self.emit(GrandpaOutput::Equivocation(proof));
        }
    }

    fn on_commit(
        &mut self,
        from: Option<Peer>,
        commit: FullCommitMessage,
        bytes: &[u8],
    ) -> Result<(), GrandpaError> {
        if commit.set_id != self.set_id() {
            if commit.set_id > self.set_id() {
                self.maybe_request_handoff(&from);
            } else {
                self.on_previous_set_commit(&from, &commit, bytes);
            }
            return Ok(());
        }
        let d = digest(bytes);
        if self.seen.contains(&d) {
            return Ok(());
        }
        let compact = commit.message;
        if compact.target_number <= self.tree.finalized().1 {
            self.seen.insert(d);
            return Ok(());
        }
        let voters = self.voters.len().get();
        if compact.precommits.len() != compact.auth_data.len()
            || compact.precommits.is_empty()
            || compact.precommits.len() > 2 * voters
        {
            self.report(&from, Misbehaviour::InvalidCommit);
            return Ok(());
        }
        for (precommit, (signature, id)) in compact.precommits.iter().zip(&compact.auth_data) {
            if !self.voters.contains(id) {
                self.report(&from, Misbehaviour::NotAVoter);
                return Ok(());
            }
            let signed = SignedMessage {
                message: Message::Precommit(precommit.clone()),
                signature: *signature,
                id: *id,
            };
            if !verify_signed_message(&signed, commit.round, commit.set_id) {
                self.report(&from, Misbehaviour::BadSignature);
                return Ok(());
            }
        }
        self.seen.insert(d);
        for (precommit, (signature, id)) in compact.precommits.iter().zip(&compact.auth_data) {
            let signed = SignedMessage {
                message: Message::Precommit(precommit.clone()),
                signature: *signature,
                id: *id,
            };
            self.check_equivocation(commit.set_id, commit.round, &signed);
        }
        if self.config.relay {
            self.emit(GrandpaOutput::Broadcast(bytes.to_vec()));
        }
        self.route_commit(from, commit.round, compact);
        Ok(())
    }

    /// A commit of the set that just ended: its precommits are only checked for equivocations.
    fn on_previous_set_commit(
        &mut self,
        from: &Option<Peer>,
        commit: &FullCommitMessage,
        bytes: &[u8],
    ) {
        let Some((set_id, voters, _)) = &self.previous else {
            return;
        };
        let compact = &commit.message;
        if commit.set_id != *set_id
            || compact.precommits.len() != compact.auth_data.len()
            || compact.precommits.len() > 2 * voters.len().get()
        {
            return;
        }
        let d = digest(bytes);
        if self.seen.contains(&d) {
            return;
        }
        let mut signed = Vec::with_capacity(compact.precommits.len());
        for (precommit, (signature, id)) in compact.precommits.iter().zip(&compact.auth_data) {
            let vote = SignedMessage {
                message: Message::Precommit(precommit.clone()),
                signature: *signature,
                id: *id,
            };
            if !voters.contains(id) || !verify_signed_message(&vote, commit.round, commit.set_id) {
                self.report(from, Misbehaviour::BadSignature);
                return;
            }
            signed.push(vote);
        }
        self.seen.insert(d);
        for vote in &signed {
            self.check_equivocation(commit.set_id, commit.round, vote);
        }
    }

    fn commit_refs(compact: &CompactCommit) -> Vec<(H256, BlockNumber)> {
        std::iter::once((compact.target_hash, compact.target_number))
            .chain(
                compact
                    .precommits
                    .iter()
                    .map(|p| (p.target_hash, p.target_number)),
            )
            .collect()
    }

    fn route_commit(&mut self, from: Option<Peer>, round: RoundNumber, compact: CompactCommit) {
        match self.missing_blocks(Self::commit_refs(&compact)) {
            // Validly signed yet contradicting our chain: the voters lied, the relaying peer
            // need not have. Drop it without penalty.
            Err(()) => {
                tracing::debug!(target: "grandpa", round, "commit with inconsistent block numbers")
            }
            Ok(needs) if needs.is_empty() => self.deliver_commit(from, round, compact),
            Ok(needs) => self.park(from, needs, PendingItem::Commit(round, compact)),
        }
    }

    fn deliver_commit(&mut self, from: Option<Peer>, round: RoundNumber, compact: CompactCommit) {
        let Some(global_in) = &self.global_in else {
            return;
        };
        let callback = match from {
            Some(peer) => {
                let output = self.output.clone();
                Callback::Work(Box::new(move |outcome| {
                    if let CommitProcessingOutcome::Bad(_) = outcome {
                        let _ = output.unbounded_send(GrandpaOutput::Report {
                            peer: peer.clone(),
                            misbehaviour: Misbehaviour::InvalidCommit,
                        });
                    }
                }))
            }
            None => Callback::Blank,
        };
        let _ = global_in.unbounded_send(CommunicationIn::Commit(round, compact, callback));
    }

    fn on_neighbor(&mut self, from: Option<Peer>, packet: NeighborPacket) {
        let view = (packet.set_id, packet.round);
        let unchanged = match &from {
            Some(peer) => {
                if self.peer_views.len() > 4096 {
                    self.peer_views.clear();
                }
                self.peer_views.insert(peer.clone(), view) == Some(view)
            }
            None => false,
        };
        if packet.set_id > self.set_id() {
            self.maybe_request_handoff(&from);
        } else if packet.set_id == self.set_id() && packet.round > self.best_round + 1 {
            self.maybe_request_catch_up(&from);
        } else if packet.set_id == self.set_id() && unchanged {
            // Stuck in the same round for a whole neighbor interval.
            self.help_straggler(from, packet.round);
        }
    }

    /// A peer still in the round we completed last cannot catch up (a catch-up must be for a
    /// later round than its own) and may miss votes nobody will send again (their voters
    /// crashed, or moved on): send it that round's votes.
    fn help_straggler(&mut self, from: Option<Peer>, round: RoundNumber) {
        let Some(peer) = from else { return };
        let Some(completed) = &self.persisted.completed else {
            return;
        };
        if completed.round != round {
            return;
        }
        let set_id = self.set_id();
        let messages: Vec<Vec<u8>> = completed
            .votes
            .iter()
            .filter(|v| !matches!(v.message, Message::PrimaryPropose(_)))
            .map(|v| {
                GossipMessage::Vote(VoteMessage {
                    round,
                    set_id,
                    message: v.clone(),
                })
                .encode()
            })
            .collect();
        if !messages.is_empty() && self.may_answer(&peer, 2) {
            self.metrics.straggler_votes_sent += messages.len() as u64;
            for bytes in messages {
                self.emit(GrandpaOutput::SendTo(peer.clone(), bytes));
            }
        }
    }

    fn maybe_request_catch_up(&mut self, from: &Option<Peer>) {
        let Some(peer) = from else { return };
        let now = (self.now)();
        let cooldown = self.config.gossip_duration_ms.saturating_mul(4);
        if self
            .last_catch_up_request
            .is_some_and(|at| now.saturating_sub(at) < cooldown)
        {
            return;
        }
        self.last_catch_up_request = Some(now);
        let request = GossipMessage::CatchUpRequest(CatchUpRequestMessage {
            round: self.best_round,
            set_id: self.set_id(),
        });
        self.emit(GrandpaOutput::SendTo(peer.clone(), request.encode()));
    }

    fn maybe_request_handoff(&mut self, from: &Option<Peer>) {
        let Some(peer) = from else { return };
        let now = (self.now)();
        let cooldown = self.config.gossip_duration_ms.saturating_mul(4);
        if self
            .last_handoff_request
            .is_some_and(|at| now.saturating_sub(at) < cooldown)
        {
            return;
        }
        self.last_handoff_request = Some(now);
        let request = GossipMessage::HandoffRequest(HandoffRequest {
            set_id: self.set_id(),
        });
        self.emit(GrandpaOutput::SendTo(peer.clone(), request.encode()));
    }

    /// Rate limit for answering one peer's requests of one kind.
    fn may_answer(&mut self, peer: &Peer, kind: u8) -> bool {
        let now = (self.now)();
        let cooldown = self.config.gossip_duration_ms.saturating_mul(2);
        let key = (peer.clone(), kind);
        if self
            .answered
            .get(&key)
            .is_some_and(|at| now.saturating_sub(*at) < cooldown)
        {
            return false;
        }
        if self.answered.len() > 4096 {
            self.answered.clear();
        }
        self.answered.insert(key, now);
        true
    }

    fn on_catch_up_request(&mut self, from: Option<Peer>, request: CatchUpRequestMessage) {
        let Some(peer) = from else { return };
        if request.set_id != self.set_id() {
            return;
        }
        let Some(completed) = &self.persisted.completed else {
            return;
        };
        if completed.round <= request.round {
            return;
        }
        let mut prevotes = Vec::new();
        let mut precommits = Vec::new();
        for vote in &completed.votes {
            match &vote.message {
                Message::Prevote(p) => prevotes.push(finality_grandpa::SignedPrevote {
                    prevote: p.clone(),
                    signature: vote.signature,
                    id: vote.id,
                }),
                Message::Precommit(p) => precommits.push(finality_grandpa::SignedPrecommit {
                    precommit: p.clone(),
                    signature: vote.signature,
                    id: vote.id,
                }),
                Message::PrimaryPropose(_) => {}
            }
        }
        let message = GossipMessage::CatchUp(FullCatchUpMessage {
            set_id: self.set_id(),
            message: CatchUp {
                round_number: completed.round,
                prevotes,
                precommits,
                base_hash: completed.base.0,
                base_number: completed.base.1,
            },
        });
        if self.may_answer(&peer, 0) {
            self.metrics.catch_ups_served += 1;
            self.emit(GrandpaOutput::SendTo(peer, message.encode()));
        }
    }

    fn on_catch_up(
        &mut self,
        from: Option<Peer>,
        catch_up: FullCatchUpMessage,
        bytes: &[u8],
    ) -> Result<(), GrandpaError> {
        if catch_up.set_id != self.set_id() || catch_up.message.round_number <= self.best_round {
            return Ok(());
        }
        let d = digest(bytes);
        if self.seen.contains(&d) {
            return Ok(());
        }
        let message = catch_up.message;
        let round = message.round_number;
        let limit = 2 * self.voters.len().get();
        if message.prevotes.len() > limit || message.precommits.len() > limit {
            self.report(&from, Misbehaviour::InvalidCatchUp);
            return Ok(());
        }
        let mut votes = Vec::with_capacity(message.prevotes.len() + message.precommits.len());
        for p in &message.prevotes {
            votes.push(SignedMessage {
                message: Message::Prevote(p.prevote.clone()),
                signature: p.signature,
                id: p.id,
            });
        }
        for p in &message.precommits {
            votes.push(SignedMessage {
                message: Message::Precommit(p.precommit.clone()),
                signature: p.signature,
                id: p.id,
            });
        }
        for vote in &votes {
            if !self.voters.contains(&vote.id) {
                self.report(&from, Misbehaviour::NotAVoter);
                return Ok(());
            }
            if !verify_signed_message(vote, round, catch_up.set_id) {
                self.report(&from, Misbehaviour::BadSignature);
                return Ok(());
            }
        }
        self.seen.insert(d);
        for vote in &votes {
            self.check_equivocation(catch_up.set_id, round, vote);
        }
        let refs = std::iter::once((message.base_hash, message.base_number))
            .chain(votes.iter().map(|v| {
                let (h, n) = v.target();
                (*h, n)
            }))
            .collect::<Vec<_>>();
        match self.missing_blocks(refs) {
            Err(()) => self.report(&from, Misbehaviour::InconsistentBlock),
            Ok(needs) if needs.is_empty() => self.deliver_catch_up(message),
            Ok(needs) => self.park(from, needs, PendingItem::CatchUp(message)),
        }
        Ok(())
    }

    fn deliver_catch_up(&mut self, catch_up: CatchUp) {
        if catch_up.round_number <= self.best_round {
            return;
        }
        if let Some(global_in) = &self.global_in {
            self.metrics.catch_ups_imported += 1;
            let _ = global_in.unbounded_send(CommunicationIn::CatchUp(catch_up, Callback::Blank));
        }
    }

    fn on_handoff_request(&mut self, from: Option<Peer>, request: HandoffRequest) {
        let Some(peer) = from else { return };
        let Some((hash, _)) = self.persisted.set.ended_at(request.set_id) else {
            return;
        };
        let Some(justification) = self.tree.justification(&hash) else {
            return;
        };
        if self.may_answer(&peer, 1) {
            let message = GossipMessage::Handoff(HandoffMessage {
                set_id: request.set_id,
                justification,
            });
            self.metrics.handoffs_served += 1;
            self.emit(GrandpaOutput::SendTo(peer, message.encode()));
        }
    }

    // ----- Blocks and justifications -----

    /// A block was imported: replay the messages that waited for it.
    pub(crate) fn on_block_imported(&mut self, hash: H256) -> Result<(), GrandpaError> {
        self.requested.remove(&hash);
        let mut ready = Vec::new();
        let mut keep = VecDeque::with_capacity(self.pending.len());
        for mut p in std::mem::take(&mut self.pending) {
            if p.set_id != self.set_id() {
                continue;
            }
            p.needs.remove(&hash);
            if p.needs.is_empty() {
                ready.push(p);
            } else {
                keep.push_back(p);
            }
        }
        self.pending = keep;
        self.metrics.replayed += ready.len() as u64;
        for p in ready {
            match p.item {
                PendingItem::Vote(round, signed) => self.route_vote(p.from, round, signed),
                PendingItem::Commit(round, compact) => self.route_commit(p.from, round, compact),
                PendingItem::CatchUp(catch_up) => {
                    let refs = std::iter::once((catch_up.base_hash, catch_up.base_number))
                        .chain(
                            catch_up
                                .prevotes
                                .iter()
                                .map(|v| (v.prevote.target_hash, v.prevote.target_number)),
                        )
                        .chain(
                            catch_up
                                .precommits
                                .iter()
                                .map(|v| (v.precommit.target_hash, v.precommit.target_number)),
                        )
                        .collect::<Vec<_>>();
                    match self.missing_blocks(refs) {
                        Err(()) => self.report(&p.from, Misbehaviour::InconsistentBlock),
                        Ok(needs) if needs.is_empty() => self.deliver_catch_up(catch_up),
                        Ok(needs) => self.park(p.from, needs, PendingItem::CatchUp(catch_up)),
                    }
                }
                PendingItem::Justification(j, bytes) => {
                    self.finalize_justified(p.from, j, bytes)?;
                }
            }
        }
        Ok(())
    }

    /// Imports a justification from the network or from block sync: once its block is known,
    /// verifies it against the current set and finalises its target.
    pub(crate) fn import_justification(
        &mut self,
        from: Option<Peer>,
        bytes: &[u8],
        expected: Option<(H256, BlockNumber)>,
    ) -> Result<(), GrandpaError> {
        let justification = match GrandpaJustification::decode_strict(bytes) {
            Ok(j) => j,
            Err(_) => {
                self.report(&from, Misbehaviour::InvalidJustification);
                return Ok(());
            }
        };
        if expected.is_some_and(|e| e != justification.target()) {
            self.report(&from, Misbehaviour::InvalidJustification);
            return Ok(());
        }
        self.finalize_justified(from, justification, bytes.to_vec())
    }

    fn finalize_justified(
        &mut self,
        from: Option<Peer>,
        justification: GrandpaJustification,
        bytes: Vec<u8>,
    ) -> Result<(), GrandpaError> {
        let (hash, number) = justification.target();
        if number <= self.tree.finalized().1 {
            return Ok(());
        }
        match self.block_status(&hash, number) {
            BlockStatus::Known => {}
            BlockStatus::WrongNumber => {
                self.report(&from, Misbehaviour::InconsistentBlock);
                return Ok(());
            }
            BlockStatus::Unknown => {
                let needs = BTreeMap::from([(hash, number)]);
                self.park(
                    from,
                    needs,
                    PendingItem::Justification(justification, bytes),
                );
                return Ok(());
            }
        }
        // Above a pending handoff the block belongs to a later set, which we cannot check yet:
        // not evidence of a bad peer. The handoff justification comes first (sync order, or a
        // handoff request to a peer in the later set).
        let set = self.persisted.set.clone();
        if self
            .changes
            .pending_change(&*self.tree, &set, &hash)
            .is_some_and(|c| c.effective_number < number)
        {
            return Ok(());
        }
        if let Err(e) = verify_decoded(&justification, set.set_id, &set.authorities) {
            tracing::debug!(target: "grandpa", %e, "rejected justification");
            self.report(&from, Misbehaviour::InvalidJustification);
            return Ok(());
        }
        match self.finalize(hash, number, bytes) {
            Err(GrandpaError::Chain(ChainError::ConflictingFinality {
                finalized,
                requested,
            })) => {
                tracing::error!(
                    target: "grandpa",
                    ?finalized, ?requested,
                    "valid justification conflicts with finality: more than a third of \
                     the set is faulty"
                );
                Ok(())
            }
            other => other,
        }
    }

    /// Finalises a justified block, enacting the pending authority change if this block is its
    /// handoff. Refuses (logs, returns `Ok`) to finalise past a pending handoff.
    pub(crate) fn finalize(
        &mut self,
        hash: H256,
        number: BlockNumber,
        justification: Vec<u8>,
    ) -> Result<(), GrandpaError> {
        if number <= self.tree.finalized().1 {
            return Ok(());
        }
        let set = self.persisted.set.clone();
        let change = self.changes.pending_change(&*self.tree, &set, &hash);
        if let Some(c) = &change {
            if c.effective_number < number {
                tracing::error!(
                    target: "grandpa",
                    number, handoff = c.effective_number,
                    "refusing to finalise past a pending authority set handoff"
                );
                return Ok(());
            }
        }
        self.tree.finalize(&hash, number, justification)?;
        self.metrics.finalized += 1;
        tracing::debug!(target: "grandpa", number, ?hash, set_id = set.set_id, "finalized");
        self.emit(GrandpaOutput::Finalized { hash, number });
        if let Some(c) = change.filter(|c| c.effective_number == number) {
            self.enact(&c, (hash, number))?;
        }
        self.prune_pending();
        Ok(())
    }

    fn prune_pending(&mut self) {
        let finalized = self.tree.finalized().1;
        self.pending
            .retain(|p| p.needs.values().all(|n| *n > finalized));
    }

    /// Moves to the next authority set at block `at`, durably, and asks for a voter restart.
    fn enact(
        &mut self,
        change: &PendingChange,
        at: (H256, BlockNumber),
    ) -> Result<(), GrandpaError> {
        self.metrics.set_changes += 1;
        let next = self.persisted.set.next(change, at);
        let voters = next.voters().ok_or(GrandpaError::InvalidAuthoritySet)?;
        let state = PersistedState {
            set: next,
            completed: None,
            votes: BTreeMap::new(),
        };
        self.store.store(&state)?;
        tracing::info!(target: "grandpa", set_id = state.set.set_id, number = at.1, "authority set changed");
        let ended = self.persisted.set.set_id;
        self.previous = Some((
            ended,
            std::mem::replace(&mut self.voters, voters),
            self.best_round,
        ));
        self.persisted = state;
        self.best_round = 0;
        self.rounds.clear();
        self.registry.retain(|(s, _, _, _), _| *s == ended);
        self.reported.retain(|(s, _, _, _)| *s >= ended);
        self.pending.clear();
        self.last_catch_up_request = None;
        self.last_handoff_request = None;
        self.restart = true;
        self.emit(GrandpaOutput::AuthoritySetChanged {
            set_id: self.persisted.set.set_id,
            authorities: self.persisted.set.authorities.clone(),
            at,
        });
        Ok(())
    }

    /// Applies changes whose handoff block is already final (a crash between finalising it and
    /// storing the new set). Called once at start.
    pub(crate) fn recover(&mut self) -> Result<(), GrandpaError> {
        loop {
            let (fin_hash, fin_number) = self.tree.finalized();
            let set = self.persisted.set.clone();
            let Some(change) = self.changes.pending_change(&*self.tree, &set, &fin_hash) else {
                return Ok(());
            };
            if change.effective_number > fin_number {
                return Ok(());
            }
            let Some(at) = ancestor_at(&*self.tree, &fin_hash, change.effective_number) else {
                return Ok(());
            };
            self.enact(&change, (at, change.effective_number))?;
        }
    }

    // ----- Voter callbacks (via the environment) -----

    /// Caps a vote target at the handoff height of a change pending on its chain.
    fn cap_target(&mut self, target: (H256, BlockNumber)) -> (H256, BlockNumber) {
        let set = self.persisted.set.clone();
        let finalized = self.tree.finalized().1;
        match self.changes.pending_change(&*self.tree, &set, &target.0) {
            Some(c) if c.effective_number < target.1 && c.effective_number >= finalized => {
                match ancestor_at(&*self.tree, &target.0, c.effective_number) {
                    Some(h) => (h, c.effective_number),
                    None => target,
                }
            }
            _ => target,
        }
    }

    /// The block to prevote for, given the voter's base (see the module docs): the best chain
    /// containing `base`, falling back to `base` itself, capped at a pending handoff.
    pub(crate) fn best_chain_containing(&mut self, base: H256) -> Option<(H256, BlockNumber)> {
        let base_number = self.tree.header(&base)?.number;
        let target = match self.tree.best_chain_containing(&base) {
            Some(best) if is_descendant_or_equal(&*self.tree, &base, &best.0) => best,
            _ => (base, base_number),
        };
        let capped = self.cap_target(target);
        if capped.1 < base_number {
            return Some((base, base_number));
        }
        Some(capped)
    }

    /// Registers the voter's input stream for `round`, replaying votes already received.
    pub(crate) fn open_round(
        &mut self,
        set_id: SetId,
        round: RoundNumber,
        sender: UnboundedSender<SignedMessage>,
    ) -> Option<AuthorityId> {
        if self.stale(set_id) {
            return None;
        }
        self.best_round = self.best_round.max(round);
        let route = self.rounds.entry(round).or_default();
        for vote in &route.votes {
            let _ = sender.unbounded_send(vote.clone());
        }
        route.senders.push(sender);
        self.local_id()
    }

    /// Whether we may still cast new votes in `round`: only in rounds after the last completed
    /// one. A round left behind by a catch-up keeps running in the background and would vote
    /// late; its vote records may be pruned already (and, across a restart, a vote cast before
    /// the crash could be contradicted), so it stays silent. Not voting is always safe.
    fn may_vote_in(&self, set_id: SetId, round: RoundNumber) -> bool {
        !self.stale(set_id)
            && self
                .persisted
                .completed
                .as_ref()
                .is_none_or(|c| round > c.round)
    }

    /// Records a primary proposal durably before it is sent.
    pub(crate) fn note_proposed(
        &mut self,
        set_id: SetId,
        round: RoundNumber,
        propose: PrimaryPropose,
    ) -> Result<(), GrandpaError> {
        if !self.may_vote_in(set_id, round) {
            return Ok(());
        }
        let entry = self.persisted.votes.entry(round).or_default();
        if entry.propose.is_some() {
            return Ok(());
        }
        entry.propose = Some(propose);
        self.persist_or_undo(round, |v| v.propose = None)
    }

    /// Records a prevote durably (capped at a pending handoff) before it is sent.
    pub(crate) fn note_prevoted(
        &mut self,
        set_id: SetId,
        round: RoundNumber,
        prevote: Prevote,
    ) -> Result<(), GrandpaError> {
        if !self.may_vote_in(set_id, round) {
            return Ok(());
        }
        if self
            .persisted
            .votes
            .get(&round)
            .is_some_and(|v| v.prevote.is_some())
        {
            return Ok(());
        }
        let (h, n) = self.cap_target((prevote.target_hash, prevote.target_number));
        self.persisted.votes.entry(round).or_default().prevote = Some(Prevote::new(h, n));
        self.persist_or_undo(round, |v| v.prevote = None)
    }

    /// Records a precommit durably (capped at a pending handoff) before it is sent.
    pub(crate) fn note_precommitted(
        &mut self,
        set_id: SetId,
        round: RoundNumber,
        precommit: Precommit,
    ) -> Result<(), GrandpaError> {
        if !self.may_vote_in(set_id, round) {
            return Ok(());
        }
        if self
            .persisted
            .votes
            .get(&round)
            .is_some_and(|v| v.precommit.is_some())
        {
            return Ok(());
        }
        let (h, n) = self.cap_target((precommit.target_hash, precommit.target_number));
        self.persisted.votes.entry(round).or_default().precommit = Some(Precommit::new(h, n));
        self.persist_or_undo(round, |v| v.precommit = None)
    }

    fn persist_or_undo(
        &mut self,
        round: RoundNumber,
        undo: impl FnOnce(&mut super::RoundVotes),
    ) -> Result<(), GrandpaError> {
        match self.persist() {
            Ok(()) => Ok(()),
            Err(e) => {
                if let Some(v) = self.persisted.votes.get_mut(&round) {
                    undo(v);
                }
                Err(e)
            }
        }
    }

    /// Signs and sends one of our votes. Only the vote in the durable record for this round and
    /// phase is ever signed: a restarted voter that computes a different vote re-sends the
    /// recorded one instead.
    pub(crate) fn send_own_vote(&mut self, set_id: SetId, round: RoundNumber, message: Message) {
        if !self.may_vote_in(set_id, round) {
            return;
        }
        let Some(pair) = self.local_pair() else {
            return;
        };
        if !self.voters.contains(&pair.public()) {
            return;
        }
        let recorded = self.persisted.votes.get(&round);
        let stored = match &message {
            Message::PrimaryPropose(_) => {
                recorded.and_then(|v| v.propose.clone().map(Message::PrimaryPropose))
            }
            Message::Prevote(_) => recorded.and_then(|v| v.prevote.clone().map(Message::Prevote)),
            Message::Precommit(_) => {
                recorded.and_then(|v| v.precommit.clone().map(Message::Precommit))
            }
        };
        let Some(stored) = stored else {
            tracing::error!(target: "grandpa", round, "refusing to sign a vote that was not recorded");
            return;
        };
        if stored != message {
            self.metrics.substituted_votes += 1;
            tracing::debug!(target: "grandpa", round, "re-sending the recorded vote instead of a new one");
        }
        self.metrics.votes_cast += 1;
        let signed = sign_message(&pair, stored, round, set_id);
        let bytes = GossipMessage::Vote(VoteMessage {
            round,
            set_id,
            message: signed.clone(),
        })
        .encode();
        self.seen.insert(digest(&bytes));
        self.emit(GrandpaOutput::Broadcast(bytes));
        self.check_equivocation(set_id, round, &signed);
        self.route_vote(None, round, signed);
    }

    /// Broadcasts a commit the voter produced.
    pub(crate) fn send_commit(&mut self, set_id: SetId, round: RoundNumber, commit: Commit) {
        if self.stale(set_id) {
            return;
        }
        let message = GossipMessage::Commit(FullCommitMessage {
            round,
            set_id,
            message: commit.into(),
        });
        let bytes = message.encode();
        self.seen.insert(digest(&bytes));
        self.emit(GrandpaOutput::Broadcast(bytes));
    }

    /// Records a completed round durably (it restarts the voter and answers catch-ups) and
    /// prunes what older rounds no longer need.
    pub(crate) fn note_completed(
        &mut self,
        set_id: SetId,
        round: RoundNumber,
        base: (H256, BlockNumber),
        votes: &[SignedMessage],
    ) -> Result<(), GrandpaError> {
        if self.stale(set_id) {
            return Ok(());
        }
        if self
            .persisted
            .completed
            .as_ref()
            .is_some_and(|c| c.round >= round)
        {
            return Ok(());
        }
        self.persisted.completed = Some(super::CompletedRound {
            round,
            base,
            votes: votes.to_vec(),
        });
        self.persisted.votes.retain(|r, _| *r >= round);
        self.persist()?;
        let keep_from = round.saturating_sub(2);
        self.rounds
            .retain(|r, route| *r >= keep_from || route.senders.iter().any(|s| !s.is_closed()));
        let history_from = round.saturating_sub(ROUND_HISTORY);
        self.registry
            .retain(|(s, r, _, _), _| *s != set_id || *r >= history_from);
        self.reported
            .retain(|(s, r, _, _)| *s != set_id || *r >= history_from);
        Ok(())
    }

    /// Finalises a block the voter decided (building the justification from its commit).
    pub(crate) fn finalize_from_voter(
        &mut self,
        set_id: SetId,
        hash: H256,
        number: BlockNumber,
        round: RoundNumber,
        commit: Commit,
    ) -> Result<(), GrandpaError> {
        if self.stale(set_id) || number <= self.tree.finalized().1 {
            return Ok(());
        }
        // The commit's blocks were all known when its votes were imported; if one has gone
        // since (pruned), finality waits for a later round rather than storing no proof.
        let justification = match GrandpaJustification::from_commit(&*self.tree, round, commit) {
            Ok(j) => j,
            Err(e) => {
                tracing::error!(target: "grandpa", number, %e, "cannot build the justification");
                return Ok(());
            }
        };
        self.finalize(hash, number, justification.encode())
    }

    // ----- Periodic gossip -----

    /// Our view, sent to every peer.
    pub(crate) fn send_neighbor(&mut self) {
        let packet = GossipMessage::Neighbor(VersionedNeighborPacket::V1(NeighborPacket {
            round: self.best_round,
            set_id: self.set_id(),
            commit_finalized_height: self.tree.finalized().1,
        }));
        self.emit(GrandpaOutput::Broadcast(packet.encode()));
    }

    /// Asks again for the blocks that parked messages wait for, when the last request is older
    /// than the request timeout (it may have been lost, or sent to a peer without the block).
    pub(crate) fn retry_block_requests(&mut self) {
        let mut needs: BTreeMap<H256, (BlockNumber, Option<Peer>)> = BTreeMap::new();
        for p in &self.pending {
            for (hash, number) in &p.needs {
                needs.entry(*hash).or_insert((*number, p.from.clone()));
            }
        }
        for (hash, (number, from)) in needs {
            self.request_blocks(&from, &BTreeMap::from([(hash, number)]));
        }
    }

    /// Re-sends our votes of the current and previous round from the durable record (the
    /// transport may have lost them, and after a restart nothing else would re-send the votes
    /// of the round before the current one, which peers still in that round need). Re-sending
    /// a recorded vote is never an equivocation.
    pub(crate) fn rebroadcast(&mut self) {
        let Some(pair) = self.local_pair() else {
            return;
        };
        if !self.voters.contains(&pair.public()) {
            return;
        }
        let set_id = self.set_id();
        let from = self.best_round.saturating_sub(1);
        let mut messages = Vec::new();
        for (round, votes) in self.persisted.votes.range(from..) {
            let recorded = [
                votes.propose.clone().map(Message::PrimaryPropose),
                votes.prevote.clone().map(Message::Prevote),
                votes.precommit.clone().map(Message::Precommit),
            ];
            for message in recorded.into_iter().flatten() {
                let signed = sign_message(&pair, message, *round, set_id);
                messages.push(
                    GossipMessage::Vote(VoteMessage {
                        round: *round,
                        set_id,
                        message: signed,
                    })
                    .encode(),
                );
            }
        }
        for bytes in messages {
            self.emit(GrandpaOutput::Broadcast(bytes));
        }
    }
}
