//! The transaction pool: extrinsics waiting for a block.
//!
//! Every extrinsic that reaches the node (over RPC now, by gossip later) is validated by the
//! runtime on the best block's state (`TaggedTransactionQueue_validate_transaction`: signature,
//! nonce, fee, era) before it is kept. The runtime's answer orders it ([`queue`]): ready ones by
//! priority and, per sender, by nonce; nonce gaps wait in a future set until filled. The pool
//! guarantees that:
//!
//! - nothing invalid on the best state enters it, and after every new best block the remaining
//!   extrinsics are revalidated on the new state (in parallel with rayon): those found invalid
//!   are dropped and temporarily banned, so a replay is refused without running the runtime;
//! - the author gets [`Pool::ready`] in block order and does not verify signatures again
//!   ([`PoolTransaction::checked_at`]);
//! - sizes are bounded (count and bytes of both sets, transactions per sender);
//! - watchers ([`Pool::submit_and_watch`]) see Substrate's statuses in order: `future`/`ready`,
//!   then `inBlock` once the block is imported and queryable, then `finalized`, or one of
//!   `retracted`, `usurped`, `dropped`, `invalid`, `finalityTimeout`.
//!
//! The pool reads the chain only through [`ChainApi`], implemented for the node's
//! [`Client`](crate::client::Client) in [`chain`]; tests drive it with a double.

mod chain;
pub mod queue;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use basalt_support::generic::{ExtrinsicAddress, Header, OpaqueExtrinsic};
use basalt_support::validity::{
    InvalidTransaction, TransactionSource, TransactionValidity, TransactionValidityError,
    UnknownTransaction,
};
use basalt_support::{BlockNumber, H256};
use codec::Decode;
use futures::stream::BoxStream;
use futures::StreamExt;
use parking_lot::Mutex;
use rayon::prelude::*;
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::client::Client;
use queue::{Changes, Limit, Limits, Queue, QueueError, Validity};

const LOG: &str = "txpool";

/// Tunables of the pool; the defaults suit a validator of the dev chain and the benchmarks
/// (a few block-fulls of transfers).
#[derive(Clone, Debug)]
pub struct PoolOptions {
    /// Bounds on ready transactions.
    pub ready: Limit,
    /// Bounds on transactions waiting for a nonce gap to fill.
    pub future: Limit,
    /// Most transactions one sender may have in the pool, so that one account cannot fill it.
    pub max_per_sender: usize,
    /// How long a transaction found invalid stays refused without validation.
    pub ban_time: Duration,
    /// Most transactions revalidated after one block: those of senders the block touched
    /// first, then the others in rotation (the rest keep their last validity until a later
    /// block); bounds the work a block causes.
    pub revalidation_limit: usize,
    /// Blocks after its `inBlock` status without finality before a watcher is told
    /// `finalityTimeout` and released.
    pub finality_timeout_blocks: BlockNumber,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            ready: Limit {
                count: 16_384,
                bytes: 32 * 1024 * 1024,
            },
            future: Limit {
                count: 2_048,
                bytes: 4 * 1024 * 1024,
            },
            max_per_sender: 4_096,
            ban_time: Duration::from_secs(30 * 60),
            revalidation_limit: 4_096,
            finality_timeout_blocks: 512,
        }
    }
}

/// A validated extrinsic held by the pool. Immutable: revalidation changes the pool's view of
/// it (priority, tags), never this.
#[derive(Debug)]
pub struct PoolTransaction {
    /// blake2-256 of the full encoding: the hash clients know it by.
    pub hash: H256,
    /// The extrinsic.
    pub data: OpaqueExtrinsic,
    /// Length of the full encoding in bytes.
    pub len: usize,
    /// The block (number, hash) on whose state the runtime verified its signature. The author
    /// skips the check only when building on a descendant of that block: a reorg can retract
    /// a mortal transaction's birth block, and with it the validity of its signature.
    pub checked_at: Option<(BlockNumber, H256)>,
    /// The SCALE-encoded sender address of a signed extrinsic, for the per-sender limit.
    pub sender: Option<Vec<u8>>,
    /// Where it came from.
    pub source: TransactionSource,
}

/// A transaction's status as `author_extrinsicUpdate` reports it (Substrate's
/// `TransactionStatus`, camelCase JSON: `"ready"`, `{"inBlock":"0x.."}`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TxStatus {
    /// Waiting for a nonce gap to fill.
    Future,
    /// Ready for a block.
    Ready,
    /// Gossiped to these peers (sent once the network gossips transactions).
    #[allow(dead_code)]
    Broadcast(Vec<String>),
    /// In this best block (imported and queryable).
    InBlock(H256),
    /// The block that held it left the best chain.
    Retracted(H256),
    /// Its block was not finalized in time; watching stops.
    FinalityTimeout(H256),
    /// Its block is finalized; watching stops.
    Finalized(H256),
    /// Replaced by this transaction (same sender and nonce, higher tip); watching stops.
    Usurped(H256),
    /// Evicted to respect the pool's limits; watching stops.
    Dropped,
    /// Found invalid; watching stops.
    Invalid,
}

