//! Storage access for runtime code: Basalt's equivalent of Substrate's storage host functions.
//!
//! Every function acts on the [`super::Externalities`] installed by
//! [`super::Externalities::execute_with`].

use super::externalities::with;
use super::overlay::TransactionError;
use crate::dispatch::{DispatchError, TransactionalError};

/// The value under `key`.
pub fn get(key: &[u8]) -> Option<Vec<u8>> {
    with(|ext| ext.get(key))
}

/// Whether `key` holds a value.
pub fn exists(key: &[u8]) -> bool {
    get(key).is_some()
}

/// Store `value` under `key`.
pub fn set(key: &[u8], value: &[u8]) {
    with(|ext| ext.set(key.to_vec(), Some(value.to_vec())))
}

/// Delete `key`.
pub fn clear(key: &[u8]) {
    with(|ext| ext.set(key.to_vec(), None))
}

/// The smallest key strictly greater than `key` that holds a value.
pub fn next_key(key: &[u8]) -> Option<Vec<u8>> {
    with(|ext| ext.next_key(key))
}

/// Delete up to `limit` keys that start with `prefix`; returns how many were deleted.
pub fn clear_prefix(prefix: &[u8], limit: u32) -> u32 {
    let mut removed = 0u32;
    let mut cursor = prefix.to_vec();
    if !exists(&cursor) {
        match next_key(&cursor) {
            Some(k) => cursor = k,
            None => return 0,
        }
    }
    while removed < limit && cursor.starts_with(prefix) {
        let next = next_key(&cursor);
        clear(&cursor);
        removed = removed.saturating_add(1);
        match next {
            Some(k) => cursor = k,
            None => break,
        }
    }
    removed
}

/// The state root with every change so far applied (Substrate's `storage_root` host function).
pub fn storage_root() -> crate::H256 {
    with(|ext| ext.storage_root())
}

/// Append a SCALE-encoded `EventRecord` to this block's events.
pub fn deposit_event(record: Vec<u8>) {
    with(|ext| ext.events_mut().push(record))
}

/// The number of events deposited so far in this block.
pub fn event_count() -> u32 {
    with(|ext| u32::try_from(ext.events_mut().len()).unwrap_or(u32::MAX))
}

/// Take this block's events, leaving none (used when the block is finalised or reset).
pub fn take_events() -> Vec<Vec<u8>> {
    with(|ext| std::mem::take(ext.events_mut()))
}

/// A copy of this block's events so far.
pub fn events() -> Vec<Vec<u8>> {
    with(|ext| ext.events_mut().clone())
}

fn map_tx_error(e: TransactionError) -> DispatchError {
    match e {
        TransactionError::NoLayer => DispatchError::Transactional(TransactionalError::NoLayer),
        TransactionError::LimitReached => {
            DispatchError::Transactional(TransactionalError::LimitReached)
        }
    }
}

/// Run `f` in a storage transaction: its writes and events are kept if it returns `Ok` and
/// discarded if it returns `Err`. This is how a failed call changes nothing.
pub fn with_transaction<R, E: From<DispatchError>>(
    f: impl FnOnce() -> Result<R, E>,
) -> Result<R, E> {
    with(|ext| ext.start_transaction()).map_err(|e| E::from(map_tx_error(e)))?;
    let result = f();
    let closed = with(|ext| match result {
        Ok(_) => ext.commit_transaction(),
        Err(_) => ext.rollback_transaction(),
    });
    closed.map_err(|e| E::from(map_tx_error(e)))?;
    result
}
