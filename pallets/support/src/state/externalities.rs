//! [`Externalities`]: the world a block executes in.
//!
//! The runtime reads and writes storage through the free functions of [`super::io`], which reach
//! the externalities installed on the current thread by [`Externalities::execute_with`], as
//! Substrate's host functions do. This keeps pallet code free of context plumbing while every
//! effect still goes to one explicit object the node owns: nothing is written to a backend until
//! the node takes the changes out with [`Externalities::into_changes`].

use super::overlay::{Change, Overlay, TransactionError};
use super::Backend;
use crate::H256;
use std::collections::BTreeMap;
use std::sync::Arc;

environmental::environmental!(current: Externalities);

/// Storage overlay, event buffer and read cache over one parent state.
pub struct Externalities {
    backend: Arc<dyn Backend>,
    overlay: Overlay,
    /// Values read from the backend, so repeated reads in one block skip the trie.
    read_cache: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    /// SCALE-encoded `EventRecord`s deposited so far in this block. Kept apart from the overlay so
    /// that depositing an event costs O(1) whatever the number of events already in the block.
    events: Vec<Vec<u8>>,
    /// `events.len()` at the start of each open transaction, for rollback.
    event_marks: Vec<usize>,
    /// The state root of backend + overlay and the trie nodes it adds, computed by
    /// [`Externalities::storage_root`]; cleared by any later write.
    root: Option<(H256, Vec<(H256, Vec<u8>)>)>,
    /// Set when the backend failed to compute a root (a corrupt store).
    root_failed: bool,
}

impl Externalities {
    /// Fresh externalities over `backend` with no changes.
    pub fn new(backend: Arc<dyn Backend>) -> Self {
        Externalities {
            backend,
            overlay: Overlay::new(),
            read_cache: BTreeMap::new(),
            events: Vec::new(),
            event_marks: Vec::new(),
            root: None,
            root_failed: false,
        }
    }

    /// Run `f` with these externalities installed on the current thread, so that [`super::io`]
    /// reaches them. Calls may nest; the innermost installation wins.
    pub fn execute_with<R>(&mut self, f: impl FnOnce() -> R) -> R {
        current::using(self, f)
    }

    /// The parent state.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    /// The uncommitted changes.
    pub fn overlay(&self) -> &Overlay {
        &self.overlay
    }

    /// Whether a read found the backend corrupt; a block executed on such a state must be
    /// rejected.
    pub fn is_corrupt(&self) -> bool {
        self.root_failed || self.backend.is_corrupt()
    }

    /// The state root of the parent state with this block's changes applied. The trie nodes it
    /// adds are kept for [`Externalities::take_trie_nodes`]. A backend that cannot compute it
    /// (corrupt store) yields the zero hash and marks these externalities corrupt, so the block
    /// is refused rather than committed with a wrong root.
    pub fn storage_root(&mut self) -> H256 {
        if let Some((root, _)) = &self.root {
            return *root;
        }
        let mut changes = self.overlay.changes();
        match self.backend.storage_root(&mut changes) {
            Ok((root, nodes)) => {
                self.root = Some((root, nodes));
                root
            }
            Err(_) => {
                self.root_failed = true;
                H256::zero()
            }
        }
    }

    /// The root and new trie nodes of the last [`Externalities::storage_root`] computation, if
    /// no write happened since; the node stores the nodes with the block.
    pub fn take_trie_nodes(&mut self) -> Option<(H256, Vec<(H256, Vec<u8>)>)> {
        self.root.take()
    }

    /// The changes, in key order, to commit to the backend.
    pub fn into_changes(self) -> BTreeMap<Vec<u8>, Change> {
        self.overlay.into_changes()
    }

    pub(super) fn get(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(change) = self.overlay.get(key) {
            return change.map(|v| v.to_vec());
        }
        if let Some(cached) = self.read_cache.get(key) {
            return cached.clone();
        }
        let value = self.backend.storage(key);
        self.read_cache.insert(key.to_vec(), value.clone());
        value
    }

    pub(super) fn set(&mut self, key: Vec<u8>, value: Change) {
        self.root = None;
        self.overlay.set(key, value);
    }

    pub(super) fn next_key(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        let mut cursor = key.to_vec();
        loop {
            let in_backend = self.backend.next_storage_key(&cursor);
            let in_overlay = self
                .overlay
                .next_change(&cursor)
                .map(|(k, v)| (k.to_vec(), v.is_some()));
            match (in_backend, in_overlay) {
                (None, None) => return None,
                (Some(b), None) => return Some(b),
                (b, Some((o, live))) => {
                    if let Some(b) = b.filter(|b| *b < o) {
                        return Some(b);
                    }
                    if live {
                        return Some(o);
                    }
                    cursor = o;
                }
            }
        }
    }

    pub(super) fn start_transaction(&mut self) -> Result<(), TransactionError> {
        self.overlay.start_transaction()?;
        self.event_marks.push(self.events.len());
        Ok(())
    }

    pub(super) fn commit_transaction(&mut self) -> Result<(), TransactionError> {
        self.overlay.commit_transaction()?;
        self.event_marks.pop();
        Ok(())
    }

    pub(super) fn rollback_transaction(&mut self) -> Result<(), TransactionError> {
        self.root = None;
        self.overlay.rollback_transaction()?;
        if let Some(mark) = self.event_marks.pop() {
            self.events.truncate(mark);
        }
        Ok(())
    }

    pub(super) fn events_mut(&mut self) -> &mut Vec<Vec<u8>> {
        &mut self.events
    }
}

/// Run `f` on the externalities of the current thread.
///
/// # Panics
/// If no externalities are installed: that is a wiring bug of the caller (the node or a test),
/// never a consequence of chain input, as with Substrate's host functions.
pub(super) fn with<R>(f: impl FnOnce(&mut Externalities) -> R) -> R {
    current::with(f).expect("runtime storage used outside Externalities::execute_with")
}

/// Whether externalities are installed on this thread.
pub fn is_installed() -> bool {
    current::with(|_| ()).is_some()
}
