//! The state trie: Substrate's base-16 Merkle-Patricia trie, layout V1, hashed with blake2-256.
//!
//! State roots must be byte-for-byte those a Substrate node computes for the same key-value pairs,
//! so this module does not implement the trie itself: it drives `trie-db` with
//! [`sp_trie::LayoutV1`]`<`[`Blake2Hasher`]`>`, exactly the layout and node codec Substrate uses.
//! What it adds is the plumbing Basalt needs around it:
//!
//! - [`NodeStore`]: where trie nodes live, keyed by their blake2-256 hash alone. Basalt keeps an
//!   archive of every state, so nodes are content-addressed and shared between blocks; there is
//!   no key prefix and no reference counting.
//! - [`TrieBackend`]: one state (a root over a store) that blocks execute on, implementing
//!   [`Backend`]; it computes the next root from a block's changes ([`TrieBackend::storage_root`])
//!   and answers the RPC queries that walk the trie (paged keys, pairs, read proofs).
//! - [`InMemoryNodes`]: a store in memory for tests, genesis and benchmarks.
//!
//! A store that misses a node, or holds bytes that do not decode, is corrupt: reads never panic,
//! they answer `None`, and the backend raises a sticky flag ([`Backend::is_corrupt`]) so that the
//! node rejects the block instead of committing a state computed from wrong reads.

use super::Backend;
use hash_db::{AsHashDB, HashDB, HashDBRef, Prefix};
use memory_db::{HashKey, MemoryDB};
use sp_core::{Blake2Hasher, H256};
use sp_trie::{DBValue, Trie, TrieDBBuilder, TrieDBIterator, TrieDBKeyIterator, TrieDBMutBuilder};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use trie_db::{TrieIterator, TrieMut};

/// The trie layout of Basalt's state: Substrate's V1 (values over 32 bytes are stored as separate
/// nodes and referenced by hash), hashed with blake2-256.
pub type Layout = sp_trie::LayoutV1<Blake2Hasher>;

/// The root of the empty trie, `blake2_256([0x00])`: the state root of a chain with no storage.
/// Spelled out so that it can be used in constant contexts and checked against Substrate's value.
pub const EMPTY_TRIE_ROOT: H256 = H256([
    0x03, 0x17, 0x0a, 0x2e, 0x75, 0x97, 0xb7, 0xb7, 0xe3, 0xd8, 0x4c, 0x05, 0x39, 0x1d, 0x13, 0x9a,
    0x62, 0xb1, 0x57, 0xe7, 0x87, 0x86, 0xd8, 0xc0, 0x82, 0xf2, 0x9d, 0xcf, 0x4c, 0x11, 0x13, 0x14,
]);

/// Trie nodes as `(blake2-256 hash, encoding)` pairs: what [`TrieBackend::storage_root`] returns
/// for the caller to persist.
pub type TrieNodes = Vec<(H256, Vec<u8>)>;

/// The encoding of the empty node, whose hash is [`EMPTY_TRIE_ROOT`]. It is never stored: every
/// store answers it implicitly, as Substrate's databases do.
const EMPTY_NODE: [u8; 1] = [0u8];

/// Where trie nodes live: a content-addressed map from a node's blake2-256 hash to its encoding.
///
/// Nodes are keyed by hash only (no prefix), because Basalt's storage is an archive in which one
/// node is shared by every state that contains it.
///
/// Implementations must return exactly the bytes that were stored under `hash` (or `None` if
/// there are none): the trie trusts them as the preimage of `hash`, and a store that returned
/// other bytes would make the node compute wrong state roots without noticing. Implementations
/// must not panic on a missing node or an I/O error; they answer `None` and the trie reports the
/// state as corrupt.
pub trait NodeStore: Send + Sync {
    /// The encoded node whose blake2-256 hash is `hash`, if the store has it.
    fn get_node(&self, hash: &H256) -> Option<Vec<u8>>;
}

impl<T: NodeStore + ?Sized> NodeStore for Arc<T> {
    fn get_node(&self, hash: &H256) -> Option<Vec<u8>> {
        (**self).get_node(hash)
    }
}

impl<T: NodeStore + ?Sized> NodeStore for &T {
    fn get_node(&self, hash: &H256) -> Option<Vec<u8>> {
        (**self).get_node(hash)
    }
}

