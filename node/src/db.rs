//! The node's on-disk storage: blocks, the canonical chain, finality and the state trie, in
//! RocksDB.
//!
//! # Layout
//! One RocksDB database with one column family per kind of record:
//!
//! | column        | key                         | value                                          |
//! |---------------|-----------------------------|------------------------------------------------|
//! | `headers`     | block hash                  | SCALE-encoded header                           |
//! | `bodies`      | block hash                  | SCALE `Vec` of extrinsics                      |
//! | `justifications` | block hash               | opaque justification bytes                     |
//! | `block_index` | block hash                  | SCALE `(number: u32, parent: H256)`            |
//! | `canonical`   | block number, u32 big-endian| hash of the best chain's block at that height  |
//! | `state`       | trie node hash              | encoded trie node                              |
//! | `tx_index`    | extrinsic hash (blake2-256) | SCALE `(block hash, index in body)`            |
//! | `meta`        | well-known names            | schema version, best, finalized, genesis       |
//! | `job_outputs` | job id, u64 big-endian      | a provider's output of the job (its worker's)  |
//! | `job_work`    | job id ++ provider account  | the provider worker's journal of the job       |
//!
//! `block_index` exists so that re-orgs and lookups by hash never decode headers: this module
//! does not depend on the header type, which belongs to the runtime's crates.
//!
//! # Crash safety
//! Every change to the chain ([`Database::commit`], [`Database::set_finalized`]) is one
//! RocksDB `WriteBatch` written with `sync = true`: the write-ahead log is fsynced before the
//! call returns, and RocksDB applies a batch atomically across column families. A node killed
//! at any moment therefore restarts with either the whole block (header, body, state nodes,
//! canonical index, best and finalized pointers) or none of it.
//!
//! # Pruning
//! None: this is an archive database. Trie nodes are content-addressed and shared between
//! states, and no node is ever deleted, so every historical state stays readable (which is also
//! what `state_*` RPC queries at old blocks need). Pruning would need reference counts or a
//! mark-and-sweep over the roots of kept blocks; it can be added later without a schema change
//! to the other columns.

use basalt_support::state::trie::{NodeStore, TrieBackend};
use codec::{Compact, Decode, Encode};
use lru::LruCache;
use parking_lot::{Mutex, RwLock};
use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamily, ColumnFamilyDescriptor, DBCompressionType, ErrorKind,
    Options, WriteBatch, WriteOptions, DB,
};
use sp_core::{Blake2Hasher, Hasher, H256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The version of the on-disk layout written by this code. A database with another version is
/// refused at open rather than misread; bump it (and add a migration) when the layout changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Column family names. Kept in one place so that `open` creates exactly these.
mod col {
    pub const HEADERS: &str = "headers";
    pub const BODIES: &str = "bodies";
    pub const JUSTIFICATIONS: &str = "justifications";
    pub const BLOCK_INDEX: &str = "block_index";
    pub const CANONICAL: &str = "canonical";
    pub const STATE: &str = "state";
    pub const TX_INDEX: &str = "tx_index";
    pub const META: &str = "meta";
    pub const JOB_OUTPUTS: &str = "job_outputs";
    pub const JOB_WORK: &str = "job_work";
    pub const ALL: [&str; 10] = [
        HEADERS,
        BODIES,
        JUSTIFICATIONS,
        BLOCK_INDEX,
        CANONICAL,
        STATE,
        TX_INDEX,
        META,
        JOB_OUTPUTS,
        JOB_WORK,
    ];
}

/// The columns the provider worker owns (`crate::provider::store` gives them meaning); they
/// are written apart from the chain, each write one fsynced batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerColumn {
    /// Job outputs, by job id.
    Outputs,
    /// The worker's journal, by job id and provider.
    Work,
}

impl WorkerColumn {
    fn name(self) -> &'static str {
        match self {
            WorkerColumn::Outputs => col::JOB_OUTPUTS,
            WorkerColumn::Work => col::JOB_WORK,
        }
    }
}

/// Keys of the `meta` column.
mod meta_key {
    pub const SCHEMA_VERSION: &[u8] = b"schema_version";
    pub const BEST: &[u8] = b"best";
    pub const FINALIZED: &[u8] = b"finalized";
    pub const GENESIS: &[u8] = b"genesis";
}

/// Tuning knobs of the database, with defaults suitable for a validator.
#[derive(Clone, Debug)]
pub struct DbConfig {
    /// RocksDB's block cache (uncompressed data blocks, indexes and bloom filters), shared by
    /// all columns.
    pub block_cache_bytes: usize,
    /// The decoded-node cache in front of the `state` column (see [`StateStore`]), which
    /// spares block execution the RocksDB lookups of hot trie nodes.
    pub node_cache_bytes: usize,
    /// The most files RocksDB keeps open, so that a large database does not exhaust the
    /// process's file descriptors.
    pub max_open_files: i32,
}

impl Default for DbConfig {
    fn default() -> Self {
        DbConfig {
            block_cache_bytes: 256 << 20,
            node_cache_bytes: 256 << 20,
            max_open_files: 512,
        }
    }
}

/// Why a database operation failed. Nothing is written when an operation fails.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Another process (most likely another node with the same base path) holds the database.
    #[error(
        "the database at {path} is locked by another process; is another node running with the same base path? ({source})"
    )]
    Locked {
        /// The database directory.
        path: PathBuf,
        /// RocksDB's report.
        source: rocksdb::Error,
    },
    /// The database was written by a version of the node with another layout.
    #[error(
        "the database at {path} has schema version {found}, this node reads version {supported}"
    )]
    UnknownSchema {
        /// The database directory.
        path: PathBuf,
        /// The version found on disk.
        found: u32,
        /// [`SCHEMA_VERSION`].
        supported: u32,
    },
    /// RocksDB failed (I/O error, disk full, corruption detected by its checksums...).
    #[error("database error: {0}")]
    Rocks(#[from] rocksdb::Error),
    /// A record on disk does not have the shape this code wrote.
    #[error("the database is corrupt: {0}")]
    Corrupt(String),
    /// The block is not in the database.
    #[error("block {0:?} is not in the database")]
    UnknownBlock(H256),
    /// A block was committed before its parent.
    #[error("the parent {parent:?} of block #{number} is not in the database")]
    UnknownParent {
        /// The number of the committed block.
        number: u32,
        /// Its parent's hash.
        parent: H256,
    },
    /// A block's number is not its parent's number plus one.
    #[error("block #{number} has parent {parent:?}, which is block #{parent_number}")]
    BadNumber {
        /// The number of the committed block.
        number: u32,
        /// Its parent's hash.
        parent: H256,
        /// The parent's number in the database.
        parent_number: u32,
    },
    /// A genesis block other than the database's own was committed.
    #[error("genesis {found:?} differs from this database's genesis {expected:?}")]
    GenesisMismatch {
        /// The database's genesis hash.
        expected: H256,
        /// The committed block's hash.
        found: H256,
    },
    /// Making the block best would remove a finalized block from the canonical chain.
    #[error("making {hash:?} best would revert finalized block #{finalized}")]
    RevertsFinalized {
        /// The block that was to become best.
        hash: H256,
        /// The finalized block number.
        finalized: u32,
    },
    /// Only blocks on the best chain can be finalized.
    #[error("block {0:?} is not on the best chain and cannot be finalized")]
    NotCanonical(H256),
    /// Finality never goes back, nor to another block at the same height.
    #[error("cannot finalize #{number} {hash:?}: block #{finalized} is already finalized")]
    FinalityRegression {
        /// The block to finalize.
        hash: H256,
        /// Its number.
        number: u32,
        /// The number of the block already finalized.
        finalized: u32,
    },
    /// The body is not a SCALE vector of encoded extrinsics.
    #[error("the body of block {0:?} is not a SCALE-encoded vector of extrinsics")]
    BadBody(H256),
}

