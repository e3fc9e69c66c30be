//! The client: the node's view of the chain, and the only way blocks get into the database.
//!
//! Everything else in the node (transaction pool, RPC, block author, import of block files)
//! reads the chain through [`Client`] and adds blocks through [`Client::import_block`] (blocks
//! from elsewhere, re-executed) or [`Client::commit_own`] (blocks this node just built and
//! executed). The client
//!
//! - builds the genesis block from the chain spec on first start and, on later starts, refuses a
//!   database whose genesis is not the chain spec's;
//! - checks an imported block completely before it writes anything: known parent, Aura seal by
//!   the authority of the block's slot, re-execution on the parent state with the runtime
//!   checking the state and extrinsics roots, and the state root recomputed from the trie;
//! - commits each block atomically (header, body, new trie nodes, canonical index, best and
//!   finalized pointers: one RocksDB batch, see [`crate::db`]);
//! - serialises imports, and announces each imported block and each newly finalized block, in
//!   order, on broadcast channels.
//!
//! Fork choice is the longest chain that contains the last finalized block (blocks that do not
//! descend from it are refused; ties keep the block seen first). Finality comes from the GRANDPA
//! worker through [`Client::finalize`] once the node runs one ([`Client::enable_finality_gadget`]);
//! until then (tools such as `import-blocks` and the benchmark) a chain with a single authority
//! finalizes each block when its child is imported.
//!
//! The client also keeps the leaves of the block tree (for GRANDPA's best-chain queries) and an
//! Aura equivocation detector fed by every verified header (two blocks sealed by one authority
//! for one slot), whose evidence it broadcasts for slashing.

use crate::chain_spec::ChainSpec;
use crate::db::{BlockCommit, Database, DbError, StateStore};
use basalt_consensus::aura::{self, Equivocation, EquivocationDetector};
use basalt_consensus::fork_choice::LeafSet;
use basalt_runtime::api;
use basalt_runtime::consensus;
use basalt_support::engine_ids::GRANDPA_ENGINE_ID;
use basalt_support::generic::{
    extrinsics_root, Block, Header, Justification, OpaqueExtrinsic, SignedBlock,
};
use basalt_support::state::trie::{StateError, TrieBackend};
use basalt_support::state::{Backend, Externalities};
use basalt_support::version::RuntimeVersion;
use basalt_support::{AccountId, H256};
use codec::{DecodeAll, Encode};
use parking_lot::Mutex;
use sp_core::sr25519;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

const LOG: &str = "basalt::client";

/// How many notifications a slow subscriber may fall behind before it misses some (it then
/// gets `RecvError::Lagged` and should re-read [`Client::info`]).
const NOTIFICATION_CAPACITY: usize = 4096;

/// How many slots ahead of this node's clock a block's slot may be (clock drift between
/// validators); later ones wait.
pub const MAX_SLOT_DRIFT: u64 = 1;

/// How many slots back the Aura equivocation detector remembers who sealed what.
const EQUIVOCATION_WINDOW_SLOTS: u64 = 1024;

/// The chain's head pointers, as `chain_getHead`, `chain_getFinalizedHead` and
/// `system_syncState` report them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainInfo {
    /// Head of the best (longest) chain.
    pub best_hash: H256,
    /// Its number.
    pub best_number: u32,
    /// The last finalized block.
    pub finalized_hash: H256,
    /// Its number.
    pub finalized_number: u32,
    /// The genesis block's hash (signed into every transaction by `CheckGenesis`).
    pub genesis_hash: H256,
}

/// A block was imported (and is queryable): the pool prunes and revalidates on it, RPC
/// subscribers get `chain_newHead` when it is the new best.
#[derive(Clone, Debug)]
pub struct BlockNotification {
    /// The block's hash.
    pub hash: H256,
    /// Its header.
    pub header: Header,
    /// Whether it became the head of the best chain.
    pub is_new_best: bool,
    /// The hashes of its extrinsics, in block order.
    #[allow(dead_code)] // for subscribers that track inclusion without reading the body
    pub extrinsic_hashes: Vec<H256>,
    /// Where it came from (the network announces every block this node authored, forks
    /// included).
    pub origin: BlockOrigin,
}

/// A block was finalized: `chain_finalizedHead` subscribers and `finalized` transaction
/// statuses follow it. Sent for every newly finalized block, in increasing order.
#[derive(Clone, Debug)]
pub struct FinalityNotification {
    /// The block's hash.
    pub hash: H256,
    /// Its header.
    pub header: Header,
}

/// Where a block comes from; it decides log levels and which checks apply. The network
/// origins are Substrate's, for the sync and gossip of the networking layer.
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockOrigin {
    /// The genesis block.
    Genesis,
    /// A block downloaded during initial sync.
    NetworkInitialSync,
    /// A block announced by a peer.
    NetworkBroadcast,
    /// A block of a consensus protocol message.
    ConsensusBroadcast,
    /// A block this node authored.
    Own,
    /// A block read from a file (`import-blocks`).
    File,
}

/// What import did with a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportResult {
    /// The block was checked and stored.
    Imported {
        /// Whether it became the best block.
        is_new_best: bool,
        /// Whether it is finalized.
        finalized: bool,
    },
    /// The block was already in the database; nothing was done.
    AlreadyInChain,
}