impl TxStatus {
    /// Whether no status follows this one.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            TxStatus::FinalityTimeout(_)
                | TxStatus::Finalized(_)
                | TxStatus::Usurped(_)
                | TxStatus::Dropped
                | TxStatus::Invalid
        )
    }
}

/// The stream of one transaction's statuses; ends after a final status.
#[derive(Debug)]
#[allow(dead_code)]
pub struct Watcher {
    /// The watched transaction.
    pub hash: H256,
    rx: mpsc::UnboundedReceiver<TxStatus>,
}

impl Watcher {
    /// The next status, or `None` once the last was sent.
    pub async fn next(&mut self) -> Option<TxStatus> {
        self.rx.recv().await
    }

    /// The statuses as a stream.
    #[allow(dead_code)]
    pub fn into_stream(self) -> BoxStream<'static, TxStatus> {
        futures::stream::unfold(self.rx, |mut rx| async move {
            rx.recv().await.map(|status| (status, rx))
        })
        .boxed()
    }
}

/// Why the pool refused a transaction; the RPC maps each to Substrate's error code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The runtime found it invalid (RPC 1010).
    #[error("Invalid Transaction: {}", TransactionValidityError::Invalid(*.0).message())]
    Invalid(InvalidTransaction),
    /// The runtime could not decide (RPC 1011).
    #[error("Unknown Transaction Validity: {0:?}")]
    Unknown(UnknownTransaction),
    /// It was found invalid recently (RPC 1012).
    #[error("Transaction is temporarily banned")]
    TemporarilyBanned,
    /// It is in the pool already (RPC 1013).
    #[error("Transaction Already Imported: {0:?}")]
    AlreadyImported(H256),
    /// A transaction with the same tag and at least its priority is queued (RPC 1014).
    #[error("Priority is too low: ({old} vs {new})")]
    TooLowPriority {
        /// Priority of the queued one.
        old: u64,
        /// Priority of the refused one.
        new: u64,
    },
    /// It did not fit within the pool's limits (RPC 1016).
    #[error("Immediately Dropped: {0}")]
    ImmediatelyDropped(&'static str),
    /// It provides no tag (RPC 1019).
    #[error("No tags provided")]
    NoTagsProvided,
    /// It could not be validated at all: undecodable, or the runtime failed (RPC 1002).
    #[error("Verification Error: {0}")]
    Verification(String),
}

/// The best and finalized blocks, as the pool needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainHeads {
    /// Best block hash.
    pub best_hash: H256,
    /// Best block number.
    pub best_number: BlockNumber,
    /// Last finalized block hash.
    pub finalized_hash: H256,
    /// Last finalized block number.
    pub finalized_number: BlockNumber,
}

/// What the pool needs from the chain: the seam between pool and client. Every method may be
/// called from any thread, concurrently.
pub trait ChainApi: Send + Sync + 'static {
    /// The current best and finalized blocks.
    fn heads(&self) -> ChainHeads;
    /// The header of a known block.
    fn header(&self, hash: H256) -> Option<Header>;
    /// The extrinsics of a known block.
    fn block_extrinsics(&self, hash: H256) -> Option<Vec<OpaqueExtrinsic>>;
    /// Runs the runtime's `validate_transaction` on the state of block `at`. `Err` means the
    /// validation could not run (undecodable extrinsic, unknown block, runtime failure), with
    /// a reason for the submitter.
    fn validate(
        &self,
        at: H256,
        source: TransactionSource,
        xt: &OpaqueExtrinsic,
    ) -> Result<TransactionValidity, String>;
    /// A stream that yields whenever blocks were imported or finalized (its items say nothing
    /// more: the pool reads [`ChainApi::heads`]); ends when the chain shuts down.
    fn wake_ups(&self) -> BoxStream<'static, ()>;
}

/// The most transaction hashes the ban list keeps. A ban only spares the runtime a second
/// look at a refused transaction, so forgetting the oldest is safe, while an unbounded list
/// would let anyone grow the node's memory with distinct invalid transactions.
const MAX_BANNED: std::num::NonZeroUsize = std::num::NonZeroUsize::MIN.saturating_add(16_383);

/// Mutable state of the pool, behind one lock.
struct Inner {
    queue: Queue,
    /// Hashes refused recently, with when they were banned; at most [`MAX_BANNED`], the
    /// least recently banned forgotten first.
    banned: lru::LruCache<H256, Instant>,
    /// Status channels of watched transactions.
    watchers: HashMap<H256, Vec<mpsc::UnboundedSender<TxStatus>>>,
    /// Best blocks that hold watched transactions, waiting for finality.
    in_block: HashMap<H256, (BlockNumber, Vec<H256>)>,
}

