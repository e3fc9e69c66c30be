//! In-process nodes on loopback: connection through boot nodes, discovery, gossip of every
//! kind, peer limits, and refusal of peers of another chain.

mod common;

use std::sync::Arc;
use std::time::Duration;

use basalt_network::testing::MemoryChain;
use basalt_network::{ChainAccess, NetworkEvent, Roles};
use basalt_support::generic::OpaqueExtrinsic;
use common::{gossip_until, next_matching, start, wait_until, Opts};

const SECS_10: Duration = Duration::from_secs(10);

fn tx(tag: u8, attempt: u32) -> OpaqueExtrinsic {
    let mut body = vec![4, tag];
    body.extend_from_slice(&attempt.to_le_bytes());
    OpaqueExtrinsic::from_body(body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_connect_and_gossip_every_kind() {
    let chain_a = Arc::new(MemoryChain::new(1));
    chain_a.extend(3, 0);
    let mut a = start(chain_a, Opts::default()).await;
    let mut b = start(
        Arc::new(MemoryChain::new(1)),
        Opts {
            boot_nodes: vec![a.addr.clone()],
            ..Opts::default()
        },
    )
    .await;
    assert!(a.addr.to_string().starts_with("/ip4/127.0.0.1/tcp/"));
    assert!(a
        .addr
        .to_string()
        .ends_with(&format!("/p2p/{}", a.handle.local_peer_id())));

    // Both see each other after the handshake, with the other's best block.
    let a_id = a.handle.local_peer_id();
    let b_id = b.handle.local_peer_id();
    let joined = next_matching(&mut b.events, SECS_10, |e| match e {
        NetworkEvent::PeerConnected(info) if info.peer_id == a_id => Some(info.clone()),
        _ => None,
    })
    .await
    .expect("B sees A");
    assert_eq!(joined.best_number, 3);
    assert_eq!(joined.best_hash, a.chain.best().1);
    assert_eq!(joined.roles, Roles::FULL);
    assert!(wait_until(SECS_10, || a.handle.num_connected() == 1).await);
    assert_eq!(a.handle.peers()[0].peer_id, b_id);
    assert_eq!(a.handle.peers()[0].best_number, 0);

    // Transactions, both ways.
    let from = gossip_until(
        |i| a.handle.gossip_transaction(tx(1, i)),
        &mut b.events,
        |e| match e {
            NetworkEvent::Transactions { from, txs } if txs[0].body()[..2] == [4, 1] => Some(*from),
            _ => None,
        },
    )
    .await
    .expect("B receives A's transaction");
    assert_eq!(from, a_id);
    gossip_until(
        |i| b.handle.gossip_transactions(vec![tx(2, i), tx(3, i)]),
        &mut a.events,
        |e| match e {
            NetworkEvent::Transactions { txs, .. } if txs.len() == 2 => Some(()),
            _ => None,
        },
    )
    .await
    .expect("A receives B's transactions");

    // A block announcement updates the announcer's best block as seen by the other.
    let header = a.chain.extend(1, 0).remove(0);
    let announced = gossip_until(
        |_| a.handle.announce_block(header.clone()),
        &mut b.events,
        |e| match e {
            NetworkEvent::BlockAnnounced { from, header } => Some((*from, header.clone())),
            _ => None,
        },
    )
    .await
    .expect("B receives the announcement");
    assert_eq!(announced, (a_id, header.clone()));
    assert!(
        wait_until(SECS_10, || b.handle.peers()[0].best_number == 4).await,
        "announcement updates the peer's best"
    );
    assert_eq!(b.handle.peers()[0].best_hash, header.hash());

    // Finality messages are opaque bytes.
    let bytes = gossip_until(
        |i| b.handle.gossip_finality(vec![9, 9, i as u8]),
        &mut a.events,
        |e| match e {
            NetworkEvent::FinalityMessage { from, bytes } if *from == b_id => Some(bytes.clone()),
            _ => None,
        },
    )
    .await
    .expect("A receives B's finality message");
    assert_eq!(bytes[..2], [9, 9]);
    // And sent directly to one peer (GRANDPA's neighbour packets and catch-up).
    a.handle.send_finality(b_id, vec![7, 7, 7]);
    let direct = next_matching(&mut b.events, SECS_10, |e| match e {
        NetworkEvent::FinalityMessage { from, bytes }
            if *from == a_id && bytes[..] == [7, 7, 7] =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    assert!(direct.is_some(), "B receives A's direct finality message");

    b.stop().await;
    assert!(
        next_matching(&mut a.events, SECS_10, |e| match e {
            NetworkEvent::PeerDisconnected(p) if *p == b_id => Some(()),
            _ => None,
        })
        .await
        .is_some(),
        "A notices B leaving"
    );
    assert_eq!(a.handle.num_connected(), 0);
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_discover_each_other_and_relay_gossip() {
    let a = start(Arc::new(MemoryChain::new(1)), Opts::default()).await;
    let boot = Opts {
        boot_nodes: vec![a.addr.clone()],
        ..Opts::default()
    };
    let b = start(Arc::new(MemoryChain::new(1)), boot.clone()).await;
    let mut c = start(Arc::new(MemoryChain::new(1)), boot).await;
    // B and C only know A; Kademlia introduces them to each other.
    let c_id = c.handle.local_peer_id();
    let b_id = b.handle.local_peer_id();
    assert!(
        wait_until(Duration::from_secs(30), || {
            b.handle.peers().iter().any(|p| p.peer_id == c_id)
                && c.handle.peers().iter().any(|p| p.peer_id == b_id)
        })
        .await,
        "B and C discover each other through A"
    );
    assert_eq!(a.handle.num_connected(), 2);
    gossip_until(
        |i| b.handle.gossip_transaction(tx(7, i)),
        &mut c.events,
        |e| match e {
            NetworkEvent::Transactions { txs, .. } if txs[0].body()[..2] == [4, 7] => Some(()),
            _ => None,
        },
    )
    .await
    .expect("C receives B's transaction");
    for node in [a, b, c] {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn peer_of_another_chain_is_refused_and_banned() {
    let mut a = start(Arc::new(MemoryChain::new(1)), Opts::default()).await;
    let boot = Opts {
        boot_nodes: vec![a.addr.clone()],
        ..Opts::default()
    };
    let mut stranger = start(Arc::new(MemoryChain::new(2)), boot.clone()).await;
    let friend = start(Arc::new(MemoryChain::new(1)), boot).await;
    let stranger_id = stranger.handle.local_peer_id();
    let a_id = a.handle.local_peer_id();
    assert!(
        wait_until(SECS_10, || a.handle.banned_peers().contains(&stranger_id)).await,
        "A bans the node of another chain"
    );
    assert!(wait_until(SECS_10, || stranger.handle.banned_peers().contains(&a_id)).await);
    // The node of our chain is accepted meanwhile.
    assert!(wait_until(SECS_10, || a.handle.num_connected() == 1).await);
    assert_eq!(a.handle.peers()[0].peer_id, friend.handle.local_peer_id());
    // Each side has banned the other, so neither comes back.
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(a.handle.peers().iter().all(|p| p.peer_id != stranger_id));
    assert_eq!(stranger.handle.num_connected(), 0);
    let connected = |events: &mut tokio::sync::mpsc::Receiver<NetworkEvent>, id| {
        let mut seen = false;
        while let Ok(e) = events.try_recv() {
            seen |= matches!(e, NetworkEvent::PeerConnected(ref p) if p.peer_id == id);
        }
        seen
    };
    assert!(!connected(&mut a.events, stranger_id));
    assert!(!connected(&mut stranger.events, a_id));
    for node in [a, stranger, friend] {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn inbound_limit_is_enforced() {
    let a = start(
        Arc::new(MemoryChain::new(1)),
        Opts {
            max_inbound: 1,
            ..Opts::default()
        },
    )
    .await;
    let boot = Opts {
        boot_nodes: vec![a.addr.clone()],
        ..Opts::default()
    };
    let b = start(Arc::new(MemoryChain::new(1)), boot.clone()).await;
    let c = start(Arc::new(MemoryChain::new(1)), boot).await;
    assert!(wait_until(SECS_10, || a.handle.num_connected() == 1).await);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(a.handle.num_connected(), 1, "A accepts one inbound peer");
    for node in [a, b, c] {
        node.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_and_stops_with_mdns() {
    let a = start(
        Arc::new(MemoryChain::new(1)),
        Opts {
            mdns: true,
            ..Opts::default()
        },
    )
    .await;
    assert!(!a.handle.listen_addresses().is_empty());
    let handle = a.handle.clone();
    a.stop().await;
    // Calls after shutdown are harmless.
    handle.gossip_finality(vec![1]);
    let reply = handle.request_blocks(
        handle.local_peer_id(),
        basalt_network::BlockRequest::ascending_from(1, 1),
    );
    assert!(reply.await.expect("answered").is_err());
}
