//! A hostile peer, built directly on libp2p, that completes the handshake and then sends
//! garbage: undecodable gossip, undecodable block requests, or an undecodable status. Each
//! time it is disconnected and banned (its redials refused) while honest nodes keep gossiping.
//! And one that claims a best block of `u32::MAX` and serves nothing: it never puts the node
//! in major sync (which would stop a validator authoring) and is banned.

mod common;

use std::sync::Arc;
use std::time::Duration;

use basalt_network::protocol::{self, FrameCodec, GossipKind, Status, STATUS_PROTOCOL};
use basalt_network::testing::MemoryChain;
use basalt_network::{ChainAccess, Multiaddr, NetworkEvent, PeerId, Roles};
use basalt_support::generic::OpaqueExtrinsic;
use codec::Encode;
use common::{gossip_until, start, wait_until, Opts};
use futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic};
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::{NetworkBehaviour, SwarmEvent};
use libp2p::{noise, tcp, yamux, StreamProtocol};
use tokio::sync::{oneshot, watch};

#[derive(Clone, Copy, Debug)]
enum Attack {
    /// Random bytes on the announcement and transaction topics.
    Gossip,
    /// Random bytes as block requests.
    Requests,
    /// Random bytes as its handshake.
    Status,
    /// A handshake claiming best = `u32::MAX`, then empty answers to every block request.
    FalseBest,
}

#[derive(NetworkBehaviour)]
struct Attacker {
    gossip: gossipsub::Behaviour,
    status: request_response::Behaviour<FrameCodec>,
    sync: request_response::Behaviour<FrameCodec>,
}