impl Inner {
    fn notify(&mut self, hash: &H256, status: TxStatus) {
        let last = status.is_final();
        if let Some(senders) = self.watchers.get_mut(hash) {
            senders.retain(|tx| tx.send(status.clone()).is_ok());
            if last || senders.is_empty() {
                self.watchers.remove(hash);
            }
        }
    }

    fn is_banned(&self, hash: &H256, ban_time: Duration) -> bool {
        self.banned
            .peek(hash)
            .is_some_and(|at| at.elapsed() < ban_time)
    }

    fn ban(&mut self, hash: H256) {
        self.banned.put(hash, Instant::now());
    }

    /// Forgets bans older than `ban_time`.
    fn expire_bans(&mut self, ban_time: Duration) {
        let expired: Vec<H256> = self
            .banned
            .iter()
            .filter(|(_, at)| at.elapsed() >= ban_time)
            .map(|(hash, _)| *hash)
            .collect();
        for hash in expired {
            self.banned.pop(&hash);
        }
    }

    /// Tells watchers what a queue mutation did.
    fn report(&mut self, changes: Changes) {
        for hash in changes.promoted {
            self.notify(&hash, TxStatus::Ready);
        }
        for hash in changes.demoted {
            self.notify(&hash, TxStatus::Future);
        }
        for (old, new) in changes.replaced {
            self.notify(&old, TxStatus::Usurped(new));
        }
        for hash in changes.evicted {
            self.notify(&hash, TxStatus::Dropped);
        }
    }
}

/// Where the pool last saw the chain.
#[derive(Clone, Copy, Debug)]
struct Seen {
    best: (H256, BlockNumber),
    finalized: (H256, BlockNumber),
}

/// The transaction pool. See the module documentation.
pub struct Pool {
    api: Arc<dyn ChainApi>,
    opts: PoolOptions,
    inner: Mutex<Inner>,
    /// Serialises maintenance passes; holds where the last one left the chain.
    seen: Mutex<Seen>,
    /// Where the next revalidation round continues (by transaction hash).
    revalidation_cursor: Mutex<H256>,
    /// Every transaction newly accepted from RPC or peers, for the network to propagate.
    accepted: broadcast::Sender<OpaqueExtrinsic>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.inner.lock();
        f.debug_struct("Pool")
            .field("ready", &inner.queue.ready_len())
            .field("future", &inner.queue.future_len())
            .finish()
    }
}

/// How many accepted transactions a slow propagation subscriber may fall behind.
const ACCEPTED_CAPACITY: usize = 8192;

/// Longest reorganisation the pool follows block by block; beyond it only the new best block
/// is considered enacted.
const MAX_TREE_ROUTE: usize = 4096;

impl Pool {
    /// A pool validating against `client`'s best state.
    pub fn new(client: Arc<Client>, opts: PoolOptions) -> Arc<Pool> {
        Pool::with_api(Arc::new(chain::ClientApi::new(client)), opts)
    }

    /// A pool over any [`ChainApi`] (tests use a double).
    pub fn with_api(api: Arc<dyn ChainApi>, opts: PoolOptions) -> Arc<Pool> {
        let heads = api.heads();
        let limits = Limits {
            ready: opts.ready,
            future: opts.future,
            per_sender: opts.max_per_sender,
        };
        Arc::new(Pool {
            api,
            opts,
            inner: Mutex::new(Inner {
                queue: Queue::new(limits),
                banned: lru::LruCache::new(MAX_BANNED),
                watchers: HashMap::new(),
                in_block: HashMap::new(),
            }),
            seen: Mutex::new(Seen {
                best: (heads.best_hash, heads.best_number),
                finalized: (heads.finalized_hash, heads.finalized_number),
            }),
            revalidation_cursor: Mutex::new(H256::zero()),
            accepted: broadcast::channel(ACCEPTED_CAPACITY).0,
        })
    }

    /// Subscribe to transactions newly accepted from RPC or peers (not those re-added from
    /// retracted blocks), for propagation to peers. A slow subscriber misses some.
    pub fn accepted_transactions(&self) -> broadcast::Receiver<OpaqueExtrinsic> {
        self.accepted.subscribe()
    }

    /// The options this pool runs with.
    #[allow(dead_code)]
    pub fn options(&self) -> &PoolOptions {
        &self.opts
    }

    /// Ready transactions in the order a block should include them.
    pub fn ready(&self) -> Vec<Arc<PoolTransaction>> {
        self.inner.lock().queue.ready_in_order()
    }

