//! Unit tests of the treasury: every call and error, the spend period's burn and rollover, and
//! the attacks a signer would try (granting itself a spend, paying a spend twice, burning
//! committed funds).
//!
//! Accounts 1..=6 hold 1 000 each; the treasury holds 1 002 (a pot of 1 000 above its
//! existential deposit of 2). Every test ends with [`check_invariants`]: total issuance equals
//! the sum of accounts and fell by exactly the burns reported, and `Committed` equals the
//! unpaid spends.

use crate::mock::*;
use crate::pallet::*;
use crate::types::*;
use basalt_support::dispatch::{Dispatchable, Pays};
use basalt_support::generic::Digest;
use basalt_support::hooks::Hooks;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, Balance, DispatchError, Origin, H256};

type Treasury = Pallet<Test>;
type Balances = pallet_balances::Pallet<Test>;
type System = pallet_system::Pallet<Test>;

const ENDOWMENT: Balance = 1_000;
const POT: Balance = 1_000;
const DAVE: u8 = 4;
const STRANGER: u8 = 5;

/// Runs `f` on a fresh chain at block 1, then checks the invariants; `burnt` collects every
/// `Burnt` amount the test saw.
fn test(f: impl FnOnce(&mut Balance)) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let mut endow: Vec<(AccountId, Balance)> = (1..=6).map(|n| (acc(n), ENDOWMENT)).collect();
        endow.push((Treasury::account_id(), POT + 2));
        endow.push((acc(7), ENDOWMENT));
        Balances::genesis_endow(&endow).expect("endowed");
        System::initialize(1, H256::repeat_byte(1), &Digest::default());
        let issuance = Balances::total_issuance();
        let mut burnt = 0;
        f(&mut burnt);
        check_invariants(issuance, burnt);
    });
}

fn check_invariants(issuance_before: Balance, burnt: Balance) {
    let issuance = Balances::total_issuance();
    assert_eq!(
        issuance,
        issuance_before - burnt,
        "only burns change issuance"
    );
    let mut accounts: Vec<AccountId> = (1..=7).map(acc).collect();
    accounts.push(Treasury::account_id());
    let sum: Balance = accounts.iter().map(Balances::total_balance).sum();
    assert_eq!(sum, issuance, "issuance is the sum of accounts");
    let unpaid: Balance = Spends::iter()
        .filter(|(_, s)| !matches!(s.status, PaymentState::Attempted { .. }))
        .map(|(_, s)| s.amount)
        .sum();
    assert_eq!(Committed::get(), unpaid, "committed is the unpaid spends");
}

/// Runs blocks up to `n`, with the treasury's hook, adding every burn to `burnt`.
fn run_to(n: u32, burnt: &mut Balance) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::finalize();
        System::initialize(next, H256::repeat_byte(next as u8), &Digest::default());
        Treasury::on_initialize(next);
        for e in events() {
            if let Event::Burnt { burnt_funds } = e {
                *burnt += burnt_funds;
            }
        }
    }
}

fn dispatch(c: Call, origin: Origin) -> Result<Pays, DispatchError> {
    let info = Dispatchable::<Test>::dispatch_info(&c);
    io::with_transaction(|| Dispatchable::<Test>::dispatch_with_post_info(c, origin))
        .map(|post| post.pays_fee(&info))
        .map_err(|e| e.error)
}

fn root(c: Call) -> Result<(), DispatchError> {
    dispatch(c, Origin::Root).map(|_| ())
}

fn signed(c: Call, who: u8) -> Result<(), DispatchError> {
    dispatch(c, Origin::Signed(acc(who))).map(|_| ())
}

fn err(e: Error<Test>) -> Result<(), DispatchError> {
    Err(e.into())
}

fn spend(amount: Balance, to: u8, valid_from: Option<u32>) -> Call {
    Call::spend {
        amount,
        beneficiary: Address::Id(acc(to)),
        valid_from,
    }
}

fn events() -> Vec<Event> {
    System::events_of::<Event>(8)
}

fn free(n: u8) -> Balance {
    Balances::free_balance(&acc(n))
}

#[test]
fn account_is_derived_from_the_pallet_id() {
    test(|_| {
        let mut raw = [0u8; 32];
        raw[..4].copy_from_slice(b"modl");
        raw[4..12].copy_from_slice(b"py/trsry");
        assert_eq!(Treasury::account_id(), AccountId::new(raw));
        assert_eq!(Treasury::pot(), POT);
    });
}

