//! The overlay of uncommitted storage changes, with nested transactions.
//!
//! Every extrinsic runs in a transaction: if its call fails, everything it wrote is rolled back
//! and only the fee (written outside the transaction) stays. Writes go straight into one sorted
//! map; each open transaction keeps a journal of the values it replaced, so commit is a merge of
//! journals and rollback replays a journal backwards. The cost of a write is therefore
//! independent of the nesting depth and of the size of other values.

use std::collections::{BTreeMap, BTreeSet};

/// A change to one key: `Some(value)` to set it, `None` to delete it.
pub type Change = Option<Vec<u8>>;

/// The most transactions that may be nested; deeper calls fail with `LimitReached`.
pub const MAX_NESTED_TRANSACTIONS: usize = 255;

/// One open transaction: the keys it has written and what they held in the overlay before.
#[derive(Default, Debug)]
struct Journal {
    /// For every key first written in this transaction, its overlay entry before that write
    /// (`None` if the overlay had no entry for it).
    previous: Vec<(Vec<u8>, Option<Change>)>,
    /// The keys already recorded in `previous`.
    touched: BTreeSet<Vec<u8>>,
}

/// Uncommitted storage changes over a backend, in key order.
#[derive(Default, Debug)]
pub struct Overlay {
    changes: BTreeMap<Vec<u8>, Change>,
    journals: Vec<Journal>,
}

/// Failure of a transaction operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionError {
    /// Commit or rollback without an open transaction.
    NoLayer,
    /// More than [`MAX_NESTED_TRANSACTIONS`] nested transactions.
    LimitReached,
}

impl Overlay {
    /// An empty overlay.
    pub fn new() -> Self {
        Self::default()
    }

    /// The overlay's entry for `key`: `None` if it has not been changed, `Some(None)` if deleted.
    pub fn get(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        self.changes.get(key).map(|c| c.as_deref())
    }

    /// Set (`Some`) or delete (`None`) `key`.
    pub fn set(&mut self, key: Vec<u8>, value: Change) {
        if let Some(journal) = self.journals.last_mut() {
            if !journal.touched.contains(&key) {
                journal.touched.insert(key.clone());
                journal
                    .previous
                    .push((key.clone(), self.changes.get(&key).cloned()));
            }
        }
        self.changes.insert(key, value);
    }

    /// The number of open transactions.
    pub fn transaction_depth(&self) -> usize {
        self.journals.len()
    }

    /// Open a nested transaction.
    pub fn start_transaction(&mut self) -> Result<(), TransactionError> {
        if self.journals.len() >= MAX_NESTED_TRANSACTIONS {
            return Err(TransactionError::LimitReached);
        }
        self.journals.push(Journal::default());
        Ok(())
    }

    /// Keep the innermost transaction's writes, merging them into the enclosing one.
    pub fn commit_transaction(&mut self) -> Result<(), TransactionError> {
        let journal = self.journals.pop().ok_or(TransactionError::NoLayer)?;
        if let Some(parent) = self.journals.last_mut() {
            for (key, previous) in journal.previous {
                if !parent.touched.contains(&key) {
                    parent.touched.insert(key.clone());
                    parent.previous.push((key, previous));
                }
            }
        }
        Ok(())
    }

    /// Undo every write of the innermost transaction.
    pub fn rollback_transaction(&mut self) -> Result<(), TransactionError> {
        let journal = self.journals.pop().ok_or(TransactionError::NoLayer)?;
        for (key, previous) in journal.previous.into_iter().rev() {
            match previous {
                Some(change) => {
                    self.changes.insert(key, change);
                }
                None => {
                    self.changes.remove(&key);
                }
            }
        }
        Ok(())
    }

    /// The smallest changed key strictly after `key`, with its change.
    pub fn next_change(&self, key: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.changes
            .range::<[u8], _>((Excluded(key), Unbounded))
            .next()
            .map(|(k, v)| (k.as_slice(), v.as_deref()))
    }

    /// All changes in key order.
    pub fn changes(&self) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> {
        self.changes
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_deref()))
    }

    /// The number of changed keys.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// Whether nothing has changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Take all changes, closing any open transactions (their writes are kept).
    pub fn into_changes(self) -> BTreeMap<Vec<u8>, Change> {
        self.changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Change {
        Some(s.as_bytes().to_vec())
    }

    #[test]
    fn rollback_restores_previous_values_and_absence() {
        let mut o = Overlay::new();
        o.set(b"a".to_vec(), v("1"));
        o.start_transaction().unwrap();
        o.set(b"a".to_vec(), v("2"));
        o.set(b"b".to_vec(), v("3"));
        o.set(b"a".to_vec(), None);
        o.rollback_transaction().unwrap();
        assert_eq!(o.get(b"a"), Some(Some(&b"1"[..])));
        assert_eq!(o.get(b"b"), None);
    }

    #[test]
    fn nested_commit_then_outer_rollback_undoes_all() {
        let mut o = Overlay::new();
        o.set(b"a".to_vec(), v("1"));
        o.start_transaction().unwrap();
        o.start_transaction().unwrap();
        o.set(b"a".to_vec(), v("2"));
        o.set(b"c".to_vec(), v("9"));
        o.commit_transaction().unwrap();
        assert_eq!(o.get(b"a"), Some(Some(&b"2"[..])));
        o.rollback_transaction().unwrap();
        assert_eq!(o.get(b"a"), Some(Some(&b"1"[..])));
        assert_eq!(o.get(b"c"), None);
    }

    #[test]
    fn inner_rollback_keeps_outer_writes() {
        let mut o = Overlay::new();
        o.start_transaction().unwrap();
        o.set(b"a".to_vec(), v("1"));
        o.start_transaction().unwrap();
        o.set(b"a".to_vec(), v("2"));
        o.rollback_transaction().unwrap();
        o.commit_transaction().unwrap();
        assert_eq!(o.get(b"a"), Some(Some(&b"1"[..])));
    }

    #[test]
    fn unbalanced_operations_are_errors() {
        let mut o = Overlay::new();
        assert_eq!(o.commit_transaction(), Err(TransactionError::NoLayer));
        assert_eq!(o.rollback_transaction(), Err(TransactionError::NoLayer));
        for _ in 0..MAX_NESTED_TRANSACTIONS {
            o.start_transaction().unwrap();
        }
        assert_eq!(o.start_transaction(), Err(TransactionError::LimitReached));
    }

    #[test]
    fn next_change_is_strictly_after() {
        let mut o = Overlay::new();
        o.set(b"a".to_vec(), v("1"));
        o.set(b"b".to_vec(), None);
        assert_eq!(o.next_change(b"a"), Some((&b"b"[..], None)));
        assert_eq!(o.next_change(b"b"), None);
    }
}