    /// (ready, future) counts, for metrics and logs.
    pub fn status(&self) -> (usize, usize) {
        let inner = self.inner.lock();
        (inner.queue.ready_len(), inner.queue.future_len())
    }

    /// Whether `hash` is in the pool.
    pub fn contains(&self, hash: &H256) -> bool {
        self.inner.lock().queue.contains(hash)
    }

    /// Whether a ready transaction provides `tag` (e.g. `(account, nonce).encode()`): how
    /// `system_accountNextIndex` finds the nonces already used by pooled transactions.
    pub fn ready_provides(&self, tag: &[u8]) -> bool {
        self.inner.lock().queue.ready_provides(tag)
    }

    /// Whether a pooled transaction, ready or future, provides `tag`: how the provider worker
    /// finds a nonce no pooled transaction of its account uses.
    pub fn provides(&self, tag: &[u8]) -> bool {
        self.inner.lock().queue.provider_of(tag).is_some()
    }

    /// Drops `hashes` (the author found them invalid, or an operator removed them): they are
    /// banned for a while and their watchers told `invalid`; transactions that depended on
    /// them go back to the future set. Returns the hashes that were in the pool.
    pub fn report_invalid(&self, hashes: &[H256]) -> Vec<H256> {
        let mut inner = self.inner.lock();
        let mut removed = Vec::new();
        for hash in hashes {
            inner.ban(*hash);
            if let Some((_, changes)) = inner.queue.remove(hash) {
                removed.push(*hash);
                inner.notify(hash, TxStatus::Invalid);
                inner.report(changes);
            }
        }
        if !removed.is_empty() {
            tracing::debug!(target: LOG, count = removed.len(), "removed invalid transactions");
        }
        removed
    }

    /// Validates and imports one extrinsic; blocks while the runtime runs (call it off the
    /// async executor, e.g. through [`Pool::submit_one_async`]).
    pub fn submit_one(
        &self,
        source: TransactionSource,
        xt: OpaqueExtrinsic,
    ) -> Result<H256, PoolError> {
        let at = self.api.heads();
        let (tx, validity) = self.validate_new(at, source, xt)?;
        self.import(tx, validity, false).map(|(hash, _)| hash)
    }

    /// Validates and imports one extrinsic and returns the stream of its statuses, whose first
    /// item is `ready` or `future`. Refused extrinsics give an error, never a stream.
    pub fn submit_and_watch(
        &self,
        source: TransactionSource,
        xt: OpaqueExtrinsic,
    ) -> Result<Watcher, PoolError> {
        let at = self.api.heads();
        let (tx, validity) = self.validate_new(at, source, xt)?;
        let (_, watcher) = self.import(tx, validity, true)?;
        watcher.ok_or_else(|| PoolError::Verification("watcher not created".into()))
    }

    /// Validates a batch (e.g. gossiped transactions) in parallel with rayon, then imports the
    /// valid ones in the batch's order.
    pub fn submit_batch(
        &self,
        source: TransactionSource,
        xts: Vec<OpaqueExtrinsic>,
    ) -> Vec<Result<H256, PoolError>> {
        let at = self.api.heads();
        let validated: Vec<_> = xts
            .into_par_iter()
            .map(|xt| self.validate_new(at, source, xt))
            .collect();
        validated
            .into_iter()
            .map(|v| v.and_then(|(tx, validity)| self.import(tx, validity, false).map(|r| r.0)))
            .collect()
    }

    /// [`Pool::submit_one`] on the rayon pool, so that validation never blocks the async
    /// executor and CPU use stays bounded by rayon's threads.
    pub async fn submit_one_async(
        self: &Arc<Self>,
        source: TransactionSource,
        xt: OpaqueExtrinsic,
    ) -> Result<H256, PoolError> {
        let pool = self.clone();
        on_rayon(move || pool.submit_one(source, xt))
            .await
            .unwrap_or_else(|| Err(PoolError::Verification("validation was cancelled".into())))
    }

    /// [`Pool::submit_and_watch`] on the rayon pool.
    pub async fn submit_and_watch_async(
        self: &Arc<Self>,
        source: TransactionSource,
        xt: OpaqueExtrinsic,
    ) -> Result<Watcher, PoolError> {
        let pool = self.clone();
        on_rayon(move || pool.submit_and_watch(source, xt))
            .await
            .unwrap_or_else(|| Err(PoolError::Verification("validation was cancelled".into())))
    }

