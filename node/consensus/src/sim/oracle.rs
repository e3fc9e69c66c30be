//! The simulation's omniscient observer: it sees every block authored, every vote an honest
//! actor sends, every finalisation and every piece of evidence, and records violations of the
//! properties the run must keep.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use basalt_support::{generic::Header, BlockNumber, H256};
use parking_lot::Mutex;

use crate::chain::{BlockTree, ChainError, InMemoryBlockTree};
use crate::grandpa::{Message, RoundNumber, SetId};

/// Key of one vote slot: (actor, set, round, phase).
type VoteKey = (usize, SetId, RoundNumber, u8);

/// Global observations of one run.
#[derive(Default)]
pub struct Oracle {
    /// Every header ever authored, by hash.
    pub headers: BTreeMap<H256, Header>,
    /// The union of all finalised chains, by number; must stay a single chain.
    pub finalized: BTreeMap<BlockNumber, H256>,
    /// Each actor's last finalised block.
    pub node_finalized: BTreeMap<usize, (H256, BlockNumber)>,
    /// Finalisation events: (time, actor, number).
    pub finality_log: Vec<(u64, usize, BlockNumber)>,
    /// Votes sent by honest actors.
    pub honest_votes: BTreeMap<VoteKey, Message>,
    /// Safety and protocol violations found.
    pub violations: Vec<String>,
    /// Aura equivocations committed by the adversary where an honest actor could see them.
    pub aura_committed: BTreeSet<u64>,
    /// Aura equivocations detected by an honest actor: slot.
    pub aura_detected: BTreeSet<u64>,
    /// GRANDPA equivocations committed where an honest actor could see them.
    pub grandpa_committed: BTreeSet<(SetId, RoundNumber, u8)>,
    /// GRANDPA equivocations detected by an honest actor.
    pub grandpa_detected: BTreeSet<(SetId, RoundNumber, u8)>,
    /// Authority set handoffs observed: set id that ended -> handoff block.
    pub handoffs: BTreeMap<SetId, (H256, BlockNumber)>,
    /// Current simulated time (set by the loop, for the logs).
    pub now: u64,
}

impl Oracle {
    /// Records a violation.
    pub fn violation(&mut self, what: String) {
        if self.violations.len() < 32 {
            self.violations.push(what);
        }
    }

    /// Notes a finalisation by `node` and checks it against every other one.
    pub fn on_finalized(&mut self, node: usize, hash: H256, number: BlockNumber) {
        self.finality_log.push((self.now, node, number));
        let previous = self.node_finalized.insert(node, (hash, number));
        if let Some((_, n)) = previous {
            if n >= number {
                self.violation(format!(
                    "node {node} finalized #{number} after #{n} (finality went backwards)"
                ));
            }
        }
        let mut cursor = hash;
        let mut height = number;
        loop {
            match self.finalized.get(&height) {
                Some(h) if *h == cursor => break,
                Some(h) => {
                    let other = *h;
                    self.violation(format!(
                        "SAFETY: node {node} finalized #{height} {cursor:?} but {other:?} is \
                         final at that height on another node"
                    ));
                    break;
                }
                None => {
                    self.finalized.insert(height, cursor);
                    if height == 0 {
                        break;
                    }
                    match self.headers.get(&cursor) {
                        Some(h) => cursor = h.parent_hash,
                        None => {
                            self.violation(format!("finalized unknown block {cursor:?}"));
                            break;
                        }
                    }
                    height -= 1;
                }
            }
        }
    }

    /// Notes a vote sent by an honest actor; two different votes in one slot is a double vote.
    pub fn on_honest_vote(
        &mut self,
        node: usize,
        set_id: SetId,
        round: RoundNumber,
        message: &Message,
    ) {
        let phase = match message {
            Message::Prevote(_) => 0,
            Message::Precommit(_) => 1,
            Message::PrimaryPropose(_) => 2,
        };
        let key = (node, set_id, round, phase);
        match self.honest_votes.get(&key) {
            None => {
                self.honest_votes.insert(key, message.clone());
            }
            Some(m) if m == message => {}
            Some(m) => {
                let first = m.clone();
                self.violation(format!(
                    "DOUBLE VOTE: honest node {node} sent {first:?} and {message:?} in set \
                     {set_id} round {round}"
                ));
            }
        }
    }
}

/// An actor's block tree: the in-memory tree (its "disk", kept across crashes) reporting every
/// finalisation to the oracle.
pub struct SimTree {
    /// The actor.
    pub node: usize,
    /// The blocks.
    pub inner: InMemoryBlockTree,
    /// The observer.
    pub oracle: Arc<Mutex<Oracle>>,
}

impl BlockTree for SimTree {
    fn header(&self, hash: &H256) -> Option<Header> {
        self.inner.header(hash)
    }

    fn finalized(&self) -> (H256, BlockNumber) {
        self.inner.finalized()
    }

    fn best_chain_containing(&self, base: &H256) -> Option<(H256, BlockNumber)> {
        self.inner.best_chain_containing(base)
    }

    fn finalize(
        &self,
        hash: &H256,
        number: BlockNumber,
        justification: Vec<u8>,
    ) -> Result<(), ChainError> {
        let before = self.inner.finalized().1;
        let result = self.inner.finalize(hash, number, justification);
        match &result {
            Ok(()) if number > before => self.oracle.lock().on_finalized(self.node, *hash, number),
            Ok(()) => {}
            Err(e) => self
                .oracle
                .lock()
                .violation(format!("node {} could not finalize: {e}", self.node)),
        }
        result
    }

    fn justification(&self, hash: &H256) -> Option<Vec<u8>> {
        self.inner.justification(hash)
    }
}
