//! The block tree as consensus sees it: headers, the finalised block, fork choice and
//! justifications.
//!
//! GRANDPA needs to ask the chain a handful of questions (is this block known, what are its
//! ancestors, what is the best chain above this base) and to tell it one thing (this block is
//! final, here is the proof). [`BlockTree`] is that seam. The node implements it over its
//! RocksDB-backed client; the simulation and tests use [`InMemoryBlockTree`].
//!
//! Invariants an implementation must keep:
//! - `header` answers for every imported block, on every fork, until it is pruned; a block is
//!   only imported after its parent.
//! - `finalize` never moves finality backwards or sideways: it rejects a block that does not
//!   descend from the last finalised one, and it is durable when it returns `Ok` (the voter
//!   builds on it).
//! - `justification` returns what `finalize` stored, so syncing peers can be served proofs.

use std::collections::BTreeMap;

use basalt_support::{generic::Header, BlockNumber, H256};
use parking_lot::RwLock;

use crate::fork_choice::LeafSet;

/// Why a chain query or update failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// The block is not in the tree.
    UnknownBlock(H256),
    /// `block` is not a descendant of `base`.
    NotDescendant {
        /// The supposed ancestor.
        base: H256,
        /// The supposed descendant.
        block: H256,
    },
    /// A header's parent has not been imported.
    UnknownParent {
        /// The header being imported.
        hash: H256,
        /// Its missing parent.
        parent: H256,
    },
    /// A header's number is not its parent's plus one, or a caller named the wrong number.
    BadNumber {
        /// The block.
        hash: H256,
        /// The number it must have.
        expected: BlockNumber,
        /// The number given.
        got: BlockNumber,
    },
    /// Finalising this block would revert or fork away from the finalised chain.
    ConflictingFinality {
        /// The block already final.
        finalized: (H256, BlockNumber),
        /// The block asked for.
        requested: (H256, BlockNumber),
    },
    /// The storage backend failed (I/O); the message says how.
    Backend(String),
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainError::UnknownBlock(h) => write!(f, "unknown block {h:?}"),
            ChainError::NotDescendant { base, block } => {
                write!(f, "block {block:?} does not descend from {base:?}")
            }
            ChainError::UnknownParent { hash, parent } => {
                write!(f, "parent {parent:?} of {hash:?} is unknown")
            }
            ChainError::BadNumber {
                hash,
                expected,
                got,
            } => write!(f, "block {hash:?} has number {got}, expected {expected}"),
            ChainError::ConflictingFinality {
                finalized,
                requested,
            } => write!(
                f,
                "finalising #{} {:?} conflicts with finalised #{} {:?}",
                requested.1, requested.0, finalized.1, finalized.0
            ),
            ChainError::Backend(e) => write!(f, "chain backend: {e}"),
        }
    }
}

impl std::error::Error for ChainError {}

/// What consensus needs from the node's chain; see the module docs for the invariants.
pub trait BlockTree: Send + Sync {
    /// The header of an imported block (any fork), or `None` if unknown or pruned.
    fn header(&self, hash: &H256) -> Option<Header>;

    /// The last finalised block.
    fn finalized(&self) -> (H256, BlockNumber);

    /// The head that fork choice picks among chains containing `base` (see
    /// [`crate::fork_choice`]); `None` when `base` is unknown or no leaf descends from it.
    fn best_chain_containing(&self, base: &H256) -> Option<(H256, BlockNumber)>;

    /// Marks `hash` (number `number`) final and stores its justification (SCALE-encoded
    /// [`crate::grandpa::GrandpaJustification`], engine `FRNK`). Must be durable on `Ok` and must
    /// reject blocks that do not descend from the current finalised block.
    fn finalize(
        &self,
        hash: &H256,
        number: BlockNumber,
        justification: Vec<u8>,
    ) -> Result<(), ChainError>;

    /// The stored justification of a finalised block, served to syncing peers.
    fn justification(&self, hash: &H256) -> Option<Vec<u8>>;

    /// The hashes from `block`'s parent back to, but not including, `base` (newest first), as
    /// `finality_grandpa::Chain::ancestry` defines it. Fails if `block` does not strictly
    /// descend from `base`. The default walks parent links through [`BlockTree::header`].
    fn ancestry(&self, base: &H256, block: &H256) -> Result<Vec<H256>, ChainError> {
        let base_number = self
            .header(base)
            .ok_or(ChainError::UnknownBlock(*base))?
            .number;
        let header = self.header(block).ok_or(ChainError::UnknownBlock(*block))?;
        if header.number <= base_number {
            return Err(ChainError::NotDescendant {
                base: *base,
                block: *block,
            });
        }
        let mut out = Vec::with_capacity((header.number - base_number) as usize);
        let mut cursor = header.parent_hash;
        let mut number = header.number - 1;
        while number > base_number {
            out.push(cursor);
            let h = self
                .header(&cursor)
                .ok_or(ChainError::UnknownBlock(cursor))?;
            cursor = h.parent_hash;
            number -= 1;
        }
        if cursor == *base {
            Ok(out)
        } else {
            Err(ChainError::NotDescendant {
                base: *base,
                block: *block,
            })
        }
    }
}

