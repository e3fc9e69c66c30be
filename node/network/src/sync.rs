//! Block sync: bring the local chain up to the best chain our peers have.
//!
//! [`ChainSync`] is the decision-making, a pure state machine (no I/O, no clock of its own) so
//! that it can be driven step by step in tests and simulations; [`SyncService`] drives it over
//! a [`NetworkHandle`] and an [`ImportQueue`].
//!
//! The algorithm:
//! 1. Track every peer's best block (from its handshake and announcements).
//! 2. When some peer's best is higher than ours, pick the highest such peer as the target and
//!    download from our best + 1 in ascending ranges of up to [`MAX_BLOCKS_PER_REQUEST`],
//!    with up to [`MAX_BATCHES_AHEAD`] ranges requested, buffered or importing at once.
//! 3. Hand ranges to the importer strictly in order, each only if its first block's parent is
//!    the last block handed over before it (or our best block when the target was chosen).
//! 4. If a range does not link, the peer is on another fork: binary-search the highest block
//!    number at which the peer's chain and ours agree, between our last finalised block
//!    (which both must share) and the lower of the two heads, one header request per step;
//!    then download the peer's fork from there. Blocks already known import as `Ok`.
//! 5. A peer that fails a request, returns nothing, or whose chain conflicts with our
//!    finalised block is put on a short cooldown (until it announces a new best block). A peer
//!    whose block fails import as invalid is reported with [`costs::BAD_BLOCK`], which bans
//!    it.
//!
//! Guarantees: every block handed to the importer is the child of the one before it; the
//! importer is called by one task at a time, in order; a response to an abandoned request is
//! ignored; a misbehaving peer can waste at most one request of ours before it is dropped as
//! target.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use basalt_support::generic::SignedBlock;
use basalt_support::H256;
use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use libp2p::PeerId;
use parking_lot::{Mutex, RwLock};
use tokio::sync::Notify;
use tracing::{debug, info};

use crate::chain::{ChainAccess, ImportError, ImportQueue};
use crate::protocol::{
    BlockFields, BlockId, BlockRequest, BlockResponse, Direction, MAX_BLOCKS_PER_REQUEST,
};
use crate::reputation::{benefits, costs, ReputationChange};
use crate::service::{NetworkHandle, RequestError};

const LOG_TARGET: &str = "sync";

/// How many ranges may be requested, buffered or importing at once: bounds memory to about
/// this many times [`MAX_BLOCKS_PER_REQUEST`] blocks.
pub const MAX_BATCHES_AHEAD: usize = 4;
/// How long a peer that failed us is passed over (unless it announces a new best block).
pub const COOLDOWN: Duration = Duration::from_secs(5);
/// At most this many specific blocks are wanted at once (see [`ChainSync::want_block`]).
pub const MAX_WANTED: usize = 64;
/// A wanted block is given up after this many failed fetches.
const MAX_FETCH_TRIES: u8 = 3;
/// A node more than this many blocks behind its best peer is "major syncing": it should not
/// author, and need not announce the blocks it imports.
pub const MAJOR_SYNC_DISTANCE: u32 = 5;

/// Identifies one request of [`ChainSync`], so a late answer to an abandoned one is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    generation: u64,
    start: u32,
    /// For a fetch of a specific block: its hash.
    fetch: Option<H256>,
}

/// What [`ChainSync`] asks its driver to do.
#[derive(Debug)]
pub enum SyncAction {
    /// Send `request` to `peer`; feed the answer to [`ChainSync::on_response`] with `token`.
    Request {
        /// Whom to ask.
        peer: PeerId,
        /// What to ask.
        request: BlockRequest,
        /// Hand back with the answer.
        token: Token,
    },
    /// Import `blocks` (in order, after every earlier `Import`); feed the results to
    /// [`ChainSync::on_import_result`] with `peer`.
    Import {
        /// Who sent the blocks.
        peer: PeerId,
        /// The blocks, parent first.
        blocks: Vec<SignedBlock>,
    },
    /// Change `peer`'s reputation.
    Report {
        /// The peer.
        peer: PeerId,
        /// The change.
        change: ReputationChange,
    },
}

/// Sync progress, for `system_syncState` and to tell the author whether to wait.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncState {
    /// Our best block when sync started.
    pub starting_block: u32,
    /// Our best block now.
    pub current_block: u32,
    /// The highest best block a peer claims whose last answer to a download delivered
    /// blocks (at least `current_block`): an unbacked claim counts for nothing.
    pub highest_block: u32,
    /// Whether we are more than [`MAJOR_SYNC_DISTANCE`] blocks behind such a peer.
    pub is_major_syncing: bool,
}

struct SyncPeer {
    best_number: u32,
    best_hash: H256,
    cooldown_until: Option<Instant>,
    /// Whether its last answer to a download delivered blocks: only then does its claimed
    /// best count in [`ChainSync::state`] (a peer claiming `u32::MAX` and serving nothing
    /// must not make us believe we are behind).
    backed: bool,
    /// Download answers in a row that delivered nothing of the chain it claims.
    empty_answers: u32,
}

/// Empty answers in a row after which a peer's claimed best is treated as a lie and the peer
/// banned ([`costs::FALSE_BEST`]).
pub const MAX_EMPTY_ANSWERS: u32 = 3;

