//! A seeded, deterministic simulation of a validator network running the real consensus code.
//!
//! N in-process validators author blocks by Aura slots on a logical clock (each with a bounded
//! clock offset), import and relay each other's blocks, fetch missing ancestors, and run the real
//! [`crate::grandpa::GrandpaWorker`] (the `finality-grandpa` voter with this crate's glue) over a
//! simulated network that drops, delays, reorders and partitions messages. Honest validators
//! crash (losing everything in memory, keeping their block tree and voter state store: their
//! disk) and restart, sometimes right after persisting a vote and before sending it. One
//! validator is Byzantine: it signs two blocks for some of its slots and two different votes in
//! some rounds, and keeps both halves in circulation for 30 s (as gossip would). The runtime
//! schedules an authority-set change (same voters, next set id) every
//! [`SimConfig::change_period`] blocks. Fault schedule per seed: 4 to 6 validators, drop rate
//! 0 to 8 %, latency 5 ms plus up to 250 ms jitter, 3 % stragglers delayed up to 2 s (reordering),
//! two partitions of 15 to 35 s into random halves, 0 to 2 crashes per honest validator with 3
//! to 25 s downtime (half of them "torn": right after a poll that persisted a vote, dropping
//! everything it was about to send), then a quiet period from 190 s to the end at 240 s.
//!
//! Everything derives from the seed: key material is fixed, all randomness comes from a ChaCha
//! RNG seeded with it (sr25519 nonces included), time is logical, and actors are polled in a
//! fixed order. A failing seed replays exactly.
//!
//! Checked on every run ([`run`] returns the violations):
//! - safety: no two validators ever finalise different blocks at one height (checked at every
//!   finalisation against the union of all finalised chains);
//! - no honest validator ever sends two different votes for one (set, round, phase), crashes
//!   included; no honest validator is accused of equivocation or penalised by an honest peer;
//! - liveness: after every partition heals, some validator finalises a new block within
//!   [`SimConfig::heal_bound_ms`]; at the end, every honest validator has finalised at least up to
//!   the best block that existed when the network became quiet, and each is in the authority
//!   set its finalised chain implies;
//! - every equivocation the adversary committed while an honest validator of the same set could
//!   hear it is detected by some honest validator (Aura and GRANDPA), and the evidence verifies;
//! - every set-change block an honest validator finalised carries a verifying justification.

mod exec;
mod net;
mod node;
mod oracle;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use basalt_support::{
    generic::{Digest, Header},
    hashing::blake2_256,
    BlockNumber, H256,
};
use codec::Encode;
use futures::channel::mpsc::unbounded;
use parking_lot::Mutex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sp_core::{ed25519, sr25519, Pair as _};

pub use exec::{LogicalClock, NodeClock};
pub use net::{LinkConfig, NetStats};
pub use node::DeterministicSr25519;

use crate::aura::{self, AuraSigner, EquivocationDetector};
use crate::authorities::{
    check_grandpa_digest, scheduled_change_digest, AuthorityList, ScheduledChange,
    StaticAuthorities,
};
use crate::chain::{BlockTree, InMemoryBlockTree};
use crate::grandpa::{
    decode_message, sign_message, verify_justification, GossipMessage, GrandpaConfig,
    GrandpaEquivocation, GrandpaInput, GrandpaMetrics, GrandpaOutput, GrandpaParams, GrandpaWorker,
    MemoryVoterStateStore, Message, Peer, Precommit, Prevote, RoundNumber, SetId, VoteMessage,
};
use exec::{actor_waker, ReadySet};
use net::{Envelope, Network, Payload};
use node::{Actor, Live};
use oracle::{Oracle, SimTree};

/// Parameters of one run.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The seed everything derives from.
    pub seed: u64,
    /// Number of validators (at least 4: one of them is Byzantine).
    pub validators: usize,
    /// Logical duration of the run.
    pub duration_ms: u64,
    /// Aura slot duration.
    pub slot_ms: u64,
    /// GRANDPA gossip duration T.
    pub gossip_ms: u64,
    /// Blocks between authority-set changes.
    pub change_period: BlockNumber,
    /// Delay of each change.
    pub change_delay: BlockNumber,
    /// Time after which the network is quiet (no faults) until the end.
    pub quiet_from_ms: u64,
    /// How long after a heal finality must resume.
    pub heal_bound_ms: u64,
    /// Largest clock offset of a validator.
    pub max_clock_offset_ms: u64,
}

impl SimConfig {
    /// The standard scenario for `seed`: 4 to 6 validators, 240 logical seconds.
    pub fn standard(seed: u64) -> Self {
        SimConfig {
            seed,
            validators: 4 + (seed % 3) as usize,
            duration_ms: 240_000,
            slot_ms: 3_000,
            gossip_ms: 500,
            change_period: 16,
            change_delay: 3,
            quiet_from_ms: 190_000,
            heal_bound_ms: 45_000,
            max_clock_offset_ms: 300,
        }
    }
}