/// A [`NodeStore`] in memory, for tests, genesis computation and benchmarks.
///
/// Inserting takes `&self` (the map is behind a lock) so that one store can be shared, through
/// an `Arc`, by the backends of successive states while new nodes are added to it.
#[derive(Default, Debug)]
pub struct InMemoryNodes {
    nodes: RwLock<BTreeMap<H256, Vec<u8>>>,
}

impl InMemoryNodes {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add nodes, as returned by [`TrieBackend::storage_root`]. A node already present is
    /// replaced by the same bytes, so inserting twice is harmless.
    pub fn insert_nodes(&self, nodes: impl IntoIterator<Item = (H256, Vec<u8>)>) {
        let mut map = self
            .nodes
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.extend(nodes);
    }

    /// Remove the node under `hash`, if any; tests use it to simulate a corrupt store.
    pub fn remove_node(&self, hash: &H256) -> Option<Vec<u8>> {
        let mut map = self
            .nodes
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.remove(hash)
    }

    /// The number of stored nodes, to check what a change wrote.
    pub fn len(&self) -> usize {
        self.nodes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// Whether the store holds no node.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl NodeStore for InMemoryNodes {
    fn get_node(&self, hash: &H256) -> Option<Vec<u8>> {
        self.nodes
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(hash)
            .cloned()
    }
}

/// Why a trie operation could not complete. Every variant means the store is inconsistent with
/// the root (or a proof is incomplete), never that the caller's input was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateError {
    /// A node reachable from the root is not in the store (for the root itself: the state root
    /// is unknown).
    MissingNode(H256),
    /// A node is in the store but its bytes are not a valid trie node, or it references a child
    /// with a malformed hash.
    BadNode(H256),
    /// The trie's structure is invalid (a value at a key that is not a whole number of bytes).
    Malformed,
    /// A read proof does not contain the nodes needed to answer for a key, or is not rooted at
    /// the expected state root.
    InvalidProof,
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::MissingNode(hash) => {
                write!(f, "trie node {hash:?} is missing from the store")
            }
            StateError::BadNode(hash) => write!(f, "trie node {hash:?} is corrupt"),
            StateError::Malformed => {
                f.write_str("the trie has a value at a key that is not byte-aligned")
            }
            StateError::InvalidProof => {
                f.write_str("the read proof is incomplete or does not match the root")
            }
        }
    }
}

impl std::error::Error for StateError {}

impl<E> From<Box<trie_db::TrieError<H256, E>>> for StateError {
    fn from(error: Box<trie_db::TrieError<H256, E>>) -> Self {
        match *error {
            trie_db::TrieError::InvalidStateRoot(hash)
            | trie_db::TrieError::IncompleteDatabase(hash) => StateError::MissingNode(hash),
            trie_db::TrieError::DecoderError(hash, _)
            | trie_db::TrieError::InvalidHash(hash, _) => StateError::BadNode(hash),
            trie_db::TrieError::ValueAtIncompleteKey(..) => StateError::Malformed,
        }
    }
}

/// `trie-db`'s read-only database interface over a [`NodeStore`], answering the empty node.
struct ReadDb<'a, S: ?Sized>(&'a S);

impl<S: NodeStore + ?Sized> HashDBRef<Blake2Hasher, DBValue> for ReadDb<'_, S> {
    fn get(&self, key: &H256, _prefix: Prefix) -> Option<DBValue> {
        if *key == EMPTY_TRIE_ROOT {
            return Some(EMPTY_NODE.to_vec());
        }
        self.0.get_node(key)
    }

    fn contains(&self, key: &H256, prefix: Prefix) -> bool {
        HashDBRef::get(self, key, prefix).is_some()
    }
}

/// The database a trie is modified in: reads go to the nodes written so far, then to the store;
/// writes (and removals, as negative reference counts) stay in memory, so that afterwards the
/// new nodes can be taken out and persisted by the caller in one batch.
struct WriteDb<'a, S: ?Sized> {
    store: &'a S,
    written: MemoryDB<Blake2Hasher, HashKey<Blake2Hasher>, DBValue>,
}

impl<S: NodeStore + ?Sized> HashDB<Blake2Hasher, DBValue> for WriteDb<'_, S> {
    fn get(&self, key: &H256, prefix: Prefix) -> Option<DBValue> {
        // The memory DB answers the empty node itself.
        HashDB::get(&self.written, key, prefix).or_else(|| self.store.get_node(key))
    }

    fn contains(&self, key: &H256, prefix: Prefix) -> bool {
        HashDB::contains(&self.written, key, prefix) || self.store.get_node(key).is_some()
    }

    fn insert(&mut self, prefix: Prefix, value: &[u8]) -> H256 {
        HashDB::insert(&mut self.written, prefix, value)
    }

    fn emplace(&mut self, key: H256, prefix: Prefix, value: DBValue) {
        HashDB::emplace(&mut self.written, key, prefix, value)
    }

    fn remove(&mut self, key: &H256, prefix: Prefix) {
        HashDB::remove(&mut self.written, key, prefix)
    }
}