/// Downloading ascending ranges from the target peer.
struct Download {
    /// The last block linked: handed to the importer, or the block we started from.
    queued: (u32, H256),
    /// The first number not yet requested.
    next_from: u32,
    /// Ranges requested: start and count.
    in_flight: BTreeMap<u32, u32>,
    /// Ranges received but not yet linked.
    received: BTreeMap<u32, Vec<SignedBlock>>,
}

/// Binary search for the highest common block with the target peer.
struct Ancestor {
    /// Highest number at which the chains are known (or assumed) to agree.
    lo: u32,
    /// Whether `lo` was checked against the peer (the finalised lower bound is only assumed).
    lo_confirmed: bool,
    /// Lowest number at which they are known (or assumed) to differ.
    hi: u32,
    /// The number whose header was requested, if a request is out.
    asked: Option<u32>,
}

/// A specific block someone (the finality gadget) needs, with its missing ancestors.
struct Wanted {
    number: u32,
    /// The peer that referenced it, tried first.
    from: Option<PeerId>,
    /// The peer asked, while a request is out.
    asked: Option<PeerId>,
    /// Another wanted block (an ancestor) that must arrive first.
    waiting_for: Option<H256>,
    tries: u8,
}

enum Mode {
    Download(Download),
    Ancestor(Ancestor),
}

struct Target {
    peer: PeerId,
    mode: Mode,
}

/// The sync state machine; see the module docs.
pub struct ChainSync {
    peers: HashMap<PeerId, SyncPeer>,
    target: Option<Target>,
    /// Bumped whenever outstanding requests are abandoned.
    generation: u64,
    /// Import batches handed out and not yet reported back.
    importing: usize,
    starting_block: u32,
    /// Specific blocks to fetch, by hash.
    wanted: HashMap<H256, Wanted>,
}

impl ChainSync {
    /// A sync with no peers; `local_best` is recorded as the starting block.
    pub fn new(local_best: u32) -> Self {
        ChainSync {
            peers: HashMap::new(),
            target: None,
            generation: 0,
            importing: 0,
            starting_block: local_best,
            wanted: HashMap::new(),
        }
    }

    /// Records `peer`'s best block (a new or changed best ends its cooldown).
    pub fn peer_updated(&mut self, peer: PeerId, best_number: u32, best_hash: H256) {
        let entry = self.peers.entry(peer).or_insert(SyncPeer {
            best_number,
            best_hash,
            cooldown_until: None,
            backed: false,
            empty_answers: 0,
        });
        if entry.best_hash != best_hash {
            entry.cooldown_until = None;
        }
        entry.best_number = best_number;
        entry.best_hash = best_hash;
    }

    /// Forgets `peer`, abandoning its requests if it was the target.
    pub fn peer_disconnected(&mut self, peer: &PeerId) {
        self.peers.remove(peer);
        if self.target.as_ref().is_some_and(|t| t.peer == *peer) {
            self.drop_target();
        }
    }

    /// The peers sync knows about.
    pub fn known_peers(&self) -> impl Iterator<Item = &PeerId> {
        self.peers.keys()
    }

    /// Progress, given our current best number.
    pub fn state(&self, local_best: u32) -> SyncState {
        let highest = self
            .peers
            .values()
            .filter(|p| p.backed)
            .map(|p| p.best_number)
            .max()
            .unwrap_or(0)
            .max(local_best);
        SyncState {
            starting_block: self.starting_block,
            current_block: local_best,
            highest_block: highest,
            is_major_syncing: highest > local_best.saturating_add(MAJOR_SYNC_DISTANCE),
        }
    }

    /// Whether a download or ancestor search is under way.
    pub fn is_active(&self) -> bool {
        self.target.is_some() || self.importing > 0
    }

    fn drop_target(&mut self) {
        self.target = None;
        self.generation += 1;
    }

    fn cool_down(&mut self, peer: &PeerId, now: Instant) {
        if let Some(p) = self.peers.get_mut(peer) {
            p.cooldown_until = Some(now + COOLDOWN);
        }
    }

    /// Asks for the block `hash` (claimed number `number`) and whatever ancestors of it we
    /// lack, preferably from `from`: for the finality gadget, when a vote or commit names a
    /// block we do not have. Ignored when [`MAX_WANTED`] blocks are already wanted.
    pub fn want_block(&mut self, hash: H256, number: u32, from: Option<PeerId>) {
        if self.wanted.len() >= MAX_WANTED && !self.wanted.contains_key(&hash) {
            return;
        }
        self.wanted.entry(hash).or_insert(Wanted {
            number,
            from,
            asked: None,
            waiting_for: None,
            tries: 0,
        });
    }