/// Everything one block adds to the database, written atomically by [`Database::commit`].
#[derive(Clone, Debug, Default)]
pub struct BlockCommit {
    /// The block's hash (blake2-256 of `header`); the caller computes it.
    pub hash: H256,
    /// The block's number.
    pub number: u32,
    /// The parent's hash; must already be in the database unless `number` is 0.
    pub parent: H256,
    /// The SCALE-encoded header.
    pub header: Vec<u8>,
    /// The SCALE-encoded body: `Compact(n)` then each extrinsic's own encoding.
    pub body: Vec<u8>,
    /// The block's justification, if it came with one.
    pub justification: Option<Vec<u8>>,
    /// The trie nodes of the block's post-state that the store may not have, as returned by
    /// `TrieBackend::storage_root`.
    pub trie_nodes: Vec<(H256, Vec<u8>)>,
    /// Whether the block becomes the head of the best chain (re-organising the canonical index
    /// if it is on another fork).
    pub make_best: bool,
    /// Whether the block is final. It must then be on the best chain (usually with
    /// `make_best`).
    pub finalize: bool,
}

/// How the best chain changed in a commit: what the transaction pool must re-validate
/// (`retracted`) and prune (`enacted`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeRoute {
    /// Blocks that left the best chain, highest first.
    pub retracted: Vec<H256>,
    /// Blocks that joined the best chain, lowest first (ending with the new best block, unless
    /// it was already canonical).
    pub enacted: Vec<H256>,
}

/// Best, finalized and genesis pointers, kept in memory so that the node reads them for free.
#[derive(Clone, Copy, Debug, Default)]
struct ChainMeta {
    best: Option<(H256, u32)>,
    finalized: Option<(H256, u32)>,
    genesis: Option<H256>,
}

/// The node's database. Reads may run concurrently from any thread; writes are serialised.
pub struct Database {
    db: Arc<DB>,
    path: PathBuf,
    meta: RwLock<ChainMeta>,
    /// Held for the whole of a write (read the chain, build the batch, write, update `meta`),
    /// so two commits never interleave their re-org computations.
    write_lock: Mutex<()>,
    state: StateStore,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("path", &self.path)
            .field("meta", &*self.meta.read())
            .finish_non_exhaustive()
    }
}

fn cf<'a>(db: &'a DB, name: &'static str) -> Result<&'a ColumnFamily, DbError> {
    db.cf_handle(name)
        .ok_or_else(|| DbError::Corrupt(format!("column family {name} is missing")))
}

fn decode_hash(bytes: &[u8], what: &str) -> Result<H256, DbError> {
    <[u8; 32]>::try_from(bytes)
        .map(H256)
        .map_err(|_| DbError::Corrupt(format!("{what} is {} bytes, not 32", bytes.len())))
}

fn decode_pointer(bytes: &[u8], what: &str) -> Result<(H256, u32), DbError> {
    <(H256, u32)>::decode(&mut &bytes[..])
        .map_err(|_| DbError::Corrupt(format!("{what} pointer does not decode")))
}

/// The blake2-256 hashes of the extrinsics in a SCALE-encoded body (the hash of each
/// extrinsic's full encoding, length prefix included, as Substrate computes extrinsic hashes),
/// or `None` if the body is not such a vector.
fn extrinsic_hashes(body: &[u8]) -> Option<Vec<H256>> {
    let mut input = body;
    let count = Compact::<u32>::decode(&mut input).ok()?.0;
    // Each extrinsic takes at least one byte, so a count beyond the input is a lie.
    let mut hashes = Vec::with_capacity((count as usize).min(input.len()));
    for _ in 0..count {
        let start = input;
        let len = usize::try_from(Compact::<u32>::decode(&mut input).ok()?.0).ok()?;
        let prefix = start.len() - input.len();
        let total = prefix.checked_add(len)?;
        let encoded = start.get(..total)?;
        hashes.push(Blake2Hasher::hash(encoded));
        input = start.get(total..)?;
    }
    input.is_empty().then_some(hashes)
}

impl Database {
    /// Open (or create) the database in directory `path` with the default [`DbConfig`].
    pub fn open(path: &Path) -> Result<Database, DbError> {
        Self::open_with(path, &DbConfig::default())
    }