impl<S: NodeStore + ?Sized> HashDBRef<Blake2Hasher, DBValue> for WriteDb<'_, S> {
    fn get(&self, key: &H256, prefix: Prefix) -> Option<DBValue> {
        HashDB::get(self, key, prefix)
    }

    fn contains(&self, key: &H256, prefix: Prefix) -> bool {
        HashDB::contains(self, key, prefix)
    }
}

impl<S: NodeStore + ?Sized> AsHashDB<Blake2Hasher, DBValue> for WriteDb<'_, S> {
    fn as_hash_db(&self) -> &dyn HashDB<Blake2Hasher, DBValue> {
        self
    }

    fn as_hash_db_mut<'b>(&'b mut self) -> &'b mut (dyn HashDB<Blake2Hasher, DBValue> + 'b) {
        self
    }
}

/// One state: the trie under `root` in `store`.
///
/// Blocks execute on it (it is a [`Backend`]), the node computes the next state root with
/// [`TrieBackend::storage_root`], and the RPC server reads keys, pairs and proofs from it.
/// Construction does no I/O; a root that is not in the store shows up on the first read as a
/// corrupt state.
pub struct TrieBackend<S: NodeStore> {
    store: S,
    root: H256,
    /// Set by the first read that finds the store inconsistent; never cleared.
    corrupt: AtomicBool,
}

impl<S: NodeStore> fmt::Debug for TrieBackend<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrieBackend")
            .field("root", &self.root)
            .field("corrupt", &self.is_corrupt())
            .finish_non_exhaustive()
    }
}

impl<S: NodeStore> TrieBackend<S> {
    /// The state under `root`, read from `store`.
    pub fn new(store: S, root: H256) -> Self {
        TrieBackend {
            store,
            root,
            corrupt: AtomicBool::new(false),
        }
    }

    /// The empty state over `store`: what genesis is built on.
    pub fn empty(store: S) -> Self {
        Self::new(store, EMPTY_TRIE_ROOT)
    }

    /// This state's root, as it goes in a block header.
    pub fn root(&self) -> H256 {
        self.root
    }

    /// The store this state is read from.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Give the store back, e.g. to build the backend of the next state over it.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Record that a read found the store inconsistent and pass the failure on as `None`.
    fn fail<T>(&self, _error: StateError) -> Option<T> {
        self.corrupt.store(true, Ordering::Relaxed);
        None
    }

