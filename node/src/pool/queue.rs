//! The pool's queue: which validated transactions are ready for a block and in what order.
//!
//! The runtime describes each transaction by tags (Substrate's `ValidTransaction`): it
//! *provides* some (its sender and nonce) and *requires* others (the sender's previous nonce
//! when it is ahead of the account). The queue knows nothing else about transactions:
//!
//! - a transaction is **ready** when every tag it requires is provided by a ready transaction
//!   (tags already provided by the chain state are never required, the runtime leaves them out);
//!   otherwise it waits in the **future** set, and is promoted as soon as the gap fills;
//! - a tag is provided by one transaction at most: a newcomer providing a taken tag replaces the
//!   holder only with a strictly higher priority (a higher tip), else it is refused;
//! - [`Queue::ready_in_order`] yields ready transactions in block order: among those whose
//!   requirements are already yielded, the highest priority first (oldest first on a tie), so
//!   one sender's transactions always come in nonce order;
//! - counts and sizes of both sets are bounded ([`Limits`]), as is the number of transactions
//!   per sender; the lowest-priority transactions are evicted first.
//!
//! Every mutation reports the readiness changes it caused ([`Changes`]) so that the pool can tell
//! watchers. The structure is deterministic (ties break on insertion order) and never panics.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use basalt_support::H256;

use super::PoolTransaction;

/// A tag as the runtime encodes it (for nonces: `(AccountId, Nonce).encode()`).
pub type Tag = Vec<u8>;

/// Bounds on one set of the queue (ready or future).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Most transactions the set may hold.
    pub count: usize,
    /// Most bytes (sum of encoded lengths) the set may hold.
    pub bytes: usize,
}

/// All the bounds of a queue; what keeps a flood of transactions from exhausting memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bounds on ready transactions.
    pub ready: Limit,
    /// Bounds on transactions waiting for a nonce gap to fill.
    pub future: Limit,
    /// Most transactions (ready and future) one sender may have in the queue.
    pub per_sender: usize,
}

/// What the runtime said about a transaction, as the queue needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validity {
    /// Higher goes first.
    pub priority: u64,
    /// Tags that must be provided by ready transactions first.
    pub requires: Vec<Tag>,
    /// Tags this transaction provides.
    pub provides: Vec<Tag>,
    /// The last block number at which it is still valid (`u64::MAX`: immortal).
    pub valid_till: u64,
}

/// Why the queue refused a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueueError {
    /// It is in the queue already.
    AlreadyImported,
    /// It provides a tag held by a transaction of equal or higher priority.
    TooLowPriority {
        /// Priority of the holder.
        old: u64,
        /// Priority of the newcomer.
        new: u64,
    },
    /// It provides no tag, so it cannot be told apart from a replay.
    NoTags,
    /// Its sender already has the maximum number of transactions queued.
    SenderLimit,
}

/// One queued transaction.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The transaction.
    pub tx: Arc<PoolTransaction>,
    /// Its current validity.
    pub validity: Validity,
    /// Insertion sequence number; older wins ties.
    pub insertion: u64,
    /// Whether it is in the ready set.
    pub ready: bool,
}

/// The readiness changes and removals one mutation caused, for the pool's watchers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Transactions that became ready.
    pub promoted: Vec<H256>,
    /// Transactions that went back to the future set (a dependency left).
    pub demoted: Vec<H256>,
    /// Transactions replaced by a higher-priority one providing the same tag: (old, new).
    pub replaced: Vec<(H256, H256)>,
    /// Transactions evicted to respect the limits.
    pub evicted: Vec<H256>,
}

