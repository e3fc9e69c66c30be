//! Governance through the real runtime, with signed extrinsics in built blocks: a Treasurer
//! referendum voted at different convictions pays Dave from the treasury; a Root referendum
//! changes the fee split and the next fee is split the new way; a voter's locked tokens stay
//! until the lock expires; root (sudo) changes a runtime parameter; the scheduler enacts a
//! parameter change at its block; a value that would break its pallet is refused. The dev
//! genesis's short governance periods apply (decide within 20 blocks, confirm 3, enact 2).

mod common;

use basalt_runtime::{Parameters, RuntimeCall, RuntimeEvent, Treasury};
use basalt_support::multiaddress::MultiAddress;
use basalt_support::origin::GovernanceOrigin;
use basalt_support::primitives::UNIT;
use basalt_support::{BoundedVec, Origin};
use codec::Encode;
use common::*;
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use pallet_parameters::{FeeSplit, RuntimeParameters};
use pallet_referenda::{Bounded, DispatchTime, ReferendumInfo};

fn sudo(call: RuntimeCall) -> RuntimeCall {
    RuntimeCall::Sudo(pallet_sudo::Call::sudo {
        call: Box::new(call),
    })
}

fn set(value: RuntimeParameters) -> RuntimeCall {
    RuntimeCall::Parameters(pallet_parameters::Call::set_parameter { key_value: value })
}

fn fee_of_extrinsic(chain: &Chain, index: u32) -> u128 {
    stored_events(chain)
        .into_iter()
        .filter(|(phase, _)| *phase == pallet_system::Phase::ApplyExtrinsic(index))
        .find_map(|(_, e)| match e {
            RuntimeEvent::TransactionPayment(
                pallet_transaction_payment::Event::TransactionFeePaid { actual_fee, .. },
            ) => Some(actual_fee),
            _ => None,
        })
        .expect("a fee was paid")
}

#[test]
fn a_root_change_of_the_fee_split_splits_the_next_fee_the_new_way() {
    let mut chain = Chain::dev();
    let split = FeeSplit {
        treasury_percent: 80,
        burn_percent: 10,
    };
    let xt = chain.sign(
        &alice(),
        sudo(set(RuntimeParameters::FeeSplit(split))),
        &SignOptions::nonce(0),
    );
    let (_, results) = chain.produce(&[xt]);
    assert_eq!(results[0], Ok(Ok(())));
    assert_eq!(chain.read(Parameters::fee_split), Some(split));

    let treasury_before = free_balance(&chain, &Treasury::account_id());
    let issuance_before = chain.read(basalt_runtime::Balances::total_issuance);
    let author_before = chain.read(|| pallet_staking::ErasValidatorFees::get(0, alice().account()));
    let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: MultiAddress::Id(bob().account()),
        value: UNIT,
    });
    let xt = chain.sign(&alice(), transfer, &SignOptions::nonce(1));
    let (_, results) = chain.produce(&[xt]);
    assert_eq!(results[0], Ok(Ok(())));
    let fee = fee_of_extrinsic(&chain, 1);
    let (treasury, burned) = (fee * 80 / 100, fee * 10 / 100);
    let author = fee - treasury - burned;
    assert_eq!(
        free_balance(&chain, &Treasury::account_id()),
        treasury_before + treasury,
        "80% to the treasury"
    );
    assert_eq!(
        chain.read(|| pallet_staking::ErasValidatorFees::get(0, alice().account())),
        author_before + author,
        "the author keeps the remaining 10%"
    );
    assert_eq!(
        chain.read(basalt_runtime::Balances::total_issuance),
        issuance_before - burned - author,
        "10% burned; the author's part waits in staking"
    );
}

#[test]
fn the_scheduler_enacts_a_parameter_change_at_its_block() {
    let mut chain = Chain::dev();
    let later = RuntimeCall::Scheduler(pallet_scheduler::Call::schedule_after {
        after: 1,
        maybe_periodic: None,
        priority: 0,
        call: Box::new(set(RuntimeParameters::MarketFee(500))),
    });
    let xt = chain.sign(&alice(), sudo(later), &SignOptions::nonce(0));
    let (_, results) = chain.produce(&[xt]);
    assert_eq!(results[0], Ok(Ok(())));
    let market_fee = || <basalt_runtime::Runtime as pallet_nfts::Config>::market_fee();
    assert_eq!(chain.read(market_fee), 100, "the default until enacted");
    chain.produce(&[]);
    assert_eq!(chain.read(market_fee), 100);
    chain.produce(&[]);
    assert_eq!(
        chain.read(market_fee),
        500,
        "enacted two blocks after scheduling"
    );
    assert!(stored_events(&chain).iter().any(|(_, e)| matches!(
        e,
        RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched { result: Ok(()), .. })
    )));
}

