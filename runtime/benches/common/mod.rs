//! What the runtime's pallet benchmarks share: the dev genesis state to run calls against.

use basalt_runtime::genesis;
use basalt_support::state::trie::EMPTY_TRIE_ROOT;
use basalt_support::state::{Externalities, InMemoryNodes, TrieBackend};
use std::sync::Arc;

/// Externalities over the dev genesis state in a trie of in-memory nodes (as a node reads
/// it from RocksDB's node cache), with an empty overlay.
pub fn dev_state() -> Externalities {
    let storage = genesis::build(&genesis::dev_genesis()).expect("genesis");
    let store = Arc::new(InMemoryNodes::new());
    let (root, nodes) = TrieBackend::new(store.clone(), EMPTY_TRIE_ROOT)
        .storage_root(
            storage
                .iter()
                .map(|(k, v)| (k.as_slice(), Some(v.as_slice()))),
        )
        .expect("genesis trie");
    store.insert_nodes(nodes);
    Externalities::new(Arc::new(TrieBackend::new(store, root)))
}