    /// Open (or create) the database in directory `path`.
    ///
    /// Creates missing column families, refuses a database written with another
    /// [`SCHEMA_VERSION`], and reports [`DbError::Locked`] if another process has it open.
    pub fn open_with(path: &Path, config: &DbConfig) -> Result<Database, DbError> {
        let cache = Cache::new_lru_cache(config.block_cache_bytes);
        let mut table = BlockBasedOptions::default();
        table.set_block_cache(&cache);
        table.set_bloom_filter(10.0, false);
        table.set_cache_index_and_filter_blocks(true);
        table.set_pin_l0_filter_and_index_blocks_in_cache(true);

        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_max_open_files(config.max_open_files);
        opts.set_keep_log_file_num(4);
        opts.set_max_total_wal_size(256 << 20);
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        opts.increase_parallelism(i32::try_from(threads).unwrap_or(2).clamp(2, 8));
        opts.set_bytes_per_sync(1 << 20);

        let descriptors = col::ALL.iter().map(|name| {
            let mut cf_opts = Options::default();
            cf_opts.set_compression_type(DBCompressionType::Lz4);
            cf_opts.set_block_based_table_factory(&table);
            cf_opts.set_level_compaction_dynamic_level_bytes(true);
            ColumnFamilyDescriptor::new(*name, cf_opts)
        });
        let db = DB::open_cf_descriptors(&opts, path, descriptors).map_err(|source| {
            let message = source.as_ref().to_ascii_lowercase();
            if source.kind() == ErrorKind::IOError && message.contains("lock") {
                DbError::Locked {
                    path: path.to_path_buf(),
                    source,
                }
            } else {
                DbError::Rocks(source)
            }
        })?;
        let db = Arc::new(db);

        let meta_cf = cf(&db, col::META)?;
        match db.get_cf(meta_cf, meta_key::SCHEMA_VERSION)? {
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_slice())
                    .map(u32::from_le_bytes)
                    .map_err(|_| DbError::Corrupt("schema version is not 4 bytes".into()))?;
                if found != SCHEMA_VERSION {
                    return Err(DbError::UnknownSchema {
                        path: path.to_path_buf(),
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
            }
            None => {
                if db.get_cf(meta_cf, meta_key::GENESIS)?.is_some() {
                    return Err(DbError::Corrupt("blocks without a schema version".into()));
                }
                let mut batch = WriteBatch::default();
                batch.put_cf(
                    meta_cf,
                    meta_key::SCHEMA_VERSION,
                    SCHEMA_VERSION.to_le_bytes(),
                );
                db.write_opt(batch, &sync_write())?;
            }
        }

        let meta = ChainMeta {
            best: db
                .get_cf(meta_cf, meta_key::BEST)?
                .map(|b| decode_pointer(&b, "best"))
                .transpose()?,
            finalized: db
                .get_cf(meta_cf, meta_key::FINALIZED)?
                .map(|b| decode_pointer(&b, "finalized"))
                .transpose()?,
            genesis: db
                .get_cf(meta_cf, meta_key::GENESIS)?
                .map(|b| decode_hash(&b, "genesis hash"))
                .transpose()?,
        };
        let state = StateStore::new(db.clone(), config.node_cache_bytes);
        Ok(Database {
            db,
            path: path.to_path_buf(),
            meta: RwLock::new(meta),
            write_lock: Mutex::new(()),
            state,
        })
    }

    /// The directory the database lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The head of the best chain and its number, `None` before genesis is committed.
    pub fn best(&self) -> Option<(H256, u32)> {
        self.meta.read().best
    }

    /// The last finalized block and its number, `None` before genesis is committed.
    pub fn finalized(&self) -> Option<(H256, u32)> {
        self.meta.read().finalized
    }

    /// The genesis hash, `None` before genesis is committed.
    pub fn genesis(&self) -> Option<H256> {
        self.meta.read().genesis
    }

    /// A handle on the trie nodes, to read states with [`TrieBackend`].
    pub fn state(&self) -> StateStore {
        self.state.clone()
    }

    /// The state whose root is `root` (usually a header's `state_root`).
    pub fn state_at(&self, root: H256) -> TrieBackend<StateStore> {
        TrieBackend::new(self.state.clone(), root)
    }

    fn get(&self, column: &'static str, key: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        Ok(self.db.get_cf(cf(&self.db, column)?, key)?)
    }

    /// The value under `key` in a worker column.
    pub fn worker_get(&self, column: WorkerColumn, key: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        self.get(column.name(), key)
    }

    /// Writes `puts` and `deletes` to worker columns as one fsynced batch: all or nothing,
    /// durable when this returns.
    pub fn worker_write(
        &self,
        puts: &[(WorkerColumn, &[u8], &[u8])],
        deletes: &[(WorkerColumn, &[u8])],
    ) -> Result<(), DbError> {
        let db = &*self.db;
        let mut batch = WriteBatch::default();
        for (column, key, value) in puts {
            batch.put_cf(cf(db, column.name())?, key, value);
        }
        for (column, key) in deletes {
            batch.delete_cf(cf(db, column.name())?, key);
        }
        db.write_opt(batch, &sync_write())?;
        Ok(())
    }

    /// Every key of a worker column with the length of its value, in key order.
    pub fn worker_entries(&self, column: WorkerColumn) -> Result<Vec<(Vec<u8>, usize)>, DbError> {
        let db = &*self.db;
        let mut out = Vec::new();
        for item in db.iterator_cf(cf(db, column.name())?, rocksdb::IteratorMode::Start) {
            let (key, value) = item?;
            out.push((key.to_vec(), value.len()));
        }
        Ok(out)
    }

    /// The SCALE-encoded header of block `hash`.
    pub fn header(&self, hash: &H256) -> Result<Option<Vec<u8>>, DbError> {
        self.get(col::HEADERS, hash.as_bytes())
    }

    /// The SCALE-encoded body of block `hash`.
    pub fn body(&self, hash: &H256) -> Result<Option<Vec<u8>>, DbError> {
        self.get(col::BODIES, hash.as_bytes())
    }

    /// The justification of block `hash`, if it has one.
    pub fn justification(&self, hash: &H256) -> Result<Option<Vec<u8>>, DbError> {
        self.get(col::JUSTIFICATIONS, hash.as_bytes())
    }

    /// The number and parent hash of block `hash`, without decoding its header.
    pub fn block_index(&self, hash: &H256) -> Result<Option<(u32, H256)>, DbError> {
        self.get(col::BLOCK_INDEX, hash.as_bytes())?
            .map(|bytes| {
                <(u32, H256)>::decode(&mut &bytes[..])
                    .map_err(|_| DbError::Corrupt(format!("block index entry of {hash:?}")))
            })
            .transpose()
    }

    /// The number of block `hash`.
    pub fn number(&self, hash: &H256) -> Result<Option<u32>, DbError> {
        Ok(self.block_index(hash)?.map(|(number, _)| number))
    }

    /// The hash of the best chain's block at height `number`.
    pub fn hash_at(&self, number: u32) -> Result<Option<H256>, DbError> {
        self.get(col::CANONICAL, &number.to_be_bytes())?
            .map(|bytes| decode_hash(&bytes, "canonical hash"))
            .transpose()
    }

    /// Where extrinsic `hash` is on the best chain: its block and its index in the body.
    /// `None` if it is in no block of the best chain (entries left by retracted forks are
    /// filtered out here).
    pub fn transaction(&self, hash: &H256) -> Result<Option<(H256, u32)>, DbError> {
        let Some(bytes) = self.get(col::TX_INDEX, hash.as_bytes())? else {
            return Ok(None);
        };
        let (block, index) = decode_pointer(&bytes, "transaction index")?;
        let canonical = match self.number(&block)? {
            Some(number) => self.hash_at(number)? == Some(block),
            None => false,
        };
        Ok(canonical.then_some((block, index)))
    }

    /// Write one block, and everything it changes, atomically and durably.
    ///
    /// Checks that the parent is known and the number follows it; that a genesis block
    /// (`number == 0`) is this database's genesis; with `make_best`, that no finalized block is
    /// reverted; with `finalize`, that the block ends up on the best chain and finality does not
    /// go back. On any error nothing is written. Returns how the best chain changed.
    pub fn commit(&self, c: BlockCommit) -> Result<TreeRoute, DbError> {
        let _guard = self.write_lock.lock();
        let mut meta = *self.meta.read();
        let db = &*self.db;

        if c.number == 0 {
            if let Some(genesis) = meta.genesis {
                if genesis != c.hash {
                    return Err(DbError::GenesisMismatch {
                        expected: genesis,
                        found: c.hash,
                    });
                }
            }
        } else {
            match self.block_index(&c.parent)? {
                None => {
                    return Err(DbError::UnknownParent {
                        number: c.number,
                        parent: c.parent,
                    })
                }
                Some((parent_number, _)) if parent_number.checked_add(1) != Some(c.number) => {
                    return Err(DbError::BadNumber {
                        number: c.number,
                        parent: c.parent,
                        parent_number,
                    });
                }
                Some(_) => {}
            }
        }
        let tx_hashes = extrinsic_hashes(&c.body).ok_or(DbError::BadBody(c.hash))?;

        let mut batch = WriteBatch::default();
        let key = c.hash.as_bytes();
        batch.put_cf(cf(db, col::HEADERS)?, key, &c.header);
        batch.put_cf(cf(db, col::BODIES)?, key, &c.body);
        batch.put_cf(
            cf(db, col::BLOCK_INDEX)?,
            key,
            (c.number, c.parent).encode(),
        );
        if let Some(justification) = &c.justification {
            batch.put_cf(cf(db, col::JUSTIFICATIONS)?, key, justification);
        }
        let state_cf = cf(db, col::STATE)?;
        for (hash, node) in &c.trie_nodes {
            batch.put_cf(state_cf, hash.as_bytes(), node);
        }
        let meta_cf = cf(db, col::META)?;
        if c.number == 0 && meta.genesis.is_none() {
            batch.put_cf(meta_cf, meta_key::GENESIS, key);
            meta.genesis = Some(c.hash);
        }

        let route = if c.make_best {
            let route = self.set_best_in(&mut batch, &mut meta, c.hash, c.number, c.parent)?;
            // The new block's body is not on disk yet: index its extrinsics from `c.body`.
            let tx_cf = cf(db, col::TX_INDEX)?;
            for (index, tx) in tx_hashes.iter().enumerate() {
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                batch.put_cf(tx_cf, tx.as_bytes(), (c.hash, index).encode());
            }
            route
        } else {
            TreeRoute::default()
        };

        if c.finalize {
            let canonical = c.make_best || self.hash_at(c.number)? == Some(c.hash);
            if !canonical {
                return Err(DbError::NotCanonical(c.hash));
            }
            Self::finalize_in(&mut batch, meta_cf, &mut meta, c.hash, c.number)?;
        }

        db.write_opt(batch, &sync_write())?;
        *self.meta.write() = meta;
        drop(_guard);
        self.state.cache_nodes(c.trie_nodes);
        Ok(route)
    }

    /// Finalize the best-chain block `hash`, storing its `justification` if given, atomically
    /// and durably. Finalizing the already finalized block again is allowed (to attach a
    /// justification).
    pub fn set_finalized(&self, hash: H256, justification: Option<Vec<u8>>) -> Result<(), DbError> {
        self.finalize_with(hash, justification, None)
    }

    /// Make `head` the best block and finalize `hash` (which must then be on the best chain),
    /// storing `justification`, in one atomic, durable write: what following a finalized fork
    /// needs, so that a crash can never leave the new best without the finality that chose it.
    pub fn set_best_and_finalized(
        &self,
        head: H256,
        hash: H256,
        justification: Option<Vec<u8>>,
    ) -> Result<(), DbError> {
        self.finalize_with(hash, justification, Some(head))
    }

    fn finalize_with(
        &self,
        hash: H256,
        justification: Option<Vec<u8>>,
        reorg_to: Option<H256>,
    ) -> Result<(), DbError> {
        let _guard = self.write_lock.lock();
        let mut meta = *self.meta.read();
        let db = &*self.db;
        let number = self.number(&hash)?.ok_or(DbError::UnknownBlock(hash))?;
        let mut batch = WriteBatch::default();
        let canonical = match reorg_to {
            Some(head) => {
                let (head_number, parent) = self
                    .block_index(&head)?
                    .ok_or(DbError::UnknownBlock(head))?;
                let route = self.set_best_in(&mut batch, &mut meta, head, head_number, parent)?;
                route.enacted.contains(&hash)
                    || (self.hash_at(number)? == Some(hash) && !route.retracted.contains(&hash))
            }
            None => self.hash_at(number)? == Some(hash),
        };
        if !canonical {
            return Err(DbError::NotCanonical(hash));
        }
        Self::finalize_in(&mut batch, cf(db, col::META)?, &mut meta, hash, number)?;
        if let Some(justification) = &justification {
            batch.put_cf(cf(db, col::JUSTIFICATIONS)?, hash.as_bytes(), justification);
        }
        db.write_opt(batch, &sync_write())?;
        *self.meta.write() = meta;
        Ok(())
    }

    /// Add to `batch` the finalization of `(hash, number)`, checking it does not go back.
    fn finalize_in(
        batch: &mut WriteBatch,
        meta_cf: &ColumnFamily,
        meta: &mut ChainMeta,
        hash: H256,
        number: u32,
    ) -> Result<(), DbError> {
        if let Some((old_hash, old_number)) = meta.finalized {
            if number < old_number || (number == old_number && hash != old_hash) {
                return Err(DbError::FinalityRegression {
                    hash,
                    number,
                    finalized: old_number,
                });
            }
        }
        batch.put_cf(meta_cf, meta_key::FINALIZED, (hash, number).encode());
        meta.finalized = Some((hash, number));
        Ok(())
    }

    /// Add to `batch` the canonical-index rewrite that makes `hash` (number `number`, child of
    /// `parent`) the best block: walk back from `parent` until the current canonical chain is
    /// met, point the heights of the new branch at it, and remove the heights above `number`
    /// that the old best chain had. Also re-indexes the extrinsics of enacted ancestors.
    fn set_best_in(
        &self,
        batch: &mut WriteBatch,
        meta: &mut ChainMeta,
        hash: H256,
        number: u32,
        parent: H256,
    ) -> Result<TreeRoute, DbError> {
        let db = &*self.db;
        // The new branch, from the new block down to the first block already canonical.
        let mut branch = Vec::new();
        if self.hash_at(number)? != Some(hash) {
            branch.push((number, hash));
            let mut cursor = number.checked_sub(1).map(|n| (n, parent));
            while let Some((n, h)) = cursor {
                if self.hash_at(n)? == Some(h) {
                    break;
                }
                branch.push((n, h));
                let (found, grandparent) = self.block_index(&h)?.ok_or_else(|| {
                    DbError::Corrupt(format!("ancestor {h:?} of {hash:?} has no index entry"))
                })?;
                if found != n {
                    return Err(DbError::Corrupt(format!(
                        "{h:?} is indexed as #{found}, expected #{n}"
                    )));
                }
                cursor = n.checked_sub(1).map(|n| (n, grandparent));
            }
        }
        branch.reverse();
        // The lowest height whose canonical entry changes.
        let first_changed = branch.first().map_or(number.saturating_add(1), |(n, _)| *n);
        let old_best = meta.best.map_or(0, |(_, n)| n);

        if let Some((_, finalized)) = meta.finalized {
            // Heights from `first_changed` up are rewritten or removed; the finalized one must
            // not be among them, and must stay below the new head.
            if number < finalized || first_changed <= finalized {
                return Err(DbError::RevertsFinalized { hash, finalized });
            }
        }

        let canonical_cf = cf(db, col::CANONICAL)?;
        let mut retracted = Vec::new();
        if meta.best.is_some() {
            for n in (first_changed..=old_best).rev() {
                if let Some(old) = self.hash_at(n)? {
                    retracted.push(old);
                }
                if n > number {
                    batch.delete_cf(canonical_cf, n.to_be_bytes());
                }
            }
        }
        let tx_cf = cf(db, col::TX_INDEX)?;
        for (n, h) in &branch {
            batch.put_cf(canonical_cf, n.to_be_bytes(), h.as_bytes());
            if *h == hash {
                continue; // The caller indexes the new block's extrinsics.
            }
            let body = self
                .body(h)?
                .ok_or_else(|| DbError::Corrupt(format!("block {h:?} has no body")))?;
            let hashes = extrinsic_hashes(&body).ok_or_else(|| {
                DbError::Corrupt(format!("the stored body of {h:?} does not decode"))
            })?;
            for (index, tx) in hashes.iter().enumerate() {
                let index = u32::try_from(index).unwrap_or(u32::MAX);
                batch.put_cf(tx_cf, tx.as_bytes(), (*h, index).encode());
            }
        }
        batch.put_cf(cf(db, col::META)?, meta_key::BEST, (hash, number).encode());
        meta.best = Some((hash, number));
        Ok(TreeRoute {
            retracted,
            enacted: branch.into_iter().map(|(_, h)| h).collect(),
        })
    }
}

/// Write options for chain updates: fsync the write-ahead log before returning.
fn sync_write() -> WriteOptions {
    let mut options = WriteOptions::default();
    options.set_sync(true);
    options
}

/// The number of independently locked parts of the node cache, so that concurrent readers
/// (block execution, RPC) rarely wait for each other.
const CACHE_SHARDS: usize = 16;

/// The bytes a cached node costs beyond its encoding (key, allocation, LRU links), for the
/// cache's budget.
const CACHE_ENTRY_OVERHEAD: usize = 96;

/// One shard of the node cache: an LRU map bounded by the bytes it holds.
struct CacheShard {
    nodes: LruCache<H256, Vec<u8>>,
    bytes: usize,
    budget: usize,
}

impl CacheShard {
    fn insert(&mut self, hash: H256, node: Vec<u8>) {
        let cost = node.len().saturating_add(CACHE_ENTRY_OVERHEAD);
        if cost > self.budget {
            return;
        }
        if let Some(old) = self.nodes.put(hash, node) {
            self.bytes = self
                .bytes
                .saturating_sub(old.len().saturating_add(CACHE_ENTRY_OVERHEAD));
        }
        self.bytes = self.bytes.saturating_add(cost);
        while self.bytes > self.budget {
            match self.nodes.pop_lru() {
                Some((_, evicted)) => {
                    let freed = evicted.len().saturating_add(CACHE_ENTRY_OVERHEAD);
                    self.bytes = self.bytes.saturating_sub(freed);
                }
                None => {
                    self.bytes = 0;
                    break;
                }
            }
        }
    }
}

struct StateInner {
    db: Arc<DB>,
    shards: Vec<Mutex<CacheShard>>,
}

/// The trie nodes of every state, in the database's `state` column, behind an LRU cache.
///
/// A cheap handle (clone it freely) that implements [`NodeStore`], so that
/// `TrieBackend<StateStore>` reads states straight from disk. The cache is bounded by bytes
/// ([`DbConfig::node_cache_bytes`]); nodes written by [`Database::commit`] enter it, since the
/// next block reads the paths its parent just wrote. The handle keeps the database open while it
/// lives.
#[derive(Clone)]
pub struct StateStore {
    inner: Arc<StateInner>,
}

impl StateStore {
    fn new(db: Arc<DB>, cache_bytes: usize) -> Self {
        let budget = cache_bytes / CACHE_SHARDS;
        let shards = (0..CACHE_SHARDS)
            .map(|_| {
                Mutex::new(CacheShard {
                    nodes: LruCache::unbounded(),
                    bytes: 0,
                    budget,
                })
            })
            .collect();
        StateStore {
            inner: Arc::new(StateInner { db, shards }),
        }
    }