    /// Compute the root of this state with `changes` applied (`Some(value)` sets a key, `None`
    /// deletes it), and the trie nodes that the new state has and the store may not: the caller
    /// persists them (with the block, in one batch) before it builds a backend on the new root.
    ///
    /// This state is not modified. Changes in key order (as an overlay yields them) are fastest,
    /// since consecutive keys share the nodes already loaded, but any order gives the same root;
    /// if a key appears twice the last change wins. The returned nodes are sorted by hash.
    /// Nodes that the new state no longer references are not reported: storage is an archive.
    pub fn storage_root<'a>(
        &self,
        changes: impl IntoIterator<Item = (&'a [u8], Option<&'a [u8]>)>,
    ) -> Result<(H256, TrieNodes), StateError> {
        let mut db = WriteDb {
            store: &self.store,
            written: MemoryDB::default(),
        };
        let mut root = self.root;
        let applied = {
            let mut trie = TrieDBMutBuilder::<Layout>::from_existing(&mut db, &mut root).build();
            let mut applied = Ok(());
            for (key, change) in changes {
                let result = match change {
                    Some(value) => trie.insert(key, value),
                    None => trie.remove(key),
                };
                if let Err(error) = result {
                    applied = Err(StateError::from(error));
                    break;
                }
            }
            if applied.is_ok() {
                trie.commit();
            }
            applied
        };
        if let Err(error) = applied {
            self.corrupt.store(true, Ordering::Relaxed);
            return Err(error);
        }
        let mut nodes: TrieNodes = db
            .written
            .drain()
            .into_iter()
            .filter(|(_, (_, references))| *references > 0)
            .map(|(hash, (node, _))| (hash, node))
            .collect();
        nodes.sort_unstable_by_key(|(hash, _)| *hash);
        Ok((root, nodes))
    }

    /// Up to `count` keys that start with `prefix`, in order, beginning strictly after
    /// `start_after` if it is given (Substrate's `state_getKeysPaged`). A `start_after` before the
    /// prefix starts at the prefix; one after every prefixed key gives nothing.
    ///
    /// A corrupt store ends the listing early and raises [`Backend::is_corrupt`], which callers
    /// that must not serve a truncated answer check afterwards.
    pub fn keys_paged(
        &self,
        prefix: &[u8],
        count: usize,
        start_after: Option<&[u8]>,
    ) -> Vec<Vec<u8>> {
        let mut keys = Vec::new();
        if count == 0 {
            return keys;
        }
        let db = ReadDb(&self.store);
        let trie = TrieDBBuilder::<Layout>::new(&db, &self.root).build();
        let iter = match start_after {
            Some(start) => TrieDBKeyIterator::new_prefixed_then_seek(&trie, prefix, start),
            None => TrieDBKeyIterator::new_prefixed(&trie, prefix),
        };
        let iter = match iter {
            Ok(iter) => iter,
            Err(error) => return self.fail(error.into()).unwrap_or_default(),
        };
        for item in iter {
            match item {
                Ok(key) => {
                    if !key.starts_with(prefix) {
                        break;
                    }
                    if start_after.is_some_and(|start| key.as_slice() <= start) {
                        continue;
                    }
                    keys.push(key);
                    if keys.len() >= count {
                        break;
                    }
                }
                Err(error) => {
                    self.fail::<()>(error.into());
                    break;
                }
            }
        }
        keys
    }

    /// The merkle value of the trie node at `key` or, when no node is there, of the closest
    /// node below it: its hash, or its encoding when the node is small enough to be inlined in
    /// its parent (what the new JSON-RPC interface's `closestDescendantMerkleValue` answers, as
    /// Substrate computes it). `None` when nothing is stored under `key`. Costs one walk from
    /// the root, whatever the number of keys below. A corrupt store gives `None` and raises
    /// [`Backend::is_corrupt`].
    pub fn closest_descendant_merkle_value(&self, key: &[u8]) -> Option<Vec<u8>> {
        let db = ReadDb(&self.store);
        let trie = TrieDBBuilder::<Layout>::new(&db, &self.root).build();
        match trie.lookup_first_descendant(key) {
            Ok(Some(trie_db::MerkleValue::Hash(hash))) => Some(hash.as_ref().to_vec()),
            Ok(Some(trie_db::MerkleValue::Node(node))) => Some(node),
            Ok(None) => None,
            Err(error) => self.fail(error.into()),
        }
    }

    /// Up to `limit` key-value pairs whose keys start with `prefix`, in key order (Substrate's
    /// `state_getPairs`, bounded so that an RPC request cannot make the node load the whole
    /// state). A corrupt store ends the listing early and raises [`Backend::is_corrupt`].
    pub fn pairs(&self, prefix: &[u8], limit: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut pairs = Vec::new();
        if limit == 0 {
            return pairs;
        }
        let db = ReadDb(&self.store);
        let trie = TrieDBBuilder::<Layout>::new(&db, &self.root).build();
        let iter = match TrieDBIterator::new_prefixed(&trie, prefix) {
            Ok(iter) => iter,
            Err(error) => return self.fail(error.into()).unwrap_or_default(),
        };
        for item in iter {
            match item {
                Ok((key, value)) => {
                    if !key.starts_with(prefix) {
                        break;
                    }
                    pairs.push((key, value));
                    if pairs.len() >= limit {
                        break;
                    }
                }
                Err(error) => {
                    self.fail::<()>(error.into());
                    break;
                }
            }
        }
        pairs
    }

    /// The trie nodes that prove the values of `keys` (or their absence) in this state: every
    /// node read while looking them up, as Substrate's `state_getReadProof` returns them (the
    /// encoded nodes, sorted, without duplicates). Check one with [`verify_read_proof`].
    ///
    /// A corrupt store gives the nodes recorded before the failure and raises
    /// [`Backend::is_corrupt`].
    pub fn read_proof(&self, keys: &[&[u8]]) -> Vec<Vec<u8>> {
        let db = ReadDb(&self.store);
        let recorder = sp_trie::recorder::Recorder::<Blake2Hasher>::default();
        {
            let mut trie_recorder = recorder.as_trie_recorder(self.root);
            let trie = TrieDBBuilder::<Layout>::new(&db, &self.root)
                .with_recorder(&mut trie_recorder)
                .build();
            for key in keys {
                if let Err(error) = trie.get(key) {
                    self.fail::<()>(error.into());
                    break;
                }
            }
        }
        recorder.drain_storage_proof().into_iter_nodes().collect()
    }
}

