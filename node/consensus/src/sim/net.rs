//! The simulated network: point-to-point messages that are dropped, delayed, reordered and
//! cut by partitions, all decided by the seeded RNG.

use std::collections::BTreeMap;

use basalt_support::{generic::Header, H256};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// What actors send each other.
#[derive(Clone, Debug)]
pub enum Payload {
    /// A GRANDPA gossip message.
    Grandpa(Vec<u8>),
    /// A new block (header only: the simulation has no bodies).
    Announce(Header),
    /// Asks for a block and some of its ancestors.
    BlockRequest(H256),
    /// Blocks oldest first, each with its justification if the sender stores one.
    BlockResponse(Vec<(Header, Option<Vec<u8>>)>),
}

/// A message in flight.
#[derive(Clone, Debug)]
pub struct Envelope {
    /// Sender.
    pub from: usize,
    /// Recipient.
    pub to: usize,
    /// Content.
    pub payload: Payload,
}

/// Link behaviour.
#[derive(Clone, Copy, Debug)]
pub struct LinkConfig {
    /// Probability that a message is lost.
    pub drop_rate: f64,
    /// Smallest latency.
    pub min_delay_ms: u64,
    /// Extra latency, uniform in [0, jitter].
    pub jitter_ms: u64,
    /// Probability of a long extra delay (reorders messages).
    pub straggler_rate: f64,
    /// Upper bound of that extra delay.
    pub straggler_ms: u64,
}

/// Counters for the report.
#[derive(Clone, Copy, Debug, Default)]
pub struct NetStats {
    /// Messages handed to the network.
    pub sent: u64,
    /// Lost to the drop rate.
    pub dropped: u64,
    /// Cut by a partition (at send or delivery).
    pub partitioned: u64,
    /// Addressed to an actor that was down at delivery.
    pub to_down: u64,
    /// Delivered.
    pub delivered: u64,
}

/// The network state.
pub struct Network {
    queue: BTreeMap<(u64, u64), Envelope>,
    seq: u64,
    rng: ChaCha8Rng,
    /// Link behaviour (may change per phase).
    pub link: LinkConfig,
    /// Partition group of every actor; `None` when the network is whole.
    pub groups: Option<Vec<u8>>,
    /// Counters.
    pub stats: NetStats,
}

impl Network {
    /// A whole network with the given link behaviour.
    pub fn new(rng: ChaCha8Rng, link: LinkConfig) -> Self {
        Network {
            queue: BTreeMap::new(),
            seq: 0,
            rng,
            link,
            groups: None,
            stats: NetStats::default(),
        }
    }

    /// Whether `a` and `b` can currently talk.
    pub fn connected(&self, a: usize, b: usize) -> bool {
        match &self.groups {
            None => true,
            Some(g) => g.get(a) == g.get(b),
        }
    }

    /// Sends a message at time `now`.
    pub fn send(&mut self, now: u64, from: usize, to: usize, payload: Payload) {
        if from == to {
            return;
        }
        self.stats.sent += 1;
        if !self.connected(from, to) {
            self.stats.partitioned += 1;
            return;
        }
        if self.rng.gen_bool(self.link.drop_rate.clamp(0.0, 1.0)) {
            self.stats.dropped += 1;
            return;
        }
        let mut delay = self.link.min_delay_ms + self.rng.gen_range(0..=self.link.jitter_ms);
        if self.rng.gen_bool(self.link.straggler_rate.clamp(0.0, 1.0)) {
            delay += self.rng.gen_range(0..=self.link.straggler_ms);
        }
        self.seq += 1;
        self.queue
            .insert((now + delay, self.seq), Envelope { from, to, payload });
    }

    /// When the next message arrives.
    pub fn next_delivery(&self) -> Option<u64> {
        self.queue.keys().next().map(|(t, _)| *t)
    }

    /// Removes and returns the next message due by `now`, if its link is still up.
    pub fn pop_due(&mut self, now: u64) -> Option<Envelope> {
        loop {
            let key = *self.queue.keys().next()?;
            if key.0 > now {
                return None;
            }
            let envelope = self.queue.remove(&key)?;
            if !self.connected(envelope.from, envelope.to) {
                self.stats.partitioned += 1;
                continue;
            }
            return Some(envelope);
        }
    }

    /// A random number from the network's RNG (used for choosing peers).
    pub fn pick(&mut self, below: usize) -> usize {
        if below == 0 {
            0
        } else {
            self.rng.gen_range(0..below)
        }
    }
}
