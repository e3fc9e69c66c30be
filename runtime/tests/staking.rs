//! Staking in the runtime: eras rotate the authority set at their boundary (Aura and GRANDPA
//! storage, GRANDPA's scheduled change in the header digest) in blocks that import on another
//! node's state, and stakers bond, validate, nominate, provide compute and claim rewards with
//! signed extrinsics.

mod common;

use basalt_runtime::consensus::{aura, grandpa};
use basalt_runtime::executive::ExecuteBlockError;
use basalt_runtime::{api, RuntimeCall, RuntimeEvent, Staking, ERA_LENGTH};
use basalt_support::generic::{Block, DigestItem, OpaqueExtrinsic};
use basalt_support::multiaddress::MultiAddress;
use basalt_support::primitives::UNIT;
use basalt_support::sp_core::{ed25519, sr25519, Pair};
use basalt_support::AccountId;
use codec::Encode;
use common::*;
use pallet_staking::{
    BoundedVec, Capabilities, Perbill, RewardDestination, SessionKeys, ValidatorPrefs,
};

fn staking(call: pallet_staking::Call) -> RuntimeCall {
    RuntimeCall::Staking(call)
}

fn keys_of(name: &str) -> SessionKeys {
    let aura = sr25519::Pair::from_string(&format!("//{name}"), None).expect("suri");
    let grandpa = ed25519::Pair::from_string(&format!("//{name}"), None).expect("suri");
    SessionKeys {
        aura: aura.public().0,
        grandpa: grandpa.public().0,
    }
}

/// Signs `calls` from `wallet` with consecutive nonces from its current one.
fn signed(chain: &Chain, wallet: &Wallet, calls: Vec<RuntimeCall>) -> Vec<OpaqueExtrinsic> {
    let first = chain.read(|| api::account_nonce(&wallet.account()));
    calls
        .into_iter()
        .zip(first..)
        .map(|(call, nonce)| chain.sign(wallet, call, &SignOptions::nonce(nonce)))
        .collect()
}

fn grandpa_digest(block: &Block) -> Option<Vec<u8>> {
    block.header.digest.logs.iter().find_map(|item| match item {
        DigestItem::Consensus([b'F', b'R', b'N', b'K'], data) => Some(data.clone()),
        _ => None,
    })
}