#[test]
fn root_spend_is_paid_by_payout_and_cleared_by_check_status() {
    test(|_| {
        assert_eq!(root(spend(300, DAVE, None)), Ok(()));
        assert_eq!(
            Spends::get(0),
            Some(SpendStatus {
                amount: 300,
                beneficiary: acc(DAVE),
                valid_from: 1,
                expire_at: 6,
                status: PaymentState::Pending,
            })
        );
        assert_eq!(Committed::get(), 300);
        assert!(events().contains(&Event::AssetSpendApproved {
            index: 0,
            amount: 300,
            beneficiary: acc(DAVE),
            valid_from: 1,
            expire_at: 6,
        }));
        // Anyone may trigger the payment; the beneficiary is paid.
        assert_eq!(signed(Call::payout { index: 0 }, STRANGER), Ok(()));
        assert_eq!(free(DAVE), ENDOWMENT + 300);
        assert_eq!(Treasury::pot(), POT - 300);
        assert_eq!(Committed::get(), 0);
        assert!(events().contains(&Event::Paid {
            index: 0,
            payment_id: 0
        }));
        assert_eq!(
            Spends::get(0).map(|s| s.status),
            Some(PaymentState::Attempted { id: 0 })
        );
        // Clearing a paid spend is free.
        assert_eq!(
            dispatch(
                Call::check_status { index: 0 },
                Origin::Signed(acc(STRANGER))
            ),
            Ok(Pays::No)
        );
        assert_eq!(Spends::get(0), None);
        assert!(events().contains(&Event::SpendProcessed { index: 0 }));
        assert_eq!(SpendCount::get(), 1);
    });
}

