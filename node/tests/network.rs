//! Real `basalt` processes on loopback forming the four-validator local chain (Alice, Bob,
//! Charlie, Dave; 3 of 4 GRANDPA votes finalize):
//!
//! - the four author and finalize, and at every height they all report the same finalized
//!   block (checked continuously, not only at the end); a transfer submitted to one node is
//!   included and finalized as another node sees it; a fifth, non-validator node started late
//!   syncs to the head and serves the same blocks and state;
//! - killing one validator does not stop finality; killing a second stalls it without any
//!   conflict; bringing one back on its base path resumes finality, with the returning node
//!   caught up and voting (its vote is needed);
//! - a peer that sends malformed finality gossip is disconnected and banned while the
//!   validators carry on.
//!
//! The tests run one at a time (a lock): each starts its own network, and four or five nodes
//! per test is what two cores carry.

mod common;

use basalt_network::{
    ChainAccess, NetworkConfig, NetworkEvent, NetworkHandle, NetworkService, PeerId,
};
use basalt_support::generic::SignedBlock;
use basalt_support::H256;
use common::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One network at a time.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn four_validators_finalize_one_chain_serve_transfers_and_a_late_node_syncs() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut net = TestNet::start(dir.path());
    let all = [0, 1, 2, 3];
    net.wait_finalized(&all, 8, Duration::from_secs(120));
    net.assert_same_finalized_chain();
    // Every validator authored: the four Aura keys appear among the finalized blocks' authors
    // (the slot's author is authorities[slot % 4], so four consecutive slots cover them).
    let peers = net.members[0]
        .node()
        .rpc("system_peers", json!([]))
        .expect("system_peers");
    assert_eq!(
        peers.as_array().map(Vec::len),
        Some(3),
        "Alice sees the three others: {peers}"
    );

    // A transfer submitted to Bob's node is included and finalized as Dave's node sees it.
    let genesis = parse_hash(
        &net.members[1]
            .node()
            .rpc("chain_getBlockHash", json!([0]))
            .expect("genesis"),
    );
    let ferdie = account("Ferdie");
    let (_, best) = net.members[3].node().head();
    let before = free_balance(&account_at(net.members[3].node(), &ferdie, best));
    let amount = 7_000_000_000_000u128;
    let xt = transfer("Eve", &ferdie, amount, 0, genesis);
    net.members[1]
        .node()
        .rpc("author_submitExtrinsic", json!([xt]))
        .expect("Bob's node accepts the transfer");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, finalized) = net.members[3].node().finalized();
        let now = free_balance(&account_at(net.members[3].node(), &ferdie, finalized));
        if now == before + amount {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the transfer was not finalized on Dave's node within 60 s (balance {now}, before {before})\n{}",
            net.logs()
        );
        std::thread::sleep(Duration::from_millis(300));
    }

    // A full node started late syncs to the head and serves the same blocks and state.
    net.wait_finalized(&all, 12, Duration::from_secs(60));
    let late = net.add_full_node("late");
    let (target, _) = net.members[0].node().finalized();
    net.wait_finalized(&[late], target, Duration::from_secs(90));
    let hash = net.members[0]
        .node()
        .rpc("chain_getBlockHash", json!([target]))
        .expect("hash");
    assert_eq!(
        net.members[late]
            .node()
            .rpc("chain_getBlockHash", json!([target]))
            .expect("hash"),
        hash
    );
    let at = parse_hash(&hash);
    let alice = account("Alice");
    assert_eq!(
        account_at(net.members[late].node(), &alice, at),
        account_at(net.members[0].node(), &alice, at),
        "the late node serves the same state"
    );
    let health = net.members[late]
        .node()
        .rpc("system_health", json!([]))
        .expect("health");
    assert!(health["peers"].as_u64().unwrap_or(0) >= 1, "{health}");
    let sync = net.members[late]
        .node()
        .rpc("system_syncState", json!([]))
        .expect("syncState");
    assert!(parse_u32(&sync["currentBlock"]) >= target, "{sync}");
    // Finality proofs verify against the chain: the proof of a final block names a block at or
    // above it.
    let proof = net.members[late]
        .node()
        .rpc("grandpa_proveFinality", json!([target]))
        .expect("proveFinality");
    assert!(proof.as_str().is_some_and(|p| p.len() > 66), "{proof}");
    net.assert_same_finalized_chain();
}

