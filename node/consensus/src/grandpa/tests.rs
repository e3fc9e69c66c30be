//! Unit tests of the GRANDPA glue: justifications, the durable vote record, buffering, the
//! handoff cap, catch-up of a lagging node through justifications, and bad input.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use basalt_support::generic::{Digest, Header};
use basalt_support::{BlockNumber, H256};
use codec::Encode;
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::Future;
use sp_core::{ed25519, Pair as _};

use super::gossip::Shared;
use super::*;
use crate::authorities::{scheduled_change_digest, ScheduledChange, StaticAuthorities};
use crate::chain::{BlockTree, ChainError, InMemoryBlockTree};
use crate::sim::{LogicalClock, NodeClock};

fn key(i: u8) -> ed25519::Pair {
    ed25519::Pair::from_seed(&[i + 40; 32])
}

fn authorities(keys: &[ed25519::Pair]) -> AuthorityList {
    keys.iter().map(|k| (k.public(), 1)).collect()
}

/// Builds `count` blocks on `parent`; `signal` puts a scheduled change (same voters) with the
/// given delay into the block with that number.
fn extend(
    tree: &InMemoryBlockTree,
    parent: &Header,
    count: u32,
    salt: u8,
    signal: Option<(BlockNumber, BlockNumber, AuthorityList)>,
) -> Vec<Header> {
    let mut out = Vec::new();
    let mut parent = parent.clone();
    for _ in 0..count {
        let number = parent.number + 1;
        let mut digest = Digest::default();
        if let Some((at, delay, next)) = &signal {
            if *at == number {
                digest.push(scheduled_change_digest(ScheduledChange {
                    next_authorities: next.clone(),
                    delay: *delay,
                }));
            }
        }
        let header = Header {
            parent_hash: parent.hash(),
            number,
            state_root: H256::repeat_byte(salt),
            extrinsics_root: H256::zero(),
            digest,
        };
        tree.import(header.clone()).expect("imports");
        out.push(header.clone());
        parent = header;
    }
    out
}

/// One worker driven by hand on a logical clock.
struct Harness {
    clock: LogicalClock,
    tree: Arc<InMemoryBlockTree>,
    store: Arc<MemoryVoterStateStore>,
    worker: Pin<Box<GrandpaWorker>>,
    input: UnboundedSender<GrandpaInput>,
    output: UnboundedReceiver<GrandpaOutput>,
    outputs: Vec<GrandpaOutput>,
    result: Option<Result<(), GrandpaError>>,
}

impl Harness {
    fn new(
        voters: AuthorityList,
        local: Option<ed25519::Pair>,
        tree: Arc<InMemoryBlockTree>,
        store: Arc<MemoryVoterStateStore>,
    ) -> Self {
        let clock = LogicalClock::default();
        let (input, input_rx) = unbounded();
        let (output_tx, output) = unbounded();
        let worker = GrandpaWorker::new(GrandpaParams {
            config: GrandpaConfig {
                gossip_duration_ms: 100,
                neighbor_interval_ms: 1_000,
                rebroadcast_interval_ms: 1_000,
                relay: false,
                seed: 1,
            },
            local_key: Arc::new(local),
            tree: tree.clone(),
            authorities: Arc::new(StaticAuthorities {
                aura: vec![],
                grandpa: voters,
            }),
            store: store.clone(),
            clock: Arc::new(NodeClock {
                clock: clock.clone(),
                offset_ms: 0,
            }),
            input: input_rx,
            output: output_tx,
        })
        .expect("worker starts");
        Harness {
            clock,
            tree,
            store,
            worker: Box::pin(worker),
            input,
            output,
            outputs: Vec::new(),
            result: None,
        }
    }

    fn poll(&mut self) {
        if self.result.is_none() {
            let waker = futures::task::noop_waker();
            let mut cx = Context::from_waker(&waker);
            if let Poll::Ready(r) = self.worker.as_mut().poll(&mut cx) {
                self.result = Some(r);
            }
        }
        while let Ok(out) = self.output.try_recv() {
            self.outputs.push(out);
        }
    }

    fn send(&mut self, input: GrandpaInput) {
        self.input.unbounded_send(input).expect("worker alive");
        self.poll();
    }