/// What a run did, for the test output.
#[derive(Clone, Debug, Default)]
pub struct SimReport {
    /// The seed.
    pub seed: u64,
    /// Validators.
    pub validators: usize,
    /// The Byzantine one.
    pub adversary: usize,
    /// Blocks authored (all forks).
    pub blocks: usize,
    /// Lowest finalised height among honest validators at the end.
    pub finalized_min: BlockNumber,
    /// Highest finalised height.
    pub finalized_max: BlockNumber,
    /// Authority set at the end.
    pub final_set_id: SetId,
    /// Crashes of honest validators.
    pub crashes: u64,
    /// Crashes right after a vote was persisted and before it was sent.
    pub torn_crashes: u64,
    /// Partitions.
    pub partitions: u64,
    /// For each heal: ms until a new block was finalised.
    pub heal_resume_ms: Vec<u64>,
    /// Aura equivocations committed / detected.
    pub aura_equivocations: (usize, usize),
    /// GRANDPA equivocations committed / detected.
    pub grandpa_equivocations: (usize, usize),
    /// Network counters.
    pub net: NetStats,
    /// GRANDPA counters summed over honest validators and all their incarnations.
    pub grandpa: GrandpaMetrics,
    /// Fingerprint of the run (finalised chain and counters), equal across replays.
    pub fingerprint: H256,
    /// Each validator's state at the end (for diagnosing a failed seed).
    pub node_states: Vec<String>,
}

/// A failed run: its seed, what broke, and the report.
#[derive(Clone, Debug)]
pub struct SimFailure {
    /// Replay with this seed.
    pub seed: u64,
    /// The violations.
    pub violations: Vec<String>,
    /// What happened.
    pub report: SimReport,
}

#[derive(Clone, Debug)]
enum Event {
    Crash { node: usize, torn: bool },
    Restart { node: usize },
    Partition(Vec<u8>),
    Heal,
    HealCheck { heal_at: u64, base: BlockNumber },
    Quiet,
    AdversaryResend,
}

struct Sim {
    cfg: SimConfig,
    clock: LogicalClock,
    ready: ReadySet,
    net: Network,
    rng: ChaCha8Rng,
    oracle: Arc<Mutex<Oracle>>,
    actors: Vec<Actor>,
    adversary: usize,
    authorities: Arc<StaticAuthorities>,
    aura_keys: Vec<sr25519::Public>,
    events: BTreeMap<(u64, u64), Event>,
    event_seq: u64,
    torn_armed: BTreeSet<usize>,
    no_crash_until: u64,
    quiet: bool,
    adv_votes: BTreeMap<(SetId, RoundNumber, u8), EquivocatingPair>,
    /// The adversary's equivocating block pairs, with when they were made.
    adv_blocks: Vec<(u64, Header, Header)>,
    report: SimReport,
    heal_results: Vec<Result<u64, String>>,
    quiet_best: BlockNumber,
}

/// Both encoded halves of one of the adversary's GRANDPA equivocations, and when it was made.
type EquivocatingPair = (Vec<u8>, Vec<u8>, u64);

/// How long the adversary keeps both halves of an equivocation in circulation.
const RESEND_FOR_MS: u64 = 30_000;

fn peer(i: usize) -> Peer {
    Peer(vec![i as u8])
}

fn peer_index(p: &Peer) -> Option<usize> {
    p.0.first().map(|b| *b as usize)
}

/// Runs one simulation; `Err` lists the violated properties with the seed to replay.
pub fn run(cfg: SimConfig) -> Result<SimReport, Box<SimFailure>> {
    let mut sim = Sim::new(cfg);
    sim.run();
    sim.finish()
}

