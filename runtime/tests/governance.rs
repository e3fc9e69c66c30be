//! Governance through the real runtime: root (sudo here, a referendum later) changes a runtime
//! parameter and the next transaction's fee is split the new way; the scheduler enacts a
//! parameter change at its block; a value that would break its pallet is refused.

mod common;

use basalt_runtime::{Parameters, RuntimeCall, RuntimeEvent, Treasury};
use basalt_support::multiaddress::MultiAddress;
use basalt_support::primitives::UNIT;
use common::*;
use pallet_parameters::{FeeSplit, RuntimeParameters};

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