#[test]
fn a_fee_split_over_one_hundred_percent_is_refused_and_changes_nothing() {
    let mut chain = Chain::dev();
    let bad = FeeSplit {
        treasury_percent: 90,
        burn_percent: 20,
    };
    let xt = chain.sign(
        &alice(),
        sudo(set(RuntimeParameters::FeeSplit(bad))),
        &SignOptions::nonce(0),
    );
    let (_, results) = chain.produce(&[xt]);
    assert_eq!(
        results[0],
        Ok(Ok(())),
        "sudo succeeds and reports the error"
    );
    assert!(stored_events(&chain).iter().any(|(_, e)| matches!(
        e,
        RuntimeEvent::Sudo(pallet_sudo::Event::Sudid {
            sudo_result: Err(_)
        })
    )));
    assert_eq!(chain.read(Parameters::fee_split), None);
}

/// Signs each `(wallet, call)` with the wallet's next nonce and produces a block with them;
/// every one must succeed.
fn produce_signed(chain: &mut Chain, calls: Vec<(&Wallet, RuntimeCall)>) {
    let mut used = std::collections::BTreeMap::new();
    let xts: Vec<_> = calls
        .into_iter()
        .map(|(w, c)| {
            let stored = chain.read(|| {
                pallet_system::Pallet::<basalt_runtime::Runtime>::account_nonce(&w.account())
            });
            let nonce = used.entry(w.account()).or_insert(stored);
            let xt = chain.sign(w, c, &SignOptions::nonce(*nonce));
            *nonce += 1;
            xt
        })
        .collect();
    let (_, results) = chain.produce(&xts);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(*r, Ok(Ok(())), "extrinsic {i}");
    }
}

fn submit(origin: Origin, call: &RuntimeCall) -> RuntimeCall {
    RuntimeCall::Referenda(pallet_referenda::Call::submit {
        proposal_origin: Box::new(origin),
        proposal: Bounded::Inline(BoundedVec::new(call.encode()).expect("inline")),
        enactment_moment: DispatchTime::After(0),
    })
}

fn vote(index: u32, aye: bool, conviction: Conviction, balance: u128) -> RuntimeCall {
    RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
        poll_index: index,
        vote: AccountVote::Standard {
            vote: Vote { aye, conviction },
            balance,
        },
    })
}

fn referendum(chain: &Chain, index: u32) -> ReferendumInfo {
    chain
        .read(|| pallet_referenda::ReferendumInfoFor::get(index))
        .expect("submitted")
}

/// Produces empty blocks until `done` holds (at most `max` blocks); the blocks it took.
fn run_until(chain: &mut Chain, max: u32, done: impl Fn(&Chain) -> bool) -> u32 {
    for n in 0..max {
        if done(chain) {
            return n;
        }
        chain.produce(&[]);
    }
    panic!("not done within {max} blocks");
}

fn approved(index: u32) -> impl Fn(&Chain) -> bool {
    move |chain| matches!(referendum(chain, index), ReferendumInfo::Approved(..))
}

/// Whether referendum `index`'s enactment ran in the best block, and its result.
fn enactment(chain: &Chain, index: u32) -> Option<Result<(), basalt_support::DispatchError>> {
    let name = basalt_runtime::Referenda::enactment_name(index);
    stored_events(chain).into_iter().find_map(|(_, e)| match e {
        RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
            result,
            id: Some(id),
            ..
        }) if id == name => Some(result),
        _ => None,
    })
}

fn enacted(index: u32) -> impl Fn(&Chain) -> bool {
    move |chain| enactment(chain, index).is_some()
}

