//! Staking on a live four-validator local network (real processes on loopback):
//!
//! - a fifth node whose keys are in its keystore bonds, sets its session keys and validates
//!   (signed extrinsics over RPC); after the next era it is an Aura authority, authors blocks,
//!   and finality goes on with it in the GRANDPA set;
//! - a validator that chills (Charlie) leaves the set at that era;
//! - a validator in the test mode that seals two blocks per slot (Dave, `--test-equivocate`)
//!   is detected by its peers, reported with an unsigned `report_equivocation_unsigned`, slashed
//!   (a deferred slash in `UnappliedSlashes`) and chilled, so it leaves the set too.
//!
//! The era is forced by sudo (Alice) so the test does not wait for a 50-block era.

mod common;

use basalt_runtime::consensus::aura;
use basalt_runtime::RuntimeCall;
use basalt_support::{AccountId, H256};
use codec::Decode;
use common::*;
use pallet_staking::{
    Perbill, RewardDestination, SessionKeys, UnappliedSlash, ValidatorPrefs, ValidatorSlashInEra,
};
use serde_json::{json, Value};
use sp_core::crypto::Pair as _;
use sp_core::{ed25519, sr25519};
use std::time::{Duration, Instant};

/// A storage value at `at`, decoded, if present.
fn storage<T: Decode>(node: &Node, key: &[u8], at: H256) -> Option<T> {
    let value = node
        .rpc(
            "state_getStorage",
            json!([format!("0x{}", hex::encode(key)), format!("{at:?}")]),
        )
        .expect("state_getStorage");
    let bytes = hex::decode(value.as_str()?.trim_start_matches("0x")).expect("hex");
    Some(T::decode(&mut &bytes[..]).expect("decodes"))
}

/// Submit `call` signed by `who` with its next nonce.
fn submit(node: &Node, who: &str, call: RuntimeCall, genesis: H256) {
    let nonce = node
        .rpc("system_accountNextIndex", json!([account(who).to_string()]))
        .expect("nonce")
        .as_u64()
        .expect("a number") as u32;
    node.rpc(
        "author_submitExtrinsic",
        json!([signed(who, call, nonce, genesis)]),
    )
    .unwrap_or_else(|e| panic!("{who}'s extrinsic refused: {e}"));
}

/// The Aura authorities at the best block.
fn aura_authorities(node: &Node) -> Vec<AccountId> {
    let (_, best) = node.head();
    storage(node, &aura::Authorities::hashed_key(), best).unwrap_or_default()
}