impl Sim {
    fn new(cfg: SimConfig) -> Self {
        assert!(
            cfg.validators >= 4,
            "the simulation needs at least 4 validators"
        );
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let n = cfg.validators;
        let adversary = rng.gen_range(0..n);
        let genesis = Header::default();
        let oracle = Arc::new(Mutex::new(Oracle::default()));
        {
            let mut o = oracle.lock();
            o.headers.insert(genesis.hash(), genesis.clone());
            o.finalized.insert(0, genesis.hash());
        }
        let clock = LogicalClock::default();
        let mut actors = Vec::with_capacity(n);
        for i in 0..n {
            let aura = DeterministicSr25519::from_seed(&[i as u8 + 1; 32], rng.gen());
            let grandpa = ed25519::Pair::from_seed(&[i as u8 + 101; 32]);
            let offset = rng.gen_range(0..=2 * cfg.max_clock_offset_ms) as i64
                - cfg.max_clock_offset_ms as i64;
            actors.push(Actor {
                index: i,
                honest: i != adversary,
                aura,
                grandpa,
                tree: Arc::new(SimTree {
                    node: i,
                    inner: InMemoryBlockTree::new(genesis.clone()),
                    oracle: oracle.clone(),
                }),
                store: Arc::new(MemoryVoterStateStore::new()),
                clock: NodeClock {
                    clock: clock.clone(),
                    offset_ms: offset,
                },
                live: None,
                incarnation: 0,
                last_slot: 0,
                next_tick: 0,
            });
        }
        let aura_keys: Vec<_> = actors.iter().map(|a| a.aura.public()).collect();
        let grandpa_keys: AuthorityList = actors.iter().map(|a| (a.grandpa.public(), 1)).collect();
        let authorities = Arc::new(StaticAuthorities {
            aura: aura_keys.clone(),
            grandpa: grandpa_keys,
        });
        let link = LinkConfig {
            drop_rate: rng.gen_range(0.0..0.08),
            min_delay_ms: 5,
            jitter_ms: rng.gen_range(20..250),
            straggler_rate: 0.03,
            straggler_ms: 2_000,
        };
        let net = Network::new(ChaCha8Rng::seed_from_u64(rng.gen()), link);
        let report = SimReport {
            seed: cfg.seed,
            validators: n,
            adversary,
            ..Default::default()
        };
        let mut sim = Sim {
            cfg,
            clock,
            ready: ReadySet::default(),
            net,
            rng,
            oracle,
            actors,
            adversary,
            authorities,
            aura_keys,
            events: BTreeMap::new(),
            event_seq: 0,
            torn_armed: BTreeSet::new(),
            no_crash_until: 0,
            quiet: false,
            adv_votes: BTreeMap::new(),
            adv_blocks: Vec::new(),
            report,
            heal_results: Vec::new(),
            quiet_best: 0,
        };
        for i in 0..n {
            let offset = sim.actors[i].clock.offset_ms;
            sim.actors[i].next_tick = next_tick_after(0, sim.cfg.slot_ms, offset);
        }
        sim.schedule();
        sim
    }

    fn at(&mut self, time: u64, event: Event) {
        self.event_seq += 1;
        self.events.insert((time, self.event_seq), event);
    }

    /// Draws the fault schedule: two partitions with heals, crashes of honest validators, a
    /// quiet period at the end, and the adversary's periodic re-sends.
    fn schedule(&mut self) {
        let n = self.cfg.validators;
        let quiet = self.cfg.quiet_from_ms;
        let mut windows = Vec::new();
        for base in [35_000u64, 110_000] {
            let start = base + self.rng.gen_range(0..20_000);
            let end = start + self.rng.gen_range(15_000..35_000);
            let mut groups: Vec<u8> = (0..n).map(|_| self.rng.gen_range(0..2)).collect();
            // Both sides non-empty.
            groups[0] = 0;
            groups[n - 1] = 1;
            self.at(start, Event::Partition(groups));
            self.at(end, Event::Heal);
            windows.push((start, end));
        }
        for i in 0..n {
            if i == self.adversary {
                continue;
            }
            for _ in 0..self.rng.gen_range(0..=2) {
                let t = self.rng.gen_range(8_000..quiet - 20_000);
                let torn = self.rng.gen_bool(0.5);
                self.at(t, Event::Crash { node: i, torn });
                let down = self.rng.gen_range(3_000..25_000);
                self.at(t + down, Event::Restart { node: i });
            }
        }
        self.at(quiet, Event::Quiet);
        let mut t = 2_000;
        while t < self.cfg.duration_ms {
            self.at(t, Event::AdversaryResend);
            t += 2_000;
        }
    }