#[test]
fn a_treasurer_referendum_voted_at_several_convictions_pays_dave() {
    let mut chain = Chain::dev();
    let (alice, bob, charlie, eve) = (alice(), bob(), Wallet::sr("//Charlie"), Wallet::sr("//Eve"));
    let dave = Wallet::sr("//Dave").account();
    let pay = RuntimeCall::Treasury(pallet_treasury::Call::spend {
        amount: 1_000 * UNIT,
        beneficiary: MultiAddress::Id(dave.clone()),
        valid_from: None,
    });
    let treasurer = Origin::Origins(GovernanceOrigin::Treasurer);
    produce_signed(
        &mut chain,
        vec![
            (&alice, transfer(&Treasury::account_id(), 5_000 * UNIT)),
            (&alice, submit(treasurer, &pay)),
        ],
    );
    produce_signed(
        &mut chain,
        vec![
            (
                &bob,
                RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit { index: 0 }),
            ),
            (&alice, vote(0, true, Conviction::Locked1x, 900_000 * UNIT)),
            (&bob, vote(0, true, Conviction::Locked3x, 800_000 * UNIT)),
            (&eve, vote(0, true, Conviction::Locked6x, 900_000 * UNIT)),
            (&charlie, vote(0, false, Conviction::None, 500_000 * UNIT)),
        ],
    );
    let ReferendumInfo::Ongoing(status) = referendum(&chain, 0) else {
        panic!("ongoing")
    };
    assert_eq!(status.track, 11, "the Treasurer track");
    assert_eq!(
        status.tally,
        basalt_support::governance::Tally {
            ayes: (900_000 + 2_400_000 + 5_400_000) * UNIT,
            nays: 50_000 * UNIT,
            support: 2_600_000 * UNIT,
        }
    );
    let waited = run_until(&mut chain, 40, approved(0));
    assert!(waited >= 3, "not before the prepare and confirm periods");
    assert_eq!(free_balance(&chain, &dave), 1_000_000 * UNIT);
    run_until(&mut chain, 5, enacted(0));
    assert_eq!(enactment(&chain, 0), Some(Ok(())));
    let spend = chain
        .read(|| pallet_treasury::Spends::get(0))
        .expect("the spend was approved");
    assert_eq!(spend.amount, 1_000 * UNIT);
    // Anyone may pay it out; Eve does, so that Dave's balance shows exactly the spend.
    produce_signed(
        &mut chain,
        vec![(
            &eve,
            RuntimeCall::Treasury(pallet_treasury::Call::payout { index: 0 }),
        )],
    );
    assert_eq!(free_balance(&chain, &dave), 1_001_000 * UNIT);
}

#[test]
fn a_treasurer_referendum_cannot_spend_past_its_cap() {
    let mut chain = Chain::dev();
    let alice = alice();
    let too_much = RuntimeCall::Treasury(pallet_treasury::Call::spend {
        amount: basalt_runtime::tracks::TREASURER_MAX_SPEND + 1,
        beneficiary: MultiAddress::Id(bob().account()),
        valid_from: None,
    });
    let treasurer = Origin::Origins(GovernanceOrigin::Treasurer);
    produce_signed(&mut chain, vec![(&alice, submit(treasurer, &too_much))]);
    produce_signed(
        &mut chain,
        vec![
            (
                &alice,
                RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit { index: 0 }),
            ),
            (&alice, vote(0, true, Conviction::Locked6x, 900_000 * UNIT)),
            (&bob(), vote(0, true, Conviction::Locked6x, 900_000 * UNIT)),
            (
                &Wallet::sr("//Eve"),
                vote(0, true, Conviction::Locked6x, 900_000 * UNIT),
            ),
        ],
    );
    run_until(&mut chain, 40, approved(0));
    run_until(&mut chain, 5, enacted(0));
    assert!(
        matches!(enactment(&chain, 0), Some(Err(_))),
        "the spend exceeds the Treasurer's cap"
    );
    assert_eq!(
        chain.read(|| pallet_treasury::Spends::get(0)),
        None,
        "the enactment failed"
    );
}

#[test]
fn a_root_referendum_changes_the_fee_split_for_the_next_fee() {
    let mut chain = Chain::dev();
    let (alice, bob, eve) = (alice(), bob(), Wallet::sr("//Eve"));
    let split = FeeSplit {
        treasury_percent: 70,
        burn_percent: 30,
    };
    produce_signed(
        &mut chain,
        vec![(
            &alice,
            submit(Origin::Root, &set(RuntimeParameters::FeeSplit(split))),
        )],
    );
    produce_signed(
        &mut chain,
        vec![
            (
                &bob,
                RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit { index: 0 }),
            ),
            (&alice, vote(0, true, Conviction::Locked2x, 900_000 * UNIT)),
            (&bob, vote(0, true, Conviction::Locked2x, 900_000 * UNIT)),
            (&eve, vote(0, true, Conviction::Locked2x, 900_000 * UNIT)),
        ],
    );
    run_until(&mut chain, 40, approved(0));
    run_until(&mut chain, 5, enacted(0));
    assert_eq!(enactment(&chain, 0), Some(Ok(())));
    assert_eq!(chain.read(Parameters::fee_split), Some(split));
    let treasury_before = free_balance(&chain, &Treasury::account_id());
    let issuance_before = chain.read(basalt_runtime::Balances::total_issuance);
    let nonce = chain
        .read(|| pallet_system::Pallet::<basalt_runtime::Runtime>::account_nonce(&eve.account()));
    let xt = chain.sign(
        &eve,
        transfer(&bob.account(), UNIT),
        &SignOptions::nonce(nonce),
    );
    let (_, results) = chain.produce(&[xt]);
    assert_eq!(results[0], Ok(Ok(())));
    let fee = fee_of_extrinsic(&chain, 1);
    let treasury = fee * 70 / 100;
    assert_eq!(
        free_balance(&chain, &Treasury::account_id()),
        treasury_before + treasury
    );
    assert_eq!(
        chain.read(basalt_runtime::Balances::total_issuance),
        issuance_before - (fee - treasury),
        "30% burned, nothing to the author"
    );
}

