//! The GRANDPA authority set in force, and the change pending on a chain.
//!
//! A set starts at a finalised block (genesis for set 0). A standard change signalled in block
//! `S` (number `s`) with delay `d` is pending on every chain containing `S`, and takes effect when
//! the block at height `s + d` of that chain is finalised; that block becomes the next set's
//! start. While a change is pending, votes are capped at `s + d` (see
//! [`super::gossip`]), so the old set always finalises exactly the handoff block, with a
//! justification.
//!
//! Which signals count: those in blocks above the set's start, plus one in the start block itself
//! unless it is the very signal that created the set (a change with delay 0 is signalled and
//! enacted in the same block). Only the first signal on a chain counts; the runtime must not
//! schedule a second change while one is pending (Substrate's pallet enforces the same).

use std::collections::BTreeMap;
use std::sync::Arc;

use basalt_support::{BlockNumber, H256};
use codec::{Decode, Encode};
use finality_grandpa::voter_set::VoterSet;

use super::{AuthorityId, AuthorityList, SetId};
use crate::authorities::find_scheduled_change;
use crate::chain::BlockTree;

/// How many ended sets to remember (to serve their handoff justifications to lagging peers).
const HISTORY: usize = 64;

/// The authority set in force, as persisted with the voter state.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct AuthoritySetState {
    /// The set's id.
    pub set_id: SetId,
    /// Its voters and weights.
    pub authorities: AuthorityList,
    /// The finalised block the set started at.
    pub start: (H256, BlockNumber),
    /// The block whose signal created this set (`None` for the first set).
    pub signal: Option<H256>,
    /// The last blocks of recent earlier sets: `(set_id, hash, number)`, oldest first.
    pub history: Vec<(SetId, H256, BlockNumber)>,
}

/// A standard change pending on some chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingChange {
    /// The block carrying the signal.
    pub signal_hash: H256,
    /// Its number.
    pub signal_number: BlockNumber,
    /// The height at which the change takes effect (`signal_number + delay`).
    pub effective_number: BlockNumber,
    /// The next voters.
    pub next_authorities: AuthorityList,
}

impl AuthoritySetState {
    /// A first set (no history), starting at `start`.
    pub fn new(set_id: SetId, authorities: AuthorityList, start: (H256, BlockNumber)) -> Self {
        AuthoritySetState {
            set_id,
            authorities,
            start,
            signal: None,
            history: Vec::new(),
        }
    }

    /// The voter set, or `None` if the list cannot form one.
    pub fn voters(&self) -> Option<VoterSet<AuthorityId>> {
        if !crate::authorities::valid_authority_list(&self.authorities) {
            return None;
        }
        VoterSet::new(self.authorities.iter().cloned())
    }

    /// The set that follows when `change` is enacted at block `at`.
    pub fn next(&self, change: &PendingChange, at: (H256, BlockNumber)) -> Self {
        let mut history = self.history.clone();
        history.push((self.set_id, at.0, at.1));
        if history.len() > HISTORY {
            history.remove(0);
        }
        AuthoritySetState {
            set_id: self.set_id + 1,
            authorities: change.next_authorities.clone(),
            start: at,
            signal: Some(change.signal_hash),
            history,
        }
    }

    /// The block that ended set `set_id`, if remembered.
    pub fn ended_at(&self, set_id: SetId) -> Option<(H256, BlockNumber)> {
        self.history
            .iter()
            .find(|(id, _, _)| *id == set_id)
            .map(|(_, h, n)| (*h, *n))
    }
}

/// Finds the change pending on chains, memoised per block for the current set.
#[derive(Default)]
pub(crate) struct ChangeTracker {
    set_id: Option<SetId>,
    cache: BTreeMap<H256, Option<Arc<PendingChange>>>,
}

/// Bound on memoised blocks; the memo is rebuilt on demand past it.
const CACHE_LIMIT: usize = 100_000;

impl ChangeTracker {
    /// The first change signalled on the chain from the set's start to `block` (inclusive), or
    /// `None` if there is none, `block` is unknown or does not descend from the set's start.
    pub(crate) fn pending_change(
        &mut self,
        tree: &dyn BlockTree,
        set: &AuthoritySetState,
        block: &H256,
    ) -> Option<Arc<PendingChange>> {
        if self.set_id != Some(set.set_id) || self.cache.len() > CACHE_LIMIT {
            self.cache.clear();
            self.set_id = Some(set.set_id);
        }
        let mut path = Vec::new();
        let mut cursor = *block;
        let found = loop {
            if let Some(known) = self.cache.get(&cursor) {
                break known.clone();
            }
            let header = tree.header(&cursor)?;
            if header.number < set.start.1 {
                return None;
            }
            if header.number == set.start.1 {
                if cursor != set.start.0 {
                    return None;
                }
                let own = if set.signal == Some(cursor) {
                    None
                } else {
                    signal_of(&cursor, &header)
                };
                self.cache.insert(cursor, own.clone());
                break own;
            }
            let parent = header.parent_hash;
            path.push((cursor, header));
            cursor = parent;
        };
        let mut acc = found;
        for (hash, header) in path.into_iter().rev() {
            if acc.is_none() {
                acc = signal_of(&hash, &header);
            }
            self.cache.insert(hash, acc.clone());
        }
        acc
    }
}

fn signal_of(hash: &H256, header: &basalt_support::generic::Header) -> Option<Arc<PendingChange>> {
    find_scheduled_change(header).map(|c| {
        Arc::new(PendingChange {
            signal_hash: *hash,
            signal_number: header.number,
            effective_number: header.number.saturating_add(c.delay),
            next_authorities: c.next_authorities,
        })
    })
}