/// Wait until `check` holds, polling; fails with `what` and the network's logs.
fn wait_until(net: &TestNet, what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(
            Instant::now() < deadline,
            "{what} within {timeout:?}\n{}",
            net.logs()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The slot in a header's Aura pre-runtime digest (JSON from `chain_getHeader`).
fn slot_of(header: &Value) -> Option<u64> {
    header["digest"]["logs"].as_array()?.iter().find_map(|log| {
        let bytes = hex::decode(log.as_str()?.trim_start_matches("0x")).ok()?;
        if bytes.first() != Some(&6) || bytes.get(1..5) != Some(b"aura".as_slice()) {
            return None;
        }
        Some(u64::from_le_bytes(bytes.get(6..14)?.try_into().ok()?))
    })
}

#[test]
fn a_new_validator_joins_a_chilled_one_leaves_and_an_equivocator_is_slashed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut net = TestNet::start_with(dir.path(), |i| {
        if i == 3 {
            vec!["--test-equivocate".to_string()]
        } else {
            Vec::new()
        }
    });
    net.wait_finalized(&[0, 1, 2, 3], 3, Duration::from_secs(120));
    let alice = &net.members[0];
    let genesis = parse_hash(
        &alice
            .node()
            .rpc("chain_getBlockHash", json!([0]))
            .expect("genesis"),
    );

    // Eve's node: her session keys go into its keystore before it starts, as an operator
    // does with `basalt key insert`.
    let eve_dir = net.dir.join("eve");
    for (key_type, scheme) in [("aura", "sr25519"), ("gran", "ed25519")] {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_basalt"))
            .args(["key", "insert", "--chain", "local", "--base-path"])
            .arg(&eve_dir)
            .args([
                "--key-type",
                key_type,
                "--scheme",
                scheme,
                "--suri",
                "//Eve",
            ])
            .status()
            .expect("basalt key insert");
        assert!(status.success(), "key insert {key_type}");
    }
    let eve = net.add_node("eve", &["--validator", "--name", "Eve"]);
    let eve_aura = sr25519::Pair::from_string("//Eve", None)
        .expect("key")
        .public();
    let eve_gran = ed25519::Pair::from_string("//Eve", None)
        .expect("key")
        .public();

    // Eve bonds, sets her keys and validates; Charlie chills.
    let node = net.members[1].node();
    submit(
        node,
        "Eve",
        RuntimeCall::Staking(pallet_staking::Call::bond {
            value: 200_000 * 1_000_000_000_000,
            payee: RewardDestination::Staked,
        }),
        genesis,
    );
    submit(
        node,
        "Eve",
        RuntimeCall::Staking(pallet_staking::Call::set_keys {
            keys: SessionKeys {
                aura: eve_aura.0,
                grandpa: eve_gran.0,
            },
            proof: Vec::new(),
        }),
        genesis,
    );
    submit(
        node,
        "Eve",
        RuntimeCall::Staking(pallet_staking::Call::validate {
            prefs: ValidatorPrefs {
                commission: Perbill::from_percent(5),
                blocked: false,
            },
        }),
        genesis,
    );
    submit(
        node,
        "Charlie",
        RuntimeCall::Staking(pallet_staking::Call::chill),
        genesis,
    );

    // Dave's second blocks reach his peers, which report him; the report is included and
    // Dave is slashed in the active era (the slash itself is deferred).
    let dave = account("Dave");
    wait_until(
        &net,
        "Dave slashed for equivocation",
        Duration::from_secs(90),
        || {
            let node = net.members[0].node();
            let (_, best) = node.head();
            (0..4u32).any(|era| {
                storage::<(Perbill, u128)>(
                    node,
                    &ValidatorSlashInEra::hashed_key_for(era, &dave),
                    best,
                )
                .is_some()
            })
        },
    );
    let (_, best) = net.members[0].node().head();
    let queued: Vec<UnappliedSlash> = (0..4u32)
        .flat_map(|era| {
            storage::<Vec<UnappliedSlash>>(
                net.members[0].node(),
                &pallet_staking::UnappliedSlashes::hashed_key_for(era),
                best,
            )
            .unwrap_or_default()
        })
        .collect();
    assert!(
        queued.iter().any(|s| s.validator == dave && s.own > 0),
        "a deferred slash of Dave is queued: {queued:?}"
    );

    // Wait until Eve's three extrinsics and Charlie's chill are final, then force an era.
    wait_until(&net, "Eve validating", Duration::from_secs(60), || {
        let node = net.members[0].node();
        let (_, finalized) = node.finalized();
        storage::<ValidatorPrefs>(
            node,
            &pallet_staking::Validators::hashed_key_for(account("Eve")),
            finalized,
        )
        .is_some()
    });
    submit(
        net.members[0].node(),
        "Alice",
        RuntimeCall::Sudo(pallet_sudo::Call::sudo {
            call: Box::new(RuntimeCall::Staking(pallet_staking::Call::force_new_era)),
        }),
        genesis,
    );

    // The new set: Alice, Bob and Eve (Charlie chilled, Dave chilled by his slash).
    let eve_id = AccountId::new(eve_aura.0);
    wait_until(
        &net,
        "Eve in the Aura authorities",
        Duration::from_secs(60),
        || aura_authorities(net.members[0].node()).contains(&eve_id),
    );
    let set = aura_authorities(net.members[0].node());
    assert!(
        !set.contains(&account("Charlie")),
        "Charlie chilled: {set:?}"
    );
    assert!(
        !set.contains(&account("Dave")),
        "Dave slashed and chilled: {set:?}"
    );
    assert_eq!(set.len(), 3, "{set:?}");

    // Eve authors: some block's slot belongs to her in its parent's authority set (the
    // seal was checked against that author when every node imported the block).
    let mut authored = None;
    wait_until(
        &net,
        "a block authored by Eve",
        Duration::from_secs(60),
        || {
            let node = net.members[eve].node();
            let (best, _) = node.head();
            authored = (1..=best).find(|n| {
                let Ok(hash) = node.rpc("chain_getBlockHash", json!([n])) else {
                    return false;
                };
                let Ok(header) = node.rpc("chain_getHeader", json!([hash])) else {
                    return false;
                };
                let Some(slot) = slot_of(&header) else {
                    return false;
                };
                let parent = parse_hash(&header["parentHash"]);
                let authorities: Vec<AccountId> =
                    storage(node, &aura::Authorities::hashed_key(), parent).unwrap_or_default();
                !authorities.is_empty()
                    && authorities[(slot % authorities.len() as u64) as usize] == eve_id
            });
            authored.is_some()
        },
    );
    eprintln!("new set {set:?}; Eve authored #{authored:?}");

    // Finality goes on after the handoff; with three voters it needs all three, Eve included.
    let (handoff, _) = net.members[eve].node().head();
    net.wait_finalized(&[0, 1, eve], handoff + 3, Duration::from_secs(120));
    let state = net.members[eve]
        .node()
        .rpc("grandpa_roundState", json!([]))
        .expect("roundState");
    assert_eq!(state["best"]["totalWeight"], json!(3), "{state}");
    assert!(state["setId"].as_u64().unwrap_or(0) >= 1, "{state}");
    net.assert_same_finalized_chain();
}