    /// Checks that `xt` may be validated (not banned, not pooled), then runs the runtime.
    fn validate_new(
        &self,
        at: ChainHeads,
        source: TransactionSource,
        xt: OpaqueExtrinsic,
    ) -> Result<(Arc<PoolTransaction>, Validity), PoolError> {
        let hash = xt.hash();
        {
            let inner = self.inner.lock();
            if inner.queue.contains(&hash) {
                return Err(PoolError::AlreadyImported(hash));
            }
            if inner.is_banned(&hash, self.opts.ban_time) {
                return Err(PoolError::TemporarilyBanned);
            }
        }
        let len = xt.to_full_bytes().len();
        if len > self.opts.ready.bytes {
            return Err(PoolError::ImmediatelyDropped("larger than the pool"));
        }
        let outcome = self.api.validate(at.best_hash, source, &xt);
        let valid = match outcome {
            Ok(Ok(valid)) => valid,
            Ok(Err(TransactionValidityError::Invalid(e))) => {
                self.inner.lock().ban(hash);
                tracing::debug!(target: LOG, ?hash, reason = ?e, "refused invalid transaction");
                return Err(PoolError::Invalid(e));
            }
            Ok(Err(TransactionValidityError::Unknown(e))) => {
                tracing::debug!(target: LOG, ?hash, reason = ?e, "validity unknown");
                return Err(PoolError::Unknown(e));
            }
            Err(reason) => {
                tracing::debug!(target: LOG, ?hash, %reason, "validation failed");
                return Err(PoolError::Verification(reason));
            }
        };
        let tx = Arc::new(PoolTransaction {
            hash,
            len,
            sender: sender_of(&xt),
            data: xt,
            checked_at: Some((at.best_number, at.best_hash)),
            source,
        });
        let validity = Validity {
            priority: valid.priority,
            requires: valid.requires,
            provides: valid.provides,
            valid_till: u64::from(at.best_number).saturating_add(valid.longevity),
        };
        Ok((tx, validity))
    }

    /// Puts a validated transaction in the queue and, if asked, registers its watcher before
    /// anyone else can see it (so no status is missed).
    fn import(
        &self,
        tx: Arc<PoolTransaction>,
        validity: Validity,
        watch: bool,
    ) -> Result<(H256, Option<Watcher>), PoolError> {
        let hash = tx.hash;
        let propagate = (tx.source != TransactionSource::InBlock).then(|| tx.data.clone());
        let mut inner = self.inner.lock();
        if inner.is_banned(&hash, self.opts.ban_time) {
            return Err(PoolError::TemporarilyBanned);
        }
        let changes = inner.queue.insert(tx, validity).map_err(|e| match e {
            QueueError::AlreadyImported => PoolError::AlreadyImported(hash),
            QueueError::TooLowPriority { old, new } => PoolError::TooLowPriority { old, new },
            QueueError::NoTags => PoolError::NoTagsProvided,
            QueueError::SenderLimit => {
                PoolError::ImmediatelyDropped("the sender has too many transactions in the pool")
            }
        })?;
        if changes.evicted.contains(&hash) {
            let mut changes = changes;
            changes.evicted.retain(|h| *h != hash);
            inner.report(changes);
            let full = inner.queue.future_len() >= self.opts.future.count;
            return Err(PoolError::ImmediatelyDropped(if full {
                "too many transactions wait for an earlier nonce (the future queue is full)"
            } else {
                "the pool is full of transactions with a higher priority"
            }));
        }
        let watcher = if watch {
            let (sender, rx) = mpsc::unbounded_channel();
            let first = match inner.queue.get(&hash) {
                Some(entry) if entry.ready => TxStatus::Ready,
                _ => TxStatus::Future,
            };
            // The first status goes out before any later one can.
            let _ = sender.send(first);
            inner.watchers.entry(hash).or_default().push(sender);
            Some(Watcher { hash, rx })
        } else {
            None
        };
        // Our own promotion is already reported by the first status.
        let mut changes = changes;
        if watch {
            changes.promoted.retain(|h| *h != hash);
        }
        inner.report(changes);
        drop(inner);
        if let Some(data) = propagate {
            // Nobody listening (no network) is fine.
            let _ = self.accepted.send(data);
        }
        tracing::trace!(target: LOG, ?hash, "imported transaction");
        Ok((hash, watcher))
    }