/// Why the client refused a request or a block. Refused blocks leave the database untouched.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The block (or the block a query names) is not in the database.
    #[error("unknown block {0:?}")]
    UnknownBlock(H256),
    /// An imported block's parent is not in the database.
    #[error("block #{number} ({hash:?}) has unknown parent {parent:?}")]
    UnknownParent {
        /// The block's hash.
        hash: H256,
        /// Its number.
        number: u32,
        /// The missing parent.
        parent: H256,
    },
    /// The block's number is not its parent's plus one.
    #[error("block {hash:?} has number {number}, but its parent is #{parent_number}")]
    BadNumber {
        /// The block's hash.
        hash: H256,
        /// Its number.
        number: u32,
        /// Its parent's number.
        parent_number: u32,
    },
    /// The block would fork off below the finalized block.
    #[error("block #{number} ({hash:?}) conflicts with finalized block #{finalized}")]
    ConflictsWithFinality {
        /// The block's hash.
        hash: H256,
        /// Its number.
        number: u32,
        /// The finalized block's number.
        finalized: u32,
    },
    /// The Aura seal or slot is wrong.
    #[error("block #{number} ({hash:?}) has a bad seal: {reason}")]
    BadSeal {
        /// The block's hash.
        hash: H256,
        /// Its number.
        number: u32,
        /// What is wrong.
        reason: String,
    },
    /// Re-executing the block failed or gave other roots than its header.
    #[error("block #{number} ({hash:?}) is invalid: {reason}")]
    InvalidBlock {
        /// The block's hash.
        hash: H256,
        /// Its number.
        number: u32,
        /// The runtime's or the trie's verdict.
        reason: String,
    },
    /// The block claims an Aura slot too far ahead of this node's clock (bounded drift): not
    /// imported now, and not held against the sender (clocks differ); sync retries later.
    #[error("block #{number} ({hash:?}) is for slot {slot}, but the current slot is {now}")]
    FutureSlot {
        /// The block's hash.
        hash: H256,
        /// Its number.
        number: u32,
        /// Its slot.
        slot: u64,
        /// This node's current slot.
        now: u64,
    },
    /// A state read found the database inconsistent (a missing trie node).
    #[error("the state of block {0:?} is corrupt or missing in the database")]
    CorruptState(H256),
    /// Stored data does not decode.
    #[error("the database is corrupt: {0}")]
    Corrupt(String),
    /// The database is not the chain spec's chain.
    #[error(
        "the database at {path} belongs to another chain: its genesis is {stored:?}, but chain spec `{chain}` gives genesis {expected:?}; use another --base-path or run purge-chain"
    )]
    GenesisMismatch {
        /// The database directory.
        path: String,
        /// The chain spec's name.
        chain: String,
        /// The genesis hash in the database.
        stored: H256,
        /// The genesis hash the chain spec gives.
        expected: H256,
    },
    /// The chain spec's genesis cannot be built.
    #[error("cannot build the genesis state: {0}")]
    Genesis(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The state of one block, read from the database.
pub type State = TrieBackend<StateStore>;

/// Trie nodes (hash, encoding) a block's state adds to the store.
pub type TrieNodes = Vec<(H256, Vec<u8>)>;

/// The node's chain: see the module documentation.
pub struct Client {
    db: Arc<Database>,
    spec: ChainSpec,
    genesis_hash: H256,
    #[allow(dead_code)] // read through runtime_version()
    version: RuntimeVersion,
    /// Held for the whole of an import (checks, execution, commit, notifications), so blocks are
    /// committed and announced in order.
    import_lock: Mutex<()>,
    imports: broadcast::Sender<BlockNotification>,
    finality: broadcast::Sender<FinalityNotification>,
    imported_blocks: AtomicU64,
    /// Leaves of the block tree above the finalized block (best chain queries of GRANDPA).
    leaves: Mutex<LeafSet>,
    /// Whether a finality gadget (GRANDPA) decides finality; otherwise a lone authority's
    /// blocks are finalized one block behind.
    gadget: AtomicBool,
    /// The slot length the node runs with (0: unknown, no drift check), for refusing blocks
    /// from future slots.
    slot_duration_ms: AtomicU64,
    /// Who sealed which header in recent slots.
    detector: Mutex<EquivocationDetector>,
    equivocations: broadcast::Sender<Equivocation>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("chain", &self.spec.name())
            .field("info", &self.info())
            .finish_non_exhaustive()
    }
}

/// The genesis block of `storage`: its header and the trie nodes of its state.
pub fn genesis_block(
    storage: &BTreeMap<Vec<u8>, Vec<u8>>,
    store: StateStore,
) -> Result<(Header, TrieNodes), StateError> {
    let empty = TrieBackend::empty(store);
    let (state_root, nodes) = empty.storage_root(
        storage
            .iter()
            .map(|(k, v)| (k.as_slice(), Some(v.as_slice()))),
    )?;
    let header = Header {
        parent_hash: H256::zero(),
        number: 0,
        state_root,
        extrinsics_root: extrinsics_root(&[]),
        digest: Default::default(),
    };
    Ok((header, nodes))
}

/// The root and new trie nodes of the state `ext` leaves on top of `parent`: those the runtime
/// computed in `finalize_block` when no write followed, else computed here from the changes.
pub fn post_state(mut ext: Externalities, parent: &State) -> Result<(H256, TrieNodes), StateError> {
    if let Some(computed) = ext.take_trie_nodes() {
        return Ok(computed);
    }
    let changes = ext.into_changes();
    parent.storage_root(changes.iter().map(|(k, v)| (k.as_slice(), v.as_deref())))
}