    fn shard(&self, hash: &H256) -> Option<&Mutex<CacheShard>> {
        // Hashes are uniform: the first byte spreads nodes evenly over the shards.
        self.inner.shards.get(usize::from(hash.0[0]) % CACHE_SHARDS)
    }

    fn cache_nodes(&self, nodes: Vec<(H256, Vec<u8>)>) {
        for (hash, node) in nodes {
            if let Some(shard) = self.shard(&hash) {
                shard.lock().insert(hash, node);
            }
        }
    }
}

impl NodeStore for StateStore {
    fn get_node(&self, hash: &H256) -> Option<Vec<u8>> {
        let shard = self.shard(hash)?;
        if let Some(node) = shard.lock().nodes.get(hash) {
            return Some(node.clone());
        }
        let column = self.inner.db.cf_handle(col::STATE)?;
        match self.inner.db.get_pinned_cf(column, hash.as_bytes()) {
            Ok(Some(bytes)) => {
                let node = bytes.to_vec();
                shard.lock().insert(*hash, node.clone());
                Some(node)
            }
            Ok(None) => None,
            Err(error) => {
                // Reported as a missing node: the trie marks the state corrupt and the block
                // using it is rejected rather than executed on wrong data.
                tracing::error!(target: "db", %error, ?hash, "reading a trie node failed");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Database {
        /// Make the known block `hash` the head of the best chain, alone (the node moves best
        /// with a commit, or with the finality it follows: `set_best_and_finalized`).
        fn set_best(&self, hash: H256) -> Result<TreeRoute, DbError> {
            let _guard = self.write_lock.lock();
            let mut meta = *self.meta.read();
            let (number, parent) = self
                .block_index(&hash)?
                .ok_or(DbError::UnknownBlock(hash))?;
            let mut batch = WriteBatch::default();
            let route = self.set_best_in(&mut batch, &mut meta, hash, number, parent)?;
            self.db.write_opt(batch, &sync_write())?;
            *self.meta.write() = meta;
            Ok(route)
        }
    }
    use basalt_support::state::Backend;

    /// A SCALE body of `n` distinct small extrinsics tagged with `tag`.
    fn body(tag: u8, n: u8) -> Vec<u8> {
        let txs: Vec<Vec<u8>> = (0..n).map(|i| vec![0x04, tag, i]).collect();
        txs.encode()
    }

    fn hash_of(tag: &[u8]) -> H256 {
        Blake2Hasher::hash(tag)
    }

    /// A block commit child of `parent`, with hash derived from `tag`.
    fn block(tag: &str, number: u32, parent: H256) -> BlockCommit {
        BlockCommit {
            hash: hash_of(tag.as_bytes()),
            number,
            parent,
            header: format!("header {tag}").into_bytes(),
            body: body(tag.as_bytes()[0], 2),
            justification: None,
            trie_nodes: Vec::new(),
            make_best: true,
            finalize: false,
        }
    }

    fn genesis() -> BlockCommit {
        BlockCommit {
            finalize: true,
            ..block("genesis", 0, H256::zero())
        }
    }

    #[test]
    fn commit_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path()).unwrap();
        assert_eq!(db.best(), None);
        let g = genesis();
        db.commit(g.clone()).unwrap();
        let b1 = BlockCommit {
            justification: Some(b"just".to_vec()),
            trie_nodes: vec![(hash_of(b"node"), b"node".to_vec())],
            ..block("b1", 1, g.hash)
        };
        let route = db.commit(b1.clone()).unwrap();
        assert_eq!(
            route,
            TreeRoute {
                retracted: vec![],
                enacted: vec![b1.hash]
            }
        );

        assert_eq!(db.header(&b1.hash).unwrap(), Some(b1.header.clone()));
        assert_eq!(db.body(&b1.hash).unwrap(), Some(b1.body.clone()));
        assert_eq!(db.justification(&b1.hash).unwrap(), Some(b"just".to_vec()));
        assert_eq!(db.justification(&g.hash).unwrap(), None);
        assert_eq!(db.block_index(&b1.hash).unwrap(), Some((1, g.hash)));
        assert_eq!(db.hash_at(0).unwrap(), Some(g.hash));
        assert_eq!(db.hash_at(1).unwrap(), Some(b1.hash));
        assert_eq!(db.hash_at(2).unwrap(), None);
        assert_eq!(db.best(), Some((b1.hash, 1)));
        assert_eq!(db.finalized(), Some((g.hash, 0)));
        assert_eq!(db.genesis(), Some(g.hash));
        assert_eq!(
            db.state().get_node(&hash_of(b"node")),
            Some(b"node".to_vec())
        );
        assert_eq!(db.header(&hash_of(b"nope")).unwrap(), None);

        // Extrinsics are indexed by the hash of their full encoding.
        let tx = vec![0x04u8, b'b', 1];
        let tx_hash = Blake2Hasher::hash(&tx.encode());
        assert_eq!(db.transaction(&tx_hash).unwrap(), Some((b1.hash, 1)));
        assert_eq!(db.transaction(&hash_of(b"no tx")).unwrap(), None);

        db.set_finalized(b1.hash, Some(b"final".to_vec())).unwrap();
        assert_eq!(db.finalized(), Some((b1.hash, 1)));
        assert_eq!(db.justification(&b1.hash).unwrap(), Some(b"final".to_vec()));
        assert!(matches!(
            db.set_finalized(g.hash, None),
            Err(DbError::FinalityRegression { .. })
        ));
        assert!(matches!(
            db.set_finalized(hash_of(b"x"), None),
            Err(DbError::UnknownBlock(_))
        ));
    }

    #[test]
    fn reopen_keeps_pointers_and_data() {
        let dir = tempfile::tempdir().unwrap();
        let g = genesis();
        let b1 = block("b1", 1, g.hash);
        let b2 = block("b2", 2, b1.hash);
        {
            let db = Database::open(dir.path()).unwrap();
            db.commit(g.clone()).unwrap();
            db.commit(b1.clone()).unwrap();
            db.commit(b2.clone()).unwrap();
            db.set_finalized(b1.hash, None).unwrap();
        }
        let db = Database::open(dir.path()).unwrap();
        assert_eq!(db.genesis(), Some(g.hash));
        assert_eq!(db.best(), Some((b2.hash, 2)));
        assert_eq!(db.finalized(), Some((b1.hash, 1)));
        assert_eq!(db.header(&b2.hash).unwrap(), Some(b2.header));
        assert_eq!(db.hash_at(2).unwrap(), Some(b2.hash));
        // Another genesis is refused.
        let other = BlockCommit {
            hash: hash_of(b"other genesis"),
            ..genesis()
        };
        assert!(matches!(
            db.commit(other),
            Err(DbError::GenesisMismatch { .. })
        ));
    }

    #[test]
    fn locked_database_and_unknown_schema_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path()).unwrap();
        let second = Database::open(dir.path());
        assert!(matches!(second, Err(DbError::Locked { .. })), "{second:?}");
        if let Err(error) = second {
            assert!(error.to_string().contains("locked"));
        }
        // Pretend a future version wrote the database.
        let meta = cf(&db.db, col::META).unwrap();
        db.db
            .put_cf(meta, meta_key::SCHEMA_VERSION, 99u32.to_le_bytes())
            .unwrap();
        drop(db);
        match Database::open(dir.path()) {
            Err(DbError::UnknownSchema {
                found: 99,
                supported: SCHEMA_VERSION,
                ..
            }) => {}
            other => panic!("expected UnknownSchema, got {other:?}"),
        }
    }