    /// Follows the chain forever: whenever blocks are imported or finalized, prunes what the
    /// new best blocks included, revalidates the rest on the new best state and tells watchers
    /// (`inBlock`, `retracted`, `finalized`, ...). Runs until the chain's notifications end.
    pub async fn maintain(self: Arc<Self>) {
        let mut wake_ups = self.api.wake_ups();
        tracing::debug!(target: LOG, "transaction pool maintenance started");
        loop {
            let pool = self.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || pool.sync_with_chain()).await {
                tracing::error!(target: LOG, error = %e, "pool maintenance pass failed");
            }
            if wake_ups.next().await.is_none() {
                break;
            }
            // Coalesce the notifications that arrived meanwhile into one pass.
            while let Some(Some(())) = futures::FutureExt::now_or_never(wake_ups.next()) {}
        }
        tracing::debug!(target: LOG, "transaction pool maintenance stopped");
    }

    /// One maintenance pass: brings the pool from where it last saw the chain to the chain's
    /// current best and finalized blocks. Blocking (runs the runtime); passes are serialised.
    pub fn sync_with_chain(&self) {
        let mut seen = self.seen.lock();
        let heads = self.api.heads();
        let best = (heads.best_hash, heads.best_number);
        if best.0 != seen.best.0 {
            let (retracted, enacted) = self.tree_route(seen.best, best);
            self.on_new_best(&retracted, &enacted, best);
            seen.best = best;
        }
        let finalized = (heads.finalized_hash, heads.finalized_number);
        if finalized.0 != seen.finalized.0 {
            let newly = self.finalized_route(seen.finalized, finalized);
            self.on_finalized(&newly, best.1);
            seen.finalized = finalized;
        }
    }

    /// Blocks leaving the best chain (newest first) and joining it (oldest first) when the
    /// best block moves from `from` to `to`.
    #[allow(clippy::type_complexity)]
    fn tree_route(
        &self,
        from: (H256, BlockNumber),
        to: (H256, BlockNumber),
    ) -> (Vec<(H256, BlockNumber)>, Vec<(H256, BlockNumber)>) {
        let fallback = (Vec::new(), vec![to]);
        let parent = |block: (H256, BlockNumber)| -> Option<(H256, BlockNumber)> {
            let header = self.api.header(block.0)?;
            Some((header.parent_hash, block.1.checked_sub(1)?))
        };
        let (mut a, mut b) = (from, to);
        let (mut retracted, mut enacted) = (Vec::new(), Vec::new());
        while b.1 > a.1 {
            enacted.push(b);
            let Some(p) = parent(b) else { return fallback };
            b = p;
            if enacted.len() > MAX_TREE_ROUTE {
                return fallback;
            }
        }
        while a.1 > b.1 {
            retracted.push(a);
            let Some(p) = parent(a) else { return fallback };
            a = p;
            if retracted.len() > MAX_TREE_ROUTE {
                return fallback;
            }
        }
        while a.0 != b.0 {
            retracted.push(a);
            enacted.push(b);
            let (Some(pa), Some(pb)) = (parent(a), parent(b)) else {
                return fallback;
            };
            a = pa;
            b = pb;
            if enacted.len() > MAX_TREE_ROUTE {
                return fallback;
            }
        }
        enacted.reverse();
        (retracted, enacted)
    }

    /// Blocks finalized since `from`, oldest first, ending with `to`.
    fn finalized_route(
        &self,
        from: (H256, BlockNumber),
        to: (H256, BlockNumber),
    ) -> Vec<(H256, BlockNumber)> {
        let mut route = Vec::new();
        let mut cursor = to;
        while cursor.1 > from.1 && route.len() <= MAX_TREE_ROUTE {
            route.push(cursor);
            match self.api.header(cursor.0) {
                Some(header) if cursor.1 > 0 => cursor = (header.parent_hash, cursor.1 - 1),
                _ => break,
            }
        }
        route.reverse();
        route
    }

    /// The best chain moved: retract, enact, prune, revalidate.
    fn on_new_best(
        &self,
        retracted: &[(H256, BlockNumber)],
        enacted: &[(H256, BlockNumber)],
        best: (H256, BlockNumber),
    ) {
        let started = Instant::now();
        // Read block bodies before taking the lock.
        let mut touched_senders: HashSet<Vec<u8>> = HashSet::new();
        let enacted_txs: Vec<(H256, BlockNumber, Vec<H256>)> = enacted
            .iter()
            .map(|(hash, number)| {
                let body = self.api.block_extrinsics(*hash).unwrap_or_default();
                touched_senders.extend(body.iter().filter_map(sender_of));
                let txs = body.iter().map(OpaqueExtrinsic::hash).collect();
                (*hash, *number, txs)
            })
            .collect();
        let now_included: HashSet<H256> = enacted_txs
            .iter()
            .flat_map(|(_, _, txs)| txs.iter().copied())
            .collect();
        let mut resubmit: Vec<OpaqueExtrinsic> = Vec::new();
        for (hash, _) in retracted {
            for xt in self.api.block_extrinsics(*hash).unwrap_or_default() {
                if !now_included.contains(&xt.hash()) {
                    resubmit.push(xt);
                }
            }
        }

        let snapshot: Vec<Arc<PoolTransaction>> = {
            let mut inner = self.inner.lock();
            for (hash, _) in retracted {
                if let Some((_, txs)) = inner.in_block.remove(hash) {
                    for tx in txs {
                        inner.notify(&tx, TxStatus::Retracted(*hash));
                    }
                }
            }
            // Tags the new blocks consumed, and by which transaction.
            let mut consumed: HashMap<Vec<u8>, H256> = HashMap::new();
            for (block, number, txs) in &enacted_txs {
                let mut watched = Vec::new();
                for tx in txs {
                    if let Some((entry, changes)) = inner.queue.prune_included(tx) {
                        for tag in &entry.validity.provides {
                            consumed.insert(tag.clone(), *tx);
                        }
                        inner.report(changes);
                    }
                    if inner.watchers.contains_key(tx) {
                        inner.notify(tx, TxStatus::InBlock(*block));
                        watched.push(*tx);
                    }
                }
                if !watched.is_empty() {
                    inner
                        .in_block
                        .entry(*block)
                        .or_insert_with(|| (*number, Vec::new()))
                        .1
                        .extend(watched);
                }
            }
            // Other transactions for the same nonces lost the race.
            let mut usurped = Vec::new();
            for (tag, winner) in &consumed {
                if let Some(loser) = inner.queue.provider_of(tag) {
                    usurped.push((loser, *winner));
                }
            }
            for (loser, winner) in usurped {
                if let Some((_, changes)) = inner.queue.remove(&loser) {
                    inner.notify(&loser, TxStatus::Usurped(winner));
                    inner.report(changes);
                }
            }
            // Past their era.
            let expired: Vec<H256> = inner
                .queue
                .entries_by_insertion()
                .iter()
                .filter(|e| e.validity.valid_till < u64::from(best.1))
                .map(|e| e.tx.hash)
                .collect();
            for hash in expired {
                if let Some((_, changes)) = inner.queue.remove(&hash) {
                    inner.notify(&hash, TxStatus::Invalid);
                    inner.report(changes);
                }
            }
            let ban_time = self.opts.ban_time;
            inner.expire_bans(ban_time);
            // What to revalidate, within the limit: transactions of senders the new blocks
            // touched first (their nonces and balances moved), then the others in rotation
            // by hash, so that every transaction is revalidated every few blocks.
            let limit = self.opts.revalidation_limit;
            let all = inner.queue.entries_by_insertion();
            let (touched, mut others): (Vec<_>, Vec<_>) = all.into_iter().partition(|e| {
                e.tx.sender
                    .as_ref()
                    .is_some_and(|s| touched_senders.contains(s))
            });
            let mut chosen: Vec<Arc<PoolTransaction>> =
                touched.iter().take(limit).map(|e| e.tx.clone()).collect();
            let room = limit.saturating_sub(chosen.len());
            if room > 0 && !others.is_empty() {
                others.sort_by_key(|e| e.tx.hash);
                let cursor = *self.revalidation_cursor.lock();
                let start = others.partition_point(|e| e.tx.hash <= cursor);
                let picked: Vec<Arc<PoolTransaction>> = others
                    .iter()
                    .cycle()
                    .skip(start)
                    .take(room.min(others.len()))
                    .map(|e| e.tx.clone())
                    .collect();
                if let Some(last) = picked.last() {
                    *self.revalidation_cursor.lock() = if picked.len() == others.len() {
                        H256::zero()
                    } else {
                        last.hash
                    };
                }
                chosen.extend(picked);
            }
            chosen
        };

        // Revalidate on the new best state, in parallel, without holding the lock.
        let results: Vec<(Arc<PoolTransaction>, Result<TransactionValidity, String>)> = snapshot
            .into_par_iter()
            .map(|tx| {
                let outcome = self.api.validate(best.0, tx.source, &tx.data);
                (tx, outcome)
            })
            .collect();

        let mut inner = self.inner.lock();
        let (mut dropped, mut updated) = (0usize, 0usize);
        let mut new_validity: HashMap<H256, Validity> = HashMap::new();
        for (tx, outcome) in results {
            if !inner.queue.contains(&tx.hash) {
                continue;
            }
            match outcome {
                Ok(Ok(valid)) => {
                    new_validity.insert(
                        tx.hash,
                        Validity {
                            priority: valid.priority,
                            requires: valid.requires,
                            provides: valid.provides,
                            valid_till: u64::from(best.1).saturating_add(valid.longevity),
                        },
                    );
                }
                Ok(Err(error)) => {
                    if matches!(error, TransactionValidityError::Invalid(_)) {
                        inner.ban(tx.hash);
                    }
                    if let Some((_, changes)) = inner.queue.remove(&tx.hash) {
                        inner.notify(&tx.hash, TxStatus::Invalid);
                        inner.report(changes);
                        dropped += 1;
                    }
                }
                Err(reason) => {
                    tracing::debug!(target: LOG, hash = ?tx.hash, %reason, "revalidation could not run");
                }
            }
        }
        // Apply the new validities by rebuilding the queue in arrival order.
        let changed = new_validity
            .iter()
            .any(|(hash, v)| inner.queue.get(hash).is_some_and(|e| e.validity != *v));
        if changed {
            updated = new_validity.len();
            self.rebuild(&mut inner, new_validity);
        }
        drop(inner);

        // Transactions of retracted blocks go back to the pool if still valid.
        if !resubmit.is_empty() {
            let count = resubmit.len();
            let _ = self.submit_batch(TransactionSource::InBlock, resubmit);
            tracing::debug!(target: LOG, count, "resubmitted retracted transactions");
        }
        let (ready, future) = self.status();
        tracing::debug!(
            target: LOG,
            best = best.1,
            enacted = enacted.len(),
            retracted = retracted.len(),
            dropped,
            updated,
            ready,
            future,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "pool maintained"
        );
    }

    /// Rebuilds the queue with `new_validity` applied, keeping arrival order, and tells
    /// watchers whose readiness changed.
    fn rebuild(&self, inner: &mut Inner, mut new_validity: HashMap<H256, Validity>) {
        let old: Vec<(Arc<PoolTransaction>, Validity, bool)> = inner
            .queue
            .entries_by_insertion()
            .into_iter()
            .map(|e| (e.tx.clone(), e.validity.clone(), e.ready))
            .collect();
        let limits = *inner.queue.limits();
        let mut queue = Queue::new(limits);
        let mut lost: Vec<(H256, TxStatus)> = Vec::new();
        for (tx, validity, _) in &old {
            let hash = tx.hash;
            let validity = new_validity
                .remove(&hash)
                .unwrap_or_else(|| validity.clone());
            let provides = validity.provides.clone();
            match queue.insert(tx.clone(), validity) {
                Ok(changes) => {
                    for (old_hash, new_hash) in changes.replaced {
                        lost.push((old_hash, TxStatus::Usurped(new_hash)));
                    }
                    for evicted in changes.evicted {
                        lost.push((evicted, TxStatus::Dropped));
                    }
                }
                Err(QueueError::TooLowPriority { .. }) => {
                    let winner = provides
                        .iter()
                        .find_map(|tag| queue.provider_of(tag))
                        .unwrap_or_default();
                    lost.push((hash, TxStatus::Usurped(winner)));
                }
                Err(_) => lost.push((hash, TxStatus::Dropped)),
            }
        }
        inner.queue = queue;
        for (hash, status) in lost {
            if !inner.queue.contains(&hash) {
                inner.notify(&hash, status);
            }
        }
        for (tx, _, was_ready) in old {
            if let Some(entry) = inner.queue.get(&tx.hash) {
                let now_ready = entry.ready;
                if now_ready != was_ready {
                    let status = if now_ready {
                        TxStatus::Ready
                    } else {
                        TxStatus::Future
                    };
                    inner.notify(&tx.hash, status);
                }
            }
        }
    }

    /// Blocks were finalized: their watched transactions are final. Watchers of blocks that
    /// waited too long for finality are released.
    fn on_finalized(&self, newly: &[(H256, BlockNumber)], best_number: BlockNumber) {
        let mut inner = self.inner.lock();
        let mut last_number = 0;
        for (hash, number) in newly {
            last_number = *number;
            if let Some((_, txs)) = inner.in_block.remove(hash) {
                for tx in txs {
                    inner.notify(&tx, TxStatus::Finalized(*hash));
                }
            }
        }
        // Blocks at or below the finalized height that are not finalized are on dead forks.
        let timeout = self.opts.finality_timeout_blocks;
        let stale: Vec<(H256, BlockNumber)> = inner
            .in_block
            .iter()
            .filter(|(_, (number, _))| {
                *number <= last_number || number.saturating_add(timeout) < best_number
            })
            .map(|(hash, (number, _))| (*hash, *number))
            .collect();
        for (hash, _) in stale {
            if let Some((_, txs)) = inner.in_block.remove(&hash) {
                for tx in txs {
                    inner.notify(&tx, TxStatus::FinalityTimeout(hash));
                }
            }
        }
    }
}

/// The sender address of a signed extrinsic (SCALE-encoded), read from its body without the
/// runtime's types: version byte with the signed bit, then the `MultiAddress`.
fn sender_of(xt: &OpaqueExtrinsic) -> Option<Vec<u8>> {
    let body = xt.body();
    let (first, mut rest) = body.split_first()?;
    if first & 0b1000_0000 == 0 {
        return None;
    }
    let address = ExtrinsicAddress::decode(&mut rest).ok()?;
    Some(codec::Encode::encode(&address))
}

/// Runs `f` on the rayon pool and waits for it without blocking the async executor; `None`
/// if `f` panicked.
pub async fn on_rayon<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Option<R> {
    let (tx, rx) = oneshot::channel();
    rayon::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        if let Ok(value) = result {
            let _ = tx.send(value);
        }
    });
    rx.await.ok()
}

#[cfg(test)]
mod tests;
