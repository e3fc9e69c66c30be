//! Fork choice: the longest chain that contains the last finalised block.
//!
//! The highest leaf wins; among leaves of equal height the one imported first wins (Substrate's
//! longest-chain rule: a node does not switch to a fork that is merely as long as its own).
//! The rule is the same for block authoring (the client's best block) and for GRANDPA's votes
//! ([`LeafSet::best_containing`]), so a node never authors on one chain and votes for another.
//! A tie-break by hash would be the same on every node, but an author could grind its block's
//! hash to win every tie; arrival order cannot be ground, and GRANDPA settles forks that nodes
//! saw in different orders.
//!
//! Guarantees: [`LeafSet::best_containing`] only returns a leaf whose chain contains the given
//! base (normally the last finalised block), so a finalised block is never re-orged away by
//! fork choice. Assumes blocks are imported parent-first (the block tree rejects orphans).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use basalt_support::{BlockNumber, H256};

/// The leaves (blocks without children) of a block tree, kept in fork-choice order.
///
/// The node keeps one next to its block index and updates it on every import; the best chain is
/// then found without scanning the whole tree.
#[derive(Clone, Debug, Default)]
pub struct LeafSet {
    /// Leaves in preference order: highest first, then first imported.
    ranked: BTreeSet<(Reverse<BlockNumber>, u64, H256)>,
    /// Leaf hash to its number and import sequence, to remove a parent when its first child
    /// arrives.
    numbers: BTreeMap<H256, (BlockNumber, u64)>,
    /// The next import's sequence number.
    next_seq: u64,
}

impl LeafSet {
    /// An empty leaf set; insert the genesis block first.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an imported block: it becomes a leaf and its parent stops being one.
    pub fn import(&mut self, hash: H256, number: BlockNumber, parent: H256) {
        self.remove(&parent);
        if !self.numbers.contains_key(&hash) {
            let seq = self.next_seq;
            self.next_seq = self.next_seq.saturating_add(1);
            self.numbers.insert(hash, (number, seq));
            self.ranked.insert((Reverse(number), seq, hash));
        }
    }

    /// Removes a leaf (when its first child is imported, or when its fork is pruned).
    pub fn remove(&mut self, hash: &H256) {
        if let Some((number, seq)) = self.numbers.remove(hash) {
            self.ranked.remove(&(Reverse(number), seq, *hash));
        }
    }

    /// Whether `hash` is currently a leaf.
    pub fn contains(&self, hash: &H256) -> bool {
        self.numbers.contains_key(hash)
    }

    /// Number of leaves, for metrics and pruning decisions.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    /// Whether there are no leaves (only before genesis is inserted).
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// Leaves in fork-choice order, best first.
    pub fn iter(&self) -> impl Iterator<Item = (H256, BlockNumber)> + '_ {
        self.ranked.iter().map(|(Reverse(n), _, h)| (*h, *n))
    }

    /// The best leaf whose chain contains `base`, walking parents with `parent_of`.
    ///
    /// Returns `None` when no leaf descends from `base` (for example when `base` was re-orged
    /// away or is unknown); the caller decides the fallback. Cost: for each leaf tried, a walk of
    /// `leaf.number - base.number` parent lookups; leaves are tried best first and the first
    /// match wins, so on a healthy chain only the best leaf is walked.
    pub fn best_containing(
        &self,
        base: (H256, BlockNumber),
        mut parent_of: impl FnMut(&H256) -> Option<H256>,
    ) -> Option<(H256, BlockNumber)> {
        for (leaf, number) in self.iter() {
            if number < base.1 {
                break;
            }
            let mut cursor = leaf;
            let mut height = number;
            let mut lost = false;
            while height > base.1 {
                match parent_of(&cursor) {
                    Some(parent) => {
                        cursor = parent;
                        height -= 1;
                    }
                    None => {
                        lost = true;
                        break;
                    }
                }
            }
            if !lost && cursor == base.0 {
                return Some((leaf, number));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u8) -> H256 {
        H256::repeat_byte(n)
    }

    /// A small tree: 0 <- 1 <- 2 <- 3 and 1 <- 4 <- 5 <- 6 (longer fork), plus 2 <- 7.
    fn tree() -> (LeafSet, BTreeMap<H256, H256>) {
        let mut parents = BTreeMap::new();
        let mut leaves = LeafSet::new();
        leaves.import(h(0), 0, H256::zero());
        for (child, parent, number) in [
            (1, 0, 1),
            (2, 1, 2),
            (3, 2, 3),
            (4, 1, 2),
            (5, 4, 3),
            (6, 5, 4),
            (7, 2, 3),
        ] {
            parents.insert(h(child), h(parent));
            leaves.import(h(child), number, h(parent));
        }
        (leaves, parents)
    }

    #[test]
    fn longest_chain_containing_base() {
        let (leaves, parents) = tree();
        let parent_of = |x: &H256| parents.get(x).copied();
        assert_eq!(
            leaves.best_containing((h(0), 0), parent_of),
            Some((h(6), 4))
        );
        assert_eq!(
            leaves.best_containing((h(4), 2), parent_of),
            Some((h(6), 4))
        );
        // Finalised block 2 excludes the longer fork: the best chain containing it ends at 3 or
        // 7 (equal height), and 3, imported first, wins.
        assert_eq!(
            leaves.best_containing((h(2), 2), parent_of),
            Some((h(3), 3))
        );
        // A leaf is its own best chain.
        assert_eq!(
            leaves.best_containing((h(7), 3), parent_of),
            Some((h(7), 3))
        );
        // An unknown base has no chain.
        assert_eq!(leaves.best_containing((h(9), 2), parent_of), None);
        assert_eq!(leaves.len(), 3);
    }

    #[test]
    fn attack_grinding_a_smaller_hash_does_not_win_an_equal_height_tie() {
        // The honest block (hash 9) arrives first; the attacker's (hash 1, ground to be small)
        // second, at the same height: the node keeps the honest one, for authoring and votes.
        let mut leaves = LeafSet::new();
        leaves.import(h(0), 0, H256::zero());
        leaves.import(h(9), 1, h(0));
        leaves.import(h(1), 1, h(0));
        let parent_of = |_: &H256| Some(h(0));
        assert_eq!(
            leaves.best_containing((h(0), 0), parent_of),
            Some((h(9), 1))
        );
        assert_eq!(
            leaves.iter().map(|(x, _)| x).collect::<Vec<_>>(),
            vec![h(9), h(1)]
        );
        // A longer chain still wins, whoever built it.
        leaves.import(h(2), 2, h(1));
        assert_eq!(
            leaves.best_containing((h(0), 0), |x: &H256| Some(if *x == h(2) {
                h(1)
            } else {
                h(0)
            })),
            Some((h(2), 2))
        );
        // Importing a known leaf again changes nothing.
        leaves.import(h(9), 1, h(0));
        assert_eq!(leaves.len(), 2);
    }
}