    #[test]
    fn failed_commits_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path()).unwrap();
        let g = genesis();
        db.commit(g.clone()).unwrap();
        let node = (hash_of(b"orphan node"), b"orphan node".to_vec());

        let orphan = BlockCommit {
            trie_nodes: vec![node.clone()],
            ..block("orphan", 5, hash_of(b"?"))
        };
        assert!(matches!(
            db.commit(orphan.clone()),
            Err(DbError::UnknownParent { .. })
        ));
        let wrong_number = BlockCommit {
            trie_nodes: vec![node.clone()],
            ..block("wrong", 3, g.hash)
        };
        assert!(matches!(
            db.commit(wrong_number.clone()),
            Err(DbError::BadNumber { .. })
        ));
        let bad_body = BlockCommit {
            body: vec![0x08, 0x04],
            trie_nodes: vec![node.clone()],
            ..block("bad body", 1, g.hash)
        };
        assert!(matches!(
            db.commit(bad_body.clone()),
            Err(DbError::BadBody(_))
        ));
        let not_best = BlockCommit {
            make_best: false,
            finalize: true,
            trie_nodes: vec![node.clone()],
            ..block("not best", 1, g.hash)
        };
        assert!(matches!(
            db.commit(not_best.clone()),
            Err(DbError::NotCanonical(_))
        ));

        for failed in [&orphan, &wrong_number, &bad_body, &not_best] {
            assert_eq!(db.header(&failed.hash).unwrap(), None);
            assert_eq!(db.body(&failed.hash).unwrap(), None);
            assert_eq!(db.block_index(&failed.hash).unwrap(), None);
        }
        assert_eq!(db.state().get_node(&node.0), None);
        assert_eq!(db.best(), Some((g.hash, 0)));
        assert_eq!(db.finalized(), Some((g.hash, 0)));
        assert_eq!(db.hash_at(1).unwrap(), None);
    }

    #[test]
    fn reorg_rewrites_the_canonical_index() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::open(dir.path()).unwrap();
        let g = genesis();
        db.commit(g.clone()).unwrap();
        // Chain A: g - a1 - a2 - a3. Chain B: g - a1 - b2 - b3 - b4, imported without being
        // best until b4.
        let a1 = block("a1", 1, g.hash);
        let a2 = block("a2", 2, a1.hash);
        let a3 = block("a3", 3, a2.hash);
        for b in [&a1, &a2, &a3] {
            db.commit(b.clone()).unwrap();
        }
        let b2 = BlockCommit {
            make_best: false,
            ..block("b2", 2, a1.hash)
        };
        let b3 = BlockCommit {
            make_best: false,
            ..block("b3", 3, b2.hash)
        };
        db.commit(b2.clone()).unwrap();
        db.commit(b3.clone()).unwrap();
        assert_eq!(db.best(), Some((a3.hash, 3)));
        assert_eq!(db.hash_at(2).unwrap(), Some(a2.hash));
        let b_tx = Blake2Hasher::hash(&vec![0x04u8, b'b', 0].encode());
        let a_tx = Blake2Hasher::hash(&vec![0x04u8, b'a', 0].encode());
        // b2 and b3 share their extrinsics' hashes (same tag): none on the best chain yet.
        assert_eq!(db.transaction(&b_tx).unwrap(), None);
        assert_eq!(db.transaction(&a_tx).unwrap().map(|(_, i)| i), Some(0));

        let b4 = block("b4", 4, b3.hash);
        let route = db.commit(b4.clone()).unwrap();
        assert_eq!(route.retracted, vec![a3.hash, a2.hash]);
        assert_eq!(route.enacted, vec![b2.hash, b3.hash, b4.hash]);
        assert_eq!(db.best(), Some((b4.hash, 4)));
        let canonical: Vec<_> = (0..=4).map(|n| db.hash_at(n).unwrap()).collect();
        assert_eq!(
            canonical,
            vec![
                Some(g.hash),
                Some(a1.hash),
                Some(b2.hash),
                Some(b3.hash),
                Some(b4.hash)
            ]
        );
        assert!(db.transaction(&b_tx).unwrap().is_some());

        // Back to the shorter chain A: heights above 3 disappear.
        let route = db.set_best(a3.hash).unwrap();
        assert_eq!(route.retracted, vec![b4.hash, b3.hash, b2.hash]);
        assert_eq!(route.enacted, vec![a2.hash, a3.hash]);
        assert_eq!(db.hash_at(4).unwrap(), None);
        assert_eq!(db.hash_at(2).unwrap(), Some(a2.hash));
        assert_eq!(
            db.transaction(&b_tx).unwrap(),
            None,
            "retracted extrinsics are not reported"
        );

        // Following a finalized fork: best and finalized move in one write, and a finalized
        // block off the new best chain is refused with nothing written.
        {
            let dir = tempfile::tempdir().unwrap();
            let other = Database::open(dir.path()).unwrap();
            for b in [&g, &a1, &a2, &a3] {
                other.commit(b.clone()).unwrap();
            }
            for b in [&b2, &b3] {
                other.commit(b.clone()).unwrap();
            }
            assert!(matches!(
                other.set_best_and_finalized(b3.hash, a2.hash, None),
                Err(DbError::NotCanonical(_))
            ));
            assert_eq!(other.best(), Some((a3.hash, 3)));
            assert_eq!(other.finalized(), Some((g.hash, 0)));
            other
                .set_best_and_finalized(b3.hash, b2.hash, Some(b"j".to_vec()))
                .unwrap();
            assert_eq!(other.best(), Some((b3.hash, 3)));
            assert_eq!(other.finalized(), Some((b2.hash, 2)));
            assert_eq!(other.hash_at(2).unwrap(), Some(b2.hash));
            assert_eq!(other.justification(&b2.hash).unwrap(), Some(b"j".to_vec()));
        }

        // Once a2 is final, chain B cannot become best again.
        db.set_finalized(a2.hash, None).unwrap();
        assert!(matches!(
            db.set_best(b4.hash),
            Err(DbError::RevertsFinalized { .. })
        ));
        assert!(matches!(
            db.set_best(a1.hash),
            Err(DbError::RevertsFinalized { .. })
        ));
        assert!(matches!(
            db.set_finalized(b3.hash, None),
            Err(DbError::NotCanonical(_))
        ));
        assert_eq!(db.best(), Some((a3.hash, 3)));
        let a4 = BlockCommit {
            finalize: true,
            ..block("a4", 4, a3.hash)
        };
        db.commit(a4.clone()).unwrap();
        assert_eq!(db.finalized(), Some((a4.hash, 4)));
        assert_eq!(db.hash_at(4).unwrap(), Some(a4.hash));
    }

    #[test]
    fn state_store_reads_committed_nodes_through_the_trie() {
        let dir = tempfile::tempdir().unwrap();
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0u32..500)
            .map(|i| {
                (
                    Blake2Hasher::hash(&i.to_le_bytes()).as_bytes().to_vec(),
                    i.encode().repeat(i as usize % 17),
                )
            })
            .collect();
        let g = genesis();
        let b1 = block("b1", 1, g.hash);
        let (root, root1) = {
            let db = Database::open(dir.path()).unwrap();
            let empty = db.state_at(basalt_support::state::trie::EMPTY_TRIE_ROOT);
            let (root, nodes) = empty
                .storage_root(
                    pairs
                        .iter()
                        .map(|(k, v)| (k.as_slice(), Some(v.as_slice()))),
                )
                .unwrap();
            db.commit(BlockCommit {
                trie_nodes: nodes,
                ..g.clone()
            })
            .unwrap();
            // Block 1 deletes the first 100 keys and changes the next 100.
            let state = db.state_at(root);
            let changed: Vec<(Vec<u8>, Option<Vec<u8>>)> = pairs[..200]
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), (i >= 100).then(|| vec![1; 40])))
                .collect();
            let (root1, nodes) = state
                .storage_root(changed.iter().map(|(k, v)| (k.as_slice(), v.as_deref())))
                .unwrap();
            db.commit(BlockCommit {
                trie_nodes: nodes,
                ..b1.clone()
            })
            .unwrap();
            (root, root1)
        };

        // After reopening, both states read back (archive: nothing is pruned).
        let db = Database::open(dir.path()).unwrap();
        let state = db.state_at(root);
        for (key, value) in &pairs {
            assert_eq!(state.storage(key).as_ref(), Some(value));
        }
        let state1 = db.state_at(root1);
        for (i, (key, value)) in pairs.iter().enumerate() {
            let expected = match i {
                0..=99 => None,
                100..=199 => Some(vec![1; 40]),
                _ => Some(value.clone()),
            };
            assert_eq!(state1.storage(key), expected);
        }
        assert!(!state.is_corrupt() && !state1.is_corrupt());
        let unknown = db.state_at(hash_of(b"no such root"));
        assert_eq!(unknown.storage(&pairs[0].0), None);
        assert!(unknown.is_corrupt());
    }

    #[test]
    fn tiny_node_cache_still_serves_reads() {
        let dir = tempfile::tempdir().unwrap();
        let config = DbConfig {
            node_cache_bytes: 0,
            ..DbConfig::default()
        };
        let db = Database::open_with(dir.path(), &config).unwrap();
        let nodes: Vec<(H256, Vec<u8>)> =
            (0u8..50).map(|i| (hash_of(&[i]), vec![i; 300])).collect();
        db.commit(BlockCommit {
            trie_nodes: nodes.clone(),
            ..genesis()
        })
        .unwrap();
        for (hash, node) in &nodes {
            assert_eq!(db.state().get_node(hash).as_ref(), Some(node));
        }
    }

    /// Set in the child process of [`kill_9_leaves_whole_blocks`] to the database directory.
    const CRASH_CHILD_ENV: &str = "BASALT_DB_CRASH_CHILD";
    /// Trie nodes each block of the crash test writes.
    const CRASH_NODES_PER_BLOCK: u32 = 64;

    fn crash_block(number: u32) -> BlockCommit {
        let parent = match number {
            0 => H256::zero(),
            n => hash_of(&(n - 1).to_le_bytes()),
        };
        let trie_nodes = (0..CRASH_NODES_PER_BLOCK)
            .map(|i| {
                let node = [number.to_le_bytes(), i.to_le_bytes()].concat().repeat(8);
                (Blake2Hasher::hash(&node), node)
            })
            .collect();
        BlockCommit {
            hash: hash_of(&number.to_le_bytes()),
            number,
            parent,
            header: number.encode().repeat(100),
            body: body((number % 251) as u8, 3),
            justification: None,
            trie_nodes,
            make_best: true,
            finalize: number % 8 == 0,
        }
    }

    /// The child's side: commit blocks on top of the best one until killed.
    fn crash_child(dir: &Path) -> ! {
        let db = Database::open(dir).expect("child opens the database");
        let mut next = db.best().map_or(0, |(_, n)| n + 1);
        loop {
            db.commit(crash_block(next)).expect("child commits");
            next += 1;
        }
    }

    /// Kill -9 a process in the middle of committing blocks, several times: every reopening
    /// finds a consistent chain made of whole blocks.
    #[test]
    fn kill_9_leaves_whole_blocks() {
        if let Some(dir) = std::env::var_os(CRASH_CHILD_ENV) {
            crash_child(Path::new(&dir));
        }
        let dir = tempfile::tempdir().unwrap();
        let test_name = format!(
            "{}::kill_9_leaves_whole_blocks",
            module_path!()
                .split_once("::")
                .map_or(module_path!(), |(_, rest)| rest)
        );
        let mut previous_best = 0;
        for round in 0..4u64 {
            let mut child = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", &test_name, "--nocapture", "--test-threads=1"])
                .env(CRASH_CHILD_ENV, dir.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300 + 150 * round));
            child.kill().unwrap();
            child.wait().unwrap();

            let db = Database::open(dir.path()).unwrap();
            let Some((best, n)) = db.best() else {
                assert_eq!(round, 0, "the chain vanished");
                continue;
            };
            eprintln!("round {round}: reopened at best #{n}");
            assert!(
                n >= previous_best,
                "best went back from #{previous_best} to #{n}"
            );
            previous_best = n;
            assert_eq!(db.hash_at(n + 1).unwrap(), None);
            for k in 0..=n {
                let expected = crash_block(k);
                let hash = db.hash_at(k).unwrap();
                assert_eq!(hash, Some(expected.hash), "canonical #{k}");
                assert_eq!(db.header(&expected.hash).unwrap(), Some(expected.header));
                assert_eq!(db.body(&expected.hash).unwrap(), Some(expected.body));
                assert_eq!(
                    db.block_index(&expected.hash).unwrap(),
                    Some((k, expected.parent))
                );
                for (node_hash, node) in &expected.trie_nodes {
                    assert_eq!(
                        db.state().get_node(node_hash).as_ref(),
                        Some(node),
                        "node of #{k}"
                    );
                }
            }
            assert_eq!(best, crash_block(n).hash);
            let (finalized, f) = db.finalized().unwrap();
            assert_eq!(f, n - n % 8);
            assert_eq!(finalized, crash_block(f).hash);
        }
        assert!(previous_best > 0, "the child never committed a block");
    }

    #[test]
    fn extrinsic_hashes_parse_bodies_strictly() {
        assert_eq!(extrinsic_hashes(&body(1, 3)).map(|h| h.len()), Some(3));
        assert_eq!(extrinsic_hashes(&[0]), Some(vec![]));
        assert_eq!(extrinsic_hashes(&[]), None);
        assert_eq!(
            extrinsic_hashes(&[0x04, 0x08, 1]),
            None,
            "truncated extrinsic"
        );
        let mut trailing = body(1, 1);
        trailing.push(0);
        assert_eq!(extrinsic_hashes(&trailing), None, "trailing bytes");
        assert_eq!(
            extrinsic_hashes(&[0xfe, 0xff, 0xff, 0xff]),
            None,
            "huge count, no data"
        );
    }
}
