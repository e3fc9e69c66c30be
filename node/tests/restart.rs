//! Restart and crash tests of the real `basalt` binary.
//!
//! - A node stopped with SIGTERM restarts on the same base path at the same head, with the
//!   same state (Alice's `System.Account` entry), and goes on authoring.
//! - A node killed with SIGKILL while it authors blocks and receives transfers restarts: the
//!   database opens, every block it had announced as final is still there, balances match the
//!   chain, and the chain goes on.
//!
//! Every spawned node is killed when its guard drops, even when an assertion fails.

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

#[test]
fn restart_resumes_at_the_same_head_with_the_same_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path();
    let alice = account("Alice");

    let node = Node::start(base, &["--dev", "--slot-duration-ms", "500"]);
    node.wait_for_block(3, Duration::from_secs(60));
    let genesis = parse_hash(&node.rpc("chain_getBlockHash", json!([0])).expect("genesis"));
    node.terminate();

    // Restarted without authoring (no --dev): the head is exactly where the node stopped.
    let node = Node::start(base, &["--chain", "dev"]);
    let (number, hash) = node.head();
    assert!(number >= 3, "head #{number} after restart");
    let (finalized, _) = node.finalized();
    assert!(
        finalized >= 1 && finalized <= number && number - finalized <= 3,
        "GRANDPA (one voter) finalized #{finalized} of #{number} before the stop"
    );
    assert_eq!(
        parse_hash(&node.rpc("chain_getBlockHash", json!([0])).expect("genesis")),
        genesis
    );
    let alice_before = account_at(&node, &alice, hash);
    assert!(
        free_balance(&alice_before) > 0,
        "Alice is funded: {alice_before}"
    );
    node.terminate();

    // Restarted as the dev validator: same head and state, and the chain goes on from it.
    let node = Node::start(base, &["--dev", "--slot-duration-ms", "500"]);
    assert_eq!(
        parse_hash(
            &node
                .rpc("chain_getBlockHash", json!([number]))
                .expect("hash")
        ),
        hash
    );
    assert_eq!(account_at(&node, &alice, hash), alice_before);
    let (next, _) = node.wait_for_block(number + 2, Duration::from_secs(60));
    assert!(next >= number + 2);
    let header = node
        .rpc("chain_getHeader", json!([format!("{:?}", node.head().1)]))
        .expect("header");
    assert!(
        header["digest"]["logs"]
            .as_array()
            .is_some_and(|l| l.len() == 3),
        "aura pre-runtime, VRF pre-runtime and seal: {header}"
    );
    node.terminate();
}

#[test]
fn kill_9_during_transfers_loses_nothing_final() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path();
    let bob = account("Bob");
    let args = ["--dev", "--slot-duration-ms", "200"];

    let mut last_final = None;
    let mut nonce = 0u32;
    for round in 0..3u32 {
        let node = Node::start(base, &args);
        // The database opened; everything final before the crash is still there.
        if let Some((number, hash)) = last_final {
            assert_eq!(
                parse_hash(
                    &node
                        .rpc("chain_getBlockHash", json!([number]))
                        .expect("hash")
                ),
                hash,
                "final block #{number} survived the crash"
            );
        }
        let genesis = parse_hash(&node.rpc("chain_getBlockHash", json!([0])).expect("genesis"));
        let (start, _) = node.head();
        node.wait_for_block(start + 2, Duration::from_secs(60));
        // A stream of transfers from Alice to Bob, then a kill in the middle of it.
        nonce = node
            .rpc(
                "system_accountNextIndex",
                json!([format!("{}", account("Alice"))]),
            )
            .ok()
            .and_then(|v| v.as_u64())
            .map(|n| n as u32)
            .unwrap_or(nonce);
        let stop_at = Instant::now() + Duration::from_millis(1500 + 300 * u64::from(round));
        while Instant::now() < stop_at {
            let xt = transfer("Alice", &bob, 1_000_000_000, nonce, genesis);
            if node.rpc("author_submitExtrinsic", json!([xt])).is_ok() {
                nonce += 1;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        last_final = Some(node.finalized());
        node.crash();
    }

    // After the last crash: the chain goes on, and Bob's balance is the chain's.
    let node = Node::start(base, &args);
    let (number, hash) = last_final.expect("rounds ran");
    assert_eq!(
        parse_hash(
            &node
                .rpc("chain_getBlockHash", json!([number]))
                .expect("hash")
        ),
        hash
    );
    let (head, head_hash) = node.wait_for_block(number + 3, Duration::from_secs(60));
    assert!(head >= number + 3);
    let bob_now = free_balance(&account_at(&node, &bob, head_hash));
    assert!(
        bob_now > 1_000_000 * 1_000_000_000_000,
        "Bob received transfers: {bob_now}"
    );
    node.terminate();
}

#[test]
fn attack_a_lost_voter_state_never_restarts_voting_from_scratch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path();
    let node = Node::start(base, &["--dev", "--slot-duration-ms", "500"]);
    node.wait_for_block(3, Duration::from_secs(60));
    let deadline = Instant::now() + Duration::from_secs(30);
    while node.finalized().0 < 1 {
        assert!(Instant::now() < deadline, "GRANDPA finalized nothing");
        std::thread::sleep(Duration::from_millis(200));
    }
    node.terminate();

    // The voter state is lost (a disk replaced, a database copied from elsewhere).
    let state = base.join("chains/basalt_dev/grandpa/voter-state");
    assert!(
        state.exists(),
        "the voter state was written at the first start"
    );
    std::fs::remove_file(&state).expect("remove the voter state");

    // The node authors on, but does not vote: the only voter's finality stops, it says why.
    let node = Node::start(base, &["--dev", "--slot-duration-ms", "500"]);
    let (finalized, _) = node.finalized();
    let (head, _) = node.head();
    node.wait_for_block(head + 6, Duration::from_secs(60));
    assert_eq!(node.finalized().0, finalized, "no vote, so no new finality");
    let log = std::fs::read_to_string(&node.log).expect("log");
    assert!(
        log.contains("GRANDPA voter state is missing") && log.contains("purge-chain"),
        "the refusal and its remedy are logged: {}",
        node.log_tail(20)
    );
    node.terminate();
}
