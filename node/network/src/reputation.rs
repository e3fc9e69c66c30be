//! Peer reputation and bans.
//!
//! Every peer has a score that starts at zero. Misbehaviour (undecodable gossip, a malformed
//! response, an invalid block or transaction reported by the node, a handshake for another
//! chain) subtracts; the score drifts back towards zero over time, so occasional faults are
//! forgiven and persistent ones are not. A peer whose score falls below [`BAN_THRESHOLD`] is
//! disconnected and banned for the configured duration: its connections are refused in both
//! directions until the ban expires.
//!
//! This module is pure bookkeeping (no I/O, time is passed in), so it is tested on its own;
//! the service applies its verdicts to the swarm.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use libp2p::PeerId;

/// A change to a peer's reputation and the reason for it (logged when applied).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReputationChange {
    /// Added to the score; negative for misbehaviour.
    pub value: i32,
    /// Why, for the logs.
    pub reason: &'static str,
}

impl ReputationChange {
    /// A change of `value` for `reason`.
    pub const fn new(value: i32, reason: &'static str) -> Self {
        ReputationChange { value, reason }
    }
}

/// Below this score a peer is disconnected and banned.
pub const BAN_THRESHOLD: i32 = -100;

/// The changes the network itself applies, and the ones the node should report, ordered from
/// most to least severe. One "fatal" change bans at once; the others take several offences.
pub mod costs {
    use super::ReputationChange;

    /// The peer is on another chain (genesis mismatch) or speaks an incompatible version.
    pub const WRONG_CHAIN: ReputationChange =
        ReputationChange::new(-1_000, "wrong genesis/version");
    /// The peer sent a block that failed import (bad signature, bad state root, ...): report
    /// this from the node when a gossiped or synced block turns out invalid.
    pub const BAD_BLOCK: ReputationChange = ReputationChange::new(-1_000, "invalid block");
    /// The peer sent an undecodable handshake.
    pub const BAD_STATUS: ReputationChange = ReputationChange::new(-1_000, "malformed status");
    /// The peer sent a finality message that is invalid (bad signature, unknown voter):
    /// report this from the finality gadget.
    pub const BAD_FINALITY_MESSAGE: ReputationChange =
        ReputationChange::new(-100, "invalid finality message");
    /// The peer answered a block request with a malformed or mismatching response.
    pub const BAD_RESPONSE: ReputationChange =
        ReputationChange::new(-50, "malformed block response");
    /// The peer gossiped bytes that do not decode.
    pub const UNDECODABLE_GOSSIP: ReputationChange =
        ReputationChange::new(-30, "undecodable gossip");
    /// The peer sent an undecodable block request.
    pub const BAD_REQUEST: ReputationChange = ReputationChange::new(-30, "malformed block request");
    /// The peer gossiped a transaction the pool found invalid: report this from the node.
    pub const BAD_TRANSACTION: ReputationChange = ReputationChange::new(-10, "invalid transaction");
    /// The peer announced a best block and then, several times in a row, served nothing of
    /// the chain it claims: a claim no delivered block backs (it could stall a node that
    /// believed it). Bans at once.
    pub const FALSE_BEST: ReputationChange =
        ReputationChange::new(-100, "announced blocks it does not serve");
    /// The peer did not answer a request in time or answered nothing it claimed to have.
    pub const UNRESPONSIVE: ReputationChange = ReputationChange::new(-5, "unresponsive");
}

/// Rewards for useful behaviour, which offset occasional faults.
pub mod benefits {
    use super::ReputationChange;

    /// The peer served blocks we imported.
    pub const GOOD_BLOCKS: ReputationChange = ReputationChange::new(5, "useful blocks");
    /// The peer gossiped a transaction the pool accepted.
    pub const GOOD_TRANSACTION: ReputationChange = ReputationChange::new(1, "good transaction");
}

/// What applying a change decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The peer stays.
    Keep,
    /// The peer just fell below the threshold: disconnect and refuse it until `until`.
    Ban {
        /// When the ban ends.
        until: Instant,
    },
}

/// Scores and bans of all peers seen recently.
#[derive(Debug)]
pub struct Reputations {
    scores: HashMap<PeerId, i32>,
    bans: HashMap<PeerId, Instant>,
    ban_duration: Duration,
}

