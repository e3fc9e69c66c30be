//! State: what a block reads and writes.
//!
//! A block executes inside [`Externalities`]: reads go to a [`Backend`] (the trie of the parent
//! block), writes go to an [`overlay::Overlay`] of changes that supports nested transactions.
//! When the block is done the node takes the overlay's changes and the [`trie::TrieBackend`]
//! turns them into a new state root and the new trie nodes to store.

pub mod externalities;
pub mod io;
pub mod overlay;
pub mod trie;

pub use externalities::{is_installed, Externalities};
pub use overlay::Overlay;
pub use trie::{InMemoryNodes, NodeStore, TrieBackend};

/// Read access to one committed state: the trie at one block's state root.
///
/// Implementations must be deterministic: the same key always gives the same answer for the
/// same backend. A backend that finds its store corrupt (a missing trie node) answers `None`
/// and reports it through [`Backend::is_corrupt`], so the caller can reject the block instead of
/// committing a wrong state.
pub trait Backend: Send + Sync {
    /// The value stored under `key`, if any.
    fn storage(&self, key: &[u8]) -> Option<Vec<u8>>;
    /// The smallest key strictly greater than `key`, if any.
    fn next_storage_key(&self, key: &[u8]) -> Option<Vec<u8>>;
    /// The root of this state with `changes` applied, and the trie nodes the new state adds
    /// (to be stored with the block). Called once per block by `finalize_block`.
    fn storage_root<'a>(
        &self,
        changes: &mut dyn Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
    ) -> Result<(crate::H256, Vec<(crate::H256, Vec<u8>)>), String>;
    /// Whether a read found the store inconsistent (a missing or undecodable trie node).
    fn is_corrupt(&self) -> bool {
        false
    }
}

/// Fresh externalities over an empty state, for tests and genesis.
pub fn empty_externalities() -> Externalities {
    Externalities::new(std::sync::Arc::new(TrieBackend::empty(
        InMemoryNodes::default(),
    )))
}