#[test]
fn spend_needs_an_allowance_and_stays_within_it() {
    test(|_| {
        assert_eq!(
            signed(spend(1, DAVE, None), STRANGER),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(root(spend(1, DAVE, None).clone()), Ok(()));
        assert_eq!(
            dispatch(spend(TREASURER_CAP + 1, DAVE, None), TREASURER).map(|_| ()),
            err(Error::InsufficientPermission)
        );
        assert_eq!(
            dispatch(spend(TREASURER_CAP, DAVE, None), TREASURER).map(|_| ()),
            Ok(())
        );
        assert_eq!(
            dispatch(spend(1, DAVE, None), Origin::None),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(SpendCount::get(), 2);
    });
}

#[test]
fn spend_refuses_a_window_already_over_and_an_unknown_address() {
    test(|burnt| {
        run_to(20, burnt);
        assert_eq!(root(spend(10, DAVE, Some(10))), err(Error::SpendExpired));
        assert_eq!(
            root(Call::spend {
                amount: 10,
                beneficiary: Address::Index(()),
                valid_from: None,
            }),
            Err(DispatchError::CannotLookup)
        );
        assert_eq!(SpendCount::get(), 0);
        // A window that is still open is accepted, from the past.
        assert_eq!(root(spend(10, DAVE, Some(16))), Ok(()));
        assert_eq!(Spends::get(0).map(|s| s.expire_at), Some(21));
    });
}

#[test]
fn payout_only_inside_its_window() {
    test(|burnt| {
        assert_eq!(root(spend(10, DAVE, Some(3))), Ok(()));
        assert_eq!(
            signed(Call::payout { index: 0 }, DAVE),
            err(Error::EarlyPayout)
        );
        assert_eq!(
            signed(Call::payout { index: 1 }, DAVE),
            err(Error::InvalidIndex)
        );
        assert_eq!(
            dispatch(Call::payout { index: 0 }, Origin::Root).map(|_| ()),
            Err(DispatchError::BadOrigin)
        );
        run_to(8, burnt);
        assert_eq!(
            signed(Call::payout { index: 0 }, DAVE),
            err(Error::SpendExpired)
        );
        assert_eq!(free(DAVE), ENDOWMENT);
        // The expired spend is cleared by anyone, and uncommitted.
        assert_eq!(signed(Call::check_status { index: 0 }, STRANGER), Ok(()));
        assert_eq!(Committed::get(), 0);
        assert_eq!(Spends::get(0), None);
    });
}

#[test]
fn payout_when_the_pot_is_short_fails_whole_and_can_be_retried() {
    test(|_| {
        assert_eq!(root(spend(POT + 1, DAVE, None)), Ok(()));
        assert_eq!(
            signed(Call::payout { index: 0 }, DAVE),
            err(Error::PayoutError)
        );
        assert_eq!(free(DAVE), ENDOWMENT);
        assert_eq!(
            Spends::get(0).map(|s| s.status),
            Some(PaymentState::Pending)
        );
        // Income arrives; the retry pays.
        Balances::transfer(&acc(1), &Treasury::account_id(), 1, true).expect("income");
        assert_eq!(signed(Call::payout { index: 0 }, DAVE), Ok(()));
        assert_eq!(free(DAVE), ENDOWMENT + POT + 1);
        assert_eq!(Treasury::pot(), 0);
    });
}

#[test]
fn check_status_of_a_pending_spend_is_not_attempted() {
    test(|_| {
        assert_eq!(root(spend(10, DAVE, None)), Ok(()));
        assert_eq!(
            signed(Call::check_status { index: 0 }, STRANGER),
            err(Error::NotAttempted)
        );
        assert_eq!(
            signed(Call::check_status { index: 9 }, STRANGER),
            err(Error::InvalidIndex)
        );
        assert_eq!(Committed::get(), 10);
    });
}

#[test]
fn void_spend_cancels_an_unpaid_spend_only() {
    test(|_| {
        assert_eq!(root(spend(10, DAVE, None)), Ok(()));
        assert_eq!(root(spend(20, DAVE, None)), Ok(()));
        assert_eq!(
            signed(Call::void_spend { index: 0 }, STRANGER),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(
            dispatch(Call::void_spend { index: 0 }, TREASURER).map(|_| ()),
            Ok(())
        );
        assert!(events().contains(&Event::AssetSpendVoided { index: 0 }));
        assert_eq!(Committed::get(), 20);
        assert_eq!(
            root(Call::void_spend { index: 0 }),
            err(Error::InvalidIndex)
        );
        assert_eq!(signed(Call::payout { index: 1 }, DAVE), Ok(()));
        assert_eq!(
            root(Call::void_spend { index: 1 }),
            err(Error::AlreadyAttempted)
        );
        assert_eq!(free(DAVE), ENDOWMENT + 20);
    });
}

#[test]
fn each_spend_period_burns_a_share_of_unspent_funds_and_rolls_the_rest_over() {
    test(|burnt| {
        assert_eq!(root(spend(100, DAVE, Some(9))), Ok(()));
        run_to(9, burnt);
        assert_eq!(*burnt, 0, "no burn before the period ends");
        let issuance = Balances::total_issuance();
        run_to(10, burnt);
        // Unspent: 1000 - 100 committed = 900; half burned.
        let got = events();
        assert!(got.contains(&Event::Spending {
            budget_remaining: 900
        }));
        assert!(got.contains(&Event::Burnt { burnt_funds: 450 }));
        assert!(got.contains(&Event::Rollover {
            rollover_balance: 450
        }));
        assert_eq!(Balances::total_issuance(), issuance - 450);
        assert_eq!(Treasury::pot(), POT - 450);
        // The committed spend is still payable in full.
        assert_eq!(signed(Call::payout { index: 0 }, DAVE), Ok(()));
        assert_eq!(free(DAVE), ENDOWMENT + 100);
        // Next period: 550 - 100 paid = 450 unspent, 225 burned.
        run_to(20, burnt);
        assert_eq!(*burnt, 450 + 225);
        assert_eq!(Treasury::pot(), 225);
    });
}

#[test]
fn an_empty_pot_burns_nothing() {
    test(|burnt| {
        assert_eq!(root(spend(POT, DAVE, None)), Ok(()));
        assert_eq!(signed(Call::payout { index: 0 }, DAVE), Ok(()));
        run_to(10, burnt);
        let got = events();
        assert!(got.contains(&Event::Rollover {
            rollover_balance: 0
        }));
        assert!(!got.iter().any(|e| matches!(e, Event::Burnt { .. })));
        assert_eq!(Balances::free_balance(&Treasury::account_id()), 2);
    });
}

#[test]
fn attack_signer_cannot_grant_itself_a_spend() {
    test(|_| {
        for who in [1, 2, DAVE, STRANGER] {
            assert_eq!(
                signed(spend(POT, who, None), who),
                Err(DispatchError::BadOrigin)
            );
        }
        assert_eq!(SpendCount::get(), 0);
        assert_eq!(Treasury::pot(), POT);
    });
}

#[test]
fn attack_a_spend_is_paid_once_however_often_payout_is_replayed() {
    test(|_| {
        assert_eq!(root(spend(100, DAVE, None)), Ok(()));
        assert_eq!(signed(Call::payout { index: 0 }, DAVE), Ok(()));
        for _ in 0..3 {
            assert_eq!(
                signed(Call::payout { index: 0 }, DAVE),
                err(Error::AlreadyAttempted)
            );
        }
        assert_eq!(signed(Call::check_status { index: 0 }, DAVE), Ok(()));
        assert_eq!(
            signed(Call::payout { index: 0 }, DAVE),
            err(Error::InvalidIndex)
        );
        // A failed `check_status` is not free: spamming it costs the fee.
        let failed = dispatch(Call::check_status { index: 0 }, Origin::Signed(acc(DAVE)));
        assert_eq!(failed, Err(Error::<Test>::InvalidIndex.into()));
        assert_eq!(free(DAVE), ENDOWMENT + 100);
    });
}

#[test]
fn attack_the_burn_never_takes_committed_funds() {
    test(|burnt| {
        // All of the pot committed: nothing is unspent, nothing burns.
        assert_eq!(root(spend(POT, DAVE, Some(12))), Ok(()));
        run_to(12, burnt);
        assert_eq!(*burnt, 0);
        assert_eq!(signed(Call::payout { index: 0 }, DAVE), Ok(()));
        assert_eq!(free(DAVE), ENDOWMENT + POT);
    });
}

#[test]
fn weights_are_declared_for_every_call() {
    let calls = [
        spend(1, DAVE, None),
        Call::payout { index: 0 },
        Call::check_status { index: 0 },
        Call::void_spend { index: 0 },
    ];
    for c in calls {
        let info = Dispatchable::<Test>::dispatch_info(&c);
        assert!(info.weight.ref_time > 0, "{c:?}");
    }
    assert!(crate::weights::spend_period().ref_time > crate::weights::idle_block().ref_time);
}