    /// Requests for wanted blocks: each asked of its referrer or a peer claiming to be at
    /// least that high, walking back from the block in descending ranges.
    fn fetch_actions(&mut self, chain: &dyn ChainAccess, now: Instant) -> Vec<SyncAction> {
        let (finalized, _) = chain.finalized();
        self.wanted.retain(|hash, w| {
            w.asked.is_some() || (w.number > finalized && chain.block_by_hash(hash).is_none())
        });
        let idle: Vec<H256> = self
            .wanted
            .iter()
            .filter(|(_, w)| w.asked.is_none())
            .filter(|(_, w)| {
                w.waiting_for
                    .is_none_or(|ancestor| !self.wanted.contains_key(&ancestor))
            })
            .map(|(hash, _)| *hash)
            .collect();
        let mut actions = Vec::new();
        for hash in idle {
            let Some(w) = self.wanted.get(&hash) else {
                continue;
            };
            let usable = |id: &PeerId| {
                self.peers
                    .get(id)
                    .is_some_and(|p| p.cooldown_until.is_none_or(|until| until <= now))
            };
            let peer = w.from.filter(|f| usable(f)).or_else(|| {
                self.peers
                    .iter()
                    .filter(|(id, p)| p.best_number >= w.number && usable(id))
                    .max_by_key(|(id, p)| (p.best_number, id.to_bytes()))
                    .map(|(id, _)| *id)
            });
            let Some(peer) = peer else {
                continue;
            };
            let max = w
                .number
                .saturating_sub(finalized)
                .clamp(1, MAX_BLOCKS_PER_REQUEST);
            actions.push(SyncAction::Request {
                peer,
                request: BlockRequest {
                    from: BlockId::Hash(hash),
                    direction: Direction::Descending,
                    max,
                    fields: BlockFields::ALL,
                },
                token: Token {
                    generation: self.generation,
                    start: w.number,
                    fetch: Some(hash),
                },
            });
            if let Some(w) = self.wanted.get_mut(&hash) {
                w.asked = Some(peer);
            }
        }
        actions
    }

    /// Handles the answer to a fetch of the wanted block `hash`.
    fn on_fetch_response(
        &mut self,
        peer: PeerId,
        hash: H256,
        result: Result<BlockResponse, RequestError>,
        chain: &dyn ChainAccess,
        now: Instant,
    ) -> Vec<SyncAction> {
        let Some(w) = self.wanted.get_mut(&hash) else {
            return Vec::new();
        };
        if w.asked != Some(peer) {
            return Vec::new();
        }
        w.asked = None;
        let blocks: Option<Vec<SignedBlock>> = result.ok().and_then(|r| {
            r.blocks
                .into_iter()
                .map(|b| b.into_signed_block())
                .collect()
        });
        let blocks = match blocks {
            Some(blocks) if !blocks.is_empty() => blocks,
            _ => {
                // Failed, or the peer does not have it: try someone else, a few times.
                w.tries += 1;
                if w.from == Some(peer) {
                    w.from = None;
                }
                if w.tries >= MAX_FETCH_TRIES {
                    debug!(target: LOG_TARGET, "Giving up on block {hash:?}");
                    self.wanted.remove(&hash);
                }
                self.cool_down(&peer, now);
                return Vec::new();
            }
        };
        // Descending from `hash`: import from the first block whose parent we have.
        let linked = blocks
            .iter()
            .position(|b| chain.block_by_hash(&b.block.header.parent_hash).is_some());
        match linked {
            Some(i) => {
                self.wanted.remove(&hash);
                let mut batch: Vec<SignedBlock> = blocks.into_iter().take(i + 1).collect();
                batch.reverse();
                self.importing += 1;
                vec![SyncAction::Import {
                    peer,
                    blocks: batch,
                }]
            }
            None => {
                // The gap is deeper than one answer: fetch the deepest one's parent first.
                let Some(deepest) = blocks.last().map(|b| b.block.header.clone()) else {
                    return Vec::new();
                };
                let (finalized, _) = chain.finalized();
                if deepest.number <= finalized.saturating_add(1) {
                    info!(target: LOG_TARGET, "{peer} served block {hash:?} off our finalised chain");
                    self.wanted.remove(&hash);
                    self.cool_down(&peer, now);
                    return Vec::new();
                }
                w.waiting_for = Some(deepest.parent_hash);
                self.want_block(
                    deepest.parent_hash,
                    deepest.number.saturating_sub(1),
                    Some(peer),
                );
                Vec::new()
            }
        }
    }