    fn run(&mut self) {
        for i in 0..self.actors.len() {
            self.start(i);
        }
        loop {
            self.drain_ready();
            let ticks = self.actors.iter().map(|a| a.next_tick).min();
            let next = [
                self.clock.next_deadline(),
                self.net.next_delivery(),
                ticks,
                self.events.keys().next().map(|(t, _)| *t),
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(next) = next else { break };
            if next > self.cfg.duration_ms {
                break;
            }
            self.clock.advance_to(next);
            self.oracle.lock().now = next;
            while let Some((&key, _)) = self.events.iter().next() {
                if key.0 > next {
                    break;
                }
                if let Some(event) = self.events.remove(&key) {
                    self.apply(event);
                }
            }
            for i in 0..self.actors.len() {
                if self.actors[i].next_tick <= next {
                    self.slot_tick(i);
                    let offset = self.actors[i].clock.offset_ms;
                    self.actors[i].next_tick = next_tick_after(next, self.cfg.slot_ms, offset);
                }
            }
            self.drain_ready();
            while let Some(envelope) = self.net.pop_due(next) {
                self.deliver(envelope);
            }
        }
        self.drain_ready();
    }

    // ----- Actors -----

    fn start(&mut self, i: usize) {
        if self.actors[i].live.is_some() {
            return;
        }
        let (input_tx, input_rx) = unbounded();
        let (output_tx, output_rx) = unbounded();
        let actor = &mut self.actors[i];
        actor.incarnation += 1;
        let params = GrandpaParams {
            config: GrandpaConfig {
                gossip_duration_ms: self.cfg.gossip_ms,
                neighbor_interval_ms: 4 * self.cfg.gossip_ms,
                rebroadcast_interval_ms: 4 * self.cfg.gossip_ms,
                relay: true,
                seed: self.cfg.seed ^ ((i as u64) << 32) ^ actor.incarnation,
            },
            local_key: Arc::new(Some(actor.grandpa)),
            tree: actor.tree.clone(),
            authorities: self.authorities.clone(),
            store: actor.store.clone(),
            clock: Arc::new(actor.clock.clone()),
            input: input_rx,
            output: output_tx,
        };
        let worker = match GrandpaWorker::new(params) {
            Ok(w) => w,
            Err(e) => {
                self.oracle
                    .lock()
                    .violation(format!("node {i} could not start GRANDPA: {e}"));
                return;
            }
        };
        let handle = worker.handle();
        actor.live = Some(Live {
            worker: Box::pin(worker),
            handle,
            input: input_tx,
            output: output_rx,
            detector: EquivocationDetector::new(256),
            orphans: BTreeMap::new(),
            waker: actor_waker(i, &self.ready),
            finished: false,
        });
        self.ready.mark(i);
    }

    fn crash(&mut self, i: usize) {
        if let Some(live) = self.actors[i].live.take() {
            self.report.crashes += 1;
            add_metrics(&mut self.report.grandpa, live.handle.metrics());
        }
        self.torn_armed.remove(&i);
    }

    fn drain_ready(&mut self) {
        while let Some(i) = self.ready.pop() {
            self.poll_actor(i);
        }
    }

    fn poll_actor(&mut self, i: usize) {
        let honest = self.actors[i].honest;
        let Some(live) = self.actors[i].live.as_mut() else {
            return;
        };
        if !live.finished {
            let waker = live.waker.clone();
            let mut cx = Context::from_waker(&waker);
            if let Poll::Ready(result) = live.worker.as_mut().poll(&mut cx) {
                live.finished = true;
                if honest {
                    self.oracle
                        .lock()
                        .violation(format!("GRANDPA worker of node {i} stopped: {result:?}"));
                }
            }
        }
        let mut outputs = Vec::new();
        while let Ok(out) = live.output.try_recv() {
            outputs.push(out);
        }
        if self.torn_armed.contains(&i)
            && outputs.iter().any(|o| match o {
                GrandpaOutput::Broadcast(b) => {
                    matches!(decode_message(b), Ok(GossipMessage::Vote(_)))
                }
                _ => false,
            })
        {
            // Crash after the vote was made durable but before it left the node.
            self.report.torn_crashes += 1;
            self.crash(i);
            return;
        }
        for out in outputs {
            self.handle_output(i, out);
        }
    }

    fn handle_output(&mut self, i: usize, out: GrandpaOutput) {
        let now = self.clock.now();
        match out {
            GrandpaOutput::Broadcast(bytes) => {
                let mut extra = None;
                let own = self.actors[i].grandpa.public();
                if let Ok(GossipMessage::Vote(v)) = decode_message(&bytes) {
                    if v.message.id != own {
                        // A relayed vote of someone else.
                    } else if self.actors[i].honest {
                        self.oracle
                            .lock()
                            .on_honest_vote(i, v.set_id, v.round, &v.message.message);
                    } else {
                        extra = self.adversary_vote(i, &v, &bytes);
                    }
                }
                for j in 0..self.actors.len() {
                    self.net.send(now, i, j, Payload::Grandpa(bytes.clone()));
                    if let Some(alt) = &extra {
                        self.net.send(now, i, j, Payload::Grandpa(alt.clone()));
                    }
                }
            }
            GrandpaOutput::SendTo(p, bytes) => {
                if let Some(j) = peer_index(&p) {
                    self.net.send(now, i, j, Payload::Grandpa(bytes));
                }
            }
            GrandpaOutput::RequestBlock { hash, from, .. } => {
                if let Some(j) = from.as_ref().and_then(peer_index) {
                    self.net.send(now, i, j, Payload::BlockRequest(hash));
                }
                let j = self.net.pick(self.actors.len());
                self.net.send(now, i, j, Payload::BlockRequest(hash));
            }
            GrandpaOutput::Report { peer, misbehaviour } => {
                if let Some(j) = peer_index(&peer) {
                    if self.actors[i].honest && j < self.actors.len() && self.actors[j].honest {
                        self.oracle.lock().violation(format!(
                            "honest node {i} penalised honest node {j}: {misbehaviour:?}"
                        ));
                    }
                }
            }
            GrandpaOutput::Equivocation(proof) => {
                if !self.actors[i].honest {
                    return;
                }
                let adversary_key = self.actors[self.adversary].grandpa.public();
                let mut oracle = self.oracle.lock();
                if !proof.verify() {
                    oracle.violation(format!("node {i} produced unverifiable evidence"));
                } else if proof.offender() != adversary_key {
                    oracle.violation(format!("node {i} accused an honest voter: {proof:?}"));
                } else {
                    let phase = match proof.equivocation {
                        GrandpaEquivocation::Prevote(_) => 0,
                        GrandpaEquivocation::Precommit(_) => 1,
                    };
                    oracle
                        .grandpa_detected
                        .insert((proof.set_id, proof.round(), phase));
                }
            }
            GrandpaOutput::Finalized { .. } => {}
            GrandpaOutput::AuthoritySetChanged { set_id, at, .. } => {
                let mut oracle = self.oracle.lock();
                let ended = set_id.saturating_sub(1);
                match oracle.handoffs.get(&ended) {
                    Some(known) if *known != at => {
                        let known = *known;
                        oracle.violation(format!(
                            "node {i} handed set {ended} over at {at:?}, others at {known:?}"
                        ));
                    }
                    Some(_) => {}
                    None => {
                        oracle.handoffs.insert(ended, at);
                    }
                }
            }
        }
    }

    /// The adversary's vote: maybe sign a second, different vote for the same round and phase.
    fn adversary_vote(&mut self, i: usize, vote: &VoteMessage, bytes: &[u8]) -> Option<Vec<u8>> {
        let phase = match vote.message.message {
            Message::Prevote(_) => 0u8,
            Message::Precommit(_) => 1u8,
            Message::PrimaryPropose(_) => return None,
        };
        let key = (vote.set_id, vote.round, phase);
        if let Some((_, alt, _)) = self.adv_votes.get(&key) {
            return Some(alt.clone());
        }
        let roll = u64::from_le_bytes(
            blake2_256(&(self.cfg.seed, key).encode())[..8]
                .try_into()
                .unwrap_or([0; 8]),
        );
        if roll % 10 >= 3 || self.late() || !self.observable_by_set(i, vote.set_id) {
            return None;
        }
        let (target, number) = vote.message.target();
        if number == 0 {
            return None;
        }
        let parent = self.actors[i].tree.header(target)?.parent_hash;
        let alt = match vote.message.message {
            Message::Prevote(_) => Message::Prevote(Prevote::new(parent, number - 1)),
            _ => Message::Precommit(Precommit::new(parent, number - 1)),
        };
        let signed = sign_message(&self.actors[i].grandpa, alt, vote.round, vote.set_id);
        let alt_bytes = GossipMessage::Vote(VoteMessage {
            round: vote.round,
            set_id: vote.set_id,
            message: signed,
        })
        .encode();
        let now = self.clock.now();
        self.adv_votes
            .insert(key, (bytes.to_vec(), alt_bytes.clone(), now));
        self.oracle.lock().grandpa_committed.insert(key);
        Some(alt_bytes)
    }

    /// Whether an honest validator that is up, reachable from `i` and in set `set_id` exists.
    fn observable_by_set(&self, i: usize, set_id: SetId) -> bool {
        self.actors.iter().any(|a| {
            a.honest
                && self.net.connected(i, a.index)
                && a.live
                    .as_ref()
                    .is_some_and(|l| l.handle.authority_set().set_id == set_id)
        })
    }

    /// Near the end the adversary stops equivocating: evidence needs time to travel.
    fn late(&self) -> bool {
        self.clock.now() + 20_000 > self.cfg.duration_ms
    }

    fn observable(&self, i: usize) -> bool {
        self.actors
            .iter()
            .any(|a| a.honest && a.live.is_some() && self.net.connected(i, a.index))
    }

    // ----- Events -----

    fn apply(&mut self, event: Event) {
        let now = self.clock.now();
        match event {
            Event::Crash { node, torn } => {
                if self.quiet || now < self.no_crash_until || self.actors[node].live.is_none() {
                    return;
                }
                if torn {
                    self.torn_armed.insert(node);
                } else {
                    self.crash(node);
                }
            }
            Event::Restart { node } => {
                self.torn_armed.remove(&node);
                self.start(node);
            }
            Event::Partition(groups) => {
                self.report.partitions += 1;
                self.net.groups = Some(groups);
            }
            Event::Heal => {
                self.net.groups = None;
                for i in 0..self.actors.len() {
                    self.torn_armed.remove(&i);
                    self.start(i);
                }
                self.no_crash_until = now + self.cfg.heal_bound_ms;
                let base = self
                    .oracle
                    .lock()
                    .node_finalized
                    .values()
                    .map(|(_, n)| *n)
                    .max()
                    .unwrap_or(0);
                self.at(
                    now + self.cfg.heal_bound_ms,
                    Event::HealCheck { heal_at: now, base },
                );
            }
            Event::HealCheck { heal_at, base } => {
                let oracle = self.oracle.lock();
                let resumed = oracle
                    .finality_log
                    .iter()
                    .find(|(t, _, n)| *t > heal_at && *n > base)
                    .map(|(t, _, _)| t - heal_at);
                drop(oracle);
                self.heal_results.push(resumed.ok_or_else(|| {
                    format!(
                        "LIVENESS: no block above #{base} finalized within {} ms of the heal at {heal_at} ms",
                        self.cfg.heal_bound_ms
                    )
                }));
            }
            Event::Quiet => {
                self.quiet = true;
                self.net.link.drop_rate = 0.01;
                self.net.link.straggler_rate = 0.0;
                for i in 0..self.actors.len() {
                    self.torn_armed.remove(&i);
                    self.start(i);
                }
                self.quiet_best = self
                    .actors
                    .iter()
                    .filter(|a| a.honest)
                    .map(|a| a.tree.inner.best().1)
                    .max()
                    .unwrap_or(0);
            }
            Event::AdversaryResend => self.adversary_resend(),
        }
    }

    /// The adversary keeps both halves of its recent equivocations in circulation (as a
    /// gossiping peer would), so that "every equivocation is detected" is about honest nodes
    /// noticing evidence that is out there, not about the luck of one lost packet.
    fn adversary_resend(&mut self) {
        let a = self.adversary;
        if self.actors[a].live.is_none() {
            return;
        }
        let now = self.clock.now();
        let recent: Vec<(Vec<u8>, Vec<u8>)> = self
            .adv_votes
            .values()
            .filter(|(_, _, at)| at + RESEND_FOR_MS >= now)
            .map(|(first, second, _)| (first.clone(), second.clone()))
            .collect();
        for (first, second) in recent {
            for j in 0..self.actors.len() {
                self.net.send(now, a, j, Payload::Grandpa(first.clone()));
                self.net.send(now, a, j, Payload::Grandpa(second.clone()));
            }
        }
        self.adv_blocks
            .retain(|(at, _, _)| at + RESEND_FOR_MS >= now);
        for (_, first, second) in self.adv_blocks.clone() {
            for j in 0..self.actors.len() {
                self.net.send(now, a, j, Payload::Announce(first.clone()));
                self.net.send(now, a, j, Payload::Announce(second.clone()));
            }
        }
    }

    // ----- Blocks -----

    fn slot_tick(&mut self, i: usize) {
        if self.actors[i].live.is_none() {
            return;
        }
        let slot = aura::slot_at(self.actors[i].clock.local_now(), self.cfg.slot_ms);
        if slot <= self.actors[i].last_slot {
            return;
        }
        let Some((owner, _)) = aura::slot_author(slot, &self.aura_keys) else {
            return;
        };
        if owner != i {
            return;
        }
        self.actors[i].last_slot = slot;
        let (parent_hash, parent_number) = self.actors[i].tree.inner.best();
        let number = parent_number + 1;
        let make = |salt: u8| {
            let mut digest = Digest {
                logs: vec![aura::pre_digest(slot)],
            };
            if number % self.cfg.change_period == 0 {
                digest.push(scheduled_change_digest(ScheduledChange {
                    next_authorities: self.authorities.grandpa.clone(),
                    delay: self.cfg.change_delay,
                }));
            }
            Header {
                parent_hash,
                number,
                state_root: H256(blake2_256(&(self.cfg.seed, slot, i as u64, salt).encode())),
                extrinsics_root: H256::zero(),
                digest,
            }
        };
        let mut first = make(0);
        aura::seal_header(&mut first, &self.actors[i].aura);
        let now = self.clock.now();
        let equivocate =
            !self.actors[i].honest && self.rng.gen_bool(0.5) && !self.late() && self.observable(i);
        let mut blocks = vec![first.clone()];
        if equivocate {
            let mut second = make(1);
            aura::seal_header(&mut second, &self.actors[i].aura);
            self.oracle.lock().aura_committed.insert(slot);
            self.adv_blocks.push((now, first.clone(), second.clone()));
            blocks.push(second);
        }
        for header in blocks {
            self.oracle
                .lock()
                .headers
                .insert(header.hash(), header.clone());
            self.import_block(i, header.clone(), None, i);
            for j in 0..self.actors.len() {
                self.net.send(now, i, j, Payload::Announce(header.clone()));
            }
        }
    }

    fn deliver(&mut self, envelope: Envelope) {
        let Envelope { from, to, payload } = envelope;
        if self.actors[to].live.is_none() {
            self.net.stats.to_down += 1;
            return;
        }
        self.net.stats.delivered += 1;
        let now = self.clock.now();
        match payload {
            Payload::Grandpa(bytes) => {
                if let Some(live) = &self.actors[to].live {
                    let _ = live.input.unbounded_send(GrandpaInput::Gossip {
                        from: peer(from),
                        bytes,
                    });
                }
            }
            Payload::Announce(header) => self.import_block(to, header, None, from),
            Payload::BlockRequest(hash) => {
                let tree = &self.actors[to].tree;
                let mut chain = Vec::new();
                let mut cursor = hash;
                while chain.len() < 16 {
                    let Some(h) = tree.header(&cursor) else { break };
                    if h.number == 0 {
                        break;
                    }
                    let parent = h.parent_hash;
                    let justification = tree.justification(&cursor);
                    chain.push((h, justification));
                    cursor = parent;
                }
                if !chain.is_empty() {
                    chain.reverse();
                    self.net.send(now, to, from, Payload::BlockResponse(chain));
                }
            }
            Payload::BlockResponse(blocks) => {
                for (header, justification) in blocks {
                    self.import_block(to, header, justification, from);
                }
            }
        }
    }

    /// Verifies and imports a block (and any orphans waiting for it), relays new blocks, and
    /// tells GRANDPA.
    fn import_block(
        &mut self,
        i: usize,
        header: Header,
        justification: Option<Vec<u8>>,
        from: usize,
    ) {
        let mut work = vec![(header, justification, from)];
        let tree = self.actors[i].tree.clone();
        let honest = self.actors[i].honest;
        while let Some((header, justification, from)) = work.pop() {
            let hash = header.hash();
            let now = self.clock.now();
            let now_slot = aura::slot_at(self.actors[i].clock.local_now(), self.cfg.slot_ms);
            let Some(input) = self.actors[i].live.as_ref().map(|l| l.input.clone()) else {
                return;
            };
            if tree.inner.contains(&hash) {
                if let Some(j) = justification {
                    let _ = input.unbounded_send(GrandpaInput::Justification {
                        from: Some(peer(from)),
                        hash,
                        number: header.number,
                        justification: j,
                    });
                }
                continue;
            }
            if header.number == 0 {
                continue;
            }
            let Some(parent) = tree.header(&header.parent_hash) else {
                if let Some(live) = self.actors[i].live.as_mut() {
                    let waiting = live.orphans.entry(header.parent_hash).or_default();
                    if waiting.len() < 64 && !waiting.iter().any(|(h, _, _)| h.hash() == hash) {
                        waiting.push((header.clone(), justification, from));
                    }
                }
                self.net
                    .send(now, i, from, Payload::BlockRequest(header.parent_hash));
                continue;
            };
            let verified =
                aura::verify_header(&header, &parent, &self.aura_keys).and_then(|(slot, index)| {
                    aura::ensure_not_future(slot, now_slot, 1).map(|_| (slot, index))
                });
            let (slot, author) = match verified {
                Ok(v) => v,
                Err(e) => {
                    if self.actors[from].honest && honest {
                        self.oracle.lock().violation(format!(
                            "node {i} rejected a block relayed by honest node {from}: {e}"
                        ));
                    }
                    continue;
                }
            };
            if check_grandpa_digest(&header).is_err() {
                self.oracle
                    .lock()
                    .violation(format!("node {i} saw a block with a bad GRANDPA digest"));
                continue;
            }
            let evidence = self.actors[i]
                .live
                .as_mut()
                .and_then(|l| l.detector.check(slot, &self.aura_keys[author], &header));
            if let Some(evidence) = evidence {
                if honest {
                    let mut oracle = self.oracle.lock();
                    if author != self.adversary {
                        oracle.violation(format!("node {i} accused honest author {author}"));
                    }
                    oracle.aura_detected.insert(evidence.slot);
                }
            }
            if let Err(e) = tree.inner.import(header.clone()) {
                self.oracle
                    .lock()
                    .violation(format!("node {i} failed to import: {e}"));
                continue;
            }
            let _ = input.unbounded_send(GrandpaInput::BlockImported {
                hash,
                number: header.number,
            });
            if let Some(j) = justification {
                let _ = input.unbounded_send(GrandpaInput::Justification {
                    from: Some(peer(from)),
                    hash,
                    number: header.number,
                    justification: j,
                });
            }
            if let Some(children) = self.actors[i]
                .live
                .as_mut()
                .and_then(|l| l.orphans.remove(&hash))
            {
                work.extend(children);
            }
            // Relay new blocks (block gossip).
            if from != i {
                for j in 0..self.actors.len() {
                    if j != from {
                        self.net.send(now, i, j, Payload::Announce(header.clone()));
                    }
                }
            }
        }
    }

    // ----- Verdict -----

    fn finish(mut self) -> Result<SimReport, Box<SimFailure>> {
        let mut violations = self.oracle.lock().violations.clone();
        for r in &self.heal_results {
            match r {
                Ok(ms) => self.report.heal_resume_ms.push(*ms),
                Err(e) => violations.push(e.clone()),
            }
        }
        for a in self.actors.iter().filter(|a| a.honest) {
            if let Some(live) = &a.live {
                add_metrics(&mut self.report.grandpa, live.handle.metrics());
            }
        }
        let oracle = self.oracle.lock();
        let honest: Vec<&Actor> = self.actors.iter().filter(|a| a.honest).collect();
        let finalized: Vec<BlockNumber> = honest.iter().map(|a| a.tree.finalized().1).collect();
        self.report.finalized_min = finalized.iter().copied().min().unwrap_or(0);
        self.report.finalized_max = finalized.iter().copied().max().unwrap_or(0);
        if self.report.finalized_min < self.quiet_best {
            violations.push(format!(
                "LIVENESS: an honest node finalized only #{} by the end, below #{} (best block \
                 when the network became quiet)",
                self.report.finalized_min, self.quiet_best
            ));
        }
        // Each honest node is in the set its finalised chain implies: one handoff per set
        // change at or below its finalised block.
        let mut final_sets = BTreeSet::new();
        for a in &honest {
            let fin = a.tree.finalized().1;
            let expected = oracle.handoffs.values().filter(|(_, n)| *n <= fin).count() as SetId;
            match a.live.as_ref().map(|l| l.handle.authority_set().set_id) {
                Some(set_id) if set_id == expected => {
                    final_sets.insert(set_id);
                }
                other => violations.push(format!(
                    "node {} is in set {other:?} but finalized #{fin}, which implies set \
                     {expected}",
                    a.index
                )),
            }
        }
        self.report.final_set_id = final_sets.iter().copied().max().unwrap_or(0);
        // Every handoff block an honest node finalised carries a verifying justification.
        for a in &honest {
            let fin = a.tree.finalized().1;
            for (set_id, (hash, number)) in &oracle.handoffs {
                if *number > fin {
                    continue;
                }
                match a.tree.justification(hash) {
                    Some(j) => {
                        if verify_justification(&j, *set_id, &self.authorities.grandpa)
                            != Ok((*hash, *number))
                        {
                            violations.push(format!(
                                "node {} holds a bad justification for handoff #{number}",
                                a.index
                            ));
                        }
                    }
                    None => violations.push(format!(
                        "node {} finalized handoff block #{number} of set {set_id} without a \
                         justification",
                        a.index
                    )),
                }
            }
        }
        let missed_aura: Vec<_> = oracle
            .aura_committed
            .difference(&oracle.aura_detected)
            .collect();
        if !missed_aura.is_empty() {
            violations.push(format!(
                "Aura equivocations never detected in slots {missed_aura:?}"
            ));
        }
        let missed_grandpa: Vec<_> = oracle
            .grandpa_committed
            .difference(&oracle.grandpa_detected)
            .collect();
        if !missed_grandpa.is_empty() {
            violations.push(format!(
                "GRANDPA equivocations never detected (set, round, phase): {missed_grandpa:?}"
            ));
        }
        self.report.blocks = oracle.headers.len() - 1;
        self.report.aura_equivocations = (oracle.aura_committed.len(), oracle.aura_detected.len());
        self.report.grandpa_equivocations = (
            oracle.grandpa_committed.len(),
            oracle.grandpa_detected.len(),
        );
        self.report.net = self.net.stats;
        for a in &self.actors {
            let (fin_hash, fin) = a.tree.finalized();
            let best = a.tree.inner.best();
            let grandpa = a.live.as_ref().map(|l| {
                (
                    l.handle.authority_set().set_id,
                    l.handle.round_state(),
                    l.handle.metrics(),
                )
            });
            self.report.node_states.push(format!(
                "node {} ({}): finalized #{fin} {fin_hash:?}, best #{} {:?}, grandpa {grandpa:?}",
                a.index,
                if a.honest { "honest" } else { "adversary" },
                best.1,
                best.0,
            ));
        }
        self.report.fingerprint = H256(blake2_256(
            &(
                oracle.finalized.iter().collect::<Vec<_>>(),
                self.report.blocks as u64,
                self.report.net.sent,
                self.report.net.delivered,
                self.report.crashes,
            )
                .encode(),
        ));
        drop(oracle);
        if violations.is_empty() {
            Ok(self.report)
        } else {
            Err(Box::new(SimFailure {
                seed: self.cfg.seed,
                violations,
                report: self.report,
            }))
        }
    }
}

fn add_metrics(total: &mut GrandpaMetrics, m: GrandpaMetrics) {
    total.votes_cast += m.votes_cast;
    total.substituted_votes += m.substituted_votes;
    total.parked += m.parked;
    total.replayed += m.replayed;
    total.catch_ups_served += m.catch_ups_served;
    total.catch_ups_imported += m.catch_ups_imported;
    total.handoffs_served += m.handoffs_served;
    total.straggler_votes_sent += m.straggler_votes_sent;
    total.finalized += m.finalized;
    total.set_changes += m.set_changes;
    total.equivocations += m.equivocations;
}

/// The first global time after `now` at which an actor with clock offset `offset` starts a slot.
fn next_tick_after(now: u64, slot_ms: u64, offset: i64) -> u64 {
    let local = now as i64 + offset;
    let next_local = (local.div_euclid(slot_ms as i64) + 1) * slot_ms as i64;
    (next_local - offset).max(now as i64 + 1) as u64
}

#[cfg(test)]
mod tests;