impl<S: NodeStore> Backend for TrieBackend<S> {
    fn storage_root<'a>(
        &self,
        changes: &mut dyn Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
    ) -> Result<(H256, Vec<(H256, Vec<u8>)>), String> {
        TrieBackend::storage_root(self, changes).map_err(|e| e.to_string())
    }

    fn storage(&self, key: &[u8]) -> Option<Vec<u8>> {
        let db = ReadDb(&self.store);
        let trie = TrieDBBuilder::<Layout>::new(&db, &self.root).build();
        match trie.get(key) {
            Ok(value) => value,
            Err(error) => self.fail(error.into()),
        }
    }

    fn next_storage_key(&self, key: &[u8]) -> Option<Vec<u8>> {
        let db = ReadDb(&self.store);
        let trie = TrieDBBuilder::<Layout>::new(&db, &self.root).build();
        let mut iter = match TrieDBKeyIterator::new(&trie) {
            Ok(iter) => iter,
            Err(error) => return self.fail(error.into()),
        };
        if let Err(error) = iter.seek(key) {
            return self.fail(error.into());
        }
        // The seek lands on the first key >= `key`; at most one item (the key itself) is skipped.
        for item in iter {
            match item {
                Ok(found) if found.as_slice() == key => continue,
                Ok(found) => return Some(found),
                Err(error) => return self.fail(error.into()),
            }
        }
        None
    }

    fn is_corrupt(&self) -> bool {
        self.corrupt.load(Ordering::Relaxed)
    }
}

