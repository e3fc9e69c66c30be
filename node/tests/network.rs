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
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One network at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Slot length for the tests: GRANDPA rounds follow within a second or two.
const SLOT_MS: &str = "1000";

/// The validators of the local chain, in node-key order (node key `i + 1`).
const VALIDATORS: [&str; 4] = ["alice", "bob", "charlie", "dave"];

/// The peer id of node key `n` (64 hex digits of `n`).
fn peer_id(n: usize) -> String {
    let key = basalt_network::node_key_from_hex(&format!("{n:064x}")).expect("node key");
    basalt_network::peer_id_of(&key).to_string()
}

/// A node of a test network: how to start it again where its peers expect it.
struct Member {
    base: PathBuf,
    args: Vec<String>,
    rpc_port: u16,
    node: Option<Node>,
}

impl Member {
    fn start(&mut self) {
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        self.node = Some(Node::start_on(&self.base, &args, self.rpc_port));
    }

    fn node(&self) -> &Node {
        self.node.as_ref().expect("running")
    }

    fn kill(&mut self) {
        if let Some(node) = self.node.take() {
            node.crash();
        }
    }
}

/// Four validators on loopback, Alice the boot node.
struct TestNet {
    dir: PathBuf,
    boot: String,
    members: Vec<Member>,
    /// Every finalized (height, hash) any node ever reported, per height: must stay one hash.
    seen_final: BTreeMap<u32, H256>,
}

impl TestNet {
    fn start(dir: &Path) -> TestNet {
        let alice_port = free_port();
        let boot = format!("/ip4/127.0.0.1/tcp/{alice_port}/p2p/{}", peer_id(1));
        let mut net = TestNet {
            dir: dir.to_path_buf(),
            boot,
            members: Vec::new(),
            seen_final: BTreeMap::new(),
        };
        for (i, who) in VALIDATORS.iter().enumerate() {
            let port = if i == 0 { alice_port } else { free_port() };
            let mut args = vec![
                format!("--{who}"),
                "--node-key".into(),
                format!("{:064x}", i + 1),
            ];
            args.extend(net.common_args(port));
            net.members.push(Member {
                base: dir.join(who),
                args,
                rpc_port: free_port(),
                node: None,
            });
        }
        for member in &mut net.members {
            member.start();
        }
        net
    }

    /// The flags every node of the network gets.
    fn common_args(&self, p2p_port: u16) -> Vec<String> {
        [
            "--chain",
            "local",
            "--no-mdns",
            "--rpc-methods",
            "unsafe",
            "--slot-duration-ms",
            SLOT_MS,
            "--port",
            &p2p_port.to_string(),
            "--bootnodes",
            &self.boot,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// Start a full node (no keys, not a validator) named `name`.
    fn add_full_node(&mut self, name: &str) -> usize {
        let args = self.common_args(free_port());
        let mut member = Member {
            base: self.dir.join(name),
            args,
            rpc_port: free_port(),
            node: None,
        };
        member.start();
        self.members.push(member);
        self.members.len() - 1
    }

    /// The running members' finalized heads, by index; records them and fails on any conflict
    /// with a finalized block seen before at the same height.
    fn finalized(&mut self) -> Vec<(usize, u32, H256)> {
        let mut out = Vec::new();
        for (i, member) in self.members.iter().enumerate() {
            let Some(node) = &member.node else { continue };
            let Ok(hash) = node.rpc("chain_getFinalizedHead", json!([])) else {
                continue;
            };
            let Ok(header) = node.rpc("chain_getHeader", json!([hash])) else {
                continue;
            };
            let (number, hash) = (parse_number(&header["number"]), parse_hash(&hash));
            out.push((i, number, hash));
        }
        for (i, number, hash) in &out {
            let first = *self.seen_final.entry(*number).or_insert(*hash);
            assert_eq!(
                first,
                *hash,
                "node {i} finalized {hash:?} at #{number}, another node finalized {first:?}\n{}",
                self.logs()
            );
        }
        out
    }

    /// Wait until each of `which` has finalized at least `number`.
    fn wait_finalized(&mut self, which: &[usize], number: u32, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let heads = self.finalized();
            let done = which
                .iter()
                .all(|w| heads.iter().any(|(i, n, _)| i == w && *n >= number));
            if done {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "nodes {which:?} did not all finalize #{number} within {timeout:?}: {heads:?}\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// The highest finalized number among `which`.
    fn max_finalized(&mut self, which: &[usize]) -> u32 {
        self.finalized()
            .iter()
            .filter(|(i, _, _)| which.contains(i))
            .map(|(_, n, _)| *n)
            .max()
            .unwrap_or(0)
    }

    /// Every running node reports the same canonical hash at each height up to the lowest
    /// finalized one.
    fn assert_same_finalized_chain(&mut self) {
        let lowest = self
            .finalized()
            .iter()
            .map(|(_, n, _)| *n)
            .min()
            .expect("running nodes");
        for number in 0..=lowest {
            let hashes: Vec<Value> = self
                .members
                .iter()
                .filter_map(|m| m.node.as_ref())
                .map(|n| n.rpc("chain_getBlockHash", json!([number])).expect("hash"))
                .collect();
            assert!(
                hashes.windows(2).all(|w| w[0] == w[1]),
                "nodes disagree at finalized #{number}: {hashes:?}"
            );
        }
    }

    /// The tail of every node's log.
    fn logs(&self) -> String {
        self.members
            .iter()
            .filter_map(|m| m.node.as_ref().map(|n| (m, n)))
            .map(|(m, n)| format!("--- {} ---\n{}\n", m.base.display(), n.log_tail(12)))
            .collect()
    }
}

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