impl Reputations {
    /// An empty book; bans last `ban_duration`.
    pub fn new(ban_duration: Duration) -> Self {
        Reputations {
            scores: HashMap::new(),
            bans: HashMap::new(),
            ban_duration,
        }
    }

    /// The score of `peer` (zero if unknown).
    pub fn score(&self, peer: &PeerId) -> i32 {
        self.scores.get(peer).copied().unwrap_or(0)
    }

    /// Whether `peer` is banned at `now`.
    pub fn is_banned(&self, peer: &PeerId, now: Instant) -> bool {
        self.bans.get(peer).is_some_and(|until| *until > now)
    }

    /// The banned peers and when each ban ends.
    pub fn bans(&self) -> impl Iterator<Item = (&PeerId, &Instant)> {
        self.bans.iter()
    }

    /// Applies `change` to `peer`; returns [`Verdict::Ban`] when this change takes the score
    /// below [`BAN_THRESHOLD`] and the peer was not already banned.
    pub fn apply(&mut self, peer: PeerId, change: ReputationChange, now: Instant) -> Verdict {
        let score = self.scores.entry(peer).or_insert(0);
        *score = score.saturating_add(change.value);
        if *score < BAN_THRESHOLD && !self.is_banned(&peer, now) {
            let until = now + self.ban_duration;
            self.bans.insert(peer, until);
            return Verdict::Ban { until };
        }
        Verdict::Keep
    }

    /// Moves every score 2% (at least 1) towards zero, forgets peers at zero that are not
    /// banned, and lifts expired bans, returning the peers to unblock. Call about once a
    /// second.
    pub fn tick(&mut self, now: Instant) -> Vec<PeerId> {
        for score in self.scores.values_mut() {
            let step = (*score / 50).abs().max(1);
            if *score > 0 {
                *score -= step.min(*score);
            } else if *score < 0 {
                *score += step.min(-*score);
            }
        }
        let expired: Vec<PeerId> = self
            .bans
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(peer, _)| *peer)
            .collect();
        for peer in &expired {
            self.bans.remove(peer);
            // Released peers start on probation: half way to the threshold.
            self.scores.insert(*peer, BAN_THRESHOLD / 2);
        }
        let bans = &self.bans;
        self.scores
            .retain(|peer, score| *score != 0 || bans.contains_key(peer));
        expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_garbage_bans_and_ban_expires() {
        let mut book = Reputations::new(Duration::from_secs(10));
        let peer = PeerId::random();
        let now = Instant::now();
        let mut verdicts = Vec::new();
        for _ in 0..4 {
            verdicts.push(book.apply(peer, costs::UNDECODABLE_GOSSIP, now));
        }
        assert_eq!(&verdicts[..3], &[Verdict::Keep; 3]);
        assert!(matches!(verdicts[3], Verdict::Ban { .. }));
        assert!(book.is_banned(&peer, now));
        // Further offences while banned do not re-ban.
        assert_eq!(book.apply(peer, costs::BAD_BLOCK, now), Verdict::Keep);
        assert!(book.tick(now + Duration::from_secs(5)).is_empty());
        let released = book.tick(now + Duration::from_secs(11));
        assert_eq!(released, vec![peer]);
        assert!(!book.is_banned(&peer, now + Duration::from_secs(11)));
        assert_eq!(book.score(&peer), BAN_THRESHOLD / 2);
    }

    #[test]
    fn fatal_changes_ban_at_once_and_scores_decay() {
        let mut book = Reputations::new(Duration::from_secs(10));
        let now = Instant::now();
        let bad = PeerId::random();
        assert!(matches!(
            book.apply(bad, costs::WRONG_CHAIN, now),
            Verdict::Ban { .. }
        ));
        let meh = PeerId::random();
        book.apply(meh, costs::UNRESPONSIVE, now);
        for _ in 0..5 {
            book.tick(now);
        }
        assert_eq!(book.score(&meh), 0);
        let good = PeerId::random();
        book.apply(good, benefits::GOOD_BLOCKS, now);
        book.tick(now);
        assert_eq!(book.score(&good), 4);
    }
}