    /// The requests to send now (call after every event and periodically).
    pub fn actions(&mut self, chain: &dyn ChainAccess, now: Instant) -> Vec<SyncAction> {
        let mut actions = self.fetch_actions(chain, now);
        // Twice at most: once to finish a completed target, once to start the next.
        for _ in 0..2 {
            if self.target.is_none() {
                if self.importing > 0 {
                    return actions;
                }
                let (best_number, best_hash) = chain.best();
                let candidate = self
                    .peers
                    .iter()
                    .filter(|(_, p)| p.best_number > best_number)
                    .filter(|(_, p)| p.cooldown_until.is_none_or(|until| until <= now))
                    .max_by_key(|(id, p)| (p.best_number, id.to_bytes()))
                    .map(|(id, _)| *id);
                let Some(peer) = candidate else {
                    return actions;
                };
                debug!(target: LOG_TARGET, "Syncing from {peer} starting after #{best_number}");
                self.generation += 1;
                self.target = Some(Target {
                    peer,
                    mode: Mode::Download(Download {
                        queued: (best_number, best_hash),
                        next_from: best_number.saturating_add(1),
                        in_flight: BTreeMap::new(),
                        received: BTreeMap::new(),
                    }),
                });
            }
            let generation = self.generation;
            let importing = self.importing;
            let Some(target) = self.target.as_mut() else {
                return actions;
            };
            let peer = target.peer;
            let peer_best = self.peers.get(&peer).map_or(0, |p| p.best_number);
            match &mut target.mode {
                Mode::Download(d) => {
                    while d.in_flight.len() + d.received.len() + importing < MAX_BATCHES_AHEAD
                        && d.next_from <= peer_best
                    {
                        let count = (peer_best - d.next_from + 1).min(MAX_BLOCKS_PER_REQUEST);
                        actions.push(SyncAction::Request {
                            peer,
                            request: BlockRequest::ascending_from(d.next_from, count),
                            token: Token {
                                generation,
                                start: d.next_from,
                                fetch: None,
                            },
                        });
                        d.in_flight.insert(d.next_from, count);
                        d.next_from += count;
                    }
                    if d.in_flight.is_empty() && d.received.is_empty() && d.next_from > peer_best {
                        // Caught up with this peer; look for another one ahead of us.
                        self.target = None;
                        continue;
                    }
                    return actions;
                }
                Mode::Ancestor(a) => {
                    if a.asked.is_some() {
                        return actions;
                    }
                    if a.hi <= a.lo + 1 && a.lo_confirmed {
                        // Found: download the peer's chain from the common block.
                        let Some(common) = chain.block_by_number(a.lo) else {
                            self.drop_target();
                            return actions;
                        };
                        let lo = a.lo;
                        debug!(target: LOG_TARGET, "Common ancestor with {peer} is #{lo}");
                        self.generation += 1;
                        target.mode = Mode::Download(Download {
                            queued: (lo, common.block.header.hash()),
                            next_from: lo + 1,
                            in_flight: BTreeMap::new(),
                            received: BTreeMap::new(),
                        });
                        continue;
                    }
                    // Check the assumed lower bound first, then bisect.
                    let mid = if a.hi <= a.lo + 1 {
                        a.lo
                    } else {
                        a.lo + (a.hi - a.lo) / 2
                    };
                    a.asked = Some(mid);
                    actions.push(SyncAction::Request {
                        peer,
                        request: BlockRequest {
                            from: BlockId::Number(mid),
                            direction: Direction::Ascending,
                            max: 1,
                            fields: BlockFields::HEADER,
                        },
                        token: Token {
                            generation,
                            start: mid,
                            fetch: None,
                        },
                    });
                    return actions;
                }
            }
        }
        actions
    }