/// Check a read proof (as made by [`TrieBackend::read_proof`]) against the state root `root` and
/// return the proven value of each key, in the order of `keys` (`None`: proven absent).
///
/// Fails with [`StateError::InvalidProof`] if the proof lacks a node needed for any of the keys
/// (including the root itself, so a proof of another state is rejected). Light clients and tests
/// use it; it trusts nothing but `root`.
pub fn verify_read_proof(
    root: &H256,
    proof: &[Vec<u8>],
    keys: &[&[u8]],
) -> Result<Vec<Option<Vec<u8>>>, StateError> {
    let mut db = MemoryDB::<Blake2Hasher, HashKey<Blake2Hasher>, DBValue>::default();
    for node in proof {
        HashDB::insert(&mut db, hash_db::EMPTY_PREFIX, node);
    }
    let trie = TrieDBBuilder::<Layout>::new(&db, root).build();
    keys.iter()
        .map(|key| trie.get(key).map_err(|_| StateError::InvalidProof))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sp_trie::TrieConfiguration;

    type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

    /// A key set with shared prefixes, an empty value, a key that is a prefix of others, and
    /// values both below and above V1's 32-byte inline limit.
    fn sample() -> Pairs {
        let mut pairs: Pairs = vec![
            (b"".to_vec(), b"root value".to_vec()),
            (b"a".to_vec(), b"1".to_vec()),
            (b"ab".to_vec(), vec![]),
            (b"abc".to_vec(), vec![7u8; 33]),
            (b"abd".to_vec(), vec![8u8; 100]),
            (b"b".to_vec(), vec![9u8; 32]),
            (vec![0xff; 40], b"far".to_vec()),
        ];
        for i in 0u32..300 {
            let mut key = b"map".to_vec();
            key.extend_from_slice(&sp_crypto_hashing::blake2_128(&i.to_le_bytes()));
            key.extend_from_slice(&i.to_le_bytes());
            pairs.push((key, i.to_le_bytes().repeat((i % 20) as usize)));
        }
        pairs.sort();
        pairs
    }

    fn reference_root(pairs: &Pairs) -> H256 {
        Layout::trie_root(pairs.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
    }

    /// A store and the root of `pairs` written into it from the empty trie.
    fn build(pairs: &Pairs) -> (Arc<InMemoryNodes>, H256) {
        let store = Arc::new(InMemoryNodes::new());
        let backend = TrieBackend::empty(store.clone());
        let (root, nodes) = backend
            .storage_root(
                pairs
                    .iter()
                    .map(|(k, v)| (k.as_slice(), Some(v.as_slice()))),
            )
            .expect("empty trie needs no nodes");
        store.insert_nodes(nodes);
        (store, root)
    }

    #[test]
    fn empty_root_is_substrates() {
        assert_eq!(EMPTY_TRIE_ROOT, H256(sp_crypto_hashing::blake2_256(&[0u8])));
        assert_eq!(EMPTY_TRIE_ROOT, sp_trie::empty_trie_root::<Layout>());
        let expected = "03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314";
        assert_eq!(format!("{EMPTY_TRIE_ROOT:x}"), expected);
        let backend = TrieBackend::empty(InMemoryNodes::new());
        assert_eq!(backend.root(), EMPTY_TRIE_ROOT);
        assert_eq!(backend.storage(b"anything"), None);
        assert_eq!(backend.next_storage_key(b""), None);
        assert!(!backend.is_corrupt());
        let (root, nodes) = backend.storage_root(std::iter::empty()).unwrap();
        assert_eq!(root, EMPTY_TRIE_ROOT);
        assert!(nodes.is_empty());
    }

    #[test]
    fn root_matches_substrate_reference() {
        let small: Pairs = vec![
            (b"foo".to_vec(), b"bar".to_vec()),
            (b"fob".to_vec(), vec![1u8; 40]),
        ];
        let (_, root) = build(&small);
        assert_eq!(root, reference_root(&small));
        let pairs = sample();
        let (store, root) = build(&pairs);
        assert_eq!(root, reference_root(&pairs));
        let backend = TrieBackend::new(store, root);
        for (key, value) in &pairs {
            assert_eq!(backend.storage(key).as_ref(), Some(value));
        }
        assert_eq!(backend.storage(b"abe"), None);
        assert_eq!(backend.storage(b"map"), None);
        assert!(!backend.is_corrupt());
    }

    #[test]
    fn incremental_root_equals_root_from_scratch() {
        let pairs = sample();
        let (store, root) = build(&pairs);
        let backend = TrieBackend::new(store.clone(), root);

        let mut expected: BTreeMap<Vec<u8>, Vec<u8>> = pairs.into_iter().collect();
        let mut changes: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
        for (i, key) in expected.keys().enumerate() {
            match i % 3 {
                0 => changes.insert(key.clone(), None),
                1 => changes.insert(key.clone(), Some(vec![i as u8; i % 50])),
                _ => None,
            };
        }
        changes.insert(b"new key".to_vec(), Some(vec![1; 64]));
        changes.insert(b"absent key".to_vec(), None);
        for (key, change) in &changes {
            match change {
                Some(value) => expected.insert(key.clone(), value.clone()),
                None => expected.remove(key),
            };
        }

        let (new_root, nodes) = backend
            .storage_root(changes.iter().map(|(k, v)| (k.as_slice(), v.as_deref())))
            .unwrap();
        let expected_pairs: Pairs = expected.clone().into_iter().collect();
        assert_eq!(new_root, reference_root(&expected_pairs));
        assert!(
            nodes.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, no duplicates"
        );
        for (hash, node) in &nodes {
            assert_eq!(*hash, H256(sp_crypto_hashing::blake2_256(node)));
        }

        // The old state is untouched and the new one reads back once its nodes are stored.
        store.insert_nodes(nodes);
        let old = TrieBackend::new(store.clone(), root);
        assert_eq!(old.root(), backend.root());
        let new = TrieBackend::new(store, new_root);
        for (key, value) in &expected {
            assert_eq!(new.storage(key).as_ref(), Some(value));
        }
        assert_eq!(new.storage(b"absent key"), None);
        assert!(!new.is_corrupt() && !old.is_corrupt());

        // Deleting everything gives the empty root back.
        let (empty, _) = new
            .storage_root(expected.keys().map(|k| (k.as_slice(), None)))
            .unwrap();
        assert_eq!(empty, EMPTY_TRIE_ROOT);
    }

    #[test]
    fn unchanged_values_write_no_nodes() {
        let pairs = sample();
        let (store, root) = build(&pairs);
        let backend = TrieBackend::new(store, root);
        let (same, nodes) = backend
            .storage_root(
                pairs
                    .iter()
                    .take(10)
                    .map(|(k, v)| (k.as_slice(), Some(v.as_slice()))),
            )
            .unwrap();
        assert_eq!(same, root);
        assert!(
            nodes.is_empty(),
            "rewriting a value with itself must not produce nodes"
        );
    }

    #[test]
    fn next_storage_key_is_strictly_greater() {
        let pairs = sample();
        let (store, root) = build(&pairs);
        let backend = TrieBackend::new(store, root);
        let keys: Vec<Vec<u8>> = pairs.iter().map(|(k, _)| k.clone()).collect();
        for window in keys.windows(2) {
            assert_eq!(
                backend.next_storage_key(&window[0]).as_ref(),
                Some(&window[1])
            );
            // A key between two stored keys gives the next stored one.
            let mut between = window[0].clone();
            between.push(0);
            if between < window[1] {
                assert_eq!(
                    backend.next_storage_key(&between).as_ref(),
                    Some(&window[1])
                );
            }
        }
        assert_eq!(backend.next_storage_key(keys.last().unwrap()), None);
        assert_eq!(backend.next_storage_key(&[0xff; 41]), None);
        // The empty key is stored here, so the next key after it is the second one.
        assert_eq!(backend.next_storage_key(b"").as_ref(), Some(&keys[1]));
        assert!(!backend.is_corrupt());
    }

    #[test]
    fn closest_descendant_merkle_value_is_the_node_below_the_key() {
        let pairs = sample();
        let (store, root) = build(&pairs);
        let backend = TrieBackend::new(store.clone(), root);
        // The empty key leads to the root node: its hash is the state root.
        assert_eq!(
            backend.closest_descendant_merkle_value(b""),
            Some(root.as_bytes().to_vec())
        );
        let map = backend
            .closest_descendant_merkle_value(b"map")
            .expect("a node under map");
        assert!(backend
            .closest_descendant_merkle_value(b"nothing here")
            .is_none());
        // A change under the prefix changes it; a change elsewhere does not.
        let (inside, nodes) = backend
            .storage_root([(
                pairs
                    .iter()
                    .find(|(k, _)| k.starts_with(b"map"))
                    .unwrap()
                    .0
                    .as_slice(),
                Some(&b"new"[..]),
            )])
            .expect("root");
        store.insert_nodes(nodes);
        let changed = TrieBackend::new(store.clone(), inside);
        assert_ne!(
            changed.closest_descendant_merkle_value(b"map"),
            Some(map.clone())
        );
        let (outside, nodes) = backend
            .storage_root([(&b"b"[..], Some(&b"other"[..]))])
            .expect("root");
        store.insert_nodes(nodes);
        let elsewhere = TrieBackend::new(store, outside);
        assert_eq!(elsewhere.closest_descendant_merkle_value(b"map"), Some(map));
        assert!(!elsewhere.is_corrupt());
    }

    #[test]
    fn keys_paged_and_pairs() {
        let pairs = sample();
        let (store, root) = build(&pairs);
        let backend = TrieBackend::new(store, root);
        let mapped: Vec<Vec<u8>> = pairs
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| k.starts_with(b"map"))
            .collect();
        assert_eq!(mapped.len(), 300);

        // Page through in pages of 7 and get every key exactly once, in order.
        let mut seen = Vec::new();
        let mut cursor: Option<Vec<u8>> = None;
        loop {
            let page = backend.keys_paged(b"map", 7, cursor.as_deref());
            if page.is_empty() {
                break;
            }
            assert!(page.len() <= 7);
            cursor = page.last().cloned();
            seen.extend(page);
        }
        assert_eq!(seen, mapped);

        assert_eq!(backend.keys_paged(b"map", 0, None), Vec::<Vec<u8>>::new());
        // A start before the prefix starts at the prefix; one after it gives nothing.
        assert_eq!(
            backend.keys_paged(b"map", 3, Some(b"a")),
            mapped[..3].to_vec()
        );
        assert!(backend.keys_paged(b"map", 3, Some(b"maq")).is_empty());
        assert_eq!(
            backend.keys_paged(b"ab", 10, None),
            vec![b"ab".to_vec(), b"abc".to_vec(), b"abd".to_vec()]
        );
        assert_eq!(
            backend.keys_paged(b"ab", 10, Some(b"ab")),
            vec![b"abc".to_vec(), b"abd".to_vec()]
        );
        assert!(backend.keys_paged(b"zz", 10, None).is_empty());
        let all = backend.keys_paged(b"", usize::MAX, None);
        assert_eq!(
            all,
            pairs.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>()
        );

        let ab = backend.pairs(b"ab", 100);
        assert_eq!(
            ab,
            pairs
                .iter()
                .filter(|(k, _)| k.starts_with(b"ab"))
                .cloned()
                .collect::<Pairs>()
        );
        assert_eq!(backend.pairs(b"map", 5).len(), 5);
        assert_eq!(backend.pairs(b"", usize::MAX), pairs);
        assert!(!backend.is_corrupt());
    }

    #[test]
    fn read_proofs_verify() {
        let pairs = sample();
        let (store, root) = build(&pairs);
        let backend = TrieBackend::new(store, root);
        let keys: Vec<&[u8]> = vec![b"abc", b"a", b"missing", &pairs[100].0, b""];
        let proof = backend.read_proof(&keys);
        assert!(!proof.is_empty());
        let values = verify_read_proof(&root, &proof, &keys).unwrap();
        let expected: Vec<Option<Vec<u8>>> = keys.iter().map(|k| backend.storage(k)).collect();
        assert_eq!(values, expected);
        assert_eq!(values[2], None);

        // Against another root, or without one of its nodes, the proof fails.
        assert_eq!(
            verify_read_proof(&EMPTY_TRIE_ROOT.clone(), &proof, &[b"abc"]),
            Ok(vec![None])
        );
        assert_eq!(
            verify_read_proof(&H256::repeat_byte(1), &proof, &[b"abc"]),
            Err(StateError::InvalidProof)
        );
        for skip in 0..proof.len() {
            let partial: Vec<Vec<u8>> = proof
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, n)| n.clone())
                .collect();
            assert_eq!(
                verify_read_proof(&root, &partial, &keys),
                Err(StateError::InvalidProof)
            );
        }
    }

    #[test]
    fn missing_or_garbled_node_is_reported_not_panicked() {
        let pairs = sample();
        let (store, root) = build(&pairs);

        // An unknown root.
        let unknown = TrieBackend::new(store.clone(), H256::repeat_byte(9));
        assert_eq!(unknown.storage(b"a"), None);
        assert!(unknown.is_corrupt());
        let unknown = TrieBackend::new(store.clone(), H256::repeat_byte(9));
        assert_eq!(unknown.next_storage_key(b"a"), None);
        assert!(unknown.is_corrupt());
        let unknown = TrieBackend::new(store.clone(), H256::repeat_byte(9));
        assert_eq!(
            unknown.storage_root([(&b"a"[..], Some(&b"x"[..]))]),
            Err(StateError::MissingNode(H256::repeat_byte(9)))
        );
        assert!(unknown.is_corrupt());

        // Remove one inner node: reads that need it fail, others still succeed.
        let backend = TrieBackend::new(store.clone(), root);
        let proof = backend.read_proof(&[&pairs[150].0]);
        let victim = proof
            .iter()
            .map(|n| H256(sp_crypto_hashing::blake2_256(n)))
            .find(|h| *h != root)
            .expect("a path of more than one node");
        store.remove_node(&victim);
        let backend = TrieBackend::new(store.clone(), root);
        assert!(backend.keys_paged(b"", usize::MAX, None).len() < pairs.len());
        assert!(backend.is_corrupt());
        let backend = TrieBackend::new(store.clone(), root);
        assert!(backend.pairs(b"", usize::MAX).len() < pairs.len());
        assert!(backend.is_corrupt());
        let backend = TrieBackend::new(store.clone(), root);
        assert_eq!(backend.storage(&pairs[150].0), None);
        assert!(backend.is_corrupt());
        let backend = TrieBackend::new(store.clone(), root);
        let result = backend.storage_root([(pairs[150].0.as_slice(), None)]);
        assert_eq!(result, Err(StateError::MissingNode(victim)));

        // Garbage under the root's hash: undecodable.
        store.insert_nodes([(root, vec![0xff, 0xff, 0xff])]);
        let backend = TrieBackend::new(store, root);
        assert_eq!(backend.storage(b"a"), None);
        assert!(backend.is_corrupt());
        // The garbled bytes may be recorded, but they do not hash to the root: no proof.
        let proof = backend.read_proof(&[b"a"]);
        assert_eq!(
            verify_read_proof(&root, &proof, &[b"a"]),
            Err(StateError::InvalidProof)
        );
        assert_eq!(
            backend.storage_root([(&b"a"[..], None)]),
            Err(StateError::BadNode(root))
        );
    }

    #[test]
    fn works_behind_trait_objects() {
        let pairs = sample();
        let (store, root) = build(&pairs);
        let dyn_store: Arc<dyn NodeStore> = store;
        let backend: Arc<dyn Backend> = Arc::new(TrieBackend::new(dyn_store, root));
        assert_eq!(backend.storage(b"a"), Some(b"1".to_vec()));
    }
}