/// The ancestor of `block` at height `number` (the block itself at its own height), walking
/// parent links; `None` if a header is missing or `number` is above the block.
pub fn ancestor_at(tree: &dyn BlockTree, block: &H256, number: BlockNumber) -> Option<H256> {
    let mut header = tree.header(block)?;
    let mut hash = *block;
    if number > header.number {
        return None;
    }
    while header.number > number {
        hash = header.parent_hash;
        header = tree.header(&hash)?;
    }
    Some(hash)
}

/// Whether `block` is `base` or one of its descendants (unknown blocks are neither).
pub fn is_descendant_or_equal(tree: &dyn BlockTree, base: &H256, block: &H256) -> bool {
    if base == block {
        return tree.header(base).is_some();
    }
    let Some(base_number) = tree.header(base).map(|h| h.number) else {
        return false;
    };
    ancestor_at(tree, block, base_number).as_ref() == Some(base)
}

/// The result of importing a header into an [`InMemoryBlockTree`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOutcome {
    /// The header's hash.
    pub hash: H256,
    /// Whether the block was new (false: already known, nothing changed).
    pub is_new: bool,
    /// The best block after the import.
    pub best: (H256, BlockNumber),
}

/// A complete block tree held in memory: headers of every fork, leaves, finality and
/// justifications.
///
/// Used by the simulation and tests, and usable by a node as the consensus view of its
/// database. Never prunes; a long-running node should implement [`BlockTree`] over its
/// database instead.
pub struct InMemoryBlockTree {
    inner: RwLock<TreeInner>,
}

struct TreeInner {
    headers: BTreeMap<H256, Header>,
    leaves: LeafSet,
    finalized: (H256, BlockNumber),
    justifications: BTreeMap<H256, Vec<u8>>,
}

impl InMemoryBlockTree {
    /// A tree holding only `genesis`, which is final.
    pub fn new(genesis: Header) -> Self {
        let hash = genesis.hash();
        let mut leaves = LeafSet::new();
        leaves.import(hash, genesis.number, genesis.parent_hash);
        let number = genesis.number;
        let mut headers = BTreeMap::new();
        headers.insert(hash, genesis);
        InMemoryBlockTree {
            inner: RwLock::new(TreeInner {
                headers,
                leaves,
                finalized: (hash, number),
                justifications: BTreeMap::new(),
            }),
        }
    }

    /// Imports a header whose parent is known; importing a known header is a no-op.
    pub fn import(&self, header: Header) -> Result<ImportOutcome, ChainError> {
        let hash = header.hash();
        let mut inner = self.inner.write();
        if !inner.headers.contains_key(&hash) {
            let parent_number = inner
                .headers
                .get(&header.parent_hash)
                .map(|p| p.number)
                .ok_or(ChainError::UnknownParent {
                    hash,
                    parent: header.parent_hash,
                })?;
            let expected = parent_number.saturating_add(1);
            if header.number != expected {
                return Err(ChainError::BadNumber {
                    hash,
                    expected,
                    got: header.number,
                });
            }
            inner.leaves.import(hash, header.number, header.parent_hash);
            inner.headers.insert(hash, header);
            let best = inner.best();
            return Ok(ImportOutcome {
                hash,
                is_new: true,
                best,
            });
        }
        let best = inner.best();
        Ok(ImportOutcome {
            hash,
            is_new: false,
            best,
        })
    }

    /// Whether the block is known.
    pub fn contains(&self, hash: &H256) -> bool {
        self.inner.read().headers.contains_key(hash)
    }

    /// The best block: the longest chain containing the finalised block.
    pub fn best(&self) -> (H256, BlockNumber) {
        self.inner.read().best()
    }

    /// Number of known blocks (all forks).
    pub fn len(&self) -> usize {
        self.inner.read().headers.len()
    }

    /// Whether the tree is empty (never: genesis is always there).
    pub fn is_empty(&self) -> bool {
        self.inner.read().headers.is_empty()
    }
}

impl TreeInner {
    fn best(&self) -> (H256, BlockNumber) {
        let headers = &self.headers;
        self.leaves
            .best_containing(self.finalized, |h| headers.get(h).map(|x| x.parent_hash))
            .unwrap_or(self.finalized)
    }