/// `0x1234…abcd`: how Substrate's logs shorten hashes.
pub fn short_hash(hash: &H256) -> String {
    let hex = hex::encode(hash.as_bytes());
    format!("0x{}…{}", &hex[..4], &hex[60..])
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl Client {
    /// Open the chain in `db`: write the genesis block of `spec` if the database is empty, or
    /// check that the stored genesis is the spec's.
    pub fn new(db: Arc<Database>, spec: ChainSpec) -> Result<Arc<Client>, ClientError> {
        let storage = spec.genesis_storage().map_err(ClientError::Genesis)?;
        let (header, nodes) =
            genesis_block(&storage, db.state()).map_err(|e| ClientError::Genesis(e.to_string()))?;
        let genesis_hash = header.hash();
        match db.genesis() {
            None => {
                tracing::info!(
                    target: LOG,
                    "🔨 Initializing Genesis block/state (state: {}, header-hash: {})",
                    short_hash(&header.state_root),
                    short_hash(&genesis_hash)
                );
                db.commit(BlockCommit {
                    hash: genesis_hash,
                    number: 0,
                    parent: H256::zero(),
                    header: header.encode(),
                    body: Vec::<OpaqueExtrinsic>::new().encode(),
                    justification: None,
                    trie_nodes: nodes,
                    make_best: true,
                    finalize: true,
                })?;
            }
            Some(stored) if stored != genesis_hash => {
                return Err(ClientError::GenesisMismatch {
                    path: db.path().display().to_string(),
                    chain: spec.name().to_string(),
                    stored,
                    expected: genesis_hash,
                })
            }
            Some(_) => {}
        }
        let (imports, _) = broadcast::channel(NOTIFICATION_CAPACITY);
        let (finality, _) = broadcast::channel(NOTIFICATION_CAPACITY);
        let (equivocations, _) = broadcast::channel(64);
        // After a restart the tree's known leaf is the best block: forks abandoned before the
        // restart are never built on again (a longer one arriving from a peer is imported
        // normally and becomes a leaf then).
        let mut leaves = LeafSet::new();
        let (best_hash, best_number) = db.best().unwrap_or((genesis_hash, 0));
        leaves.import(best_hash, best_number, H256::zero());
        Ok(Arc::new(Client {
            db,
            spec,
            genesis_hash,
            version: api::version(),
            import_lock: Mutex::new(()),
            imports,
            finality,
            imported_blocks: AtomicU64::new(0),
            leaves: Mutex::new(leaves),
            gadget: AtomicBool::new(false),
            slot_duration_ms: AtomicU64::new(0),
            detector: Mutex::new(EquivocationDetector::new(EQUIVOCATION_WINDOW_SLOTS)),
            equivocations,
        }))
    }

    /// The database (for the commands that inspect it directly).
    #[allow(dead_code)] // part of the client interface for RPC and networking
    pub fn db(&self) -> &Arc<Database> {
        &self.db
    }

    /// Best, finalized and genesis pointers.
    pub fn info(&self) -> ChainInfo {
        let genesis = (self.genesis_hash, 0);
        let (best_hash, best_number) = self.db.best().unwrap_or(genesis);
        let (finalized_hash, finalized_number) = self.db.finalized().unwrap_or(genesis);
        ChainInfo {
            best_hash,
            best_number,
            finalized_hash,
            finalized_number,
            genesis_hash: self.genesis_hash,
        }
    }

    /// The header of block `hash`, if known. A header that does not decode is logged and
    /// treated as missing.
    pub fn header(&self, hash: H256) -> Option<Header> {
        match self.try_header(hash) {
            Ok(header) => header,
            Err(error) => {
                tracing::error!(target: LOG, %error, ?hash, "reading a header failed");
                None
            }
        }
    }

    fn try_header(&self, hash: H256) -> Result<Option<Header>, ClientError> {
        self.db
            .header(&hash)?
            .map(|bytes| {
                Header::decode_all(&mut &bytes[..]).map_err(|_| {
                    ClientError::Corrupt(format!("header of {hash:?} does not decode"))
                })
            })
            .transpose()
    }

    /// The extrinsics of block `hash`, if known.
    pub fn body(&self, hash: H256) -> Option<Vec<OpaqueExtrinsic>> {
        let bytes = match self.db.body(&hash) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(error) => {
                tracing::error!(target: LOG, %error, ?hash, "reading a body failed");
                return None;
            }
        };
        match Vec::<OpaqueExtrinsic>::decode_all(&mut &bytes[..]) {
            Ok(body) => Some(body),
            Err(_) => {
                tracing::error!(target: LOG, ?hash, "the stored body does not decode");
                None
            }
        }
    }

    /// Block `hash` with its justifications (`chain_getBlock`), if known.
    pub fn block(&self, hash: H256) -> Option<SignedBlock> {
        let header = self.header(hash)?;
        let extrinsics = self.body(hash)?;
        let justifications = match self.db.justification(&hash) {
            Ok(Some(bytes)) => Vec::<Justification>::decode_all(&mut &bytes[..]).ok(),
            _ => None,
        };
        Some(SignedBlock {
            block: Block { header, extrinsics },
            justifications,
        })
    }

    /// The number of block `hash`, if known (without decoding its header).
    pub fn number(&self, hash: H256) -> Option<u32> {
        self.db.number(&hash).ok().flatten()
    }

    /// The hash of the canonical (best chain) block at `number`.
    pub fn hash_at(&self, number: u32) -> Option<H256> {
        match self.db.hash_at(number) {
            Ok(hash) => hash,
            Err(error) => {
                tracing::error!(target: LOG, %error, number, "reading the canonical index failed");
                None
            }
        }
    }

    /// Where extrinsic `hash` is on the best chain: its block and index.
    #[allow(dead_code)] // part of the client interface for RPC and networking
    pub fn transaction(&self, hash: H256) -> Option<(H256, u32)> {
        self.db.transaction(&hash).ok().flatten()
    }

    /// The state after block `hash`.
    pub fn state_at(&self, hash: H256) -> Option<Arc<State>> {
        let header = self.header(hash)?;
        Some(Arc::new(self.db.state_at(header.state_root)))
    }

    /// Run `f` inside externalities over the state of block `hash` (runtime API calls, storage
    /// reads); whatever `f` writes is discarded. Fails if the block is unknown or a read found
    /// its state corrupt.
    pub fn call_at<R>(&self, hash: H256, f: impl FnOnce() -> R) -> Result<R, ClientError> {
        let state = self.state_at(hash).ok_or(ClientError::UnknownBlock(hash))?;
        let mut ext = Externalities::new(state as Arc<dyn Backend>);
        let result = ext.execute_with(f);
        if ext.is_corrupt() {
            return Err(ClientError::CorruptState(hash));
        }
        Ok(result)
    }

    /// Runs the runtime API `method` (Substrate's `state_call` name) on `input` over the state
    /// of block `hash`: its SCALE output, or the runtime's refusal; an error if the block is
    /// unknown or its state corrupt.
    pub fn runtime_call(
        &self,
        hash: H256,
        method: &str,
        input: &[u8],
    ) -> Result<Result<Vec<u8>, String>, ClientError> {
        self.call_at(hash, || api::state_call(method, input))
    }

    /// The Aura authorities in the state of block `hash`, in slot order.
    pub fn authorities_at(&self, hash: H256) -> Result<Vec<AccountId>, ClientError> {
        self.call_at(hash, consensus::aura::Authorities::get)
    }

    /// The Aura authorities of block `hash` as sr25519 keys, the form basalt-consensus's Aura
    /// checks and slot assignment take.
    pub fn aura_keys_at(&self, hash: H256) -> Result<Vec<sr25519::Public>, ClientError> {
        Ok(self
            .authorities_at(hash)?
            .iter()
            .map(|a| sr25519::Public::from_raw(*<AccountId as AsRef<[u8; 32]>>::as_ref(a)))
            .collect())
    }

    /// The GRANDPA voters and weights in the state of block `hash`.
    pub fn grandpa_authorities_at(
        &self,
        hash: H256,
    ) -> Result<Vec<(sp_core::ed25519::Public, u64)>, ClientError> {
        let raw = self.call_at(hash, consensus::grandpa::Authorities::get)?;
        Ok(raw
            .into_iter()
            .map(|(id, weight)| {
                let key = *<AccountId as AsRef<[u8; 32]>>::as_ref(&id);
                (sp_core::ed25519::Public::from_raw(key), weight)
            })
            .collect())
    }

    /// Subscribe to imported blocks.
    pub fn import_notifications(&self) -> broadcast::Receiver<BlockNotification> {
        self.imports.subscribe()
    }

    /// Subscribe to newly finalized blocks.
    pub fn finality_notifications(&self) -> broadcast::Receiver<FinalityNotification> {
        self.finality.subscribe()
    }

    /// The runtime's version (one native runtime: the same at every block).
    #[allow(dead_code)] // part of the client interface for RPC and networking
    pub fn runtime_version(&self) -> RuntimeVersion {
        self.version.clone()
    }

    /// The chain spec the node runs.
    #[allow(dead_code)] // part of the client interface for RPC and networking
    pub fn chain_spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// How many blocks this process imported or authored (for metrics).
    pub fn imported_blocks(&self) -> u64 {
        self.imported_blocks.load(Ordering::Relaxed)
    }

    /// Check `header`'s Aura seal and slot (basalt-consensus's [`aura::verify_header`], the
    /// check the seeded simulation runs) against its parent and the authorities of its parent's
    /// state; returns the slot and the authority that sealed it.
    fn verify_seal(
        &self,
        header: &Header,
        parent: &Header,
    ) -> Result<(u64, sr25519::Public), String> {
        let authorities = self
            .aura_keys_at(header.parent_hash)
            .map_err(|e| format!("cannot read the authorities: {e}"))?;
        let (slot, index) =
            aura::verify_header(header, parent, &authorities).map_err(|e| e.to_string())?;
        let author = authorities
            .get(index)
            .copied()
            .ok_or("no authority for the slot")?;
        Ok((slot, author))
    }

    /// Whether the block `hash` (number `number`, child of `parent`) descends from the
    /// finalized block `finalized`. Cheap on the best chain (the canonical index contains the
    /// finalized block); walks parent links for blocks on forks.
    fn descends_from_finalized(
        &self,
        parent: H256,
        number: u32,
        finalized: (H256, u32),
    ) -> Result<bool, ClientError> {
        let (mut cursor, mut height) = (parent, number.saturating_sub(1));
        loop {
            if height == finalized.1 {
                return Ok(cursor == finalized.0);
            }
            if height < finalized.1 {
                return Ok(false);
            }
            if self.db.hash_at(height)? == Some(cursor) {
                // On the canonical chain, which always contains the finalized block.
                return Ok(true);
            }
            match self.db.block_index(&cursor)? {
                Some((_, grandparent)) => {
                    cursor = grandparent;
                    height -= 1;
                }
                None => return Ok(false),
            }
        }
    }

    /// Note a verified header for equivocation detection; broadcasts the evidence when its
    /// author sealed another header for the same slot.
    fn note_sealed(&self, slot: u64, author: &sr25519::Public, header: &Header) {
        let evidence = self.detector.lock().check(slot, author, header);
        if let Some(evidence) = evidence {
            tracing::warn!(
                target: LOG,
                "⚠️ Aura equivocation: authority {} sealed {} and {} for slot {slot}",
                AccountId::new(author.0),
                short_hash(&evidence.first.hash()),
                short_hash(&evidence.second.hash()),
            );
            let _ = self.equivocations.send(evidence);
        }
    }

    /// Subscribe to Aura equivocation evidence (two blocks sealed by one authority in one
    /// slot), for reporting to the chain.
    pub fn equivocation_notifications(&self) -> broadcast::Receiver<Equivocation> {
        self.equivocations.subscribe()
    }

    /// Blocks from the network are refused while their slot is more than
    /// [`MAX_SLOT_DRIFT`] slots of `slot_duration_ms` ahead of this node's clock.
    pub fn set_slot_duration(&self, slot_duration_ms: u64) {
        self.slot_duration_ms
            .store(slot_duration_ms, Ordering::SeqCst);
    }

    /// The slot duration set with [`Client::set_slot_duration`] (0 before it is set).
    pub fn slot_duration_ms(&self) -> u64 {
        self.slot_duration_ms.load(Ordering::SeqCst)
    }

    /// From now on, finality is decided by a finality gadget through [`Client::finalize`].
    pub fn enable_finality_gadget(&self) {
        self.gadget.store(true, Ordering::SeqCst);
    }

    /// The leaves of the block tree above the finalized block: what a `chainHead_v1_follow`
    /// subscriber is told about, with every block between them and the finalized block.
    pub fn leaves(&self) -> Vec<(H256, u32)> {
        self.leaves.lock().iter().collect()
    }

    /// The best leaf whose chain contains `base` (fork choice for GRANDPA's votes).
    pub fn best_chain_containing(&self, base: H256) -> Option<(H256, u32)> {
        let number = self.number(base)?;
        let leaves = self.leaves.lock();
        leaves.best_containing((base, number), |hash| {
            self.db.block_index(hash).ok().flatten().map(|(_, p)| p)
        })
    }

    /// The stored GRANDPA justification of block `hash`, if it has one.
    pub fn grandpa_justification(&self, hash: H256) -> Option<Vec<u8>> {
        let bytes = self.db.justification(&hash).ok().flatten()?;
        let list = Vec::<Justification>::decode_all(&mut &bytes[..]).ok()?;
        list.into_iter()
            .find(|(engine, _)| *engine == GRANDPA_ENGINE_ID)
            .map(|(_, data)| data)
    }

    /// Finalize block `hash` (number `number`) with its GRANDPA `justification`, durably, and
    /// announce it and its newly final ancestors. A block off the best chain first becomes
    /// best (with its best descendant). Refuses blocks that do not descend from the finalized
    /// block; finalizing the finalized block again only stores the justification.
    pub fn finalize(
        &self,
        hash: H256,
        number: u32,
        justification: Vec<u8>,
    ) -> Result<(), ClientError> {
        let _guard = self.import_lock.lock();
        let header = self
            .try_header(hash)?
            .ok_or(ClientError::UnknownBlock(hash))?;
        if header.number != number {
            return Err(ClientError::BadNumber {
                hash,
                number,
                parent_number: header.number.saturating_sub(1),
            });
        }
        let info = self.info();
        let finalized = (info.finalized_hash, info.finalized_number);
        let descends = hash == finalized.0
            || (number > finalized.1
                && self.descends_from_finalized(header.parent_hash, number, finalized)?);
        if !descends {
            return Err(ClientError::ConflictsWithFinality {
                hash,
                number,
                finalized: finalized.1,
            });
        }
        let justifications = vec![(GRANDPA_ENGINE_ID, justification)].encode();
        if self.db.hash_at(number)? != Some(hash) {
            // GRANDPA finalized a fork we did not follow: it becomes the best chain, in the
            // same write as the finality.
            let head = self.best_chain_containing(hash).unwrap_or((hash, number));
            tracing::info!(
                target: LOG,
                "♻️ Reorg to #{} ({}) to follow finality",
                head.1,
                short_hash(&head.0)
            );
            self.db
                .set_best_and_finalized(head.0, hash, Some(justifications))?;
        } else {
            self.db.set_finalized(hash, Some(justifications))?;
        }
        if number > finalized.1 {
            self.prune_leaves(hash, number);
            self.notify_finalized(finalized.1, number, (hash, header));
        }
        Ok(())
    }

    /// Forget the leaves that cannot be built on any more: those not descending from the newly
    /// finalized block.
    fn prune_leaves(&self, finalized: H256, number: u32) {
        let mut leaves = self.leaves.lock();
        let dead: Vec<H256> = leaves
            .iter()
            .filter(|(leaf, leaf_number)| {
                *leaf_number < number
                    || !self
                        .descends_from_finalized(
                            *leaf,
                            leaf_number.saturating_add(1),
                            (finalized, number),
                        )
                        .unwrap_or(false)
            })
            .map(|(leaf, _)| leaf)
            .collect();
        for leaf in dead {
            leaves.remove(&leaf);
        }
        if leaves.is_empty() {
            leaves.import(finalized, number, H256::zero());
        }
    }

    /// Import a block from elsewhere: check its parent, number and seal, re-execute it on the
    /// parent state, and commit it if everything matches (best if it is longer than the best
    /// chain; final if the chain has a single authority). Nothing is written on error.
    pub fn import_block(
        &self,
        block: SignedBlock,
        origin: BlockOrigin,
    ) -> Result<ImportResult, ClientError> {
        let _guard = self.import_lock.lock();
        let header = &block.block.header;
        let hash = header.hash();
        let number = header.number;
        if self.db.block_index(&hash)?.is_some() {
            return Ok(ImportResult::AlreadyInChain);
        }
        let parent = self
            .try_header(header.parent_hash)?
            .ok_or(ClientError::UnknownParent {
                hash,
                number,
                parent: header.parent_hash,
            })?;
        if parent.number.checked_add(1) != Some(number) {
            return Err(ClientError::BadNumber {
                hash,
                number,
                parent_number: parent.number,
            });
        }
        let info = self.info();
        if number <= info.finalized_number {
            return Err(ClientError::ConflictsWithFinality {
                hash,
                number,
                finalized: info.finalized_number,
            });
        }
        if !self.descends_from_finalized(
            header.parent_hash,
            number,
            (info.finalized_hash, info.finalized_number),
        )? {
            return Err(ClientError::ConflictsWithFinality {
                hash,
                number,
                finalized: info.finalized_number,
            });
        }
        let (slot, author) =
            self.verify_seal(header, &parent)
                .map_err(|reason| ClientError::BadSeal {
                    hash,
                    number,
                    reason,
                })?;
        let slot_ms = self.slot_duration_ms.load(Ordering::SeqCst);
        if slot_ms > 0 && origin != BlockOrigin::File {
            let now = aura::slot_at(now_ms(), slot_ms);
            aura::ensure_not_future(slot, now, MAX_SLOT_DRIFT).map_err(|_| {
                ClientError::FutureSlot {
                    hash,
                    number,
                    slot,
                    now,
                }
            })?;
        }
        let invalid = |reason: String| ClientError::InvalidBlock {
            hash,
            number,
            reason,
        };

        let state = self
            .state_at(header.parent_hash)
            .ok_or(ClientError::UnknownBlock(header.parent_hash))?;
        let mut ext = Externalities::new(state.clone() as Arc<dyn Backend>);
        let now = now_ms();
        let executed = ext.execute_with(|| {
            let inherents = api::check_inherents(&block.block, now);
            if !inherents.okay {
                return Err("its timestamp is too far in the future".to_string());
            }
            api::execute_block(&block.block).map_err(|e| e.to_string())
        });
        if ext.is_corrupt() {
            return Err(ClientError::CorruptState(header.parent_hash));
        }
        executed.map_err(invalid)?;
        let (root, nodes) =
            post_state(ext, &state).map_err(|_| ClientError::CorruptState(header.parent_hash))?;
        if root != header.state_root {
            return Err(invalid(format!(
                "bad state root: header {:?}, computed {root:?}",
                header.state_root
            )));
        }
        // Only a valid block is evidence: an equivocation needs two well-formed blocks.
        self.note_sealed(slot, &author, header);
        let single_authority = !self.gadget.load(Ordering::SeqCst)
            && self
                .authorities_at(header.parent_hash)
                .map(|a| a.len() == 1)
                .unwrap_or(false);
        let is_new_best = number > info.best_number;
        let finalize = is_new_best && single_authority;
        let finalized = self.commit_locked(block, nodes, is_new_best, finalize, origin)?;
        Ok(ImportResult::Imported {
            is_new_best,
            finalized,
        })
    }

    /// Commit a block this node built and executed itself (its state changes produced
    /// `trie_nodes`), without executing it again; it becomes best and, on a single-validator
    /// chain, final at once.
    pub fn commit_own(
        &self,
        block: Block,
        trie_nodes: TrieNodes,
        finalize: bool,
    ) -> Result<ImportResult, ClientError> {
        let _guard = self.import_lock.lock();
        let hash = block.header.hash();
        if self.db.block_index(&hash)?.is_some() {
            return Ok(ImportResult::AlreadyInChain);
        }
        let is_new_best = block.header.number > self.info().best_number;
        let finalize = finalize && is_new_best && !self.gadget.load(Ordering::SeqCst);
        let signed = SignedBlock {
            block,
            justifications: None,
        };
        let finalized =
            self.commit_locked(signed, trie_nodes, is_new_best, finalize, BlockOrigin::Own)?;
        Ok(ImportResult::Imported {
            is_new_best,
            finalized,
        })
    }

    /// Write a checked block and announce it; the import lock is held by the caller. With
    /// `finalize`, the block's parent becomes final (one block of lag); returns whether it did.
    fn commit_locked(
        &self,
        block: SignedBlock,
        trie_nodes: TrieNodes,
        make_best: bool,
        finalize: bool,
        origin: BlockOrigin,
    ) -> Result<bool, ClientError> {
        let SignedBlock {
            block: Block { header, extrinsics },
            justifications,
        } = block;
        let hash = header.hash();
        let number = header.number;
        let parent_hash = header.parent_hash;
        // A justification that came with a block from the network is unverified: it goes to
        // the GRANDPA worker, which stores it through `finalize` once it checks out. Storing it
        // here would let a sync peer make this node serve forged proofs (and be banned for
        // them). Blocks from a file keep theirs (the operator's own export).
        let justifications = justifications.filter(|_| origin == BlockOrigin::File);
        let previous_finalized = self.info().finalized_number;
        // A lone authority finalizes with one block of lag, as GRANDPA would: a block becomes
        // final when its child is imported. Clients then see a transaction `inBlock` before it
        // is `finalized` (@polkadot/api drops the in-block status when both arrive at once).
        let finalize_parent = finalize && number.saturating_sub(1) > previous_finalized;
        self.db.commit(BlockCommit {
            hash,
            number,
            parent: parent_hash,
            header: header.encode(),
            body: extrinsics.encode(),
            justification: justifications.map(|j| j.encode()),
            trie_nodes,
            make_best,
            finalize: false,
        })?;
        self.imported_blocks.fetch_add(1, Ordering::Relaxed);
        self.leaves.lock().import(hash, number, parent_hash);
        if origin == BlockOrigin::File {
            tracing::debug!(target: LOG, "✨ Imported #{number} ({})", short_hash(&hash));
        } else {
            tracing::info!(target: LOG, "✨ Imported #{number} ({})", short_hash(&hash));
        }
        let extrinsic_hashes = extrinsics.iter().map(OpaqueExtrinsic::hash).collect();
        // No subscriber is not an error.
        let _ = self.imports.send(BlockNotification {
            hash,
            header: header.clone(),
            is_new_best: make_best,
            extrinsic_hashes,
            origin,
        });
        if finalize_parent {
            self.db.set_finalized(parent_hash, None)?;
            if let Some(parent) = self.try_header(parent_hash)? {
                self.notify_finalized(previous_finalized, number - 1, (parent_hash, parent));
            }
        }
        Ok(finalize_parent)
    }

    /// Announce every block finalized between `previous` (exclusive) and `number` (the block
    /// `last`), in increasing order.
    fn notify_finalized(&self, previous: u32, number: u32, last: (H256, Header)) {
        for n in previous.saturating_add(1)..number {
            let Some(hash) = self.hash_at(n) else {
                continue;
            };
            let Some(header) = self.header(hash) else {
                continue;
            };
            let _ = self.finality.send(FinalityNotification { hash, header });
        }
        let _ = self.finality.send(FinalityNotification {
            hash: last.0,
            header: last.1,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::author::{build_block, seal};
    use crate::keystore::{Keystore, Scheme, AURA};
    use basalt_support::engine_ids::AURA_ENGINE_ID;
    use basalt_support::generic::DigestItem;
    use std::time::{Duration, Instant};

    fn dev_client(path: &std::path::Path) -> Arc<Client> {
        let db = Arc::new(Database::open(path).unwrap());
        Client::new(db, ChainSpec::dev()).unwrap()
    }

    fn account(public: Vec<u8>) -> AccountId {
        AccountId::new(public.try_into().unwrap())
    }

    /// An empty block on `parent` for `slot`, sealed by `author`, without committing it.
    fn make_block(
        client: &Client,
        parent: H256,
        slot: u64,
        keystore: &Keystore,
        author: &AccountId,
    ) -> (Block, TrieNodes) {
        let far = Instant::now() + Duration::from_secs(60);
        // The timestamp always moves on, even for a block that repeats its parent's slot.
        let timestamp = now_ms().max(slot * 2000) + client.info().best_number as u64 * 1000;
        let proposal =
            build_block(client, keystore, author, parent, slot, timestamp, &[], far).unwrap();
        let mut block = proposal.block;
        seal(&mut block.header, keystore, author).unwrap();
        (block, proposal.trie_nodes)
    }

    /// A keystore with the `aura` keys of //Alice and //Bob, and their accounts.
    fn dev_authors() -> (Keystore, AccountId, AccountId) {
        let keystore = Keystore::in_memory();
        let key = |suri: &str| {
            account(
                keystore
                    .insert_suri(AURA, Scheme::Sr25519, suri)
                    .expect("a dev key"),
            )
        };
        let (alice, bob) = (key("//Alice"), key("//Bob"));
        (keystore, alice, bob)
    }

    fn signed(block: Block) -> SignedBlock {
        SignedBlock {
            block,
            justifications: None,
        }
    }

    #[test]
    fn attack_a_forged_justification_riding_with_a_synced_block_is_not_stored() {
        // Stored, it would be served by chain_getBlock, sync and grandpa_proveFinality, and
        // peers would ban this honest node for it. It goes to the GRANDPA worker instead.
        let dir = tempfile::tempdir().unwrap();
        let author = dev_client(&dir.path().join("a"));
        let follower = dev_client(&dir.path().join("b"));
        let (keystore, alice, _) = dev_authors();
        let genesis = author.info().genesis_hash;
        let (b1, nodes) = make_block(&author, genesis, now_ms() / 2000, &keystore, &alice);
        author.commit_own(b1.clone(), nodes, true).unwrap();
        let forged = SignedBlock {
            block: b1.clone(),
            justifications: Some(vec![(GRANDPA_ENGINE_ID, b"forged".to_vec())]),
        };
        follower
            .import_block(forged, BlockOrigin::NetworkInitialSync)
            .unwrap();
        let h1 = b1.header.hash();
        assert_eq!(follower.info().best_hash, h1);
        assert_eq!(follower.block(h1).unwrap().justifications, None);
        assert_eq!(follower.grandpa_justification(h1), None);
    }

    #[test]
    fn attack_a_signature_checked_on_a_retracted_block_is_checked_again() {
        // After a reorg, a mortal transaction whose birth block left the chain no longer has a
        // valid signature; an author trusting the pool's old check would build an invalid block
        // (and be banned by its peers). The check is trusted only on the chain it was made on.
        use crate::author::signature_still_valid;
        let dir = tempfile::tempdir().unwrap();
        let client = dev_client(dir.path());
        let (keystore, alice, bob) = dev_authors();
        let genesis = client.info().genesis_hash;
        let slot = now_ms() / 2000;
        let (a1, nodes) = make_block(&client, genesis, slot, &keystore, &alice);
        client.commit_own(a1.clone(), nodes, true).unwrap();
        let (b1, nodes) = make_block(&client, genesis, slot + 1, &keystore, &bob);
        client.commit_own(b1.clone(), nodes, false).unwrap();
        let (a1, b1) = (a1.header.hash(), b1.header.hash());
        assert_eq!(client.info().best_hash, a1);
        assert!(signature_still_valid(&client, a1, 1, Some((1, a1))));
        assert!(signature_still_valid(&client, a1, 1, Some((0, genesis))));
        // Checked on the fork that lost, or above the parent, or never: checked again.
        assert!(!signature_still_valid(&client, a1, 1, Some((1, b1))));
        assert!(!signature_still_valid(&client, a1, 1, Some((2, a1))));
        assert!(!signature_still_valid(&client, a1, 1, None));
        // Building on a block off the best chain trusts nothing.
        assert!(!signature_still_valid(&client, b1, 1, Some((0, genesis))));
    }

    #[test]
    fn authored_blocks_import_elsewhere_and_bad_ones_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let author = dev_client(&dir.path().join("a"));
        let follower = dev_client(&dir.path().join("b"));
        let (keystore, alice, bob) = dev_authors();
        let genesis = author.info().genesis_hash;
        let slot = now_ms() / 2000;

        let mut notifications = follower.import_notifications();
        let mut finality = follower.finality_notifications();
        let (b1, nodes) = make_block(&author, genesis, slot, &keystore, &alice);
        assert_eq!(
            author.commit_own(b1.clone(), nodes, true).unwrap(),
            ImportResult::Imported {
                is_new_best: true,
                finalized: false
            }
        );
        assert_eq!(
            follower
                .import_block(signed(b1.clone()), BlockOrigin::NetworkBroadcast)
                .unwrap(),
            ImportResult::Imported {
                is_new_best: true,
                finalized: false
            }
        );
        assert_eq!(
            follower
                .import_block(signed(b1.clone()), BlockOrigin::NetworkBroadcast)
                .unwrap(),
            ImportResult::AlreadyInChain
        );
        let h1 = b1.header.hash();
        assert_eq!(follower.info().best_hash, h1);
        // Finality lags one block: block 1 is final once its child is imported.
        assert_eq!(follower.info().finalized_hash, genesis);
        assert_eq!(follower.block(h1).unwrap().block, b1);
        let n = notifications.try_recv().unwrap();
        assert!(n.is_new_best && n.hash == h1 && n.extrinsic_hashes.len() == 1);
        assert!(finality.try_recv().is_err());

        let refuse = |block: Block, what: &str| {
            let result = follower.import_block(signed(block), BlockOrigin::NetworkBroadcast);
            let error = result.expect_err(what).to_string();
            assert_eq!(follower.info().best_hash, h1, "{what} changed the chain");
            error
        };

        // A wrong state root, resealed by the right author, fails re-execution.
        let (good, _) = make_block(&author, h1, slot + 1, &keystore, &alice);
        let mut bad = good.clone();
        bad.header.digest.pop_seal();
        bad.header.state_root = H256::repeat_byte(1);
        seal(&mut bad.header, &keystore, &alice).unwrap();
        assert!(refuse(bad, "bad state root").contains("state root"));
        // Sealed by Bob, who is not an authority.
        let mut bad = good.clone();
        bad.header.digest.pop_seal();
        seal(&mut bad.header, &keystore, &bob).unwrap();
        assert!(refuse(bad, "wrong author").contains("bad seal"));
        // No seal at all.
        let mut bad = good.clone();
        bad.header.digest.pop_seal();
        assert!(refuse(bad, "unsealed").contains("no seal"));
        // A seal that is not 64 bytes.
        let mut bad = good.clone();
        bad.header.digest.pop_seal();
        bad.header
            .digest
            .push(DigestItem::Seal(AURA_ENGINE_ID, vec![1, 2, 3]));
        assert!(refuse(bad, "short seal").contains("64-byte"));
        // attack: the author swaps its VRF item for one over another slot (grinding), or for
        // Bob's, or drops it, and reseals: every one is refused on import.
        use basalt_support::engine_ids::VRF_ENGINE_ID;
        let with_vrf = |header: &mut basalt_support::generic::Header, item: Option<DigestItem>| {
            header.digest.pop_seal();
            let logs = &mut header.digest.logs;
            logs.retain(|l| !matches!(l, DigestItem::PreRuntime(id, _) if *id == VRF_ENGINE_ID));
            logs.extend(item);
            seal(header, &keystore, &alice).unwrap();
        };
        let randomness = author.state_at(h1).map(|state| {
            basalt_support::state::Externalities::new(
                state as Arc<dyn basalt_support::state::Backend>,
            )
            .execute_with(basalt_runtime::api::vrf_randomness)
        });
        let randomness = randomness.unwrap();
        use sp_core::Pair as _;
        let alice_pair = sp_core::sr25519::Pair::from_string("//Alice", None).unwrap();
        let bob_pair = sp_core::sr25519::Pair::from_string("//Bob", None).unwrap();
        for (what, item) in [
            (
                "another slot's VRF",
                Some(basalt_support::vrf::pre_digest(
                    &alice_pair,
                    &randomness,
                    slot + 2,
                )),
            ),
            (
                "another key's VRF",
                Some(basalt_support::vrf::pre_digest(
                    &bob_pair,
                    &randomness,
                    slot + 1,
                )),
            ),
            ("no VRF", None),
            (
                "garbage VRF",
                Some(DigestItem::PreRuntime(VRF_ENGINE_ID, vec![0; 96])),
            ),
        ] {
            let mut bad = good.clone();
            with_vrf(&mut bad.header, item);
            assert!(refuse(bad, what).contains("VRF"), "{what}");
        }
        // The same slot as the parent.
        let (same_slot, _) = make_block(&author, h1, slot, &keystore, &alice);
        assert!(refuse(same_slot, "same slot").contains("not after"));
        // An unknown parent.
        let mut orphan = good.clone();
        orphan.header.parent_hash = H256::repeat_byte(7);
        assert!(matches!(
            follower.import_block(signed(orphan), BlockOrigin::File),
            Err(ClientError::UnknownParent { .. })
        ));
        // An extra extrinsic not covered by the extrinsics root.
        let mut bad = good.clone();
        bad.extrinsics.push(bad.extrinsics[0].clone());
        assert!(refuse(bad, "extra extrinsic").contains("invalid"));

        // The good block still imports.
        assert!(matches!(
            follower
                .import_block(signed(good), BlockOrigin::NetworkBroadcast)
                .unwrap(),
            ImportResult::Imported {
                is_new_best: true,
                ..
            }
        ));
        assert_eq!(follower.info().best_number, 2);
    }

    #[test]
    fn blocks_from_future_slots_wait_and_blame_nobody() {
        let dir = tempfile::tempdir().unwrap();
        let author = dev_client(&dir.path().join("a"));
        let follower = dev_client(&dir.path().join("b"));
        follower.set_slot_duration(2000);
        let (keystore, alice, _) = dev_authors();
        let genesis = author.info().genesis_hash;
        let now = now_ms() / 2000;
        let (early, _) = make_block(
            &author,
            genesis,
            now + 1 + MAX_SLOT_DRIFT,
            &keystore,
            &alice,
        );
        assert!(matches!(
            follower.import_block(signed(early.clone()), BlockOrigin::NetworkBroadcast),
            Err(ClientError::FutureSlot { .. })
        ));
        assert_eq!(follower.info().best_number, 0, "nothing was written");
        // A block within the drift bound imports.
        let (on_time, _) = make_block(&author, genesis, now + MAX_SLOT_DRIFT, &keystore, &alice);
        assert!(follower
            .import_block(signed(on_time), BlockOrigin::NetworkBroadcast)
            .is_ok());
    }

    #[test]
    fn short_hash_is_substrates() {
        let hash = H256::repeat_byte(0xab);
        assert_eq!(short_hash(&hash), "0xabab…abab");
    }

    #[test]
    fn genesis_is_written_once_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let genesis = {
            let db = Arc::new(Database::open(dir.path()).unwrap());
            let client = Client::new(db, ChainSpec::dev()).unwrap();
            let info = client.info();
            assert_eq!(info.best_number, 0);
            assert_eq!(info.best_hash, info.genesis_hash);
            assert_eq!(client.hash_at(0), Some(info.genesis_hash));
            let header = client.header(info.genesis_hash).unwrap();
            assert_eq!(header.parent_hash, H256::zero());
            assert_eq!(header.extrinsics_root, extrinsics_root(&[]));
            assert!(!client.authorities_at(info.genesis_hash).unwrap().is_empty());
            info.genesis_hash
        };
        // Reopening with the same spec finds the same genesis.
        let db = Arc::new(Database::open(dir.path()).unwrap());
        let client = Client::new(db.clone(), ChainSpec::dev()).unwrap();
        assert_eq!(client.info().genesis_hash, genesis);
        drop(client);
        // Another chain spec is refused with a clear error.
        match Client::new(db, ChainSpec::local()) {
            Err(ClientError::GenesisMismatch { .. }) => {}
            other => panic!("expected a genesis mismatch, got {other:?}"),
        }
    }
}