impl Changes {
    fn merge(&mut self, other: Changes) {
        self.promoted.extend(other.promoted);
        self.demoted.extend(other.demoted);
        self.replaced.extend(other.replaced);
        self.evicted.extend(other.evicted);
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Usage {
    count: usize,
    bytes: usize,
}

impl Usage {
    fn add(&mut self, len: usize) {
        self.count += 1;
        self.bytes = self.bytes.saturating_add(len);
    }

    fn sub(&mut self, len: usize) {
        self.count = self.count.saturating_sub(1);
        self.bytes = self.bytes.saturating_sub(len);
    }

    fn exceeds(&self, limit: &Limit) -> bool {
        self.count > limit.count || self.bytes > limit.bytes
    }
}

/// Eviction order: lowest priority first, newest first on a tie.
type EvictionKey = (u64, Reverse<u64>, H256);

/// The ready and future sets with their tag indices. See the module documentation.
#[derive(Debug)]
pub struct Queue {
    limits: Limits,
    entries: HashMap<H256, Entry>,
    /// Which transaction provides each tag.
    providers: HashMap<Tag, H256>,
    /// Which transactions require each tag.
    requirers: HashMap<Tag, HashSet<H256>>,
    /// Queued transactions per sender.
    senders: HashMap<Vec<u8>, usize>,
    ready_usage: Usage,
    future_usage: Usage,
    ready_order: BTreeSet<EvictionKey>,
    future_order: BTreeSet<EvictionKey>,
    next_insertion: u64,
}

impl Queue {
    /// An empty queue with these limits.
    pub fn new(limits: Limits) -> Self {
        Queue {
            limits,
            entries: HashMap::new(),
            providers: HashMap::new(),
            requirers: HashMap::new(),
            senders: HashMap::new(),
            ready_usage: Usage::default(),
            future_usage: Usage::default(),
            ready_order: BTreeSet::new(),
            future_order: BTreeSet::new(),
            next_insertion: 0,
        }
    }

    /// The limits this queue enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Number of queued transactions (ready and future).
    #[allow(dead_code)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is queued.
    #[allow(dead_code)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of ready transactions.
    pub fn ready_len(&self) -> usize {
        self.ready_usage.count
    }

    /// Number of future transactions.
    pub fn future_len(&self) -> usize {
        self.future_usage.count
    }

    /// Whether `hash` is queued.
    pub fn contains(&self, hash: &H256) -> bool {
        self.entries.contains_key(hash)
    }

    /// The entry of `hash`.
    pub fn get(&self, hash: &H256) -> Option<&Entry> {
        self.entries.get(hash)
    }

    /// Every entry, in insertion order.
    pub fn entries_by_insertion(&self) -> Vec<&Entry> {
        let mut all: Vec<&Entry> = self.entries.values().collect();
        all.sort_by_key(|e| e.insertion);
        all
    }

    /// Whether a *ready* transaction provides `tag` (used for the pool-aware next nonce).
    pub fn ready_provides(&self, tag: &[u8]) -> bool {
        self.providers
            .get(tag)
            .and_then(|h| self.entries.get(h))
            .is_some_and(|e| e.ready)
    }

    /// The transaction that provides `tag`, ready or not.
    pub fn provider_of(&self, tag: &[u8]) -> Option<H256> {
        self.providers.get(tag).copied()
    }

    /// Adds a validated transaction. It is ready at once if its requirements are met, and its
    /// arrival may promote waiting transactions; providing a taken tag replaces the holder only
    /// with a strictly higher priority. Limits are enforced afterwards: if the newcomer itself
    /// is evicted it is reported in `evicted` (the caller refuses it as immediately dropped).
    pub fn insert(
        &mut self,
        tx: Arc<PoolTransaction>,
        validity: Validity,
    ) -> Result<Changes, QueueError> {
        let hash = tx.hash;
        if self.entries.contains_key(&hash) {
            return Err(QueueError::AlreadyImported);
        }
        if validity.provides.is_empty() {
            return Err(QueueError::NoTags);
        }
        // Which holders would be replaced, and may they be?
        let mut holders: Vec<H256> = Vec::new();
        for tag in &validity.provides {
            if let Some(holder) = self.providers.get(tag) {
                if !holders.contains(holder) {
                    holders.push(*holder);
                }
            }
        }
        for holder in &holders {
            if let Some(old) = self.entries.get(holder) {
                if old.validity.priority >= validity.priority {
                    return Err(QueueError::TooLowPriority {
                        old: old.validity.priority,
                        new: validity.priority,
                    });
                }
            }
        }
        if let Some(sender) = &tx.sender {
            let queued = self.senders.get(sender).copied().unwrap_or(0);
            let replaced_same_sender = holders
                .iter()
                .filter(|h| {
                    self.entries
                        .get(h)
                        .is_some_and(|e| e.tx.sender.as_ref() == Some(sender))
                })
                .count();
            if queued.saturating_sub(replaced_same_sender) >= self.limits.per_sender {
                return Err(QueueError::SenderLimit);
            }
        }

        let mut changes = Changes::default();
        let mut to_check: Vec<H256> = Vec::new();
        for holder in holders {
            // The newcomer takes over the holder's tags; whoever required them is rechecked
            // once the newcomer is in.
            if let Some(old) = self.detach(&holder) {
                for tag in &old.validity.provides {
                    if let Some(reqs) = self.requirers.get(tag) {
                        to_check.extend(reqs.iter().copied());
                    }
                }
                changes.replaced.push((holder, hash));
            }
        }

        let insertion = self.next_insertion;
        self.next_insertion += 1;
        self.attach(Entry {
            tx,
            validity,
            insertion,
            ready: false,
        });
        to_check.push(hash);
        changes.merge(self.recompute(to_check));
        changes.merge(self.enforce_limits());
        Ok(changes)
    }

    /// Removes `hash` because it is invalid, evicted or withdrawn: transactions that relied on
    /// the tags it provided go back to the future set.
    pub fn remove(&mut self, hash: &H256) -> Option<(Entry, Changes)> {
        let entry = self.detach(hash)?;
        let mut to_check = Vec::new();
        for tag in &entry.validity.provides {
            if let Some(reqs) = self.requirers.get(tag) {
                to_check.extend(reqs.iter().copied());
            }
        }
        let changes = self.recompute(to_check);
        Some((entry, changes))
    }

    /// Removes `hash` because a block included it: the tags it provided are now provided by
    /// the chain state, so they are struck from the requirements of the remaining transactions
    /// (which may promote them) instead of demoting them.
    pub fn prune_included(&mut self, hash: &H256) -> Option<(Entry, Changes)> {
        let entry = self.detach(hash)?;
        let changes = self.satisfy_tags(&entry.validity.provides);
        Some((entry, changes))
    }

    /// Strikes `tags` from every requirement: the chain state provides them now. Transactions
    /// still *providing* one of them are not touched here (the pool decides what they are).
    pub fn satisfy_tags(&mut self, tags: &[Tag]) -> Changes {
        let mut to_check = Vec::new();
        for tag in tags {
            if let Some(reqs) = self.requirers.remove(tag) {
                for req in reqs {
                    if let Some(entry) = self.entries.get_mut(&req) {
                        entry.validity.requires.retain(|t| t != tag);
                    }
                    to_check.push(req);
                }
            }
        }
        self.recompute(to_check)
    }

    /// Ready transactions in block order: a transaction comes after every ready transaction
    /// providing a tag it requires; among the available ones the highest priority goes first,
    /// the oldest on a tie.
    pub fn ready_in_order(&self) -> Vec<Arc<PoolTransaction>> {
        let ready: Vec<&Entry> = self.entries.values().filter(|e| e.ready).collect();
        // How many of each transaction's requirements are still to be yielded.
        let mut pending: HashMap<H256, usize> = HashMap::with_capacity(ready.len());
        let mut heap: BinaryHeap<(u64, Reverse<u64>, H256)> = BinaryHeap::new();
        for entry in &ready {
            let unmet = entry
                .validity
                .requires
                .iter()
                .filter(|tag| self.providers.contains_key(*tag))
                .count();
            if unmet == 0 {
                heap.push((
                    entry.validity.priority,
                    Reverse(entry.insertion),
                    entry.tx.hash,
                ));
            } else {
                pending.insert(entry.tx.hash, unmet);
            }
        }
        let mut out = Vec::with_capacity(ready.len());
        while let Some((_, _, hash)) = heap.pop() {
            let Some(entry) = self.entries.get(&hash) else {
                continue;
            };
            out.push(entry.tx.clone());
            for tag in &entry.validity.provides {
                let Some(reqs) = self.requirers.get(tag) else {
                    continue;
                };
                for req in reqs {
                    if let Some(left) = pending.get_mut(req) {
                        *left = left.saturating_sub(1);
                        if *left == 0 {
                            pending.remove(req);
                            if let Some(next) = self.entries.get(req) {
                                heap.push((
                                    next.validity.priority,
                                    Reverse(next.insertion),
                                    next.tx.hash,
                                ));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// Puts `entry` in the indices (not yet ready).
    fn attach(&mut self, entry: Entry) {
        let hash = entry.tx.hash;
        for tag in &entry.validity.provides {
            self.providers.insert(tag.clone(), hash);
        }
        for tag in &entry.validity.requires {
            self.requirers.entry(tag.clone()).or_default().insert(hash);
        }
        if let Some(sender) = &entry.tx.sender {
            *self.senders.entry(sender.clone()).or_insert(0) += 1;
        }
        self.future_usage.add(entry.tx.len);
        self.future_order
            .insert((entry.validity.priority, Reverse(entry.insertion), hash));
        self.entries.insert(hash, entry);
    }

    /// Takes `hash` out of every index, without rechecking anyone.
    fn detach(&mut self, hash: &H256) -> Option<Entry> {
        let entry = self.entries.remove(hash)?;
        for tag in &entry.validity.provides {
            if self.providers.get(tag) == Some(hash) {
                self.providers.remove(tag);
            }
        }
        for tag in &entry.validity.requires {
            if let Some(reqs) = self.requirers.get_mut(tag) {
                reqs.remove(hash);
                if reqs.is_empty() {
                    self.requirers.remove(tag);
                }
            }
        }
        if let Some(sender) = &entry.tx.sender {
            if let Some(count) = self.senders.get_mut(sender) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    self.senders.remove(sender);
                }
            }
        }
        let key = (entry.validity.priority, Reverse(entry.insertion), *hash);
        if entry.ready {
            self.ready_usage.sub(entry.tx.len);
            self.ready_order.remove(&key);
        } else {
            self.future_usage.sub(entry.tx.len);
            self.future_order.remove(&key);
        }
        Some(entry)
    }

    /// Whether every requirement of `entry` is provided by a ready transaction.
    fn requirements_met(&self, entry: &Entry) -> bool {
        entry.validity.requires.iter().all(|tag| {
            self.providers
                .get(tag)
                .and_then(|h| self.entries.get(h))
                .is_some_and(|p| p.ready)
        })
    }

    /// Brings the readiness of `start` (and, transitively, of whoever requires their tags) in
    /// line with the requirements, recording every change.
    fn recompute(&mut self, start: Vec<H256>) -> Changes {
        let mut changes = Changes::default();
        let mut work = start;
        let mut guard = 0usize;
        // Each flip is caused by a flip of a provider, so the work is bounded by the dependency
        // graph; the guard only keeps a bug from turning into a hang.
        let n = self.entries.len().saturating_add(16);
        let max_steps = n.saturating_mul(n).min(50_000_000);
        while let Some(hash) = work.pop() {
            guard += 1;
            if guard > max_steps {
                tracing::error!(target: "txpool", "readiness recomputation did not settle");
                break;
            }
            let Some(entry) = self.entries.get(&hash) else {
                continue;
            };
            let should = self.requirements_met(entry);
            if should == entry.ready {
                continue;
            }
            let len = entry.tx.len;
            let key = (entry.validity.priority, Reverse(entry.insertion), hash);
            let provides = entry.validity.provides.clone();
            if should {
                self.future_usage.sub(len);
                self.future_order.remove(&key);
                self.ready_usage.add(len);
                self.ready_order.insert(key);
                changes.promoted.push(hash);
            } else {
                self.ready_usage.sub(len);
                self.ready_order.remove(&key);
                self.future_usage.add(len);
                self.future_order.insert(key);
                changes.demoted.push(hash);
            }
            if let Some(entry) = self.entries.get_mut(&hash) {
                entry.ready = should;
            }
            for tag in &provides {
                if let Some(reqs) = self.requirers.get(tag) {
                    work.extend(reqs.iter().copied());
                }
            }
        }
        // A transaction promoted and demoted again within one mutation reports its final state
        // only.
        changes
            .promoted
            .retain(|h| self.entries.get(h).is_some_and(|e| e.ready));
        changes
            .demoted
            .retain(|h| self.entries.get(h).is_some_and(|e| !e.ready));
        changes.promoted.dedup();
        changes.demoted.dedup();
        changes
    }

    /// Evicts the lowest-priority transactions until both sets are within their limits: future
    /// ones first, then ready ones (whose dependents fall back to the future set, and may be
    /// evicted in turn).
    pub fn enforce_limits(&mut self) -> Changes {
        let mut changes = Changes::default();
        loop {
            let victim = if self.future_usage.exceeds(&self.limits.future) {
                self.future_order.iter().next().map(|k| k.2)
            } else if self.ready_usage.exceeds(&self.limits.ready) {
                self.ready_order.iter().next().map(|k| k.2)
            } else {
                None
            };
            let Some(victim) = victim else {
                break;
            };
            match self.remove(&victim) {
                Some((_, more)) => {
                    changes.evicted.push(victim);
                    changes.merge(more);
                }
                None => break,
            }
        }
        let evicted: HashSet<H256> = changes.evicted.iter().copied().collect();
        changes.promoted.retain(|h| !evicted.contains(h));
        changes.demoted.retain(|h| !evicted.contains(h));
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use basalt_support::generic::OpaqueExtrinsic;
    use codec::Encode;

    fn limits() -> Limits {
        Limits {
            ready: Limit {
                count: 100,
                bytes: 1 << 20,
            },
            future: Limit {
                count: 100,
                bytes: 1 << 20,
            },
            per_sender: 50,
        }
    }

    fn tag(who: u8, nonce: u32) -> Tag {
        ([who; 32], nonce).encode()
    }

    /// A transaction of sender `who` with `nonce`, `priority`, and a unique body `salt`.
    fn tx(who: u8, nonce: u32, salt: u8) -> Arc<PoolTransaction> {
        let data = OpaqueExtrinsic::from_body(vec![who, (nonce & 0xff) as u8, salt, 7, 7]);
        Arc::new(PoolTransaction {
            hash: data.hash(),
            len: data.to_full_bytes().len(),
            data,
            checked_at: Some((0, H256::zero())),
            sender: Some(vec![who]),
            source: basalt_support::validity::TransactionSource::External,
        })
    }

    /// Validity as the runtime gives it when the account's nonce is `state_nonce`.
    fn validity(who: u8, nonce: u32, state_nonce: u32, priority: u64) -> Validity {
        Validity {
            priority,
            requires: if nonce > state_nonce {
                vec![tag(who, nonce - 1)]
            } else {
                vec![]
            },
            provides: vec![tag(who, nonce)],
            valid_till: u64::MAX,
        }
    }

    fn order(q: &Queue) -> Vec<H256> {
        q.ready_in_order().iter().map(|t| t.hash).collect()
    }

    #[test]
    fn orders_by_priority_then_nonce() {
        let mut q = Queue::new(limits());
        let a0 = tx(1, 0, 0);
        let a1 = tx(1, 1, 0);
        let a2 = tx(1, 2, 0);
        let b0 = tx(2, 0, 0);
        // Sender 1's later nonces have high priority, but must wait for nonce 0.
        q.insert(a2.clone(), validity(1, 2, 0, 100)).unwrap();
        q.insert(a1.clone(), validity(1, 1, 0, 100)).unwrap();
        q.insert(b0.clone(), validity(2, 0, 0, 50)).unwrap();
        q.insert(a0.clone(), validity(1, 0, 0, 10)).unwrap();
        assert_eq!(q.ready_len(), 4);
        assert_eq!(order(&q), vec![b0.hash, a0.hash, a1.hash, a2.hash]);
    }

    #[test]
    fn equal_priority_keeps_arrival_order() {
        let mut q = Queue::new(limits());
        let txs: Vec<_> = (0..5).map(|i| tx(10 + i, 0, 0)).collect();
        for (i, t) in txs.iter().enumerate() {
            q.insert(t.clone(), validity(10 + i as u8, 0, 0, 7))
                .unwrap();
        }
        assert_eq!(order(&q), txs.iter().map(|t| t.hash).collect::<Vec<_>>());
    }

    #[test]
    fn gap_waits_in_future_then_promotes() {
        let mut q = Queue::new(limits());
        let a1 = tx(1, 1, 0);
        let a2 = tx(1, 2, 0);
        let a0 = tx(1, 0, 0);
        let c = q.insert(a2.clone(), validity(1, 2, 0, 1)).unwrap();
        assert!(c.promoted.is_empty());
        let c = q.insert(a1.clone(), validity(1, 1, 0, 1)).unwrap();
        assert!(c.promoted.is_empty());
        assert_eq!((q.ready_len(), q.future_len()), (0, 2));
        assert!(order(&q).is_empty());
        let c = q.insert(a0.clone(), validity(1, 0, 0, 1)).unwrap();
        let mut promoted = c.promoted.clone();
        promoted.sort();
        let mut expected = vec![a0.hash, a1.hash, a2.hash];
        expected.sort();
        assert_eq!(promoted, expected);
        assert_eq!((q.ready_len(), q.future_len()), (3, 0));
        assert_eq!(order(&q), vec![a0.hash, a1.hash, a2.hash]);
    }

    #[test]
    fn replacement_needs_strictly_higher_priority() {
        let mut q = Queue::new(limits());
        let first = tx(1, 0, 0);
        let same = tx(1, 0, 1);
        let better = tx(1, 0, 2);
        let next = tx(1, 1, 0);
        q.insert(first.clone(), validity(1, 0, 0, 10)).unwrap();
        q.insert(next.clone(), validity(1, 1, 0, 10)).unwrap();
        assert_eq!(
            q.insert(same.clone(), validity(1, 0, 0, 10)),
            Err(QueueError::TooLowPriority { old: 10, new: 10 })
        );
        assert_eq!(
            q.insert(first.clone(), validity(1, 0, 0, 99)),
            Err(QueueError::AlreadyImported)
        );
        let c = q.insert(better.clone(), validity(1, 0, 0, 11)).unwrap();
        assert_eq!(c.replaced, vec![(first.hash, better.hash)]);
        assert!(!q.contains(&first.hash));
        // The dependent stays ready: the replacement provides the same tag.
        assert_eq!(order(&q), vec![better.hash, next.hash]);
        assert!(c.demoted.is_empty());
    }

    #[test]
    fn removal_demotes_dependents_and_inclusion_does_not() {
        let mut q = Queue::new(limits());
        let a0 = tx(1, 0, 0);
        let a1 = tx(1, 1, 0);
        let a2 = tx(1, 2, 0);
        for (t, n) in [(&a0, 0), (&a1, 1), (&a2, 2)] {
            q.insert(t.clone(), validity(1, n, 0, 1)).unwrap();
        }
        // Included in a block: nonce 1 and 2 stay ready.
        let (_, c) = q.prune_included(&a0.hash).unwrap();
        assert!(c.demoted.is_empty());
        assert_eq!(order(&q), vec![a1.hash, a2.hash]);
        // Found invalid: nonce 2 can no longer be included.
        let (_, c) = q.remove(&a1.hash).unwrap();
        assert_eq!(c.demoted, vec![a2.hash]);
        assert_eq!((q.ready_len(), q.future_len()), (0, 1));
    }

    #[test]
    fn limits_evict_lowest_priority_and_per_sender() {
        let mut l = limits();
        l.ready.count = 3;
        l.per_sender = 2;
        let mut q = Queue::new(l);
        let low = tx(1, 0, 0);
        q.insert(low.clone(), validity(1, 0, 0, 1)).unwrap();
        q.insert(tx(2, 0, 0), validity(2, 0, 0, 5)).unwrap();
        q.insert(tx(3, 0, 0), validity(3, 0, 0, 5)).unwrap();
        let c = q.insert(tx(4, 0, 0), validity(4, 0, 0, 9)).unwrap();
        assert_eq!(c.evicted, vec![low.hash]);
        assert_eq!(q.ready_len(), 3);
        // A newcomer with the lowest priority is itself evicted.
        let lowest = tx(5, 0, 0);
        let c = q.insert(lowest.clone(), validity(5, 0, 0, 0)).unwrap();
        assert_eq!(c.evicted, vec![lowest.hash]);
    }

    #[test]
    fn per_sender_bound_counts_replacements_once() {
        let mut l = limits();
        l.per_sender = 2;
        let mut q = Queue::new(l);
        q.insert(tx(2, 0, 0), validity(2, 0, 0, 5)).unwrap();
        q.insert(tx(2, 1, 0), validity(2, 1, 0, 5)).unwrap();
        assert_eq!(
            q.insert(tx(2, 2, 0), validity(2, 2, 0, 50)),
            Err(QueueError::SenderLimit)
        );
        // Replacing one of the sender's own transactions does not grow its share.
        assert!(q.insert(tx(2, 1, 9), validity(2, 1, 0, 6)).is_ok());
        assert_eq!(q.len(), 2);
    }

    #[test]
    fn future_limit_and_no_tags() {
        let mut l = limits();
        l.future.count = 1;
        let mut q = Queue::new(l);
        let f1 = tx(1, 5, 0);
        let f2 = tx(2, 5, 0);
        q.insert(f1.clone(), validity(1, 5, 0, 3)).unwrap();
        let c = q.insert(f2.clone(), validity(2, 5, 0, 9)).unwrap();
        assert_eq!(c.evicted, vec![f1.hash]);
        let mut v = validity(3, 0, 0, 1);
        v.provides.clear();
        assert_eq!(q.insert(tx(3, 0, 0), v), Err(QueueError::NoTags));
        assert!(!q.ready_provides(&tag(2, 5)));
        assert_eq!(q.provider_of(&tag(2, 5)), Some(f2.hash));
    }

    #[test]
    fn satisfy_tags_promotes_waiting() {
        let mut q = Queue::new(limits());
        let a3 = tx(1, 3, 0);
        q.insert(a3.clone(), validity(1, 3, 0, 1)).unwrap();
        assert_eq!(q.future_len(), 1);
        let c = q.satisfy_tags(&[tag(1, 2)]);
        assert_eq!(c.promoted, vec![a3.hash]);
        assert_eq!(order(&q), vec![a3.hash]);
    }

    #[test]
    fn many_senders_interleave_by_priority() {
        let mut q = Queue::new(limits());
        // Two senders, three nonces each; sender 2 pays more per transaction.
        let mut expected = Vec::new();
        let mut all = Vec::new();
        for who in [1u8, 2] {
            for n in 0..3 {
                let t = tx(who, n, 0);
                all.push((
                    t.clone(),
                    validity(who, n, 0, if who == 2 { 20 } else { 10 }),
                ));
                if who == 2 {
                    expected.insert(n as usize, t.hash);
                } else {
                    expected.push(t.hash);
                }
            }
        }
        // Insert in reverse so that everything arrives out of order.
        for (t, v) in all.into_iter().rev() {
            q.insert(t, v).unwrap();
        }
        assert_eq!(order(&q), expected);
    }
}