    /// Feeds the answer to a [`SyncAction::Request`]; returns imports and reports to carry
    /// out (then call [`ChainSync::actions`] for further requests).
    pub fn on_response(
        &mut self,
        peer: PeerId,
        token: Token,
        result: Result<BlockResponse, RequestError>,
        chain: &dyn ChainAccess,
        now: Instant,
    ) -> Vec<SyncAction> {
        if let Some(hash) = token.fetch {
            return self.on_fetch_response(peer, hash, result, chain, now);
        }
        let current = self.target.as_ref().is_some_and(|t| t.peer == peer)
            && token.generation == self.generation;
        if !current {
            return Vec::new();
        }
        let response = match result {
            Ok(response) => response,
            Err(e) => {
                debug!(target: LOG_TARGET, "Request to {peer} failed: {e}");
                self.cool_down(&peer, now);
                self.drop_target();
                return Vec::new();
            }
        };
        let Some(target) = self.target.as_mut() else {
            return Vec::new();
        };
        match &mut target.mode {
            Mode::Download(d) => {
                let Some(count) = d.in_flight.remove(&token.start) else {
                    return Vec::new();
                };
                let blocks: Option<Vec<SignedBlock>> = response
                    .blocks
                    .into_iter()
                    .map(|b| b.into_signed_block())
                    .collect();
                let blocks = match blocks {
                    Some(blocks) if !blocks.is_empty() => blocks,
                    _ => {
                        // It claimed a best block it does not serve (or re-organised).
                        debug!(target: LOG_TARGET, "{peer} returned no blocks from #{}", token.start);
                        let lies = self.peers.get_mut(&peer).map_or(0, |p| {
                            p.backed = false;
                            p.empty_answers = p.empty_answers.saturating_add(1);
                            p.empty_answers
                        });
                        self.cool_down(&peer, now);
                        self.drop_target();
                        let change = if lies >= MAX_EMPTY_ANSWERS {
                            costs::FALSE_BEST
                        } else {
                            costs::UNRESPONSIVE
                        };
                        return vec![SyncAction::Report { peer, change }];
                    }
                };
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.backed = true;
                    p.empty_answers = 0;
                }
                let got = blocks.len() as u32;
                if got < count {
                    // Short answer: refetch everything after it.
                    let resume = token.start + got;
                    d.in_flight.retain(|start, _| *start < resume);
                    d.received.retain(|start, _| *start < resume);
                    d.next_from = resume;
                }
                d.received.insert(token.start, blocks);
                let mut actions = Vec::new();
                while let Some(batch) = d.received.remove(&(d.queued.0 + 1)) {
                    let (first, last) = match (batch.first(), batch.last()) {
                        (Some(f), Some(l)) => (f.block.header.clone(), l.block.header.clone()),
                        _ => continue,
                    };
                    if first.parent_hash != d.queued.1 {
                        // The peer's chain is not ours below this range: find where they meet.
                        let (best, _) = chain.best();
                        let (finalized, _) = chain.finalized();
                        let peer_best = self.peers.get(&peer).map_or(0, |p| p.best_number);
                        debug!(target: LOG_TARGET, "{peer} is on another fork; searching for the common ancestor");
                        self.generation += 1;
                        target.mode = Mode::Ancestor(Ancestor {
                            lo: finalized,
                            lo_confirmed: finalized == 0,
                            hi: best.min(peer_best).saturating_add(1).max(finalized + 1),
                            asked: None,
                        });
                        return actions;
                    }
                    d.queued = (last.number, last.hash());
                    self.importing += 1;
                    actions.push(SyncAction::Import {
                        peer,
                        blocks: batch,
                    });
                }
                actions
            }
            Mode::Ancestor(a) => {
                let Some(asked) = a.asked.take() else {
                    return Vec::new();
                };
                if asked != token.start {
                    return Vec::new();
                }
                let theirs = response.blocks.first().map(|b| b.hash);
                let ours = chain.block_by_number(asked).map(|b| b.block.header.hash());
                let agree = theirs.is_some() && theirs == ours;
                if agree {
                    a.lo = asked;
                    a.lo_confirmed = true;
                } else if asked == a.lo {
                    // The peer does not have our finalised block: it is on a conflicting chain.
                    info!(target: LOG_TARGET, "{peer} does not share our finalised block #{asked}");
                    self.cool_down(&peer, now);
                    self.drop_target();
                } else {
                    a.hi = asked;
                }
                Vec::new()
            }
        }
    }

    /// Records that the driver discarded a [`SyncAction::Import`] without running it
    /// (because an earlier batch from the same peer failed).
    pub fn on_import_dropped(&mut self) {
        self.importing = self.importing.saturating_sub(1);
    }

    /// Feeds the results of a [`SyncAction::Import`] of blocks from `peer`.
    pub fn on_import_result(
        &mut self,
        peer: PeerId,
        results: &[Result<(), ImportError>],
        now: Instant,
    ) -> Vec<SyncAction> {
        self.importing = self.importing.saturating_sub(1);
        let is_target = self.target.as_ref().is_some_and(|t| t.peer == peer);
        match results.iter().find_map(|r| r.as_ref().err()) {
            None => {
                if results.is_empty() {
                    return Vec::new();
                }
                vec![SyncAction::Report {
                    peer,
                    change: benefits::GOOD_BLOCKS,
                }]
            }
            Some(error) => {
                info!(target: LOG_TARGET, "Importing blocks from {peer} failed: {error}");
                if is_target {
                    self.drop_target();
                }
                self.cool_down(&peer, now);
                match error {
                    ImportError::Invalid(_) => vec![SyncAction::Report {
                        peer,
                        change: costs::BAD_BLOCK,
                    }],
                    ImportError::UnknownParent | ImportError::Other(_) => Vec::new(),
                }
            }
        }
    }
}

/// Starts the sync task; see [`SyncService::start`].
pub struct SyncService;

struct SyncShared {
    state: RwLock<SyncState>,
    stop: Notify,
}