#[test]
fn a_winning_voters_tokens_stay_locked_until_the_conviction_expires() {
    let mut chain = Chain::dev();
    let (alice, eve) = (alice(), Wallet::sr("//Eve"));
    let remark = RuntimeCall::System(pallet_system::Call::remark { remark: vec![1] });
    produce_signed(&mut chain, vec![(&alice, submit(Origin::Root, &remark))]);
    produce_signed(
        &mut chain,
        vec![
            (
                &alice,
                RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit { index: 0 }),
            ),
            (&eve, vote(0, true, Conviction::Locked1x, 900_000 * UNIT)),
            (&alice, vote(0, true, Conviction::Locked6x, 900_000 * UNIT)),
            (&bob(), vote(0, true, Conviction::Locked6x, 900_000 * UNIT)),
        ],
    );
    let try_move = |chain: &Chain| {
        let nonce = chain.read(|| {
            pallet_system::Pallet::<basalt_runtime::Runtime>::account_nonce(&eve.account())
        });
        let xt = chain.sign(
            &eve,
            transfer(&alice.account(), 500_000 * UNIT),
            &SignOptions::nonce(nonce),
        );
        chain.try_apply(&xt).0
    };
    assert!(
        matches!(try_move(&chain), Ok(Err(_))),
        "locked while the vote stands"
    );
    run_until(&mut chain, 40, approved(0));
    let ReferendumInfo::Approved(end, ..) = referendum(&chain, 0) else {
        unreachable!()
    };
    let remove = RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::remove_vote {
        class: Some(0),
        index: 0,
    });
    let unlock = RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::unlock {
        class: 0,
        target: MultiAddress::Id(eve.account()),
    });
    produce_signed(&mut chain, vec![(&eve, remove), (&eve, unlock.clone())]);
    assert!(
        matches!(try_move(&chain), Ok(Err(_))),
        "a 1x win stays locked one period (10 blocks)"
    );
    while chain.best_number() < end + 10 {
        chain.produce(&[]);
    }
    produce_signed(&mut chain, vec![(&eve, unlock)]);
    assert_eq!(
        try_move(&chain),
        Ok(Ok(())),
        "free once the period has passed"
    );
}

#[test]
fn attack_a_preimage_of_calls_nested_past_the_depth_limit_is_refused() {
    let mut chain = Chain::dev();
    let alice = alice();
    let mut call = RuntimeCall::System(pallet_system::Call::remark { remark: vec![] });
    for _ in 0..(basalt_support::generic::MAX_CALL_DEPTH + 10) {
        call = sudo(call);
    }
    let bytes = call.encode();
    assert!(bytes.len() < 4096, "fits a preimage");
    let hash = basalt_support::H256(basalt_support::primitives::hashing::blake2_256(&bytes));
    let len = bytes.len() as u32;
    produce_signed(
        &mut chain,
        vec![(
            &alice,
            RuntimeCall::Preimage(pallet_preimage::Call::note_preimage { bytes }),
        )],
    );
    let submit = RuntimeCall::Referenda(pallet_referenda::Call::submit {
        proposal_origin: Box::new(Origin::Root),
        proposal: Bounded::Lookup { hash, len },
        enactment_moment: DispatchTime::After(0),
    });
    let nonce = chain
        .read(|| pallet_system::Pallet::<basalt_runtime::Runtime>::account_nonce(&alice.account()));
    let (result, _) = chain.try_apply(&chain.sign(&alice, submit, &SignOptions::nonce(nonce)));
    let Ok(Err(basalt_support::DispatchError::Module(e))) = result else {
        panic!("refused with a module error: {result:?}")
    };
    assert_eq!(e.index, 12, "a Referenda error (UndecodableProposal)");
    assert_eq!(chain.read(pallet_referenda::ReferendumCount::get), 0);
}