    fn run_for(&mut self, ms: u64) {
        let end = self.clock.now() + ms;
        self.poll();
        while let Some(next) = self.clock.next_deadline() {
            if next > end || self.result.is_some() {
                break;
            }
            self.clock.advance_to(next);
            self.poll();
        }
        self.clock.advance_to(end);
        self.poll();
    }

    /// Our votes sent so far, decoded: (set, round, message).
    fn own_votes(&self, id: &AuthorityId) -> Vec<(SetId, RoundNumber, Message)> {
        self.outputs
            .iter()
            .filter_map(|o| match o {
                GrandpaOutput::Broadcast(b) => match decode_message(b) {
                    Ok(GossipMessage::Vote(v)) if v.message.id == *id => {
                        Some((v.set_id, v.round, v.message.message))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }
}

fn vote_bytes(pair: &ed25519::Pair, message: Message, round: u64, set_id: u64) -> Vec<u8> {
    GossipMessage::Vote(VoteMessage {
        round,
        set_id,
        message: sign_message(pair, message, round, set_id),
    })
    .encode()
}

#[test]
fn single_voter_finalizes_hands_off_and_serves_the_handoff_justification() {
    let keys = [key(0)];
    let voters = authorities(&keys);
    let genesis = Header::default();
    let tree = Arc::new(InMemoryBlockTree::new(genesis.clone()));
    // Signal at #2 with delay 2: the handoff block is #4.
    let chain = extend(&tree, &genesis, 8, 1, Some((2, 2, voters.clone())));
    let mut h = Harness::new(
        voters.clone(),
        Some(keys[0]),
        tree.clone(),
        Arc::new(MemoryVoterStateStore::new()),
    );
    h.run_for(5_000);
    assert!(h.result.is_none(), "worker stopped: {:?}", h.result);
    assert_eq!(h.tree.finalized(), (chain[7].hash(), 8));
    assert!(h.outputs.contains(&GrandpaOutput::AuthoritySetChanged {
        set_id: 1,
        authorities: voters.clone(),
        at: (chain[3].hash(), 4),
    }));
    // Set 0 never voted past the handoff block.
    for (set_id, _, message) in h.own_votes(&keys[0].public()) {
        if set_id == 0 {
            assert!(message.target().1 <= 4, "{message:?} passes the handoff");
        }
    }
    // The handoff block carries a justification of set 0, the head one of set 1.
    let handoff = h.tree.justification(&chain[3].hash()).expect("stored");
    assert_eq!(
        verify_justification(&handoff, 0, &voters),
        Ok((chain[3].hash(), 4))
    );
    assert!(verify_justification(&handoff, 1, &voters).is_err());
    let head = h.tree.justification(&chain[7].hash()).expect("stored");
    assert_eq!(
        verify_justification(&head, 1, &voters),
        Ok((chain[7].hash(), 8))
    );

    // A peer stuck in set 0 asks for the handoff justification and gets it.
    let asker = Peer(vec![9]);
    h.send(GrandpaInput::Gossip {
        from: asker.clone(),
        bytes: GossipMessage::HandoffRequest(HandoffRequest { set_id: 0 }).encode(),
    });
    let answer = GossipMessage::Handoff(HandoffMessage {
        set_id: 0,
        justification: handoff,
    })
    .encode();
    assert!(h.outputs.contains(&GrandpaOutput::SendTo(asker, answer)));
    let metrics = h.worker.handle().metrics();
    assert_eq!(metrics.set_changes, 1);
    assert_eq!(h.worker.handle().authority_set().set_id, 1);
}

#[test]
fn a_lagging_node_follows_justifications_across_a_handoff() {
    let keys = [key(0)];
    let voters = authorities(&keys);
    let genesis = Header::default();
    let leader_tree = Arc::new(InMemoryBlockTree::new(genesis.clone()));
    let chain = extend(&leader_tree, &genesis, 8, 1, Some((2, 2, voters.clone())));
    let mut leader = Harness::new(
        voters.clone(),
        Some(keys[0]),
        leader_tree,
        Arc::new(MemoryVoterStateStore::new()),
    );
    leader.run_for(5_000);
    let j4 = leader
        .tree
        .justification(&chain[3].hash())
        .expect("handoff");
    let j8 = leader.tree.justification(&chain[7].hash()).expect("head");

    // A follower (no key) with the same blocks, finality at genesis.
    let follower_tree = Arc::new(InMemoryBlockTree::new(genesis.clone()));
    for header in &chain {
        follower_tree.import(header.clone()).expect("imports");
    }
    let mut f = Harness::new(
        voters.clone(),
        None,
        follower_tree,
        Arc::new(MemoryVoterStateStore::new()),
    );
    let peer = Peer(vec![1]);
    // Set 1's justification first: it cannot be checked yet (above the pending handoff), and
    // the sender is not penalised for it.
    f.send(GrandpaInput::Justification {
        from: Some(peer.clone()),
        hash: chain[7].hash(),
        number: 8,
        justification: j8.clone(),
    });
    assert_eq!(f.tree.finalized().1, 0);
    // Then the handoff, then set 1's again.
    for (hash, number, j) in [(chain[3].hash(), 4, j4), (chain[7].hash(), 8, j8)] {
        f.send(GrandpaInput::Justification {
            from: Some(peer.clone()),
            hash,
            number,
            justification: j,
        });
    }
    assert_eq!(f.tree.finalized(), (chain[7].hash(), 8));
    assert_eq!(f.worker.handle().authority_set().set_id, 1);
    assert!(!f
        .outputs
        .iter()
        .any(|o| matches!(o, GrandpaOutput::Report { .. })));
    // A forged justification for a block of set 1 is penalised.
    let more = extend(&f.tree, &chain[7], 1, 1, None);
    let mut forged = GrandpaJustification::decode_strict(
        &leader.tree.justification(&chain[7].hash()).expect("head"),
    )
    .expect("decodes");
    forged.commit.target_hash = more[0].hash();
    forged.commit.target_number = 9;
    f.send(GrandpaInput::Justification {
        from: Some(peer.clone()),
        hash: more[0].hash(),
        number: 9,
        justification: forged.encode(),
    });
    assert!(f.outputs.contains(&GrandpaOutput::Report {
        peer,
        misbehaviour: Misbehaviour::InvalidJustification
    }));
    assert_eq!(f.tree.finalized().1, 8);
}

#[test]
fn a_restarted_voter_resends_its_recorded_vote() {
    let keys: Vec<_> = (0..4).map(key).collect();
    let voters = authorities(&keys);
    let genesis = Header::default();
    let tree = Arc::new(InMemoryBlockTree::new(genesis.clone()));
    let a = extend(&tree, &genesis, 1, 1, None);
    let b = extend(&tree, &genesis, 3, 2, None);
    assert_eq!(tree.best(), (b[2].hash(), 3));
    // Before the crash, round 1's prevote for a1 was made durable (and maybe sent).
    let store = Arc::new(MemoryVoterStateStore::new());
    let mut votes = BTreeMap::new();
    votes.insert(
        1,
        RoundVotes {
            propose: None,
            prevote: Some(Prevote::new(a[0].hash(), 1)),
            precommit: None,
        },
    );
    store
        .store(&PersistedState {
            set: AuthoritySetState::new(0, voters.clone(), (genesis.hash(), 0)),
            completed: None,
            votes,
        })
        .expect("stores");
    let mut h = Harness::new(voters, Some(keys[0]), tree, store);
    h.run_for(1_000);
    let prevotes: Vec<_> = h
        .own_votes(&keys[0].public())
        .into_iter()
        .filter(|(_, round, m)| *round == 1 && matches!(m, Message::Prevote(_)))
        .collect();
    assert!(!prevotes.is_empty(), "the voter prevoted");
    for (_, _, m) in &prevotes {
        // The fresh voter would pick the longer fork (b3); the record wins.
        assert_eq!(m, &Message::Prevote(Prevote::new(a[0].hash(), 1)));
    }
    assert_eq!(h.worker.handle().metrics().substituted_votes, 1);
}

#[test]
fn a_vote_that_cannot_be_made_durable_is_never_sent() {
    let keys: Vec<_> = (0..4).map(key).collect();
    let voters = authorities(&keys);
    let genesis = Header::default();
    let tree = Arc::new(InMemoryBlockTree::new(genesis.clone()));
    extend(&tree, &genesis, 2, 1, None);
    let store = Arc::new(MemoryVoterStateStore::new());
    let mut h = Harness::new(voters, Some(keys[0]), tree, store);
    h.store.set_failing(true);
    h.run_for(1_000);
    assert!(matches!(h.result, Some(Err(GrandpaError::Store(_)))));
    assert!(h.own_votes(&keys[0].public()).is_empty());
}

#[test]
fn votes_for_unknown_blocks_wait_for_the_block() {
    let keys: Vec<_> = (0..4).map(key).collect();
    let voters = authorities(&keys);
    let genesis = Header::default();
    let tree = Arc::new(InMemoryBlockTree::new(genesis.clone()));
    let mut h = Harness::new(
        voters,
        None,
        tree.clone(),
        Arc::new(MemoryVoterStateStore::new()),
    );
    h.poll();
    // A block only the sender has so far.
    let unknown = Header {
        parent_hash: genesis.hash(),
        number: 1,
        state_root: H256::repeat_byte(7),
        ..Default::default()
    };
    let from = Peer(vec![2]);
    for k in &keys[1..3] {
        h.send(GrandpaInput::Gossip {
            from: from.clone(),
            bytes: vote_bytes(k, Message::Prevote(Prevote::new(unknown.hash(), 1)), 1, 0),
        });
    }
    assert!(h.outputs.contains(&GrandpaOutput::RequestBlock {
        hash: unknown.hash(),
        number: 1,
        from: Some(from.clone()),
    }));
    let state = h.worker.handle().round_state().expect("voter runs");
    assert_eq!((state.round, state.prevote_weight), (1, 0));
    tree.import(unknown.clone()).expect("imports");
    h.send(GrandpaInput::BlockImported {
        hash: unknown.hash(),
        number: 1,
    });
    let state = h.worker.handle().round_state().expect("voter runs");
    assert_eq!(state.prevote_weight, 2);
    let metrics = h.worker.handle().metrics();
    assert_eq!((metrics.parked, metrics.replayed), (2, 2));
    // A vote claiming a wrong number for a known block never reaches the voter.
    h.send(GrandpaInput::Gossip {
        from,
        bytes: vote_bytes(
            &keys[3],
            Message::Prevote(Prevote::new(unknown.hash(), 5)),
            1,
            0,
        ),
    });
    assert_eq!(
        h.worker
            .handle()
            .round_state()
            .expect("runs")
            .prevote_weight,
        2
    );
}

#[test]
fn bad_messages_are_reported_and_equivocations_proven() {
    let keys: Vec<_> = (0..4).map(key).collect();
    let voters = authorities(&keys);
    let genesis = Header::default();
    let tree = Arc::new(InMemoryBlockTree::new(genesis.clone()));
    let a = extend(&tree, &genesis, 2, 1, None);
    let mut h = Harness::new(voters, None, tree, Arc::new(MemoryVoterStateStore::new()));
    h.poll();
    let from = Peer(vec![3]);
    let gossip = |bytes: Vec<u8>| GrandpaInput::Gossip {
        from: from.clone(),
        bytes,
    };
    let reported = |h: &Harness, m: Misbehaviour| {
        h.outputs.contains(&GrandpaOutput::Report {
            peer: Peer(vec![3]),
            misbehaviour: m,
        })
    };
    h.send(gossip(vec![0xff, 0x00, 0x01]));
    assert!(reported(&h, Misbehaviour::Undecodable));
    // Signed for round 2 but sent as round 1.
    let mut bad = VoteMessage {
        round: 1,
        set_id: 0,
        message: sign_message(
            &keys[1],
            Message::Prevote(Prevote::new(a[0].hash(), 1)),
            2,
            0,
        ),
    };
    h.send(gossip(GossipMessage::Vote(bad.clone()).encode()));
    assert!(reported(&h, Misbehaviour::BadSignature));
    bad.message = sign_message(
        &key(9),
        Message::Prevote(Prevote::new(a[0].hash(), 1)),
        1,
        0,
    );
    h.send(gossip(GossipMessage::Vote(bad).encode()));
    assert!(reported(&h, Misbehaviour::NotAVoter));
    // Votes of another set are ignored without penalty.
    let before = h.outputs.len();
    h.send(gossip(vote_bytes(
        &keys[1],
        Message::Prevote(Prevote::new(a[0].hash(), 1)),
        1,
        7,
    )));
    assert!(!h.outputs[before..]
        .iter()
        .any(|o| matches!(o, GrandpaOutput::Report { .. })));

    // Two different prevotes by voter 2 in round 1: evidence that verifies on its own.
    for target in [&a[0], &a[1]] {
        h.send(gossip(vote_bytes(
            &keys[2],
            Message::Prevote(Prevote::new(target.hash(), target.number)),
            1,
            0,
        )));
    }
    let proofs: Vec<_> = h
        .outputs
        .iter()
        .filter_map(|o| match o {
            GrandpaOutput::Equivocation(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(proofs.len(), 1, "reported once");
    assert!(proofs[0].verify());
    assert_eq!(proofs[0].offender(), keys[2].public());
    assert_eq!(proofs[0].round(), 1);
    assert_eq!(h.worker.handle().equivocations(), proofs);
    // Tampered evidence does not verify.
    let mut tampered = proofs[0].clone();
    tampered.set_id = 1;
    assert!(!tampered.verify());
}

/// A block tree whose fork choice lost the base (re-orged away, pruned).
struct NoBestChain(InMemoryBlockTree);

impl BlockTree for NoBestChain {
    fn header(&self, hash: &H256) -> Option<Header> {
        self.0.header(hash)
    }
    fn finalized(&self) -> (H256, BlockNumber) {
        self.0.finalized()
    }
    fn best_chain_containing(&self, _base: &H256) -> Option<(H256, BlockNumber)> {
        None
    }
    fn finalize(&self, h: &H256, n: BlockNumber, j: Vec<u8>) -> Result<(), ChainError> {
        self.0.finalize(h, n, j)
    }
    fn justification(&self, hash: &H256) -> Option<Vec<u8>> {
        self.0.justification(hash)
    }
}

fn shared_over(tree: Arc<dyn BlockTree>, voters: AuthorityList) -> Shared {
    let (output, _rx) = unbounded();
    let genesis = tree.finalized();
    Shared::new(
        GrandpaConfig::default(),
        Arc::new(None::<ed25519::Pair>),
        tree,
        Arc::new(MemoryVoterStateStore::new()),
        output,
        Arc::new(|| 0),
        PersistedState {
            set: AuthoritySetState::new(0, voters, genesis),
            completed: None,
            votes: BTreeMap::new(),
        },
    )
    .expect("valid set")
}

#[test]
fn best_chain_never_fails_and_stops_at_the_handoff() {
    let voters = authorities(&[key(0)]);
    let genesis = Header::default();

    // Fork choice has nothing for the base: vote for the base itself.
    let lost = NoBestChain(InMemoryBlockTree::new(genesis.clone()));
    let chain = extend(&lost.0, &genesis, 3, 1, None);
    let mut shared = shared_over(Arc::new(lost), voters.clone());
    assert_eq!(
        shared.best_chain_containing(chain[1].hash()),
        Some((chain[1].hash(), 2))
    );
    assert_eq!(shared.best_chain_containing(H256::repeat_byte(9)), None);

    // A change signalled at #3 with delay 2 takes effect at #5: votes stop there.
    let tree = Arc::new(InMemoryBlockTree::new(genesis.clone()));
    let chain = extend(&tree, &genesis, 9, 1, Some((3, 2, voters.clone())));
    let mut shared = shared_over(tree.clone(), voters.clone());
    assert_eq!(
        shared.best_chain_containing(genesis.hash()),
        Some((chain[4].hash(), 5))
    );
    // A base already past the cap (only a Byzantine primary could suggest one) is kept.
    assert_eq!(
        shared.best_chain_containing(chain[6].hash()),
        Some((chain[6].hash(), 7))
    );
    // A fork without the signal is not capped.
    let fork = extend(&tree, &chain[1], 8, 2, None);
    assert_eq!(
        shared.best_chain_containing(fork[0].hash()),
        Some((fork[7].hash(), 10))
    );
}

fn signed_precommit(
    pair: &ed25519::Pair,
    target: &Header,
    round: u64,
    set_id: u64,
) -> SignedPrecommit {
    let precommit = Precommit::new(target.hash(), target.number);
    let signed = sign_message(pair, Message::Precommit(precommit.clone()), round, set_id);
    SignedPrecommit {
        precommit,
        signature: signed.signature,
        id: signed.id,
    }
}

#[test]
fn justifications_verify_and_tampering_is_caught() {
    let keys: Vec<_> = (0..4).map(key).collect();
    let voters = authorities(&keys);
    let genesis = Header::default();
    let tree = InMemoryBlockTree::new(genesis.clone());
    let chain = extend(&tree, &genesis, 4, 1, None);
    // Precommits for #2, #3, #4 and an equivocating pair by voter 3 (#1 and #4, counting for
    // every block): #3 has 3 of 4, the threshold, so the precommit GHOST and target is #3.
    let precommits = vec![
        signed_precommit(&keys[0], &chain[1], 5, 3),
        signed_precommit(&keys[1], &chain[2], 5, 3),
        signed_precommit(&keys[2], &chain[3], 5, 3),
        signed_precommit(&keys[3], &chain[0], 5, 3),
        signed_precommit(&keys[3], &chain[3], 5, 3),
    ];
    let commit = Commit {
        target_hash: chain[2].hash(),
        target_number: 3,
        precommits,
    };
    let justification =
        GrandpaJustification::from_commit(&tree, 5, commit.clone()).expect("builds");
    let bytes = justification.encode();
    // Substrate's layout: round, then the commit (target hash, number, precommits), then the
    // ancestry headers (routes down to the lowest precommit target, #1).
    assert_eq!(&bytes[..8], &5u64.to_le_bytes());
    assert_eq!(&bytes[8..40], chain[2].hash().as_bytes());
    assert_eq!(&bytes[40..44], &3u32.to_le_bytes());
    assert_eq!(justification.votes_ancestries.len(), 3);
    assert_eq!(
        verify_justification(&bytes, 3, &voters),
        Ok((chain[2].hash(), 3))
    );

    let check = |j: &GrandpaJustification| verify_justification(&j.encode(), 3, &voters);
    assert_eq!(
        verify_justification(&bytes, 4, &voters),
        Err(JustificationError::BadSignature)
    );
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert_eq!(
        verify_justification(&trailing, 3, &voters),
        Err(JustificationError::Undecodable)
    );
    // Below the threshold (3 of 4; an equivocator counts for every block): drop voters 0, 1.
    let mut weak = justification.clone();
    weak.commit.precommits.drain(0..2);
    weak.votes_ancestries = GrandpaJustification::from_commit(&tree, 5, weak.commit.clone())
        .expect("builds")
        .votes_ancestries;
    assert_eq!(check(&weak), Err(JustificationError::NotFinalizing));
    // A claimed target that is not the precommits' GHOST.
    let mut wrong_target = justification.clone();
    wrong_target.commit.target_hash = chain[1].hash();
    wrong_target.commit.target_number = 2;
    assert_eq!(check(&wrong_target), Err(JustificationError::NotFinalizing));
    // A stranger's precommit.
    let mut stranger = justification.clone();
    stranger
        .commit
        .precommits
        .push(signed_precommit(&key(9), &chain[2], 5, 3));
    assert_eq!(check(&stranger), Err(JustificationError::UnknownVoter));
    // A forged signature.
    let mut forged = justification.clone();
    forged.commit.precommits[0].signature = ed25519::Signature::from_raw([1; 64]);
    assert_eq!(check(&forged), Err(JustificationError::BadSignature));
    // A useless extra header, a missing one.
    let mut extra = justification.clone();
    extra.votes_ancestries.push(genesis.clone());
    assert_eq!(check(&extra), Err(JustificationError::UnusedAncestry));
    let mut missing = justification.clone();
    missing.votes_ancestries.pop();
    assert_eq!(check(&missing), Err(JustificationError::BadAncestry));
    // A precommit whose number contradicts the headers.
    let mut renumbered = justification;
    renumbered.commit.precommits[2].precommit.target_number = 9;
    assert!(check(&renumbered).is_err());
}

#[test]
fn the_worker_can_be_spawned_and_the_handle_shared() {
    fn send<T: Send + 'static>() {}
    fn send_sync<T: Send + Sync + 'static>() {}
    send::<GrandpaWorker>();
    send_sync::<GrandpaHandle>();
    send_sync::<FileVoterStateStore>();
}