/// Runs a hostile peer against `target` until `stop` fires; `connected` tracks whether it
/// currently has a connection to the target.
fn spawn_attacker(
    attack: Attack,
    target: Multiaddr,
    genesis: basalt_support::H256,
    stop: oneshot::Receiver<()>,
    connected: watch::Sender<bool>,
) -> (PeerId, tokio::task::JoinHandle<()>) {
    let mut swarm = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .expect("tcp")
        .with_behaviour(|key| Attacker {
            gossip: gossipsub::Behaviour::new(
                gossipsub::MessageAuthenticity::Signed(key.clone()),
                gossipsub::Config::default(),
            )
            .expect("gossipsub"),
            status: request_response::Behaviour::with_codec(
                FrameCodec::status(),
                [(StreamProtocol::new(STATUS_PROTOCOL), ProtocolSupport::Full)],
                request_response::Config::default(),
            ),
            sync: request_response::Behaviour::with_codec(
                FrameCodec::sync(),
                [(protocol::sync_protocol(&genesis), ProtocolSupport::Full)],
                request_response::Config::default(),
            ),
        })
        .expect("behaviour")
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build();
    let id = *swarm.local_peer_id();
    let topics: Vec<IdentTopic> = [GossipKind::BlockAnnounces, GossipKind::Transactions]
        .into_iter()
        .map(|k| IdentTopic::new(k.topic(&genesis)))
        .collect();
    for topic in &topics {
        swarm
            .behaviour_mut()
            .gossip
            .subscribe(topic)
            .expect("subscribe");
    }
    let task = tokio::spawn(async move {
        let mut stop = stop;
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        let mut target_id = None;
        let mut round: u32 = 0;
        swarm.dial(target.clone()).expect("dial");
        loop {
            tokio::select! {
                _ = &mut stop => break,
                event = swarm.select_next_some() => match event {
                    SwarmEvent::ConnectionEstablished { peer_id, .. } => {
                        target_id = Some(peer_id);
                        let _ = connected.send(true);
                        let status = match attack {
                            Attack::Status => vec![0xde, 0xad, 0xbe, 0xef],
                            _ => Status {
                                version: protocol::STATUS_VERSION,
                                roles: Roles::FULL,
                                best_number: if matches!(attack, Attack::FalseBest) { u32::MAX } else { 0 },
                                best_hash: if matches!(attack, Attack::FalseBest) {
                                    basalt_support::H256::repeat_byte(0xee)
                                } else {
                                    genesis
                                },
                                finalized_number: 0,
                                finalized_hash: genesis,
                                genesis_hash: genesis,
                            }
                            .encode(),
                        };
                        swarm.behaviour_mut().status.send_request(&peer_id, status);
                    }
                    SwarmEvent::ConnectionClosed { num_established: 0, .. } => {
                        let _ = connected.send(false);
                    }
                    // It claims everything and serves nothing.
                    SwarmEvent::Behaviour(AttackerEvent::Sync(request_response::Event::Message {
                        message: request_response::Message::Request { channel, .. },
                        ..
                    })) => {
                        let empty = basalt_network::protocol::BlockResponse { blocks: Vec::new() };
                        let _ = swarm.behaviour_mut().sync.send_response(channel, empty.encode());
                    }
                    _ => {}
                },
                _ = tick.tick() => {
                    round += 1;
                    let garbage: Vec<u8> = (0..40).map(|i| (i as u32 * 31 + round * 17) as u8 | 0x80).collect();
                    match (attack, target_id) {
                        (Attack::Gossip, Some(_)) => {
                            for topic in &topics {
                                let _ = swarm.behaviour_mut().gossip.publish(topic.clone(), garbage.clone());
                            }
                        }
                        (Attack::Requests, Some(peer)) => {
                            swarm.behaviour_mut().sync.send_request(&peer, garbage);
                        }
                        _ => {}
                    }
                    // Once thrown out, keep trying to come back.
                    if round % 5 == 0 && !*connected.borrow() {
                        let _ = swarm.dial(target.clone());
                    }
                }
            }
        }
    });
    (id, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn garbage_senders_are_banned_and_others_carry_on() {
    let chain = Arc::new(MemoryChain::new(1));
    let genesis = chain.genesis_hash();
    let a = start(chain, Opts::default()).await;
    let mut b = start(
        Arc::new(MemoryChain::new(1)),
        Opts {
            boot_nodes: vec![a.addr.clone()],
            ..Opts::default()
        },
    )
    .await;
    assert!(wait_until(Duration::from_secs(10), || a.handle.num_connected() == 1).await);

    for (n, attack) in [Attack::Gossip, Attack::Requests, Attack::Status]
        .into_iter()
        .enumerate()
    {
        let (stop_tx, stop_rx) = oneshot::channel();
        let (connected_tx, mut connected_rx) = watch::channel(false);
        let (attacker, task) =
            spawn_attacker(attack, a.addr.clone(), genesis, stop_rx, connected_tx);
        assert!(
            tokio::time::timeout(Duration::from_secs(10), connected_rx.wait_for(|c| *c))
                .await
                .is_ok(),
            "{attack:?}: the attacker connects"
        );
        assert!(
            wait_until(Duration::from_secs(20), || a
                .handle
                .banned_peers()
                .contains(&attacker))
            .await,
            "{attack:?}: the attacker is banned"
        );
        assert!(
            tokio::time::timeout(Duration::from_secs(10), connected_rx.wait_for(|c| !*c))
                .await
                .is_ok(),
            "{attack:?}: the attacker is disconnected"
        );
        // It keeps redialing for a few seconds and never gets back in.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert!(!*connected_rx.borrow(), "{attack:?}: redials are refused");
        assert!(a.handle.peers().iter().all(|p| p.peer_id != attacker));
        let _ = stop_tx.send(());
        let _ = task.await;

        // The honest pair still gossips.
        let tag = n as u8 + 10;
        gossip_until(
            |i| {
                let mut body = vec![4, tag];
                body.extend_from_slice(&i.to_le_bytes());
                a.handle
                    .gossip_transaction(OpaqueExtrinsic::from_body(body));
            },
            &mut b.events,
            |e| match e {
                NetworkEvent::Transactions { txs, .. } if txs[0].body()[..2] == [4, tag] => {
                    Some(())
                }
                _ => None,
            },
        )
        .await
        .unwrap_or_else(|| panic!("{attack:?}: honest gossip still flows"));
        assert_eq!(a.handle.num_connected(), 1);
    }
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attack_a_peer_claiming_a_false_best_never_makes_the_node_major_sync_and_is_banned() {
    let chain = Arc::new(MemoryChain::new(1));
    chain.extend(20, 0);
    let genesis = chain.genesis_hash();
    let a = start(
        chain,
        Opts {
            sync: true,
            ..Opts::default()
        },
    )
    .await;
    let sync = a.sync.clone().expect("sync");
    let (stop_tx, stop_rx) = oneshot::channel();
    let (connected_tx, mut connected_rx) = watch::channel(false);
    let (attacker, task) = spawn_attacker(
        Attack::FalseBest,
        a.addr.clone(),
        genesis,
        stop_rx,
        connected_tx,
    );
    assert!(
        tokio::time::timeout(Duration::from_secs(10), connected_rx.wait_for(|c| *c))
            .await
            .is_ok(),
        "the attacker connects"
    );
    // Until it is banned (three empty answers, cooldowns between them), the node never
    // believes it is behind: a validator would keep authoring.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(45);
    while !a.handle.banned_peers().contains(&attacker) {
        assert!(tokio::time::Instant::now() < deadline, "the liar is banned");
        let state = sync.state();
        assert!(
            !state.is_major_syncing,
            "a false claim stalls nobody: {state:?}"
        );
        assert_eq!(state.highest_block, 20);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!sync.state().is_major_syncing);
    let _ = stop_tx.send(());
    let _ = task.await;
    a.stop().await;
}