/// A JSON number as u32.
fn parse_u32(value: &Value) -> u32 {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

#[test]
fn finality_survives_one_crash_stalls_at_two_and_resumes_when_a_validator_returns() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut net = TestNet::start(dir.path());
    net.wait_finalized(&[0, 1, 2, 3], 5, Duration::from_secs(120));

    // One down: three of four still finalize.
    net.members[3].kill();
    let start = net.max_finalized(&[0, 1, 2]);
    net.wait_finalized(&[0, 1, 2], start + 4, Duration::from_secs(60));

    // Two down: no supermajority. Let rounds in flight settle, then nothing moves.
    net.members[2].kill();
    std::thread::sleep(Duration::from_secs(4));
    let settled = net.max_finalized(&[0, 1]);
    std::thread::sleep(Duration::from_secs(12));
    let stalled = net.max_finalized(&[0, 1]);
    assert!(
        stalled <= settled + 1,
        "finality moved from #{settled} to #{stalled} with two of four validators down"
    );
    net.assert_same_finalized_chain();

    // Charlie comes back on his base path: he catches up, votes, and finality resumes (his
    // vote is needed: Dave is still down).
    net.members[2].start();
    net.wait_finalized(&[0, 1, 2], stalled + 4, Duration::from_secs(90));
    net.assert_same_finalized_chain();
    let state = net.members[0]
        .node()
        .rpc("grandpa_roundState", json!([]))
        .expect("roundState");
    assert_eq!(state["best"]["totalWeight"], json!(4), "{state}");
}

/// A peer's view of the chain: just genesis (it only needs the handshake to pass).
struct GenesisOnly(H256);

impl ChainAccess for GenesisOnly {
    fn genesis_hash(&self) -> H256 {
        self.0
    }
    fn best(&self) -> (u32, H256) {
        (0, self.0)
    }
    fn finalized(&self) -> (u32, H256) {
        (0, self.0)
    }
    fn block_by_number(&self, _: u32) -> Option<SignedBlock> {
        None
    }
    fn block_by_hash(&self, _: &H256) -> Option<SignedBlock> {
        None
    }
}

/// Whether `peer` is in `node`'s `system_peers`.
fn lists_peer(node: &Node, peer: &PeerId) -> bool {
    node.rpc("system_peers", json!([]))
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .any(|p| p["peerId"] == json!(peer.to_string()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_sending_garbage_is_banned_and_the_validators_carry_on() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut net = tokio::task::block_in_place(|| {
        let mut net = TestNet::start(dir.path());
        net.wait_finalized(&[0, 1, 2, 3], 3, Duration::from_secs(120));
        net
    });
    let genesis = parse_hash(
        &net.members[0]
            .node()
            .rpc("chain_getBlockHash", json!([0]))
            .expect("genesis"),
    );
    // An in-process libp2p node of the same chain, dialing Alice.
    let key = basalt_network::generate_node_key();
    let bad_id = basalt_network::peer_id_of(&key);
    let mut config = NetworkConfig::new(key, "bslt", genesis);
    config.listen_addrs = vec!["/ip4/127.0.0.1/tcp/0".parse().expect("addr")];
    config.boot_nodes = vec![net.boot.parse().expect("boot node")];
    config.enable_mdns = false;
    let (handle, mut events): (NetworkHandle, _) =
        NetworkService::start(config, Arc::new(GenesisOnly(genesis))).expect("start the peer");
    let deadline = Instant::now() + Duration::from_secs(30);
    while handle.num_connected() == 0 {
        assert!(Instant::now() < deadline, "the bad peer never connected");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        tokio::task::block_in_place(|| lists_peer(net.members[0].node(), &bad_id)),
        "Alice lists the new peer before it misbehaves"
    );

    // Malformed GRANDPA messages: they do not decode, and every node that gets one reports
    // its sender; one is enough for a ban.
    for i in 0..4u8 {
        handle.gossip_finality(vec![0xff, i, 0xee, 0xdd]);
        handle.send_finality(
            basalt_network::parse_boot_node(&net.boot.parse().expect("boot"))
                .expect("boot peer")
                .0,
            vec![0x42; 16],
        );
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        while let Ok(event) = events.try_recv() {
            if let NetworkEvent::PeerDisconnected(peer) = event {
                tracing_free_log(&format!("disconnected from {peer}"));
            }
        }
        let listed = tokio::task::block_in_place(|| lists_peer(net.members[0].node(), &bad_id));
        if !listed && handle.num_connected() == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the garbage sender is still connected\n{}",
            net.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Banned: it stays out although it keeps dialing its boot node, and the validators go on
    // finalizing.
    tokio::task::block_in_place(|| {
        let before = net.max_finalized(&[0, 1, 2, 3]);
        std::thread::sleep(Duration::from_secs(8));
        net.wait_finalized(&[0, 1, 2, 3], before + 2, Duration::from_secs(60));
        assert!(
            !lists_peer(net.members[0].node(), &bad_id),
            "the banned peer came back"
        );
    });
    assert_eq!(handle.num_connected(), 0, "the banned peer reconnected");
    handle.shutdown().await;
}

/// Progress notes of the ban test (visible with `--nocapture`).
fn tracing_free_log(message: &str) {
    eprintln!("bad peer: {message}");
}