fn staking_events(chain: &Chain) -> Vec<pallet_staking::Event> {
    stored_events(chain)
        .into_iter()
        .filter_map(|(_, e)| match e {
            RuntimeEvent::Staking(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn all_ok(results: &[basalt_support::validity::ApplyExtrinsicResult]) {
    for (i, r) in results.iter().enumerate() {
        assert_eq!(*r, Ok(Ok(())), "extrinsic {i}");
    }
}

/// Produces empty blocks on `chain` (each also imported by `replica`) up to block `n`.
fn produce_until(chain: &mut Chain, replica: Option<&mut Chain>, n: u32) {
    let mut replica = replica;
    while chain.best_number() < n {
        let (block, _) = chain.produce(&[]);
        assert!(
            grandpa_digest(&block).is_none(),
            "block {}",
            block.header.number
        );
        if let Some(r) = replica.as_deref_mut() {
            r.import(&block).expect("the replica imports");
        }
    }
}

/// The dev chain without its genesis compute providers: these tests bond Bob and Charlie
/// themselves.
fn dev_without_providers() -> Chain {
    let mut config = basalt_runtime::genesis::dev_genesis();
    config.staking.providers.clear();
    Chain::new(&config)
}

#[test]
fn genesis_authorities_are_stakings() {
    let chain = Chain::dev();
    let alice = alice().account();
    chain.read(|| {
        assert_eq!(Staking::aura_authorities(), vec![alice.clone()]);
        assert_eq!(aura::Authorities::get(), Staking::aura_authorities());
        assert_eq!(grandpa::Authorities::get(), Staking::grandpa_authorities());
        assert_eq!(Staking::active_era(), Some(0));
        let ledger = Staking::ledger(&alice).expect("Alice is bonded");
        assert_eq!(ledger.active, basalt_runtime::genesis::DEV_VALIDATOR_BOND);
        assert!(pallet_staking::Validators::contains_key(&alice));
    });
    let local = Chain::new(&basalt_runtime::genesis::local_genesis());
    local.read(|| {
        assert_eq!(Staking::authorities().len(), 4);
        assert_eq!(aura::Authorities::get(), Staking::aura_authorities());
        assert_eq!(grandpa::Authorities::get(), Staking::grandpa_authorities());
    });
}

#[test]
fn era_boundary_elects_rotates_and_imports_on_a_second_chain() {
    let mut chain = dev_without_providers();
    let mut replica = dev_without_providers();
    let bob = bob();
    let bob_keys = keys_of("Bob");

    // Bob outbonds Alice and validates: he takes the only seat at the next era.
    let xts = signed(
        &chain,
        &bob,
        vec![
            staking(pallet_staking::Call::bond {
                value: 200_000 * UNIT,
                payee: RewardDestination::Staked,
            }),
            staking(pallet_staking::Call::set_keys {
                keys: bob_keys,
                proof: Vec::new(),
            }),
            staking(pallet_staking::Call::validate {
                prefs: ValidatorPrefs::default(),
            }),
        ],
    );
    let (block, results) = chain.build(&xts);
    all_ok(&results);
    chain.import(&block).expect("imports");
    replica.import(&block).expect("the replica imports");

    // Nothing changes within era 0.
    produce_until(&mut chain, Some(&mut replica), ERA_LENGTH - 1);
    chain.read(|| {
        assert_eq!(Staking::active_era(), Some(0));
        assert_eq!(aura::Authorities::get(), vec![alice().account()]);
    });

    // The boundary block: era 1 elects Bob, and the block says so in its digest.
    let (block, _) = chain.build(&[]);
    assert_eq!(block.header.number, ERA_LENGTH);
    let mut expected = vec![1u8];
    vec![(bob_keys.grandpa, 1u64)].encode_to(&mut expected);
    0u32.encode_to(&mut expected);
    assert_eq!(grandpa_digest(&block), Some(expected));
    let frnk_items = block
        .header
        .digest
        .logs
        .iter()
        .filter(|i| matches!(i, DigestItem::Consensus(id, _) if id == b"FRNK"))
        .count();
    assert_eq!(frnk_items, 1);

    // Without the scheduled change, or with it twice, the block does not import.
    let mut stripped = block.clone();
    stripped
        .header
        .digest
        .logs
        .retain(|i| !matches!(i, DigestItem::Consensus(..)));
    let mut ext = replica.ext();
    assert_eq!(
        ext.execute_with(|| api::execute_block(&stripped)),
        Err(ExecuteBlockError::BadDigest)
    );
    let mut doubled = block.clone();
    let item = doubled.header.digest.logs.last().cloned().expect("FRNK");
    doubled.header.digest.logs.push(item);
    let mut ext = replica.ext();
    assert_eq!(
        ext.execute_with(|| api::execute_block(&doubled)),
        Err(ExecuteBlockError::BadDigest)
    );
    // Sealed, as the node imports it: the seal is ignored, the FRNK item is not duplicated.
    let mut sealed = block.clone();
    sealed
        .header
        .digest
        .logs
        .push(DigestItem::Seal(*b"aura", vec![7; 64]));
    let mut ext = replica.ext();
    assert_eq!(ext.execute_with(|| api::execute_block(&sealed)), Ok(()));

    chain.import(&block).expect("imports");
    replica.import(&block).expect("the replica imports");
    assert_eq!(chain.head().hash(), replica.head().hash());

    let bob_id = bob.account();
    replica.read(|| {
        assert_eq!(Staking::active_era(), Some(1));
        assert_eq!(
            aura::Authorities::get(),
            vec![AccountId::new(bob_keys.aura)]
        );
        assert_eq!(
            grandpa::Authorities::get(),
            vec![(AccountId::new(bob_keys.grandpa), 1)]
        );
        assert_eq!(Staking::aura_authorities(), aura::Authorities::get());
        assert_eq!(
            Staking::eras_stakers(1, &bob_id).own,
            200_000 * UNIT,
            "Bob's exposure in era 1"
        );
        // Era 0 was paid out: Alice authored all its blocks after genesis.
        let points = pallet_staking::ErasRewardPoints::get(0);
        assert_eq!(
            points.individual.get(&alice().account()).copied(),
            Some(pallet_staking::POINTS_PER_BLOCK * ERA_LENGTH)
        );
        assert!(pallet_staking::ErasValidatorReward::get(0).unwrap_or(0) > 0);
    });
    let events = staking_events(&replica);
    assert!(events.contains(&pallet_staking::Event::StakersElected));
    assert!(events
        .iter()
        .any(|e| matches!(e, pallet_staking::Event::EraPaid { era_index: 0, .. })));

    // The next block has no change, and its author (Bob's slot) earns era 1 points.
    let (block, _) = chain.produce(&[]);
    assert!(grandpa_digest(&block).is_none());
    replica.import(&block).expect("the replica imports");
    replica.read(|| {
        assert!(pallet_staking::PendingAuthorityChange::get().is_none());
        let points = pallet_staking::ErasRewardPoints::get(1);
        assert_eq!(
            points.individual.get(&bob_id).copied(),
            Some(pallet_staking::POINTS_PER_BLOCK)
        );
    });
}

#[test]
fn stakers_bond_validate_nominate_provide_and_claim_rewards() {
    let mut chain = dev_without_providers();
    let (alice_id, bob, charlie, dave) = (
        alice().account(),
        bob(),
        Wallet::sr("//Charlie"),
        Wallet::sr("//Dave"),
    );

    let mut xts = signed(
        &chain,
        &bob,
        vec![
            staking(pallet_staking::Call::bond {
                value: 2_000 * UNIT,
                payee: RewardDestination::Stash,
            }),
            staking(pallet_staking::Call::set_keys {
                keys: keys_of("Bob"),
                proof: Vec::new(),
            }),
            staking(pallet_staking::Call::validate {
                prefs: ValidatorPrefs {
                    commission: Perbill::from_percent(10),
                    blocked: false,
                },
            }),
        ],
    );
    xts.extend(signed(
        &chain,
        &charlie,
        vec![
            staking(pallet_staking::Call::bond {
                value: 50 * UNIT,
                payee: RewardDestination::Staked,
            }),
            staking(pallet_staking::Call::nominate {
                targets: vec![MultiAddress::Id(alice_id.clone())],
            }),
        ],
    ));
    let capabilities = Capabilities {
        gpu_model: BoundedVec::new(b"NVIDIA H100 80GB".to_vec()).expect("short"),
        memory_gb: 80,
        count: 8,
        price_per_unit: UNIT,
        region: BoundedVec::new(b"eu-west".to_vec()).expect("short"),
    };
    xts.extend(signed(
        &chain,
        &dave,
        vec![
            staking(pallet_staking::Call::bond {
                value: 500 * UNIT,
                payee: RewardDestination::Stash,
            }),
            staking(pallet_staking::Call::register_provider {
                stake: 200 * UNIT,
                capabilities: capabilities.clone(),
            }),
        ],
    ));
    let (_, results) = chain.produce(&xts);
    all_ok(&results);
    let events = staking_events(&chain);
    for expected in [
        pallet_staking::Event::Bonded {
            stash: bob.account(),
            amount: 2_000 * UNIT,
        },
        pallet_staking::Event::Bonded {
            stash: charlie.account(),
            amount: 50 * UNIT,
        },
    ] {
        assert!(events.contains(&expected), "{expected:?} in {events:?}");
    }
    for name in ["ValidatorPrefsSet", "SessionKeysSet", "ProviderRegistered"] {
        assert!(
            events.iter().any(|e| format!("{e:?}").starts_with(name)),
            "{name} in {events:?}"
        );
    }
    chain.read(|| {
        assert!(pallet_staking::Validators::contains_key(bob.account()));
        assert!(pallet_staking::Nominators::contains_key(charlie.account()));
        assert!(Staking::is_active_provider(&dave.account()));
        assert_eq!(
            pallet_staking::Providers::get(dave.account()).map(|p| p.capabilities),
            Some(capabilities.clone())
        );
    });

    // Era 1: Charlie backs Alice (the only seat; Bob is a candidate with less stake).
    produce_until(&mut chain, None, ERA_LENGTH);
    chain.read(|| {
        assert_eq!(Staking::active_era(), Some(1));
        let exposure = Staking::eras_stakers(1, &alice_id);
        assert_eq!(exposure.others.len(), 1);
        assert_eq!(exposure.others[0].who, charlie.account());
        assert_eq!(exposure.others[0].value, 50 * UNIT);
        assert_eq!(Staking::eras_stakers(1, &bob.account()).total, 0);
    });

    // Era 2 fixes era 1's payout; anyone (Dave) claims it for Alice and her nominator.
    produce_until(&mut chain, None, 2 * ERA_LENGTH);
    let charlie_before = chain.read(|| Staking::ledger(&charlie.account()).expect("bonded"));
    let era_reward = chain.read(|| pallet_staking::ErasValidatorReward::get(1).unwrap_or(0));
    assert!(era_reward > 0);
    let payout = || {
        staking(pallet_staking::Call::payout_stakers {
            validator_stash: alice_id.clone(),
            era: 1,
        })
    };
    let (_, results) = chain.produce(&signed(&chain, &dave, vec![payout()]));
    all_ok(&results);
    let rewarded: Vec<(AccountId, u128)> = staking_events(&chain)
        .into_iter()
        .filter_map(|e| match e {
            pallet_staking::Event::Rewarded { stash, amount, .. } => Some((stash, amount)),
            _ => None,
        })
        .collect();
    assert_eq!(rewarded.len(), 2, "{rewarded:?}");
    assert!(rewarded.iter().all(|(_, amount)| *amount > 0));
    let paid: u128 = rewarded.iter().map(|(_, a)| a).sum();
    assert!(paid <= era_reward);
    let charlie_reward = rewarded
        .iter()
        .find(|(who, _)| *who == charlie.account())
        .map(|(_, a)| *a)
        .expect("Charlie is rewarded");
    let charlie_after = chain.read(|| Staking::ledger(&charlie.account()).expect("bonded"));
    // `Staked`: the reward is added to Charlie's bond.
    assert_eq!(charlie_after.active, charlie_before.active + charlie_reward);
    assert_eq!(charlie_after.total, charlie_after.active);

    // Claimed twice: refused (the fee is paid, nothing else happens).
    let (_, results) = chain.produce(&signed(&chain, &dave, vec![payout()]));
    assert!(matches!(results[0], Ok(Err(_))), "{:?}", results[0]);
    assert!(!staking_events(&chain)
        .iter()
        .any(|e| matches!(e, pallet_staking::Event::Rewarded { .. })));
}