/// The node's handle on sync.
#[derive(Clone)]
pub struct SyncHandle {
    shared: Arc<SyncShared>,
    wants: tokio::sync::mpsc::UnboundedSender<(H256, u32, Option<PeerId>)>,
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl SyncHandle {
    /// Current progress (for `system_syncState`; the author should skip slots while
    /// `is_major_syncing`).
    pub fn state(&self) -> SyncState {
        *self.shared.state.read()
    }

    /// Fetches block `hash` (claimed number `number`) and its missing ancestors, preferably
    /// from `from`, and imports them: for the finality gadget's `RequestBlock`. Best effort:
    /// given up after a few failed tries, or when the block is imported by other means.
    pub fn request_block(&self, hash: H256, number: u32, from: Option<PeerId>) {
        let _ = self.wants.send((hash, number, from));
    }

    /// Stops the sync task and waits for it (an import under way finishes first).
    pub async fn shutdown(&self) {
        self.shared.stop.notify_one();
        let task = self.task.lock().take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

type RequestFuture = BoxFuture<'static, (PeerId, Token, Result<BlockResponse, RequestError>)>;
type ImportFuture = BoxFuture<'static, (PeerId, Vec<Result<(), ImportError>>)>;

impl SyncService {
    /// Spawns the sync task on the current tokio runtime: it follows the peers of `network`,
    /// requests blocks through it and hands them to `import` in order (on a blocking thread,
    /// one batch at a time).
    pub fn start(
        network: NetworkHandle,
        chain: Arc<dyn ChainAccess>,
        import: Arc<dyn ImportQueue>,
    ) -> SyncHandle {
        let (best, _) = chain.best();
        let shared = Arc::new(SyncShared {
            state: RwLock::new(SyncState {
                starting_block: best,
                current_block: best,
                highest_block: best,
                is_major_syncing: false,
            }),
            stop: Notify::new(),
        });
        let (wants, wants_rx) = tokio::sync::mpsc::unbounded_channel();
        let task = tokio::spawn(run(network, chain, import, shared.clone(), wants_rx));
        SyncHandle {
            shared,
            wants,
            task: Arc::new(Mutex::new(Some(task))),
        }
    }
}

async fn run(
    network: NetworkHandle,
    chain: Arc<dyn ChainAccess>,
    import: Arc<dyn ImportQueue>,
    shared: Arc<SyncShared>,
    mut wants: tokio::sync::mpsc::UnboundedReceiver<(H256, u32, Option<PeerId>)>,
) {
    let mut sync = ChainSync::new(chain.best().0);
    let mut requests: FuturesUnordered<RequestFuture> = FuturesUnordered::new();
    let mut imports: FuturesUnordered<ImportFuture> = FuturesUnordered::new();
    let mut queued: VecDeque<(PeerId, Vec<SignedBlock>)> = VecDeque::new();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut pending_actions: Vec<SyncAction> = Vec::new();
    loop {
        // Follow the network's view of the peers.
        let peers = network.peers();
        let gone: Vec<PeerId> = sync
            .known_peers()
            .filter(|known| !peers.iter().any(|p| p.peer_id == **known))
            .copied()
            .collect();
        for peer in gone {
            sync.peer_disconnected(&peer);
        }
        for p in &peers {
            sync.peer_updated(p.peer_id, p.best_number, p.best_hash);
        }
        let now = Instant::now();
        pending_actions.extend(sync.actions(&*chain, now));
        for action in pending_actions.drain(..) {
            match action {
                SyncAction::Request {
                    peer,
                    request,
                    token,
                } => {
                    let reply = network.request_blocks(peer, request);
                    requests.push(
                        async move {
                            let result = reply.await.unwrap_or(Err(RequestError::Stopped));
                            (peer, token, result)
                        }
                        .boxed(),
                    );
                }
                SyncAction::Import { peer, blocks } => queued.push_back((peer, blocks)),
                SyncAction::Report { peer, change } => network.report_peer(peer, change),
            }
        }
        if imports.is_empty() {
            if let Some((peer, blocks)) = queued.pop_front() {
                let import = import.clone();
                let expected = blocks.len();
                imports.push(
                    async move {
                        let results =
                            tokio::task::spawn_blocking(move || import.import(peer, blocks))
                                .await
                                .unwrap_or_else(|e| vec![Err(ImportError::Other(e.to_string()))]);
                        let mut results = results;
                        // An importer that returned too few results did not import the rest.
                        if results.len() < expected && results.iter().all(|r| r.is_ok()) {
                            results.push(Err(ImportError::Other("no result".into())));
                        }
                        (peer, results)
                    }
                    .boxed(),
                );
            }
        }
        let (best, _) = chain.best();
        let state = sync.state(best);
        let previous = std::mem::replace(&mut *shared.state.write(), state);
        if state.is_major_syncing && !previous.is_major_syncing {
            info!(target: LOG_TARGET, "⚙️  Syncing: #{} of #{}", state.current_block, state.highest_block);
        }

        tokio::select! {
            _ = shared.stop.notified() => break,
            Some((peer, token, result)) = requests.next(), if !requests.is_empty() => {
                pending_actions.extend(sync.on_response(peer, token, result, &*chain, Instant::now()));
            }
            Some((peer, results)) = imports.next(), if !imports.is_empty() => {
                let failed = results.iter().any(|r| r.is_err());
                pending_actions.extend(sync.on_import_result(peer, &results, Instant::now()));
                if failed {
                    // Later batches from the same peer build on the failed one: drop them.
                    queued.retain(|(from, _)| {
                        let keep = *from != peer;
                        if !keep {
                            sync.on_import_dropped();
                        }
                        keep
                    });
                }
            }
            Some((hash, number, from)) = wants.recv() => sync.want_block(hash, number, from),
            _ = network.peers_changed().notified() => {}
            _ = tick.tick() => {}
        }
    }
    // Let an import under way finish so the node's database is never left mid-batch by us.
    while let Some((peer, results)) = imports.next().await {
        let _ = sync.on_import_result(peer, &results, Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::serve_block_request;
    use crate::protocol::check_response;
    use crate::testing::{make_block, make_invalid_block, MemoryChain};

    /// Drives `sync` against peers served from in-memory chains until nothing is left to do;
    /// returns the reports made.
    fn drive(
        sync: &mut ChainSync,
        local: &MemoryChain,
        remotes: &HashMap<PeerId, &MemoryChain>,
    ) -> Vec<(PeerId, ReputationChange)> {
        let mut reports = Vec::new();
        let now = Instant::now();
        for (peer, remote) in remotes {
            let (n, h) = remote.best();
            sync.peer_updated(*peer, n, h);
        }
        let mut queue: VecDeque<SyncAction> = VecDeque::new();
        for _ in 0..10_000 {
            if queue.is_empty() {
                queue.extend(sync.actions(local, now));
                if queue.is_empty() {
                    return reports;
                }
            }
            let Some(action) = queue.pop_front() else {
                break;
            };
            match action {
                SyncAction::Request {
                    peer,
                    request,
                    token,
                } => {
                    let response = serve_block_request(remotes[&peer], &request);
                    assert_eq!(check_response(&request, &response), Ok(()));
                    queue.extend(sync.on_response(peer, token, Ok(response), local, now));
                }
                SyncAction::Import { peer, blocks } => {
                    assert!(blocks.len() <= MAX_BLOCKS_PER_REQUEST as usize);
                    let results = local.import(peer, blocks);
                    queue.extend(sync.on_import_result(peer, &results, now));
                }
                SyncAction::Report { peer, change } => reports.push((peer, change)),
            }
        }
        panic!("sync did not settle");
    }

    #[test]
    fn syncs_from_genesis_in_batches() {
        let remote = MemoryChain::new(1);
        remote.extend(300, 0);
        let local = MemoryChain::new(1);
        let peer = PeerId::random();
        let mut sync = ChainSync::new(0);
        drive(&mut sync, &local, &HashMap::from([(peer, &remote)]));
        assert_eq!(local.best(), remote.best());
        assert_eq!(local.import_batches(), vec![128, 128, 44]);
        assert!(!sync.state(300).is_major_syncing);
    }

    #[test]
    fn catches_up_after_restart() {
        let remote = MemoryChain::new(1);
        remote.extend(300, 0);
        let local = MemoryChain::new(1);
        for n in 1..=100 {
            assert!(local.insert_unchecked(remote.block_by_number(n).expect("block")));
        }
        let mut sync = ChainSync::new(100);
        drive(
            &mut sync,
            &local,
            &HashMap::from([(PeerId::random(), &remote)]),
        );
        assert_eq!(local.best(), remote.best());
        assert_eq!(local.import_batches(), vec![128, 72]);
    }

    #[test]
    fn finds_common_ancestor_and_switches_fork() {
        let remote = MemoryChain::new(1);
        remote.extend(300, 0);
        let local = MemoryChain::new(1);
        for n in 1..=50 {
            assert!(local.insert_unchecked(remote.block_by_number(n).expect("block")));
        }
        local.extend(70, 99); // a local fork, 50..120
        assert_ne!(local.hash_at(51), remote.hash_at(51));
        local.set_finalized(20);
        let mut sync = ChainSync::new(120);
        drive(
            &mut sync,
            &local,
            &HashMap::from([(PeerId::random(), &remote)]),
        );
        assert_eq!(local.best(), remote.best());
        // The fork was downloaded from the common block, not from genesis.
        assert_eq!(local.import_batches()[0], 128);
        assert_eq!(local.import_batches().iter().sum::<usize>(), 250);
    }

    #[test]
    fn peer_conflicting_with_finality_is_passed_over() {
        let remote = MemoryChain::new(1);
        remote.extend(50, 0);
        let local = MemoryChain::new(1);
        local.extend(30, 7);
        local.set_finalized(10);
        let mut sync = ChainSync::new(30);
        drive(
            &mut sync,
            &local,
            &HashMap::from([(PeerId::random(), &remote)]),
        );
        assert_eq!(local.best().0, 30);
        assert!(local.import_batches().is_empty());
    }

    #[test]
    fn invalid_block_is_reported_and_honest_peer_used() {
        let bad_chain = MemoryChain::new(1);
        bad_chain.extend(10, 0);
        bad_chain.insert_unchecked(make_invalid_block(&bad_chain.best_header()));
        let mut parent = bad_chain.best_header();
        for _ in 0..100 {
            let b = make_block(&parent, 0);
            parent = b.block.header.clone();
            bad_chain.insert_unchecked(b);
        }
        let good_chain = MemoryChain::new(1);
        good_chain.extend(60, 0);
        let local = MemoryChain::new(1);
        let (bad, good) = (PeerId::random(), PeerId::random());
        let mut sync = ChainSync::new(0);
        let reports = drive(
            &mut sync,
            &local,
            &HashMap::from([(bad, &bad_chain), (good, &good_chain)]),
        );
        assert!(reports.contains(&(bad, costs::BAD_BLOCK)));
        // The bad peer (highest) was tried first; its 10 valid blocks were imported and the
        // good peer's chain (which shares them) took over after the bad one cooled down.
        assert_eq!(local.best(), good_chain.best());
    }

    #[test]
    fn attack_a_peer_claiming_a_best_it_does_not_serve_never_makes_us_syncing_and_is_banned() {
        // A peer claims best = u32::MAX and answers every download with nothing. It must not
        // put us in major sync (the author would skip every slot), and repeating the lie bans it.
        let local = MemoryChain::new(1);
        local.extend(20, 0);
        let liar = PeerId::random();
        let mut sync = ChainSync::new(20);
        let now = Instant::now();
        let mut reports = Vec::new();
        for round in 0..MAX_EMPTY_ANSWERS {
            // A fresh (changed) claim each time, which also ends its cooldown.
            sync.peer_updated(liar, u32::MAX, H256::repeat_byte(round as u8 + 1));
            assert!(
                !sync.state(20).is_major_syncing,
                "an unbacked claim counts for nothing"
            );
            let actions = sync.actions(&local, now);
            let Some(SyncAction::Request { peer, token, .. }) = actions.into_iter().next() else {
                panic!("sync asks the peer for the blocks it claims");
            };
            let empty = BlockResponse { blocks: Vec::new() };
            reports.extend(sync.on_response(peer, token, Ok(empty), &local, now));
            assert!(!sync.state(20).is_major_syncing);
            assert_eq!(sync.state(20).highest_block, 20);
        }
        let changes: Vec<_> = reports
            .iter()
            .filter_map(|a| match a {
                SyncAction::Report { change, .. } => Some(*change),
                _ => None,
            })
            .collect();
        assert_eq!(
            changes,
            vec![costs::UNRESPONSIVE, costs::UNRESPONSIVE, costs::FALSE_BEST]
        );
        assert!(costs::FALSE_BEST.value <= crate::BAN_THRESHOLD);
        // An honest peer that is really ahead does count, once it has delivered blocks.
        let remote = MemoryChain::new(1);
        remote.extend(300, 0);
        let honest = PeerId::random();
        let mut sync = ChainSync::new(0);
        let (n, h) = remote.best();
        sync.peer_updated(honest, n, h);
        assert!(!sync.state(0).is_major_syncing);
        let Some(SyncAction::Request {
            peer,
            request,
            token,
        }) = sync.actions(&local, now).into_iter().next()
        else {
            panic!("a request");
        };
        let response = serve_block_request(&remote, &request);
        let _ = sync.on_response(peer, token, Ok(response), &MemoryChain::new(1), now);
        assert!(sync.state(0).is_major_syncing);
        assert_eq!(sync.state(0).highest_block, 300);
    }

    #[test]
    fn short_answers_are_refetched() {
        let remote = MemoryChain::new(1);
        remote.extend(200, 0);
        let local = MemoryChain::new(1);
        let peer = PeerId::random();
        let mut sync = ChainSync::new(0);
        sync.peer_updated(peer, 200, remote.best().1);
        let now = Instant::now();
        let mut actions: VecDeque<SyncAction> = sync.actions(&local, now).into();
        let mut steps = 0;
        while let Some(action) = actions.pop_front() {
            steps += 1;
            assert!(steps < 1000);
            match action {
                SyncAction::Request {
                    peer,
                    request,
                    token,
                } => {
                    let mut response = serve_block_request(&remote, &request);
                    // Answer at most 50 blocks per request.
                    response.blocks.truncate(50);
                    actions.extend(sync.on_response(peer, token, Ok(response), &local, now));
                }
                SyncAction::Import { peer, blocks } => {
                    let results = local.import(peer, blocks);
                    actions.extend(sync.on_import_result(peer, &results, now));
                }
                SyncAction::Report { .. } => {}
            }
            if actions.is_empty() {
                actions.extend(sync.actions(&local, now));
            }
        }
        assert_eq!(local.best(), remote.best());
    }

    #[test]
    fn wanted_block_is_fetched_with_missing_ancestors() {
        let remote = MemoryChain::new(1);
        remote.extend(300, 0);
        let local = MemoryChain::new(1);
        for n in 1..=10 {
            assert!(local.insert_unchecked(remote.block_by_number(n).expect("block")));
        }
        let peer = PeerId::random();
        let mut sync = ChainSync::new(10);
        // The peer claims to be at 10, so only the explicit want fetches anything.
        sync.peer_updated(peer, 10, local.best().1);
        let target = remote.hash_at(300).expect("300");
        sync.want_block(target, 300, Some(peer));
        let now = Instant::now();
        let mut queue: VecDeque<SyncAction> = VecDeque::new();
        for _ in 0..1000 {
            if queue.is_empty() {
                queue.extend(sync.actions(&local, now));
            }
            let Some(action) = queue.pop_front() else {
                break;
            };
            match action {
                SyncAction::Request {
                    peer,
                    request,
                    token,
                } => {
                    let response = serve_block_request(&remote, &request);
                    assert_eq!(check_response(&request, &response), Ok(()));
                    queue.extend(sync.on_response(peer, token, Ok(response), &local, now));
                }
                SyncAction::Import { peer, blocks } => {
                    assert!(local.import(peer, blocks).iter().all(|r| r.is_ok()));
                    queue.extend(sync.on_import_result(peer, &[Ok(())], now));
                }
                SyncAction::Report { .. } => {}
            }
        }
        assert_eq!(local.best(), remote.best());
        assert!(sync.wanted.is_empty());
    }

    #[test]
    fn stale_answers_are_ignored() {
        let remote = MemoryChain::new(1);
        remote.extend(10, 0);
        let local = MemoryChain::new(1);
        let peer = PeerId::random();
        let mut sync = ChainSync::new(0);
        sync.peer_updated(peer, 10, remote.best().1);
        let now = Instant::now();
        let actions = sync.actions(&local, now);
        let Some(SyncAction::Request { request, token, .. }) = actions.into_iter().next() else {
            panic!("expected a request");
        };
        sync.peer_disconnected(&peer);
        let response = serve_block_request(&remote, &request);
        assert!(sync
            .on_response(peer, token, Ok(response), &local, now)
            .is_empty());
        assert!(!sync.is_active());
    }
}