    fn ancestor_at(&self, block: &H256, number: BlockNumber) -> Option<H256> {
        let mut header = self.headers.get(block)?;
        let mut hash = *block;
        if number > header.number {
            return None;
        }
        while header.number > number {
            hash = header.parent_hash;
            header = self.headers.get(&hash)?;
        }
        Some(hash)
    }
}

impl BlockTree for InMemoryBlockTree {
    fn header(&self, hash: &H256) -> Option<Header> {
        self.inner.read().headers.get(hash).cloned()
    }

    fn finalized(&self) -> (H256, BlockNumber) {
        self.inner.read().finalized
    }

    fn best_chain_containing(&self, base: &H256) -> Option<(H256, BlockNumber)> {
        let inner = self.inner.read();
        let number = inner.headers.get(base)?.number;
        let headers = &inner.headers;
        inner
            .leaves
            .best_containing((*base, number), |h| headers.get(h).map(|x| x.parent_hash))
    }

    fn finalize(
        &self,
        hash: &H256,
        number: BlockNumber,
        justification: Vec<u8>,
    ) -> Result<(), ChainError> {
        let mut inner = self.inner.write();
        let known = inner
            .headers
            .get(hash)
            .map(|h| h.number)
            .ok_or(ChainError::UnknownBlock(*hash))?;
        if known != number {
            return Err(ChainError::BadNumber {
                hash: *hash,
                expected: known,
                got: number,
            });
        }
        let finalized = inner.finalized;
        let conflict = ChainError::ConflictingFinality {
            finalized,
            requested: (*hash, number),
        };
        if number <= finalized.1 {
            // Already final (an ancestor of the finalised block): keep the first proof.
            if inner.ancestor_at(&finalized.0, number) != Some(*hash) {
                return Err(conflict);
            }
            inner.justifications.entry(*hash).or_insert(justification);
            return Ok(());
        }
        if inner.ancestor_at(hash, finalized.1) != Some(finalized.0) {
            return Err(conflict);
        }
        inner.finalized = (*hash, number);
        inner.justifications.insert(*hash, justification);
        Ok(())
    }

    fn justification(&self, hash: &H256) -> Option<Vec<u8>> {
        self.inner.read().justifications.get(hash).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(parent: &Header, salt: u8) -> Header {
        Header {
            parent_hash: parent.hash(),
            number: parent.number + 1,
            state_root: H256::repeat_byte(salt),
            ..Default::default()
        }
    }

    #[test]
    fn import_ancestry_and_finality() {
        let genesis = Header::default();
        let tree = InMemoryBlockTree::new(genesis.clone());
        let a1 = child(&genesis, 1);
        let a2 = child(&a1, 2);
        let b2 = child(&a1, 3);
        let b3 = child(&b2, 4);
        for h in [&a1, &a2, &b2, &b3] {
            assert!(tree.import(h.clone()).expect("imports").is_new);
        }
        assert!(!tree.import(a1.clone()).expect("known").is_new);
        assert_eq!(tree.best(), (b3.hash(), 3));
        assert_eq!(
            tree.ancestry(&genesis.hash(), &b3.hash()),
            Ok(vec![b2.hash(), a1.hash()])
        );
        assert!(tree.ancestry(&a2.hash(), &b3.hash()).is_err());
        assert!(tree.ancestry(&a1.hash(), &a1.hash()).is_err());
        assert!(is_descendant_or_equal(&tree, &a1.hash(), &b3.hash()));
        assert!(!is_descendant_or_equal(&tree, &a2.hash(), &b3.hash()));

        // Orphans and wrong numbers are refused.
        let orphan = child(&b3, 5);
        let orphan_child = child(&orphan, 6);
        assert!(matches!(
            tree.import(orphan_child),
            Err(ChainError::UnknownParent { .. })
        ));
        let mut bad = child(&a1, 7);
        bad.number = 9;
        assert!(matches!(
            tree.import(bad),
            Err(ChainError::BadNumber { .. })
        ));

        // Finalise the shorter fork: fork choice now stays on it.
        tree.finalize(&a2.hash(), 2, vec![1]).expect("finalises");
        assert_eq!(tree.best(), (a2.hash(), 2));
        assert_eq!(tree.justification(&a2.hash()), Some(vec![1]));
        assert!(matches!(
            tree.finalize(&b3.hash(), 3, vec![]),
            Err(ChainError::ConflictingFinality { .. })
        ));
        assert!(matches!(
            tree.finalize(&b2.hash(), 2, vec![]),
            Err(ChainError::ConflictingFinality { .. })
        ));
        // Re-finalising an ancestor is accepted and changes nothing.
        tree.finalize(&a1.hash(), 1, vec![2]).expect("ancestor");
        assert_eq!(tree.finalized(), (a2.hash(), 2));
        assert_eq!(tree.best_chain_containing(&b2.hash()), Some((b3.hash(), 3)));
    }
}
